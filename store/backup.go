package store

import (
	"context"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database file to w while
// the bot keeps running, and returns the number of bytes written. The
// copy is itself a database that Open accepts.
//
// It holds one read transaction for the whole copy: writers are not
// blocked, but one that must grow the file waits for the copy to end. So
// give it a fast w (a local file), or put a deadline on a network one.
func (db *DB) Backup(w io.Writer) (int64, error) {
	if db.etcd != nil {
		n, err := db.etcd.snapshot(context.Background(), w)
		if err != nil {
			return n, fmt.Errorf("store: backup: %w", err)
		}
		return n, nil
	}
	var n int64
	db.mu.RLock()
	defer db.mu.RUnlock()
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}
