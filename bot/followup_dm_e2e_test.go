package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// dmsAt returns the DMs to user posted at instant at.
func (r *followupRig) dmsAt(user string, at time.Time) []string {
	var out []string
	for _, c := range r.slack.CallsTo("chat.postMessage") {
		if c.Params["channel"] == r.slack.DMChannel(user) && c.At.Equal(at) {
			out = append(out, c.Params["text"]+"\n"+readable(c.Params["blocks"]))
		}
	}
	return out
}

// Ensure a note to oneself due on a Saturday, with the bot ticking through
// the weekend, reaches its owner as exactly one DM at Monday 09:00: the
// reminder waits for working hours and is not followed by a nudge for the
// same item in the same minute.
func TestFollowupWeekendDueGivesOneDM(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "me water plants by saturday")
	// Every hour from Saturday noon to Monday 09:00 Berlin.
	monday := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	for at := time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC); !at.After(monday); at = at.Add(time.Hour) {
		r.tickAt(at)
	}
	got := r.dmsAt("UALICE", monday)
	if len(got) != 1 {
		t.Fatalf("DMs to Alice at Monday 09:00 = %d, want 1: %q", len(got), got)
	}
	if n := strings.Count(got[0], "water plants*"); n != 1 {
		t.Errorf("the item appears %d times in the DM, want once: %s", n, got[0])
	}
	if n := len(r.dms("UALICE")); n != 1 {
		t.Errorf("DMs to Alice over the weekend = %d, want 1", n)
	}
}

// Ensure an item falling due and another already overdue, at the same
// tick, reach their owner as one DM that says which is which.
func TestFollowupDueAndOverdueInOneDM(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "me book the venue by tomorrow")    // Wed 18:00
	r.followup("UALICE", "me call the caterer by Dec 3 9am") // Thu 09:00
	r.tickAt(time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC))  // Wed 18:00 Berlin: the venue is due
	r.waitDM("UALICE", "book the venue")
	thursday := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	r.tickAt(thursday)
	got := r.dmsAt("UALICE", thursday)
	if len(got) != 1 {
		t.Fatalf("DMs to Alice at Thursday 09:00 = %d, want 1: %q", len(got), got)
	}
	for _, want := range []string{"A note to yourself is due", "call the caterer", "back on track", "book the venue"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("the DM lacks %q: %s", want, got[0])
		}
	}
}

// tickThrough ticks every hour from from to to, both included.
func (r *followupRig) tickThrough(from, to time.Time) {
	r.t.Helper()
	for at := from; !at.After(to); at = at.Add(time.Hour) {
		r.tickAt(at)
	}
}

// dmTimes lists when DMs to user mentioning want were posted, in Berlin
// time as "Mon 2 Jan 15:04".
func (r *followupRig) dmTimes(user, want string) []string {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	var out []string
	for _, c := range r.slack.CallsTo("chat.postMessage") {
		if c.Params["channel"] == r.slack.DMChannel(user) && strings.Contains(c.Params["text"]+readable(c.Params["blocks"]), want) {
			out = append(out, c.At.In(berlin).Format("Mon 2 Jan 15:04"))
		}
	}
	return out
}

// submitView submits a modal with the given state values, like a person
// pressing its Submit button, and waits for the handler.
func (r *followupRig) submitView(user, callbackID, metadata string, values map[string]any) {
	r.t.Helper()
	ctx := r.ctx()
	ack, err := r.slack.Interaction(ctx, map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user},
		"view": map[string]any{"id": "VNEW", "type": "modal", "callback_id": callbackID, "private_metadata": metadata,
			"state": map[string]any{"values": values}},
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.markSent(ack.EnvelopeID)
	r.waitHandled(ctx, ack.EnvelopeID)
}

