package bot_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/pairing"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/scheduler"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// monday 10:00 UTC: inside working hours in Berlin (11:00) and London.
var monday = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

type coffeeRig struct {
	*harness
	clock *clock
}

type coffeeSetup struct {
	users     []slacktest.User // besides alice (Berlin) and bob (New York)
	admins    []string
	groupSize int
	headsUp   time.Duration
	loc       *time.Location // zone of the schedule (Monday 10:00); UTC when nil
	silent    int            // RAPPORT_COFFEE_SILENT_ROUNDS; 0 means 3, negative means off
	channel   string
	srv       *slacktest.Server
	db        *store.DB
	clock     *clock
	store     func(*store.DB) bot.Store // wraps the bot's store (injected failures)
	teams     bot.TeamOptions
	crossTeam pairing.CrossTeam
	newcomer  int       // RAPPORT_NEWCOMER_DAYS; 0: off
	buddies   string    // RAPPORT_BUDDY_CHANNEL
	celebrate string    // RAPPORT_CELEBRATIONS_CHANNEL
	log       io.Writer // also receives the bot's log
}

// startCoffeeBot runs the bot and a coffee scheduler on the same store,
// with a settable clock.
func startCoffeeBot(t *testing.T, cs coffeeSetup) *coffeeRig {
	t.Helper()
	c := cs.clock
	if c == nil {
		c = newClock(monday)
	}
	srv := cs.srv
	if srv == nil {
		srv = slacktest.New(slacktest.Options{Now: c.Now})
		t.Cleanup(srv.Close)
		srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
		srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
		srv.AddUser(slacktest.User{ID: "UADMIN", Name: "admin", TZ: "Europe/London", IsAdmin: true})
		srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
		for _, u := range cs.users {
			srv.AddUser(u)
		}
	}
	rig := &coffeeRig{clock: c}
	if cs.groupSize == 0 {
		cs.groupSize = 2
	}
	h := startBot(t, withState(srv, cs.db), withStore(cs.store), withLog(cs.log), withOptions(func(o *bot.Options) {
		o.Now = c.Now
		o.Admins = cs.admins
		o.Location = cmp.Or(cs.loc, time.UTC) // the zone of the schedule
		o.Teams = cs.teams
		o.NewcomerDays = cs.newcomer
		o.CelebrationsChannel = cs.celebrate
		o.Coffee = bot.CoffeeOptions{
			Channel:        cs.channel,
			BuddyChannel:   cs.buddies,
			Schedule:       mustSchedule(t, "0 10 * * MON"),
			Cadence:        store.CadenceWeekly,
			GroupSize:      cs.groupSize,
			DidYouMeetDays: 4,
			HeadsUp:        cs.headsUp,
			SilentRounds:   max(cmp.Or(cs.silent, 3), 0),
			MinOverlap:     time.Hour,
			CrossTeam:      cs.crossTeam,
		}
	}))
	rig.harness = h
	return rig
}

// mustSchedule parses a cron spec as the bot's configuration does.
func mustSchedule(t testing.TB, spec string) bot.Schedule {
	t.Helper()
	s, err := scheduler.ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func berliners(n int) []slacktest.User {
	var out []slacktest.User
	for i := range n {
		out = append(out, slacktest.User{ID: fmt.Sprintf("UB%02d", i), Name: fmt.Sprintf("b%02d", i), TZ: "Europe/Berlin"})
	}
	return out
}

func ids(us []slacktest.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.ID)
	}
	return out
}

// enrol makes people members as if they had joined earlier.
func (r *coffeeRig) enrol(users ...string) {
	r.t.Helper()
	for _, u := range users {
		if _, _, err := r.db.UpdateCoffeeMember(u, func(m *store.CoffeeMember) error { m.Via = store.ViaCommand; return nil }, store.Effects{}); err != nil {
			r.t.Fatal(err)
		}
	}
}

// round runs the round at at and waits until every intro due by then was
// posted (an intro waits for its group's shared working hours).
func (r *coffeeRig) round(at time.Time) store.Round {
	r.t.Helper()
	r.clock.Set(at)
	if err := r.bot.RunCoffeeRound(r.ctx(), at); err != nil {
		r.t.Fatalf("round at %v: %v", at, err)
	}
	rd, err := r.db.RoundAt(at)
	if err != nil {
		r.t.Fatalf("no round stored at %v: %v", at, err)
	}
	for gi, g := range rd.Groups {
		if o, err := r.db.OutgoingByKey(fmt.Sprintf("coffee:%d:%d:intro", rd.ID, gi)); err == nil && o.NotBefore.After(at) {
			continue
		}
		if _, err := r.slack.WaitForMessage(r.ctx(), g.Channel, func(m slacktest.Message) bool { return strings.Contains(m.Text+string(m.Blocks), "coffee_met") }); err != nil {
			r.t.Fatalf("no intro in %s for %v: %v", g.Channel, g.Members, err)
		}
	}
	return rd
}

// walk moves the clock from from to to (excluded) in steps, and at each
// step runs the coffee tick (heads-ups, did-you-meet questions) and delivers what the
// outbox holds due, as the scheduler does; then calls each, if not nil.
func (r *coffeeRig) walk(from, to time.Time, step time.Duration, each func(at time.Time)) {
	r.t.Helper()
	for at := from; at.Before(to); at = at.Add(step) {
		r.clock.Set(at)
		if err := r.bot.CoffeeTick(r.ctx(), at); err != nil {
			r.t.Fatalf("coffee tick at %v: %v", at, err)
		}
		if _, err := r.bot.DeliverDue(r.ctx(), at); err != nil {
			r.t.Fatalf("outbox at %v: %v", at, err)
		}
		if each != nil {
			each(at)
		}
	}
}

