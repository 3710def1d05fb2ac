package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestAddKudos(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	receivers := []string{"U2", "U3"}
	in := store.Kudos{
		ID: 99, Giver: "U1", Receivers: receivers, Text: "for the <@U4> demo", Values: []string{"teamwork"},
		Channel: "C1", MessageTS: "1764324000.000100", Private: true,
		At: base.Add(90 * time.Minute).In(time.FixedZone("CET", 3600)),
	}
	got, err := db.AddKudos(in)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID = 1 // the store numbers kudos; in.ID is ignored
	want.Receivers = []string{"U2", "U3"}
	want.At = base.Add(90 * time.Minute).UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AddKudos(%+v) = %+v, want %+v", in, got, want)
	}
	// Neither the stored nor the returned copy aliases the caller's slices.
	receivers[0] = "UX"
	if got.Receivers[0] != "U2" {
		t.Errorf("AddKudos returned a copy that aliases its argument's Receivers")
	}
	stored, err := db.KudosBetween(base, base.Add(2*time.Hour))
	if err != nil || len(stored) != 1 || !reflect.DeepEqual(stored[0], want) {
		t.Errorf("KudosBetween = %+v, %v, want [%+v]", stored, err, want)
	}

	// Ensure a zero At means "now" and empty slices read back as nil.
	got, err = db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Kudos{ID: 2, Giver: "U1", At: base}); !reflect.DeepEqual(got, want) {
		t.Errorf("AddKudos(no time) = %+v, want %+v", got, want)
	}

	// Ensure a time the index cannot hold is refused.
	if _, err := db.AddKudos(store.Kudos{Giver: "U1", At: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Errorf("AddKudos(at 1900) = nil error, want one")
	}
}

func TestKudosBetween(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	// Added out of time order, with two kudos at the same instant.
	at := map[uint64]time.Time{
		1: base.Add(time.Hour),
		2: base,
		3: base.Add(time.Hour),
		4: base.Add(-time.Nanosecond),
		5: base.Add(24 * time.Hour),
	}
	for id := uint64(1); id <= 5; id++ {
		k, err := db.AddKudos(store.Kudos{Giver: "U1", At: at[id]})
		if err != nil || k.ID != id {
			t.Fatalf("AddKudos #%d = id %d, %v", id, k.ID, err)
		}
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []uint64
	}{
		{"All", time.Time{}, base.AddDate(1000, 0, 0), []uint64{4, 2, 1, 3, 5}},
		{"FromIsInclusive", base, base.Add(time.Hour + 1), []uint64{2, 1, 3}},
		{"ToIsExclusive", base.Add(-time.Nanosecond), base.Add(time.Hour), []uint64{4, 2}},
		{"OneInstant", base.Add(time.Hour), base.Add(time.Hour + time.Nanosecond), []uint64{1, 3}},
		{"EmptyRange", base, base, nil},
		{"Reversed", base.Add(time.Hour), base, nil},
		{"NothingThere", base.Add(2 * time.Hour), base.Add(3 * time.Hour), nil},
		{"Before1970", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), base, []uint64{4}},
	}
	for _, tt := range tests {
		got, err := db.KudosBetween(tt.from, tt.to)
		if err != nil {
			t.Errorf("%s: KudosBetween(%s, %s) = %v", tt.name, tt.from, tt.to, err)
			continue
		}
		var ids []uint64
		for _, k := range got {
			ids = append(ids, k.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: KudosBetween(%s, %s) = ids %v, want %v", tt.name, tt.from, tt.to, ids, tt.want)
		}
	}
}

// kudosIDs lists the IDs of ks, in order.
func kudosIDs(ks []store.Kudos) []uint64 {
	var ids []uint64
	for _, k := range ks {
		ids = append(ids, k.ID)
	}
	return ids
}

