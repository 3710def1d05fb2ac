package slacktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// bot is a minimal Socket Mode consumer built on the real slack-go client.
type bot struct {
	api    *slack.Client
	client *socketmode.Client
	events chan socketmode.Event // everything the client emitted
}

// startBot runs a socketmode client against srv until the test ends.
// handle is called for every event in the client's loop before the event is
// forwarded to bot.events; by default envelopes are acked without payload.
func startBot(t *testing.T, srv *slacktest.Server, handle func(*bot, socketmode.Event), opts ...socketmode.Option) *bot {
	t.Helper()
	api := newAPI(srv)
	b := &bot{api: api, client: socketmode.New(api, opts...), events: make(chan socketmode.Event, 1000)}
	if handle == nil {
		handle = func(b *bot, evt socketmode.Event) { b.ack(evt, nil) }
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- b.client.RunContext(ctx) }()
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-b.client.Events:
				handle(b, evt)
				select {
				case b.events <- evt:
				default:
					t.Errorf("event buffer full; dropped %s", evt.Type)
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-runDone; !errors.Is(err, context.Canceled) {
			t.Errorf("RunContext = %v, want context.Canceled", err)
		}
		<-loopDone
	})
	return b
}

// ack acks evt when it carries an envelope.
func (b *bot) ack(evt socketmode.Event, payload any) {
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return
	}
	if err := b.client.Ack(*evt.Request, payload); err != nil {
		panic(err)
	}
}

// waitEvent returns the next event of type typ, skipping others.
func (b *bot) waitEvent(t *testing.T, ctx context.Context, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	for {
		select {
		case evt := <-b.events:
			if evt.Type == typ {
				return evt
			}
		case <-ctx.Done():
			t.Fatalf("no %s event: %v", typ, ctx.Err())
		}
	}
}

func TestSocketModeHello(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	ctx := testContext(t)
	b := startBot(t, srv, nil)

	b.waitEvent(t, ctx, socketmode.EventTypeConnected)
	hello := b.waitEvent(t, ctx, socketmode.EventTypeHello)
	if hello.Request == nil || hello.Request.NumConnections != 1 || hello.Request.ConnectionInfo.AppID != "A0001" {
		t.Errorf("hello = %+v, want num_connections 1 and app A0001", hello.Request)
	}
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("Connections() = %d, want 1", n)
	}
	if n := len(srv.CallsTo("apps.connections.open")); n != 1 {
		t.Errorf("apps.connections.open calls = %d, want 1", n)
	}
}

func TestSlashCommand(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice"})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")
	ctx := testContext(t)
	got := make(chan slack.SlashCommand, 1)
	startBot(t, srv, func(b *bot, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeSlashCommand {
			b.ack(evt, nil)
			return
		}
		cmd := evt.Data.(slack.SlashCommand)
		got <- cmd
		b.ack(evt, map[string]any{"response_type": "in_channel", "text": "kudos to <@U2>"})
	})

	ack, err := srv.SlashCommand(ctx, slack.SlashCommand{
		Command: "/kudos", Text: "<@U2> for the docs", UserID: "U1", UserName: "alice", ChannelID: "C1"})
	if err != nil {
		t.Fatalf("SlashCommand: %v", err)
	}
	cmd := <-got
	if cmd.Command != "/kudos" || cmd.Text != "<@U2> for the docs" || cmd.TeamID != "T0001" || cmd.APIAppID != "A0001" {
		t.Errorf("delivered command = %+v, want /kudos with team and app filled in", cmd)
	}
	if !strings.Contains(cmd.ResponseURL, "/response/") || cmd.TriggerID == "" {
		t.Errorf("delivered command response_url %q trigger %q, want both filled in", cmd.ResponseURL, cmd.TriggerID)
	}
	var payload struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal(ack.Payload, &payload); err != nil || payload.Text != "kudos to <@U2>" || ack.EnvelopeID == "" {
		t.Errorf("ack = %+v (%s), want the bot's payload", ack, ack.Payload)
	}
	msgs := srv.Messages("C1")
	if len(msgs) != 1 || msgs[0].Text != "kudos to <@U2>" || msgs[0].Ephemeral {
		t.Errorf("Messages(C1) = %+v, want the in_channel ack payload shown", msgs)
	}
}

