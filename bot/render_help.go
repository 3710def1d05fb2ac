package bot

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// helpIntro says what Rapport is for, in the words a newcomer needs.
const helpIntro = "*Rapport* helps your team build strong working relationships through small, repeated habits: " +
	"thanking people publicly and specifically, keeping the promises you make, meeting teammates you rarely see, " +
	"and staying in touch without needing something. It only messages you in your working hours, and every nudge can be turned off."

// helpFallback is the notification text of the help message.
const helpFallback = "Rapport: what it does and its commands"

// mentionReply is the short, private answer to a mention of the bot.
func mentionReply(user string) string {
	return fmt.Sprintf("Hi <@%s>! I'm Rapport: kudos, follow-ups, coffee chats and staying in touch. "+
		"Type `/rapport help` to see everything I can do (only you will see it).", user)
}

// dmReply answers a DM that is not a request for help.
const dmReply = "Hi! I'm Rapport. I don't read conversations, but I'm happy to help: " +
	"type `help` here, or `/rapport help` anywhere, to see what I can do."

// renderHelp builds the help message from the command routes, so help can
// never list a command the bot does not have, nor miss one it has.
func renderHelp(commands []*route) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Rapport", false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, helpIntro, false, false), nil, nil),
	}
	for _, rt := range commands {
		blocks = append(blocks, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, usageText(rt), false, false), nil, nil))
	}
	blocks = append(blocks, slack.NewContextBlock("",
		slack.NewTextBlockObject(slack.MarkdownType, "Every command answers `help`. Only you see my replies to your commands.", false, false)))
	return blocks
}

// renderUsage is the private reply to input a command did not understand.
func renderUsage(rt *route, sub string) []slack.Block {
	text := "I didn't understand that."
	if sub != "" {
		text = fmt.Sprintf("I don't know `%s %s`.", rt.id, escapeText(truncate(sub, 40)))
	}
	return []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text+" Here is what I understand:", false, false), nil, nil),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, usageText(rt), false, false), nil, nil),
	}
}

func usageText(rt *route) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s* — %s", rt.id, rt.summary)
	for _, u := range rt.usage {
		fmt.Fprintf(&sb, "\n• `%s` — %s", u.syntax, u.summary)
	}
	return sb.String()
}

// truncate shortens Slack-escaped s to at most n runes, marking the cut
// with "…". It never cuts inside an entity or a <…> token (kudosClip).
func truncate(s string, n int) string { return kudosClip(s, n) }

// renderUsageOnly is a command's own help: its usage lines.
func renderUsageOnly(rt *route) []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, usageText(rt), false, false), nil, nil),
	}
}
