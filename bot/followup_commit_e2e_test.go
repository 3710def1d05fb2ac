package bot_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/store"
)

// commitFaults is the real store whose follow-up and check-in
// transactions fail at their end while armed: an effect that cannot be
// queued is added to the action's own, so the record written before it in
// the same transaction is rolled back with everything else.
type commitFaults struct {
	*store.DB
	armed atomic.Bool
}

func withCommitFaults(cf *commitFaults) harnessOption {
	return withStore(func(db *store.DB) bot.Store { cf.DB = db; return cf })
}

// spoil is e plus, while armed, an item that goes nowhere.
func (s *commitFaults) spoil(e store.Effects) store.Effects {
	if s.armed.Load() {
		e.Outbox = append(e.Outbox, store.Outgoing{Key: "injected-fault"})
	}
	return e
}

func (s *commitFaults) AddFollowup(f store.Followup, effects func(store.Followup) store.Effects) (store.Followup, error) {
	return s.DB.AddFollowup(f, func(f store.Followup) store.Effects { return s.spoil(effects(f)) })
}

func (s *commitFaults) UpdateFollowup(id uint64, f func(*store.Followup) error, effects func(store.Followup) store.Effects) (store.Followup, error) {
	return s.DB.UpdateFollowup(id, f, func(fu store.Followup) store.Effects { return s.spoil(effects(fu)) })
}

func (s *commitFaults) DeleteFollowup(id uint64, withdraw string, effects func(store.Followup, store.OutboxState) (store.Effects, error)) (store.Followup, error) {
	return s.DB.DeleteFollowup(id, withdraw, func(f store.Followup, was store.OutboxState) (store.Effects, error) {
		e, err := effects(f, was)
		return s.spoil(e), err
	})
}

func (s *commitFaults) AddCheckin(c store.Checkin, effects func(store.Checkin) store.Effects) (store.Checkin, error) {
	return s.DB.AddCheckin(c, func(c store.Checkin) store.Effects { return s.spoil(effects(c)) })
}

