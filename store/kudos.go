package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
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
	Channel   string    // where it was given (or posted: FinishKudosPost); empty for the modal or a DM
	MessageTS string    // ts of the message it was given on or for, or of the bot's post (FinishKudosPost)
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

// checkKudos validates what the indexes rely on: a time they can hold,
// and user IDs that keep the per-user keys apart.
func checkKudos(k Kudos) error {
	if err := checkIndexable(k.At); err != nil {
		return fmt.Errorf("at: %w", err)
	}
	if err := checkUserID(k.Giver); err != nil {
		return fmt.Errorf("giver: %w", err)
	}
	for _, r := range k.Receivers {
		if err := checkUserID(r); err != nil {
			return fmt.Errorf("receivers: %w", err)
		}
	}
	return nil
}

// AddKudos stores k under a new ID (k.ID is ignored) and returns the
// stored copy: ID set, At in UTC (now if k.At is zero), empty slices nil.
// At must be between 1970 and 2262, since kudos are indexed by time.
// AddKudos checks no allowance: the bot uses GiveKudos.
func (db *DB) AddKudos(k Kudos) (Kudos, error) {
	k.At = orNow(k.At, db.now)
	if err := checkKudos(k); err != nil {
		return Kudos{}, fmt.Errorf("store: add kudos: %w", err)
	}
	rec := newKudosRecord(k)
	var id uint64
	err := db.update(func(tx kvTx) error {
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

// Allowance is a giver's daily allowance: at most Limit recipients
// thanked in [From, To), the giver's own day in their own zone. A kudos
// to three people uses three. Limit 0 means unlimited.
type Allowance struct {
	Limit    int
	From, To time.Time
}

// AllowanceError is returned (wrapped, and wrapping ErrAllowanceExceeded)
// when a kudos would take its giver past the allowance; nothing is stored.
// Used is how many recipients the giver already thanked in the window,
// Wanted how many the refused kudos thanks.
type AllowanceError struct {
	Limit, Used, Wanted int
}

func (e *AllowanceError) Error() string {
	return fmt.Sprintf("%v: %d of %d used, %d more wanted", ErrAllowanceExceeded, e.Used, e.Limit, e.Wanted)
}

// Unwrap makes errors.Is(err, ErrAllowanceExceeded) true.
func (e *AllowanceError) Unwrap() error { return ErrAllowanceExceeded }

// GiveKudos atomically checks k.Giver's allowance and stores k, the way
// /kudos does: each distinct receiver counts one against a.Limit, and
// what counts as used is the receivers of the kudos given by k.Giver with
// At in [a.From, a.To), private ones included. It returns the stored
// kudos (as AddKudos does) and how many recipients the giver may still
// thank in the window (-1 when a.Limit is 0, unlimited).
//
// Over the limit, nothing is stored and the error wraps an
// *AllowanceError (and so ErrAllowanceExceeded). k needs a Giver and at
// least one receiver; with a limit, k.At (now if zero) must lie in
// [a.From, a.To).
//
// effects (nil for none) are what the kudos causes: the pairs it puts in
// touch and the messages it sends. They are written in the same
// transaction as the kudos, so there is either the kudos with every
// message queued, or nothing. effects gets the kudos as stored (its ID
// names the outbox keys) and must be pure: it may run more than once, and
// inside the transaction. An invalid effect fails the call, nothing
// stored. A refused kudos has no effects.
//
// Concurrent calls share commits (bbolt's Batch): under load many givers
// cost one disk sync, at the price of up to 2 ms (batchDelay) of latency for a lone
// call. Calls by one giver are serialised, so the limit holds however many
// race.
func (db *DB) GiveKudos(k Kudos, a Allowance, effects func(Kudos) Effects) (Kudos, int, error) {
	k.At = orNow(k.At, db.now)
	g, err := newGift(k, a)
	if err != nil {
		return Kudos{}, 0, fmt.Errorf("store: give kudos: %w", err)
	}
	g.effects, g.now = effects, db.now().UTC()
	if err := db.batch(g.give); err != nil {
		return Kudos{}, 0, fmt.Errorf("store: give kudos: %w", err)
	}
	return g.result()
}

// gift is one GiveKudos: its checked input, and what its transaction
// function found on its last run.
type gift struct {
	rec    kudosRecord
	a      Allowance
	wanted int // distinct receivers

	effects func(Kudos) Effects // nil: none
	now     time.Time           // when the effects are queued

	id   uint64 // 0: refused
	used int
}

func newGift(k Kudos, a Allowance) (*gift, error) {
	if err := checkKudos(k); err != nil {
		return nil, err
	}
	g := &gift{rec: newKudosRecord(k), a: a, wanted: len(distinctStrings(k.Receivers))}
	switch {
	case k.Giver == "":
		return nil, errors.New("no giver")
	case g.wanted == 0:
		return nil, errors.New("no receivers")
	case a.Limit < 0:
		return nil, fmt.Errorf("allowance limit %d: must be 0 (unlimited) or more", a.Limit)
	case a.Limit > 0 && (k.At.Before(a.From) || !k.At.Before(a.To)):
		return nil, fmt.Errorf("at %s is outside the allowance window [%s, %s)",
			k.At.Format(time.RFC3339Nano), a.From.UTC().Format(time.RFC3339Nano), a.To.UTC().Format(time.RFC3339Nano))
	}
	return g, nil
}

// give is the transaction function GiveKudos hands to Batch. Batch may run
// it more than once (when another call in the same batch fails, the batch
// is rolled back and run again without it), so it sets its results afresh
// on every run and keeps nothing else. A refusal is a result, not an
// error: returning an error would roll back and re-run everybody else's
// kudos in the batch.
func (g *gift) give(tx kvTx) error {
	g.id, g.used = 0, 0
	if g.a.Limit > 0 {
		used, err := givenCount(tx, g.rec.Giver, g.a.From, g.a.To)
		if err != nil {
			return err
		}
		g.used = used
		if used+g.wanted > g.a.Limit {
			return nil
		}
	}
	id, err := tx.Bucket(bucketKudos).NextSequence()
	if err != nil {
		return err
	}
	if err := putKudos(tx, id, g.rec); err != nil {
		return err
	}
	if g.effects != nil {
		c, err := g.effects(g.rec.kudos(id)).check(g.now)
		if err != nil {
			return fmt.Errorf("effects of kudos %d: %w", id, err)
		}
		if err := c.apply(tx); err != nil {
			return fmt.Errorf("effects of kudos %d: %w", id, err)
		}
	}
	g.id = id
	return nil
}

// result is GiveKudos' answer once the transaction committed.
func (g *gift) result() (Kudos, int, error) {
	if g.id == 0 {
		return Kudos{}, 0, fmt.Errorf("store: give kudos: %w", &AllowanceError{Limit: g.a.Limit, Used: g.used, Wanted: g.wanted})
	}
	remaining := -1
	if g.a.Limit > 0 {
		remaining = g.a.Limit - g.used - g.wanted
	}
	return g.rec.kudos(g.id), remaining, nil
}

// KudosGivenCount returns how many recipients giver thanked with the
// kudos given in [from, to), private ones included: the allowance's
// measure (a kudos to three people counts three). It reads only giver's
// range of kudos_by_giver.
func (db *DB) KudosGivenCount(giver string, from, to time.Time) (int, error) {
	var n int
	err := db.view(func(tx kvTx) error {
		var err error
		n, err = givenCount(tx, giver, from, to)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: kudos given by %s: %w", giver, err)
	}
	return n, nil
}

// givenCount sums the receivers of giver's kudos in [from, to).
func givenCount(tx kvTx, giver string, from, to time.Time) (int, error) {
	if err := checkUserID(giver); err != nil {
		return 0, err
	}
	n := 0
	err := scanTimeRange(tx.Bucket(bucketKudosByGiver).Cursor(), userPrefix(giver), from, to, func(k, v []byte) error {
		c, err := parseGiverIndexValue(v)
		n += c
		return err
	})
	return n, err
}

// KudosReceived returns the kudos user received, newest first (equal
// times by descending ID), at most limit of them (limit <= 0: all). It
// includes private kudos: the caller decides who may see them. It reads
// user's range of kudos_by_receiver backwards, and one record per kudos
// returned.
func (db *DB) KudosReceived(user string, limit int) ([]Kudos, error) {
	var out []Kudos
	err := db.view(func(tx kvTx) error {
		if err := checkUserID(user); err != nil {
			return err
		}
		b := tx.Bucket(bucketKudos)
		prefix := userPrefix(user)
		c := tx.Bucket(bucketKudosByReceiver).Cursor()
		// Every key of user is below user ‖ 0x01: seek there, step back.
		k, _ := c.Seek(append(bytes.Clone(prefix[:len(prefix)-1]), 1))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			_, _, id, err := parseUserTimeIDKey(k)
			if err != nil {
				return err
			}
			kd, ok, err := getKudos(b, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("kudos_by_receiver points at missing kudos %d", id)
			}
			out = append(out, kd)
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: kudos received by %s: %w", user, err)
	}
	return out, nil
}

// KudosReceivedCount returns how many kudos user received in [from, to);
// private ones only if includePrivate. It reads only user's range of
// kudos_by_receiver.
func (db *DB) KudosReceivedCount(user string, from, to time.Time, includePrivate bool) (int, error) {
	n := 0
	err := db.view(func(tx kvTx) error {
		if err := checkUserID(user); err != nil {
			return err
		}
		return scanTimeRange(tx.Bucket(bucketKudosByReceiver).Cursor(), userPrefix(user), from, to, func(k, v []byte) error {
			if len(v) != 1 {
				return fmt.Errorf("kudos_by_receiver value %x of %x: want 1 byte", v, k)
			}
			if includePrivate || v[0]&kudosFlagPrivate == 0 {
				n++
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store: kudos received by %s: %w", user, err)
	}
	return n, nil
}

// SetKudosMessage records where the bot's public post of kudos id landed
// (its Channel and MessageTS), so the post can be linked to and updated
// later. It returns an error wrapping ErrNotFound if there is no such
// kudos.
func (db *DB) SetKudosMessage(id uint64, channel, ts string) error {
	err := db.update(func(tx kvTx) error {
		v := tx.Bucket(bucketKudos).Get(idKey(id))
		if v == nil {
			return ErrNotFound
		}
		var rec kudosRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode kudos %d: %w", id, err)
		}
		rec.Channel, rec.MessageTS = channel, ts
		return putKudos(tx, id, rec)
	})
	if err != nil {
		return fmt.Errorf("store: set kudos %d message: %w", id, err)
	}
	return nil
}

// FinishKudosPost records that outbox item id, the public post of kudos
// kudosID, was sent as the message ts in channel: the item becomes sent
// and the kudos points at its post (as SetKudosMessage), in one
// transaction, so that a crash cannot leave a post the kudos does not know
// (the DMs link to it, a forget-me edits it). With ts "" (posted through a
// response_url, which tells no ts) or the kudos gone, only the item is
// finished. The error wraps ErrConflict if the item is not being sent,
// ErrNotFound if there is no such item.
func (db *DB) FinishKudosPost(id, kudosID uint64, channel, ts string, now time.Time) error {
	err := db.update(func(tx kvTx) error {
		if err := settleOutgoingTx(tx, id, func(rec *outgoingRecord) error {
			if rec.State != string(OutboxSending) {
				return fmt.Errorf("%w: it is %s", ErrConflict, rec.State)
			}
			rec.State, rec.SentTS, rec.Updated = string(OutboxSent), ts, now.UTC()
			return nil
		}); err != nil {
			return err
		}
		v := tx.Bucket(bucketKudos).Get(idKey(kudosID))
		if ts == "" || v == nil {
			return nil
		}
		var rec kudosRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode kudos %d: %w", kudosID, err)
		}
		rec.Channel, rec.MessageTS = channel, ts
		return putKudos(tx, kudosID, rec)
	})
	if err != nil {
		return fmt.Errorf("store: finish kudos %d post (outgoing %d): %w", kudosID, id, err)
	}
	return nil
}

// FailKudosPost gives up outbox item id, a kudos's public post, for
// reason (as FailOutgoing) and commits e, the note that tells the giver,
// in the same transaction: a crash cannot leave a failed post nobody
// hears about. The error wraps ErrConflict if the item is already sent or
// failed, ErrNotFound if there is no such item.
func (db *DB) FailKudosPost(id uint64, reason string, now time.Time, e Effects) error {
	c, err := e.check(now.UTC())
	if err != nil {
		return fmt.Errorf("store: fail kudos post (outgoing %d): %w", id, err)
	}
	err = db.update(func(tx kvTx) error {
		if err := settleOutgoingTx(tx, id, func(rec *outgoingRecord) error {
			if rec.State != string(OutboxPending) && rec.State != string(OutboxSending) {
				return fmt.Errorf("%w: it is %s", ErrConflict, rec.State)
			}
			rec.State, rec.LastError, rec.Updated = string(OutboxFailed), reason, now.UTC()
			return nil
		}); err != nil {
			return err
		}
		return c.apply(tx)
	})
	if err != nil {
		return fmt.Errorf("store: fail kudos post (outgoing %d): %w", id, err)
	}
	return nil
}

// settleOutgoingTx is the read-modify-write of outbox item id in tx.
func settleOutgoingTx(tx kvTx, id uint64, f func(rec *outgoingRecord) error) error {
	rec, ok, err := getOutgoing(tx.Bucket(bucketOutbox), id)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	if err := f(&rec); err != nil {
		return err
	}
	return putOutgoing(tx, id, rec)
}

// KudosByID returns the kudos id, or an error wrapping ErrNotFound.
func (db *DB) KudosByID(id uint64) (Kudos, error) {
	var k Kudos
	err := db.view(func(tx kvTx) error {
		v := tx.Bucket(bucketKudos).Get(idKey(id))
		if v == nil {
			return ErrNotFound
		}
		var rec kudosRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		k = rec.kudos(id)
		return nil
	})
	if err != nil {
		return Kudos{}, fmt.Errorf("store: get kudos %d: %w", id, err)
	}
	return k, nil
}

// Tally is one line of a leaderboard: a user ID or a value, and its count.
type Tally struct {
	Key   string
	Count int
}

// KudosStats is a leaderboard of public kudos over a period.
type KudosStats struct {
	Total     int     // public kudos given in the period
	Receivers []Tally // times each person was recognised: one per kudos
	Givers    []Tally // people each giver thanked: a kudos to three counts three
	Values    []Tally // uses of each value: one per kudos
}

// KudosStats aggregates the PUBLIC kudos with At in [from, to): private
// kudos are never counted, anywhere. Each list is sorted by Count
// descending, then Key ascending; top > 0 keeps only the first top
// entries of each list, top <= 0 keeps all.
//
// It reads only that range of kudos_by_time, whose values summarise each
// kudos, so a week of a large workspace takes milliseconds.
func (db *DB) KudosStats(from, to time.Time, top int) (KudosStats, error) {
	var st KudosStats
	var receivers, givers, values tallies
	err := db.view(func(tx kvTx) error {
		var s kudosSummary
		return scanTimeRange(tx.Bucket(bucketKudosByTime).Cursor(), nil, from, to, func(k, v []byte) error {
			if err := s.parse(v); err != nil {
				return fmt.Errorf("kudos_by_time %x: %w", k, err)
			}
			if s.private {
				return nil
			}
			st.Total++
			for _, r := range s.receivers {
				receivers.add(r, 1)
			}
			if len(s.receivers) > 0 {
				givers.add(s.giver, len(s.receivers))
			}
			for _, val := range s.values {
				values.add(val, 1)
			}
			return nil
		})
	})
	if err != nil {
		return KudosStats{}, fmt.Errorf("store: kudos stats %s to %s: %w", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), err)
	}
	st.Receivers, st.Givers, st.Values = receivers.ranked(top), givers.ranked(top), values.ranked(top)
	return st, nil
}

// tallies counts by key. Looking a []byte key up as string(b) does not
// allocate, so a key is copied once, when first seen (which also keeps
// bbolt's memory out of the result).
type tallies struct {
	index map[string]int // key -> position in list
	list  []Tally
}

func (t *tallies) add(key []byte, n int) {
	if i, ok := t.index[string(key)]; ok {
		t.list[i].Count += n
		return
	}
	if t.index == nil {
		t.index = make(map[string]int)
	}
	k := string(key)
	t.index[k] = len(t.list)
	t.list = append(t.list, Tally{Key: k, Count: n})
}

// ranked sorts by Count descending, then Key, and keeps the first top.
func (t *tallies) ranked(top int) []Tally {
	slices.SortFunc(t.list, func(a, b Tally) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key, b.Key)
	})
	if top > 0 && len(t.list) > top {
		return slices.Clip(t.list[:top])
	}
	return t.list
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
	err := db.view(func(tx kvTx) error {
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
func getKudos(b kvBucket, id uint64) (Kudos, bool, error) {
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
func allKudos(tx kvTx) ([]Kudos, error) {
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

// putKudos writes kudos id (new or replaced) and keeps its index entries
// in step: a replaced record's entries go first, since its time, giver or
// receivers may have changed.
func putKudos(tx kvTx, id uint64, rec kudosRecord) error {
	b := tx.Bucket(bucketKudos)
	if v := b.Get(idKey(id)); v != nil {
		var old kudosRecord
		if err := decodeValue(v, &old); err != nil {
			return fmt.Errorf("decode kudos %d: %w", id, err)
		}
		if err := deleteKudosIndexes(tx, id, old); err != nil {
			return err
		}
	}
	if err := putValue(b, idKey(id), rec); err != nil {
		return err
	}
	return putKudosIndexes(tx, id, rec)
}

// kudosFlagValues are the two possible kudos_by_receiver values, shared:
// bbolt never modifies a value it is given.
var kudosFlagValues = [2][]byte{{0}, {kudosFlagPrivate}}

// kudosIndexEntries lists the index entries of kudos id: one in
// kudos_by_time, one in kudos_by_giver, one in kudos_by_receiver per
// distinct receiver.
func kudosIndexEntries(id uint64, rec kudosRecord) []indexEntry {
	receivers := distinctStrings(rec.Receivers)
	out := make([]indexEntry, 0, 2+len(receivers))
	out = append(out,
		indexEntry{bucketKudosByTime, timeIDKey(rec.At, id), appendKudosSummaryV1(nil, rec.Giver, rec.Receivers, rec.Values, rec.Private)},
		indexEntry{bucketKudosByGiver, userTimeIDKey(rec.Giver, rec.At, id), giverIndexValue(rec.Receivers)},
	)
	for _, r := range receivers {
		out = append(out, indexEntry{bucketKudosByReceiver, userTimeIDKey(r, rec.At, id), kudosFlagValues[kudosFlags(rec.Private)]})
	}
	return out
}

func putKudosIndexes(tx kvTx, id uint64, rec kudosRecord) error {
	for _, e := range kudosIndexEntries(id, rec) {
		if err := tx.Bucket(e.bucket).Put(e.key, e.value); err != nil {
			return err
		}
	}
	return nil
}

func deleteKudosIndexes(tx kvTx, id uint64, rec kudosRecord) error {
	for _, e := range kudosIndexEntries(id, rec) {
		if err := tx.Bucket(e.bucket).Delete(e.key); err != nil {
			return err
		}
	}
	return nil
}

// checkKudosIndexes reports the first difference between the kudos and
// their three indexes (for Check).
func checkKudosIndexes(tx kvTx) error {
	want := map[string]int{}
	err := tx.Bucket(bucketKudos).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec kudosRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode kudos %d: %w", id, err)
		}
		for _, e := range kudosIndexEntries(id, rec) {
			if err := checkIndexEntry(tx.Bucket(e.bucket), string(e.bucket), e.key, e.value, fmt.Sprintf("kudos %d", id)); err != nil {
				return err
			}
			want[string(e.bucket)]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bucketKudosByTime, bucketKudosByGiver, bucketKudosByReceiver} {
		if err := checkIndexSize(tx.Bucket(name), string(name), want[string(name)]); err != nil {
			return err
		}
	}
	return nil
}
