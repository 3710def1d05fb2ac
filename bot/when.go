package bot

// Due dates for /followup: "send the deck by friday" → ("send the deck",
// Friday at the end of the author's working day, in the author's zone).
//
// The grammar, and why:
//
//   - Where the date is. The text after the LAST word "by" is the date
//     ("the report written by Alice by tuesday"). When there is no "by", or
//     what follows it is not a date, the longest run of at most
//     maxDueWords words that ENDS the text and is entirely a date is used
//     ("call mom at 5pm", "pay rent tomorrow 9am"). A date is never taken
//     out of the middle of <what>: "review the Friday notes by Monday" is
//     due Monday, and "review the Friday notes" is kept whole.
//   - A date without a time means the end of the working day (week.End on
//     that date, wall clock in loc, so 18:00 stays 18:00 across a DST
//     change). Explicit times: "5pm", "5:30 pm", "17:30", "at 17:30",
//     "noon", "this morning" (09:00), "afternoon" (15:00), "evening"
//     (18:00), "tonight" (20:00 today), "eod"/"end of day"/"cob" (week.End).
//   - Weeks start on the first day of the person's working week: Monday
//     for the default Mon–Fri week (ISO), Sunday for a Sun–Thu week.
//   - Abbreviations are spelled out first: "tmrw", "tmr", "tonite",
//     "next wk", "thur", "in 2 hrs" (dueAbbreviations). "tom" is not: it
//     is a name more often than it is tomorrow.
//   - Days: "today", "tomorrow". A weekday ("friday", "fri",
//     "on friday", "this friday"; also "tues", "thurs", "weds") is the next
//     such day counting today, so "by friday" on a Friday is today, and on
//     a Saturday is six days away.
//     "next friday" and "friday next week" are the Friday of next week, so
//     on a Wednesday "next friday" is nine days away, not two. "friday this
//     week" is this week's Friday even when it has passed (an error).
//   - "next week" is the first day of next week (Monday by default), at the
//     end of the working day; "next month" is the first working day of next
//     month.
//   - An hour without a.m. or p.m. ("at 3", "tomorrow at 3:30") from 1 to 7,
//     written without a leading zero, is an afternoon hour: people set
//     follow-ups in working hours, and 3 a.m. is almost never meant.
//     "03:00", "3am" and 8 to 23 are as written.
//   - "end of week" ("eow", "end of the week", "end of this week") is the
//     last working day of this week (Friday by default). "end of month"
//     ("eom", "end of the month") is the last day of this month, or the
//     last working day before it when it is not one. Both mean the coming
//     one: on a weekend after that last working day they move to the next
//     week or month. "end of next week/month" are next week's and next
//     month's.
//   - Relative: "in 2 hours", "in 30 minutes", "in an hour", "in half an
//     hour", "in 2h", "in 30m" are exact from now. "in 3 days", "in 2
//     weeks", "in a week", "in 2 months" (clamped to the month's last day)
//     count calendar days or months and end the working day. "within" is
//     "in".
//   - Dates: "2026-12-03", "Dec 3", "December 3rd", "3 Dec", "the 3rd of
//     December", "Dec 3, 2026", "3 Dec 2026", "12/3" and "12/3/2026".
//     Slashes follow the person's Slack locale when both readings exist
//     (12/3 is December 3 for en-US, 12 March for de-DE; localeDateOrder),
//     and the only possible reading when not (31/12 and 12/31 are both
//     December 31); "Dec 3" and 2026-12-03 are unambiguous everywhere. A
//     month alone ("by march") is that month's last working day. A date
//     without a year that has already passed this year means next year
//     ("Jan 5" in December); today stays today.
//   - Refused, each as a *userError with examples: no <what>; no date; a
//     date that is not understood or does not exist ("Feb 30", "13pm",
//     "friday monday"); a due time that is not after now (a time today that
//     has passed is an error, never silently tomorrow: "5pm" at 18:00); and
//     anything on or after the day after this date next year.
//
// Case does not matter, and punctuation around the date is ignored ("by
// Friday.", "by friday!"). "at", "on", "the" and "by" may stand between the
// parts ("on Dec 3 at 5pm").
//
// How github.com/olebedev/when is used. Its English rules recognise most
// of the pieces (regular expressions for weekdays, "Dec 3"/"3rd of
// December", "5pm", "17:30", "in 2 hours", "today"/"tonight"/"tomorrow",
// "morning"/"noon", "… ago") and its word tables name months, weekdays,
// ordinals and number words; where its appliers decode a piece correctly
// (ExactMonthDate's month and day, CasualTime's hour) we use them. We do not
// use when.Parser.Parse, because its resolution (rules.Context.Time) is wrong
// for us: it adds 24-hour durations for "tomorrow" and weekdays (so
// "tomorrow" at 23:30 before a spring-forward lands at 00:30 the day after,
// and "friday" a week ahead across one lands an hour off the time of day
// asked for), sets the month before the day
// (Jan 31 + "Feb 3" = Mar 3), reads "friday" on a Friday as a week later and
// "next friday" as the coming one, puts "tonight" at 23:00, leaves "Jan 5"
// in the past, maps 12am to noon, overflows on "in 9999999 hours", computes
// "in 2 months" modulo 12 without the year, reads "2026-12-03" as 12:03
// today, and reports only its first cluster, so it cannot tell "friday"
// from "friday 18:00" or refuse leftover words. Its common rule SlashDMY is
// day/month and rejects 12/25, so month/day is our own rule. Also our own:
// ISO dates, dates with a year, "end of week/month", "eod", "next week",
// "in 2h", "tues"/"thurs"/"weds". So: when's rules find the pieces; parseDue checks that the
// pieces cover the whole date text, and resolves them in the author's zone.

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/olebedev/when/rules"
	"github.com/olebedev/when/rules/en"

	"github.com/rapport-bot/rapport/store"
)

