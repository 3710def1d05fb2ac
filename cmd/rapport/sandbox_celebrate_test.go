package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Ensure the scripted celebrations show a year refused for a birthday, one
// post in #celebrations naming a birthday in Bangalore and one in São Paulo
// (with an anniversary's years) on their own day, in the channel's working
// hours, a private DM in the recipient's working hours, and a Congratulate
// click that is confirmed.
func TestSandboxCelebrate(t *testing.T) {
	got := runLongScript(t, "sandbox_celebrate.txt")
	zones := sandboxZones(t)
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, zones["alex"])
	ds, err := unprompted(got, zones, start)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, who := range d.to {
			if !inWorkingHours(d.at, zones[who]) {
				t.Errorf("%s got %q at %s, outside their working hours", who, d.text[0], d.at.In(zones[who]).Format("Mon 2 Jan 15:04 MST"))
			}
		}
	}
	for _, want := range []string{
		"never the year",
		"Happy birthday, @arjun",
		"Happy birthday, @lucas",
		"3 years at the company",
		"you congratulated",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "Today we celebrate"); n != 1 {
		t.Errorf("%d celebrations posts, want 1", n)
	}
	compareGolden(t, got, filepath.Join("testdata", "sandbox_celebrate.golden"))
}
