package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
)

const sandboxWelcome = `Rapport sandbox: a fake Slack workspace with the real bot. Nothing leaves
this machine, and everything is forgotten when you quit.
Type slash commands as a teammate (try /rapport help), or :help for the
sandbox's own commands. Ctrl-D quits.
`

const sandboxHelp = `  /kudos @maya thanks for untangling the deploy #teamwork
                        a slash command, typed by you in the current channel;
                        @name, #channel and @here are turned into mentions
  hello @rapport        a message that mentions Rapport (the only messages it
                        reads in channels)
  :dm TEXT              a direct message from you to Rapport (try :dm help)
  :say TEXT             write in the current channel, as people do (Rapport
                        does not read it, but you can react to it)
  :react EMOJI [N]      react to the newest message in the current channel,
                        or the Nth newest; :react trophy starts a kudos for
                        its author. :unreact EMOJI [N] takes it back
  :answer TEXT          type TEXT in the field of the newest message that has
                        one (Rapport's "What did they do?") and press Enter
  :as NAME              become someone else (:who lists the team)
  :who                  the team, their time zones and local time
  :channel NAME         go to #NAME (your commands are typed there) and show it
  :join coffee, :leave coffee
                        join or leave a channel (members of #coffee take part
                        in coffee rounds)
  :arrive NAME ZONE     someone new joins the workspace, e.g. :arrive kenji
                        Asia/Tokyo; Rapport welcomes them in their working hours
  :dms                  your direct messages and group DMs with Rapport
  :home                 open Rapport's App Home tab and show it
  :click LABEL [CHOICE] click the newest button you can see labelled LABEL, or
                        pick CHOICE in a menu; quotes are optional
  :fill FIELD VALUE     type VALUE into a field of the open dialog; for
                        checkboxes, "Mon, Sat" ticks exactly those, "+Sat"
                        ticks one more, "-Mon" unticks one
  :submit, :cancel      submit or close the open dialog
  :advance 3d | 2h | 1w 2d | 90m
  :advance to monday 10:00 | tomorrow | 16:30 | 2026-12-24 09:00
                        move time forward; scheduled work (coffee rounds,
                        reminders, nudges, digests) runs as the clock passes it
  :time                 the time now, for everyone
  :help                 this list
  :quit                 leave (so does Ctrl-D)

At a terminal, the arrows edit the line and Up/Down recall earlier lines.
`

var errQuit = errors.New("quit")

// exec runs one line typed in the sandbox.
func (sb *sandbox) exec(ctx context.Context, w io.Writer, line string) error {
	if !strings.HasPrefix(line, ":") {
		sb.onHome = false // typing in a channel
	}
	if strings.HasPrefix(line, "/") {
		return sb.slash(ctx, w, line)
	}
	if !strings.HasPrefix(line, ":") {
		if !strings.Contains(strings.ToLower(line), "@rapport") {
			return errors.New("in channels Rapport only reads slash commands and messages that mention @rapport; to talk to it directly, use :dm TEXT")
		}
		return sb.message(ctx, w, sb.channel, line, "app_mention")
	}
	cmd, arg, _ := strings.Cut(line[1:], " ")
	arg = strings.TrimSpace(arg)
	cmd = strings.ToLower(cmd)
	switch cmd {
	case "as", "channel", "ch", "dms", "dm":
		sb.onHome = false // they look elsewhere now
	}
	switch cmd {
	case "help", "h", "?":
		fmt.Fprint(w, sandboxHelp)
		return nil
	case "quit", "exit", "q":
		return errQuit
	case "as":
		return sb.as(w, arg)
	case "who", "team", "time":
		sb.printWho(w)
		return nil
	case "channel", "ch":
		return sb.goChannel(w, arg)
	case "dms", "dm":
		if cmd == "dm" && arg != "" {
			return sb.message(ctx, w, sb.slack.DMChannel(sb.me), arg, "message")
		}
		sb.printDMs(w)
		return nil
	case "home":
		return sb.home(ctx, w)
	case "join", "leave":
		return sb.membership(ctx, w, cmd == "join", arg)
	case "arrive":
		return sb.arrive(ctx, w, arg)
	case "say":
		return sb.say(w, arg)
	case "react", "unreact":
		return sb.react(ctx, w, arg, cmd == "unreact")
	case "answer":
		return sb.answer(ctx, w, arg)
	case "click":
		return sb.click(ctx, w, arg)
	case "fill":
		return sb.fill(w, arg)
	case "submit":
		return sb.submit(ctx, w)
	case "cancel", "close":
		return sb.cancelModal(ctx, w)
	case "advance", "adv":
		return sb.advanceCmd(ctx, w, arg)
	}
	return fmt.Errorf("no sandbox command :%s; :help lists them", cmd)
}

