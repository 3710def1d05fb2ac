package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestCoffeeMembers(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	for _, m := range []store.CoffeeMember{
		{User: "U3", Joined: base.Add(-time.Hour)},
		{User: "U1"}, // joined now
		{User: "U2", Joined: base.Add(-2 * time.Hour), PausedUntil: base.AddDate(0, 0, 14)},
		{User: "U3", Joined: base.Add(-time.Hour), PausedUntil: base.Add(time.Hour)}, // replaces
	} {
		if err := db.PutCoffeeMember(m); err != nil {
			t.Fatalf("PutCoffeeMember(%+v) = %v", m, err)
		}
	}
	want := []store.CoffeeMember{
		{User: "U1", Joined: base},
		{User: "U2", Joined: base.Add(-2 * time.Hour), PausedUntil: base.AddDate(0, 0, 14)},
		{User: "U3", Joined: base.Add(-time.Hour), PausedUntil: base.Add(time.Hour)},
	}
	got, err := db.CoffeeMembers()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("CoffeeMembers() = %+v, %v, want %+v", got, err, want)
	}
	if err := db.PutCoffeeMember(store.CoffeeMember{}); err == nil {
		t.Errorf("PutCoffeeMember(no user) = nil error, want one")
	}
}

func TestRounds(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	groups := [][]string{{"U1", "U2"}, {"U3", "U4", "U5"}}
	r1, err := db.AddRound(store.Round{Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Round{ID: 1, At: base, Groups: [][]string{{"U1", "U2"}, {"U3", "U4", "U5"}}}); !reflect.DeepEqual(r1, want) {
		t.Errorf("AddRound = %+v, want %+v", r1, want)
	}
	groups[0][0] = "UX" // must not reach the store
	// An older round added later still lists first.
	r2, err := db.AddRound(store.Round{At: base.AddDate(0, 0, -7)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Rounds()
	if err != nil || !reflect.DeepEqual(got, []store.Round{r2, r1}) {
		t.Errorf("Rounds() = %+v, %v, want [%+v %+v] (oldest first)", got, err, r2, r1)
	}
}
