package store

//go:generate go run gen_zonenames.go

import (
	"strings"
	"sync"
	"time"
)

// zonesByFold maps each zone name, lower-cased, to its canonical spelling.
var zonesByFold = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(zoneNames))
	for _, n := range zoneNames {
		m[strings.ToLower(n)] = n
	}
	return m
})

// CanonicalZone returns the IANA spelling of the time zone name, matched
// without regard to case or surrounding space ("america/new_york" gives
// "America/New_York"), and false when name is no zone this binary can
// load. "Local" is refused: it means the server's zone, never a person's.
func CanonicalZone(name string) (string, bool) {
	name = strings.TrimSpace(name)
	canon, ok := zonesByFold()[strings.ToLower(name)]
	if !ok {
		// A zone newer than the list, spelled exactly.
		canon = name
	}
	if canon == "" || canon == "Local" {
		return "", false
	}
	if _, err := time.LoadLocation(canon); err != nil {
		return "", false
	}
	return canon, true
}