func (sb *sandbox) prompt() string {
	return fmt.Sprintf("[%s] %s in %s> ", sb.local(sb.me, sb.clock.Now()), sb.handle(sb.me), sb.where(sb.channel))
}

// local writes t as the person sees it, in their zone and the way Rapport
// writes every time ("Mon 30 Nov, 09:00").
func (sb *sandbox) local(user string, t time.Time) string {
	return bot.FormatWhen(t, sb.zone(user), sb.clock.Now())
}

// zone is a person's Slack time zone, loaded once at start.
func (sb *sandbox) zone(user string) *time.Location {
	if loc, ok := sb.zones[user]; ok {
		return loc
	}
	return sb.cfg.Location
}

func (sb *sandbox) handle(user string) string {
	if u, ok := sb.slack.User(user); ok {
		return u.Name
	}
	return user
}

// team is the demo team and whoever arrived since (:arrive).
func (sb *sandbox) team() []demoPerson { return slices.Concat(demoTeam, sb.arrived) }

// arriveHandle is what :arrive accepts as a new person's handle.
var arriveHandle = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,19}$`)

// arrive has someone join the workspace, as Slack's team_join: Rapport
// records them as a newcomer and queues their welcome DM.
func (sb *sandbox) arrive(ctx context.Context, w io.Writer, arg string) error {
	fields := strings.Fields(arg)
	if len(fields) != 2 {
		return errors.New("usage: :arrive NAME ZONE, such as :arrive kenji Asia/Tokyo")
	}
	handle := strings.ToLower(strings.TrimPrefix(fields[0], "@"))
	if !arriveHandle.MatchString(handle) {
		return fmt.Errorf("%q is not a handle: a letter, then up to 19 letters, digits, '.', '_' or '-'", fields[0])
	}
	if _, ok := sb.person(handle); ok {
		return fmt.Errorf("%s is here already; :who lists the team", handle)
	}
	loc, err := time.LoadLocation(fields[1])
	if err != nil || fields[1] == "" || fields[1] == "Local" {
		return fmt.Errorf("%q is not a time zone; try one such as Asia/Tokyo or Europe/London", fields[1])
	}
	id := demoUserID(handle)
	sb.arrived = append(sb.arrived, demoPerson{handle: handle, realName: handle, tz: loc.String(), city: loc.String()})
	sb.zones[id] = loc
	ack, err := sb.slack.JoinTeam(ctx, slacktest.User{ID: id, Name: handle, RealName: handle, TZ: loc.String()})
	if err := sb.awaitHandled(ctx, ack, err); err != nil {
		return err
	}
	fmt.Fprintf(w, "  %s joined the workspace; it is %s there. Rapport welcomes them in their working hours (:as %s, then :dms).\n",
		handle, sb.local(id, sb.clock.Now()), handle)
	sb.printChanges(w, false)
	return nil
}

// person finds a team member by handle, with or without "@".
func (sb *sandbox) person(name string) (string, bool) {
	name = strings.ToLower(strings.TrimPrefix(strings.Trim(name, `"' `), "@"))
	for _, p := range sb.team() {
		if p.handle == name {
			return demoUserID(p.handle), true
		}
	}
	return "", false
}

func (sb *sandbox) as(w io.Writer, name string) error {
	id, ok := sb.person(name)
	if !ok {
		return fmt.Errorf("nobody called %q here; the team is %s", name, teamHandles())
	}
	sb.me = id
	if c, ok := sb.slack.Conversation(sb.channel); !ok || c.Kind != "public" {
		sb.channel = generalID
	}
	fmt.Fprintf(w, "  You are %s now: %s, where it is %s.\n", sb.handle(id), sb.city(id), sb.local(id, sb.clock.Now()))
	return nil
}

func teamHandles() string {
	var hs []string
	for _, p := range demoTeam {
		hs = append(hs, p.handle)
	}
	return strings.Join(hs, ", ")
}

func (sb *sandbox) city(user string) string {
	for _, p := range sb.team() {
		if demoUserID(p.handle) == user {
			return p.city
		}
	}
	return sb.zone(user).String()
}

