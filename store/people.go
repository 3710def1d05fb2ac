package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Person is what Rapport remembers about a Slack user: a cache of the
// profile fields it needs (refreshed from users.info; Updated says when)
// and the person's own preferences, which a refresh must leave alone.
type Person struct {
	ID           string // Slack user ID
	Name         string
	TZ           string // IANA zone from Slack, "" when unknown
	TZOverride   string // the person's own choice of zone, over Slack's; "" none (since v6, optional field)
	Locale       string // Slack's locale ("en-US", "de-DE"), for reading 3/12; "" unknown (optional field)
	IsBot        bool
	Deleted      bool // deactivated
	IsRestricted bool // guest (single- or multi-channel)
	IsStranger   bool // from another workspace (Slack Connect)

	// Muted lists the kinds of unprompted DM the person turned off (see
	// DMKinds). Stored sorted, without repeats.
	Muted []DMKind
	// WorkStart and WorkEnd override the default working hours: offsets
	// from local midnight, from 0 to 24h. Both 0: use the default.
	WorkStart, WorkEnd time.Duration
	// WorkDays overrides the default working days; nil (or empty): use the
	// default. Stored sorted, without repeats.
	WorkDays []time.Weekday
	// Style is the person's own work-style note ("async first, mornings
	// are for focus"), shown to the people they are grouped with for
	// coffee. At most MaxStyleRunes runes: UpdatePerson cuts the rest.
	Style string

	// LastReconnect is when the last reconnect suggestion DM was queued
	// for the person, so the weekly job sends at most one a week.
	LastReconnect time.Time
	// HomeOpened is when the person first opened Rapport's Home tab (zero:
	// never, or not since they deleted their data). A change the Home
	// shows republishes it only for them: the rest see a fresh Home when
	// they open it. It is in the store, not in memory, because the replica
	// that delivers the refresh need not be the one that saw the Home open.
	HomeOpened time.Time
	// Teams are the teams the person belongs to, by name, as the
	// workspace defines them (the user groups named in RAPPORT_TEAMS, or a
	// profile field); several or none. Refreshed from Slack, so a cache
	// like Name. Stored sorted, without repeats or "".
	Teams []string
	// JoinedWorkspace is when Rapport saw the person join the Slack
	// workspace (its team_join event); zero: they were there before
	// Rapport, or joined while it was not listening. It makes them a
	// newcomer for RAPPORT_NEWCOMER_DAYS, and its being set is what lets
	// the welcome DM go out once.
	JoinedWorkspace time.Time
	// ReactionKudos are the kudos the person started by reacting to a
	// message with the kudos emoji, one per message, newest last. The bot
	// keeps them about as long as the outbox keeps the prompts they sent
	// (a month), so the same reaction never asks twice.
	ReactionKudos []ReactionKudos

	// Birthday is the month and day the person asked to have celebrated
	// (zero: none; never a year). Started is the day they started at the
	// company, for work anniversaries (zero: none). Visibility is how both
	// are celebrated; "" means not chosen (EffectiveVisibility: private).
	// CelebrateSince is when a date was last set or changed: a day that
	// began before it is not celebrated late.
	Birthday       MonthDay
	Started        Date
	Visibility     Visibility
	CelebrateSince time.Time

	Updated time.Time // when the profile fields were last refreshed from Slack
}

// ReactionKudos is one kudos started by a reaction: the reacted message,
// its author (who is thanked) and where the kudos stands.
type ReactionKudos struct {
	Channel string    // the conversation of the reacted message
	TS      string    // the reacted message's ts
	Author  string    // the message's author: the one to thank
	Link    string    // the message's permalink; "" when Slack gave none
	State   string    // the bot's: asked, answering, cancelled, sent
	At      time.Time // when State last changed
	KudosID uint64    // the kudos given, once sent
}

// MaxStyleRunes is the longest Person.Style kept, in runes.
const MaxStyleRunes = 500

// IsMuted reports whether the person turned off unprompted DMs of kind.
func (p Person) IsMuted(kind DMKind) bool { return slices.Contains(p.Muted, kind) }

