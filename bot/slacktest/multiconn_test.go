package slacktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// startBots starts one socketmode client per handler, in order, each
// connected before the next starts, so the i-th client holds connection
// i+1.
func startBots(t *testing.T, ctx context.Context, srv *slacktest.Server, handlers ...func(*bot, socketmode.Event)) []*bot {
	t.Helper()
	var bots []*bot
	for i, h := range handlers {
		bots = append(bots, startBot(t, srv, h))
		if _, err := srv.WaitOpenConnections(ctx, i+1); err != nil {
			t.Fatal(err)
		}
	}
	return bots
}

// swallow receives envelopes and acks none of them.
func swallow(*bot, socketmode.Event) {}

// eventID returns the event_id of an events_api envelope, "" for others.
func eventID(evt socketmode.Event) string {
	e, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return ""
	}
	cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return ""
	}
	return cb.EventID
}

// envelopes returns the next n events that carry an envelope, waiting for
// them.
func (b *bot) envelopes(t *testing.T, ctx context.Context, n int) []socketmode.Event {
	t.Helper()
	var got []socketmode.Event
	for len(got) < n {
		select {
		case evt := <-b.events:
			if evt.Request != nil && evt.Request.EnvelopeID != "" {
				got = append(got, evt)
			}
		case <-ctx.Done():
			t.Fatalf("got %d envelopes, want %d: %v", len(got), n, ctx.Err())
		}
	}
	return got
}

// Ensure envelopes go to every open connection in turn, and each client
// gets the ones sent on its own socket.
func TestEnvelopesSpreadOverConnections(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false)
	ctx := testContext(t)
	bots := startBots(t, ctx, srv, nil, nil)
	hello := bots[1].waitEvent(t, ctx, socketmode.EventTypeHello)
	if hello.Request.NumConnections != 2 {
		t.Errorf("second hello num_connections = %d, want 2", hello.Request.NumConnections)
	}

	for i := range 3 {
		if _, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention", "text": fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/kudos", UserID: "U1", ChannelID: "C1"}); err != nil {
			t.Fatal(err)
		}
	}
	perConn := map[int][]string{}
	for _, d := range srv.Deliveries() {
		perConn[d.Conn] = append(perConn[d.Conn], d.EnvelopeID)
	}
	if len(perConn[1]) != 3 || len(perConn[2]) != 3 {
		t.Fatalf("deliveries per connection = %v, want 3 on each of 1 and 2", perConn)
	}
	for i, b := range bots {
		got := b.envelopes(t, ctx, 3)
		for j, evt := range got {
			if want := perConn[i+1][j]; evt.Request.EnvelopeID != want {
				t.Errorf("client %d envelope %d = %s, want %s (sent on its connection)", i+1, j, evt.Request.EnvelopeID, want)
			}
		}
	}
	for _, a := range srv.Acks() {
		if want := connOf(srv, a.EnvelopeID); a.Conn != want {
			t.Errorf("ack of %s came on connection %d, want %d", a.EnvelopeID, a.Conn, want)
		}
	}
}

func connOf(srv *slacktest.Server, envelopeID string) int {
	for _, d := range srv.Deliveries() {
		if d.EnvelopeID == envelopeID {
			return d.Conn
		}
	}
	return 0
}

// Ensure an event nobody acks on one connection comes again on the other,
// as a retry with the same event_id in a new envelope.
func TestUnackedEventRetriedOnAnotherConnection(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{EventAckTimeout: 50 * time.Millisecond, EventRetryDelays: []time.Duration{0, 0, 0}})
	ctx := testContext(t)
	bots := startBots(t, ctx, srv, swallow, nil) // connection 1 never acks

	ack, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention"}, EventID: "EvRETRY", EnvelopeID: "env-first"})
	if err != nil {
		t.Fatal(err)
	}
	first := bots[0].envelopes(t, ctx, 1)[0]
	if first.Request.EnvelopeID != "env-first" || first.Request.RetryAttempt != 0 || eventID(first) != "EvRETRY" {
		t.Errorf("connection 1 got envelope %s attempt %d event %s, want env-first attempt 0 EvRETRY",
			first.Request.EnvelopeID, first.Request.RetryAttempt, eventID(first))
	}
	retry := bots[1].envelopes(t, ctx, 1)[0]
	if retry.Request.EnvelopeID == "env-first" || retry.Request.RetryAttempt != 1 || retry.Request.RetryReason != "timeout" || eventID(retry) != "EvRETRY" {
		t.Errorf("connection 2 got envelope %s attempt %d reason %q event %s, want a new envelope, attempt 1, timeout, EvRETRY",
			retry.Request.EnvelopeID, retry.Request.RetryAttempt, retry.Request.RetryReason, eventID(retry))
	}
	if ack.EnvelopeID != retry.Request.EnvelopeID || ack.Conn != 2 {
		t.Errorf("Event returned the ack of %s on connection %d, want the retry's (%s) on 2", ack.EnvelopeID, ack.Conn, retry.Request.EnvelopeID)
	}
	if n := len(srv.Deliveries()); n != 2 {
		t.Errorf("%d deliveries, want 2 (the first and one retry)", n)
	}
}

// Ensure Slack's three retries are all that an unacked event gets, spread
// over the connections, and then the fake gives up.
func TestEventGivenUpAfterThreeRetries(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{EventAckTimeout: 20 * time.Millisecond, EventRetryDelays: []time.Duration{0, 10 * time.Millisecond, 0}})
	ctx := testContext(t)
	startBots(t, ctx, srv, swallow, swallow)

	_, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention"}, EventID: "EvLOST"})
	if !errors.Is(err, slacktest.ErrNotAcked) {
		t.Fatalf("Event acked by nobody: err = %v, want ErrNotAcked", err)
	}
	var got []string
	for _, d := range srv.Deliveries() {
		got = append(got, fmt.Sprintf("%s#%d@%d", d.EventID, d.RetryAttempt, d.Conn))
	}
	want := fmt.Sprint([]string{"EvLOST#0@1", "EvLOST#1@2", "EvLOST#2@1", "EvLOST#3@2"})
	if fmt.Sprint(got) != want {
		t.Errorf("deliveries = %v, want %s", got, want)
	}
}

