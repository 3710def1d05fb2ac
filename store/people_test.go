package store_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestPerson(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)

	// Ensure an unknown person is ErrNotFound, not an empty Person.
	if p, err := db.Person("U1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Person(unknown) = %+v, %v, want ErrNotFound", p, err)
	}

	// Ensure UpdatePerson creates the record, with the ID set.
	refreshed := base.In(time.FixedZone("CET", 3600))
	got, err := db.UpdatePerson("U1", func(p *store.Person) {
		if !reflect.DeepEqual(*p, store.Person{ID: "U1"}) {
			t.Errorf("UpdatePerson(new) passed %+v to f, want just the ID", *p)
		}
		p.Name, p.TZ, p.IsRestricted, p.Updated = "maya", "Europe/Berlin", true, refreshed
	}, store.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Person{ID: "U1", Name: "maya", TZ: "Europe/Berlin", IsRestricted: true, Updated: base}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UpdatePerson(new) = %+v, want %+v", got, want)
	}

	// Ensure an update sees the stored fields and keeps what f leaves alone:
	// a preference change does not undo a profile refresh, nor the reverse.
	got, err = db.UpdatePerson("U1", func(p *store.Person) {
		if p.Name != "maya" {
			t.Errorf("UpdatePerson(existing) passed %+v to f, want the stored person", *p)
		}
		p.Muted = []store.DMKind{store.DMNudges, store.DMDigest, store.DMNudges, ""}
		p.WorkStart, p.WorkEnd = 8*time.Hour, 16*time.Hour+30*time.Minute
		p.WorkDays = []time.Weekday{time.Friday, time.Monday, time.Monday}
		p.ID = "U2" // ignored
	}, store.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	want.Muted = []store.DMKind{store.DMDigest, store.DMNudges}
	want.WorkStart, want.WorkEnd = 8*time.Hour, 16*time.Hour+30*time.Minute
	want.WorkDays = []time.Weekday{time.Monday, time.Friday}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UpdatePerson(preferences) = %+v, want %+v", got, want)
	}
	got, err = db.UpdatePerson("U1", func(p *store.Person) { p.Deleted = true }, store.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	want.Deleted = true
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UpdatePerson(profile) = %+v, want %+v", got, want)
	}
	if stored, err := db.Person("U1"); err != nil || !reflect.DeepEqual(stored, want) {
		t.Errorf("Person(U1) = %+v, %v, want %+v", stored, err, want)
	}
	if _, err := db.Person("U2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Person(U2) = %v, want ErrNotFound (f cannot change the ID)", err)
	}

	// Ensure the returned copy does not alias the stored one.
	got.Muted[0] = "kudos"
	if stored, _ := db.Person("U1"); stored.Muted[0] != "digest" {
		t.Errorf("changing a returned Person changed the stored one: %+v", stored)
	}

	// Ensure empty lists go back to nil (the defaults).
	got, err = db.UpdatePerson("U1", func(p *store.Person) { p.Muted, p.WorkDays = []store.DMKind{}, []time.Weekday{} }, store.Effects{})
	if err != nil || got.Muted != nil || got.WorkDays != nil {
		t.Errorf("UpdatePerson(empty lists) = %+v, %v, want nil lists", got, err)
	}
}

// Ensure values the working-hours code cannot use are refused, and
// nothing is stored.
func TestUpdatePersonInvalid(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	tests := []struct {
		name string
		id   string
		f    func(p *store.Person)
		want string
	}{
		{"EmptyID", "", func(p *store.Person) {}, "empty user ID"},
		{"NegativeStart", "U1", func(p *store.Person) { p.WorkStart = -time.Hour }, "working hours"},
		{"EndAfterMidnight", "U1", func(p *store.Person) { p.WorkEnd = 25 * time.Hour }, "working hours"},
		{"BadWeekday", "U1", func(p *store.Person) { p.WorkDays = []time.Weekday{7} }, "working day 7"},
	}
	for _, tt := range tests {
		if _, err := db.UpdatePerson(tt.id, tt.f, store.Effects{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: UpdatePerson = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := db.Person("U1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("refused updates stored a person: Person(U1) = %v, want ErrNotFound", err)
	}
}

func TestPersonIsMuted(t *testing.T) {
	t.Parallel()
	p := store.Person{Muted: []store.DMKind{store.DMDigest, store.DMNudges}}
	tests := []struct {
		kind store.DMKind
		want bool
	}{
		{"digest", true},
		{"nudges", true},
		{"kudos", false},
		{"", false},
		{"Digest", false},
	}
	for _, tt := range tests {
		if got := p.IsMuted(tt.kind); got != tt.want {
			t.Errorf("Person{Muted: %v}.IsMuted(%q) = %v, want %v", p.Muted, tt.kind, got, tt.want)
		}
	}
	if (store.Person{}).IsMuted("kudos") {
		t.Errorf("Person{}.IsMuted(kudos) = true, want false")
	}
}

// Ensure Style is kept as the person wrote it and cut at MaxStyleRunes
// runes, never inside a rune, and that a refresh leaves it alone.
func TestUpdatePersonStyle(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", store.MaxStyleRunes) // 2 bytes a rune
	tests := []struct {
		name, style, want string
	}{
		{"Empty", "", ""},
		{"Short", "async first; mornings are for focus 🌅", "async first; mornings are for focus 🌅"},
		{"Exactly", long, long},
		{"OneTooMany", long + "x", long},
		{"ManyTooMany", strings.Repeat("🚀", 600), strings.Repeat("🚀", store.MaxStyleRunes)},
		{"InvalidUTF8", "a\xffb", "a\uFFFDb"}, // as JSON stores it
		{"InvalidUTF8TooLong", strings.Repeat("a", store.MaxStyleRunes-1) + "\xff\xfe", strings.Repeat("a", store.MaxStyleRunes-1) + "\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpen(t)
			got, err := db.UpdatePerson("U1", func(p *store.Person) { p.Style = tt.style }, store.Effects{})
			if err != nil || got.Style != tt.want {
				t.Fatalf("UpdatePerson(style of %d bytes) = %q, %v, want %q", len(tt.style), got.Style, err, tt.want)
			}
			got, err = db.UpdatePerson("U1", func(p *store.Person) { p.Name = "maya" }, store.Effects{})
			if err != nil || got.Style != tt.want {
				t.Errorf("UpdatePerson(refresh) = style %q, %v, want %q kept", got.Style, err, tt.want)
			}
			if stored, err := db.Person("U1"); err != nil || stored.Style != tt.want {
				t.Errorf("Person(U1) = style %q, %v, want %q", stored.Style, err, tt.want)
			}
		})
	}
}
