package bot_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// deadline bounds every wait in these tests; nothing sleeps.
const deadline = 15 * time.Second

// harness is the real bot, connected over Socket Mode to the project's fake
// Slack, with a real store in a temporary directory.
type harness struct {
	t     *testing.T
	slack *slacktest.Server
	db    *store.DB
	bot   *bot.Bot
	reg   *prometheus.Registry

	mu      sync.Mutex
	cond    *sync.Cond
	sent    map[string]int // envelope ID → deliveries acked
	handled map[string]int // envelope ID → handlers finished

	cancel context.CancelFunc
	done   chan error
}

type harnessOption func(*harnessConfig)

type harnessConfig struct {
	opts func(*bot.Options)               // adjusts the bot's options
	wrap func(*slack.Client) bot.SlackAPI // replaces the bot's Slack client (e.g. to inject a panic)
	db   *store.DB
	srv  *slacktest.Server
	log  io.Writer                 // also receives the bot's log
	st   func(*store.DB) bot.Store // wraps the store the bot uses (e.g. to inject a failure)
}

// withStore makes the bot use wrap(db) as its store, for injected store
// failures; the test still reads db itself.
func withStore(wrap func(*store.DB) bot.Store) harnessOption {
	return func(c *harnessConfig) { c.st = wrap }
}

// withLog copies the bot's log to w, for tests about what it logs.
func withLog(w io.Writer) harnessOption {
	return func(c *harnessConfig) { c.log = w }
}

func withAPI(wrap func(*slack.Client) bot.SlackAPI) harnessOption {
	return func(c *harnessConfig) { c.wrap = wrap }
}

// withOptions adjusts the bot's options (a clock, kudos settings, …).
func withOptions(f func(*bot.Options)) harnessOption {
	return func(c *harnessConfig) { c.opts = f }
}

// withState reuses a fake Slack and a database, as a restarted process would.
func withState(srv *slacktest.Server, db *store.DB) harnessOption {
	return func(c *harnessConfig) { c.srv, c.db = srv, db }
}

func startBot(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	var cfg harnessConfig
	for _, o := range opts {
		o(&cfg)
	}
	h := &harness{t: t, sent: map[string]int{}, handled: map[string]int{}, done: make(chan error, 1), reg: prometheus.NewRegistry()}
	h.cond = sync.NewCond(&h.mu)
	h.slack, h.db = cfg.srv, cfg.db
	if h.slack == nil {
		h.slack = slacktest.New(slacktest.Options{Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))})
		t.Cleanup(h.slack.Close)
		h.slack.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
		h.slack.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
		h.slack.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	}
	if h.db == nil {
		h.db = storetest.MustOpen(t)
	}
	client := slack.New("xoxb-test-bot-token",
		slack.OptionAppLevelToken("xapp-test-app-token"),
		slack.OptionAPIURL(h.slack.APIURL()))
	var api bot.SlackAPI = client
	if cfg.wrap != nil {
		api = cfg.wrap(client)
	}
	sock, disconnects := bot.NewSocket(client)
	botOpts := bot.Options{
		Disconnects: disconnects,
		Registerer:  h.reg,
		Retry:       bot.RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond},
		OnHandled:   h.markHandled,
	}
	if cfg.opts != nil {
		cfg.opts(&botOpts)
	}
	var logTo io.Writer = t.Output()
	if cfg.log != nil {
		logTo = io.MultiWriter(logTo, cfg.log)
	}
	var st bot.Store = h.db
	if cfg.st != nil {
		st = cfg.st(h.db)
	}
	b, err := bot.New(api, sock, st, botOpts, slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	h.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	before := h.slack.Connections()
	go func() { h.done <- b.Run(ctx) }()
	t.Cleanup(func() { h.stop() })

	wctx, wcancel := context.WithTimeout(t.Context(), deadline)
	defer wcancel()
	// Wait for this bot's own socket: after a restart the fake may not yet
	// have noticed that the previous process's socket closed.
	if err := h.slack.WaitConnections(wctx, before+1); err != nil {
		t.Fatalf("bot never connected: %v", err)
	}
	if err := h.slack.WaitConnected(wctx); err != nil {
		t.Fatalf("bot never connected: %v", err)
	}
	return h
}

