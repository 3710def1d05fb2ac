package bot

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// The seed corpus is committed in testdata/fuzz/FuzzParseDue: phrases from
// parseDueTests and parseDueRefusals plus inputs aimed at the rules' edges
// (case folding, huge numbers, overlapping pieces). A crash found by
// fuzzing becomes a case in when_test.go.

// FuzzParseDue reads text in one of four zones at a now anywhere in two
// years from Friday 27 March 2026 (so across DST changes, month and year
// ends), with the default week or a Sun–Thu one.
func FuzzParseDue(f *testing.F) {
	zones := []*time.Location{
		mustDueLocation(f, "Europe/Berlin"),
		mustDueLocation(f, "America/New_York"),
		mustDueLocation(f, "Asia/Kolkata"),
		time.UTC,
	}
	weeks := []store.WorkWeek{
		store.DefaultWorkWeek,
		{Start: 8 * time.Hour, End: 16*time.Hour + 30*time.Minute,
			Days: []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday}},
	}
	base := time.Date(2026, 3, 27, 9, 0, 0, 0, time.UTC)
	const span = 2 * 366 * 24 * 60 // minutes

	f.Fuzz(func(t *testing.T, text string, zone uint8, minutes uint32) {
		loc := zones[int(zone)%len(zones)]
		week := weeks[int(zone)/len(zones)%len(weeks)]
		now := base.Add(time.Duration(minutes%span) * time.Minute)

		what, due, err := parseDue(text, now, loc, week, monthFirst)
		if err != nil {
			var ue *userError
			if !errors.As(err, &ue) || ue.msg == "" {
				t.Fatalf("parseDue(%q) at %v in %s = error %v, want a *userError", text, now, loc, err)
			}
			if what != "" || !due.IsZero() {
				t.Fatalf("parseDue(%q) at %v in %s = %q, %v, %v: want nothing else with an error", text, now, loc, what, due, err)
			}
			return
		}
		if !due.After(now) {
			t.Fatalf("parseDue(%q) at %v in %s = %v, want after now", text, now, loc, due)
		}
		if limit := now.In(loc).AddDate(1, 0, 2); due.After(limit) {
			t.Fatalf("parseDue(%q) at %v in %s = %v, want within a year (before %v)", text, now, loc, due, limit)
		}
		if what == "" || strings.TrimSpace(what) != what || !strings.HasPrefix(strings.TrimSpace(text), what) {
			t.Fatalf("parseDue(%q) at %v in %s: what = %q, want a non-empty, trimmed prefix of the text", text, now, loc, what)
		}
		if len(what) == len(strings.TrimSpace(text)) {
			t.Fatalf("parseDue(%q) at %v in %s: what = %q is the whole text, want the date cut off", text, now, loc, what)
		}
		// The same question gives the same answer.
		what2, due2, err2 := parseDue(text, now, loc, week, monthFirst)
		if what2 != what || !due2.Equal(due) || err2 != nil {
			t.Fatalf("parseDue(%q) at %v in %s twice = %q, %v, %v then %q, %v, %v", text, now, loc, what, due, err, what2, due2, err2)
		}
	})
}
