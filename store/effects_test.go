package store_test

import (
	"errors"
	"testing"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// Ensure Commit writes every effect in one transaction: the pairs in
// touch and the queued messages, in order, each key once however often it
// is committed, and nothing at all when one effect is invalid.
func TestCommitEffects(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	eff := store.Effects{
		InTouch: []store.InTouch{{A: "U1", B: "U2", At: base, Kind: store.InTouchKudos}},
		Outbox: []store.Outgoing{
			{Key: "post", Channel: "C1", Text: "the post", ResponseURL: "https://hooks.example/1"},
			{Key: "dm", User: "U2", Text: "a DM", After: "post", Render: "kudos_dm", KudosPost: 7},
		},
	}
	for range 2 {
		if err := db.Commit(eff); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := db.CircleEntry("U2", "U1"); err != nil || !c.LastInTouch.Equal(base) || c.LastKind != store.InTouchKudos {
		t.Errorf("CircleEntry(U2, U1) = %+v, %v; want in touch at %v by kudos", c, err, base)
	}
	due, err := db.DueOutgoing(base, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].Key != "post" || due[1].Key != "dm" {
		t.Fatalf("due = %+v, want post then dm, once each", due)
	}
	if d := due[1]; d.After != "post" || d.Render != "kudos_dm" || d.KudosPost != 7 {
		t.Errorf("dm = %+v, want After, Render and KudosPost kept", d)
	}
	if due[0].ResponseURL != "https://hooks.example/1" {
		t.Errorf("post ResponseURL = %q", due[0].ResponseURL)
	}

	bad := store.Effects{
		InTouch: []store.InTouch{{A: "U3", B: "U4", At: base, Kind: store.InTouchKudos}},
		Outbox:  []store.Outgoing{{Key: "nowhere"}},
	}
	if err := db.Commit(bad); err == nil {
		t.Fatal("Commit with an item going nowhere = nil error")
	}
	if _, err := db.CircleEntry("U3", "U4"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed Commit wrote its in-touch pair: %v", err)
	}
	if err := db.Commit(store.Effects{Outbox: []store.Outgoing{{Key: "self", User: "U1", After: "self"}}}); err == nil {
		t.Error("an item waiting for itself was queued")
	}
}

// Ensure the methods of people's actions write their record and its
// effects in one transaction: both with a valid effect, neither when an
// effect cannot be stored (the record change is rolled back).
func TestRecordsCommitWithTheirEffects(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	rd, _, err := db.CreateRound(store.Round{At: base, Groups: []store.CoffeeGroup{{Members: []string{"U1", "U2"}, Icebreaker: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	bad := store.Outgoing{Key: "bad", User: "U9", After: "bad"} // waits for itself: refused
	answer := func(g *store.CoffeeGroup) error { g.SetAnswer("U1", store.AnswerYes); return nil }
	effects := func(item store.Outgoing) func(g store.CoffeeGroup) store.Effects {
		return func(g store.CoffeeGroup) store.Effects {
			return store.Effects{
				InTouch: []store.InTouch{{A: g.Members[0], B: g.Members[1], At: base, Kind: store.InTouchCoffee}},
				Outbox:  []store.Outgoing{{Key: "note", Channel: "G1", Text: "met"}, item},
			}
		}
	}
	if _, err := db.UpdateRoundGroup(rd.ID, 0, answer, effects(bad)); err == nil {
		t.Fatal("UpdateRoundGroup with an invalid effect = nil error")
	}
	if got, _ := db.Round(rd.ID); len(got.Groups[0].Answers) != 0 {
		t.Errorf("answers after a failed update = %v, want none", got.Groups[0].Answers)
	}
	if _, err := db.CircleEntry("U1", "U2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed update put the pair in touch: %v", err)
	}
	if _, err := db.OutgoingByKey("note"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed update queued its note: %v", err)
	}
	if _, err := db.UpdateRoundGroup(rd.ID, 0, answer, effects(store.Outgoing{Key: "home", User: "U2", Text: "Home refresh"})); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Round(rd.ID); got.Groups[0].Answers["U1"] != store.AnswerYes {
		t.Errorf("answers = %v, want U1's yes", got.Groups[0].Answers)
	}
	if c, err := db.CircleEntry("U2", "U1"); err != nil || c.LastKind != store.InTouchCoffee {
		t.Errorf("CircleEntry(U2, U1) = %+v, %v; want in touch by coffee", c, err)
	}
	for _, k := range []string{"note", "home"} {
		if _, err := db.OutgoingByKey(k); err != nil {
			t.Errorf("%s not queued with the answer: %v", k, err)
		}
	}

	// The same for the other methods: an invalid effect, nothing changed.
	fail := store.Effects{InTouch: []store.InTouch{{A: "U5", B: "U6", At: base, Kind: store.InTouchCoffee}}, Outbox: []store.Outgoing{bad}}
	if _, err := db.UpdatePerson("U1", func(p *store.Person) { p.Style = "changed" }, fail); err == nil {
		t.Error("UpdatePerson with an invalid effect = nil error")
	}
	if _, _, err := db.UpdateCoffeeMember("U1", func(m *store.CoffeeMember) error { m.Via = store.ViaCommand; return nil }, fail); err == nil {
		t.Error("UpdateCoffeeMember with an invalid effect = nil error")
	}
	if _, err := db.UpdateCircleEntry("U1", "U3", func(c *store.CircleEntry) error { c.CadenceDays = 30; return nil }, fail); err == nil {
		t.Error("UpdateCircleEntry with an invalid effect = nil error")
	}
	if _, err := db.Person("U1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed UpdatePerson stored the person: %v", err)
	}
	if _, err := db.CoffeeMember("U1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed UpdateCoffeeMember stored the member: %v", err)
	}
	if _, err := db.CircleEntry("U1", "U3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed UpdateCircleEntry stored the entry: %v", err)
	}
	if _, err := db.CircleEntry("U5", "U6"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed update put its pair in touch: %v", err)
	}

	// Keep in touch: the entry, the pair in touch and the Home refresh together.
	c, err := db.UpdateCircleEntry("U1", "U3", func(c *store.CircleEntry) error { c.CadenceDays = 30; return nil }, store.Effects{
		InTouch: []store.InTouch{{A: "U1", B: "U3", At: base, Kind: store.InTouchCoffee}},
		Outbox:  []store.Outgoing{{Key: "home:U3", User: "U3", Text: "Home refresh"}},
	})
	if err != nil || c.CadenceDays != 30 || !c.LastInTouch.Equal(base) {
		t.Errorf("UpdateCircleEntry = %+v, %v; want cadence 30 and in touch at %v", c, err, base)
	}
	if _, err := db.OutgoingByKey("home:U3"); err != nil {
		t.Errorf("Home refresh not queued with the entry: %v", err)
	}
}
