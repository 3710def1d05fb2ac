package store_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store"
)

// currentVersion is the schema version this binary writes.
const currentVersion = 7

// v1Buckets are the buckets of schema v1, as shipped.
var v1Buckets = []string{
	"meta", "seen_events", "seen_events_by_time", "job_runs", "kudos",
	"followups", "followups_by_due", "coffee_members", "coffee_rounds", "checkins",
}

// v2Buckets to v6Buckets are the buckets added by schema v2 to v6.
var (
	v2Buckets = []string{"kudos_by_time"}
	v3Buckets = []string{"kudos_by_giver", "kudos_by_receiver", "people", "outbox", "outbox_by_due", "outbox_keys"}
	v4Buckets = []string{"coffee_rounds_by_at"}
	v5Buckets = []string{"followups_by_next", "followups_by_owner", "followups_by_counterpart"}
	v6Buckets = []string{"contacts"}
)

// droppedBuckets are the buckets a later schema removed.
var droppedBuckets = []string{"followups_by_due"} // by v5

// Ensure a new file gets every bucket and the current version.
func TestMigrateNewFile(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	readRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range slices.Concat(v1Buckets, v2Buckets, v3Buckets, v4Buckets, v5Buckets, v6Buckets) {
			if slices.Contains(droppedBuckets, name) {
				if tx.Bucket([]byte(name)) != nil {
					t.Errorf("new file has bucket %s, which a later schema dropped", name)
				}
				continue
			}
			if tx.Bucket([]byte(name)) == nil {
				t.Errorf("new file has no bucket %s", name)
			}
		}
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(currentVersion)) {
			t.Errorf("meta/schema_version = %x, want %x", v, be64(currentVersion))
		}
		return nil
	})
}

// Ensure v1 -> v2 ("index kudos by time") fills kudos_by_time from the
// kudos already stored, and the result reads back in time order.
func TestMigrateV2IndexKudosByTime(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	times := map[uint64]time.Time{ // stored in id order, not time order
		1: base.Add(2 * time.Hour),
		2: base,
		3: base.Add(time.Hour).Add(5 * time.Nanosecond),
	}
	writeRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range v1Buckets {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(1)); err != nil {
			return err
		}
		kudos := tx.Bucket([]byte("kudos"))
		for id := uint64(1); id <= 3; id++ {
			v := `{"giver":"U1","receivers":["U2"],"text":"thanks","at":"` + times[id].Format(time.RFC3339Nano) + `"}`
			if err := kudos.Put(be64(id), []byte(v)); err != nil {
				return err
			}
		}
		return kudos.SetSequence(3)
	})

	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open(v1 file) = %v", err)
	}
	got, err := db.KudosBetween(time.Time{}, base.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, k := range got {
		ids = append(ids, k.ID)
		if !k.At.Equal(times[k.ID]) {
			t.Errorf("kudos %d At = %s, want %s", k.ID, k.At, times[k.ID])
		}
	}
	if want := []uint64{2, 3, 1}; !slices.Equal(ids, want) {
		t.Errorf("KudosBetween after migration = ids %v, want %v (time order)", ids, want)
	}
	if k, err := db.AddKudos(store.Kudos{Giver: "U3", At: base}); err != nil || k.ID != 4 {
		t.Errorf("AddKudos after migration = id %d, %v, want id 4", k.ID, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	readRaw(t, path, func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); binary.BigEndian.Uint64(v) != currentVersion {
			t.Errorf("schema_version after migration = %x, want %d", v, currentVersion)
		}
		var keys [][]byte
		tx.Bucket([]byte("kudos_by_time")).ForEach(func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
		want := [][]byte{timeIDKey(times[2], 2), timeIDKey(base, 4), timeIDKey(times[3], 3), timeIDKey(times[1], 1)}
		if len(keys) != len(want) {
			t.Fatalf("kudos_by_time has %d keys, want %d", len(keys), len(want))
		}
		for i := range want {
			if !bytes.Equal(keys[i], want[i]) {
				t.Errorf("kudos_by_time key %d = %x, want %x", i, keys[i], want[i])
			}
		}
		return nil
	})
}

// Ensure a migration that fails leaves the file at its old version: all
// migrations run in one transaction.
func TestMigrateFailureRollsBack(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	writeRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range v1Buckets {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(1)); err != nil {
			return err
		}
		return tx.Bucket([]byte("kudos")).Put(be64(1), []byte(`{"at": "not a time"}`))
	})
	db, err := store.Open(path, store.Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open(file with a broken kudos) = nil error, want the migration's")
	}
	if !strings.Contains(err.Error(), "migrate to v2 (index kudos by time)") || !strings.Contains(err.Error(), "kudos 1") {
		t.Errorf("Open error %q should name the migration and the record", err)
	}
	if errors.Is(err, store.ErrNotDatabase) || errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("Open error %q wraps the wrong sentinel", err)
	}
	readRaw(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("kudos_by_time")) != nil {
			t.Errorf("failed migration left bucket kudos_by_time behind")
		}
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(1)) {
			t.Errorf("schema_version after failed migration = %x, want 1", v)
		}
		return nil
	})
}

