package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"pgregory.net/rapid"

	"github.com/rapport-bot/rapport/store"
)

// homeNow is Friday 27 November 2026, 09:15 in Berlin.
var (
	homeBerlin = time.FixedZone("CET", 3600)
	homeNow    = time.Date(2026, 11, 27, 9, 15, 0, 0, homeBerlin)
)

func homeNewUser() homeView {
	v := homeView{User: "U01NEW", Now: homeNow, Loc: homeBerlin}
	v.Coffee.NextRound = time.Date(2026, 11, 30, 10, 0, 0, 0, homeBerlin)
	return v
}

func homeTypicalUser() homeView {
	v := homeView{
		User: "U01MAYA", Now: homeNow, Loc: homeBerlin,
		Mine: []homeFollowup{
			{ID: 41, Text: "send the Q4 deck", Counterpart: "U02ALEX", Owner: "U01MAYA", Due: homeNow.Add(-26 * time.Hour), Overdue: true},
			{ID: 45, Text: "book the venue for the offsite &amp; share options", Owner: "U01MAYA", Due: homeNow.Add(8 * time.Hour)},
			{ID: 47, Text: "review <https://github.com/acme/api/pull/12|the API PR>", Counterpart: "U03BEA", Owner: "U01MAYA", Due: homeNow.Add(72 * time.Hour)},
		},
		OwedToMe: []homeFollowup{
			{ID: 39, Text: "share the interview notes", Counterpart: "U01MAYA", Owner: "U04CHEN", Due: homeNow.Add(-3 * time.Hour), Overdue: true},
			{ID: 44, Text: "intro me to the data team", Counterpart: "U01MAYA", Owner: "U05DANA", Due: homeNow.Add(48 * time.Hour)},
		},
		KudosMonth: 4,
		KudosLatest: []kudosPost{
			{Giver: "U02ALEX", Receivers: []string{"U01MAYA"}, Reason: "for pairing with me on the flaky login test &amp; finding the race in 20 minutes", At: homeNow.Add(-24 * time.Hour)},
			{Giver: "U05DANA", Receivers: []string{"U01MAYA"}, Reason: "for listening yesterday when I needed it.", Private: true, At: homeNow.Add(-72 * time.Hour)},
			{Giver: "U03BEA", Receivers: []string{"U01MAYA", "U02ALEX"}, Reason: strings.Repeat("Rewrote the onboarding guide so new people ship on day one. ", 5), At: homeNow.Add(-9 * 24 * time.Hour)},
		},
		Reconnect: []homeReconnect{
			{User: "U06EVE", LastInTouch: homeNow.Add(-45 * 24 * time.Hour), Days: 30},
			{User: "U07FINN", Days: 14},
		},
	}
	v.Coffee.Enrolled = true
	v.Coffee.NextRound = time.Date(2026, 11, 30, 10, 0, 0, 0, homeBerlin)
	v.OnTime.Kept, v.OnTime.Late, v.OnTime.Dropped = 8, 1, 1
	v.Celebrations = []homeCelebration{
		{celebration: homeCelebrationOn("U02ALEX", celebrateBirthday, 0, 0), OnTheDay: true},
		{celebration: homeCelebrationOn("U06EVE", celebrateAnniversary, 5, 3)},
	}
	v.Own = []homeCelebration{{celebration: homeCelebrationOn("U01MAYA", celebrateBirthday, 9, 0)}}
	v.OwnVisibility, v.CelebrationsHub = store.VisibilityPublic, "C0CELEB"
	return v
}

// homeCelebrationOn is user's celebration of kind days after homeNow's
// date in Berlin (years: an anniversary's count).
func homeCelebrationOn(user string, kind celebrationKind, days, years int) celebration {
	d := homeNow.In(homeBerlin).AddDate(0, 0, days)
	return celebration{User: user, Kind: kind, Year: d.Year(), Month: d.Month(), Day: d.Day(),
		Start: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, homeBerlin), Years: years}
}

