package bot

import (
	"encoding/json"
	"log/slog"
	"testing"
)

// Ensure the help and each command's own help, which New renders and
// encodes once, are exactly a fresh render and encoding, so a later change
// to the renderer, the route table or the encoder cannot leave a stale help
// behind.
func TestCannedHelpIsAFreshRender(t *testing.T) {
	b, err := New(nil, nil, nil, Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	checkCanned(t, "/rapport help", b.help, b.helpResponse())
	commands := b.routes.commands()
	if len(b.usage) != len(commands) {
		t.Errorf("%d commands have a canned help, want all %d", len(b.usage), len(commands))
	}
	for _, rt := range commands {
		u, ok := b.usage[rt.id]
		if !ok {
			t.Errorf("%s has no canned help", rt.id)
			continue
		}
		checkCanned(t, rt.id+" help", u, usageResponse(rt))
	}
}

func checkCanned(t *testing.T, name string, got, fresh response) {
	t.Helper()
	want, err := encodeResponse(fresh)
	if err != nil {
		t.Fatalf("encode fresh %s: %v", name, err)
	}
	if string(got.body) != string(want) {
		t.Errorf("canned %s body =\n%s\nwant a fresh encoding\n%s", name, got.body, want)
	}
	// The DM and the fallbacks use the text and blocks themselves.
	gotBlocks, err := json.Marshal(got.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	wantBlocks, err := json.Marshal(fresh.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if string(gotBlocks) != string(wantBlocks) || got.Text != fresh.Text {
		t.Errorf("canned %s = %q %s, want a fresh render %q %s", name, got.Text, gotBlocks, fresh.Text, wantBlocks)
	}
}
