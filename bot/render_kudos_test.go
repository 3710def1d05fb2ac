package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

var updateGolden = flag.Bool("update", false, "rewrite the testdata/*.golden.json files from the renderers' output")

// kudosAt is a fixed time for kudos tests: Friday 27 November 2026, 15:04 UTC.
var kudosAt = time.Date(2026, 11, 27, 15, 4, 0, 0, time.UTC)

// kudosMessage is the shape golden files and property checks see of a
// rendered message: its fallback text and its blocks, if any.
type kudosMessage struct {
	Text   string
	Blocks []slack.Block
}

func (m kudosMessage) MarshalJSON() ([]byte, error) {
	type wire struct {
		Text   string        `json:"text"`
		Blocks *slack.Blocks `json:"blocks,omitempty"`
	}
	w := wire{Text: m.Text}
	if len(m.Blocks) > 0 {
		w.Blocks = &slack.Blocks{BlockSet: m.Blocks}
	}
	return json.Marshal(w)
}

func kudosMsg(text string, blocks []slack.Block) kudosMessage {
	return kudosMessage{Text: text, Blocks: blocks}
}

// kudosPretty renders v as indented JSON without HTML escaping, so golden
// files show "<@U1>" rather than "\u003c@U1\u003e".
func kudosPretty(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tree); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return buf.Bytes()
}

func checkKudosGolden(t *testing.T, name string, v any) { checkGolden(t, "kudos_"+name, v) }

// checkGolden compares v, as indented JSON, with testdata/<file>.golden.json;
// -update rewrites the file instead. Every renderer's golden test uses it.
func checkGolden(t *testing.T, file string, v any) {
	t.Helper()
	got := kudosPretty(t, v)
	path := filepath.Join("testdata", file+".golden.json")
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: rendered JSON differs from %s (run with -update if the change is intended)\ngot:\n%s", file, path, got)
	}
}

// The kudos examples below are the golden inputs.
var (
	kudosOne = kudosPost{
		Giver:     "U01GIVER",
		Receivers: []string{"U02ALEX"},
		Reason:    "for pairing with me on the flaky login test &amp; finding the race in 20 minutes",
		Channel:   "C0TEAM",
		Permalink: "https://acme.slack.com/archives/C0TEAM/p1795791840000100",
		At:        kudosAt,
	}
	kudosThree = kudosPost{
		Giver:     "U01GIVER",
		Receivers: []string{"U02ALEX", "U03BEA", "U04CHEN"},
		Reason:    "for turning the release around on a Friday:\n• rollback plan written up front\n• calm updates in <#C0INCIDENT|incidents>\nSee <https://status.acme.com|the status page> — zero customer tickets.",
		Values:    []string{"teamwork", "ownership", "craft"},
		Channel:   "C0TEAM",
		Permalink: "https://acme.slack.com/archives/C0TEAM/p1795791840000200",
		Link:      "https://acme.slack.com/archives/C0RELEASE/p1795780000000300",
		At:        kudosAt,
	}
	kudosPrivate = kudosPost{
		Giver:     "U01GIVER",
		Receivers: []string{"U05DANA"},
		Reason:    "for listening yesterday when I needed it. It helped more than you know.",
		Values:    []string{"care"},
		Private:   true,
		At:        kudosAt,
	}
	kudosLong = kudosPost{
		Giver:     "U01GIVER",
		Receivers: []string{"U02ALEX"},
		Reason:    strings.Repeat("Rewrote the onboarding guide so new people ship on day one. ", 60),
		Values:    []string{"craft"},
		Channel:   "C0TEAM",
		At:        kudosAt,
	}
)

func kudosFullBoard() leaderboard {
	cet := time.FixedZone("CET", 3600)
	return leaderboard{Reader: reader{loc: cet, now: testReader.now},
		Period: "month",
		From:   time.Date(2026, 11, 1, 0, 0, 0, 0, cet),
		To:     time.Date(2026, 12, 1, 0, 0, 0, 0, cet),
		Total:  42,
		Recognised: []personCount{
			{"U02ALEX", 12}, {"U03BEA", 9}, {"U04CHEN", 9}, {"U05DANA", 4}, {"U06EVE", 3}, {"U07FINN", 2},
		},
		Generous: []personCount{
			{"U01GIVER", 15}, {"U03BEA", 8}, {"U06EVE", 5}, {"U02ALEX", 1},
		},
		Values: []valueCount{{"teamwork", 14}, {"craft", 9}, {"ownership", 6}, {"care", 3}, {"learning", 2}, {"fun", 1}},
	}
}

