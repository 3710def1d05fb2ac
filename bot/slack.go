package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"
)

// SlackAPI lists the Slack Web API methods the bot calls, and nothing else.
// *slack.Client satisfies it; tests run the bot against the project's fake
// Slack (bot/slacktest) through a real *slack.Client, so the encoding of every
// call is exercised too. The manifest test maps each method here to the OAuth
// scope it needs, so adding a method means declaring its scope.
type SlackAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
}

// Store is the part of the store the bot needs. *store.DB satisfies it.
type Store interface {
	// ClaimEvent records key as handled and reports whether this was the
	// first claim. It makes at-least-once Slack deliveries effectively
	// exactly-once, across restarts too.
	ClaimEvent(key string, at time.Time) (first bool, err error)
}
