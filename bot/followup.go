package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// FollowupOptions configure /followup (RAPPORT_FOLLOWUP_SNOOZES).
type FollowupOptions struct {
	Snoozes []string // "1h", "tomorrow", "monday", "2d", "next-week"
}

// followupMaxChars bounds the <what> of a follow-up.
const followupMaxChars = 1000

// snoozeChoice is one snooze button: its key in the button value, its
// label, and when it ends for a person.
type snoozeChoice struct {
	key, label string
}

func (b *Bot) snoozeChoices() []snoozeChoice {
	var out []snoozeChoice
	for _, s := range b.opts.Followup.Snoozes {
		label := s
		switch {
		case s == "tomorrow":
			label = "tomorrow morning"
		case s == "next-week":
			label = "next week"
		case len(s) >= 3 && weekdayIndex(s) >= 0:
			label = time.Weekday(weekdayIndex(s)).String()
		}
		out = append(out, snoozeChoice{key: s, label: label})
	}
	return out
}

func weekdayIndex(s string) int {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.HasPrefix(strings.ToLower(d.String()), s) && len(s) >= 3 {
			return int(d)
		}
	}
	return -1
}

// snoozeUntil is when a snooze ends: a duration from now, or the start of
// the working day on the chosen day.
func snoozeUntil(key string, now time.Time, loc *time.Location, w store.WorkWeek) (time.Time, bool) {
	if d, err := time.ParseDuration(key); err == nil {
		return now.Add(d), true
	}
	if n, err := strconv.Atoi(strings.TrimSuffix(key, "d")); err == nil && strings.HasSuffix(key, "d") {
		return morning(now.In(loc).AddDate(0, 0, n), loc, w), true
	}
	lt := now.In(loc)
	switch {
	case key == "tomorrow":
		return morning(lt.AddDate(0, 0, 1), loc, w), true
	case key == "next-week":
		return morning(lt.AddDate(0, 0, 7-(int(lt.Weekday())+6)%7), loc, w), true
	case weekdayIndex(key) >= 0:
		ahead := (weekdayIndex(key) - int(lt.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		return morning(lt.AddDate(0, 0, ahead), loc, w), true
	}
	return time.Time{}, false
}

// morning is the start of the working day on day's date in loc.
func morning(day time.Time, loc *time.Location, w store.WorkWeek) time.Time {
	y, m, d := day.In(loc).Date()
	return time.Date(y, m, d, int(w.Start/time.Hour), int(w.Start%time.Hour/time.Minute), 0, 0, loc)
}

// followupCommand answers /followup.
func (b *Bot) followupCommand(ctx context.Context, cmd slashCommand) error {
	switch cmd.sub {
	case "help":
		return b.answerUsage(ctx, cmd)
	case "":
		return b.openFollowupModal(ctx, cmd.triggerID, cmd.user, cmd.channel, "", "")
	case "list":
		return b.followupList(ctx, cmd)
	case "done":
		return b.followupDoneByNumber(ctx, cmd)
	}
	author, err := b.person(ctx, cmd.user)
	if err != nil {
		return err
	}
	var counterpart, rest string
	toks := tokenize(cmd.text)
	switch {
	case len(toks) > 0 && toks[0].kind == tokUserMention:
		counterpart, rest = toks[0].id, strings.TrimSpace(cmd.text[toks[0].end:])
	case cmd.sub == "me" || cmd.sub == "myself":
		rest = cmd.args
	default:
		return errNoPerson(cmd.text, followupExample)
	}
	if counterpart == cmd.user {
		counterpart = ""
	}
	what, due, err := parseDue(rest, b.opts.Now(), b.location(author), b.workWeek(author), localeDateOrder(author.Locale))
	if err != nil {
		return err
	}
	return b.makeFollowup(ctx, cmd.origin, author, counterpart, what, due, "")
}

// followupExample is the syntax people are shown when they name nobody.
const followupExample = "`/followup @maya send the deck by friday` (or `/followup me …` for a note to yourself)"

// makeFollowup checks and stores a follow-up, confirms to the author with
// Undo and tells the counterpart.
func (b *Bot) makeFollowup(ctx context.Context, o origin, author store.Person, counterpart, what string, due time.Time, link string) error {
	if plainLength(what) > followupMaxChars {
		return userErrorf("That's %d characters; a follow-up holds up to %d. Nothing was saved: keep the gist, e.g. `/followup @maya send the Q3 deck by friday`.", plainLength(what), followupMaxChars)
	}
	if strings.TrimSpace(what) == "" {
		return userErrorf("What will you do? Try `/followup @maya send the deck by friday`.")
	}
	if counterpart != "" {
		p, err := b.person(ctx, counterpart)
		switch {
		case errors.Is(err, errUnknownUser):
			return errNoPerson("<@"+counterpart+">", followupExample)
		case err != nil:
			return err
		case p.IsBot:
			return userErrorf("<@%s> is a bot; promises are for people. Nothing was saved. For a note to yourself: `/followup me …`.", counterpart)
		case p.Deleted:
			return userErrorf("<@%s> is no longer active in this workspace, so nothing was saved.", counterpart)
		}
	}
	now := b.opts.Now()
	var cr reader // the counterpart's zone, looked up before the transaction
	if counterpart != "" {
		cr = b.readerOf(ctx, counterpart)
	}
	f, err := b.store.AddFollowup(store.Followup{
		Owner: o.user, Counterpart: counterpart, Text: what, Due: due, Created: now,
		Status: store.FollowupOpen, Channel: o.channel, Link: link, NextAt: due,
	}, func(f store.Followup) store.Effects {
		var e store.Effects
		if f.Counterpart != "" {
			e.InTouch = []store.InTouch{{A: f.Owner, B: f.Counterpart, At: now, Kind: store.InTouchFollowup}}
			text, blocks := renderFollowupNotice(f, cr)
			e.Outbox = append(e.Outbox, store.Outgoing{Key: followupNoticeKey(f.ID), User: f.Counterpart, Kind: store.DMReceipts,
				Text: text, Blocks: encodeBlocks(blocks), RespectHours: true})
		}
		return effectsDueAt(withHomeRefresh(e, fmt.Sprintf("followup:%d", f.ID), f.Owner, f.Counterpart), now)
	})
	if err != nil {
		return b.notSaved(err, "that follow-up")
	}
	b.kickOutbox()
	text, blocks := renderFollowupCreated(f, b.readerFor(author))
	return b.answer(ctx, o, response{Text: text, Blocks: blocks})
}

// withHomeRefresh adds to e a refresh of the Home of each of users (""
// skipped) that the action cause changed.
func withHomeRefresh(e store.Effects, cause string, users ...string) store.Effects {
	for _, u := range users {
		if u != "" {
			e.Outbox = append(e.Outbox, homeRefresh(u, cause))
		}
	}
	return e
}

// notSaved is the answer when the transaction of an action failed: the
// failure is logged, and the person learns that nothing was done, so
// that they may simply try again.
func (b *Bot) notSaved(err error, what string) error {
	b.log.Error("an action could not be saved; nothing was done", "what", what, "err", err)
	return userErrorf("I couldn't save %s, so nothing was done and nobody was told. Please try again in a moment.", what)
}

// openFollowupModal opens the follow-up form, however it was asked for
// (/followup alone, "Follow up on this", "Record a follow-up" after a
// coffee), with the date set to formDefaultDate.
func (b *Bot) openFollowupModal(ctx context.Context, triggerID, user, channel, counterpart, link string) error {
	p, err := b.person(ctx, user)
	if err != nil {
		return err
	}
	date := pickerDate(formDefaultDate(b.opts.Now(), b.location(p), b.workWeek(p)), b.location(p))
	return b.send.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, triggerID, renderFollowupModal(channel, counterpart, link, date))
		return err
	})
}

