package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// noteEffects are what making or closing follow-up f causes in these
// tests: the pair in touch and a note to the counterpart keyed by f's ID.
func noteEffects(what string) func(f store.Followup) store.Effects {
	return func(f store.Followup) store.Effects {
		return store.Effects{
			InTouch: []store.InTouch{{A: f.Owner, B: f.Counterpart, At: base, Kind: store.InTouchFollowup}},
			Outbox:  []store.Outgoing{{Key: fmt.Sprintf("f:%d:%s", f.ID, what), User: f.Counterpart, Text: what}},
		}
	}
}

// broken adds an item that cannot be queued (it goes nowhere) to e's
// effects: the transaction must fail after the record was written.
func broken[T any](e func(T) store.Effects) func(T) store.Effects {
	return func(rec T) store.Effects {
		out := e(rec)
		out.Outbox = append(out.Outbox, store.Outgoing{Key: "nowhere"})
		return out
	}
}

func mustNotQueued(t *testing.T, db *store.DB, key string) {
	t.Helper()
	if o, err := db.OutgoingByKey(key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OutgoingByKey(%q) = %+v, %v; want nothing queued", key, o, err)
	}
}

// Ensure a follow-up and what it causes commit together: the note keyed
// by the new ID and the pair in touch, or, when one effect cannot be
// written, neither the follow-up nor any effect.
func TestAddFollowupCommitsItsEffects(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	f := store.Followup{Owner: "U1", Counterpart: "U2", Text: "send it", Due: base.Add(48e9)}

	if _, err := db.AddFollowup(f, broken(noteEffects("made"))); err == nil {
		t.Fatal("AddFollowup with an effect going nowhere = nil error")
	}
	if all, _ := db.Followups(); len(all) != 0 {
		t.Errorf("a failed AddFollowup stored %+v", all)
	}
	mustNotQueued(t, db, "f:1:made")
	if _, err := db.CircleEntry("U1", "U2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed AddFollowup put the pair in touch: %v", err)
	}

	got, err := db.AddFollowup(f, noteEffects("made"))
	if err != nil {
		t.Fatal(err)
	}
	if o, err := db.OutgoingByKey(fmt.Sprintf("f:%d:made", got.ID)); err != nil || o.User != "U2" {
		t.Errorf("note of follow-up %d = %+v, %v; want queued for U2", got.ID, o, err)
	}
	if c, err := db.CircleEntry("U2", "U1"); err != nil || c.LastKind != store.InTouchFollowup {
		t.Errorf("CircleEntry(U2, U1) = %+v, %v; want in touch by a follow-up", c, err)
	}
}

// Ensure UpdateFollowup commits the change with its effects, and neither
// when f refuses or an effect cannot be written.
func TestUpdateFollowupCommitsItsEffects(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	f := mustAddFollowup(t, db, store.Followup{Owner: "U1", Counterpart: "U2", Due: base.Add(48e9)})
	done := func(fu *store.Followup) error { fu.Status, fu.DoneAt = store.FollowupDone, base; return nil }

	if _, err := db.UpdateFollowup(f.ID, done, broken(noteEffects("done"))); err == nil {
		t.Fatal("UpdateFollowup with an effect going nowhere = nil error")
	}
	boom := errors.New("boom")
	if _, err := db.UpdateFollowup(f.ID, func(*store.Followup) error { return boom }, noteEffects("done")); !errors.Is(err, boom) {
		t.Fatalf("UpdateFollowup refused = %v, want boom", err)
	}
	if got, _ := db.Followup(f.ID); got.Status != store.FollowupOpen {
		t.Errorf("after failed updates the follow-up is %s, want open", got.Status)
	}
	mustNotQueued(t, db, fmt.Sprintf("f:%d:done", f.ID))

	if _, err := db.UpdateFollowup(f.ID, done, noteEffects("done")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OutgoingByKey(fmt.Sprintf("f:%d:done", f.ID)); err != nil {
		t.Errorf("receipt not queued: %v", err)
	}
}

// Ensure UpdateFollowups commits its effects with the batch, and none of
// either when one follow-up is missing.
func TestUpdateFollowupsCommitsItsEffects(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	f := mustAddFollowup(t, db, store.Followup{Owner: "U1", Due: base})
	dm := store.Effects{Outbox: []store.Outgoing{{Key: "dm", User: "U1", Text: "reminder"}}}
	remind := func(fu *store.Followup) error { fu.Reminded = true; return nil }
	if err := db.UpdateFollowups([]uint64{f.ID, 99}, remind, dm); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateFollowups with a missing id = %v, want ErrNotFound", err)
	}
	mustNotQueued(t, db, "dm")
	if err := db.UpdateFollowups([]uint64{f.ID}, remind, dm); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Followup(f.ID); !got.Reminded {
		t.Error("not recorded as reminded")
	}
	if _, err := db.OutgoingByKey("dm"); err != nil {
		t.Errorf("the DM was not queued with the batch: %v", err)
	}
}