// Ensure an ignored note to oneself is reminded once, nudged on the next
// three working days, then weekly three times, then asked about once
// (Keep / New date / Drop) and never mentioned again over eight weeks, and
// that Keep leaves it open and quiet.
func TestFollowupNudgesBackOffThenAskOnce(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "me tidy the wiki by today") // Tue 1 Dec 18:00 Berlin
	r.tickThrough(tuesday, tuesday.AddDate(0, 0, 8*7))
	want := []string{
		"Tue 1 Dec 18:00",                                       // the reminder
		"Wed 2 Dec 09:00", "Thu 3 Dec 09:00", "Fri 4 Dec 09:00", // daily
		"Fri 11 Dec 09:00", "Fri 18 Dec 09:00", "Fri 25 Dec 09:00", // weekly
		"Fri 1 Jan 09:00", // the one question
	}
	got := r.dmTimes("UALICE", "tidy the wiki")
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("DMs about the item at\n%v\nwant\n%v", got, want)
	}
	ask := r.dms("UALICE")[len(r.dms("UALICE"))-1]
	for _, w := range []string{"Still on your list?", "followup_keep", "followup_new_date", "followup_drop", `"value":"nudges"`} {
		if !strings.Contains(body(ask), w) {
			t.Errorf("the question lacks %q: %s", w, body(ask))
		}
	}
	fs, _ := r.db.FollowupsOwnedBy("UALICE")
	r.click("UALICE", r.slack.DMChannel("UALICE"), "followup_keep", fmt.Sprint(fs[0].ID))
	if _, content := r.lastResponse(); !strings.Contains(content, "Kept") {
		t.Errorf("Keep answered %q", content)
	}
	if f, _ := r.db.Followup(fs[0].ID); f.Status != store.FollowupOpen || !f.NextAt.IsZero() {
		t.Errorf("after Keep: status %s, next %v; want open with nothing scheduled", f.Status, f.NextAt)
	}
	if got := r.followup("UALICE", "list"); !strings.Contains(got, "tidy the wiki") {
		t.Errorf("a kept item is missing from the list: %q", got)
	}
}

// Ensure New date on the question gives a note to oneself a new due date,
// a reminder then, and the back-off from the start; a snooze on a nudge
// also starts the back-off over.
func TestFollowupAskNewDateStartsOver(t *testing.T) {
	r := startFollowupBot(t)
	r.followup("UALICE", "me tidy the wiki by today")
	r.tickThrough(tuesday, time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC))
	if got := r.dmTimes("UALICE", "Still on your list?"); len(got) != 1 {
		t.Fatalf("questions = %v, want one", got)
	}
	fs, _ := r.db.FollowupsOwnedBy("UALICE")
	id := fmt.Sprint(fs[0].ID)
	r.click("UALICE", r.slack.DMChannel("UALICE"), "followup_new_date", id)
	open := r.slack.CallsTo("views.open")
	if len(open) != 1 || !strings.Contains(open[0].Params["view"], "followup_renegotiate_modal") || strings.Contains(open[0].Params["view"], "Note for them") {
		t.Fatalf("views.open = %+v, want the new-date form without a note", open)
	}
	r.submitView("UALICE", "followup_renegotiate_modal", id, map[string]any{
		"followup_date": map[string]any{"date": map[string]any{"type": "datepicker", "selected_date": "2027-01-05"}},
	})
	if _, err := r.slack.WaitForMessage(r.ctx(), r.slack.DMChannel("UALICE"), func(m slacktest.Message) bool {
		return strings.Contains(m.Text, "New date set")
	}); err != nil {
		t.Fatalf("no confirmation of the new date: %v", err)
	}
	before := len(r.dmTimes("UALICE", "tidy the wiki"))
	r.tickThrough(time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC), time.Date(2027, 1, 7, 8, 0, 0, 0, time.UTC))
	got := r.dmTimes("UALICE", "tidy the wiki")[before:]
	want := []string{"Tue 5 Jan 18:00", "Wed 6 Jan 09:00", "Thu 7 Jan 09:00"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("after a new date, DMs at %v, want %v", got, want)
	}
	// Snooze on Thursday's nudge: a reminder tomorrow, then daily nudges.
	r.click("UALICE", r.slack.DMChannel("UALICE"), "followup_snooze", id+":tomorrow")
	if f, _ := r.db.Followup(fs[0].ID); f.Nudges != 0 || f.Reminded {
		t.Errorf("after a snooze: nudges %d, reminded %v; want the back-off from the start", f.Nudges, f.Reminded)
	}
}

// Ensure dates are read as each person writes them: 31/12 from a de-DE
// user is 31 December, 3/12 is 3 December for her and 12 March for an
// en-US user, "tmrw at 3" is 15:00, and "next month" is understood.
func TestFollowupDatesAsPeopleTypeThem(t *testing.T) {
	r := startFollowupBot(t) // Tuesday 1 Dec 2026, 09:00 Berlin
	tests := []struct{ user, text, want string }{
		{"UALICE", "me water plants by 31/12", "Thu 31 Dec, 18:00"},
		{"UALICE", "me water plants by 3/12", "Thu 3 Dec, 18:00"},
		{"UBOB", "me water plants by 3/12", "Fri 12 Mar, 18:00"},
		{"UBOB", "me water plants by 31/12", "Thu 31 Dec, 18:00"},
		{"UALICE", "me water plants tmrw at 3", "Wed 2 Dec, 15:00"},
		{"UALICE", "me water plants by next month", "Fri 1 Jan, 18:00"},
	}
	for _, tt := range tests {
		got := r.followup(tt.user, tt.text)
		if !strings.Contains(got, "Got it") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: /followup %s = %q, want it saved, due %s", tt.user, tt.text, got, tt.want)
		}
	}
}

