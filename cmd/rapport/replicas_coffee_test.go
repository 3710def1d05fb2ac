package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
)

// Ensure SIGKILL of the leader in the middle of a 40-person coffee round,
// with two replicas on one etcd store and one workspace, leaves one round,
// every group with exactly one intro in one group DM, and nobody in two
// groups: the replica left takes over and finishes the delivery.
func TestKillLeaderDuringCoffeeRound(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	t.Parallel() // mostly waits (leases, quiet periods): runs beside the others
	rng := killRand(t, 1)
	const points, people = 3, 40
	var tally roundTally
	for point := range points {
		c := etcdtest.Start(t, 1)
		prefix := fmt.Sprintf("/point%d", point)
		srv := slacktest.New(slacktest.Options{})
		srv.AddUser(slacktest.User{ID: "UADMIN", Name: "admin", TZ: "Europe/Berlin", IsAdmin: true})
		db, err := store.OpenEtcdClient(t.Context(), c.Client(t), prefix, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range people {
			id := fmt.Sprintf("UP%03d", i)
			srv.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), TZ: "Europe/Berlin"})
			if _, _, err := db.UpdateCoffeeMember(id, func(m *store.CoffeeMember) error { m.Via = store.ViaCommand; return nil }, store.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		srv.AddChannel("CGENERAL", "general", false, "UADMIN", "UBOT")
		env := processEnv(t, srv)
		env["RAPPORT_TICK"] = "@every 1s"
		env["RAPPORT_STORE"] = etcdURL(c, prefix)
		env["RAPPORT_LEADER_TTL"] = "2s"
		env["RAPPORT_SLACK_TIMEOUT"] = "2s" // an intro the killed leader was sending is read back 7 s later

		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		leader := startProcess(t, env)
		waitLog(t, leader, "msg=leading", 0, 20*time.Second)
		other := startProcess(t, env)
		if _, err := srv.WaitOpenConnections(ctx, 2); err != nil {
			t.Fatalf("point %d: two replicas not connected: %v", point, err)
		}
		if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/coffee", Text: "now", UserID: "UADMIN", ChannelID: "CGENERAL"}); err != nil {
			t.Fatalf("point %d: %v", point, err)
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond) // the kill point
		leader.kill(t)
		waitLog(t, other, "msg=leading", 0, 10*time.Second)
		// Wait until the new leader has settled everything: every group of
		// a stored round given its DM and intro, no message half-sent by
		// the old leader, none due and unsent.
		waitOutboxSettled(ctx, db, func() bool {
			rounds, err := db.Rounds()
			if err != nil {
				return false
			}
			for _, r := range rounds {
				for _, g := range r.Groups {
					if g.Channel == "" || g.IntroTS == "" {
						return false
					}
				}
			}
			return true
		})
		quiet(ctx, srv, time.Second)
		cancel()

		all, err := db.Rounds()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Check(); err != nil {
			t.Errorf("point %d: Check: %v", point, err)
		}
		if len(all) > 1 {
			t.Errorf("point %d: %d rounds from one /coffee now", point, len(all))
		}
		tally.check(t, point, srv, all)
		db.Close()
		srv.Close()
	}
	t.Logf("kill points %d · %s", points, tally)
}
