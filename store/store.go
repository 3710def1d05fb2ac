// Package store keeps Rapport's data in one bbolt file: the records (kudos,
// follow-ups, coffee members and rounds, check-ins, people), the queue of
// messages the bot will send (the outbox), and the bot's own bookkeeping
// (Slack deliveries already handled, scheduler runs).
//
// No bbolt type or transaction escapes this package: every exported method
// is one short transaction, so the store can later move to etcd behind the
// same methods. A DB is safe for concurrent use by multiple goroutines.
//
// # Schema (version 6)
//
// Every bucket is top-level. Ids come from the bucket's NextSequence and are
// stored as 8-byte big-endian uint64 (be64), so keys sort by id. Times in
// keys are be64(unix nanoseconds), so a time index is scanned with
// Seek/Next. Per-user index keys start with user ID ‖ 0x00, so one user's
// entries are a contiguous range. Values are JSON of private structs in
// this package (field names below) unless shown otherwise; all times are
// stored in UTC and come back in UTC.
//
//	meta
//	    schema_version        -> be64(version)
//	seen_events                  (Slack deliveries already handled)
//	    <event key>           -> be64(nanos claimed)
//	seen_events_by_time
//	    be64(nanos) ‖ <event key> -> empty
//	job_runs                     (last finished run of each scheduler job)
//	    <job name>            -> {"last_run"}
//	kudos
//	    be64(id)              -> {"giver","receivers","text","values","channel","ts","private","at"}
//	kudos_by_time                (since v2; values since v3)
//	    be64(at) ‖ be64(id)   -> summary, binary: 0x01 ‖ flags ‖ str(giver) ‖
//	                             uvarint(n) ‖ n×str(receiver) ‖ uvarint(m) ‖ m×str(value)
//	                             (str = uvarint(len) ‖ bytes; flags bit 0 = private;
//	                             receivers and values without repeats)
//	kudos_by_giver               (since v3)
//	    giver ‖ 0x00 ‖ be64(at) ‖ be64(id) -> uvarint(number of distinct receivers)
//	kudos_by_receiver            (since v3; one entry per distinct receiver)
//	    receiver ‖ 0x00 ‖ be64(at) ‖ be64(id) -> flags (1 byte)
//	followups
//	    be64(id)              -> {"owner","counterpart","text","due","created","status","done_at",
//	                              "note","link","channel","next_at","reminded","nudges","last_nudge",
//	                              "asked_at"}
//	                             (note to last_nudge since v5, optional; asked_at optional, absent
//	                             means not asked; next_at only on open
//	                             ones, done_at never on open ones)
//	followups_by_next            (since v5, replacing followups_by_due; open follow-ups with a next_at)
//	    be64(next_at) ‖ be64(id) -> empty
//	followups_by_owner           (since v5; every follow-up)
//	    owner ‖ 0x00 ‖ be64(id) -> empty
//	followups_by_counterpart     (since v5; follow-ups with a counterpart)
//	    counterpart ‖ 0x00 ‖ be64(id) -> empty
//	coffee_members
//	    <user ID>             -> {"joined","paused_until","via","skip_at","misses","ghosted","never"}
//	                             (all but joined and paused_until since v4; via is "command" or
//	                             "channel", always set; "closed_round" and "join_seen" optional)
//	coffee_rounds                (groups as objects since v4; they were arrays of user IDs)
//	    be64(id)              -> {"at","manual","groups","sit_out","closed","counts"}
//	                             groups: [{"members","channel","intro_ts","icebreaker",
//	                             "answers","answer_order","checkin_sent","buddy"}], members sorted,
//	                             answers {user: answer}, answer_order [user…] latest last
//	                             (optional: older records lack it, and Outcome falls back),
//	                             icebreaker -1 for none, buddy optional; sit_out: [{"user","reason"}];
//	                             counts (optional; absent in older rounds): {"members","paused",
//	                             "silenced","skipped","left","left_of"}, numbers only, no user IDs
//	coffee_rounds_by_at          (since v4; one entry per round; CreateRound makes one per instant)
//	    be64(at) ‖ be64(id)   -> empty
//	checkins
//	    be64(id)              -> {"user","with","at","note"}
//	people                       (since v3)
//	    <user ID>             -> {"name","tz","is_bot","deleted","is_restricted","is_stranger",
//	                              "muted","work_start_ns","work_end_ns","work_days","style","updated",
//	                              "last_reconnect","locale","home_opened","teams","joined_workspace",
//	                              "birthday","started","visibility","celebrate_since"}
//	                             (style since v4, last_reconnect since v6, locale, home_opened,
//	                             teams, joined_workspace and the celebration fields later, optional)
//	outbox                       (since v3)
//	    be64(id)              -> {"key","user","channel","kind","text","blocks","thread_ts",
//	                              "not_before","respect_hours","state","attempts","last_error",
//	                              "sent_ts","expires","update_ts","kudos_post","created","updated"}
//	                             (expires since v4; update_ts and kudos_post optional, on the
//	                             edits ForgetUser queues)
//	outbox_by_due                (since v3; pending items only)
//	    be64(not_before) ‖ be64(id) -> empty
//	outbox_keys                  (since v3)
//	    <idempotency key>     -> be64(id)
//	contacts                     (since v6; a person's stay-in-touch circle, one entry per direction)
//	    owner ‖ 0x00 ‖ other  -> {"last_contact","last_kind","cadence_days","snoozed_until","stopped"}
//	                             (all optional; owner != other)
//
// Changing the schema: update this comment and the names in schema.go,
// append a migration to migrations in migrate.go (which bumps the version),
// and add a test that writes the old shape and opens it, all in the same
// change. A shipped migration is never edited. Every index is derived from
// its records, and Check verifies that it still is.
//
// Rules for methods (bbolt caveats): compute "now" before the transaction;
// copy every byte slice that leaves a transaction; collect keys, then
// delete (never delete while a cursor iterates); never open a transaction
// inside another.
package store

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultTimeout is how long Open waits for the file lock when
// Options.Timeout is zero: long enough to ride out a restart, short enough
// that a second bot fails in seconds instead of hanging.
const DefaultTimeout = 5 * time.Second

