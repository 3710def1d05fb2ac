package slacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Errors returned by the waiting and injection methods. They are wrapped
// with context; test for them with errors.Is.
var (
	// ErrClosed is returned when the Server was closed while a method waited.
	ErrClosed = errors.New("slacktest: server closed")

	// ErrSocketClosed is returned by the envelope injection methods when the
	// socket that carried the envelope closed before the bot acked it. The
	// envelope was not acknowledged; the test may send it again (Slack would
	// redeliver an event; a slash command or click would be lost).
	ErrSocketClosed = errors.New("slacktest: socket closed before the envelope was acked")

	// ErrNotAcked is returned by Event and Send when an Events API envelope
	// and every retry of it went unacked: Slack gives up on the event.
	ErrNotAcked = errors.New("slacktest: event not acked by its last retry")
)

// MaxConnections is how many Socket Mode connections an app may have open
// at once on Slack. A websocket beyond it is told "too_many_websockets" in
// a disconnect frame, gets no hello, and is closed.
const MaxConnections = 10

// slackRetryDelays are Slack's pauses before the retries of an unacked
// event: the first comes almost at once, the second a minute later, the
// third five minutes later.
var slackRetryDelays = []time.Duration{0, time.Minute, 5 * time.Minute}

// Options configures a Server. The zero value is usable.
type Options struct {
	// BotUserID is the bot's own user ID, returned by auth.test and added to
	// every conversation the bot opens. Default "UBOT".
	BotUserID string
	// TeamID is the workspace ID. Default "T0001".
	TeamID string
	// AppID is the app ID in hello frames and payloads. Default "A0001".
	AppID string
	// BotID is the bot ID (B…) in auth.test and views. Default "B0001".
	BotID string
	// PingInterval is how often the server sends a websocket PING control
	// frame on every socket. Default 200ms. It must be well below the
	// client's socketmode.OptionPingInterval (slack-go default 30s), or the
	// client reconnects with "ping timeout".
	PingInterval time.Duration
	// TriggerTTL is how long a trigger_id issued by the fake stays valid for
	// views.open and views.push. Default 3s, as Slack; negative means
	// forever. Trigger IDs the fake did not issue are always accepted.
	TriggerTTL time.Duration
	// DisconnectGrace is how long Disconnect waits for the client to close
	// the socket before the server closes it. Default 1s.
	DisconnectGrace time.Duration
	// EventAckTimeout is how long an Events API envelope waits for its ack
	// before the fake gives up on it and redelivers the event as a retry.
	// Default 3s, as Slack.
	EventAckTimeout time.Duration
	// EventRetryDelays are the pauses before the first, second, … retry of
	// an unacked event, each counted from the failure of the attempt before
	// (its ack timeout, or its socket closing). Their number is the number
	// of retries. Default 0, 1 min, 5 min: Slack's three retries. Tests set
	// short ones.
	EventRetryDelays []time.Duration
	// NoEventRetries turns the redelivery of unacked events off: Event and
	// Send then wait (bounded by their context) for the ack of the one
	// envelope, and return ErrSocketClosed when its socket closes first.
	NoEventRetries bool
	// PinNewest sends every envelope to the newest open connection. By
	// default envelopes are spread over the open connections in turn, as
	// Slack sends each one to any of them.
	PinNewest bool
	// Now is the clock for recorded times, event_time and tz_offset.
	// Default time.Now.
	Now func() time.Time
	// Log receives debug logs of calls and socket traffic (never tokens).
	// Default: discard.
	Log *slog.Logger
}

// Call is one recorded HTTP request to the fake.
//
// Method is the Web API method name ("chat.postMessage"), or one of the
// pseudo-methods "response_url" (a post to a response_url), "upload_url" (a
// file upload to the URL from files.getUploadURLExternal) and "link" (a
// Socket Mode websocket handshake).
type Call struct {
	Method string
	// Params holds the form values (first value of each), or the top-level
	// fields of a JSON body: strings as is, other values JSON-encoded
	// ("true", "[…]", "{…}"). Query parameters are included. The token is
	// not in Params; see Token.
	Params map[string]string
	// Body is the raw request body.
	Body []byte
	// At is when the request arrived.
	At time.Time
	// Token is the token from the "token" form field or the Bearer
	// Authorization header, "" when none.
	Token string
}

