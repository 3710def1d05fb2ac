package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const (
	alice = "UALICE0001"
	bob   = "UBOB000002"
	carol = "UCAROL0003"
)

var forgetNow = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// ScanAllForTest returns where needle occurs in the live data of db: every
// key and value of every bucket, plain bytes.Contains.
// (For tests of this package and store_test.)
func ScanAllForTest(t testing.TB, db *DB, needle []byte) []string {
	t.Helper()
	var hits []string
	err := db.view(func(tx kvTx) error {
		for _, name := range allBuckets {
			err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				if bytes.Contains(k, needle) {
					hits = append(hits, string(name)+" key "+string(k))
				}
				if bytes.Contains(v, needle) {
					hits = append(hits, string(name)+" value "+string(v))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func openForgetDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "rapport.db"), Options{Now: func() time.Time { return forgetNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// fillForget stores data of alice, bob and carol of every kind.
func fillForget(t *testing.T, db *DB) {
	t.Helper()
	at := func(h int) time.Time { return forgetNow.Add(time.Duration(-h) * time.Hour) }
	kudos := []Kudos{
		{Giver: alice, Receivers: []string{bob}, Text: "thanks for the review", Values: []string{"care"}, At: at(10)},
		{Giver: alice, Receivers: []string{bob, carol}, Text: "great launch", At: at(9), Private: true},
		{Giver: bob, Receivers: []string{alice}, Text: "thanks <@UALICE0001|alice>", At: at(8)},
		{Giver: carol, Receivers: []string{alice, bob}, Text: "you two, <@UALICE0001> and <@UBOB000002>", At: at(7)},
		{Giver: bob, Receivers: []string{carol}, Text: "as UALICE0001 said, great", At: at(6), Private: true},
		{Giver: carol, Receivers: []string{bob}, Text: "unrelated", At: at(5)},
	}
	for _, k := range kudos {
		if _, _, err := db.GiveKudos(k, Allowance{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	addF := must[Followup](t)
	addF(db.AddFollowup(Followup{Owner: alice, Counterpart: bob, Text: "send bob the doc", Due: forgetNow.Add(time.Hour)}, nil))
	addF(db.AddFollowup(Followup{Owner: bob, Counterpart: alice, Text: "call alice", Due: forgetNow.Add(2 * time.Hour)}, nil))
	addF(db.AddFollowup(Followup{Owner: bob, Counterpart: carol, Text: "ask <@UALICE0001> about it", Note: "n", Due: forgetNow.Add(3 * time.Hour)}, nil))
	addF(db.AddFollowup(Followup{Owner: carol, Text: "plain", Due: forgetNow.Add(4 * time.Hour)}, nil))
	for _, u := range []string{alice, bob, carol} {
		_, _, err := db.UpdateCoffeeMember(u, func(m *CoffeeMember) error {
			if u == bob {
				m.Never = []string{alice, carol}
			}
			if u == carol {
				m.Never = []string{alice}
			}
			return nil
		}, Effects{})
		if err != nil {
			t.Fatal(err)
		}
	}
	r1, _, err := db.CreateRound(Round{At: at(100), Groups: []CoffeeGroup{
		{Members: []string{alice, bob}, Icebreaker: 1},
		{Members: []string{carol}, Icebreaker: -1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateRoundGroup(r1.ID, 0, func(g *CoffeeGroup) error {
		g.Answers = map[string]CoffeeAnswer{alice: AnswerYes, bob: AnswerYes}
		g.Channel = "G1"
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateRound(Round{At: at(50), Groups: []CoffeeGroup{{Members: []string{bob, carol}, Icebreaker: 0}},
		SitOut: []SitOut{{User: alice, Reason: SitOutAlone}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateRound(Round{At: at(20), Groups: []CoffeeGroup{{Members: []string{alice}, Icebreaker: -1}, {Members: []string{bob, carol}, Icebreaker: 2}}}); err != nil {
		t.Fatal(err)
	}
	addC := must[Checkin](t)
	addC(db.AddCheckin(Checkin{User: alice, With: bob, Note: "alice's note on bob", At: at(3)}, nil))
	addC(db.AddCheckin(Checkin{User: bob, With: alice, Note: "bob's private note on alice", At: at(2)}, nil))
	addC(db.AddCheckin(Checkin{User: bob, With: carol, Note: "met UALICE0001 too", At: at(1)}, nil))
	addC(db.AddCheckin(Checkin{User: carol, With: bob, Note: "fine", At: at(1)}, nil))
	for _, u := range []string{alice, bob} {
		if _, err := db.UpdatePerson(u, func(p *Person) {
			p.Name, p.TZ, p.Muted, p.Style = "name of "+u, "Europe/Paris", []DMKind{"coffee"}, "brief"
			p.WorkStart, p.WorkEnd, p.WorkDays = 9*time.Hour, 17*time.Hour, []time.Weekday{1, 2, 3}
		}, Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []Outgoing{
		{Key: "dm:" + alice, User: alice, Kind: "kudos", Text: "hi"},
		{Key: "post:1", Channel: "C1", Text: "kudos to <@UALICE0001>"},
		{Key: "post:2", Channel: "C1", Text: "see blocks", Blocks: json.RawMessage(`[{"type":"section","text":{"type":"mrkdwn","text":"<@UALICE0001>"}}]`)},
		{Key: "dm:" + bob, User: bob, Kind: "kudos", Text: "hi bob"},
	} {
		if _, _, err := db.Enqueue(o); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ClaimEvent("Ev0001", forgetNow); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]string{{alice, bob}, {carol, alice}, {bob, carol}} {
		if err := db.RecordInTouch(p[0], p[1], at(4), InTouchCoffee); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UpdateCircleEntry(carol, bob, func(c *CircleEntry) error { c.CadenceDays = 14; return nil }, Effects{}); err != nil {
		t.Fatal(err)
	}
}

// userExportOf decodes db.UserExport of user.
func userExportOf(t *testing.T, db *DB, user string) (map[string]json.RawMessage, UserDataCounts, []byte) {
	t.Helper()
	var buf bytes.Buffer
	n, err := db.UserExport(&buf, user, forgetNow)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("user export is not JSON: %v\n%s", err, buf.Bytes())
	}
	return doc, n, buf.Bytes()
}

// records splits a JSON list into its elements' compact JSON.
func records(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range list {
		var buf bytes.Buffer
		if err := json.Compact(&buf, r); err != nil {
			t.Fatal(err)
		}
		out = append(out, buf.String())
	}
	return out
}

// bobLists is every record list of bob's export, by name.
func bobLists(t *testing.T, doc map[string]json.RawMessage) map[string][]string {
	t.Helper()
	var coffee map[string]json.RawMessage
	if err := json.Unmarshal(doc["coffee"], &coffee); err != nil {
		t.Fatal(err)
	}
	return map[string][]string{
		"kudos": records(t, doc["kudos"]), "followups": records(t, doc["followups"]),
		"checkins": records(t, doc["checkins"]), "members": records(t, coffee["members"]),
		"rounds": records(t, coffee["rounds"]),
	}
}

func TestForgetUser(t *testing.T) {
	db := openForgetDB(t)
	fillForget(t, db)
	bobBefore, _, _ := userExportOf(t, db, bob)

	st, err := db.ForgetUser(alice, forgetNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := ForgetStats{Followups: 2, Checkins: 2, KudosAnonymised: 4, KudosDeleted: 1, RoundsEdited: 3, Outgoing: 3, CircleEntries: 4, Member: true, Person: true, Affected: []string{bob, carol}}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	if hits := ScanAllForTest(t, db, []byte(alice)); len(hits) > 0 {
		t.Errorf("the ID is still stored:\n%s", strings.Join(hits, "\n"))
	}
	// Contacts between others stay, settings and all.
	if c, err := db.CircleEntry(carol, bob); err != nil || c.CadenceDays != 14 {
		t.Errorf("Contact(carol, bob) after forgetting alice = %+v, %v", c, err)
	}
	if circle, err := db.Circle(bob); err != nil || len(circle) != 1 || circle[0].Other != carol {
		t.Errorf("Circle(bob) after forgetting alice = %+v, %v, want carol only", circle, err)
	}

	// Kudos from alice stay with bob, from nobody.
	got, err := db.KudosReceived(bob, 0)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, k := range got {
		texts = append(texts, k.Giver+"|"+strings.Join(k.Receivers, ",")+"|"+k.Text)
	}
	slices.Sort(texts)
	wantTexts := []string{
		"" + "|" + bob + "|thanks for the review",
		"" + "|" + bob + "," + carol + "|great launch",
		carol + "|" + bob + "|unrelated",
		carol + "|" + bob + "|you two, a former teammate and <@UBOB000002>",
	}
	slices.Sort(wantTexts)
	if !slices.Equal(texts, wantTexts) {
		t.Errorf("bob's kudos:\n%q\nwant\n%q", texts, wantTexts)
	}
	if n, err := db.KudosGivenCount("", time.Time{}, forgetNow.Add(time.Hour)); err != nil || n != 3 {
		t.Errorf("kudos by former teammates = %d, %v; want 3 recipients", n, err)
	}
	if _, err := db.KudosReceived(alice, 0); err != nil {
		t.Fatal(err)
	}

	// Rounds: alice gone from groups, answers and sit-outs; a group of one stays.
	rounds, err := db.Rounds()
	if err != nil {
		t.Fatal(err)
	}
	if g := rounds[0].Groups[0]; !slices.Equal(g.Members, []string{bob}) || len(g.Answers) != 1 || g.Channel != "G1" {
		t.Errorf("round 1 group 0 = %+v", g)
	}
	if len(rounds[1].SitOut) != 0 || len(rounds[2].Groups) != 1 {
		t.Errorf("rounds 2 and 3 = %+v, %+v", rounds[1], rounds[2])
	}
	m, err := db.CoffeeMember(bob)
	if err != nil || !slices.Equal(m.Never, []string{carol}) {
		t.Errorf("bob's never list = %v, %v", m.Never, err)
	}
	if _, err := db.Person(alice); err == nil {
		t.Error("alice's person record survived")
	}
	if _, err := db.OutgoingByKey("dm:" + bob); err != nil {
		t.Errorf("bob's DM: %v", err)
	}

	// Bob's export: records that never involved alice are unchanged.
	bobAfter, _, _ := userExportOf(t, db, bob)
	before, after := bobLists(t, bobBefore), bobLists(t, bobAfter)
	for name, list := range before {
		for _, rec := range list {
			if !strings.Contains(rec, alice) && !slices.Contains(after[name], rec) {
				t.Errorf("bob's %s record changed or lost: %s", name, rec)
			}
		}
	}
	if len(after["followups"]) != 1 || len(after["checkins"]) != 2 || len(after["rounds"]) != 3 {
		t.Errorf("bob's export after: %v", after)
	}
	if !bytes.Equal(bobAfter["person"], bobBefore["person"]) {
		t.Errorf("bob's person changed: %s", bobAfter["person"])
	}

	// Forgetting again finds nothing; bad IDs are refused.
	if st, err := db.ForgetUser(alice, forgetNow, nil); err != nil || !reflect.DeepEqual(st, ForgetStats{}) {
		t.Errorf("second forget = %+v, %v", st, err)
	}
	if _, err := db.ForgetUser("", forgetNow, nil); err == nil {
		t.Error("ForgetUser(\"\") succeeded")
	}

	// The file itself: bbolt does not wipe the pages a transaction frees,
	// and Backup copies them too, so compact a Backup copy (live data
	// only) and read its raw bytes.
	var buf bytes.Buffer
	if _, err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyPath, compactPath := filepath.Join(dir, "copy.db"), filepath.Join(dir, "compact.db")
	if err := os.WriteFile(copyPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := bolt.Open(copyPath, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	dst, err := bolt.Open(compactPath, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bolt.Compact(dst, src, 0); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(src.Close(), dst.Close()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(compactPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(alice)) {
		t.Error("the compacted backup still contains the ID")
	}
	cp, err := Open(compactPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if err := cp.Check(); err != nil {
		t.Fatal(err)
	}
	if hits := ScanAllForTest(t, cp, []byte(alice)); len(hits) > 0 {
		t.Errorf("the copy names the ID: %v", hits)
	}
}

func TestForgetUserWholeWord(t *testing.T) {
	db := openForgetDB(t)
	if _, err := db.AddKudos(Kudos{Giver: "U12", Receivers: []string{"U1", "U123"}, Text: "<@U1> <@U123> U1, U12"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ForgetUser("U1", forgetNow, nil); err != nil {
		t.Fatal(err)
	}
	got := must[[]Kudos](t)(db.KudosReceived("U123", 0))
	if len(got) != 1 || got[0].Giver != "U12" || got[0].Text != "a former teammate <@U123> a former teammate, U12" {
		t.Errorf("kudos = %+v", got)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestScrubUser(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"hi <@UA1>!":             "hi a former teammate!",
		"<@UA1|ann> and <@UA12>": "a former teammate and <@UA12>",
		"UA1UA1 UA1":             "UA1UA1 a former teammate",
		"<@UA1":                  "<@a former teammate",
		"x\\u003c@UA1\\u003e":    "x\\u003c@a former teammate\\u003e",
		"(UA1)":                  "(a former teammate)",
	} {
		if got := scrubUser(in, "UA1"); got != want {
			t.Errorf("scrubUser(%q) = %q, want %q", in, got, want)
		}
	}
}

// RawKeysForTest returns the keys of one bucket of an open store, on
// either engine. (For store_test.)
func RawKeysForTest(t testing.TB, db *DB, bucket string) [][]byte {
	t.Helper()
	var keys [][]byte
	err := db.view(func(tx kvTx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			t.Fatalf("no bucket %q", bucket)
		}
		return b.ForEach(func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// SetEtcdTimeoutForTest sets how long one etcd request of db may take.
func SetEtcdTimeoutForTest(db *DB, d time.Duration) { db.etcd.timeout = d }

// EtcdRetriesForTest is how many etcd commits of db ran again.
func EtcdRetriesForTest(db *DB) int64 { return db.etcd.retries.Load() }

// MarkCountedForTest stages a close of round cut short after its first n
// members (in key order) were counted: each gets its miss and the mark.
func MarkCountedForTest(t testing.TB, db *DB, round uint64, n int) {
	t.Helper()
	err := db.updateInSteps(func(tx kvTx) error {
		b := tx.Bucket(bucketCoffeeMembers)
		c := b.Cursor()
		i := 0
		var keys [][]byte
		for k, _ := c.First(); k != nil && i < n; k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
			i++
		}
		for _, k := range keys {
			rec, _, err := getCoffeeMemberRecord(b, string(k))
			if err != nil {
				return err
			}
			if rec.ClosedRound == round {
				continue // a later pass: already staged
			}
			rec.Misses++
			rec.ClosedRound = round
			if err := putValue(b, k, rec); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
}

// ExpireTermForTest ends term as a lease expiry would, on etcd's side,
// without telling the process: its leader key is deleted.
func ExpireTermForTest(t testing.TB, term *Term) {
	t.Helper()
	if _, err := term.db.etcd.cli.Revoke(context.Background(), term.session.Lease()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-term.Lost():
	case <-time.After(5 * time.Second):
		t.Fatal("the process never noticed its term ended")
	}
}

// RestoreFenceForTest puts back term's fence, as a process that has not
// yet noticed its term ended still has it.
func RestoreFenceForTest(db *DB, term *Term) {
	db.etcd.fence.set(term.key, term.epoch)
}

// Ensure forgetting the author of a reacted message takes the reaction out
// of the reactor's record (it names the author), keeps the reactor's other
// reactions, and leaves no trace of the author.
func TestForgetUserTakesOutReactionsToThem(t *testing.T) {
	db := openForgetDB(t)
	at := forgetNow.Add(-time.Hour)
	if _, err := db.UpdatePerson("U2", func(p *Person) {
		p.ReactionKudos = []ReactionKudos{
			{Channel: "C1", TS: "1700000000.000100", Author: "U1", Link: "https://x.slack.com/archives/C1/p1700000000000100", State: "asked", At: at},
			{Channel: "C1", TS: "1700000000.000200", Author: "U3", State: "sent", At: at, KudosID: 7},
		}
	}, Effects{}); err != nil {
		t.Fatal(err)
	}
	st, err := db.ForgetUser("U1", forgetNow, nil)
	if err != nil {
		t.Fatalf("forget the author of a reacted message: %v", err)
	}
	p := must[Person](t)(db.Person("U2"))
	if len(p.ReactionKudos) != 1 || p.ReactionKudos[0].Author != "U3" {
		t.Errorf("U2's reactions after U1 is forgotten = %+v, want only the one to U3", p.ReactionKudos)
	}
	if !slices.Contains(st.Affected, "U2") {
		t.Errorf("affected = %v, want U2 (their record changed)", st.Affected)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}
