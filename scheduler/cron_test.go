package scheduler_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-bot/rapport/scheduler"
)

// The cron wiring, on robfig/cron's own timers, inside synctest bubbles:
// time.Sleep(3 * time.Hour) returns at once and deterministically, and the
// bubble's clock starts at 2000-01-01 00:00 UTC.

type ctxKey struct{}

// Ensure cron runs a job on schedule with at = the scheduled instant, under
// a context derived from the Start context, and records each run.
func TestCronRunsOnSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		st := newFakeStore()
		s := mustNew(t, st, scheduler.Options{}) // Now: time.Now, the bubble's clock
		var rec recorder
		var sawValue atomic.Bool
		mustRegister(t, s, scheduler.Job{Name: "hourly", Spec: "@every 1h", Run: rec.job("hourly", func(ctx context.Context, _ time.Time) error {
			sawValue.Store(ctx.Value(ctxKey{}) == "from Start")
			return nil
		})})
		if err := s.Start(context.WithValue(t.Context(), ctxKey{}, "from Start")); err != nil {
			t.Fatalf("Start: %v", err)
		}

		time.Sleep(3*time.Hour + time.Minute)

		got := rec.of("hourly")
		want := []time.Time{start.Add(time.Hour), start.Add(2 * time.Hour), start.Add(3 * time.Hour)}
		if len(got) != len(want) {
			t.Fatalf("hourly ran at %v, want %v", got, want)
		}
		for i := range want {
			if !got[i].Equal(want[i]) || got[i].Truncate(time.Hour) != got[i] {
				t.Errorf("run %d at %v, want %v (on the hour)", i, got[i], want[i])
			}
		}
		if !sawValue.Load() {
			t.Error("job context does not carry the Start context's values")
		}
		if at, _ := st.get("hourly"); !at.Equal(want[2]) {
			t.Errorf("last run = %v, want %v", at, want[2])
		}
		if next := s.Jobs()[0].Next; !next.Equal(start.Add(4 * time.Hour)) {
			t.Errorf("Jobs()[0].Next = %v, want %v", next, start.Add(4*time.Hour))
		}
		mustStop(t, s)
	})
}

// Ensure cron schedules in Options.Location: "0 10 * * MON" in Berlin is
// 10:00 local before and after the DST change (2000-03-26).
func TestCronRespectsDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	synctest.Test(t, func(t *testing.T) {
		s := mustNew(t, newFakeStore(), scheduler.Options{Location: berlin})
		var rec recorder
		mustRegister(t, s, scheduler.Job{Name: "coffee", Spec: "0 10 * * MON", Run: rec.job("coffee", nil)})
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		time.Sleep(time.Until(time.Date(2000, 4, 4, 0, 0, 0, 0, time.UTC)))
		mustStop(t, s)

		got := rec.of("coffee")
		if len(got) != 14 { // the Mondays from 3 January to 3 April 2000
			t.Fatalf("coffee ran %d times (%v), want 14", len(got), got)
		}
		for _, at := range got {
			if l := at.In(berlin); l.Weekday() != time.Monday || l.Hour() != 10 || l.Minute() != 0 {
				t.Errorf("coffee ran at %v, want Mondays 10:00 Berlin", l)
			}
		}
		if want := time.Date(2000, 3, 20, 9, 0, 0, 0, time.UTC); !got[11].Equal(want) {
			t.Errorf("last run before DST at %v, want %v", got[11], want)
		}
		if want := time.Date(2000, 3, 27, 8, 0, 0, 0, time.UTC); !got[12].Equal(want) {
			t.Errorf("first run after DST at %v, want %v", got[12], want)
		}
	})
}

// Ensure Stop cancels the context of a running job and waits for it.
func TestStopCancelsAndWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newFakeStore()
		s := mustNew(t, st, scheduler.Options{})
		started := make(chan struct{})
		var finished bool
		var jobErr error
		mustRegister(t, s, scheduler.Job{Name: "slow", Spec: "@every 1h", Run: func(ctx context.Context, _ time.Time) error {
			close(started)
			<-ctx.Done()
			time.Sleep(time.Minute) // wind down
			finished, jobErr = true, ctx.Err()
			return ctx.Err()
		}})
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		time.Sleep(time.Hour + time.Second)
		<-started

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		before := time.Now()
		if err := s.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if !finished || !errors.Is(jobErr, context.Canceled) {
			t.Errorf("after Stop: job finished=%v with ctx.Err()=%v, want finished with context.Canceled", finished, jobErr)
		}
		if waited := time.Since(before); waited != time.Minute {
			t.Errorf("Stop returned after %v, want after the job's 1m wind-down", waited)
		}
		if at, ok := st.get("slow"); ok {
			t.Errorf("cancelled run recorded at %v, want no record", at)
		}
	})
}

