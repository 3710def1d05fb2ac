package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func section(s string) slack.Block {
	return slack.NewSectionBlock(mrkdwn(kudosClip(s, 3000)), nil, nil)
}

func contextLine(s string) slack.Block { return slack.NewContextBlock("", mrkdwn(s)) }

func button(actionID, value, text string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, plain(text))
}

// followupShownMax is the most of a follow-up's text, in characters as
// sent, that one message shows. A follow-up holds 1,000 characters as people
// read them, but up to five times more once "&", "<" and ">" are escaped
// (&amp; &lt; &gt;), and a section holds 3,000: the text is cut so that the
// sentence around it, the due time and the buttons always fit.
const followupShownMax = 2000

// followupText is the follow-up's text as messages show it (cut, never
// inside an entity or a mention, to followupShownMax).
func followupText(f store.Followup) string { return kudosClip(f.Text, followupShownMax) }

// followupWhat names the promise: "send the deck to <@B>" or "send the
// deck" for a note to oneself.
func followupWhat(f store.Followup) string {
	if f.Counterpart == "" {
		return followupText(f)
	}
	return followupText(f) + " for <@" + f.Counterpart + ">"
}

// followupAllSelf reports whether every item is a note to oneself: then a
// message about them has nobody to tell and no promise to keep, and says so
// ("I'll let them know" would point at no one).
func followupAllSelf(items []store.Followup) bool {
	for _, f := range items {
		if f.Counterpart != "" {
			return false
		}
	}
	return true
}

// renderFollowupCreated is the author's private confirmation, with Undo.
func renderFollowupCreated(f store.Followup, r reader) (string, []slack.Block) {
	text := fmt.Sprintf(":white_check_mark: Got it: *%s* — due %s your time.", followupWhat(f), localWhen(f.Due, r))
	if f.Counterpart != "" {
		text += fmt.Sprintf(" I've let <@%s> know.", f.Counterpart)
	}
	text += " I'll remind you when it's due."
	return text, []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, slack.NewAccessory(button(followupUndoAction, fmt.Sprint(f.ID), "Undo"))),
	}
}

// renderFollowupNotice tells the counterpart about the promise, with the
// due time in the counterpart's zone (r).
func renderFollowupNotice(f store.Followup, r reader) (string, []slack.Block) {
	text := fmt.Sprintf(":handshake: <@%s> will *%s* for you by %s.", f.Owner, followupText(f), localWhen(f.Due, r))
	blocks := []slack.Block{section(text)}
	if f.Link != "" {
		blocks = append(blocks, contextLine(fmt.Sprintf(":link: About <%s|this message>", f.Link)))
	}
	blocks = append(blocks, contextLine("I'll tell you when it's done. You get these notes when someone makes you a promise with /followup."),
		slack.NewActionBlock("", button(muteDMAction, string(store.DMReceipts), "Stop these notes")))
	return fmt.Sprintf("<@%s> will %s for you", f.Owner, kudosClip(f.Text, 150)), blocks
}

// followupActions are the buttons on a reminder or nudge for one item.
func followupActions(f store.Followup, snoozes []snoozeChoice, renegotiate bool) slack.Block {
	elems := []slack.BlockElement{button(followupDoneAction, fmt.Sprint(f.ID), "Done ✔")}
	for _, s := range snoozes {
		elems = append(elems, button(followupSnoozeAction, fmt.Sprintf("%d:%s", f.ID, s.key), "Snooze: "+s.label))
	}
	elems = append(elems, button(followupDropAction, fmt.Sprint(f.ID), "Drop"))
	if renegotiate {
		elems = append(elems, button(followupRenegotiateAction, fmt.Sprint(f.ID), "Propose a new date"))
	}
	return slack.NewActionBlock(fmt.Sprintf("followup_%d", f.ID), elems...)
}

// followupDM is what an author's one follow-up DM of a tick holds; an
// item is in one part only.
type followupDM struct {
	reminders []store.Followup // fell due
	nudges    []store.Followup // still overdue
	asks      []store.Followup // overdue long enough to ask, once, whether to keep them
}

