package bot

import (
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

// homeSnoozeTomorrow is the snooze key of the Home tab's Snooze button.
const homeSnoozeTomorrow = "tomorrow"

// Display choices for the Home tab. With these caps a heavy user's Home is
// about 50 blocks, well inside the 100 Slack allows in a view.
const (
	homeListMax      = 10  // items per list (mine, owed to me, reconnect)
	homeKudosMax     = 5   // latest kudos shown
	homeTextMax      = 200 // a follow-up's text
	homeReasonMax    = 90  // a kudos reason, one line
	settingsStyleMax = 500 // the work-style note
)

// settingsDMHelp says when each kind of DM is sent. The settings modal
// lists the kinds in the order of store.DMKinds; the names come from
// dmKinds (prefs.go).
var settingsDMHelp = map[store.DMKind]string{
	store.DMKudos:           "When someone thanks you",
	store.DMReminders:       "When one of your follow-ups is due",
	store.DMNudges:          "At most once a day, about overdue follow-ups",
	store.DMHeadsUp:         "Before a coffee round starts",
	store.DMReconnect:       "When it's been a while since you talked to someone",
	store.DMDigest:          "A short summary now and then",
	store.DMReceipts:        "When someone makes you a promise or keeps one",
	store.DMWelcome:         "Once, when you join the workspace: what Rapport does",
	store.DMCelebrate:       "On your birthday or work anniversary, if you chose private",
	store.DMReactionPrompts: "When you react with the kudos emoji: what the kudos is for",
}

// homeFollowup is one open follow-up on the Home tab. Text is escaped mrkdwn
// as stored.
type homeFollowup struct {
	ID          uint64
	Text        string
	Counterpart string // "" for a note to oneself
	Owner       string
	Due         time.Time
	Overdue     bool
}

// homeReconnect is someone the user wants to stay in touch with.
type homeReconnect struct {
	User        string
	LastInTouch time.Time // zero: never
	Days        int       // cadence
}

// homeView is everything the App Home shows one person.
type homeView struct {
	User        string
	Now         time.Time
	Loc         *time.Location
	Notice      string         // mrkdwn shown once at the top, e.g. "settings saved"
	Mine        []homeFollowup // open, overdue first
	OwedToMe    []homeFollowup
	KudosMonth  int         // received this month
	KudosLatest []kudosPost // latest five received
	Coffee      struct {
		Enrolled         bool
		PausedUntil      time.Time
		UntilResumed     bool // paused with no end date: PausedUntil is a placeholder, never shown
		PausedForSilence bool // paused after rounds without an answer, until they resume
		NextRound        time.Time
		Team             string // teamLine: their team and where it comes from; "" no teams set up
	}
	Reconnect []homeReconnect
	OnTime    struct{ Kept, Late, Dropped int } // private on-time follow-up rate
	Report    *connectionReport                 // admins only: the connection report's summary
	// Celebrations: the public ones of their circle in the next two weeks,
	// and their own, whatever its visibility (it is theirs).
	Celebrations    []homeCelebration
	Own             []homeCelebration
	OwnVisibility   store.Visibility
	CelebrationsHub string // the celebrations channel's ID; "" none
}

// homeCelebration is a celebration on the Home; OnTheDay while the
// person's own day lasts, when Congratulate is offered.
type homeCelebration struct {
	celebration
	OnTheDay bool
}

// settingsView is what the settings modal starts with.
type settingsView struct {
	WorkStart, WorkEnd time.Duration  // since midnight; both zero: 09:00–17:00
	WorkDays           []time.Weekday // empty: Monday to Friday
	TZOverride         string
	Muted              []store.DMKind // DM kinds turned off
	Style              string         // plain text
	Birthday           store.MonthDay // zero: none
	Started            store.Date     // zero: none
	Visibility         store.Visibility
	PublicOK           bool // public may be chosen: there is a celebrations channel
}

// renderHome builds a person's App Home: a greeting, their open follow-ups
// and what others owe them (the key actions first), kudos received this
// month, coffee chats, people to reconnect with, their private follow-through
// rate, and Settings and help. Every list is capped, so even a very busy
// person's Home stays far inside Slack's 100-block and 250 KB limits.
func renderHome(v homeView) slack.HomeTabViewRequest {
	loc := v.Loc
	if loc == nil {
		loc = time.UTC
	}
	rd := reader{loc: loc, now: v.Now}
	var blocks []slack.Block
	if v.Notice != "" {
		blocks = append(blocks, kudosSection(v.Notice))
	}
	blocks = append(blocks, kudosSection(homeGreeting(v, loc)))

	// Open follow-ups: mine, each with Done and Snooze.
	blocks = append(blocks, slack.NewDividerBlock())
	if len(v.Mine) == 0 {
		blocks = append(blocks, kudosSection("*Open follow-ups*\n:sparkles: Nothing open. Promised someone something? "+
			"Write it down and I'll remind you: `/followup @maya send the deck by friday`"))
	} else {
		blocks = append(blocks, kudosSection("*Open follow-ups* ("+strconv.Itoa(len(v.Mine))+")"))
		for i, f := range v.Mine {
			if i == homeListMax {
				break
			}
			blocks = append(blocks,
				kudosSection(homeFollowupLine(f, true, rd)),
				slack.NewActionBlock("",
					coffeeButton(followupDoneAction, strconv.FormatUint(f.ID, 10), "Done ✔", false),
					button(followupSnoozeAction, strconv.FormatUint(f.ID, 10)+":"+homeSnoozeTomorrow, "Snooze to tomorrow")))
		}
		if more := len(v.Mine) - homeListMax; more > 0 {
			blocks = append(blocks, kudosContext("…and "+strconv.Itoa(more)+" more — `/followup list`"))
		}
	}

	// Owed to me: a list, no buttons (it's theirs to do).
	if len(v.OwedToMe) == 0 {
		blocks = append(blocks, kudosSection("*Owed to me*\nNobody owes you anything right now. "+
			"When someone promises you something with `/followup`, it shows up here."))
	} else {
		lines := []string{"*Owed to me* (" + strconv.Itoa(len(v.OwedToMe)) + ")"}
		for i, f := range v.OwedToMe {
			if i == homeListMax {
				break
			}
			lines = append(lines, "• "+homeFollowupLine(f, false, rd))
		}
		blocks = append(blocks, coffeeListSections(lines)...)
		if more := len(v.OwedToMe) - homeListMax; more > 0 {
			blocks = append(blocks, kudosContext("…and "+strconv.Itoa(more)+" more — `/followup list`"))
		}
	}

	// Kudos received this month.
	blocks = append(blocks, slack.NewDividerBlock())
	if v.KudosMonth <= 0 && len(v.KudosLatest) == 0 {
		blocks = append(blocks, kudosSection("*Kudos received this month*\nNone yet this month. Kudos are contagious: "+
			"thank someone for something they did with `/kudos @maya for …`"))
	} else {
		head := "*Kudos received this month:* " + strconv.Itoa(max(v.KudosMonth, 0)) + " :tada:"
		var lines []string
		for i, k := range v.KudosLatest {
			if i == homeKudosMax {
				break
			}
			lines = append(lines, homeKudosLine(k, rd))
		}
		if len(lines) > 0 {
			head += "\n" + strings.Join(lines, "\n")
		}
		blocks = append(blocks, kudosSection(head), kudosContext("Pass it on: "+strings.ToLower(kudosInvite[:1])+kudosInvite[1:]))
	}

	// Coffee chats.
	blocks = append(blocks, slack.NewDividerBlock(), homeCoffee(v, rd))

	// People to reconnect with.
	blocks = append(blocks, slack.NewDividerBlock())
	if len(v.Reconnect) == 0 {
		blocks = append(blocks, kudosSection("*People to reconnect with*\nNobody right now. "+
			"When it's been a while since you talked to someone you want to stay close to, I'll suggest them here."))
	} else {
		blocks = append(blocks, kudosSection("*People to reconnect with*"))
		for i, r := range v.Reconnect {
			if i == homeListMax {
				break
			}
			blocks = append(blocks, slack.NewSectionBlock(
				slack.NewTextBlockObject(slack.MarkdownType, kudosClip(homeReconnectLine(r, rd), kudosSectionMax), false, true),
				nil,
				slack.NewAccessory(button(reconnectDoneAction, kudosID(r.User), "I reached out"))))
		}
		if more := len(v.Reconnect) - homeListMax; more > 0 {
			blocks = append(blocks, kudosContext("…and "+strconv.Itoa(more)+" more. A quick hello to one of them is a great start."))
		}
	}

	// Celebrations coming up, shown only when there are some: the
	// person's own, then those on their day now, each with Congratulate,
	// then the rest in one list. Ten at most, so the Home stays small.
	if len(v.Own) > 0 || len(v.Celebrations) > 0 {
		head := []string{"*Celebrations coming up*"}
		for _, c := range v.Own {
			head = append(head, homeOwnCelebrationLine(c, v, rd))
		}
		blocks = append(blocks, slack.NewDividerBlock(), kudosSection(strings.Join(head, "\n")))
		var later []string
		for i, c := range v.Celebrations {
			if i == homeListMax {
				break
			}
			line := homeCelebrationLine(c, rd)
			if !c.OnTheDay {
				later = append(later, line)
				continue
			}
			blocks = append(blocks, slack.NewSectionBlock(
				slack.NewTextBlockObject(slack.MarkdownType, kudosClip(line, kudosSectionMax), false, true), nil,
				slack.NewAccessory(button(congratulateAction, c.User, "Congratulate"))))
		}
		if len(later) > 0 {
			blocks = append(blocks, coffeeListSections(later)...)
		}
		if more := len(v.Celebrations) - homeListMax; more > 0 {
			blocks = append(blocks, kudosContext("…and "+strconv.Itoa(more)+" more in the next two weeks."))
		}
	}

	// Follow-through: private, only with data.
	if ft := homeFollowThrough(v.OnTime.Kept, v.OnTime.Late, v.OnTime.Dropped); ft != "" {
		blocks = append(blocks, slack.NewDividerBlock(), kudosSection(ft),
			kudosContext(":lock: Only you can see this."))
	}

	// The connection report, for admins.
	if v.Report != nil {
		blocks = append(blocks, slack.NewDividerBlock())
		blocks = append(blocks, renderHomeReport(*v.Report, rd)...)
	}

	// Settings and help.
	blocks = append(blocks, slack.NewDividerBlock(),
		slack.NewActionBlock(homeFooterBlockID, button(homeSettingsAction, "settings", "⚙️ Settings")),
		kudosContext("Working hours, time zone, which DMs you get, your work style and your birthday and work anniversary live in Settings. "+
			"Questions? `/rapport help` lists every command."))

	return slack.HomeTabViewRequest{
		Type:       slack.VTHomeTab,
		CallbackID: homeCallbackID,
		Blocks:     slack.Blocks{BlockSet: blocks},
	}
}

// homeGreeting is the short hello at the top, with a one-line summary of what
// needs them, or what Rapport is for when there is nothing yet.
func homeGreeting(v homeView, loc *time.Location) string {
	hello := "Hello"
	if !v.Now.IsZero() {
		switch h := v.Now.In(loc).Hour(); {
		case h >= 5 && h < 12:
			hello = "Good morning"
		case h >= 12 && h < 18:
			hello = "Good afternoon"
		case h >= 18 && h < 23:
			hello = "Good evening"
		}
	}
	if m := kudosMention(v.User); m != "" {
		hello += ", " + m
	}
	text := ":wave: *" + hello + "!*"
	overdue, promised := 0, false
	for _, f := range v.Mine {
		if f.Overdue {
			overdue++
			promised = promised || f.Counterpart != ""
		}
	}
	switch {
	case overdue > 0 && !promised:
		text += "\n" + kudosCount(overdue, "note to yourself is", "notes to yourself are") +
			" past due. A quick Done or Snooze keeps your list clear."
	case overdue > 0:
		text += "\n" + kudosCount(overdue, "follow-up is", "follow-ups are") +
			" past due. A quick Done, Snooze or note to the other person keeps trust strong."
	case len(v.Mine) > 0:
		text += "\nYou have " + kudosCount(len(v.Mine), "open follow-up", "open follow-ups") + ", all on track."
	case len(v.OwedToMe) == 0 && len(v.KudosLatest) == 0 && v.KudosMonth == 0 && !v.Coffee.Enrolled && len(v.Reconnect) == 0:
		text += "\nRapport helps you build strong working relationships through small habits: " +
			"thanking people, keeping promises and meeting teammates over coffee. Pick one below to start."
	default:
		text += "\nNothing of yours is open. Nice."
	}
	return text
}

// homeFollowupLine is "*send the deck* for <@B> — due <date>" (mine) or
// "<@A>: send the deck — due <date>" (owed to me). Overdue items say "was
// due", without alarm.
func homeFollowupLine(f homeFollowup, mine bool, rd reader) string {
	what := kudosClip(kudosOneLine(neutraliseMentions(f.Text)), homeTextMax)
	if what == "" {
		what = "(no description)"
	}
	var line string
	if mine {
		line = "*" + what + "*"
		if m := kudosMention(f.Counterpart); m != "" {
			line += " for " + m
		}
	} else {
		line = coffeeWho(f.Owner) + ": " + what
	}
	switch {
	case f.Due.IsZero():
	case f.Overdue:
		line += " — :hourglass: was due " + localWhen(f.Due, rd)
	default:
		line += " — due " + localWhen(f.Due, rd)
	}
	return line
}

// homeKudosLine is one received kudos, short: "• <@G> · Nov 27 — for the
// review…".
func homeKudosLine(k kudosPost, rd reader) string {
	line := "• " + kudosPerson(k.Giver)
	if !k.At.IsZero() {
		line += " · " + localDate(k.At, rd)
	}
	if k.Private {
		line += " · :lock:"
	}
	if r := strings.TrimSpace(k.Reason); r != "" {
		line += " — " + kudosClip(kudosOneLine(neutraliseMentions(r)), homeReasonMax)
	}
	return line
}

// homeCoffee is the coffee section with the one button that fits: Pause when
// in, Resume when paused, Join when not in.
func homeCoffee(v homeView, rd reader) slack.Block {
	c := v.Coffee
	paused := c.PausedForSilence || !c.PausedUntil.IsZero() && (v.Now.IsZero() || c.PausedUntil.After(v.Now))
	var text string
	var b *slack.ButtonBlockElement
	switch {
	case !c.Enrolled:
		text = "*Coffee chats*\n:coffee: Meet a teammate for a short virtual coffee every round — " +
			"I pair you with someone whose working hours overlap yours."
		if !c.NextRound.IsZero() {
			text += "\nNext round: " + localWhen(c.NextRound, rd) + "."
		}
		b = coffeeButton(homeCoffeeJoinAct, "join", "Join coffee", true)
	case paused:
		text = "*Coffee chats*\n:double_vertical_bar: Paused until " + localDate(c.PausedUntil, rd) + ". Take the time you need."
		if c.UntilResumed {
			text = "*Coffee chats*\n:double_vertical_bar: Paused until you resume. Take the time you need."
		}
		if c.PausedForSilence {
			text = "*Coffee chats*\n:double_vertical_bar: Paused: your last few rounds went unanswered, so I stopped pairing you. Come back any time."
		}
		if !c.NextRound.IsZero() {
			if c.PausedForSilence || c.UntilResumed || c.NextRound.Before(c.PausedUntil) {
				text += "\nNext round: " + localWhen(c.NextRound, rd) + " — you'll sit it out."
			} else {
				text += "\nNext round: " + localWhen(c.NextRound, rd) + "."
			}
		}
		b = coffeeButton(homeCoffeeResumeAct, "resume", "Resume coffee", false)
	default:
		text = "*Coffee chats*\n:white_check_mark: You're in."
		if !c.NextRound.IsZero() {
			text += " Next round: " + localWhen(c.NextRound, rd) + "."
		}
		b = coffeeButton(homeCoffeePauseAct, "pause", "Pause coffee", false)
	}
	if c.Team != "" {
		text += "\n:busts_in_silhouette: " + c.Team
	}
	return slack.NewSectionBlock(
		slack.NewTextBlockObject(slack.MarkdownType, kudosClip(text, kudosSectionMax), false, true),
		nil, slack.NewAccessory(b))
}

// homeCelebrationDay is the day of c, the person's own calendar date,
// written for the reader: a birthday on 14 March is on 14 March wherever
// the reader is, although it begins on the 13th in their zone when they
// are west of it.
func homeCelebrationDay(c celebration, rd reader) string {
	return localDate(time.Date(c.Year, c.Month, c.Day, 12, 0, 0, 0, orUTC(rd.loc)), rd)
}

// homeCelebrationWhat is "birthday" or "3 years at the company".
func homeCelebrationWhat(c celebration) string {
	if c.Kind == celebrateBirthday {
		return "birthday"
	}
	return kudosCount(c.Years, "year", "years") + " at the company"
}

// homeCelebrationLine is ":birthday: <@U> · birthday · Sat 14 Mar".
func homeCelebrationLine(c homeCelebration, rd reader) string {
	emoji := ":birthday:"
	if c.Kind == celebrateAnniversary {
		emoji = ":tada:"
	}
	return emoji + " " + coffeeWho(c.User) + " · " + homeCelebrationWhat(c.celebration) + " · " + homeCelebrationDay(c.celebration, rd)
}

// homeOwnCelebrationLine is the person's own day, with how it is shared
// and how to change that.
func homeOwnCelebrationLine(c homeCelebration, v homeView, rd reader) string {
	emoji, what := ":birthday:", "Your birthday"
	if c.Kind == celebrateAnniversary {
		emoji, what = ":tada:", "Your "+homeCelebrationWhat(c.celebration)
	}
	line := emoji + " " + what + " · " + homeCelebrationDay(c.celebration, rd)
	switch v.OwnVisibility {
	case store.VisibilityPublic:
		where := "the celebrations channel"
		if v.CelebrationsHub != "" {
			where = "<#" + v.CelebrationsHub + ">"
		}
		line += "\nShared: public, a post in " + where + " and here for people who keep in touch with you."
	case store.VisibilityNone:
		line += "\nShared: none, celebrated nowhere."
	default:
		line += "\nShared: private, a DM from me to you alone."
	}
	return line + " Change it in Settings or with `/rapport celebrate`."
}

// homeReconnectLine is "<@U> · last talked <date> · you like to catch up every
// 30 days".
func homeReconnectLine(r homeReconnect, rd reader) string {
	now := rd.now
	line := coffeeWho(r.User)
	switch {
	case r.LastInTouch.IsZero():
		line += " · you haven't connected yet"
	case !now.IsZero() && now.After(r.LastInTouch):
		days := int(now.Sub(r.LastInTouch).Hours() / 24)
		line += " · last talked " + localDate(r.LastInTouch, rd)
		if days >= 2 {
			line += " (" + strconv.Itoa(days) + " days ago)"
		}
	default:
		line += " · last talked " + localDate(r.LastInTouch, rd)
	}
	if r.Days > 0 {
		if r.Days == 1 {
			line += "\nYou like to catch up every day."
		} else {
			line += "\nYou like to catch up every " + strconv.Itoa(r.Days) + " days."
		}
	}
	return line
}

// homeFollowThrough is the private on-time rate, phrased kindly, or "" when
// there is no data yet.
func homeFollowThrough(kept, late, dropped int) string {
	kept, late, dropped = max(kept, 0), max(late, 0), max(dropped, 0)
	total := kept + late + dropped
	if total == 0 {
		return ""
	}
	text := "*Your follow-through*\n" + strconv.Itoa(kept) + " of " + strconv.Itoa(total) + " kept on time"
	var rest []string
	if late > 0 {
		rest = append(rest, strconv.Itoa(late)+" done a bit late")
	}
	if dropped > 0 {
		rest = append(rest, strconv.Itoa(dropped)+" let go")
	}
	if len(rest) > 0 {
		text += " (" + strings.Join(rest, ", ") + ")"
	}
	text += "."
	switch {
	case kept == total:
		text += " :star2: People can count on you."
	case kept*10 >= total*8:
		text += " :seedling: Great follow-through."
	default:
		text += " :seedling: Every kept promise builds trust. Smaller promises, or a new date agreed early, make the next ones easier."
	}
	return text
}

// settingsSavedNotice confirms a saved settings form on the Home: the hours,
// days and zone now in effect, with the person's local time so a wrong zone
// shows at once.
func settingsSavedNotice(p store.Person, w store.WorkWeek, loc *time.Location, now time.Time) string {
	zone := "your Slack time zone, " + loc.String()
	if p.TZOverride != "" {
		zone = p.TZOverride
	}
	var days []string
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if slices.Contains(w.Days, d) {
			days = append(days, d.String()[:3])
		}
	}
	off := len(p.Muted)
	text := ":white_check_mark: *Settings saved.* Working hours " + settingsHalfHour(w.Start) + "–" + settingsHalfHour(w.End) +
		" on " + strings.Join(days, ", ") + ", in " + zone + " (it's " + localClock(now, loc) + " there now)."
	if off > 0 {
		text += " " + kudosCount(off, "kind of DM is", "kinds of DM are") + " off."
	}
	if p.Celebrates() {
		var kept []string
		if !p.Birthday.IsZero() {
			kept = append(kept, "birthday "+monthDayText(p.Birthday))
		}
		if !p.Started.IsZero() {
			kept = append(kept, fmt.Sprintf("started %d %s %d", p.Started.Day, p.Started.Month, p.Started.Year))
		}
		text += " Celebrations: " + strings.Join(kept, ", ") + "; " + string(p.EffectiveVisibility()) + "."
	}
	return text
}

