package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// withCelebrate fills the celebrations part of a settings submission:
// the birthday's month and day selects, the start date picker, the
// visibility radio buttons and the forget boxes ("" leaves one unchosen).
func withCelebrate(form map[string]any, month, day, started, visibility string, forget ...string) map[string]any {
	values := form["view"].(map[string]any)["state"].(map[string]any)["values"].(map[string]any)
	option := func(v string) any {
		if v == "" {
			return nil
		}
		return map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}
	}
	values["settings_bday_month"] = map[string]any{"bday_month": map[string]any{"type": "static_select", "selected_option": option(month)}}
	values["settings_bday_day"] = map[string]any{"bday_day": map[string]any{"type": "static_select", "selected_option": option(day)}}
	values["settings_started"] = map[string]any{"started": map[string]any{"type": "datepicker", "selected_date": started}}
	values["settings_visibility"] = map[string]any{"visibility": map[string]any{"type": "radio_buttons", "selected_option": option(visibility)}}
	var boxes []any
	for _, f := range forget {
		boxes = append(boxes, option(f))
	}
	values["settings_forget"] = map[string]any{"forget": map[string]any{"type": "checkboxes", "selected_options": boxes}}
	return form
}

// weekdays is Monday to Friday as the settings form sends them.
var weekdays = []string{"1", "2", "3", "4", "5"}

// formErrors is the errors of a view_submission's ack, by block.
func formErrors(t *testing.T, payload []byte) map[string]string {
	t.Helper()
	var ack struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &ack); err != nil {
			t.Fatalf("ack %s: %v", payload, err)
		}
	}
	if len(ack.Errors) > 0 && ack.Action != "errors" {
		t.Errorf("ack %s: errors without response_action errors", payload)
	}
	return ack.Errors
}

// Ensure the settings form shows the celebrations kept (a date set with
// the command is prefilled), saves a birthday, start date and visibility
// with the rest of the settings, which /rapport celebrate then shows;
// that a day not in the calendar or a start date still to come is
// refused on its field and stores nothing; and that each date can be
// forgotten, the visibility going with the last.
func TestSettingsCelebrations(t *testing.T) {
	r := startCelebrateBot(t)
	r.celebrate("UBERLIN", "start 2021-06-01")
	r.click("UBERLIN", "", "home_settings", "settings")
	open := r.slack.CallsTo("views.open")
	if len(open) != 1 || !strings.Contains(open[0].Params["view"], `"initial_date":"2021-06-01"`) || !strings.Contains(open[0].Params["view"], `"action_id":"bday_month"`) {
		t.Fatalf("views.open = %+v, want the form with the start date 2021-06-01 and a birthday month", open)
	}

	before, _ := r.db.Person("UBERLIN")
	for _, bad := range []struct {
		name, month, day, started, block string
	}{
		{"31 April", "4", "31", "2021-06-01", "settings_bday_day"},
		{"a month without a day", "4", "", "2021-06-01", "settings_bday_day"},
		{"a start date to come", "3", "14", "2026-12-01", "settings_started"},
	} {
		form := withCelebrate(settingsSubmission("UBERLIN", "08:00", "16:00", weekdays, "Asia/Tokyo", nil, "changed"), bad.month, bad.day, bad.started, "public")
		errs := formErrors(t, r.submitSettings(form).Payload)
		if errs[bad.block] == "" {
			t.Errorf("%s: errors %v, want one on %s", bad.name, errs, bad.block)
		}
		if after, _ := r.db.Person("UBERLIN"); after.TZOverride != before.TZOverride || after.Style != before.Style || after.Birthday != before.Birthday || after.Visibility != before.Visibility {
			t.Errorf("%s: stored %+v, want nothing changed from %+v", bad.name, after, before)
		}
	}
	if errs := formErrors(t, r.submitSettings(withCelebrate(settingsSubmission("UBERLIN", "08:00", "16:00", weekdays, "", nil, ""), "4", "31", "", "")).Payload); !strings.Contains(errs["settings_bday_day"], "31 April") {
		t.Errorf("error on 31 April = %q, want it named", errs["settings_bday_day"])
	}

	ack := r.submitSettings(withCelebrate(settingsSubmission("UBERLIN", "08:00", "16:00", weekdays, "", []string{"kudos"}, "mornings"), "3", "14", "2020-02-03", "public"))
	if errs := formErrors(t, ack.Payload); len(errs) > 0 {
		t.Fatalf("a good form refused: %v", errs)
	}
	p, _ := r.db.Person("UBERLIN")
	if p.Birthday != (store.MonthDay{Month: 3, Day: 14}) || p.Started != (store.Date{Year: 2020, Month: 2, Day: 3}) || p.Visibility != store.VisibilityPublic || p.Style != "mornings" || !p.CelebrateSince.Equal(monday) {
		t.Errorf("after Save: %+v", p)
	}
	got := r.celebrate("UBERLIN", "")
	for _, want := range []string{"birthday: 14 March (no year)", "started here: 3 February 2020", "*public*"} {
		if !strings.Contains(got, want) {
			t.Errorf("/rapport celebrate after Save lacks %q:\n%s", want, got)
		}
	}

	// The form opens on what is now kept.
	r.click("UBERLIN", "", "home_settings", "settings")
	open = r.slack.CallsTo("views.open")
	view := open[len(open)-1].Params["view"]
	for _, want := range []string{`"initial_date":"2020-02-03"`, `"initial_option":{"text":{"type":"plain_text","text":"March"`, `"initial_option":{"text":{"type":"plain_text","text":"14"`, `"initial_option":{"text":{"type":"plain_text","text":"Public"`, "Forget my birthday"} {
		if !strings.Contains(view, want) {
			t.Errorf("reopened form lacks %s:\n%s", want, view)
		}
	}

	// Forget the birthday: the start date and the visibility stay.
	r.submitSettings(withCelebrate(settingsSubmission("UBERLIN", "08:00", "16:00", weekdays, "", nil, ""), "3", "14", "2020-02-03", "public", "birthday"))
	if p, _ := r.db.Person("UBERLIN"); !p.Birthday.IsZero() || p.Started.IsZero() || p.Visibility != store.VisibilityPublic {
		t.Errorf("after forgetting the birthday: %+v", p)
	}
	// Forget the start date too: nothing is left, the visibility goes.
	r.submitSettings(withCelebrate(settingsSubmission("UBERLIN", "08:00", "16:00", weekdays, "", nil, ""), "", "", "2020-02-03", "public", "started"))
	if p, _ := r.db.Person("UBERLIN"); p.Celebrates() || p.Visibility != "" || !p.CelebrateSince.IsZero() {
		t.Errorf("after forgetting both dates: %+v", p)
	}
	if got := r.celebrate("UBERLIN", ""); !strings.Contains(got, "I keep no birthday") {
		t.Errorf("/rapport celebrate after forgetting = %q", got)
	}
}