// formDefaultDate is the date the follow-up form starts on: the person's
// next working day after today, in their zone and working week (Friday
// gives Monday). Today would make a promise saved as it came due at the
// end of this working day, perhaps minutes away, with nudges from the
// next morning; the next working day leaves a whole working day for
// something that came out of a conversation, while it is still fresh.
func formDefaultDate(now time.Time, loc *time.Location, w store.WorkWeek) time.Time {
	lt := now.In(loc)
	tomorrow := time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
	return w.Next(tomorrow, loc).In(loc)
}

// myOpenFollowups is the author's open list in display order: overdue
// first (oldest due first), then by due. /followup done <n> counts in it.
func (b *Bot) myOpenFollowups(user string) ([]store.Followup, error) {
	all, err := b.store.FollowupsOwnedBy(user)
	if err != nil {
		return nil, err
	}
	var open []store.Followup
	for _, f := range all {
		if f.Status == store.FollowupOpen {
			open = append(open, f)
		}
	}
	slices.SortStableFunc(open, func(a, c store.Followup) int { return a.Due.Compare(c.Due) })
	return open, nil
}

func (b *Bot) followupList(ctx context.Context, cmd slashCommand) error {
	p, err := b.person(ctx, cmd.user)
	if err != nil {
		return err
	}
	mine, err := b.myOpenFollowups(cmd.user)
	if err != nil {
		return err
	}
	owedAll, err := b.store.FollowupsOwedTo(cmd.user)
	if err != nil {
		return err
	}
	var owed []store.Followup
	for _, f := range owedAll {
		if f.Status == store.FollowupOpen {
			owed = append(owed, f)
		}
	}
	slices.SortStableFunc(owed, func(a, c store.Followup) int { return a.Due.Compare(c.Due) })
	items := make([]followupListItem, len(mine))
	for i, f := range mine {
		items[i] = followupListItem{N: i + 1, F: f}
	}
	text, blocks := renderFollowupList(items, owed, b.readerFor(p))
	return b.answer(ctx, cmd.origin, response{Text: text, Blocks: blocks})
}

