package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// This file declares every identifier the bot puts on the wire and reads
// back: Slack action_ids, callback_ids and block_ids, and the keys of the
// outbox. Routes, renderers, handlers and tests all use these names; none
// types the string a second time.
//
// Each value is a wire value. Buttons on messages posted months ago carry
// their action_id and come back when clicked, and outbox keys sit in the
// store while a message waits and afterwards (they make enqueueing
// idempotent). So a name here may change, but never its string: a new
// spelling is a new identifier, and the old one stays routed.
//
// They are in one file, not beside each feature, because that is the rule
// they share: a reader changing a renderer sees at once that the ID is a
// contract, and TestRoutesMatchRenderers compares this surface with the
// route table. The DM kinds are store.DMKind: they are stored in people.

// Actions shared by every unprompted DM.
const (
	muteDMAction   = "mute_dm"   // "Stop these DMs"; the value is the store.DMKind to turn off
	unmuteDMAction = "unmute_dm" // "Undo" on the answer to muteDMAction; the value is the kind
)

// Kudos: the shortcut, the form's callback_id and its input block_id and
// action_id pairs (the submission reads state.values by them).
const (
	kudosShortcutID        = "kudos_shortcut" // "Give kudos for this" on a message
	kudosModalCallbackID   = "kudos_modal"
	kudosRecipientsBlockID = "kudos_recipients"
	kudosRecipientsAction  = "recipients"
	kudosReasonBlockID     = "kudos_reason"
	kudosReasonAction      = "reason"
	kudosValuesBlockID     = "kudos_values"
	kudosValuesAction      = "values"
	kudosPrivateBlockID    = "kudos_private"
	kudosPrivateAction     = "private"
	kudosPrivateValue      = "private" // the checkbox option's value
)

// Kudos by reaction: the prompt's one field. Its block_id is the prefix
// and the reacted message ("C123/1700000000.000100"), so the answer says
// which reaction it is for; pressing Enter in the field sends the action.
const (
	reactionKudosBlockPrefix = "kudos_reaction:"
	reactionKudosAction      = "kudos_reaction_answer"
)

// Follow-ups: the buttons on reminders, nudges and notices, the shortcut,
// the forms and their input block_id and action_id pairs.
const (
	followupDoneAction        = "followup_done"
	followupSnoozeAction      = "followup_snooze"
	followupDropAction        = "followup_drop"
	followupUndoAction        = "followup_undo"
	followupRenegotiateAction = "followup_renegotiate"
	followupKeepAction        = "followup_keep"
	followupNewDateAction     = "followup_new_date"
	followupShortcutID        = "followup_shortcut" // "Follow up on this" on a message
	followupModalID           = "followup_modal"
	followupDropModalID       = "followup_drop_modal"
	followupRenegotiateID     = "followup_renegotiate_modal"
	followupPersonBlockID     = "followup_person"
	followupPersonAction      = "person"
	followupWhatBlockID       = "followup_what"
	followupWhatAction        = "what"
	followupDateBlockID       = "followup_date"
	followupDateAction        = "date"
	followupTimeBlockID       = "followup_time"
	followupTimeAction        = "time"
	followupNoteBlockID       = "followup_note"
	followupNoteAction        = "note"
)

// Coffee. The intro's buttons carry coffeeGroupValue(round, group); the
// did-you-meet question's, that plus ":yes", ":not_yet" or ":no"; "Skip this round", the
// round's start in Unix seconds.
const (
	coffeeMetAction        = "coffee_met"             // "We met ☕" on the intro
	coffeeCantAction       = "coffee_cant"            // "Can't make it" on the intro
	coffeeSuggestAction    = "coffee_suggest"         // "Suggest a time" on the intro
	didYouMeetYesAction    = "coffee_checkin"         // "Yes ☕" on the did-you-meet question; questions sent before answers had their own ids use it for all three
	didYouMeetNotYetAction = "coffee_checkin_not_yet" // "Not yet" on the did-you-meet question
	didYouMeetNoAction     = "coffee_checkin_no"      // "No" on the did-you-meet question
	coffeeSkipAction       = "coffee_skip"            // "Skip this round" on the heads-up
	coffeeStayAction       = "coffee_stay"            // "Keep me in" after rounds without answers
	coffeeLeaveAction      = "coffee_leave"           // "Leave coffee chats" after rounds without answers
	circleAddAction        = "circle_add"             // "Keep in touch" after a coffee chat
	coffeeFollowupAction   = "coffee_followup"        // "Record a follow-up" after a coffee chat
	coffeeKeepBlockPrefix  = "keep_"                  // + partner's user ID: the block of those two buttons
)

// Stay in touch: the buttons on a reconnect suggestion (and the Home).
const (
	reconnectDoneAction    = "reconnect_done"  // "I reached out"
	reconnectLaterAction   = "reconnect_later" // "Not now": four weeks
	reconnectBlockIDPrefix = "reconnect_"      // + the suggested person's user ID
)

