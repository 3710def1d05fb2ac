package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/rapport-bot/rapport/store"
)

// onHomeOpened publishes the person's App Home when they open its Home tab,
// and records in the store that they have opened it, so that whichever
// replica delivers a later Home refresh republishes it.
func (b *Bot) onHomeOpened(ctx context.Context, ev event) error {
	e, ok := ev.data.(*slackevents.AppHomeOpenedEvent)
	if !ok || e.Tab != "home" || e.User == "" {
		return nil
	}
	noted := b.noteHomeOpened(e.User)
	if err := b.publishHome(ctx, e.User); err != nil {
		return errors.Join(noted, err)
	}
	return noted
}

// noteHomeOpened stores that user has opened the Home, once: the Home is
// opened far more often than it is first opened, so a later open costs one
// read and no write.
func (b *Bot) noteHomeOpened(user string) error {
	p, err := b.store.Person(user)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("note home opened %s: %w", user, err)
	}
	if !p.HomeOpened.IsZero() {
		return nil
	}
	now := b.opts.Now()
	if _, err := b.store.UpdatePerson(user, func(p *store.Person) { markHomeOpened(p, now) }, store.Effects{}); err != nil {
		return fmt.Errorf("note home opened %s: %w", user, err)
	}
	return nil
}

// markHomeOpened sets p.HomeOpened to now unless it is already set (it
// keeps the first open).
func markHomeOpened(p *store.Person, now time.Time) {
	if p.HomeOpened.IsZero() {
		p.HomeOpened = now
	}
}

// homeRefresh is the outbox item that republishes user's Home after the
// action cause (a name unique to that action, such as "kudos:42"), as one
// of the action's effects: committed with it, and sent after it.
func homeRefresh(user, cause string) store.Outgoing {
	return store.Outgoing{Key: homeRefreshKey(user, cause), User: user, Render: renderHomeRefresh, Text: "Home refresh"}
}

// renderHomeRefreshNow delivers a homeRefresh item: it publishes the Home
// if the person has ever opened it (the rest see a fresh one when they
// open it), and sends no message. Whether they have is read from the
// store, since the Home may have been opened on another replica, or before
// a restart.
func (b *Bot) renderHomeRefreshNow(ctx context.Context, o store.Outgoing) (string, []slack.Block, bool, error) {
	p, err := b.store.Person(o.User)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil, true, nil // never opened it, or deleted their data since
	case err != nil:
		return "", nil, false, fmt.Errorf("home refresh %s: %w", o.User, err)
	case p.HomeOpened.IsZero():
		return "", nil, true, nil
	}
	if err := b.publishHome(ctx, o.User); err != nil {
		return "", nil, false, err
	}
	return "", nil, true, nil
}

func (b *Bot) publishHome(ctx context.Context, user string) error {
	return b.publishHomeNotice(ctx, user, "")
}

// publishHomeNotice publishes the person's Home with notice (mrkdwn) at the
// top, once: the next publish shows the Home without it.
func (b *Bot) publishHomeNotice(ctx context.Context, user, notice string) error {
	v, err := b.homeView(ctx, user)
	if err != nil {
		return err
	}
	v.Notice = notice
	return b.send.call(ctx, "views.publish", func(ctx context.Context) error {
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: renderHome(v)})
		return err
	})
}

// homeView gathers what the Home shows from the store.
func (b *Bot) homeView(ctx context.Context, user string) (homeView, error) {
	p, err := b.person(ctx, user)
	if err != nil && !errors.Is(err, errUnknownUser) {
		return homeView{}, err
	}
	now := b.opts.Now()
	loc := b.location(p)
	v := homeView{User: user, Now: now, Loc: loc}
	v.Coffee.Team = teamLine(p.Teams, b.opts.Teams)

	mine, err := b.myOpenFollowups(user)
	if err != nil {
		return v, err
	}
	for _, f := range mine {
		v.Mine = append(v.Mine, homeFollowup{ID: f.ID, Text: f.Text, Counterpart: f.Counterpart, Owner: f.Owner, Due: f.Due, Overdue: f.Due.Before(now)})
	}
	owed, err := b.store.FollowupsOwedTo(user)
	if err != nil {
		return v, err
	}
	for _, f := range owed {
		if f.Status == store.FollowupOpen {
			v.OwedToMe = append(v.OwedToMe, homeFollowup{ID: f.ID, Text: f.Text, Owner: f.Owner, Due: f.Due, Overdue: f.Due.Before(now)})
		}
	}
	slices.SortStableFunc(v.OwedToMe, func(a, c homeFollowup) int { return a.Due.Compare(c.Due) })
	all, err := b.store.FollowupsOwnedBy(user)
	if err != nil {
		return v, err
	}
	for _, f := range all {
		switch {
		case f.Status == store.FollowupDropped:
			v.OnTime.Dropped++
		case f.Status == store.FollowupDone && !f.DoneAt.After(f.Due):
			v.OnTime.Kept++
		case f.Status == store.FollowupDone:
			v.OnTime.Late++
		}
	}

	lt := now.In(loc)
	monthStart := time.Date(lt.Year(), lt.Month(), 1, 0, 0, 0, 0, loc)
	ks, err := b.store.KudosReceived(user, 200)
	if err != nil {
		return v, err
	}
	for _, k := range ks {
		if k.At.Before(monthStart) {
			break
		}
		v.KudosMonth++
		if len(v.KudosLatest) < 5 {
			v.KudosLatest = append(v.KudosLatest, kudosPost{Giver: k.Giver, Receivers: k.Receivers, Reason: k.Text, Values: k.Values,
				Private: k.Private, Channel: k.Channel, Permalink: b.messageLink(k.Channel, k.MessageTS), At: k.At})
		}
	}

	lapsed, err := b.store.Lapsed(user, now, b.opts.StayInTouchDays, 20)
	if err != nil {
		return v, err
	}
	for _, c := range lapsed {
		days := c.CadenceDays
		if days == 0 {
			days = b.opts.StayInTouchDays
		}
		v.Reconnect = append(v.Reconnect, homeReconnect{User: c.Other, LastInTouch: c.LastInTouch, Days: days})
	}

	if err := b.homeCelebrations(&v, p, now); err != nil {
		return v, err
	}

	m, err := b.store.CoffeeMember(user)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return v, err
	default:
		v.Coffee.Enrolled, v.Coffee.PausedForSilence = true, m.PausedForSilence
		if m.PausedUntil.After(now) {
			v.Coffee.PausedUntil = m.PausedUntil
			v.Coffee.UntilResumed = untilResumed(m.PausedUntil, now)
		}
		v.Coffee.NextRound = b.NextCoffeeRound(now)
	}
	// Admins also see the connection report's summary. Rights are checked
	// on each publish, as every admin command does; a failed check hides
	// the section rather than the whole Home.
	admin, err := b.isAdmin(ctx, user)
	if err != nil {
		b.log.Warn("home: admin check failed; connection report left out", "user", user, "err", err)
	}
	if admin {
		rep, err := b.connectionReportNow()
		if err != nil {
			return v, err
		}
		v.Report = &rep
	}
	return v, nil
}

