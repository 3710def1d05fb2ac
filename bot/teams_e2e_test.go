package bot_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/pairing"
	"github.com/rapport-bot/rapport/bot/slacktest"
)

// teamOf maps the eight Berliners of teamRig to their user group: b00–b03
// in @design, b04–b07 in @platform.
func teamOf(id string) string {
	if id < "UB04" {
		return "design"
	}
	return "platform"
}

// teamRig is a coffee bot whose eight Berliners are in two user groups,
// with RAPPORT_TEAMS naming them (one by handle with "@", one by ID).
func teamRig(t *testing.T, cross pairing.CrossTeam) *coffeeRig {
	t.Helper()
	users := berliners(8)
	r := startCoffeeBot(t, coffeeSetup{users: users, crossTeam: cross,
		teams: bot.TeamOptions{Groups: []string{"@design", "S0PLATFORM"}}, srv: teamServer(t, users)})
	<-r.bot.Settled()
	r.enrol(ids(users)...)
	return r
}

func teamServer(t *testing.T, users []slacktest.User) *slacktest.Server {
	t.Helper()
	c := newClock(monday)
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	for _, u := range users {
		srv.AddUser(u)
	}
	var design, platform []string
	for _, u := range users {
		if teamOf(u.ID) == "design" {
			design = append(design, u.ID)
		} else {
			platform = append(platform, u.ID)
		}
	}
	srv.SetUserGroup(slacktest.UserGroup{ID: "S0DESIGN", Handle: "design", Name: "Design Team", Members: design})
	srv.SetUserGroup(slacktest.UserGroup{ID: "S0PLATFORM", Handle: "platform", Name: "Platform", Members: platform})
	return srv
}

// Ensure teams read from the user groups reach pairing: in a first round,
// where nobody has met anybody, every pair crosses teams, and the people's
// records hold their team.
func TestTeamsDecideTheRound(t *testing.T) {
	r := teamRig(t, pairing.CrossTeamPrefer)
	rd := r.round(monday)
	if len(rd.Groups) != 4 {
		t.Fatalf("round = %v, want 4 pairs", members(rd))
	}
	for _, g := range rd.Groups {
		if teamOf(g.Members[0]) == teamOf(g.Members[1]) {
			t.Errorf("pair %v is in one team; want every pair across design and platform (round %v)", g.Members, members(rd))
		}
	}
	if p, err := r.db.Person("UB05"); err != nil || !slices.Equal(p.Teams, []string{"platform"}) {
		t.Errorf("Person(UB05).Teams = %v, %v; want [platform]", p.Teams, err)
	}
}

// Ensure RAPPORT_COFFEE_CROSS_TEAM=ignore pairs as if nobody had a team:
// the same first round then has pairs within a team.
func TestTeamsIgnored(t *testing.T) {
	r := teamRig(t, pairing.CrossTeamIgnore)
	rd := r.round(monday)
	within := 0
	for _, g := range rd.Groups {
		if teamOf(g.Members[0]) == teamOf(g.Members[1]) {
			within++
		}
	}
	if within == 0 {
		t.Errorf("ignore: every pair of %v crosses teams; want the pairing of a workspace without teams, which pairs within them here", members(rd))
	}
}

