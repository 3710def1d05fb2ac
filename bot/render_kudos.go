package bot

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// Block Kit limits the kudos renderers stay within (Slack refuses longer), in
// characters (runes).
const (
	kudosSectionMax = 3000 // section text
	kudosFieldMax   = 2000 // section field; also the cap for a context element
	kudosHeaderMax  = 150  // header text
	kudosMessageMax = 50   // blocks per message
	kudosViewMax    = 100  // blocks per modal
	kudosOptionsMax = 100  // options in a static select
	kudosOptionMax  = 75   // option text
	kudosViewTitle  = 24   // modal title, submit and close
	kudosFallback   = 3000 // notification text; Slack advises about 4000
)

// Display choices: short enough to read on a phone.
const (
	kudosReasonMax        = 1000 // a reason is at most this long as typed; longer is cut
	kudosHistoryReasonMax = 300  // a reason in /kudos @person
	kudosHistoryMax       = 10   // kudos listed by /kudos @person
	kudosBoardTop         = 5    // people per leaderboard list
	kudosTopValues        = 5    // values in a leaderboard or digest
	kudosDigestPeople     = 40   // people named in the weekly digest
	kudosTagsMax          = 10   // values shown as tags on one kudos
	kudosTagMax           = 40   // characters of one value
	kudosRecipientsMax    = 10   // people chosen in the modal
	kudosWordMax          = 20   // a cut moves back this far at most to end on a whole word
)

// kudosInvite is the small line under a public kudos that tells people how
// to give their own.
const kudosInvite = "Thank someone with `/kudos`"

// kudosPost describes one kudos for rendering. Reason and Values are
// Slack-escaped mrkdwn as typed in a slash command (or escaped by the caller
// for modal input); the renderers show them verbatim and never escape them
// again.
type kudosPost struct {
	Giver     string   // user ID
	Receivers []string // user IDs
	Reason    string   // escaped mrkdwn as typed
	Values    []string // without '#'
	Private   bool
	Channel   string    // where it was given; "" when unknown (e.g. a modal opened from the App Home)
	Permalink string    // link to the public post; "" when none
	Link      string    // link to the message being thanked for (from the "Give kudos for this" shortcut); "" when none
	At        time.Time // when it was given
}

// personCount is one line of a leaderboard or digest: a person and how many
// kudos they received (or, for "most generous", how many people they thanked).
type personCount struct {
	User  string
	Count int
}

// valueCount is how often a value was tagged.
type valueCount struct {
	Value string // without '#'
	Count int
}

// leaderboard is what /kudos top shows. Only public kudos are counted.
type leaderboard struct {
	Period     string        // "week", "month", "year", "all"
	From, To   time.Time     // the period in the asker's zone (To exclusive); zero for "all"
	Total      int           // public kudos in the period
	Recognised []personCount // most recognised, desc
	Generous   []personCount // most generous (recipients thanked), desc
	Values     []valueCount  // top values
	Reader     reader        // the asker: zone and now
}

// kudosDigest is the weekly celebration posted in the kudos channel.
type kudosDigest struct {
	From, To   time.Time     // the week (To exclusive)
	Count      int           // public kudos in the week
	Recognised []personCount // everyone recognised, desc
	Values     []valueCount  // top values, desc
	Reader     reader        // the team's zone (RAPPORT_TZ), as the post is read by everyone, and now
}

// kudosForm is what the "Give kudos" modal starts with. (Not named kudosModal:
// that is the kudosKind for "/kudos" alone, in parse.go.)
type kudosForm struct {
	Channel      string   // where the modal was opened from ("" from the App Home)
	Recipients   []string // initial users (e.g. a message's author from the shortcut)
	Link         string   // message link from the shortcut, shown as context and kept in private_metadata
	Values       []string // the allowed values; empty = free text
	RequireValue bool
}

// kudosModalMeta is the kudos modal's private_metadata, as JSON.
type kudosModalMeta struct {
	Channel string `json:"channel,omitempty"`
	Link    string `json:"link,omitempty"`
}

