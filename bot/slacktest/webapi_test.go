package slacktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the tests use named zones; do not depend on the host's tzdata

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/bot/slacktest"
)

// newServer starts a fake Slack that is closed when the test ends.
func newServer(t *testing.T, opts slacktest.Options) *slacktest.Server {
	t.Helper()
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv := slacktest.New(opts)
	t.Cleanup(srv.Close)
	return srv
}

// newAPI returns the real slack-go client pointed at srv.
func newAPI(srv *slacktest.Server) *slack.Client {
	return slack.New("xoxb-test", slack.OptionAppLevelToken("xapp-test"), slack.OptionAPIURL(srv.APIURL()))
}

// testContext returns a context that ends with the test or after 10s.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// slackErr returns the Slack error code of err, or "" when err is not a
// slack.SlackErrorResponse.
func slackErr(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

func TestAPIURL(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	if got := srv.APIURL(); !strings.HasPrefix(got, "http://127.0.0.1:") || !strings.HasSuffix(got, "/") {
		t.Errorf("APIURL() = %q, want http://127.0.0.1:PORT/…/", got)
	}
}

func TestAuthTest(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{BotUserID: "U0BOT", TeamID: "T9"})
	ctx := testContext(t)

	resp, err := newAPI(srv).AuthTestContext(ctx)
	if err != nil {
		t.Fatalf("AuthTest: %v", err)
	}
	if resp.UserID != "U0BOT" || resp.TeamID != "T9" || resp.BotID == "" {
		t.Errorf("AuthTest = user %q team %q bot %q, want U0BOT, T9 and a bot ID", resp.UserID, resp.TeamID, resp.BotID)
	}

	t.Run("invalid_auth", func(t *testing.T) {
		_, err := slack.New("xoxp-not-a-bot", slack.OptionAPIURL(srv.APIURL())).AuthTestContext(ctx)
		if got := slackErr(err); got != "invalid_auth" {
			t.Errorf("AuthTest with a user token: err = %v, want invalid_auth", err)
		}
	})
	t.Run("not_allowed_token_type", func(t *testing.T) {
		_, _, err := slack.New("xoxb-test", slack.OptionAppLevelToken("xoxb-wrong"),
			slack.OptionAPIURL(srv.APIURL())).StartSocketModeContext(ctx)
		if got := slackErr(err); got != "not_allowed_token_type" {
			t.Errorf("apps.connections.open with a bot token: err = %v, want not_allowed_token_type", err)
		}
	})
}

func TestAppsConnectionsOpen(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	ctx := testContext(t)
	api := newAPI(srv)

	_, url1, err := api.StartSocketModeContext(ctx)
	if err != nil {
		t.Fatalf("StartSocketMode: %v", err)
	}
	_, url2, err := api.StartSocketModeContext(ctx)
	if err != nil {
		t.Fatalf("StartSocketMode: %v", err)
	}
	if !strings.HasPrefix(url1, "ws://127.0.0.1:") || !strings.Contains(url1, "/link/?ticket=") {
		t.Errorf("url = %q, want ws://127.0.0.1:PORT/link/?ticket=N", url1)
	}
	if url1 == url2 {
		t.Errorf("two apps.connections.open calls both returned %q, want fresh tickets", url1)
	}
	call, err := srv.WaitForCall(ctx, "apps.connections.open", nil)
	if err != nil {
		t.Fatal(err)
	}
	if call.Token != "xapp-test" {
		t.Errorf("recorded token = %q, want the app-level token", call.Token)
	}
}

