package store

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// exportedBuckets hold what export → import carries; notExportedBuckets
// hold the machine's own bookkeeping, which a new machine starts afresh
// (the delivery log, the scheduler's last runs, messages still queued).
// Every bucket of the schema is in exactly one list, so a new bucket
// without export support fails TestExportImportKeepsEverything.
var (
	exportedBuckets = [][]byte{
		bucketKudos, bucketKudosByTime, bucketKudosByGiver, bucketKudosByReceiver,
		bucketFollowups, bucketFollowupsByNext, bucketFollowupsByOwner, bucketFollowupsByCounterpart,
		bucketCoffeeMembers, bucketCoffeeRounds, bucketCoffeeRoundsByAt, bucketCheckins,
		bucketPeople, bucketCircles,
	}
	notExportedBuckets = [][]byte{
		bucketMeta, bucketSeenEvents, bucketSeenEventsByTime, bucketJobRuns,
		bucketOutbox, bucketOutboxByDue, bucketOutboxKeys,
	}
)

// everyField fails t for each exported field (followed into nested
// structs, slices and maps) that is zero in all of values, so that a
// field added to a record later must get a value in the fixtures below,
// and then must survive export → import.
func everyField(t *testing.T, values ...any) {
	t.Helper()
	typ := reflect.TypeOf(values[0])
	var vs []reflect.Value
	for _, v := range values {
		vs = append(vs, reflect.ValueOf(v))
	}
	for _, path := range zeroFields(typ.Name(), typ, vs) {
		t.Errorf("%s is zero in every fixture: give it a value here, and make export and import carry it", path)
	}
}

func zeroFields(path string, typ reflect.Type, vs []reflect.Value) []string {
	var out []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() || (f.Name == "ID" && f.Type.Kind() == reflect.Uint64) {
			continue // an id the store assigns: the bucket's keys compare it
		}
		var fs []reflect.Value
		for _, v := range vs {
			if fv := v.Field(i); !fv.IsZero() {
				fs = append(fs, fv)
			}
		}
		p := path + "." + f.Name
		if len(fs) == 0 {
			out = append(out, p)
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			var elems []reflect.Value
			for _, fv := range fs {
				for j := range fv.Len() {
					elems = append(elems, fv.Index(j))
				}
			}
			out = append(out, zeroFields(p+"[]", ft.Elem(), elems)...)
		}
	}
	return out
}