// runCoffeeTicks runs the coffee jobs other than the rounds themselves
// (the hourly tick: heads-ups, did-you-meet questions, silence) over (from, to] through a
// real scheduler, as missed runs are caught up after downtime.
func (r *coffeeRig) runCoffeeTicks(from, to time.Time) {
	r.t.Helper()
	sched, err := scheduler.New(r.db, scheduler.Options{Location: time.UTC, Now: r.clock.Now, Log: discardLog()})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := sched.Register(scheduler.Job{Name: bot.JobCoffeeTick, Spec: "@every 1h", Run: r.bot.CoffeeTick}); err != nil {
		r.t.Fatal(err)
	}
	if err := sched.RunDue(r.ctx(), from, to); err != nil {
		r.t.Fatal(err)
	}
}

// firstSeen returns when, during a walk, a message containing want first
// showed in channel; call its func after each step.
func (r *coffeeRig) firstSeen(channel func() string, want string) (func(at time.Time), *time.Time) {
	seen := new(time.Time)
	return func(at time.Time) {
		if seen.IsZero() && countContaining(r.slack.Messages(channel()), want) > 0 {
			*seen = at
		}
	}, seen
}

func (r *coffeeRig) coffeeCmd(user, text string) string {
	r.t.Helper()
	r.command(user, "/coffee", text)
	_, content := r.lastResponse()
	return content
}

func (r *harness) click(user, channel, actionID, value string) {
	r.t.Helper()
	ctx := r.ctx()
	ack, err := r.slack.Interaction(ctx, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user},
		"channel": map[string]any{"id": channel},
		"actions": []any{map[string]any{"type": "button", "block_id": "b", "action_id": actionID, "value": value}},
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.markSent(ack.EnvelopeID)
	r.waitHandled(ctx, ack.EnvelopeID)
}

func members(rd store.Round) [][]string {
	var out [][]string
	for _, g := range rd.Groups {
		out = append(out, g.Members)
	}
	return out
}

// Ensure a round of 9 members, one a bot, one deactivated and one paused,
// groups the 6 eligible people exactly once, each group in its own DM with
// an intro.
func TestCoffeeRoundSkipsIneligible(t *testing.T) {
	people := berliners(6)
	extra := []slacktest.User{
		{ID: "UROBOT", Name: "robot", IsBot: true, TZ: "Europe/Berlin"},
		{ID: "UGONE", Name: "gone", Deleted: true, TZ: "Europe/Berlin"},
		{ID: "UPAUSED", Name: "paused", TZ: "Europe/Berlin"},
	}
	r := startCoffeeBot(t, coffeeSetup{users: append(people, extra...)})
	r.enrol(append(ids(people), "UROBOT", "UGONE", "UPAUSED")...)
	r.coffeeCmd("UPAUSED", "pause for 2 weeks")
	rd := r.round(monday)
	if len(rd.Groups) != 3 {
		t.Fatalf("groups = %v, want 3", members(rd))
	}
	var got []string
	for _, g := range rd.Groups {
		if len(g.Members) != 2 {
			t.Errorf("group %v: want a pair", g.Members)
		}
		got = append(got, g.Members...)
		if n := len(r.slack.Messages(g.Channel)); n != 1 {
			t.Errorf("group %v got %d messages, want one intro", g.Members, n)
		}
	}
	slices.Sort(got)
	if want := ids(people); !slices.Equal(got, want) {
		t.Errorf("grouped %v, want exactly %v", got, want)
	}
	if opens := r.slack.CallsTo("conversations.open"); len(opens) != 3 {
		t.Errorf("conversations.open calls = %d, want 3", len(opens))
	}
}

// Ensure 7 weekly rounds of 8 people never repeat a pair.
func TestCoffeeSevenRoundsNoRepeats(t *testing.T) {
	people := berliners(8)
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	seen := map[[2]string]int{}
	for week := range 7 {
		rd := r.round(monday.AddDate(0, 0, 7*week))
		if len(rd.Groups) != 4 {
			t.Fatalf("week %d: groups = %v", week, members(rd))
		}
		for gi, g := range rd.Groups {
			pair := [2]string{g.Members[0], g.Members[1]}
			if prev, ok := seen[pair]; ok {
				t.Errorf("week %d repeats %v from week %d", week, pair, prev)
			}
			seen[pair] = week
			r.click(g.Members[0], g.Channel, "coffee_met", fmt.Sprintf("%d:%d", rd.ID, gi))
		}
	}
	if len(seen) != 28 {
		t.Errorf("distinct pairs = %d, want all 28", len(seen))
	}
}

// Ensure people whose working hours never overlap are never paired.
func TestCoffeeRespectsTimeZones(t *testing.T) {
	users := []slacktest.User{
		{ID: "UBER1", Name: "ber1", TZ: "Europe/Berlin"},
		{ID: "UBER2", Name: "ber2", TZ: "Europe/Berlin"},
		{ID: "ULAX1", Name: "lax1", TZ: "America/Los_Angeles"},
		{ID: "ULAX2", Name: "lax2", TZ: "America/Los_Angeles"},
	}
	r := startCoffeeBot(t, coffeeSetup{users: users})
	r.enrol(ids(users)...)
	for week := range 3 {
		rd := r.round(monday.AddDate(0, 0, 7*week))
		for _, g := range rd.Groups {
			if g.Members[0][1:4] != g.Members[1][1:4] {
				t.Errorf("week %d paired %v across Berlin and Los Angeles", week, g.Members)
			}
		}
		for gi, g := range rd.Groups {
			r.click(g.Members[0], g.Channel, "coffee_met", fmt.Sprintf("%d:%d", rd.ID, gi))
		}
	}
	// The intro shows the shared hours in each person's zone.
	rd, _ := r.db.RoundAt(monday)
	intro := body(r.slack.Messages(rd.Groups[rd.Group("UBER1")].Channel)[0])
	if !strings.Contains(intro, "Mon–Fri 09:00–18:00") {
		t.Errorf("intro lacks the shared hours: %s", intro)
	}
}

