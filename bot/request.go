package bot

import (
	"strings"

	"github.com/slack-go/slack"
)

// origin says who asked and where, so a handler (or the dispatcher, for an
// error or an apology) can answer the person in the right place.
type origin struct {
	user        string // who typed, clicked or wrote
	channel     string // where; a D… ID for a direct message
	responseURL string // set for slash commands and most interactions
	threadTS    string // reply in this thread (mentions)
	triggerID   string // opens a modal within 3 s of the envelope
	fromHome    bool   // a click on the App Home: answer by refreshing it
}

// slashCommand is a slash command as the bot's handlers see it.
type slashCommand struct {
	origin
	command string // "/rapport"
	text    string // everything after the command, escaped as Slack sends it
	sub     string // the first word, lower-cased ("help"); "" when text is empty
	args    string // the text after the first word, trimmed
}

func newSlashCommand(c slack.SlashCommand) slashCommand {
	text := strings.TrimSpace(c.Text)
	sub, args, _ := strings.Cut(text, " ")
	return slashCommand{
		origin: origin{
			user:        c.UserID,
			channel:     c.ChannelID,
			responseURL: c.ResponseURL,
			triggerID:   c.TriggerID,
		},
		command: c.Command,
		text:    text,
		sub:     strings.ToLower(sub),
		args:    strings.TrimSpace(args),
	}
}

// event is an Events API event as the bot's handlers see it.
type event struct {
	origin
	id    string // Slack's event_id, stable across re-deliveries
	route string // the route id: the manifest name of the event
	data  any    // the slackevents inner event (*slackevents.AppMentionEvent, …)
}

// interaction is a block action, view submission or shortcut.
type interaction struct {
	origin
	cb *slack.InteractionCallback
}
