package store_test

import (
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store"
)

// Ensure Check compares every index with its records: an entry missing,
// stale or with the wrong value is reported, naming the index.
func TestCheckFindsIndexDrift(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		damage func(tx *bolt.Tx) error
		want   string
	}{
		{"KudosByTimeMissing", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("kudos_by_time")).Delete(timeIDKey(base, 1))
		}, "kudos_by_time has no entry"},
		{"KudosByTimeWrongSummary", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("kudos_by_time")).Put(timeIDKey(base, 1), []byte{1, 1, 0, 0, 0})
		}, "kudos_by_time entry"},
		{"KudosByTimeStale", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("kudos_by_time")).Put(timeIDKey(base, 9), []byte{1, 0, 0, 0, 0})
		}, "kudos_by_time has 3 entries, want 2"},
		{"KudosByGiverStale", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("kudos_by_giver")).Put(userTimeIDKey("U7", base, 1), []byte{1})
		}, "kudos_by_giver has 3 entries, want 2"},
		{"KudosByGiverWrongCount", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("kudos_by_giver")).Put(userTimeIDKey("U1", base, 1), []byte{5})
		}, "kudos_by_giver entry"},
		{"KudosByReceiverMissing", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("kudos_by_receiver")).Delete(userTimeIDKey("U3", base, 1))
		}, "kudos_by_receiver has no entry"},
		{"KudosByReceiverNotPrivate", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("kudos_by_receiver")).Put(userTimeIDKey("U1", base.Add(time.Hour), 2), []byte{0})
		}, "kudos_by_receiver entry"},
		{"FollowupsByNextMissing", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("followups_by_next")).Delete(timeIDKey(base, 1))
		}, "followups_by_next has no entry"},
		{"FollowupsByNextStale", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("followups_by_next")).Put(timeIDKey(base, 5), []byte{})
		}, "followups_by_next has 2 entries, want 1"},
		{"FollowupsByNextHoldsDone", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("followups_by_next")).Put(timeIDKey(base, 2), []byte{})
		}, "followups_by_next has 2 entries, want 1"},
		{"FollowupsByNextWrongValue", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("followups_by_next")).Put(timeIDKey(base, 1), []byte{1})
		}, "followups_by_next entry"},
		{"FollowupsByOwnerMissing", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("followups_by_owner")).Delete(userIDKey("U1", 2))
		}, "followups_by_owner has no entry"},
		{"FollowupsByOwnerStale", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("followups_by_owner")).Put(userIDKey("U9", 1), []byte{})
		}, "followups_by_owner has 3 entries, want 2"},
		{"FollowupsByCounterpartMissing", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("followups_by_counterpart")).Delete(userIDKey("U2", 1))
		}, "followups_by_counterpart has no entry"},
		{"FollowupsByCounterpartStale", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("followups_by_counterpart")).Put(userIDKey("U1", 2), []byte{})
		}, "followups_by_counterpart has 2 entries, want 1"},
		{"CoffeeRoundsByAtMissing", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("coffee_rounds_by_at")).Delete(timeIDKey(base, 1))
		}, "coffee_rounds_by_at has no entry"},
		{"CoffeeRoundsByAtStale", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("coffee_rounds_by_at")).Put(timeIDKey(base.Add(time.Hour), 1), []byte{})
		}, "coffee_rounds_by_at has 2 entries, want 1"},
		{"OutboxByDueMissing", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("outbox_by_due")).Delete(timeIDKey(base, 1))
		}, "outbox_by_due has no entry"},
		{"OutboxKeysStale", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("outbox_keys")).Put([]byte("gone"), be64(7))
		}, "outbox_keys has 2 entries, want 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := newPath(t)
			db, err := store.Open(path, store.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			mustDo(t)(db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2", "U3"}, At: base}))
			mustDo(t)(db.AddKudos(store.Kudos{Giver: "U2", Receivers: []string{"U1"}, Private: true, At: base.Add(time.Hour)}))
			mustDo(t)(db.AddFollowup(store.Followup{Owner: "U1", Counterpart: "U2", Due: base}, nil))
			mustDo(t)(db.AddFollowup(store.Followup{Owner: "U1", Due: base, Status: store.FollowupDone}, nil))
			mustEnqueue(t, db, store.Outgoing{Key: "k", User: "U1", NotBefore: base})
			mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{{Members: []string{"U1", "U2"}}}})
			if err := db.Check(); err != nil {
				t.Fatalf("Check() before damage = %v", err)
			}
			must(t, db.Close())

			writeRaw(t, path, tt.damage)
			db = mustOpenPath(t, path, store.Options{})
			err = db.Check()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check() after damage = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