// Ensure a restart halfway through delivering a round opens each group DM
// once, posts each intro once, and pairs nobody again.
func TestCoffeeRoundResumesAfterRestart(t *testing.T) {
	people := berliners(8)
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	// The third conversations.open hangs; the process dies while waiting.
	r.slack.InjectFaults("conversations.open", slacktest.Fault{}, slacktest.Fault{}, slacktest.Fault{Hang: true})
	ctx, cancel := context.WithCancel(r.ctx())
	done := make(chan error, 1)
	go func() { done <- r.bot.RunCoffeeRound(ctx, monday) }()
	if _, err := r.slack.WaitForCalls(r.ctx(), "conversations.open", 3, nil); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the interrupted round reported success")
	}
	before, err := r.db.RoundAt(monday)
	if err != nil {
		t.Fatalf("the round was not stored before delivery: %v", err)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	// Restart: a new process on the same Slack and database.
	r2 := startCoffeeBot(t, coffeeSetup{srv: r.slack, db: r.db, clock: r.clock})
	if err := r2.bot.RunCoffeeRound(r2.ctx(), monday); err != nil {
		t.Fatalf("resumed round: %v", err)
	}
	after, _ := r2.db.RoundAt(monday)
	if !slices.EqualFunc(members(before), members(after), slices.Equal) || before.ID != after.ID {
		t.Fatalf("the restart re-paired: %v then %v", members(before), members(after))
	}
	opened := map[string]int{}
	for _, c := range r2.slack.CallsTo("conversations.open") {
		opened[c.Params["users"]]++
	}
	for _, g := range after.Groups {
		key := strings.Join(g.Members, ",")
		// A group whose open was in flight when the process died (no
		// answer recorded) is opened again after the restart; Slack's
		// conversations.open returns the same group DM for the same
		// people, so that is never a second DM. Nothing is opened more.
		if opened[key] < 1 || opened[key] > 2 {
			t.Errorf("group %v opened %d times, want once (twice if it was in flight at the crash)", g.Members, opened[key])
		}
		if g.Channel == "" {
			t.Errorf("group %v has no DM after the restart", g.Members)
		}
		if _, err := r2.slack.WaitForMessage(r2.ctx(), g.Channel, func(m slacktest.Message) bool { return strings.Contains(string(m.Blocks), "coffee_met") }); err != nil {
			t.Errorf("group %v has no intro: %v", g.Members, err)
		}
	}
	if _, err := r2.bot.DeliverDue(r2.ctx(), monday); err != nil {
		t.Fatal(err)
	}
	for _, g := range after.Groups {
		if n := len(r2.slack.Messages(g.Channel)); n != 1 {
			t.Errorf("group %v has %d messages, want exactly one intro", g.Members, n)
		}
	}
}

// Ensure /coffee now is for admins: others are refused politely and no
// round starts; an admin (workspace admin or RAPPORT_ADMINS) starts one.
func TestCoffeeNowAdminsOnly(t *testing.T) {
	people := berliners(2)
	r := startCoffeeBot(t, coffeeSetup{users: people, admins: []string{"UB00"}})
	r.enrol(ids(people)...)
	if got := r.coffeeCmd("UALICE", "now"); !strings.Contains(got, "Only Rapport admins") {
		t.Errorf("non-admin /coffee now = %q", got)
	}
	if _, ok, _ := r.db.LastRound(); ok {
		t.Fatal("a non-admin started a round")
	}
	if got := r.coffeeCmd("UALICE", "stats"); !strings.Contains(got, "Only Rapport admins") {
		t.Errorf("non-admin /coffee stats = %q", got)
	}
	r.coffeeCmd("UADMIN", "now") // a workspace admin
	if last, ok, _ := r.db.LastRound(); !ok || !last.Manual || len(last.Groups) != 1 {
		t.Fatalf("admin /coffee now: last round = %+v, %v", last, ok)
	}
	r.coffeeCmd("UB00", "stats") // in RAPPORT_ADMINS
	if _, content := r.lastResponse(); !strings.Contains(content, "1") || strings.Contains(content, "Only Rapport admins") {
		t.Errorf("stats for a RAPPORT_ADMINS member = %q", content)
	}
}

// Ensure the heads-up goes out before a scheduled round, and "Skip this
// round" keeps that person out of it (and only it).
func TestCoffeeHeadsUpSkip(t *testing.T) {
	people := berliners(3)
	r := startCoffeeBot(t, coffeeSetup{users: people, headsUp: 24 * time.Hour})
	r.enrol(ids(people)...)
	sunday := monday.Add(-23 * time.Hour) // Sunday 11:00 UTC, outside working days
	r.clock.Set(sunday)
	r.runCoffeeTicks(sunday.Add(-time.Hour), sunday)
	// The heads-up waits for Monday 09:00 in Berlin, before the 10:00 UTC round.
	morning := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	r.clock.Set(morning)
	if _, err := r.bot.DeliverDue(r.ctx(), morning); err != nil {
		t.Fatal(err)
	}
	dm := r.waitDM("UB00", "coffee_skip")
	if !strings.Contains(body(dm), fmt.Sprint(monday.Unix())) {
		t.Errorf("heads-up does not name the round: %s", body(dm))
	}
	r.click("UB00", r.slack.DMChannel("UB00"), "coffee_skip", fmt.Sprint(monday.Unix()))
	rd := r.round(monday)
	for _, g := range rd.Groups {
		if slices.Contains(g.Members, "UB00") {
			t.Errorf("UB00 skipped this round but is in %v", g.Members)
		}
	}
	if len(rd.Groups) != 1 {
		t.Errorf("groups = %v, want the two others together", members(rd))
	}
	rd2 := r.round(monday.AddDate(0, 0, 7))
	if rd2.Group("UB00") < 0 {
		t.Errorf("UB00 is not back in the next round: %v", members(rd2))
	}
}