func (sb *sandbox) printWho(w io.Writer) {
	now := sb.clock.Now()
	fmt.Fprintf(w, "  The team (you are %s):\n", sb.handle(sb.me))
	for _, p := range sb.team() {
		id := demoUserID(p.handle)
		mark := " "
		if id == sb.me {
			mark = "*"
		}
		role := ""
		if p.admin {
			role = " · admin"
		}
		fmt.Fprintf(w, "  %s %-7s %-15s %-10s %s%s\n", mark, p.handle, p.realName, p.city, sb.local(id, now), role)
	}
}

// goChannel moves to a channel and shows what is in it.
func (sb *sandbox) goChannel(w io.Writer, name string) error {
	id, err := sb.channelID(name)
	if err != nil {
		return err
	}
	sb.channel = id
	sb.printConversation(w, id, 8)
	return nil
}

// membership joins or leaves a channel, as the person would in Slack:
// the fake's member list changes and Rapport gets the event.
func (sb *sandbox) membership(ctx context.Context, w io.Writer, join bool, name string) error {
	id, err := sb.channelID(name)
	if err != nil {
		return err
	}
	c, _ := sb.slack.Conversation(id)
	in := slices.Contains(c.Members, sb.me)
	switch {
	case join && in:
		return fmt.Errorf("you are in #%s already", c.Name)
	case !join && !in:
		return fmt.Errorf("you are not in #%s", c.Name)
	}
	members, event := append(c.Members, sb.me), "member_joined_channel"
	if !join {
		members, event = slices.DeleteFunc(c.Members, func(m string) bool { return m == sb.me }), "member_left_channel"
	}
	sb.slack.AddChannel(id, c.Name, false, members...)
	ack, err := sb.slack.Event(ctx, slacktest.EventOptions{Event: map[string]any{
		"type": event, "user": sb.me, "channel": id, "channel_type": "C",
	}})
	if err := sb.awaitHandled(ctx, ack, err); err != nil {
		return err
	}
	verb := "joined"
	if !join {
		verb = "left"
	}
	fmt.Fprintf(w, "  You %s #%s.\n", verb, c.Name)
	sb.printChanges(w, false)
	return nil
}

// channelID finds one of the demo's channels by name, with or without "#".
func (sb *sandbox) channelID(name string) (string, error) {
	name = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), "#")
	for _, id := range []string{generalID, coffeeID} {
		if c, _ := sb.slack.Conversation(id); c.Name == name {
			return id, nil
		}
	}
	return "", fmt.Errorf("no channel #%s here; there are #general and #coffee", name)
}

// mentionPattern finds what a Slack client turns into mentions as you type.
var mentionPattern = regexp.MustCompile(`([@#])([a-zA-Z0-9._-]+)`)

// escapeTyped turns text as a person types it into what Slack sends with
// should_escape: &, < and > escaped, @name and #channel as mentions.
func (sb *sandbox) escapeTyped(text string) string {
	text = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
	return mentionPattern.ReplaceAllStringFunc(text, func(m string) string {
		kind, name := m[:1], strings.ToLower(m[1:])
		if kind == "@" {
			switch name {
			case "here", "channel", "everyone":
				return "<!" + name + ">"
			case "rapport":
				return "<@UBOT>"
			}
			if id, ok := sb.person(name); ok {
				return fmt.Sprintf("<@%s|%s>", id, name)
			}
			return m
		}
		if id, err := sb.channelID(name); err == nil {
			return fmt.Sprintf("<#%s|%s>", id, name)
		}
		return m
	})
}

func (sb *sandbox) slash(ctx context.Context, w io.Writer, line string) error {
	command, text, _ := strings.Cut(line, " ")
	command = strings.ToLower(command)
	if known := sb.app.bot.Commands(); !slices.Contains(known, command) {
		// Slack answers this itself: no app in the workspace declares it.
		return fmt.Errorf("%s is not a valid command (Slack says so; it never reaches Rapport). Rapport's are %s", command, strings.Join(known, ", "))
	}
	ack, err := sb.slack.SlashCommand(ctx, slack.SlashCommand{
		Command:     command,
		Text:        sb.escapeTyped(strings.TrimSpace(text)),
		UserID:      sb.me,
		UserName:    sb.handle(sb.me),
		ChannelID:   sb.channel,
		ChannelName: sb.channelName(sb.channel),
	})
	if err := sb.awaitHandled(ctx, ack, err); err != nil {
		return err
	}
	sb.printChanges(w, false)
	return nil
}

func (sb *sandbox) channelName(id string) string {
	if c, ok := sb.slack.Conversation(id); ok && c.Name != "" {
		return c.Name
	}
	return "directmessage"
}

