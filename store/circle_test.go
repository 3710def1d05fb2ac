package store_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store"
)

func day(n int) time.Time { return base.Add(time.Duration(n) * 24 * time.Hour) }

// others lists the Other of each contact.
func others(cs []store.CircleEntry) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Other)
	}
	return out
}

// Ensure RecordInTouch creates both directions, keeps the latest interaction
// (never moving back), and leaves cadence, snooze and stop alone.
func TestTouch(t *testing.T) {
	t.Parallel()
	db := mustOpenPath(t, newPath(t), store.Options{})
	if _, err := db.CircleEntry("U1", "U2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Contact before RecordInTouch = %v, want ErrNotFound", err)
	}
	if err := db.RecordInTouch("U1", "U2", day(-10), store.InTouchKudos); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{"U1", "U2"}, {"U2", "U1"}} {
		want := store.CircleEntry{Owner: pair[0], Other: pair[1], LastInTouch: day(-10), LastKind: "kudos"}
		if got, err := db.CircleEntry(pair[0], pair[1]); err != nil || got != want {
			t.Errorf("Contact(%s, %s) = %+v, %v, want %+v", pair[0], pair[1], got, err, want)
		}
	}
	if _, err := db.UpdateCircleEntry("U2", "U1", func(c *store.CircleEntry) error {
		c.CadenceDays, c.SnoozedUntil, c.Stopped = 7, day(3), true
		return nil
	}, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	// Older and equal interactions change nothing; a newer one moves both.
	if err := db.RecordInTouch("U2", "U1", day(-20), store.InTouchCoffee); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordInTouch("U1", "U2", day(-10), store.InTouchCheckin); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.CircleEntry("U1", "U2"); got.LastInTouch != day(-10) || got.LastKind != "kudos" {
		t.Errorf("after older touches, U1/U2 = %+v, want day -10 kudos", got)
	}
	paris := time.FixedZone("CET", 3600)
	if err := db.RecordInTouch("U2", "U1", day(-1).In(paris), store.InTouchFollowup); err != nil {
		t.Fatal(err)
	}
	want := store.CircleEntry{Owner: "U2", Other: "U1", LastInTouch: day(-1), LastKind: "followup", CadenceDays: 7, SnoozedUntil: day(3), Stopped: true}
	if got, err := db.CircleEntry("U2", "U1"); err != nil || got != want {
		t.Errorf("Contact(U2, U1) = %+v, %v, want %+v", got, err, want)
	}
	if got, _ := db.CircleEntry("U1", "U2"); got.LastInTouch != day(-1) || got.LastKind != "followup" || got.CadenceDays != 0 {
		t.Errorf("Contact(U1, U2) = %+v, want day -1 followup, default cadence", got)
	}
	for _, tt := range []struct {
		a, b, kind string
		at         time.Time
	}{
		{"U1", "U1", "kudos", base},
		{"", "U1", "kudos", base},
		{"U1", "U\x002", "kudos", base},
		{"U1", "U2", "lunch", base},
		{"U1", "U2", "kudos", time.Time{}},
	} {
		if err := db.RecordInTouch(tt.a, tt.b, tt.at, tt.kind); err == nil {
			t.Errorf("RecordInTouch(%q, %q, %s, %q) = nil, want an error", tt.a, tt.b, tt.at, tt.kind)
		}
	}
	if err := db.Check(); err != nil {
		t.Error(err)
	}
}

// Ensure UpdateCircleEntry creates one direction, keeps Owner and Other,
// and writes nothing when f or validation fails.
func TestUpdateContact(t *testing.T) {
	t.Parallel()
	db := mustOpenPath(t, newPath(t), store.Options{})
	c, err := db.UpdateCircleEntry("U1", "U2", func(c *store.CircleEntry) error {
		c.Owner, c.Other, c.CadenceDays = "X", "Y", 14
		return nil
	}, store.Effects{})
	if want := (store.CircleEntry{Owner: "U1", Other: "U2", CadenceDays: 14}); err != nil || c != want {
		t.Errorf("UpdateCircleEntry = %+v, %v, want %+v", c, err, want)
	}
	if _, err := db.CircleEntry("U2", "U1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateCircleEntry created the other direction: %v", err)
	}
	boom := errors.New("boom")
	if _, err := db.UpdateCircleEntry("U1", "U2", func(c *store.CircleEntry) error { c.Stopped = true; return boom }, store.Effects{}); !errors.Is(err, boom) {
		t.Errorf("UpdateCircleEntry with failing f = %v, want boom", err)
	}
	if _, err := db.UpdateCircleEntry("U1", "U2", func(c *store.CircleEntry) error { c.CadenceDays = -1; return nil }, store.Effects{}); err == nil {
		t.Error("UpdateCircleEntry with a negative cadence = nil error")
	}
	if _, err := db.UpdateCircleEntry("U1", "U3", func(c *store.CircleEntry) error { return boom }, store.Effects{}); !errors.Is(err, boom) {
		t.Errorf("UpdateCircleEntry(new) with failing f = %v, want boom", err)
	}
	if got, _ := db.CircleEntry("U1", "U2"); got.Stopped || got.CadenceDays != 14 {
		t.Errorf("failed updates wrote %+v", got)
	}
	if _, err := db.CircleEntry("U1", "U3"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("failed update created U1/U3: %v", err)
	}
}

