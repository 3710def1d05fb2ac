package bot_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// faultyStore is the real store with one injected failure: once armed,
// the next coffee answer, settings save or forget-me fails inside its own
// transaction, after its record was changed there. Only an action that
// commits its record and its effects together leaves no trace of it.
type faultyStore struct {
	*store.DB
	armed atomic.Bool
}

func (f *faultyStore) UpdateRoundGroup(round uint64, group int, fn func(*store.CoffeeGroup) error, effects func(store.CoffeeGroup) store.Effects) (store.CoffeeGroup, error) {
	if f.armed.CompareAndSwap(true, false) {
		inner := effects
		effects = func(g store.CoffeeGroup) store.Effects {
			var e store.Effects
			if inner != nil {
				e = inner(g)
			}
			// An item that waits for itself cannot be stored.
			e.Outbox = append(e.Outbox, store.Outgoing{Key: "injected", User: "UX", After: "injected"})
			return e
		}
	}
	return f.DB.UpdateRoundGroup(round, group, fn, effects)
}

func (f *faultyStore) UpdatePerson(id string, fn func(*store.Person), e store.Effects) (store.Person, error) {
	if f.armed.CompareAndSwap(true, false) {
		inner := fn
		fn = func(p *store.Person) {
			inner(p)
			p.WorkStart = -time.Hour // refused when stored, inside the transaction
		}
	}
	return f.DB.UpdatePerson(id, fn, e)
}

func (f *faultyStore) ForgetUser(user string, now time.Time, effects func([]string) store.Effects) (store.ForgetStats, error) {
	if f.armed.CompareAndSwap(true, false) {
		inner := effects
		effects = func(affected []string) store.Effects {
			var e store.Effects
			if inner != nil {
				e = inner(affected)
			}
			// Still naming the person: the final scan refuses the commit.
			e.Outbox = append(e.Outbox, store.Outgoing{Key: "injected", User: user})
			return e
		}
	}
	return f.DB.ForgetUser(user, now, effects)
}

// homePublishes counts the Home publishes for user so far.
func homePublishes(srv *slacktest.Server, user string) int {
	n := 0
	for _, c := range srv.CallsTo("views.publish") {
		if c.Params["user_id"] == user {
			n++
		}
	}
	return n
}

// Ensure "We met ☕" records the answer, puts the pair in touch, and queues
// the note to the group and the Home refreshes in one commit: when the
// store fails, none of them is there and the person is told nothing was
// saved; clicked again, all of them are, and the note goes out once.
func TestCoffeeWeMetCommitsAnswerAndPairsTogether(t *testing.T) {
	people := berliners(2)
	var fs *faultyStore
	r := startCoffeeBot(t, coffeeSetup{users: people, store: func(db *store.DB) bot.Store {
		fs = &faultyStore{DB: db}
		return fs
	}})
	r.enrol(ids(people)...)
	rd := r.round(monday)
	g := rd.Groups[0]
	a, b := g.Members[0], g.Members[1]
	r.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": b, "channel": "D" + b, "tab": "home"}})
	value := fmt.Sprintf("%d:0", rd.ID)
	metNotes := func() int {
		n := 0
		for _, m := range r.slack.Messages(g.Channel) {
			if strings.Contains(m.Text, "says you met") {
				n++
			}
		}
		return n
	}

	fs.armed.Store(true)
	r.click(a, g.Channel, "coffee_met", value)
	if _, content := r.lastResponse(); !strings.Contains(content, "couldn't save your answer") || !strings.Contains(content, "nothing was changed") {
		t.Errorf("answer after a failed commit = %q, want that nothing was saved", content)
	}
	stored, err := r.db.Round(rd.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Groups[0].Answers) != 0 {
		t.Errorf("answers after a failed commit = %v, want none", stored.Groups[0].Answers)
	}
	if _, err := r.db.CircleEntry(a, b); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s and %s are in touch after a failed commit (err %v)", a, b, err)
	}
	if _, err := r.db.OutgoingByKey("coffee:" + value + ":met"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the group note was queued after a failed commit (err %v)", err)
	}
	published := homePublishes(r.slack, b)
	if _, err := r.bot.DeliverDue(r.ctx(), monday); err != nil {
		t.Fatal(err)
	}
	if n := metNotes(); n != 0 {
		t.Errorf("group heard %d \"met\" notes after a failed commit, want 0", n)
	}
	if n := homePublishes(r.slack, b); n != published {
		t.Errorf("%s's Home was republished %d times after a failed commit, want 0", b, n-published)
	}

	r.click(a, g.Channel, "coffee_met", value)
	if _, content := r.lastResponse(); !strings.Contains(content, "Glad you met") {
		t.Errorf("answer = %q, want the keep-in-touch offer", content)
	}
	stored, _ = r.db.Round(rd.ID)
	if got := stored.Groups[0].Answers[a]; got != store.AnswerYes {
		t.Errorf("%s's answer = %q, want yes", a, got)
	}
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		c, err := r.db.CircleEntry(pair[0], pair[1])
		if err != nil || !c.LastInTouch.Equal(monday) || c.LastKind != store.InTouchCoffee {
			t.Errorf("%s's circle entry for %s = %+v, %v; want in touch by coffee at %v", pair[0], pair[1], c, err, monday)
		}
	}
	r.click(b, g.Channel, "coffee_met", value) // the partner says so too
	if _, err := r.bot.DeliverDue(r.ctx(), monday); err != nil {
		t.Fatal(err)
	}
	if n := metNotes(); n != 1 {
		t.Errorf("group heard %d \"met\" notes, want 1", n)
	}
	if n := homePublishes(r.slack, b); n <= published {
		t.Errorf("%s's open Home was not republished after the answer", b)
	}
}

