package bot_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// joinTeam has u join the workspace on the fake Slack, which sends the bot
// team_join, and returns once the bot has handled it.
func (h *harness) joinTeam(u slacktest.User) {
	h.t.Helper()
	ctx := h.ctx()
	ack, err := h.slack.JoinTeam(ctx, u)
	if err != nil {
		h.t.Fatalf("team_join %s: %v", u.ID, err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
}

// welcomes counts the welcome DMs user got.
func (h *harness) welcomes(user string) int {
	return countContaining(h.slack.Messages(h.slack.DMChannel(user)), "I'm Rapport")
}

// Ensure someone who joins the workspace gets one welcome DM, at the start
// of their own working hours (Tokyo, 09:00 there), and never a second one:
// not when Slack sends the event again, nor after a restart.
func TestWelcomeDMInWorkingHoursOnce(t *testing.T) {
	r := startCoffeeBot(t, coffeeSetup{newcomer: 90}) // Monday 10:00 UTC: 19:00 in Tokyo
	kenji := slacktest.User{ID: "UKENJI", Name: "kenji", TZ: "Asia/Tokyo"}
	r.joinTeam(kenji)
	if p, err := r.db.Person("UKENJI"); err != nil || !p.JoinedWorkspace.Equal(monday) {
		t.Fatalf("Person(UKENJI) = %+v, %v; want JoinedWorkspace %v", p, err, monday)
	}
	r.joinTeam(kenji) // Slack sends it again, with a new event ID
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	r2 := startCoffeeBot(t, coffeeSetup{srv: r.slack, db: r.db, clock: r.clock, newcomer: 90})
	r2.joinTeam(kenji) // and again, to a new process
	if p, _ := r2.db.Person("UKENJI"); !p.JoinedWorkspace.Equal(monday) {
		t.Errorf("JoinedWorkspace = %v after the event came again, want the first join %v", p.JoinedWorkspace, monday)
	}

	seen, first := r2.firstSeen(func() string { return r2.slack.DMChannel("UKENJI") }, "I'm Rapport")
	r2.walk(monday, monday.Add(48*time.Hour), 30*time.Minute, seen)
	tokyoNine := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // Tuesday 09:00 in Tokyo
	if !first.Equal(tokyoNine) {
		t.Errorf("welcome DM first seen at %v, want %v: the start of Kenji's working day", *first, tokyoNine)
	}
	if got := r2.welcomes("UKENJI"); got != 1 {
		t.Errorf("Kenji got %d welcome DMs, want exactly 1", got)
	}
	dm := r2.waitDM("UKENJI", "I'm Rapport")
	for _, want := range []string{"/coffee pause", "/coffee leave", "mute_dm", `"value":"welcome"`} {
		if !strings.Contains(string(dm.Blocks)+dm.Text, want) {
			t.Errorf("welcome DM lacks %q: %s", want, dm.Blocks)
		}
	}
	// Its button turns welcome notes off, as every "Stop these" does.
	r2.click("UKENJI", r2.slack.DMChannel("UKENJI"), "mute_dm", "welcome")
	if p, _ := r2.db.Person("UKENJI"); !p.IsMuted(store.DMWelcome) {
		t.Errorf("Kenji's muted kinds = %v after Stop welcome notes, want welcome", p.Muted)
	}

	// Bots, guests and people of other organisations are not welcomed.
	r2.joinTeam(slacktest.User{ID: "UGUEST", Name: "guest", TZ: "UTC", IsRestricted: true})
	r2.joinTeam(slacktest.User{ID: "UHELPER", Name: "helper", TZ: "UTC", IsBot: true})
	r2.walk(monday.Add(48*time.Hour), monday.Add(72*time.Hour), time.Hour, nil)
	for _, u := range []string{"UGUEST", "UHELPER"} {
		if got := r2.welcomes(u); got != 0 {
			t.Errorf("%s got %d welcome DMs, want none", u, got)
		}
	}
}

// Ensure a person who turns welcome notes off before the welcome reaches
// them (it waits for their working hours) never gets it, and that with
// RAPPORT_NEWCOMER_DAYS 0 nobody is welcomed.
func TestWelcomeDMOptOut(t *testing.T) {
	r := startCoffeeBot(t, coffeeSetup{newcomer: 90})
	r.joinTeam(slacktest.User{ID: "UKENJI", Name: "kenji", TZ: "Asia/Tokyo"})
	r.click("UKENJI", r.slack.DMChannel("UKENJI"), "mute_dm", "welcome")
	r.walk(monday, monday.Add(48*time.Hour), time.Hour, nil)
	if got := r.welcomes("UKENJI"); got != 0 {
		t.Errorf("Kenji turned welcome notes off and got %d welcome DMs, want none", got)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	off := startCoffeeBot(t, coffeeSetup{srv: r.slack, db: storetest.MustOpen(t), clock: r.clock}) // newcomer days 0
	off.joinTeam(slacktest.User{ID: "UMIA", Name: "mia", TZ: "UTC"})
	off.walk(monday.Add(48*time.Hour), monday.Add(96*time.Hour), time.Hour, nil)
	if got := off.welcomes("UMIA"); got != 0 {
		t.Errorf("with RAPPORT_NEWCOMER_DAYS 0 Mia got %d welcome DMs, want none", got)
	}
	if p, err := off.db.Person("UMIA"); err == nil && !p.JoinedWorkspace.IsZero() {
		t.Errorf("with RAPPORT_NEWCOMER_DAYS 0 Mia's join was kept (%v): nothing uses it", p.JoinedWorkspace)
	}
}

// Ensure forget-me removes the recorded workspace join with the rest of the
// person, and that my-data shows it before.
func TestForgetMeRemovesJoinedWorkspace(t *testing.T) {
	r := startCoffeeBot(t, coffeeSetup{newcomer: 90})
	r.joinTeam(slacktest.User{ID: "UKENJI", Name: "kenji", TZ: "Asia/Tokyo"})
	var doc bytes.Buffer
	if _, err := r.db.UserExport(&doc, "UKENJI", monday); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.String(), `"joined_workspace": "2026-11-30T10:00:00Z"`) {
		t.Errorf("my-data lacks the workspace join:\n%s", doc.String())
	}
	r.forgetMe("UKENJI")
	if _, err := r.db.Person("UKENJI"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Person(UKENJI) after forget-me = %v, want ErrNotFound", err)
	}
}

// newcomerSlack is a fake Slack with n Berliners (UB00…), a coffee
// channel CCOFFEE (the bot and the Berliners in it) and a buddy channel
// CBUDDY holding the bot and vols.
func newcomerSlack(t *testing.T, c *clock, n int, vols ...string) *slacktest.Server {
	t.Helper()
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
	people := berliners(n)
	for _, u := range people {
		srv.AddUser(u)
	}
	srv.AddChannel("CCOFFEE", "coffee", false, append(ids(people), "UBOT")...)
	srv.AddChannel("CBUDDY", "buddies", false, append(slices.Clone(vols), "UBOT")...)
	return srv
}

// waitEnrolled waits until the channel's n members are enrolled (the
// bot reconciles the roster at start).
func (r *coffeeRig) waitEnrolled(n int) {
	r.t.Helper()
	for {
		ms, _ := r.db.CoffeeMembers()
		if len(ms) >= n {
			return
		}
		select {
		case <-r.ctx().Done():
			r.t.Fatalf("members = %d, want %d", len(ms), n)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// joinCoffeeChannel has u join the workspace's coffee channel.
func (r *coffeeRig) joinCoffeeChannel(u string) {
	r.t.Helper()
	r.event(slacktest.EventOptions{Event: map[string]any{"type": "member_joined_channel", "user": u, "channel": "CCOFFEE", "channel_type": "C"}})
}

// Ensure a newcomer's first round pairs them with a volunteer from the
// buddy channel, one newcomer per volunteer: three people who just joined
// (two the workspace, one the coffee channel) among nine who were there
// before Rapport, three of whom volunteered. People found in the channel
// at start are not newcomers.
func TestNewcomerFirstRoundWithBuddy(t *testing.T) {
	c := newClock(monday)
	vols := []string{"UB01", "UB04", "UB07"}
	srv := newcomerSlack(t, c, 9, vols...)
	r := startCoffeeBot(t, coffeeSetup{srv: srv, db: storetest.MustOpen(t), clock: c, channel: "CCOFFEE", buddies: "CBUDDY", newcomer: 90})
	r.waitEnrolled(9)
	for _, u := range []string{"UNEW1", "UNEW2"} {
		r.joinTeam(slacktest.User{ID: u, Name: strings.ToLower(u), TZ: "Europe/Berlin"})
		r.enrol(u)
	}
	srv.AddUser(slacktest.User{ID: "UNEW3", Name: "unew3", TZ: "Europe/Berlin"})
	r.joinCoffeeChannel("UNEW3")
	m, err := r.db.CoffeeMember("UNEW3")
	if err != nil || !m.JoinSeen {
		t.Fatalf("UNEW3 joined the channel: %+v, %v; want JoinSeen", m, err)
	}
	if m, _ := r.db.CoffeeMember("UB00"); m.JoinSeen {
		t.Errorf("UB00, in the channel when Rapport started, has JoinSeen: a fresh install would make everyone a newcomer")
	}

	rd := r.round(monday.Add(time.Hour))
	got := map[string]string{}
	for _, g := range rd.Groups {
		for _, n := range []string{"UNEW1", "UNEW2", "UNEW3"} {
			if !slices.Contains(g.Members, n) {
				continue
			}
			if len(g.Members) != 2 {
				t.Errorf("%s's first group is %v, want a pair with a buddy", n, g.Members)
			}
			for _, v := range vols {
				if slices.Contains(g.Members, v) {
					got[n] = v
				}
			}
		}
	}
	used := map[string]bool{}
	for _, n := range []string{"UNEW1", "UNEW2", "UNEW3"} {
		v, ok := got[n]
		if !ok {
			t.Errorf("%s's first round has no volunteer: groups %v", n, members(rd))
			continue
		}
		if used[v] {
			t.Errorf("volunteer %s has two newcomers: groups %v", v, members(rd))
		}
		used[v] = true
	}
	// The intro says so, kindly.
	for _, g := range rd.Groups {
		if !slices.Contains(g.Members, "UNEW1") {
			continue
		}
		intro, err := r.slack.WaitForMessage(r.ctx(), g.Channel, func(m slacktest.Message) bool { return strings.Contains(string(m.Blocks), "coffee_met") })
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body(intro), "new here") || !strings.Contains(body(intro), "buddy") {
			t.Errorf("buddy intro does not say one is new and the other a buddy: %s", body(intro))
		}
	}
	for _, g := range rd.Groups {
		if slices.ContainsFunc(g.Members, func(u string) bool { return strings.HasPrefix(u, "UNEW") }) {
			continue
		}
		intro, err := r.slack.WaitForMessage(r.ctx(), g.Channel, func(m slacktest.Message) bool { return strings.Contains(string(m.Blocks), "coffee_met") })
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(body(intro), "buddy") {
			t.Errorf("an intro without a newcomer speaks of a buddy: %s", body(intro))
		}
	}
}

// neverOutside sets each person's never list to everyone outside their
// own triple, and the newcomer and the other of a triple never together,
// so that each triple has one place for two people: its anchor pairs with
// the newcomer or the other, and one of them must sit out.
func (r *coffeeRig) neverOutside(triples [][3]string) {
	r.t.Helper()
	for k, tr := range triples {
		for _, u := range tr {
			var never []string
			for j, other := range triples {
				if j != k {
					never = append(never, other[:]...)
				}
			}
			if u == tr[0] {
				never = append(never, tr[2])
			}
			if _, _, err := r.db.UpdateCoffeeMember(u, func(m *store.CoffeeMember) error {
				m.Via, m.Never = store.ViaCommand, never
				return nil
			}, store.Effects{}); err != nil {
				r.t.Fatal(err)
			}
		}
	}
}

// tripleRound runs a round of six triples {newcomer, anchor, other}, the
// newcomers having joined the workspace at joined, and returns who sat out.
func tripleRound(t *testing.T, joined, at time.Time) []string {
	r := startCoffeeBot(t, coffeeSetup{users: berliners(12), newcomer: 90, clock: newClock(joined)})
	var triples [][3]string
	for k := range 6 {
		n := fmt.Sprintf("UNEW%d", k)
		r.joinTeam(slacktest.User{ID: n, Name: strings.ToLower(n), TZ: "Europe/Berlin"})
		triples = append(triples, [3]string{n, fmt.Sprintf("UB%02d", 2*k), fmt.Sprintf("UB%02d", 2*k+1)})
	}
	r.neverOutside(triples)
	// Each anchor met both before, so nobody's first round is this one
	// and neither choice is newer than the other.
	for i, pair := range [][2]int{{0, 1}, {1, 2}} {
		past := store.Round{At: joined.Add(time.Duration(i+1) * time.Hour)}
		for _, tr := range triples {
			past.Groups = append(past.Groups, store.CoffeeGroup{Members: []string{tr[pair[0]], tr[pair[1]]}, Icebreaker: -1})
		}
		if _, _, err := r.db.CreateRound(past); err != nil {
			t.Fatal(err)
		}
	}
	rd := r.round(at)
	var out []string
	for _, s := range rd.SitOut {
		out = append(out, s.User)
	}
	return out
}

// Ensure a newcomer is never the one who sits out when someone else can:
// in six triples where one of two must sit out, the six who sit out are
// never the newcomers. After RAPPORT_NEWCOMER_DAYS they are ordinary, and
// the same round leaves some of them out.
func TestNewcomerNeverSitsOut(t *testing.T) {
	out := tripleRound(t, monday, monday.AddDate(0, 0, 7))
	if len(out) != 6 {
		t.Fatalf("sat out %v, want six: one in each triple", out)
	}
	for _, u := range out {
		if strings.HasPrefix(u, "UNEW") {
			t.Errorf("newcomer %s sat out (sit-outs %v) while the other of the triple could", u, out)
		}
	}

	late := tripleRound(t, monday, monday.AddDate(0, 0, 91))
	if !slices.ContainsFunc(late, func(u string) bool { return strings.HasPrefix(u, "UNEW") }) {
		t.Errorf("91 days after joining nobody of the six sat out (sit-outs %v): they are still treated as newcomers", late)
	}
}

// Ensure a buddy channel Rapport cannot read (private, and Rapport not
// invited) leaves newcomers without a buddy but runs the round, and says
// why and how to fix it in the log.
func TestBuddyChannelNotReadable(t *testing.T) {
	c := newClock(monday)
	srv := newcomerSlack(t, c, 4)
	srv.AddChannel("CSECRET", "buddies", true, "UB01", "UB02") // private, without the bot
	var log syncBuffer
	r := startCoffeeBot(t, coffeeSetup{srv: srv, db: storetest.MustOpen(t), clock: c, channel: "CCOFFEE", buddies: "CSECRET", newcomer: 90, log: &log})
	r.waitEnrolled(4)
	r.joinTeam(slacktest.User{ID: "UNEW1", Name: "unew1", TZ: "Europe/Berlin"})
	r.enrol("UNEW1")
	rd := r.round(monday.Add(time.Hour))
	placed := 0
	for _, g := range rd.Groups {
		placed += len(g.Members)
		if g.Buddy {
			t.Errorf("group %v is a buddy group, but no volunteer could be read", g.Members)
		}
	}
	if placed != 5 {
		t.Errorf("groups %v place %d people, want all 5", members(rd), placed)
	}
	if !strings.Contains(log.String(), "RAPPORT_BUDDY_CHANNEL") || !strings.Contains(log.String(), "/invite @rapport") {
		t.Errorf("log does not name RAPPORT_BUDDY_CHANNEL and the fix:\n%s", log.String())
	}
}