// Fault is one scripted failure of a method; see Server.InjectFaults.
type Fault struct {
	// Status is the HTTP status to answer with (0 means 200).
	Status int
	// RetryAfter, in seconds, sets the Retry-After header on a failing
	// answer. With Status 429 slack-go returns *slack.RateLimitedError.
	RetryAfter int
	// Error is the error code of an {"ok":false} body, e.g.
	// "channel_not_found", "ratelimited" or "invalid_auth". With Status 429
	// and no Error the body is {"ok":false,"error":"ratelimited"}.
	Error string
	// Delay postpones the answer (the failure, or normal service when
	// Status is 0/200 and Error is empty). If the client gives up during the
	// delay, nothing is processed.
	Delay time.Duration
	// Hang never answers: the request blocks until the client gives up or
	// the server is closed.
	Hang bool
	// LoseAnswer serves the request (a message is posted) and then never
	// answers: Slack did the work, but the answer was lost on the way,
	// so the client cannot know it succeeded.
	LoseAnswer bool
}

// fails reports whether the fault fails the request rather than only
// delaying it.
func (f Fault) fails() bool {
	return f.Hang || (f.Status != 0 && f.Status != http.StatusOK) || f.Error != ""
}

// Server is a fake Slack: the Web API under APIURL and a Socket Mode
// websocket endpoint, with a small team directory. All methods are safe for
// concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time

	ln   net.Listener
	http *http.Server
	base string // "http://127.0.0.1:port/"

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup // handlers and socket goroutines

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced whenever state changes

	calls   []Call
	changes []Change // what people see, in order; see Changes
	faults  map[string][]Fault

	users      map[string]User
	userOrder  []string
	channels   map[string]*channel
	groups     map[string]*UserGroup
	groupOrder []string
	fields     []ProfileField
	noScopes   map[string]bool // scopes the app was not granted; see RevokeScope
	messages   map[string][]Message
	views      map[string]*storedView
	homeViews  map[string]string // user ID -> view ID
	files      map[string]*File
	fileOrder  []string
	reactions  map[string][]string // channel/ts -> names
	// userReactions are people's reactions (React), channel/ts -> "USER name".
	userReactions map[string][]string
	tickets       map[string]bool // ticket -> used
	responses     map[string]responseTarget
	triggers      map[string]triggerInfo
	envelopes     map[string]envelopeInfo
	tsSeq         int64
	ephemeralSeq  int64 // ephemeral messages draw their ts from their own sequence
	idSeq         int64
	ticketSeq     int64
	respSeq       int64
	triggerSeq    int64

	conns      []*sockConn // open sockets, oldest first
	totalConns int
	refused    int // sockets told too_many_websockets
	connSeq    int
	lastConn   int // the connection that took the last envelope
	acks       []Ack
	loseAcks   int // acks still to drop; see LoseAcks
	deliveries []Delivery
	stopPings  bool
}

