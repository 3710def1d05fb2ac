package store

// DMKind is a kind of unprompted DM that a person can turn off. Its value
// is a wire value: it is stored in people (Person.Muted), in queued
// messages (Outgoing.Kind), in exports, and in the value of the "Stop
// these DMs" button on messages already posted in Slack. So a constant may
// be renamed, but its string never changes.
type DMKind string

// The kinds of unprompted DM, in the order the settings list them.
const (
	DMKudos     DMKind = "kudos"        // someone thanked the person
	DMReminders DMKind = "reminders"    // one of the person's follow-ups is due
	DMNudges    DMKind = "nudges"       // the daily note about overdue follow-ups
	DMHeadsUp   DMKind = "heads_up"     // a coffee round starts soon
	DMReconnect DMKind = "reconnect"    // a suggestion to get back in touch
	DMDigest    DMKind = "digest"       // a summary now and then
	DMReceipts  DMKind = "receipts"     // someone made the person a promise, or kept one
	DMWelcome   DMKind = "welcome"      // the one hello to someone who just joined the workspace
	DMCelebrate DMKind = "celebrations" // a happy birthday or work anniversary, for someone who chose private
	// DMReactionPrompts is the question after someone reacts with the
	// kudos emoji ("What did @maya do?"), and the note when that reaction
	// cannot start one. Muted, a reaction is just a reaction.
	DMReactionPrompts DMKind = "reaction_prompts"
)

// DMKinds lists every DMKind, in the order the settings show them.
var DMKinds = []DMKind{DMKudos, DMReminders, DMNudges, DMHeadsUp, DMReconnect, DMDigest, DMReceipts, DMWelcome, DMCelebrate, DMReactionPrompts}

// dmKinds converts stored strings to kinds; nil stays nil.
func dmKinds(s []string) []DMKind {
	if s == nil {
		return nil
	}
	out := make([]DMKind, len(s))
	for i, v := range s {
		out[i] = DMKind(v)
	}
	return out
}

// dmKindStrings converts kinds to the strings that are stored; nil stays nil.
func dmKindStrings(k []DMKind) []string {
	if k == nil {
		return nil
	}
	out := make([]string, len(k))
	for i, v := range k {
		out[i] = string(v)
	}
	return out
}