// Ensure a heads-up never arrives after its round has started, even when
// it was queued too late for the recipient's last working window before
// the round (the bot was down all Friday): New York and São Paulo, whose
// Monday begins after the round, get nothing rather than a late one;
// Berlin, whose day begins before it, gets it.
func TestCoffeeHeadsUpExpires(t *testing.T) {
	people := []slacktest.User{
		{ID: "UBER", Name: "ber", TZ: "Europe/Berlin"},     // 09:00 = 08:00 UTC, before the 10:00 UTC round
		{ID: "UNYC", Name: "nyc", TZ: "America/New_York"},  // 09:00 = 14:00 UTC, after it
		{ID: "USAO", Name: "sao", TZ: "America/Sao_Paulo"}, // 09:00 = 12:00 UTC, after it
	}
	r := startCoffeeBot(t, coffeeSetup{users: people, headsUp: 24 * time.Hour})
	r.enrol(ids(people)...)
	sunday := monday.Add(-23 * time.Hour)
	r.clock.Set(sunday)
	if err := r.bot.CoffeeTick(r.ctx(), sunday); err != nil { // plans the heads-ups due a day before
		t.Fatal(err)
	}
	// Every hour from Sunday to Tuesday, as the tick would.
	for at := sunday; at.Before(monday.Add(30 * time.Hour)); at = at.Add(time.Hour) {
		r.clock.Set(at)
		if _, err := r.bot.DeliverDue(r.ctx(), at); err != nil {
			t.Fatal(err)
		}
	}
	headsUps := func(user string) int {
		n := 0
		for _, m := range r.slack.Messages(r.slack.DMChannel(user)) {
			if strings.Contains(string(m.Blocks), "coffee_skip") {
				n++
			}
		}
		return n
	}
	if n := headsUps("UBER"); n != 1 {
		t.Errorf("Berlin got %d heads-ups, want 1 (Monday 09:00, before the round)", n)
	}
	for _, u := range []string{"UNYC", "USAO"} {
		if n := headsUps(u); n != 0 {
			t.Errorf("%s got %d heads-ups after the round had started, want 0", u, n)
		}
	}
	if pending, err := r.db.DueOutgoing(monday.AddDate(0, 0, 30), 0); err != nil || len(pending) != 0 {
		t.Errorf("outbox still holds %d items (%v), want the late heads-ups dropped", len(pending), err)
	}
}

// Ensure "Can't make it" is recorded and tells the others kindly, once;
// the pair does not count as having met; a stranger's click changes nothing.
func TestCoffeeCantMakeIt(t *testing.T) {
	people := berliners(2)
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	rd := r.round(monday)
	g := rd.Groups[0]
	value := fmt.Sprintf("%d:0", rd.ID)
	r.click("UB00", g.Channel, "coffee_cant", value)
	r.click("UB00", g.Channel, "coffee_cant", value)
	if _, err := r.slack.WaitForMessage(r.ctx(), g.Channel, func(m slacktest.Message) bool { return strings.Contains(m.Text, "can't make it") }); err != nil {
		t.Fatal(err)
	}
	if _, err := r.bot.DeliverDue(r.ctx(), monday); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range r.slack.Messages(g.Channel) {
		if strings.Contains(m.Text, "can't make it") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("\"can't make it\" notes = %d, want 1", n)
	}
	meetings, _ := r.db.CoffeeMeetings(monday.Add(-time.Hour))
	if len(meetings) != 1 || meetings[0].Met {
		t.Errorf("meetings = %+v, want the pair recorded as not met", meetings)
	}
	// Someone outside the group clicks the same button: nothing changes.
	r.click("UALICE", g.Channel, "coffee_met", value)
	after, _ := r.db.Round(rd.ID)
	if _, ok := after.Groups[0].Answers["UALICE"]; ok {
		t.Error("a click from outside the group was recorded")
	}
	if _, content := r.lastResponse(); !strings.Contains(content, "for the people in that coffee chat") {
		t.Errorf("outsider's click reply = %q", content)
	}
}

