package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// The export document, version 2 (docs/export-format.md describes it).
// Version 2 added "people" and "circle" (export_people.go); Import reads
// versions 1 and 2. Beyond the first contract, kudos carry "ts" and "private", follow-ups "note",
// "link", "channel", "next_at", "reminded", "nudges" and "last_nudge",
// check-ins "id", coffee members "via", "skip_at", "misses", "ghosted" and
// "never", and coffee rounds "manual", "closed", "sit_out", "counts" and "group_state" (the
// state of each group, parallel to the contract's "groups", which stay
// arrays of user IDs), so that export → import loses nothing.
const (
	exportFormat     = "rapport-export"
	exportVersion    = 2 // what Export writes
	exportMinVersion = 1 // the oldest version Import reads
)

// The wire shapes serve both directions, except rounds and follow-ups,
// which Import decodes as importRound and importFollowup. Times are RFC
// 3339 strings in UTC (with nanoseconds when present), ids are decimal
// strings, and "null" marks an absent optional time.
type (
	exportDoc struct {
		Format     string         `json:"format"`
		Version    int            `json:"version"`
		ExportedAt string         `json:"exported_at"`
		Kudos      []wireKudos    `json:"kudos"`
		Followups  []wireFollowup `json:"followups"`
		Coffee     wireCoffee     `json:"coffee"`
		Checkins   []wireCheckin  `json:"checkins"`
		People     []wirePerson   `json:"people"` // since version 2
		Circle     []wireContact  `json:"circle"` // since version 2
	}
	wireCoffee struct {
		Members []wireMember `json:"members"`
		Rounds  []wireRound  `json:"rounds"`
	}
	wireKudos struct {
		ID        string   `json:"id"`
		Giver     string   `json:"giver"`
		Receivers []string `json:"receivers"`
		Text      string   `json:"text"`
		Values    []string `json:"values"`
		Channel   string   `json:"channel"`
		At        string   `json:"at"`
		TS        string   `json:"ts"`
		Private   bool     `json:"private"`
	}
	wireFollowup struct {
		ID          string  `json:"id"`
		Owner       string  `json:"owner"`
		Counterpart string  `json:"counterpart"`
		Text        string  `json:"text"`
		Due         string  `json:"due"`
		Created     string  `json:"created"`
		Status      string  `json:"status"`
		DoneAt      *string `json:"done_at"`
		Note        string  `json:"note"`
		Link        string  `json:"link"`
		Channel     string  `json:"channel"`
		NextAt      *string `json:"next_at"` // see importFollowup
		Reminded    bool    `json:"reminded"`
		Nudges      int     `json:"nudges"`
		LastNudge   *string `json:"last_nudge"`
		AskedAt     *string `json:"asked_at,omitempty"` // when "still on your list?" was asked; since version 2
	}
	wireMember struct {
		User        string   `json:"user"`
		Joined      string   `json:"joined"`
		PausedUntil *string  `json:"paused_until"`
		Via         string   `json:"via"` // "" on import: "command"
		SkipAt      *string  `json:"skip_at"`
		Misses      int      `json:"misses"`
		Ghosted     bool     `json:"ghosted"`
		Never       []string `json:"never"`
		JoinSeen    bool     `json:"join_seen"` // Rapport saw them join the coffee channel
	}
	wireRound struct {
		ID         string           `json:"id"`
		At         string           `json:"at"`
		Groups     [][]string       `json:"groups"`
		Manual     bool             `json:"manual"`
		Closed     bool             `json:"closed"`
		SitOut     []wireSitOut     `json:"sit_out"`
		GroupState []wireGroupState `json:"group_state"` // parallel to Groups
		Counts     *wireCounts      `json:"counts,omitempty"`
	}
	// wireCounts is a round's RoundCounts: numbers only, no user IDs.
	wireCounts struct {
		Members  int `json:"members"`
		Paused   int `json:"paused"`
		Silenced int `json:"silenced"`
		Skipped  int `json:"skipped"`
		Left     int `json:"left"`
		LeftOf   int `json:"left_of"`
	}
	wireSitOut struct {
		User   string `json:"user"`
		Reason string `json:"reason"`
	}
	wireGroupState struct {
		Channel        string            `json:"channel"`
		IntroTS        string            `json:"intro_ts"`
		Icebreaker     int               `json:"icebreaker"`
		Answers        map[string]string `json:"answers"`
		AnswerOrder    []string          `json:"answer_order,omitempty"`
		DidYouMeetSent bool              `json:"checkin_sent"`
		Buddy          bool              `json:"buddy,omitempty"` // made for a newcomer's first round, with a volunteer
	}
	wireCheckin struct {
		ID   string `json:"id"`
		User string `json:"user"`
		With string `json:"with"`
		At   string `json:"at"`
		Note string `json:"note"`
	}
)

