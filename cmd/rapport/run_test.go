package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

const deadline = 15 * time.Second

// TestMain lets a test start this test binary as the real rapport process:
// with RAPPORT_TEST_MAIN=1 it runs main and exits. Signals and a second
// process on the same file need a real process.
func TestMain(m *testing.M) {
	if os.Getenv("RAPPORT_TEST_MAIN") == "1" {
		os.Args = append([]string{"rapport"}, strings.Fields(os.Getenv("RAPPORT_TEST_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

func newFakeSlack(t *testing.T) *slacktest.Server {
	t.Helper()
	srv := slacktest.New(slacktest.Options{})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOT")
	return srv
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// syncBuffer is a bytes.Buffer safe for the bot's logger and the test.
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

// runningBot is run() started in this process against the fake Slack.
type runningBot struct {
	env    map[string]string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func startRun(t *testing.T, srv *slacktest.Server, env map[string]string) *runningBot {
	t.Helper()
	env["SLACK_API_URL"] = srv.APIURL()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningBot{env: env, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx, nil, getenvFrom(env), nil, io.Discard, r.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(deadline):
			t.Error("run did not return")
		}
	})
	return r
}

func (r *runningBot) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(deadline):
		t.Fatal("run did not return")
		return nil
	}
}

func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// waitReady polls /readyz until it answers 200 or the deadline passes.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	ctx := testCtx(t)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if code, _ := get(t, "http://"+addr+"/readyz", ""); code == http.StatusOK {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("/readyz never became ready")
		case <-tick.C:
		}
	}
}

// Ensure the real binary's run() connects, answers /rapport help, reports
// readiness and metrics, serves backups, and stops cleanly.
func TestRunEndToEnd(t *testing.T) {
	srv := newFakeSlack(t)
	addr := freeAddr(t)
	env := goodEnv(t)
	env["RAPPORT_HTTP_ADDR"] = addr
	env["RAPPORT_HTTP_TOKEN"] = "a-long-enough-ops-token"
	r := startRun(t, srv, env)
	waitReady(t, addr)

	ctx := testCtx(t)
	if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/rapport", Text: "help", UserID: "UALICE", ChannelID: "CGENERAL"}); err != nil {
		t.Fatal(err)
	}
	call, err := srv.WaitForCall(ctx, "response_url", nil)
	if err != nil {
		t.Fatalf("no help reply: %v", err)
	}
	if !strings.Contains(call.Params["blocks"], "/rapport help") {
		t.Errorf("help reply = %s", call.Params["blocks"])
	}

	// The handler counts its call just after the fake records it: poll.
	metrics := waitMetrics(t, addr,
		`rapport_envelopes_total{type="slash_commands"} 1`,
		`rapport_slack_api_calls_total{method="response_url",outcome="ok"} 1`,
		`rapport_slack_api_calls_total{method="auth.test",outcome="ok"} 1`,
		`rapport_ack_latency_seconds_count 1`,
		`rapport_handler_duration_seconds_count{route="command /rapport"} 1`,
	)
	if strings.Contains(string(metrics), env["SLACK_BOT_TOKEN"]) || strings.Contains(r.stderr.String(), env["SLACK_BOT_TOKEN"]) {
		t.Error("the bot token leaked into metrics or logs")
	}

	if code, _ := get(t, "http://"+addr+"/backup", ""); code != http.StatusUnauthorized {
		t.Errorf("/backup without the token = %d, want 401", code)
	}
	code, body := get(t, "http://"+addr+"/backup", env["RAPPORT_HTTP_TOKEN"])
	if code != http.StatusOK {
		t.Fatalf("/backup = %d", code)
	}
	checkBackup(t, body)
	code, body = get(t, "http://"+addr+"/backup?format=json", env["RAPPORT_HTTP_TOKEN"])
	var doc struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &doc) != nil || doc.Format != "rapport-export" || doc.Version != 2 {
		t.Errorf("/backup?format=json = %d %s", code, body)
	}

	// The backup and export subcommands reach the running bot.
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := run(ctx, []string{"backup", "-o", out}, getenvFrom(env), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("rapport backup while the bot runs: %v", err)
	}
	raw, _ := os.ReadFile(out)
	checkBackup(t, raw)
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode = %v, want 0600", fi.Mode().Perm())
	}
	var exported bytes.Buffer
	if err := run(ctx, []string{"export"}, getenvFrom(env), nil, &exported, io.Discard); err != nil || !strings.Contains(exported.String(), `"rapport-export"`) {
		t.Errorf("rapport export while the bot runs: %v %q", err, exported.String())
	}

	if err := r.stop(t); err != nil {
		t.Fatalf("run returned %v after cancel, want nil", err)
	}
	if fi, err := os.Stat(env["RAPPORT_DB"]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode = %v, want 0600", fi.Mode().Perm())
	}
}

