package bot

// The coffee round lifecycle: a round is paired and stored before anyone
// is messaged (startRound), the round before it is settled when it starts
// (closeRoundsBefore), and between rounds the coffee tick plans heads-ups,
// asks silent members whether they are still in, asks groups "did you
// meet?" and finishes a delivery a crash cut short (CoffeeTick). The
// scheduler only says when: it calls RunCoffeeRound and CoffeeTick.
// What each message says and how it reaches people is in
// coffee_delivery.go; the answers to its buttons in coffee_answers.go.

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rapport-bot/rapport/bot/pairing"
	"github.com/rapport-bot/rapport/store"
)

// Schedule is when something recurs. The coffee rounds' schedule is
// RAPPORT_COFFEE_SCHEDULE, parsed by the scheduler's ParseSpec.
type Schedule interface {
	// Next returns the first instant after t, or zero if there is none.
	Next(t time.Time) time.Time
}

// headsUpLead is how long before a heads-up is due it is planned: the last
// working window before the due time, where someone whose next working day
// begins after the round gets it, can be up to a week earlier.
const headsUpLead = 7 * 24 * time.Hour

// askSilentEvery is how often the coffee tick looks for silent members.
const askSilentEvery = time.Hour

// roundState is what the round lifecycle keeps between calls.
type roundState struct {
	mu          sync.Mutex // one round (start, or a resumed delivery) at a time
	lastHeadsUp headsUpRun // the last planning of heads-ups
	// lastAskSilent is when askSilent last ran (it runs hourly).
	lastAskSilent time.Time
	// askNext is when the next "did you meet?" falls due, as the last
	// look at the open rounds found it (zero: look at the next tick), so
	// that the ticks in between read no rounds. askStale is set when a
	// round is made, which may bring a question sooner.
	askNext  time.Time
	askStale atomic.Bool
}

// headsUpRun names one planning of heads-ups: a round, on one day. Planning
// again each day reaches people who joined since.
type headsUpRun struct{ round, day int64 } // Unix seconds; Unix days

// NextCoffeeRound returns the next instant after t at which a scheduled
// round will run, skipping instants the cadence would skip; zero when
// rounds are not scheduled.
func (b *Bot) NextCoffeeRound(t time.Time) time.Time {
	sched := b.opts.Coffee.Schedule
	if sched == nil {
		return time.Time{}
	}
	last, ok, err := b.store.LastRound()
	next := t.In(b.opts.Location) // specs without TZ= run in RAPPORT_TZ
	for range 64 {
		next = sched.Next(next)
		if next.IsZero() {
			return time.Time{}
		}
		if err != nil || !ok || b.opts.Coffee.Cadence.Due(last.At, next) {
			return next
		}
	}
	return time.Time{}
}

// RunCoffeeRound runs the scheduled round at at (the coffee-round job):
// skipped when the last round is closer than the cadence.
func (b *Bot) RunCoffeeRound(ctx context.Context, at time.Time) error {
	return b.startRound(ctx, at, false, nil)
}

