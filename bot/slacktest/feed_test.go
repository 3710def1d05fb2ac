package slacktest_test

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// feedKinds lists the kinds of cs, to compare a whole feed at once.
func feedKinds(cs []slacktest.Change) []slacktest.ChangeKind {
	out := make([]slacktest.ChangeKind, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Kind)
	}
	return out
}

// checkFeed fails the test unless cs has the kinds want, numbered first,
// first+1, … in order.
func checkFeed(t *testing.T, name string, cs []slacktest.Change, first int, want ...slacktest.ChangeKind) {
	t.Helper()
	if got := feedKinds(cs); !slices.Equal(got, want) {
		t.Fatalf("%s kinds = %v, want %v", name, got, want)
	}
	for i, c := range cs {
		if c.Seq != first+i {
			t.Errorf("%s[%d].Seq = %d, want %d", name, i, c.Seq, first+i)
		}
	}
}

// feedView is the part of a stored view the feed tests look at.
type feedView struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Title struct {
		Text string `json:"text"`
	} `json:"title"`
	Blocks []struct {
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	} `json:"blocks"`
}

func decodeFeedView(t *testing.T, raw json.RawMessage) feedView {
	t.Helper()
	var v feedView
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("change view %s: %v", raw, err)
	}
	return v
}

// sectionBlocks is one mrkdwn section saying text.
func sectionBlocks(text string) slack.Blocks {
	return slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)}}
}

// Ensure chat.postMessage, chat.postEphemeral, chat.update and chat.delete
// each add one change, numbered 1, 2, … in order, that shows the message as
// it was at that moment; and that Changes(after) and LastChange page through
// them.
func TestChangesChatMessages(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice"})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")
	ctx := testContext(t)
	api := newAPI(srv)

	if got := srv.LastChange(); got != 0 {
		t.Errorf("LastChange() before any call = %d, want 0", got)
	}
	if got := srv.Changes(0); len(got) != 0 {
		t.Errorf("Changes(0) before any call = %+v, want none", got)
	}

	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hello", false))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	ets, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("only you", false))
	if err != nil {
		t.Fatalf("PostEphemeral: %v", err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("hello again", false)); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}

	cs := srv.Changes(0)
	checkFeed(t, "Changes(0)", cs, 1, slacktest.MessagePosted, slacktest.MessagePosted, slacktest.MessageUpdated, slacktest.MessageDeleted)
	if m := cs[0].Message; m.Channel != "C1" || m.TS != ts || m.Text != "hello" || m.Ephemeral || m.User != "" {
		t.Errorf("posted change = %+v, want hello in C1 at %s, not ephemeral", m, ts)
	}
	if m := cs[1].Message; m.Channel != "C1" || m.TS != ets || m.Text != "only you" || !m.Ephemeral || m.User != "U1" {
		t.Errorf("ephemeral change = %+v, want \"only you\" in C1 at %s, ephemeral to U1", m, ets)
	}
	if m := cs[2].Message; m.Channel != "C1" || m.TS != ts || m.Text != "hello again" {
		t.Errorf("updated change = %+v, want the message at %s with its new text", m, ts)
	}
	if m := cs[3].Message; m.Channel != "C1" || m.TS != ts || m.Text != "hello again" {
		t.Errorf("deleted change = %+v, want the message at %s as it was when deleted", m, ts)
	}
	for i, c := range cs {
		if c.User != "" || c.ViewID != "" || c.View != nil {
			t.Errorf("message change %d has view fields: user %q view %q %s", i, c.User, c.ViewID, c.View)
		}
	}

	if got := srv.LastChange(); got != 4 || got != cs[len(cs)-1].Seq {
		t.Errorf("LastChange() = %d, want 4, the last Seq", got)
	}
	checkFeed(t, "Changes(2)", srv.Changes(2), 3, slacktest.MessageUpdated, slacktest.MessageDeleted)
	checkFeed(t, "Changes(3)", srv.Changes(3), 4, slacktest.MessageDeleted)
	if got := srv.Changes(srv.LastChange()); len(got) != 0 {
		t.Errorf("Changes(LastChange()) = %+v, want nothing new", got)
	}

	// A later change continues the numbering.
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("later", false)); err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	checkFeed(t, "Changes(4)", srv.Changes(4), 5, slacktest.MessagePosted)
	if got := srv.LastChange(); got != 5 {
		t.Errorf("LastChange() after a fifth change = %d, want 5", got)
	}
}

