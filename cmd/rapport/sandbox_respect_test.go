package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// A transcript's instants: the headings that :advance prints, and the
// prompts of typed lines, both in the current person's zone without a year.
var (
	headingLine = regexp.MustCompile(`^  ── (\w{3} \d{1,2} \w{3}, \d{2}:\d{2}), \S.* ──$`)
	promptLine  = regexp.MustCompile(`^\[(\w{3} \d{1,2} \w{3}, \d{2}:\d{2})\] (\S+) in `)
	blockLine   = regexp.MustCompile(`^  ┌ Rapport (?:to (\S+) \(DM\)|in group DM (.+))$`)
)

// delivery is one message Rapport started on its own: shown under an
// :advance heading, not in answer to a typed line.
type delivery struct {
	at    time.Time
	to    []string // the handles of the people who receive it
	text  []string // its lines, without the frame
	group bool
}

// unprompted reads a sandbox transcript and returns the DMs and group DMs
// that appeared under :advance headings, each with its instant. viewer
// zones are resolved with zones[handle]; the year is inferred from start.
func unprompted(transcript string, zones map[string]*time.Location, start time.Time) ([]delivery, error) {
	var (
		out     []delivery
		me      string
		at      time.Time
		inTick  bool
		current *delivery
		year    = start.Year()
		last    = start
	)
	parse := func(stamp string) (time.Time, error) {
		loc := zones[me]
		if loc == nil {
			return time.Time{}, fmt.Errorf("no zone for %q", me)
		}
		t, err := time.ParseInLocation("Mon 2 Jan, 15:04 2006", stamp+" "+fmt.Sprint(year), loc)
		if err != nil {
			return t, err
		}
		if t.Before(last.Add(-24 * time.Hour)) { // the year turned
			year++
			t = t.AddDate(1, 0, 0)
		}
		last = t
		return t, nil
	}
	me = "alex"
	for _, l := range strings.Split(transcript, "\n") {
		if m := promptLine.FindStringSubmatch(l); m != nil {
			me = m[2]
			inTick, current = false, nil
			if _, err := parse(m[1]); err != nil {
				return nil, err
			}
			continue
		}
		if m := headingLine.FindStringSubmatch(l); m != nil {
			t, err := parse(m[1])
			if err != nil {
				return nil, err
			}
			at, inTick, current = t, true, nil
			continue
		}
		if !inTick {
			continue
		}
		if m := blockLine.FindStringSubmatch(l); m != nil {
			d := delivery{at: at}
			switch {
			case m[1] == "you":
				d.to = []string{me}
			case m[1] != "":
				d.to = []string{m[1]}
			default:
				d.to, d.group = strings.Split(m[2], ", "), true
			}
			out = append(out, d)
			current = &out[len(out)-1]
			continue
		}
		if current != nil {
			if rest, ok := strings.CutPrefix(l, "  │ "); ok {
				current.text = append(current.text, rest)
			} else {
				current = nil
			}
		}
	}
	return out, nil
}

// inWorkingHours reports whether t is Monday to Friday, 09:00 to 18:00, in
// loc: the default working hours of every member of the demo team. Both
// ends are inside, as in store.WorkWeek: a follow-up due "by Friday" is due
// at the end of the working day, and is reminded then.
func inWorkingHours(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
		return false
	}
	minutes := l.Hour()*60 + l.Minute()
	return minutes >= 9*60 && minutes <= 18*60
}

// sandboxZones maps the demo team's handles to their zones.
func sandboxZones(t interface{ Fatal(...any) }) map[string]*time.Location {
	zones := map[string]*time.Location{}
	for _, p := range demoTeam {
		loc, err := time.LoadLocation(p.tz)
		if err != nil {
			t.Fatal(err)
		}
		zones[p.handle] = loc
	}
	return zones
}