// homeHeavyUser has far more than fits: 200 open follow-ups, 100 owed,
// 50 reconnects, long texts and attempted mass mentions.
func homeHeavyUser() homeView {
	v := homeView{User: "U01BUSY", Now: homeNow, Loc: homeBerlin, KudosMonth: 57}
	long := strings.Repeat("follow up on the migration plan with every stakeholder ", 40)
	for i := range 200 {
		v.Mine = append(v.Mine, homeFollowup{
			ID: uint64(1000 + i), Text: fmt.Sprintf("<!here> item %d: %s", i, long), Counterpart: fmt.Sprintf("U%04dC", i),
			Owner: "U01BUSY", Due: homeNow.Add(time.Duration(i-100) * time.Hour), Overdue: i < 100,
		})
	}
	for i := range 100 {
		v.OwedToMe = append(v.OwedToMe, homeFollowup{
			ID: uint64(5000 + i), Text: "<!channel> " + long, Counterpart: "U01BUSY", Owner: fmt.Sprintf("U%04dO", i),
			Due: homeNow.Add(time.Duration(i) * time.Hour), Overdue: i%3 == 0,
		})
	}
	for i := range 20 {
		v.KudosLatest = append(v.KudosLatest, kudosPost{Giver: fmt.Sprintf("U%04dG", i), Receivers: []string{"U01BUSY"},
			Reason: "<!everyone> " + long, At: homeNow.Add(-time.Duration(i) * time.Hour)})
	}
	for i := range 50 {
		v.Reconnect = append(v.Reconnect, homeReconnect{User: fmt.Sprintf("U%04dR", i), LastInTouch: homeNow.Add(-time.Duration(30+i) * 24 * time.Hour), Days: 21})
	}
	v.Coffee.Enrolled = true
	v.Coffee.PausedUntil = homeNow.Add(14 * 24 * time.Hour)
	v.Coffee.NextRound = homeNow.Add(3 * 24 * time.Hour)
	v.OnTime.Kept, v.OnTime.Late, v.OnTime.Dropped = 120, 30, 10
	for i := range 25 {
		v.Celebrations = append(v.Celebrations, homeCelebration{
			celebration: homeCelebrationOn(fmt.Sprintf("U%04dB", i), celebrateAnniversary, i%14, 30), OnTheDay: i%14 == 0})
	}
	v.Own = []homeCelebration{
		{celebration: homeCelebrationOn("U01BUSY", celebrateBirthday, 1, 0)},
		{celebration: homeCelebrationOn("U01BUSY", celebrateAnniversary, 2, 12)},
	}
	v.OwnVisibility = store.VisibilityNone
	return v
}

func homeSettingsExample() settingsView {
	return settingsView{
		WorkStart: 8*time.Hour + 30*time.Minute, WorkEnd: 17 * time.Hour,
		WorkDays:   []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday},
		TZOverride: "Europe/Berlin",
		Muted:      []store.DMKind{store.DMDigest, store.DMNudges},
		Style:      "Async first; I answer DMs after lunch.",
		Birthday:   store.MonthDay{Month: time.March, Day: 14},
		Started:    store.Date{Year: 2021, Month: time.June, Day: 1},
		Visibility: store.VisibilityPublic,
		PublicOK:   true,
	}
}

func checkHomeGolden(t *testing.T, name string, v any) { checkGolden(t, "home_"+name, v) }

// TestHomeGolden compares the Home tab and settings modal with
// testdata/home_*.golden.json.
func TestHomeGolden(t *testing.T) {
	checkHomeGolden(t, "new_user", renderHome(homeNewUser()))
	checkHomeGolden(t, "typical_user", renderHome(homeTypicalUser()))
	checkHomeGolden(t, "heavy_user", renderHome(homeHeavyUser()))
	checkHomeGolden(t, "settings_modal", renderSettingsModal(homeSettingsExample()))
}

