package bot

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics are the bot's Prometheus series. With a nil Registerer they are
// created but not exported, so code never checks for nil.
type metrics struct {
	envelopes     *prometheus.CounterVec   // by envelope type
	ackSeconds    prometheus.Histogram     // receive → ack written
	handlerErrors *prometheus.CounterVec   // by route and kind (error, panic)
	handlerTime   *prometheus.HistogramVec // by route
	apiCalls      *prometheus.CounterVec   // by Slack method and outcome, one per attempt
	duplicates    prometheus.Counter       // deliveries dropped as already handled
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		envelopes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_envelopes_total",
			Help: "Socket Mode envelopes received, by type.",
		}, []string{"type"}),
		ackSeconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "rapport_ack_latency_seconds",
			Help:    "Time from receiving an envelope to queuing its ack (Slack allows 3 s).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		handlerErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_handler_errors_total",
			Help: "Handlers that returned an internal error or panicked, by route.",
		}, []string{"route", "kind"}),
		handlerTime: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rapport_handler_duration_seconds",
			Help:    "Time handlers took after the ack, by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		apiCalls: f.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_slack_api_calls_total",
			Help: "Slack Web API attempts by method and outcome (ok, rate_limited, transient, permanent, canceled).",
		}, []string{"method", "outcome"}),
		duplicates: f.NewCounter(prometheus.CounterOpts{
			Name: "rapport_duplicate_deliveries_total",
			Help: "Envelopes dropped because the same event or envelope was already handled.",
		}),
	}
}
