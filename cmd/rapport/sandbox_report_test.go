package main

import (
	"regexp"
	"strings"
	"testing"
)

// Ensure /coffee report works in the sandbox: alex, an admin, gets the
// report in his DM after a round, and it names none of the demo team.
func TestSandboxCoffeeReport(t *testing.T) {
	got, err := sandboxScript(t, ":advance to monday 10:00\n/coffee report\n")
	if err != nil {
		t.Fatalf("the script failed: %v\n%s", err, got)
	}
	_, report, ok := strings.Cut(got, "Coffee connections — admin report")
	if !ok {
		t.Fatalf("no report in alex's DM:\n%s", got)
	}
	report, _, _ = strings.Cut(report, "└")
	for _, want := range []string{"4 groups met", "invitations skipped", "names no one"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	for _, p := range demoTeam {
		// Whole words: "sam" is in "same".
		named := regexp.MustCompile(`(?i)\b(` + regexp.QuoteMeta(p.handle) + `|` + regexp.QuoteMeta(p.realName) + `|` + demoUserID(p.handle) + `)\b`)
		if named.MatchString(report) {
			t.Errorf("report names %s:\n%s", p.handle, report)
		}
	}
	if cfg, _, err := parseConfig("sandbox", botSettings, nil, sandboxEnv, &strings.Builder{}, nil); err != nil || cfg.ReportMinTeam != 2 {
		t.Errorf("sandbox RAPPORT_REPORT_MIN_TEAM = %d (%v), want 2", cfg.ReportMinTeam, err)
	}
}