// homeCheckView checks a rendered view against Slack's limits and Rapport's
// rules, and returns its decoded blocks.
func homeCheckView(t interface {
	Helper()
	Errorf(string, ...any)
	Fatalf(string, ...any)
}, v any) []map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if len(raw) > 250*1024 {
		t.Errorf("view is %d bytes, over Slack's 250 KB", len(raw))
	}
	for _, bad := range []string{"<!here", "<!channel", "<!everyone", "<!subteam"} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("view contains a live mass mention %q", bad)
		}
	}
	var view struct {
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if n := len(view.Blocks); n == 0 || n > 100 {
		t.Errorf("view has %d blocks, want 1–100", n)
	}
	blockIDs := map[string]bool{}
	for i, b := range view.Blocks {
		if id, _ := b["block_id"].(string); id != "" {
			if blockIDs[id] {
				t.Errorf("block %d: duplicate block_id %q", i, id)
			}
			blockIDs[id] = true
		}
		actions := map[string]bool{}
		homeWalk(b, func(m map[string]any) {
			if id, ok := m["action_id"].(string); ok {
				if actions[id] {
					t.Errorf("block %d: duplicate action_id %q", i, id)
				}
				actions[id] = true
				if len(id) > 255 {
					t.Errorf("block %d: action_id longer than 255", i)
				}
			}
			if m["type"] == "button" {
				txt, _ := m["text"].(map[string]any)
				s, _ := txt["text"].(string)
				if n := utf8.RuneCountInString(s); n == 0 || n > 75 {
					t.Errorf("block %d: button text %q has %d characters, want 1–75", i, s, n)
				}
				if val, _ := m["value"].(string); len(val) > 2000 {
					t.Errorf("block %d: button value longer than 2000", i)
				}
			}
		})
		if b["type"] == "section" {
			txt, _ := b["text"].(map[string]any)
			s, _ := txt["text"].(string)
			if n := utf8.RuneCountInString(s); n == 0 || n > 3000 {
				t.Errorf("block %d: section text has %d characters, want 1–3000", i, n)
			}
		}
		if b["type"] == "context" {
			if els, _ := b["elements"].([]any); len(els) == 0 || len(els) > 10 {
				t.Errorf("block %d: context has %d elements", i, len(els))
			}
		}
	}
	return view.Blocks
}

func homeWalk(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(x)
		for _, c := range x {
			homeWalk(c, f)
		}
	case []any:
		for _, c := range x {
			homeWalk(c, f)
		}
	}
}

// homeButtons lists the action_id and value of every button, in order.
func homeButtons(blocks []map[string]any) (ids, values []string) {
	for _, b := range blocks {
		homeWalk(b, func(m map[string]any) {
			if m["type"] == "button" {
				id, _ := m["action_id"].(string)
				val, _ := m["value"].(string)
				ids = append(ids, id)
				values = append(values, val)
			}
		})
	}
	return ids, values
}

func homeCount(ids []string, id string) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

func TestHomeLimits(t *testing.T) {
	for name, v := range map[string]homeView{"new": homeNewUser(), "typical": homeTypicalUser(), "heavy": homeHeavyUser()} {
		t.Run(name, func(t *testing.T) {
			view := renderHome(v)
			if view.Type != slack.VTHomeTab || view.CallbackID != "home" {
				t.Errorf("type %q callback %q, want home/home", view.Type, view.CallbackID)
			}
			homeCheckView(t, view)
		})
	}
}

// TestHomeHeavyUserCapped: a very busy person's Home shows ten of each list,
// says how many more there are, and stays far inside the limits.
func TestHomeHeavyUserCapped(t *testing.T) {
	v := homeHeavyUser()
	view := renderHome(v)
	blocks := homeCheckView(t, view)
	if n := len(view.Blocks.BlockSet); n > 60 {
		t.Errorf("heavy Home has %d blocks; want ≤ 60 to leave room under Slack's 100", n)
	}
	raw, _ := json.Marshal(view)
	if len(raw) > 100*1024 {
		t.Errorf("heavy Home is %d bytes; want ≤ 100 KB", len(raw))
	}
	ids, values := homeButtons(blocks)
	if got := homeCount(ids, followupDoneAction); got != homeListMax {
		t.Errorf("%d Done buttons, want %d", got, homeListMax)
	}
	if got := homeCount(ids, followupSnoozeAction); got != homeListMax {
		t.Errorf("%d Snooze buttons, want %d", got, homeListMax)
	}
	if got := homeCount(ids, reconnectDoneAction); got != homeListMax {
		t.Errorf("%d reconnect buttons, want %d", got, homeListMax)
	}
	if homeCount(ids, homeCoffeeResumeAct) != 1 || homeCount(ids, homeSettingsAction) != 1 {
		t.Errorf("want one Resume coffee and one Settings button, got %v", ids)
	}
	if values[0] != "1000" || values[1] != "1000:tomorrow" {
		t.Errorf("first follow-up buttons carry %q, %q; want 1000, 1000:tomorrow", values[0], values[1])
	}
	s := string(kudosPretty(t, view))
	for _, want := range []string{"…and 190 more — `/followup list`", "…and 90 more — `/followup list`", "…and 40 more", "120 of 160 kept on time"} {
		if !strings.Contains(s, want) {
			t.Errorf("heavy Home lacks %q", want)
		}
	}
	if got := homeCount(ids, congratulateAction); got != 1 {
		t.Errorf("%d Congratulate buttons, want 1 (the one day that has begun among the ten shown)", got)
	}
	if got := strings.Count(s, "B> · 30 years at the company · "); got != homeListMax {
		t.Errorf("%d celebrations shown, want %d", got, homeListMax)
	}
	if !strings.Contains(s, "…and 15 more in the next two weeks.") {
		t.Error("heavy Home does not say how many more celebrations")
	}
	if got := strings.Count(s, "• <@U"); got != homeListMax+homeKudosMax {
		t.Errorf("%d bulleted lines (owed + kudos), want %d", got, homeListMax+homeKudosMax)
	}
}

