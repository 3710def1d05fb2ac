package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Names resolves IDs in mrkdwn to what Slack shows: a user ID ("U123") to
// a handle ("maya"), a channel ID ("C123") to a name ("general"). A lookup
// that returns "" leaves the ID as is. A nil func counts as one that
// returns "" for every ID.
type Names struct {
	User    func(id string) string
	Channel func(id string) string
	// Zone, when set, is the reader's time zone: "<!date^…>" tokens are
	// formatted in it, as each reader's Slack client does, instead of
	// showing the fallback. Now (default: the zone-less fallback rules)
	// is the reader's present, for {date_pretty}'s "today" and "tomorrow".
	Zone *time.Location
	Now  func() time.Time
}

func (n Names) user(id string) string {
	if n.User == nil {
		return ""
	}
	return n.User(id)
}

func (n Names) channel(id string) string {
	if n.Channel == nil {
		return ""
	}
	return n.Channel(id)
}

// RenderText renders one mrkdwn/plain string as Slack would show it:
// "<@U1>" and "<@U1|x>" → "@maya" (the label "x" is used when names cannot
// resolve U1, the ID when there is no label); "<#C1>"/"<#C1|general>" →
// "#general" likewise; "<!here>" → "@here", "<!channel>", "<!everyone>"
// likewise, "<!subteam^S1|@eng>" → "@eng"; "<!date^1700000000^{date_short}|fallback>"
// → the fallback (the time in UTC when there is none); "<https://x|label>" →
// "label (https://x)", "<https://x>" → "https://x", "<mailto:a@b|a@b>" →
// "a@b"; "&lt;" "&gt;" "&amp;" unescaped; emoji shortcodes in the emoji table
// → emoji, and skin-tone modifiers dropped. Text that is no shortcode, such as
// the ":00:" in "10:00:30", stays as written.
//
// It keeps *bold*, _italic_, ~strike~ and `code` markers as they are (they
// read fine in a terminal).
func RenderText(s string, names Names) string {
	s = kitQuotes(s) // before unescaping: "&gt;" is a literal ">", no quote
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '>')
		if j < 0 {
			break
		}
		inner := s[i+1 : i+1+j]
		// A "<" inside means the first one was a stray literal: start over
		// from the last one so that "a < b <@U1>" still finds the mention.
		if k := strings.LastIndexByte(inner, '<'); k >= 0 {
			b.WriteString(kitPlain(s[:i+1+k]))
			s = s[i+1+k:]
			continue
		}
		b.WriteString(kitPlain(s[:i]))
		b.WriteString(kitEntity(inner, names))
		s = s[i+1+j+1:]
	}
	b.WriteString(kitPlain(s))
	return b.String()
}

// kitQuotes shows mrkdwn's block quotes (a line starting with ">", which
// Slack draws with a bar) as "> text", the way e-mail quotes read.
func kitQuotes(s string) string {
	if !strings.Contains(s, ">") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, ">"); ok && rest != "" && rest[0] != ' ' {
			lines[i] = "> " + rest
		}
	}
	return strings.Join(lines, "\n")
}

// RenderBlocks renders a blocks JSON array (a message's "blocks") as text.
// Empty or invalid input gives "". Each block becomes one or more lines;
// unknown block types give none. There is no trailing newline.
//
// The text reads the way a person sees the message, one block after another
// with no blank lines between them (Slack stacks blocks tightly):
//
//	header            its text, underlined with "═" as wide as the text
//	section           its text, mrkdwn markers (*bold*, _italic_, ~strike~,
//	                  `code`) and line breaks kept; an accessory at the end of
//	                  the last text line; then each field as "▪ first line"
//	                  with its other lines indented two spaces
//	context           its elements joined by two spaces, every line indented
//	                  two spaces (the small grey print)
//	divider           40 × "─"
//	actions           its elements on one line, two spaces apart
//	input             the label (+ " (optional)"), then, indented two
//	                  spaces, the element and the hint
//	image             the title, if any, then "[image: alt text]"
//	rich_text         its paragraphs; lists as "• " or "1. ", quotes as "> ",
//	                  preformatted text between ``` lines
//
// Elements:
//
//	button            [ Label ]; a link button [ Label ↗ ]
//	select menus      [ Chosen ▾ ], or [ Placeholder ▾ ] when none is chosen,
//	                  then a line "▾ A | B | C" listing the options (Slack
//	                  hides them until clicked, but a reader of a transcript
//	                  needs them; past 10, the first 8, "…", the last and
//	                  the count); users as @handle, conversations as #name
//	overflow          [ ⋯ ], then a line "⋯ A | B"
//	checkboxes        ☑ Chosen  ☐ Other (one per line in an input block),
//	                  with " — description" when an option has one
//	radio buttons     ◉ Chosen  ○ Other, likewise
//	datepicker        [ 📅 2026-12-01 ]; timepicker [ 🕘 09:00 ]
//	text inputs       [ value ], or [ _placeholder_ ] when empty (italic
//	                  marks it as the grey hint text it is), or [ ____ ]
//	other             [ type ]
//
// Output never depends on map order, so the same JSON gives the same text.
func RenderBlocks(blocks json.RawMessage, names Names) string {
	list, ok := kitBlockList(blocks)
	if !ok {
		return ""
	}
	return strings.Join(kitRenderer{names}.blocks(list), "\n")
}

