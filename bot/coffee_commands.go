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
	"github.com/slack-go/slack/slackevents"

	"github.com/rapport-bot/rapport/store"
)

// coffeeCommand answers /coffee.
func (b *Bot) coffeeCommand(ctx context.Context, cmd slashCommand) error {
	switch cmd.sub {
	case "", "help":
		return b.answerUsage(ctx, cmd)
	case "join":
		return b.coffeeJoin(ctx, cmd)
	case "leave":
		return b.coffeeLeave(ctx, cmd.origin)
	case "pause":
		return b.coffeePause(ctx, cmd)
	case "resume":
		return b.coffeeResume(ctx, cmd)
	case "status":
		return b.coffeeStatus(ctx, cmd)
	case "history":
		return b.coffeeHistory(ctx, cmd)
	case "never", "allow":
		return b.coffeeNever(ctx, cmd)
	case "now":
		return b.coffeeNow(ctx, cmd)
	case "stats":
		return b.coffeeStats(ctx, cmd)
	case "report":
		return b.coffeeReport(ctx, cmd)
	}
	return b.unknownSub(ctx, cmd)
}

func (b *Bot) nextRoundText(after time.Time, r reader) string {
	next := b.NextCoffeeRound(after)
	if next.IsZero() {
		return ""
	}
	return " The next round is " + localWhen(next, r) + "."
}

func (b *Bot) coffeeJoin(ctx context.Context, cmd slashCommand) error {
	p, err := b.person(ctx, cmd.user)
	if err != nil {
		return err
	}
	if p.IsBot || p.IsStranger || p.IsRestricted {
		return userErrorf("Coffee chats are for full members of this workspace, so I can't add you. Sorry!")
	}
	_, isNew, err := b.store.UpdateCoffeeMember(cmd.user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			m.Via = "command"
		}
		m.PausedUntil, m.PausedForSilence, m.Misses = time.Time{}, false, 0
		return nil
	}, store.Effects{})
	if err != nil {
		return err
	}
	if !isNew {
		return b.answerText(ctx, cmd.origin, "You're in coffee chats (and not paused)."+b.nextRoundText(b.opts.Now(), b.readerFor(p)))
	}
	return b.answerText(ctx, cmd.origin, ":coffee: You're in! I'll pair you with a teammate whose working hours overlap yours, and introduce you in a group DM."+b.nextRoundText(b.opts.Now(), b.readerFor(p)))
}

func (b *Bot) coffeeLeave(ctx context.Context, o origin) error {
	was, err := b.store.RemoveCoffeeMember(o.user, store.Effects{})
	if err != nil {
		return err
	}
	if !was {
		return b.answerText(ctx, o, "You're not in coffee chats. Join any time with `/coffee join`.")
	}
	return b.answerText(ctx, o, "You've left coffee chats. Your past chats stay in your history; come back any time with `/coffee join`.")
}

// parsePause reads "", "for 2 weeks", "for 3 days" or "until <date>",
// returning when the pause ends; zero for "until I resume". The date is
// read as a follow-up's is ("until friday", "until 24/12" in the person's
// order, "until tmrw"), and the pause ends at the start of that day.
func parsePause(args string, now time.Time, loc *time.Location, week store.WorkWeek, order dateOrder) (time.Time, error) {
	args = strings.ToLower(strings.TrimSpace(args))
	if args == "" {
		return time.Time{}, nil
	}
	if rest, ok := strings.CutPrefix(args, "for "); ok {
		f := strings.Fields(rest)
		if len(f) == 2 {
			n, err := strconv.Atoi(f[0])
			if err == nil && n > 0 && n <= 52 {
				switch strings.TrimSuffix(f[1], "s") {
				case "week":
					return now.AddDate(0, 0, 7*n), nil
				case "day":
					return now.AddDate(0, 0, n), nil
				case "month":
					return now.AddDate(0, n, 0), nil
				}
			}
		}
	}
	if rest, ok := strings.CutPrefix(args, "until "); ok {
		due, ok, err := parseDate(rest, now, loc, week, order)
		if ok && err != nil {
			return time.Time{}, err
		}
		if ok {
			d, _ := localDay(due, loc)
			if !d.After(now) {
				return time.Time{}, errPastDate(d, reader{loc: loc, now: now})
			}
			if d.After(now.AddDate(1, 0, 0)) {
				return time.Time{}, userErrorf("A pause can last up to a year. To stop for good, `/coffee leave`.")
			}
			return d, nil
		}
	}
	return time.Time{}, userErrorf("I didn't get that. Try `/coffee pause for 2 weeks`, `/coffee pause until friday`, `/coffee pause until 2026-12-24`, or `/coffee pause` to pause until you `/coffee resume`.")
}

