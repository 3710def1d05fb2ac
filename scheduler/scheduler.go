// Package scheduler says when: it runs named jobs on cron specs and knows
// nothing of what they do. Each job is a name, a spec and a Run function;
// cmd/rapport registers them (cmd/rapport/jobs.go), each calling one
// trigger of the bot (bot/jobs.go), which decides what happens. It wraps
// robfig/cron/v3 and imports nothing else of Rapport: the job-run records
// it keeps go through RunStore, which it declares.
//
// What the scheduler does for every job:
//
//   - Schedules it with a cron spec ("0 10 * * MON", "@every 1m") in an
//     explicit zone (RAPPORT_TZ), never time.Local; DST is handled by cron in
//     that zone. Specs are parsed at registration (ParseSpec for config).
//   - Hands the job the instant it was scheduled for (at), not the wall clock
//     when it happened to start, so a job can be idempotent per instant.
//   - Runs every run (cron, catch-up, RunDue, RunNow) through one wrapper
//     that gives it a context cancelled on Stop, recovers a panic, logs
//     "job finished" once, counts rapport_job_runs_total{job,result} and
//     rapport_job_duration_seconds{job}, and records a successful run in the
//     RunStore (the job_runs bucket). A failed or panicking run is not
//     recorded.
//   - Never runs the same job twice at once: an overlapping run, from any
//     trigger, is skipped, logged and counted as result="skipped".
//   - Catches up at Start: a CatchUp job whose last recorded run is older
//     than its latest scheduled instant runs once, for that instant, before
//     cron starts. A CatchUp job that never ran gets now as its baseline.
//   - Lets tests and the sandbox move time: RunDue runs every instant in a
//     window in time order without waiting.
//
// The decisions about time (which instants are due in a window, which
// missed instant to catch up, which instant a cron firing stands for) are
// pure functions in schedule.go with table tests; the cron wiring has one
// testing/synctest test.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"
)

// RunStore is where the scheduler remembers the last successful run of each
// job, so that a run missed while the bot was down is caught up once. It is
// implemented by *store.DB.
type RunStore interface {
	// JobLastRun returns the at of the job's last recorded run; ok is
	// false (err nil) if none was recorded.
	JobLastRun(name string) (at time.Time, ok bool, err error)
	// RecordJobRun records a run of the job at at. The recorded time
	// never moves backwards.
	RecordJobRun(name string, at time.Time) error
}

// Job is a unit of scheduled work.
type Job struct {
	// Name identifies the job in logs, metrics and the RunStore: unique
	// and non-empty. Renaming a job forgets its last run.
	Name string
	// Spec is when the job runs, as robfig/cron parses it: five fields
	// ("0 10 * * MON"), a descriptor ("@weekly") or "@every 1m"; in
	// Options.Location.
	Spec string
	// Run does the work. at is the instant the run was scheduled for
	// (on a whole second, in Options.Location), not the wall clock when it
	// started; a job that must be idempotent keys its work on at. ctx is
	// cancelled on Stop: check it between units of work and return an error
	// (such as ctx.Err()) if the run did not finish, because a nil error is
	// recorded as a completed run.
	Run func(ctx context.Context, at time.Time) error
	// CatchUp makes Start run the job once if a scheduled instant was
	// missed while the process was down (for example the weekly coffee
	// round); leave it off for jobs whose next tick covers the gap anyway.
	CatchUp bool
}

// Options configures a Scheduler.
type Options struct {
	// Location is the zone of every spec (RAPPORT_TZ). Required, and not
	// time.Local: the schedule must not depend on the host's zone.
	Location *time.Location
	// Now is the clock for catch-up, RunNow and Jobs; default time.Now.
	// cron itself always uses the wall clock (robfig/cron has no clock
	// to inject), so tests of the cron wiring run inside testing/synctest.
	Now func() time.Time
	// Registerer, if set, receives rapport_job_runs_total{job,result}
	// and rapport_job_duration_seconds{job}.
	Registerer prometheus.Registerer
	// Log receives the scheduler's and cron's logs. Required.
	Log *slog.Logger
}

// JobInfo describes a registered job, for logs and ops.
type JobInfo struct {
	Name    string
	Spec    string
	CatchUp bool
	// Next is the next instant cron will run the job (once started), or
	// the next instant of its spec after now (before Start or after Stop).
	// Zero if the spec no longer fires.
	Next time.Time
	// LastRun is the last successful run recorded in the RunStore; zero if
	// none, or if the store could not be read (that is logged).
	LastRun time.Time
}

