package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rapport-bot/rapport/store"
)

// CoffeeStore is the part of the store coffee rounds need.
type CoffeeStore interface {
	RoundAt(at time.Time) (store.Round, error)
	LastRound() (store.Round, bool, error)
	RoundsBetween(from, to time.Time) ([]store.Round, error)
	CreateRound(r store.Round) (store.Round, bool, error)
	CloseRound(roundID uint64, f func(r *store.Round, members map[string]*store.CoffeeMember) error) error
	CoffeeMeetings(since time.Time) ([]store.CoffeeMeeting, error)
	CoffeeMember(user string) (store.CoffeeMember, error)
	CoffeeMembers() ([]store.CoffeeMember, error)
}

// CoffeeNotifier is how coffee rounds reach people; *bot.Bot implements
// it. The scheduler decides who meets whom and when; the bot knows Slack.
type CoffeeNotifier interface {
	// CoffeeEligible returns the members who can take part in the round
	// at at, with fresh profiles: not bots, deactivated, external or
	// guests, not paused, skipping or ghosted, not away on holiday.
	CoffeeEligible(ctx context.Context, at time.Time) ([]store.Person, error)
	// DeliverCoffeeRound opens each group's DM and introduces them, and
	// tells those who sat out. It resumes a half-delivered round without
	// repeating what was done.
	DeliverCoffeeRound(ctx context.Context, r store.Round) error
	// CoffeeHeadsUp tells members a round is coming at at, with a way to
	// skip it: each at due, or, when due is outside their working hours,
	// at their next working hours before the round, or else in their last
	// working window before due; never after the round starts. Idempotent
	// per round and person.
	CoffeeHeadsUp(ctx context.Context, at, due time.Time) error
	// CoffeeCheckin asks one group "did you meet?". Idempotent.
	CoffeeCheckin(ctx context.Context, r store.Round, group int) error
	// CoffeeCheckinReached reports whether a group's "did you meet?" was
	// posted in its DM. A question that never reached people (not yet
	// sent, or failed) cannot make them silent.
	CoffeeCheckinReached(r store.Round, group int) (bool, error)
	// CoffeeAskStillIn asks user, once per round, whether they still want
	// to be paired, having not answered for silent rounds: in their
	// working hours before the round at at (at due, or the last working
	// window before it, as for heads-ups). Before their time to be asked
	// has come it does nothing, so it is called on every tick.
	CoffeeAskStillIn(ctx context.Context, at, due time.Time, user string, silent int) error
	// CoffeeStillInAsked reports whether the question CoffeeAskStillIn
	// queued for the round at at reached user.
	CoffeeStillInAsked(at time.Time, user string) (bool, error)
	// CoffeeGhosted tells a person their coffee chats are paused: they
	// were asked whether to keep pairing them and did not answer. It
	// offers Resume.
	CoffeeGhosted(ctx context.Context, user string) error
}

// CoffeeOptions configure coffee rounds (the RAPPORT_COFFEE_* settings,
// docs/configuration.md).
type CoffeeOptions struct {
	Schedule    string              // cron spec of the rounds
	Cadence     store.CoffeeCadence // rounds closer than this are skipped
	GroupSize   int
	CheckinDays int
	HeadsUp     time.Duration // 0: no heads-up
	// SilentRounds is how many rounds in a row without an answer to "did
	// you meet?" pause someone, after they were asked and did not answer
	// either; 0: never.
	SilentRounds int
	MinOverlap   time.Duration
	WorkWeek     store.WorkWeek // default working hours
	Location     *time.Location // default zone for people without one
	History      time.Duration  // how far back meetings count; default a year
	Log          *slog.Logger
}

// headsUpLead is how long before a heads-up is due it is planned: the last
// working window before the due time, where someone whose next working day
// begins after the round gets it, can be up to a week earlier.
const headsUpLead = 7 * 24 * time.Hour

// Coffee runs coffee rounds: pairing, delivery through the notifier,
// heads-ups, check-ins and ghost detection. It is safe for concurrent use;
// rounds run one at a time.
type Coffee struct {
	st    CoffeeStore
	n     CoffeeNotifier
	opts  CoffeeOptions
	sched cron.Schedule

	mu          sync.Mutex // one round at a time
	lastHeadsUp headsUpRun // the last planning of heads-ups
	// lastAskSilent is when askSilent last ran (it runs hourly).
	lastAskSilent time.Time
}