// pausedForever stands for "until I resume": far enough never to arrive.
// It is stored as a date, so every surface that shows a pause asks
// untilResumed first and says "until you resume" instead of that date.
func pausedForever(now time.Time) time.Time { return now.AddDate(100, 0, 0) }

// untilResumed reports whether a pause ending at until has no end date: a
// dated pause lasts a year at most (parsePause), so anything more than ten
// years ahead was set by pausedForever.
func untilResumed(until, now time.Time) bool { return until.After(now.AddDate(10, 0, 0)) }

func (b *Bot) coffeePause(ctx context.Context, cmd slashCommand) error {
	p, err := b.person(ctx, cmd.user)
	if err != nil {
		return err
	}
	now := b.opts.Now()
	until, err := parsePause(cmd.args, now, b.location(p), b.workWeek(p), localeDateOrder(p.Locale))
	if err != nil {
		return err
	}
	indefinite := until.IsZero()
	if indefinite {
		until = pausedForever(now)
	}
	if _, _, err := b.store.UpdateCoffeeMember(cmd.user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			return errNotMember
		}
		m.PausedUntil = until
		return nil
	}, store.Effects{}); errors.Is(err, errNotMember) {
		return userErrorf("You're not in coffee chats, so there is nothing to pause. Join with `/coffee join`.")
	} else if err != nil {
		return err
	}
	if indefinite {
		return b.answerText(ctx, cmd.origin, "Paused. I won't pair you until you `/coffee resume`.")
	}
	return b.answerText(ctx, cmd.origin, fmt.Sprintf("Paused until %s; I'll include you again after that. `/coffee resume` to come back sooner.", localDate(until, b.readerFor(p))))
}

// errNotMember stops UpdateCoffeeMember from enrolling someone by accident.
var errNotMember = errors.New("bot: not a coffee member")

func (b *Bot) coffeeResume(ctx context.Context, cmd slashCommand) error {
	_, _, err := b.store.UpdateCoffeeMember(cmd.user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			return errNotMember
		}
		m.PausedUntil, m.PausedForSilence, m.Misses, m.SkipAt = time.Time{}, false, 0, time.Time{}
		return nil
	}, store.Effects{})
	if errors.Is(err, errNotMember) {
		return userErrorf("You're not in coffee chats yet. Join with `/coffee join`.")
	}
	if err != nil {
		return err
	}
	return b.answerText(ctx, cmd.origin, "Welcome back! You're in the next round."+b.nextRoundText(b.opts.Now(), b.readerOf(ctx, cmd.user)))
}

func (b *Bot) coffeeStatus(ctx context.Context, cmd slashCommand) error {
	s := coffeeStatus{Reader: b.readerOf(ctx, cmd.user)}
	if p, err := b.store.Person(cmd.user); err == nil || errors.Is(err, store.ErrNotFound) {
		s.Team = teamLine(p.Teams, b.opts.Teams)
	} else {
		return err
	}
	m, err := b.store.CoffeeMember(cmd.user)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		now := b.opts.Now()
		s.Enrolled, s.Via, s.PausedForSilence, s.Never = true, m.Via, m.PausedForSilence, len(m.Never)
		if m.PausedUntil.After(now) {
			s.PausedUntil = m.PausedUntil
			s.UntilResumed = untilResumed(m.PausedUntil, now)
		}
		s.NextRound = b.NextCoffeeRound(now)
		s.SkipNext = !s.NextRound.IsZero() && m.SkipAt.Equal(s.NextRound)
	}
	history, err := b.coffeeHistoryOf(cmd.user, 3)
	if err != nil {
		return err
	}
	s.Recent = history
	text, blocks := renderCoffeeStatus(s)
	return b.answer(ctx, cmd.origin, response{Text: text, Blocks: blocks})
}

// coffeeHistoryOf returns the person's rounds, newest first.
func (b *Bot) coffeeHistoryOf(user string, limit int) ([]coffeeHistoryEntry, error) {
	rounds, err := b.store.Rounds()
	if err != nil {
		return nil, err
	}
	var out []coffeeHistoryEntry
	for i := len(rounds) - 1; i >= 0 && len(out) < limit; i-- {
		r := rounds[i]
		for _, g := range r.Groups {
			if slices.Contains(g.Members, user) {
				// Everyone in the group sees the group's answer, not their
				// own: one answer per group (CoffeeGroup.Outcome).
				e := coffeeHistoryEntry{At: r.At, Answer: string(g.Outcome())}
				for _, m := range g.Members {
					if m != user {
						e.Partners = append(e.Partners, m)
					}
				}
				out = append(out, e)
			}
		}
		for _, s := range r.SitOut {
			if s.User == user {
				out = append(out, coffeeHistoryEntry{At: r.At, SatOut: s.Reason})
			}
		}
	}
	return out, nil
}

