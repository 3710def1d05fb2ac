package bot

import (
	"context"
	"log/slog"
	"slices"

	"github.com/slack-go/slack"
)

// inviteFix is what an operator does when Rapport is not in a channel it
// was configured to use: Slack refuses a bot's posts (not_in_channel) and
// sends it no member events for a channel it has not been invited to.
const inviteFix = "in Slack, open the channel and type /invite @rapport"

// checkChannels warns, at start, about each configured channel Rapport is
// not a member of, naming the channel, what will not work, and the fix.
// It never stops the bot: everything else still works.
func (b *Bot) checkChannels(ctx context.Context) {
	type use struct{ id, setting, breaks string }
	var uses []use
	if ch := b.opts.Kudos.Channel; ch != "" {
		uses = append(uses, use{ch, "RAPPORT_KUDOS_CHANNEL", "kudos are not shared there and the weekly celebration is not posted"})
	}
	if ch := b.opts.Coffee.Channel; ch != "" && ch != b.opts.Kudos.Channel {
		uses = append(uses, use{ch, "RAPPORT_COFFEE_CHANNEL", "people who join or leave it are not enrolled in or taken out of coffee rounds"})
	}
	if ch := b.opts.Coffee.BuddyChannel; ch != "" && ch != b.opts.Coffee.Channel && ch != b.opts.Kudos.Channel {
		uses = append(uses, use{ch, "RAPPORT_BUDDY_CHANNEL", "newcomers get no buddy for their first coffee chat"})
	}
	if ch := b.opts.CelebrationsChannel; ch != "" && !slices.ContainsFunc(uses, func(u use) bool { return u.id == ch }) {
		uses = append(uses, use{ch, "RAPPORT_CELEBRATIONS_CHANNEL", "birthdays and work anniversaries of people who chose public are not posted"})
	}
	for _, u := range uses {
		var info *slack.Channel
		err := b.send.call(ctx, "conversations.info", func(ctx context.Context) error {
			var err error
			info, err = b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: u.id})
			return err
		})
		switch {
		case ctx.Err() != nil:
			return
		case slackErrorCode(err) == "channel_not_found":
			b.log.Warn("Rapport cannot see a configured channel: it is a private channel Rapport is not in, or the ID is wrong; "+inviteFix+", or check the ID",
				"channel", u.id, "setting", u.setting, "until_then", u.breaks)
		case err != nil:
			b.log.Warn("could not check Rapport's membership of a configured channel", "channel", u.id, "setting", u.setting, "err", err)
		case !info.IsMember:
			b.log.Warn("Rapport is not a member of a configured channel; "+inviteFix,
				"channel", u.id, "name", "#"+info.Name, "setting", u.setting, "until_then", u.breaks)
		}
	}
}

// warnNotInChannel logs a post that Slack refused because Rapport is not
// in the channel, with the fix, instead of a bare error code. log names the
// channel already.
func warnNotInChannel(log *slog.Logger, err error) bool {
	if slackErrorCode(err) != "not_in_channel" {
		return false
	}
	log.Warn("Slack refused a post: Rapport is not a member of the channel; "+inviteFix, "err", err)
	return true
}
