package slacktest

import (
	"encoding/json"
	"slices"
	"strings"
)

// ChangeKind says what a Change did to what people see.
type ChangeKind string

// The kinds of Change.
const (
	MessagePosted  ChangeKind = "posted"  // a new message (Message)
	MessageUpdated ChangeKind = "updated" // an edited message (Message, as it is now)
	MessageDeleted ChangeKind = "deleted" // a removed message (Message, as it was)
	ViewOpened     ChangeKind = "opened"  // a modal opened or pushed for User (ViewID, View)
	ViewUpdated    ChangeKind = "view"    // a modal replaced by views.update (ViewID, View)
	HomePublished  ChangeKind = "home"    // User's Home tab published (ViewID, View)
)

// Change is one visible change the bot made, in the order the fake applied
// them. The sandbox prints them as they happen; tests can read what a
// sequence of actions showed without diffing channels.
type Change struct {
	Seq     int // 1, 2, … in order of application
	Kind    ChangeKind
	Message Message         // for the Message* kinds
	User    string          // for views: whose screen
	ViewID  string          // for views
	View    json.RawMessage // for views: the view as stored
}

// Changes returns the changes after seq (0: all), oldest first. Pass the
// last Seq seen to read only what is new.
func (s *Server) Changes(after int) []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, _ := slices.BinarySearchFunc(s.changes, after+1, func(c Change, seq int) int { return c.Seq - seq })
	return slices.Clone(s.changes[i:])
}

// LastChange returns the Seq of the newest change, 0 when none.
func (s *Server) LastChange() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.changes)
}

// postLocked stores a new visible message in m.Channel with a fresh ts,
// and records it in the feed: every way a message appears goes through it.
func (s *Server) postLocked(m Message) Message {
	if m.Ephemeral {
		// Ephemeral messages are not in the channel's history and their
		// ts is nobody's to link to: they draw from their own sequence,
		// so that whether an answer comes before or after a post does
		// not change the post's ts.
		m.TS = s.nextEphemeralTSLocked()
	} else {
		m.TS = s.nextTSLocked()
	}
	s.messages[m.Channel] = append(s.messages[m.Channel], m)
	s.messageChangeLocked(MessagePosted, m)
	return m
}

// replaceLocked puts m in place of message i of its channel.
func (s *Server) replaceLocked(i int, m Message) {
	s.messages[m.Channel][i] = m
	s.messageChangeLocked(MessageUpdated, m)
}

// removeLocked deletes message i of channel.
func (s *Server) removeLocked(channel string, i int) {
	s.messageChangeLocked(MessageDeleted, s.messages[channel][i])
	s.messages[channel] = slices.Delete(s.messages[channel], i, i+1)
}

func (s *Server) messageChangeLocked(kind ChangeKind, m Message) {
	m = cloneMessages([]Message{m})[0] // the feed keeps what was seen then
	s.changes = append(s.changes, Change{Seq: len(s.changes) + 1, Kind: kind, Message: m})
}

func (s *Server) viewChangeLocked(kind ChangeKind, v *storedView) {
	s.changes = append(s.changes, Change{Seq: len(s.changes) + 1, Kind: kind, User: v.user, ViewID: v.id, View: v.json()})
}

// Conversation describes a conversation of the fake, as a person's Slack
// client would label it.
type Conversation struct {
	ID      string
	Name    string // a channel's name without "#"; "" for DMs
	Kind    string // "public", "private", "im" or "mpim"
	User    string // an IM's other party
	Members []string
}

// Conversation returns what the fake knows of a conversation. A user ID
// means the bot's DM with that user, which exists for every known user
// (as DMChannel says) even before it is opened; reading does not open it.
func (s *Server) Conversation(id string) (Conversation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = s.canonicalLocked(id)
	if c := s.channels[id]; c != nil {
		return describe(c), true
	}
	if uid, ok := s.dmUserLocked(id); ok { // not opened yet
		return describe(&channel{id: id, kind: kindIM, user: uid, members: []string{uid, s.opts.BotUserID}}), true
	}
	return Conversation{}, false
}

func describe(c *channel) Conversation {
	kinds := map[channelKind]string{kindPublic: "public", kindPrivate: "private", kindIM: "im", kindMPIM: "mpim"}
	return Conversation{ID: c.id, Name: c.name, Kind: kinds[c.kind], User: c.user, Members: slices.Clone(c.members)}
}

// User returns the directory entry of id.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	return u, ok
}

// ConversationsOf lists the conversations user is a member of, in ID
// order: channels whose member list names them, their DM with the bot and
// the group DMs they are in.
func (s *Server) ConversationsOf(user string) []Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Conversation
	for _, c := range s.channels {
		if slices.Contains(c.members, user) || (c.kind == kindIM && c.user == user) {
			out = append(out, describe(c))
		}
	}
	slices.SortFunc(out, func(a, b Conversation) int { return strings.Compare(a.ID, b.ID) })
	return out
}
