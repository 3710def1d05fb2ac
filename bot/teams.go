package bot

// Teams: which team each person is in, as the workspace defines teams.
// Coffee pairing prefers groups that cross teams, and people see their team
// on the Home and in /coffee status. Teams come from Slack user groups
// (RAPPORT_TEAMS) or from a custom profile field (RAPPORT_TEAM_FIELD), and
// are kept on each person's record (store.Person.Teams), refreshed at start,
// by the teams job and, for user groups, at once when a group changes
// (subteam_members_changed, subteam_updated).

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// TeamOptions say where people's teams come from. Both empty: nobody has
// a team, and pairing ignores teams. At most one is set (the configuration
// refuses both).
type TeamOptions struct {
	// Groups are Slack user groups, each by handle ("design" or
	// "@design") or ID ("S0123ABC"): a member of a group is in the team
	// named after its handle; someone in two groups is in both teams.
	Groups []string
	// Field is a custom profile field, by label ("Team", any case) or ID
	// ("Xf0123ABC"): its value is the person's team.
	Field string
}

// teamsOn reports whether teams come from anywhere.
func (o TeamOptions) teamsOn() bool { return len(o.Groups) > 0 || o.Field != "" }

// source says, for people, where their team comes from.
func (o TeamOptions) source() string {
	if len(o.Groups) > 0 {
		return "Slack user groups your admins chose"
	}
	return "a field of your Slack profile your admins chose"
}

// teamState is what the team refresh keeps between calls.
type teamState struct {
	mu sync.Mutex // one refresh at a time
	// groups maps the ID of each configured user group Slack has to its
	// handle, the team's name; nil until the first refresh resolved them.
	groups map[string]string
	// warned holds the configured names already warned about, so an
	// hourly refresh does not repeat a warning every hour.
	warned map[string]bool

	// known is everyone's teams as the last refresh and the group events
	// since read them (user ID → teams), so a person Rapport meets for
	// the first time gets a record with their team at once
	// (knownTeams). Guarded by knownMu, not mu: a refresh holds mu while
	// it waits for Slack.
	knownMu sync.Mutex
	known   map[string][]string
}

// knownTeams is the person's teams as last read from Slack, for a new
// record; nil when unknown.
func (b *Bot) knownTeams(id string) []string {
	b.teams.knownMu.Lock()
	defer b.teams.knownMu.Unlock()
	return slices.Clone(b.teams.known[id])
}

// setKnownTeams records what a refresh read: all teams (scope nil), or
// the membership of the teams in scope.
func (b *Bot) setKnownTeams(teams map[string][]string, scope []string) {
	b.teams.knownMu.Lock()
	defer b.teams.knownMu.Unlock()
	if scope == nil || b.teams.known == nil {
		b.teams.known = teams
		return
	}
	for id, ts := range b.teams.known {
		b.teams.known[id] = slices.DeleteFunc(slices.Clone(ts), func(t string) bool { return slices.Contains(scope, t) })
	}
	for id, ts := range teams {
		b.teams.known[id] = append(b.teams.known[id], ts...)
	}
}

// RefreshTeams reads everyone's team from Slack and writes the changes to
// the people Rapport keeps a record of (the teams job, and the start).
// People in no configured group, or with the profile field empty, get no
// team. A configured group or field Slack does not have is a warning in
// the log, once, not an error: the other teams still work.
func (b *Bot) RefreshTeams(ctx context.Context, _ time.Time) error {
	switch {
	case len(b.opts.Teams.Groups) > 0:
		return b.refreshGroupTeams(ctx)
	case b.opts.Teams.Field != "":
		return b.refreshFieldTeams(ctx)
	}
	return nil
}

