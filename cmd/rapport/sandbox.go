package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// The sandbox runs the real bot against the project's fake Slack with a
// demo team, a throwaway database and a clock that moves only when told,
// and lets a person drive it from a terminal (see sandboxHelp). Nothing in
// the features knows it is a sandbox: the bot, its scheduler and its jobs
// are built by the same wire as `rapport run`.

const sandboxUsage = `Usage: rapport sandbox [-script FILE] [-start "2026-11-30 09:00"] [flags]

Try Rapport without a Slack workspace: a fake Slack with a demo team of
eight people in four time zones, a temporary database, and the real bot.
Type slash commands as a teammate and move time forward; :help lists the
sandbox's own commands. With -script, the lines of FILE are run in turn and
the transcript is printed. The feature flags of "rapport run" (such as
-coffee-group-size or -kudos-values) work here too; environment variables
are not read, so a sandbox session is the same on every machine.
`

// sandboxStart is when the sandbox's clock starts unless -start says
// otherwise: a Monday morning in Berlin, an hour before the first coffee
// round, so a scripted week reads the same on every run.
const sandboxStart = "2026-11-30 09:00"

// demoPerson is one member of the sandbox's team.
type demoPerson struct {
	handle, realName, tz, city string
	admin                      bool
}

// demoTeam is eight people in four zones whose working hours overlap in
// some pairs and not others (Bangalore and New York never do), so coffee
// pairing has something to respect. The first is who you are at start.
var demoTeam = []demoPerson{
	{"alex", "Alex Schneider", "Europe/Berlin", "Berlin", true},
	{"maya", "Maya Okafor", "Europe/Berlin", "Berlin", false},
	{"sam", "Sam Rivera", "America/New_York", "New York", false},
	{"jordan", "Jordan Lee", "America/New_York", "New York", false},
	{"priya", "Priya Raman", "Asia/Kolkata", "Bangalore", false},
	{"arjun", "Arjun Mehta", "Asia/Kolkata", "Bangalore", false},
	{"lucas", "Lucas Almeida", "America/Sao_Paulo", "São Paulo", false},
	{"bia", "Beatriz Souza", "America/Sao_Paulo", "São Paulo", false},
}

// demoGroups are the demo workspace's user groups, by handle, and their
// members: the teams of RAPPORT_TEAMS, mixed across zones so that crossing
// teams and sharing working hours pull pairing in different directions.
var demoGroups = []struct {
	id, handle, name string
	members          []string
}{
	{"S0DESIGN", "design", "Design", []string{"alex", "priya", "jordan"}},
	{"S0PLATFORM", "platform", "Platform", []string{"lucas", "arjun", "maya"}},
	{"S0GROWTH", "growth", "Growth", []string{"bia", "sam"}},
}

// The demo workspace's channels. #coffee is the coffee channel: its
// members take part in rounds.
const (
	generalID   = "CGENERAL"
	coffeeID    = "CCOFFEE"
	celebrateID = "CCELEBRATE" // #celebrations: public birthdays and work anniversaries
)

// demoLocales are the Slack locales of the demo team, by zone: they
// decide how each person's 3/12 is read.
var demoLocales = map[string]string{
	"Europe/Berlin":     "de-DE",
	"America/New_York":  "en-US",
	"Asia/Kolkata":      "en-IN",
	"America/Sao_Paulo": "pt-BR",
}

func demoUserID(handle string) string { return "U" + strings.ToUpper(handle) }

// sandboxEnv is the environment the sandbox's configuration is read from
// instead of the process's: the demo's channels and zone. #general is the
// kudos channel, so Friday's celebration digest shows up there; the
// demo's user groups are its teams. Flags
// still win.
func sandboxEnv(key string) string {
	return map[string]string{
		"RAPPORT_TZ":                   "Europe/Berlin",
		"RAPPORT_COFFEE_CHANNEL":       coffeeID,
		"RAPPORT_KUDOS_CHANNEL":        generalID,
		"RAPPORT_CELEBRATIONS_CHANNEL": celebrateID,
		"RAPPORT_TEAMS":                "design,platform,growth",
		// The demo team is eight people: teams of two are named in
		// /coffee report, which a real workspace would merge into "other".
		"RAPPORT_REPORT_MIN_TEAM": "2",
	}[key]
}

