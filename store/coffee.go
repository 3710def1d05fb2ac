package store

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// How a coffee member joined (CoffeeMember.Via). The strings are stored.
const (
	ViaCommand = "command" // /coffee join; the default
	ViaChannel = "channel" // enrolled as a member of RAPPORT_COFFEE_CHANNEL
)

// CoffeeMember is a person taking part in coffee rounds. A paused member
// stays enrolled but is left out of rounds until PausedUntil.
type CoffeeMember struct {
	User             string    // Slack user ID
	Joined           time.Time // when they joined
	PausedUntil      time.Time // zero: not paused; paused while now < PausedUntil (see Paused)
	Via              string    // ViaCommand or ViaChannel; stored as ViaCommand when empty
	SkipAt           time.Time // skip the round scheduled at exactly this instant (see Skips)
	Misses           int       // consecutive rounds without any answer to "did you meet?"; never negative
	PausedForSilence bool      // left out after too many misses, until they choose to stay
	Never            []string  // private: never grouped with these people; stored sorted, unique, without "" or User
	// JoinSeen: Rapport saw them join RAPPORT_COFFEE_CHANNEL (its
	// member_joined_channel event), so Joined is when they arrived. False
	// for people it found in the channel when it started (a fresh install
	// enrols the whole channel then) and for /coffee join: those are not
	// newcomers to the channel.
	JoinSeen bool
}

// Paused reports whether m sits rounds out at now: now < PausedUntil.
func (m CoffeeMember) Paused(now time.Time) bool { return now.Before(m.PausedUntil) }

// Skips reports whether m asked to skip the round scheduled at at: SkipAt
// is exactly that instant (any other round, earlier or later, is not
// skipped).
func (m CoffeeMember) Skips(at time.Time) bool { return !m.SkipAt.IsZero() && m.SkipAt.Equal(at) }

