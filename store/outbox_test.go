package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestEnqueue(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	in := store.Outgoing{
		ID: 99, Key: "kudos:42:dm:U2", User: "U2", Kind: "kudos", Text: "You got kudos",
		Blocks: json.RawMessage(`[ {"type": "section"} ]`), NotBefore: base.Add(time.Hour).In(time.FixedZone("CET", 3600)),
		RespectHours: true, State: store.OutboxSent, Attempts: 3, LastError: "x", SentTS: "1.2", Created: base.AddDate(-1, 0, 0),
	}
	got, created, err := db.Enqueue(in)
	if err != nil || !created {
		t.Fatalf("Enqueue(%+v) = %v, %v, want created", in, created, err)
	}
	want := store.Outgoing{
		ID: 1, Key: "kudos:42:dm:U2", User: "U2", Kind: "kudos", Text: "You got kudos",
		Blocks: json.RawMessage(`[{"type":"section"}]`), NotBefore: base.Add(time.Hour),
		RespectHours: true, State: store.OutboxPending, Created: base, Updated: base,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Enqueue = %+v, want %+v", got, want)
	}
	if stored, err := db.OutgoingByKey(in.Key); err != nil || !reflect.DeepEqual(stored, want) {
		t.Errorf("OutgoingByKey(%q) = %+v, %v, want %+v", in.Key, stored, err, want)
	}

	// Ensure the same key again changes nothing and returns the first item.
	again := store.Outgoing{Key: in.Key, User: "U3", Text: "something else"}
	got, created, err = db.Enqueue(again)
	if err != nil || created || !reflect.DeepEqual(got, want) {
		t.Errorf("Enqueue(same key) = %+v, %v, %v, want %+v, false, nil", got, created, err, want)
	}
	if due, _ := db.DueOutgoing(base.AddDate(1, 0, 0), 0); len(due) != 1 {
		t.Errorf("after enqueueing one key twice, %d items are queued, want 1", len(due))
	}

	// Ensure a zero NotBefore means now, and a channel post needs no user.
	got, created, err = db.Enqueue(store.Outgoing{Key: "kudos:42:share", Channel: "C1", Text: "kudos!"})
	if err != nil || !created || got.ID != 2 || !got.NotBefore.Equal(base) || got.Blocks != nil {
		t.Errorf("Enqueue(channel post, no time) = %+v, %v, %v, want ID 2, NotBefore now, no blocks", got, created, err)
	}
	// Ensure the returned Blocks do not alias the caller's.
	blocks := json.RawMessage(`[{"type":"divider"}]`)
	got, _, _ = db.Enqueue(store.Outgoing{Key: "k3", Channel: "C1", Blocks: blocks})
	blocks[2] = 'X'
	if !bytes.Equal(got.Blocks, []byte(`[{"type":"divider"}]`)) {
		t.Errorf("Enqueue returned Blocks %s that alias the caller's", got.Blocks)
	}
}

func TestEnqueueInvalid(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	tests := []struct {
		name string
		o    store.Outgoing
		want string
	}{
		{"NoKey", store.Outgoing{User: "U1", Text: "hi"}, "empty key"},
		{"Nowhere", store.Outgoing{Key: "k", Text: "hi"}, "nowhere to send it"},
		{"BadBlocks", store.Outgoing{Key: "k", User: "U1", Blocks: json.RawMessage(`[{"type":`)}, "blocks"},
		{"Before1970", store.Outgoing{Key: "k", User: "U1", NotBefore: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}, "not before"},
	}
	for _, tt := range tests {
		if _, _, err := db.Enqueue(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Enqueue(%+v) = %v, want an error containing %q", tt.name, tt.o, err, tt.want)
		}
	}
	if _, err := db.OutgoingByKey("k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OutgoingByKey(k) after refused enqueues = %v, want ErrNotFound", err)
	}
}