func TestResponseURL(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1"})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")
	ctx := testContext(t)
	cmds := make(chan slack.SlashCommand, 1)
	b := startBot(t, srv, func(b *bot, evt socketmode.Event) {
		b.ack(evt, nil)
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			cmds <- cmd
		}
	})
	if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/coffee", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	cmd := <-cmds
	if msgs := srv.Messages("C1"); len(msgs) != 0 {
		t.Errorf("an empty ack showed messages: %+v", msgs)
	}

	_, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral),
		slack.MsgOptionText("you joined", false))
	if err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	call, err := srv.WaitForCall(ctx, "response_url", nil)
	if err != nil {
		t.Fatal(err)
	}
	if call.Params["text"] != "you joined" || call.Params["response_type"] != "ephemeral" || call.Params["replace_original"] != "false" {
		t.Errorf("response_url call params = %v", call.Params)
	}
	msgs := srv.Messages("C1")
	if len(msgs) != 1 || !msgs[0].Ephemeral || msgs[0].User != "U1" || msgs[0].Text != "you joined" {
		t.Errorf("Messages(C1) = %+v, want one ephemeral message for U1", msgs)
	}
}

func TestInteractionReplaceOriginal(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1"})
	ctx := testContext(t)
	clicks := make(chan slack.InteractionCallback, 1)
	b := startBot(t, srv, func(b *bot, evt socketmode.Event) {
		b.ack(evt, nil)
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			clicks <- cb
		}
	})
	dm, ts, err := b.api.PostMessageContext(ctx, "U1", slack.MsgOptionText("Coffee this week?", false))
	if err != nil {
		t.Fatal(err)
	}

	_, err = srv.Interaction(ctx, json.RawMessage(`{
		"type": "block_actions",
		"user": {"id": "U1", "username": "alice"},
		"container": {"type": "message", "message_ts": "`+ts+`", "channel_id": "`+dm+`", "is_ephemeral": false},
		"channel": {"id": "`+dm+`", "name": "directmessage"},
		"message": {"type": "message", "ts": "`+ts+`", "text": "Coffee this week?"},
		"actions": [{"type": "button", "action_id": "coffee_accept", "block_id": "b1", "value": "pair:42"}]
	}`))
	if err != nil {
		t.Fatalf("Interaction: %v", err)
	}
	cb := <-clicks
	if cb.ResponseURL == "" || cb.TriggerID == "" || cb.APIAppID != "A0001" || cb.Team.ID != "T0001" {
		t.Errorf("delivered interaction = response_url %q trigger %q app %q team %q, want all filled in",
			cb.ResponseURL, cb.TriggerID, cb.APIAppID, cb.Team.ID)
	}
	if len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].ActionID != "coffee_accept" {
		t.Errorf("delivered actions = %+v", cb.ActionCallback.BlockActions)
	}

	_, _, err = b.api.PostMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(cb.ResponseURL),
		slack.MsgOptionText("See you there!", false))
	if err != nil {
		t.Fatalf("replace_original: %v", err)
	}
	msgs := srv.Messages(dm)
	if len(msgs) != 1 || msgs[0].Text != "See you there!" || msgs[0].TS != ts {
		t.Errorf("Messages(%s) = %+v, want the original replaced in place", dm, msgs)
	}

	// A Home tab click carries no response_url, as on Slack.
	if _, err := srv.Interaction(ctx, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U1"},
		"container": map[string]any{"type": "view", "view_id": "V1"},
	}); err != nil {
		t.Fatal(err)
	}
	if cb := <-clicks; cb.ResponseURL != "" {
		t.Errorf("Home tab click got response_url %q, want none", cb.ResponseURL)
	}
}

