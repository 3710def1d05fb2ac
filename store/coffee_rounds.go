package store

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// CoffeeAnswer is a member's answer to "did you meet?". The strings are
// stored.
type CoffeeAnswer string

// The answers.
const (
	AnswerYes    CoffeeAnswer = "yes"     // we met
	AnswerNotYet CoffeeAnswer = "not_yet" // not yet, we will
	AnswerNo     CoffeeAnswer = "no"      // we did not meet
	AnswerCant   CoffeeAnswer = "cant"    // I can't make it
)

// Valid reports whether a is one of the answers.
func (a CoffeeAnswer) Valid() bool {
	switch a {
	case AnswerYes, AnswerNotYet, AnswerNo, AnswerCant:
		return true
	}
	return false
}

// Why someone was left out of a round (SitOut.Reason). The strings are
// stored.
const (
	SitOutAlone     = "alone"      // nobody left to group them with
	SitOutNoOverlap = "no_overlap" // no working hours shared with anyone left
	SitOutNeverList = "never_list" // everyone left is on their (or whose) never list
)

// CoffeeGroup is one group of a round and what the bot did with it.
//
// The group has one answer to "did you meet?", its Outcome: the latest
// answer any member gave. Answers keeps each member's own latest answer
// (who answered "did you meet?"), AnswerOrder the order they came in;
// SetAnswer keeps the two in step.
type CoffeeGroup struct {
	Members        []string                // Slack user IDs; stored sorted
	Channel        string                  // the group DM, once opened
	IntroTS        string                  // the intro message, once posted
	Icebreaker     int                     // index of the icebreaker question used; -1: none
	Answers        map[string]CoffeeAnswer // latest answer per member; members only; nil when none
	AnswerOrder    []string                // members in Answers by when they last answered, latest last; rounds stored before it was kept may lack some or all
	DidYouMeetSent bool                    // "did you meet?" was posted
	// Buddy: the group was made for a newcomer's first round, with a
	// volunteer buddy (optional field; the intro says so).
	Buddy bool
}

// SetAnswer records user's answer as the group's latest.
func (g *CoffeeGroup) SetAnswer(user string, a CoffeeAnswer) {
	if g.Answers == nil {
		g.Answers = map[string]CoffeeAnswer{}
	}
	g.Answers[user] = a
	g.AnswerOrder = append(slices.DeleteFunc(g.AnswerOrder, func(u string) bool { return u == user }), user)
}

// outcomeFallback ranks the answers of members missing from AnswerOrder
// (answers stored before the order was kept, or a record imported without
// it), when no member in AnswerOrder is left: the first found wins. "We
// met" comes first because it is a statement that something happened,
// and it is what the did-you-meet questions, pauses for silence and the stats read before.
var outcomeFallback = []CoffeeAnswer{AnswerYes, AnswerNotYet, AnswerNo, AnswerCant}

// Outcome is the group's answer to "did you meet?": the latest answer
// any member gave, "" when nobody answered. Members who contradict each
// other ("Can't make it", then "We met") settle it by answering last;
// everything that reads answers (history, stats, repeat avoidance,
// did-you-meet questions, pauses for silence) reads this.
func (g CoffeeGroup) Outcome() CoffeeAnswer {
	for i := len(g.AnswerOrder) - 1; i >= 0; i-- {
		if a, ok := g.Answers[g.AnswerOrder[i]]; ok {
			return a
		}
	}
	for _, want := range outcomeFallback {
		for _, a := range g.Answers {
			if a == want {
				return a
			}
		}
	}
	return ""
}

// Met reports whether the group counts as having met, for repeat
// avoidance: false when its Outcome is AnswerNo or AnswerCant, true
// otherwise (yes, not yet, or no answer at all: the conservative default).
func (g CoffeeGroup) Met() bool {
	switch g.Outcome() {
	case AnswerNo, AnswerCant:
		return false
	}
	return true
}

// SitOut is someone left out of a round, and why (SitOutAlone,
// SitOutNoOverlap, SitOutNeverList).
type SitOut struct {
	User, Reason string
}

// Round is one coffee round: who was grouped with whom, and where each
// group stands. At is its identity: CreateRound never makes two rounds at
// one instant.
type Round struct {
	ID     uint64        // assigned by CreateRound
	At     time.Time     // the scheduled instant (for /coffee now, when it was asked for)
	Manual bool          // started by /coffee now
	Groups []CoffeeGroup // nobody is in two groups
	SitOut []SitOut      // who was left out, in the order given
	Closed bool          // did-you-meet answers settled (misses counted): see CloseRound
	Counts RoundCounts   // the roster's state when the round was made; zero for rounds made before it was kept
}