// personRecord is the stored value of people; the user ID is the key.
type personRecord struct {
	Name          string                `json:"name,omitempty"`
	TZ            string                `json:"tz,omitempty"`
	TZOverride    string                `json:"tz_override,omitempty"`
	Locale        string                `json:"locale,omitempty"`
	IsBot         bool                  `json:"is_bot,omitempty"`
	Deleted       bool                  `json:"deleted,omitempty"`
	IsRestricted  bool                  `json:"is_restricted,omitempty"`
	IsStranger    bool                  `json:"is_stranger,omitempty"`
	Muted         []string              `json:"muted,omitempty"`
	WorkStart     time.Duration         `json:"work_start_ns,omitempty"`
	WorkEnd       time.Duration         `json:"work_end_ns,omitempty"`
	WorkDays      []time.Weekday        `json:"work_days,omitempty"`
	Style         string                `json:"style,omitempty"`           // since v4
	LastReconnect time.Time             `json:"last_reconnect,omitzero"`   // since v6
	HomeOpened    time.Time             `json:"home_opened,omitzero"`      // optional; absent: never
	Teams         []string              `json:"teams,omitempty"`           // optional; absent: no team
	JoinedWS      time.Time             `json:"joined_workspace,omitzero"` // optional; absent: not seen joining
	Birthday      string                `json:"birthday,omitempty"`        // optional; "03-14", never a year
	Started       string                `json:"started,omitempty"`         // optional; "2021-06-01"
	Visibility    string                `json:"visibility,omitempty"`      // optional; "" not chosen
	CelebSince    time.Time             `json:"celebrate_since,omitzero"`  // optional
	ReactionKudos []reactionKudosRecord `json:"reaction_kudos,omitempty"`  // optional; absent: none
	Updated       time.Time             `json:"updated,omitzero"`
}

func (r personRecord) person(id string) Person {
	return Person{
		ID: id, Name: r.Name, TZ: r.TZ, TZOverride: r.TZOverride, Locale: r.Locale, IsBot: r.IsBot, Deleted: r.Deleted,
		IsRestricted: r.IsRestricted, IsStranger: r.IsStranger, Muted: dmKinds(r.Muted),
		WorkStart: r.WorkStart, WorkEnd: r.WorkEnd, WorkDays: cloneWeekdays(r.WorkDays), Style: r.Style,
		LastReconnect: utc(r.LastReconnect), HomeOpened: utc(r.HomeOpened), Teams: cloneStrings(r.Teams),
		JoinedWorkspace: utc(r.JoinedWS), Visibility: Visibility(r.Visibility), CelebrateSince: utc(r.CelebSince),
		Updated: utc(r.Updated), ReactionKudos: reactionKudosOf(r.ReactionKudos), Birthday: parseStored(r.Birthday, ParseMonthDay), Started: parseStored(r.Started, ParseDate),
	}
}

// parseStored reads a stored birthday or start date with parse; one that
// does not read (never written by newPersonRecord) is none, the zero T.
func parseStored[T any](s string, parse func(string) (T, error)) T {
	var none T
	if s == "" {
		return none
	}
	d, err := parse(s)
	if err != nil {
		return none
	}
	return d
}

// reactionKudosRecord is the stored shape of a ReactionKudos.
type reactionKudosRecord struct {
	Channel string    `json:"channel"`
	TS      string    `json:"ts"`
	Author  string    `json:"author"`
	Link    string    `json:"link,omitempty"`
	State   string    `json:"state"`
	At      time.Time `json:"at"`
	KudosID uint64    `json:"kudos_id,omitempty"`
}

func reactionKudosOf(rs []reactionKudosRecord) []ReactionKudos {
	if len(rs) == 0 {
		return nil
	}
	out := make([]ReactionKudos, len(rs))
	for i, r := range rs {
		out[i] = ReactionKudos{Channel: r.Channel, TS: r.TS, Author: r.Author, Link: r.Link, State: r.State, At: utc(r.At), KudosID: r.KudosID}
	}
	return out
}

func reactionKudosRecords(rs []ReactionKudos) []reactionKudosRecord {
	if len(rs) == 0 {
		return nil
	}
	out := make([]reactionKudosRecord, len(rs))
	for i, r := range rs {
		out[i] = reactionKudosRecord{Channel: r.Channel, TS: r.TS, Author: r.Author, Link: r.Link, State: r.State, At: utc(r.At), KudosID: r.KudosID}
	}
	return out
}