func TestPostMessage(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice"})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")
	ctx := testContext(t)
	api := newAPI(srv)

	section := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*hi* there", false, false), nil, nil)
	ch, ts1, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi there", false), slack.MsgOptionBlocks(section))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	if ch != "C1" || ts1 != "1700000000.000100" {
		t.Errorf("PostMessage = (%q, %q), want (C1, 1700000000.000100)", ch, ts1)
	}
	_, ts2, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("again", false), slack.MsgOptionTS(ts1))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	if ts2 <= ts1 {
		t.Errorf("second ts %q is not after first %q", ts2, ts1)
	}

	msgs := srv.Messages("C1")
	if len(msgs) != 2 {
		t.Fatalf("Messages(C1) has %d messages, want 2: %+v", len(msgs), msgs)
	}
	if msgs[0].Text != "hi there" || msgs[0].TS != ts1 || msgs[0].Ephemeral {
		t.Errorf("first message = %+v, want text %q at %s", msgs[0], "hi there", ts1)
	}
	if !strings.Contains(string(msgs[0].Blocks), `"*hi* there"`) {
		t.Errorf("first message blocks = %s, want the section", msgs[0].Blocks)
	}
	if msgs[1].ThreadTS != ts1 {
		t.Errorf("reply thread_ts = %q, want %q", msgs[1].ThreadTS, ts1)
	}

	calls := srv.CallsTo("chat.postMessage")
	if len(calls) != 2 {
		t.Fatalf("CallsTo(chat.postMessage) = %d calls, want 2", len(calls))
	}
	if c := calls[0]; c.Params["channel"] != "C1" || c.Params["text"] != "hi there" || c.Token != "xoxb-test" || c.At.IsZero() {
		t.Errorf("recorded call = %+v, want channel C1, text, token and time", c)
	}
	if !json.Valid([]byte(calls[0].Params["blocks"])) {
		t.Errorf("recorded blocks param %q is not JSON", calls[0].Params["blocks"])
	}
	if _, ok := calls[0].Params["token"]; ok {
		t.Errorf("token leaked into Params")
	}

	t.Run("DMByUserID", func(t *testing.T) {
		ch, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("psst", false))
		if err != nil {
			t.Fatalf("PostMessage to U1: %v", err)
		}
		if want := srv.DMChannel("U1"); ch != want || !strings.HasPrefix(ch, "D") {
			t.Errorf("PostMessage(U1) channel = %q, want DM %q", ch, want)
		}
		if got := srv.Messages(ch); len(got) != 1 || got[0].Text != "psst" {
			t.Errorf("Messages(%s) = %+v, want the DM", ch, got)
		}
	})
	t.Run("channel_not_found", func(t *testing.T) {
		_, _, err := api.PostMessageContext(ctx, "C404", slack.MsgOptionText("x", false))
		if got := slackErr(err); got != "channel_not_found" {
			t.Errorf("PostMessage(C404) err = %v, want channel_not_found", err)
		}
	})
	t.Run("no_text", func(t *testing.T) {
		_, _, err := api.PostMessageContext(ctx, "C1")
		if got := slackErr(err); got != "no_text" {
			t.Errorf("PostMessage without content: err = %v, want no_text", err)
		}
	})
	t.Run("PrivateChannelWithoutBot", func(t *testing.T) {
		srv.AddChannel("C2", "secret", true, "U1")
		_, _, err := api.PostMessageContext(ctx, "C2", slack.MsgOptionText("x", false))
		if got := slackErr(err); got != "channel_not_found" {
			t.Errorf("PostMessage to a private channel without the bot: err = %v, want channel_not_found", err)
		}
	})
	t.Run("PublicChannelWithoutBot", func(t *testing.T) {
		srv.AddChannel("C3", "kudos", false, "U1")
		_, _, err := api.PostMessageContext(ctx, "C3", slack.MsgOptionText("x", false))
		if got := slackErr(err); got != "not_in_channel" {
			t.Errorf("PostMessage to a public channel without the bot: err = %v, want not_in_channel", err)
		}
		if n := len(srv.Messages("C3")); n != 0 {
			t.Errorf("refused post left %d messages in C3", n)
		}
		// /invite @rapport: once the bot is a member, the post goes through.
		srv.AddChannel("C3", "kudos", false, "U1", "UBOT")
		if _, _, err := api.PostMessageContext(ctx, "C3", slack.MsgOptionText("x", false)); err != nil {
			t.Errorf("PostMessage after the bot joined: %v", err)
		}
	})
}

