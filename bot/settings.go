package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// homeSettings opens the settings form from the Home's Settings button,
// showing the hours and days in effect (the default ones until changed).
func (b *Bot) homeSettings(ctx context.Context, in interaction, a *slack.BlockAction) error {
	p, err := b.person(ctx, in.user)
	if err != nil {
		return err
	}
	w := b.workWeek(p)
	view := renderSettingsModal(settingsView{WorkStart: w.Start, WorkEnd: w.End, WorkDays: w.Days, TZOverride: p.TZOverride, Muted: p.Muted, Style: p.Style})
	return b.send.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, in.triggerID, view)
		return err
	})
}

type settingsForm struct {
	start, end time.Duration
	startOK    bool
	endOK      bool
	days       []time.Weekday
	tz         string
	on         []string // DM kinds left on
	style      string
}

func readSettingsForm(in interaction) settingsForm {
	var f settingsForm
	st := in.cb.View.State
	if st == nil {
		return f
	}
	v := st.Values
	f.start, f.startOK = settingsParseHalfHour(v[settingsStartBlockID][settingsStartAction].SelectedOption.Value)
	f.end, f.endOK = settingsParseHalfHour(v[settingsEndBlockID][settingsEndAction].SelectedOption.Value)
	for _, o := range v[settingsDaysBlockID][settingsDaysAction].SelectedOptions {
		if d, err := strconv.Atoi(o.Value); err == nil && d >= 0 && d <= 6 {
			f.days = append(f.days, time.Weekday(d))
		}
	}
	f.tz = strings.TrimSpace(v[settingsTZBlockID][settingsTZAction].Value)
	for _, o := range v[settingsDMsBlockID][settingsDMsAction].SelectedOptions {
		f.on = append(f.on, o.Value)
	}
	f.style = escapeText(strings.TrimSpace(v[settingsStyleBlockID][settingsStyleAction].Value))
	return f
}

// validateSettings runs before the ack and needs no I/O.
func (b *Bot) validateSettings(in interaction) map[string]string {
	f := readSettingsForm(in)
	errs := map[string]string{}
	switch {
	case !f.startOK:
		errs[settingsStartBlockID] = "Pick when your work starts."
	case !f.endOK:
		errs[settingsEndBlockID] = "Pick when your work ends."
	case f.end <= f.start:
		errs[settingsEndBlockID] = "Work has to end after it starts."
	}
	if len(f.days) == 0 {
		errs[settingsDaysBlockID] = "Pick at least one working day."
	}
	if f.tz != "" {
		if _, ok := store.CanonicalZone(f.tz); !ok {
			errs[settingsTZBlockID] = "That isn't a time zone I know. Use a name like Europe/Berlin or America/New_York."
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// saveSettings stores the form for the person who submitted it: only their
// own preferences, whatever the payload says. The zone is stored in its
// IANA spelling, however it was typed. The modal closes on the ack, so the
// confirmation goes where the person is: the Home tab (the only place with
// a Settings button), republished with what was saved. If the store
// fails, nothing is saved and the Home says so (a submitted modal has no
// other place to answer in).
func (b *Bot) saveSettings(ctx context.Context, in interaction) error {
	f := readSettingsForm(in)
	tz, _ := store.CanonicalZone(f.tz) // validated before the ack; "" when empty
	now := b.opts.Now()
	saved, err := b.store.UpdatePerson(in.user, func(p *store.Person) {
		markHomeOpened(p, now) // the Settings button is on the Home
		p.WorkStart, p.WorkEnd, p.WorkDays = f.start, f.end, f.days
		p.TZOverride = tz
		p.Style = f.style
		p.Muted = nil
		for _, k := range store.DMKinds {
			if !slices.Contains(f.on, string(k)) {
				p.Muted = append(p.Muted, k)
			}
		}
	}, store.Effects{})
	if err != nil {
		if perr := b.publishHomeNotice(ctx, in.user, settingsNotSavedNotice); perr != nil {
			return errors.Join(err, perr)
		}
		return err // logged; the person has been told
	}
	return b.publishHomeNotice(ctx, in.user, settingsSavedNotice(saved, b.workWeek(saved), b.location(saved), now))
}

// settingsNotSavedNotice heads the Home when saving the settings failed.
const settingsNotSavedNotice = ":warning: Sorry, I couldn't save your settings, so nothing was changed. Please try again in a moment."