// Ensure Circle is a prefix scan (U1 does not see U12's contacts) sorted
// by Other, and ReconnectOwners lists each owner once.
func TestCircleAndReconnectOwners(t *testing.T) {
	t.Parallel()
	db := mustOpenPath(t, newPath(t), store.Options{})
	if got, err := db.ReconnectOwners(); err != nil || got != nil {
		t.Errorf("ReconnectOwners() of an empty file = %v, %v", got, err)
	}
	for _, p := range [][2]string{{"U1", "U3"}, {"U12", "U4"}, {"U1", "U2"}, {"U12", "U1"}} {
		if err := db.RecordInTouch(p[0], p[1], base, store.InTouchCoffee); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := db.Circle("U1"); err != nil || !slices.Equal(others(got), []string{"U12", "U2", "U3"}) {
		t.Errorf("Circle(U1) = %v, %v", others(got), err)
	}
	if got, err := db.Circle("U9"); err != nil || got != nil {
		t.Errorf("Circle(U9) = %v, %v, want none", got, err)
	}
	if got, err := db.ReconnectOwners(); err != nil || !slices.Equal(got, []string{"U1", "U12", "U2", "U3", "U4"}) {
		t.Errorf("ReconnectOwners() = %v, %v", got, err)
	}
}

// Ensure Lapsed applies the default or custom cadence, skips stopped and
// snoozed contacts (a snooze ending now no longer counts), orders by how
// long overdue, and honours limit.
func TestLapsed(t *testing.T) {
	t.Parallel()
	db := mustOpenPath(t, newPath(t), store.Options{})
	touch := func(other string, at time.Time) {
		t.Helper()
		if err := db.RecordInTouch("U1", other, at, store.InTouchCheckin); err != nil {
			t.Fatal(err)
		}
	}
	set := func(other string, f func(c *store.CircleEntry)) {
		t.Helper()
		if _, err := db.UpdateCircleEntry("U1", other, func(c *store.CircleEntry) error { f(c); return nil }, store.Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	now := base
	touch("UA", day(-40)) // default 30: 10 days overdue
	touch("UB", day(-30)) // default 30: due exactly now
	touch("UC", day(-29)) // default 30: not yet
	touch("UD", day(-8))  // custom 7: 1 day overdue
	set("UD", func(c *store.CircleEntry) { c.CadenceDays = 7 })
	touch("UE", day(-50)) // custom 60: not yet
	set("UE", func(c *store.CircleEntry) { c.CadenceDays = 60 })
	touch("UF", day(-90)) // stopped
	set("UF", func(c *store.CircleEntry) { c.Stopped = true })
	touch("UG", day(-90)) // snoozed past now
	set("UG", func(c *store.CircleEntry) { c.SnoozedUntil = now.Add(time.Second) })
	touch("UH", day(-60)) // snooze ends now: 30 days overdue
	set("UH", func(c *store.CircleEntry) { c.SnoozedUntil = now })
	touch("UI", day(-40))                                                               // ties with UA, sorts after it
	set("UJ", func(c *store.CircleEntry) {})                                            // no interaction yet
	if err := db.RecordInTouch("U2", "UZ", day(-400), store.InTouchKudos); err != nil { // someone else's
		t.Fatal(err)
	}

	for _, tt := range []struct {
		defaultDays, limit int
		want               []string
	}{
		{30, 0, []string{"UH", "UA", "UI", "UD", "UB"}},
		{30, 2, []string{"UH", "UA"}},
		{30, -1, []string{"UH", "UA", "UI", "UD", "UB"}},
		{45, 0, []string{"UH", "UD"}},
		{1, 3, []string{"UH", "UA", "UI"}},
	} {
		got, err := db.Lapsed("U1", now, tt.defaultDays, tt.limit)
		if err != nil || !slices.Equal(others(got), tt.want) {
			t.Errorf("Lapsed(U1, default %d, limit %d) = %v, %v, want %v", tt.defaultDays, tt.limit, others(got), err, tt.want)
		}
	}
	if got, _ := db.Lapsed("U1", now, 30, 1); len(got) != 1 || got[0].DueAt(30) != day(-30) {
		t.Errorf("Lapsed(U1)[0] = %+v, due %s, want due %s", got, got[0].DueAt(30), day(-30))
	}
	if _, err := db.Lapsed("U1", now, 0, 0); err == nil {
		t.Error("Lapsed with default 0 days = nil error")
	}
}

// Ensure Check reports a malformed contact.
func TestCheckContacts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		key, val string
		want     string
	}{
		{"NoSeparator", "U1U2", `{}`, "want owner ‖ 0x00 ‖ other"},
		{"Self", "U1\x00U1", `{}`, "own circle"},
		{"NotJSON", "U1\x00U2", `{`, "decode U1/U2"},
		{"BadKind", "U1\x00U2", `{"last_kind":"lunch"}`, "kind"},
		{"NegativeCadence", "U1\x00U2", `{"cadence_days":-3}`, "cadence"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := newPath(t)
			db := mustOpenPath(t, path, store.Options{})
			if err := db.RecordInTouch("U1", "U3", base, store.InTouchKudos); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			writeRaw(t, path, func(tx *bolt.Tx) error {
				return tx.Bucket([]byte("contacts")).Put([]byte(tt.key), []byte(tt.val))
			})
			db, err := store.Open(path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// Ensure Person.LastReconnect round-trips.
func TestPersonLastReconnect(t *testing.T) {
	t.Parallel()
	db := mustOpenPath(t, newPath(t), store.Options{})
	at := base.In(time.FixedZone("X", -5*3600))
	p, err := db.UpdatePerson("U1", func(p *store.Person) { p.LastReconnect = at }, store.Effects{})
	if err != nil || p.LastReconnect != base {
		t.Fatalf("UpdatePerson = %+v, %v", p, err)
	}
	if got, err := db.Person("U1"); err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("Person(U1) = %+v, %v, want %+v", got, err, p)
	}
}
