package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
)

// Ensure a rolling restart of three replicas under a steady stream of
// slash commands answers every command exactly once and stores each
// kudos once: at each step one replica stops (SIGTERM: it resigns if it
// leads) and a new one starts, while Slack's envelopes go to whichever
// connections are open.
func TestRollingRestartAnswersEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	t.Parallel() // mostly waits (leases, quiet periods): runs beside the others
	c := etcdtest.Start(t, 1)
	srv := slacktest.New(slacktest.Options{})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "UTC"})
	var members []string
	for i := range 40 {
		id := fmt.Sprintf("UR%02d", i)
		srv.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), TZ: "UTC"})
		members = append(members, id)
	}
	srv.AddChannel("CGENERAL", "general", false, append(members, "UALICE", "UBOT")...)
	env := processEnv(t, srv)
	env["RAPPORT_STORE"] = etcdURL(c, "/rapport")
	env["RAPPORT_LEADER_TTL"] = "2s"
	env["RAPPORT_KUDOS_DAILY_LIMIT"] = "0"

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	replicas := []*process{startProcess(t, env), startProcess(t, env), startProcess(t, env)}
	if _, err := srv.WaitOpenConnections(ctx, 3); err != nil {
		t.Fatal(err)
	}

	// A steady stream: one /kudos every 50 ms, each to its own recipient
	// and with its own text, until the restarts are done.
	var sent, acked atomic.Int64
	var failures []string
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			n := sent.Add(1)
			cmdCtx, cmdCancel := context.WithTimeout(ctx, 3*time.Second) // Slack's deadline for the ack
			_, err := srv.SlashCommand(cmdCtx, slack.SlashCommand{Command: "/kudos", UserID: "UALICE", ChannelID: "CGENERAL",
				Text: fmt.Sprintf("<@%s> for rolling number %03d", members[i%len(members)], n)})
			cmdCancel()
			if err != nil {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("command %d: %v", n, err))
				mu.Unlock()
				continue
			}
			acked.Add(1)
		}
	})
	for i := range replicas {
		time.Sleep(700 * time.Millisecond)
		old := replicas[i]
		if err := old.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := old.wait(t, 15*time.Second); code != 0 {
			t.Errorf("replica %d exited %d", i, code)
		}
		replicas[i] = startProcess(t, env)
		if _, err := srv.WaitOpenConnections(ctx, 3); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(700 * time.Millisecond)
	close(done)
	wg.Wait()
	quiet(ctx, srv, 2*time.Second)

	mu.Lock()
	for _, f := range failures {
		t.Errorf("unanswered: %s", f)
	}
	mu.Unlock()
	// Every acked command was answered once ("Kudos sent", through its
	// response_url), and stored once.
	answered := 0
	for _, call := range srv.CallsTo("response_url") {
		if strings.Contains(string(call.Body), "Kudos sent") {
			answered++
		}
	}
	if int64(answered) != acked.Load() {
		t.Errorf("%d confirmations for %d commands acked", answered, acked.Load())
	}
	db, err := store.OpenEtcdClient(ctx, c.Client(t), "/rapport", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ks, err := db.KudosBetween(time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, k := range ks {
		stored[k.Text]++
	}
	for text, n := range stored {
		if n > 1 {
			t.Errorf("%q stored %d times", text, n)
		}
	}
	if int64(len(ks)) != acked.Load() {
		t.Errorf("%d kudos stored for %d commands acked", len(ks), acked.Load())
	}
	t.Logf("commands %d · acked %d · unanswered %d · stored %d · confirmed %d", sent.Load(), acked.Load(), len(failures), len(ks), answered)
}
