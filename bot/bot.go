// Package bot is everything that speaks Slack: the Socket Mode loop, the
// route table, the handlers of each feature, Block Kit rendering and the one
// outgoing path for every call the bot makes.
//
// The flow of an envelope:
//
//	socket → receive → ack (at once, < 3 s; a view's field errors are computed
//	here, purely) → claim (store: the same event or envelope is handled
//	once, across restarts) → route (routes.go) → handler (own context and
//	timeout, panics recovered) → sender (retries, Retry-After, no mass mentions)
//
// The bot talks to the Web API through SlackAPI, an interface of just the
// methods it calls, and to the store through Store.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/rapport-bot/rapport/store"
)

// Options tune the bot. The zero value is usable.
type Options struct {
	Now            func() time.Time // default time.Now
	HandlerTimeout time.Duration    // per envelope, after the ack; default 60s
	ShutdownGrace  time.Duration    // how long Run waits for in-flight handlers; default 4s
	AckTimeout     time.Duration    // how long an ack may wait for the socket; default 2s
	Retry          RetryPolicy      // the sender's retries
	HTTPClient     *http.Client     // for response_url posts; default a 30 s client
	// SendTimeout is how long one Web API call may take (the API client's
	// own timeout); default 30 s. A new leader waits that long, and a
	// margin, before it reads back a message an earlier leader was sending.
	SendTimeout time.Duration
	Registerer  prometheus.Registerer // metrics; nil: not exported
	// OnHandled, when set, is called after each envelope's handler has
	// finished (or was skipped as a duplicate). Tests use it to wait for a
	// handler without sleeping.
	OnHandled func(envelopeID string)

	// Disconnects, from NewSocket, tells Run why Slack closed a socket:
	// "link_disabled" (Socket Mode turned off) stops the bot, since
	// reconnecting cannot work. Nil: reasons are not known.
	Disconnects *DisconnectWatch

	// Replicated is set when several processes share the store (etcd):
	// then Run only answers what Slack sends this process, and the work
	// that one process must do alone (delivering the outbox, reconciling
	// the coffee channel) runs in Lead, for the leader's term. Unset, Run
	// does both, as the only process.
	Replicated bool

	Location *time.Location // zone for people Slack gives none; default UTC
	WorkWeek store.WorkWeek // default working hours; default Mon–Fri 09:00–18:00
	Kudos    KudosOptions
	Coffee   CoffeeOptions
	Followup FollowupOptions
	Teams    TeamOptions // where people's teams come from (RAPPORT_TEAMS, RAPPORT_TEAM_FIELD)
	Admins   []string    // RAPPORT_ADMINS: admin rights besides workspace admins and owners
	// StayInTouchDays is the default cadence of the circle
	// (RAPPORT_STAY_IN_TOUCH_DAYS); default 42.
	StayInTouchDays int
	// NewcomerDays is how many days after joining the workspace or the
	// coffee channel someone is a newcomer (RAPPORT_NEWCOMER_DAYS): welcomed
	// once, never the one left to sit out, paired across teams and with a
	// buddy first. 0: nobody is (the zero value; the setting's default is 90).
	NewcomerDays int
	// CelebrationsChannel is where public birthdays and work anniversaries
	// are posted (RAPPORT_CELEBRATIONS_CHANNEL); "" none: only private
	// wishes.
	CelebrationsChannel string
}

// KudosOptions configure /kudos (the RAPPORT_KUDOS_* settings,
// docs/configuration.md).
type KudosOptions struct {
	Channel      string   // where every public kudos is also shared; "" none
	DailyLimit   int      // recipients one person may thank per day; 0 unlimited
	Values       []string // allowed #values; empty: any
	RequireValue bool     // a kudos must carry at least one value
	// Emoji is the reaction that starts a kudos for a message's author
	// (RAPPORT_KUDOS_EMOJI), without colons or skin tone; "" off.
	Emoji string
}

