package main

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store/etcdtest"
	"github.com/slack-go/slack"
)

// replicaEnv is the environment of a replica sharing an etcd store with
// a short leader lease, so failovers fit in a test.
func replicaEnv(t *testing.T, c *etcdtest.Cluster, ttl string) map[string]string {
	t.Helper()
	srv := newFakeSlack(t)
	env := processEnv(t, srv)
	env["RAPPORT_STORE"] = etcdURL(c, "/rapport")
	env["RAPPORT_LEADER_TTL"] = ttl
	return env
}

// waitLog waits until p's log has had want more than n times, and
// returns when it did.
func waitLog(t *testing.T, p *process, want string, n int, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if strings.Count(p.stderr.String(), want) > n {
			return time.Now()
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %q in the log after %v:\n%s", want, limit, p.stderr.String())
	return time.Time{}
}

// Ensure exactly one replica leads, that a SIGKILLed leader is replaced
// within the lease plus 2 s, and that a SIGTERMed leader resigns and is
// replaced within a second.
func TestReplicaFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	t.Parallel() // mostly waits (leases, quiet periods): runs beside the others
	c := etcdtest.Start(t, 1)
	const ttl = 2 * time.Second
	a := startProcess(t, replicaEnv(t, c, "2s"))
	waitLog(t, a, "msg=leading", 0, 20*time.Second)
	b := startProcess(t, replicaEnv(t, c, "2s"))
	cc := startProcess(t, replicaEnv(t, c, "2s"))
	waitLog(t, b, "msg=\"rapport started\"", 0, 20*time.Second)
	waitLog(t, cc, "msg=\"rapport started\"", 0, 20*time.Second)
	time.Sleep(300 * time.Millisecond)
	if strings.Contains(b.stderr.String(), "msg=leading") || strings.Contains(cc.stderr.String(), "msg=leading") {
		t.Fatal("a second replica leads while the first does")
	}

	killed := time.Now()
	a.kill(t)
	var next, standby *process
	deadline := time.Now().Add(ttl + 5*time.Second)
	for next == nil && time.Now().Before(deadline) {
		switch {
		case strings.Contains(b.stderr.String(), "msg=leading"):
			next, standby = b, cc
		case strings.Contains(cc.stderr.String(), "msg=leading"):
			next, standby = cc, b
		}
		time.Sleep(5 * time.Millisecond)
	}
	if next == nil {
		t.Fatalf("no new leader %v after SIGKILL", time.Since(killed))
	}
	afterKill := time.Since(killed)
	t.Logf("new leader %v after SIGKILL (lease %v)", afterKill.Round(time.Millisecond), ttl)
	if afterKill > ttl+2*time.Second {
		t.Errorf("new leader after %v, want within the lease + 2 s (%v)", afterKill, ttl+2*time.Second)
	}

	termed := time.Now()
	if err := next.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLog(t, standby, "msg=leading", 0, 10*time.Second)
	afterTerm := time.Since(termed)
	t.Logf("new leader %v after SIGTERM", afterTerm.Round(time.Millisecond))
	if afterTerm > time.Second {
		t.Errorf("new leader after %v after SIGTERM, want under 1 s", afterTerm)
	}
	if code := next.wait(t, 10*time.Second); code != 0 {
		t.Errorf("the SIGTERMed leader exited %d:\n%s", code, next.stderr.String())
	}
}

// Ensure a leader paused past its lease (SIGSTOP) is replaced, and that
// when it wakes (SIGCONT) it learns it no longer leads and stands down,
// rather than running a second schedule beside the new leader.
func TestPausedLeaderStandsDown(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	t.Parallel() // mostly waits (leases, quiet periods): runs beside the others
	c := etcdtest.Start(t, 1)
	a := startProcess(t, replicaEnv(t, c, "2s"))
	waitLog(t, a, "msg=leading", 0, 20*time.Second)
	b := startProcess(t, replicaEnv(t, c, "2s"))
	waitLog(t, b, "msg=\"rapport started\"", 0, 20*time.Second)

	if err := a.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	waitLog(t, b, "msg=leading", 0, 10*time.Second)
	t.Logf("new leader %v after the leader was paused", time.Since(stopped).Round(time.Millisecond))
	if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	waitLog(t, a, "no longer leading", 0, 10*time.Second)
	time.Sleep(500 * time.Millisecond)
	if n := strings.Count(a.stderr.String(), "msg=leading"); n != 1 {
		t.Errorf("the woken leader led %d times, want once (before its pause)", n)
	}
	if strings.Count(b.stderr.String(), "no longer leading") != 0 {
		t.Error("the new leader lost its term to the woken one")
	}
}

