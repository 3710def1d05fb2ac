package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/rapport-bot/rapport/store"
)

// CoffeeOptions configure /coffee (the RAPPORT_COFFEE_* settings). Pairing
// and timing live in the scheduler; the bot talks to people.
type CoffeeOptions struct {
	Channel     string // members of this channel are enrolled automatically; "" none
	CheckinDays int    // said in the intro: when "did you meet?" comes
	// StartRound starts a round at once (/coffee now); the scheduler's.
	StartRound func(ctx context.Context, at time.Time) error
	// NextRound is the next scheduled round after t (zero: none).
	NextRound func(t time.Time) time.Time
}

// coffeeDeliveryWorkers is how many groups a round delivers at once.
const coffeeDeliveryWorkers = 4

// profileBulk is the member count above which a round refreshes profiles
// with users.list (200 a page) rather than users.info for each member.
const profileBulk = 50

// awayStatus matches a Slack status that says "not here": holidays, OOO.
var awayStatus = regexp.MustCompile(`(?i)\b(vacation|vacationing|holiday|holidays|ooo|out of (the )?office|on leave|pto|off sick|sick leave)\b`)

// isAway reports whether a Slack status means the person is away.
func isAway(p slack.UserProfile) bool {
	return p.StatusEmoji == ":palm_tree:" || awayStatus.MatchString(p.StatusText)
}

// coffeeCommand answers /coffee.
func (b *Bot) coffeeCommand(ctx context.Context, cmd slashCommand) error {
	switch cmd.sub {
	case "", "help":
		rt := b.routes.lookup(commandRoute, cmd.command)
		return b.answer(ctx, cmd.origin, response{Text: usageText(rt), Blocks: renderUsageOnly(rt)})
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
	}
	return b.unknownSub(ctx, cmd)
}

func (b *Bot) nextRoundText(after time.Time, r reader) string {
	if b.opts.Coffee.NextRound == nil {
		return ""
	}
	next := b.opts.Coffee.NextRound(after)
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
		m.PausedUntil, m.Ghosted, m.Misses = time.Time{}, false, 0
		return nil
	})
	if err != nil {
		return err
	}
	if !isNew {
		return b.answerText(ctx, cmd.origin, "You're in coffee chats (and not paused)."+b.nextRoundText(b.opts.Now(), b.readerFor(p)))
	}
	return b.answerText(ctx, cmd.origin, ":coffee: You're in! I'll pair you with a teammate whose working hours overlap yours, and introduce you in a group DM."+b.nextRoundText(b.opts.Now(), b.readerFor(p)))
}

func (b *Bot) coffeeLeave(ctx context.Context, o origin) error {
	was, err := b.store.RemoveCoffeeMember(o.user)
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
	}); errors.Is(err, errNotMember) {
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
		m.PausedUntil, m.Ghosted, m.Misses, m.SkipAt = time.Time{}, false, 0, time.Time{}
		return nil
	})
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
	m, err := b.store.CoffeeMember(cmd.user)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		now := b.opts.Now()
		s.Enrolled, s.Via, s.Ghosted, s.Never = true, m.Via, m.Ghosted, len(m.Never)
		if m.PausedUntil.After(now) {
			s.PausedUntil = m.PausedUntil
			s.UntilResumed = untilResumed(m.PausedUntil, now)
		}
		if b.opts.Coffee.NextRound != nil {
			s.NextRound = b.opts.Coffee.NextRound(now)
			s.SkipNext = !s.NextRound.IsZero() && m.SkipAt.Equal(s.NextRound)
		}
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
	})
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
	if b.opts.Coffee.StartRound == nil {
		return userErrorf("Coffee rounds are not set up on this Rapport.")
	}
	if err := b.answerText(ctx, cmd.origin, ":coffee: Starting a coffee round now. Everyone taking part gets a group DM in a moment."); err != nil {
		return err
	}
	return b.opts.Coffee.StartRound(ctx, b.opts.Now())
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
	_, err := b.enrolFromChannel(ctx, e.User)
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
// accounts). It reports whether they were enrolled.
func (b *Bot) enrolFromChannel(ctx context.Context, user string) (bool, error) {
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
	_, _, err = b.store.UpdateCoffeeMember(user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			m.Via = "channel"
		}
		return nil
	})
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
	_, err = b.store.RemoveCoffeeMember(user)
	return err
}