// Errors returned by RunNow, RunDue and Start; test with errors.Is.
var (
	// ErrUnknownJob is returned by RunNow for a name that was not registered.
	ErrUnknownJob = errors.New("scheduler: unknown job")
	// ErrJobRunning is returned when a run is skipped because the previous
	// run of the same job is still going.
	ErrJobRunning = errors.New("scheduler: job already running")
	// ErrStopped is returned for runs requested after Stop, and by Start
	// after Stop.
	ErrStopped = errors.New("scheduler: stopped")
)

// Triggers: what started a run; the trigger attribute of its log lines.
const (
	triggerCron    = "cron"
	triggerCatchUp = "catchup"
	triggerDue     = "due"
	triggerNow     = "now"
)

// Scheduler runs registered jobs on their schedules. Register jobs, then
// Start, then Stop. RunDue, RunNow and Jobs are safe for concurrent use,
// also with cron running.
type Scheduler struct {
	st      RunStore
	loc     *time.Location
	now     func() time.Time
	log     *slog.Logger
	metrics *metrics
	cron    *cron.Cron

	// stopCtx is cancelled by Stop; every job context is cancelled with it.
	stopCtx    context.Context
	stopCancel context.CancelFunc

	mu          sync.Mutex
	jobs        map[string]*job
	order       []*job          // registration order: ties in RunDue and catch-up run in this order
	startCtx    context.Context // set by Start; parent of cron and catch-up runs
	started     bool
	cronStarted bool
	stopped     bool
	running     sync.WaitGroup // runs in the wrapper, from every trigger; Add only under mu while !stopped
}

// job is a registered Job and the state the scheduler keeps for it.
type job struct {
	Job
	sched cron.Schedule
	id    cron.EntryID

	// busy is held for the whole of a run; TryLock fails for an
	// overlapping run, whatever triggered it.
	busy sync.Mutex

	mu        sync.Mutex
	expected  time.Time // the instant cron is due to fire this job next
	dueOrigin time.Time // an "@every" job's first RunDue window start, until a run is recorded
}

// New returns a Scheduler that records runs in st, or the first problem
// with its arguments (a nil st, Location or Log, Location == time.Local, or
// a metrics registration conflict), so that a bad configuration stops the
// bot at start, before any job is registered.
func New(st RunStore, opts Options) (*Scheduler, error) {
	switch {
	case st == nil:
		return nil, errors.New("scheduler: no RunStore")
	case opts.Location == nil:
		return nil, errors.New("scheduler: Options.Location is required")
	case opts.Location == time.Local:
		return nil, errors.New("scheduler: Options.Location must be an explicit zone, not time.Local")
	case opts.Log == nil:
		return nil, errors.New("scheduler: Options.Log is required")
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	s := &Scheduler{
		st:      st,
		loc:     opts.Location,
		now:     opts.Now,
		log:     opts.Log,
		metrics: m,
		jobs:    make(map[string]*job),
	}
	s.stopCtx, s.stopCancel = context.WithCancel(context.Background())
	if s.now == nil {
		s.now = time.Now
	}
	logger := cronLogger{s.log}
	s.cron = cron.New(
		cron.WithLocation(s.loc),
		cron.WithLogger(logger),
		// Recover must be innermost: in v3.0.1 a panic recovered outside
		// SkipIfStillRunning leaves its token taken, and the job is
		// skipped forever (robfig/cron#366). Our wrapper recovers job
		// panics itself; cron's Recover only guards the wrapper.
		cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)),
	)
	return s, nil
}

// cronLogger feeds cron's logr-style logging into slog. cron logs every
// wake and schedule at Info, hence Debug here.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron "+msg, append([]any{"err", err}, kv...)...)
}

