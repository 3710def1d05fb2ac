package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store/storetest"
)

func (h *harness) rapport(user, text string) {
	h.t.Helper()
	h.command(user, "/rapport", text)
}

// Ensure /rapport my-data DMs a summary with counts and the records as a
// file in the export format.
func TestMyData(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the calm incident review")
	h.kudos("UBOB", "CGENERAL", "<@UALICE> for pairing on the migration")
	h.rapport("UALICE", "my-data")
	dm := h.waitDM("UALICE", "What Rapport stores about you")
	for _, want := range []string{"kudos you gave: 1", "kudos you received: 1"} {
		if !strings.Contains(body(dm), want) {
			t.Errorf("summary lacks %q: %s", want, body(dm))
		}
	}
	files := h.slack.Files()
	if len(files) != 1 || !bytes.Contains(files[0].Content, []byte(`"rapport-export"`)) || !bytes.Contains(files[0].Content, []byte("calm incident review")) {
		t.Fatalf("files = %+v, want one export of Alice's records", files)
	}
	if _, content := h.lastResponse(); !strings.Contains(content, "sent you a DM") {
		t.Errorf("reply = %q", content)
	}
}

// Ensure /rapport forget-me asks first, then deletes everything about the
// person: the export no longer names them, and Bob keeps his kudos.
func TestForgetMe(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the calm incident review")
	h.kudos("UBOB", "CGENERAL", "<@UALICE> for pairing on the migration")
	h.rapport("UALICE", "forget-me")
	open := h.slack.CallsTo("views.open")
	if len(open) != 1 || !strings.Contains(open[0].Params["view"], "forget_me_modal") {
		t.Fatalf("views.open = %+v, want the confirmation", open)
	}
	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UALICE"},
		"view": map[string]any{"id": "V1", "type": "modal", "callback_id": "forget_me_modal", "state": map[string]any{"values": map[string]any{}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	h.waitDM("UALICE", "everything Rapport stored about you is deleted")

	var export bytes.Buffer
	if err := h.db.Export(&export, wednesday); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(export.Bytes(), []byte("UALICE")) {
		t.Errorf("the export still names UALICE:\n%s", export.String())
	}
	ks, _ := h.db.KudosReceived("UBOB", 10)
	if len(ks) != 1 || ks[0].Giver != "" || !strings.Contains(ks[0].Text, "calm incident review") {
		t.Errorf("Bob's kudos = %+v, want it kept with the giver removed", ks)
	}
	// The edits forget-me queued are being sent: let them settle, since
	// bbolt's Check must not run beside a writer.
	if _, err := h.bot.DeliverDue(ctx, wednesday); err != nil {
		t.Fatal(err)
	}
	if err := h.db.Check(); err != nil {
		t.Errorf("Check after forget-me: %v", err)
	}
	if storetest.Engine() != "bolt" {
		return // no file to scan: on etcd the ID leaves the history when it compacts
	}
	// A full scan of the file itself: not one byte of the ID is left.
	raw, err := os.ReadFile(h.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("UALICE")) {
		t.Error("the database file still contains UALICE")
	}
}

// Ensure export → import moves a team to a new machine with its settings:
// after Alice saves her hours, days, zone and DMs, and sets a check-in
// cadence, a bot on a fresh database filled by import shows her the same
// settings and keeps her cadence.
func TestExportImportKeepsSettings(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.submitSettings(settingsSubmission("UALICE", "07:30", "15:30", []string{"1", "2", "3"}, "Asia/Tokyo", []string{"kudos", "reminders"}, "mornings for deep work"))
	h.command("UALICE", "/checkin", "every 10 days <@UBOB>")
	var doc bytes.Buffer
	if err := h.db.Export(&doc, wednesday); err != nil {
		t.Fatal(err)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	moved := storetest.MustOpen(t)
	if _, err := moved.Import(&doc); err != nil {
		t.Fatal(err)
	}
	h2 := startBot(t, withState(h.slack, moved), withOptions(func(o *bot.Options) { o.Now = func() time.Time { return wednesday } }))
	h2.click("UALICE", "", "home_settings", "settings")
	open := h2.slack.CallsTo("views.open")
	if len(open) == 0 {
		t.Fatal("no settings form")
	}
	form := slacktest.RenderView(json.RawMessage(open[len(open)-1].Params["view"]), slacktest.Names{})
	for _, want := range []string{"07:30", "15:30", "Asia/Tokyo", "mornings for deep work"} {
		if !strings.Contains(form, want) {
			t.Errorf("settings form on the new machine lacks %q:\n%s", want, form)
		}
	}
	if p, _ := moved.Person("UALICE"); len(p.WorkDays) != 3 || !p.IsMuted("nudges") || p.IsMuted("kudos") {
		t.Errorf("Alice on the new machine = %+v, want three days, nudges off, kudos on", p)
	}
	if c, err := moved.CircleEntry("UALICE", "UBOB"); err != nil || c.CadenceDays != 10 {
		t.Errorf("Alice's contact Bob on the new machine = %+v, %v; want a 10-day cadence", c, err)
	}
}

// failingUpdates is Slack answering every chat.update with a 503 while
// down is set, as during an outage.
type failingUpdates struct {
	*slack.Client
	down atomic.Bool
}

func (f *failingUpdates) UpdateMessageContext(ctx context.Context, channel, ts string, opts ...slack.MsgOption) (string, string, string, error) {
	if f.down.Load() {
		return "", "", "", slack.StatusCodeError{Code: 503, Status: "Service Unavailable"}
	}
	return f.Client.UpdateMessageContext(ctx, channel, ts, opts...)
}

// forgetMe confirms /rapport forget-me for user and waits for it.
func (h *harness) forgetMe(user string) {
	h.t.Helper()
	h.rapport(user, "forget-me")
	h.submitSettings(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user},
		"view": map[string]any{"id": "V1", "type": "modal", "callback_id": "forget_me_modal", "state": map[string]any{"values": map[string]any{}}},
	})
}

// Ensure forget-me leaves no holes: Alice's kudos to Bob and Carol stay for
// them, shown as from "a former teammate" in /kudos top and /kudos @bob,
// and the messages Rapport posted that named her (the public post, the
// copy in the kudos channel, the DM to Bob) are edited to
// name her no more, through the outbox: an edit Slack could not take
// before a restart is made after it.
func TestForgetMeEditsPostsAndLeavesNoHoles(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.kudos("UALICE", "CGENERAL", "<@UBOB> <@UCAROL> for the great demo")
	h.waitDM("UBOB", "great demo")
	if _, err := h.slack.WaitForMessage(h.ctx(), "CKUDOS", func(m slacktest.Message) bool { return strings.Contains(body(m), "great demo") }); err != nil {
		t.Fatal(err)
	}
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}

	// Forget-me while Slack refuses edits: they wait in the outbox.
	api := &failingUpdates{}
	api.down.Store(true)
	h1 := startBot(t, withState(h.slack, h.db), withAPI(func(c *slack.Client) bot.SlackAPI { api.Client = c; return api }),
		withOptions(func(o *bot.Options) {
			o.Now = func() time.Time { return wednesday }
			o.Kudos = bot.KudosOptions{Channel: "CKUDOS"}
		}))
	h1.forgetMe("UALICE")
	h1.waitDM("UALICE", "everything Rapport stored about you is deleted")
	if err := h1.stop(); err != nil {
		t.Fatal(err)
	}
	if post := h.public("CGENERAL"); len(post) != 1 || !strings.Contains(body(post[0]), "<@UALICE>") {
		t.Fatalf("the public post changed while Slack refused edits: %+v", post)
	}

	// A restart, Slack is back: the edits go out.
	later := wednesday.Add(2 * time.Hour)
	h2 := startBot(t, withState(h.slack, h.db), withOptions(func(o *bot.Options) {
		o.Now = func() time.Time { return later }
		o.Kudos = bot.KudosOptions{Channel: "CKUDOS"}
	}))
	if _, err := h2.bot.DeliverDue(h2.ctx(), later); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"CGENERAL", "CKUDOS", h.slack.DMChannel("UBOB")} {
		msgs := h2.public(ch)
		if !contains(msgs, "great demo") {
			t.Errorf("%s lost the kudos: %+v", ch, msgs)
		}
		for _, m := range msgs {
			if strings.Contains(body(m), "UALICE") {
				t.Errorf("a message in %s still names Alice: %s", ch, body(m))
			}
		}
	}
	if post := h2.public("CGENERAL"); len(post) != 1 || !strings.Contains(body(post[0]), "a former teammate gave kudos to <@UBOB> and <@UCAROL>") {
		t.Errorf("public post = %+v, want it from a former teammate", post)
	}

	h2.kudos("UBOB", "CGENERAL", "top")
	if _, got := h2.lastResponse(); !strings.Contains(got, "a former teammate · thanked 2 people") {
		t.Errorf("/kudos top = %q, want the giver shown as a former teammate", got)
	}
	h2.kudos("UCAROL", "CGENERAL", "<@UBOB>")
	if _, got := h2.lastResponse(); !strings.Contains(got, "*From a former teammate*, with <@UCAROL>") {
		t.Errorf("/kudos @bob = %q, want the kudos from a former teammate", got)
	}
}