// TestHomeNewUser: a brand-new person sees every section with an invitation
// to start, a Join coffee button, and no follow-through score.
func TestHomeNewUser(t *testing.T) {
	view := renderHome(homeNewUser())
	blocks := homeCheckView(t, view)
	ids, _ := homeButtons(blocks)
	if want := []string{homeCoffeeJoinAct, homeSettingsAction}; strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("buttons %v, want %v", ids, want)
	}
	raw, _ := json.Marshal(view)
	s := string(raw)
	for _, want := range []string{"/followup @maya", "/kudos", "Join coffee", "People to reconnect with", "/rapport help"} {
		if !strings.Contains(s, want) {
			t.Errorf("new user's Home lacks %q", want)
		}
	}
	if strings.Contains(s, "follow-through") || strings.Contains(s, "kept on time") {
		t.Errorf("new user's Home shows a follow-through rate without data")
	}
}

// TestHomeCoffeeButton: exactly one coffee button, the one that fits.
func TestHomeCoffeeButton(t *testing.T) {
	cases := []struct {
		name             string
		enrolled, paused bool
		want             string
	}{
		{"not in", false, false, homeCoffeeJoinAct},
		{"in", true, false, homeCoffeePauseAct},
		{"paused", true, true, homeCoffeeResumeAct},
	}
	for _, c := range cases {
		v := homeNewUser()
		v.Coffee.Enrolled = c.enrolled
		if c.paused {
			v.Coffee.PausedUntil = homeNow.Add(7 * 24 * time.Hour)
		}
		ids, _ := homeButtons(homeCheckView(t, renderHome(v)))
		n := homeCount(ids, homeCoffeeJoinAct) + homeCount(ids, homeCoffeePauseAct) + homeCount(ids, homeCoffeeResumeAct)
		if n != 1 || homeCount(ids, c.want) != 1 {
			t.Errorf("%s: buttons %v, want one %s", c.name, ids, c.want)
		}
	}
	// A pause that has ended counts as in.
	v := homeNewUser()
	v.Coffee.Enrolled = true
	v.Coffee.PausedUntil = homeNow.Add(-time.Hour)
	if ids, _ := homeButtons(homeCheckView(t, renderHome(v))); homeCount(ids, homeCoffeePauseAct) != 1 {
		t.Errorf("expired pause: buttons %v, want Pause coffee", ids)
	}
}

func TestHomeFollowThroughKind(t *testing.T) {
	if homeFollowThrough(0, 0, 0) != "" {
		t.Error("follow-through shown without data")
	}
	got := homeFollowThrough(8, 1, 1)
	if !strings.Contains(got, "8 of 10 kept on time") {
		t.Errorf("got %q, want it to say 8 of 10 kept on time", got)
	}
	for _, harsh := range []string{"fail", "broke", "bad", "poor", "only"} {
		if strings.Contains(strings.ToLower(homeFollowThrough(1, 4, 5)), harsh) {
			t.Errorf("follow-through wording %q is not kind", harsh)
		}
	}
}

