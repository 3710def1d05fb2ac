package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// openInternal opens a fresh store for internal tests (storetest imports
// store, so it cannot be used from inside the package).
func openInternal(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), "rapport.db"), Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Check(); err != nil {
			tb.Error(err)
		}
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

var errRollback = errors.New("rolled back")

// Ensure the function GiveKudos hands to Batch is idempotent: Batch re-runs
// it when another call in the batch fails, after rolling back the first
// run. A first run that was rolled back (and may have seen another
// kudos, since removed from the batch) must leave no trace in the result.
func TestGiftGiveIdempotent(t *testing.T) {
	t.Parallel()
	db := openInternal(t)
	day := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	a := Allowance{Limit: 2, From: day, To: day.Add(24 * time.Hour)}
	newG := func(receivers ...string) *gift {
		g, err := newGift(Kudos{Giver: "U1", Receivers: receivers, At: day.Add(time.Hour)}, a)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	other, g := newG("U2"), newG("U3", "U4")

	// First run: in a batch after other, so over the limit; then the batch
	// fails and is rolled back.
	err := db.update(func(tx kvTx) error {
		if err := other.give(tx); err != nil {
			return err
		}
		if err := g.give(tx); err != nil {
			return err
		}
		if g.id != 0 || g.used != 1 {
			t.Errorf("first run: id %d, used %d; want refused with 1 used", g.id, g.used)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	// Re-run alone: now it fits, and gets the first id.
	if err := db.update(g.give); err != nil {
		t.Fatal(err)
	}
	k, remaining, err := g.result()
	if err != nil || k.ID != 1 || remaining != 0 {
		t.Errorf("after a rolled-back run, result = %+v, %d, %v; want kudos 1, 0 remaining", k, remaining, err)
	}
	if n, err := db.KudosGivenCount("U1", a.From, a.To); err != nil || n != 2 {
		t.Errorf("KudosGivenCount = %d, %v, want 2 (stored once)", n, err)
	}

	// And the reverse: a run that succeeded and was rolled back, then
	// refused on the re-run (another kudos by the giver committed in
	// between), reports the refusal.
	one := Allowance{Limit: 1, From: a.From, To: a.To}
	late, err := newGift(Kudos{Giver: "U9", Receivers: []string{"U2"}, At: day.Add(time.Hour)}, one)
	if err != nil {
		t.Fatal(err)
	}
	// Its effects, written on the first run, go with that run's rollback.
	late.now = day.Add(time.Hour)
	late.effects = func(k Kudos) Effects {
		return Effects{Outbox: []Outgoing{{Key: fmt.Sprintf("late:%d", k.ID), User: "U2", Text: "dm"}}}
	}
	_ = db.update(func(tx kvTx) error {
		if err := late.give(tx); err != nil {
			return err
		}
		if late.id == 0 {
			t.Errorf("first run of late: refused, want stored")
		}
		return errRollback
	})
	if _, _, err := db.GiveKudos(Kudos{Giver: "U9", Receivers: []string{"U3"}, At: day.Add(2 * time.Hour)}, one, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.update(late.give); err != nil {
		t.Fatal(err)
	}
	var ae *AllowanceError
	if _, _, err := late.result(); !errors.As(err, &ae) || *ae != (AllowanceError{Limit: 1, Used: 1, Wanted: 1}) {
		t.Errorf("late.result() = %v, want an AllowanceError with 1 of 1 used", err)
	}
	if due, err := db.DueOutgoing(day.Add(48*time.Hour), 0); err != nil || len(due) != 0 {
		t.Errorf("a refused re-run left effects: %+v, %v", due, err)
	}
}