// startRound runs the round identified by at: pairs the eligible members,
// stores the round before anyone is messaged, and delivers it. Running it
// again for the same at resumes delivery and never pairs anyone twice. A
// scheduled (not manual) round is skipped when the last round is closer
// than the cadence. stored, if set, is called once the round is stored,
// before anyone is messaged: /coffee now answers the admin there, so that
// "starting" is never said of a round a crash could still lose.
func (b *Bot) startRound(ctx context.Context, at time.Time, manual bool, stored func(store.Round)) error {
	b.rounds.mu.Lock()
	defer b.rounds.mu.Unlock()
	log := b.log
	at = at.Truncate(time.Second)
	if r, err := b.store.RoundAt(at); err == nil {
		log.Info("coffee round resumed", "round", r.ID, "at", at)
		if stored != nil {
			stored(r)
		}
		return b.deliverRound(ctx, r)
	}
	last, ok, err := b.store.LastRound()
	if err != nil {
		return err
	}
	cadence := b.opts.Coffee.Cadence
	if !manual && ok && !cadence.Due(last.At, at) {
		log.Info("coffee round skipped: too soon after the last one", "at", at, "last", last.At, "cadence", string(cadence))
		return nil
	}
	if err := b.closeRoundsBefore(ctx, at); err != nil {
		return err
	}
	members, err := b.store.CoffeeMembers()
	if err != nil {
		return fmt.Errorf("bot: coffee members: %w", err)
	}
	people, err := b.coffeeEligible(ctx, at, members)
	if err != nil {
		return fmt.Errorf("bot: coffee eligible: %w", err)
	}
	// Someone who took part for the first time since the last team
	// refresh has a new record without a team: read the user groups
	// again (a few calls) so pairing sees every team. A profile field
	// costs a call per person, so it waits for the teams job. A failure
	// pairs with the teams known so far.
	if len(b.opts.Teams.Groups) > 0 {
		if err := b.refreshGroupTeams(ctx); err != nil {
			log.Warn("teams not refreshed before the round; pairing with the teams known", "err", err)
		} else {
			for i := range people {
				people[i].Teams = b.knownTeams(people[i].ID) // what the refresh just read and stored
			}
		}
	}
	in, err := b.pairingInput(people, members, at)
	if err != nil {
		return err
	}
	if err := b.markVolunteers(ctx, in.People); err != nil {
		return err
	}
	p := pairing.Pair(in)
	r := store.Round{At: at, Manual: manual, Counts: roundCounts(at, members, last, ok)}
	for _, g := range p.Groups {
		buddy := slices.ContainsFunc(p.Buddies, func(bd pairing.Buddy) bool { return slices.Contains(g, bd.Newcomer) })
		r.Groups = append(r.Groups, store.CoffeeGroup{Members: g, Icebreaker: -1, Buddy: buddy})
	}
	for _, s := range p.SitOut {
		r.SitOut = append(r.SitOut, store.SitOut{User: s.ID, Reason: s.Reason})
	}
	r, created, err := b.store.CreateRound(r)
	if err != nil {
		return err
	}
	b.rounds.askStale.Store(true) // its questions come due in DidYouMeetDays
	log.Info("coffee round started", "round", r.ID, "at", at, "people", len(people), "groups", len(r.Groups), "sat_out", len(r.SitOut), "new", created)
	if stored != nil {
		stored(r)
	}
	return b.deliverRound(ctx, r)
}

// roundCounts is how the roster stands for the round at at, as numbers
// only (store.RoundCounts): the connection report's skip and opt-out
// rates come from them, and no user ID is kept for it. last, when hasLast,
// is the round before, whose people who are no longer members have left.
func roundCounts(at time.Time, members []store.CoffeeMember, last store.Round, hasLast bool) store.RoundCounts {
	var c store.RoundCounts
	member := make(map[string]bool, len(members))
	for _, m := range members {
		member[m.User] = true
		c.Members++
		switch memberOut(m, at) {
		case outSilenced:
			c.Silenced++
		case outPaused:
			c.Paused++
		case outSkipped:
			c.Skipped++
		}
	}
	if hasLast {
		count := func(u string) {
			c.LeftOf++
			if !member[u] {
				c.Left++
			}
		}
		for _, g := range last.Groups {
			for _, u := range g.Members {
				count(u)
			}
		}
		for _, s := range last.SitOut {
			count(s.User)
		}
	}
	return c
}

func (b *Bot) pairingInput(people []store.Person, members []store.CoffeeMember, at time.Time) (pairing.Input, error) {
	co := b.opts.Coffee
	in := pairing.Input{
		GroupSize:  co.GroupSize,
		MinOverlap: co.MinOverlap,
		Never:      map[string][]string{},
		Now:        at,
		Seed:       at.Unix(),
		CrossTeam:  co.CrossTeam,
	}
	// Working time is computed once per distinct zone and working week and
	// the slice shared, so a round of thousands in a few zones costs a few
	// computations.
	hours := make(map[string][]pairing.Window)
	meetings, err := b.store.CoffeeMeetings(at.Add(-co.History))
	if err != nil {
		return in, err
	}
	member := make(map[string]store.CoffeeMember, len(members))
	for _, m := range members {
		member[m.User] = m
	}
	grouped := make(map[string]bool) // grouped in a round before: not their first
	for _, m := range meetings {
		grouped[m.A], grouped[m.B] = true, true
	}
	for _, p := range people {
		week, loc := b.workWeek(p), b.location(p)
		key := fmt.Sprintf("%s|%d|%d|%v", loc.String(), week.Start, week.End, week.Days)
		work, ok := hours[key]
		if !ok {
			for _, iv := range store.SharedHours([]store.WorkWeek{week}, []*time.Location{loc}, at, at.Add(7*24*time.Hour)) {
				work = append(work, pairing.Window{Start: iv.Start, End: iv.End})
			}
			hours[key] = work
		}
		m, isMember := member[p.ID]
		if len(m.Never) > 0 {
			in.Never[p.ID] = m.Never
		}
		isNew := b.isNewcomer(p, m, isMember, at)
		in.People = append(in.People, pairing.Person{ID: p.ID, Work: work, Zone: loc.String(), Teams: p.Teams, Newcomer: isNew, FirstRound: isNew && !grouped[p.ID]})
	}
	for _, m := range meetings {
		// A group that did not meet still counts: its people come after
		// partners they were never grouped with, and before those they met.
		in.History = append(in.History, pairing.Meeting{A: m.A, B: m.B, At: m.At, Missed: !m.Met})
	}
	return in, nil
}