func TestEventDelivery(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	ctx := testContext(t)
	b := startBot(t, srv, nil)

	ack, err := srv.Event(ctx, slacktest.EventOptions{
		Event:        map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C1", "ts": "1700000000.000100"},
		EventID:      "Ev0TEST0001",
		EnvelopeID:   "env-1",
		RetryAttempt: 1,
		RetryReason:  "timeout",
	})
	if err != nil {
		t.Fatalf("Event: %v", err)
	}
	if ack.EnvelopeID != "env-1" || ack.Payload != nil {
		t.Errorf("ack = %+v, want env-1 without payload", ack)
	}
	evt := b.waitEvent(t, ctx, socketmode.EventTypeEventsAPI)
	outer, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		t.Fatalf("events_api data is %T, want slackevents.EventsAPIEvent", evt.Data)
	}
	cb, ok := outer.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		t.Fatalf("outer data is %T, want *slackevents.EventsAPICallbackEvent", outer.Data)
	}
	if cb.EventID != "Ev0TEST0001" || cb.TeamID != "T0001" || cb.APIAppID != "A0001" || cb.EventTime == 0 ||
		len(cb.Authorizations) != 1 || cb.Authorizations[0].UserID != "UBOT" {
		t.Errorf("callback = %+v, want event_id, team, app, time and the bot's authorization", cb)
	}
	mention, ok := outer.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || mention.User != "U1" || mention.Channel != "C1" || mention.EventTimeStamp == "" {
		t.Errorf("inner event = %#v, want the app_mention with event_ts", outer.InnerEvent.Data)
	}
	if evt.Request.RetryAttempt != 1 || evt.Request.RetryReason != "timeout" || evt.Request.AcceptsResponsePayload {
		t.Errorf("request = attempt %d reason %q accepts %v, want 1 timeout false",
			evt.Request.RetryAttempt, evt.Request.RetryReason, evt.Request.AcceptsResponsePayload)
	}
	if _, err := srv.WaitAck(ctx, "env-1"); err != nil {
		t.Errorf("WaitAck(env-1): %v", err)
	}
	if acks := srv.Acks(); len(acks) != 1 {
		t.Errorf("Acks() = %+v, want 1", acks)
	}

	// The bot may now answer in the channel the event mentioned.
	if _, _, err := b.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hello", false)); err != nil {
		t.Errorf("PostMessage to the event's channel: %v", err)
	}

	if _, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"user": "U1"}}); err == nil {
		t.Errorf("Event without a type: no error")
	}
}

func TestEnvelopeWaitsForSocket(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	ctx := testContext(t)
	type result struct {
		ack slacktest.Ack
		err error
	}
	done := make(chan result, 1)
	go func() {
		ack, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "U1", "tab": "home"}})
		done <- result{ack, err}
	}()
	startBot(t, srv, nil)
	r := <-done
	if r.err != nil || r.ack.EnvelopeID == "" {
		t.Errorf("queued Event = %+v, %v, want an ack once the bot connects", r.ack, r.err)
	}
}

// reconnectTest checks that after fault the client reconnects and the next
// envelope is delivered.
func reconnectTest(t *testing.T, fault func(*slacktest.Server)) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	ctx := testContext(t)
	b := startBot(t, srv, nil)
	if err := srv.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention", "user": "U1", "channel": "C1"}}); err != nil {
		t.Fatalf("Event before the fault: %v", err)
	}

	fault(srv)
	if err := srv.WaitConnections(ctx, 2); err != nil {
		t.Fatal(err)
	}
	ack, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention", "user": "U1", "channel": "C1"}, EventID: "EvAFTER"})
	if err != nil {
		t.Fatalf("Event after reconnecting: %v", err)
	}
	if n := srv.Connections(); n != 2 {
		t.Errorf("Connections() = %d, want 2", n)
	}
	for {
		evt := b.waitEvent(t, ctx, socketmode.EventTypeEventsAPI)
		if evt.Request.EnvelopeID == ack.EnvelopeID {
			break
		}
	}
	if n := len(srv.CallsTo("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open calls = %d, want 2 (one per connection)", n)
	}
}

func TestDisconnectReconnects(t *testing.T) {
	reconnectTest(t, func(srv *slacktest.Server) { srv.Disconnect("refresh_requested") })
}

