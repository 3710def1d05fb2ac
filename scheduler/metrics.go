package scheduler

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Results of a run, the values of the result label of rapport_job_runs_total.
const (
	resultOK      = "ok"      // the job returned nil and its run was recorded
	resultError   = "error"   // the job returned an error, or its run could not be recorded
	resultPanic   = "panic"   // the job panicked; recovered, not recorded
	resultSkipped = "skipped" // not started: the previous run of the job was still going
)

var results = []string{resultOK, resultError, resultPanic, resultSkipped}

// metrics are the scheduler's Prometheus series. Without a Registerer they
// are still created (just not exported), so the code never checks for nil.
type metrics struct {
	runs     *prometheus.CounterVec   // by job and result
	duration *prometheus.HistogramVec // by job; runs that started (not skipped)
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_job_runs_total",
			Help: "Scheduled job runs by job and result (ok, error, panic, skipped).",
		}, []string{"job", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rapport_job_duration_seconds",
			Help: "Time a job run took, by job.",
			// Jobs range from a tick that finds nothing due (milliseconds)
			// to a coffee round for a large workspace that is paced by
			// Slack's rate limits (minutes): 10 ms to about 11 min.
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 9),
		}, []string{"job"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.runs, err = register(reg, m.runs)
	if err != nil {
		return nil, err
	}
	m.duration, err = register(reg, m.duration)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// the same description, so that two schedulers sharing a registry (tests, a
// sandbox) share series instead of failing.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, fmt.Errorf("scheduler: register metrics: %w", err)
}

// addJob creates the job's series at zero, so that rate() and alerts on
// errors work from the first scrape rather than from the first failure.
func (m *metrics) addJob(name string) {
	for _, r := range results {
		m.runs.WithLabelValues(name, r)
	}
	m.duration.WithLabelValues(name)
}
