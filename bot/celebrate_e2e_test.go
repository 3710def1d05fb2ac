package bot_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// celebrateChannel is the celebrations channel of these tests.
const celebrateChannel = "CCELEBRATE"

// The people of these tests: one in each of three zones far apart, one who
// keeps things private, one who wants nothing shared.
var celebrants = []slacktest.User{
	{ID: "UTOKYO", Name: "kenji", TZ: "Asia/Tokyo"},
	{ID: "UBERLIN", Name: "lena", TZ: "Europe/Berlin"},
	{ID: "ULA", Name: "maria", TZ: "America/Los_Angeles"},
	{ID: "UQUIET", Name: "quiet", TZ: "Europe/Berlin"},
	{ID: "UDE", Name: "jonas", TZ: "Europe/Berlin", Locale: "de-DE"},
}

// startCelebrateBot runs the bot with a celebrations channel, in UTC (so
// the channel's working hours are 09:00-18:00 UTC, Monday to Friday), at
// Monday 30 November 2026 10:00 UTC.
func startCelebrateBot(t *testing.T) *coffeeRig {
	t.Helper()
	c := newClock(monday)
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
	for _, u := range celebrants {
		srv.AddUser(u)
	}
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	srv.AddChannel(celebrateChannel, "celebrations", false, "UALICE", "UBOB", "UBOT")
	return startCoffeeBot(t, coffeeSetup{srv: srv, clock: c, celebrate: celebrateChannel})
}

// celebrate runs /rapport celebrate for user and returns the reply.
func (r *coffeeRig) celebrate(user, text string) string {
	r.t.Helper()
	r.rapport(user, strings.TrimSpace("celebrate "+text))
	_, content := r.lastResponse()
	return content
}

// celebrateWalk moves the clock from from to to (excluded) in steps and at
// each runs the celebrations job and delivers what is due, as the
// scheduler does, then calls each if not nil.
func (r *coffeeRig) celebrateWalk(from, to time.Time, step time.Duration, each func(at time.Time)) {
	r.t.Helper()
	for at := from; at.Before(to); at = at.Add(step) {
		r.clock.Set(at)
		if err := r.bot.Celebrate(r.ctx(), at); err != nil {
			r.t.Fatalf("celebrations at %v: %v", at, err)
		}
		if _, err := r.bot.DeliverDue(r.ctx(), at); err != nil {
			r.t.Fatalf("outbox at %v: %v", at, err)
		}
		if each != nil {
			each(at)
		}
	}
}

// seenPost is a celebrations post and when it was first seen.
type seenPost struct {
	at   time.Time
	body string
}

// watchPosts returns a step function that records each new public post in
// the celebrations channel with the instant it appeared.
func (r *coffeeRig) watchPosts() (func(time.Time), *[]seenPost) {
	var posts []seenPost
	return func(at time.Time) {
		for _, m := range r.public(celebrateChannel)[len(posts):] {
			posts = append(posts, seenPost{at: at, body: body(m)})
		}
	}, &posts
}

// Ensure three people in Tokyo, Berlin and Los Angeles who chose public are
// each celebrated exactly once, in one post per day with everyone whose
// own date it is when it is posted, inside the channel's working hours,
// and that the post for Wednesday 2 December does not yet name the Tokyo
// birthday of 3 December, although it is already 3 December in Tokyo that
// afternoon: it is Thursday's.
func TestCelebrationsEachOnTheirOwnDayOnce(t *testing.T) {
	r := startCelebrateBot(t)
	birthdays := map[string]string{"UTOKYO": "3 December", "UBERLIN": "December 2", "ULA": "2 Dec"}
	for user, day := range birthdays {
		r.celebrate(user, "birthday "+day)
		if got := r.celebrate(user, "visibility public"); !strings.Contains(got, "public") {
			t.Fatalf("%s: visibility public answered %q", user, got)
		}
	}
	step, posts := r.watchPosts()
	r.celebrateWalk(monday, monday.Add(7*24*time.Hour), 20*time.Minute, step)

	zones := map[string]string{"UTOKYO": "Asia/Tokyo", "UBERLIN": "Europe/Berlin", "ULA": "America/Los_Angeles"}
	wantDay := map[string]int{"UTOKYO": 3, "UBERLIN": 2, "ULA": 2}
	count := map[string]int{}
	for _, p := range *posts {
		if wd := p.at.Weekday(); wd == time.Saturday || wd == time.Sunday || p.at.Hour() < 9 || p.at.Hour() >= 18 {
			t.Errorf("post at %v: outside the channel's working hours (09:00-18:00 UTC, Mon-Fri)", p.at)
		}
		for user, zone := range zones {
			if !strings.Contains(p.body, "<@"+user+">") {
				continue
			}
			count[user]++
			loc, _ := time.LoadLocation(zone)
			if local := p.at.In(loc); local.Month() != time.December || local.Day() != wantDay[user] {
				t.Errorf("%s celebrated at %v, which is %v in %s: not their birthday there", user, p.at, local, zone)
			}
			if !strings.Contains(p.body, "celebrate_congratulate") {
				t.Errorf("post lacks its Congratulate button: %s", p.body)
			}
		}
	}
	for user := range zones {
		if count[user] != 1 {
			t.Errorf("%s was in %d posts, want exactly 1", user, count[user])
		}
	}
	if len(*posts) != 2 {
		t.Errorf("%d celebration posts, want 2 (Wednesday: Berlin and Los Angeles; Thursday: Tokyo): %+v", len(*posts), *posts)
	}
	if len(*posts) > 0 && !strings.Contains((*posts)[0].body, "<@UBERLIN>") || len(*posts) > 0 && !strings.Contains((*posts)[0].body, "<@ULA>") {
		t.Errorf("first post should name both Berlin and Los Angeles: %s", (*posts)[0].body)
	}
}

