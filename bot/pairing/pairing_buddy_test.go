package pairing_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/rapport-bot/rapport/bot/pairing"
)

// buddyRound makes a round of people in UTC's default week, marking
// first-rounders and volunteers by ID.
func buddyRound(ids []string, first, vols []string) []pairing.Person {
	people := crowd(time.UTC, ids...)
	for i := range people {
		people[i].FirstRound = slices.Contains(first, people[i].ID)
		people[i].Newcomer = people[i].FirstRound
		people[i].Volunteer = slices.Contains(vols, people[i].ID)
	}
	return people
}

// groupOf returns the group holding id, or nil.
func groupOf(r pairing.Result, id string) []string {
	for _, g := range r.Groups {
		if slices.Contains(g, id) {
			return g
		}
	}
	return nil
}

func TestPairBuddyTable(t *testing.T) {
	t.Parallel()
	tokyo := pairZone(t, "Asia/Tokyo")
	ny := pairZone(t, "America/New_York")
	tests := []struct {
		name   string
		people []pairing.Person
		never  map[string][]string
		size   int
		// want maps each newcomer to the volunteer they must be with ("":
		// with none: no buddy for them).
		want map[string]string
		// sitOut is how many may sit out.
		sitOut int
		// count, when set, is how many newcomers have a buddy.
		count int
	}{
		{
			name:   "OneNewcomerOneVolunteer",
			people: buddyRound(names(6), []string{"p05"}, []string{"p02"}),
			want:   map[string]string{"p05": "p02"},
		},
		{
			name:   "TwoNewcomersTwoVolunteersOneEach",
			people: buddyRound(names(8), []string{"p06", "p07"}, []string{"p00", "p01"}),
			want:   map[string]string{"p06": "?", "p07": "?"},
		},
		{
			// The others are paired as ordinary newcomers: nobody sits out.
			name:   "MoreNewcomersThanVolunteersOneBuddyTheRestPaired",
			people: buddyRound(names(6), []string{"p03", "p04", "p05"}, []string{"p00"}),
			count:  1,
		},
		{
			name: "VolunteerWithoutSharedHoursIsNoBuddy",
			people: append(buddyRound(names(4), []string{"p03"}, nil),
				worker("t00", defaultWeek, tokyo), worker("t01", defaultWeek, tokyo)),
			want: map[string]string{"p03": ""},
		},
		{
			name:   "NeverListKeepsThemApart",
			people: buddyRound(names(4), []string{"p03"}, []string{"p00"}),
			never:  map[string][]string{"p00": {"p03"}},
			want:   map[string]string{"p03": ""},
		},
		{
			name: "TheVolunteerWhoWorksWhenTheNewcomerDoesGoesToThem",
			// n00 (New York) shares hours only with the New York
			// volunteer; p00 (UTC) shares with both volunteers.
			people: func() []pairing.Person {
				ps := buddyRound([]string{"p00", "p01", "p02", "p03"}, []string{"p00"}, []string{"p01"})
				nyNew := worker("n00", week{Start: 13 * time.Hour, End: 18 * time.Hour, Days: defaultWeek.Days}, ny)
				nyNew.FirstRound, nyNew.Newcomer = true, true
				nyVol := worker("n01", defaultWeek, ny)
				nyVol.Volunteer = true
				return append(ps, nyNew, nyVol)
			}(),
			want: map[string]string{"p00": "p01", "n00": "n01"},
		},
		{
			name:   "GroupsOfFourStillGiveAOneToOneBuddy",
			people: buddyRound(names(9), []string{"p08"}, []string{"p01"}),
			size:   4,
			want:   map[string]string{"p08": "p01"},
		},
	}
	for _, tt := range tests {
		for seed := int64(0); seed < 8; seed++ {
			in := pairing.Input{People: tt.people, GroupSize: tt.size, MinOverlap: time.Hour, Never: tt.never, Now: pairNow, Seed: seed}
			got := pairing.Pair(in)
			if msg := checkPairing(in, got); msg != "" {
				t.Errorf("%s seed %d: %s (%v)", tt.name, seed, msg, got)
				continue
			}
			if len(got.SitOut) > tt.sitOut {
				t.Errorf("%s seed %d: sit-outs %v, want at most %d", tt.name, seed, got.SitOut, tt.sitOut)
			}
			if tt.count > 0 && len(got.Buddies) != tt.count {
				t.Errorf("%s seed %d: buddies %v, want %d", tt.name, seed, got.Buddies, tt.count)
			}
			volunteers := map[string]int{}
			for newcomer, want := range tt.want {
				var buddy string
				for _, b := range got.Buddies {
					if b.Newcomer == newcomer {
						buddy = b.Volunteer
					}
				}
				switch {
				case want == "" && buddy != "":
					t.Errorf("%s seed %d: %s has buddy %s, want none", tt.name, seed, newcomer, buddy)
				case want != "" && buddy == "":
					t.Errorf("%s seed %d: %s has no buddy (groups %v), want one", tt.name, seed, newcomer, got.Groups)
				case want != "" && want != "?" && buddy != want:
					t.Errorf("%s seed %d: %s's buddy is %s, want %s", tt.name, seed, newcomer, buddy, want)
				case buddy != "" && !slices.Contains(groupOf(got, newcomer), buddy):
					t.Errorf("%s seed %d: %s and buddy %s are not in one group: %v", tt.name, seed, newcomer, buddy, got.Groups)
				}
				if buddy != "" {
					volunteers[buddy]++
				}
			}
			// One newcomer per volunteer.
			for v, c := range volunteers {
				if c > 1 {
					t.Errorf("%s seed %d: volunteer %s has %d newcomers", tt.name, seed, v, c)
				}
			}
			if g := groupOf(got, "p08"); tt.size == 4 && len(g) != 2 {
				t.Errorf("%s seed %d: buddy group %v, want a pair", tt.name, seed, g)
			}
		}
	}
}

