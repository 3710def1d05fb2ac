package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// formerTeammate replaces a forgotten user wherever others still need a
// name: a mention in their text, the giver of a kudos they received.
const formerTeammate = "a former teammate"

// ForgetStats counts what ForgetUser removed or anonymised.
type ForgetStats struct {
	Followups       int  // follow-ups deleted: owned by the user or owed to them
	Checkins        int  // check-ins deleted: by or with the user
	KudosAnonymised int  // kudos kept for others, with the user taken out
	KudosDeleted    int  // kudos deleted: the user was their only receiver
	RoundsEdited    int  // coffee rounds the user was taken out of
	Outgoing        int  // outbox items deleted: for the user or naming them
	CircleEntries   int  // circle entries deleted: the user's own, and theirs in others' circles
	Edits           int  // edits queued of Rapport's own messages that named the user
	Member          bool // the user's coffee membership was deleted
	Person          bool // the user's person record was deleted
	// Affected lists the other people whose follow-ups, kudos or circle
	// changed (sorted, without repeats): what their Home shows changed.
	Affected []string
}

// affect notes that others' records changed.
func (st *ForgetStats) affect(user string, others ...string) {
	for _, o := range others {
		if o != "" && o != user && !slices.Contains(st.Affected, o) {
			st.Affected = append(st.Affected, o)
		}
	}
}

// add counts another pass of a forget run in steps.
func (s *ForgetStats) add(o ForgetStats) {
	s.Followups += o.Followups
	s.Checkins += o.Checkins
	s.KudosAnonymised += o.KudosAnonymised
	s.KudosDeleted += o.KudosDeleted
	s.RoundsEdited += o.RoundsEdited
	s.Outgoing += o.Outgoing
	s.CircleEntries += o.CircleEntries
	s.Edits += o.Edits
	s.Member = s.Member || o.Member
	s.Person = s.Person || o.Person
	for _, u := range o.Affected {
		if !slices.Contains(s.Affected, u) {
			s.Affected = append(s.Affected, u)
		}
	}
	slices.Sort(s.Affected)
}

// ForgetUser deletes everything stored by or about user, in one Update
// transaction ("a person can see everything stored about them and delete
// it"):
//
//   - follow-ups they own or that are owed to them, with their index entries;
//   - check-ins by them or with them;
//   - their coffee membership, and their entry in other members' never lists;
//   - their person record (profile cache, mutes, style, working hours);
//   - their stay-in-touch contacts, and every other person's contact
//     with them (both directions of each pair);
//   - outbox items for them or naming them anywhere (key, text, blocks, ...);
//   - Slack deliveries whose event key names them (normally none).
//
// Messages Rapport posted that name them are edited, through edits queued
// in the outbox in the same transaction (so a crash cannot lose them; the
// bot sends them with chat.update): the public post of each kudos they
// gave or received (rendered again from the anonymised kudos), and every
// message still in the outbox's record of sent items (30 days: kudos
// shares and DMs, digests, coffee intros, follow-up notices) with their
// mention replaced by "a former teammate". The edits are due at now.
// Messages in their own DM with Rapport are left to them.
//
// Kudos involving others are kept for them: as giver the user becomes ""
// (shown as "a former teammate"), as a receiver they are removed from
// Receivers, and a kudos left without receivers is deleted. Coffee rounds
// lose the user from their groups, answers and sit-outs; a group left
// empty is dropped, a group of one keeps its member. Every index follows.
//
// Text written by other people (kudos reasons and values, follow-up texts,
// notes and links, check-in notes) keeps its meaning: a mention <@user> or
// <@user|name>, and the bare ID, become "a former teammate" (a link that
// names them is cleared). An ID counts only as a whole word, so forgetting
// U1 leaves U12 alone.
//
// effects, if not nil, returns what the forgetting causes besides those
// edits, given ForgetStats.Affected (Home refreshes for the people whose
// records changed); they are written in the same transaction. They must
// not name user.
//
// Before committing, ForgetUser scans every key and value of the file and
// fails, changing nothing, if the ID is still there. Pages freed by the
// transaction keep old bytes until bbolt reuses them: a Backup copy holds
// only live pages.
func (db *DB) ForgetUser(user string, now time.Time, effects func(affected []string) Effects) (ForgetStats, error) {
	if user == "" {
		return ForgetStats{}, errors.New("store: forget user: empty user ID")
	}
	if err := checkUserID(user); err != nil {
		return ForgetStats{}, fmt.Errorf("store: forget user: %w", err)
	}
	var st, pass ForgetStats
	now = now.UTC()
	// On etcd, forgetting someone with a long history takes more writes
	// than one transaction allows: it runs in idempotent steps, and a
	// marker written first and removed last makes a restart finish a
	// forget that a crash cut short (OpenEtcd resumes it).
	marker := pendingForgetKey(user)
	if db.etcd != nil {
		if err := db.update(func(tx kvTx) error { return tx.Bucket(bucketMeta).Put(marker, timeKey(now)) }); err != nil {
			return ForgetStats{}, fmt.Errorf("store: forget user %s: %w", user, err)
		}
	}
	err := db.updateInSteps(func(tx kvTx) error {
		pass = ForgetStats{}
		// Found before the steps delete what they are found from, and
		// queued first, so that a forget cut short between steps has
		// already queued its edits.
		edits, err := collectEdits(tx, user)
		if err != nil {
			return err
		}
		if pass.Edits, err = queueEdits(tx, edits, now); err != nil {
			return err
		}
		for _, step := range []func(kvTx, string, *ForgetStats) error{
			forgetKudos, forgetFollowups, forgetCheckins, forgetCoffeeMembers,
			forgetRounds, forgetPerson, forgetCircles, forgetOutgoing, forgetSeenEvents,
		} {
			if err := step(tx, user, &pass); err != nil {
				return err
			}
		}
		slices.Sort(pass.Affected)
		if effects != nil {
			c, err := effects(slices.Clone(pass.Affected)).check(now)
			if err != nil {
				return err
			}
			if err := c.apply(tx); err != nil {
				return err
			}
		}
		return findUserBytes(tx, user)
	}, func() { st.add(pass) })
	if err == nil && db.etcd != nil {
		err = db.update(func(tx kvTx) error { return tx.Bucket(bucketMeta).Delete(marker) })
	}
	if err != nil {
		return ForgetStats{}, fmt.Errorf("store: forget user %s: %w", user, err)
	}
	return st, nil
}

