package bot_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/scheduler"
	"github.com/rapport-bot/rapport/store"
)

// clock is a settable time source for the bot under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// wednesday 15:00 UTC is inside working hours in Berlin (16:00) and New
// York (10:00).
var wednesday = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

// kudosTeam adds the people and channels the kudos tests use.
func kudosTeam(s *slacktest.Server) {
	s.AddUser(slacktest.User{ID: "UCAROL", Name: "carol", TZ: "Asia/Kolkata"})
	s.AddUser(slacktest.User{ID: "UROBOT", Name: "deploybot", IsBot: true})
	s.AddUser(slacktest.User{ID: "UGONE", Name: "gone", Deleted: true, TZ: "UTC"})
	s.AddChannel("CKUDOS", "kudos", false, "UBOT")
	s.AddChannel("GSECRET", "secret", true, "UALICE", "UBOB")
	s.AddChannel("DALICEBOB", "", true, "UALICE", "UBOB")
	s.AddUserGroup("S0DESIGN", "UBOB", "UCAROL")
}

type kudosSetup struct {
	limit        int
	values       []string
	requireValue bool
	now          time.Time
	emoji        string // RAPPORT_KUDOS_EMOJI; "" off
}

func startKudosBot(t *testing.T, ks kudosSetup) (*harness, *clock) {
	t.Helper()
	if ks.now.IsZero() {
		ks.now = wednesday
	}
	c := newClock(ks.now)
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	kudosTeam(srv)
	h := startBot(t, withState(srv, nil), withOptions(func(o *bot.Options) {
		o.Now = c.Now
		o.Kudos = bot.KudosOptions{Channel: "CKUDOS", DailyLimit: ks.limit, Values: ks.values, RequireValue: ks.requireValue, Emoji: ks.emoji}
	}))
	return h, c
}

