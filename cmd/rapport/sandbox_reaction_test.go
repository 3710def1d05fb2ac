package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Ensure the scripted reaction shows a kudos started by a :trophy:
// reaction: the private question with its field, the cancel when the
// reaction is removed, the kudos posted in the message's thread once
// answered, and the private note for a reaction to one's own message.
func TestSandboxReaction(t *testing.T) {
	got := runLongScript(t, "sandbox_reaction.txt")
	for _, want := range []string{
		"What did @maya do?",
		"so this kudos is cancelled",
		"Rapport in #general, in a thread",
		"@alex gave kudos to @maya",
		"hunting down the race in the checkout fixture",
		"Kudos sent to @maya",
		"your own message. Kudos are for thanking others",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
	compareGolden(t, got, filepath.Join("testdata", "sandbox_reaction.golden"))
}
