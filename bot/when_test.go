package bot

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"github.com/rapport-bot/rapport/store"
)

// dueZones are the three authors of parseDueTests, each on a Friday at
// 10:00 in their own zone. Berlin's clocks go forward on Sunday 29 March
// (CET +01:00 → CEST +02:00) and New York's go back on Sunday 1 November
// (EDT -04:00 → EST -05:00), so every date after the weekend carries the
// other offset. Kolkata has no DST; its Friday is the 27th of November.
var dueZones = []struct {
	name string
	now  string
}{
	{"Europe/Berlin", "2026-03-27T10:00:00+01:00"},
	{"America/New_York", "2026-10-30T10:00:00-04:00"},
	{"Asia/Kolkata", "2026-11-27T10:00:00+05:30"},
}

// parseDueTests are read with store.DefaultWorkWeek (Mon–Fri 09:00–18:00).
// want holds the expected instants, written out, in the order of dueZones.
// The inputs are also the seed corpus of FuzzParseDue.
var parseDueTests = []struct {
	in   string
	what string
	want [3]string
}{
	// Weekdays: the coming one, today included.
	{"send the deck by friday", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by Friday.", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by fri", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	// Abbreviations people type.
	{"send the deck by tmrw", "send the deck", [3]string{"2026-03-28T18:00:00+01:00", "2026-10-31T18:00:00-04:00", "2026-11-28T18:00:00+05:30"}},
	{"send the deck by tmr", "send the deck", [3]string{"2026-03-28T18:00:00+01:00", "2026-10-31T18:00:00-04:00", "2026-11-28T18:00:00+05:30"}},
	{"send the deck tonite", "send the deck", [3]string{"2026-03-27T20:00:00+01:00", "2026-10-30T20:00:00-04:00", "2026-11-27T20:00:00+05:30"}},
	{"send the deck by next wk", "send the deck", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck by mon", "send the deck", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck by thur", "send the deck", [3]string{"2026-04-02T18:00:00+02:00", "2026-11-05T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	// "next month" is its first working day.
	{"send the deck by next month", "send the deck", [3]string{"2026-04-01T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-12-01T18:00:00+05:30"}},
	// An hour without a.m. or p.m.: 1 to 7 are afternoon hours.
	{"send the deck by tomorrow at 3", "send the deck", [3]string{"2026-03-28T15:00:00+01:00", "2026-10-31T15:00:00-04:00", "2026-11-28T15:00:00+05:30"}},
	{"send the deck tmrw at 3:30", "send the deck", [3]string{"2026-03-28T15:30:00+01:00", "2026-10-31T15:30:00-04:00", "2026-11-28T15:30:00+05:30"}},
	{"send the deck by monday at 9", "send the deck", [3]string{"2026-03-30T09:00:00+02:00", "2026-11-02T09:00:00-05:00", "2026-11-30T09:00:00+05:30"}},
	{"send the deck by tomorrow at 3 pm", "send the deck", [3]string{"2026-03-28T15:00:00+01:00", "2026-10-31T15:00:00-04:00", "2026-11-28T15:00:00+05:30"}},
	{"send the deck by tomorrow at 03:00", "send the deck", [3]string{"2026-03-28T03:00:00+01:00", "2026-10-31T03:00:00-04:00", "2026-11-28T03:00:00+05:30"}},
	// Numeric dates that only one order can read, whatever the locale.
	{"send the deck by 31/12", "send the deck", [3]string{"2026-12-31T18:00:00+01:00", "2026-12-31T18:00:00-05:00", "2026-12-31T18:00:00+05:30"}},
	{"send the deck by 12/31", "send the deck", [3]string{"2026-12-31T18:00:00+01:00", "2026-12-31T18:00:00-05:00", "2026-12-31T18:00:00+05:30"}},
	{"send the deck on friday", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by this friday", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by FRIDAY!", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"SEND THE DECK BY FRIDAY", "SEND THE DECK", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck, by friday", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by next friday", "send the deck", [3]string{"2026-04-03T18:00:00+02:00", "2026-11-06T18:00:00-05:00", "2026-12-04T18:00:00+05:30"}},
	{"send the deck by friday next week", "send the deck", [3]string{"2026-04-03T18:00:00+02:00", "2026-11-06T18:00:00-05:00", "2026-12-04T18:00:00+05:30"}},
	{"send the deck by sat", "send the deck", [3]string{"2026-03-28T18:00:00+01:00", "2026-10-31T18:00:00-04:00", "2026-11-28T18:00:00+05:30"}},
	{"send the deck by sunday", "send the deck", [3]string{"2026-03-29T18:00:00+02:00", "2026-11-01T18:00:00-05:00", "2026-11-29T18:00:00+05:30"}},
	{"send the deck by monday", "send the deck", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck by mon", "send the deck", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck by next monday", "send the deck", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck by monday 9am", "send the deck", [3]string{"2026-03-30T09:00:00+02:00", "2026-11-02T09:00:00-05:00", "2026-11-30T09:00:00+05:30"}},
	{"send the report written by Alice by tuesday", "send the report written by Alice", [3]string{"2026-03-31T18:00:00+02:00", "2026-11-03T18:00:00-05:00", "2026-12-01T18:00:00+05:30"}},
	{"send the deck by wednesday", "send the deck", [3]string{"2026-04-01T18:00:00+02:00", "2026-11-04T18:00:00-05:00", "2026-12-02T18:00:00+05:30"}},
	{"send the deck by thu", "send the deck", [3]string{"2026-04-02T18:00:00+02:00", "2026-11-05T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by thurs", "send the deck", [3]string{"2026-04-02T18:00:00+02:00", "2026-11-05T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by next tues", "send the deck", [3]string{"2026-03-31T18:00:00+02:00", "2026-11-03T18:00:00-05:00", "2026-12-01T18:00:00+05:30"}},
	{"send the deck by friday at 3pm", "send the deck", [3]string{"2026-03-27T15:00:00+01:00", "2026-10-30T15:00:00-04:00", "2026-11-27T15:00:00+05:30"}},
	{"review the Friday release notes by Monday", "review the Friday release notes", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},

	// Next week: its Monday, at the end of the working day.
	{"send the deck by next week", "send the deck", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck next week", "send the deck", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},

	// Today, tonight, tomorrow.
	{"send the deck by today", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by tonight", "send the deck", [3]string{"2026-03-27T20:00:00+01:00", "2026-10-30T20:00:00-04:00", "2026-11-27T20:00:00+05:30"}},
	{"send the deck tonight", "send the deck", [3]string{"2026-03-27T20:00:00+01:00", "2026-10-30T20:00:00-04:00", "2026-11-27T20:00:00+05:30"}},
	{"send the deck by tomorrow", "send the deck", [3]string{"2026-03-28T18:00:00+01:00", "2026-10-31T18:00:00-04:00", "2026-11-28T18:00:00+05:30"}},
	{"send the deck by tmr", "send the deck", [3]string{"2026-03-28T18:00:00+01:00", "2026-10-31T18:00:00-04:00", "2026-11-28T18:00:00+05:30"}},
	{"send notes prepared by Alice tomorrow", "send notes prepared by Alice", [3]string{"2026-03-28T18:00:00+01:00", "2026-10-31T18:00:00-04:00", "2026-11-28T18:00:00+05:30"}},
	{"send the deck by tomorrow 9am", "send the deck", [3]string{"2026-03-28T09:00:00+01:00", "2026-10-31T09:00:00-04:00", "2026-11-28T09:00:00+05:30"}},
	{"pay rent tomorrow 9am", "pay rent", [3]string{"2026-03-28T09:00:00+01:00", "2026-10-31T09:00:00-04:00", "2026-11-28T09:00:00+05:30"}},
	{"send the deck by tomorrow morning", "send the deck", [3]string{"2026-03-28T09:00:00+01:00", "2026-10-31T09:00:00-04:00", "2026-11-28T09:00:00+05:30"}},
	{"send the deck tomorrow at 9:30am", "send the deck", [3]string{"2026-03-28T09:30:00+01:00", "2026-10-31T09:30:00-04:00", "2026-11-28T09:30:00+05:30"}},
	{"send the deck by tomorrow noon", "send the deck", [3]string{"2026-03-28T12:00:00+01:00", "2026-10-31T12:00:00-04:00", "2026-11-28T12:00:00+05:30"}},

	// Times today.
	{"send the deck by 5pm", "send the deck", [3]string{"2026-03-27T17:00:00+01:00", "2026-10-30T17:00:00-04:00", "2026-11-27T17:00:00+05:30"}},
	{"send the deck by 5 p.m.", "send the deck", [3]string{"2026-03-27T17:00:00+01:00", "2026-10-30T17:00:00-04:00", "2026-11-27T17:00:00+05:30"}},
	{"call mom at 5pm", "call mom", [3]string{"2026-03-27T17:00:00+01:00", "2026-10-30T17:00:00-04:00", "2026-11-27T17:00:00+05:30"}},
	{"send the deck at 17:30", "send the deck", [3]string{"2026-03-27T17:30:00+01:00", "2026-10-30T17:30:00-04:00", "2026-11-27T17:30:00+05:30"}},
	{"send the deck by 23:59", "send the deck", [3]string{"2026-03-27T23:59:00+01:00", "2026-10-30T23:59:00-04:00", "2026-11-27T23:59:00+05:30"}},
	{"send the deck by 11:45 PM", "send the deck", [3]string{"2026-03-27T23:45:00+01:00", "2026-10-30T23:45:00-04:00", "2026-11-27T23:45:00+05:30"}},
	{"send the deck by noon", "send the deck", [3]string{"2026-03-27T12:00:00+01:00", "2026-10-30T12:00:00-04:00", "2026-11-27T12:00:00+05:30"}},
	{"send the deck by this afternoon", "send the deck", [3]string{"2026-03-27T15:00:00+01:00", "2026-10-30T15:00:00-04:00", "2026-11-27T15:00:00+05:30"}},
	{"send the deck by eod", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by end of day", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},

	// End of week, end of month.
	{"send the deck by end of week", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by end of the week", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by eow", "send the deck", [3]string{"2026-03-27T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2026-11-27T18:00:00+05:30"}},
	{"send the deck by end of next week", "send the deck", [3]string{"2026-04-03T18:00:00+02:00", "2026-11-06T18:00:00-05:00", "2026-12-04T18:00:00+05:30"}},
	// 31 March 2026 is a Tuesday; 31 October a Saturday, so Friday the 30th
	// (today in New York); 30 November a Monday.
	{"send the deck by end of month", "send the deck", [3]string{"2026-03-31T18:00:00+02:00", "2026-10-30T18:00:00-04:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck by end of the month", "send the deck", [3]string{"2026-03-31T18:00:00+02:00", "2026-10-30T18:00:00-04:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck by EOM", "send the deck", [3]string{"2026-03-31T18:00:00+02:00", "2026-10-30T18:00:00-04:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck by end of next month", "send the deck", [3]string{"2026-04-30T18:00:00+02:00", "2026-11-30T18:00:00-05:00", "2026-12-31T18:00:00+05:30"}},
	// A month alone is its last working day; March 2027 ends on a Wednesday.
	{"send the deck by march", "send the deck", [3]string{"2026-03-31T18:00:00+02:00", "2027-03-31T18:00:00-04:00", "2027-03-31T18:00:00+05:30"}},

	// Relative: calendar days end the working day; hours and minutes are exact.
	{"send the deck in 3 days", "send the deck", [3]string{"2026-03-30T18:00:00+02:00", "2026-11-02T18:00:00-05:00", "2026-11-30T18:00:00+05:30"}},
	{"send the deck within 2 days", "send the deck", [3]string{"2026-03-29T18:00:00+02:00", "2026-11-01T18:00:00-05:00", "2026-11-29T18:00:00+05:30"}},
	{"send the deck in a week", "send the deck", [3]string{"2026-04-03T18:00:00+02:00", "2026-11-06T18:00:00-05:00", "2026-12-04T18:00:00+05:30"}},
	{"send the deck in 2 weeks", "send the deck", [3]string{"2026-04-10T18:00:00+02:00", "2026-11-13T18:00:00-05:00", "2026-12-11T18:00:00+05:30"}},
	{"send the deck in 2 months", "send the deck", [3]string{"2026-05-27T18:00:00+02:00", "2026-12-30T18:00:00-05:00", "2027-01-27T18:00:00+05:30"}},
	{"send the deck in 2 hours", "send the deck", [3]string{"2026-03-27T12:00:00+01:00", "2026-10-30T12:00:00-04:00", "2026-11-27T12:00:00+05:30"}},
	{"send the deck in 2h", "send the deck", [3]string{"2026-03-27T12:00:00+01:00", "2026-10-30T12:00:00-04:00", "2026-11-27T12:00:00+05:30"}},
	{"send the deck in an hour", "send the deck", [3]string{"2026-03-27T11:00:00+01:00", "2026-10-30T11:00:00-04:00", "2026-11-27T11:00:00+05:30"}},
	{"send the deck in 30 minutes", "send the deck", [3]string{"2026-03-27T10:30:00+01:00", "2026-10-30T10:30:00-04:00", "2026-11-27T10:30:00+05:30"}},
	{"send the deck in half an hour", "send the deck", [3]string{"2026-03-27T10:30:00+01:00", "2026-10-30T10:30:00-04:00", "2026-11-27T10:30:00+05:30"}},

	// Dates. Without a year: this year, or next year once passed.
	{"send the deck by 2026-12-03", "send the deck", [3]string{"2026-12-03T18:00:00+01:00", "2026-12-03T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by Dec 3", "send the deck", [3]string{"2026-12-03T18:00:00+01:00", "2026-12-03T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by December 3", "send the deck", [3]string{"2026-12-03T18:00:00+01:00", "2026-12-03T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by 3 Dec", "send the deck", [3]string{"2026-12-03T18:00:00+01:00", "2026-12-03T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by the 3rd of december", "send the deck", [3]string{"2026-12-03T18:00:00+01:00", "2026-12-03T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by 12/3", "send the deck", [3]string{"2026-12-03T18:00:00+01:00", "2026-12-03T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by 12/3/2026", "send the deck", [3]string{"2026-12-03T18:00:00+01:00", "2026-12-03T18:00:00-05:00", "2026-12-03T18:00:00+05:30"}},
	{"send the deck by Dec 3 5pm", "send the deck", [3]string{"2026-12-03T17:00:00+01:00", "2026-12-03T17:00:00-05:00", "2026-12-03T17:00:00+05:30"}},
	{"file expenses Dec 3 5pm", "file expenses", [3]string{"2026-12-03T17:00:00+01:00", "2026-12-03T17:00:00-05:00", "2026-12-03T17:00:00+05:30"}},
	{"send the deck by Dec 3 at 17:00", "send the deck", [3]string{"2026-12-03T17:00:00+01:00", "2026-12-03T17:00:00-05:00", "2026-12-03T17:00:00+05:30"}},
	{"send the deck by 3 Dec 17:00", "send the deck", [3]string{"2026-12-03T17:00:00+01:00", "2026-12-03T17:00:00-05:00", "2026-12-03T17:00:00+05:30"}},
	{"send the deck by December 3rd at 5:30pm", "send the deck", [3]string{"2026-12-03T17:30:00+01:00", "2026-12-03T17:30:00-05:00", "2026-12-03T17:30:00+05:30"}},
	{"send the deck by 12/3 9am", "send the deck", [3]string{"2026-12-03T09:00:00+01:00", "2026-12-03T09:00:00-05:00", "2026-12-03T09:00:00+05:30"}},
	{"send the deck by Jan 5", "send the deck", [3]string{"2027-01-05T18:00:00+01:00", "2027-01-05T18:00:00-05:00", "2027-01-05T18:00:00+05:30"}},
	{"send the deck by 1/5", "send the deck", [3]string{"2027-01-05T18:00:00+01:00", "2027-01-05T18:00:00-05:00", "2027-01-05T18:00:00+05:30"}},
	{"send the deck by January 4, 2027", "send the deck", [3]string{"2027-01-04T18:00:00+01:00", "2027-01-04T18:00:00-05:00", "2027-01-04T18:00:00+05:30"}},
	// Today in New York stays today; passed in Kolkata, so next year there.
	{"send the deck by Oct 30", "send the deck", [3]string{"2026-10-30T18:00:00+01:00", "2026-10-30T18:00:00-04:00", "2027-10-30T18:00:00+05:30"}},
}

func mustDueLocation(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("time.LoadLocation(%q): %v", name, err)
	}
	return loc
}

func mustDueTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("time.Parse(%q): %v", s, err)
	}
	return t
}

func TestParseDue(t *testing.T) {
	t.Parallel()
	if len(parseDueTests) < 60 {
		t.Fatalf("parseDueTests has %d phrases, want at least 60", len(parseDueTests))
	}
	for i, z := range dueZones {
		loc := mustDueLocation(t, z.name)
		now := mustDueTime(t, z.now)
		for _, tt := range parseDueTests {
			want := mustDueTime(t, tt.want[i])
			what, due, err := parseDue(tt.in, now, loc, store.DefaultWorkWeek, monthFirst)
			if err != nil {
				t.Errorf("parseDue(%q) at %v in %s = error %q, want %q, %s", tt.in, now, z.name, err, tt.what, tt.want[i])
				continue
			}
			if what != tt.what || !due.Equal(want) {
				t.Errorf("parseDue(%q) at %v in %s = %q, %s, want %q, %s",
					tt.in, now, z.name, what, due.In(loc).Format(time.RFC3339), tt.what, tt.want[i])
			}
			if due.Location() != loc {
				t.Errorf("parseDue(%q) at %v in %s: due is in %v, want %s", tt.in, now, z.name, due.Location(), z.name)
			}
		}
	}
}

// Ensure due dates around a DST change keep wall-clock times for days and
// exact durations for hours, the night before the clocks change.
func TestParseDueDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zone, now, in, want string
	}{
		// Berlin, Saturday 23:30 CET; at 02:00 CET the clocks jump to 03:00 CEST.
		{"Europe/Berlin", "2026-03-28T23:30:00+01:00", "x by tomorrow", "2026-03-29T18:00:00+02:00"},
		{"Europe/Berlin", "2026-03-28T23:30:00+01:00", "x by tomorrow 9am", "2026-03-29T09:00:00+02:00"},
		{"Europe/Berlin", "2026-03-28T23:30:00+01:00", "x in 3 hours", "2026-03-29T03:30:00+02:00"},
		{"Europe/Berlin", "2026-03-28T23:30:00+01:00", "x by monday", "2026-03-30T16:00:00Z"},
		{"Europe/Berlin", "2026-03-28T23:30:00+01:00", "x by next week", "2026-03-30T16:00:00Z"},
		{"Europe/Berlin", "2026-03-28T23:30:00+01:00", "x by end of week", "2026-04-03T18:00:00+02:00"},
		// New York, Saturday 23:30 EDT; at 02:00 EDT the clocks go back to 01:00 EST.
		{"America/New_York", "2026-10-31T23:30:00-04:00", "x by tomorrow 9am", "2026-11-01T09:00:00-05:00"},
		{"America/New_York", "2026-10-31T23:30:00-04:00", "x in 2 hours", "2026-11-01T01:30:00-04:00"},
		{"America/New_York", "2026-10-31T23:30:00-04:00", "x in 3 hours", "2026-11-01T01:30:00-05:00"},
		{"America/New_York", "2026-10-31T23:30:00-04:00", "x by monday", "2026-11-02T23:00:00Z"},
		{"America/New_York", "2026-10-31T23:30:00-04:00", "x by end of month", "2026-11-30T18:00:00-05:00"},
	}
	for _, tt := range tests {
		loc := mustDueLocation(t, tt.zone)
		now := mustDueTime(t, tt.now)
		want := mustDueTime(t, tt.want)
		_, due, err := parseDue(tt.in, now, loc, store.DefaultWorkWeek, monthFirst)
		if err != nil || !due.Equal(want) {
			t.Errorf("parseDue(%q) at %v in %s = %s, %v, want %s", tt.in, now, tt.zone, due.Format(time.RFC3339), err, tt.want)
		}
	}
}

// Ensure the working week decides "end of day", "next week" and "end of
// week": a Sun–Thu week ending at 16:30 in Kolkata, and a Mon–Fri week
// ending at 17:30 in Berlin, each on a Friday morning.
func TestParseDueWorkWeek(t *testing.T) {
	t.Parallel()
	sunThu := store.WorkWeek{Start: 8 * time.Hour, End: 16*time.Hour + 30*time.Minute,
		Days: []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday}}
	monFri := store.WorkWeek{Start: 9 * time.Hour, End: 17*time.Hour + 30*time.Minute, Days: store.DefaultWorkWeek.Days}
	tests := []struct {
		zone, now string
		week      store.WorkWeek
		in, want  string
	}{
		{"Asia/Kolkata", "2026-11-27T10:00:00+05:30", sunThu, "x by friday", "2026-11-27T16:30:00+05:30"},
		{"Asia/Kolkata", "2026-11-27T10:00:00+05:30", sunThu, "x by tomorrow", "2026-11-28T16:30:00+05:30"},
		{"Asia/Kolkata", "2026-11-27T10:00:00+05:30", sunThu, "x by next week", "2026-11-29T16:30:00+05:30"},
		{"Asia/Kolkata", "2026-11-27T10:00:00+05:30", sunThu, "x by end of week", "2026-12-03T16:30:00+05:30"},
		{"Asia/Kolkata", "2026-11-27T10:00:00+05:30", sunThu, "x by next friday", "2026-12-04T16:30:00+05:30"},
		{"Asia/Kolkata", "2026-11-27T10:00:00+05:30", sunThu, "x by end of month", "2026-11-30T16:30:00+05:30"},
		{"Asia/Kolkata", "2026-11-27T10:00:00+05:30", sunThu, "x by eod", "2026-11-27T16:30:00+05:30"},
		{"Asia/Kolkata", "2026-11-27T10:00:00+05:30", sunThu, "x by 5pm", "2026-11-27T17:00:00+05:30"},
		{"Europe/Berlin", "2026-03-27T10:00:00+01:00", monFri, "x by friday", "2026-03-27T17:30:00+01:00"},
		{"Europe/Berlin", "2026-03-27T10:00:00+01:00", monFri, "x by next week", "2026-03-30T17:30:00+02:00"},
		// An unset week is the default one.
		{"Europe/Berlin", "2026-03-27T10:00:00+01:00", store.WorkWeek{}, "x by friday", "2026-03-27T18:00:00+01:00"},
		// A weekend: "end of week" and "friday" are the coming Friday.
		{"Europe/Berlin", "2026-03-28T12:00:00+01:00", store.WorkWeek{}, "x by end of week", "2026-04-03T18:00:00+02:00"},
		{"Europe/Berlin", "2026-03-29T12:00:00+02:00", store.WorkWeek{}, "x by friday", "2026-04-03T18:00:00+02:00"},
		{"Europe/Berlin", "2026-03-29T12:00:00+02:00", store.WorkWeek{}, "x by next week", "2026-03-30T18:00:00+02:00"},
		// On a Wednesday, "next friday" is next week's, not the day after tomorrow.
		{"Europe/Berlin", "2026-03-25T12:00:00+01:00", store.WorkWeek{}, "x by next friday", "2026-04-03T18:00:00+02:00"},
		{"Europe/Berlin", "2026-03-25T12:00:00+01:00", store.WorkWeek{}, "x by friday", "2026-03-27T18:00:00+01:00"},
		// Up to the same date next year is fine.
		{"Europe/Berlin", "2026-03-27T10:00:00+01:00", store.WorkWeek{}, "x by 2027-03-27", "2027-03-27T18:00:00+01:00"},
		// Jan 31 + "Feb 3" is February 3 (when's own resolution gives March 3).
		{"Europe/Berlin", "2026-01-31T10:00:00+01:00", store.WorkWeek{}, "x by feb 3", "2026-02-03T18:00:00+01:00"},
		{"Europe/Berlin", "2026-01-31T10:00:00+01:00", store.WorkWeek{}, "x in 1 month", "2026-02-28T18:00:00+01:00"},
		{"Europe/Berlin", "2026-12-11T10:00:00+01:00", store.WorkWeek{}, "x by 12/3", "2027-12-03T18:00:00+01:00"},
		{"Europe/Berlin", "2026-12-11T10:00:00+01:00", store.WorkWeek{}, "x by tomorrow 12am", "2026-12-12T00:00:00+01:00"},
	}
	for _, tt := range tests {
		loc := mustDueLocation(t, tt.zone)
		now := mustDueTime(t, tt.now)
		want := mustDueTime(t, tt.want)
		_, due, err := parseDue(tt.in, now, loc, tt.week, monthFirst)
		if err != nil || !due.Equal(want) {
			t.Errorf("parseDue(%q) at %v in %s with %v = %s, %v, want %s", tt.in, now, tt.zone, tt.week, due.Format(time.RFC3339), err, tt.want)
		}
	}
}

// parseDueRefusals are read in Berlin with the default week. Each message
// must contain err and an example in backquotes.
var parseDueRefusals = []struct {
	in, now, err string
}{
	// No <what>.
	{"by friday", "2026-03-27T10:00:00+01:00", "What should I follow up on?"},
	{"friday", "2026-03-27T10:00:00+01:00", "What should I follow up on?"},
	{"  tomorrow at 9am ", "2026-03-27T10:00:00+01:00", "What should I follow up on?"},
	{", by friday", "2026-03-27T10:00:00+01:00", "What should I follow up on?"},
	// No date at all.
	{"", "2026-03-27T10:00:00+01:00", "I couldn't find a date"},
	{"send the deck", "2026-03-27T10:00:00+01:00", "I couldn't find a date"},
	{"send the deck by", "2026-03-27T10:00:00+01:00", "I couldn't find a date"},
	// A date that cannot be read.
	{"send the deck by the way", "2026-03-27T10:00:00+01:00", "I couldn't read “the way”"},
	{"send the deck by friday please", "2026-03-27T10:00:00+01:00", "I couldn't read “friday please”"},
	{"send the deck by 13pm", "2026-03-27T10:00:00+01:00", "I couldn't read “13pm”"},
	{"send the deck by 25:00", "2026-03-27T10:00:00+01:00", "I couldn't read “25:00”"},
	{"send the deck by friday monday", "2026-03-27T10:00:00+01:00", "I couldn't read “friday monday”"},
	{"send the deck by 5pm 6pm", "2026-03-27T10:00:00+01:00", "I couldn't read “5pm 6pm”"},
	{"send the deck by tomorrow in 2 hours", "2026-03-27T10:00:00+01:00", "I couldn't read"},
	{"send the deck by 12-03", "2026-03-27T10:00:00+01:00", "I couldn't read “12-03”"},
	{"send the deck by friday" + strings.Repeat(" or so", 20), "2026-03-27T10:00:00+01:00", "I couldn't read “friday or so or so"},
	{"send the deck by Feb 30", "2026-03-27T10:00:00+01:00", "There is no such date as “Feb 30”"},
	{"send the deck by 2027-02-29", "2026-03-27T10:00:00+01:00", "There is no such date as “2027-02-29”"},
	{"send the deck by 13/45", "2026-03-27T10:00:00+01:00", "There is no such date as “13/45”"},
	// Past.
	{"send the deck by 5pm", "2026-03-27T18:00:00+01:00", "That time has already passed today (17:00; it's 18:00 now)"},
	{"send the deck by today", "2026-03-27T19:00:00+01:00", "That time has already passed today"},
	{"send the deck by eod", "2026-03-27T18:00:00+01:00", "That time has already passed today"},
	{"send the deck by 9am", "2026-03-27T10:00:00+01:00", "That time has already passed today"},
	{"send the deck by 12am", "2026-03-27T10:00:00+01:00", "That time has already passed today (00:00; it's 10:00 now)"},
	{"send the deck by now", "2026-03-27T10:00:00+01:00", "That time has already passed today"},
	{"send the deck in 0 minutes", "2026-03-27T10:00:00+01:00", "That time has already passed today"},
	{"send the deck by friday at 3pm", "2026-03-27T16:00:00+01:00", "That time has already passed today"},
	{"send the deck by friday this week", "2026-03-28T10:00:00+01:00", "That's in the past (Fri 27 Mar, 18:00)"},
	{"send the deck by 2025-12-03", "2026-03-27T10:00:00+01:00", "That's in the past (Wed 3 Dec, 18:00)"},
	{"send the deck by yesterday", "2026-03-27T10:00:00+01:00", "That's in the past"},
	{"send the deck by last friday", "2026-03-27T10:00:00+01:00", "That's in the past"},
	{"send the deck by 2 days ago", "2026-03-27T10:00:00+01:00", "That's in the past"},
	// More than a year ahead.
	{"send the deck by 2027-03-28", "2026-03-27T10:00:00+01:00", "That's more than a year away (Sun 28 Mar 2027, 18:00)"},
	{"send the deck by Dec 3 2027", "2026-03-27T10:00:00+01:00", "That's more than a year away"},
	{"send the deck in 2 years", "2026-03-27T10:00:00+01:00", "That's more than a year away"},
	{"send the deck in 13 months", "2026-03-27T10:00:00+01:00", "That's more than a year away"},
	{"send the deck in 9999999 hours", "2026-03-27T10:00:00+01:00", "That's more than a year away"},
	{"send the deck in 99999999999999999999 days", "2026-03-27T10:00:00+01:00", "That's more than a year away"},
}

func TestParseDueRefusals(t *testing.T) {
	t.Parallel()
	loc := mustDueLocation(t, "Europe/Berlin")
	for _, tt := range parseDueRefusals {
		now := mustDueTime(t, tt.now)
		what, due, err := parseDue(tt.in, now, loc, store.DefaultWorkWeek, monthFirst)
		var ue *userError
		if !errors.As(err, &ue) {
			t.Errorf("parseDue(%q) at %v in %s = %q, %v, %v, want a *userError containing %q",
				tt.in, now, loc, what, due, err, tt.err)
			continue
		}
		if !strings.Contains(ue.msg, tt.err) {
			t.Errorf("parseDue(%q) at %v in %s = error %q, want it to contain %q", tt.in, now, loc, ue.msg, tt.err)
		}
		if !strings.Contains(ue.msg, "for example") || strings.Count(ue.msg, "`") < 4 {
			t.Errorf("parseDue(%q) at %v in %s = error %q, want at least two examples in backquotes", tt.in, now, loc, ue.msg)
		}
		if what != "" || !due.IsZero() {
			t.Errorf("parseDue(%q) at %v in %s = %q, %v with an error, want \"\", zero time", tt.in, now, loc, what, due)
		}
	}
}

// Ensure an all-numeric date is read in the person's own order when both
// orders are possible, and in the only possible one when not.
func TestParseDueDateOrder(t *testing.T) {
	t.Parallel()
	loc := mustDueLocation(t, "Europe/Berlin")
	now := mustDueTime(t, "2026-03-27T10:00:00+01:00")
	tests := []struct {
		in    string
		order dateOrder
		want  string // the due date, or "" for a refusal
	}{
		{"x by 3/12", dayFirst, "2026-12-03"},
		{"x by 3/12", monthFirst, "2027-03-12"},
		{"x by 31/12", dayFirst, "2026-12-31"},
		{"x by 31/12", monthFirst, "2026-12-31"},
		{"x by 12/31", dayFirst, "2026-12-31"},
		{"x by 12/31", monthFirst, "2026-12-31"},
		{"x by 1/3/2027", dayFirst, "2027-03-01"},
		{"x by 1/3/2027", monthFirst, "2027-01-03"},
		{"x by 13/13", dayFirst, ""},
		{"x by 31/2", dayFirst, ""},
	}
	for _, tt := range tests {
		_, due, err := parseDue(tt.in, now, loc, store.DefaultWorkWeek, tt.order)
		got := ""
		if err == nil {
			got = due.In(loc).Format("2006-01-02")
		}
		if got != tt.want {
			t.Errorf("parseDue(%q) with order %d = %q (err %v), want %q", tt.in, tt.order, got, err, tt.want)
		}
	}
}

func TestLocaleDateOrder(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]dateOrder{
		"en-US": monthFirst, "": monthFirst, "ja-JP": monthFirst, "en-PH": monthFirst,
		"en-GB": dayFirst, "de-DE": dayFirst, "pt-BR": dayFirst, "en-IN": dayFirst, "fr-FR": dayFirst, "es-ES": dayFirst,
	} {
		if got := localeDateOrder(in); got != want {
			t.Errorf("localeDateOrder(%q) = %d, want %d", in, got, want)
		}
	}
}

// Ensure the week starts where the working week does.
func TestDueWeekStart(t *testing.T) {
	t.Parallel()
	d := func(days ...time.Weekday) []time.Weekday { return days }
	tests := []struct {
		days []time.Weekday
		want time.Weekday
	}{
		{store.DefaultWorkWeek.Days, time.Monday},
		{d(time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday), time.Sunday},
		{d(time.Saturday, time.Sunday, time.Monday, time.Tuesday, time.Wednesday), time.Saturday},
		{d(time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday), time.Tuesday},
		{d(time.Monday, time.Wednesday, time.Friday), time.Monday},
		{d(time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday), time.Monday},
		{nil, time.Monday},
	}
	for _, tt := range tests {
		if got := dueWeekStart(tt.days); got != tt.want {
			t.Errorf("dueWeekStart(%v) = %v, want %v", tt.days, got, tt.want)
		}
	}
}

func Example_parseDue() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	// A Friday morning; Berlin's clocks go forward on Sunday.
	now := time.Date(2026, 3, 27, 10, 0, 0, 0, berlin)
	for _, text := range []string{
		"send the deck by friday",
		"review the Friday release notes by Monday",
		"book the venue by Dec 3 5pm",
		"call back in 2 hours",
		"by friday",
	} {
		what, due, err := parseDue(text, now, berlin, store.DefaultWorkWeek, monthFirst)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s: %s\n", what, due.Format("Mon 2 Jan 15:04 MST"))
	}
	// Output:
	// send the deck: Fri 27 Mar 18:00 CET
	// review the Friday release notes: Mon 30 Mar 18:00 CEST
	// book the venue: Thu 3 Dec 17:00 CET
	// call back: Fri 27 Mar 12:00 CET
	// What should I follow up on? Put it before the date, for example `/followup me send the deck by friday` or `/followup @alex review the PR by tomorrow 9am`.
}