// renderSettingsModal is the form behind the Home tab's Settings button:
// working hours, working days, a time-zone override, which DMs to get
// (checked = on) and a work-style note.
func renderSettingsModal(s settingsView) slack.ModalViewRequest {
	start, end := s.WorkStart, s.WorkEnd
	if start == 0 && end == 0 {
		start, end = 9*time.Hour, 17*time.Hour
	}
	startSel := settingsHalfHourSelect(settingsStartAction, start)
	endSel := settingsHalfHourSelect(settingsEndAction, end)

	days := s.WorkDays
	if len(days) == 0 {
		days = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	var dayOpts, dayInit []*slack.OptionBlockObject
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		o := slack.NewOptionBlockObject(strconv.Itoa(int(d)), plain(d.String()), nil)
		dayOpts = append(dayOpts, o)
		for _, w := range days {
			if w == d {
				dayInit = append(dayInit, o)
				break
			}
		}
	}
	dayBox := slack.NewCheckboxGroupsBlockElement(settingsDaysAction, dayOpts...)
	dayBox.InitialOptions = dayInit

	tz := slack.NewPlainTextInputBlockElement(plain("e.g. Europe/Berlin — empty uses Slack's"), settingsTZAction)
	tz.InitialValue = strings.TrimSpace(s.TZOverride)
	tz.MaxLength = 64
	tzBlock := slack.NewInputBlock(settingsTZBlockID, plain("Time zone"), plain("Only if your Slack time zone is wrong for work."), tz)
	tzBlock.Optional = true

	muted := map[store.DMKind]bool{}
	for _, k := range s.Muted {
		muted[k] = true
	}
	var dmOpts, dmInit []*slack.OptionBlockObject
	for _, k := range store.DMKinds {
		o := slack.NewOptionBlockObject(string(k), plain(settingsCapital(dmKinds[k])), plain(settingsDMHelp[k]))
		dmOpts = append(dmOpts, o)
		if !muted[k] {
			dmInit = append(dmInit, o)
		}
	}
	dmBox := slack.NewCheckboxGroupsBlockElement(settingsDMsAction, dmOpts...)
	dmBox.InitialOptions = dmInit
	dmBlock := slack.NewInputBlock(settingsDMsBlockID, plain("Messages I send you"), plain("Unchecked ones stop. Replies to what you ask for always come."), dmBox)
	dmBlock.Optional = true

	style := slack.NewPlainTextInputBlockElement(plain("e.g. Written summaries over calls; mornings are for deep work"), settingsStyleAction)
	style.Multiline = true
	style.MaxLength = settingsStyleMax
	style.InitialValue = settingsClipRunes(s.Style, settingsStyleMax)
	styleBlock := slack.NewInputBlock(settingsStyleBlockID, plain("Your work style"), plain("Shared with your coffee partners so you start on the right foot."), style)
	styleBlock.Optional = true

	blocks := []slack.Block{
		kudosContext("Reminders, nudges and coffee times stay inside your working hours."),
		slack.NewInputBlock(settingsStartBlockID, plain("Work starts"), nil, startSel),
		slack.NewInputBlock(settingsEndBlockID, plain("Work ends"), nil, endSel),
		slack.NewInputBlock(settingsDaysBlockID, plain("Working days"), nil, dayBox),
		tzBlock,
		dmBlock,
		styleBlock,
	}
	blocks = append(blocks, settingsCelebrateBlocks(s)...)
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: settingsCallbackID,
		Title:      plain("Settings"),
		Submit:     plain("Save"),
		Close:      plain("Cancel"),
		Blocks:     slack.Blocks{BlockSet: blocks},
	}
}

