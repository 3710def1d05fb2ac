package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A migration moves the file from version-1 to version. It runs inside the
// single Update of Open, together with every other pending migration, so a
// file is either fully migrated or left as it was.
type migration struct {
	version uint64
	name    string
	migrate func(tx *bolt.Tx) error
}

// migrations is ordered and append-only. A shipped migration is never
// edited: it must still turn the old shape it was written for into the
// next one, so it decodes values with its own frozen structs, not with the
// current records.
var migrations = []migration{
	{version: 1, name: "create buckets", migrate: createBucketsV1},
	{version: 2, name: "index kudos by time", migrate: indexKudosByTimeV2},
	{version: 3, name: "kudos summaries and per-user indexes, people, outbox", migrate: kudosIndexesPeopleOutboxV3},
	{version: 4, name: "coffee round state, rounds by time, members' via", migrate: coffeeRoundStateV4},
	{version: 5, name: "follow-ups by next action, owner and counterpart", migrate: followupIndexesV5},
	{version: 6, name: "stay-in-touch contacts", migrate: createContactsV6},
	{version: 7, name: "coffee tick job renamed", migrate: renameCoffeeTickJobV7},
}

// schemaVersion is the version this binary writes.
func schemaVersion() uint64 { return migrations[len(migrations)-1].version }

// createBucketsV1 creates the buckets of the first schema.
func createBucketsV1(tx *bolt.Tx) error {
	for _, name := range []string{
		"meta", "seen_events", "seen_events_by_time", "job_runs", "kudos",
		"followups", "followups_by_due", "coffee_members", "coffee_rounds", "checkins",
	} {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// indexKudosByTimeV2 adds kudos_by_time (be64(at) ‖ be64(id)) and fills it
// from the kudos already stored, so "this week's kudos" is a range scan.
func indexKudosByTimeV2(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists([]byte("kudos_by_time"))
	if err != nil {
		return fmt.Errorf("create bucket kudos_by_time: %w", err)
	}
	kudos := tx.Bucket([]byte("kudos"))
	// Writing to another bucket while a cursor walks this one is safe;
	// only deleting from the walked bucket is not.
	return kudos.ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec struct {
			At time.Time `json:"at"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("kudos %d: %w", id, err)
		}
		if err := checkIndexable(rec.At); err != nil {
			return fmt.Errorf("kudos %d: at: %w", id, err)
		}
		return idx.Put(timeIDKey(rec.At, id), emptyValue)
	})
}

// kudosIndexesPeopleOutboxV3 creates the buckets new in v3 (people,
// outbox, outbox_by_due, outbox_keys, kudos_by_giver, kudos_by_receiver),
// and rebuilds the kudos indexes from the kudos stored: kudos_by_time gets
// a summary of each kudos as its value (it had none), the per-user
// indexes get their entries. Rebuilding kudos_by_time from scratch, rather
// than rewriting its values, also drops any entry a v2 bug left behind.
//
// It relies on the layouts of schema.go that are versioned and frozen
// (appendKudosSummaryV1, userTimeIDKey, giverIndexValue, kudosFlags): a
// later change of layout gets a new encoder and a new migration.
func kudosIndexesPeopleOutboxV3(tx *bolt.Tx) error {
	for _, name := range []string{"people", "outbox", "outbox_by_due", "outbox_keys", "kudos_by_giver", "kudos_by_receiver"} {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	if err := tx.DeleteBucket([]byte("kudos_by_time")); err != nil {
		return fmt.Errorf("delete bucket kudos_by_time: %w", err)
	}
	byTime := []byte("kudos_by_time")
	if _, err := tx.CreateBucket(byTime); err != nil {
		return fmt.Errorf("create bucket kudos_by_time: %w", err)
	}
	// Collect, then write in key order (see putIndexEntries).
	var entries []indexEntry
	err := tx.Bucket([]byte("kudos")).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec struct {
			Giver     string    `json:"giver"`
			Receivers []string  `json:"receivers"`
			Values    []string  `json:"values"`
			Private   bool      `json:"private"`
			At        time.Time `json:"at"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("kudos %d: %w", id, err)
		}
		if err := checkIndexable(rec.At); err != nil {
			return fmt.Errorf("kudos %d: at: %w", id, err)
		}
		for _, user := range append([]string{rec.Giver}, rec.Receivers...) {
			if err := checkUserID(user); err != nil {
				return fmt.Errorf("kudos %d: %w", id, err)
			}
		}
		entries = append(entries,
			indexEntry{byTime, timeIDKey(rec.At, id), appendKudosSummaryV1(nil, rec.Giver, rec.Receivers, rec.Values, rec.Private)},
			indexEntry{[]byte("kudos_by_giver"), userTimeIDKey(rec.Giver, rec.At, id), giverIndexValue(rec.Receivers)},
		)
		for _, r := range distinctStrings(rec.Receivers) {
			entries = append(entries, indexEntry{[]byte("kudos_by_receiver"), userTimeIDKey(r, rec.At, id), []byte{kudosFlags(rec.Private)}})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return putIndexEntries(boltTx{tx}, entries)
}

// coffeeRoundStateV4 prepares coffee for /coffee:
//
//   - coffee_rounds values get groups as objects, {"members" (sorted),
//     "icebreaker": -1}, in place of arrays of user IDs, and "closed":
//     true, since nobody was ever asked "did you meet?" in those rounds
//     and closing them now would count everyone a miss;
//   - the new coffee_rounds_by_at indexes every round under
//     be64(at) ‖ be64(id) (rounds that share an instant, which v3 allowed,
//     keep one entry each);
//   - coffee_members values get "via": "command" (the only way to join
//     there was); their other fields are new and optional.
//
// It converts and never validates (a round with an empty group or a
// user in two groups stays as it was), except that every round's "at"
// must be indexable. Values are rewritten after the walks, not during.
func coffeeRoundStateV4(tx *bolt.Tx) error {
	byAt := []byte("coffee_rounds_by_at")
	if _, err := tx.CreateBucketIfNotExists(byAt); err != nil {
		return fmt.Errorf("create bucket coffee_rounds_by_at: %w", err)
	}
	type v3Round struct {
		At     time.Time  `json:"at"`
		Groups [][]string `json:"groups"`
	}
	type v4Group struct {
		Members    []string `json:"members"`
		Icebreaker int      `json:"icebreaker"`
	}
	type v4Round struct {
		At     time.Time `json:"at"`
		Groups []v4Group `json:"groups,omitempty"`
		Closed bool      `json:"closed"`
	}
	rounds := []byte("coffee_rounds")
	var entries []indexEntry
	err := tx.Bucket(rounds).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var old v3Round
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("round %d: %w", id, err)
		}
		if err := checkIndexable(old.At); err != nil {
			return fmt.Errorf("round %d: at: %w", id, err)
		}
		rec := v4Round{At: old.At.UTC(), Closed: true}
		for _, g := range old.Groups {
			members := slices.Clone(g)
			slices.Sort(members)
			rec.Groups = append(rec.Groups, v4Group{Members: members, Icebreaker: -1})
		}
		data, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("round %d: %w", id, err)
		}
		entries = append(entries,
			indexEntry{rounds, bytes.Clone(k), data},
			indexEntry{byAt, timeIDKey(old.At, id), emptyValue},
		)
		return nil
	})
	if err != nil {
		return err
	}
	members := []byte("coffee_members")
	err = tx.Bucket(members).ForEach(func(k, v []byte) error {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("coffee member %s: %w", k, err)
		}
		if rec == nil {
			return fmt.Errorf("coffee member %s: null", k)
		}
		if _, ok := rec["via"]; ok {
			return nil
		}
		rec["via"] = json.RawMessage(`"command"`)
		data, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("coffee member %s: %w", k, err)
		}
		entries = append(entries, indexEntry{members, bytes.Clone(k), data})
		return nil
	})
	if err != nil {
		return err
	}
	return putIndexEntries(boltTx{tx}, entries)
}

