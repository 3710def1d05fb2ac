package slacktest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// blocktextNames resolves the IDs the tables below use.
var blocktextNames = slacktest.Names{
	User: func(id string) string {
		return map[string]string{"U1": "maya", "U2": "jo"}[id]
	},
	Channel: func(id string) string {
		return map[string]string{"C1": "general"}[id]
	},
}

// Ensure a date token is shown in the reader's zone, with Slack's format
// tokens, when Names has one: a New Yorker reads 09:00 for a due time
// of 14:00 UTC.
func TestRenderTextLocalDates(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	names := slacktest.Names{Zone: ny, Now: func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, ny) }}
	tests := []struct{ in, want string }{
		{fmt.Sprintf("by <!date^%d^{date_short_pretty} at {time}|Tue 1 Dec, 14:00 UTC>.", due.Unix()), "by tomorrow at 09:00."},
		{fmt.Sprintf("<!date^%d^{date_short} {time_secs}|x>", due.Unix()), "Dec 1, 2026 09:00:00"},
		{fmt.Sprintf("<!date^%d^{date_num}|x>", due.Unix()), "2026-12-01"},
		{fmt.Sprintf("<!date^%d^{date_long}|x>", due.Unix()), "Tuesday, December 1st, 2026"},
		{fmt.Sprintf("<!date^%d^{date_pretty}|x>", due.AddDate(0, 0, 2).Unix()), "December 3rd, 2026"},
		{fmt.Sprintf("<!date^%d^{date_pretty}|x>", due.AddDate(0, 0, -2).Unix()), "yesterday"},
		{fmt.Sprintf("<!date^%d^{date}^https://x.io|x>", due.AddDate(0, 0, 10).Unix()), "December 11th, 2026"},
	}
	for _, tt := range tests {
		if got := slacktest.RenderText(tt.in, names); got != tt.want {
			t.Errorf("RenderText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Without a zone, the fallback: what the message says for everyone.
	if got := slacktest.RenderText(tests[0].in, slacktest.Names{}); got != "by Tue 1 Dec, 14:00 UTC." {
		t.Errorf("without a zone: %q", got)
	}
}

func TestRenderText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		// Mentions, resolved by Names first, then by their label.
		{"hi <@U1>", "hi @maya"},
		{"<@U1|someone>", "@maya"},
		{"<@U9>", "@U9"},
		{"<@U9|sam>", "@sam"},
		{"<#C1>", "#general"},
		{"<#C1|old-name>", "#general"},
		{"<#C9|random>", "#random"},
		{"<#C9>", "#C9"},
		{"<!here> <!channel> <!everyone>", "@here @channel @everyone"},
		{"<!here|@here>", "@here"},
		{"<!subteam^S1|@eng>", "@eng"},
		{"<!subteam^S1|eng>", "@eng"},
		{"<!subteam^S1>", "@S1"},
		// Dates show their fallback, or the time in UTC without one.
		{"due <!date^1700000000^{date_short} at {time}|Nov 14, 22:13>", "due Nov 14, 22:13"},
		{"<!date^1700000000^{date_short}>", "2023-11-14 22:13 UTC"},
		// Block quotes read as e-mail quotes; an escaped ">" is no quote.
		{">thanks for the deploy\n>and the docs", "> thanks for the deploy\n> and the docs"},
		{"> already spaced", "> already spaced"},
		{"&gt;not a quote", ">not a quote"},
		// Links.
		{"<https://x.io|the docs>", "the docs (https://x.io)"},
		{"<https://x.io>", "https://x.io"},
		{"<https://x.io|https://x.io>", "https://x.io"},
		{"<mailto:a@b.io|a@b.io>", "a@b.io"},
		{"<mailto:a@b.io|Ann>", "Ann (a@b.io)"},
		{"<https://x.io/?a=1&amp;b=2|Q&amp;A>", "Q&A (https://x.io/?a=1&b=2)"},
		{"<https://x.io|:link: docs>", "🔗 docs (https://x.io)"},
		// Entities, unescaped once, after the markup is read.
		{"a &lt;b&gt; &amp; c", "a <b> & c"},
		{"&amp;lt;", "&lt;"},
		{"&lt;@U1&gt;", "<@U1>"},
		{"a < b <@U1>", "a < b @maya"},
		{"open <@U1", "open <@U1"},
		// Emoji, and what must not become one.
		{":wave: *Coffee time!*", "👋 *Coffee time!*"},
		{":+1::skin-tone-2: thanks", "👍 thanks"},
		{":wave::skin-tone-6:", "👋"},
		{"at 10:00:30", "at 10:00:30"},
		{"09:00–12:00 :tada:", "09:00–12:00 🎉"},
		{"Mon 09:00 :00: 10:100:", "Mon 09:00 :00: 10:100:"},
		{":not_an_emoji: :tada", ":not_an_emoji: :tada"},
		{"id 42:cant:3", "id 42:cant:3"},
		{"::", "::"},
		// Formatting markers stay.
		{"*bold* _it_ ~gone~ `/kudos`", "*bold* _it_ ~gone~ `/kudos`"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := slacktest.RenderText(tt.in, blocktextNames); got != tt.want {
			t.Errorf("RenderText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	// Ensure missing lookups leave IDs as they are.
	if got, want := slacktest.RenderText("<@U1> in <#C1>", slacktest.Names{}), "@U1 in #C1"; got != want {
		t.Errorf("RenderText with no Names = %q, want %q", got, want)
	}
}

func TestRenderBlocks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		blocks string
		want   string
	}{
		{"Empty", ``, ``},
		{"Null", `null`, ``},
		{"Invalid", `[{"type":"divider"}`, ``},
		{"NotArray", `{"type":"divider"}`, ``},
		{"TrailingData", `[] []`, ``},
		{"NoBlocks", `[]`, ``},
		{"UnknownSkipped", `[{"type":"call"},{"type":"divider"},"junk"]`, strings.Repeat("─", 40)},
		{
			"Header",
			`[{"type":"header","text":{"type":"plain_text","text":":tada: Kudos this week","emoji":true}}]`,
			"🎉 Kudos this week\n" + strings.Repeat("═", 18),
		},
		{
			"HeaderEmojiOff",
			`[{"type":"header","text":{"type":"plain_text","text":":tada: Hi","emoji":false}}]`,
			":tada: Hi\n" + strings.Repeat("═", 9),
		},
		{
			"SectionText",
			`[{"type":"section","text":{"type":"mrkdwn","text":"*Hi* <@U1>\n• one &amp; two"}}]`,
			"*Hi* @maya\n• one & two",
		},
		{
			"SectionPlainText",
			`[{"type":"section","text":{"type":"plain_text","text":"<@U1> :wave:"}}]`,
			"<@U1> 👋",
		},
		{
			"SectionButton",
			`[{"type":"section","text":{"type":"mrkdwn","text":"*Coffee chats*\nYou're in."},
			  "accessory":{"type":"button","action_id":"pause","text":{"type":"plain_text","text":"Pause coffee"},"value":"pause"}}]`,
			"*Coffee chats*\nYou're in.  [ Pause coffee ]",
		},
		{
			"SectionImage",
			`[{"type":"section","text":{"type":"mrkdwn","text":"Maya"},
			  "accessory":{"type":"image","image_url":"https://x.io/a.png","alt_text":"Maya's avatar"}}]`,
			"Maya  [image: Maya's avatar]",
		},
		{
			"SectionSelect",
			`[{"type":"section","text":{"type":"mrkdwn","text":"Frequency"},
			  "accessory":{"type":"static_select","action_id":"f","placeholder":{"type":"plain_text","text":"Choose"},
			    "options":[{"text":{"type":"plain_text","text":"Weekly"},"value":"w"},{"text":{"type":"plain_text","text":"Monthly"},"value":"m"}],
			    "initial_option":{"text":{"type":"plain_text","text":"Monthly"},"value":"m"}}}]`,
			"Frequency  [ Monthly ▾ ]\n  ▾ Weekly | Monthly",
		},
		{
			"SectionOverflow",
			`[{"type":"section","text":{"type":"mrkdwn","text":"Kudos #4"},
			  "accessory":{"type":"overflow","action_id":"o","options":[
			    {"text":{"type":"plain_text","text":"Edit"},"value":"e"},{"text":{"type":"plain_text","text":"Delete"},"value":"d"}]}}]`,
			"Kudos #4  [ ⋯ ]\n  ⋯ Edit | Delete",
		},
		{
			"SectionFields",
			`[{"type":"section","fields":[{"type":"mrkdwn","text":"*Rounds*\n12"},{"type":"mrkdwn","text":"*Members*\n52 · 4 paused\nall active"}]}]`,
			"▪ *Rounds*\n  12\n▪ *Members*\n  52 · 4 paused\n  all active",
		},
		{
			"SectionFieldsAccessoryNoText",
			`[{"type":"section","fields":[{"type":"plain_text","text":"One"}],
			  "accessory":{"type":"button","text":{"type":"plain_text","text":"Go"}}}]`,
			"[ Go ]\n▪ One",
		},
		{
			"Context",
			`[{"type":"context","elements":[
			  {"type":"image","image_url":"https://x.io/a.png","alt_text":"maya"},
			  {"type":"mrkdwn","text":"Thank someone with ` + "`/kudos`" + `"},
			  {"type":"image","image_url":"https://x.io/b.png","alt_text":""},
			  {"type":"plain_text","text":"two\nlines"}]}]`,
			"  maya  Thank someone with `/kudos`  two\n  lines",
		},
		{"ContextEmpty", `[{"type":"context","elements":[]}]`, ``},
		{"Divider", `[{"type":"divider"}]`, strings.Repeat("─", 40)},
		{
			"ActionsButtons",
			`[{"type":"actions","elements":[
			  {"type":"button","action_id":"met","style":"primary","text":{"type":"plain_text","text":"We met ☕"},"value":"42:3"},
			  {"type":"button","action_id":"cant","style":"danger","text":{"type":"plain_text","text":"Can't make it"},"value":"42:3"},
			  {"type":"button","action_id":"docs","text":{"type":"plain_text","text":"Docs"},"url":"https://x.io"}]}]`,
			"[ We met ☕ ]  [ Can't make it ]  [ Docs ↗ ]",
		},
		{
			"ActionsSelects",
			`[{"type":"actions","elements":[
			  {"type":"static_select","action_id":"s","placeholder":{"type":"plain_text","text":"Pick a time"},
			    "option_groups":[
			      {"label":{"type":"plain_text","text":"Morning"},"options":[{"text":{"type":"plain_text","text":"09:00"},"value":"9"}]},
			      {"label":{"type":"plain_text","text":"Afternoon"},"options":[{"text":{"type":"plain_text","text":"14:00"},"value":"14"}]}]},
			  {"type":"multi_static_select","action_id":"m","placeholder":{"type":"plain_text","text":"Values"},
			    "options":[{"text":{"type":"plain_text","text":"#care"},"value":"c"},{"text":{"type":"plain_text","text":"#craft"},"value":"k"}],
			    "initial_options":[{"text":{"type":"plain_text","text":"#care"},"value":"c"},{"text":{"type":"plain_text","text":"#craft"},"value":"k"}]},
			  {"type":"overflow","action_id":"o","options":[{"text":{"type":"plain_text","text":"Mute"},"value":"m"}]}]}]`,
			"[ Pick a time ▾ ]  [ #care, #craft ▾ ]  [ ⋯ ]\n  ▾ 09:00 | 14:00\n  ▾ #care | #craft\n  ⋯ Mute",
		},
		{
			"ActionsPeopleAndChannels",
			`[{"type":"actions","elements":[
			  {"type":"users_select","action_id":"u","initial_user":"U1"},
			  {"type":"multi_users_select","action_id":"mu","initial_users":["U2","U9"]},
			  {"type":"users_select","action_id":"u2","placeholder":{"type":"plain_text","text":"Choose someone"}},
			  {"type":"conversations_select","action_id":"c","initial_conversation":"C1"},
			  {"type":"channels_select","action_id":"ch","initial_channel":"C9"},
			  {"type":"multi_conversations_select","action_id":"mc","initial_conversations":["C1","C9"]}]}]`,
			"[ @maya ▾ ]  [ @jo, @U9 ▾ ]  [ Choose someone ▾ ]  [ #general ▾ ]  [ #C9 ▾ ]  [ #general, #C9 ▾ ]",
		},
		{
			"ActionsPickers",
			`[{"type":"actions","elements":[
			  {"type":"datepicker","action_id":"d","initial_date":"2026-12-01"},
			  {"type":"datepicker","action_id":"d2","placeholder":{"type":"plain_text","text":"Pick a day"}},
			  {"type":"timepicker","action_id":"t","initial_time":"09:30"},
			  {"type":"datetimepicker","action_id":"dt","initial_date_time":1700000000}]}]`,
			"[ 📅 2026-12-01 ]  [ 📅 Pick a day ]  [ 🕘 09:30 ]  [ 📅 2023-11-14 22:13 UTC ]",
		},
		{
			"ActionsChoices",
			`[{"type":"actions","elements":[
			  {"type":"checkboxes","action_id":"c","options":[
			    {"text":{"type":"mrkdwn","text":"*Kudos*"},"value":"k"},{"text":{"type":"plain_text","text":"Digest"},"value":"d"}],
			    "initial_options":[{"text":{"type":"mrkdwn","text":"*Kudos*"},"value":"k"}]},
			  {"type":"radio_buttons","action_id":"r","options":[
			    {"text":{"type":"plain_text","text":"Weekly"},"value":"w"},{"text":{"type":"plain_text","text":"Monthly"},"value":"m"}],
			    "initial_option":{"text":{"type":"plain_text","text":"Monthly"},"value":"m"}},
			  {"type":"workflow_button","text":{"type":"plain_text","text":"Run"}},
			  {"type":"some_future_element"}]}]`,
			"☑ *Kudos*  ☐ Digest  ○ Weekly  ◉ Monthly  [ Run ]  [ some_future_element ]",
		},
		{
			"InputTextEmpty",
			`[{"type":"input","label":{"type":"plain_text","text":"What for?"},
			  "element":{"type":"plain_text_input","action_id":"r","multiline":true,"placeholder":{"type":"plain_text","text":"Be specific."}}}]`,
			"What for?\n  [ _Be specific._ ]",
		},
		{
			"InputTextOptionalWithHint",
			`[{"type":"input","optional":true,"label":{"type":"plain_text","text":"Time zone"},
			  "hint":{"type":"plain_text","text":"Only if Slack's is wrong."},
			  "element":{"type":"plain_text_input","action_id":"tz","initial_value":"Europe/Berlin","placeholder":{"type":"plain_text","text":"e.g. Europe/Paris"}}}]`,
			"Time zone (optional)\n  [ Europe/Berlin ]\n  Only if Slack's is wrong.",
		},
		{
			"InputTextMultilineValue",
			`[{"type":"input","label":{"type":"plain_text","text":"Style"},
			  "element":{"type":"plain_text_input","multiline":true,"initial_value":"Async first.\nNo calls."}}]`,
			"Style\n  [ Async first. ⏎ No calls. ]",
		},
		{
			"InputNumberBare",
			`[{"type":"input","label":{"type":"plain_text","text":"Days"},"element":{"type":"number_input","is_decimal_allowed":false}}]`,
			"Days\n  [ ____ ]",
		},
		{
			"InputSelect",
			`[{"type":"input","label":{"type":"plain_text","text":"Work starts"},
			  "element":{"type":"static_select","action_id":"start","placeholder":{"type":"plain_text","text":"Pick a time"},
			    "initial_option":{"text":{"type":"plain_text","text":"08:30"},"value":"08:30"},
			    "options":[{"text":{"type":"plain_text","text":"08:00"},"value":"08:00"},{"text":{"type":"plain_text","text":"08:30"},"value":"08:30"}]}}]`,
			"Work starts\n  [ 08:30 ▾ ]\n  ▾ 08:00 | 08:30",
		},
		{
			"InputUsers",
			`[{"type":"input","label":{"type":"plain_text","text":"Who do you want to thank?"},
			  "element":{"type":"multi_users_select","action_id":"recipients","initial_users":["U1","U2"],"placeholder":{"type":"plain_text","text":"Choose people"}}}]`,
			"Who do you want to thank?\n  [ @maya, @jo ▾ ]",
		},
		{
			"InputCheckboxes",
			`[{"type":"input","optional":true,"label":{"type":"plain_text","text":"Messages I send you"},
			  "hint":{"type":"plain_text","text":"Unchecked ones stop."},
			  "element":{"type":"checkboxes","action_id":"dms",
			    "options":[
			      {"text":{"type":"plain_text","text":"Kudos DMs"},"description":{"type":"plain_text","text":"When someone thanks you"},"value":"kudos"},
			      {"text":{"type":"plain_text","text":"Digests"},"value":"digest"}],
			    "initial_options":[{"text":{"type":"plain_text","text":"Kudos DMs"},"value":"kudos"}]}}]`,
			"Messages I send you (optional)\n  ☑ Kudos DMs — When someone thanks you\n  ☐ Digests\n  Unchecked ones stop.",
		},
		{
			"InputRadio",
			`[{"type":"input","label":{"type":"plain_text","text":"How often?"},
			  "element":{"type":"radio_buttons","action_id":"f","options":[
			    {"text":{"type":"plain_text","text":"Weekly"},"value":"w"},{"text":{"type":"plain_text","text":"Monthly"},"value":"m"}]}}]`,
			"How often?\n  ○ Weekly\n  ○ Monthly",
		},
		{
			"InputDate",
			`[{"type":"input","label":{"type":"plain_text","text":"Due"},"element":{"type":"datepicker","initial_date":"2026-12-01"}}]`,
			"Due\n  [ 📅 2026-12-01 ]",
		},
		{
			"Image",
			`[{"type":"image","image_url":"https://x.io/c.png","alt_text":"a chart","title":{"type":"plain_text","text":"Kudos by week"}},
			  {"type":"image","image_url":"https://x.io/d.png","alt_text":"a cat"}]`,
			"Kudos by week\n[image: a chart]\n[image: a cat]",
		},
		{
			"RichText",
			`[{"type":"rich_text","elements":[
			  {"type":"rich_text_section","elements":[
			    {"type":"text","text":"Hi "},{"type":"user","user_id":"U1"},{"type":"text","text":", "},
			    {"type":"text","text":"see ","style":{"bold":true}},{"type":"link","url":"https://x.io","text":"the docs"},
			    {"type":"text","text":" in "},{"type":"channel","channel_id":"C1"},{"type":"text","text":" "},
			    {"type":"emoji","name":"tada"},{"type":"emoji","name":"custom_parrot"},{"type":"emoji","name":"grinning_cat","unicode":"1f63a"},
			    {"type":"text","text":" "},{"type":"text","text":"run","style":{"code":true}},{"type":"text","text":" "},
			    {"type":"broadcast","range":"here"},{"type":"text","text":" by "},
			    {"type":"date","timestamp":1700000000,"format":"{date_short}","fallback":"Nov 14"},{"type":"text","text":"\n"}]},
			  {"type":"rich_text_list","style":"bullet","elements":[
			    {"type":"rich_text_section","elements":[{"type":"text","text":"one"}]},
			    {"type":"rich_text_section","elements":[{"type":"text","text":"two","style":{"italic":true,"strike":true}}]}]},
			  {"type":"rich_text_list","style":"ordered","indent":1,"offset":2,"elements":[
			    {"type":"rich_text_section","elements":[{"type":"text","text":"three"}]}]},
			  {"type":"rich_text_quote","elements":[{"type":"text","text":"quoted\nagain"}]},
			  {"type":"rich_text_preformatted","elements":[{"type":"text","text":"go test ./..."}]}]}]`,
			"Hi @maya, *see* the docs (https://x.io) in #general 🎉:custom_parrot:😺 `run` @here by Nov 14\n" +
				"• one\n• _~two~_\n  3. three\n> quoted\n> again\n```\ngo test ./...\n```",
		},
		{
			"Several",
			`[{"type":"section","text":{"type":"mrkdwn","text":"One"}},{"type":"divider"},{"type":"context","elements":[{"type":"mrkdwn","text":"two"}]}]`,
			"One\n" + strings.Repeat("─", 40) + "\n  two",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := slacktest.RenderBlocks(json.RawMessage(tt.blocks), blocktextNames); got != tt.want {
				t.Errorf("RenderBlocks(%s)\n got: %q\nwant: %q", tt.blocks, got, tt.want)
			}
		})
	}
}

func TestRenderView(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, view, want string
	}{
		{"Invalid", `[`, ``},
		{"NotObject", `[]`, ``},
		{
			"Modal",
			`{"type":"modal","callback_id":"kudos_modal",
			  "title":{"type":"plain_text","text":"Give kudos"},
			  "submit":{"type":"plain_text","text":"Send"},
			  "close":{"type":"plain_text","text":"Cancel"},
			  "blocks":[{"type":"input","label":{"type":"plain_text","text":"What for?"},
			    "element":{"type":"plain_text_input","placeholder":{"type":"plain_text","text":"Be specific."}}}]}`,
			"Give kudos\n══════════\nWhat for?\n  [ _Be specific._ ]\n\n[ Send ]  [ Cancel ]",
		},
		{
			"ModalCloseOnly",
			`{"type":"modal","title":{"type":"plain_text","text":"Stats"},"close":{"type":"plain_text","text":"Done"},
			  "blocks":[{"type":"section","text":{"type":"mrkdwn","text":"12 rounds"}}]}`,
			"Stats\n═════\n12 rounds\n\n[ Done ]",
		},
		{
			"Home",
			`{"type":"home","blocks":[{"type":"section","text":{"type":"mrkdwn","text":":wave: Hi <@U1>"}},{"type":"divider"}]}`,
			"👋 Hi @maya\n" + strings.Repeat("─", 40),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := slacktest.RenderView(json.RawMessage(tt.view), blocktextNames); got != tt.want {
				t.Errorf("RenderView(%s)\n got: %q\nwant: %q", tt.view, got, tt.want)
			}
		})
	}
}

