package bot

import (
	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// welcomeInfo is what the welcome DM to a newcomer says.
type welcomeInfo struct {
	User          string // the newcomer
	CoffeeChannel string // RAPPORT_COFFEE_CHANNEL; "" none
	Buddies       bool   // RAPPORT_BUDDY_CHANNEL is set: their first coffee chat is with a buddy
}

// renderWelcome is the one DM Rapport sends on its own to someone who just
// joined the workspace: what Rapport does, how to take a break from coffee
// or leave it, where to choose which DMs come, and a button that stops
// welcome notes like every unprompted DM's.
func renderWelcome(w welcomeInfo) (string, []slack.Block) {
	hello := ":wave: *Welcome, " + kudosMention(w.User) + "!* I'm Rapport. I help people here get to know each other and keep in touch."
	coffee := "• *Coffee chats:* now and then I pair you with someone for a half-hour chat, in hours you both work."
	switch {
	case w.CoffeeChannel != "":
		coffee += " Join <#" + w.CoffeeChannel + "> or type `/coffee join` to take part."
	default:
		coffee += " Type `/coffee join` to take part."
	}
	if w.Buddies {
		coffee += " Your first chat is with a colleague who volunteered to be a newcomer's buddy."
	}
	lines := coffee +
		"\n• *Kudos:* `/kudos @someone for …` thanks a colleague." +
		"\n• *Follow-ups:* `/followup @someone … by friday` keeps a promise on track."
	return ":wave: Welcome! I'm Rapport: coffee chats, kudos and follow-ups", []slack.Block{
		kudosSection(hello),
		kudosSection(lines),
		kudosContext("Need a break from coffee? `/coffee pause` or `/coffee leave`, any time. Choose which messages I send you under Settings on my Home tab. This is the only welcome I send."),
		slack.NewActionBlock("", coffeeButton(muteDMAction, string(store.DMWelcome), "Stop welcome notes", false)),
	}
}