// kudos types /kudos as user in channel, and returns the ack once handled.
func (h *harness) kudos(user, channel, text string) {
	h.t.Helper()
	ctx := h.ctx()
	ack, err := h.slack.SlashCommand(ctx, slack.SlashCommand{Command: "/kudos", Text: text, UserID: user, ChannelID: channel})
	if err != nil {
		h.t.Fatalf("/kudos %s: %v", text, err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
}

// lastResponse is the bot's latest response_url reply (text and blocks).
func (h *harness) lastResponse() (responseType, content string) {
	h.t.Helper()
	rs := h.responses()
	if len(rs) == 0 {
		h.t.Fatal("no response_url reply")
	}
	r := rs[len(rs)-1]
	return r.Params["response_type"], r.Params["text"] + "\n" + readable(r.Params["blocks"])
}

// readable undoes Go's HTML-safe JSON escaping, so tests can look for
// "<@U1>" in stored blocks.
func readable(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}

// body is what a person sees of a message: its text and its blocks.
func body(m slacktest.Message) string { return m.Text + "\n" + readable(string(m.Blocks)) }

// public returns the non-ephemeral messages in channel.
func (h *harness) public(channel string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range h.slack.Messages(channel) {
		if !m.Ephemeral {
			out = append(out, m)
		}
	}
	return out
}

// waitPublic waits for a public message in channel containing want (the
// outbox posts a kudos after the giver's confirmation), and returns the
// channel's public messages.
func (h *harness) waitPublic(channel, want string) []slacktest.Message {
	h.t.Helper()
	_, err := h.slack.WaitForMessage(h.ctx(), channel, func(m slacktest.Message) bool {
		return !m.Ephemeral && strings.Contains(body(m), want)
	})
	if err != nil {
		h.t.Fatalf("no post in %s containing %q: %v (messages: %+v)", channel, want, err, h.slack.Messages(channel))
	}
	return h.public(channel)
}

// confirmation is the bot's ephemeral response_url reply to the giver.
func (h *harness) confirmation() string {
	h.t.Helper()
	for _, r := range h.responses() {
		if r.Params["response_type"] == "ephemeral" {
			return r.Params["text"]
		}
	}
	h.t.Fatalf("no ephemeral response_url reply: %+v", h.responses())
	return ""
}

// waitDM waits for a DM to user whose text or blocks contain want.
func (h *harness) waitDM(user, want string) slacktest.Message {
	h.t.Helper()
	m, err := h.slack.WaitForMessage(h.ctx(), h.slack.DMChannel(user), func(m slacktest.Message) bool {
		return strings.Contains(body(m), want)
	})
	if err != nil {
		h.t.Fatalf("no DM to %s containing %q: %v (DMs: %+v)", user, want, err, h.slack.Messages(h.slack.DMChannel(user)))
	}
	return m
}

func contains(msgs []slacktest.Message, want string) bool {
	for _, m := range msgs {
		if strings.Contains(body(m), want) {
			return true
		}
	}
	return false
}

// Ensure a kudos in a channel is confirmed privately with the allowance
// left, then posted publicly, shared in the kudos channel and DMed to the
// recipient, the share and the DM after the post and linking to it, and
// stored with where it was posted.
func TestKudosInChannel(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5})
	h.kudos("UALICE", "CGENERAL", "<@UBOB|bob> for untangling the deploy on Friday #teamwork")

	if content := h.confirmation(); !strings.Contains(content, "4 kudos left today") {
		t.Errorf("confirmation = %q, want one with 4 left", content)
	}
	posts := h.waitPublic("CGENERAL", "untangling the deploy")
	if len(posts) != 1 || !strings.Contains(body(posts[0]), "<@UBOB>") || !strings.Contains(body(posts[0]), "#teamwork") {
		t.Fatalf("public posts = %+v, want one crediting <@UBOB> with the reason and value", posts)
	}
	link := "https://fake.slack/archives/CGENERAL/p" + strings.ReplaceAll(posts[0].TS, ".", "")
	dm := h.waitDM("UBOB", "untangling the deploy")
	if !strings.Contains(body(dm), link) {
		t.Errorf("DM lacks the permalink %s: %s", link, dm.Blocks)
	}
	if !strings.Contains(body(dm), "mute_dm") {
		t.Errorf("DM lacks a way to stop kudos DMs: %s", dm.Blocks)
	}
	share, err := h.slack.WaitForMessage(h.ctx(), "CKUDOS", func(m slacktest.Message) bool { return strings.Contains(body(m), "untangling") })
	if err != nil {
		t.Fatalf("kudos not shared in the kudos channel: %v", err)
	}
	if !strings.Contains(body(share), link) {
		t.Errorf("share lacks the permalink %s: %s", link, share.Blocks)
	}
	// Order: the post, then what links to it.
	order := map[string]int{}
	for i, c := range h.slack.CallsTo("chat.postMessage") {
		if _, seen := order[c.Params["channel"]]; !seen {
			order[c.Params["channel"]] = i
		}
	}
	if order["CGENERAL"] > order["CKUDOS"] || order["CGENERAL"] > order[h.slack.DMChannel("UBOB")] {
		t.Errorf("order of chat.postMessage by channel = %v, want the public post first", order)
	}
	ks, err := h.db.KudosReceived("UBOB", 10)
	if err != nil || len(ks) != 1 {
		t.Fatalf("stored kudos for UBOB = %v, %v; want 1", ks, err)
	}
	if k := ks[0]; k.Giver != "UALICE" || k.Channel != "CGENERAL" || k.MessageTS != posts[0].TS || k.Values[0] != "teamwork" || !k.At.Equal(wednesday) {
		t.Errorf("stored kudos = %+v", k)
	}
}

// Ensure that where the bot may not post (a private channel it is not in, a
// DM between two people), the kudos still appears there, through the
// response_url, in_channel.
func TestKudosWhereTheBotCannotPost(t *testing.T) {
	for _, channel := range []string{"GSECRET", "DALICEBOB"} {
		t.Run(channel, func(t *testing.T) {
			h, _ := startKudosBot(t, kudosSetup{})
			h.kudos("UALICE", channel, "<@UBOB> for the thorough code review")
			_, err := h.slack.WaitForCall(h.ctx(), "response_url", func(c slacktest.Call) bool {
				return c.Params["response_type"] == "in_channel" && strings.Contains(c.Params["blocks"], "thorough code review")
			})
			if err != nil {
				t.Errorf("no in_channel response_url post: %v %+v", err, h.responses())
			}
			if content := h.confirmation(); !strings.Contains(content, "Kudos sent") || strings.Contains(content, "couldn't") {
				t.Errorf("confirmation = %q", content)
			}
			h.waitDM("UBOB", "thorough code review")
			if o, err := h.db.OutgoingByKey("kudos:1:unposted"); err == nil {
				t.Errorf("the giver is told the post failed, but it went through the response_url: %+v", o)
			}
		})
	}
}

