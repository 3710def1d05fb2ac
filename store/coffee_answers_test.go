package store_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// Ensure a group's answer is its latest, whoever gave it, and that
// SetAnswer keeps one entry per member.
func TestCoffeeGroupOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		given []string // user, answer, user, answer, …
		want  store.CoffeeAnswer
		order string
	}{
		{"None", nil, "", ""},
		{"One", []string{"U1", "not_yet"}, store.AnswerNotYet, "U1"},
		{"CantThenMet", []string{"U1", "cant", "U2", "yes"}, store.AnswerYes, "U1 U2"},
		{"MetThenCant", []string{"U2", "yes", "U1", "cant"}, store.AnswerCant, "U2 U1"},
		{"ChangedMind", []string{"U1", "cant", "U2", "yes", "U1", "no"}, store.AnswerNo, "U2 U1"},
		{"SameAgain", []string{"U1", "no", "U2", "yes", "U2", "yes"}, store.AnswerYes, "U1 U2"},
	}
	for _, tt := range tests {
		var g store.CoffeeGroup
		for i := 0; i < len(tt.given); i += 2 {
			g.SetAnswer(tt.given[i], store.CoffeeAnswer(tt.given[i+1]))
		}
		if got := g.Outcome(); got != tt.want {
			t.Errorf("%s: Outcome() after %v = %q, want %q", tt.name, tt.given, got, tt.want)
		}
		if got := strings.Join(g.AnswerOrder, " "); got != tt.order {
			t.Errorf("%s: AnswerOrder after %v = %q, want %q", tt.name, tt.given, got, tt.order)
		}
	}
}

// Ensure the order of answers is stored, checked, exported and imported,
// and that forgetting the person who answered last leaves the answer
// before theirs as the group's.
func TestCoffeeAnswerOrderStored(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	r := mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{{Members: []string{"U1", "U2", "U3"}, Icebreaker: -1}}})
	for _, a := range []struct {
		user   string
		answer store.CoffeeAnswer
	}{{"U1", store.AnswerCant}, {"U2", store.AnswerYes}} {
		if _, err := db.UpdateRoundGroup(r.ID, 0, func(g *store.CoffeeGroup) error { g.SetAnswer(a.user, a.answer); return nil }, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Round(r.ID)
	if err != nil || got.Groups[0].Outcome() != store.AnswerYes || strings.Join(got.Groups[0].AnswerOrder, " ") != "U1 U2" {
		t.Fatalf("Round = %+v, %v; want U2's yes last", got, err)
	}

	// A stored order must name members who answered, once each.
	for _, bad := range []struct {
		order []string
		want  string
	}{
		{[]string{"U3"}, "groups[0].answer_order[0]: U3 has no answer"},
		{[]string{"U1", "U2", "U1"}, "groups[0].answer_order[2]: U1 is listed twice"},
	} {
		_, err := db.UpdateRoundGroup(r.ID, 0, func(g *store.CoffeeGroup) error { g.AnswerOrder = bad.order; return nil }, nil)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("UpdateRoundGroup with order %v = %v, want an error containing %q", bad.order, err, bad.want)
		}
	}

	// Export and import keep the order, so the group's answer is the same.
	var doc bytes.Buffer
	if err := db.Export(&doc, base); err != nil {
		t.Fatal(err)
	}
	dst := storetest.MustOpen(t)
	if _, err := dst.Import(&doc); err != nil {
		t.Fatal(err)
	}
	if imported, err := dst.Round(r.ID); err != nil || imported.Groups[0].Outcome() != store.AnswerYes || !imported.Groups[0].Met() {
		t.Errorf("imported round = %+v, %v; want U2's yes as the group's answer", imported, err)
	}

	// U2 asks to be forgotten: U1's "can't" is the latest answer left.
	if _, err := db.ForgetUser("U2", time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	got, err = db.Round(r.ID)
	if err != nil || got.Groups[0].Outcome() != store.AnswerCant || strings.Join(got.Groups[0].AnswerOrder, " ") != "U1" {
		t.Errorf("after forgetting U2: %+v, %v; want U1's can't alone", got, err)
	}
}
