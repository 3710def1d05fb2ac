package store_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// exportNow is the exported_at of every export in these tests.
var exportNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func export(t *testing.T, db *store.DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := db.Export(&buf, exportNow); err != nil {
		t.Fatalf("Export() = %v", err)
	}
	return buf.Bytes()
}

func TestExportEmpty(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	want := `{
  "format": "rapport-export",
  "version": 2,
  "exported_at": "2026-11-28T12:00:00Z",
  "kudos": [],
  "followups": [],
  "coffee": {
    "members": [],
    "rounds": []
  },
  "checkins": [],
  "people": [],
  "circle": []
}
`
	if got := string(export(t, db)); got != want {
		t.Errorf("Export(empty db) =\n%s\nwant\n%s", got, want)
	}
}

// Ensure the document has the contract's shape: ids as strings, RFC 3339
// UTC times with nanoseconds when present, null for absent optional times,
// [] for empty arrays, Slack mentions left readable.
func TestExportDocument(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	must(t, db.PutCoffeeMember(store.CoffeeMember{User: "U1"}))
	mustDo(t)(db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, Text: "thanks for <@U3> & co", Channel: "C1", At: base.Add(500 * time.Millisecond)}))
	mustDo(t)(db.AddFollowup(store.Followup{Owner: "U1", Text: "write it up", Due: time.Date(2026, 11, 30, 10, 0, 0, 0, time.FixedZone("CET", 3600))}, nil))
	mustCreateRound(t, db, store.Round{Groups: []store.CoffeeGroup{{Members: []string{"U2", "U1"}, Icebreaker: 2, Channel: "D1", Answers: map[string]store.CoffeeAnswer{"U2": store.AnswerYes}}}, SitOut: []store.SitOut{{User: "U3", Reason: store.SitOutAlone}}})
	mustDo(t)(db.AddCheckin(store.Checkin{User: "U1", With: "U2"}, nil))

	want := `{
  "format": "rapport-export",
  "version": 2,
  "exported_at": "2026-11-28T12:00:00Z",
  "kudos": [
    {
      "id": "1",
      "giver": "U1",
      "receivers": [
        "U2"
      ],
      "text": "thanks for <@U3> & co",
      "values": [],
      "channel": "C1",
      "at": "2026-11-28T10:00:00.5Z",
      "ts": "",
      "private": false
    }
  ],
  "followups": [
    {
      "id": "1",
      "owner": "U1",
      "counterpart": "",
      "text": "write it up",
      "due": "2026-11-30T09:00:00Z",
      "created": "2026-11-28T10:00:00Z",
      "status": "open",
      "done_at": null,
      "note": "",
      "link": "",
      "channel": "",
      "next_at": "2026-11-30T09:00:00Z",
      "reminded": false,
      "nudges": 0,
      "last_nudge": null
    }
  ],
  "coffee": {
    "members": [
      {
        "user": "U1",
        "joined": "2026-11-28T10:00:00Z",
        "paused_until": null,
        "via": "command",
        "skip_at": null,
        "misses": 0,
        "ghosted": false,
        "never": [],
        "join_seen": false
      }
    ],
    "rounds": [
      {
        "id": "1",
        "at": "2026-11-28T10:00:00Z",
        "groups": [
          [
            "U1",
            "U2"
          ]
        ],
        "manual": false,
        "closed": false,
        "sit_out": [
          {
            "user": "U3",
            "reason": "alone"
          }
        ],
        "group_state": [
          {
            "channel": "D1",
            "intro_ts": "",
            "icebreaker": 2,
            "answers": {
              "U2": "yes"
            },
            "checkin_sent": false
          }
        ]
      }
    ]
  },
  "checkins": [
    {
      "id": "1",
      "user": "U1",
      "with": "U2",
      "at": "2026-11-28T10:00:00Z",
      "note": ""
    }
  ],
  "people": [],
  "circle": []
}
`
	if got := string(export(t, db)); got != want {
		t.Errorf("Export() =\n%s\nwant\n%s", got, want)
	}
}

