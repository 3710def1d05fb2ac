package bot

// Celebrations: birthdays and work anniversaries, for the people who ask.
// Nobody is celebrated unless they told Rapport a day themselves
// (/rapport celebrate, or Settings), and each person chooses how: a post
// in the celebrations channel (public), a DM from Rapport (private, the
// default), or nothing at all (none).
//
// A day is the person's own: it begins at midnight in their zone (their
// choice in Settings, else Slack's, else RAPPORT_TZ). Public celebrations
// share one post per slot. A slot begins at the start of the channel's
// working hours (RAPPORT_WORK_HOURS in RAPPORT_TZ) on each working day and
// lasts until the next one begins; a slot's post names everyone whose day
// began inside it: after the previous slot began, and no later than its
// own start. The slots cut time into pieces without gaps or overlaps, so
// each day that begins falls in exactly one slot: nobody is celebrated
// twice or missed, whatever their zone, and nobody before their day has
// begun. A day that began on a weekend (outside the channel's working
// days) is in Monday's post, marked belated with its date.
//
// The post is rendered at delivery from who celebrates then, so a change
// of mind (visibility none, clear, forget-me) between queueing and sending
// is honoured. A private DM goes in the person's own working hours on
// their day (or the next working day), dated, with a way to stop it.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// celebrationKind is what a day celebrates. Its strings are in outbox keys.
type celebrationKind string

const (
	celebrateBirthday    celebrationKind = "birthday"
	celebrateAnniversary celebrationKind = "anniversary"
)

// celebrateCatchUp is how far back the job looks for a slot or a day it
// has not yet celebrated: a bot down for a few days catches up once, and
// nothing older is announced.
const celebrateCatchUp = 7 * 24 * time.Hour

// celebration is one person's day: what it celebrates, the local date and
// the instant it began in their zone, and for an anniversary how many
// years it counts.
type celebration struct {
	User  string
	Kind  celebrationKind
	Year  int
	Month time.Month
	Day   int
	Start time.Time // local midnight of the day, in the person's zone
	Years int       // anniversaries: years at the company
}

// date is the celebration's local date, "2027-03-14".
func (c celebration) date() string {
	return fmt.Sprintf("%04d-%02d-%02d", c.Year, int(c.Month), c.Day)
}

// occurrences returns p's celebrations whose day begins in year y, in loc.
func occurrences(p store.Person, y int, loc *time.Location) []celebration {
	var out []celebration
	if !p.Birthday.IsZero() {
		m, d := p.Birthday.In(y)
		out = append(out, celebration{User: p.ID, Kind: celebrateBirthday, Year: y, Month: m, Day: d,
			Start: time.Date(y, m, d, 0, 0, 0, 0, loc)})
	}
	if !p.Started.IsZero() && y > p.Started.Year {
		m, d := store.MonthDay{Month: p.Started.Month, Day: p.Started.Day}.In(y)
		out = append(out, celebration{User: p.ID, Kind: celebrateAnniversary, Year: y, Month: m, Day: d,
			Start: time.Date(y, m, d, 0, 0, 0, 0, loc), Years: y - p.Started.Year})
	}
	return out
}

// celebrationsBetween returns p's celebrations whose day begins after from
// and no later than to (in p's zone loc).
func celebrationsBetween(p store.Person, loc *time.Location, from, to time.Time) []celebration {
	var out []celebration
	for y := from.UTC().Year() - 1; y <= to.UTC().Year()+1; y++ {
		for _, c := range occurrences(p, y, loc) {
			if c.Start.After(from) && !c.Start.After(to) {
				out = append(out, c)
			}
		}
	}
	return out
}

// slotAt returns the start of the slot containing t: the latest start of
// the working hours of a working day in loc that is no later than t. ok
// is false when the week has no working day.
func slotAt(t time.Time, loc *time.Location, week store.WorkWeek) (time.Time, bool) {
	if len(week.Days) == 0 {
		return time.Time{}, false
	}
	lt := t.In(loc)
	for i := 0; i <= 8; i++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()-i, 12, 0, 0, 0, loc)
		if !slices.Contains(week.Days, day.Weekday()) {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), int(week.Start/time.Hour), int(week.Start%time.Hour/time.Minute), 0, 0, loc)
		if !start.After(t) {
			return start, true
		}
	}
	return time.Time{}, false
}

