package store

import (
	"fmt"
	"time"
)

// Interval is a span of absolute time [Start, End).
type Interval struct{ Start, End time.Time }

// Duration is End − Start (0 for an empty or inverted interval).
func (iv Interval) Duration() time.Duration {
	if !iv.End.After(iv.Start) {
		return 0
	}
	return iv.End.Sub(iv.Start)
}

// SharedHours returns the intervals in [from, to) when everyone is inside
// their own working hours (weeks[i] in locs[i]), in time order, disjoint and
// not touching (back-to-back windows, as for someone who works 00:00–24:00
// every day, are merged into one). The times are in from's location.
//
// It is DST-correct because each person's windows are built per local day
// with WorkWeek's wall-clock rule: 09:00 stays 09:00 on the Monday after the
// clocks change, wherever that person lives, so in the weeks when the US and
// the EU are on different rules (mid-March, late October) the shared time
// moves by an hour.
//
// A nil location means UTC. A zero WorkWeek, one without days, or one whose
// End is not after Start has no working time, so the result is empty; callers
// resolve a person's defaults first. With no people at all everyone is
// trivially at work, so the result is [from, to) itself (empty when to is not
// after from). It panics when weeks and locs differ in length, a programmer
// error.
func SharedHours(weeks []WorkWeek, locs []*time.Location, from, to time.Time) []Interval {
	if len(weeks) != len(locs) {
		panic(fmt.Sprintf("store: SharedHours: %d weeks but %d locations", len(weeks), len(locs)))
	}
	if !to.After(from) {
		return nil
	}
	out := from.Location()
	if len(weeks) == 0 {
		return []Interval{{from, to.In(out)}}
	}
	var acc []Interval
	for i, w := range weeks {
		own := workIntervals(w, locs[i], from, to)
		if i == 0 {
			acc = own
		} else {
			acc = intersect(acc, own)
		}
		if len(acc) == 0 {
			return nil
		}
	}
	for i := range acc {
		acc[i].Start, acc[i].End = acc[i].Start.In(out), acc[i].End.In(out)
	}
	return acc
}

// LongestShared is the longest single interval of SharedHours over the week
// starting at from (7×24 hours of absolute time); 0 when there is none. It is
// what "can these people find a slot together this week" means for pairing.
func LongestShared(weeks []WorkWeek, locs []*time.Location, from time.Time) time.Duration {
	var best time.Duration
	for _, iv := range SharedHours(weeks, locs, from, from.Add(7*24*time.Hour)) {
		best = max(best, iv.Duration())
	}
	return best
}

// workIntervals returns w's working windows in loc clipped to [from, to),
// sorted, with touching or overlapping windows merged.
func workIntervals(w WorkWeek, loc *time.Location, from, to time.Time) []Interval {
	if loc == nil {
		loc = time.UTC
	}
	if len(w.Days) == 0 || w.End <= w.Start {
		return nil
	}
	// A window may end on a later local day than it starts (End past 24h,
	// a night shift), so start early enough to see one that spills into from.
	back := int(w.End/(24*time.Hour)) + 1
	lf, lt := from.In(loc), to.In(loc)
	first := time.Date(lf.Year(), lf.Month(), lf.Day()-back, 12, 0, 0, 0, loc)
	last := time.Date(lt.Year(), lt.Month(), lt.Day(), 12, 0, 0, 0, loc)
	var ivs []Interval
	for k := 0; ; k++ {
		// Noon of each local day: never inside a DST gap, so its date and
		// weekday are the day's own.
		day := time.Date(first.Year(), first.Month(), first.Day()+k, 12, 0, 0, 0, loc)
		if day.After(last) {
			break
		}
		if !w.worksOn(day.Weekday()) {
			continue
		}
		start, end := w.window(day.Year(), day.Month(), day.Day(), loc)
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		if !end.After(start) {
			continue
		}
		if n := len(ivs); n > 0 && !start.After(ivs[n-1].End) {
			if end.After(ivs[n-1].End) {
				ivs[n-1].End = end
			}
			continue
		}
		ivs = append(ivs, Interval{start, end})
	}
	return ivs
}

// intersect returns the intersection of two sorted lists of disjoint,
// non-touching intervals; the result has the same shape.
func intersect(a, b []Interval) []Interval {
	var out []Interval
	for i, j := 0, 0; i < len(a) && j < len(b); {
		start, end := a[i].Start, a[i].End
		if b[j].Start.After(start) {
			start = b[j].Start
		}
		if b[j].End.Before(end) {
			end = b[j].End
		}
		if end.After(start) {
			out = append(out, Interval{start, end})
		}
		if a[i].End.Before(b[j].End) {
			i++
		} else {
			j++
		}
	}
	return out
}
