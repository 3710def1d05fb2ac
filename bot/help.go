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
		return b.answer(ctx, cmd.origin, b.help)
	case "style":
		return b.styleCommand(ctx, cmd)
	case "celebrate":
		return b.celebrateCommand(ctx, cmd)
	case "my-data":
		return b.myData(ctx, cmd)
	case "forget-me":
		return b.forgetMe(ctx, cmd)
	}
	return b.unknownSub(ctx, cmd)
}

// helpResponse renders the full help afresh. New renders it once into
// b.help, which every answer uses.
func (b *Bot) helpResponse() response {
	return response{Text: helpFallback, Blocks: renderHelp(b.routes.commands())}
}

// usageResponse renders a command's own help (its usage lines) afresh.
// New renders each once into b.usage.
func usageResponse(rt *route) response {
	return response{Text: usageText(rt), Blocks: renderUsageOnly(rt)}
}

// answerUsage answers "help" after a command with that command's own help,
// privately.
func (b *Bot) answerUsage(ctx context.Context, cmd slashCommand) error {
	u, ok := b.usage[cmd.command]
	if !ok {
		// Only a command with a route reaches its handler; rendered afresh
		// all the same rather than answered with nothing.
		u = usageResponse(b.routes.lookup(commandRoute, cmd.command))
	}
	return b.answer(ctx, cmd.origin, u)
}

// unknownSub answers a command's unknown subcommand with its usage, privately.
func (b *Bot) unknownSub(ctx context.Context, cmd slashCommand) error {
	rt := b.routes.lookup(commandRoute, cmd.command)
	return b.answer(ctx, cmd.origin, response{
		Text:   "I didn't understand that.",
		Blocks: renderUsage(rt, cmd.sub),
	})
}

// onMention answers a mention of the bot privately (an ephemeral message
// only the person who mentioned sees), in a few lines that point to the full
// help: a channel is never filled with the bot's manual, and nobody else is
// interrupted. It answers inside the thread when the mention was in one.
func (b *Bot) onMention(ctx context.Context, ev event) error {
	thread := ""
	if m, ok := ev.data.(*slackevents.AppMentionEvent); ok {
		thread = m.ThreadTimeStamp
	}
	return b.send.ephemeral(ctx, ev.channel, ev.user, thread, mentionReply(ev.user))
}

// helpWord is a request for the full help in a DM.
var helpWord = regexp.MustCompile(`(?i)\b(help|commands)\b|^\s*\?\s*$`)

// onDirectMessage answers a DM to the bot: "help" (or "?") gets the full
// help; anything else, a greeting included, a short answer that says how to
// get it. Messages from bots (including itself) and edits or other subtypes
// are ignored, so the bot never talks to itself.
func (b *Bot) onDirectMessage(ctx context.Context, ev event) error {
	m, ok := ev.data.(*slackevents.MessageEvent)
	if !ok || m.BotID != "" || m.SubType != "" || m.User == "" || m.User == b.botUserID {
		return nil
	}
	if helpWord.MatchString(m.Text) {
		_, err := b.send.post(ctx, message{Channel: ev.channel, Text: b.help.Text, Blocks: b.help.Blocks})
		return err
	}
	_, err := b.send.post(ctx, message{Channel: ev.channel, Text: dmReply})
	return err
}