// TestHomeProperties renders random Homes and checks Slack's limits and the
// caps on every list.
func TestHomeProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		text := rapid.StringMatching(`(<!here>|<!channel>|<!everyone>|<@U1>|&amp;|[a-z ]{0,10}|\n|é|🙂){0,60}`)
		fu := func(n int) []homeFollowup {
			var fs []homeFollowup
			for i := range n {
				fs = append(fs, homeFollowup{
					ID: rapid.Uint64().Draw(rt, "id"), Text: text.Draw(rt, "text"),
					Counterpart: rapid.SampledFrom([]string{"", "U2", "U3<>|"}).Draw(rt, "cp"),
					Owner:       "U9", Due: homeNow.Add(time.Duration(i) * time.Hour), Overdue: rapid.Bool().Draw(rt, "od"),
				})
			}
			return fs
		}
		v := homeView{User: "U1", Now: homeNow, Loc: nil, KudosMonth: rapid.IntRange(-1, 500).Draw(rt, "km")}
		v.Mine = fu(rapid.IntRange(0, 300).Draw(rt, "mine"))
		v.OwedToMe = fu(rapid.IntRange(0, 150).Draw(rt, "owed"))
		for range rapid.IntRange(0, 30).Draw(rt, "kudos") {
			v.KudosLatest = append(v.KudosLatest, kudosPost{Giver: "U5", Reason: text.Draw(rt, "reason"), At: homeNow})
		}
		for range rapid.IntRange(0, 80).Draw(rt, "reconnect") {
			v.Reconnect = append(v.Reconnect, homeReconnect{User: "U6", Days: rapid.IntRange(0, 90).Draw(rt, "days")})
		}
		v.Coffee.Enrolled = rapid.Bool().Draw(rt, "enrolled")
		v.OnTime.Kept = rapid.IntRange(0, 50).Draw(rt, "kept")
		v.OnTime.Late = rapid.IntRange(0, 50).Draw(rt, "late")
		blocks := homeCheckView(rt, renderHome(v))
		ids, _ := homeButtons(blocks)
		if got, want := homeCount(ids, followupDoneAction), min(len(v.Mine), homeListMax); got != want {
			rt.Fatalf("%d Done buttons for %d follow-ups, want %d", got, len(v.Mine), want)
		}
		if got, want := homeCount(ids, reconnectDoneAction), min(len(v.Reconnect), homeListMax); got != want {
			rt.Fatalf("%d reconnect buttons for %d people, want %d", got, len(v.Reconnect), want)
		}
	})
}