// Ensure DueOutgoing returns exactly the pending items with NotBefore <=
// now, by NotBefore then ID, and NextOutgoingAt the earliest of them.
func TestDueOutgoing(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	if at, ok, err := db.NextOutgoingAt(); ok || err != nil {
		t.Errorf("NextOutgoingAt(empty outbox) = %s, %v, %v, want false", at, ok, err)
	}
	for _, o := range []store.Outgoing{
		{Key: "a", User: "U1", NotBefore: base.Add(time.Minute)}, // 1
		{Key: "b", User: "U1", NotBefore: base},                  // 2
		{Key: "c", User: "U1", NotBefore: base.Add(time.Minute)}, // 3: same time as 1
		{Key: "d", User: "U1", NotBefore: base.Add(-time.Hour)},  // 4
		{Key: "e", User: "U1", NotBefore: base.Add(time.Hour)},   // 5: not due
		{Key: "f", User: "U1", NotBefore: base.Add(-time.Hour)},  // 6: claimed below
	} {
		mustEnqueue(t, db, o)
	}
	if _, err := db.ClaimOutgoing(6, base); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now   time.Time
		limit int
		want  []uint64
	}{
		{base.Add(time.Minute), 0, []uint64{4, 2, 1, 3}},
		{base.Add(time.Minute), 2, []uint64{4, 2}},
		{base.Add(time.Minute), -1, []uint64{4, 2, 1, 3}},
		{base.Add(time.Minute - time.Nanosecond), 0, []uint64{4, 2}}, // NotBefore == now is due
		{base, 0, []uint64{4, 2}},
		{base.Add(-time.Hour - time.Nanosecond), 0, nil},
		{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), 0, nil},
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0, []uint64{4, 2, 1, 3, 5}},
	}
	for _, tt := range tests {
		got, err := db.DueOutgoing(tt.now, tt.limit)
		if err != nil {
			t.Errorf("DueOutgoing(%s, %d) = %v", tt.now, tt.limit, err)
			continue
		}
		if ids := outgoingIDs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("DueOutgoing(%s, %d) = ids %v, want %v", tt.now, tt.limit, ids, tt.want)
		}
	}
	if at, ok, err := db.NextOutgoingAt(); !ok || err != nil || !at.Equal(base.Add(-time.Hour)) {
		t.Errorf("NextOutgoingAt = %s, %v, %v, want %s", at, ok, err, base.Add(-time.Hour))
	}
}

// Ensure each transition is allowed from exactly the states the outbox's
// state machine says, and a refused one wraps ErrConflict and changes
// nothing.
func TestOutboxStateMachine(t *testing.T) {
	t.Parallel()
	now := base.Add(time.Hour)
	ops := map[string]func(db *store.DB, id uint64) error{
		"Claim":  func(db *store.DB, id uint64) error { _, err := db.ClaimOutgoing(id, now); return err },
		"Finish": func(db *store.DB, id uint64) error { return db.FinishOutgoing(id, "1.5", now) },
		"Fail":   func(db *store.DB, id uint64) error { return db.FailOutgoing(id, "muted", now) },
		"Defer":  func(db *store.DB, id uint64) error { return db.DeferOutgoing(id, now.Add(time.Hour), "later", now) },
	}
	// to is the resulting state; "" means refused with ErrConflict.
	tests := []struct {
		from store.OutboxState
		op   string
		to   store.OutboxState
	}{
		{store.OutboxPending, "Claim", store.OutboxSending},
		{store.OutboxPending, "Finish", ""},
		{store.OutboxPending, "Fail", store.OutboxFailed},
		{store.OutboxPending, "Defer", store.OutboxPending},
		{store.OutboxSending, "Claim", ""},
		{store.OutboxSending, "Finish", store.OutboxSent},
		{store.OutboxSending, "Fail", store.OutboxFailed},
		{store.OutboxSending, "Defer", store.OutboxPending},
		{store.OutboxSent, "Claim", ""},
		{store.OutboxSent, "Finish", ""},
		{store.OutboxSent, "Fail", ""},
		{store.OutboxSent, "Defer", ""},
		{store.OutboxFailed, "Claim", ""},
		{store.OutboxFailed, "Finish", ""},
		{store.OutboxFailed, "Fail", ""},
		{store.OutboxFailed, "Defer", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+tt.op, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpen(t)
			o := mustEnqueue(t, db, store.Outgoing{Key: "k", User: "U1", NotBefore: base})
			putInState(t, db, o.ID, tt.from)
			before, _ := db.OutgoingByKey("k")
			err := ops[tt.op](db, o.ID)
			after, _ := db.OutgoingByKey("k")
			if tt.to == "" {
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("%s of a %s item = %v, want ErrConflict", tt.op, tt.from, err)
				}
				if !reflect.DeepEqual(after, before) {
					t.Errorf("refused %s changed the item: %+v, was %+v", tt.op, after, before)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s of a %s item = %v, want nil", tt.op, tt.from, err)
			}
			if after.State != tt.to || !after.Updated.Equal(now) {
				t.Errorf("%s of a %s item: state %s, updated %s; want %s, %s", tt.op, tt.from, after.State, after.Updated, tt.to, now)
			}
		})
	}

	// Ensure every operation on a missing item is ErrNotFound.
	db := storetest.MustOpen(t)
	for name, op := range ops {
		if err := op(db, 7); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s(missing item) = %v, want ErrNotFound", name, err)
		}
	}
}