// RenderView renders a view object JSON (a Home tab or a modal:
// {"type":"home"|"modal","title":{...},"blocks":[...],"submit":{...},"close":{...}})
// as text: a modal starts with its title as a heading line (underlined like
// a header block), then its blocks, then a blank line and its buttons
// "[ Submit label ]  [ Close label ]" (only those it has). Empty or invalid
// input gives "".
func RenderView(view json.RawMessage, names Names) string {
	v, ok := kitDecode(view).(map[string]any)
	if !ok {
		return ""
	}
	r := kitRenderer{names}
	var lines []string
	if t := r.text(kitNode(v, "title")); t != "" {
		lines = append(lines, r.heading(t)...)
	}
	lines = append(lines, r.blocks(kitNodes(v, "blocks"))...)
	var buttons []string
	for _, k := range []string{"submit", "close"} {
		if t := r.text(kitNode(v, k)); t != "" {
			buttons = append(buttons, "[ "+t+" ]")
		}
	}
	if len(buttons) > 0 {
		lines = append(lines, "", strings.Join(buttons, "  "))
	}
	return strings.Join(lines, "\n")
}

// Action is one interactive element of some blocks.
type Action struct {
	BlockID  string
	ActionID string
	Type     string   // "button", "static_select", "overflow", "multi_static_select", "checkboxes", "radio_buttons", "datepicker", "timepicker", "plain_text_input", "users_select", "multi_users_select", "conversations_select", "channels_select", ...
	Label    string   // a button's text; a select's placeholder; for input elements, the enclosing input block's label
	Value    string   // a button's value
	URL      string   // a link button's url
	Style    string   // "primary", "danger" or ""
	Options  []Option // for selects, overflow, checkboxes, radio buttons (option_groups flattened)
	// Initial is the element's initial_* field (initial_option,
	// initial_options, initial_value, initial_date, initial_time,
	// initial_date_time, initial_user(s), initial_conversation(s),
	// initial_channel(s)) as compact JSON with object keys sorted; nil when
	// there is none.
	Initial  json.RawMessage
	Input    bool // the element is inside an "input" block (a modal field)
	Optional bool // the input block is optional
}

// Option is one choice of a select, overflow, checkboxes or radio group.
type Option struct {
	Text  string // rendered text, with IDs left unresolved (Actions has no Names)
	Value string
}

// Actions lists the interactive elements of a blocks array, in order:
// accessories of sections (images are not interactive, so not listed),
// elements of actions blocks, and the element of input blocks. Option
// groups are flattened into Options. Empty or invalid input gives nil.
func Actions(blocks json.RawMessage) []Action {
	list, ok := kitBlockList(blocks)
	if !ok {
		return nil
	}
	var r kitRenderer
	var out []Action
	for _, b := range list {
		id := kitStr(b, "block_id")
		switch kitStr(b, "type") {
		case "section":
			if acc := kitNode(b, "accessory"); acc != nil && kitStr(acc, "type") != "image" {
				out = append(out, r.action(id, acc))
			}
		case "actions":
			for _, el := range kitNodes(b, "elements") {
				out = append(out, r.action(id, el))
			}
		case "input":
			if el := kitNode(b, "element"); el != nil {
				a := r.action(id, el)
				a.Label = r.text(kitNode(b, "label"))
				a.Input = true
				a.Optional, _ = b["optional"].(bool)
				out = append(out, a)
			}
		}
	}
	return out
}

// kitInitialKeys are the initial_* fields of every element type, in the order
// Actions looks for them; an element has at most one.
var kitInitialKeys = []string{
	"initial_option", "initial_options", "initial_value", "initial_date",
	"initial_time", "initial_date_time", "initial_user", "initial_users",
	"initial_conversation", "initial_conversations", "initial_channel",
	"initial_channels",
}