// pendingForgetKey is the meta key that marks a forget in progress on etcd.
func pendingForgetKey(user string) []byte { return []byte("pending_forget/" + user) }

// resumeForgets finishes the forgets a crash cut short (etcd only).
func (db *DB) resumeForgets() error {
	var pending []struct {
		user string
		at   time.Time
	}
	err := db.view(func(tx kvTx) error {
		c := tx.Bucket(bucketMeta).Cursor()
		prefix := []byte("pending_forget/")
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			at := time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
			pending = append(pending, struct {
				user string
				at   time.Time
			}{string(k[len(prefix):]), at})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range pending {
		if _, err := db.ForgetUser(p.user, p.at, nil); err != nil {
			return fmt.Errorf("resume forgetting %s: %w", p.user, err)
		}
	}
	return nil
}

// idChar reports whether c can be part of a Slack ID.
func idChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// indexID is the index of the first whole-word occurrence of id in s (not
// preceded or followed by a letter or digit), or -1.
func indexID(s, id []byte) int {
	for off := 0; ; {
		i := bytes.Index(s[off:], id)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(id)
		if (i == 0 || !idChar(s[i-1])) && (end == len(s) || !idChar(s[end])) {
			return i
		}
		off = i + 1
	}
}

func containsID(s []byte, id string) bool { return indexID(s, []byte(id)) >= 0 }

// scrubUser replaces every mention of user in s (<@user>, <@user|name> or
// the bare ID) with formerTeammate.
func scrubUser(s, user string) string {
	id := []byte(user)
	if indexID([]byte(s), id) < 0 {
		return s
	}
	var b strings.Builder
	for {
		i := indexID([]byte(s), id)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		start, end := i, i+len(user)
		if start >= 2 && s[start-2:start] == "<@" && end < len(s) && (s[end] == '>' || s[end] == '|') {
			if j := strings.IndexByte(s[end:], '>'); j >= 0 {
				start, end = start-2, end+j+1
			}
		}
		b.WriteString(s[:start])
		b.WriteString(formerTeammate)
		s = s[end:]
	}
}

// scrubUsers scrubs each string of list; it returns nil for an empty list.
func scrubUsers(list []string, user string) []string {
	var out []string
	for _, s := range list {
		out = append(out, scrubUser(s, user))
	}
	return out
}

// idRecord is one record of an id-keyed bucket, collected before writing.
type idRecord[T any] struct {
	id  uint64
	rec T
}

// collect decodes every record of the id-keyed bucket name.
func collect[T any](tx kvTx, name []byte) ([]idRecord[T], error) {
	var out []idRecord[T]
	err := tx.Bucket(name).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec T
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode %s %d: %w", name, id, err)
		}
		out = append(out, idRecord[T]{id, rec})
		return nil
	})
	return out, err
}

