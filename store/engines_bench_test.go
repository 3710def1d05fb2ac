package store_test

// Benchmarks of the two engines side by side: each Benchmark func runs the
// same work on bbolt ("bolt", a file in a temporary directory, synced on
// commit as in production) and on etcd ("etcd", a member running inside
// the test process; its members skip fsync, see etcdtest). They run only
// with -bench, for example (starting a cluster takes seconds, so that
// one gets few rounds):
//
//	go test -run '^$' -bench 'Engines[^S]' -benchtime 2000x ./store/
//	go test -run '^$' -bench 'EnginesStart' -benchtime 5x ./store/
//
// The etcd side uses the process-wide member unless
// RAPPORT_BENCH_ETCD_MEMBERS asks for a cluster of that many members
// (started once per Benchmark func). TestEnginesMonth, the size of a
// month of a team's data, runs only with RAPPORT_BENCH_MONTH=1.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
)

// etcdFixtureWrites is how many writes a fixture loader puts in one etcd
// transaction: under etcd's default of 128 operations per transaction.
const etcdFixtureWrites = 100

// benchEngines opens empty stores on either engine for one Benchmark func.
type benchEngines struct {
	once    sync.Once
	cluster *etcdtest.Cluster
	err     error
	n       atomic.Int64
}

// engineNames are the sub-benchmarks of every Benchmark func, in order.
// The write benchmarks add "bolt-nosync", bbolt without its fsync, to
// compare like with like: the test members of etcd do not fsync either.
var (
	engineNames      = []string{"bolt", "etcd"}
	writeEngineNames = []string{"bolt", "bolt-nosync", "etcd"}
)

// open returns a new, empty store on engine ("bolt", "bolt-nosync" or
// "etcd"), closed when tb ends. top is the Benchmark func, which owns the
// etcd cluster when RAPPORT_BENCH_ETCD_MEMBERS asks for one.
func (e *benchEngines) open(top, tb testing.TB, engine string, opts store.Options) *store.DB {
	tb.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	if engine == "bolt" || engine == "bolt-nosync" {
		opts.NoSync = engine == "bolt-nosync"
		db, err := store.Open(filepath.Join(tb.TempDir(), "rapport.db"), opts)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = db.Close() })
		return db
	}
	e.once.Do(func() {
		members, _ := strconv.Atoi(os.Getenv("RAPPORT_BENCH_ETCD_MEMBERS"))
		if members > 1 {
			e.cluster = etcdtest.Start(top, members)
			return
		}
		e.cluster, e.err = etcdtest.Shared()
	})
	if e.err != nil {
		tb.Fatal(e.err)
	}
	cli, err := e.cluster.NewClient()
	if err != nil {
		tb.Fatal(err)
	}
	prefix := fmt.Sprintf("/bench-%d-%d", os.Getpid(), e.n.Add(1))
	db, err := store.OpenEtcdClient(context.Background(), cli, prefix, opts)
	if err != nil {
		_ = cli.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = db.Close()
		// Leave the shared member as we found it: drop the store's keys.
		_, _ = cli.Delete(context.Background(), prefix+"/", clientv3.WithPrefix())
		_ = cli.Close()
	})
	return db
}

