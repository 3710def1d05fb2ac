package store

import (
	"sync"
	"time"
)

// WorkWeek is the person's own working hours, or def where they set none.
// Both the bot (when to DM) and the scheduler (who can meet) use it.
func (p Person) WorkWeek(def WorkWeek) WorkWeek {
	w := def
	if p.WorkEnd > p.WorkStart {
		w.Start, w.End = p.WorkStart, p.WorkEnd
	}
	if len(p.WorkDays) > 0 {
		w.Days = p.WorkDays
	}
	return w
}

// zones caches loaded locations: time.LoadLocation reads and parses the
// zone database on every call.
var zones sync.Map // IANA name → *time.Location

// Location is the person's own zone: the one they chose in Rapport's
// settings, else Slack's, else def when Slack gave none (bots, some
// external users) or an unknown one.
func (p Person) Location(def *time.Location) *time.Location {
	tz := p.TZ
	if p.TZOverride != "" {
		tz = p.TZOverride
	}
	if tz == "" {
		return def
	}
	if loc, ok := zones.Load(tz); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return def
	}
	zones.Store(tz, loc)
	return loc
}
