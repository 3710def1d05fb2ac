package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// UserDataCounts summarises a UserExport: what is stored about one person.
type UserDataCounts struct {
	KudosGiven    int  // kudos they gave (private ones included)
	KudosReceived int  // kudos they received (private ones included)
	Followups     int  // follow-ups they own
	OwedToThem    int  // follow-ups others owe them
	Rounds        int  // coffee rounds they were grouped or sat out in
	Checkins      int  // check-ins by them or with them
	CircleEntries int  // people in their stay-in-touch circle
	Member        bool // they are a coffee member
}

// userExportDoc is the export document (the version and field names of
// Export) restricted to one person, plus their person record.
type userExportDoc struct {
	exportDoc
	User   string      `json:"user"`
	Person *wirePerson `json:"person"` // null when none is stored
}

// UserExport writes everything stored by or about user as one export
// document (the format of Export, the same version and field names,
// JSON indented by two spaces), and returns its counts for a summary:
//
//   - kudos they gave or received, private ones included;
//   - follow-ups they own or that others owe them;
//   - their coffee membership (with their private never list) and, of each
//     round they were in, only their own group or sit-out: other people's
//     pairings are not theirs to see;
//   - check-ins by them, and check-ins with them without the note, which
//     is private to its author;
//   - "user", their ID, and "person", their person record (profile cache,
//     mutes, style, working hours, zone), null when none is stored; it is
//     also the one entry of "people";
//   - "circle": their own stay-in-touch circle with its cadences.
//
// The records are read in one read transaction; w is written after it
// ends.
func (db *DB) UserExport(w io.Writer, user string, now time.Time) (UserDataCounts, error) {
	if user == "" {
		return UserDataCounts{}, errors.New("store: user export: empty user ID")
	}
	var n UserDataCounts
	doc := userExportDoc{
		exportDoc: exportDoc{Format: exportFormat, Version: exportVersion, ExportedAt: formatTime(now), People: []wirePerson{}, Circle: []wireContact{}},
		User:      user,
	}
	err := db.view(func(tx kvTx) error {
		if err := checkUserID(user); err != nil {
			return err
		}
		var err error
		doc.exportDoc, n, err = userRecords(tx, user, doc.exportDoc)
		if err != nil {
			return err
		}
		if v := tx.Bucket(bucketPeople).Get([]byte(user)); v != nil {
			var rec personRecord
			if err := decodeValue(v, &rec); err != nil {
				return fmt.Errorf("decode person %s: %w", user, err)
			}
			wp := newWirePerson(rec.person(user))
			doc.Person = &wp
			doc.People = append(doc.People, wp)
		}
		// Their own circle; other people's circles (who wants to stay in
		// touch with them, and how often) are those people's own notes.
		return scanCircle(tx, user, func(c CircleEntry) {
			doc.Circle = append(doc.Circle, newWireContact(c))
			n.CircleEntries++
		})
	})
	if err != nil {
		return UserDataCounts{}, fmt.Errorf("store: user export %s: %w", user, err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return UserDataCounts{}, fmt.Errorf("store: user export %s: %w", user, err)
	}
	return n, nil
}

// userRecords fills doc's record lists with user's records, by ID.
func userRecords(tx kvTx, user string, doc exportDoc) (exportDoc, UserDataCounts, error) {
	var n UserDataCounts
	kudos, err := allKudos(tx)
	if err != nil {
		return doc, n, err
	}
	doc.Kudos = []wireKudos{}
	for _, k := range kudos {
		gave, got := k.Giver == user, slices.Contains(k.Receivers, user)
		if !gave && !got {
			continue
		}
		if gave {
			n.KudosGiven++
		}
		if got {
			n.KudosReceived++
		}
		doc.Kudos = append(doc.Kudos, wireKudos{
			ID: formatID(k.ID), Giver: k.Giver, Receivers: nonNil(k.Receivers), Text: k.Text,
			Values: nonNil(k.Values), Channel: k.Channel, At: formatTime(k.At),
			TS: k.MessageTS, Private: k.Private,
		})
	}
	followups, err := allFollowups(tx)
	if err != nil {
		return doc, n, err
	}
	doc.Followups = []wireFollowup{}
	for _, f := range followups {
		owns, owed := f.Owner == user, f.Counterpart == user
		if !owns && !owed {
			continue
		}
		if owns {
			n.Followups++
		}
		if owed && !owns {
			n.OwedToThem++
		}
		doc.Followups = append(doc.Followups, wireFollowup{
			ID: formatID(f.ID), Owner: f.Owner, Counterpart: f.Counterpart, Text: f.Text,
			Due: formatTime(f.Due), Created: formatTime(f.Created), Status: string(f.Status),
			DoneAt: formatOptionalTime(f.DoneAt), Note: f.Note, Link: f.Link, Channel: f.Channel,
			NextAt: formatOptionalTime(f.NextAt), Reminded: f.Reminded, Nudges: f.Nudges,
			LastNudge: formatOptionalTime(f.LastNudge),
		})
	}
	doc.Coffee.Members = []wireMember{}
	m, ok, err := getCoffeeMember(tx.Bucket(bucketCoffeeMembers), user)
	if err != nil {
		return doc, n, err
	}
	if ok {
		n.Member = true
		doc.Coffee.Members = append(doc.Coffee.Members, wireMember{
			User: m.User, Joined: formatTime(m.Joined), PausedUntil: formatOptionalTime(m.PausedUntil),
			Via: m.Via, SkipAt: formatOptionalTime(m.SkipAt), Misses: m.Misses, Ghosted: m.PausedForSilence,
			Never: nonNil(m.Never),
		})
	}
	rounds, err := allRounds(tx)
	if err != nil {
		return doc, n, err
	}
	doc.Coffee.Rounds = []wireRound{}
	for _, r := range rounds {
		if r, ok := roundOf(r, user); ok {
			n.Rounds++
			doc.Coffee.Rounds = append(doc.Coffee.Rounds, newWireRound(r))
		}
	}
	checkins, err := allCheckins(tx)
	if err != nil {
		return doc, n, err
	}
	doc.Checkins = []wireCheckin{}
	for _, c := range checkins {
		switch user {
		case c.User:
		case c.With:
			c.Note = "" // the author's private note about them
		default:
			continue
		}
		n.Checkins++
		doc.Checkins = append(doc.Checkins, wireCheckin{
			ID: formatID(c.ID), User: c.User, With: c.With, At: formatTime(c.At), Note: c.Note,
		})
	}
	return doc, n, nil
}

// roundOf is r cut down to user's part (their group or their sit-out),
// and whether they took part at all.
func roundOf(r Round, user string) (Round, bool) {
	out := Round{ID: r.ID, At: r.At, Manual: r.Manual, Closed: r.Closed}
	if g := r.Group(user); g >= 0 {
		out.Groups = []CoffeeGroup{r.Groups[g]}
	}
	for _, s := range r.SitOut {
		if s.User == user {
			out.SitOut = append(out.SitOut, s)
		}
	}
	return out, len(out.Groups) > 0 || len(out.SitOut) > 0
}
