package bot

import (
	"context"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"sort"
	"testing"

	"go.yaml.in/yaml/v3"
)

// manifest is the part of manifest.yml the code must agree with.
type manifest struct {
	Features struct {
		AppHome struct {
			HomeTab     bool `yaml:"home_tab_enabled"`
			MessagesTab bool `yaml:"messages_tab_enabled"`
			ReadOnly    bool `yaml:"messages_tab_read_only_enabled"`
		} `yaml:"app_home"`
		SlashCommands []struct {
			Command      string `yaml:"command"`
			Description  string `yaml:"description"`
			UsageHint    string `yaml:"usage_hint"`
			ShouldEscape bool   `yaml:"should_escape"`
		} `yaml:"slash_commands"`
		Shortcuts []struct {
			Name       string `yaml:"name"`
			Type       string `yaml:"type"`
			CallbackID string `yaml:"callback_id"`
		} `yaml:"shortcuts"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		Events struct {
			Bot []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			Enabled bool `yaml:"is_enabled"`
		} `yaml:"interactivity"`
		SocketMode    bool `yaml:"socket_mode_enabled"`
		TokenRotation bool `yaml:"token_rotation_enabled"`
	} `yaml:"settings"`
}

// scopesByMethod maps each SlackAPI method to the bot scopes it needs (each
// Web API method's page on api.slack.com lists them). A new method on
// SlackAPI fails the test until its scopes are written here, and so
// declared in the manifest.
var scopesByMethod = map[string][]string{
	"AuthTestContext":               nil,
	"PostMessageContext":            {"chat:write"},
	"PostEphemeralContext":          {"chat:write"},
	"UpdateMessageContext":          {"chat:write"},
	"GetPermalinkContext":           nil,
	"GetUserInfoContext":            {"users:read"},
	"GetUserGroupMembersContext":    {"usergroups:read"},
	"GetUserGroupsContext":          {"usergroups:read"},
	"GetTeamProfileContext":         {"users.profile:read"},
	"GetUserProfileContext":         {"users.profile:read"},
	"OpenConversationContext":       {"im:write", "mpim:write"},
	"GetConversationHistoryContext": {"channels:history", "groups:history", "im:history", "mpim:history"},
	"PublishViewContext":            nil,
	"UploadFileContext":             {"files:write"},
	"GetUsersContext":               {"users:read"},
	"GetUsersInConversationContext": {"channels:read", "groups:read"},
	"GetConversationInfoContext":    {"channels:read", "groups:read"},
	"OpenViewContext":               nil,
}

// scopesByEvent maps each bot event to the scopes it needs.
var scopesByEvent = map[string][]string{
	"app_mention":             {"app_mentions:read"},
	"message.im":              {"im:history"},
	"app_home_opened":         nil,
	"member_joined_channel":   {"channels:read", "groups:read"},
	"member_left_channel":     {"channels:read", "groups:read"},
	"user_change":             {"users:read"},
	"subteam_members_changed": {"usergroups:read"},
	"subteam_updated":         {"usergroups:read"},
	"team_join":               {"users:read"},
	"reaction_added":          {"reactions:read"},
	"reaction_removed":        {"reactions:read"},
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	raw, err := os.ReadFile("../manifest.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.yml: %v", err)
	}
	return m
}

func testRouter(t *testing.T) *router {
	t.Helper()
	b, err := New(nil, nil, nil, Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return b.routes
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return slices.Compact(s)
}

// Ensure the manifest declares exactly the commands, events and shortcuts
// the code routes, and exactly the scopes the code needs.
func TestManifestMatchesRoutes(t *testing.T) {
	m := readManifest(t)
	r := testRouter(t)

	var commands []string
	for _, c := range m.Features.SlashCommands {
		commands = append(commands, c.Command)
		if !c.ShouldEscape {
			t.Errorf("manifest: %s has should_escape false; mentions would arrive as names, not IDs", c.Command)
		}
		if c.Description == "" || c.UsageHint == "" {
			t.Errorf("manifest: %s needs a description and a usage_hint", c.Command)
		}
	}
	if got, want := sorted(commands), r.ids(commandRoute); !slices.Equal(got, want) {
		t.Errorf("manifest commands = %v, routes = %v", got, want)
	}
	b, err := New(nil, nil, nil, Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Commands(), sorted(commands); !slices.Equal(got, want) {
		t.Errorf("Bot.Commands() = %v, manifest commands = %v", got, want)
	}
	if got, want := sorted(m.Settings.Events.Bot), r.ids(eventRoute); !slices.Equal(got, want) {
		t.Errorf("manifest bot_events = %v, routes = %v", got, want)
	}
	var shortcuts []string
	for _, s := range m.Features.Shortcuts {
		shortcuts = append(shortcuts, s.CallbackID)
	}
	if got, want := sorted(shortcuts), r.ids(shortcutRoute); !slices.Equal(got, want) {
		t.Errorf("manifest shortcuts = %v, routes = %v", got, want)
	}

	need := []string{"commands"} // slash commands and shortcuts
	api := reflect.TypeFor[SlackAPI]()
	for i := range api.NumMethod() {
		name := api.Method(i).Name
		scopes, ok := scopesByMethod[name]
		if !ok {
			t.Errorf("SlackAPI.%s has no entry in scopesByMethod: say which scope it needs", name)
		}
		need = append(need, scopes...)
	}
	for _, ev := range m.Settings.Events.Bot {
		scopes, ok := scopesByEvent[ev]
		if !ok {
			t.Errorf("event %s has no entry in scopesByEvent", ev)
		}
		need = append(need, scopes...)
	}
	if got, want := sorted(m.OAuth.Scopes.Bot), sorted(need); !slices.Equal(got, want) {
		t.Errorf("manifest scopes = %v, the code needs exactly %v", got, want)
	}

	if !m.Settings.SocketMode {
		t.Error("manifest: socket_mode_enabled must be true (Rapport has no public endpoint)")
	}
	if m.Settings.TokenRotation {
		t.Error("manifest: token_rotation_enabled must be false (no refresh flow)")
	}
	interactive := len(r.ids(actionRoute))+len(r.ids(viewRoute))+len(r.ids(shortcutRoute)) > 0
	if interactive && !m.Settings.Interactivity.Enabled {
		t.Error("manifest: routes take interactions but interactivity is off")
	}
	if m.Features.AppHome.ReadOnly {
		t.Error("manifest: the messages tab must not be read-only, or DMs to the bot never arrive")
	}
	if got := len(r.ids(eventRoute)) > 0 && slices.Contains(r.ids(eventRoute), "app_home_opened"); got != m.Features.AppHome.HomeTab {
		t.Errorf("manifest: home_tab_enabled = %v, but app_home_opened routed = %v", m.Features.AppHome.HomeTab, got)
	}
}

// Ensure a malformed route table stops the bot at start.
func TestRouteTableErrors(t *testing.T) {
	noop := func(ctx context.Context, cmd slashCommand) error { return nil }
	tests := []struct {
		name  string
		table []route
	}{
		{"EmptyID", []route{{kind: commandRoute, command: noop}}},
		{"Duplicate", []route{{kind: commandRoute, id: "/x", command: noop}, {kind: commandRoute, id: "/x", command: noop}}},
		{"NoHandler", []route{{kind: eventRoute, id: "app_mention"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newRouter(tt.table); err == nil {
				t.Errorf("newRouter(%s) = nil error, want an error", tt.name)
			}
		})
	}
	// The same id under two kinds is fine: a command and an event never clash.
	if _, err := newRouter([]route{{kind: commandRoute, id: "x", command: noop}, {kind: eventRoute, id: "x", event: func(context.Context, event) error { return nil }}}); err != nil {
		t.Errorf("same id, different kinds: %v", err)
	}
}