// slotBefore returns the start of the slot before the one starting at slot.
func slotBefore(slot time.Time, loc *time.Location, week store.WorkWeek) (time.Time, bool) {
	return slotAt(slot.Add(-time.Nanosecond), loc, week)
}

// publicCelebrations returns the public celebrations of the slot that
// starts at slot: each celebrant whose day began after the previous slot
// began and no later than slot, who chose public, set the date before the
// slot began, and is still a person Rapport may name. Sorted by day, then
// kind, then user.
func (b *Bot) publicCelebrations(people []store.Person, slot time.Time) []celebration {
	prev, ok := slotBefore(slot, b.opts.Location, b.opts.WorkWeek)
	if !ok {
		return nil
	}
	var out []celebration
	for _, p := range people {
		if p.EffectiveVisibility() != store.VisibilityPublic || !celebratable(p) || p.CelebrateSince.After(slot) {
			continue
		}
		out = append(out, celebrationsBetween(p, b.location(p), prev, slot)...)
	}
	slices.SortFunc(out, func(a, c celebration) int {
		if n := a.Start.Compare(c.Start); n != 0 {
			return n
		}
		if n := strings.Compare(string(a.Kind), string(c.Kind)); n != 0 {
			return n
		}
		return strings.Compare(a.User, c.User)
	})
	return out
}

// celebratable reports whether p is someone Rapport celebrates: a person,
// still in the workspace, whose ID is one Slack could have given.
func celebratable(p store.Person) bool {
	return !p.IsBot && !p.Deleted && slackUserID.MatchString(p.ID)
}