// Ensure a private kudos goes by DM only: no post, no share, no leaderboard.
func TestKudosPrivate(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "private <@UBOB> for the kind words in our one-on-one")
	h.waitDM("UBOB", "kind words")
	if got := h.public("CGENERAL"); len(got) != 0 {
		t.Errorf("a private kudos was posted: %+v", got)
	}
	h.kudos("UBOB", "CGENERAL", "top")
	if _, content := h.lastResponse(); strings.Contains(content, "<@UBOB>") {
		t.Errorf("a private kudos is on the leaderboard: %s", content)
	}
	if got := h.public("CKUDOS"); len(got) != 0 {
		t.Errorf("a private kudos was shared: %+v", got)
	}
}

// Ensure a user group expands to its members, duplicates collapsing.
func TestKudosUserGroup(t *testing.T) {
	h, c := startKudosBot(t, kudosSetup{limit: 5})
	h.kudos("UALICE", "CGENERAL", "<!subteam^S0DESIGN|@design> <@UBOB> for the launch page copy")
	posts := h.waitPublic("CGENERAL", "launch page copy")
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	for _, want := range []string{"<@UBOB>", "<@UCAROL>"} {
		if !strings.Contains(body(posts[0]), want) {
			t.Errorf("post lacks %s: %s", want, posts[0].Blocks)
		}
	}
	if strings.Contains(body(posts[0]), "subteam") {
		t.Errorf("post pings the group: %s", posts[0].Blocks)
	}
	if content := h.confirmation(); !strings.Contains(content, "3 kudos left") {
		t.Errorf("confirmation %q: two people thanked should use two of five", content)
	}
	h.waitDM("UBOB", "launch page copy")
	// It is 20:30 in Kolkata: Carol's DM waits for her morning.
	if _, err := h.bot.DeliverDue(h.ctx(), c.Now()); err != nil {
		t.Fatal(err)
	}
	o, err := h.db.OutgoingByKey("kudos:1:dm:UCAROL")
	kolkataMorning := time.Date(2026, 12, 3, 3, 30, 0, 0, time.UTC)
	if err != nil || o.State != store.OutboxPending || !o.NotBefore.Equal(kolkataMorning) {
		t.Fatalf("Carol's DM = %+v, %v; want pending until %v", o, err, kolkataMorning)
	}
	c.Set(kolkataMorning)
	if _, err := h.bot.DeliverDue(h.ctx(), kolkataMorning); err != nil {
		t.Fatal(err)
	}
	h.waitDM("UCAROL", "launch page copy")
}

// Ensure each rule refuses the whole kudos with a friendly private reply,
// and nothing is stored or posted.
func TestKudosRules(t *testing.T) {
	tests := []struct {
		name  string
		setup kudosSetup
		text  string
		want  string
	}{
		{"NoRecipient", kudosSetup{}, "for great work everyone this week", "/kudos @"},
		{"Self", kudosSetup{}, "<@UALICE> for being me all week", "thanking others"},
		{"SelfAmongOthers", kudosSetup{}, "<@UBOB> <@UALICE> for the demo prep", "remove yourself"},
		{"SelfInGroup", kudosSetup{}, "<!subteam^S0DESIGN|@design> for the demo prep", ""},
		{"Bot", kudosSetup{}, "<@UROBOT> for the deploy pipeline", "is a bot"},
		{"Deactivated", kudosSetup{}, "<@UGONE> for years of help", "no longer active"},
		{"Unknown", kudosSetup{}, "<@UNOBODY1> for the help today", "can't find"},
		{"TooShort", kudosSetup{}, "<@UBOB> thanks!", "Be specific"},
		{"EmojiOnly", kudosSetup{}, "<@UBOB> :tada: :tada: :tada:", "Be specific"},
		{"TooLong", kudosSetup{}, "<@UBOB> for " + strings.Repeat("everything ", 100), "characters"},
		{"BroadcastRecipient", kudosSetup{}, "<!here> for the help today", "people"},
		{"ValueNotAllowed", kudosSetup{values: []string{"teamwork", "craft"}}, "<@UBOB> for the fix on prod #speed", "#teamwork, #craft"},
		{"ValueRequired", kudosSetup{values: []string{"teamwork", "craft"}, requireValue: true}, "<@UBOB> for the fix on prod", "Add the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			giver := "UALICE"
			if tt.name == "SelfInGroup" {
				giver = "UBOB" // Bob is in @design
				tt.want = "user group"
			}
			h, _ := startKudosBot(t, tt.setup)
			h.kudos(giver, "CGENERAL", tt.text)
			typ, content := h.lastResponse()
			if typ != "ephemeral" || !strings.Contains(content, tt.want) {
				t.Errorf("reply = %s %q, want an ephemeral one containing %q", typ, content, tt.want)
			}
			if got := h.slack.CallsTo("chat.postMessage"); len(got) != 0 {
				t.Errorf("posted %d messages, want none", len(got))
			}
			for _, u := range []string{"UBOB", "UALICE", "UCAROL"} {
				if ks, _ := h.db.KudosReceived(u, 10); len(ks) != 0 {
					t.Errorf("stored %d kudos for %s, want none", len(ks), u)
				}
			}
		})
	}
}

