package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/slack-go/slack"
)

// scriptedSlack answers chat.postMessage with the scripted replies in turn,
// then with success; it counts attempts.
type scriptedSlack struct {
	mu       sync.Mutex
	replies  []func(w http.ResponseWriter)
	attempts int
	texts    []string
}

func (s *scriptedSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	s.attempts++
	var reply func(w http.ResponseWriter)
	if len(s.replies) > 0 {
		reply, s.replies = s.replies[0], s.replies[1:]
	}
	if reply == nil {
		s.texts = append(s.texts, r.Form.Get("text"))
	}
	s.mu.Unlock()
	if reply != nil {
		reply(w)
		return
	}
	fmt.Fprint(w, `{"ok":true,"channel":"C1","ts":"1.000100"}`)
}

func status(code int, retryAfter string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
	}
}

func slackError(code string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) { fmt.Fprintf(w, `{"ok":false,"error":%q}`, code) }
}

func newTestSender(t *testing.T, replies ...func(w http.ResponseWriter)) (*sender, *scriptedSlack, *[]time.Duration, *metrics) {
	t.Helper()
	fake := &scriptedSlack{replies: replies}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(srv.URL+"/"))
	m := newMetrics(prometheus.NewRegistry())
	s := newSender(api, srv.Client(), RetryPolicy{}, m, slog.New(slog.NewTextHandler(t.Output(), nil)))
	var waits []time.Duration
	s.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	s.jitter = func() float64 { return 0.5 }
	return s, fake, &waits, m
}

func TestSenderRetries(t *testing.T) {
	tests := []struct {
		name         string
		replies      []func(w http.ResponseWriter)
		wantErr      string // "" for success
		wantAttempts int
		wantWaits    []time.Duration
		wantOutcome  map[string]float64
	}{
		{
			name:         "RetryAfterHonoured",
			replies:      []func(http.ResponseWriter){status(429, "7")},
			wantAttempts: 2, wantWaits: []time.Duration{7 * time.Second},
			wantOutcome: map[string]float64{"rate_limited": 1, "ok": 1},
		},
		{
			name:         "ServerErrorsBackOff",
			replies:      []func(http.ResponseWriter){status(500, ""), status(503, "")},
			wantAttempts: 3, wantWaits: []time.Duration{375 * time.Millisecond, 750 * time.Millisecond},
			wantOutcome: map[string]float64{"transient": 2, "ok": 1},
		},
		{
			name:         "RateLimitedBody",
			replies:      []func(http.ResponseWriter){slackError("ratelimited")},
			wantAttempts: 2, wantWaits: []time.Duration{375 * time.Millisecond},
			wantOutcome: map[string]float64{"rate_limited": 1, "ok": 1},
		},
		{
			name:         "PermanentStops",
			replies:      []func(http.ResponseWriter){slackError("channel_not_found")},
			wantErr:      "channel_not_found",
			wantAttempts: 1,
			wantOutcome:  map[string]float64{"permanent": 1},
		},
		{
			name:         "BoundedAttempts",
			replies:      []func(http.ResponseWriter){status(502, ""), status(502, ""), status(502, ""), status(502, ""), status(502, ""), status(502, "")},
			wantErr:      "gave up after 5 attempts",
			wantAttempts: 5,
			wantWaits:    []time.Duration{375 * time.Millisecond, 750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second},
			wantOutcome:  map[string]float64{"transient": 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, fake, waits, m := newTestSender(t, tt.replies...)
			_, err := s.post(t.Context(), message{Channel: "C1", Text: "hello"})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("post: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("post error = %v, want one containing %q", err, tt.wantErr)
			}
			if fake.attempts != tt.wantAttempts {
				t.Errorf("attempts = %d, want %d", fake.attempts, tt.wantAttempts)
			}
			wantDelivered := 0
			if tt.wantErr == "" {
				wantDelivered = 1
			}
			if len(fake.texts) != wantDelivered {
				t.Errorf("delivered %d times, want %d", len(fake.texts), wantDelivered)
			}
			if fmt.Sprint(*waits) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits = %v, want %v", *waits, tt.wantWaits)
			}
			for outcome, want := range tt.wantOutcome {
				if got := testutil.ToFloat64(m.apiCalls.WithLabelValues("chat.postMessage", outcome)); got != want {
					t.Errorf("calls{outcome=%s} = %v, want %v", outcome, got, want)
				}
			}
		})
	}
}