// batchDelay is how long a batch of GiveKudos calls waits for more calls
// before it commits (bbolt's MaxBatchDelay; its default is 10 ms).
const batchDelay = 2 * time.Millisecond

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process; 0 (or less) means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock, default time.Now. It is used only where a method
	// has no explicit time: Add*, Put*, CreateRound and
	// UpdateCoffeeMember stamp a record whose time field is zero
	// (Kudos.At, Followup.Created, Round.At, Checkin.At,
	// CoffeeMember.Joined) with Now().
	Now func() time.Time
	// NoSync skips the fsync after each commit. Only for a throwaway
	// database (the sandbox's): a crash may lose or corrupt the file.
	NoSync bool
}

// DB is an open Rapport database. It is safe for concurrent use.
type DB struct {
	// mu guards bolt against Compact swapping it: every transaction holds
	// it shared, Compact and Close exclusively.
	mu     sync.RWMutex
	bolt   *bolt.DB    // the bbolt engine; nil on etcd
	etcd   *etcdEngine // the etcd engine; nil on bbolt
	path   string      // the bbolt file, or the etcd location
	now    func() time.Time
	noSync bool // Options.NoSync, kept for Compact's reopen

	closeOnce   sync.Once
	closeErr    error
	closeClient func() error // the etcd client OpenEtcd made; nil otherwise
}

