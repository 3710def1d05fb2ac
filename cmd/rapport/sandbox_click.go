package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// A surface is something on the person's screen with blocks to click: a
// message, their Home tab or an open dialog.
type surface struct {
	blocks  json.RawMessage
	message *slacktest.Message // a message, or nil for a view
	view    json.RawMessage    // the Home tab or dialog
	viewID  string
}

// splitArgs splits :click's and :fill's argument into words, keeping
// "quoted phrases" together. Without quotes, the whole argument is one.
func splitArgs(arg string) []string {
	if !strings.ContainsAny(arg, `"“”`) {
		if arg = strings.TrimSpace(arg); arg != "" {
			return []string{arg}
		}
		return nil
	}
	var out []string
	var cur strings.Builder
	quoted := false
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, r := range arg {
		switch {
		case r == '"' || r == '“' || r == '”':
			flush()
			quoted = !quoted
		case r == ' ' && !quoted:
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// normLabel is a label as a person reads it: case, emoji and punctuation
// aside.
func normLabel(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// sameLabel compares a label with what was typed: "we met" is "We met ☕".
func sameLabel(label, typed string) bool {
	n := normLabel(label)
	return n != "" && n == normLabel(typed)
}

// labelPrefix matches what was typed to the start of a label, in whole
// words: "who" is "Who do you want to thank?". It is tried after
// sameLabel found nothing.
func labelPrefix(label, typed string) bool {
	l, t := normLabel(label), normLabel(typed)
	return t != "" && (l == t || strings.HasPrefix(l, t+" "))
}

// surfaces lists what the person can click, newest first: an open dialog,
// then messages they can see and their Home tab, by when each last changed.
func (sb *sandbox) surfaces() []surface {
	var out []surface
	if id, v, err := sb.topModal(); err == nil {
		out = append(out, surface{blocks: viewBlocks(v), view: v, viewID: id})
	}
	type dated struct {
		surface
		seq int
	}
	// When each message last changed: its newest entry in the feed.
	changed := map[string]int{}
	for _, c := range sb.slack.Changes(0) {
		changed[c.Message.Channel+"/"+c.Message.TS] = c.Seq
	}
	var rest []dated
	for _, c := range sb.slack.ConversationsOf(sb.me) {
		for _, m := range sb.visible(c.ID) {
			if len(m.Blocks) > 0 {
				rest = append(rest, dated{surface{blocks: m.Blocks, message: &m}, changed[m.Channel+"/"+m.TS]})
			}
		}
	}
	if sb.homeSeq > 0 {
		if v := sb.slack.HomeView(sb.me); v != nil {
			var id struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(v, &id)
			rest = append(rest, dated{surface{blocks: viewBlocks(v), view: v, viewID: id.ID}, sb.homeSeq})
		}
	}
	slices.SortStableFunc(rest, func(a, b dated) int { return b.seq - a.seq })
	for _, d := range rest {
		out = append(out, d.surface)
	}
	return out
}

func viewBlocks(view json.RawMessage) json.RawMessage {
	var v struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(view, &v)
	return v.Blocks
}

// click presses a button, or picks a choice in a menu, by its label.
func (sb *sandbox) click(ctx context.Context, w io.Writer, arg string) error {
	args := splitArgs(arg)
	if len(args) == 0 || len(args) > 2 {
		return errors.New(`click what? e.g. :click "We met ☕" or :click Snooze tomorrow`)
	}
	label, choice := args[0], ""
	if len(args) == 2 {
		label, choice = args[0], args[1]
	}
	// A dialog's own buttons are :submit and :cancel by another name.
	if _, view, err := sb.topModal(); err == nil && choice == "" {
		var v struct {
			Submit, Close struct{ Text string }
		}
		_ = json.Unmarshal(view, &v)
		switch {
		case v.Submit.Text != "" && sameLabel(v.Submit.Text, label):
			return sb.submit(ctx, w)
		case v.Close.Text != "" && sameLabel(v.Close.Text, label):
			return sb.cancelModal(ctx, w)
		}
	}
	surfaces := sb.surfaces()
	for _, match := range []func(a, b string) bool{sameLabel, labelPrefix} {
		for _, s := range surfaces {
			for _, a := range slacktest.Actions(s.blocks) {
				if a.Input {
					continue // dialog fields are filled with :fill
				}
				action, ok := pick(a, label, choice, match)
				if !ok {
					continue
				}
				if a.URL != "" {
					fmt.Fprintf(w, "  (a link: your browser would open %s)\n", a.URL)
					if a.ActionID == "" {
						return nil
					}
				}
				return sb.sendAction(ctx, w, s, action)
			}
		}
	}
	if choice != "" {
		return fmt.Errorf("you see no button or menu %q with a choice %q", label, choice)
	}
	return fmt.Errorf("you see no button or menu labelled %q (read the latest with :dms, :channel or :home)", label)
}

// pick matches an element to :click's words and returns the action Slack
// would report: a button by its label; a menu by its label and a choice,
// or by the choice alone.
func pick(a slacktest.Action, label, choice string, match func(a, b string) bool) (map[string]any, bool) {
	action := map[string]any{"type": a.Type, "action_id": a.ActionID, "block_id": a.BlockID, "action_ts": "1"}
	if a.Type == "button" {
		if choice != "" || !match(a.Label, label) {
			return nil, false
		}
		action["value"] = a.Value
		action["text"] = map[string]any{"type": "plain_text", "text": a.Label, "emoji": true}
		return action, true
	}
	want := choice
	if choice == "" {
		want = label
	} else if !match(a.Label, label) {
		return nil, false
	}
	for _, o := range a.Options {
		if match(o.Text, want) || o.Value == want {
			opt := map[string]any{"text": map[string]any{"type": "plain_text", "text": o.Text, "emoji": true}, "value": o.Value}
			switch a.Type {
			case "checkboxes", "multi_static_select":
				action["selected_options"] = []any{opt}
			default:
				action["selected_option"] = opt
			}
			return action, true
		}
	}
	return nil, false
}

// sendAction sends the block_actions payload Slack sends for a click on s.
func (sb *sandbox) sendAction(ctx context.Context, w io.Writer, s surface, action map[string]any) error {
	payload := map[string]any{
		"type":    "block_actions",
		"user":    sb.userObject(),
		"actions": []any{action},
	}
	if m := s.message; m != nil {
		payload["container"] = map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.Ephemeral}
		payload["channel"] = map[string]any{"id": m.Channel, "name": sb.channelName(m.Channel)}
		if !m.Ephemeral { // Slack sends no copy of an ephemeral message
			msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": "UBOT", "bot_id": "B0001", "blocks": m.Blocks}
			if m.ThreadTS != "" {
				msg["thread_ts"] = m.ThreadTS
			}
			payload["message"] = msg
		}
	} else {
		view, err := sb.viewWithState(s.viewID, s.view)
		if err != nil {
			return err
		}
		payload["container"] = map[string]any{"type": "view", "view_id": s.viewID}
		payload["view"] = view
	}
	before := sb.slack.LastChange()
	ack, err := sb.slack.Interaction(ctx, payload)
	if err := sb.awaitHandled(ctx, ack, err); err != nil {
		return err
	}
	sb.printChanges(w, false)
	if s.message != nil {
		sb.onHome = false // they are reading that conversation
	}
	return sb.refreshHome(w, before)
}

// refreshHome shows the Home tab again when the person is looking at it
// and Rapport published it after seq: what a click or a saved dialog
// changed there.
func (sb *sandbox) refreshHome(w io.Writer, seq int) error {
	if !sb.onHome || !sb.homeChanged(seq) {
		return nil
	}
	return sb.showHome(w)
}

// homeChanged reports whether the person's Home was published after seq.
func (sb *sandbox) homeChanged(seq int) bool {
	return slices.ContainsFunc(sb.slack.Changes(seq), func(c slacktest.Change) bool {
		return c.Kind == slacktest.HomePublished && c.User == sb.me
	})
}

func (sb *sandbox) userObject() map[string]any {
	h := sb.handle(sb.me)
	return map[string]any{"id": sb.me, "username": h, "name": h, "team_id": "T0001"}
}

// topModal returns the dialog open on the person's screen.
func (sb *sandbox) topModal() (string, json.RawMessage, error) {
	stack := sb.modals[sb.me]
	if len(stack) == 0 {
		return "", nil, errors.New("no dialog is open on your screen")
	}
	id := stack[len(stack)-1]
	if v, ok := sb.overrides[id]; ok {
		return id, v, nil
	}
	return id, sb.slack.View(id), nil
}

// fill types a value into a field of the open dialog; :submit sends it.
func (sb *sandbox) fill(w io.Writer, arg string) error {
	field, value, ok := fieldAndValue(arg)
	if !ok {
		return errors.New(`fill what? e.g. :fill "What for" thanks for the review`)
	}
	id, view, err := sb.topModal()
	if err != nil {
		return err
	}
	for _, match := range []func(a, b string) bool{sameLabel, labelPrefix} {
		for _, a := range slacktest.Actions(viewBlocks(view)) {
			if !a.Input || !match(a.Label, field) {
				continue
			}
			key := a.BlockID + "/" + a.ActionID
			current, typed := sb.fills[id][key]
			if !typed {
				current = initialValue(a)
			}
			v, shown, err := sb.changeSelection(a, current, value)
			if err == nil && v == nil {
				v, shown, err = sb.fieldValue(a, value)
			}
			if err != nil {
				return err
			}
			if sb.fills[id] == nil {
				sb.fills[id] = map[string]map[string]any{}
			}
			sb.fills[id][key] = v
			fmt.Fprintf(w, "  ✎ %s: %s\n", a.Label, shown)
			return nil
		}
	}
	var labels []string
	for _, a := range slacktest.Actions(viewBlocks(view)) {
		if a.Input {
			labels = append(labels, fmt.Sprintf("%q", a.Label))
		}
	}
	return fmt.Errorf("the dialog has no field %q; its fields are %s", field, strings.Join(labels, ", "))
}

// fieldAndValue splits :fill's argument: a "quoted field" or one word,
// then the value (quotes around it are dropped).
func fieldAndValue(arg string) (field, value string, ok bool) {
	arg = strings.TrimSpace(arg)
	if rest, quoted := strings.CutPrefix(arg, `"`); quoted {
		field, value, ok = strings.Cut(rest, `"`)
	} else {
		field, value, ok = strings.Cut(arg, " ")
	}
	value = strings.Trim(strings.TrimSpace(value), `"`)
	return strings.TrimSpace(field), value, ok && field != "" && value != ""
}

// changeSelection applies :fill's +choice and -choice to the choices a
// checkbox group or multi-select already has (ticked by Rapport, or by an
// earlier :fill): "+Saturday" ticks one, "-Monday" unticks one, and both
// mix ("+Sat, -Mon"). It returns nil when the value holds no + or -: then
// the value is the whole new selection, as in fieldValue. shown lists the
// choices ticked afterwards.
func (sb *sandbox) changeSelection(a slacktest.Action, current map[string]any, text string) (v map[string]any, shown string, err error) {
	if a.Type != "checkboxes" && a.Type != "multi_static_select" {
		return nil, "", nil
	}
	var items []string
	signed := 0
	for _, s := range strings.Split(text, ",") {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
			if s[0] == '+' || s[0] == '-' {
				signed++
			}
		}
	}
	switch {
	case signed == 0:
		return nil, "", nil
	case signed < len(items):
		return nil, "", fmt.Errorf(`mix of choices with and without + or -: write "+Saturday, -Monday" to change what is ticked, or "Monday, Saturday" for exactly those`)
	}
	ticked := map[string]bool{}
	if opts, ok := current["selected_options"].([]any); ok {
		for _, o := range opts {
			if m, ok := o.(map[string]any); ok {
				if val, ok := m["value"].(string); ok {
					ticked[val] = true
				}
			}
		}
	}
	for _, s := range items {
		want := strings.TrimSpace(s[1:])
		var found *slacktest.Option
		for i, o := range a.Options {
			if sameLabel(o.Text, want) || o.Value == want {
				found = &a.Options[i]
				break
			}
		}
		if found == nil {
			var all []string
			for _, o := range a.Options {
				all = append(all, o.Text)
			}
			return nil, "", fmt.Errorf("%q is not a choice of %q; the choices are %s", want, a.Label, strings.Join(all, ", "))
		}
		ticked[found.Value] = s[0] == '+'
	}
	opts := []any{}
	var labels []string
	for _, o := range a.Options { // in the order the field shows them
		if ticked[o.Value] {
			opts = append(opts, map[string]any{"text": map[string]any{"type": "plain_text", "text": o.Text}, "value": o.Value})
			labels = append(labels, o.Text)
		}
	}
	shown = strings.Join(labels, ", ")
	if shown == "" {
		shown = "(none)"
	}
	return map[string]any{"type": a.Type, "selected_options": opts}, shown, nil
}

// fieldValue turns typed text into a field's state as Slack reports it,
// and what :fill echoes.
func (sb *sandbox) fieldValue(a slacktest.Action, text string) (map[string]any, string, error) {
	v, err := sb.typedValue(a, text)
	return v, text, err
}

// typedValue turns typed text into a field's state as Slack reports it.
func (sb *sandbox) typedValue(a slacktest.Action, text string) (map[string]any, error) {
	v := map[string]any{"type": a.Type}
	option := func(s string) (map[string]any, error) {
		for _, o := range a.Options {
			if sameLabel(o.Text, s) || o.Value == s {
				return map[string]any{"text": map[string]any{"type": "plain_text", "text": o.Text}, "value": o.Value}, nil
			}
		}
		var all []string
		for _, o := range a.Options {
			all = append(all, o.Text)
		}
		return nil, fmt.Errorf("%q is not a choice of %q; the choices are %s", s, a.Label, strings.Join(all, ", "))
	}
	list := func() []string {
		var out []string
		for _, s := range strings.Split(text, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	user := func(s string) (string, error) {
		if id, ok := sb.person(s); ok {
			return id, nil
		}
		return "", fmt.Errorf("nobody called %q here; the team is %s", s, teamHandles())
	}
	switch a.Type {
	case "plain_text_input", "number_input", "email_text_input", "url_text_input":
		v["value"] = text
	case "static_select", "radio_buttons":
		o, err := option(text)
		if err != nil {
			return nil, err
		}
		v["selected_option"] = o
	case "multi_static_select", "checkboxes":
		opts := []any{}
		for _, s := range list() {
			o, err := option(s)
			if err != nil {
				return nil, err
			}
			opts = append(opts, o)
		}
		v["selected_options"] = opts
	case "users_select":
		id, err := user(text)
		if err != nil {
			return nil, err
		}
		v["selected_user"] = id
	case "multi_users_select":
		ids := []string{}
		for _, s := range list() {
			id, err := user(s)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		v["selected_users"] = ids
	case "datepicker":
		v["selected_date"] = text
	case "timepicker":
		v["selected_time"] = text
	case "conversations_select", "channels_select":
		id, err := sb.channelID(text)
		if err != nil {
			return nil, err
		}
		v["selected_conversation"], v["selected_channel"] = id, id
	default:
		return nil, fmt.Errorf("the sandbox cannot fill a %s field", a.Type)
	}
	return v, nil
}

// initialValue is a field's state before anyone types: its initial value.
func initialValue(a slacktest.Action) map[string]any {
	v := map[string]any{"type": a.Type}
	var initial any
	if len(a.Initial) > 0 {
		_ = json.Unmarshal(a.Initial, &initial)
	}
	switch a.Type {
	case "plain_text_input", "number_input", "email_text_input", "url_text_input":
		v["value"] = initial // a string, or null when empty
	case "static_select", "radio_buttons":
		v["selected_option"] = initial
	case "multi_static_select", "checkboxes":
		if initial == nil {
			initial = []any{}
		}
		v["selected_options"] = initial
	case "users_select":
		v["selected_user"] = initial
	case "multi_users_select":
		if initial == nil {
			initial = []any{}
		}
		v["selected_users"] = initial
	case "datepicker":
		v["selected_date"] = initial
	case "timepicker":
		v["selected_time"] = initial
	case "conversations_select":
		v["selected_conversation"] = initial
	case "channels_select":
		v["selected_channel"] = initial
	}
	return v
}

// viewWithState returns the view with state.values as Slack sends it: the
// initial values, overridden by what was typed with :fill.
func (sb *sandbox) viewWithState(id string, raw json.RawMessage) (map[string]any, error) {
	var view map[string]any
	if err := json.Unmarshal(raw, &view); err != nil {
		return nil, fmt.Errorf("sandbox: reading view %s: %w", id, err)
	}
	values := map[string]any{}
	for _, a := range slacktest.Actions(viewBlocks(raw)) {
		if !a.Input {
			continue
		}
		v := initialValue(a)
		if typed, ok := sb.fills[id][a.BlockID+"/"+a.ActionID]; ok {
			v = typed
		}
		block, _ := values[a.BlockID].(map[string]any)
		if block == nil {
			block = map[string]any{}
			values[a.BlockID] = block
		}
		block[a.ActionID] = v
	}
	view["state"] = map[string]any{"values": values}
	return view, nil
}

// submit sends the open dialog, as its submit button does, and follows
// Slack's rules for the answer: errors keep it open, "update" replaces it,
// "push" adds one, "clear" closes all, nothing closes it.
func (sb *sandbox) submit(ctx context.Context, w io.Writer) error {
	id, raw, err := sb.topModal()
	if err != nil {
		return err
	}
	view, err := sb.viewWithState(id, raw)
	if err != nil {
		return err
	}
	before := sb.slack.LastChange()
	ack, err := sb.slack.Interaction(ctx, map[string]any{"type": "view_submission", "user": sb.userObject(), "view": view})
	if err := sb.awaitHandled(ctx, ack, err); err != nil {
		return err
	}
	var answer struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
		View   json.RawMessage   `json:"view"`
	}
	if len(ack.Payload) > 0 {
		_ = json.Unmarshal(ack.Payload, &answer)
	}
	stack := sb.modals[sb.me]
	switch answer.Action {
	case "errors":
		keys := make([]string, 0, len(answer.Errors))
		for k := range answer.Errors {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  ⚠ %s\n", slacktest.RenderText(answer.Errors[k], sb.names(sb.me)))
		}
		sb.printChanges(w, false)
		return nil
	case "update", "push":
		target := id // "update" replaces the dialog in place, keeping its ID
		if answer.Action == "push" {
			target = fmt.Sprintf("%s-pushed-%d", id, len(stack))
			sb.modals[sb.me] = append(stack, target)
		}
		sb.overrides[target] = answer.View
		delete(sb.fills, target)
		fmt.Fprintln(w, "  ┌ Rapport updates the dialog on your screen")
		fmt.Fprint(w, indent(slacktest.RenderView(answer.View, sb.names(sb.me)), "  │ "))
		fmt.Fprintln(w, "  └")
		sb.printChanges(w, false)
		return nil
	}
	// Otherwise the dialog closes: "clear" closes the whole stack.
	sb.closeModals(w, answer.Action == "clear")
	sb.printChanges(w, false)
	return sb.refreshHome(w, before)
}

// closeModals takes the top dialog (or all of them) off the person's
// screen and forgets what was typed in it.
func (sb *sandbox) closeModals(w io.Writer, all bool) {
	stack := sb.modals[sb.me]
	keep := len(stack) - 1
	if all {
		keep = 0
	}
	for _, id := range stack[keep:] {
		delete(sb.fills, id)
		delete(sb.overrides, id)
	}
	sb.modals[sb.me] = stack[:keep]
	fmt.Fprintln(w, "  (dialog closed)")
}

// cancelModal closes the open dialog, telling Rapport when it asked to
// know (notify_on_close).
func (sb *sandbox) cancelModal(ctx context.Context, w io.Writer) error {
	id, raw, err := sb.topModal()
	if err != nil {
		return err
	}
	var v struct {
		Notify bool `json:"notify_on_close"`
	}
	_ = json.Unmarshal(raw, &v)
	view, err := sb.viewWithState(id, raw) // with what was typed, before it is forgotten
	if err != nil {
		return err
	}
	sb.closeModals(w, false)
	if !v.Notify {
		return nil
	}
	ack, err := sb.slack.Interaction(ctx, map[string]any{"type": "view_closed", "user": sb.userObject(), "view": view})
	if err := sb.awaitHandled(ctx, ack, err); err != nil {
		return err
	}
	sb.printChanges(w, false)
	return nil
}
