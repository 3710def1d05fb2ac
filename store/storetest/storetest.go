// Package storetest opens throwaway stores for tests in any package:
// a real *store.DB in the test's temporary directory, checked for
// consistency and closed when the test ends.
package storetest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// timeout is short because nothing else should hold a test's database: a
// test that trips over a lock should fail fast, not wait 5 s.
const timeout = time.Second

// MustOpen opens a new, empty database under tb.TempDir() and fails the
// test if it cannot. When the test ends it runs db.Check (failing the test
// on an inconsistency) and then closes the database, so the test must not
// close it itself (tests about Close use store.Open).
func MustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpenWith(tb, store.Options{})
}

// MustOpenWith is MustOpen with options, for tests that need a fixed
// clock (opts.Now). A zero opts.Timeout means one second here.
func MustOpenWith(tb testing.TB, opts store.Options) *store.DB {
	tb.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = timeout
	}
	db, err := store.Open(filepath.Join(tb.TempDir(), "rapport.db"), opts)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	// Registered after TempDir's own cleanup, so it runs first (LIFO):
	// the file still exists while it is checked and closed.
	tb.Cleanup(func() {
		if err := db.Check(); err != nil {
			tb.Errorf("storetest: %v", err)
		}
		if err := db.Close(); err != nil {
			tb.Errorf("storetest: %v", err)
		}
	})
	return db
}