// Bot is a Rapport bot bound to one Socket Mode connection. Create it with
// New and start it with Run; it is safe for concurrent use.
type Bot struct {
	api     SlackAPI
	sock    Socket
	store   Store
	opts    Options
	log     *slog.Logger
	send    *sender
	routes  *router
	metrics *metrics

	botUserID string      // set by Run from auth.test
	teamURL   string      // https://team.slack.com/, from auth.test
	connected atomic.Bool // a socket is open and Slack said hello
	stopping  atomic.Bool // Run is shutting down: start no new outbox sends

	inflight   sync.WaitGroup
	kick       chan struct{} // wakes the outbox loop
	delivering sync.Mutex    // one outbox drain at a time
	dms        sync.Map      // user ID → DM channel ID

	settled     chan struct{} // closed when the start-up catch-up is done; see Settled
	settledOnce sync.Once

	rounds roundState // the coffee round lifecycle's (coffee_rounds.go)
	teams  teamState  // the team refresh's (teams.go)

	// renderers and onDelivered are keyed by store.Outgoing.Render; set
	// in New, read-only afterwards (outbox.go).
	renderers   map[string]renderer
	onDelivered map[string]deliveredHook
	onFailed    map[string]failedHook

	// help is the full help, and usage each command's own help by its
	// name ("/kudos"), rendered and encoded once: they are built from the
	// route table alone, so they are the same for everyone every time.
	help  response
	usage map[string]response
}

