package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestCheckins(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	c1, err := db.AddCheckin(store.Checkin{User: "U1", With: "U2", Note: "coffee"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Checkin{ID: 1, User: "U1", With: "U2", At: base, Note: "coffee"}); c1 != want {
		t.Errorf("AddCheckin = %+v, want %+v", c1, want)
	}
	c2, err := db.AddCheckin(store.Checkin{User: "U2", With: "U1", At: base.Add(-time.Hour)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Checkins()
	if err != nil || !reflect.DeepEqual(got, []store.Checkin{c1, c2}) {
		t.Errorf("Checkins() = %+v, %v, want [%+v %+v] (by id)", got, err, c1, c2)
	}
}
