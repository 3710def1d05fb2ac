package store

import (
	"fmt"
	"strings"
	"time"
)

// Since version 2 the export document carries people (each person's
// settings and Rapport's cache of their profile) and the circle (who stays
// in touch with whom, at what cadence), so that export → import moves a
// team to a new machine with its settings.
type (
	// wirePerson is a person record in an export. Working hours are clock
	// times "HH:MM" (":SS" added when set) from local midnight, "24:00" for
	// the end of the day; both null means the configured default. Days
	// are "Mon" to "Sun"; [] means the configured default.
	wirePerson struct {
		User          string              `json:"user"`
		Name          string              `json:"name"`
		TZ            string              `json:"tz"`               // Slack's zone, refreshed from Slack
		TZOverride    string              `json:"tz_override"`      // the person's own choice; "" none
		Locale        string              `json:"locale,omitempty"` // Slack's language and region ("de-DE"), for numeric dates
		WorkStart     *string             `json:"work_start"`
		WorkEnd       *string             `json:"work_end"`
		WorkDays      []string            `json:"work_days"`
		Muted         []string            `json:"muted"`
		Style         string              `json:"style"`
		LastReconnect *string             `json:"last_reconnect"`
		HomeOpened    *string             `json:"home_opened"`               // when they first opened the Home tab; absent or null: never
		Teams         []string            `json:"teams"`                     // their teams by name, refreshed from Slack; [] or absent: no team
		JoinedWS      *string             `json:"joined_workspace"`          // when Rapport saw them join the workspace; absent or null: not seen
		Birthday      string              `json:"birthday,omitempty"`        // "03-14": month and day, never a year; absent: none
		Started       string              `json:"started,omitempty"`         // "2021-06-01", the day they started; absent: none
		Visibility    string              `json:"visibility,omitempty"`      // public, private or none; absent: not chosen (private)
		CelebSince    *string             `json:"celebrate_since,omitempty"` // when a date was last set; absent: never
		ReactionKudos []wireReactionKudos `json:"reaction_kudos,omitempty"`  // kudos they started by reacting; absent: none
		IsBot         bool                `json:"is_bot"`
		Deleted       bool                `json:"deleted"`
		IsRestricted  bool                `json:"is_restricted"`
		IsStranger    bool                `json:"is_stranger"`
		Updated       *string             `json:"updated"`
	}
	// wireReactionKudos is a kudos started by a reaction (ReactionKudos).
	wireReactionKudos struct {
		Channel string `json:"channel"`
		TS      string `json:"ts"`
		Author  string `json:"author"`
		Link    string `json:"link,omitempty"`
		State   string `json:"state"`
		At      string `json:"at"`
		KudosID uint64 `json:"kudos_id,omitempty"`
	}
	// wireContact is one side of a relationship in the circle.
	wireContact struct {
		Owner        string  `json:"owner"`
		Other        string  `json:"other"`
		LastContact  *string `json:"last_contact"`
		LastKind     string  `json:"last_kind"`
		CadenceDays  int     `json:"cadence_days"` // 0: the configured default
		SnoozedUntil *string `json:"snoozed_until"`
		Stopped      bool    `json:"stopped"`
	}
)

// dayNames are the export's names of weekdays, Sunday first as
// time.Weekday counts.
var dayNames = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

func newWirePerson(p Person) wirePerson {
	w := wirePerson{
		User: p.ID, Name: p.Name, TZ: p.TZ, TZOverride: p.TZOverride, Locale: p.Locale, Muted: nonNil(dmKindStrings(p.Muted)), Style: p.Style,
		LastReconnect: formatOptionalTime(p.LastReconnect), HomeOpened: formatOptionalTime(p.HomeOpened),
		JoinedWS: formatOptionalTime(p.JoinedWorkspace), IsBot: p.IsBot, Deleted: p.Deleted,
		IsRestricted: p.IsRestricted, IsStranger: p.IsStranger, Updated: formatOptionalTime(p.Updated),
		WorkDays: []string{}, Teams: nonNil(p.Teams), Visibility: string(p.Visibility),
		CelebSince: formatOptionalTime(p.CelebrateSince),
	}
	if !p.Birthday.IsZero() {
		w.Birthday = p.Birthday.String()
	}
	if !p.Started.IsZero() {
		w.Started = p.Started.String()
	}
	if p.WorkStart != 0 || p.WorkEnd != 0 {
		s, e := formatClock(p.WorkStart), formatClock(p.WorkEnd)
		w.WorkStart, w.WorkEnd = &s, &e
	}
	for _, d := range p.WorkDays {
		w.WorkDays = append(w.WorkDays, dayNames[d])
	}
	for _, r := range p.ReactionKudos {
		w.ReactionKudos = append(w.ReactionKudos, wireReactionKudos{Channel: r.Channel, TS: r.TS, Author: r.Author,
			Link: r.Link, State: r.State, At: formatTime(r.At), KudosID: r.KudosID})
	}
	return w
}

