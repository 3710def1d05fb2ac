package slacktest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// maxAckSize is Slack's limit for a Socket Mode ack frame; larger frames
// are silently dropped.
const maxAckSize = 20 * 1024

// Ack is the bot's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID string
	// Payload is the ack's payload, nil when it had none (or null).
	Payload json.RawMessage
	At      time.Time
	// Conn is the connection the ack came on (see Delivery.Conn).
	Conn int
}

// Delivery is one envelope written to a socket.
type Delivery struct {
	EnvelopeID string
	Type       string
	// EventID is the event_id of an Events API envelope, "" for others.
	EventID      string
	RetryAttempt int
	RetryReason  string
	// Conn numbers the connection the envelope went to: 1 for the first
	// socket that connected to this server, 2 for the second, and so on.
	Conn int
	At   time.Time
}

// Envelope is a Socket Mode frame for Server.Send. SlashCommand, Event and
// Interaction build these for you; Send is for full control, e.g. re-sending
// an envelope with the same ID.
type Envelope struct {
	// Type is "events_api", "slash_commands", "interactive", or anything
	// else to test the client's handling of unknown types.
	Type string
	// EnvelopeID defaults to a fresh UUID.
	EnvelopeID string
	// Payload is marshalled to JSON; json.RawMessage and []byte are sent
	// as is.
	Payload                any
	AcceptsResponsePayload bool
	RetryAttempt           int
	RetryReason            string
}

// EventOptions describes an Events API delivery for Server.Event.
type EventOptions struct {
	// Event is the inner event: a map, a struct or JSON (json.RawMessage or
	// []byte). It must have a "type". "event_ts" is added when missing.
	Event any
	// EventID defaults to a fresh "Ev…" ID. Reuse one to simulate a
	// redelivery.
	EventID string
	// EnvelopeID defaults to a fresh UUID.
	EnvelopeID   string
	RetryAttempt int
	RetryReason  string
}

// envelopeInfo remembers what a slash-command envelope was about, so an
// ack payload can be shown as a message like Slack does.
type envelopeInfo struct {
	channel string
	user    string
	acked   bool
}

// sockConn is one Socket Mode websocket. The flags are guarded by
// Server.mu; writes by wmu (gorilla allows one concurrent writer, plus
// WriteControl and Close from anywhere).
type sockConn struct {
	id       int
	ws       *websocket.Conn
	wmu      sync.Mutex
	gone     chan struct{} // closed when the read loop ends
	ready    bool          // hello sent
	draining bool          // disconnect sent or dropped: no new envelopes
	dead     bool          // read loop ended
}

func (c *sockConn) write(frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  32 * 1024,
	WriteBufferSize: 32 * 1024,
	CheckOrigin:     func(*http.Request) bool { return true },
}

// spawn runs f in a goroutine that Close waits for. It reports false (and
// does not run f) once Close has begun.
func (s *Server) spawn(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// handleLink serves the Socket Mode websocket. The handshake is recorded
// as a call with Method "link" (faults can be injected on it).
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	call, _, _ := s.readCall(r, "link")
	if s.serveFault(w, r, call) {
		return
	}
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	used, issued := s.tickets[ticket]
	if issued && !used {
		s.tickets[ticket] = true
	}
	s.mu.Unlock()
	s.record(call)
	if !issued || used {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Debug("websocket upgrade failed", "err", err)
		return
	}
	ws.SetReadLimit(1 << 20)

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	open := 0
	for _, x := range s.conns {
		if !x.dead {
			open++
		}
	}
	if open >= MaxConnections {
		s.refused++
		s.notifyLocked()
		s.mu.Unlock()
		s.refuse(ws)
		return
	}
	s.connSeq++
	c := &sockConn{id: s.connSeq, ws: ws, gone: make(chan struct{})}
	s.conns = append(s.conns, c)
	open++
	s.mu.Unlock()
	defer s.dropConn(c)

	hello, _ := json.Marshal(reply{
		"type":            "hello",
		"num_connections": open,
		"connection_info": reply{"app_id": s.opts.AppID},
		"debug_info":      reply{"host": "fake", "build_number": 1, "approximate_connection_time": 18060},
	})
	if err := c.write(hello); err != nil {
		return
	}
	s.mu.Lock()
	c.ready = true
	s.totalConns++
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Debug("socket connected", "conn", c.id)

	s.spawn(func() { s.ping(c) })
	s.readAcks(c)
}

