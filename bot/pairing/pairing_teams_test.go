package pairing_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/rapport-bot/rapport/bot/pairing"
)

// randomRound builds a seeded random round without teams: zones, custom
// hours, never lists, met and missed history, and some rounds made by Pair
// itself (so round-robin continuation is exercised too).
func randomRound(tb testing.TB, rng *rand.Rand, maxN int) pairing.Input {
	tb.Helper()
	zones := []*time.Location{pairZone(tb, "Europe/Berlin"), pairZone(tb, "America/New_York"),
		pairZone(tb, "Asia/Kolkata"), pairZone(tb, "Australia/Sydney")}
	n := rng.IntN(maxN + 1)
	ids := names(n)
	people := make([]pairing.Person, n)
	for i := range people {
		wk := defaultWeek
		if rng.IntN(5) == 0 {
			start := time.Duration(rng.IntN(17)) * time.Hour
			wk = week{Start: start, End: start + time.Duration(1+rng.IntN(10))*time.Hour, Days: defaultWeek.Days[:1+rng.IntN(5)]}
		}
		people[i] = worker(ids[i], wk, zones[rng.IntN(len(zones))])
	}
	in := pairing.Input{
		People:     people,
		GroupSize:  2 + rng.IntN(3),
		MinOverlap: time.Duration(rng.IntN(3)) * time.Hour,
		Never:      make(map[string][]string),
		Now:        pairNow,
		Seed:       rng.Int64(),
	}
	if n < 2 {
		return in
	}
	for k := rng.IntN(n/2 + 1); k > 0; k-- {
		a, b := ids[rng.IntN(n)], ids[rng.IntN(n)]
		in.Never[a] = append(in.Never[a], b)
	}
	for k := rng.IntN(2 * n); k > 0; k-- {
		in.History = append(in.History, pairing.Meeting{A: ids[rng.IntN(n)], B: ids[rng.IntN(n)],
			At: pairNow.Add(-time.Duration(1+rng.IntN(2000)) * time.Hour), Missed: rng.IntN(4) == 0})
	}
	if rng.IntN(2) == 0 {
		// Rounds made by Pair itself, with no other history.
		in.History = nil
		for r := rng.IntN(6); r > 0; r-- {
			at := pairNow.AddDate(0, 0, -7*r)
			prev := in
			prev.Now, prev.Seed = at, int64(r)
			in.History = append(in.History, meetings(pairing.Pair(prev).Groups, at)...)
		}
	}
	return in
}

// noTeamsDigest is the digest of Pair's answers on the rounds of
// TestPairWithoutTeamsIsUnchanged, recorded before teams and newcomers were
// added to Person. The coffee round's transcripts depend on these groups,
// so a round where nobody has a team and nobody is new must pair exactly
// as it did.
const noTeamsDigest = "eb7277a8ea3ff9df0b2443b515944243abdd1e7162ea6fbf79b806cf79a37e53"

// Ensure rounds without teams or newcomers give byte-identical groups and
// sit-outs to what Pair gave before teams existed.
func TestPairWithoutTeamsIsUnchanged(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(17, 2026))
	h := sha256.New()
	for k := 0; k < 400; k++ {
		maxN := 24
		if k%100 == 99 {
			maxN = 420 // beyond the full graph: candidates
		}
		in := randomRound(t, rng, maxN)
		got := pairing.Pair(in)
		if got.Buddies != nil {
			t.Fatalf("round %d: buddies %v in a round without volunteers", k, got.Buddies)
		}
		// Groups and SitOut as %v printed Result before it had Buddies.
		fmt.Fprintf(h, "%d {%v %v}\n", k, got.Groups, got.SitOut)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != noTeamsDigest {
		t.Fatalf("digest %s, want %s: a round without teams pairs differently", got, noTeamsDigest)
	}
}

// withTeams gives people teams by a spec "id:team+team" ("id:" for none).
func withTeams(people []pairing.Person, spec map[string]string) []pairing.Person {
	out := slices.Clone(people)
	for i := range out {
		if ts := spec[out[i].ID]; ts != "" {
			out[i].Teams = strings.Split(ts, "+")
		}
	}
	return out
}