// New builds a bot. It returns an error when the route table is malformed
// (an empty or duplicated id, a route without handler), so a mistake there
// stops the process at start.
func New(api SlackAPI, sock Socket, st Store, opts Options, log *slog.Logger) (*Bot, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HandlerTimeout <= 0 {
		opts.HandlerTimeout = 60 * time.Second
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 4 * time.Second
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 30 * time.Second
	}
	if opts.AckTimeout <= 0 {
		opts.AckTimeout = 2 * time.Second
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.StayInTouchDays <= 0 {
		opts.StayInTouchDays = 42
	}
	if opts.WorkWeek.IsZero() {
		opts.WorkWeek = store.DefaultWorkWeek
	}
	opts.Coffee = opts.Coffee.withDefaults()
	m := newMetrics(opts.Registerer)
	b := &Bot{
		api:     api,
		sock:    sock,
		store:   st,
		opts:    opts,
		log:     log,
		metrics: m,
		send:    newSender(api, opts.HTTPClient, opts.Retry, m, log),
		kick:    make(chan struct{}, 1),
		settled: make(chan struct{}),
	}
	r, err := newRouter(b.routeTable())
	if err != nil {
		return nil, err
	}
	b.routes = r
	b.renderers = map[string]renderer{
		renderHomeRefresh:        b.renderHomeRefreshNow,
		renderFollowupUndone:     b.renderFollowupUndoneNow,
		renderKudosPostItem:      b.renderKudosPostNow,
		renderKudosLinkedItem:    b.renderKudosLinkedNow,
		renderKudosUnpostedItem:  b.renderKudosUnpostedNow,
		renderCelebrationsItem:   b.renderCelebrationsPostNow,
		renderReactionPromptItem: b.renderReactionPromptNow,
	}
	b.onDelivered = map[string]deliveredHook{
		renderKudosPostItem: b.kudosPostDelivered,
	}
	b.onFailed = map[string]failedHook{
		renderKudosPostItem: b.kudosPostFailed,
	}
	if b.help, err = canned(b.helpResponse()); err != nil {
		return nil, fmt.Errorf("bot: render help: %w", err)
	}
	b.usage = map[string]response{}
	for _, rt := range r.commands() {
		if b.usage[rt.id], err = canned(usageResponse(rt)); err != nil {
			return nil, fmt.Errorf("bot: render the help of %s: %w", rt.id, err)
		}
	}
	return b, nil
}

// startLeaderWork starts the work only one process may do: the outbox
// loop and the catch-up of the coffee channel's roster. Its sends use
// base, so the item in hand finishes at shutdown, like a handler; stop
// only keeps the loop from starting another. settled is called once both
// have caught up (the outbox's interrupted items resolved, the roster
// reconciled).
//
// running counts the goroutines: Run's handlers' group for a single
// process, whose shutdown waits for them; a term's own group for Lead.
func (b *Bot) startLeaderWork(ctx, base context.Context, stop <-chan struct{}, running *sync.WaitGroup, settled func()) {
	var catchUp sync.WaitGroup
	catchUp.Add(2)
	go func() {
		catchUp.Wait()
		settled()
	}()
	running.Add(1)
	go func() {
		defer running.Done()
		b.outboxLoop(base, stop, catchUp.Done)
	}()
	// Members who joined or left the coffee channel while no process was
	// leading sent events nobody received: catch up from the channel.
	running.Add(1)
	go func() {
		defer running.Done()
		defer catchUp.Done()
		b.checkChannels(ctx)
		if err := b.reconcileCoffeeChannel(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("coffee roster reconcile failed", "err", err)
		}
		// Teams may have changed while no process was leading.
		if err := b.RefreshTeams(ctx, b.opts.Now()); err != nil && ctx.Err() == nil {
			b.log.Error("team refresh failed", "job", JobTeams, "err", err)
		}
	}()
}

// Lead does the leader's work for one term, when Options.Replicated is
// set: it delivers the outbox and reconciles the coffee channel until
// term ends, then waits for the item in hand. settled, if set, is called
// once the term's catch-up is done.
func (b *Bot) Lead(term context.Context, settled func()) {
	stop := make(chan struct{})
	base, cancel := context.WithCancel(context.WithoutCancel(term))
	defer cancel()
	var done sync.WaitGroup
	done.Add(1)
	go func() {
		defer done.Done()
		<-term.Done()
		close(stop)
	}()
	if settled == nil {
		settled = func() {}
	}
	// Other processes queue messages too: wake the loop when they do.
	if changes := b.store.WatchOutbox(term); changes != nil {
		go func() {
			for range changes {
				b.kickOutbox()
			}
		}()
	}
	var running sync.WaitGroup
	b.startLeaderWork(term, base, stop, &running, func() {
		b.settledOnce.Do(func() { close(b.settled) })
		settled()
	})
	done.Wait()
	b.kickOutbox() // wake the loop to see stop
	running.Wait() // the item in hand is finished (its context outlives term)
}

// disconnects is the channel of disconnect reasons, or nil (never ready)
// without a watch.
func (b *Bot) disconnects() <-chan string {
	if b.opts.Disconnects == nil {
		return nil
	}
	return b.opts.Disconnects.reasons
}

// Connected reports whether the bot has an open Socket Mode connection that
// Slack greeted. /readyz uses it.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Commands lists the slash commands the bot answers ("/kudos", …), sorted:
// exactly those manifest.yml declares (a test keeps them equal). Slack
// delivers no other command to the app; the sandbox refuses others as
// Slack does.
func (b *Bot) Commands() []string { return b.routes.ids(commandRoute) }

// Settled is closed once Run has finished its start-up catch-up: items a
// crash left half-sent are resolved (recorded as sent, or queued again)
// and the coffee roster has been brought in line with the coffee channel,
// or that failed and was logged. It never closes if Run fails before. The
// sandbox waits for it so that its first command sees the whole roster.
func (b *Bot) Settled() <-chan struct{} { return b.settled }

// ErrFatal is wrapped by Run's error when Slack refused the tokens
// (invalid_auth, token_revoked, …): retrying cannot help.
var ErrFatal = errors.New("bot: slack refused the connection")

// CancelWait is how long Run waits for handlers it cancelled when
// ShutdownGrace ran out, before it returns anyway: Run returns at most
// AckFlush+ShutdownGrace+CancelWait after ctx ends.
const CancelWait = time.Second

// Run identifies the bot with auth.test, connects over Socket Mode and
// handles envelopes until ctx is cancelled. Then it stops taking envelopes,
// closes the socket and waits up to ShutdownGrace for in-flight handlers,
// whose contexts are cancelled only when the grace runs out (then it waits
// up to CancelWait more). It returns nil after a clean shutdown, and an
// error wrapping ErrFatal when Slack refuses the tokens.
func (b *Bot) Run(ctx context.Context) error {
	// Handlers outlive ctx: a shutdown lets them finish their work.
	handlerBase, cancelHandlers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHandlers()

	if err := b.identify(ctx); err != nil {
		return err
	}

	stopping := make(chan struct{})
	if !b.opts.Replicated {
		b.startLeaderWork(ctx, handlerBase, stopping, &b.inflight, func() {
			b.settledOnce.Do(func() { close(b.settled) })
		})
	}

	sockCtx, stopSocket := context.WithCancel(ctx)
	defer stopSocket()
	sockErr := make(chan error, 1)
	go func() { sockErr <- b.sock.RunContext(sockCtx) }()

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			b.drainIncoming(handlerBase)
			break loop
		case err := <-sockErr:
			if ctx.Err() != nil {
				break loop
			}
			runErr = fmt.Errorf("%w: %w", ErrFatal, err)
			break loop
		case evt := <-b.sock.Incoming():
			b.receive(handlerBase, evt)
		case reason := <-b.disconnects():
			b.log.Info("slack closed the socket", "reason", reason)
			if reason == "link_disabled" {
				runErr = fmt.Errorf("%w: Socket Mode is turned off for this app (disconnect reason link_disabled); turn it on under the app's Settings → Socket Mode, then start Rapport again", ErrFatal)
				break loop
			}
		}
	}
	stopSocket()
	b.stopping.Store(true)
	close(stopping)
	b.connected.Store(false)
	b.log.Info("stopped taking envelopes; waiting for handlers", "grace", b.opts.ShutdownGrace)
	if !b.waitInflight(b.opts.ShutdownGrace) {
		b.log.Warn("handlers still running after the grace period; cancelling them")
		cancelHandlers()
		b.waitInflight(CancelWait)
	}
	return runErr
}

