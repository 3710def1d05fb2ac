package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Kinds of interaction that put two people in each other's circle
// (Contact.LastKind).
const (
	ContactCoffee   = "coffee"   // met for coffee (both answered yes)
	ContactKudos    = "kudos"    // one gave the other kudos
	ContactFollowup = "followup" // a follow-up between them
	ContactCheckin  = "checkin"  // one checked in with the other
)

// contactKinds lists the kinds Touch accepts.
var contactKinds = []string{ContactCheckin, ContactCoffee, ContactFollowup, ContactKudos}

// Contact is one side of a relationship: Owner's view of Other. A
// person's contacts are their circle, the people Rapport suggests they
// stay in touch with.
type Contact struct {
	Owner, Other string
	LastContact  time.Time // latest interaction of any kind; zero if none yet
	LastKind     string    // "coffee", "kudos", "followup", "checkin"; "" if none yet
	CadenceDays  int       // 0 = the default (RAPPORT_STAY_IN_TOUCH_DAYS)
	SnoozedUntil time.Time // "Not now": no suggestion before this
	Stopped      bool      // "/checkin stop @person": never suggest
}

// contactRecord is the stored value of contacts; owner and other are the
// key.
type contactRecord struct {
	LastContact  time.Time `json:"last_contact,omitzero"`
	LastKind     string    `json:"last_kind,omitempty"`
	CadenceDays  int       `json:"cadence_days,omitempty"`
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
	Stopped      bool      `json:"stopped,omitempty"`
}

func (r contactRecord) contact(owner, other string) Contact {
	return Contact{
		Owner: owner, Other: other, LastContact: utc(r.LastContact), LastKind: r.LastKind,
		CadenceDays: r.CadenceDays, SnoozedUntil: utc(r.SnoozedUntil), Stopped: r.Stopped,
	}
}

// newContactRecord normalises c into its stored form (times in UTC),
// refusing a negative cadence or an unknown kind.
func newContactRecord(c Contact) (contactRecord, error) {
	if c.CadenceDays < 0 {
		return contactRecord{}, fmt.Errorf("cadence %d days: want 0 (the default) or more", c.CadenceDays)
	}
	if c.LastKind != "" && !slices.Contains(contactKinds, c.LastKind) {
		return contactRecord{}, fmt.Errorf("kind %q: want one of %s", c.LastKind, strings.Join(contactKinds, ", "))
	}
	return contactRecord{
		LastContact: utc(c.LastContact), LastKind: c.LastKind, CadenceDays: c.CadenceDays,
		SnoozedUntil: utc(c.SnoozedUntil), Stopped: c.Stopped,
	}, nil
}

// contactKey is a key of contacts: owner ‖ 0x00 ‖ other. An owner's
// contacts are one contiguous range (userPrefix(owner)), sorted by other.
func contactKey(owner, other string) []byte {
	return append(userPrefix(owner), other...)
}

// parseContactKey decodes a contactKey.
func parseContactKey(k []byte) (owner, other string, err error) {
	i := bytes.IndexByte(k, 0)
	if i <= 0 || i == len(k)-1 || bytes.IndexByte(k[i+1:], 0) >= 0 {
		return "", "", fmt.Errorf("contact key %x: want owner ‖ 0x00 ‖ other", k)
	}
	return string(k[:i]), string(k[i+1:]), nil
}

// checkPair refuses a pair of user IDs that cannot make a contact key:
// empty, holding a NUL byte, or the same person twice.
func checkPair(owner, other string) error {
	if owner == "" || other == "" {
		return errors.New("empty user ID")
	}
	if err := errors.Join(checkUserID(owner), checkUserID(other)); err != nil {
		return err
	}
	if owner == other {
		return fmt.Errorf("user %s cannot be their own contact", owner)
	}
	return nil
}

// getContact reads owner's contact other, reporting whether it exists.
func getContact(b *bolt.Bucket, owner, other string) (contactRecord, bool, error) {
	v := b.Get(contactKey(owner, other))
	if v == nil {
		return contactRecord{}, false, nil
	}
	var rec contactRecord
	if err := decodeValue(v, &rec); err != nil {
		return contactRecord{}, false, fmt.Errorf("decode contact %s/%s: %w", owner, other, err)
	}
	return rec, true, nil
}

