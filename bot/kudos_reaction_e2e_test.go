package bot_test

import (
	"strings"
	"testing"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// Kudos by reaction, end to end: people write in a channel (Say), react
// with the kudos emoji through the fake Slack, which sends the events as
// Slack does, and answer the prompt Rapport DMs them.

const kudosEmoji = "trophy"

// say posts text in channel as user and returns the message's ts.
func (h *harness) say(channel, user, text string) string {
	h.t.Helper()
	m, err := h.slack.Say(channel, user, text)
	if err != nil {
		h.t.Fatal(err)
	}
	return m.TS
}

// react adds (or, with remove, removes) user's reaction to the message and
// waits until the bot has handled the event; it reports whether Slack sent
// one.
func (h *harness) react(user, channel, ts, name string, remove bool) bool {
	h.t.Helper()
	ctx := h.ctx()
	f := h.slack.React
	if remove {
		f = h.slack.Unreact
	}
	ack, delivered, err := f(ctx, user, channel, ts, name)
	if err != nil {
		h.t.Fatalf("reaction %s by %s on %s/%s: %v", name, user, channel, ts, err)
	}
	if delivered {
		h.markSent(ack.EnvelopeID)
		h.waitHandled(ctx, ack.EnvelopeID)
	}
	return delivered
}

// reactionEvent is a reaction_added event as Slack sends it.
func reactionEvent(user, author, channel, ts string) map[string]any {
	return map[string]any{
		"type": "reaction_added", "user": user, "reaction": kudosEmoji, "item_user": author,
		"item": map[string]any{"type": "message", "channel": channel, "ts": ts},
	}
}

// prompts returns the prompts posted to user (each may have been edited
// since).
func (h *harness) prompts(user string) []slacktest.Call {
	var out []slacktest.Call
	for _, c := range h.slack.CallsTo("chat.postMessage") {
		if c.Params["channel"] == h.slack.DMChannel(user) && strings.Contains(c.Params["blocks"], "kudos_reaction:") {
			out = append(out, c)
		}
	}
	return out
}

// answerPrompt types text in the prompt and presses Enter, as Slack sends
// it: a block_actions from the DM message with the field's value.
func (h *harness) answerPrompt(user string, prompt slacktest.Message, channel, ts, text string) {
	h.t.Helper()
	ctx := h.ctx()
	block := "kudos_reaction:" + channel + "/" + ts
	ack, err := h.slack.Interaction(ctx, map[string]any{
		"type":      "block_actions",
		"user":      map[string]any{"id": user},
		"channel":   map[string]any{"id": prompt.Channel},
		"container": map[string]any{"type": "message", "channel_id": prompt.Channel, "message_ts": prompt.TS, "is_ephemeral": false},
		"message":   map[string]any{"type": "message", "ts": prompt.TS, "text": prompt.Text},
		"actions": []any{map[string]any{"type": "plain_text_input", "block_id": block,
			"action_id": "kudos_reaction_answer", "value": text, "action_ts": "1.1"}},
		"state": map[string]any{"values": map[string]any{block: map[string]any{
			"kudos_reaction_answer": map[string]any{"type": "plain_text_input", "value": text}}}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
}

// waitPrompt waits for the one prompt to user, containing want.
func (h *harness) waitPrompt(user, want string) slacktest.Message {
	h.t.Helper()
	m := h.waitDM(user, want)
	if n := len(h.prompts(user)); n != 1 {
		h.t.Fatalf("prompts to %s = %d, want 1", user, n)
	}
	return m
}

// waitCurrent waits until message ts of channel reads want (the outbox
// edits it after the handler returns) and returns it as it reads then.
func (h *harness) waitCurrent(channel, ts, want string) slacktest.Message {
	h.t.Helper()
	m, err := h.slack.WaitForMessage(h.ctx(), channel, func(m slacktest.Message) bool {
		return m.TS == ts && strings.Contains(body(m), want)
	})
	if err != nil {
		h.t.Fatalf("message %s in %s never read %q: %v; it reads %s", ts, channel, want, err, body(h.current(channel, ts)))
	}
	return m
}

// current is message ts of channel as it reads now (after edits).
func (h *harness) current(channel, ts string) slacktest.Message {
	h.t.Helper()
	for _, m := range h.slack.Messages(channel) {
		if m.TS == ts {
			return m
		}
	}
	h.t.Fatalf("no message %s in %s", ts, channel)
	return slacktest.Message{}
}

// Ensure a kudos reaction asks the reactor, privately, what the author did,
// with a link to the message and one field; the answer is posted as a kudos
// in the message's thread, shared in the kudos channel, DMed to the author,
// and confirmed on the prompt itself; removing the reaction afterwards
// leaves the kudos, and reacting again asks nothing more.
func TestKudosByReaction(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5, emoji: kudosEmoji})
	ts := h.say("CGENERAL", "UBOB", "I fixed the flaky checkout test")
	if !h.react("UALICE", "CGENERAL", ts, kudosEmoji, false) {
		t.Fatal("Slack sent no event for a reaction in a channel the bot is in")
	}
	prompt := h.waitPrompt("UALICE", "What did <@UBOB> do?")
	link := "https://fake.slack/archives/CGENERAL/p" + strings.ReplaceAll(ts, ".", "")
	if b := body(prompt); !strings.Contains(b, link) || !strings.Contains(b, `"dispatch_action":true`) {
		t.Errorf("prompt = %s, want the message's permalink %s and a field that sends on Enter", b, link)
	}
	if !strings.Contains(body(prompt), "Stop asking when I react") || !strings.Contains(body(prompt), `"action_id":"mute_dm","value":"reaction_prompts"`) {
		t.Errorf("prompt = %s, want its opt-out, \"Stop asking when I react\"", body(prompt))
	}

	h.answerPrompt("UALICE", prompt, "CGENERAL", ts, "for hunting down the flaky checkout test before the release #quality")
	posts := h.waitPublic("CGENERAL", "hunting down the flaky checkout test")
	var post slacktest.Message
	for _, m := range posts {
		if strings.Contains(body(m), "gave kudos") {
			post = m
		}
	}
	if post.ThreadTS != ts {
		t.Errorf("kudos post thread_ts = %q, want the reacted message %q", post.ThreadTS, ts)
	}
	if !strings.Contains(body(post), "<@UALICE> gave kudos to <@UBOB>") || !strings.Contains(body(post), "#quality") {
		t.Errorf("post = %s, want Alice thanking Bob with #quality", body(post))
	}
	h.waitPublic("CKUDOS", "hunting down the flaky checkout test")
	h.waitDM("UBOB", "hunting down the flaky checkout test")
	confirmed := h.waitCurrent(prompt.Channel, prompt.TS, "Kudos sent")
	if b := body(confirmed); !strings.Contains(b, "Kudos sent to <@UBOB>") || !strings.Contains(b, "4 kudos left today") || strings.Contains(b, "dispatch_action") {
		t.Errorf("prompt after the answer = %s, want the confirmation with the allowance left, and no field", b)
	}

	// Removing the reaction now leaves the kudos; putting it back asks nothing.
	h.react("UALICE", "CGENERAL", ts, kudosEmoji, true)
	h.react("UALICE", "CGENERAL", ts, kudosEmoji, false)
	if n := len(h.prompts("UALICE")); n != 1 {
		t.Errorf("prompts after unreact and react = %d, want still 1", n)
	}
	if b := body(h.current(prompt.Channel, prompt.TS)); !strings.Contains(b, "Kudos sent") {
		t.Errorf("prompt = %s, want it still confirming the kudos", b)
	}
	if got := len(h.public("CKUDOS")); got != 1 {
		t.Errorf("kudos channel posts = %d, want 1", got)
	}
}

// Ensure removing the reaction before answering cancels the kudos: the
// prompt says so, an answer typed after gives a friendly note and no kudos,
// and putting the reaction back asks again.
func TestKudosReactionRemovedBeforeAnswer(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5, emoji: kudosEmoji})
	ts := h.say("CGENERAL", "UBOB", "Deploy is green again")
	h.react("UALICE", "CGENERAL", ts, kudosEmoji, false)
	prompt := h.waitPrompt("UALICE", "What did <@UBOB> do?")
	h.react("UALICE", "CGENERAL", ts, kudosEmoji, true)
	if b := body(h.waitCurrent(prompt.Channel, prompt.TS, "cancelled")); strings.Contains(b, "dispatch_action") {
		t.Errorf("prompt after removing the reaction = %s, want it cancelled, without the field", b)
	}

	h.answerPrompt("UALICE", prompt, "CGENERAL", ts, "for getting the deploy green again today")
	if _, content := h.lastResponse(); !strings.Contains(content, "cancelled") || !strings.Contains(content, "nothing was sent") {
		t.Errorf("answer after cancelling = %q, want a note that it was cancelled", content)
	}
	if contains(h.public("CGENERAL"), "gave kudos") || len(h.public("CKUDOS")) != 0 {
		t.Errorf("a cancelled kudos was posted: %+v", h.public("CGENERAL"))
	}

	h.react("UALICE", "CGENERAL", ts, kudosEmoji, false)
	h.waitCurrent(prompt.Channel, prompt.TS, "What did <@UBOB> do?") // the question back
	if n := len(h.prompts("UALICE")); n != 1 {
		t.Errorf("prompts = %d, want the same one asking again", n)
	}
}

