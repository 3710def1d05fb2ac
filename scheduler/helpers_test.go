package scheduler_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/rapport-bot/rapport/scheduler"
)

// fakeStore is an in-memory scheduler.RunStore with the contract of
// *store.DB: the recorded time never moves backwards. (The scheduler tests
// use it instead of a bbolt file because they also run inside synctest
// bubbles, and the store package is being written alongside.)
type fakeStore struct {
	mu   sync.Mutex
	last map[string]time.Time
	err  error // returned by every method when set
}

func newFakeStore() *fakeStore { return &fakeStore{last: make(map[string]time.Time)} }

func (f *fakeStore) JobLastRun(name string) (time.Time, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return time.Time{}, false, f.err
	}
	at, ok := f.last[name]
	return at, ok, nil
}

func (f *fakeStore) RecordJobRun(name string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if old, ok := f.last[name]; ok && !at.After(old) {
		return nil
	}
	f.last[name] = at.UTC() // as the real store keeps it
	return nil
}

// set stores a last run directly, as if an earlier process had recorded it.
func (f *fakeStore) set(name string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last[name] = at.UTC()
}

func (f *fakeStore) get(name string) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	at, ok := f.last[name]
	return at, ok
}

// run is one call of a job body.
type run struct {
	job string
	at  time.Time
}

// recorder collects job calls, in the order they happened, from any
// goroutine.
type recorder struct {
	mu   sync.Mutex
	runs []run
}

// job returns a Run func that records its call and then returns what fn
// returns (nil when fn is nil).
func (r *recorder) job(name string, fn func(ctx context.Context, at time.Time) error) func(context.Context, time.Time) error {
	return func(ctx context.Context, at time.Time) error {
		r.mu.Lock()
		r.runs = append(r.runs, run{name, at})
		r.mu.Unlock()
		if fn == nil {
			return nil
		}
		return fn(ctx, at)
	}
}

func (r *recorder) all() []run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]run(nil), r.runs...)
}

// of returns the instants the named job ran for.
func (r *recorder) of(name string) []time.Time {
	var ats []time.Time
	for _, c := range r.all() {
		if c.job == name {
			ats = append(ats, c.at)
		}
	}
	return ats
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// mustNew returns a Scheduler on st with a test logger; opts fills in the
// rest (Location defaults to UTC).
func mustNew(t testing.TB, st scheduler.RunStore, opts scheduler.Options) *scheduler.Scheduler {
	t.Helper()
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Log == nil {
		opts.Log = testLogger(t)
	}
	s, err := scheduler.New(st, opts)
	if err != nil {
		t.Fatalf("scheduler.New: %v", err)
	}
	return s
}

func mustRegister(t testing.TB, s *scheduler.Scheduler, jobs ...scheduler.Job) {
	t.Helper()
	for _, j := range jobs {
		if err := s.Register(j); err != nil {
			t.Fatalf("Register(%q): %v", j.Name, err)
		}
	}
}

// mustStop stops s, failing the test if running jobs do not end within a
// minute (of the bubble's clock, inside synctest).
func mustStop(t testing.TB, s *scheduler.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// runCounts returns rapport_job_runs_total for job, by result.
func runCounts(t testing.TB, g prometheus.Gatherer, job string) map[string]float64 {
	t.Helper()
	counts := make(map[string]float64)
	for _, m := range gather(t, g, "rapport_job_runs_total") {
		if label(m, "job") == job {
			counts[label(m, "result")] = m.GetCounter().GetValue()
		}
	}
	return counts
}

// durationCount returns how many runs of job rapport_job_duration_seconds
// observed.
func durationCount(t testing.TB, g prometheus.Gatherer, job string) uint64 {
	t.Helper()
	for _, m := range gather(t, g, "rapport_job_duration_seconds") {
		if label(m, "job") == job {
			return m.GetHistogram().GetSampleCount()
		}
	}
	return 0
}

func gather(t testing.TB, g prometheus.Gatherer, name string) []*dto.Metric {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()
		}
	}
	return nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
