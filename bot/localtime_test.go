package bot

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Ensure no message text is built with Slack's "<!date^…>" tokens: Slack
// renders them in the reader's Slack profile zone, which differs from the
// zone Rapport uses for them once they choose one in Settings. Times go
// through localWhen, localClock and localDate with the reader's zone.
func TestNoSlackDateTokens(t *testing.T) {
	fset := gotoken.NewFileSet()
	files, err := filepath.Glob("*.go") // this package's files; bot/slacktest is the fake Slack, which renders tokens
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == gotoken.STRING && strings.Contains(lit.Value, "<!date^") {
				t.Errorf("%s: a Slack date token in %s; write the time with localWhen, localClock or localDate in the reader's zone", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
}

// testReader reads the render tests' times, all in late 2026, in UTC.
var testReader = reader{loc: time.UTC, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}

// Ensure a time shows its year only when it is about six months or more
// away, before or after now, and is written in the reader's zone.
func TestYearOnlyWhenItHelps(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		t    time.Time
		loc  *time.Location
		now  time.Time
		when string
		date string
	}{
		{"a few days ahead", at(2026, 12, 3, 17), nil, now, "Thu 3 Dec, 17:00", "Thu 3 Dec"},
		{"next year, weeks ahead", at(2027, 1, 4, 9), nil, now, "Mon 4 Jan, 09:00", "Mon 4 Jan"},
		{"last month", at(2026, 11, 2, 12), nil, now, "Mon 2 Nov, 12:00", "Mon 2 Nov"},
		{"five months ahead", at(2027, 5, 1, 9), nil, now, "Sat 1 May, 09:00", "Sat 1 May"},
		{"seven months ahead", at(2027, 7, 1, 9), nil, now, "Thu 1 Jul 2027, 09:00", "Thu 1 Jul 2027"},
		{"a year ahead", at(2027, 12, 3, 17), nil, now, "Fri 3 Dec 2027, 17:00", "Fri 3 Dec 2027"},
		{"seven months ago", at(2026, 5, 1, 9), nil, now, "Fri 1 May 2026, 09:00", "Fri 1 May 2026"},
		{"a year ago", at(2025, 12, 3, 17), nil, now, "Wed 3 Dec 2025, 17:00", "Wed 3 Dec 2025"},
		{"just under the edge", now.Add(yearShownAfter), nil, now, "Wed 2 Jun, 09:00", "Wed 2 Jun"},
		{"just over the edge", now.Add(yearShownAfter + time.Hour), nil, now, "Wed 2 Jun 2027, 10:00", "Wed 2 Jun 2027"},
		{"in the reader's zone", at(2026, 12, 3, 23), berlin, now, "Fri 4 Dec, 00:00", "Fri 4 Dec"},
		{"no now: the year is shown", at(2026, 12, 3, 17), nil, time.Time{}, "Thu 3 Dec 2026, 17:00", "Thu 3 Dec 2026"},
	}
	for _, tt := range tests {
		r := reader{loc: tt.loc, now: tt.now}
		if got := localWhen(tt.t, r); got != tt.when {
			t.Errorf("%s: localWhen(%v, now %v) = %q, want %q", tt.name, tt.t, tt.now, got, tt.when)
		}
		if got := localDate(tt.t, r); got != tt.date {
			t.Errorf("%s: localDate(%v, now %v) = %q, want %q", tt.name, tt.t, tt.now, got, tt.date)
		}
		if got := FormatWhen(tt.t, tt.loc, tt.now); got != tt.when {
			t.Errorf("%s: FormatWhen(%v, now %v) = %q, want %q", tt.name, tt.t, tt.now, got, tt.when)
		}
	}
	if got := localClock(at(2026, 12, 3, 17), berlin); got != "18:00" {
		t.Errorf("localClock(17:00 UTC, Berlin) = %q, want %q", got, "18:00")
	}
}

// formatAllowed are the only calls of a Format method (on a time) outside
// localtime.go, by file and layout: keys and file names that no person
// reads as a time.
var formatAllowed = map[string]string{
	"bot/coffee_answers.go": `"2006-01-02"`,      // a day key: one suggested slot per local day
	"bot/ids.go":            `time.RFC3339`,      // the outbox key of a weekly digest
	"cmd/rapport/ops.go":    `"20060102-150405"`, // a backup's file name
}

// Ensure every time a person reads is written by localtime.go: a Format
// call anywhere else in the bot or the program (the sandbox's own printing
// included) would bring back a second way of writing times. Only the calls
// in formatAllowed, which write keys and file names, are exempt.
func TestTimesFormattedInOnePlace(t *testing.T) {
	fset := gotoken.NewFileSet()
	var files []string
	for _, pattern := range []string{"*.go", "../cmd/rapport/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	for _, path := range files {
		name := filepath.ToSlash(filepath.Clean(filepath.Join("bot", path)))
		if strings.HasSuffix(path, "_test.go") || name == "bot/localtime.go" {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Format" && sel.Sel.Name != "AppendFormat") || len(call.Args) == 0 {
				return true
			}
			arg := call.Args[len(call.Args)-1]
			layout := string(src[fset.Position(arg.Pos()).Offset:fset.Position(arg.End()).Offset])
			if formatAllowed[name] == layout {
				return true
			}
			t.Errorf("%s: %s(%s) writes a time outside localtime.go; use localWhen, localDate or localClock "+
				"(or FormatWhen outside the bot), or list it in formatAllowed if no person reads it", fset.Position(call.Pos()), sel.Sel.Name, layout)
			return true
		})
	}
}