// settingsCelebrateBlocks is the celebrations part of the settings form:
// the birthday as a month and a day (there is nowhere to put a year), the
// start date, how to share them, and boxes that forget a date (Slack
// cannot empty a select or a date picker once chosen). All optional;
// nothing chosen means no date.
func settingsCelebrateBlocks(s settingsView) []slack.Block {
	var monthOpts []*slack.OptionBlockObject
	var monthInit *slack.OptionBlockObject
	for m := time.January; m <= time.December; m++ {
		o := slack.NewOptionBlockObject(strconv.Itoa(int(m)), plain(m.String()), nil)
		monthOpts = append(monthOpts, o)
		if s.Birthday.Month == m {
			monthInit = o
		}
	}
	month := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Month"), settingsBdayMonthAction, monthOpts...)
	month.InitialOption = monthInit
	monthBlock := slack.NewInputBlock(settingsBdayMonthBlockID, plain("Birthday: month"), nil, month)
	monthBlock.Optional = true

	var dayOpts []*slack.OptionBlockObject
	var dayInit *slack.OptionBlockObject
	for d := 1; d <= 31; d++ {
		o := slack.NewOptionBlockObject(strconv.Itoa(d), plain(strconv.Itoa(d)), nil)
		dayOpts = append(dayOpts, o)
		if s.Birthday.Day == d {
			dayInit = o
		}
	}
	day := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Day"), settingsBdayDayAction, dayOpts...)
	day.InitialOption = dayInit
	dayBlock := slack.NewInputBlock(settingsBdayDayBlockID, plain("Birthday: day"), plain("The month and day only: I never keep a year, so nobody's age is stored."), day)
	dayBlock.Optional = true

	started := slack.NewDatePickerBlockElement(settingsStartedAction)
	started.Placeholder = plain("Pick the day you started")
	if !s.Started.IsZero() {
		started.InitialDate = s.Started.String()
	}
	startedBlock := slack.NewInputBlock(settingsStartedBlockID, plain("Started at the company"), plain("For work anniversaries."), started)
	startedBlock.Optional = true

	var visOpts []*slack.OptionBlockObject
	var visInit *slack.OptionBlockObject
	for _, v := range []struct {
		vis         store.Visibility
		label, help string
	}{
		{store.VisibilityPublic, "Public", "A post in the celebrations channel, and on the Home of people close to you"},
		{store.VisibilityPrivate, "Private", "A DM from me on your day (the default)"},
		{store.VisibilityNone, "None", "Kept, but celebrated nowhere"},
	} {
		if v.vis == store.VisibilityPublic && !s.PublicOK {
			continue
		}
		o := slack.NewOptionBlockObject(string(v.vis), plain(v.label), plain(v.help))
		visOpts = append(visOpts, o)
		if s.Visibility == v.vis {
			visInit = o
		}
	}
	vis := slack.NewRadioButtonsBlockElement(settingsVisibilityAction, visOpts...)
	vis.InitialOption = visInit
	visHint := "Until you choose: private."
	if !s.PublicOK {
		visHint += " Public needs a celebrations channel, which this workspace has not set up."
	}
	visBlock := slack.NewInputBlock(settingsVisibilityBlockID, plain("How to celebrate"), plain(visHint), vis)
	visBlock.Optional = true

	blocks := []slack.Block{
		slack.NewDividerBlock(),
		kudosSection("*Birthday and work anniversary*\nOnly if you'd like them celebrated. Leave them empty and nothing is."),
		monthBlock, dayBlock, startedBlock, visBlock,
	}
	var forgetOpts []*slack.OptionBlockObject
	if !s.Birthday.IsZero() {
		forgetOpts = append(forgetOpts, slack.NewOptionBlockObject("birthday", plain("Forget my birthday"), nil))
	}
	if !s.Started.IsZero() {
		forgetOpts = append(forgetOpts, slack.NewOptionBlockObject("started", plain("Forget my start date"), nil))
	}
	if len(forgetOpts) > 0 {
		forget := slack.NewCheckboxGroupsBlockElement(settingsForgetAction, forgetOpts...)
		forgetBlock := slack.NewInputBlock(settingsForgetBlockID, plain("Forget"), plain("With neither date left, your choice of how goes too."), forget)
		forgetBlock.Optional = true
		blocks = append(blocks, forgetBlock)
	}
	return blocks
}

// settingsHalfHourSelect offers 00:00 to 23:30 in half hours (value "HH:MM",
// see settingsParseHalfHour), with d rounded down to a half hour as the
// initial choice.
func settingsHalfHourSelect(action string, d time.Duration) *slack.SelectBlockElement {
	d = min(max(d, 0), 23*time.Hour+30*time.Minute).Truncate(30 * time.Minute)
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for m := 0; m < 24*60; m += 30 {
		v := settingsHalfHour(time.Duration(m) * time.Minute)
		o := slack.NewOptionBlockObject(v, plain(v), nil)
		opts = append(opts, o)
		if time.Duration(m)*time.Minute == d {
			initial = o
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick a time"), action, opts...)
	sel.InitialOption = initial
	return sel
}

// settingsHalfHour writes a time of day as "HH:MM".
func settingsHalfHour(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// settingsParseHalfHour reads a settings select value ("08:30") back as a
// time since midnight.
func settingsParseHalfHour(s string) (time.Duration, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || (mm != 0 && mm != 30) {
		return 0, false
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, true
}

// settingsCapital upper-cases the first letter.
func settingsCapital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// settingsClipRunes cuts plain text to at most n runes.
func settingsClipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
