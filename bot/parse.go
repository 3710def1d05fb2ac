package bot

// Command-text parsing for /kudos.
//
// /kudos is registered with should_escape: true (manifest.yml), so Slack
// sends people, user groups, channels and links as <…> entities carrying IDs,
// and the three control characters as &amp; &lt; &gt;. The functions here
// are pure (no I/O, no store, no Slack), so they are table-tested and fuzzed;
// rules that need data (minimum words, allowance, bots, self-kudos) belong to
// the caller.

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind says what a token of command text is.
type tokenKind int

const (
	tokWord         tokenKind = iota // text between spaces, or an opaque <!…> special such as <!date^…>
	tokUserMention                   // <@U123> or <@U123|alice>
	tokGroupMention                  // <!subteam^S123> or <!subteam^S123|@design>
	tokBroadcast                     // <!here>, <!channel>, <!everyone>, with an optional |label
	tokChannelRef                    // <#C123|general>, or <#C123|> for a private channel
	tokLink                          // <https://…>, <https://…|text>, <mailto:…|…>
)

func (k tokenKind) String() string {
	switch k {
	case tokWord:
		return "tokWord"
	case tokUserMention:
		return "tokUserMention"
	case tokGroupMention:
		return "tokGroupMention"
	case tokBroadcast:
		return "tokBroadcast"
	case tokChannelRef:
		return "tokChannelRef"
	case tokLink:
		return "tokLink"
	}
	return "tokenKind(?)"
}

// token is one piece of command text. raw is exactly the typed (still
// escaped) text, and start/end locate it in the input, so a caller can cut
// the original text between two tokens and keep its spacing and newlines.
type token struct {
	kind  tokenKind
	raw   string // as typed, still Slack-escaped
	id    string // mention, group or channel ID; a link's URL; a broadcast's or special's name ("here")
	label string // the text after '|' ("" when none), still escaped
	start int    // byte offset of raw in the text
	end   int    // byte offset just after raw
}

// display is what a person sees for the token: an entity shows as its label
// (or its ID when it has none), plain text with &amp; &lt; &gt; decoded.
func (t token) display() string {
	switch {
	case t.label != "":
		return decodeEntities(t.label)
	case t.id != "":
		return t.id
	}
	return decodeEntities(t.raw)
}

// isTokenSpace reports whether r separates words. Besides Unicode white space, it
// treats as blank the invisible characters that people paste (or RTL
// keyboards insert) around mentions: zero-width space, word joiner, BOM and
// the bidi controls. Otherwise "\u200f<@U1>" would hide the mention inside
// a word. ZWJ and ZWNJ are not blank: emoji sequences and scripts such as
// Persian need them inside words.
func isTokenSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\u2060' || r == '\ufeff' ||
		unicode.Is(unicode.Bidi_Control, r)
}

// tokenize splits Slack-escaped command text into tokens. A well-formed <…>
// entity is always one token, even when its label has spaces, and it is cut
// from any text glued to it ("<@U1>," gives a mention and a ","). A '<' that
// does not open a well-formed entity (odd or unescaped input) is an ordinary
// character of a word, so unbalanced brackets never swallow the text after
// them.
func tokenize(text string) []token {
	var toks []token
	wordStart := -1 // byte offset where the current word began, or -1
	flush := func(end int) {
		if wordStart >= 0 {
			toks = append(toks, token{kind: tokWord, raw: text[wordStart:end], start: wordStart, end: end})
			wordStart = -1
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '<' {
			if t, ok := entityAt(text, i); ok {
				flush(i)
				toks = append(toks, t)
				i = t.end
				continue
			}
		}
		if isTokenSpace(r) {
			flush(i)
		} else if wordStart < 0 {
			wordStart = i
		}
		i += size
	}
	flush(len(text))
	return toks
}

// entityAt reads the entity that starts with the '<' at text[i]. The entity
// ends at the first '>'; a second '<' before it means the first one was
// literal. Scanning stops at the next bracket, so tokenizing stays linear.
func entityAt(text string, i int) (token, bool) {
	n := strings.IndexAny(text[i+1:], "<>")
	if n < 0 || text[i+1+n] != '>' {
		return token{}, false
	}
	end := i + 1 + n + 1
	kind, id, label, ok := classifyEntity(text[i+1 : end-1])
	if !ok {
		return token{}, false
	}
	return token{kind: kind, raw: text[i:end], id: id, label: label, start: i, end: end}, true
}

// classifyEntity recognises the inside of <…>. Only the forms Slack sends are
// entities; anything else (such as "<3 you>") is left to be plain text.
func classifyEntity(content string) (kind tokenKind, id, label string, ok bool) {
	body, label, _ := strings.Cut(content, "|")
	switch {
	case strings.HasPrefix(body, "@"):
		if id := body[1:]; isSlackID(id, "UW") { // W: Enterprise Grid users
			return tokUserMention, id, label, true
		}
	case strings.HasPrefix(body, "#"):
		if id := body[1:]; isSlackID(id, "CGD") {
			return tokChannelRef, id, label, true
		}
	case strings.HasPrefix(body, "!subteam^"):
		if id := body[len("!subteam^"):]; isSlackID(id, "S") {
			return tokGroupMention, id, label, true
		}
	case body == "!here" || body == "!channel" || body == "!everyone":
		return tokBroadcast, body[1:], label, true
	case strings.HasPrefix(body, "!"):
		// Other specials, such as <!date^1392734382^{date}|Feb 18>: keep them
		// whole so their fallback text is not split, but they are nobody.
		name, _, _ := strings.Cut(body[1:], "^")
		if name != "" && strings.IndexFunc(name, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
			return tokWord, body[1:], label, true
		}
	default:
		if isLinkTarget(body) {
			return tokLink, body, label, true
		}
	}
	return tokWord, "", "", false
}

// isSlackID reports whether id is a Slack ID starting with one of prefixes:
// an upper-case letter then upper-case letters and digits.
func isSlackID(id, prefixes string) bool {
	if len(id) < 2 || !strings.ContainsRune(prefixes, rune(id[0])) {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// isLinkTarget reports whether s looks like the target of a Slack link: a scheme
// ("https:", "mailto:", "tel:") and no blanks.
func isLinkTarget(s string) bool {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" || scheme == "" || strings.IndexFunc(s, isTokenSpace) >= 0 {
		return false
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '.' || c == '-')) {
			return false
		}
	}
	return true
}

