package store_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// The kudos fixture: a large workspace's two years of kudos. Building it
// takes a while, so it is built once per process and cached in
// os.TempDir() under a name that changes with its content (bump
// kudosFixtureVersion when changing the generator) and with the schema.
const (
	kudosFixtureVersion = "v1"
	kudosFixtureN       = 1_000_000
	kudosFixturePeople  = 2_000
)

var (
	kudosFixtureFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	kudosFixtureSpan = 2 * 365 * 24 * time.Hour

	kudosFixtureOnce sync.Once
	kudosFixtureFile string
	kudosFixtureErr  error
)

// kudosFixture returns the path of the 1M-kudos database, building it on
// first use. Benchmarks open it read-only in spirit: nothing writes to it.
func kudosFixture(b *testing.B) string {
	b.Helper()
	if testing.Short() {
		b.Skip("the 1M-kudos fixture is skipped in -short mode")
	}
	kudosFixtureOnce.Do(func() {
		kudosFixtureFile = filepath.Join(os.TempDir(), fmt.Sprintf("rapport-bench-kudos-%s-n%d-schema%d.db", kudosFixtureVersion, kudosFixtureN, store.SchemaVersion()))
		if _, err := os.Stat(kudosFixtureFile); err == nil {
			return
		}
		kudosFixtureErr = buildKudosFixture(kudosFixtureFile)
	})
	if kudosFixtureErr != nil {
		b.Fatalf("building the kudos fixture: %v", kudosFixtureErr)
	}
	return kudosFixtureFile
}