// day is the allowance window of most tests: a giver's local day (UTC+1).
var (
	dayStart = time.Date(2026, 11, 28, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	dayEnd   = dayStart.AddDate(0, 0, 1)
)

// Ensure GiveKudos stores the kudos when the allowance allows, counts
// each distinct receiver once, and refuses (storing nothing) beyond it.
func TestGiveKudos(t *testing.T) {
	t.Parallel()
	at := dayStart.Add(10 * time.Hour)
	allowance := store.Allowance{Limit: 5, From: dayStart, To: dayEnd}
	tests := []struct {
		name      string
		before    []store.Kudos // already given
		give      store.Kudos
		allowance store.Allowance
		remaining int
		refused   *store.AllowanceError // nil: stored
	}{
		{
			name: "FirstOfTheDay",
			give: store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: at}, allowance: allowance, remaining: 4,
		},
		{
			name:   "UnderLimit",
			before: []store.Kudos{{Giver: "U1", Receivers: []string{"U2", "U3"}, At: dayStart}},
			give:   store.Kudos{Giver: "U1", Receivers: []string{"U4", "U5"}, At: at}, allowance: allowance, remaining: 1,
		},
		{
			name:   "ExactlyToTheLimit",
			before: []store.Kudos{{Giver: "U1", Receivers: []string{"U2", "U3"}, At: dayStart}},
			give:   store.Kudos{Giver: "U1", Receivers: []string{"U4", "U5", "U6"}, At: at}, allowance: allowance, remaining: 0,
		},
		{
			name:   "OverTheLimit",
			before: []store.Kudos{{Giver: "U1", Receivers: []string{"U2", "U3"}, At: dayStart}},
			give:   store.Kudos{Giver: "U1", Receivers: []string{"U4", "U5", "U6", "U7"}, At: at}, allowance: allowance,
			refused: &store.AllowanceError{Limit: 5, Used: 2, Wanted: 4},
		},
		{
			name:   "LimitAlreadyReached",
			before: []store.Kudos{{Giver: "U1", Receivers: []string{"U2", "U3", "U4", "U5", "U6"}, At: dayStart}},
			give:   store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: at}, allowance: allowance,
			refused: &store.AllowanceError{Limit: 5, Used: 5, Wanted: 1},
		},
		{
			name: "MoreReceiversThanTheLimit",
			give: store.Kudos{Giver: "U1", Receivers: []string{"U2", "U3", "U4", "U5", "U6", "U7"}, At: at}, allowance: allowance,
			refused: &store.AllowanceError{Limit: 5, Used: 0, Wanted: 6},
		},
		{
			name: "RepeatedReceiverCountsOnce",
			give: store.Kudos{Giver: "U1", Receivers: []string{"U2", "U3", "U2"}, At: at}, allowance: allowance, remaining: 3,
		},
		{
			name:   "PrivateKudosCount",
			before: []store.Kudos{{Giver: "U1", Receivers: []string{"U2", "U3", "U4"}, Private: true, At: dayStart}},
			give:   store.Kudos{Giver: "U1", Receivers: []string{"U5", "U6", "U7"}, At: at}, allowance: allowance,
			refused: &store.AllowanceError{Limit: 5, Used: 3, Wanted: 3},
		},
		{
			name:   "OtherGiversDoNotCount",
			before: []store.Kudos{{Giver: "U2", Receivers: []string{"U3", "U4", "U5", "U6", "U7"}, At: dayStart}, {Giver: "U12", Receivers: []string{"U3"}, At: at}},
			give:   store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: at}, allowance: allowance, remaining: 4,
		},
		{
			name:   "OtherDaysDoNotCount",
			before: []store.Kudos{{Giver: "U1", Receivers: []string{"U2", "U3", "U4", "U5", "U6"}, At: dayStart.Add(-time.Nanosecond)}, {Giver: "U1", Receivers: []string{"U2", "U3", "U4", "U5", "U6"}, At: dayEnd}},
			give:   store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: at}, allowance: allowance, remaining: 4,
		},
		{
			name:   "Unlimited",
			before: []store.Kudos{{Giver: "U1", Receivers: []string{"U2", "U3", "U4", "U5", "U6", "U7"}, At: dayStart}},
			give:   store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: at}, allowance: store.Allowance{}, remaining: -1,
		},
		{
			name: "ZeroAtMeansNow",
			give: store.Kudos{Giver: "U1", Receivers: []string{"U2"}}, allowance: store.Allowance{Limit: 5, From: base.Add(-time.Hour), To: base.Add(time.Hour)}, remaining: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
			for _, k := range tt.before {
				mustDo(t)(db.AddKudos(k))
			}
			got, remaining, err := db.GiveKudos(tt.give, tt.allowance, nil)
			stored, _ := db.KudosBetween(time.Time{}, base.AddDate(1, 0, 0))
			if tt.refused != nil {
				var ae *store.AllowanceError
				if !errors.As(err, &ae) || !errors.Is(err, store.ErrAllowanceExceeded) {
					t.Fatalf("GiveKudos(%+v) = %v, want an *AllowanceError wrapping ErrAllowanceExceeded", tt.give, err)
				}
				if *ae != *tt.refused {
					t.Errorf("GiveKudos(%+v) refused with %+v, want %+v", tt.give, *ae, *tt.refused)
				}
				if len(stored) != len(tt.before) {
					t.Errorf("refused GiveKudos stored something: %d kudos, want %d", len(stored), len(tt.before))
				}
				return
			}
			if err != nil {
				t.Fatalf("GiveKudos(%+v) = %v", tt.give, err)
			}
			if remaining != tt.remaining {
				t.Errorf("GiveKudos(%+v) remaining = %d, want %d", tt.give, remaining, tt.remaining)
			}
			want := tt.give
			want.ID = uint64(len(tt.before) + 1)
			want.At = orBase(tt.give.At).UTC()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("GiveKudos(%+v) = %+v, want %+v", tt.give, got, want)
			}
			if i := slices.IndexFunc(stored, func(k store.Kudos) bool { return k.ID == got.ID }); i < 0 || !reflect.DeepEqual(stored[i], want) {
				t.Errorf("after GiveKudos, stored = %+v, want it to hold %+v", stored, want)
			}
		})
	}
}

