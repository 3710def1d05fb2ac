package store

// Benchmarks of follow-ups. They sit in package store, not store_test,
// to build their million-record fixture in large transactions with the
// store's own encoders (as Import does) instead of a million AddFollowup
// commits.

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The follow-ups fixture: a large workspace's open follow-ups, NextAt
// spread over the year after followupsFixtureNow, of which every
// followupsFixtureEvery-th (100 in all, spread over the ids and so over
// the file) is due at followupsFixtureNow. Building it takes a while, so
// it is built once per process and cached in os.TempDir() under a name
// that changes with its content (bump followupsFixtureVersion when
// changing the generator) and with the schema.
const (
	followupsFixtureVersion = "v1"
	followupsFixtureN       = 1_000_000
	followupsFixtureEvery   = 10_000 // one in this many is due
	followupsFixturePeople  = 2_000
	followupsFixturePerTx   = 100_000
)

var (
	followupsFixtureNow  = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	followupsFixtureSpan = 365 * 24 * time.Hour

	followupsFixtureOnce sync.Once
	followupsFixtureFile string
	followupsFixtureErr  error
)

// followupsFixture returns the path of the 1M-follow-ups database,
// building it on first use. Benchmarks only read it.
func followupsFixture(b *testing.B) string {
	b.Helper()
	if testing.Short() {
		b.Skip("the 1M-follow-ups fixture is skipped in -short mode")
	}
	followupsFixtureOnce.Do(func() {
		followupsFixtureFile = filepath.Join(os.TempDir(), fmt.Sprintf("rapport-bench-followups-%s-n%d-schema%d.db", followupsFixtureVersion, followupsFixtureN, schemaVersion()))
		if _, err := os.Stat(followupsFixtureFile); err == nil {
			return
		}
		followupsFixtureErr = buildFollowupsFixture(followupsFixtureFile)
	})
	if followupsFixtureErr != nil {
		b.Fatalf("building the follow-ups fixture: %v", followupsFixtureErr)
	}
	return followupsFixtureFile
}

// genFollowup is the i-th follow-up of the fixture.
func genFollowup(rng *rand.Rand, i int) Followup {
	texts := [...]string{
		"send the deck from Thursday's review",
		"share the onboarding checklist with &lt;new hires&gt;",
		"reply to <@U0000042> about the budget",
		"book a room for the retro",
		"write up the incident timeline",
	}
	person := func() string { return fmt.Sprintf("U%07d", rng.IntN(followupsFixturePeople)) }
	next := followupsFixtureNow.Add(time.Second + time.Duration(rng.Int64N(int64(followupsFixtureSpan))))
	if i%followupsFixtureEvery == 0 {
		next = followupsFixtureNow.Add(-time.Duration(i) * time.Millisecond)
	}
	f := Followup{
		Owner:   person(),
		Text:    texts[rng.IntN(len(texts))],
		Due:     next,
		Created: next.Add(-time.Duration(1+rng.IntN(14*24)) * time.Hour),
		Status:  FollowupOpen,
		Channel: "C0GENERAL",
		NextAt:  next,
	}
	if rng.IntN(10) < 7 { // 70% for someone else
		f.Counterpart = person()
	}
	if rng.IntN(4) == 0 { // a quarter made from a message
		f.Link = fmt.Sprintf("https://example.slack.com/archives/C0GENERAL/p17%014d", i)
	}
	return f
}

// buildFollowupsFixture writes the fixture next to path and renames it
// into place once complete, so an interrupted build is never mistaken for
// one. Records go in id order and index entries sorted, per transaction.
func buildFollowupsFixture(path string) error {
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	defer os.Remove(tmp)
	db, err := Open(tmp, Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for start := 0; start < followupsFixtureN; start += followupsFixturePerTx {
		err := db.update(func(tx kvTx) error {
			b := tx.Bucket(bucketFollowups)
			if bb, ok := b.(boltBucket); ok {
				bb.FillPercent = 0.95 // appended in key order: pack the pages
			}
			var entries []indexEntry
			for i := start; i < min(start+followupsFixturePerTx, followupsFixtureN); i++ {
				f := genFollowup(rng, i)
				if err := followupError(f); err != nil {
					return fmt.Errorf("follow-up %d: %w", i, err)
				}
				id, err := b.NextSequence()
				if err != nil {
					return err
				}
				rec := newFollowupRecord(f)
				if err := putValue(b, idKey(id), rec); err != nil {
					return err
				}
				entries = append(entries, followupIndexEntries(id, rec)...)
			}
			return putIndexEntries(tx, entries)
		})
		if err != nil {
			db.Close()
			return fmt.Errorf("bulk add follow-ups: %w", err)
		}
	}
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// BenchmarkFollowupsDue measures one scheduler pass over follow-ups
// (FollowupsDue with a limit of 1,000) in a store of 1M open follow-ups,
// 100 of them due: the cost must follow the follow-ups due, not those
// stored. Target: under 10 ms.
func BenchmarkFollowupsDue(b *testing.B) {
	path := followupsFixture(b)
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const wantDue = followupsFixtureN / followupsFixtureEvery
	due, err := db.FollowupsDue(followupsFixtureNow, 1000)
	if err != nil || len(due) != wantDue {
		b.Fatalf("FollowupsDue(now, 1000) = %d follow-ups, %v; want %d", len(due), err, wantDue)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if due, err := db.FollowupsDue(followupsFixtureNow, 1000); err != nil || len(due) != wantDue {
			b.Fatalf("FollowupsDue(now, 1000) = %d follow-ups, %v", len(due), err)
		}
	}
	b.ReportMetric(wantDue, "due")
}

// BenchmarkImportFollowups imports an export of 100,000 follow-ups into
// an empty store: one op is one whole import (one transaction). With the
// index entries written in key order it takes seconds; inserted one by
// one in random key order it grows quadratically (see putIndexEntries).
func BenchmarkImportFollowups(b *testing.B) {
	if testing.Short() {
		b.Skip("skipped in -short mode")
	}
	const n = 100_000
	src, err := Open(filepath.Join(b.TempDir(), "src.db"), Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	err = src.update(func(tx kvTx) error {
		bk := tx.Bucket(bucketFollowups)
		var entries []indexEntry
		for i := range n {
			id, err := bk.NextSequence()
			if err != nil {
				return err
			}
			rec := newFollowupRecord(genFollowup(rng, i))
			if err := putValue(bk, idKey(id), rec); err != nil {
				return err
			}
			entries = append(entries, followupIndexEntries(id, rec)...)
		}
		return putIndexEntries(tx, entries)
	})
	if err != nil {
		b.Fatal(err)
	}
	var doc bytes.Buffer
	if err := src.Export(&doc, followupsFixtureNow); err != nil {
		b.Fatal(err)
	}
	if err := src.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(doc.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		dst, err := Open(filepath.Join(b.TempDir(), fmt.Sprintf("dst%d.db", i)), Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := dst.Import(bytes.NewReader(doc.Bytes()))
		if err != nil || st.Followups != n {
			b.Fatalf("Import = %+v, %v; want %d follow-ups", st, err, n)
		}
		b.StopTimer()
		if err := dst.Close(); err != nil {
			b.Fatal(err)
		}
		os.Remove(dst.Path())
		b.StartTimer()
	}
}
