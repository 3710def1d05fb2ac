package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"
)

// RetryPolicy bounds how the sender retries a Slack call that failed for a
// reason that may pass: a 429, a 5xx, a network error or a rate-limit error
// in the body. Permanent errors (channel_not_found, user_not_found, …) are
// never retried.
type RetryPolicy struct {
	MaxAttempts   int           // attempts in all, the first included; default 5
	BaseDelay     time.Duration // first backoff; doubles each attempt; default 500ms
	MaxDelay      time.Duration // backoff cap; default 10s
	MaxRetryAfter time.Duration // longest Retry-After honoured; default 2m
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 10 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 2 * time.Minute
	}
	return p
}

// sender is the one outgoing path: every Web API call and every response_url
// post the bot makes goes through call, which honours Retry-After, retries
// transient failures with jittered backoff, stops on permanent errors, and
// counts each attempt by method and outcome. It also neutralises mass
// mentions in everything it posts, so no feature has to remember to.
//
// Retries run in the handler's goroutine, after the envelope was acked, so a
// slow Slack never delays an ack.
type sender struct {
	api     SlackAPI
	http    *http.Client
	log     *slog.Logger
	policy  RetryPolicy
	sleep   func(ctx context.Context, d time.Duration) error
	jitter  func() float64 // in [0,1)
	metrics *metrics
}

func newSender(api SlackAPI, httpClient *http.Client, policy RetryPolicy, m *metrics, log *slog.Logger) *sender {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	return &sender{
		api:     api,
		http:    httpClient,
		log:     log,
		policy:  policy.withDefaults(),
		sleep:   sleepCtx,
		jitter:  rand.Float64,
		metrics: m,
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// permanentErrors are Slack error codes that no retry can fix.
var permanentErrors = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "user_not_found": true,
	"account_inactive": true, "invalid_auth": true, "token_revoked": true,
	"not_authed": true, "missing_scope": true, "is_archived": true,
	"msg_too_long": true, "invalid_blocks": true, "user_disabled": true,
	"cannot_dm_bot": true, "expired_url": true, "no_text": true,
}

// transientErrors are ok:false codes that mean "try again later".
var transientErrors = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true,
	"fatal_error": true, "service_unavailable": true, "request_timeout": true,
}

// outcome classifies a call's error for retries and metrics.
type outcome struct {
	label string        // ok, rate_limited, transient, permanent
	retry bool          // worth another attempt
	wait  time.Duration // server-mandated wait (Retry-After); 0 means use backoff
}

func classify(err error) outcome {
	if err == nil {
		return outcome{label: "ok"}
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return outcome{label: "rate_limited", retry: true, wait: rl.RetryAfter}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == http.StatusTooManyRequests:
			return outcome{label: "rate_limited", retry: true}
		case sc.Code >= 500:
			return outcome{label: "transient", retry: true}
		}
		return outcome{label: "permanent"}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if se.Err == "ratelimited" || se.Err == "rate_limited" {
			return outcome{label: "rate_limited", retry: true}
		}
		if transientErrors[se.Err] {
			return outcome{label: "transient", retry: true}
		}
		return outcome{label: "permanent"}
	}
	if errors.Is(err, context.Canceled) {
		return outcome{label: "canceled"}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return outcome{label: "transient", retry: true}
	}
	return outcome{label: "permanent"}
}

