package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// names resolves mentions for rendering, from the fake's directory, and
// shows dates in reader's zone, as their Slack client would.
func (sb *sandbox) names(reader string) slacktest.Names {
	return slacktest.Names{
		Zone: sb.zone(reader),
		Now:  sb.clock.Now,
		User: func(id string) string {
			if u, ok := sb.slack.User(id); ok {
				return u.Name
			}
			return ""
		},
		Channel: func(id string) string {
			if c, ok := sb.slack.Conversation(id); ok {
				return c.Name
			}
			return ""
		},
	}
}

// where names a conversation as the person at the keyboard would see it
// in their sidebar.
func (sb *sandbox) where(id string) string {
	c, ok := sb.slack.Conversation(id)
	switch {
	case !ok:
		return id
	case c.Kind == "im" && c.User == sb.me:
		return "your DM with Rapport"
	case c.Kind == "im":
		return sb.handle(c.User) + "'s DM with Rapport"
	case c.Kind == "mpim":
		var hs []string
		for _, m := range c.Members {
			if m != "UBOT" {
				hs = append(hs, sb.handle(m))
			}
		}
		return "group DM " + strings.Join(hs, ", ")
	}
	return "#" + c.Name
}

// rank orders conversations when several changed at once (their order in
// time is then the order of goroutines, which varies from run to run):
// what only you see, channels, DMs, group DMs.
func (sb *sandbox) rank(m slacktest.Message) int {
	c, _ := sb.slack.Conversation(m.Channel)
	switch {
	case m.Ephemeral && m.User == sb.me:
		return 0
	case c.Kind == "public" || c.Kind == "private":
		return 1
	case c.Kind == "im":
		return 2
	}
	return 3
}

// printChanges prints what the bot changed since the last call. With
// timed, a heading says when (the clock moved).
func (sb *sandbox) printChanges(w io.Writer, timed bool) {
	changes := sb.slack.Changes(sb.seen)
	if len(changes) == 0 {
		return
	}
	sb.seen = changes[len(changes)-1].Seq
	var shown []slacktest.Change
	for _, c := range changes {
		switch c.Kind {
		case slacktest.HomePublished:
			continue // shown on :home, as Slack shows it when the tab is opened
		case slacktest.ViewOpened, slacktest.ViewUpdated:
			sb.trackModal(c)
		}
		shown = append(shown, c)
	}
	if len(shown) == 0 {
		return
	}
	slices.SortStableFunc(shown, func(a, b slacktest.Change) int {
		ka, kb := sb.sortKey(a), sb.sortKey(b)
		byWhere := cmp.Or(cmp.Compare(ka.rank, kb.rank), cmp.Compare(ka.where, kb.where))
		if timed {
			// Messages the clock brought (not answers to a typed line) reach
			// one conversation in the order the outbox drains happened to
			// interleave with the jobs: print new ones by their text, then
			// edits and removals, so a transcript reads the same every run.
			byWhere = cmp.Or(byWhere, cmp.Compare(notPosted(a), notPosted(b)))
			if a.Kind == slacktest.MessagePosted && b.Kind == slacktest.MessagePosted {
				byWhere = cmp.Or(byWhere, cmp.Compare(a.Message.Text, b.Message.Text))
			}
		}
		return cmp.Or(byWhere, cmp.Compare(a.Seq, b.Seq))
	})
	if timed {
		fmt.Fprintf(w, "  ── %s, %s ──\n", sb.local(sb.me, sb.clock.Now()), sb.city(sb.me))
	}
	for _, c := range shown {
		sb.printChange(w, c)
	}
}

// notPosted is 1 for an edit or a removal, 0 for a new message.
func notPosted(c slacktest.Change) int {
	if c.Kind == slacktest.MessagePosted {
		return 0
	}
	return 1
}

type changeKey struct {
	rank  int
	where string
}

func (sb *sandbox) sortKey(c slacktest.Change) changeKey {
	if c.ViewID != "" {
		return changeKey{4, c.User}
	}
	return changeKey{sb.rank(c.Message), sb.where(c.Message.Channel)}
}

func (sb *sandbox) printChange(w io.Writer, c slacktest.Change) {
	switch c.Kind {
	case slacktest.ViewOpened, slacktest.ViewUpdated:
		verb := "opens a dialog"
		if c.Kind == slacktest.ViewUpdated {
			verb = "updates the dialog"
		}
		who := sb.handle(c.User) + "'s screen"
		if c.User == sb.me {
			who = "your screen"
		}
		fmt.Fprintf(w, "  ┌ Rapport %s on %s\n", verb, who)
		fmt.Fprint(w, indent(slacktest.RenderView(c.View, sb.names(c.User)), "  │ "))
		fmt.Fprintln(w, "  └")
		if c.User == sb.me && c.Kind == slacktest.ViewOpened {
			if slices.ContainsFunc(slacktest.Actions(viewBlocks(c.View)), func(a slacktest.Action) bool { return a.Input }) {
				fmt.Fprintln(w, `  (fill it in with :fill "field" value, then :submit or :cancel)`)
			} else {
				fmt.Fprintln(w, "  (:submit or :cancel, or :click one of its buttons)")
			}
		}
	case slacktest.MessageDeleted:
		fmt.Fprintf(w, "  ✕ %s: removed\n", sb.label(c.Message))
	default:
		edited := ""
		if c.Kind == slacktest.MessageUpdated {
			edited = " (edited)"
		}
		fmt.Fprintf(w, "  ┌ %s%s\n", sb.label(c.Message), edited)
		fmt.Fprint(w, indent(sb.body(c.Message), "  │ "))
		fmt.Fprintln(w, "  └")
	}
}