const (
	maxDueWords    = 8      // the longest date that ends the text without "by" ("next friday at 5:30 pm" is 5)
	maxDueLen      = 100    // bytes; longer is not a date, and the rules' cost grows with it
	maxDueAmount   = 100000 // "in N units" beyond this is far more than a year anyway
	dueTonightHour = 20
)

// parseDue splits "send the deck by friday" into what ("send the deck") and
// the due instant. now is the current instant; loc the author's zone (nil
// means UTC); week their working hours (a zero WorkWeek means
// store.DefaultWorkWeek). A date without a time means the END of that
// working day (week.End on that date, in loc); "tonight" means 20:00; a
// relative duration in minutes or hours ("in 2 hours", "in 30 minutes") is
// exact from now. what is a prefix of the trimmed text. Errors are
// *userError with a friendly message and examples. The grammar is in the
// comment at the top of this file.
func parseDue(text string, now time.Time, loc *time.Location, week store.WorkWeek, order dateOrder) (what string, due time.Time, err error) {
	c := newDueClock(now, loc, week, order)

	text = strings.TrimSpace(text)
	words := dueWords(text)

	// The last "by" first.
	var byErr error
	for i := len(words) - 1; i >= 0; i-- {
		if !strings.EqualFold(text[words[i].start:words[i].end], "by") {
			continue
		}
		when := text[words[i].end:]
		if due, ok, err := c.read(when); ok {
			return dueResult(dueCleanWhat(text[:words[i].start]), due, err)
		}
		if strings.TrimSpace(when) != "" {
			byErr = errDueUnreadable(when)
		}
		break
	}

	// Then the longest date that ends the text.
	for k := max(0, len(words)-maxDueWords); k < len(words); k++ {
		if strings.EqualFold(text[words[k].start:words[k].end], "the") {
			continue // "pick up the 5pm" keeps "the" in what
		}
		if due, ok, err := c.read(text[words[k].start:]); ok {
			return dueResult(dueCleanWhat(text[:words[k].start]), due, err)
		}
	}
	if byErr != nil {
		return "", time.Time{}, byErr
	}
	return "", time.Time{}, errDueNone
}

func newDueClock(now time.Time, loc *time.Location, week store.WorkWeek, order dateOrder) *dueClock {
	if loc == nil {
		loc = time.UTC
	}
	c := &dueClock{now: now.In(loc), loc: loc, week: dueWeek(week), order: order}
	c.today = dueDayOf(c.now)
	c.start = dueWeekStart(c.week.Days)
	return c
}

// parseDate reads text as a whole date or time, the way parseDue reads the
// date of a follow-up (/coffee pause until …). ok is false when text is
// not a date at all; err is the refusal of a date that is one but cannot
// be used (it has passed, it does not exist, it is over a year away).
func parseDate(text string, now time.Time, loc *time.Location, week store.WorkWeek, order dateOrder) (due time.Time, ok bool, err error) {
	return newDueClock(now, loc, week, order).read(strings.TrimSpace(text))
}

// dateOrder is how a person writes an all-numeric date without a year.
type dateOrder int

const (
	monthFirst dateOrder = iota // 12/31, as in the United States
	dayFirst                    // 31/12, as in most of the world
)

// localeDateOrder is the order of a Slack locale ("en-US", "de-DE"):
// month first for the United States and its neighbours in usage (en-US,
// es-US, en-PH, fil) and for the year-first East Asian locales, whose
// month/day is 12/31; day first for every other known locale. An unknown
// or empty locale is month first, Slack's default being en-US.
func localeDateOrder(locale string) dateOrder {
	l := strings.ToLower(strings.ReplaceAll(locale, "_", "-"))
	lang, _, _ := strings.Cut(l, "-")
	switch {
	case l == "" || l == "en-us" || l == "es-us" || l == "en-ph" || l == "en":
		return monthFirst
	case lang == "fil" || lang == "ja" || lang == "zh" || lang == "ko":
		return monthFirst
	}
	return dayFirst
}

