package bot_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// saturday 03:00 UTC is outside everyone's working hours (04:00 in Berlin).
var saturday = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

// settleRig is a bot built with bot.New, wired like the harness's, but not
// yet running: startBot runs the bot before returning, too late to see
// Settled before Run.
type settleRig struct {
	t     *testing.T
	slack *slacktest.Server
	db    *store.DB
	bot   *bot.Bot
}

func newSettleRig(t *testing.T, srv *slacktest.Server, db *store.DB, adjust func(*bot.Options)) *settleRig {
	t.Helper()
	client := slack.New("xoxb-test-bot-token",
		slack.OptionAppLevelToken("xapp-test-app-token"),
		slack.OptionAPIURL(srv.APIURL()))
	sock, disconnects := bot.NewSocket(client)
	opts := bot.Options{
		Disconnects: disconnects,
		Retry:       bot.RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond},
	}
	if adjust != nil {
		adjust(&opts)
	}
	b, err := bot.New(client, sock, db, opts, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return &settleRig{t: t, slack: srv, db: db, bot: b}
}

// newSettleSlack is a fake Slack with alice (Berlin) in #general.
func newSettleSlack(t *testing.T) *slacktest.Server {
	t.Helper()
	srv := slacktest.New(slacktest.Options{Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOT")
	return srv
}

// settledYet reports whether the bot's Settled channel is closed, without
// waiting.
func (r *settleRig) settledYet() bool {
	select {
	case <-r.bot.Settled():
		return true
	default:
		return false
	}
}

// run starts Run. When the test ends, Run is cancelled and must return nil
// within the deadline.
func (r *settleRig) run() {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.bot.Run(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		wait, stop := context.WithTimeout(context.Background(), deadline)
		defer stop()
		select {
		case err := <-done:
			if err != nil {
				r.t.Errorf("Run() = %v, want nil after a cancel", err)
			}
		case <-wait.Done():
			r.t.Error("Run did not return after a cancel")
		}
	})
}

// runUntilSettled checks that Settled is still open before Run, starts
// Run and waits for Settled.
func (r *settleRig) runUntilSettled() {
	r.t.Helper()
	if r.settledYet() {
		r.t.Fatal("Settled() is closed right after bot.New, before Run")
	}
	r.run()
	r.waitSettled()
}

// waitSettled waits for Settled, failing the test at the deadline.
func (r *settleRig) waitSettled() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), deadline)
	defer cancel()
	select {
	case <-r.bot.Settled():
	case <-ctx.Done():
		r.t.Fatalf("Settled() not closed: %v", ctx.Err())
	}
}

// stuckOutgoing enqueues o and claims it, leaving it in "sending" as a
// crash mid-send would.
func stuckOutgoing(t *testing.T, db *store.DB, o store.Outgoing) store.Outgoing {
	t.Helper()
	o.NotBefore = saturday.Add(-time.Hour)
	queued, created, err := db.Enqueue(o)
	if err != nil || !created {
		t.Fatalf("Enqueue(%s) = %v, %v", o.Key, created, err)
	}
	claimed, err := db.ClaimOutgoing(queued.ID, saturday.Add(-time.Minute))
	if err != nil || claimed.State != store.OutboxSending {
		t.Fatalf("ClaimOutgoing(%s) = %+v, %v; want it sending", o.Key, claimed, err)
	}
	return claimed
}

// Ensure Settled is still open after bot.New and closes once Run has
// reconciled the coffee roster with the coffee channel: at that moment the
// store already lists every person in the channel (no polling), enrolled
// via the channel, and not the bots.
func TestSettledAfterCoffeeRosterReconciled(t *testing.T) {
	t.Parallel()
	srv := newSettleSlack(t)
	people := berliners(12)
	for _, u := range people {
		srv.AddUser(u)
	}
	srv.AddUser(slacktest.User{ID: "UROBOT", Name: "robot", IsBot: true})
	srv.AddChannel("CCOFFEE", "coffee", false, append(ids(people), "UROBOT", "UBOT")...)
	db := storetest.MustOpen(t)
	r := newSettleRig(t, srv, db, func(o *bot.Options) { o.Coffee.Channel = "CCOFFEE" })

	if r.settledYet() {
		t.Fatal("Settled() is closed right after bot.New, before Run")
	}
	if ms, err := db.CoffeeMembers(); err != nil || len(ms) != 0 {
		t.Fatalf("coffee members before Run = %+v, %v; want none", ms, err)
	}

	r.run()
	r.waitSettled()

	ms, err := db.CoffeeMembers()
	if err != nil {
		t.Fatalf("CoffeeMembers: %v", err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.User)
		if m.Via != store.ViaChannel {
			t.Errorf("coffee member %s via %q, want %q", m.User, m.Via, store.ViaChannel)
		}
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(ids(people)))
	if !slices.Equal(got, want) {
		t.Errorf("coffee members once settled = %v, want the %d people of the channel %v", got, len(want), want)
	}
	if n := len(srv.CallsTo("conversations.members")); n == 0 {
		t.Error("no conversations.members call: the roster did not come from the channel")
	}
}

