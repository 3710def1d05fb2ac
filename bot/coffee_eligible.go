package bot

import (
	"context"
	"regexp"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// profileBulk is the member count above which a round refreshes profiles
// with users.list (200 a page) rather than users.info for each member.
const profileBulk = 50

// awayStatus matches a Slack status that says "not here": holidays, OOO.
var awayStatus = regexp.MustCompile(`(?i)\b(vacation|vacationing|holiday|holidays|ooo|out of (the )?office|on leave|pto|off sick|sick leave)\b`)

// isAway reports whether a Slack status means the person is away.
func isAway(p slack.UserProfile) bool {
	return p.StatusEmoji == ":palm_tree:" || awayStatus.MatchString(p.StatusText)
}

// Why a member sits a round out by their own choice, or their silence
// (memberOut).
const (
	outSilenced = "silenced" // paused after rounds without an answer
	outPaused   = "paused"   // paused until a later date
	outSkipped  = "skipped"  // asked to skip this very round
)

// memberOut says why m sits the round at at out (outSilenced, outPaused,
// outSkipped), "" when they take part. Pairing leaves them out, and the
// round's counts (store.RoundCounts) count them by reason.
func memberOut(m store.CoffeeMember, at time.Time) string {
	switch {
	case m.PausedForSilence:
		return outSilenced
	case m.Paused(at):
		return outPaused
	case m.Skips(at):
		return outSkipped
	}
	return ""
}

// coffeeEligible returns the members who can take part in the round at
// at, with profiles fresh from Slack (a status set this morning counts).
func (b *Bot) coffeeEligible(ctx context.Context, at time.Time, members []store.CoffeeMember) ([]store.Person, error) {
	var candidates []string
	for _, m := range members {
		if memberOut(m, at) == "" {
			candidates = append(candidates, m.User)
		}
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
	known := b.knownTeams(u.ID)
	return b.store.UpdatePerson(u.ID, func(p *store.Person) {
		if p.Updated.IsZero() && p.Teams == nil {
			p.Teams = known // a new record: the team the last refresh read
		}
		p.Name, p.TZ, p.Locale = u.Name, u.TZ, u.Locale
		p.IsBot = u.IsBot || u.ID == "USLACKBOT"
		p.Deleted, p.IsStranger = u.Deleted, u.IsStranger
		p.IsRestricted = u.IsRestricted || u.IsUltraRestricted
		p.Updated = now
	}, store.Effects{})
}
