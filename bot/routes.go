package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/slack-go/slack"
)

// routeKind is the part of Slack's surface a route answers.
type routeKind int

const (
	commandRoute  routeKind = iota // a slash command, by name ("/rapport")
	eventRoute                     // an Events API event, by its manifest name ("app_mention", "message.im")
	actionRoute                    // a block action, by action_id
	viewRoute                      // a view submission, by callback_id
	shortcutRoute                  // a global or message shortcut, by callback_id
)

func (k routeKind) String() string {
	return [...]string{"command", "event", "action", "view", "shortcut"}[k]
}

// usage is one line of a command's help: how to type it and what it does.
type usage struct {
	syntax  string // "/rapport help"
	summary string // "what Rapport does and how to use it"
}

// route is one entry of the route table: the whole Slack surface the bot
// answers is the list returned by (*Bot).routeTable, and help, the manifest
// test and dispatch are all derived from it.
type route struct {
	kind    routeKind
	id      string
	summary string
	usage   []usage // commands only

	command func(ctx context.Context, cmd slashCommand) error
	event   func(ctx context.Context, ev event) error
	action  func(ctx context.Context, in interaction, action *slack.BlockAction) error
	// validate, for views, runs before the ack and returns errors keyed by
	// input block_id, which Slack shows on the fields. It must be fast and
	// must not call the network: Slack waits for the ack.
	validate func(in interaction) map[string]string
	view     func(ctx context.Context, in interaction) error
	shortcut func(ctx context.Context, in interaction) error
}

