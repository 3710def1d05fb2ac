package slacktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// apiMethods maps the Web API methods the fake answers to their handlers.
// A handler runs after the token check and returns the answer body; it
// takes s.mu itself.
var apiMethods = map[string]func(*Server, Call) reply{
	"apps.connections.open":        (*Server).appsConnectionsOpen,
	"auth.test":                    (*Server).authTest,
	"chat.postMessage":             (*Server).chatPostMessage,
	"chat.postEphemeral":           (*Server).chatPostEphemeral,
	"chat.update":                  (*Server).chatUpdate,
	"chat.delete":                  (*Server).chatDelete,
	"chat.getPermalink":            (*Server).chatGetPermalink,
	"conversations.open":           (*Server).conversationsOpen,
	"conversations.members":        (*Server).conversationsMembers,
	"conversations.info":           (*Server).conversationsInfo,
	"conversations.history":        (*Server).conversationsHistory,
	"users.info":                   (*Server).usersInfo,
	"users.list":                   (*Server).usersList,
	"usergroups.list":              (*Server).usergroupsList,
	"usergroups.users.list":        (*Server).usergroupsUsersList,
	"users.profile.get":            (*Server).usersProfileGet,
	"team.profile.get":             (*Server).teamProfileGet,
	"views.publish":                (*Server).viewsPublish,
	"views.open":                   (*Server).viewsOpen,
	"views.push":                   (*Server).viewsPush,
	"views.update":                 (*Server).viewsUpdate,
	"reactions.add":                (*Server).reactionsAdd,
	"files.getUploadURLExternal":   (*Server).filesGetUploadURLExternal,
	"files.completeUploadExternal": (*Server).filesCompleteUploadExternal,
}

// handleAPI serves /api/{method}.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	call, _, err := s.readCall(r, method)
	if err != nil {
		s.record(call)
		writeJSON(w, http.StatusOK, fail("invalid_form_data"))
		return
	}
	lose := s.takeLoseAnswer(method)
	if !lose && s.serveFault(w, r, call) {
		return
	}
	h, known := apiMethods[method]
	if !known {
		s.record(call)
		writeJSON(w, http.StatusOK, fail("unknown_method"))
		return
	}
	if code := checkToken(method, call.Token); code != "" {
		s.record(call)
		writeJSON(w, http.StatusOK, fail(code))
		return
	}
	resp := s.checkScope(method)
	if resp == nil {
		resp = h(s, call)
	}
	s.record(call) // after the effects, so a waiter sees them
	if e, _ := resp["error"].(string); e != "" {
		s.log.Debug("call failed", "method", method, "err", e)
	}
	if lose {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		panic(http.ErrAbortHandler) // done, but the answer never arrives
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkToken returns the error code for a token that may not call method,
// or "".
func checkToken(method, token string) string {
	switch {
	case token == "":
		return "not_authed"
	case method == "apps.connections.open":
		if strings.HasPrefix(token, "xapp-") {
			return ""
		}
		if strings.HasPrefix(token, "xoxb-") || strings.HasPrefix(token, "xoxp-") {
			return "not_allowed_token_type"
		}
		return "invalid_auth"
	case strings.HasPrefix(token, "xoxb-"):
		return ""
	default:
		return "invalid_auth"
	}
}

func (s *Server) appsConnectionsOpen(Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ticketSeq++
	t := strconv.FormatInt(s.ticketSeq, 10)
	s.tickets[t] = false
	return ok(reply{"url": "ws://" + strings.TrimPrefix(s.base, "http://") + "link/?ticket=" + t})
}

func (s *Server) authTest(Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := s.users[s.opts.BotUserID].Name
	return ok(reply{
		"url":                   "https://fake.slack/",
		"team":                  "Fake Team",
		"user":                  name,
		"team_id":               s.opts.TeamID,
		"user_id":               s.opts.BotUserID,
		"bot_id":                s.opts.BotID,
		"is_enterprise_install": false,
	})
}

// nextTSLocked returns a fresh, increasing message timestamp.
func (s *Server) nextTSLocked() string {
	s.tsSeq++
	n := s.tsSeq
	return fmt.Sprintf("%d.%06d", 1700000000+n/10000, (n%10000)*100)
}

// nextEphemeralTSLocked returns a fresh, increasing timestamp for an
// ephemeral message, apart from the ones of visible messages.
func (s *Server) nextEphemeralTSLocked() string {
	s.ephemeralSeq++
	n := s.ephemeralSeq
	return fmt.Sprintf("%d.%06d", 1800000000+n/10000, (n%10000)*100)
}

// nextIDLocked returns a fresh ID with the given prefix ("V", "F").
func (s *Server) nextIDLocked(prefix string) string {
	s.idSeq++
	return fmt.Sprintf("%s%09X", prefix, s.idSeq)
}

// jsonArray validates an optional JSON array parameter. It returns nil for
// "" and "null".
func jsonArray(v string) (json.RawMessage, int, bool) {
	v = strings.TrimSpace(v)
	if v == "" || v == "null" {
		return nil, 0, true
	}
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(v), &arr); err != nil {
		return nil, 0, false
	}
	return json.RawMessage(v), len(arr), true
}

