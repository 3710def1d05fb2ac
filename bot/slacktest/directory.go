package slacktest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// User is a member of the fake team, as users.info and users.list report
// it.
type User struct {
	ID       string
	Name     string // handle; also the profile display_name
	RealName string
	// TZ is the IANA time zone, default "UTC". tz_offset and tz_label are
	// computed from it at the time of each request, so they follow DST.
	TZ string
	// Locale is what users.info returns with include_locale=true, default
	// "en-US" (Slack's own default).
	Locale string

	IsBot        bool
	Deleted      bool
	IsAdmin      bool
	IsOwner      bool
	IsRestricted bool // guest
	IsStranger   bool // external (Slack Connect) user

	StatusText  string
	StatusEmoji string
	TeamID      string // default: the server's TeamID

	// Fields beyond the minimum, for filtering tests.
	IsUltraRestricted bool // single-channel guest
	IsInvitedUser     bool
	Email             string
	// Fields are the user's custom profile field values, by field ID
	// ("Xf…"), as users.profile.get returns them; see AddProfileField.
	Fields map[string]string
}

// Message is a message the bot made visible in a channel, through
// chat.postMessage, chat.postEphemeral, a response_url, a slash-command ack
// payload or a shared file.
type Message struct {
	Channel string
	TS      string
	Text    string
	// Blocks is the blocks JSON array, nil when the message has none.
	Blocks json.RawMessage
	// Attachments is the legacy attachments JSON array, nil when none.
	Attachments json.RawMessage
	// User is the one user who sees an ephemeral message ("" otherwise).
	User      string
	Ephemeral bool
	ThreadTS  string
	// Files lists the IDs of files shared with the message.
	Files []string
	// Metadata is the message's metadata JSON ({"event_type",
	// "event_payload"}), nil when none; conversations.history returns it
	// with include_all_metadata.
	Metadata json.RawMessage
	// Author is the person who wrote the message (see Say); "" for the
	// bot's own messages.
	Author string
}

// File is a file uploaded through files.getUploadURLExternal, the upload
// URL and files.completeUploadExternal.
type File struct {
	ID             string
	Name           string
	Title          string
	AltText        string // alt_txt given to files.getUploadURLExternal: the description screen readers read
	Content        []byte
	Uploaded       bool // content received at the upload URL
	Completed      bool // files.completeUploadExternal succeeded
	Channel        string
	InitialComment string
	ThreadTS       string
}

type channelKind int

const (
	kindPublic channelKind = iota
	kindPrivate
	kindIM
	kindMPIM
)

type channel struct {
	id      string
	name    string
	kind    channelKind
	members []string // empty: unknown, no membership checks
	user    string   // the other party of an IM
	created int64
}

// hasMember reports whether u is a member; with an unknown member list
// everyone is.
func (c *channel) hasMember(u string) bool {
	return len(c.members) == 0 || slices.Contains(c.members, u)
}

// AddUser adds u to the team directory, replacing any user with the same ID
// (which keeps its place in users.list).
func (s *Server) AddUser(u User) {
	if u.TZ == "" {
		u.TZ = "UTC"
	}
	if u.TeamID == "" {
		u.TeamID = s.opts.TeamID
	}
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.ID]; !ok {
		s.userOrder = append(s.userOrder, u.ID)
	}
	s.users[u.ID] = u
	s.notifyLocked()
}