// Ensure a call that fails (Slack answers ok:false, or a fault was
// injected) adds no change, and the next successful one takes the next Seq.
func TestChangesFailedCallsAddNone(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice"})
	srv.AddUser(slacktest.User{ID: "U2", Name: "bob"})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")
	ctx := testContext(t)
	api := newAPI(srv)

	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hello", false))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: sectionBlocks("home")}
	for _, tt := range []struct {
		name string
		call func() error
		want string // the Slack error code
	}{
		{"chat.update unknown ts", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, "C1", "1600000000.000100", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"chat.delete unknown ts", func() error {
			_, _, err := api.DeleteMessageContext(ctx, "C1", "1600000000.000100")
			return err
		}, "message_not_found"},
		{"chat.postMessage unknown channel", func() error {
			_, _, err := api.PostMessageContext(ctx, "C404", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"chat.postEphemeral to a non-member", func() error {
			_, err := api.PostEphemeralContext(ctx, "C1", "U2", slack.MsgOptionText("x", false))
			return err
		}, "user_not_in_channel"},
		{"views.update unknown view", func() error {
			_, err := api.UpdateViewContext(ctx, slack.ModalViewRequest{Type: slack.VTModal,
				Title: slack.NewTextBlockObject(slack.PlainTextType, "x", false, false)}, "", "", "V404")
			return err
		}, "not_found"},
		{"views.publish unknown user", func() error {
			_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U404", View: home})
			return err
		}, "user_not_found"},
		{"chat.update with an injected fault", func() error {
			srv.InjectFaults("chat.update", slacktest.Fault{Error: "fatal_error"})
			_, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("x", false))
			return err
		}, "fatal_error"},
	} {
		if err := tt.call(); slackErr(err) != tt.want {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.want)
		}
		if got := srv.LastChange(); got != 1 {
			t.Errorf("%s: LastChange() = %d, want still 1", tt.name, got)
		}
	}
	checkFeed(t, "Changes(0)", srv.Changes(0), 1, slacktest.MessagePosted)
	if m := srv.Changes(0)[0].Message; m.Text != "hello" {
		t.Errorf("the one change = %+v, want the hello message untouched by the failed update", m)
	}

	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("edited", false)); err != nil {
		t.Fatalf("UpdateMessage after the failures: %v", err)
	}
	checkFeed(t, "Changes(1)", srv.Changes(1), 2, slacktest.MessageUpdated)
}

