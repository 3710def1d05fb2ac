package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// Display choices for coffee messages: short enough to read on a phone.
const (
	coffeeSlotsMax    = 3                // times offered by "Suggest a time"
	coffeeSlotLength  = 30 * time.Minute // each suggested slot
	coffeeStyleMax    = 200              // a work-style note in the intro
	coffeeOverlapMax  = 80               // an overlap description in the intro
	coffeeIcebreakMax = 300              // the icebreaker question
	coffeePartnersMax = 8                // partners named on one history line (a group DM holds 8 people besides the bot)
	coffeeHistoryMax  = 20               // rounds listed by /coffee history
	coffeeRecentMax   = 3                // rounds listed by /coffee status
)

// coffeeNoSlots is what "Suggest a time" says when the group shares no
// working time soon.
const coffeeNoSlots = "I couldn't find shared working time in the next two weeks — try a quick async hello instead."

// coffeePerson is one member of a coffee group as the intro shows them.
type coffeePerson struct {
	ID      string
	Zone    string // IANA, e.g. "Europe/Berlin" ("" unknown): the intro says where they are ("in Berlin")
	Overlap string // when this group's working hours overlap, in this person's zone, e.g. "Mon–Fri 15:00–18:00"; "" when unknown
	Style   string // their work-style note ("written summaries over calls"), plain text already escaped; "" none
	// New and Buddy mark a buddy group (made for a newcomer's first
	// round): New for the newcomer, Buddy for the volunteer.
	New, Buddy bool
}

// coffeeIntro is one group of one round, for the group DM that introduces
// them. Icebreaker is shown verbatim (the icebreakers list needs no
// escaping).
type coffeeIntro struct {
	RoundID        uint64
	Group          int
	People         []coffeePerson
	Icebreaker     string
	DidYouMeetDays int // when "did you meet?" will be asked
}

// coffeeStatus is what /coffee status shows a person about themselves.
type coffeeStatus struct {
	Enrolled    bool
	Via         string    // "command" | "channel"
	PausedUntil time.Time // zero: not paused
	// UntilResumed: paused with no end date; PausedUntil is then a
	// placeholder far in the future and is never shown.
	UntilResumed     bool
	PausedForSilence bool // several rounds passed without an answer
	SkipNext         bool
	NextRound        time.Time            // zero: none scheduled
	Recent           []coffeeHistoryEntry // most recent first, up to 3
	Never            int                  // how many people on their never-list (never show who)
	Team             string               // teamLine: the person's team and where it comes from; "" no teams set up
	Reader           reader               // who reads it: zone and now
}

// coffeeHistoryEntry is one round as one person lived it: whom they met and
// what they answered, or why they sat it out.
type coffeeHistoryEntry struct {
	At       time.Time
	Partners []string // user IDs
	Answer   string   // "yes", "not_yet", "no", "cant", "" (no answer)
	SatOut   string   // reason when they sat out ("alone", "no_overlap", "never_list", …); "" when they were paired
}

// coffeeStats is what /coffee stats shows admins.
type coffeeStats struct {
	Rounds       int // rounds run
	Participants int // people who took part in at least one round
	Groups       int // groups formed
	Answered     int // groups with an answer to "did you meet?"
	Met          int // groups that met
	CrossZone    int // groups spanning more than one time zone
	Pairs        int // pairs of people put together (a trio is 3 pairs)
	RepeatPairs  int // of those, pairs that had met in an earlier round
	Members      int // people enrolled now
	Paused       int // of those, paused now
	Since        time.Time
	Reader       reader // who reads it: zone and now
}

