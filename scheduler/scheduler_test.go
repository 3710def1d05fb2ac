package scheduler_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	_ "time/tzdata" // Europe/Berlin on hosts without a zoneinfo database

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/rapport-bot/rapport/scheduler"
)

func nop(context.Context, time.Time) error { return nil }

func TestParseSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec string
		ok   bool
	}{
		{"0 10 * * MON", true},
		{"*/5 9-17 * * MON-FRI", true},
		{"0 16 * * FRI", true},
		{"@every 1m", true},
		{"@every 10s", true},
		{"@weekly", true},
		{"@hourly", true},
		{"TZ=Europe/Berlin 0 10 * * *", true},
		{"0 0 29 2 *", true}, // rare, but fires
		{"", false},
		{"0 10 * *", false},        // 4 fields
		{"0 0 10 * * MON", false},  // 6 fields: no seconds field
		{"61 * * * *", false},      // minute out of range
		{"0 10 * * FUNDAY", false}, // bad weekday
		{"@every", false},          // no duration
		{"@every 1x", false},       // bad duration
		{"@fortnightly", false},    // unknown descriptor
		{"TZ=Nowhere/City 0 10 * * *", false},
		{"TZ=UTC", false},     // panics inside cron v3.0.1
		{"0 0 30 2 *", false}, // never fires
	}
	for _, tt := range tests {
		_, err := scheduler.ParseSpec(tt.spec)
		if (err == nil) != tt.ok {
			t.Errorf("ParseSpec(%q) = %v, want ok=%v", tt.spec, err, tt.ok)
			continue
		}
		if err != nil && !strings.HasPrefix(err.Error(), "scheduler: ") {
			t.Errorf("ParseSpec(%q) = %q, want a \"scheduler: \" prefix", tt.spec, err)
		}
	}
}

func TestRegisterErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		job  scheduler.Job
		want []string // substrings of the error
		wrap bool     // the error wraps cron's
	}{
		{"empty name", scheduler.Job{Spec: "@every 1m", Run: nop}, []string{"empty name"}, false},
		{"nil Run", scheduler.Job{Name: "tick", Spec: "@every 1m"}, []string{`"tick"`, "nil Run"}, false},
		{"duplicate", scheduler.Job{Name: "coffee", Spec: "@every 1m", Run: nop}, []string{`"coffee"`, "duplicate"}, false},
		{"bad spec", scheduler.Job{Name: "digest", Spec: "0 16 * FRI", Run: nop}, []string{`"digest"`, `"0 16 * FRI"`, "expected exactly 5 fields"}, true},
		{"bad descriptor", scheduler.Job{Name: "digest", Spec: "@every soon", Run: nop}, []string{`"digest"`, "soon"}, true},
		{"empty spec", scheduler.Job{Name: "digest", Run: nop}, []string{`"digest"`, "empty spec"}, true},
	}
	for _, tt := range tests {
		s := mustNew(t, newFakeStore(), scheduler.Options{})
		mustRegister(t, s, scheduler.Job{Name: "coffee", Spec: "0 10 * * MON", Run: nop})
		err := s.Register(tt.job)
		if err == nil {
			t.Errorf("%s: Register(%+v) = nil, want an error", tt.name, tt.job)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Register error %q does not contain %q", tt.name, err, w)
			}
		}
		if tt.wrap && errors.Unwrap(err) == nil {
			t.Errorf("%s: Register error %q wraps nothing, want cron's error", tt.name, err)
		}
	}
}