// parseUserMention returns the user ID of a single mention such as
// <@U012ABC> or <@W012ABC|alice> (surrounding blanks allowed). ok is false
// for anything else, including groups and broadcasts.
func parseUserMention(raw string) (id string, ok bool) {
	raw = strings.TrimFunc(raw, isTokenSpace)
	if !strings.HasPrefix(raw, "<") {
		return "", false
	}
	t, ok := entityAt(raw, 0)
	if !ok || t.kind != tokUserMention || t.end != len(raw) {
		return "", false
	}
	return t.id, true
}

// decodeEntities undoes Slack's escaping of its three control characters, in
// one pass so that "&amp;lt;" becomes "&lt;" and not "<".
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return entityDecoder.Replace(s)
}

var entityDecoder = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// kudosKind is what a /kudos command asks for.
type kudosKind int

const (
	kudosHelp      kudosKind = iota // "/kudos help"
	kudosOpenModal                  // "/kudos" alone: open the form
	kudosTop                        // "/kudos top [week|month|year|all]"
	kudosShow                       // "/kudos @maya": the kudos someone received
	kudosGive                       // "/kudos [private] @maya @sam for … #values"
)

func (k kudosKind) String() string {
	switch k {
	case kudosHelp:
		return "kudosHelp"
	case kudosOpenModal:
		return "kudosOpenModal"
	case kudosTop:
		return "kudosTop"
	case kudosShow:
		return "kudosShow"
	case kudosGive:
		return "kudosGive"
	}
	return "kudosKind(?)"
}

// kudosCommand is a parsed /kudos command.
type kudosCommand struct {
	kind    kudosKind
	private bool     // "/kudos private @a why": only the giver and recipients see it
	users   []string // recipients (give) or the one person to show (show); IDs, deduped, in order
	groups  []string // user-group IDs (S…) to expand into members later, deduped, in order
	reason  string   // the why, as typed (still Slack-escaped), without leading recipients or trailing #values; "" when none
	values  []string // #values, lower-cased, without '#', deduped, in order
	period  string   // kudosTop: "week", "month" (default), "year" or "all"
}

// kudosExample is the syntax people are shown when they get it wrong.
const kudosExample = "`/kudos @maya for untangling the deploy #teamwork`"

// kudosPeriods maps what people type after "top" to a period. "this week"
// arrives as two words and is joined with a space before the lookup.
var kudosPeriods = map[string]string{
	"": "month", "week": "week", "month": "month", "year": "year", "all": "all",
	"this week": "week", "this month": "month", "this year": "year",
	"all time": "all", "all-time": "all", "alltime": "all", "ever": "all",
}