// Ensure the allowance counts each person thanked and resets at midnight in
// the giver's own zone, not UTC.
func TestKudosAllowanceResetsAtGiversMidnight(t *testing.T) {
	// 22:30 UTC is 23:30 in Berlin, Alice's zone.
	h, c := startKudosBot(t, kudosSetup{limit: 2, now: time.Date(2026, 12, 2, 22, 30, 0, 0, time.UTC)})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> <@UCAROL> for covering the on-call shift")
	if _, content := h.lastResponse(); !strings.Contains(content, "last one for today") {
		t.Errorf("confirmation %q, want it to say that was the last", content)
	}
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the late-night rollback")
	if _, content := h.lastResponse(); !strings.Contains(content, "all 2 kudos for today") {
		t.Fatalf("over the allowance: %q", content)
	}
	if ks, _ := h.db.KudosReceived("UBOB", 10); len(ks) != 1 {
		t.Fatalf("kudos for Bob = %d, want 1 (the refused one not stored)", len(ks))
	}
	// 23:05 UTC is still 2 Dec in UTC but 00:05 on 3 Dec in Berlin.
	c.Set(time.Date(2026, 12, 2, 23, 5, 0, 0, time.UTC))
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the late-night rollback")
	if _, content := h.lastResponse(); !strings.Contains(content, "Kudos sent") {
		t.Errorf("after Alice's midnight: %q, want it sent", content)
	}
}

// Ensure a mass mention inside the reason reaches nobody.
func TestKudosNeutralisesMassMentions(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the fix <!channel> <!here|here> <!subteam^S0DESIGN|@design> really")
	posts := h.waitPublic("CGENERAL", "for the fix")
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	body := posts[0].Text + body(posts[0])
	for _, bad := range []string{"<!channel>", "<!here", "<!subteam"} {
		if strings.Contains(body, bad) {
			t.Errorf("post contains a live %s: %s", bad, body)
		}
	}
	h.waitDM("UBOB", "for the fix")
}

func viewSubmission(user string, values map[string]any, meta string) map[string]any {
	return map[string]any{
		"type": "view_submission",
		"user": map[string]any{"id": user},
		"team": map[string]any{"id": "T0001", "domain": "acme"},
		"view": map[string]any{
			"id": "V0KUDOS", "type": "modal", "callback_id": "kudos_modal",
			"private_metadata": meta,
			"state":            map[string]any{"values": values},
		},
	}
}

func kudosFormValues(recipients []string, reason string) map[string]any {
	return map[string]any{
		"kudos_recipients": map[string]any{"recipients": map[string]any{"type": "multi_users_select", "selected_users": recipients}},
		"kudos_reason":     map[string]any{"reason": map[string]any{"type": "plain_text_input", "value": reason}},
	}
}

// Ensure /kudos alone opens the form; a valid submission gives the kudos
// where the form was opened; an invalid one shows errors on the fields and
// stores nothing.
func TestKudosModal(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5})
	h.kudos("UALICE", "CGENERAL", "")
	open := h.slack.CallsTo("views.open")
	if len(open) != 1 || open[0].Params["trigger_id"] == "" || !strings.Contains(readable(open[0].Params["view"]), `"callback_id":"kudos_modal"`) {
		t.Fatalf("views.open = %+v, want one with the kudos form", open)
	}
	var view struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	json.Unmarshal([]byte(open[0].Params["view"]), &view)

	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, viewSubmission("UALICE", kudosFormValues([]string{"UBOB"}, "thanks"), view.PrivateMetadata))
	if err != nil {
		t.Fatal(err)
	}
	var errs struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if json.Unmarshal(ack.Payload, &errs); errs.Action != "errors" || !strings.Contains(errs.Errors["kudos_reason"], "specific") {
		t.Fatalf("ack of an invalid form = %s, want errors on kudos_reason", ack.Payload)
	}
	ack, err = h.slack.Interaction(ctx, viewSubmission("UALICE", kudosFormValues([]string{"UALICE"}, "for being wonderful today"), view.PrivateMetadata))
	if err != nil {
		t.Fatal(err)
	}
	if json.Unmarshal(ack.Payload, &errs); errs.Errors["kudos_recipients"] == "" {
		t.Errorf("ack for thanking yourself = %s, want an error on kudos_recipients", ack.Payload)
	}
	if ks, _ := h.db.KudosReceived("UBOB", 10); len(ks) != 0 {
		t.Fatalf("invalid forms stored %d kudos", len(ks))
	}

	ack, err = h.slack.Interaction(ctx, viewSubmission("UALICE", kudosFormValues([]string{"UBOB"}, "for the careful review of my PR <&>"), view.PrivateMetadata))
	if err != nil {
		t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	posts := h.waitPublic("CGENERAL", "careful review")
	if len(posts) != 1 || !strings.Contains(body(posts[0]), "careful review of my PR &lt;&amp;&gt;") {
		t.Fatalf("posts after the form = %+v, want the kudos with the text escaped", posts)
	}
	h.waitDM("UBOB", "careful review")
}