// Ensure private means one dated DM in the person's own working hours on
// their day, with a way to stop it, and no post; none means nothing at
// all; and repeated runs (the job runs every tick) send nothing twice.
func TestCelebrationsPrivateAndNone(t *testing.T) {
	r := startCelebrateBot(t)
	got := r.celebrate("UBOB", "birthday 1 December") // New York; no visibility chosen: private
	if !strings.Contains(got, "private") || !strings.Contains(got, "1 December") {
		t.Errorf("opt-in answered %q, want the birthday and the private default", got)
	}
	r.celebrate("UQUIET", "birthday 1 December")
	r.celebrate("UQUIET", "visibility none")
	seen, first := r.firstSeen(func() string { return r.slack.DMChannel("UBOB") }, "Happy birthday")
	r.celebrateWalk(monday, monday.Add(4*24*time.Hour), 30*time.Minute, seen)

	nyNine := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC) // Tuesday 09:00 in New York
	if !first.Equal(nyNine) {
		t.Errorf("Bob's birthday DM first seen at %v, want %v: the start of his working day on his birthday", *first, nyNine)
	}
	if n := countContaining(r.slack.Messages(r.slack.DMChannel("UBOB")), "Happy birthday"); n != 1 {
		t.Errorf("Bob got %d birthday DMs, want 1", n)
	}
	dm := r.waitDM("UBOB", "Happy birthday")
	for _, want := range []string{"Tue 1 Dec", "mute_dm", `"value":"celebrations"`} {
		if !strings.Contains(body(dm), want) {
			t.Errorf("birthday DM lacks %q: %s", want, body(dm))
		}
	}
	if n := countContaining(r.slack.Messages(r.slack.DMChannel("UQUIET")), "birthday"); n != 0 {
		t.Errorf("visibility none: %d birthday DMs, want none", n)
	}
	if posts := r.public(celebrateChannel); len(posts) != 0 {
		t.Errorf("private and none: %d posts in the celebrations channel, want none: %+v", len(posts), posts)
	}
	// Its button stops these DMs, as every "Stop these" does.
	r.click("UBOB", r.slack.DMChannel("UBOB"), "mute_dm", "celebrations")
	if p, _ := r.db.Person("UBOB"); !p.IsMuted(store.DMCelebrate) {
		t.Errorf("Bob's muted kinds = %v after Stop these, want celebrations", p.Muted)
	}
}

// Ensure a birthday on 29 February is celebrated on 28 February in a year
// without one (2029: a Wednesday), once, and a work anniversary counts its
// years.
func TestCelebrationsLeapDayAndAnniversary(t *testing.T) {
	r := startCelebrateBot(t)
	r.celebrate("UBERLIN", "birthday 29 February")
	r.celebrate("UBERLIN", "start 2026-02-28")
	r.celebrate("UBERLIN", "visibility public")
	from := time.Date(2029, 2, 26, 10, 0, 0, 0, time.UTC) // Monday
	step, posts := r.watchPosts()
	r.celebrateWalk(from, from.Add(5*24*time.Hour), time.Hour, step)
	if len(*posts) != 1 {
		t.Fatalf("%d posts, want 1: %+v", len(*posts), *posts)
	}
	p := (*posts)[0]
	if y, m, d := p.at.Date(); y != 2029 || m != time.February || d != 28 {
		t.Errorf("leap-day birthday celebrated on %v, want 28 February 2029", p.at)
	}
	for _, want := range []string{"Happy birthday, <@UBERLIN>", "3 years at the company"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("post lacks %q: %s", want, p.body)
		}
	}
}

