package store_test

import (
	"sync"
	"testing"
	"time"

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