// Ensure a current file is opened without being written to.
func TestOpenCurrentFileWritesNothing(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := readFile(t, path)
	_ = mustOpenPath(t, path, store.Options{})
	if !bytes.Equal(readFile(t, path), before) {
		t.Errorf("reopening a current file changed it")
	}
}

// writeV2File writes a schema v2 file as v2 left it: the v1 and v2
// buckets, version 2, the kudos given (raw JSON by id), and a
// kudos_by_time entry with an empty value for each, plus extra entries.
func writeV2File(t *testing.T, path string, kudos map[uint64]string, at map[uint64]time.Time, extra ...[]byte) {
	t.Helper()
	writeRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range slices.Concat(v1Buckets, v2Buckets) {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(2)); err != nil {
			return err
		}
		b, idx := tx.Bucket([]byte("kudos")), tx.Bucket([]byte("kudos_by_time"))
		var last uint64
		for id, v := range kudos {
			if err := b.Put(be64(id), []byte(v)); err != nil {
				return err
			}
			if err := idx.Put(timeIDKey(at[id], id), []byte{}); err != nil {
				return err
			}
			last = max(last, id)
		}
		for _, k := range extra {
			if err := idx.Put(k, []byte{}); err != nil {
				return err
			}
		}
		return b.SetSequence(last)
	})
}

