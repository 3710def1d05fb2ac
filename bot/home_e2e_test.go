package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// Ensure opening the Home tab publishes the person's own view: their open
// follow-ups, kudos this month and coffee status.
func TestHomeOpened(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.kudos("UBOB", "CGENERAL", "<@UALICE> for pairing on the migration")
	if _, err := h.db.AddFollowup(store.Followup{Owner: "UALICE", Counterpart: "UBOB", Text: "send the deck", Due: wednesday.Add(48 * 3600e9), Created: wednesday}, nil); err != nil {
		t.Fatal(err)
	}
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	home := readable(string(h.slack.HomeView("UALICE")))
	for _, want := range []string{"send the deck", "pairing on the migration", "followup_done", "home_coffee_join"} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q:\n%s", want, home)
		}
	}
	// The Messages tab does not publish a view. (Alice's Home may still be
	// refreshed by the kudos she got, from the outbox: count Bob's only.)
	publishes := func(user string) int {
		n := 0
		for _, c := range h.slack.CallsTo("views.publish") {
			if c.Params["user_id"] == user {
				n++
			}
		}
		return n
	}
	bobs := func() int { return publishes("UBOB") }
	if publishes("UALICE") == 0 {
		t.Fatal("no views.publish names UALICE: the calls are not told apart by user")
	}
	before := bobs()
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UBOB", "channel": "DBOB", "tab": "messages"}})
	if got := bobs(); got != before {
		t.Errorf("views.publish calls for Bob = %d after the Messages tab, want %d", got, before)
	}
}

// Ensure the Home's coffee button changes the person's own membership and
// the Home shows the new state.
func TestHomeCoffeeButton(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UALICE"},
		"container": map[string]any{"type": "view", "view_id": "VHOME"},
		"view":      map[string]any{"id": "VHOME", "type": "home", "hash": "1.a"},
		"actions":   []any{map[string]any{"type": "button", "block_id": "coffee", "action_id": "home_coffee_join", "value": "join"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	if _, err := h.db.CoffeeMember("UALICE"); err != nil {
		t.Fatalf("not a coffee member after Join on the Home: %v", err)
	}
	if home := readable(string(h.slack.HomeView("UALICE"))); !strings.Contains(home, "home_coffee_pause") {
		t.Errorf("home after joining lacks the Pause button:\n%s", home)
	}
}

// Ensure /rapport style saves, shows and clears a work-style note, and
// others can read it.
func TestWorkStyle(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.rapport("UALICE", "style written summaries over calls; mornings for deep work")
	if p, _ := h.db.Person("UALICE"); p.Style != "written summaries over calls; mornings for deep work" {
		t.Fatalf("style = %q", p.Style)
	}
	h.rapport("UBOB", "style <@UALICE|alice>")
	if _, content := h.lastResponse(); !strings.Contains(content, "mornings for deep work") {
		t.Errorf("Bob reading Alice's style = %q", content)
	}
	h.rapport("UALICE", "style "+strings.Repeat("long ", 120))
	if _, content := h.lastResponse(); !strings.Contains(content, "up to 500") {
		t.Errorf("a long style = %q", content)
	}
	h.rapport("UALICE", "style clear")
	if p, _ := h.db.Person("UALICE"); p.Style != "" {
		t.Errorf("style after clear = %q", p.Style)
	}
}

func settingsSubmission(user, start, end string, days []string, tz string, on []string, style string) map[string]any {
	opts := func(vals []string) []any {
		var out []any
		for _, v := range vals {
			out = append(out, map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}})
		}
		return out
	}
	return map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user},
		"view": map[string]any{"id": "VSET", "type": "modal", "callback_id": "settings_modal", "state": map[string]any{"values": map[string]any{
			"settings_start": map[string]any{"start": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": start}}},
			"settings_end":   map[string]any{"end": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": end}}},
			"settings_days":  map[string]any{"days": map[string]any{"type": "checkboxes", "selected_options": opts(days)}},
			"settings_tz":    map[string]any{"tz": map[string]any{"type": "plain_text_input", "value": tz}},
			"settings_dms":   map[string]any{"dms": map[string]any{"type": "checkboxes", "selected_options": opts(on)}},
			"settings_style": map[string]any{"style": map[string]any{"type": "plain_text_input", "value": style}},
		}}},
	}
}

