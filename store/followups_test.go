package store_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// userIDKey is the key of the per-user follow-up indexes (user ‖ 0x00 ‖
// be64(id)), rebuilt independently like timeIDKey.
func userIDKey(user string, id uint64) []byte {
	return append(append([]byte(user), 0), be64(id)...)
}

// followupIDs is the IDs of fs, in order.
func followupIDs(fs []store.Followup) []uint64 {
	var ids []uint64
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

// mustAddFollowup adds f and returns the stored copy.
func mustAddFollowup(t *testing.T, db *store.DB, f store.Followup) store.Followup {
	t.Helper()
	got, err := db.AddFollowup(f, nil)
	if err != nil {
		t.Fatalf("AddFollowup(%+v) = %v", f, err)
	}
	return got
}

func TestFollowups(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	open, err := db.AddFollowup(store.Followup{Owner: "U1", Counterpart: "U2", Text: "send the deck", Due: base.Add(48 * time.Hour), Link: "https://x.slack.com/archives/C1/p1", Channel: "C1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Followup{ID: 1, Owner: "U1", Counterpart: "U2", Text: "send the deck", Due: base.Add(48 * time.Hour), Created: base, Status: store.FollowupOpen,
		Link: "https://x.slack.com/archives/C1/p1", Channel: "C1", NextAt: base.Add(48 * time.Hour)}
	if !reflect.DeepEqual(open, want) {
		t.Errorf("AddFollowup = %+v, want %+v (status open, created now, next at due)", open, want)
	}
	done, err := db.AddFollowup(store.Followup{Owner: "U1", Text: "note to self", Created: base.Add(-time.Hour), Status: store.FollowupDone, DoneAt: base, Note: "sent"}, nil)
	if err != nil {
		t.Fatalf("AddFollowup(done, no due) = %v, want nil (only open ones need a due)", err)
	}

	t.Run("Get", func(t *testing.T) {
		got, err := db.Followup(open.ID)
		if err != nil || !reflect.DeepEqual(got, open) {
			t.Errorf("Followup(%d) = %+v, %v, want %+v", open.ID, got, err, open)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.Followup(42)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Followup(42) = %v, want ErrNotFound", err)
		}
	})
	t.Run("ListByID", func(t *testing.T) {
		got, err := db.Followups()
		if err != nil || !reflect.DeepEqual(got, []store.Followup{open, done}) {
			t.Errorf("Followups() = %+v, %v, want [%+v %+v]", got, err, open, done)
		}
	})
	// Ensure only open follow-ups are in the next-action index, and every
	// follow-up in the owner index, on disk as the schema says.
	t.Run("IndexKeys", func(t *testing.T) {
		for _, tt := range []struct {
			bucket string
			want   [][]byte
		}{
			{"followups_by_next", [][]byte{timeIDKey(open.Due, open.ID)}},
			{"followups_by_owner", [][]byte{userIDKey("U1", open.ID), userIDKey("U1", done.ID)}},
			{"followups_by_counterpart", [][]byte{userIDKey("U2", open.ID)}},
		} {
			if got := rawKeys(t, db, tt.bucket); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %x, want %x", tt.bucket, got, tt.want)
			}
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		tests := []struct {
			f    store.Followup
			want string
		}{
			{store.Followup{Owner: "U1", Status: "later", Due: base}, `status: must be open, done or dropped (got "later")`},
			{store.Followup{Owner: "U1", Status: store.FollowupOpen}, "due: time 0001-01-01T00:00:00Z is outside the range"},
			{store.Followup{Owner: "U1", Due: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}, "due: time 1900-01-01T00:00:00Z is outside the range"},
			{store.Followup{Owner: "U1", Due: base, NextAt: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}, "next_at: time 1960-01-01T00:00:00Z is outside the range"},
			{store.Followup{Owner: "U1\x00", Due: base}, `owner: user ID "U1\x00" contains a NUL byte`},
			{store.Followup{Owner: "U1", Counterpart: "\x00", Due: base}, `counterpart: user ID "\x00" contains a NUL byte`},
			{store.Followup{Owner: "U1", Due: base, Nudges: -1}, "nudges: must be 0 or more (got -1)"},
		}
		for _, tt := range tests {
			_, err := db.AddFollowup(tt.f, nil)
			if want := "store: add followup: " + tt.want; err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("AddFollowup(%+v) = %v, want an error starting %q", tt.f, err, want)
			}
		}
		if got, _ := db.Followups(); len(got) != 2 {
			t.Errorf("Followups() after refused adds = %d follow-ups, want 2", len(got))
		}
	})
}

// Ensure AddFollowup returns what it stored: defaults filled in, times
// in UTC, and the two rules (closed: no NextAt; open: no DoneAt) applied.
func TestAddFollowupStoredCopy(t *testing.T) {
	t.Parallel()
	cet := time.FixedZone("CET", 3600)
	due := base.Add(24 * time.Hour)
	tests := []struct {
		name string
		in   store.Followup
		want store.Followup
	}{
		{"OpenNextAtDefaultsToDue",
			store.Followup{Owner: "U1", Due: due.In(cet)},
			store.Followup{Owner: "U1", Due: due, Created: base, Status: store.FollowupOpen, NextAt: due}},
		{"OpenNextAtKept",
			store.Followup{Owner: "U1", Due: due, NextAt: base.Add(time.Hour).In(cet), Created: base.Add(-time.Hour)},
			store.Followup{Owner: "U1", Due: due, Created: base.Add(-time.Hour), Status: store.FollowupOpen, NextAt: base.Add(time.Hour)}},
		{"OpenDoneAtCleared",
			store.Followup{Owner: "U1", Due: due, DoneAt: base},
			store.Followup{Owner: "U1", Due: due, Created: base, Status: store.FollowupOpen, NextAt: due}},
		{"DoneNextAtCleared",
			store.Followup{Owner: "U1", Due: due, Status: store.FollowupDone, DoneAt: base.In(cet), NextAt: due, Note: "done early"},
			store.Followup{Owner: "U1", Due: due, Created: base, Status: store.FollowupDone, DoneAt: base, Note: "done early"}},
		{"DroppedNoDue",
			store.Followup{Owner: "U1", Counterpart: "U2", Status: store.FollowupDropped},
			store.Followup{Owner: "U1", Counterpart: "U2", Created: base, Status: store.FollowupDropped}},
		{"EveryField",
			store.Followup{ID: 99, Owner: "U1", Counterpart: "U2", Text: "send <@U3> the deck &amp; notes", Due: due, Status: store.FollowupOpen,
				Note: "n", Link: "https://x.slack.com/archives/C1/p2", Channel: "C1", NextAt: due.Add(time.Hour), Reminded: true, Nudges: 2, LastNudge: base.In(cet)},
			store.Followup{Owner: "U1", Counterpart: "U2", Text: "send <@U3> the deck &amp; notes", Due: due, Created: base, Status: store.FollowupOpen,
				Note: "n", Link: "https://x.slack.com/archives/C1/p2", Channel: "C1", NextAt: due.Add(time.Hour), Reminded: true, Nudges: 2, LastNudge: base}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
			got, err := db.AddFollowup(tt.in, nil)
			tt.want.ID = 1
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AddFollowup(%+v) = %+v, %v, want %+v", tt.in, got, err, tt.want)
			}
			if read, err := db.Followup(1); err != nil || !reflect.DeepEqual(read, got) {
				t.Errorf("Followup(1) = %+v, %v, want what AddFollowup returned, %+v", read, err, got)
			}
		})
	}
}

