package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dataFiles are files that hold people's data and that a person following
// the README can end up with in the checkout: the database that
// `go run ./cmd/rapport` creates (RAPPORT_DB's default is rapport.db in the
// working directory), backups and exports. Neither git nor a Docker build
// may take them.
var dataFiles = []string{
	"rapport.db",
	"cmd/rapport/rapport.db",
	"rapport-backup.db",
	"rapport.db.bak",
	"rapport-export.json",
	"rapport-my-data.json",
}

// buildOutputs are files that `go build` and `go test -c` leave behind.
var buildOutputs = []string{"rapport", "rapport.test", "cmd/rapport/rapport.test", "cpu.prof"}

// sourceFiles must stay in git and in the Docker build context.
var sourceFiles = []string{
	"go.mod", "go.sum", "cmd/rapport/main.go", "bot/bot.go", "store/store.go",
	"scheduler/scheduler.go", "manifest.yml", "bot/testdata/coffee_cant.golden.json",
	"cmd/rapport/testdata/sandbox_week.golden",
}

func TestRunLeavesNothingForGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := filepath.Join("..", "..")
	ignored := func(path string) bool {
		cmd := exec.Command("git", "check-ignore", "--no-index", "-q", path)
		cmd.Dir = root
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return false
		}
		if err != nil {
			t.Skipf("git check-ignore: %v (not a git checkout?)", err)
		}
		return true
	}
	for _, p := range append(append([]string{}, dataFiles...), buildOutputs...) {
		if !ignored(p) {
			t.Errorf(".gitignore does not cover %s", p)
		}
	}
	for _, p := range sourceFiles {
		if ignored(p) {
			t.Errorf(".gitignore covers %s, which belongs in the repository", p)
		}
	}
}

func TestRunLeavesNothingForDocker(t *testing.T) {
	ignore := readDockerignore(t, filepath.Join("..", "..", ".dockerignore"))
	for _, p := range append(append([]string{".git", ".git/HEAD"}, dataFiles...), buildOutputs...) {
		if !ignore.excludes(p) {
			t.Errorf(".dockerignore does not keep %s out of the build context (the Dockerfile copies everything with COPY . .)", p)
		}
	}
	for _, p := range sourceFiles {
		if ignore.excludes(p) {
			t.Errorf(".dockerignore keeps %s out of the build context, but the build needs it", p)
		}
	}
}

// dockerignore is the pattern list of a .dockerignore file. Docker matches
// each pattern from the root of the context with filepath.Match rules plus
// "**" (any number of directories); a file is out if the last pattern
// that matches it, or one of its parent directories, is not a "!" one.
type dockerignore []struct {
	re     *regexp.Regexp
	negate bool
}

func readDockerignore(t *testing.T, path string) dockerignore {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the repository needs a .dockerignore, because the Dockerfile copies the checkout with COPY . .: %v", err)
	}
	defer f.Close()
	var d dockerignore
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		negate := strings.HasPrefix(line, "!")
		line = strings.TrimPrefix(strings.TrimPrefix(line, "!"), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case strings.HasPrefix(line[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(line[i:], "**"):
				re.WriteString(".*")
				i++
			case c == '*':
				re.WriteString("[^/]*")
			case c == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("$")
		d = append(d, struct {
			re     *regexp.Regexp
			negate bool
		}{regexp.MustCompile(re.String()), negate})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d dockerignore) excludes(path string) bool {
	out := false
	for _, p := range d {
		// The path itself or any directory above it.
		for prefix := path; ; {
			if p.re.MatchString(prefix) {
				out = !p.negate
				break
			}
			i := strings.LastIndex(prefix, "/")
			if i < 0 {
				break
			}
			prefix = prefix[:i]
		}
	}
	return out
}
