package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FollowupStatus is where a follow-up stands. Only open follow-ups are
// reminded of and nudged.
type FollowupStatus string

// The follow-up statuses. Their strings are stored and exported.
const (
	FollowupOpen    FollowupStatus = "open"    // still to do
	FollowupDone    FollowupStatus = "done"    // done; DoneAt says when
	FollowupDropped FollowupStatus = "dropped" // given up; no more reminders
)

// valid reports whether s is one of the three statuses.
func (s FollowupStatus) valid() bool {
	return s == FollowupOpen || s == FollowupDone || s == FollowupDropped
}

// Followup is something Owner promised to do with or for Counterpart by
// Due. Counterpart is empty for a follow-up to oneself.
type Followup struct {
	ID          uint64         // assigned by AddFollowup
	Owner       string         // Slack user ID of who must follow up
	Counterpart string         // Slack user ID, or empty for oneself
	Text        string         // what, as written by the owner
	Due         time.Time      // when it should be done by
	Created     time.Time      // when it was recorded
	Status      FollowupStatus // open, done or dropped
	DoneAt      time.Time      // when it was marked done; zero if not done
}

// followupRecord is the stored value of followups; the id is the key.
type followupRecord struct {
	Owner       string    `json:"owner"`
	Counterpart string    `json:"counterpart,omitempty"`
	Text        string    `json:"text,omitempty"`
	Due         time.Time `json:"due"`
	Created     time.Time `json:"created"`
	Status      string    `json:"status"`
	DoneAt      time.Time `json:"done_at,omitzero"`
}

func (r followupRecord) followup(id uint64) Followup {
	return Followup{
		ID: id, Owner: r.Owner, Counterpart: r.Counterpart, Text: r.Text,
		Due: utc(r.Due), Created: utc(r.Created), Status: FollowupStatus(r.Status), DoneAt: utc(r.DoneAt),
	}
}

func newFollowupRecord(f Followup) followupRecord {
	return followupRecord{
		Owner: f.Owner, Counterpart: f.Counterpart, Text: f.Text,
		Due: utc(f.Due), Created: utc(f.Created), Status: string(f.Status), DoneAt: utc(f.DoneAt),
	}
}

// checkFollowup validates what the store relies on: a known status, and a
// due time the index can hold when the follow-up is open.
func checkFollowup(f Followup) error {
	if !f.Status.valid() {
		return fmt.Errorf("status %q: must be open, done or dropped", f.Status)
	}
	if f.Status == FollowupOpen {
		if err := checkIndexable(f.Due); err != nil {
			return fmt.Errorf("due: %w", err)
		}
	}
	return nil
}

// AddFollowup stores f under a new ID (f.ID is ignored) and returns the
// stored copy. An empty Status means open; Created defaults to now. An
// open follow-up needs a Due between 1970 and 2262 (it is indexed by due
// time, for reminders).
func (db *DB) AddFollowup(f Followup) (Followup, error) {
	if f.Status == "" {
		f.Status = FollowupOpen
	}
	f.Created = orNow(f.Created, db.now)
	if err := checkFollowup(f); err != nil {
		return Followup{}, fmt.Errorf("store: add followup: %w", err)
	}
	rec := newFollowupRecord(f)
	var id uint64
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		if id, err = tx.Bucket(bucketFollowups).NextSequence(); err != nil {
			return err
		}
		return putFollowup(tx, id, rec)
	})
	if err != nil {
		return Followup{}, fmt.Errorf("store: add followup: %w", err)
	}
	return rec.followup(id), nil
}

// Followup returns the follow-up with the given ID, or an error wrapping
// ErrNotFound.
func (db *DB) Followup(id uint64) (Followup, error) {
	var f Followup
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		f, ok, err = getFollowup(tx.Bucket(bucketFollowups), id)
		if err == nil && !ok {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return Followup{}, fmt.Errorf("store: get followup %d: %w", id, err)
	}
	return f, nil
}

// Followups returns every follow-up, by ID (that is, in the order they
// were added).
func (db *DB) Followups() ([]Followup, error) {
	var out []Followup
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = allFollowups(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list followups: %w", err)
	}
	return out, nil
}

// getFollowup reads follow-up id from b (the followups bucket).
func getFollowup(b *bolt.Bucket, id uint64) (Followup, bool, error) {
	v := b.Get(idKey(id))
	if v == nil {
		return Followup{}, false, nil
	}
	var rec followupRecord
	if err := decodeValue(v, &rec); err != nil {
		return Followup{}, false, fmt.Errorf("decode followup %d: %w", id, err)
	}
	return rec.followup(id), true, nil
}

// allFollowups returns every follow-up, by ID.
func allFollowups(tx *bolt.Tx) ([]Followup, error) {
	var out []Followup
	err := tx.Bucket(bucketFollowups).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec followupRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode followup %d: %w", id, err)
		}
		out = append(out, rec.followup(id))
		return nil
	})
	return out, err
}

// putFollowup writes follow-up id (new or replaced) and keeps
// followups_by_due in step: it holds exactly the open follow-ups, so a
// replaced record's old entry goes first.
func putFollowup(tx *bolt.Tx, id uint64, rec followupRecord) error {
	b, idx := tx.Bucket(bucketFollowups), tx.Bucket(bucketFollowupsByDue)
	if v := b.Get(idKey(id)); v != nil {
		var old followupRecord
		if err := decodeValue(v, &old); err != nil {
			return fmt.Errorf("decode followup %d: %w", id, err)
		}
		if old.Status == string(FollowupOpen) {
			if err := idx.Delete(timeIDKey(old.Due, id)); err != nil {
				return err
			}
		}
	}
	if err := putValue(b, idKey(id), rec); err != nil {
		return err
	}
	if rec.Status == string(FollowupOpen) {
		return idx.Put(timeIDKey(rec.Due, id), emptyValue)
	}
	return nil
}

// checkFollowupIndexes reports the first difference between the open
// follow-ups and followups_by_due (for Check).
func checkFollowupIndexes(tx *bolt.Tx) error {
	idx := tx.Bucket(bucketFollowupsByDue)
	open := 0
	err := tx.Bucket(bucketFollowups).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec followupRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode followup %d: %w", id, err)
		}
		if rec.Status != string(FollowupOpen) {
			return nil
		}
		open++
		return checkIndexEntry(idx, "followups_by_due", timeIDKey(rec.Due, id), emptyValue, fmt.Sprintf("followup %d", id))
	})
	if err != nil {
		return err
	}
	return checkIndexSize(idx, "followups_by_due", open)
}
