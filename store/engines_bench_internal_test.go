package store

import "fmt"

// Helpers for engines_bench_test.go (package store_test), exported only to
// the test binary: the etcd engine's retry counter, and fixture loaders
// that write records and index entries with the store's own encoders in
// transactions small enough for etcd.

// EtcdRetries is how many commits of db's etcd engine conflicted (or found
// their snapshot compacted) and ran again; 0 on bbolt.
func EtcdRetries(db *DB) int64 {
	if db.etcd == nil {
		return 0
	}
	return db.etcd.retries.Load()
}

// LoadKudos stores ks in order, writing the same records and index
// entries as AddKudos, in transactions of at most maxWrites writes (the
// bucket's sequence counts one), so a fixture loads in thousands of
// commits instead of one per kudos while each commit fits etcd's limit of
// operations per transaction.
func LoadKudos(db *DB, ks []Kudos, maxWrites int) error {
	recs := make([]kudosRecord, len(ks))
	for i, k := range ks {
		if err := checkKudos(k); err != nil {
			return fmt.Errorf("load kudos: kudos %d: %w", i, err)
		}
		recs[i] = newKudosRecord(k)
	}
	return loadRecords(db, bucketKudos, recs, kudosIndexEntries, maxWrites)
}

// LoadFollowups is LoadKudos for follow-ups, stored as given (no
// defaults applied: Status and, when open, NextAt must be set).
func LoadFollowups(db *DB, fs []Followup, maxWrites int) error {
	recs := make([]followupRecord, len(fs))
	for i, f := range fs {
		if err := followupError(f); err != nil {
			return fmt.Errorf("load followups: follow-up %d: %w", i, err)
		}
		recs[i] = newFollowupRecord(f)
	}
	return loadRecords(db, bucketFollowups, recs, followupIndexEntries, maxWrites)
}

// loadRecords stores recs under the bucket's next ids with their index
// entries, in transactions of at most maxWrites writes.
func loadRecords[R any](db *DB, bucket []byte, recs []R, index func(uint64, R) []indexEntry, maxWrites int) error {
	writes := make([]int, len(recs))
	for i, rec := range recs {
		writes[i] = 1 + len(index(0, rec))
	}
	return inChunks(db, writes, maxWrites, func(tx kvTx, lo, hi int) error {
		b := tx.Bucket(bucket)
		var entries []indexEntry
		for _, rec := range recs[lo:hi] {
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			if err := putValue(b, idKey(id), rec); err != nil {
				return err
			}
			entries = append(entries, index(id, rec)...)
		}
		return putIndexEntries(tx, entries)
	})
}

// inChunks runs put over consecutive items [lo, hi), one update each,
// where item i needs writes[i] writes and a chunk at most maxWrites,
// counting one more for the bucket's sequence.
func inChunks(db *DB, writes []int, maxWrites int, put func(tx kvTx, lo, hi int) error) error {
	for lo := 0; lo < len(writes); {
		hi, n := lo, 1
		for hi < len(writes) && (hi == lo || n+writes[hi] <= maxWrites) {
			n += writes[hi]
			hi++
		}
		if err := db.update(func(tx kvTx) error { return put(tx, lo, hi) }); err != nil {
			return fmt.Errorf("load items %d to %d: %w", lo, hi-1, err)
		}
		lo = hi
	}
	return nil
}