// Ensure export → import into an empty database reproduces every stored
// record byte for byte (indexes included), with fixtures that set every
// field of every record kind, and that each bucket is either carried or
// deliberately left out.
func TestExportImportKeepsEverything(t *testing.T) {
	for _, b := range allBuckets {
		in := slices.ContainsFunc(exportedBuckets, func(x []byte) bool { return bytes.Equal(x, b) })
		out := slices.ContainsFunc(notExportedBuckets, func(x []byte) bool { return bytes.Equal(x, b) })
		if in == out {
			t.Errorf("bucket %s: put it in exactly one of exportedBuckets (and export it) or notExportedBuckets", b)
		}
	}

	at := time.Date(2026, 11, 2, 9, 30, 0, 123456789, time.UTC)
	people := []Person{
		{ID: "U1", Name: "alice", TZ: "Europe/Berlin", TZOverride: "America/Los_Angeles", IsBot: true, Deleted: true,
			IsRestricted: true, IsStranger: true, Muted: []DMKind{DMDigest, DMNudges},
			WorkStart: 7*time.Hour + 30*time.Minute, WorkEnd: 15*time.Hour + 45*time.Minute + 10*time.Second,
			WorkDays: []time.Weekday{time.Sunday, time.Tuesday, time.Saturday}, Style: "async first",
			LastReconnect: at.Add(time.Hour), Updated: at.Add(2 * time.Hour), Locale: "de-DE", HomeOpened: at.Add(-time.Hour), Teams: []string{"design", "platform"},
			JoinedWorkspace: at.Add(-48 * time.Hour), Birthday: MonthDay{Month: time.February, Day: 29},
			Started: Date{Year: 2021, Month: time.June, Day: 1}, Visibility: VisibilityPublic, CelebrateSince: at.Add(-time.Minute),
			ReactionKudos: []ReactionKudos{{Channel: "C1", TS: "1700000000.000300", Author: "U2", Link: "https://x.slack.com/archives/C1/p1700000000000300",
				State: "sent", At: at, KudosID: 1}}},
		{ID: "U2", Name: "bob", TZ: "Asia/Tokyo", WorkEnd: 24 * time.Hour},
	}
	contacts := []CircleEntry{
		{Owner: "U1", Other: "U2", LastInTouch: at, LastKind: InTouchCheckin, CadenceDays: 14, SnoozedUntil: at.Add(48 * time.Hour), Stopped: true},
		{Owner: "U2", Other: "U1"},
	}
	kudos := []Kudos{{Giver: "U1", Receivers: []string{"U2", "U3"}, Text: "for the <@U3> review", Values: []string{"care"},
		Channel: "C1", MessageTS: "1700000000.000100", Private: true, At: at}}
	followups := []Followup{
		{Owner: "U1", Counterpart: "U2", Text: "send the deck", Due: at.Add(24 * time.Hour), Created: at, Status: FollowupOpen,
			Link: "https://x.slack.com/archives/C1/p1", Channel: "C1", NextAt: at.Add(25 * time.Hour), Reminded: true, Nudges: 2, LastNudge: at.Add(time.Hour), AskedAt: at.Add(3 * time.Hour)},
		{Owner: "U2", Text: "write it up", Due: at, Created: at.Add(-time.Hour), Status: FollowupDone, DoneAt: at.Add(time.Minute), Note: "sent"},
	}
	members := []CoffeeMember{{User: "U1", Joined: at, PausedUntil: at.Add(time.Hour), Via: ViaChannel, SkipAt: at.Add(7 * 24 * time.Hour),
		Misses: 2, PausedForSilence: true, Never: []string{"U3"}, JoinSeen: true}}
	rounds := []Round{{At: at, Manual: true, Closed: true,
		Groups: []CoffeeGroup{{Members: []string{"U1", "U2"}, Channel: "G1", IntroTS: "1700000000.000200", Icebreaker: 3,
			Answers: map[string]CoffeeAnswer{"U1": AnswerYes}, AnswerOrder: []string{"U1"}, DidYouMeetSent: true, Buddy: true}},
		SitOut: []SitOut{{User: "U4", Reason: SitOutAlone}},
		Counts: RoundCounts{Members: 9, Paused: 2, Silenced: 1, Skipped: 1, Left: 1, LeftOf: 6}}}
	checkins := []Checkin{{User: "U1", With: "U2", At: at, Note: "lunch"}}

	everyField(t, anySlice(people)...)
	everyField(t, anySlice(contacts)...)
	everyField(t, anySlice(kudos)...)
	everyField(t, anySlice(followups)...)
	everyField(t, anySlice(members)...)
	everyField(t, anySlice(rounds)...)
	everyField(t, anySlice(checkins)...)

	src := openForgetDB(t)
	for _, p := range people {
		if _, err := src.UpdatePerson(p.ID, func(q *Person) { *q = p }, Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range contacts {
		if _, err := src.UpdateCircleEntry(c.Owner, c.Other, func(q *CircleEntry) error { *q = c; return nil }, Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range kudos {
		if _, err := src.AddKudos(k); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range followups {
		if _, err := src.AddFollowup(f, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range members {
		if err := src.PutCoffeeMember(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range rounds {
		if _, _, err := src.CreateRound(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range checkins {
		if _, err := src.AddCheckin(c, nil); err != nil {
			t.Fatal(err)
		}
	}

	var doc bytes.Buffer
	if err := src.Export(&doc, at); err != nil {
		t.Fatal(err)
	}
	dst := openForgetDB(t)
	if _, err := dst.Import(bytes.NewReader(doc.Bytes())); err != nil {
		t.Fatalf("Import(Export()) = %v\n%s", err, doc.String())
	}
	want, got := dumpBuckets(t, src), dumpBuckets(t, dst)
	for _, b := range exportedBuckets {
		if w, g := want[string(b)], got[string(b)]; !slices.Equal(w, g) {
			t.Errorf("bucket %s after export → import:\ngot  %q\nwant %q", b, g, w)
		}
	}
	if err := dst.Check(); err != nil {
		t.Errorf("Check after import: %v", err)
	}
}

func anySlice[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// dumpBuckets returns each bucket's entries as "key=value" strings, in key
// order.
func dumpBuckets(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := db.view(func(tx kvTx) error {
		for _, name := range allBuckets {
			var entries []string
			if err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				entries = append(entries, fmt.Sprintf("%x=%s", k, strings.ToValidUTF8(string(v), "?")))
				return nil
			}); err != nil {
				return err
			}
			out[string(name)] = entries
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