// message sends a message event: a DM to the bot ("message") or a mention
// of it in a channel ("app_mention").
func (sb *sandbox) message(ctx context.Context, w io.Writer, channel, text, eventType string) error {
	ev := map[string]any{
		"type": eventType, "user": sb.me, "text": sb.escapeTyped(text),
		"channel": channel, "ts": sb.eventTS(),
	}
	if eventType == "message" {
		ev["channel_type"] = "im"
	}
	ack, err := sb.slack.Event(ctx, slacktest.EventOptions{Event: ev})
	if err := sb.awaitHandled(ctx, ack, err); err != nil {
		return err
	}
	sb.printChanges(w, false)
	return nil
}

func (sb *sandbox) eventTS() string {
	now := sb.clock.Now()
	return fmt.Sprintf("%d.%06d", now.Unix(), sb.slack.LastChange()%1_000_000)
}

// home opens the App Home tab, as clicking Rapport in the sidebar does, and
// shows what Rapport published there.
func (sb *sandbox) home(ctx context.Context, w io.Writer) error {
	ack, err := sb.slack.Event(ctx, slacktest.EventOptions{Event: map[string]any{
		"type": "app_home_opened", "user": sb.me, "channel": sb.slack.DMChannel(sb.me), "tab": "home",
	}})
	if err := sb.awaitHandled(ctx, ack, err); err != nil {
		return err
	}
	sb.printChanges(w, false)
	return sb.showHome(w)
}

// showHome prints the person's Home tab as it is now.
func (sb *sandbox) showHome(w io.Writer) error {
	view := sb.slack.HomeView(sb.me)
	if view == nil {
		return errors.New("Rapport published no Home tab")
	}
	sb.homeSeq = sb.slack.LastChange()
	sb.onHome = true
	fmt.Fprintf(w, "  ┌ Rapport · Home (%s)\n", sb.handle(sb.me))
	fmt.Fprint(w, indent(slacktest.RenderView(view, sb.names(sb.me)), "  │ "))
	fmt.Fprintln(w, "  └")
	return nil
}

// advanceCmd parses :advance's argument and moves the clock.
func (sb *sandbox) advanceCmd(ctx context.Context, w io.Writer, arg string) error {
	now := sb.clock.Now()
	to, err := parseAdvance(arg, now.In(sb.zone(sb.me)))
	if err != nil {
		return err
	}
	if !to.After(now) {
		return fmt.Errorf("%s is not in the future (it is %s for you)", sb.local(sb.me, to), sb.local(sb.me, now))
	}
	if to.Sub(now) > maxAdvance {
		return fmt.Errorf("at most %d days at a time", int(maxAdvance.Hours()/24))
	}
	return sb.advance(ctx, w, to)
}

// maxAdvance bounds one :advance, so that a typo (:advance 300d) does not
// run a year of minute ticks.
const maxAdvance = 62 * 24 * time.Hour

// advance moves the clock to each instant a job is due, up to to, runs the
// jobs due then, delivers what they queued and prints it under the time it
// happened, as if the time had passed with the bot running.
func (sb *sandbox) advance(ctx context.Context, w io.Writer, to time.Time) error {
	err := sb.app.sched.RunDueSteps(ctx, sb.clock.Now(), to, func(at time.Time, run func() error) error {
		sb.clock.set(at)
		err := run()
		if _, derr := sb.app.bot.DeliverDue(ctx, at); derr != nil {
			err = errors.Join(err, derr)
		}
		sb.printChanges(w, true)
		return err
	})
	sb.clock.set(to)
	if _, derr := sb.app.bot.DeliverDue(ctx, to); derr != nil {
		err = errors.Join(err, derr)
	}
	sb.printChanges(w, true)
	fmt.Fprintf(w, "  ⏩ It is now %s for you (%s).\n", sb.local(sb.me, to), sb.city(sb.me))
	return err
}

