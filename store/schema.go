package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Bucket names. They are part of the file format: never rename one, add a
// migration instead (see the package comment).
var (
	bucketMeta                   = []byte("meta")                     // schema_version
	bucketSeenEvents             = []byte("seen_events")              // event key -> be64(nanos)
	bucketSeenEventsByTime       = []byte("seen_events_by_time")      // be64(nanos) ‖ event key -> empty
	bucketJobRuns                = []byte("job_runs")                 // job name -> JSON jobRunRecord
	bucketKudos                  = []byte("kudos")                    // be64(id) -> JSON kudosRecord
	bucketKudosByTime            = []byte("kudos_by_time")            // be64(at) ‖ be64(id) -> kudos summary; since v2, summary since v3
	bucketKudosByGiver           = []byte("kudos_by_giver")           // giver ‖ 0x00 ‖ be64(at) ‖ be64(id) -> uvarint(receivers); since v3
	bucketKudosByReceiver        = []byte("kudos_by_receiver")        // receiver ‖ 0x00 ‖ be64(at) ‖ be64(id) -> kudos flags; since v3
	bucketFollowups              = []byte("followups")                // be64(id) -> JSON followupRecord
	bucketFollowupsByNext        = []byte("followups_by_next")        // be64(next_at) ‖ be64(id) -> empty; open ones with a next_at; since v5
	bucketFollowupsByOwner       = []byte("followups_by_owner")       // owner ‖ 0x00 ‖ be64(id) -> empty; since v5
	bucketFollowupsByCounterpart = []byte("followups_by_counterpart") // counterpart ‖ 0x00 ‖ be64(id) -> empty; non-empty counterparts; since v5
	bucketCoffeeMembers          = []byte("coffee_members")           // user ID -> JSON coffeeMemberRecord
	bucketCoffeeRounds           = []byte("coffee_rounds")            // be64(id) -> JSON roundRecord; groups as objects since v4
	bucketCoffeeRoundsByAt       = []byte("coffee_rounds_by_at")      // be64(at) ‖ be64(id) -> empty; since v4
	bucketCheckins               = []byte("checkins")                 // be64(id) -> JSON checkinRecord
	bucketPeople                 = []byte("people")                   // user ID -> JSON personRecord; since v3
	bucketOutbox                 = []byte("outbox")                   // be64(id) -> JSON outgoingRecord; since v3
	bucketOutboxByDue            = []byte("outbox_by_due")            // be64(not before) ‖ be64(id) -> empty; pending ones only; since v3
	bucketOutboxKeys             = []byte("outbox_keys")              // idempotency key -> be64(id); since v3
	bucketCircles                = []byte("contacts")                 // owner ‖ 0x00 ‖ other -> JSON contactRecord; since v6
	keySchemaVersion             = []byte("schema_version")           // in meta: be64(version)
	emptyValue                   = []byte{}                           // value of index entries: the key says it all
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
	bucketKudosByGiver,
	bucketKudosByReceiver,
	bucketFollowups,
	bucketFollowupsByNext,
	bucketFollowupsByOwner,
	bucketFollowupsByCounterpart,
	bucketCoffeeMembers,
	bucketCoffeeRounds,
	bucketCoffeeRoundsByAt,
	bucketCheckins,
	bucketPeople,
	bucketOutbox,
	bucketOutboxByDue,
	bucketOutboxKeys,
	bucketCircles,
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

// checkUserID refuses a user ID that would break the per-user index keys:
// they end the variable-length ID with a 0x00 byte. Slack IDs are
// alphanumeric, so this only ever catches a bug.
func checkUserID(id string) error {
	if strings.IndexByte(id, 0) >= 0 {
		return fmt.Errorf("user ID %q contains a NUL byte", id)
	}
	return nil
}

// userPrefix is user ‖ 0x00, the prefix shared by every key of user in a
// per-user index. The separator keeps "U1" from matching "U12".
func userPrefix(user string) []byte {
	k := make([]byte, 0, len(user)+1+16)
	k = append(k, user...)
	return append(k, 0)
}

// userIDKey is a key of followups_by_owner and followups_by_counterpart:
// user ‖ 0x00 ‖ be64(id). A user's entries are one contiguous range, in
// id order.
func userIDKey(user string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(userPrefix(user), id)
}

// parseUserIDKey decodes a userIDKey.
func parseUserIDKey(k []byte) (string, uint64, error) {
	n := len(k) - 9
	if n < 0 || k[n] != 0 {
		return "", 0, fmt.Errorf("user id key %x: want user ‖ 0x00 ‖ 8 bytes", k)
	}
	return string(k[:n]), binary.BigEndian.Uint64(k[n+1:]), nil
}

// userTimeKey is user ‖ 0x00 ‖ be64(t): the bound of a range scan of
// user's entries in a per-user time index.
func userTimeKey(user string, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(userPrefix(user), timeNanos(t))
}

// userTimeIDKey is a key of kudos_by_giver and kudos_by_receiver: user ‖
// 0x00 ‖ be64(unix nanos) ‖ be64(id). A user's entries are one contiguous
// range, in (time, id) order.
func userTimeIDKey(user string, t time.Time, id uint64) []byte {
	return binary.BigEndian.AppendUint64(userTimeKey(user, t), id)
}

// parseUserTimeIDKey decodes a userTimeIDKey; the time is in UTC.
func parseUserTimeIDKey(k []byte) (string, time.Time, uint64, error) {
	n := len(k) - 17
	if n < 0 || k[n] != 0 {
		return "", time.Time{}, 0, fmt.Errorf("user index key %x: want user ‖ 0x00 ‖ 16 bytes", k)
	}
	at, id, err := parseTimeIDKey(k[n+1:])
	return string(k[:n]), at, id, err
}

// The value of a kudos_by_time entry is a summary of the kudos, so that
// leaderboards read the index alone, never the (much larger) records:
//
//	version 0x01 ‖ flags ‖ str(giver) ‖ uvarint(n) ‖ n × str(receiver) ‖ uvarint(m) ‖ m × str(value)
//
// where str(s) is uvarint(len(s)) ‖ s. The receivers and values are the
// record's, without repeats. The version byte lets a later schema change
// the layout; readers refuse versions they do not know.
const (
	kudosSummaryV1   = 1      // version byte of the layout above
	kudosFlagPrivate = 1 << 0 // flags bit: the kudos is private
)

// kudosFlags is the flags byte of a kudos: the value of its
// kudos_by_receiver entries and the second byte of its summary.
func kudosFlags(private bool) byte {
	if private {
		return kudosFlagPrivate
	}
	return 0
}

// appendKudosSummaryV1 appends the summary (version 1) of a kudos to dst.
func appendKudosSummaryV1(dst []byte, giver string, receivers, values []string, private bool) []byte {
	dst = append(dst, kudosSummaryV1, kudosFlags(private))
	dst = appendStr(dst, giver)
	for _, list := range [][]string{distinctStrings(receivers), distinctStrings(values)} {
		dst = binary.AppendUvarint(dst, uint64(len(list)))
		for _, s := range list {
			dst = appendStr(dst, s)
		}
	}
	return dst
}

func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// kudosSummary is a decoded summary. Its byte slices point into the value
// it was parsed from, so it is valid only inside that transaction; parse
// reuses the slices, so a scan decodes thousands without allocating.
type kudosSummary struct {
	private   bool
	giver     []byte
	receivers [][]byte
	values    [][]byte
}

var errShortSummary = errors.New("truncated")

// parse decodes v, a kudos_by_time value.
func (s *kudosSummary) parse(v []byte) error {
	if len(v) < 2 {
		return fmt.Errorf("kudos summary %x: %w (a schema v2 index entry?)", v, errShortSummary)
	}
	if v[0] != kudosSummaryV1 {
		return fmt.Errorf("kudos summary %x: unknown version %d", v, v[0])
	}
	s.private = v[1]&kudosFlagPrivate != 0
	rest := v[2:]
	var err error
	if s.giver, rest, err = readStr(rest); err != nil {
		return fmt.Errorf("kudos summary %x: giver: %w", v, err)
	}
	if s.receivers, rest, err = readStrs(s.receivers[:0], rest); err != nil {
		return fmt.Errorf("kudos summary %x: receivers: %w", v, err)
	}
	if s.values, rest, err = readStrs(s.values[:0], rest); err != nil {
		return fmt.Errorf("kudos summary %x: values: %w", v, err)
	}
	if len(rest) != 0 {
		return fmt.Errorf("kudos summary %x: %d bytes too many", v, len(rest))
	}
	return nil
}

func readStr(b []byte) (s, rest []byte, err error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, errShortSummary
	}
	end := w + int(n)
	return b[w:end:end], b[end:], nil
}