// routeTable lists every command, event, action and view the bot answers.
func (b *Bot) routeTable() []route {
	return []route{
		{
			kind: commandRoute, id: "/rapport",
			summary: "Rapport itself: help, and your data",
			usage: []usage{
				{"/rapport help", "what Rapport does and every command"},
				{"/rapport style written summaries over calls; mornings for deep work", "share how you like to work (shown in coffee intros)"},
				{"/rapport style @maya", "how Maya likes to work"},
				{"/rapport celebrate birthday 14 March", "have your birthday celebrated (month and day only); also `start 2021-06-01`, `visibility public|private|none`, `clear`"},
				{"/rapport my-data", "a DM with everything Rapport stores about you, and the file"},
				{"/rapport forget-me", "delete everything about you (asks first)"},
			},
			command: b.rapportCommand,
		},
		{
			kind: commandRoute, id: "/kudos",
			summary: "thank someone publicly and specifically",
			usage:   b.kudosUsage(),
			command: b.kudosCommand,
		},
		{
			kind: shortcutRoute, id: kudosShortcutID,
			summary:  "\"Give kudos for this\" on a message opens the kudos form",
			shortcut: b.kudosShortcut,
		},
		{
			kind: viewRoute, id: kudosModalCallbackID,
			summary:  "the kudos form",
			validate: b.validateKudosForm,
			view:     b.kudosSubmit,
		},
		{
			kind: eventRoute, id: "reaction_added",
			summary: "reacting with the kudos emoji to someone's message asks you, by DM, what they did, to post as a kudos",
			event:   b.onReactionAdded,
		},
		{
			kind: eventRoute, id: "reaction_removed",
			summary: "removing the kudos emoji before answering cancels that kudos",
			event:   b.onReactionRemoved,
		},
		{kind: actionRoute, id: reactionKudosAction, summary: "the answer (Enter) in the prompt after a kudos reaction", action: b.reactionAnswer},
		{
			kind: actionRoute, id: muteDMAction,
			summary: "\"Stop these DMs\" on any unprompted DM",
			action:  b.muteDM,
		},
		{
			kind: actionRoute, id: unmuteDMAction,
			summary: "undo \"Stop these DMs\"",
			action:  b.unmuteDM,
		},
		{
			kind: commandRoute, id: "/coffee",
			summary: "virtual coffee chats with teammates you rarely see",
			usage: []usage{
				{"/coffee join", "take part: I pair you with someone whose working hours overlap yours"},
				{"/coffee pause [for 2 weeks | until 2026-12-24]", "sit rounds out for a while (resumes by itself)"},
				{"/coffee resume", "come back from a pause"},
				{"/coffee status", "whether you're in, the next round in your time, your last partners"},
				{"/coffee history", "your coffee chats"},
				{"/coffee never @maya", "never pair you with someone (private; nobody is told)"},
				{"/coffee allow @maya", "undo never"},
				{"/coffee leave", "stop taking part"},
				{"/coffee now", "admins: start a round at once"},
				{"/coffee stats", "admins: rounds, meeting rate, time-zone mix, repeats"},
				{"/coffee report", "admins: the quarter's connections across teams, with a team grid (names no one)"},
			},
			command: b.coffeeCommand,
		},
		{
			kind: commandRoute, id: "/followup",
			summary: "promises you make, kept: reminders on time, kind nudges, a receipt when done",
			usage: []usage{
				{"/followup @maya send the deck by friday", "a promise to Maya; she is told, and told again when it's done"},
				{"/followup me book the venue by Dec 3 5pm", "a note to yourself"},
				{"/followup", "open the follow-up form"},
				{"/followup list", "yours (overdue first) and what others owe you"},
				{"/followup done 2", "mark number 2 of your list done (add a note after the number)"},
			},
			command: b.followupCommand,
		},
		{
			kind: commandRoute, id: "/checkin",
			summary: "stay in touch: record that you reached out, with a private note",
			usage: []usage{
				{"/checkin @maya moving to Berlin in March", "you reached out to Maya; the note is private to you"},
				{"/checkin @maya", "your history with Maya"},
				{"/checkin every 30 days @maya", "how often to suggest reconnecting with Maya"},
				{"/checkin stop @maya", "never suggest Maya"},
			},
			command: b.checkinCommand,
		},
		{kind: actionRoute, id: reconnectDoneAction, summary: "\"I reached out\" on a reconnect suggestion or the Home", action: b.reconnectDone},
		{kind: actionRoute, id: congratulateAction, summary: "Congratulate on a celebrations post", action: b.congratulate},
		{kind: actionRoute, id: reconnectLaterAction, summary: "\"Not now\" on a reconnect suggestion", action: b.reconnectLater},
		{kind: actionRoute, id: homeSettingsAction, summary: "Settings on the Home", action: b.homeSettings},
		{kind: viewRoute, id: settingsCallbackID, summary: "your settings: working hours and days, time zone, which DMs you get, work style", validate: b.validateSettings, view: b.saveSettings},
		{kind: eventRoute, id: "app_home_opened", summary: "opening Rapport's Home tab shows your follow-ups, kudos and coffee", event: b.onHomeOpened},
		{kind: actionRoute, id: homeCoffeeJoinAct, summary: "Join coffee on the Home", action: b.homeCoffee},
		{kind: actionRoute, id: homeCoffeePauseAct, summary: "Pause coffee on the Home", action: b.homeCoffee},
		{kind: actionRoute, id: homeCoffeeResumeAct, summary: "Resume coffee on the Home", action: b.homeCoffee},
		{kind: viewRoute, id: forgetMeModalID, summary: "the forget-me confirmation", view: b.forgetMeSubmit},
		{kind: shortcutRoute, id: followupShortcutID, summary: "\"Follow up on this\" on a message opens the follow-up form", shortcut: b.followupShortcut},
		{kind: viewRoute, id: followupModalID, summary: "the follow-up form", validate: b.validateFollowupForm, view: b.followupSubmit},
		{kind: viewRoute, id: followupDropModalID, summary: "dropping a follow-up, with a note", view: b.followupDropSubmit},
		{kind: viewRoute, id: followupRenegotiateID, summary: "proposing a new date", validate: b.validateNewDateForm, view: b.followupRenegotiateSubmit},
		{kind: actionRoute, id: followupDoneAction, summary: "Done on a reminder or nudge", action: b.followupDoneButton},
		{kind: actionRoute, id: followupSnoozeAction, summary: "Snooze on a reminder or nudge", action: b.followupSnoozeButton},
		{kind: actionRoute, id: followupDropAction, summary: "Drop on a reminder or nudge", action: b.followupDropButton},
		{kind: actionRoute, id: followupUndoAction, summary: "Undo a new follow-up", action: b.followupUndoButton},
		{kind: actionRoute, id: followupRenegotiateAction, summary: "Propose a new date after repeated nudges", action: b.followupRenegotiateButton},
		{kind: actionRoute, id: followupKeepAction, summary: "Keep on the one question about a long-overdue follow-up", action: b.followupKeepButton},
		{kind: actionRoute, id: followupNewDateAction, summary: "New date on the one question about a long-overdue follow-up", action: b.followupNewDateButton},
		{kind: actionRoute, id: circleAddAction, summary: "\"Keep in touch\" after a coffee chat", action: b.circleAdd},
		{kind: actionRoute, id: coffeeFollowupAction, summary: "\"Record a follow-up\" after a coffee chat", action: b.coffeeFollowup},
		{kind: actionRoute, id: coffeeMetAction, summary: "\"We met ☕\" on a coffee intro", action: b.coffeeMet},
		{kind: actionRoute, id: coffeeCantAction, summary: "\"Can't make it\" on a coffee intro", action: b.coffeeCant},
		{kind: actionRoute, id: coffeeSuggestAction, summary: "\"Suggest a time\" on a coffee intro", action: b.coffeeSuggest},
		{kind: actionRoute, id: didYouMeetYesAction, summary: "\"Did you meet?\" answered \"Yes\"", action: b.didYouMeetAnswer},
		{kind: actionRoute, id: didYouMeetNotYetAction, summary: "\"Did you meet?\" answered \"Not yet\"", action: b.didYouMeetAnswer},
		{kind: actionRoute, id: didYouMeetNoAction, summary: "\"Did you meet?\" answered \"No\"", action: b.didYouMeetAnswer},
		{kind: actionRoute, id: coffeeSkipAction, summary: "\"Skip this round\" on a heads-up", action: b.coffeeSkip},
		{kind: actionRoute, id: coffeeStayAction, summary: "\"Keep me in\" after quiet rounds", action: b.coffeeStay},
		{kind: actionRoute, id: coffeeLeaveAction, summary: "\"Leave coffee chats\" after quiet rounds", action: b.coffeeLeaveButton},
		{kind: eventRoute, id: "member_joined_channel", summary: "joining the coffee channel enrols you", event: b.onMemberJoined},
		{kind: eventRoute, id: "member_left_channel", summary: "leaving the coffee channel unenrols you", event: b.onMemberLeft},
		{kind: eventRoute, id: "team_join", summary: "someone who joins the workspace is welcomed once, in their working hours, and is a newcomer for coffee", event: b.onTeamJoin},
		{kind: eventRoute, id: "user_change", summary: "a new time zone or a deactivation in Slack is seen at once", event: b.onUserChange},
		{kind: eventRoute, id: "subteam_members_changed", summary: "someone added to or removed from a team's user group is in or out of the team at once", event: b.onSubteamMembersChanged},
		{kind: eventRoute, id: "subteam_updated", summary: "a team's user group renamed or disabled renames or ends the team at once", event: b.onSubteamUpdated},
		{
			kind: eventRoute, id: "app_mention",
			summary: "a mention of the bot is answered privately, briefly, with the way to full help",
			event:   b.onMention,
		},
		{
			kind: eventRoute, id: "message.im",
			summary: "a direct message to the bot: \"help\" is answered with help, anything else briefly",
			event:   b.onDirectMessage,
		},
	}
}

