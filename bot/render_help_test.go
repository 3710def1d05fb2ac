package bot

import (
	"encoding/json"
	"log/slog"
	"testing"
)

// Ensure the help New renders and encodes once is exactly a fresh render
// and encoding, so a later change to the renderer, the route table or the
// encoder cannot leave a stale help behind.
func TestCannedHelpIsAFreshRender(t *testing.T) {
	b, err := New(nil, nil, nil, Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	fresh := b.helpResponse()
	want, err := encodeResponse(fresh)
	if err != nil {
		t.Fatalf("encode fresh help: %v", err)
	}
	if string(b.help.body) != string(want) {
		t.Errorf("canned help body =\n%s\nwant a fresh encoding\n%s", b.help.body, want)
	}
	// The DM and the fallbacks use the text and blocks themselves.
	gotBlocks, err := json.Marshal(b.help.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	wantBlocks, err := json.Marshal(fresh.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if string(gotBlocks) != string(wantBlocks) || b.help.Text != fresh.Text {
		t.Errorf("canned help = %q %s, want a fresh render %q %s", b.help.Text, gotBlocks, fresh.Text, wantBlocks)
	}
}
