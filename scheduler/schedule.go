package scheduler

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// This file holds the scheduler's decisions about time as pure functions of
// (schedule, times): which instants fall in a window, which instant a late
// start should catch up, which instant a cron firing stands for. They carry
// the table tests; the cron wiring around them gets one synctest test.
//
// Every time passed to a cron.Schedule here must already be in the
// scheduler's Location: robfig/cron parses a spec without a TZ= prefix into a
// schedule whose zone is the time.Local sentinel, which means "the zone of
// the time you give me". Passing times in Location is what makes
// "0 10 * * MON" mean 10:00 in RAPPORT_TZ, across DST changes too.

// maxDue bounds how many instants dueBetween will list for one job. A spec
// is at most once a minute (5 fields) or once a second (@every), so a window
// could hold millions; a week of "@every 1m" is 10,080, and a sandbox may
// move time by weeks, so the bound leaves room for that and stops runaway
// windows (a year of "@every 1s") from looping for minutes.
const maxDue = 100_000

// errTooMany is returned by dueBetween when a window holds more than maxDue
// instants.
var errTooMany = fmt.Errorf("more than %d scheduled instants in the window", maxDue)

// specParser is the parser cron.New uses when no WithParser option is given
// (5 fields, descriptors such as @weekly, and @every). Register parses with
// it and hands the schedule to cron, so ParseSpec, Register and cron can
// never disagree about a spec.
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// neverRef is the fixed reference from which parseSpec checks that a spec
// fires at all; fixed so that validation does not depend on the clock.
// (cron looks five years ahead, so even "29 Feb" is found from here.)
var neverRef = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// ParseSpec reports whether spec is a schedule the scheduler accepts: five
// cron fields ("0 10 * * MON"), a descriptor ("@weekly", "@daily") or
// "@every <duration>" ("@every 1m"), exactly as robfig/cron parses them, and
// one that fires at least once ("0 0 30 2 *" does not). A "TZ=Zone " prefix
// is accepted and then overrides Options.Location for that spec. The error
// names the spec and wraps cron's. Configuration validation calls it so that
// a bad RAPPORT_*_SCHEDULE stops the bot at start. The Schedule it returns
// gives the instants cron will run a job with that spec at (in the zone of
// the time passed to Next, unless the spec names one), for code that must
// know the next run ahead of it, such as the coffee round's heads-up.
func ParseSpec(spec string) (Schedule, error) {
	sched, err := parseSpec(spec)
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	return sched, nil
}

// Schedule is when a spec fires: Next returns the first instant after t,
// or zero if there is none.
type Schedule interface {
	Next(t time.Time) time.Time
}

// parseSpec parses spec as cron would and rejects schedules that never fire.
func parseSpec(spec string) (sched cron.Schedule, err error) {
	// cron v3.0.1 slices out of range on a "TZ=Zone" prefix with nothing
	// after it; this is user input from the environment, so turn that into
	// an error instead of a crash.
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("spec %q: malformed (%v)", spec, r)
		}
	}()
	sched, err = specParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("spec %q: %w", spec, err)
	}
	if sched.Next(neverRef).IsZero() {
		return nil, fmt.Errorf("spec %q: never fires", spec)
	}
	return sched, nil
}

// dueBetween returns, in order, every instant of sched in (from, to]. It
// returns errTooMany rather than a partial list when there are more than
// maxDue of them. A schedule that stops firing (cron gives up five years
// ahead) just ends the list.
func dueBetween(sched cron.Schedule, from, to time.Time) ([]time.Time, error) {
	var due []time.Time
	for t := sched.Next(from); !t.IsZero() && !t.After(to); t = sched.Next(t) {
		if len(due) == maxDue {
			return nil, errTooMany
		}
		due = append(due, t)
	}
	return due, nil
}

