package bot

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// The seed corpora are committed in testdata/fuzz/FuzzTokenize and
// testdata/fuzz/FuzzParseKudos (inputs from the table tests). A crash found
// by fuzzing becomes a table case in parse_test.go.

var (
	userIDPattern  = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
	groupIDPattern = regexp.MustCompile(`^S[A-Z0-9]+$`)
	valuePattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// withoutBlanks drops the characters tokenize separates words with.
func withoutBlanks(s string) string {
	return strings.Map(func(r rune) rune {
		if isTokenSpace(r) {
			return -1
		}
		return r
	}, s)
}

func FuzzTokenize(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		toks := tokenize(text)
		var raws []string
		pos := 0
		for _, tk := range toks {
			// Tokens are in order, do not overlap, and are exactly the text
			// they came from; only blanks lie between them.
			if tk.start < pos || tk.end <= tk.start || tk.end > len(text) || text[tk.start:tk.end] != tk.raw {
				t.Fatalf("tokenize(%q): token %+v is not text[%d:%d] after offset %d", text, tk, tk.start, tk.end, pos)
			}
			if gap := text[pos:tk.start]; withoutBlanks(gap) != "" {
				t.Fatalf("tokenize(%q): non-blank text %q between tokens", text, gap)
			}
			pos = tk.end
			raws = append(raws, tk.raw)

			switch tk.kind {
			case tokUserMention:
				if !userIDPattern.MatchString(tk.id) {
					t.Fatalf("tokenize(%q): user mention %q has ID %q", text, tk.raw, tk.id)
				}
				if id, ok := parseUserMention(tk.raw); !ok || id != tk.id {
					t.Fatalf("parseUserMention(%q) = %q, %v, want %q, true", tk.raw, id, ok, tk.id)
				}
			case tokGroupMention:
				if !groupIDPattern.MatchString(tk.id) {
					t.Fatalf("tokenize(%q): group mention %q has ID %q", text, tk.raw, tk.id)
				}
			case tokWord:
				// Only an opaque <!…> special (which has an id) may hold blanks.
				if tk.id == "" && strings.IndexFunc(tk.raw, isTokenSpace) >= 0 {
					t.Fatalf("tokenize(%q): word %q contains a blank", text, tk.raw)
				}
			}
			if tk.kind != tokUserMention {
				if _, ok := parseUserMention(tk.raw); ok {
					t.Fatalf("parseUserMention(%q) = ok for a %v token", tk.raw, tk.kind)
				}
			}
			// A token read on its own is the same single token.
			again := tokenize(tk.raw)
			if len(again) != 1 || again[0].kind != tk.kind || again[0].raw != tk.raw || again[0].id != tk.id || again[0].label != tk.label {
				t.Fatalf("tokenize(%q) = %+v, want the token %+v back, from %q", tk.raw, again, tk, text)
			}
		}
		if gap := text[pos:]; withoutBlanks(gap) != "" {
			t.Fatalf("tokenize(%q): non-blank text %q after the last token", text, gap)
		}
		// Reassembling loses no non-blank character.
		if got, want := withoutBlanks(strings.Join(raws, " ")), withoutBlanks(text); got != want {
			t.Fatalf("tokenize(%q) reassembled = %q, want %q", text, got, want)
		}

		// The counting helpers work on any text, and never count more than
		// there is.
		if n := wordCount(text); n < 0 || n > len(toks) {
			t.Fatalf("wordCount(%q) = %d, want 0..%d", text, n, len(toks))
		}
		if n, max := plainLength(text), utf8.RuneCountInString(text); n < 0 || n > max {
			t.Fatalf("plainLength(%q) = %d, want 0..%d", text, n, max)
		}
	})
}

func FuzzParseKudos(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := parseKudos(text)
		if err != nil {
			var ue *userError
			if !errors.As(err, &ue) || ue.msg == "" {
				t.Fatalf("parseKudos(%q) error = %v, want a *userError", text, err)
			}
			return
		}
		for _, id := range cmd.users {
			if !userIDPattern.MatchString(id) {
				t.Fatalf("parseKudos(%q).users has %q, want %v", text, id, userIDPattern)
			}
		}
		for _, id := range cmd.groups {
			if !groupIDPattern.MatchString(id) {
				t.Fatalf("parseKudos(%q).groups has %q, want %v", text, id, groupIDPattern)
			}
		}
		for _, v := range cmd.values {
			if !valuePattern.MatchString(v) {
				t.Fatalf("parseKudos(%q).values has %q, want %v", text, v, valuePattern)
			}
		}
		for _, list := range [][]string{cmd.users, cmd.groups, cmd.values} {
			seen := map[string]bool{}
			for _, s := range list {
				if seen[s] {
					t.Fatalf("parseKudos(%q) = %+v: %q is listed twice", text, cmd, s)
				}
				seen[s] = true
			}
		}
		if utf8.ValidString(text) && !utf8.ValidString(cmd.reason) {
			t.Fatalf("parseKudos(%q).reason = %q, not valid UTF-8", text, cmd.reason)
		}
		// The reason is cut from the text as typed.
		if !strings.Contains(text, cmd.reason) || cmd.reason != strings.TrimFunc(cmd.reason, isTokenSpace) {
			t.Fatalf("parseKudos(%q).reason = %q, want a trimmed part of the input", text, cmd.reason)
		}

		switch cmd.kind {
		case kudosOpenModal, kudosHelp:
			if cmd.users != nil || cmd.groups != nil || cmd.reason != "" || cmd.values != nil || cmd.period != "" {
				t.Fatalf("parseKudos(%q) = %+v, want no arguments for %v", text, cmd, cmd.kind)
			}
		case kudosTop:
			if kudosPeriods[cmd.period] != cmd.period {
				t.Fatalf("parseKudos(%q).period = %q, want week, month, year or all", text, cmd.period)
			}
		case kudosShow:
			if len(cmd.users) != 1 || cmd.groups != nil || cmd.reason != "" || cmd.values != nil {
				t.Fatalf("parseKudos(%q) = %+v, want one user and nothing else", text, cmd)
			}
		case kudosGive:
			if len(cmd.users)+len(cmd.groups) == 0 || cmd.period != "" {
				t.Fatalf("parseKudos(%q) = %+v, want recipients and no period", text, cmd)
			}
		default:
			t.Fatalf("parseKudos(%q).kind = %v", text, cmd.kind)
		}

		_ = wordCount(cmd.reason)
		if n, max := plainLength(cmd.reason), utf8.RuneCountInString(cmd.reason); n > max {
			t.Fatalf("plainLength(%q) = %d, want at most %d", cmd.reason, n, max)
		}
	})
}