// fill adds records of every kind, with the awkward cases: nanoseconds,
// other zones, private kudos, empty lists, every follow-up status, paused
// members, a round without groups.
func fill(t *testing.T, db *store.DB) {
	t.Helper()
	cet := time.FixedZone("CET", 3600)
	for _, k := range []store.Kudos{
		{Giver: "U1", Receivers: []string{"U2", "U3"}, Text: "shipped it 🚀 <!channel>", Values: []string{"teamwork", "craft"}, Channel: "C1", MessageTS: "1764324000.000100", At: base.Add(123456789)},
		{Giver: "U2", Receivers: []string{"U1"}, Text: "quietly", Private: true, At: base.Add(time.Hour).In(cet)},
		{Giver: "U3", At: base.Add(-time.Hour)},
	} {
		mustDo(t)(db.AddKudos(k))
	}
	for _, f := range []store.Followup{
		{Owner: "U1", Counterpart: "U2", Text: "send notes &lt;draft&gt;", Due: base.Add(24 * time.Hour), Created: base,
			Link: "https://example.slack.com/archives/C1/p1764324000000100", Channel: "C1",
			NextAt: base.Add(26 * time.Hour).In(cet), Reminded: true, Nudges: 2, LastNudge: base.Add(123)}, // snoozed after two nudges
		{Owner: "U2", Text: "self", Due: base.Add(time.Hour), Created: base.Add(1), Status: store.FollowupDone, DoneAt: base.Add(30 * time.Minute), Note: "sent <@U1> the notes", Reminded: true},
		{Owner: "U3", Counterpart: "U1", Text: "maybe", Due: base, Created: base, Status: store.FollowupDropped, Channel: "D3"},
		{Owner: "U3", Text: "no due date", Created: base, Status: store.FollowupDone, DoneAt: base}, // zero Due
	} {
		mustDo(t)(db.AddFollowup(f, nil))
	}
	for _, m := range []store.CoffeeMember{
		{User: "U2", Joined: base.AddDate(0, -1, 0)},
		{User: "U1", Joined: base.AddDate(0, -2, 0), PausedUntil: base.AddDate(0, 0, 14).In(cet)},
		{User: "U3", Joined: base.Add(7), Via: store.ViaChannel, SkipAt: base.AddDate(0, 0, 7).In(cet), Misses: 3, PausedForSilence: true, Never: []string{"U5", "U1"}},
	} {
		must(t, db.PutCoffeeMember(m))
	}
	mustCreateRound(t, db, store.Round{At: base.AddDate(0, 0, -7), Groups: []store.CoffeeGroup{
		{Members: []string{"U1", "U2"}, Channel: "D12", IntroTS: "1764324000.000200", Icebreaker: 0, DidYouMeetSent: true,
			Answers: map[string]store.CoffeeAnswer{"U1": store.AnswerYes, "U2": store.AnswerNotYet}},
		{Members: []string{"U3", "U4", "U5"}, Icebreaker: -1, Answers: map[string]store.CoffeeAnswer{"U5": store.AnswerCant}},
	}, SitOut: []store.SitOut{{User: "U7", Reason: store.SitOutNoOverlap}, {User: "U6", Reason: store.SitOutNeverList}}, Closed: true})
	mustCreateRound(t, db, store.Round{At: base.In(cet), Manual: true})
	mustDo(t)(db.AddCheckin(store.Checkin{User: "U1", With: "U2", At: base.Add(999), Note: "lunch"}, nil))
	mustDo(t)(db.AddCheckin(store.Checkin{User: "U2", With: "U1", At: base}, nil))
}

// Ensure export -> import -> export loses nothing.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	src := storetest.MustOpen(t)
	fill(t, src)
	first := export(t, src)

	dst := storetest.MustOpen(t)
	stats, err := dst.Import(bytes.NewReader(first))
	if err != nil {
		t.Fatalf("Import(export) = %v", err)
	}
	if want := (store.ImportStats{Kudos: 3, Followups: 4, CoffeeMembers: 3, Rounds: 2, Checkins: 2}); stats != want {
		t.Errorf("Import(export) stats = %+v, want %+v", stats, want)
	}
	if second := export(t, dst); !bytes.Equal(second, first) {
		t.Errorf("export after import differs:\n%s\nwant\n%s", second, first)
	}

	// The records read back equal too, through every list method.
	all := func(db *store.DB) []any {
		k, err1 := db.KudosBetween(time.Time{}, base.AddDate(1, 0, 0))
		f, err2 := db.Followups()
		m, err3 := db.CoffeeMembers()
		r, err4 := db.Rounds()
		c, err5 := db.Checkins()
		meetings, err6 := db.CoffeeMeetings(time.Time{})
		if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
			t.Fatal(err)
		}
		return []any{k, f, m, r, c, meetings}
	}
	if got, want := all(dst), all(src); !reflect.DeepEqual(got, want) {
		t.Errorf("records after round trip = %+v, want %+v", got, want)
	}

	// The kudos indexes were rebuilt with the records: Check compares them,
	// and every method that reads them answers as on the source.
	if err := dst.Check(); err != nil {
		t.Errorf("Check() after import = %v", err)
	}
	byIndex := func(db *store.DB) []any {
		var out []any
		for _, u := range []string{"U1", "U2", "U3"} {
			received, err1 := db.KudosReceived(u, 0)
			given, err2 := db.KudosGivenCount(u, time.Time{}, base.AddDate(1, 0, 0))
			count, err3 := db.KudosReceivedCount(u, time.Time{}, base.AddDate(1, 0, 0), true)
			if err := errors.Join(err1, err2, err3); err != nil {
				t.Fatal(err)
			}
			out = append(out, received, given, count)
		}
		stats, err := db.KudosStats(time.Time{}, base.AddDate(1, 0, 0), 0)
		if err != nil {
			t.Fatal(err)
		}
		return append(out, stats)
	}
	if got, want := byIndex(dst), byIndex(src); !reflect.DeepEqual(got, want) {
		t.Errorf("index reads after round trip = %+v, want %+v", got, want)
	}
	if got, _ := dst.KudosReceived("U2", 0); len(got) != 1 || got[0].ID != 1 {
		t.Errorf("KudosReceived(U2) after import = %+v, want kudos 1", got)
	}

	// Sequences moved past the imported ids.
	if k, err := dst.AddKudos(store.Kudos{Giver: "U1", At: base}); err != nil || k.ID != 4 {
		t.Errorf("AddKudos after import = id %d, %v, want id 4", k.ID, err)
	}
	if c, err := dst.AddCheckin(store.Checkin{User: "U1", With: "U2", At: base}, nil); err != nil || c.ID != 3 {
		t.Errorf("AddCheckin after import = id %d, %v, want id 3", c.ID, err)
	}
	// The rounds' time index was rebuilt: the same instant is the same
	// round, and the sequence moved past the imported ids.
	if r, created, err := dst.CreateRound(store.Round{At: base}); err != nil || created || r.ID != 2 {
		t.Errorf("CreateRound(imported At) after import = round %d, %v, %v, want round 2, false", r.ID, created, err)
	}
	if r, created, err := dst.CreateRound(store.Round{At: base.Add(time.Hour)}); err != nil || !created || r.ID != 3 {
		t.Errorf("CreateRound(new At) after import = round %d, %v, %v, want round 3, true", r.ID, created, err)
	}
}