// Ensure one member whose profile cannot be read does not keep the rest
// of the coffee channel out of the roster at start.
func TestReconcileSurvivesOneBadProfile(t *testing.T) {
	t.Parallel()
	srv := newSettleSlack(t)
	people := berliners(3)
	for _, u := range people {
		srv.AddUser(u)
	}
	srv.AddChannel("CCOFFEE", "coffee", false, append(ids(people), "UBOT")...)
	srv.InjectFaults("users.info", slacktest.Fault{Error: "account_inactive"}) // the first profile read fails for good
	db := storetest.MustOpen(t)
	r := newSettleRig(t, srv, db, func(o *bot.Options) { o.Coffee.Channel = "CCOFFEE" })
	r.runUntilSettled()
	if ms, err := db.CoffeeMembers(); err != nil || len(ms) != 2 {
		t.Errorf("coffee members = %+v, %v; want the 2 whose profiles could be read", ms, err)
	}
}

// Ensure Settled still closes when the coffee reconcile fails (the channel
// is gone): a failed catch-up is logged, not waited for forever.
func TestSettledWhenCoffeeReconcileFails(t *testing.T) {
	t.Parallel()
	srv := newSettleSlack(t)
	db := storetest.MustOpen(t)
	r := newSettleRig(t, srv, db, func(o *bot.Options) { o.Coffee.Channel = "CGONE" })
	r.runUntilSettled()
	if n := len(srv.CallsTo("conversations.members")); n == 0 {
		t.Error("Settled() closed before the reconcile asked for the channel's members")
	}
	if ms, err := db.CoffeeMembers(); err != nil || len(ms) != 0 {
		t.Errorf("coffee members = %+v, %v; want none", ms, err)
	}
}

// Ensure Settled closes only after the items a crash left in "sending" are
// resolved: one Slack already has (found by its metadata key) is recorded
// as sent with that message's ts and not posted again; one Slack does not
// have goes back to pending (here it then waits for the person's working
// hours).
func TestSettledAfterStuckOutboxResolved(t *testing.T) {
	t.Parallel()
	t.Run("PostedBeforeTheCrash", func(t *testing.T) {
		t.Parallel()
		srv := newSettleSlack(t)
		db := storetest.MustOpen(t)
		const key = "test:settled:posted"
		stuck := stuckOutgoing(t, db, store.Outgoing{Key: key, Channel: "CGENERAL", Text: "hello team"})
		// The post reached Slack before the crash. The bot tags its posts
		// with metadata of event type "rapport_outbox" and the item's key.
		api := slack.New("xoxb-test-bot-token", slack.OptionAPIURL(srv.APIURL()))
		_, ts, err := api.PostMessageContext(t.Context(), "CGENERAL", slack.MsgOptionText("hello team", false),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "rapport_outbox", EventPayload: map[string]any{"key": key}}))
		if err != nil {
			t.Fatalf("posting the message the crashed bot sent: %v", err)
		}

		r := newSettleRig(t, srv, db, func(o *bot.Options) { o.Now = func() time.Time { return saturday } })
		r.runUntilSettled()

		o, err := db.OutgoingByKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if o.ID != stuck.ID || o.State != store.OutboxSent || o.SentTS != ts {
			t.Errorf("item once settled = %s (ts %q), want sent as the message already there (%s)", o.State, o.SentTS, ts)
		}
		if n := len(srv.CallsTo("chat.postMessage")); n != 1 {
			t.Errorf("chat.postMessage calls = %d, want 1 (the post before the crash, not a second one)", n)
		}
		if left, err := db.StuckOutgoing(); err != nil || len(left) != 0 {
			t.Errorf("StuckOutgoing() once settled = %+v, %v; want none", left, err)
		}
	})

	t.Run("NotPosted", func(t *testing.T) {
		t.Parallel()
		srv := newSettleSlack(t)
		db := storetest.MustOpen(t)
		const key = "test:settled:unsent"
		stuck := stuckOutgoing(t, db, store.Outgoing{Key: key, User: "UALICE", RespectHours: true, Text: "a nudge"})

		r := newSettleRig(t, srv, db, func(o *bot.Options) { o.Now = func() time.Time { return saturday } })
		r.runUntilSettled()

		o, err := db.OutgoingByKey(key)
		if err != nil {
			t.Fatal(err)
		}
		if o.ID != stuck.ID || o.State != store.OutboxPending {
			t.Errorf("item once settled = %s (%q), want pending again, no longer sending", o.State, o.LastError)
		}
		if o.NotBefore.Before(saturday) {
			t.Errorf("item not before %v, want no earlier than the restart at %v", o.NotBefore, saturday)
		}
		if left, err := db.StuckOutgoing(); err != nil || len(left) != 0 {
			t.Errorf("StuckOutgoing() once settled = %+v, %v; want none", left, err)
		}
		if n := len(srv.CallsTo("chat.postMessage")); n != 0 {
			t.Errorf("chat.postMessage calls = %d, want 0 on a Saturday night", n)
		}
	})
}