// New starts a fake Slack listening on a random port of 127.0.0.1. It
// panics if it cannot listen, like httptest.NewServer. Call Close when done.
func New(opts Options) *Server {
	if opts.BotUserID == "" {
		opts.BotUserID = "UBOT"
	}
	if opts.TeamID == "" {
		opts.TeamID = "T0001"
	}
	if opts.AppID == "" {
		opts.AppID = "A0001"
	}
	if opts.BotID == "" {
		opts.BotID = "B0001"
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 200 * time.Millisecond
	}
	if opts.TriggerTTL == 0 {
		opts.TriggerTTL = 3 * time.Second
	}
	if opts.DisconnectGrace <= 0 {
		opts.DisconnectGrace = time.Second
	}
	if opts.EventAckTimeout <= 0 {
		opts.EventAckTimeout = 3 * time.Second
	}
	if opts.EventRetryDelays == nil {
		opts.EventRetryDelays = slackRetryDelays
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("slacktest: listen: %v", err))
	}
	s := &Server{
		opts:          opts,
		log:           log.With("component", "slacktest"),
		now:           opts.Now,
		ln:            ln,
		base:          "http://" + ln.Addr().String() + "/",
		done:          make(chan struct{}),
		changed:       make(chan struct{}),
		faults:        make(map[string][]Fault),
		users:         make(map[string]User),
		channels:      make(map[string]*channel),
		groups:        make(map[string]*UserGroup),
		noScopes:      make(map[string]bool),
		messages:      make(map[string][]Message),
		views:         make(map[string]*storedView),
		homeViews:     make(map[string]string),
		files:         make(map[string]*File),
		reactions:     make(map[string][]string),
		userReactions: make(map[string][]string),
		tickets:       make(map[string]bool),
		responses:     make(map[string]responseTarget),
		triggers:      make(map[string]triggerInfo),
		envelopes:     make(map[string]envelopeInfo),
	}
	s.AddUser(User{ID: opts.BotUserID, Name: "rapport", RealName: "Rapport", IsBot: true})

	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/response/{n}", s.handleResponseURL)
	mux.HandleFunc("/upload/{file}", s.handleUpload)
	s.http = &http.Server{
		Handler:           s.track(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	go func() { _ = s.http.Serve(ln) }()
	return s
}

// track counts in-flight handlers so Close can wait for them, and refuses
// requests once Close has begun.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			http.Error(w, "server closed", http.StatusServiceUnavailable)
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		h.ServeHTTP(w, r)
	})
}

// APIURL returns the Web API base URL for slack.OptionAPIURL. It ends with
// "/".
func (s *Server) APIURL() string { return s.base + "api/" }

// Close closes every socket, stops the server and waits for its goroutines.
// Pending waits return ErrClosed. Close is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.done)
		conns := append([]*sockConn(nil), s.conns...)
		s.notifyLocked()
		s.mu.Unlock()
		_ = s.http.Close()
		for _, c := range conns {
			_ = c.ws.Close()
		}
		s.wg.Wait()
	})
}

// notifyLocked wakes every waiter. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor blocks until cond (called with s.mu held) returns true, ctx ends
// or the server closes.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok := cond()
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return ErrClosed
		}
	}
}

// record appends c to the call log and wakes waiters.
func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Debug("call", "method", c.Method)
}

// Calls returns a copy of every recorded call, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the recorded calls to method, in arrival order.
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitForCall returns the first call to method for which match returns true
// (match may be nil), considering calls already recorded and future ones. A
// call is recorded after its effects (a stored message, a published view)
// are visible, so a test can inspect them as soon as WaitForCall returns.
func (s *Server) WaitForCall(ctx context.Context, method string, match func(Call) bool) (Call, error) {
	calls, err := s.WaitForCalls(ctx, method, 1, match)
	if err != nil {
		return Call{}, err
	}
	return calls[0], nil
}

// WaitForCalls returns the first n calls to method for which match returns
// true (match may be nil), waiting until there are n of them or ctx ends.
func (s *Server) WaitForCalls(ctx context.Context, method string, n int, match func(Call) bool) ([]Call, error) {
	var got []Call
	err := s.waitFor(ctx, func() bool {
		got = got[:0]
		for _, c := range s.calls {
			if c.Method == method && (match == nil || match(c)) {
				got = append(got, c)
				if len(got) == n {
					return true
				}
			}
		}
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("slacktest: wait for %d call(s) to %s, got %d (recorded: %s): %w",
			n, method, len(got), s.callSummary(), err)
	}
	return append([]Call(nil), got...), nil
}

// callSummary lists the recorded method names, for error messages.
func (s *Server) callSummary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.calls))
	for _, c := range s.calls {
		names = append(names, c.Method)
	}
	if len(names) > 40 {
		names = append(names[:40], "…")
	}
	return "[" + strings.Join(names, " ") + "]"
}