func (b *Bot) followupDoneByNumber(ctx context.Context, cmd slashCommand) error {
	numStr, note, _ := strings.Cut(cmd.args, " ")
	n, err := strconv.Atoi(numStr)
	mine, lerr := b.myOpenFollowups(cmd.user)
	if lerr != nil {
		return lerr
	}
	if err != nil || n < 1 || n > len(mine) {
		return userErrorf("Which one? `/followup list` numbers your open follow-ups; then `/followup done 2` (you have %d open).", len(mine))
	}
	return b.completeFollowup(ctx, cmd.origin, mine[n-1].ID, store.FollowupDone, strings.TrimSpace(note))
}

// ownFollowup loads a follow-up for a click or command by user: only the
// author may act on it; a payload naming someone else's changes nothing.
func (b *Bot) ownFollowup(value, user string) (store.Followup, error) {
	id, err := strconv.ParseUint(strings.SplitN(value, ":", 2)[0], 10, 64)
	if err != nil {
		return store.Followup{}, userErrorf("That button is out of date; nothing was changed.")
	}
	f, err := b.store.Followup(id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Followup{}, userErrorf("That follow-up no longer exists; nothing was changed.")
	}
	if err != nil {
		return store.Followup{}, err
	}
	if f.Owner != user {
		return store.Followup{}, userErrorf("Only <@%s> can change that follow-up; nothing was changed.", f.Owner)
	}
	return f, nil
}

// completeFollowup marks a follow-up done or dropped and tells the
// counterpart, once. A second Done says it is already done.
func (b *Bot) completeFollowup(ctx context.Context, o origin, id uint64, status store.FollowupStatus, note string) error {
	now := b.opts.Now()
	var was store.FollowupStatus
	f, err := b.store.UpdateFollowup(id, func(f *store.Followup) error {
		if f.Owner != o.user {
			return errNotOwner
		}
		was = f.Status
		if f.Status != store.FollowupOpen {
			return nil
		}
		f.Status, f.DoneAt, f.Note, f.NextAt = status, now, note, time.Time{}
		return nil
	}, func(f store.Followup) store.Effects {
		// The status was decided in this same transaction: a second Done
		// causes nothing.
		var e store.Effects
		if was != store.FollowupOpen {
			return e
		}
		if f.Counterpart != "" {
			e.InTouch = []store.InTouch{{A: f.Owner, B: f.Counterpart, At: f.DoneAt, Kind: store.InTouchFollowup}}
			e.Outbox = append(e.Outbox, store.Outgoing{Key: followupReceiptKey(f.ID), User: f.Counterpart, Kind: store.DMReceipts,
				Text: renderFollowupReceipt(f), RespectHours: true})
		}
		return effectsDueAt(withHomeRefresh(e, fmt.Sprintf("followup:%d:%s", f.ID, f.Status), f.Owner, f.Counterpart), now)
	})
	switch {
	case errors.Is(err, errNotOwner):
		return userErrorf("Only the person who made that promise can change it; nothing was changed.")
	case errors.Is(err, store.ErrNotFound):
		return userErrorf("That follow-up no longer exists; nothing was changed.")
	case err != nil:
		return b.notSaved(err, "that change")
	}
	if was != store.FollowupOpen {
		return b.answer(ctx, o, response{Text: fmt.Sprintf("That one is already %s.", was)})
	}
	b.kickOutbox()
	msg := fmt.Sprintf(":white_check_mark: Done: %s.", f.Text)
	if status == store.FollowupDropped {
		msg = fmt.Sprintf("Dropped: %s.", f.Text)
	}
	if f.Counterpart != "" {
		msg += fmt.Sprintf(" I've let <@%s> know.", f.Counterpart)
	}
	return b.answer(ctx, o, response{Text: msg})
}