// RoundCounts is how the coffee roster stood when a round was made, kept
// as numbers only: no user ID, so the connection report can show skip and
// opt-out rates without keeping who skipped or left, and forget-me has
// nothing to take out of it. A zero RoundCounts (Members 0) means the
// round was made before the counts were kept.
type RoundCounts struct {
	Members  int // coffee members at the time, paused or not
	Paused   int // members paused by themselves (for a while or until they resume)
	Silenced int // members paused after rounds without an answer
	Skipped  int // members who chose "skip this round" for this round
	Left     int // people in the round before (grouped or sat out) who were no longer members
	LeftOf   int // people in the round before: Left's denominator
}

// Counted reports whether the round carries counts.
func (c RoundCounts) Counted() bool { return c.Members > 0 }

// Group returns the index of the group user is in, or -1.
func (r Round) Group(user string) int {
	for i, g := range r.Groups {
		if slices.Contains(g.Members, user) {
			return i
		}
	}
	return -1
}

// roundRecord is the stored value of coffee_rounds; the id is the key.
type roundRecord struct {
	At     time.Time      `json:"at"`
	Manual bool           `json:"manual,omitempty"`
	Groups []groupRecord  `json:"groups,omitempty"`
	SitOut []sitOutRecord `json:"sit_out,omitempty"`
	Closed bool           `json:"closed,omitempty"`
	Counts *countsRecord  `json:"counts,omitempty"` // absent in rounds made before counts were kept
}

// countsRecord is RoundCounts as stored.
type countsRecord struct {
	Members  int `json:"members"`
	Paused   int `json:"paused,omitempty"`
	Silenced int `json:"silenced,omitempty"`
	Skipped  int `json:"skipped,omitempty"`
	Left     int `json:"left,omitempty"`
	LeftOf   int `json:"left_of,omitempty"`
}

func newCountsRecord(c RoundCounts) *countsRecord {
	if !c.Counted() {
		return nil
	}
	r := countsRecord(c)
	return &r
}

func (c *countsRecord) counts() RoundCounts {
	if c == nil {
		return RoundCounts{}
	}
	return RoundCounts(*c)
}

type groupRecord struct {
	Members        []string          `json:"members"`
	Channel        string            `json:"channel,omitempty"`
	IntroTS        string            `json:"intro_ts,omitempty"`
	Icebreaker     int               `json:"icebreaker"` // always written: 0 is a question
	Answers        map[string]string `json:"answers,omitempty"`
	AnswerOrder    []string          `json:"answer_order,omitempty"`
	DidYouMeetSent bool              `json:"checkin_sent,omitempty"`
	Buddy          bool              `json:"buddy,omitempty"` // optional; absent: not a buddy group
}

type sitOutRecord struct {
	User   string `json:"user"`
	Reason string `json:"reason"`
}

func (r roundRecord) round(id uint64) Round {
	out := Round{ID: id, At: utc(r.At), Manual: r.Manual, Closed: r.Closed, Counts: r.Counts.counts()}
	if len(r.Groups) > 0 {
		out.Groups = make([]CoffeeGroup, len(r.Groups))
		for i, g := range r.Groups {
			out.Groups[i] = CoffeeGroup{
				Members: cloneStrings(g.Members), Channel: g.Channel, IntroTS: g.IntroTS,
				Icebreaker: g.Icebreaker, DidYouMeetSent: g.DidYouMeetSent, AnswerOrder: cloneStrings(g.AnswerOrder),
				Buddy: g.Buddy,
			}
			if len(g.Answers) > 0 {
				out.Groups[i].Answers = make(map[string]CoffeeAnswer, len(g.Answers))
				for u, a := range g.Answers {
					out.Groups[i].Answers[u] = CoffeeAnswer(a)
				}
			}
		}
	}
	for _, s := range r.SitOut {
		out.SitOut = append(out.SitOut, SitOut(s))
	}
	return out
}