func kudosDigest45() kudosDigest {
	d := kudosDigest{Reader: testReader,
		From:   time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		To:     time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		Count:  71,
		Values: []valueCount{{"teamwork", 20}, {"craft", 11}, {"ownership", 9}, {"care", 7}, {"learning", 4}, {"fun", 2}},
	}
	for i := range 45 {
		d.Recognised = append(d.Recognised, personCount{User: fmt.Sprintf("U%03dP", i+1), Count: max(1, 5-i/5)})
	}
	return d
}

// TestKudosGolden renders each kudos message for representative inputs and
// compares the JSON with testdata/kudos_*.golden.json.
func TestKudosGolden(t *testing.T) {
	history := []kudosPost{
		kudosThree,
		{Giver: "U05DANA", Receivers: []string{"U02ALEX"}, Reason: strings.Repeat("Patient code review, every time. ", 20), Values: []string{"learning"}, At: kudosAt.AddDate(0, 0, -6)},
		{Giver: "U03BEA", Receivers: []string{"U02ALEX"}, Reason: "for the coffee machine fix :coffee:", Private: true, At: kudosAt.AddDate(0, -1, 0)},
	}
	modalValues := kudosForm{
		Channel:      "C0TEAM",
		Recipients:   []string{"U02ALEX"},
		Link:         "https://acme.slack.com/archives/C0RELEASE/p1795780000000300",
		Values:       []string{"teamwork", "ownership", "craft", "care"},
		RequireValue: true,
	}
	cases := []struct {
		name string
		v    any
	}{
		{"post_one", kudosMsg(renderKudosPost(kudosOne))},
		{"post_three", kudosMsg(renderKudosPost(kudosThree))},
		{"post_long_reason", kudosMsg(renderKudosPost(kudosLong))},
		{"share_three", kudosMsg(renderKudosShare(kudosThree))},
		{"dm_one", kudosMsg(renderKudosDM(kudosOne, kudosOne.Receivers[0]))},
		{"dm_three", kudosMsg(renderKudosDM(kudosThree, kudosThree.Receivers[0]))},
		{"dm_private", kudosMsg(renderKudosDM(kudosPrivate, kudosPrivate.Receivers[0]))},
		{"sent_one", kudosMsg(renderKudosSent(kudosOne, 3, 5), nil)},
		{"sent_three_unlimited", kudosMsg(renderKudosSent(kudosThree, 0, 0), nil)},
		{"sent_private_last", kudosMsg(renderKudosSent(kudosPrivate, 0, 5), nil)},
		{"leaderboard_empty", kudosMsg(renderLeaderboard(leaderboard{Period: "week", Reader: testReader}))},
		{"leaderboard_full", kudosMsg(renderLeaderboard(kudosFullBoard()))},
		{"history", kudosMsg(renderKudosHistory("U02ALEX", history, testReader))},
		{"history_empty", kudosMsg(renderKudosHistory("U02ALEX", nil, testReader))},
		{"digest_45", kudosMsg(renderKudosDigest(kudosDigest45()))},
		{"modal_values", renderKudosModal(modalValues)},
		{"modal_free_text", renderKudosModal(kudosForm{})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkKudosGolden(t, c.name, c.v)
			checkKudosLimits(t, c.name, c.v)
		})
	}
}

