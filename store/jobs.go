package store

import (
	"errors"
	"fmt"
	"time"
)

// Job runs: the scheduler records when each job last finished, so that on
// start it can catch up a run missed while the bot was down (once) and
// never repeat one it already did.

// jobRunRecord is the stored value of job_runs.
type jobRunRecord struct {
	LastRun time.Time `json:"last_run"`
}

// JobLastRun returns when the job called name last finished, as recorded
// by RecordJobRun. ok is false (and err nil) if it never ran.
func (db *DB) JobLastRun(name string) (at time.Time, ok bool, err error) {
	err = db.view(func(tx kvTx) error {
		v := tx.Bucket(bucketJobRuns).Get([]byte(name))
		if v == nil {
			return nil
		}
		var rec jobRunRecord
		if err := decodeValue(v, &rec); err != nil {
			return err
		}
		at, ok = rec.LastRun, true
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: job %q last run: %w", name, err)
	}
	return at, ok, nil
}

// RecordJobRun records that the job called name finished a run at at. The
// recorded time never moves backwards: an older at than the one stored is
// ignored, so a late catch-up run cannot make the scheduler repeat work.
func (db *DB) RecordJobRun(name string, at time.Time) error {
	if name == "" {
		return errors.New("store: record job run: empty job name")
	}
	at = utc(at)
	err := db.update(func(tx kvTx) error {
		b := tx.Bucket(bucketJobRuns)
		if v := b.Get([]byte(name)); v != nil {
			var old jobRunRecord
			if err := decodeValue(v, &old); err != nil {
				return err
			}
			if !at.After(old.LastRun) {
				return nil
			}
		}
		return putValue(b, []byte(name), jobRunRecord{LastRun: at})
	})
	if err != nil {
		return fmt.Errorf("store: record job %q run: %w", name, err)
	}
	return nil
}
