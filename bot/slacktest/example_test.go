package slacktest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// A bot built on the real slack-go clients answers a slash command injected
// by the fake: it acks with a payload and posts a message.
func Example() {
	srv := slacktest.New(slacktest.Options{})
	defer srv.Close()
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice", TZ: "Europe/London"})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The bot.
	api := slack.New("xoxb-fake", slack.OptionAppLevelToken("xapp-fake"), slack.OptionAPIURL(srv.APIURL()))
	client := socketmode.New(api)
	go func() { _ = client.RunContext(ctx) }()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				if evt.Type != socketmode.EventTypeSlashCommand {
					continue
				}
				cmd := evt.Data.(slack.SlashCommand)
				_ = client.Ack(*evt.Request, map[string]string{"text": "thanks " + cmd.UserName})
				_, _, _ = api.PostMessageContext(ctx, cmd.ChannelID, slack.MsgOptionText("kudos "+cmd.Text, false))
			}
		}
	}()

	// The test.
	ack, err := srv.SlashCommand(ctx, slack.SlashCommand{
		Command: "/kudos", Text: "<@U2>", UserID: "U1", UserName: "alice", ChannelID: "C1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	call, err := srv.WaitForCall(ctx, "chat.postMessage", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(ack.Payload))
	fmt.Println(call.Params["channel"], call.Params["text"])
	msgs := srv.Messages("C1") // the ack and the post race, so sort them
	slices.SortFunc(msgs, func(a, b slacktest.Message) int { return strings.Compare(a.Text, b.Text) })
	for _, m := range msgs {
		fmt.Printf("%q ephemeral=%v\n", m.Text, m.Ephemeral)
	}
	// Output:
	// {"text":"thanks alice"}
	// C1 kudos <@U2>
	// "kudos <@U2>" ephemeral=false
	// "thanks alice" ephemeral=true
}
