package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rapport-bot/rapport/store"
)

// currentVersion is the schema version this binary writes.
const currentVersion = 4

// v1Buckets are the buckets of schema v1, as shipped.
var v1Buckets = []string{
	"meta", "seen_events", "seen_events_by_time", "job_runs", "kudos",
	"followups", "followups_by_due", "coffee_members", "coffee_rounds", "checkins",
}

// v2Buckets, v3Buckets and v4Buckets are the buckets added by schema v2,
// v3 and v4.
var (
	v2Buckets = []string{"kudos_by_time"}
	v3Buckets = []string{"kudos_by_giver", "kudos_by_receiver", "people", "outbox", "outbox_by_due", "outbox_keys"}
	v4Buckets = []string{"coffee_rounds_by_at"}
)

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
		for _, name := range slices.Concat(v1Buckets, v2Buckets, v3Buckets, v4Buckets) {
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
	db = mustOpenPath(t, path, store.Options{})
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
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); !bytes.Equal(v, be64(4)) {
			t.Errorf("schema_version after migration = %x, want 4", v)
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