// Ensure "did you meet?" is asked in the group DM after the did-you-meet days,
// unless answered, and that answers are recorded.
func TestCoffeeCheckinAnswers(t *testing.T) {
	people := berliners(4)
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	rd := r.round(monday)
	r.click(rd.Groups[0].Members[0], rd.Groups[0].Channel, "coffee_met", fmt.Sprintf("%d:0", rd.ID))

	friday := monday.AddDate(0, 0, 4)
	r.clock.Set(friday)
	r.runCoffeeTicks(monday, friday)
	if _, err := r.bot.DeliverDue(r.ctx(), friday); err != nil {
		t.Fatal(err)
	}
	asked, err := r.slack.WaitForMessage(r.ctx(), rd.Groups[1].Channel, func(m slacktest.Message) bool { return strings.Contains(string(m.Blocks), "coffee_checkin") })
	if err != nil {
		t.Fatalf("group 1 was not asked: %v", err)
	}
	if strings.Contains(fmt.Sprint(r.slack.Messages(rd.Groups[0].Channel)), "coffee_checkin") {
		t.Error("group 0 already said they met, but was asked again")
	}
	_ = asked
	u := rd.Groups[1].Members[1]
	r.click(u, rd.Groups[1].Channel, "coffee_checkin_not_yet", fmt.Sprintf("%d:1:not_yet", rd.ID))
	got, _ := r.db.Round(rd.ID)
	if got.Groups[1].Answers[u] != store.AnswerNotYet {
		t.Errorf("answer = %q, want not_yet", got.Groups[1].Answers[u])
	}
	// A second tick does not ask again.
	r.runCoffeeTicks(friday, friday.Add(3*time.Hour))
	if _, err := r.bot.DeliverDue(r.ctx(), friday.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range r.slack.Messages(rd.Groups[1].Channel) {
		if strings.Contains(string(m.Blocks), "coffee_checkin") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("did-you-meet questions in group 1 = %d, want 1", n)
	}
}

// Ensure joining, pausing, never-lists, status and leaving work from the
// command, and the channel enrols and unenrols its members.
func TestCoffeeMembership(t *testing.T) {
	r := startCoffeeBot(t, coffeeSetup{users: berliners(2), channel: "CCOFFEE"})
	if got := r.coffeeCmd("UALICE", "join"); !strings.Contains(got, "You're in") {
		t.Errorf("join = %q", got)
	}
	if got := r.coffeeCmd("UALICE", "pause until 2026-12-24"); !strings.Contains(got, "Paused until") {
		t.Errorf("pause = %q", got)
	}
	if m, _ := r.db.CoffeeMember("UALICE"); !m.PausedUntil.Equal(time.Date(2026, 12, 24, 0, 0, 0, 0, mustZone(t, "Europe/Berlin"))) {
		t.Errorf("paused until %v, want 24 Dec in Alice's zone", m.PausedUntil)
	}
	if got := r.coffeeCmd("UALICE", "pause until yesterday-ish"); !strings.Contains(got, "/coffee pause for 2 weeks") {
		t.Errorf("bad pause = %q, want examples", got)
	}
	r.coffeeCmd("UALICE", "resume")
	r.coffeeCmd("UALICE", "never <@UBOB|bob>")
	if m, _ := r.db.CoffeeMember("UALICE"); !slices.Equal(m.Never, []string{"UBOB"}) {
		t.Errorf("never list = %v", m.Never)
	}
	if got := r.coffeeCmd("UALICE", "status"); !strings.Contains(got, "1") {
		t.Errorf("status = %q", got)
	}
	r.coffeeCmd("UALICE", "allow <@UBOB>")
	if m, _ := r.db.CoffeeMember("UALICE"); len(m.Never) != 0 {
		t.Errorf("allow left %v", m.Never)
	}
	if got := r.coffeeCmd("UALICE", "leave"); !strings.Contains(got, "left coffee") {
		t.Errorf("leave = %q", got)
	}
	if _, err := r.db.CoffeeMember("UALICE"); err == nil {
		t.Error("still a member after leave")
	}
	if got := r.coffeeCmd("UALICE", "dance"); !strings.Contains(got, "/coffee join") {
		t.Errorf("unknown subcommand = %q, want usage", got)
	}

	r.event(slacktest.EventOptions{Event: map[string]any{"type": "member_joined_channel", "user": "UB00", "channel": "CCOFFEE", "channel_type": "C"}})
	if m, err := r.db.CoffeeMember("UB00"); err != nil || m.Via != store.ViaChannel {
		t.Fatalf("joining the coffee channel: %+v, %v", m, err)
	}
	r.event(slacktest.EventOptions{Event: map[string]any{"type": "member_joined_channel", "user": "UB01", "channel": "COTHER", "channel_type": "C"}})
	if _, err := r.db.CoffeeMember("UB01"); err == nil {
		t.Error("joining another channel enrolled UB01")
	}
	r.event(slacktest.EventOptions{Event: map[string]any{"type": "member_left_channel", "user": "UB00", "channel": "CCOFFEE", "channel_type": "C"}})
	if _, err := r.db.CoffeeMember("UB00"); err == nil {
		t.Error("leaving the coffee channel kept UB00 enrolled")
	}
}

// Ensure the roster is reconciled with the coffee channel at start.
func TestCoffeeReconcileAtStart(t *testing.T) {
	c := newClock(monday)
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	var many []string
	for i := range 250 { // more than one page of conversations.members
		u := slacktest.User{ID: fmt.Sprintf("UM%03d", i), Name: fmt.Sprintf("m%03d", i), TZ: "Europe/Berlin"}
		srv.AddUser(u)
		many = append(many, u.ID)
	}
	srv.AddUser(slacktest.User{ID: "UROBOT", Name: "robot", IsBot: true})
	srv.AddChannel("CCOFFEE", "coffee", false, append(many, "UROBOT", "UBOT")...)
	db := storetest.MustOpen(t)
	// Someone enrolled by the channel earlier has left it meanwhile.
	db.UpdateCoffeeMember("UM999", func(m *store.CoffeeMember) error { m.Via = store.ViaChannel; return nil }, store.Effects{})
	r := startCoffeeBot(t, coffeeSetup{srv: srv, db: db, clock: c, channel: "CCOFFEE"})
	ctx := r.ctx()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		ms, _ := r.db.CoffeeMembers()
		if len(ms) == 250 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("members after reconcile = %d, want 250 (the humans in the channel)", len(ms))
		case <-tick.C:
		}
	}
	if pages := r.slack.CallsTo("conversations.members"); len(pages) != 2 {
		t.Errorf("conversations.members pages = %d, want 2", len(pages))
	}
	if _, err := r.db.CoffeeMember("UM999"); err == nil {
		t.Error("a member who left the channel is still enrolled")
	}
}