// Ensure a menu of more than 10 options lists its first 8, its last and
// how many there are, so a 48-slot time menu does not fill the screen.
func TestRenderLongMenu(t *testing.T) {
	t.Parallel()
	var opts []string
	for i := range 48 {
		opts = append(opts, fmt.Sprintf(`{"text":{"type":"plain_text","text":"%02d:%02d"},"value":"%d"}`, i/2, i%2*30, i))
	}
	blocks := `[{"type":"actions","elements":[{"type":"static_select","action_id":"t","placeholder":{"type":"plain_text","text":"Time"},"options":[` + strings.Join(opts, ",") + `]}]}]`
	want := "[ Time ▾ ]\n  ▾ 00:00 | 00:30 | 01:00 | 01:30 | 02:00 | 02:30 | 03:00 | 03:30 | … | 23:30 | (48 choices)"
	if got := slacktest.RenderBlocks(json.RawMessage(blocks), slacktest.Names{}); got != want {
		t.Errorf("RenderBlocks(48 options) =\n%s\nwant\n%s", got, want)
	}
	if n := len(slacktest.Actions(json.RawMessage(blocks))[0].Options); n != 48 {
		t.Errorf("Actions lists %d options, want all 48 (only the text is shortened)", n)
	}
}

// Ensure every text a person would see in the bot's real output (the golden
// files of package bot) survives rendering, and every element with an
// action_id is listed by Actions.
func TestRenderGoldenKeepsText(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no ../testdata/*.golden.json files")
	}
	// Golden IDs look like "U01MAYA": resolve them to a handle, as the
	// sandbox does, to check that lookups keep the text readable.
	names := slacktest.Names{User: func(id string) string {
		return strings.ToLower(strings.TrimLeft(id, "U0123456789"))
	}}
	rendered := 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var blocks json.RawMessage
		var got string
		var visible []any // the parts of the JSON a person sees
		if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
			blocks = raw
			got = slacktest.RenderBlocks(raw, names)
			if err := json.Unmarshal(raw, &visible); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		} else {
			var obj map[string]any
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if _, ok := obj["blocks"]; !ok {
				continue // a text-only message: nothing to render as blocks
			}
			var parts struct {
				Blocks json.RawMessage `json:"blocks"`
			}
			if err := json.Unmarshal(raw, &parts); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			blocks = parts.Blocks
			// A message's top-level "text" is only the notification
			// fallback when it has blocks; a view's title and buttons show.
			visible = []any{obj["blocks"]}
			if _, ok := obj["type"]; ok {
				got = slacktest.RenderView(raw, names)
				visible = append(visible, obj["title"], obj["submit"], obj["close"])
			} else {
				got = slacktest.RenderBlocks(blocks, names)
			}
		}
		rendered++
		if got == "" {
			t.Errorf("%s: rendered nothing", file)
			continue
		}
		for _, want := range blocktextVisible(t, file, visible, names) {
			for line := range strings.SplitSeq(want, "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.Contains(got, line) {
					t.Errorf("%s: rendering lost %q; got:\n%s", file, line, got)
				}
			}
		}

		var gotIDs []string
		for _, a := range slacktest.Actions(blocks) {
			gotIDs = append(gotIDs, a.ActionID)
		}
		wantIDs := blocktextActionIDs(visible[0])
		slices.Sort(gotIDs)
		slices.Sort(wantIDs)
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%s: Actions gave action IDs %q, want %q", file, gotIDs, wantIDs)
		}
	}
	if rendered < 10 {
		t.Errorf("rendered %d golden files, want at least 10", rendered)
	}
}

// blocktextVisible collects every text object under v as the reader sees it:
// mrkdwn through RenderText, plain_text with its emoji shortcodes converted
// unless "emoji" is false.
func blocktextVisible(t *testing.T, file string, v any, names slacktest.Names) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			out = append(out, blocktextVisible(t, file, e, names)...)
		}
	case map[string]any:
		if s, ok := v["text"].(string); ok {
			switch v["type"] {
			case "mrkdwn":
				out = append(out, slacktest.RenderText(s, names))
			case "plain_text":
				if emoji, ok := v["emoji"].(bool); ok && !emoji {
					out = append(out, s)
					break
				}
				// RenderText converts shortcodes the same way; it also reads
				// markup, which plain text has none of in these files.
				if strings.ContainsAny(s, "<&") {
					t.Fatalf("%s: plain_text %q has markup this test cannot predict", file, s)
				}
				out = append(out, slacktest.RenderText(s, names))
			}
		}
		// A field with a value shows the value, not its placeholder.
		hidePlaceholder := false
		for k := range v {
			hidePlaceholder = hidePlaceholder || strings.HasPrefix(k, "initial_")
		}
		for k, e := range v {
			if k == "placeholder" && hidePlaceholder {
				continue
			}
			// A long menu's options are elided on purpose (past 10);
			// its chosen one still shows, through initial_option.
			if opts, ok := e.([]any); ok && k == "options" && len(opts) > 10 {
				continue
			}
			out = append(out, blocktextVisible(t, file, e, names)...)
		}
	}
	return out
}

func blocktextActionIDs(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			out = append(out, blocktextActionIDs(e)...)
		}
	case map[string]any:
		if id, ok := v["action_id"].(string); ok {
			out = append(out, id)
		}
		for _, e := range v {
			out = append(out, blocktextActionIDs(e)...)
		}
	}
	return out
}

func TestActions(t *testing.T) {
	t.Parallel()
	blocks := `[
	  {"type":"section","block_id":"b1","text":{"type":"mrkdwn","text":"Coffee"},
	   "accessory":{"type":"button","action_id":"pause","text":{"type":"plain_text","text":"Pause :double_vertical_bar:","emoji":true},"value":"pause"}},
	  {"type":"section","block_id":"b2","text":{"type":"mrkdwn","text":"Avatar"},
	   "accessory":{"type":"image","image_url":"https://x.io/a.png","alt_text":"maya"}},
	  {"type":"actions","block_id":"b3","elements":[
	    {"type":"button","action_id":"met","style":"primary","text":{"type":"plain_text","text":"We met"},"value":"42:3"},
	    {"type":"button","action_id":"docs","text":{"type":"plain_text","text":"Docs"},"url":"https://x.io"},
	    {"type":"static_select","action_id":"when","placeholder":{"type":"plain_text","text":"Pick a time"},
	     "option_groups":[
	       {"label":{"type":"plain_text","text":"Morning"},"options":[{"text":{"type":"plain_text","text":"09:00"},"value":"9"}]},
	       {"label":{"type":"plain_text","text":"Afternoon"},"options":[{"text":{"type":"plain_text","text":"14:00"},"value":"14"}]}],
	     "initial_option":{"value":"14","text":{"type":"plain_text","text":"14:00"}}},
	    {"type":"overflow","action_id":"more","options":[
	      {"text":{"type":"plain_text","text":"Edit"},"value":"e"},{"text":{"type":"mrkdwn","text":"Tell <@U1>"},"value":"t"}]}]},
	  {"type":"divider"},
	  {"type":"input","block_id":"kudos_recipients","label":{"type":"plain_text","text":"Who do you want to thank?"},
	   "element":{"type":"multi_users_select","action_id":"recipients","initial_users":["U02ALEX"],"placeholder":{"type":"plain_text","text":"Choose people"}}},
	  {"type":"input","block_id":"kudos_private","optional":true,"label":{"type":"plain_text","text":"Privacy"},
	   "element":{"type":"checkboxes","action_id":"private","options":[{"text":{"type":"plain_text","text":"Send privately"},"value":"private"}]}},
	  {"type":"input","block_id":"tz","optional":true,"label":{"type":"plain_text","text":"Time zone"},
	   "element":{"type":"plain_text_input","action_id":"tz","initial_value":"Europe/Berlin"}}
	]`
	want := []slacktest.Action{
		{BlockID: "b1", ActionID: "pause", Type: "button", Label: "Pause ⏸️", Value: "pause"},
		{BlockID: "b3", ActionID: "met", Type: "button", Label: "We met", Value: "42:3", Style: "primary"},
		{BlockID: "b3", ActionID: "docs", Type: "button", Label: "Docs", URL: "https://x.io"},
		{
			BlockID: "b3", ActionID: "when", Type: "static_select", Label: "Pick a time",
			Options: []slacktest.Option{{Text: "09:00", Value: "9"}, {Text: "14:00", Value: "14"}},
			Initial: json.RawMessage(`{"text":{"text":"14:00","type":"plain_text"},"value":"14"}`),
		},
		{
			BlockID: "b3", ActionID: "more", Type: "overflow",
			Options: []slacktest.Option{{Text: "Edit", Value: "e"}, {Text: "Tell @U1", Value: "t"}},
		},
		{
			BlockID: "kudos_recipients", ActionID: "recipients", Type: "multi_users_select",
			Label: "Who do you want to thank?", Initial: json.RawMessage(`["U02ALEX"]`), Input: true,
		},
		{
			BlockID: "kudos_private", ActionID: "private", Type: "checkboxes", Label: "Privacy",
			Options: []slacktest.Option{{Text: "Send privately", Value: "private"}}, Input: true, Optional: true,
		},
		{
			BlockID: "tz", ActionID: "tz", Type: "plain_text_input", Label: "Time zone",
			Initial: json.RawMessage(`"Europe/Berlin"`), Input: true, Optional: true,
		},
	}
	got := slacktest.Actions(json.RawMessage(blocks))
	if len(got) != len(want) {
		t.Fatalf("Actions gave %d actions, want %d:\n%s", len(got), len(want), blocktextActions(got))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("Actions()[%d] = %s\nwant %s", i, blocktextActions(got[i:i+1]), blocktextActions(want[i:i+1]))
		}
	}

	for _, in := range []string{``, `{`, `{}`, `[]`, `[{"type":"divider"}]`} {
		if got := slacktest.Actions(json.RawMessage(in)); got != nil {
			t.Errorf("Actions(%q) = %s, want nil", in, blocktextActions(got))
		}
	}
}

func blocktextActions(as []slacktest.Action) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "%+v Initial=%s\n", a, a.Initial)
	}
	return b.String()
}

func ExampleRenderBlocks() {
	blocks := json.RawMessage(`[
	  {"type":"header","text":{"type":"plain_text","text":"Coffee time"}},
	  {"type":"section","text":{"type":"mrkdwn","text":":wave: <@U01MAYA> and <@U02JO>, meet at 10:00!"}},
	  {"type":"actions","elements":[
	    {"type":"button","action_id":"coffee_met","text":{"type":"plain_text","text":"We met ☕"},"value":"42:3"},
	    {"type":"button","action_id":"coffee_cant","text":{"type":"plain_text","text":"Can't make it"},"value":"42:3"}]},
	  {"type":"context","elements":[{"type":"mrkdwn","text":"Need a break? ` + "`/coffee pause`" + `"}]}
	]`)
	names := slacktest.Names{User: func(id string) string {
		return map[string]string{"U01MAYA": "maya", "U02JO": "jo"}[id]
	}}
	fmt.Println(slacktest.RenderBlocks(blocks, names))
	for _, a := range slacktest.Actions(blocks) {
		fmt.Printf("%s %q → %s\n", a.Type, a.Label, a.ActionID)
	}
	// Output:
	// Coffee time
	// ═══════════
	// 👋 @maya and @jo, meet at 10:00!
	// [ We met ☕ ]  [ Can't make it ]
	//   Need a break? `/coffee pause`
	// button "We met ☕" → coffee_met
	// button "Can't make it" → coffee_cant
}

// Ensure RenderText never panics, and leaves text alone that has no markup,
// entity or shortcode in it.
func FuzzRenderText(f *testing.F) {
	for _, s := range []string{"<@U1|x> &amp; :tada:", "10:00:30", "<<@U1>>", "<!date^x^y>", ":+1::skin-tone-9:", "<|>", "&&lt;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := slacktest.RenderText(s, blocktextNames)
		if !strings.ContainsAny(s, "<&:") && got != s {
			t.Errorf("RenderText(%q) = %q, want it unchanged", s, got)
		}
		blocks, _ := json.Marshal([]any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": s}}})
		slacktest.RenderBlocks(blocks, blocktextNames)
	})
}
