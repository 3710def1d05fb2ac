package main

import (
	"errors"
	"fmt"
	"math/rand"
	"regexp"
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

const (
	answerKillPoints   = 10
	answerPeople       = 12 // six pairs, one answer each per kill point
	killBudgetAnswers  = 35 * time.Second
	answerIntroTimeout = 10 * time.Second
)

// coffeeClick is one kind of coffee answer button: what it stores, how
// the clicker is answered, and whether the group hears a note.
type coffeeClick struct {
	action, suffix string
	answer         store.CoffeeAnswer
	reply          string // in the person's ephemeral answer
	note           string // in the note to the group; "" for none
}

var coffeeClicks = []coffeeClick{
	{action: "coffee_met", answer: store.AnswerYes, reply: "Glad you met", note: "says you met"},
	{action: "coffee_checkin", suffix: ":yes", answer: store.AnswerYes, reply: "Lovely, noted"},
	{action: "coffee_checkin_not_yet", suffix: ":not_yet", answer: store.AnswerNotYet, reply: "There's still time"},
	{action: "coffee_checkin_no", suffix: ":no", answer: store.AnswerNo, reply: "it happens"},
}

// introValue finds the "round:group" a coffee intro's buttons carry.
var introValue = regexp.MustCompile(`"action_id":"coffee_met","value":"(\d+:\d+)"`)

// Ensure SIGKILL at random points while people answer a coffee round
// ("We met ☕", and "Yes", "Not yet" or "No" to "Did you meet?") loses and
// duplicates nothing: after a restart every stored answer has all its
// effects exactly once (the pair in touch, each member's Home refresh, the
// note to the group when it sends one), an answer that is not stored has
// none, and every answer the person was told about is stored.
//
// Each kill point runs a round in the real process (/coffee now, as an
// admin), waits for the intros, clicks one answer per group through the
// fake's Socket Mode, and kills the process a random moment later.
func TestKillDuringCoffeeAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	seed := killSeed(t)
	rng := rand.New(rand.NewSource(seed))
	start := time.Now()
	var total answerPointResult
	points := 0
	for point := range answerKillPoints {
		if time.Since(start) > killBudgetAnswers {
			t.Logf("time budget spent after %d kill points", point)
			break
		}
		delay := time.Duration(rng.Int63n(int64(25*time.Millisecond) + 1)) // a click is handled within milliseconds
		kinds := make([]int, answerPeople/2)
		for i := range kinds {
			kinds[i] = rng.Intn(len(coffeeClicks))
		}
		var r answerPointResult
		t.Run(fmt.Sprintf("point%02d", point), func(t *testing.T) {
			r = killAnswerPoint(t, delay, kinds)
		})
		points++
		total.add(r)
	}
	if points < answerKillPoints/2 {
		t.Errorf("only %d of %d kill points ran within %v", points, answerKillPoints, killBudgetAnswers)
	}
	t.Logf("coffee answers: runs %d, answers clicked %d, stored %d, acknowledged %d, survived %d, lost %d, duplicates %d (%v)",
		points, total.clicked, total.stored, total.acked, total.survived, total.lost, total.dups, time.Since(start).Round(time.Millisecond))
}

type answerPointResult struct {
	clicked, stored, acked, survived, lost, dups int
}

func (r *answerPointResult) add(o answerPointResult) {
	r.clicked += o.clicked
	r.stored += o.stored
	r.acked += o.acked
	r.survived += o.survived
	r.lost += o.lost
	r.dups += o.dups
}

