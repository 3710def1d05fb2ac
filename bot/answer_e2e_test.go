package bot_test

import (
	"strings"
	"testing"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// refuseEveryAnswer makes the fake Slack refuse, once each, every way the
// bot has to answer a person privately: the response_url, an ephemeral
// message in the channel, and opening a DM.
func refuseEveryAnswer(srv *slacktest.Server) {
	srv.InjectFaults("response_url", slacktest.Fault{Error: "expired_url"})
	srv.InjectFaults("chat.postEphemeral", slacktest.Fault{Error: "channel_not_found"})
	srv.InjectFaults("conversations.open", slacktest.Fault{Error: "user_not_found"})
}

// Ensure an answer that Slack refuses every way is an error of the handler,
// logged once by the dispatcher with each way's reason, and that the person
// then hears that something went wrong, instead of the bot carrying on as if they had been
// answered. Both a slash command and a button are covered.
func TestRefusedAnswerIsAHandlerError(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  func(h *harness)
	}{
		{"slash command", func(h *harness) { h.command("UALICE", "/rapport", "style") }},
		{"button", func(h *harness) { h.click("UALICE", "CGENERAL", "reconnect_later", "UBOB") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := newLogWatch()
			h := startBot(t, withLog(logs))
			refuseEveryAnswer(h.slack)
			tc.act(h)

			line := logs.waitLine(h.ctx(), t, "level=ERROR", "handler failed", "user=UALICE")
			for _, why := range []string{"response_url", "expired_url", "ephemeral in CGENERAL", "channel_not_found", "by DM", "user_not_found"} {
				if !strings.Contains(line, why) {
					t.Errorf("the logged error does not say %q:\n%s", why, line)
				}
			}
			if n := strings.Count(logs.String(), "handler failed"); n != 1 {
				t.Errorf("%d \"handler failed\" lines, want 1:\n%s", n, logs)
			}
			// The faults are used up: the dispatcher's notice goes through.
			if _, text := h.lastResponse(); !strings.Contains(text, "Something went wrong on my side") {
				t.Errorf("last response_url reply = %q, want the notice that something went wrong", text)
			}
		})
	}
}

// Ensure a refused response_url still answers the person, ephemerally in the
// channel, without failing the handler, and that the refusal is logged.
func TestRefusedResponseURLFallsBackToEphemeral(t *testing.T) {
	logs := newLogWatch()
	h := startBot(t, withLog(logs))
	h.slack.InjectFaults("response_url", slacktest.Fault{Error: "expired_url"})
	h.command("UALICE", "/rapport", "style")

	var got []string
	for _, m := range h.slack.Messages("CGENERAL") {
		if m.Ephemeral && m.User == "UALICE" {
			got = append(got, m.Text)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "You haven't shared a work style yet") {
		t.Errorf("ephemeral answers to Alice = %q, want the work-style answer once", got)
	}
	logs.waitLine(h.ctx(), t, "level=WARN", "answered another way", "user=UALICE", "expired_url")
	if strings.Contains(logs.String(), "handler failed") {
		t.Errorf("a handler failed although Alice was answered:\n%s", logs)
	}
}
