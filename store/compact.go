package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// view runs fn in a read-only transaction of the store's engine.
func (db *DB) view(fn func(kvTx) error) error {
	if db.etcd != nil {
		return db.etcd.view(context.Background(), fn)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.bolt.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

// update runs fn in a writable transaction and commits it. On etcd, fn
// runs again when a concurrent writer changed what it read, so it must
// keep nothing but its writes between runs.
func (db *DB) update(fn func(kvTx) error) error {
	if db.etcd != nil {
		return db.etcd.update(context.Background(), fn)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.bolt.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

// batch is update for calls that may share a commit with concurrent ones
// (bbolt's Batch, which may run fn more than once). etcd commits each on
// its own.
func (db *DB) batch(fn func(kvTx) error) error {
	if db.etcd != nil {
		return db.etcd.update(context.Background(), fn)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.bolt.Batch(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

// updateInSteps is update for operations that may outgrow one etcd
// transaction (see etcdEngine.updateInSteps): on bbolt, one transaction;
// on etcd, idempotent passes committed in steps. fn must be idempotent and
// convergent. committed is called after each pass that wrote (once on
// bbolt).
func (db *DB) updateInSteps(fn func(kvTx) error, committed func()) error {
	if db.etcd != nil {
		return db.etcd.updateInSteps(context.Background(), fn, committed)
	}
	if err := db.update(fn); err != nil {
		return err
	}
	if committed != nil {
		committed()
	}
	return nil
}

// Compact rewrites the database file without its free pages. bbolt never
// wipes the pages a transaction frees, so after ForgetUser the deleted
// person's bytes would linger in the file until reused; Compact is what
// makes "deleted" true on disk. Every other call waits while it runs
// (milliseconds for a team, seconds for a very large file). If the final
// reopen fails the store is closed and later calls fail.
//
// On etcd it does what etcd allows: CompactHistory.
func (db *DB) Compact() error {
	if db.etcd != nil {
		return db.CompactHistory()
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	tmp := db.path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("store: compact %s: %w", db.path, err)
	}
	if err := bolt.Compact(dst, db.bolt, 0); err != nil {
		_ = dst.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("store: compact %s: %w", db.path, err)
	}
	if err := dst.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: compact %s: %w", db.path, err)
	}
	// Swap: close the old handle (releasing its lock), move the compact
	// copy into place, reopen it.
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("store: compact %s: close: %w", db.path, err)
	}
	renameErr := os.Rename(tmp, db.path)
	if renameErr == nil {
		if d, err := os.Open(filepath.Dir(db.path)); err == nil {
			_ = d.Sync() // make the rename durable
			_ = d.Close()
		}
	}
	bdb, err := bolt.Open(db.path, 0o600, &bolt.Options{Timeout: DefaultTimeout})
	if err != nil {
		return fmt.Errorf("store: compact %s: reopen: %w", db.path, err)
	}
	bdb.MaxBatchDelay = batchDelay
	bdb.NoSync = db.noSync
	db.bolt = bdb
	if renameErr != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: compact %s: %w", db.path, renameErr)
	}
	return nil
}