// Ensure v2 -> v3 gives kudos_by_time summaries, fills kudos_by_giver and
// kudos_by_receiver from the kudos stored (receivers without repeats,
// private flagged), drops a stale v2 entry, and creates the people and
// outbox buckets; the methods that read the new indexes work at once.
func TestMigrateV3KudosIndexes(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	at := map[uint64]time.Time{1: base, 2: base.Add(time.Hour), 3: base.Add(2 * time.Hour), 4: base.Add(3 * time.Hour)}
	rfc := func(id uint64) string { return at[id].Format(time.RFC3339Nano) }
	kudos := map[uint64]string{
		1: `{"giver":"U1","receivers":["U2"],"text":"demo","values":["teamwork"],"at":"` + rfc(1) + `"}`,
		2: `{"giver":"U2","receivers":["U1","U3","U1"],"text":"quietly","private":true,"at":"` + rfc(2) + `"}`,
		3: `{"giver":"U1","at":"` + rfc(3) + `"}`,
		4: `{"giver":"U12","receivers":["U2"],"values":["craft","craft"],"channel":"C1","ts":"1.2","at":"` + rfc(4) + `"}`,
	}
	stale := timeIDKey(base, 99) // no kudos 99
	writeV2File(t, path, kudos, at, stale)

	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open(v2 file) = %v", err)
	}
	if err := db.Check(); err != nil {
		t.Errorf("Check() after migration = %v", err)
	}
	day := base.Add(24 * time.Hour)
	stats, err := db.KudosStats(base, day, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantStats := store.KudosStats{
		Total:     3, // 2 is private
		Receivers: []store.Tally{{Key: "U2", Count: 2}},
		Givers:    []store.Tally{{Key: "U1", Count: 1}, {Key: "U12", Count: 1}},
		Values:    []store.Tally{{Key: "craft", Count: 1}, {Key: "teamwork", Count: 1}},
	}
	if !reflect.DeepEqual(stats, wantStats) {
		t.Errorf("KudosStats after migration = %+v, want %+v", stats, wantStats)
	}
	for _, tt := range []struct {
		giver string
		want  int
	}{{"U1", 1}, {"U2", 2}, {"U12", 1}, {"U3", 0}} {
		if n, err := db.KudosGivenCount(tt.giver, base, day); err != nil || n != tt.want {
			t.Errorf("KudosGivenCount(%s) after migration = %d, %v, want %d", tt.giver, n, err, tt.want)
		}
	}
	for _, tt := range []struct {
		user string
		want []uint64
	}{{"U1", []uint64{2}}, {"U2", []uint64{4, 1}}, {"U3", []uint64{2}}, {"U12", nil}} {
		got, err := db.KudosReceived(tt.user, 0)
		if err != nil {
			t.Fatal(err)
		}
		if ids := kudosIDs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("KudosReceived(%s) after migration = ids %v, want %v", tt.user, ids, tt.want)
		}
	}
	if k, err := db.AddKudos(store.Kudos{Giver: "U3", At: base}); err != nil || k.ID != 5 {
		t.Errorf("AddKudos after migration = id %d, %v, want id 5", k.ID, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	readRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range v3Buckets {
			if tx.Bucket([]byte(name)) == nil {
				t.Errorf("migrated file has no bucket %s", name)
			}
		}
		byTime := tx.Bucket([]byte("kudos_by_time"))
		if v := byTime.Get(stale); v != nil {
			t.Errorf("stale kudos_by_time entry %x survived the migration", stale)
		}
		// The summary layout, spelled out byte by byte.
		summaries := map[uint64][]byte{
			1: slices.Concat([]byte{1, 0, 2}, []byte("U1"), []byte{1, 2}, []byte("U2"), []byte{1, 8}, []byte("teamwork")),
			2: slices.Concat([]byte{1, 1, 2}, []byte("U2"), []byte{2, 2}, []byte("U1"), []byte{2}, []byte("U3"), []byte{0}),
			3: slices.Concat([]byte{1, 0, 2}, []byte("U1"), []byte{0, 0}),
			4: slices.Concat([]byte{1, 0, 3}, []byte("U12"), []byte{1, 2}, []byte("U2"), []byte{1, 5}, []byte("craft")),
		}
		for id, want := range summaries {
			if got := byTime.Get(timeIDKey(at[id], id)); !bytes.Equal(got, want) {
				t.Errorf("kudos_by_time value of kudos %d = %x, want %x", id, got, want)
			}
		}
		wantGiver := map[string][]byte{
			string(userTimeIDKey("U1", at[1], 1)):  {1},
			string(userTimeIDKey("U1", at[3], 3)):  {0},
			string(userTimeIDKey("U12", at[4], 4)): {1},
			string(userTimeIDKey("U2", at[2], 2)):  {2},
		}
		wantReceiver := map[string][]byte{
			string(userTimeIDKey("U1", at[2], 2)): {1},
			string(userTimeIDKey("U2", at[1], 1)): {0},
			string(userTimeIDKey("U2", at[4], 4)): {0},
			string(userTimeIDKey("U3", at[2], 2)): {1},
		}
		for name, want := range map[string]map[string][]byte{"kudos_by_giver": wantGiver, "kudos_by_receiver": wantReceiver} {
			got := map[string][]byte{}
			tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				got[string(k)] = bytes.Clone(v)
				return nil
			})
			// Kudos 5 was added after the migration.
			delete(got, string(userTimeIDKey("U3", base, 5)))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s after migration = %q, want %q", name, got, want)
			}
		}
		return nil
	})
}

// Ensure a kudos v3 cannot index (a NUL in a user ID would break the
// per-user keys) fails the migration and leaves the file at v2.
func TestMigrateV3FailureRollsBack(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	at := map[uint64]time.Time{1: base}
	writeV2File(t, path, map[uint64]string{1: `{"giver":"U1\u0000x","at":"` + base.Format(time.RFC3339) + `"}`}, at)
	db, err := store.Open(path, store.Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open(file with a NUL in a giver) = nil error, want the migration's")
	}
	if !strings.Contains(err.Error(), "migrate to v3 (") || !strings.Contains(err.Error(), "kudos 1") {
		t.Errorf("Open error %q should name the migration and the record", err)
	}
	readRaw(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("people")) != nil || tx.Bucket([]byte("kudos_by_giver")) != nil {
			t.Errorf("failed migration left v3 buckets behind")
		}
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(2)) {
			t.Errorf("schema_version after failed migration = %x, want 2", v)
		}
		if v := tx.Bucket([]byte("kudos_by_time")).Get(timeIDKey(base, 1)); v == nil || len(v) != 0 {
			t.Errorf("kudos_by_time entry after failed migration = %x, want the v2 empty value", v)
		}
		return nil
	})
}

// writeV3File writes a schema v3 file as v3 left it: the v1 to v3
// buckets, version 3, and the coffee members and rounds given (raw JSON,
// by user and by id).
func writeV3File(t *testing.T, path string, members map[string]string, rounds map[uint64]string) {
	t.Helper()
	writeRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range slices.Concat(v1Buckets, v2Buckets, v3Buckets) {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(3)); err != nil {
			return err
		}
		for user, v := range members {
			if err := tx.Bucket([]byte("coffee_members")).Put([]byte(user), []byte(v)); err != nil {
				return err
			}
		}
		b := tx.Bucket([]byte("coffee_rounds"))
		var last uint64
		for id, v := range rounds {
			if err := b.Put(be64(id), []byte(v)); err != nil {
				return err
			}
			last = max(last, id)
		}
		return b.SetSequence(last)
	})
}