// The App Home's callback_id and its own buttons (Done and Snooze on a
// follow-up reuse followupDoneAction and followupSnoozeAction, "I reached
// out" reconnectDoneAction), and the settings form with its input
// block_id and action_id pairs.
const (
	homeCallbackID       = "home"
	homeCoffeePauseAct   = "home_coffee_pause"
	homeCoffeeResumeAct  = "home_coffee_resume"
	homeCoffeeJoinAct    = "home_coffee_join"
	homeSettingsAction   = "home_settings"
	homeFooterBlockID    = "home_footer"
	settingsCallbackID   = "settings_modal"
	settingsStartBlockID = "settings_start"
	settingsStartAction  = "start"
	settingsEndBlockID   = "settings_end"
	settingsEndAction    = "end"
	settingsDaysBlockID  = "settings_days"
	settingsDaysAction   = "days"
	settingsTZBlockID    = "settings_tz"
	settingsTZAction     = "tz"
	settingsDMsBlockID   = "settings_dms"
	settingsDMsAction    = "dms"
	settingsStyleBlockID = "settings_style"
	settingsStyleAction  = "style"

	// Celebrations in the settings form: the birthday as two selects (a
	// month and a day, never a year), the start date, the visibility, and
	// the boxes that forget a date.
	settingsBdayMonthBlockID  = "settings_bday_month"
	settingsBdayMonthAction   = "bday_month"
	settingsBdayDayBlockID    = "settings_bday_day"
	settingsBdayDayAction     = "bday_day"
	settingsStartedBlockID    = "settings_started"
	settingsStartedAction     = "started"
	settingsVisibilityBlockID = "settings_visibility"
	settingsVisibilityAction  = "visibility"
	settingsForgetBlockID     = "settings_forget"
	settingsForgetAction      = "forget"
)

// forgetMeModalID is the confirmation form of /rapport forget-me.
const forgetMeModalID = "forget_me_modal"

// Outbox keys. Enqueueing a key already queued changes nothing, so a key
// names one message: the same event, enqueued again after a crash, gives
// the same key.

// kudosDMKey is the outbox key of kudos id's DM to one receiver.
func kudosDMKey(id uint64, receiver string) string {
	return fmt.Sprintf("kudos:%d:dm:%s", id, receiver)
}

// kudosPostKey is the outbox key of kudos id's public post where it was
// given.
func kudosPostKey(id uint64) string { return fmt.Sprintf("kudos:%d:post", id) }

// kudosUnpostedKey is the outbox key of the note telling the giver that
// kudos id's public post could not be made.
func kudosUnpostedKey(id uint64) string { return fmt.Sprintf("kudos:%d:unposted", id) }

// kudosShareKey is the outbox key of kudos id's post in the kudos channel.
func kudosShareKey(id uint64) string { return fmt.Sprintf("kudos:%d:share", id) }

// reactionPromptKey is the outbox key of the prompt asking user, who
// reacted with the kudos emoji to the message at ts in channel, what its
// author did: one per reaction, so a redelivered or repeated reaction
// never asks twice.
func reactionPromptKey(channel, ts, user string) string {
	return "kudos-reaction:" + channel + ":" + ts + ":" + user
}

// reactionNoteKey is the outbox key of the private note telling user why
// their reaction to the message at ts in channel starts no kudos (why:
// "own", "bot", "unreadable", "limit", …).
func reactionNoteKey(channel, ts, user, why string) string {
	return reactionPromptKey(channel, ts, user) + ":note:" + why
}

// kudosDigestKey is the outbox key of the digest of the week ending at to.
func kudosDigestKey(to time.Time) string { return "kudos-digest:" + to.UTC().Format(time.RFC3339) }

// followupNoticeKey is the outbox key of the note telling the counterpart
// of follow-up id that it was made.
func followupNoticeKey(id uint64) string { return fmt.Sprintf("followup:%d:notice", id) }

// followupReceiptKey is the outbox key of the note telling the counterpart
// that follow-up id was done.
func followupReceiptKey(id uint64) string { return fmt.Sprintf("followup:%d:receipt", id) }

// followupUndoneKey is the outbox key of the note telling the counterpart
// that follow-up id was taken back.
func followupUndoneKey(id uint64) string { return fmt.Sprintf("followup:%d:undone", id) }

// followupRenegotiateKey is the outbox key of the note proposing due as a
// new date for follow-up id.
func followupRenegotiateKey(id uint64, due time.Time) string {
	return fmt.Sprintf("followup:%d:renegotiate:%d", id, due.Unix())
}