// dueAbbreviations are the short forms people type, read as the words the
// rules know. "tom" is left out: it is more often a name than tomorrow.
var dueAbbreviations = map[string]string{
	"tmrw": "tomorrow", "tmr": "tomorrow", "tmw": "tomorrow", "tmrow": "tomorrow", "tomo": "tomorrow",
	"tomorow": "tomorrow", "tommorow": "tomorrow", "tommorrow": "tomorrow", "2morrow": "tomorrow", "2moro": "tomorrow",
	"tonite": "tonight", "2nite": "tonight", "2day": "today", "tdy": "today",
	"wk": "week", "wks": "weeks", "mth": "month", "mths": "months", "mnth": "month",
	"nxt": "next", "thur": "thu", "tu": "tue", "th": "thu",
	"hr": "hour", "hrs": "hours", "mins": "minutes", "min": "minutes",
}

var dueWordRE = regexp.MustCompile(`[\pL\pN]+`)

// dueExpand spells out the abbreviations of when.
func dueExpand(when string) string {
	return dueWordRE.ReplaceAllStringFunc(when, func(w string) string {
		if long, ok := dueAbbreviations[strings.ToLower(w)]; ok {
			return long
		}
		return w
	})
}

func dueResult(what string, due time.Time, err error) (string, time.Time, error) {
	if what == "" {
		return "", time.Time{}, errDueNoWhat
	}
	if err != nil {
		return "", time.Time{}, err
	}
	return what, due, nil
}

// cleanWhat drops the blanks and separators between what and the date
// ("send the deck, friday", "send the deck - by friday").
func dueCleanWhat(s string) string {
	return trimRightEscaped(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—", r)
	})
}

type dueSpan struct{ start, end int }

// wordSpans returns the byte spans of the blank-separated words of s.
func dueWords(s string) []dueSpan {
	var out []dueSpan
	start := -1
	for i, r := range s {
		switch {
		case unicode.IsSpace(r):
			if start >= 0 {
				out = append(out, dueSpan{start, i})
				start = -1
			}
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, dueSpan{start, len(s)})
	}
	return out
}

// The refusals. Each names what to do and gives examples.
var (
	errDueNoWhat = userErrorf("What should I follow up on? Put it before the date, for example " +
		"`/followup me send the deck by friday` or `/followup @alex review the PR by tomorrow 9am`.")
	errDueNone = userErrorf("I couldn't find a date in that. End it with *by* and a date or time, for example " +
		"`send the deck by friday`, `review the PR by Dec 3 5pm` or `call back in 2 hours`.")
	errDueGone   = userErrorf("That's in the past. " + pastDateAdvice)
	errDueTooFar = userErrorf("That's more than a year away; a follow-up can be at most a year ahead. Try, for example, " +
		"`end of next month`, `in 2 weeks` or `Dec 3`.")
)

func errDueUnreadable(when string) error {
	return userErrorf("I couldn't read “%s” as a date or time. Try, for example, "+
		"`by friday`, `by tomorrow 9am`, `by Dec 3 5pm` or `by 2026-12-03`.", quoteDue(when))
}

func errDueNoSuchDate(when string) error {
	return userErrorf("There is no such date as “%s”. Try, for example, "+
		"`by Dec 3`, `by 2026-12-03` or `by Feb 28`.", quoteDue(when))
}

func (c *dueClock) errPast(due time.Time) error {
	if dueDayOf(due.In(c.loc)) == c.today {
		return userErrorf("That time has already passed today (%s; it's %s now). Try, for example, "+
			"`tomorrow 9am`, `monday` or `in 2 hours`.", localClock(due, c.loc), localClock(c.now, c.loc))
	}
	return errPastDate(due, reader{loc: c.loc, now: c.now})
}

// pastDateAdvice ends every refusal of a past date.
const pastDateAdvice = "Pick a date still ahead, for example `tomorrow`, `next friday` or `Dec 3`."

// pastDateText names a date or time that has passed, the same way wherever
// a person typed or picked it (a command, a form's date field).
func pastDateText(t time.Time, r reader) string {
	return fmt.Sprintf("That's in the past (%s).", localWhen(t, r))
}

// errPastDate is the one refusal of a date or time that has passed.
func errPastDate(t time.Time, r reader) error {
	return userErrorf("%s %s", pastDateText(t, r), pastDateAdvice)
}

func (c *dueClock) errTooFar(due time.Time) error {
	return userErrorf("That's more than a year away (%s); a follow-up can be at most a year ahead. Try, for example, "+
		"`end of next month`, `in 2 weeks` or `Dec 3`.", localWhen(due, reader{loc: c.loc, now: c.now}))
}

// quoteDue shortens what a person typed for an error message.
func quoteDue(s string) string {
	return truncate(strings.Join(strings.Fields(s), " "), 41)
}

// errDueUnread is a reader's "this piece is not a usable date" ("13pm",
// "friday monday"); read turns it into errDueUnreadable when the whole
// text is made of date pieces.
var errDueUnread = errors.New("bot: not a date")

// dueClock is what every rule reads against: now and today in the author's
// zone, and their working week.
type dueClock struct {
	now   time.Time // in loc
	today dueDay
	loc   *time.Location
	week  store.WorkWeek
	start time.Weekday // the first day of the week
	order dateOrder    // how the person writes 3/12
}

