package main

import (
	"fmt"
	"go/parser"
	gotoken "go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/rapport-bot/rapport/bot"
)

// repoRoot is the checkout, seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

// userDocs are the Markdown files a user or contributor reads: the README
// and every page under docs/.
func userDocs(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(repoRoot, "README.md")}, docs...)
}

// mdLink is an inline Markdown link or image: [text](target) or
// [text](target "title").
var mdLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)

var (
	codeSpan  = regexp.MustCompile("`[^`]*`")
	urlScheme = regexp.MustCompile(`^[a-z][a-z0-9+.-]*:`)
)

// proseLines returns the lines of a Markdown file outside fenced code
// blocks, with inline code spans blanked, so that a link shown as code is
// not taken for one.
func proseLines(text string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			out = append(out, "")
			continue
		}
		if fenced {
			out = append(out, "")
			continue
		}
		out = append(out, codeSpan.ReplaceAllString(line, "``"))
	}
	return out
}

// anchors returns the heading anchors GitHub gives a Markdown file: the
// heading in lower case, without punctuation, spaces as hyphens, and -1,
// -2, … after a repeated one.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, line := range proseLines(text) {
		h := strings.TrimLeft(line, "#")
		if h == line || !strings.HasPrefix(h, " ") || len(line)-len(h) > 6 {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(h)) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// TestReadmeLinksResolve fails on a relative link in the README or docs/