// Ensure UpdateFollowup keeps every index right through each change of a
// follow-up's life: the reminder, a snooze, nudges, done, reopening,
// dropping, a new owner or counterpart.
func TestUpdateFollowupIndexes(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	due := base.Add(24 * time.Hour)
	other := mustAddFollowup(t, db, store.Followup{Owner: "U12", Counterpart: "U1", Due: due}) // 1: must stay as is
	f := mustAddFollowup(t, db, store.Followup{Owner: "U1", Counterpart: "U2", Text: "send the deck", Due: due})
	id := f.ID

	steps := []struct {
		name   string
		update func(f *store.Followup)
		want   func(f store.Followup) bool // the stored copy is as the step meant
		// The entries of follow-up 2 in each index; nil: none.
		next, owner, counterpart []byte
		due                      []uint64 // FollowupsDue(due + 1 week)
	}{
		{"Reminded",
			func(f *store.Followup) { f.Reminded, f.NextAt = true, due.Add(24*time.Hour) },
			func(f store.Followup) bool { return f.Reminded && f.NextAt.Equal(due.Add(24*time.Hour)) },
			timeIDKey(due.Add(24*time.Hour), id), userIDKey("U1", id), userIDKey("U2", id), []uint64{1, 2}},
		{"Snoozed",
			func(f *store.Followup) { f.NextAt = due.Add(72 * time.Hour) },
			func(f store.Followup) bool { return f.NextAt.Equal(due.Add(72 * time.Hour)) },
			timeIDKey(due.Add(72*time.Hour), id), userIDKey("U1", id), userIDKey("U2", id), []uint64{1, 2}},
		{"SnoozedPastTheQuery",
			func(f *store.Followup) { f.NextAt = due.Add(30 * 24 * time.Hour) },
			func(f store.Followup) bool { return f.NextAt.Equal(due.Add(30 * 24 * time.Hour)) },
			timeIDKey(due.Add(30*24*time.Hour), id), userIDKey("U1", id), userIDKey("U2", id), []uint64{1}},
		{"Nudged",
			func(f *store.Followup) {
				f.Nudges, f.LastNudge, f.NextAt = 1, due.Add(48*time.Hour), due.Add(72*time.Hour)
			},
			func(f store.Followup) bool { return f.Nudges == 1 && f.LastNudge.Equal(due.Add(48*time.Hour)) },
			timeIDKey(due.Add(72*time.Hour), id), userIDKey("U1", id), userIDKey("U2", id), []uint64{1, 2}},
		{"NothingScheduled",
			func(f *store.Followup) { f.NextAt = time.Time{} },
			func(f store.Followup) bool { return f.NextAt.IsZero() && f.Status == store.FollowupOpen },
			nil, userIDKey("U1", id), userIDKey("U2", id), []uint64{1}},
		{"RescheduledAndDueMoved",
			func(f *store.Followup) { f.Due, f.NextAt = due.Add(time.Hour), due.Add(time.Hour) },
			func(f store.Followup) bool { return f.Due.Equal(due.Add(time.Hour)) },
			timeIDKey(due.Add(time.Hour), id), userIDKey("U1", id), userIDKey("U2", id), []uint64{1, 2}},
		{"Done",
			func(f *store.Followup) { f.Status, f.DoneAt, f.Note = store.FollowupDone, due, "sent it" },
			func(f store.Followup) bool {
				return f.Status == store.FollowupDone && f.NextAt.IsZero() && f.DoneAt.Equal(due) && f.Note == "sent it"
			},
			nil, userIDKey("U1", id), userIDKey("U2", id), []uint64{1}},
		{"Reopened",
			func(f *store.Followup) { f.Status, f.NextAt = store.FollowupOpen, due.Add(2*time.Hour) },
			func(f store.Followup) bool { return f.DoneAt.IsZero() && f.NextAt.Equal(due.Add(2*time.Hour)) },
			timeIDKey(due.Add(2*time.Hour), id), userIDKey("U1", id), userIDKey("U2", id), []uint64{1, 2}},
		{"NewOwner",
			func(f *store.Followup) { f.Owner = "U3" },
			func(f store.Followup) bool { return f.Owner == "U3" },
			timeIDKey(due.Add(2*time.Hour), id), userIDKey("U3", id), userIDKey("U2", id), []uint64{1, 2}},
		{"ToOneself",
			func(f *store.Followup) { f.Counterpart = "" },
			func(f store.Followup) bool { return f.Counterpart == "" },
			timeIDKey(due.Add(2*time.Hour), id), userIDKey("U3", id), nil, []uint64{1, 2}},
		{"NewCounterpart",
			func(f *store.Followup) { f.Counterpart = "U1" },
			func(f store.Followup) bool { return f.Counterpart == "U1" },
			timeIDKey(due.Add(2*time.Hour), id), userIDKey("U3", id), userIDKey("U1", id), []uint64{1, 2}},
		{"Dropped",
			func(f *store.Followup) { f.Status, f.DoneAt = store.FollowupDropped, due },
			func(f store.Followup) bool { return f.Status == store.FollowupDropped && f.NextAt.IsZero() },
			nil, userIDKey("U3", id), userIDKey("U1", id), []uint64{1}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			got, err := db.UpdateFollowup(id, func(f *store.Followup) error {
				step.update(f)
				return nil
			}, nil)
			if err != nil {
				t.Fatalf("UpdateFollowup(%d, %s) = %v", id, step.name, err)
			}
			if !step.want(got) {
				t.Errorf("UpdateFollowup(%d, %s) = %+v, not as the step meant", id, step.name, got)
			}
			if read, err := db.Followup(id); err != nil || !reflect.DeepEqual(read, got) {
				t.Errorf("Followup(%d) after %s = %+v, %v, want %+v", id, step.name, read, err, got)
			}
			for _, idx := range []struct {
				bucket string
				want   [][]byte // other's entries, then this step's
			}{
				{"followups_by_next", [][]byte{timeIDKey(due, other.ID), step.next}},
				{"followups_by_owner", [][]byte{userIDKey("U12", other.ID), step.owner}},
				{"followups_by_counterpart", [][]byte{userIDKey("U1", other.ID), step.counterpart}},
			} {
				want := slices.DeleteFunc(idx.want, func(k []byte) bool { return k == nil })
				slices.SortFunc(want, bytes.Compare)
				if keys := rawKeys(t, db, idx.bucket); !reflect.DeepEqual(keys, want) {
					t.Errorf("%s after %s = %x, want %x", idx.bucket, step.name, keys, want)
				}
			}
			if dueNow, err := db.FollowupsDue(due.Add(7*24*time.Hour), 0); err != nil || !slices.Equal(followupIDs(dueNow), step.due) {
				t.Errorf("FollowupsDue after %s = ids %v, %v, want %v", step.name, followupIDs(dueNow), err, step.due)
			}
			if err := db.Check(); err != nil {
				t.Errorf("Check() after %s = %v", step.name, err)
			}
		})
	}
	if got, err := db.Followup(other.ID); err != nil || !reflect.DeepEqual(got, other) {
		t.Errorf("Followup(%d) = %+v, %v, want it untouched, %+v", other.ID, got, err, other)
	}
}

