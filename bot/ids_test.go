package bot

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// Ensure every action_id and callback_id a route answers is emitted by some
// renderer, and every one a renderer emits has a route: a renamed constant
// on one side only would otherwise leave buttons that do nothing.
func TestRoutesMatchRenderers(t *testing.T) {
	t.Parallel()
	r, err := newRouter((&Bot{}).routeTable())
	if err != nil {
		t.Fatal(err)
	}

	// Every renderer, with input that shows each of its buttons at least
	// once. A renderer added without a line here leaves its IDs unrouted
	// in this test, so the test fails and says which.
	rd := reader{loc: time.UTC, now: coffeeAt}
	due := coffeeAt.Add(-time.Hour)
	owed := store.Followup{ID: 7, Owner: "U01MAYA", Counterpart: "U02JO", Text: "send the deck", Due: due, Nudges: 3, Link: "https://x.slack.com/archives/C1/p1"}
	self := store.Followup{ID: 8, Owner: "U01MAYA", Text: "book the venue", Due: due}
	snoozes := []snoozeChoice{{key: homeSnoozeTomorrow, label: "tomorrow"}}
	post := kudosPost{Giver: "U01MAYA", Receivers: []string{"U02JO"}, Reason: "for the deck", At: kudosAt}
	joinHome, pausedHome := homeNewUser(), homeTypicalUser()
	pausedHome.Coffee.Enrolled, pausedHome.Coffee.PausedForSilence = true, true
	var rendered []any
	add := func(vs ...any) { rendered = append(rendered, vs...) }
	for _, in := range []coffeeIntro{coffeePair, coffeeTrio, coffeeNoOverlap} {
		add(renderCoffeeIntro(in))
	}
	add(renderCoffeeSuggest(coffeeSlots, rd))
	add(renderDidYouMeet(42, 3))
	add(renderCoffeeHeadsUp(coffeeAt, rd))
	add(renderCoffeeStillIn(coffeeAt, rd, 3))
	add(renderCoffeePausedSilent())
	add(renderCoffeeHistory(coffeeHistoryFull(), rd))
	add(renderCoffeeStats(coffeeStatsExample()))
	add(renderCoffeeStatus(coffeeStatus{Enrolled: true}))
	add(renderCoffeeKeepInTouch("U01MAYA", []string{"U01MAYA", "U02JO"}))
	add(renderFollowupCreated(owed, rd))
	add(renderFollowupNotice(owed, rd))
	add(renderFollowupDM(followupDM{reminders: []store.Followup{owed, self}, nudges: []store.Followup{owed}, asks: []store.Followup{self}}, snoozes, rd))
	add(renderFollowupList([]followupListItem{{N: 1, F: self}}, []store.Followup{owed}, rd))
	add(renderFollowupModal("C1", "U02JO", "", "2026-12-01"))
	add(renderFollowupNoteModal(followupDropModalID, owed, false, ""))
	add(renderFollowupNoteModal(followupRenegotiateID, owed, true, "2026-12-01"))
	add(renderHome(joinHome), renderHome(homeTypicalUser()), renderHome(homeHeavyUser()), renderHome(pausedHome))
	add(renderSettingsModal(homeSettingsExample()))
	add(renderKudosPost(post))
	add(renderKudosShare(post))
	add(renderKudosDM(post, "U02JO"))
	add(renderLeaderboard(kudosFullBoard()))
	add(renderKudosHistory("U02JO", []kudosPost{post}, rd))
	add(renderKudosModal(kudosForm{Channel: "C1"}))
	add(renderReactionPrompt(reactionPrompt{Author: "U02JO", Channel: "C1", TS: "1.2", Emoji: "trophy", State: reactionAsked}))
	add(renderReconnect([]store.CircleEntry{{Owner: "U01MAYA", Other: "U02JO", LastInTouch: coffeeAt.AddDate(0, -3, 0)}}, coffeeAt))
	add(renderMuteAnswer(store.DMKudos, dmKinds[store.DMKudos], true))
	add(renderMuteAnswer(store.DMKudos, dmKinds[store.DMKudos], false))
	add(renderForgetMeModal())
	birthday := celebration{User: "U01MAYA", Kind: celebrateBirthday, Year: 2026, Month: time.December, Day: 2, Start: coffeeAt}
	add(renderCelebrationsPost([]celebration{birthday}, coffeeAt, nil))
	add(renderCelebrationDM(birthday, rd))
	add(renderHelp(r.commands()))

	actions, views := map[string]bool{}, map[string]bool{}
	for _, v := range rendered {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("marshal %T: %v", v, err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if m, ok := doc.(map[string]any); ok {
			if id, _ := m["callback_id"].(string); id != "" && m["type"] == "modal" {
				views[id] = true
			}
		}
		collectActionIDs(doc, actions)
	}

	if len(actions) == 0 {
		t.Fatal("no action_id rendered at all: the walk is broken")
	}
	// Action IDs routed only for buttons on messages already posted, each
	// with why. None today: did-you-meet questions sent before each answer had its own
	// action_id carry coffee_checkin on all three buttons, and the Yes
	// button still renders it.
	oldActions := map[string]string{}
	for _, id := range r.ids(actionRoute) {
		if !actions[id] && oldActions[id] == "" {
			t.Errorf("action route %q: no renderer emits it", id)
		}
	}
	for id := range actions {
		if r.lookup(actionRoute, id) == nil {
			t.Errorf("rendered action_id %q has no route", id)
		}
	}
	for _, id := range r.ids(viewRoute) {
		if !views[id] {
			t.Errorf("view route %q: no renderer emits a modal with that callback_id", id)
		}
	}
	for id := range views {
		if r.lookup(viewRoute, id) == nil {
			t.Errorf("rendered modal callback_id %q has no route", id)
		}
	}
	// The Home tab carries homeCallbackID but is never submitted, so it has
	// no route; shortcut callback_ids come from manifest.yml, and
	// TestManifestMatchesRoutes compares those with the routes.
	if h := renderHome(joinHome); h.CallbackID != homeCallbackID || r.lookup(viewRoute, homeCallbackID) != nil {
		t.Errorf("Home callback_id = %q (routed: %v), want %q unrouted", h.CallbackID, r.lookup(viewRoute, homeCallbackID) != nil, homeCallbackID)
	}
}

// collectActionIDs adds to ids the action_id of every element a person can
// click: everything but the elements of input blocks, whose values are read
// from the view's state on submit and are never routed, unless the block
// dispatches its own action (dispatch_action: Enter sends it).
func collectActionIDs(v any, ids map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if v["type"] == "input" && v["dispatch_action"] != true {
			return
		}
		if id, _ := v["action_id"].(string); id != "" {
			ids[id] = true
		}
		for _, c := range v {
			collectActionIDs(c, ids)
		}
	case []any:
		for _, c := range v {
			collectActionIDs(c, ids)
		}
	}
}
