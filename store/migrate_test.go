package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store"
)

// currentVersion is the schema version this binary writes.
const currentVersion = 2

// v1Buckets are the buckets of schema v1, as shipped.
var v1Buckets = []string{
	"meta", "seen_events", "seen_events_by_time", "job_runs", "kudos",
	"followups", "followups_by_due", "coffee_members", "coffee_rounds", "checkins",
}

// Ensure a new file gets every bucket and the current version.
func TestMigrateNewFile(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	readRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range append(v1Buckets, "kudos_by_time") {
			if tx.Bucket([]byte(name)) == nil {
				t.Errorf("new file has no bucket %s", name)
			}
		}
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(currentVersion)) {
			t.Errorf("meta/schema_version = %x, want %x", v, be64(currentVersion))
		}
		return nil
	})
}

// Ensure v1 -> v2 ("index kudos by time") fills kudos_by_time from the
// kudos already stored, and the result reads back in time order.
func TestMigrateV2IndexKudosByTime(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	times := map[uint64]time.Time{ // stored in id order, not time order
		1: base.Add(2 * time.Hour),
		2: base,
		3: base.Add(time.Hour).Add(5 * time.Nanosecond),
	}
	writeRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range v1Buckets {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(1)); err != nil {
			return err
		}
		kudos := tx.Bucket([]byte("kudos"))
		for id := uint64(1); id <= 3; id++ {
			v := `{"giver":"U1","receivers":["U2"],"text":"thanks","at":"` + times[id].Format(time.RFC3339Nano) + `"}`
			if err := kudos.Put(be64(id), []byte(v)); err != nil {
				return err
			}
		}
		return kudos.SetSequence(3)
	})

	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open(v1 file) = %v", err)
	}
	got, err := db.KudosBetween(time.Time{}, base.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, k := range got {
		ids = append(ids, k.ID)
		if !k.At.Equal(times[k.ID]) {
			t.Errorf("kudos %d At = %s, want %s", k.ID, k.At, times[k.ID])
		}
	}
	if want := []uint64{2, 3, 1}; !slices.Equal(ids, want) {
		t.Errorf("KudosBetween after migration = ids %v, want %v (time order)", ids, want)
	}
	if k, err := db.AddKudos(store.Kudos{Giver: "U3", At: base}); err != nil || k.ID != 4 {
		t.Errorf("AddKudos after migration = id %d, %v, want id 4", k.ID, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	readRaw(t, path, func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); binary.BigEndian.Uint64(v) != 2 {
			t.Errorf("schema_version after migration = %x, want 2", v)
		}
		var keys [][]byte
		tx.Bucket([]byte("kudos_by_time")).ForEach(func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
		want := [][]byte{timeIDKey(times[2], 2), timeIDKey(base, 4), timeIDKey(times[3], 3), timeIDKey(times[1], 1)}
		if len(keys) != len(want) {
			t.Fatalf("kudos_by_time has %d keys, want %d", len(keys), len(want))
		}
		for i := range want {
			if !bytes.Equal(keys[i], want[i]) {
				t.Errorf("kudos_by_time key %d = %x, want %x", i, keys[i], want[i])
			}
		}
		return nil
	})
}

// Ensure a migration that fails leaves the file at its old version: all
// migrations run in one transaction.
func TestMigrateFailureRollsBack(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	writeRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range v1Buckets {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(1)); err != nil {
			return err
		}
		return tx.Bucket([]byte("kudos")).Put(be64(1), []byte(`{"at": "not a time"}`))
	})
	db, err := store.Open(path, store.Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open(file with a broken kudos) = nil error, want the migration's")
	}
	if !strings.Contains(err.Error(), "migrate to v2 (index kudos by time)") || !strings.Contains(err.Error(), "kudos 1") {
		t.Errorf("Open error %q should name the migration and the record", err)
	}
	if errors.Is(err, store.ErrNotDatabase) || errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("Open error %q wraps the wrong sentinel", err)
	}
	readRaw(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("kudos_by_time")) != nil {
			t.Errorf("failed migration left bucket kudos_by_time behind")
		}
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(1)) {
			t.Errorf("schema_version after failed migration = %x, want 1", v)
		}
		return nil
	})
}

// Ensure a current file is opened without being written to.
func TestOpenCurrentFileWritesNothing(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := readFile(t, path)
	db = mustOpenPath(t, path, store.Options{})
	if !bytes.Equal(readFile(t, path), before) {
		t.Errorf("reopening a current file changed it")
	}
}
