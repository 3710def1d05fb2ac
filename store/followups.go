package store

import (
	"bytes"
	"fmt"
	"time"
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
// Due (/followup). Counterpart is empty for a follow-up to oneself.
//
// Rapport acts on an open follow-up at NextAt: the reminder at Due, then
// nudges that back off while it is overdue, then one question whether to
// keep it (AskedAt), or whenever the owner snoozed it to.
// The bot decides what to do and sets NextAt to the next time (zero: no
// more); the store only keeps NextAt indexed, for FollowupsDue.
//
// Two rules hold for every stored follow-up, and the store enforces them
// by clearing the field: a follow-up that is done or dropped has nothing
// scheduled (NextAt zero), and an open one has no DoneAt.
type Followup struct {
	ID          uint64         // assigned by AddFollowup
	Owner       string         // Slack user ID of who must follow up
	Counterpart string         // Slack user ID, or empty for oneself
	Text        string         // what, as written by the owner (Slack-escaped)
	Due         time.Time      // when it should be done by
	Created     time.Time      // when it was recorded
	Status      FollowupStatus // open, done or dropped
	DoneAt      time.Time      // when it was marked done or dropped; zero while open
	Note        string         // optional note sent with done or drop
	Link        string         // permalink of the message it is about (message shortcut), or empty
	Channel     string         // channel where it was made
	NextAt      time.Time      // when Rapport should next act on it; zero when nothing is scheduled
	Reminded    bool           // the reminder at Due was sent
	Nudges      int            // overdue nudges sent
	LastNudge   time.Time      // when the last nudge was sent; zero if none
	// AskedAt is when the owner was asked, once, whether to keep, re-date
	// or drop the overdue follow-up; the nudges stop from then until the
	// owner acts on it. Zero if not asked. Optional field, no migration.
	AskedAt time.Time
}

// followupRecord is the stored value of followups; the id is the key.
// Fields from Note on are new in schema v5 and optional.
type followupRecord struct {
	Owner       string    `json:"owner"`
	Counterpart string    `json:"counterpart,omitempty"`
	Text        string    `json:"text,omitempty"`
	Due         time.Time `json:"due"`
	Created     time.Time `json:"created"`
	Status      string    `json:"status"`
	DoneAt      time.Time `json:"done_at,omitzero"`
	Note        string    `json:"note,omitempty"`
	Link        string    `json:"link,omitempty"`
	Channel     string    `json:"channel,omitempty"`
	NextAt      time.Time `json:"next_at,omitzero"`
	Reminded    bool      `json:"reminded,omitempty"`
	Nudges      int       `json:"nudges,omitempty"`
	LastNudge   time.Time `json:"last_nudge,omitzero"`
	AskedAt     time.Time `json:"asked_at,omitzero"`
}

func (r followupRecord) followup(id uint64) Followup {
	return Followup{
		ID: id, Owner: r.Owner, Counterpart: r.Counterpart, Text: r.Text,
		Due: utc(r.Due), Created: utc(r.Created), Status: FollowupStatus(r.Status), DoneAt: utc(r.DoneAt),
		Note: r.Note, Link: r.Link, Channel: r.Channel,
		NextAt: utc(r.NextAt), Reminded: r.Reminded, Nudges: r.Nudges, LastNudge: utc(r.LastNudge),
		AskedAt: utc(r.AskedAt),
	}
}

// newFollowupRecord is f as stored, the two rules of Followup applied:
// a closed follow-up loses its NextAt, an open one its DoneAt.
func newFollowupRecord(f Followup) followupRecord {
	if f.Status == FollowupOpen {
		f.DoneAt = time.Time{}
	} else {
		f.NextAt = time.Time{}
	}
	return followupRecord{
		Owner: f.Owner, Counterpart: f.Counterpart, Text: f.Text,
		Due: utc(f.Due), Created: utc(f.Created), Status: string(f.Status), DoneAt: utc(f.DoneAt),
		Note: f.Note, Link: f.Link, Channel: f.Channel,
		NextAt: utc(f.NextAt), Reminded: f.Reminded, Nudges: f.Nudges, LastNudge: utc(f.LastNudge),
		AskedAt: utc(f.AskedAt),
	}
}

// checkFollowup validates what the store relies on: a known status, user
// IDs that keep the per-user index keys apart, a count that is not
// negative, and, for an open follow-up, a Due and a NextAt (unless zero)
// between 1970 and 2262. It returns the field at fault, as Import names
// it, with the error.
func checkFollowup(f Followup) (string, error) {
	if !f.Status.valid() {
		return "status", fmt.Errorf("must be open, done or dropped (got %q)", f.Status)
	}
	if err := checkUserID(f.Owner); err != nil {
		return "owner", err
	}
	if err := checkUserID(f.Counterpart); err != nil {
		return "counterpart", err
	}
	if f.Nudges < 0 {
		return "nudges", fmt.Errorf("must be 0 or more (got %d)", f.Nudges)
	}
	if f.Status == FollowupOpen {
		if err := checkIndexable(f.Due); err != nil {
			return "due", err
		}
		if !f.NextAt.IsZero() {
			if err := checkIndexable(f.NextAt); err != nil {
				return "next_at", err
			}
		}
	}
	return "", nil
}

// followupError is checkFollowup's answer as one error, or nil.
func followupError(f Followup) error {
	if field, err := checkFollowup(f); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// AddFollowup stores f under a new ID (f.ID is ignored) and returns the
// stored copy: times in UTC, and the rules of Followup applied. An empty
// Status means open; Created defaults to now; an open follow-up's NextAt
// defaults to Due (the reminder). An open follow-up needs a Due, and its
// NextAt, between 1970 and 2262 (they are indexed); Owner and Counterpart
// must not contain a NUL byte, and Nudges must not be negative.
//
// effects (nil: none) are what making it causes, given the stored copy
// (outbox keys name its ID); they commit in the same transaction, so a
// follow-up is never stored without them, nor they without it. effects
// runs inside the transaction, perhaps more than once: it must only
// build values (no I/O, no store calls).
func (db *DB) AddFollowup(f Followup, effects func(f Followup) Effects) (Followup, error) {
	if f.Status == "" {
		f.Status = FollowupOpen
	}
	f.Created = orNow(f.Created, db.now)
	if f.Status == FollowupOpen && f.NextAt.IsZero() {
		f.NextAt = f.Due
	}
	if err := followupError(f); err != nil {
		return Followup{}, fmt.Errorf("store: add followup: %w", err)
	}
	rec := newFollowupRecord(f)
	now := db.now().UTC()
	var id uint64
	err := db.update(func(tx kvTx) error {
		var err error
		if id, err = tx.Bucket(bucketFollowups).NextSequence(); err != nil {
			return err
		}
		if err := putFollowup(tx, id, rec); err != nil {
			return err
		}
		return writeActionEffects(tx, now, rec.followup(id), effects)
	})
	if err != nil {
		return Followup{}, fmt.Errorf("store: add followup: %w", err)
	}
	return rec.followup(id), nil
}

// writeActionEffects checks effects(rec) and writes them in tx, the
// transaction that writes rec: a bad effect rolls the record back too.
func writeActionEffects[T any](tx kvTx, now time.Time, rec T, effects func(T) Effects) error {
	if effects == nil {
		return nil
	}
	c, err := effects(rec).check(now)
	if err != nil {
		return err
	}
	return c.apply(tx)
}

// UpdateFollowup reads follow-up id, lets f change it and stores the
// result, all in one transaction, and returns the stored copy (the rules
// of Followup applied: closing a follow-up clears its NextAt). Every
// index follows: done or dropped leaves followups_by_next, a new NextAt
// (a snooze, the next nudge) moves its entry there, a new Owner or
// Counterpart moves it between users. f cannot change ID.
//
// NextAt is the caller's to set: moving Due does not move NextAt, and
// reopening a follow-up schedules nothing until NextAt is set. The
// checks are those of AddFollowup, but nothing is defaulted: Status must
// be set.
//
// If there is no such follow-up, the error wraps ErrNotFound and f is not
// called. If f returns an error, or the result cannot be stored, nothing
// is written and the error comes back wrapped (errors.Is sees it). f runs
// inside the write transaction, which blocks every other writer: it must
// only decide and set fields (no Slack calls, no store calls, which would
// deadlock).
//
// effects (nil: none) are what the change causes, given the stored copy;
// they commit in the same transaction, under the same rules as
// AddFollowup's. f decides whether there is anything to cause: effects
// may return none.
func (db *DB) UpdateFollowup(id uint64, f func(fu *Followup) error, effects func(fu Followup) Effects) (Followup, error) {
	var rec followupRecord
	now := db.now().UTC()
	err := db.update(func(tx kvTx) error {
		fu, ok, err := getFollowup(tx.Bucket(bucketFollowups), id)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		if err := f(&fu); err != nil {
			return err
		}
		fu.ID = id
		if err := followupError(fu); err != nil {
			return err
		}
		rec = newFollowupRecord(fu)
		if err := putFollowup(tx, id, rec); err != nil {
			return err
		}
		return writeActionEffects(tx, now, rec.followup(id), effects)
	})
	if err != nil {
		return Followup{}, fmt.Errorf("store: update followup %d: %w", id, err)
	}
	return rec.followup(id), nil
}

// UpdateFollowups applies f to each of the follow-ups ids in one
// transaction, so that they all change or none does: a crash between two
// of them would otherwise leave a batch half recorded (the tick's one DM
// about several items, for instance, would be rebuilt about fewer of them
// and sent again). If one is missing, the error wraps ErrNotFound and
// nothing changes. effects are committed in the same transaction (the
// tick's DM about them, say), checked before it starts.
func (db *DB) UpdateFollowups(ids []uint64, f func(fu *Followup) error, effects Effects) error {
	c, err := effects.check(db.now().UTC())
	if err != nil {
		return fmt.Errorf("store: update followups: %w", err)
	}
	err = db.update(func(tx kvTx) error {
		for _, id := range ids {
			fu, ok, err := getFollowup(tx.Bucket(bucketFollowups), id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("followup %d: %w", id, ErrNotFound)
			}
			if err := f(&fu); err != nil {
				return err
			}
			fu.ID = id
			if err := followupError(fu); err != nil {
				return fmt.Errorf("followup %d: %w", id, err)
			}
			if err := putFollowup(tx, id, newFollowupRecord(fu)); err != nil {
				return err
			}
		}
		return c.apply(tx)
	})
	if err != nil {
		return fmt.Errorf("store: update followups: %w", err)
	}
	return nil
}

// DeleteFollowup removes follow-up id and its index entries (the "Undo"
// right after /followup made it), and returns it as it was. Its id is not
// reused. If there is no such follow-up, the error wraps ErrNotFound.
//
// In the same transaction it withdraws the outbox item keyed withdraw
// (the note making it queued; "" for none): still pending, it is failed
// and never sent. Then effects (nil: none) gets the follow-up and the
// state that item was in before (OutboxPending: withdrawn now; "" if
// there is no such item), and returns what the undo causes, or an error
// that refuses it (not the owner, say): then nothing is written and the
// error comes back wrapped. effects runs inside the transaction, perhaps
// more than once: it must only decide and build values.
func (db *DB) DeleteFollowup(id uint64, withdraw string, effects func(f Followup, withdrawn OutboxState) (Effects, error)) (Followup, error) {
	now := db.now().UTC()
	var f Followup
	err := db.update(func(tx kvTx) error {
		b := tx.Bucket(bucketFollowups)
		v := b.Get(idKey(id))
		if v == nil {
			return ErrNotFound
		}
		var rec followupRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode followup %d: %w", id, err)
		}
		f = rec.followup(id)
		var state OutboxState
		if withdraw != "" {
			var err error
			if state, err = withdrawOutgoingTx(tx, withdraw, "withdrawn: what it was about was undone", now); err != nil {
				return err
			}
		}
		if effects != nil {
			e, err := effects(f, state)
			if err != nil {
				return err
			}
			c, err := e.check(now)
			if err != nil {
				return err
			}
			if err := c.apply(tx); err != nil {
				return err
			}
		}
		for _, e := range followupIndexEntries(id, rec) {
			if err := tx.Bucket(e.bucket).Delete(e.key); err != nil {
				return err
			}
		}
		return b.Delete(idKey(id))
	})
	if err != nil {
		return Followup{}, fmt.Errorf("store: delete followup %d: %w", id, err)
	}
	return f, nil
}

// withdrawOutgoingTx fails the outbox item keyed key, in tx, if it is
// still pending, so that it is never sent, and returns the state it was
// in before ("" if there is no such item). An item being sent, sent or
// failed is left alone.
func withdrawOutgoingTx(tx kvTx, key, reason string, now time.Time) (OutboxState, error) {
	v := tx.Bucket(bucketOutboxKeys).Get([]byte(key))
	if v == nil {
		return "", nil
	}
	oid, err := parseIDKey(v)
	if err != nil {
		return "", fmt.Errorf("outbox_keys value: %w", err)
	}
	rec, ok, err := getOutgoing(tx.Bucket(bucketOutbox), oid)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("outbox_keys points at missing item %d", oid)
	}
	was := OutboxState(rec.State)
	if was != OutboxPending {
		return was, nil
	}
	rec.State, rec.LastError, rec.Updated = string(OutboxFailed), reason, now
	if err := putOutgoing(tx, oid, rec); err != nil {
		return "", err
	}
	return was, nil
}

