package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// Helpers shared by the record kinds: the JSON codec of values, and the
// normalisation that makes a stored copy equal to what a later read returns.

// decodeValue unmarshals a stored value. json.Unmarshal copies what it
// keeps, so the result stays valid after the transaction.
func decodeValue(v []byte, into any) error {
	return json.Unmarshal(v, into)
}

// utc drops the monotonic reading and the zone: stored times come back in
// UTC, so what Add returns equals what a later read returns.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// orNow is t in UTC, or now when t is zero ("not given").
func orNow(t time.Time, now func() time.Time) time.Time {
	if t.IsZero() {
		return now().UTC()
	}
	return t.UTC()
}

// cloneStrings copies s so the caller's slice and ours never alias; empty
// becomes nil, as it reads back from JSON with omitempty.
func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// putValue stores v as JSON under key.
func putValue(b kvBucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// scanTimeRange calls fn for each entry of a time index whose key is
// prefix ‖ be64(time) ‖ … with the time in [from, to), in key order. The
// prefix is empty for the plain time indexes and user ‖ 0x00 for the
// per-user ones. A from before 1970 means "from the first", a to after
// 2262 "to the last". The slices passed to fn are bbolt's: valid only in
// the transaction.
func scanTimeRange(c kvCursor, prefix []byte, from, to time.Time, fn func(k, v []byte) error) error {
	if !to.After(from) {
		return nil
	}
	endNanos := timeNanos(to)
	if to.After(maxIndexTime) {
		endNanos = math.MaxInt64 + 1 // above every indexable time
	}
	start := binary.BigEndian.AppendUint64(bytes.Clone(prefix), timeNanos(from))
	end := binary.BigEndian.AppendUint64(bytes.Clone(prefix), endNanos)
	for k, v := c.Seek(start); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// countKeys returns the number of keys in b.
func countKeys(b kvBucket) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}

// checkIndexEntry reports whether the index (bucket name) holds key with
// value want; it is how Check compares an index with its records.
func checkIndexEntry(b kvBucket, name string, key, want []byte, what string) error {
	got := b.Get(key)
	switch {
	case got == nil:
		return fmt.Errorf("%s has no entry %x for %s", name, key, what)
	case !bytes.Equal(got, want):
		return fmt.Errorf("%s entry %x of %s is %x, want %x", name, key, what, got, want)
	}
	return nil
}

// checkIndexSize reports whether the index (bucket name) has exactly want
// entries. With checkIndexEntry for each expected entry, it proves that no
// stale entry is left behind.
func checkIndexSize(b kvBucket, name string, want int) error {
	if got := countKeys(b); got != want {
		return fmt.Errorf("%s has %d entries, want %d (stale entries?)", name, got, want)
	}
	return nil
}

// indexEntry is one entry of an index bucket.
type indexEntry struct {
	bucket     []byte
	key, value []byte
}

// putIndexEntries writes entries in (bucket, key) order. Order matters
// for big writes: bbolt splits nodes only at commit, so within one
// transaction an unsplit node takes every insert, and inserting in random
// order shifts it each time: quadratic (migrating 50,000 kudos took 35 s
// in random order, 1 s in order). Importing and migrating collect their
// entries and write them through here.
func putIndexEntries(tx kvTx, entries []indexEntry) error {
	slices.SortFunc(entries, func(a, b indexEntry) int {
		if c := bytes.Compare(a.bucket, b.bucket); c != 0 {
			return c
		}
		return bytes.Compare(a.key, b.key)
	})
	var bucket kvBucket
	for i, e := range entries {
		if i == 0 || !bytes.Equal(e.bucket, entries[i-1].bucket) {
			if bucket = tx.Bucket(e.bucket); bucket == nil {
				return fmt.Errorf("no bucket %s", e.bucket)
			}
		}
		if err := bucket.Put(e.key, e.value); err != nil {
			return err
		}
	}
	return nil
}

// sortedSet is s sorted, without repeats or "", in a new slice; empty
// becomes nil, as it reads back from JSON with omitempty.
func sortedSet(s []string) []string {
	out := slices.Compact(slices.Sorted(slices.Values(s)))
	out = slices.DeleteFunc(out, func(v string) bool { return v == "" })
	if len(out) == 0 {
		return nil
	}
	return out
}
