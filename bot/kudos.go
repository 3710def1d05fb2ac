package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// Rules for a kudos (issue #3): specific, addressed to people, within the
// giver's daily allowance.
const (
	kudosMinWords = 3
	kudosMaxChars = 1000
	kudosHistory  = 10 // kudos shown by /kudos @person
)

// errNotPostable are the answers that mean "the bot may not post there":
// a private channel or a DM the bot is not in.
var errNotPostable = []string{"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}

// kudosCommand answers /kudos.
func (b *Bot) kudosCommand(ctx context.Context, cmd slashCommand) error {
	kc, err := parseKudos(cmd.text)
	if err != nil {
		return err
	}
	switch kc.kind {
	case kudosHelp:
		return b.answerUsage(ctx, cmd)
	case kudosOpenModal:
		return b.openKudosModal(ctx, cmd.triggerID, kudosForm{Channel: cmd.channel})
	case kudosTop:
		return b.kudosLeaderboard(ctx, cmd, kc.period)
	case kudosShow:
		return b.kudosShow(ctx, cmd, kc.users[0])
	}
	return b.giveKudos(ctx, cmd.origin, gift{
		users:   kc.users,
		groups:  kc.groups,
		reason:  kc.reason,
		values:  kc.values,
		private: kc.private,
	})
}

// gift is a kudos as asked for, before the rules are checked.
type gift struct {
	users   []string
	groups  []string
	reason  string // Slack-escaped mrkdwn
	values  []string
	private bool
	link    string // message being thanked for (shortcut)
}

// giveKudos checks the rules, then commits in one store transaction the
// kudos, the pairs it puts in touch and every message it causes: the
// public post, the share in the kudos channel, a DM per recipient (in
// their working hours), their Home refreshes. The outbox sends those after
// the commit, the post first. The giver is answered only once the commit
// succeeded: a confirmation never describes a kudos that is not stored.
// Nothing is stored or sent when a rule is broken or the commit fails.
// The command, the form and the message shortcut all come here.
func (b *Bot) giveKudos(ctx context.Context, o origin, g gift) error {
	k, remaining, err := b.commitKudos(ctx, o, g)
	if err != nil {
		return err
	}
	// The outbox sends the post and the rest once the giver has their
	// answer (or it failed): it reads best in that order.
	defer b.kickOutbox()
	return b.answerText(ctx, o, renderKudosSent(b.kudosPostOf(k, o.channel, g.link), remaining, b.opts.Kudos.DailyLimit))
}

// commitKudos is giveKudos without the answer: it checks the rules and
// commits the kudos with its effects, and returns it with the giver's
// allowance left today. A broken rule is a userError and nothing is
// stored. The caller answers the giver and then kicks the outbox; a kudos
// started by a reaction answers in its own prompt.
func (b *Bot) commitKudos(ctx context.Context, o origin, g gift) (store.Kudos, int, error) {
	recipients, err := b.kudosRecipients(ctx, o.user, g)
	if err != nil {
		return store.Kudos{}, 0, err
	}
	if err := b.checkKudosText(g); err != nil {
		return store.Kudos{}, 0, err
	}
	giver, err := b.person(ctx, o.user)
	if err != nil {
		return store.Kudos{}, 0, err
	}
	now := b.opts.Now()
	from, to := localDay(now, b.location(giver))
	k, remaining, err := b.store.GiveKudos(store.Kudos{
		Giver:     o.user,
		Receivers: recipients,
		Text:      g.reason,
		Values:    g.values,
		Channel:   o.channel,
		Private:   g.private,
		At:        now,
	}, store.Allowance{Limit: b.opts.Kudos.DailyLimit, From: from, To: to}, func(k store.Kudos) store.Effects {
		return b.kudosEffects(k, o, g.link)
	})
	var ae *store.AllowanceError
	if errors.As(err, &ae) {
		return store.Kudos{}, 0, allowanceRefusal(ae, to.Sub(now))
	}
	if err != nil {
		b.log.Error("kudos: saving failed", "giver", o.user, "err", err)
		return store.Kudos{}, 0, userErrorf("I couldn't save your kudos just now, so nothing was sent: no post, no DMs. Please try again in a moment.")
	}
	return k, remaining, nil
}

// kudosPostOf is what the messages about k show; channel is where it was
// given, link the message it thanks for (shortcut).
func (b *Bot) kudosPostOf(k store.Kudos, channel, link string) kudosPost {
	return kudosPost{Giver: k.Giver, Receivers: k.Receivers, Reason: k.Text, Values: k.Values, Private: k.Private,
		Channel: channel, Link: link, At: k.At}
}

// kudosEffects are what kudos k, given from o, causes: its giver and each
// receiver are in touch; a public kudos given in a channel is posted there
// (through o's response_url where Slack refuses the bot) and shared in the
// kudos channel; each receiver gets a DM and a fresh Home. The share and
// the DMs wait for the post and link to it: they are built when they are
// sent. It is pure: GiveKudos runs it inside its transaction.
func (b *Bot) kudosEffects(k store.Kudos, o origin, link string) store.Effects {
	post := b.kudosPostOf(k, o.channel, link)
	var e store.Effects
	for _, r := range k.Receivers {
		e.InTouch = append(e.InTouch, store.InTouch{A: k.Giver, B: r, At: k.At, Kind: store.InTouchKudos})
	}
	var first string // key of the public post, "" when there is none
	if !k.Private && o.channel != "" {
		first = kudosPostKey(k.ID)
		text, blocks := renderKudosPost(post)
		e.Outbox = append(e.Outbox, store.Outgoing{Key: first, Channel: o.channel, ThreadTS: o.threadTS, ResponseURL: o.responseURL,
			Text: text, Blocks: encodeBlocks(blocks), Render: renderKudosPostItem, KudosPost: k.ID})
	}
	if ch := b.opts.Kudos.Channel; !k.Private && ch != "" && ch != o.channel {
		text, blocks := renderKudosShare(post)
		e.Outbox = append(e.Outbox, store.Outgoing{Key: kudosShareKey(k.ID), Channel: ch,
			Text: text, Blocks: encodeBlocks(blocks), After: first, Render: renderKudosLinkedItem})
	}
	for _, r := range k.Receivers {
		text, blocks := renderKudosDM(post, r)
		e.Outbox = append(e.Outbox, store.Outgoing{Key: kudosDMKey(k.ID, r), User: r, Kind: store.DMKudos,
			Text: text, Blocks: encodeBlocks(blocks), RespectHours: true, After: first, Render: renderKudosLinkedItem})
	}
	for _, r := range k.Receivers {
		e.Outbox = append(e.Outbox, homeRefresh(r, fmt.Sprintf("kudos:%d", k.ID)))
	}
	return effectsDueAt(e, k.At)
}

// kudosRecipients expands user groups and checks every recipient: a real,
// active person who is not the giver.
func (b *Bot) kudosRecipients(ctx context.Context, giver string, g gift) ([]string, error) {
	recipients := slices.Clone(g.users)
	for _, group := range g.groups {
		var members []string
		err := b.send.call(ctx, "usergroups.users.list", func(ctx context.Context) error {
			var err error
			members, err = b.api.GetUserGroupMembersContext(ctx, group)
			return err
		})
		if err != nil {
			if classify(err).label == "permanent" {
				return nil, userErrorf("I couldn't read the members of that user group, so nothing was sent. Mention the people instead.")
			}
			return nil, err
		}
		recipients = append(recipients, members...)
	}
	recipients = dedupe(recipients)
	if len(recipients) == 0 {
		return nil, errNoPerson("", kudosExample)
	}
	if slices.Contains(recipients, giver) {
		how := "remove yourself"
		if len(g.groups) > 0 && !slices.Contains(g.users, giver) {
			how = "you are in that user group: mention the others one by one"
		}
		return nil, userErrorf("Kudos are for thanking others, so nothing was sent: %s and try again.", how)
	}
	if len(recipients) > 25 {
		return nil, userErrorf("That is %d people. Kudos work best when they are specific: thank up to 25 people at once.", len(recipients))
	}
	for _, r := range recipients {
		p, err := b.person(ctx, r)
		switch {
		case errors.Is(err, errUnknownUser):
			return nil, errNoPerson("<@"+r+">", kudosExample)
		case err != nil:
			return nil, err
		case p.IsBot:
			return nil, userErrorf("<@%s> is a bot. Kudos are for people, so nothing was sent.", r)
		case p.Deleted:
			return nil, userErrorf("<@%s> is no longer active in this workspace, so nothing was sent.", r)
		}
	}
	return recipients, nil
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// kudosTextProblem applies the rules on the reason and the values. It
// names the form's input block at fault (kudosReasonBlockID or
// kudosValuesBlockID) and says what is wrong, or returns "" when all is
// well.
func (b *Bot) kudosTextProblem(g gift) (block, problem string) {
	if n := plainLength(g.reason); n > kudosMaxChars {
		return kudosReasonBlockID, fmt.Sprintf("That's %d characters; a kudos holds up to %d. Keep the heart of it.", n, kudosMaxChars)
	}
	if wordCount(g.reason) < kudosMinWords {
		return kudosReasonBlockID, "Be specific: what did they do? For example: for untangling the deploy on Friday."
	}
	allowed := b.opts.Kudos.Values
	if len(allowed) > 0 {
		for _, v := range g.values {
			if !slices.Contains(allowed, v) {
				return kudosValuesBlockID, fmt.Sprintf("#%s is not one of our values. Use %s.", v, hashList(allowed))
			}
		}
	}
	if b.opts.Kudos.RequireValue && len(g.values) == 0 {
		if len(allowed) > 0 {
			return kudosValuesBlockID, fmt.Sprintf("Add the value it shows: %s.", hashList(allowed))
		}
		return kudosValuesBlockID, "Add a value it shows, like #teamwork."
	}
	return "", ""
}

// checkKudosText is kudosTextProblem as an error for the person.
func (b *Bot) checkKudosText(g gift) error {
	if _, problem := b.kudosTextProblem(g); problem != "" {
		return userErrorf("%s Nothing was sent.", problem)
	}
	return nil
}

func hashList(values []string) string {
	tags := make([]string, len(values))
	for i, v := range values {
		tags[i] = "#" + v
	}
	return strings.Join(tags, ", ")
}

func allowanceRefusal(ae *store.AllowanceError, untilReset time.Duration) error {
	left := max(ae.Limit-ae.Used, 0)
	reset := fmt.Sprintf("Your allowance resets at midnight your time (in %s).", roughDuration(untilReset))
	if left == 0 {
		return userErrorf("You've given all %d kudos for today (each person thanked counts one). %s Nothing was sent.", ae.Limit, reset)
	}
	return userErrorf("You have %d kudos left today, and this one thanks %d people (each counts one). Thank fewer people, or wait: %s Nothing was sent.", left, ae.Wanted, reset)
}

// roughDuration says "3 h 12 min" or "25 min".
func roughDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
}

// renderKudosPostNow sends a kudos's public post as queued, or nothing
// when the kudos is gone (forgotten before its post went out).
func (b *Bot) renderKudosPostNow(ctx context.Context, o store.Outgoing) (string, []slack.Block, bool, error) {
	if _, err := b.store.KudosByID(o.KudosPost); errors.Is(err, store.ErrNotFound) {
		return "", nil, true, nil
	} else if err != nil {
		return "", nil, false, err
	}
	return o.Text, decodeBlocks(o.Blocks), false, nil
}

// kudosPostDelivered records where the public post landed on the kudos,
// with the item's end, in one transaction: the DMs and the share link to
// it, and a forget-me edits it.
func (b *Bot) kudosPostDelivered(o store.Outgoing, channel, ts string) error {
	return b.store.FinishKudosPost(o.ID, o.KudosPost, channel, ts, b.opts.Now())
}

// kudosPostFailed gives a public post up and, in the same transaction,
// queues a note telling the giver: they were told "Kudos sent" before the
// post was tried.
func (b *Bot) kudosPostFailed(o store.Outgoing, cause error) error {
	now := b.opts.Now()
	k, err := b.store.KudosByID(o.KudosPost)
	if errors.Is(err, store.ErrNotFound) {
		return b.store.FailOutgoing(o.ID, cause.Error(), now)
	}
	if err != nil {
		return err
	}
	note := store.Outgoing{Key: kudosUnpostedKey(k.ID), User: k.Giver, After: o.Key, Render: renderKudosUnpostedItem,
		Text: kudosUnpostedNote(k.Receivers, o.Channel)}
	return b.store.FailKudosPost(o.ID, cause.Error(), now, store.Effects{Outbox: []store.Outgoing{note}})
}

// renderKudosUnpostedNow shows the giver the note about a post that could
// not be made, privately in the channel where they gave the kudos; where
// that fails too (the bot is not in the channel), the note goes by DM.
func (b *Bot) renderKudosUnpostedNow(ctx context.Context, o store.Outgoing) (string, []slack.Block, bool, error) {
	post, err := b.store.OutgoingByKey(o.After)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, false, err
	}
	if post.Channel != "" {
		if err := b.send.ephemeral(ctx, post.Channel, o.User, "", o.Text); err == nil {
			return "", nil, true, nil
		} else {
			b.log.Info("kudos: the note about a failed post goes by DM", "channel", post.Channel, "err", err)
		}
	}
	return o.Text, nil, false, nil
}