// Ensure v3 -> v4 turns rounds' groups into objects (members sorted, no
// icebreaker), closes the old rounds, indexes them by time (two rounds at
// one instant, which v3 allowed, both), and marks members as joined by
// command; the round methods work at once.
func TestMigrateV4CoffeeRounds(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	week := 7 * 24 * time.Hour
	at := map[uint64]time.Time{1: base.Add(-week), 2: base.Add(-2 * week), 3: base, 4: base}
	rfc := func(id uint64) string { return at[id].Format(time.RFC3339Nano) }
	writeV3File(t, path,
		map[string]string{
			"U1": `{"joined":"2026-10-01T09:00:00Z"}`,
			"U2": `{"joined":"2026-10-02T09:00:00Z","paused_until":"2026-12-24T00:00:00Z"}`,
		},
		map[uint64]string{
			1: `{"at":"` + rfc(1) + `","groups":[["U3","U1"],["U5","U2","U4"]]}`,
			2: `{"at":"` + rfc(2) + `"}`,
			3: `{"at":"` + rfc(3) + `","groups":[["U1","U2"]]}`,
			4: `{"at":"` + rfc(4) + `","groups":[["U2","U4"]]}`, // same instant as 3
		})

	db, err := store.Open(path, store.Options{Now: fixedNow(base.Add(time.Hour))})
	if err != nil {
		t.Fatalf("Open(v3 file) = %v", err)
	}
	if err := db.Check(); err != nil {
		t.Errorf("Check() after migration = %v", err)
	}
	g := func(members ...string) store.CoffeeGroup { return store.CoffeeGroup{Members: members, Icebreaker: -1} }
	want := []store.Round{
		{ID: 2, At: at[2], Closed: true},
		{ID: 1, At: at[1], Closed: true, Groups: []store.CoffeeGroup{g("U1", "U3"), g("U2", "U4", "U5")}},
		{ID: 3, At: at[3], Closed: true, Groups: []store.CoffeeGroup{g("U1", "U2")}},
		{ID: 4, At: at[4], Closed: true, Groups: []store.CoffeeGroup{g("U2", "U4")}},
	}
	if got, err := db.Rounds(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Rounds() after migration = %+v, %v, want %+v", got, err, want)
	}
	if got, err := db.RoundsBetween(at[2].Add(1), at[3]); err != nil || !reflect.DeepEqual(got, want[1:2]) {
		t.Errorf("RoundsBetween after migration = %+v, %v, want round 1", got, err)
	}
	if got, ok, err := db.LastRound(); err != nil || !ok || got.ID != 4 {
		t.Errorf("LastRound() after migration = %+v, %v, %v, want round 4 (latest, highest id)", got, ok, err)
	}
	if got, err := db.RoundAt(base); err != nil || got.ID != 3 {
		t.Errorf("RoundAt(base) after migration = %+v, %v, want round 3 (the lower id)", got, err)
	}
	if got, created, err := db.CreateRound(store.Round{At: at[1]}); err != nil || created || got.ID != 1 {
		t.Errorf("CreateRound(At of round 1) after migration = %+v, %v, %v, want round 1, false", got, created, err)
	}
	if got, created, err := db.CreateRound(store.Round{}); err != nil || !created || got.ID != 5 {
		t.Errorf("CreateRound(now) after migration = %+v, %v, %v, want round 5, true", got, created, err)
	}
	// Old rounds are closed: closing does not count misses for questions
	// nobody was asked.
	must(t, db.CloseRound(3, func(*store.Round, map[string]*store.CoffeeMember) error {
		t.Errorf("CloseRound(migrated round) called f")
		return nil
	}))
	wantMembers := []store.CoffeeMember{
		{User: "U1", Joined: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Via: store.ViaCommand},
		{User: "U2", Joined: time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC), PausedUntil: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), Via: store.ViaCommand},
	}
	if got, err := db.CoffeeMembers(); err != nil || !reflect.DeepEqual(got, wantMembers) {
		t.Errorf("CoffeeMembers() after migration = %+v, %v, want %+v", got, err, wantMembers)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	readRaw(t, path, func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(currentVersion)) {
			t.Errorf("schema_version after migration = %x, want %d", v, currentVersion)
		}
		// The stored shape, spelled out.
		wantValues := map[uint64]string{
			1: `{"at":"` + rfc(1) + `","groups":[{"members":["U1","U3"],"icebreaker":-1},{"members":["U2","U4","U5"],"icebreaker":-1}],"closed":true}`,
			2: `{"at":"` + rfc(2) + `","closed":true}`,
		}
		for id, want := range wantValues {
			if got := tx.Bucket([]byte("coffee_rounds")).Get(be64(id)); string(got) != want {
				t.Errorf("coffee_rounds value of round %d = %s, want %s", id, got, want)
			}
		}
		if got, want := tx.Bucket([]byte("coffee_members")).Get([]byte("U1")), `{"joined":"2026-10-01T09:00:00Z","via":"command"}`; string(got) != want {
			t.Errorf("coffee_members value of U1 = %s, want %s", got, want)
		}
		var keys [][]byte
		tx.Bucket([]byte("coffee_rounds_by_at")).ForEach(func(k, v []byte) error {
			if len(v) != 0 {
				t.Errorf("coffee_rounds_by_at entry %x has value %x, want empty", k, v)
			}
			keys = append(keys, bytes.Clone(k))
			return nil
		})
		wantKeys := [][]byte{timeIDKey(at[2], 2), timeIDKey(at[1], 1), timeIDKey(at[3], 3), timeIDKey(at[4], 4), timeIDKey(base.Add(time.Hour), 5)}
		if !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("coffee_rounds_by_at keys = %x, want %x", keys, wantKeys)
		}
		return nil
	})
}

