package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The outbox is the durable queue of messages the bot will send: DMs that
// wait for the recipient's working hours, posts that must survive a crash
// or a Slack outage. The bot enqueues (idempotently, by key), then a
// worker claims each due item, sends it and finishes it:
//
//	pending --Claim--> sending --Finish--> sent
//	   ^                  |
//	   +------Defer-------+
//	pending or sending --Fail--> failed
//
// An item left in sending by a crash is found by StuckOutgoing and
// deferred (sent again) or failed by the bot.

// OutboxState is where an outgoing message stands.
type OutboxState string

// The outbox states. Their strings are stored.
const (
	OutboxPending OutboxState = "pending" // waiting for NotBefore, then a worker
	OutboxSending OutboxState = "sending" // claimed by a worker
	OutboxSent    OutboxState = "sent"    // delivered; SentTS says where
	OutboxFailed  OutboxState = "failed"  // given up; LastError says why
)

// Outgoing is one message queued for delivery. Key makes enqueueing
// idempotent: enqueueing a key that is already queued changes nothing.
type Outgoing struct {
	ID           uint64          // assigned by Enqueue
	Key          string          // unique idempotency key, required, e.g. "kudos:42:dm:U123"
	User         string          // the person it is for; for a DM, the recipient (the bot opens the DM)
	Channel      string          // target channel; "" means a DM to User
	Kind         DMKind          // DM kind for muting and working hours, e.g. DMKudos; "" for channel posts
	Text         string          // fallback text (and the message when there are no blocks)
	Blocks       json.RawMessage // Block Kit blocks, as JSON; nil for none
	ThreadTS     string          // post as a reply in this thread
	NotBefore    time.Time       // not sent before this instant
	RespectHours bool            // only inside User's working hours (the bot decides when)
	State        OutboxState
	Attempts     int       // claims so far
	LastError    string    // why the last attempt was deferred or failed
	SentTS       string    // ts of the sent message
	Expires      time.Time // zero: never; from then on it is pointless to send (see Expired)
	// UpdateTS, when set, makes the item an edit: it replaces Rapport's own
	// message at UpdateTS in the conversation (Channel, or the DM with
	// User) instead of posting a new one. ForgetUser queues these.
	UpdateTS string
	// KudosPost, on an edit, is the kudos whose public post is at
	// UpdateTS: the bot renders the post again from the kudos as stored,
	// and uses Text only when that kudos is gone.
	KudosPost uint64
	// After is the key of an item that must be settled (sent, or given
	// up) before this one goes: a kudos DM that links to the public post
	// waits for the post. "" for none.
	After string
	// Render, when set, names how the bot builds the message at delivery
	// instead of sending Text and Blocks as queued, for a message that
	// shows what is only known then (the link to a post sent just
	// before). The bot owns the names; Text is the fallback.
	Render string
	// ResponseURL is where a channel post goes, visible to the channel,
	// when Slack refuses the bot in that channel (it was not invited): the
	// response_url of the command that caused it. "" for none.
	ResponseURL string
	// ClaimEpoch is the leader's term the item was claimed in (its
	// Epoch; 0 for a single process): a new leader reads back an item
	// claimed in an older term only once that leader's send deadline has
	// passed.
	ClaimEpoch int64
	Created    time.Time
	Updated    time.Time // last change of state
}

// outgoingRecord is the stored value of outbox; the id is the key.
type outgoingRecord struct {
	Key          string          `json:"key"`
	User         string          `json:"user,omitempty"`
	Channel      string          `json:"channel,omitempty"`
	Kind         string          `json:"kind,omitempty"`
	Text         string          `json:"text,omitempty"`
	Blocks       json.RawMessage `json:"blocks,omitempty"`
	ThreadTS     string          `json:"thread_ts,omitempty"`
	NotBefore    time.Time       `json:"not_before"`
	RespectHours bool            `json:"respect_hours,omitempty"`
	State        string          `json:"state"`
	Attempts     int             `json:"attempts,omitempty"`
	LastError    string          `json:"last_error,omitempty"`
	SentTS       string          `json:"sent_ts,omitempty"`
	Expires      time.Time       `json:"expires,omitzero"`       // since v4
	UpdateTS     string          `json:"update_ts,omitempty"`    // optional
	KudosPost    uint64          `json:"kudos_post,omitempty"`   // optional
	After        string          `json:"after,omitempty"`        // optional
	Render       string          `json:"render,omitempty"`       // optional
	ResponseURL  string          `json:"response_url,omitempty"` // optional
	ClaimEpoch   int64           `json:"claim_epoch,omitempty"`  // optional
	Created      time.Time       `json:"created"`
	Updated      time.Time       `json:"updated"`
}