// renderKudosLinkedNow builds a kudos's share or DM with the link to the
// public post it waited for (o.After); as queued when there is no post to
// link to (private, given outside a channel, posted through a response_url,
// or not posted at all).
func (b *Bot) renderKudosLinkedNow(ctx context.Context, o store.Outgoing) (string, []slack.Block, bool, error) {
	text, blocks := o.Text, decodeBlocks(o.Blocks)
	if o.After == "" {
		return text, blocks, false, nil
	}
	post, err := b.store.OutgoingByKey(o.After)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return text, blocks, false, nil
	case err != nil:
		return "", nil, false, err
	case post.State == store.OutboxFailed:
		return text, withKudosUnposted(blocks, post.Channel), false, nil
	case post.State != store.OutboxSent || post.SentTS == "" || post.Channel == "":
		return text, blocks, false, nil
	}
	return text, withKudosPermalink(blocks, post.Channel, b.kudosPermalink(ctx, post.Channel, post.SentTS)), false, nil
}

// kudosPermalink is the link to the message at ts in channel: Slack's
// permalink, or one built from the team URL when Slack gives none.
func (b *Bot) kudosPermalink(ctx context.Context, channel, ts string) string {
	var link string
	err := b.send.call(ctx, "chat.getPermalink", func(ctx context.Context) error {
		var err error
		link, err = b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
		return err
	})
	if err != nil {
		b.log.Warn("kudos: permalink unavailable", "err", err)
		return b.messageLink(channel, ts)
	}
	return link
}