// Ensure a document with the contract's rounds only (an older export, or
// written by hand) imports with the defaults: rounds closed, groups
// without state, members joined by command.
func TestImportContractCoffee(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	doc := `{"format": "rapport-export", "version": 1,
	  "coffee": {"members": [{"user": "U1", "joined": "2026-11-01T00:00:00Z", "paused_until": null}],
	             "rounds":  [{"id": "5", "at": "2026-11-24T10:00:00Z", "groups": [["U2", "U1"], ["U3", "U4", "U5"]]},
	                         {"at": "2026-11-25T10:00:00Z", "closed": false, "groups": [["U1", "U2"]], "group_state": [{"answers": {"U1": "no"}}]}]}}`
	if _, err := db.Import(strings.NewReader(doc)); err != nil {
		t.Fatalf("Import = %v", err)
	}
	rounds, err := db.Rounds()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	want := []store.Round{
		{ID: 5, At: at, Closed: true, Groups: []store.CoffeeGroup{group("U1", "U2"), group("U3", "U4", "U5")}},
		{ID: 6, At: at.Add(24 * time.Hour), Groups: []store.CoffeeGroup{{Members: []string{"U1", "U2"}, Icebreaker: -1, Answers: map[string]store.CoffeeAnswer{"U1": store.AnswerNo}}}},
	}
	if !reflect.DeepEqual(rounds, want) {
		t.Errorf("Rounds() after import = %+v, want %+v", rounds, want)
	}
	if m, err := db.CoffeeMember("U1"); err != nil || m.Via != store.ViaCommand || m.Misses != 0 || m.Never != nil {
		t.Errorf("CoffeeMember(U1) after import = %+v, %v, want via command, no misses", m, err)
	}
}