// followupDMKey is the outbox key of owner's follow-up DM about items: the
// same items at the same NextAt (a tick run again after a crash) give the
// same key, a later round of them a new one.
func followupDMKey(owner string, items []store.Followup) string {
	ids := make([]string, len(items))
	var last time.Time
	for i, f := range items {
		ids[i] = fmt.Sprint(f.ID)
		if f.NextAt.After(last) {
			last = f.NextAt
		}
	}
	return "followup-dm:" + owner + ":" + strings.Join(ids, ",") + ":" + fmt.Sprint(last.Unix())
}

// reconnectKey is the outbox key of owner's reconnect suggestion in ISO
// week year-week.
func reconnectKey(owner string, year, week int) string {
	return fmt.Sprintf("reconnect:%s:%d-%d", owner, year, week)
}

// welcomeKey is the outbox key of the welcome DM to a newcomer: one per
// person, ever.
func welcomeKey(user string) string { return "welcome:" + user }

// coffeeIntroKey is the outbox key of the intro of group in round.
func coffeeIntroKey(round uint64, group int) string {
	return fmt.Sprintf("coffee:%d:%d:intro", round, group)
}

// coffeeSatOutKey is the outbox key of the note telling user they sit
// round out.
func coffeeSatOutKey(round uint64, user string) string {
	return fmt.Sprintf("coffee:%d:satout:%s", round, user)
}

// coffeeNoteKey is the outbox key of the private reminder to user, before
// group's coffee in round, of the last note they wrote about with.
func coffeeNoteKey(round uint64, group int, user, with string) string {
	return fmt.Sprintf("coffee:%d:%d:note:%s:%s", round, group, user, with)
}

// didYouMeetKey is the outbox key of a group's "did you meet?".
func didYouMeetKey(round uint64, group int) string {
	return fmt.Sprintf("coffee:%d:%d:checkin", round, group)
}

// coffeeMetKey is the outbox key of the note that group of round met.
func coffeeMetKey(round uint64, group int) string {
	return fmt.Sprintf("coffee:%d:%d:met", round, group)
}

// coffeeCantKey is the outbox key of user's "can't make it" in group of
// round.
func coffeeCantKey(round uint64, group int, user string) string {
	return fmt.Sprintf("coffee:%d:%d:cant:%s", round, group, user)
}

// coffeeHeadsUpKey is the outbox key of one person's heads-up for the
// round at at.
func coffeeHeadsUpKey(at time.Time, user string) string {
	return fmt.Sprintf("coffee-headsup:%d:%s", at.Unix(), user)
}

// pausedForSilenceKey is the outbox key of the note telling user, on day (days
// since the Unix epoch), that their coffee chats are paused for silence.
func pausedForSilenceKey(user string, day int64) string {
	return fmt.Sprintf("coffee-ghost:%s:%d", user, day)
}

// coffeeStillInKey is the outbox key of "still up for coffee chats?" before
// the round at at.
func coffeeStillInKey(at time.Time, user string) string {
	return fmt.Sprintf("%s%d:%s", coffeeStillInKeyPrefix, at.Unix(), user)
}

// coffeeStillInKeyPrefix begins every coffeeStillInKey.
const coffeeStillInKeyPrefix = "coffee-still:"

// homeRefreshKey is the outbox key of the Home refresh an action causes:
// cause names the action ("kudos:42", "followup:7:done").
func homeRefreshKey(user, cause string) string {
	return "home:" + user + ":" + cause
}

// Outbox renderers: the names (store.Outgoing.Render) of messages built at
// delivery rather than when queued. They are stored with queued items.
const (
	renderHomeRefresh    = "home"            // republish the person's Home; no message
	renderFollowupUndone = "followup-undone" // "took back the note", if the note was sent

	renderKudosPostItem      = "kudos-post"     // a kudos's public post; its ts is recorded on the kudos
	renderKudosLinkedItem    = "kudos-linked"   // a kudos's share or DM, with the link to the post
	renderKudosUnpostedItem  = "kudos-unposted" // tells the giver the post could not be made
	renderReactionPromptItem = "kudos-reaction" // the prompt after a kudos reaction; not sent once cancelled
)

// Celebrations: the Congratulate button, the outbox keys of the public
// post and the private DM, and the post's renderer.
const (
	congratulateAction = "celebrate_congratulate" // "Congratulate" on a celebrations post; the value is the user celebrated

	renderCelebrationsItem = "celebrations-post" // the day's celebrations post, built from who celebrates at delivery

	celebrationsPostKeyPrefix = "celebrations:"
)

// celebrationsPostKey is the outbox key of the celebrations post of the
// slot that begins at slot: one post per slot, ever.
func celebrationsPostKey(slot time.Time) string {
	return fmt.Sprintf("%s%d", celebrationsPostKeyPrefix, slot.Unix())
}

// celebrationDMKey is the outbox key of the private wishes to user for
// the celebration of kind on day ("2027-03-14"): one per day and kind.
func celebrationDMKey(user string, kind celebrationKind, day string) string {
	return fmt.Sprintf("celebrate-dm:%s:%s:%s", user, kind, day)
}