func (r kitRenderer) action(blockID string, el map[string]any) Action {
	a := Action{
		BlockID:  blockID,
		ActionID: kitStr(el, "action_id"),
		Type:     kitStr(el, "type"),
		Value:    kitStr(el, "value"),
		URL:      kitStr(el, "url"),
		Style:    kitStr(el, "style"),
		Label:    r.text(kitNode(el, "text")),
	}
	if a.Label == "" {
		a.Label = r.text(kitNode(el, "placeholder"))
	}
	for _, o := range kitOptions(el) {
		a.Options = append(a.Options, Option{Text: r.text(kitNode(o, "text")), Value: kitStr(o, "value")})
	}
	for _, k := range kitInitialKeys {
		if v, ok := el[k]; ok {
			a.Initial = kitMarshal(v)
			break
		}
	}
	return a
}

// kitRenderer turns decoded Block Kit into lines of text.
type kitRenderer struct {
	names Names
}

// text renders a text object: mrkdwn through RenderText, plain_text as
// written except for emoji shortcodes, which Slack converts unless
// "emoji" is false.
func (r kitRenderer) text(t map[string]any) string {
	s := kitStr(t, "text")
	if kitStr(t, "type") == "mrkdwn" {
		return RenderText(s, r.names)
	}
	if e, ok := t["emoji"].(bool); ok && !e {
		return s
	}
	return kitEmojify(s)
}

func (r kitRenderer) blocks(list []map[string]any) []string {
	var lines []string
	for _, b := range list {
		lines = append(lines, r.block(b)...)
	}
	return lines
}

func (r kitRenderer) block(b map[string]any) []string {
	switch kitStr(b, "type") {
	case "header":
		return r.heading(r.text(kitNode(b, "text")))
	case "section":
		return r.section(b)
	case "context":
		var parts []string
		for _, el := range kitNodes(b, "elements") {
			var p string
			if kitStr(el, "type") == "image" {
				p = kitStr(el, "alt_text")
			} else {
				p = r.text(el)
			}
			if p != "" {
				parts = append(parts, p)
			}
		}
		if len(parts) == 0 {
			return nil
		}
		return kitIndent("  ", strings.Split(strings.Join(parts, "  "), "\n"))
	case "divider":
		return []string{strings.Repeat("─", 40)}
	case "actions":
		var parts, extra []string
		for _, el := range kitNodes(b, "elements") {
			s, more := r.element(el)
			parts = append(parts, s)
			extra = append(extra, more...)
		}
		if len(parts) == 0 {
			return nil
		}
		return append([]string{strings.Join(parts, "  ")}, kitIndent("  ", extra)...)
	case "input":
		return r.input(b)
	case "image":
		var lines []string
		if t := r.text(kitNode(b, "title")); t != "" {
			lines = append(lines, strings.Split(t, "\n")...)
		}
		return append(lines, "[image: "+kitStr(b, "alt_text")+"]")
	case "rich_text":
		return r.richText(kitNodes(b, "elements"))
	case "markdown":
		if s := kitStr(b, "text"); s != "" {
			return strings.Split(s, "\n")
		}
	case "video":
		return []string{"[video: " + r.text(kitNode(b, "title")) + "]"}
	case "file":
		return []string{"[file: " + kitStr(b, "external_id") + "]"}
	}
	return nil
}

func (r kitRenderer) heading(t string) []string {
	if t == "" {
		return nil
	}
	return []string{t, strings.Repeat("═", max(kitWidth(t), 1))}
}

func (r kitRenderer) section(b map[string]any) []string {
	var lines []string
	if t := r.text(kitNode(b, "text")); t != "" {
		lines = strings.Split(t, "\n")
	}
	if acc := kitNode(b, "accessory"); acc != nil {
		s, extra := r.element(acc)
		if len(lines) > 0 {
			lines[len(lines)-1] += "  " + s
		} else {
			lines = []string{s}
		}
		lines = append(lines, kitIndent("  ", extra)...)
	}
	for _, f := range kitNodes(b, "fields") {
		fl := strings.Split(r.text(f), "\n")
		lines = append(lines, "▪ "+fl[0])
		lines = append(lines, kitIndent("  ", fl[1:])...)
	}
	return lines
}

