package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// tuesday 08:00 UTC = 09:00 in Berlin (Alice), 03:00 in New York (Bob).
var tuesday = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

type followupRig struct {
	*harness
	clock *clock
}

func startFollowupBot(t *testing.T, extra ...harnessOption) *followupRig {
	t.Helper()
	c := newClock(tuesday)
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin", Locale: "de-DE"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "Europe/Berlin", Locale: "en-US"})
	srv.AddUser(slacktest.User{ID: "UROBOT", Name: "robot", IsBot: true})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	h := startBot(t, append([]harnessOption{withState(srv, nil), withOptions(func(o *bot.Options) {
		o.Now = c.Now
		o.Followup = bot.FollowupOptions{Snoozes: []string{"1h", "tomorrow", "monday"}}
	})}, extra...)...)
	return &followupRig{harness: h, clock: c}
}

func (r *followupRig) followup(user, text string) string {
	r.t.Helper()
	r.command(user, "/followup", text)
	_, content := r.lastResponse()
	return content
}

// tickAt moves the clock and runs what the scheduler's tick runs.
func (r *followupRig) tickAt(at time.Time) {
	r.t.Helper()
	r.clock.Set(at)
	if err := r.bot.RemindFollowups(r.ctx(), at); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.bot.DeliverDue(r.ctx(), at); err != nil {
		r.t.Fatal(err)
	}
}

func (r *followupRig) dms(user string) []slacktest.Message {
	return r.slack.Messages(r.slack.DMChannel(user))
}

func countContaining(ms []slacktest.Message, want string) int {
	n := 0
	for _, m := range ms {
		if strings.Contains(body(m), want) {
			n++
		}
	}
	return n
}

// Ensure the whole life of a promise: created with a confirmation and a
// note to the counterpart, reminded on time, snoozed, nudged once a day for
// all overdue items in one DM, done with a receipt.
func TestFollowupLifecycle(t *testing.T) {
	r := startFollowupBot(t)
	got := r.followup("UALICE", "<@UBOB|bob> send the deck by tomorrow")
	if !strings.Contains(got, "send the deck") || !strings.Contains(got, "Wed 2 Dec, 18:00") || !strings.Contains(got, "followup_undo") {
		t.Fatalf("confirmation = %q, want the promise, its due time in Alice's zone and Undo", got)
	}
	r.waitDM("UBOB", "will *send the deck* for you")
	r.followup("UALICE", "me book the venue by tomorrow")
	r.followup("UALICE", "<@UBOB> review the budget by tomorrow")

	// Wednesday 18:00 Berlin: all three fall due; one reminder DM.
	due := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	r.tickAt(due)
	rem := r.waitDM("UALICE", "3 follow-ups are due")
	for _, want := range []string{"send the deck", "book the venue", "review the budget", "followup_done", "followup_snooze", "followup_drop"} {
		if !strings.Contains(body(rem), want) {
			t.Errorf("reminder lacks %q: %s", want, body(rem))
		}
	}
	// Snooze the budget for an hour: 19:00 is after Alice's working day,
	// so the new reminder waits for the morning.
	fs, _ := r.db.FollowupsOwnedBy("UALICE")
	budget := fs[2]
	r.click("UALICE", r.slack.DMChannel("UALICE"), "followup_snooze", fmt.Sprintf("%d:1h", budget.ID))
	r.tickAt(due.Add(time.Hour))
	if n := countContaining(r.dms("UALICE"), "A promise is due"); n != 0 {
		t.Errorf("a snoozed reminder arrived at 19:00: %d", n)
	}

	// Thursday 09:00 Berlin: the snoozed reminder, and one nudge listing
	// every other overdue item, oldest first.
	thursday := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	r.tickAt(thursday)
	r.waitDM("UALICE", "A promise is due")
	nudge := r.waitDM("UALICE", "back on track")
	for _, want := range []string{"send the deck", "book the venue"} {
		if !strings.Contains(body(nudge), want) {
			t.Errorf("nudge lacks %q", want)
		}
	}
	r.tickAt(thursday.Add(3 * time.Hour))
	if n := countContaining(r.dms("UALICE"), "back on track"); n != 1 {
		t.Errorf("nudges on Thursday = %d, want 1", n)
	}

	// Done → Bob gets a receipt; a second Done says it is already done.
	deck := fs[0]
	r.click("UALICE", r.slack.DMChannel("UALICE"), "followup_done", fmt.Sprint(deck.ID))
	r.waitDM("UBOB", "followed up: send the deck")
	r.click("UALICE", r.slack.DMChannel("UALICE"), "followup_done", fmt.Sprint(deck.ID))
	if _, content := r.lastResponse(); !strings.Contains(content, "already done") {
		t.Errorf("second Done = %q", content)
	}
	if f, _ := r.db.Followup(deck.ID); f.Status != store.FollowupDone {
		t.Errorf("status = %s", f.Status)
	}
}