// identify learns the bot's own user ID, to ignore its own messages and to
// recognise mentions of itself.
func (b *Bot) identify(ctx context.Context) error {
	var resp *slack.AuthTestResponse
	err := b.send.call(ctx, "auth.test", func(ctx context.Context) error {
		var err error
		resp, err = b.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		if code := slackErrorCode(err); permanentErrors[code] {
			return fmt.Errorf("%w: auth.test: %s", ErrFatal, code)
		}
		return fmt.Errorf("bot: identify: %w", err)
	}
	b.botUserID = resp.UserID
	b.teamURL = resp.URL
	b.log.Info("bot identified", "user", resp.UserID, "team", resp.TeamID)
	return nil
}

// AckFlush is how long a stopping bot keeps its socket open after
// answering the envelopes it had already read (slack-go writes acks from a
// queue that closing the socket abandons). Run returns at most
// AckFlush+ShutdownGrace+CancelWait after ctx ends.
const AckFlush = 200 * time.Millisecond

// drainIncoming handles the envelopes this connection has already read
// when the bot is told to stop, before it closes the socket. Slack sent
// them here and sends them nowhere else (a slash command is not retried),
// so dropping them would leave someone's command unanswered in a rolling
// restart.
func (b *Bot) drainIncoming(base context.Context) {
	drained := false
	for {
		select {
		case evt := <-b.sock.Incoming():
			b.receive(base, evt)
			drained = true
			continue
		default:
		}
		break
	}
	if drained {
		time.Sleep(AckFlush)
	}
}

func (b *Bot) waitInflight(d time.Duration) bool {
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// receive handles one event from the socket client. It never blocks on slow
// work: a slow consumer of sock.Incoming() stalls slack-go's reader, which stops
// pings, Slack drops the connection, and reconnects pile up.
func (b *Bot) receive(base context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.connected.Store(false)
		b.log.Debug("socket connecting")
	case socketmode.EventTypeConnectionError:
		b.connected.Store(false)
		b.log.Warn("socket connection failed; retrying", "err", connErr(evt))
	case socketmode.EventTypeConnected:
		b.log.Debug("socket connected")
	case socketmode.EventTypeHello:
		b.connected.Store(true)
		b.log.Info("socket ready")
	case socketmode.EventTypeInvalidAuth:
		b.connected.Store(false)
		b.log.Error("slack refused the app token (invalid_auth)")
	case socketmode.EventTypeIncomingError:
		b.log.Warn("socket read failed; reconnecting", "err", fmt.Sprint(evt.Data))
	case socketmode.EventTypeErrorWriteFailed:
		b.log.Warn("socket write failed", "err", fmt.Sprint(evt.Data))
	case socketmode.EventTypeErrorBadMessage:
		b.ackUndecodable(base, evt)
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			b.log.Warn("envelope without request", "type", string(evt.Type))
			return
		}
		b.envelope(base, evt)
	default:
		b.log.Debug("socket event ignored", "type", string(evt.Type))
	}
}

func connErr(evt socketmode.Event) string {
	if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok && ce.ErrorObj != nil {
		return ce.ErrorObj.Error()
	}
	return fmt.Sprint(evt.Data)
}

