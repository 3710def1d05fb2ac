package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/rapport-bot/rapport/store"
)

// Kudos by reaction: reacting with the kudos emoji (KudosOptions.Emoji) to
// someone's message starts a kudos for its author. Rapport asks the person
// who reacted, in their DM with it, what the author did: one field, sent
// with Enter. The answer is an ordinary kudos (commitKudos: the same
// rules, allowance and effects), posted as a reply in the message's
// thread, where the work it thanks for is, and shared in the kudos
// channel as usual.
//
// The prompt is an answer to the person's own gesture, made a moment
// before, so it goes at once, in any hours, and carries no "Stop these
// DMs": it is not unprompted, and removing the reaction is the way to say
// no. Each reaction is remembered on the reactor's record
// (store.Person.ReactionKudos) with its state, and its prompt has an outbox
// key naming the reaction, so a reaction repeated or delivered twice asks
// once and gives at most one kudos.

// The states of a kudos started by a reaction (store.ReactionKudos.State).
const (
	reactionAsked     = "asked"     // the prompt is out (or on its way); no answer yet
	reactionAnswering = "answering" // an answer is being turned into a kudos
	reactionCancelled = "cancelled" // the reaction was removed before an answer
	reactionSent      = "sent"      // answered: the kudos was given
)

const (
	// reactionKeep is how long a reaction is remembered: as long as the
	// outbox keeps its prompt's key, so neither forgets it first.
	reactionKeep = 30 * 24 * time.Hour
	// reactionAnswerStale is when an answer still "answering" is taken
	// to have died with its process, and the prompt can be answered again.
	reactionAnswerStale = 2 * time.Minute
)

// reaction is a kudos reaction as the handlers see it.
type reaction struct {
	user    string // who reacted
	author  string // who wrote the message (item_user); "" when Slack named no one
	channel string
	ts      string
}

// kudosReaction reads a reaction_added or reaction_removed event; ok is
// false for an event that is not the kudos emoji on a message.
func (b *Bot) kudosReaction(ev event) (reaction, bool) {
	var user, name, author string
	var item slackevents.Item
	switch e := ev.data.(type) {
	case *slackevents.ReactionAddedEvent:
		user, name, author, item = e.User, e.Reaction, e.ItemUser, e.Item
	case *slackevents.ReactionRemovedEvent:
		user, name, author, item = e.User, e.Reaction, e.ItemUser, e.Item
	default:
		return reaction{}, false
	}
	if !isKudosEmoji(name, b.opts.Kudos.Emoji) || item.Type != "message" || item.Channel == "" || item.Timestamp == "" || user == "" {
		return reaction{}, false
	}
	return reaction{user: user, author: author, channel: item.Channel, ts: item.Timestamp}, true
}

// isKudosEmoji reports whether a reaction's name is the kudos emoji, in
// any skin tone ("clap::skin-tone-3" is "clap"); never when the feature
// is off (emoji "").
func isKudosEmoji(name, emoji string) bool {
	if emoji == "" {
		return false
	}
	base, _, _ := strings.Cut(name, "::")
	return base == emoji
}

// findReaction is the index of the reaction to the message at ts in
// channel among p's, or -1.
func findReaction(p store.Person, channel, ts string) int {
	return slices.IndexFunc(p.ReactionKudos, func(r store.ReactionKudos) bool { return r.Channel == channel && r.TS == ts })
}

