package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Ensure the function ClaimEvent hands to Batch decides afresh on every
// run: Batch rolls a batch back and re-runs it without a failed call, and
// a claim whose first run lost to another claim of its key (or won, then
// was rolled back) must give the answer of its last run.
func TestClaimIdempotent(t *testing.T) {
	t.Parallel()
	db := openInternal(t)
	other, c := &claim{key: []byte("Ev1"), at: base}, &claim{key: []byte("Ev1"), at: base}

	// First run: after another claim of the same key, so not first; then
	// the batch is rolled back.
	err := db.update(func(tx kvTx) error {
		if err := other.claim(tx); err != nil {
			return err
		}
		if err := c.claim(tx); err != nil {
			return err
		}
		if !other.first || c.first {
			t.Errorf("in one batch: first = %v then %v, want true then false", other.first, c.first)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	// Re-run alone: the other claim is gone with the rollback.
	if err := db.update(c.claim); err != nil {
		t.Fatal(err)
	}
	if !c.first {
		t.Errorf("re-run alone after a rollback: first = false, want true")
	}

	// The reverse: a run that won and was rolled back, then a re-run after
	// the key was claimed by someone else, is not first.
	d := &claim{key: []byte("Ev2"), at: base}
	err = db.update(func(tx kvTx) error {
		if err := d.claim(tx); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) || !d.first {
		t.Fatalf("first run = %v, first %v; want rolled back after winning", err, d.first)
	}
	if first, err := db.ClaimEvent("Ev2", base); err != nil || !first {
		t.Fatalf("ClaimEvent(Ev2) = %v, %v, want true, nil", first, err)
	}
	if err := db.update(d.claim); err != nil {
		t.Fatal(err)
	}
	if d.first {
		t.Errorf("re-run after another claim of Ev2: first = true, want false")
	}
}

// Ensure concurrent claims share commits: a burst of envelopes costs a few
// disk syncs, not one each.
func TestClaimEventsShareCommits(t *testing.T) {
	t.Parallel()
	db := openInternal(t)
	const n = 40
	before := lastTxID(t, db)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			if first, err := db.ClaimEvent(fmt.Sprintf("Ev%d", i), base); err != nil || !first {
				t.Errorf("ClaimEvent(Ev%d) = %v, %v, want true, nil", i, first, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if commits := lastTxID(t, db) - before; commits > n/2 {
		t.Errorf("%d concurrent claims took %d commits, want them to share (at most %d)", n, commits, n/2)
	}
}

// lastTxID is the ID of the last committed write transaction.
func lastTxID(t *testing.T, db *DB) int {
	t.Helper()
	var id int
	if err := db.bolt.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}
