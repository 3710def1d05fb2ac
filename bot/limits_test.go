package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Ensure every text the sender posts is cut to its Block Kit limit counted
// on the text as sent, never inside an entity, whatever renderer built it.
func TestPrepareBlocksFitsLimitsAsSent(t *testing.T) {
	long := strings.Repeat("a&amp;", 700) // 4,200 characters as sent, 1,400 as read
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(long)),
		slack.NewSectionBlock(mrkdwn(long), []*slack.TextBlockObject{mrkdwn(long)}, slack.NewAccessory(button("a", "v", long))),
		slack.NewContextBlock("", mrkdwn(long)),
	}
	out, err := prepareBlocks(blocks)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(out)
	var tree []map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	text := func(v any) string { return v.(map[string]any)["text"].(string) }
	for _, tt := range []struct {
		where string
		got   string
		max   int
	}{
		{"header", text(tree[0]["text"]), maxHeaderText},
		{"section text", text(tree[1]["text"]), maxSectionText},
		{"section field", text(tree[1]["fields"].([]any)[0]), maxFieldText},
		{"button", text(tree[1]["accessory"].(map[string]any)["text"]), maxButtonText},
		{"context", text(tree[2]["elements"].([]any)[0]), maxTextObject},
	} {
		if n := utf8.RuneCountInString(tt.got); n > tt.max || n < tt.max-10 {
			t.Errorf("%s: %d characters as sent, want just within %d", tt.where, n, tt.max)
		}
		if !strings.HasSuffix(tt.got, "a…") && !strings.HasSuffix(tt.got, "&amp;…") {
			t.Errorf("%s ends %q, want a cut between entities", tt.where, tt.got[len(tt.got)-12:])
		}
	}
}
