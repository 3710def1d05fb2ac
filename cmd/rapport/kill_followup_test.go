package main

import (
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

const (
	personalPoints      = 12 // kill points of each test below
	personalPerPoint    = 5  // commands of each kind per kill point
	killBudgetFollowups = 30 * time.Second
	killBudgetCheckins  = 30 * time.Second
)

// killTally is what the kill points of one test add up to.
type killTally struct {
	points, survived                                   int // kill points; those with nothing lost or doubled
	commands, stored, confirmed, delivered, lost, dups int
}

func (k *killTally) add(r killTally) {
	k.commands += r.commands
	k.stored += r.stored
	k.confirmed += r.confirmed
	k.delivered += r.delivered
	k.lost += r.lost
	k.dups += r.dups
}

func (k killTally) String() string {
	return fmt.Sprintf("runs (kill points) %d, survived %d, commands %d, stored %d, confirmed %d, effects delivered %d, lost %d, duplicates %d",
		k.points, k.survived, k.commands, k.stored, k.confirmed, k.delivered, k.lost, k.dups)
}

// personalKillRig is a fake Slack and the environment of a process that
// delivers DMs at any hour.
func personalKillRig(t *testing.T, users ...string) (*slacktest.Server, map[string]string) {
	srv := newFakeSlack(t)
	for _, u := range users {
		srv.AddUser(slacktest.User{ID: u, Name: strings.ToLower(u), TZ: "UTC"})
	}
	env := goodEnv(t)
	env["SLACK_API_URL"] = srv.APIURL()
	env["RAPPORT_WORK_HOURS"] = "00:00-24:00"
	env["RAPPORT_WORK_DAYS"] = "Mon-Sun"
	return srv, env
}

// killWhileHandling sends the commands concurrently, SIGKILLs the process
// after delay, starts a second one on the same database, and returns once
// the outbox has drained and the second process has stopped.
func killWhileHandling(t *testing.T, srv *slacktest.Server, env map[string]string, delay time.Duration, cmds []slack.SlashCommand) (first, second *process) {
	t.Helper()
	ctx := testCtx(t)
	first = startProcess(t, env)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatalf("first process never connected: %v\n%s", err, first.stderr.String())
	}
	var wg sync.WaitGroup
	for _, c := range cmds {
		wg.Go(func() {
			// The ack or ErrSocketClosed; with no socket the fake waits for
			// the next one, so a command may reach the second process.
			_, _ = srv.SlashCommand(ctx, c)
		})
	}
	time.Sleep(delay)
	first.kill(t)
	second = startProcess(t, env)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatalf("second process never connected: %v\n%s", err, second.stderr.String())
	}
	wg.Wait()
	waitQuiet(t, srv)
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := second.wait(t, 10*time.Second); code != 0 {
		t.Errorf("second process exit code %d after SIGTERM; stderr:\n%s", code, second.stderr.String())
	}
	return first, second
}

// dmsTo counts the DMs to user whose text or blocks contain all of want.
func dmsTo(srv *slacktest.Server, user string, want ...string) int {
	n, dm := 0, srv.DMChannel(user)
	for _, c := range srv.CallsTo("chat.postMessage") {
		if ch := c.Params["channel"]; ch != user && ch != dm {
			continue
		}
		if containsAll(c.Params["text"]+c.Params["blocks"], want...) {
			n++
		}
	}
	return n
}

// answersWith counts the response_url answers that contain all of want.
func answersWith(srv *slacktest.Server, want ...string) int {
	n := 0
	for _, c := range srv.CallsTo("response_url") {
		if containsAll(c.Params["text"]+c.Params["blocks"], want...) {
			n++
		}
	}
	return n
}