// orBase is at, or base (the tests' clock) when at is zero.
func orBase(at time.Time) time.Time {
	if at.IsZero() {
		return base
	}
	return at
}

// Ensure the window is [From, To): a kudos at From counts, one at To does
// not, and the new kudos itself may be at From (but not at To).
func TestGiveKudosAllowanceBoundaries(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	a := store.Allowance{Limit: 3, From: dayStart, To: dayEnd}
	mustDo(t)(db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: dayStart}))                     // counts
	mustDo(t)(db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U3"}, At: dayEnd.Add(-time.Nanosecond)})) // counts
	mustDo(t)(db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U4"}, At: dayEnd}))                       // tomorrow
	mustDo(t)(db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U5"}, At: dayStart.Add(-time.Nanosecond)}))

	if n, err := db.KudosGivenCount("U1", a.From, a.To); err != nil || n != 2 {
		t.Errorf("KudosGivenCount(U1, day) = %d, %v, want 2", n, err)
	}
	if _, remaining, err := db.GiveKudos(store.Kudos{Giver: "U1", Receivers: []string{"U6"}, At: dayStart}, a, nil); err != nil || remaining != 0 {
		t.Errorf("GiveKudos(at From) = %d, %v, want 0 remaining", remaining, err)
	}
	if _, _, err := db.GiveKudos(store.Kudos{Giver: "U1", Receivers: []string{"U7"}, At: dayStart.Add(time.Hour)}, a, nil); !errors.Is(err, store.ErrAllowanceExceeded) {
		t.Errorf("GiveKudos(4th of the day, limit 3) = %v, want ErrAllowanceExceeded", err)
	}
	// The next day has a fresh allowance; tomorrow's one kudos counts there.
	next := store.Allowance{Limit: 3, From: dayEnd, To: dayEnd.AddDate(0, 0, 1)}
	if _, remaining, err := db.GiveKudos(store.Kudos{Giver: "U1", Receivers: []string{"U7"}, At: dayEnd}, next, nil); err != nil || remaining != 1 {
		t.Errorf("GiveKudos(next day) = %d, %v, want 1 remaining", remaining, err)
	}
	// With a limit, the kudos must fall in its window: To is outside.
	if _, _, err := db.GiveKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: dayEnd}, a, nil); err == nil || errors.Is(err, store.ErrAllowanceExceeded) {
		t.Errorf("GiveKudos(at To) = %v, want an error about the window", err)
	}
}

// Ensure GiveKudos refuses what it cannot count or index.
func TestGiveKudosInvalid(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	a := store.Allowance{Limit: 5, From: dayStart, To: dayEnd}
	at := dayStart.Add(time.Hour)
	tests := []struct {
		name string
		k    store.Kudos
		a    store.Allowance
		want string
	}{
		{"NoGiver", store.Kudos{Receivers: []string{"U2"}, At: at}, a, "no giver"},
		{"NoReceivers", store.Kudos{Giver: "U1", At: at}, a, "no receivers"},
		{"NegativeLimit", store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: at}, store.Allowance{Limit: -1}, "allowance limit -1"},
		{"BeforeWindow", store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: dayStart.Add(-time.Nanosecond)}, a, "outside the allowance window"},
		{"NULInGiver", store.Kudos{Giver: "U1\x00", Receivers: []string{"U2"}, At: at}, a, "NUL"},
		{"NULInReceiver", store.Kudos{Giver: "U1", Receivers: []string{"U\x002"}, At: at}, a, "NUL"},
		{"Before1970", store.Kudos{Giver: "U1", Receivers: []string{"U2"}, At: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}, store.Allowance{}, "outside the range"},
	}
	for _, tt := range tests {
		_, _, err := db.GiveKudos(tt.k, tt.a, nil)
		if err == nil || errors.Is(err, store.ErrAllowanceExceeded) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: GiveKudos(%+v, %+v) = %v, want an error containing %q", tt.name, tt.k, tt.a, err, tt.want)
		}
	}
	if got, _ := db.KudosBetween(time.Time{}, base.AddDate(1, 0, 0)); len(got) != 0 {
		t.Errorf("invalid GiveKudos calls stored %+v", got)
	}
}