// TestRenderKudosContent checks the promises the golden files could hide in
// the noise: fallbacks, mentions, verbatim reasons, counts and cut-offs.
func TestRenderKudosContent(t *testing.T) {
	t.Parallel()
	text, blocks := renderKudosPost(kudosThree)
	if want := "<@U01GIVER> gave kudos to <@U02ALEX>, <@U03BEA> and <@U04CHEN>"; text != want {
		t.Errorf("renderKudosPost(kudosThree) text = %q, want %q", text, want)
	}
	body := kudosJSON(t, kudosMsg(text, blocks))
	for _, want := range []string{"<@U02ALEX>", "<@U03BEA>", "<@U04CHEN>", "`#teamwork`", "<#C0INCIDENT|incidents>", kudosThree.Link, "Thank someone with `/kudos`"} {
		if !strings.Contains(body, want) {
			t.Errorf("renderKudosPost(kudosThree) lacks %q", want)
		}
	}

	_, blocks = renderKudosPost(kudosOne)
	body = kudosJSON(t, kudosMsg("", blocks))
	if !strings.Contains(body, "&amp; finding") || strings.Contains(body, "&amp;amp;") {
		t.Errorf("renderKudosPost(kudosOne) must show the escaped reason verbatim, got %s", body)
	}

	_, blocks = renderKudosShare(kudosThree)
	body = kudosJSON(t, kudosMsg("", blocks))
	for _, want := range []string{"<#C0TEAM>", kudosThree.Permalink} {
		if !strings.Contains(body, want) {
			t.Errorf("renderKudosShare(kudosThree) lacks %q", want)
		}
	}

	_, blocks = renderKudosPost(kudosLong)
	sec := blocks[0].(*slack.SectionBlock).Text.Text
	if n := utf8.RuneCountInString(sec); n > kudosSectionMax || n < kudosReasonMax {
		t.Errorf("renderKudosPost(kudosLong) section has %d runes, want between %d and %d", n, kudosReasonMax, kudosSectionMax)
	}
	if !strings.Contains(sec, "…") || !strings.Contains(sec, "`#craft`") {
		t.Errorf("renderKudosPost(kudosLong) should cut the reason with … and keep the tags, got %q", sec)
	}

	_, blocks = renderKudosDM(kudosPrivate, kudosPrivate.Receivers[0])
	body = kudosJSON(t, kudosMsg("", blocks))
	for _, want := range []string{"Sent privately", `"action_id": "mute_dm"`, `"value": "kudos"`, "Stop kudos DMs"} {
		if !strings.Contains(body, want) {
			t.Errorf("renderKudosDM(kudosPrivate, kudosPrivate.Receivers[0]) lacks %q", want)
		}
	}
	_, blocks = renderKudosDM(kudosOne, kudosOne.Receivers[0])
	if body = kudosJSON(t, kudosMsg("", blocks)); !strings.Contains(body, kudosOne.Permalink) {
		t.Errorf("renderKudosDM(kudosOne, kudosOne.Receivers[0]) lacks the permalink %q", kudosOne.Permalink)
	}

	sent := []struct {
		k                kudosPost
		remaining, limit int
		want             string
	}{
		{kudosOne, 3, 5, ":white_check_mark: Kudos sent to <@U02ALEX>. You have 3 kudos left today."},
		{kudosOne, 1, 5, ":white_check_mark: Kudos sent to <@U02ALEX>. You have 1 kudos left today."},
		{kudosThree, 7, 0, ":white_check_mark: Kudos sent to <@U02ALEX>, <@U03BEA> and <@U04CHEN>."},
		{kudosPrivate, 0, 5, ":lock: Sent privately to <@U05DANA>. That was your last one for today — it resets at midnight your time."},
	}
	for _, c := range sent {
		if got := renderKudosSent(c.k, c.remaining, c.limit); got != c.want {
			t.Errorf("renderKudosSent(%v, %d, %d) = %q, want %q", c.k.Receivers, c.remaining, c.limit, got, c.want)
		}
	}

	_, blocks = renderLeaderboard(kudosFullBoard())
	body = kudosJSON(t, kudosMsg("", blocks))
	for _, want := range []string{"Kudos — this month", "🥇 <@U02ALEX> · 12 kudos", "🥈 <@U03BEA>", "🥈 <@U04CHEN>", "4. <@U05DANA>", "5. <@U06EVE>", "Private kudos are not counted", kudosRange(kudosFullBoard().From, kudosFullBoard().To, kudosFullBoard().Reader), "Sun 1 Nov – Mon 30 Nov"} {
		if !strings.Contains(body, want) {
			t.Errorf("renderLeaderboard(full) lacks %q", want)
		}
	}
	if strings.Contains(body, "U07FINN") || strings.Contains(body, "#fun") {
		t.Errorf("renderLeaderboard(full) should show only the top %d people and values", kudosBoardTop)
	}
	_, blocks = renderLeaderboard(leaderboard{Period: "week", Reader: testReader})
	if body = kudosJSON(t, kudosMsg("", blocks)); !strings.Contains(body, "No kudos yet this week. Be the first") {
		t.Errorf("renderLeaderboard(empty week) lacks the empty state, got %s", body)
	}

	text, blocks = renderKudosDigest(kudosDigest45())
	body = kudosJSON(t, kudosMsg(text, blocks))
	if n := strings.Count(body, "<@U"); n != kudosDigestPeople {
		t.Errorf("renderKudosDigest(45 people) names %d people, want %d", n, kudosDigestPeople)
	}
	if !strings.Contains(body, "and 5 more") {
		t.Errorf("renderKudosDigest(45 people) lacks \"and 5 more\"")
	}
	if strings.Contains(text, "<@") {
		t.Errorf("renderKudosDigest fallback %q should mention nobody", text)
	}

	text, _ = renderKudosHistory("U02ALEX", []kudosPost{kudosThree}, testReader)
	if want := "Recent kudos for <@U02ALEX>"; text != want {
		t.Errorf("renderKudosHistory text = %q, want %q", text, want)
	}
}