// Ensure public is refused on the form where the workspace has no
// celebrations channel, as the command refuses it, and nothing is
// stored; private is saved.
func TestSettingsCelebrationsPublicNeedsChannel(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	ack := h.submitSettings(withCelebrate(settingsSubmission("UALICE", "08:00", "16:00", weekdays, "", nil, ""), "3", "14", "", "public"))
	if errs := formErrors(t, ack.Payload); !strings.Contains(errs["settings_visibility"], "no celebrations channel") {
		t.Errorf("errors %v, want the visibility refused for want of a channel", errs)
	}
	if p, err := h.db.Person("UALICE"); err == nil && (p.Celebrates() || p.Visibility != "" || p.WorkStart != 0) {
		t.Errorf("stored %+v after a refused form", p)
	}
	h.click("UALICE", "", "home_settings", "settings")
	if open := h.slack.CallsTo("views.open"); len(open) != 1 || strings.Contains(open[0].Params["view"], `"value":"public"`) {
		t.Errorf("the form offers public without a celebrations channel: %+v", open)
	}
	h.submitSettings(withCelebrate(settingsSubmission("UALICE", "08:00", "16:00", weekdays, "", nil, ""), "3", "14", "", "private"))
	if p, _ := h.db.Person("UALICE"); p.Birthday != (store.MonthDay{Month: 3, Day: 14}) || p.Visibility != store.VisibilityPrivate {
		t.Errorf("after a private birthday: %+v", p)
	}
}

// openHome opens user's Home tab and returns what it shows, readable.
func (h *harness) openHome(user string) string {
	h.t.Helper()
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}})
	return readable(string(h.slack.HomeView(user)))
}