// onReactionAdded starts a kudos for the author of the message reacted
// to, or tells the person privately why it cannot: their own message, a
// bot's, a conversation Rapport is not in, the day's allowance used up.
// A reaction by a bot gets nothing at all.
func (b *Bot) onReactionAdded(ctx context.Context, ev event) error {
	r, ok := b.kudosReaction(ev)
	if !ok || r.user == b.botUserID {
		return nil
	}
	reactor, err := b.person(ctx, r.user)
	if errors.Is(err, errUnknownUser) {
		return nil
	}
	if err != nil {
		return err
	}
	if reactor.IsBot || reactor.Deleted || reactor.IsMuted(store.DMReactionPrompts) {
		return nil // a muted reactor asked for reactions to be just reactions
	}
	if i := findReaction(reactor, r.channel, r.ts); i >= 0 {
		// The same reaction again (or its event delivered again): one
		// prompt per reaction. Put back after a removal, the prompt
		// asks again.
		if reactor.ReactionKudos[i].State == reactionCancelled {
			return b.reopenReaction(ctx, r)
		}
		return nil
	}
	if note, why := b.reactionRefusal(ctx, r, reactor); why != "" {
		return b.enqueue(store.Outgoing{Key: reactionNoteKey(r.channel, r.ts, r.user, why), User: r.user, Kind: store.DMReactionPrompts, Text: note})
	}
	entry := store.ReactionKudos{Channel: r.channel, TS: r.ts, Author: r.author,
		Link: b.kudosPermalink(ctx, r.channel, r.ts), State: reactionAsked, At: b.opts.Now()}
	text, blocks := renderReactionPrompt(b.reactionView(entry, "", ""))
	prompt := store.Outgoing{Key: reactionPromptKey(r.channel, r.ts, r.user), User: r.user, Kind: store.DMReactionPrompts,
		Text: text, Blocks: encodeBlocks(blocks), Render: renderReactionPromptItem}
	now := b.opts.Now()
	_, err = b.store.UpdatePerson(r.user, func(p *store.Person) {
		p.ReactionKudos = slices.DeleteFunc(p.ReactionKudos, func(x store.ReactionKudos) bool { return now.Sub(x.At) > reactionKeep })
		if findReaction(*p, r.channel, r.ts) < 0 {
			p.ReactionKudos = append(p.ReactionKudos, entry)
		}
	}, effectsDueAt(store.Effects{Outbox: []store.Outgoing{prompt}}, now))
	if err != nil {
		return fmt.Errorf("kudos reaction: remember %s/%s: %w", r.channel, r.ts, err)
	}
	b.kickOutbox()
	return nil
}

// reactionRefusal says why reaction r starts no kudos, as the note for the
// reactor and a short reason for its outbox key; why is "" when it may
// start one. The rules are the kudos rules, checked early so that nobody
// writes an answer that could not be sent; the answer checks them again.
func (b *Bot) reactionRefusal(ctx context.Context, r reaction, reactor store.Person) (note, why string) {
	emoji := ":" + b.opts.Kudos.Emoji + ":"
	switch {
	case r.author == "":
		return fmt.Sprintf("You reacted %s to a message that no person wrote, so there is nobody to thank and nothing was sent.", emoji), "nobody"
	case r.author == r.user:
		return fmt.Sprintf("You reacted %s to your own message. Kudos are for thanking others, so nothing was sent.", emoji), "own"
	}
	author, err := b.person(ctx, r.author)
	switch {
	case errors.Is(err, errUnknownUser), err == nil && author.IsBot:
		return fmt.Sprintf("You reacted %s to a message from a bot. Kudos are for people, so nothing was sent.", emoji), "bot"
	case err == nil && author.Deleted:
		return fmt.Sprintf("You reacted %s to a message from <@%s>, who is no longer active in this workspace, so nothing was sent.", emoji, r.author), "inactive"
	case err != nil:
		b.log.Warn("kudos reaction: author unknown; asking anyway", "user", r.author, "err", err)
	}
	if !b.canPostIn(ctx, r.channel) {
		return fmt.Sprintf("You reacted %s to <@%s>'s message in a conversation I'm not in, so I can't read it or post a kudos there, and nothing was sent. "+
			"Invite me to the channel and react again, or thank them with `/kudos @%s for …` where I am.", emoji, r.author, b.nameOf(ctx, r.author)), "unreadable"
	}
	if limit := b.opts.Kudos.DailyLimit; limit > 0 {
		now := b.opts.Now()
		from, to := localDay(now, b.location(reactor))
		used, err := b.store.KudosGivenCount(r.user, from, to)
		if err != nil {
			b.log.Warn("kudos reaction: allowance unknown; asking anyway", "user", r.user, "err", err)
		} else if used >= limit {
			var ue *userError
			if errors.As(allowanceRefusal(&store.AllowanceError{Limit: limit, Used: used, Wanted: 1}, to.Sub(now)), &ue) {
				return fmt.Sprintf("You reacted %s to <@%s>'s message. %s", emoji, r.author, ue.msg), "limit"
			}
		}
	}
	return "", ""
}

// canPostIn reports whether Rapport can read and post in channel: it is a
// member. Slack answers channel_not_found for a private channel it is not
// in; a public one it has not joined refuses its posts.
func (b *Bot) canPostIn(ctx context.Context, channel string) bool {
	var ch *slack.Channel
	err := b.send.call(ctx, "conversations.info", func(ctx context.Context) error {
		var err error
		ch, err = b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
		return err
	})
	if err != nil {
		b.log.Info("kudos reaction: conversation unreadable", "channel", channel, "err", err)
		return false
	}
	return ch.IsMember || ch.IsIM
}

// nameOf is the name a person types after "@" for id; the ID when unknown.
func (b *Bot) nameOf(ctx context.Context, id string) string {
	if p, err := b.person(ctx, id); err == nil && p.Name != "" {
		return p.Name
	}
	return id
}