func TestSettingsModal(t *testing.T) {
	m := renderSettingsModal(homeSettingsExample())
	if m.Type != slack.VTModal || m.CallbackID != "settings_modal" {
		t.Errorf("type %q callback %q", m.Type, m.CallbackID)
	}
	for _, o := range []*slack.TextBlockObject{m.Title, m.Submit, m.Close} {
		if o == nil || utf8.RuneCountInString(o.Text) > 24 {
			t.Errorf("title/submit/close %v missing or over 24 characters", o)
		}
	}
	homeCheckView(t, m)

	inputs := map[string]*slack.InputBlock{}
	for _, b := range m.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			inputs[in.BlockID] = in
		}
	}
	want := map[string]string{
		"settings_start": "start", "settings_end": "end", "settings_days": "days",
		"settings_tz": "tz", "settings_dms": "dms", "settings_style": "style",
	}
	for bid, aid := range want {
		in := inputs[bid]
		if in == nil {
			t.Errorf("no input block %q", bid)
			continue
		}
		raw, _ := json.Marshal(in.Element)
		if !strings.Contains(string(raw), `"action_id":"`+aid+`"`) {
			t.Errorf("%s: element %s lacks action_id %q", bid, raw, aid)
		}
	}
	if !inputs["settings_tz"].Optional || !inputs["settings_style"].Optional || !inputs["settings_dms"].Optional {
		t.Error("time zone, DMs and work style must be optional")
	}

	start := inputs["settings_start"].Element.(*slack.SelectBlockElement)
	if len(start.Options) != 48 || start.InitialOption == nil || start.InitialOption.Value != "08:30" {
		t.Errorf("start: %d options, initial %+v; want 48 and 08:30", len(start.Options), start.InitialOption)
	}
	if end := inputs["settings_end"].Element.(*slack.SelectBlockElement); end.InitialOption == nil || end.InitialOption.Value != "17:00" {
		t.Errorf("end initial %+v, want 17:00", end.InitialOption)
	}
	days := inputs["settings_days"].Element.(*slack.CheckboxGroupsBlockElement)
	if got := homeOptionValues(days.InitialOptions); got != "1,2,3,4" {
		t.Errorf("initial days %s, want 1,2,3,4", got)
	}
	if got := homeOptionValues(days.Options); got != "1,2,3,4,5,6,0" {
		t.Errorf("day values %s, want 1,2,3,4,5,6,0", got)
	}
	tz := inputs["settings_tz"].Element.(*slack.PlainTextInputBlockElement)
	if tz.InitialValue != "Europe/Berlin" || tz.Placeholder.Text != "e.g. Europe/Berlin — empty uses Slack's" {
		t.Errorf("tz %q placeholder %q", tz.InitialValue, tz.Placeholder.Text)
	}
	dms := inputs["settings_dms"].Element.(*slack.CheckboxGroupsBlockElement)
	if got := homeOptionValues(dms.Options); got != "kudos,reminders,nudges,heads_up,reconnect,digest,receipts,welcome,celebrations,reaction_prompts" {
		t.Errorf("DM kinds %s", got)
	}
	if got := homeOptionValues(dms.InitialOptions); got != "kudos,reminders,heads_up,reconnect,receipts,welcome,celebrations,reaction_prompts" {
		t.Errorf("checked DMs %s, want all but the muted nudges and digest", got)
	}
	style := inputs["settings_style"].Element.(*slack.PlainTextInputBlockElement)
	if !style.Multiline || style.MaxLength != 500 || style.InitialValue != "Async first; I answer DMs after lunch." {
		t.Errorf("style: multiline %v max %d initial %q", style.Multiline, style.MaxLength, style.InitialValue)
	}
	// Celebrations: the birthday as a month and a day (no year anywhere),
	// the start date, the visibility, each prefilled, and boxes to forget
	// each date.
	if in := inputs["settings_bday_month"]; in == nil || !in.Optional {
		t.Fatal("no optional birthday month")
	} else if sel := in.Element.(*slack.SelectBlockElement); len(sel.Options) != 12 || sel.InitialOption == nil || sel.InitialOption.Value != "3" || sel.ActionID != "bday_month" {
		t.Errorf("birthday month: %d options, initial %+v", len(sel.Options), sel.InitialOption)
	}
	if in := inputs["settings_bday_day"]; in == nil || !in.Optional {
		t.Fatal("no optional birthday day")
	} else if sel := in.Element.(*slack.SelectBlockElement); len(sel.Options) != 31 || sel.InitialOption == nil || sel.InitialOption.Value != "14" || sel.ActionID != "bday_day" {
		t.Errorf("birthday day: %d options, initial %+v", len(sel.Options), sel.InitialOption)
	}
	if in := inputs["settings_started"]; in == nil || !in.Optional {
		t.Fatal("no optional start date")
	} else if dp := in.Element.(*slack.DatePickerBlockElement); dp.InitialDate != "2021-06-01" || dp.ActionID != "started" {
		t.Errorf("start date: initial %q action %q", dp.InitialDate, dp.ActionID)
	}
	if in := inputs["settings_visibility"]; in == nil || !in.Optional {
		t.Fatal("no optional visibility")
	} else if rb := in.Element.(*slack.RadioButtonsBlockElement); homeOptionValues(rb.Options) != "public,private,none" || rb.InitialOption == nil || rb.InitialOption.Value != "public" {
		t.Errorf("visibility: options %s, initial %+v", homeOptionValues(rb.Options), rb.InitialOption)
	}
	if in := inputs["settings_forget"]; in == nil || !in.Optional {
		t.Fatal("no optional forget boxes")
	} else if got := homeOptionValues(in.Element.(*slack.CheckboxGroupsBlockElement).Options); got != "birthday,started" {
		t.Errorf("forget options %s, want birthday,started", got)
	}
	// Every DM kind the bot knows is offered.
	if len(store.DMKinds) != len(dmKinds) || len(store.DMKinds) != len(settingsDMHelp) {
		t.Errorf("store has %d DM kinds, dmKinds names %d, settingsDMHelp %d", len(store.DMKinds), len(dmKinds), len(settingsDMHelp))
	}
	for _, k := range store.DMKinds {
		if _, ok := dmKinds[k]; !ok {
			t.Errorf("DM kind %q not in dmKinds", k)
		}
		if _, ok := settingsDMHelp[k]; !ok {
			t.Errorf("DM kind %q not in settingsDMHelp", k)
		}
	}
}