// kudosUsage is /kudos's help, with the kudos reaction when it is on.
func (b *Bot) kudosUsage() []usage {
	u := []usage{
		{"/kudos @maya for untangling the deploy #teamwork", "thank one or more people (or a @group), with optional #values"},
		{"/kudos private @maya for the kind review", "thank by DM only (not posted, not on leaderboards)"},
		{"/kudos", "open the kudos form"},
		{"/kudos top [week|month|year|all]", "the leaderboard (this month by default)"},
		{"/kudos @maya", "Maya's recent kudos"},
		{"/kudos help", "this help"},
	}
	if e := b.opts.Kudos.Emoji; e != "" {
		u = append(u[:1], append([]usage{{"react :" + e + ": to someone's message", "thank its author: I ask you privately what they did, then post it in the message's thread"}}, u[1:]...)...)
	}
	return u
}

// router is the route table indexed for dispatch.
type router struct {
	all    []route
	byKind map[routeKind]map[string]*route
}

// errRoutes is wrapped by every route-table error, so bot.New fails loudly
// at start instead of logging and carrying on (slacker's trap).
var errRoutes = errors.New("bot: invalid route table")

func newRouter(table []route) (*router, error) {
	r := &router{all: table, byKind: map[routeKind]map[string]*route{}}
	for i := range table {
		rt := &table[i]
		if rt.id == "" {
			return nil, fmt.Errorf("%w: %s route %d has no id", errRoutes, rt.kind, i)
		}
		if !rt.hasHandler() {
			return nil, fmt.Errorf("%w: %s %q has no handler", errRoutes, rt.kind, rt.id)
		}
		if r.byKind[rt.kind] == nil {
			r.byKind[rt.kind] = map[string]*route{}
		}
		if _, dup := r.byKind[rt.kind][rt.id]; dup {
			return nil, fmt.Errorf("%w: %s %q is routed twice", errRoutes, rt.kind, rt.id)
		}
		r.byKind[rt.kind][rt.id] = rt
	}
	return r, nil
}

func (rt *route) hasHandler() bool {
	switch rt.kind {
	case commandRoute:
		return rt.command != nil
	case eventRoute:
		return rt.event != nil
	case actionRoute:
		return rt.action != nil
	case viewRoute:
		return rt.view != nil
	case shortcutRoute:
		return rt.shortcut != nil
	}
	return false
}

func (r *router) lookup(kind routeKind, id string) *route {
	return r.byKind[kind][id]
}

// ids returns the sorted ids of one kind of route.
func (r *router) ids(kind routeKind) []string {
	var ids []string
	for id := range r.byKind[kind] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// commands returns the command routes in table order, for help.
func (r *router) commands() []*route {
	var out []*route
	for i := range r.all {
		if r.all[i].kind == commandRoute {
			out = append(out, &r.all[i])
		}
	}
	return out
}
