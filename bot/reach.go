package bot

import (
	"slices"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// reachBefore returns when a DM that is due at due, and pointless after
// deadline, should go to someone who works w in loc, so that it arrives
// inside their working hours and before deadline:
//
//   - at due, when due falls inside their hours;
//   - at the start of their next working window, when it opens before
//     deadline;
//   - otherwise in the last working window that starts before due (for a
//     Monday-morning round seen from New York, Friday afternoon), an hour
//     before it ends, or at its start when it is shorter than that.
//
// With no working window in the week before due, it returns due; the
// outbox's hours check and the DM's expiry then decide.
func reachBefore(w store.WorkWeek, loc *time.Location, due, deadline time.Time) time.Time {
	if next := w.Next(due, loc); next.Before(deadline) {
		return next
	}
	if len(w.Days) == 0 || w.End <= w.Start {
		return due
	}
	lt := due.In(loc)
	for i := 0; i <= 7; i++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()-i, 12, 0, 0, 0, loc)
		if !slices.Contains(w.Days, day.Weekday()) {
			continue
		}
		// Wall-clock times, like WorkWeek's own windows, so that a change
		// of the clocks keeps 18:00 at 18:00.
		at := func(off time.Duration) time.Time {
			return time.Date(day.Year(), day.Month(), day.Day(), int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
		}
		start, end := at(w.Start), at(w.End)
		if !start.Before(due) {
			continue
		}
		send := end.Add(-time.Hour)
		if send.Before(start) {
			send = start
		}
		return send
	}
	return due
}