// ackUndecodable acks a frame slack-go could not parse, from its raw
// envelope_id, so Slack stops re-delivering something we can never handle.
func (b *Bot) ackUndecodable(base context.Context, evt socketmode.Event) {
	bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		b.log.Warn("undecodable frame", "data", fmt.Sprintf("%T", evt.Data))
		return
	}
	var head struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	_ = json.Unmarshal(bad.Message, &head)
	b.metrics.envelopes.WithLabelValues("undecodable").Inc()
	if head.EnvelopeID == "" {
		b.log.Warn("undecodable frame without envelope_id; dropped", "err", bad.Cause)
		return
	}
	ctx, cancel := context.WithTimeout(base, b.opts.AckTimeout)
	defer cancel()
	if err := b.sock.AckCtx(ctx, head.EnvelopeID, nil); err != nil {
		b.log.Error("ack failed", "envelope_id", head.EnvelopeID, "err", err)
		return
	}
	b.log.Warn("undecodable envelope acked and dropped", "envelope_id", head.EnvelopeID, "type", head.Type, "err", bad.Cause)
}

// envelope acks one slash command, interaction or event at once and starts
// its handler in a goroutine.
func (b *Bot) envelope(base context.Context, evt socketmode.Event) {
	start := time.Now()
	id := evt.Request.EnvelopeID
	b.metrics.envelopes.WithLabelValues(string(evt.Type)).Inc()

	work, payload := b.prepare(evt)

	ctx, cancel := context.WithTimeout(base, b.opts.AckTimeout)
	err := b.sock.AckCtx(ctx, id, payload)
	cancel()
	b.metrics.ackSeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		// Slack will re-deliver an event; a command shows the person an
		// error. Either way there is nothing better to do than carry on.
		b.log.Error("ack failed", "envelope_id", id, "type", string(evt.Type), "err", err)
	}

	b.inflight.Add(1)
	go b.run(base, id, work)
}

// job is the work behind one envelope, decided before the ack.
type job struct {
	route  string // for logs and metrics: "command /rapport", "event app_mention"
	claim  string // dedupe key in the store
	origin origin // whom to tell about a failure
	do     func(ctx context.Context) error
}

// prepare decides, without I/O, what an envelope will do and what its ack
// carries. Only a view submission with field errors has an ack payload.
func (b *Bot) prepare(evt socketmode.Event) (job, any) {
	envKey := "envelope:" + evt.Request.EnvelopeID
	switch data := evt.Data.(type) {
	case slack.SlashCommand:
		return b.prepareCommand(envKey, data), nil
	case slack.InteractionCallback:
		return b.prepareInteraction(envKey, &data)
	case slackevents.EventsAPIEvent:
		return b.prepareEvent(envKey, data), nil
	}
	return job{route: "unknown " + string(evt.Type)}, nil
}

// maxCommandText bounds slash-command text; Slack itself allows about 4,000
// characters, and nothing Rapport takes needs more.
const maxCommandText = 4000

func (b *Bot) prepareCommand(key string, c slack.SlashCommand) job {
	cmd := newSlashCommand(c)
	j := job{route: "command " + c.Command, claim: key, origin: cmd.origin}
	rt := b.routes.lookup(commandRoute, c.Command)
	switch {
	case rt == nil:
		j.do = func(ctx context.Context) error {
			return userErrorf("I don't know the command %s. Try `/rapport help`.", c.Command)
		}
	case utf8.RuneCountInString(c.Text) > maxCommandText:
		j.do = func(ctx context.Context) error {
			return userErrorf("That is too long for me: %d characters, and I take at most %d. Nothing was saved.", utf8.RuneCountInString(c.Text), maxCommandText)
		}
	default:
		j.do = func(ctx context.Context) error { return rt.command(ctx, cmd) }
	}
	return j
}

