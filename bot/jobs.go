package bot

import (
	"context"
	"time"
)

// The bot's scheduled work. The scheduler says when: cmd/rapport registers
// one job per trigger below, with its spec, and the scheduler calls it with
// the instant the run stands for. The bot says what: each trigger decides
// who hears what, and reaches them through the outbox.

// The jobs' names. A name keys the job's record in the store's job_runs
// bucket, which catch-up after downtime reads, and labels its metrics and
// log lines: a database written by an older binary holds these strings, so
// a name never changes without a store migration that moves its record
// (the coffee tick was "coffee-followup" until schema v7).
const (
	JobTick        = "tick"         // Tick: due follow-ups, then the outbox
	JobKudosDigest = "kudos-digest" // KudosDigest: the weekly kudos post
	JobReconnect   = "reconnect"    // SuggestReconnects: reconnect suggestions
	JobCoffeeRound = "coffee-round" // RunCoffeeRound: pair and introduce
	JobCoffeeTick  = "coffee-tick"  // CoffeeTick: heads-ups, "did you meet?", a cut delivery resumed
	JobTeams       = "teams"        // RefreshTeams: everyone's team, from user groups or a profile field
	JobCelebrate   = "celebrations" // Celebrate: birthdays and work anniversaries (celebrate.go)
)

// digestWindow is the week a digest celebrates: the seven days before it.
const digestWindow = 7 * 24 * time.Hour

// Tick sends the reminders of follow-ups due by at and the day's nudges,
// then the queued messages due at at.
func (b *Bot) Tick(ctx context.Context, at time.Time) error {
	if err := b.RemindFollowups(ctx, at); err != nil {
		return err
	}
	_, err := b.DeliverDue(ctx, at)
	return err
}

// KudosDigest celebrates the public kudos of the week before at.
func (b *Bot) KudosDigest(ctx context.Context, at time.Time) error {
	return b.PostKudosDigest(ctx, at.Add(-digestWindow), at)
}