// renderCoffeeIntro builds the group DM that introduces a coffee group: who
// they are, where each person is and the group's shared working hours in
// their own zone, work-style notes when set, the icebreaker, the three
// buttons, and when Rapport will check back. It names no one's current
// clock time: the intro waits for the group's shared hours and stays in the
// DM for days, so any "it's 06:00 there" would be stale when read.
func renderCoffeeIntro(in coffeeIntro) (string, []slack.Block) {
	var ids []string
	for _, p := range in.People {
		if kudosMention(p.ID) != "" {
			ids = append(ids, p.ID)
		}
	}
	who := joinMentions(ids)

	var text, hello string
	switch len(ids) {
	case 0:
		text = ":coffee: Your coffee chat for this round"
		hello = ":wave: *Coffee time!* Here's your group for this round."
	case 1:
		text = ":coffee: Coffee chat this round: " + who
		hello = ":wave: *Coffee time,* " + who + "! Here's your coffee chat for this round."
	case 2:
		text = ":coffee: Coffee chat this round: " + who
		hello = ":wave: *Coffee time!* " + who + ", you're paired this round. Find half an hour that suits you both — no agenda, just a chance to get to know each other."
	default:
		text = ":coffee: Coffee chat this round: " + who
		hello = ":wave: *Coffee time!* " + who + ", you're a coffee group this round. Find half an hour that suits you all — no agenda, just a chance to get to know each other."
	}
	blocks := []slack.Block{kudosSection(hello)}
	if b := buddyNote(in.People); b != "" {
		blocks = append(blocks, kudosSection(b))
	}

	var lines []string
	for _, p := range in.People {
		m := kudosMention(p.ID)
		if m == "" {
			continue
		}
		var about []string
		if w := coffeeWhere(p.Zone); w != "" {
			about = append(about, w)
		}
		if o := kudosClip(kudosOneLine(escapeText(p.Overlap)), coffeeOverlapMax); o != "" {
			about = append(about, "shared hours "+o)
		}
		style := kudosClip(kudosOneLine(p.Style), coffeeStyleMax)
		if len(about) == 0 && style == "" {
			continue
		}
		line := "• " + m
		if len(about) > 0 {
			line += " — " + strings.Join(about, " · ")
		}
		if style != "" {
			line += "\n      :memo: " + style
		}
		lines = append(lines, line)
	}
	if len(lines) > 0 {
		blocks = append(blocks, kudosSection(strings.Join(lines, "\n")))
	}

	if q := kudosClip(kudosOneLine(in.Icebreaker), coffeeIcebreakMax); q != "" {
		blocks = append(blocks, kudosSection(":speech_balloon: *Icebreaker:* "+q))
	}

	value := coffeeGroupValue(in.RoundID, in.Group)
	blocks = append(blocks,
		slack.NewActionBlock("",
			coffeeButton(coffeeMetAction, value, "We met ☕", true),
			coffeeButton(coffeeCantAction, value, "Can't make it", false),
			coffeeButton(coffeeSuggestAction, value, "Suggest a time", false),
		),
		kudosContext(coffeeCheckBack(in.DidYouMeetDays)+" Need a break? `/coffee pause`"),
	)
	return kudosClip(text, kudosFallback), blocks
}

// buddyNote is the line a buddy group's intro adds: who is new here, and
// who volunteered to be their buddy; "" when the group is not one.
func buddyNote(people []coffeePerson) string {
	var newIDs, buddyIDs []string
	for _, p := range people {
		switch {
		case kudosMention(p.ID) == "":
		case p.New:
			newIDs = append(newIDs, p.ID)
		case p.Buddy:
			buddyIDs = append(buddyIDs, p.ID)
		}
	}
	if len(newIDs) == 0 || len(buddyIDs) == 0 {
		return ""
	}
	is := "is"
	if len(newIDs) > 1 {
		is = "are"
	}
	return ":seedling: " + joinMentions(newIDs) + " " + is + " new here, and " + joinMentions(buddyIDs) +
		" volunteered as a buddy: a friendly first chat, and someone to ask how things work."
}