// parseAdvance reads :advance's argument: a duration ("3d", "2h30m",
// "1w 2d") or "to" a time ("monday 10:00", "tomorrow", "16:30",
// "2026-12-24 09:00") in the typist's zone, now being in that zone. A day
// without a time means 09:00, the start of a working day; a weekday or
// time of day means the next one after now.
func parseAdvance(arg string, now time.Time) (time.Time, error) {
	arg = strings.ToLower(strings.TrimSpace(arg))
	if arg == "" {
		return time.Time{}, errors.New("advance by how much? e.g. :advance 3d or :advance to monday 10:00")
	}
	rest, isTo := strings.CutPrefix(arg, "to ")
	if !isTo {
		d, err := parseSpan(arg)
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(d), nil
	}
	fields := strings.Fields(rest)
	loc := now.Location()
	day := time.Time{}
	clock := -1 * time.Minute
	for _, f := range fields {
		switch {
		case f == "today":
			day = midnight(now)
		case f == "tomorrow":
			day = midnight(now).AddDate(0, 0, 1)
		case weekdayOf(f) >= 0:
			wd := time.Weekday(weekdayOf(f))
			day = midnight(now)
			for day.Weekday() != wd {
				day = day.AddDate(0, 0, 1)
			}
		case strings.Contains(f, "-"):
			d, err := time.ParseInLocation("2006-01-02", f, loc)
			if err != nil {
				return time.Time{}, fmt.Errorf("%q is not a date like 2026-12-24", f)
			}
			day = d
		default:
			c, err := clockOf(f)
			if err != nil {
				return time.Time{}, err
			}
			clock = c
		}
	}
	switch {
	case day.IsZero() && clock < 0:
		return time.Time{}, fmt.Errorf("advance to when? e.g. monday 10:00, tomorrow or 16:30")
	case day.IsZero(): // a time of day: its next occurrence
		t := at(midnight(now), clock)
		if !t.After(now) {
			t = at(midnight(now).AddDate(0, 0, 1), clock)
		}
		return t, nil
	case clock < 0:
		clock = 9 * time.Hour
	}
	t := at(day, clock)
	if !t.After(now) && weekdayIn(fields) {
		t = at(day.AddDate(0, 0, 7), clock) // "monday 10:00" on a Monday at 11:00: next week's
	}
	return t, nil
}

func weekdayIn(fields []string) bool {
	return slices.ContainsFunc(fields, func(f string) bool { return weekdayOf(f) >= 0 })
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// at is clock (since midnight) on day, by the wall clock, so that a DST
// change that day does not shift it.
func at(day time.Time, clock time.Duration) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), int(clock.Hours()), int(clock.Minutes())%60, 0, 0, day.Location())
}

func weekdayOf(s string) int {
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || s == name[:3] {
			return int(d)
		}
	}
	return -1
}

// clockOf reads "10:00", "9:30", "16h", "4pm" or "10am".
func clockOf(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a time of day like 10:00 or 4pm", s)
	pm := strings.HasSuffix(s, "pm")
	am := strings.HasSuffix(s, "am")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "pm"), "am")
	h, m, hasMin := strings.Cut(strings.TrimSuffix(s, "h"), ":")
	hour, err := strconv.Atoi(h)
	if err != nil {
		return 0, bad
	}
	minute := 0
	if hasMin {
		if minute, err = strconv.Atoi(m); err != nil || len(m) != 2 {
			return 0, bad
		}
	}
	if am || pm {
		if hour < 1 || hour > 12 {
			return 0, bad
		}
		hour %= 12
		if pm {
			hour += 12
		}
	}
	if hour > 23 || minute > 59 || hour < 0 || minute < 0 {
		return 0, bad
	}
	return time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute, nil
}

// spanPattern is one part of a duration: a number and a unit.
var (
	spanPattern = regexp.MustCompile(`^(\d+)(w|d|h|m|min|mins|minutes?|hours?|days?|weeks?)$`)
	spanSpaced  = regexp.MustCompile(`(\d+)\s+([a-z])`) // "90 minutes"
	spanJoined  = regexp.MustCompile(`([a-z])(\d)`)     // "2h30m"
)

// parseSpan reads "3d", "2h30m", "1w 2d" or "90 minutes".
func parseSpan(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a span like 3d, 2h, 90m or 1w 2d (or say :advance to monday 10:00)", s)
	// Split "2h30m" into "2h 30m" and join "90 minutes" into "90minutes".
	s = spanSpaced.ReplaceAllString(s, "$1$2")
	s = spanJoined.ReplaceAllString(s, "$1 $2")
	var total time.Duration
	for _, part := range strings.Fields(s) {
		m := spanPattern.FindStringSubmatch(part)
		if m == nil {
			return 0, bad
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 10000 {
			return 0, bad
		}
		unit := map[byte]time.Duration{'w': 7 * 24 * time.Hour, 'd': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}[m[2][0]]
		total += time.Duration(n) * unit
	}
	if total <= 0 {
		return 0, bad
	}
	return total, nil
}