// Followup returns the follow-up with the given ID, or an error wrapping
// ErrNotFound.
func (db *DB) Followup(id uint64) (Followup, error) {
	var f Followup
	err := db.view(func(tx kvTx) error {
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
	err := db.view(func(tx kvTx) error {
		var err error
		out, err = allFollowups(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list followups: %w", err)
	}
	return out, nil
}

// FollowupsDue returns the open follow-ups whose NextAt is at or before
// now, by NextAt then ID, at most limit of them (limit <= 0: all). Open
// follow-ups with nothing scheduled (NextAt zero) are never due. It reads
// followups_by_next from its start up to now, and one record per
// follow-up returned, so its cost follows the follow-ups due, not those
// stored.
func (db *DB) FollowupsDue(now time.Time, limit int) ([]Followup, error) {
	var out []Followup
	if now.Before(minIndexTime) {
		return out, nil
	}
	// Keys of follow-ups due at or before now are below be64(now + 1ns).
	end := be64(timeNanos(now) + 1)
	err := db.view(func(tx kvTx) error {
		b := tx.Bucket(bucketFollowups)
		c := tx.Bucket(bucketFollowupsByNext).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			_, id, err := parseTimeIDKey(k)
			if err != nil {
				return err
			}
			f, ok, err := getFollowup(b, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("followups_by_next points at missing followup %d", id)
			}
			out = append(out, f)
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: followups due at %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	return out, nil
}

// FollowupsOwnedBy returns the follow-ups whose Owner is owner, whatever
// their status, by ID. It reads owner's range of followups_by_owner and
// their records.
func (db *DB) FollowupsOwnedBy(owner string) ([]Followup, error) {
	out, err := db.followupsOf(bucketFollowupsByOwner, owner)
	if err != nil {
		return nil, fmt.Errorf("store: followups owned by %s: %w", owner, err)
	}
	return out, nil
}

// FollowupsOwedTo returns the follow-ups whose Counterpart is user,
// whatever their status, by ID; none for an empty user (follow-ups to
// oneself are found by owner). It reads user's range of
// followups_by_counterpart and their records.
func (db *DB) FollowupsOwedTo(user string) ([]Followup, error) {
	if user == "" {
		return nil, nil
	}
	out, err := db.followupsOf(bucketFollowupsByCounterpart, user)
	if err != nil {
		return nil, fmt.Errorf("store: followups owed to %s: %w", user, err)
	}
	return out, nil
}

// followupsOf reads user's range of a per-user follow-up index (bucket
// idx) and the records it points at.
func (db *DB) followupsOf(idx []byte, user string) ([]Followup, error) {
	if err := checkUserID(user); err != nil {
		return nil, err
	}
	var out []Followup
	err := db.view(func(tx kvTx) error {
		b := tx.Bucket(bucketFollowups)
		prefix := userPrefix(user)
		c := tx.Bucket(idx).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			_, id, err := parseUserIDKey(k)
			if err != nil {
				return err
			}
			f, ok, err := getFollowup(b, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%s points at missing followup %d", idx, id)
			}
			out = append(out, f)
		}
		return nil
	})
	return out, err
}

// getFollowup reads follow-up id from b (the followups bucket).
func getFollowup(b kvBucket, id uint64) (Followup, bool, error) {
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
func allFollowups(tx kvTx) ([]Followup, error) {
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

// followupIndexEntries lists the index entries of follow-up id: one in
// followups_by_next if it is open and has a NextAt, one in
// followups_by_owner, one in followups_by_counterpart if it has a
// Counterpart.
func followupIndexEntries(id uint64, rec followupRecord) []indexEntry {
	out := make([]indexEntry, 0, 3)
	if rec.Status == string(FollowupOpen) && !rec.NextAt.IsZero() {
		out = append(out, indexEntry{bucketFollowupsByNext, timeIDKey(rec.NextAt, id), emptyValue})
	}
	out = append(out, indexEntry{bucketFollowupsByOwner, userIDKey(rec.Owner, id), emptyValue})
	if rec.Counterpart != "" {
		out = append(out, indexEntry{bucketFollowupsByCounterpart, userIDKey(rec.Counterpart, id), emptyValue})
	}
	return out
}

// putFollowup writes follow-up id (new or replaced) and keeps its index
// entries in step: a replaced record's entries that the new one does not
// have go, the new one's that the old did not have come.
func putFollowup(tx kvTx, id uint64, rec followupRecord) error {
	b := tx.Bucket(bucketFollowups)
	var old []indexEntry
	if v := b.Get(idKey(id)); v != nil {
		var oldRec followupRecord
		if err := decodeValue(v, &oldRec); err != nil {
			return fmt.Errorf("decode followup %d: %w", id, err)
		}
		old = followupIndexEntries(id, oldRec)
	}
	if err := putValue(b, idKey(id), rec); err != nil {
		return err
	}
	entries := followupIndexEntries(id, rec)
	for _, e := range old {
		if !containsEntry(entries, e) {
			if err := tx.Bucket(e.bucket).Delete(e.key); err != nil {
				return err
			}
		}
	}
	for _, e := range entries {
		if !containsEntry(old, e) {
			if err := tx.Bucket(e.bucket).Put(e.key, e.value); err != nil {
				return err
			}
		}
	}
	return nil
}

// containsEntry reports whether entries hold e's bucket and key (index
// values of follow-ups are all empty).
func containsEntry(entries []indexEntry, e indexEntry) bool {
	for _, x := range entries {
		if bytes.Equal(x.bucket, e.bucket) && bytes.Equal(x.key, e.key) {
			return true
		}
	}
	return false
}

// checkFollowupIndexes reports the first difference between the
// follow-ups and their three indexes (for Check).
func checkFollowupIndexes(tx kvTx) error {
	want := map[string]int{}
	err := tx.Bucket(bucketFollowups).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec followupRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode followup %d: %w", id, err)
		}
		for _, e := range followupIndexEntries(id, rec) {
			if err := checkIndexEntry(tx.Bucket(e.bucket), string(e.bucket), e.key, e.value, fmt.Sprintf("followup %d", id)); err != nil {
				return err
			}
			want[string(e.bucket)]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bucketFollowupsByNext, bucketFollowupsByOwner, bucketFollowupsByCounterpart} {
		if err := checkIndexSize(tx.Bucket(name), string(name), want[string(name)]); err != nil {
			return err
		}
	}
	return nil
}
