package bot

import (
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// NewSocket returns the Socket Mode client for api, wired so that the bot
// learns why Slack closed a connection. slack-go handles "disconnect"
// frames itself and never reports their reason; its debug log is the only
// place the frame appears, so the watch reads that log, keeps only the
// reason of a disconnect frame, and drops everything else unread and
// unwritten (the log carries message content).
func NewSocket(api *slack.Client) (*socketmode.Client, *DisconnectWatch) {
	w := &DisconnectWatch{reasons: make(chan string, 8)}
	return socketmode.New(api, socketmode.OptionDebug(true), socketmode.OptionLog(w)), w
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