// sharing counts a grouping's pairs whose two people share a team.
func sharing(groups [][]string, teams map[string][]string) int {
	c := 0
	for _, g := range groups {
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				if slices.ContainsFunc(teams[g[a]], func(t string) bool { return slices.Contains(teams[g[b]], t) }) {
					c++
				}
			}
		}
	}
	return c
}

func teamsOf(people []pairing.Person) map[string][]string {
	out := make(map[string][]string)
	for _, p := range people {
		out[p.ID] = p.Teams
	}
	return out
}

func TestPairCrossTeamTable(t *testing.T) {
	t.Parallel()
	old := pairNow.AddDate(0, 0, -7)
	tests := []struct {
		name    string
		teams   map[string]string
		newbies []string
		never   map[string][]string
		history []pairing.Meeting
		cross   pairing.CrossTeam
		ok      func(groups [][]string) bool
		want    string
	}{{
		name:  "two teams of two: both pairs cross",
		teams: map[string]string{"a1": "A", "a2": "A", "b1": "B", "b2": "B"},
		ok: func(g [][]string) bool {
			return sharing(g, map[string][]string{"a1": {"A"}, "a2": {"A"}, "b1": {"B"}, "b2": {"B"}}) == 0
		},
		want: "no pair shares a team",
	}, {
		name:  "a new pair inside a team beats a repeat across teams",
		teams: map[string]string{"a1": "A", "a2": "A", "b1": "B", "b2": "B"},
		history: []pairing.Meeting{{A: "a1", B: "b1", At: old}, {A: "a2", B: "b2", At: old},
			{A: "a1", B: "b2", At: old, Missed: true}, {A: "a2", B: "b1", At: old, Missed: true}},
		ok:   func(g [][]string) bool { return fmt.Sprint(g) == "[[a1 a2] [b1 b2]]" },
		want: "[[a1 a2] [b1 b2]]",
	}, {
		name:  "someone in two teams shares a team with both",
		teams: map[string]string{"x": "A+B", "a": "A", "b": "B", "c": "C"},
		ok:    func(g [][]string) bool { return fmt.Sprint(g) == "[[a b] [c x]]" },
		want:  "[[a b] [c x]]",
	}, {
		name: "team pairs that met least recently come first",
		teams: map[string]string{"a1": "A", "a2": "A", "b1": "B", "b2": "B",
			"c1": "C", "c2": "C", "d1": "D", "d2": "D"},
		history: []pairing.Meeting{{A: "a1", B: "b1", At: old}, {A: "a2", B: "b2", At: old},
			{A: "c1", B: "d1", At: old}, {A: "c2", B: "d2", At: old}},
		ok: func(g [][]string) bool {
			for _, p := range g {
				if k := p[0][:1] + p[1][:1]; k == "ab" || k == "cd" || p[0][0] == p[1][0] {
					return false
				}
			}
			return true
		},
		want: "only the team pairs A–C, A–D, B–C, B–D",
	}, {
		name: "team pairs that met least recently come first, by matching",
		teams: map[string]string{"a1": "A", "a2": "A", "b1": "B", "b2": "B",
			"c1": "C", "c2": "C", "d1": "D", "d2": "D"},
		// The missed meeting makes the history no round-robin round.
		history: []pairing.Meeting{{A: "a1", B: "b1", At: old}, {A: "a2", B: "b2", At: old},
			{A: "c1", B: "d1", At: old}, {A: "c2", B: "d2", At: old}, {A: "a1", B: "c1", At: old, Missed: true}},
		ok: func(g [][]string) bool {
			for _, p := range g {
				if k := p[0][:1] + p[1][:1]; k == "ab" || k == "cd" || p[0][0] == p[1][0] {
					return false
				}
			}
			return true
		},
		want: "only the team pairs A–C, A–D, B–C, B–D",
	}, {
		name:    "a newcomer crosses teams first",
		teams:   map[string]string{"n": "A", "a1": "A", "a2": "A", "b": "B"},
		newbies: []string{"n"},
		ok:      func(g [][]string) bool { return fmt.Sprint(g) == "[[a1 a2] [b n]]" },
		want:    "[[a1 a2] [b n]]",
	}, {
		name:    "a newcomer does not sit out",
		newbies: []string{"n"},
		never:   map[string][]string{"b": {"n"}},
		ok:      func(g [][]string) bool { return fmt.Sprint(g) == "[[a n]]" },
		want:    "[[a n]] (b sits out)",
	}, {
		name:  "CrossTeamIgnore ignores teams",
		teams: map[string]string{"a1": "A", "a2": "A", "b1": "B", "b2": "B"},
		cross: pairing.CrossTeamIgnore,
		ok: func(g [][]string) bool {
			return sharing(g, map[string][]string{"a1": {"A"}, "a2": {"A"}, "b1": {"B"}, "b2": {"B"}}) == 2
		},
		want: "within teams in some seeds",
	}}
	for _, tt := range tests {
		ids := []string{}
		for id := range tt.teams {
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			ids = []string{"a", "b", "n"}
		}
		slices.Sort(ids)
		people := withTeams(crowd(time.UTC, ids...), tt.teams)
		for i := range people {
			people[i].Newcomer = slices.Contains(tt.newbies, people[i].ID)
		}
		hits := 0
		for seed := int64(0); seed < 40; seed++ {
			in := pairing.Input{People: people, Never: tt.never, History: tt.history, Now: pairNow, Seed: seed, CrossTeam: tt.cross}
			got := pairing.Pair(in)
			if msg := checkPairing(in, got); msg != "" {
				t.Fatalf("%s (seed %d): %s", tt.name, seed, msg)
			}
			if tt.ok(got.Groups) {
				hits++
			} else if tt.cross == pairing.CrossTeamPrefer {
				t.Errorf("%s (seed %d): groups %v sit-outs %v, want %s", tt.name, seed, got.Groups, got.SitOut, tt.want)
				break
			}
		}
		if tt.cross == pairing.CrossTeamIgnore && (hits == 0 || hits == 40) {
			t.Errorf("%s: %d of 40 seeds paired within teams, want some but not all", tt.name, hits)
		}
	}
}

