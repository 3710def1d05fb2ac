package bot_test

import (
	"strings"
	"testing"
)

// Ensure every command that needs a person answers a name Slack did not
// link, and a name Slack does not know, with the same words, privately,
// and changes nothing.
func TestUnknownPersonGetsOneAnswer(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	const typed = "I can't find @nobody in this workspace."
	for _, tt := range []struct{ command, text string }{
		{"/kudos", "@nobody for the help with the release"},
		{"/followup", "@nobody send the deck by friday"},
		{"/checkin", "@nobody moving to Berlin"},
		{"/checkin", "stop @nobody"},
		{"/checkin", "every 30 days @nobody"},
		{"/coffee", "never @nobody"},
	} {
		h.command("UALICE", tt.command, tt.text)
		kind, content := h.lastResponse()
		if kind != "ephemeral" || !strings.HasPrefix(content, typed) || !strings.Contains(content, "Nothing was changed.") {
			t.Errorf("%s %s: %s reply %q, want it to start %q", tt.command, tt.text, kind, content, typed)
		}
	}
	const linked = "I can't find <@UNOBODY1> in this workspace."
	for _, tt := range []struct{ command, text string }{
		{"/kudos", "<@UNOBODY1> for the help with the release"},
		{"/followup", "<@UNOBODY1> send the deck by friday"},
		{"/checkin", "<@UNOBODY1> moving to Berlin"},
	} {
		h.command("UALICE", tt.command, tt.text)
		if _, content := h.lastResponse(); !strings.HasPrefix(content, linked) {
			t.Errorf("%s %s: reply %q, want it to start %q", tt.command, tt.text, content, linked)
		}
	}
	if fs, _ := h.db.FollowupsOwnedBy("UALICE"); len(fs) != 0 {
		t.Errorf("follow-ups saved for nobody: %d", len(fs))
	}
}

// Ensure the history with someone says how you were last in touch in
// words, not the stored label.
func TestLastContactInWords(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	h.checkin("UALICE", "<@UBOB|bob> moving to Berlin in March")
	got := h.checkin("UALICE", "<@UBOB>")
	if !strings.Contains(got, "(you reached out)") || strings.Contains(got, "(checkin)") {
		t.Errorf("history = %q, want the last contact as \"you reached out\"", got)
	}
}