// Ensure what reaches people through a slash command's ack payload and
// through response URLs is in the feed: the ack text and a plain response
// as ephemeral posts to the invoker, replace_original as an update of the
// original message in place, delete_original as its deletion.
func TestChangesResponses(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice"})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")
	ctx := testContext(t)
	cmds := make(chan slack.SlashCommand, 1)
	clicks := make(chan slack.InteractionCallback, 1)
	b := startBot(t, srv, func(b *bot, evt socketmode.Event) {
		switch d := evt.Data.(type) {
		case slack.SlashCommand:
			b.ack(evt, map[string]any{"text": "brewing a match"})
			cmds <- d
		case slack.InteractionCallback:
			b.ack(evt, nil)
			clicks <- d
		default:
			b.ack(evt, nil)
		}
	})

	// The ack payload: Slack shows it to the invoker.
	if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/coffee", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatalf("SlashCommand: %v", err)
	}
	cmd := <-cmds
	cs := srv.Changes(0)
	checkFeed(t, "Changes after the ack", cs, 1, slacktest.MessagePosted)
	if m := cs[0].Message; m.Channel != "C1" || m.Text != "brewing a match" || !m.Ephemeral || m.User != "U1" || m.TS == "" {
		t.Errorf("ack payload change = %+v, want \"brewing a match\" in C1, ephemeral to U1", m)
	}

	// A plain response: a new ephemeral message.
	if _, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral),
		slack.MsgOptionText("you joined", false)); err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	cs = srv.Changes(1)
	checkFeed(t, "Changes after the response", cs, 2, slacktest.MessagePosted)
	if m := cs[0].Message; m.Channel != "C1" || m.Text != "you joined" || !m.Ephemeral || m.User != "U1" {
		t.Errorf("response change = %+v, want \"you joined\" in C1, ephemeral to U1", m)
	}

	// A click on a message, answered by replacing it, then deleting it.
	_, ts, err := b.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("Coffee this week?", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Interaction(ctx, map[string]any{
		"type":      "block_actions",
		"user":      map[string]any{"id": "U1"},
		"channel":   map[string]any{"id": "C1"},
		"container": map[string]any{"type": "message", "message_ts": ts, "channel_id": "C1"},
		"message":   map[string]any{"type": "message", "ts": ts, "text": "Coffee this week?"},
		"actions":   []any{map[string]any{"type": "button", "action_id": "coffee_accept", "block_id": "b1", "value": "yes"}},
	}); err != nil {
		t.Fatalf("Interaction: %v", err)
	}
	cb := <-clicks
	if _, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionReplaceOriginal(cb.ResponseURL),
		slack.MsgOptionText("See you there!", false)); err != nil {
		t.Fatalf("replace_original: %v", err)
	}
	if _, _, err := b.api.PostMessageContext(ctx, "", slack.MsgOptionDeleteOriginal(cb.ResponseURL)); err != nil {
		t.Fatalf("delete_original: %v", err)
	}
	cs = srv.Changes(2)
	checkFeed(t, "Changes after the click", cs, 3, slacktest.MessagePosted, slacktest.MessageUpdated, slacktest.MessageDeleted)
	if m := cs[1].Message; m.Channel != "C1" || m.TS != ts || m.Text != "See you there!" || m.Ephemeral {
		t.Errorf("replace_original change = %+v, want the message at %s replaced in place", m, ts)
	}
	if m := cs[2].Message; m.Channel != "C1" || m.TS != ts || m.Text != "See you there!" {
		t.Errorf("delete_original change = %+v, want the message at %s as it was", m, ts)
	}
	if got := srv.LastChange(); got != 5 {
		t.Errorf("LastChange() = %d, want 5", got)
	}
}

// Ensure views.open, views.update and views.publish add view changes with
// the person whose screen shows the view, its ID and the view as it was
// then; a views.update of a Home tab counts as a Home publish.
func TestChangesViews(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{TriggerTTL: -1}) // no race with the 3 s trigger expiry
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice"})
	srv.AddUser(slacktest.User{ID: "U2", Name: "bob"})
	srv.AddChannel("C1", "general", false, "U1", "U2", "UBOT")
	ctx := testContext(t)
	cmds := make(chan slack.SlashCommand, 1)
	b := startBot(t, srv, func(b *bot, evt socketmode.Event) {
		b.ack(evt, nil)
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			cmds <- cmd
		}
	})

	// The trigger comes from U1's command, so the modal is on U1's screen.
	if _, err := srv.SlashCommand(ctx, slack.SlashCommand{Command: "/kudos", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatalf("SlashCommand: %v", err)
	}
	cmd := <-cmds
	if got := srv.LastChange(); got != 0 {
		t.Errorf("LastChange() after a command acked without payload = %d, want 0", got)
	}
	title := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	opened, err := b.api.OpenViewContext(ctx, cmd.TriggerID, slack.ModalViewRequest{Type: slack.VTModal, Title: title("Give kudos")})
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	if _, err := b.api.UpdateViewContext(ctx, slack.ModalViewRequest{Type: slack.VTModal, Title: title("Kudos sent")}, "", "", opened.ID); err != nil {
		t.Fatalf("UpdateView of the modal: %v", err)
	}
	home, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U2",
		View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: sectionBlocks("first home")}})
	if err != nil {
		t.Fatalf("PublishView: %v", err)
	}
	if _, err := b.api.UpdateViewContext(ctx, slack.ModalViewRequest{Type: slack.VTHomeTab, Blocks: sectionBlocks("second home")}, "", "", home.ID); err != nil {
		t.Fatalf("UpdateView of the Home tab: %v", err)
	}

	cs := srv.Changes(0)
	checkFeed(t, "Changes(0)", cs, 1, slacktest.ViewOpened, slacktest.ViewUpdated, slacktest.HomePublished, slacktest.HomePublished)
	for i, want := range []struct {
		user, viewID, typ, text string
	}{
		{"U1", opened.ID, "modal", "Give kudos"},
		{"U1", opened.ID, "modal", "Kudos sent"},
		{"U2", home.ID, "home", "first home"},
		{"U2", home.ID, "home", "second home"},
	} {
		c := cs[i]
		if c.User != want.user || c.ViewID != want.viewID || c.ViewID == "" {
			t.Errorf("change %d (%s) = user %q view %q, want user %q view %q", c.Seq, c.Kind, c.User, c.ViewID, want.user, want.viewID)
		}
		if c.Message.TS != "" || c.Message.Channel != "" {
			t.Errorf("change %d (%s) has a message: %+v", c.Seq, c.Kind, c.Message)
		}
		v := decodeFeedView(t, c.View)
		text := v.Title.Text
		if len(v.Blocks) > 0 {
			text = v.Blocks[0].Text.Text
		}
		// Each change keeps the view as it was then, not as it is now.
		if v.ID != want.viewID || v.Type != want.typ || text != want.text {
			t.Errorf("change %d (%s) view = id %q type %q text %q, want %q %q %q",
				c.Seq, c.Kind, v.ID, v.Type, text, want.viewID, want.typ, want.text)
		}
	}
}