// Ensure what is typed wrong changes nothing and says why: a year with a
// birthday, a day no calendar has, an unknown visibility; that 14/3 is
// read in the person's locale; and that a change and a clearing are kept
// and shown.
func TestCelebrateCommandInputs(t *testing.T) {
	r := startCelebrateBot(t)
	for _, tt := range []struct{ text, want string }{
		{"birthday 14 March 1990", "never the year"},
		{"birthday 1990-03-14", "never the year"},
		{"birthday 31 April", "isn't a day in the calendar"},
		{"birthday soon", "couldn't read"},
		{"start 1 June", "needs the year"},
		{"start 2099-01-01", "already come"},
		{"visibility everyone", "Choose `public`"},
		{"clear everything", "celebrate clear birthday"},
		{"party", "didn't understand"},
	} {
		got := r.celebrate("UALICE", tt.text)
		typ, _ := r.lastResponse()
		if !strings.Contains(got, tt.want) || typ != "ephemeral" {
			t.Errorf("/rapport celebrate %s answered (%s) %q, want an ephemeral reply containing %q", tt.text, typ, got, tt.want)
		}
		if p, err := r.db.Person("UALICE"); err == nil && p.Celebrates() {
			t.Errorf("/rapport celebrate %s stored %+v, want nothing", tt.text, p)
		}
	}

	r.celebrate("UDE", "birthday 14/3") // de-DE: day first
	if p, _ := r.db.Person("UDE"); p.Birthday != (store.MonthDay{Month: time.March, Day: 14}) {
		t.Errorf("de-DE 14/3 stored %v, want 03-14", p.Birthday)
	}
	r.celebrate("UDE", "birthday 4/3") // de-DE: 4 March
	if p, _ := r.db.Person("UDE"); p.Birthday != (store.MonthDay{Month: time.March, Day: 4}) {
		t.Errorf("de-DE 4/3 stored %v, want 03-04", p.Birthday)
	}
	r.celebrate("UALICE", "birthday March 14th")
	r.celebrate("UALICE", "start 2021-06-01")
	r.celebrate("UALICE", "visibility public")
	got := r.celebrate("UALICE", "")
	for _, want := range []string{"14 March", "1 June 2021", "public"} {
		if !strings.Contains(got, want) {
			t.Errorf("/rapport celebrate shows %q, want %q in it", got, want)
		}
	}
	r.celebrate("UALICE", "clear birthday")
	if p, _ := r.db.Person("UALICE"); !p.Birthday.IsZero() || p.Started.IsZero() || p.Visibility != store.VisibilityPublic {
		t.Errorf("after clear birthday: %+v, want the start date and visibility kept", p)
	}
	r.celebrate("UALICE", "clear")
	if p, _ := r.db.Person("UALICE"); p.Celebrates() || p.Visibility != "" {
		t.Errorf("after clear: %+v, want nothing to celebrate", p)
	}
	if got := r.celebrate("UALICE", ""); !strings.Contains(got, "no birthday") {
		t.Errorf("/rapport celebrate after clear = %q", got)
	}
}

// Ensure a change of mind after the post was queued is honoured (the post
// is built when sent), and a day that was set after it began is not
// celebrated late.
func TestCelebrationsChangeOfMind(t *testing.T) {
	r := startCelebrateBot(t)
	r.celebrate("UBERLIN", "birthday 2 December")
	r.celebrate("UBERLIN", "visibility public")
	r.celebrate("ULA", "birthday 2 December")
	r.celebrate("ULA", "visibility public")
	wed := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	r.clock.Set(wed.Add(-time.Hour)) // 08:00, before the channel's hours
	if err := r.bot.Celebrate(r.ctx(), wed); err != nil {
		t.Fatal(err)
	}
	r.celebrate("ULA", "visibility none") // queued, not yet sent
	step, posts := r.watchPosts()
	r.celebrateWalk(wed, wed.Add(2*time.Hour), 30*time.Minute, step)
	if len(*posts) != 1 || strings.Contains((*posts)[0].body, "ULA") || !strings.Contains((*posts)[0].body, "UBERLIN") {
		t.Errorf("posts = %+v, want one naming Berlin and not Los Angeles, who chose none", *posts)
	}
	// Set on the day after it: nothing is posted late.
	r.celebrate("UTOKYO", "birthday 1 December")
	r.celebrate("UTOKYO", "visibility public")
	r.celebrateWalk(wed.Add(2*time.Hour), wed.Add(3*24*time.Hour), time.Hour, step)
	for _, p := range *posts {
		if strings.Contains(p.body, "UTOKYO") {
			t.Errorf("a birthday set after it was over was celebrated late: %+v", p)
		}
	}
}