// Ensure an UpdateFollowup that cannot complete writes nothing.
func TestUpdateFollowupErrors(t *testing.T) {
	t.Parallel()
	errVeto := errors.New("veto")
	tests := []struct {
		name   string
		id     uint64
		update func(f *store.Followup) error
		is     error  // errors.Is(err, is)
		want   string // in the error
	}{
		{"ErrNotFound", 42, func(f *store.Followup) error {
			return errors.New("f called for a missing follow-up")
		}, store.ErrNotFound, "store: update followup 42: not found"},
		{"FuncError", 1, func(f *store.Followup) error {
			f.Status, f.Text = store.FollowupDone, "changed"
			return errVeto
		}, errVeto, "store: update followup 1: veto"},
		{"StatusEmpty", 1, func(f *store.Followup) error {
			f.Status = ""
			return nil
		}, nil, `store: update followup 1: status: must be open, done or dropped (got "")`},
		{"NextAtBefore1970", 1, func(f *store.Followup) error {
			f.NextAt = time.Unix(-1, 0)
			return nil
		}, nil, "store: update followup 1: next_at: time 1969-12-31T23:59:59Z is outside the range"},
		{"NudgesNegative", 1, func(f *store.Followup) error {
			f.Nudges = -2
			return nil
		}, nil, "store: update followup 1: nudges: must be 0 or more (got -2)"},
		{"OwnerNUL", 1, func(f *store.Followup) error {
			f.Owner = "U\x00"
			return nil
		}, nil, `store: update followup 1: owner: user ID "U\x00" contains a NUL byte`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
			mustAddFollowup(t, db, store.Followup{Owner: "U1", Counterpart: "U2", Due: base})
			before := export(t, db)
			_, err := db.UpdateFollowup(tt.id, tt.update, nil)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("UpdateFollowup(%d, %s) = %v, want an error starting %q", tt.id, tt.name, err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("UpdateFollowup(%d, %s) = %v, want it to wrap %v", tt.id, tt.name, err, tt.is)
			}
			if after := export(t, db); !bytes.Equal(after, before) {
				t.Errorf("UpdateFollowup(%d, %s) changed the database:\n%s", tt.id, tt.name, after)
			}
		})
	}
}

