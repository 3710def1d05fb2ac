package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// coffeeGroupRef reads a "<round>:<group>[:<answer>]" button value and
// loads the group, checking that the clicker is in it: a payload naming
// someone else's round changes nothing.
func (b *Bot) coffeeGroupRef(in interaction, value string) (store.Round, int, string, error) {
	parts := strings.Split(value, ":")
	if len(parts) < 2 {
		return store.Round{}, 0, "", userErrorf("That button is out of date; nothing was changed.")
	}
	id, err1 := strconv.ParseUint(parts[0], 10, 64)
	gi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return store.Round{}, 0, "", userErrorf("That button is out of date; nothing was changed.")
	}
	r, err := b.store.Round(id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (gi < 0 || gi >= len(r.Groups))) {
		return store.Round{}, 0, "", userErrorf("I can't find that coffee chat any more; nothing was changed.")
	}
	if err != nil {
		return store.Round{}, 0, "", err
	}
	if !slices.Contains(r.Groups[gi].Members, in.user) {
		return store.Round{}, 0, "", userErrorf("This button is for the people in that coffee chat; nothing was changed.")
	}
	extra := ""
	if len(parts) > 2 {
		extra = parts[2]
	}
	return r, gi, extra, nil
}

// recordAnswer stores the clicker's answer as their group's latest, which
// is the group's answer from now on (CoffeeGroup.Outcome), in one
// transaction with all it causes: a "yes" is contact, so every pair in
// the group is in touch again and each member's Home (which lists who is
// due a catch-up) is refreshed; notes(g) are the messages the answer
// sends, given the group as stored. A failure changes nothing and is
// returned as the person's error.
func (b *Bot) recordAnswer(r store.Round, gi int, user string, a store.CoffeeAnswer, notes func(g store.CoffeeGroup) []store.Outgoing) error {
	now := b.opts.Now()
	_, err := b.store.UpdateRoundGroup(r.ID, gi, func(g *store.CoffeeGroup) error {
		if !slices.Contains(g.Members, user) {
			return errNotInGroup // forgotten or moved since the button was sent
		}
		g.SetAnswer(user, a)
		return nil
	}, func(g store.CoffeeGroup) store.Effects {
		var e store.Effects
		if notes != nil {
			e.Outbox = notes(g)
		}
		if a != store.AnswerYes {
			return effectsDueAt(e, now)
		}
		for i, m := range g.Members {
			for _, o := range g.Members[i+1:] {
				e.InTouch = append(e.InTouch, store.InTouch{A: m, B: o, At: now, Kind: store.InTouchCoffee})
			}
		}
		cause := fmt.Sprintf("coffee:%d:%d:%s:%s", r.ID, gi, user, a)
		for _, m := range g.Members {
			e.Outbox = append(e.Outbox, homeRefresh(m, cause))
		}
		return effectsDueAt(e, now)
	})
	switch {
	case errors.Is(err, errNotInGroup):
		return userErrorf("This button is for the people in that coffee chat; nothing was changed.")
	case err != nil:
		return notSaved(err, "your answer")
	}
	b.kickOutbox()
	return nil
}

// errNotInGroup stops an answer from someone no longer in the group.
var errNotInGroup = errors.New("not in the group")

// coffeeMet handles "We met ☕": the group hears it once, from the first
// person who says so.
func (b *Bot) coffeeMet(ctx context.Context, in interaction, a *slack.BlockAction) error {
	r, gi, _, err := b.coffeeGroupRef(in, a.Value)
	if err != nil {
		return err
	}
	if err := b.recordAnswer(r, gi, in.user, store.AnswerYes, func(g store.CoffeeGroup) []store.Outgoing {
		return []store.Outgoing{{Key: coffeeMetKey(r.ID, gi), Channel: g.Channel, Text: coffeeMetText(in.user)}}
	}); err != nil {
		return err
	}
	return b.offerKeepInTouch(ctx, in, r.Groups[gi].Members)
}