// Ensure a bot's reaction gets nothing at all: no prompt, no note, no post.
func TestKudosReactionByBot(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5, emoji: kudosEmoji})
	ts := h.say("CGENERAL", "UBOB", "Release notes are up")
	h.event(slacktest.EventOptions{Event: reactionEvent("UROBOT", "UBOB", "CGENERAL", ts)})
	if calls := h.slack.CallsTo("chat.postMessage"); len(calls) != 0 {
		t.Errorf("chat.postMessage calls = %d after a bot's reaction, want none", len(calls))
	}
}

// Ensure reactions that cannot become a kudos are each explained
// privately, once, with no prompt and no kudos: on one's own message, on
// a bot's message, and at the day's limit.
func TestKudosReactionRefused(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 1, emoji: kudosEmoji})

	own := h.say("CGENERAL", "UALICE", "I shipped the new onboarding flow")
	h.react("UALICE", "CGENERAL", own, kudosEmoji, false)
	h.waitDM("UALICE", "your own message. Kudos are for thanking others")

	h.kudos("UBOB", "CGENERAL", "<@UALICE|alice> for the onboarding flow she shipped")
	botPost := h.waitPublic("CGENERAL", "gave kudos")[1]
	h.react("UALICE", "CGENERAL", botPost.TS, kudosEmoji, false)
	h.waitDM("UALICE", "a message from a bot. Kudos are for people")

	h.kudos("UALICE", "CGENERAL", "<@UBOB|bob> for the thoughtful kudos today")
	h.waitPublic("CGENERAL", "thoughtful kudos")
	ts := h.say("CGENERAL", "UBOB", "Fixed the printer, finally")
	h.react("UALICE", "CGENERAL", ts, kudosEmoji, false)
	h.waitDM("UALICE", "You've given all 1 kudos for today")

	if n := len(h.prompts("UALICE")); n != 0 {
		t.Errorf("prompts = %d, want none", n)
	}
	// The same refused reaction again explains nothing more.
	h.react("UALICE", "CGENERAL", own, kudosEmoji, true)
	h.react("UALICE", "CGENERAL", own, kudosEmoji, false)
	n := 0
	for _, m := range h.slack.Messages(h.slack.DMChannel("UALICE")) {
		if strings.Contains(body(m), "your own message") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("notes about the own message = %d, want 1", n)
	}
	if contains(h.public("CGENERAL"), "gave kudos to <@UALICE>") && len(h.public("CKUDOS")) != 2 {
		t.Errorf("kudos channel = %+v, want only the two /kudos", h.public("CKUDOS"))
	}
}