// AddChannel adds or replaces a public or private channel. members lists
// the channel's members (include the bot's user ID if the bot is in it); with
// no members, membership is unknown and not checked. A private channel whose
// members do not include the bot answers channel_not_found to the bot, as on
// Slack.
func (s *Server) AddChannel(id, name string, private bool, members ...string) {
	kind := kindPublic
	if private {
		kind = kindPrivate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = &channel{id: id, name: name, kind: kind, members: slices.Clone(members), created: s.now().Unix()}
	s.notifyLocked()
}

// UserGroup is a user group (a subteam, mentioned as @handle), as
// usergroups.list and usergroups.users.list report it.
type UserGroup struct {
	ID       string // "S…"
	Handle   string // what people type after @; default the ID in lower case
	Name     string // display name; default the handle
	Members  []string
	Disabled bool // usergroups.list leaves it out unless include_disabled
}

// AddUserGroup adds or replaces a user group (subteam) with just an ID and
// members, for usergroups.users.list.
func (s *Server) AddUserGroup(id string, members ...string) {
	s.SetUserGroup(UserGroup{ID: id, Members: members})
}

// SetUserGroup adds or replaces a user group, keeping its place in
// usergroups.list. No event is sent; ChangeUserGroup sends Slack's.
func (s *Server) SetUserGroup(g UserGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setUserGroupLocked(g)
}

func (s *Server) setUserGroupLocked(g UserGroup) *UserGroup {
	g.Handle = cmp.Or(g.Handle, strings.ToLower(g.ID))
	g.Name = cmp.Or(g.Name, g.Handle)
	g.Members = slices.Clone(g.Members)
	if _, ok := s.groups[g.ID]; !ok {
		s.groupOrder = append(s.groupOrder, g.ID)
	}
	s.groups[g.ID] = &g
	s.notifyLocked()
	return &g
}

// ChangeUserGroup replaces a user group, as an admin editing it in Slack
// does, and delivers the events Slack sends for the change: first
// subteam_members_changed with the members added and removed (when they
// changed), then subteam_updated with the whole group (Slack sends it for a
// new name or handle, a disabled group and new members alike). It returns
// the bot's acks, in that order.
func (s *Server) ChangeUserGroup(ctx context.Context, g UserGroup) ([]Ack, error) {
	s.mu.Lock()
	var before []string
	if old := s.groups[g.ID]; old != nil {
		before = old.Members
	}
	ng := s.setUserGroupLocked(g)
	obj := s.userGroupJSON(ng, true)
	s.mu.Unlock()
	var added, removed []string
	for _, u := range ng.Members {
		if !slices.Contains(before, u) {
			added = append(added, u)
		}
	}
	for _, u := range before {
		if !slices.Contains(ng.Members, u) {
			removed = append(removed, u)
		}
	}
	var acks []Ack
	if len(added)+len(removed) > 0 {
		// Slack's own example writes the counts as strings, but the events
		// it sends carry numbers; slack-go decodes numbers.
		ack, err := s.Event(ctx, EventOptions{Event: reply{
			"type": "subteam_members_changed", "subteam_id": ng.ID, "team_id": s.opts.TeamID,
			"date_previous_update": s.now().Unix() - 60, "date_update": s.now().Unix(),
			"added_users": nonNil(added), "added_users_count": len(added),
			"removed_users": nonNil(removed), "removed_users_count": len(removed),
		}})
		if err != nil {
			return acks, err
		}
		acks = append(acks, ack)
	}
	ack, err := s.Event(ctx, EventOptions{Event: reply{"type": "subteam_updated", "subteam": obj}})
	if err != nil {
		return acks, err
	}
	return append(acks, ack), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// userGroupJSON renders g as Slack's usergroup object; users only when
// withUsers (usergroups.list's include_users), truncated at 500 as
// subteam_updated does.
func (s *Server) userGroupJSON(g *UserGroup, withUsers bool) reply {
	var deleted int64
	if g.Disabled {
		deleted = s.now().Unix()
	}
	r := reply{
		"id": g.ID, "team_id": s.opts.TeamID, "is_usergroup": true, "is_subteam": true,
		"name": g.Name, "description": "", "handle": g.Handle, "is_external": false,
		"date_create": 1492655498, "date_update": s.now().Unix(), "date_delete": deleted,
		"auto_type": nil, "created_by": "UADMIN", "updated_by": "UADMIN", "deleted_by": nil,
		"prefs": reply{"channels": []string{}, "groups": []string{}}, "user_count": len(g.Members),
	}
	if withUsers {
		r["users"] = slices.Clone(g.Members[:min(len(g.Members), 500)])
	}
	return r
}

// ProfileField is a custom profile field the workspace defines (Slack's
// team profile), answered by team.profile.get; each user's value is in
// User.Fields.
type ProfileField struct {
	ID    string // "Xf…"
	Label string // "Team"
	Type  string // default "text"; "options_list" for a pick list
}

// AddProfileField adds a custom profile field to the workspace's profile.
func (s *Server) AddProfileField(f ProfileField) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.Type = cmp.Or(f.Type, "text")
	s.fields = append(s.fields, f)
}

// RevokeScope takes a bot scope away, as an app installed without it
// would be: the Web API methods that need it answer missing_scope.
func (s *Server) RevokeScope(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noScopes[scope] = true
}

// DMChannel returns the ID of the bot's DM conversation with user: the ID
// conversations.open returns for that user, and where chat.postMessage to
// the user's ID lands. The ID is deterministic ("D" plus the user ID without
// its "U"), so it can be computed before the DM is opened.
func (s *Server) DMChannel(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.channels {
		if c.kind == kindIM && c.user == user {
			return c.id
		}
	}
	return dmID(user)
}

// Messages returns the messages currently visible in channel, in posting
// order (deleted ones are gone, updated ones show their latest content). A
// user ID ("U…") is taken to mean the bot's DM with that user.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneMessages(s.messages[s.canonicalLocked(channel)])
}