// Ensure SIGKILL of the leader between claiming a message and recording it
// sent never sends it twice, when Slack had answered (the answer was lost
// on the way) and when it never did: the new leader waits out the old
// leader's send deadline, reads the conversation back, and sends only
// what is not there.
func TestKillLeaderMidSend(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	t.Parallel() // mostly waits (leases, quiet periods): runs beside the others
	for _, tt := range []struct {
		name  string
		fault slacktest.Fault
	}{
		{"slack did it, the answer was lost", slacktest.Fault{LoseAnswer: true}},
		{"slack never did it", slacktest.Fault{Hang: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := etcdtest.Start(t, 1)
			srv := newFakeSlack(t)
			srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "UTC"})
			env := processEnv(t, srv)
			env["RAPPORT_STORE"] = etcdURL(c, "/rapport")
			env["RAPPORT_LEADER_TTL"] = "2s"
			env["RAPPORT_SLACK_TIMEOUT"] = "2s"
			a := startProcess(t, env)
			waitLog(t, a, "msg=leading", 0, 20*time.Second)
			b := startProcess(t, env)
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			if _, err := srv.WaitOpenConnections(ctx, 2); err != nil {
				t.Fatal(err)
			}
			// The public post goes through; the DM that follows it meets
			// the fault, and the leader dies in the middle of sending it.
			srv.InjectFaults("chat.postMessage", slacktest.Fault{}, tt.fault)
			if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/kudos", UserID: "UALICE", ChannelID: "CGENERAL", Text: "<@UBOB> for the midnight fix"}); err != nil {
				t.Fatal(err)
			}
			for len(srv.CallsTo("chat.postMessage")) < 2 && ctx.Err() == nil {
				time.Sleep(2 * time.Millisecond)
			}
			a.kill(t)
			waitLog(t, b, "msg=leading", 0, 10*time.Second)
			dms := func() int {
				n := 0
				for _, m := range srv.Messages(srv.DMChannel("UBOB")) {
					if strings.Contains(m.Text+string(m.Blocks), "midnight fix") {
						n++
					}
				}
				return n
			}
			// The new leader settles the interrupted DM once the old
			// leader's send deadline has passed: found in the
			// conversation, or sent again.
			for ctx.Err() == nil && !strings.Contains(b.stderr.String(), "interrupted by a restart") {
				time.Sleep(50 * time.Millisecond)
			}
			if ctx.Err() != nil {
				t.Fatalf("the interrupted DM was never settled:\n%s", b.stderr.String())
			}
			quiet(ctx, srv, 2*time.Second)
			if n := dms(); n != 1 {
				t.Errorf("Bob got the kudos DM %d times, want once", n)
			}
			posts := 0
			for _, m := range srv.Messages("CGENERAL") {
				if strings.Contains(m.Text+string(m.Blocks), "midnight fix") && !m.Ephemeral {
					posts++
				}
			}
			if posts != 1 {
				t.Errorf("%d public posts, want 1", posts)
			}
		})
	}
}

// tcpProxy forwards connections to target until Cut, which closes the
// listener and every connection: a network partition between a process
// and etcd.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(p.Cut)
	return p
}

func (p *tcpProxy) Addr() string { return p.ln.Addr().String() }

// Cut drops every connection and refuses new ones.
func (p *tcpProxy) Cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Ensure a leader cut off from etcd (a network partition) stops leading
// within its lease, and another replica takes over.
func TestLeaderCutOffFromEtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	t.Parallel() // mostly waits (leases, quiet periods): runs beside the others
	c := etcdtest.Start(t, 1)
	proxy := newTCPProxy(t, strings.TrimPrefix(c.Endpoints()[0], "http://"))
	envA := replicaEnv(t, c, "2s")
	envA["RAPPORT_STORE"] = "etcd://" + proxy.Addr() + "/rapport"
	a := startProcess(t, envA)
	waitLog(t, a, "msg=leading", 0, 20*time.Second)
	b := startProcess(t, replicaEnv(t, c, "2s"))
	waitLog(t, b, "msg=\"rapport started\"", 0, 20*time.Second)

	cut := time.Now()
	proxy.Cut()
	waitLog(t, b, "msg=leading", 0, 15*time.Second)
	took := time.Since(cut)
	waitLog(t, a, "no longer leading", 0, 15*time.Second)
	stoodDown := time.Since(cut)
	t.Logf("after the cut: new leader in %v, the cut-off one stood down in %v (lease 2s)", took.Round(time.Millisecond), stoodDown.Round(time.Millisecond))
	if took > 2*time.Second+2*time.Second {
		t.Errorf("new leader %v after the cut, want within the lease + 2 s", took)
	}
}