func TestRenderKudosModal(t *testing.T) {
	t.Parallel()
	v := renderKudosModal(kudosForm{
		Channel:    "C0TEAM",
		Recipients: []string{"U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "U10", "U11"},
		Link:       "https://acme.slack.com/archives/C0RELEASE/p1",
		Values:     []string{"teamwork", "craft"},
	})
	if v.Type != slack.VTModal || v.CallbackID != kudosModalCallbackID || v.Title.Text != "Give kudos" || v.Submit.Text != "Send" || v.Close.Text != "Cancel" {
		t.Errorf("renderKudosModal: type %q callback %q title %q submit %q close %q", v.Type, v.CallbackID, v.Title.Text, v.Submit.Text, v.Close.Text)
	}
	var meta map[string]string
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil {
		t.Fatalf("private_metadata %q: %v", v.PrivateMetadata, err)
	}
	if meta["channel"] != "C0TEAM" || meta["link"] != "https://acme.slack.com/archives/C0RELEASE/p1" {
		t.Errorf("private_metadata = %q, want channel and link", v.PrivateMetadata)
	}
	inputs := map[string]*slack.InputBlock{}
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			inputs[in.BlockID] = in
		}
	}
	want := []struct{ block, action, typ string }{
		{"kudos_recipients", "recipients", "multi_users_select"},
		{"kudos_reason", "reason", "plain_text_input"},
		{"kudos_values", "values", "multi_static_select"},
		{"kudos_private", "private", "checkboxes"},
	}
	for _, w := range want {
		in := inputs[w.block]
		if in == nil {
			t.Errorf("renderKudosModal: no input block %q", w.block)
			continue
		}
		raw, _ := json.Marshal(in.Element)
		var el struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
		}
		_ = json.Unmarshal(raw, &el)
		if el.Type != w.typ || el.ActionID != w.action {
			t.Errorf("input %q: element %s/%s, want %s/%s", w.block, el.Type, el.ActionID, w.typ, w.action)
		}
	}
	who := inputs["kudos_recipients"].Element.(*slack.MultiSelectBlockElement)
	if len(who.InitialUsers) != 10 || who.MaxSelectedItems == nil || *who.MaxSelectedItems != 10 {
		t.Errorf("recipients: %d initial users, max %v; want 10 and 10", len(who.InitialUsers), who.MaxSelectedItems)
	}
	if inputs["kudos_values"].Optional != true || inputs["kudos_private"].Optional != true || inputs["kudos_reason"].Optional {
		t.Errorf("optional: values %v private %v reason %v; want true true false",
			inputs["kudos_values"].Optional, inputs["kudos_private"].Optional, inputs["kudos_reason"].Optional)
	}
	reason := inputs["kudos_reason"].Element.(*slack.PlainTextInputBlockElement)
	if !reason.Multiline || reason.MaxLength != 1000 || reason.Placeholder.Text != "What did they do? Be specific." {
		t.Errorf("reason input: multiline %v max %d placeholder %q", reason.Multiline, reason.MaxLength, reason.Placeholder.Text)
	}
	box := inputs["kudos_private"].Element.(*slack.CheckboxGroupsBlockElement)
	if len(box.Options) != 1 || box.Options[0].Value != "private" || box.Options[0].Text.Text != "Send privately (a DM only; not posted or on leaderboards)" {
		t.Errorf("private checkbox: %+v", box.Options)
	}

	free := renderKudosModal(kudosForm{})
	if free.PrivateMetadata != "{}" {
		t.Errorf("renderKudosModal(empty).PrivateMetadata = %q, want {}", free.PrivateMetadata)
	}
	for _, b := range free.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID == "kudos_values" {
			el, ok := in.Element.(*slack.PlainTextInputBlockElement)
			if !ok || el.Placeholder.Text != "e.g. teamwork, craft" || !in.Optional {
				t.Errorf("free-text values input: %T optional %v", in.Element, in.Optional)
			}
		}
		if _, ok := b.(*slack.ContextBlock); ok {
			t.Errorf("renderKudosModal without a link has a context block")
		}
	}
}