// kudosPostNow is the public post of kudos id as it reads now (after a
// forget-me took someone out of it), or text and blocks when the kudos is
// gone.
func (b *Bot) kudosPostNow(id uint64, text string, blocks []slack.Block) (string, []slack.Block) {
	k, err := b.store.KudosByID(id)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			b.log.Warn("kudos: reading a post to edit failed", "kudos", id, "err", err)
		}
		return text, blocks
	}
	return renderKudosPost(kudosPost{Giver: k.Giver, Receivers: k.Receivers, Reason: k.Text, Values: k.Values,
		Private: k.Private, Channel: k.Channel, At: k.At})
}

// messageLink builds a message link without a call, from the team URL.
func (b *Bot) messageLink(channel, ts string) string {
	if b.teamURL == "" || channel == "" || ts == "" {
		return ""
	}
	return strings.TrimSuffix(b.teamURL, "/") + "/archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}

// kudosLeaderboard answers /kudos top [period], in the asker's zone.
func (b *Bot) kudosLeaderboard(ctx context.Context, cmd slashCommand, period string) error {
	p, err := b.person(ctx, cmd.user)
	if err != nil {
		return err
	}
	from, to := periodBounds(period, b.opts.Now(), b.location(p))
	stats, err := b.store.KudosStats(from, to, 10)
	if err != nil {
		return err
	}
	lb := leaderboard{Period: period, Total: stats.Total, Reader: b.readerFor(p),
		Recognised: personCounts(stats.Receivers), Generous: personCounts(stats.Givers), Values: valueCounts(stats.Values)}
	if period != "all" {
		lb.From, lb.To = from, to
	}
	text, blocks := renderLeaderboard(lb)
	return b.answer(ctx, cmd.origin, response{Text: text, Blocks: blocks})
}

// periodBounds is the current week (from Monday), month, year, or all time,
// as local calendar periods in loc.
func periodBounds(period string, now time.Time, loc *time.Location) (time.Time, time.Time) {
	lt := now.In(loc)
	y, m, d := lt.Date()
	switch period {
	case "week":
		back := (int(lt.Weekday()) + 6) % 7 // days since Monday
		from := time.Date(y, m, d-back, 0, 0, 0, 0, loc)
		return from, time.Date(y, m, d-back+7, 0, 0, 0, 0, loc)
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc), time.Date(y+1, 1, 1, 0, 0, 0, 0, loc)
	case "all":
		return time.Unix(0, 0), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, loc), time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

func personCounts(ts []store.Tally) []personCount {
	out := make([]personCount, len(ts))
	for i, t := range ts {
		out[i] = personCount{User: t.Key, Count: t.Count}
	}
	return out
}

func valueCounts(ts []store.Tally) []valueCount {
	out := make([]valueCount, len(ts))
	for i, t := range ts {
		out[i] = valueCount{Value: t.Key, Count: t.Count}
	}
	return out
}

// kudosShow answers /kudos @person with their recent public kudos.
func (b *Bot) kudosShow(ctx context.Context, cmd slashCommand, user string) error {
	ks, err := b.store.KudosReceived(user, 200)
	if err != nil {
		return err
	}
	var posts []kudosPost
	for _, k := range ks {
		if k.Private {
			continue
		}
		posts = append(posts, kudosPost{Giver: k.Giver, Receivers: k.Receivers, Reason: k.Text, Values: k.Values,
			Channel: k.Channel, Permalink: b.messageLink(k.Channel, k.MessageTS), At: k.At})
		if len(posts) == kudosHistory {
			break
		}
	}
	text, blocks := renderKudosHistory(user, posts, b.readerOf(ctx, cmd.user))
	return b.answer(ctx, cmd.origin, response{Text: text, Blocks: blocks})
}

// openKudosModal opens the kudos form. It runs first thing after the ack:
// a trigger_id lives 3 s.
func (b *Bot) openKudosModal(ctx context.Context, triggerID string, m kudosForm) error {
	m.Values = b.opts.Kudos.Values
	m.RequireValue = b.opts.Kudos.RequireValue
	return b.send.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, triggerID, renderKudosModal(m))
		return err
	})
}

