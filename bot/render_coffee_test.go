package bot

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests use named zones; do not depend on the host's tzdata
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// coffeeAt is a fixed time for coffee tests: Tuesday 1 December 2026, 15:05
// UTC (16:05 in Berlin, 10:05 in New York).
var coffeeAt = time.Date(2026, 12, 1, 15, 5, 0, 0, time.UTC)

// The coffee examples below are the golden inputs.
var (
	coffeePair = coffeeIntro{
		RoundID: 42,
		Group:   3,
		People: []coffeePerson{
			{ID: "U01MAYA", Zone: "Europe/Berlin", Overlap: "Mon–Fri 15:00–18:00"},
			{ID: "U02JO", Zone: "America/New_York", Overlap: "Mon–Fri 09:00–12:00"},
		},
		Icebreaker:     icebreakers[0],
		DidYouMeetDays: 4,
	}
	coffeeBuddy = coffeeIntro{
		RoundID: 42,
		Group:   5,
		People: []coffeePerson{
			{ID: "U09NEW", Zone: "Europe/Berlin", Overlap: "Mon–Fri 09:00–18:00", New: true},
			{ID: "U03SAM", Zone: "Europe/London", Overlap: "Mon–Fri 08:00–17:00", Buddy: true},
		},
		Icebreaker:     icebreakers[0],
		DidYouMeetDays: 4,
	}
	coffeeTrio = coffeeIntro{
		RoundID: 42,
		Group:   7,
		People: []coffeePerson{
			{ID: "U01MAYA", Zone: "Europe/Berlin", Overlap: "Mon–Fri 10:00–12:30"},
			{ID: "U03ANA", Zone: "America/Argentina/Buenos_Aires", Overlap: "Mon–Fri 06:00–08:30", Style: "written summaries over calls &amp; cameras optional"},
			{ID: "U04KENJI", Zone: "Asia/Tokyo", Overlap: "Mon–Fri 18:00–20:30"},
		},
		Icebreaker:     icebreakers[2],
		DidYouMeetDays: 1,
	}
	coffeeNoOverlap = coffeeIntro{
		RoundID: 43,
		Group:   1,
		People: []coffeePerson{
			{ID: "U01MAYA", Zone: "Europe/Berlin"},
			{ID: "U05SAM", Zone: "UTC"},
			{ID: "U06LEE"},
		},
		Icebreaker:     icebreakers[9],
		DidYouMeetDays: 4,
	}
	coffeeSlots = []time.Time{
		time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC),
		time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC),
	}
	coffeeRecent = []coffeeHistoryEntry{
		{At: coffeeAt.AddDate(0, 0, -7), Partners: []string{"U02JO"}, Answer: "yes"},
		{At: coffeeAt.AddDate(0, 0, -14), SatOut: "alone"},
		{At: coffeeAt.AddDate(0, 0, -21), Partners: []string{"U03ANA", "U04KENJI"}, Answer: "not_yet"},
	}
)

func coffeeHistoryFull() []coffeeHistoryEntry {
	answers := []string{"yes", "yes", "not_yet", "no", "cant", ""}
	var es []coffeeHistoryEntry
	for i := range 23 {
		e := coffeeHistoryEntry{At: coffeeAt.AddDate(0, 0, -7*(i+1))}
		switch {
		case i == 4:
			e.SatOut = "no_overlap"
		case i == 9:
			e.SatOut = "never_list"
		case i%5 == 2:
			e.Partners = []string{fmt.Sprintf("U%02dP", i), fmt.Sprintf("U%02dQ", i)}
			e.Answer = answers[i%len(answers)]
		default:
			e.Partners = []string{fmt.Sprintf("U%02dP", i)}
			e.Answer = answers[i%len(answers)]
		}
		es = append(es, e)
	}
	return es
}