// Ensure a round v4 cannot index fails the migration and leaves the file
// at v3.
func TestMigrateV4FailureRollsBack(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	writeV3File(t, path, map[string]string{"U1": `{"joined":"2026-10-01T09:00:00Z"}`}, map[uint64]string{
		1: `{"at":"` + base.Format(time.RFC3339) + `","groups":[["U2","U1"]]}`,
		2: `{"at":"1969-12-31T23:00:00Z"}`,
	})
	db, err := store.Open(path, store.Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open(file with a round before 1970) = nil error, want the migration's")
	}
	if !strings.Contains(err.Error(), "migrate to v4 (") || !strings.Contains(err.Error(), "round 2: at:") {
		t.Errorf("Open error %q should name the migration and the record", err)
	}
	readRaw(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("coffee_rounds_by_at")) != nil {
			t.Errorf("failed migration left bucket coffee_rounds_by_at behind")
		}
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(3)) {
			t.Errorf("schema_version after failed migration = %x, want 3", v)
		}
		if got, want := tx.Bucket([]byte("coffee_rounds")).Get(be64(1)), `{"at":"`+base.Format(time.RFC3339)+`","groups":[["U2","U1"]]}`; string(got) != want {
			t.Errorf("round 1 after failed migration = %s, want the v3 value %s", got, want)
		}
		if got, want := tx.Bucket([]byte("coffee_members")).Get([]byte("U1")), `{"joined":"2026-10-01T09:00:00Z"}`; string(got) != want {
			t.Errorf("member U1 after failed migration = %s, want the v3 value %s", got, want)
		}
		return nil
	})
}

// writeV4File writes a schema v4 file as v4 left it: the v1 to v4
// buckets, version 4, the follow-ups given (raw JSON by id), and a
// followups_by_due entry for each open one (be64(due) ‖ be64(id)), plus
// extra entries.
func writeV4File(t *testing.T, path string, followups map[uint64]string, extra ...[]byte) {
	t.Helper()
	writeRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range slices.Concat(v1Buckets, v2Buckets, v3Buckets, v4Buckets) {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(4)); err != nil {
			return err
		}
		b, byDue := tx.Bucket([]byte("followups")), tx.Bucket([]byte("followups_by_due"))
		var last uint64
		for id, v := range followups {
			if err := b.Put(be64(id), []byte(v)); err != nil {
				return err
			}
			var rec struct {
				Due    time.Time `json:"due"`
				Status string    `json:"status"`
			}
			if err := json.Unmarshal([]byte(v), &rec); err == nil && rec.Status == "open" && rec.Due.Unix() >= 0 {
				if err := byDue.Put(timeIDKey(rec.Due, id), []byte{}); err != nil {
					return err
				}
			}
			last = max(last, id)
		}
		for _, k := range extra {
			if err := byDue.Put(k, []byte{}); err != nil {
				return err
			}
		}
		return b.SetSequence(last)
	})
}