// refreshGroupTeams resolves the configured user groups with
// usergroups.list (one call) and reads each one's members with
// usergroups.users.list (one call per group).
func (b *Bot) refreshGroupTeams(ctx context.Context) error {
	b.teams.mu.Lock()
	defer b.teams.mu.Unlock()
	var all []slack.UserGroup
	err := b.send.call(ctx, "usergroups.list", func(ctx context.Context) error {
		var err error
		all, err = b.api.GetUserGroupsContext(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("bot: teams: list user groups: %w", err)
	}
	resolved := map[string]string{}
	for _, name := range b.opts.Teams.Groups {
		g, ok := findGroup(all, name)
		if !ok {
			b.warnTeamOnce(name, "RAPPORT_TEAMS names a user group Slack does not have, or one that is disabled; its members get no team from it until it exists: check the handle (Slack's People → User groups) or use the group's ID",
				"group", name, "setting", "RAPPORT_TEAMS")
			continue
		}
		resolved[g.ID] = g.Handle
	}
	teams := map[string][]string{}
	for id, handle := range resolved {
		members, err := b.groupMembers(ctx, id)
		if err != nil {
			return err
		}
		for _, u := range members {
			teams[u] = append(teams[u], handle)
		}
	}
	n, err := b.store.SetTeams(teams, nil)
	if err != nil {
		return fmt.Errorf("bot: teams: %w", err)
	}
	b.teams.groups = resolved
	b.setKnownTeams(teams, nil)
	b.log.Info("teams refreshed", "source", "user groups", "groups", len(resolved), "changed", n)
	return nil
}

// findGroup finds the group a RAPPORT_TEAMS entry names: by ID, or by
// handle with or without "@", in any case.
func findGroup(all []slack.UserGroup, name string) (slack.UserGroup, bool) {
	handle := strings.TrimPrefix(name, "@")
	for _, g := range all {
		if g.ID == name || (g.Handle != "" && strings.EqualFold(g.Handle, handle)) {
			return g, g.DateDelete == 0
		}
	}
	return slack.UserGroup{}, false
}

// groupMembers is the user IDs in a user group.
func (b *Bot) groupMembers(ctx context.Context, id string) ([]string, error) {
	var members []string
	err := b.send.call(ctx, "usergroups.users.list", func(ctx context.Context) error {
		var err error
		members, err = b.api.GetUserGroupMembersContext(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bot: teams: members of user group %s: %w", id, err)
	}
	return members, nil
}

// onSubteamMembersChanged refreshes the team of a configured user group
// whose members changed, so someone added or removed is in or out of the
// team at once rather than at the next refresh. The event lists only the
// change; the group's members are read again, which stays right when
// events arrive out of order or twice.
func (b *Bot) onSubteamMembersChanged(ctx context.Context, ev event) error {
	e, ok := ev.data.(*slackevents.SubteamMembersChangedEvent)
	if !ok || len(b.opts.Teams.Groups) == 0 {
		return nil
	}
	b.teams.mu.Lock()
	handle, tracked := b.teams.groups[e.SubteamID]
	resolved := b.teams.groups != nil
	b.teams.mu.Unlock()
	switch {
	case !resolved:
		// No refresh has resolved the groups yet (one may be under
		// way in another process): resolve them all now.
		return b.refreshGroupTeams(ctx)
	case !tracked:
		return nil // not a team
	}
	members, err := b.groupMembers(ctx, e.SubteamID)
	if err != nil {
		return err
	}
	teams := map[string][]string{}
	for _, u := range members {
		teams[u] = []string{handle}
	}
	b.teams.mu.Lock()
	defer b.teams.mu.Unlock()
	if _, err := b.store.SetTeams(teams, []string{handle}); err != nil {
		return fmt.Errorf("bot: teams: subteam_members_changed %s: %w", e.SubteamID, err)
	}
	b.setKnownTeams(teams, []string{handle})
	return nil
}

// onSubteamUpdated refreshes the teams when a configured user group was
// renamed, disabled or enabled again, or another group took a configured
// handle: the team is named after the handle, so a new handle renames the
// team. Every group is read again (one call, and one per group), which is
// rare enough to keep simple.
func (b *Bot) onSubteamUpdated(ctx context.Context, ev event) error {
	e, ok := ev.data.(*slackevents.SubteamUpdatedEvent)
	if !ok || len(b.opts.Teams.Groups) == 0 {
		return nil
	}
	b.teams.mu.Lock()
	_, tracked := b.teams.groups[e.Subteam.ID]
	b.teams.mu.Unlock()
	named := false
	for _, name := range b.opts.Teams.Groups {
		if _, ok := findGroup([]slack.UserGroup{{ID: e.Subteam.ID, Handle: e.Subteam.Handle}}, name); ok {
			named = true
		}
	}
	if !tracked && !named {
		return nil
	}
	return b.refreshGroupTeams(ctx)
}

// refreshFieldTeams finds the configured profile field with
// team.profile.get, then reads each known person's value with
// users.profile.get: custom fields are not in users.list or users.info,
// and include_labels would be rate-limited hard, so the label is resolved
// once. One call per person (Tier 4, 100+ a minute).
func (b *Bot) refreshFieldTeams(ctx context.Context) error {
	b.teams.mu.Lock()
	defer b.teams.mu.Unlock()
	var profile *slack.TeamProfile
	err := b.send.call(ctx, "team.profile.get", func(ctx context.Context) error {
		var err error
		profile, err = b.api.GetTeamProfileContext(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("bot: teams: read the workspace's profile fields: %w", err)
	}
	want := b.opts.Teams.Field
	var field string
	for _, f := range profile.Fields {
		if f.ID == want || strings.EqualFold(f.Label, want) {
			field = f.ID
			break
		}
	}
	teams := map[string][]string{}
	if field == "" {
		b.warnTeamOnce(want, "RAPPORT_TEAM_FIELD names a profile field Slack does not have; nobody has a team until it exists: check the field's label (Slack's admin settings → Profile) or use its ID",
			"field", want, "setting", "RAPPORT_TEAM_FIELD")
	} else {
		ids, err := b.store.PersonIDs()
		if err != nil {
			return fmt.Errorf("bot: teams: %w", err)
		}
		for _, id := range ids {
			var p *slack.UserProfile
			err := b.send.call(ctx, "users.profile.get", func(ctx context.Context) error {
				var err error
				p, err = b.api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: id})
				return err
			})
			if slackErrorCode(err) == "user_not_found" {
				continue // gone from the workspace: no team
			}
			if err != nil {
				// Write nothing rather than take teams away from the
				// people not read yet.
				return fmt.Errorf("bot: teams: profile of %s: %w", id, err)
			}
			if v := strings.TrimSpace(p.FieldsMap()[field].Value); v != "" {
				teams[id] = []string{v}
			}
		}
	}
	n, err := b.store.SetTeams(teams, nil)
	if err != nil {
		return fmt.Errorf("bot: teams: %w", err)
	}
	b.setKnownTeams(teams, nil)
	b.log.Info("teams refreshed", "source", "profile field", "field", field, "changed", n)
	return nil
}

// warnTeamOnce logs a warning about a configured team source once per
// process.
func (b *Bot) warnTeamOnce(name, msg string, args ...any) {
	if b.teams.warned == nil {
		b.teams.warned = map[string]bool{}
	}
	if b.teams.warned[name] {
		return
	}
	b.teams.warned[name] = true
	b.log.Warn(msg, args...)
}

// teamLine is what a person reads about their team: "Your team: design",
// or that Rapport has them in none and where teams come from; "" when
// teams are not set up. Team names can be profile text, so they are
// escaped.
func teamLine(teams []string, o TeamOptions) string {
	if !o.teamsOn() {
		return ""
	}
	if len(teams) == 0 {
		return "Rapport doesn't have you in a team. Teams come from " + o.source() + "."
	}
	names := make([]string, len(teams))
	for i, t := range teams {
		names[i] = escapeText(t)
	}
	label := "Your team"
	if len(teams) > 1 {
		label = "Your teams"
	}
	return label + ": " + strings.Join(names, ", ") + " (from " + o.source() + "). Coffee pairs you across teams when it can."
}
