package main

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/scheduler"
	"github.com/rapport-bot/rapport/store/storetest"
)

// recordingTriggers remembers which trigger each run called, and when.
type recordingTriggers struct {
	mu    sync.Mutex
	calls map[string][]time.Time
}

func (r *recordingTriggers) record(name string, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[string][]time.Time{}
	}
	r.calls[name] = append(r.calls[name], at)
	return nil
}

func (r *recordingTriggers) Tick(_ context.Context, at time.Time) error { return r.record("Tick", at) }
func (r *recordingTriggers) KudosDigest(_ context.Context, at time.Time) error {
	return r.record("KudosDigest", at)
}
func (r *recordingTriggers) SuggestReconnects(_ context.Context, at time.Time) error {
	return r.record("SuggestReconnects", at)
}
func (r *recordingTriggers) RunCoffeeRound(_ context.Context, at time.Time) error {
	return r.record("RunCoffeeRound", at)
}
func (r *recordingTriggers) CoffeeTick(_ context.Context, at time.Time) error {
	return r.record("CoffeeTick", at)
}
func (r *recordingTriggers) RefreshTeams(_ context.Context, at time.Time) error {
	return r.record("RefreshTeams", at)
}
func (r *recordingTriggers) Celebrate(_ context.Context, at time.Time) error {
	return r.record("Celebrate", at)
}

// Ensure the schedule runs each job's one trigger at the instants of its
// spec, in the configured zone, with catch-up where a missed run matters,
// and the kudos digest only when there is a kudos channel.
func TestJobsCallTheirTriggers(t *testing.T) {
	env := goodEnv(t)
	env["RAPPORT_TZ"] = "Europe/Berlin"
	env["RAPPORT_TICK"] = "@every 1h"
	env["RAPPORT_COFFEE_SCHEDULE"] = "0 10 * * MON"
	env["RAPPORT_KUDOS_CHANNEL"] = "CKUDOS"
	env["RAPPORT_KUDOS_DIGEST_SCHEDULE"] = "0 16 * * FRI"
	env["RAPPORT_TEAMS"] = "design"
	cfg, _, err := parseConfig("run", allSettings(), nil, getenvFrom(env), &bytes.Buffer{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.MustOpen(t)
	tr := &recordingTriggers{}
	sched, err := scheduler.New(db, scheduler.Options{Location: cfg.Location, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	js := jobs(cfg, db, tr)
	var names []string
	catchUp := map[string]bool{}
	for _, j := range js {
		names = append(names, j.Name)
		catchUp[j.Name] = j.CatchUp
		if err := sched.Register(j); err != nil {
			t.Fatal(err)
		}
	}
	wantNames := []string{bot.JobTick, bot.JobKudosDigest, bot.JobTeams, bot.JobReconnect, bot.JobCoffeeRound, bot.JobCoffeeTick, bot.JobCelebrate, pruneJob}
	if !slices.Equal(names, wantNames) {
		t.Errorf("jobs = %v, want %v (in this order: it is the order of runs due at one instant)", names, wantNames)
	}
	for name, want := range map[string]bool{bot.JobCoffeeRound: true, bot.JobKudosDigest: true, bot.JobTick: false, bot.JobCoffeeTick: false} {
		if catchUp[name] != want {
			t.Errorf("job %s: CatchUp = %v, want %v", name, catchUp[name], want)
		}
	}

	from := time.Date(2026, 11, 30, 0, 0, 0, 0, cfg.Location) // a Monday, midnight in Berlin
	if err := sched.RunDue(t.Context(), from, from.Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 11, 30, 10, 0, 0, 0, cfg.Location)
	friday := time.Date(2026, 12, 4, 16, 0, 0, 0, cfg.Location)
	for name, want := range map[string]int{"Tick": 7 * 24, "CoffeeTick": 7 * 24, "SuggestReconnects": 7 * 24, "RefreshTeams": 7 * 24, "Celebrate": 7 * 24, "RunCoffeeRound": 1, "KudosDigest": 1} {
		if got := len(tr.calls[name]); got != want {
			t.Errorf("%s ran %d times in a week, want %d", name, got, want)
		}
	}
	if got := tr.calls["RunCoffeeRound"]; len(got) != 1 || !got[0].Equal(monday) {
		t.Errorf("RunCoffeeRound at %v, want Monday 10:00 in Berlin (%v)", got, monday)
	}
	if got := tr.calls["KudosDigest"]; len(got) != 1 || !got[0].Equal(friday) {
		t.Errorf("KudosDigest at %v, want Friday 16:00 in Berlin (%v)", got, friday)
	}

	cfg.KudosChannel = ""
	cfg.Teams = nil
	for _, j := range jobs(cfg, db, tr) {
		if j.Name == bot.JobKudosDigest {
			t.Error("a kudos digest job without a kudos channel")
		}
		if j.Name == bot.JobTeams {
			t.Error("a teams job without RAPPORT_TEAMS or RAPPORT_TEAM_FIELD")
		}
	}
}