func (b *Bot) coffeeHistory(ctx context.Context, cmd slashCommand) error {
	entries, err := b.coffeeHistoryOf(cmd.user, 20)
	if err != nil {
		return err
	}
	text, blocks := renderCoffeeHistory(entries, b.readerOf(ctx, cmd.user))
	return b.answer(ctx, cmd.origin, response{Text: text, Blocks: blocks})
}

// coffeeNever handles "never @person" and "allow @person". The list is
// private: nobody is told, and the person sees only a count.
func (b *Bot) coffeeNever(ctx context.Context, cmd slashCommand) error {
	var who string
	for _, t := range tokenize(cmd.args) {
		if t.kind == tokUserMention {
			who = t.id
			break
		}
	}
	if who == "" {
		return errNoPerson(cmd.args, fmt.Sprintf("`/coffee %s @maya` (nobody is ever told)", cmd.sub))
	}
	if who == cmd.user {
		return userErrorf("That's you! Try `/coffee %s @name`.", cmd.sub)
	}
	never := cmd.sub == "never"
	_, _, err := b.store.UpdateCoffeeMember(cmd.user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			m.Via = "command" // a never-list can be set before joining
			m.PausedUntil = pausedForever(b.opts.Now())
		}
		m.Never = slices.DeleteFunc(m.Never, func(u string) bool { return u == who })
		if never {
			m.Never = append(m.Never, who)
		}
		return nil
	}, store.Effects{})
	if err != nil {
		return err
	}
	if never {
		return b.answerText(ctx, cmd.origin, fmt.Sprintf("Done. I'll never pair you with <@%s>, and nobody is told. Undo with `/coffee allow @name`.", who))
	}
	return b.answerText(ctx, cmd.origin, fmt.Sprintf("Done. <@%s> can be paired with you again.", who))
}

// isAdmin checks admin rights on each use, never once at start: a
// RAPPORT_ADMINS member, or a workspace admin or owner right now.
func (b *Bot) isAdmin(ctx context.Context, user string) (bool, error) {
	if slices.Contains(b.opts.Admins, user) {
		return true, nil
	}
	var u *slack.User
	err := b.send.call(ctx, "users.info", func(ctx context.Context) error {
		var err error
		u, err = b.api.GetUserInfoContext(ctx, user)
		return err
	})
	if err != nil {
		return false, err
	}
	return u.IsAdmin || u.IsOwner || u.IsPrimaryOwner, nil
}

func (b *Bot) requireAdmin(ctx context.Context, user, what string) error {
	ok, err := b.isAdmin(ctx, user)
	if err != nil {
		return err
	}
	if !ok {
		return userErrorf("Only Rapport admins and workspace admins can %s. Nothing was changed.", what)
	}
	return nil
}

func (b *Bot) coffeeNow(ctx context.Context, cmd slashCommand) error {
	if err := b.requireAdmin(ctx, cmd.user, "start a coffee round"); err != nil {
		return err
	}
	if b.opts.Coffee.Schedule == nil {
		return userErrorf("Coffee rounds are not set up on this Rapport.")
	}
	// The admin hears once the round is stored, not before: a crash then
	// loses nothing they were told had started.
	var answered error
	err := b.startRound(ctx, b.opts.Now(), true, func(store.Round) {
		answered = b.answerText(ctx, cmd.origin, ":coffee: Starting a coffee round now. Everyone taking part gets a group DM in a moment.")
	})
	return errors.Join(err, answered)
}

func (b *Bot) coffeeStats(ctx context.Context, cmd slashCommand) error {
	if err := b.requireAdmin(ctx, cmd.user, "see coffee stats"); err != nil {
		return err
	}
	rounds, err := b.store.Rounds()
	if err != nil {
		return err
	}
	members, err := b.store.CoffeeMembers()
	if err != nil {
		return err
	}
	now := b.opts.Now()
	s := coffeeStats{Rounds: len(rounds), Members: len(members)}
	for _, m := range members {
		if m.PausedUntil.After(now) {
			s.Paused++
		}
	}
	people := map[string]bool{}
	met := map[[2]string]bool{}
	for _, r := range rounds {
		if s.Since.IsZero() {
			s.Since = r.At
		}
		for _, g := range r.Groups {
			s.Groups++
			zones := map[string]bool{}
			yes, answered := g.Outcome() == store.AnswerYes, len(g.Answers) > 0
			for i, u := range g.Members {
				people[u] = true
				if p, err := b.store.Person(u); err == nil {
					zones[p.TZ] = true
				}
				for _, v := range g.Members[i+1:] {
					pair := [2]string{min(u, v), max(u, v)}
					s.Pairs++
					if met[pair] {
						s.RepeatPairs++
					}
					met[pair] = true
				}
			}
			if answered {
				s.Answered++
			}
			if yes {
				s.Met++
			}
			if len(zones) > 1 {
				s.CrossZone++
			}
		}
	}
	s.Participants = len(people)
	s.Reader = b.readerOf(ctx, cmd.user)
	text, blocks := renderCoffeeStats(s)
	return b.answer(ctx, cmd.origin, response{Text: text, Blocks: blocks})
}