// blocksArray validates an optional blocks parameter: a JSON array of at
// most max blocks that keeps Slack's documented Block Kit limits. problem
// says what is wrong ("" when nothing is).
func blocksArray(v string, max int) (blocks json.RawMessage, n int, problem string) {
	blocks, n, valid := jsonArray(v)
	switch {
	case !valid:
		return nil, 0, "blocks must be a JSON array"
	case n > max:
		return nil, 0, fmt.Sprintf("no more than %d items allowed [json-pointer:/blocks]", max)
	}
	return blocks, n, checkMessageBlocks(blocks)
}

// messageContent validates text, blocks and attachments as chat.* does.
// detail explains an invalid_blocks.
func messageContent(p map[string]string) (m Message, code, detail string) {
	m.Text = p["text"]
	blocks, nb, problem := blocksArray(p["blocks"], maxMessageBlocks)
	if problem != "" {
		return m, "invalid_blocks", problem
	}
	atts, na, oka := jsonArray(p["attachments"])
	if !oka {
		return m, "invalid_attachments", ""
	}
	if nb > 0 {
		m.Blocks = blocks
	}
	if na > 0 {
		m.Attachments = atts
	}
	if m.Text == "" && nb == 0 && na == 0 {
		return m, "no_text", ""
	}
	if len(m.Text) > 40000 {
		return m, "msg_too_long", ""
	}
	return m, "", ""
}

// failDetail is fail with Slack's explanation when there is one.
func failDetail(code, detail string) reply {
	if detail == "" {
		return fail(code)
	}
	return fail(code, detail)
}

// postTargetLocked resolves the channel argument of chat.postMessage and
// friends: a conversation ID, or a user ID meaning the bot's DM with them.
func (s *Server) postTargetLocked(id string) (*channel, string) {
	if u, isUser := s.users[id]; isUser {
		if u.Deleted {
			return nil, "user_disabled"
		}
		return s.openIMLocked(id), ""
	}
	c := s.channelLocked(id)
	if c == nil {
		return nil, "channel_not_found"
	}
	if err := s.visibleLocked(c); err != "" {
		return nil, err
	}
	if c.kind == kindIM {
		if u, ok := s.users[c.user]; ok && u.Deleted {
			return nil, "user_disabled"
		}
	}
	return c, ""
}

// visibleLocked reports channel_not_found for a private conversation the bot
// is not in, as Slack does.
func (s *Server) visibleLocked(c *channel) string {
	if (c.kind == kindPrivate || c.kind == kindMPIM) && !c.hasMember(s.opts.BotUserID) {
		return "channel_not_found"
	}
	return ""
}

// messageJSON renders a stored message as the "message" of chat answers.
func (s *Server) messageJSON(m Message) reply {
	r := reply{
		"type":    "message",
		"subtype": "bot_message",
		"text":    m.Text,
		"user":    s.opts.BotUserID,
		"bot_id":  s.opts.BotID,
		"app_id":  s.opts.AppID,
		"team":    s.opts.TeamID,
		"ts":      m.TS,
	}
	if m.Author != "" {
		// A person's message (Say): no bot fields.
		r = reply{"type": "message", "text": m.Text, "user": m.Author, "team": s.opts.TeamID, "ts": m.TS}
	}
	if m.Blocks != nil {
		r["blocks"] = m.Blocks
	}
	if m.Attachments != nil {
		r["attachments"] = m.Attachments
	}
	if m.ThreadTS != "" {
		r["thread_ts"] = m.ThreadTS
	}
	return r
}

