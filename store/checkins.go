package store

import (
	"fmt"
	"time"
)

// Checkin records that User reached out to With (a call, a message, a
// coffee), so Rapport can suggest reconnecting with people not heard from
// in a while.
type Checkin struct {
	ID   uint64    // assigned by AddCheckin
	User string    // Slack user ID of who reached out
	With string    // Slack user ID of whom they reached
	At   time.Time // when
	Note string    // optional, as written by User
}

// checkinRecord is the stored value of checkins; the id is the key.
type checkinRecord struct {
	User string    `json:"user"`
	With string    `json:"with"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

func (r checkinRecord) checkin(id uint64) Checkin {
	return Checkin{ID: id, User: r.User, With: r.With, At: utc(r.At), Note: r.Note}
}

func newCheckinRecord(c Checkin) checkinRecord {
	return checkinRecord{User: c.User, With: c.With, At: utc(c.At), Note: c.Note}
}

// AddCheckin stores c under a new ID (c.ID is ignored) and returns the
// stored copy. A zero At means now. effects (nil: none) are what it
// causes (the pair now in touch), given the stored copy; they commit in
// the same transaction, under the rules of AddFollowup's.
func (db *DB) AddCheckin(c Checkin, effects func(c Checkin) Effects) (Checkin, error) {
	c.At = orNow(c.At, db.now)
	rec := newCheckinRecord(c)
	now := db.now().UTC()
	var id uint64
	err := db.update(func(tx kvTx) error {
		b := tx.Bucket(bucketCheckins)
		var err error
		if id, err = b.NextSequence(); err != nil {
			return err
		}
		if err := putValue(b, idKey(id), rec); err != nil {
			return err
		}
		return writeActionEffects(tx, now, rec.checkin(id), effects)
	})
	if err != nil {
		return Checkin{}, fmt.Errorf("store: add checkin: %w", err)
	}
	return rec.checkin(id), nil
}

// Checkins returns every check-in, by ID (the order they were added).
func (db *DB) Checkins() ([]Checkin, error) {
	var out []Checkin
	err := db.view(func(tx kvTx) error {
		var err error
		out, err = allCheckins(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list checkins: %w", err)
	}
	return out, nil
}

// allCheckins returns every check-in, by ID.
func allCheckins(tx kvTx) ([]Checkin, error) {
	var out []Checkin
	err := tx.Bucket(bucketCheckins).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec checkinRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode checkin %d: %w", id, err)
		}
		out = append(out, rec.checkin(id))
		return nil
	})
	return out, err
}
