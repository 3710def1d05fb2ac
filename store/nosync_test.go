package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// boltNoSync reports the NoSync flag of the bbolt handle db uses now
// (Compact swaps the handle, so read it under db.mu).
func boltNoSync(db *DB) bool {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.bolt.NoSync
}

// nosyncKudos writes n kudos to db, each from giver to UNOSYNCTO, and fails
// the test on an error.
func nosyncKudos(t *testing.T, db *DB, giver string, n int) {
	t.Helper()
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i := range n {
		k := Kudos{Giver: giver, Receivers: []string{"UNOSYNCTO"}, Text: fmt.Sprintf("thanks %d", i), At: at.Add(time.Duration(i) * time.Minute)}
		if _, err := db.AddKudos(k); err != nil {
			t.Fatalf("AddKudos(%s #%d): %v", giver, i, err)
		}
	}
}

// nosyncReceived returns how many kudos UNOSYNCTO has received.
func nosyncReceived(t *testing.T, db *DB) int {
	t.Helper()
	ks, err := db.KudosReceived("UNOSYNCTO", 0)
	if err != nil {
		t.Fatalf("KudosReceived: %v", err)
	}
	return len(ks)
}

// Ensure a NoSync store reads back what it wrote, and after a clean Close
// a store opened again without NoSync finds all of it: skipping the fsync
// never skips the write.
func TestNoSyncWritesSurviveCleanClose(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "rapport.db")
	db, err := Open(path, Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		t.Fatalf("Open(NoSync) = %v", err)
	}
	nosyncKudos(t, db, "UGIVER1", 20)
	if _, _, err := db.UpdateCoffeeMember("UCOFFEE1", func(m *CoffeeMember) error { m.Via = ViaChannel; return nil }, Effects{}); err != nil {
		t.Fatalf("UpdateCoffeeMember: %v", err)
	}
	if got := nosyncReceived(t, db); got != 20 {
		t.Errorf("NoSync store: %d kudos read back, want 20", got)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	db, err = Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("Open again = %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	if err := db.Check(); err != nil {
		t.Errorf("Check() after reopening = %v", err)
	}
	if got := nosyncReceived(t, db); got != 20 {
		t.Errorf("reopened store: %d kudos, want the 20 written with NoSync", got)
	}
	ms, err := db.CoffeeMembers()
	if err != nil || len(ms) != 1 || ms[0].User != "UCOFFEE1" || ms[0].Via != ViaChannel {
		t.Errorf("reopened store: coffee members %+v, %v; want UCOFFEE1 via channel", ms, err)
	}
}

// Ensure Options.NoSync reaches bbolt at Open and is kept by Compact, which
// reopens the file: a sandbox store must not start syncing after its first
// compaction, and a real store must never stop. Writes after Compact still
// survive a clean Close.
func TestNoSyncKeptByCompact(t *testing.T) {
	t.Parallel()
	for _, noSync := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoSync=%v", noSync), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "rapport.db")
			db, err := Open(path, Options{Timeout: time.Second, NoSync: noSync})
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			if got := boltNoSync(db); got != noSync {
				t.Errorf("after Open: bbolt NoSync = %v, want %v", got, noSync)
			}
			nosyncKudos(t, db, "UBEFORE", 10)
			if err := db.Compact(); err != nil {
				t.Fatalf("Compact() = %v", err)
			}
			if got := boltNoSync(db); got != noSync {
				t.Errorf("after Compact: bbolt NoSync = %v, want %v", got, noSync)
			}
			nosyncKudos(t, db, "UAFTER", 5)
			if err := db.Compact(); err != nil {
				t.Fatalf("second Compact() = %v", err)
			}
			if got := boltNoSync(db); got != noSync {
				t.Errorf("after a second Compact: bbolt NoSync = %v, want %v", got, noSync)
			}
			if err := db.Close(); err != nil {
				t.Fatalf("Close() = %v", err)
			}

			db, err = Open(path, Options{Timeout: time.Second})
			if err != nil {
				t.Fatalf("Open again = %v", err)
			}
			defer func() {
				if err := db.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			}()
			if got := boltNoSync(db); got {
				t.Errorf("reopened without NoSync: bbolt NoSync = true, want false")
			}
			if got := nosyncReceived(t, db); got != 15 {
				t.Errorf("reopened store: %d kudos, want the 15 written around the compactions", got)
			}
		})
	}
}
