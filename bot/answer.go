package bot

import (
	"context"
	"errors"
	"fmt"
)

// How the bot answers the person behind a request. There are two ways, and
// both return an error rather than log and forget it, so that a handler
// returns it and the dispatcher logs it once:
//
//   - answer is how a handler answers what someone typed or clicked: privately,
//     by the best way Slack offers for where they are (the App Home, an
//     ephemeral reply or a replaced message through the response_url, an
//     ephemeral message in the channel, a DM).
//   - answerInPlace is how the dispatcher tells someone that their request
//     failed, in the conversation the request came from.
//
// A mention in a channel is answered in its thread, ephemerally, by the
// mention handler itself. Messages that are not an answer (DMs sent unprompted, coffee intros, a
// kudos posted in a channel) go through the outbox or the sender directly.

// answer shows r to the person behind o, privately, in the first way that
// works:
//
//   - a click on the App Home: the Home is published again, since the Home
//     itself shows the result of the click (r is not shown);
//   - a response_url (slash commands, buttons on messages): an ephemeral
//     reply, or, with r.ReplaceOriginal, the clicked message replaced by r;
//   - a channel (a modal submitted with a channel picked): an ephemeral
//     message there, r.Text only;
//   - otherwise, or when those failed: a DM with r.Text.
//
// A way that fails is logged and the next one tried; the error returned
// joins every way's error and means the person saw nothing.
func (b *Bot) answer(ctx context.Context, o origin, r response) error {
	if o.fromHome {
		// The click came from the Home, so the person has it open: no need
		// to ask the store whether they ever opened it.
		if o.user == "" {
			return nil
		}
		if err := b.publishHome(ctx, o.user); err != nil {
			return fmt.Errorf("answer %s on the Home: %w", o.user, err)
		}
		return nil
	}
	var errs []error
	if o.responseURL != "" {
		err := b.send.respond(ctx, o.responseURL, r)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("through the response_url: %w", err))
	}
	if o.channel != "" {
		err := b.send.ephemeral(ctx, o.channel, o.user, "", r.Text)
		if err == nil {
			b.logFallback(o, errs)
			return nil
		}
		errs = append(errs, fmt.Errorf("ephemeral in %s: %w", o.channel, err))
	}
	dm, err := b.openDM(ctx, o.user)
	if err == nil {
		_, err = b.send.post(ctx, message{Channel: dm, Text: r.Text})
	}
	if err == nil {
		b.logFallback(o, errs)
		return nil
	}
	errs = append(errs, fmt.Errorf("by DM: %w", err))
	return fmt.Errorf("answer %s: %w", o.user, errors.Join(errs...))
}

// answerText is answer with text only, the common case.
func (b *Bot) answerText(ctx context.Context, o origin, text string) error {
	return b.answer(ctx, o, response{Text: text})
}

// logFallback records why answer used a later way than the first, so a
// response_url that keeps failing is seen although people are answered.
func (b *Bot) logFallback(o origin, errs []error) {
	if len(errs) > 0 {
		b.log.Warn("answered another way", "user", o.user, "err", errors.Join(errs...))
	}
}

// answerInPlace shows text where the request came from: through the
// response_url (ephemeral), else as a message in the request's conversation
// (the thread of a mention, the DM of a direct message). The dispatcher uses
// it for a handler's error and for the apology after a panic; a request with
// neither (a modal submission) has no place to answer in, and nil is
// returned.
func (b *Bot) answerInPlace(ctx context.Context, o origin, text string) error {
	switch {
	case o.responseURL != "":
		if err := b.send.respond(ctx, o.responseURL, response{Text: text}); err != nil {
			return fmt.Errorf("answer %s through the response_url: %w", o.user, err)
		}
	case o.channel != "":
		if _, err := b.send.post(ctx, message{Channel: o.channel, ThreadTS: o.threadTS, Text: text}); err != nil {
			return fmt.Errorf("answer %s in %s: %w", o.user, o.channel, err)
		}
	}
	return nil
}