// putInState walks item id from pending to state through the public
// methods.
func putInState(t *testing.T, db *store.DB, id uint64, state store.OutboxState) {
	t.Helper()
	var err error
	switch state {
	case store.OutboxSending:
		_, err = db.ClaimOutgoing(id, base)
	case store.OutboxSent:
		_, err = db.ClaimOutgoing(id, base)
		err = errors.Join(err, db.FinishOutgoing(id, "1.1", base))
	case store.OutboxFailed:
		err = db.FailOutgoing(id, "gone", base)
	}
	if err != nil {
		t.Fatalf("putting item %d in state %s: %v", id, state, err)
	}
}

// Ensure a claim, a finish and a defer record what they should, and the
// due index follows the item.
func TestOutboxLifecycle(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	o := mustEnqueue(t, db, store.Outgoing{Key: "dm", User: "U1", Kind: "nudges", Text: "hi", NotBefore: base})

	// Not yet due: claiming it is a conflict (it was deferred meanwhile).
	if _, err := db.ClaimOutgoing(o.ID, base.Add(-time.Nanosecond)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ClaimOutgoing(before NotBefore) = %v, want ErrConflict", err)
	}
	claimed, err := db.ClaimOutgoing(o.ID, base)
	if err != nil {
		t.Fatal(err)
	}
	if claimed.State != store.OutboxSending || claimed.Attempts != 1 || !claimed.Updated.Equal(base) {
		t.Errorf("ClaimOutgoing = %+v, want sending, 1 attempt, updated %s", claimed, base)
	}
	// Ensure a second claim loses: another worker took it.
	if _, err := db.ClaimOutgoing(o.ID, base); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second ClaimOutgoing = %v, want ErrConflict", err)
	}
	if due, _ := db.DueOutgoing(base, 0); len(due) != 0 {
		t.Errorf("DueOutgoing after claim = %+v, want none (sending is not pending)", due)
	}
	if stuck, err := db.StuckOutgoing(); err != nil || !slices.Equal(outgoingIDs(stuck), []uint64{o.ID}) {
		t.Errorf("StuckOutgoing = %+v, %v, want the claimed item", stuck, err)
	}

	// Ensure Defer moves the index entry to the new time.
	later := base.Add(2 * time.Hour)
	if err := db.DeferOutgoing(o.ID, later, "ratelimited", base.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if keys := rawKeys(t, db, "outbox_by_due"); len(keys) != 1 || !bytes.Equal(keys[0], timeIDKey(later, o.ID)) {
		t.Errorf("outbox_by_due after defer = %x, want only %x", keys, timeIDKey(later, o.ID))
	}
	if due, _ := db.DueOutgoing(later.Add(-time.Nanosecond), 0); len(due) != 0 {
		t.Errorf("DueOutgoing(before the deferred time) = %+v, want none", due)
	}
	due, _ := db.DueOutgoing(later, 0)
	if len(due) != 1 || due[0].LastError != "ratelimited" || due[0].Attempts != 1 || due[0].State != store.OutboxPending {
		t.Errorf("DueOutgoing(deferred time) = %+v, want the item, pending, with its reason", due)
	}
	if at, ok, _ := db.NextOutgoingAt(); !ok || !at.Equal(later) {
		t.Errorf("NextOutgoingAt after defer = %s, %v, want %s", at, ok, later)
	}

	// A second attempt goes through.
	if _, err := db.ClaimOutgoing(o.ID, later); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishOutgoing(o.ID, "1764324000.000300", later.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := db.OutgoingByKey("dm")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.OutboxSent || got.SentTS != "1764324000.000300" || got.Attempts != 2 || !got.Updated.Equal(later.Add(time.Second)) {
		t.Errorf("after finish = %+v, want sent as 1764324000.000300 after 2 attempts", got)
	}
	if stuck, _ := db.StuckOutgoing(); len(stuck) != 0 {
		t.Errorf("StuckOutgoing after finish = %+v, want none", stuck)
	}
	if _, ok, _ := db.NextOutgoingAt(); ok {
		t.Errorf("NextOutgoingAt with nothing pending = ok, want false")
	}
	if keys := rawKeys(t, db, "outbox_by_due"); len(keys) != 0 {
		t.Errorf("outbox_by_due after finish = %x, want empty", keys)
	}
	if err := db.DeferOutgoing(o.ID, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), "x", later); err == nil || errors.Is(err, store.ErrConflict) {
		t.Errorf("DeferOutgoing(1900) = %v, want an error about the time", err)
	}
}