func (r outgoingRecord) outgoing(id uint64) Outgoing {
	return Outgoing{
		ID: id, Key: r.Key, User: r.User, Channel: r.Channel, Kind: DMKind(r.Kind), Text: r.Text,
		Blocks: bytes.Clone(r.Blocks), ThreadTS: r.ThreadTS, NotBefore: utc(r.NotBefore),
		RespectHours: r.RespectHours, State: OutboxState(r.State), Attempts: r.Attempts,
		LastError: r.LastError, SentTS: r.SentTS, Expires: utc(r.Expires), UpdateTS: r.UpdateTS,
		KudosPost: r.KudosPost, After: r.After, Render: r.Render, ResponseURL: r.ResponseURL, ClaimEpoch: r.ClaimEpoch, Created: utc(r.Created),
		Updated: utc(r.Updated),
	}
}

// Expired reports whether o is pointless to send at now: it has an
// Expires and now is not before it (a heads-up for a round that has
// started). The store does not act on it: DueOutgoing still returns
// expired items, and the worker fails them instead of sending.
func (o Outgoing) Expired(now time.Time) bool {
	return !o.Expires.IsZero() && !now.Before(o.Expires)
}

// pending reports whether the record belongs in outbox_by_due.
func (r outgoingRecord) pending() bool { return r.State == string(OutboxPending) }

// Enqueue queues o for delivery and returns the stored copy and true. If
// an item with o.Key is already queued, it returns that item and false,
// and changes nothing: enqueueing is idempotent while the item is kept
// (PruneOutgoing forgets old keys).
//
// The new item is pending, with an ID, Created and Updated set to now and
// no attempts (o's ID, State, Attempts, LastError, SentTS, Created and
// Updated are ignored). A zero NotBefore means now; a zero Expires,
// never (an item may be enqueued already expired: the worker fails it).
// Key is required, and so is User when Channel is empty; Blocks must be
// valid JSON (stored compacted).
func (db *DB) Enqueue(o Outgoing) (Outgoing, bool, error) {
	now := db.now().UTC()
	if o.NotBefore.IsZero() {
		o.NotBefore = now
	}
	rec, err := newOutgoingRecord(o, now)
	if err != nil {
		return Outgoing{}, false, fmt.Errorf("store: enqueue %q: %w", o.Key, err)
	}
	var out Outgoing
	created := false
	err = db.update(func(tx kvTx) error {
		var err error
		out, created, err = enqueueTx(tx, rec)
		return err
	})
	if err != nil {
		return Outgoing{}, false, fmt.Errorf("store: enqueue %q: %w", o.Key, err)
	}
	return out, created, nil
}

// enqueueTx is Enqueue inside tx, for a checked record.
func enqueueTx(tx kvTx, rec outgoingRecord) (Outgoing, bool, error) {
	var out Outgoing
	created := false
	err := func() error {
		b, keys := tx.Bucket(bucketOutbox), tx.Bucket(bucketOutboxKeys)
		if v := keys.Get([]byte(rec.Key)); v != nil {
			id, err := parseIDKey(v)
			if err != nil {
				return fmt.Errorf("outbox_keys value: %w", err)
			}
			old, ok, err := getOutgoing(b, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("outbox_keys points at missing item %d", id)
			}
			out = old.outgoing(id)
			return nil
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		if err := keys.Put([]byte(rec.Key), idKey(id)); err != nil {
			return err
		}
		if err := putOutgoing(tx, id, rec); err != nil {
			return err
		}
		out, created = rec.outgoing(id), true
		return nil
	}()
	return out, created, err
}

// newOutgoingRecord checks o and builds the record of a new pending item.
func newOutgoingRecord(o Outgoing, now time.Time) (outgoingRecord, error) {
	switch {
	case o.Key == "":
		return outgoingRecord{}, errors.New("empty key")
	case o.Channel == "" && o.User == "":
		return outgoingRecord{}, errors.New("no channel and no user: nowhere to send it")
	case o.After == o.Key:
		return outgoingRecord{}, errors.New("an item cannot wait for itself")
	}
	if err := checkIndexable(o.NotBefore); err != nil {
		return outgoingRecord{}, fmt.Errorf("not before: %w", err)
	}
	var blocks json.RawMessage
	if len(o.Blocks) > 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, o.Blocks); err != nil {
			return outgoingRecord{}, fmt.Errorf("blocks: %w", err)
		}
		if buf.String() != "null" {
			blocks = buf.Bytes()
		}
	}
	return outgoingRecord{
		Key: o.Key, User: o.User, Channel: o.Channel, Kind: string(o.Kind), Text: o.Text, Blocks: blocks,
		ThreadTS: o.ThreadTS, NotBefore: o.NotBefore.UTC(), RespectHours: o.RespectHours,
		State: string(OutboxPending), Expires: utc(o.Expires), UpdateTS: o.UpdateTS, KudosPost: o.KudosPost,
		After: o.After, Render: o.Render, ResponseURL: o.ResponseURL,
		Created: now, Updated: now,
	}, nil
}

