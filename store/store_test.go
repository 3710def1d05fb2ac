package store_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store"
)

func TestOpen(t *testing.T) {
	t.Parallel()

	// Ensure a new file is private to its owner: it holds what people
	// said about each other.
	t.Run("CreatesFileMode0600", func(t *testing.T) {
		t.Parallel()
		path := newPath(t)
		db := mustOpenPath(t, path, store.Options{})
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("mode of %s = %o, want 600", path, got)
		}
		if got := db.Path(); got != path {
			t.Errorf("Path() = %q, want %q", got, path)
		}
		if err := db.Check(); err != nil {
			t.Errorf("Check() = %v, want nil", err)
		}
	})

	// Ensure a missing directory is an error, not created: it is more
	// likely a typo in RAPPORT_DB than a wish.
	t.Run("MissingDirectory", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "nope")
		path := filepath.Join(dir, "rapport.db")
		_, err := store.Open(path, store.Options{})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Open(%s) = %v, want fs.ErrNotExist", path, err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%s) error %q does not name the file", path, err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open created %s; want it left missing", dir)
		}
	})

	// Ensure data survives a close and reopen, and Close is idempotent.
	t.Run("ReopenKeepsData", func(t *testing.T) {
		t.Parallel()
		path := newPath(t)
		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: base}); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("second Close() = %v, want nil", err)
		}
		db = mustOpenPath(t, path, store.Options{})
		got, err := db.KudosBetween(time.Time{}, base.Add(time.Hour))
		if err != nil || len(got) != 1 || got[0].Giver != "U1" {
			t.Errorf("KudosBetween after reopen = %+v, %v, want the one kudos", got, err)
		}
	})

	// Ensure an empty file (touch rapport.db) is initialised: there is
	// nothing in it to lose.
	t.Run("EmptyFile", func(t *testing.T) {
		t.Parallel()
		path := newPath(t)
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		db := mustOpenPath(t, path, store.Options{})
		if err := db.Check(); err != nil {
			t.Errorf("Check() = %v, want nil", err)
		}
	})

	t.Run("MethodsAfterCloseFail", func(t *testing.T) {
		t.Parallel()
		db, err := store.Open(newPath(t), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimEvent("e", base); err == nil {
			t.Errorf("ClaimEvent after Close = nil error, want one")
		}
	})
}

// Ensure a second bot on the same file fails within its timeout, with a
// message that says what is going on, instead of hanging.
func TestOpenLocked(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	mustOpenPath(t, path, store.Options{})

	start := time.Now()
	db, err := store.Open(path, store.Options{Timeout: 200 * time.Millisecond})
	elapsed := time.Since(start)
	if err == nil {
		db.Close()
		t.Fatalf("second Open(%s) = nil error, want ErrLocked", path)
	}
	if !errors.Is(err, store.ErrLocked) {
		t.Errorf("second Open(%s) = %v, want ErrLocked", path, err)
	}
	for _, want := range []string{path, "another process", "another rapport"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("second Open error %q does not contain %q", err, want)
		}
	}
	if elapsed > 2*time.Second {
		t.Errorf("second Open took %s, want about 200ms", elapsed)
	}
}

// Ensure Open refuses anything that is not a rapport database, and never
// writes to it: it may be someone's only copy of something.
func TestOpenRefusesForeignFile(t *testing.T) {
	t.Parallel()
	random := make([]byte, 64<<10)
	rand.Read(random)

	tests := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"Text", func(t *testing.T, path string) {
			writeFile(t, path, []byte("hello, I am a shopping list\nmilk\neggs\n"))
		}},
		{"RandomBytes", func(t *testing.T, path string) {
			writeFile(t, path, random)
		}},
		{"RandomPage", func(t *testing.T, path string) {
			writeFile(t, path, random[:4096])
		}},
		{"TruncatedDatabase", func(t *testing.T, path string) {
			makeDatabase(t, path)
			// Keep the header (meta pages valid) but lose data pages:
			// bbolt alone would map it and crash the process.
			truncate(t, path, 16<<10)
		}},
		{"TruncatedToHeader", func(t *testing.T, path string) {
			makeDatabase(t, path)
			truncate(t, path, 8<<10)
		}},
		{"TruncatedInHeader", func(t *testing.T, path string) {
			makeDatabase(t, path)
			truncate(t, path, 100)
		}},
		{"DamagedHeader", func(t *testing.T, path string) {
			makeDatabase(t, path)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, off := range []int{16 + 20, 4096 + 16 + 20} { // inside both metas
				data[off] ^= 0xff
			}
			writeFile(t, path, data)
		}},
		{"OtherProgramsBolt", func(t *testing.T, path string) {
			writeRaw(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("widgets"))
				if err != nil {
					return err
				}
				return b.Put([]byte("w1"), []byte("blue"))
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := newPath(t)
			tt.make(t, path)
			before := readFile(t, path)

			db, err := store.Open(path, store.Options{Timeout: time.Second})
			if err == nil {
				db.Close()
				t.Fatalf("Open(%s) = nil error, want ErrNotDatabase", path)
			}
			if !errors.Is(err, store.ErrNotDatabase) {
				t.Errorf("Open(%s) = %v, want ErrNotDatabase", path, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("Open error %q does not name %s", err, path)
			}
			if after := readFile(t, path); !bytes.Equal(after, before) {
				t.Errorf("Open changed %s (%d bytes before, %d after), want it untouched", path, len(before), len(after))
			}
		})
	}
}

// makeDatabase writes a rapport database big enough to span many pages.
func makeDatabase(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		_, err := db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, Text: strings.Repeat("thanks ", 30), At: base.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// Ensure Open refuses, untouched, a file written by a newer rapport.
func TestOpenSchemaTooNew(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	writeRaw(t, path, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("meta"))
		if err != nil {
			return err
		}
		return b.Put([]byte("schema_version"), be64(99))
	})
	before := readFile(t, path)
	db, err := store.Open(path, store.Options{})
	if err == nil {
		db.Close()
		t.Fatalf("Open(%s) = nil error, want ErrSchemaTooNew", path)
	}
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("Open(%s) = %v, want ErrSchemaTooNew", path, err)
	}
	if !strings.Contains(err.Error(), "v99") || !strings.Contains(err.Error(), path) {
		t.Errorf("Open error %q should name the file and its version v99", err)
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Errorf("Open changed %s, want it untouched", path)
	}
}
