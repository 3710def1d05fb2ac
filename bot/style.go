package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport-bot/rapport/store"
)

// styleCommand answers /rapport style: set your work-style note, clear it,
// or read someone's. Notes appear in coffee intros, so teammates can adapt.
func (b *Bot) styleCommand(ctx context.Context, cmd slashCommand) error {
	_, args, _ := strings.Cut(cmd.text, " ")
	args = strings.TrimSpace(args)
	toks := tokenize(args)
	switch {
	case args == "":
		p, err := b.store.Person(cmd.user)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if p.Style == "" {
			return b.answerText(ctx, cmd.origin, "You haven't shared a work style yet. Tell teammates how you like to work: `/rapport style written summaries over calls; mornings for deep work`.")
		}
		return b.answerText(ctx, cmd.origin, fmt.Sprintf("Your work style: _%s_\nChange it with `/rapport style <text>`, or `/rapport style clear`.", p.Style))
	case len(toks) == 1 && toks[0].kind == tokUserMention:
		p, err := b.store.Person(toks[0].id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if p.Style == "" {
			return b.answerText(ctx, cmd.origin, fmt.Sprintf("<@%s> hasn't shared a work style yet.", toks[0].id))
		}
		return b.answerText(ctx, cmd.origin, fmt.Sprintf("<@%s>'s work style: _%s_", toks[0].id, p.Style))
	case strings.EqualFold(args, "clear"):
		if _, err := b.store.UpdatePerson(cmd.user, func(p *store.Person) { p.Style = "" }, store.Effects{}); err != nil {
			return err
		}
		return b.answerText(ctx, cmd.origin, "Cleared your work style.")
	}
	if n := plainLength(args); n > store.MaxStyleRunes {
		return userErrorf("That's %d characters; a work style holds up to %d. Keep it short, e.g. `/rapport style written summaries over calls; mornings for deep work`.", n, store.MaxStyleRunes)
	}
	if _, err := b.store.UpdatePerson(cmd.user, func(p *store.Person) { p.Style = args }, store.Effects{}); err != nil {
		return err
	}
	return b.answerText(ctx, cmd.origin, fmt.Sprintf("Saved. Teammates will see this in your coffee intros and with `/rapport style @you`: _%s_", args))
}