// bruteFewestSharing is, over every split of an even number of people into
// pairs with the fewest met then missed pairs, the fewest pairs sharing a team.
func bruteFewestSharing(ids []string, met, missed map[string]bool, teams map[string][]string) (tierCount, int) {
	best, bestShare := tierCount{met: len(ids), missed: len(ids)}, len(ids)
	var rec func(free []string, acc [][]string)
	rec = func(free []string, acc [][]string) {
		if len(free) == 0 {
			c, s := countTiers(acc, met, missed), sharing(acc, teams)
			if c.less(best) || c == best && s < bestShare {
				best, bestShare = c, s
			}
			return
		}
		for x := 1; x < len(free); x++ {
			rec(slices.Concat(free[1:x], free[x+1:]), append(acc, []string{free[0], free[x]}))
		}
	}
	rec(ids, nil)
	return best, bestShare
}

// Ensure, on random rounds with random teams (several, one or none per
// person) and newcomers: the hard rules hold and, without history, as many
// people are placed as the best valid grouping places; no newcomer sits out while a
// non-newcomer in a group could take the sit-out in their place; and on
// even rounds without hard rules the repeat tiers are the brute-force best
// (teams never cost a repeat) and, among those, so is the number of pairs
// sharing a team.
func TestPairCrossTeamProperty(t *testing.T) {
	t.Parallel()
	zones := []*time.Location{pairZone(t, "Europe/Berlin"), pairZone(t, "America/New_York"),
		pairZone(t, "America/Los_Angeles"), pairZone(t, "Asia/Kolkata")}
	teamNames := []string{"A", "B", "C"}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 9).Draw(t, "n")
		ids := names(n)
		rules := rapid.Bool().Draw(t, "rules")
		people := make([]pairing.Person, n)
		for i := range people {
			zone := zones[0]
			if rules {
				zone = zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")]
			}
			people[i] = worker(ids[i], defaultWeek, zone)
			for _, tn := range teamNames {
				if rapid.IntRange(0, 2).Draw(t, "in"+tn) == 0 {
					people[i].Teams = append(people[i].Teams, tn)
				}
			}
			people[i].Newcomer = rapid.IntRange(0, 3).Draw(t, "new") == 0
		}
		never := make(map[string][]string)
		if rules {
			for k := rapid.IntRange(0, n).Draw(t, "nevers"); k > 0; k-- {
				a, b := ids[rapid.IntRange(0, n-1).Draw(t, "a")], ids[rapid.IntRange(0, n-1).Draw(t, "b")]
				never[a] = append(never[a], b)
				never[b] = append(never[b], a)
			}
		}
		var history []pairing.Meeting
		met, missed := map[string]bool{}, map[string]bool{}
		for k := rapid.IntRange(-n, 2*n).Draw(t, "history"); k > 0; k-- {
			m := pairing.Meeting{A: ids[rapid.IntRange(0, n-1).Draw(t, "ha")], B: ids[rapid.IntRange(0, n-1).Draw(t, "hb")],
				At: pairNow.Add(-time.Duration(rapid.IntRange(1, 2000).Draw(t, "age")) * time.Hour), Missed: rapid.Bool().Draw(t, "missed")}
			if m.A == m.B {
				continue
			}
			history = append(history, m)
			if m.Missed {
				missed[pairKeyOf(m.A, m.B)] = true
			} else {
				met[pairKeyOf(m.A, m.B)] = true
			}
		}
		for k := range met {
			delete(missed, k)
		}
		in := pairing.Input{People: people, MinOverlap: time.Duration(rapid.IntRange(0, 4).Draw(t, "overlap")) * time.Hour,
			Never: never, History: history, Now: pairNow, Seed: rapid.Int64().Draw(t, "seed")}
		if !rules {
			in.MinOverlap = 0
		}
		got := pairing.Pair(in)
		if msg := checkPairing(in, got); msg != "" {
			t.Fatal(msg)
		}
		// Without history, as many placed as possible (with history the
		// odd one out is chosen by cost first, teams or not).
		if placed, want := n-len(got.SitOut), maxPlaced(in); len(history) == 0 && placed != want {
			t.Fatalf("placed %d people (%v, sit-outs %v), the best valid grouping places %d", placed, got.Groups, got.SitOut, want)
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
				for k, x := range g {
					if byID[x].Newcomer {
						continue
					}
					swapped := append(slices.Concat(g[:k], g[k+1:]), s.ID)
					if validGroup(in, swapped) {
						t.Fatalf("newcomer %s sits out while %s in %v could in their place", s.ID, x, g)
					}
				}
			}
		}
		if !rules && n%2 == 0 {
			wantTiers, wantShare := bruteFewestSharing(ids, met, missed, teamsOf(people))
			if c, s := countTiers(got.Groups, met, missed), sharing(got.Groups, teamsOf(people)); c != wantTiers || s != wantShare {
				t.Fatalf("%v: %d met, %d missed, %d sharing a team; the best is %d, %d, %d (teams %v, met %v, missed %v)",
					got.Groups, c.met, c.missed, s, wantTiers.met, wantTiers.missed, wantShare, teamsOf(people), met, missed)
			}
		}
	})
}

