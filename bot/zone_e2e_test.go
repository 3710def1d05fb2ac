package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
)

// Ensure a time zone chosen in Settings is the zone of every time Alice
// is shown and of every decision about her, whatever her Slack profile
// says (Berlin, here; she chose Los Angeles): the follow-up confirmation,
// /followup list, the Home (follow-ups and the next coffee round), /coffee
// status, the reminder DM and when it goes out, the kudos leaderboard's
// month and what "tomorrow" means. Each text is read as Slack shows it to
// her, in her Slack zone.
func TestZoneOverrideOnEverySurface(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// Monday 30 Nov 22:30 UTC: still November in both zones.
	kudosAt := time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC)
	// Tuesday 1 Dec 02:00 UTC: 03:00 on Tuesday in Berlin, 18:00 on Monday in
	// Los Angeles.
	now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

	c := newClock(kudosAt)
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "Europe/Berlin"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	h := startBot(t, withState(srv, nil), withOptions(func(o *bot.Options) {
		o.Now = c.Now
		o.Followup = bot.FollowupOptions{Snoozes: []string{"1h", "tomorrow"}}
		// The next round: 7 December 10:00 UTC, 02:00 in LA, 11:00 in Berlin.
		o.Coffee.Schedule = mustSchedule(t, "0 10 7 12 *")
	}))
	r := &followupRig{harness: h, clock: c}
	// As Alice's Slack client shows a text: "<!date^…>" tokens in her Slack
	// zone, Berlin.
	seen := func(s string) string {
		return slacktest.RenderText(readable(s), slacktest.Names{Zone: berlin, Now: c.Now})
	}
	dmSeen := func() string {
		var out []string
		for _, m := range r.dms("UALICE") {
			out = append(out, seen(m.Text)+"\n"+slacktest.RenderBlocks(m.Blocks, slacktest.Names{Zone: berlin, Now: c.Now}))
		}
		return strings.Join(out, "\n")
	}

	r.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	r.submitSettings(settingsSubmission("UALICE", "09:00", "18:00", []string{"1", "2", "3", "4", "5"}, "America/Los_Angeles", []string{"reminders", "nudges"}, ""))
	r.kudos("UBOB", "CGENERAL", "<@UALICE> for the late-night fix")
	c.Set(now)

	// The leaderboard's "this month" is November where Alice is.
	r.command("UALICE", "/kudos", "top month")
	if _, got := r.lastResponse(); !strings.Contains(seen(got), "Sun 1 Nov") || !strings.Contains(got, "<@UALICE>") {
		t.Errorf("/kudos top month = %q, want November (her month) with her kudos", seen(got))
	}

	// "tomorrow" is Tuesday in Los Angeles (Wednesday in Berlin), and 8pm is
	// 8pm there.
	due := "Tue 1 Dec, 20:00"
	if got := seen(r.followup("UALICE", "me send the deck by tomorrow at 8pm")); !strings.Contains(got, due) {
		t.Errorf("confirmation = %q, want due %s", got, due)
	}
	if got := seen(r.followup("UALICE", "list")); !strings.Contains(got, due) {
		t.Errorf("/followup list = %q, want due %s", got, due)
	}
	r.command("UALICE", "/coffee", "join")
	if _, got := r.lastResponse(); !strings.Contains(seen(got), "The next round is Mon 7 Dec, 02:00") {
		t.Errorf("/coffee join = %q, want the next round at 02:00 her time", seen(got))
	}
	r.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	home := slacktest.RenderView(srv.HomeView("UALICE"), slacktest.Names{Zone: berlin, Now: c.Now})
	for _, want := range []string{due, "Next round: Mon 7 Dec, 02:00"} {
		if !strings.Contains(home, want) {
			t.Errorf("Home lacks %q:\n%s", want, home)
		}
	}
	r.command("UALICE", "/coffee", "status")
	if _, got := r.lastResponse(); !strings.Contains(seen(got), "Mon 7 Dec, 02:00") {
		t.Errorf("/coffee status = %q, want the next round at 02:00 her time", seen(got))
	}

	// The reminder waits for her working hours in Los Angeles: not at 20:00
	// (after her day), nor at 09:30 in Berlin (00:30 for her), but at 09:00
	// on Wednesday in Los Angeles.
	dueAt := time.Date(2026, 12, 1, 20, 0, 0, 0, la)
	r.tickAt(dueAt)
	berlinMorning := time.Date(2026, 12, 2, 9, 30, 0, 0, berlin)
	r.tickAt(berlinMorning)
	if got := dmSeen(); strings.Contains(got, "send the deck") {
		t.Fatalf("reminder sent outside her working hours in Los Angeles (by %v):\n%s", berlinMorning.In(la), got)
	}
	r.tickAt(time.Date(2026, 12, 2, 9, 0, 0, 0, la))
	if got := dmSeen(); !strings.Contains(got, "send the deck") || !strings.Contains(got, due) {
		t.Errorf("reminder DM = %q, want the follow-up due %s", got, due)
	}
}