// Ensure New refuses bad arguments at once, naming what is wrong, rather
// than return a Scheduler that crashes, runs in the host's zone, or fails
// only later at Register or Start.
func TestNewOptionErrors(t *testing.T) {
	t.Parallel()
	log := testLogger(t)
	// A registry where another collector already holds the job-runs name
	// with other labels: the scheduler's metrics cannot be registered.
	taken := prometheus.NewRegistry()
	taken.MustRegister(prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_job_runs_total", Help: "other"}, []string{"other"}))
	tests := []struct {
		name string
		st   scheduler.RunStore
		opts scheduler.Options
		want string
	}{
		{"no store", nil, scheduler.Options{Location: time.UTC, Log: log}, "no RunStore"},
		{"no location", newFakeStore(), scheduler.Options{Log: log}, "Location is required"},
		{"time.Local", newFakeStore(), scheduler.Options{Location: time.Local, Log: log}, "not time.Local"},
		{"no logger", newFakeStore(), scheduler.Options{Location: time.UTC}, "Log is required"},
		{"metrics conflict", newFakeStore(), scheduler.Options{Location: time.UTC, Log: log, Registerer: taken}, "rapport_job_runs_total"},
	}
	for _, tt := range tests {
		s, err := scheduler.New(tt.st, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error = %v, want one saying %q", tt.name, err, tt.want)
		}
		if s != nil {
			t.Errorf("%s: New returned a Scheduler beside its error", tt.name)
		}
	}
	// Good arguments, sharing a registry with another scheduler as tests
	// and the sandbox do, are accepted.
	shared := prometheus.NewRegistry()
	for range 2 {
		if _, err := scheduler.New(newFakeStore(), scheduler.Options{Location: time.UTC, Log: log, Registerer: shared}); err != nil {
			t.Errorf("New with good arguments = %v, want nil", err)
		}
	}
}

// Ensure RunDue runs each instant of a week once, with at = the instant in
// the scheduler's zone, in time order across jobs, and records the last.
func TestRunDueWeek(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	st := newFakeStore()
	s := mustNew(t, st, scheduler.Options{Location: berlin})
	var rec recorder
	mustRegister(t, s,
		scheduler.Job{Name: "coffee", Spec: "0 10 * * MON", Run: rec.job("coffee", nil)},
		scheduler.Job{Name: "tick", Spec: "@every 1h", Run: rec.job("tick", nil)},
	)
	from := time.Date(2026, 3, 8, 0, 0, 0, 0, berlin) // a Sunday, no DST change that week
	to := from.Add(7 * 24 * time.Hour)

	if err := s.RunDue(t.Context(), from, to); err != nil {
		t.Fatalf("RunDue(%v, %v): %v", from, to, err)
	}

	wantCoffee := time.Date(2026, 3, 9, 10, 0, 0, 0, berlin)
	if got := rec.of("coffee"); len(got) != 1 || !got[0].Equal(wantCoffee) || got[0].Location() != berlin {
		t.Errorf("coffee ran at %v, want once at %v in Europe/Berlin", got, wantCoffee)
	}
	ticks := rec.of("tick")
	if len(ticks) != 168 {
		t.Errorf("tick ran %d times, want 168", len(ticks))
	}
	for i, at := range ticks {
		if want := from.Add(time.Duration(i+1) * time.Hour); !at.Equal(want) {
			t.Errorf("tick run %d at %v, want %v", i, at, want)
			break
		}
	}
	all := rec.all()
	if !slices.IsSortedFunc(all, func(a, b run) int { return a.at.Compare(b.at) }) {
		t.Errorf("runs are not in time order: %v", all)
	}
	// Monday 10:00 is an instant of both jobs: registration order breaks the tie.
	i := slices.IndexFunc(all, func(r run) bool { return r.job == "coffee" })
	if i+1 >= len(all) || all[i+1].job != "tick" || !all[i+1].at.Equal(wantCoffee) {
		t.Errorf("coffee at index %d is not followed by the tick at the same instant: %v", i, all[max(i-1, 0):min(i+2, len(all))])
	}

	if got, ok := st.get("coffee"); !ok || !got.Equal(wantCoffee) {
		t.Errorf("coffee last run = %v, %v; want %v", got, ok, wantCoffee)
	}
	if got, ok := st.get("tick"); !ok || !got.Equal(to) {
		t.Errorf("tick last run = %v, %v; want %v", got, ok, to)
	}
}

// Ensure an "@every" job's instants continue from its last run across
// windows shorter than its period, as cron's continue from its last
// firing: four 30-minute windows run an hourly job twice, on the hour.
func TestRunDueEveryContinues(t *testing.T) {
	t.Parallel()
	s := mustNew(t, newFakeStore(), scheduler.Options{})
	var rec recorder
	mustRegister(t, s, scheduler.Job{Name: "hourly", Spec: "@every 1h", Run: rec.job("hourly", nil)})
	start := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	for i := range 4 {
		from := start.Add(time.Duration(i) * 30 * time.Minute)
		if err := s.RunDue(t.Context(), from, from.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Time{start.Add(time.Hour), start.Add(2 * time.Hour)}
	if got := rec.of("hourly"); !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("hourly ran at %v, want %v", got, want)
	}
	// After a gap of days, the grid of the last run still holds.
	later := start.Add(72*time.Hour + 20*time.Minute)
	if err := s.RunDue(t.Context(), later, later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := rec.of("hourly"); len(got) != 3 || !got[2].Equal(start.Add(73*time.Hour)) {
		t.Errorf("after a gap, hourly ran at %v, want a third run at %v", got, start.Add(73*time.Hour))
	}
}

// Ensure RunDueSteps calls step once per distinct instant, in order, with
// the jobs of that instant run only when step calls run, and joins what
// the steps return.
func TestRunDueSteps(t *testing.T) {
	t.Parallel()
	s := mustNew(t, newFakeStore(), scheduler.Options{})
	var rec recorder
	mustRegister(t, s,
		scheduler.Job{Name: "a", Spec: "@every 1h", Run: rec.job("a", nil)},
		scheduler.Job{Name: "b", Spec: "0 */2 * * *", Run: rec.job("b", func(context.Context, time.Time) error { return errBoom })},
	)
	from := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	var steps []time.Time
	var ranBefore []int
	err := s.RunDueSteps(t.Context(), from, from.Add(4*time.Hour), func(at time.Time, run func() error) error {
		steps = append(steps, at)
		ranBefore = append(ranBefore, len(rec.all()))
		if at.Hour() == 3 {
			return errors.New("skipped 03:00") // its job does not run
		}
		return run()
	})
	want := []time.Time{from.Add(time.Hour), from.Add(2 * time.Hour), from.Add(3 * time.Hour), from.Add(4 * time.Hour)}
	if !slices.EqualFunc(steps, want, time.Time.Equal) {
		t.Errorf("steps at %v, want one per distinct instant %v", steps, want)
	}
	if !slices.Equal(ranBefore, []int{0, 1, 3, 3}) {
		t.Errorf("runs recorded before each step = %v, want [0 1 3 3]: a step's jobs run inside it", ranBefore)
	}
	if got := rec.of("a"); len(got) != 3 {
		t.Errorf("a ran at %v, want 01:00, 02:00 and 04:00", got)
	}
	if err == nil || !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "skipped 03:00") {
		t.Errorf("RunDueSteps = %v, want the jobs' errors and the step's joined", err)
	}
}

// Ensure RunDue refuses a window with too many instants before running any.
func TestRunDueTooMany(t *testing.T) {
	t.Parallel()
	s := mustNew(t, newFakeStore(), scheduler.Options{})
	var rec recorder
	mustRegister(t, s, scheduler.Job{Name: "tick", Spec: "@every 1s", Run: rec.job("tick", nil)})
	from := time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC)
	err := s.RunDue(t.Context(), from, from.Add(48*time.Hour))
	if err == nil || !strings.Contains(err.Error(), `"tick"`) {
		t.Errorf("RunDue over 172,800 instants = %v, want an error naming the job", err)
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("RunDue ran %d instants before failing, want 0", n)
	}
}

var errBoom = errors.New("boom")

// Ensure failed and panicking runs are reported, counted and not recorded,
// and that the scheduler keeps working after a panic.
func TestFailureAndPanic(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	reg := prometheus.NewRegistry()
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	s := mustNew(t, st, scheduler.Options{Now: func() time.Time { return now }, Registerer: reg})
	mustRegister(t, s,
		scheduler.Job{Name: "fail", Spec: "@every 1h", Run: func(context.Context, time.Time) error { return errBoom }},
		scheduler.Job{Name: "panic", Spec: "@every 1h", Run: func(context.Context, time.Time) error { panic(errBoom) }},
		scheduler.Job{Name: "ok", Spec: "@every 1h", Run: nop},
	)

	t.Run("failing job is not recorded", func(t *testing.T) {
		err := s.RunNow(t.Context(), "fail")
		if !errors.Is(err, errBoom) {
			t.Errorf("RunNow(fail) = %v, want errBoom", err)
		}
		if at, ok := st.get("fail"); ok {
			t.Errorf("fail recorded at %v, want no record", at)
		}
	})
	t.Run("panicking job is recovered and not recorded", func(t *testing.T) {
		for range 2 { // twice: a recovered panic must not leave the job marked as running
			err := s.RunNow(t.Context(), "panic")
			if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "panic") {
				t.Errorf("RunNow(panic) = %v, want a panic error wrapping errBoom", err)
			}
		}
		if at, ok := st.get("panic"); ok {
			t.Errorf("panic recorded at %v, want no record", at)
		}
	})
	t.Run("scheduler keeps working", func(t *testing.T) {
		if err := s.RunNow(t.Context(), "ok"); err != nil {
			t.Errorf("RunNow(ok) = %v", err)
		}
		if at, ok := st.get("ok"); !ok || !at.Equal(now) {
			t.Errorf("ok recorded = %v, %v; want %v", at, ok, now)
		}
		from := now
		if err := s.RunDue(t.Context(), from, from.Add(time.Hour)); !errors.Is(err, errBoom) {
			t.Errorf("RunDue = %v, want the joined errors of fail and panic", err)
		}
		if at, _ := st.get("ok"); !at.Equal(from.Add(time.Hour)) {
			t.Errorf("ok recorded at %v after RunDue, want %v", at, from.Add(time.Hour))
		}
	})
	t.Run("counted by result", func(t *testing.T) {
		want := map[string]map[string]float64{
			"fail":  {"ok": 0, "error": 2, "panic": 0, "skipped": 0},
			"panic": {"ok": 0, "error": 0, "panic": 3, "skipped": 0},
			"ok":    {"ok": 2, "error": 0, "panic": 0, "skipped": 0},
		}
		for job, w := range want {
			if got := runCounts(t, reg, job); !maps.Equal(got, w) {
				t.Errorf("rapport_job_runs_total{job=%q} = %v, want %v", job, got, w)
			}
		}
	})
	t.Run("unknown job", func(t *testing.T) {
		if err := s.RunNow(t.Context(), "nope"); !errors.Is(err, scheduler.ErrUnknownJob) {
			t.Errorf("RunNow(nope) = %v, want ErrUnknownJob", err)
		}
	})
}