// followupIndexesV5 prepares follow-ups for /followup (reminders, nudges,
// snoozes):
//
//   - followups_by_due (be64(due) ‖ be64(id), open ones) is replaced by
//     followups_by_next (be64(next_at) ‖ be64(id), open ones with a
//     next_at): what Rapport acts on next is the reminder, a snooze or a
//     nudge, no longer always the due time;
//   - open follow-ups get "next_at" equal to their "due" (the reminder
//     at the due time was never sent: v4 had none), and lose "done_at"
//     if they had one (they were not done); the others get no next_at;
//   - the new followups_by_owner and followups_by_counterpart index every
//     follow-up under user ‖ 0x00 ‖ be64(id) (counterpart only when not
//     empty).
//
// The other v5 fields (note, link, channel, reminded, nudges,
// last_nudge) are optional and left out; a record's other fields keep
// their values. It converts and never validates, except that an open
// follow-up's due must be indexable and user IDs must not hold a NUL
// byte (they would break the keys). Values are rewritten after the walk,
// not during. It relies on userIDKey and timeIDKey, whose layouts are
// frozen.
func followupIndexesV5(tx *bolt.Tx) error {
	if err := tx.DeleteBucket([]byte("followups_by_due")); err != nil {
		return fmt.Errorf("delete bucket followups_by_due: %w", err)
	}
	byNext, byOwner, byCounterpart := []byte("followups_by_next"), []byte("followups_by_owner"), []byte("followups_by_counterpart")
	for _, name := range [][]byte{byNext, byOwner, byCounterpart} {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	type v4Followup struct {
		Owner       string    `json:"owner"`
		Counterpart string    `json:"counterpart"`
		Due         time.Time `json:"due"`
		Status      string    `json:"status"`
	}
	followups := []byte("followups")
	var entries []indexEntry
	err := tx.Bucket(followups).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var old v4Followup
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("followup %d: %w", id, err)
		}
		if err := checkUserID(old.Owner); err != nil {
			return fmt.Errorf("followup %d: owner: %w", id, err)
		}
		if err := checkUserID(old.Counterpart); err != nil {
			return fmt.Errorf("followup %d: counterpart: %w", id, err)
		}
		entries = append(entries, indexEntry{byOwner, userIDKey(old.Owner, id), emptyValue})
		if old.Counterpart != "" {
			entries = append(entries, indexEntry{byCounterpart, userIDKey(old.Counterpart, id), emptyValue})
		}
		if old.Status != "open" {
			return nil
		}
		if err := checkIndexable(old.Due); err != nil {
			return fmt.Errorf("followup %d: due: %w", id, err)
		}
		entries = append(entries, indexEntry{byNext, timeIDKey(old.Due, id), emptyValue})
		// Add "next_at" to the object as it is, leaving the other fields'
		// values alone.
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("followup %d: %w", id, err)
		}
		next, err := json.Marshal(old.Due.UTC())
		if err != nil {
			return fmt.Errorf("followup %d: %w", id, err)
		}
		rec["next_at"] = next
		delete(rec, "done_at") // an open follow-up has none (see Followup)
		data, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("followup %d: %w", id, err)
		}
		entries = append(entries, indexEntry{followups, bytes.Clone(k), data})
		return nil
	})
	if err != nil {
		return err
	}
	return putIndexEntries(boltTx{tx}, entries)
}