// Export writes every record as one export document (JSON, indented by two
// spaces, ending in a newline), with exported_at set to now. Records are
// ordered by ID (coffee members by user). The records are read in one
// read transaction, so the document is a consistent snapshot; w is
// written only after that transaction ends, so a slow w holds up nothing.
func (db *DB) Export(w io.Writer, now time.Time) error {
	doc := exportDoc{
		Format:     exportFormat,
		Version:    exportVersion,
		ExportedAt: formatTime(now),
	}
	err := db.view(func(tx kvTx) error {
		kudos, err := allKudos(tx)
		if err != nil {
			return err
		}
		followups, err := allFollowups(tx)
		if err != nil {
			return err
		}
		members, err := allCoffeeMembers(tx)
		if err != nil {
			return err
		}
		rounds, err := allRounds(tx)
		if err != nil {
			return err
		}
		checkins, err := allCheckins(tx)
		if err != nil {
			return err
		}
		people, err := allPeople(tx)
		if err != nil {
			return err
		}
		circle, err := allContacts(tx)
		if err != nil {
			return err
		}
		doc.People = make([]wirePerson, 0, len(people))
		for _, p := range people {
			doc.People = append(doc.People, newWirePerson(p))
		}
		doc.Circle = make([]wireContact, 0, len(circle))
		for _, c := range circle {
			doc.Circle = append(doc.Circle, newWireContact(c))
		}
		doc.Kudos = make([]wireKudos, 0, len(kudos))
		for _, k := range kudos {
			doc.Kudos = append(doc.Kudos, wireKudos{
				ID: formatID(k.ID), Giver: k.Giver, Receivers: nonNil(k.Receivers), Text: k.Text,
				Values: nonNil(k.Values), Channel: k.Channel, At: formatTime(k.At),
				TS: k.MessageTS, Private: k.Private,
			})
		}
		doc.Followups = make([]wireFollowup, 0, len(followups))
		for _, f := range followups {
			doc.Followups = append(doc.Followups, wireFollowup{
				ID: formatID(f.ID), Owner: f.Owner, Counterpart: f.Counterpart, Text: f.Text,
				Due: formatTime(f.Due), Created: formatTime(f.Created), Status: string(f.Status),
				DoneAt: formatOptionalTime(f.DoneAt), Note: f.Note, Link: f.Link, Channel: f.Channel,
				NextAt: formatOptionalTime(f.NextAt), Reminded: f.Reminded, Nudges: f.Nudges,
				LastNudge: formatOptionalTime(f.LastNudge), AskedAt: formatOptionalTime(f.AskedAt),
			})
		}
		doc.Coffee.Members = make([]wireMember, 0, len(members))
		for _, m := range members {
			doc.Coffee.Members = append(doc.Coffee.Members, wireMember{
				User: m.User, Joined: formatTime(m.Joined), PausedUntil: formatOptionalTime(m.PausedUntil),
				Via: m.Via, SkipAt: formatOptionalTime(m.SkipAt), Misses: m.Misses, Ghosted: m.PausedForSilence,
				Never: nonNil(m.Never), JoinSeen: m.JoinSeen,
			})
		}
		doc.Coffee.Rounds = make([]wireRound, 0, len(rounds))
		for _, r := range rounds {
			doc.Coffee.Rounds = append(doc.Coffee.Rounds, newWireRound(r))
		}
		doc.Checkins = make([]wireCheckin, 0, len(checkins))
		for _, c := range checkins {
			doc.Checkins = append(doc.Checkins, wireCheckin{
				ID: formatID(c.ID), User: c.User, With: c.With, At: formatTime(c.At), Note: c.Note,
			})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: export: %w", err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Kudos and follow-ups quote Slack mentions like <@U123>; keep them
	// readable instead of \u003c@U123\u003e.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("store: export: %w", err)
	}
	return nil
}

// newWireRound is r as the export document has it: the contract's groups,
// and their state alongside.
func newWireRound(r Round) wireRound {
	w := wireRound{
		ID: formatID(r.ID), At: formatTime(r.At), Manual: r.Manual, Closed: r.Closed,
		Groups:     make([][]string, 0, len(r.Groups)),
		SitOut:     make([]wireSitOut, 0, len(r.SitOut)),
		GroupState: make([]wireGroupState, 0, len(r.Groups)),
	}
	for _, g := range r.Groups {
		w.Groups = append(w.Groups, nonNil(g.Members))
		answers := make(map[string]string, len(g.Answers))
		for u, a := range g.Answers {
			answers[u] = string(a)
		}
		w.GroupState = append(w.GroupState, wireGroupState{
			Channel: g.Channel, IntroTS: g.IntroTS, Icebreaker: g.Icebreaker,
			Answers: answers, AnswerOrder: cloneStrings(g.AnswerOrder), DidYouMeetSent: g.DidYouMeetSent, Buddy: g.Buddy,
		})
	}
	for _, s := range r.SitOut {
		w.SitOut = append(w.SitOut, wireSitOut(s))
	}
	if r.Counts.Counted() {
		c := wireCounts(r.Counts)
		w.Counts = &c
	}
	return w
}

func formatID(id uint64) string { return strconv.FormatUint(id, 10) }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func formatOptionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := formatTime(t)
	return &s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ImportStats counts the records an Import wrote, by kind.
type ImportStats struct {
	Kudos, Followups, CoffeeMembers, Rounds, Checkins, People, CircleEntries int
}

// Import reads an export document (version 1 or 2) from r and upserts its
// records in one transaction: all of them, or none if anything is wrong.
//
// A person (version 2's "people") replaces the stored person of the same
// user, settings and profile cache alike; a circle entry replaces the
// stored contact of the same owner and other. A time-zone override is
// stored in its IANA spelling, whatever its case in the document.
//
// A record with an id replaces the stored record with that id (indexes
// follow); a record without one is added under a new id. Nothing that the
// document does not mention is deleted. Unknown fields are ignored.
// Sequences move past the largest imported id, so later Add* calls never
// reuse one.
//
// Fields beyond the contract may be missing: an open follow-up without
// "next_at" (an older export) is due for its reminder at "due", as
// AddFollowup has it, while "next_at": null means nothing is scheduled; a
// coffee member without "via" joined by command; a round without "closed"
// is closed (history: nobody will be asked about it), and one without
// "group_state" has groups without state (no icebreaker, no answers). Rounds are checked as
// CreateRound checks them; a round may share its instant with another
// (history; CreateRound and RoundAt then see the lower id).
//
// Follow-ups are checked as AddFollowup checks them, and stored under its
// rules (see Followup).
//
// A malformed document changes nothing and returns an error wrapping
// ErrInvalidImport that names the field, for example
// `store: import: kudos[3].at: parsing time "x" as …` or
// `store: import: coffee.rounds[2].group_state[0].answers.U1: must be yes,
// not_yet, no or cant (got "maybe")`. Every field is checked before
// anything is written.
func (db *DB) Import(r io.Reader) (ImportStats, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return ImportStats{}, fmt.Errorf("store: import: read: %w", err)
	}
	in, err := parseImport(data)
	if err != nil {
		return ImportStats{}, err
	}
	// Numbers first, for the records the file gives none: then writing
	// them is idempotent, and on etcd, where a large import takes more
	// writes than one transaction allows, it runs in steps that a crash
	// can cut short and a second import finishes.
	if err := db.update(in.reserveIDs); err != nil {
		return ImportStats{}, fmt.Errorf("store: import: %w", err)
	}
	if err := db.updateInSteps(in.apply, nil); err != nil {
		return ImportStats{}, fmt.Errorf("store: import: %w", err)
	}
	return in.stats(), nil
}

// importError names the field at fault. It wraps both ErrInvalidImport and
// the cause, so errors.Is and errors.As see either.
type importError struct {
	field string
	err   error
}

func (e *importError) Error() string   { return "store: import: " + e.field + ": " + e.err.Error() }
func (e *importError) Unwrap() []error { return []error{ErrInvalidImport, e.err} }

func invalid(field string, format string, args ...any) error {
	return &importError{field: field, err: fmt.Errorf(format, args...)}
}

// importDoc is the top of an import document, decoded before its records
// so each record can be decoded (and blamed) on its own.
type importDoc struct {
	Format    *string           `json:"format"`
	Version   *int              `json:"version"`
	Kudos     []json.RawMessage `json:"kudos"`
	Followups []json.RawMessage `json:"followups"`
	Coffee    struct {
		Members []json.RawMessage `json:"members"`
		Rounds  []json.RawMessage `json:"rounds"`
	} `json:"coffee"`
	Checkins []json.RawMessage `json:"checkins"`
	People   []json.RawMessage `json:"people"`
	Circle   []json.RawMessage `json:"circle"`
}

// parsedImport holds a document's records, checked and ready to write. An
// ID of 0 means "add under a new id".
type parsedImport struct {
	kudos     []Kudos
	followups []Followup
	members   []CoffeeMember
	rounds    []Round
	checkins  []Checkin
	people    []Person
	circle    []CircleEntry
}

func (p *parsedImport) stats() ImportStats {
	return ImportStats{
		Kudos: len(p.kudos), Followups: len(p.followups), CoffeeMembers: len(p.members),
		Rounds: len(p.rounds), Checkins: len(p.checkins), People: len(p.people), CircleEntries: len(p.circle),
	}
}

// parseImport decodes and checks a whole document without touching the
// database.
func parseImport(data []byte) (*parsedImport, error) {
	var doc importDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, decodeError("", err)
	}
	switch {
	case doc.Format == nil:
		return nil, invalid("format", "missing, want %q", exportFormat)
	case *doc.Format != exportFormat:
		return nil, invalid("format", "got %q, want %q", *doc.Format, exportFormat)
	case doc.Version == nil:
		return nil, invalid("version", "missing, want %d", exportVersion)
	case *doc.Version < exportMinVersion || *doc.Version > exportVersion:
		return nil, invalid("version", "got %d, want %d to %d", *doc.Version, exportMinVersion, exportVersion)
	}

	p := &parsedImport{}

	seen := map[uint64]string{}
	for i, raw := range doc.Kudos {
		field := fmt.Sprintf("kudos[%d]", i)
		var w wireKudos
		if err := decodeRecord(field, raw, &w); err != nil {
			return nil, err
		}
		id, err := parseImportID(field, w.ID, seen)
		if err != nil {
			return nil, err
		}
		at, err := parseImportTime(field+".at", w.At)
		if err != nil {
			return nil, err
		}
		if err := checkIndexable(at); err != nil {
			return nil, invalid(field+".at", "%w", err)
		}
		if err := checkUserID(w.Giver); err != nil {
			return nil, invalid(field+".giver", "%w", err)
		}
		for j, r := range w.Receivers {
			if err := checkUserID(r); err != nil {
				return nil, invalid(fmt.Sprintf("%s.receivers[%d]", field, j), "%w", err)
			}
		}
		p.kudos = append(p.kudos, Kudos{
			ID: id, Giver: w.Giver, Receivers: w.Receivers, Text: w.Text, Values: w.Values,
			Channel: w.Channel, MessageTS: w.TS, Private: w.Private, At: at,
		})
	}

	seen = map[uint64]string{}
	for i, raw := range doc.Followups {
		field := fmt.Sprintf("followups[%d]", i)
		var w importFollowup
		if err := decodeRecord(field, raw, &w); err != nil {
			return nil, err
		}
		id, err := parseImportID(field, w.ID, seen)
		if err != nil {
			return nil, err
		}
		f, err := parseImportFollowup(field, w)
		if err != nil {
			return nil, err
		}
		f.ID = id
		p.followups = append(p.followups, f)
	}

	users := map[string]int{}
	for i, raw := range doc.Coffee.Members {
		field := fmt.Sprintf("coffee.members[%d]", i)
		var w wireMember
		if err := decodeRecord(field, raw, &w); err != nil {
			return nil, err
		}
		if w.User == "" {
			return nil, invalid(field+".user", "missing")
		}
		if j, dup := users[w.User]; dup {
			return nil, invalid(field+".user", "%q is already coffee.members[%d]", w.User, j)
		}
		users[w.User] = i
		joined, err := parseImportTime(field+".joined", w.Joined)
		if err != nil {
			return nil, err
		}
		paused, err := parseOptionalImportTime(field+".paused_until", w.PausedUntil)
		if err != nil {
			return nil, err
		}
		skipAt, err := parseOptionalImportTime(field+".skip_at", w.SkipAt)
		if err != nil {
			return nil, err
		}
		m := CoffeeMember{
			User: w.User, Joined: joined, PausedUntil: paused, Via: w.Via, SkipAt: skipAt,
			Misses: w.Misses, PausedForSilence: w.Ghosted, Never: w.Never, JoinSeen: w.JoinSeen,
		}
		if err := checkImportMember(field, m); err != nil {
			return nil, err
		}
		p.members = append(p.members, m)
	}

	seen = map[uint64]string{}
	for i, raw := range doc.Coffee.Rounds {
		field := fmt.Sprintf("coffee.rounds[%d]", i)
		var w importRound
		if err := decodeRecord(field, raw, &w); err != nil {
			return nil, err
		}
		id, err := parseImportID(field, w.ID, seen)
		if err != nil {
			return nil, err
		}
		r, err := parseImportRound(field, w)
		if err != nil {
			return nil, err
		}
		r.ID = id
		p.rounds = append(p.rounds, r)
	}

	seen = map[uint64]string{}
	for i, raw := range doc.Checkins {
		field := fmt.Sprintf("checkins[%d]", i)
		var w wireCheckin
		if err := decodeRecord(field, raw, &w); err != nil {
			return nil, err
		}
		// The contract's check-ins have no id; ours do (export adds one).
		id, err := parseImportID(field, w.ID, seen)
		if err != nil {
			return nil, err
		}
		at, err := parseImportTime(field+".at", w.At)
		if err != nil {
			return nil, err
		}
		p.checkins = append(p.checkins, Checkin{ID: id, User: w.User, With: w.With, At: at, Note: w.Note})
	}

	users = map[string]int{}
	for i, raw := range doc.People {
		field := fmt.Sprintf("people[%d]", i)
		var w wirePerson
		if err := decodeRecord(field, raw, &w); err != nil {
			return nil, err
		}
		if j, dup := users[w.User]; dup {
			return nil, invalid(field+".user", "%q is already people[%d]", w.User, j)
		}
		users[w.User] = i
		person, err := parseImportPerson(field, w)
		if err != nil {
			return nil, err
		}
		p.people = append(p.people, person)
	}

	pairs := map[[2]string]int{}
	for i, raw := range doc.Circle {
		field := fmt.Sprintf("circle[%d]", i)
		var w wireContact
		if err := decodeRecord(field, raw, &w); err != nil {
			return nil, err
		}
		if j, dup := pairs[[2]string{w.Owner, w.Other}]; dup {
			return nil, invalid(field, "%s/%s is already circle[%d]", w.Owner, w.Other, j)
		}
		pairs[[2]string{w.Owner, w.Other}] = i
		c, err := parseImportContact(field, w)
		if err != nil {
			return nil, err
		}
		p.circle = append(p.circle, c)
	}
	return p, nil
}