// Ensure a run that cannot be recorded is an error, not a silent success.
func TestRecordFailure(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	errDisk := errors.New("disk full")
	st.err = errDisk
	reg := prometheus.NewRegistry()
	s := mustNew(t, st, scheduler.Options{Registerer: reg})
	mustRegister(t, s, scheduler.Job{Name: "ok", Spec: "@every 1h", Run: nop})
	if err := s.RunNow(t.Context(), "ok"); !errors.Is(err, errDisk) {
		t.Errorf("RunNow with a failing store = %v, want errDisk", err)
	}
	if got := runCounts(t, reg, "ok")["error"]; got != 1 {
		t.Errorf("error count = %v, want 1", got)
	}
}

// Ensure a run that overlaps a running run of the same job is skipped, from
// RunNow and from RunDue, and counted as skipped.
func TestOverlapSkipped(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	reg := prometheus.NewRegistry()
	s := mustNew(t, st, scheduler.Options{Registerer: reg})
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	var rec recorder
	mustRegister(t, s,
		scheduler.Job{Name: "slow", Spec: "@every 1h", Run: rec.job("slow", func(ctx context.Context, _ time.Time) error {
			once.Do(func() { close(started) })
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})},
		scheduler.Job{Name: "other", Spec: "@every 1h", Run: rec.job("other", nil)},
	)

	first := make(chan error, 1)
	go func() { first <- s.RunNow(t.Context(), "slow") }()
	<-started

	if err := s.RunNow(t.Context(), "slow"); !errors.Is(err, scheduler.ErrJobRunning) {
		t.Errorf("concurrent RunNow(slow) = %v, want ErrJobRunning", err)
	}
	from := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	if err := s.RunDue(t.Context(), from, from.Add(time.Hour)); !errors.Is(err, scheduler.ErrJobRunning) {
		t.Errorf("concurrent RunDue = %v, want ErrJobRunning for slow", err)
	}
	if n := len(rec.of("other")); n != 1 {
		t.Errorf("other ran %d times during the overlap, want 1 (only slow is busy)", n)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("first RunNow(slow) = %v", err)
	}
	if n := len(rec.of("slow")); n != 1 {
		t.Errorf("slow ran %d times, want 1", n)
	}
	if got := runCounts(t, reg, "slow"); got["skipped"] != 2 || got["ok"] != 1 {
		t.Errorf("rapport_job_runs_total{job=slow} = %v, want skipped=2 ok=1", got)
	}
	if n := durationCount(t, reg, "slow"); n != 1 {
		t.Errorf("rapport_job_duration_seconds{job=slow} count = %d, want 1 (skips are not timed)", n)
	}
}