// parseKudos parses the text of /kudos (as Slack sends it, escaped) into a
// command. Every error it returns is a *userError, written for the person.
//
// Grammar, keywords case-insensitive:
//
//	""                            open the form (kudosOpenModal)
//	help | ?                      kudosHelp
//	top|leaderboard [period]      kudosTop; period week, month (default), year,
//	                              all, or "this week"/"this month"/"this year"
//	<@U…>                         kudosShow: one mention and nothing else
//	[private] recipients [reason] kudosGive
//
// Recipients are the leading user and group mentions, optionally separated
// by ",", "and", "&", "+". The reason starts at the first other token, and
// mentions inside it are not recipients. #values are read from the end of
// the reason (plain #word or a channel the word resolved to) and from inline
// plain #words; trailing ones are cut from the reason, inline ones stay.
func parseKudos(text string) (kudosCommand, error) {
	toks := tokenize(text)
	if len(toks) == 0 {
		return kudosCommand{kind: kudosOpenModal}, nil
	}
	if toks[0].kind == tokWord {
		switch strings.ToLower(toks[0].raw) {
		case "help", "?":
			return kudosCommand{kind: kudosHelp}, nil
		case "top", "leaderboard":
			return parseTop(toks[1:])
		case "private":
			return parseGive(text, toks[1:], true)
		}
	}
	if len(toks) == 1 {
		switch toks[0].kind {
		case tokUserMention:
			return kudosCommand{kind: kudosShow, users: []string{toks[0].id}}, nil
		case tokGroupMention:
			return kudosCommand{}, userErrorf("Showing kudos works for one person, like `/kudos @maya`. " +
				"To thank a whole group, say why too, like `/kudos @design for the new onboarding flow`.")
		}
	}
	return parseGive(text, toks, false)
}

func parseTop(args []token) (kudosCommand, error) {
	words := make([]string, len(args))
	for i, t := range args {
		words[i] = strings.ToLower(t.raw)
	}
	asked := strings.Join(words, " ")
	if period, ok := kudosPeriods[asked]; ok {
		return kudosCommand{kind: kudosTop, period: period}, nil
	}
	return kudosCommand{}, userErrorf("I don't know the period “%s”. I can show the leaderboard for the `week`, `month`, `year` or `all` time, "+
		"like `/kudos top week`; plain `/kudos top` shows this month.", truncate(asked, 30))
}

// parseGive reads "recipients [reason] [#values]" from toks; text is the
// whole command text, from which the reason is cut as typed.
func parseGive(text string, toks []token, private bool) (kudosCommand, error) {
	cmd := kudosCommand{kind: kudosGive, private: private}
	i, last := 0, -1 // next token; index of the last recipient mention
recipients:
	for i < len(toks) {
		switch t := toks[i]; {
		case t.kind == tokUserMention:
			cmd.users = appendNew(cmd.users, t.id)
		case t.kind == tokGroupMention:
			cmd.groups = appendNew(cmd.groups, t.id)
		case t.kind == tokBroadcast:
			return kudosCommand{}, errKudosBroadcast
		case last >= 0 && isJoiner(t):
			// A separator belongs to the list only if another mention follows
			// ("@a and @b"); in "@a and the team for …" it starts the reason.
			j := i
			for j < len(toks) && isJoiner(toks[j]) {
				j++
			}
			if j < len(toks) && toks[j].kind != tokUserMention && toks[j].kind != tokGroupMention && toks[j].kind != tokBroadcast {
				for i < j && toks[i].raw == "," { // "@a, thanks": the comma only ends the list
					i++
				}
				break recipients
			}
			i = j
			continue
		default:
			break recipients
		}
		last = i
		i++
	}

	// A name typed with '@' in the recipient list ("@bob", or "@a and @bob")
	// means Slack could not resolve it: say so rather than thank only some.
	k := i
	for k < len(toks) && last >= 0 && isJoiner(toks[k]) {
		k++
	}
	if k < len(toks) && toks[k].kind == tokWord {
		if name, ok := typedName(toks[k].raw); ok {
			if isBroadcastName(name) {
				return kudosCommand{}, errKudosBroadcast
			}
			return kudosCommand{}, errNoPerson(name, kudosExample)
		}
	}
	if last < 0 {
		if private {
			return kudosCommand{}, errNoPerson("", "`/kudos private @maya for untangling the deploy`")
		}
		return kudosCommand{}, errNoPerson("", kudosExample)
	}

	rest := toks[i:]
	// "@maya's demo": text glued to the last mention is about that person,
	// so the reason keeps the mention rather than start at "'s".
	if i == last+1 && i < len(toks) && toks[i].start == toks[last].end && !isJoiner(toks[i]) {
		if _, isValue := tagValue(toks[i], false); !isValue {
			rest = toks[last:]
		}
	}
	tail := valuesStart(rest)
	for _, t := range rest[:tail] {
		if v, ok := tagValue(t, false); ok {
			cmd.values = appendNew(cmd.values, v)
		}
	}
	for _, t := range rest[tail:] {
		if v, ok := tagValue(t, true); ok {
			cmd.values = appendNew(cmd.values, v)
		}
	}
	if tail > 0 {
		cmd.reason = text[rest[0].start:rest[tail-1].end]
	}
	return cmd, nil
}