// Ensure someone who answers nothing for three rounds is asked "still up
// for coffee chats?" once, in their working hours before the round that
// would pause them, and not before; then, still silent, is paused visibly:
// told, left out of the round, shown as paused with Resume in /coffee
// status and on the Home; and Resume brings them back.
func TestCoffeeSilentAskedThenPaused(t *testing.T) {
	people := berliners(4)
	r := startCoffeeBot(t, coffeeSetup{users: people, headsUp: 24 * time.Hour})
	r.enrol(ids(people)...)
	berlin := mustZone(t, "Europe/Berlin")
	var askedAt []time.Time
	watch := func(at time.Time) {
		if n := countContaining(r.slack.Messages(r.slack.DMChannel("UB00")), "Still up for coffee chats"); n > len(askedAt) {
			askedAt = append(askedAt, at)
		}
	}
	for week := range 3 {
		rd := r.round(monday.AddDate(0, 0, 7*week))
		// Everyone answers but UB00; UB00's partner says "not yet", which
		// (unlike "we met") does not speak for UB00.
		for gi, g := range rd.Groups {
			answer := "yes"
			if slices.Contains(g.Members, "UB00") {
				answer = "not_yet"
			}
			for _, u := range g.Members {
				if u != "UB00" {
					r.click(u, g.Channel, "coffee_checkin", fmt.Sprintf("%d:%d:%s", rd.ID, gi, answer))
				}
			}
		}
		r.walk(rd.At.Add(time.Hour), rd.At.AddDate(0, 0, 7), time.Hour, watch)
		if week < 2 && len(askedAt) > 0 {
			t.Fatalf("UB00 was asked after %d silent rounds, at %v; want only before the round that would pause them", week+1, askedAt)
		}
	}
	fourth := monday.AddDate(0, 0, 21)
	if len(askedAt) != 1 || !askedAt[0].Before(fourth) || !store.DefaultWorkWeek.Contains(askedAt[0], berlin) {
		t.Fatalf("UB00 asked at %v, want once, inside Berlin working hours, before the round at %v", askedAt, fourth)
	}
	for _, u := range []string{"UB01", "UB02", "UB03"} {
		if n := countContaining(r.slack.Messages(r.slack.DMChannel(u)), "Still up for coffee chats"); n != 0 {
			t.Errorf("%s answered every round but was asked whether still up", u)
		}
	}
	// The question replaces the heads-up for that round: "you're in —
	// nothing to do" beside it would contradict it.
	headsUps := func(u string) int { return countContaining(r.slack.Messages(r.slack.DMChannel(u)), "Heads-up") }
	if a, b := headsUps("UB00"), headsUps("UB01"); a != b-1 || b == 0 {
		t.Errorf("heads-ups: UB00 got %d, UB01 %d; want UB00 one fewer (none beside the question before round 4)", a, b)
	}
	rd := r.round(fourth)
	if rd.Group("UB00") >= 0 {
		t.Errorf("UB00 was asked, stayed silent, but is in round 4: %v", members(rd))
	}
	if _, err := r.bot.DeliverDue(r.ctx(), fourth); err != nil {
		t.Fatal(err)
	}
	r.waitDM("UB00", "I've paused your coffee chats")
	if got := r.coffeeCmd("UB00", "status"); !strings.Contains(got, "*paused*") || !strings.Contains(got, "coffee_stay") || strings.Contains(got, "You're in coffee chats (") {
		t.Errorf("/coffee status of a paused silent member = %q, want paused with Resume", got)
	}
	r.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UB00", "channel": "DB00", "tab": "home"}})
	if home := readable(string(r.slack.HomeView("UB00"))); !strings.Contains(home, "home_coffee_resume") || !strings.Contains(home, "Paused") || strings.Contains(home, "You're in.") {
		t.Errorf("Home of a paused silent member = %s, want Paused with Resume", home)
	}
	r.click("UB00", "", "home_coffee_resume", "resume")
	if rd := r.round(monday.AddDate(0, 0, 28)); rd.Group("UB00") < 0 {
		t.Errorf("UB00 resumed but is not in round 5: %v", members(rd))
	}
}

// Ensure "still up for coffee chats?", queued as soon as a third silent
// round is known, is not sent to someone who answers before it is due: they
// are not silent any more, so they are neither asked nor paused.
func TestCoffeeStillInDroppedWhenAnsweredMeanwhile(t *testing.T) {
	people := berliners(4)
	r := startCoffeeBot(t, coffeeSetup{users: people, headsUp: 24 * time.Hour})
	r.enrol(ids(people)...)
	var third store.Round
	for week := range 3 {
		rd := r.round(monday.AddDate(0, 0, 7*week))
		for gi, g := range rd.Groups {
			for _, u := range g.Members {
				if u != "UB00" && !slices.Contains(g.Members, "UB00") {
					r.click(u, g.Channel, "coffee_checkin", fmt.Sprintf("%d:%d:yes", rd.ID, gi))
				}
			}
		}
		if week < 2 {
			r.walk(rd.At.Add(time.Hour), rd.At.AddDate(0, 0, 7), time.Hour, nil)
		} else {
			third = rd
		}
	}
	// Friday of the third week: "did you meet?" reaches UB00's group, so the
	// silence is known, and "still up?" is queued for Monday morning.
	friday := third.At.AddDate(0, 0, 4).Add(6 * time.Hour)
	r.walk(third.At.Add(time.Hour), friday, time.Hour, nil)
	// UB00 answers on Friday afternoon.
	gi := third.Group("UB00")
	r.click("UB00", third.Groups[gi].Channel, "coffee_checkin", fmt.Sprintf("%d:%d:not_yet", third.ID, gi))
	fourth := third.At.AddDate(0, 0, 7)
	r.walk(friday, fourth, time.Hour, nil)
	if n := countContaining(r.slack.Messages(r.slack.DMChannel("UB00")), "Still up for coffee chats"); n != 0 {
		t.Errorf("UB00 answered on Friday but was asked %d times whether still up", n)
	}
	if rd := r.round(fourth); rd.Group("UB00") < 0 {
		t.Errorf("UB00 answered but is not in round 4: %v", members(rd))
	}
}

// Ensure silence counts only when it was asked about: a round whose "did you
// meet?" never reached the group is not a silent round, and someone whose
// "still up?" question never reached them (the bot was down when it was
// due) is not paused.
func TestCoffeeSilenceOnlyWhenAsked(t *testing.T) {
	people := berliners(2)
	r := startCoffeeBot(t, coffeeSetup{users: people, silent: 1})
	r.enrol(ids(people)...)
	r.round(monday)
	// No tick ran: the question was never asked.
	if rd := r.round(monday.AddDate(0, 0, 7)); len(rd.Groups) != 1 {
		t.Fatalf("round 2 = %v, want both in: round 1's question never reached them", members(rd))
	}
	if m, _ := r.db.CoffeeMember("UB00"); m.Misses != 0 || m.PausedForSilence {
		t.Errorf("after a round nobody was asked about: %+v, want no miss", m)
	}
	// Round 2's question is asked on Friday; then the bot is down from
	// Monday 07:00 UTC until the round, so "still up?", due at 09:00 in
	// Berlin, never goes out.
	r.walk(monday.AddDate(0, 0, 7).Add(time.Hour), monday.AddDate(0, 0, 14).Add(-3*time.Hour), time.Hour, nil)
	if n := countContaining(r.slack.Messages(r.slack.DMChannel("UB00")), "Still up"); n != 0 {
		t.Fatalf("UB00 was asked %d times before Monday", n)
	}
	if rd := r.round(monday.AddDate(0, 0, 14)); len(rd.Groups) != 1 {
		t.Errorf("round 3 = %v, want both in: nobody was told before", members(rd))
	}
	if m, _ := r.db.CoffeeMember("UB00"); m.PausedForSilence {
		t.Errorf("UB00 paused without being told: %+v", m)
	}
}