func containsAll(s string, want ...string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// runKillPoints runs killPoint at random delays until points ran or the
// budget is spent, and logs the tally.
func runKillPoints(t *testing.T, name string, budget time.Duration, killPoint func(t *testing.T, point int, delay time.Duration) killTally) {
	seed := killSeed(t)
	rng := rand.New(rand.NewSource(seed))
	start := time.Now()
	var total killTally
	for point := range personalPoints {
		if time.Since(start) > budget {
			t.Logf("time budget spent after %d kill points", point)
			break
		}
		delay := time.Duration(rng.Int63n(int64(150*time.Millisecond) + 1))
		var r killTally
		t.Run(fmt.Sprintf("point%02d", point), func(t *testing.T) { r = killPoint(t, point, delay) })
		total.points++
		if r.lost == 0 && r.dups == 0 {
			total.survived++
		}
		total.add(r)
	}
	if total.points < personalPoints/2 {
		t.Errorf("only %d of %d kill points ran within %v", total.points, personalPoints, budget)
	}
	t.Logf("%s: %v (%v)", name, total, time.Since(start).Round(time.Millisecond))
}

// Ensure SIGKILL while /followup commands make and close follow-ups loses
// nothing and repeats nothing: after a restart every stored follow-up has
// had its counterpart's note delivered exactly once, every one done its
// receipt exactly once, every confirmation seen has its record, and
// nothing is stored or sent twice.
func TestKillDuringFollowup(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	runKillPoints(t, "follow-ups", killBudgetFollowups, killFollowupPoint)
}

func killFollowupPoint(t *testing.T, point int, delay time.Duration) killTally {
	var res killTally
	n := personalPerPoint
	var users, makers, counterparts, closers, closees, tokens, closed []string
	for i := range n {
		makers = append(makers, fmt.Sprintf("UMAKE%d", i))
		counterparts = append(counterparts, fmt.Sprintf("UCP%d", i))
		closers = append(closers, fmt.Sprintf("UCLOSE%d", i))
		closees = append(closees, fmt.Sprintf("UOWED%d", i))
		tokens = append(tokens, fmt.Sprintf("take %02d%02d", point, i)) // fixed width: no prefix of another
		closed = append(closed, fmt.Sprintf("the old promise %02d%02d", point, i))
	}
	users = append(append(append(append(users, makers...), counterparts...), closers...), closees...)
	srv, env := personalKillRig(t, users...)

	// Each closer has one open follow-up, made before the process starts
	// (its note is not this test's business), and closes it with done 1.
	db, err := store.Open(env["RAPPORT_DB"], store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]uint64, n)
	for i := range n {
		f, err := db.AddFollowup(store.Followup{Owner: closers[i], Counterpart: closees[i], Text: closed[i], Due: time.Now().Add(72 * time.Hour)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = f.ID
	}
	db.Close()

	var cmds []slack.SlashCommand
	for i := range n {
		cmds = append(cmds,
			slack.SlashCommand{Command: "/followup", Text: fmt.Sprintf("<@%s> send the summary %s by tomorrow", counterparts[i], tokens[i]), UserID: makers[i], ChannelID: "CGENERAL"},
			slack.SlashCommand{Command: "/followup", Text: "done 1", UserID: closers[i], ChannelID: "CGENERAL"})
	}
	res.commands = len(cmds)
	first, second := killWhileHandling(t, srv, env, delay, cmds)

	db, err = store.Open(env["RAPPORT_DB"], store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("database does not open after the kill: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("Check after the kill: %v", err)
	}
	all, err := db.Followups()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		// Made: stored at most once; stored, its note exactly once;
		// confirmed, stored.
		stored := 0
		for _, f := range all {
			if strings.Contains(f.Text, tokens[i]) {
				stored++
			}
		}
		notes := dmsTo(srv, counterparts[i], tokens[i])
		confirmed := answersWith(srv, "Got it", tokens[i])
		res.stored += stored
		res.delivered += notes
		res.confirmed += min(confirmed, 1)
		switch {
		case stored > 1:
			res.dups += stored - 1
			t.Errorf("%q stored %d times", tokens[i], stored)
		case stored == 1 && notes == 0:
			res.lost++
			t.Errorf("follow-up %q is stored but %s never got its note", tokens[i], counterparts[i])
		case stored == 0 && notes > 0:
			t.Errorf("%s got a note about %q, which is not stored", counterparts[i], tokens[i])
		case stored == 0 && confirmed > 0:
			res.lost++
			t.Errorf("%s was told %q was saved, but it is not stored", makers[i], tokens[i])
		}
		if notes > 1 {
			res.dups += notes - 1
			t.Errorf("%s got the note about %q %d times", counterparts[i], tokens[i], notes)
		}
		if confirmed > 1 {
			res.dups += confirmed - 1
			t.Errorf("%s was confirmed %q %d times", makers[i], tokens[i], confirmed)
		}

		// Closed: done, its receipt exactly once; confirmed, done.
		f, err := db.Followup(ids[i])
		if err != nil {
			t.Fatal(err)
		}
		receipts := dmsTo(srv, closees[i], "followed up", closed[i])
		doneSaid := answersWith(srv, "Done:", closed[i])
		res.delivered += receipts
		res.confirmed += min(doneSaid, 1)
		if f.Status == store.FollowupDone {
			res.stored++
		}
		switch {
		case f.Status == store.FollowupDone && receipts == 0:
			res.lost++
			t.Errorf("%q is done but %s never got the receipt", closed[i], closees[i])
		case f.Status != store.FollowupDone && receipts > 0:
			t.Errorf("%s got a receipt for %q, which is %s", closees[i], closed[i], f.Status)
		case f.Status != store.FollowupDone && doneSaid > 0:
			res.lost++
			t.Errorf("%s was told %q is done, but it is %s", closers[i], closed[i], f.Status)
		}
		if receipts > 1 {
			res.dups += receipts - 1
			t.Errorf("%s got the receipt for %q %d times", closees[i], closed[i], receipts)
		}
	}
	t.Logf("delay %v: commands %d, stored %d, confirmed %d, effects delivered %d, lost %d, duplicates %d", delay, res.commands, res.stored, res.confirmed, res.delivered, res.lost, res.dups)
	if t.Failed() {
		t.Logf("first process stderr:\n%s\nsecond process stderr:\n%s", first.stderr.String(), second.stderr.String())
	}
	return res
}

// Ensure SIGKILL while /checkin commands are handled loses nothing and
// repeats nothing: after a restart every stored check-in has put its pair
// in touch, every confirmation seen has its check-in, nothing is stored
// twice, and no answer is sent twice.
func TestKillDuringCheckin(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	runKillPoints(t, "check-ins", killBudgetCheckins, killCheckinPoint)
}

func killCheckinPoint(t *testing.T, point int, delay time.Duration) killTally {
	var res killTally
	n := 2 * personalPerPoint
	var users, from, with, tokens []string
	for i := range n {
		from = append(from, fmt.Sprintf("UFROM%d", i))
		with = append(with, fmt.Sprintf("UWITH%d", i))
		tokens = append(tokens, fmt.Sprintf("moving %02d%02d", point, i))
	}
	users = append(append(users, from...), with...)
	srv, env := personalKillRig(t, users...)
	var cmds []slack.SlashCommand
	for i := range n {
		cmds = append(cmds, slack.SlashCommand{Command: "/checkin", Text: fmt.Sprintf("<@%s> %s to Berlin", with[i], tokens[i]), UserID: from[i], ChannelID: "CGENERAL"})
	}
	res.commands = len(cmds)
	first, second := killWhileHandling(t, srv, env, delay, cmds)

	db, err := store.Open(env["RAPPORT_DB"], store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("database does not open after the kill: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("Check after the kill: %v", err)
	}
	all, err := db.Checkins()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var stored []store.Checkin
		for _, c := range all {
			if strings.Contains(c.Note, tokens[i]) {
				stored = append(stored, c)
			}
		}
		confirmed := answersWith(srv, "Noted that you reached out to <@"+with[i]+">")
		res.stored += len(stored)
		res.confirmed += min(confirmed, 1)
		if len(stored) > 1 {
			res.dups += len(stored) - 1
			t.Errorf("%q stored %d times", tokens[i], len(stored))
		}
		if confirmed > 1 {
			res.dups += confirmed - 1
			t.Errorf("%s was answered %d times", from[i], confirmed)
		}
		if len(stored) == 0 {
			if confirmed > 0 {
				res.lost++
				t.Errorf("%s was told %q was noted, but it is not stored", from[i], tokens[i])
			}
			continue
		}
		// The check-in's effect: both directions in touch, as of it.
		inTouch := true
		for _, pair := range [][2]string{{from[i], with[i]}, {with[i], from[i]}} {
			c, err := db.CircleEntry(pair[0], pair[1])
			if err != nil || c.LastKind != store.InTouchCheckin || !c.LastInTouch.Equal(stored[0].At) {
				inTouch = false
				t.Errorf("check-in %q is stored, but %s's circle has %s as %+v, %v", tokens[i], pair[0], pair[1], c, err)
			}
		}
		if inTouch {
			res.delivered++
		} else {
			res.lost++
		}
	}
	if dms := len(srv.CallsTo("chat.postMessage")); dms != 0 {
		t.Errorf("check-ins sent %d messages, want none", dms)
	}
	t.Logf("delay %v: commands %d, stored %d, confirmed %d, effects delivered %d, lost %d, duplicates %d", delay, res.commands, res.stored, res.confirmed, res.delivered, res.lost, res.dups)
	if t.Failed() {
		t.Logf("first process stderr:\n%s\nsecond process stderr:\n%s", first.stderr.String(), second.stderr.String())
	}
	return res
}
