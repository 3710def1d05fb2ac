package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/rapport-bot/rapport/store"
)

// overlapZone loads a zone or fails the test.
func overlapZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// fmtIntervals prints intervals as "Mon 7 Dec 15:00–18:00" in loc.
func fmtIntervals(ivs []store.Interval, loc *time.Location) string {
	var b strings.Builder
	for i, iv := range ivs {
		if i > 0 {
			b.WriteString(", ")
		}
		s, e := iv.Start.In(loc), iv.End.In(loc)
		end := e.Format("15:04")
		if e.YearDay() != s.YearDay() {
			end = e.Format("Mon 15:04")
		}
		fmt.Fprintf(&b, "%s–%s", s.Format("Mon 2 Jan 15:04"), end)
	}
	return b.String()
}

func TestSharedHours(t *testing.T) {
	t.Parallel()
	berlin := overlapZone(t, "Europe/Berlin")
	ny := overlapZone(t, "America/New_York")
	la := overlapZone(t, "America/Los_Angeles")
	kolkata := overlapZone(t, "Asia/Kolkata")
	london := overlapZone(t, "Europe/London")
	std := store.DefaultWorkWeek
	monWed := store.WorkWeek{Start: 9 * time.Hour, End: 18 * time.Hour, Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday}}
	wedFri := store.WorkWeek{Start: 9 * time.Hour, End: 18 * time.Hour, Days: []time.Weekday{time.Wednesday, time.Thursday, time.Friday}}
	winter := time.Date(2026, 12, 7, 0, 0, 0, 0, berlin) // Monday, everyone on standard time
	daily := func(n int, from, to string) string {
		// n weekdays from Monday 7 Dec 2026, from–to Berlin wall clock
		days := []string{"Mon 7 Dec", "Tue 8 Dec", "Wed 9 Dec", "Thu 10 Dec", "Fri 11 Dec"}
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, fmt.Sprintf("%s %s–%s", days[i], from, to))
		}
		return strings.Join(parts, ", ")
	}
	tests := []struct {
		name    string
		weeks   []store.WorkWeek
		locs    []*time.Location
		from    time.Time
		want    string // in Berlin
		longest time.Duration
	}{
		{"BerlinNewYork", []store.WorkWeek{std, std}, []*time.Location{berlin, ny}, winter,
			daily(5, "15:00", "18:00"), 3 * time.Hour},
		// LA's 09:00 is Berlin's 18:00, when Berlin stops: touching is not sharing.
		{"BerlinLosAngeles", []store.WorkWeek{std, std}, []*time.Location{berlin, la}, winter, "", 0},
		// Bangalore (UTC+05:30) ends at 13:30 Berlin time in winter.
		{"BerlinBangalore", []store.WorkWeek{std, std}, []*time.Location{berlin, kolkata}, winter,
			daily(5, "09:00", "13:30"), 4*time.Hour + 30*time.Minute},
		// London 10:00–19:00 and New York 15:00–24:00 in Berlin time.
		{"BerlinLondonNewYork", []store.WorkWeek{std, std, std}, []*time.Location{berlin, london, ny}, winter,
			daily(5, "15:00", "18:00"), 3 * time.Hour},
		// Each pair shares time, the three together only 10:00–13:30 Berlin.
		{"BerlinLondonBangalore", []store.WorkWeek{std, std, std}, []*time.Location{berlin, london, kolkata}, winter,
			daily(5, "10:00", "13:30"), 3*time.Hour + 30*time.Minute},
		// Days intersect too: Mon–Wed and Wed–Fri meet on Wednesday only.
		{"ThreeDaysEach", []store.WorkWeek{monWed, wedFri, std}, []*time.Location{berlin, berlin, berlin}, winter,
			"Wed 9 Dec 09:00–18:00", 9 * time.Hour},
		// New York moved to EDT on Sun 8 Mar 2026, Berlin only moves on 29 Mar:
		// for three weeks New York starts at 14:00 Berlin time, not 15:00.
		{"DSTGapWeek", []store.WorkWeek{std, std}, []*time.Location{berlin, ny}, time.Date(2026, 3, 9, 0, 0, 0, 0, berlin),
			"Mon 9 Mar 14:00–18:00, Tue 10 Mar 14:00–18:00, Wed 11 Mar 14:00–18:00, Thu 12 Mar 14:00–18:00, Fri 13 Mar 14:00–18:00",
			4 * time.Hour},
		// Once Berlin is on CEST too, the gap is six hours again.
		{"BothOnSummerTime", []store.WorkWeek{std, std}, []*time.Location{berlin, ny}, time.Date(2026, 3, 30, 0, 0, 0, 0, berlin),
			"Mon 30 Mar 15:00–18:00, Tue 31 Mar 15:00–18:00, Wed 1 Apr 15:00–18:00, Thu 2 Apr 15:00–18:00, Fri 3 Apr 15:00–18:00",
			3 * time.Hour},
		// Europe falls back on 25 Oct 2026, the US only on 1 Nov.
		{"DSTGapAutumn", []store.WorkWeek{std, std}, []*time.Location{berlin, ny}, time.Date(2026, 10, 26, 0, 0, 0, 0, berlin),
			"Mon 26 Oct 14:00–18:00, Tue 27 Oct 14:00–18:00, Wed 28 Oct 14:00–18:00, Thu 29 Oct 14:00–18:00, Fri 30 Oct 14:00–18:00",
			4 * time.Hour},
		{"OnePersonIsTheirOwnWeek", []store.WorkWeek{monWed}, []*time.Location{berlin}, winter,
			"Mon 7 Dec 09:00–18:00, Tue 8 Dec 09:00–18:00, Wed 9 Dec 09:00–18:00", 9 * time.Hour},
		{"ZeroWorkWeekNeverWorks", []store.WorkWeek{std, {}}, []*time.Location{berlin, berlin}, winter, "", 0},
		{"NilLocationIsUTC", []store.WorkWeek{std, std}, []*time.Location{nil, berlin}, winter,
			daily(5, "10:00", "18:00"), 8 * time.Hour},
	}
	for _, tt := range tests {
		end := tt.from.Add(7 * 24 * time.Hour)
		got := store.SharedHours(tt.weeks, tt.locs, tt.from, end)
		if s := fmtIntervals(got, berlin); s != tt.want {
			t.Errorf("%s: SharedHours = %q, want %q", tt.name, s, tt.want)
		}
		if got := store.LongestShared(tt.weeks, tt.locs, tt.from); got != tt.longest {
			t.Errorf("%s: LongestShared = %v, want %v", tt.name, got, tt.longest)
		}
	}
}