// missedRun reports whether an instant of sched came after last and at or
// before now, and if so returns the latest such instant: after downtime a
// job runs once, for the most recent run it missed, not once per missed
// instant (a coffee round for three missed Mondays is one round).
func missedRun(sched cron.Schedule, last, now time.Time) (at time.Time, ok bool) {
	first := sched.Next(last)
	if first.IsZero() || first.After(now) {
		return time.Time{}, false
	}
	return latestInstant(sched, first, now), true
}

// latestInstant returns the last instant of sched at or before now, given
// an instant t of sched with t <= now. It does not walk instant by instant
// from t when it can avoid it, so that a week of downtime of a 1-minute tick
// (or a year of "@every 1s") costs microseconds, not seconds.
func latestInstant(sched cron.Schedule, t, now time.Time) time.Time {
	switch s := sched.(type) {
	case cron.ConstantDelaySchedule:
		// @every: once on a whole second (as t is), the instants are exactly
		// t, t+d, t+2d, ... so the answer is arithmetic.
		if s.Delay > 0 {
			return t.Add(now.Sub(t) / s.Delay * s.Delay)
		}
	case *cron.SpecSchedule:
		// Field specs are absolute: the instants do not depend on where one
		// starts looking. Look back from now over growing windows and start
		// walking from the first instant found in the smallest one, which
		// leaves at most a few thousand steps.
		for _, back := range []time.Duration{time.Minute, time.Hour, 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour} {
			from := now.Add(-back)
			if !from.After(t) {
				break
			}
			if n := sched.Next(from); !n.IsZero() && !n.After(now) {
				t = n
				break
			}
		}
	}
	for {
		n := sched.Next(t)
		if n.IsZero() || n.After(now) {
			return t
		}
		t = n
	}
}

// catchUpAction is what Start does for a CatchUp job.
type catchUpAction int

const (
	catchUpNone     catchUpAction = iota // up to date: nothing to do
	catchUpBaseline                      // never ran: record now, so later downtime is noticed
	catchUpRun                           // an instant was missed: run once for it
)

func (a catchUpAction) String() string {
	switch a {
	case catchUpNone:
		return "none"
	case catchUpBaseline:
		return "baseline"
	case catchUpRun:
		return "run"
	}
	return fmt.Sprintf("catchUpAction(%d)", int(a))
}

// planCatchUp decides what Start does for a CatchUp job whose last
// successful run is last (haveLast false: none recorded). A job that never
// ran is not run at first start (a fresh install should not start a coffee
// round on the spot); instead now becomes the baseline from which the next
// start measures downtime. Otherwise the job runs once, at the latest
// instant it missed, if any.
func planCatchUp(sched cron.Schedule, last time.Time, haveLast bool, now time.Time) (at time.Time, action catchUpAction) {
	if !haveLast {
		return now, catchUpBaseline
	}
	if at, ok := missedRun(sched, last, now); ok {
		return at, catchUpRun
	}
	return time.Time{}, catchUpNone
}

// cronInstant returns the instant a cron firing observed at wall stands
// for, given expected, the instant the entry was due to fire next, and how
// many instants before it were passed over. cron calls a bare func(), so the
// scheduler keeps expected per job itself; passed-over instants are those
// that cron.SkipIfStillRunning dropped while a previous run was still going
// (that wrapper sits outside ours, so this is the only place we see them),
// or that the process slept through. When wall is before expected (the wall
// clock was set back), the firing is the one cron expected.
func cronInstant(sched cron.Schedule, expected, wall time.Time) (at time.Time, passed int) {
	if expected.IsZero() {
		return wall.Truncate(time.Second), 0
	}
	at = expected
	if wall.Before(expected) {
		return at, 0
	}
	for {
		n := sched.Next(at)
		if n.IsZero() || n.After(wall) {
			return at, passed
		}
		if passed == maxDue {
			// Asleep for ages: stop counting, but still report the
			// latest instant.
			return latestInstant(sched, n, wall), passed
		}
		at = n
		passed++
	}
}