func TestSenderRetryAfterTooLong(t *testing.T) {
	s, fake, _, _ := newTestSender(t, status(429, "600"))
	_, err := s.post(t.Context(), message{Channel: "C1", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "Retry-After") {
		t.Fatalf("post error = %v, want a Retry-After error", err)
	}
	if fake.attempts != 1 {
		t.Errorf("attempts = %d, want 1", fake.attempts)
	}
}

func TestSenderStopsWhenContextEnds(t *testing.T) {
	s, _, _, _ := newTestSender(t, status(500, ""), status(500, ""))
	ctx, cancel := context.WithCancel(t.Context())
	s.sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	_, err := s.post(ctx, message{Channel: "C1", Text: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("post error = %v, want context.Canceled", err)
	}
}

func TestClassifyNetworkError(t *testing.T) {
	api := slack.New("xoxb-test-token", slack.OptionAPIURL("http://127.0.0.1:1/"))
	_, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("x", false))
	if o := classify(err); !o.retry || o.label != "transient" {
		t.Errorf("classify(%v) = %+v, want a transient retry", err, o)
	}
}

func TestNeutraliseMentions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"thanks <!here>", "thanks @\u200bhere"},
		{"<!channel> and <!everyone|everyone>", "@\u200bchannel and @\u200beveryone"},
		{"ping <!subteam^S0123ABC|@design> now", "ping @\u200bdesign now"},
		{"<!subteam^S0123ABC>", "@\u200bgroup"},
		{"<@U123|alice> stays a mention", "<@U123|alice> stays a mention"},
		{"&lt;!here&gt; is already harmless", "&lt;!here&gt; is already harmless"},
		{"<!date^1700000000^{date}|Nov 14> is not a mention", "<!date^1700000000^{date}|Nov 14> is not a mention"},
	}
	for _, tt := range tests {
		if got := neutraliseMentions(tt.in); got != tt.want {
			t.Errorf("neutraliseMentions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Ensure no block text, however deep, reaches Slack as a live mass mention.
func TestSenderNeutralisesBlocks(t *testing.T) {
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got = []byte(r.Form.Get("blocks"))
		fmt.Fprint(w, `{"ok":true,"channel":"C1","ts":"1.1"}`)
	}))
	defer srv.Close()
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(srv.URL+"/"))
	s := newSender(api, srv.Client(), RetryPolicy{}, newMetrics(nil), slog.New(slog.DiscardHandler))
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "hi <!channel>", false, false),
			[]*slack.TextBlockObject{slack.NewTextBlockObject(slack.MarkdownType, "<!here|here>", false, false)}, nil),
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, "<!subteam^S1|@all-staff>", false, false)),
	}
	if _, err := s.post(t.Context(), message{Channel: "C1", Text: "<!everyone>", Blocks: blocks}); err != nil {
		t.Fatal(err)
	}
	var decoded any
	if err := json.Unmarshal(got, &decoded); err != nil {
		t.Fatalf("blocks are not JSON: %v", err)
	}
	text := fmt.Sprint(decoded)
	if massMention.MatchString(text) {
		t.Errorf("posted blocks still contain a mass mention: %s", got)
	}
	for _, want := range []string{"@\u200bchannel", "@\u200bhere", "@\u200ball-staff"} {
		if !strings.Contains(text, want) {
			t.Errorf("posted blocks lack %q: %s", want, got)
		}
	}
}

// Ensure a canned response posts exactly the body respond encodes for the
// same response on the spot, and that when Slack refuses its blocks the
// fallback is text alone, not the canned body again.
func TestSenderRespondsCanned(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(raw))
		n := len(bodies)
		mu.Unlock()
		if n == 2 { // the canned body: refused, as Slack refuses bad blocks
			fmt.Fprint(w, `{"ok":false,"error":"invalid_blocks"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer srv.Close()
	s := newSender(slack.New("xoxb-test-token"), srv.Client(), RetryPolicy{}, newMetrics(nil), slog.New(slog.DiscardHandler))
	r := response{Text: "hi <!here>", Blocks: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "hi <!channel>", false, false), nil, nil),
	}}
	c, err := canned(r)
	if err != nil {
		t.Fatalf("canned: %v", err)
	}
	if err := s.respond(t.Context(), srv.URL, r); err != nil {
		t.Fatalf("respond(fresh) = %v", err)
	}
	if err := s.respond(t.Context(), srv.URL, c); err != nil {
		t.Fatalf("respond(canned) = %v, want the text fallback to succeed", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 3 {
		t.Fatalf("%d posts to the response_url, want 3 (fresh, canned, fallback): %q", len(bodies), bodies)
	}
	if bodies[1] != bodies[0] {
		t.Errorf("canned body = %s, want the fresh encoding %s", bodies[1], bodies[0])
	}
	if massMention.MatchString(bodies[1]) {
		t.Errorf("canned body keeps a mass mention: %s", bodies[1])
	}
	var fallback slack.WebhookMessage
	if err := json.Unmarshal([]byte(bodies[2]), &fallback); err != nil {
		t.Fatalf("fallback body %s: %v", bodies[2], err)
	}
	if fallback.Blocks != nil && len(fallback.Blocks.BlockSet) > 0 || !strings.Contains(fallback.Text, "hi") {
		t.Errorf("fallback after refused blocks = %s, want the text alone", bodies[2])
	}
}