func (b *Bot) prepareInteraction(key string, cb *slack.InteractionCallback) (job, any) {
	in := interaction{
		origin: origin{
			user:        cb.User.ID,
			channel:     cb.Channel.ID,
			responseURL: cb.ResponseURL,
			triggerID:   cb.TriggerID,
			fromHome:    cb.View.Type == slack.VTHomeTab,
		},
		cb: cb,
	}
	j := job{claim: key, origin: in.origin}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		j.route = "actions"
		var todo []func(context.Context) error
		for _, a := range cb.ActionCallback.BlockActions {
			if rt := b.routes.lookup(actionRoute, a.ActionID); rt != nil {
				j.route = "action " + a.ActionID
				todo = append(todo, func(ctx context.Context) error { return rt.action(ctx, in, a) })
			}
		}
		j.do = func(ctx context.Context) error {
			for _, f := range todo {
				if err := f(ctx); err != nil {
					return err
				}
			}
			return nil
		}
	case slack.InteractionTypeViewSubmission:
		j.route = "view " + cb.View.CallbackID
		rt := b.routes.lookup(viewRoute, cb.View.CallbackID)
		if rt == nil {
			return j, nil
		}
		if rt.validate != nil {
			if errs := rt.validate(in); len(errs) > 0 {
				return j, slack.NewErrorsViewSubmissionResponse(errs)
			}
		}
		j.do = func(ctx context.Context) error { return rt.view(ctx, in) }
	case slack.InteractionTypeShortcut, slack.InteractionTypeMessageAction:
		j.route = "shortcut " + cb.CallbackID
		if rt := b.routes.lookup(shortcutRoute, cb.CallbackID); rt != nil {
			j.do = func(ctx context.Context) error { return rt.shortcut(ctx, in) }
		}
	default:
		j.route = "interaction " + string(cb.Type)
	}
	return j, nil
}

func (b *Bot) prepareEvent(envKey string, e slackevents.EventsAPIEvent) job {
	j := job{route: "event " + e.Type, claim: envKey}
	cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent)
	if ok && cb.EventID != "" {
		// Re-deliveries keep the event_id but may carry a new envelope_id.
		j.claim = "event:" + cb.EventID
	}
	if e.Type != slackevents.CallbackEvent {
		return j
	}
	ev := event{data: e.InnerEvent.Data, route: e.InnerEvent.Type}
	if ok {
		ev.id = cb.EventID
	}
	switch d := e.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		ev.user, ev.channel = d.User, d.Channel
		ev.threadTS = d.ThreadTimeStamp
		if ev.threadTS == "" {
			ev.threadTS = d.TimeStamp
		}
	case *slackevents.MessageEvent:
		ev.route = "message." + d.ChannelType
		ev.user, ev.channel = d.User, d.Channel
	}
	j.route = "event " + ev.route
	j.origin = ev.origin
	if rt := b.routes.lookup(eventRoute, ev.route); rt != nil {
		j.do = func(ctx context.Context) error { return rt.event(ctx, ev) }
	}
	return j
}

// run executes one envelope's job after the ack.
func (b *Bot) run(base context.Context, envelopeID string, j job) {
	defer b.inflight.Done()
	if b.opts.OnHandled != nil {
		defer b.opts.OnHandled(envelopeID)
	}
	if j.do == nil {
		b.log.Debug("envelope has no route; acked and ignored", "envelope_id", envelopeID, "route", j.route)
		return
	}
	ctx, cancel := context.WithTimeout(base, b.opts.HandlerTimeout)
	defer cancel()
	log := b.log.With("envelope_id", envelopeID, "route", j.route, "user", j.origin.user)

	first, err := b.store.ClaimEvent(j.claim, b.opts.Now())
	if err != nil {
		// Better to risk handling a re-delivery twice than to drop it.
		log.Error("claim failed; handling anyway", "err", err)
	} else if !first {
		b.metrics.duplicates.Inc()
		log.Info("duplicate delivery ignored", "claim", j.claim)
		return
	}

	start := time.Now()
	defer func() {
		b.metrics.handlerTime.WithLabelValues(j.route).Observe(time.Since(start).Seconds())
		if p := recover(); p != nil {
			b.metrics.handlerErrors.WithLabelValues(j.route, "panic").Inc()
			log.Error("handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if err := b.answerInPlace(ctx, j.origin, apology); err != nil {
				log.Error("could not tell the user", "err", err)
			}
		}
	}()
	if err := j.do(ctx); err != nil {
		msg, internal := userMessage(err)
		if internal {
			b.metrics.handlerErrors.WithLabelValues(j.route, "error").Inc()
			log.Error("handler failed", "err", err)
		}
		if err := b.answerInPlace(ctx, j.origin, msg); err != nil {
			log.Error("could not tell the user", "err", err)
		}
	}
}