// Ensure Start catches up at most one missed run per CatchUp job, in time
// order, for the latest missed instant, and sets a baseline for jobs that
// never ran. Inside synctest so that cron, started for real, cannot fire.
func TestCatchUp(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := time.Date(2026, 3, 16, 12, 0, 0, 0, berlin) // a Monday
	weekAgo := now.Add(-7 * 24 * time.Hour)
	tests := []struct {
		name     string
		job      scheduler.Job // Run is filled in
		last     time.Time     // zero: none stored
		wantRuns []time.Time
		wantLast time.Time // zero: none stored
	}{
		{
			name:     "a week down runs once for the latest missed instant",
			job:      scheduler.Job{Name: "daily", Spec: "0 9 * * *", CatchUp: true},
			last:     time.Date(2026, 3, 9, 9, 0, 0, 0, berlin),
			wantRuns: []time.Time{time.Date(2026, 3, 16, 9, 0, 0, 0, berlin)},
			wantLast: time.Date(2026, 3, 16, 9, 0, 0, 0, berlin),
		},
		{
			name:     "never ran records now as the baseline and does not run",
			job:      scheduler.Job{Name: "coffee", Spec: "0 10 * * MON", CatchUp: true},
			wantLast: now,
		},
		{
			name:     "up to date does not run",
			job:      scheduler.Job{Name: "coffee", Spec: "0 10 * * MON", CatchUp: true},
			last:     time.Date(2026, 3, 16, 10, 0, 0, 0, berlin),
			wantLast: time.Date(2026, 3, 16, 10, 0, 0, 0, berlin),
		},
		{
			name:     "without CatchUp a missed run waits for cron",
			job:      scheduler.Job{Name: "tick", Spec: "@every 1m"},
			last:     weekAgo,
			wantLast: weekAgo,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st := newFakeStore()
				if !tt.last.IsZero() {
					st.set(tt.job.Name, tt.last)
				}
				s := mustNew(t, st, scheduler.Options{Location: berlin, Now: func() time.Time { return now }})
				var rec recorder
				tt.job.Run = rec.job(tt.job.Name, nil)
				mustRegister(t, s, tt.job)
				if err := s.Start(t.Context()); err != nil {
					t.Fatalf("Start: %v", err)
				}
				mustStop(t, s)
				if got := rec.of(tt.job.Name); !slices.EqualFunc(got, tt.wantRuns, time.Time.Equal) {
					t.Errorf("%s ran at %v, want %v", tt.job.Name, got, tt.wantRuns)
				}
				got, ok := st.get(tt.job.Name)
				if ok != !tt.wantLast.IsZero() || !got.Equal(tt.wantLast) {
					t.Errorf("%s last run = %v, %v; want %v", tt.job.Name, got, ok, tt.wantLast)
				}
			})
		})
	}
}

