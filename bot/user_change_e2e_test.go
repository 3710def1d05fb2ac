package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// userChange changes u's profile on the fake Slack, which sends the bot
// user_change, and returns once the bot has handled it.
func (h *harness) userChange(u slacktest.User) {
	h.t.Helper()
	ctx := h.ctx()
	ack, err := h.slack.ChangeUser(ctx, u)
	if err != nil {
		h.t.Fatalf("user_change %s: %v", u.ID, err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
}

// Ensure a profile change in Slack is seen at once, not when the cached
// profile expires a day later: after Alice moves to Los Angeles, "tomorrow
// at 8pm" is 8pm there; after Bob's account is deactivated, a promise to
// him is refused as to any deactivated account (and he gets no note). A
// user_change for someone Rapport never dealt with stores nothing.
func TestUserChangeSeenAtOnce(t *testing.T) {
	r := startFollowupBot(t) // Tuesday 08:00 UTC; Alice and Bob in Berlin
	la, _ := time.LoadLocation("America/Los_Angeles")
	// Both profiles are cached, fresh for a day.
	if got := r.followup("UALICE", "<@UBOB|bob> send the deck by friday"); !strings.Contains(got, "send the deck") {
		t.Fatalf("first follow-up = %q", got)
	}
	r.waitDM("UBOB", "will *send the deck* for you")

	r.clock.Set(tuesday.Add(time.Hour))
	r.userChange(slacktest.User{ID: "UALICE", Name: "alice", TZ: "America/Los_Angeles", Locale: "de-DE"})
	// 09:00 UTC is 01:00 on Tuesday in Los Angeles: tomorrow is Wednesday
	// there, and 8pm is 8pm there (11:00 in LA had Berlin's zone stayed).
	got := r.followup("UALICE", "me book the room by tomorrow at 8pm")
	if !strings.Contains(got, "Wed 2 Dec, 20:00 your time") {
		t.Errorf("confirmation after moving to Los Angeles = %q, want due Wed 2 Dec, 20:00 her time", got)
	}
	owned, err := r.db.FollowupsOwnedBy("UALICE")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 2, 20, 0, 0, 0, la)
	for _, f := range owned {
		if f.Text == "book the room" && !f.Due.Equal(want) {
			t.Errorf("due = %v, want %v: 8pm in her new zone", f.Due.In(la), want)
		}
	}
	if p, err := r.db.Person("UALICE"); err != nil || p.TZ != "America/Los_Angeles" || p.Locale != "de-DE" {
		t.Errorf("stored profile = %+v, %v; want the new zone and the locale users.info gave", p, err)
	}

	notes := len(r.dms("UBOB"))
	r.userChange(slacktest.User{ID: "UBOB", Name: "bob", TZ: "Europe/Berlin", Deleted: true})
	if got := r.followup("UALICE", "<@UBOB|bob> review the plan by friday"); !strings.Contains(got, "no longer active") {
		t.Errorf("promise to a deactivated account = %q, want it refused as no longer active", got)
	}
	if got := r.followup("UALICE", "list"); strings.Contains(got, "review the plan") {
		t.Errorf("/followup list = %q: the refused promise was saved", got)
	}
	if got := len(r.dms("UBOB")); got != notes {
		t.Errorf("Bob got %d DMs after his deactivation, want none", got-notes)
	}

	r.slack.AddUser(slacktest.User{ID: "UCAROL", Name: "carol"})
	r.userChange(slacktest.User{ID: "UCAROL", Name: "carol", TZ: "Asia/Tokyo"})
	if _, err := r.db.Person("UCAROL"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Person(UCAROL) after her user_change = %v, want ErrNotFound: Rapport never dealt with her", err)
	}
}