// slackErrorCode returns Slack's error code for err ("channel_not_found"),
// or "" when err is not an ok:false answer.
func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// call runs fn, the one attempt at a Slack method, until it succeeds, fails
// permanently, runs out of attempts or ctx ends.
func (s *sender) call(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = fn(ctx)
		o := classify(err)
		s.metrics.apiCalls.WithLabelValues(method, o.label).Inc()
		if err == nil {
			return nil
		}
		if !o.retry || attempt >= s.policy.MaxAttempts || ctx.Err() != nil {
			if o.label == "permanent" {
				return fmt.Errorf("bot: %s: %w", method, err)
			}
			return fmt.Errorf("bot: %s: gave up after %d attempts: %w", method, attempt, err)
		}
		wait := o.wait
		if wait <= 0 {
			wait = s.backoff(attempt)
		} else if wait > s.policy.MaxRetryAfter {
			return fmt.Errorf("bot: %s: Retry-After %s is longer than %s: %w", method, wait, s.policy.MaxRetryAfter, err)
		}
		s.log.Debug("slack call retried", "method", method, "attempt", attempt, "wait", wait, "err", err)
		if serr := s.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("bot: %s: %w (while waiting to retry: %w)", method, serr, err)
		}
	}
}

// backoff is exponential with equal jitter: half the delay is fixed, half
// random, so retries from many handlers spread out but still wait.
func (s *sender) backoff(attempt int) time.Duration {
	d := s.policy.BaseDelay << (attempt - 1)
	if d > s.policy.MaxDelay || d <= 0 {
		d = s.policy.MaxDelay
	}
	return d/2 + time.Duration(s.jitter()*float64(d/2))
}

// message is something the bot posts with chat.postMessage.
type message struct {
	Key      string // outbox key, carried as message metadata so a restart can tell whether it was posted
	Channel  string // channel or DM ID
	ThreadTS string // reply in this thread when set
	Text     string // mrkdwn; also the notification fallback when Blocks are set
	Blocks   []slack.Block
}

// post sends m with chat.postMessage and returns its ts. When Slack
// refuses the blocks, the text is posted alone, so the person still reads
// the message (without its buttons) rather than nothing.
func (s *sender) post(ctx context.Context, m message) (string, error) {
	ts, err := s.postOnce(ctx, m)
	if err != nil && len(m.Blocks) > 0 && m.Text != "" && refusedContent(err) {
		s.log.Warn("blocks refused; sent as text", "method", "chat.postMessage", "channel", m.Channel, "err", err)
		m.Blocks = nil
		m.Text = fallbackText(m.Text)
		return s.postOnce(ctx, m)
	}
	return ts, err
}

// refusedContent reports whether Slack refused a message for its content
// (blocks over a Block Kit limit, text too long), which the same message
// without blocks may avoid.
func refusedContent(err error) bool {
	switch slackErrorCode(err) {
	case "invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long", "invalid_payload":
		return true
	}
	return false
}

// fallbackText is the text of a message whose blocks were refused, cut to
// the length Slack advises for a message.
func fallbackText(text string) string { return kudosClip(text, maxFallbackText) }

// maxFallbackText is the longest text a refused message falls back to;
// Slack advises keeping messages to about 4,000 characters.
const maxFallbackText = 4000

func (s *sender) postOnce(ctx context.Context, m message) (string, error) {
	blocks, err := prepareBlocks(m.Blocks)
	if err != nil {
		return "", err
	}
	opts := []slack.MsgOption{slack.MsgOptionText(neutraliseMentions(m.Text), false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if m.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(m.ThreadTS))
	}
	if m.Key != "" {
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: outboxEventType, EventPayload: map[string]any{"key": m.Key}}))
	}
	var ts string
	err = s.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = s.api.PostMessageContext(ctx, m.Channel, opts...)
		return err
	})
	return ts, err
}

