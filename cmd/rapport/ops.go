package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rapport-bot/rapport/store"
)

// opsServer is the optional ops listener: /healthz, /readyz, /metrics and
// /backup. It is off unless RAPPORT_HTTP_ADDR is set.
type opsServer struct {
	srv    *http.Server
	failed chan error // receives if the listener dies while running
}

// startOps listens at once, so a port already in use fails the start
// instead of surfacing later.
func startOps(cfg Config, db *store.DB, reg *prometheus.Registry, ready func() (bool, string), log *slog.Logger) (*opsServer, error) {
	o := &opsServer{failed: make(chan error, 1)}
	if cfg.HTTPAddr == "" {
		return o, nil
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("ops listener on %s: %w", cfg.HTTPAddr, err)
	}
	o.srv = &http.Server{
		Handler:           opsHandler(db, reg, ready, cfg.HTTPToken, time.Now, log),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		if err := o.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.failed <- fmt.Errorf("ops listener: %w", err)
		}
	}()
	log.Info("ops listener started", "addr", ln.Addr().String())
	return o, nil
}

func (o *opsServer) shutdown(ctx context.Context) {
	if o.srv != nil {
		_ = o.srv.Shutdown(ctx)
	}
}

func opsHandler(db *store.DB, reg *prometheus.Registry, ready func() (bool, string), token string, now func() time.Time, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, why := ready()
		if !ok {
			http.Error(w, why, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, why)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rapport"`)
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
		stamp := now().UTC().Format("20060102-150405")
		var err error
		if r.URL.Query().Get("format") == "json" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rapport-%s.json"`, stamp))
			err = db.Export(w, now())
		} else {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rapport-%s.db"`, stamp))
			_, err = db.Backup(w)
		}
		if err != nil {
			// Headers are gone; the truncated body and the log tell.
			log.Error("backup failed", "err", err)
		}
	})
	return mux
}

// authorized checks the bearer token when one is configured. Without one,
// config validation has ensured the listener is on loopback.
func authorized(r *http.Request, token string) bool {
	if token == "" {
		return true
	}
	got := r.Header.Get("Authorization")
	want := "Bearer " + token
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// storeCollector exports the store's size and its engine's alarms at each
// scrape: rapport_store_size_bytes and rapport_store_alarm{alarm}.
type storeCollector struct{ db *store.DB }

var (
	storeSizeDesc  = prometheus.NewDesc("rapport_store_size_bytes", "Size of the store: the bbolt file, or the largest etcd member's database.", nil, nil)
	storeAlarmDesc = prometheus.NewDesc("rapport_store_alarm", "1 for each alarm the etcd cluster raised (NOSPACE: it takes no writes).", []string{"alarm"}, nil)
	storeRetryDesc = prometheus.NewDesc("rapport_store_txn_retries_total", "etcd commits that ran again because a concurrent writer changed what they read.", nil, nil)
)

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- storeSizeDesc
	ch <- storeAlarmDesc
	ch <- storeRetryDesc
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h, err := c.db.Health(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(storeSizeDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(storeRetryDesc, prometheus.CounterValue, float64(c.db.TxnRetries()))
	ch <- prometheus.MustNewConstMetric(storeSizeDesc, prometheus.GaugeValue, float64(h.SizeBytes))
	for _, a := range h.Alarms {
		ch <- prometheus.MustNewConstMetric(storeAlarmDesc, prometheus.GaugeValue, 1, a)
	}
}

// storeReady is the store's part of /readyz: reachable, and not out of
// space (etcd's NOSPACE alarm makes it read-only).
func storeReady(ctx context.Context, db *store.DB) (bool, string) {
	h, err := db.Health(ctx)
	switch {
	case err != nil:
		return false, "store: " + err.Error()
	case h.NoSpace():
		return false, "store: etcd is out of space (NOSPACE alarm): compact, defragment and disarm it"
	}
	return true, "ok"
}
