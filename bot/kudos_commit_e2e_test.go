package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// brokenEffects is the real store, except that every kudos's effects carry
// one outbox item the store refuses: GiveKudos's transaction then fails
// after it wrote the kudos, and must roll everything back.
type brokenEffects struct{ *store.DB }

func (s brokenEffects) GiveKudos(k store.Kudos, a store.Allowance, effects func(store.Kudos) store.Effects) (store.Kudos, int, error) {
	return s.DB.GiveKudos(k, a, func(k store.Kudos) store.Effects {
		e := effects(k)
		e.Outbox = append(e.Outbox, store.Outgoing{Key: "", Text: "nowhere"}) // no key: refused
		return e
	})
}

// Ensure that when the store cannot commit a kudos, the giver is told
// clearly that nothing was sent, is never told "Kudos sent", and nothing
// was done: no kudos, no message queued or sent, no pair in touch.
func TestKudosCommitFailsNothingDone(t *testing.T) {
	c := newClock(wednesday)
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	kudosTeam(srv)
	h := startBot(t, withState(srv, nil),
		withStore(func(db *store.DB) bot.Store { return brokenEffects{db} }),
		withOptions(func(o *bot.Options) {
			o.Now = c.Now
			o.Kudos = bot.KudosOptions{Channel: "CKUDOS", DailyLimit: 5}
		}))

	h.kudos("UALICE", "CGENERAL", "<@UBOB> for untangling the deploy on Friday")
	if _, err := h.bot.DeliverDue(h.ctx(), c.Now()); err != nil {
		t.Fatal(err)
	}
	var answers []string
	for _, r := range h.responses() {
		answers = append(answers, r.Params["response_type"]+": "+r.Params["text"])
	}
	if len(answers) != 1 || !strings.HasPrefix(answers[0], "ephemeral: ") || !strings.Contains(answers[0], "couldn't save your kudos") || !strings.Contains(answers[0], "nothing was sent") {
		t.Errorf("answers = %q, want one ephemeral saying the kudos was not saved and nothing was sent", answers)
	}
	for _, a := range answers {
		if strings.Contains(a, "Kudos sent") {
			t.Errorf("the giver was told %q for a kudos that was not stored", a)
		}
	}
	if n := len(srv.CallsTo("chat.postMessage")); n != 0 {
		t.Errorf("%d messages posted for a kudos that was not stored: %+v", n, srv.CallsTo("chat.postMessage"))
	}
	if ks, err := h.db.KudosReceived("UBOB", 10); err != nil || len(ks) != 0 {
		t.Errorf("kudos stored = %+v, %v; want none", ks, err)
	}
	if n, err := h.db.KudosGivenCount("UALICE", wednesday.Add(-24*time.Hour), wednesday.Add(24*time.Hour)); err != nil || n != 0 {
		t.Errorf("allowance used = %d, %v; want 0", n, err)
	}
	if due, err := h.db.DueOutgoing(wednesday.AddDate(1, 0, 0), 0); err != nil || len(due) != 0 {
		t.Errorf("outbox = %+v, %v; want nothing queued", due, err)
	}
	for _, key := range []string{"kudos:1:post", "kudos:1:share", "kudos:1:dm:UBOB", "home:UBOB:kudos:1"} {
		if o, err := h.db.OutgoingByKey(key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("outbox %s = %+v, %v; want none", key, o, err)
		}
	}
	if circle, err := h.db.Circle("UALICE"); err != nil || len(circle) != 0 {
		t.Errorf("Alice's circle = %+v, %v; want nobody put in touch", circle, err)
	}
}

// Ensure that when Slack refuses the public post for good (and there is no
// response_url to fall back on), the giver, who was told "Kudos sent"
// before the post was tried, is told privately in that channel, and the
// recipient still gets the DM.
func TestKudosPostFailsGiverTold(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	// The first chat.postMessage is the public post (the share and the DM
	// wait for it): Slack refuses it outright.
	h.slack.InjectFaults("chat.postMessage", slacktest.Fault{Status: 400})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the patient onboarding sessions")
	if content := h.confirmation(); !strings.Contains(content, "Kudos sent") {
		t.Errorf("confirmation = %q", content)
	}
	note, err := h.slack.WaitForMessage(h.ctx(), "CGENERAL", func(m slacktest.Message) bool {
		return m.Ephemeral && m.User == "UALICE" && strings.Contains(m.Text, "couldn't post it")
	})
	if err != nil {
		t.Fatalf("the giver was not told the post failed: %v (messages %+v)", err, h.slack.Messages("CGENERAL"))
	}
	if !strings.Contains(note.Text, "<@UBOB>") || !strings.Contains(note.Text, "<#CGENERAL>") {
		t.Errorf("note = %q, want it to name the recipient and the channel", note.Text)
	}
	dm := h.waitDM("UBOB", "patient onboarding")
	if b := readable(string(dm.Blocks)); strings.Contains(b, "Posted in") || strings.Contains(b, "See the post") || !strings.Contains(b, "Given in <#CGENERAL>") {
		t.Errorf("the DM of a kudos whose post failed = %s; want it to say where it was given, not that it was posted", b)
	}
	if got := h.public("CGENERAL"); len(got) != 0 {
		t.Errorf("public posts = %+v, want none (Slack refused it)", got)
	}
	if contains(h.slack.Messages(h.slack.DMChannel("UALICE")), "couldn't post it") {
		t.Error("the note went by DM too, although the ephemeral one was shown")
	}
}