// WaitForMessage returns the first message in channel for which match
// returns true (match may be nil), waiting for one to be posted if needed.
func (s *Server) WaitForMessage(ctx context.Context, channel string, match func(Message) bool) (Message, error) {
	var got Message
	err := s.waitFor(ctx, func() bool {
		for _, m := range s.messages[s.canonicalLocked(channel)] {
			if match == nil || match(m) {
				got = cloneMessages([]Message{m})[0]
				return true
			}
		}
		return false
	})
	if err != nil {
		return Message{}, fmt.Errorf("slacktest: wait for message in %s (%d there): %w", channel, len(s.Messages(channel)), err)
	}
	return got, nil
}

// Files returns the uploaded files, in upload order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.fileOrder))
	for _, id := range s.fileOrder {
		f := *s.files[id]
		f.Content = append([]byte(nil), f.Content...)
		out = append(out, f)
	}
	return out
}

// HomeView returns the Home tab view last published for user, as views.publish
// answered it, or nil if none was published.
func (s *Server) HomeView(user string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.views[s.homeViews[user]]
	if v == nil {
		return nil
	}
	return v.json()
}

// View returns the view with the given ID (modal or home) in its latest
// state, or nil.
func (s *Server) View(id string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.views[id]
	if v == nil {
		return nil
	}
	return v.json()
}

// Reactions returns the reaction names the bot added to the message ts in
// channel.
func (s *Server) Reactions(channel, ts string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reactions[s.canonicalLocked(channel)+"/"+ts])
}

func cloneMessages(ms []Message) []Message {
	out := make([]Message, len(ms))
	for i, m := range ms {
		m.Blocks = slices.Clone(m.Blocks)
		m.Attachments = slices.Clone(m.Attachments)
		m.Files = slices.Clone(m.Files)
		out[i] = m
	}
	return out
}

// dmID is the deterministic DM channel ID for a user.
func dmID(user string) string {
	if rest, ok := strings.CutPrefix(user, "U"); ok && rest != "" {
		return "D" + rest
	}
	return "D" + user
}

// mpimID is the deterministic group DM ID for a member set.
func mpimID(members []string) string {
	sorted := slices.Clone(members)
	slices.Sort(sorted)
	sum := sha256.Sum256([]byte(strings.Join(sorted, ",")))
	return "G" + strings.ToUpper(hex.EncodeToString(sum[:5]))
}

// canonicalLocked maps a user ID to the bot's DM with them; other IDs are
// returned unchanged.
func (s *Server) canonicalLocked(id string) string {
	if _, ok := s.users[id]; ok {
		for _, c := range s.channels {
			if c.kind == kindIM && c.user == id {
				return c.id
			}
		}
		return dmID(id)
	}
	return id
}

// channelLocked finds a conversation, creating the bot's DM with a known
// user when id is that DM's ID.
func (s *Server) channelLocked(id string) *channel {
	if c := s.channels[id]; c != nil {
		return c
	}
	if uid, ok := s.dmUserLocked(id); ok {
		return s.openIMLocked(uid)
	}
	return nil
}

// dmUserLocked returns the known user whose DM with the bot has the ID id.
func (s *Server) dmUserLocked(id string) (string, bool) {
	if !strings.HasPrefix(id, "D") {
		return "", false
	}
	for _, uid := range s.userOrder {
		if dmID(uid) == id {
			return uid, true
		}
	}
	return "", false
}

// openIMLocked returns the bot's DM with user, creating it.
func (s *Server) openIMLocked(user string) *channel {
	for _, c := range s.channels {
		if c.kind == kindIM && c.user == user {
			return c
		}
	}
	c := &channel{id: dmID(user), kind: kindIM, user: user,
		members: []string{user, s.opts.BotUserID}, created: s.now().Unix()}
	s.channels[c.id] = c
	return c
}

