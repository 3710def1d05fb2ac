package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Ensure the scripted quarter shows what cross-team coffee is for: thirteen
// rounds in a team of three teams, then the admins' connection report with
// its numbers, the team grid as a table and as an uploaded picture (a file
// line with its name and size), and nobody named. Every message Rapport
// starts on its own in the quarter reaches people in their working hours.
func TestSandboxQuarter(t *testing.T) {
	t.Parallel() // minutes under -race: overlap with the tests that wait on processes
	got := runLongScript(t, "sandbox_quarter.txt")
	zones := sandboxZones(t)
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, zones["alex"])
	ds, err := unprompted(got, zones, start)
	if err != nil {
		t.Fatal(err)
	}
	rounds := 0
	for _, d := range ds {
		if strings.Contains(strings.Join(d.text, "\n"), "*Coffee time!*") {
			rounds++
		}
		for _, who := range d.to {
			if !inWorkingHours(d.at, zones[who]) {
				t.Errorf("%s got %q at %s, outside their working hours", who, d.text[0], d.at.In(zones[who]).Format("Mon 2 Jan 15:04 MST"))
			}
		}
	}
	if rounds < 13*3 {
		t.Errorf("%d coffee intros in the quarter, want at least three groups in each of 13 rounds", rounds)
	}

	_, report, ok := strings.Cut(got, "Coffee connections — admin report")
	if !ok {
		t.Fatalf("no report at the end of the quarter:\n%s", got)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`13 rounds\)`),
		regexp.MustCompile(`\*Meetings:\* \d+ of \d+ groups met \(\d+%\)`),
		regexp.MustCompile(`\*First meetings:\* \d+ of \d+ \(\d+%\)`),
		regexp.MustCompile(`\*Across teams:\* \d+ of \d+ \(\d+%\) groups shared no team; a random shuffle of the same people would give \d+%`),
		regexp.MustCompile(`1 of \d+ \(\d+%\) invitations skipped; 1 of \d+ \(\d+%\) people left coffee chats`),
		regexp.MustCompile(`3 of 3 team pairs have at least one`),
		regexp.MustCompile(`design +\d+ +\d+ +\d+`),
		regexp.MustCompile(`📎 rapport-new-ties-by-team\.png \([1-9]\d* bytes\)`),
		regexp.MustCompile(`names no one`),
	} {
		if !want.MatchString(report) {
			t.Errorf("the report lacks %s:\n%s", want, report)
		}
	}
	// The quarter before had no rounds: the header says so once, not
	// every figure.
	if strings.Contains(report, "weeks before:") {
		t.Errorf("the report repeats the empty quarter before under each figure:\n%s", report)
	}
	for _, p := range demoTeam {
		named := regexp.MustCompile(`(?i)\b(` + regexp.QuoteMeta(p.handle) + `|` + regexp.QuoteMeta(p.realName) + `|` + demoUserID(p.handle) + `)\b`)
		if named.MatchString(report) {
			t.Errorf("the report names %s", p.handle)
		}
	}
	compareGolden(t, got, filepath.Join("testdata", "sandbox_quarter.golden"))
}