// Ensure a past date gets the same clear refusal from /followup, /coffee
// pause until and the new-date form, and changes nothing.
func TestPastDatesRefusedAlike(t *testing.T) {
	r := startFollowupBot(t)
	if got := r.followup("UALICE", "me water plants by yesterday"); !strings.Contains(got, "That's in the past") {
		t.Errorf("/followup … by yesterday = %q, want the past-date refusal", got)
	}
	if got := r.followup("UALICE", "me water plants by 30/11/2026"); !strings.Contains(got, "That's in the past (Mon 30 Nov, 18:00)") {
		t.Errorf("/followup … by 30/11/2026 = %q, want the past-date refusal", got)
	}
	r.command("UALICE", "/coffee", "join")
	r.command("UALICE", "/coffee", "pause until yesterday")
	if _, got := r.lastResponse(); !strings.Contains(got, "That's in the past") || !strings.Contains(got, "`tomorrow`") {
		t.Errorf("/coffee pause until yesterday = %q, want the past-date refusal", got)
	}
	r.command("UALICE", "/coffee", "pause until 31/12")
	if _, got := r.lastResponse(); !strings.Contains(got, "31 Dec") && !strings.Contains(got, "Dec 31") {
		t.Errorf("/coffee pause until 31/12 from a de-DE user = %q, want a pause until 31 December", got)
	}
	if fs, _ := r.db.FollowupsOwnedBy("UALICE"); len(fs) != 0 {
		t.Errorf("stored %d follow-ups, want none", len(fs))
	}
	r.followup("UALICE", "me water plants by friday")
	fs, _ := r.db.FollowupsOwnedBy("UALICE")
	ack, err := r.slack.Interaction(r.ctx(), map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UALICE"},
		"view": map[string]any{"id": "VNEW", "type": "modal", "callback_id": "followup_renegotiate_modal", "private_metadata": fmt.Sprint(fs[0].ID),
			"state": map[string]any{"values": map[string]any{
				"followup_date": map[string]any{"date": map[string]any{"type": "datepicker", "selected_date": "2026-11-30"}},
			}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "That's in the past (Mon 30 Nov, 18:00)") {
		t.Errorf("new date 2026-11-30: ack = %s, want the past-date refusal on the field", ack.Payload)
	}
	if f, _ := r.db.Followup(fs[0].ID); !f.Due.Equal(time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("due after a refused new date = %v, want Friday 18:00 Berlin still", f.Due)
	}
}

// Ensure a note to oneself is never spoken of as a promise to someone:
// its confirmation, reminder, nudge, the Home and the Drop form name
// nobody to tell ("I'll let them know", "a note to the other person",
// "Note for them"), while a promise to Bob still says he will be told.
func TestSelfNoteHasNobodyToTell(t *testing.T) {
	r := startFollowupBot(t)
	them := []string{"them", "other person", "promise", "trust"}
	lacks := func(what, got string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q: %s", what, w, got)
			}
		}
		for _, n := range them {
			if strings.Contains(got, n) {
				t.Errorf("%s says %q, but a note to oneself has nobody to tell: %s", what, n, got)
			}
		}
	}
	lacks("confirmation", r.followup("UALICE", "me water plants by tomorrow"), "water plants", "I'll remind you")

	wednesday := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC) // 18:00 Berlin: due
	r.tickAt(wednesday)
	lacks("reminder", body(r.waitDM("UALICE", "water plants")), "A note to yourself is due", "Tap Done to tick it off")

	thursday := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC) // 09:00 Berlin: overdue
	r.tickAt(thursday)
	lacks("nudge", body(r.waitDM("UALICE", "back on track")), "water plants", "snooze it to a better time")

	r.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"}})
	home := readable(string(r.slack.HomeView("UALICE")))
	greeting := home[:strings.Index(home, "water plants")]
	lacks("Home greeting", greeting, "1 note to yourself is past due")

	fs, _ := r.db.FollowupsOwnedBy("UALICE")
	r.click("UALICE", r.slack.DMChannel("UALICE"), "followup_drop", fmt.Sprint(fs[0].ID))
	open := r.slack.CallsTo("views.open")
	if len(open) != 1 {
		t.Fatalf("views.open calls = %d, want the Drop form", len(open))
	}
	lacks("Drop form", open[0].Params["view"], "comes off your list", `"Drop"`)

	// A promise to Bob keeps its wording.
	r.followup("UALICE", "<@UBOB> send the deck by Dec 4 10am")
	r.tickAt(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	if got := body(r.waitDM("UALICE", "send the deck")); !strings.Contains(got, "A promise is due") || !strings.Contains(got, "I'll let them know") {
		t.Errorf("reminder of a promise to Bob = %s, want it to say Bob will be told", got)
	}
}
