package bot

import (
	"context"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// dmKinds names each kind of unprompted DM, as people read it.
var dmKinds = map[store.DMKind]string{
	store.DMKudos:           "kudos DMs",
	store.DMReminders:       "follow-up reminders",
	store.DMNudges:          "overdue nudges",
	store.DMHeadsUp:         "coffee heads-ups",
	store.DMReconnect:       "reconnect suggestions",
	store.DMDigest:          "digests",
	store.DMReceipts:        "notes about promises made to you",
	store.DMWelcome:         "welcome notes",
	store.DMCelebrate:       "birthday and anniversary wishes",
	store.DMReactionPrompts: "questions after a kudos reaction",
}

// muteDM handles "Stop these DMs": the person turns one kind off. Only the
// clicker's own preferences change, whatever the button says.
func (b *Bot) muteDM(ctx context.Context, in interaction, a *slack.BlockAction) error {
	return b.setMuted(ctx, in, store.DMKind(a.Value), true)
}

func (b *Bot) unmuteDM(ctx context.Context, in interaction, a *slack.BlockAction) error {
	return b.setMuted(ctx, in, store.DMKind(a.Value), false)
}

func (b *Bot) setMuted(ctx context.Context, in interaction, kind store.DMKind, muted bool) error {
	name, ok := dmKinds[kind]
	if !ok {
		return userErrorf("That button is out of date; nothing was changed.")
	}
	_, err := b.store.UpdatePerson(in.user, func(p *store.Person) {
		p.Muted = slices.DeleteFunc(p.Muted, func(k store.DMKind) bool { return k == kind })
		if muted {
			p.Muted = append(p.Muted, kind)
			slices.Sort(p.Muted)
		}
	}, store.Effects{})
	if err != nil {
		return notSaved(err, "that")
	}
	text, blocks := renderMuteAnswer(kind, name, muted)
	return b.answer(ctx, in.origin, response{Text: text, Blocks: blocks})
}

// renderMuteAnswer is the answer to "Stop these DMs" (muted), with an Undo
// button, or to its Undo; name is how people read kind.
func renderMuteAnswer(kind store.DMKind, name string, muted bool) (string, []slack.Block) {
	if !muted {
		text := fmt.Sprintf("Turned on again: you'll get %s.", name)
		return text, []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)}
	}
	text := fmt.Sprintf("Done: no more %s. Nothing else changes.", name)
	return text, []slack.Block{slack.NewSectionBlock(
		slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil,
		slack.NewAccessory(slack.NewButtonBlockElement(unmuteDMAction, string(kind), slack.NewTextBlockObject(slack.PlainTextType, "Undo", false, false)))),
	}
}
