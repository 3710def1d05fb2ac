package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
)

// Ensure SIGKILL of the leader while /kudos commands are handled by two
// replicas loses and doubles nothing: every kudos stored has exactly one
// public post and one DM, every confirmation the giver saw has its kudos,
// and nothing is stored twice.
func TestKillLeaderDuringKudos(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	t.Parallel() // mostly waits (leases, quiet periods): runs beside the others
	rng := killRand(t, 2)
	const points, perPoint = 3, 6
	var stored, confirmed, lost, dups int
	for point := range points {
		c := etcdtest.Start(t, 1)
		srv := newFakeSlack(t)
		var recipients []string
		for i := range perPoint {
			id := fmt.Sprintf("URK%d", i)
			srv.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), TZ: "UTC"})
			recipients = append(recipients, id)
		}
		srv.AddChannel("CGENERAL", "general", false, append(recipients, "UALICE", "UBOT")...)
		env := processEnv(t, srv)
		env["RAPPORT_STORE"] = etcdURL(c, "/rapport")
		env["RAPPORT_LEADER_TTL"] = "2s"
		env["RAPPORT_SLACK_TIMEOUT"] = "2s"
		env["RAPPORT_KUDOS_DAILY_LIMIT"] = "0"
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		leader := startProcess(t, env)
		waitLog(t, leader, "msg=leading", 0, 20*time.Second)
		other := startProcess(t, env)
		if _, err := srv.WaitOpenConnections(ctx, 2); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range perPoint { // spread over both replicas by the fake
			wg.Go(func() {
				cctx, ccancel := context.WithTimeout(ctx, 3*time.Second)
				defer ccancel()
				_, _ = srv.SlashCommand(cctx, slack.SlashCommand{Command: "/kudos", UserID: "UALICE", ChannelID: "CGENERAL",
					Text: fmt.Sprintf("<@%s> for kill token %d-%d", recipients[i], point, i)})
			})
		}
		time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond) // the kill point
		leader.kill(t)
		wg.Wait()
		waitLog(t, other, "msg=leading", 0, 10*time.Second)

		db, err := store.OpenEtcdClient(ctx, c.Client(t), "/rapport", store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		waitOutboxSettled(ctx, db, nil)
		quiet(ctx, srv, time.Second)
		ks, err := db.KudosBetween(time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		count := func(channel, tok string) int {
			n := 0
			for _, m := range srv.Messages(channel) {
				if !m.Ephemeral && strings.Contains(m.Text+string(m.Blocks), tok) {
					n++
				}
			}
			return n
		}
		for i := range perPoint {
			tok := fmt.Sprintf("kill token %d-%d", point, i)
			n := 0
			for _, k := range ks {
				if strings.Contains(k.Text, tok) {
					n++
				}
			}
			sawConfirmation := false
			for _, call := range srv.CallsTo("response_url") {
				if body := readableJSON(string(call.Body)); strings.Contains(body, "Kudos sent") && strings.Contains(body, "<@"+recipients[i]+">") {
					sawConfirmation = true
				}
			}
			posts, dmsGot := count("CGENERAL", tok), count(srv.DMChannel(recipients[i]), tok)
			switch {
			case n > 1:
				dups += n - 1
				t.Errorf("point %d: %s stored %d times", point, tok, n)
			case n == 1:
				stored++
				if posts != 1 || dmsGot != 1 {
					lost++
					t.Errorf("point %d: %s stored, with %d posts and %d DMs; want one of each", point, tok, posts, dmsGot)
				}
			case sawConfirmation:
				lost++
				t.Errorf("point %d: %s confirmed but not stored", point, tok)
			case posts+dmsGot > 0:
				t.Errorf("point %d: %s not stored, but %d posts and %d DMs went out", point, tok, posts, dmsGot)
			}
			if sawConfirmation {
				confirmed++
			}
			if posts > 1 || dmsGot > 1 {
				dups++
				t.Errorf("point %d: %s: %d posts, %d DMs", point, tok, posts, dmsGot)
			}
		}
		db.Close()
		cancel()
	}
	t.Logf("kill points %d · commands %d · stored %d · confirmed %d · lost %d · duplicates %d", points, points*perPoint, stored, confirmed, lost, dups)
}

// waitOutboxSettled waits (bounded by ctx) until the leader has settled
// the outbox: no message half-sent by an old leader, none due and unsent,
// and done() true when given.
func waitOutboxSettled(ctx context.Context, db *store.DB, done func() bool) {
	for ctx.Err() == nil {
		stuck, err1 := db.StuckOutgoing()
		due, err2 := db.DueOutgoing(time.Now(), 1)
		if err1 == nil && err2 == nil && len(stuck) == 0 && len(due) == 0 && (done == nil || done()) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