func newWireContact(c CircleEntry) wireContact {
	return wireContact{
		Owner: c.Owner, Other: c.Other, LastContact: formatOptionalTime(c.LastInTouch), LastKind: c.LastKind,
		CadenceDays: c.CadenceDays, SnoozedUntil: formatOptionalTime(c.SnoozedUntil), Stopped: c.Stopped,
	}
}

// formatClock writes an offset from midnight as "HH:MM", or "HH:MM:SS"
// when it has seconds (sub-second parts are not kept: no setting has them).
func formatClock(d time.Duration) string {
	s := int(d / time.Second)
	if s%60 != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/3600, s/60%60)
}

// parseClock reads formatClock's "HH:MM" or "HH:MM:SS", from 00:00 to 24:00.
func parseClock(field, s string) (time.Duration, error) {
	var h, m, sec int
	var err error
	switch strings.Count(s, ":") {
	case 1:
		_, err = fmt.Sscanf(s, "%2d:%2d", &h, &m)
	case 2:
		_, err = fmt.Sscanf(s, "%2d:%2d:%2d", &h, &m, &sec)
	default:
		err = fmt.Errorf("no colon")
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second
	if err != nil || h < 0 || m < 0 || m > 59 || sec < 0 || sec > 59 || d > 24*time.Hour || formatClock(d) != s {
		return 0, invalid(field, "want a time of day from 00:00 to 24:00 such as 09:30 (got %q)", s)
	}
	return d, nil
}

// parseImportPerson turns a document's person into a Person, checked as
// UpdatePerson checks one, with the chosen zone in its IANA spelling.
func parseImportPerson(field string, w wirePerson) (Person, error) {
	if w.User == "" {
		return Person{}, invalid(field+".user", "missing")
	}
	if err := checkUserID(w.User); err != nil {
		return Person{}, invalid(field+".user", "%w", err)
	}
	p := Person{
		ID: w.User, Name: w.Name, TZ: w.TZ, Locale: w.Locale, Muted: dmKinds(w.Muted), Style: w.Style, Teams: w.Teams,
		IsBot: w.IsBot, Deleted: w.Deleted, IsRestricted: w.IsRestricted, IsStranger: w.IsStranger,
	}
	if w.TZOverride != "" {
		tz, ok := CanonicalZone(w.TZOverride)
		if !ok {
			return Person{}, invalid(field+".tz_override", "not a time zone (got %q)", w.TZOverride)
		}
		p.TZOverride = tz
	}
	if (w.WorkStart == nil) != (w.WorkEnd == nil) {
		return Person{}, invalid(field+".work_end", "work_start and work_end go together: both set or both null")
	}
	if w.WorkStart != nil {
		var err error
		if p.WorkStart, err = parseClock(field+".work_start", *w.WorkStart); err != nil {
			return Person{}, err
		}
		if p.WorkEnd, err = parseClock(field+".work_end", *w.WorkEnd); err != nil {
			return Person{}, err
		}
		if p.WorkEnd <= p.WorkStart {
			return Person{}, invalid(field+".work_end", "must be after work_start (%s-%s)", *w.WorkStart, *w.WorkEnd)
		}
	}
	for j, name := range w.WorkDays {
		d := -1
		for i, n := range dayNames {
			if strings.EqualFold(n, name) {
				d = i
			}
		}
		if d < 0 {
			return Person{}, invalid(fmt.Sprintf("%s.work_days[%d]", field, j), "want Mon, Tue, Wed, Thu, Fri, Sat or Sun (got %q)", name)
		}
		p.WorkDays = append(p.WorkDays, time.Weekday(d))
	}
	var err error
	if p.LastReconnect, err = parseOptionalImportTime(field+".last_reconnect", w.LastReconnect); err != nil {
		return Person{}, err
	}
	if p.HomeOpened, err = parseOptionalImportTime(field+".home_opened", w.HomeOpened); err != nil {
		return Person{}, err
	}
	if p.JoinedWorkspace, err = parseOptionalImportTime(field+".joined_workspace", w.JoinedWS); err != nil {
		return Person{}, err
	}
	if p.Updated, err = parseOptionalImportTime(field+".updated", w.Updated); err != nil {
		return Person{}, err
	}
	if p.CelebrateSince, err = parseOptionalImportTime(field+".celebrate_since", w.CelebSince); err != nil {
		return Person{}, err
	}
	if w.Birthday != "" {
		if p.Birthday, err = ParseMonthDay(w.Birthday); err != nil {
			return Person{}, invalid(field+".birthday", "%w", err)
		}
	}
	if w.Started != "" {
		if p.Started, err = ParseDate(w.Started); err != nil {
			return Person{}, invalid(field+".started", "%w", err)
		}
	}
	p.Visibility = Visibility(w.Visibility)
	if !ValidVisibility(p.Visibility) {
		return Person{}, invalid(field+".visibility", "want public, private or none (got %q)", w.Visibility)
	}
	for i, r := range w.ReactionKudos {
		f := fmt.Sprintf("%s.reaction_kudos[%d]", field, i)
		if r.Channel == "" || r.TS == "" || r.State == "" {
			return Person{}, invalid(f, "needs channel, ts and state")
		}
		at, err := parseImportTime(f+".at", r.At)
		if err != nil {
			return Person{}, err
		}
		p.ReactionKudos = append(p.ReactionKudos, ReactionKudos{Channel: r.Channel, TS: r.TS, Author: r.Author,
			Link: r.Link, State: r.State, At: at, KudosID: r.KudosID})
	}
	if _, err := newPersonRecord(p); err != nil {
		return Person{}, invalid(field, "%w", err)
	}
	return p, nil
}

// parseImportContact turns a document's circle entry into a Contact,
// checked as UpdateCircleEntry checks one.
func parseImportContact(field string, w wireContact) (CircleEntry, error) {
	if err := checkPair(w.Owner, w.Other); err != nil {
		return CircleEntry{}, invalid(field, "%w", err)
	}
	c := CircleEntry{Owner: w.Owner, Other: w.Other, LastKind: w.LastKind, CadenceDays: w.CadenceDays, Stopped: w.Stopped}
	var err error
	if c.LastInTouch, err = parseOptionalImportTime(field+".last_contact", w.LastContact); err != nil {
		return CircleEntry{}, err
	}
	if c.SnoozedUntil, err = parseOptionalImportTime(field+".snoozed_until", w.SnoozedUntil); err != nil {
		return CircleEntry{}, err
	}
	if _, err := newCircleRecord(c); err != nil {
		return CircleEntry{}, invalid(field, "%w", err)
	}
	return c, nil
}

// allPeople returns every person record, by user ID.
func allPeople(tx kvTx) ([]Person, error) {
	var out []Person
	err := tx.Bucket(bucketPeople).ForEach(func(k, v []byte) error {
		var rec personRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode person %s: %w", k, err)
		}
		out = append(out, rec.person(string(k)))
		return nil
	})
	return out, err
}

