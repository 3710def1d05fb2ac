package store

import (
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
	var n int64
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}