// dueWeek fills in an unset or partial working week from the default.
func dueWeek(w store.WorkWeek) store.WorkWeek {
	if w.IsZero() {
		return store.DefaultWorkWeek
	}
	if len(w.Days) == 0 {
		w.Days = store.DefaultWorkWeek.Days
	}
	if w.End <= 0 || w.End > 24*time.Hour {
		w.End = store.DefaultWorkWeek.End
	}
	return w
}

func (c *dueClock) worksOn(d dueDay) bool { return slices.Contains(c.week.Days, d.weekday()) }

// endOfDay is week.End as a wall-clock time.
func (c *dueClock) endOfDay() dueTime {
	return dueTime{int(c.week.End / time.Hour), int(c.week.End % time.Hour / time.Minute)}
}

// weekStartDay is the first day of a working week: a working day after a
// day off, preferring Monday, then the days just before it (Sun–Thu and
// Sat–Wed weeks), then later ones (Tue–Sat). Monday when every day is a
// working day.
func dueWeekStart(days []time.Weekday) time.Weekday {
	works := func(d time.Weekday) bool { return slices.Contains(days, d) }
	for _, d := range []time.Weekday{time.Monday, time.Sunday, time.Saturday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday} {
		if works(d) && !works((d+6)%7) {
			return d
		}
	}
	return time.Monday
}

// weekOf is the first day of the week holding d.
func (c *dueClock) weekOf(d dueDay) dueDay {
	return d.add(-((int(d.weekday()) - int(c.start) + 7) % 7))
}

// lastWorkday returns the last working day from last back to first, or
// last when none of them is one.
func (c *dueClock) lastWorkday(first, last dueDay) dueDay {
	for d := last; !d.before(first); d = d.add(-1) {
		if c.worksOn(d) {
			return d
		}
	}
	return last
}

// firstWorkday returns the first working day from first on in that week.
func (c *dueClock) firstWorkday(first dueDay) dueDay {
	for i := range 7 {
		if d := first.add(i); c.worksOn(d) {
			return d
		}
	}
	return first
}

// endOfWeek is the last working day of the week starting on first.
func (c *dueClock) endOfWeek(first dueDay) dueDay { return c.lastWorkday(first, first.add(6)) }

// endOfMonth is the last working day of the month.
func (c *dueClock) endOfMonth(y int, m time.Month) dueDay {
	return c.lastWorkday(dueDay{y, m, 1}, dueDay{y, m, dueDaysIn(y, m)})
}

// read parses when, which must be a date and nothing else (besides
// fillers and punctuation). ok is false when it is not one; err is a
// refusal for a date that was recognised but cannot be used.
func (c *dueClock) read(when string) (due time.Time, ok bool, err error) {
	if len(when) > maxDueLen {
		return time.Time{}, false, nil
	}
	var s dueSpec
	masked := []byte(dueExpand(when))
	n := 0
	for _, r := range dueRules {
		for range 3 { // a rule found twice is a conflict; three times is nonsense
			m := r.rule.Find(string(masked))
			if m == nil || m.Left < 0 || m.Right <= m.Left || m.Right > len(masked) {
				break
			}
			// A piece that cannot be used still counts as found: the
			// refusal applies only if the whole text is a date.
			if rerr := r.read(c, m, &s); rerr != nil && err == nil {
				err = rerr
			}
			for i := m.Left; i < m.Right; i++ {
				masked[i] = ' '
			}
			n++
		}
	}
	if n == 0 || !dueFillersOnly(string(masked)) {
		return time.Time{}, false, nil
	}
	if err == nil {
		due, err = c.resolve(&s)
	}
	if errors.Is(err, errDueUnread) {
		err = errDueUnreadable(when)
	}
	return due, true, err
}

// onlyFillers reports whether what is left of a date after its parts are
// taken out is only punctuation and the words that may join them.
func dueFillersOnly(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) {
		switch strings.ToLower(w) {
		case "at", "on", "the", "by":
		default:
			return false
		}
	}
	return true
}

// resolve turns the parts of a date into the due instant and checks it.
func (c *dueClock) resolve(s *dueSpec) (time.Time, error) {
	if s.past {
		return time.Time{}, errDueGone
	}
	var due time.Time
	if s.hasExact {
		if s.hasDate || s.hasClock || s.hasSoft {
			return time.Time{}, errDueUnread // "tomorrow in 2 hours"
		}
		due = c.now.Add(s.exact)
	} else {
		d := c.today
		if s.hasDate {
			d = s.date
		}
		k := c.endOfDay()
		if s.hasSoft {
			k = s.soft
		}
		if s.hasClock {
			k = s.clock
		}
		due = time.Date(d.y, d.m, d.d, k.h, k.m, 0, 0, c.loc)
	}
	if !due.After(c.now) {
		return time.Time{}, c.errPast(due)
	}
	// At most a year ahead: up to the end of this date next year.
	if limit := time.Date(c.today.y+1, c.today.m, c.today.d+1, 0, 0, 0, 0, c.loc); !due.Before(limit) {
		return time.Time{}, c.errTooFar(due)
	}
	return due, nil
}

