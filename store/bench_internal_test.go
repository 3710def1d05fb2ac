package store

import (
	"fmt"
)

// Helpers for bench_test.go (package store_test), exported only to the
// test binary: they reach past the public API, where a benchmark needs to
// build a large fixture fast or to compare with an alternative.

// SchemaVersion is the schema version this binary writes; benchmarks key
// their cached fixture files on it.
func SchemaVersion() uint64 { return schemaVersion() }

// BulkAddKudos adds n kudos, gen(0) to gen(n-1) in that order, perTx to a
// transaction, writing the same records and index entries as AddKudos
// (index entries in key order, as Import does), so that a million take
// seconds, not a million disk syncs.
func BulkAddKudos(db *DB, n, perTx int, gen func(i int) Kudos) error {
	for start := 0; start < n; start += perTx {
		err := db.update(func(tx kvTx) error {
			b := tx.Bucket(bucketKudos)
			var entries []indexEntry
			for i := start; i < min(start+perTx, n); i++ {
				k := gen(i)
				if err := checkKudos(k); err != nil {
					return fmt.Errorf("kudos %d: %w", i, err)
				}
				id, err := b.NextSequence()
				if err != nil {
					return err
				}
				rec := newKudosRecord(k)
				if err := putValue(b, idKey(id), rec); err != nil {
					return err
				}
				entries = append(entries, kudosIndexEntries(id, rec)...)
			}
			return putIndexEntries(tx, entries)
		})
		if err != nil {
			return fmt.Errorf("bulk add kudos: %w", err)
		}
	}
	return nil
}

// BulkEnqueue enqueues n items, gen(0) to gen(n-1), in one transaction,
// through the same code as Enqueue. Keys must be unique.
func BulkEnqueue(db *DB, n int, gen func(i int) Outgoing) error {
	now := db.now().UTC()
	return db.update(func(tx kvTx) error {
		b, keys := tx.Bucket(bucketOutbox), tx.Bucket(bucketOutboxKeys)
		for i := range n {
			rec, err := newOutgoingRecord(gen(i), now)
			if err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			if err := keys.Put([]byte(rec.Key), idKey(id)); err != nil {
				return err
			}
			if err := putOutgoing(tx, id, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// GiveKudosUpdate is GiveKudos with one db.Update (one commit, one disk
// sync) per kudos instead of a shared Batch: the baseline that
// BenchmarkGiveKudosConcurrent compares with.
func (db *DB) GiveKudosUpdate(k Kudos, a Allowance, effects func(Kudos) Effects) (Kudos, int, error) {
	k.At = orNow(k.At, db.now)
	g, err := newGift(k, a)
	if err != nil {
		return Kudos{}, 0, fmt.Errorf("store: give kudos: %w", err)
	}
	g.effects, g.now = effects, db.now().UTC()
	if err := db.update(g.give); err != nil {
		return Kudos{}, 0, fmt.Errorf("store: give kudos: %w", err)
	}
	return g.result()
}