// label says where a message from Rapport is and who sees it.
func (sb *sandbox) label(m slacktest.Message) string {
	c, _ := sb.slack.Conversation(m.Channel)
	var l string
	switch {
	case m.Author == sb.me:
		l = "You in " + sb.where(m.Channel)
	case m.Author != "":
		l = sb.handle(m.Author) + " in " + sb.where(m.Channel)
	case c.Kind == "im" && c.User == sb.me:
		l = "Rapport to you (DM)"
	case c.Kind == "im":
		l = "Rapport to " + sb.handle(c.User) + " (DM)"
	default:
		l = "Rapport in " + sb.where(m.Channel)
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		l += ", in a thread"
	}
	switch {
	case m.Ephemeral && m.User == sb.me:
		l += " — only you see this"
	case m.Ephemeral:
		l += " — only " + sb.handle(m.User) + " sees this"
	}
	return l
}

// reader is whose screen a message is shown as: the one person who sees
// an ephemeral message or a DM, else the person at the keyboard.
func (sb *sandbox) reader(m slacktest.Message) string {
	if m.Ephemeral {
		return m.User
	}
	if c, ok := sb.slack.Conversation(m.Channel); ok && c.Kind == "im" {
		return c.User
	}
	return sb.me
}

// body renders a message: its blocks, or its text when it has none.
func (sb *sandbox) body(m slacktest.Message) string {
	names := sb.names(sb.reader(m))
	text := ""
	if len(m.Blocks) > 0 {
		text = slacktest.RenderBlocks(m.Blocks, names)
	}
	if strings.TrimSpace(text) == "" {
		text = slacktest.RenderText(m.Text, names)
	}
	for _, f := range sb.slack.Files() {
		if slices.Contains(m.Files, f.ID) {
			text = strings.TrimLeft(text+"\n", "\n") + fmt.Sprintf("📎 %s (%d bytes)", cmp.Or(f.Name, f.Title), len(f.Content))
		}
	}
	return text
}

// indent prefixes every line of s, ending with a newline.
func indent(s, prefix string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	var b strings.Builder
	for line := range strings.SplitSeq(s, "\n") {
		b.WriteString(strings.TrimRight(prefix+line, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// visible returns the messages of a conversation that the person at the
// keyboard sees: all but others' ephemeral ones.
func (sb *sandbox) visible(channel string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range sb.slack.Messages(channel) {
		if !m.Ephemeral || m.User == sb.me {
			out = append(out, m)
		}
	}
	return out
}

// printConversation shows the last n messages of a conversation.
func (sb *sandbox) printConversation(w io.Writer, channel string, n int) {
	msgs := sb.visible(channel)
	where := sb.where(channel)
	fmt.Fprintf(w, "  %s%s", strings.ToUpper(where[:1]), where[1:])
	switch {
	case len(msgs) == 0:
		fmt.Fprintln(w, ": nothing from Rapport yet")
		return
	case len(msgs) > n:
		fmt.Fprintf(w, ": the last %d of %d messages from Rapport\n", n, len(msgs))
		msgs = msgs[len(msgs)-n:]
	default:
		fmt.Fprintln(w)
	}
	for _, m := range msgs {
		fmt.Fprintf(w, "  ┌ %s\n", sb.label(m))
		fmt.Fprint(w, indent(sb.body(m), "  │ "))
		fmt.Fprintln(w, "  └")
	}
}

// printDMs shows the person's DM with Rapport and their group DMs.
func (sb *sandbox) printDMs(w io.Writer) {
	dm := sb.slack.DMChannel(sb.me)
	sb.printConversation(w, dm, 8)
	for _, c := range sb.slack.ConversationsOf(sb.me) {
		if c.Kind == "mpim" {
			sb.printConversation(w, c.ID, 8)
		}
	}
}

// trackModal keeps the stack of dialogs open on each person's screen.
func (sb *sandbox) trackModal(c slacktest.Change) {
	var v struct {
		Type   string `json:"type"`
		RootID string `json:"root_view_id"`
	}
	if json.Unmarshal(c.View, &v) != nil || v.Type != "modal" {
		return
	}
	stack := sb.modals[c.User]
	if c.Kind == slacktest.ViewUpdated || slices.Contains(stack, c.ViewID) {
		return // updated in place
	}
	if v.RootID == c.ViewID { // views.open: a new stack
		stack = nil
	}
	sb.modals[c.User] = append(stack, c.ViewID)
}
