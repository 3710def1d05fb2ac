package bot_test

import (
	"strings"
	"testing"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// Ensure opening the Home tab publishes the person's own view: their open
// follow-ups, kudos this month and coffee status.
func TestHomeOpened(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.kudos("UBOB", "CGENERAL", "<@UALICE> for pairing on the migration")
	if _, err := h.db.AddFollowup(store.Followup{Owner: "UALICE", Counterpart: "UBOB", Text: "send the deck", Due: wednesday.Add(48 * 3600e9), Created: wednesday}); err != nil {
		t.Fatal(err)
	}
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	home := readable(string(h.slack.HomeView("UALICE")))
	for _, want := range []string{"send the deck", "pairing on the migration", "followup_done", "home_coffee_join"} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q:\n%s", want, home)
		}
	}
	// The Messages tab does not publish a view.
	before := len(h.slack.CallsTo("views.publish"))
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UBOB", "channel": "DBOB", "tab": "messages"}})
	if got := len(h.slack.CallsTo("views.publish")); got != before {
		t.Errorf("views.publish calls = %d after the Messages tab, want %d", got, before)
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
