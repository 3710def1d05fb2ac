package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// celebrationLine is how a post or a DM says what a day celebrates, for
// the person named by who (a mention, or "you").
func celebrationLine(c celebration, who string) string {
	if c.Kind == celebrateBirthday {
		return fmt.Sprintf(":birthday: Happy birthday, %s!", who)
	}
	years := "1 year"
	if c.Years != 1 {
		years = fmt.Sprintf("%d years", c.Years)
	}
	return fmt.Sprintf(":tada: %s: %s at the company!", strings.ToUpper(who[:1])+who[1:], years)
}

// renderCelebrationsPost is the post of a slot: one section per
// celebration, each with a Congratulate button. zones are the celebrants'
// zones: a day that is no longer the person's own at the slot's start (it
// fell on the channel's weekend) is marked belated, with its date.
func renderCelebrationsPost(cs []celebration, slot time.Time, zones map[string]*time.Location) (string, []slack.Block) {
	blocks := []slack.Block{section(":confetti_ball: *Today we celebrate*")}
	var names []string
	for _, c := range cs {
		who := "<@" + c.User + ">" // publicCelebrations keeps only IDs shaped like Slack's
		line := celebrationLine(c, who)
		if loc := zones[c.User]; loc != nil {
			if y, m, d := slot.In(loc).Date(); y != c.Year || m != c.Month || d != c.Day {
				line += fmt.Sprintf(" _(belated: %s)_", localDate(c.Start, reader{loc: loc}))
			}
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(neutraliseMentions(line)), nil,
			slack.NewAccessory(button(congratulateAction, c.User, "Congratulate"))))
		if !strings.Contains(strings.Join(names, " "), who) {
			names = append(names, who)
		}
	}
	blocks = append(blocks, contextLine("Only people who asked are celebrated here. Want to be? `/rapport celebrate`"))
	return neutraliseMentions(":confetti_ball: Today we celebrate " + strings.Join(names, ", ")), blocks
}

// renderCelebrationDM is the private wishes for one celebration, dated
// (it may be read later than it was sent), with a way to stop them.
func renderCelebrationDM(c celebration, r reader) (string, []slack.Block) {
	line := celebrationLine(c, "you")
	if c.Kind == celebrateBirthday {
		line = ":birthday: Happy birthday!"
	}
	text := fmt.Sprintf("%s (%s)", line, localDate(c.Start, r))
	return text, []slack.Block{
		section(text + "\nOnly you get this message: you chose private. `/rapport celebrate` to change that."),
		slack.NewActionBlock("", button(muteDMAction, string(store.DMCelebrate), "Stop these")),
	}
}