var errNotOwner = errors.New("bot: not the owner")

func (b *Bot) followupDoneButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	f, err := b.ownFollowup(a.Value, in.user)
	if err != nil {
		return err
	}
	return b.completeFollowup(ctx, in.origin, f.ID, store.FollowupDone, "")
}

func (b *Bot) followupSnoozeButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	f, err := b.ownFollowup(a.Value, in.user)
	if err != nil {
		return err
	}
	_, key, _ := strings.Cut(a.Value, ":")
	p, err := b.person(ctx, in.user)
	if err != nil {
		return err
	}
	until, ok := snoozeUntil(key, b.opts.Now(), b.location(p), b.workWeek(p))
	if !ok {
		return userErrorf("That snooze is out of date; nothing was changed.")
	}
	// A snooze is the owner acting on the item: a fresh reminder then, and
	// the back-off of nudges starts over from it. Whether it is still open
	// is decided in the transaction that snoozes it.
	was := f.Status
	f, err = b.store.UpdateFollowup(f.ID, func(fu *store.Followup) error {
		if fu.Owner != in.user {
			return errNotOwner
		}
		if was = fu.Status; was != store.FollowupOpen {
			return nil
		}
		fu.NextAt, fu.Reminded, fu.Nudges, fu.AskedAt = until, false, 0, time.Time{}
		return nil
	}, nil)
	if err := changeRefused(err); err != nil {
		return err
	}
	if err != nil {
		return b.notSaved(err, "that snooze")
	}
	if was != store.FollowupOpen {
		return b.answer(ctx, in.origin, response{Text: fmt.Sprintf("That one is already %s.", was)})
	}
	return b.answer(ctx, in.origin, response{Text: fmt.Sprintf(":zzz: Snoozed *%s* until %s.", f.Text, localWhen(until, b.readerFor(p)))})
}

func (b *Bot) followupDropButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	f, err := b.ownFollowup(a.Value, in.user)
	if err != nil {
		return err
	}
	if f.Status != store.FollowupOpen {
		return b.answer(ctx, in.origin, response{Text: fmt.Sprintf("That one is already %s.", f.Status)})
	}
	return b.send.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, in.triggerID, renderFollowupNoteModal(followupDropModalID, f, false, ""))
		return err
	})
}

func (b *Bot) followupRenegotiateButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	f, err := b.ownFollowup(a.Value, in.user)
	if err != nil {
		return err
	}
	p, err := b.person(ctx, in.user)
	if err != nil {
		return err
	}
	today := pickerDate(b.opts.Now().In(b.location(p)).AddDate(0, 0, 2), b.location(p))
	return b.send.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, in.triggerID, renderFollowupNoteModal(followupRenegotiateID, f, true, today))
		return err
	})
}

// followupKeepButton answers Keep on the question about a long-overdue
// item: it stays open, on /followup list and the App Home, and nothing
// more is sent about it until the owner gives it a new date or snoozes it.
func (b *Bot) followupKeepButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	f, err := b.ownFollowup(a.Value, in.user)
	if err != nil {
		return err
	}
	switch {
	case f.Status != store.FollowupOpen:
		return b.answer(ctx, in.origin, response{Text: fmt.Sprintf("That one is already %s.", f.Status)})
	case f.AskedAt.IsZero():
		return b.answer(ctx, in.origin, response{Text: fmt.Sprintf("*%s* has a new date already; nothing was changed.", f.Text)})
	default:
		return b.answer(ctx, in.origin, response{Text: fmt.Sprintf("Kept: *%s* stays on your list (`/followup list`, and the Home tab) and I won't bring it up again. A new date or a snooze brings reminders back.", f.Text)})
	}
}

