package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds of interaction that put two people in each other's circle
// (CircleEntry.LastKind).
const (
	InTouchCoffee   = "coffee"   // met for coffee (both answered yes)
	InTouchKudos    = "kudos"    // one gave the other kudos
	InTouchFollowup = "followup" // a follow-up between them
	InTouchCheckin  = "checkin"  // one checked in with the other
	InTouchCongrats = "congrats" // one congratulated the other on a birthday or anniversary
)

// inTouchKinds lists the kinds RecordInTouch accepts.
var inTouchKinds = []string{InTouchCheckin, InTouchCoffee, InTouchCongrats, InTouchFollowup, InTouchKudos}

// CircleEntry is one side of a relationship: Owner's view of Other, in
// Owner's circle, the people Rapport suggests they stay in touch with. The
// circle is stored in the bucket named contacts, its name since schema v6.
type CircleEntry struct {
	Owner, Other string
	LastInTouch  time.Time // latest interaction of any kind; zero if none yet
	LastKind     string    // "coffee", "kudos", "followup", "checkin"; "" if none yet
	CadenceDays  int       // 0 = the default (RAPPORT_STAY_IN_TOUCH_DAYS)
	SnoozedUntil time.Time // "Not now": no suggestion before this
	Stopped      bool      // "/checkin stop @person": never suggest
}

// circleRecord is the stored value of the circle bucket; owner and other are the
// key.
type circleRecord struct {
	LastContact  time.Time `json:"last_contact,omitzero"`
	LastKind     string    `json:"last_kind,omitempty"`
	CadenceDays  int       `json:"cadence_days,omitempty"`
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
	Stopped      bool      `json:"stopped,omitempty"`
}

func (r circleRecord) entry(owner, other string) CircleEntry {
	return CircleEntry{
		Owner: owner, Other: other, LastInTouch: utc(r.LastContact), LastKind: r.LastKind,
		CadenceDays: r.CadenceDays, SnoozedUntil: utc(r.SnoozedUntil), Stopped: r.Stopped,
	}
}

// newCircleRecord normalises c into its stored form (times in UTC),
// refusing a negative cadence or an unknown kind.
func newCircleRecord(c CircleEntry) (circleRecord, error) {
	if c.CadenceDays < 0 {
		return circleRecord{}, fmt.Errorf("cadence %d days: want 0 (the default) or more", c.CadenceDays)
	}
	if c.LastKind != "" && !slices.Contains(inTouchKinds, c.LastKind) {
		return circleRecord{}, fmt.Errorf("kind %q: want one of %s", c.LastKind, strings.Join(inTouchKinds, ", "))
	}
	return circleRecord{
		LastContact: utc(c.LastInTouch), LastKind: c.LastKind, CadenceDays: c.CadenceDays,
		SnoozedUntil: utc(c.SnoozedUntil), Stopped: c.Stopped,
	}, nil
}

// circleKey is a key of the circle bucket: owner ‖ 0x00 ‖ other. An
// owner's circle is one contiguous range (userPrefix(owner)), sorted by other.
func circleKey(owner, other string) []byte {
	return append(userPrefix(owner), other...)
}

// parseCircleKey decodes a circleKey.
func parseCircleKey(k []byte) (owner, other string, err error) {
	i := bytes.IndexByte(k, 0)
	if i <= 0 || i == len(k)-1 || bytes.IndexByte(k[i+1:], 0) >= 0 {
		return "", "", fmt.Errorf("circle key %x: want owner ‖ 0x00 ‖ other", k)
	}
	return string(k[:i]), string(k[i+1:]), nil
}

// checkPair refuses a pair of user IDs that cannot make a circle key:
// empty, holding a NUL byte, or the same person twice.
func checkPair(owner, other string) error {
	if owner == "" || other == "" {
		return errors.New("empty user ID")
	}
	if err := errors.Join(checkUserID(owner), checkUserID(other)); err != nil {
		return err
	}
	if owner == other {
		return fmt.Errorf("user %s cannot be in their own circle", owner)
	}
	return nil
}

// getCircleEntry reads other in owner's circle, reporting whether it exists.
func getCircleEntry(b kvBucket, owner, other string) (circleRecord, bool, error) {
	v := b.Get(circleKey(owner, other))
	if v == nil {
		return circleRecord{}, false, nil
	}
	var rec circleRecord
	if err := decodeValue(v, &rec); err != nil {
		return circleRecord{}, false, fmt.Errorf("decode circle entry %s/%s: %w", owner, other, err)
	}
	return rec, true, nil
}