// refuse tells a socket beyond MaxConnections what Slack tells it, a
// disconnect frame with reason "too_many_websockets" and no hello, and
// closes it.
func (s *Server) refuse(ws *websocket.Conn) {
	defer ws.Close()
	frame, _ := json.Marshal(reply{"type": "disconnect", "reason": "too_many_websockets", "debug_info": reply{"host": "fake"}})
	deadline := time.Now().Add(time.Second)
	if err := ws.SetWriteDeadline(deadline); err != nil {
		return
	}
	if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		return
	}
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "too_many_websockets"), deadline)
	s.log.Debug("socket refused: too many websockets")
}

// dropConn forgets a socket whose read loop has ended.
func (s *Server) dropConn(c *sockConn) {
	_ = c.ws.Close()
	s.mu.Lock()
	c.dead = true
	close(c.gone)
	for i, x := range s.conns {
		if x == c {
			s.conns = append(s.conns[:i], s.conns[i+1:]...)
			break
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Debug("socket closed", "conn", c.id)
}

// ping sends PING control frames every PingInterval unless StopPings.
func (s *Server) ping(c *sockConn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-c.gone:
			return
		case <-t.C:
		}
		s.mu.Lock()
		stopped := s.stopPings
		s.mu.Unlock()
		if stopped {
			continue
		}
		if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)); err != nil {
			return
		}
	}
}

// readAcks reads frames from the bot until the socket fails.
func (s *Server) readAcks(c *sockConn) {
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if typ != websocket.TextMessage {
			continue
		}
		if len(data) >= maxAckSize {
			s.log.Warn("ack of 20 KB or more dropped, as Slack does", "conn", c.id, "bytes", len(data))
			continue
		}
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(data, &a); err != nil || a.EnvelopeID == "" {
			s.log.Warn("unreadable frame from client", "conn", c.id, "err", err)
			continue
		}
		ack := Ack{EnvelopeID: a.EnvelopeID, At: s.now(), Conn: c.id}
		if len(a.Payload) > 0 && string(a.Payload) != "null" {
			ack.Payload = append(json.RawMessage(nil), a.Payload...)
		}
		s.mu.Lock()
		if s.loseAcks > 0 {
			s.loseAcks--
			s.mu.Unlock()
			s.log.Debug("ack lost", "envelope_id", a.EnvelopeID, "conn", c.id)
			continue
		}
		s.acks = append(s.acks, ack)
		if info, ok := s.envelopes[a.EnvelopeID]; ok && !info.acked {
			info.acked = true
			s.envelopes[a.EnvelopeID] = info
			s.showAckPayloadLocked(info, ack.Payload)
		}
		s.notifyLocked()
		s.mu.Unlock()
		s.log.Debug("envelope acked", "envelope_id", a.EnvelopeID, "conn", c.id)
	}
}

// showAckPayloadLocked turns a slash-command ack payload into the message
// Slack would show: ephemeral to the invoker unless response_type is
// in_channel.
func (s *Server) showAckPayloadLocked(info envelopeInfo, payload json.RawMessage) {
	if payload == nil {
		return
	}
	var body struct {
		Text         string          `json:"text"`
		Blocks       json.RawMessage `json:"blocks"`
		ResponseType string          `json:"response_type"`
	}
	if json.Unmarshal(payload, &body) != nil {
		return
	}
	blocks, n, valid := jsonArray(string(body.Blocks))
	if !valid || (body.Text == "" && n == 0) {
		return
	}
	m := Message{Channel: info.channel, Text: body.Text}
	if n > 0 {
		m.Blocks = blocks
	}
	if body.ResponseType != "in_channel" {
		m.Ephemeral, m.User = true, info.user
	}
	s.postLocked(m)
}

