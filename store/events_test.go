package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestClaimEvent(t *testing.T) {
	t.Parallel()

	// Ensure a redelivered event is seen as such, until it is pruned.
	t.Run("FirstSecondAfterPrune", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		steps := []struct {
			key  string
			at   time.Time
			want bool
		}{
			{"Ev1", base, true},
			{"Ev1", base.Add(time.Second), false},
			{"Ev2", base.Add(time.Minute), true},
			{"Ev1", base.Add(time.Hour), false},
		}
		for _, s := range steps {
			if got, err := db.ClaimEvent(s.key, s.at); err != nil || got != s.want {
				t.Errorf("ClaimEvent(%q, %s) = %v, %v, want %v, nil", s.key, s.at, got, err, s.want)
			}
		}
		// Claims are recorded at their first time: Ev1 at base, Ev2 a
		// minute later. Pruning before base+1m forgets Ev1 only.
		if n, err := db.PruneEvents(base.Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("PruneEvents(base+1m) = %d, %v, want 1, nil", n, err)
		}
		if got, err := db.ClaimEvent("Ev1", base.Add(2*time.Hour)); err != nil || !got {
			t.Errorf("ClaimEvent(Ev1) after prune = %v, %v, want true, nil", got, err)
		}
		if got, err := db.ClaimEvent("Ev2", base.Add(2*time.Hour)); err != nil || got {
			t.Errorf("ClaimEvent(Ev2) after prune = %v, %v, want false, nil (not pruned)", got, err)
		}
	})

	// Ensure PruneEvents removes claims strictly before its argument.
	t.Run("PruneBoundaries", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		for i, key := range []string{"a", "b", "c"} {
			if _, err := db.ClaimEvent(key, base.Add(time.Duration(i)*time.Nanosecond)); err != nil {
				t.Fatal(err)
			}
		}
		steps := []struct {
			before time.Time
			want   int
		}{
			{time.Time{}, 0},
			{base, 0},
			{base.Add(time.Nanosecond), 1},
			{base.Add(time.Nanosecond), 0},
			{base.AddDate(1000, 0, 0), 2}, // beyond the index range: everything
		}
		for _, s := range steps {
			if n, err := db.PruneEvents(s.before); err != nil || n != s.want {
				t.Errorf("PruneEvents(%s) = %d, %v, want %d, nil", s.before, n, err, s.want)
			}
		}
	})

	// Ensure exactly one of many concurrent claims of a key wins.
	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 20 {
			wg.Go(func() {
				first, err := db.ClaimEvent("Ev-race", base)
				if err != nil {
					t.Error(err)
				}
				if first {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("20 concurrent ClaimEvent(Ev-race): %d returned true, want 1", wins)
		}
	})

	// Ensure claims arriving together (as the handlers of a burst of
	// envelopes make them, sharing commits) are each decided exactly: a
	// key claimed many times at once is granted once, distinct keys are
	// all granted, a claim that fails gets its error without failing the
	// others, and every grant is on disk when ClaimEvent returns, so a
	// re-delivery after a restart is still refused.
	t.Run("ConcurrentBurst", func(t *testing.T) {
		t.Parallel()
		path := newPath(t)
		db, err := store.Open(path, store.Options{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		const shared, copies, distinct = 10, 5, 40
		var keys []string
		for i := range shared {
			for range copies {
				keys = append(keys, fmt.Sprintf("shared-%d", i))
			}
		}
		for i := range distinct {
			keys = append(keys, fmt.Sprintf("distinct-%d", i))
		}
		tooLong := strings.Repeat("k", 40000) // over bbolt's key size limit
		keys = append(keys, tooLong)

		start := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := map[string]int{}
		for _, key := range keys {
			wg.Go(func() {
				<-start
				first, err := db.ClaimEvent(key, base)
				if key == tooLong {
					if err == nil || first {
						t.Errorf("ClaimEvent(40,000-byte key) = %v, %v, want false and an error", first, err)
					}
					return
				}
				if err != nil {
					t.Errorf("ClaimEvent(%q) = %v", key, err)
					return
				}
				if first {
					mu.Lock()
					wins[key]++
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		for i := range shared {
			if key := fmt.Sprintf("shared-%d", i); wins[key] != 1 {
				t.Errorf("%d concurrent ClaimEvent(%q): %d returned true, want 1", copies, key, wins[key])
			}
		}
		for i := range distinct {
			if key := fmt.Sprintf("distinct-%d", i); wins[key] != 1 {
				t.Errorf("ClaimEvent(%q) among concurrent claims: granted %d times, want 1", key, wins[key])
			}
		}

		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = mustOpenPath(t, path, store.Options{Timeout: time.Second})
		for _, key := range []string{"shared-0", "shared-9", "distinct-0", "distinct-39"} {
			if first, err := db.ClaimEvent(key, base.Add(time.Minute)); err != nil || first {
				t.Errorf("ClaimEvent(%q) after a restart = %v, %v, want false, nil (a re-delivery)", key, first, err)
			}
		}
		if first, err := db.ClaimEvent("fresh", base.Add(time.Minute)); err != nil || !first {
			t.Errorf("ClaimEvent(fresh) after a restart = %v, %v, want true, nil", first, err)
		}
	})

	t.Run("InvalidArguments", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		if _, err := db.ClaimEvent("", base); err == nil {
			t.Errorf("ClaimEvent(\"\") = nil error, want one")
		}
		if _, err := db.ClaimEvent("Ev", time.Time{}); err == nil {
			t.Errorf("ClaimEvent(Ev, zero time) = nil error, want one")
		}
	})
}