// ensureChannelLocked registers a conversation that an injected envelope
// shows to the bot, so the bot can answer in it. user hints the other party
// of a DM.
func (s *Server) ensureChannelLocked(id, user string) {
	if id == "" || s.channelLocked(id) != nil {
		return
	}
	c := &channel{id: id, created: s.now().Unix()}
	switch {
	case strings.HasPrefix(id, "D"):
		c.kind = kindIM
		if user != "" {
			c.user = user
			c.members = []string{user, s.opts.BotUserID}
		}
	case strings.HasPrefix(id, "G"):
		c.kind = kindPrivate
		c.name = strings.ToLower(id)
	default:
		c.kind = kindPublic
		c.name = strings.ToLower(id)
	}
	s.channels[id] = c
}

// tzInfo returns the zone abbreviation and UTC offset in seconds of tz at
// now.
func tzInfo(tz string, now time.Time) (string, int, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return "", 0, err
	}
	name, off := now.In(loc).Zone()
	return name, off, nil
}

// userJSON renders u as Slack's user object.
func (s *Server) userJSON(u User) reply {
	label, offset, err := tzInfo(u.TZ, s.now())
	if err != nil {
		s.log.Warn("unknown time zone", "user", u.ID, "err", err)
	}
	profile := reply{
		"real_name":               u.RealName,
		"real_name_normalized":    u.RealName,
		"display_name":            u.Name,
		"display_name_normalized": u.Name,
		"status_text":             u.StatusText,
		"status_emoji":            u.StatusEmoji,
		"status_expiration":       0,
		"avatar_hash":             "g0000000000",
		"image_24":                "https://fake.slack/avatar/" + u.ID + "_24.png",
		"image_32":                "https://fake.slack/avatar/" + u.ID + "_32.png",
		"image_48":                "https://fake.slack/avatar/" + u.ID + "_48.png",
		"image_72":                "https://fake.slack/avatar/" + u.ID + "_72.png",
		"image_192":               "https://fake.slack/avatar/" + u.ID + "_192.png",
		"image_512":               "https://fake.slack/avatar/" + u.ID + "_512.png",
		"team":                    u.TeamID,
	}
	if u.Email != "" {
		profile["email"] = u.Email
	}
	if u.IsBot {
		profile["bot_id"] = s.opts.BotID
		profile["always_active"] = true
	}
	return reply{
		"id":                         u.ID,
		"team_id":                    u.TeamID,
		"name":                       u.Name,
		"deleted":                    u.Deleted,
		"color":                      "9f69e7",
		"real_name":                  u.RealName,
		"tz":                         u.TZ,
		"tz_label":                   label,
		"tz_offset":                  offset,
		"profile":                    profile,
		"is_admin":                   u.IsAdmin,
		"is_owner":                   u.IsOwner,
		"is_primary_owner":           false,
		"is_restricted":              u.IsRestricted,
		"is_ultra_restricted":        u.IsUltraRestricted,
		"is_bot":                     u.IsBot,
		"is_app_user":                false,
		"is_stranger":                u.IsStranger,
		"is_invited_user":            u.IsInvitedUser,
		"is_email_confirmed":         !u.IsBot,
		"updated":                    s.now().Unix(),
		"locale":                     cmp.Or(u.Locale, "en-US"),
		"who_can_share_contact_card": "EVERYONE",
	}
}

// channelJSON renders c as Slack's conversation object.
func (s *Server) channelJSON(c *channel, numMembers bool) reply {
	bot := s.opts.BotUserID
	m := reply{
		"id":                    c.id,
		"created":               c.created,
		"is_open":               true,
		"is_archived":           false,
		"is_general":            false,
		"is_shared":             false,
		"is_ext_shared":         false,
		"is_org_shared":         false,
		"is_pending_ext_shared": false,
		"is_channel":            (c.kind == kindPublic || c.kind == kindPrivate) && strings.HasPrefix(c.id, "C"),
		"is_group":              c.kind == kindPrivate && strings.HasPrefix(c.id, "G"),
		"is_im":                 c.kind == kindIM,
		"is_mpim":               c.kind == kindMPIM,
		"is_private":            c.kind == kindPrivate || c.kind == kindMPIM,
		"is_member":             c.hasMember(bot),
		"context_team_id":       s.opts.TeamID,
		"unlinked":              0,
		"priority":              0,
	}
	if c.kind == kindIM {
		m["user"] = c.user
		u, ok := s.users[c.user]
		m["is_user_deleted"] = ok && u.Deleted
	} else {
		m["name"] = c.name
		m["name_normalized"] = c.name
		m["creator"] = ""
		m["topic"] = reply{"value": "", "creator": "", "last_set": 0}
		m["purpose"] = reply{"value": "", "creator": "", "last_set": 0}
	}
	if numMembers {
		m["num_members"] = len(c.members)
	}
	return m
}