// importFollowup is a follow-up as Import decodes it: wireFollowup, but
// with "next_at" kept raw, since an absent next_at (an export older than
// the field: the reminder at due is still to come) and a null one
// (nothing scheduled) mean different things.
type importFollowup struct {
	ID          string          `json:"id"`
	Owner       string          `json:"owner"`
	Counterpart string          `json:"counterpart"`
	Text        string          `json:"text"`
	Due         string          `json:"due"`
	Created     string          `json:"created"`
	Status      string          `json:"status"`
	DoneAt      *string         `json:"done_at"`
	Note        string          `json:"note"`
	Link        string          `json:"link"`
	Channel     string          `json:"channel"`
	NextAt      json.RawMessage `json:"next_at"` // nil: absent
	Reminded    bool            `json:"reminded"`
	Nudges      int             `json:"nudges"`
	LastNudge   *string         `json:"last_nudge"`
	AskedAt     *string         `json:"asked_at"`
}

// parseImportFollowup turns a document's follow-up (but its id) into a
// Followup and checks it as AddFollowup does, naming the field. An open
// follow-up without "next_at" gets its Due, as AddFollowup gives it.
func parseImportFollowup(field string, w importFollowup) (Followup, error) {
	status := FollowupStatus(w.Status)
	if !status.valid() {
		return Followup{}, invalid(field+".status", "must be open, done or dropped (got %q)", w.Status)
	}
	due, err := parseImportTime(field+".due", w.Due)
	if err != nil {
		return Followup{}, err
	}
	created, err := parseImportTime(field+".created", w.Created)
	if err != nil {
		return Followup{}, err
	}
	doneAt, err := parseOptionalImportTime(field+".done_at", w.DoneAt)
	if err != nil {
		return Followup{}, err
	}
	lastNudge, err := parseOptionalImportTime(field+".last_nudge", w.LastNudge)
	if err != nil {
		return Followup{}, err
	}
	askedAt, err := parseOptionalImportTime(field+".asked_at", w.AskedAt)
	if err != nil {
		return Followup{}, err
	}
	var nextAt time.Time
	if w.NextAt == nil {
		if status == FollowupOpen {
			nextAt = due
		}
	} else {
		var s *string
		if err := json.Unmarshal(w.NextAt, &s); err != nil {
			return Followup{}, invalid(field+".next_at", "want a string, got %s", jsonKind(bytes.TrimSpace(w.NextAt)))
		}
		if nextAt, err = parseOptionalImportTime(field+".next_at", s); err != nil {
			return Followup{}, err
		}
	}
	f := Followup{
		Owner: w.Owner, Counterpart: w.Counterpart, Text: w.Text,
		Due: due, Created: created, Status: status, DoneAt: doneAt,
		Note: w.Note, Link: w.Link, Channel: w.Channel,
		NextAt: nextAt, Reminded: w.Reminded, Nudges: w.Nudges, LastNudge: lastNudge, AskedAt: askedAt,
	}
	if name, err := checkFollowup(f); err != nil {
		return Followup{}, invalid(field+"."+name, "%w", err)
	}
	return f, nil
}

