package bot

// Coffee chats, one room per concern:
//
//	coffee_commands.go  /coffee and its subcommands, and the coffee channel's roster
//	coffee_rounds.go    the round lifecycle: pair, store, close, the coffee tick
//	coffee_eligible.go  who can take part in a round, from fresh Slack profiles
//	coffee_delivery.go  what goes out: group DMs, intros, heads-ups, "did you meet?",
//	                    "still up for coffee chats?", and when each may be sent
//	coffee_answers.go   the buttons on those messages
//	render_coffee.go    how each message looks
//
// Who meets whom is decided by the pure package bot/pairing.

import (
	"time"

	"github.com/rapport-bot/rapport/bot/pairing"
	"github.com/rapport-bot/rapport/store"
)

// CoffeeOptions configure coffee chats (the RAPPORT_COFFEE_* settings,
// docs/configuration.md). The rounds' zone and the default working week
// are the bot's Location and WorkWeek.
type CoffeeOptions struct {
	Channel string // members of this channel are enrolled automatically; "" none
	// BuddyChannel is RAPPORT_BUDDY_CHANNEL: its members volunteer to be a
	// newcomer's buddy, the first person they meet for coffee; "" none.
	BuddyChannel string
	// Schedule is when rounds run; nil: rounds are not set up (no
	// heads-ups, and /coffee now says so).
	Schedule  Schedule
	Cadence   store.CoffeeCadence // scheduled rounds closer than this are skipped
	GroupSize int                 // people per group; default 2
	// DidYouMeetDays is how many days after a round its groups are asked
	// "did you meet?" (RAPPORT_COFFEE_CHECKIN_DAYS); default 4.
	DidYouMeetDays int
	HeadsUp        time.Duration // how long before a round its heads-up is due; 0: none
	// SilentRounds is how many rounds in a row without an answer to "did
	// you meet?" pause someone, after they were asked "still up for coffee
	// chats?" and did not answer either; 0: never.
	SilentRounds int
	MinOverlap   time.Duration // shared working time a group needs in the week after the round
	History      time.Duration // how far back meetings count for pairing; default a year
	// CrossTeam is how teams weigh in pairing (RAPPORT_COFFEE_CROSS_TEAM):
	// prefer groups that cross teams (the zero value), or ignore teams.
	CrossTeam pairing.CrossTeam
	// ReportMinTeam is the fewest people a team needs in the quarter's
	// rounds to be named in the connection report; smaller teams are
	// merged into "other" (RAPPORT_REPORT_MIN_TEAM); default 5.
	ReportMinTeam int
}

// withDefaults fills in the zero options.
func (o CoffeeOptions) withDefaults() CoffeeOptions {
	if o.GroupSize < 2 {
		o.GroupSize = 2
	}
	if o.DidYouMeetDays <= 0 {
		o.DidYouMeetDays = 4
	}
	if o.History <= 0 {
		o.History = 365 * 24 * time.Hour
	}
	if o.ReportMinTeam <= 0 {
		o.ReportMinTeam = defaultReportMinTeam
	}
	return o
}
