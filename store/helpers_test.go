package store_test

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store"
)

// base is the fixed "now" of most tests.
var base = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// fixedNow is an Options.Now that always returns at.
func fixedNow(at time.Time) func() time.Time { return func() time.Time { return at } }

// newPath is a database path in a fresh temporary directory.
func newPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "rapport.db")
}

// mustOpenPath opens path and closes it when the test ends; for tests
// that need the path (storetest.MustOpen hides it).
func mustOpenPath(t *testing.T, path string, opts store.Options) *store.DB {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	db, err := store.Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s) = %v, want nil error", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return db
}

// writeRaw writes to a bbolt file directly, bypassing the store: the way
// tests build old schema shapes and foreign files.
func writeRaw(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// readRaw reads a closed bbolt file directly.
func readRaw(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.View(fn); err != nil {
		t.Fatal(err)
	}
}

// rawKeys returns the keys of one bucket of an open store.
func rawKeys(t *testing.T, db *store.DB, bucket string) [][]byte {
	t.Helper()
	return store.RawKeysForTest(t, db, bucket)
}

// be64 is an 8-byte big-endian number, as the store writes keys.
func be64(v uint64) []byte {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

// timeIDKey is the store's time index key, rebuilt independently so tests
// check the on-disk format rather than the code that writes it.
func timeIDKey(at time.Time, id uint64) []byte {
	return append(be64(uint64(at.UnixNano())), be64(id)...)
}

// userTimeIDKey is the key of the per-user kudos indexes (user ‖ 0x00 ‖
// be64(at) ‖ be64(id)), rebuilt independently like timeIDKey.
func userTimeIDKey(user string, at time.Time, id uint64) []byte {
	return append(append([]byte(user), 0), timeIDKey(at, id)...)
}

// rawEntries returns the keys and values of one bucket of an open store,
// read from a Backup like rawKeys, as "hex(key)=hex(value)" strings.
func rawEntries(t *testing.T, db *store.DB, bucket string) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Backup(f); err != nil {
		t.Fatalf("Backup() = %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	readRaw(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			t.Fatalf("no bucket %q", bucket)
		}
		return b.ForEach(func(k, v []byte) error {
			out[hex.EncodeToString(k)] = hex.EncodeToString(v)
			return nil
		})
	})
	return out
}