func TestDropSocketReconnects(t *testing.T) {
	reconnectTest(t, func(srv *slacktest.Server) { srv.DropSocket() })
}

func TestStopPingsReconnects(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{PingInterval: 50 * time.Millisecond})
	ctx := testContext(t)
	startBot(t, srv, nil, socketmode.OptionPingInterval(time.Second))
	if err := srv.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	srv.StopPings(true)
	if err := srv.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("no reconnect after pings stopped: %v", err)
	}
	srv.StopPings(false)
	if _, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention"}}); err != nil {
		t.Errorf("Event after ping timeout: %v", err)
	}
}

// Ensure an envelope whose socket closes before its ack is reported, so a
// test can re-send it by hand, when redelivery of events is turned off.
func TestSocketClosedBeforeAck(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{NoEventRetries: true})
	ctx := testContext(t)
	received := make(chan struct{}, 1)
	startBot(t, srv, func(b *bot, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeEventsAPI && evt.Request.RetryAttempt == 0 {
			received <- struct{}{} // swallow the first delivery
			return
		}
		b.ack(evt, nil)
	})
	errc := make(chan error, 1)
	go func() {
		_, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention"}, EventID: "EvLOST", EnvelopeID: "env-lost"})
		errc <- err
	}()
	<-received
	srv.DropSocket()
	if err := <-errc; !errors.Is(err, slacktest.ErrSocketClosed) {
		t.Fatalf("Event whose socket dropped: err = %v, want ErrSocketClosed", err)
	}
	// Redeliver, as Slack would.
	ack, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention"}, EventID: "EvLOST",
		EnvelopeID: "env-lost", RetryAttempt: 1, RetryReason: "timeout"})
	if err != nil || ack.EnvelopeID != "env-lost" {
		t.Errorf("redelivery = %+v, %v, want acked", ack, err)
	}
}

func TestSendRawBadFrame(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	ctx := testContext(t)
	b := startBot(t, srv, nil)

	if err := srv.SendRaw(ctx, []byte(`{"type": not json}`)); err != nil {
		t.Fatal(err)
	}
	b.waitEvent(t, ctx, socketmode.EventTypeIncomingError)

	bad := `{"type":"events_api","envelope_id":"env-bad","payload":{"type":"event_callback","event":{"type":"no_such_event"}}}`
	if err := srv.SendRaw(ctx, []byte(bad)); err != nil {
		t.Fatal(err)
	}
	evt := b.waitEvent(t, ctx, socketmode.EventTypeErrorBadMessage)
	if evt.Request != nil {
		t.Errorf("error_bad_message carries a request: %+v", evt.Request)
	}

	// The connection survives both.
	if _, err := srv.Event(ctx, slacktest.EventOptions{Event: map[string]any{"type": "app_mention"}}); err != nil {
		t.Errorf("Event after bad frames: %v", err)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("Connections() = %d, want 1", n)
	}
}

func TestTriggerExpiry(t *testing.T) {
	t.Parallel()
	clock := make(chan time.Time, 1)
	clock <- time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { t := <-clock; clock <- t; return t }
	advance := func(d time.Duration) { clock <- (<-clock).Add(d) }
	srv := newServer(t, slacktest.Options{Now: now})
	srv.AddChannel("C1", "general", false)
	ctx := testContext(t)
	cmds := make(chan slack.SlashCommand, 2)
	b := startBot(t, srv, func(b *bot, evt socketmode.Event) {
		b.ack(evt, nil)
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			cmds <- cmd
		}
	})
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "Kudos", false, false)}

	if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/kudos", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	cmd := <-cmds
	if _, err := b.api.OpenViewContext(ctx, cmd.TriggerID, modal); err != nil {
		t.Errorf("OpenView with a fresh trigger: %v", err)
	}

	if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/kudos", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	cmd = <-cmds
	advance(4 * time.Second)
	_, err := b.api.OpenViewContext(ctx, cmd.TriggerID, modal)
	if got := slackErr(err); got != "expired_trigger_id" {
		t.Errorf("OpenView 4s after the trigger: err = %v, want expired_trigger_id", err)
	}
}