// stop cancels the bot and waits for Run to return; it is idempotent.
func (h *harness) stop() error {
	h.cancel()
	select {
	case err, ok := <-h.done:
		if ok {
			close(h.done)
		}
		return err
	case <-time.After(deadline):
		h.t.Error("bot did not stop")
		return errors.New("bot did not stop")
	}
}

func (h *harness) markHandled(envelopeID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handled[envelopeID]++
	h.cond.Broadcast()
}

// waitHandled returns when the handler of envelopeID has finished as many
// times as the envelope was sent (a test may send one envelope ID twice).
func (h *harness) waitHandled(ctx context.Context, envelopeID string) {
	h.t.Helper()
	stop := context.AfterFunc(ctx, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.cond.Broadcast()
	})
	defer stop()
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.handled[envelopeID] < h.sent[envelopeID] {
		if ctx.Err() != nil {
			h.t.Fatalf("handler of envelope %s did not finish: %v", envelopeID, ctx.Err())
		}
		h.cond.Wait()
	}
}

func (h *harness) markSent(envelopeID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sent[envelopeID]++
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(h.t.Context(), deadline)
	h.t.Cleanup(cancel)
	return ctx
}

// command sends a slash command, like a person typing it, and returns its
// ack once the handler has finished.
func (h *harness) command(user, command, text string) slacktest.Ack {
	h.t.Helper()
	ctx := h.ctx()
	ack, err := h.slack.SlashCommand(ctx, slack.SlashCommand{Command: command, Text: text, UserID: user, ChannelID: "CGENERAL", ChannelName: "general"})
	if err != nil {
		h.t.Fatalf("%s %s: %v", command, text, err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	return ack
}

// event delivers an Events API event and returns once it was handled.
func (h *harness) event(opts slacktest.EventOptions) slacktest.Ack {
	h.t.Helper()
	ctx := h.ctx()
	ack, err := h.slack.Event(ctx, opts)
	if err != nil {
		h.t.Fatalf("event: %v", err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	return ack
}

// responses returns what the bot sent to response URLs so far.
func (h *harness) responses() []slacktest.Call {
	return h.slack.CallsTo("response_url")
}

func mention(text, ts string) slacktest.EventOptions {
	return slacktest.EventOptions{Event: map[string]any{
		"type": "app_mention", "user": "UALICE", "channel": "CGENERAL", "text": "<@UBOT> " + text, "ts": ts,
	}}
}

// dmHelp is "help" written to the bot in UALICE's DM, which the bot answers
// with chat.postMessage.
func dmHelp(h *harness, ts string) slacktest.EventOptions {
	return slacktest.EventOptions{Event: map[string]any{
		"type": "message", "channel_type": "im", "channel": h.slack.DMChannel("UALICE"), "user": "UALICE", "text": "help", "ts": ts,
	}}
}

// dmReplies is what the bot wrote in UALICE's DM.
func dmReplies(h *harness) []slacktest.Message { return h.slack.Messages(h.slack.DMChannel("UALICE")) }

// privateAnswers counts the ephemeral messages user got in #general.
func privateAnswers(h *harness, user string) int {
	n := 0
	for _, m := range h.slack.Messages("CGENERAL") {
		if m.Ephemeral && m.User == user {
			n++
		}
	}
	return n
}

// Ensure the bot starts, gets hello, and answers /rapport help, acked and
// privately, listing its commands.
func TestHelpCommand(t *testing.T) {
	h := startBot(t)
	ack := h.command("UALICE", "/rapport", "help")
	if ack.Payload != nil && string(ack.Payload) != "null" {
		t.Errorf("ack payload = %s, want an empty ack (the reply goes after the ack)", ack.Payload)
	}
	rs := h.responses()
	if len(rs) != 1 {
		t.Fatalf("response_url posts = %d, want 1", len(rs))
	}
	if got := rs[0].Params["response_type"]; got != "ephemeral" {
		t.Errorf("response_type = %q, want ephemeral", got)
	}
	if !strings.Contains(rs[0].Params["blocks"], "/rapport help") {
		t.Errorf("help blocks do not list /rapport help: %s", rs[0].Params["blocks"])
	}
	if !h.bot.Connected() {
		t.Error("Connected() = false after hello")
	}
}

func TestUnknownSubcommandGetsUsage(t *testing.T) {
	h := startBot(t)
	h.command("UALICE", "/rapport", "frobnicate <!channel>")
	rs := h.responses()
	if len(rs) != 1 {
		t.Fatalf("response_url posts = %d, want 1", len(rs))
	}
	blocks := rs[0].Params["blocks"]
	if !strings.Contains(blocks, "frobnicate") || !strings.Contains(blocks, "/rapport help") {
		t.Errorf("usage reply = %s, want the unknown word and the usage", blocks)
	}
	if rs[0].Params["response_type"] != "ephemeral" {
		t.Errorf("usage reply is not ephemeral")
	}
}

// Ensure "help" after a command answers privately with that command's own
// usage lines, the same every time it is asked.
func TestCommandHelpGetsItsUsage(t *testing.T) {
	h := startBot(t)
	for _, command := range []string{"/kudos", "/followup", "/checkin"} {
		before := len(h.responses())
		h.command("UALICE", command, "help")
		h.command("UBOB", command, "help")
		rs := h.responses()[before:]
		if len(rs) != 2 {
			t.Errorf("%s help: response_url posts = %d, want 1 per ask", command, len(rs))
			continue
		}
		blocks := rs[0].Params["blocks"]
		if !strings.Contains(blocks, "*"+command+"*") || !strings.Contains(blocks, "• `"+command) {
			t.Errorf("%s help = %s, want its name and its usage lines", command, blocks)
		}
		if rs[0].Params["response_type"] != "ephemeral" {
			t.Errorf("%s help is not ephemeral", command)
		}
		if string(rs[1].Body) != string(rs[0].Body) {
			t.Errorf("%s help asked twice: %s, then %s; want the same answer", command, rs[0].Body, rs[1].Body)
		}
	}
}

func TestOversizedCommandRefused(t *testing.T) {
	h := startBot(t)
	h.command("UALICE", "/rapport", "help "+strings.Repeat("x", 5000))
	rs := h.responses()
	if len(rs) != 1 || !strings.Contains(rs[0].Params["text"], "too long") {
		t.Fatalf("responses = %+v, want one 'too long' reply", rs)
	}
}

// Ensure a mention is answered privately and briefly, to the person who
// mentioned only, with the way to the full help: nothing appears in the
// channel for everyone else, and the whole manual is not dumped.
func TestMentionIsAnsweredPrivatelyAndBriefly(t *testing.T) {
	h := startBot(t)
	h.event(mention("hi", "1700000000.000100"))
	msgs := h.slack.Messages("CGENERAL")
	if len(msgs) != 1 {
		t.Fatalf("messages in the channel after a mention = %+v, want one private answer", msgs)
	}
	m := msgs[0]
	if !m.Ephemeral || m.User != "UALICE" {
		t.Errorf("answer to the mention: ephemeral=%v user=%q, want ephemeral to UALICE", m.Ephemeral, m.User)
	}
	if m.ThreadTS != "" {
		t.Errorf("answer to a mention in the channel is in thread %q, want in the channel itself", m.ThreadTS)
	}
	if !strings.Contains(m.Text, "/rapport help") || m.Blocks != nil || strings.Count(m.Text, "\n") > 2 {
		t.Errorf("answer to the mention = %q (blocks %s), want a short text pointing to /rapport help", m.Text, m.Blocks)
	}

	// A mention inside a thread is answered in that thread, still privately.
	h.event(slacktest.EventOptions{Event: map[string]any{
		"type": "app_mention", "user": "UBOB", "channel": "CGENERAL", "text": "<@UBOT> hello",
		"ts": "1700000000.000300", "thread_ts": "1700000000.000200",
	}})
	msgs = h.slack.Messages("CGENERAL")
	if len(msgs) != 2 || !msgs[1].Ephemeral || msgs[1].User != "UBOB" || msgs[1].ThreadTS != "1700000000.000200" {
		t.Fatalf("answer to a mention in a thread = %+v, want one ephemeral to UBOB in the thread", msgs[1:])
	}
}

// Ensure a DM greeting gets a short answer, and "help" in a DM the full help.
func TestDirectMessageGreetingIsShortHelpIsFull(t *testing.T) {
	h := startBot(t)
	dm := h.slack.DMChannel("UALICE")
	h.event(slacktest.EventOptions{Event: map[string]any{
		"type": "message", "channel_type": "im", "channel": dm, "user": "UALICE", "text": "hi there", "ts": "1700000001.000100",
	}})
	msgs := h.slack.Messages(dm)
	if len(msgs) != 1 || msgs[0].Blocks != nil || !strings.Contains(msgs[0].Text, "help") || len(msgs[0].Text) > 300 {
		t.Fatalf("DM replies to a greeting = %+v, want one short text naming help", msgs)
	}

	h.event(slacktest.EventOptions{Event: map[string]any{
		"type": "message", "channel_type": "im", "channel": dm, "user": "UALICE", "text": "help", "ts": "1700000001.000200",
	}})
	msgs = h.slack.Messages(dm)
	if len(msgs) != 2 || !strings.Contains(string(msgs[1].Blocks), "/rapport help") {
		t.Fatalf("DM replies to help = %+v, want the full help", msgs[1:])
	}

	// The bot's own message in the DM must not make it answer itself.
	h.event(slacktest.EventOptions{Event: map[string]any{
		"type": "message", "channel_type": "im", "channel": dm, "user": "UBOT", "bot_id": "B0001", "text": "help", "ts": "1700000002.000100",
	}})
	if got := len(h.slack.Messages(dm)); got != 2 {
		t.Errorf("DM messages after the bot's own message = %d, want still 2", got)
	}
}

// Ensure the bot reconnects after each kind of connection loss and answers
// the next command.
func TestReconnects(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fault func(*slacktest.Server)
	}{
		{"DisconnectRefreshRequested", func(s *slacktest.Server) { s.Disconnect("refresh_requested") }},
		{"DisconnectWarning", func(s *slacktest.Server) { s.Disconnect("warning") }},
		{"DroppedSocket", func(s *slacktest.Server) { s.DropSocket() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := startBot(t)
			before := h.slack.Connections()
			tt.fault(h.slack)
			if err := h.slack.WaitConnections(h.ctx(), before+1); err != nil {
				t.Fatalf("no reconnect: %v", err)
			}
			h.command("UALICE", "/rapport", "help")
			if got := len(h.responses()); got != 1 {
				t.Errorf("responses after reconnect = %d, want 1", got)
			}
		})
	}
}

// Ensure a 429 with Retry-After is waited out and the message delivered once.
func TestRateLimitedPostDeliveredOnce(t *testing.T) {
	h := startBot(t)
	h.slack.InjectFaults("chat.postMessage", slacktest.Fault{Status: 429, RetryAfter: 1})
	start := time.Now()
	h.event(dmHelp(h, "1700000000.000200"))
	calls := h.slack.CallsTo("chat.postMessage")
	if len(calls) != 2 {
		t.Fatalf("chat.postMessage attempts = %d, want 2", len(calls))
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %v, want at least the 1 s Retry-After", gap)
	}
	if got := len(dmReplies(h)); got != 1 {
		t.Errorf("replies delivered = %d, want 1", got)
	}
	_ = start
}

// Ensure two 500s then success delivers exactly once.
func TestServerErrorsRetried(t *testing.T) {
	h := startBot(t)
	h.slack.InjectFaults("chat.postMessage", slacktest.Fault{Status: 500}, slacktest.Fault{Status: 500})
	h.event(dmHelp(h, "1700000000.000300"))
	if got := len(h.slack.CallsTo("chat.postMessage")); got != 3 {
		t.Errorf("chat.postMessage attempts = %d, want 3", got)
	}
	if got := len(dmReplies(h)); got != 1 {
		t.Errorf("replies delivered = %d, want 1", got)
	}
}

// Ensure a permanent error is not retried: the reply fails once, and the
// notice to the person (in the same place) fails once, and that is all.
func TestPermanentErrorNotRetried(t *testing.T) {
	h := startBot(t)
	h.slack.InjectFaults("chat.postMessage", slacktest.Fault{Error: "not_in_channel"}, slacktest.Fault{Error: "not_in_channel"})
	h.event(dmHelp(h, "1700000000.000400"))
	if got := len(h.slack.CallsTo("chat.postMessage")); got != 2 {
		t.Errorf("chat.postMessage attempts = %d, want 2: the reply and the failure notice, neither retried", got)
	}
	if got := len(dmReplies(h)); got != 0 {
		t.Errorf("messages = %d, want 0", got)
	}
}

// Ensure an event delivered again (a retry with a new envelope, and the same
// envelope after a reconnect) is handled once, also after a restart.
func TestEventHandledOnce(t *testing.T) {
	h := startBot(t)
	ev := mention("help", "1700000000.000500")
	ev.EventID = "Ev0DUPLICATE"
	h.event(ev)
	retry := ev
	retry.RetryAttempt, retry.RetryReason = 1, "timeout"
	h.event(retry)
	same := ev
	same.EnvelopeID = "env-fixed-1"
	h.event(same)
	h.event(same)
	if got := privateAnswers(h, "UALICE"); got != 1 {
		t.Fatalf("replies after 4 deliveries = %d, want 1", got)
	}

	// Restart: a new bot process on the same database and Slack.
	if err := h.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	h2 := startBot(t, withState(h.slack, h.db))
	retry.RetryAttempt = 2
	h2.event(retry)
	if got := privateAnswers(h2, "UALICE"); got != 1 {
		t.Errorf("replies after a re-delivery across a restart = %d, want 1", got)
	}
}

// panicOnceAPI panics in the first chat.postMessage, as a bug in a handler
// would.
type panicOnceAPI struct {
	*slack.Client
	armed atomic.Bool
}

func (p *panicOnceAPI) PostMessageContext(ctx context.Context, channel string, opts ...slack.MsgOption) (string, string, error) {
	if p.armed.CompareAndSwap(true, false) {
		panic("boom")
	}
	return p.Client.PostMessageContext(ctx, channel, opts...)
}

// Ensure a panicking handler is recovered: the person gets an apology, the
// connection stays up and the next command works.
func TestPanicRecovered(t *testing.T) {
	api := &panicOnceAPI{}
	api.armed.Store(true)
	h := startBot(t, withAPI(func(c *slack.Client) bot.SlackAPI { api.Client = c; return api }))
	conns := h.slack.Connections()
	h.event(dmHelp(h, "1700000000.000600"))
	replies := dmReplies(h)
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "Sorry") {
		t.Fatalf("replies after a panic = %+v, want one apology", replies)
	}
	h.command("UALICE", "/rapport", "help")
	if got := len(h.responses()); got != 1 {
		t.Errorf("help after the panic: %d responses, want 1", got)
	}
	if got := h.slack.Connections(); got != conns {
		t.Errorf("connections = %d, want %d: a panic must not drop the socket", got, conns)
	}
}

// Ensure an envelope slack-go cannot decode is acked (so Slack stops
// re-delivering it) and nothing else happens.
func TestUndecodableEnvelopeAcked(t *testing.T) {
	h := startBot(t)
	ctx := h.ctx()
	frame := []byte(`{"envelope_id":"env-garbled-1","type":"events_api","accepts_response_payload":false,"payload":{"type":"event_callback","event":"not an object"}}`)
	if err := h.slack.SendRaw(ctx, frame); err != nil {
		t.Fatal(err)
	}
	if _, err := h.slack.WaitAck(ctx, "env-garbled-1"); err != nil {
		t.Fatalf("undecodable envelope not acked: %v", err)
	}
	h.command("UALICE", "/rapport", "help")
	if got := len(h.responses()); got != 1 {
		t.Errorf("responses = %d, want 1 (the bot still works)", got)
	}
	if got := len(h.slack.CallsTo("chat.postMessage")); got != 0 {
		t.Errorf("chat.postMessage calls = %d, want 0", got)
	}
}

// Ensure shutdown waits for a handler in flight: Run returns only after the
// slow reply was delivered, well within the grace period.
func TestShutdownFinishesInflight(t *testing.T) {
	h := startBot(t)
	h.slack.InjectFaults("response_url", slacktest.Fault{Delay: 1500 * time.Millisecond})
	if _, err := h.slack.SlashCommand(h.ctx(), slack.SlashCommand{Command: "/rapport", Text: "help", UserID: "UALICE", ChannelID: "CGENERAL"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := h.stop(); err != nil {
		t.Fatalf("Run returned %v, want nil after a clean shutdown", err)
	}
	if got := len(h.responses()); got != 1 {
		t.Errorf("responses delivered before Run returned = %d, want 1", got)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("shutdown took %v, want it bounded by the grace period", took)
	}
	if h.bot.Connected() {
		t.Error("Connected() = true after shutdown")
	}
}

// Ensure a slow Slack never delays an ack: while one reply hangs, the next
// command is still acked at once.
func TestSlowDeliveryDoesNotDelayAcks(t *testing.T) {
	h := startBot(t)
	h.slack.InjectFaults("response_url", slacktest.Fault{Delay: 3 * time.Second})
	ctx := h.ctx()
	if _, err := h.slack.SlashCommand(ctx, slack.SlashCommand{Command: "/rapport", Text: "help", UserID: "UALICE", ChannelID: "CGENERAL"}); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	ack, err := h.slack.SlashCommand(ctx, slack.SlashCommand{Command: "/rapport", Text: "help", UserID: "UBOB", ChannelID: "CGENERAL"})
	if err != nil {
		t.Fatal(err)
	}
	// Generous for a loaded CI machine, and still far below the 3 s hang.
	if took := ack.At.Sub(sent); took > time.Second {
		t.Errorf("second command acked after %v while the first reply hung; want well under Slack's 3 s", took)
	}
}

// Ensure "link_disabled" (Socket Mode turned off in the app's settings)
// stops the bot with a clear reason instead of reconnecting forever, while
// other disconnect reasons only reconnect.
func TestLinkDisabledStops(t *testing.T) {
	h := startBot(t)
	h.slack.Disconnect("refresh_requested")
	if err := h.slack.WaitConnections(h.ctx(), 2); err != nil {
		t.Fatal(err)
	}
	h.slack.Disconnect("link_disabled")
	select {
	case err := <-h.done:
		h.done <- err
		if !errors.Is(err, bot.ErrFatal) || !strings.Contains(err.Error(), "Socket Mode is turned off") {
			t.Errorf("Run = %v, want a fatal error saying Socket Mode is off", err)
		}
	case <-time.After(deadline):
		t.Fatal("the bot kept running after link_disabled")
	}
}
