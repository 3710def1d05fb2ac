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