func TestJoinMentions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"A"}, "<@A>"},
		{[]string{"A", "B"}, "<@A> and <@B>"},
		{[]string{"A", "B", "C"}, "<@A>, <@B> and <@C>"},
		{[]string{"A", "", "B"}, "<@A> and <@B>"},
		{[]string{"U1><!channel"}, "<@U1channel>"},
	}
	for _, tt := range tests {
		if got := joinMentions(tt.in); got != tt.want {
			t.Errorf("joinMentions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKudosClip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdefghij", 5, "abcd…"},
		{"thanks <@U02ALEX> a lot", 12, "thanks…"},
		{"thanks <@U02ALEX> a lot", 19, "thanks <@U02ALEX>…"},
		{"fish &amp; chips", 9, "fish…"},
		{"fish &amp; chips", 12, "fish &amp;…"},
		{"ünïcödé", 4, "ünï…"},
		{"thanks for the onboarding guide", 20, "thanks for the…"},
		{"thanks for the onboarding guide", 15, "thanks for the…"},
		{"thanks for\nthe guide", 14, "thanks for…"},
	}
	for _, tt := range tests {
		if got := kudosClip(tt.in, tt.n); got != tt.want {
			t.Errorf("kudosClip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if got := kudosClip(tt.in, tt.n); utf8.RuneCountInString(got) > tt.n {
			t.Errorf("kudosClip(%q, %d) = %q, longer than %d", tt.in, tt.n, got, tt.n)
		}
	}
}

// TestRenderKudosProperties renders many generated kudos, leaderboards,
// digests and modals (1000-char reasons, 10 receivers, odd values) and checks
// every result against Slack's limits and the mass-mention rule.
func TestRenderKudosProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(20261127, 1))
	for i := range 300 {
		k := kudosRandomPost(rng)
		name := fmt.Sprintf("case %d", i)
		for _, r := range []struct {
			fn string
			v  any
		}{
			{"post", kudosMsg(renderKudosPost(k))},
			{"share", kudosMsg(renderKudosShare(k))},
			{"dm", kudosMsg(renderKudosDM(k, k.Receivers[0]))},
			{"sent", kudosMsg(renderKudosSent(k, rng.IntN(6), rng.IntN(6)), nil)},
		} {
			checkKudosLimits(t, name+" "+r.fn, r.v)
		}

		text, blocks := renderKudosPost(k)
		body := kudosJSON(t, kudosMsg(text, blocks))
		for _, id := range k.Receivers {
			if !strings.Contains(body, "<@"+id+">") {
				t.Errorf("%s: post does not credit %s", name, id)
			}
		}
		if r := kudosTidy(k.Reason); utf8.RuneCountInString(r) <= 200 && !strings.Contains(body, strings.SplitN(r, "\n", 2)[0]) {
			t.Errorf("%s: post does not show the reason verbatim: %q", name, r)
		}

		var ks []kudosPost
		for range rng.IntN(12) {
			ks = append(ks, kudosRandomPost(rng))
		}
		checkKudosLimits(t, name+" history", kudosMsg(renderKudosHistory(kudosRandomID(rng, "U"), ks, testReader)))
		checkKudosLimits(t, name+" leaderboard", kudosMsg(renderLeaderboard(kudosRandomBoard(rng))))
		checkKudosLimits(t, name+" digest", kudosMsg(renderKudosDigest(kudosRandomDigest(rng))))
		checkKudosLimits(t, name+" modal", renderKudosModal(kudosRandomModal(rng)))
	}
}

func kudosRandomID(rng *rand.Rand, prefix string) string {
	return fmt.Sprintf("%s%08X", prefix, rng.Uint32())
}