func TestEphemeralUpdateDeletePermalink(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1"})
	srv.AddUser(slacktest.User{ID: "U2"})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")
	ctx := testContext(t)
	api := newAPI(srv)

	ts, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("only you", false))
	if err != nil {
		t.Fatalf("PostEphemeral: %v", err)
	}
	if got := srv.Messages("C1"); len(got) != 1 || !got[0].Ephemeral || got[0].User != "U1" || got[0].TS != ts {
		t.Errorf("Messages(C1) = %+v, want one ephemeral message for U1 at %s", got, ts)
	}
	_, err = api.PostEphemeralContext(ctx, "C1", "U2", slack.MsgOptionText("x", false))
	if got := slackErr(err); got != "user_not_in_channel" {
		t.Errorf("PostEphemeral to a non-member: err = %v, want user_not_in_channel", err)
	}

	_, ts, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("v1", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("v2", false)); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	if got := srv.Messages("C1"); got[1].Text != "v2" || got[1].TS != ts {
		t.Errorf("after update Messages(C1)[1] = %+v, want text v2 at %s", got[1], ts)
	}
	_, _, _, err = api.UpdateMessageContext(ctx, "C1", "1.000000", slack.MsgOptionText("x", false))
	if got := slackErr(err); got != "message_not_found" {
		t.Errorf("UpdateMessage of an unknown ts: err = %v, want message_not_found", err)
	}
	_, _, _, err = api.UpdateMessageContext(ctx, "U1", ts, slack.MsgOptionText("x", false))
	if got := slackErr(err); got != "channel_not_found" {
		t.Errorf("UpdateMessage with a user ID as channel: err = %v, want channel_not_found", err)
	}

	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: "C1", Ts: ts})
	if err != nil {
		t.Fatalf("GetPermalink: %v", err)
	}
	if want := "https://fake.slack/archives/C1/p" + strings.Replace(ts, ".", "", 1); link != want {
		t.Errorf("GetPermalink = %q, want %q", link, want)
	}

	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if got := srv.Messages("C1"); len(got) != 1 {
		t.Errorf("after delete Messages(C1) = %+v, want only the ephemeral one", got)
	}
}

func TestGetUserInfo(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{
		ID: "U1", Name: "alice", RealName: "Alice A", TZ: "America/New_York",
		IsAdmin: true, IsRestricted: true, StatusText: "On holiday", StatusEmoji: ":palm_tree:",
	})
	srv.AddUser(slacktest.User{ID: "U2", Name: "bob", Deleted: true, IsBot: true, IsOwner: true, IsStranger: true, TeamID: "TOTHER"})
	ctx := testContext(t)
	api := newAPI(srv)

	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil {
		t.Fatalf("GetUserInfo(U1): %v", err)
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	_, wantOffset := time.Now().In(loc).Zone()
	if u.TZ != "America/New_York" || u.TZOffset != wantOffset {
		t.Errorf("GetUserInfo(U1) tz = %q %d, want America/New_York %d", u.TZ, u.TZOffset, wantOffset)
	}
	if !u.IsAdmin || !u.IsRestricted || u.IsOwner || u.Deleted || u.IsBot {
		t.Errorf("GetUserInfo(U1) flags = admin %v restricted %v owner %v deleted %v bot %v, want admin and restricted only",
			u.IsAdmin, u.IsRestricted, u.IsOwner, u.Deleted, u.IsBot)
	}
	if u.Name != "alice" || u.RealName != "Alice A" || u.Profile.StatusText != "On holiday" || u.Profile.StatusEmoji != ":palm_tree:" {
		t.Errorf("GetUserInfo(U1) = name %q real %q status %q %q", u.Name, u.RealName, u.Profile.StatusText, u.Profile.StatusEmoji)
	}
	if u.TeamID != "T0001" {
		t.Errorf("GetUserInfo(U1) team = %q, want the default T0001", u.TeamID)
	}

	u, err = api.GetUserInfoContext(ctx, "U2")
	if err != nil {
		t.Fatalf("GetUserInfo(U2): %v", err)
	}
	if !u.Deleted || !u.IsBot || !u.IsOwner || !u.IsStranger || u.TZ != "UTC" || u.TZOffset != 0 || u.TeamID != "TOTHER" {
		t.Errorf("GetUserInfo(U2) = %+v, want deleted bot owner stranger in UTC from TOTHER", u)
	}

	_, err = api.GetUserInfoContext(ctx, "U404")
	if got := slackErr(err); got != "user_not_found" {
		t.Errorf("GetUserInfo(U404) err = %v, want user_not_found", err)
	}
}

func TestTZOffsetFollowsClock(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	srv := newServer(t, slacktest.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	srv.AddUser(slacktest.User{ID: "U1", TZ: "Europe/Paris"})
	ctx := testContext(t)
	api := newAPI(srv)

	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), 3600},
		{time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC), 7200},
	} {
		mu.Lock()
		now = tc.at
		mu.Unlock()
		u, err := api.GetUserInfoContext(ctx, "U1")
		if err != nil {
			t.Fatal(err)
		}
		if u.TZOffset != tc.want {
			t.Errorf("tz_offset of Europe/Paris at %v = %d, want %d", tc.at, u.TZOffset, tc.want)
		}
	}
}

