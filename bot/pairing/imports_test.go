package pairing_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Ensure the package stays pure: everything it imports, directly or not,
// is the standard library (its tests may use more).
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var outside []string
	for _, path := range strings.Fields(string(out)) {
		if path != "github.com/rapport-bot/rapport/bot/pairing" {
			outside = append(outside, path)
		}
	}
	if len(outside) > 0 {
		t.Errorf("pairing imports packages outside the standard library: %v", outside)
	}
}