// checkImportMember checks what newCoffeeMemberRecord would refuse,
// naming the field.
func checkImportMember(field string, m CoffeeMember) error {
	if err := checkUserID(m.User); err != nil {
		return invalid(field+".user", "%w", err)
	}
	switch m.Via {
	case "", ViaCommand, ViaChannel:
	default:
		return invalid(field+".via", "must be %s or %s (got %q)", ViaCommand, ViaChannel, m.Via)
	}
	if m.Misses < 0 {
		return invalid(field+".misses", "must be 0 or more (got %d)", m.Misses)
	}
	for j, u := range m.Never {
		if err := checkUserID(u); err != nil {
			return invalid(fmt.Sprintf("%s.never[%d]", field, j), "%w", err)
		}
	}
	return nil
}

// importRound is a round as Import decodes it: wireRound, but with its
// sit-outs and group states (and their answers) decoded one by one, so
// that an error names the entry, which encoding/json's errors do not.
type importRound struct {
	ID         string            `json:"id"`
	At         string            `json:"at"`
	Groups     [][]string        `json:"groups"`
	Manual     bool              `json:"manual"`
	Closed     *bool             `json:"closed"`      // absent: true (history)
	SitOut     []json.RawMessage `json:"sit_out"`     // wireSitOut
	GroupState []json.RawMessage `json:"group_state"` // importGroupState; absent: no state
	Counts     *wireCounts       `json:"counts"`      // absent: not counted
}