// whose file, or heading in a Markdown file, does not exist: everything a
// user or contributor is sent to must be in the repository.
func TestReadmeLinksResolve(t *testing.T) {
	checked := 0
	for _, doc := range userDocs(t) {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(repoRoot, doc)
		for n, line := range proseLines(string(text)) {
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if urlScheme.MatchString(target) {
					continue // https:, mailto:: not a file of the repository
				}
				checked++
				file, anchor, _ := strings.Cut(target, "#")
				where := fmt.Sprintf("%s:%d: link %q", name, n+1, target)
				resolved := doc
				if file != "" {
					if path.IsAbs(file) {
						t.Errorf("%s: use a path relative to %s", where, name)
						continue
					}
					resolved = filepath.Join(filepath.Dir(doc), filepath.FromSlash(file))
					if rel, err := filepath.Rel(repoRoot, resolved); err != nil || strings.HasPrefix(rel, "..") {
						t.Errorf("%s: points outside the repository", where)
						continue
					}
					if _, err := os.Stat(resolved); err != nil {
						t.Errorf("%s: no such file in the repository", where)
						continue
					}
				}
				if anchor == "" || !strings.HasSuffix(resolved, ".md") {
					continue
				}
				body, err := os.ReadFile(resolved)
				if err != nil {
					t.Errorf("%s: %v", where, err)
					continue
				}
				if !anchors(string(body))[anchor] {
					t.Errorf("%s: no heading with the anchor #%s", where, anchor)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no relative links at all: the link pattern is broken")
	}
}

// repoPath is a code span naming a file of the repository: a path under
// one of the top-level folders, ending in a file name with an extension
// (`bot/coffee_rounds.go`, `docs/glossary.md`) or in a folder's slash
// (`bot/slacktest/`), optionally with a glob star in the name
// (`bot/coffee*.go`).
var repoPath = regexp.MustCompile("`((?:cmd|bot|store|scheduler|docs|\\.ci)/[A-Za-z0-9_./*-]*(?:\\.[a-z]+|/))`")

// TestDocsNameOnlyExistingFiles fails when the README or docs/ name, as
// code, a file or folder of the repository that does not exist: a page
// that says where something lives must not send a reader to a file that
// was moved or deleted.
func TestDocsNameOnlyExistingFiles(t *testing.T) {
	checked := 0
	for _, doc := range userDocs(t) {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(repoRoot, doc)
		fenced := false
		for n, line := range strings.Split(string(text), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				fenced = !fenced
				continue
			}
			if fenced {
				continue // examples of commands, transcripts
			}
			for _, m := range repoPath.FindAllStringSubmatch(line, -1) {
				checked++
				matches, err := filepath.Glob(filepath.Join(repoRoot, filepath.FromSlash(strings.TrimSuffix(m[1], "/"))))
				if err != nil || len(matches) == 0 {
					t.Errorf("%s:%d: %s names %q, which is not in the repository", name, n+1, name, m[1])
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no file names at all: the pattern is broken")
	}
}

// outsideFiles are the names of developer notes kept outside the
// repository. Built from parts so that this file does not name them itself.
var outsideFiles = regexp.MustCompile(strings.Join([]string{
	`\b` + "DES" + `IGN\b`,
	`\b` + "STY" + `LE\.md\b`,
	`\b` + "PLAT" + `FORM(\.md)?\b`,
	`\b` + "HA" + `\.md\b`,
	`\b` + "ANCH" + `ORS(\.md)?\b`,
	`\.\./` + "sha" + `red\b`,
	`/work/` + "sha" + `red\b`,
}, "|"))

// TestReadmeNamesNoOutsideFiles fails when the README, docs/, code, tests,
// the manifest or the Dockerfile send the reader to a file that is not in
// the repository: state the fact instead.
func TestReadmeNamesNoOutsideFiles(t *testing.T) {
	scanned := 0
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || (strings.HasPrefix(d.Name(), ".") && d.Name() != "." && d.Name() != ".." && d.Name() != ".ci") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(p)
		if !slices.Contains([]string{".go", ".md", ".yml", ".yaml", ".txt", ".golden"}, ext) &&
			d.Name() != "Dockerfile" && !strings.HasPrefix(p, filepath.Join(repoRoot, ".ci")) {
			return nil
		}
		text, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		scanned++
		rel, _ := filepath.Rel(repoRoot, p)
		for n, line := range strings.Split(string(text), "\n") {
			if m := outsideFiles.FindString(line); m != "" {
				t.Errorf("%s:%d names %q, which is not in the repository: state the fact itself\n\t%s", rel, n+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 50 {
		t.Fatalf("scanned only %d files: the walk is broken", scanned)
	}
}

// configRow is one row of a configuration table: | `VAR` | `-flag` | default | meaning |.
var configRow = regexp.MustCompile("(?m)^\\| `([A-Z][A-Z0-9_]+)` \\| `-([a-z0-9-]+)` \\| ([^|]+) \\|")

// TestReadmeDocumentsEveryVariable keeps the configuration tables of the
// README and docs/configuration.md equal to the settings in config.go,
// which are the truth: every variable, its flag and its default.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	all := concat(slackSettings, storeSettings, botSettings, opsSettings)
	byEnv := map[string]setting{}
	for _, s := range all {
		byEnv[s.env] = s
	}
	for _, doc := range []string{"README.md", filepath.Join("docs", "configuration.md")} {
		text, err := os.ReadFile(filepath.Join(repoRoot, doc))
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]bool{}
		for _, m := range configRow.FindAllStringSubmatch(string(text), -1) {
			env, flagName, def := m[1], m[2], strings.TrimSpace(m[3])
			rows[env] = true
			s, ok := byEnv[env]
			switch {
			case !ok:
				t.Errorf("%s documents %s, which config.go does not read", doc, env)
				continue
			case flagName != s.flag:
				t.Errorf("%s: %s has the flag -%s, not -%s", doc, env, s.flag, flagName)
			}
			want := "`" + s.def + "`"
			switch {
			case s.def == "" && strings.HasSuffix(s.env, "_TOKEN") && strings.HasPrefix(s.env, "SLACK_"):
				want = "required"
			case s.def == "":
				want = "empty"
			}
			if def != want {
				t.Errorf("%s: %s defaults to %s, not %s", doc, env, want, def)
			}
		}
		for _, s := range all {
			if !rows[s.env] {
				t.Errorf("%s has no row for %s (-%s, default %q)", doc, s.env, s.flag, s.def)
			}
		}
	}
}

// TestReadmeSetupInvitesTheBot keeps in the set-up what a new user needs
// for the configured channels: Slack lets a bot post only where it is a
// member, and the settings take channel IDs, which Slack does not show
// where people look.
func TestReadmeSetupInvitesTheBot(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, setup, _ := strings.Cut(string(readme), "### Create the Slack app")
	setup, _, _ = strings.Cut(setup, "\n## ")
	for _, want := range []string{"/invite @rapport", "RAPPORT_KUDOS_CHANNEL", "RAPPORT_COFFEE_CHANNEL", "*About* tab", "**Copy link**"} {
		if !strings.Contains(setup, want) {
			t.Errorf("the README's set-up does not say %q", want)
		}
	}
}

// TestReadmeStopBound keeps the README's promise about SIGTERM true: the
// stop time it states is stopBound, and the bounds the shutdown waits for
// one after the other (the bot's handler grace, its wait for cancelled
// handlers, the scheduler's and ops listener's budget) add up to no more.
func TestReadmeStopBound(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`closes the database\s+within (\d+) seconds`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("the README no longer says within how many seconds a stop closes the database")
	}
	if promised := string(m[1]) + "s"; promised != stopBound.String() {
		t.Errorf("the README promises a stop within %s, the code's stopBound is %v", promised, stopBound)
	}
	if worst := bot.AckFlush + handlerGrace + bot.CancelWait + stopBudget; worst > stopBound {
		t.Errorf("worst-case stop = acks flushed %v + handler grace %v + cancelled handlers %v + scheduler and ops %v = %v, more than the promised %v",
			bot.AckFlush, handlerGrace, bot.CancelWait, stopBudget, worst, stopBound)
	}
}

// allowedImports is the package table of docs/architecture.md: for each
// package of the module, the module packages it may import (tests
// excluded). nil means any. The arrows point one way: the store and the
// fake Slack know nothing of the bot, pairing is pure, and the scheduler
// knows nothing of what its jobs do.
var allowedImports = map[string][]string{
	"cmd/rapport":     nil,
	"bot":             {"store", "bot/pairing"},
	"bot/pairing":     {},
	"bot/slacktest":   {},
	"store":           {},
	"store/storetest": {"store", "store/etcdtest"},
	"store/etcdtest":  {},
	"scheduler":       {},
}

// TestPackageImports keeps the package table of docs/architecture.md true:
// it fails when a package imports a module package outside its row, or
// when a package has no row (add one to the table and to the page).
func TestPackageImports(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no module line")
	}
	module := string(m[1])
	imports := map[string]map[string]bool{} // package dir -> module packages it imports
	err = filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != repoRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(gotoken.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" && !strings.HasPrefix(filepath.ToSlash(p), filepath.ToSlash(filepath.Join(repoRoot, "cmd"))) {
			return nil // a go:generate program beside a package, not part of it
		}
		dir, _ := filepath.Rel(repoRoot, filepath.Dir(p))
		dir = filepath.ToSlash(dir)
		if imports[dir] == nil {
			imports[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if rest, ok := strings.CutPrefix(path, module+"/"); ok {
				imports[dir][rest] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bot", "store", "scheduler", "bot/pairing"} {
		if imports[want] == nil {
			t.Fatalf("found no package %s: the walk is broken", want)
		}
	}
	page, err := os.ReadFile(filepath.Join(repoRoot, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, r := range regexp.MustCompile("(?m)^\\| `([a-z/]+)` \\|").FindAllSubmatch(page, -1) {
		rows[string(r[1])] = true
	}
	for dir := range allowedImports {
		if !rows[dir] {
			t.Errorf("docs/architecture.md's package table has no row for %s", dir)
		}
	}
	for dir := range rows {
		if _, ok := allowedImports[dir]; !ok {
			t.Errorf("docs/architecture.md's package table has a row for %s, which allowedImports does not know", dir)
		}
	}
	for dir, imps := range imports {
		allowed, ok := allowedImports[dir]
		if !ok {
			t.Errorf("package %s has no row in docs/architecture.md's package table (nor in allowedImports)", dir)
			continue
		}
		if allowed == nil {
			continue
		}
		for imp := range imps {
			if !slices.Contains(allowed, imp) {
				t.Errorf("package %s imports %s; docs/architecture.md allows it only %v", dir, imp, allowed)
			}
		}
	}
}
