package store_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestAddKudos(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	receivers := []string{"U2", "U3"}
	in := store.Kudos{
		ID: 99, Giver: "U1", Receivers: receivers, Text: "for the <@U4> demo", Values: []string{"teamwork"},
		Channel: "C1", MessageTS: "1764324000.000100", Private: true,
		At: base.Add(90 * time.Minute).In(time.FixedZone("CET", 3600)),
	}
	got, err := db.AddKudos(in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID = 1 // the store numbers kudos; in.ID is ignored
	want.Receivers = []string{"U2", "U3"}
	want.At = base.Add(90 * time.Minute).UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AddKudos(%+v) = %+v, want %+v", in, got, want)
	}
	// Neither the stored nor the returned copy aliases the caller's slices.
	receivers[0] = "UX"
	if got.Receivers[0] != "U2" {
		t.Errorf("AddKudos returned a copy that aliases its argument's Receivers")
	}
	stored, err := db.KudosBetween(base, base.Add(2*time.Hour))
	if err != nil || len(stored) != 1 || !reflect.DeepEqual(stored[0], want) {
		t.Errorf("KudosBetween = %+v, %v, want [%+v]", stored, err, want)
	}

	// Ensure a zero At means "now" and empty slices read back as nil.
	got, err = db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Kudos{ID: 2, Giver: "U1", At: base}); !reflect.DeepEqual(got, want) {
		t.Errorf("AddKudos(no time) = %+v, want %+v", got, want)
	}

	// Ensure a time the index cannot hold is refused.
	if _, err := db.AddKudos(store.Kudos{Giver: "U1", At: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Errorf("AddKudos(at 1900) = nil error, want one")
	}
}

func TestKudosBetween(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	// Added out of time order, with two kudos at the same instant.
	at := map[uint64]time.Time{
		1: base.Add(time.Hour),
		2: base,
		3: base.Add(time.Hour),
		4: base.Add(-time.Nanosecond),
		5: base.Add(24 * time.Hour),
	}
	for id := uint64(1); id <= 5; id++ {
		k, err := db.AddKudos(store.Kudos{Giver: "U1", At: at[id]})
		if err != nil || k.ID != id {
			t.Fatalf("AddKudos #%d = id %d, %v", id, k.ID, err)
		}
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []uint64
	}{
		{"All", time.Time{}, base.AddDate(1000, 0, 0), []uint64{4, 2, 1, 3, 5}},
		{"FromIsInclusive", base, base.Add(time.Hour + 1), []uint64{2, 1, 3}},
		{"ToIsExclusive", base.Add(-time.Nanosecond), base.Add(time.Hour), []uint64{4, 2}},
		{"OneInstant", base.Add(time.Hour), base.Add(time.Hour + time.Nanosecond), []uint64{1, 3}},
		{"EmptyRange", base, base, nil},
		{"Reversed", base.Add(time.Hour), base, nil},
		{"NothingThere", base.Add(2 * time.Hour), base.Add(3 * time.Hour), nil},
		{"Before1970", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), base, []uint64{4}},
	}
	for _, tt := range tests {
		got, err := db.KudosBetween(tt.from, tt.to)
		if err != nil {
			t.Errorf("%s: KudosBetween(%s, %s) = %v", tt.name, tt.from, tt.to, err)
			continue
		}
		var ids []uint64
		for _, k := range got {
			ids = append(ids, k.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: KudosBetween(%s, %s) = ids %v, want %v", tt.name, tt.from, tt.to, ids, tt.want)
		}
	}
}