// newRoundRecord checks r (see checkRound) and builds its stored form:
// members sorted, empty lists and maps nil, At in UTC.
func newRoundRecord(r Round) (roundRecord, error) {
	if field, err := checkRound(r, apiRoundFields); err != nil {
		return roundRecord{}, fmt.Errorf("%s: %w", field, err)
	}
	rec := roundRecord{At: utc(r.At), Manual: r.Manual, Closed: r.Closed, Counts: newCountsRecord(r.Counts)}
	for _, g := range r.Groups {
		gr := groupRecord{
			Members: cloneStrings(g.Members), Channel: g.Channel, IntroTS: g.IntroTS,
			Icebreaker: g.Icebreaker, DidYouMeetSent: g.DidYouMeetSent, AnswerOrder: cloneStrings(g.AnswerOrder),
			Buddy: g.Buddy,
		}
		slices.Sort(gr.Members)
		if len(g.Answers) > 0 {
			gr.Answers = make(map[string]string, len(g.Answers))
			for u, a := range g.Answers {
				gr.Answers[u] = string(a)
			}
		}
		rec.Groups = append(rec.Groups, gr)
	}
	for _, s := range r.SitOut {
		rec.SitOut = append(rec.SitOut, sitOutRecord(s))
	}
	return rec, nil
}

// roundFields names the parts of a round in checkRound's errors: the
// methods name them as the stored record does, Import as the export
// document does.
type roundFields struct {
	group  func(g int) string    // group g as a whole
	member func(g, i int) string // the i-th member of group g
	state  func(g int) string    // the state of group g (+ ".icebreaker", ".answers.U1")
	sitOut func(i int) string    // the i-th sit-out (+ ".user", ".reason")
}

var apiRoundFields = roundFields{
	group:  func(g int) string { return fmt.Sprintf("groups[%d]", g) },
	member: func(g, i int) string { return fmt.Sprintf("groups[%d].members[%d]", g, i) },
	state:  func(g int) string { return fmt.Sprintf("groups[%d]", g) },
	sitOut: func(i int) string { return fmt.Sprintf("sit_out[%d]", i) },
}

// checkRound validates r before it is stored: an At the index can hold;
// groups that are not empty, of non-empty user IDs, nobody twice in the
// round (in a group or sitting out); answers from members only, each one
// of the answers; an icebreaker of -1 or more; sit-outs with a user and
// a known reason. It returns the field at fault (named by fields) and
// what is wrong with it.
func checkRound(r Round, fields roundFields) (string, error) {
	if err := checkIndexable(r.At); err != nil {
		return "at", err
	}
	where := map[string]string{} // user -> field that placed them
	place := func(field, user string) error {
		if user == "" {
			return errors.New("empty user ID")
		}
		if err := checkUserID(user); err != nil {
			return err
		}
		if other, dup := where[user]; dup {
			return fmt.Errorf("%s is already %s", user, other)
		}
		where[user] = field
		return nil
	}
	for g, group := range r.Groups {
		if len(group.Members) == 0 {
			return fields.group(g), errors.New("no members")
		}
		for i, u := range group.Members {
			if err := place(fields.member(g, i), u); err != nil {
				return fields.member(g, i), err
			}
		}
		if group.Icebreaker < -1 {
			return fields.state(g) + ".icebreaker", fmt.Errorf("%d: must be -1 (none) or a question's index", group.Icebreaker)
		}
		for _, u := range slices.Sorted(maps.Keys(group.Answers)) {
			field := fields.state(g) + ".answers." + u
			if !group.Answers[u].Valid() {
				return field, fmt.Errorf("must be yes, not_yet, no or cant (got %q)", group.Answers[u])
			}
			if !slices.Contains(group.Members, u) {
				return field, fmt.Errorf("%s is not a member of the group", u)
			}
		}
		for i, u := range group.AnswerOrder {
			field := fmt.Sprintf("%s.answer_order[%d]", fields.state(g), i)
			if _, ok := group.Answers[u]; !ok {
				return field, fmt.Errorf("%s has no answer", u)
			}
			if slices.Contains(group.AnswerOrder[:i], u) {
				return field, fmt.Errorf("%s is listed twice", u)
			}
		}
	}
	for i, s := range r.SitOut {
		if err := place(fields.sitOut(i), s.User); err != nil {
			return fields.sitOut(i) + ".user", err
		}
		switch s.Reason {
		case SitOutAlone, SitOutNoOverlap, SitOutNeverList:
		default:
			return fields.sitOut(i) + ".reason", fmt.Errorf("must be alone, no_overlap or never_list (got %q)", s.Reason)
		}
	}
	c := r.Counts
	if min(c.Members, c.Paused, c.Silenced, c.Skipped, c.Left, c.LeftOf) < 0 || c.Left > c.LeftOf {
		return "counts", fmt.Errorf("must be counts of zero or more, left no more than left_of (got %+v)", c)
	}
	return "", nil
}