// Ensure v4 -> v5 replaces followups_by_due with followups_by_next (open
// follow-ups, next_at = due, written into the records), indexes every
// follow-up by owner and counterpart, leaves closed records as they were,
// and the new methods work at once.
func TestMigrateV5Followups(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	due := map[uint64]time.Time{
		1: base.Add(48 * time.Hour),
		4: base.Add(-48*time.Hour + 5), // overdue, with nanoseconds
		5: base.Add(48 * time.Hour),    // the same due as 1
	}
	rfc := func(id uint64) string { return due[id].Format(time.RFC3339Nano) }
	created := base.Add(-72 * time.Hour).Format(time.RFC3339)
	records := map[uint64]string{
		1: `{"owner":"U1","counterpart":"U2","text":"send the deck","due":"` + rfc(1) + `","created":"` + created + `","status":"open"}`,
		2: `{"owner":"U1","text":"self","due":"2026-11-20T09:00:00Z","created":"` + created + `","status":"done","done_at":"2026-11-21T09:00:00Z"}`,
		3: `{"owner":"U12","counterpart":"U1","due":"0001-01-01T00:00:00Z","created":"` + created + `","status":"dropped"}`,
		4: `{"owner":"U3","text":"\u003c@U1\u003e review","due":"` + rfc(4) + `","created":"` + created + `","status":"open"}`,
		5: `{"owner":"U12","counterpart":"U2","due":"` + rfc(5) + `","created":"` + created + `","status":"open","done_at":"2026-11-21T09:00:00Z"}`,
	}
	stale := timeIDKey(base, 99) // no follow-up 99
	writeV4File(t, path, records, stale)

	db, err := store.Open(path, store.Options{Now: fixedNow(base)})
	if err != nil {
		t.Fatalf("Open(v4 file) = %v", err)
	}
	if err := db.Check(); err != nil {
		t.Errorf("Check() after migration = %v", err)
	}
	t.Run("Records", func(t *testing.T) {
		createdAt := base.Add(-72 * time.Hour)
		day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
		want := []store.Followup{
			{ID: 1, Owner: "U1", Counterpart: "U2", Text: "send the deck", Due: due[1], Created: createdAt, Status: store.FollowupOpen, NextAt: due[1]},
			{ID: 2, Owner: "U1", Text: "self", Due: day(20), Created: createdAt, Status: store.FollowupDone, DoneAt: day(21)},
			{ID: 3, Owner: "U12", Counterpart: "U1", Created: createdAt, Status: store.FollowupDropped},
			{ID: 4, Owner: "U3", Text: "<@U1> review", Due: due[4], Created: createdAt, Status: store.FollowupOpen, NextAt: due[4]},
			{ID: 5, Owner: "U12", Counterpart: "U2", Due: due[5], Created: createdAt, Status: store.FollowupOpen, NextAt: due[5]},
		}
		if got, err := db.Followups(); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Followups() after migration = %+v, %v, want %+v", got, err, want)
		}
	})
	t.Run("Due", func(t *testing.T) {
		for _, tt := range []struct {
			now  time.Time
			want []uint64
		}{
			{base, []uint64{4}},
			{due[1], []uint64{4, 1, 5}},
			{due[4].Add(-1), nil},
		} {
			if got, err := db.FollowupsDue(tt.now, 0); err != nil || !slices.Equal(followupIDs(got), tt.want) {
				t.Errorf("FollowupsDue(%s) after migration = ids %v, %v, want %v", tt.now, followupIDs(got), err, tt.want)
			}
		}
	})
	t.Run("ByUser", func(t *testing.T) {
		for _, tt := range []struct {
			user        string
			owned, owed []uint64
		}{
			{"U1", []uint64{1, 2}, []uint64{3}},
			{"U12", []uint64{3, 5}, nil},
			{"U2", nil, []uint64{1, 5}},
			{"U3", []uint64{4}, nil},
		} {
			owned, err1 := db.FollowupsOwnedBy(tt.user)
			owed, err2 := db.FollowupsOwedTo(tt.user)
			if err := errors.Join(err1, err2); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(followupIDs(owned), tt.owned) || !slices.Equal(followupIDs(owed), tt.owed) {
				t.Errorf("%s after migration: owns %v, is owed %v; want %v, %v", tt.user, followupIDs(owned), followupIDs(owed), tt.owned, tt.owed)
			}
		}
	})
	t.Run("WritesAfter", func(t *testing.T) {
		if f, err := db.UpdateFollowup(4, func(f *store.Followup) error {
			f.Status, f.DoneAt = store.FollowupDone, base
			return nil
		}, nil); err != nil || !f.NextAt.IsZero() {
			t.Errorf("UpdateFollowup(4, done) after migration = %+v, %v, want done with nothing scheduled", f, err)
		}
		if f, err := db.AddFollowup(store.Followup{Owner: "U1", Due: base}, nil); err != nil || f.ID != 6 {
			t.Errorf("AddFollowup after migration = id %d, %v, want id 6", f.ID, err)
		}
		if err := db.Check(); err != nil {
			t.Errorf("Check() after writes = %v", err)
		}
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	readRaw(t, path, func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(currentVersion)) {
			t.Errorf("schema_version after migration = %x, want %d", v, currentVersion)
		}
		if tx.Bucket([]byte("followups_by_due")) != nil {
			t.Errorf("followups_by_due survived the migration")
		}
		// The stored shape, spelled out: open ones gained next_at (and 5
		// lost its done_at), closed ones are as they were.
		wantValues := map[uint64]string{
			1: `{"counterpart":"U2","created":"` + created + `","due":"` + rfc(1) + `","next_at":"` + rfc(1) + `","owner":"U1","status":"open","text":"send the deck"}`,
			2: records[2],
			3: records[3],
			5: `{"counterpart":"U2","created":"` + created + `","due":"` + rfc(5) + `","next_at":"` + rfc(5) + `","owner":"U12","status":"open"}`,
		}
		for id, want := range wantValues {
			if got := tx.Bucket([]byte("followups")).Get(be64(id)); string(got) != want {
				t.Errorf("followups value of %d = %s, want %s", id, got, want)
			}
		}
		// Follow-up 4 was closed and 6 added after the migration.
		wantKeys := map[string][][]byte{
			"followups_by_next":        {timeIDKey(base, 6), timeIDKey(due[1], 1), timeIDKey(due[5], 5)},
			"followups_by_owner":       {userIDKey("U1", 1), userIDKey("U1", 2), userIDKey("U1", 6), userIDKey("U12", 3), userIDKey("U12", 5), userIDKey("U3", 4)},
			"followups_by_counterpart": {userIDKey("U1", 3), userIDKey("U2", 1), userIDKey("U2", 5)},
		}
		for name, want := range wantKeys {
			var keys [][]byte
			tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				if len(v) != 0 {
					t.Errorf("%s entry %x has value %x, want empty", name, k, v)
				}
				keys = append(keys, bytes.Clone(k))
				return nil
			})
			if !reflect.DeepEqual(keys, want) {
				t.Errorf("%s after migration = %x, want %x", name, keys, want)
			}
		}
		return nil
	})
}

