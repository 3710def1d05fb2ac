package bot

import "time"

// Every time Rapport shows a person is written out here, by these
// functions, and nowhere else (TestTimesFormattedInOnePlace keeps it so).
// The convention, on every surface (replies, DMs, posts, modals, the Home):
//
//   - a date and time is "Thu 3 Dec, 17:00"; a day is "Thu 3 Dec"; a time
//     of day is "17:00" (24-hour clock);
//   - the year is written only when the date is more than about six months
//     (yearShownAfter) before or after now: "Fri 3 Dec 2027, 17:00". Closer
//     dates cannot be mistaken for another year, and the year only adds
//     noise to them;
//   - no relative words ("today", "tomorrow"): a message stays in Slack's
//     history and is often read a day later, and one queued for someone's
//     working hours arrives later than it was written, so "tomorrow" would
//     turn false where the weekday and date stay true;
//   - always in the reader's zone: the one every decision about them uses
//     (working hours, "tomorrow", day boundaries), store.Person.Location —
//     their own choice in Settings, else Slack's, else RAPPORT_TZ. A post
//     that several people read (the weekly kudos digest) uses RAPPORT_TZ.
//
// Slack's "<!date^…>" tokens are not used: Slack renders them in the
// reader's Slack profile zone, which contradicts a zone chosen in Settings.

// yearShownAfter is how far from now a date must be for its year to be
// written: about six months, so that a date can never be read as the same
// day of another year.
const yearShownAfter = 183 * 24 * time.Hour

// reader is whom a time is written for: their zone (nil: UTC, as in a view
// built without a reader) and the moment they read it, from the bot's clock,
// which decides whether the year is shown. A zero now shows every year.
type reader struct {
	loc *time.Location
	now time.Time
}

// localWhen is a date and time of day: "Thu 3 Dec, 17:00", or
// "Fri 3 Dec 2027, 17:00" more than about six months from r.now.
func localWhen(t time.Time, r reader) string {
	t = t.In(orUTC(r.loc))
	return t.Format(dayLayout(t, r.now) + ", 15:04")
}

// localDate is a day: "Thu 3 Dec", or "Fri 3 Dec 2027" more than about six
// months from r.now.
func localDate(t time.Time, r reader) string {
	t = t.In(orUTC(r.loc))
	return t.Format(dayLayout(t, r.now))
}

// localClock is a time of day: "17:00".
func localClock(t time.Time, loc *time.Location) string {
	return t.In(orUTC(loc)).Format("15:04")
}

// pickerDate is a day as Slack's date picker takes it ("2026-12-03"): a
// value of the form, not text a person reads.
func pickerDate(t time.Time, loc *time.Location) string {
	return t.In(orUTC(loc)).Format(time.DateOnly)
}

// dayLayout is the layout of t's day, with the year when t is far from now.
func dayLayout(t, now time.Time) string {
	if d := t.Sub(now); d > yearShownAfter || d < -yearShownAfter {
		return "Mon 2 Jan 2006"
	}
	return "Mon 2 Jan"
}

// FormatWhen writes t the way Rapport writes every date and time it shows a
// person in loc at now ("Thu 3 Dec, 17:00"), for a program that prints
// beside Rapport's messages (the sandbox) and should read the same.
func FormatWhen(t time.Time, loc *time.Location, now time.Time) string {
	return localWhen(t, reader{loc: loc, now: now})
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