// headsUpRun names one planning of heads-ups: a round, on one day. Planning
// again each day reaches people who joined since.
type headsUpRun struct{ round, day int64 } // Unix seconds; Unix days

// NewCoffee checks the options and builds the coffee jobs' owner.
func NewCoffee(st CoffeeStore, n CoffeeNotifier, opts CoffeeOptions) (*Coffee, error) {
	sched, err := parseSpec(opts.Schedule)
	if err != nil {
		return nil, fmt.Errorf("scheduler: coffee schedule: %w", err)
	}
	if opts.GroupSize < 2 {
		opts.GroupSize = 2
	}
	if opts.CheckinDays <= 0 {
		opts.CheckinDays = 4
	}
	if opts.History <= 0 {
		opts.History = 365 * 24 * time.Hour
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.WorkWeek.IsZero() {
		opts.WorkWeek = store.DefaultWorkWeek
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Coffee{st: st, n: n, opts: opts, sched: sched}, nil
}

// CoffeeTickJob is the name of the coffee tick job (heads-ups, check-ins,
// resuming a delivery cut short), stored in job runs.
const CoffeeTickJob = "coffee-followup"

// Jobs returns the coffee jobs: the rounds on their schedule, and the
// heads-ups and check-ins on the tick.
func (c *Coffee) Jobs(tick string) []Job {
	return []Job{
		{
			Name:    "coffee-round",
			Spec:    c.opts.Schedule,
			CatchUp: true, // a round missed while the bot was down runs at start
			Run: func(ctx context.Context, at time.Time) error {
				return c.RunRound(ctx, at, false)
			},
		},
		{
			Name: CoffeeTickJob,
			Spec: tick,
			Run:  c.tick,
		},
	}
}

// NextRound returns the next instant after t at which a scheduled round
// will run, skipping instants the cadence would skip; zero when unknown.
func (c *Coffee) NextRound(t time.Time) time.Time {
	last, ok, err := c.st.LastRound()
	next := t.In(c.opts.Location) // specs without TZ= run in RAPPORT_TZ
	for range 64 {
		next = c.sched.Next(next)
		if next.IsZero() {
			return time.Time{}
		}
		if err != nil || !ok || c.opts.Cadence.Due(last.At, next) {
			return next
		}
	}
	return time.Time{}
}

// RunRound runs the round identified by at: pairs the eligible members,
// stores the round before anyone is messaged, and delivers it. Running it
// again for the same at resumes delivery and never pairs anyone twice. A
// scheduled (not manual) round is skipped when the last round is closer
// than the cadence.
func (c *Coffee) RunRound(ctx context.Context, at time.Time, manual bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	at = at.Truncate(time.Second)
	if r, err := c.st.RoundAt(at); err == nil {
		c.opts.Log.Info("coffee round resumed", "round", r.ID, "at", at)
		return c.n.DeliverCoffeeRound(ctx, r)
	}
	last, ok, err := c.st.LastRound()
	if err != nil {
		return err
	}
	if !manual && ok && !c.opts.Cadence.Due(last.At, at) {
		c.opts.Log.Info("coffee round skipped: too soon after the last one", "at", at, "last", last.At, "cadence", string(c.opts.Cadence))
		return nil
	}
	if err := c.closeRoundsBefore(ctx, at); err != nil {
		return err
	}
	people, err := c.n.CoffeeEligible(ctx, at)
	if err != nil {
		return fmt.Errorf("scheduler: coffee eligible: %w", err)
	}
	in, err := c.pairingInput(people, at)
	if err != nil {
		return err
	}
	p := Pair(in)
	r := store.Round{At: at, Manual: manual}
	for _, g := range p.Groups {
		r.Groups = append(r.Groups, store.CoffeeGroup{Members: g, Icebreaker: -1})
	}
	for _, s := range p.SitOut {
		r.SitOut = append(r.SitOut, store.SitOut{User: s.ID, Reason: s.Reason})
	}
	r, created, err := c.st.CreateRound(r)
	if err != nil {
		return err
	}
	c.opts.Log.Info("coffee round started", "round", r.ID, "at", at, "people", len(people), "groups", len(r.Groups), "sat_out", len(r.SitOut), "new", created)
	return c.n.DeliverCoffeeRound(ctx, r)
}

func (c *Coffee) pairingInput(people []store.Person, at time.Time) (PairingInput, error) {
	in := PairingInput{
		GroupSize:  c.opts.GroupSize,
		MinOverlap: c.opts.MinOverlap,
		Never:      map[string][]string{},
		Now:        at,
		Seed:       at.Unix(),
	}
	for _, p := range people {
		in.People = append(in.People, Person{ID: p.ID, Week: c.workWeek(p), Loc: c.location(p)})
		m, err := c.st.CoffeeMember(p.ID)
		if err == nil && len(m.Never) > 0 {
			in.Never[p.ID] = m.Never
		}
	}
	meetings, err := c.st.CoffeeMeetings(at.Add(-c.opts.History))
	if err != nil {
		return in, err
	}
	for _, m := range meetings {
		// A group that did not meet still counts: its people come after
		// partners they were never grouped with, and before those they met.
		in.History = append(in.History, Meeting{A: m.A, B: m.B, At: m.At, Missed: !m.Met})
	}
	return in, nil
}

func (c *Coffee) workWeek(p store.Person) store.WorkWeek { return p.WorkWeek(c.opts.WorkWeek) }

func (c *Coffee) location(p store.Person) *time.Location { return p.Location(c.opts.Location) }

// closeRoundsBefore settles earlier rounds before the round at at.
//
// A member who answered "did you meet?" (any answer, or "Can't make it"),
// or whose group someone said "We met" for, is back to zero misses: one
// "We met" speaks for the whole group, so a pair where one person taps
// and the other never does is not punished. A member whose group was
// asked and who answered nothing gets a miss. A round whose question never
// reached the group (not sent before the round closed, or failed) counts
// neither way: silence nobody was asked about is not silence.
//
// Someone who reaches SilentRounds misses is paused (Ghosted), and told,
// only if they were asked "still up for coffee chats?" before this round
// and that question reached them; otherwise they stay in and are asked
// before the next round. So nobody is left out without being told first.
func (c *Coffee) closeRoundsBefore(ctx context.Context, at time.Time) error {
	rounds, err := c.st.RoundsBetween(at.Add(-c.opts.History), at)
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if r.Closed {
			continue
		}
		// Outbox lookups happen before the write transaction, which must
		// not call out.
		reached := make([]bool, len(r.Groups))
		asked := map[string]bool{}
		for gi, g := range r.Groups {
			if reached[gi], err = c.n.CoffeeCheckinReached(r, gi); err != nil {
				return err
			}
			for _, u := range g.Members {
				if c.opts.SilentRounds <= 0 {
					break
				}
				if asked[u], err = c.n.CoffeeStillInAsked(at, u); err != nil {
					return err
				}
			}
		}
		var ghosts []string
		err := c.st.CloseRound(r.ID, func(r *store.Round, members map[string]*store.CoffeeMember) error {
			ghosts = ghosts[:0]
			for gi, g := range r.Groups {
				groupMet := answeredYes(g)
				for _, u := range g.Members {
					m := members[u]
					if m == nil {
						continue // left coffee since
					}
					if _, answered := g.Answers[u]; answered || groupMet {
						m.Misses = 0
						continue
					}
					if !reached[gi] {
						continue
					}
					m.Misses++
					if c.opts.SilentRounds > 0 && m.Misses >= c.opts.SilentRounds && !m.Ghosted && asked[u] {
						m.Ghosted = true
						ghosts = append(ghosts, u)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, u := range ghosts {
			if err := c.n.CoffeeGhosted(ctx, u); err != nil {
				c.opts.Log.Error("coffee: telling a ghost failed", "user", u, "err", err)
			}
		}
	}
	return nil
}

// tick sends the heads-up before the next round and the check-ins of past
// rounds. Both are idempotent, so a tick that runs twice does no harm.
func (c *Coffee) tick(ctx context.Context, at time.Time) error {
	if c.opts.HeadsUp > 0 {
		next := c.NextRound(at)
		// Planned up to a week early, so that someone whose working week
		// ends before the due time still hears before the round; once a
		// day, so that people who joined since are included. lastHeadsUp
		// saves the lookups on the other ticks; the notifier is idempotent
		// anyway. Ticks never overlap, so no lock is needed.
		run := headsUpRun{round: next.Unix(), day: at.Unix() / 86400}
		if !next.IsZero() && next.Sub(at) <= c.opts.HeadsUp+headsUpLead && run != c.lastHeadsUp {
			if _, err := c.st.RoundAt(next); err != nil { // not yet run
				if err := c.n.CoffeeHeadsUp(ctx, next, next.Add(-c.opts.HeadsUp)); err != nil {
					return err
				}
			}
			c.lastHeadsUp = run
		}
	}
	// Silence changes only when a "did you meet?" goes out or is answered,
	// and the question is queued well before it is due: looking once an
	// hour is enough, and spares every tick a read of the open rounds.
	if at.Before(c.lastAskSilent) || !at.Before(c.lastAskSilent.Add(askSilentEvery)) {
		if err := c.askSilent(ctx, at); err != nil {
			return err
		}
		c.lastAskSilent = at
	}
	if err := c.resumeDelivery(ctx, at); err != nil {
		return err
	}
	due := at.Add(-time.Duration(c.opts.CheckinDays) * 24 * time.Hour)
	rounds, err := c.st.RoundsBetween(due.Add(-30*24*time.Hour), due.Add(time.Nanosecond))
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if r.Closed {
			continue
		}
		for i, g := range r.Groups {
			if g.CheckinSent || answeredYes(g) || len(g.Members) < 2 {
				continue
			}
			if err := c.n.CoffeeCheckin(ctx, r, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// askSilentEvery is how often the coffee tick looks for silent members.
const askSilentEvery = time.Hour

// askSilent asks the members who would be paused when the next round
// starts whether they still want to be paired, in their working hours
// before it. Only people whose misses so far, plus the open rounds they
// were asked about and have not answered, reach SilentRounds are asked;
// the notifier waits for each one's time and asks once.
func (c *Coffee) askSilent(ctx context.Context, at time.Time) error {
	if c.opts.SilentRounds <= 0 {
		return nil
	}
	next := c.NextRound(at)
	lead := c.opts.HeadsUp
	if lead <= 0 {
		lead = 24 * time.Hour
	}
	if next.IsZero() || next.Sub(at) > lead+headsUpLead {
		return nil
	}
	if _, err := c.st.RoundAt(next); err == nil {
		return nil // it ran: too late to ask
	}
	members, err := c.st.CoffeeMembers()
	if err != nil {
		return err
	}
	rounds, err := c.st.RoundsBetween(next.Add(-c.opts.History), next)
	if err != nil {
		return err
	}
	rounds = slices.DeleteFunc(rounds, func(r store.Round) bool { return r.Closed })
	for _, m := range members {
		if m.Ghosted || m.Paused(next) || m.Misses+len(rounds) < c.opts.SilentRounds {
			continue
		}
		silent := m.Misses
		for _, r := range rounds {
			gi := r.Group(m.User)
			if gi < 0 {
				continue
			}
			g := r.Groups[gi]
			if _, answered := g.Answers[m.User]; answered || answeredYes(g) {
				silent = 0 // an answer since the last close resets the count
				continue
			}
			reached, err := c.n.CoffeeCheckinReached(r, gi)
			if err != nil {
				return err
			}
			if reached {
				silent++
			}
		}
		if silent < c.opts.SilentRounds {
			continue
		}
		if err := c.n.CoffeeAskStillIn(ctx, next, next.Add(-lead), m.User, silent); err != nil {
			return err
		}
	}
	return nil
}

// resumeDelivery finishes rounds of the past week whose delivery was cut
// short (a crash, a handler timeout, Slack down): groups without a DM or
// an intro yet.
func (c *Coffee) resumeDelivery(ctx context.Context, at time.Time) error {
	rounds, err := c.st.RoundsBetween(at.Add(-7*24*time.Hour), at.Add(time.Nanosecond))
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if r.Closed || !undelivered(r) {
			continue
		}
		c.mu.Lock()
		err := c.n.DeliverCoffeeRound(ctx, r)
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// undelivered reports whether some group still lacks its DM or its queued
// intro (the bot marks IntroTS once the intro is in the outbox).
func undelivered(r store.Round) bool {
	for _, g := range r.Groups {
		if len(g.Members) > 1 && (g.Channel == "" || g.IntroTS == "") {
			return true
		}
	}
	return false
}

// answeredYes reports whether the group's answer (its latest) is "we met".
func answeredYes(g store.CoffeeGroup) bool { return g.Outcome() == store.AnswerYes }