// Ensure a reaction in a conversation Rapport is not in gets a private
// explanation. Slack sends no reaction events from such conversations
// (the fake does not either); the event can still reach the bot when it
// was removed from the channel after the reaction, before handling it.
func TestKudosReactionWhereRapportCannotRead(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5, emoji: kudosEmoji})
	h.slack.AddChannel("CPROJECT", "project", false, "UALICE", "UBOB")
	ts := h.say("CPROJECT", "UBOB", "The migration plan is in the doc")
	if h.react("UALICE", "CPROJECT", ts, kudosEmoji, false) {
		t.Fatal("the fake sent a reaction event from a channel the bot is not in; Slack does not")
	}
	h.event(slacktest.EventOptions{Event: reactionEvent("UALICE", "UBOB", "CPROJECT", ts)})
	first := h.waitDM("UALICE", "in a conversation I'm not in")
	h.event(slacktest.EventOptions{Event: reactionEvent("UALICE", "UBOB", "GSECRET", "1700000000.000100")})
	if _, err := h.slack.WaitForMessage(h.ctx(), first.Channel, func(m slacktest.Message) bool {
		return m.TS != first.TS && strings.Contains(body(m), "in a conversation I'm not in")
	}); err != nil {
		t.Fatalf("no note about the private channel: %v", err)
	}
	if n := len(h.prompts("UALICE")); n != 0 {
		t.Errorf("prompts = %d, want none", n)
	}
	notes := 0
	for _, m := range h.slack.Messages(h.slack.DMChannel("UALICE")) {
		if strings.Contains(body(m), "in a conversation I'm not in") {
			notes++
		}
	}
	if notes != 2 {
		t.Errorf("notes = %d, want one for the public channel and one for the private one", notes)
	}
}

