package bot

import (
	"context"
	"regexp"

	"github.com/slack-go/slack/slackevents"
)

// rapportCommand answers /rapport. Today it knows help; settings and
// personal data join it with their features.
func (b *Bot) rapportCommand(ctx context.Context, cmd slashCommand) error {
	switch cmd.sub {
	case "", "help":
		return b.send.respond(ctx, cmd.responseURL, response{Text: helpFallback, Blocks: renderHelp(b.routes.commands())})
	case "style":
		return b.styleCommand(ctx, cmd)
	case "my-data":
		return b.myData(ctx, cmd)
	case "forget-me":
		return b.forgetMe(ctx, cmd)
	}
	return b.unknownSub(ctx, cmd)
}

// unknownSub answers a command's unknown subcommand with its usage, privately.
func (b *Bot) unknownSub(ctx context.Context, cmd slashCommand) error {
	rt := b.routes.lookup(commandRoute, cmd.command)
	return b.send.respond(ctx, cmd.responseURL, response{
		Text:   "I didn't understand that.",
		Blocks: renderUsage(rt, cmd.sub),
	})
}

// onMention answers any mention of the bot with help, in a thread, so a
// channel is not flooded.
func (b *Bot) onMention(ctx context.Context, ev event) error {
	_, err := b.send.post(ctx, message{
		Channel:  ev.channel,
		ThreadTS: ev.threadTS,
		Text:     helpFallback,
		Blocks:   renderHelp(b.routes.commands()),
	})
	return err
}

var helpWord = regexp.MustCompile(`(?i)\b(help|hi|hello|hey|\?)\b|^\s*\?\s*$`)

// onDirectMessage answers a DM to the bot. Messages from bots (including
// itself) and edits or other subtypes are ignored, so the bot never talks
// to itself.
func (b *Bot) onDirectMessage(ctx context.Context, ev event) error {
	m, ok := ev.data.(*slackevents.MessageEvent)
	if !ok || m.BotID != "" || m.SubType != "" || m.User == "" || m.User == b.botUserID {
		return nil
	}
	if helpWord.MatchString(m.Text) {
		_, err := b.send.post(ctx, message{Channel: ev.channel, Text: helpFallback, Blocks: renderHelp(b.routes.commands())})
		return err
	}
	_, err := b.send.post(ctx, message{
		Channel: ev.channel,
		Text:    "I'm Rapport. I don't read conversations, but I'm happy to help: type `help` to see what I can do.",
	})
	return err
}