// Ensure a reminder due at 03:00 local arrives at 09:00.
func TestFollowupQuietHours(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "me water the plants by Dec 3 3am")
	night := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) // 03:00 Berlin
	r.tickAt(night)
	if n := countContaining(r.dms("UALICE"), "water the plants"); n != 0 {
		t.Fatalf("reminded at 03:00: %d DMs", n)
	}
	r.tickAt(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)) // 09:00 Berlin
	r.waitDM("UALICE", "water the plants")
	calls := r.slack.CallsTo("chat.postMessage")
	if at := calls[len(calls)-1].At; !at.Equal(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("reminder posted at %v, want 09:00 Berlin", at)
	}
}

// Ensure a click by someone other than the author changes nothing.
func TestFollowupOthersCannotAct(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "<@UBOB> send the deck by friday")
	fs, _ := r.db.FollowupsOwnedBy("UALICE")
	r.click("UBOB", r.slack.DMChannel("UBOB"), "followup_done", fmt.Sprint(fs[0].ID))
	if _, content := r.lastResponse(); !strings.Contains(content, "Only <@UALICE>") {
		t.Errorf("reply = %q", content)
	}
	if f, _ := r.db.Followup(fs[0].ID); f.Status != store.FollowupOpen {
		t.Errorf("status = %s, want still open", f.Status)
	}
}

// Ensure bad input is refused with examples and nothing is stored.
func TestFollowupRefusals(t *testing.T) {
	tests := []struct{ text, want string }{
		{"<@UBOB> by friday", ""},
		{"<@UBOB> send the deck by the twelfth of never", ""},
		{"<@UBOB> send the deck by 2025-01-01", ""},
		{"<@UBOB> send the deck by 2028-01-01", ""},
		{"<@UROBOT> send the deck by friday", "is a bot"},
		{"<@UBOB> " + strings.Repeat("x ", 600) + "by friday", "characters"},
		{"send the deck by friday", "/followup @"},
	}
	for _, tt := range tests {
		t.Run(tt.text[:min(len(tt.text), 30)], func(t *testing.T) {
			r := startFollowupBot(t)
			got := r.followup("UALICE", tt.text)
			if !strings.Contains(got, tt.want) || !strings.Contains(got, "`") {
				t.Errorf("reply = %q, want %q and an example", got, tt.want)
			}
			if fs, _ := r.db.FollowupsOwnedBy("UALICE"); len(fs) != 0 {
				t.Errorf("stored %d follow-ups", len(fs))
			}
		})
	}
}