// Ensure Conversation describes public and private channels, the bot's DM
// with a person (by the person's ID or by the DM's ID) and a group DM, and
// reports false for a conversation it does not know.
func TestConversation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice"})
	srv.AddUser(slacktest.User{ID: "U2", Name: "bob"})
	srv.AddChannel("C1", "general", false, "U1", "U2", "UBOT")
	srv.AddChannel("CPRIV", "secret", true, "U1", "UBOT")
	ctx := testContext(t)
	api := newAPI(srv)

	t.Run("Public", func(t *testing.T) {
		c, ok := srv.Conversation("C1")
		if !ok || c.ID != "C1" || c.Name != "general" || c.Kind != "public" || c.User != "" ||
			!slices.Equal(c.Members, []string{"U1", "U2", "UBOT"}) {
			t.Fatalf("Conversation(C1) = %+v, %v; want public #general with U1, U2 and the bot", c, ok)
		}
		c.Members[0] = "UCHANGED"
		if again, _ := srv.Conversation("C1"); again.Members[0] != "U1" {
			t.Errorf("changing a returned member list changed the fake: members now %v", again.Members)
		}
	})
	t.Run("Private", func(t *testing.T) {
		c, ok := srv.Conversation("CPRIV")
		if !ok || c.Name != "secret" || c.Kind != "private" || !slices.Equal(c.Members, []string{"U1", "UBOT"}) {
			t.Errorf("Conversation(CPRIV) = %+v, %v; want private #secret with U1 and the bot", c, ok)
		}
	})
	t.Run("IM", func(t *testing.T) {
		ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
		if err != nil {
			t.Fatalf("conversations.open users=U1: %v", err)
		}
		byID, ok := srv.Conversation(ch.ID)
		if !ok || byID.ID != ch.ID || byID.Kind != "im" || byID.User != "U1" || byID.Name != "" {
			t.Errorf("Conversation(%s) = %+v, %v; want the IM with U1", ch.ID, byID, ok)
		}
		byUser, ok := srv.Conversation("U1")
		if !ok || byUser.ID != ch.ID || byUser.Kind != "im" || byUser.User != "U1" {
			t.Errorf("Conversation(U1) = %+v, %v; want the IM %s", byUser, ok, ch.ID)
		}
	})
	t.Run("MPIM", func(t *testing.T) {
		ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1", "U2"}})
		if err != nil {
			t.Fatalf("conversations.open users=U1,U2: %v", err)
		}
		c, ok := srv.Conversation(ch.ID)
		members := slices.Sorted(slices.Values(c.Members))
		if !ok || c.ID != ch.ID || c.Kind != "mpim" || c.User != "" || !slices.Equal(members, []string{"U1", "U2", "UBOT"}) {
			t.Errorf("Conversation(%s) = %+v, %v; want an MPIM of U1, U2 and the bot", ch.ID, c, ok)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		for _, id := range []string{"C404", "U404", "D404", ""} {
			if c, ok := srv.Conversation(id); ok {
				t.Errorf("Conversation(%q) = %+v, true; want false", id, c)
			}
		}
	})
}

