package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Kudos is a thank-you from one person to one or more others, optionally
// tagged with the team's values. A private kudos is shown only to the
// people involved and never shared in the kudos channel or digests.
type Kudos struct {
	ID        uint64    // assigned by AddKudos
	Giver     string    // Slack user ID
	Receivers []string  // Slack user IDs
	Text      string    // why, as written by the giver
	Values    []string  // "#values", without the '#'
	Channel   string    // where it was given; empty for the modal or a DM
	MessageTS string    // ts of the message it was given on or for, if any
	Private   bool      // shown only to giver and receivers
	At        time.Time // when it was given
}

// kudosRecord is the stored value of kudos; the id is the key.
type kudosRecord struct {
	Giver     string    `json:"giver"`
	Receivers []string  `json:"receivers,omitempty"`
	Text      string    `json:"text,omitempty"`
	Values    []string  `json:"values,omitempty"`
	Channel   string    `json:"channel,omitempty"`
	MessageTS string    `json:"ts,omitempty"`
	Private   bool      `json:"private,omitempty"`
	At        time.Time `json:"at"`
}

func (r kudosRecord) kudos(id uint64) Kudos {
	return Kudos{
		ID: id, Giver: r.Giver, Receivers: cloneStrings(r.Receivers), Text: r.Text,
		Values: cloneStrings(r.Values), Channel: r.Channel, MessageTS: r.MessageTS,
		Private: r.Private, At: utc(r.At),
	}
}

func newKudosRecord(k Kudos) kudosRecord {
	return kudosRecord{
		Giver: k.Giver, Receivers: cloneStrings(k.Receivers), Text: k.Text,
		Values: cloneStrings(k.Values), Channel: k.Channel, MessageTS: k.MessageTS,
		Private: k.Private, At: utc(k.At),
	}
}

// AddKudos stores k under a new ID (k.ID is ignored) and returns the
// stored copy: ID set, At in UTC (now if k.At is zero), empty slices nil.
// At must be between 1970 and 2262, since kudos are indexed by time.
func (db *DB) AddKudos(k Kudos) (Kudos, error) {
	k.At = orNow(k.At, db.now)
	if err := checkIndexable(k.At); err != nil {
		return Kudos{}, fmt.Errorf("store: add kudos: at: %w", err)
	}
	rec := newKudosRecord(k)
	var id uint64
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		if id, err = tx.Bucket(bucketKudos).NextSequence(); err != nil {
			return err
		}
		return putKudos(tx, id, rec)
	})
	if err != nil {
		return Kudos{}, fmt.Errorf("store: add kudos: %w", err)
	}
	return rec.kudos(id), nil
}

// KudosBetween returns the kudos given in [from, to), oldest first (equal
// times by ID). A zero from means "since the beginning". It reads only
// that range of the time index.
func (db *DB) KudosBetween(from, to time.Time) ([]Kudos, error) {
	var out []Kudos
	if !to.After(from) {
		return out, nil
	}
	start, end := timeKey(from), timeKey(to)
	unbounded := to.After(maxIndexTime)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKudos)
		c := tx.Bucket(bucketKudosByTime).Cursor()
		for k, _ := c.Seek(start); k != nil && (unbounded || bytes.Compare(k, end) < 0); k, _ = c.Next() {
			_, id, err := parseTimeIDKey(k)
			if err != nil {
				return err
			}
			kd, ok, err := getKudos(b, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("kudos_by_time points at missing kudos %d", id)
			}
			out = append(out, kd)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: kudos between %s and %s: %w", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), err)
	}
	return out, nil
}

// getKudos reads kudos id from b (the kudos bucket).
func getKudos(b *bolt.Bucket, id uint64) (Kudos, bool, error) {
	v := b.Get(idKey(id))
	if v == nil {
		return Kudos{}, false, nil
	}
	var rec kudosRecord
	if err := decodeValue(v, &rec); err != nil {
		return Kudos{}, false, fmt.Errorf("decode kudos %d: %w", id, err)
	}
	return rec.kudos(id), true, nil
}

// allKudos returns every kudos, by ID.
func allKudos(tx *bolt.Tx) ([]Kudos, error) {
	var out []Kudos
	err := tx.Bucket(bucketKudos).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec kudosRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode kudos %d: %w", id, err)
		}
		out = append(out, rec.kudos(id))
		return nil
	})
	return out, err
}

// putKudos writes kudos id (new or replaced) and keeps kudos_by_time in
// step: the entry for a replaced record's old time goes first.
func putKudos(tx *bolt.Tx, id uint64, rec kudosRecord) error {
	b, idx := tx.Bucket(bucketKudos), tx.Bucket(bucketKudosByTime)
	if v := b.Get(idKey(id)); v != nil {
		var old kudosRecord
		if err := decodeValue(v, &old); err != nil {
			return fmt.Errorf("decode kudos %d: %w", id, err)
		}
		if err := idx.Delete(timeIDKey(old.At, id)); err != nil {
			return err
		}
	}
	if err := putValue(b, idKey(id), rec); err != nil {
		return err
	}
	return idx.Put(timeIDKey(rec.At, id), emptyValue)
}