// Ensure f cannot renumber a follow-up.
func TestUpdateFollowupKeepsID(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	mustAddFollowup(t, db, store.Followup{Owner: "U1", Due: base})
	got, err := db.UpdateFollowup(1, func(f *store.Followup) error {
		f.ID, f.Text = 7, "renamed"
		return nil
	}, nil)
	if err != nil || got.ID != 1 || got.Text != "renamed" {
		t.Errorf("UpdateFollowup(1, set ID 7) = %+v, %v, want follow-up 1 renamed", got, err)
	}
	if _, err := db.Followup(7); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Followup(7) = %v, want ErrNotFound", err)
	}
}

// Ensure DeleteFollowup (Undo) removes the record and every index entry,
// leaves the others, and never frees the id for reuse.
func TestDeleteFollowup(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	keep := mustAddFollowup(t, db, store.Followup{Owner: "U1", Counterpart: "U2", Due: base})
	undo := mustAddFollowup(t, db, store.Followup{Owner: "U1", Counterpart: "U2", Due: base})

	if _, err := db.DeleteFollowup(undo.ID, "", nil); err != nil {
		t.Fatalf("DeleteFollowup(%d) = %v", undo.ID, err)
	}
	if _, err := db.Followup(undo.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Followup(%d) after delete = %v, want ErrNotFound", undo.ID, err)
	}
	for bucket, want := range map[string][][]byte{
		"followups_by_next":        {timeIDKey(base, keep.ID)},
		"followups_by_owner":       {userIDKey("U1", keep.ID)},
		"followups_by_counterpart": {userIDKey("U2", keep.ID)},
	} {
		if got := rawKeys(t, db, bucket); !reflect.DeepEqual(got, want) {
			t.Errorf("%s after delete = %x, want %x", bucket, got, want)
		}
	}
	if got, err := db.FollowupsDue(base, 0); err != nil || !slices.Equal(followupIDs(got), []uint64{keep.ID}) {
		t.Errorf("FollowupsDue after delete = ids %v, %v, want [%d]", followupIDs(got), err, keep.ID)
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []uint64{undo.ID, 42} {
			if _, err := db.DeleteFollowup(id, "", nil); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteFollowup(%d) = %v, want ErrNotFound", id, err)
			}
		}
	})
	t.Run("ClosedOne", func(t *testing.T) {
		done := mustAddFollowup(t, db, store.Followup{Owner: "U4", Status: store.FollowupDone})
		if _, err := db.DeleteFollowup(done.ID, "", nil); err != nil {
			t.Errorf("DeleteFollowup(done %d) = %v", done.ID, err)
		}
		if got, _ := db.FollowupsOwnedBy("U4"); len(got) != 0 {
			t.Errorf("FollowupsOwnedBy(U4) after delete = %+v, want none", got)
		}
	})
	t.Run("IDNotReused", func(t *testing.T) {
		if f := mustAddFollowup(t, db, store.Followup{Owner: "U1", Due: base}); f.ID != 4 {
			t.Errorf("AddFollowup after deletes = id %d, want 4", f.ID)
		}
	})
}