// usableLocked reports whether c can take envelopes.
func usableLocked(c *sockConn) bool { return c.ready && !c.draining && !c.dead }

// currentLocked returns the newest socket that can take envelopes, or nil.
func (s *Server) currentLocked() *sockConn {
	for i := len(s.conns) - 1; i >= 0; i-- {
		if c := s.conns[i]; usableLocked(c) {
			return c
		}
	}
	return nil
}

// pickLocked chooses the socket for the next envelope, or nil when none
// can take it. Slack sends each envelope to any one of the app's open
// connections; the fake takes them in turn (the next connection after the
// one that took the last envelope), so a test sees every connection used
// and the same sequence on every run. avoid names a connection to pass
// over when another one can take the envelope: a retry goes elsewhere.
func (s *Server) pickLocked(avoid int) *sockConn {
	if s.opts.PinNewest {
		return s.currentLocked()
	}
	var first, next, fallback *sockConn
	for _, c := range s.conns { // oldest (lowest id) first
		if !usableLocked(c) {
			continue
		}
		if c.id == avoid {
			fallback = c
			continue
		}
		if first == nil {
			first = c
		}
		if next == nil && c.id > s.lastConn {
			next = c
		}
	}
	switch {
	case next != nil:
		return next
	case first != nil:
		return first
	}
	return fallback
}

// socket waits for a socket that can take an envelope, and takes it.
func (s *Server) socket(ctx context.Context, avoid int) (*sockConn, error) {
	var c *sockConn
	err := s.waitFor(ctx, func() bool {
		c = s.pickLocked(avoid)
		if c != nil {
			s.lastConn = c.id
		}
		return c != nil
	})
	return c, err
}

// WaitConnected waits until a socket is open, its hello sent, and it can
// take envelopes (it is not being disconnected).
func (s *Server) WaitConnected(ctx context.Context) error {
	err := s.waitFor(ctx, func() bool { return s.currentLocked() != nil })
	if err != nil {
		return fmt.Errorf("slacktest: wait for a socket: %w", err)
	}
	return nil
}

// Connections returns how many sockets have been opened (hello sent) so
// far, including closed ones.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totalConns
}

// WaitConnections waits until at least n sockets have been opened in total.
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	err := s.waitFor(ctx, func() bool { return s.totalConns >= n })
	if err != nil {
		return fmt.Errorf("slacktest: wait for %d connections (have %d): %w", n, s.Connections(), err)
	}
	return nil
}

// OpenConnections returns the numbers (see Delivery.Conn) of the sockets
// that can take envelopes now: hello sent, not closed, not being
// disconnected. Oldest first.
func (s *Server) OpenConnections() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.openLocked()
}

func (s *Server) openLocked() []int {
	var ids []int
	for _, c := range s.conns {
		if usableLocked(c) {
			ids = append(ids, c.id)
		}
	}
	return ids
}

// WaitOpenConnections waits until exactly n sockets can take envelopes,
// and returns their numbers, oldest first.
func (s *Server) WaitOpenConnections(ctx context.Context, n int) ([]int, error) {
	var ids []int
	err := s.waitFor(ctx, func() bool {
		ids = s.openLocked()
		return len(ids) == n
	})
	if err != nil {
		return nil, fmt.Errorf("slacktest: wait for %d open connections (have %v): %w", n, ids, err)
	}
	return ids, nil
}