// Register adds j. It must be called before Start. It returns an error,
// naming the job, for an empty or duplicate name, a nil Run or a spec that
// ParseSpec rejects (wrapping cron's error).
func (s *Scheduler) Register(j Job) error {
	if j.Name == "" {
		return fmt.Errorf("scheduler: register job with spec %q: empty name", j.Spec)
	}
	if j.Run == nil {
		return fmt.Errorf("scheduler: register job %q: nil Run", j.Name)
	}
	sched, err := parseSpec(j.Spec)
	if err != nil {
		return fmt.Errorf("scheduler: register job %q: %w", j.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return fmt.Errorf("scheduler: register job %q: scheduler already started", j.Name)
	}
	if _, dup := s.jobs[j.Name]; dup {
		return fmt.Errorf("scheduler: register job %q: duplicate name", j.Name)
	}
	jb := &job{Job: j, sched: sched}
	jb.id = s.cron.Schedule(sched, cron.FuncJob(func() { s.fire(jb) }))
	s.jobs[j.Name] = jb
	s.order = append(s.order, jb)
	s.metrics.addJob(j.Name)
	return nil
}

// Start catches up missed runs of CatchUp jobs (once each, synchronously,
// in time order), then starts cron and returns. ctx is the parent of every
// job's context: cancelling it cancels running jobs, as Stop does. Start
// returns an error if the RunStore fails during catch-up (a failed catch-up
// run is logged, not returned, and retried at the next start), if ctx ends
// during catch-up (cron is then not started), or if called twice or after
// Stop. Call Stop in every case.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.stopped:
		s.mu.Unlock()
		return ErrStopped
	case s.started:
		s.mu.Unlock()
		return errors.New("scheduler: already started")
	}
	s.started = true
	s.startCtx = ctx
	jobs := slices.Clone(s.order)
	s.mu.Unlock()

	if err := s.catchUp(ctx, jobs); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped { // Stop ran during catch-up: do not start cron behind its back
		return ErrStopped
	}
	// cron computes each first instant from its own clock as it starts;
	// compute ours the same way just before, so a firing maps to its instant.
	wall := time.Now().In(s.loc)
	for _, j := range jobs {
		j.mu.Lock()
		j.expected = j.sched.Next(wall)
		j.mu.Unlock()
	}
	s.cron.Start()
	s.cronStarted = true
	s.log.Info("scheduler started", "jobs", len(jobs), "location", s.loc.String())
	return nil
}

// catchUp runs, before cron starts, the runs CatchUp jobs missed while the
// process was down: at most one per job, for its latest missed instant.
func (s *Scheduler) catchUp(ctx context.Context, jobs []*job) error {
	now := s.now().In(s.loc)
	type run struct {
		j  *job
		at time.Time
	}
	var runs []run
	for _, j := range jobs {
		if !j.CatchUp {
			continue
		}
		last, ok, err := s.st.JobLastRun(j.Name)
		if err != nil {
			return fmt.Errorf("scheduler: catch up job %q: %w", j.Name, err)
		}
		at, action := planCatchUp(j.sched, last.In(s.loc), ok, now)
		switch action {
		case catchUpBaseline:
			if err := s.st.RecordJobRun(j.Name, at); err != nil {
				return fmt.Errorf("scheduler: catch up job %q: baseline: %w", j.Name, err)
			}
			s.log.Info("job baseline recorded", "job", j.Name, "at", at)
		case catchUpRun:
			runs = append(runs, run{j, at})
		}
	}
	slices.SortStableFunc(runs, func(a, b run) int { return a.at.Compare(b.at) })
	for _, r := range runs {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.log.Info("job catching up", "job", r.j.Name, "at", r.at)
		// The wrapper logs and counts a failure; the run is not recorded,
		// so the next start tries again. Not a reason to refuse to start.
		_ = s.run(ctx, r.j, r.at, triggerCatchUp)
	}
	return ctx.Err()
}

// fire is what cron calls for a job: it works out which instant this firing
// stands for and runs the job for it.
func (s *Scheduler) fire(j *job) {
	j.mu.Lock()
	at, passed := cronInstant(j.sched, j.expected, time.Now().In(s.loc))
	j.expected = j.sched.Next(at)
	j.mu.Unlock()
	if passed > 0 {
		// cron.SkipIfStillRunning dropped these (or the host slept):
		// count them here, as that wrapper cannot tell us which job it
		// skipped.
		s.metrics.runs.WithLabelValues(j.Name, resultSkipped).Add(float64(passed))
		s.log.Info("job skipped", "job", j.Name, "trigger", triggerCron, "count", passed, "reason", "previous run still going")
	}
	s.mu.Lock()
	ctx := s.startCtx
	s.mu.Unlock()
	if ctx.Err() != nil {
		// Shutting down (the Start context ends before Stop is called):
		// a run now would only fail with a cancelled context and log an
		// error. The instant is left to catch-up or the next firing.
		s.log.Debug("job not started: shutting down", "job", j.Name, "at", at)
		return
	}
	_ = s.run(ctx, j, at, triggerCron) // logged and counted by run
}