// Ensure one reaction makes one prompt and one kudos, however often its
// event arrives: a retry with the same event_id, another event for the
// same reaction, and the answer sent twice.
func TestKudosReactionDeliveredTwice(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5, emoji: kudosEmoji})
	ts := h.say("CGENERAL", "UBOB", "Wrote the incident review")
	ev := slacktest.EventOptions{Event: reactionEvent("UALICE", "UBOB", "CGENERAL", ts), EventID: "Ev0REACT1"}
	h.event(ev)
	ev.RetryAttempt, ev.RetryReason = 1, "timeout"
	h.event(ev)
	h.event(slacktest.EventOptions{Event: reactionEvent("UALICE", "UBOB", "CGENERAL", ts)})
	prompt := h.waitPrompt("UALICE", "What did <@UBOB> do?")

	h.answerPrompt("UALICE", prompt, "CGENERAL", ts, "for the clear and blameless incident review")
	h.answerPrompt("UALICE", prompt, "CGENERAL", ts, "for the clear and blameless incident review")
	h.waitPublic("CKUDOS", "blameless incident review")
	if got := len(h.public("CKUDOS")); got != 1 {
		t.Errorf("kudos shared = %d, want 1", got)
	}
	if _, content := h.lastResponse(); !strings.Contains(content, "already sent") {
		t.Errorf("second answer = %q, want a note that it was already sent", content)
	}
	if n := len(h.prompts("UALICE")); n != 1 {
		t.Errorf("prompts = %d, want 1", n)
	}
}