// Refused returns how many sockets were refused because MaxConnections
// were open.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Deliveries returns every envelope written to a socket, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// WaitDelivery returns the first delivery for which match returns true,
// made already or in the future.
func (s *Server) WaitDelivery(ctx context.Context, match func(Delivery) bool) (Delivery, error) {
	var got Delivery
	err := s.waitFor(ctx, func() bool {
		for _, d := range s.deliveries {
			if match(d) {
				got = d
				return true
			}
		}
		return false
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("slacktest: wait for a delivery: %w", err)
	}
	return got, nil
}

// Acks returns every ack received, in arrival order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// WaitAck returns the first ack for envelopeID, received already or in
// the future.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	var got Ack
	err := s.waitFor(ctx, func() bool {
		for _, a := range s.acks {
			if a.EnvelopeID == envelopeID {
				got = a
				return true
			}
		}
		return false
	})
	if err != nil {
		return Ack{}, fmt.Errorf("slacktest: wait for ack of %s: %w", envelopeID, err)
	}
	return got, nil
}

// LoseAcks makes the next n acks from any socket vanish on the way, as
// if the network lost them: Slack never learns of them, so it retries an
// event the bot has already received.
func (s *Server) LoseAcks(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseAcks += n
}

// StopPings stops (true) or resumes (false) the PING frames on every
// socket. slack-go reconnects when it sees no ping for its
// OptionPingInterval.
func (s *Server) StopPings(stop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopPings = stop
}

// take marks the socket numbered id (0: the newest one that can take
// envelopes) as draining and returns it, or nil when there is none.
func (s *Server) take(id int) *sockConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c *sockConn
	if id == 0 {
		c = s.currentLocked()
	} else {
		for _, x := range s.conns {
			if x.id == id && !x.dead {
				c = x
			}
		}
	}
	if c != nil {
		c.draining = true
		s.notifyLocked()
	}
	return c
}

// Disconnect sends {"type":"disconnect","reason":reason} on the newest
// socket, as Slack does before recycling a connection, and closes the
// socket once the client has closed it or after Options.DisconnectGrace. No
// new envelope goes to that socket. It does nothing when no socket is open.
func (s *Server) Disconnect(reason string) {
	c := s.take(0)
	if c == nil {
		s.log.Debug("disconnect: no socket")
		return
	}
	frame, _ := json.Marshal(reply{"type": "disconnect", "reason": reason, "debug_info": reply{"host": "fake"}})
	if err := c.write(frame); err != nil {
		_ = c.ws.Close()
		return
	}
	s.log.Debug("disconnect sent", "conn", c.id, "reason", reason)
	if !s.spawn(func() {
		t := time.NewTimer(s.opts.DisconnectGrace)
		defer t.Stop()
		select {
		case <-c.gone:
		case <-t.C:
		case <-s.done:
		}
		_ = c.ws.Close()
	}) {
		_ = c.ws.Close()
	}
}

// DropSocket closes the newest socket's TCP connection without a message,
// like a network failure. It does nothing when no socket is open.
func (s *Server) DropSocket() {
	if c := s.take(0); c != nil {
		_ = c.ws.Close()
		s.log.Debug("socket dropped", "conn", c.id)
	}
}

// DropConnection closes the TCP connection of the socket numbered id (see
// Delivery.Conn) without a message. Unacked events sent on it are
// redelivered on another connection. It reports whether that socket was
// still open.
func (s *Server) DropConnection(id int) bool {
	c := s.take(id)
	if c == nil {
		return false
	}
	_ = c.ws.Close()
	s.log.Debug("socket dropped", "conn", c.id)
	return true
}

// SendRaw sends frame as a text message on an open socket, waiting
// (bounded by ctx) for one. Nothing waits for an ack.
func (s *Server) SendRaw(ctx context.Context, frame []byte) error {
	for {
		c, err := s.socket(ctx, 0)
		if err != nil {
			return fmt.Errorf("slacktest: send raw frame: wait for a socket: %w", err)
		}
		if err := c.write(frame); err != nil {
			s.markDraining(c)
			continue
		}
		return nil
	}
}

