package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Effects are what a person's action causes besides its own record: the
// people it puts in touch, and the messages it sends (posts, DMs, notes,
// Home refreshes), queued in the outbox. A method that takes Effects
// commits them in the same transaction as the record: after a crash there
// is either the action with every effect queued, or nothing at all, and
// the outbox delivers what was queued exactly once (each item's Key makes
// queueing it idempotent).
type Effects struct {
	InTouch []InTouch  // pairs now in touch
	Outbox  []Outgoing // messages to send, in this order when due together
}

// InTouch is one interaction that restarts a pair's stay-in-touch clock
// (see RecordInTouch).
type InTouch struct {
	A, B string
	At   time.Time
	Kind string // InTouchCoffee, InTouchKudos, InTouchFollowup or InTouchCheckin
}

// checkedEffects are Effects checked and encoded, ready to write.
type checkedEffects struct {
	inTouch []InTouch
	outbox  []outgoingRecord
}

// check validates e before any transaction starts, so a bad effect fails
// the action with nothing written. now is the queueing time.
func (e Effects) check(now time.Time) (checkedEffects, error) {
	var c checkedEffects
	for _, t := range e.InTouch {
		if err := checkInTouch(t); err != nil {
			return c, fmt.Errorf("in touch %s and %s: %w", t.A, t.B, err)
		}
		t.At = t.At.UTC()
		c.inTouch = append(c.inTouch, t)
	}
	for _, o := range e.Outbox {
		if o.NotBefore.IsZero() {
			o.NotBefore = now
		}
		rec, err := newOutgoingRecord(o, now)
		if err != nil {
			return c, fmt.Errorf("outbox %q: %w", o.Key, err)
		}
		c.outbox = append(c.outbox, rec)
	}
	return c, nil
}

// apply writes the effects in tx. It may run more than once for one
// commit (a Batch re-runs its functions after a rollback): every write is
// idempotent.
func (c checkedEffects) apply(tx kvTx) error {
	for _, t := range c.inTouch {
		if err := recordInTouchTx(tx, t); err != nil {
			return fmt.Errorf("in touch %s and %s: %w", t.A, t.B, err)
		}
	}
	for _, rec := range c.outbox {
		if _, _, err := enqueueTx(tx, rec); err != nil {
			return fmt.Errorf("outbox %q: %w", rec.Key, err)
		}
	}
	return nil
}

// empty reports whether there is nothing to write.
func (c checkedEffects) empty() bool { return len(c.inTouch) == 0 && len(c.outbox) == 0 }

// Commit writes effects that belong to no record of their own (a Home
// refresh after a setting saved elsewhere, say) in one transaction.
func (db *DB) Commit(e Effects) error {
	c, err := e.check(db.now().UTC())
	if err != nil {
		return fmt.Errorf("store: commit effects: %w", err)
	}
	if c.empty() {
		return nil
	}
	if err := db.update(c.apply); err != nil {
		return fmt.Errorf("store: commit effects: %w", err)
	}
	return nil
}

// checkInTouch refuses an interaction RecordInTouch would refuse.
func checkInTouch(t InTouch) error {
	if err := checkPair(t.A, t.B); err != nil {
		return err
	}
	if !slices.Contains(inTouchKinds, t.Kind) {
		return fmt.Errorf("kind %q: want one of %s", t.Kind, strings.Join(inTouchKinds, ", "))
	}
	if t.At.IsZero() {
		return errors.New("zero time")
	}
	return nil
}