func TestUsersListAndGroups(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	want := []string{"UBOT"}
	for i := range 5 {
		id := fmt.Sprintf("U%d", i)
		srv.AddUser(slacktest.User{ID: id})
		want = append(want, id)
	}
	srv.AddUserGroup("S1", "U1", "U3")
	ctx := testContext(t)
	api := newAPI(srv)

	users, err := api.GetUsersContext(ctx, slack.GetUsersOptionLimit(2))
	if err != nil {
		t.Fatalf("GetUsers: %v", err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("GetUsers(limit 2) = %v, want %v", got, want)
	}
	if n := len(srv.CallsTo("users.list")); n != 3 {
		t.Errorf("users.list called %d times, want 3 pages", n)
	}

	members, err := api.GetUserGroupMembersContext(ctx, "S1")
	if err != nil || !slices.Equal(members, []string{"U1", "U3"}) {
		t.Errorf("GetUserGroupMembers(S1) = %v, %v, want [U1 U3]", members, err)
	}
	_, err = api.GetUserGroupMembersContext(ctx, "S404")
	if got := slackErr(err); got != "no_such_subteam" {
		t.Errorf("GetUserGroupMembers(S404) err = %v, want no_such_subteam", err)
	}
}

// Ensure usergroups.list resolves handles and leaves out disabled groups,
// team.profile.get and users.profile.get answer custom profile fields, and
// a revoked scope is missing_scope.
func TestUserGroupsAndProfileFields(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddUser(slacktest.User{ID: "U1", Fields: map[string]string{"Xf01": "Design"}})
	srv.AddUser(slacktest.User{ID: "U2"})
	srv.SetUserGroup(slacktest.UserGroup{ID: "S1", Handle: "design", Name: "Design Team", Members: []string{"U1"}})
	srv.SetUserGroup(slacktest.UserGroup{ID: "S2", Handle: "old", Disabled: true, Members: []string{"U2"}})
	srv.AddProfileField(slacktest.ProfileField{ID: "Xf01", Label: "Team"})
	ctx := testContext(t)
	api := newAPI(srv)

	groups, err := api.GetUserGroupsContext(ctx)
	if err != nil || len(groups) != 1 || groups[0].ID != "S1" || groups[0].Handle != "design" || groups[0].Name != "Design Team" {
		t.Errorf("GetUserGroups = %+v, %v, want S1 @design only", groups, err)
	}
	if groups, _ := api.GetUserGroupsContext(ctx, slack.GetUserGroupsOptionIncludeDisabled(true)); len(groups) != 2 {
		t.Errorf("GetUserGroups(include_disabled) = %d groups, want 2", len(groups))
	}
	if _, err := api.GetUserGroupMembersContext(ctx, "S2"); slackErr(err) != "no_such_subteam" {
		t.Errorf("GetUserGroupMembers(disabled S2) err = %v, want no_such_subteam", err)
	}
	tp, err := api.GetTeamProfileContext(ctx)
	if err != nil || len(tp.Fields) != 1 || tp.Fields[0].ID != "Xf01" || tp.Fields[0].Label != "Team" {
		t.Errorf("GetTeamProfile = %+v, %v, want Xf01 Team", tp, err)
	}
	p, err := api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: "U1"})
	if err != nil || p.FieldsMap()["Xf01"].Value != "Design" {
		t.Errorf("GetUserProfile(U1) = %+v, %v, want Xf01 Design", p, err)
	}
	if p, err := api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: "U2"}); err != nil || p.Fields.Len() != 0 {
		t.Errorf("GetUserProfile(U2) = %+v, %v, want no fields", p, err)
	}
	if _, err := api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: "U404"}); slackErr(err) != "user_not_found" {
		t.Errorf("GetUserProfile(U404) err = %v, want user_not_found", err)
	}
	srv.RevokeScope("usergroups:read")
	if _, err := api.GetUserGroupsContext(ctx); slackErr(err) != "missing_scope" {
		t.Errorf("GetUserGroups without usergroups:read err = %v, want missing_scope", err)
	}
}

