package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/rapport-bot/rapport/store"
)

// profileTTL is how long a cached profile (zone, bot, deactivated) is
// trusted before users.info is asked again. A user_change event refreshes
// it at once (onUserChange); the TTL covers events missed while the bot
// was down.
const profileTTL = 24 * time.Hour

// errUnknownUser is returned by person for an ID Slack does not know.
var errUnknownUser = errors.New("bot: unknown user")

// person returns what Rapport knows of a user, refreshing the cached
// profile from users.info when it is missing or stale. Preferences the
// person set are kept as they are.
func (b *Bot) person(ctx context.Context, id string) (store.Person, error) {
	p, err := b.store.Person(id)
	switch {
	case err == nil && b.opts.Now().Sub(p.Updated) < profileTTL:
		return p, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return store.Person{}, err
	}
	var u *slack.User
	err = b.send.call(ctx, "users.info", func(ctx context.Context) error {
		var err error
		u, err = b.api.GetUserInfoContext(ctx, id)
		return err
	})
	if slackErrorCode(err) == "user_not_found" {
		return store.Person{}, fmt.Errorf("%w: %s", errUnknownUser, id)
	}
	if err != nil {
		if p.ID != "" {
			return p, nil // a stale profile beats none while Slack is unwell
		}
		return store.Person{}, err
	}
	return b.rememberProfile(*u)
}

// onUserChange refreshes the cached profile of a person Rapport knows from
// the profile Slack sent, so that a new time zone is the zone of the next
// time shown or DM timed, and a deactivated account gets no more DMs,
// rather than after profileTTL. Profiles of people Rapport has never dealt
// with are not stored: the event comes for everyone in the workspace.
func (b *Bot) onUserChange(ctx context.Context, ev event) error {
	e, ok := ev.data.(*slackevents.UserChangeEvent)
	if !ok || e.User.ID == "" {
		return nil
	}
	if _, err := b.store.Person(e.User.ID); errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("user_change %s: %w", e.User.ID, err)
	}
	u := e.User
	now := b.opts.Now()
	_, err := b.store.UpdatePerson(u.ID, func(p *store.Person) {
		// The event's user object is users.info's without is_stranger, and
		// without locale unless Slack adds it: those keep what users.info
		// said.
		p.Name, p.TZ = u.Name, u.TZ
		if u.Locale != "" {
			p.Locale = u.Locale
		}
		p.IsBot = u.IsBot || u.ID == "USLACKBOT"
		p.Deleted = u.Deleted
		p.IsRestricted = u.IsRestricted || u.IsUltraRestricted
		p.Updated = now
	}, store.Effects{})
	if err != nil {
		return fmt.Errorf("user_change %s: %w", u.ID, err)
	}
	return nil
}

// location is the person's own zone, or the configured zone.
func (b *Bot) location(p store.Person) *time.Location { return p.Location(b.opts.Location) }

// locationOf is the zone of the user id (location), or the configured
// zone when Slack does not know them or cannot be asked: for a time shown
// to someone other than the person acting.
func (b *Bot) locationOf(ctx context.Context, id string) *time.Location {
	p, err := b.person(ctx, id)
	if err != nil {
		return b.opts.Location
	}
	return b.location(p)
}

// readerFor is p as a reader of the times Rapport writes: their zone, and
// the bot's now to decide whether a year is worth writing.
func (b *Bot) readerFor(p store.Person) reader {
	return reader{loc: b.location(p), now: b.opts.Now()}
}

// readerOf is the user id as a reader of times (readerFor), in the zone
// locationOf finds for them.
func (b *Bot) readerOf(ctx context.Context, id string) reader {
	return reader{loc: b.locationOf(ctx, id), now: b.opts.Now()}
}

// workWeek is the person's own working hours, or the configured default.
func (b *Bot) workWeek(p store.Person) store.WorkWeek { return p.WorkWeek(b.opts.WorkWeek) }

// localDay returns the bounds [start, end) of the local day containing t.
func localDay(t time.Time, loc *time.Location) (time.Time, time.Time) {
	lt := t.In(loc)
	start := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	return start, time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
}

// openDM returns the ID of the bot's DM with user, opening it once and
// remembering it: conversations.open is idempotent but rate-limited.
func (b *Bot) openDM(ctx context.Context, user string) (string, error) {
	if id, ok := b.dms.Load(user); ok {
		return id.(string), nil
	}
	var ch *slack.Channel
	err := b.send.call(ctx, "conversations.open", func(ctx context.Context) error {
		var err error
		ch, _, _, err = b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		return err
	})
	if err != nil {
		return "", err
	}
	b.dms.Store(user, ch.ID)
	return ch.ID, nil
}

// errNoPerson is the one answer when a command needs a person and Rapport
// cannot find them, so every command says it the same way. typed is the
// text where the person should be: a mention Slack linked to an ID it does
// not know, a name typed with "@" that Slack did not link, or anything else
// when nobody was named. example shows the command done right. Nothing is
// changed by the command.
func errNoPerson(typed, example string) error {
	const how = "Pick people from the list that pops up as you type @ and their name, so Slack links them, like %s. Nothing was changed."
	if toks := tokenize(typed); len(toks) > 0 {
		switch t := toks[0]; {
		case t.kind == tokUserMention:
			return userErrorf("I can't find <@%s> in this workspace. "+how, t.id, example)
		case t.kind == tokWord:
			if name, ok := typedName(t.raw); ok {
				return userErrorf("I can't find %s in this workspace. "+how, truncate(name, 40), example)
			}
		}
	}
	return userErrorf("Who is it for? "+how, example)
}
