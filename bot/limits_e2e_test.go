package bot_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// privateReplies returns the ephemeral messages user sees in #general.
func privateReplies(h *harness, user string) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range h.slack.Messages("CGENERAL") {
		if m.Ephemeral && m.User == user {
			out = append(out, m)
		}
	}
	return out
}

// Ensure a follow-up under Rapport's 1,000-character cap whose "&", "<" and
// ">" make it more than 3,000 characters once escaped is still confirmed,
// with its Undo: the confirmation is cut to fit Slack's limits counted on
// the text as sent, so Slack does not refuse it.
func TestLongEscapedFollowupIsConfirmed(t *testing.T) {
	r := startFollowupBot(t)
	typed := strings.Repeat("<&> ", 242) // 968 characters as typed
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(typed)
	if n := utf8.RuneCountInString(escaped); n <= 3000 {
		t.Fatalf("escaped text is %d characters, want over 3,000 for this test", n)
	}
	r.command("UALICE", "/followup", "me "+escaped+"by tomorrow")
	if fs, err := r.db.FollowupsOwnedBy("UALICE"); err != nil || len(fs) != 1 {
		t.Fatalf("follow-ups = %d, %v; want 1 saved", len(fs), err)
	}
	replies := privateReplies(r.harness, "UALICE")
	if len(replies) != 1 {
		t.Fatalf("private replies = %d, want the confirmation (Slack refused it?); calls: %+v", len(replies), r.responses())
	}
	shown := slacktest.RenderBlocks(replies[0].Blocks, slacktest.Names{})
	if !strings.Contains(shown, "[ Undo ]") || !strings.Contains(shown, "I'll remind you when it's due.") || !strings.Contains(shown, "<&> <&>") {
		t.Errorf("confirmation as Slack shows it = %q, want the promise, the whole sentence and Undo", shown)
	}
}

// Ensure a reply Slack refuses (an ok:false answer with HTTP 200 on a
// response_url) is noticed and sent again as plain text, so it does not
// vanish.
func TestRefusedReplyFallsBackToText(t *testing.T) {
	r := startFollowupBot(t)
	r.slack.InjectFaults("response_url", slacktest.Fault{Error: "invalid_blocks"})
	r.command("UALICE", "/followup", "me send the deck by tomorrow")
	if n := len(r.responses()); n != 2 {
		t.Errorf("response_url posts = %d, want 2 (the refused one, then text)", n)
	}
	replies := privateReplies(r.harness, "UALICE")
	if len(replies) != 1 || replies[0].Blocks != nil || !strings.Contains(replies[0].Text, "send the deck") {
		t.Fatalf("private replies = %+v, want the confirmation as plain text", replies)
	}
}