// renderCoffeeSuggest is the private answer to "Suggest a time": up to three
// 30-minute slots in the group's shared working time, each shown in the
// reader's own zone, or a kind word when there are none.
func renderCoffeeSuggest(slots []time.Time, r reader) (string, []slack.Block) {
	var lines, plain []string
	for _, s := range slots {
		if s.IsZero() {
			continue
		}
		if len(lines) == coffeeSlotsMax {
			break
		}
		end := s.Add(coffeeSlotLength)
		lines = append(lines, "• "+localWhen(s, r)+" – "+localClock(end, r.loc))
		plain = append(plain, localWhen(s, r))
	}
	if len(lines) == 0 {
		return coffeeNoSlots, []slack.Block{
			kudosSection(coffeeNoSlots),
			kudosContext("A short hello in your group works well: say hi and answer the icebreaker when it suits you."),
		}
	}
	text := "Times that suit everyone's working hours: " + strings.Join(plain, "; ")
	return kudosClip(text, kudosFallback), []slack.Block{
		kudosSection(":calendar: *Times that suit everyone's working hours*\n" + strings.Join(lines, "\n")),
		kudosContext("30 minutes each, shown in your own time zone. Only you can see this — post your pick in the group."),
	}
}

// renderDidYouMeet asks the group, some days after the intro, whether
// they met: three buttons in one row, with value
// "<round>:<group>:<answer>". Slack rejects two elements with one action_id
// in the same block, so each answer has its own action_id, all routed to
// the same handler (the value decides).
func renderDidYouMeet(roundID uint64, group int) (string, []slack.Block) {
	value := coffeeGroupValue(roundID, group) + ":"
	return "Did you meet for your coffee chat?", []slack.Block{
		kudosSection(":coffee: *Did you meet?* No pressure either way — a quick tap helps me make better pairs next time."),
		slack.NewActionBlock("",
			coffeeButton(didYouMeetYesAction, value+"yes", "Yes ☕", true),
			coffeeButton(didYouMeetNotYetAction, value+"not_yet", "Not yet", false),
			coffeeButton(didYouMeetNoAction, value+"no", "No", false)),
	}
}

// renderCoffeeHeadsUp is the DM sent before a scheduled round: when it
// starts, a "Skip this round" button (value: the start in Unix seconds), and
// a way to stop these heads-ups.
func renderCoffeeHeadsUp(at time.Time, r reader) (string, []slack.Block) {
	text := ":coffee: Heads-up: the next coffee round starts soon"
	when := "soon"
	if !at.IsZero() {
		when = localWhen(at, r)
		text = ":coffee: Heads-up: the next coffee round starts " + when
	}
	buttons := []slack.BlockElement{}
	if !at.IsZero() {
		buttons = append(buttons, coffeeButton(coffeeSkipAction, strconv.FormatInt(at.Unix(), 10), "Skip this round", false))
	}
	buttons = append(buttons, coffeeButton(muteDMAction, string(store.DMHeadsUp), "Stop heads-ups", false))
	return text, []slack.Block{
		kudosSection(":coffee: *Heads-up:* the next coffee round starts " + when + ". You're in — nothing to do. " +
			"Busy that week? Skip this one and you'll be back in the round after."),
		kudosContext("I send a heads-up before each round. For a longer break: `/coffee pause`"),
		slack.NewActionBlock("", buttons...),
	}
}

// renderCoffeeSatOut is the DM to someone left out of a round, by reason:
// "alone" (nobody else this time), "no_overlap" (nobody with enough shared
// working hours) or "never_list" (everyone left is on a never-list, said
// without naming anyone or whose list it is). It says they are still in and
// how to pause.
func renderCoffeeSatOut(reason string) string {
	var why string
	switch reason {
	case "alone":
		why = ":coffee: No coffee chat for you this round — there was nobody else to pair you with this time."
	case "no_overlap":
		why = ":coffee: No coffee chat for you this round — I couldn't find anyone whose working hours overlap enough with yours."
	case "never_list":
		why = ":coffee: No coffee chat for you this round — I couldn't find a match that fits everyone's pairing preferences."
	default:
		why = ":coffee: No coffee chat for you this round."
	}
	return why + " You're still in and will be included next round; nothing to do. Want a break instead? `/coffee pause`"
}