// renderKudosPost builds the public message in the channel where the kudos
// was given: who thanked whom, the reason as a quote, the values as tags, the
// message being thanked for, and an invitation to give kudos too. text is the
// notification fallback.
func renderKudosPost(k kudosPost) (text string, blocks []slack.Block) {
	return kudosFallbackText(k), []slack.Block{
		kudosSection(kudosBody(k, ":tada: "+kudosHeadline(k))),
		kudosContext(kudosInvite),
	}
}

// renderKudosShare builds the copy of a kudos shared in the team's kudos
// channel: the public post plus where it happened and a link to it.
func renderKudosShare(k kudosPost) (string, []slack.Block) {
	text := kudosFallbackText(k)
	if ch := kudosChannel(k.Channel); ch != "" {
		text += " in " + ch
	}
	blocks := []slack.Block{kudosSection(kudosBody(k, ":tada: "+kudosHeadline(k)))}
	if where := kudosShareWhere(k); where != "" {
		blocks = append(blocks, kudosContext(where))
	}
	return text, append(blocks, kudosContext(kudosInvite))
}

// kudosShareWhere is the share's line saying where the kudos was given,
// with the link to the post when known; "" when neither is.
func kudosShareWhere(k kudosPost) string {
	var where []string
	if ch := kudosChannel(k.Channel); ch != "" {
		where = append(where, "Given in "+ch)
	}
	if u := kudosSafeURL(k.Permalink); u != "" {
		where = append(where, "<"+u+"|View the original post>")
	}
	return strings.Join(where, " · ")
}

// renderKudosDM builds the direct message to one receiver, you: who thanked
// them and why ("gave you and <@B> kudos"), where to see it (or that it was
// private), and a way to stop these DMs.
func renderKudosDM(k kudosPost, you string) (string, []slack.Block) {
	others := make([]string, 0, len(k.Receivers))
	for _, r := range k.Receivers {
		if r != you {
			others = append(others, r)
		}
	}
	headline := kudosPerson(k.Giver) + " gave you kudos"
	if len(others) > 0 {
		names := []string{"you"}
		for _, id := range others {
			names = append(names, kudosMention(id))
		}
		headline = kudosPerson(k.Giver) + " gave kudos to " + joinWords(names)
	}
	text := headline
	if r := strings.TrimSpace(k.Reason); r != "" {
		text += ": " + kudosClip(kudosOneLine(r), 150)
	}
	blocks := []slack.Block{kudosSection(kudosBody(k, ":tada: "+headline))}
	if where := kudosDMWhere(k); where != "" {
		blocks = append(blocks, kudosContext(where))
	}
	blocks = append(blocks,
		kudosContext("I send you a DM when someone gives you kudos."),
		slack.NewActionBlock("",
			slack.NewButtonBlockElement(muteDMAction, string(store.DMKudos), slack.NewTextBlockObject(slack.PlainTextType, "Stop kudos DMs", false, false))),
	)
	return kudosClip(text, kudosFallback), blocks
}

// kudosDMWhere is the DM's line saying where the kudos can be seen (or
// that it was private); "" when nowhere is known.
func kudosDMWhere(k kudosPost) string {
	switch {
	case k.Private:
		return ":lock: Sent privately: not posted anywhere or counted on leaderboards."
	case kudosSafeURL(k.Permalink) != "":
		where := ":eyes: <" + kudosSafeURL(k.Permalink) + "|See the post>"
		if ch := kudosChannel(k.Channel); ch != "" {
			where += " in " + ch
		}
		return where
	case kudosChannel(k.Channel) != "":
		return ":eyes: Posted in " + kudosChannel(k.Channel)
	}
	return ""
}

