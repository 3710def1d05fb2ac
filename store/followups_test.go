package store_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestFollowups(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	open, err := db.AddFollowup(store.Followup{Owner: "U1", Counterpart: "U2", Text: "send the deck", Due: base.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Followup{ID: 1, Owner: "U1", Counterpart: "U2", Text: "send the deck", Due: base.Add(48 * time.Hour), Created: base, Status: store.FollowupOpen}
	if !reflect.DeepEqual(open, want) {
		t.Errorf("AddFollowup = %+v, want %+v (status open, created now)", open, want)
	}
	done, err := db.AddFollowup(store.Followup{Owner: "U1", Text: "note to self", Created: base.Add(-time.Hour), Status: store.FollowupDone, DoneAt: base})
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
	// Ensure only open follow-ups are in the due index.
	t.Run("DueIndexHoldsOpenOnly", func(t *testing.T) {
		keys := rawKeys(t, db, "followups_by_due")
		if len(keys) != 1 || !bytes.Equal(keys[0], timeIDKey(open.Due, open.ID)) {
			t.Errorf("followups_by_due = %x, want [%x]", keys, timeIDKey(open.Due, open.ID))
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, f := range []store.Followup{
			{Owner: "U1", Status: "later", Due: base},
			{Owner: "U1", Status: store.FollowupOpen},
			{Owner: "U1", Due: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
		} {
			if _, err := db.AddFollowup(f); err == nil {
				t.Errorf("AddFollowup(%+v) = nil error, want one", f)
			}
		}
	})
}
