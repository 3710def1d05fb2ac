package bot

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// massMention matches Slack's broadcast and user-group mention tokens:
// <!here>, <!channel>, <!everyone> (with an optional |label) and
// <!subteam^S123> or <!subteam^S123|@design>.
var massMention = regexp.MustCompile(`<!(here|channel|everyone|subteam\^[A-Za-z0-9]+)(\|([^>]*))?>`)

// neutraliseMentions rewrites every broadcast or user-group mention in s as
// plain text that pings nobody. A zero-width space after the "@" keeps Slack
// from turning it back into a mention, while people still read "@here".
//
// It is applied once, by the sender, to every outgoing text, so no code path
// can post a live mass mention taken from user input.
func neutraliseMentions(s string) string {
	if !strings.Contains(s, "<!") {
		return s
	}
	return massMention.ReplaceAllStringFunc(s, func(tok string) string {
		m := massMention.FindStringSubmatch(tok)
		name := m[1]
		if strings.HasPrefix(name, "subteam^") {
			name = strings.TrimPrefix(m[3], "@")
			if name == "" {
				name = "group"
			}
		}
		return "@\u200b" + name
	})
}

// escapeText escapes the three characters Slack treats as control characters
// in message text. Use it on user-written fragments that did not come from
// Slack already escaped (for example, modal input), before they are placed in
// mrkdwn next to the bot's own mentions.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// trimRightEscaped trims the runes for which drop is true from the end of
// Slack-escaped text s, and stops at an entity (&amp; &lt; &gt;) or the end
// of a <…> token: their ';' and '>' are what the person typed, not
// punctuation to tidy away ("ship it -> prod >" must keep its "&gt;").
func trimRightEscaped(s string, drop func(rune) bool) string {
	for s != "" {
		if strings.HasSuffix(s, ">") || strings.HasSuffix(s, "&amp;") || strings.HasSuffix(s, "&lt;") || strings.HasSuffix(s, "&gt;") {
			return s
		}
		r, size := utf8.DecodeLastRuneInString(s)
		if !drop(r) {
			return s
		}
		s = s[:len(s)-size]
	}
	return s
}

// isTrailingPunct is the punctuation a word may end with that is not part of
// a name or a #value ("@bob," "#teamwork!").
func isTrailingPunct(r rune) bool { return strings.ContainsRune(".,;:!?", r) }