// Ensure the Settings button opens the form with the hours in effect, bad
// input is shown on the fields, and a valid form changes only the
// submitter's preferences, which then govern when DMs go out.
func TestSettings(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	h.click("UALICE", "", "home_settings", "settings")
	open := h.slack.CallsTo("views.open")
	if len(open) != 1 || !strings.Contains(open[0].Params["view"], "settings_modal") || !strings.Contains(open[0].Params["view"], `"initial_option":{"text":{"type":"plain_text","text":"18:00"`) {
		t.Fatalf("views.open = %+v, want the settings form showing 18:00", open)
	}
	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, settingsSubmission("UALICE", "17:00", "09:00", nil, "Mars/Base", nil, ""))
	if err != nil {
		t.Fatal(err)
	}
	var errs struct {
		Errors map[string]string `json:"errors"`
	}
	if json.Unmarshal(ack.Payload, &errs); errs.Errors["settings_end"] == "" || errs.Errors["settings_days"] == "" || errs.Errors["settings_tz"] == "" {
		t.Fatalf("ack of a bad form = %s, want errors on end, days and tz", ack.Payload)
	}
	ack, err = h.slack.Interaction(ctx, settingsSubmission("UALICE", "07:30", "15:30", []string{"1", "2", "3", "4"}, "Asia/Tokyo", []string{"kudos", "reminders"}, "mornings for deep work"))
	if err != nil {
		t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	p, _ := h.db.Person("UALICE")
	if p.WorkStart != 7*time.Hour+30*time.Minute || p.WorkEnd != 15*time.Hour+30*time.Minute || len(p.WorkDays) != 4 || p.TZOverride != "Asia/Tokyo" || p.Style != "mornings for deep work" {
		t.Errorf("person after settings = %+v", p)
	}
	if !p.IsMuted("nudges") || p.IsMuted("kudos") {
		t.Errorf("muted = %v, want everything but kudos and reminders", p.Muted)
	}
	if bob, _ := h.db.Person("UBOB"); bob.TZOverride != "" || len(bob.Muted) != 0 {
		t.Errorf("Bob's preferences changed: %+v", bob)
	}
}

// Ensure the Home's Pause and Resume coffee buttons act on the clicker.
func TestHomeCoffeePauseResume(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.click("UALICE", "", "home_coffee_join", "join")
	h.click("UALICE", "", "home_coffee_pause", "pause")
	if m, _ := h.db.CoffeeMember("UALICE"); !m.PausedUntil.After(wednesday) {
		t.Errorf("after Pause: %+v", m)
	}
	h.click("UALICE", "", "home_coffee_resume", "resume")
	if m, _ := h.db.CoffeeMember("UALICE"); !m.PausedUntil.IsZero() {
		t.Errorf("after Resume: %+v", m)
	}
	h.click("UBOB", "", "home_coffee_pause", "pause")
	if _, err := h.db.CoffeeMember("UBOB"); err == nil {
		t.Error("Pause enrolled someone who was not a member")
	}
}

// submitSettings submits the settings form as user and waits for it to be
// handled; it returns the ack.
func (h *harness) submitSettings(form map[string]any) slacktest.Ack {
	h.t.Helper()
	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, form)
	if err != nil {
		h.t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	return ack
}

