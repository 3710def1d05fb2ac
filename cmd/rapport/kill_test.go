package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// Kill-point tests: SIGKILL the real process at random points and check
// that nothing is lost and nothing is sent twice. The seed is logged; set
// RAPPORT_KILL_SEED to replay a run.

const (
	killPoints       = 20
	kudosPerPoint    = 5
	killQuiet        = 300 * time.Millisecond // no new post for this long: drained
	killDrainLimit   = 5 * time.Second
	importRecordsK   = 1400 // kudos in the import file
	importRecordsF   = 600  // follow-ups in the import file
	killBudgetKudos  = 40 * time.Second
	killBudgetImport = 40 * time.Second
)

func killSeed(t *testing.T) int64 {
	t.Helper()
	seed := time.Now().UnixNano()
	if s := os.Getenv("RAPPORT_KILL_SEED"); s != "" {
		if _, err := fmt.Sscan(s, &seed); err != nil {
			t.Fatalf("RAPPORT_KILL_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (replay with RAPPORT_KILL_SEED=%d)", seed, seed)
	return seed
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *process) kill(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGKILL) // it may have exited already
	select {
	case <-p.exited:
	case <-time.After(deadline):
		t.Fatal("process survived SIGKILL")
	}
}

// Ensure SIGKILL while /kudos commands are being handled loses nothing and
// sends nothing twice: after a restart every stored kudos has exactly one
// public post (its ts recorded on the kudos), one share in the kudos
// channel and one DM to its recipient, the DM sent after the post and
// linking to it; every confirmation the giver saw has its kudos; no kudos
// is stored twice.
//
// Every kill point gets a fresh fake Slack and a fresh database: the fake's
// record of calls and messages is then exactly that point's output, each
// point's invariants are independent (a failure names one point and its
// delay), and the daily kudos allowance never carries over.
func TestKillDuringKudos(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	seed := killSeed(t)
	rng := rand.New(rand.NewSource(seed))
	start := time.Now()
	var total kudosPointResult
	points := 0
	for point := range killPoints {
		if time.Since(start) > killBudgetKudos {
			t.Logf("time budget spent after %d kill points", point)
			break
		}
		delay := time.Duration(rng.Int63n(int64(150*time.Millisecond) + 1))
		var r kudosPointResult
		t.Run(fmt.Sprintf("point%02d", point), func(t *testing.T) {
			r = killKudosPoint(t, point, delay)
		})
		points++
		total.add(r)
	}
	if points < killPoints {
		t.Errorf("only %d of %d kill points ran within %v", points, killPoints, killBudgetKudos)
	}
	t.Logf("kudos: runs %d (kill points), commands %d, kudos stored %d (survived %d), lost %d, duplicates %d; confirmed %d, public posts %d, shares %d, DMs %d, killed mid-action %d (%v)",
		points, points*kudosPerPoint, total.stored, total.survived, total.lost, total.dups, total.confirmed, total.posts, total.shares, total.dms, total.midAction, time.Since(start).Round(time.Millisecond))
}

type kudosPointResult struct {
	stored, survived, posts, shares, dms, confirmed, dups, lost int
	midAction                                                   int // kudos stored whose post the first process had not sent
}

func (r *kudosPointResult) add(o kudosPointResult) {
	r.stored += o.stored
	r.survived += o.survived
	r.posts += o.posts
	r.shares += o.shares
	r.dms += o.dms
	r.confirmed += o.confirmed
	r.dups += o.dups
	r.lost += o.lost
	r.midAction += o.midAction
}

func killKudosPoint(t *testing.T, point int, delay time.Duration) kudosPointResult {
	var res kudosPointResult
	srv := newFakeSlack(t)
	givers := []string{"UALICE", "UBOB"}
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "UTC"})
	recipients := make([]string, kudosPerPoint)
	tokens := make([]string, kudosPerPoint)
	members := []string{"UALICE", "UBOB", "UBOT"}
	for i := range recipients {
		// One recipient per command: the confirmation ("Kudos sent to
		// <@URCPn>") and the DM then name their command.
		recipients[i] = fmt.Sprintf("URCP%d", i)
		tokens[i] = fmt.Sprintf("number %02d%02d", point, i) // fixed width: no prefix of another
		srv.AddUser(slacktest.User{ID: recipients[i], Name: fmt.Sprintf("rcp%d", i), TZ: "UTC"})
		members = append(members, recipients[i])
	}
	srv.AddChannel("CGENERAL", "general", false, members...)
	srv.AddChannel("CKUDOS", "kudos", false, "UBOT")

	env := goodEnv(t)
	env["SLACK_API_URL"] = srv.APIURL()
	env["RAPPORT_KUDOS_DAILY_LIMIT"] = "0"
	env["RAPPORT_KUDOS_CHANNEL"] = "CKUDOS"
	// DMs respect working hours: make every hour a working hour so the
	// restarted process delivers them now.
	env["RAPPORT_WORK_HOURS"] = "00:00-24:00"
	env["RAPPORT_WORK_DAYS"] = "Mon-Sun"
	ctx := testCtx(t)

	first := startProcess(t, env)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatalf("first process never connected: %v\n%s", err, first.stderr.String())
	}
	var wg sync.WaitGroup
	for i := range kudosPerPoint {
		wg.Go(func() {
			// The ack or ErrSocketClosed; with no socket the fake waits for
			// the next one, so a command may reach the second process.
			_, _ = srv.SlashCommand(ctx, slack.SlashCommand{
				Command:   "/kudos",
				Text:      fmt.Sprintf("<@%s> for the careful review %s", recipients[i], tokens[i]),
				UserID:    givers[i%len(givers)],
				ChannelID: "CGENERAL",
			})
		})
	}
	time.Sleep(delay)
	killedAt := time.Now()
	first.kill(t)
	postedBeforeKill := len(srv.CallsTo("chat.postMessage"))

	second := startProcess(t, env)
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

	db, err := store.Open(env["RAPPORT_DB"], store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("database does not open after the kill: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("Check after the kill: %v", err)
	}
	all, err := db.KudosBetween(time.Time{}, time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res.stored = len(all)

	storedBy := make([]int, kudosPerPoint)
	kudosOf := make([]store.Kudos, kudosPerPoint)
	for _, k := range all {
		n := 0
		for i, tok := range tokens {
			if strings.Contains(k.Text, tok) {
				storedBy[i]++
				kudosOf[i] = k
				n++
			}
		}
		if n != 1 {
			t.Errorf("stored kudos %d matches %d commands: %q", k.ID, n, k.Text)
		}
	}
	var confirmations []string
	for _, c := range srv.CallsTo("response_url") {
		if strings.Contains(c.Params["text"], "Kudos sent to") {
			confirmations = append(confirmations, c.Params["text"])
		}
	}
	// sent is every chat.postMessage that reached the fake, in order, and
	// the message it made (ts), for the order and link checks.
	type sent struct {
		call slacktest.Call
		body string
		n    int // position among the calls
	}
	var calls []sent
	for n, c := range srv.CallsTo("chat.postMessage") {
		calls = append(calls, sent{call: c, body: c.Params["text"] + c.Params["blocks"], n: n})
	}
	messages := func(channel, tok string) []slacktest.Message {
		var out []slacktest.Message
		for _, m := range srv.Messages(channel) {
			if !m.Ephemeral && strings.Contains(m.Text+string(m.Blocks), tok) {
				out = append(out, m)
			}
		}
		return out
	}
	firstCall := func(tok string, channels ...string) (sent, bool) {
		for _, c := range calls {
			if slices.Contains(channels, c.call.Params["channel"]) && strings.Contains(c.body, tok) {
				return c, true
			}
		}
		return sent{}, false
	}
	for i, tok := range tokens {
		if storedBy[i] > 1 {
			res.dups += storedBy[i] - 1
			t.Errorf("command %d (%s) stored %d times", i, tok, storedBy[i])
		}
		posts := messages("CGENERAL", tok)
		shares := messages("CKUDOS", tok)
		dms := messages(srv.DMChannel(recipients[i]), tok)
		res.posts += len(posts)
		res.shares += len(shares)
		res.dms += len(dms)
		for what, n := range map[string]int{"public posts": len(posts), "shares": len(shares), "DMs": len(dms)} {
			if n > 1 {
				// The outbox is claim → send → finish, and a restart reads
				// back what a killed process may have posted before
				// resending (bot/outbox.go), so any second copy is a real
				// duplicate.
				res.dups += n - 1
				t.Errorf("command %d (%s): %d %s (killed at %v)", i, tok, n, what, killedAt)
			}
			if n > 0 && storedBy[i] == 0 {
				t.Errorf("command %d (%s): %s sent but no kudos stored", i, tok, what)
			}
		}
		nConf := 0
		for _, c := range confirmations {
			if strings.Contains(c, "<@"+recipients[i]+">") {
				nConf++
			}
		}
		if nConf > 0 {
			res.confirmed++
		}
		if storedBy[i] == 0 {
			if nConf > 0 {
				res.lost++
				t.Errorf("command %d (%s) was confirmed but its kudos is not stored", i, tok)
			}
			continue
		}
		// A stored kudos: every effect delivered exactly once, in order.
		k := kudosOf[i]
		whole := len(posts) == 1 && len(shares) == 1 && len(dms) == 1
		if !whole {
			res.lost++
			t.Errorf("kudos %d (command %d, %s): %d public posts, %d shares, %d DMs; want one of each", k.ID, i, tok, len(posts), len(shares), len(dms))
			continue
		}
		post, _ := firstCall(tok, "CGENERAL")
		if post.n >= postedBeforeKill {
			res.midAction++
		}
		if k.Channel != "CGENERAL" || k.MessageTS != posts[0].TS {
			whole = false
			t.Errorf("kudos %d records its post as %s/%s, want CGENERAL/%s", k.ID, k.Channel, k.MessageTS, posts[0].TS)
		}
		link := "/archives/CGENERAL/p" + strings.ReplaceAll(posts[0].TS, ".", "")
		for what, m := range map[string]slacktest.Message{"DM": dms[0], "share": shares[0]} {
			if !strings.Contains(string(m.Blocks), link) {
				whole = false
				t.Errorf("kudos %d: the %s does not link to the post (%s): %s", k.ID, what, link, m.Blocks)
			}
		}
		dm, _ := firstCall(tok, srv.DMChannel(recipients[i]), recipients[i])
		if dm.n < post.n {
			whole = false
			t.Errorf("kudos %d: the DM went before the public post", k.ID)
		}
		if whole {
			res.survived++
		}
	}
	t.Logf("delay %v: stored %d (survived %d), confirmed %d, posts %d, shares %d, DMs %d, posted by the restarted process %d", delay, res.stored, res.survived, res.confirmed, res.posts, res.shares, res.dms, res.midAction)
	if t.Failed() {
		t.Logf("first process stderr:\n%s\nsecond process stderr:\n%s", first.stderr.String(), second.stderr.String())
	}
	return res
}

// waitQuiet waits until the fake has seen no new post (public, DM or
// response_url) for killQuiet, or killDrainLimit passes.
func waitQuiet(t *testing.T, srv *slacktest.Server) {
	t.Helper()
	count := func() int { return len(srv.CallsTo("chat.postMessage")) + len(srv.CallsTo("response_url")) }
	limit := time.Now().Add(killDrainLimit)
	last, since := count(), time.Now()
	for time.Since(since) < killQuiet {
		if time.Now().After(limit) {
			t.Logf("outbox still busy after %v", killDrainLimit)
			return
		}
		time.Sleep(20 * time.Millisecond)
		if n := count(); n != last {
			last, since = n, time.Now()
		}
	}
}

// fillStoreMany writes nKudos kudos and nFollowups follow-ups through the
// store's APIs.
func fillStoreMany(t *testing.T, path string, nKudos, nFollowups int) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	users := []string{"UALICE", "UBOB", "UCAROL", "UDAVE", "UERIN"}
	for i := range nKudos {
		g, r := users[i%len(users)], users[(i+1+i/len(users))%len(users)]
		if r == g {
			r = users[(i+2)%len(users)]
		}
		if _, err := db.AddKudos(store.Kudos{Giver: g, Receivers: []string{r}, Text: fmt.Sprintf("for the careful review number %d", i), Values: []string{"craft"}, Channel: "CGENERAL", MessageTS: fmt.Sprintf("%d.%06d", 1700000000+i, i), At: at.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range nFollowups {
		if _, err := db.AddFollowup(store.Followup{Owner: users[i%len(users)], Counterpart: users[(i+1)%len(users)], Text: fmt.Sprintf("send the deck, take %d", i), Due: at.Add(time.Duration(48+i) * time.Hour), Created: at.Add(time.Duration(i) * time.Minute)}, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func exportOf(t *testing.T, path string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"export", "-db", path}, getenvFrom(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("export %s: %v", path, err)
	}
	return dropExportedAt(out.String())
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	raw, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Ensure SIGKILL during `rapport import` leaves the database as it was or
// fully imported, never in between, and always passing Check.
func TestKillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	seed := killSeed(t)
	rng := rand.New(rand.NewSource(seed))
	dir := t.TempDir()

	src := filepath.Join(dir, "src.db")
	fillStoreMany(t, src, importRecordsK, importRecordsF)
	file := filepath.Join(dir, "export.json")
	if err := run(t.Context(), []string{"export", "-o", file}, getenvFrom(map[string]string{"RAPPORT_DB": src}), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("export: %v", err)
	}

	base := filepath.Join(dir, "base.db")
	fillStore(t, base)
	baseExport := exportOf(t, base)
	full := filepath.Join(dir, "full.db")
	copyFile(t, base, full)
	if err := run(t.Context(), []string{"import", "-db", full, file}, getenvFrom(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("reference import: %v", err)
	}
	fullExport := exportOf(t, full)
	if baseExport == fullExport {
		t.Fatal("the import changes nothing: the test would prove nothing")
	}

	// One uninterrupted subprocess import: it must give the reference
	// result, and its duration tells where the kill points fall.
	ref := filepath.Join(dir, "ref.db")
	copyFile(t, base, ref)
	refStart := time.Now()
	p := startProcess(t, map[string]string{"RAPPORT_DB": ref, "RAPPORT_TEST_ARGS": "import " + file})
	if code := p.wait(t, deadline); code != 0 {
		t.Fatalf("rapport import exited %d; stderr:\n%s", code, p.stderr.String())
	}
	refDur := time.Since(refStart)
	// The kill delay is drawn in [0, 300 ms] after offset, so that the
	// window is centred a third into the import, around its write transaction;
	// from the start, a race-built process is still parsing.
	offset := max(0, refDur/3-150*time.Millisecond)
	t.Logf("an uninterrupted import in a subprocess takes %v; kill delays are %v + [0, 300ms]", refDur.Round(time.Millisecond), offset.Round(time.Millisecond))
	if exportOf(t, ref) != fullExport {
		t.Fatal("the subprocess import differs from the in-process one")
	}

	start := time.Now()
	var points, asBase, asFull, broken int
	for point := range killPoints {
		if time.Since(start) > killBudgetImport {
			t.Logf("time budget spent after %d kill points", point)
			break
		}
		delay := offset + time.Duration(rng.Int63n(int64(300*time.Millisecond)+1))
		points++
		t.Run(fmt.Sprintf("point%02d", point), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "rapport.db")
			copyFile(t, base, db)
			p := startProcess(t, map[string]string{"RAPPORT_DB": db, "RAPPORT_TEST_ARGS": "import " + file})
			time.Sleep(delay)
			p.kill(t)
			finished := p.err == nil

			s, err := store.Open(db, store.Options{Timeout: time.Second})
			if err != nil {
				broken++
				t.Fatalf("delay %v: database does not open: %v", delay, err)
			}
			if err := s.Check(); err != nil {
				broken++
				t.Errorf("delay %v: Check: %v", delay, err)
			}
			s.Close()
			switch got := exportOf(t, db); got {
			case baseExport:
				asBase++
				if finished {
					t.Errorf("delay %v: the import exited 0 but the database is unchanged", delay)
				}
				t.Logf("delay %v: killed before the commit (unchanged)", delay)
			case fullExport:
				asFull++
				t.Logf("delay %v: fully imported (process finished: %v)", delay, finished)
			default:
				broken++
				t.Errorf("delay %v: the database is neither the base nor the full import (%d vs %d/%d bytes of export)",
					delay, len(got), len(baseExport), len(fullExport))
			}
		})
	}
	if points < killPoints {
		t.Errorf("only %d of %d kill points ran within %v", points, killPoints, killBudgetImport)
	}
	t.Logf("import: kill points %d, survived %d (unchanged %d, fully imported %d), torn or broken %d (%v)",
		points, asBase+asFull, asBase, asFull, broken, time.Since(start).Round(time.Millisecond))
}