// Ensure the Home shows the public celebrations of the people in the
// viewer's circle in the next two weeks, and nobody else's: not a private
// or none one, not someone outside the circle, not someone the viewer
// stopped keeping in touch with; that the date is the celebrant's own
// (a Tokyo birthday on 3 December is on Thu 3 Dec for a reader in New
// York, where that day begins on the 2nd); that Congratulate is there on
// the day itself only, and records the contact; and that people see
// their own day with how it is shared.
func TestHomeCelebrations(t *testing.T) {
	r := startCelebrateBot(t)
	r.celebrate("UTOKYO", "birthday 3 December")
	r.celebrate("UTOKYO", "visibility public")
	r.celebrate("UBERLIN", "birthday 2 December") // public, outside the circle
	r.celebrate("UBERLIN", "visibility public")
	r.celebrate("ULA", "birthday 2 December") // private: the default
	r.celebrate("UQUIET", "birthday 4 December")
	r.celebrate("UQUIET", "visibility none")
	r.celebrate("UDE", "start 2020-12-01") // public, in the circle, but stopped
	r.celebrate("UDE", "visibility public")
	r.celebrate("UALICE", "birthday 5 December")
	for _, other := range []string{"UTOKYO", "ULA", "UQUIET", "UDE"} {
		if err := r.db.RecordInTouch("UALICE", other, monday.Add(-24*time.Hour), store.InTouchCheckin); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.db.RecordInTouch("UBOB", "UTOKYO", monday.Add(-24*time.Hour), store.InTouchCheckin); err != nil {
		t.Fatal(err)
	}
	r.command("UALICE", "/checkin", "stop <@UDE|jonas>")

	home := r.openHome("UALICE")
	if !strings.Contains(home, "<@UTOKYO> · birthday · Thu 3 Dec") {
		t.Errorf("Alice's Home lacks the public birthday of Kenji, in her circle:\n%s", home)
	}
	for who, why := range map[string]string{"ULA": "private", "UQUIET": "none", "UBERLIN": "outside her circle", "UDE": "stopped"} {
		if strings.Contains(home, "<@"+who+"> · ") {
			t.Errorf("Alice's Home shows %s's celebration (%s):\n%s", who, why, home)
		}
	}
	if strings.Contains(home, "celebrate_congratulate") {
		t.Errorf("Congratulate before anyone's day:\n%s", home)
	}
	if !strings.Contains(home, "Your birthday · Sat 5 Dec") || !strings.Contains(home, "Shared: private") || !strings.Contains(home, "Change it in Settings") {
		t.Errorf("Alice's Home lacks her own birthday with how it is shared:\n%s", home)
	}
	if la := r.openHome("ULA"); !strings.Contains(la, "Your birthday · Wed 2 Dec") {
		t.Errorf("Maria's Home lacks her own private birthday:\n%s", la)
	}

	// Wednesday 2 December 16:00 UTC: 11:00 in New York, and already
	// Thursday 3 December, Kenji's birthday, in Tokyo.
	r.clock.Set(time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC))
	bob := r.openHome("UBOB")
	if !strings.Contains(bob, "<@UTOKYO> · birthday · Thu 3 Dec") || !strings.Contains(bob, `"celebrate_congratulate"`) {
		t.Fatalf("Bob's Home (New York) on Kenji's day lacks it, dated 3 December, with Congratulate:\n%s", bob)
	}
	if strings.Contains(bob, "Wed 2 Dec") {
		t.Errorf("Bob's Home dates Kenji's birthday by the hour it begins in New York:\n%s", bob)
	}
	ctx := r.ctx()
	ack, err := r.slack.Interaction(ctx, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UBOB"},
		"container": map[string]any{"type": "view", "view_id": "VHOME"},
		"view":      map[string]any{"id": "VHOME", "type": "home", "hash": "1.a"},
		"actions":   []any{map[string]any{"type": "button", "block_id": "b", "action_id": "celebrate_congratulate", "value": "UTOKYO"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.markSent(ack.EnvelopeID)
	r.waitHandled(ctx, ack.EnvelopeID)
	if c, err := r.db.CircleEntry("UBOB", "UTOKYO"); err != nil || c.LastKind != store.InTouchCongrats {
		t.Errorf("after Congratulate on the Home: %+v, %v; want a congrats contact", c, err)
	}
	if bob := readable(string(r.slack.HomeView("UBOB"))); !strings.Contains(bob, "you congratulated <@UTOKYO>") {
		t.Errorf("the Home does not confirm Congratulate:\n%s", bob)
	}
	// Friday 4 December 16:00 UTC: Kenji's day is over everywhere.
	r.clock.Set(time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
	if bob := r.openHome("UBOB"); strings.Contains(bob, "<@UTOKYO> · ") {
		t.Errorf("Bob's Home still shows Kenji's birthday after it:\n%s", bob)
	}
}
