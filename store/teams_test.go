package store_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestSetTeams(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	for _, id := range []string{"U1", "U2", "U3", "U4"} {
		if _, err := db.UpdatePerson(id, func(p *store.Person) { p.Name = id }, store.Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	teamsOf := func() map[string][]string {
		t.Helper()
		out := map[string][]string{}
		for _, id := range []string{"U1", "U2", "U3", "U4"} {
			p, err := db.Person(id)
			if err != nil {
				t.Fatal(err)
			}
			out[id] = p.Teams
		}
		return out
	}
	set := func(teams map[string][]string, scope []string, wantChanged int, want map[string][]string) {
		t.Helper()
		n, err := db.SetTeams(teams, scope)
		if err != nil {
			t.Fatal(err)
		}
		if n != wantChanged {
			t.Errorf("SetTeams(%v, %v) changed %d, want %d", teams, scope, n, wantChanged)
		}
		if got := teamsOf(); !reflect.DeepEqual(got, want) {
			t.Errorf("after SetTeams(%v, %v): teams = %v, want %v", teams, scope, got, want)
		}
	}

	// Ensure a full refresh sets everyone's teams, two teams for someone in
	// two groups, none for someone in no group, and creates nobody.
	set(map[string][]string{"U1": {"design"}, "U2": {"platform", "design", "design"}, "U9": {"design"}}, nil, 2,
		map[string][]string{"U1": {"design"}, "U2": {"design", "platform"}, "U3": nil, "U4": nil})
	if _, err := db.Person("U9"); err == nil {
		t.Errorf("SetTeams created a record for U9, who Rapport never dealt with")
	}

	// Ensure the same refresh again writes nothing.
	set(map[string][]string{"U1": {"design"}, "U2": {"design", "platform"}}, nil, 0,
		map[string][]string{"U1": {"design"}, "U2": {"design", "platform"}, "U3": nil, "U4": nil})

	// Ensure a refresh of one group changes that team only: U1 leaves
	// design, U3 joins it, U2 keeps platform.
	set(map[string][]string{"U2": {"design"}, "U3": {"design", "platform"}}, []string{"design"}, 2,
		map[string][]string{"U1": nil, "U2": {"design", "platform"}, "U3": {"design"}, "U4": nil})

	// Ensure a full refresh with nobody in any group leaves everyone without
	// a team, and keeps the rest of the record.
	set(nil, nil, 2, map[string][]string{"U1": nil, "U2": nil, "U3": nil, "U4": nil})
	if p, _ := db.Person("U2"); p.Name != "U2" {
		t.Errorf("SetTeams lost the rest of the record: %+v", p)
	}
}

// Ensure a refresh larger than one transaction's worth writes every
// changed record.
func TestSetTeamsMany(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	teams := map[string][]string{}
	for i := range 1000 {
		id := fmt.Sprintf("U%04d", i)
		if _, err := db.UpdatePerson(id, func(p *store.Person) {}, store.Effects{}); err != nil {
			t.Fatal(err)
		}
		if i%3 != 0 {
			teams[id] = []string{fmt.Sprintf("team%d", i%7)}
		}
	}
	n, err := db.SetTeams(teams, nil)
	if err != nil || n != len(teams) {
		t.Fatalf("SetTeams = %d, %v, want %d", n, err, len(teams))
	}
	for id, want := range teams {
		if p, _ := db.Person(id); !reflect.DeepEqual(p.Teams, want) {
			t.Fatalf("Person(%s).Teams = %v, want %v", id, p.Teams, want)
		}
	}
	ids, err := db.PersonIDs()
	if err != nil || len(ids) != 1000 || ids[0] != "U0000" {
		t.Errorf("PersonIDs = %d IDs starting %v, %v; want 1000 from U0000", len(ids), ids[:1], err)
	}
}
