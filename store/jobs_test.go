package store_test

import (
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store/storetest"
)

func TestJobRuns(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)

	// Ensure a job that never ran says so.
	if at, ok, err := db.JobLastRun("coffee"); err != nil || ok || !at.IsZero() {
		t.Fatalf("JobLastRun(coffee) on a new db = %s, %v, %v, want zero, false, nil", at, ok, err)
	}

	paris := time.FixedZone("CET", 3600)
	steps := []struct {
		record time.Time
		want   time.Time
	}{
		{base, base},
		{base.Add(-time.Hour), base}, // older: ignored
		{base, base},                 // same: no change
		{base.Add(time.Nanosecond), base.Add(time.Nanosecond)},
		{base.Add(time.Hour).In(paris), base.Add(time.Hour)}, // stored as the instant, read back in UTC
	}
	for _, s := range steps {
		if err := db.RecordJobRun("coffee", s.record); err != nil {
			t.Fatalf("RecordJobRun(coffee, %s) = %v", s.record, err)
		}
		at, ok, err := db.JobLastRun("coffee")
		if err != nil || !ok || !at.Equal(s.want) || at.Location() != time.UTC {
			t.Errorf("after RecordJobRun(coffee, %s): JobLastRun = %s, %v, %v, want %s (UTC), true, nil", s.record, at, ok, err, s.want)
		}
	}

	// Ensure jobs are kept apart.
	if _, ok, _ := db.JobLastRun("digest"); ok {
		t.Errorf("JobLastRun(digest) = ok, want never ran")
	}
	if err := db.RecordJobRun("", base); err == nil {
		t.Errorf("RecordJobRun(\"\") = nil error, want one")
	}
}