// waitMetrics polls /metrics until it holds every wanted line.
func waitMetrics(t *testing.T, addr string, want ...string) []byte {
	t.Helper()
	ctx := testCtx(t)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		code, body := get(t, "http://"+addr+"/metrics", "")
		missing := ""
		for _, w := range want {
			if !strings.Contains(string(body), w) {
				missing = w
			}
		}
		if code == http.StatusOK && missing == "" {
			return body
		}
		select {
		case <-ctx.Done():
			t.Fatalf("/metrics (%d) lacks %q", code, missing)
		case <-tick.C:
		}
	}
}

func checkBackup(t *testing.T, raw []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "check.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("backup does not open: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("backup fails Check: %v", err)
	}
}

// Ensure /readyz says 503 while the socket cannot connect, then 200.
func TestReadyzFollowsTheSocket(t *testing.T) {
	srv := newFakeSlack(t)
	srv.InjectFaults("apps.connections.open", slacktest.Fault{Status: 500}, slacktest.Fault{Status: 500}, slacktest.Fault{Status: 500, Delay: 300 * time.Millisecond})
	addr := freeAddr(t)
	env := goodEnv(t)
	env["RAPPORT_HTTP_ADDR"] = addr
	startRun(t, srv, env)

	ctx := testCtx(t)
	if _, err := srv.WaitForCall(ctx, "apps.connections.open", nil); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, "http://"+addr+"/readyz", ""); code != http.StatusServiceUnavailable || !strings.Contains(string(body), "socket") {
		t.Errorf("/readyz while the socket is down = %d %q, want 503 naming the socket", code, body)
	}
	if code, _ := get(t, "http://"+addr+"/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
	waitReady(t, addr)
}

// Ensure Slack refusing the token stops the bot with a clear error.
func TestInvalidAuthStops(t *testing.T) {
	srv := newFakeSlack(t)
	srv.InjectFaults("auth.test", slacktest.Fault{Error: "invalid_auth"})
	r := startRun(t, srv, goodEnv(t))
	select {
	case err := <-r.done:
		r.done <- err
		var stderr bytes.Buffer
		if code := exitCode(err, &stderr); code != 1 || !strings.Contains(stderr.String(), "invalid_auth") {
			t.Errorf("exit %d, stderr %q; want 1 naming invalid_auth", code, stderr.String())
		}
	case <-time.After(deadline):
		t.Fatal("run kept going with a refused token")
	}
}