// Ensure a settings save whose commit fails changes nothing and says so on
// the Home, where the saved settings would have been confirmed.
func TestSettingsSaveThatFailsChangesNothing(t *testing.T) {
	var fs *faultyStore
	h := startBot(t, withStore(func(db *store.DB) bot.Store {
		fs = &faultyStore{DB: db}
		return fs
	}))
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	before, _ := h.db.Person("UALICE")
	form := settingsSubmission("UALICE", "07:30", "15:30", []string{"1", "2"}, "Asia/Tokyo", []string{"kudos"}, "mornings for deep work")

	fs.armed.Store(true)
	h.submitSettings(form)
	after, _ := h.db.Person("UALICE")
	if after.TZOverride != before.TZOverride || after.WorkStart != before.WorkStart || after.Style != before.Style || len(after.Muted) != len(before.Muted) {
		t.Errorf("person after a failed save = %+v, want unchanged %+v", after, before)
	}
	last := func() string {
		var v string
		for _, c := range h.slack.CallsTo("views.publish") {
			if c.Params["user_id"] == "UALICE" {
				v = c.Params["view"]
			}
		}
		return v
	}
	if v := last(); !strings.Contains(v, "couldn't save your settings") || strings.Contains(v, "Settings saved") {
		t.Errorf("Home after a failed save = %s, want that nothing was saved", v)
	}

	h.submitSettings(form)
	if p, _ := h.db.Person("UALICE"); p.TZOverride != "Asia/Tokyo" || p.Style != "mornings for deep work" {
		t.Errorf("person after the save = %+v", p)
	}
	if v := last(); !strings.Contains(v, "Settings saved") {
		t.Errorf("Home after the save = %s, want the confirmation", v)
	}
}

// Ensure forget-me commits with its effects: when the store fails nothing
// is deleted and the person is told so by DM; when it succeeds the Home of
// someone whose kudos named them is refreshed and the public post is
// edited, each once.
func TestForgetMeEffects(t *testing.T) {
	var fs *faultyStore
	c := newClock(wednesday)
	h := startBot(t, withStore(func(db *store.DB) bot.Store {
		fs = &faultyStore{DB: db}
		return fs
	}), withOptions(func(o *bot.Options) {
		o.Now = c.Now
		o.Kudos = bot.KudosOptions{DailyLimit: 5}
	}))
	h.kudos("UALICE", "CGENERAL", "<@UBOB> for the calm incident review")
	h.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UBOB", "channel": "DBOB", "tab": "home"}})
	if _, err := h.bot.DeliverDue(h.ctx(), wednesday); err != nil {
		t.Fatal(err)
	}
	submit := func() {
		t.Helper()
		ctx := h.ctx()
		ack, err := h.slack.Interaction(ctx, map[string]any{
			"type": "view_submission", "user": map[string]any{"id": "UALICE"},
			"view": map[string]any{"id": "V1", "type": "modal", "callback_id": "forget_me_modal", "state": map[string]any{"values": map[string]any{}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		h.markSent(ack.EnvelopeID)
		h.waitHandled(ctx, ack.EnvelopeID)
	}

	fs.armed.Store(true)
	published, edits := homePublishes(h.slack, "UBOB"), len(h.slack.CallsTo("chat.update"))
	submit()
	h.waitDM("UALICE", "nothing was deleted")
	if ks, _ := h.db.KudosReceived("UBOB", 10); len(ks) != 1 || ks[0].Giver != "UALICE" {
		t.Errorf("Bob's kudos after a failed forget-me = %+v, want it untouched", ks)
	}
	if _, err := h.bot.DeliverDue(h.ctx(), wednesday); err != nil {
		t.Fatal(err)
	}
	if n := homePublishes(h.slack, "UBOB") - published; n != 0 {
		t.Errorf("Bob's Home was republished %d times after a failed forget-me, want 0", n)
	}
	if n := len(h.slack.CallsTo("chat.update")) - edits; n != 0 {
		t.Errorf("%d posts were edited after a failed forget-me, want 0", n)
	}

	submit()
	h.waitDM("UALICE", "everything Rapport stored about you is deleted")
	if _, err := h.bot.DeliverDue(h.ctx(), wednesday); err != nil {
		t.Fatal(err)
	}
	if n := homePublishes(h.slack, "UBOB") - published; n != 1 {
		t.Errorf("Bob's Home was republished %d times after forget-me, want 1", n)
	}
	if n := len(h.slack.CallsTo("chat.update")) - edits; n < 1 {
		t.Error("the kudos post naming Alice was not edited")
	}
	for _, c := range h.slack.CallsTo("views.publish") {
		if c.Params["user_id"] == "UBOB" && strings.Contains(c.Params["view"], "UALICE") && c.At.After(h.slack.CallsTo("chat.update")[0].At) {
			t.Errorf("Bob's Home still names Alice after forget-me: %s", c.Params["view"])
		}
	}
	if err := h.db.Check(); err != nil {
		t.Errorf("Check after forget-me: %v", err)
	}
}