// markVolunteers marks the round's people who are in the buddy channel,
// when a newcomer's first round needs one (otherwise the channel is not
// read at all).
func (b *Bot) markVolunteers(ctx context.Context, people []pairing.Person) error {
	if !slices.ContainsFunc(people, func(p pairing.Person) bool { return p.FirstRound }) {
		return nil
	}
	vols, err := b.buddyVolunteers(ctx)
	if err != nil {
		return err
	}
	for i := range people {
		people[i].Volunteer = vols[people[i].ID]
	}
	return nil
}

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
// Someone who reaches SilentRounds misses is paused for silence, and told,
// only if they were asked "still up for coffee chats?" before this round
// and that question reached them; otherwise they stay in and are asked
// before the next round. So nobody is left out without being told first.
func (b *Bot) closeRoundsBefore(ctx context.Context, at time.Time) error {
	silentRounds := b.opts.Coffee.SilentRounds
	rounds, err := b.store.RoundsBetween(at.Add(-b.opts.Coffee.History), at)
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
			if reached[gi], err = b.didYouMeetReached(r, gi); err != nil {
				return err
			}
			for _, u := range g.Members {
				if silentRounds <= 0 {
					break
				}
				if asked[u], err = b.stillInAsked(at, u); err != nil {
					return err
				}
			}
		}
		var paused []string
		err := b.store.CloseRound(r.ID, func(r *store.Round, members map[string]*store.CoffeeMember) error {
			paused = paused[:0]
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
					if silentRounds > 0 && m.Misses >= silentRounds && !m.PausedForSilence && asked[u] {
						m.PausedForSilence = true
						paused = append(paused, u)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, u := range paused {
			if err := b.tellPausedForSilence(u); err != nil {
				b.log.Error("coffee: telling a silent member they are paused failed", "user", u, "err", err)
			}
		}
	}
	return nil
}

// CoffeeTick is the frequent coffee job: it plans the heads-ups before the
// next round, asks silent members whether they are still in, finishes a
// delivery a crash cut short, and asks past rounds' groups "did you
// meet?". Every step is idempotent, so a tick that runs twice does no harm.
func (b *Bot) CoffeeTick(ctx context.Context, at time.Time) error {
	if lead := b.opts.Coffee.HeadsUp; lead > 0 {
		next := b.NextCoffeeRound(at)
		// Planned up to a week early, so that someone whose working week
		// ends before the due time still hears before the round; once a
		// day, so that people who joined since are included. lastHeadsUp
		// saves the lookups on the other ticks; queueing is idempotent
		// anyway. Ticks never overlap (the scheduler runs one at a time),
		// so no lock is needed.
		run := headsUpRun{round: next.Unix(), day: at.Unix() / 86400}
		if !next.IsZero() && next.Sub(at) <= lead+headsUpLead && run != b.rounds.lastHeadsUp {
			if _, err := b.store.RoundAt(next); err != nil { // not yet run
				if err := b.queueHeadsUps(ctx, next, next.Add(-lead)); err != nil {
					return err
				}
			}
			b.rounds.lastHeadsUp = run
		}
	}
	// Silence changes only when a "did you meet?" goes out or is answered,
	// and the question is queued well before it is due: looking once an
	// hour is enough, and spares every tick a read of the open rounds.
	last := b.rounds.lastAskSilent
	if at.Before(last) || !at.Before(last.Add(askSilentEvery)) {
		if err := b.askSilent(ctx, at); err != nil {
			return err
		}
		b.rounds.lastAskSilent = at
	}
	if err := b.resumeDelivery(ctx, at); err != nil {
		return err
	}
	return b.askDidYouMeetDue(ctx, at)
}

// askDidYouMeetDue asks "did you meet?" of the groups whose question is due
// at at: DidYouMeetDays after their round. It reads the open rounds only
// when a question may have come due since it last looked: at the instant
// it found, after a round was made in this process, and at least hourly
// (a round made by another replica, an intro delivered late).
func (b *Bot) askDidYouMeetDue(ctx context.Context, at time.Time) error {
	st := &b.rounds
	if !st.askStale.Swap(false) && !st.askNext.IsZero() && at.Before(st.askNext) {
		return nil
	}
	st.askNext = time.Time{}
	after := time.Duration(b.opts.Coffee.DidYouMeetDays) * 24 * time.Hour
	due := at.Add(-after)
	rounds, err := b.store.RoundsBetween(due.Add(-30*24*time.Hour), at.Add(time.Nanosecond))
	if err != nil {
		return err
	}
	next := at.Add(askSilentEvery)
	for _, r := range rounds {
		if r.Closed {
			continue
		}
		for i, g := range r.Groups {
			switch {
			case g.DidYouMeetSent || answeredYes(g) || len(g.Members) < 2:
				continue
			case r.At.After(due):
				if ask := r.At.Add(after); ask.Before(next) {
					next = ask // not yet: look again when it is due
				}
				continue
			case g.Channel == "":
				next = at // intro not delivered yet: look again at the next tick
				continue
			}
			if err := b.askDidYouMeet(ctx, r, i); err != nil {
				return err
			}
		}
	}
	st.askNext = next
	return nil
}

// askSilent asks the members who would be paused when the next round
// starts whether they still want to be paired, in their working hours
// before it. Only people whose misses so far, plus the open rounds they
// were asked about and have not answered, reach SilentRounds are asked;
// askStillIn waits for each one's time and asks once.
func (b *Bot) askSilent(ctx context.Context, at time.Time) error {
	silentRounds := b.opts.Coffee.SilentRounds
	if silentRounds <= 0 {
		return nil
	}
	next := b.NextCoffeeRound(at)
	lead := b.opts.Coffee.HeadsUp
	if lead <= 0 {
		lead = 24 * time.Hour
	}
	if next.IsZero() || next.Sub(at) > lead+headsUpLead {
		return nil
	}
	if _, err := b.store.RoundAt(next); err == nil {
		return nil // it ran: too late to ask
	}
	members, err := b.store.CoffeeMembers()
	if err != nil {
		return err
	}
	rounds, err := b.store.RoundsBetween(next.Add(-b.opts.Coffee.History), next)
	if err != nil {
		return err
	}
	rounds = slices.DeleteFunc(rounds, func(r store.Round) bool { return r.Closed })
	for _, m := range members {
		if m.PausedForSilence || m.Paused(next) || m.Misses+len(rounds) < silentRounds {
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
			reached, err := b.didYouMeetReached(r, gi)
			if err != nil {
				return err
			}
			if reached {
				silent++
			}
		}
		if silent < silentRounds {
			continue
		}
		if err := b.askStillIn(ctx, next, next.Add(-lead), m.User, silent); err != nil {
			return err
		}
	}
	return nil
}

// resumeDelivery finishes rounds of the past week whose delivery was cut
// short (a crash, a handler timeout, Slack down): groups without a DM or
// an intro yet.
func (b *Bot) resumeDelivery(ctx context.Context, at time.Time) error {
	rounds, err := b.store.RoundsBetween(at.Add(-7*24*time.Hour), at.Add(time.Nanosecond))
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if r.Closed || !undelivered(r) {
			continue
		}
		b.rounds.mu.Lock()
		err := b.deliverRound(ctx, r)
		b.rounds.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// undelivered reports whether some group still lacks its DM or its queued
// intro (IntroTS is set once the intro is in the outbox).
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