func TestConversationsOpen(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	for i := range 10 {
		srv.AddUser(slacktest.User{ID: fmt.Sprintf("U%d", i)})
	}
	srv.AddUser(slacktest.User{ID: "UGONE", Deleted: true})
	ctx := testContext(t)
	api := newAPI(srv)
	open := func(users ...string) (*slack.Channel, bool, error) {
		ch, _, already, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: users})
		return ch, already, err
	}

	ch1, already, err := open("U1", "U2", "U3")
	if err != nil {
		t.Fatalf("OpenConversation(U1,U2,U3): %v", err)
	}
	if !strings.HasPrefix(ch1.ID, "G") || !ch1.IsMpIM || already {
		t.Errorf("OpenConversation(U1,U2,U3) = %q mpim %v already %v, want a new G… MPIM", ch1.ID, ch1.IsMpIM, already)
	}
	ch2, already, err := open("U3", "U1", "U2")
	if err != nil {
		t.Fatal(err)
	}
	if ch2.ID != ch1.ID || !already {
		t.Errorf("reopening the same set = %q already %v, want %q already open", ch2.ID, already, ch1.ID)
	}
	ch3, _, err := open("U1", "U2")
	if err != nil || ch3.ID == ch1.ID {
		t.Errorf("OpenConversation(U1,U2) = %v, %v, want a different MPIM", ch3, err)
	}

	dm, _, err := open("U4")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dm.ID, "D") || !dm.IsIM || dm.ID != srv.DMChannel("U4") {
		t.Errorf("OpenConversation(U4) = %q im %v, want DM %q", dm.ID, dm.IsIM, srv.DMChannel("U4"))
	}

	members, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: ch1.ID})
	slices.Sort(members)
	if err != nil || !slices.Equal(members, []string{"U1", "U2", "U3", "UBOT"}) {
		t.Errorf("members of the MPIM = %v, %v, want U1 U2 U3 UBOT", members, err)
	}

	for _, tc := range []struct {
		name  string
		users []string
		want  string
	}{
		{"user_disabled", []string{"U1", "UGONE"}, "user_disabled"},
		{"user_not_found", []string{"U1", "U404"}, "user_not_found"},
		{"too_many_users", []string{"U0", "U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"}, "too_many_users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := open(tc.users...)
			if got := slackErr(err); got != tc.want {
				t.Errorf("OpenConversation(%v) err = %v, want %s", tc.users, err, tc.want)
			}
		})
	}
	if _, _, err := open("U0", "U1", "U2", "U3", "U4", "U5", "U6", "U7"); err != nil {
		t.Errorf("OpenConversation with 8 users: %v, want success", err)
	}
}

func TestConversationsMembersPagination(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	var want []string
	for i := range 450 {
		want = append(want, fmt.Sprintf("U%04d", i))
	}
	srv.AddChannel("C1", "big", false, want...)
	ctx := testContext(t)
	api := newAPI(srv)

	var got []string
	pages := 0
	cursor := ""
	for {
		ids, next, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{
			ChannelID: "C1", Cursor: cursor, Limit: 200})
		if err != nil {
			t.Fatalf("GetUsersInConversation page %d: %v", pages, err)
		}
		pages++
		got = append(got, ids...)
		if len(ids) > 200 {
			t.Errorf("page %d has %d members, want at most 200", pages, len(ids))
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if pages != 3 || !slices.Equal(got, want) {
		t.Errorf("paginated members: %d pages, %d members, want 3 pages and all 450 in order", pages, len(got))
	}

	_, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "C1", Cursor: "bogus"})
	if got := slackErr(err); got != "invalid_cursor" {
		t.Errorf("bad cursor: err = %v, want invalid_cursor", err)
	}
}

