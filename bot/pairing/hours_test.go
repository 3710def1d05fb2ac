package pairing_test

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rapport-bot/rapport/bot/pairing"
)

// week is a working week for tests: Start to End of local wall-clock time
// (End may pass midnight) on each of Days.
type week struct {
	Start, End time.Duration
	Days       []time.Weekday
}

// defaultWeek is 09:00–18:00, Monday to Friday.
var defaultWeek = week{Start: 9 * time.Hour, End: 18 * time.Hour,
	Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}

var (
	hoursMu    sync.Mutex
	hoursCache = make(map[string][]pairing.Window)
)

// worker is someone who works w in loc (nil means UTC).
func worker(id string, w week, loc *time.Location) pairing.Person {
	return pairing.Person{ID: id, Work: hours(w, loc), Zone: loc.String()}
}

// hours is w in loc (nil means UTC) as absolute windows from two years
// before pairNow to three years after, which covers every Now the tests
// use. Each local day's window is built from its own date, so daylight
// saving moves it as a wall clock does. Equal weeks in one zone share one
// slice.
func hours(w week, loc *time.Location) []pairing.Window {
	if loc == nil {
		loc = time.UTC
	}
	key := fmt.Sprint(loc, w)
	hoursMu.Lock()
	defer hoursMu.Unlock()
	if ws, ok := hoursCache[key]; ok {
		return ws
	}
	var ws []pairing.Window
	first := pairNow.In(loc).AddDate(-2, 0, 0)
	for d := 0; d < 5*366; d++ {
		day := time.Date(first.Year(), first.Month(), first.Day()+d, 12, 0, 0, 0, loc)
		if !slices.Contains(w.Days, day.Weekday()) || w.End <= w.Start {
			continue
		}
		ws = append(ws, pairing.Window{Start: wall(day, w.Start, loc), End: wall(day, w.End, loc)})
	}
	hoursCache[key] = ws
	return ws
}

// inWeek is the part of ws (sorted) that meets [now, now+7×24h).
func inWeek(ws []pairing.Window, now time.Time) []pairing.Window {
	end := now.Add(7 * 24 * time.Hour)
	lo, _ := slices.BinarySearchFunc(ws, now, func(w pairing.Window, t time.Time) int { return w.End.Compare(t.Add(1)) })
	hi, _ := slices.BinarySearchFunc(ws, end, func(w pairing.Window, t time.Time) int { return w.Start.Compare(t) })
	return ws[lo:hi]
}

// wall is the instant when the wall clock in loc shows off past midnight
// of day's date (off may pass 24h into the next days).
func wall(day time.Time, off time.Duration, loc *time.Location) time.Time {
	off = off.Truncate(time.Minute)
	return time.Date(day.Year(), day.Month(), day.Day(), 0, int(off/time.Minute), 0, 0, loc)
}

// longestShared is the longest unbroken stretch in [now, now+7×24h) when
// everyone works. It cuts the week at every window edge and checks the
// middle of each piece against everyone: an oracle independent of the
// package's span arithmetic.
func longestShared(people []pairing.Person, now time.Time) time.Duration {
	from, to := now, now.Add(7*24*time.Hour)
	cuts := []time.Time{from, to}
	for _, p := range people {
		for _, w := range p.Work {
			for _, t := range []time.Time{w.Start, w.End} {
				if t.After(from) && t.Before(to) {
					cuts = append(cuts, t)
				}
			}
		}
	}
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.CompactFunc(cuts, time.Time.Equal)
	works := func(p pairing.Person, t time.Time) bool {
		for _, w := range p.Work {
			if !t.Before(w.Start) && t.Before(w.End) {
				return true
			}
		}
		return false
	}
	var best, run time.Duration
	for k := 0; k+1 < len(cuts); k++ {
		mid := cuts[k].Add(cuts[k+1].Sub(cuts[k]) / 2)
		all := true
		for _, p := range people {
			if !works(p, mid) {
				all = false
				break
			}
		}
		if all {
			run += cuts[k+1].Sub(cuts[k])
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}
