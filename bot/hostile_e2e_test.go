package bot_test

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// Ensure hostile text gets a clear private reply from every command: never
// a crash, never "something went wrong", never a live mass mention.
func TestHostileText(t *testing.T) {
	h, _ := startKudosBot(t, kudosSetup{})
	inputs := []string{
		strings.Repeat("a", 4000),
		"\u200b\u200b\u200b",
		"\u202eevil\u202c <@UBOB> for the \u200ffix\u200e today",
		"<<<@UBOB>>> for the fix <",
		"<@UBOB for the fix",
		"&amp;&lt;&gt;&amp;amp; <!channel>",
		"🎉🎉🎉 🙏",
		"\x00\x01\x1b[31m",
		"<!everyone> <!here|here> <!subteam^S1|@all>",
	}
	for _, command := range []string{"/kudos", "/followup", "/coffee", "/checkin", "/rapport"} {
		for _, text := range inputs {
			before, modals := len(h.responses()), len(h.slack.CallsTo("views.open"))
			ctx := h.ctx()
			ack, err := h.slack.SlashCommand(ctx, slack.SlashCommand{Command: command, Text: text, UserID: "UALICE", ChannelID: "CGENERAL"})
			if err != nil {
				t.Fatal(err)
			}
			h.markSent(ack.EnvelopeID)
			h.waitHandled(ctx, ack.EnvelopeID)
			rs := h.responses()[before:]
			if len(rs) == 0 {
				// Text that is only invisible characters is an empty
				// command: its form opens instead of a reply.
				if len(h.slack.CallsTo("views.open")) == modals {
					t.Errorf("%s %q: no reply and no form", command, shorten(text))
				}
				continue
			}
			for _, r := range rs {
				body := r.Params["text"] + readable(r.Params["blocks"])
				if strings.Contains(body, "Something went wrong") || strings.Contains(body, "Sorry, something went wrong") {
					t.Errorf("%s %q: internal error reply %q", command, shorten(text), shorten(body))
				}
				for _, bad := range []string{"<!channel>", "<!here", "<!everyone>", "<!subteam"} {
					if strings.Contains(body, bad) {
						t.Errorf("%s %q: reply holds a live %s", command, shorten(text), bad)
					}
				}
			}
		}
	}
	for _, m := range h.slack.Messages("CGENERAL") {
		if strings.Contains(m.Text+readable(string(m.Blocks)), "<!channel>") {
			t.Errorf("a live mass mention was posted: %q", shorten(m.Text))
		}
	}
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
