package store

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestUserExport(t *testing.T) {
	db := openForgetDB(t)
	fillForget(t, db)
	doc, n, raw := userExportOf(t, db, alice)

	want := UserDataCounts{KudosGiven: 2, KudosReceived: 2, Followups: 1, OwedToThem: 1, Rounds: 3, Checkins: 2, CircleEntries: 2, Member: true}
	if n != want {
		t.Errorf("counts = %+v, want %+v", n, want)
	}
	if string(doc["format"]) != `"rapport-export"` || string(doc["version"]) != "2" || string(doc["user"]) != `"`+alice+`"` {
		t.Errorf("header: %s %s %s", doc["format"], doc["version"], doc["user"])
	}
	lists := bobLists(t, doc)
	for name, list := range lists {
		for _, rec := range list {
			if !strings.Contains(rec, alice) {
				t.Errorf("%s record without alice: %s", name, rec)
			}
		}
	}
	for name, l := range map[string]int{"kudos": 4, "followups": 2, "checkins": 2, "members": 1, "rounds": 3} {
		if len(lists[name]) != l {
			t.Errorf("%d %s, want %d: %v", len(lists[name]), name, l, lists[name])
		}
	}
	// Other people's notes about alice and other people's pairings stay out.
	for _, secret := range []string{"bob's private note on alice", "met UALICE0001 too", "unrelated", `"` + carol + `"]]`} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("export contains %q", secret)
		}
	}
	if !strings.Contains(string(raw), "alice's note on bob") || !strings.Contains(string(raw), "<@UALICE0001|alice>") {
		t.Error("alice's own note or a kudos to her is missing")
	}
	var p wirePerson
	if err := json.Unmarshal(doc["person"], &p); err != nil {
		t.Fatal(err)
	}
	if p.User != alice || p.Style != "brief" || p.WorkDays[0] != "Mon" || p.Muted[0] != "coffee" {
		t.Errorf("person = %+v", p)
	}

	// A stranger: an empty but valid document.
	doc, n, _ = userExportOf(t, db, "UNOBODY")
	if n != (UserDataCounts{}) || string(doc["person"]) != "null" || string(doc["kudos"]) != "[]" {
		t.Errorf("stranger: %+v %s %s", n, doc["person"], doc["kudos"])
	}
	if _, err := db.UserExport(new(strings.Builder), "", forgetNow); err == nil {
		t.Error("UserExport of \"\" succeeded")
	}
}