type importGroupState struct {
	Channel        string                     `json:"channel"`
	IntroTS        string                     `json:"intro_ts"`
	Icebreaker     *int                       `json:"icebreaker"` // absent: -1
	Answers        map[string]json.RawMessage `json:"answers"`
	AnswerOrder    []string                   `json:"answer_order"` // absent: answers in no known order
	DidYouMeetSent bool                       `json:"checkin_sent"`
	Buddy          bool                       `json:"buddy"`
}

// parseImportRound turns a document's round (but its id) into a Round
// and checks it as CreateRound does, naming the field. A round without
// "closed" is history, closed; without "group_state", its groups have no
// state (no icebreaker).
func parseImportRound(field string, w importRound) (Round, error) {
	at, err := parseImportTime(field+".at", w.At)
	if err != nil {
		return Round{}, err
	}
	if w.GroupState != nil && len(w.GroupState) != len(w.Groups) {
		return Round{}, invalid(field+".group_state", "has %d entries for %d groups, want one per group", len(w.GroupState), len(w.Groups))
	}
	r := Round{At: at, Manual: w.Manual, Closed: w.Closed == nil || *w.Closed}
	if w.Counts != nil {
		r.Counts = RoundCounts(*w.Counts)
	}
	for j, members := range w.Groups {
		g := CoffeeGroup{Members: members, Icebreaker: -1}
		if w.GroupState != nil {
			sf := fmt.Sprintf("%s.group_state[%d]", field, j)
			var s importGroupState
			if err := decodeRecord(sf, w.GroupState[j], &s); err != nil {
				return Round{}, err
			}
			g.Channel, g.IntroTS, g.DidYouMeetSent, g.Buddy = s.Channel, s.IntroTS, s.DidYouMeetSent, s.Buddy
			g.AnswerOrder = cloneStrings(s.AnswerOrder)
			if s.Icebreaker != nil {
				g.Icebreaker = *s.Icebreaker
			}
			for _, u := range slices.Sorted(maps.Keys(s.Answers)) {
				var a string
				if err := json.Unmarshal(s.Answers[u], &a); err != nil {
					return Round{}, invalid(sf+".answers."+u, "want a string, got %s", jsonKind(bytes.TrimSpace(s.Answers[u])))
				}
				if g.Answers == nil {
					g.Answers = map[string]CoffeeAnswer{}
				}
				g.Answers[u] = CoffeeAnswer(a)
			}
		}
		r.Groups = append(r.Groups, g)
	}
	for k, raw := range w.SitOut {
		var s wireSitOut
		if err := decodeRecord(fmt.Sprintf("%s.sit_out[%d]", field, k), raw, &s); err != nil {
			return Round{}, err
		}
		r.SitOut = append(r.SitOut, SitOut(s))
	}
	fields := roundFields{
		group:  func(g int) string { return fmt.Sprintf("%s.groups[%d]", field, g) },
		member: func(g, i int) string { return fmt.Sprintf("%s.groups[%d][%d]", field, g, i) },
		state:  func(g int) string { return fmt.Sprintf("%s.group_state[%d]", field, g) },
		sitOut: func(i int) string { return fmt.Sprintf("%s.sit_out[%d]", field, i) },
	}
	if f, err := checkRound(r, fields); err != nil {
		if f == "at" || f == "counts" {
			f = field + "." + f
		}
		return Round{}, invalid(f, "%w", err)
	}
	return r, nil
}

