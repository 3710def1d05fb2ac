package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// openedForm is what the last views.open showed: the follow-up form's
// starting date and person, and its private metadata.
type openedForm struct {
	date, person, meta string
}

func lastFollowupForm(t *testing.T, h *harness) openedForm {
	t.Helper()
	open := h.slack.CallsTo("views.open")
	if len(open) == 0 {
		t.Fatal("no views.open call")
	}
	var view struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		Blocks          []struct {
			BlockID string `json:"block_id"`
			Element struct {
				InitialDate string `json:"initial_date"`
				InitialUser string `json:"initial_user"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(open[len(open)-1].Params["view"]), &view); err != nil || view.CallbackID != "followup_modal" {
		t.Fatalf("last views.open = %s (%v), want the follow-up form", open[len(open)-1].Params["view"], err)
	}
	var f openedForm
	f.meta = view.PrivateMetadata
	for _, b := range view.Blocks {
		switch b.BlockID {
		case "followup_date":
			f.date = b.Element.InitialDate
		case "followup_person":
			f.person = b.Element.InitialUser
		}
	}
	return f
}

// submitFollowupForm saves the form as it was opened, with what filled in.
func submitFollowupForm(t *testing.T, h *harness, user, what string, f openedForm) {
	t.Helper()
	person := map[string]any{"type": "users_select"}
	if f.person != "" {
		person["selected_user"] = f.person
	}
	ack, err := h.slack.Interaction(h.ctx(), map[string]any{
		"type": "view_submission",
		"user": map[string]any{"id": user},
		"view": map[string]any{
			"id": "V0FOLLOWUP", "type": "modal", "callback_id": "followup_modal", "private_metadata": f.meta,
			"state": map[string]any{"values": map[string]any{
				"followup_person": map[string]any{"person": person},
				"followup_what":   map[string]any{"what": map[string]any{"type": "plain_text_input", "value": what}},
				"followup_date":   map[string]any{"date": map[string]any{"type": "datepicker", "selected_date": f.date}},
				"followup_time":   map[string]any{"time": map[string]any{"type": "timepicker"}},
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("the form as opened was refused: %s", ack.Payload)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(h.ctx(), ack.EnvelopeID)
}

// Ensure "Record a follow-up" after "We met ☕" late on a Friday starts
// on Monday, the next working day, not on today: saved as opened, the
// promise is due Monday at the end of the working day, and nothing
// reminds or nags before then.
func TestFollowupAfterCoffeeDefaultsToNextWorkingDay(t *testing.T) {
	people := berliners(2)
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	rd := r.round(monday)
	g := rd.Groups[0]
	friday := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC) // 16:00 in Berlin
	r.clock.Set(friday)
	r.click("UB00", g.Channel, "coffee_met", fmt.Sprintf("%d:0", rd.ID))
	r.click("UB00", g.Channel, "coffee_followup", "UB01")
	form := lastFollowupForm(t, r.harness)
	if form.date != "2026-12-07" || form.person != "UB01" {
		t.Fatalf("form opened on %q for %q, want Monday 2026-12-07 for UB01", form.date, form.person)
	}
	submitFollowupForm(t, r.harness, "UB00", "send the Lisbon guide", form)

	berlin := mustZone(t, "Europe/Berlin")
	fs, err := r.db.FollowupsOwnedBy("UB00")
	if want := time.Date(2026, 12, 7, 18, 0, 0, 0, berlin); err != nil || len(fs) != 1 || !fs[0].Due.Equal(want) {
		t.Fatalf("follow-ups = %+v, %v; want one due %v", fs, err, want)
	}
	r.waitDM("UB00", "due Mon 7 Dec, 18:00 your time")

	// Friday evening, the weekend and Monday until 18:00: no reminder.
	for _, at := range []time.Time{
		friday.Add(2 * time.Hour), friday.Add(18 * time.Hour), friday.AddDate(0, 0, 3).Add(-6 * time.Hour),
		time.Date(2026, 12, 7, 16, 59, 0, 0, time.UTC),
	} {
		r.clock.Set(at)
		if err := r.bot.RemindFollowups(r.ctx(), at); err != nil {
			t.Fatal(err)
		}
		if _, err := r.bot.DeliverDue(r.ctx(), at); err != nil {
			t.Fatal(err)
		}
	}
	if n := countContaining(r.slack.Messages(r.slack.DMChannel("UB00")), "is due"); n != 0 {
		t.Errorf("%d reminders before Monday 18:00, want none", n)
	}
	// Monday 18:00 in Berlin: the reminder.
	mondayDue := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	r.clock.Set(mondayDue)
	if err := r.bot.RemindFollowups(r.ctx(), mondayDue); err != nil {
		t.Fatal(err)
	}
	if _, err := r.bot.DeliverDue(r.ctx(), mondayDue); err != nil {
		t.Fatal(err)
	}
	r.waitDM("UB00", "is due")
}

// Ensure every way the form opens starts on the same date: the person's
// next working day after their own today, in their zone and working week.
// Thursday 23:30 UTC is already Friday in Berlin (next: Monday) but still
// Thursday in New York (next: Friday); someone in Berlin who works Sunday
// to Thursday gets Sunday.
func TestFollowupFormDefaultDateEverywhere(t *testing.T) {
	people := berliners(1)
	late := time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC)
	r := startCoffeeBot(t, coffeeSetup{users: people, clock: newClock(late)})
	if _, err := r.db.UpdatePerson("UB00", func(p *store.Person) {
		p.TZ = "Europe/Berlin"
		p.WorkDays = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday}
	}, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	shortcut := func(user string) {
		t.Helper()
		ack, err := r.slack.Interaction(r.ctx(), map[string]any{
			"type": "message_action", "callback_id": "followup_shortcut",
			"user":    map[string]any{"id": user},
			"team":    map[string]any{"id": "T0001", "domain": "acme"},
			"channel": map[string]any{"id": "CGENERAL"},
			"message": map[string]any{"type": "message", "user": "UALICE", "ts": "1700000000.000900", "text": "can you send me the notes?"},
		})
		if err != nil {
			t.Fatal(err)
		}
		r.markSent(ack.EnvelopeID)
		r.waitHandled(r.ctx(), ack.EnvelopeID)
	}
	for _, c := range []struct {
		name, user, want string
		open             func(user string)
	}{
		{"BerlinCommand", "UALICE", "2026-12-07", func(u string) { r.command(u, "/followup", "") }},
		{"NewYorkCommand", "UBOB", "2026-12-04", func(u string) { r.command(u, "/followup", "") }},
		{"NewYorkShortcut", "UBOB", "2026-12-04", shortcut},
		{"SundayToThursdayShortcut", "UB00", "2026-12-06", shortcut},
	} {
		c.open(c.user)
		if got := lastFollowupForm(t, r.harness).date; got != c.want {
			t.Errorf("%s: form opened on %q, want %q", c.name, got, c.want)
		}
	}
}
