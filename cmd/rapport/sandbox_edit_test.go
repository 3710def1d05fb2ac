package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Ensure a person at a terminal can edit the line they type and recall
// earlier lines: Up brings back the last command, Left moves the cursor so
// that a missing letter can be typed in place, and Ctrl-D ends the
// session. The keys are the bytes a terminal sends.
func TestSandboxLineEditing(t *testing.T) {
	ctx := sandboxCtx(t)
	cfg, _, err := parseConfig("sandbox", botSettings, nil, sandboxEnv, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", sandboxStart, cfg.Location)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := startSandbox(ctx, cfg, at, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.close()

	keys, typing := io.Pipe()
	out := &promptWatcher{prompt: make(chan struct{}, 1)}
	sb.editor = newLineEditor(struct {
		io.Reader
		io.Writer
	}{keys, out}, nil)
	const (
		up    = "\x1b[A"
		left  = "\x1b[D"
		enter = "\r"
		ctrlD = "\x04"
	)
	go func() {
		// An empty line, :who, Up and Enter (:who again), then ":tme" with
		// the cursor moved back two places and the "i" typed in.
		_, _ = io.WriteString(typing, enter+":who"+enter+up+enter+":tme"+left+left+"i"+enter+ctrlD)
	}()
	done := make(chan error, 1)
	go func() { done <- sb.repl(ctx, nil, out, true) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("repl = %v", err)
		}
	case <-time.After(deadline):
		t.Fatalf("the session did not end at Ctrl-D:\n%s", out.buf.String())
	}
	got := out.buf.String()
	// The team is shown at the start, for :who typed, for :who recalled
	// with Up, and by :time (everyone's local time).
	if n := strings.Count(got, "The team (you are alex):"); n != 4 {
		t.Errorf("the team was shown %d times, want 4 (start, :who, Up, :time):\n%s", n, got)
	}
	// A line that went wrong (an arrow taken as text, ":tme") prints "! ".
	if strings.Contains(got, "  ! ") {
		t.Errorf("a line failed:\n%s", got)
	}
}