// withKudosPermalink adds the link to the public post, once it is known,
// to a share or DM rendered before (renderKudosShare, renderKudosDM with
// no Permalink): the line saying where the kudos was given becomes the one
// with the link. Other blocks are kept as they are.
func withKudosPermalink(blocks []slack.Block, channel, link string) []slack.Block {
	if kudosSafeURL(link) == "" {
		return blocks
	}
	plain, linked := kudosPost{Channel: channel}, kudosPost{Channel: channel, Permalink: link}
	return swapKudosContext(blocks, map[string]string{
		kudosDMWhere(plain):    kudosDMWhere(linked),
		kudosShareWhere(plain): kudosShareWhere(linked),
	})
}

// withKudosUnposted corrects a DM rendered before its public post was
// tried, once the post failed for good: "Posted in #channel" would not be
// true, so it says where the kudos was given instead.
func withKudosUnposted(blocks []slack.Block, channel string) []slack.Block {
	ch := kudosChannel(channel)
	if ch == "" {
		return blocks
	}
	return swapKudosContext(blocks, map[string]string{
		kudosDMWhere(kudosPost{Channel: channel}): ":speech_balloon: Given in " + ch,
	})
}

// swapKudosContext replaces the one-text context blocks whose text is a
// key of swaps with the value; other blocks are kept as they are.
func swapKudosContext(blocks []slack.Block, swaps map[string]string) []slack.Block {
	out := slices.Clone(blocks)
	for i, bl := range out {
		cb, ok := bl.(*slack.ContextBlock)
		if !ok || len(cb.ContextElements.Elements) != 1 {
			continue
		}
		t, ok := cb.ContextElements.Elements[0].(*slack.TextBlockObject)
		if !ok || t.Text == "" {
			continue
		}
		if to, ok := swaps[t.Text]; ok {
			out[i] = kudosContext(to)
		}
	}
	return out
}

// kudosUnpostedNote tells the giver that the public post of their kudos to
// receivers could not be made in channel (Slack refused the bot there and
// the command's response_url did not work either, or Slack kept failing).
func kudosUnpostedNote(receivers []string, channel string) string {
	return fmt.Sprintf("I saved your kudos to %s but couldn't post it in %s (if I'm not in that channel, invite me with `/invite @rapport`); they still get it by DM.",
		joinMentions(receivers), kudosChannel(channel))
}

// renderKudosSent is the giver's short private confirmation: who was thanked,
// whether privately, and how many kudos they have left today. limit 0 means
// no daily limit, so no count is shown.
func renderKudosSent(k kudosPost, remaining, limit int) string {
	var sb strings.Builder
	if k.Private {
		sb.WriteString(":lock: Sent privately to " + joinMentions(k.Receivers) + ".")
	} else {
		sb.WriteString(":white_check_mark: Kudos sent to " + joinMentions(k.Receivers) + ".")
	}
	if limit > 0 {
		if remaining <= 0 {
			sb.WriteString(" That was your last one for today — it resets at midnight your time.")
		} else {
			fmt.Fprintf(&sb, " You have %d kudos left today.", remaining)
		}
	}
	return kudosClip(sb.String(), kudosFallback)
}

// renderLeaderboard builds the private answer to /kudos top: the period, the
// most recognised and most generous people with medals, the top values, and
// a note that private kudos are not counted.
func renderLeaderboard(lb leaderboard) (string, []slack.Block) {
	period := kudosPeriod(lb.Period)
	title := "Kudos — " + period
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, kudosClip(title, kudosHeaderMax), true, false)),
	}
	if lb.Total <= 0 {
		empty := "No kudos yet " + period + "."
		if period == "all time" {
			empty = "No kudos yet."
		}
		blocks = append(blocks,
			kudosSection(empty+" Be the first: `/kudos @someone for …`"),
			kudosContext("Private kudos are not counted here."))
		return title + ": none yet", blocks
	}

	summary := kudosCount(lb.Total, "kudos", "kudos")
	if r := kudosRange(lb.From, lb.To, lb.Reader); r != "" {
		summary += " · " + r
	}
	blocks = append(blocks, kudosContext(summary))
	if len(lb.Recognised) > 0 {
		blocks = append(blocks, kudosSection("*Most recognised*\n"+kudosRanking(lb.Recognised, func(n int) string {
			return kudosCount(n, "kudos", "kudos")
		})))
	}
	if len(lb.Generous) > 0 {
		blocks = append(blocks, kudosSection("*Most generous*\n"+kudosRanking(lb.Generous, func(n int) string {
			return "thanked " + kudosCount(n, "person", "people")
		})))
	}
	if v := kudosValueCounts(lb.Values); v != "" {
		blocks = append(blocks, kudosSection("*Top values*\n"+v))
	}
	blocks = append(blocks, kudosContext("Private kudos are not counted here. "+kudosInvite+"."))
	return title + ": " + kudosCount(lb.Total, "kudos", "kudos"), blocks
}