// runSandbox is `rapport sandbox`: it reads commands from in, or from the
// -script file, and writes what people would see to stdout. terminal says
// in is a person typing: they get a welcome and prompts. Otherwise (a
// script, a pipe) each line is echoed after its prompt, so the output
// reads as a session, and a failing line fails the run.
func runSandbox(ctx context.Context, args []string, in io.Reader, terminal bool, stdout, stderr io.Writer) error {
	var script, start, logLevel string
	cfg, rest, err := parseConfig("sandbox", botSettings, args, sandboxEnv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&script, "script", "", "run the commands in this file and print the transcript")
		fs.StringVar(&start, "start", sandboxStart, "the sandbox clock's start, in the -tz zone")
		fs.StringVar(&logLevel, "log-level", "error", "the bot's log level on stderr: debug, info, warn or error")
		fs.Usage = func() {
			fmt.Fprint(stderr, sandboxUsage+"\nFlags:\n")
			fs.PrintDefaults()
		}
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("rapport sandbox: unexpected argument %q", rest[0])
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", start, cfg.Location)
	if err != nil {
		return usagef("rapport sandbox -start: %q is not a time such as %q", start, sandboxStart)
	}
	interactive := terminal && script == ""
	if script != "" {
		f, err := os.Open(script)
		if err != nil {
			return usagef("rapport sandbox -script: %v", err)
		}
		defer f.Close()
		in = f
	}

	if interactive {
		// Ctrl-C ends the session as :quit does, removing the database.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	sb, err := startSandbox(ctx, cfg, at, newLogger(stderr, logLevel))
	if err != nil {
		return err
	}
	defer sb.close()
	if interactive {
		sb.editor = terminalEditor(in, stdout)
	}
	return sb.repl(ctx, in, stdout, interactive)
}

// isTerminal reports whether r is a terminal rather than a file, a pipe or
// a reader a test made.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// sandboxClock is the sandbox's time: it stands still until :advance moves
// it, so what a session shows depends only on what was typed.
type sandboxClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *sandboxClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *sandboxClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// sandbox is a running fake workspace with the bot connected to it, and
// the state of the person at the keyboard.
type sandbox struct {
	cfg   Config
	slack *slacktest.Server
	db    *store.DB
	app   *app
	clock *sandboxClock
	dir   string
	log   *slog.Logger

	stopBot context.CancelFunc
	botDone chan error

	mu      sync.Mutex
	handled map[string]bool // envelope IDs whose handlers have finished
	wake    chan struct{}   // closed and replaced when handled changes

	me      string                    // user ID of the person typing
	channel string                    // where their slash commands are typed
	seen    int                       // the last slacktest change printed
	homeSeq int                       // the change after which they last looked at their Home, 0: never
	onHome  bool                      // their Home tab is what they look at (since :home, until they go elsewhere)
	zones   map[string]*time.Location // user ID → their Slack time zone
	arrived []demoPerson              // people who joined the workspace during the session (:arrive)

	modals    map[string][]string                  // user → IDs of the dialogs open on their screen, top last
	fills     map[string]map[string]map[string]any // view ID → "block/action" → state typed with :fill
	overrides map[string]json.RawMessage           // view ID → the view a submission's answer put there

	editor lineEditor // at a terminal: line editing and history; nil: lines are read as they come
}

// startSandbox builds the fake workspace, the database and the bot, and
// waits until the bot is connected and has caught up.
func startSandbox(ctx context.Context, cfg Config, at time.Time, log *slog.Logger) (*sandbox, error) {
	dir, err := os.MkdirTemp("", "rapport-sandbox-")
	if err != nil {
		return nil, fmt.Errorf("sandbox: temporary directory: %w", err)
	}
	sb := &sandbox{
		cfg:       cfg,
		clock:     &sandboxClock{now: at},
		dir:       dir,
		log:       log,
		handled:   map[string]bool{},
		wake:      make(chan struct{}),
		me:        demoUserID(demoTeam[0].handle),
		channel:   generalID,
		modals:    map[string][]string{},
		fills:     map[string]map[string]map[string]any{},
		overrides: map[string]json.RawMessage{},
	}
	if err := sb.start(ctx); err != nil {
		sb.close()
		return nil, err
	}
	return sb, nil
}

func (sb *sandbox) start(ctx context.Context) error {
	db, err := store.Open(filepath.Join(sb.dir, "rapport.db"), store.Options{Now: sb.clock.Now, NoSync: true})
	if err != nil {
		return err
	}
	sb.db = db

	sb.slack = slacktest.New(slacktest.Options{Now: sb.clock.Now, Log: sb.log.With("component", "slack")})
	var everyone []string
	sb.zones = map[string]*time.Location{}
	for _, p := range demoTeam {
		id := demoUserID(p.handle)
		if sb.zones[id], err = time.LoadLocation(p.tz); err != nil {
			return fmt.Errorf("sandbox: %s's zone: %w", p.handle, err)
		}
		sb.slack.AddUser(slacktest.User{ID: id, Name: p.handle, RealName: p.realName, TZ: p.tz, Locale: demoLocales[p.tz], IsAdmin: p.admin})
		everyone = append(everyone, id)
	}
	for _, g := range demoGroups {
		var ids []string
		for _, h := range g.members {
			ids = append(ids, demoUserID(h))
		}
		sb.slack.SetUserGroup(slacktest.UserGroup{ID: g.id, Handle: g.handle, Name: g.name, Members: ids})
	}
	members := append(everyone, "UBOT")
	sb.slack.AddChannel(generalID, "general", false, members...)
	sb.slack.AddChannel(coffeeID, "coffee", false, members...)
	sb.slack.AddChannel(celebrateID, "celebrations", false, members...)

	api := slack.New("xoxb-sandbox", slack.OptionAppLevelToken("xapp-sandbox"), slack.OptionAPIURL(sb.slack.APIURL()))
	sock, disconnects := bot.NewSocket(api)
	sb.app, err = wire(sb.cfg, db, api, sock, wiring{
		Disconnects: disconnects,
		Now:         sb.clock.Now,
		OnHandled:   sb.markHandled,
	}, sb.log)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	sb.stopBot = stop
	sb.botDone = make(chan error, 1)
	go func() { sb.botDone <- sb.app.bot.Run(runCtx) }()

	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := sb.slack.WaitConnected(wait); err != nil {
		return fmt.Errorf("sandbox: the bot did not connect to the fake Slack: %w", err)
	}
	select {
	case <-sb.app.bot.Settled():
	case err := <-sb.botDone:
		sb.botDone <- err
		return fmt.Errorf("sandbox: the bot stopped at start: %w", err)
	case <-wait.Done():
		return fmt.Errorf("sandbox: the bot did not finish starting: %w", wait.Err())
	}
	sb.seen = sb.slack.LastChange()
	return nil
}

// close stops the bot and removes everything the sandbox made.
func (sb *sandbox) close() {
	if sb.stopBot != nil {
		sb.stopBot()
		<-sb.botDone
	}
	if sb.slack != nil {
		sb.slack.Close()
	}
	if sb.db != nil {
		_ = sb.db.Close()
	}
	_ = os.RemoveAll(sb.dir)
}

func (sb *sandbox) markHandled(envelopeID string) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	sb.handled[envelopeID] = true
	close(sb.wake)
	sb.wake = make(chan struct{})
}

