package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// faultRig is the real bot with kudos, coffee and follow-ups on one store,
// 40 Berlin people enrolled for coffee, and a settable clock.
type faultRig struct {
	*coffeeRig
}

// startFaultRig starts the bot; apiTimeout > 0 gives its Web API client
// that HTTP timeout (so a hung call fails quickly).
func startFaultRig(t *testing.T, apiTimeout time.Duration) *faultRig {
	t.Helper()
	c := newClock(monday)
	srv := slacktest.New(slacktest.Options{Now: c.Now})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	for _, u := range berliners(40) {
		srv.AddUser(u)
	}
	rig := &coffeeRig{clock: c}
	hopts := []harnessOption{withState(srv, storetest.MustOpen(t)), withOptions(func(o *bot.Options) {
		o.Now = c.Now
		o.Followup = bot.FollowupOptions{Snoozes: []string{"1h", "tomorrow"}}
		o.Coffee = bot.CoffeeOptions{
			Schedule: mustSchedule(t, "0 10 * * MON"), Cadence: store.CadenceWeekly, GroupSize: 2, DidYouMeetDays: 4,
			MinOverlap: time.Hour,
		}
	})}
	if apiTimeout > 0 {
		hopts = append(hopts, withAPI(func(*slack.Client) bot.SlackAPI {
			return slack.New("xoxb-test-bot-token", slack.OptionAppLevelToken("xapp-test-app-token"),
				slack.OptionAPIURL(srv.APIURL()), slack.OptionHTTPClient(&http.Client{Timeout: apiTimeout}))
		}))
	}
	h := startBot(t, hopts...)
	rig.harness = h
	return &faultRig{coffeeRig: rig}
}

// faultResult is what one row observed.
type faultResult struct {
	lost, dups int
	problems   []string
}