// queued reports whether the outbox holds an item under key.
func queued(t *testing.T, db *store.DB, key string) bool {
	t.Helper()
	_, err := db.OutgoingByKey(key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

const notSavedText = "couldn't save"

// Ensure a follow-up, the counterpart's note and both Home refreshes
// commit together: when the transaction fails at its end, nothing is
// stored, nothing queued or sent, nobody put in touch, and the author is
// told; when it succeeds, all of them are there, and Bob gets the note
// once. The same holds for Done and its receipt.
func TestFollowupCommitsWithItsEffects(t *testing.T) {
	cf := &commitFaults{}
	r := startFollowupBot(t, withCommitFaults(cf))

	cf.armed.Store(true)
	if got := r.followup("UALICE", "<@UBOB|bob> send the deck by tomorrow"); !strings.Contains(got, notSavedText) || strings.Contains(got, "Got it") {
		t.Fatalf("answer to a failed commit = %q, want that nothing was saved", got)
	}
	if all, _ := r.db.Followups(); len(all) != 0 {
		t.Errorf("a failed commit stored %+v", all)
	}
	for _, key := range []string{"followup:1:notice", "home:UALICE:followup:1", "home:UBOB:followup:1", "injected-fault"} {
		if queued(t, r.db, key) {
			t.Errorf("a failed commit queued %q", key)
		}
	}
	if _, err := r.db.CircleEntry("UALICE", "UBOB"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed commit put Alice and Bob in touch: %v", err)
	}

	cf.armed.Store(false)
	if got := r.followup("UALICE", "<@UBOB|bob> send the deck by tomorrow"); !strings.Contains(got, "Got it") {
		t.Fatalf("confirmation = %q", got)
	}
	fs, _ := r.db.Followups()
	if len(fs) != 1 {
		t.Fatalf("follow-ups = %+v, want one", fs)
	}
	id := fs[0].ID
	for _, key := range []string{fmt.Sprintf("followup:%d:notice", id), fmt.Sprintf("home:UALICE:followup:%d", id), fmt.Sprintf("home:UBOB:followup:%d", id)} {
		if !queued(t, r.db, key) {
			t.Errorf("%q was not queued with the follow-up", key)
		}
	}
	r.waitDM("UBOB", "will *send the deck* for you")

	cf.armed.Store(true)
	if got := r.followup("UALICE", "done 1"); !strings.Contains(got, notSavedText) {
		t.Fatalf("answer to a failed Done = %q, want that nothing was saved", got)
	}
	if f, _ := r.db.Followup(id); f.Status != store.FollowupOpen {
		t.Errorf("a failed Done left it %s", f.Status)
	}
	if queued(t, r.db, fmt.Sprintf("followup:%d:receipt", id)) {
		t.Error("a failed Done queued the receipt")
	}
	cf.armed.Store(false)
	if got := r.followup("UALICE", "done 1"); !strings.Contains(got, "Done: send the deck") {
		t.Fatalf("answer to Done = %q", got)
	}
	r.waitDM("UBOB", "followed up: send the deck")
	if _, err := r.bot.DeliverDue(r.ctx(), r.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := countContaining(r.dms("UBOB"), "will *send the deck* for you"); n != 1 {
		t.Errorf("Bob got the note %d times, want 1", n)
	}
	if n := countContaining(r.dms("UBOB"), "followed up: send the deck"); n != 1 {
		t.Errorf("Bob got the receipt %d times, want 1", n)
	}
}

// Ensure Undo is one transaction whose every failure reaches the person:
// a failed commit keeps the follow-up and its note (still to be sent), and
// says so; a refusal and a second Undo say so too; a successful Undo
// withdraws the note before it is sent, so Bob hears nothing.
func TestFollowupUndoErrorsReachThePerson(t *testing.T) {
	cf := &commitFaults{}
	r := startFollowupBot(t, withCommitFaults(cf))
	// Bob's working day has not begun (05:00 in Berlin): the note waits.
	r.clock.Set(tuesday.Add(-4 * 3600e9))
	r.followup("UALICE", "<@UBOB|bob> send the deck by tomorrow")
	fs, _ := r.db.Followups()
	if len(fs) != 1 {
		t.Fatalf("follow-ups = %+v", fs)
	}
	id := fs[0].ID
	notice := fmt.Sprintf("followup:%d:notice", id)

	cf.armed.Store(true)
	r.click("UALICE", "CGENERAL", "followup_undo", fmt.Sprint(id))
	if _, got := r.lastResponse(); !strings.Contains(got, notSavedText) {
		t.Errorf("answer to a failed Undo = %q, want that nothing was done", got)
	}
	if _, err := r.db.Followup(id); err != nil {
		t.Errorf("a failed Undo deleted the follow-up: %v", err)
	}
	if o, _ := r.db.OutgoingByKey(notice); o.State != store.OutboxPending {
		t.Errorf("a failed Undo left the note %s, want pending", o.State)
	}
	cf.armed.Store(false)

	r.click("UBOB", "CGENERAL", "followup_undo", fmt.Sprint(id))
	if _, got := r.lastResponse(); !strings.Contains(got, "Only <@UALICE>") {
		t.Errorf("answer to Bob's Undo = %q, want a refusal", got)
	}
	r.click("UALICE", "CGENERAL", "followup_undo", fmt.Sprint(id))
	if _, got := r.lastResponse(); !strings.Contains(got, "Undone") {
		t.Fatalf("answer to Undo = %q", got)
	}
	if _, err := r.db.Followup(id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after Undo the follow-up is still there: %v", err)
	}
	if o, _ := r.db.OutgoingByKey(notice); o.State != store.OutboxFailed {
		t.Errorf("after Undo the note is %s, want withdrawn (failed)", o.State)
	}
	r.click("UALICE", "CGENERAL", "followup_undo", fmt.Sprint(id))
	if _, got := r.lastResponse(); !strings.Contains(got, "no longer exists") {
		t.Errorf("answer to a second Undo = %q", got)
	}
	r.tickAt(tuesday)
	if ms := r.dms("UBOB"); len(ms) != 0 {
		t.Errorf("Bob got %d DMs about an undone follow-up: %s", len(ms), body(ms[0]))
	}
}

// Ensure an Undo after the note went out tells Bob, once, that it was
// taken back, after the note.
func TestFollowupUndoAfterTheNote(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "<@UBOB|bob> send the deck by tomorrow")
	r.waitDM("UBOB", "will *send the deck* for you")
	fs, _ := r.db.Followups()
	r.click("UALICE", "CGENERAL", "followup_undo", fmt.Sprint(fs[0].ID))
	r.waitDM("UBOB", "took back the note about: send the deck")
	r.tickAt(tuesday.Add(3600e9))
	if n := countContaining(r.dms("UBOB"), "took back"); n != 1 {
		t.Errorf("Bob was told %d times that it was taken back, want 1", n)
	}
}

// Ensure a /checkin whose commit fails records nothing, puts nobody in
// touch, and says so; the same check-in then goes through.
func TestCheckinCommitFailureRecordsNothing(t *testing.T) {
	cf := &commitFaults{}
	r := startFollowupBot(t, withCommitFaults(cf))
	cf.armed.Store(true)
	if got := r.checkin("UALICE", "<@UBOB|bob> moving to Berlin in March"); !strings.Contains(got, notSavedText) || strings.Contains(got, "Noted") {
		t.Fatalf("answer to a failed check-in = %q, want that nothing was saved", got)
	}
	if all, _ := r.db.Checkins(); len(all) != 0 {
		t.Errorf("a failed check-in stored %+v", all)
	}
	if _, err := r.db.CircleEntry("UALICE", "UBOB"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed check-in put Alice and Bob in touch: %v", err)
	}
	if queued(t, r.db, "home:UALICE:checkin:1") {
		t.Error("a failed check-in queued a Home refresh")
	}
	cf.armed.Store(false)
	if got := r.checkin("UALICE", "<@UBOB|bob> moving to Berlin in March"); !strings.Contains(got, "Noted") {
		t.Fatalf("check-in = %q", got)
	}
	if all, _ := r.db.Checkins(); len(all) != 1 {
		t.Errorf("check-ins = %+v, want one", all)
	}
	if c, err := r.db.CircleEntry("UALICE", "UBOB"); err != nil || c.LastKind != store.InTouchCheckin {
		t.Errorf("CircleEntry(UALICE, UBOB) = %+v, %v; want in touch by a check-in", c, err)
	}
}