// renderKudosHistory builds the private answer to /kudos @person: their most
// recent kudos, newest first as given, each with who gave it, when, why, its
// values and a link to the post.
func renderKudosHistory(user string, ks []kudosPost, rd reader) (string, []slack.Block) {
	who := kudosMention(user)
	if len(ks) == 0 {
		text := "No kudos for " + who + " yet."
		return text, []slack.Block{
			kudosSection(text + " Seen them do something great? Say so with `/kudos`."),
		}
	}
	text := "Recent kudos for " + who
	blocks := []slack.Block{kudosSection("*" + text + "*")}
	for i, k := range ks {
		if i == kudosHistoryMax {
			break
		}
		line := "*From " + kudosPerson(k.Giver) + "*"
		var others []string
		for _, r := range k.Receivers {
			if r != user {
				others = append(others, r)
			}
		}
		if len(others) > 0 {
			line += ", with " + joinMentions(others)
		}
		if !k.At.IsZero() {
			line += " · " + localDate(k.At, rd)
		}
		var lines []string
		if r := strings.TrimSpace(k.Reason); r != "" {
			lines = append(lines, kudosQuote(kudosClip(kudosTidy(r), kudosHistoryReasonMax)))
		}
		var meta []string
		if t := kudosTags(k.Values); t != "" {
			meta = append(meta, t)
		}
		switch {
		case k.Private:
			meta = append(meta, ":lock: private")
		case kudosSafeURL(k.Permalink) != "":
			meta = append(meta, "<"+kudosSafeURL(k.Permalink)+"|View post>")
		}
		if len(meta) > 0 {
			lines = append(lines, strings.Join(meta, " · "))
		}
		blocks = append(blocks, kudosSection(kudosJoin(line, lines...)))
	}
	return text, blocks
}

// renderKudosDigest builds the weekly celebration post for the kudos
// channel: how many kudos, everyone recognised (the first 40 by name), the
// top values, and an invitation. It names people one by one and never uses a
// broadcast mention.
func renderKudosDigest(d kudosDigest) (string, []slack.Block) {
	title := ":tada: Kudos this week"
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, title, true, false)),
	}
	if r := kudosRange(d.From, d.To, d.Reader); r != "" {
		blocks = append(blocks, kudosContext(r))
	}
	if d.Count <= 0 {
		text := "No kudos this week."
		blocks = append(blocks, kudosSection(text+" Who made your week better? Tell them with `/kudos`."))
		return text, blocks
	}
	count := kudosCount(d.Count, "kudos", "kudos")
	text := count + " this week"
	summary := "*" + count + "* this week"
	if n := len(d.Recognised); n > 0 {
		people := kudosCount(n, "person", "people")
		text += " for " + people
		summary += " for *" + people + "*. Thank you for noticing each other."
	} else {
		summary += ". Thank you for noticing each other."
	}
	blocks = append(blocks, kudosSection(summary))
	if len(d.Recognised) > 0 {
		var names []string
		for i, p := range d.Recognised {
			if i == kudosDigestPeople {
				break
			}
			name := kudosPerson(p.User)
			if p.Count > 1 {
				name += " ×" + strconv.Itoa(p.Count) // no "×1": a long tail of them is noise
			}
			names = append(names, name)
		}
		list := strings.Join(names, ", ")
		if more := len(d.Recognised) - len(names); more > 0 {
			list += " and " + strconv.Itoa(more) + " more"
		}
		blocks = append(blocks, kudosSection("*Recognised*\n"+list))
	}
	if v := kudosValueCounts(d.Values); v != "" {
		blocks = append(blocks, kudosSection("*Top values*\n"+v))
	}
	blocks = append(blocks, kudosContext("Who made your week better? Tell them with `/kudos`."))
	return text, blocks
}