// newPersonRecord normalises p into its stored form (sorted, unique,
// empty lists nil, UTC, Style cut to MaxStyleRunes), refusing what the working-hours code could not
// use.
func newPersonRecord(p Person) (personRecord, error) {
	for _, d := range []time.Duration{p.WorkStart, p.WorkEnd} {
		if d < 0 || d > 24*time.Hour {
			return personRecord{}, fmt.Errorf("working hours %s-%s: want offsets from 0 to 24h", p.WorkStart, p.WorkEnd)
		}
	}
	for _, d := range p.WorkDays {
		if d < time.Sunday || d > time.Saturday {
			return personRecord{}, fmt.Errorf("working day %d: want 0 (Sunday) to 6 (Saturday)", d)
		}
	}
	if !p.Birthday.IsZero() && !p.Birthday.Valid() {
		return personRecord{}, fmt.Errorf("birthday %d/%d: not a day of the year", p.Birthday.Day, p.Birthday.Month)
	}
	var started string
	if !p.Started.IsZero() {
		d, err := ParseDate(p.Started.String())
		if err != nil || d != p.Started {
			return personRecord{}, fmt.Errorf("start date %s: not a day of the calendar", p.Started)
		}
		started = p.Started.String()
	}
	if !ValidVisibility(p.Visibility) {
		return personRecord{}, fmt.Errorf("visibility %q: want public, private or none", p.Visibility)
	}
	var birthday string
	if !p.Birthday.IsZero() {
		birthday = p.Birthday.String()
	}
	muted := slices.Compact(slices.Sorted(slices.Values(p.Muted)))
	if i := slices.Index(muted, ""); i >= 0 {
		muted = slices.Delete(muted, i, i+1)
	}
	days := slices.Compact(slices.Sorted(slices.Values(p.WorkDays)))
	return personRecord{
		Name: p.Name, TZ: p.TZ, TZOverride: p.TZOverride, Locale: p.Locale, IsBot: p.IsBot, Deleted: p.Deleted,
		IsRestricted: p.IsRestricted, IsStranger: p.IsStranger, Muted: dmKindStrings(muted),
		WorkStart: p.WorkStart, WorkEnd: p.WorkEnd, WorkDays: cloneWeekdays(days),
		Style: truncateRunes(p.Style, MaxStyleRunes), LastReconnect: utc(p.LastReconnect),
		HomeOpened: utc(p.HomeOpened), Teams: sortedSet(p.Teams), JoinedWS: utc(p.JoinedWorkspace), Updated: utc(p.Updated),
		Birthday: birthday, Started: started, Visibility: string(p.Visibility), CelebSince: utc(p.CelebrateSince), ReactionKudos: reactionKudosRecords(p.ReactionKudos),
	}, nil
}

// truncateRunes is s cut to its first n runes, with each invalid byte
// replaced by U+FFFD as JSON stores it (so what UpdatePerson returns is
// what a later read returns).
func truncateRunes(s string, n int) string {
	if utf8.ValidString(s) && utf8.RuneCountInString(s) <= n {
		return s
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == n {
			break
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}

// cloneWeekdays copies days; empty becomes nil.
func cloneWeekdays(days []time.Weekday) []time.Weekday {
	if len(days) == 0 {
		return nil
	}
	return slices.Clone(days)
}

// Person returns what Rapport remembers about the user id, or an error
// wrapping ErrNotFound if nothing.
func (db *DB) Person(id string) (Person, error) {
	var p Person
	err := db.view(func(tx kvTx) error {
		v := tx.Bucket(bucketPeople).Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		var rec personRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		p = rec.person(id)
		return nil
	})
	if err != nil {
		return Person{}, fmt.Errorf("store: get person %s: %w", id, err)
	}
	return p, nil
}

// UpdatePerson reads the person id (a new Person with just ID set if there
// is none), lets f change it, and stores the result, all in one
// transaction: a profile refresh and a change of preferences never undo
// each other. It returns the stored copy (normalised: Muted and WorkDays
// sorted and unique, empty lists nil, times in UTC, Style cut to
// MaxStyleRunes runes). f cannot change the
// ID.
//
// f runs inside the write transaction, which blocks every other writer:
// it must only set fields (no Slack calls, no store calls, which would
// deadlock). Working hours outside 0 to 24h or an unknown weekday are
// refused, and nothing is stored.
//
// e is what the change causes (a Home refresh, say), written in the same
// transaction; an effect that cannot be stored fails the update.
func (db *DB) UpdatePerson(id string, f func(p *Person), e Effects) (Person, error) {
	if id == "" {
		return Person{}, errors.New("store: update person: empty user ID")
	}
	var rec personRecord
	c, err := e.check(db.now().UTC())
	if err != nil {
		return Person{}, fmt.Errorf("store: update person %s: %w", id, err)
	}
	err = db.update(func(tx kvTx) error {
		b := tx.Bucket(bucketPeople)
		p := Person{ID: id}
		if v := b.Get([]byte(id)); v != nil {
			var old personRecord
			if err := decodeValue(v, &old); err != nil {
				return fmt.Errorf("decode: %w", err)
			}
			p = old.person(id)
		}
		f(&p)
		var err error
		if rec, err = newPersonRecord(p); err != nil {
			return err
		}
		if err := putValue(b, []byte(id), rec); err != nil {
			return err
		}
		return c.apply(tx)
	})
	if err != nil {
		return Person{}, fmt.Errorf("store: update person %s: %w", id, err)
	}
	return rec.person(id), nil
}