// Ensure a follow-up v5 cannot index fails the migration and leaves the
// file at v4, followups_by_due and all.
func TestMigrateV5FailureRollsBack(t *testing.T) {
	t.Parallel()
	ok := `{"owner":"U1","due":"` + base.Format(time.RFC3339) + `","created":"` + base.Format(time.RFC3339) + `","status":"open"}`
	tests := []struct {
		name string
		bad  string
		want string
	}{
		{"OwnerNUL", `{"owner":"U1\u0000","due":"` + base.Format(time.RFC3339) + `","created":"` + base.Format(time.RFC3339) + `","status":"done"}`, "followup 2: owner: "},
		{"CounterpartNUL", `{"owner":"U1","counterpart":"\u0000","status":"dropped"}`, "followup 2: counterpart: "},
		{"OpenDueBefore1970", `{"owner":"U1","due":"1969-12-31T23:00:00Z","created":"` + base.Format(time.RFC3339) + `","status":"open"}`, "followup 2: due: "},
		{"NotJSON", `{"owner":`, "followup 2: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := newPath(t)
			writeV4File(t, path, map[uint64]string{1: ok, 2: tt.bad})
			db, err := store.Open(path, store.Options{})
			if err == nil {
				db.Close()
				t.Fatalf("Open(v4 file with %s) = nil error, want the migration's", tt.name)
			}
			if !strings.Contains(err.Error(), "migrate to v5 (") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open error %q should name the migration and %q", err, tt.want)
			}
			readRaw(t, path, func(tx *bolt.Tx) error {
				for _, name := range v5Buckets {
					if tx.Bucket([]byte(name)) != nil {
						t.Errorf("failed migration left bucket %s behind", name)
					}
				}
				if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(4)) {
					t.Errorf("schema_version after failed migration = %x, want 4", v)
				}
				if v := tx.Bucket([]byte("followups_by_due")).Get(timeIDKey(base, 1)); v == nil {
					t.Errorf("followups_by_due lost follow-up 1's entry in a failed migration")
				}
				if got := tx.Bucket([]byte("followups")).Get(be64(1)); string(got) != ok {
					t.Errorf("follow-up 1 after failed migration = %s, want the v4 value %s", got, ok)
				}
				return nil
			})
		})
	}
}

