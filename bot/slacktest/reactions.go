package slacktest

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Say posts text in channel as user, as a person writes in Slack: the
// message is stored, with a fresh ts, and shown in conversations.history,
// but no event reaches the bot (the app subscribes to no channel
// messages). It returns the message, to react to.
func (s *Server) Say(channel, user, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureChannelLocked(channel, user)
	ch := s.channelLocked(channel)
	if !ch.hasMember(user) {
		return Message{}, fmt.Errorf("slacktest: say: %s is not in %s", user, channel)
	}
	m := s.postLocked(Message{Channel: ch.id, Text: text, Author: user})
	s.notifyLocked()
	return m, nil
}

// React adds user's reaction name (an emoji name without colons) to the
// message at ts in channel, and delivers reaction_added as Slack does:
// item {type: message, channel, ts}, item_user (the message's author; the
// bot's user ID for its own messages), user, reaction and event_ts. Slack
// sends a bot reaction events only from conversations it is a member of,
// so where the bot is not, the reaction is recorded and no event is sent:
// delivered is false. Reacting twice with the same emoji is refused, as
// Slack's client toggles it instead.
func (s *Server) React(ctx context.Context, user, channel, ts, name string) (ack Ack, delivered bool, err error) {
	return s.reaction(ctx, "reaction_added", user, channel, ts, name)
}

// Unreact removes user's reaction name from the message, and delivers
// reaction_removed as React delivers reaction_added.
func (s *Server) Unreact(ctx context.Context, user, channel, ts, name string) (ack Ack, delivered bool, err error) {
	return s.reaction(ctx, "reaction_removed", user, channel, ts, name)
}

func (s *Server) reaction(ctx context.Context, typ, user, channel, ts, name string) (Ack, bool, error) {
	s.mu.Lock()
	ch := s.channelLocked(channel)
	if ch == nil {
		s.mu.Unlock()
		return Ack{}, false, fmt.Errorf("slacktest: %s: no conversation %s", typ, channel)
	}
	i := s.findMessageLocked(ch.id, ts, false)
	if i < 0 {
		s.mu.Unlock()
		return Ack{}, false, fmt.Errorf("slacktest: %s: no message %s in %s", typ, ts, channel)
	}
	author := s.messages[ch.id][i].Author
	if author == "" {
		author = s.opts.BotUserID
	}
	key := ch.id + "/" + ts
	mine := user + " " + name
	has := slices.Contains(s.userReactions[key], mine)
	switch {
	case typ == "reaction_added" && has:
		s.mu.Unlock()
		return Ack{}, false, errors.New("slacktest: already_reacted")
	case typ == "reaction_removed" && !has:
		s.mu.Unlock()
		return Ack{}, false, errors.New("slacktest: no_reaction")
	case typ == "reaction_added":
		s.userReactions[key] = append(s.userReactions[key], mine)
	default:
		s.userReactions[key] = slices.DeleteFunc(s.userReactions[key], func(r string) bool { return r == mine })
	}
	member := ch.hasMember(s.opts.BotUserID)
	s.notifyLocked()
	s.mu.Unlock()
	if !member {
		return Ack{}, false, nil
	}
	ack, err := s.Event(ctx, EventOptions{Event: reply{
		"type":      typ,
		"user":      user,
		"reaction":  name,
		"item_user": author,
		"item":      reply{"type": "message", "channel": ch.id, "ts": ts},
	}})
	return ack, err == nil, err
}

// UserReactions returns the people's reactions on the message at ts in
// channel, as "USER name".
func (s *Server) UserReactions(channel, ts string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.userReactions[s.canonicalLocked(channel)+"/"+ts])
}