// awaitHandled takes what sending an envelope returned and, when it was
// acked, waits for the bot to finish handling it, then delivers what the
// handler queued, so the next prompt shows all of the command's effects.
func (sb *sandbox) awaitHandled(ctx context.Context, ack slacktest.Ack, sendErr error) error {
	if sendErr != nil {
		return sendErr
	}
	envelopeID := ack.EnvelopeID
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		sb.mu.Lock()
		done, wake := sb.handled[envelopeID], sb.wake
		delete(sb.handled, envelopeID)
		sb.mu.Unlock()
		if done {
			break
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("Rapport did not finish in 30 s: %w", ctx.Err())
		}
	}
	_, err := sb.app.bot.DeliverDue(ctx, sb.clock.Now())
	return err
}

// repl reads lines from in and runs each. Interactively it prompts and
// goes on after a mistake; a script echoes each line after the prompt, so
// the output reads as a session, and the run fails at the end if a line
// did. Ctrl-C (ctx ending) at the prompt ends the session like :quit.
func (sb *sandbox) repl(ctx context.Context, in io.Reader, out io.Writer, interactive bool) error {
	w := bufio.NewWriter(out)
	defer w.Flush()
	if interactive {
		fmt.Fprint(w, sandboxWelcome)
	}
	sb.printWho(w)
	stop := make(chan struct{})
	defer close(stop)
	prompts := make(chan string, 1)
	var lines <-chan lineOrErr
	if sb.editor != nil {
		lines = editLines(sb.editor, prompts, stop)
	} else {
		lines = readLines(in, stop)
	}
	failed := 0
	for {
		switch {
		case interactive && sb.editor != nil:
			// The editor draws the prompt, so that it can redraw the line.
			fmt.Fprint(w, "\n")
			w.Flush()
			prompts <- sb.prompt()
		case interactive:
			fmt.Fprint(w, "\n"+sb.prompt())
			w.Flush()
		}
		var next lineOrErr
		var more bool
		select {
		case next, more = <-lines:
		case <-ctx.Done():
			return sb.interrupted(ctx, w, interactive)
		}
		if !more {
			break
		}
		if next.err != nil {
			return fmt.Errorf("sandbox: reading commands: %w", next.err)
		}
		line := strings.TrimSpace(next.line)
		if !interactive {
			switch {
			case line == "":
				fmt.Fprintln(w)
				continue
			case strings.HasPrefix(line, "#"):
				fmt.Fprintln(w, line)
				continue
			}
			fmt.Fprintln(w, sb.prompt()+line)
			w.Flush() // a slow line (:advance 4w) shows what it is doing
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		err := sb.exec(ctx, w, line)
		switch {
		case errors.Is(err, errQuit):
			return nil
		case ctx.Err() != nil:
			return sb.interrupted(ctx, w, interactive)
		case err != nil:
			failed++
			fmt.Fprintf(w, "  ! %v\n", err)
		}
		w.Flush()
	}
	if interactive {
		fmt.Fprintln(w)
	}
	if !interactive && failed > 0 {
		return fmt.Errorf("sandbox: %d line(s) of the script failed", failed)
	}
	return nil
}

// interrupted ends a session whose context ended: at a terminal that is
// Ctrl-C, a way to quit; for a script it is a failure (a test's deadline,
// say), since what was printed is not the whole transcript.
func (sb *sandbox) interrupted(ctx context.Context, w io.Writer, interactive bool) error {
	fmt.Fprintln(w)
	if interactive {
		return nil
	}
	return fmt.Errorf("sandbox: stopped before the end of the script: %w", context.Cause(ctx))
}

type lineOrErr struct {
	line string
	err  error
}

// readLines reads in line by line in its own goroutine, so that the
// prompt can also wait for Ctrl-C. The channel closes at the end of in;
// a read error is its last value. Closing stop ends the goroutine once its
// read returns (a terminal's read returns with the process).
func readLines(in io.Reader, stop <-chan struct{}) <-chan lineOrErr {
	ch := make(chan lineOrErr)
	go func() {
		defer close(ch)
		send := func(l lineOrErr) bool {
			select {
			case ch <- l:
				return true
			case <-stop:
				return false
			}
		}
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			if !send(lineOrErr{line: sc.Text()}) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			send(lineOrErr{err: err})
		}
	}()
	return ch
}
