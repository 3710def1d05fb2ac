package store

import "time"

// WorkWeek is when a person is at work, in their own zone: from Start to End
// (offsets from local midnight, wall-clock, both included: a follow-up due
// "by the end of the day" is reminded at 18:00 sharp) on each of Days. Rapport starts
// conversations (reminders, nudges, DMs it was not asked for) only inside
// it, so nobody is pinged at 3 a.m. It lives here, with the other domain
// rules, because both the bot and the scheduler need it and they never
// import each other.
type WorkWeek struct {
	Start, End time.Duration
	Days       []time.Weekday
}

// DefaultWorkWeek is Mon–Fri 09:00–18:00, the default of RAPPORT_WORK_DAYS
// and RAPPORT_WORK_HOURS.
var DefaultWorkWeek = WorkWeek{
	Start: 9 * time.Hour,
	End:   18 * time.Hour,
	Days:  []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
}

// IsZero reports whether w is unset (a person without an override).
func (w WorkWeek) IsZero() bool { return w.Start == 0 && w.End == 0 && len(w.Days) == 0 }

func (w WorkWeek) worksOn(d time.Weekday) bool {
	for _, day := range w.Days {
		if day == d {
			return true
		}
	}
	return false
}

// window returns the working window of the local day containing t, built
// from wall-clock times so that a DST change keeps 09:00 at 09:00.
func (w WorkWeek) window(y int, m time.Month, d int, loc *time.Location) (start, end time.Time) {
	at := func(off time.Duration) time.Time {
		return time.Date(y, m, d, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
	}
	return at(w.Start), at(w.End)
}

// Contains reports whether t falls inside working hours in loc.
func (w WorkWeek) Contains(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	if !w.worksOn(lt.Weekday()) {
		return false
	}
	start, end := w.window(lt.Year(), lt.Month(), lt.Day(), loc)
	return !t.Before(start) && !t.After(end)
}

// Next returns t itself when t is inside working hours in loc, otherwise
// the start of the next working window. With no working days at all it
// returns t: better a message in odd hours than none.
func (w WorkWeek) Next(t time.Time, loc *time.Location) time.Time {
	if len(w.Days) == 0 || w.End <= w.Start {
		return t
	}
	lt := t.In(loc)
	for i := 0; i <= 7; i++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()+i, 12, 0, 0, 0, loc)
		if !w.worksOn(day.Weekday()) {
			continue
		}
		start, end := w.window(day.Year(), day.Month(), day.Day(), loc)
		switch {
		case t.Before(start):
			return start
		case !t.After(end):
			return t
		}
	}
	return t
}