// renderCoffeeStillIn is the DM before the round that would pause someone
// who has not answered "did you meet?" for silent rounds: a kind question
// whether to keep pairing them, what happens if they say nothing (a pause
// before the round at at, undone any time), "Keep me in" and "Leave coffee
// chats", and pausing as the middle way.
func renderCoffeeStillIn(at time.Time, r reader, silent int) (string, []slack.Block) {
	chats := "last few coffee chats"
	if silent > 0 {
		chats = "last " + kudosCount(silent, "coffee chat", "coffee chats")
	}
	return "Still up for coffee chats?", []slack.Block{
		kudosSection(":wave: *Still up for coffee chats?* I haven't heard how your " + chats + " went — no problem at all, weeks get busy. " +
			"Would you like to keep being paired?"),
		kudosContext("If I don't hear from you before the next round (" + localWhen(at, r) + "), I'll pause your coffee chats so nobody waits for you. " +
			"`/coffee resume` brings you back any time."),
		slack.NewActionBlock("",
			coffeeButton(coffeeStayAction, "", "Keep me in", true),
			coffeeButton(coffeeLeaveAction, "", "Leave coffee chats", false),
		),
		kudosContext("Just need a break? `/coffee pause for 4 weeks` and I'll pair you again after that."),
	}
}

// renderCoffeePausedSilent is the DM telling someone their coffee chats are
// paused because neither "did you meet?" nor "still up for coffee chats?"
// got an answer, with Resume and Leave.
func renderCoffeePausedSilent() (string, []slack.Block) {
	return "I've paused your coffee chats", []slack.Block{
		kudosSection(":double_vertical_bar: *I've paused your coffee chats.* I didn't hear back, so I stopped pairing you rather than set up chats nobody can make. " +
			"No hard feelings — come back whenever you like."),
		slack.NewActionBlock("",
			coffeeButton(coffeeStayAction, "", "Resume coffee chats", true),
			coffeeButton(coffeeLeaveAction, "", "Leave coffee chats", false),
		),
	}
}

// coffeeMetText is the note in the group DM after someone clicks "We met ☕".
func coffeeMetText(user string) string {
	return coffeeWho(user) + " says you met ☕ — lovely. Thanks for making time for each other."
}

// coffeeCantText is the note in the group DM after someone clicks "Can't
// make it": no blame, and a nudge for the others to meet anyway.
func coffeeCantText(user string) string {
	return coffeeWho(user) + " can't make it this time — no worries, it happens. " +
		"You can still meet: *Suggest a time* above finds another slot, or go ahead without them if there are a few of you."
}