// kudosShortcut opens the form from a message: "Give kudos for this".
func (b *Bot) kudosShortcut(ctx context.Context, in interaction) error {
	cb := in.cb
	m := kudosForm{Channel: cb.Channel.ID}
	if cb.Message.User != "" && cb.Message.User != in.user && cb.Message.BotID == "" {
		m.Recipients = []string{cb.Message.User}
	}
	if cb.Team.Domain != "" && cb.Channel.ID != "" && cb.Message.Timestamp != "" {
		m.Link = fmt.Sprintf("https://%s.slack.com/archives/%s/p%s", cb.Team.Domain, cb.Channel.ID, strings.ReplaceAll(cb.Message.Timestamp, ".", ""))
	}
	return b.openKudosModal(ctx, cb.TriggerID, m)
}

// kudosSubmission is a submitted kudos modal.
type kudosSubmission struct {
	recipients []string
	reason     string
	values     []string
	private    bool
	channel    string
	link       string
}

func readKudosForm(in interaction) kudosSubmission {
	st := in.cb.View.State
	var f kudosSubmission
	if st != nil {
		v := st.Values
		f.recipients = v[kudosRecipientsBlockID][kudosRecipientsAction].SelectedUsers
		// Modal text is plain: escape it like Slack escapes command text.
		f.reason = escapeText(strings.TrimSpace(v[kudosReasonBlockID][kudosReasonAction].Value))
		vals := v[kudosValuesBlockID][kudosValuesAction]
		for _, o := range vals.SelectedOptions {
			f.values = append(f.values, o.Value)
		}
		for _, word := range strings.FieldsFunc(vals.Value, func(r rune) bool { return r == ',' || r == ' ' || r == '#' }) {
			f.values = append(f.values, strings.ToLower(word))
		}
		f.values = dedupe(f.values)
		for _, o := range v[kudosPrivateBlockID][kudosPrivateAction].SelectedOptions {
			f.private = f.private || o.Value == "private"
		}
	}
	var meta struct {
		Channel string `json:"channel"`
		Link    string `json:"link"`
	}
	_ = json.Unmarshal([]byte(in.cb.View.PrivateMetadata), &meta)
	f.channel, f.link = meta.Channel, meta.Link
	return f
}

