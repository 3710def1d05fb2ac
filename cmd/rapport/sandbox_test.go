package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var updateTranscript = flag.Bool("update", false, "rewrite the sandbox transcripts (testdata/*.golden) from the sandbox's output")

// sandboxCtx bounds a sandbox run. A week of minute ticks takes about a
// second, but ten under -race beside the package's process-killing tests.
func sandboxCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// sandboxScript runs the sandbox on a script and returns its transcript and
// error.
func sandboxScript(t *testing.T, script string, args ...string) (string, error) {
	t.Helper()
	return sandboxScriptContext(sandboxCtx(t), t, script, args...)
}

// sandboxScriptContext is sandboxScript bounded by ctx, for scripts longer
// than a week.
func sandboxScriptContext(ctx context.Context, t *testing.T, script string, args ...string) (string, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "script.txt")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, logs bytes.Buffer
	err := runSandbox(ctx, append([]string{"-script", file}, args...), nil, false, &out, &logs)
	if logs.Len() > 0 {
		t.Logf("sandbox logs:\n%s", logs.String())
	}
	return out.String(), err
}

// Ensure the scripted week of the README reads the same as its golden
// transcript, and that it shows what the README promises: a kudos, a
// coffee round and its check-in, a follow-up that goes overdue and gets
// done, and a reconnect nudge. Run with -update after a deliberate change
// to what Rapport says, and read the diff.
func TestSandboxWeek(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("testdata", "sandbox_week.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := sandboxScript(t, string(script))
	if err != nil {
		t.Fatalf("the week's script failed: %v\n%s", err, got)
	}
	for _, want := range []string{
		"🎉 @alex gave kudos to @maya",                      // the public kudos
		"Rapport to maya (DM)\n  │ 🎉 @alex gave you kudos", // and the DM
		"── Mon 30 Nov, 10:00, Berlin ──",                  // the round, on time
		"@maya says you met ☕",                             // "We met" from the intro
		"Did you meet?",                                    // the check-in, Friday
		"Lovely, noted ☕",                                  // answered
		"*⏰ A promise is due*",                             // the reminder, Tuesday 15:00
		"── Wed 2 Dec, 09:00, Berlin ──",                   // overdue: next working morning
		"Let's get this back on track",                     // the nudge
		"✅ @alex followed up: send the Q4 numbers",         // sam hears, in their hours
		"for you by Tue 1 Dec, 09:00",                      // in sam's zone, not UTC
		"── Fri 4 Dec, 16:00, Berlin ──\n  ┌ Rapport in #general\n  │ 🎉 Kudos this week", // the digest
		"*@priya* — last contact 7 days ago",                                             // the reconnect nudge
		"noted that you reached out to @priya",                                           // acted on
		"Rapport · Home (alex)",                                                          // the App Home
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q", want)
		}
	}
	if strings.Contains(got, "\n  ! ") {
		t.Errorf("a line of the script failed:\n%s", got)
	}
	// New York and São Paulo start work after the 10:00 Berlin round: their
	// heads-up comes in their last working hours before it, on Friday.
	monday := strings.Index(got, "── Mon 7 Dec")
	for _, who := range []string{"sam", "jordan", "lucas", "bia"} {
		at := strings.Index(got, "Rapport to "+who+" (DM)\n  │ ☕ *Heads-up")
		if at < 0 || monday < 0 || at > monday || !strings.Contains(got[:at], "── Fri 4 Dec") {
			t.Errorf("%s got no coffee heads-up on Friday, before Monday's round", who)
		}
	}

	compareGolden(t, got, filepath.Join("testdata", "sandbox_week.golden"))
}