// Ensure that of two workers claiming one item, exactly one wins.
func TestClaimOutgoingRace(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	o := mustEnqueue(t, db, store.Outgoing{Key: "k", User: "U1", NotBefore: base})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := db.ClaimOutgoing(o.ID, base)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	won, lost := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, store.ErrConflict):
			lost++
		default:
			t.Errorf("ClaimOutgoing = %v", err)
		}
	}
	if won != 1 || lost != 7 {
		t.Errorf("8 racing claims: %d won, %d lost; want 1 and 7", won, lost)
	}
}

func TestStuckOutgoing(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	for _, key := range []string{"a", "b", "c", "d"} {
		mustEnqueue(t, db, store.Outgoing{Key: key, User: "U1", NotBefore: base})
	}
	putInState(t, db, 3, store.OutboxSending)
	putInState(t, db, 1, store.OutboxSending)
	putInState(t, db, 2, store.OutboxSent)
	got, err := db.StuckOutgoing()
	if err != nil || !slices.Equal(outgoingIDs(got), []uint64{1, 3}) {
		t.Errorf("StuckOutgoing = ids %v, %v, want [1 3]", outgoingIDs(got), err)
	}
}

// Ensure PruneOutgoing removes only finished items older than before,
// with their keys, so the key can be used again.
func TestPruneOutgoing(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	for _, key := range []string{"sent-old", "failed-old", "sent-new", "pending", "sending"} {
		mustEnqueue(t, db, store.Outgoing{Key: key, User: "U1", NotBefore: base})
	}
	mustClaim := func(id uint64) {
		if _, err := db.ClaimOutgoing(id, base); err != nil {
			t.Fatal(err)
		}
	}
	mustClaim(1)
	must(t, db.FinishOutgoing(1, "1.1", base))
	must(t, db.FailOutgoing(2, "gone", base.Add(time.Minute)))
	mustClaim(3)
	must(t, db.FinishOutgoing(3, "1.3", base.Add(time.Hour)))
	mustClaim(5)

	n, err := db.PruneOutgoing(base.Add(time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneOutgoing = %d, %v, want 2", n, err)
	}
	for key, kept := range map[string]bool{"sent-old": false, "failed-old": false, "sent-new": true, "pending": true, "sending": true} {
		_, err := db.OutgoingByKey(key)
		if kept && err != nil || !kept && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after prune, OutgoingByKey(%q) = %v, want kept=%v", key, err, kept)
		}
	}
	if n, err := db.PruneOutgoing(base.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("second PruneOutgoing = %d, %v, want 0", n, err)
	}
	// A pruned key is free again.
	if o, created, err := db.Enqueue(store.Outgoing{Key: "sent-old", User: "U1"}); err != nil || !created || o.ID != 6 {
		t.Errorf("Enqueue(pruned key) = %+v, %v, %v, want a new item 6", o, created, err)
	}
}

