package store

import (
	"bytes"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// Internal tests: the key encoders are unexported on purpose (keys are
// the store's business), so they are tested from inside the package.

var base = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func TestIDKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   uint64
		want []byte
	}{
		{0, []byte{0, 0, 0, 0, 0, 0, 0, 0}},
		{1, []byte{0, 0, 0, 0, 0, 0, 0, 1}},
		{256, []byte{0, 0, 0, 0, 0, 0, 1, 0}},
		{math.MaxUint64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	}
	for _, tt := range tests {
		got := idKey(tt.id)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("idKey(%d) = %x, want %x", tt.id, got, tt.want)
			continue
		}
		back, err := parseIDKey(got)
		if err != nil || back != tt.id {
			t.Errorf("parseIDKey(%x) = %d, %v, want %d, nil", got, back, err, tt.id)
		}
	}
}

func TestParseKeyErrors(t *testing.T) {
	t.Parallel()
	for _, k := range [][]byte{nil, {1}, make([]byte, 7), make([]byte, 9)} {
		if _, err := parseIDKey(k); err == nil {
			t.Errorf("parseIDKey(%x) = nil error, want one", k)
		}
	}
	for _, k := range [][]byte{nil, make([]byte, 8), make([]byte, 15), make([]byte, 17)} {
		if _, _, err := parseTimeIDKey(k); err == nil {
			t.Errorf("parseTimeIDKey(%x) = nil error, want one", k)
		}
	}
	for _, k := range [][]byte{nil, make([]byte, 8)} {
		if _, _, err := parseEventTimeKey(k); err == nil {
			t.Errorf("parseEventTimeKey(%x) = nil error, want one", k)
		}
	}
}

func TestTimeIDKey(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		at   time.Time
		id   uint64
		want string // hex
	}{
		{time.Unix(0, 0), 1, "0000000000000000" + "0000000000000001"},
		{time.Unix(0, 1), 2, "0000000000000001" + "0000000000000002"},
		{time.Unix(1, 0), 0xabcd, "000000003b9aca00" + "000000000000abcd"},
		// The zone does not matter: the key is the instant.
		{base.In(paris), 7, "18 ec 2d 27 b6 55 40 00" + "0000000000000007"}, // 1795860000000000000 ns
	}
	for _, tt := range tests {
		want, err := hexBytes(tt.want)
		if err != nil {
			t.Fatalf("bad test table: %v", err)
		}
		got := timeIDKey(tt.at, tt.id)
		if !bytes.Equal(got, want) {
			t.Errorf("timeIDKey(%s, %d) = %x, want %x", tt.at, tt.id, got, want)
			continue
		}
		at, id, err := parseTimeIDKey(got)
		if err != nil || !at.Equal(tt.at) || id != tt.id || at.Location() != time.UTC {
			t.Errorf("parseTimeIDKey(%x) = %s, %d, %v, want %s (UTC), %d, nil", got, at, id, err, tt.at.UTC(), tt.id)
		}
	}
}

// Ensure byte order of time index keys is (time, id) order, which is what
// makes range scans correct.
func TestTimeIDKeyOrder(t *testing.T) {
	t.Parallel()
	type entry struct {
		at time.Time
		id uint64
	}
	// Sorted by (time, id).
	entries := []entry{
		{time.Unix(0, 0), 5},
		{time.Unix(0, 255), 1},
		{time.Unix(0, 256), 1},
		{base, 1},
		{base, 2},
		{base, 256},
		{base.Add(time.Nanosecond), 0},
		{base.AddDate(100, 0, 0), 1},
		{maxIndexTime, math.MaxUint64},
	}
	var keys [][]byte
	for _, e := range entries {
		keys = append(keys, timeIDKey(e.at, e.id))
	}
	if !slices.IsSortedFunc(keys, bytes.Compare) {
		t.Errorf("timeIDKey keys are not in (time, id) order: %x", keys)
	}
}

func TestEventTimeKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		at  time.Time
		key string
	}{
		{base, "Ev0123ABC"},
		{base.Add(time.Nanosecond), "x"},
		{time.Unix(0, 0), "T1/C2/12345.6789"},
	}
	for _, tt := range tests {
		k := eventTimeKey(tt.at, tt.key)
		if len(k) != 8+len(tt.key) || !bytes.Equal(k[:8], timeKey(tt.at)) || string(k[8:]) != tt.key {
			t.Errorf("eventTimeKey(%s, %q) = %x, want be64 nanos ‖ key", tt.at, tt.key, k)
			continue
		}
		at, key, err := parseEventTimeKey(k)
		if err != nil || !at.Equal(tt.at) || key != tt.key {
			t.Errorf("parseEventTimeKey(%x) = %s, %q, %v, want %s, %q, nil", k, at, key, err, tt.at, tt.key)
		}
	}
	// A key is greater than the bare time prefix, so "k < timeKey(before)"
	// means "claimed strictly before".
	if bytes.Compare(eventTimeKey(base, "a"), timeKey(base)) <= 0 {
		t.Errorf("eventTimeKey(base, a) <= timeKey(base), want >")
	}
}

func TestTimeNanosClamps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		at   time.Time
		want uint64
	}{
		{time.Time{}, 0},
		{time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), 0},
		{time.Unix(0, 0), 0},
		{time.Unix(0, 42), 42},
		{maxIndexTime, math.MaxInt64},
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
	}
	for _, tt := range tests {
		if got := timeNanos(tt.at); got != tt.want {
			t.Errorf("timeNanos(%s) = %d, want %d", tt.at, got, tt.want)
		}
	}
}

func TestCheckIndexable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		at time.Time
		ok bool
	}{
		{time.Time{}, false},
		{time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), false},
		{time.Unix(0, 0), true},
		{base, true},
		{maxIndexTime, true},
		{maxIndexTime.Add(time.Nanosecond), false},
	}
	for _, tt := range tests {
		err := checkIndexable(tt.at)
		if (err == nil) != tt.ok {
			t.Errorf("checkIndexable(%s) = %v, want ok=%v", tt.at, err, tt.ok)
		}
	}
}

// hexBytes decodes hex, ignoring spaces (for readable test tables).
func hexBytes(s string) ([]byte, error) {
	return hex.DecodeString(strings.ReplaceAll(s, " ", ""))
}

func TestUserTimeIDKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		user string
		at   time.Time
		id   uint64
		want string // hex
	}{
		{"U1", time.Unix(0, 1), 2, "5531 00" + "0000000000000001" + "0000000000000002"},
		{"", time.Unix(0, 0), 1, "00" + "0000000000000000" + "0000000000000001"},
		{"UABC", base, 7, "55414243 00" + "18ec2d27b6554000" + "0000000000000007"},
	}
	for _, tt := range tests {
		want, err := hexBytes(tt.want)
		if err != nil {
			t.Fatalf("bad test table: %v", err)
		}
		got := userTimeIDKey(tt.user, tt.at, tt.id)
		if !bytes.Equal(got, want) {
			t.Errorf("userTimeIDKey(%q, %s, %d) = %x, want %x", tt.user, tt.at, tt.id, got, want)
			continue
		}
		if !bytes.HasPrefix(got, userPrefix(tt.user)) || !bytes.HasPrefix(got, userTimeKey(tt.user, tt.at)) {
			t.Errorf("userTimeIDKey(%q, …) = %x does not start with userPrefix and userTimeKey", tt.user, got)
		}
		user, at, id, err := parseUserTimeIDKey(got)
		if err != nil || user != tt.user || !at.Equal(tt.at) || id != tt.id {
			t.Errorf("parseUserTimeIDKey(%x) = %q, %s, %d, %v, want %q, %s, %d", got, user, at, id, err, tt.user, tt.at, tt.id)
		}
	}
	for _, k := range [][]byte{nil, make([]byte, 16), append([]byte("U1"), make([]byte, 15)...), append([]byte("U1x"), make([]byte, 16)...)} {
		if _, _, _, err := parseUserTimeIDKey(k); err == nil {
			t.Errorf("parseUserTimeIDKey(%x) = nil error, want one", k)
		}
	}
}