// reactionView is what the prompt of entry shows, with a problem with the
// last answer and that answer (draft) to edit.
func (b *Bot) reactionView(entry store.ReactionKudos, problem, draft string) reactionPrompt {
	return reactionPrompt{Author: entry.Author, Channel: entry.Channel, TS: entry.TS, Link: entry.Link,
		Emoji: b.opts.Kudos.Emoji, State: entry.State, Problem: problem, Draft: draft}
}

// renderReactionPromptNow sends a queued prompt only while its reaction
// still waits for an answer: removed before the prompt went out, it is
// not sent at all.
func (b *Bot) renderReactionPromptNow(ctx context.Context, o store.Outgoing) (string, []slack.Block, bool, error) {
	p, err := b.store.Person(o.User)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, false, err
	}
	for _, r := range p.ReactionKudos {
		if reactionPromptKey(r.Channel, r.TS, o.User) == o.Key {
			if r.State != reactionAsked {
				return "", nil, true, nil
			}
			return o.Text, decodeBlocks(o.Blocks), false, nil
		}
	}
	return "", nil, true, nil // forgotten (forget-me) before it went out
}

// setReactionState moves user's reaction to the message at ts in channel
// from one of the states in from to state, and returns the entry as it
// was and whether it moved. f, when set, also edits the entry.
func (b *Bot) setReactionState(user, channel, ts string, from []string, state string, f func(e *store.ReactionKudos)) (store.ReactionKudos, bool, error) {
	now := b.opts.Now()
	var before store.ReactionKudos
	moved := false
	_, err := b.store.UpdatePerson(user, func(p *store.Person) {
		i := findReaction(*p, channel, ts)
		if i < 0 {
			return
		}
		e := &p.ReactionKudos[i]
		before = *e
		stale := e.State == reactionAnswering && now.Sub(e.At) > reactionAnswerStale
		if !slices.Contains(from, e.State) && !(stale && slices.Contains(from, reactionAsked)) {
			return
		}
		e.State, e.At = state, now
		if f != nil {
			f(e)
		}
		moved = true
	}, store.Effects{})
	if err != nil {
		return store.ReactionKudos{}, false, fmt.Errorf("kudos reaction: %s/%s to %s: %w", channel, ts, state, err)
	}
	return before, moved, nil
}

// onReactionRemoved cancels a kudos not answered yet, and says so on its
// prompt. After the kudos was given, removing the reaction changes
// nothing: the post is public and its receiver was told, and an unreact
// is too easy to do by accident to take a thank-you back silently.
func (b *Bot) onReactionRemoved(ctx context.Context, ev event) error {
	r, ok := b.kudosReaction(ev)
	if !ok {
		return nil
	}
	p, err := b.store.Person(r.user)
	if errors.Is(err, store.ErrNotFound) || (err == nil && findReaction(p, r.channel, r.ts) < 0) {
		return nil
	}
	if err != nil {
		return err
	}
	entry, moved, err := b.setReactionState(r.user, r.channel, r.ts, []string{reactionAsked}, reactionCancelled, nil)
	if err != nil || !moved {
		return err
	}
	entry.State = reactionCancelled
	return b.editPrompt(ctx, r.user, b.reactionView(entry, "", ""))
}

// reopenReaction asks again after the reaction was put back.
func (b *Bot) reopenReaction(ctx context.Context, r reaction) error {
	entry, moved, err := b.setReactionState(r.user, r.channel, r.ts, []string{reactionCancelled}, reactionAsked, nil)
	if err != nil || !moved {
		return err
	}
	entry.State = reactionAsked
	return b.editPrompt(ctx, r.user, b.reactionView(entry, "", ""))
}

// promptSentPoll is how often editPrompt looks again at a prompt that is
// being posted right now.
const promptSentPoll = 50 * time.Millisecond

// editPrompt shows v on user's prompt, if it went out; one not sent yet
// reads the state when it goes (renderReactionPromptNow). One being
// posted right now was built with the state before this change, so the
// edit waits until it is posted (at most one Slack call's time, and
// a little).
func (b *Bot) editPrompt(ctx context.Context, user string, v reactionPrompt) error {
	key := reactionPromptKey(v.Channel, v.TS, user)
	o, err := b.store.OutgoingByKey(key)
	for wait := b.opts.SendTimeout + 5*time.Second; err == nil && o.State == store.OutboxSending && wait > 0; wait -= promptSentPoll {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(promptSentPoll):
		}
		o, err = b.store.OutgoingByKey(key)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.State != store.OutboxSent || o.SentTS == "" {
		return nil
	}
	dm, err := b.openDM(ctx, user)
	if err != nil {
		return fmt.Errorf("kudos reaction: edit prompt: %w", err)
	}
	text, blocks := renderReactionPrompt(v)
	return b.send.update(ctx, o.SentTS, message{Channel: dm, Text: text, Blocks: blocks})
}

