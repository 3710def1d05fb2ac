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

// Stay in touch: check-ins, the circle and reconnect suggestions.
const (
	reconnectEvery  = 7 * 24 * time.Hour // at most one suggestion DM a week
	reconnectSnooze = 28 * 24 * time.Hour
	reconnectMax    = 3
)

// conversationStarters are low-pressure openers in the spirit of staying
// in touch without needing something.
var conversationStarters = []string{
	"Just wanted to check in — how is your current project going?",
	"Saw your recent post — great insight. How did that come about?",
	"It's been a while! What's been keeping you busy lately?",
	"I came across something that reminded me of you — how are things?",
	"How did that thing you were working on turn out?",
}

// recordInTouch records that two people interacted, for their circles. A failure
// is logged: the interaction itself already happened.
func (b *Bot) recordInTouch(a, c string, at time.Time, kind string) {
	if a == "" || c == "" || a == c {
		return
	}
	if err := b.store.RecordInTouch(a, c, at, kind); err != nil {
		b.log.Warn("circle: touch failed", "user", a, "err", err)
	}
}

// addCheckin records that user reached out to who, now, in one
// transaction with the pair in touch and the refresh of user's Home (its
// list of people not heard from in a while changes).
func (b *Bot) addCheckin(user, who, note string) error {
	now := b.opts.Now()
	_, err := b.store.AddCheckin(store.Checkin{User: user, With: who, At: now, Note: note}, func(c store.Checkin) store.Effects {
		e := store.Effects{InTouch: []store.InTouch{{A: c.User, B: c.With, At: now, Kind: store.InTouchCheckin}}}
		return effectsDueAt(withHomeRefresh(e, fmt.Sprintf("checkin:%d", c.ID), c.User), now)
	})
	if err != nil {
		return b.notSaved(err, "that check-in")
	}
	b.kickOutbox()
	return nil
}

// checkinCommand answers /checkin.
func (b *Bot) checkinCommand(ctx context.Context, cmd slashCommand) error {
	toks := tokenize(cmd.text)
	if cmd.sub == "help" || len(toks) == 0 {
		return b.answerUsage(ctx, cmd)
	}
	switch cmd.sub {
	case "every":
		return b.checkinCadence(ctx, cmd, toks)
	case "stop":
		who := firstMention(toks)
		if who == "" {
			return errNoPerson(cmd.args, "`/checkin stop @maya`")
		}
		if _, err := b.store.UpdateCircleEntry(cmd.user, who, func(c *store.CircleEntry) error { c.Stopped = true; return nil }, store.Effects{}); err != nil {
			return err
		}
		return b.answerText(ctx, cmd.origin, fmt.Sprintf("Done: I won't suggest reconnecting with <@%s>. (Undo with `/checkin every 30 days @them`.)", who))
	}
	if toks[0].kind != tokUserMention {
		return errNoPerson(cmd.text, "`/checkin @maya moving to Berlin in March`")
	}
	who := toks[0].id
	if who == cmd.user {
		return userErrorf("That's you! Try `/checkin @maya`.")
	}
	note := strings.TrimSpace(cmd.text[toks[0].end:])
	if note == "" {
		return b.checkinHistory(ctx, cmd, who)
	}
	if plainLength(note) > 1000 {
		return userErrorf("Notes hold up to 1,000 characters; nothing was saved.")
	}
	p, err := b.person(ctx, who)
	if errors.Is(err, errUnknownUser) {
		return errNoPerson("<@"+who+">", "`/checkin @maya moving to Berlin in March`")
	}
	if err != nil {
		return err
	}
	if p.IsBot {
		return userErrorf("<@%s> is a bot; check-ins are for people. Nothing was saved.", who)
	}
	if err := b.addCheckin(cmd.user, who, note); err != nil {
		return err
	}
	return b.answerText(ctx, cmd.origin, fmt.Sprintf(":seedling: Noted that you reached out to <@%s>. Your note is private; I'll show it to you next time you meet.", who))
}

// inTouchWords says how two people were last in touch, in words a person
// reads, for a stored contact kind.
func inTouchWords(kind string) string {
	switch kind {
	case store.InTouchCoffee:
		return "you met for coffee"
	case store.InTouchKudos:
		return "kudos"
	case store.InTouchFollowup:
		return "a follow-up"
	case store.InTouchCheckin:
		return "you reached out"
	case store.InTouchCongrats:
		return "you congratulated them"
	}
	return "in touch"
}

func firstMention(toks []token) string {
	for _, t := range toks {
		if t.kind == tokUserMention {
			return t.id
		}
	}
	return ""
}

// checkinCadence handles "/checkin every 30 days @person".
func (b *Bot) checkinCadence(ctx context.Context, cmd slashCommand, toks []token) error {
	fields := strings.Fields(cmd.args)
	who := firstMention(toks)
	days := 0
	if len(fields) >= 2 {
		days, _ = strconv.Atoi(fields[0])
		if u := strings.TrimSuffix(strings.ToLower(fields[1]), "s"); u == "week" {
			days *= 7
		} else if u != "day" {
			days = 0
		}
	}
	if who == "" && days >= 1 && days <= 365 {
		return errNoPerson(strings.Join(fields[2:], " "), "`/checkin every 30 days @maya`")
	}
	if who == "" || days < 1 || days > 365 {
		return userErrorf("Try `/checkin every 30 days @maya` or `/checkin every 2 weeks @maya` (1 to 365 days).")
	}
	if _, err := b.store.UpdateCircleEntry(cmd.user, who, func(c *store.CircleEntry) error {
		c.CadenceDays, c.Stopped = days, false
		return nil
	}, store.Effects{}); err != nil {
		return err
	}
	return b.answerText(ctx, cmd.origin, fmt.Sprintf("Done: I'll suggest reconnecting with <@%s> when %d days pass without contact.", who, days))
}