// offerKeepInTouch follows a "we met" privately with buttons to keep in
// touch with each partner, and to record a follow-up from the chat.
func (b *Bot) offerKeepInTouch(ctx context.Context, in interaction, members []string) error {
	return b.answer(ctx, in.origin, response{Text: "Glad you met! Want to keep in touch?", Blocks: renderCoffeeKeepInTouch(in.user, members)})
}

// renderCoffeeKeepInTouch offers clicker, after a coffee chat with members,
// to keep in touch with each of the others or record a follow-up.
func renderCoffeeKeepInTouch(clicker string, members []string) []slack.Block {
	blocks := []slack.Block{section("Glad you met! Want to keep in touch?")}
	for _, m := range members {
		if m == clicker {
			continue
		}
		blocks = append(blocks, slack.NewActionBlock(coffeeKeepBlockPrefix+m,
			button(circleAddAction, m, "Keep in touch every 30 days"),
			button(coffeeFollowupAction, m, "Record a follow-up")),
			contextLine(fmt.Sprintf("with <@%s>", m)))
	}
	return blocks
}

// circleAdd puts the partner in the clicker's circle with a 30-day cadence.
func (b *Bot) circleAdd(ctx context.Context, in interaction, a *slack.BlockAction) error {
	if a.Value == "" || a.Value == in.user {
		return userErrorf("That button is out of date; nothing was changed.")
	}
	now := b.opts.Now()
	cause := fmt.Sprintf("circle:%s:%s:%d", in.user, a.Value, now.UnixNano())
	if _, err := b.store.UpdateCircleEntry(in.user, a.Value, func(c *store.CircleEntry) error {
		c.CadenceDays, c.Stopped = 30, false
		return nil
	}, effectsDueAt(store.Effects{
		InTouch: []store.InTouch{{A: in.user, B: a.Value, At: now, Kind: store.InTouchCoffee}},
		Outbox:  []store.Outgoing{homeRefresh(in.user, cause), homeRefresh(a.Value, cause)},
	}, now)); err != nil {
		return notSaved(err, "that")
	}
	b.kickOutbox()
	return b.answer(ctx, in.origin, response{Text: fmt.Sprintf("Done: I'll suggest catching up with <@%s> if 30 days go by.", a.Value)})
}

// coffeeFollowup opens the follow-up form for the partner.
func (b *Bot) coffeeFollowup(ctx context.Context, in interaction, a *slack.BlockAction) error {
	return b.openFollowupModal(ctx, in.triggerID, in.user, "", a.Value, "")
}

// coffeeCant handles "Can't make it": recorded, and the others are told
// kindly, once per person.
func (b *Bot) coffeeCant(ctx context.Context, in interaction, a *slack.BlockAction) error {
	r, gi, _, err := b.coffeeGroupRef(in, a.Value)
	if err != nil {
		return err
	}
	return b.recordAnswer(r, gi, in.user, store.AnswerCant, func(g store.CoffeeGroup) []store.Outgoing {
		return []store.Outgoing{{Key: coffeeCantKey(r.ID, gi, in.user), Channel: g.Channel, Text: coffeeCantText(in.user)}}
	})
}

// coffeeSuggest proposes three half-hour slots in the group's shared
// working hours, privately to the clicker.
func (b *Bot) coffeeSuggest(ctx context.Context, in interaction, a *slack.BlockAction) error {
	r, gi, _, err := b.coffeeGroupRef(in, a.Value)
	if err != nil {
		return err
	}
	var weeks []store.WorkWeek
	var locs []*time.Location
	for _, id := range r.Groups[gi].Members {
		p, err := b.person(ctx, id)
		if err != nil && !errors.Is(err, errUnknownUser) {
			return err
		}
		weeks = append(weeks, b.workWeek(p))
		locs = append(locs, b.location(p))
	}
	now := b.opts.Now()
	text, blocks := renderCoffeeSuggest(suggestSlots(store.SharedHours(weeks, locs, now.Add(time.Hour), now.AddDate(0, 0, 14)), 3), b.readerOf(ctx, in.user))
	return b.answer(ctx, in.origin, response{Text: text, Blocks: blocks})
}