// followupNewDateButton opens the new-date form for any open follow-up
// (the counterpart, if any, is told the new date).
func (b *Bot) followupNewDateButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	f, err := b.ownFollowup(a.Value, in.user)
	if err != nil {
		return err
	}
	if f.Status != store.FollowupOpen {
		return b.answer(ctx, in.origin, response{Text: fmt.Sprintf("That one is already %s.", f.Status)})
	}
	return b.followupRenegotiateButton(ctx, in, a)
}

// followupUndoButton undoes a follow-up just made, in one transaction
// that checks the owner, deletes it, withdraws the counterpart's note if
// it has not gone out, and otherwise queues a word that it was taken
// back. Every failure reaches the person.
func (b *Bot) followupUndoButton(ctx context.Context, in interaction, a *slack.BlockAction) error {
	f, err := b.ownFollowup(a.Value, in.user)
	if err != nil {
		return err
	}
	now := b.opts.Now()
	_, err = b.store.DeleteFollowup(f.ID, followupNoticeKey(f.ID), func(f store.Followup, notice store.OutboxState) (store.Effects, error) {
		if f.Owner != in.user {
			return store.Effects{}, errNotOwner
		}
		var e store.Effects
		if f.Counterpart != "" && (notice == store.OutboxSent || notice == store.OutboxSending) {
			// The note may be out: say it was taken back, once it has
			// settled, and only if it was indeed sent (renderFollowupUndoneNow).
			e.Outbox = append(e.Outbox, store.Outgoing{Key: followupUndoneKey(f.ID), User: f.Counterpart, Kind: store.DMReceipts,
				Text:  fmt.Sprintf("<@%s> took back the note about: %s. (It was made by mistake.)", f.Owner, f.Text),
				After: followupNoticeKey(f.ID), Render: renderFollowupUndone, RespectHours: true})
		}
		return effectsDueAt(withHomeRefresh(e, fmt.Sprintf("followup:%d:undo", f.ID), f.Owner, f.Counterpart), now), nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return userErrorf("That follow-up is already gone; nothing was changed.")
	}
	if err := changeRefused(err); err != nil {
		return err
	}
	if err != nil {
		return b.notSaved(err, "the undo")
	}
	b.kickOutbox()
	return b.answer(ctx, in.origin, response{Text: "Undone: that follow-up is gone.", ReplaceOriginal: true})
}

// renderFollowupUndoneNow delivers the word that a follow-up was taken
// back only if its note was indeed sent: the note was on its way when the
// follow-up was undone, and has settled since.
func (b *Bot) renderFollowupUndoneNow(ctx context.Context, o store.Outgoing) (string, []slack.Block, bool, error) {
	notice, err := b.store.OutgoingByKey(o.After)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return o.Text, nil, false, nil // pruned long after it was sent
	case err != nil:
		return "", nil, false, err
	case notice.State != store.OutboxSent:
		return "", nil, true, nil
	}
	return o.Text, decodeBlocks(o.Blocks), false, nil
}

// changeRefused is the person's answer when a follow-up they act on is
// not theirs or no longer exists; nil for any other err.
func changeRefused(err error) error {
	switch {
	case errors.Is(err, errNotOwner):
		return userErrorf("Only the person who made that promise can change it; nothing was changed.")
	case errors.Is(err, store.ErrNotFound):
		return userErrorf("That follow-up no longer exists; nothing was changed.")
	}
	return nil
}

// followupShortcut opens the form from a message: "Follow up on this".
func (b *Bot) followupShortcut(ctx context.Context, in interaction) error {
	cb := in.cb
	counterpart := ""
	if cb.Message.User != "" && cb.Message.User != in.user && cb.Message.BotID == "" {
		counterpart = cb.Message.User
	}
	link := ""
	if cb.Team.Domain != "" && cb.Channel.ID != "" && cb.Message.Timestamp != "" {
		link = fmt.Sprintf("https://%s.slack.com/archives/%s/p%s", cb.Team.Domain, cb.Channel.ID, strings.ReplaceAll(cb.Message.Timestamp, ".", ""))
	}
	return b.openFollowupModal(ctx, cb.TriggerID, in.user, cb.Channel.ID, counterpart, link)
}

type followupForm struct {
	person, what, date, clock, channel, link string
}