func TestConversationsInfo(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false, "U1", "UBOT")
	srv.AddChannel("C2", "secret", true, "U1", "UBOT")
	ctx := testContext(t)
	api := newAPI(srv)

	for _, tc := range []struct {
		id      string
		name    string
		private bool
	}{{"C1", "general", false}, {"C2", "secret", true}} {
		ch, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: tc.id, IncludeNumMembers: true})
		if err != nil {
			t.Fatalf("GetConversationInfo(%s): %v", tc.id, err)
		}
		if ch.Name != tc.name || ch.IsPrivate != tc.private || !ch.IsChannel || !ch.IsMember || ch.NumMembers != 2 {
			t.Errorf("GetConversationInfo(%s) = name %q private %v channel %v member %v num %d", tc.id,
				ch.Name, ch.IsPrivate, ch.IsChannel, ch.IsMember, ch.NumMembers)
		}
	}
	_, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C404"})
	if got := slackErr(err); got != "channel_not_found" {
		t.Errorf("GetConversationInfo(C404) err = %v, want channel_not_found", err)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false)
	ctx := testContext(t)
	api := newAPI(srv)
	post := func() error {
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
		return err
	}

	t.Run("RateLimited", func(t *testing.T) {
		srv.InjectFaults("chat.postMessage", slacktest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7})
		err := post()
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
			t.Fatalf("PostMessage under a 429 fault: err = %v, want *slack.RateLimitedError after 7s", err)
		}
	})
	t.Run("OkFalse", func(t *testing.T) {
		srv.InjectFaults("chat.postMessage", slacktest.Fault{Error: "channel_not_found"})
		if got := slackErr(post()); got != "channel_not_found" {
			t.Fatalf("PostMessage under an ok:false fault: err code %q, want channel_not_found", got)
		}
	})
	t.Run("ServerError", func(t *testing.T) {
		srv.InjectFaults("chat.postMessage", slacktest.Fault{Status: http.StatusServiceUnavailable})
		var sc slack.StatusCodeError
		if err := post(); !errors.As(err, &sc) || sc.Code != http.StatusServiceUnavailable {
			t.Fatalf("PostMessage under a 503 fault: err = %v, want StatusCodeError 503", err)
		}
	})
	if n := len(srv.CallsTo("chat.postMessage")); n != 3 {
		t.Errorf("faulted calls recorded = %d, want 3", n)
	}
	if msgs := srv.Messages("C1"); len(msgs) != 0 {
		t.Errorf("faulted calls stored messages: %+v", msgs)
	}
	if err := post(); err != nil {
		t.Fatalf("PostMessage after the faults: %v, want normal service", err)
	}
	if msgs := srv.Messages("C1"); len(msgs) != 1 {
		t.Errorf("Messages(C1) after recovery = %d, want 1", len(msgs))
	}
}

func TestFaultHangAndDelay(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false)
	api := newAPI(srv)

	t.Run("Hang", func(t *testing.T) {
		srv.InjectFaults("chat.postMessage", slacktest.Fault{Hang: true})
		ctx, cancel := context.WithCancel(testContext(t))
		errc := make(chan error, 1)
		go func() {
			_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
			errc <- err
		}()
		if _, err := srv.WaitForCall(testContext(t), "chat.postMessage", nil); err != nil {
			t.Fatal(err)
		}
		cancel() // the client gives up
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("hung PostMessage err = %v, want context.Canceled", err)
		}
	})
	if got := srv.Messages("C1"); len(got) != 0 {
		t.Errorf("hung call stored messages: %+v", got)
	}
	t.Run("Delay", func(t *testing.T) {
		ctx := testContext(t)
		srv.InjectFaults("chat.postMessage",
			slacktest.Fault{Delay: 20 * time.Millisecond, Error: "fatal_error"},
			slacktest.Fault{Delay: 20 * time.Millisecond})
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("slow", false))
		if got := slackErr(err); got != "fatal_error" {
			t.Errorf("delayed failure: err = %v, want fatal_error", err)
		}
		if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("slow", false)); err != nil {
			t.Errorf("delay-only fault: err = %v, want normal service", err)
		}
		if got := srv.Messages("C1"); len(got) != 1 {
			t.Errorf("Messages(C1) = %+v, want only the delayed success", got)
		}
	})
}