// suggestSlots picks up to n half-hour slots on different days, each at the
// first :00 or :30 of a shared interval that leaves room for 30 minutes.
func suggestSlots(intervals []store.Interval, n int) []time.Time {
	var out []time.Time
	var lastDay string
	for _, iv := range intervals {
		start := iv.Start.Truncate(30 * time.Minute)
		if start.Before(iv.Start) {
			start = start.Add(30 * time.Minute)
		}
		if start.Add(30*time.Minute).After(iv.End) || iv.Start.Format("2006-01-02") == lastDay {
			continue
		}
		out = append(out, start)
		lastDay = iv.Start.Format("2006-01-02")
		if len(out) == n {
			break
		}
	}
	return out
}

// didYouMeetAnswer handles the "Did you meet?" buttons.
func (b *Bot) didYouMeetAnswer(ctx context.Context, in interaction, a *slack.BlockAction) error {
	r, gi, answer, err := b.coffeeGroupRef(in, a.Value)
	if err != nil {
		return err
	}
	ans := store.CoffeeAnswer(answer)
	switch ans {
	case store.AnswerYes, store.AnswerNotYet, store.AnswerNo:
	default:
		return userErrorf("That button is out of date; nothing was changed.")
	}
	if err := b.recordAnswer(r, gi, in.user, ans, nil); err != nil {
		return err
	}
	thanks := map[store.CoffeeAnswer]string{
		store.AnswerYes:    "Lovely, noted ☕. Thanks for making time for each other.",
		store.AnswerNotYet: "Noted. There's still time: the *Suggest a time* button above finds a slot in your shared hours.",
		store.AnswerNo:     "Thanks for saying so; it happens. I'll pair you again next round.",
	}[ans]
	return b.answer(ctx, in.origin, response{Text: thanks})
}

// coffeeSkip handles "Skip this round" on a heads-up.
func (b *Bot) coffeeSkip(ctx context.Context, in interaction, a *slack.BlockAction) error {
	sec, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		return userErrorf("That button is out of date; nothing was changed.")
	}
	at := time.Unix(sec, 0)
	if !at.After(b.opts.Now()) {
		return userErrorf("That round has already started, so it can't be skipped now.")
	}
	_, _, err = b.store.UpdateCoffeeMember(in.user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			return errNotMember
		}
		m.SkipAt = at
		return nil
	}, store.Effects{})
	if errors.Is(err, errNotMember) {
		return userErrorf("You're not in coffee chats any more, so there's nothing to skip.")
	}
	if err != nil {
		return notSaved(err, "that")
	}
	return b.answer(ctx, in.origin, response{Text: "Done: you'll sit this round out, and you're back in the one after.", ReplaceOriginal: true})
}

func (b *Bot) coffeeStay(ctx context.Context, in interaction, a *slack.BlockAction) error {
	_, _, err := b.store.UpdateCoffeeMember(in.user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			return errNotMember
		}
		m.PausedForSilence, m.Misses = false, 0
		return nil
	}, effectsDueAt(store.Effects{Outbox: []store.Outgoing{homeRefresh(in.user, fmt.Sprintf("coffee-stay:%d", b.opts.Now().UnixNano()))}}, b.opts.Now()))
	if errors.Is(err, errNotMember) {
		return userErrorf("You're not in coffee chats any more. Join again with `/coffee join`.")
	}
	if err != nil {
		return notSaved(err, "that")
	}
	b.kickOutbox()
	return b.answer(ctx, in.origin, response{Text: "Glad you're staying! You're in the next round.", ReplaceOriginal: true})
}

func (b *Bot) coffeeLeaveButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	now := b.opts.Now()
	if _, err := b.store.RemoveCoffeeMember(in.user, effectsDueAt(store.Effects{Outbox: []store.Outgoing{
		homeRefresh(in.user, fmt.Sprintf("coffee-leave:%d", now.UnixNano())),
	}}, now)); err != nil {
		return notSaved(err, "that")
	}
	b.kickOutbox()
	return b.answer(ctx, in.origin, response{Text: "You've left coffee chats. Come back any time with `/coffee join`.", ReplaceOriginal: true})
}
