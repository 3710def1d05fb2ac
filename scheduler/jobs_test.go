package scheduler_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/scheduler"
)

// recordingNotifier remembers what the jobs asked for.
type recordingNotifier struct {
	mu      sync.Mutex
	ticks   []time.Time
	digests [][2]time.Time
}

func (r *recordingNotifier) DeliverDue(ctx context.Context, now time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ticks = append(r.ticks, now)
	return 0, nil
}

func (r *recordingNotifier) SuggestReconnects(ctx context.Context, now time.Time) error { return nil }

func (r *recordingNotifier) RemindFollowups(ctx context.Context, now time.Time) error { return nil }

func (r *recordingNotifier) PostKudosDigest(ctx context.Context, from, to time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.digests = append(r.digests, [2]time.Time{from, to})
	return nil
}

func TestFeatureJobs(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	n := &recordingNotifier{}
	s := newTestScheduler(t, berlin)
	for _, j := range scheduler.FeatureJobs(n, scheduler.Specs{Tick: "@every 1h", KudosDigest: "0 16 * * FRI"}) {
		if err := s.Register(j); err != nil {
			t.Fatal(err)
		}
	}
	from := time.Date(2026, 11, 30, 0, 0, 0, 0, berlin) // a Monday
	if err := s.RunDue(t.Context(), from, from.Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(n.ticks) != 7*24 {
		t.Errorf("ticks = %d, want %d", len(n.ticks), 7*24)
	}
	friday := time.Date(2026, 12, 4, 16, 0, 0, 0, berlin)
	if len(n.digests) != 1 || !n.digests[0][1].Equal(friday) || !n.digests[0][0].Equal(friday.Add(-7*24*time.Hour)) {
		t.Errorf("digests = %v, want one for the week before %v", n.digests, friday)
	}

	if jobs := scheduler.FeatureJobs(n, scheduler.Specs{Tick: "@every 1m"}); len(jobs) != 1 || jobs[0].Name != scheduler.JobTick {
		t.Errorf("without a digest spec: jobs = %+v, want the tick only", jobs)
	}
}

func newTestScheduler(t *testing.T, loc *time.Location) *scheduler.Scheduler {
	t.Helper()
	s, err := scheduler.New(newFakeStore(), scheduler.Options{Location: loc, Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatalf("scheduler.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}