// Ensure slash commands and interactions are never redelivered: Slack
// shows the user an error instead.
func TestCommandsAndInteractionsNotRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{EventAckTimeout: 20 * time.Millisecond, EventRetryDelays: []time.Duration{0, 0, 0}})
	srv.AddChannel("C1", "general", false)
	ctx := testContext(t)
	startBots(t, ctx, srv, swallow, swallow)

	send := map[string]func(context.Context) (slacktest.Ack, error){
		"slash_commands": func(ctx context.Context) (slacktest.Ack, error) {
			return srv.SlashCommand(ctx, slack.SlashCommand{Command: "/kudos", UserID: "U1", ChannelID: "C1"})
		},
		"interactive": func(ctx context.Context) (slacktest.Ack, error) {
			return srv.Interaction(ctx, map[string]any{"type": "shortcut", "callback_id": "give_kudos", "user": map[string]any{"id": "U1"}})
		},
	}
	for typ, f := range send {
		// Ten times the event ack timeout: an event would have been retried.
		wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		_, err := f(wctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s acked by nobody: err = %v, want context.DeadlineExceeded", typ, err)
		}
		n := 0
		for _, d := range srv.Deliveries() {
			if d.Type == typ {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s delivered %d times, want once", typ, n)
		}
	}
}

// Ensure closing a connection moves its unacked events to another one at
// once, without waiting for their ack timeout.
func TestClosedConnectionMovesUnackedEvents(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{EventAckTimeout: time.Hour})
	ctx := testContext(t)
	bots := startBots(t, ctx, srv, swallow, nil)

	type result struct {
		ack slacktest.Ack
		err error
	}
	done := make(chan result, 1)
	go func() {
		ack, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention"}, EventID: "EvMOVED"})
		done <- result{ack, err}
	}()
	bots[0].envelopes(t, ctx, 1) // on connection 1, unacked
	if !srv.DropConnection(1) {
		t.Fatal("connection 1 was not open")
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	moved := bots[1].envelopes(t, ctx, 1)[0]
	if eventID(moved) != "EvMOVED" || moved.Request.RetryAttempt != 1 || r.ack.Conn != 2 {
		t.Errorf("connection 2 got event %s attempt %d, ack on %d; want EvMOVED attempt 1 acked on 2",
			eventID(moved), moved.Request.RetryAttempt, r.ack.Conn)
	}
}

// Ensure an app gets at most ten open connections: the eleventh socket is
// told too_many_websockets and closed, and a slot freed by a closed socket
// can be used again.
func TestEleventhConnectionRefused(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	ctx := testContext(t)
	api := newAPI(srv)
	dial := func() (*websocket.Conn, map[string]any) {
		t.Helper()
		_, url, err := api.StartSocketModeContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ws, resp, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		t.Cleanup(func() { _ = ws.Close() })
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("first frame: %v", err)
		}
		var frame map[string]any
		if err := json.Unmarshal(data, &frame); err != nil {
			t.Fatal(err)
		}
		return ws, frame
	}
	var open []*websocket.Conn
	for i := range slacktest.MaxConnections {
		ws, frame := dial()
		if frame["type"] != "hello" || frame["num_connections"] != float64(i+1) {
			t.Fatalf("connection %d: first frame %v, want hello with num_connections %d", i+1, frame, i+1)
		}
		open = append(open, ws)
	}
	ws, frame := dial()
	if frame["type"] != "disconnect" || frame["reason"] != "too_many_websockets" {
		t.Errorf("11th connection: first frame %v, want disconnect too_many_websockets", frame)
	}
	if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
		t.Errorf("11th connection after the disconnect frame: %v, want closed", err)
	}
	if n := len(srv.OpenConnections()); n != slacktest.MaxConnections || srv.Refused() != 1 {
		t.Errorf("open connections %d, refused %d; want 10 and 1", n, srv.Refused())
	}

	_ = open[0].Close()
	if _, err := srv.WaitOpenConnections(ctx, slacktest.MaxConnections-1); err != nil {
		t.Fatal(err)
	}
	if _, frame := dial(); frame["type"] != "hello" {
		t.Errorf("connection after one closed: first frame %v, want hello", frame)
	}
}

// Ensure a lost ack gets the event retried on the other connection, though
// the first client did receive it.
func TestLostAckRetriedOnAnotherConnection(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{EventAckTimeout: 50 * time.Millisecond, EventRetryDelays: []time.Duration{0, 0, 0}})
	ctx := testContext(t)
	bots := startBots(t, ctx, srv, nil, nil)
	srv.LoseAcks(1)

	ack, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention"}, EventID: "EvLOSTACK"})
	if err != nil {
		t.Fatal(err)
	}
	first, retry := bots[0].envelopes(t, ctx, 1)[0], bots[1].envelopes(t, ctx, 1)[0]
	if eventID(first) != "EvLOSTACK" || eventID(retry) != "EvLOSTACK" || retry.Request.RetryAttempt != 1 {
		t.Errorf("got event %s then %s (attempt %d), want EvLOSTACK on both, the second as retry 1",
			eventID(first), eventID(retry), retry.Request.RetryAttempt)
	}
	if ack.Conn != 2 {
		t.Errorf("acked on connection %d, want 2 (the first ack was lost)", ack.Conn)
	}
}