// validateKudosForm runs before the ack: it may read the store, never
// Slack. Errors are keyed by input block_id and shown on the fields.
func (b *Bot) validateKudosForm(in interaction) map[string]string {
	f := readKudosForm(in)
	errs := map[string]string{}
	switch {
	case len(f.recipients) == 0:
		errs[kudosRecipientsBlockID] = "Pick at least one person."
	case slices.Contains(f.recipients, in.user):
		errs[kudosRecipientsBlockID] = "Kudos are for thanking others: remove yourself."
	default:
		for _, r := range f.recipients {
			if p, err := b.store.Person(r); err == nil && (p.IsBot || p.Deleted) {
				errs[kudosRecipientsBlockID] = "Kudos are for active people, not bots or deactivated accounts."
			}
		}
	}
	if block, problem := b.kudosTextProblem(gift{reason: f.reason, values: f.values}); problem != "" {
		errs[block] = problem
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// kudosSubmit gives the kudos from the modal, after the ack.
func (b *Bot) kudosSubmit(ctx context.Context, in interaction) error {
	f := readKudosForm(in)
	o := in.origin
	o.channel = f.channel
	err := b.giveKudos(ctx, o, gift{users: f.recipients, reason: f.reason, values: f.values, private: f.private, link: f.link})
	var ue *userError
	if errors.As(err, &ue) {
		// The modal is closed by now: say it where the person will see it.
		return b.answerText(ctx, o, ue.msg)
	}
	return err
}

// digestRecognisedMax bounds the people listed by name in a digest.
const digestValues = 5

// PostKudosDigest posts the weekly celebration of the public kudos given in
// [from, to) to the kudos channel; nothing when there were none. It goes
// through the outbox with a key naming the window, so a re-run for the same
// week (a catch-up after a crash, say) never posts twice.
func (b *Bot) PostKudosDigest(ctx context.Context, from, to time.Time) error {
	ch := b.opts.Kudos.Channel
	if ch == "" {
		return nil
	}
	stats, err := b.store.KudosStats(from, to, 0)
	if err != nil {
		return err
	}
	if stats.Total == 0 {
		b.log.Info("kudos digest skipped: no kudos this week", "from", from, "to", to)
		return nil
	}
	values := stats.Values
	if len(values) > digestValues {
		values = values[:digestValues]
	}
	text, blocks := renderKudosDigest(kudosDigest{From: from, To: to, Count: stats.Total, Reader: reader{loc: b.opts.Location, now: b.opts.Now()},
		Recognised: personCounts(stats.Receivers), Values: valueCounts(values)})
	return b.enqueue(store.Outgoing{
		Key:       kudosDigestKey(to),
		Channel:   ch,
		Text:      text,
		Blocks:    encodeBlocks(blocks),
		NotBefore: to,
	})
}