// dueSpec collects the parts of a date. Each part may be given once.
type dueSpec struct {
	date     dueDay
	hasDate  bool
	clock    dueTime
	hasClock bool
	soft     dueTime // "tonight": the time when no other is given
	hasSoft  bool
	exact    time.Duration // "in 2 hours": from now
	hasExact bool
	past     bool // "yesterday", "2 days ago"
}

func (s *dueSpec) setDate(d dueDay) error {
	if s.hasDate {
		return errDueUnread // "friday monday"
	}
	s.date, s.hasDate = d, true
	return nil
}

func (s *dueSpec) setClock(h, m int) error {
	if s.hasClock {
		return errDueUnread // "5pm 6pm"
	}
	s.clock, s.hasClock = dueTime{h, m}, true
	return nil
}

func (s *dueSpec) setExact(d time.Duration) error {
	if s.hasExact {
		return errDueUnread
	}
	s.exact, s.hasExact = d, true
	return nil
}

// dueTime is a wall-clock time of day.
type dueTime struct{ h, m int }

// dueDay is a calendar date, free of any zone.
type dueDay struct {
	y int
	m time.Month
	d int
}

func dueDayOf(t time.Time) dueDay {
	y, m, d := t.Date()
	return dueDay{y, m, d}
}

// Day arithmetic happens at noon UTC, where no DST change can move a date.
func (d dueDay) noon() time.Time       { return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC) }
func (d dueDay) add(days int) dueDay   { return dueDayOf(d.noon().AddDate(0, 0, days)) }
func (d dueDay) weekday() time.Weekday { return d.noon().Weekday() }
func (d dueDay) before(o dueDay) bool  { return d.noon().Before(o.noon()) }

func dueDaysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day() }

func dueValidDate(y int, m time.Month, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= dueDaysIn(y, m)
}

// addMonths adds n (>= 0) months, keeping the day or clamping it to the
// month's last (Jan 31 + 1 month = Feb 28).
func (d dueDay) addMonths(n int) dueDay {
	i := int(d.m) - 1 + n
	y, m := d.y+i/12, time.Month(i%12+1)
	return dueDay{y, m, min(d.d, dueDaysIn(y, m))}
}

// monthDay is month/day in the year that puts it today or later.
func (c *dueClock) monthDay(m time.Month, d int, text string) (dueDay, error) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return dueDay{}, errDueNoSuchDate(text)
	}
	y := c.today.y
	if m < c.today.m || m == c.today.m && d < c.today.d {
		y++
	}
	if !dueValidDate(y, m, d) {
		return dueDay{}, errDueNoSuchDate(text)
	}
	return dueDay{y, m, d}, nil
}

// dueRule is one piece of the date grammar: a rule that finds it (one of
// when's, or our own in when's rules.F form) and a reader that adds it to
// the spec. Order matters: each found piece is blanked out before the next
// rules run, so longer and more specific pieces come first ("2026-12-03"
// before when's HourMinute, which would read 12:03; "friday next week"
// before "next week"; "17:00" before "Dec 3", which would take the 17).
type dueRule struct {
	rule rules.Rule
	read func(c *dueClock, m *rules.Match, s *dueSpec) error
}

// dueOptions are when's CasualTime hours.
var dueOptions = &rules.Options{Morning: 9, Afternoon: 15, Evening: 18, Noon: 12}

var dueRules = []dueRule{
	{duePattern(`(?i)(?:\W|^)((\d{4})-(\d{1,2})-(\d{1,2}))(?:\W|$)`), dueReadISODate},
	{duePattern(`(?i)(?:\W|^)((\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?)(?:\W|$)`), dueReadSlashDate},
	{duePattern(`(?i)(?:\W|^)((` + en.MONTH_OFFSET_PATTERN + `)\s*(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))(?:\W|$)`), dueReadMonthDayYear},
	{duePattern(`(?i)(?:\W|^)((\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(` + en.MONTH_OFFSET_PATTERN + `),?\s+(\d{4}))(?:\W|$)`), dueReadDayMonthYear},
	{duePattern(`(?i)(?:\W|^)((?:end\s+of\s+(?:the\s+)?(?:(this|next)\s+)?(week|month))|(eow|eom))(?:\W|$)`), dueReadEndOf},
	{duePattern(`(?i)(?:\W|^)(eod|cob|end\s+of\s+(?:the\s+)?(?:work(?:ing)?\s*|business\s+)?day|close\s+of\s+business)(?:\W|$)`), dueReadEOD},
	{dueWeekdayRule{en.Weekday(rules.Override)}, dueReadWeekday},
	{duePattern(`(?i)(?:\W|^)((?:(this|last|past|next)\s+)?(tues|thurs|weds)(?:\s+((?:this|last|past|next)\s+week))?)(?:\W|$)`), dueReadWeekdayAlias},
	{duePattern(`(?i)(?:\W|^)(next\s+week)(?:\W|$)`), dueReadNextWeek},
	{duePattern(`(?i)(?:\W|^)(next\s+month)(?:\W|$)`), dueReadNextMonth},
	{duePattern(`(?i)(?:\W|^)(at\s+(\d{1,2})(?::(\d{2}))?(?:\s*(a\.?m\.?|p\.?m\.?|o'?clock))?)(?:\W|$)`), dueReadAtHour},
	{en.Deadline(rules.Override), dueReadDeadline},
	{duePattern(`(?i)(?:\W|^)((?:in|within)\s*(\d+)\s*(h|hrs?|m|d|w))(?:\W|$)`), dueReadShortDeadline},
	{en.PastTime(rules.Override), dueReadPast},
	{en.HourMinute(rules.Override), dueReadHourMinute},
	{en.Hour(rules.Override), dueReadHour},
	{en.ExactMonthDate(rules.Override), dueReadMonthDate},
	{en.CasualDate(rules.Override), dueReadCasualDate},
	{en.CasualTime(rules.Override), dueReadCasualTime},
}

