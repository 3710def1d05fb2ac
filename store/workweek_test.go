package store_test

import (
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestWorkWeekNext(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	kolkata := mustLoad(t, "Asia/Kolkata")
	w := store.DefaultWorkWeek
	tests := []struct {
		name string
		in   time.Time
		loc  *time.Location
		want time.Time
	}{
		{"InsideStaysPut", time.Date(2026, 12, 2, 10, 30, 0, 0, berlin), berlin, time.Date(2026, 12, 2, 10, 30, 0, 0, berlin)},
		{"StartIsInside", time.Date(2026, 12, 2, 9, 0, 0, 0, berlin), berlin, time.Date(2026, 12, 2, 9, 0, 0, 0, berlin)},
		{"EndIsInside", time.Date(2026, 12, 2, 18, 0, 0, 0, berlin), berlin, time.Date(2026, 12, 2, 18, 0, 0, 0, berlin)},
		{"AfterEndIsOutside", time.Date(2026, 12, 2, 18, 0, 1, 0, berlin), berlin, time.Date(2026, 12, 3, 9, 0, 0, 0, berlin)},
		{"NightWaitsForMorning", time.Date(2026, 12, 2, 3, 0, 0, 0, berlin), berlin, time.Date(2026, 12, 2, 9, 0, 0, 0, berlin)},
		{"FridayEveningWaitsForMonday", time.Date(2026, 12, 4, 19, 0, 0, 0, berlin), berlin, time.Date(2026, 12, 7, 9, 0, 0, 0, berlin)},
		{"SaturdayWaitsForMonday", time.Date(2026, 12, 5, 11, 0, 0, 0, ny), ny, time.Date(2026, 12, 7, 9, 0, 0, 0, ny)},
		{"OtherZoneOfTheInstant", time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), kolkata, time.Date(2026, 12, 2, 13, 30, 0, 0, kolkata)},
		// Berlin springs forward on Sun 29 Mar 2026; Monday 09:00 is still 09:00 wall-clock (07:00 UTC, not 08:00).
		{"AcrossDSTStart", time.Date(2026, 3, 27, 20, 0, 0, 0, berlin), berlin, time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)},
		// New York falls back on Sun 1 Nov 2026.
		{"AcrossDSTEnd", time.Date(2026, 10, 30, 22, 0, 0, 0, ny), ny, time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := w.Next(tt.in, tt.loc); !got.Equal(tt.want) {
			t.Errorf("%s: Next(%v) = %v, want %v", tt.name, tt.in, got.In(tt.loc), tt.want.In(tt.loc))
		}
		if got, want := w.Contains(tt.in, tt.loc), w.Next(tt.in, tt.loc).Equal(tt.in); got != want {
			t.Errorf("%s: Contains(%v) = %v, want %v", tt.name, tt.in, got, want)
		}
	}
}

func TestWorkWeekEdgeCases(t *testing.T) {
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC) // a Saturday night
	if got := (store.WorkWeek{}).Next(now, time.UTC); !got.Equal(now) {
		t.Errorf("no working days: Next = %v, want now", got)
	}
	everyDay := store.WorkWeek{Start: 10 * time.Hour, End: 24 * time.Hour, Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}
	if got, want := everyDay.Next(now, time.UTC), time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("every day: Next = %v, want %v", got, want)
	}
	late := time.Date(2026, 12, 5, 23, 59, 0, 0, time.UTC)
	if !everyDay.Contains(late, time.UTC) {
		t.Errorf("a window ending at 24:00 should contain 23:59")
	}
}
