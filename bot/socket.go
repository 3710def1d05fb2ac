package bot

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Socket is the Socket Mode connection as the bot uses it, and no more: it
// runs (connecting and reconnecting) until its context ends, delivers what
// Slack sends as events, and acks envelopes. slack-go's client fits it
// through SocketOf; a handler test may pass a fake and feed it envelopes
// without a websocket.
type Socket interface {
	RunContext(ctx context.Context) error
	// Incoming is the stream of connection events and envelopes. The bot
	// reads it promptly: a slow reader stalls the connection's pings.
	Incoming() <-chan socketmode.Event
	AckCtx(ctx context.Context, envelopeID string, payload any) error
}

// SocketOf adapts slack-go's Socket Mode client, whose events are a field,
// to Socket.
func SocketOf(c *socketmode.Client) Socket { return socketClient{c} }

type socketClient struct{ *socketmode.Client }

func (s socketClient) Incoming() <-chan socketmode.Event { return s.Events }

// NewSocket returns the Socket Mode client for api, wired so that the bot
// learns why Slack closed a connection. slack-go handles "disconnect"
// frames itself and never reports their reason; its debug log is the only
// place the frame appears, so the watch reads that log, keeps only the
// reason of a disconnect frame, and drops everything else unread and
// unwritten (the log carries message content).
func NewSocket(api *slack.Client) (Socket, *DisconnectWatch) {
	w := &DisconnectWatch{reasons: make(chan string, 8)}
	return SocketOf(socketmode.New(api, socketmode.OptionDebug(true), socketmode.OptionLog(w))), w
}

// DisconnectWatch receives slack-go's socket debug log and reports the
// reason of each "disconnect" frame. Pass it in Options.Disconnects.
type DisconnectWatch struct {
	reasons chan string
}

const receivedPrefix = "Received WebSocket message: "

// Output implements slack-go's logger.
func (w *DisconnectWatch) Output(_ int, s string) error {
	i := strings.Index(s, receivedPrefix)
	if i < 0 || !strings.Contains(s, `"disconnect"`) {
		return nil
	}
	var frame struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	}
	if json.Unmarshal([]byte(strings.TrimSpace(s[i+len(receivedPrefix):])), &frame) != nil || frame.Type != "disconnect" {
		return nil
	}
	select {
	case w.reasons <- frame.Reason:
	default: // the bot reads promptly; never block slack-go's reader
	}
	return nil
}