// Ensure Undo is one transaction: the follow-up goes, its pending note is
// withdrawn (never sent), effects are queued; a note already sent is left
// alone and reported; a refusal by effects changes nothing.
func TestDeleteFollowupWithdrawsAndCommits(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	pending := mustAddFollowupWith(t, db, noteEffects("made"))
	sent := mustAddFollowupWith(t, db, noteEffects("made"))
	sentNote, err := db.OutgoingByKey(fmt.Sprintf("f:%d:made", sent.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimOutgoing(sentNote.ID, base); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishOutgoing(sentNote.ID, "1.0001", base); err != nil {
		t.Fatal(err)
	}

	notOwner := errors.New("not the owner")
	_, err = db.DeleteFollowup(pending.ID, fmt.Sprintf("f:%d:made", pending.ID), func(store.Followup, store.OutboxState) (store.Effects, error) {
		return store.Effects{}, notOwner
	})
	if !errors.Is(err, notOwner) {
		t.Fatalf("refused DeleteFollowup = %v, want the refusal", err)
	}
	if _, err := db.Followup(pending.ID); err != nil {
		t.Errorf("a refused undo deleted the follow-up: %v", err)
	}
	if o, _ := db.OutgoingByKey(fmt.Sprintf("f:%d:made", pending.ID)); o.State != store.OutboxPending {
		t.Errorf("a refused undo withdrew the note: %s", o.State)
	}

	var saw []store.OutboxState
	undone := func(f store.Followup, was store.OutboxState) (store.Effects, error) {
		saw = append(saw, was)
		return store.Effects{Outbox: []store.Outgoing{{Key: fmt.Sprintf("f:%d:undone", f.ID), User: f.Counterpart, Text: "took it back"}}}, nil
	}
	for _, f := range []store.Followup{pending, sent} {
		got, err := db.DeleteFollowup(f.ID, fmt.Sprintf("f:%d:made", f.ID), undone)
		if err != nil || got.ID != f.ID || got.Owner != f.Owner {
			t.Fatalf("DeleteFollowup(%d) = %+v, %v", f.ID, got, err)
		}
		if _, err := db.Followup(f.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("follow-up %d still there: %v", f.ID, err)
		}
		if _, err := db.OutgoingByKey(fmt.Sprintf("f:%d:undone", f.ID)); err != nil {
			t.Errorf("effect of undoing %d not queued: %v", f.ID, err)
		}
	}
	if fmt.Sprint(saw) != "[pending sent]" {
		t.Errorf("effects saw the notes as %v, want [pending sent]", saw)
	}
	if o, _ := db.OutgoingByKey(fmt.Sprintf("f:%d:made", pending.ID)); o.State != store.OutboxFailed {
		t.Errorf("the pending note is %s after undo, want failed (withdrawn)", o.State)
	}
	if o, _ := db.OutgoingByKey(fmt.Sprintf("f:%d:made", sent.ID)); o.State != store.OutboxSent {
		t.Errorf("the sent note is %s after undo, want sent", o.State)
	}
}

// Ensure a check-in and the pair in touch commit together, or neither.
func TestAddCheckinCommitsItsEffects(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	touch := func(c store.Checkin) store.Effects {
		return store.Effects{InTouch: []store.InTouch{{A: c.User, B: c.With, At: c.At, Kind: store.InTouchCheckin}}}
	}
	if _, err := db.AddCheckin(store.Checkin{User: "U1", With: "U2", Note: "hi"}, broken(touch)); err == nil {
		t.Fatal("AddCheckin with an effect going nowhere = nil error")
	}
	if all, _ := db.Checkins(); len(all) != 0 {
		t.Errorf("a failed AddCheckin stored %+v", all)
	}
	if _, err := db.CircleEntry("U1", "U2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed AddCheckin put the pair in touch: %v", err)
	}
	if _, err := db.AddCheckin(store.Checkin{User: "U1", With: "U2", Note: "hi"}, touch); err != nil {
		t.Fatal(err)
	}
	if c, err := db.CircleEntry("U2", "U1"); err != nil || c.LastKind != store.InTouchCheckin || !c.LastInTouch.Equal(base) {
		t.Errorf("CircleEntry(U2, U1) = %+v, %v; want in touch by a check-in at %v", c, err, base)
	}
}

func mustAddFollowupWith(t *testing.T, db *store.DB, e func(store.Followup) store.Effects) store.Followup {
	t.Helper()
	f, err := db.AddFollowup(store.Followup{Owner: "U1", Counterpart: "U2", Text: "x", Due: base.Add(48e9)}, e)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
