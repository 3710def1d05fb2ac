package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// Block Kit limits, as Slack documents them for blocks, block elements,
// composition objects and views. Slack measures a text in characters as it
// was sent: the entities &amp; &lt; &gt; that stand for "&", "<" and ">"
// count in full, so a 970-character text full of them can be 3,000 long.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100

	maxBlockID       = 255
	maxActionID      = 255
	maxTextObject    = 3000 // any text object without a stricter limit
	maxSectionText   = 3000
	maxSectionFields = 10
	maxFieldText     = 2000
	maxHeaderText    = 150
	maxContextElems  = 10
	maxActionsElems  = 25
	maxMarkdownBlock = 12000
	maxLabel         = 2000 // input label and hint
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxURL           = 3000
	maxPlaceholder   = 150
	maxOptionText    = 75
	maxOptionValue   = 150
	maxOptionDesc    = 75
	maxSelectOptions = 100
	maxChoiceOptions = 10 // checkboxes, radio buttons
	maxOverflowOpts  = 5
	maxAltText       = 2000
	maxFileAltText   = 1000 // alt_txt of files.getUploadURLExternal
	maxInputLength   = 3000
	maxConfirmTitle  = 100
	maxConfirmText   = 300
	maxConfirmButton = 30
	maxViewTitle     = 24 // also submit and close
	maxViewMetadata  = 3000
	maxCallbackID    = 255
)

// blockChecker walks a decoded Block Kit payload and keeps the first
// problem found, in the form Slack reports it: a message and a JSON pointer.
type blockChecker struct {
	problem string
}

func (c *blockChecker) failf(path, format string, args ...any) {
	if c.problem == "" {
		c.problem = fmt.Sprintf("%s [json-pointer:%s]", fmt.Sprintf(format, args...), path)
	}
}

// length checks that s, a string field, has at most max characters as sent.
func (c *blockChecker) length(path string, v any, max int) {
	if v == nil {
		return
	}
	s, ok := v.(string)
	if !ok {
		c.failf(path, "must be a string")
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		c.failf(path, "must be less than %d characters (is %d)", max+1, n)
	}
}

// text checks a text object: its type (plain_text only when plainOnly), and
// its text between min and max characters.
func (c *blockChecker) text(path string, v any, plainOnly bool, min, max int) {
	if v == nil {
		return
	}
	t, ok := v.(map[string]any)
	if !ok {
		c.failf(path, "must be a text object")
		return
	}
	switch t["type"] {
	case "plain_text":
	case "mrkdwn":
		if plainOnly {
			c.failf(path+"/type", "must be plain_text")
			return
		}
	default:
		c.failf(path+"/type", "must be plain_text or mrkdwn")
		return
	}
	s, _ := t["text"].(string)
	if n := utf8.RuneCountInString(s); n < min {
		c.failf(path+"/text", "must be at least %d characters", min)
	}
	c.length(path+"/text", t["text"], max)
}

func (c *blockChecker) list(path string, v any, min, max int) []any {
	if v == nil {
		if min > 0 {
			c.failf(path, "is required")
		}
		return nil
	}
	a, ok := v.([]any)
	if !ok {
		c.failf(path, "must be an array")
		return nil
	}
	if len(a) < min || len(a) > max {
		c.failf(path, "must have between %d and %d items (has %d)", min, max, len(a))
	}
	return a
}

// blocks checks a list of blocks that may hold at most max.
func (c *blockChecker) blocks(path string, v any, max int) {
	for i, b := range c.list(path, v, 0, max) {
		c.block(fmt.Sprintf("%s/%d", path, i), b)
	}
}

