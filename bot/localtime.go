package bot

import "time"

// Every time Rapport shows a person is written out by Rapport in that
// person's zone: the one every decision about them uses (working hours,
// "tomorrow", day boundaries), store.Person.Location — their own choice in
// Settings, else Slack's, else RAPPORT_TZ. Slack's "<!date^…>" tokens are
// not used: Slack renders them in the reader's Slack profile zone, which
// contradicts a zone chosen in Settings. These functions are the only ones
// that turn a time into text, and each needs the reader's zone; a post
// that several people read (the weekly kudos digest) uses RAPPORT_TZ.

// localWhen is a date and time of day: "Thu 3 Dec, 17:00". A nil loc is
// UTC (a view built without a reader, as in render tests).
func localWhen(t time.Time, loc *time.Location) string {
	return t.In(orUTC(loc)).Format("Mon 2 Jan, 15:04")
}

// localClock is a time of day: "17:00".
func localClock(t time.Time, loc *time.Location) string {
	return t.In(orUTC(loc)).Format("15:04")
}

// localDate is a day: "3 Dec 2026".
func localDate(t time.Time, loc *time.Location) string {
	return t.In(orUTC(loc)).Format("2 Jan 2006")
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