// Ensure Congratulate records that the clicker was in touch with the
// person celebrated (their stay-in-touch clock restarts), confirms it
// privately, is harmless when clicked again, and has a kind word for the
// person celebrated themselves.
func TestCongratulateRecordsContact(t *testing.T) {
	r := startCelebrateBot(t)
	r.celebrate("UBERLIN", "birthday 2 December")
	r.celebrate("UBERLIN", "visibility public")
	wed := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	r.celebrateWalk(wed, wed.Add(time.Hour), 30*time.Minute, nil)
	r.waitPublic(celebrateChannel, "<@UBERLIN>")

	r.click("UALICE", celebrateChannel, "celebrate_congratulate", "UBERLIN")
	typ, got := r.lastResponse()
	if typ != "ephemeral" || !strings.Contains(got, "congratulated <@UBERLIN>") {
		t.Errorf("Congratulate answered (%s) %q", typ, got)
	}
	c, err := r.db.CircleEntry("UALICE", "UBERLIN")
	if err != nil || c.LastKind != store.InTouchCongrats || !c.LastInTouch.Equal(r.clock.Now()) {
		t.Fatalf("CircleEntry(UALICE, UBERLIN) = %+v, %v; want in touch now by congratulating", c, err)
	}
	later := r.clock.Now().Add(time.Hour)
	r.clock.Set(later)
	r.click("UALICE", celebrateChannel, "celebrate_congratulate", "UBERLIN")
	if c, err := r.db.CircleEntry("UALICE", "UBERLIN"); err != nil || !c.LastInTouch.Equal(later) {
		t.Errorf("after a second click: %+v, %v; want the clock at %v", c, err, later)
	}
	r.click("UBERLIN", celebrateChannel, "celebrate_congratulate", "UBERLIN")
	if _, got := r.lastResponse(); !strings.Contains(got, "your own day") {
		t.Errorf("self-congratulation answered %q, want a kind note", got)
	}
	if _, err := r.db.CircleEntry("UBERLIN", "UBERLIN"); err == nil {
		t.Error("clicking on oneself put a person in their own circle")
	}
}

// Ensure my-data shows the celebration fields and forget-me removes them
// with a DM still waiting for working hours.
func TestForgetMeRemovesCelebrations(t *testing.T) {
	r := startCelebrateBot(t)
	r.celebrate("UTOKYO", "birthday 30 November") // today in Tokyo; 19:00 there: the DM waits
	r.celebrate("UTOKYO", "start 2020-01-06")
	if err := r.bot.Celebrate(r.ctx(), monday); err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	if _, err := r.db.UserExport(&doc, "UTOKYO", monday); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"birthday": "11-30"`, `"started": "2020-01-06"`} {
		if !strings.Contains(doc.String(), want) {
			t.Errorf("my-data lacks %s:\n%s", want, doc.String())
		}
	}
	r.forgetMe("UTOKYO")
	if _, err := r.db.Person("UTOKYO"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after forget-me Person(UTOKYO) err = %v, want ErrNotFound", err)
	}
	r.celebrateWalk(monday, monday.Add(48*time.Hour), time.Hour, nil)
	if n := countContaining(r.slack.Messages(r.slack.DMChannel("UTOKYO")), "birthday"); n != 0 {
		t.Errorf("after forget-me: %d birthday DMs, want none", n)
	}
}

// Ensure forget-me takes the person out of a celebrations post already
// sent: the post is built when it is delivered, and what it said is kept
// so that it can be edited like any other message that named them.
func TestForgetMeEditsCelebrationsPost(t *testing.T) {
	r := startCelebrateBot(t)
	r.celebrate("UBERLIN", "birthday 1 December")
	r.celebrate("UBERLIN", "visibility public")
	r.celebrate("UTOKYO", "birthday 1 December")
	r.celebrate("UTOKYO", "visibility public")
	r.celebrateWalk(monday, monday.Add(36*time.Hour), 20*time.Minute, nil)
	if n := countContaining(r.slack.Messages(celebrateChannel), "<@UBERLIN>"); n != 1 {
		t.Fatalf("%d celebrations posts name UBERLIN before forget-me, want 1", n)
	}
	r.forgetMe("UBERLIN")
	r.celebrateWalk(monday.Add(36*time.Hour), monday.Add(38*time.Hour), 20*time.Minute, nil)
	if n := countContaining(r.slack.Messages(celebrateChannel), "UBERLIN"); n != 0 {
		t.Errorf("after forget-me %d celebrations posts still name UBERLIN", n)
	}
	if n := countContaining(r.slack.Messages(celebrateChannel), "<@UTOKYO>"); n != 1 {
		t.Errorf("after UBERLIN's forget-me %d posts name UTOKYO, want the post kept for them", n)
	}
}