// Ensure Stop gives up when its context ends before a job that ignores
// cancellation.
func TestStopDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mustNew(t, newFakeStore(), scheduler.Options{})
		started := make(chan struct{})
		mustRegister(t, s, scheduler.Job{Name: "stubborn", Spec: "@every 1h", Run: func(context.Context, time.Time) error {
			close(started)
			time.Sleep(2 * time.Hour)
			return nil
		}})
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		time.Sleep(time.Hour + time.Second)
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Stop = %v, want context.DeadlineExceeded", err)
		}
		// Let the job end: the bubble does not advance time once the test
		// function has returned.
		time.Sleep(2 * time.Hour)
	})
}

// Ensure a job that panics under cron is counted as a panic, not recorded,
// and neither the process nor the job's schedule dies.
func TestCronPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newFakeStore()
		reg := prometheus.NewRegistry()
		s := mustNew(t, st, scheduler.Options{Registerer: reg})
		var rec recorder
		mustRegister(t, s,
			scheduler.Job{Name: "bad", Spec: "@every 1h", Run: rec.job("bad", func(context.Context, time.Time) error { panic("nil map") })},
			scheduler.Job{Name: "good", Spec: "@every 1h", Run: rec.job("good", nil)},
		)
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		time.Sleep(2*time.Hour + time.Minute)
		mustStop(t, s)

		if n := len(rec.of("bad")); n != 2 {
			t.Errorf("bad ran %d times, want 2 (a panic must not stop its schedule)", n)
		}
		if got := runCounts(t, reg, "bad"); got["panic"] != 2 || got["ok"] != 0 {
			t.Errorf("rapport_job_runs_total{job=bad} = %v, want panic=2", got)
		}
		if at, ok := st.get("bad"); ok {
			t.Errorf("bad recorded at %v, want no record", at)
		}
		if got := runCounts(t, reg, "good"); got["ok"] != 2 {
			t.Errorf("rapport_job_runs_total{job=good} = %v, want ok=2", got)
		}
	})
}

// Ensure an instant that cron.SkipIfStillRunning drops, because the
// previous run is still going, is counted as skipped and the next run gets
// its own instant.
func TestCronSkipsOverlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		reg := prometheus.NewRegistry()
		s := mustNew(t, newFakeStore(), scheduler.Options{Registerer: reg})
		var rec recorder
		mustRegister(t, s, scheduler.Job{Name: "slow", Spec: "@every 1h", Run: rec.job("slow", func(ctx context.Context, _ time.Time) error {
			select {
			case <-time.After(90 * time.Minute):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})})
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		time.Sleep(3*time.Hour + time.Minute)
		mustStop(t, s)

		got := rec.of("slow")
		if len(got) != 2 || !got[0].Equal(start.Add(time.Hour)) || !got[1].Equal(start.Add(3*time.Hour)) {
			t.Errorf("slow ran at %v, want at +1h and +3h (+2h skipped)", got)
		}
		if c := runCounts(t, reg, "slow"); c["skipped"] != 1 || c["ok"] != 1 || c["error"] != 1 {
			t.Errorf("rapport_job_runs_total{job=slow} = %v, want skipped=1 ok=1 error=1 (the run cut by Stop)", c)
		}
	})
}

// Ensure RunNow while cron is running the job is skipped.
func TestRunNowDuringCronRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mustNew(t, newFakeStore(), scheduler.Options{})
		release := make(chan struct{})
		mustRegister(t, s, scheduler.Job{Name: "slow", Spec: "@every 1h", Run: func(context.Context, time.Time) error {
			<-release
			return nil
		}})
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		time.Sleep(time.Hour + time.Second)
		if err := s.RunNow(t.Context(), "slow"); !errors.Is(err, scheduler.ErrJobRunning) {
			t.Errorf("RunNow during the cron run = %v, want ErrJobRunning", err)
		}
		close(release)
		mustStop(t, s)
	})
}

// Ensure that once the Start context ends, cron starts no more runs (they
// would only fail with a cancelled context while the bot shuts down), and
// that jobs cannot be added to a started scheduler.
func TestStartContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mustNew(t, newFakeStore(), scheduler.Options{})
		var rec recorder
		mustRegister(t, s, scheduler.Job{Name: "tick", Spec: "@every 1m", Run: rec.job("tick", nil)})
		ctx, cancel := context.WithCancel(t.Context())
		if err := s.Start(ctx); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if err := s.Register(scheduler.Job{Name: "late", Spec: "@every 1m", Run: nop}); err == nil {
			t.Error("Register after Start = nil, want an error")
		}
		time.Sleep(2*time.Minute + time.Second)
		cancel()
		time.Sleep(time.Hour)
		mustStop(t, s)
		if n := len(rec.of("tick")); n != 2 {
			t.Errorf("tick ran %d times, want 2 (none after the Start context ended)", n)
		}
	})
}