// renderCoffeeStatus is the private answer to /coffee status: whether they
// are in (and how they joined), paused or skipping, the next round, their
// last rounds, how many people they asked not to meet (never who), and the
// commands that fit their state.
func renderCoffeeStatus(s coffeeStatus) (string, []slack.Block) {
	paused := !s.PausedUntil.IsZero() || s.PausedForSilence
	var text, state, commands string
	switch {
	case !s.Enrolled:
		text = "Coffee chats: you're not in"
		state = ":coffee: You're not in coffee chats right now. Join with `/coffee join` and I'll pair you with a teammate for a short virtual coffee each round."
		commands = "`/coffee join` · `/coffee help`"
	case s.PausedForSilence:
		text = "Coffee chats: paused (no answers lately)"
		state = ":double_vertical_bar: You're in coffee chats, *paused*: your last few rounds went unanswered, and so did my question whether to keep pairing you. No problem at all. Back? `/coffee resume`"
		commands = "`/coffee resume` · `/coffee history` · `/coffee leave`"
	case paused && s.UntilResumed:
		text = "Coffee chats: paused until you resume"
		state = ":double_vertical_bar: You're in coffee chats, *paused* until you resume. Back? `/coffee resume`"
		commands = "`/coffee resume` · `/coffee history` · `/coffee leave`"
	case paused:
		text = "Coffee chats: paused until " + localDate(s.PausedUntil, s.Reader)
		state = ":double_vertical_bar: You're in coffee chats, *paused* until " + localDate(s.PausedUntil, s.Reader) + ". Back sooner? `/coffee resume`"
		commands = "`/coffee resume` · `/coffee history` · `/coffee leave`"
	default:
		text = "Coffee chats: you're in"
		state = ":white_check_mark: You're in coffee chats"
		switch s.Via {
		case "command":
			state += " (you joined with `/coffee join`)."
		case "channel":
			state += " (through the coffee channel)."
		default:
			state += "."
		}
		commands = "`/coffee pause` · `/coffee history` · `/coffee leave`"
	}

	var next string
	switch {
	case s.NextRound.IsZero() && s.Enrolled && s.SkipNext:
		next = ":fast_forward: You're skipping the next round."
	case s.NextRound.IsZero():
	case !s.Enrolled:
		next = ":calendar: Next round: " + localWhen(s.NextRound, s.Reader) + ". Join before then to be included."
	case paused && (s.PausedForSilence || s.UntilResumed || s.NextRound.Before(s.PausedUntil)):
		next = ":calendar: Next round: " + localWhen(s.NextRound, s.Reader) + ". You'll sit it out while paused."
	case s.SkipNext:
		next = ":calendar: Next round: " + localWhen(s.NextRound, s.Reader) + ". You're skipping that one and will be back the round after."
	default:
		next = ":calendar: Next round: " + localWhen(s.NextRound, s.Reader) + ". You're in."
	}
	if next != "" {
		state += "\n" + next
	}
	if s.Team != "" {
		state += "\n:busts_in_silhouette: " + s.Team
	}
	blocks := []slack.Block{kudosSection(state)}

	if s.Enrolled && s.PausedForSilence {
		blocks = append(blocks, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, ":wave: Ready for coffee again? I'll pair you from the next round.", false, true),
			nil,
			slack.NewAccessory(coffeeButton(coffeeStayAction, "", "Resume coffee chats", true)),
		))
	}

	var recent []string
	for i, e := range s.Recent {
		if i == coffeeRecentMax {
			break
		}
		recent = append(recent, coffeeHistoryLine(e, s.Reader))
	}
	if len(recent) > 0 {
		blocks = append(blocks, kudosSection("*Recent rounds*\n"+strings.Join(recent, "\n")))
	}

	if s.Never > 0 {
		blocks = append(blocks, kudosContext("You've asked not to be paired with "+kudosCount(s.Never, "person", "people")+
			". `/coffee allow @person` undoes that."))
	}
	blocks = append(blocks, kudosContext(commands))
	return text, blocks
}

// renderCoffeeHistory is the private answer to /coffee history: the last 20
// rounds, newest first as given, each with the date, whom they met and how
// it went, or why they sat out.
func renderCoffeeHistory(entries []coffeeHistoryEntry, r reader) (string, []slack.Block) {
	if len(entries) == 0 {
		text := "No coffee chats yet."
		return text, []slack.Block{
			kudosSection(":coffee: No coffee chats yet — they'll show up here after your first round. Not in yet? `/coffee join`"),
		}
	}
	shown := entries[:min(len(entries), coffeeHistoryMax)]
	var lines []string
	met, sat := 0, 0
	for _, e := range shown {
		lines = append(lines, coffeeHistoryLine(e, r))
		switch {
		case coffeeSatOut(e):
			sat++
		case e.Answer == "yes":
			met++
		}
	}
	rounds := kudosCount(len(shown), "round", "rounds")
	summary := []string{"Your last " + rounds}
	if met > 0 {
		summary = append(summary, "met "+kudosCount(met, "time", "times"))
	}
	if sat > 0 {
		summary = append(summary, "sat out "+kudosCount(sat, "round", "rounds"))
	}
	blocks := []slack.Block{kudosSection("*Your coffee chats*")}
	blocks = append(blocks, kudosContext(strings.Join(summary, " · ")))
	blocks = append(blocks, coffeeListSections(lines)...)
	foot := "Only you can see this."
	if len(entries) > len(shown) {
		foot = "Showing your last " + strconv.Itoa(len(shown)) + " rounds. " + foot
	}
	blocks = append(blocks, kudosContext(foot))
	return "Your last " + rounds + " of coffee chats", blocks
}

