package bot_test

import (
	"strings"
	"testing"
	"time"
)

// dmsAt returns the DMs to user posted at instant at.
func (r *followupRig) dmsAt(user string, at time.Time) []string {
	var out []string
	for _, c := range r.slack.CallsTo("chat.postMessage") {
		if c.Params["channel"] == r.slack.DMChannel(user) && c.At.Equal(at) {
			out = append(out, c.Params["text"]+"\n"+readable(c.Params["blocks"]))
		}
	}
	return out
}

// Ensure a note to oneself due on a Saturday, with the bot ticking through
// the weekend, reaches its owner as exactly one DM at Monday 09:00: the
// reminder waits for working hours and is not followed by a nudge for the
// same item in the same minute.
func TestFollowupWeekendDueGivesOneDM(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "me water plants by saturday")
	// Every hour from Saturday noon to Monday 09:00 Berlin.
	monday := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	for at := time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC); !at.After(monday); at = at.Add(time.Hour) {
		r.tickAt(at)
	}
	got := r.dmsAt("UALICE", monday)
	if len(got) != 1 {
		t.Fatalf("DMs to Alice at Monday 09:00 = %d, want 1: %q", len(got), got)
	}
	if n := strings.Count(got[0], "water plants*"); n != 1 {
		t.Errorf("the item appears %d times in the DM, want once: %s", n, got[0])
	}
	if n := len(r.dms("UALICE")); n != 1 {
		t.Errorf("DMs to Alice over the weekend = %d, want 1", n)
	}
}

// Ensure an item falling due and another already overdue, at the same
// tick, reach their owner as one DM that says which is which.
func TestFollowupDueAndOverdueInOneDM(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "me book the venue by tomorrow")    // Wed 18:00
	r.followup("UALICE", "me call the caterer by Dec 3 9am") // Thu 09:00
	r.tickAt(time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC))  // Wed 18:00 Berlin: the venue is due
	r.waitDM("UALICE", "book the venue")
	thursday := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	r.tickAt(thursday)
	got := r.dmsAt("UALICE", thursday)
	if len(got) != 1 {
		t.Fatalf("DMs to Alice at Thursday 09:00 = %d, want 1: %q", len(got), got)
	}
	for _, want := range []string{"A promise is due", "call the caterer", "back on track", "book the venue"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("the DM lacks %q: %s", want, got[0])
		}
	}
}