// Ensure the eight-week scenario of a team in four zones with one silent
// member keeps Rapport's promises over time: every message Rapport starts
// on its own reaches people inside their working hours; heads-ups come
// before the round; the silent member is asked, then visibly paused; no
// one gets two follow-up DMs at one instant; and an ignored follow-up is
// brought up on the back-off schedule, asked about once, then left alone.
func TestSandboxEightWeeks(t *testing.T) {
	t.Parallel() // minutes under -race: overlap with the tests that wait on processes
	got := runLongScript(t, "sandbox_eight_weeks.txt")
	zones := sandboxZones(t)
	berlin := zones["alex"]
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)
	ds, err := unprompted(got, zones, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) < 100 {
		t.Fatalf("only %d messages Rapport started on its own over eight weeks; the transcript is not what this test reads", len(ds))
	}

	has := func(d delivery, s string) bool { return strings.Contains(strings.Join(d.text, "\n"), s) }
	for _, d := range ds {
		for _, who := range d.to {
			if !inWorkingHours(d.at, zones[who]) {
				t.Errorf("%s got %q at %s, outside their working hours", who, d.text[0], d.at.In(zones[who]).Format("Mon 2 Jan 15:04 MST"))
			}
		}
	}

	// Heads-ups: one per person for each round from the second on (the
	// sandbox starts too late for the first), before the round.
	rounds := []time.Time{}
	for r := start.AddDate(0, 0, 7).Add(time.Hour); r.Before(time.Date(2027, 1, 25, 0, 0, 0, 0, berlin)); r = r.AddDate(0, 0, 7) {
		rounds = append(rounds, r)
	}
	// arjun is asked "still up?" instead before the round of Dec 21, is
	// paused at it, and resumes on Jan 1.
	arjunOut := []time.Time{time.Date(2026, 12, 21, 10, 0, 0, 0, berlin), time.Date(2026, 12, 28, 10, 0, 0, 0, berlin)}
	for _, r := range rounds {
		for _, p := range demoTeam {
			n := 0
			for _, d := range ds {
				if d.to[0] == p.handle && has(d, "*Heads-up:*") && !d.at.Before(r.AddDate(0, 0, -7)) && d.at.Before(r) {
					n++
				}
			}
			want := 1
			if p.handle == "arjun" && slices.ContainsFunc(arjunOut, r.Equal) {
				want = 0
			}
			if n != want {
				t.Errorf("%s got %d heads-ups before the round of %s, want %d", p.handle, n, r.Format("Mon 2 Jan"), want)
			}
		}
	}

	// The silent member: asked once, in his hours, before the round that
	// would leave him out; then paused at that round and told; his status and
	// Home say so and offer Resume. Nobody else is asked.
	var asked, paused []delivery
	for _, d := range ds {
		if has(d, "*Still up for coffee chats?*") {
			asked = append(asked, d)
		}
		if has(d, "paused your coffee chats") {
			paused = append(paused, d)
		}
	}
	switch {
	case len(asked) != 1 || asked[0].to[0] != "arjun":
		t.Errorf("still-up questions: %v, want one, to arjun", recipients(asked))
	case len(paused) != 1 || paused[0].to[0] != "arjun":
		t.Errorf("pause notices: %v, want one, to arjun", recipients(paused))
	case !asked[0].at.Before(paused[0].at):
		t.Errorf("arjun was asked at %v, not before he was paused at %v", asked[0].at, paused[0].at)
	case !slices.ContainsFunc(rounds, paused[0].at.Equal):
		t.Errorf("arjun was paused at %v, not at a round", paused[0].at)
	}
	for _, want := range []string{
		"arjun in #general> /coffee status\n  ┌ Rapport in #general — only you see this\n  │ ⏸️ You're in coffee chats, *paused*",
		"Resume coffee chats",
		"│ ⏸️ Paused: your last few rounds went unanswered",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q", want)
		}
	}

	// Follow-ups: at most one DM per person at an instant, and the ignored
	// note on the back-off schedule, asked about once, then silence.
	followupDM := func(d delivery) bool {
		return has(d, "⏰") || has(d, "back on track") || has(d, "Still on your list?")
	}
	perInstant := map[string]int{}
	var plants []string
	for _, d := range ds {
		if d.group || !followupDM(d) {
			continue
		}
		key := d.to[0] + " " + d.at.String()
		if perInstant[key]++; perInstant[key] > 1 {
			t.Errorf("%s got %d follow-up DMs at %v", d.to[0], perInstant[key], d.at)
		}
		if has(d, "*water the office plants*") {
			plants = append(plants, d.at.In(berlin).Format("Mon 2 Jan 15:04"))
		}
	}
	wantPlants := []string{
		"Mon 7 Dec 09:00",  // due on Saturday: reminded on the next working morning
		"Tue 8 Dec 09:00",  // nudged on three working days
		"Wed 9 Dec 09:00",  //
		"Thu 10 Dec 09:00", //
		"Thu 17 Dec 09:00", // then weekly, three times
		"Thu 24 Dec 09:00", //
		"Thu 31 Dec 09:00", //
		"Thu 7 Jan 09:00",  // then asked once, and left alone
	}
	if !slices.Equal(plants, wantPlants) {
		t.Errorf("the ignored note came up at\n%q\nwant\n%q", plants, wantPlants)
	}

	compareGolden(t, got, filepath.Join("testdata", "sandbox_eight_weeks.golden"))
}

// runLongScript runs a script of testdata that spans weeks and returns its
// transcript; a line of it that fails fails the test.
func runLongScript(t *testing.T, name string) string {
	t.Helper()
	script, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	got, err := sandboxScriptContext(ctx, t, string(script))
	if err != nil {
		t.Fatalf("the script failed: %v\n%s", err, got)
	}
	if strings.Contains(got, "\n  ! ") {
		t.Errorf("a line of the script failed:\n%s", got)
	}
	return got
}

func recipients(ds []delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, strings.Join(d.to, ","))
	}
	return out
}