// Ensure someone on holiday (palm tree) sits the round out.
func TestCoffeeAwayStatusSitsOut(t *testing.T) {
	people := berliners(3)
	people[2].StatusEmoji = ":palm_tree:"
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	rd := r.round(monday)
	if rd.Group("UB02") >= 0 || len(rd.Groups) != 1 {
		t.Errorf("groups = %v, want UB02 (on holiday) left out", members(rd))
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Ensure "Suggest a time" offers slots inside the pair's shared hours, and
// someone left alone is told rather than silently dropped.
func TestCoffeeSuggestAndAlone(t *testing.T) {
	people := []slacktest.User{
		{ID: "UBER1", Name: "ber1", TZ: "Europe/Berlin"},
		{ID: "UNYC1", Name: "nyc1", TZ: "America/New_York"},
		{ID: "ULAX1", Name: "lax1", TZ: "America/Los_Angeles"},
	}
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	rd := r.round(monday)
	gi := rd.Group("UBER1")
	if gi < 0 || !slices.Equal(rd.Groups[gi].Members, []string{"UBER1", "UNYC1"}) {
		t.Fatalf("groups = %v, want Berlin with New York (Los Angeles shares no hours with Berlin)", members(rd))
	}
	r.click("UBER1", rd.Groups[gi].Channel, "coffee_suggest", fmt.Sprintf("%d:%d", rd.ID, gi))
	_, content := r.lastResponse()
	// Berlin and New York share 15:00–18:00 Berlin time (14:00–17:00 UTC),
	// shown to Berlin in Berlin time.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for day := range 3 {
		want := time.Date(2026, 11, 30+day, 14, 0, 0, 0, time.UTC).In(berlin).Format("Mon 2 Jan, 15:04") + " – 15:30"
		if !strings.Contains(content, want) {
			t.Errorf("suggestions lack %s: %s", want, content)
		}
	}
	if len(rd.SitOut) != 1 || rd.SitOut[0].User != "ULAX1" {
		t.Fatalf("sit-outs = %+v, want Los Angeles", rd.SitOut)
	}
	laMorning := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC) // 09:00 in Los Angeles
	r.clock.Set(laMorning)
	if _, err := r.bot.DeliverDue(r.ctx(), laMorning); err != nil {
		t.Fatal(err)
	}
	r.waitDM("ULAX1", "next round")
}

// Ensure a private check-in note comes back to its author only, before the
// next coffee with that person, never in the group DM; and that "we met"
// offers to keep in touch.
func TestCoffeeNotesAndKeepInTouch(t *testing.T) {
	people := berliners(2)
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	r.checkin("UB00", "<@UB01> moving to Lisbon in spring")
	rd := r.round(monday)
	g := rd.Groups[0]
	r.waitDM("UB00", "moving to Lisbon")
	if n := countContaining(r.slack.Messages(g.Channel), "Lisbon"); n != 0 {
		t.Errorf("the private note reached the group DM")
	}
	if n := countContaining(r.slack.Messages(r.slack.DMChannel("UB01")), "Lisbon"); n != 0 {
		t.Errorf("the note reached the person it is about")
	}
	r.click("UB00", g.Channel, "coffee_met", fmt.Sprintf("%d:0", rd.ID))
	if _, content := r.lastResponse(); !strings.Contains(content, "circle_add") || !strings.Contains(content, "coffee_followup") {
		t.Fatalf("after we met: %q, want keep-in-touch buttons", content)
	}
	r.click("UB00", g.Channel, "circle_add", "UB01")
	if c, err := r.db.CircleEntry("UB00", "UB01"); err != nil || c.CadenceDays != 30 || c.LastInTouch.IsZero() {
		t.Errorf("contact = %+v, %v; want a 30-day cadence after coffee", c, err)
	}
}

// Ensure an open-ended pause says "until you resume" everywhere a pause end
// shows (the command's answer, /coffee status and the App Home), never the
// far-off date it is stored as.
func TestCoffeePauseUntilResumed(t *testing.T) {
	r := startCoffeeBot(t, coffeeSetup{})
	r.enrol("UALICE")
	placeholder := pausedYear(monday)
	if got := r.coffeeCmd("UALICE", "pause"); !strings.Contains(got, "until you `/coffee resume`") || strings.Contains(got, placeholder) {
		t.Errorf("/coffee pause = %q, want until you resume", got)
	}
	if got := r.coffeeCmd("UALICE", "status"); !strings.Contains(got, "paused* until you resume") || strings.Contains(got, placeholder) || strings.Contains(got, "<!date^"+fmt.Sprint(monday.AddDate(100, 0, 0).Unix())) {
		t.Errorf("/coffee status = %q, want paused until you resume", got)
	}
	r.click("UALICE", "", "home_coffee_resume", "resume")
	r.click("UALICE", "", "home_coffee_pause", "pause")
	home := readable(string(r.slack.HomeView("UALICE")))
	if !strings.Contains(home, "Paused until you resume") || strings.Contains(home, placeholder) || !strings.Contains(home, "home_coffee_resume") {
		t.Errorf("Home after Pause = %s, want paused until you resume, with Resume", home)
	}
	if got := r.coffeeCmd("UALICE", "status"); !strings.Contains(got, "paused* until you resume") {
		t.Errorf("/coffee status after Home pause = %q", got)
	}
}

// pausedYear is the year an open-ended pause made at now is stored with.
func pausedYear(now time.Time) string { return fmt.Sprint(now.AddDate(100, 0, 0).Year()) }