func (s *Server) chatPostMessage(c Call) reply {
	msg, code, detail := messageContent(c.Params)
	if code != "" {
		return failDetail(code, detail)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, code := s.postTargetLocked(c.Params["channel"])
	if code != "" {
		return fail(code)
	}
	// A bot posts only where it is a member: without the chat:write.public
	// scope (the manifest does not ask for it), Slack answers
	// not_in_channel for a public channel it has not been invited to.
	if ch.kind == kindPublic && !ch.hasMember(s.opts.BotUserID) {
		return fail("not_in_channel")
	}
	msg.Channel = ch.id
	msg.ThreadTS = c.Params["thread_ts"]
	if md := c.Params["metadata"]; md != "" && json.Valid([]byte(md)) {
		msg.Metadata = json.RawMessage(md)
	}
	msg = s.postLocked(msg)
	s.notifyLocked()
	return ok(reply{"channel": ch.id, "ts": msg.TS, "message": s.messageJSON(msg)})
}

func (s *Server) chatPostEphemeral(c Call) reply {
	msg, code, detail := messageContent(c.Params)
	if code != "" {
		return failDetail(code, detail)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, code := s.postTargetLocked(c.Params["channel"])
	if code != "" {
		return fail(code)
	}
	user := c.Params["user"]
	if _, known := s.users[user]; !known {
		return fail("user_not_found")
	}
	if !ch.hasMember(user) {
		return fail("user_not_in_channel")
	}
	msg.Channel = ch.id
	msg.ThreadTS = c.Params["thread_ts"]
	msg.User = user
	msg.Ephemeral = true
	msg = s.postLocked(msg)
	s.notifyLocked()
	return ok(reply{"message_ts": msg.TS})
}

// findMessageLocked returns the index of the visible message ts in channel,
// or -1. Ephemeral messages are found only when ephemeral is true.
func (s *Server) findMessageLocked(channel, ts string, ephemeral bool) int {
	for i, m := range s.messages[channel] {
		if m.TS == ts && (ephemeral || !m.Ephemeral) {
			return i
		}
	}
	return -1
}

func (s *Server) chatUpdate(c Call) reply {
	p := c.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(p["channel"]) // a user ID is not accepted here
	if ch == nil || s.visibleLocked(ch) != "" {
		return fail("channel_not_found")
	}
	i := s.findMessageLocked(ch.id, p["ts"], false)
	if i < 0 {
		return fail("message_not_found")
	}
	m := s.messages[ch.id][i]
	if text, ok := p["text"]; ok {
		m.Text = text
	}
	if _, ok := p["blocks"]; ok {
		blocks, _, problem := blocksArray(p["blocks"], maxMessageBlocks)
		if problem != "" {
			return fail("invalid_blocks", problem)
		}
		m.Blocks = blocks
	}
	if _, ok := p["attachments"]; ok {
		atts, _, valid := jsonArray(p["attachments"])
		if !valid {
			return fail("invalid_attachments")
		}
		m.Attachments = atts
	}
	if m.Text == "" && len(m.Blocks) == 0 && len(m.Attachments) == 0 {
		return fail("no_text")
	}
	s.replaceLocked(i, m)
	s.notifyLocked()
	return ok(reply{"channel": ch.id, "ts": m.TS, "text": m.Text, "message": s.messageJSON(m)})
}

func (s *Server) chatDelete(c Call) reply {
	p := c.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(p["channel"])
	if ch == nil || s.visibleLocked(ch) != "" {
		return fail("channel_not_found")
	}
	i := s.findMessageLocked(ch.id, p["ts"], false)
	if i < 0 {
		return fail("message_not_found")
	}
	s.removeLocked(ch.id, i)
	s.notifyLocked()
	return ok(reply{"channel": ch.id, "ts": p["ts"]})
}

func (s *Server) chatGetPermalink(c Call) reply {
	p := c.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(p["channel"])
	if ch == nil || s.visibleLocked(ch) != "" {
		return fail("channel_not_found")
	}
	ts := p["message_ts"]
	if ts == "" {
		return fail("message_not_found")
	}
	return ok(reply{
		"channel":   ch.id,
		"permalink": "https://fake.slack/archives/" + ch.id + "/p" + strings.Replace(ts, ".", "", 1),
	})
}

func (s *Server) conversationsOpen(c Call) reply {
	p := c.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := p["channel"]; id != "" && p["users"] == "" {
		ch := s.channelLocked(id)
		if ch == nil || (ch.kind != kindIM && ch.kind != kindMPIM) {
			return fail("channel_not_found")
		}
		return ok(reply{"no_op": true, "already_open": true, "channel": s.channelJSON(ch, false)})
	}
	if strings.TrimSpace(p["users"]) == "" {
		return fail("users_list_not_supplied")
	}
	var ids []string
	for _, id := range strings.Split(p["users"], ",") {
		id = strings.TrimSpace(id)
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		return fail("not_enough_users")
	case len(ids) > 8:
		return fail("too_many_users")
	}
	for _, id := range ids {
		u, known := s.users[id]
		if !known {
			return fail("user_not_found")
		}
		if u.Deleted {
			return fail("user_disabled")
		}
	}
	var ch *channel
	already := false
	if len(ids) == 1 {
		for _, x := range s.channels {
			if x.kind == kindIM && x.user == ids[0] {
				already = true
			}
		}
		ch = s.openIMLocked(ids[0])
	} else {
		members := slices.Clone(ids)
		if !slices.Contains(members, s.opts.BotUserID) {
			members = append(members, s.opts.BotUserID)
		}
		id := mpimID(members)
		ch = s.channels[id]
		already = ch != nil
		if ch == nil {
			names := make([]string, 0, len(members))
			for _, m := range members {
				names = append(names, s.users[m].Name)
			}
			ch = &channel{id: id, kind: kindMPIM, members: members, created: s.now().Unix(),
				name: "mpdm-" + strings.Join(names, "--") + "-1"}
			s.channels[id] = ch
		}
	}
	s.notifyLocked()
	return ok(reply{"no_op": already, "already_open": already, "channel": s.channelJSON(ch, false)})
}

// paginate returns one page of ids for Slack's cursor pagination. The
// cursor is opaque to clients.
func paginate(ids []string, cursor, limitArg string, def, maxLimit int) ([]string, string, string) {
	limit := def
	if limitArg != "" {
		n, err := strconv.Atoi(limitArg)
		if err != nil || n < 0 {
			return nil, "", "invalid_limit"
		}
		if n > 0 {
			limit = n
		}
	}
	if maxLimit > 0 && limit > maxLimit {
		limit = maxLimit
	}
	start := 0
	if cursor != "" {
		raw, err := base64.StdEncoding.DecodeString(cursor)
		if err != nil {
			return nil, "", "invalid_cursor"
		}
		off, found := strings.CutPrefix(string(raw), "offset:")
		n, err := strconv.Atoi(off)
		if !found || err != nil || n < 0 || n > len(ids) {
			return nil, "", "invalid_cursor"
		}
		start = n
	}
	end := len(ids)
	if limit > 0 && start+limit < end {
		end = start + limit
	}
	next := ""
	if end < len(ids) {
		next = base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return slices.Clone(ids[start:end]), next, ""
}

func (s *Server) conversationsMembers(c Call) reply {
	p := c.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(p["channel"])
	if ch == nil || s.visibleLocked(ch) != "" {
		return fail("channel_not_found")
	}
	page, next, code := paginate(ch.members, p["cursor"], p["limit"], 100, 1000)
	if code != "" {
		return fail(code)
	}
	if page == nil {
		page = []string{}
	}
	return ok(reply{"members": page, "response_metadata": reply{"next_cursor": next}})
}

func (s *Server) conversationsInfo(c Call) reply {
	p := c.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(p["channel"])
	if ch == nil || s.visibleLocked(ch) != "" {
		return fail("channel_not_found")
	}
	return ok(reply{"channel": s.channelJSON(ch, p["include_num_members"] == "true")})
}

func (s *Server) usersInfo(c Call) reply {
	p := c.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	if list := p["users"]; list != "" && p["user"] == "" {
		var out []reply
		for _, id := range strings.Split(list, ",") {
			u, known := s.users[strings.TrimSpace(id)]
			if !known {
				return fail("user_not_found")
			}
			out = append(out, s.userJSON(u))
		}
		return ok(reply{"users": out})
	}
	u, known := s.users[p["user"]]
	if !known {
		return fail("user_not_found")
	}
	return ok(reply{"user": s.userJSON(u)})
}

func (s *Server) usersList(c Call) reply {
	p := c.Params
	s.mu.Lock()
	defer s.mu.Unlock()
	page, next, code := paginate(s.userOrder, p["cursor"], p["limit"], 0, 1000)
	if code != "" {
		return fail(code)
	}
	members := make([]reply, 0, len(page))
	for _, id := range page {
		members = append(members, s.userJSON(s.users[id]))
	}
	return ok(reply{"members": members, "cache_ts": s.now().Unix(),
		"response_metadata": reply{"next_cursor": next}})
}

// methodScopes names the bot scope a method needs, for the methods whose
// scope a test may revoke (RevokeScope).
var methodScopes = map[string]string{
	"usergroups.list":       "usergroups:read",
	"usergroups.users.list": "usergroups:read",
	"users.profile.get":     "users.profile:read",
	"team.profile.get":      "users.profile:read",
}

// checkScope is Slack's missing_scope answer when the app lacks the
// method's scope, or nil.
func (s *Server) checkScope(method string) reply {
	scope, ok := methodScopes[method]
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.noScopes[scope] {
		return nil
	}
	r := fail("missing_scope")
	r["needed"] = scope
	return r
}

// usergroupsList answers usergroups.list: the workspace's groups, without
// disabled ones unless include_disabled, and with their members only when
// include_users.
func (s *Server) usergroupsList(c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	withUsers := c.Params["include_users"] == "true"
	out := []reply{}
	for _, id := range s.groupOrder {
		g := s.groups[id]
		if g.Disabled && c.Params["include_disabled"] != "true" {
			continue
		}
		out = append(out, s.userGroupJSON(g, withUsers))
	}
	return ok(reply{"usergroups": out})
}

func (s *Server) usergroupsUsersList(c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, found := s.groups[c.Params["usergroup"]]
	// A disabled group's members are answered only on request
	// (include_disabled), like its place in usergroups.list.
	if !found || (g.Disabled && c.Params["include_disabled"] != "true") {
		return fail("no_such_subteam")
	}
	return ok(reply{"users": append([]string{}, g.Members...)})
}

// usersProfileGet answers users.profile.get for another user: the profile
// with its custom fields by ID, each {"value", "alt"}; labels only with
// include_labels, which Slack rate-limits heavily. Slack writes no fields
// as an empty array.
func (s *Server) usersProfileGet(c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, found := s.users[c.Params["user"]]
	if !found {
		return fail("user_not_found")
	}
	profile := s.userJSON(u)["profile"].(reply)
	var fields any = []any{}
	if len(u.Fields) > 0 {
		m := reply{}
		for id, v := range u.Fields {
			f := reply{"value": v, "alt": ""}
			if c.Params["include_labels"] == "true" {
				for _, pf := range s.fields {
					if pf.ID == id {
						f["label"] = pf.Label
					}
				}
			}
			m[id] = f
		}
		fields = m
	}
	profile["fields"] = fields
	return ok(reply{"profile": profile})
}

// teamProfileGet answers team.profile.get: the workspace's custom profile
// fields.
func (s *Server) teamProfileGet(Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	fields := []reply{}
	for i, f := range s.fields {
		fields = append(fields, reply{"id": f.ID, "ordering": i, "label": f.Label, "hint": "",
			"type": f.Type, "possible_values": nil, "options": nil, "is_hidden": false})
	}
	return ok(reply{"profile": reply{"fields": fields}})
}

func (s *Server) reactionsAdd(c Call) reply {
	p := c.Params
	if p["name"] == "" {
		return fail("invalid_name")
	}
	if p["channel"] == "" || p["timestamp"] == "" {
		return fail("no_item_specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(p["channel"])
	if ch == nil || s.visibleLocked(ch) != "" {
		return fail("channel_not_found")
	}
	key := ch.id + "/" + p["timestamp"]
	if slices.Contains(s.reactions[key], p["name"]) {
		return fail("already_reacted")
	}
	s.reactions[key] = append(s.reactions[key], p["name"])
	s.notifyLocked()
	return ok(nil)
}

// storedView is a view the bot opened, pushed or published.
type storedView struct {
	id   string
	user string
	hash string
	doc  map[string]any
}

func (v *storedView) json() json.RawMessage {
	b, _ := json.Marshal(v.doc)
	return b
}

// decodeObject decodes a JSON object, keeping numbers exact.
func decodeObject(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not an object")
	}
	return m, nil
}

// parseView validates the view argument of views.*: its type, its size and
// Slack's documented Block Kit limits. detail explains an invalid_arguments.
func parseView(raw, wantType string) (doc map[string]any, code, detail string) {
	doc, err := decodeObject([]byte(raw))
	if err != nil {
		return nil, "invalid_arguments", ""
	}
	typ, _ := doc["type"].(string)
	if typ != wantType && !(wantType == "modal" && typ == "workflow_step") {
		return nil, "invalid_arguments", ""
	}
	if len(raw) > 250_000 {
		return nil, "view_too_large", ""
	}
	if problem := checkView(doc); problem != "" {
		return nil, "invalid_arguments", problem
	}
	return doc, "", ""
}

// newHashLocked returns a fresh view hash.
func (s *Server) newHashLocked() string {
	s.idSeq++
	return fmt.Sprintf("%d.%08x", s.now().Unix(), s.idSeq)
}

// fillView sets the fields Slack adds to a view it stores.
func (s *Server) fillViewLocked(doc map[string]any, id, root, previous string) {
	defaults := map[string]any{
		"private_metadata": "",
		"callback_id":      "",
		"external_id":      "",
		"clear_on_close":   false,
		"notify_on_close":  false,
		"blocks":           []any{},
	}
	for k, v := range defaults {
		if _, ok := doc[k]; !ok {
			doc[k] = v
		}
	}
	doc["id"] = id
	doc["team_id"] = s.opts.TeamID
	doc["app_id"] = s.opts.AppID
	doc["app_installed_team_id"] = s.opts.TeamID
	doc["bot_id"] = s.opts.BotID
	doc["root_view_id"] = root
	if previous == "" {
		doc["previous_view_id"] = nil
	} else {
		doc["previous_view_id"] = previous
	}
	doc["state"] = map[string]any{"values": map[string]any{}}
	doc["hash"] = s.newHashLocked()
}

func (s *Server) viewsPublish(c Call) reply {
	p := c.Params
	doc, code, detail := parseView(p["view"], "home")
	if code != "" {
		return failDetail(code, detail)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user := p["user_id"]
	if _, known := s.users[user]; !known {
		return fail("user_not_found")
	}
	v := s.views[s.homeViews[user]]
	if v != nil && p["hash"] != "" && p["hash"] != v.hash {
		return fail("hash_conflict")
	}
	id := s.homeViews[user]
	if id == "" {
		id = s.nextIDLocked("V")
	}
	s.fillViewLocked(doc, id, id, "")
	v = &storedView{id: id, user: user, hash: doc["hash"].(string), doc: doc}
	s.views[id] = v
	s.homeViews[user] = id
	s.viewChangeLocked(HomePublished, v)
	s.notifyLocked()
	return ok(reply{"view": v.json()})
}

// checkTriggerLocked returns the error for a trigger_id, or "".
func (s *Server) checkTriggerLocked(trigger string) (user, code string) {
	if trigger == "" {
		return "", "invalid_trigger_id"
	}
	t, issued := s.triggers[trigger]
	if !issued {
		return "", "" // not ours: accept
	}
	if s.opts.TriggerTTL > 0 && s.now().Sub(t.at) > s.opts.TriggerTTL {
		return "", "expired_trigger_id"
	}
	return t.user, ""
}

func (s *Server) viewsOpen(c Call) reply { return s.openOrPush(c, false) }
func (s *Server) viewsPush(c Call) reply { return s.openOrPush(c, true) }
func (s *Server) openOrPush(c Call, push bool) reply {
	doc, code, detail := parseView(c.Params["view"], "modal")
	if code != "" {
		return failDetail(code, detail)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user, code := s.checkTriggerLocked(c.Params["trigger_id"])
	if code != "" {
		return fail(code)
	}
	id := s.nextIDLocked("V")
	root := id
	if push {
		root = ""
	}
	s.fillViewLocked(doc, id, root, "")
	v := &storedView{id: id, user: user, hash: doc["hash"].(string), doc: doc}
	s.views[id] = v
	s.viewChangeLocked(ViewOpened, v)
	s.notifyLocked()
	return ok(reply{"view": v.json()})
}

func (s *Server) viewsUpdate(c Call) reply {
	p := c.Params
	doc, code, detail := parseView(p["view"], "modal")
	if code != "" {
		// views.update also updates Home tabs.
		if doc, code, _ = parseView(p["view"], "home"); code != "" {
			return failDetail(code, detail)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var v *storedView
	if id := p["view_id"]; id != "" {
		v = s.views[id]
	} else if ext := p["external_id"]; ext != "" {
		for _, x := range s.views {
			if x.doc["external_id"] == ext {
				v = x
			}
		}
	}
	if v == nil {
		return fail("not_found")
	}
	if p["hash"] != "" && p["hash"] != v.hash {
		return fail("hash_conflict")
	}
	root, _ := v.doc["root_view_id"].(string)
	s.fillViewLocked(doc, v.id, root, "")
	v.doc = doc
	v.hash = doc["hash"].(string)
	kind := ViewUpdated
	if v.doc["type"] == "home" {
		kind = HomePublished
	}
	s.viewChangeLocked(kind, v)
	s.notifyLocked()
	return ok(reply{"view": v.json()})
}

func (s *Server) filesGetUploadURLExternal(c Call) reply {
	p := c.Params
	n, err := strconv.Atoi(p["length"])
	if p["filename"] == "" || err != nil || n <= 0 {
		return fail("invalid_arguments")
	}
	// Slack refuses a screen-reader description over 1,000 characters.
	if utf8.RuneCountInString(p["alt_txt"]) > maxFileAltText {
		return fail("alt_txt_too_large")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextIDLocked("F")
	s.files[id] = &File{ID: id, Name: p["filename"], Title: p["filename"], AltText: p["alt_txt"]}
	s.fileOrder = append(s.fileOrder, id)
	s.notifyLocked()
	return ok(reply{"upload_url": s.base + "upload/" + id, "file_id": id})
}

func (s *Server) filesCompleteUploadExternal(c Call) reply {
	p := c.Params
	var summaries []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(p["files"]), &summaries); err != nil || len(summaries) == 0 {
		return fail("invalid_arguments")
	}
	blocks, nb, problem := blocksArray(p["blocks"], maxMessageBlocks)
	if problem != "" {
		return fail("invalid_blocks", problem)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range summaries {
		if file := s.files[f.ID]; file == nil || !file.Uploaded {
			return fail("file_not_found")
		}
	}
	target := p["channel_id"]
	if target == "" {
		target, _, _ = strings.Cut(p["channels"], ",")
	}
	var ch *channel
	if target != "" {
		var code string
		if ch, code = s.postTargetLocked(target); code != "" {
			return fail(code)
		}
	}
	out := make([]reply, 0, len(summaries))
	ids := make([]string, 0, len(summaries))
	for _, f := range summaries {
		file := s.files[f.ID]
		if f.Title != "" {
			file.Title = f.Title
		}
		file.Completed = true
		file.InitialComment = p["initial_comment"]
		file.ThreadTS = p["thread_ts"]
		if ch != nil {
			file.Channel = ch.id
		}
		ids = append(ids, f.ID)
		out = append(out, reply{"id": f.ID, "title": file.Title})
	}
	if ch != nil {
		m := Message{Channel: ch.id, Text: p["initial_comment"],
			ThreadTS: p["thread_ts"], Files: ids}
		if nb > 0 {
			m.Blocks = blocks
		}
		s.postLocked(m)
	}
	s.notifyLocked()
	return ok(reply{"files": out})
}

// handleUpload serves the upload URLs that files.getUploadURLExternal
// hands out. Calls are recorded with Method "upload_url".
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	call, parts, err := s.readCall(r, "upload_url")
	id := r.PathValue("file")
	call.Params["file_id"] = id
	if err != nil {
		s.record(call)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if s.serveFault(w, r, call) {
		return
	}
	var content []byte
	if len(parts) > 0 {
		content = parts[0].content
	} else if len(call.Body) > 0 && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		content = call.Body // a raw POST body is also accepted
	}
	s.mu.Lock()
	f := s.files[id]
	if f != nil && !f.Completed {
		f.Content = append([]byte(nil), content...)
		f.Uploaded = true
		s.notifyLocked()
	}
	s.mu.Unlock()
	s.record(call)
	if f == nil {
		http.Error(w, "file_not_found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "OK - %d", len(content))
}

// responseTarget is where a response_url posts to: the conversation and
// user of the slash command or interaction that carried it.
type responseTarget struct {
	channel    string
	user       string
	originalTS string // message the interaction came from, if any
}

// triggerInfo is a trigger_id the fake issued.
type triggerInfo struct {
	at   time.Time
	user string
}

// handleResponseURL serves /response/{n}. Calls are recorded with Method
// "response_url".
func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	call, _, err := s.readCall(r, "response_url")
	if err != nil {
		s.record(call)
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if s.serveFault(w, r, call) {
		return
	}
	var body struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		Attachments     json.RawMessage `json:"attachments"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		ThreadTS        string          `json:"thread_ts"`
	}
	if err := json.Unmarshal(call.Body, &body); err != nil {
		s.record(call)
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	blocks, nb, problem := blocksArray(string(body.Blocks), maxMessageBlocks)
	atts, na, _ := jsonArray(string(body.Attachments))

	s.mu.Lock()
	t, known := s.responses[r.PathValue("n")]
	code := ""
	switch {
	case !known:
		code = "no_service"
	case problem != "":
		code = "invalid_blocks"
	case body.DeleteOriginal:
		if i := s.findMessageLocked(t.channel, t.originalTS, true); t.originalTS != "" && i >= 0 {
			s.removeLocked(t.channel, i)
		}
	case body.Text == "" && nb == 0 && na == 0:
		code = "no_text"
	default:
		m := Message{Channel: t.channel, Text: body.Text, ThreadTS: body.ThreadTS}
		if nb > 0 {
			m.Blocks = blocks
		}
		if na > 0 {
			m.Attachments = atts
		}
		i := -1
		if body.ReplaceOriginal && t.originalTS != "" {
			i = s.findMessageLocked(t.channel, t.originalTS, true)
		}
		if i >= 0 {
			old := s.messages[t.channel][i]
			m.TS, m.Ephemeral, m.User = old.TS, old.Ephemeral, old.User
			if m.ThreadTS == "" {
				m.ThreadTS = old.ThreadTS
			}
			s.replaceLocked(i, m)
		} else {
			if body.ResponseType != "in_channel" {
				m.Ephemeral, m.User = true, t.user
			}
			s.postLocked(m)
		}
	}
	if code == "" {
		s.notifyLocked()
	}
	s.mu.Unlock()
	s.record(call)
	switch code {
	case "":
		writeJSON(w, http.StatusOK, ok(nil))
	case "no_service":
		http.Error(w, code, http.StatusNotFound)
	default:
		// Slack answers a refused response_url post with HTTP 200 and
		// ok:false in the body, so a client that reads only the status
		// never notices.
		writeJSON(w, http.StatusOK, failDetail(code, problem))
	}
}

// conversationsHistory answers conversations.history: the channel's
// messages (not ephemeral ones), newest first, after oldest, up to limit,
// with metadata when include_all_metadata is set.
func (s *Server) conversationsHistory(c Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(c.Params["channel"])
	if ch == nil {
		return fail("channel_not_found")
	}
	if code := s.visibleLocked(ch); code != "" {
		return fail(code)
	}
	limit, err := strconv.Atoi(c.Params["limit"])
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	oldest := c.Params["oldest"]
	withMeta := c.Params["include_all_metadata"] == "1" || c.Params["include_all_metadata"] == "true"
	msgs := []reply{}
	all := s.messages[ch.id]
	for i := len(all) - 1; i >= 0 && len(msgs) < limit; i-- {
		m := all[i]
		if m.Ephemeral || (oldest != "" && m.TS <= oldest) {
			continue
		}
		r := s.messageJSON(m)
		if withMeta && m.Metadata != nil {
			r["metadata"] = m.Metadata
		}
		msgs = append(msgs, r)
	}
	return ok(reply{"messages": msgs, "has_more": false})
}