// Ensure people see their team in /coffee status and on the Home, someone
// in two groups sees both, someone in none is told so and where teams come
// from, and a subteam_members_changed event changes a team without a
// restart.
func TestTeamsShownAndChangedByEvents(t *testing.T) {
	srv := teamServer(t, nil)
	srv.SetUserGroup(slacktest.UserGroup{ID: "S0DESIGN", Handle: "design", Members: []string{"UALICE"}})
	srv.SetUserGroup(slacktest.UserGroup{ID: "S0PLATFORM", Handle: "platform", Members: []string{"UALICE"}})
	r := startCoffeeBot(t, coffeeSetup{srv: srv, teams: bot.TeamOptions{Groups: []string{"design", "platform"}}})
	<-r.bot.Settled()

	if got := r.coffeeCmd("UALICE", "status"); !strings.Contains(got, "Your teams: design, platform") {
		t.Errorf("alice's /coffee status = %q, want her two teams", got)
	}
	if got := r.coffeeCmd("UBOB", "status"); !strings.Contains(got, "Rapport doesn't have you in a team. Teams come from Slack user groups") {
		t.Errorf("bob's /coffee status = %q, want no team and where teams come from", got)
	}

	// An admin takes alice out of @design and puts bob in it.
	acks, err := srv.ChangeUserGroup(r.ctx(), slacktest.UserGroup{ID: "S0DESIGN", Handle: "design", Members: []string{"UBOB"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acks {
		r.markSent(a.EnvelopeID)
		r.waitHandled(r.ctx(), a.EnvelopeID)
	}
	if got := r.coffeeCmd("UALICE", "status"); !strings.Contains(got, "Your team: platform (") {
		t.Errorf("after leaving @design, alice's /coffee status = %q, want just platform", got)
	}
	if got := r.coffeeCmd("UBOB", "status"); !strings.Contains(got, "Your team: design (") {
		t.Errorf("after joining @design, bob's /coffee status = %q, want design", got)
	}

	r.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	if home := readable(string(srv.HomeView("UALICE"))); !strings.Contains(home, "Your team: platform (from Slack user groups your admins chose)") {
		t.Errorf("alice's Home lacks her team:\n%s", home)
	}

	// A renamed handle renames the team (subteam_updated).
	acks, err = srv.ChangeUserGroup(r.ctx(), slacktest.UserGroup{ID: "S0PLATFORM", Handle: "platform-eng", Members: []string{"UALICE"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acks {
		r.markSent(a.EnvelopeID)
		r.waitHandled(r.ctx(), a.EnvelopeID)
	}
	if p, _ := r.db.Person("UALICE"); len(p.Teams) != 0 {
		// RAPPORT_TEAMS names "platform", which no group has any more.
		t.Errorf("after @platform became @platform-eng, alice's teams = %v, want none (the handle in RAPPORT_TEAMS is gone)", p.Teams)
	}
}

// Ensure a group in RAPPORT_TEAMS that Slack does not have is a warning
// naming it, and the other groups still make teams.
func TestTeamsUnknownGroupWarns(t *testing.T) {
	var log bytes.Buffer
	srv := teamServer(t, nil)
	srv.SetUserGroup(slacktest.UserGroup{ID: "S0DESIGN", Handle: "design", Members: []string{"UALICE"}})
	r := startCoffeeBot(t, coffeeSetup{srv: srv, log: &log, teams: bot.TeamOptions{Groups: []string{"design", "ghosts"}}})
	<-r.bot.Settled()
	if got := r.coffeeCmd("UALICE", "status"); !strings.Contains(got, "Your team: design") {
		t.Errorf("alice's /coffee status = %q, want design", got)
	}
	if !strings.Contains(log.String(), "RAPPORT_TEAMS names a user group Slack does not have") || !strings.Contains(log.String(), "group=ghosts") {
		t.Errorf("log lacks a warning naming @ghosts:\n%s", log.String())
	}
}

// Ensure teams read from a custom profile field (RAPPORT_TEAM_FIELD, by
// label in any case) reach people's records and their /coffee status, with
// the value's text escaped, and an empty field is no team.
func TestTeamsFromProfileField(t *testing.T) {
	srv := teamServer(t, nil)
	srv.AddProfileField(slacktest.ProfileField{ID: "Xf0PHONE", Label: "Phone extension"})
	srv.AddProfileField(slacktest.ProfileField{ID: "Xf0TEAM", Label: "Team", Type: "options_list"})
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin", Fields: map[string]string{"Xf0TEAM": "R&D <core>", "Xf0PHONE": "42"}})
	r := startCoffeeBot(t, coffeeSetup{srv: srv, teams: bot.TeamOptions{Field: "team"}})
	<-r.bot.Settled()
	r.coffeeCmd("UALICE", "status") // Rapport meets alice and bob
	r.coffeeCmd("UBOB", "status")
	if err := r.bot.RefreshTeams(r.ctx(), monday); err != nil {
		t.Fatal(err)
	}
	if p, err := r.db.Person("UALICE"); err != nil || !slices.Equal(p.Teams, []string{"R&D <core>"}) {
		t.Errorf("Person(UALICE).Teams = %v, %v; want [R&D <core>]", p.Teams, err)
	}
	r.command("UALICE", "/coffee", "status")
	if _, raw := r.lastResponse(); !strings.Contains(raw, "Your team: R&amp;D &lt;core&gt;") {
		t.Errorf("alice's /coffee status = %q, want her team escaped", raw)
	}
	if got := r.coffeeCmd("UBOB", "status"); !strings.Contains(got, "Teams come from a field of your Slack profile") {
		t.Errorf("bob's /coffee status = %q, want no team, from a profile field", got)
	}

	// Without users.profile:read the refresh fails and changes nothing.
	srv.RevokeScope("users.profile:read")
	if err := r.bot.RefreshTeams(r.ctx(), monday); err == nil || !strings.Contains(err.Error(), "missing_scope") {
		t.Errorf("RefreshTeams without users.profile:read = %v, want missing_scope", err)
	}
	if p, _ := r.db.Person("UALICE"); len(p.Teams) != 1 {
		t.Errorf("a failed refresh changed alice's teams to %v", p.Teams)
	}
}
