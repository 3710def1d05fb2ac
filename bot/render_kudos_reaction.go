package bot

import (
	"fmt"

	"github.com/rapport-bot/rapport/store"
	"github.com/slack-go/slack"
)

// reactionPrompt is what the DM after a kudos reaction shows.
type reactionPrompt struct {
	Author  string // user ID of the message's author
	Channel string // the reacted message's conversation
	TS      string // and its ts
	Link    string // its permalink; "" when none
	Emoji   string // the kudos emoji, without colons
	State   string // reactionAsked, reactionCancelled or reactionSent
	Problem string // why the last answer was not sent; "" none
	Draft   string // the last answer, as typed, to edit
	Sent    string // reactionSent: the confirmation (renderKudosSent)
	Reason  string // reactionSent: the kudos's reason, escaped mrkdwn
}

// reactionDraftMax is the longest answer the field takes: a kudos holds
// kudosMaxChars, and a few #values besides.
const reactionDraftMax = kudosMaxChars + 200

// renderReactionPrompt builds the prompt: while it waits, the question
// with the one field (Enter sends it), and how to say no; once
// cancelled or sent, what happened, without the field.
func renderReactionPrompt(p reactionPrompt) (string, []slack.Block) {
	emoji := ":" + p.Emoji + ":"
	message := "message"
	if u := kudosSafeURL(p.Link); u != "" {
		message = "<" + u + "|message>"
	}
	who := kudosPerson(p.Author)
	switch p.State {
	case reactionCancelled:
		text := fmt.Sprintf(":wastebasket: You removed your %s from %s's %s, so this kudos is cancelled. Nothing was sent.", emoji, who, message)
		return kudosClip(text, kudosFallback), []slack.Block{kudosSection(text),
			kudosContext("Put the " + emoji + " back to write it after all.")}
	case reactionSent:
		blocks := []slack.Block{kudosSection(p.Sent)}
		if r := kudosTidy(p.Reason); r != "" {
			blocks = append(blocks, kudosSection(kudosQuote(kudosClip(r, kudosReasonMax))))
		}
		blocks = append(blocks, kudosContext("Posted in the thread of "+who+"'s "+message+"."))
		return kudosClip(p.Sent, kudosFallback), blocks
	}
	text := fmt.Sprintf("%s You reacted to %s's %s. *What did %s do?* I'll post your words as a kudos in the message's thread.", emoji, who, message, who)
	input := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, "for untangling the deploy on Friday #teamwork", false, false), reactionKudosAction)
	input.MaxLength = reactionDraftMax
	input.InitialValue = kudosClip(p.Draft, reactionDraftMax)
	input.DispatchActionConfig = &slack.DispatchActionConfig{TriggerActionsOn: []string{"on_enter_pressed"}}
	field := slack.NewInputBlock(reactionKudosBlockPrefix+p.Channel+"/"+p.TS,
		slack.NewTextBlockObject(slack.PlainTextType, "Your kudos", false, false), nil, input)
	field.DispatchAction = true
	blocks := []slack.Block{kudosSection(text), field}
	if p.Problem != "" {
		blocks = append(blocks, kudosContext(":warning: "+p.Problem))
	}
	blocks = append(blocks, kudosContext("Press Enter to send. Not a kudos after all? Remove your "+emoji+" and I'll drop this."),
		slack.NewActionBlock("", button(muteDMAction, string(store.DMReactionPrompts), "Stop asking when I react")))
	return kudosClip(fmt.Sprintf("What did %s do? You reacted %s to their message.", who, emoji), kudosFallback), blocks
}