// Ensure catch-up runs are in time order, not registration order, and a
// failing one does not stop Start.
func TestCatchUpOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)
		st := newFakeStore()
		for _, name := range []string{"weekly", "failing", "daily"} {
			st.set(name, now.Add(-8*24*time.Hour))
		}
		s := mustNew(t, st, scheduler.Options{Now: func() time.Time { return now }})
		var rec recorder
		mustRegister(t, s,
			scheduler.Job{Name: "weekly", Spec: "0 10 * * MON", CatchUp: true, Run: rec.job("weekly", nil)},
			scheduler.Job{Name: "failing", Spec: "30 9 * * *", CatchUp: true, Run: rec.job("failing", func(context.Context, time.Time) error { return errBoom })},
			scheduler.Job{Name: "daily", Spec: "0 9 * * *", CatchUp: true, Run: rec.job("daily", nil)},
		)
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		mustStop(t, s)
		var got []string
		for _, r := range rec.all() {
			got = append(got, r.job+"@"+r.at.Format("15:04"))
		}
		want := []string{"daily@09:00", "failing@09:30", "weekly@10:00"}
		if !slices.Equal(got, want) {
			t.Errorf("catch-up runs = %v, want %v", got, want)
		}
		if at, _ := st.get("failing"); !at.Equal(now.Add(-8 * 24 * time.Hour)) {
			t.Errorf("failing last run moved to %v, want it unchanged", at)
		}
	})
}