func forgetKudos(tx kvTx, user string, st *ForgetStats) error {
	all, err := collect[kudosRecord](tx, bucketKudos)
	if err != nil {
		return err
	}
	for _, r := range all {
		old := r.rec
		rec := old
		if rec.Giver == user {
			rec.Giver = ""
		}

		rec.Receivers = slices.DeleteFunc(cloneStrings(old.Receivers), func(s string) bool { return s == user })
		if len(rec.Receivers) == 0 {
			rec.Receivers = nil
		}
		rec.Text = scrubUser(old.Text, user)
		rec.Values = scrubUsers(old.Values, user)
		if rec.Giver != old.Giver || len(rec.Receivers) != len(old.Receivers) || rec.Text != old.Text || !slices.Equal(rec.Values, old.Values) {
			st.affect(user, old.Giver)
			st.affect(user, old.Receivers...)
		}
		switch {
		case len(rec.Receivers) == 0 && len(old.Receivers) > 0:
			if err := deleteKudosIndexes(tx, r.id, old); err != nil {
				return err
			}
			if err := tx.Bucket(bucketKudos).Delete(idKey(r.id)); err != nil {
				return err
			}
			st.KudosDeleted++
		case rec.Giver != old.Giver || len(rec.Receivers) != len(old.Receivers) ||
			rec.Text != old.Text || !slices.Equal(rec.Values, old.Values):
			if err := putKudos(tx, r.id, rec); err != nil {
				return err
			}
			st.KudosAnonymised++
		}
	}
	return nil
}