// DueOutgoing returns the pending items with NotBefore <= now, by
// NotBefore then ID, at most limit of them (limit <= 0: all), expired
// ones included (see Outgoing.Expired). It reads
// outbox_by_due from its start up to now, so its cost grows with the due
// items, not with the queue.
func (db *DB) DueOutgoing(now time.Time, limit int) ([]Outgoing, error) {
	var out []Outgoing
	if now.Before(minIndexTime) {
		return out, nil
	}
	// Keys of items due at or before now are below be64(now + 1ns).
	end := be64(timeNanos(now) + 1)
	err := db.view(func(tx kvTx) error {
		b := tx.Bucket(bucketOutbox)
		c := tx.Bucket(bucketOutboxByDue).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			_, id, err := parseTimeIDKey(k)
			if err != nil {
				return err
			}
			rec, ok, err := getOutgoing(b, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("outbox_by_due points at missing item %d", id)
			}
			out = append(out, rec.outgoing(id))
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: due outgoing at %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	return out, nil
}

// NextOutgoingAt returns the earliest NotBefore of the pending items; ok
// is false (err nil) when nothing is pending.
func (db *DB) NextOutgoingAt() (at time.Time, ok bool, err error) {
	err = db.view(func(tx kvTx) error {
		k, _ := tx.Bucket(bucketOutboxByDue).Cursor().First()
		if k == nil {
			return nil
		}
		var err error
		at, _, err = parseTimeIDKey(k)
		ok = err == nil
		return err
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next outgoing: %w", err)
	}
	return at, ok, nil
}

// ClaimOutgoing takes item id for sending: pending and due (NotBefore <=
// now) → sending, Attempts+1, Updated now. It returns the claimed item.
// If the item is not pending, or was deferred past now meanwhile (another
// worker took it, or put it back for later), the error wraps ErrConflict;
// if there is no such item, ErrNotFound.
func (db *DB) ClaimOutgoing(id uint64, now time.Time) (Outgoing, error) {
	var out Outgoing
	err := db.updateOutgoing(id, func(rec *outgoingRecord) error {
		if !rec.pending() {
			return fmt.Errorf("%w: it is %s", ErrConflict, rec.State)
		}
		if rec.NotBefore.After(now) {
			return fmt.Errorf("%w: it is deferred until %s", ErrConflict, rec.NotBefore.Format(time.RFC3339Nano))
		}
		rec.State = string(OutboxSending)
		rec.Attempts++
		rec.Updated = now.UTC()
		rec.ClaimEpoch = db.Leading()
		out = rec.outgoing(id)
		return nil
	})
	if err != nil {
		return Outgoing{}, fmt.Errorf("store: claim outgoing %d: %w", id, err)
	}
	return out, nil
}

// FinishOutgoing records that item id was sent as the message ts:
// sending → sent. The error wraps ErrConflict if the item is not being
// sent, ErrNotFound if there is no such item.
func (db *DB) FinishOutgoing(id uint64, ts string, now time.Time) error {
	return db.finishOutgoing(id, ts, nil, now)
}

// FinishRenderedOutgoing is FinishOutgoing for an item built at delivery
// (Outgoing.Render): it also keeps the text and blocks that were sent, so
// that what the message says is on record, as it is for items queued
// with their text. Forget-me reads it to take a person out of messages
// Rapport sent.
func (db *DB) FinishRenderedOutgoing(id uint64, ts, text string, blocks json.RawMessage, now time.Time) error {
	return db.finishOutgoing(id, ts, func(rec *outgoingRecord) { rec.Text, rec.Blocks = text, blocks }, now)
}

// finishOutgoing marks item id sent as ts (sending → sent); sent, when
// set, also records what was sent.
func (db *DB) finishOutgoing(id uint64, ts string, sent func(rec *outgoingRecord), now time.Time) error {
	err := db.updateOutgoing(id, func(rec *outgoingRecord) error {
		if rec.State != string(OutboxSending) {
			return fmt.Errorf("%w: it is %s", ErrConflict, rec.State)
		}
		rec.State, rec.SentTS, rec.Updated = string(OutboxSent), ts, now.UTC()
		if sent != nil {
			sent(rec)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: finish outgoing %d: %w", id, err)
	}
	return nil
}

// FailOutgoing gives item id up, for reason: pending or sending → failed.
// The error wraps ErrConflict if the item is already sent or failed,
// ErrNotFound if there is no such item.
func (db *DB) FailOutgoing(id uint64, reason string, now time.Time) error {
	return db.failOutgoing(id, reason, now, OutboxPending, OutboxSending)
}

// DeferOutgoing puts item id back in the queue until notBefore, for reason
// (outside working hours, a rate limit, a failed attempt, a restart):
// pending or sending → pending. The error wraps ErrConflict if the item
// is already sent or failed, ErrNotFound if there is no such item.
// notBefore must be between 1970 and 2262.
func (db *DB) DeferOutgoing(id uint64, notBefore time.Time, reason string, now time.Time) error {
	return db.deferOutgoing(id, notBefore, reason, now, OutboxPending, OutboxSending)
}

// DeferPendingOutgoing is DeferOutgoing for a worker that has not claimed
// the item: it defers it only while it is still pending. Otherwise the
// error wraps ErrConflict and nothing changes: another worker claimed it
// since it was read, and deferring it would take that claim back (and
// the message would go twice).
func (db *DB) DeferPendingOutgoing(id uint64, notBefore time.Time, reason string, now time.Time) error {
	return db.deferOutgoing(id, notBefore, reason, now, OutboxPending)
}

// FailPendingOutgoing is FailOutgoing for a worker that has not claimed
// the item: only a pending item is failed (see DeferPendingOutgoing).
func (db *DB) FailPendingOutgoing(id uint64, reason string, now time.Time) error {
	return db.failOutgoing(id, reason, now, OutboxPending)
}

// failOutgoing fails item id if it is in one of the states from.
func (db *DB) failOutgoing(id uint64, reason string, now time.Time, from ...OutboxState) error {
	err := db.updateOutgoing(id, func(rec *outgoingRecord) error {
		if !slices.Contains(from, OutboxState(rec.State)) {
			return fmt.Errorf("%w: it is %s", ErrConflict, rec.State)
		}
		rec.State, rec.LastError, rec.Updated = string(OutboxFailed), reason, now.UTC()
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: fail outgoing %d: %w", id, err)
	}
	return nil
}

// deferOutgoing puts item id back in the queue until notBefore if it is
// in one of the states from.
func (db *DB) deferOutgoing(id uint64, notBefore time.Time, reason string, now time.Time, from ...OutboxState) error {
	if err := checkIndexable(notBefore); err != nil {
		return fmt.Errorf("store: defer outgoing %d: %w", id, err)
	}
	err := db.updateOutgoing(id, func(rec *outgoingRecord) error {
		if !slices.Contains(from, OutboxState(rec.State)) {
			return fmt.Errorf("%w: it is %s", ErrConflict, rec.State)
		}
		rec.State, rec.NotBefore, rec.LastError, rec.Updated = string(OutboxPending), notBefore.UTC(), reason, now.UTC()
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: defer outgoing %d: %w", id, err)
	}
	return nil
}

// StuckOutgoing returns the items in state sending, by ID: after a crash,
// those claimed and never finished (sent or not: Slack may have the
// message). It reads the whole outbox: call it at start, not in a loop.
func (db *DB) StuckOutgoing() ([]Outgoing, error) {
	var out []Outgoing
	err := db.view(func(tx kvTx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			id, rec, err := decodeOutgoing(k, v)
			if err != nil {
				return err
			}
			if rec.State == string(OutboxSending) {
				out = append(out, rec.outgoing(id))
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: stuck outgoing: %w", err)
	}
	return out, nil
}

// OutgoingByKey returns the item enqueued with key, or an error wrapping
// ErrNotFound.
func (db *DB) OutgoingByKey(key string) (Outgoing, error) {
	var out Outgoing
	err := db.view(func(tx kvTx) error {
		v := tx.Bucket(bucketOutboxKeys).Get([]byte(key))
		if v == nil {
			return ErrNotFound
		}
		id, err := parseIDKey(v)
		if err != nil {
			return fmt.Errorf("outbox_keys value: %w", err)
		}
		rec, ok, err := getOutgoing(tx.Bucket(bucketOutbox), id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("outbox_keys points at missing item %d", id)
		}
		out = rec.outgoing(id)
		return nil
	})
	if err != nil {
		return Outgoing{}, fmt.Errorf("store: outgoing %q: %w", key, err)
	}
	return out, nil
}

// PruneOutgoing deletes the sent and failed items last Updated before
// before, with their keys (which may then be enqueued again), and returns
// how many it deleted. Pending and sending items are never pruned. It
// reads the whole outbox: run it daily or so.
func (db *DB) PruneOutgoing(before time.Time) (int, error) {
	var n, pass int
	err := db.updateInSteps(func(tx kvTx) error {
		b, keys := tx.Bucket(bucketOutbox), tx.Bucket(bucketOutboxKeys)
		// Collect first: deleting under a live cursor skips keys.
		type victim struct {
			id  uint64
			key string
		}
		var victims []victim
		err := b.ForEach(func(k, v []byte) error {
			id, rec, err := decodeOutgoing(k, v)
			if err != nil {
				return err
			}
			if (rec.State == string(OutboxSent) || rec.State == string(OutboxFailed)) && rec.Updated.Before(before) {
				victims = append(victims, victim{id, rec.Key})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, x := range victims {
			if err := b.Delete(idKey(x.id)); err != nil {
				return err
			}
			// The key goes only if it still names this item.
			if v := keys.Get([]byte(x.key)); v != nil && bytes.Equal(v, idKey(x.id)) {
				if err := keys.Delete([]byte(x.key)); err != nil {
					return err
				}
			}
		}
		pass = len(victims)
		return nil
	}, func() { n += pass })
	if err != nil {
		return 0, fmt.Errorf("store: prune outgoing before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return n, nil
}

// updateOutgoing is the read-modify-write of one item in one Update; f
// changes the record or returns an error (nothing is written then).
func (db *DB) updateOutgoing(id uint64, f func(rec *outgoingRecord) error) error {
	return db.update(func(tx kvTx) error {
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
	})
}

// getOutgoing reads item id from b (the outbox bucket).
func getOutgoing(b kvBucket, id uint64) (outgoingRecord, bool, error) {
	v := b.Get(idKey(id))
	if v == nil {
		return outgoingRecord{}, false, nil
	}
	var rec outgoingRecord
	if err := decodeValue(v, &rec); err != nil {
		return outgoingRecord{}, false, fmt.Errorf("decode outgoing %d: %w", id, err)
	}
	return rec, true, nil
}

// decodeOutgoing decodes one entry of the outbox bucket.
func decodeOutgoing(k, v []byte) (uint64, outgoingRecord, error) {
	id, err := parseIDKey(k)
	if err != nil {
		return 0, outgoingRecord{}, err
	}
	var rec outgoingRecord
	if err := decodeValue(v, &rec); err != nil {
		return 0, outgoingRecord{}, fmt.Errorf("decode outgoing %d: %w", id, err)
	}
	return id, rec, nil
}

// putOutgoing writes item id (new or replaced) and keeps outbox_by_due in
// step: it holds exactly the pending items, under their NotBefore, so a
// replaced record's old entry goes first. The key entry is Enqueue's.
func putOutgoing(tx kvTx, id uint64, rec outgoingRecord) error {
	b, idx := tx.Bucket(bucketOutbox), tx.Bucket(bucketOutboxByDue)
	old, ok, err := getOutgoing(b, id)
	if err != nil {
		return err
	}
	if ok && old.pending() {
		if err := idx.Delete(timeIDKey(old.NotBefore, id)); err != nil {
			return err
		}
	}
	if err := putValue(b, idKey(id), rec); err != nil {
		return err
	}
	if rec.pending() {
		return idx.Put(timeIDKey(rec.NotBefore, id), emptyValue)
	}
	return nil
}

// checkOutboxIndexes reports the first difference between the outbox and
// its two indexes (for Check).
func checkOutboxIndexes(tx kvTx) error {
	byDue, keys := tx.Bucket(bucketOutboxByDue), tx.Bucket(bucketOutboxKeys)
	var items, pending int
	err := tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
		id, rec, err := decodeOutgoing(k, v)
		if err != nil {
			return err
		}
		what := fmt.Sprintf("outgoing %d", id)
		items++
		if err := checkIndexEntry(keys, "outbox_keys", []byte(rec.Key), idKey(id), what); err != nil {
			return err
		}
		if rec.pending() {
			pending++
			return checkIndexEntry(byDue, "outbox_by_due", timeIDKey(rec.NotBefore, id), emptyValue, what)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := checkIndexSize(keys, "outbox_keys", items); err != nil {
		return err
	}
	return checkIndexSize(byDue, "outbox_by_due", pending)
}