var kudosWords = []string{
	"thanks", "for", "the", "review", "&amp;", "&lt;3", "&gt;", "<@U0OTHER>", "<#C0CHAN|general>",
	"<https://example.com/a?b=c|a link>", ":tada:", "*bold*", "_it_", "`code`", "\n", "\n\n\n", "émigré",
	"日本語", "🎉", "@here", "#teamwork", "```", ">", "a-very-long-wordwithoutanyspacesatallxxxxxxxxxxxxxxxx",
}

func kudosRandomReason(rng *rand.Rand) string {
	var sb strings.Builder
	n := []int{0, 20, 200, 1000, 1000, 3000}[rng.IntN(6)]
	for utf8.RuneCountInString(sb.String()) < n {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(kudosWords[rng.IntN(len(kudosWords))])
	}
	return sb.String()
}

func kudosRandomPost(rng *rand.Rand) kudosPost {
	k := kudosPost{
		Giver:   kudosRandomID(rng, "U"),
		Reason:  kudosRandomReason(rng),
		Private: rng.IntN(4) == 0,
		At:      kudosAt.Add(-time.Duration(rng.IntN(1000)) * time.Hour),
	}
	for range 1 + rng.IntN(10) {
		k.Receivers = append(k.Receivers, kudosRandomID(rng, "U"))
	}
	for range rng.IntN(14) {
		k.Values = append(k.Values, strings.Repeat(kudosWords[rng.IntN(len(kudosWords))], 1+rng.IntN(8)))
	}
	if rng.IntN(2) == 0 {
		k.Channel = kudosRandomID(rng, "C")
	}
	if rng.IntN(2) == 0 {
		k.Permalink = "https://acme.slack.com/archives/C0TEAM/p" + fmt.Sprint(rng.Uint64())
	}
	switch rng.IntN(4) {
	case 0:
		k.Link = "https://acme.slack.com/archives/C0TEAM/p" + fmt.Sprint(rng.Uint64())
	case 1:
		k.Link = "javascript:alert(1)|<!channel>"
	}
	return k
}

func kudosRandomCounts(rng *rand.Rand, n int) []personCount {
	var ps []personCount
	c := 1 + rng.IntN(50)
	for range n {
		ps = append(ps, personCount{kudosRandomID(rng, "U"), c})
		c = max(1, c-rng.IntN(3))
	}
	return ps
}

func kudosRandomValues(rng *rand.Rand, n int) []valueCount {
	var vs []valueCount
	for i := range n {
		vs = append(vs, valueCount{strings.Repeat(kudosWords[rng.IntN(len(kudosWords))], 1+rng.IntN(5)), 100 - i})
	}
	return vs
}

func kudosRandomBoard(rng *rand.Rand) leaderboard {
	lb := leaderboard{Reader: testReader, Period: []string{"week", "month", "year", "all", "quarter"}[rng.IntN(5)]}
	if lb.Period != "all" {
		lb.From = kudosAt.AddDate(0, 0, -rng.IntN(365))
		lb.To = kudosAt
	}
	if rng.IntN(4) > 0 {
		lb.Total = 1 + rng.IntN(5000)
		lb.Recognised = kudosRandomCounts(rng, rng.IntN(30))
		lb.Generous = kudosRandomCounts(rng, rng.IntN(30))
		lb.Values = kudosRandomValues(rng, rng.IntN(30))
	}
	return lb
}

func kudosRandomDigest(rng *rand.Rand) kudosDigest {
	d := kudosDigest{Reader: testReader, From: kudosAt.AddDate(0, 0, -7), To: kudosAt}
	if rng.IntN(5) > 0 {
		d.Count = 1 + rng.IntN(2000)
		d.Recognised = kudosRandomCounts(rng, rng.IntN(300))
		d.Values = kudosRandomValues(rng, rng.IntN(20))
	}
	return d
}

func kudosRandomModal(rng *rand.Rand) kudosForm {
	m := kudosForm{RequireValue: rng.IntN(2) == 0}
	if rng.IntN(2) == 0 {
		m.Channel = kudosRandomID(rng, "C")
	}
	if rng.IntN(2) == 0 {
		m.Link = "https://acme.slack.com/archives/C0TEAM/p" + fmt.Sprint(rng.Uint64())
	}
	for range rng.IntN(15) {
		m.Recipients = append(m.Recipients, kudosRandomID(rng, "U"))
	}
	for range []int{0, 0, 5, 150}[rng.IntN(4)] {
		m.Values = append(m.Values, strings.Repeat(kudosWords[rng.IntN(len(kudosWords))], 1+rng.IntN(20)))
	}
	return m
}

