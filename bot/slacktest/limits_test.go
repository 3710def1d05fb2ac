package slacktest

import (
	"encoding/json"
	"strings"
	"testing"
)

// Ensure the fake refuses what Slack's documented Block Kit limits refuse,
// measured on the text as sent (entities count in full), and accepts what
// is just within them.
func TestBlockKitLimits(t *testing.T) {
	section := func(text string) string {
		b, _ := json.Marshal(text)
		return `[{"type":"section","text":{"type":"mrkdwn","text":` + string(b) + `}}]`
	}
	button := func(text string) string {
		return `[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"` + text + `"}}]}]`
	}
	context := func(n int) string {
		el := make([]string, n)
		for i := range el {
			el[i] = `{"type":"mrkdwn","text":"x"}`
		}
		return `[{"type":"context","elements":[` + strings.Join(el, ",") + `]}]`
	}
	for _, tt := range []struct {
		name   string
		blocks string
		want   string // a substring of the problem; "" means accepted
	}{
		{"section 3000", section(strings.Repeat("x", 3000)), ""},
		{"section 3001", section(strings.Repeat("x", 3001)), "/blocks/0/text/text"},
		{"section of entities", section(strings.Repeat("&amp;", 601)), "less than 3001"},
		{"section of 600 entities", section(strings.Repeat("&amp;", 600)), ""},
		{"section empty", section(""), "at least 1"},
		{"section without text", `[{"type":"section"}]`, "text or fields"},
		{"eleven fields", `[{"type":"section","fields":[` + strings.TrimSuffix(strings.Repeat(`{"type":"mrkdwn","text":"f"},`, 11), ",") + `]}]`, "/blocks/0/fields"},
		{"header 150", `[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 150) + `"}}]`, ""},
		{"header 151", `[{"type":"header","text":{"type":"plain_text","text":"` + strings.Repeat("h", 151) + `"}}]`, "/blocks/0/text/text"},
		{"header mrkdwn", `[{"type":"header","text":{"type":"mrkdwn","text":"h"}}]`, "must be plain_text"},
		{"button 75", button(strings.Repeat("b", 75)), ""},
		{"button 76", button(strings.Repeat("b", 76)), "/blocks/0/elements/0/text/text"},
		{"context 10", context(10), ""},
		{"context 11", context(11), "/blocks/0/elements"},
		{"block_id 256", `[{"type":"divider","block_id":"` + strings.Repeat("i", 256) + `"}]`, "/blocks/0/block_id"},
		{"input label 2001", `[{"type":"input","label":{"type":"plain_text","text":"` + strings.Repeat("l", 2001) + `"},"element":{"type":"plain_text_input"}}]`, "/blocks/0/label/text"},
		{"select 101 options", `[{"type":"section","text":{"type":"mrkdwn","text":"s"},"accessory":{"type":"static_select","options":[` +
			strings.TrimSuffix(strings.Repeat(`{"text":{"type":"plain_text","text":"o"},"value":"v"},`, 101), ",") + `]}}]`, "/accessory/options"},
		{"option text 76", `[{"type":"actions","elements":[{"type":"overflow","options":[{"text":{"type":"plain_text","text":"` + strings.Repeat("o", 76) + `"},"value":"v"}]}]}]`, "/options/0/text/text"},
		{"max_length 3001", `[{"type":"input","label":{"type":"plain_text","text":"l"},"element":{"type":"plain_text_input","max_length":3001}}]`, "/element/max_length"},
		{"select initial is an option", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":[{"text":{"type":"plain_text","text":"March"},"value":"3"}],"initial_option":{"text":{"type":"plain_text","text":"March"},"value":"3"}}]}]`, ""},
		{"select initial not an option", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s","options":[{"text":{"type":"plain_text","text":"March"},"value":"3"}],"initial_option":{"text":{"type":"plain_text","text":"April"},"value":"4"}}]}]`, "/elements/0/initial_option"},
		{"radio initial text differs", `[{"type":"actions","elements":[{"type":"radio_buttons","action_id":"r","options":[{"text":{"type":"plain_text","text":"Public"},"value":"public"}],"initial_option":{"text":{"type":"plain_text","text":"Everyone"},"value":"public"}}]}]`, "/elements/0/initial_option"},
		{"checkboxes initial not an option", `[{"type":"actions","elements":[{"type":"checkboxes","action_id":"c","options":[{"text":{"type":"plain_text","text":"a"},"value":"a"}],"initial_options":[{"text":{"type":"plain_text","text":"b"},"value":"b"}]}]}]`, "/elements/0/initial_options/0"},
		{"datepicker initial date", `[{"type":"actions","elements":[{"type":"datepicker","action_id":"d","initial_date":"2021-06-01"}]}]`, ""},
		{"datepicker initial not a date", `[{"type":"actions","elements":[{"type":"datepicker","action_id":"d","initial_date":"2021-6-1"}]}]`, "/elements/0/initial_date"},
		{"51 blocks", "[" + strings.TrimSuffix(strings.Repeat(`{"type":"divider"},`, 51), ",") + "]", "no more than 50"},
	} {
		_, _, got := blocksArray(tt.blocks, maxMessageBlocks)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("%s: problem = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Ensure views are checked too: title, submit and close hold 24
// characters, private_metadata 3000, and a view 100 blocks.
func TestViewLimits(t *testing.T) {
	for _, tt := range []struct {
		name, view, want string
	}{
		{"title 24", `{"type":"modal","title":{"type":"plain_text","text":"` + strings.Repeat("t", 24) + `"},"blocks":[]}`, ""},
		{"title 25", `{"type":"modal","title":{"type":"plain_text","text":"` + strings.Repeat("t", 25) + `"},"blocks":[]}`, "/title/text"},
		{"no title", `{"type":"modal","blocks":[]}`, "/title"},
		{"submit 25", `{"type":"modal","title":{"type":"plain_text","text":"t"},"submit":{"type":"plain_text","text":"` + strings.Repeat("s", 25) + `"},"blocks":[]}`, "/submit/text"},
		{"metadata 3001", `{"type":"modal","title":{"type":"plain_text","text":"t"},"private_metadata":"` + strings.Repeat("m", 3001) + `","blocks":[]}`, "/private_metadata"},
		{"home 101 blocks", `{"type":"home","blocks":[` + strings.TrimSuffix(strings.Repeat(`{"type":"divider"},`, 101), ",") + `]}`, "/blocks"},
		{"home section 3001", `{"type":"home","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"` + strings.Repeat("x", 3001) + `"}}]}`, "/blocks/0/text/text"},
	} {
		doc, err := decodeObject([]byte(tt.view))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := checkView(doc)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("%s: problem = %q, want %q", tt.name, got, tt.want)
		}
	}
}
