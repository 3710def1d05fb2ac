package store_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// FuzzImport feeds arbitrary files to Import: it must never panic; a file
// it refuses changes nothing; a file it accepts leaves a consistent store.
func FuzzImport(f *testing.F) {
	seed := storetest.MustOpen(f)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	seed.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, Text: "for the docs", Values: []string{"craft"}, Channel: "C1", At: at})
	seed.AddFollowup(store.Followup{Owner: "U1", Counterpart: "U2", Text: "send it", Due: at.Add(time.Hour), Created: at}, nil)
	seed.AddCheckin(store.Checkin{User: "U1", With: "U2", At: at, Note: "note"}, nil)
	var valid bytes.Buffer
	if err := seed.Export(&valid, at); err != nil {
		f.Fatal(err)
	}
	f.Add(valid.Bytes())
	for _, s := range []string{
		`{"format":"rapport-export","version":1}`,
		`{"format":"rapport-export","version":2}`,
		`{"format":"rapport-export","version":1,"kudos":[{"id":"x"}]}`,
		`{"format":"rapport-export","version":1,"followups":[{"id":"1","owner":"U1","status":"maybe"}]}`,
		`{"format":"rapport-export","version":1,"coffee":{"rounds":[{"id":"1","at":"2026-01-01T00:00:00Z","groups":[["U1","U1"]]}]}}`,
		`[]`, `null`, ``, `{"format":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		db := storetest.MustOpen(t)
		db.AddKudos(store.Kudos{Giver: "UA", Receivers: []string{"UB"}, Text: "already here", At: at})
		var before bytes.Buffer
		if err := db.Export(&before, at); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Import(bytes.NewReader(file)); err != nil {
			var after bytes.Buffer
			if err := db.Export(&after, at); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before.Bytes(), after.Bytes()) {
				t.Fatalf("a refused import (%v) changed the data", err)
			}
			return
		}
		if err := db.Check(); err != nil {
			t.Fatalf("an accepted import left the store inconsistent: %v", err)
		}
	})
}
