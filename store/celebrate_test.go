package store_test

import (
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestMonthDayIn(t *testing.T) {
	tests := []struct {
		d     store.MonthDay
		year  int
		month time.Month
		day   int
	}{
		{store.MonthDay{Month: time.February, Day: 29}, 2027, time.February, 28},
		{store.MonthDay{Month: time.February, Day: 29}, 2028, time.February, 29},
		{store.MonthDay{Month: time.February, Day: 29}, 2100, time.February, 28},
		{store.MonthDay{Month: time.March, Day: 14}, 2027, time.March, 14},
	}
	for _, tt := range tests {
		m, d := tt.d.In(tt.year)
		if m != tt.month || d != tt.day {
			t.Errorf("%v.In(%d) = %v %d, want %v %d", tt.d, tt.year, m, d, tt.month, tt.day)
		}
	}
}

func TestParseMonthDay(t *testing.T) {
	for in, ok := range map[string]bool{"03-14": true, "02-29": true, "02-30": false, "13-01": false, "3-14": false, "00-00": false} {
		_, err := store.ParseMonthDay(in)
		if (err == nil) != ok {
			t.Errorf("ParseMonthDay(%q) error = %v, want ok %v", in, err, ok)
		}
	}
}

// Ensure a birthday that no year has is refused, and nothing is stored.
func TestUpdatePersonRefusesImpossibleBirthday(t *testing.T) {
	db := storetest.MustOpen(t)
	if _, err := db.UpdatePerson("U1", func(p *store.Person) { p.Birthday = store.MonthDay{Month: time.April, Day: 31} }, store.Effects{}); err == nil {
		t.Fatalf("UpdatePerson with 31 April: no error")
	}
	if _, err := db.Person("U1"); err == nil {
		t.Errorf("a person was stored after a refused update")
	}
}
