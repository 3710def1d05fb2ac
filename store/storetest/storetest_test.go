package storetest_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// Ensure MustOpen gives each test its own usable database in its temporary
// directory.
func TestMustOpen(t *testing.T) {
	t.Parallel()
	a, b := storetest.MustOpen(t), storetest.MustOpen(t)
	if a.Path() == b.Path() {
		t.Errorf("two MustOpen calls share %s, want separate files", a.Path())
	}
	if storetest.Engine() == "bolt" && (filepath.Base(a.Path()) != "rapport.db" || !strings.HasPrefix(a.Path(), filepath.Dir(filepath.Dir(a.Path())))) {
		t.Errorf("MustOpen path = %s, want rapport.db in a temporary directory", a.Path())
	}
	if _, err := a.AddKudos(store.Kudos{Giver: "U1", At: time.Now()}); err != nil {
		t.Errorf("AddKudos on MustOpen db = %v", err)
	}
}

func TestMustOpenWithNow(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	db := storetest.MustOpenWith(t, store.Options{Now: func() time.Time { return at }})
	c, err := db.AddCheckin(store.Checkin{User: "U1", With: "U2"}, nil)
	if err != nil || !c.At.Equal(at) {
		t.Errorf("AddCheckin(no time) = %+v, %v, want At %s from Options.Now", c, err, at)
	}
}