// buildKudosFixture writes the fixture next to path and renames it into
// place once complete, so an interrupted build is never mistaken for one.
func buildKudosFixture(path string) error {
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	defer os.Remove(tmp)
	db, err := store.Open(tmp, store.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	values := []string{"teamwork", "craft", "care", "courage", "curiosity", "ownership", "clarity", "kindness"}
	texts := []string{
		"for untangling the deploy on Friday",
		"for the patient review of my first pull request",
		"for stepping in at the customer call when I was stuck",
		"for the onboarding doc: it saved me a week",
	}
	person := func() string { return fmt.Sprintf("U%07d", rng.IntN(kudosFixturePeople)) }
	step := kudosFixtureSpan / kudosFixtureN
	gen := func(i int) store.Kudos {
		k := store.Kudos{
			Giver:   person(),
			Text:    texts[rng.IntN(len(texts))],
			Channel: "C0GENERAL",
			Private: rng.IntN(10) == 0,
			At:      kudosFixtureFrom.Add(time.Duration(i) * step),
		}
		// 70% thank one person, 20% two, 10% three.
		n := 1
		if r := rng.IntN(10); r >= 9 {
			n = 3
		} else if r >= 7 {
			n = 2
		}
		for range n {
			k.Receivers = append(k.Receivers, person())
		}
		for range rng.IntN(3) {
			k.Values = append(k.Values, values[rng.IntN(len(values))])
		}
		return k
	}
	if err := store.BulkAddKudos(db, kudosFixtureN, 50_000, gen); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// BenchmarkKudosStatsWeek measures the weekly leaderboard of a
// 1M-kudos store (~9,600 kudos that week), top 10. Target: under 20 ms.
func BenchmarkKudosStatsWeek(b *testing.B) {
	path := kudosFixture(b)
	db, err := store.Open(path, store.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	from := kudosFixtureFrom.AddDate(1, 0, 0) // a week in the middle
	to := from.AddDate(0, 0, 7)
	st, err := db.KudosStats(from, to, 10)
	if err != nil || st.Total == 0 || len(st.Receivers) != 10 {
		b.Fatalf("KudosStats(week) = %d kudos, %d receivers, %v; want a full leaderboard", st.Total, len(st.Receivers), err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.KudosStats(from, to, 10); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Total), "public-kudos/week")
}

// BenchmarkKudosBetweenWeek reads the same week's kudos as whole records
// (KudosBetween, which decodes each JSON record): the cost KudosStats
// avoids by reading only the summaries in kudos_by_time.
func BenchmarkKudosBetweenWeek(b *testing.B) {
	path := kudosFixture(b)
	db, err := store.Open(path, store.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	from := kudosFixtureFrom.AddDate(1, 0, 0)
	to := from.AddDate(0, 0, 7)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		ks, err := db.KudosBetween(from, to)
		if err != nil {
			b.Fatal(err)
		}
		n = len(ks)
	}
	b.ReportMetric(float64(n), "kudos/week")
}

// BenchmarkGiveKudosConcurrent has 50 givers give kudos at once, each in
// its own goroutine, within their allowance (5 a day, all used), each with
// the effects the bot commits with it (kudosEffects): through
// GiveKudos (shared commits, db.Batch) and through the same work with one
// db.Update per kudos. One op is one kudos; kudos/s is the throughput.
func BenchmarkGiveKudosConcurrent(b *testing.B) {
	const givers = 50
	modes := []struct {
		name string
		give func(db *store.DB, k store.Kudos, a store.Allowance, effects func(store.Kudos) store.Effects) (store.Kudos, int, error)
	}{
		{"Batch", (*store.DB).GiveKudos},
		{"UpdatePerKudos", (*store.DB).GiveKudosUpdate},
	}
	for _, mode := range modes {
		b.Run(mode.name, func(b *testing.B) {
			db := storetest.MustOpen(b)
			day0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var left atomic.Int64
			left.Store(int64(b.N))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for g := range givers {
				wg.Go(func() {
					giver := fmt.Sprintf("UG%02d", g)
					for n := 0; left.Add(-1) >= 0; n++ {
						// The 5 kudos of a day are 4h48m apart: never refused.
						at := day0.Add(time.Duration(n) * 24 * time.Hour / 5)
						from := at.Truncate(24 * time.Hour)
						k := store.Kudos{Giver: giver, Receivers: []string{fmt.Sprintf("UR%02d", (g+n)%givers)}, Text: "for the review", Values: []string{"craft"}, At: at}
						if _, _, err := mode.give(db, k, store.Allowance{Limit: 5, From: from, To: from.Add(24 * time.Hour)}, kudosEffects); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "kudos/s")
		})
	}
}

// kudosEffects are the effects the bot commits with a kudos: the pairs
// in touch, the public post, and a DM and a Home refresh per receiver.
func kudosEffects(k store.Kudos) store.Effects {
	e := store.Effects{Outbox: []store.Outgoing{{Key: fmt.Sprintf("kudos:%d:post", k.ID), Channel: "CGENERAL", Text: "Kudos " + k.Text}}}
	for _, r := range k.Receivers {
		e.InTouch = append(e.InTouch, store.InTouch{A: k.Giver, B: r, At: k.At, Kind: store.InTouchKudos})
		e.Outbox = append(e.Outbox,
			store.Outgoing{Key: fmt.Sprintf("kudos:%d:dm:%s", k.ID, r), User: r, Kind: store.DMKudos, Text: "You got kudos " + k.Text, RespectHours: true, After: fmt.Sprintf("kudos:%d:post", k.ID)},
			store.Outgoing{Key: fmt.Sprintf("home:%s:kudos:%d", r, k.ID), User: r, Text: "Home refresh"})
	}
	return e
}

// BenchmarkDueOutgoing measures one drain of the outbox (DueOutgoing with
// a limit of 100) when 100 items are due and the rest of the queue waits
// for later: the cost must follow the due items, not the queue.
func BenchmarkDueOutgoing(b *testing.B) {
	for _, queue := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("Queue=%d", queue), func(b *testing.B) {
			db := storetest.MustOpenWith(b, store.Options{Now: fixedNow(base)})
			gen := func(i int) store.Outgoing {
				// Every 100th of the first 10,000 ids (or all of a small
				// queue's first) is due; the others wait an hour or more.
				notBefore := base.Add(time.Hour + time.Duration(i)*time.Second)
				if due := queue / 100; i%due == 0 {
					notBefore = base.Add(-time.Duration(i) * time.Millisecond)
				}
				return store.Outgoing{Key: fmt.Sprintf("kudos:%d:dm:U%d", i, i%500), User: fmt.Sprintf("U%d", i%500), Kind: "kudos",
					Text: "You got kudos from <@U1> for untangling the deploy", NotBefore: notBefore, RespectHours: true}
			}
			if err := store.BulkEnqueue(db, queue, gen); err != nil {
				b.Fatal(err)
			}
			if due, err := db.DueOutgoing(base, 0); err != nil || len(due) != 100 {
				b.Fatalf("DueOutgoing = %d items, %v; want 100 due", len(due), err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if due, err := db.DueOutgoing(base, 100); err != nil || len(due) != 100 {
					b.Fatalf("DueOutgoing = %d items, %v", len(due), err)
				}
			}
		})
	}
}
