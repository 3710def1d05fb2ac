package store

import (
	"archive/zip"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // every listed zone must load, whatever the host has installed
)

// Ensure a zone is matched whatever its case, and stored in its IANA
// spelling; what is not a zone is refused.
func TestCanonicalZone(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"America/New_York", "America/New_York", true},
		{"america/new_york", "America/New_York", true},
		{"  AMERICA/LOS_ANGELES ", "America/Los_Angeles", true},
		{"america/port-au-prince", "America/Port-au-Prince", true},
		{"antarctica/dumontdurville", "Antarctica/DumontDUrville", true},
		{"utc", "UTC", true},
		{"Local", "", false},
		{"local", "", false},
		{"", "", false},
		{"Mars/Base", "", false},
		{"../../etc/passwd", "", false},
	} {
		got, ok := CanonicalZone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CanonicalZone(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// Ensure every listed zone loads, and the list is the zone database of the
// Go that builds Rapport (after a Go upgrade: go generate ./store).
func TestZoneNamesMatchGoroot(t *testing.T) {
	for _, n := range zoneNames {
		if _, err := time.LoadLocation(n); err != nil {
			t.Errorf("listed zone %q does not load: %v", n, err)
		}
	}
	z, err := zip.OpenReader(filepath.Join(runtime.GOROOT(), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Skipf("no zone database in GOROOT to compare with: %v", err)
	}
	defer z.Close()
	var names []string
	for _, f := range z.File {
		if !strings.HasSuffix(f.Name, "/") {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, zoneNames) {
		t.Errorf("zoneNames has %d names, GOROOT's database %d: run go generate ./store", len(zoneNames), len(names))
	}
}
