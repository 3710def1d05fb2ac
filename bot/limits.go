package bot

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Block Kit limits on text, in characters of the text as sent. Slack counts
// the entities &amp; &lt; &gt; in full, so a follow-up of 970 characters
// full of "&", "<" and ">" is more than 3,000 characters long once
// escaped; Slack refuses a message with a text over its limit.
const (
	maxSectionText   = 3000
	maxFieldText     = 2000
	maxHeaderText    = 150
	maxTextObject    = 3000 // context elements and any text without a stricter limit
	maxMarkdownBlock = 12000
	maxLabelText     = 2000 // input label and hint
	maxButtonText    = 75
	maxOptionText    = 75
	maxPlaceholder   = 150
	maxConfirmTitle  = 100
	maxConfirmText   = 300
	maxConfirmButton = 30
)

// prepareBlocks readies blocks for Slack: every broadcast mention in them
// is neutralised, and every text is cut, never inside an entity or a <…>
// token, to its Block Kit limit as sent. Renderers cut user text to leave
// room for their own words; this is the net under all of them. It
// round-trips through JSON so that it reaches text in every kind of block
// and element.
func prepareBlocks(blocks []slack.Block) ([]slack.Block, error) {
	if len(blocks) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		return nil, fmt.Errorf("bot: encode blocks: %w", err)
	}
	var tree []any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("bot: decode blocks: %w", err)
	}
	for i := range tree {
		tree[i] = mapStrings(tree[i], neutraliseMentions)
		fitBlock(tree[i])
	}
	raw, err = json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("bot: encode blocks: %w", err)
	}
	var out slack.Blocks
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("bot: decode blocks: %w", err)
	}
	return out.BlockSet, nil
}

// fitBlock cuts the texts of one decoded block to their limits.
func fitBlock(v any) {
	b, ok := v.(map[string]any)
	if !ok {
		return
	}
	switch b["type"] {
	case "section":
		fitText(b["text"], maxSectionText)
		for _, f := range asList(b["fields"]) {
			fitText(f, maxFieldText)
		}
		fitElement(b["accessory"])
	case "header":
		fitText(b["text"], maxHeaderText)
	case "context":
		for _, e := range asList(b["elements"]) {
			fitText(e, maxTextObject)
		}
	case "actions":
		for _, e := range asList(b["elements"]) {
			fitElement(e)
		}
	case "input":
		fitText(b["label"], maxLabelText)
		fitText(b["hint"], maxLabelText)
		fitElement(b["element"])
	case "markdown":
		if s, ok := b["text"].(string); ok {
			b["text"] = kudosClip(s, maxMarkdownBlock)
		}
	}
}

func fitElement(v any) {
	e, ok := v.(map[string]any)
	if !ok {
		return
	}
	if e["type"] == "button" {
		fitText(e["text"], maxButtonText)
	}
	fitText(e["placeholder"], maxPlaceholder)
	for _, o := range asList(e["options"]) {
		if om, ok := o.(map[string]any); ok {
			fitText(om["text"], maxOptionText)
			fitText(om["description"], maxOptionText)
		}
	}
	if c, ok := e["confirm"].(map[string]any); ok {
		fitText(c["title"], maxConfirmTitle)
		fitText(c["text"], maxConfirmText)
		fitText(c["confirm"], maxConfirmButton)
		fitText(c["deny"], maxConfirmButton)
	}
}

// fitText cuts a decoded text object's text to max characters as sent.
func fitText(v any, max int) {
	t, ok := v.(map[string]any)
	if !ok {
		return
	}
	if s, ok := t["text"].(string); ok && utf8.RuneCountInString(s) > max {
		t["text"] = kudosClip(s, max)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