// Ensure ConversationsOf lists, in ID order, exactly the conversations a
// person is in: channels whose member list names them, their DM with the
// bot and their group DMs; not other people's, and not channels whose
// members are unknown.
func TestConversationsOf(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	for _, id := range []string{"U1", "U2", "U3"} {
		srv.AddUser(slacktest.User{ID: id})
	}
	srv.AddChannel("CZETA", "zeta", false, "U1", "UBOT")
	srv.AddChannel("CALPHA", "alpha", false, "U1", "U2", "UBOT")
	srv.AddChannel("COTHER", "other", false, "U2", "UBOT")
	srv.AddChannel("CPRIV", "secret", true, "U1", "UBOT")
	srv.AddChannel("CANY", "unknown-members", false)
	ctx := testContext(t)
	api := newAPI(srv)
	open := func(users ...string) string {
		t.Helper()
		ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: users})
		if err != nil {
			t.Fatalf("conversations.open users=%v: %v", users, err)
		}
		return ch.ID
	}
	im1, im2 := open("U1"), open("U2")
	mp12, mp23 := open("U1", "U2"), open("U2", "U3")

	for _, tt := range []struct {
		user string
		want map[string]string // ID → kind
	}{
		{"U1", map[string]string{"CALPHA": "public", "CZETA": "public", "CPRIV": "private", im1: "im", mp12: "mpim"}},
		{"U2", map[string]string{"CALPHA": "public", "COTHER": "public", im2: "im", mp12: "mpim", mp23: "mpim"}},
		{"U3", map[string]string{mp23: "mpim"}},
		{"U404", map[string]string{}},
	} {
		got := srv.ConversationsOf(tt.user)
		var gotIDs []string
		for _, c := range got {
			gotIDs = append(gotIDs, c.ID)
			if want, ok := tt.want[c.ID]; ok && c.Kind != want {
				t.Errorf("ConversationsOf(%s): %s kind = %q, want %q", tt.user, c.ID, c.Kind, want)
			}
			if c.Kind == "im" && c.User != tt.user {
				t.Errorf("ConversationsOf(%s): IM %s is with %q", tt.user, c.ID, c.User)
			}
		}
		wantIDs := slices.Sorted(maps.Keys(tt.want))
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("ConversationsOf(%s) = %v, want %v (sorted by ID)", tt.user, gotIDs, wantIDs)
		}
	}
}

// Ensure User returns a person's directory entry as added (with the
// defaults AddUser fills in), the latest entry after a replacement, the bot
// itself, and false for an unknown ID.
func TestUser(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{TeamID: "T9"})
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice", RealName: "Alice A", TZ: "Europe/Berlin", IsAdmin: true, Email: "alice@example.com"})
	srv.AddUser(slacktest.User{ID: "UPLAIN"})

	u, ok := srv.User("U1")
	if !ok || u.ID != "U1" || u.Name != "alice" || u.RealName != "Alice A" || u.TZ != "Europe/Berlin" ||
		!u.IsAdmin || u.Email != "alice@example.com" || u.TeamID != "T9" {
		t.Errorf("User(U1) = %+v, %v; want alice as added, in team T9", u, ok)
	}
	if u, ok := srv.User("UPLAIN"); !ok || u.Name != "uplain" || u.TZ != "UTC" || u.TeamID != "T9" {
		t.Errorf("User(UPLAIN) = %+v, %v; want the defaults name uplain, UTC, team T9", u, ok)
	}
	if u, ok := srv.User("UBOT"); !ok || !u.IsBot || u.Name != "rapport" {
		t.Errorf("User(UBOT) = %+v, %v; want the bot's own entry", u, ok)
	}
	if u, ok := srv.User("U404"); ok {
		t.Errorf("User(U404) = %+v, true; want false", u)
	}

	srv.AddUser(slacktest.User{ID: "U1", Name: "alice", Deleted: true, StatusText: "gone"})
	if u, ok := srv.User("U1"); !ok || !u.Deleted || u.StatusText != "gone" || u.IsAdmin || u.TZ != "UTC" {
		t.Errorf("User(U1) after replacing = %+v, %v; want the new entry", u, ok)
	}
}