func coffeeStatsExample() coffeeStats {
	return coffeeStats{Reader: testReader,
		Rounds: 12, Participants: 48, Groups: 60, Answered: 46, Met: 37, CrossZone: 21,
		Pairs: 66, RepeatPairs: 3, Members: 52, Paused: 4,
		Since: time.Date(2026, 9, 7, 10, 0, 0, 0, time.UTC),
	}
}

func checkCoffeeGolden(t *testing.T, name string, v any) { checkGolden(t, "coffee_"+name, v) }

// TestCoffeeGolden renders each coffee message for representative inputs and
// compares the JSON with testdata/coffee_*.golden.json.
func TestCoffeeGolden(t *testing.T) {
	cases := []struct {
		name string
		v    kudosMessage
	}{
		{"intro_pair", kudosMsg(renderCoffeeIntro(coffeePair))},
		{"intro_trio_style", kudosMsg(renderCoffeeIntro(coffeeTrio))},
		{"intro_no_overlap", kudosMsg(renderCoffeeIntro(coffeeNoOverlap))},
		{"intro_buddy", kudosMsg(renderCoffeeIntro(coffeeBuddy))},
		{"suggest_three", kudosMsg(renderCoffeeSuggest(coffeeSlots, testReader))},
		{"suggest_empty", kudosMsg(renderCoffeeSuggest(nil, testReader))},
		{"checkin", kudosMsg(renderDidYouMeet(42, 3))},
		{"heads_up", kudosMsg(renderCoffeeHeadsUp(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), testReader))},
		{"sat_out_alone", kudosMsg(renderCoffeeSatOut("alone"), nil)},
		{"sat_out_no_overlap", kudosMsg(renderCoffeeSatOut("no_overlap"), nil)},
		{"sat_out_never_list", kudosMsg(renderCoffeeSatOut("never_list"), nil)},
		{"still_in", kudosMsg(renderCoffeeStillIn(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), testReader, 3))},
		{"paused_silent", kudosMsg(renderCoffeePausedSilent())},
		{"met", kudosMsg(coffeeMetText("U02JO"), nil)},
		{"cant", kudosMsg(coffeeCantText("U02JO"), nil)},
		{"status_enrolled", kudosMsg(renderCoffeeStatus(coffeeStatus{Reader: testReader,
			Enrolled: true, Via: "command", NextRound: coffeeAt.AddDate(0, 0, 6), Recent: coffeeRecent, Never: 2,
		}))},
		{"status_paused", kudosMsg(renderCoffeeStatus(coffeeStatus{Reader: testReader,
			Enrolled: true, Via: "channel", PausedUntil: coffeeAt.AddDate(0, 0, 20), NextRound: coffeeAt.AddDate(0, 0, 6), Recent: coffeeRecent[:1],
		}))},
		{"status_skip_ghosted", kudosMsg(renderCoffeeStatus(coffeeStatus{Reader: testReader,
			Enrolled: true, Via: "channel", PausedForSilence: true, SkipNext: true, NextRound: coffeeAt.AddDate(0, 0, 6), Never: 1,
		}))},
		{"status_not_enrolled", kudosMsg(renderCoffeeStatus(coffeeStatus{Reader: testReader, NextRound: coffeeAt.AddDate(0, 0, 6)}))},
		{"history_empty", kudosMsg(renderCoffeeHistory(nil, testReader))},
		{"history_full", kudosMsg(renderCoffeeHistory(coffeeHistoryFull(), testReader))},
		{"stats", kudosMsg(renderCoffeeStats(coffeeStatsExample()))},
		{"stats_empty", kudosMsg(renderCoffeeStats(coffeeStats{Reader: testReader, Members: 5, Paused: 1}))},
		{"welcome", kudosMsg(renderWelcome(welcomeInfo{User: "U09NEW", CoffeeChannel: "C0COFFEE", Buddies: true}))},
		{"welcome_plain", kudosMsg(renderWelcome(welcomeInfo{User: "U09NEW"}))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkCoffeeGolden(t, c.name, c.v)
			checkKudosLimits(t, c.name, c.v)
			checkCoffeeButtons(t, c.name, c.v)
		})
	}
}