// Touch records an interaction of kind (ContactCoffee, ContactKudos,
// ContactFollowup or ContactCheckin) between a and b at at, in both
// directions, in one Update: each becomes the other's contact if they
// were not, and the clock of the pair restarts. LastContact never moves
// backwards: an interaction older than the latest one recorded changes
// nothing (one at the same instant changes nothing either). Cadence,
// snooze and stop are left alone.
func (db *DB) Touch(a, b string, at time.Time, kind string) error {
	err := func() error {
		if err := checkPair(a, b); err != nil {
			return err
		}
		if !slices.Contains(contactKinds, kind) {
			return fmt.Errorf("kind %q: want one of %s", kind, strings.Join(contactKinds, ", "))
		}
		if at.IsZero() {
			return errors.New("zero time")
		}
		at = at.UTC()
		return db.update(func(tx *bolt.Tx) error {
			bucket := tx.Bucket(bucketContacts)
			for _, pair := range [2][2]string{{a, b}, {b, a}} {
				rec, ok, err := getContact(bucket, pair[0], pair[1])
				if err != nil {
					return err
				}
				if ok && !at.After(rec.LastContact) {
					continue
				}
				rec.LastContact, rec.LastKind = at, kind
				if err := putValue(bucket, contactKey(pair[0], pair[1]), rec); err != nil {
					return err
				}
			}
			return nil
		})
	}()
	if err != nil {
		return fmt.Errorf("store: touch %s and %s: %w", a, b, err)
	}
	return nil
}

// Contact returns owner's contact other, or an error wrapping ErrNotFound.
func (db *DB) Contact(owner, other string) (Contact, error) {
	var c Contact
	err := db.view(func(tx *bolt.Tx) error {
		rec, ok, err := getContact(tx.Bucket(bucketContacts), owner, other)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		c = rec.contact(owner, other)
		return nil
	})
	if err != nil {
		return Contact{}, fmt.Errorf("store: get contact %s/%s: %w", owner, other, err)
	}
	return c, nil
}

// UpdateContact reads owner's contact other (a new Contact with just
// Owner and Other set if there is none; only this direction is created),
// lets f change it, and stores the result, in one transaction. It returns
// the stored copy (times in UTC). f cannot change Owner or Other. If f
// returns an error, or the result has a negative CadenceDays or an
// unknown LastKind, nothing is written and the error is returned
// (wrapped).
//
// f runs inside the write transaction: it must only set fields (no Slack
// calls, no store calls, which would deadlock).
func (db *DB) UpdateContact(owner, other string, f func(c *Contact) error) (Contact, error) {
	var rec contactRecord
	err := checkPair(owner, other)
	if err == nil {
		err = db.update(func(tx *bolt.Tx) error {
			bucket := tx.Bucket(bucketContacts)
			old, _, err := getContact(bucket, owner, other)
			if err != nil {
				return err
			}
			c := old.contact(owner, other)
			if err := f(&c); err != nil {
				return err
			}
			c.Owner, c.Other = owner, other
			if rec, err = newContactRecord(c); err != nil {
				return err
			}
			return putValue(bucket, contactKey(owner, other), rec)
		})
	}
	if err != nil {
		return Contact{}, fmt.Errorf("store: update contact %s/%s: %w", owner, other, err)
	}
	return rec.contact(owner, other), nil
}

// Circle returns owner's contacts, sorted by Other; none is not an error.
func (db *DB) Circle(owner string) ([]Contact, error) {
	var out []Contact
	err := db.view(func(tx *bolt.Tx) error {
		return scanCircle(tx, owner, func(c Contact) { out = append(out, c) })
	})
	if err != nil {
		return nil, fmt.Errorf("store: circle of %s: %w", owner, err)
	}
	return out, nil
}