// kudosJSON is v as indented JSON without HTML escaping.
func kudosJSON(t *testing.T, v any) string {
	t.Helper()
	return string(kudosPretty(t, v))
}

// checkKudosLimits checks a rendered message or modal against Slack's Block
// Kit limits and the rule that the bot never adds a mass mention.
func checkKudosLimits(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Errorf("%s: marshal: %v", name, err)
		return
	}
	if len(raw) >= 40<<10 {
		t.Errorf("%s: %d bytes of JSON, want under 40 KB", name, len(raw))
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Errorf("%s: unmarshal: %v", name, err)
		return
	}
	blocks, _ := tree["blocks"].([]any)
	if tree["type"] == "modal" {
		if len(blocks) == 0 || len(blocks) > kudosViewMax {
			t.Errorf("%s: %d blocks in a view, want 1..%d", name, len(blocks), kudosViewMax)
		}
		for _, k := range []string{"title", "submit", "close"} {
			if s := kudosText(tree[k]); s == "" || utf8.RuneCountInString(s) > kudosViewTitle {
				t.Errorf("%s: view %s %q, want 1..%d chars", name, k, s, kudosViewTitle)
			}
		}
		meta, _ := tree["private_metadata"].(string)
		if len(meta) > 3000 || !json.Valid([]byte(meta)) {
			t.Errorf("%s: private_metadata %q is not JSON under 3000 chars", name, meta)
		}
	} else {
		text, _ := tree["text"].(string)
		if text == "" || utf8.RuneCountInString(text) > kudosFallback {
			t.Errorf("%s: text has %d chars, want 1..%d", name, utf8.RuneCountInString(text), kudosFallback)
		}
		if len(blocks) > kudosMessageMax {
			t.Errorf("%s: %d blocks, want at most %d", name, len(blocks), kudosMessageMax)
		}
	}
	kudosWalk(tree, func(obj map[string]any) {
		lim := func(what string, s string, n int) {
			if c := utf8.RuneCountInString(s); c > n || c == 0 {
				t.Errorf("%s: %s has %d chars, want 1..%d", name, what, c, n)
			}
		}
		switch obj["type"] {
		case "section":
			if _, ok := obj["text"]; ok {
				lim("section text", kudosText(obj["text"]), kudosSectionMax)
			}
			fields, _ := obj["fields"].([]any)
			if len(fields) > 10 {
				t.Errorf("%s: %d section fields", name, len(fields))
			}
			for _, f := range fields {
				lim("section field", kudosText(f), kudosFieldMax)
			}
		case "header":
			lim("header", kudosText(obj["text"]), kudosHeaderMax)
		case "context":
			els, _ := obj["elements"].([]any)
			if len(els) == 0 || len(els) > 10 {
				t.Errorf("%s: context with %d elements", name, len(els))
			}
		case "button":
			lim("button text", kudosText(obj["text"]), 75)
		case "multi_static_select":
			opts, _ := obj["options"].([]any)
			if len(opts) == 0 || len(opts) > kudosOptionsMax {
				t.Errorf("%s: %d select options, want 1..%d", name, len(opts), kudosOptionsMax)
			}
		case "input":
			lim("input label", kudosText(obj["label"]), 2000)
		}
		if _, ok := obj["value"]; ok && obj["text"] != nil {
			lim("option text", kudosText(obj["text"]), kudosOptionMax)
		}
	}, func(s string) {
		for _, bad := range []string{"<!here", "<!channel", "<!everyone", "<!subteam"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s: contains %q: %q", name, bad, s)
			}
		}
		if strings.Contains(s, "&amp;amp;") {
			t.Errorf("%s: double-escaped text: %q", name, s)
		}
	})
}

func kudosText(v any) string {
	obj, _ := v.(map[string]any)
	s, _ := obj["text"].(string)
	return s
}

// kudosWalk calls obj for every JSON object and str for every string in v.
func kudosWalk(v any, obj func(map[string]any), str func(string)) {
	switch v := v.(type) {
	case string:
		str(v)
	case []any:
		for _, e := range v {
			kudosWalk(e, obj, str)
		}
	case map[string]any:
		obj(v)
		for _, e := range v {
			kudosWalk(e, obj, str)
		}
	}
}
