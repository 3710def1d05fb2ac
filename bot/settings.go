package bot

import (
	"context"
	"errors"
	"fmt"
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
	view := renderSettingsModal(settingsView{WorkStart: w.Start, WorkEnd: w.End, WorkDays: w.Days, TZOverride: p.TZOverride, Muted: p.Muted, Style: p.Style,
		Birthday: p.Birthday, Started: p.Started, Visibility: p.Visibility,
		// Public is offered where there is a channel to post in, and kept
		// for someone who chose it before the channel was unset, so the
		// form still opens on their choice.
		PublicOK: b.opts.CelebrationsChannel != "" || p.Visibility == store.VisibilityPublic})
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
	celebrate  celebrateForm
}

// celebrateForm is the celebrations part of the settings form as
// submitted, unchecked.
type celebrateForm struct {
	month, day string   // the birthday's selects, "1"–"12" and "1"–"31"; "" none chosen
	started    string   // the start date as the date picker gives it, "2021-06-01"; "" none
	visibility string   // "public", "private" or "none"; "" none chosen (keep)
	forget     []string // ticked: "birthday", "started"
}

// celebrateChange is what a checked celebrateForm sets.
type celebrateChange struct {
	birthday   store.MonthDay
	started    store.Date
	visibility store.Visibility // "": keep what is stored
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
	f.celebrate.month = v[settingsBdayMonthBlockID][settingsBdayMonthAction].SelectedOption.Value
	f.celebrate.day = v[settingsBdayDayBlockID][settingsBdayDayAction].SelectedOption.Value
	f.celebrate.started = v[settingsStartedBlockID][settingsStartedAction].SelectedDate
	f.celebrate.visibility = v[settingsVisibilityBlockID][settingsVisibilityAction].SelectedOption.Value
	for _, o := range v[settingsForgetBlockID][settingsForgetAction].SelectedOptions {
		f.celebrate.forget = append(f.celebrate.forget, o.Value)
	}
	return f
}

// checkCelebrateForm checks the celebrations part of the settings form
// as /rapport celebrate checks the same input: a birthday is a day of the
// calendar (31 April is not), a start date has already come (today is in
// the zone the form leaves the person in), and public needs a
// celebrations channel. It returns the change, or errors keyed by block.
func (b *Bot) checkCelebrateForm(f celebrateForm, p store.Person, today time.Time) (celebrateChange, map[string]string) {
	var c celebrateChange
	errs := map[string]string{}
	if !slices.Contains(f.forget, "birthday") {
		m, mErr := strconv.Atoi(f.month)
		d, dErr := strconv.Atoi(f.day)
		switch {
		case f.month == "" && f.day == "":
		case f.month == "":
			errs[settingsBdayMonthBlockID] = "Pick the month of your birthday too, or no day."
		case f.day == "":
			errs[settingsBdayDayBlockID] = "Pick the day of your birthday too, or no month."
		case mErr != nil || m < 1 || m > 12:
			errs[settingsBdayMonthBlockID] = "Pick a month from the list."
		case dErr != nil:
			errs[settingsBdayDayBlockID] = "Pick a day from the list."
		default:
			c.birthday = store.MonthDay{Month: time.Month(m), Day: d}
			if !c.birthday.Valid() {
				errs[settingsBdayDayBlockID] = fmt.Sprintf("%d %s isn't a day in the calendar.", d, time.Month(m))
			}
		}
	}
	if !slices.Contains(f.forget, "started") && f.started != "" {
		d, err := store.ParseDate(f.started)
		if err != nil {
			errs[settingsStartedBlockID] = "Pick a date."
		} else if problem := startDateProblem(d, today); problem != "" {
			errs[settingsStartedBlockID] = problem
		}
		c.started = d
	}
	c.visibility = store.Visibility(f.visibility)
	switch {
	case !store.ValidVisibility(c.visibility):
		errs[settingsVisibilityBlockID] = "Choose public, private or none."
	case c.visibility == store.VisibilityPublic && b.opts.CelebrationsChannel == "" && p.Visibility != store.VisibilityPublic:
		errs[settingsVisibilityBlockID] = "This workspace has no celebrations channel yet, so there is nowhere to post. Choose private or none, or ask an admin to set one."
	}
	if len(errs) > 0 {
		return celebrateChange{}, errs
	}
	return c, nil
}

// apply sets the change on p as the command would: a new date starts
// celebrate_since, and once no date is left the visibility goes too,
// as with /rapport celebrate clear.
func (c celebrateChange) apply(p *store.Person, now time.Time) {
	had := p.Celebrates()
	if (!c.birthday.IsZero() && c.birthday != p.Birthday) || (!c.started.IsZero() && c.started != p.Started) {
		p.CelebrateSince = now
	}
	p.Birthday, p.Started = c.birthday, c.started
	if c.visibility != "" {
		p.Visibility = c.visibility
	}
	if had && !p.Celebrates() {
		p.Visibility, p.CelebrateSince = "", time.Time{}
	}
}

// settingsToday is the day it is now for the person once the form is
// saved: in the zone typed on the form, else their own.
func (b *Bot) settingsToday(f settingsForm, p store.Person) time.Time {
	loc := b.location(p)
	if tz, ok := store.CanonicalZone(f.tz); ok && tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	return b.opts.Now().In(loc)
}

// validateSettings runs before the ack; it reads the store only.
func (b *Bot) validateSettings(in interaction) map[string]string {
	f := readSettingsForm(in)
	p, _ := b.store.Person(in.user) // none yet: a new person's defaults
	_, errs := b.checkCelebrateForm(f.celebrate, p, b.settingsToday(f, p))
	if errs == nil {
		errs = map[string]string{}
	}
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
	// Checked before the ack too; a form submitted across midnight can
	// still get here with a start date that has not come yet.
	before, err := b.store.Person(in.user)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return b.settingsNotSaved(ctx, in.user, err)
	}
	change, errs := b.checkCelebrateForm(f.celebrate, before, b.settingsToday(f, before))
	for _, e := range errs {
		return b.publishHomeNotice(ctx, in.user, ":warning: I couldn't save your settings: "+e+" Nothing was changed.")
	}
	saved, err := b.store.UpdatePerson(in.user, func(p *store.Person) {
		markHomeOpened(p, now) // the Settings button is on the Home
		change.apply(p, now)
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
		return b.settingsNotSaved(ctx, in.user, err)
	}
	return b.publishHomeNotice(ctx, in.user, settingsSavedNotice(saved, b.workWeek(saved), b.location(saved), now))
}

// settingsNotSavedNotice heads the Home when saving the settings failed.
const settingsNotSavedNotice = ":warning: Sorry, I couldn't save your settings, so nothing was changed. Please try again in a moment."

// settingsNotSaved tells the person on the Home that their settings were
// not saved because of err, and returns err to be logged.
func (b *Bot) settingsNotSaved(ctx context.Context, user string, err error) error {
	if perr := b.publishHomeNotice(ctx, user, settingsNotSavedNotice); perr != nil {
		return errors.Join(err, perr)
	}
	return err // logged; the person has been told
}