// Ensure a kudos from the form into a private channel the bot is not in
// (a form has no response_url) tells the giver by DM, since Slack refuses
// the bot even an ephemeral message there; the recipient still gets the DM.
func TestKudosPostFailsGiverToldByDM(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, viewSubmission("UALICE", kudosFormValues([]string{"UBOB"}, "for the careful threat model review"), `{"channel":"GSECRET"}`))
	if err != nil {
		t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	h.waitDM("UBOB", "careful threat model")
	h.waitDM("UALICE", "couldn't post it in <#GSECRET>")
	if n := len(h.slack.Messages("GSECRET")); n != 0 {
		t.Errorf("%d messages in GSECRET, where the bot may not post", n)
	}
	if o, err := h.db.OutgoingByKey("kudos:1:post"); err != nil || o.State != store.OutboxFailed {
		t.Errorf("post item = %+v, %v; want failed", o, err)
	}
}

// Ensure a delivered post's ts is on the kudos even when a crash cut the
// delivery between Slack's answer and the store: the restarted bot reads
// the post back and records it on the kudos as well as on the item.
func TestKudosPostFoundAfterRestartIsRecorded(t *testing.T) {
	h, c := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the crisp release notes")
	h.waitPublic("CGENERAL", "crisp release notes")
	h.waitDM("UBOB", "crisp release notes")
	srv, db := h.slack, h.db
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	post, err := db.OutgoingByKey("kudos:1:post")
	if err != nil {
		t.Fatal(err)
	}
	if k, err := db.KudosByID(1); err != nil || k.MessageTS == "" || k.MessageTS != post.SentTS {
		t.Fatalf("kudos 1 = %+v, %v; want the post's ts %q recorded", k, err, post.SentTS)
	}
	// A second kudos whose post was claimed and reached Slack, then the
	// process died before it recorded anything.
	if _, _, err := db.GiveKudos(store.Kudos{Giver: "UALICE", Receivers: []string{"UBOB"}, Text: "for the second thing", Channel: "CGENERAL", At: c.Now()}, store.Allowance{}, func(k store.Kudos) store.Effects {
		return store.Effects{Outbox: []store.Outgoing{{Key: "kudos:2:post", Channel: "CGENERAL", Text: "kudos two", Render: "kudos-post", KudosPost: k.ID, NotBefore: c.Now()}}}
	}); err != nil {
		t.Fatal(err)
	}
	two, _ := db.OutgoingByKey("kudos:2:post")
	if _, err := db.ClaimOutgoing(two.ID, c.Now()); err != nil {
		t.Fatal(err)
	}
	api := slack.New("xoxb-test-bot-token", slack.OptionAPIURL(srv.APIURL()))
	ts2, err := postWithKey(context.Background(), api, "kudos:2:post")
	if err != nil {
		t.Fatal(err)
	}
	h2 := startBot(t, withState(srv, db), withOptions(func(o *bot.Options) { o.Now = c.Now }))
	if _, err := h2.bot.DeliverDue(h2.ctx(), c.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		k2, err := db.KudosByID(2)
		if err == nil && k2.MessageTS == ts2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("kudos 2 = %+v, %v; want its post's ts %s recorded after the restart", k2, err, ts2)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := h2.public("CGENERAL"); len(got) != 2 {
		t.Errorf("public posts = %d, want 2 (the one found after the restart not sent again)", len(got))
	}
}

// postWithKey posts as the bot would, with the outbox key in the message
// metadata, so that a restarted bot finds it.
func postWithKey(ctx context.Context, api *slack.Client, key string) (string, error) {
	_, ts, err := api.PostMessageContext(ctx, "CGENERAL", slack.MsgOptionText("kudos two", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "rapport_outbox", EventPayload: map[string]any{"key": key}}))
	return ts, err
}