// renderKudosModal builds the "Give kudos" modal. Its private_metadata is a
// kudosModalMeta as JSON ("{}" when both fields are empty).
func renderKudosModal(m kudosForm) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	link := kudosSafeURL(m.Link)
	var blocks []slack.Block
	if link != "" {
		blocks = append(blocks, kudosContext(":link: Thanking them for <"+link+"|this message>"))
	}

	who := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("Choose people"), kudosRecipientsAction)
	maxPeople := kudosRecipientsMax
	who.MaxSelectedItems = &maxPeople
	for _, id := range m.Recipients {
		if id = kudosID(id); id != "" && len(who.InitialUsers) < kudosRecipientsMax {
			who.InitialUsers = append(who.InitialUsers, id)
		}
	}
	blocks = append(blocks, slack.NewInputBlock(kudosRecipientsBlockID, plain("Who do you want to thank?"), nil, who))

	reason := slack.NewPlainTextInputBlockElement(plain("What did they do? Be specific."), kudosReasonAction)
	reason.Multiline = true
	reason.MaxLength = kudosReasonMax
	blocks = append(blocks, slack.NewInputBlock(kudosReasonBlockID, plain("What for?"), nil, reason))

	var values *slack.InputBlock
	if len(m.Values) > 0 {
		var opts []*slack.OptionBlockObject
		for _, v := range m.Values {
			if len(opts) == kudosOptionsMax {
				break
			}
			v = strings.TrimPrefix(strings.TrimSpace(v), "#")
			if v == "" {
				continue
			}
			opts = append(opts, slack.NewOptionBlockObject(kudosClip(v, 150), plain(kudosClip("#"+v, kudosOptionMax)), nil))
		}
		sel := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain("Choose values"), kudosValuesAction, opts...)
		values = slack.NewInputBlock(kudosValuesBlockID, plain("Values"), nil, sel)
	} else {
		in := slack.NewPlainTextInputBlockElement(plain("e.g. teamwork, craft"), kudosValuesAction)
		in.MaxLength = 200
		values = slack.NewInputBlock(kudosValuesBlockID, plain("Values"), plain("Separate them with commas or spaces."), in)
	}
	values.Optional = !m.RequireValue
	blocks = append(blocks, values)

	private := slack.NewCheckboxGroupsBlockElement(kudosPrivateAction,
		slack.NewOptionBlockObject(kudosPrivateValue, plain("Send privately (a DM only; not posted or on leaderboards)"), nil))
	blocks = append(blocks, slack.NewInputBlock(kudosPrivateBlockID, plain("Privacy"), nil, private).WithOptional(true))

	meta, _ := json.Marshal(kudosModalMeta{Channel: kudosID(m.Channel), Link: link}) // cannot fail: two strings
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      kudosModalCallbackID,
		Title:           plain("Give kudos"),
		Submit:          plain("Send"),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: string(meta),
	}
}

// joinMentions writes user IDs as mentions in an English list: "<@A>",
// "<@A> and <@B>", "<@A>, <@B> and <@C>". It returns "" for no IDs.
func joinMentions(ids []string) string {
	ms := make([]string, 0, len(ids))
	for _, id := range ids {
		if m := kudosMention(id); m != "" {
			ms = append(ms, m)
		}
	}
	return joinWords(ms)
}

// joinWords joins "a", "a and b", "a, b and c".
func joinWords(ms []string) string {
	switch len(ms) {
	case 0:
		return ""
	case 1:
		return ms[0]
	}
	return strings.Join(ms[:len(ms)-1], ", ") + " and " + ms[len(ms)-1]
}