// Stop stops cron from starting new runs, cancels the context of every
// running job and waits for them to return until ctx ends, then returns
// ctx.Err(). It is safe to call more than once and before Start. Runs
// requested after Stop return ErrStopped.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	cronStarted := s.cronStarted
	s.mu.Unlock()

	var cronDone <-chan struct{}
	if cronStarted {
		cronDone = s.cron.Stop().Done()
	}
	s.stopCancel()

	done := make(chan struct{})
	go func() {
		// Both: cron's goroutines that have not yet reached the wrapper,
		// and the wrapper's runs from every trigger.
		if cronDone != nil {
			<-cronDone
		}
		s.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.log.Info("scheduler stopped")
		return nil
	case <-ctx.Done():
		s.log.Warn("scheduler stop timed out with jobs still running", "err", ctx.Err())
		return ctx.Err()
	}
}

// RunDue runs, in time order, every instant of every job in (from, to],
// each with at = that instant, through the same wrapper as cron (so each
// success is recorded). Instants at the same time run in registration
// order. An "@every" job's instants continue from its last recorded run,
// as cron's do from its last firing, so that windows one after the other
// (the sandbox's :advance 30m, twice) run an hourly job once an hour; a
// job never run counts from from. RunDue lets tests and the sandbox move
// time without waiting; it does not need Start, and works beside a running
// cron (an overlapping run is skipped). It returns an error before running
// anything if a job has more than 100,000 instants in the window;
// otherwise it runs them all and returns the run errors joined, each
// naming the job and instant, or ctx.Err() if ctx ends first.
func (s *Scheduler) RunDue(ctx context.Context, from, to time.Time) error {
	return s.RunDueSteps(ctx, from, to, func(_ time.Time, run func() error) error { return run() })
}