func fillStore(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	if _, err := db.AddKudos(store.Kudos{Giver: "UALICE", Receivers: []string{"UBOB"}, Text: "for the deploy & the docs <3", Values: []string{"craft"}, Channel: "CGENERAL", MessageTS: "1.2", At: at}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddFollowup(store.Followup{Owner: "UALICE", Counterpart: "UBOB", Text: "send the deck", Due: at.Add(48 * time.Hour), Created: at}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.PutCoffeeMember(store.CoffeeMember{User: "UALICE", Joined: at}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateRound(store.Round{At: at, Groups: []store.CoffeeGroup{{Members: []string{"UALICE", "UBOB"}, Icebreaker: -1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddCheckin(store.Checkin{User: "UALICE", With: "UBOB", At: at, Note: "moving to Berlin"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdatePerson("UALICE", func(p *store.Person) {
		p.TZOverride, p.WorkStart, p.WorkEnd, p.Muted = "America/Los_Angeles", 8*time.Hour, 16*time.Hour, []store.DMKind{store.DMDigest}
	}, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateCircleEntry("UALICE", "UBOB", func(c *store.CircleEntry) error { c.CadenceDays = 14; return nil }, store.Effects{}); err != nil {
		t.Fatal(err)
	}
}

// dropExportedAt removes the one line that differs between two exports.
func dropExportedAt(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.Contains(line, `"exported_at"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// Ensure export → import into a fresh database → export gives the same JSON,
// through the subcommands.
func TestExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	fillStore(t, src)
	ctx := t.Context()
	env := map[string]string{"RAPPORT_DB": src}
	first := filepath.Join(dir, "first.json")
	if err := run(ctx, []string{"export", "-o", first}, getenvFrom(env), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("export: %v", err)
	}
	var stdout bytes.Buffer
	if err := run(ctx, []string{"import", "-db", filepath.Join(dir, "dst.db"), first}, getenvFrom(nil), nil, &stdout, io.Discard); err != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(stdout.String(), "1 kudos, 1 follow-ups, 1 coffee members, 1 rounds, 1 check-ins, 1 people, 1 circle entries") {
		t.Errorf("import summary = %q", stdout.String())
	}
	var second bytes.Buffer
	if err := run(ctx, []string{"export", "-db", filepath.Join(dir, "dst.db")}, getenvFrom(nil), nil, &second, io.Discard); err != nil {
		t.Fatalf("second export: %v", err)
	}
	a, _ := os.ReadFile(first)
	if !strings.Contains(string(a), `"tz_override": "America/Los_Angeles"`) || !strings.Contains(string(a), `"cadence_days": 14`) {
		t.Errorf("the export lacks Alice's zone or her check-in cadence:\n%s", a)
	}
	if dropExportedAt(string(a)) != dropExportedAt(second.String()) {
		t.Errorf("exports differ:\n%s\n---\n%s", a, second.String())
	}
}

// Ensure a malformed import names the field, exits non-zero, and changes
// nothing.
func TestImportMalformedChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "rapport.db")
	fillStore(t, db)
	env := map[string]string{"RAPPORT_DB": db}
	var before bytes.Buffer
	if err := run(t.Context(), []string{"export"}, getenvFrom(env), nil, &before, io.Discard); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"format":"rapport-export","version":1,"kudos":[{"id":"9","giver":"U1","receivers":["U2"],"text":"x","at":"yesterday"}]}`), 0o600)
	var stderr bytes.Buffer
	code := exitCode(run(t.Context(), []string{"import", bad}, getenvFrom(env), nil, io.Discard, &stderr), &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "kudos[0].at") || !strings.Contains(stderr.String(), "nothing was changed") {
		t.Errorf("exit %d, stderr %q; want non-zero naming kudos[0].at", code, stderr.String())
	}
	var after bytes.Buffer
	if err := run(t.Context(), []string{"export"}, getenvFrom(env), nil, &after, io.Discard); err != nil {
		t.Fatal(err)
	}
	if dropExportedAt(before.String()) != dropExportedAt(after.String()) {
		t.Error("a failed import changed the data")
	}
}

func TestSubcommandUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"version"}, 0, "rapport "},
		{[]string{"help"}, 0, "rapport export"},
		{[]string{"export", "-h"}, 0, "-o"},
		{[]string{"import", "-h"}, 0, "-db"},
		{[]string{"backup", "-h"}, 0, "-o"},
		{[]string{"run", "-h"}, 0, "-bot-token"},
		{[]string{"backup"}, 2, "usage: rapport backup -o FILE"},
		{[]string{"import"}, 2, "usage: rapport import FILE"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"export", "-db", "/nonexistent/rapport.db"}, 1, "no database at /nonexistent/rapport.db"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		code := exitCode(run(t.Context(), tt.args, getenvFrom(nil), nil, &out, &out), &out)
		if code != tt.wantCode || !strings.Contains(out.String(), tt.wantOut) {
			t.Errorf("rapport %v: exit %d, output %q; want %d containing %q", tt.args, code, out.String(), tt.wantCode, tt.wantOut)
		}
	}
}

// process is this test binary running main() as a separate process.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
	err    error
}

func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RAPPORT_TEST_MAIN=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// wait returns the exit code, or fails the test after d.
func (p *process) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(d):
		t.Fatalf("process still running after %v; stderr:\n%s", d, p.stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// Ensure SIGTERM during a slow handler lets it finish, then exits 0 within 5 s.
func TestSIGTERMFinishesInflight(t *testing.T) {
	srv := newFakeSlack(t)
	srv.InjectFaults("response_url", slacktest.Fault{Delay: 2 * time.Second})
	env := goodEnv(t)
	env["SLACK_API_URL"] = srv.APIURL()
	p := startProcess(t, env)
	ctx := testCtx(t)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatalf("process never connected: %v\n%s", err, p.stderr.String())
	}
	if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/rapport", Text: "help", UserID: "UALICE", ChannelID: "CGENERAL"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 5*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0; stderr:\n%s", code, p.stderr.String())
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start))
	if got := len(srv.CallsTo("response_url")); got != 1 {
		t.Errorf("the in-flight reply was delivered %d times, want 1", got)
	}
}

// Ensure a second process on the same database fails within 5 s with a
// message naming the file, and the first keeps running.
func TestSecondProcessSameDatabase(t *testing.T) {
	srv := newFakeSlack(t)
	env := goodEnv(t)
	env["SLACK_API_URL"] = srv.APIURL()
	first := startProcess(t, env)
	if err := srv.WaitConnected(testCtx(t)); err != nil {
		t.Fatalf("first process never connected: %v\n%s", err, first.stderr.String())
	}
	start := time.Now()
	second := startProcess(t, env)
	code := second.wait(t, 8*time.Second)
	took := time.Since(start)
	if code == 0 {
		t.Fatal("the second process exited 0")
	}
	// A 4 s lock timeout, plus starting a race-built binary on a busy
	// machine; the log shows the real figure.
	t.Logf("the second process failed after %v", took)
	if took > 8*time.Second {
		t.Errorf("the second process took %v to fail", took)
	}
	msg := second.stderr.String()
	if !strings.Contains(msg, env["RAPPORT_DB"]) || !strings.Contains(msg, "another") {
		t.Errorf("second process stderr = %q, want the file named and another process blamed", msg)
	}
	select {
	case <-first.exited:
		t.Errorf("the first process exited: %s", first.stderr.String())
	default:
	}
	fmt.Fprint(io.Discard, took)
}