func TestSharedHoursAcrossTheDSTChange(t *testing.T) {
	t.Parallel()
	berlin := overlapZone(t, "Europe/Berlin")
	ny := overlapZone(t, "America/New_York")
	std := store.DefaultWorkWeek
	// Fri 6 Mar to Tue 10 Mar 2026: New York changes clocks on the Sunday in between.
	got := store.SharedHours([]store.WorkWeek{std, std}, []*time.Location{berlin, ny},
		time.Date(2026, 3, 6, 0, 0, 0, 0, berlin), time.Date(2026, 3, 11, 0, 0, 0, 0, berlin))
	want := "Fri 6 Mar 15:00–18:00, Mon 9 Mar 14:00–18:00, Tue 10 Mar 14:00–18:00"
	if s := fmtIntervals(got, berlin); s != want {
		t.Errorf("SharedHours(6–11 Mar 2026) = %q, want %q", s, want)
	}
}

func TestSharedHoursEdges(t *testing.T) {
	t.Parallel()
	berlin := overlapZone(t, "Europe/Berlin")
	ny := overlapZone(t, "America/New_York")
	mon := time.Date(2026, 12, 7, 0, 0, 0, 0, berlin)
	std := store.DefaultWorkWeek
	allWeek := []time.Weekday{0, 1, 2, 3, 4, 5, 6}

	// Ensure the range clips the windows.
	got := store.SharedHours([]store.WorkWeek{std, std}, []*time.Location{berlin, ny},
		mon.Add(16*time.Hour), mon.Add(24*time.Hour+16*time.Hour))
	if s, want := fmtIntervals(got, berlin), "Mon 7 Dec 16:00–18:00, Tue 8 Dec 15:00–16:00"; s != want {
		t.Errorf("clipped: got %q, want %q", s, want)
	}
	// Ensure an empty or inverted range has no shared time.
	if got := store.SharedHours([]store.WorkWeek{std}, []*time.Location{berlin}, mon, mon); got != nil {
		t.Errorf("empty range: got %v, want nil", got)
	}
	if got := store.SharedHours([]store.WorkWeek{std}, []*time.Location{berlin}, mon.Add(time.Hour), mon); got != nil {
		t.Errorf("inverted range: got %v, want nil", got)
	}
	// Ensure nobody at all means the whole range.
	if got := store.SharedHours(nil, nil, mon, mon.Add(time.Hour)); len(got) != 1 || got[0].Duration() != time.Hour {
		t.Errorf("no people: got %v, want one hour", got)
	}
	// Ensure back-to-back days are one stretch: working 00:00–24:00 every day is the whole week.
	always := store.WorkWeek{Start: 0, End: 24 * time.Hour, Days: allWeek}
	if got := store.LongestShared([]store.WorkWeek{always}, []*time.Location{berlin}, mon.Add(3*time.Hour)); got != 7*24*time.Hour {
		t.Errorf("always at work: LongestShared = %v, want 168h", got)
	}
	// Ensure a night shift past midnight (22:00–06:00) counts from the day it starts, and one that
	// began the evening before from is seen.
	night := store.WorkWeek{Start: 22 * time.Hour, End: 30 * time.Hour, Days: allWeek}
	got = store.SharedHours([]store.WorkWeek{night}, []*time.Location{berlin}, mon.Add(2*time.Hour), mon.Add(24*time.Hour))
	if s, want := fmtIntervals(got, berlin), "Mon 7 Dec 02:00–06:00, Mon 7 Dec 22:00–Tue 00:00"; s != want {
		t.Errorf("night shift: got %q, want %q", s, want)
	}
	// Ensure mismatched inputs panic: a programmer error.
	defer func() {
		if recover() == nil {
			t.Errorf("SharedHours with 2 weeks and 1 location did not panic")
		}
	}()
	store.SharedHours([]store.WorkWeek{std, std}, []*time.Location{berlin}, mon, mon.Add(time.Hour))
}