// reportLatencies reports the median and the 99th percentile of ds.
func reportLatencies(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(q float64) float64 { return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkEnginesClaimEvent measures one event claim (ClaimEvent of a
// new key: a read and two writes in one transaction, what the bot does
// for every Slack delivery), with its median and 99th-percentile latency.
func BenchmarkEnginesClaimEvent(b *testing.B) {
	var engines benchEngines
	top := b
	for _, engine := range writeEngineNames {
		b.Run(engine, func(b *testing.B) {
			db := engines.open(top, b, engine, store.Options{})
			ds := make([]time.Duration, 0, b.N)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				key := fmt.Sprintf("T0BENCH:Ev%09d", i)
				at := base.Add(time.Duration(i) * time.Millisecond)
				start := time.Now()
				first, err := db.ClaimEvent(key, at)
				ds = append(ds, time.Since(start))
				if err != nil || !first {
					b.Fatalf("ClaimEvent(%s) = %v, %v; want the first claim", key, first, err)
				}
				i++
			}
			reportLatencies(b, ds)
		})
	}
}

// BenchmarkEnginesGiveKudos has 50 givers give kudos at once, each its
// own giver in its own goroutine, without an allowance. One op is one
// kudos; kudos/s is the throughput. Every kudos takes the next id of one
// sequence, so on etcd concurrent gifts conflict and run again:
// retries/op is how often, failed/op how many gave up (ErrTooManyConflicts).
func BenchmarkEnginesGiveKudos(b *testing.B) {
	const givers = 50
	var engines benchEngines
	top := b
	for _, engine := range writeEngineNames {
		b.Run(engine, func(b *testing.B) {
			db := engines.open(top, b, engine, store.Options{})
			day0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			retries0 := store.EtcdRetries(db)
			var left, given, failed atomic.Int64
			left.Store(int64(b.N))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for g := range givers {
				wg.Go(func() {
					giver := fmt.Sprintf("UG%02d", g)
					for n := 0; left.Add(-1) >= 0; n++ {
						k := store.Kudos{Giver: giver, Receivers: []string{fmt.Sprintf("UR%02d", (g+n)%givers)}, Text: "for the review",
							Values: []string{"craft"}, At: day0.Add(time.Duration(n) * time.Minute)}
						_, _, err := db.GiveKudos(k, store.Allowance{Limit: 0}, nil)
						switch {
						case errors.Is(err, store.ErrTooManyConflicts):
							failed.Add(1)
						case err != nil:
							b.Error(err)
							return
						default:
							given.Add(1)
						}
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(given.Load())/elapsed.Seconds(), "kudos/s")
			b.ReportMetric(float64(store.EtcdRetries(db)-retries0)/float64(b.N), "retries/op")
			b.ReportMetric(float64(failed.Load())/float64(b.N), "failed/op")
		})
	}
}

// The leaderboard fixture: 100,000 kudos of a 1,000-person team over 500
// days (200 a day, ~1,400 in the week measured).
const (
	leaderboardKudos  = 100_000
	leaderboardPeople = 1_000
)

var (
	leaderboardFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	leaderboardSpan = 500 * 24 * time.Hour
)

func leaderboardFixture() []store.Kudos {
	rng := rand.New(rand.NewPCG(7, 8))
	values := []string{"teamwork", "craft", "care", "courage", "curiosity", "ownership", "clarity", "kindness"}
	person := func() string { return fmt.Sprintf("U%07d", rng.IntN(leaderboardPeople)) }
	step := leaderboardSpan / leaderboardKudos
	ks := make([]store.Kudos, leaderboardKudos)
	for i := range ks {
		k := store.Kudos{Giver: person(), Text: "for untangling the deploy on Friday", Channel: "C0GENERAL",
			Private: rng.IntN(10) == 0, At: leaderboardFrom.Add(time.Duration(i) * step)}
		n := 1 // 70% thank one person, 20% two, 10% three
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
		ks[i] = k
	}
	return ks
}

// loadFixture opens a store on each engine and fills it with load
// (bbolt in large transactions, etcd in transactions of at most
// etcdFixtureWrites writes), logging how long each took.
func loadFixture(b *testing.B, engines *benchEngines, what string, load func(db *store.DB, maxWrites int) error) map[string]*store.DB {
	b.Helper()
	if testing.Short() {
		b.Skip("the fixture is skipped in -short mode")
	}
	dbs := map[string]*store.DB{}
	for _, engine := range engineNames {
		db := engines.open(b, b, engine, store.Options{})
		maxWrites := etcdFixtureWrites
		if engine == "bolt" {
			maxWrites = 500_000
		}
		start := time.Now()
		if err := load(db, maxWrites); err != nil {
			b.Fatalf("%s: loading %s: %v", engine, what, err)
		}
		b.Logf("%s: loaded %s in %v", engine, what, time.Since(start).Round(time.Millisecond))
		dbs[engine] = db
	}
	return dbs
}

// BenchmarkEnginesKudosStatsWeek measures the week's leaderboard (top 10)
// of a store of 100,000 kudos. Both engines must give the same answer.
func BenchmarkEnginesKudosStatsWeek(b *testing.B) {
	var engines benchEngines
	ks := leaderboardFixture()
	dbs := loadFixture(b, &engines, "100,000 kudos", func(db *store.DB, maxWrites int) error {
		return store.LoadKudos(db, ks, maxWrites)
	})
	from := leaderboardFrom.AddDate(0, 9, 0) // a week in the middle
	to := from.AddDate(0, 0, 7)
	want, err := dbs["bolt"].KudosStats(from, to, 10)
	if err != nil || want.Total == 0 || len(want.Receivers) != 10 {
		b.Fatalf("KudosStats(week) on bolt = %d kudos, %d receivers, %v; want a full leaderboard", want.Total, len(want.Receivers), err)
	}
	for _, engine := range engineNames {
		b.Run(engine, func(b *testing.B) {
			db := dbs[engine]
			if got, err := db.KudosStats(from, to, 10); err != nil || !reflect.DeepEqual(got, want) {
				b.Fatalf("KudosStats(week) on %s = %+v, %v; want %+v as on bolt", engine, got, err, want)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.KudosStats(from, to, 10); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(want.Total), "public-kudos/week")
		})
	}
}

// The follow-up fixture: 100,000 open follow-ups of a 1,000-person team,
// NextAt spread over the year after followupsNow, of which every 1,000th
// (100 in all, spread over the ids) is due at followupsNow.
const (
	dueFixtureN     = 100_000
	dueFixtureEvery = 1_000
)

var followupsNow = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func followupsDueFixture() []store.Followup {
	rng := rand.New(rand.NewPCG(9, 10))
	texts := []string{"send the deck from Thursday's review", "reply to <@U0000042> about the budget", "book a room for the retro"}
	person := func() string { return fmt.Sprintf("U%07d", rng.IntN(leaderboardPeople)) }
	fs := make([]store.Followup, dueFixtureN)
	for i := range fs {
		next := followupsNow.Add(time.Second + time.Duration(rng.Int64N(int64(365*24*time.Hour))))
		if i%dueFixtureEvery == 0 {
			next = followupsNow.Add(-time.Duration(i) * time.Millisecond)
		}
		f := store.Followup{Owner: person(), Text: texts[rng.IntN(len(texts))], Due: next,
			Created: next.Add(-time.Duration(1+rng.IntN(14*24)) * time.Hour), Status: store.FollowupOpen, Channel: "C0GENERAL", NextAt: next}
		if rng.IntN(10) < 7 {
			f.Counterpart = person()
		}
		fs[i] = f
	}
	return fs
}

// BenchmarkEnginesFollowupsDue measures the follow-up tick (FollowupsDue,
// limit 1,000) in a store of 100,000 open follow-ups, 100 of them due.
func BenchmarkEnginesFollowupsDue(b *testing.B) {
	const wantDue = dueFixtureN / dueFixtureEvery
	var engines benchEngines
	fs := followupsDueFixture()
	dbs := loadFixture(b, &engines, "100,000 follow-ups", func(db *store.DB, maxWrites int) error {
		return store.LoadFollowups(db, fs, maxWrites)
	})
	for _, engine := range engineNames {
		b.Run(engine, func(b *testing.B) {
			db := dbs[engine]
			if due, err := db.FollowupsDue(followupsNow, 1000); err != nil || len(due) != wantDue {
				b.Fatalf("FollowupsDue(now, 1000) = %d follow-ups, %v; want %d", len(due), err, wantDue)
			}
			b.ReportAllocs()
			for b.Loop() {
				if due, err := db.FollowupsDue(followupsNow, 1000); err != nil || len(due) != wantDue {
					b.Fatalf("FollowupsDue(now, 1000) = %d follow-ups, %v", len(due), err)
				}
			}
			b.ReportMetric(wantDue, "due")
		})
	}
}

// BenchmarkEnginesStart measures starting an engine: bbolt, opening a new
// store file; etcd, starting the three-member test cluster until it
// serves (etcdtest.Start), and etcd-1 a single member. Stopping is not
// timed.
func BenchmarkEnginesStart(b *testing.B) {
	b.Run("bolt", func(b *testing.B) {
		var took time.Duration
		for i := range b.N {
			path := filepath.Join(b.TempDir(), fmt.Sprintf("start%d.db", i))
			start := time.Now()
			db, err := store.Open(path, store.Options{Timeout: time.Second})
			took += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(took.Microseconds())/1000/float64(b.N), "ms/start")
	})
	for _, members := range []int{3, 1} {
		name := "etcd"
		if members == 1 {
			name = "etcd-1"
		}
		b.Run(name, func(b *testing.B) {
			var took time.Duration
			for range b.N {
				start := time.Now()
				c := etcdtest.Start(b, members)
				took += time.Since(start)
				b.StopTimer()
				c.Stop()
				b.StartTimer()
			}
			b.ReportMetric(float64(took.Microseconds())/1000/float64(b.N), "ms/start")
		})
	}
}

// TestEnginesMonth simulates a month of a 1,000-person team through the
// store's public API on a clock it moves an hour at a time, on both
// engines, and logs the size each engine needs: per day 3,000 event
// claims, 200 kudos, 100 follow-ups made or changed and 2,000 outbox
// items enqueued, claimed and finished; every hour the bot's prune
// (claims older than a day, sent items older than 30 days, etcd's
// history up to the previous hour). On etcd it then compacts the history
// to the end and defragments, logging the member's database size (and the
// part in use) after each; the target is under 100 MiB after compaction.
// It takes minutes, so it runs only with RAPPORT_BENCH_MONTH=1
// (RAPPORT_BENCH_MONTH_DAYS changes the 30 days).
func TestEnginesMonth(t *testing.T) {
	if os.Getenv("RAPPORT_BENCH_MONTH") != "1" {
		t.Skip("set RAPPORT_BENCH_MONTH=1 to simulate a month on both engines (minutes)")
	}
	days := 30
	if d, err := strconv.Atoi(os.Getenv("RAPPORT_BENCH_MONTH_DAYS")); err == nil && d > 0 {
		days = d
	}
	t.Run("bolt", func(t *testing.T) {
		var clock atomic.Int64
		db, err := store.Open(filepath.Join(t.TempDir(), "rapport.db"), store.Options{Now: func() time.Time { return time.Unix(0, clock.Load()).UTC() }})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		simulateMonth(t, db, &clock, days)
		fi, err := os.Stat(db.Path())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("bolt: file %s after %d days", mib(fi.Size()), days)
		if err := db.Compact(); err != nil {
			t.Fatal(err)
		}
		if fi, err = os.Stat(db.Path()); err != nil {
			t.Fatal(err)
		}
		t.Logf("bolt: file %s after Compact", mib(fi.Size()))
	})
	t.Run("etcd", func(t *testing.T) {
		c := etcdtest.Start(t, 1)
		cli := c.Client(t)
		ctx := t.Context()
		var clock atomic.Int64
		db, err := store.OpenEtcdClient(ctx, cli, "/rapport", store.Options{Now: func() time.Time { return time.Unix(0, clock.Load()).UTC() }})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		simulateMonth(t, db, &clock, days)
		ep := c.Endpoints()[0]
		status := func(when string) int64 {
			st, err := cli.Status(ctx, ep)
			if err != nil {
				t.Fatal(err)
			}
			keys, err := cli.Get(ctx, "/rapport/", clientv3.WithPrefix(), clientv3.WithCountOnly())
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("etcd: %s: DbSize %s, DbSizeInUse %s, %d keys, revision %d", when, mib(st.DbSize), mib(st.DbSizeInUse), keys.Count, st.Header.Revision)
			return st.DbSize
		}
		status(fmt.Sprintf("after %d days", days))
		// Twice: the second call compacts to the revision the first saw,
		// which is the last one, since nothing was written in between.
		for range 2 {
			if err := db.CompactHistory(); err != nil {
				t.Fatal(err)
			}
		}
		compacted := status("after a final compaction")
		if _, err := cli.Defragment(ctx, ep); err != nil {
			t.Fatal(err)
		}
		status("after defragment")
		if compacted >= 100<<20 {
			t.Errorf("etcd's database is %s after compaction, want under 100 MiB", mib(compacted))
		}
	})
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// simulateMonth drives db through days of a team's traffic, an hour at a
// time: the hour's operations run on 4 workers (as the bot's handlers and
// outbox workers do), then the hourly prune. clock is the store's Now.
func simulateMonth(t *testing.T, db *store.DB, clock *atomic.Int64, days int) {
	const (
		people         = 1_000
		claimsPerDay   = 3_000
		kudosPerDay    = 200
		followupsDaily = 100 // half made, half changed
		outboxPerDay   = 2_000
		workers        = 4
	)
	perHour := func(perDay, h int) int { return perDay*(h%24+1)/24 - perDay*(h%24)/24 }
	rng := rand.New(rand.NewPCG(11, 12))
	person := func() string { return fmt.Sprintf("U%07d", rng.IntN(people)) }
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var (
		mu        sync.Mutex
		followups []uint64 // ids made so far
		counts    struct{ claims, kudos, refused, fuAdd, fuUpd, outbox, pruned atomic.Int64 }
		seq       int
	)
	began := time.Now()
	retries0 := store.EtcdRetries(db)
	for h := range days * 24 {
		now := start.Add(time.Duration(h) * time.Hour)
		clock.Store(now.UnixNano())
		day := now.Truncate(24 * time.Hour)
		var tasks []func() error
		// Spread an hour's n operations over the hour.
		at := func(i, n int) time.Time { return now.Add(time.Duration(i) * time.Hour / time.Duration(n+1)) }
		n := perHour(claimsPerDay, h)
		for i := range n {
			seq++
			key, when := fmt.Sprintf("T0TEAM:Ev%08d", seq), at(i, n)
			tasks = append(tasks, func() error {
				_, err := db.ClaimEvent(key, when)
				counts.claims.Add(1)
				return err
			})
		}
		n = perHour(kudosPerDay, h)
		for i := range n {
			k := store.Kudos{Giver: person(), Receivers: []string{person()}, Text: "for untangling the deploy on Friday",
				Values: []string{"craft"}, Channel: "C0GENERAL", At: at(i, n)}
			if rng.IntN(4) == 0 {
				k.Receivers = append(k.Receivers, person())
			}
			tasks = append(tasks, func() error {
				_, _, err := db.GiveKudos(k, store.Allowance{Limit: 5, From: day, To: day.Add(24 * time.Hour)}, nil)
				if errors.Is(err, store.ErrAllowanceExceeded) {
					counts.refused.Add(1)
					return nil
				}
				counts.kudos.Add(1)
				return err
			})
		}
		n = perHour(followupsDaily, h)
		for i := range n {
			when := at(i, n)
			mu.Lock()
			made := len(followups)
			mu.Unlock()
			if i%2 == 0 || made == 0 {
				f := store.Followup{Owner: person(), Counterpart: person(), Text: "send the deck from Thursday's review",
					Due: when.Add(72 * time.Hour), Channel: "C0GENERAL"}
				tasks = append(tasks, func() error {
					got, err := db.AddFollowup(f, nil)
					if err == nil {
						mu.Lock()
						followups = append(followups, got.ID)
						mu.Unlock()
						counts.fuAdd.Add(1)
					}
					return err
				})
				continue
			}
			id := followups[rng.IntN(made)]
			tasks = append(tasks, func() error {
				_, err := db.UpdateFollowup(id, func(fu *store.Followup) error {
					if fu.Status == store.FollowupOpen { // done, or snoozed a day if done already
						fu.Status, fu.DoneAt, fu.NextAt, fu.Note = store.FollowupDone, when, time.Time{}, "sent it"
					} else {
						fu.Status, fu.DoneAt, fu.NextAt = store.FollowupOpen, time.Time{}, when.Add(24*time.Hour)
					}
					return nil
				}, nil)
				counts.fuUpd.Add(1)
				return err
			})
		}
		n = perHour(outboxPerDay, h)
		for i := range n {
			seq++
			user, when := person(), at(i, n)
			o := store.Outgoing{Key: fmt.Sprintf("kudos:%d:dm:%s", seq, user), User: user, Kind: store.DMKudos,
				Text: "You got kudos from <@U0000001> for untangling the deploy on Friday", RespectHours: true}
			tasks = append(tasks, func() error {
				item, _, err := db.Enqueue(o)
				if err != nil {
					return err
				}
				if _, err := db.ClaimOutgoing(item.ID, when); err != nil {
					return err
				}
				counts.outbox.Add(1)
				return db.FinishOutgoing(item.ID, fmt.Sprintf("%d.000100", when.Unix()), when.Add(time.Second))
			})
		}
		if err := runTasks(tasks, workers); err != nil {
			t.Fatalf("hour %d: %v", h, err)
		}
		// The bot's hourly prune, at the end of the hour.
		end := now.Add(time.Hour)
		clock.Store(end.UnixNano())
		pe, err := db.PruneEvents(end.Add(-24 * time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		po, err := db.PruneOutgoing(end.Add(-30 * 24 * time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		counts.pruned.Add(int64(pe + po))
		if err := db.CompactHistory(); err != nil {
			t.Fatal(err)
		}
		if h%(24*5) == 24*5-1 {
			t.Logf("day %d done after %v", h/24+1, time.Since(began).Round(time.Second))
		}
	}
	t.Logf("%d days in %v: %d claims, %d kudos (%d refused by the allowance), %d follow-ups made and %d changed, %d outbox items sent, %d records pruned, %d etcd retries",
		days, time.Since(began).Round(time.Second), counts.claims.Load(), counts.kudos.Load(), counts.refused.Load(),
		counts.fuAdd.Load(), counts.fuUpd.Load(), counts.outbox.Load(), counts.pruned.Load(), store.EtcdRetries(db)-retries0)
}

// runTasks runs tasks on n goroutines and returns the first error.
func runTasks(tasks []func() error, n int) error {
	var next atomic.Int64
	errs := make(chan error, n)
	for range n {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tasks) {
					errs <- nil
					return
				}
				if err := tasks[i](); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