// compareGolden compares a transcript with its golden file, or rewrites the
// file with -update.
func compareGolden(t *testing.T, got, golden string) {
	t.Helper()
	if *updateTranscript {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/rapport -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		i := 0
		for i < min(len(gl), len(wl)) && gl[i] == wl[i] {
			i++
		}
		t.Errorf("the transcript differs from %s from line %d:\n got: %q\nwant: %q\n(run with -update if the change is deliberate)",
			golden, i+1, line(gl, i), line(wl, i))
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

// Ensure commands piped in (no terminal) run like a script: each echoed
// after its prompt, and a failing one fails the run. They reach the
// sandbox through run's stdin, as main passes the process's.
func TestSandboxPiped(t *testing.T) {
	var out bytes.Buffer
	err := run(sandboxCtx(t), []string{"sandbox"}, getenvFrom(nil), strings.NewReader("/coffee status\n:as nobody\n"), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "1 line(s)") {
		t.Errorf("run sandbox = %v, want one failed line", err)
	}
	got := out.String()
	if !strings.Contains(got, "[Mon 30 Nov, 09:00] alex in #general> /coffee status\n") || strings.Contains(got, "Rapport sandbox: a fake Slack") {
		t.Errorf("piped commands are not echoed like a script's:\n%s", got)
	}
}

// Ensure the interactive sandbox prompts with the time, the person and the
// channel, answers a mistake with a friendly line and goes on, runs slash
// commands, and stops at :quit.
func TestSandboxInteractive(t *testing.T) {
	in := strings.NewReader(":help\n:as nobody\n/coffee status\n:as priya\n:frobnicate\n:quit\n/kudos @maya after quit\n")
	var out, logs bytes.Buffer
	if err := runSandbox(sandboxCtx(t), nil, in, true, &out, &logs); err != nil {
		t.Fatalf("runSandbox = %v\n%s", err, logs.String())
	}
	got := out.String()
	for _, want := range []string{
		"Rapport sandbox: a fake Slack workspace", // the welcome
		"[Mon 30 Nov, 09:00] alex in #general> ",  // the prompt
		":advance to monday 10:00",                // :help
		`! nobody called "nobody" here; the team is alex, maya, sam, jordan, priya, arjun, lucas, bia`,
		"You're in coffee chats", // /coffee status ran
		"You are priya now: Bangalore, where it is Mon 30 Nov, 13:30", // her zone
		"[Mon 30 Nov, 13:30] priya in #general> ",
		"! no sandbox command :frobnicate; :help lists them",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the session lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "gave kudos") {
		t.Errorf("a command after :quit ran:\n%s", got)
	}
}

// Ensure dialogs work as in Slack: /kudos with no text opens the form,
// :fill types into fields found by their first words, a bad value keeps
// the dialog open with Rapport's error, a good one closes it and takes
// effect, and the Home shows what a saved Settings dialog changed.
func TestSandboxDialogs(t *testing.T) {
	got, err := sandboxScript(t, strings.Join([]string{
		"/kudos",
		":submit",
		":fill Who maya, sam",
		`:fill "What for" the great demo`,
		":submit",
		":home",
		":click Settings",
		`:fill "Time zone" Mars/Base`,
		":submit",
		`:fill "Time zone" America/New_York`,
		":submit",
		":cancel",
	}, "\n"))
	if err == nil || !strings.Contains(err.Error(), "1 line(s) of the script failed") {
		t.Errorf("runSandbox = %v, want one failed line (the last :cancel, with no dialog open)", err)
	}
	for _, want := range []string{
		"Rapport opens a dialog on your screen\n  │ Give kudos",
		`(fill it in with :fill "field" value, then :submit or :cancel)`,
		"⚠ Pick at least one person.", // the empty submit
		"✎ Who do you want to thank?: maya, sam",
		"Kudos sent to @maya and @sam",
		"@alex gave kudos to @maya and @sam\n  │ > the great demo",
		"Rapport opens a dialog on your screen\n  │ Settings",
		"⚠ That isn't a time zone I know.",
		"(dialog closed)\n  ┌ Rapport · Home (alex)\n  │ ✅ *Settings saved.* Working hours 09:00–18:00 on Mon, Tue, Wed, Thu, Fri, in America/New_York (it's 03:00 there now).\n  │ 👋 *Hello, @alex!*", // Save confirmed on the Home; 03:00 in New York: no "Good morning"
		"! no dialog is open on your screen",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
}

// Ensure :fill on checkboxes adds and removes: +Saturday ticks Saturday
// and keeps Monday to Friday ticked, -Monday unticks one, a plain list
// sets exactly those, and a mix or an unknown choice is refused and
// changes nothing. The saved Settings show the change when reopened.
func TestSandboxFillCheckboxes(t *testing.T) {
	got, err := sandboxScript(t, strings.Join([]string{
		":home",
		":click Settings",
		`:fill "Working days" +Saturday`,
		`:fill "Working days" +Sunday, Monday`,
		`:fill "Working days" -Funday`,
		":submit",
		":click Settings",
		`:fill "Working days" -Monday, -Tuesday`,
		`:fill "Working days" Saturday, Sunday`,
		":cancel",
	}, "\n"))
	if err == nil || !strings.Contains(err.Error(), "2 line(s) of the script failed") {
		t.Errorf("runSandbox = %v, want two failed lines (the mix, the unknown day)", err)
	}
	for _, want := range []string{
		"✎ Working days: Monday, Tuesday, Wednesday, Thursday, Friday, Saturday\n",
		`! mix of choices with and without + or -`,
		`! "Funday" is not a choice of "Working days"`,
		// Reopened: Saturday was saved along with Monday to Friday.
		"✎ Working days: Wednesday, Thursday, Friday, Saturday\n",
		"✎ Working days: Saturday, Sunday\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
}

// Ensure a dialog's own buttons can be clicked by their labels (they are
// :submit and :cancel), and files Rapport shares show their name: the
// my-data export, then forget-me's confirmation, which deletes.
func TestSandboxDataDialog(t *testing.T) {
	got, err := sandboxScript(t, "/rapport my-data\n/rapport forget-me\n:click Cancel\n/rapport forget-me\n:click \"Delete everything\"\n/coffee status\n")
	if err != nil {
		t.Fatalf("runSandbox = %v\n%s", err, got)
	}
	for _, want := range []string{
		"📎 rapport-my-data.json (",
		"(:submit or :cancel, or :click one of its buttons)",
		"(dialog closed)\n[Mon 30 Nov, 09:00] alex in #general> /rapport forget-me", // Cancel deleted nothing
		"everything Rapport stored about you is deleted",
		"You're not in coffee chats right now",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
}

// Ensure leaving #coffee takes you out of coffee rounds and joining brings
// you back, through the channel events Rapport listens to.
func TestSandboxCoffeeChannel(t *testing.T) {
	got, err := sandboxScript(t, ":leave coffee\n/coffee status\n:join #coffee\n/coffee status\n:join coffee\n:leave random\n")
	if err == nil || !strings.Contains(err.Error(), "2 line(s)") {
		t.Errorf("runSandbox = %v, want the last two lines to fail", err)
	}
	for _, want := range []string{
		"You left #coffee.",
		"You're not in coffee chats right now",
		"You joined #coffee.",
		"You're in coffee chats (through the coffee channel)",
		"! you are in #coffee already",
		"! no channel #random here",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
}

// Ensure :arrive has someone join the workspace: Rapport welcomes them
// once, at the start of their own working day (09:00 in Los Angeles, 18:00
// in Berlin where the sandbox starts), and a bad name or zone is refused.
func TestSandboxArrive(t *testing.T) {
	got, err := sandboxScript(t, ":arrive kenji America/Los_Angeles\n:as kenji\n:advance to 08:30\n:dms\n:advance to 09:30\n:advance 1d\n:dms\n:arrive kenji Asia/Tokyo\n:arrive mia Mars/Base\n")
	if err == nil || !strings.Contains(err.Error(), "2 line(s)") {
		t.Errorf("runSandbox = %v, want the last two lines to fail", err)
	}
	i := strings.Index(got, "> :advance to 09:30")
	if i < 0 || strings.Contains(got[:i], "I'm Rapport") {
		t.Errorf("the welcome came before Kenji's working day:\n%s", got)
	}
	if !strings.Contains(got[max(i, 0):], "── Mon 30 Nov, 09:00, America/Los_Angeles ──") {
		t.Errorf("the welcome did not come at 09:00 in Los Angeles:\n%s", got)
	}
	last := got[strings.LastIndex(got, "> :dms"):]
	last = last[:strings.Index(last, "> :arrive")]
	if n := strings.Count(last, "I'm Rapport"); n != 1 {
		t.Errorf("Kenji's DMs a day later hold %d welcomes, want 1:\n%s", n, last)
	}
	for _, want := range []string{"kenji joined the workspace", "! kenji is here already", `! "Mars/Base" is not a time zone`} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
}

// Ensure mentions are typed as Slack sends them: @name of a teammate
// becomes a real mention, and @here stays a broadcast that Rapport refuses
// to smuggle into a kudos.
func TestSandboxMentions(t *testing.T) {
	got, err := sandboxScript(t, "/kudos @here thanks all\n/kudos @jordan thanks for the review & the <tests>\n")
	if err != nil {
		t.Fatalf("runSandbox = %v\n%s", err, got)
	}
	if !strings.Contains(got, "Kudos go to people") {
		t.Errorf("a kudos to @here was not refused:\n%s", got)
	}
	if !strings.Contains(got, "Kudos sent to @jordan") || !strings.Contains(got, "> thanks for the review & the <tests>") {
		t.Errorf("the kudos to jordan is missing or mangled:\n%s", got)
	}
}

// Ensure a script's failing lines are shown in the transcript and make the
// run fail at the end, after every line ran.
func TestSandboxScriptErrors(t *testing.T) {
	got, err := sandboxScript(t, ":click Nope\n:advance to funday\n/foo bar\n/coffee status\n")
	if err == nil || !strings.Contains(err.Error(), "3 line(s) of the script failed") {
		t.Errorf("runSandbox = %v, want 3 failed lines", err)
	}
	for _, want := range []string{
		`! you see no button or menu labelled "Nope"`,
		`! "funday" is not a time of day`,
		"! /foo is not a valid command (Slack says so; it never reaches Rapport). Rapport's are /checkin, /coffee, /followup, /kudos, /rapport",
		"You're in coffee chats",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
}

// cancelOn is an output that cancels a context once it has printed a
// given text.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	text   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(b)
	if strings.Contains(c.buf.String(), c.text) {
		c.cancel()
	}
	return len(b), nil
}

// Ensure a script cut short (its context ends mid-way) fails rather than
// passing for a whole transcript.
func TestSandboxScriptCutShort(t *testing.T) {
	ctx, cancel := context.WithCancel(sandboxCtx(t))
	defer cancel()
	out := &cancelOn{text: "> :advance to monday 10:00\n", cancel: cancel}
	err := runSandbox(ctx, []string{"-script", filepath.Join("testdata", "sandbox_week.txt")}, nil, false, out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "stopped before the end of the script") {
		t.Errorf("runSandbox cut short at the first :advance = %v, want it to say it stopped", err)
	}
	if got := out.buf.String(); strings.Contains(got, "Coffee time!") {
		t.Errorf("the round ran after the cut:\n%s", got)
	}
}

// Ensure bad sandbox flags are usage errors (exit code 2) that say what
// is wrong, before anything starts.
func TestSandboxUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-start", "yesterday"}, `-start: "yesterday" is not a time such as "2026-11-30 09:00"`},
		{[]string{"-script", "/no/such/file"}, "-script: open /no/such/file"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-coffee-group-size", "9"}, "RAPPORT_COFFEE_GROUP_SIZE (-coffee-group-size)"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := runSandbox(testCtx(t), tt.args, strings.NewReader(""), true, &out, &out)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("runSandbox(%q) = %v, want a usage error containing %q", tt.args, err, tt.want)
		}
		if code := exitCode(err, &out); code != 2 {
			t.Errorf("runSandbox(%q) exits %d, want 2", tt.args, code)
		}
	}
}

// Ensure :advance reads spans and "to" times in the typist's zone: a day
// means 09:00, a weekday or time of day means the next one, and the wall
// clock holds across a DST change.
func TestParseAdvance(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, berlin) // a Monday
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, berlin)
	}
	tests := []struct {
		arg  string
		want time.Time
	}{
		{"3d", at(12, 3, 9, 0)},
		{"2h30m", at(11, 30, 11, 30)},
		{"1w 2d", at(12, 9, 9, 0)},
		{"90 minutes", at(11, 30, 10, 30)},
		{"2 hours", at(11, 30, 11, 0)},
		{"to monday 10:00", at(11, 30, 10, 0)}, // later today
		{"to monday 08:00", at(12, 7, 8, 0)},   // passed today: next week
		{"to mon", at(12, 7, 9, 0)},            // today's 09:00 is now
		{"to tomorrow", at(12, 1, 9, 0)},
		{"to friday 4pm", at(12, 4, 16, 0)},
		{"to 16:30", at(11, 30, 16, 30)},
		{"to 08:00", at(12, 1, 8, 0)},
		{"to 12am", at(12, 1, 0, 0)},
		{"to 2026-12-24 18:00", at(12, 24, 18, 0)},
		{"TO Wednesday 9h", at(12, 2, 9, 0)},
		{"to 2027-03-28 10:00", time.Date(2027, 3, 28, 10, 0, 0, 0, berlin)}, // the day clocks go forward
	}
	for _, tt := range tests {
		got, err := parseAdvance(tt.arg, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseAdvance(%q) = %v, %v; want %v", tt.arg, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "0m", "3x", "to", "to funday", "to 25:00", "to 13pm", "to 10:7", "to 2026-13-01", "-3d", "99999d"} {
		if got, err := parseAdvance(bad, now); err == nil {
			t.Errorf("parseAdvance(%q) = %v, want an error", bad, got)
		}
	}
}

// Ensure :advance refuses the past and more than its limit, and changes
// nothing when it does.
func TestSandboxAdvanceLimits(t *testing.T) {
	got, err := sandboxScript(t, ":advance to 2026-11-29\n:advance 9w\n:advance 1h\n")
	if err == nil || !strings.Contains(err.Error(), "2 line(s)") {
		t.Errorf("runSandbox = %v, want the first two lines to fail", err)
	}
	for _, want := range []string{"is not in the future", "at most 62 days at a time", "It is now Mon 30 Nov, 10:00 for you (Berlin)"} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
}

// Ensure :click and :fill read what people type: quoted labels and
// choices, labels matched whole (case, emoji and punctuation aside) or
// by their first words.
func TestSandboxLabels(t *testing.T) {
	splits := []struct {
		in   string
		want []string
	}{
		{`We met ☕`, []string{"We met ☕"}},
		{`"We met ☕"`, []string{"We met ☕"}},
		{`"Snooze" "tomorrow morning"`, []string{"Snooze", "tomorrow morning"}},
		{`“Done”`, []string{"Done"}},
		{"", nil},
	}
	for _, tt := range splits {
		if got := splitArgs(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	labels := []struct {
		label, typed string
		same, prefix bool
	}{
		{"We met ☕", "we met", true, true},
		{"Done ✔", "Done ✔", true, true},
		{"Who do you want to thank?", "who", false, true},
		{"Whoever", "who", false, false},
		{"Snooze: 1h", "snooze 1h", true, true},
		{"☕", "", false, false},
	}
	for _, tt := range labels {
		if got := sameLabel(tt.label, tt.typed); got != tt.same {
			t.Errorf("sameLabel(%q, %q) = %v", tt.label, tt.typed, got)
		}
		if got := labelPrefix(tt.label, tt.typed); got != tt.prefix {
			t.Errorf("labelPrefix(%q, %q) = %v", tt.label, tt.typed, got)
		}
	}
	fills := []struct{ in, field, value string }{
		{`"What for" the great demo`, "What for", "the great demo"},
		{`Who maya, sam`, "Who", "maya, sam"},
		{`"Time zone" "America/New_York"`, "Time zone", "America/New_York"},
	}
	for _, tt := range fills {
		if f, v, ok := fieldAndValue(tt.in); !ok || f != tt.field || v != tt.value {
			t.Errorf("fieldAndValue(%q) = %q, %q, %v", tt.in, f, v, ok)
		}
	}
	if _, _, ok := fieldAndValue("Who"); ok {
		t.Error(`fieldAndValue("Who") has no value but was accepted`)
	}
}

// Ensure the README shows the scripted week's transcript as the sandbox
// prints it today.
func TestReadmeShowsTheWeek(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "sandbox_week.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```text\n"+string(golden)+"```") {
		t.Error("README.md's transcript of the week differs from testdata/sandbox_week.golden: paste the golden file into its ```text block")
	}
	if !strings.Contains(string(readme), "go run ./cmd/rapport sandbox\n") {
		t.Error("README.md lacks the try-it line: go run ./cmd/rapport sandbox")
	}
}

// promptWatcher is stdout for an interactive sandbox: it tells when a
// prompt has been written.
type promptWatcher struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	prompt chan struct{}
}

func (p *promptWatcher) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf.Write(b)
	if strings.HasSuffix(p.buf.String(), "> ") {
		select {
		case p.prompt <- struct{}{}:
		default:
		}
	}
	return len(b), nil
}

// Ensure Ctrl-C at the prompt (the context ending) ends the session
// cleanly, like :quit, and removes the sandbox's temporary database.
func TestSandboxInterrupt(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	stdin, typing := io.Pipe() // a terminal nobody types in
	defer typing.Close()
	out := &promptWatcher{prompt: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(sandboxCtx(t))
	done := make(chan error, 1)
	go func() { done <- runSandbox(ctx, nil, stdin, true, out, io.Discard) }()
	select {
	case <-out.prompt:
	case err := <-done:
		t.Fatalf("the sandbox ended before prompting: %v", err)
	case <-time.After(deadline):
		t.Fatal("no prompt")
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 {
		t.Fatalf("while running, %s holds %d entries, want the sandbox's directory", tmp, len(entries))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("runSandbox after Ctrl-C = %v, want nil", err)
		}
	case <-time.After(deadline):
		t.Fatal("the sandbox did not end after Ctrl-C")
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("after Ctrl-C, %s still holds %v", tmp, entries)
	}
}

// BenchmarkSandboxWeek measures the README's scripted week end to end:
// starting the fake Slack and the bot, 16 commands and a week of
// minute ticks.
func BenchmarkSandboxWeek(b *testing.B) {
	script := filepath.Join("testdata", "sandbox_week.txt")
	for b.Loop() {
		if err := runSandbox(b.Context(), []string{"-script", script}, nil, false, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSandboxAdvance measures :advance over quiet time: four weeks
// of minute ticks (40,320 instants, each running the tick jobs and a
// delivery) with nobody to remind.
func BenchmarkSandboxAdvance(b *testing.B) {
	cfg, _, err := parseConfig("sandbox", botSettings, nil, sandboxEnv, io.Discard, nil)
	if err != nil {
		b.Fatal(err)
	}
	start, _ := time.ParseInLocation("2006-01-02 15:04", sandboxStart, cfg.Location)
	sb, err := startSandbox(b.Context(), cfg, start, newLogger(io.Discard, "error"))
	if err != nil {
		b.Fatal(err)
	}
	defer sb.close()
	for b.Loop() {
		if err := sb.advance(b.Context(), io.Discard, sb.clock.Now().Add(28*24*time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
}
