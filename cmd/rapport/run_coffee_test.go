package main

import (
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// Ensure a coffee round stored but not delivered (a crash between pairing
// and the intros) is delivered as soon as the restarted bot has settled,
// not at the coffee tick's first firing: here the tick runs once an hour.
func TestRunResumesCoffeeDeliveryAtStart(t *testing.T) {
	srv := newFakeSlack(t)
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "Europe/Berlin"})
	env := goodEnv(t)
	env["RAPPORT_TICK"] = "@every 1h"
	// Intros wait for working hours: make every hour one, whatever the
	// real time is.
	env["RAPPORT_WORK_HOURS"] = "00:00-24:00"
	env["RAPPORT_WORK_DAYS"] = "Mon-Sun"
	db, err := store.Open(env["RAPPORT_DB"], store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"UALICE", "UBOB"} {
		if _, _, err := db.UpdateCoffeeMember(id, func(m *store.CoffeeMember) error { m.Via = store.ViaCommand; return nil }, store.Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := db.CreateRound(store.Round{
		At:     time.Now().Add(-time.Minute),
		Manual: true,
		Groups: []store.CoffeeGroup{{Members: []string{"UALICE", "UBOB"}, Icebreaker: -1}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	r := startRun(t, srv, env)
	ctx := testCtx(t)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatalf("not connected: %v\n%s", err, r.stderr.String())
	}
	for {
		if intro := introFor(srv, "UALICE"); intro != "" {
			t.Logf("the round was delivered %v after start", time.Since(start).Round(time.Millisecond))
			if !strings.Contains(intro, "UBOB") {
				t.Errorf("intro %q does not name Bob", intro)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the undelivered round was not delivered within %v of start\n%s", deadline, r.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := r.stop(t); err != nil {
		t.Errorf("run = %v", err)
	}
}

// introFor returns the coffee intro in a group DM of user, or "".
func introFor(srv *slacktest.Server, user string) string {
	for _, c := range srv.ConversationsOf(user) {
		if c.Kind != "mpim" {
			continue
		}
		for _, m := range srv.Messages(c.ID) {
			if strings.Contains(string(m.Blocks), "coffee_met") {
				return m.Text + string(m.Blocks)
			}
		}
	}
	return ""
}