// validGroup reports whether a group keeps both hard rules.
func validGroup(in pairing.Input, ids []string) bool {
	members := make([]pairing.Person, 0, len(ids))
	for _, id := range ids {
		for _, p := range in.People {
			if p.ID == id {
				members = append(members, p)
			}
		}
		for _, other := range ids {
			if slices.Contains(in.Never[id], other) {
				return false
			}
		}
	}
	return in.MinOverlap == 0 || longestShared(members, in.Now) >= in.MinOverlap
}

// The round-robin bound holds with teams: n−1 rounds without a repeat, any
// even roster, random teams, meetings reported up to three weeks late.
func TestPairRoundRobinWithTeamsProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := 2 * rapid.IntRange(2, 8).Draw(t, "half")
		people := crowd(time.UTC, names(n)...)
		for i := range people {
			for _, tn := range []string{"A", "B", "C", "D"} {
				if rapid.IntRange(0, 2).Draw(t, "in"+tn) == 0 {
					people[i].Teams = append(people[i].Teams, tn)
				}
			}
		}
		checkRoundRobin(t, people)
	})
}

// Ensure groups of three cross teams too: 12 people in 4 teams of 3 fit in
// 4 trios where nobody shares a team.
func TestPairCrossTeamTrios(t *testing.T) {
	t.Parallel()
	ids := names(12)
	people := crowd(time.UTC, ids...)
	for i := range people {
		people[i].Teams = []string{fmt.Sprint("T", i%4)}
	}
	for seed := int64(0); seed < 20; seed++ {
		in := pairing.Input{People: people, GroupSize: 3, Now: pairNow, Seed: seed}
		got := pairing.Pair(in)
		if msg := checkPairing(in, got); msg != "" {
			t.Fatal(msg)
		}
		if s := sharing(got.Groups, teamsOf(people)); s != 0 {
			t.Fatalf("seed %d: %v has %d pairs sharing a team, want none", seed, got.Groups, s)
		}
	}
}