// renderFollowupDM is an author's one follow-up DM of a tick: the items
// that fell due (reminders), those still overdue (nudges), those to ask
// about, each with its buttons, and a way to stop each kind of DM it holds.
func renderFollowupDM(dm followupDM, snoozes []snoozeChoice, r reader) (string, []slack.Block) {
	var blocks []slack.Block
	var texts, notes []string
	var stops []slack.BlockElement
	if len(dm.reminders) > 0 {
		head, b := followupReminderBlocks(dm.reminders, snoozes, r)
		blocks = append(blocks, b...)
		texts = append(texts, head+": "+kudosClip(dm.reminders[0].Text, 100))
		if followupAllSelf(dm.reminders) {
			notes = append(notes, "Done already? Tap Done to tick it off.")
		} else {
			notes = append(notes, "Done already? Tap Done and I'll let them know.")
		}
		stops = append(stops, button(muteDMAction, string(store.DMReminders), "Stop reminders"))
	}
	if len(dm.nudges) > 0 {
		head, b := followupNudgeBlocks(dm.nudges, snoozes, r)
		blocks = append(blocks, b...)
		texts = append(texts, fmt.Sprintf(":seedling: %s: %s", head, kudosClip(dm.nudges[0].Text, 100)))
		notes = append(notes, fmt.Sprintf("In your working hours: daily for %d working days, then weekly, then I ask once.", dailyNudges))
	}
	if len(dm.asks) > 0 {
		head, b := followupAskBlocks(dm.asks, r)
		blocks = append(blocks, b...)
		texts = append(texts, fmt.Sprintf(":thinking_face: %s: %s", head, kudosClip(dm.asks[0].Text, 100)))
		notes = append(notes, "I ask once; until you choose, I won't bring it up again.")
	}
	if len(dm.nudges)+len(dm.asks) > 0 {
		stops = append(stops, button(muteDMAction, string(store.DMNudges), "Stop nudges"))
	}
	blocks = append(blocks, contextLine(strings.Join(notes, " ")), slack.NewActionBlock("", stops...))
	return strings.Join(texts, " · "), blocks
}

// followupAskBlocks ask, once, whether to keep an item that has been
// overdue for weeks: Keep (quietly on the list), New date, or Drop.
func followupAskBlocks(items []store.Followup, r reader) (string, []slack.Block) {
	head := "Still on your list?"
	blocks := []slack.Block{section(fmt.Sprintf(":thinking_face: *%s* I've stopped nudging about these; tell me what to do with each.", head))}
	if len(items) == 1 {
		blocks[0] = section(fmt.Sprintf(":thinking_face: *%s* I've stopped nudging about this one; tell me what to do with it.", head))
	}
	for _, f := range items {
		id := fmt.Sprint(f.ID)
		blocks = append(blocks, section(fmt.Sprintf("*%s* — was due %s", followupWhat(f), localWhen(f.Due, r))),
			slack.NewActionBlock(fmt.Sprintf("followup_ask_%d", f.ID),
				button(followupKeepAction, id, "Keep it"),
				button(followupNewDateAction, id, "New date"),
				button(followupDropAction, id, "Drop")))
	}
	return head, blocks
}

// followupReminderBlocks are the reminder part of a follow-up DM: "A
// promise is due", "A note to yourself is due", or, for both kinds at once,
// "3 follow-ups are due".
func followupReminderBlocks(items []store.Followup, snoozes []snoozeChoice, r reader) (string, []slack.Block) {
	self := 0
	for _, f := range items {
		if f.Counterpart == "" {
			self++
		}
	}
	one, many := "A promise is due", "promises are due"
	switch {
	case self == len(items):
		one, many = "A note to yourself is due", "notes to yourself are due"
	case self > 0:
		many = "follow-ups are due"
	}
	head := ":alarm_clock: " + one
	if len(items) > 1 {
		head = fmt.Sprintf(":alarm_clock: %d %s", len(items), many)
	}
	blocks := []slack.Block{section("*" + head + "*")}
	for _, f := range items {
		blocks = append(blocks, section(fmt.Sprintf("*%s* — due %s", followupWhat(f), localWhen(f.Due, r))), followupActions(f, snoozes, false))
	}
	return head, blocks
}

// followupNudgeBlocks are the nudge part of a follow-up DM. Kind,
// specific and forward-looking, never shaming.
func followupNudgeBlocks(items []store.Followup, snoozes []snoozeChoice, r reader) (string, []slack.Block) {
	head := "Let's get this back on track"
	if len(items) > 1 {
		head = fmt.Sprintf("Let's get these %d back on track", len(items))
	}
	advice := "Plans change; a quick update keeps trust strong — finish it, pick a new time, or let them know."
	if followupAllSelf(items) {
		advice = "Plans change — finish it, snooze it to a better time, or drop it if it no longer matters."
	}
	blocks := []slack.Block{section(fmt.Sprintf(":seedling: *%s.* %s", head, advice))}
	for _, f := range items {
		line := fmt.Sprintf("*%s* — was due %s", followupWhat(f), localWhen(f.Due, r))
		renegotiate := f.Nudges >= 3 && f.Counterpart != ""
		if renegotiate {
			line += "\nIt's been a while: proposing a new date is a good way to keep your word."
		}
		blocks = append(blocks, section(line), followupActions(f, snoozes, renegotiate))
	}
	return head, blocks
}

// renderFollowupReceipt tells the counterpart the promise was kept (or
// dropped), with the author's note.
func renderFollowupReceipt(f store.Followup) string {
	var text string
	if f.Status == store.FollowupDropped {
		text = fmt.Sprintf(":information_source: <@%s> won't be able to %s after all.", f.Owner, followupText(f))
	} else {
		text = fmt.Sprintf(":white_check_mark: <@%s> followed up: %s ✔", f.Owner, followupText(f))
	}
	if note := strings.TrimSpace(f.Note); note != "" {
		text += "\n>" + strings.ReplaceAll(note, "\n", "\n>")
	}
	return text
}