func readFollowupForm(in interaction) followupForm {
	var f followupForm
	if st := in.cb.View.State; st != nil {
		v := st.Values
		f.person = v[followupPersonBlockID][followupPersonAction].SelectedUser
		f.what = escapeText(strings.TrimSpace(v[followupWhatBlockID][followupWhatAction].Value))
		f.date = v[followupDateBlockID][followupDateAction].SelectedDate
		f.clock = v[followupTimeBlockID][followupTimeAction].SelectedTime
	}
	var meta struct{ Channel, Link string }
	_ = json.Unmarshal([]byte(in.cb.View.PrivateMetadata), &meta)
	f.channel, f.link = meta.Channel, meta.Link
	return f
}

// formDue turns the picked date (and time) into an instant in loc; no time
// means the end of that working day.
func formDue(date, clock string, loc *time.Location, w store.WorkWeek) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return time.Time{}, err
	}
	h, m := int(w.End/time.Hour), int(w.End%time.Hour/time.Minute)
	if clock != "" {
		t, err := time.Parse("15:04", clock)
		if err != nil {
			return time.Time{}, err
		}
		h, m = t.Hour(), t.Minute()
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), nil
}

// validateFollowupForm runs before the ack; it reads the store only.
func (b *Bot) validateFollowupForm(in interaction) map[string]string {
	f := readFollowupForm(in)
	errs := map[string]string{}
	if f.what == "" {
		errs[followupWhatBlockID] = "What will you do?"
	} else if plainLength(f.what) > followupMaxChars {
		errs[followupWhatBlockID] = fmt.Sprintf("Up to %d characters.", followupMaxChars)
	}
	p, _ := b.store.Person(in.user)
	due, err := formDue(f.date, f.clock, b.location(p), b.workWeek(p))
	now := b.opts.Now()
	switch {
	case err != nil:
		errs[followupDateBlockID] = "Pick a date."
	case !due.After(now):
		errs[followupDateBlockID] = pastDateText(due, b.readerFor(p)) + " Pick a later date or time."
	case due.After(now.AddDate(1, 0, 0)):
		errs[followupDateBlockID] = "Pick a date within a year."
	}
	if f.person != "" {
		if cp, err := b.store.Person(f.person); err == nil && (cp.IsBot || cp.Deleted) {
			errs[followupPersonBlockID] = "Promises are for active people, not bots or deactivated accounts."
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (b *Bot) followupSubmit(ctx context.Context, in interaction) error {
	f := readFollowupForm(in)
	author, err := b.person(ctx, in.user)
	if err != nil {
		return err
	}
	due, err := formDue(f.date, f.clock, b.location(author), b.workWeek(author))
	if err != nil {
		return err
	}
	counterpart := f.person
	if counterpart == in.user {
		counterpart = ""
	}
	o := in.origin
	o.channel = f.channel
	err = b.makeFollowup(ctx, o, author, counterpart, f.what, due, f.link)
	var ue *userError
	if errors.As(err, &ue) {
		return b.answerText(ctx, o, ue.msg)
	}
	return err
}

func noteFrom(in interaction) string {
	if st := in.cb.View.State; st != nil {
		return escapeText(strings.TrimSpace(st.Values[followupNoteBlockID][followupNoteAction].Value))
	}
	return ""
}

func (b *Bot) followupDropSubmit(ctx context.Context, in interaction) error {
	f, err := b.ownFollowup(in.cb.View.PrivateMetadata, in.user)
	if err != nil {
		return b.answerText(ctx, in.origin, err.Error())
	}
	return b.completeFollowup(ctx, in.origin, f.ID, store.FollowupDropped, noteFrom(in))
}

// validateNewDateForm refuses a past new date on the form itself; it
// reads the store only.
func (b *Bot) validateNewDateForm(in interaction) map[string]string {
	date := ""
	if st := in.cb.View.State; st != nil {
		date = st.Values[followupDateBlockID][followupDateAction].SelectedDate
	}
	p, _ := b.store.Person(in.user)
	due, err := formDue(date, "", b.location(p), b.workWeek(p))
	switch {
	case err != nil:
		return map[string]string{followupDateBlockID: "Pick a date."}
	case !due.After(b.opts.Now()):
		return map[string]string{followupDateBlockID: pastDateText(due, b.readerFor(p)) + " Pick a later date."}
	}
	return nil
}

func (b *Bot) followupRenegotiateSubmit(ctx context.Context, in interaction) error {
	f, err := b.ownFollowup(in.cb.View.PrivateMetadata, in.user)
	if err != nil {
		return b.answerText(ctx, in.origin, err.Error())
	}
	p, err := b.person(ctx, in.user)
	if err != nil {
		return err
	}
	date := ""
	if st := in.cb.View.State; st != nil {
		date = st.Values[followupDateBlockID][followupDateAction].SelectedDate
	}
	due, err := formDue(date, "", b.location(p), b.workWeek(p))
	if err != nil || !due.After(b.opts.Now()) {
		// The form's check refuses this first; a form submitted across
		// midnight can still get here.
		return b.answerText(ctx, in.origin, pastDateText(due, b.readerFor(p))+" Nothing was changed; pick a later date.")
	}
	// A new date starts the follow-up over: its reminder at the new date,
	// then the back-off of nudges from the beginning. Whether it is still
	// open is decided in the transaction that moves it, which also queues
	// the word to the counterpart and the Home refreshes.
	var cr reader
	if f.Counterpart != "" {
		cr = b.readerOf(ctx, f.Counterpart)
	}
	note, now := noteFrom(in), b.opts.Now()
	was := f.Status
	f, err = b.store.UpdateFollowup(f.ID, func(fu *store.Followup) error {
		if fu.Owner != in.user {
			return errNotOwner
		}
		if was = fu.Status; was != store.FollowupOpen {
			return nil
		}
		fu.Due, fu.NextAt, fu.Reminded, fu.Nudges, fu.AskedAt = due, due, false, 0, time.Time{}
		return nil
	}, func(fu store.Followup) store.Effects {
		var e store.Effects
		if was != store.FollowupOpen {
			return e
		}
		if fu.Counterpart != "" {
			text := fmt.Sprintf(":calendar: <@%s> proposes a new date for *%s*: %s.", fu.Owner, fu.Text, localWhen(due, cr))
			if note != "" {
				text += "\n>" + note
			}
			e.Outbox = append(e.Outbox, store.Outgoing{Key: followupRenegotiateKey(fu.ID, due), User: fu.Counterpart, Kind: store.DMReceipts, Text: text, RespectHours: true})
		}
		return effectsDueAt(withHomeRefresh(e, fmt.Sprintf("followup:%d:due:%d", fu.ID, due.Unix()), fu.Owner, fu.Counterpart), now)
	})
	if err := changeRefused(err); err != nil {
		return b.answerText(ctx, in.origin, err.Error())
	}
	if err != nil {
		return b.notSaved(err, "the new date")
	}
	if was != store.FollowupOpen {
		return b.answerText(ctx, in.origin, fmt.Sprintf("That one is already %s; nothing was changed.", was))
	}
	b.kickOutbox()
	if f.Counterpart == "" {
		return b.answerText(ctx, in.origin, fmt.Sprintf("New date set for *%s*: %s. I'll remind you then.", f.Text, localWhen(due, b.readerFor(p))))
	}
	return b.answerText(ctx, in.origin, fmt.Sprintf("New date set: %s. I've let <@%s> know.", localWhen(due, b.readerFor(p)), f.Counterpart))
}

// RemindFollowups is the tick's work for follow-ups: for each author, at
// most one DM per tick that reminds of the items that fell due and nudges
// about those still overdue (an item is in one part or the other, never
// both). It is decided only inside the author's working hours: outside
// them every due item waits for the next working window, so nothing piles
// up in the outbox to arrive beside a nudge for the same item. Each DM is
// queued under a key naming the author, the items and their NextAt, so a
// crash between queueing and recording sends nothing twice.
func (b *Bot) RemindFollowups(ctx context.Context, now time.Time) error {
	due, err := b.store.FollowupsDue(now, 1000)
	if err != nil {
		return err
	}
	byOwner := map[string][]store.Followup{}
	var owners []string
	for _, f := range due {
		if _, ok := byOwner[f.Owner]; !ok {
			owners = append(owners, f.Owner)
		}
		byOwner[f.Owner] = append(byOwner[f.Owner], f)
	}
	for _, owner := range owners {
		if err := b.remindOwner(ctx, now, owner, byOwner[owner]); err != nil {
			return err
		}
	}
	return nil
}

// remindOwner sends owner's one follow-up DM of this tick about items
// (all open and due at now), or moves them to the next working window.
func (b *Bot) remindOwner(ctx context.Context, now time.Time, owner string, items []store.Followup) error {
	p, err := b.person(ctx, owner)
	if err != nil && !errors.Is(err, errUnknownUser) {
		return err
	}
	loc, week := b.location(p), b.workWeek(p)
	if next := week.Next(now, loc); next.After(now) {
		return b.postponeFollowups(items, now, next)
	}
	var reminders, nudges, asks []store.Followup
	for _, f := range items {
		switch {
		case !f.Reminded:
			reminders = append(reminders, f)
		case f.Nudges >= dailyNudges+weeklyNudges:
			asks = append(asks, f)
		default:
			nudges = append(nudges, f)
		}
	}
	byDue := func(a, c store.Followup) int { return a.Due.Compare(c.Due) }
	slices.SortStableFunc(nudges, byDue)
	slices.SortStableFunc(asks, byDue)
	var showReminders, showNudges, showAsks []store.Followup
	if !p.IsMuted(store.DMReminders) {
		showReminders = reminders
	}
	if !p.IsMuted(store.DMNudges) {
		showNudges, showAsks = nudges, asks
		for i := range showNudges {
			showNudges[i].Nudges++
		}
	}
	var dm store.Effects
	if len(showReminders)+len(showNudges)+len(showAsks) > 0 {
		text, blocks := renderFollowupDM(followupDM{reminders: showReminders, nudges: showNudges, asks: showAsks}, b.snoozeChoices(), reader{loc: loc, now: now})
		kind := store.DMNudges
		if len(showReminders) > 0 {
			kind = store.DMReminders
		}
		dm.Outbox = []store.Outgoing{{Key: followupDMKey(owner, items), User: owner, Kind: kind,
			Text: text, Blocks: encodeBlocks(blocks), RespectHours: true, NotBefore: now}}
	}
	// What was sent is recorded for every item at once, with the DM: a
	// crash halfway would leave some items due again, and the next tick
	// would build a DM about those (under another key) and send it a
	// second time.
	kinds := map[uint64]string{}
	for _, f := range reminders {
		kinds[f.ID] = "reminder"
	}
	for _, f := range nudges {
		kinds[f.ID] = "nudge"
	}
	for _, f := range asks {
		kinds[f.ID] = "ask"
	}
	ids := make([]uint64, 0, len(items))
	for _, f := range items {
		ids = append(ids, f.ID)
	}
	err = b.store.UpdateFollowups(ids, func(fu *store.Followup) error {
		switch kinds[fu.ID] {
		case "reminder":
			fu.Reminded, fu.NextAt = true, nextNudgeAt(0, now, loc, week)
		case "nudge":
			fu.Nudges, fu.LastNudge = fu.Nudges+1, now
			fu.NextAt = nextNudgeAt(fu.Nudges, now, loc, week)
		case "ask":
			// Asked once: nothing more is scheduled until the owner acts.
			fu.AskedAt, fu.NextAt = now, time.Time{}
		}
		return nil
	}, dm)
	if err != nil {
		return err
	}
	if len(dm.Outbox) > 0 {
		b.kickOutbox()
	}
	return nil
}

// The back-off of nudges about an overdue follow-up (the README has the
// schedule): one on each of the dailyNudges working days after the
// reminder, then weeklyNudges a week apart, then, a week later, one
// question (keep, new date or drop) and nothing more until the owner acts.
// A person who ignores a note to themselves hears about it eight times in
// about five weeks, not every working day for ever.
const (
	dailyNudges  = 3
	weeklyNudges = 3
)

// nextNudgeAt is when the next DM about an overdue follow-up goes out once
// sent nudges have gone (0: just the reminder): the start of the next
// working day while the daily nudges last, then of the working day a week
// on.
func nextNudgeAt(sent int, now time.Time, loc *time.Location, week store.WorkWeek) time.Time {
	days := 1
	if sent >= dailyNudges {
		days = 7
	}
	return week.Next(morning(now.In(loc).AddDate(0, 0, days), loc, week), loc)
}

// postponeFollowups moves items that are still due at now to next (the
// start of their owner's next working window).
func (b *Bot) postponeFollowups(items []store.Followup, now, next time.Time) error {
	for _, f := range items {
		if _, err := b.store.UpdateFollowup(f.ID, func(fu *store.Followup) error {
			if fu.Status == store.FollowupOpen && !fu.NextAt.After(now) {
				fu.NextAt = next
			}
			return nil
		}, nil); err != nil {
			return err
		}
	}
	return nil
}
