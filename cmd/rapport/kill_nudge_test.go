package main

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// Ensure SIGKILL at random points of a nudge batch (20 authors, each with
// overdue follow-ups) sends every author exactly one nudge DM after a
// restart: none lost, none twice.
func TestKillDuringNudgeBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	rng := killRand(t, 2)
	const points, authors = 20, 20
	var nudges, lost, dups int
	for point := range points {
		srv := slacktest.New(slacktest.Options{})
		env := processEnv(t, srv)
		env["RAPPORT_TICK"] = "@every 1s"
		db, err := store.Open(env["RAPPORT_DB"], store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for a := range authors {
			id := fmt.Sprintf("UA%03d", a)
			srv.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), TZ: "UTC"})
			for k := range 2 {
				if _, err := db.AddFollowup(store.Followup{Owner: id, Text: fmt.Sprintf("task %s-%d", id, k), Due: now.Add(-48 * time.Hour),
					Created: now.Add(-72 * time.Hour), NextAt: now.Add(-time.Hour), Reminded: true}, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		db.Close()

		p := startProcess(t, env)
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		if err := srv.WaitConnected(ctx); err != nil {
			t.Fatalf("point %d: not connected: %v", point, err)
		}
		time.Sleep(time.Duration(800+rng.IntN(1200)) * time.Millisecond) // the kill point, within the first ticks
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited

		p2 := startProcess(t, env)
		if err := srv.WaitConnections(ctx, 2); err != nil {
			t.Fatalf("point %d: restart not connected: %v", point, err)
		}
		quiet(ctx, srv, 2500*time.Millisecond)
		_ = p2.cmd.Process.Signal(syscall.SIGTERM)
		if code := p2.wait(t, 10*time.Second); code != 0 {
			t.Fatalf("point %d: exit %d:\n%s", point, code, p2.stderr.String())
		}
		cancel()
		for a := range authors {
			id := fmt.Sprintf("UA%03d", a)
			n := 0
			for _, m := range srv.Messages(srv.DMChannel(id)) {
				if strings.Contains(m.Text, "back on track") {
					n++
				}
			}
			nudges += n
			switch {
			case n == 0:
				lost++
				t.Errorf("point %d: %s got no nudge", point, id)
			case n > 1:
				dups += n - 1
				t.Errorf("point %d: %s got %d nudges", point, id, n)
			}
		}
		db, err = store.Open(env["RAPPORT_DB"], store.Options{})
		if err != nil {
			t.Fatalf("point %d: the database does not open: %v", point, err)
		}
		if err := db.Check(); err != nil {
			t.Errorf("point %d: Check: %v", point, err)
		}
		db.Close()
		srv.Close()
	}
	t.Logf("kill points %d · authors %d · nudges %d · lost %d · duplicated %d", points, points*authors, nudges, lost, dups)
}