// Ensure a broken document changes nothing and the error names the field.
func TestImportMalformed(t *testing.T) {
	t.Parallel()
	const head = `{"format": "rapport-export", "version": 1, `
	const okKudos = `{"id": "7", "giver": "U9", "receivers": ["U1"], "at": "2026-11-28T10:00:00Z"}`
	const okRound = `{"id": "1", "at": "2026-11-21T10:00:00Z", "groups": [["U1", "U2"]]}`
	const okRound2 = `{"id": "2", "at": "2026-11-14T10:00:00Z", "groups": [["U1", "U2"]], "group_state": [{"answers": {"U1": "yes"}}]}`
	const okFollowup = `{"id": "7", "owner": "U9", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z", "status": "open", "done_at": null}`
	tests := []struct {
		name string
		doc  string
		want string // in the error, after "store: import: "
	}{
		{"NotJSON", `rapport`, "document: malformed JSON"},
		{"TrailingGarbage", head + `"kudos": []} x`, "document: malformed JSON"},
		{"NotAnObject", `[]`, "document: want an object, got array"},
		{"FormatMissing", `{"version": 1}`, `format: missing, want "rapport-export"`},
		{"FormatWrong", `{"format": "slack-export", "version": 1}`, `format: got "slack-export", want "rapport-export"`},
		{"VersionMissing", `{"format": "rapport-export"}`, "version: missing, want 2"},
		{"VersionTooNew", `{"format": "rapport-export", "version": 3}`, "version: got 3, want 1 to 2"},
		{"VersionTooOld", `{"format": "rapport-export", "version": 0}`, "version: got 0, want 1 to 2"},
		{"VersionString", `{"format": "rapport-export", "version": "1"}`, "version: want an integer, got string"},
		{"KudosNotArray", head + `"kudos": {}}`, "kudos: want an array, got object"},
		{"KudosNotObject", head + `"kudos": [5]}`, "kudos[0]: want an object, got number"},
		{"KudosNull", head + `"kudos": [null]}`, "kudos[0]: want an object, got null"},
		{"KudosIDNotNumber", head + `"kudos": [` + okKudos + `, {"id": "abc", "at": "2026-11-28T10:00:00Z"}]}`, `kudos[1].id: not a number (got "abc")`},
		{"KudosIDNegative", head + `"kudos": [{"id": "-1", "at": "2026-11-28T10:00:00Z"}]}`, `kudos[0].id: not a number`},
		{"KudosIDZero", head + `"kudos": [{"id": "0", "at": "2026-11-28T10:00:00Z"}]}`, `kudos[0].id: ids start at 1`},
		{"KudosIDTooBig", head + `"kudos": [{"id": "18446744073709551616", "at": "2026-11-28T10:00:00Z"}]}`, `kudos[0].id: out of range`},
		{"KudosIDNumber", head + `"kudos": [{"id": 7, "at": "2026-11-28T10:00:00Z"}]}`, `kudos[0].id: want a string, got number`},
		{"KudosIDDuplicate", head + `"kudos": [` + okKudos + `, ` + okKudos + `]}`, `kudos[1].id: "7" is already the id of kudos[0]`},
		{"KudosAtMissing", head + `"kudos": [` + okKudos + `, {}, {}, {"at": "x"}]}`, `kudos[1].at: missing`},
		{"KudosAtUnparsable", head + `"kudos": [` + okKudos + `, {"at": "x"}]}`, `kudos[1].at: parsing time "x"`},
		{"KudosAtNoZone", head + `"kudos": [{"at": "2026-11-28T10:00:00"}]}`, `kudos[0].at: parsing time "2026-11-28T10:00:00"`},
		{"KudosAtBefore1970", head + `"kudos": [{"at": "1969-07-20T20:17:00Z"}]}`, `kudos[0].at: time 1969-07-20T20:17:00Z is outside the range`},
		{"KudosGiverNUL", head + `"kudos": [{"giver": "U1\u0000", "at": "2026-11-28T10:00:00Z"}]}`, `kudos[0].giver: user ID "U1\x00" contains a NUL byte`},
		{"KudosReceiverNUL", head + `"kudos": [{"giver": "U1", "receivers": ["U2", "\u0000"], "at": "2026-11-28T10:00:00Z"}]}`, `kudos[0].receivers[1]: user ID "\x00" contains a NUL byte`},
		{"KudosReceiversString", head + `"kudos": [{"receivers": "U1", "at": "2026-11-28T10:00:00Z"}]}`, `kudos[0].receivers: want an array, got string`},
		{"KudosPrivateString", head + `"kudos": [{"private": "yes", "at": "2026-11-28T10:00:00Z"}]}`, `kudos[0].private: want true or false, got string`},
		{"FollowupStatus", head + `"kudos": [` + okKudos + `], "followups": [{"status": "later"}]}`, `followups[0].status: must be open, done or dropped (got "later")`},
		{"FollowupStatusMissing", head + `"followups": [{"due": "2026-11-29T10:00:00Z"}]}`, `followups[0].status: must be open, done or dropped (got "")`},
		{"FollowupDueMissing", head + `"followups": [{"status": "open", "created": "2026-11-28T10:00:00Z"}]}`, `followups[0].due: missing`},
		{"FollowupCreatedBad", head + `"followups": [` + okFollowup + `, {"status": "done", "due": "2026-11-29T10:00:00Z", "created": "monday"}]}`, `followups[1].created: parsing time "monday"`},
		{"FollowupDoneAtBad", head + `"followups": [{"status": "done", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z", "done_at": "yesterday"}]}`, `followups[0].done_at: parsing time "yesterday"`},
		{"FollowupDoneAtNumber", head + `"followups": [{"status": "done", "done_at": 5}]}`, `followups[0].done_at: want a string, got number`},
		{"FollowupDueBefore1970", head + `"followups": [{"status": "open", "due": "1969-07-20T20:17:00Z", "created": "2026-11-28T10:00:00Z"}]}`, `followups[0].due: time 1969-07-20T20:17:00Z is outside the range`},
		{"FollowupOwnerNUL", head + `"followups": [{"owner": "U1\u0000", "status": "done", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z"}]}`, `followups[0].owner: user ID "U1\x00" contains a NUL byte`},
		{"FollowupCounterpartNUL", head + `"followups": [{"owner": "U1", "counterpart": "\u0000", "status": "done", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z"}]}`, `followups[0].counterpart: user ID "\x00" contains a NUL byte`},
		{"FollowupNextAtBad", head + `"followups": [` + okFollowup + `, {"status": "open", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z", "next_at": "tomorrow"}]}`, `followups[1].next_at: parsing time "tomorrow"`},
		{"FollowupNextAtNumber", head + `"followups": [{"status": "open", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z", "next_at": 5}]}`, `followups[0].next_at: want a string, got number`},
		{"FollowupNextAtBefore1970", head + `"followups": [{"status": "open", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z", "next_at": "1960-01-01T00:00:00Z"}]}`, `followups[0].next_at: time 1960-01-01T00:00:00Z is outside the range`},
		{"FollowupNudgesNegative", head + `"followups": [{"status": "open", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z", "nudges": -1}]}`, `followups[0].nudges: must be 0 or more (got -1)`},
		{"FollowupNudgesString", head + `"followups": [{"status": "open", "nudges": "2"}]}`, `followups[0].nudges: want an integer, got string`},
		{"FollowupRemindedString", head + `"followups": [{"status": "open", "reminded": "yes"}]}`, `followups[0].reminded: want true or false, got string`},
		{"FollowupLastNudgeBad", head + `"followups": [{"status": "open", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z", "last_nudge": "friday"}]}`, `followups[0].last_nudge: parsing time "friday"`},
		{"MemberUserMissing", head + `"coffee": {"members": [{"joined": "2026-11-28T10:00:00Z"}]}}`, `coffee.members[0].user: missing`},
		{"MemberDuplicate", head + `"coffee": {"members": [{"user": "U1", "joined": "2026-11-28T10:00:00Z"}, {"user": "U1", "joined": "2026-11-28T10:00:00Z"}]}}`, `coffee.members[1].user: "U1" is already coffee.members[0]`},
		{"MemberPausedBad", head + `"coffee": {"members": [{"user": "U1", "joined": "2026-11-28T10:00:00Z", "paused_until": "soon"}]}}`, `coffee.members[0].paused_until: parsing time "soon"`},
		{"CoffeeNotObject", head + `"coffee": []}`, `coffee: want an object, got array`},
		{"RoundGroupsBad", head + `"coffee": {"rounds": [{"id": "1", "at": "2026-11-28T10:00:00Z", "groups": [["U1", 2]]}]}}`, `coffee.rounds[0].groups: want a string, got number`},
		{"RoundIDBad", head + `"coffee": {"rounds": [{"id": "one", "at": "2026-11-28T10:00:00Z"}]}}`, `coffee.rounds[0].id: not a number`},
		{"RoundAtMissing", head + `"coffee": {"rounds": [{"id": "1"}]}}`, `coffee.rounds[0].at: missing`},
		{"RoundAtBefore1970", head + `"coffee": {"rounds": [{"at": "1960-01-01T00:00:00Z"}]}}`, `coffee.rounds[0].at: time 1960-01-01T00:00:00Z is outside the range`},
		{"RoundAnswer", head + `"coffee": {"rounds": [` + okRound + `, ` + okRound2 + `, {"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"]], "group_state": [{"answers": {"U1": "maybe"}}]}]}}`, `coffee.rounds[2].group_state[0].answers.U1: must be yes, not_yet, no or cant (got "maybe")`},
		{"RoundAnswerNotMember", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"]], "group_state": [{"answers": {"U9": "yes"}}]}]}}`, `coffee.rounds[0].group_state[0].answers.U9: U9 is not a member of the group`},
		{"RoundAnswerNumber", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"]], "group_state": [{"answers": {"U1": 1}}]}]}}`, `coffee.rounds[0].group_state[0].answers.U1: want a string, got number`},
		{"RoundGroupStateLength", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"]], "group_state": []}]}}`, `coffee.rounds[0].group_state: has 0 entries for 1 groups`},
		{"RoundIcebreaker", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"]], "group_state": [{"icebreaker": -3}]}]}}`, `coffee.rounds[0].group_state[0].icebreaker: -3: must be -1`},
		{"RoundIcebreakerString", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"]], "group_state": [{"icebreaker": "one"}]}]}}`, `coffee.rounds[0].group_state[0].icebreaker: want an integer, got string`},
		{"RoundAnswersArray", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"]], "group_state": [{"answers": ["yes"]}]}]}}`, `coffee.rounds[0].group_state[0].answers: want an object, got array`},
		{"RoundGroupStateNotObject", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"]], "group_state": [null]}]}}`, `coffee.rounds[0].group_state[0]: want an object, got null`},
		{"RoundSitOutUserNumber", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "sit_out": [{"user": "U1", "reason": "alone"}, {"user": 2}]}]}}`, `coffee.rounds[0].sit_out[1].user: want a string, got number`},
		{"RoundEmptyGroup", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"], []]}]}}`, `coffee.rounds[0].groups[1]: no members`},
		{"RoundUserTwice", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "groups": [["U1", "U2"], ["U3", "U1"]]}]}}`, `coffee.rounds[0].groups[1][1]: U1 is already coffee.rounds[0].groups[0][0]`},
		{"RoundSitOutReason", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "sit_out": [{"user": "U1", "reason": "alone"}, {"user": "U2", "reason": "shy"}]}]}}`, `coffee.rounds[0].sit_out[1].reason: must be alone, no_overlap or never_list (got "shy")`},
		{"RoundSitOutUser", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "sit_out": [{"reason": "alone"}]}]}}`, `coffee.rounds[0].sit_out[0].user: empty user ID`},
		{"RoundClosedString", head + `"coffee": {"rounds": [{"at": "2026-11-28T10:00:00Z", "closed": "yes"}]}}`, `coffee.rounds[0].closed: want true or false, got string`},
		{"MemberVia", head + `"coffee": {"members": [{"user": "U1", "joined": "2026-11-28T10:00:00Z", "via": "email"}]}}`, `coffee.members[0].via: must be command or channel (got "email")`},
		{"MemberMisses", head + `"coffee": {"members": [{"user": "U1", "joined": "2026-11-28T10:00:00Z", "misses": -1}]}}`, `coffee.members[0].misses: must be 0 or more (got -1)`},
		{"MemberMissesString", head + `"coffee": {"members": [{"user": "U1", "joined": "2026-11-28T10:00:00Z", "misses": "3"}]}}`, `coffee.members[0].misses: want an integer, got string`},
		{"MemberSkipAt", head + `"coffee": {"members": [{"user": "U1", "joined": "2026-11-28T10:00:00Z", "skip_at": "next week"}]}}`, `coffee.members[0].skip_at: parsing time "next week"`},
		{"MemberNever", head + `"coffee": {"members": [{"user": "U1", "joined": "2026-11-28T10:00:00Z", "never": ["U2", "U3\u0000"]}]}}`, `coffee.members[0].never[1]: user ID "U3\x00" contains a NUL byte`},
		{"MemberGhostedString", head + `"coffee": {"members": [{"user": "U1", "joined": "2026-11-28T10:00:00Z", "ghosted": "no"}]}}`, `coffee.members[0].ghosted: want true or false, got string`},
		{"CheckinAtDateOnly", head + `"checkins": [{"user": "U1", "with": "U2", "at": "2026-11-28"}]}`, `checkins[0].at: parsing time "2026-11-28"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpen(t)
			fill(t, db)
			before := export(t, db)

			stats, err := db.Import(strings.NewReader(tt.doc))
			if !errors.Is(err, store.ErrInvalidImport) {
				t.Fatalf("Import(%s) = %v, want ErrInvalidImport", tt.doc, err)
			}
			if want := "store: import: " + tt.want; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Import(%s) error\n%q\nwant prefix\n%q", tt.doc, err, want)
			}
			if stats != (store.ImportStats{}) {
				t.Errorf("Import(%s) stats = %+v, want zero", tt.doc, stats)
			}
			if after := export(t, db); !bytes.Equal(after, before) {
				t.Errorf("Import(%s) changed the database", tt.doc)
			}
		})
	}
}