// reactionAnswer turns the answer typed in a prompt into the kudos, with
// every rule of /kudos. A broken rule shows on the prompt, with the answer
// kept to edit; a prompt whose reaction was removed says it was cancelled
// and gives nothing.
func (b *Bot) reactionAnswer(ctx context.Context, in interaction, a *slack.BlockAction) error {
	channel, ts, ok := strings.Cut(strings.TrimPrefix(a.BlockID, reactionKudosBlockPrefix), "/")
	if !ok || !strings.HasPrefix(a.BlockID, reactionKudosBlockPrefix) {
		return userErrorf("I couldn't tell which message this kudos is for, so nothing was sent. React again, or use `/kudos`.")
	}
	draft := strings.TrimSpace(a.Value)
	entry, moved, err := b.setReactionState(in.user, channel, ts, []string{reactionAsked}, reactionAnswering, nil)
	if err != nil {
		return err
	}
	if !moved {
		switch entry.State {
		case reactionCancelled:
			return b.answerText(ctx, in.origin, fmt.Sprintf("You removed your :%s: before sending this, so the kudos was cancelled and nothing was sent. "+
				"React again to start over, or use `/kudos`.", b.opts.Kudos.Emoji))
		case reactionSent, reactionAnswering:
			return b.answerText(ctx, in.origin, "This kudos was already sent; nothing more was sent.")
		}
		return b.answerText(ctx, in.origin, "This kudos prompt is too old to answer, so nothing was sent. React again, or use `/kudos`.")
	}
	reason, values := reasonAndValues(escapeText(draft))
	o := origin{user: in.user, channel: channel, threadTS: ts}
	k, remaining, err := b.commitKudos(ctx, o, gift{users: []string{entry.Author}, reason: reason, values: values, link: entry.Link})
	if err != nil {
		if _, _, rerr := b.setReactionState(in.user, channel, ts, []string{reactionAnswering}, reactionAsked, nil); rerr != nil {
			return errors.Join(err, rerr)
		}
		var ue *userError
		if !errors.As(err, &ue) || ue.cause != nil {
			return err
		}
		entry.State = reactionAsked
		return b.editAnswered(ctx, in, b.reactionView(entry, ue.msg, draft))
	}
	defer b.kickOutbox()
	entry, _, err = b.setReactionState(in.user, channel, ts, []string{reactionAnswering}, reactionSent, func(e *store.ReactionKudos) { e.KudosID = k.ID })
	if err != nil {
		// The kudos is given; only its record of the reaction is behind.
		b.log.Error("kudos reaction: kudos given, state not saved", "kudos", k.ID, "err", err)
	}
	entry.State = reactionSent
	v := b.reactionView(entry, "", "")
	v.Sent = renderKudosSent(b.kudosPostOf(k, channel, entry.Link), remaining, b.opts.Kudos.DailyLimit)
	v.Reason = reason
	return b.editAnswered(ctx, in, v)
}

// editAnswered shows v on the prompt the person just answered in.
func (b *Bot) editAnswered(ctx context.Context, in interaction, v reactionPrompt) error {
	text, blocks := renderReactionPrompt(v)
	if ch, ts := in.cb.Container.ChannelID, in.cb.Container.MessageTs; ch != "" && ts != "" {
		if err := b.send.update(ctx, ts, message{Channel: ch, Text: text, Blocks: blocks}); err == nil {
			return nil
		} else {
			b.log.Warn("kudos reaction: prompt not updated; answering aside", "err", err)
		}
	}
	return b.answer(ctx, in.origin, response{Text: text, Blocks: blocks})
}

// reasonAndValues splits an answer into its reason and its trailing
// #values, as /kudos reads them.
func reasonAndValues(text string) (string, []string) {
	toks := tokenize(text)
	tail := valuesStart(toks)
	var values []string
	for _, t := range toks[:tail] {
		if v, ok := tagValue(t, false); ok {
			values = appendNew(values, v)
		}
	}
	for _, t := range toks[tail:] {
		if v, ok := tagValue(t, true); ok {
			values = appendNew(values, v)
		}
	}
	if tail == 0 {
		return "", values
	}
	return text[toks[0].start:toks[tail-1].end], values
}