// TestSettingsDefaults: an empty settingsView opens on 09:00–17:00, Monday to
// Friday, every DM on; odd hours snap to an offered half hour.
func TestSettingsDefaults(t *testing.T) {
	m := renderSettingsModal(settingsView{})
	homeCheckView(t, m)
	for _, b := range m.Blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch in.BlockID {
		case "settings_start", "settings_end":
			want := map[string]string{"settings_start": "09:00", "settings_end": "17:00"}[in.BlockID]
			if sel := in.Element.(*slack.SelectBlockElement); sel.InitialOption == nil || sel.InitialOption.Value != want {
				t.Errorf("%s: initial %+v, want %s", in.BlockID, sel.InitialOption, want)
			}
		case "settings_days":
			if got := homeOptionValues(in.Element.(*slack.CheckboxGroupsBlockElement).InitialOptions); got != "1,2,3,4,5" {
				t.Errorf("default days %s", got)
			}
		case "settings_dms":
			if got := len(in.Element.(*slack.CheckboxGroupsBlockElement).InitialOptions); got != len(store.DMKinds) {
				t.Errorf("%d DMs on by default, want all %d", got, len(store.DMKinds))
			}
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{-time.Hour, "00:00"}, {7*time.Hour + 45*time.Minute, "07:30"}, {24 * time.Hour, "23:30"}, {30 * time.Hour, "23:30"}} {
		sel := settingsHalfHourSelect("x", c.d)
		if sel.InitialOption == nil || sel.InitialOption.Value != c.want {
			t.Errorf("%v: initial %+v, want %s", c.d, sel.InitialOption, c.want)
		}
	}
	// Every offered value reads back as itself.
	for _, o := range settingsHalfHourSelect("x", 0).Options {
		d, ok := settingsParseHalfHour(o.Value)
		if !ok || settingsHalfHour(d) != o.Value {
			t.Errorf("value %q does not round-trip", o.Value)
		}
	}
	for _, bad := range []string{"", "9:00", "24:00", "08:15", "ab:cd", "-1:30"} {
		if _, ok := settingsParseHalfHour(bad); ok {
			t.Errorf("settingsParseHalfHour(%q) accepted", bad)
		}
	}
	// Celebrations: nothing chosen, nothing to forget, and public not
	// offered without a celebrations channel.
	for _, b := range m.Blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch in.BlockID {
		case "settings_bday_month", "settings_bday_day":
			if sel := in.Element.(*slack.SelectBlockElement); sel.InitialOption != nil {
				t.Errorf("%s: initial %+v, want none", in.BlockID, sel.InitialOption)
			}
		case "settings_started":
			if dp := in.Element.(*slack.DatePickerBlockElement); dp.InitialDate != "" {
				t.Errorf("start date initial %q, want none", dp.InitialDate)
			}
		case "settings_visibility":
			if rb := in.Element.(*slack.RadioButtonsBlockElement); rb.InitialOption != nil || homeOptionValues(rb.Options) != "private,none" {
				t.Errorf("visibility: options %s, initial %+v; want private,none and none chosen", homeOptionValues(rb.Options), rb.InitialOption)
			}
		case "settings_forget":
			t.Error("forget boxes shown with nothing to forget")
		}
	}
	// A long style note is cut to the input's maximum, so the modal still opens.
	long := renderSettingsModal(settingsView{Style: strings.Repeat("é", 900)})
	for _, b := range long.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID == "settings_style" {
			if n := utf8.RuneCountInString(in.Element.(*slack.PlainTextInputBlockElement).InitialValue); n != 500 {
				t.Errorf("style initial value has %d characters, want 500", n)
			}
		}
	}
}

func homeOptionValues(os []*slack.OptionBlockObject) string {
	var vs []string
	for _, o := range os {
		vs = append(vs, o.Value)
	}
	return strings.Join(vs, ",")
}
