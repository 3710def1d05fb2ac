package bot

// Newcomers are welcomed in. Someone Rapport saw join the workspace
// (team_join) or the coffee channel (member_joined_channel) is a newcomer
// for NewcomerDays: they never sit out a coffee round when someone else
// can, they meet other teams first, and their first round pairs them with
// a volunteer from the buddy channel. Someone who joined the workspace
// also gets one welcome DM, in their own working hours.
//
// People Rapport finds already there are not newcomers: on a fresh
// install nobody has a recorded workspace join, and the coffee channel's
// members enrolled at start (reconcileCoffeeChannel) were in the channel
// before Rapport saw them join (CoffeeMember.JoinSeen stays false).

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack/slackevents"

	"github.com/rapport-bot/rapport/store"
)

// newcomerFor is how long after joining someone is a newcomer.
func (b *Bot) newcomerFor() time.Duration {
	return time.Duration(b.opts.NewcomerDays) * 24 * time.Hour
}

// isNewcomer reports whether p (a coffee member m, when ok) joined the
// workspace or the coffee channel less than NewcomerDays before at.
// Always false when NewcomerDays is 0.
func (b *Bot) isNewcomer(p store.Person, m store.CoffeeMember, ok bool, at time.Time) bool {
	d := b.newcomerFor()
	if d <= 0 {
		return false
	}
	recent := func(t time.Time) bool { return !t.IsZero() && !t.After(at) && at.Sub(t) < d }
	return recent(p.JoinedWorkspace) || (ok && m.JoinSeen && m.Via == store.ViaChannel && recent(m.Joined))
}

// onTeamJoin records that someone joined the workspace and, in the same
// transaction, queues their welcome DM: once per person, because only the
// event that first records the join queues it (and its key is theirs, so
// a redelivered event queues nothing new).
func (b *Bot) onTeamJoin(ctx context.Context, ev event) error {
	e, ok := ev.data.(*slackevents.TeamJoinEvent)
	if !ok || e.User == nil || e.User.ID == "" || e.User.ID == b.botUserID {
		return nil
	}
	if b.opts.NewcomerDays <= 0 {
		return nil // newcomers are off: nothing to keep about a join
	}
	u := *e.User
	if u.IsBot || u.ID == "USLACKBOT" || u.Deleted || u.IsStranger || u.IsRestricted || u.IsUltraRestricted {
		return nil // guests and external people cannot take part; bots need no welcome
	}
	old, err := b.store.Person(u.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("team_join %s: %w", u.ID, err)
	}
	if !old.JoinedWorkspace.IsZero() {
		return nil // seen before: a redelivery, or Slack sending it twice
	}
	now := b.opts.Now()
	var effects store.Effects
	if !old.IsMuted(store.DMWelcome) {
		text, blocks := renderWelcome(welcomeInfo{
			User: u.ID, CoffeeChannel: b.opts.Coffee.Channel, Buddies: b.opts.Coffee.BuddyChannel != "",
		})
		effects.Outbox = append(effects.Outbox, store.Outgoing{
			Key: welcomeKey(u.ID), User: u.ID, Kind: store.DMWelcome, Text: text, Blocks: encodeBlocks(blocks),
			NotBefore: now, RespectHours: true,
		})
	}
	_, err = b.store.UpdatePerson(u.ID, func(p *store.Person) {
		if p.JoinedWorkspace.IsZero() {
			p.JoinedWorkspace = now
		}
		// The event carries the profile users.info would give: keep it,
		// so the welcome's working hours use their zone at once.
		p.Name, p.TZ = u.Name, u.TZ
		if u.Locale != "" {
			p.Locale = u.Locale
		}
		p.Updated = now
	}, effects)
	if err != nil {
		return fmt.Errorf("team_join %s: %w", u.ID, err)
	}
	b.kickOutbox()
	return nil
}

// buddyVolunteers returns the members of the buddy channel: the people who
// offered to be a newcomer's buddy. With no buddy channel set it returns
// nil. When Slack will not say (Rapport is not in a private channel, or
// the ID is wrong) it logs the fix and returns nil: the round goes on
// without buddies rather than not at all.
func (b *Bot) buddyVolunteers(ctx context.Context) (map[string]bool, error) {
	ch := b.opts.Coffee.BuddyChannel
	if ch == "" {
		return nil, nil
	}
	out, err := b.channelMembers(ctx, ch)
	switch code := slackErrorCode(err); {
	case code == "not_in_channel" || code == "channel_not_found":
		b.log.Warn("coffee: newcomers get no buddy this round: Rapport cannot read the buddy channel's members; "+inviteFix+", or check the ID",
			"channel", ch, "setting", "RAPPORT_BUDDY_CHANNEL", "err", err)
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("bot: buddy channel members: %w", err)
	}
	delete(out, b.botUserID)
	return out, nil
}