// Ensure a New York pair's intro, set for a round at 10:00 UTC (05:00 in
// New York), reaches their group DM at 09:00 New York time, and that "Did
// you meet?" four days later also waits for their working hours.
func TestCoffeeIntroInGroupHours(t *testing.T) {
	people := []slacktest.User{
		{ID: "UNY1", Name: "ny1", TZ: "America/New_York"},
		{ID: "UNY2", Name: "ny2", TZ: "America/New_York"},
	}
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	rd := r.round(monday)
	ch := func() string { return rd.Groups[0].Channel }
	intro, introAt := r.firstSeen(ch, "coffee_met")
	asked, askedAt := r.firstSeen(ch, "Did you meet")
	r.walk(monday, monday.AddDate(0, 0, 5), 15*time.Minute, func(at time.Time) { intro(at); asked(at) })
	ny := mustZone(t, "America/New_York")
	if want := time.Date(2026, 11, 30, 9, 0, 0, 0, ny); !introAt.Equal(want) {
		t.Errorf("intro posted at %v, want %v (09:00 in New York)", introAt.In(ny), want)
	}
	if want := time.Date(2026, 12, 4, 9, 0, 0, 0, ny); !askedAt.Equal(want) {
		t.Errorf("\"Did you meet?\" posted at %v, want %v (Friday 09:00 in New York)", askedAt.In(ny), want)
	}
}

// Ensure that for a round on Monday 10:00 Berlin, whose heads-up is due on
// Sunday, everyone gets it once, inside their own working hours and before
// the round: Berlin on Monday at 09:00, New York and São Paulo (whose
// Monday begins after the round) on Friday afternoon, with Skip this round
// still working.
func TestCoffeeHeadsUpBeforeRound(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	people := []slacktest.User{
		{ID: "UBER", Name: "ber", TZ: "Europe/Berlin"},
		{ID: "UNYC", Name: "nyc", TZ: "America/New_York"},
		{ID: "USAO", Name: "sao", TZ: "America/Sao_Paulo"},
		{ID: "UNY2", Name: "ny2", TZ: "America/New_York"},
		{ID: "UNY3", Name: "ny3", TZ: "America/New_York"}, // pauses on Wednesday
	}
	r := startCoffeeBot(t, coffeeSetup{users: people, headsUp: 24 * time.Hour, loc: berlin})
	r.enrol(ids(people)...)
	round := time.Date(2026, 12, 7, 10, 0, 0, 0, berlin)
	wednesday := round.AddDate(0, 0, -5)
	got := map[string]time.Time{}
	count := map[string]int{}
	r.walk(round.AddDate(0, 0, -6), round, 15*time.Minute, func(at time.Time) {
		if at.Equal(wednesday) {
			r.coffeeCmd("UNY3", "pause for 2 weeks")
		}
		for _, u := range ids(people) {
			n := countContaining(r.slack.Messages(r.slack.DMChannel(u)), "coffee_skip")
			if n > count[u] && got[u].IsZero() {
				got[u] = at
			}
			count[u] = n
		}
	})
	want := map[string]time.Time{
		"UBER": time.Date(2026, 12, 7, 9, 0, 0, 0, berlin),
		"UNYC": time.Date(2026, 12, 4, 17, 0, 0, 0, mustZone(t, "America/New_York")),
		"UNY2": time.Date(2026, 12, 4, 17, 0, 0, 0, mustZone(t, "America/New_York")),
		"USAO": time.Date(2026, 12, 4, 17, 0, 0, 0, mustZone(t, "America/Sao_Paulo")),
	}
	for u, w := range want {
		if count[u] != 1 || !got[u].Equal(w) {
			t.Errorf("%s got %d heads-ups, the first at %v; want one at %v (in their hours, before the round at %v)", u, count[u], got[u], w, round)
		}
	}
	if count["UNY3"] != 0 {
		t.Errorf("UNY3 paused on Wednesday but got %d heads-ups saying they're in", count["UNY3"])
	}
	// Friday's Skip this round keeps New York out of Monday's round.
	r.click("UNYC", r.slack.DMChannel("UNYC"), "coffee_skip", fmt.Sprint(round.Unix()))
	rd := r.round(round)
	if rd.Group("UNYC") >= 0 {
		t.Errorf("UNYC skipped on Friday but is in %v", members(rd))
	}
}

// Ensure a coffee intro that waits for the group's shared hours claims no
// clock time that is stale when it arrives: a Berlin and São Paulo pair,
// paired at 07:00 in São Paulo, get their intro at 09:00 São Paulo time,
// and it says where each of them is and their shared hours, not the time
// it was when the round ran ("07:00 in Sao Paulo").
func TestCoffeeIntroNamesNoStaleTime(t *testing.T) {
	people := []slacktest.User{
		{ID: "UBER", Name: "ber", TZ: "Europe/Berlin"},
		{ID: "USAO", Name: "sao", TZ: "America/Sao_Paulo"},
	}
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	rd := r.round(monday)
	ch := func() string { return rd.Groups[0].Channel }
	intro, introAt := r.firstSeen(ch, "coffee_met")
	r.walk(monday, monday.AddDate(0, 0, 1), 15*time.Minute, intro)
	sao := mustZone(t, "America/Sao_Paulo")
	if want := time.Date(2026, 11, 30, 9, 0, 0, 0, sao); !introAt.Equal(want) {
		t.Fatalf("intro posted at %v, want %v (09:00 in São Paulo)", introAt.In(sao), want)
	}
	var got string
	for _, m := range r.slack.Messages(ch()) {
		if strings.Contains(body(m), "coffee_met") {
			got = body(m)
		}
	}
	for _, want := range []string{
		"<@UBER> — in Berlin · shared hours Mon–Fri 13:00–18:00",
		"<@USAO> — in Sao Paulo · shared hours Mon–Fri 09:00–14:00",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("intro = %s\nwant %q", got, want)
		}
	}
	if clock := regexp.MustCompile(`\d\d:\d\d in `).FindString(got); clock != "" {
		t.Errorf("intro says %q, a clock time that was true only when the round ran: %s", clock, got)
	}
}