// Ensure a store that cannot be read stops Start: catch-up would otherwise
// be silently lost.
func TestCatchUpStoreError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newFakeStore()
		st.err = errors.New("database closed")
		s := mustNew(t, st, scheduler.Options{})
		mustRegister(t, s, scheduler.Job{Name: "coffee", Spec: "0 10 * * MON", CatchUp: true, Run: nop})
		if err := s.Start(t.Context()); !errors.Is(err, st.err) || !strings.Contains(err.Error(), `"coffee"`) {
			t.Errorf("Start = %v, want the store error naming the job", err)
		}
		mustStop(t, s)
	})
}

func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	s := mustNew(t, newFakeStore(), scheduler.Options{Registerer: reg})
	mustRegister(t, s,
		scheduler.Job{Name: "a", Spec: "@every 1h", Run: nop},
		scheduler.Job{Name: "b", Spec: "@every 1h", Run: func(context.Context, time.Time) error { return errBoom }},
	)
	// A second scheduler on the same registry shares the series.
	s2 := mustNew(t, newFakeStore(), scheduler.Options{Registerer: reg})
	if err := s2.Register(scheduler.Job{Name: "c", Spec: "@every 1h", Run: nop}); err != nil {
		t.Fatalf("Register on a second scheduler sharing the registry: %v", err)
	}
	_ = s.RunNow(t.Context(), "a")
	_ = s.RunNow(t.Context(), "b")
	_ = s2.RunNow(t.Context(), "c")

	const want = `
# HELP rapport_job_runs_total Scheduled job runs by job and result (ok, error, panic, skipped).
# TYPE rapport_job_runs_total counter
rapport_job_runs_total{job="a",result="error"} 0
rapport_job_runs_total{job="a",result="ok"} 1
rapport_job_runs_total{job="a",result="panic"} 0
rapport_job_runs_total{job="a",result="skipped"} 0
rapport_job_runs_total{job="b",result="error"} 1
rapport_job_runs_total{job="b",result="ok"} 0
rapport_job_runs_total{job="b",result="panic"} 0
rapport_job_runs_total{job="b",result="skipped"} 0
rapport_job_runs_total{job="c",result="error"} 0
rapport_job_runs_total{job="c",result="ok"} 1
rapport_job_runs_total{job="c",result="panic"} 0
rapport_job_runs_total{job="c",result="skipped"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "rapport_job_runs_total"); err != nil {
		t.Error(err)
	}
	for _, job := range []string{"a", "b", "c"} {
		if n := durationCount(t, reg, job); n != 1 {
			t.Errorf("rapport_job_duration_seconds{job=%q} count = %d, want 1", job, n)
		}
	}
}

func TestJobs(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	now := time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC) // a Wednesday
	s := mustNew(t, st, scheduler.Options{Now: func() time.Time { return now }})
	mustRegister(t, s,
		scheduler.Job{Name: "coffee", Spec: "0 10 * * MON", CatchUp: true, Run: nop},
		scheduler.Job{Name: "tick", Spec: "@every 1m", Run: nop},
	)
	st.set("coffee", time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC))
	want := []scheduler.JobInfo{
		{Name: "coffee", Spec: "0 10 * * MON", CatchUp: true, Next: time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC), LastRun: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)},
		{Name: "tick", Spec: "@every 1m", Next: now.Add(time.Minute)},
	}
	got := s.Jobs()
	if !slices.EqualFunc(got, want, func(a, b scheduler.JobInfo) bool {
		return a.Name == b.Name && a.Spec == b.Spec && a.CatchUp == b.CatchUp && a.Next.Equal(b.Next) && a.LastRun.Equal(b.LastRun)
	}) {
		t.Errorf("Jobs() = %+v, want %+v", got, want)
	}
}

// Ensure nothing runs after Stop, and Start after Stop fails.
func TestAfterStop(t *testing.T) {
	t.Parallel()
	s := mustNew(t, newFakeStore(), scheduler.Options{})
	var rec recorder
	mustRegister(t, s, scheduler.Job{Name: "tick", Spec: "@every 1m", Run: rec.job("tick", nil)})
	mustStop(t, s) // before Start: allowed
	if err := s.RunNow(t.Context(), "tick"); !errors.Is(err, scheduler.ErrStopped) {
		t.Errorf("RunNow after Stop = %v, want ErrStopped", err)
	}
	if err := s.Start(t.Context()); !errors.Is(err, scheduler.ErrStopped) {
		t.Errorf("Start after Stop = %v, want ErrStopped", err)
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("tick ran %d times after Stop, want 0", n)
	}
}
