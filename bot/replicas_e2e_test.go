package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// replicas are bots of one app sharing one store, each with its own Socket
// Mode connection to one fake Slack, as when Rapport runs as several
// processes.
type replicas struct {
	first  *harness
	clock  *clock           // the bots' shared clock
	byConn map[int]*harness // connection number → the bot holding it
}

// startReplicas starts n kudos bots on the same fake Slack and store. The
// fake retries an unacked event after 100ms instead of Slack's 3s.
func startReplicas(t *testing.T, n int) *replicas {
	t.Helper()
	c := newClock(wednesday)
	srv := slacktest.New(slacktest.Options{Now: c.Now, EventAckTimeout: 100 * time.Millisecond,
		EventRetryDelays: []time.Duration{0, 0, 0}})
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "Europe/Berlin"})
	srv.AddUser(slacktest.User{ID: "UBOB", Name: "bob", TZ: "America/New_York"})
	srv.AddChannel("CGENERAL", "general", false, "UALICE", "UBOB", "UBOT")
	kudosTeam(srv)
	r := &replicas{clock: c, byConn: map[int]*harness{}}
	var db *store.DB // the first bot opens it; the others share it
	for i := range n {
		h := startBot(t, withState(srv, db), withOptions(func(o *bot.Options) {
			o.Now = c.Now
			o.Kudos = bot.KudosOptions{Channel: "CKUDOS"}
		}))
		if r.first == nil {
			r.first, db = h, h.db
		}
		ids, err := srv.WaitOpenConnections(h.ctx(), i+1)
		if err != nil {
			t.Fatal(err)
		}
		r.byConn[ids[i]] = h
	}
	return r
}

// handled waits until the bot that got ack's envelope has handled it, and
// returns that bot.
func (r *replicas) handled(ack slacktest.Ack) *harness {
	r.first.t.Helper()
	h := r.byConn[ack.Conn]
	if h == nil {
		r.first.t.Fatalf("envelope %s acked on connection %d, which no bot holds", ack.EnvelopeID, ack.Conn)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(h.ctx(), ack.EnvelopeID)
	return h
}

// Ensure an event Slack delivers twice, to two processes, is handled once:
// the second delivery is Slack's retry after the first ack was lost, and
// it goes to the other connection.
func TestReplicasHandleARedeliveredEventOnce(t *testing.T) {
	r := startReplicas(t, 2)
	s := r.first.slack
	ev := dmHelp(r.first, "1700000000.000100")
	ev.EventID = "EvTWICE"
	first, err := s.Event(r.first.ctx(), ev)
	if err != nil {
		t.Fatal(err)
	}
	a := r.handled(first)
	ev.RetryAttempt, ev.RetryReason = 1, "timeout"
	retry, err := s.Event(r.first.ctx(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if b := r.handled(retry); b == a {
		t.Fatalf("both deliveries went to connection %d; the test needs one on each bot", first.Conn)
	}
	if got := dmReplies(r.first); len(got) != 1 {
		t.Errorf("the bots answered the event %d times in the DM, want once: %+v", len(got), got)
	}
}

// Ensure an event whose ack Slack never got, retried on the other process's
// connection, is handled once: the first process handled it, the second
// sees the same event_id and does nothing.
func TestReplicasHandleAnEventRetriedAfterALostAck(t *testing.T) {
	r := startReplicas(t, 2)
	s := r.first.slack
	s.LoseAcks(1)
	ev := dmHelp(r.first, "1700000000.000100")
	ev.EventID = "EvLOSTACK"
	ack, err := s.Event(r.first.ctx(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var bots []*harness
	for _, d := range s.Deliveries() {
		if d.EventID == "EvLOSTACK" {
			bots = append(bots, r.handled(slacktest.Ack{EnvelopeID: d.EnvelopeID, Conn: d.Conn}))
		}
	}
	if len(bots) != 2 || bots[0] == bots[1] || ack.Conn == s.Deliveries()[0].Conn {
		t.Fatalf("event went to %d bot(s), acked on connection %d: want the first delivery and its retry on different bots", len(bots), ack.Conn)
	}
	if got := dmReplies(r.first); len(got) != 1 {
		t.Errorf("the bots answered the event %d times in the DM, want once: %+v", len(got), got)
	}
}

// Ensure slash commands spread over two processes are each answered once,
// and each kudos is saved once.
func TestReplicasAnswerEachCommandOnce(t *testing.T) {
	r := startReplicas(t, 2)
	s := r.first.slack
	const n = 6
	perBot := map[*harness]int{}
	for i := range n {
		ack, err := s.SlashCommand(r.first.ctx(), slack.SlashCommand{Command: "/kudos",
			Text: fmt.Sprintf("<@UBOB> for review number %d", i), UserID: "UALICE", ChannelID: "CGENERAL"})
		if err != nil {
			t.Fatal(err)
		}
		perBot[r.handled(ack)]++
	}
	if len(perBot) != 2 {
		t.Fatalf("commands per bot = %v, want them spread over both", perBot)
	}
	confirmations := 0
	for _, c := range r.first.responses() {
		if c.Params["response_type"] == "ephemeral" {
			confirmations++
		}
	}
	if confirmations != n {
		t.Errorf("%d confirmations to the giver, want %d (one per command)", confirmations, n)
	}
	kudos, err := r.first.db.KudosBetween(wednesday.Add(-time.Hour), wednesday.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(kudos) != n {
		t.Errorf("%d kudos saved, want %d", len(kudos), n)
	}
}

// Ensure each kudos given through either of two processes is posted once,
// even with both draining the outbox (as an old and a new leader can for
// a moment): a drain that read an item as pending may defer or fail it
// only while it is still pending, never once the other has claimed it
// (that took the claim back, and the item went twice, one run in two).
func TestReplicasPostEachKudosOnce(t *testing.T) {
	r := startReplicas(t, 2)
	s := r.first.slack
	const n = 6
	for i := range n {
		ack, err := s.SlashCommand(r.first.ctx(), slack.SlashCommand{Command: "/kudos",
			Text: fmt.Sprintf("<@UBOB> for review number %d", i), UserID: "UALICE", ChannelID: "CGENERAL"})
		if err != nil {
			t.Fatal(err)
		}
		r.handled(ack)
	}
	// A replica's outbox may reach a kudos's share while the other replica
	// is posting the kudos; the share then waits a little on the bots'
	// clock. Let that time pass, as the scheduler's tick does, until
	// nothing is pending.
	for minute := 1; minute <= 5; minute++ {
		r.clock.Set(wednesday.Add(time.Duration(minute) * time.Minute))
		for _, h := range r.byConn {
			if _, err := h.bot.DeliverDue(h.ctx(), r.clock.Now()); err != nil {
				t.Errorf("outbox drain: %v", err)
			}
		}
		if _, pending, err := r.first.db.NextOutgoingAt(); err != nil || !pending {
			break
		}
	}
	for i := range n {
		want := fmt.Sprintf("review number %d", i)
		for _, channel := range []string{"CGENERAL", "CKUDOS"} {
			r.first.waitPublic(channel, want)
			posts := 0
			for _, m := range r.first.public(channel) {
				if strings.Contains(body(m), want) {
					posts++
				}
			}
			if posts != 1 {
				t.Errorf("kudos %q posted %d times in %s, want once", want, posts, channel)
			}
		}
	}
}