func (r kitRenderer) input(b map[string]any) []string {
	label := r.text(kitNode(b, "label"))
	if opt, _ := b["optional"].(bool); opt {
		label += " (optional)"
	}
	lines := []string{label}
	if el := kitNode(b, "element"); el != nil {
		switch kitStr(el, "type") {
		case "checkboxes", "radio_buttons":
			// Slack lists the choices of a form field one under another.
			lines = append(lines, kitIndent("  ", r.choices(el))...)
		default:
			s, extra := r.element(el)
			lines = append(lines, "  "+s)
			lines = append(lines, kitIndent("  ", extra)...)
		}
	}
	if h := r.text(kitNode(b, "hint")); h != "" {
		lines = append(lines, kitIndent("  ", strings.Split(h, "\n"))...)
	}
	return lines
}

// element renders one element as it sits in a line, plus any lines that
// belong under it (a menu's options).
func (r kitRenderer) element(el map[string]any) (string, []string) {
	typ := kitStr(el, "type")
	placeholder := r.text(kitNode(el, "placeholder"))
	either := func(s string) string {
		if s != "" {
			return s
		}
		return placeholder
	}
	menu := func(shown string) (string, []string) {
		return "[ " + either(shown) + " ▾ ]", r.optionLine("▾", el)
	}
	switch typ {
	case "button", "workflow_button":
		label := r.text(kitNode(el, "text"))
		if kitStr(el, "url") != "" {
			return "[ " + label + " ↗ ]", nil
		}
		return "[ " + label + " ]", nil
	case "static_select", "external_select":
		return menu(r.text(kitNode(kitNode(el, "initial_option"), "text")))
	case "multi_static_select", "multi_external_select":
		var chosen []string
		for _, o := range kitNodes(el, "initial_options") {
			chosen = append(chosen, r.text(kitNode(o, "text")))
		}
		return menu(strings.Join(chosen, ", "))
	case "users_select", "multi_users_select":
		return menu(r.ids(el, "initial_user", "@", r.names.user))
	case "conversations_select", "multi_conversations_select":
		return menu(r.ids(el, "initial_conversation", "#", r.names.channel))
	case "channels_select", "multi_channels_select":
		return menu(r.ids(el, "initial_channel", "#", r.names.channel))
	case "overflow":
		return "[ ⋯ ]", r.optionLine("⋯", el)
	case "datepicker":
		return "[ 📅 " + either(kitStr(el, "initial_date")) + " ]", nil
	case "timepicker":
		return "[ 🕘 " + either(kitStr(el, "initial_time")) + " ]", nil
	case "datetimepicker":
		var shown string
		if n, ok := kitInt(el, "initial_date_time"); ok {
			shown = kitTime(n)
		}
		return "[ 📅 " + either(shown) + " ]", nil
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		return r.textBox(kitStr(el, "initial_value"), placeholder), nil
	case "rich_text_input":
		v := strings.Join(r.richText(kitNodes(kitNode(el, "initial_value"), "elements")), "\n")
		return r.textBox(v, placeholder), nil
	case "checkboxes", "radio_buttons":
		return strings.Join(r.choices(el), "  "), nil
	case "file_input":
		return "[ 📎 " + either("attach files") + " ]", nil
	case "image":
		return "[image: " + kitStr(el, "alt_text") + "]", nil
	}
	return "[ " + typ + " ]", nil
}

// textBox shows a text field's value, or its placeholder in italics, since
// Slack greys a placeholder out and a reader must not take it for a value.
func (r kitRenderer) textBox(value, placeholder string) string {
	switch {
	case value != "":
		return "[ " + strings.ReplaceAll(value, "\n", " ⏎ ") + " ]"
	case placeholder != "":
		return "[ _" + placeholder + "_ ]"
	}
	return "[ ____ ]"
}

// ids renders the initial user or conversation of a select (key) or, for a
// multi-select, the list under key+"s".
func (r kitRenderer) ids(el map[string]any, key, sigil string, name func(string) string) string {
	ids := kitStrings(el, key+"s")
	if id := kitStr(el, key); id != "" {
		ids = append([]string{id}, ids...)
	}
	shown := make([]string, len(ids))
	for i, id := range ids {
		n := name(id)
		if n == "" {
			n = id
		}
		shown[i] = sigil + n
	}
	return strings.Join(shown, ", ")
}

func (r kitRenderer) optionLine(marker string, el map[string]any) []string {
	var texts []string
	for _, o := range kitOptions(el) {
		texts = append(texts, r.text(kitNode(o, "text")))
	}
	if len(texts) == 0 {
		return nil
	}
	if n := len(texts); n > kitMaxOptions {
		// A 48-slot time menu would fill the screen: its start and end
		// show what it holds.
		texts = append(texts[:kitMaxOptions-2:kitMaxOptions-2], "…", texts[n-1], fmt.Sprintf("(%d choices)", n))
	}
	return []string{marker + " " + strings.Join(texts, " | ")}
}