type followupListItem struct {
	N int
	F store.Followup
}

// renderFollowupList is /followup list: mine (numbered, overdue first) and
// what others promised me.
func renderFollowupList(mine []followupListItem, owed []store.Followup, r reader) (string, []slack.Block) {
	var sb strings.Builder
	sb.WriteString("*Your follow-ups*")
	if len(mine) == 0 {
		sb.WriteString("\nNothing open. Make one: `/followup @maya send the deck by friday`")
	}
	for _, it := range mine {
		mark := ""
		if it.F.Due.Before(r.now) {
			mark = " :warning: overdue"
		}
		fmt.Fprintf(&sb, "\n%d. %s — due %s%s", it.N, followupWhat(it.F), localWhen(it.F.Due, r), mark)
	}
	blocks := []slack.Block{section(sb.String())}
	var ob strings.Builder
	ob.WriteString("*Owed to you*")
	if len(owed) == 0 {
		ob.WriteString("\nNobody owes you anything right now.")
	}
	for _, f := range owed {
		fmt.Fprintf(&ob, "\n• <@%s>: %s — due %s", f.Owner, followupText(f), localWhen(f.Due, r))
	}
	blocks = append(blocks, section(ob.String()), contextLine("Mark one done with `/followup done 2`."))
	return "Your follow-ups", blocks
}

// renderFollowupModal is the form behind /followup and "Follow up on this".
func renderFollowupModal(channel, counterpart, link string, today string) slack.ModalViewRequest {
	who := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Yourself if empty"), "person")
	if counterpart != "" {
		who.InitialUser = counterpart
	}
	whoBlock := slack.NewInputBlock(followupPersonBlockID, plain("Who is it for?"), nil, who)
	whoBlock.Optional = true
	what := slack.NewPlainTextInputBlockElement(plain("Send the deck"), "what")
	what.MaxLength = 1000
	date := slack.NewDatePickerBlockElement(followupDateAction)
	date.InitialDate = today
	tm := slack.NewTimePickerBlockElement(followupTimeAction)
	timeBlock := slack.NewInputBlock(followupTimeBlockID, plain("By what time? (end of your working day if empty)"), nil, tm)
	timeBlock.Optional = true
	blocks := []slack.Block{
		whoBlock,
		slack.NewInputBlock(followupWhatBlockID, plain("What will you do?"), nil, what),
		slack.NewInputBlock(followupDateBlockID, plain("By when?"), nil, date),
		timeBlock,
	}
	if link != "" {
		blocks = append([]slack.Block{contextLine(fmt.Sprintf(":link: About <%s|this message>", link))}, blocks...)
	}
	meta := fmt.Sprintf(`{"channel":%q,"link":%q}`, channel, link)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: followupModalID,
		Title: plain("Follow up"), Submit: plain("Save"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: blocks}, PrivateMetadata: meta,
	}
}

// renderFollowupNoteModal asks for an optional note (Drop, new date).
func renderFollowupNoteModal(callbackID string, f store.Followup, withDate bool, today string) slack.ModalViewRequest {
	title, submit := "Drop it", "Send"
	intro := fmt.Sprintf("Dropping *%s*. <@%s> will be told; a short note helps.", followupText(f), f.Counterpart)
	if f.Counterpart == "" {
		// A note to oneself: nobody is told, so nothing is sent.
		submit = "Drop"
		intro = fmt.Sprintf("Drop *%s*? It comes off your list; nobody else is involved.", followupText(f))
	}
	var blocks []slack.Block
	if withDate {
		title = "New date"
		intro = fmt.Sprintf("Propose a new date for *%s*. <@%s> will get it by DM.", followupText(f), f.Counterpart)
		if f.Counterpart == "" {
			submit = "Save"
			intro = fmt.Sprintf("Pick a new date for *%s*; I'll remind you then.", followupText(f))
		}
		d := slack.NewDatePickerBlockElement(followupDateAction)
		d.InitialDate = today
		blocks = append(blocks, slack.NewInputBlock(followupDateBlockID, plain("New date"), nil, d))
	}
	// A note to oneself has nobody to tell, so neither its drop nor its
	// new date asks for a note "for them".
	if f.Counterpart != "" {
		note := slack.NewPlainTextInputBlockElement(plain("Optional"), "note")
		note.Multiline = true
		note.MaxLength = 500
		noteBlock := slack.NewInputBlock(followupNoteBlockID, plain("Note for them"), nil, note)
		noteBlock.Optional = true
		blocks = append(blocks, noteBlock)
	}
	blocks = append([]slack.Block{section(intro)}, blocks...)
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackID,
		Title: plain(title), Submit: plain(submit), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: blocks}, PrivateMetadata: fmt.Sprint(f.ID),
	}
}