func killAnswerPoint(t *testing.T, delay time.Duration, kinds []int) answerPointResult {
	var res answerPointResult
	srv := newFakeSlack(t)
	srv.AddUser(slacktest.User{ID: "UADMIN", Name: "admin", TZ: "UTC", IsAdmin: true})
	var people []string
	var members strings.Builder
	for i := range answerPeople {
		id := fmt.Sprintf("UP%03d", i)
		srv.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), TZ: "UTC"})
		people = append(people, id)
		if i > 0 {
			members.WriteString(",")
		}
		fmt.Fprintf(&members, `{"user":%q,"joined":"2026-01-05T10:00:00Z"}`, id)
	}
	env := goodEnv(t)
	env["SLACK_API_URL"] = srv.APIURL()
	env["RAPPORT_TICK"] = "@every 1s"
	// Every hour is a working hour, so intros and notes go out at once.
	env["RAPPORT_WORK_HOURS"] = "00:00-24:00"
	env["RAPPORT_WORK_DAYS"] = "Mon-Sun"
	db, err := store.Open(env["RAPPORT_DB"], store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(strings.NewReader(`{"format":"rapport-export","version":1,"coffee":{"members":[` + members.String() + `]}}`)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ctx := testCtx(t)

	first := startProcess(t, env)
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatalf("first process never connected: %v\n%s", err, first.stderr.String())
	}
	if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/coffee", Text: "now", UserID: "UADMIN", ChannelID: "CGENERAL"}); err != nil {
		t.Fatal(err)
	}
	// The intros carry the round and group each button names.
	type group struct{ channel, value, clicker string }
	var groups []group
	deadlineAt := time.Now().Add(answerIntroTimeout)
	for len(groups) < answerPeople/2 {
		if time.Now().After(deadlineAt) {
			t.Fatalf("%d intros after %v, want %d\n%s", len(groups), answerIntroTimeout, answerPeople/2, first.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
		groups = groups[:0]
		for _, c := range srv.CallsTo("chat.postMessage") {
			m := introValue.FindStringSubmatch(readableJSON(c.Params["blocks"]))
			if m == nil {
				continue
			}
			conv, _ := srv.Conversation(c.Params["channel"])
			clicker := slices.DeleteFunc(slices.Sorted(slices.Values(conv.Members)), func(u string) bool { return u == "UBOT" })
			groups = append(groups, group{channel: c.Params["channel"], value: m[1], clicker: clicker[0]})
		}
	}

	var wg sync.WaitGroup
	for i, g := range groups {
		k := coffeeClicks[kinds[i]]
		wg.Go(func() {
			// The ack or ErrSocketClosed; with no socket the fake waits
			// for the next one, so a click may reach the second process.
			_, _ = srv.Interaction(ctx, map[string]any{
				"type": "block_actions", "user": map[string]any{"id": g.clicker},
				"channel":   map[string]any{"id": g.channel},
				"container": map[string]any{"type": "message", "channel_id": g.channel},
				"actions":   []any{map[string]any{"type": "button", "block_id": "b", "action_id": k.action, "value": g.value + k.suffix}},
			})
		})
	}
	time.Sleep(delay)
	first.kill(t)

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

	db, err = store.Open(env["RAPPORT_DB"], store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("database does not open after the kill: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("Check after the kill: %v", err)
	}
	rounds, err := db.Rounds()
	if err != nil || len(rounds) != 1 {
		t.Fatalf("rounds = %d (%v), want 1", len(rounds), err)
	}
	rd := rounds[0]
	for i, g := range groups {
		k := coffeeClicks[kinds[i]]
		res.clicked++
		var gi int
		if _, err := fmt.Sscanf(g.value, fmt.Sprintf("%d:%%d", rd.ID), &gi); err != nil || gi >= len(rd.Groups) {
			t.Fatalf("intro value %q does not name a group of round %d", g.value, rd.ID)
		}
		grp := rd.Groups[gi]
		partner := grp.Members[0]
		if partner == g.clicker {
			partner = grp.Members[1]
		}
		stored := grp.Answers[g.clicker] == k.answer
		if !stored && grp.Answers[g.clicker] != "" {
			t.Errorf("group %d: %s's answer is %q, want %q or none", gi, g.clicker, grp.Answers[g.clicker], k.answer)
		}
		acks, notes := 0, 0
		for _, m := range srv.Messages(g.channel) {
			switch {
			case m.Ephemeral && m.User == g.clicker && strings.Contains(m.Text, k.reply):
				acks++
			case k.note != "" && !m.Ephemeral && strings.Contains(m.Text, k.note):
				notes++
			}
		}
		if stored {
			res.stored++
		}
		if acks > 0 {
			res.acked++
		}
		if acks > 1 {
			res.dups += acks - 1
			t.Errorf("group %d: %s was answered %d times", gi, g.clicker, acks)
		}
		if acks > 0 && !stored {
			res.lost++
			t.Errorf("group %d: %s was told %q but the answer is not stored", gi, g.clicker, k.reply)
			continue
		}
		// Every effect of a stored answer, and none of one that is not.
		var problems []string
		if k.note != "" {
			want := 0
			if stored {
				want = 1
			}
			if notes != want {
				problems = append(problems, fmt.Sprintf("%d notes to the group, want %d", notes, want))
				if notes > 1 {
					res.dups += notes - 1
				}
			}
		}
		if k.answer == store.AnswerYes {
			for _, pair := range [][2]string{{g.clicker, partner}, {partner, g.clicker}} {
				c, err := db.CircleEntry(pair[0], pair[1])
				switch {
				case stored && (err != nil || c.LastKind != store.InTouchCoffee):
					problems = append(problems, fmt.Sprintf("%s not in touch with %s (%+v, %v)", pair[0], pair[1], c, err))
				case !stored && !errors.Is(err, store.ErrNotFound):
					problems = append(problems, fmt.Sprintf("%s in touch with %s without an answer", pair[0], pair[1]))
				}
			}
			for _, m := range grp.Members {
				_, err := db.OutgoingByKey(fmt.Sprintf("home:%s:coffee:%d:%d:%s:%s", m, rd.ID, gi, g.clicker, k.answer))
				if stored != (err == nil) {
					problems = append(problems, fmt.Sprintf("Home refresh of %s queued: %v, answer stored: %v", m, err == nil, stored))
				}
			}
		}
		if len(problems) > 0 {
			if stored {
				res.lost++
			}
			t.Errorf("group %d (%s, %s): %s", gi, k.action, g.clicker, strings.Join(problems, "; "))
			continue
		}
		if stored {
			res.survived++
		}
	}
	t.Logf("delay %v: clicked %d, stored %d, acknowledged %d, survived %d", delay, res.clicked, res.stored, res.acked, res.survived)
	if t.Failed() {
		t.Logf("first process stderr:\n%s\nsecond process stderr:\n%s", first.stderr.String(), second.stderr.String())
	}
	return res
}

// readableJSON undoes Go's HTML-safe escaping in JSON text.
func readableJSON(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}
