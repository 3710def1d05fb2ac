package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Seen events: Slack redelivers an envelope when its ack is late or the
// socket reconnects, and the bot must act on each event once, across
// restarts too. The bot claims the event's key (for example the event_id,
// or team+command+trigger_id) before acting; only the first claim wins.

// ClaimEvent records key as handled at time at and reports whether this
// was the first claim. It is atomic: of concurrent claims of one key
// exactly one returns true. A key is claimable again once PruneEvents has
// removed it. at must be between 1970 and 2262.
//
// The claim is durable when ClaimEvent returns, so a re-delivery after a
// restart is still seen. Concurrent claims share commits (bbolt's Batch):
// under load every envelope claims its key at about the same time, and one
// disk sync serves them all, at the price of up to batchDelay for a lone
// claim. A claim that fails gets its own error; the others in its batch
// are unaffected.
func (db *DB) ClaimEvent(key string, at time.Time) (first bool, err error) {
	if key == "" {
		return false, errors.New("store: claim event: empty key")
	}
	if err := checkIndexable(at); err != nil {
		return false, fmt.Errorf("store: claim event %q: %w", key, err)
	}
	c := claim{key: []byte(key), at: at}
	if err := db.batch(c.claim); err != nil {
		return false, fmt.Errorf("store: claim event %q: %w", key, err)
	}
	return c.first, nil
}

// claim is one ClaimEvent: its key and time, and what its transaction
// function found on its last run.
type claim struct {
	key   []byte
	at    time.Time
	first bool
}

// claim is the transaction function ClaimEvent hands to Batch. Batch may
// run it more than once (when another call in the same batch fails, the
// batch is rolled back and run again without it), so it decides first
// afresh on every run: a rolled-back run's Put is gone, and the next run
// finds the key unclaimed again.
func (c *claim) claim(tx kvTx) error {
	c.first = false
	b := tx.Bucket(bucketSeenEvents)
	if b.Get(c.key) != nil {
		return nil
	}
	if err := b.Put(c.key, timeKey(c.at)); err != nil {
		return err
	}
	if err := tx.Bucket(bucketSeenEventsByTime).Put(eventTimeKey(c.at, string(c.key)), emptyValue); err != nil {
		return err
	}
	c.first = true
	return nil
}

// PruneEvents forgets the claims recorded strictly before before and
// returns how many it removed. Slack stops redelivering after minutes, so
// the bot prunes claims older than a day or so to keep the bucket small.
func (db *DB) PruneEvents(before time.Time) (removed int, err error) {
	end := timeKey(before)
	var pass int
	err = db.updateInSteps(func(tx kvTx) error {
		idx := tx.Bucket(bucketSeenEventsByTime)
		seen := tx.Bucket(bucketSeenEvents)
		// Collect first: deleting under a live cursor skips keys.
		var keys [][]byte
		c := idx.Cursor()
		// Keys are be64(time) ‖ event key, so k < end exactly when
		// the claim's time is before `before`.
		for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			at, key, err := parseEventTimeKey(k)
			if err != nil {
				return err
			}
			if err := idx.Delete(k); err != nil {
				return err
			}
			// The claim itself goes only if it is the one this index
			// entry points at; a mismatch would be a bug, never a reason
			// to drop a newer claim.
			if v := seen.Get([]byte(key)); len(v) == 8 && binary.BigEndian.Uint64(v) == timeNanos(at) {
				if err := seen.Delete([]byte(key)); err != nil {
					return err
				}
			}
		}
		pass = len(keys)
		return nil
	}, func() { removed += pass })
	if err != nil {
		return 0, fmt.Errorf("store: prune events before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return removed, nil
}
