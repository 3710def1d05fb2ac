package store

import (
	"encoding/json"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
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
func putValue(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}