// createContactsV6 creates contacts (owner ‖ 0x00 ‖ other -> JSON), each
// person's stay-in-touch circle. It starts empty: the circle fills from
// the interactions recorded after the upgrade. people values gain an
// optional "last_reconnect", which needs no rewrite.
func createContactsV6(tx *bolt.Tx) error {
	if _, err := tx.CreateBucket([]byte("contacts")); err != nil {
		return fmt.Errorf("create bucket contacts: %w", err)
	}
	return nil
}

// renameCoffeeTickJobV7 moves the coffee tick's job_runs record from its
// old name, "coffee-followup" (the tick is not about follow-ups), to
// "coffee-tick", so that its last run survives the rename. A record under
// the new name, if any, is newer and wins.
func renameCoffeeTickJobV7(tx *bolt.Tx) error {
	b := tx.Bucket(bucketJobRuns)
	old, renamed := []byte("coffee-followup"), []byte("coffee-tick")
	v := b.Get(old)
	if v == nil {
		return nil
	}
	if b.Get(renamed) == nil {
		if err := b.Put(renamed, slices.Clone(v)); err != nil {
			return err
		}
	}
	return b.Delete(old)
}

// migrate brings the file to schemaVersion(). Nothing is written when the
// file is already current, and nothing at all when it must be refused.
func (db *DB) migrate() error {
	var from uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		from, err = db.readVersion(tx)
		return err
	})
	if err != nil {
		return err
	}
	if from < schemaVersion() {
		err = db.bolt.Update(func(tx *bolt.Tx) error {
			for _, m := range migrations {
				if m.version <= from {
					continue
				}
				if err := m.migrate(tx); err != nil {
					return fmt.Errorf("store: open %s: migrate to v%d (%s): %w", db.path, m.version, m.name, err)
				}
			}
			return tx.Bucket(bucketMeta).Put(keySchemaVersion, be64(schemaVersion()))
		})
		if err != nil {
			return err
		}
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("store: open %s: schema v%d has no bucket %s (missing migration?)", db.path, schemaVersion(), name)
			}
		}
		return nil
	})
}

// readVersion returns the file's schema version: 0 for a new, empty file.
// It refuses files it must not migrate: newer than this binary, or bbolt
// files that some other program wrote.
func (db *DB) readVersion(tx *bolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if k, _ := tx.Cursor().First(); k != nil {
			return 0, fmt.Errorf("store: open %s: %w: a bbolt file with bucket %q but no meta bucket (written by another program?)", db.path, ErrNotDatabase, k)
		}
		return 0, nil
	}
	v := meta.Get(keySchemaVersion)
	if len(v) != 8 {
		return 0, fmt.Errorf("store: open %s: %w: meta/schema_version is %x, want 8 bytes", db.path, ErrNotDatabase, v)
	}
	version := binary.BigEndian.Uint64(v)
	if version > schemaVersion() {
		return 0, fmt.Errorf("store: open %s: %w: file has v%d, this binary knows up to v%d (upgrade rapport)", db.path, ErrSchemaTooNew, version, schemaVersion())
	}
	return version, nil
}
