package store_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// Ensure ForgetUser followed by Compact leaves no byte of the person's ID
// in the database file itself, and the store keeps working.
func TestForgetThenCompactLeavesNoTrace(t *testing.T) {
	if storetest.Engine() == "etcd" {
		t.Skip("about the bbolt file; on etcd the data leaves etcd's history when it compacts")
	}
	db := storetest.MustOpen(t)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i := range 50 {
		if _, err := db.AddKudos(store.Kudos{Giver: "UFORGETME1", Receivers: []string{"UKEEPME01"}, Text: "for the help", At: at.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddCheckin(store.Checkin{User: "UFORGETME1", With: "UKEEPME01", At: at, Note: "note about <@UFORGETME1>"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ForgetUser("UFORGETME1", time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(db.Path())
	t.Logf("before Compact the file still holds the ID: %v (freed pages)", bytes.Contains(raw, []byte("UFORGETME1")))
	if err := db.Compact(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("UFORGETME1")) {
		t.Error("the database file still contains the forgotten ID after Compact")
	}
	if !bytes.Contains(raw, []byte("UKEEPME01")) {
		t.Error("Compact lost the other person's data")
	}
	if ks, err := db.KudosReceived("UKEEPME01", 0); err != nil || len(ks) != 50 {
		t.Errorf("after Compact: %d kudos, %v; want 50 kept", len(ks), err)
	}
	if _, err := db.AddKudos(store.Kudos{Giver: "UKEEPME01", Receivers: []string{"UOTHER001"}, Text: "writes still work", At: at}); err != nil {
		t.Errorf("write after Compact: %v", err)
	}
}
