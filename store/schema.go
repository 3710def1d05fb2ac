package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Bucket names. They are part of the file format: never rename one, add a
// migration instead (see the package comment).
var (
	bucketMeta             = []byte("meta")                // schema_version
	bucketSeenEvents       = []byte("seen_events")         // event key -> be64(nanos)
	bucketSeenEventsByTime = []byte("seen_events_by_time") // be64(nanos) ‖ event key -> empty
	bucketJobRuns          = []byte("job_runs")            // job name -> JSON jobRunRecord
	bucketKudos            = []byte("kudos")               // be64(id) -> JSON kudosRecord
	bucketKudosByTime      = []byte("kudos_by_time")       // be64(at) ‖ be64(id) -> empty; since schema v2
	bucketFollowups        = []byte("followups")           // be64(id) -> JSON followupRecord
	bucketFollowupsByDue   = []byte("followups_by_due")    // be64(due) ‖ be64(id) -> empty; open ones only
	bucketCoffeeMembers    = []byte("coffee_members")      // user ID -> JSON coffeeMemberRecord
	bucketCoffeeRounds     = []byte("coffee_rounds")       // be64(id) -> JSON roundRecord
	bucketCheckins         = []byte("checkins")            // be64(id) -> JSON checkinRecord
	keySchemaVersion       = []byte("schema_version")      // in meta: be64(version)
	emptyValue             = []byte{}                      // value of index entries: the key says it all
)

// allBuckets lists every bucket the current schema has. Open checks that
// the migrations created each of them, so forgetting a migration for a new
// bucket fails every test instead of a method at run time.
var allBuckets = [][]byte{
	bucketMeta,
	bucketSeenEvents,
	bucketSeenEventsByTime,
	bucketJobRuns,
	bucketKudos,
	bucketKudosByTime,
	bucketFollowups,
	bucketFollowupsByDue,
	bucketCoffeeMembers,
	bucketCoffeeRounds,
	bucketCheckins,
}

// Indexed times are stored as unsigned unix nanoseconds so that byte order
// is time order. That covers 1970-01-01 to 2262-04-11; anything outside is
// refused on write rather than silently sorted into the wrong place.
var (
	minIndexTime = time.Unix(0, 0).UTC()
	maxIndexTime = time.Unix(0, math.MaxInt64).UTC()
)

// checkIndexable reports whether t can be used in a time index key.
func checkIndexable(t time.Time) error {
	if t.Before(minIndexTime) || t.After(maxIndexTime) {
		return fmt.Errorf("time %s is outside the range the store can index (1970 to 2262)", t.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// be64 encodes v as 8 big-endian bytes: fixed width, so byte order is
// numeric order.
func be64(v uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), v)
}

// idKey is the primary key of a record numbered by NextSequence.
func idKey(id uint64) []byte { return be64(id) }

// parseIDKey decodes an idKey.
func parseIDKey(k []byte) (uint64, error) {
	if len(k) != 8 {
		return 0, fmt.Errorf("id key %x: want 8 bytes, got %d", k, len(k))
	}
	return binary.BigEndian.Uint64(k), nil
}

// timeNanos is t as unsigned unix nanoseconds, clamped to the indexable
// range. Writers call checkIndexable first, so clamping only ever applies
// to the bounds of a range scan ("from the beginning", "until forever").
func timeNanos(t time.Time) uint64 {
	switch {
	case t.Before(minIndexTime):
		return 0
	case t.After(maxIndexTime):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

// timeKey is the 8-byte prefix of every time index key: the bound of a
// range scan (Seek to timeKey(from); stop at the first key >= timeKey(to)).
func timeKey(t time.Time) []byte { return be64(timeNanos(t)) }

// timeIDKey is a time index key: be64(unix nanos) ‖ be64(id). The id
// suffix keeps two records of the same instant apart and, for equal
// times, orders them by id.
func timeIDKey(t time.Time, id uint64) []byte {
	k := make([]byte, 0, 16)
	k = binary.BigEndian.AppendUint64(k, timeNanos(t))
	return binary.BigEndian.AppendUint64(k, id)
}

// parseTimeIDKey decodes a timeIDKey; the time is in UTC.
func parseTimeIDKey(k []byte) (time.Time, uint64, error) {
	if len(k) != 16 {
		return time.Time{}, 0, fmt.Errorf("time index key %x: want 16 bytes, got %d", k, len(k))
	}
	return nanosTime(binary.BigEndian.Uint64(k[:8])), binary.BigEndian.Uint64(k[8:]), nil
}

// eventTimeKey is a key of seen_events_by_time: be64(unix nanos) ‖ event
// key. Event keys are Slack's own ids (variable length), so they follow
// the fixed-width time instead of an id.
func eventTimeKey(t time.Time, key string) []byte {
	k := make([]byte, 0, 8+len(key))
	k = binary.BigEndian.AppendUint64(k, timeNanos(t))
	return append(k, key...)
}

// parseEventTimeKey decodes an eventTimeKey.
func parseEventTimeKey(k []byte) (time.Time, string, error) {
	if len(k) <= 8 {
		return time.Time{}, "", fmt.Errorf("event index key %x: want more than 8 bytes, got %d", k, len(k))
	}
	return nanosTime(binary.BigEndian.Uint64(k[:8])), string(k[8:]), nil
}

// nanosTime is the UTC time of unsigned unix nanoseconds.
func nanosTime(n uint64) time.Time {
	if n > math.MaxInt64 {
		n = math.MaxInt64
	}
	return time.Unix(0, int64(n)).UTC()
}