// TestSharedHoursMatchesContains checks SharedHours against WorkWeek.Contains,
// the one-instant rule, on a 15-minute grid over random weeks, zones and
// dates (including every DST change of 2026).
func TestSharedHoursMatchesContains(t *testing.T) {
	t.Parallel()
	zones := []string{"Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata",
		"Australia/Sydney", "Europe/London", "America/Sao_Paulo", "Asia/Tokyo", "UTC", "Pacific/Chatham"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i] = overlapZone(t, z)
	}
	const step = 15 * time.Minute
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 4).Draw(t, "people")
		weeks := make([]store.WorkWeek, n)
		ls := make([]*time.Location, n)
		for i := range weeks {
			start := time.Duration(rapid.IntRange(0, 47).Draw(t, "start")) * 30 * time.Minute
			end := start + time.Duration(rapid.IntRange(1, 48).Draw(t, "len"))*30*time.Minute
			end = min(end, 24*time.Hour) // Contains only sees a window on the day it starts
			var days []time.Weekday
			for d := time.Sunday; d <= time.Saturday; d++ {
				if rapid.Bool().Draw(t, "day") {
					days = append(days, d)
				}
			}
			weeks[i] = store.WorkWeek{Start: start, End: end, Days: days}
			ls[i] = locs[rapid.IntRange(0, len(locs)-1).Draw(t, "zone")]
		}
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rapid.IntRange(0, 365*24*4).Draw(t, "from")) * step)
		to := from.Add(time.Duration(rapid.IntRange(1, 9*24*4).Draw(t, "span")) * step)
		got := store.SharedHours(weeks, ls, from, to)
		for i, iv := range got {
			if !iv.End.After(iv.Start) || iv.Start.Before(from) || iv.End.After(to) {
				t.Fatalf("interval %d = %v is empty or outside [%v, %v)", i, iv, from, to)
			}
			if i > 0 && !iv.Start.After(got[i-1].End) {
				t.Fatalf("intervals %d and %d overlap or touch: %v", i-1, i, got)
			}
		}
		// Sample mid-step: Contains counts a window's end instant as inside
		// (a reminder due at 18:00 goes out at 18:00), intervals end there.
		k := 0
		for at := from.Add(step / 2); at.Before(to); at = at.Add(step) {
			want := true
			for i := range weeks {
				want = want && weeks[i].Contains(at, ls[i])
			}
			for k < len(got) && !got[k].End.After(at) {
				k++
			}
			inside := k < len(got) && !at.Before(got[k].Start)
			if inside != want {
				t.Fatalf("at %v: inside SharedHours = %v, everyone working = %v (weeks %v, zones %v)", at, inside, want, weeks, ls)
			}
		}
	})
}