// apply writes the records inside one Update. Sequences go past the
// largest imported id first, so records without an id get fresh ones that
// collide neither with the document nor with later Add* calls.
// reserveIDs gives every record without an id the next number of its
// bucket, and moves each sequence past the ids the file gives.
func (p *parsedImport) reserveIDs(tx kvTx) error {
	for _, list := range []struct {
		bucket []byte
		n      int
		id     func(i int) *uint64
	}{
		{bucketKudos, len(p.kudos), func(i int) *uint64 { return &p.kudos[i].ID }},
		{bucketFollowups, len(p.followups), func(i int) *uint64 { return &p.followups[i].ID }},
		{bucketCoffeeRounds, len(p.rounds), func(i int) *uint64 { return &p.rounds[i].ID }},
		{bucketCheckins, len(p.checkins), func(i int) *uint64 { return &p.checkins[i].ID }},
	} {
		ids := make([]uint64, list.n)
		for i := range ids {
			ids[i] = *list.id(i)
		}
		if err := assignIDs(tx.Bucket(list.bucket), ids); err != nil {
			return err
		}
		for i, id := range ids {
			*list.id(i) = id
		}
	}
	return nil
}

func (p *parsedImport) apply(tx kvTx) error {
	kudosIDs := make([]uint64, len(p.kudos))
	for i, k := range p.kudos {
		kudosIDs[i] = k.ID
	}
	if err := assignIDs(tx.Bucket(bucketKudos), kudosIDs); err != nil {
		return err
	}
	// Like putKudos for each, but the index entries are written at the end
	// and in key order: a large import into one transaction would
	// otherwise take quadratic time (see putIndexEntries).
	kudos := tx.Bucket(bucketKudos)
	var entries []indexEntry
	for i, k := range p.kudos {
		id, rec := kudosIDs[i], newKudosRecord(k)
		if v := kudos.Get(idKey(id)); v != nil {
			var old kudosRecord
			if err := decodeValue(v, &old); err != nil {
				return fmt.Errorf("decode kudos %d: %w", id, err)
			}
			if err := deleteKudosIndexes(tx, id, old); err != nil {
				return err
			}
		}
		if err := putValue(kudos, idKey(id), rec); err != nil {
			return err
		}
		entries = append(entries, kudosIndexEntries(id, rec)...)
	}
	if err := putIndexEntries(tx, entries); err != nil {
		return err
	}

	followupIDs := make([]uint64, len(p.followups))
	for i, f := range p.followups {
		followupIDs[i] = f.ID
	}
	if err := assignIDs(tx.Bucket(bucketFollowups), followupIDs); err != nil {
		return err
	}
	// As for kudos: records in place, index entries at the end, in order.
	followups := tx.Bucket(bucketFollowups)
	entries = entries[:0]
	for i, f := range p.followups {
		id, rec := followupIDs[i], newFollowupRecord(f)
		if v := followups.Get(idKey(id)); v != nil {
			var old followupRecord
			if err := decodeValue(v, &old); err != nil {
				return fmt.Errorf("decode followup %d: %w", id, err)
			}
			for _, e := range followupIndexEntries(id, old) {
				if err := tx.Bucket(e.bucket).Delete(e.key); err != nil {
					return err
				}
			}
		}
		if err := putValue(followups, idKey(id), rec); err != nil {
			return err
		}
		entries = append(entries, followupIndexEntries(id, rec)...)
	}
	if err := putIndexEntries(tx, entries); err != nil {
		return err
	}

	members := tx.Bucket(bucketCoffeeMembers)
	for _, m := range p.members {
		rec, err := newCoffeeMemberRecord(m)
		if err != nil { // parseImport checked: a bug
			return fmt.Errorf("coffee member %s: %w", m.User, err)
		}
		if err := putValue(members, []byte(m.User), rec); err != nil {
			return err
		}
	}

	roundIDs := make([]uint64, len(p.rounds))
	for i, r := range p.rounds {
		roundIDs[i] = r.ID
	}
	if err := assignIDs(tx.Bucket(bucketCoffeeRounds), roundIDs); err != nil {
		return err
	}
	for i, r := range p.rounds {
		rec, err := newRoundRecord(r)
		if err != nil { // parseImport checked: a bug
			return fmt.Errorf("round %d: %w", roundIDs[i], err)
		}
		if err := putRound(tx, roundIDs[i], rec); err != nil {
			return err
		}
	}

	checkins := tx.Bucket(bucketCheckins)
	checkinIDs := make([]uint64, len(p.checkins))
	for i, c := range p.checkins {
		checkinIDs[i] = c.ID
	}
	if err := assignIDs(checkins, checkinIDs); err != nil {
		return err
	}
	for i, c := range p.checkins {
		if err := putValue(checkins, idKey(checkinIDs[i]), newCheckinRecord(c)); err != nil {
			return err
		}
	}
	return putPeopleAndCircle(tx, p.people, p.circle)
}