var errKudosBroadcast = userErrorf("Kudos go to people: mention them one by one, or a user group, "+
	"rather than everyone in the channel. For example %s", kudosExample)

// isJoiner reports whether t separates recipients: "," "and" "&" "+".
func isJoiner(t token) bool {
	if t.kind != tokWord {
		return false
	}
	switch strings.ToLower(t.raw) {
	case ",", "and", "&amp;", "&", "+":
		return true
	}
	return false
}

// typedName returns "@name" when raw is a name typed with '@' that Slack did
// not turn into a mention, without trailing punctuation ("@bob," → "@bob").
func typedName(raw string) (string, bool) {
	name := trimRightEscaped(raw, isTrailingPunct)
	r, _ := utf8.DecodeRuneInString(strings.TrimPrefix(name, "@"))
	if !strings.HasPrefix(name, "@") || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return "", false
	}
	return name, true
}

func isBroadcastName(name string) bool {
	switch strings.ToLower(name) {
	case "@here", "@channel", "@everyone":
		return true
	}
	return false
}

// tagValue returns the value a token tags the kudos with: a plain #word, or,
// when trailing, a channel ref (Slack turns "#teamwork" into <#C…|teamwork>
// when such a channel exists; mid-sentence that is a real channel reference,
// not a tag). A value has at least one letter, so "we're #1" is no tag.
func tagValue(t token, trailing bool) (string, bool) {
	var v string
	switch {
	case t.kind == tokWord && strings.HasPrefix(t.raw, "#"):
		v = trimRightEscaped(t.raw[1:], isTrailingPunct)
	case t.kind == tokChannelRef && trailing:
		v = t.label
	default:
		return "", false
	}
	// Checked as ASCII before lower-casing: strings.ToLower maps the Kelvin
	// sign to 'k', and values are keys in the store.
	letter := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			letter = true
		case '0' <= c && c <= '9':
		case (c == '_' || c == '-') && i > 0:
		default:
			return "", false
		}
	}
	if !letter {
		return "", false
	}
	return strings.ToLower(v), true
}

// valuesStart returns where the trailing #values of toks begin (len(toks)
// when there are none). Joiners between them belong to the tail
// ("#teamwork, #craft", "#teamwork and #craft"), but the tail starts with a
// value so a reason ending in "and" keeps it.
func valuesStart(toks []token) int {
	start := len(toks)
	for j := len(toks) - 1; j >= 0; j-- {
		if _, ok := tagValue(toks[j], true); ok {
			start = j
		} else if !isJoiner(toks[j]) {
			break
		}
	}
	return start
}

// wordCount counts the words of a reason for the minimum-length rule: a
// mention, channel or link is one word, punctuation and emoji alone are not
// words (so "🎉🎉🎉" or "- - -" cannot pass for a reason), and trailing
// #values are not counted.
func wordCount(reason string) int {
	toks := tokenize(reason)
	n := 0
	for _, t := range toks[:valuesStart(toks)] {
		if t.kind != tokWord {
			n++
			continue
		}
		// Emoji shortcodes (":tada:", ":+1::skin-tone-2:") are not words:
		// a reason of emoji alone says nothing specific.
		w := emojiCode.ReplaceAllString(t.display(), "")
		if strings.IndexFunc(w, isWordRune) < 0 {
			continue
		}
		// Chinese and Japanese write without spaces: count about one word
		// per two characters, so a specific reason there passes too.
		n += max(1, countCJK(w)/2)
	}
	return n
}

// emojiCode matches Slack emoji shortcodes as typed in text.
var emojiCode = regexp.MustCompile(`:[a-z0-9_+'-]+:`)

func countCJK(s string) int {
	n := 0
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			n++
		}
	}
	return n
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// plainLength is the length of a reason in runes as people read it: &amp;
// &lt; &gt; decoded, and each <…> entity replaced by its label, or its ID
// when it has no label. Blanks count as typed.
func plainLength(reason string) int {
	n, pos := 0, 0
	for _, t := range tokenize(reason) {
		n += utf8.RuneCountInString(reason[pos:t.start]) + utf8.RuneCountInString(t.display())
		pos = t.end
	}
	return n + utf8.RuneCountInString(reason[pos:])
}

func appendNew(list []string, s string) []string {
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}