// ephemeral shows text to user only, in channel (in the thread when thread
// is set), with chat.postEphemeral.
func (s *sender) ephemeral(ctx context.Context, channel, user, thread, text string) error {
	opts := []slack.MsgOption{slack.MsgOptionText(neutraliseMentions(text), false)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return s.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := s.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// update replaces the bot's own message at ts in m.Channel with m's text
// and blocks (chat.update). Editing is idempotent: sending the same edit
// again after a crash changes nothing more.
func (s *sender) update(ctx context.Context, ts string, m message) error {
	blocks, err := prepareBlocks(m.Blocks)
	if err != nil {
		return err
	}
	opts := []slack.MsgOption{slack.MsgOptionText(neutraliseMentions(m.Text), false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	return s.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := s.api.UpdateMessageContext(ctx, m.Channel, ts, opts...)
		return err
	})
}

// response is a reply through a slash command's or interaction's
// response_url: ephemeral to the person unless InChannel.
type response struct {
	Text            string
	Blocks          []slack.Block
	InChannel       bool
	ReplaceOriginal bool

	// body, when set, is this response encoded ahead as a response_url
	// body (canned); respond posts it as it is. An answer that is the same
	// for everyone every time (the help) is encoded once at start instead of
	// on every command.
	body []byte
}

// canned returns r with its response_url body encoded, ready to be sent
// any number of times.
func canned(r response) (response, error) {
	r.body = nil
	body, err := encodeResponse(r)
	if err != nil {
		return response{}, err
	}
	r.body = body
	return r, nil
}

// encodeResponse is the body respond posts for r: its blocks fitted to
// Slack's limits and its text and blocks free of mass mentions.
func encodeResponse(r response) ([]byte, error) {
	blocks, err := prepareBlocks(r.Blocks)
	if err != nil {
		return nil, err
	}
	msg := &slack.WebhookMessage{
		Text:            neutraliseMentions(r.Text),
		ResponseType:    slack.ResponseTypeEphemeral,
		ReplaceOriginal: r.ReplaceOriginal,
	}
	if r.InChannel {
		msg.ResponseType = slack.ResponseTypeInChannel
	}
	if len(blocks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: blocks}
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("bot: encode response: %w", err)
	}
	return raw, nil
}

// respond posts r to a response_url. When Slack refuses the blocks, the
// text is sent alone, so the reply never vanishes.
func (s *sender) respond(ctx context.Context, url string, r response) error {
	err := s.respondOnce(ctx, url, r)
	if err != nil && len(r.Blocks) > 0 && r.Text != "" && refusedContent(err) {
		s.log.Warn("blocks refused; sent as text", "method", "response_url", "err", err)
		r.Blocks = nil
		r.Text = fallbackText(r.Text)
		r.body = nil
		return s.respondOnce(ctx, url, r)
	}
	return err
}

func (s *sender) respondOnce(ctx context.Context, url string, r response) error {
	body := r.body
	if body == nil {
		var err error
		if body, err = encodeResponse(r); err != nil {
			return err
		}
	}
	return s.call(ctx, "response_url", func(ctx context.Context) error {
		return s.postWebhook(ctx, url, body)
	})
}

// postWebhook posts payload, an encoded slack.WebhookMessage, to a
// response_url and reads Slack's answer. Slack
// refuses some payloads (blocks over a limit) with HTTP 200 and
// {"ok":false,"error":"invalid_blocks"} in the body, which slack-go's
// webhook helper ignores because it reads only the status; here such an
// answer is an error like any Web API ok:false.
func (s *sender) postWebhook(ctx context.Context, url string, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("bot: response request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil {
			return &slack.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
		}
	}
	if resp.StatusCode != http.StatusOK {
		return slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	var answer struct {
		OK       *bool  `json:"ok"`
		Error    string `json:"error"`
		Metadata struct {
			Messages []string `json:"messages"`
		} `json:"response_metadata"`
	}
	// A body that is not JSON (Slack has answered a bare "ok") is success.
	if json.Unmarshal(body, &answer) == nil && answer.OK != nil && !*answer.OK {
		return slack.SlackErrorResponse{Err: answer.Error, ResponseMetadata: slack.ResponseMetadata{Messages: answer.Metadata.Messages}}
	}
	return nil
}

func mapStrings(v any, f func(string) string) any {
	switch v := v.(type) {
	case string:
		return f(v)
	case []any:
		for i := range v {
			v[i] = mapStrings(v[i], f)
		}
	case map[string]any:
		for k := range v {
			v[k] = mapStrings(v[k], f)
		}
	}
	return v
}
