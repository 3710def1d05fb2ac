package bot_test

import (
	"strings"
	"testing"
	"time"
)

func (h *harness) checkin(user, text string) string {
	h.t.Helper()
	h.command(user, "/checkin", text)
	_, content := h.lastResponse()
	return content
}

// Ensure check-ins are recorded with a private note, shown back only to
// their author.
func TestCheckinNotesArePrivate(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	if got := h.checkin("UALICE", "<@UBOB|bob> moving to Berlin in March"); !strings.Contains(got, "Noted") {
		t.Fatalf("check-in = %q", got)
	}
	if got := h.checkin("UALICE", "<@UBOB>"); !strings.Contains(got, "moving to Berlin in March") {
		t.Errorf("Alice's history with Bob = %q, want her note", got)
	}
	if got := h.checkin("UBOB", "<@UALICE>"); strings.Contains(got, "moving to Berlin") {
		t.Errorf("Bob sees Alice's private note: %q", got)
	}
	if got := h.checkin("UALICE", "<@UROBOT> hello there"); !strings.Contains(got, "bot") {
		t.Errorf("check-in with a bot = %q", got)
	}
}

// Ensure a lapsed cadence brings one reconnect DM in working hours, that
// "I reached out" resets the clock, and that a kudos counts as contact.
func TestReconnectNudge(t *testing.T) {
	h, c := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the thoughtful design review") // contact, Wednesday
	h.checkin("UALICE", "every 7 days <@UBOB>")

	// Eight days later, 16:00 in Berlin: Bob is overdue for Alice.
	later := wednesday.AddDate(0, 0, 8)
	c.Set(later)
	if err := h.bot.SuggestReconnects(h.ctx(), later); err != nil {
		t.Fatal(err)
	}
	dm := h.waitDM("UALICE", "reconnect_done")
	if !strings.Contains(body(dm), "<@UBOB>") || !strings.Contains(body(dm), "8 days ago") {
		t.Errorf("suggestion = %s", body(dm))
	}
	// The same week: no second suggestion.
	if err := h.bot.SuggestReconnects(h.ctx(), later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.bot.DeliverDue(h.ctx(), later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := countContaining(h.slack.Messages(h.slack.DMChannel("UALICE")), "reconnect_done"); n != 1 {
		t.Errorf("suggestions = %d, want 1 a week", n)
	}
	h.click("UALICE", h.slack.DMChannel("UALICE"), "reconnect_done", "UBOB")
	ct, err := h.db.CircleEntry("UALICE", "UBOB")
	if err != nil || !ct.LastInTouch.Equal(later) {
		t.Fatalf("contact after I reached out = %+v, %v; want the clock reset to %v", ct, err, later)
	}
	if lapsed, _ := h.db.Lapsed("UALICE", later.Add(time.Hour), 42, 3); len(lapsed) != 0 {
		t.Errorf("still lapsed after reaching out: %+v", lapsed)
	}
	// Not now: no suggestion of Bob for four weeks.
	h.click("UALICE", h.slack.DMChannel("UALICE"), "reconnect_later", "UBOB")
	if ct, _ := h.db.CircleEntry("UALICE", "UBOB"); !ct.SnoozedUntil.After(later.AddDate(0, 0, 27)) {
		t.Errorf("snoozed until %v, want four weeks", ct.SnoozedUntil)
	}
}

// Ensure reconnect suggestions wait for working hours.
func TestReconnectWaitsForWorkingHours(t *testing.T) {
	h, c := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the thoughtful design review")
	h.checkin("UALICE", "every 7 days <@UBOB>")
	night := time.Date(2026, 12, 10, 23, 0, 0, 0, time.UTC) // midnight in Berlin
	c.Set(night)
	if err := h.bot.SuggestReconnects(h.ctx(), night); err != nil {
		t.Fatal(err)
	}
	if _, err := h.bot.DeliverDue(h.ctx(), night); err != nil {
		t.Fatal(err)
	}
	if n := countContaining(h.slack.Messages(h.slack.DMChannel("UALICE")), "reconnect_done"); n != 0 {
		t.Fatalf("a suggestion arrived at midnight")
	}
	morning := time.Date(2026, 12, 11, 8, 0, 0, 0, time.UTC)
	c.Set(morning)
	if _, err := h.bot.DeliverDue(h.ctx(), morning); err != nil {
		t.Fatal(err)
	}
	h.waitDM("UALICE", "reconnect_done")
}

// Ensure "/checkin stop" ends suggestions for that person, and bad input
// gets usage.
func TestCheckinStopAndUsage(t *testing.T) {
	h, c := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the thoughtful design review")
	if got := h.checkin("UALICE", "stop <@UBOB>"); !strings.Contains(got, "won't suggest") {
		t.Errorf("stop = %q", got)
	}
	later := wednesday.AddDate(0, 2, 0)
	c.Set(later)
	if lapsed, _ := h.db.Lapsed("UALICE", later, 42, 3); len(lapsed) != 0 {
		t.Errorf("stopped contact still lapses: %+v", lapsed)
	}
	for _, bad := range []string{"every soon <@UBOB>", "every 400 days <@UBOB>", "hello there"} {
		if got := h.checkin("UALICE", bad); !strings.Contains(got, "/checkin") {
			t.Errorf("/checkin %s = %q, want usage with examples", bad, got)
		}
	}
}
