package scheduler

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin on hosts without a zoneinfo database

	"github.com/robfig/cron/v3"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func mustParse(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	sched, err := parseSpec(spec)
	if err != nil {
		t.Fatalf("parseSpec(%q): %v", spec, err)
	}
	return sched
}

func fmtTimes(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format(time.RFC3339)
	}
	return out
}

func TestDueBetween(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	in := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, berlin) }
	tests := []struct {
		name     string
		spec     string
		from, to time.Time
		want     []time.Time // nil: check wantN only
		wantN    int
	}{
		{
			name: "weekly, window excludes from and includes to",
			spec: "0 10 * * MON",
			from: in(2026, 3, 9, 10, 0), to: in(2026, 3, 16, 10, 0),
			want: []time.Time{in(2026, 3, 16, 10, 0)},
		},
		{
			// 2026-03-29 02:00 CET becomes 03:00 CEST: 10:00 is 09:00Z
			// before and 08:00Z after.
			name: "weekly across the Berlin DST change stays at 10:00 local",
			spec: "0 10 * * MON",
			from: in(2026, 3, 22, 0, 0), to: in(2026, 4, 5, 0, 0),
			want: []time.Time{
				time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC),
				time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
			},
		},
		{
			name: "weekly across the Berlin DST end (October)",
			spec: "0 10 * * MON",
			from: in(2026, 10, 20, 0, 0), to: in(2026, 11, 3, 0, 0),
			want: []time.Time{
				time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC), // after 2026-10-25: CET again
				time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
			},
		},
		{
			name: "every hour keeps elapsed hours across DST",
			spec: "@every 1h",
			from: in(2026, 3, 29, 0, 0), to: in(2026, 3, 29, 4, 0),
			// 00:00 CET + 3 elapsed hours is 04:00 CEST.
			want: []time.Time{in(2026, 3, 29, 1, 0), in(2026, 3, 29, 3, 0), in(2026, 3, 29, 4, 0)},
		},
		{
			name: "empty window",
			spec: "@every 1m",
			from: in(2026, 3, 9, 10, 0), to: in(2026, 3, 9, 10, 0),
			want: []time.Time{},
		},
		{
			name: "to before from",
			spec: "@every 1m",
			from: in(2026, 3, 9, 10, 0), to: in(2026, 3, 9, 9, 0),
			want: []time.Time{},
		},
		{
			name: "a week of a 1-minute tick fits the bound",
			spec: "@every 1m",
			from: in(2026, 3, 9, 0, 0), to: in(2026, 3, 9, 0, 0).Add(7 * 24 * time.Hour),
			wantN: 10080,
		},
		{
			name: "a week of a 1-minute cron spec fits the bound",
			spec: "* * * * *",
			from: in(2026, 3, 9, 0, 0), to: in(2026, 3, 9, 0, 0).Add(7 * 24 * time.Hour),
			wantN: 10080,
		},
	}
	for _, tt := range tests {
		got, err := dueBetween(mustParse(t, tt.spec), tt.from, tt.to)
		if err != nil {
			t.Errorf("%s: dueBetween(%q, %v, %v) error: %v", tt.name, tt.spec, tt.from, tt.to, err)
			continue
		}
		if tt.want == nil {
			if len(got) != tt.wantN {
				t.Errorf("%s: dueBetween(%q) returned %d instants, want %d", tt.name, tt.spec, len(got), tt.wantN)
			}
			continue
		}
		if !slices.EqualFunc(got, tt.want, time.Time.Equal) {
			t.Errorf("%s: dueBetween(%q, %v, %v) = %v, want %v", tt.name, tt.spec, tt.from, tt.to, fmtTimes(got), fmtTimes(tt.want))
		}
		for _, at := range got {
			if at.Location() != berlin {
				t.Errorf("%s: instant %v is in %v, want Europe/Berlin", tt.name, at, at.Location())
				break
			}
		}
	}
}

// Ensure a window with too many instants fails instead of looping.
func TestDueBetweenBound(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	for _, spec := range []string{"@every 1s", "* * * * *"} {
		to := from.Add(2 * 24 * time.Hour) // 172,800 seconds
		if spec == "* * * * *" {
			to = from.Add(100 * 24 * time.Hour) // 144,000 minutes
		}
		got, err := dueBetween(mustParse(t, spec), from, to)
		if !errors.Is(err, errTooMany) {
			t.Errorf("dueBetween(%q, %v, %v) = %d instants, %v; want errTooMany", spec, from, to, len(got), err)
		}
	}
}