// kitMaxOptions is the most options a menu's line lists in full.
const kitMaxOptions = 10

// choices renders the options of checkboxes or radio buttons, one each,
// marked chosen when their value is among the initial ones.
func (r kitRenderer) choices(el map[string]any) []string {
	on, off := "☑", "☐"
	chosen := map[string]bool{}
	if kitStr(el, "type") == "radio_buttons" {
		on, off = "◉", "○"
		if o := kitNode(el, "initial_option"); o != nil {
			chosen[kitStr(o, "value")] = true
		}
	} else {
		for _, o := range kitNodes(el, "initial_options") {
			chosen[kitStr(o, "value")] = true
		}
	}
	var lines []string
	for _, o := range kitOptions(el) {
		mark := off
		if chosen[kitStr(o, "value")] {
			mark = on
		}
		s := mark + " " + r.text(kitNode(o, "text"))
		if d := r.text(kitNode(o, "description")); d != "" {
			s += " — " + d
		}
		lines = append(lines, s)
	}
	return lines
}

// richText renders the elements of a rich_text block (or a rich_text_input
// value): each section, list, quote or preformatted element starts a line.
func (r kitRenderer) richText(elems []map[string]any) []string {
	var lines []string
	for _, e := range elems {
		switch kitStr(e, "type") {
		case "rich_text_section":
			lines = append(lines, strings.Split(r.richInline(e), "\n")...)
		case "rich_text_list":
			indent := 0
			if n, ok := kitInt(e, "indent"); ok {
				indent = int(n)
			}
			offset := int64(0)
			if n, ok := kitInt(e, "offset"); ok {
				offset = n
			}
			pad := strings.Repeat("  ", indent)
			for i, item := range kitNodes(e, "elements") {
				mark := "• "
				if kitStr(e, "style") == "ordered" {
					mark = strconv.FormatInt(offset+int64(i)+1, 10) + ". "
				}
				il := strings.Split(r.richInline(item), "\n")
				lines = append(lines, pad+mark+il[0])
				lines = append(lines, kitIndent(pad+strings.Repeat(" ", kitWidth(mark)), il[1:])...)
			}
		case "rich_text_quote":
			lines = append(lines, kitIndent("> ", strings.Split(r.richInline(e), "\n"))...)
		case "rich_text_preformatted":
			lines = append(lines, "```")
			lines = append(lines, strings.Split(r.richInline(e), "\n")...)
			lines = append(lines, "```")
		}
	}
	return lines
}