// Ensure Import upserts by id, adds records without one, deletes nothing,
// keeps the indexes in step, and moves sequences past what it imported.
func TestImportUpsert(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	mustDo(t)(db.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U7"}, Text: "original", At: base})) // 1
	mustDo(t)(db.AddKudos(store.Kudos{Giver: "U2", Text: "untouched", At: base.Add(time.Hour)}))            // 2
	mustDo(t)(db.AddFollowup(store.Followup{Owner: "U1", Due: base.Add(24 * time.Hour)}, nil))              // 1, open

	doc := `{"format": "rapport-export", "version": 1, "exported_at": "whenever", "extra": {"ignored": true},
	  "kudos": [
	    {"id": "1", "giver": "U1", "text": "edited", "at": "2026-11-28T15:00:00Z", "mood": "ignored"},
	    {"id": "10", "giver": "U3", "at": "2026-11-28T12:00:00Z"},
	    {"giver": "U4", "at": "2026-11-28T13:00:00Z"}
	  ],
	  "followups": [
	    {"id": "1", "owner": "U1", "due": "2026-11-29T10:00:00Z", "created": "2026-11-28T10:00:00Z", "status": "done", "done_at": "2026-11-28T11:00:00Z"}
	  ],
	  "checkins": [{"user": "U1", "with": "U2", "at": "2026-11-28T10:00:00Z"}]
	}`
	stats, err := db.Import(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("Import = %v", err)
	}
	if want := (store.ImportStats{Kudos: 3, Followups: 1, Checkins: 1}); stats != want {
		t.Errorf("Import stats = %+v, want %+v", stats, want)
	}

	kudos, err := db.KudosBetween(time.Time{}, base.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range kudos {
		got = append(got, k.Giver+"#"+strconv.FormatUint(k.ID, 10)+"@"+k.At.Format("15:04"))
	}
	// 2 kept; 1 moved to 15:00; 10 as given; the id-less one got 11.
	if want := []string{"U2#2@11:00", "U3#10@12:00", "U4#11@13:00", "U1#1@15:00"}; !slices.Equal(got, want) {
		t.Errorf("kudos after import = %v, want %v", got, want)
	}
	// The index entry of kudos 1's old time is gone, not left dangling.
	if keys := rawKeys(t, db, "kudos_by_time"); len(keys) != 4 {
		t.Errorf("kudos_by_time has %d keys, want 4", len(keys))
	}
	if k, _ := db.KudosBetween(base, base.Add(time.Minute)); len(k) != 0 {
		t.Errorf("KudosBetween(old time of kudos 1) = %+v, want none", k)
	}
	// Kudos 1's giver and receiver entries moved with it: U7 no longer
	// received it, and U1 gave it at 15:00.
	if k, err := db.KudosReceived("U7", 0); err != nil || len(k) != 0 {
		t.Errorf("KudosReceived(U7) after import = %+v, %v, want none", k, err)
	}
	if n, _ := db.KudosGivenCount("U1", base, base.Add(time.Hour)); n != 0 {
		t.Errorf("KudosGivenCount(U1, old time) after import = %d, want 0", n)
	}
	if keys := rawKeys(t, db, "kudos_by_giver"); len(keys) != 4 {
		t.Errorf("kudos_by_giver has %d keys, want 4", len(keys))
	}
	if err := db.Check(); err != nil {
		t.Errorf("Check() after import = %v", err)
	}
	// Follow-up 1 is done now, so out of the next-action index.
	if f, err := db.Followup(1); err != nil || f.Status != store.FollowupDone || !f.NextAt.IsZero() {
		t.Errorf("Followup(1) = %+v, %v, want it done, nothing scheduled", f, err)
	}
	if keys := rawKeys(t, db, "followups_by_next"); len(keys) != 0 {
		t.Errorf("followups_by_next = %x, want empty", keys)
	}
	if k, err := db.AddKudos(store.Kudos{Giver: "U5", At: base}); err != nil || k.ID != 12 {
		t.Errorf("AddKudos after import = id %d, %v, want 12", k.ID, err)
	}
}

// Ensure the version 1 example document, as the format was first
// published, imports as written (its check-ins carry no id).
func TestImportContractExample(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	doc := `{
  "format": "rapport-export", "version": 1, "exported_at": "2026-11-28T10:00:00Z",
  "kudos":     [{"id": "3", "giver": "U1", "receivers": ["U2"], "text": "great demo", "values": ["teamwork"],
                 "channel": "C1", "at": "2026-11-27T16:30:00+01:00"}],
  "followups": [{"id": "4", "owner": "U1", "counterpart": "U2", "text": "send slides", "due": "2026-12-01T09:00:00Z", "created": "2026-11-27T09:00:00Z",
                 "status": "open", "done_at": null}],
  "coffee":    {"members": [{"user": "U1", "joined": "2026-11-01T00:00:00Z", "paused_until": null}],
                "rounds":  [{"id": "5", "at": "2026-11-24T10:00:00Z", "groups": [["U1", "U2"], ["U3", "U4", "U5"]]}]},
  "checkins":  [{"user": "U1", "with": "U2", "at": "2026-11-26T12:00:00Z", "note": "lunch"}]
}`
	if _, err := db.Import(strings.NewReader(doc)); err != nil {
		t.Fatalf("Import(contract example) = %v", err)
	}
	kudos, _ := db.KudosBetween(time.Time{}, base)
	if len(kudos) != 1 || kudos[0].ID != 3 || !kudos[0].At.Equal(time.Date(2026, 11, 27, 15, 30, 0, 0, time.UTC)) {
		t.Errorf("kudos = %+v, want id 3 at 15:30 UTC", kudos)
	}
	checkins, _ := db.Checkins()
	if len(checkins) != 1 || checkins[0].ID != 1 || checkins[0].Note != "lunch" {
		t.Errorf("checkins = %+v, want one, numbered 1", checkins)
	}
	rounds, _ := db.Rounds()
	if len(rounds) != 1 || rounds[0].ID != 5 || len(rounds[0].Groups) != 2 {
		t.Errorf("rounds = %+v, want round 5 with two groups", rounds)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mustDo fails the test if an Add* call fails: mustDo(t)(db.AddKudos(k)).
func mustDo(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Ensure follow-ups survive export -> import whole, the scheduling state
// included (a snooze, nudges, an open one with nothing scheduled), and
// that their indexes are rebuilt: due, owned and owed answer as on the
// source.
func TestExportImportFollowups(t *testing.T) {
	t.Parallel()
	src := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	fill(t, src)
	idle := mustAddFollowup(t, src, store.Followup{Owner: "U2", Counterpart: "U3", Text: "call back", Due: base.Add(-time.Hour), Note: "left a message"})
	if _, err := src.UpdateFollowup(idle.ID, func(f *store.Followup) error {
		f.NextAt, f.Nudges, f.LastNudge = time.Time{}, 5, base // nudged enough
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	first := export(t, src)
	if !bytes.Contains(first, []byte(`"next_at": null,`)) || !bytes.Contains(first, []byte(`"next_at": "2026-11-29T12:00:00Z",`)) {
		t.Errorf("export lacks next_at null (nothing scheduled) or the snooze:\n%s", first)
	}

	dst := storetest.MustOpen(t)
	if _, err := dst.Import(bytes.NewReader(first)); err != nil {
		t.Fatalf("Import(export) = %v", err)
	}
	if second := export(t, dst); !bytes.Equal(second, first) {
		t.Errorf("export after import differs:\n%s\nwant\n%s", second, first)
	}
	reads := func(db *store.DB) []any {
		all, err := db.Followups()
		if err != nil {
			t.Fatal(err)
		}
		out := []any{all}
		for _, now := range []time.Time{base, base.Add(24 * time.Hour), base.AddDate(1, 0, 0)} {
			due, err := db.FollowupsDue(now, 0)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, followupIDs(due))
		}
		for _, u := range []string{"U1", "U2", "U3"} {
			owned, err1 := db.FollowupsOwnedBy(u)
			owed, err2 := db.FollowupsOwedTo(u)
			if err := errors.Join(err1, err2); err != nil {
				t.Fatal(err)
			}
			out = append(out, followupIDs(owned), followupIDs(owed))
		}
		return out
	}
	if got, want := reads(dst), reads(src); !reflect.DeepEqual(got, want) {
		t.Errorf("reads after round trip = %+v, want %+v", got, want)
	}
	if f, err := dst.Followup(idle.ID); err != nil || !f.NextAt.IsZero() || f.Nudges != 5 {
		t.Errorf("Followup(%d) after import = %+v, %v, want nothing scheduled, 5 nudges", idle.ID, f, err)
	}
}

// Ensure follow-ups in the contract's shape (an export older than the
// scheduling fields) import with the defaults: an open one is due for its
// reminder at its due time, as AddFollowup has it; an explicit null
// next_at means nothing is scheduled. Re-importing an id moves its index
// entries.
func TestImportContractFollowups(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	mustAddFollowup(t, db, store.Followup{Owner: "U9", Counterpart: "U8", Due: base.Add(-time.Hour)}) // 1, replaced below
	doc := `{"format": "rapport-export", "version": 1, "followups": [
	  {"id": "1", "owner": "U1", "counterpart": "", "text": "t", "due": "2026-12-01T09:00:00Z", "created": "2026-11-27T09:00:00Z", "status": "open", "done_at": null},
	  {"id": "2", "owner": "U1", "counterpart": "U2", "text": "t", "due": "2026-11-20T09:00:00Z", "created": "2026-11-19T09:00:00Z", "status": "done", "done_at": "2026-11-20T08:00:00Z"},
	  {"id": "3", "owner": "U2", "counterpart": "U1", "text": "t", "due": "2026-11-20T09:00:00Z", "created": "2026-11-19T09:00:00Z", "status": "open", "done_at": null, "next_at": null}
	]}`
	if _, err := db.Import(strings.NewReader(doc)); err != nil {
		t.Fatalf("Import = %v", err)
	}
	for _, tt := range []struct {
		id   uint64
		next time.Time
	}{
		{1, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{2, time.Time{}},
		{3, time.Time{}},
	} {
		if f, err := db.Followup(tt.id); err != nil || !f.NextAt.Equal(tt.next) {
			t.Errorf("Followup(%d).NextAt after import = %s, %v, want %s", tt.id, f.NextAt, err, tt.next)
		}
	}
	if got, err := db.FollowupsDue(base.AddDate(0, 1, 0), 0); err != nil || !slices.Equal(followupIDs(got), []uint64{1}) {
		t.Errorf("FollowupsDue after import = ids %v, %v, want [1]", followupIDs(got), err)
	}
	for _, u := range []string{"U9", "U8"} {
		owned, _ := db.FollowupsOwnedBy(u)
		owed, _ := db.FollowupsOwedTo(u)
		if len(owned)+len(owed) != 0 {
			t.Errorf("%s still owns %v and is owed %v after follow-up 1 was replaced", u, followupIDs(owned), followupIDs(owed))
		}
	}
	if owed, err := db.FollowupsOwedTo("U1"); err != nil || !slices.Equal(followupIDs(owed), []uint64{3}) {
		t.Errorf("FollowupsOwedTo(U1) after import = ids %v, %v, want [3]", followupIDs(owed), err)
	}
}