// getRound reads round id from tx.
func getRound(tx kvTx, id uint64) (roundRecord, bool, error) {
	v := tx.Bucket(bucketCoffeeRounds).Get(idKey(id))
	if v == nil {
		return roundRecord{}, false, nil
	}
	var rec roundRecord
	if err := decodeValue(v, &rec); err != nil {
		return roundRecord{}, false, fmt.Errorf("decode round %d: %w", id, err)
	}
	return rec, true, nil
}

// putRound writes round id (new or replaced) and keeps coffee_rounds_by_at
// in step: a replaced record's entry moves with its At.
func putRound(tx kvTx, id uint64, rec roundRecord) error {
	idx := tx.Bucket(bucketCoffeeRoundsByAt)
	old, ok, err := getRound(tx, id)
	if err != nil {
		return err
	}
	if ok && !old.At.Equal(rec.At) {
		if err := idx.Delete(timeIDKey(old.At, id)); err != nil {
			return err
		}
	}
	if err := putValue(tx.Bucket(bucketCoffeeRounds), idKey(id), rec); err != nil {
		return err
	}
	return idx.Put(timeIDKey(rec.At, id), emptyValue)
}

// roundIDAt returns the id of the round at exactly at, the lowest if
// imported history holds more than one.
func roundIDAt(tx kvTx, at time.Time) (uint64, bool, error) {
	prefix := timeKey(at)
	k, _ := tx.Bucket(bucketCoffeeRoundsByAt).Cursor().Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return 0, false, nil
	}
	_, id, err := parseTimeIDKey(k)
	return id, err == nil, err
}

// roundFromIndex reads the round an index key points at.
func roundFromIndex(tx kvTx, k []byte) (Round, error) {
	_, id, err := parseTimeIDKey(k)
	if err != nil {
		return Round{}, err
	}
	rec, ok, err := getRound(tx, id)
	if err != nil {
		return Round{}, err
	}
	if !ok {
		return Round{}, fmt.Errorf("coffee_rounds_by_at points at missing round %d", id)
	}
	return rec.round(id), nil
}

// CreateRound stores r under a new ID (r.ID is ignored) and returns the
// stored copy and true, unless a round at r.At (the same instant, to the
// nanosecond) exists: then it returns that round and false, and stores
// nothing. The check and the write are one transaction, so however many
// workers race on the same tick, one round is made.
//
// A zero At means now. The round is checked first: At between 1970 and
// 2262; each group with members, nobody twice in the round (grouped or
// sitting out); answers from the group's members, each a known
// CoffeeAnswer; Icebreaker -1 (none) or more; sit-outs with a user and a
// known reason. Members are stored sorted.
func (db *DB) CreateRound(r Round) (Round, bool, error) {
	r.At = orNow(r.At, db.now)
	rec, err := newRoundRecord(r)
	if err != nil {
		return Round{}, false, fmt.Errorf("store: create round at %s: %w", r.At.Format(time.RFC3339Nano), err)
	}
	var (
		out     Round
		created bool
	)
	err = db.update(func(tx kvTx) error {
		out, created = Round{}, false // decided afresh if the engine runs this again
		id, ok, err := roundIDAt(tx, rec.At)
		if err != nil {
			return err
		}
		if ok {
			old, found, err := getRound(tx, id)
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("coffee_rounds_by_at points at missing round %d", id)
			}
			out = old.round(id)
			return nil
		}
		if id, err = tx.Bucket(bucketCoffeeRounds).NextSequence(); err != nil {
			return err
		}
		if err := putRound(tx, id, rec); err != nil {
			return err
		}
		out, created = rec.round(id), true
		return nil
	})
	if err != nil {
		return Round{}, false, fmt.Errorf("store: create round at %s: %w", r.At.Format(time.RFC3339Nano), err)
	}
	return out, created, nil
}