// coffeeBtn is a button as Slack receives it.
type coffeeBtn struct {
	Block  int
	Action string
	Value  string
	Text   string
}

// coffeeButtons lists the buttons of a rendered message, with the index of
// the block each is in.
func coffeeButtons(t *testing.T, m kudosMessage) []coffeeBtn {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var tree struct {
		Blocks []any `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	var bs []coffeeBtn
	for i, b := range tree.Blocks {
		kudosWalk(b, func(obj map[string]any) {
			if obj["type"] != "button" {
				return
			}
			a, _ := obj["action_id"].(string)
			v, _ := obj["value"].(string)
			bs = append(bs, coffeeBtn{Block: i, Action: a, Value: v, Text: kudosText(obj["text"])})
		}, func(string) {})
	}
	return bs
}

// checkCoffeeButtons checks that no block has two elements with one
// action_id: Slack rejects such a message with invalid_blocks.
func checkCoffeeButtons(t *testing.T, name string, m kudosMessage) {
	t.Helper()
	seen := map[string]bool{}
	for _, b := range coffeeButtons(t, m) {
		key := fmt.Sprint(b.Block, "/", b.Action)
		if seen[key] {
			t.Errorf("%s: block %d has action_id %q twice", name, b.Block, b.Action)
		}
		seen[key] = true
		if b.Action == "" {
			t.Errorf("%s: button %q has no action_id", name, b.Text)
		}
	}
}

func checkCoffeeButtonList(t *testing.T, name string, m kudosMessage, want []coffeeBtn) {
	t.Helper()
	got := coffeeButtons(t, m)
	if len(got) != len(want) {
		t.Errorf("%s: %d buttons %+v, want %d %+v", name, len(got), got, len(want), want)
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Action != w.Action || g.Value != w.Value || g.Text != w.Text {
			t.Errorf("%s: button %d = %s/%q %q, want %s/%q %q", name, i, g.Action, g.Value, g.Text, w.Action, w.Value, w.Text)
		}
	}
}

// TestRenderCoffeeContent checks what the golden files could hide in the
// noise: the buttons' action_ids and values, mentions, local times and the
// exact wording people rely on.
func TestRenderCoffeeContent(t *testing.T) {
	t.Parallel()
	intro := kudosMsg(renderCoffeeIntro(coffeePair))
	checkCoffeeButtonList(t, "intro", intro, []coffeeBtn{
		{Action: "coffee_met", Value: "42:3", Text: "We met ☕"},
		{Action: "coffee_cant", Value: "42:3", Text: "Can't make it"},
		{Action: "coffee_suggest", Value: "42:3", Text: "Suggest a time"},
	})
	body := kudosJSON(t, intro)
	for _, want := range []string{"<@U01MAYA>", "<@U02JO>", "— in Berlin", "— in New York",
		"Mon–Fri 15:00–18:00", "Mon–Fri 09:00–12:00", icebreakers[0], "check back in 4 days", "paired"} {
		if !strings.Contains(body, want) {
			t.Errorf("renderCoffeeIntro(pair) lacks %q", want)
		}
	}
	if text := intro.Text; !strings.Contains(text, "<@U01MAYA> and <@U02JO>") {
		t.Errorf("renderCoffeeIntro(pair) text = %q, want both mentions", text)
	}

	body = kudosJSON(t, kudosMsg(renderCoffeeIntro(coffeeTrio)))
	for _, want := range []string{"<@U01MAYA>, <@U03ANA> and <@U04KENJI>", "— in Buenos Aires", "— in Tokyo",
		"written summaries over calls &amp; cameras optional", "check back tomorrow", "you all"} {
		if !strings.Contains(body, want) {
			t.Errorf("renderCoffeeIntro(trio) lacks %q", want)
		}
	}
	if strings.Contains(body, "&amp;amp;") {
		t.Errorf("renderCoffeeIntro(trio) escaped the style note twice")
	}
	if n := strings.Count(body, ":memo:"); n != 1 {
		t.Errorf("renderCoffeeIntro(trio) shows %d style notes, want 1", n)
	}

	body = kudosJSON(t, kudosMsg(renderCoffeeIntro(coffeeNoOverlap)))
	if strings.Contains(body, "shared hours") {
		t.Errorf("renderCoffeeIntro(no overlap) mentions shared hours: %s", body)
	}
	for _, want := range []string{"— in Berlin", "— on UTC", "<@U06LEE>"} {
		if !strings.Contains(body, want) {
			t.Errorf("renderCoffeeIntro(no overlap) lacks %q", want)
		}
	}

	text, blocks := renderCoffeeSuggest(coffeeSlots, testReader)
	body = kudosJSON(t, kudosMsg(text, blocks))
	for _, s := range coffeeSlots {
		slot := localWhen(s, testReader) + " – " + localClock(s.Add(30*time.Minute), testReader.loc)
		if !strings.Contains(body, slot) {
			t.Errorf("renderCoffeeSuggest lacks the slot %v as %q", s, slot)
		}
	}
	text, _ = renderCoffeeSuggest(append(coffeeSlots, coffeeAt, coffeeAt), testReader)
	if n := strings.Count(text, ";") + 1; n != 3 {
		t.Errorf("renderCoffeeSuggest(5 slots, testReader) offers %d, want 3", n)
	}
	text, blocks = renderCoffeeSuggest([]time.Time{}, testReader)
	want := "I couldn't find shared working time in the next two weeks — try a quick async hello instead."
	if text != want || !strings.Contains(kudosJSON(t, kudosMsg("", blocks)), want) {
		t.Errorf("renderCoffeeSuggest(none, testReader) = %q, want %q in text and blocks", text, want)
	}

	checkCoffeeButtonList(t, "checkin", kudosMsg(renderDidYouMeet(42, 3)), []coffeeBtn{
		{Action: "coffee_checkin", Value: "42:3:yes", Text: "Yes ☕"},
		{Action: "coffee_checkin_not_yet", Value: "42:3:not_yet", Text: "Not yet"},
		{Action: "coffee_checkin_no", Value: "42:3:no", Text: "No"},
	})
	if text, _ := renderDidYouMeet(42, 3); !strings.Contains(text, "Did you meet") {
		t.Errorf("renderCoffeeCheckin text = %q, want it to ask \"Did you meet\"", text)
	}

	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	heads := kudosMsg(renderCoffeeHeadsUp(at, testReader))
	checkCoffeeButtonList(t, "heads-up", heads, []coffeeBtn{
		{Action: coffeeSkipAction, Value: "1796637600", Text: "Skip this round"},
		{Action: muteDMAction, Value: string(store.DMHeadsUp), Text: "Stop heads-ups"},
	})
	if body := kudosJSON(t, heads); !strings.Contains(body, "starts Mon 7 Dec, 10:00.") {
		t.Errorf("renderCoffeeHeadsUp lacks the round's start in the reader's zone: %s", body)
	}

	checkCoffeeButtonList(t, "still_in", kudosMsg(renderCoffeeStillIn(at, testReader, 3)), []coffeeBtn{
		{Action: "coffee_stay", Text: "Keep me in"},
		{Action: "coffee_leave", Text: "Leave coffee chats"},
	})
	checkCoffeeButtonList(t, "paused_silent", kudosMsg(renderCoffeePausedSilent()), []coffeeBtn{
		{Action: "coffee_stay", Text: "Resume coffee chats"},
		{Action: "coffee_leave", Text: "Leave coffee chats"},
	})

	for _, reason := range []string{"alone", "no_overlap", "never_list", "", "something_new"} {
		s := renderCoffeeSatOut(reason)
		if !strings.Contains(s, "next round") || !strings.Contains(s, "`/coffee pause`") {
			t.Errorf("renderCoffeeSatOut(%q) = %q, want it to say next round and how to pause", reason, s)
		}
		if strings.Contains(s, "<@") {
			t.Errorf("renderCoffeeSatOut(%q) = %q names someone", reason, s)
		}
	}
	if a, b := renderCoffeeSatOut("alone"), renderCoffeeSatOut("no_overlap"); a == b {
		t.Errorf("renderCoffeeSatOut gives the same text for alone and no_overlap: %q", a)
	}

	if got := coffeeMetText("U02JO"); !strings.HasPrefix(got, "<@U02JO> says you met ☕ — lovely.") {
		t.Errorf("coffeeMetText(U02JO) = %q", got)
	}
	if got := coffeeCantText("U02JO"); !strings.HasPrefix(got, "<@U02JO> can't make it this time — no worries,") {
		t.Errorf("coffeeCantText(U02JO) = %q", got)
	}
	if got := coffeeMetText("U1><!channel"); strings.Contains(got, "<!") {
		t.Errorf("coffeeMetText(odd ID) = %q", got)
	}

	for _, c := range []struct {
		name  string
		s     coffeeStatus
		wants []string
		nots  []string
	}{
		{"enrolled", coffeeStatus{Reader: testReader, Enrolled: true, Via: "command", NextRound: at, Recent: coffeeRecent, Never: 2},
			[]string{"You're in coffee chats", "`/coffee join`", "Next round: Mon 7 Dec, 10:00", "<@U02JO>", "met ☕", "sat out",
				"not to be paired with 2 people", "`/coffee pause`"},
			[]string{"paused", "coffee_stay"}},
		{"paused", coffeeStatus{Reader: testReader, Enrolled: true, Via: "channel", PausedUntil: at.AddDate(0, 0, 7), NextRound: at},
			[]string{"*paused* until Mon 14 Dec", "`/coffee resume`", "sit it out while paused"},
			[]string{"Recent"}},
		{"until resumed", coffeeStatus{Reader: testReader, Enrolled: true, PausedUntil: at.AddDate(100, 0, 0), UntilResumed: true, NextRound: at},
			[]string{"*paused* until you resume", "`/coffee resume`", "sit it out while paused"},
			[]string{"<!date^" + fmt.Sprint(at.AddDate(100, 0, 0).Unix()), fmt.Sprint(at.AddDate(100, 0, 0).Year())}},
		{"not enrolled", coffeeStatus{Reader: testReader, NextRound: at},
			[]string{"not in coffee chats", "`/coffee join`", "Join before then"},
			[]string{"`/coffee leave`"}},
		{"ghosted", coffeeStatus{Reader: testReader, Enrolled: true, PausedForSilence: true, SkipNext: true},
			[]string{`"action_id": "coffee_stay"`, "skipping the next round"},
			nil},
	} {
		body := kudosJSON(t, kudosMsg(renderCoffeeStatus(c.s)))
		for _, w := range c.wants {
			if !strings.Contains(body, w) {
				t.Errorf("renderCoffeeStatus(%s) lacks %q", c.name, w)
			}
		}
		for _, n := range c.nots {
			if strings.Contains(body, n) {
				t.Errorf("renderCoffeeStatus(%s) contains %q", c.name, n)
			}
		}
	}

	full := coffeeHistoryFull()
	text, blocks = renderCoffeeHistory(full, testReader)
	body = kudosJSON(t, kudosMsg(text, blocks))
	if n := strings.Count(body, "• "); n != coffeeHistoryMax {
		t.Errorf("renderCoffeeHistory(23 rounds, testReader) shows %d rounds, want %d", n, coffeeHistoryMax)
	}
	if strings.Contains(body, "U20P") || !strings.Contains(body, "<@U00P>") || !strings.Contains(body, "Showing your last 20 rounds") {
		t.Errorf("renderCoffeeHistory(23 rounds, testReader) should show the newest 20 and say so")
	}
	if i, j := strings.Index(body, "<@U00P>"), strings.Index(body, "<@U19P>"); i > j {
		t.Errorf("renderCoffeeHistory should keep newest first")
	}
	_, blocks = renderCoffeeHistory(nil, testReader)
	if body := kudosJSON(t, kudosMsg("", blocks)); !strings.Contains(body, "No coffee chats yet") {
		t.Errorf("renderCoffeeHistory(nil, testReader) lacks the empty state: %s", body)
	}

	text, blocks = renderCoffeeStats(coffeeStatsExample())
	body = kudosJSON(t, kudosMsg(text, blocks))
	for _, want := range []string{"12", "48 took part", "62% of groups (37 of 60)", "80% of those that answered (46)",
		"35% of groups (21)", "3 of 66 pairs (5%)", "63 pairs met for the first time", `*Members*\n52 · 4 paused`, "Since Mon 7 Sep"} {
		if !strings.Contains(body, want) {
			t.Errorf("renderCoffeeStats lacks %q", want)
		}
	}
	if strings.Contains(body, "<@") {
		t.Errorf("renderCoffeeStats names people")
	}
}

func TestCoffeeWhere(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zone string
		want string
	}{
		{"Europe/Berlin", "in Berlin"},
		{"America/New_York", "in New York"},
		{"America/Argentina/Buenos_Aires", "in Buenos Aires"},
		{"Asia/Kolkata", "in Kolkata"},
		{"UTC", "on UTC"},
		{"Etc/GMT-3", "on UTC+03"},
		{"Etc/GMT+5", "on UTC-05"},
		{"", ""},
		{"Local", ""},
		{"Mars/Olympus_Mons", ""},
	}
	for _, tt := range tests {
		if got := coffeeWhere(tt.zone); got != tt.want {
			t.Errorf("coffeeWhere(%q) = %q, want %q", tt.zone, got, tt.want)
		}
	}
}

func TestCoffeePercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, d int
		want string
	}{
		{0, 0, "—"},
		{0, 10, "0%"},
		{37, 60, "62%"},
		{1, 2, "50%"},
		{199, 200, "99%"},
		{1, 1000, "1%"},
		{5, 5, "100%"},
		{7, 5, "100%"},
		{-1, 5, "0%"},
	}
	for _, tt := range tests {
		if got := coffeePercent(tt.n, tt.d); got != tt.want {
			t.Errorf("coffeePercent(%d, %d) = %q, want %q", tt.n, tt.d, got, tt.want)
		}
	}
}

// TestRenderCoffeeProperties renders many generated intros, suggestions,
// statuses, histories and stats and checks every result against Slack's
// limits, the mass-mention rule and unique action_ids per block.
func TestRenderCoffeeProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(20261201, 2))
	zones := []string{"", "UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham", "Nope/Nowhere", "Etc/GMT+12"}
	randomTime := func() time.Time {
		if rng.IntN(8) == 0 {
			return time.Time{}
		}
		return coffeeAt.Add(time.Duration(rng.IntN(1000)-500) * time.Hour)
	}
	randomEntry := func() coffeeHistoryEntry {
		e := coffeeHistoryEntry{At: randomTime(), Answer: []string{"yes", "not_yet", "no", "cant", "", "??"}[rng.IntN(6)]}
		if rng.IntN(5) == 0 {
			e.SatOut = []string{"alone", "no_overlap", "never_list", "skip", "paused", "other"}[rng.IntN(6)]
		} else {
			for range rng.IntN(12) {
				e.Partners = append(e.Partners, kudosRandomID(rng, "U"))
			}
		}
		return e
	}
	for i := range 300 {
		name := fmt.Sprintf("case %d", i)
		in := coffeeIntro{RoundID: rng.Uint64(), Group: rng.IntN(1000), DidYouMeetDays: rng.IntN(10) - 1}
		for range rng.IntN(10) {
			p := coffeePerson{ID: kudosRandomID(rng, "U"), Zone: zones[rng.IntN(len(zones))]}
			if rng.IntN(2) == 0 {
				p.Overlap = strings.Repeat("Mon–Fri 15:00–18:00 ", 1+rng.IntN(10))
			}
			if rng.IntN(2) == 0 {
				p.Style = kudosRandomReason(rng) // escaped mrkdwn as typed, like a kudos reason
			}
			in.People = append(in.People, p)
		}
		if rng.IntN(4) > 0 {
			in.Icebreaker = icebreakers[rng.IntN(len(icebreakers))]
		} else if rng.IntN(2) == 0 {
			in.Icebreaker = kudosRandomReason(rng)
		}
		var slots []time.Time
		for range rng.IntN(6) {
			slots = append(slots, randomTime())
		}
		st := coffeeStatus{Reader: testReader,
			Enrolled: rng.IntN(3) > 0, Via: []string{"command", "channel", ""}[rng.IntN(3)],
			PausedUntil: randomTime(), PausedForSilence: rng.IntN(2) == 0, SkipNext: rng.IntN(2) == 0,
			NextRound: randomTime(), Never: rng.IntN(4),
		}
		if rng.IntN(2) == 0 {
			st.PausedUntil = time.Time{}
		}
		var hist []coffeeHistoryEntry
		for range rng.IntN(30) {
			e := randomEntry()
			hist = append(hist, e)
			if len(st.Recent) < 5 {
				st.Recent = append(st.Recent, e)
			}
		}
		stats := coffeeStats{
			Rounds: rng.IntN(100) - 5, Participants: rng.IntN(5000), Groups: rng.IntN(3000), Answered: rng.IntN(3000),
			Met: rng.IntN(3000), CrossZone: rng.IntN(3000), Pairs: rng.IntN(9000), RepeatPairs: rng.IntN(100),
			Members: rng.IntN(5000), Paused: rng.IntN(100), Since: randomTime(),
		}
		for _, r := range []struct {
			fn string
			m  kudosMessage
		}{
			{"intro", kudosMsg(renderCoffeeIntro(in))},
			{"suggest", kudosMsg(renderCoffeeSuggest(slots, testReader))},
			{"checkin", kudosMsg(renderDidYouMeet(rng.Uint64(), rng.IntN(1000)))},
			{"heads-up", kudosMsg(renderCoffeeHeadsUp(randomTime(), testReader))},
			{"sat out", kudosMsg(renderCoffeeSatOut([]string{"alone", "no_overlap", "never_list", ""}[rng.IntN(4)]), nil)},
			{"still_in", kudosMsg(renderCoffeeStillIn(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), testReader, 3))},
			{"paused_silent", kudosMsg(renderCoffeePausedSilent())},
			{"met", kudosMsg(coffeeMetText(kudosRandomID(rng, "U")), nil)},
			{"cant", kudosMsg(coffeeCantText(kudosRandomID(rng, "U")), nil)},
			{"status", kudosMsg(renderCoffeeStatus(st))},
			{"history", kudosMsg(renderCoffeeHistory(hist, testReader))},
			{"stats", kudosMsg(renderCoffeeStats(stats))},
		} {
			checkKudosLimits(t, name+" "+r.fn, r.m)
			checkCoffeeButtons(t, name+" "+r.fn, r.m)
		}

		body := kudosJSON(t, kudosMsg(renderCoffeeIntro(in)))
		for _, p := range in.People {
			if !strings.Contains(body, "<@"+p.ID+">") {
				t.Errorf("%s: intro does not mention %s", name, p.ID)
			}
		}
		body = kudosJSON(t, kudosMsg(renderCoffeeStatus(st)))
		if strings.Contains(body, "<@") && len(st.Recent) == 0 {
			t.Errorf("%s: status names someone without recent rounds: %s", name, body)
		}
	}
}

func TestIcebreakers(t *testing.T) {
	t.Parallel()
	if len(icebreakers) < 40 {
		t.Errorf("%d icebreakers, want at least 40", len(icebreakers))
	}
	// Words that point at drink, faith, politics, family pressure or money:
	// none belongs in a question a stranger must answer at work.
	avoid := []string{"beer", "wine", "drink", "cocktail", "bar ", "pub", "alcohol", "party",
		"church", "god", "pray", "relig", "faith", "christmas",
		"politic", "vote", "election", "government",
		"kids", "children", "married", "wedding", "spouse", "husband", "wife", "boyfriend", "girlfriend", "partner", "parent", "family",
		"salary", "money", "expensive", "rich", "weight", "diet"}
	seen := map[string]bool{}
	for i, q := range icebreakers {
		if seen[q] {
			t.Errorf("icebreakers[%d] = %q is a duplicate", i, q)
		}
		seen[q] = true
		if !strings.HasSuffix(q, "?") || strings.TrimSpace(q) != q || utf8.RuneCountInString(q) > 100 {
			t.Errorf("icebreakers[%d] = %q: want a trimmed question of at most 100 characters", i, q)
		}
		if strings.ContainsAny(q, "<>&*_~`\n") {
			t.Errorf("icebreakers[%d] = %q has mrkdwn control characters", i, q)
		}
		for _, w := range avoid {
			if strings.Contains(strings.ToLower(q), w) {
				t.Errorf("icebreakers[%d] = %q touches %q", i, q, w)
			}
		}
	}
}