// assignIDs moves b's sequence past the largest id in ids, then replaces
// each 0 in ids with a fresh id from the sequence.
func assignIDs(b kvBucket, ids []uint64) error {
	var highest uint64
	for _, id := range ids {
		highest = max(highest, id)
	}
	if highest > b.Sequence() {
		if err := b.SetSequence(highest); err != nil {
			return err
		}
	}
	for i, id := range ids {
		if id != 0 {
			continue
		}
		next, err := b.NextSequence()
		if err != nil {
			return err
		}
		ids[i] = next
	}
	return nil
}

// decodeRecord decodes one array element into the wire struct w.
func decodeRecord(field string, raw json.RawMessage, w any) error {
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return invalid(field, "want an object, got %s", jsonKind(t))
	}
	if err := json.Unmarshal(raw, w); err != nil {
		return decodeError(field, err)
	}
	return nil
}

// decodeError turns a JSON decoding error into an importError naming the
// field: the record's own path plus the field the decoder reports.
func decodeError(field string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := field
		if te.Field != "" {
			if path != "" {
				path += "."
			}
			path += te.Field
		}
		if path == "" {
			path = "document"
		}
		return invalid(path, "want %s, got %s", describeType(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return invalid("document", "malformed JSON at byte %d: %w", se.Offset, err)
	}
	if field == "" {
		field = "document"
	}
	return invalid(field, "%w", err)
}

// describeType names a Go type the way the document's author sees it.
func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// jsonKind names the kind of a JSON value from its first byte.
func jsonKind(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// parseImportID parses a record's id. Empty means "no id: add as new".
// seen maps the ids met so far among records of the same kind to their
// field, so a document cannot give two records one id.
func parseImportID(field, s string, seen map[uint64]string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseUint(s, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, invalid(field+".id", "out of range (got %q)", s)
	case err != nil:
		return 0, invalid(field+".id", "not a number (got %q)", s)
	case id == 0:
		return 0, invalid(field+".id", "ids start at 1 (got \"0\")")
	}
	if other, dup := seen[id]; dup {
		return 0, invalid(field+".id", "%q is already the id of %s", s, other)
	}
	seen[id] = field
	return id, nil
}

// parseImportTime parses a required RFC 3339 time (any offset; stored in
// UTC).
func parseImportTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, invalid(field, "missing")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalid(field, "%w", err)
	}
	return t.UTC(), nil
}

// parseOptionalImportTime parses a time that may be null (or empty):
// zero then.
func parseOptionalImportTime(field string, s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	return parseImportTime(field, *s)
}