// Ensure a time zone is accepted whatever its case and stored in its IANA
// spelling, and Save is confirmed on the Home (where the person is: the
// Settings button lives there) with what is now in effect, once.
func TestSettingsZoneAnyCaseConfirmed(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	ack := h.submitSettings(settingsSubmission("UALICE", "08:00", "16:00", []string{"1", "2", "3", "4", "5"}, "america/new_york", []string{"kudos"}, ""))
	if strings.Contains(string(ack.Payload), "errors") {
		t.Fatalf("ack = %s, want america/new_york accepted", ack.Payload)
	}
	if p, _ := h.db.Person("UALICE"); p.TZOverride != "America/New_York" {
		t.Errorf("stored zone = %q, want the IANA spelling America/New_York", p.TZOverride)
	}
	home := slacktest.RenderView(h.slack.HomeView("UALICE"), slacktest.Names{})
	// Wednesday 15:00 UTC is 10:00 in New York.
	for _, want := range []string{"Settings saved", "08:00–16:00 on Mon, Tue, Wed, Thu, Fri", "America/New_York", "it's 10:00 there now"} {
		if !strings.Contains(home, want) {
			t.Errorf("Home after Save lacks %q:\n%s", want, home)
		}
	}
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	if home := slacktest.RenderView(h.slack.HomeView("UALICE"), slacktest.Names{}); strings.Contains(home, "Settings saved") {
		t.Errorf("the confirmation stays on the Home after it is opened again:\n%s", home)
	}
}

// Ensure a Home refresh is published by whichever process delivers it: the
// Home was opened on one bot, which then stopped, and a kudos handled and
// delivered by a second bot on the same store republishes it, as it does
// with replicas where the leader delivers what another replica queued.
// After forget-me the person is no longer known to have opened it.
func TestHomeRefreshedByAnotherProcess(t *testing.T) {
	h1, c := startKudosBot(t, kudosSetup{limit: 5})
	h1.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	if p, err := h1.db.Person("UALICE"); err != nil || !p.HomeOpened.Equal(wednesday) {
		t.Fatalf("Alice after opening the Home = %+v, %v; want HomeOpened %v", p, err, wednesday)
	}
	if err := h1.stop(); err != nil {
		t.Fatal(err)
	}

	h2 := startBot(t, withState(h1.slack, h1.db), withOptions(func(o *bot.Options) {
		o.Now = c.Now
		o.Kudos = bot.KudosOptions{Channel: "CKUDOS", DailyLimit: 5}
	}))
	deliver := func() {
		t.Helper()
		if _, err := h2.bot.DeliverDue(h2.ctx(), c.Now()); err != nil {
			t.Fatal(err)
		}
	}
	alice, bob := homePublishes(h2.slack, "UALICE"), homePublishes(h2.slack, "UBOB")
	h2.kudos("UBOB", "CGENERAL", "<@UALICE> for the careful rollback")
	deliver()
	if n := homePublishes(h2.slack, "UALICE") - alice; n != 1 {
		t.Errorf("Alice's Home was published %d times by the second bot after her kudos, want 1", n)
	}
	if home := readable(string(h2.slack.HomeView("UALICE"))); !strings.Contains(home, "careful rollback") {
		t.Errorf("Alice's Home lacks the new kudos:\n%s", home)
	}
	if n := homePublishes(h2.slack, "UBOB") - bob; n != 0 {
		t.Errorf("Bob's Home, never opened, was published %d times, want 0", n)
	}

	ctx := h2.ctx()
	ack, err := h2.slack.Interaction(ctx, map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UALICE"},
		"view": map[string]any{"id": "V1", "type": "modal", "callback_id": "forget_me_modal", "state": map[string]any{"values": map[string]any{}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h2.markSent(ack.EnvelopeID)
	h2.waitHandled(ctx, ack.EnvelopeID)
	h2.waitDM("UALICE", "everything Rapport stored about you is deleted")
	deliver()
	alice = homePublishes(h2.slack, "UALICE")
	h2.kudos("UBOB", "CGENERAL", "<@UALICE> for the handover notes")
	deliver()
	if n := homePublishes(h2.slack, "UALICE") - alice; n != 0 {
		t.Errorf("Alice's Home was published %d times after forget-me and a kudos, want 0 until she opens it again", n)
	}
	if p, err := h2.db.Person("UALICE"); err == nil && !p.HomeOpened.IsZero() {
		t.Errorf("Alice after forget-me = %+v, want no HomeOpened", p)
	}
}