func TestPickIcebreaker(t *testing.T) {
	t.Parallel()
	n := len(icebreakers)
	for seed := range int64(200) {
		used := map[int]bool{}
		for round := range n {
			got := pickIcebreaker(used, seed)
			if got < 0 || got >= n {
				t.Fatalf("pickIcebreaker(%d used, seed %d) = %d, out of range", len(used), seed, got)
			}
			if used[got] {
				t.Fatalf("pickIcebreaker(%d used, seed %d) = %d, already used while %d remain", len(used), seed, got, n-len(used))
			}
			if again := pickIcebreaker(used, seed); again != got {
				t.Fatalf("pickIcebreaker(%d used, seed %d) = %d, then %d: not deterministic", len(used), seed, got, again)
			}
			used[got] = true
			seed += int64(round) // the next round's seed
		}
		if got := pickIcebreaker(used, seed); got < 0 || got >= n {
			t.Errorf("pickIcebreaker(all used, seed %d) = %d, want a wrap-around index in range", seed, got)
		}
	}

	// Exactly one left: it must be picked, whatever the seed.
	used := map[int]bool{-1: true, n: true, n + 5: true}
	for i := range n {
		used[i] = i != 17
	}
	for seed := range int64(50) {
		if got := pickIcebreaker(used, seed*7919); got != 17 {
			t.Errorf("pickIcebreaker(all but 17 used, seed %d) = %d, want 17", seed*7919, got)
		}
	}

	// Different seeds spread over the list rather than always picking one.
	picked := map[int]bool{}
	for seed := range int64(200) {
		picked[pickIcebreaker(nil, seed)] = true
	}
	if len(picked) < n/2 {
		t.Errorf("pickIcebreaker(nil, 0..199) picked only %d different questions of %d", len(picked), n)
	}
}

// TestCoffeeListSections checks that long histories split between lines,
// never inside one, and stay within the section limit.
func TestCoffeeListSections(t *testing.T) {
	t.Parallel()
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf("%02d ", i)+strings.Repeat("x", 200))
	}
	blocks := coffeeListSections(lines)
	var got []string
	for _, b := range blocks {
		s := b.(*slack.SectionBlock).Text.Text
		if n := utf8.RuneCountInString(s); n > kudosSectionMax {
			t.Errorf("section has %d runes, want at most %d", n, kudosSectionMax)
		}
		got = append(got, strings.Split(s, "\n")...)
	}
	if strings.Join(got, "\n") != strings.Join(lines, "\n") {
		t.Errorf("coffeeListSections lost or split lines: got %d lines, want %d", len(got), len(lines))
	}
	if len(blocks) != 3 {
		t.Errorf("coffeeListSections(40 lines of 203) = %d sections, want 3", len(blocks))
	}
}