func mustEnqueue(t *testing.T, db *store.DB, o store.Outgoing) store.Outgoing {
	t.Helper()
	got, created, err := db.Enqueue(o)
	if err != nil || !created {
		t.Fatalf("Enqueue(%+v) = %v, %v, want a new item", o, created, err)
	}
	return got
}

func outgoingIDs(os []store.Outgoing) []uint64 {
	var ids []uint64
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return ids
}

// Ensure Expires is stored, DueOutgoing still returns expired items, and
// Expired says which they are.
func TestOutgoingExpires(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	roundAt := base.Add(2 * time.Hour)
	headsUp := mustEnqueue(t, db, store.Outgoing{Key: "coffee:heads-up:U1", User: "U1", Kind: "heads_up", NotBefore: base, Expires: roundAt.In(time.FixedZone("CET", 3600))})
	forever := mustEnqueue(t, db, store.Outgoing{Key: "kudos:1:dm:U2", User: "U2", NotBefore: base})
	if !headsUp.Expires.Equal(roundAt) || headsUp.Expires.Location() != time.UTC || !forever.Expires.IsZero() {
		t.Errorf("Enqueue Expires = %v and %v, want %v (UTC) and zero", headsUp.Expires, forever.Expires, roundAt)
	}
	if stored, err := db.OutgoingByKey("coffee:heads-up:U1"); err != nil || !reflect.DeepEqual(stored, headsUp) {
		t.Errorf("OutgoingByKey = %+v, %v, want %+v", stored, err, headsUp)
	}
	due, err := db.DueOutgoing(roundAt.Add(time.Hour), 0)
	if err != nil || !slices.Equal(outgoingIDs(due), []uint64{headsUp.ID, forever.ID}) {
		t.Errorf("DueOutgoing(after expiry) = ids %v, %v, want both (expired ones too)", outgoingIDs(due), err)
	}
	tests := []struct {
		o    store.Outgoing
		now  time.Time
		want bool
	}{
		{headsUp, base, false},
		{headsUp, roundAt.Add(-time.Nanosecond), false},
		{headsUp, roundAt, true}, // the round has started
		{headsUp, roundAt.Add(time.Hour), true},
		{forever, base.AddDate(10, 0, 0), false},
	}
	for _, tt := range tests {
		if got := tt.o.Expired(tt.now); got != tt.want {
			t.Errorf("Outgoing{Expires: %v}.Expired(%v) = %v, want %v", tt.o.Expires, tt.now, got, tt.want)
		}
	}
}

// Ensure a worker that has not claimed an item cannot take another
// worker's claim back: the pending variants defer or fail a pending item
// and refuse (ErrConflict, nothing changed) one being sent.
func TestPendingVariantsLeaveClaimsAlone(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	o, _, err := db.Enqueue(store.Outgoing{Key: "k", User: "U1", Text: "hi", NotBefore: base})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeferPendingOutgoing(o.ID, base.Add(time.Minute), "later", base); err != nil {
		t.Fatalf("DeferPendingOutgoing(pending) = %v", err)
	}
	if _, err := db.ClaimOutgoing(o.ID, base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.DeferPendingOutgoing(o.ID, base.Add(time.Hour), "stale", base); !errors.Is(err, store.ErrConflict) {
		t.Errorf("DeferPendingOutgoing(sending) = %v, want ErrConflict", err)
	}
	if err := db.FailPendingOutgoing(o.ID, "stale", base); !errors.Is(err, store.ErrConflict) {
		t.Errorf("FailPendingOutgoing(sending) = %v, want ErrConflict", err)
	}
	got, err := db.OutgoingByKey("k")
	if err != nil || got.State != store.OutboxSending {
		t.Errorf("after the refused calls: %+v, %v; want it still being sent", got.State, err)
	}
	if err := db.FinishOutgoing(o.ID, "1.0", base); err != nil {
		t.Errorf("the claimer's FinishOutgoing = %v", err)
	}
}