// Ensure FollowupsDue returns the open follow-ups whose NextAt has come,
// by NextAt then ID, up to the limit.
func TestFollowupsDue(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	for _, f := range []store.Followup{
		{Owner: "U1", Due: base.Add(time.Hour)},                                               // 1
		{Owner: "U2", Due: base},                                                              // 2: due exactly at base
		{Owner: "U1", Due: base.Add(-time.Hour)},                                              // 3
		{Owner: "U3", Due: base.Add(time.Hour), NextAt: base.Add(-2 * time.Hour)},             // 4: reminded early
		{Owner: "U1", Due: base.Add(-time.Hour), NextAt: base.Add(48 * time.Hour)},            // 5: snoozed
		{Owner: "U1", Due: base.Add(-time.Hour), Status: store.FollowupDone, DoneAt: base},    // 6
		{Owner: "U1", Due: base.Add(-time.Hour), Status: store.FollowupDropped, DoneAt: base}, // 7
		{Owner: "U4", Due: base},                                                              // 8: same NextAt as 2
		{Owner: "U4", Due: time.Unix(0, 0)},                                                   // 9: the first indexable instant
	} {
		mustAddFollowup(t, db, f)
	}
	// 10: open, but nothing scheduled.
	ten := mustAddFollowup(t, db, store.Followup{Owner: "U5", Due: base.Add(-time.Hour)})
	if _, err := db.UpdateFollowup(ten.ID, func(f *store.Followup) error { f.NextAt = time.Time{}; return nil }, nil); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		now   time.Time
		limit int
		want  []uint64
	}{
		{base, 0, []uint64{9, 4, 3, 2, 8}},
		{base, 3, []uint64{9, 4, 3}},
		{base, 5, []uint64{9, 4, 3, 2, 8}},
		{base, 100, []uint64{9, 4, 3, 2, 8}},
		{base, -1, []uint64{9, 4, 3, 2, 8}},
		{base.Add(-1), 0, []uint64{9, 4, 3}},
		{base.Add(time.Hour), 0, []uint64{9, 4, 3, 2, 8, 1}},
		{base.AddDate(1, 0, 0), 0, []uint64{9, 4, 3, 2, 8, 1, 5}},
		{time.Unix(0, 0), 0, []uint64{9}},
		{time.Unix(0, -1), 0, nil},
		{time.Time{}, 0, nil},
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 2, []uint64{9, 4}},
	}
	for _, tt := range tests {
		got, err := db.FollowupsDue(tt.now, tt.limit)
		if err != nil {
			t.Errorf("FollowupsDue(%s, %d) = %v", tt.now, tt.limit, err)
			continue
		}
		if ids := followupIDs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("FollowupsDue(%s, %d) = ids %v, want %v", tt.now, tt.limit, ids, tt.want)
		}
		for _, f := range got {
			if f.Status != store.FollowupOpen || f.NextAt.After(tt.now) {
				t.Errorf("FollowupsDue(%s, %d) returned %+v, not open and due", tt.now, tt.limit, f)
			}
		}
	}
}

