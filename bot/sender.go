package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
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

// post sends m with chat.postMessage and returns its ts.
func (s *sender) post(ctx context.Context, m message) (string, error) {
	blocks, err := neutraliseBlocks(m.Blocks)
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

// update replaces the bot's own message at ts in m.Channel with m's text
// and blocks (chat.update). Editing is idempotent: sending the same edit
// again after a crash changes nothing more.
func (s *sender) update(ctx context.Context, ts string, m message) error {
	blocks, err := neutraliseBlocks(m.Blocks)
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
}

// respond posts r to a response_url.
func (s *sender) respond(ctx context.Context, url string, r response) error {
	blocks, err := neutraliseBlocks(r.Blocks)
	if err != nil {
		return err
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
	return s.call(ctx, "response_url", func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, url, s.http, msg)
	})
}

// neutraliseBlocks returns blocks with every string in them passed through
// neutraliseMentions. It round-trips through JSON so that it reaches text in
// every kind of block and element, present and future.
func neutraliseBlocks(blocks []slack.Block) ([]slack.Block, error) {
	if len(blocks) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		return nil, fmt.Errorf("bot: encode blocks: %w", err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("bot: decode blocks: %w", err)
	}
	tree = mapStrings(tree, neutraliseMentions)
	raw, err = json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("bot: encode blocks: %w", err)
	}
	var out slack.Blocks
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("bot: decode blocks: %w", err)
	}
	return out.BlockSet, nil
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