func (s *Server) markDraining(c *sockConn) {
	s.mu.Lock()
	c.draining = true
	s.notifyLocked()
	s.mu.Unlock()
}

// errAckTimeout ends one attempt whose ack did not come in time.
var errAckTimeout = errors.New("slacktest: no ack in time")

// Send delivers env on an open socket, waiting (bounded by ctx) for a
// socket if none is open, as Slack queues deliveries, and returns the bot's
// ack.
//
// An Events API envelope ("events_api") is retried as Slack retries it:
// when it is not acked within Options.EventAckTimeout, or its socket closes
// first, the event is sent again after the next of Options.EventRetryDelays
// in a new envelope (new envelope_id, same payload and event_id,
// retry_attempt one higher, retry_reason "timeout"), on another connection
// when one is open. An ack of any attempt ends it; when the last retry
// fails too, Send returns an error wrapping ErrNotAcked.
//
// Slash commands and interactions are never retried, as on Slack: Send
// waits for their ack until ctx ends, and returns an error wrapping
// ErrSocketClosed if their socket closes first; the test may send them
// again.
func (s *Server) Send(ctx context.Context, env Envelope) (Ack, error) {
	if env.EnvelopeID == "" {
		env.EnvelopeID = newUUID()
	}
	payload, err := rawJSON(env.Payload)
	if err != nil {
		return Ack{}, fmt.Errorf("slacktest: envelope payload: %w", err)
	}
	env.Payload = payload
	if env.Type == "slash_commands" {
		var cmd struct {
			ChannelID string `json:"channel_id"`
			UserID    string `json:"user_id"`
		}
		if json.Unmarshal(payload, &cmd) == nil {
			s.mu.Lock()
			s.envelopes[env.EnvelopeID] = envelopeInfo{channel: cmd.ChannelID, user: cmd.UserID}
			s.mu.Unlock()
		}
	}
	if env.Type != "events_api" || s.opts.NoEventRetries {
		ack, _, err := s.deliver(ctx, env, []string{env.EnvelopeID}, 0, 0)
		return ack, err
	}
	var eventID struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(payload, &eventID) // a payload without one is still delivered
	var ids []string                      // every attempt's envelope ID: an ack of any ends the delivery
	avoid := 0
	for {
		ids = append(ids, env.EnvelopeID)
		ack, conn, err := s.deliver(ctx, env, ids, avoid, s.opts.EventAckTimeout)
		if err == nil {
			return ack, nil
		}
		if !errors.Is(err, errAckTimeout) && !errors.Is(err, ErrSocketClosed) {
			return Ack{}, err
		}
		if env.RetryAttempt >= len(s.opts.EventRetryDelays) {
			return Ack{}, fmt.Errorf("slacktest: event %s (envelope %s, retry %d): %w", eventID.EventID, env.EnvelopeID, env.RetryAttempt, ErrNotAcked)
		}
		if d := s.opts.EventRetryDelays[env.RetryAttempt]; d > 0 {
			if ack, ok, err := s.waitAcks(ctx, ids, d); ok || err != nil {
				return ack, err
			}
		}
		s.log.Debug("event not acked; retrying", "event_id", eventID.EventID, "envelope_id", env.EnvelopeID, "conn", conn, "err", err)
		avoid = conn
		env.EnvelopeID = newUUID()
		env.RetryAttempt++
		env.RetryReason = "timeout"
	}
}

// frameOf encodes env as the frame Slack writes. env.Payload is JSON.
func frameOf(env Envelope) ([]byte, error) {
	frame := reply{
		"envelope_id":              env.EnvelopeID,
		"type":                     env.Type,
		"accepts_response_payload": env.AcceptsResponsePayload,
		"payload":                  env.Payload,
	}
	if env.Type == "events_api" || env.RetryAttempt != 0 || env.RetryReason != "" {
		frame["retry_attempt"] = env.RetryAttempt
		frame["retry_reason"] = env.RetryReason
	}
	b, err := json.Marshal(frame)
	if err != nil {
		return nil, fmt.Errorf("slacktest: envelope: %w", err)
	}
	return b, nil
}