// Ensure FollowupsOwnedBy and FollowupsOwedTo find every follow-up of a
// user, whatever its status, by ID, and only that user's ("U1" is not
// "U12").
func TestFollowupsByUser(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	for _, f := range []store.Followup{
		{Owner: "U1", Counterpart: "U2", Due: base},                                // 1
		{Owner: "U12", Counterpart: "U1", Due: base},                               // 2
		{Owner: "U1", Due: base, Status: store.FollowupDone, DoneAt: base},         // 3: to oneself
		{Owner: "U2", Counterpart: "U1", Due: base, Status: store.FollowupDropped}, // 4
		{Owner: "U1", Counterpart: "U12", Due: base},                               // 5
		{Owner: "U2", Counterpart: "U2", Due: base},                                // 6: oneself, named
	} {
		mustAddFollowup(t, db, f)
	}
	tests := []struct {
		user        string
		owned, owed []uint64
	}{
		{"U1", []uint64{1, 3, 5}, []uint64{2, 4}},
		{"U12", []uint64{2}, []uint64{5}},
		{"U2", []uint64{4, 6}, []uint64{1, 6}},
		{"U3", nil, nil},
		{"U", nil, nil},
		{"", nil, nil},
	}
	for _, tt := range tests {
		owned, err := db.FollowupsOwnedBy(tt.user)
		if err != nil || !slices.Equal(followupIDs(owned), tt.owned) {
			t.Errorf("FollowupsOwnedBy(%q) = ids %v, %v, want %v", tt.user, followupIDs(owned), err, tt.owned)
		}
		for _, f := range owned {
			if f.Owner != tt.user {
				t.Errorf("FollowupsOwnedBy(%q) returned %+v", tt.user, f)
			}
		}
		owed, err := db.FollowupsOwedTo(tt.user)
		if err != nil || !slices.Equal(followupIDs(owed), tt.owed) {
			t.Errorf("FollowupsOwedTo(%q) = ids %v, %v, want %v", tt.user, followupIDs(owed), err, tt.owed)
		}
		for _, f := range owed {
			if f.Counterpart != tt.user {
				t.Errorf("FollowupsOwedTo(%q) returned %+v", tt.user, f)
			}
		}
	}
	// The records come back whole.
	want, err := db.Followup(3)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.FollowupsOwnedBy("U1"); len(got) != 3 || !reflect.DeepEqual(got[1], want) {
		t.Errorf("FollowupsOwnedBy(U1)[1] = %+v, want %+v", got, want)
	}
	for name, fn := range map[string]func(string) ([]store.Followup, error){
		"FollowupsOwnedBy": db.FollowupsOwnedBy, "FollowupsOwedTo": db.FollowupsOwedTo,
	} {
		if _, err := fn("U1\x00"); err == nil {
			t.Errorf("%s(NUL) = nil error, want one", name)
		}
	}
}

