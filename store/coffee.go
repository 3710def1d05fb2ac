package store

import (
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CoffeeMember is a person taking part in coffee rounds. A paused member
// stays enrolled but is left out of rounds until PausedUntil.
type CoffeeMember struct {
	User        string    // Slack user ID
	Joined      time.Time // when they joined
	PausedUntil time.Time // zero: not paused
}

// coffeeMemberRecord is the stored value of coffee_members; the user ID is
// the key.
type coffeeMemberRecord struct {
	Joined      time.Time `json:"joined"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
}

func (r coffeeMemberRecord) member(user string) CoffeeMember {
	return CoffeeMember{User: user, Joined: utc(r.Joined), PausedUntil: utc(r.PausedUntil)}
}

func newCoffeeMemberRecord(m CoffeeMember) coffeeMemberRecord {
	return coffeeMemberRecord{Joined: utc(m.Joined), PausedUntil: utc(m.PausedUntil)}
}

// PutCoffeeMember adds m, or replaces the member with the same User. A
// zero Joined means now. User must not be empty.
func (db *DB) PutCoffeeMember(m CoffeeMember) error {
	if m.User == "" {
		return errors.New("store: put coffee member: empty user")
	}
	m.Joined = orNow(m.Joined, db.now)
	rec := newCoffeeMemberRecord(m)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return putValue(tx.Bucket(bucketCoffeeMembers), []byte(m.User), rec)
	})
	if err != nil {
		return fmt.Errorf("store: put coffee member %s: %w", m.User, err)
	}
	return nil
}

// CoffeeMembers returns every member, paused or not, sorted by User.
func (db *DB) CoffeeMembers() ([]CoffeeMember, error) {
	var out []CoffeeMember
	err := db.bolt.View(func(tx *bolt.Tx) error {
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
func allCoffeeMembers(tx *bolt.Tx) ([]CoffeeMember, error) {
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

// Round is one coffee round: who was grouped with whom.
type Round struct {
	ID     uint64     // assigned by AddRound
	At     time.Time  // when the round started
	Groups [][]string // Slack user IDs, one slice per group
}

// roundRecord is the stored value of coffee_rounds; the id is the key.
type roundRecord struct {
	At     time.Time  `json:"at"`
	Groups [][]string `json:"groups,omitempty"`
}

func (r roundRecord) round(id uint64) Round {
	return Round{ID: id, At: utc(r.At), Groups: cloneGroups(r.Groups)}
}

func newRoundRecord(r Round) roundRecord {
	return roundRecord{At: utc(r.At), Groups: cloneGroups(r.Groups)}
}

// cloneGroups deep-copies groups; empty becomes nil, as for cloneStrings.
func cloneGroups(groups [][]string) [][]string {
	if len(groups) == 0 {
		return nil
	}
	out := make([][]string, len(groups))
	for i, g := range groups {
		out[i] = cloneStrings(g)
	}
	return out
}

// AddRound stores r under a new ID (r.ID is ignored) and returns the
// stored copy. A zero At means now.
func (db *DB) AddRound(r Round) (Round, error) {
	r.At = orNow(r.At, db.now)
	rec := newRoundRecord(r)
	var id uint64
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCoffeeRounds)
		var err error
		if id, err = b.NextSequence(); err != nil {
			return err
		}
		return putValue(b, idKey(id), rec)
	})
	if err != nil {
		return Round{}, fmt.Errorf("store: add round: %w", err)
	}
	return rec.round(id), nil
}

// Rounds returns every round, oldest first: by At, and by ID for equal
// times (an imported round may be older than one added before it).
func (db *DB) Rounds() ([]Round, error) {
	var out []Round
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = allRounds(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list rounds: %w", err)
	}
	// Rounds are few (one a week or so): sorting beats keeping an index.
	slices.SortStableFunc(out, func(a, b Round) int { return a.At.Compare(b.At) })
	return out, nil
}

// allRounds returns every round, by ID.
func allRounds(tx *bolt.Tx) ([]Round, error) {
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