// RecordInTouch records an interaction of kind (InTouchCoffee, InTouchKudos,
// InTouchFollowup or InTouchCheckin) between a and b at at, in both
// directions, in one Update: each joins the other's circle if they
// were not in it, and the clock of the pair restarts. LastInTouch never moves
// backwards: an interaction older than the latest one recorded changes
// nothing (one at the same instant changes nothing either). Cadence,
// snooze and stop are left alone.
func (db *DB) RecordInTouch(a, b string, at time.Time, kind string) error {
	t := InTouch{A: a, B: b, At: at, Kind: kind}
	err := checkInTouch(t)
	if err == nil {
		t.At = at.UTC()
		err = db.update(func(tx kvTx) error { return recordInTouchTx(tx, t) })
	}
	if err != nil {
		return fmt.Errorf("store: touch %s and %s: %w", a, b, err)
	}
	return nil
}

// recordInTouchTx is RecordInTouch inside tx, for a checked interaction.
func recordInTouchTx(tx kvTx, t InTouch) error {
	bucket := tx.Bucket(bucketCircles)
	for _, pair := range [2][2]string{{t.A, t.B}, {t.B, t.A}} {
		rec, ok, err := getCircleEntry(bucket, pair[0], pair[1])
		if err != nil {
			return err
		}
		if ok && !t.At.After(rec.LastContact) {
			continue
		}
		rec.LastContact, rec.LastKind = t.At, t.Kind
		if err := putValue(bucket, circleKey(pair[0], pair[1]), rec); err != nil {
			return err
		}
	}
	return nil
}

// CircleEntry returns other in owner's circle, or an error wrapping ErrNotFound.
func (db *DB) CircleEntry(owner, other string) (CircleEntry, error) {
	var c CircleEntry
	err := db.view(func(tx kvTx) error {
		rec, ok, err := getCircleEntry(tx.Bucket(bucketCircles), owner, other)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		c = rec.entry(owner, other)
		return nil
	})
	if err != nil {
		return CircleEntry{}, fmt.Errorf("store: circle entry %s/%s: %w", owner, other, err)
	}
	return c, nil
}

// UpdateCircleEntry reads other in owner's circle (a new CircleEntry with just
// Owner and Other set if there is none; only this direction is created),
// lets f change it, and stores the result, in one transaction. It returns
// the stored copy (times in UTC). f cannot change Owner or Other. If f
// returns an error, or the result has a negative CadenceDays or an
// unknown LastKind, nothing is written and the error is returned
// (wrapped).
//
// f runs inside the write transaction: it must only set fields (no Slack
// calls, no store calls, which would deadlock).
//
// e is what the change causes (pairs in touch, a Home refresh), written
// in the same transaction; an effect that cannot be stored fails the
// update. Pairs in touch are applied after f's change.
func (db *DB) UpdateCircleEntry(owner, other string, f func(c *CircleEntry) error, e Effects) (CircleEntry, error) {
	var rec circleRecord
	err := checkPair(owner, other)
	var eff checkedEffects
	if err == nil {
		eff, err = e.check(db.now().UTC())
	}
	if err == nil {
		err = db.update(func(tx kvTx) error {
			bucket := tx.Bucket(bucketCircles)
			old, _, err := getCircleEntry(bucket, owner, other)
			if err != nil {
				return err
			}
			c := old.entry(owner, other)
			if err := f(&c); err != nil {
				return err
			}
			c.Owner, c.Other = owner, other
			if rec, err = newCircleRecord(c); err != nil {
				return err
			}
			if err := putValue(bucket, circleKey(owner, other), rec); err != nil {
				return err
			}
			if err := eff.apply(tx); err != nil {
				return err
			}
			// What is returned is the entry as committed, touches included.
			if rec, _, err = getCircleEntry(bucket, owner, other); err != nil {
				return err
			}
			return nil
		})
	}
	if err != nil {
		return CircleEntry{}, fmt.Errorf("store: update circle entry %s/%s: %w", owner, other, err)
	}
	return rec.entry(owner, other), nil
}

// Circle returns owner's circle, sorted by Other; none is not an error.
func (db *DB) Circle(owner string) ([]CircleEntry, error) {
	var out []CircleEntry
	err := db.view(func(tx kvTx) error {
		return scanCircle(tx, owner, func(c CircleEntry) { out = append(out, c) })
	})
	if err != nil {
		return nil, fmt.Errorf("store: circle of %s: %w", owner, err)
	}
	return out, nil
}

