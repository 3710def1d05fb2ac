package bot

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure no message text is built with Slack's "<!date^…>" tokens: Slack
// renders them in the reader's Slack profile zone, which differs from the
// zone Rapport uses for them once they choose one in Settings. Times go
// through localWhen, localClock and localDate with the reader's zone.
func TestNoSlackDateTokens(t *testing.T) {
	fset := gotoken.NewFileSet()
	files, err := filepath.Glob("*.go") // this package's files; bot/slacktest is the fake Slack, which renders tokens
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == gotoken.STRING && strings.Contains(lit.Value, "<!date^") {
				t.Errorf("%s: a Slack date token in %s; write the time with localWhen, localClock or localDate in the reader's zone", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
}