// kudosFallbackText is the notification text of a public kudos.
func kudosFallbackText(k kudosPost) string {
	return kudosClip(kudosHeadline(k), kudosFallback)
}

func kudosHeadline(k kudosPost) string {
	return kudosPerson(k.Giver) + " gave kudos to " + joinMentions(k.Receivers)
}

// kudosBody is the text of the main section of a kudos: the headline, the
// reason as a quote, the values as tags and the message thanked for. The
// reason is cut to fit the section; nothing else is.
func kudosBody(k kudosPost, headline string) string {
	var tail []string
	if t := kudosTags(k.Values); t != "" {
		tail = append(tail, t)
	}
	if u := kudosSafeURL(k.Link); u != "" {
		tail = append(tail, ":link: For <"+u+"|this message>")
	}
	reason := kudosTidy(k.Reason)
	if reason == "" {
		return kudosClip(kudosJoin(headline, tail...), kudosSectionMax)
	}
	// Budget the reason so the whole section fits; quoting adds one ">" per
	// line, so shrink until the quoted reason fits too.
	fixed := utf8.RuneCountInString(kudosJoin(headline, tail...)) + 1
	budget := min(kudosReasonMax, kudosSectionMax-fixed)
	for budget > 0 {
		q := kudosQuote(kudosClip(reason, budget))
		if over := fixed + utf8.RuneCountInString(q) - kudosSectionMax; over > 0 {
			budget -= over
			continue
		}
		return kudosJoin(headline, append([]string{q}, tail...)...)
	}
	return kudosClip(kudosJoin(headline, tail...), kudosSectionMax)
}

// kudosJoin joins first and rest with newlines.
func kudosJoin(first string, rest ...string) string {
	return strings.Join(append([]string{first}, rest...), "\n")
}

// kudosTidy trims a reason and collapses runs of blank lines, so a reason
// cannot become a wall of empty space.
func kudosTidy(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}

// kudosOneLine puts s on one line, for a notification.
func kudosOneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// kudosQuote renders s as a mrkdwn block quote.
func kudosQuote(s string) string {
	return ">" + strings.ReplaceAll(s, "\n", "\n>")
}

// kudosTags renders values as tags: `#teamwork` `#craft`.
func kudosTags(values []string) string {
	var tags []string
	for _, v := range values {
		if v = kudosValue(v); v == "" {
			continue
		}
		if len(tags) == kudosTagsMax {
			tags = append(tags, "…")
			break
		}
		tags = append(tags, "`#"+v+"`")
	}
	return strings.Join(tags, " ")
}

// kudosValueCounts renders counted values, at most kudosTopValues of them:
// `#teamwork` ×9 · `#craft` ×4.
func kudosValueCounts(values []valueCount) string {
	var out []string
	for _, v := range values {
		if len(out) == kudosTopValues {
			break
		}
		if name := kudosValue(v.Value); name != "" {
			out = append(out, "`#"+name+"` ×"+strconv.Itoa(v.Count))
		}
	}
	return strings.Join(out, " · ")
}