func readStrs(dst [][]byte, b []byte) ([][]byte, []byte, error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) { // each string takes a byte at least
		return dst, nil, errShortSummary
	}
	b = b[w:]
	for range n {
		var s []byte
		var err error
		if s, b, err = readStr(b); err != nil {
			return dst, nil, err
		}
		dst = append(dst, s)
	}
	return dst, b, nil
}

// giverIndexValue is the value of a kudos_by_giver entry: how many
// people the kudos thanks (its distinct receivers), which is what the
// daily allowance counts.
func giverIndexValue(receivers []string) []byte {
	return binary.AppendUvarint(nil, uint64(len(distinctStrings(receivers))))
}

// parseGiverIndexValue decodes a giverIndexValue.
func parseGiverIndexValue(v []byte) (int, error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || w != len(v) || n > math.MaxInt32 {
		return 0, fmt.Errorf("kudos_by_giver value %x: want one uvarint", v)
	}
	return int(n), nil
}

// distinctStrings is s without repeats, first occurrence kept. It
// allocates only when there is a repeat.
func distinctStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		if slices.Contains(s[:i], s[i]) {
			out := slices.Clone(s[:i])
			for _, x := range s[i+1:] {
				if !slices.Contains(out, x) {
					out = append(out, x)
				}
			}
			return out
		}
	}
	return s
}