// Ensure a round past the full graph (candidates) with teams, zones and
// newcomers keeps the rules, puts everyone in a group, and crosses teams
// in nearly every group (8 teams: a random pairing crosses in about 7 of 8).
func TestPairCrossTeamLargeRound(t *testing.T) {
	t.Parallel()
	zones := []*time.Location{pairZone(t, "Europe/Berlin"), pairZone(t, "Europe/London"),
		pairZone(t, "America/New_York"), pairZone(t, "Asia/Kolkata")}
	rng := rand.New(rand.NewPCG(4, 0))
	var people []pairing.Person
	for i := range 501 {
		p := worker(fmt.Sprintf("u%03d", i), defaultWeek, zones[rng.IntN(len(zones))])
		p.Teams = []string{fmt.Sprint("T", rng.IntN(8))}
		p.Newcomer = i%25 == 0
		people = append(people, p)
	}
	in := pairing.Input{People: people, MinOverlap: time.Hour, Now: pairNow, Seed: 3}
	got := pairing.Pair(in)
	if msg := checkPairing(in, got); msg != "" {
		t.Fatal(msg)
	}
	if len(got.SitOut) != 0 {
		t.Fatalf("sit-outs %v, want none", got.SitOut)
	}
	crossing := 0
	for _, g := range got.Groups {
		if sharing([][]string{g}, teamsOf(people)) == 0 {
			crossing++
		}
	}
	if share := float64(crossing) / float64(len(got.Groups)); share < 0.98 {
		t.Fatalf("%d of %d groups cross teams, want at least 98%%", crossing, len(got.Groups))
	}
}

// TestPairSpreadsTeamPairs checks that one round's crossing pairs reach as
// many team pairs as they can, not just a few: in a first round (no
// history, so every crossing pair costs the same) of teams that all
// overlap, every team pair gets a pair whenever there are enough pairs,
// for many seeds.
func TestPairSpreadsTeamPairs(t *testing.T) {
	t.Parallel()
	berlin := pairZone(t, "Europe/Berlin")
	for _, tc := range []struct{ teams, size int }{{4, 6}, {6, 10}, {8, 25}} {
		for seed := int64(1); seed <= 20; seed++ {
			var people []pairing.Person
			teams := make(map[string][]string)
			for tm := range tc.teams {
				for k := range tc.size {
					id := fmt.Sprintf("t%d-%02d", tm, k)
					team := fmt.Sprintf("T%d", tm)
					teams[id] = []string{team}
					people = append(people, pairing.Person{ID: id, Work: inWeek(hours(defaultWeek, berlin), pairNow), Zone: "Europe/Berlin", Teams: []string{team}})
				}
			}
			res := pairing.Pair(pairing.Input{People: people, GroupSize: 2, MinOverlap: time.Hour, Now: pairNow, Seed: seed})
			covered := make(map[string]bool)
			for _, g := range res.Groups {
				a, b := teams[g[0]][0], teams[g[1]][0]
				if a == b {
					t.Fatalf("%d teams of %d, seed %d: %v shares a team", tc.teams, tc.size, seed, g)
				}
				covered[min(a, b)+"|"+max(a, b)] = true
			}
			if want := tc.teams * (tc.teams - 1) / 2; len(covered) != want {
				t.Errorf("%d teams of %d, seed %d: %d pairs cross %d of %d team pairs, want all", tc.teams, tc.size, seed, len(res.Groups), len(covered), want)
			}
		}
	}
}
