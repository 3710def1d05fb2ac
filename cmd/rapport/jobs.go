package main

import (
	"context"
	"time"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/scheduler"
	"github.com/rapport-bot/rapport/store"
)

// The schedule: every job Rapport runs, when, and the one thing it
// triggers. The scheduler says when; the bot's triggers (bot/jobs.go) say
// what.

// pruneJob is the name of the housekeeping job; like every job name it
// keys a record in job_runs, so the string never changes.
const pruneJob = "prune"

// triggers is what the feature jobs call: one method per job.
type triggers interface {
	Tick(ctx context.Context, at time.Time) error
	KudosDigest(ctx context.Context, at time.Time) error
	SuggestReconnects(ctx context.Context, at time.Time) error
	RunCoffeeRound(ctx context.Context, at time.Time) error
	CoffeeTick(ctx context.Context, at time.Time) error
	RefreshTeams(ctx context.Context, at time.Time) error
	Celebrate(ctx context.Context, at time.Time) error
}

var _ triggers = (*bot.Bot)(nil)

// jobs returns the scheduler's jobs: the feature jobs, each calling its
// trigger, and the housekeeping.
func jobs(cfg Config, db *store.DB, t triggers) []scheduler.Job {
	// The order is the order of runs due at the same instant (in RunDue,
	// and so in the sandbox): follow-ups and the outbox first.
	js := []scheduler.Job{
		// The tick is frequent: a missed one is made up by the next.
		{Name: bot.JobTick, Spec: cfg.Tick, Run: t.Tick},
	}
	if cfg.KudosChannel != "" {
		// A Friday digest missed during downtime is posted at start.
		js = append(js, scheduler.Job{Name: bot.JobKudosDigest, Spec: cfg.KudosDigestSchedule, CatchUp: true, Run: t.KudosDigest})
	}
	if len(cfg.Teams) > 0 || cfg.TeamField != "" {
		// Teams are also read at start and, for user groups, when one
		// changes: the hourly run catches what events missed. With a
		// profile field it is one call per person, well inside the hour
		// for thousands (users.profile.get allows 100+ a minute).
		js = append(js, scheduler.Job{Name: bot.JobTeams, Spec: "@every 1h", Run: t.RefreshTeams})
	}
	js = append(js,
		scheduler.Job{Name: bot.JobReconnect, Spec: "@every 1h", Run: t.SuggestReconnects},
		// A round missed while the bot was down runs at start.
		scheduler.Job{Name: bot.JobCoffeeRound, Spec: cfg.CoffeeSchedule, CatchUp: true, Run: t.RunCoffeeRound},
		scheduler.Job{Name: bot.JobCoffeeTick, Spec: cfg.Tick, Run: t.CoffeeTick},
		// With the tick: a slot's post goes out as its working hours begin,
		// and an opt-in on the day itself is seen within the minute. The run
		// reads only the people who gave a date.
		scheduler.Job{Name: bot.JobCelebrate, Spec: cfg.Tick, Run: t.Celebrate},
		scheduler.Job{
			Name: pruneJob,
			Spec: "@every 1h",
			// Slack re-delivers an event within minutes, so a day of claims
			// is plenty; delivered outbox items are kept a month for support.
			Run: func(ctx context.Context, at time.Time) error {
				if _, err := db.PruneEvents(at.Add(-24 * time.Hour)); err != nil {
					return err
				}
				if _, err := db.PruneOutgoing(at.Add(-30 * 24 * time.Hour)); err != nil {
					return err
				}
				// etcd keeps every revision until compacted, and stops
				// taking writes at its quota: keep an hour of history.
				return db.CompactHistory()
			},
		},
	)
	return js
}