func (r *faultResult) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// exportRecords returns the store's records keyed "collection/id", with
// exported_at dropped.
func exportRecords(t *testing.T, db *store.DB, now time.Time) map[string]map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := db.Export(&buf, now); err != nil {
		t.Fatalf("export: %v", err)
	}
	var doc struct {
		Kudos     []map[string]any `json:"kudos"`
		Followups []map[string]any `json:"followups"`
		Checkins  []map[string]any `json:"checkins"`
		Coffee    struct {
			Members []map[string]any `json:"members"`
			Rounds  []map[string]any `json:"rounds"`
		} `json:"coffee"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("decode export: %v", err)
	}
	out := map[string]map[string]any{}
	add := func(kind, key string, recs []map[string]any) {
		for _, r := range recs {
			out[fmt.Sprintf("%s/%v", kind, r[key])] = r
		}
	}
	add("kudos", "id", doc.Kudos)
	add("followup", "id", doc.Followups)
	add("checkin", "id", doc.Checkins)
	add("member", "user", doc.Coffee.Members)
	add("round", "id", doc.Coffee.Rounds)
	return out
}

// mutable are the fields the workload itself legitimately changes (a
// reminder sent, a round's bookkeeping); every other field must survive.
var mutable = map[string]bool{"next_at": true, "reminded": true, "nudges": true, "last_nudge": true,
	"misses": true, "skip_at": true, "ghosted": true, "never": true}

func compareRecords(res *faultResult, before, after map[string]map[string]any) {
	for key, b := range before {
		a, ok := after[key]
		if !ok {
			res.lost++
			res.problem("record %s lost", key)
			continue
		}
		for f, bv := range b {
			if mutable[f] {
				continue
			}
			if !reflect.DeepEqual(bv, a[f]) {
				res.lost++
				res.problem("record %s field %s changed: %v → %v", key, f, bv, a[f])
				break
			}
		}
	}
}

// send delivers a slash command; a socket that closes before the ack makes
// it re-send the same envelope (the bot must then handle it once).
func (r *faultRig) send(command, user, text string) {
	r.t.Helper()
	ctx := r.ctx()
	cmd := slack.SlashCommand{Command: command, Text: text, UserID: user, ChannelID: "CGENERAL", ChannelName: "general"}
	ack, err := r.slack.SlashCommand(ctx, cmd)
	if errors.Is(err, slacktest.ErrSocketClosed) {
		ack, err = r.slack.SlashCommand(ctx, cmd)
	}
	if err != nil {
		r.t.Fatalf("%s %s: %v", command, text, err)
	}
	r.markSent(ack.EnvelopeID)
	r.waitHandled(ctx, ack.EnvelopeID)
}

func ephemeralTo(r *faultRig, user string) int {
	n := 0
	for _, m := range r.slack.Messages("CGENERAL") {
		if m.Ephemeral && m.User == user {
			n++
		}
	}
	return n
}

type faultRow struct {
	name   string
	apiTO  time.Duration
	before func(r *faultRig)                   // just before the workload (faults on calls)
	mid    func(r *faultRig)                   // after half the commands
	extra  func(r *faultRig, res *faultResult) // additional checks of the row
	bug    string                              // non-empty: a known bot bug, the row is skipped
}

func everyMethod(f slacktest.Fault) func(r *faultRig) {
	return func(r *faultRig) {
		for _, m := range []string{"chat.postMessage", "conversations.open", "users.info", "response_url", "chat.getPermalink"} {
			r.slack.InjectFaults(m, f)
		}
	}
}

func reconnectAfter(fault func(*slacktest.Server)) func(r *faultRig) {
	return func(r *faultRig) {
		before := r.slack.Connections()
		fault(r.slack)
		if err := r.slack.WaitConnections(r.ctx(), before+1); err != nil {
			r.t.Fatalf("no reconnect: %v", err)
		}
	}
}

func TestFaultMatrix(t *testing.T) {
	rows := []faultRow{
		{name: "baseline (no fault)"},
		{name: "disconnect refresh_requested", mid: reconnectAfter(func(s *slacktest.Server) { s.Disconnect("refresh_requested") })},
		{name: "disconnect warning", mid: reconnectAfter(func(s *slacktest.Server) { s.Disconnect("warning") })},
		{name: "socket dropped (no message)", mid: reconnectAfter(func(s *slacktest.Server) { s.DropSocket() })},
		{name: "slow websocket handshake + drop", mid: func(r *faultRig) {
			r.slack.InjectFaults("link", slacktest.Fault{Delay: 300 * time.Millisecond})
			reconnectAfter(func(s *slacktest.Server) { s.DropSocket() })(r)
		}},
		{name: "pings stop then resume", mid: func(r *faultRig) {
			r.slack.StopPings(true)
			time.Sleep(500 * time.Millisecond) // a pause with no pings; nothing to wait for
			r.slack.StopPings(false)
		}},
		{name: "429 Retry-After 1 on every method", before: everyMethod(slacktest.Fault{Status: 429, RetryAfter: 1})},
		{name: "5xx bursts (500,502,503)", before: func(r *faultRig) {
			burst := []slacktest.Fault{{Status: 500}, {Status: 502}, {Status: 503}}
			r.slack.InjectFaults("chat.postMessage", burst...)
			r.slack.InjectFaults("conversations.open", burst...)
		}},
		{name: "timeouts (2 hung calls, 500ms client)", apiTO: 500 * time.Millisecond, before: func(r *faultRig) {
			r.slack.InjectFaults("chat.postMessage", slacktest.Fault{Hang: true})
			r.slack.InjectFaults("conversations.open", slacktest.Fault{Hang: true})
		}},
		{name: "ok:false ratelimited / rate_limited", before: func(r *faultRig) {
			r.slack.InjectFaults("chat.postMessage", slacktest.Fault{Error: "ratelimited"}, slacktest.Fault{Error: "rate_limited"})
			r.slack.InjectFaults("conversations.open", slacktest.Fault{Error: "rate_limited"}, slacktest.Fault{Error: "ratelimited"})
		}},
		{name: "events re-delivered after reconnect", extra: redeliveredEvents},
		{name: "undecodable envelope", extra: undecodableEnvelope},
	}
	type line struct {
		name           string
		runs, survived int
		lost, dups     int
		skipped        bool
	}
	var (
		mu    sync.Mutex
		table []line
	)
	t.Cleanup(func() {
		var b strings.Builder
		fmt.Fprintf(&b, "\n%-40s %5s %9s %13s %10s\n", "fault", "runs", "survived", "records lost", "duplicates")
		for _, l := range table {
			s := fmt.Sprint(l.survived)
			if l.skipped {
				s = "SKIP(bug)"
			}
			fmt.Fprintf(&b, "%-40s %5d %9s %13d %10d\n", l.name, l.runs, s, l.lost, l.dups)
		}
		t.Logf("fault matrix:%s", b.String())
	})
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			res := runFaultRow(t, row)
			mu.Lock()
			table = append(table, line{name: row.name, runs: 1, survived: boolInt(len(res.problems) == 0 && !t.Failed()), lost: res.lost, dups: res.dups, skipped: row.bug != ""})
			mu.Unlock()
			for _, p := range res.problems {
				if row.bug != "" {
					t.Logf("%s", p)
				} else {
					t.Errorf("%s", p)
				}
			}
			if row.bug != "" {
				if len(res.problems) == 0 {
					t.Errorf("row marked BUG (%s) but it passed: remove the mark", row.bug)
				}
				t.Skip("BUG: " + row.bug)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// runFaultRow runs the workload with row's fault and checks its outcome.
func runFaultRow(t *testing.T, row faultRow) *faultResult {
	res := &faultResult{}
	r := startFaultRig(t, row.apiTO)
	people := ids(berliners(40))
	r.enrol(people...)

	// Setup: 20 follow-ups, owned by UB00…UB19.
	for i := range 20 {
		r.send("/followup", people[i], fmt.Sprintf("me ship item%02d by tomorrow", i))
	}
	before := exportRecords(t, r.db, monday)
	if n := len(before); n != 60 {
		t.Fatalf("records before = %d, want 20 follow-ups + 40 members", n)
	}

	if row.before != nil {
		row.before(r)
	}
	// Workload: 6 kudos from 3 people to 6 others, 2 helps, a round.
	givers := people[20:23]
	recipients := people[30:36]
	for i := range 6 {
		if i == 3 && row.mid != nil {
			row.mid(r)
		}
		r.send("/kudos", givers[i%3], fmt.Sprintf("<@%s> for untangling the deploy on Friday, ref reason%02d", recipients[i], i))
	}
	r.send("/rapport", people[23], "help")
	r.send("/rapport", people[24], "help")
	if row.extra != nil {
		row.extra(r, res)
	}
	rd := r.round(monday)

	// Follow-ups fall due: tick at the due time, deliver in working hours.
	fus, err := r.db.Followups()
	if err != nil || len(fus) != 20 {
		t.Fatalf("follow-ups = %d, %v; want 20", len(fus), err)
	}
	due := fus[0].Due
	r.clock.Set(due)
	if err := r.bot.RemindFollowups(r.ctx(), due); err != nil {
		res.problem("RemindFollowups: %v", err)
	}
	if _, err := r.bot.DeliverDue(r.ctx(), due); err != nil {
		res.problem("DeliverDue at due: %v", err)
	}
	work := time.Date(due.Year(), due.Month(), due.Day()+1, 9, 0, 0, 0, time.UTC) // 10:00 Berlin
	if !due.Before(work) {
		work = due
	}
	r.clock.Set(work)
	for range 2 {
		if _, err := r.bot.DeliverDue(r.ctx(), work); err != nil {
			res.problem("DeliverDue in working hours: %v", err)
		}
	}

	// Every command answered exactly once.
	for _, g := range givers {
		if n := ephemeralTo(r, g); n != 2 {
			res.problem("giver %s: %d ephemeral confirmations, want 2 (one per /kudos)", g, n)
			countDup(res, n, 2)
		}
	}
	for _, u := range people[23:25] {
		if n := ephemeralTo(r, u); n != 1 {
			res.problem("/rapport help by %s answered %d times, want 1", u, n)
			countDup(res, n, 1)
		}
	}
	for i := range 20 {
		if n := ephemeralTo(r, people[i]); n != 1 {
			res.problem("/followup by %s answered %d times, want 1", people[i], n)
			countDup(res, n, 1)
		}
	}
	// Each kudos: one public post, one DM to its recipient.
	pub := r.public("CGENERAL")
	for i, u := range recipients {
		want := fmt.Sprintf("reason%02d", i)
		if n := countContaining(pub, want); n != 1 {
			res.problem("kudos %s posted %d times in #general, want 1", want, n)
			countDup(res, n, 1)
		}
		if n := countContaining(r.slack.Messages(r.slack.DMChannel(u)), want); n != 1 {
			res.problem("kudos DM %s to %s: %d, want 1", want, u, n)
			countDup(res, n, 1)
		}
	}
	// Each coffee group: exactly one intro; 40 people in 20 groups.
	paired := 0
	for _, g := range rd.Groups {
		paired += len(g.Members)
		if n := countContaining(r.slack.Messages(g.Channel), "coffee_met"); n != 1 {
			res.problem("coffee group %v: %d intros, want 1", g.Members, n)
			countDup(res, n, 1)
		}
	}
	if paired != 40 {
		res.problem("coffee round paired %d people, want 40", paired)
	}
	// Each follow-up owner: exactly one reminder.
	for i := range 20 {
		want := fmt.Sprintf("item%02d", i)
		if n := countContaining(r.slack.Messages(r.slack.DMChannel(people[i])), want); n != 1 {
			res.problem("reminder %s to %s: %d DMs, want 1", want, people[i], n)
			countDup(res, n, 1)
		}
	}
	// Every record that existed before the fault is intact.
	compareRecords(res, before, exportRecords(t, r.db, work))
	return res
}

func countDup(res *faultResult, got, want int) {
	if got > want {
		res.dups += got - want
	}
}

// redeliveredEvents sends one mention five times: with a fixed envelope ID
// before and after a reconnect, and with new envelope IDs, retry_attempt
// 0–3. It must be answered once.
func redeliveredEvents(r *faultRig, res *faultResult) {
	const ts = "1700000000.000900"
	ev := slacktest.EventOptions{EventID: "Ev0FAULTMATRIX", EnvelopeID: "env-fault-fixed", Event: map[string]any{
		"type": "app_mention", "user": "UALICE", "channel": "CGENERAL", "text": "<@UBOT> help", "ts": ts,
	}}
	r.event(ev)
	reconnectAfter(func(s *slacktest.Server) { s.Disconnect("refresh_requested") })(r)
	r.event(ev) // same envelope after the reconnect
	for attempt := range 4 {
		again := ev
		again.EnvelopeID = ""
		again.RetryAttempt, again.RetryReason = attempt, "timeout"
		r.event(again)
	}
	if n := ephemeralTo(r, "UALICE"); n != 1 {
		res.problem("mention delivered 6 times answered %d times, want 1", n)
		countDup(res, n, 1)
	}
}

// undecodableEnvelope sends a frame slack-go cannot decode: it must be
// acked from its raw envelope_id, and nothing else happens.
func undecodableEnvelope(r *faultRig, res *faultResult) {
	ctx := r.ctx()
	// The workload's kudos are posted and DMed by the outbox after their
	// commands were answered: let it finish, so that what follows is the
	// frame's doing only.
	if _, err := r.bot.DeliverDue(ctx, r.clock.Now()); err != nil {
		r.t.Fatal(err)
	}
	callsBefore := len(r.slack.Calls())
	frame := []byte(`{"envelope_id":"env-fault-garbled","type":"events_api","accepts_response_payload":false,"payload":{"type":"event_callback","event":"not an object"}}`)
	if err := r.slack.SendRaw(ctx, frame); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.slack.WaitAck(ctx, "env-fault-garbled"); err != nil {
		res.problem("undecodable envelope not acked: %v", err)
		return
	}
	// The bot still works, and the garbled frame caused no call.
	r.send("/rapport", "UALICE", "help")
	var extra []string
	for _, c := range r.slack.Calls()[callsBefore:] {
		if c.Method != "response_url" {
			extra = append(extra, c.Method)
		}
	}
	if len(extra) != 0 {
		res.problem("calls after an undecodable envelope: %v, want none", extra)
	}
	if n := ephemeralTo(r, "UALICE"); n != 1 {
		res.problem("help after the garbled envelope answered %d times, want 1", n)
	}
}

// Ensure Slack refusing the bot token at start stops Run with an error
// wrapping bot.ErrFatal that names the reason.
func TestFatalAuthErrors(t *testing.T) {
	for _, code := range []string{"invalid_auth", "token_revoked"} {
		t.Run(code, func(t *testing.T) {
			srv := slacktest.New(slacktest.Options{})
			t.Cleanup(srv.Close)
			srv.InjectFaults("auth.test", slacktest.Fault{Error: code})
			client := slack.New("xoxb-test-bot-token", slack.OptionAppLevelToken("xapp-test-app-token"), slack.OptionAPIURL(srv.APIURL()))
			var logs syncBuffer
			b, err := bot.New(client, bot.SocketOf(socketmode.New(client)), storetest.MustOpen(t), bot.Options{},
				slog.New(slog.NewTextHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), deadline)
			defer cancel()
			err = b.Run(ctx)
			if !errors.Is(err, bot.ErrFatal) {
				t.Fatalf("Run = %v, want an error wrapping bot.ErrFatal", err)
			}
			if !strings.Contains(err.Error(), code) || !strings.Contains(err.Error(), "auth.test") {
				t.Errorf("Run error %q does not name auth.test and %s", err, code)
			}
			if srv.Connections() != 0 {
				t.Errorf("connections = %d, want 0 after a refused token", srv.Connections())
			}
			// The bot leaves logging the fatal error to its caller: the
			// error text above is that log line.
			t.Logf("Run error (the log line main writes): %v", err)
		})
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
