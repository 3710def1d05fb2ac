package scheduler

import (
	"context"
	"time"
)

// The names of the jobs this package builds. A name keys the job's record
// in the store's job_runs bucket, which catch-up after downtime reads, and
// labels its metrics and logs: a database written by an older binary holds
// these strings, so they never change.
const (
	JobTick        = "tick"            // due follow-ups, then the outbox
	JobKudosDigest = "kudos-digest"    // the weekly kudos post
	JobReconnect   = "reconnect"       // reconnect suggestions
	JobCoffeeRound = "coffee-round"    // pair and introduce
	JobCoffeeTick  = "coffee-followup" // coffee's tick: heads-ups, "did you meet?", a cut delivery resumed
)

// Notifier is how scheduled work reaches people: the scheduler decides when
// and what, the notifier (*bot.Bot) decides how it looks on Slack and
// delivers it. Declared here so the arrow points one way.
type Notifier interface {
	// DeliverDue sends the queued messages due at now (DMs that waited
	// for working hours, retries, scheduled posts).
	DeliverDue(ctx context.Context, now time.Time) (int, error)
	// RemindFollowups queues the reminders of follow-ups due by now and
	// the day's nudges for overdue ones.
	RemindFollowups(ctx context.Context, now time.Time) error
	// SuggestReconnects DMs people whose stay-in-touch cadence lapsed
	// (at most weekly per person; idempotent).
	SuggestReconnects(ctx context.Context, now time.Time) error
	// PostKudosDigest celebrates the public kudos given in [from, to).
	// It must be idempotent for the same window.
	PostKudosDigest(ctx context.Context, from, to time.Time) error
}

// Specs are the cron specs of the feature jobs; an empty spec leaves its
// job out (the kudos digest without a kudos channel, say).
type Specs struct {
	Tick        string // RAPPORT_TICK
	KudosDigest string // RAPPORT_KUDOS_DIGEST_SCHEDULE, when RAPPORT_KUDOS_CHANNEL is set
	Reconnect   string // how often reconnect suggestions are looked for, e.g. "@every 1h"
}

// digestWindow is the week a digest celebrates: the seven days before it.
const digestWindow = 7 * 24 * time.Hour

// FeatureJobs returns the jobs that drive the features, for Register.
func FeatureJobs(n Notifier, specs Specs) []Job {
	var jobs []Job
	if specs.Tick != "" {
		jobs = append(jobs, Job{
			Name: JobTick,
			Spec: specs.Tick,
			// The tick is frequent: a missed one is made up by the next.
			Run: func(ctx context.Context, at time.Time) error {
				if err := n.RemindFollowups(ctx, at); err != nil {
					return err
				}
				_, err := n.DeliverDue(ctx, at)
				return err
			},
		})
	}
	if specs.KudosDigest != "" {
		jobs = append(jobs, Job{
			Name:    JobKudosDigest,
			Spec:    specs.KudosDigest,
			CatchUp: true, // a Friday digest missed during downtime is posted at start
			Run: func(ctx context.Context, at time.Time) error {
				return n.PostKudosDigest(ctx, at.Add(-digestWindow), at)
			},
		})
	}
	if specs.Reconnect != "" {
		jobs = append(jobs, Job{
			Name: JobReconnect,
			Spec: specs.Reconnect,
			Run:  n.SuggestReconnects,
		})
	}
	return jobs
}