// RunDueSteps is RunDue with a say in each step: for each distinct instant
// in order, step is called with the instant and a run that runs the jobs
// due then and returns their errors joined. The sandbox sets its clock to
// the instant before run, and shows what the jobs did after it. The errors
// step returns are joined into RunDueSteps's; a step that does not call
// run skips that instant's jobs.
func (s *Scheduler) RunDueSteps(ctx context.Context, from, to time.Time, step func(at time.Time, run func() error) error) error {
	from, to = from.In(s.loc), to.In(s.loc)
	s.mu.Lock()
	jobs := slices.Clone(s.order)
	s.mu.Unlock()

	type run struct {
		j  *job
		at time.Time
	}
	var runs []run
	for _, j := range jobs {
		due, err := dueBetween(j.sched, s.anchor(j, from), to)
		if err != nil {
			return fmt.Errorf("scheduler: run due job %q from %s to %s: %w", j.Name, from.Format(time.RFC3339), to.Format(time.RFC3339), err)
		}
		for _, at := range due {
			runs = append(runs, run{j, at})
		}
	}
	slices.SortStableFunc(runs, func(a, b run) int { return a.at.Compare(b.at) })

	var errs []error
	for len(runs) > 0 {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		at := runs[0].at
		n := 1
		for n < len(runs) && runs[n].at.Equal(at) {
			n++
		}
		now := runs[:n]
		runs = runs[n:]
		err := step(at, func() error {
			var errs []error
			for _, r := range now {
				if err := ctx.Err(); err != nil {
					return errors.Join(append(errs, err)...)
				}
				if err := s.run(ctx, r.j, r.at, triggerDue); err != nil {
					errs = append(errs, fmt.Errorf("scheduler: job %q at %s: %w", r.j.Name, r.at.Format(time.RFC3339), err))
				}
			}
			return errors.Join(errs...)
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// anchor is where j's instants after from are counted from: from, or for
// an "@every" job its last recorded run (or, before any, the start of the
// first window RunDue saw) moved forward by whole periods to the last
// instant at or before from.
func (s *Scheduler) anchor(j *job, from time.Time) time.Time {
	every, ok := j.sched.(cron.ConstantDelaySchedule)
	if !ok || every.Delay <= 0 {
		return from
	}
	origin, ok, err := s.st.JobLastRun(j.Name)
	if err != nil || !ok || origin.After(from) {
		j.mu.Lock()
		if j.dueOrigin.IsZero() || j.dueOrigin.After(from) {
			j.dueOrigin = from
		}
		origin = j.dueOrigin
		j.mu.Unlock()
	}
	periods := from.Sub(origin) / every.Delay
	return origin.Add(periods * every.Delay).In(s.loc)
}

// RunNow runs the job called name once, now, with at = Options.Now() (the
// admin's "/coffee now"), through the same wrapper as cron. It waits for the
// run and returns its error: ErrUnknownJob, ErrJobRunning if the job is
// already running (the run is skipped), ErrStopped after Stop, or the
// job's own error (wrapped). A success is recorded like any run.
func (s *Scheduler) RunNow(ctx context.Context, name string) error {
	s.mu.Lock()
	j, ok := s.jobs[name]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownJob, name)
	}
	if err := s.run(ctx, j, s.now().In(s.loc), triggerNow); err != nil {
		return fmt.Errorf("scheduler: job %q: %w", name, err)
	}
	return nil
}

// Jobs describes the registered jobs in registration order. It reads each
// job's last run from the RunStore.
func (s *Scheduler) Jobs() []JobInfo {
	s.mu.Lock()
	jobs := slices.Clone(s.order)
	live := s.cronStarted && !s.stopped
	s.mu.Unlock()

	now := s.now().In(s.loc)
	infos := make([]JobInfo, 0, len(jobs))
	for _, j := range jobs {
		info := JobInfo{Name: j.Name, Spec: j.Spec, CatchUp: j.CatchUp}
		if live {
			info.Next = s.cron.Entry(j.id).Next.In(s.loc)
		} else if next := j.sched.Next(now); !next.IsZero() {
			info.Next = next
		}
		last, ok, err := s.st.JobLastRun(j.Name)
		switch {
		case err != nil:
			s.log.Warn("job last run unreadable", "job", j.Name, "err", err)
		case ok:
			info.LastRun = last.In(s.loc)
		}
		infos = append(infos, info)
	}
	return infos
}

// panicError is what a job's panic becomes, so that it is handled like an
// error (logged once, not recorded) and counted as result="panic".
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// Unwrap exposes a panic value that is an error (for errors.Is).
func (e *panicError) Unwrap() error {
	err, _ := e.value.(error)
	return err
}

// run is the one wrapper every run goes through, whatever triggered it.
// parent is the caller's context (the Start context for cron and catch-up);
// the job's context is also cancelled by Stop and by the Start context. run
// logs the outcome (so callers do not log it again), counts it, records a
// success and returns the job's error, ErrJobRunning or ErrStopped.
func (s *Scheduler) run(parent context.Context, j *job, at time.Time, trigger string) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return ErrStopped
	}
	s.running.Add(1)
	startCtx := s.startCtx
	s.mu.Unlock()
	defer s.running.Done()

	if !j.busy.TryLock() {
		s.metrics.runs.WithLabelValues(j.Name, resultSkipped).Inc()
		s.log.Info("job skipped", "job", j.Name, "at", at, "trigger", trigger, "reason", "previous run still going")
		return ErrJobRunning
	}
	defer j.busy.Unlock()

	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	defer context.AfterFunc(s.stopCtx, cancel)()
	if startCtx != nil { // a no-op when parent is startCtx, and cheap
		defer context.AfterFunc(startCtx, cancel)()
	}

	start := time.Now() // the wall clock, not Options.Now: this measures, it does not decide
	err := call(ctx, j.Run, at)
	result := resultOK
	if err == nil {
		// Only a run that finished is recorded: a failed one is retried by
		// catch-up or the next tick.
		if rerr := s.st.RecordJobRun(j.Name, at); rerr != nil {
			err = fmt.Errorf("record run: %w", rerr)
		}
	}
	d := time.Since(start)

	attrs := []slog.Attr{
		slog.String("job", j.Name),
		slog.Time("at", at),
		slog.String("trigger", trigger),
		slog.Duration("duration", d),
	}
	level := slog.LevelInfo
	var pe *panicError
	switch {
	case errors.As(err, &pe):
		result, level = resultPanic, slog.LevelError
		attrs = append(attrs, slog.Any("err", err), slog.String("stack", string(pe.stack)))
	case err != nil:
		result, level = resultError, slog.LevelError
		attrs = append(attrs, slog.Any("err", err))
	}
	s.metrics.runs.WithLabelValues(j.Name, result).Inc()
	s.metrics.duration.WithLabelValues(j.Name).Observe(d.Seconds())
	s.log.LogAttrs(context.WithoutCancel(ctx), level, "job finished", attrs...)
	return err
}

// call runs fn, turning a panic into a *panicError carrying the stack, so a
// panicking job never takes the process down.
func call(ctx context.Context, fn func(context.Context, time.Time) error, at time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: debug.Stack()}
		}
	}()
	return fn(ctx, at)
}