// Open opens the database file at path, creating it with mode 0600 if it
// does not exist (its directory must exist), and migrates it to the
// current schema in one transaction.
//
// Open fails with an error wrapping ErrLocked if another process still
// holds the file after opts.Timeout, ErrNotDatabase if the file is not a
// rapport database (foreign, truncated or damaged; the file is not
// touched), and ErrSchemaTooNew if a newer rapport wrote it. An empty file
// is treated like a missing one.
func Open(path string, opts Options) (*DB, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}

	// bbolt maps the file without checking that it is as long as its
	// header says, and a truncated database then kills the process with a
	// fault on first read. So read the header ourselves first, read-only.
	if err := checkFile(path); err != nil {
		return nil, err
	}

	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		return nil, openError(path, err)
	}
	// GiveKudos shares commits through Batch. bbolt waits up to 10 ms for
	// a batch to fill; with fast disks that wait, not the disk sync, caps
	// the throughput (50 givers: ~3,800 kudos/s at 10 ms, ~11,000 at 2 ms)
	// and it is the latency of a lone call. Callers that arrive while a
	// batch commits still pile up into the next one.
	bdb.MaxBatchDelay = batchDelay
	bdb.NoSync = opts.NoSync
	db := &DB{bolt: bdb, path: path, now: now, noSync: opts.NoSync}
	if err := db.migrate(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return db, nil
}

// openError turns a bbolt.Open error into one that names the file and,
// where we know it, says what to do.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("store: open %s: %w (is another rapport running?)", path, ErrLocked)
	case errors.Is(err, berrors.ErrInvalid),
		errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("store: open %s: %w: %w", path, ErrNotDatabase, err)
	case errors.Is(err, fs.ErrNotExist):
		// The only way O_CREATE fails this way: the directory is missing.
		// Creating it silently would hide a typo in RAPPORT_DB.
		return fmt.Errorf("store: open %s: directory %s does not exist: %w", path, filepath.Dir(path), fs.ErrNotExist)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		// Avoid "open x: open x: permission denied".
		return fmt.Errorf("store: open %s: %w", path, pe.Err)
	}
	return fmt.Errorf("store: open %s: %w", path, err)
}

// Path returns the path the database was opened with.
func (db *DB) Path() string { return db.path }

// Close releases the file and its lock. It is idempotent: later calls
// return the first call's result. Methods called after Close fail.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.mu.Lock()
		defer db.mu.Unlock()
		var err error
		switch {
		case db.bolt != nil:
			err = db.bolt.Close()
		case db.closeClient != nil:
			err = db.closeClient()
		}
		if err != nil {
			db.closeErr = fmt.Errorf("store: close %s: %w", db.path, err)
		}
	})
	return db.closeErr
}

// checkTx runs fn in a writable bbolt transaction that is always rolled
// back: bbolt's own check is only safe beside writers in one.
func (db *DB) checkTx(fn func(*bolt.Tx) error) error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	tx, err := db.bolt.Begin(true)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // nothing was written
	return fn(tx)
}

// Check verifies the consistency of the whole file (page structure, free
// list, bucket trees) and that every index matches the records it indexes
// (kudos, follow-ups, coffee rounds, outbox) and that every contact is
// well formed, in one transaction, and returns the
// first problem found, or nil. It reads every page: use it in tests and
// after restores, not on a hot path.
//
// The transaction is a writable one, rolled back: bbolt's check of the
// free list is only sound when no write commits meanwhile (in a read
// transaction, pages a concurrent write frees show as "reachable freed"),
// so Check holds writers off while it runs.
func (db *DB) Check() error {
	indexes := func(tx kvTx) error {
		for _, check := range []func(kvTx) error{checkKudosIndexes, checkFollowupIndexes, checkRoundIndexes, checkOutboxIndexes, checkCircles} {
			if err := check(tx); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if db.bolt != nil {
		err = db.checkTx(func(tx *bolt.Tx) error {
			var first error
			// Drain the channel: the checker goroutine reads pages of this
			// transaction and must finish before the transaction closes.
			for err := range tx.Check() {
				if first == nil {
					first = err
				}
			}
			if first != nil {
				return first
			}
			// The indexes are checked only on a sound file: walking a
			// damaged tree could crash.
			return indexes(boltTx{tx})
		})
	} else {
		err = db.view(indexes) // etcd checks its own storage
	}
	if err != nil {
		return fmt.Errorf("store: check %s: %w", db.path, err)
	}
	return nil
}