// pattern is one of our own rules in when's form. Its first group spans
// the whole piece, and its last group ends where the piece ends (rules.F
// takes the span from the first to the last group that matched). Its
// Applier does nothing: our readers decode the captures.
func duePattern(expr string) *rules.F {
	return &rules.F{
		RegExp:  regexp.MustCompile(expr),
		Applier: func(*rules.Match, *rules.Context, *rules.Options, time.Time) (bool, error) { return false, nil },
	}
}

// dueWeekdayRule fixes the span of when's Weekday rule, whose regexp matches
// "friday next week" but whose last group ends before "week".
type dueWeekdayRule struct{ rules.Rule }

var dueWeekSuffix = regexp.MustCompile(`(?i)^\s*week`)

func (r dueWeekdayRule) Find(text string) *rules.Match {
	m := r.Rule.Find(text)
	if m != nil && len(m.Captures) == 3 && m.Captures[2] != "" && m.Right <= len(text) {
		if loc := dueWeekSuffix.FindStringIndex(text[m.Right:]); loc != nil {
			m.Right += loc[1]
		}
	}
	return m
}

func dueAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func dueFold(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func dueReadISODate(c *dueClock, m *rules.Match, s *dueSpec) error {
	y, mo, d := dueAtoi(m.Captures[1]), dueAtoi(m.Captures[2]), dueAtoi(m.Captures[3])
	if !dueValidDate(y, time.Month(mo), d) {
		return errDueNoSuchDate(m.Captures[0])
	}
	return s.setDate(dueDay{y, time.Month(mo), d})
}

// dueReadSlashDate reads a/b and a/b/year: in the person's own order when
// both readings are possible (3/12), and in the only possible one when not
// (31/12 is day/month, 12/31 month/day, whatever the locale).
func dueReadSlashDate(c *dueClock, m *rules.Match, s *dueSpec) error {
	a, b := dueAtoi(m.Captures[1]), dueAtoi(m.Captures[2])
	mo, d := time.Month(a), b
	if a > 12 && b <= 12 || c.order == dayFirst && a <= 12 && b <= 12 {
		mo, d = time.Month(b), a
	}
	if m.Captures[3] == "" {
		date, err := c.monthDay(mo, d, m.Captures[0])
		if err != nil {
			return err
		}
		return s.setDate(date)
	}
	y := dueAtoi(m.Captures[3])
	if len(m.Captures[3]) == 2 {
		y += 2000
	}
	if !dueValidDate(y, mo, d) {
		return errDueNoSuchDate(m.Captures[0])
	}
	return s.setDate(dueDay{y, mo, d})
}

func dueReadDatedMonth(s *dueSpec, text, month, day, year string) error {
	mo, ok := en.MONTH_OFFSET[dueFold(month)]
	if !ok {
		return errDueUnread
	}
	y, d := dueAtoi(year), dueAtoi(day)
	if !dueValidDate(y, time.Month(mo), d) {
		return errDueNoSuchDate(text)
	}
	return s.setDate(dueDay{y, time.Month(mo), d})
}

func dueReadMonthDayYear(c *dueClock, m *rules.Match, s *dueSpec) error {
	return dueReadDatedMonth(s, m.Captures[0], m.Captures[1], m.Captures[2], m.Captures[3])
}

func dueReadDayMonthYear(c *dueClock, m *rules.Match, s *dueSpec) error {
	return dueReadDatedMonth(s, m.Captures[0], m.Captures[2], m.Captures[1], m.Captures[3])
}

func dueReadEndOf(c *dueClock, m *rules.Match, s *dueSpec) error {
	next := dueFold(m.Captures[1]) == "next"
	unit := dueFold(m.Captures[2])
	switch dueFold(m.Captures[3]) {
	case "eow":
		unit = "week"
	case "eom":
		unit = "month"
	}
	switch unit {
	case "week":
		first := c.weekOf(c.today)
		d := c.endOfWeek(first)
		if next || d.before(c.today) {
			d = c.endOfWeek(first.add(7))
		}
		return s.setDate(d)
	case "month":
		first := dueDay{c.today.y, c.today.m, 1}
		d := c.endOfMonth(first.y, first.m)
		if next || d.before(c.today) {
			first = first.addMonths(1)
			d = c.endOfMonth(first.y, first.m)
		}
		return s.setDate(d)
	}
	return errDueUnread
}

func dueReadEOD(c *dueClock, m *rules.Match, s *dueSpec) error {
	k := c.endOfDay()
	return s.setClock(k.h, k.m)
}

// dueReadWeekday reads when's Weekday captures: [this|last|past|next] day
// [this|last|past|next week].
func dueReadWeekday(c *dueClock, m *rules.Match, s *dueSpec) error {
	if len(m.Captures) != 3 {
		return errDueUnread
	}
	pre, day, suf := dueFold(m.Captures[0]), dueFold(m.Captures[1]), dueFold(m.Captures[2])
	wd, ok := en.WEEKDAY_OFFSET[day]
	if !ok || pre != "" && suf != "" {
		return errDueUnread
	}
	fromStart := (wd - int(c.start) + 7) % 7
	switch {
	case pre == "" && suf == "", pre == "this": // the coming one, today included
		return s.setDate(c.today.add((wd - int(c.today.weekday()) + 7) % 7))
	case pre == "next", suf == "next":
		return s.setDate(c.weekOf(c.today).add(7 + fromStart))
	case suf == "this":
		return s.setDate(c.weekOf(c.today).add(fromStart))
	}
	s.past = true // last friday, friday past week
	return nil
}

// dueReadWeekdayAlias reads the abbreviations when's Weekday lacks ("tues",
// "thurs", "weds") as dueReadWeekday would the short names.
func dueReadWeekdayAlias(c *dueClock, m *rules.Match, s *dueSpec) error {
	day := map[string]string{"tues": "tue", "thurs": "thu", "weds": "wed"}[dueFold(m.Captures[2])]
	suf, _, _ := strings.Cut(dueFold(m.Captures[3]), " ")
	return dueReadWeekday(c, &rules.Match{Captures: []string{m.Captures[1], day, suf}}, s)
}

func dueReadNextWeek(c *dueClock, m *rules.Match, s *dueSpec) error {
	return s.setDate(c.firstWorkday(c.weekOf(c.today).add(7)))
}

// dueReadNextMonth is the first working day of next month.
func dueReadNextMonth(c *dueClock, m *rules.Match, s *dueSpec) error {
	first := dueDay{c.today.y, c.today.m, 1}.addMonths(1)
	return s.setDate(c.firstWorkday(first))
}

// dueReadAtHour reads "at 3", "at 3:30", "at 3 o'clock" and "at 3 pm".
func dueReadAtHour(c *dueClock, m *rules.Match, s *dueSpec) error {
	h, mins := dueAtoi(m.Captures[1]), 0
	if m.Captures[2] != "" {
		mins = dueAtoi(m.Captures[2])
	}
	ok := false
	switch suffix := strings.ToLower(strings.ReplaceAll(m.Captures[3], ".", "")); suffix {
	case "am", "pm":
		h, ok = dueHour24(h, suffix)
	default:
		h, ok = dueWorkingHour(h, m.Captures[1])
	}
	if !ok || mins < 0 || mins > 59 {
		return errDueUnread
	}
	return s.setClock(h, mins)
}

// dueWorkingHour reads an hour written without a.m. or p.m.: 1 to 7
// written without a leading zero are afternoon hours (13:00 to 19:00),
// because a follow-up at 3 a.m. is almost never meant; "03", 0 and 8 to
// 23 are as written.
func dueWorkingHour(h int, written string) (int, bool) {
	if h < 0 || h > 23 {
		return 0, false
	}
	if h >= 1 && h <= 7 && !strings.HasPrefix(written, "0") {
		return h + 12, true
	}
	return h, true
}

// dueReadDeadline reads when's Deadline captures: in|within, a number
// (digits, "one"…"twelve", "a", "an", "a few", "half a"), a unit.
func dueReadDeadline(c *dueClock, m *rules.Match, s *dueSpec) error {
	if len(m.Captures) != 3 {
		return errDueUnread
	}
	num := dueFold(m.Captures[1])
	half := strings.HasPrefix(num, "half")
	n := 0
	switch {
	case half:
	case num == "a" || num == "an":
		n = 1
	case strings.Contains(num, "few"):
		n = 3
	default:
		if v, ok := en.INTEGER_WORDS[num]; ok {
			n = v
			break
		}
		if strings.TrimLeft(num, "0123456789") != "" {
			return errDueUnread
		}
		if len(num) > 6 || dueAtoi(num) > maxDueAmount {
			return errDueTooFar
		}
		n = dueAtoi(num)
	}
	unit := dueFold(m.Captures[2])
	return dueAddAmount(c, s, n, half, unit)
}

func dueReadShortDeadline(c *dueClock, m *rules.Match, s *dueSpec) error {
	num := m.Captures[1]
	if len(num) > 6 || dueAtoi(num) > maxDueAmount {
		return errDueTooFar
	}
	unit := map[string]string{"h": "hour", "hr": "hour", "hrs": "hour", "m": "minute", "d": "day", "w": "week"}[dueFold(m.Captures[2])]
	return dueAddAmount(c, s, dueAtoi(num), false, unit)
}

// dueAddAmount adds "in n units" to s: seconds, minutes and hours exactly,
// days and longer as calendar days (ending the working day).
func dueAddAmount(c *dueClock, s *dueSpec, n int, half bool, unit string) error {
	exact := map[string]time.Duration{"sec": time.Second, "min": time.Minute, "hou": time.Hour}
	if len(unit) < 3 {
		return errDueUnread
	}
	u := unit[:3]
	if d, ok := exact[u]; ok {
		if half {
			return s.setExact(d / 2)
		}
		return s.setExact(time.Duration(n) * d)
	}
	switch u {
	case "day":
		if half {
			return s.setExact(12 * time.Hour)
		}
		return s.setDate(c.today.add(n))
	case "wee":
		if half {
			return s.setExact(84 * time.Hour)
		}
		return s.setDate(c.today.add(7 * n))
	case "mon":
		if !half {
			return s.setDate(c.today.addMonths(n))
		}
	case "yea":
		if !half {
			return s.setDate(c.today.addMonths(12 * n))
		}
	}
	return errDueUnread
}

func dueReadPast(c *dueClock, m *rules.Match, s *dueSpec) error {
	s.past = true
	return nil
}

// hour24 turns an hour and an optional "am"/"pm"/"a.m."/"p.m." into 0–23.
// when's own appliers map 12am to noon.
func dueHour24(h int, ampm string) (int, bool) {
	if ampm == "" {
		return h, h >= 0 && h <= 23
	}
	if h < 1 || h > 12 {
		return 0, false
	}
	if ampm[0] == 'p' || ampm[0] == 'P' {
		return h%12 + 12, true
	}
	return h % 12, true
}

func dueReadHourMinute(c *dueClock, m *rules.Match, s *dueSpec) error {
	if len(m.Captures) != 3 || strings.Contains(m.Text, "-") { // "12-03" is not a time
		return errDueUnread
	}
	h, ok := dueHour24(dueAtoi(m.Captures[0]), m.Captures[2])
	if m.Captures[2] == "" {
		h, ok = dueWorkingHour(dueAtoi(m.Captures[0]), m.Captures[0])
	}
	mins := dueAtoi(m.Captures[1])
	if !ok || mins < 0 || mins > 59 {
		return errDueUnread
	}
	return s.setClock(h, mins)
}

func dueReadHour(c *dueClock, m *rules.Match, s *dueSpec) error {
	if len(m.Captures) != 2 {
		return errDueUnread
	}
	h, ok := dueHour24(dueAtoi(m.Captures[0]), m.Captures[1])
	if !ok {
		return errDueUnread
	}
	return s.setClock(h, 0)
}

// dueReadMonthDate uses when's ExactMonthDate applier ("Dec 3", "3 Dec",
// "December 3rd", "the third of December", "december").
func dueReadMonthDate(c *dueClock, m *rules.Match, s *dueSpec) error {
	var ctx rules.Context
	if ok, err := m.Apply(&ctx, dueOptions, c.now); err != nil || !ok || ctx.Month == nil {
		return errDueUnread
	}
	mo := time.Month(*ctx.Month)
	if ctx.Day == nil { // a month alone: its last working day
		y := c.today.y
		if mo < c.today.m {
			y++
		}
		return s.setDate(c.endOfMonth(y, mo))
	}
	d, err := c.monthDay(mo, *ctx.Day, m.Text)
	if err != nil {
		return err
	}
	return s.setDate(d)
}

func dueReadCasualDate(c *dueClock, m *rules.Match, s *dueSpec) error {
	if len(m.Captures) != 1 {
		return errDueUnread
	}
	switch dueFold(m.Captures[0]) {
	case "now":
		return s.setExact(0)
	case "today":
		return s.setDate(c.today)
	case "tonight":
		s.soft, s.hasSoft = dueTime{dueTonightHour, 0}, true
		return s.setDate(c.today)
	case "tomorrow", "tmr":
		return s.setDate(c.today.add(1))
	case "yesterday", "last night":
		s.past = true
		return nil
	}
	return errDueUnread
}

// dueReadCasualTime uses when's CasualTime applier with dueOptions ("noon",
// "morning", "this afternoon", "evening").
func dueReadCasualTime(c *dueClock, m *rules.Match, s *dueSpec) error {
	var ctx rules.Context
	if ok, err := m.Apply(&ctx, dueOptions, c.now); err != nil || !ok || ctx.Hour == nil {
		return errDueUnread
	}
	mins := 0
	if ctx.Minute != nil {
		mins = *ctx.Minute
	}
	return s.setClock(*ctx.Hour, mins)
}