func TestUnknownMethod(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	ctx := testContext(t)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.APIURL()+"nope.nothing",
		strings.NewReader("token=xoxb-test&a=1"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"unknown_method"`) {
		t.Errorf("unknown method answered %d %s, want 200 unknown_method", resp.StatusCode, body)
	}
	call, err := srv.WaitForCall(ctx, "nope.nothing", nil)
	if err != nil {
		t.Fatal(err)
	}
	if call.Params["a"] != "1" || call.Token != "xoxb-test" {
		t.Errorf("recorded call = %+v, want param a=1 and the token", call)
	}
}

func TestWaitForCall(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false)
	ctx := testContext(t)
	api := newAPI(srv)
	post := func(text string) {
		if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText(text, false)); err != nil {
			t.Errorf("PostMessage(%q): %v", text, err)
		}
	}
	isText := func(text string) func(slacktest.Call) bool {
		return func(c slacktest.Call) bool { return c.Params["text"] == text }
	}

	post("before")
	if _, err := srv.WaitForCall(ctx, "chat.postMessage", isText("before")); err != nil {
		t.Errorf("WaitForCall for a past call: %v", err)
	}

	type result struct {
		calls []slacktest.Call
		err   error
	}
	done := make(chan result, 1)
	go func() {
		calls, err := srv.WaitForCalls(ctx, "chat.postMessage", 2, isText("later"))
		done <- result{calls, err}
	}()
	post("later")
	post("other")
	post("later")
	r := <-done
	if r.err != nil || len(r.calls) != 2 {
		t.Errorf("WaitForCalls(2) = %d calls, %v, want 2", len(r.calls), r.err)
	}

	short, cancel := context.WithCancel(ctx)
	cancel()
	_, err := srv.WaitForCall(short, "chat.delete", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WaitForCall with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestUploadFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false)
	ctx := testContext(t)

	summary, err := newAPI(srv).UploadFileContext(ctx, slack.UploadFileParameters{
		Channel: "C1", Filename: "export.json", Title: "Export", Content: `{"kudos":3}`, FileSize: 11,
		InitialComment: "here you go",
	})
	if err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	files := srv.Files()
	if len(files) != 1 {
		t.Fatalf("Files() = %d files, want 1", len(files))
	}
	f := files[0]
	if f.ID != summary.ID || f.Name != "export.json" || f.Title != "Export" || string(f.Content) != `{"kudos":3}` || !f.Completed || f.Channel != "C1" {
		t.Errorf("uploaded file = %+v (content %q), want export.json in C1 with the content", f, f.Content)
	}
	msgs := srv.Messages("C1")
	if len(msgs) != 1 || msgs[0].Text != "here you go" || !slices.Equal(msgs[0].Files, []string{f.ID}) {
		t.Errorf("Messages(C1) = %+v, want the file share", msgs)
	}
	for _, m := range []string{"files.getUploadURLExternal", "upload_url", "files.completeUploadExternal"} {
		if n := len(srv.CallsTo(m)); n != 1 {
			t.Errorf("calls to %s = %d, want 1", m, n)
		}
	}
}

// Ensure the fake keeps a file's alt text, and refuses one over Slack's
// 1,000 characters as Slack does, with nothing uploaded.
func TestUploadFileAltText(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false)
	ctx := testContext(t)
	api := newAPI(srv)
	upload := func(alt string) error {
		_, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
			Channel: "C1", Filename: "grid.png", Content: "png", FileSize: 3, AltTxt: alt,
		})
		return err
	}
	if err := upload("Heat map of new ties"); err != nil {
		t.Fatalf("UploadFile: %v", err)
	}
	if f := srv.Files(); len(f) != 1 || f[0].AltText != "Heat map of new ties" {
		t.Fatalf("Files() = %+v, want one with its alt text", f)
	}
	err := upload(strings.Repeat("é", 1001))
	if err == nil || !strings.Contains(err.Error(), "alt_txt_too_large") {
		t.Errorf("UploadFile with 1,001 characters of alt text: err = %v, want alt_txt_too_large", err)
	}
	if f := srv.Files(); len(f) != 1 {
		t.Errorf("Files() = %d files after the refused upload, want 1", len(f))
	}
	if err := upload(strings.Repeat("é", 1000)); err != nil {
		t.Errorf("UploadFile with 1,000 characters of alt text: %v", err)
	}
}

func TestViews(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := newServer(t, slacktest.Options{Now: clock})
	srv.AddUser(slacktest.User{ID: "U1"})
	ctx := testContext(t)
	api := newAPI(srv)
	blocks := slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "home", false, false), nil, nil)}}

	resp, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{
		UserID: "U1", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: blocks}})
	if err != nil {
		t.Fatalf("PublishView: %v", err)
	}
	if resp.ID == "" || resp.Hash == "" || len(resp.Blocks.BlockSet) != 1 {
		t.Errorf("PublishView = id %q hash %q blocks %d, want an id, a hash and the block", resp.ID, resp.Hash, len(resp.Blocks.BlockSet))
	}
	if !strings.Contains(string(srv.HomeView("U1")), `"home"`) {
		t.Errorf("HomeView(U1) = %s, want the published view", srv.HomeView("U1"))
	}
	stale := "1.stale"
	_, err = api.PublishViewContext(ctx, slack.PublishViewContextRequest{
		UserID: "U1", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}, Hash: &stale})
	if got := slackErr(err); got != "hash_conflict" {
		t.Errorf("PublishView with a stale hash: err = %v, want hash_conflict", err)
	}

	modal := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "kudos_modal",
		Title: slack.NewTextBlockObject(slack.PlainTextType, "Give kudos", false, false)}
	opened, err := api.OpenViewContext(ctx, "foreign.trigger.id", modal)
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	if opened.ID == "" || opened.CallbackID != "kudos_modal" {
		t.Errorf("OpenView = %+v, want an id and the callback", opened.View)
	}
	modal.CallbackID = "kudos_done"
	updated, err := api.UpdateViewContext(ctx, modal, "", opened.Hash, opened.ID)
	if err != nil {
		t.Fatalf("UpdateView: %v", err)
	}
	if updated.ID != opened.ID || updated.CallbackID != "kudos_done" || updated.Hash == opened.Hash {
		t.Errorf("UpdateView = id %q callback %q hash %q, want the same id, the new callback, a new hash", updated.ID, updated.CallbackID, updated.Hash)
	}
	_, err = api.UpdateViewContext(ctx, modal, "", "", "V404")
	if got := slackErr(err); got != "not_found" {
		t.Errorf("UpdateView(V404) err = %v, want not_found", err)
	}
	if _, err := api.PushViewContext(ctx, "foreign.trigger.id", modal); err != nil {
		t.Errorf("PushView: %v", err)
	}
}

func TestReactions(t *testing.T) {
	t.Parallel()
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false)
	ctx := testContext(t)
	api := newAPI(srv)
	item := slack.NewRefToMessage("C1", "1700000000.000100")

	if err := api.AddReactionContext(ctx, "tada", item); err != nil {
		t.Fatalf("AddReaction: %v", err)
	}
	if got := slackErr(api.AddReactionContext(ctx, "tada", item)); got != "already_reacted" {
		t.Errorf("second AddReaction err code = %q, want already_reacted", got)
	}
	if got := srv.Reactions("C1", "1700000000.000100"); !slices.Equal(got, []string{"tada"}) {
		t.Errorf("Reactions = %v, want [tada]", got)
	}
}

func TestCloseWithHungRequest(t *testing.T) {
	t.Parallel()
	srv := slacktest.New(slacktest.Options{})
	srv.InjectFaults("auth.test", slacktest.Fault{Hang: true})
	ctx := testContext(t)
	errc := make(chan error, 1)
	go func() {
		_, err := newAPI(srv).AuthTestContext(ctx)
		errc <- err
	}()
	if _, err := srv.WaitForCall(ctx, "auth.test", nil); err != nil {
		t.Fatal(err)
	}
	srv.Close() // must not wait for the hung request
	if err := <-errc; err == nil {
		t.Errorf("hung AuthTest returned no error after Close")
	}
	if _, err := srv.WaitForCall(ctx, "never", nil); !errors.Is(err, slacktest.ErrClosed) {
		t.Errorf("WaitForCall after Close: err = %v, want ErrClosed", err)
	}
}

// Ensure chat.postMessage and views.open refuse payloads over Block Kit
// limits as Slack does, explaining why in response_metadata.
func TestBlockKitLimitsRefused(t *testing.T) {
	srv := newServer(t, slacktest.Options{})
	srv.AddChannel("C1", "general", false, "U1")
	api := newAPI(srv)
	ctx := testContext(t)
	long := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("&lt;", 751), false, false), nil, nil)
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false), slack.MsgOptionBlocks(long))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "invalid_blocks" || len(se.ResponseMetadata.Messages) == 0 ||
		!strings.Contains(se.ResponseMetadata.Messages[0], "/blocks/0/text/text") {
		t.Errorf("post of a 3,004-character section = %v (%+v), want invalid_blocks naming /blocks/0/text/text", err, se.ResponseMetadata)
	}
	if n := len(srv.Messages("C1")); n != 0 {
		t.Errorf("messages after a refused post = %d, want 0", n)
	}
	_, err = api.OpenViewContext(ctx, "trigger", slack.ModalViewRequest{Type: slack.VTModal,
		Title: slack.NewTextBlockObject(slack.PlainTextType, "A title that is far too long", false, false)})
	if got := slackErr(err); got != "invalid_arguments" {
		t.Errorf("views.open with a 28-character title = %v, want invalid_arguments", err)
	}
}
