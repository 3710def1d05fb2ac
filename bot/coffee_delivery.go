package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// coffeeDeliveryWorkers is how many groups a round delivers at once.
const coffeeDeliveryWorkers = 4

// deliverRound opens each group's DM and queues its intro, and tells
// those who sat out. The round is already stored; each step records what
// it did (the group's channel; the outbox keys), so running this again
// after a crash repeats nothing: no second group DM, no second intro.
func (b *Bot) deliverRound(ctx context.Context, r store.Round) error {
	// A few groups at a time: each waits on conversations.open (Tier 3,
	// ~50/min), so overlapping one group's store writes and intro with the
	// next group's open keeps delivery at the pace Slack allows.
	sem := make(chan struct{}, coffeeDeliveryWorkers)
	errs := make(chan error, len(r.Groups))
	for i := range r.Groups {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- b.deliverCoffeeGroup(ctx, r, i)
		}()
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	for _, s := range r.SitOut {
		err := b.enqueue(store.Outgoing{
			Key:          coffeeSatOutKey(r.ID, s.User),
			User:         s.User,
			Text:         renderCoffeeSatOut(s.Reason),
			RespectHours: true,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *Bot) deliverCoffeeGroup(ctx context.Context, r store.Round, i int) error {
	g := r.Groups[i]
	if len(g.Members) < 2 || g.IntroTS != "" {
		return nil // a group of one, or its intro is already queued
	}
	if g.Channel == "" {
		var ch *slack.Channel
		err := b.send.call(ctx, "conversations.open", func(ctx context.Context) error {
			var err error
			ch, _, _, err = b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: g.Members})
			return err
		})
		if err != nil {
			return fmt.Errorf("bot: open coffee group %d of round %d: %w", i, r.ID, err)
		}
		icebreaker, err := b.pickIcebreakerFor(g.Members, r.At)
		if err != nil {
			return err
		}
		g, err = b.store.UpdateRoundGroup(r.ID, i, func(g *store.CoffeeGroup) error {
			g.Channel = ch.ID
			if g.Icebreaker < 0 {
				g.Icebreaker = icebreaker
			}
			return nil
		}, nil)
		if err != nil {
			return err
		}
	}
	intro, err := b.coffeeIntro(ctx, r, i, g)
	if err != nil {
		return err
	}
	// The intro is unprompted: it waits until everyone in the group is at
	// work, which for a round set in another zone can be hours later.
	when, err := b.groupReach(ctx, g.Members, r.At)
	if err != nil {
		return err
	}
	text, blocks := renderCoffeeIntro(intro)
	if err := b.enqueue(store.Outgoing{
		Key:       coffeeIntroKey(r.ID, i),
		Channel:   g.Channel,
		Text:      text,
		Blocks:    encodeBlocks(blocks),
		NotBefore: when,
	}); err != nil {
		return err
	}
	if err := b.remindNotes(r, i, g); err != nil {
		return err
	}
	// Mark the intro queued, so a resumed round knows this group is done.
	// (A crash just before this line only re-enqueues the same keys.)
	_, err = b.store.UpdateRoundGroup(r.ID, i, func(g *store.CoffeeGroup) error {
		if g.IntroTS == "" {
			g.IntroTS = introQueued
		}
		return nil
	}, nil)
	return err
}

// introQueued marks a group whose intro is in the outbox.
const introQueued = "queued"

// groupReach returns when a message the group did not ask for may go to
// its group DM: at itself when every member is inside their working hours
// then, otherwise the start of the group's next shared working window. A
// group DM has no single recipient whose hours the outbox could check, so
// the time is decided here. With no shared window in the next two weeks
// (pairing only groups people who share hours, so only a change of hours
// since) it returns at: late news beats none.
func (b *Bot) groupReach(ctx context.Context, members []string, at time.Time) (time.Time, error) {
	var weeks []store.WorkWeek
	var locs []*time.Location
	for _, id := range members {
		p, err := b.person(ctx, id)
		if err != nil && !errors.Is(err, errUnknownUser) {
			return time.Time{}, err
		}
		weeks = append(weeks, b.workWeek(p))
		locs = append(locs, b.location(p))
	}
	shared := store.SharedHours(weeks, locs, at, at.AddDate(0, 0, 14))
	if len(shared) == 0 {
		return at, nil
	}
	return shared[0].Start, nil
}

// remindNotes sends each member, privately, the last note they wrote with
// /checkin about someone in their group: "remember what they shared". The
// note never goes to the group DM.
func (b *Bot) remindNotes(r store.Round, i int, g store.CoffeeGroup) error {
	checkins, err := b.store.Checkins()
	if err != nil {
		return err
	}
	latest := map[[2]string]store.Checkin{}
	for _, c := range checkins {
		if c.Note == "" || !slices.Contains(g.Members, c.User) || !slices.Contains(g.Members, c.With) {
			continue
		}
		k := [2]string{c.User, c.With}
		if old, ok := latest[k]; !ok || c.At.After(old.At) {
			latest[k] = c
		}
	}
	for k, c := range latest {
		err := b.enqueue(store.Outgoing{
			Key:          coffeeNoteKey(r.ID, i, k[0], k[1]),
			User:         k[0],
			Text:         fmt.Sprintf(":memo: Before your coffee with <@%s> — last time you noted: _%s_ (only you can see this)", k[1], kudosClip(c.Note, 500)),
			RespectHours: true,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// pickIcebreakerFor picks a question none of these people was asked in an
// earlier coffee chat together.
func (b *Bot) pickIcebreakerFor(members []string, at time.Time) (int, error) {
	rounds, err := b.store.Rounds()
	if err != nil {
		return 0, err
	}
	used := map[int]bool{}
	for _, r := range rounds {
		for _, g := range r.Groups {
			if g.Icebreaker < 0 {
				continue
			}
			shared := 0
			for _, m := range members {
				if slices.Contains(g.Members, m) {
					shared++
				}
			}
			if shared >= 1 {
				used[g.Icebreaker] = true
			}
		}
	}
	return pickIcebreaker(used, at.Unix()+int64(len(members))), nil
}

// coffeeIntro gathers what the intro shows about each person.
func (b *Bot) coffeeIntro(ctx context.Context, r store.Round, i int, g store.CoffeeGroup) (coffeeIntro, error) {
	var weeks []store.WorkWeek
	var locs []*time.Location
	var people []store.Person
	for _, id := range g.Members {
		p, err := b.person(ctx, id)
		if err != nil && !errors.Is(err, errUnknownUser) {
			return coffeeIntro{}, err
		}
		p.ID = id
		people = append(people, p)
		weeks = append(weeks, b.workWeek(p))
		locs = append(locs, b.location(p))
	}
	// Two weeks around the round, so every weekday has a whole window even
	// when the round starts in the middle of one.
	shared := store.SharedHours(weeks, locs, r.At.AddDate(0, 0, -7), r.At.AddDate(0, 0, 7))
	in := coffeeIntro{RoundID: r.ID, Group: i, DidYouMeetDays: b.opts.Coffee.DidYouMeetDays}
	if g.Icebreaker >= 0 && g.Icebreaker < len(icebreakers) {
		in.Icebreaker = icebreakers[g.Icebreaker]
	}
	for k, p := range people {
		cp := coffeePerson{
			ID:      p.ID,
			Zone:    locs[k].String(),
			Overlap: describeOverlap(shared, locs[k]),
			Style:   escapeText(p.Style),
		}
		if g.Buddy {
			// Who is the newcomer is read now, as the round saw it: a
			// resumed delivery reads the same joins.
			m, err := b.store.CoffeeMember(p.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return coffeeIntro{}, err
			}
			cp.New = b.isNewcomer(p, m, err == nil, r.At)
			cp.Buddy = !cp.New
		}
		in.People = append(in.People, cp)
	}
	return in, nil
}

// describeOverlap says when intervals fall in loc, grouping days with the
// same hours: "Mon–Fri 15:00–18:00", "Mon, Wed 09:00–10:30". Each local
// weekday shows its longest interval, so a window cut short by the edge
// of the span does not show.
func describeOverlap(intervals []store.Interval, loc *time.Location) string {
	longest := map[time.Weekday]store.Interval{}
	for _, iv := range intervals {
		d := iv.Start.In(loc).Weekday()
		if old, ok := longest[d]; !ok || iv.End.Sub(iv.Start) > old.End.Sub(old.Start) {
			longest[d] = iv
		}
	}
	type hours struct{ from, to string }
	days := map[hours][]time.Weekday{}
	var order []hours
	for _, d := range []time.Weekday{1, 2, 3, 4, 5, 6, 0} {
		iv, ok := longest[d]
		if !ok {
			continue
		}
		h := hours{localClock(iv.Start, loc), localClock(iv.End, loc)}
		if _, seen := days[h]; !seen {
			order = append(order, h)
		}
		days[h] = append(days[h], d)
	}
	var parts []string
	for _, h := range order {
		parts = append(parts, dayRange(days[h])+" "+h.from+"–"+h.to)
	}
	return strings.Join(parts, "; ")
}

// dayRange writes weekdays Monday first, runs as ranges: "Mon–Fri".
func dayRange(ds []time.Weekday) string {
	mondayFirst := func(d time.Weekday) int { return (int(d) + 6) % 7 }
	slices.SortFunc(ds, func(a, b time.Weekday) int { return mondayFirst(a) - mondayFirst(b) })
	var parts []string
	for i := 0; i < len(ds); {
		j := i
		for j+1 < len(ds) && mondayFirst(ds[j+1]) == mondayFirst(ds[j])+1 {
			j++
		}
		name := func(d time.Weekday) string { return d.String()[:3] }
		switch {
		case j-i >= 2:
			parts = append(parts, name(ds[i])+"–"+name(ds[j]))
		case j > i:
			parts = append(parts, name(ds[i]), name(ds[j]))
		default:
			parts = append(parts, name(ds[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// queueHeadsUps queues, for every member taking part, a heads-up about the
// round at at, with "Skip this round". Each is due at due, and reaches its
// person inside their own working hours and before the round: when due
// falls outside them and their next working day begins after the round
// (New York, for a round on Monday morning in Berlin), it goes in their
// last working window before due instead. The scheduler calls this early
// enough for that window (a week ahead). A heads-up still unsent when the
// round starts is dropped, and so is one whose person has since paused,
// left or chosen to skip (see headsUpStale). Idempotent per round and
// person.
func (b *Bot) queueHeadsUps(ctx context.Context, at, due time.Time) error {
	members, err := b.store.CoffeeMembers()
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.PausedUntil.After(at) || m.PausedForSilence || m.Skips(at) {
			continue
		}
		key := coffeeHeadsUpKey(at, m.User)
		if _, err := b.store.OutgoingByKey(key); err == nil {
			continue // queued already: no profile lookup needed
		}
		p, err := b.person(ctx, m.User)
		if errors.Is(err, errUnknownUser) {
			continue
		}
		if err != nil {
			return err
		}
		text, blocks := renderCoffeeHeadsUp(at, b.readerFor(p))
		err = b.enqueue(store.Outgoing{
			Key:          key,
			User:         m.User,
			Kind:         store.DMHeadsUp,
			Text:         text,
			Blocks:       encodeBlocks(blocks),
			NotBefore:    reachBefore(b.workWeek(p), b.location(p), due, at),
			RespectHours: true,
			Expires:      at,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// outgoingStale reports whether a queued coffee message was overtaken
// while it waited for its person's working hours: a heads-up (see
// headsUpStale) or a "still up for coffee chats?" (see stillInStale).
// Every other message is never stale.
func (b *Bot) outgoingStale(o store.Outgoing) (bool, error) {
	switch {
	case o.User == "":
		return false, nil
	case o.Kind == store.DMHeadsUp:
		return b.headsUpStale(o)
	case strings.HasPrefix(o.Key, coffeeStillInKeyPrefix):
		return b.stillInStale(o)
	}
	return false, nil
}

// outOfRound reports whether user will not be in the round at at: no
// longer a member, paused past it, paused for silence, or skipping it.
func (b *Bot) outOfRound(user string, at time.Time) (bool, error) {
	m, err := b.store.CoffeeMember(user)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return m.PausedUntil.After(at) || m.PausedForSilence || m.Skips(at), nil
}

// headsUpStale reports whether a queued heads-up no longer fits its
// person: queued days ahead, it would say "you're in" to someone who has
// since left, paused or skipped the round (its Expires is the round), or
// who is being asked whether they still want to take part.
func (b *Bot) headsUpStale(o store.Outgoing) (bool, error) {
	if out, err := b.outOfRound(o.User, o.Expires); out || err != nil {
		return out, err
	}
	// A person asked "still up for coffee chats?" before this round gets
	// that question instead: a heads-up saying "you're in — nothing to
	// do" beside it would contradict it.
	_, err := b.store.OutgoingByKey(coffeeStillInKey(o.Expires, o.User))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	}
	return false, err
}

// stillInStale reports whether a queued "still up for coffee chats?" no
// longer fits its person: they answered "did you meet?" in a round still
// open (or someone in their group said they met) since it was queued, or
// they paused, left or chose to skip the round in the meantime.
func (b *Bot) stillInStale(o store.Outgoing) (bool, error) {
	if out, err := b.outOfRound(o.User, o.Expires); out || err != nil {
		return out, err
	}
	rounds, err := b.store.RoundsBetween(o.Expires.AddDate(0, 0, -coffeeAnswerWindowDays), o.Expires)
	if err != nil {
		return false, err
	}
	for _, r := range rounds {
		if r.Closed {
			continue
		}
		if gi := r.Group(o.User); gi >= 0 {
			g := r.Groups[gi]
			if _, answered := g.Answers[o.User]; answered || g.Outcome() == store.AnswerYes {
				return true, nil
			}
		}
	}
	return false, nil
}

// coffeeAnswerWindowDays is how far back stillInStale looks for open
// rounds: an open round is at most a few weeks old (it closes when the next
// one starts, monthly at the longest).
const coffeeAnswerWindowDays = 62

// askDidYouMeet asks a group "did you meet?" in its DM, once.
func (b *Bot) askDidYouMeet(ctx context.Context, r store.Round, i int) error {
	g := r.Groups[i]
	if g.Channel == "" {
		return nil // never delivered; nothing to ask
	}
	// Like the intro, the question waits for the group's shared hours.
	when, err := b.groupReach(ctx, g.Members, b.opts.Now())
	if err != nil {
		return err
	}
	text, blocks := renderDidYouMeet(r.ID, i)
	if err := b.enqueue(store.Outgoing{
		Key:       didYouMeetKey(r.ID, i),
		Channel:   g.Channel,
		Text:      text,
		Blocks:    encodeBlocks(blocks),
		NotBefore: when,
	}); err != nil {
		return err
	}
	_, err = b.store.UpdateRoundGroup(r.ID, i, func(g *store.CoffeeGroup) error {
		g.DidYouMeetSent = true
		return nil
	}, nil)
	return err
}

// tellPausedForSilence tells someone their coffee chats are now paused: several
// rounds went unanswered, and so did "still up for coffee chats?". It
// offers Resume and Leave, in their working hours.
func (b *Bot) tellPausedForSilence(user string) error {
	text, blocks := renderCoffeePausedSilent()
	return b.enqueue(store.Outgoing{
		Key:          pausedForSilenceKey(user, b.opts.Now().Unix()/86400),
		User:         user,
		Text:         text,
		Blocks:       encodeBlocks(blocks),
		RespectHours: true,
	})
}

// didYouMeetReached reports whether group's "did you meet?" was posted.
// An item pruned from the outbox (a month after it was settled) counts as
// posted: a question asked is the usual case by then.
func (b *Bot) didYouMeetReached(r store.Round, group int) (bool, error) {
	if group < 0 || group >= len(r.Groups) || !r.Groups[group].DidYouMeetSent {
		return false, nil
	}
	o, err := b.store.OutgoingByKey(didYouMeetKey(r.ID, group))
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return o.State == store.OutboxSent, nil
}

// askStillIn asks user whether they still want to be paired, before
// the round at at, when their time comes: due when it is inside their
// working hours, their next working hours if those begin before the round,
// else their last working window before due (see reachBefore). It is
// queued as soon as the scheduler sees the silence, once per round, so
// that the heads-up for that round, due at the same moment, finds it and
// stands aside (headsUpStale); if the person answers in the meantime, it
// is dropped when due (stillInStale). The question expires when the round
// starts, so it never arrives after it.
func (b *Bot) askStillIn(ctx context.Context, at, due time.Time, user string, silent int) error {
	key := coffeeStillInKey(at, user)
	if _, err := b.store.OutgoingByKey(key); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	p, err := b.person(ctx, user)
	if errors.Is(err, errUnknownUser) {
		return nil
	}
	if err != nil {
		return err
	}
	when := reachBefore(b.workWeek(p), b.location(p), due, at)
	text, blocks := renderCoffeeStillIn(at, b.readerFor(p), silent)
	return b.enqueue(store.Outgoing{
		Key:          key,
		User:         user,
		Text:         text,
		Blocks:       encodeBlocks(blocks),
		NotBefore:    when,
		RespectHours: true,
		Expires:      at,
	})
}

// stillInAsked reports whether "still up for coffee chats?" for the
// round at at reached user.
func (b *Bot) stillInAsked(at time.Time, user string) (bool, error) {
	o, err := b.store.OutgoingByKey(coffeeStillInKey(at, user))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return o.State == store.OutboxSent, nil
}
