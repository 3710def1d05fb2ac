package bot

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store/storetest"
)

// FuzzRenderUserText renders user text the way the bot posts it (kudos,
// follow-ups) and checks what reaches Slack: valid JSON, within Slack's
// limits, never a live mass mention once the sender has neutralised it.
func FuzzRenderUserText(f *testing.F) {
	for _, s := range []string{
		"for untangling the deploy", "<!here> <!channel> <!everyone|all>", "<!subteam^S1|@design> thanks",
		"&lt;script&gt; &amp; friends", "\u200b\u202e\u0000\x7f", strings.Repeat("long ", 300), "🎉🎉🎉", "<@U1|a> <#C1|b> <https://x.io|c>",
		"unbalanced < > <<< >>>", "*bold* _it_ ~s~ `code` ```block```",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		k := kudosPost{Giver: "U1", Receivers: []string{"U2", "U3"}, Reason: text, Values: []string{"teamwork"}, Channel: "C1"}
		renders := map[string][]slack.Block{}
		_, renders["post"] = renderKudosPost(k)
		_, renders["dm"] = renderKudosDM(k, "U2")
		_, renders["share"] = renderKudosShare(k)
		for name, blocks := range renders {
			safe, err := prepareBlocks(blocks)
			if err != nil {
				t.Fatalf("%s: neutralise: %v", name, err)
			}
			raw, err := json.Marshal(slack.Blocks{BlockSet: safe})
			if err != nil {
				t.Fatalf("%s: not JSON: %v", name, err)
			}
			if len(safe) > 50 || len(raw) > 40_000 {
				t.Fatalf("%s: %d blocks, %d bytes: over Slack's limits", name, len(safe), len(raw))
			}
			var tree any
			if err := json.Unmarshal(raw, &tree); err != nil {
				t.Fatalf("%s: invalid JSON: %v", name, err)
			}
			var live bool
			mapStrings(tree, func(s string) string {
				live = live || massMention.MatchString(s)
				return s
			})
			if live {
				t.Fatalf("%s: a live mass mention reaches Slack: %s", name, raw)
			}
		}
		if m := neutraliseMentions(text); massMention.MatchString(m) {
			t.Fatalf("neutraliseMentions(%q) = %q, still a mass mention", text, m)
		}
	})
}

// FuzzInteractionPayload decodes arbitrary interaction payloads the way the
// socket client does and prepares them for dispatch: no panic, and a view
// submission's ack payload (field errors) stays valid JSON under the 20 KB
// ack limit.
func FuzzInteractionPayload(f *testing.F) {
	for _, s := range []string{
		`{"type":"block_actions","user":{"id":"U1"},"actions":[{"type":"button","block_id":"b","action_id":"followup_done","value":"1"}]}`,
		`{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"kudos_modal","private_metadata":"{\"channel\":\"C1\"}","state":{"values":{"kudos_reason":{"reason":{"type":"plain_text_input","value":"hi"}}}}}}`,
		`{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"settings_modal","state":{"values":{}}}}`,
		`{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"followup_modal","private_metadata":"x","state":{"values":{"followup_date":{"date":{"selected_date":"2026-13-40"}}}}}}`,
		`{"type":"message_action","callback_id":"kudos_shortcut","message":{"user":"U2","ts":"1.2"},"team":{"domain":"a b"}}`,
		`{"type":"block_actions","actions":[{"action_id":"coffee_met","value":"::::"}]}`,
		`{}`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	b, err := New(nil, nil, storetest.MustOpen(f), Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var cb slack.InteractionCallback
		if err := json.Unmarshal(raw, &cb); err != nil {
			return // the socket client reports it as undecodable and the bot acks it
		}
		_, payload := b.prepareInteraction("envelope:x", &cb)
		if payload != nil {
			out, err := json.Marshal(payload)
			if err != nil || len(out) >= 20*1024 {
				t.Fatalf("ack payload invalid or too big (%d bytes): %v", len(out), err)
			}
		}
	})
}