// Ensure "Give kudos for this" opens the form for the message's author,
// with a link to the message.
func TestKudosShortcut(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, map[string]any{
		"type": "message_action", "callback_id": "kudos_shortcut", "trigger_id": "T123",
		"user":    map[string]any{"id": "UALICE"},
		"team":    map[string]any{"id": "T0001", "domain": "acme"},
		"channel": map[string]any{"id": "CGENERAL"},
		"message": map[string]any{"type": "message", "user": "UBOB", "ts": "1700000000.000900", "text": "I fixed the flaky test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	open := h.slack.CallsTo("views.open")
	if len(open) != 1 {
		t.Fatalf("views.open calls = %d, want 1", len(open))
	}
	v := readable(open[0].Params["view"])
	if !strings.Contains(v, `"initial_users":["UBOB"]`) || !strings.Contains(v, "https://acme.slack.com/archives/CGENERAL/p1700000000000900") {
		t.Errorf("form = %s, want Bob preselected and the message link", v)
	}
}

// Ensure "this month" is the asker's own month: a kudos given at 23:30 on
// 30 Nov in Berlin is November for Bob in New York, but not in Alice's
// December, which started an hour ago.
func TestKudosLeaderboardInAskersZone(t *testing.T) {
	h, c := startKudosBot(t, kudosSetup{now: time.Date(2026, 11, 30, 22, 30, 0, 0, time.UTC)})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for closing out the quarter cleanly #ownership")
	c.Set(time.Date(2026, 11, 30, 23, 45, 0, 0, time.UTC))

	h.kudos("UBOB", "CGENERAL", "top month")
	if _, content := h.lastResponse(); !strings.Contains(content, "<@UBOB>") || !strings.Contains(content, "ownership") {
		t.Errorf("Bob's November leaderboard = %q, want Bob and #ownership", content)
	}
	h.kudos("UALICE", "CGENERAL", "top")
	if _, content := h.lastResponse(); strings.Contains(content, "<@UBOB>") {
		t.Errorf("Alice's December leaderboard = %q, want it empty", content)
	}
	h.kudos("UALICE", "CGENERAL", "top all")
	if _, content := h.lastResponse(); !strings.Contains(content, "<@UBOB>") || !strings.Contains(content, "<@UALICE>") {
		t.Errorf("all-time leaderboard = %q, want Bob recognised and Alice generous", content)
	}
}

// Ensure /kudos @person shows their recent public kudos, newest first.
func TestKudosShowPerson(t *testing.T) {
	h, c := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the first careful review")
	c.Set(wednesday.Add(time.Hour))
	h.kudos("UCAROL", "CGENERAL", "<@UBOB> for the second brilliant demo")
	h.kudos("UALICE", "CGENERAL", "private <@UBOB> for the third secret thing")
	h.kudos("UCAROL", "CGENERAL", "<@UBOB>")
	_, content := h.lastResponse()
	first, second := strings.Index(content, "first careful"), strings.Index(content, "second brilliant")
	if first < 0 || second < 0 || second > first {
		t.Errorf("history = %q, want both public kudos, newest first", content)
	}
	if strings.Contains(content, "third secret") {
		t.Errorf("history shows a private kudos: %q", content)
	}
}

// Ensure a kudos DM waits for the recipient's working hours.
func TestKudosDMWaitsForWorkingHours(t *testing.T) {
	// 03:00 UTC on Wednesday is 22:00 on Tuesday in New York.
	h, c := startKudosBot(t, kudosSetup{now: time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for staying late to help with the incident")
	if _, err := h.bot.DeliverDue(h.ctx(), c.Now()); err != nil {
		t.Fatal(err)
	}
	if got := h.slack.Messages(h.slack.DMChannel("UBOB")); len(got) != 0 {
		t.Fatalf("DM sent at 22:00 Bob's time: %+v", got)
	}
	morning := time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC) // 09:00 in New York
	c.Set(morning)
	if _, err := h.bot.DeliverDue(h.ctx(), morning); err != nil {
		t.Fatal(err)
	}
	m := h.waitDM("UBOB", "staying late")
	if calls := h.slack.CallsTo("chat.postMessage"); !calls[len(calls)-1].At.Equal(morning) {
		t.Errorf("DM posted at %v, want %v", calls[len(calls)-1].At, morning)
	}
	_ = m
}

// Ensure "Stop kudos DMs" stops them, for the clicker only.
func TestKudosMuteDM(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UBOB"},
		"channel": map[string]any{"id": h.slack.DMChannel("UBOB")},
		"actions": []any{map[string]any{"type": "button", "block_id": "b1", "action_id": "mute_dm", "value": "kudos"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	if p, err := h.db.Person("UBOB"); err != nil || !p.IsMuted("kudos") {
		t.Fatalf("Bob's kudos DMs not muted: %+v %v", p, err)
	}
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the smooth release train")
	if _, err := h.bot.DeliverDue(ctx, wednesday); err != nil {
		t.Fatal(err)
	}
	if o, err := h.db.OutgoingByKey("kudos:1:dm:UBOB"); err != nil || o.State != store.OutboxFailed || !strings.Contains(o.LastError, "muted") {
		t.Errorf("Bob's DM = %+v, %v; want it dropped as muted", o, err)
	}
	if contains(h.slack.Messages(h.slack.DMChannel("UBOB")), "smooth release") {
		t.Error("Bob muted kudos DMs but got one")
	}
	if len(h.waitPublic("CGENERAL", "smooth release")) != 1 {
		t.Error("muting DMs must not stop the public post")
	}
}

// Ensure the weekly digest, run by the scheduler with an injected clock,
// celebrates the week's public kudos once, and posts nothing for an empty
// week.
func TestKudosDigestJob(t *testing.T) {
	h, c := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the migration runbook #craft")
	h.kudos("UCAROL", "CGENERAL", "<@UBOB> <@UALICE> for pairing on the outage #teamwork")
	h.kudos("UALICE", "CGENERAL", "private <@UCAROL> for the honest feedback")

	sched, err := scheduler.New(h.db, scheduler.Options{Location: time.UTC, Now: c.Now, Log: discardLog()})
	if err != nil {
		t.Fatal(err)
	}
	if err := sched.Register(scheduler.Job{Name: bot.JobKudosDigest, Spec: "0 16 * * FRI", CatchUp: true, Run: h.bot.KudosDigest}); err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC)
	c.Set(friday)
	ctx := h.ctx()
	if err := sched.RunDue(ctx, wednesday, friday); err != nil {
		t.Fatal(err)
	}
	digest, err := h.slack.WaitForMessage(ctx, "CKUDOS", func(m slacktest.Message) bool { return strings.Contains(body(m), "this week") })
	if err != nil {
		t.Fatalf("no digest: %v", err)
	}
	for _, want := range []string{"<@UBOB>", "<@UALICE>", "craft", "teamwork"} {
		if !strings.Contains(body(digest), want) {
			t.Errorf("digest lacks %s: %s", want, digest.Blocks)
		}
	}
	if strings.Contains(body(digest), "<@UCAROL>") {
		t.Errorf("digest shows a privately thanked person: %s", digest.Blocks)
	}
	// The same instant again (a catch-up after a crash) posts nothing new.
	if err := h.bot.PostKudosDigest(ctx, friday.Add(-7*24*time.Hour), friday); err != nil {
		t.Fatal(err)
	}
	// A week with no kudos: no post.
	next := friday.Add(7 * 24 * time.Hour)
	c.Set(next)
	if err := sched.RunDue(ctx, friday, next); err != nil {
		t.Fatal(err)
	}
	if _, err := h.bot.DeliverDue(ctx, next); err != nil {
		t.Fatal(err)
	}
	digests := 0
	for _, m := range h.public("CKUDOS") {
		if strings.Contains(body(m), "this week") {
			digests++
		}
	}
	if digests != 1 {
		t.Errorf("digests posted = %d, want exactly 1", digests)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