// checkinHistory shows your history with someone: last contact, your
// private notes, newest first.
func (b *Bot) checkinHistory(ctx context.Context, cmd slashCommand, who string) error {
	all, err := b.store.Checkins()
	if err != nil {
		return err
	}
	var mine []store.Checkin
	for _, c := range all {
		if c.User == cmd.user && c.With == who {
			mine = append(mine, c)
		}
	}
	slices.SortFunc(mine, func(a, c store.Checkin) int { return c.At.Compare(a.At) })
	r := b.readerOf(ctx, cmd.user)
	var sb strings.Builder
	fmt.Fprintf(&sb, "*You and <@%s>*", who)
	if c, err := b.store.CircleEntry(cmd.user, who); err == nil && !c.LastInTouch.IsZero() {
		fmt.Fprintf(&sb, "\nLast contact: %s (%s)", localWhen(c.LastInTouch, r), inTouchWords(c.LastKind))
		if c.Stopped {
			sb.WriteString(" · suggestions off")
		} else if c.CadenceDays > 0 {
			fmt.Fprintf(&sb, " · every %d days", c.CadenceDays)
		}
	}
	if len(mine) == 0 {
		sb.WriteString("\nNo check-ins yet. Record one: `/checkin @them how was the move?`")
	}
	for i, c := range mine {
		if i == 10 {
			fmt.Fprintf(&sb, "\n…and %d more", len(mine)-10)
			break
		}
		fmt.Fprintf(&sb, "\n• %s — %s", localWhen(c.At, r), kudosClip(c.Note, 300))
	}
	return b.answer(ctx, cmd.origin, response{Text: sb.String(), Blocks: []slack.Block{section(sb.String())}})
}

// SuggestReconnects DMs each person with lapsed contacts at most once a
// week, in their working hours: up to three people, longest first, each
// with a conversation starter and buttons.
func (b *Bot) SuggestReconnects(ctx context.Context, now time.Time) error {
	owners, err := b.store.ReconnectOwners()
	if err != nil {
		return err
	}
	for _, owner := range owners {
		p, err := b.store.Person(owner)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if p.Deleted || p.IsMuted(store.DMReconnect) || now.Sub(p.LastReconnect) < reconnectEvery {
			continue
		}
		lapsed, err := b.store.Lapsed(owner, now, b.opts.StayInTouchDays, reconnectMax)
		if err != nil {
			return err
		}
		if len(lapsed) == 0 {
			continue
		}
		text, blocks := renderReconnect(lapsed, now)
		year, week := now.ISOWeek()
		if err := b.enqueue(store.Outgoing{Key: reconnectKey(owner, year, week), User: owner, Kind: store.DMReconnect,
			Text: text, Blocks: encodeBlocks(blocks), RespectHours: true}); err != nil {
			return err
		}
		if _, err := b.store.UpdatePerson(owner, func(p *store.Person) { p.LastReconnect = now }, store.Effects{}); err != nil {
			return err
		}
	}
	return nil
}

func renderReconnect(lapsed []store.CircleEntry, now time.Time) (string, []slack.Block) {
	blocks := []slack.Block{section(":seedling: *A few people you haven't caught up with in a while.* No agenda needed — a quick hello keeps a relationship warm.")}
	for i, c := range lapsed {
		days := int(now.Sub(c.LastInTouch).Hours() / 24)
		blocks = append(blocks,
			section(fmt.Sprintf("*<@%s>* — last contact %d days ago\n_%s_", c.Other, days, conversationStarters[(i+days)%len(conversationStarters)])),
			slack.NewActionBlock(reconnectBlockIDPrefix+c.Other,
				button(reconnectDoneAction, c.Other, "I reached out"),
				button(reconnectLaterAction, c.Other, "Not now")),
		)
	}
	blocks = append(blocks, contextLine("At most once a week, in your working hours."),
		slack.NewActionBlock("", button(muteDMAction, string(store.DMReconnect), "Stop these")))
	return fmt.Sprintf(":seedling: Reconnect with <@%s>?", lapsed[0].Other), blocks
}

// reconnectDone handles "I reached out": a check-in, the clock reset.
func (b *Bot) reconnectDone(ctx context.Context, in interaction, a *slack.BlockAction) error {
	who := a.Value
	if who == "" || who == in.user {
		return userErrorf("That button is out of date; nothing was changed.")
	}
	if err := b.addCheckin(in.user, who, ""); err != nil {
		return err
	}
	return b.answer(ctx, in.origin, response{Text: fmt.Sprintf(":seedling: Nice — noted that you reached out to <@%s>.", who)})
}

// reconnectLater handles "Not now": no suggestion for that pair for four weeks.
func (b *Bot) reconnectLater(ctx context.Context, in interaction, a *slack.BlockAction) error {
	who := a.Value
	if who == "" {
		return userErrorf("That button is out of date; nothing was changed.")
	}
	until := b.opts.Now().Add(reconnectSnooze)
	if _, err := b.store.UpdateCircleEntry(in.user, who, func(c *store.CircleEntry) error { c.SnoozedUntil = until; return nil }, store.Effects{}); err != nil {
		return err
	}
	return b.answer(ctx, in.origin, response{Text: fmt.Sprintf("OK — I won't suggest <@%s> for four weeks.", who)})
}