// Ensure the allowance holds under a race: 20 concurrent kudos by one
// giver with a limit of 5 store exactly 5, and the other 15 are refused.
func TestGiveKudosConcurrentSameGiver(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	a := store.Allowance{Limit: 5, From: dayStart, To: dayEnd}
	type result struct {
		remaining int
		err       error
	}
	results := make(chan result, 20)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, remaining, err := db.GiveKudos(store.Kudos{Giver: "U1", Receivers: []string{fmt.Sprintf("U%d", 100+i)}, At: dayStart.Add(time.Duration(i) * time.Minute)}, a, nil)
			results <- result{remaining, err}
		})
	}
	wg.Wait()
	close(results)
	var remainders []int
	refused := 0
	for r := range results {
		var ae *store.AllowanceError
		switch {
		case r.err == nil:
			remainders = append(remainders, r.remaining)
		case errors.As(r.err, &ae) && ae.Used == 5 && ae.Wanted == 1:
			refused++
		default:
			t.Errorf("GiveKudos = %v, want success or an AllowanceError with 5 used", r.err)
		}
	}
	slices.Sort(remainders)
	if !slices.Equal(remainders, []int{0, 1, 2, 3, 4}) || refused != 15 {
		t.Errorf("20 racing GiveKudos: %d stored (remaining %v), %d refused; want 5 stored (remaining 0..4) and 15 refused", len(remainders), remainders, refused)
	}
	if n, err := db.KudosGivenCount("U1", dayStart, dayEnd); err != nil || n != 5 {
		t.Errorf("KudosGivenCount after the race = %d, %v, want 5", n, err)
	}
	if stored, _ := db.KudosBetween(time.Time{}, base.AddDate(1, 0, 0)); len(stored) != 5 {
		t.Errorf("stored %d kudos, want 5", len(stored))
	}
}

func TestKudosGivenCount(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	for _, k := range []store.Kudos{
		{Giver: "U1", Receivers: []string{"U2", "U3"}, At: base},
		{Giver: "U1", Receivers: []string{"U4"}, Private: true, At: base.Add(time.Hour)},
		{Giver: "U1", At: base.Add(2 * time.Hour)}, // no receivers: counts nothing
		{Giver: "U12", Receivers: []string{"U2"}, At: base},
		{Giver: "U2", Receivers: []string{"U1"}, At: base},
	} {
		mustDo(t)(db.AddKudos(k))
	}
	tests := []struct {
		giver    string
		from, to time.Time
		want     int
	}{
		{"U1", base, base.Add(3 * time.Hour), 3},
		{"U1", base, base.Add(time.Hour), 2},
		{"U1", base.Add(time.Nanosecond), base.Add(3 * time.Hour), 1},
		{"U1", time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 3},
		{"U1", base, base, 0},
		{"U12", base, base.Add(time.Hour), 1},
		{"U", base, base.Add(time.Hour), 0},
		{"U9", base, base.Add(time.Hour), 0},
	}
	for _, tt := range tests {
		if got, err := db.KudosGivenCount(tt.giver, tt.from, tt.to); err != nil || got != tt.want {
			t.Errorf("KudosGivenCount(%q, %s, %s) = %d, %v, want %d", tt.giver, tt.from, tt.to, got, err, tt.want)
		}
	}
}