// coffeeMemberRecord is the stored value of coffee_members; the user ID is
// the key.
type coffeeMemberRecord struct {
	Joined      time.Time `json:"joined"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
	Via         string    `json:"via,omitempty"` // since v4, always set
	SkipAt      time.Time `json:"skip_at,omitzero"`
	Misses      int       `json:"misses,omitempty"`
	Ghosted     bool      `json:"ghosted,omitempty"`
	Never       []string  `json:"never,omitempty"`
	// ClosedRound is the last round whose closing counted this member
	// (optional, no migration): a close that etcd's limits split into
	// steps, cut short by a crash, skips them when it resumes.
	ClosedRound uint64 `json:"closed_round,omitempty"`
	JoinSeen    bool   `json:"join_seen,omitempty"` // optional; absent: not seen joining
}

func (r coffeeMemberRecord) member(user string) CoffeeMember {
	return CoffeeMember{
		User: user, Joined: utc(r.Joined), PausedUntil: utc(r.PausedUntil), Via: r.Via,
		SkipAt: utc(r.SkipAt), Misses: r.Misses, PausedForSilence: r.Ghosted, Never: cloneStrings(r.Never),
		JoinSeen: r.JoinSeen,
	}
}

// newCoffeeMemberRecord checks m and normalises it into its stored form:
// Via defaulted, Never sorted and unique without "" or m.User, times in
// UTC. m.Joined must be set (callers default it to now).
func newCoffeeMemberRecord(m CoffeeMember) (coffeeMemberRecord, error) {
	if m.User == "" {
		return coffeeMemberRecord{}, errors.New("empty user")
	}
	if err := checkUserID(m.User); err != nil {
		return coffeeMemberRecord{}, err
	}
	via := m.Via
	switch via {
	case "":
		via = ViaCommand
	case ViaCommand, ViaChannel:
	default:
		return coffeeMemberRecord{}, fmt.Errorf("via %q: must be %s or %s", m.Via, ViaCommand, ViaChannel)
	}
	if m.Misses < 0 {
		return coffeeMemberRecord{}, fmt.Errorf("misses %d: must be 0 or more", m.Misses)
	}
	never := slices.Compact(slices.Sorted(slices.Values(m.Never)))
	never = slices.DeleteFunc(never, func(u string) bool { return u == "" || u == m.User })
	for _, u := range never {
		if err := checkUserID(u); err != nil {
			return coffeeMemberRecord{}, fmt.Errorf("never: %w", err)
		}
	}
	return coffeeMemberRecord{
		Joined: utc(m.Joined), PausedUntil: utc(m.PausedUntil), Via: via, SkipAt: utc(m.SkipAt),
		Misses: m.Misses, Ghosted: m.PausedForSilence, Never: cloneStrings(never), JoinSeen: m.JoinSeen,
	}, nil
}

// getCoffeeMember reads user from b (the coffee_members bucket).
func getCoffeeMember(b kvBucket, user string) (CoffeeMember, bool, error) {
	rec, ok, err := getCoffeeMemberRecord(b, user)
	if !ok || err != nil {
		return CoffeeMember{}, ok, err
	}
	return rec.member(user), true, nil
}

// getCoffeeMemberRecord reads user's stored record from b.
func getCoffeeMemberRecord(b kvBucket, user string) (coffeeMemberRecord, bool, error) {
	v := b.Get([]byte(user))
	if v == nil {
		return coffeeMemberRecord{}, false, nil
	}
	var rec coffeeMemberRecord
	if err := decodeValue(v, &rec); err != nil {
		return coffeeMemberRecord{}, false, fmt.Errorf("decode coffee member %s: %w", user, err)
	}
	return rec, true, nil
}

// PutCoffeeMember adds m, or replaces the member with the same User
// (import and tests; the bot uses UpdateCoffeeMember). A zero Joined means
// now. User must not be empty; see CoffeeMember for how the other fields
// are stored.
func (db *DB) PutCoffeeMember(m CoffeeMember) error {
	m.Joined = orNow(m.Joined, db.now)
	rec, err := newCoffeeMemberRecord(m)
	if err != nil {
		return fmt.Errorf("store: put coffee member %s: %w", m.User, err)
	}
	err = db.update(func(tx kvTx) error {
		return putValue(tx.Bucket(bucketCoffeeMembers), []byte(m.User), rec)
	})
	if err != nil {
		return fmt.Errorf("store: put coffee member %s: %w", m.User, err)
	}
	return nil
}

// CoffeeMember returns the member user, or an error wrapping ErrNotFound
// if they are not one.
func (db *DB) CoffeeMember(user string) (CoffeeMember, error) {
	var m CoffeeMember
	err := db.view(func(tx kvTx) error {
		var ok bool
		var err error
		if m, ok, err = getCoffeeMember(tx.Bucket(bucketCoffeeMembers), user); err == nil && !ok {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return CoffeeMember{}, fmt.Errorf("store: get coffee member %s: %w", user, err)
	}
	return m, nil
}

// UpdateCoffeeMember reads the member user, lets f change it and stores
// the result, all in one transaction, and returns the stored copy and
// whether the member is new. Someone who is not a member starts as
// CoffeeMember{User: user, Joined: now} (joining); f may set Joined, and
// a Joined left zero means now. f cannot change User.
//
// If f returns an error, nothing is written and the error comes back
// wrapped (errors.Is sees it); so does a member that cannot be stored
// (see CoffeeMember: an unknown Via, negative Misses). f runs inside the
// write transaction, which blocks every other writer: it must only
// decide and set fields (no Slack calls, no store calls, which would
// deadlock).
//
// e is what the change causes (a Home refresh, say), written in the same
// transaction; an effect that cannot be stored fails the update.
func (db *DB) UpdateCoffeeMember(user string, f func(m *CoffeeMember) error, e Effects) (CoffeeMember, bool, error) {
	if user == "" {
		return CoffeeMember{}, false, errors.New("store: update coffee member: empty user")
	}
	now := db.now().UTC()
	var (
		rec     coffeeMemberRecord
		created bool
	)
	c, err := e.check(now)
	if err != nil {
		return CoffeeMember{}, false, fmt.Errorf("store: update coffee member %s: %w", user, err)
	}
	err = db.update(func(tx kvTx) error {
		b := tx.Bucket(bucketCoffeeMembers)
		old, ok, err := getCoffeeMemberRecord(b, user)
		if err != nil {
			return err
		}
		m := old.member(user)
		if !ok {
			m = CoffeeMember{User: user, Joined: now}
		}
		if err := f(&m); err != nil {
			return err
		}
		m.User = user
		if m.Joined.IsZero() {
			m.Joined = now
		}
		if rec, err = newCoffeeMemberRecord(m); err != nil {
			return err
		}
		rec.ClosedRound = old.ClosedRound
		created = !ok
		if err := putValue(b, []byte(user), rec); err != nil {
			return err
		}
		return c.apply(tx)
	})
	if err != nil {
		return CoffeeMember{}, false, fmt.Errorf("store: update coffee member %s: %w", user, err)
	}
	return rec.member(user), created, nil
}

// RemoveCoffeeMember deletes the member user (they leave) and reports
// whether there was one. Past rounds keep them in their groups. e is what
// leaving causes, written in the same transaction (also when user was no
// member: the effects are the action's, whatever it found).
func (db *DB) RemoveCoffeeMember(user string, e Effects) (bool, error) {
	var found bool
	c, err := e.check(db.now().UTC())
	if err != nil {
		return false, fmt.Errorf("store: remove coffee member %s: %w", user, err)
	}
	err = db.update(func(tx kvTx) error {
		b := tx.Bucket(bucketCoffeeMembers)
		if found = b.Get([]byte(user)) != nil; found {
			if err := b.Delete([]byte(user)); err != nil {
				return err
			}
		}
		return c.apply(tx)
	})
	if err != nil {
		return false, fmt.Errorf("store: remove coffee member %s: %w", user, err)
	}
	return found, nil
}

// CoffeeMembers returns every member, paused or not, sorted by User.
func (db *DB) CoffeeMembers() ([]CoffeeMember, error) {
	var out []CoffeeMember
	err := db.view(func(tx kvTx) error {
		var err error
		out, err = allCoffeeMembers(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list coffee members: %w", err)
	}
	return out, nil
}

// allCoffeeMembers returns every member in key order, which is User order.
func allCoffeeMembers(tx kvTx) ([]CoffeeMember, error) {
	var out []CoffeeMember
	err := tx.Bucket(bucketCoffeeMembers).ForEach(func(k, v []byte) error {
		var rec coffeeMemberRecord
		if err := decodeValue(v, &rec); err != nil {
			return fmt.Errorf("decode coffee member %s: %w", k, err)
		}
		out = append(out, rec.member(string(k)))
		return nil
	})
	return out, err
}

// CoffeeCadence is how often scheduled coffee rounds happen
// (RAPPORT_COFFEE_CADENCE).
type CoffeeCadence string

// The cadences.
const (
	CadenceWeekly   CoffeeCadence = "weekly"
	CadenceBiweekly CoffeeCadence = "biweekly"
	CadenceMonthly  CoffeeCadence = "monthly"
)

// minGap is the least time between two rounds of cadence c: a day short
// of the shortest gap the cadence has (7 days, 14, and 28 for a month
// like February), so that a round at the same local hour a week (or
// month) later is due whatever daylight saving time and a late tick did
// in between.
func (c CoffeeCadence) minGap() (time.Duration, bool) {
	const day = 24 * time.Hour
	switch c {
	case CadenceWeekly:
		return 6 * day, true
	case CadenceBiweekly:
		return 13 * day, true
	case CadenceMonthly:
		return 27 * day, true
	}
	return 0, false
}

// Valid reports whether c is one of the cadences.
func (c CoffeeCadence) Valid() bool {
	_, ok := c.minGap()
	return ok
}

// Due reports whether a scheduled round at at is due, the last round
// having been at last (zero: there was none): true when there was none,
// or at is at least 6 (weekly), 13 (biweekly) or 27 (monthly) days after
// last. An unknown cadence is never due (check Valid when reading the
// configuration).
func (c CoffeeCadence) Due(last, at time.Time) bool {
	gap, ok := c.minGap()
	switch {
	case !ok:
		return false
	case last.IsZero():
		return true
	}
	return at.Sub(last) >= gap
}
