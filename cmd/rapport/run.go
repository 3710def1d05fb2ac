package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/scheduler"
	"github.com/rapport-bot/rapport/store"
)

// The bot's dependencies are interfaces declared by the code that uses
// them; these lines prove the real implementations fit.
var (
	_ bot.Store          = (*store.DB)(nil)
	_ scheduler.RunStore = (*store.DB)(nil)
	_ bot.SlackAPI       = (*slack.Client)(nil)
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it comes from the module's build information.
var version = ""

const topUsage = `Rapport: a Slack bot for small, repeated relationship habits.

Usage:
  rapport [run] [flags]        run the bot (the default)
  rapport export [-o FILE]     write all data as JSON (the export format)
  rapport import FILE          read an export into the database
  rapport backup -o FILE       write a consistent copy of the database (an etcd snapshot on etcd)
  rapport migrate -to URL      copy the whole store into an empty one (bbolt <-> etcd)
  rapport sandbox              try Rapport in a fake workspace, no Slack needed
  rapport version              print the version

Each command takes -h for its flags. Every flag has an environment variable
of the same meaning (see docs/configuration.md); flags win.
`

// run is the whole program: main only maps its error to an exit code. It
// reads nothing of the process but what it is given, so a test can drive
// every subcommand, the interactive sandbox included.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") && len(args) == 1 {
			fmt.Fprint(stdout, topUsage+"\n")
		}
		return runBot(ctx, args, getenv, stdout, stderr)
	case "export":
		return runExport(ctx, args, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args, getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout, stderr)
	case "sandbox":
		// The sandbox is interactive: its commands come from stdin, which
		// gets a prompt only when it is a terminal.
		return runSandbox(ctx, args, stdin, isTerminal(stdin), stdout, stderr)
	case "version":
		fs := flag.NewFlagSet("rapport version", flag.ContinueOnError)
		fs.SetOutput(stderr)
		if err := fs.Parse(args); err != nil {
			return usageOrHelp(err)
		}
		fmt.Fprintln(stdout, "rapport", buildVersion())
		return nil
	case "help":
		fmt.Fprint(stdout, topUsage)
		return nil
	}
	return usagef("unknown command %q: try rapport help", cmd)
}

// exitCode prints err's one line and maps it to the process exit code:
// 0 for success or -h, 2 for bad configuration or usage, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "rapport:", ue.msg)
		return 2
	}
	fmt.Fprintln(stderr, "rapport:", err)
	return 1
}

func usageOrHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usagef("%v", err)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		if bi.Main.Version != "" {
			return bi.Main.Version
		}
	}
	return "dev"
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func concat(groups ...[]setting) []setting {
	var out []setting
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Shutdown bounds. After SIGTERM the stop takes at most bot.AckFlush (the
// envelopes already read are answered), handlerGrace plus bot.CancelWait
// (the bot finishing, then abandoning, in-flight handlers),
// plus stopBudget (the scheduler and the ops listener, sharing it), and
// that sum must stay within stopBound, the time the README promises.
// Scheduled jobs are cancelled at SIGTERM, so by the time the scheduler is
// stopped they have had the handlers' grace to return already.
const (
	stopBound    = 5 * time.Second
	handlerGrace = 3*time.Second - bot.AckFlush
	stopBudget   = 1 * time.Second
)

// runBot wires and runs the bot until SIGINT/SIGTERM or ctx ends, then shuts
// down in the reverse order of construction: stop taking envelopes and
// finish in-flight handlers, stop the scheduler, stop the ops listener,
// close the store.
func runBot(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := parseConfig("run", concat(slackSettings, storeSettings, botSettings, opsSettings), args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("rapport run: unexpected argument %q", rest[0])
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	db, err := openStore(ctx, cfg, 4*time.Second)
	if err != nil {
		return err
	}
	var storeOpen atomic.Bool
	storeOpen.Store(true)
	defer func() {
		storeOpen.Store(false)
		if err := db.Close(); err != nil {
			log.Error("closing the store failed", "err", err)
		}
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), storeCollector{db})

	httpClient := &http.Client{Timeout: cfg.SlackTimeout}
	api := slack.New(cfg.BotToken,
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionHTTPClient(httpClient),
	)
	sock, disconnects := bot.NewSocket(api)
	replicated := cfg.storeLocation().Engine == "etcd"
	a, err := wire(cfg, db, api, sock, wiring{
		HTTPClient:  httpClient,
		Disconnects: disconnects,
		Registerer:  reg,
		Replicated:  replicated,
	}, log)
	if err != nil {
		return err
	}
	b, sched := a.bot, a.sched

	ops, err := startOps(cfg, db, reg, func() (bool, string) {
		switch {
		case !storeOpen.Load():
			return false, "store closed"
		case !b.Connected():
			return false, "socket not connected"
		}
		return storeReady(ctx, db)
	}, log.With("component", "ops"))
	if err != nil {
		return err
	}

	botErr := make(chan error, 1)
	go func() { botErr <- b.Run(ctx) }()
	if replicated {
		// One replica at a time leads: it runs the schedule and delivers
		// the outbox; every replica answers what Slack sends it.
		led := make(chan struct{})
		go func() {
			defer close(led)
			lead(ctx, cfg, db, a, reg, log.With("component", "leader"))
		}()
		defer func() { <-led }()
		log.Info("rapport started", "version", buildVersion(), "store", cfg.storeLocation().String(), "tz", cfg.Location.String(), "ops", cfg.HTTPAddr)
		var runErr error
		select {
		case runErr = <-botErr:
		case runErr = <-ops.failed:
			cancel()
			<-botErr
		}
		cancel()
		<-led
		stopCtx, stopCancel := context.WithTimeout(context.WithoutCancel(ctx), stopBudget)
		defer stopCancel()
		ops.shutdown(stopCtx)
		if runErr != nil {
			log.Error("rapport stopped", "err", runErr)
			return runErr
		}
		log.Info("rapport stopped")
		return nil
	}
	// A stop asked for while the scheduler catches up (SIGTERM right after
	// start) is an ordinary stop: in-flight handlers finish and the exit is
	// clean. Any other failure to start is an error.
	switch err := sched.Start(ctx); {
	case err != nil && ctx.Err() == nil:
		cancel()
		<-botErr
		return fmt.Errorf("start scheduler: %w", err)
	case err != nil:
		log.Info("stop asked for while starting", "err", err)
	default:
		log.Info("rapport started", "version", buildVersion(), "db", cfg.DB, "tz", cfg.Location.String(), "ops", cfg.HTTPAddr)
		// A coffee round whose delivery a crash cut short is finished by the
		// coffee tick; its first run comes as soon as the bot has settled
		// (roster and outbox caught up), not a tick period after start. It
		// runs through the scheduler, so Stop waits for it like any run.
		go func() {
			select {
			case <-b.Settled():
			case <-ctx.Done():
				return
			}
			if err := sched.RunNow(ctx, bot.JobCoffeeTick); err != nil && ctx.Err() == nil && !errors.Is(err, scheduler.ErrJobRunning) {
				log.Error("coffee tick at start failed", "err", err)
			}
		}()
	}

	var runErr error
	select {
	case runErr = <-botErr: // ctx ended and handlers finished, or Slack refused us
	case runErr = <-ops.failed:
		cancel()
		<-botErr
	}
	cancel()

	stopCtx, stopCancel := context.WithTimeout(context.WithoutCancel(ctx), stopBudget)
	defer stopCancel()
	if err := sched.Stop(stopCtx); err != nil {
		log.Warn("scheduler did not stop in time", "err", err)
	}
	ops.shutdown(stopCtx)
	if runErr != nil {
		log.Error("rapport stopped", "err", runErr)
		return runErr
	}
	log.Info("rapport stopped")
	return nil
}

// wiring holds what differs between the bot run for real and the sandbox:
// the clock, and the hooks each needs. The zero value is production's.
type wiring struct {
	HTTPClient  *http.Client
	Disconnects *bot.DisconnectWatch
	Registerer  prometheus.Registerer
	Now         func() time.Time        // nil: the wall clock
	OnHandled   func(envelopeID string) // nil: none
	Replicated  bool                    // the store is shared by replicas (etcd)
}

// app is the bot and its scheduled jobs, wired from a Config.
type app struct {
	bot   *bot.Bot
	sched *scheduler.Scheduler
	// newSched builds another scheduler with the same jobs: a replica
	// runs one per term as leader (a stopped scheduler does not start
	// again).
	newSched func() (*scheduler.Scheduler, error)
}

// wire builds the bot, the scheduler and its jobs from cfg. runBot and the
// sandbox both use it, so the sandbox runs the same features the same way.
func wire(cfg Config, db *store.DB, api bot.SlackAPI, sock bot.Socket, w wiring, log *slog.Logger) (*app, error) {
	coffeeSchedule, err := scheduler.ParseSpec(cfg.CoffeeSchedule)
	if err != nil {
		return nil, err
	}
	b, err := bot.New(api, sock, db, bot.Options{
		Now:                 w.Now,
		OnHandled:           w.OnHandled,
		HTTPClient:          w.HTTPClient,
		Disconnects:         w.Disconnects,
		Registerer:          w.Registerer,
		Replicated:          w.Replicated,
		SendTimeout:         cfg.SlackTimeout,
		ShutdownGrace:       handlerGrace,
		Location:            cfg.Location,
		WorkWeek:            store.WorkWeek{Start: cfg.WorkStart, End: cfg.WorkEnd, Days: cfg.WorkDays},
		Admins:              cfg.Admins,
		StayInTouchDays:     cfg.StayInTouchDays,
		NewcomerDays:        cfg.NewcomerDays,
		CelebrationsChannel: cfg.CelebrationsChannel,
		Coffee: bot.CoffeeOptions{
			Channel:        cfg.CoffeeChannel,
			BuddyChannel:   cfg.BuddyChannel,
			Schedule:       coffeeSchedule,
			Cadence:        store.CoffeeCadence(cfg.CoffeeEvery),
			GroupSize:      cfg.CoffeeGroupSize,
			ReportMinTeam:  cfg.ReportMinTeam,
			DidYouMeetDays: cfg.CoffeeDidYouMeetDays,
			HeadsUp:        cfg.CoffeeHeadsUp,
			SilentRounds:   cfg.CoffeeSilent,
			MinOverlap:     cfg.CoffeeMinOverlap,
			CrossTeam:      cfg.CoffeeCrossTeam,
		},
		Teams:    bot.TeamOptions{Groups: cfg.Teams, Field: cfg.TeamField},
		Followup: bot.FollowupOptions{Snoozes: cfg.FollowupSnoozes},
		Kudos: bot.KudosOptions{
			Channel:      cfg.KudosChannel,
			DailyLimit:   cfg.KudosDailyLimit,
			Values:       cfg.KudosValues,
			RequireValue: cfg.KudosRequireValue,
			Emoji:        cfg.KudosEmoji,
		},
	}, log.With("component", "bot"))
	if err != nil {
		return nil, err
	}
	newSched := func() (*scheduler.Scheduler, error) {
		sched, err := scheduler.New(db, scheduler.Options{
			Location:   cfg.Location,
			Now:        w.Now,
			Registerer: w.Registerer,
			Log:        log.With("component", "scheduler"),
		})
		if err != nil {
			return nil, err
		}
		for _, j := range jobs(cfg, db, b) {
			if err := sched.Register(j); err != nil {
				return nil, err
			}
		}
		return sched, nil
	}
	sched, err := newSched()
	if err != nil {
		return nil, err
	}
	return &app{bot: b, sched: sched, newSched: newSched}, nil
}