// kudosValue cleans a value for display inside a code span: no '#', no
// backticks or line breaks, and not too long.
func kudosValue(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "#")
	v = strings.Map(func(r rune) rune {
		if r == '`' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	return kudosClip(v, kudosTagMax)
}

// kudosRanking lists people with competition ranks (equal counts share a
// rank): 🥇, 🥈, 🥉, then "4.", "5.".
func kudosRanking(people []personCount, count func(int) string) string {
	var lines []string
	rank := 0
	for i, p := range people {
		if i == kudosBoardTop {
			break
		}
		if i == 0 || p.Count != people[i-1].Count {
			rank = i + 1
		}
		var badge string
		switch rank {
		case 1:
			badge = "🥇"
		case 2:
			badge = "🥈"
		case 3:
			badge = "🥉"
		default:
			badge = strconv.Itoa(rank) + "."
		}
		lines = append(lines, badge+" "+kudosPerson(p.User)+" · "+count(p.Count))
	}
	return strings.Join(lines, "\n")
}

// kudosPeriod names a leaderboard period as the end of "Kudos — …".
func kudosPeriod(p string) string {
	switch p {
	case "week", "month", "year":
		return "this " + p
	case "all", "":
		return "all time"
	}
	return "this " + kudosClip(kudosValue(p), 20)
}

// kudosRange renders the dates of [from, to) for r. It returns "" for no
// period.
func kudosRange(from, to time.Time, r reader) string {
	switch {
	case from.IsZero() && to.IsZero():
		return ""
	case to.IsZero():
		return "since " + localDate(from, r)
	case from.IsZero() || !to.After(from):
		return "until " + localDate(to.Add(-time.Second), r)
	}
	return localDate(from, r) + " – " + localDate(to.Add(-time.Second), r)
}

// kudosCount writes n with the singular or plural noun.
func kudosCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// kudosSection is a mrkdwn section. verbatim is set because the text carries
// user input already escaped by Slack: it keeps Slack from parsing anything
// in it that was not written as explicit markup.
func kudosSection(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, kudosClip(text, kudosSectionMax), false, true), nil, nil)
}

// kudosContext is a context block with one mrkdwn element.
func kudosContext(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, kudosClip(text, kudosFieldMax), false, true))
}

// kudosMention writes a user mention, or "" when id is empty. Only letters
// and digits are kept, so an odd ID can never close the mention early and
// start other markup.
func kudosMention(id string) string {
	if id = kudosID(id); id == "" {
		return ""
	}
	return "<@" + id + ">"
}

// formerTeammate names someone whose data was deleted with forget-me: the
// store keeps their kudos for the others with the giver's ID emptied.
const formerTeammate = "a former teammate"

// kudosPerson is kudosMention, or "a former teammate" for the empty ID of
// someone who deleted their data.
func kudosPerson(id string) string {
	if m := kudosMention(id); m != "" {
		return m
	}
	return formerTeammate
}

// kudosChannel writes a channel mention, or "" when id is empty.
func kudosChannel(id string) string {
	if id = kudosID(id); id == "" {
		return ""
	}
	return "<#" + id + ">"
}

// kudosID keeps only the letters and digits of a Slack ID.
func kudosID(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, id)
}

// kudosSafeURL returns u when it can go inside <u|label> as a link: http(s),
// no spaces, no characters that would end the link markup, at most 2000
// characters. Otherwise it returns "", and the link is left out.
func kudosSafeURL(u string) string {
	u = strings.TrimSpace(u)
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return ""
	}
	if len(u) > 2000 || strings.ContainsAny(u, "<>| \t\r\n") {
		return ""
	}
	return u
}

// kudosClip shortens mrkdwn s to at most n runes, marking the cut with "…".
// It never cuts inside a <…> token (a mention, link or date) or an &…;
// entity: the cut moves back to before it.
func kudosClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	all := []rune(s)
	r := all[:n-1]
	cut := len(r)
	if i := kudosLastRune(r, '<'); i >= 0 && kudosLastRune(r[i:], '>') < 0 {
		cut = i
	}
	if i := kudosLastRune(r[:cut], '&'); i >= 0 && cut-i <= 8 && kudosLastRune(r[i:cut], ';') < 0 {
		cut = i
	}
	// Prefer to end on a whole word when one ended recently.
	if cut > 0 && !unicode.IsSpace(all[cut]) && !unicode.IsSpace(all[cut-1]) {
		for i := cut - 1; i > 0 && i >= cut-kudosWordMax; i-- {
			if unicode.IsSpace(r[i]) {
				cut = i
				break
			}
		}
	}
	return strings.TrimRightFunc(string(r[:cut]), unicode.IsSpace) + "…"
}

func kudosLastRune(rs []rune, c rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == c {
			return i
		}
	}
	return -1
}