// Ensure UpdateFollowups changes every follow-up it names or, when one of
// them is missing or refused, none of them (the NextOutgoing index moves
// with them).
func TestUpdateFollowupsAllOrNothing(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	due := base.Add(24 * time.Hour)
	var ids []uint64
	for _, text := range []string{"one", "two"} {
		f, err := db.AddFollowup(store.Followup{Owner: "U1", Text: text, Due: due}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.ID)
	}
	later := due.Add(48 * time.Hour)
	if err := db.UpdateFollowups(append(ids, 999), func(fu *store.Followup) error { fu.NextAt = later; return nil }, store.Effects{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateFollowups with a missing id: %v, want ErrNotFound", err)
	}
	if err := db.UpdateFollowups(ids, func(fu *store.Followup) error {
		if fu.Text == "two" {
			return errors.New("refused")
		}
		fu.NextAt = later
		return nil
	}, store.Effects{}); err == nil {
		t.Fatal("UpdateFollowups whose function refuses one: no error")
	}
	for _, id := range ids {
		if f, err := db.Followup(id); err != nil || !f.NextAt.Equal(due) {
			t.Errorf("after failed batches, followup %d NextAt = %v, %v; want %v (unchanged)", id, f.NextAt, err, due)
		}
	}
	if err := db.UpdateFollowups(ids, func(fu *store.Followup) error { fu.NextAt, fu.Nudges = later, 2; return nil }, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FollowupsDue(due.Add(time.Hour), 10); err != nil || len(got) != 0 {
		t.Errorf("FollowupsDue at the old time = %v, %v; want none (the index moved)", got, err)
	}
	got, err := db.FollowupsDue(later, 10)
	if err != nil || len(got) != 2 || got[0].Nudges != 2 || got[1].Nudges != 2 {
		t.Errorf("FollowupsDue at the new time = %+v, %v; want both, with 2 nudges", got, err)
	}
}