// Ensure a restart between the due time and delivery sends exactly one
// reminder.
func TestFollowupRestartSendsOneReminder(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "me call the venue by tomorrow")
	due := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	r.clock.Set(due)
	r.slack.InjectFaults("chat.postMessage", slacktest.Fault{Hang: true})
	if err := r.bot.RemindFollowups(r.ctx(), due); err != nil {
		t.Fatal(err)
	}
	// The delivery hangs; the process is stopped mid-send.
	go r.bot.DeliverDue(r.ctx(), due)
	if _, err := r.slack.WaitForCall(r.ctx(), "chat.postMessage", nil); err != nil {
		t.Fatal(err)
	}
	r.stop()
	r2 := startBot(t, withState(r.slack, r.db), withOptions(func(o *bot.Options) { o.Now = r.clock.Now }))
	later := due.Add(2 * time.Minute)
	r.clock.Set(later)
	// The tick runs again: the reminder is already queued, so nothing new.
	if err := r2.bot.RemindFollowups(r2.ctx(), later); err != nil {
		t.Fatal(err)
	}
	if _, err := r2.bot.DeliverDue(r2.ctx(), later); err != nil {
		t.Fatal(err)
	}
	// 18:02 is past Alice's working day: the retried reminder waits for
	// the morning, and arrives then, once.
	morning := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	r.clock.Set(morning)
	if _, err := r2.bot.DeliverDue(r2.ctx(), morning); err != nil {
		t.Fatal(err)
	}
	r2.waitDM("UALICE", "call the venue")
	if _, err := r2.bot.DeliverDue(r2.ctx(), morning.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := countContaining(r2.slack.Messages(r2.slack.DMChannel("UALICE")), "call the venue"); n != 1 {
		t.Errorf("reminders delivered = %d, want exactly 1", n)
	}
}

// Ensure list and done by number work, mine overdue first.
func TestFollowupListAndDone(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "<@UBOB> send the deck by friday")
	r.followup("UALICE", "me book the venue by tomorrow")
	r.followup("UBOB", "<@UALICE> share the notes by thursday")
	got := r.followup("UALICE", "list")
	if i, j := strings.Index(got, "1. book the venue"), strings.Index(got, "2. send the deck"); i < 0 || j < 0 {
		t.Errorf("list = %q, want book the venue first", got)
	}
	if !strings.Contains(got, "share the notes") {
		t.Errorf("list lacks what Bob owes Alice: %q", got)
	}
	r.followup("UALICE", "done 2 sent it over email")
	r.waitDM("UBOB", "followed up: send the deck")
	if got := r.followup("UALICE", "done 7"); !strings.Contains(got, "/followup list") {
		t.Errorf("done 7 = %q", got)
	}
}

// Ensure text that ends in an escaped character keeps its whole entity: a
// follow-up ending in ">" is stored and shown as "&gt;", never "&gt" (which
// Slack shows as the letters "&gt"), and an unknown "@name" in /kudos is
// quoted back whole. Slack sends slash-command text escaped.
func TestTrailingEntitiesAreKept(t *testing.T) {
	r := startFollowupBot(t)
	got := r.followup("UALICE", "<@UBOB|bob> move staging -&gt; prod &gt; by tomorrow")
	fs, err := r.db.FollowupsOwnedBy("UALICE")
	if err != nil || len(fs) != 1 {
		t.Fatalf("follow-ups = %+v, %v; want one", fs, err)
	}
	if want := "move staging -&gt; prod &gt;"; fs[0].Text != want {
		t.Errorf("stored text = %q, want %q", fs[0].Text, want)
	}
	if shown := slacktest.RenderText(got, slacktest.Names{}); !strings.Contains(shown, "move staging -> prod > for") {
		t.Errorf("confirmation as Slack shows it = %q, want the promise ending in \">\"", shown)
	}

	got = r.followup("UALICE", "me compare A &amp; B &amp;, tomorrow")
	if shown := slacktest.RenderText(got, slacktest.Names{}); !strings.Contains(shown, "compare A & B &*") {
		t.Errorf("confirmation as Slack shows it = %q, want the promise ending in \"&\"", shown)
	}

	r.command("UALICE", "/kudos", "@bob&amp;, for the release notes")
	_, content := r.lastResponse()
	if !strings.Contains(content, "@bob&amp;") {
		t.Errorf("reply to an unresolved name = %q, want the name quoted whole (@bob&amp;)", content)
	}
}