func (c *blockChecker) block(path string, v any) {
	b, ok := v.(map[string]any)
	if !ok {
		c.failf(path, "must be an object")
		return
	}
	c.length(path+"/block_id", b["block_id"], maxBlockID)
	switch b["type"] {
	case "section":
		if b["text"] == nil && b["fields"] == nil {
			c.failf(path, "must have text or fields")
		}
		c.text(path+"/text", b["text"], false, 1, maxSectionText)
		for i, f := range c.list(path+"/fields", b["fields"], 0, maxSectionFields) {
			c.text(fmt.Sprintf("%s/fields/%d", path, i), f, false, 1, maxFieldText)
		}
		if b["accessory"] != nil {
			c.element(path+"/accessory", b["accessory"])
		}
	case "header":
		if b["text"] == nil {
			c.failf(path+"/text", "is required")
		}
		c.text(path+"/text", b["text"], true, 1, maxHeaderText)
	case "context":
		for i, e := range c.list(path+"/elements", b["elements"], 1, maxContextElems) {
			p := fmt.Sprintf("%s/elements/%d", path, i)
			if m, _ := e.(map[string]any); m != nil && m["type"] == "image" {
				c.element(p, e)
			} else {
				c.text(p, e, false, 1, maxTextObject)
			}
		}
	case "actions":
		for i, e := range c.list(path+"/elements", b["elements"], 1, maxActionsElems) {
			c.element(fmt.Sprintf("%s/elements/%d", path, i), e)
		}
	case "input":
		if b["label"] == nil {
			c.failf(path+"/label", "is required")
		}
		c.text(path+"/label", b["label"], true, 1, maxLabel)
		c.text(path+"/hint", b["hint"], true, 1, maxLabel)
		if b["element"] == nil {
			c.failf(path+"/element", "is required")
		} else {
			c.element(path+"/element", b["element"])
		}
	case "image":
		c.length(path+"/image_url", b["image_url"], maxURL)
		c.length(path+"/alt_text", b["alt_text"], maxAltText)
		c.text(path+"/title", b["title"], true, 1, maxAltText)
	case "markdown":
		c.length(path+"/text", b["text"], maxMarkdownBlock)
	}
}

func (c *blockChecker) element(path string, v any) {
	e, ok := v.(map[string]any)
	if !ok {
		c.failf(path, "must be an object")
		return
	}
	c.length(path+"/action_id", e["action_id"], maxActionID)
	c.text(path+"/placeholder", e["placeholder"], true, 1, maxPlaceholder)
	c.confirm(path+"/confirm", e["confirm"])
	switch e["type"] {
	case "button":
		if e["text"] == nil {
			c.failf(path+"/text", "is required")
		}
		c.text(path+"/text", e["text"], true, 1, maxButtonText)
		c.length(path+"/value", e["value"], maxButtonValue)
		c.length(path+"/url", e["url"], maxURL)
	case "static_select", "multi_static_select":
		c.options(path+"/options", e["options"], maxSelectOptions)
		for i, g := range c.list(path+"/option_groups", e["option_groups"], 0, maxSelectOptions) {
			if gm, _ := g.(map[string]any); gm != nil {
				p := fmt.Sprintf("%s/option_groups/%d", path, i)
				c.text(p+"/label", gm["label"], true, 1, maxOptionText)
				c.options(p+"/options", gm["options"], maxSelectOptions)
			}
		}
	case "overflow":
		c.options(path+"/options", e["options"], maxOverflowOpts)
	case "checkboxes", "radio_buttons":
		c.options(path+"/options", e["options"], maxChoiceOptions)
	case "datepicker":
		if d, ok := e["initial_date"].(string); ok {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				c.failf(path+"/initial_date", "must be a date in the format YYYY-MM-DD")
			}
		}
	}
	// A preselected choice has to be one of the element's own options.
	switch e["type"] {
	case "static_select", "radio_buttons":
		c.initialIn(path+"/initial_option", e, e["initial_option"])
	case "multi_static_select", "checkboxes":
		if list, ok := e["initial_options"].([]any); ok {
			for i, o := range list {
				c.initialIn(fmt.Sprintf("%s/initial_options/%d", path, i), e, o)
			}
		}
	case "plain_text_input":
		c.length(path+"/initial_value", e["initial_value"], maxInputLength)
		for _, k := range []string{"min_length", "max_length"} {
			if n, ok := number(e[k]); ok && (n < 0 || n > maxInputLength) {
				c.failf(path+"/"+k, "must be between 0 and %d", maxInputLength)
			}
		}
	case "image":
		c.length(path+"/image_url", e["image_url"], maxURL)
		c.length(path+"/alt_text", e["alt_text"], maxAltText)
	}
}