// maxBuddies is, by brute force, the most first-rounders that can each
// have a volunteer of their own (a maximum bipartite matching).
func maxBuddies(in pairing.Input) int {
	var first, vols []pairing.Person
	for _, p := range in.People {
		switch {
		case p.FirstRound:
			first = append(first, p)
		case p.Volunteer:
			vols = append(vols, p)
		}
	}
	used := make([]bool, len(vols))
	var rec func(k int) int
	rec = func(k int) int {
		if k == len(first) {
			return 0
		}
		best := rec(k + 1)
		for v := range vols {
			if !used[v] && validGroup(in, []string{first[k].ID, vols[v].ID}) {
				used[v] = true
				best = max(best, 1+rec(k+1))
				used[v] = false
			}
		}
		return best
	}
	return rec(0)
}

// The hard rules hold with buddies, every group Pair calls a buddy group
// holds the newcomer and the volunteer, as many newcomers get a volunteer
// of their own as can, and a newcomer sits out only when no group could
// take them instead of someone who is not new.
func TestPairBuddyProperty(t *testing.T) {
	t.Parallel()
	zones := []*time.Location{pairZone(t, "Europe/Berlin"), pairZone(t, "America/New_York"),
		pairZone(t, "Asia/Kolkata"), nil}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 16).Draw(t, "n")
		ids := names(n)
		people := make([]pairing.Person, n)
		for i := range people {
			people[i] = worker(ids[i], defaultWeek, zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")])
			people[i].FirstRound = rapid.IntRange(0, 3).Draw(t, "first") == 0
			people[i].Newcomer = people[i].FirstRound || rapid.IntRange(0, 5).Draw(t, "new") == 0
			people[i].Volunteer = rapid.IntRange(0, 2).Draw(t, "vol") == 0
		}
		never := make(map[string][]string)
		for k := rapid.IntRange(0, n/2).Draw(t, "nevers"); k > 0; k-- {
			a, b := ids[rapid.IntRange(0, n-1).Draw(t, "a")], ids[rapid.IntRange(0, n-1).Draw(t, "b")]
			if a != b {
				never[a] = append(never[a], b)
			}
		}
		in := pairing.Input{
			People: people, GroupSize: rapid.IntRange(2, 4).Draw(t, "size"), Never: never,
			MinOverlap: time.Duration(rapid.IntRange(0, 3).Draw(t, "overlap")) * time.Hour,
			Now:        pairNow, Seed: rapid.Int64().Draw(t, "seed"),
		}
		got := pairing.Pair(in)
		if msg := checkPairing(in, got); msg != "" {
			t.Fatalf("%s\ngroups %v\nsit-outs %v", msg, got.Groups, got.SitOut)
		}
		own := map[string]bool{}
		buddyGroup := map[string]bool{}
		for _, b := range got.Buddies {
			g := groupOf(got, b.Newcomer)
			if !slices.Contains(g, b.Volunteer) {
				t.Fatalf("buddy %v: not in one group (%v)", b, got.Groups)
			}
			own[b.Volunteer] = true
			buddyGroup[fmt.Sprint(g)] = true
		}
		if want := maxBuddies(in); len(own) != want {
			t.Fatalf("%d newcomers have a volunteer of their own (%v), the most possible is %d", len(own), got.Buddies, want)
		}
		byID := make(map[string]pairing.Person)
		for _, p := range people {
			byID[p.ID] = p
		}
		for _, s := range got.SitOut {
			if !byID[s.ID].Newcomer {
				continue
			}
			for _, g := range got.Groups {
				if buddyGroup[fmt.Sprint(g)] {
					continue // a buddy keeps their newcomer
				}
				for k, x := range g {
					if byID[x].Newcomer {
						continue
					}
					if validGroup(in, append(slices.Concat(g[:k], g[k+1:]), s.ID)) {
						t.Fatalf("newcomer %s sits out while %s in %v could in their place", s.ID, x, g)
					}
				}
			}
		}
		// Same seed, shuffled input: the same answer.
		in2 := in
		in2.People = slices.Clone(people)
		slices.Reverse(in2.People)
		if again := pairing.Pair(in2); fmt.Sprint(again) != fmt.Sprint(got) {
			t.Fatalf("not deterministic:\n%v\n%v", got, again)
		}
	})
}

// The round-robin bound holds when the roster's first round gave
// newcomers their buddies: n−1 rounds without a repeat.
func TestPairRoundRobinAfterBuddyRoundProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := 2 * rapid.IntRange(2, 8).Draw(t, "half")
		people := crowd(time.UTC, names(n)...)
		for i := range people {
			people[i].FirstRound = rapid.IntRange(0, 2).Draw(t, "first") == 0
			people[i].Newcomer = people[i].FirstRound
			people[i].Volunteer = rapid.IntRange(0, 2).Draw(t, "vol") == 0
		}
		checkRoundRobin(t, people)
	})
}