// homeCoffee handles the coffee button on the Home: join, pause (until
// resumed) or resume, then shows the new state.
func (b *Bot) homeCoffee(ctx context.Context, in interaction, a *slack.BlockAction) error {
	now := b.opts.Now()
	_, _, err := b.store.UpdateCoffeeMember(in.user, func(m *store.CoffeeMember) error {
		switch a.ActionID {
		case homeCoffeeJoinAct:
			if m.Via == "" {
				m.Via = store.ViaCommand
			}
			m.PausedUntil, m.PausedForSilence, m.Misses = time.Time{}, false, 0
		case homeCoffeePauseAct:
			if m.Via == "" {
				return errNotMember
			}
			m.PausedUntil = pausedForever(now)
		case homeCoffeeResumeAct:
			if m.Via == "" {
				return errNotMember
			}
			m.PausedUntil, m.PausedForSilence, m.Misses = time.Time{}, false, 0
		}
		return nil
	}, store.Effects{})
	if err != nil && !errors.Is(err, errNotMember) {
		return err
	}
	return b.publishHome(ctx, in.user)
}

// homeCelebrateAhead is how far ahead the Home shows celebrations.
const homeCelebrateAhead = 14 * 24 * time.Hour

// homeCelebrations fills in the celebrations the Home shows viewer: those
// of the people in their circle (not the ones they stopped) who chose
// public, in the next two weeks, and their own whatever its visibility.
// A private or none celebration is never shown to anyone else.
func (b *Bot) homeCelebrations(v *homeView, viewer store.Person, now time.Time) error {
	v.CelebrationsHub = b.opts.CelebrationsChannel
	if viewer.Celebrates() {
		v.Own = upcomingCelebrations(viewer, b.location(viewer), now)
		v.OwnVisibility = viewer.EffectiveVisibility()
	}
	circle, err := b.store.Circle(v.User)
	if err != nil {
		return fmt.Errorf("home celebrations: %w", err)
	}
	for _, c := range circle {
		if c.Stopped || c.Other == v.User {
			continue
		}
		p, err := b.store.Person(c.Other)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case err != nil:
			return fmt.Errorf("home celebrations: %w", err)
		}
		if p.EffectiveVisibility() != store.VisibilityPublic || !celebratable(p) {
			continue
		}
		v.Celebrations = append(v.Celebrations, upcomingCelebrations(p, b.location(p), now)...)
	}
	slices.SortFunc(v.Celebrations, func(a, c homeCelebration) int {
		if n := a.Start.Compare(c.Start); n != 0 {
			return n
		}
		return strings.Compare(a.User, c.User)
	})
	return nil
}

// upcomingCelebrations returns p's celebrations (loc is p's zone) whose
// day has not ended at now and begins within homeCelebrateAhead.
func upcomingCelebrations(p store.Person, loc *time.Location, now time.Time) []homeCelebration {
	var out []homeCelebration
	for _, c := range celebrationsBetween(p, loc, now.Add(-48*time.Hour), now.Add(homeCelebrateAhead)) {
		end := time.Date(c.Year, c.Month, c.Day+1, 0, 0, 0, 0, loc)
		if !end.After(now) {
			continue
		}
		out = append(out, homeCelebration{celebration: c, OnTheDay: !c.Start.After(now)})
	}
	return out
}