// scanCircle calls fn with each entry of owner's circle, in key order.
func scanCircle(tx kvTx, owner string, fn func(CircleEntry)) error {
	if err := checkUserID(owner); err != nil {
		return err
	}
	prefix := userPrefix(owner)
	c := tx.Bucket(bucketCircles).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		_, other, err := parseCircleKey(k)
		if err != nil {
			return err
		}
		var rec circleRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode circle entry %s/%s: %w", owner, other, err)
		}
		fn(rec.entry(owner, other))
	}
	return nil
}

// DueAt is when c lapses: LastInTouch plus its cadence (CadenceDays, or
// defaultDays when that is 0) in days of 24 hours. It is zero when there
// was no interaction yet.
func (c CircleEntry) DueAt(defaultDays int) time.Time {
	if c.LastInTouch.IsZero() {
		return time.Time{}
	}
	days := c.CadenceDays
	if days == 0 {
		days = defaultDays
	}
	return c.LastInTouch.Add(time.Duration(days) * 24 * time.Hour)
}

// Lapsed returns up to limit (all when limit <= 0) of owner's circle
// whose cadence (CadenceDays, or defaultDays) has passed since
// LastInTouch at now (DueAt(defaultDays) <= now), that are not Stopped
// and not snoozed (SnoozedUntil <= now), longest overdue first (ties by
// Other). An entry with no interaction yet never lapses. defaultDays
// must be at least 1.
func (db *DB) Lapsed(owner string, now time.Time, defaultDays, limit int) ([]CircleEntry, error) {
	if defaultDays < 1 {
		return nil, fmt.Errorf("store: lapsed circle of %s: default cadence %d days: want at least 1", owner, defaultDays)
	}
	var out []CircleEntry
	err := db.view(func(tx kvTx) error {
		return scanCircle(tx, owner, func(c CircleEntry) {
			due := c.DueAt(defaultDays)
			if due.IsZero() || due.After(now) || c.Stopped || c.SnoozedUntil.After(now) {
				return
			}
			out = append(out, c)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: lapsed circle of %s: %w", owner, err)
	}
	// Stable: entries come sorted by Other, which breaks ties.
	slices.SortStableFunc(out, func(a, b CircleEntry) int { return a.DueAt(defaultDays).Compare(b.DueAt(defaultDays)) })
	if limit > 0 && len(out) > limit {
		out = out[:limit:limit]
	}
	return out, nil
}

// ReconnectOwners lists the people who have someone in their circle (for the
// weekly reconnect job), sorted, without repeats.
func (db *DB) ReconnectOwners() ([]string, error) {
	var out []string
	err := db.view(func(tx kvTx) error {
		c := tx.Bucket(bucketCircles).Cursor()
		for k, _ := c.First(); k != nil; {
			owner, _, err := parseCircleKey(k)
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

// checkCircles verifies that every key of contacts is owner ‖ 0x00 ‖
// other of two different people and every value decodes to a valid
// record. The circle has no index; this catches what a bug could store.
func checkCircles(tx kvTx) error {
	return tx.Bucket(bucketCircles).ForEach(func(k, v []byte) error {
		owner, other, err := parseCircleKey(k)
		if err != nil {
			return fmt.Errorf("contacts: %w", err)
		}
		if err := checkPair(owner, other); err != nil {
			return fmt.Errorf("contacts key %x: %w", k, err)
		}
		var rec circleRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("contacts: decode %s/%s: %w", owner, other, err)
		}
		if _, err := newCircleRecord(rec.entry(owner, other)); err != nil {
			return fmt.Errorf("contacts: %s/%s: %w", owner, other, err)
		}
		return nil
	})
}

// forgetCircles deletes user's circle and user's entry in everyone else's,
// counting each deleted entry.
func forgetCircles(tx kvTx, user string, st *ForgetStats) error {
	b := tx.Bucket(bucketCircles)
	var doomed [][]byte
	err := b.ForEach(func(k, _ []byte) error {
		owner, other, err := parseCircleKey(k)
		if err != nil {
			return err
		}
		if owner == user || other == user {
			doomed = append(doomed, bytes.Clone(k))
			st.affect(user, owner)
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
		st.CircleEntries++
	}
	return nil
}