// scanCircle calls fn with each of owner's contacts, in key order.
func scanCircle(tx *bolt.Tx, owner string, fn func(Contact)) error {
	if err := checkUserID(owner); err != nil {
		return err
	}
	prefix := userPrefix(owner)
	c := tx.Bucket(bucketContacts).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		_, other, err := parseContactKey(k)
		if err != nil {
			return err
		}
		var rec contactRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode contact %s/%s: %w", owner, other, err)
		}
		fn(rec.contact(owner, other))
	}
	return nil
}

// DueAt is when c lapses: LastContact plus its cadence (CadenceDays, or
// defaultDays when that is 0) in days of 24 hours. It is zero when there
// was no interaction yet.
func (c Contact) DueAt(defaultDays int) time.Time {
	if c.LastContact.IsZero() {
		return time.Time{}
	}
	days := c.CadenceDays
	if days == 0 {
		days = defaultDays
	}
	return c.LastContact.Add(time.Duration(days) * 24 * time.Hour)
}

// Lapsed returns up to limit (all when limit <= 0) of owner's contacts
// whose cadence (CadenceDays, or defaultDays) has passed since
// LastContact at now (DueAt(defaultDays) <= now), that are not Stopped
// and not snoozed (SnoozedUntil <= now), longest overdue first (ties by
// Other). A contact with no interaction yet never lapses. defaultDays
// must be at least 1.
func (db *DB) Lapsed(owner string, now time.Time, defaultDays, limit int) ([]Contact, error) {
	if defaultDays < 1 {
		return nil, fmt.Errorf("store: lapsed contacts of %s: default cadence %d days: want at least 1", owner, defaultDays)
	}
	var out []Contact
	err := db.view(func(tx *bolt.Tx) error {
		return scanCircle(tx, owner, func(c Contact) {
			due := c.DueAt(defaultDays)
			if due.IsZero() || due.After(now) || c.Stopped || c.SnoozedUntil.After(now) {
				return
			}
			out = append(out, c)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: lapsed contacts of %s: %w", owner, err)
	}
	// Stable: contacts come sorted by Other, which breaks ties.
	slices.SortStableFunc(out, func(a, b Contact) int { return a.DueAt(defaultDays).Compare(b.DueAt(defaultDays)) })
	if limit > 0 && len(out) > limit {
		out = out[:limit:limit]
	}
	return out, nil
}

// ReconnectOwners lists the people who have at least one contact (for the
// weekly reconnect job), sorted, without repeats.
func (db *DB) ReconnectOwners() ([]string, error) {
	var out []string
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketContacts).Cursor()
		for k, _ := c.First(); k != nil; {
			owner, _, err := parseContactKey(k)
			if err != nil {
				return err
			}
			out = append(out, owner)
			// Skip the rest of this owner's range: owner ‖ 0x01 sorts
			// after every owner ‖ 0x00 ‖ other.
			next := append([]byte(owner), 1)
			k, _ = c.Seek(next)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: reconnect owners: %w", err)
	}
	return out, nil
}

// checkContacts verifies that every key of contacts is owner ‖ 0x00 ‖
// other of two different people and every value decodes to a valid
// record. Contacts have no index; this catches what a bug could store.
func checkContacts(tx *bolt.Tx) error {
	return tx.Bucket(bucketContacts).ForEach(func(k, v []byte) error {
		owner, other, err := parseContactKey(k)
		if err != nil {
			return fmt.Errorf("contacts: %w", err)
		}
		if err := checkPair(owner, other); err != nil {
			return fmt.Errorf("contacts key %x: %w", k, err)
		}
		var rec contactRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("contacts: decode %s/%s: %w", owner, other, err)
		}
		if _, err := newContactRecord(rec.contact(owner, other)); err != nil {
			return fmt.Errorf("contacts: %s/%s: %w", owner, other, err)
		}
		return nil
	})
}

// forgetContacts deletes user's contacts and every contact of others with
// user, counting each deleted entry.
func forgetContacts(tx *bolt.Tx, user string, st *ForgetStats) error {
	b := tx.Bucket(bucketContacts)
	var doomed [][]byte
	err := b.ForEach(func(k, _ []byte) error {
		owner, other, err := parseContactKey(k)
		if err != nil {
			return err
		}
		if owner == user || other == user {
			doomed = append(doomed, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
		st.Contacts++
	}
	return nil
}