// onMemberJoined enrols people who join the coffee channel.
func (b *Bot) onMemberJoined(ctx context.Context, ev event) error {
	e, ok := ev.data.(*slackevents.MemberJoinedChannelEvent)
	if !ok || b.opts.Coffee.Channel == "" || e.Channel != b.opts.Coffee.Channel {
		return nil
	}
	_, err := b.enrolFromChannel(ctx, e.User, true)
	return err
}

// onMemberLeft unenrols people who leave the coffee channel, unless they
// joined with /coffee join themselves.
func (b *Bot) onMemberLeft(ctx context.Context, ev event) error {
	e, ok := ev.data.(*slackevents.MemberLeftChannelEvent)
	if !ok || b.opts.Coffee.Channel == "" || e.Channel != b.opts.Coffee.Channel {
		return nil
	}
	return b.unenrolFromChannel(e.User)
}

// enrolFromChannel makes a coffee channel member a coffee member, unless
// they cannot take part (bots, guests, external and deactivated
// accounts). It reports whether they were enrolled. seen says Rapport saw
// them join the channel (an event), rather than found them there at start:
// only those are newcomers to it.
func (b *Bot) enrolFromChannel(ctx context.Context, user string, seen bool) (bool, error) {
	if user == b.botUserID {
		return false, nil
	}
	p, err := b.person(ctx, user)
	if errors.Is(err, errUnknownUser) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if p.IsBot || p.Deleted || p.IsStranger || p.IsRestricted {
		return false, nil
	}
	now := b.opts.Now()
	_, _, err = b.store.UpdateCoffeeMember(user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			m.Via = "channel"
			m.JoinSeen = seen
			m.Joined = now // the bot's clock decides who is new, as everywhere
		}
		return nil
	}, store.Effects{})
	return err == nil, err
}

func (b *Bot) unenrolFromChannel(user string) error {
	m, err := b.store.CoffeeMember(user)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Via != "channel" {
		return nil
	}
	_, err = b.store.RemoveCoffeeMember(user, store.Effects{})
	return err
}

// channelMembers returns the members of a channel (conversations.members,
// every page), as a set.
func (b *Bot) channelMembers(ctx context.Context, ch string) (map[string]bool, error) {
	out := map[string]bool{}
	cursor := ""
	for {
		var ids []string
		var next string
		err := b.send.call(ctx, "conversations.members", func(ctx context.Context) error {
			var err error
			ids, next, err = b.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: ch, Cursor: cursor, Limit: 200})
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = true
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// reconcileCoffeeChannel makes the roster match the coffee channel's
// members at start: events missed while the bot was down are not lost.
func (b *Bot) reconcileCoffeeChannel(ctx context.Context) error {
	ch := b.opts.Coffee.Channel
	if ch == "" {
		return nil
	}
	inChannel, err := b.channelMembers(ctx, ch)
	if err != nil {
		return fmt.Errorf("bot: coffee channel members: %w", err)
	}
	members, err := b.store.CoffeeMembers()
	if err != nil {
		return err
	}
	enrolled := map[string]bool{}
	for _, m := range members {
		enrolled[m.User] = true
		if m.Via == "channel" && !inChannel[m.User] {
			if _, err := b.store.RemoveCoffeeMember(m.User, store.Effects{}); err != nil {
				return err
			}
		}
	}
	// One person whose profile cannot be read must not keep the rest of
	// the channel out: go on, and report them all.
	added := 0
	var errs []error
	for id := range inChannel {
		if enrolled[id] {
			continue
		}
		// Not seen joining: on a fresh install the whole channel is here
		// already, and none of them is new to it.
		ok, err := b.enrolFromChannel(ctx, id, false)
		if err != nil {
			errs = append(errs, fmt.Errorf("enrol %s: %w", id, err))
		}
		if ok {
			added++
		}
	}
	b.log.Info("coffee roster reconciled", "channel", ch, "in_channel", len(inChannel), "added", added, "failed", len(errs))
	return errors.Join(errs...)
}
