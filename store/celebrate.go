package store

import (
	"fmt"
	"time"
)

// Celebrations: a person may tell Rapport their birthday and the day they
// started at the company, and choose how those days are celebrated. Both
// are optional fields of the person record (absent: nothing to celebrate),
// so they travel with it through export, my-data and forget-me.
//
// A birthday is a month and a day and never a year: Rapport has no use
// for anyone's age, so it never keeps one.

// MonthDay is a day of the year without a year: a birthday. The zero
// value is no day.
type MonthDay struct {
	Month time.Month
	Day   int
}

// IsZero reports whether d is unset.
func (d MonthDay) IsZero() bool { return d.Month == 0 && d.Day == 0 }

// Valid reports whether d is a day some year has (29 February included).
func (d MonthDay) Valid() bool {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	// 2024 is a leap year, so February has its 29th.
	return d.Day <= time.Date(2024, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// In returns d's date in year y: 29 February is 28 February in a year
// without one.
func (d MonthDay) In(y int) (time.Month, int) {
	if d.Month == time.February && d.Day == 29 && time.Date(y, time.March, 0, 0, 0, 0, 0, time.UTC).Day() != 29 {
		return time.February, 28
	}
	return d.Month, d.Day
}

// String writes d as "03-14", the form it is stored and exported in.
func (d MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(d.Month), d.Day) }

// ParseMonthDay reads MonthDay.String's "03-14".
func ParseMonthDay(s string) (MonthDay, error) {
	var m, d int
	if _, err := fmt.Sscanf(s, "%2d-%2d", &m, &d); err != nil || len(s) != 5 {
		return MonthDay{}, fmt.Errorf("want a month and day as MM-DD, such as 03-14 (got %q)", s)
	}
	md := MonthDay{Month: time.Month(m), Day: d}
	if !md.Valid() {
		return MonthDay{}, fmt.Errorf("%q is not a day of the year", s)
	}
	return md, nil
}

// Date is a calendar date without a time of day or a zone: the day a
// person started at the company. The zero value is no date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// String writes d as "2021-06-01", the form it is stored and exported in.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// ParseDate reads Date.String's "2021-06-01", refusing a day that does
// not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("want a date as YYYY-MM-DD, such as 2021-06-01 (got %q)", s)
	}
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, nil
}

// Visibility is how a person's celebrations are shared. Its strings are
// stored and exported.
type Visibility string

// The visibilities. A person with a date and no visibility has never
// chosen one: Private, the default (see EffectiveVisibility).
const (
	VisibilityPublic  Visibility = "public"  // a post in the celebrations channel
	VisibilityPrivate Visibility = "private" // a DM from Rapport, to the person alone
	VisibilityNone    Visibility = "none"    // kept, but celebrated nowhere
)

// ValidVisibility reports whether v is one of the visibilities, or "".
func ValidVisibility(v Visibility) bool {
	switch v {
	case "", VisibilityPublic, VisibilityPrivate, VisibilityNone:
		return true
	}
	return false
}

// Celebrates reports whether the person told Rapport a day to celebrate.
func (p Person) Celebrates() bool { return !p.Birthday.IsZero() || !p.Started.IsZero() }

// EffectiveVisibility is the person's choice, or Private when they gave
// a date without choosing: a birthday told to Rapport is not yet a
// birthday told to the whole company.
func (p Person) EffectiveVisibility() Visibility {
	if p.Visibility == "" {
		return VisibilityPrivate
	}
	return p.Visibility
}

// Celebrants returns every person with a birthday or a start date, by
// user ID: the people the celebration job looks at.
func (db *DB) Celebrants() ([]Person, error) {
	var out []Person
	err := db.view(func(tx kvTx) error {
		all, err := allPeople(tx)
		if err != nil {
			return err
		}
		for _, p := range all {
			if p.Celebrates() {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: celebrants: %w", err)
	}
	return out, nil
}