// InjectFaults queues faults for method (a Web API method name, or
// "response_url", "upload_url" or "link"). Each request to method consumes
// the next fault; when they are used up, normal service resumes. A faulted
// request is recorded but has no effect (no message is stored).
func (s *Server) InjectFaults(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

func (s *Server) popFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	s.faults[method] = q[1:]
	return f, true
}

// takeLoseAnswer pops the next fault queued for method if it is a
// LoseAnswer one.
func (s *Server) takeLoseAnswer(method string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 || !q[0].LoseAnswer {
		return false
	}
	s.faults[method] = q[1:]
	return true
}

// serveFault applies the next fault queued for call.Method. It reports
// whether the request has been dealt with (recorded and answered or
// aborted); false means normal service should follow.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, call Call) bool {
	f, ok := s.popFault(call.Method)
	if !ok {
		return false
	}
	if f.Hang {
		s.record(call)
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		panic(http.ErrAbortHandler) // close the connection without an answer
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			s.record(call)
			panic(http.ErrAbortHandler)
		case <-s.done:
			t.Stop()
			s.record(call)
			panic(http.ErrAbortHandler)
		}
	}
	if !f.fails() {
		return false
	}
	s.record(call)
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
	}
	code := f.Error
	if code == "" && status == http.StatusTooManyRequests {
		code = "ratelimited"
	}
	if code == "" {
		// Slack answers 5xx with an HTML page; slack-go does not parse it.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body>%d %s</body></html>\n", status, http.StatusText(status))
		return true
	}
	writeJSON(w, status, fail(code))
	return true
}

// reply is a JSON answer body.
type reply map[string]any

// fail is an ok:false answer. Slack explains invalid_blocks and
// invalid_arguments in response_metadata.messages, as "[ERROR] … [json-pointer:…]".
func fail(code string, messages ...string) reply {
	r := reply{"ok": false, "error": code}
	if len(messages) > 0 {
		for i, m := range messages {
			messages[i] = "[ERROR] " + m
		}
		r["response_metadata"] = map[string]any{"messages": messages}
	}
	return r
}

func ok(r reply) reply {
	if r == nil {
		r = reply{}
	}
	r["ok"] = true
	return r
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"ok":false,"error":"fatal_error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// upload is one file part of a multipart body.
type upload struct {
	name    string
	content []byte
}

// readCall reads r into a Call: body, params, token. Multipart file parts
// are returned separately.
func (s *Server) readCall(r *http.Request, method string) (Call, []upload, error) {
	call := Call{Method: method, Params: map[string]string{}, At: s.now()}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	call.Body = body
	if err != nil {
		return call, nil, err
	}
	for k, v := range r.URL.Query() {
		call.Params[k] = v[0]
	}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		call.Token = strings.TrimPrefix(auth, "Bearer ")
	}
	var files []upload
	ctype, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case len(body) == 0:
	case ctype == "application/json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return call, nil, err
		}
		for k, v := range m {
			var str string
			if json.Unmarshal(v, &str) == nil {
				call.Params[k] = str
			} else {
				call.Params[k] = string(v)
			}
		}
	case ctype == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return call, nil, err
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return call, nil, err
			}
			if p.FileName() != "" {
				files = append(files, upload{name: p.FileName(), content: data})
			} else {
				call.Params[p.FormName()] = string(data)
			}
		}
	default: // form-encoded, which is what slack-go sends for most methods
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return call, nil, err
		}
		for k, v := range vals {
			call.Params[k] = v[0]
		}
	}
	if tok, ok := call.Params["token"]; ok {
		if tok != "" {
			call.Token = tok
		}
		delete(call.Params, "token")
	}
	return call, files, nil
}