// Round returns round id, or an error wrapping ErrNotFound.
func (db *DB) Round(id uint64) (Round, error) {
	var out Round
	err := db.view(func(tx kvTx) error {
		rec, ok, err := getRound(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		out = rec.round(id)
		return nil
	})
	if err != nil {
		return Round{}, fmt.Errorf("store: get round %d: %w", id, err)
	}
	return out, nil
}

// RoundAt returns the round at exactly at, or an error wrapping
// ErrNotFound.
func (db *DB) RoundAt(at time.Time) (Round, error) {
	var out Round
	err := db.view(func(tx kvTx) error {
		id, ok, err := roundIDAt(tx, at)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		rec, ok, err := getRound(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("coffee_rounds_by_at points at missing round %d", id)
		}
		out = rec.round(id)
		return nil
	})
	if err != nil {
		return Round{}, fmt.Errorf("store: get round at %s: %w", at.UTC().Format(time.RFC3339Nano), err)
	}
	return out, nil
}

// LastRound returns the round with the latest At (scheduled or manual);
// ok is false (err nil) when there is none.
func (db *DB) LastRound() (r Round, ok bool, err error) {
	err = db.view(func(tx kvTx) error {
		k, _ := tx.Bucket(bucketCoffeeRoundsByAt).Cursor().Last()
		if k == nil {
			return nil
		}
		var err error
		r, err = roundFromIndex(tx, k)
		ok = err == nil
		return err
	})
	if err != nil {
		return Round{}, false, fmt.Errorf("store: last round: %w", err)
	}
	return r, ok, nil
}

// Rounds returns every round, oldest first: by At, and by ID for equal
// times (which only imported history can have).
func (db *DB) Rounds() ([]Round, error) {
	out, err := db.roundsBetween(time.Time{}, maxIndexTime.Add(1))
	if err != nil {
		return nil, fmt.Errorf("store: list rounds: %w", err)
	}
	return out, nil
}

// RoundsBetween returns the rounds with At in [from, to), oldest first,
// read from coffee_rounds_by_at.
func (db *DB) RoundsBetween(from, to time.Time) ([]Round, error) {
	out, err := db.roundsBetween(from, to)
	if err != nil {
		return nil, fmt.Errorf("store: rounds between %s and %s: %w",
			from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), err)
	}
	return out, nil
}