// slackUserID is the shape of a Slack user ID. An ID is written into a
// mention only when it has it, so a record imported with a crafted ID
// can never smuggle "<!channel>" into a post.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// Celebrate queues what is due at now: the celebrations post of each slot
// of the last week that has public celebrations (one post per slot, by its
// key; only the current slot's, unless the bot was down), and each private
// DM of a day that has begun in the last week (one per person, kind and
// day). It is idempotent: a run repeated, or run by a restarted bot,
// queues nothing twice.
func (b *Bot) Celebrate(ctx context.Context, now time.Time) error {
	people, err := b.store.Celebrants()
	if err != nil {
		return err
	}
	if ch := b.opts.CelebrationsChannel; ch != "" {
		loc, week := b.opts.Location, b.opts.WorkWeek
		slot, ok := slotAt(now, loc, week)
		for ok && now.Sub(slot) < celebrateCatchUp {
			if err := ctx.Err(); err != nil {
				return err
			}
			if cs := b.publicCelebrations(people, slot); len(cs) > 0 {
				if err := b.enqueue(store.Outgoing{
					Key: celebrationsPostKey(slot), Channel: ch, Render: renderCelebrationsItem,
					// The names are rendered at delivery; the queued text names
					// nobody, so forgetting one person leaves the others' post.
					Text:      "Celebrations for " + localDate(slot, reader{loc: loc}),
					NotBefore: week.Next(now, loc),
				}); err != nil {
					return err
				}
			}
			slot, ok = slotBefore(slot, loc, week)
		}
	}
	for _, p := range people {
		if p.EffectiveVisibility() != store.VisibilityPrivate || !celebratable(p) || p.IsMuted(store.DMCelebrate) {
			continue
		}
		loc := b.location(p)
		for _, c := range celebrationsBetween(p, loc, now.Add(-celebrateCatchUp), now) {
			if !p.CelebrateSince.Before(c.Start.AddDate(0, 0, 1)) {
				continue // set after the day was over: not wished late
			}
			text, blocks := renderCelebrationDM(c, reader{loc: loc, now: now})
			if err := b.enqueue(store.Outgoing{
				Key: celebrationDMKey(p.ID, c.Kind, c.date()), User: p.ID, Kind: store.DMCelebrate,
				Text: text, Blocks: encodeBlocks(blocks), NotBefore: now, RespectHours: true,
				Expires: c.Start.Add(celebrateCatchUp),
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// renderCelebrationsPostNow builds a queued celebrations post from who
// celebrates in its slot now; nothing is left to send when nobody does.
func (b *Bot) renderCelebrationsPostNow(ctx context.Context, o store.Outgoing) (string, []slack.Block, bool, error) {
	sec, err := strconv.ParseInt(strings.TrimPrefix(o.Key, celebrationsPostKeyPrefix), 10, 64)
	if err != nil {
		return "", nil, true, nil // not a key this bot writes: nothing to say
	}
	slot := time.Unix(sec, 0)
	people, err := b.store.Celebrants()
	if err != nil {
		return "", nil, false, err
	}
	cs := b.publicCelebrations(people, slot)
	if len(cs) == 0 {
		return "", nil, true, nil
	}
	zones := map[string]*time.Location{}
	for _, p := range people {
		zones[p.ID] = b.location(p)
	}
	text, blocks := renderCelebrationsPost(cs, slot, zones)
	return text, blocks, false, nil
}

// congratulate handles Congratulate on a celebrations post: the clicker
// and the person celebrated are in touch (the clicker's stay-in-touch
// clock for them restarts). Clicking again only moves the clock.
func (b *Bot) congratulate(ctx context.Context, in interaction, a *slack.BlockAction) error {
	who := a.Value
	if !slackUserID.MatchString(who) {
		return userErrorf("That button is out of date; nothing was changed.")
	}
	if who == in.user {
		return b.congratulateAnswer(ctx, in, ":tada: That's your own day: enjoy it! Everyone else's clicks land with you.")
	}
	now := b.opts.Now()
	if err := b.store.RecordInTouch(in.user, who, now, store.InTouchCongrats); err != nil {
		return notSaved(err, "that")
	}
	return b.congratulateAnswer(ctx, in, fmt.Sprintf(":tada: Noted: you congratulated <@%s>. A message from you makes their day even more.", who))
}

// congratulateAnswer answers a Congratulate click where it was made: on
// the Home (which has the button on the day itself), at its top.
func (b *Bot) congratulateAnswer(ctx context.Context, in interaction, text string) error {
	if in.origin.fromHome {
		return b.publishHomeNotice(ctx, in.user, text)
	}
	return b.answer(ctx, in.origin, response{Text: text})
}

// celebrateUsage is the reply to /rapport celebrate help and to what it
// cannot read.
const celebrateUsage = "*Celebrate your birthday or work anniversary* (only if you want to):\n" +
	"• `/rapport celebrate birthday 14 March`: month and day only, never a year\n" +
	"• `/rapport celebrate start 2021-06-01`: the day you started here, for anniversaries\n" +
	"• `/rapport celebrate visibility public|private|none`: a post in the celebrations channel, a DM from me (the default), or nothing\n" +
	"• `/rapport celebrate clear` (or `clear birthday`, `clear start`): forget the dates\n" +
	"• `/rapport celebrate`: what I keep"

// celebrateCommand answers /rapport celebrate.
func (b *Bot) celebrateCommand(ctx context.Context, cmd slashCommand) error {
	sub, rest, _ := strings.Cut(cmd.args, " ")
	rest = strings.TrimSpace(rest)
	now := b.opts.Now()
	switch strings.ToLower(sub) {
	case "":
		p, err := b.store.Person(cmd.user)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return b.answerText(ctx, cmd.origin, b.celebrateSummary(p))
	case "help":
		return b.answerText(ctx, cmd.origin, celebrateUsage)
	case "birthday":
		p, err := b.person(ctx, cmd.user)
		if err != nil && !errors.Is(err, errUnknownUser) {
			return err
		}
		d, err := parseBirthday(rest, localeDateOrder(p.Locale))
		if err != nil {
			return err
		}
		return b.saveCelebrate(ctx, cmd, func(p *store.Person) {
			if p.Birthday != d {
				p.CelebrateSince = now
			}
			p.Birthday = d
		})
	case "start", "started":
		p, err := b.person(ctx, cmd.user)
		if err != nil && !errors.Is(err, errUnknownUser) {
			return err
		}
		d, err := parseStartDate(rest, localeDateOrder(p.Locale), now.In(b.location(p)))
		if err != nil {
			return err
		}
		return b.saveCelebrate(ctx, cmd, func(p *store.Person) {
			if p.Started != d {
				p.CelebrateSince = now
			}
			p.Started = d
		})
	case "visibility":
		v := store.Visibility(strings.ToLower(rest))
		if v == "" || !store.ValidVisibility(v) {
			return userErrorf("Choose `public` (a post in the celebrations channel), `private` (a DM from me) or `none`, as in `/rapport celebrate visibility public`. Nothing was changed.")
		}
		if v == store.VisibilityPublic && b.opts.CelebrationsChannel == "" {
			return userErrorf("This workspace has no celebrations channel yet, so there is nowhere to post. Choose `private` or `none`, or ask an admin to set one. Nothing was changed.")
		}
		return b.saveCelebrate(ctx, cmd, func(p *store.Person) { p.Visibility = v })
	case "clear":
		var f func(p *store.Person)
		switch strings.ToLower(rest) {
		case "":
			f = func(p *store.Person) {
				p.Birthday, p.Started, p.Visibility, p.CelebrateSince = store.MonthDay{}, store.Date{}, "", time.Time{}
			}
		case "birthday":
			f = func(p *store.Person) { p.Birthday = store.MonthDay{} }
		case "start", "started", "anniversary":
			f = func(p *store.Person) { p.Started = store.Date{} }
		default:
			return userErrorf("Try `/rapport celebrate clear`, `/rapport celebrate clear birthday` or `/rapport celebrate clear start`. Nothing was changed.")
		}
		return b.saveCelebrate(ctx, cmd, func(p *store.Person) {
			f(p)
			if !p.Celebrates() {
				p.Visibility, p.CelebrateSince = "", time.Time{}
			}
		})
	}
	return userErrorf("I didn't understand that.\n%s", celebrateUsage)
}

// saveCelebrate applies f to the person's record and answers with what is
// now kept.
func (b *Bot) saveCelebrate(ctx context.Context, cmd slashCommand, f func(p *store.Person)) error {
	saved, err := b.store.UpdatePerson(cmd.user, f, store.Effects{})
	if err != nil {
		return notSaved(err, "that")
	}
	return b.answerText(ctx, cmd.origin, "Saved. "+b.celebrateSummary(saved))
}

// celebrateSummary says what Rapport keeps for a person's celebrations,
// and how to change it.
func (b *Bot) celebrateSummary(p store.Person) string {
	if !p.Celebrates() {
		return "I keep no birthday or work anniversary for you, so I celebrate nothing. If you'd like one: `/rapport celebrate birthday 14 March` or `/rapport celebrate start 2021-06-01`."
	}
	var sb strings.Builder
	sb.WriteString("*What I keep to celebrate you*")
	if !p.Birthday.IsZero() {
		fmt.Fprintf(&sb, "\n• birthday: %s (no year)", monthDayText(p.Birthday))
	} else {
		sb.WriteString("\n• birthday: none")
	}
	if !p.Started.IsZero() {
		fmt.Fprintf(&sb, "\n• started here: %d %s %d", p.Started.Day, p.Started.Month, p.Started.Year)
	} else {
		sb.WriteString("\n• started here: none")
	}
	switch p.EffectiveVisibility() {
	case store.VisibilityPublic:
		ch := "the celebrations channel"
		if b.opts.CelebrationsChannel != "" {
			ch = "<#" + b.opts.CelebrationsChannel + ">"
		}
		fmt.Fprintf(&sb, "\n• shared: *public*, a post in %s on your day, in its working hours", ch)
	case store.VisibilityPrivate:
		sb.WriteString("\n• shared: *private*, a DM from me on your day, in your working hours")
		if p.Visibility == "" {
			sb.WriteString(" (the default until you choose)")
		}
	case store.VisibilityNone:
		sb.WriteString("\n• shared: *none*, kept but celebrated nowhere")
	}
	sb.WriteString("\nChange it: `/rapport celebrate visibility public|private|none`, or `/rapport celebrate clear`.")
	return sb.String()
}

// monthDayText writes a birthday as "14 March".
func monthDayText(d store.MonthDay) string { return fmt.Sprintf("%d %s", d.Day, d.Month) }

// monthNames maps the names people type for months, full and short.
var monthNames = func() map[string]time.Month {
	m := map[string]time.Month{"sept": time.September}
	for mo := time.January; mo <= time.December; mo++ {
		name := strings.ToLower(mo.String())
		m[name], m[name[:3]] = mo, mo
	}
	return m
}()

var ordinalSuffix = regexp.MustCompile(`^(\d{1,2})(st|nd|rd|th)$`)

// readCalendarDate reads a date as people type one: "14 March", "March
// 14", "14th of March", "14/3" and "3/14" (numbers in the order of the
// person's locale, unless only one reading is a date), "2021-06-01", with
// or without a year. year is 0 when none was typed. ok is false when the
// text is not a date; a date that does not exist ("31 April") is an
// error.
func readCalendarDate(text string, order dateOrder) (year int, month time.Month, day int, ok bool, err error) {
	s := strings.ToLower(strings.TrimSpace(text))
	s = strings.NewReplacer(",", " ", " of ", " ").Replace(s)
	fields := strings.Fields(s)
	switch len(fields) {
	case 0:
		return 0, 0, 0, false, nil
	case 1:
		parts := strings.FieldsFunc(strings.TrimSuffix(fields[0], "."), func(r rune) bool { return r == '/' || r == '.' || r == '-' })
		nums := make([]int, len(parts))
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 {
				return 0, 0, 0, false, nil
			}
			nums[i] = n
		}
		switch {
		case len(nums) == 3 && len(parts[0]) == 4:
			year, month, day = nums[0], time.Month(nums[1]), nums[2]
		case len(nums) == 3 && len(parts[2]) == 4:
			year, month, day = nums[2], time.Month(nums[1]), nums[0]
			if order == monthFirst && nums[1] <= 31 && nums[0] <= 12 {
				month, day = time.Month(nums[0]), nums[1]
			}
		case len(nums) == 2:
			a, c := nums[0], nums[1]
			switch {
			case a > 12 && c <= 12:
				month, day = time.Month(c), a
			case c > 12 && a <= 12:
				month, day = time.Month(a), c
			case order == monthFirst:
				month, day = time.Month(a), c
			default:
				month, day = time.Month(c), a
			}
		default:
			return 0, 0, 0, false, nil
		}
	default:
		for _, f := range fields {
			if m, found := monthNames[strings.TrimSuffix(f, ".")]; found && month == 0 {
				month = m
				continue
			}
			if g := ordinalSuffix.FindStringSubmatch(f); g != nil {
				f = g[1]
			}
			n, err := strconv.Atoi(f)
			switch {
			case err != nil:
				return 0, 0, 0, false, nil
			case len(f) == 4 && year == 0:
				year = n
			case len(f) <= 2 && day == 0:
				day = n
			default:
				return 0, 0, 0, false, nil
			}
		}
		if month == 0 || day == 0 {
			return 0, 0, 0, false, nil
		}
	}
	if !(store.MonthDay{Month: month, Day: day}).Valid() || (year != 0 && time.Date(year, month, day, 12, 0, 0, 0, time.UTC).Day() != day) {
		return 0, 0, 0, true, userErrorf("%s isn't a day in the calendar. Nothing was changed.", quoteDue(text))
	}
	return year, month, day, true, nil
}

// parseBirthday reads the day of a birthday. A year is refused rather
// than dropped: Rapport never keeps anyone's age, and saying so (instead
// of quietly saving part of what was typed) lets the person check that
// they typed the day they meant.
func parseBirthday(text string, order dateOrder) (store.MonthDay, error) {
	year, m, d, ok, err := readCalendarDate(text, order)
	switch {
	case err != nil:
		return store.MonthDay{}, err
	case !ok:
		return store.MonthDay{}, userErrorf("I couldn't read %s as a day. Try `/rapport celebrate birthday 14 March` or `March 14`. Nothing was changed.", quoteDue(text))
	case year != 0:
		return store.MonthDay{}, userErrorf("I only keep the month and day of a birthday, never the year, so nobody's age is ever stored. Try `/rapport celebrate birthday %d %s`. Nothing was changed.", d, m)
	}
	return store.MonthDay{Month: m, Day: d}, nil
}

// parseStartDate reads the day someone started at the company: a full
// date, not in the future (today is in the person's zone).
func parseStartDate(text string, order dateOrder, today time.Time) (store.Date, error) {
	year, m, d, ok, err := readCalendarDate(text, order)
	switch {
	case err != nil:
		return store.Date{}, err
	case !ok:
		return store.Date{}, userErrorf("I couldn't read %s as a date. Try `/rapport celebrate start 2021-06-01`. Nothing was changed.", quoteDue(text))
	case year == 0:
		return store.Date{}, userErrorf("An anniversary needs the year you started, as in `/rapport celebrate start %d-%02d-%02d`. Nothing was changed.", today.Year()-1, int(m), d)
	}
	date := store.Date{Year: year, Month: m, Day: d}
	if problem := startDateProblem(date, today); problem != "" {
		return store.Date{}, userErrorf("%s Nothing was changed.", problem)
	}
	return date, nil
}

// startDateProblem says what is wrong with d as the day someone started
// at the company (today is in their zone), or "" when nothing is. The
// command and the settings form refuse the same dates.
func startDateProblem(d store.Date, today time.Time) string {
	if d.Year < 1900 || time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)) {
		return "The day you started has to be a day that has already come."
	}
	return ""
}