// Ensure v5 -> v6 adds an empty contacts bucket, leaves people as they
// were (LastReconnect zero until set), and contacts work at once.
func TestMigrateV6Contacts(t *testing.T) {
	t.Parallel()
	path := newPath(t)
	person := `{"name":"Ann","tz":"Europe/Paris","updated":"2026-11-01T09:00:00Z"}`
	writeRaw(t, path, func(tx *bolt.Tx) error {
		for _, name := range slices.Concat(v1Buckets, v2Buckets, v3Buckets, v4Buckets, v5Buckets) {
			if slices.Contains(droppedBuckets, name) {
				continue
			}
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("people")).Put([]byte("U1"), []byte(person)); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(5))
	})

	db, err := store.Open(path, store.Options{Now: fixedNow(base)})
	if err != nil {
		t.Fatalf("Open(v5 file) = %v", err)
	}
	if err := db.Check(); err != nil {
		t.Errorf("Check() after migration = %v", err)
	}
	want := store.Person{ID: "U1", Name: "Ann", TZ: "Europe/Paris", Updated: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	if got, err := db.Person("U1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Person(U1) after migration = %+v, %v, want %+v", got, err, want)
	}
	if got, err := db.ReconnectOwners(); err != nil || got != nil {
		t.Errorf("ReconnectOwners() after migration = %v, %v, want none", got, err)
	}
	if err := db.RecordInTouch("U1", "U2", base, store.InTouchCoffee); err != nil {
		t.Errorf("RecordInTouch after migration = %v", err)
	}
	if got, err := db.Circle("U2"); err != nil || len(got) != 1 || got[0].Other != "U1" {
		t.Errorf("Circle(U2) after migration = %+v, %v", got, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	readRaw(t, path, func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(currentVersion)) {
			t.Errorf("schema_version after migration = %x, want %d", v, currentVersion)
		}
		if got := tx.Bucket([]byte("people")).Get([]byte("U1")); string(got) != person {
			t.Errorf("people value of U1 = %s, want the v5 value %s", got, person)
		}
		return nil
	})
}

// The coffee tick job was called "coffee-followup"; v7 moves its job_runs
// record to "coffee-tick", so its last run is kept, and leaves the other
// jobs' records as they were.
func TestMigrateV7CoffeeTickJob(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		existing map[string]time.Time // job_runs before
		want     map[string]time.Time // after
	}{
		{
			name:     "old name moves",
			existing: map[string]time.Time{"coffee-followup": base, "tick": base.Add(time.Minute)},
			want:     map[string]time.Time{"coffee-tick": base, "tick": base.Add(time.Minute)},
		},
		{
			name:     "the new name, already there, wins",
			existing: map[string]time.Time{"coffee-followup": base, "coffee-tick": base.Add(time.Hour)},
			want:     map[string]time.Time{"coffee-tick": base.Add(time.Hour)},
		},
		{
			name:     "never ran",
			existing: map[string]time.Time{"coffee-round": base},
			want:     map[string]time.Time{"coffee-round": base},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := newPath(t)
			writeRaw(t, path, func(tx *bolt.Tx) error {
				for _, name := range slices.Concat(v1Buckets, v2Buckets, v3Buckets, v4Buckets, v5Buckets, v6Buckets) {
					if slices.Contains(droppedBuckets, name) {
						continue
					}
					if _, err := tx.CreateBucket([]byte(name)); err != nil {
						return err
					}
				}
				for name, at := range tt.existing {
					v := fmt.Sprintf(`{"last_run":%q}`, at.Format(time.RFC3339Nano))
					if err := tx.Bucket([]byte("job_runs")).Put([]byte(name), []byte(v)); err != nil {
						return err
					}
				}
				return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), be64(6))
			})
			db, err := store.Open(path, store.Options{Now: fixedNow(base)})
			if err != nil {
				t.Fatalf("Open(v6 file) = %v", err)
			}
			defer db.Close()
			if err := db.Check(); err != nil {
				t.Errorf("Check() after migration = %v", err)
			}
			for _, name := range []string{"coffee-followup", "coffee-tick", "tick", "coffee-round"} {
				got, ok, err := db.JobLastRun(name)
				want, wantOK := tt.want[name]
				if err != nil || ok != wantOK || !got.Equal(want) {
					t.Errorf("JobLastRun(%q) = %v, %v, %v; want %v, %v", name, got, ok, err, want, wantOK)
				}
			}
		})
	}
}
