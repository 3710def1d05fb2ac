package bot_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

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
	if err := h.db.Check(); err != nil {
		t.Errorf("Check after forget-me: %v", err)
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
	if c, err := moved.Contact("UALICE", "UBOB"); err != nil || c.CadenceDays != 10 {
		t.Errorf("Alice's contact Bob on the new machine = %+v, %v; want a 10-day cadence", c, err)
	}
}