// richInline renders the inline elements of a rich text section, showing
// styles with the mrkdwn markers RenderText keeps.
func (r kitRenderer) richInline(sec map[string]any) string {
	var b strings.Builder
	for _, e := range kitNodes(sec, "elements") {
		switch kitStr(e, "type") {
		case "text":
			b.WriteString(kitStyle(kitStr(e, "text"), kitNode(e, "style")))
		case "link":
			u, t := kitStr(e, "url"), kitStr(e, "text")
			if t == "" || t == u {
				b.WriteString(u)
			} else {
				b.WriteString(t + " (" + u + ")")
			}
		case "user":
			b.WriteString(r.ids(e, "user_id", "@", r.names.user))
		case "channel":
			b.WriteString(r.ids(e, "channel_id", "#", r.names.channel))
		case "usergroup":
			b.WriteString("@" + kitStr(e, "usergroup_id"))
		case "team":
			b.WriteString("@" + kitStr(e, "team_id"))
		case "broadcast":
			b.WriteString("@" + kitStr(e, "range"))
		case "emoji":
			b.WriteString(kitEmojiElement(kitStr(e, "name"), kitStr(e, "unicode")))
		case "date":
			if f := kitStr(e, "fallback"); f != "" {
				b.WriteString(f)
			} else if n, ok := kitInt(e, "timestamp"); ok {
				b.WriteString(kitTime(n))
			}
		case "color":
			b.WriteString(kitStr(e, "value"))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// kitStyle wraps text in mrkdwn markers, outside any surrounding spaces
// so that "*bold *" does not appear.
func kitStyle(s string, style map[string]any) string {
	core := strings.TrimSpace(s)
	if core == "" || style == nil {
		return s
	}
	lead := s[:strings.Index(s, core)]
	trail := s[len(lead)+len(core):]
	for _, m := range []struct{ key, mark string }{{"code", "`"}, {"strike", "~"}, {"italic", "_"}, {"bold", "*"}} {
		if on, _ := style[m.key].(bool); on {
			core = m.mark + core + m.mark
		}
	}
	return lead + core + trail
}

func kitEmojiElement(name, hex string) string {
	if e, ok := kitEmojiLookup(name); ok {
		return e
	}
	if hex != "" {
		var b strings.Builder
		for _, h := range strings.Split(hex, "-") {
			n, err := strconv.ParseUint(h, 16, 32)
			if err != nil {
				return ":" + name + ":"
			}
			b.WriteRune(rune(n))
		}
		return b.String()
	}
	return ":" + name + ":"
}

// kitEntity renders the inside of one "<…>" of mrkdwn.
func kitEntity(inner string, names Names) string {
	body, label, _ := strings.Cut(inner, "|")
	label = kitUnescape(label)
	switch {
	case strings.HasPrefix(body, "@"):
		return kitMention("@", body[1:], label, names.user)
	case strings.HasPrefix(body, "#"):
		return kitMention("#", body[1:], label, names.channel)
	case strings.HasPrefix(body, "!"):
		cmd := body[1:]
		switch {
		case cmd == "here" || cmd == "channel" || cmd == "everyone":
			return "@" + cmd
		case strings.HasPrefix(cmd, "date^"):
			ts, format, _ := strings.Cut(strings.TrimPrefix(cmd, "date^"), "^")
			format, _, _ = strings.Cut(format, "^") // an optional link follows
			n, err := strconv.ParseInt(ts, 10, 64)
			switch {
			case err == nil && names.Zone != nil && format != "":
				return kitLocalDate(time.Unix(n, 0).In(names.Zone), format, names)
			case label != "":
				return label
			case err == nil:
				return kitTime(n)
			}
			return inner
		case label != "":
			return "@" + strings.TrimPrefix(label, "@")
		case strings.HasPrefix(cmd, "subteam^"):
			return "@" + strings.TrimPrefix(cmd, "subteam^")
		}
		return "@" + cmd
	}
	url := kitUnescape(body)
	shown := strings.TrimPrefix(url, "mailto:")
	label = kitEmojify(label)
	if label == "" || label == shown || label == url {
		return shown
	}
	return label + " (" + shown + ")"
}

func kitMention(sigil, id, label string, name func(string) string) string {
	if n := name(id); n != "" {
		return sigil + n
	}
	if label != "" {
		return sigil + strings.TrimPrefix(label, sigil)
	}
	return sigil + id
}

// kitPlain renders mrkdwn outside "<…>": shortcodes, then entities, so that
// an escaped "&lt;" never starts a shortcode or an entity.
func kitPlain(s string) string { return kitUnescape(kitEmojify(s)) }

var kitUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func kitUnescape(s string) string { return kitUnescaper.Replace(s) }

// kitEmojify replaces the shortcodes of the emoji table. A colon that opens
// no known shortcode is left as written and the scan goes on from the next
// colon, so "10:00:30" and "at 09:00 :tada:" come out right.
func kitEmojify(s string) string {
	if strings.Count(s, ":") < 2 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == ':' {
			if j := strings.IndexByte(s[i+1:], ':'); j > 0 {
				if e, ok := kitEmojiLookup(s[i+1 : i+1+j]); ok {
					b.WriteString(e)
					i += j + 2
					continue
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// kitEmojiLookup finds a shortcode's emoji. Skin-tone modifiers
// (":+1::skin-tone-2:") render as nothing: the base emoji is what a reader
// needs, and the tone would not show in every terminal anyway.
func kitEmojiLookup(name string) (string, bool) {
	if len(name) == len("skin-tone-2") && strings.HasPrefix(name, "skin-tone-") && name[10] >= '2' && name[10] <= '6' {
		return "", true
	}
	e, ok := kitEmoji[name]
	return e, ok
}

// kitEmoji holds the shortcodes the bot uses and common ones people type.
// Purely numeric names (Slack has ":100:") are left out on purpose: they
// would turn times like "10:100:" into emoji.
var kitEmoji = map[string]string{
	"+1":                       "👍",
	"-1":                       "👎",
	"alarm_clock":              "⏰",
	"arrow_right":              "➡️",
	"arrows_counterclockwise":  "🔄",
	"balloon":                  "🎈",
	"bar_chart":                "📊",
	"bell":                     "🔔",
	"birthday":                 "🎂",
	"book":                     "📖",
	"bookmark":                 "🔖",
	"books":                    "📚",
	"bulb":                     "💡",
	"bust_in_silhouette":       "👤",
	"busts_in_silhouette":      "👥",
	"calendar":                 "📅",
	"calling":                  "📲",
	"chart_with_upwards_trend": "📈",
	"clap":                     "👏",
	"clock9":                   "🕘",
	"coffee":                   "☕",
	"confetti_ball":            "🎊",
	"crescent_moon":            "🌙",
	"date":                     "📅",
	"double_vertical_bar":      "⏸️",
	"earth_africa":             "🌍",
	"earth_americas":           "🌎",
	"earth_asia":               "🌏",
	"email":                    "📧",
	"envelope":                 "✉️",
	"exclamation":              "❗",
	"eyes":                     "👀",
	"fast_forward":             "⏩",
	"fire":                     "🔥",
	"gear":                     "⚙️",
	"gift":                     "🎁",
	"globe_with_meridians":     "🌐",
	"grey_question":            "❔",
	"grin":                     "😁",
	"grinning":                 "😀",
	"handshake":                "🤝",
	"heart":                    "❤️",
	"heart_eyes":               "😍",
	"heavy_check_mark":         "✔️",
	"heavy_exclamation_mark":   "❗",
	"heavy_plus_sign":          "➕",
	"hourglass":                "⌛",
	"hourglass_flowing_sand":   "⏳",
	"hugging_face":             "🤗",
	"inbox_tray":               "📥",
	"information_source":       "ℹ️",
	"joy":                      "😂",
	"link":                     "🔗",
	"lock":                     "🔒",
	"mag":                      "🔍",
	"mailbox":                  "📫",
	"medal":                    "🏅",
	"memo":                     "📝",
	"muscle":                   "💪",
	"no_bell":                  "🔕",
	"ok_hand":                  "👌",
	"outbox_tray":              "📤",
	"palm_tree":                "🌴",
	"partying_face":            "🥳",
	"pencil2":                  "✏️",
	"phone":                    "☎️",
	"point_right":              "👉",
	"pray":                     "🙏",
	"pushpin":                  "📌",
	"question":                 "❓",
	"raised_hand":              "✋",
	"raised_hands":             "🙌",
	"repeat":                   "🔁",
	"rocket":                   "🚀",
	"seedling":                 "🌱",
	"slightly_smiling_face":    "🙂",
	"smile":                    "😄",
	"smiley":                   "😃",
	"sparkles":                 "✨",
	"speech_balloon":           "💬",
	"spiral_calendar":          "🗓️",
	"spiral_calendar_pad":      "🗓️",
	"sports_medal":             "🏅",
	"star":                     "⭐",
	"star2":                    "🌟",
	"sunny":                    "☀️",
	"sweat_smile":              "😅",
	"tada":                     "🎉",
	"telephone":                "☎️",
	"thinking_face":            "🤔",
	"thought_balloon":          "💭",
	"thumbsdown":               "👎",
	"thumbsup":                 "👍",
	"trophy":                   "🏆",
	"upside_down_face":         "🙃",
	"warning":                  "⚠️",
	"wastebasket":              "🗑️",
	"wave":                     "👋",
	"white_check_mark":         "✅",
	"wink":                     "😉",
	"x":                        "❌",
	"zap":                      "⚡",
	"zzz":                      "💤",
}

// kitWidth estimates how many terminal columns s takes, so that a heading's
// underline matches it: emoji and East Asian wide characters take two,
// variation selectors, joiners, skin tones and combining marks none. Terminals
// disagree about some symbols; this is close enough for an underline.
func kitWidth(s string) int {
	rs := []rune(s)
	w := 0
	for i, r := range rs {
		switch {
		case r == 0xFE0F || r == 0xFE0E || r == 0x200D || (r >= 0x1F3FB && r <= 0x1F3FF) ||
			unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		case r >= 0x1F000 || kitWide(r) || (i+1 < len(rs) && rs[i+1] == 0xFE0F):
			w += 2
		default:
			w++
		}
	}
	return w
}

// kitWide reports East Asian wide characters and the symbols below U+1F000
// that show as emoji without a variation selector.
func kitWide(r rune) bool {
	switch r {
	case 0x231A, 0x231B, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23F0, 0x23F3, 0x25FD, 0x25FE,
		0x2614, 0x2615, 0x2648, 0x267F, 0x2693, 0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE,
		0x26C4, 0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2, 0x26F3, 0x26F5, 0x26FA, 0x26FD,
		0x2705, 0x270A, 0x270B, 0x2728, 0x274C, 0x274E, 0x2753, 0x2754, 0x2755, 0x2757,
		0x2795, 0x2796, 0x2797, 0x27B0, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B55:
		return true
	}
	return (r >= 0x1100 && r <= 0x115F) || (r >= 0x2E80 && r <= 0xA4CF) ||
		(r >= 0xAC00 && r <= 0xD7A3) || (r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0xFE30 && r <= 0xFE4F) || (r >= 0xFF00 && r <= 0xFF60) ||
		(r >= 0xFFE0 && r <= 0xFFE6)
}

// kitTime shows a Unix time when Slack would format it for the reader's
// zone: UTC, so the text does not depend on where it is rendered.
func kitTime(unix int64) string {
	return time.Unix(unix, 0).UTC().Format("2006-01-02 15:04 UTC")
}

func kitIndent(prefix string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = prefix + l
	}
	return out
}

// kitDecode decodes JSON into maps and slices, keeping numbers exact; nil
// when the input is not one JSON value.
func kitDecode(raw []byte) any {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil
	}
	if _, err := d.Token(); err == nil {
		return nil
	}
	return v
}

// kitBlockList decodes a blocks array, dropping entries that are not objects.
func kitBlockList(raw []byte) ([]map[string]any, bool) {
	a, ok := kitDecode(raw).([]any)
	if !ok {
		return nil, false
	}
	return kitObjects(a), true
}

func kitObjects(a []any) []map[string]any {
	var out []map[string]any
	for _, v := range a {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// The accessors below read one field of a decoded object and give the zero
// value when it is missing or of another type: malformed blocks render what
// they can rather than nothing.

func kitStr(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func kitNode(m map[string]any, k string) map[string]any {
	n, _ := m[k].(map[string]any)
	return n
}

func kitNodes(m map[string]any, k string) []map[string]any {
	a, _ := m[k].([]any)
	return kitObjects(a)
}

func kitStrings(m map[string]any, k string) []string {
	a, _ := m[k].([]any)
	var out []string
	for _, v := range a {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func kitInt(m map[string]any, k string) (int64, bool) {
	switch v := m[k].(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// kitOptions lists an element's options with option_groups flattened.
func kitOptions(el map[string]any) []map[string]any {
	opts := kitNodes(el, "options")
	for _, g := range kitNodes(el, "option_groups") {
		opts = append(opts, kitNodes(g, "options")...)
	}
	return opts
}

// kitMarshal re-encodes a decoded value compactly, without Go's HTML
// escaping, so "<@U1>" stays readable.
func kitMarshal(v any) json.RawMessage {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		panic(fmt.Sprintf("slacktest: re-encode decoded JSON: %v", err)) // decoded JSON always encodes
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// kitLocalDate formats a "<!date^ts^format>" token for a reader in t's
// zone, with Slack's tokens; the clock is 24-hour.
func kitLocalDate(t time.Time, format string, names Names) string {
	ordinal := func(d int) string {
		switch {
		case d%100 >= 11 && d%100 <= 13:
			return fmt.Sprintf("%dth", d)
		case d%10 == 1:
			return fmt.Sprintf("%dst", d)
		case d%10 == 2:
			return fmt.Sprintf("%dnd", d)
		case d%10 == 3:
			return fmt.Sprintf("%drd", d)
		}
		return fmt.Sprintf("%dth", d)
	}
	date := t.Format("January ") + ordinal(t.Day()) + t.Format(", 2006")
	short := t.Format("Jan 2, 2006")
	long := t.Format("Monday, January ") + ordinal(t.Day()) + t.Format(", 2006")
	pretty := func(plain string) string {
		if names.Now == nil {
			return plain
		}
		now := names.Now().In(t.Location())
		y1, m1, d1 := now.Date()
		day := time.Date(y1, m1, d1, 0, 0, 0, 0, t.Location())
		switch y, m, d := t.Date(); time.Date(y, m, d, 0, 0, 0, 0, t.Location()).Sub(day).Round(time.Hour) / (24 * time.Hour) {
		case 0:
			return "today"
		case 1:
			return "tomorrow"
		case -1:
			return "yesterday"
		}
		return plain
	}
	return strings.NewReplacer(
		"{date_num}", t.Format("2006-01-02"),
		"{date_short_pretty}", pretty(short),
		"{date_long_pretty}", pretty(long),
		"{date_pretty}", pretty(date),
		"{date_short}", short,
		"{date_long}", long,
		"{date}", date,
		"{time_secs}", t.Format("15:04:05"),
		"{time}", t.Format("15:04"),
	).Replace(format)
}