func (db *DB) roundsBetween(from, to time.Time) ([]Round, error) {
	var out []Round
	err := db.view(func(tx kvTx) error {
		return scanTimeRange(tx.Bucket(bucketCoffeeRoundsByAt).Cursor(), nil, from, to, func(k, _ []byte) error {
			r, err := roundFromIndex(tx, k)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// allRounds returns every round, by ID (for Export).
func allRounds(tx kvTx) ([]Round, error) {
	var out []Round
	err := tx.Bucket(bucketCoffeeRounds).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec roundRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode round %d: %w", id, err)
		}
		out = append(out, rec.round(id))
		return nil
	})
	return out, err
}

// UpdateRoundGroup reads group (an index into Groups) of round roundID,
// lets f change it and stores the round, in one transaction, and returns
// the stored group. If f returns an error nothing is written and the
// error comes back wrapped (errors.Is sees it); so does a group the round
// could not hold (see CreateRound). A closed round can still be updated
// (a late answer). No such round or group: an error wrapping
// ErrNotFound. f runs inside the write transaction: it must only set
// fields.
//
// effects, if not nil, returns what the change causes (pairs in touch,
// messages), given the group as it will be stored; they are written in
// the same transaction, so a crash leaves the change with all its effects
// or neither. An effect that cannot be stored fails the whole update.
// effects runs inside the transaction too: it must be pure.
func (db *DB) UpdateRoundGroup(roundID uint64, group int, f func(g *CoffeeGroup) error, effects func(g CoffeeGroup) Effects) (CoffeeGroup, error) {
	var out CoffeeGroup
	now := db.now().UTC()
	err := db.update(func(tx kvTx) error {
		rec, ok, err := getRound(tx, roundID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		if group < 0 || group >= len(rec.Groups) {
			return fmt.Errorf("group %d of %d: %w", group, len(rec.Groups), ErrNotFound)
		}
		r := rec.round(roundID)
		if err := f(&r.Groups[group]); err != nil {
			return err
		}
		if rec, err = newRoundRecord(r); err != nil {
			return err
		}
		if err := putRound(tx, roundID, rec); err != nil {
			return err
		}
		out = rec.round(roundID).Groups[group]
		if effects == nil {
			return nil
		}
		c, err := effects(out).check(now)
		if err != nil {
			return err
		}
		return c.apply(tx)
	})
	if err != nil {
		return CoffeeGroup{}, fmt.Errorf("store: update round %d group %d: %w", roundID, group, err)
	}
	return out, nil
}

// CloseRound settles round roundID's did-you-meet answers in one transaction: it
// calls f with the round and the coffee members grouped in it (by user;
// someone who left since is not in the map), marks the round Closed, and
// stores the round and the members as f left them: f counts misses and
// pauses silent people atomically with the closing. f may change the round's
// groups too (not its ID or At); setting a map entry to nil leaves that
// member as it was, and entries f adds are ignored. A round already
// closed is left alone and f is not called (nil error): closing twice
// never counts a miss twice.
//
// If f returns an error, or leaves something that cannot be stored,
// nothing is written and the error comes back wrapped. No such round: an
// error wrapping ErrNotFound. f may be nil (just close). f runs inside
// the write transaction: it must only decide and set fields.
func (db *DB) CloseRound(roundID uint64, f func(r *Round, members map[string]*CoffeeMember) error) error {
	// A round of a large team closes in several steps on etcd, which takes
	// at most 128 operations a transaction: each member counted is marked
	// with the round (ClosedRound) and the round itself is written last,
	// so a close cut short by a crash resumes without counting anyone
	// twice.
	err := db.updateInSteps(func(tx kvTx) error {
		rec, ok, err := getRound(tx, roundID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		if rec.Closed {
			return nil
		}
		r := rec.round(roundID)
		b := tx.Bucket(bucketCoffeeMembers)
		members := map[string]*CoffeeMember{}
		counted := map[string]bool{} // by an earlier step of this close
		var users []string
		for _, g := range r.Groups {
			for _, u := range g.Members {
				if _, seen := members[u]; seen {
					continue
				}
				mrec, ok, err := getCoffeeMemberRecord(b, u)
				if err != nil {
					return err
				}
				if ok {
					m := mrec.member(u)
					members[u] = &m
					counted[u] = mrec.ClosedRound == roundID
					users = append(users, u)
				}
			}
		}
		if f != nil {
			if err := f(&r, members); err != nil {
				return err
			}
		}
		r.ID, r.At, r.Closed = roundID, rec.At, true
		if rec, err = newRoundRecord(r); err != nil {
			return err
		}
		slices.Sort(users) // write in key order
		for _, u := range users {
			m := members[u]
			if m == nil || counted[u] {
				continue
			}
			m.User = u
			mrec, err := newCoffeeMemberRecord(*m)
			if err != nil {
				return fmt.Errorf("member %s: %w", u, err)
			}
			mrec.ClosedRound = roundID
			if err := putValue(b, []byte(u), mrec); err != nil {
				return err
			}
		}
		return putRound(tx, roundID, rec) // last: the close is done
	}, nil)
	if err != nil {
		return fmt.Errorf("store: close round %d: %w", roundID, err)
	}
	return nil
}

// CoffeeMeeting is two people grouped together in a round, for repeat
// avoidance: A < B. Met is the group's CoffeeGroup.Met.
type CoffeeMeeting struct {
	A, B string
	At   time.Time // the round's
	Met  bool
}

// CoffeeMeetings returns every pair of people grouped together in the
// rounds with At >= since: a group of three makes three pairs. They come
// by round (oldest first), then group, then A and B; a pair grouped in
// two rounds comes twice.
func (db *DB) CoffeeMeetings(since time.Time) ([]CoffeeMeeting, error) {
	var out []CoffeeMeeting
	err := db.view(func(tx kvTx) error {
		return scanTimeRange(tx.Bucket(bucketCoffeeRoundsByAt).Cursor(), nil, since, maxIndexTime.Add(1), func(k, _ []byte) error {
			r, err := roundFromIndex(tx, k)
			if err != nil {
				return err
			}
			for _, g := range r.Groups {
				met := g.Met()
				for i, a := range g.Members {
					for _, b := range g.Members[i+1:] {
						if a != b { // members are sorted, so a < b
							out = append(out, CoffeeMeeting{A: a, B: b, At: r.At, Met: met})
						}
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: coffee meetings since %s: %w", since.UTC().Format(time.RFC3339), err)
	}
	return out, nil
}

// checkRoundIndexes reports the first difference between coffee_rounds
// and coffee_rounds_by_at (for Check).
func checkRoundIndexes(tx kvTx) error {
	idx := tx.Bucket(bucketCoffeeRoundsByAt)
	n := 0
	err := tx.Bucket(bucketCoffeeRounds).ForEach(func(k, v []byte) error {
		id, err := parseIDKey(k)
		if err != nil {
			return err
		}
		var rec roundRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode round %d: %w", id, err)
		}
		n++
		return checkIndexEntry(idx, "coffee_rounds_by_at", timeIDKey(rec.At, id), emptyValue, fmt.Sprintf("round %d", id))
	})
	if err != nil {
		return err
	}
	return checkIndexSize(idx, "coffee_rounds_by_at", n)
}