// renderCoffeeStats is the private answer to an admin's /coffee stats:
// rounds and people, how often groups met (of all groups and of those that
// answered), how many groups spanned time zones, repeat pairs (and so how
// many were new), and members and paused.
func renderCoffeeStats(s coffeeStats) (string, []slack.Block) {
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Coffee chats — stats", true, false)),
	}
	if !s.Since.IsZero() {
		blocks = append(blocks, kudosContext("Since "+localDate(s.Since, s.Reader)))
	}
	if s.Rounds <= 0 {
		members := kudosCount(s.Members, "member", "members")
		if s.Paused > 0 {
			members += " (" + strconv.Itoa(s.Paused) + " paused)"
		}
		text := "Coffee stats: no rounds yet"
		return text, append(blocks,
			kudosSection("No coffee rounds yet — "+members+" so far. `/coffee now` starts one."))
	}
	members := strconv.Itoa(s.Members)
	if s.Paused > 0 {
		members += " · " + strconv.Itoa(s.Paused) + " paused"
	}

	field := func(title string, lines ...string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.MarkdownType, kudosClip(kudosJoin("*"+title+"*", lines...), kudosFieldMax), false, true)
	}
	met := []string{coffeePercent(s.Met, s.Groups) + " of groups (" + strconv.Itoa(s.Met) + " of " + strconv.Itoa(s.Groups) + ")"}
	if s.Answered > 0 {
		met = append(met, coffeePercent(s.Met, s.Answered)+" of those that answered ("+strconv.Itoa(s.Answered)+")")
	} else {
		met = append(met, "No answers yet")
	}
	repeats := "No pairs yet"
	var fresh []string
	if s.Pairs > 0 {
		repeats = strconv.Itoa(s.RepeatPairs) + " of " + kudosCount(s.Pairs, "pair", "pairs") + " (" + coffeePercent(s.RepeatPairs, s.Pairs) + ")"
		fresh = append(fresh, kudosCount(max(0, s.Pairs-s.RepeatPairs), "pair", "pairs")+" met for the first time")
	}
	fields := []*slack.TextBlockObject{
		field("Rounds", strconv.Itoa(s.Rounds)),
		field("People", strconv.Itoa(s.Participants)+" took part"),
		field("Met", met...),
		field("Across time zones", coffeePercent(s.CrossZone, s.Groups)+" of groups ("+strconv.Itoa(s.CrossZone)+")"),
		field("Repeat pairs", append([]string{repeats}, fresh...)...),
		field("Members", members),
	}
	blocks = append(blocks,
		slack.NewSectionBlock(nil, fields, nil),
		kudosContext("Only you can see this. Rates count groups, not people."),
	)
	text := fmt.Sprintf("Coffee stats: %s, %s, %s of groups met",
		kudosCount(s.Rounds, "round", "rounds"), kudosCount(s.Participants, "person", "people"), coffeePercent(s.Met, s.Groups))
	return text, blocks
}

// coffeeGroupValue is the button value that names one group of one round.
func coffeeGroupValue(roundID uint64, group int) string {
	return strconv.FormatUint(roundID, 10) + ":" + strconv.Itoa(group)
}

// coffeeButton is a plain-text button; primary makes it the green one.
func coffeeButton(action, value, label string, primary bool) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(action, value, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	if primary {
		b.WithStyle(slack.StylePrimary)
	}
	return b
}

// coffeeCheckBack says when Rapport will ask whether the group met.
func coffeeCheckBack(days int) string {
	switch {
	case days <= 0:
		return "I'll check back later to see how it went."
	case days == 1:
		return "I'll check back tomorrow to see how it went."
	}
	return "I'll check back in " + strconv.Itoa(days) + " days to see how it went."
}

// coffeeWho is a mention of user, or "Someone" when the ID is empty.
func coffeeWho(user string) string {
	if m := kudosMention(user); m != "" {
		return m
	}
	return "Someone"
}

