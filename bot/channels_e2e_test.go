package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
)

// logWatch is a log destination that tests can wait on.
type logWatch struct {
	mu      sync.Mutex
	text    strings.Builder
	changed chan struct{} // closed and replaced on every write
}

func newLogWatch() *logWatch { return &logWatch{changed: make(chan struct{})} }

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.text.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *logWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// line returns the first log line holding every part, or "".
func (l *logWatch) line(parts ...string) (string, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(l.text.String(), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return line, l.changed
		}
	}
	return "", l.changed
}

// waitLine waits for a log line holding every part.
func (l *logWatch) waitLine(ctx context.Context, t *testing.T, parts ...string) string {
	t.Helper()
	for {
		line, changed := l.line(parts...)
		if line != "" {
			return line
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("no log line with %q: %v", parts, ctx.Err())
		}
	}
}

// Ensure a channel Rapport was configured to use but never invited to is
// not a silent failure: at start the log names the channel, what will not
// work, and the fix; a post Slack refuses with not_in_channel is logged with
// the fix too; and after /invite the posts go through.
func TestNotInConfiguredChannelLogsTheFix(t *testing.T) {
	srv := slacktest.New(slacktest.Options{})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	// Configured, but nobody typed /invite @rapport there.
	srv.AddChannel("CKUDOS", "kudos", false, "UALICE", "UBOB")
	srv.AddChannel("CCOFFEE", "coffee", false, "UALICE")
	logs := newLogWatch()
	h := startBot(t, withState(srv, nil), withLog(logs), withOptions(func(o *bot.Options) {
		o.Kudos = bot.KudosOptions{Channel: "CKUDOS"}
		o.Coffee = bot.CoffeeOptions{Channel: "CCOFFEE"}
	}))
	ctx := h.ctx()
	select {
	case <-h.bot.Settled():
	case <-ctx.Done():
		t.Fatal("the bot never settled")
	}
	for _, want := range [][]string{
		{"level=WARN", "not a member of a configured channel", "/invite @rapport", "channel=CKUDOS", "name=#kudos", "setting=RAPPORT_KUDOS_CHANNEL", "not shared"},
		{"level=WARN", "not a member of a configured channel", "/invite @rapport", "channel=CCOFFEE", "name=#coffee", "setting=RAPPORT_COFFEE_CHANNEL", "not enrolled"},
	} {
		if line, _ := logs.line(want...); line == "" {
			t.Errorf("no start-up warning with %q in the log:\n%s", want, logs)
		}
	}

	// A kudos in #general is shared in #kudos: Slack refuses, and the log
	// says why and what to do.
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for untangling the deploy on Friday")
	logs.waitLine(ctx, t, "level=WARN", "Slack refused a post", "not a member of the channel", "/invite @rapport", "channel=CKUDOS", "not_in_channel")
	if got := srv.Messages("CKUDOS"); len(got) != 0 {
		t.Errorf("#kudos has %d messages from a bot that is not in it", len(got))
	}

	// /invite @rapport in #kudos: the next kudos is shared.
	srv.AddChannel("CKUDOS", "kudos", false, "UALICE", "UBOB", "UBOT")
	h.kudos("UBOB", "CGENERAL", "<@UALICE> for the clear review of the deploy notes")
	if _, err := srv.WaitForMessage(ctx, "CKUDOS", func(m slacktest.Message) bool { return strings.Contains(body(m), "clear review") }); err != nil {
		t.Errorf("kudos not shared after the invite: %v", err)
	}
}
