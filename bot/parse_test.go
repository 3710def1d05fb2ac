package bot

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// parseKudosTests is shared with the fuzz tests' seed corpus (see
// testdata/fuzz/FuzzParseKudos): every input here was also a seed.
var parseKudosTests = []struct {
	in   string
	want kudosCommand
	err  string // a substring of the userError message; "" when no error
}{
	// Form, help, leaderboard.
	{in: "", want: kudosCommand{kind: kudosOpenModal}},
	{in: " \t\n", want: kudosCommand{kind: kudosOpenModal}},
	{in: "help", want: kudosCommand{kind: kudosHelp}},
	{in: "HELP me", want: kudosCommand{kind: kudosHelp}},
	{in: "top", want: kudosCommand{kind: kudosTop, period: "month"}},
	{in: "top week", want: kudosCommand{kind: kudosTop, period: "week"}},
	{in: "Top YEAR", want: kudosCommand{kind: kudosTop, period: "year"}},
	{in: "top all", want: kudosCommand{kind: kudosTop, period: "all"}},
	{in: "top all time", want: kudosCommand{kind: kudosTop, period: "all"}},
	{in: "leaderboard this week", want: kudosCommand{kind: kudosTop, period: "week"}},
	{in: "top  this   month", want: kudosCommand{kind: kudosTop, period: "month"}},
	{in: "top fortnight", err: "`week`, `month`, `year` or `all`"},
	{in: "top <@U012ABC>", err: "I don't know the period"},

	// Show.
	{in: "<@U012ABC>", want: kudosCommand{kind: kudosShow, users: []string{"U012ABC"}}},
	{in: "  <@W012ABC|alice>  ", want: kudosCommand{kind: kudosShow, users: []string{"W012ABC"}}},
	{in: "<!subteam^S012AB|@design>", err: "works for one person"},

	// Give: recipients.
	{in: "<@U012ABC> for untangling the deploy #teamwork",
		want: kudosCommand{kind: kudosGive, users: []string{"U012ABC"}, reason: "for untangling the deploy", values: []string{"teamwork"}}},
	{in: "<@U012ABC|alice smith> for the demo",
		want: kudosCommand{kind: kudosGive, users: []string{"U012ABC"}, reason: "for the demo"}},
	{in: "<@U1|maya>, <@U2|sam> and <@W3|lee> for pairing all week",
		want: kudosCommand{kind: kudosGive, users: []string{"U1", "U2", "W3"}, reason: "for pairing all week"}},
	{in: "<@U1>,<@U2>, thanks for the cover",
		want: kudosCommand{kind: kudosGive, users: []string{"U1", "U2"}, reason: "thanks for the cover"}},
	{in: "<@U1> &amp; <@U2> + <@U3> AND <@U4> for the offsite",
		want: kudosCommand{kind: kudosGive, users: []string{"U1", "U2", "U3", "U4"}, reason: "for the offsite"}},
	{in: "<@U1> <@U1|maya> <@U2> <@U1> for the review",
		want: kudosCommand{kind: kudosGive, users: []string{"U1", "U2"}, reason: "for the review"}},
	{in: "<!subteam^S012AB|@design> for the new onboarding flow",
		want: kudosCommand{kind: kudosGive, groups: []string{"S012AB"}, reason: "for the new onboarding flow"}},
	{in: "<!subteam^S012AB> and <@U1> for the launch",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, groups: []string{"S012AB"}, reason: "for the launch"}},
	{in: "<!subteam^S1> <!subteam^S1|@design team> <!subteam^S2> for it",
		want: kudosCommand{kind: kudosGive, groups: []string{"S1", "S2"}, reason: "for it"}},
	{in: "<@U1> <@U2>", want: kudosCommand{kind: kudosGive, users: []string{"U1", "U2"}}},
	{in: "<@U1>,", want: kudosCommand{kind: kudosGive, users: []string{"U1"}}},
	{in: "<@U1> and <#C012AB|general> for the fix",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "and <#C012AB|general> for the fix"}},
	{in: "<@U1> and the whole team for the fix",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "and the whole team for the fix"}},
	{in: "<@U1>, and the whole team for the fix",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "and the whole team for the fix"}},
	{in: "<@U1> for pairing with <@U2|sam> on the migration",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for pairing with <@U2|sam> on the migration"}},
	{in: "<@U1>'s demo was great",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "<@U1>'s demo was great"}},

	// Private.
	{in: "private <@U1> for the quiet help",
		want: kudosCommand{kind: kudosGive, private: true, users: []string{"U1"}, reason: "for the quiet help"}},
	{in: "PRIVATE <@U1>", want: kudosCommand{kind: kudosGive, private: true, users: []string{"U1"}}},
	{in: "private", err: "Who is it for? Pick people from the list that pops up as you type @ and their name, so Slack links them, like `/kudos private @maya"},
	{in: "private great job", err: "/kudos private @maya"},

	// No recipients, unresolved names, broadcasts.
	{in: "great job everyone", err: "/kudos @maya for untangling the deploy #teamwork"},
	{in: "for <@U1> great job", err: "Who is it for?"},
	{in: "@bob for the help", err: "can't find @bob in this workspace."},
	{in: "<@U1> and @Bob, for the help", err: "can't find @Bob in this workspace."},
	{in: "<@u1> lower-case IDs are not Slack's", err: "Who is it for?"},
	{in: "<!here> great job", err: "Kudos go to people"},
	{in: "<@U1> and <!channel|channel> thanks", err: "Kudos go to people"},
	{in: "<!everyone>", err: "Kudos go to people"},
	{in: "@here thanks", err: "Kudos go to people"},
	{in: "<!date^1392734382^{date_num}|Feb 18, 2014> standup", err: "Who is it for?"},

	// Values.
	{in: "<@U1> for the deploy #TeamWork #Craft",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the deploy", values: []string{"teamwork", "craft"}}},
	{in: "<@U1> for the #teamwork on the release #craft",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the #teamwork on the release", values: []string{"teamwork", "craft"}}},
	{in: "<@U1> for the release <#C012AB|teamwork>",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the release", values: []string{"teamwork"}}},
	{in: "<@U1> for posting in <#C012AB|general> every day",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for posting in <#C012AB|general> every day"}},
	{in: "<@U1> for the notes in <#G012AB|>",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the notes in <#G012AB|>"}},
	{in: "<@U1> for the fix #teamwork, <#C9|Craft> and #TEAMWORK.",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the fix", values: []string{"teamwork", "craft"}}},
	{in: "<@U1> #teamwork", want: kudosCommand{kind: kudosGive, users: []string{"U1"}, values: []string{"teamwork"}}},
	{in: "<@U1> for being #1 again",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for being #1 again"}},
	{in: "<@U1> merci #équipe",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "merci #équipe"}},
	{in: "<@U1|Maya> <!subteam^S9|@eng> for shipping #Ship-It #dev_ex",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, groups: []string{"S9"}, reason: "for shipping", values: []string{"ship-it", "dev_ex"}}},

	// Reasons kept as typed.
	{in: "<@U1> for salt &amp; pepper &lt;3",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for salt &amp; pepper &lt;3"}},
	{in: "<@U1> for the fix &lt; 5 min <",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the fix &lt; 5 min <"}},
	{in: "<@U1> for a < b and c > d",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for a < b and c > d"}},
	{in: "<@U1 for the help", err: "Who is it for?"},
	{in: "<@U1> <3 you <@U2>",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "<3 you <@U2>"}},
	{in: "<@U1> 🎉🎉🎉", want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "🎉🎉🎉"}},
	{in: "<@U1> 👩‍💻 🙌🏽", want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "👩‍💻 🙌🏽"}},
	{in: "\u200b<@U1>\u200b for the review\u200b",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the review"}},
	{in: "\u200f<@U1|مريم>\u200f شكرا على المساعدة",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "شكرا على المساعدة"}},
	{in: "<@U1> <https://example.com/pr/1|the PR> was clean",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "<https://example.com/pr/1|the PR> was clean"}},
	{in: "<@U1>\nfor the\n  multi-line  reason\n#craft\n",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the\n  multi-line  reason", values: []string{"craft"}}},
	{in: "<@U1> for the <!date^1392734382^{date}|Feb 18> demo",
		want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: "for the <!date^1392734382^{date}|Feb 18> demo"}},
	{in: long4000, want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: long4000[len("<@U1> "):]}},
	{in: strings.Repeat("<", 4000), err: "Who is it for?"},
	{in: "<@U1> " + strings.Repeat("<@U2", 1000), want: kudosCommand{kind: kudosGive, users: []string{"U1"}, reason: strings.Repeat("<@U2", 1000)}},
}

// long4000 is a 4,000-character command, Slack's practical limit.
var long4000 = "<@U1> " + strings.Repeat("word ", 798) + "word"

func TestParseKudos(t *testing.T) {
	t.Parallel()
	if len(long4000) != 4000 {
		t.Fatalf("len(long4000) = %d, want 4000", len(long4000))
	}
	for _, tt := range parseKudosTests {
		got, err := parseKudos(tt.in)
		if tt.err != "" {
			var ue *userError
			if !errors.As(err, &ue) || !strings.Contains(ue.msg, tt.err) {
				t.Errorf("parseKudos(%q) = %s, %v, want a userError containing %q", tt.in, cmdString(got), err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseKudos(%q) = %s, %v, want %s", tt.in, cmdString(got), err, cmdString(tt.want))
		}
	}
}

// cmdString shows a command in failure messages, with its kind by name.
func cmdString(c kudosCommand) string {
	return fmt.Sprintf("{%v private:%v users:%q groups:%q reason:%q values:%q period:%q}",
		c.kind, c.private, c.users, c.groups, c.reason, c.values, c.period)
}

// Ensure every error parseKudos returns is for the person: friendly and
// with an example of the right syntax.
func TestParseKudosErrorsShowSyntax(t *testing.T) {
	t.Parallel()
	for _, tt := range parseKudosTests {
		if tt.err == "" {
			continue
		}
		_, err := parseKudos(tt.in)
		msg, internal := userMessage(err)
		if internal || !strings.Contains(msg, "`/kudos") {
			t.Errorf("parseKudos(%q) error = %q, want a user message with a `/kudos …` example", tt.in, msg)
		}
	}
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	type tok struct {
		kind      tokenKind
		raw       string
		id, label string
	}
	tests := []struct {
		in   string
		want []tok
	}{
		{"", nil},
		{"  \n\t ", nil},
		{"thanks  a\tlot", []tok{{tokWord, "thanks", "", ""}, {tokWord, "a", "", ""}, {tokWord, "lot", "", ""}}},
		{"<@U012ABC> <@W012ABC|alice smith>", []tok{
			{tokUserMention, "<@U012ABC>", "U012ABC", ""},
			{tokUserMention, "<@W012ABC|alice smith>", "W012ABC", "alice smith"},
		}},
		{"<!subteam^S012AB|@design> <!subteam^S012AB>", []tok{
			{tokGroupMention, "<!subteam^S012AB|@design>", "S012AB", "@design"},
			{tokGroupMention, "<!subteam^S012AB>", "S012AB", ""},
		}},
		{"<!here> <!channel|channel> <!everyone>", []tok{
			{tokBroadcast, "<!here>", "here", ""},
			{tokBroadcast, "<!channel|channel>", "channel", "channel"},
			{tokBroadcast, "<!everyone>", "everyone", ""},
		}},
		{"<#C012AB|teamwork> <#G012AB|>", []tok{
			{tokChannelRef, "<#C012AB|teamwork>", "C012AB", "teamwork"},
			{tokChannelRef, "<#G012AB|>", "G012AB", ""},
		}},
		{"<https://x.io/a?b=1&amp;c=2|the x> <mailto:bob@example.com|bob@example.com>", []tok{
			{tokLink, "<https://x.io/a?b=1&amp;c=2|the x>", "https://x.io/a?b=1&amp;c=2", "the x"},
			{tokLink, "<mailto:bob@example.com|bob@example.com>", "mailto:bob@example.com", "bob@example.com"},
		}},
		{"<!date^1392734382^{date}|Feb 18>", []tok{{tokWord, "<!date^1392734382^{date}|Feb 18>", "date^1392734382^{date}", "Feb 18"}}},
		// Entities are cut from glued text; '<' that opens nothing is text.
		{"hi<@U1>,<@U2>!", []tok{
			{tokWord, "hi", "", ""}, {tokUserMention, "<@U1>", "U1", ""}, {tokWord, ",", "", ""},
			{tokUserMention, "<@U2>", "U2", ""}, {tokWord, "!", "", ""},
		}},
		{"a < b <@U1> c > d", []tok{
			{tokWord, "a", "", ""}, {tokWord, "<", "", ""}, {tokWord, "b", "", ""}, {tokUserMention, "<@U1>", "U1", ""},
			{tokWord, "c", "", ""}, {tokWord, ">", "", ""}, {tokWord, "d", "", ""},
		}},
		{"<3 you <@bob> <@U1", []tok{{tokWord, "<3", "", ""}, {tokWord, "you", "", ""}, {tokWord, "<@bob>", "", ""}, {tokWord, "<@U1", "", ""}}},
		{"<<@U1>>", []tok{{tokWord, "<", "", ""}, {tokUserMention, "<@U1>", "U1", ""}, {tokWord, ">", "", ""}}},
		{"&amp; &lt;3", []tok{{tokWord, "&amp;", "", ""}, {tokWord, "&lt;3", "", ""}}},
		{"\u200b\u200fhi\u200e\ufeffthere\u2060", []tok{{tokWord, "hi", "", ""}, {tokWord, "there", "", ""}}},
		{"👩‍💻\u00a0🎉", []tok{{tokWord, "👩‍💻", "", ""}, {tokWord, "🎉", "", ""}}},
	}
	for _, tt := range tests {
		var got []tok
		for _, tk := range tokenize(tt.in) {
			got = append(got, tok{tk.kind, tk.raw, tk.id, tk.label})
			if tt.in[tk.start:tk.end] != tk.raw {
				t.Errorf("tokenize(%q): token %q has offsets [%d:%d] = %q", tt.in, tk.raw, tk.start, tk.end, tt.in[tk.start:tk.end])
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokenize(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseUserMention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		wantID string
		wantOK bool
	}{
		{"<@U012ABC>", "U012ABC", true},
		{"<@W012ABC|alice smith>", "W012ABC", true},
		{" <@U1|> ", "U1", true},
		{"<@U1>x", "", false},
		{"<@U1><@U2>", "", false},
		{"<@u012abc>", "", false},
		{"<@B012ABC>", "", false},
		{"<@U>", "", false},
		{"<!subteam^S012AB|@design>", "", false},
		{"<!here>", "", false},
		{"<#C012AB|general>", "", false},
		{"@alice", "", false},
		{"<@U1", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		id, ok := parseUserMention(tt.in)
		if id != tt.wantID || ok != tt.wantOK {
			t.Errorf("parseUserMention(%q) = %q, %v, want %q, %v", tt.in, id, ok, tt.wantID, tt.wantOK)
		}
	}
}

func TestWordCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"for untangling the deploy", 4},
		{"for untangling the deploy #teamwork #craft", 4},
		{"for the #teamwork on it", 5},
		{"for pairing with <@U2|sam lee>", 4},
		{"<https://x.io|the long PR title> rocks", 2},
		{"<#C1|general> <!subteam^S1|@design> <!here>", 3},
		{"salt &amp; pepper", 2},
		{"great - job !!", 2},
		{"🎉🎉🎉", 0},
		{"🎉 🎉 🎉", 0},
		{":tada: :tada:", 0},
		{":tada: great job :+1::skin-tone-2:", 2},
		{"شكرا على المساعدة", 3},
		{"感谢你的帮助", 3},
		{"ありがとう", 2},
		{"thanks <#C1|teamwork>", 1},
		{"we're #1", 2},
		{"x\u200by\u200bz", 3},
	}
	for _, tt := range tests {
		if got := wordCount(tt.in); got != tt.want {
			t.Errorf("wordCount(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestPlainLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"a &amp; b", 5},
		{"&lt;3 &gt;", 4},
		{"&amp;lt;", 4}, // decoded once: "&lt;"
		{"hi <@U1|maya>", 7},
		{"hi <@U012ABC>", 10},
		{"<!subteam^S1|@design team>", 12},
		{"<#G012AB|>", 6},
		{"<https://example.com/a|PR> ok", 5},
		{"<https://x.io>", 12},
		{"<!here>", 4},
		{"a  b\nc", 6},
		{"🎉👩‍💻", 4},
		{"a < b", 5},
	}
	for _, tt := range tests {
		if got := plainLength(tt.in); got != tt.want {
			t.Errorf("plainLength(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// Ensure every cut or trim of escaped user text leaves entities and <…>
// tokens whole.
func TestCutsKeepEntitiesWhole(t *testing.T) {
	for _, tt := range []struct {
		name, got, want string
	}{
		{"trim keeps &gt;", trimRightEscaped("prod &gt;", isTrailingPunct), "prod &gt;"},
		{"trim keeps &amp;", trimRightEscaped("A &amp;;", isTrailingPunct), "A &amp;"},
		{"trim drops punctuation", trimRightEscaped("@bob,;", isTrailingPunct), "@bob"},
		{"trim stops at a token", trimRightEscaped("<@U1>", func(rune) bool { return true }), "<@U1>"},
		{"typed name", func() string { n, _ := typedName("@bob&amp;"); return n }(), "@bob&amp;"},
		{"truncate before an entity", truncate("abcdef&amp;gh", 9), "abcdef…"},
		{"truncate before a mention", truncate("hi <@U12345> there", 8), "hi…"},
		{"quoteDue before an entity", quoteDue(strings.Repeat("a", 37) + "&gt;&gt;"), strings.Repeat("a", 37) + "…"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