// coffeeWhere says where a person is, timelessly: "in Berlin", or "on
// UTC" and "on UTC+03" for a zone without a city. It returns "" when the
// zone is unknown or does not load.
func coffeeWhere(zone string) string {
	if zone == "" || zone == "Local" {
		return "" // "Local" would be the server's zone, not theirs
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return ""
	}
	if city := coffeeCity(zone); city != "" {
		return "in " + city
	}
	// A zone without a city ("UTC", "Etc/GMT-3") has one fixed offset,
	// so any instant names it.
	name, _ := time.Unix(0, 0).In(loc).Zone()
	if strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
		name = "UTC" + name
	}
	return "on " + name
}

// coffeeCity is the place an IANA zone is named after: "Europe/Berlin" →
// "Berlin", "America/Argentina/Buenos_Aires" → "Buenos Aires"; "" for zones
// like "UTC" or "Etc/GMT+5" that name no place.
func coffeeCity(zone string) string {
	i := strings.LastIndexByte(zone, '/')
	if i < 0 || strings.HasPrefix(zone, "Etc/") {
		return ""
	}
	return strings.ReplaceAll(zone[i+1:], "_", " ")
}

// coffeeSatOut reports whether e is a round the person sat out.
func coffeeSatOut(e coffeeHistoryEntry) bool {
	return e.SatOut != "" || len(e.Partners) == 0
}

// coffeeHistoryLine is one round in /coffee status or history: "• Dec 1 ·
// with <@A> · met ☕", or "• Dec 1 · sat out (nobody else that round)".
func coffeeHistoryLine(e coffeeHistoryEntry, r reader) string {
	line := "• "
	if e.At.IsZero() {
		line += "Earlier"
	} else {
		line += localDate(e.At, r)
	}
	if coffeeSatOut(e) {
		switch e.SatOut {
		case "alone":
			return line + " · sat out (nobody else that round)"
		case "no_overlap":
			return line + " · sat out (no shared working hours)"
		case "never_list":
			return line + " · sat out (no match that round)"
		case "skip", "skipped":
			return line + " · skipped"
		case "paused":
			return line + " · paused"
		}
		return line + " · sat out"
	}
	partners := e.Partners
	more := 0
	if len(partners) > coffeePartnersMax {
		partners, more = partners[:coffeePartnersMax], len(partners)-coffeePartnersMax
	}
	with := joinMentions(partners)
	if more > 0 {
		with = strings.Join(coffeeMentions(partners), ", ") + " and " + strconv.Itoa(more) + " more"
	}
	line += " · with " + with
	switch e.Answer {
	case "yes":
		line += " · met ☕"
	case "not_yet":
		line += " · not yet"
	case "no":
		line += " · didn't meet"
	case "cant":
		line += " · couldn't make it"
	}
	return line
}

// coffeeMentions writes each ID as a mention, skipping empty ones.
func coffeeMentions(ids []string) []string {
	var ms []string
	for _, id := range ids {
		if m := kudosMention(id); m != "" {
			ms = append(ms, m)
		}
	}
	return ms
}

// coffeeListSections puts lines into as few sections as fit Slack's section
// limit, never splitting a line.
func coffeeListSections(lines []string) []slack.Block {
	var blocks []slack.Block
	var cur string
	for _, l := range lines {
		if cur != "" && utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(l) > kudosSectionMax {
			blocks = append(blocks, kudosSection(cur))
			cur = ""
		}
		if cur == "" {
			cur = l
		} else {
			cur += "\n" + l
		}
	}
	if cur != "" {
		blocks = append(blocks, kudosSection(cur))
	}
	return blocks
}

// coffeePercent is n of d as a whole percentage, "—" when d is 0. It never
// rounds a part up to 100% or down to 0%.
func coffeePercent(n, d int) string {
	if d <= 0 {
		return "—"
	}
	n = max(0, min(n, d))
	p := (200*n + d) / (2 * d)
	switch {
	case p == 100 && n < d:
		p = 99
	case p == 0 && n > 0:
		p = 1
	}
	return strconv.Itoa(p) + "%"
}
