package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/scheduler"
	"github.com/rapport-bot/rapport/store"
)

// lead campaigns to lead the replicas sharing the store and, for each term
// it wins, runs what one process must do alone: the schedule (a new
// scheduler each term, which catches up from the job-run records as after
// a restart) and the outbox with the coffee roster (bot.Lead). A term ends
// when the session's lease expires (the process was paused or cut off from
// etcd) or another replica is seen leading; then it campaigns again. When
// ctx ends (SIGTERM) it resigns, so another replica takes over at once.
func lead(ctx context.Context, cfg Config, db *store.DB, a *app, reg prometheus.Registerer, log *slog.Logger) {
	leading := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rapport_leader", Help: "1 while this replica leads (runs the schedule and delivers the outbox), else 0."})
	epoch := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rapport_leader_term", Help: "The epoch of this replica's current or last term as leader."})
	reg.MustRegister(leading, epoch)
	host, _ := os.Hostname()
	id := fmt.Sprintf("%s/%d", host, os.Getpid())
	for ctx.Err() == nil {
		term, err := db.Campaign(ctx, id, cfg.LeaderTTL)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("campaign failed; trying again", "err", err)
				select {
				case <-time.After(time.Second):
				case <-ctx.Done():
				}
			}
			continue
		}
		leading.Set(1)
		epoch.Set(float64(term.Epoch()))
		log.Info("leading", "term", term.Epoch())
		serveTerm(ctx, term, a, log)
		leading.Set(0)
		if ctx.Err() != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			if err := term.Resign(rctx); err != nil {
				log.Warn("resigning failed; the lease expires instead", "err", err)
			}
			cancel()
			log.Info("resigned", "term", term.Epoch())
			return
		}
		log.Warn("no longer leading", "term", term.Epoch())
	}
}

// serveTerm runs the leader's work until the term or ctx ends.
func serveTerm(ctx context.Context, term *store.Term, a *app, log *slog.Logger) {
	termCtx, end := context.WithCancel(ctx)
	defer end()
	go func() {
		select {
		case <-term.Lost():
		case <-termCtx.Done():
		}
		end()
	}()
	sched, err := a.newSched()
	if err != nil {
		log.Error("building the scheduler failed", "err", err)
		return
	}
	if err := sched.Start(termCtx); err != nil {
		log.Error("starting the scheduler failed", "err", err)
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.bot.Lead(termCtx, func() {
			// A coffee round whose delivery was cut short is finished as
			// soon as the term has caught up, not a tick period later.
			if err := sched.RunNow(termCtx, bot.JobCoffeeTick); err != nil && termCtx.Err() == nil && !errors.Is(err, scheduler.ErrJobRunning) {
				log.Error("coffee tick at the start of the term failed", "err", err)
			}
		})
	}()
	<-termCtx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopBudget)
	defer cancel()
	if err := sched.Stop(stopCtx); err != nil {
		log.Warn("scheduler did not stop in time", "err", err)
	}
	<-done
}