// allContacts returns the whole circle, by owner then other.
func allContacts(tx kvTx) ([]CircleEntry, error) {
	var out []CircleEntry
	err := tx.Bucket(bucketCircles).ForEach(func(k, v []byte) error {
		owner, other, err := parseCircleKey(k)
		if err != nil {
			return err
		}
		var rec circleRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode contact %s/%s: %w", owner, other, err)
		}
		out = append(out, rec.entry(owner, other))
		return nil
	})
	return out, err
}

// putPeopleAndCircle writes imported people and contacts, replacing the
// stored records of the same user or pair.
func putPeopleAndCircle(tx kvTx, people []Person, circle []CircleEntry) error {
	for _, p := range people {
		rec, err := newPersonRecord(p)
		if err != nil { // parseImport checked: a bug
			return fmt.Errorf("person %s: %w", p.ID, err)
		}
		if err := putValue(tx.Bucket(bucketPeople), []byte(p.ID), rec); err != nil {
			return err
		}
	}
	for _, c := range circle {
		rec, err := newCircleRecord(c)
		if err != nil { // parseImport checked: a bug
			return fmt.Errorf("contact %s/%s: %w", c.Owner, c.Other, err)
		}
		if err := putValue(tx.Bucket(bucketCircles), circleKey(c.Owner, c.Other), rec); err != nil {
			return err
		}
	}
	return nil
}