func TestKudosReceived(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	for _, k := range []store.Kudos{
		{Giver: "U1", Receivers: []string{"U2"}, At: base.Add(time.Hour)},                // 1
		{Giver: "U3", Receivers: []string{"U2", "U4", "U2"}, At: base},                   // 2
		{Giver: "U1", Receivers: []string{"U2"}, Private: true, At: base.Add(time.Hour)}, // 3: same time as 1
		{Giver: "U1", Receivers: []string{"U22"}, At: base.Add(2 * time.Hour)},           // 4: another user
		{Giver: "U2", Receivers: []string{"U1"}, At: base.Add(3 * time.Hour)},            // 5: given, not received
		{Giver: "U4", Receivers: []string{"U2"}, At: base.Add(-time.Hour)},               // 6
	} {
		mustDo(t)(db.AddKudos(k))
	}
	tests := []struct {
		user  string
		limit int
		want  []uint64
	}{
		{"U2", 0, []uint64{3, 1, 2, 6}}, // newest first; private included; 2 once
		{"U2", 2, []uint64{3, 1}},
		{"U2", -1, []uint64{3, 1, 2, 6}},
		{"U2", 10, []uint64{3, 1, 2, 6}},
		{"U22", 0, []uint64{4}},
		{"U4", 0, []uint64{2}},
		{"U1", 0, []uint64{5}},
		{"U", 0, nil},
		{"U9", 0, nil},
		{"U3", 0, nil},
	}
	for _, tt := range tests {
		got, err := db.KudosReceived(tt.user, tt.limit)
		if err != nil {
			t.Errorf("KudosReceived(%q, %d) = %v", tt.user, tt.limit, err)
			continue
		}
		if ids := kudosIDs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("KudosReceived(%q, %d) = ids %v, want %v", tt.user, tt.limit, ids, tt.want)
		}
	}
	// Whole records come back, as stored.
	got, _ := db.KudosReceived("U4", 0)
	if want := (store.Kudos{ID: 2, Giver: "U3", Receivers: []string{"U2", "U4", "U2"}, At: base}); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("KudosReceived(U4) = %+v, want [%+v]", got, want)
	}
}

func TestKudosReceivedCount(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	for _, k := range []store.Kudos{
		{Giver: "U1", Receivers: []string{"U2"}, At: base},
		{Giver: "U3", Receivers: []string{"U2", "U4"}, Private: true, At: base.Add(time.Hour)},
		{Giver: "U1", Receivers: []string{"U2", "U2"}, At: base.Add(2 * time.Hour)},
		{Giver: "U1", Receivers: []string{"U22"}, At: base},
	} {
		mustDo(t)(db.AddKudos(k))
	}
	tests := []struct {
		user           string
		from, to       time.Time
		includePrivate bool
		want           int
	}{
		{"U2", base, base.Add(3 * time.Hour), true, 3},
		{"U2", base, base.Add(3 * time.Hour), false, 2},
		{"U2", base, base.Add(2 * time.Hour), true, 2}, // to is exclusive
		{"U2", base.Add(time.Nanosecond), base.Add(3 * time.Hour), false, 1},
		{"U4", time.Time{}, base.AddDate(1, 0, 0), false, 0},
		{"U4", time.Time{}, base.AddDate(1, 0, 0), true, 1},
		{"U22", base, base.Add(time.Hour), false, 1},
		{"U2", base.Add(time.Hour), base, true, 0},
	}
	for _, tt := range tests {
		if got, err := db.KudosReceivedCount(tt.user, tt.from, tt.to, tt.includePrivate); err != nil || got != tt.want {
			t.Errorf("KudosReceivedCount(%q, %s, %s, %v) = %d, %v, want %d", tt.user, tt.from, tt.to, tt.includePrivate, got, err, tt.want)
		}
	}
}

func TestSetKudosMessage(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	k := mustKudos(t, db, store.Kudos{Giver: "U1", Receivers: []string{"U2"}, Text: "thanks", Channel: "C1", At: base})

	// Ensure the post's channel and ts are recorded, and nothing else moves.
	if err := db.SetKudosMessage(k.ID, "C2", "1764324000.000200"); err != nil {
		t.Fatalf("SetKudosMessage = %v", err)
	}
	want := k
	want.Channel, want.MessageTS = "C2", "1764324000.000200"
	if got, err := db.KudosReceived("U2", 0); err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("after SetKudosMessage, KudosReceived = %+v, %v, want [%+v]", got, err, want)
	}
	if n, _ := db.KudosGivenCount("U1", base, base.Add(time.Hour)); n != 1 {
		t.Errorf("after SetKudosMessage, KudosGivenCount = %d, want 1", n)
	}

	// Ensure a missing kudos is ErrNotFound.
	if err := db.SetKudosMessage(99, "C1", "1.2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetKudosMessage(99) = %v, want ErrNotFound", err)
	}
}

