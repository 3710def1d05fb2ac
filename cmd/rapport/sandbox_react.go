package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// say writes text in the current channel as the person at the keyboard,
// as people write in Slack: Rapport does not read it (it reads no channel
// messages), but everyone can react to it.
func (sb *sandbox) say(w io.Writer, text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("say what? e.g. :say I fixed the flaky test")
	}
	if _, err := sb.slack.Say(sb.channel, sb.me, sb.escapeTyped(text)); err != nil {
		return fmt.Errorf("you can't write in %s: %w", sb.where(sb.channel), err)
	}
	sb.printChanges(w, false)
	return nil
}

// react adds (or, with remove, removes) the person's reaction EMOJI to a
// message of the current channel: the newest by default, or the Nth
// newest. Replies in threads are not counted.
func (sb *sandbox) react(ctx context.Context, w io.Writer, arg string, remove bool) error {
	fields := strings.Fields(arg)
	if len(fields) == 0 || len(fields) > 2 {
		return errors.New("react with what? e.g. :react trophy, or :react :trophy: 2 for the message before the newest")
	}
	name := strings.Trim(fields[0], ":")
	n := 1
	if len(fields) == 2 {
		var err error
		if n, err = strconv.Atoi(fields[1]); err != nil || n < 1 {
			return fmt.Errorf("%q is not a message number: 1 is the newest, 2 the one before", fields[1])
		}
	}
	var msgs []slacktest.Message
	for _, m := range sb.visible(sb.channel) {
		if !m.Ephemeral && (m.ThreadTS == "" || m.ThreadTS == m.TS) {
			msgs = append(msgs, m)
		}
	}
	if n > len(msgs) {
		return fmt.Errorf("%s has %d messages; write one with :say TEXT", sb.where(sb.channel), len(msgs))
	}
	m := msgs[len(msgs)-n]
	f, verb := sb.slack.React, "reacted :"+name+": to"
	if remove {
		f, verb = sb.slack.Unreact, "removed your :"+name+": from"
	}
	ack, delivered, err := f(ctx, sb.me, m.Channel, m.TS, name)
	if err != nil {
		return fmt.Errorf("you can't do that: %w", err)
	}
	author := "Rapport"
	if m.Author != "" {
		author = sb.handle(m.Author)
	}
	fmt.Fprintf(w, "  (you %s %s's message)\n", verb, author)
	if !delivered {
		fmt.Fprintf(w, "  (Rapport is not in %s, so Slack does not tell it about reactions there)\n", sb.where(sb.channel))
		return nil
	}
	if err := sb.awaitHandled(ctx, ack, nil); err != nil {
		return err
	}
	sb.printChanges(w, false)
	return nil
}

// answer types text into the newest field the person sees in a message
// (the one that asks what someone did, after a kudos reaction) and
// presses Enter, which sends it.
func (sb *sandbox) answer(ctx context.Context, w io.Writer, text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("answer what? e.g. :answer for untangling the deploy on Friday")
	}
	for _, s := range sb.surfaces() {
		if s.message == nil {
			continue
		}
		for _, a := range slacktest.Actions(s.blocks) {
			if !a.Input || a.Type != "plain_text_input" {
				continue
			}
			action := map[string]any{"type": a.Type, "action_id": a.ActionID, "block_id": a.BlockID, "value": text, "action_ts": "1"}
			return sb.sendAction(ctx, w, s, action)
		}
	}
	return errors.New("you see no field in a message to answer (read the latest with :dms)")
}
