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
func (db *DB) ClaimEvent(key string, at time.Time) (first bool, err error) {
	if key == "" {
		return false, errors.New("store: claim event: empty key")
	}
	if err := checkIndexable(at); err != nil {
		return false, fmt.Errorf("store: claim event %q: %w", key, err)
	}
	err = db.update(func(tx kvTx) error {
		b := tx.Bucket(bucketSeenEvents)
		first = false // decided afresh if the engine runs this again
		if b.Get([]byte(key)) != nil {
			return nil
		}
		first = true
		if err := b.Put([]byte(key), timeKey(at)); err != nil {
			return err
		}
		return tx.Bucket(bucketSeenEventsByTime).Put(eventTimeKey(at, key), emptyValue)
	})
	if err != nil {
		return false, fmt.Errorf("store: claim event %q: %w", key, err)
	}
	return first, nil
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