// Ensure an answer that breaks a rule shows the problem on the prompt,
// keeps the answer to edit and sends nothing; and that a mass mention typed
// in the answer reaches the channel as plain text that pings nobody.
func TestKudosReactionAnswerRules(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5, emoji: kudosEmoji})
	ts := h.say("CGENERAL", "UBOB", "Rewrote the search index")
	h.react("UALICE", "CGENERAL", ts, kudosEmoji, false)
	prompt := h.waitPrompt("UALICE", "What did <@UBOB> do?")

	h.answerPrompt("UALICE", prompt, "CGENERAL", ts, "thanks!")
	if b := body(h.waitCurrent(prompt.Channel, prompt.TS, "Be specific")); !strings.Contains(b, `"initial_value":"thanks!"`) {
		t.Errorf("prompt after a too-short answer = %s, want the problem and the answer kept", b)
	}
	if contains(h.public("CGENERAL"), "gave kudos") {
		t.Fatal("a too-short answer was posted")
	}

	h.answerPrompt("UALICE", prompt, "CGENERAL", ts, "<!channel> look: Bob rewrote the search index <!here>")
	posts := h.waitPublic("CGENERAL", "rewrote the search index")
	for _, m := range append(posts, h.public("CKUDOS")...) {
		if b := body(m); strings.Contains(b, "<!channel>") || strings.Contains(b, "<!here>") {
			t.Errorf("post %s carries a live mass mention", b)
		}
	}
}

// Ensure /kudos help tells of the kudos reaction when it is on, and that
// with it off (RAPPORT_KUDOS_EMOJI=off) a reaction starts nothing and help
// does not mention it.
func TestKudosReactionHelpAndOff(t *testing.T) {
	on, _ := startKudosBot(t, kudosSetup{emoji: kudosEmoji})
	on.kudos("UALICE", "CGENERAL", "help")
	if _, content := on.lastResponse(); !strings.Contains(content, "react :trophy: to someone's message") {
		t.Errorf("/kudos help = %q, want the kudos reaction", content)
	}

	off, _ := startKudosBot(t, kudosSetup{})
	ts := off.say("CGENERAL", "UBOB", "Migrated the billing jobs")
	off.react("UALICE", "CGENERAL", ts, kudosEmoji, false)
	if calls := off.slack.CallsTo("chat.postMessage"); len(calls) != 0 {
		t.Errorf("chat.postMessage calls = %d with the kudos reaction off, want none", len(calls))
	}
	off.kudos("UALICE", "CGENERAL", "help")
	if _, content := off.lastResponse(); strings.Contains(content, "react :") {
		t.Errorf("/kudos help = %q, want no kudos reaction when it is off", content)
	}
}

// Ensure "Stop asking when I react" on a prompt turns the prompts off for
// the one who clicks it: their next kudos reactions ask nothing (and no
// note either), while others' reactions still ask.
func TestKudosReactionOptOut(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{limit: 5, emoji: kudosEmoji})
	first := h.say("CGENERAL", "UBOB", "I wrote the runbook")
	h.react("UALICE", "CGENERAL", first, kudosEmoji, false)
	h.waitPrompt("UALICE", "What did <@UBOB> do?")
	ctx := h.ctx()
	ack, err := h.slack.Interaction(ctx, map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UALICE"},
		"channel": map[string]any{"id": h.slack.DMChannel("UALICE")},
		"actions": []any{map[string]any{"type": "button", "block_id": "b1", "action_id": "mute_dm", "value": "reaction_prompts"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.markSent(ack.EnvelopeID)
	h.waitHandled(ctx, ack.EnvelopeID)
	if p, err := h.db.Person("UALICE"); err != nil || !p.IsMuted("reaction_prompts") {
		t.Fatalf("Alice's reaction prompts not muted: %+v %v", p, err)
	}

	second := h.say("CGENERAL", "UBOB", "I paired with the new hire all week")
	h.react("UALICE", "CGENERAL", second, kudosEmoji, false)
	own := h.say("CGENERAL", "UALICE", "my own note")
	h.react("UALICE", "CGENERAL", own, kudosEmoji, false)
	h.react("UBOB", "CGENERAL", own, kudosEmoji, false)
	h.waitPrompt("UBOB", "What did <@UALICE> do?")
	if n := len(h.prompts("UALICE")); n != 1 {
		t.Errorf("prompts to Alice after she muted them = %d, want still the first", n)
	}
	for _, m := range h.slack.Messages(h.slack.DMChannel("UALICE")) {
		if strings.Contains(body(m), "your own message") || strings.Contains(body(m), "paired with the new hire") {
			t.Errorf("Alice muted reaction prompts but got %s", body(m))
		}
	}
}