func forgetFollowups(tx kvTx, user string, st *ForgetStats) error {
	all, err := collect[followupRecord](tx, bucketFollowups)
	if err != nil {
		return err
	}
	for _, r := range all {
		if r.rec.Owner == user || r.rec.Counterpart == user {
			for _, e := range followupIndexEntries(r.id, r.rec) {
				if err := tx.Bucket(e.bucket).Delete(e.key); err != nil {
					return err
				}
			}
			if err := tx.Bucket(bucketFollowups).Delete(idKey(r.id)); err != nil {
				return err
			}
			st.affect(user, r.rec.Owner, r.rec.Counterpart)
			st.Followups++
			continue
		}
		rec := r.rec
		rec.Text, rec.Note = scrubUser(rec.Text, user), scrubUser(rec.Note, user)
		if containsID([]byte(rec.Link), user) {
			rec.Link = ""
		}
		if rec != r.rec {
			if err := putFollowup(tx, r.id, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

func forgetCheckins(tx kvTx, user string, st *ForgetStats) error {
	all, err := collect[checkinRecord](tx, bucketCheckins)
	if err != nil {
		return err
	}
	b := tx.Bucket(bucketCheckins)
	for _, r := range all {
		switch {
		case r.rec.User == user || r.rec.With == user:
			if err := b.Delete(idKey(r.id)); err != nil {
				return err
			}
			st.Checkins++
		case scrubUser(r.rec.Note, user) != r.rec.Note:
			rec := r.rec
			rec.Note = scrubUser(rec.Note, user)
			if err := putValue(b, idKey(r.id), rec); err != nil {
				return err
			}
		}
	}
	return nil
}

func forgetCoffeeMembers(tx kvTx, user string, st *ForgetStats) error {
	b := tx.Bucket(bucketCoffeeMembers)
	type member struct {
		user string
		rec  coffeeMemberRecord
	}
	var edited []member
	err := b.ForEach(func(k, v []byte) error {
		if string(k) == user {
			st.Member = true
			return nil
		}
		var rec coffeeMemberRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode coffee member %s: %w", k, err)
		}
		if slices.Contains(rec.Never, user) {
			rec.Never = slices.DeleteFunc(rec.Never, func(s string) bool { return s == user })
			if len(rec.Never) == 0 {
				rec.Never = nil
			}
			edited = append(edited, member{string(k), rec})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range edited {
		if err := putValue(b, []byte(m.user), m.rec); err != nil {
			return err
		}
	}
	if st.Member {
		return b.Delete([]byte(user))
	}
	return nil
}

func forgetRounds(tx kvTx, user string, st *ForgetStats) error {
	all, err := collect[roundRecord](tx, bucketCoffeeRounds)
	if err != nil {
		return err
	}
	for _, r := range all {
		rec, changed := r.rec, false
		rec.Groups = nil
		for _, g := range r.rec.Groups {
			if slices.Contains(g.Members, user) || g.Answers[user] != "" {
				changed = true
				g.Members = slices.DeleteFunc(slices.Clone(g.Members), func(s string) bool { return s == user })
				g.AnswerOrder = cloneStrings(slices.DeleteFunc(slices.Clone(g.AnswerOrder), func(s string) bool { return s == user }))
				if _, ok := g.Answers[user]; ok {
					answers := make(map[string]string, len(g.Answers))
					for u, a := range g.Answers {
						if u != user {
							answers[u] = a
						}
					}
					g.Answers = answers
					if len(answers) == 0 {
						g.Answers = nil
					}
				}
				if len(g.Members) == 0 {
					continue
				}
			}
			rec.Groups = append(rec.Groups, g)
		}
		rec.SitOut = slices.DeleteFunc(slices.Clone(r.rec.SitOut), func(s sitOutRecord) bool { return s.User == user })
		if len(rec.SitOut) != len(r.rec.SitOut) {
			changed = true
		}
		if len(rec.SitOut) == 0 {
			rec.SitOut = nil
		}
		if changed {
			if err := putRound(tx, r.id, rec); err != nil {
				return err
			}
			st.RoundsEdited++
		}
	}
	return nil
}

func forgetPerson(tx kvTx, user string, st *ForgetStats) error {
	b := tx.Bucket(bucketPeople)
	if err := forgetReactionAuthor(b, user, st); err != nil {
		return err
	}
	if b.Get([]byte(user)) == nil {
		return nil
	}
	st.Person = true
	return b.Delete([]byte(user))
}

// forgetReactionAuthor takes user out of other people's kudos reactions:
// a reaction to user's message that the reactor has not turned into a
// kudos yet (or has) is about user, so it goes. The kudos itself, if one
// was sent, is forgotten like any other (forgetKudos).
func forgetReactionAuthor(b kvBucket, user string, st *ForgetStats) error {
	type edit struct {
		id  string
		rec personRecord
	}
	var edits []edit
	err := b.ForEach(func(k, v []byte) error {
		if string(k) == user || !containsID(v, user) {
			return nil
		}
		var rec personRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode person %s: %w", k, err)
		}
		kept := slices.DeleteFunc(slices.Clone(rec.ReactionKudos), func(r reactionKudosRecord) bool { return r.Author == user })
		if len(kept) == len(rec.ReactionKudos) {
			return nil
		}
		if len(kept) == 0 {
			kept = nil
		}
		rec.ReactionKudos = kept
		edits = append(edits, edit{string(k), rec})
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range edits {
		if err := putValue(b, []byte(e.id), e.rec); err != nil {
			return err
		}
		st.affect(user, e.id)
	}
	return nil
}

// forgetOutgoing deletes every outbox item that names user anywhere: the
// ones for them, and the ones whose key, text or blocks mention them.
func forgetOutgoing(tx kvTx, user string, st *ForgetStats) error {
	b := tx.Bucket(bucketOutbox)
	var doomed []idRecord[outgoingRecord]
	err := b.ForEach(func(k, v []byte) error {
		id, rec, err := decodeOutgoing(k, v)
		if err != nil {
			return err
		}
		if rec.User == user || containsID(v, user) {
			doomed = append(doomed, idRecord[outgoingRecord]{id, rec})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range doomed {
		if d.rec.pending() {
			if err := tx.Bucket(bucketOutboxByDue).Delete(timeIDKey(d.rec.NotBefore, d.id)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketOutboxKeys).Delete([]byte(d.rec.Key)); err != nil {
			return err
		}
		if err := b.Delete(idKey(d.id)); err != nil {
			return err
		}
		st.Outgoing++
	}
	return nil
}

// forgetSeenEvents deletes the Slack deliveries whose event key names
// user. Slack's event keys hold no user IDs, so this finds nothing unless
// a caller built its own keys from one.
func forgetSeenEvents(tx kvTx, user string, _ *ForgetStats) error {
	seen := tx.Bucket(bucketSeenEvents)
	var keys, times [][]byte
	err := seen.ForEach(func(k, v []byte) error {
		if !containsID(k, user) {
			return nil
		}
		if len(v) != 8 {
			return fmt.Errorf("seen_events value %x of %q: want 8 bytes", v, k)
		}
		keys = append(keys, bytes.Clone(k))
		times = append(times, eventTimeKey(nanosTime(binary.BigEndian.Uint64(v)), string(k)))
		return nil
	})
	if err != nil {
		return err
	}
	for i, k := range keys {
		if err := tx.Bucket(bucketSeenEventsByTime).Delete(times[i]); err != nil {
			return err
		}
		if err := seen.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// findUserBytes walks every key and value of every bucket and reports
// the first that still names user.
func findUserBytes(tx kvTx, user string) error {
	for _, name := range allBuckets {
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			if bytes.Equal(name, bucketMeta) && bytes.Equal(k, pendingForgetKey(user)) {
				return nil // the forget's own marker, removed when it is done
			}
			if containsID(k, user) {
				return fmt.Errorf("%s key %q still names the user", name, k)
			}
			if containsID(v, user) {
				return fmt.Errorf("%s value of key %x still names the user", name, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// editOf is the edit that takes user out of a message Rapport sent (rec):
// its text and blocks with every mention of user scrubbed, aimed at the
// message. It reports false for what is no message of Rapport's to edit:
// not sent, or in the user's own DM.
func editOf(rec outgoingRecord, user string) (outgoingRecord, bool) {
	if rec.State != string(OutboxSent) || rec.SentTS == "" || rec.Channel == "" && rec.User == user {
		return outgoingRecord{}, false
	}
	e := outgoingRecord{Channel: rec.Channel, Text: scrubUser(rec.Text, user), UpdateTS: rec.SentTS, KudosPost: rec.KudosPost}
	if rec.UpdateTS != "" {
		e.UpdateTS = rec.UpdateTS // an earlier edit: the message is still the one it edited
	}
	if rec.Channel == "" {
		e.User = rec.User
	}
	if len(rec.Blocks) > 0 {
		var v any
		if err := json.Unmarshal(rec.Blocks, &v); err != nil {
			return outgoingRecord{}, false
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(scrubJSON(v, user)); err != nil {
			return outgoingRecord{}, false
		}
		e.Blocks = bytes.TrimSpace(buf.Bytes())
	}
	return e, true
}

// scrubJSON scrubs user from every string of a decoded JSON value.
func scrubJSON(v any, user string) any {
	switch v := v.(type) {
	case string:
		return scrubUser(v, user)
	case []any:
		for i := range v {
			v[i] = scrubJSON(v[i], user)
		}
	case map[string]any:
		for k, x := range v {
			v[k] = scrubJSON(x, user)
		}
	}
	return v
}

// collectEdits finds the messages Rapport posted that name user: the
// public posts of the kudos that name them, and the sent outbox items that
// do (see editOf).
func collectEdits(tx kvTx, user string) ([]outgoingRecord, error) {
	var edits []outgoingRecord
	kudos, err := collect[kudosRecord](tx, bucketKudos)
	if err != nil {
		return nil, err
	}
	for _, r := range kudos {
		k := r.rec
		named := k.Giver == user || slices.Contains(k.Receivers, user) || containsID([]byte(k.Text), user)
		if named && k.Channel != "" && k.MessageTS != "" {
			edits = append(edits, outgoingRecord{Channel: k.Channel, UpdateTS: k.MessageTS, KudosPost: r.id,
				Text: "🎉 Kudos to " + formerTeammate + "."})
		}
	}
	sent, err := collect[outgoingRecord](tx, bucketOutbox)
	if err != nil {
		return nil, err
	}
	for _, r := range sent {
		if r.rec.User != user && !containsID([]byte(r.rec.Text), user) && !containsID(r.rec.Blocks, user) {
			continue
		}
		if e, ok := editOf(r.rec, user); ok {
			edits = append(edits, e)
		}
	}
	return edits, nil
}

// queueEdits puts edits in the outbox, due at now, one per message (a
// kudos share and its kudos's post are different messages), and returns
// how many. Their keys name the message, not the user, and carry the
// outbox sequence so that a later forget-me edits it again.
func queueEdits(tx kvTx, edits []outgoingRecord, now time.Time) (int, error) {
	seen := map[string]bool{}
	n := 0
	for _, e := range edits {
		target := e.Channel + "/" + e.User + "/" + e.UpdateTS
		if seen[target] {
			continue
		}
		seen[target] = true
		seq, err := tx.Bucket(bucketOutbox).NextSequence()
		if err != nil {
			return n, err
		}
		e.Key = fmt.Sprintf("forget-edit:%d:%s", seq, e.UpdateTS)
		e.NotBefore, e.State, e.Created, e.Updated = now, string(OutboxPending), now, now
		if _, _, err := enqueueTx(tx, e); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