// Ensure one user's keys are contiguous and in (time, id) order, even when
// another user's ID extends theirs ("U1" and "U12").
func TestUserTimeIDKeyOrder(t *testing.T) {
	t.Parallel()
	keys := [][]byte{
		userTimeIDKey("U", maxIndexTime, 9),
		userTimeIDKey("U1", time.Unix(0, 0), 1),
		userTimeIDKey("U1", base, 1),
		userTimeIDKey("U1", base, 2),
		userTimeIDKey("U1", maxIndexTime, math.MaxUint64),
		userTimeIDKey("U12", time.Unix(0, 0), 1),
		userTimeIDKey("U2", time.Unix(0, 0), 1),
	}
	if !slices.IsSortedFunc(keys, bytes.Compare) {
		t.Errorf("userTimeIDKey keys are not in (user, time, id) order: %x", keys)
	}
	prefix := userPrefix("U1")
	for i, k := range keys {
		if got, want := bytes.HasPrefix(k, prefix), i >= 1 && i <= 4; got != want {
			t.Errorf("HasPrefix(%x, userPrefix(U1)) = %v, want %v", k, got, want)
		}
	}
}

func TestKudosSummary(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("v", 200) // a two-byte uvarint length
	tests := []struct {
		giver             string
		receivers, values []string
		private           bool
		wantReceivers     []string
		wantValues        []string
	}{
		{"U1", []string{"U2"}, []string{"teamwork"}, false, []string{"U2"}, []string{"teamwork"}},
		{"U1", nil, nil, true, nil, nil},
		{"", []string{"U2", "U3", "U2"}, []string{long, long, "x"}, false, []string{"U2", "U3"}, []string{long, "x"}},
	}
	for _, tt := range tests {
		v := appendKudosSummaryV1(nil, tt.giver, tt.receivers, tt.values, tt.private)
		var s kudosSummary
		if err := s.parse(v); err != nil {
			t.Errorf("parse(summary of %+v) = %v", tt, err)
			continue
		}
		if string(s.giver) != tt.giver || s.private != tt.private || !slices.Equal(strs(s.receivers), tt.wantReceivers) || !slices.Equal(strs(s.values), tt.wantValues) {
			t.Errorf("parse(summary of %+v) = giver %q, private %v, receivers %q, values %q", tt, s.giver, s.private, s.receivers, s.values)
		}
	}
	// Ensure damaged or unknown values are refused, not misread.
	good := appendKudosSummaryV1(nil, "U1", []string{"U2"}, []string{"craft"}, false)
	for _, v := range [][]byte{
		nil,
		{},                      // a v2 index entry
		{1},                     // no flags
		{2, 0, 0, 0, 0},         // unknown version
		good[:len(good)-1],      // truncated
		append(good, 0),         // trailing byte
		{1, 0, 5, 'U'},          // giver longer than the value
		{1, 0, 0, 200, 1, 0, 0}, // more receivers than bytes
	} {
		var s kudosSummary
		if err := s.parse(v); err == nil {
			t.Errorf("parse(%x) = nil error, want one", v)
		}
	}
}

func strs(bs [][]byte) []string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}

func TestGiverIndexValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		receivers []string
		want      int
	}{
		{nil, 0},
		{[]string{"U2"}, 1},
		{[]string{"U2", "U3", "U2"}, 2},
		{slices.Repeat([]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, 2), 10},
	}
	for _, tt := range tests {
		v := giverIndexValue(tt.receivers)
		if n, err := parseGiverIndexValue(v); err != nil || n != tt.want {
			t.Errorf("parseGiverIndexValue(giverIndexValue(%q)) = %d, %v, want %d", tt.receivers, n, err, tt.want)
		}
	}
	for _, v := range [][]byte{nil, {0x80}, {1, 0}} {
		if _, err := parseGiverIndexValue(v); err == nil {
			t.Errorf("parseGiverIndexValue(%x) = nil error, want one", v)
		}
	}
}

func TestDistinctStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{"a"}, []string{"a"}},
		{[]string{"a", "b"}, []string{"a", "b"}},
		{[]string{"a", "a"}, []string{"a"}},
		{[]string{"b", "a", "b", "c", "a"}, []string{"b", "a", "c"}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		if got := distinctStrings(in); !slices.Equal(got, tt.want) {
			t.Errorf("distinctStrings(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("distinctStrings(%q) changed its argument to %q", tt.in, in)
		}
	}
}

func TestCheckUserID(t *testing.T) {
	t.Parallel()
	for id, ok := range map[string]bool{"U1": true, "": true, "W0123ABC": true, "U1\x00": false, "\x00": false} {
		if err := checkUserID(id); (err == nil) != ok {
			t.Errorf("checkUserID(%q) = %v, want ok=%v", id, err, ok)
		}
	}
}