// ackOfLocked returns the first ack at or after acks[start] for one of ids.
func (s *Server) ackOfLocked(start int, ids []string) (Ack, bool) {
	for _, a := range s.acks[start:] {
		for _, id := range ids {
			if a.EnvelopeID == id {
				return a, true
			}
		}
	}
	return Ack{}, false
}

// waitAcks waits up to d for an ack of one of ids, received already or in
// the future. It reports false with a nil error when d passed.
func (s *Server) waitAcks(ctx context.Context, ids []string, d time.Duration) (Ack, bool, error) {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var ack Ack
	var ok bool
	err := s.waitFor(wctx, func() bool {
		ack, ok = s.ackOfLocked(0, ids)
		return ok
	})
	switch {
	case ok:
		return ack, true, nil
	case ctx.Err() != nil:
		return Ack{}, false, fmt.Errorf("slacktest: envelope %s, no ack: %w", ids[len(ids)-1], ctx.Err())
	case errors.Is(err, ErrClosed):
		return Ack{}, false, err
	}
	return Ack{}, false, nil
}

// deliver writes env to an open socket (another than avoid when it can)
// and waits for an ack of one of ids (env.EnvelopeID among them). With a
// timeout > 0 it gives up after that long with errAckTimeout. It returns
// the number of the socket used.
func (s *Server) deliver(ctx context.Context, env Envelope, ids []string, avoid int, timeout time.Duration) (Ack, int, error) {
	id := env.EnvelopeID
	frame, err := frameOf(env)
	if err != nil {
		return Ack{}, 0, err
	}
	var eventID string
	if env.Type == "events_api" {
		var p struct {
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(env.Payload.(json.RawMessage), &p)
		eventID = p.EventID
	}
	for {
		c, err := s.socket(ctx, avoid)
		if err != nil {
			return Ack{}, 0, fmt.Errorf("slacktest: envelope %s: wait for a socket: %w", id, err)
		}
		s.mu.Lock()
		start := len(s.acks)
		s.mu.Unlock()
		if err := c.write(frame); err != nil {
			s.markDraining(c) // never reached the bot: try the next socket
			continue
		}
		s.mu.Lock()
		s.deliveries = append(s.deliveries, Delivery{EnvelopeID: id, Type: env.Type, EventID: eventID,
			RetryAttempt: env.RetryAttempt, RetryReason: env.RetryReason, Conn: c.id, At: s.now()})
		s.notifyLocked()
		s.mu.Unlock()
		s.log.Debug("envelope sent", "envelope_id", id, "conn", c.id)
		wctx := ctx
		if timeout > 0 {
			var cancel context.CancelFunc
			wctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		var ack Ack
		acked, closed := false, false
		err = s.waitFor(wctx, func() bool {
			ack, acked = s.ackOfLocked(start, ids)
			closed = c.dead
			return acked || closed
		})
		switch {
		case acked:
			return ack, c.id, nil
		case closed:
			return Ack{}, c.id, fmt.Errorf("slacktest: envelope %s on socket %d: %w", id, c.id, ErrSocketClosed)
		case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
			return Ack{}, c.id, fmt.Errorf("slacktest: envelope %s on socket %d: %w", id, c.id, errAckTimeout)
		}
		return Ack{}, c.id, fmt.Errorf("slacktest: envelope %s sent on socket %d, no ack: %w", id, c.id, err)
	}
}

// SlashCommand delivers a slash command and returns the bot's ack. Empty
// team_id, api_app_id, trigger_id and response_url are filled in; the
// response_url leads back to this server (see Call "response_url"). An ack
// payload with text or blocks is shown as a message in the command's
// channel (ephemeral to the invoker unless response_type is in_channel), as
// Slack does.
func (s *Server) SlashCommand(ctx context.Context, cmd slack.SlashCommand) (Ack, error) {
	s.mu.Lock()
	if cmd.TeamID == "" {
		cmd.TeamID = s.opts.TeamID
	}
	if cmd.APIAppID == "" {
		cmd.APIAppID = s.opts.AppID
	}
	if cmd.TriggerID == "" {
		cmd.TriggerID = s.issueTriggerLocked(cmd.UserID)
	}
	if cmd.ResponseURL == "" {
		cmd.ResponseURL = s.issueResponseURLLocked(responseTarget{channel: cmd.ChannelID, user: cmd.UserID})
	}
	s.ensureChannelLocked(cmd.ChannelID, cmd.UserID)
	s.mu.Unlock()
	return s.Send(ctx, Envelope{Type: "slash_commands", Payload: cmd, AcceptsResponsePayload: true})
}

// Event delivers an Events API event wrapped in its event_callback, as
// slack-go parses it, and returns the bot's ack. A string "channel" field
// of the event is registered as a conversation the bot can answer in.
func (s *Server) Event(ctx context.Context, ev EventOptions) (Ack, error) {
	inner, err := toObject(ev.Event)
	if err != nil {
		return Ack{}, fmt.Errorf("slacktest: event: %w", err)
	}
	if t, _ := inner["type"].(string); t == "" {
		return Ack{}, errors.New("slacktest: event has no type")
	}
	s.mu.Lock()
	if _, ok := inner["event_ts"]; !ok {
		inner["event_ts"] = s.nextTSLocked()
	}
	ch, _ := inner["channel"].(string)
	user, _ := inner["user"].(string)
	s.ensureChannelLocked(ch, user)
	if ev.EventID == "" {
		s.idSeq++
		ev.EventID = fmt.Sprintf("Ev%010X", s.idSeq)
	}
	s.mu.Unlock()
	payload := reply{
		"token":      "fake-verification-token",
		"team_id":    s.opts.TeamID,
		"api_app_id": s.opts.AppID,
		"event":      inner,
		"type":       "event_callback",
		"event_id":   ev.EventID,
		"event_time": s.now().Unix(),
		"authorizations": []reply{{
			"enterprise_id": nil, "team_id": s.opts.TeamID, "user_id": s.opts.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-fake-" + ev.EventID,
	}
	return s.Send(ctx, Envelope{Type: "events_api", EnvelopeID: ev.EnvelopeID, Payload: payload,
		RetryAttempt: ev.RetryAttempt, RetryReason: ev.RetryReason})
}

// ChangeUser replaces u in the team directory (as AddUser does), so that
// users.info and users.list answer with the new profile from now on, and
// delivers the user_change event Slack sends for the change: the user
// object of users.info without locale, which Slack adds only on request.
// It returns the bot's ack.
func (s *Server) ChangeUser(ctx context.Context, u User) (Ack, error) {
	s.AddUser(u)
	s.mu.Lock()
	obj := s.userJSON(s.users[u.ID])
	s.mu.Unlock()
	delete(obj, "locale")
	return s.Event(ctx, EventOptions{Event: reply{
		"type":     "user_change",
		"user":     obj,
		"cache_ts": s.now().Unix(),
	}})
}

// JoinTeam adds u to the team directory, as someone who just joined the
// workspace, and delivers the team_join event Slack sends for it: the
// user object of users.info without locale. It returns the bot's ack.
func (s *Server) JoinTeam(ctx context.Context, u User) (Ack, error) {
	s.AddUser(u)
	s.mu.Lock()
	obj := s.userJSON(s.users[u.ID])
	s.mu.Unlock()
	delete(obj, "locale")
	return s.Event(ctx, EventOptions{Event: reply{"type": "team_join", "user": obj}})
}

// Interaction delivers an interactive payload (block_actions,
// view_submission, shortcut, …) given as JSON (json.RawMessage or []byte),
// a map, or a struct such as slack.InteractionCallback, and returns the
// bot's ack. It must have a "type". Missing api_app_id, team and trigger_id
// are filled in, and a response_url leading back to this server is added
// where Slack sends one: not for interactions from a view (Home tab or
// modal: container.type "view", view_submission, view_closed), nor for
// global shortcuts or block_suggestion.
func (s *Server) Interaction(ctx context.Context, cb any) (Ack, error) {
	m, err := toObject(cb)
	if err != nil {
		return Ack{}, fmt.Errorf("slacktest: interaction: %w", err)
	}
	typ, _ := m["type"].(string)
	if typ == "" {
		return Ack{}, errors.New("slacktest: interaction has no type")
	}
	container, _ := m["container"].(map[string]any)
	channelObj, _ := m["channel"].(map[string]any)
	userObj, _ := m["user"].(map[string]any)
	message, _ := m["message"].(map[string]any)
	str := func(obj map[string]any, k string) string { v, _ := obj[k].(string); return v }

	channelID := str(channelObj, "id")
	if channelID == "" {
		channelID = str(container, "channel_id")
	}
	userID := str(userObj, "id")
	originalTS := str(container, "message_ts")
	if originalTS == "" {
		originalTS = str(message, "ts")
	}
	fromView := str(container, "type") == "view"
	switch typ {
	case "view_submission", "view_closed", "shortcut", "block_suggestion":
		fromView = true
	}

	s.mu.Lock()
	if str(m, "api_app_id") == "" {
		m["api_app_id"] = s.opts.AppID
	}
	if team, _ := m["team"].(map[string]any); str(team, "id") == "" {
		m["team"] = map[string]any{"id": s.opts.TeamID, "domain": "fake"}
	}
	if str(m, "trigger_id") == "" && typ != "view_closed" && typ != "block_suggestion" {
		m["trigger_id"] = s.issueTriggerLocked(userID)
	}
	if str(m, "response_url") == "" && !fromView && channelID != "" {
		m["response_url"] = s.issueResponseURLLocked(responseTarget{channel: channelID, user: userID, originalTS: originalTS})
	}
	s.ensureChannelLocked(channelID, userID)
	s.mu.Unlock()
	return s.Send(ctx, Envelope{Type: "interactive", Payload: m, AcceptsResponsePayload: true})
}

// issueTriggerLocked returns a fresh trigger_id for views.open.
func (s *Server) issueTriggerLocked(user string) string {
	s.triggerSeq++
	id := fmt.Sprintf("%d.%s.%s", 1000000+s.triggerSeq, s.opts.TeamID, randomHex(16))
	s.triggers[id] = triggerInfo{at: s.now(), user: user}
	return id
}

// issueResponseURLLocked returns a fresh response_url for t.
func (s *Server) issueResponseURLLocked(t responseTarget) string {
	s.respSeq++
	n := strconv.FormatInt(s.respSeq, 10)
	s.responses[n] = t
	return s.base + "response/" + n
}

// toObject converts v to a JSON object, keeping numbers exact.
func toObject(v any) (map[string]any, error) {
	b, err := rawJSON(v)
	if err != nil {
		return nil, err
	}
	return decodeObject(b)
}

// rawJSON marshals v; json.RawMessage and []byte are taken as JSON already,
// and slack.InteractionCallback is marshalled through its pointer method.
func rawJSON(v any) (json.RawMessage, error) {
	switch x := v.(type) {
	case json.RawMessage:
		if !json.Valid(x) {
			return nil, errors.New("invalid JSON")
		}
		return x, nil
	case []byte:
		if !json.Valid(x) {
			return nil, errors.New("invalid JSON")
		}
		return x, nil
	case slack.InteractionCallback:
		return json.Marshal(&x)
	default:
		return json.Marshal(v)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random version-4 UUID, the shape of Slack's envelope
// IDs.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