// reconcileCoffeeChannel makes the roster match the coffee channel's
// members at start: events missed while the bot was down are not lost.
func (b *Bot) reconcileCoffeeChannel(ctx context.Context) error {
	ch := b.opts.Coffee.Channel
	if ch == "" {
		return nil
	}
	inChannel := map[string]bool{}
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
			return fmt.Errorf("bot: coffee channel members: %w", err)
		}
		for _, id := range ids {
			inChannel[id] = true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	members, err := b.store.CoffeeMembers()
	if err != nil {
		return err
	}
	enrolled := map[string]bool{}
	for _, m := range members {
		enrolled[m.User] = true
		if m.Via == "channel" && !inChannel[m.User] {
			if _, err := b.store.RemoveCoffeeMember(m.User); err != nil {
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
		ok, err := b.enrolFromChannel(ctx, id)
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

// CoffeeEligible returns the members who can take part in the round at
// at, with profiles fresh from Slack (a status set this morning counts).
func (b *Bot) CoffeeEligible(ctx context.Context, at time.Time) ([]store.Person, error) {
	members, err := b.store.CoffeeMembers()
	if err != nil {
		return nil, err
	}
	var candidates []string
	for _, m := range members {
		if m.PausedUntil.After(at) || m.SkipAt.Equal(at) || m.Ghosted {
			continue
		}
		candidates = append(candidates, m.User)
	}
	profiles, err := b.freshProfiles(ctx, candidates)
	if err != nil {
		return nil, err
	}
	var out []store.Person
	for _, id := range candidates {
		u, ok := profiles[id]
		if !ok || u.IsBot || u.ID == "USLACKBOT" || u.Deleted || u.IsStranger || u.IsRestricted || u.IsUltraRestricted || u.IsInvitedUser || isAway(u.Profile) {
			continue
		}
		p, err := b.rememberProfile(u)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// freshProfiles fetches users' profiles now: users.info for a few,
// users.list (paginated) for many.
func (b *Bot) freshProfiles(ctx context.Context, ids []string) (map[string]slack.User, error) {
	out := map[string]slack.User{}
	if len(ids) > profileBulk {
		var all []slack.User
		err := b.send.call(ctx, "users.list", func(ctx context.Context) error {
			var err error
			all, err = b.api.GetUsersContext(ctx, slack.GetUsersOptionLimit(200))
			return err
		})
		if err != nil {
			return nil, err
		}
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		for _, u := range all {
			if want[u.ID] {
				out[u.ID] = u
			}
		}
		return out, nil
	}
	for _, id := range ids {
		var u *slack.User
		err := b.send.call(ctx, "users.info", func(ctx context.Context) error {
			var err error
			u, err = b.api.GetUserInfoContext(ctx, id)
			return err
		})
		if slackErrorCode(err) == "user_not_found" {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = *u
	}
	return out, nil
}

// rememberProfile refreshes the cached profile from a users.* answer.
func (b *Bot) rememberProfile(u slack.User) (store.Person, error) {
	now := b.opts.Now()
	return b.store.UpdatePerson(u.ID, func(p *store.Person) {
		p.Name, p.TZ, p.Locale = u.Name, u.TZ, u.Locale
		p.IsBot = u.IsBot || u.ID == "USLACKBOT"
		p.Deleted, p.IsStranger = u.Deleted, u.IsStranger
		p.IsRestricted = u.IsRestricted || u.IsUltraRestricted
		p.Updated = now
	})
}

// DeliverCoffeeRound opens each group's DM and queues its intro, and tells
// those who sat out. The round is already stored; each step records what
// it did (the group's channel; the outbox keys), so running this again
// after a crash repeats nothing: no second group DM, no second intro.
func (b *Bot) DeliverCoffeeRound(ctx context.Context, r store.Round) error {
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
		})
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
	})
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
	in := coffeeIntro{RoundID: r.ID, Group: i, CheckinDays: b.opts.Coffee.CheckinDays}
	if g.Icebreaker >= 0 && g.Icebreaker < len(icebreakers) {
		in.Icebreaker = icebreakers[g.Icebreaker]
	}
	for k, p := range people {
		in.People = append(in.People, coffeePerson{
			ID:      p.ID,
			Zone:    locs[k].String(),
			Overlap: describeOverlap(shared, locs[k]),
			Style:   escapeText(p.Style),
		})
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

// CoffeeHeadsUp queues, for every member taking part, a heads-up about the
// round at at, with "Skip this round". Each is due at due, and reaches its
// person inside their own working hours and before the round: when due
// falls outside them and their next working day begins after the round
// (New York, for a round on Monday morning in Berlin), it goes in their
// last working window before due instead. The scheduler calls this early
// enough for that window (a week ahead). A heads-up still unsent when the
// round starts is dropped, and so is one whose person has since paused,
// left or chosen to skip (see headsUpStale). Idempotent per round and
// person.
func (b *Bot) CoffeeHeadsUp(ctx context.Context, at, due time.Time) error {
	members, err := b.store.CoffeeMembers()
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.PausedUntil.After(at) || m.Ghosted || m.Skips(at) {
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
	return m.PausedUntil.After(at) || m.Ghosted || m.Skips(at), nil
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

// CoffeeCheckin asks a group "did you meet?" in its DM, once.
func (b *Bot) CoffeeCheckin(ctx context.Context, r store.Round, i int) error {
	g := r.Groups[i]
	if g.Channel == "" {
		return nil // never delivered; nothing to ask
	}
	// Like the intro, the question waits for the group's shared hours.
	when, err := b.groupReach(ctx, g.Members, b.opts.Now())
	if err != nil {
		return err
	}
	text, blocks := renderCoffeeCheckin(r.ID, i)
	if err := b.enqueue(store.Outgoing{
		Key:       coffeeCheckinKey(r.ID, i),
		Channel:   g.Channel,
		Text:      text,
		Blocks:    encodeBlocks(blocks),
		NotBefore: when,
	}); err != nil {
		return err
	}
	_, err = b.store.UpdateRoundGroup(r.ID, i, func(g *store.CoffeeGroup) error {
		g.CheckinSent = true
		return nil
	})
	return err
}

// CoffeeGhosted tells someone their coffee chats are now paused: several
// rounds went unanswered, and so did "still up for coffee chats?". It
// offers Resume and Leave, in their working hours.
func (b *Bot) CoffeeGhosted(ctx context.Context, user string) error {
	text, blocks := renderCoffeePausedSilent()
	return b.enqueue(store.Outgoing{
		Key:          coffeeGhostKey(user, b.opts.Now().Unix()/86400),
		User:         user,
		Text:         text,
		Blocks:       encodeBlocks(blocks),
		RespectHours: true,
	})
}

// CoffeeCheckinReached reports whether group's "did you meet?" was posted.
// An item pruned from the outbox (a month after it was settled) counts as
// posted: a question asked is the usual case by then.
func (b *Bot) CoffeeCheckinReached(r store.Round, group int) (bool, error) {
	if group < 0 || group >= len(r.Groups) || !r.Groups[group].CheckinSent {
		return false, nil
	}
	o, err := b.store.OutgoingByKey(coffeeCheckinKey(r.ID, group))
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return o.State == store.OutboxSent, nil
}

// CoffeeAskStillIn asks user whether they still want to be paired, before
// the round at at, when their time comes: due when it is inside their
// working hours, their next working hours if those begin before the round,
// else their last working window before due (see reachBefore). It is
// queued as soon as the scheduler sees the silence, once per round, so
// that the heads-up for that round, due at the same moment, finds it and
// stands aside (headsUpStale); if the person answers in the meantime, it
// is dropped when due (stillInStale). The question expires when the round
// starts, so it never arrives after it.
func (b *Bot) CoffeeAskStillIn(ctx context.Context, at, due time.Time, user string, silent int) error {
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

// CoffeeStillInAsked reports whether "still up for coffee chats?" for the
// round at at reached user.
func (b *Bot) CoffeeStillInAsked(at time.Time, user string) (bool, error) {
	o, err := b.store.OutgoingByKey(coffeeStillInKey(at, user))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return o.State == store.OutboxSent, nil
}

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
// is the group's answer from now on (CoffeeGroup.Outcome). A "yes" is
// contact: it resets the stay-in-touch clock of every pair in the group.
func (b *Bot) recordAnswer(r store.Round, gi int, user string, a store.CoffeeAnswer) (store.CoffeeAnswer, error) {
	var before store.CoffeeAnswer
	_, err := b.store.UpdateRoundGroup(r.ID, gi, func(g *store.CoffeeGroup) error {
		before = g.Answers[user]
		g.SetAnswer(user, a)
		return nil
	})
	if err == nil && a == store.AnswerYes {
		now := b.opts.Now()
		members := r.Groups[gi].Members
		for i, m := range members {
			for _, o := range members[i+1:] {
				b.touch(m, o, now, store.ContactCoffee)
			}
		}
	}
	return before, err
}

// coffeeMet handles "We met ☕": the group hears it once, from the first
// person who says so.
func (b *Bot) coffeeMet(ctx context.Context, in interaction, a *slack.BlockAction) error {
	r, gi, _, err := b.coffeeGroupRef(in, a.Value)
	if err != nil {
		return err
	}
	if _, err := b.recordAnswer(r, gi, in.user, store.AnswerYes); err != nil {
		return err
	}
	if err := b.enqueue(store.Outgoing{
		Key:     coffeeMetKey(r.ID, gi),
		Channel: r.Groups[gi].Channel,
		Text:    coffeeMetText(in.user),
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
	if _, err := b.store.UpdateContact(in.user, a.Value, func(c *store.Contact) error {
		c.CadenceDays, c.Stopped = 30, false
		return nil
	}); err != nil {
		return err
	}
	b.touch(in.user, a.Value, now, store.ContactCoffee)
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
	if _, err := b.recordAnswer(r, gi, in.user, store.AnswerCant); err != nil {
		return err
	}
	return b.enqueue(store.Outgoing{
		Key:     coffeeCantKey(r.ID, gi, in.user),
		Channel: r.Groups[gi].Channel,
		Text:    coffeeCantText(in.user),
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

// coffeeCheckinAnswer handles the "Did you meet?" buttons.
func (b *Bot) coffeeCheckinAnswer(ctx context.Context, in interaction, a *slack.BlockAction) error {
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
	if _, err := b.recordAnswer(r, gi, in.user, ans); err != nil {
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
	})
	if errors.Is(err, errNotMember) {
		return userErrorf("You're not in coffee chats any more, so there's nothing to skip.")
	}
	if err != nil {
		return err
	}
	return b.answer(ctx, in.origin, response{Text: "Done: you'll sit this round out, and you're back in the one after.", ReplaceOriginal: true})
}

func (b *Bot) coffeeStay(ctx context.Context, in interaction, a *slack.BlockAction) error {
	_, _, err := b.store.UpdateCoffeeMember(in.user, func(m *store.CoffeeMember) error {
		if m.Via == "" {
			return errNotMember
		}
		m.Ghosted, m.Misses = false, 0
		return nil
	})
	if errors.Is(err, errNotMember) {
		return userErrorf("You're not in coffee chats any more. Join again with `/coffee join`.")
	}
	if err != nil {
		return err
	}
	return b.answer(ctx, in.origin, response{Text: "Glad you're staying! You're in the next round.", ReplaceOriginal: true})
}

func (b *Bot) coffeeLeaveButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	if _, err := b.store.RemoveCoffeeMember(in.user); err != nil {
		return err
	}
	return b.answer(ctx, in.origin, response{Text: "You've left coffee chats. Come back any time with `/coffee join`.", ReplaceOriginal: true})
}