// initialIn checks that o, an initial option of element e, is one of e's
// options (or of its option groups): the same value and text.
func (c *blockChecker) initialIn(path string, e map[string]any, o any) {
	if o == nil {
		return
	}
	om, ok := o.(map[string]any)
	if !ok {
		c.failf(path, "must be an object")
		return
	}
	all, _ := e["options"].([]any)
	if groups, ok := e["option_groups"].([]any); ok {
		for _, g := range groups {
			if gm, _ := g.(map[string]any); gm != nil {
				opts, _ := gm["options"].([]any)
				all = append(all, opts...)
			}
		}
	}
	for _, x := range all {
		if xm, _ := x.(map[string]any); xm != nil && xm["value"] == om["value"] && kitText(xm) == kitText(om) {
			return
		}
	}
	c.failf(path, "must match one of the element's options")
}

// kitText is the text of an option's text object.
func kitText(o map[string]any) any {
	if t, ok := o["text"].(map[string]any); ok {
		return t["text"]
	}
	return nil
}

func (c *blockChecker) options(path string, v any, max int) {
	for i, o := range c.list(path, v, 0, max) {
		p := fmt.Sprintf("%s/%d", path, i)
		om, ok := o.(map[string]any)
		if !ok {
			c.failf(p, "must be an object")
			continue
		}
		c.text(p+"/text", om["text"], false, 1, maxOptionText)
		c.length(p+"/value", om["value"], maxOptionValue)
		c.text(p+"/description", om["description"], false, 1, maxOptionDesc)
	}
}

func (c *blockChecker) confirm(path string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	c.text(path+"/title", m["title"], true, 1, maxConfirmTitle)
	c.text(path+"/text", m["text"], false, 1, maxConfirmText)
	c.text(path+"/confirm", m["confirm"], true, 1, maxConfirmButton)
	c.text(path+"/deny", m["deny"], true, 1, maxConfirmButton)
}

// view checks a modal or Home tab view document.
func (c *blockChecker) view(doc map[string]any) {
	for _, k := range []string{"title", "submit", "close"} {
		c.text("/"+k, doc[k], true, 1, maxViewTitle)
	}
	if doc["type"] == "modal" && doc["title"] == nil {
		c.failf("/title", "is required")
	}
	c.length("/private_metadata", doc["private_metadata"], maxViewMetadata)
	c.length("/callback_id", doc["callback_id"], maxCallbackID)
	c.length("/external_id", doc["external_id"], maxCallbackID)
	c.blocks("/blocks", doc["blocks"], maxViewBlocks)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case interface{ Float64() (float64, error) }:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// checkMessageBlocks returns "" when raw, the blocks JSON array of a
// message, keeps Slack's documented limits, else what is wrong with it.
func checkMessageBlocks(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	v, err := decodeArray(raw)
	if err != nil {
		return "blocks must be a JSON array"
	}
	var c blockChecker
	c.blocks("/blocks", v, maxMessageBlocks)
	return c.problem
}

// checkView returns "" when the decoded view keeps Slack's documented
// limits, else what is wrong with it.
func checkView(doc map[string]any) string {
	var c blockChecker
	c.view(doc)
	return c.problem
}

// decodeArray decodes a JSON array, keeping numbers exact.
func decodeArray(b []byte) ([]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var a []any
	if err := d.Decode(&a); err != nil {
		return nil, err
	}
	return a, nil
}