// Ensure KudosStats counts public kudos only, ranks by count then key,
// and truncates each list to top.
func TestKudosStats(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	for _, k := range []store.Kudos{
		{Giver: "U1", Receivers: []string{"U2", "U3"}, Values: []string{"teamwork", "craft"}, At: base},
		{Giver: "U2", Receivers: []string{"U3"}, Values: []string{"craft"}, At: base.Add(time.Hour)},
		{Giver: "U3", Receivers: []string{"U1"}, Values: []string{"care", "care"}, At: base.Add(2 * time.Hour)},
		{Giver: "U4", Receivers: []string{"U2", "U2"}, At: base.Add(3 * time.Hour)},
		// Private: never counted, however many.
		{Giver: "U9", Receivers: []string{"U9", "U8"}, Values: []string{"secret"}, Private: true, At: base.Add(time.Hour)},
		{Giver: "U9", Receivers: []string{"U8"}, Values: []string{"secret"}, Private: true, At: base.Add(time.Hour)},
		// Outside the range.
		{Giver: "U5", Receivers: []string{"U5"}, Values: []string{"early"}, At: base.Add(-time.Nanosecond)},
		{Giver: "U5", Receivers: []string{"U5"}, Values: []string{"late"}, At: base.Add(24 * time.Hour)},
		// No receivers: counts as a kudos, thanks nobody.
		{Giver: "U6", Values: []string{"craft"}, At: base.Add(4 * time.Hour)},
	} {
		mustDo(t)(db.AddKudos(k))
	}
	all := store.KudosStats{
		Total: 5,
		// U2: kudos 1 and 4 (repeated receiver counts once); U3: 1 and 2.
		Receivers: []store.Tally{{Key: "U2", Count: 2}, {Key: "U3", Count: 2}, {Key: "U1", Count: 1}},
		Givers:    []store.Tally{{Key: "U1", Count: 2}, {Key: "U2", Count: 1}, {Key: "U3", Count: 1}, {Key: "U4", Count: 1}},
		Values:    []store.Tally{{Key: "craft", Count: 3}, {Key: "care", Count: 1}, {Key: "teamwork", Count: 1}},
	}
	tests := []struct {
		name     string
		from, to time.Time
		top      int
		want     store.KudosStats
	}{
		{"All", base, base.Add(24 * time.Hour), 0, all},
		{"NegativeTopKeepsAll", base, base.Add(24 * time.Hour), -3, all},
		{"TopLongerThanLists", base, base.Add(24 * time.Hour), 10, all},
		{"Top2", base, base.Add(24 * time.Hour), 2, store.KudosStats{
			Total:     5,
			Receivers: []store.Tally{{Key: "U2", Count: 2}, {Key: "U3", Count: 2}},
			Givers:    []store.Tally{{Key: "U1", Count: 2}, {Key: "U2", Count: 1}},
			Values:    []store.Tally{{Key: "craft", Count: 3}, {Key: "care", Count: 1}},
		}},
		{"ToIsExclusive", base, base.Add(time.Hour), 0, store.KudosStats{
			Total:     1,
			Receivers: []store.Tally{{Key: "U2", Count: 1}, {Key: "U3", Count: 1}},
			Givers:    []store.Tally{{Key: "U1", Count: 2}},
			Values:    []store.Tally{{Key: "craft", Count: 1}, {Key: "teamwork", Count: 1}},
		}},
		{"OnlyPrivateInRange", base.Add(time.Hour + 1), base.Add(2 * time.Hour), 0, store.KudosStats{}},
		{"Empty", base, base, 0, store.KudosStats{}},
		{"Everything", time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 1, store.KudosStats{
			Total:     7,
			Receivers: []store.Tally{{Key: "U2", Count: 2}},
			Givers:    []store.Tally{{Key: "U1", Count: 2}},
			Values:    []store.Tally{{Key: "craft", Count: 3}},
		}},
	}
	for _, tt := range tests {
		got, err := db.KudosStats(tt.from, tt.to, tt.top)
		if err != nil {
			t.Errorf("%s: KudosStats = %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: KudosStats(%s, %s, %d) =\n%+v\nwant\n%+v", tt.name, tt.from, tt.to, tt.top, got, tt.want)
		}
	}
}

// mustKudos adds k and returns the stored copy.
func mustKudos(t *testing.T, db *store.DB, k store.Kudos) store.Kudos {
	t.Helper()
	got, err := db.AddKudos(k)
	if err != nil {
		t.Fatalf("AddKudos(%+v) = %v", k, err)
	}
	return got
}