func TestMissedRun(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	in := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, berlin) }
	tests := []struct {
		spec      string
		last, now time.Time
		want      time.Time // zero: no run
	}{
		// Up to date: the next instant is still ahead.
		{"0 10 * * MON", in(2026, 3, 9, 10, 0), in(2026, 3, 16, 9, 59), time.Time{}},
		// The instant itself counts as missed (now is inclusive).
		{"0 10 * * MON", in(2026, 3, 9, 10, 0), in(2026, 3, 16, 10, 0), in(2026, 3, 16, 10, 0)},
		// Three missed Mondays: one run, for the latest.
		{"0 10 * * MON", in(2026, 2, 23, 10, 0), in(2026, 3, 18, 8, 0), in(2026, 3, 16, 10, 0)},
		// Across DST: 10:00 CEST is 08:00Z; 09:30 local is not yet due.
		{"0 10 * * MON", in(2026, 3, 23, 10, 0), in(2026, 3, 30, 9, 30), time.Time{}},
		{"0 10 * * MON", in(2026, 3, 23, 10, 0), in(2026, 3, 30, 10, 0), time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)},
		// A week of downtime of a daily job.
		{"0 9 * * *", in(2026, 3, 9, 9, 0), in(2026, 3, 16, 12, 0), in(2026, 3, 16, 9, 0)},
		// @every counts from the last run, not from the clock.
		{"@every 1h", in(2026, 3, 9, 9, 17), in(2026, 3, 9, 12, 0), in(2026, 3, 9, 11, 17)},
		{"@every 1h", in(2026, 3, 9, 9, 17), in(2026, 3, 9, 10, 16), time.Time{}},
		// A year of downtime of a 1-second tick is arithmetic, not a loop.
		{"@every 1s", in(2025, 3, 9, 9, 0), in(2026, 3, 9, 9, 0).Add(500 * time.Millisecond), in(2026, 3, 9, 9, 0)},
		// A year of downtime of a 1-minute cron spec.
		{"* * * * *", in(2025, 3, 9, 9, 0), in(2026, 3, 9, 9, 0).Add(59 * time.Second), in(2026, 3, 9, 9, 0)},
		// The last run is in the future (clock set back): nothing to do.
		{"@every 1m", in(2026, 3, 9, 12, 0), in(2026, 3, 9, 11, 0), time.Time{}},
	}
	for _, tt := range tests {
		got, ok := missedRun(mustParse(t, tt.spec), tt.last, tt.now)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("missedRun(%q, %v, %v) = %v, %v; want %v, %v", tt.spec, tt.last, tt.now, got, ok, tt.want, !tt.want.IsZero())
		}
	}
}

// Ensure the look-back shortcut in latestInstant agrees with walking the
// schedule instant by instant, DST days included.
func TestLatestInstantMatchesWalk(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	rng := rand.New(rand.NewPCG(1, 2))
	specs := []string{"*/30 * * * *", "0 10 * * MON", "30 2 * * *", "0 0 1 * *", "*/10 * 1 * *", "15 9-17 * * MON-FRI", "@every 90s", "@every 1h", "@daily"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, berlin)
	for _, spec := range specs {
		sched := mustParse(t, spec)
		for range 15 {
			last := base.Add(time.Duration(rng.Int64N(int64(700 * 24 * time.Hour))))
			now := last.Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour))))
			first := sched.Next(last)
			if first.After(now) {
				continue
			}
			want := first
			for n := sched.Next(want); !n.After(now); n = sched.Next(n) {
				want = n
			}
			if got := latestInstant(sched, first, now); !got.Equal(want) {
				t.Errorf("latestInstant(%q, %v, %v) = %v, want %v", spec, first, now, got, want)
			}
		}
	}
}

func TestPlanCatchUp(t *testing.T) {
	t.Parallel()
	sched := mustParse(t, "0 10 * * MON")
	now := time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		last       time.Time
		haveLast   bool
		wantAt     time.Time
		wantAction catchUpAction
	}{
		{"never ran: baseline at now", time.Time{}, false, now, catchUpBaseline},
		{"a week ago: run once for the latest instant", now.Add(-7 * 24 * time.Hour), true, time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC), catchUpRun},
		{"up to date", time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC), true, time.Time{}, catchUpNone},
		{"last run ahead of the clock", now.Add(time.Hour), true, time.Time{}, catchUpNone},
	}
	for _, tt := range tests {
		at, action := planCatchUp(sched, tt.last, tt.haveLast, now)
		if action != tt.wantAction || !at.Equal(tt.wantAt) {
			t.Errorf("%s: planCatchUp(%v, %v, %v) = %v, %v; want %v, %v", tt.name, tt.last, tt.haveLast, now, at, action, tt.wantAt, tt.wantAction)
		}
	}
}

func TestCronInstant(t *testing.T) {
	t.Parallel()
	h := func(hour, min, sec, ms int) time.Time {
		return time.Date(2026, 3, 9, hour, min, sec, ms*int(time.Millisecond), time.UTC)
	}
	tests := []struct {
		name       string
		spec       string
		expected   time.Time
		wall       time.Time
		wantAt     time.Time
		wantPassed int
	}{
		{"on time, a few ms late", "0 * * * *", h(10, 0, 0, 0), h(10, 0, 0, 3), h(10, 0, 0, 0), 0},
		{"late but before the next instant", "0 * * * *", h(10, 0, 0, 0), h(10, 30, 0, 0), h(10, 0, 0, 0), 0},
		{"one instant skipped by SkipIfStillRunning", "0 * * * *", h(10, 0, 0, 0), h(11, 0, 1, 0), h(11, 0, 0, 0), 1},
		{"@every: two skipped", "@every 1h", h(1, 0, 0, 0), h(3, 0, 0, 500), h(3, 0, 0, 0), 2},
		{"wall clock set back: the instant cron expected", "0 * * * *", h(10, 0, 0, 0), h(9, 0, 0, 0), h(10, 0, 0, 0), 0},
		{"nothing expected: the wall clock on the second", "0 * * * *", time.Time{}, h(10, 0, 5, 700), h(10, 0, 5, 0), 0},
	}
	for _, tt := range tests {
		at, passed := cronInstant(mustParse(t, tt.spec), tt.expected, tt.wall)
		if !at.Equal(tt.wantAt) || passed != tt.wantPassed {
			t.Errorf("%s: cronInstant(%q, %v, %v) = %v, %d; want %v, %d", tt.name, tt.spec, tt.expected, tt.wall, at, passed, tt.wantAt, tt.wantPassed)
		}
	}
}

// Ensure a "TZ=" prefix with nothing after it, which panics inside cron
// v3.0.1, is an error.
func TestParseSpecMalformedTZ(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"TZ=UTC", "CRON_TZ=Europe/Berlin"} {
		if _, err := parseSpec(spec); err == nil {
			t.Errorf("parseSpec(%q) = nil error, want an error", spec)
		}
	}
}
