// Package storetest opens throwaway stores for tests in any package:
// a real *store.DB, checked for consistency and closed when the test ends.
//
// The engine is bbolt (a file in the test's temporary directory) unless
// RAPPORT_TEST_STORE=etcd, which opens each store under its own prefix of
// one real etcd member started inside the test process: the same tests
// then run on the etcd engine.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
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
	db, err := open(tb, opts)
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

// Engine is the engine the stores of this test process use: "bolt" or
// "etcd" (RAPPORT_TEST_STORE).
func Engine() string {
	if os.Getenv("RAPPORT_TEST_STORE") == "etcd" {
		return "etcd"
	}
	return "bolt"
}

var prefixes atomic.Int64

func open(tb testing.TB, opts store.Options) (*store.DB, error) {
	if Engine() != "etcd" {
		return store.Open(filepath.Join(tb.TempDir(), "rapport.db"), opts)
	}
	c, err := etcdtest.Shared()
	if err != nil {
		return nil, err
	}
	cli, err := c.NewClient()
	if err != nil {
		return nil, err
	}
	prefix := fmt.Sprintf("/test-%d-%d", os.Getpid(), prefixes.Add(1))
	db, err := store.OpenEtcdClient(context.Background(), cli, prefix, opts)
	if err != nil {
		_ = cli.Close()
		return nil, err
	}
	tb.Cleanup(func() { _ = cli.Close() }) // after the store's own cleanup (LIFO)
	return db, nil
}
