package pairing_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/rapport-bot/rapport/bot/pairing"
)

// pairNow is a Monday morning in UTC with every zone below on standard time.
var pairNow = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// pairZone loads a zone or fails the test.
func pairZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// crowd makes people with the default working week in loc.
func crowd(loc *time.Location, ids ...string) []pairing.Person {
	out := make([]pairing.Person, len(ids))
	for i, id := range ids {
		out[i] = worker(id, defaultWeek, loc)
	}
	return out
}

// names returns n IDs p00, p01, ...
func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("p%02d", i)
	}
	return out
}

// meetings turns a round's groups into History: every pair in every group met at at.
func meetings(groups [][]string, at time.Time) []pairing.Meeting {
	var out []pairing.Meeting
	for _, g := range groups {
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				out = append(out, pairing.Meeting{A: g[a], B: g[b], At: at})
			}
		}
	}
	return out
}

func groupSizes(p pairing.Result) []int {
	var s []int
	for _, g := range p.Groups {
		s = append(s, len(g))
	}
	slices.Sort(s)
	return s
}

func pairKeyOf(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + "|" + b
}

// metSet indexes History by pair.
func metSet(h []pairing.Meeting) map[string]bool {
	out := make(map[string]bool)
	for _, m := range h {
		out[pairKeyOf(m.A, m.B)] = true
	}
	return out
}

// repeats counts the pairs inside groups that met before.
func repeats(p pairing.Result, met map[string]bool) int {
	n := 0
	for _, g := range p.Groups {
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				if met[pairKeyOf(g[a], g[b])] {
					n++
				}
			}
		}
	}
	return n
}

// checkPairing fails the test unless out is a valid answer for in: a
// partition of the distinct eligible people, sorted, with sizes in range,
// known reasons and both hard rules kept. It returns a description of the
// first problem, or "".
func checkPairing(in pairing.Input, out pairing.Result) string {
	g := min(max(in.GroupSize, 2), 4)
	byID := make(map[string]pairing.Person)
	for _, p := range in.People {
		if _, ok := byID[p.ID]; !ok {
			byID[p.ID] = p
		}
	}
	seen := make(map[string]bool)
	for _, grp := range out.Groups {
		if !slices.IsSorted(grp) {
			return fmt.Sprintf("group %v is not sorted", grp)
		}
		if len(grp) < 2 || len(grp) > 2*g-1 || (g == 2 && len(grp) > 3) {
			return fmt.Sprintf("group %v has a bad size for GroupSize %d", grp, g)
		}
		members := make([]pairing.Person, len(grp))
		for k, id := range grp {
			p, ok := byID[id]
			if !ok {
				return fmt.Sprintf("group %v has unknown %s", grp, id)
			}
			if seen[id] {
				return fmt.Sprintf("%s placed twice", id)
			}
			seen[id] = true
			members[k] = p
		}
		if in.MinOverlap > 0 {
			if got := longestShared(members, in.Now); got < in.MinOverlap {
				return fmt.Sprintf("group %v shares only %v, want ≥ %v", grp, got, in.MinOverlap)
			}
		}
		for a := range grp {
			for b := range grp {
				if a != b && slices.Contains(in.Never[grp[a]], grp[b]) {
					return fmt.Sprintf("group %v holds never pair %s–%s", grp, grp[a], grp[b])
				}
			}
		}
	}
	if !slices.IsSortedFunc(out.Groups, slices.Compare) {
		return fmt.Sprintf("groups %v are not sorted", out.Groups)
	}
	for k, s := range out.SitOut {
		if k > 0 && out.SitOut[k-1].ID >= s.ID {
			return fmt.Sprintf("SitOut %v is not sorted", out.SitOut)
		}
		if _, ok := byID[s.ID]; !ok || seen[s.ID] {
			return fmt.Sprintf("sit-out %s is unknown or also in a group", s.ID)
		}
		seen[s.ID] = true
		switch s.Reason {
		case pairing.SitOutAlone, pairing.SitOutNoOverlap, pairing.SitOutNeverList:
		default:
			return fmt.Sprintf("sit-out %s has reason %q", s.ID, s.Reason)
		}
	}
	if len(seen) != len(byID) {
		return fmt.Sprintf("%d of %d people placed or sitting out", len(seen), len(byID))
	}
	return ""
}

func TestPairTable(t *testing.T) {
	t.Parallel()
	berlin := pairZone(t, "Europe/Berlin")
	la := pairZone(t, "America/Los_Angeles")
	ny := pairZone(t, "America/New_York")
	tests := []struct {
		name       string
		people     []pairing.Person
		size       int
		minOverlap time.Duration
		never      map[string][]string
		sizes      []int
		sitOut     string // "id:reason ..." sorted
		check      func(p pairing.Result) string
	}{
		{name: "Nobody", sizes: nil},
		{name: "OnePersonIsAlone", people: crowd(berlin, "a"), sitOut: "a:alone"},
		{name: "TwoArePaired", people: crowd(berlin, "a", "b"), sizes: []int{2}},
		{name: "OddCountMakesOneTrio", people: crowd(berlin, names(7)...), sizes: []int{2, 2, 3}},
		{name: "ThreeAreOneTrio", people: crowd(berlin, "a", "b", "c"), sizes: []int{3}},
		{name: "DuplicatesCountOnce", people: append(crowd(berlin, "a", "b", "c"), crowd(berlin, "a", "b")...), sizes: []int{3}},
		{
			name:       "ZonesWithoutOverlapStayApart",
			people:     append(crowd(berlin, "b1", "b2"), crowd(la, "l1", "l2")...),
			minOverlap: time.Hour,
			sizes:      []int{2, 2},
			check: func(p pairing.Result) string {
				if fmt.Sprint(p.Groups) != "[[b1 b2] [l1 l2]]" {
					return fmt.Sprintf("groups %v, want [[b1 b2] [l1 l2]]", p.Groups)
				}
				return ""
			},
		},
		{
			name:       "NoOverlapSitsOut",
			people:     append(crowd(berlin, "b1"), crowd(la, "l1", "l2")...),
			minOverlap: time.Hour,
			sizes:      []int{2},
			sitOut:     "b1:no_overlap",
		},
		{
			name:       "NewYorkBridgesOnlyWhenShort",
			people:     append(append(crowd(berlin, "b1"), crowd(ny, "n1")...), crowd(la, "l1")...),
			minOverlap: 2 * time.Hour, // Berlin–NY 3h, NY–LA 6h, Berlin–LA 0: no trio is valid
			sizes:      []int{2},
			check: func(p pairing.Result) string {
				if len(p.SitOut) != 1 || p.SitOut[0].Reason != pairing.SitOutNoOverlap {
					return fmt.Sprintf("SitOut %v, want one no_overlap", p.SitOut)
				}
				return ""
			},
		},
		{
			name:   "NeverListKeepsApart",
			people: crowd(berlin, "a", "b", "c", "d"),
			never:  map[string][]string{"a": {"b"}, "c": {"a"}},
			sizes:  []int{2, 2},
			check: func(p pairing.Result) string {
				if fmt.Sprint(p.Groups) != "[[a d] [b c]]" {
					return fmt.Sprintf("groups %v, want [[a d] [b c]]", p.Groups)
				}
				return ""
			},
		},
		{
			name:   "NeverListOnlyOptionSitsOut",
			people: crowd(berlin, "a", "b"),
			never:  map[string][]string{"b": {"a", "zz"}},
			sitOut: "a:never_list b:never_list",
		},
		{
			name:   "NeverListBlocksTheTrio",
			people: crowd(berlin, "a", "b", "c"),
			never:  map[string][]string{"a": {"c"}},
			sizes:  []int{2},
			check: func(p pairing.Result) string {
				if len(p.SitOut) != 1 || p.SitOut[0].ID == "b" || p.SitOut[0].Reason != pairing.SitOutNeverList {
					return fmt.Sprintf("SitOut %v, want a or c for never_list", p.SitOut)
				}
				return ""
			},
		},
		{name: "ThreesDivide", people: crowd(berlin, names(9)...), size: 3, sizes: []int{3, 3, 3}},
		{name: "ThreesWithLeftovers", people: crowd(berlin, names(11)...), size: 3, sizes: []int{3, 4, 4}},
		{name: "ThreesUnavoidablyLarge", people: crowd(berlin, names(5)...), size: 3, sizes: []int{5}},
		{name: "FoursDivide", people: crowd(berlin, names(8)...), size: 4, sizes: []int{4, 4}},
		{name: "FoursWithLeftover", people: crowd(berlin, names(13)...), size: 4, sizes: []int{4, 4, 5}},
		{name: "FoursWithTwoLeftovers", people: crowd(berlin, names(14)...), size: 4, sizes: []int{4, 5, 5}},
		{name: "FoursTooFew", people: crowd(berlin, names(3)...), size: 4, sizes: []int{3}},
		{name: "SizeAboveFourIsFour", people: crowd(berlin, names(8)...), size: 9, sizes: []int{4, 4}},
		{name: "SizeBelowTwoIsTwo", people: crowd(berlin, names(4)...), size: 0, sizes: []int{2, 2}},
		{
			name:       "FoursRespectZones",
			people:     append(crowd(berlin, "b1", "b2", "b3", "b4"), crowd(la, "l1", "l2", "l3", "l4")...),
			size:       4,
			minOverlap: time.Hour,
			sizes:      []int{4, 4},
			check: func(p pairing.Result) string {
				if fmt.Sprint(p.Groups) != "[[b1 b2 b3 b4] [l1 l2 l3 l4]]" {
					return fmt.Sprintf("groups %v, want by zone", p.Groups)
				}
				return ""
			},
		},
		{
			name:   "ThreesRespectNever",
			people: crowd(berlin, names(6)...),
			size:   3,
			never:  map[string][]string{"p00": {"p01", "p02"}, "p03": {"p04"}},
			sizes:  []int{3, 3},
		},
	}
	for _, tt := range tests {
		for seed := int64(0); seed < 20; seed++ {
			in := pairing.Input{People: tt.people, GroupSize: tt.size, MinOverlap: tt.minOverlap,
				Never: tt.never, Now: pairNow, Seed: seed}
			got := pairing.Pair(in)
			if msg := checkPairing(in, got); msg != "" {
				t.Errorf("%s (seed %d): %s", tt.name, seed, msg)
				continue
			}
			if s := groupSizes(got); fmt.Sprint(s) != fmt.Sprint(tt.sizes) {
				t.Errorf("%s (seed %d): group sizes %v, want %v (groups %v)", tt.name, seed, s, tt.sizes, got.Groups)
			}
			if tt.sitOut != "" || len(got.SitOut) > 0 {
				var parts []string
				for _, s := range got.SitOut {
					parts = append(parts, s.ID+":"+s.Reason)
				}
				if s := strings.Join(parts, " "); tt.check == nil && s != tt.sitOut {
					t.Errorf("%s (seed %d): SitOut %q, want %q", tt.name, seed, s, tt.sitOut)
				}
			}
			if tt.check != nil {
				if msg := tt.check(got); msg != "" {
					t.Errorf("%s (seed %d): %s", tt.name, seed, msg)
				}
			}
		}
	}
}

func TestPairPrefersFreshThenOld(t *testing.T) {
	t.Parallel()
	berlin := pairZone(t, "Europe/Berlin")
	longAgo := pairNow.AddDate(-10, 0, 0)
	yesterday := pairNow.AddDate(0, 0, -1)
	tests := []struct {
		name    string
		history []pairing.Meeting
		want    string
	}{
		{
			// Two ancient repeats lose to one fresh pair plus a recent repeat:
			// the number of repeats comes first.
			name: "NeverMetBeatsLongAgo",
			history: []pairing.Meeting{
				{A: "a", B: "b", At: longAgo}, {A: "c", B: "d", At: longAgo},
				{A: "a", B: "c", At: yesterday}, {A: "b", B: "c", At: yesterday}, {A: "b", B: "d", At: yesterday},
			},
			want: "[[a d] [b c]]",
		},
		{
			name: "OlderRepeatWins",
			history: []pairing.Meeting{
				{A: "a", B: "b", At: pairNow.AddDate(0, 0, -7)}, {A: "c", B: "d", At: pairNow.AddDate(0, 0, -7)},
				{A: "a", B: "c", At: pairNow.AddDate(0, 0, -14)}, {A: "b", B: "d", At: pairNow.AddDate(0, 0, -14)},
				{A: "a", B: "d", At: pairNow.AddDate(0, 0, -21)}, {A: "b", B: "c", At: pairNow.AddDate(0, 0, -21)},
			},
			want: "[[a d] [b c]]",
		},
		{
			name: "MeetingTwiceCountsMore",
			history: []pairing.Meeting{
				{A: "a", B: "b", At: pairNow.AddDate(0, 0, -70)}, {A: "c", B: "d", At: pairNow.AddDate(0, 0, -70)},
				{A: "a", B: "c", At: pairNow.AddDate(0, 0, -70)}, {A: "b", B: "d", At: pairNow.AddDate(0, 0, -70)},
				{A: "a", B: "d", At: pairNow.AddDate(0, 0, -70)}, {A: "b", B: "c", At: pairNow.AddDate(0, 0, -70)},
				{A: "a", B: "d", At: pairNow.AddDate(0, 0, -350)}, {A: "b", B: "c", At: pairNow.AddDate(0, 0, -350)},
				{A: "a", B: "b", At: pairNow.AddDate(0, 0, -350)}, {A: "c", B: "d", At: pairNow.AddDate(0, 0, -350)},
			},
			want: "[[a c] [b d]]",
		},
	}
	for _, tt := range tests {
		for seed := int64(0); seed < 10; seed++ {
			got := pairing.Pair(pairing.Input{People: crowd(berlin, "a", "b", "c", "d"), History: tt.history, Now: pairNow, Seed: seed})
			if s := fmt.Sprint(got.Groups); s != tt.want {
				t.Errorf("%s (seed %d): groups %s, want %s", tt.name, seed, s, tt.want)
			}
		}
	}
}

// Ensure ties are broken by the seed: different seeds give different rounds.
func TestPairSeedBreaksTies(t *testing.T) {
	t.Parallel()
	people := crowd(time.UTC, names(8)...)
	distinct := make(map[string]bool)
	for seed := int64(0); seed < 20; seed++ {
		distinct[fmt.Sprint(pairing.Pair(pairing.Input{People: people, Now: pairNow, Seed: seed}).Groups)] = true
	}
	if len(distinct) < 10 {
		t.Errorf("20 seeds gave %d distinct pairings of 8 strangers, want ≥ 10", len(distinct))
	}
}

// Ensure the round-robin bound: with a fixed roster of even n and each
// round's pairs fed back as History, n−1 consecutive rounds never repeat a
// pair, for many seeds (a new seed every round), with meetings reported on
// any day of their week.
func TestPairRoundRobin(t *testing.T) {
	t.Parallel()
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	for _, n := range []int{4, 6, 8, 10, 12, 16, 20, 32} {
		runs := seeds
		if n > 16 {
			runs = 4
		}
		for s := 0; s < runs; s++ {
			people := crowd(time.UTC, names(n)...)
			rng := rand.New(rand.NewPCG(uint64(n), uint64(s)))
			rng.Shuffle(len(people), func(a, b int) { people[a], people[b] = people[b], people[a] })
			var history []pairing.Meeting
			met := make(map[string]int)
			now := pairNow
			for round := 1; round < n; round++ {
				got := pairing.Pair(pairing.Input{People: people, History: history, Now: now, Seed: int64(s*1000 + round)})
				if len(got.Groups) != n/2 || len(got.SitOut) != 0 {
					t.Fatalf("n=%d seed=%d round %d: groups %v, sit-outs %v, want %d pairs", n, s, round, got.Groups, got.SitOut, n/2)
				}
				for _, g := range got.Groups {
					k := pairKeyOf(g[0], g[1])
					if r, ok := met[k]; ok {
						t.Fatalf("n=%d seed=%d: %v repeats in round %d (first met in round %d)", n, s, g, round, r)
					}
					met[k] = round
					// They met some day of the week after the round started.
					at := now.Add(time.Duration(rng.IntN(5*24)) * time.Hour)
					history = append(history, pairing.Meeting{A: g[0], B: g[1], At: at})
				}
				now = now.AddDate(0, 0, 7)
			}
			if len(met) != n*(n-1)/2 {
				t.Fatalf("n=%d seed=%d: %d distinct pairs after n−1 rounds, want all %d", n, s, len(met), n*(n-1)/2)
			}
		}
	}
}

// checkRoundRobin pairs people for n−1 weekly rounds, each with its own
// seed, reporting every round's meetings up to three weeks late, and fails
// if a round is not all pairs or two people meet again. After the first
// round nobody is in their first round any more (Person.FirstRound).
func checkRoundRobin(t *rapid.T, people []pairing.Person) {
	n := len(people)
	var history []pairing.Meeting
	met := make(map[string]bool)
	now := pairNow
	for round := 1; round < n; round++ {
		got := pairing.Pair(pairing.Input{People: people, History: history, Now: now, Seed: rapid.Int64().Draw(t, "seed")})
		if len(got.Groups) != n/2 {
			t.Fatalf("round %d: groups %v, want %d pairs", round, got.Groups, n/2)
		}
		for _, g := range got.Groups {
			if met[pairKeyOf(g[0], g[1])] {
				t.Fatalf("round %d of %d people: %v meet again", round, n, g)
			}
			met[pairKeyOf(g[0], g[1])] = true
			at := now.Add(time.Duration(rapid.IntRange(0, 21*24-1).Draw(t, "late")) * time.Hour)
			history = append(history, pairing.Meeting{A: g[1], B: g[0], At: at})
		}
		for i := range people {
			people[i].FirstRound = false // grouped once: no longer their first round
		}
		now = now.AddDate(0, 0, 7)
	}
}

// The round-robin bound as a property: any even roster size, roster order
// and seed per round, and meetings reported up to three weeks late, so a
// later round's meeting can come first (the history is then no longer a
// recognisable circle schedule and the 1-factorisation search plans ahead).
func TestPairRoundRobinProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := 2 * rapid.IntRange(2, 10).Draw(t, "half")
		people := crowd(time.UTC, names(n)...)
		perm := rapid.Permutation(people).Draw(t, "order")
		checkRoundRobin(t, perm)
	})
}

// Ensure the round-robin bound also holds when the first two rounds came
// from elsewhere (random disjoint perfect matchings, usually not the start
// of a circle-method schedule): the 1-factorisation search takes over.
func TestPairRoundRobinAfterForeignRounds(t *testing.T) {
	t.Parallel()
	for _, n := range []int{6, 8, 10, 12, 14, 16} {
		for s := 0; s < 12; s++ {
			ids := names(n)
			rng := rand.New(rand.NewPCG(uint64(n), uint64(100+s)))
			met := make(map[string]int)
			var history []pairing.Meeting
			now := pairNow
			// Two foreign rounds: random perfect matchings without a common pair.
			for round := 1; round <= 2; round++ {
				for {
					perm := rng.Perm(n)
					ok := true
					for k := 0; k < n; k += 2 {
						if _, seen := met[pairKeyOf(ids[perm[k]], ids[perm[k+1]])]; seen {
							ok = false
						}
					}
					if !ok {
						continue
					}
					for k := 0; k < n; k += 2 {
						met[pairKeyOf(ids[perm[k]], ids[perm[k+1]])] = round
						history = append(history, pairing.Meeting{A: ids[perm[k]], B: ids[perm[k+1]], At: now})
					}
					break
				}
				now = now.AddDate(0, 0, 7)
			}
			for round := 3; round < n; round++ {
				got := pairing.Pair(pairing.Input{People: crowd(time.UTC, ids...), History: history, Now: now, Seed: int64(s*100 + round)})
				if len(got.Groups) != n/2 {
					t.Fatalf("n=%d seed=%d round %d: groups %v, want %d pairs", n, s, round, got.Groups, n/2)
				}
				for _, g := range got.Groups {
					k := pairKeyOf(g[0], g[1])
					if r, ok := met[k]; ok {
						t.Fatalf("n=%d seed=%d: %v repeats in round %d (first met in round %d)", n, s, g, round, r)
					}
					met[k] = round
				}
				history = append(history, meetings(got.Groups, now)...)
				now = now.AddDate(0, 0, 7)
			}
		}
	}
}

// bruteZeroRepeat reports whether people (all mutually valid) can be split
// into pairs, plus one trio when odd, without any pair that met.
func bruteZeroRepeat(ids []string, met map[string]bool) bool {
	free := slices.Clone(ids)
	var rec func(free []string, trioLeft bool) bool
	rec = func(free []string, trioLeft bool) bool {
		if len(free) == 0 {
			return !trioLeft
		}
		a := free[0]
		for x := 1; x < len(free); x++ {
			if met[pairKeyOf(a, free[x])] {
				continue
			}
			rest := slices.Concat(free[1:x], free[x+1:])
			if rec(rest, trioLeft) {
				return true
			}
			if !trioLeft {
				continue
			}
			for y := x + 1; y < len(free); y++ {
				if met[pairKeyOf(a, free[y])] || met[pairKeyOf(free[x], free[y])] {
					continue
				}
				rest := slices.Concat(free[1:x], free[x+1:y], free[y+1:])
				if rec(rest, false) {
					return true
				}
			}
		}
		return false
	}
	return rec(free, len(ids)%2 == 1)
}

// bruteMinRepeats is the fewest repeated pairs over every split of people
// (all mutually valid) into pairs plus one trio when odd.
func bruteMinRepeats(ids []string, met map[string]bool) int {
	best := len(ids) * len(ids)
	rep := func(a, b string) int {
		if met[pairKeyOf(a, b)] {
			return 1
		}
		return 0
	}
	var rec func(free []string, trioLeft bool, acc int)
	rec = func(free []string, trioLeft bool, acc int) {
		if acc >= best {
			return
		}
		if len(free) == 0 {
			if !trioLeft {
				best = acc
			}
			return
		}
		a := free[0]
		for x := 1; x < len(free); x++ {
			rec(slices.Concat(free[1:x], free[x+1:]), trioLeft, acc+rep(a, free[x]))
			if !trioLeft {
				continue
			}
			for y := x + 1; y < len(free); y++ {
				rec(slices.Concat(free[1:x], free[x+1:y], free[y+1:]), false, acc+rep(a, free[x])+rep(a, free[y])+rep(free[x], free[y]))
			}
		}
	}
	rec(ids, len(ids)%2 == 1, 0)
	return best
}

// Ensure nobody meets someone again while a grouping without any repeat
// exists: over random join/leave sequences (pools of 5 to 14 people, so
// repeats are often forced), every round that repeats a pair is checked
// against brute force: no split into pairs and at most one trio without a
// repeat existed. Rounds with an even count must also repeat no more pairs
// than the fewest possible (the matching is exact there).
func TestPairAvoidsRepeatsWithChurn(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		pool := names(rapid.IntRange(5, 14).Draw(t, "pool"))
		var history []pairing.Meeting
		now := pairNow
		in := make(map[string]bool)
		for _, id := range pool[:rapid.IntRange(2, len(pool)).Draw(t, "start")] {
			in[id] = true
		}
		rounds := rapid.IntRange(3, 20).Draw(t, "rounds")
		for round := 0; round < rounds; round++ {
			// People join and leave.
			for _, id := range pool {
				if rapid.IntRange(0, 9).Draw(t, "churn") == 0 {
					in[id] = !in[id]
				}
			}
			var ids []string
			for _, id := range pool {
				if in[id] {
					ids = append(ids, id)
				}
			}
			if len(ids) < 2 {
				continue
			}
			met := metSet(history)
			got := pairing.Pair(pairing.Input{People: crowd(time.UTC, ids...), History: history, Now: now, Seed: int64(round)})
			if len(got.SitOut) != 0 {
				t.Fatalf("round %d: %v sit out with no constraints", round, got.SitOut)
			}
			r := repeats(got, met)
			if r > 0 && bruteZeroRepeat(ids, met) {
				t.Fatalf("round %d: %d repeated pairs in %v, but a split without repeats exists (people %v)", round, r, got.Groups, ids)
			}
			if len(ids)%2 == 0 {
				if want := bruteMinRepeats(ids, met); r != want {
					t.Fatalf("round %d: %d repeated pairs in %v, the fewest possible is %d", round, r, got.Groups, want)
				}
			}
			history = append(history, meetings(got.Groups, now)...)
			now = now.AddDate(0, 0, 7)
		}
	})
}

// Ensure the rules hold for random rounds: partition, sizes, hard rules,
// determinism (same seed, any input order), and a trio exactly when the
// count is odd when nothing else stands in the way.
func TestPairProperties(t *testing.T) {
	t.Parallel()
	zones := []*time.Location{pairZone(t, "Europe/Berlin"), pairZone(t, "America/New_York"),
		pairZone(t, "America/Los_Angeles"), pairZone(t, "Asia/Kolkata"), pairZone(t, "Australia/Sydney"), nil}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 30).Draw(t, "n")
		ids := names(n)
		people := make([]pairing.Person, n)
		for i := range people {
			wk := defaultWeek
			if rapid.IntRange(0, 4).Draw(t, "custom") == 0 {
				start := time.Duration(rapid.IntRange(0, 16).Draw(t, "start")) * time.Hour
				wk = week{Start: start, End: start + time.Duration(rapid.IntRange(1, 10).Draw(t, "len"))*time.Hour,
					Days: defaultWeek.Days[:rapid.IntRange(1, 5).Draw(t, "days")]}
			}
			people[i] = worker(ids[i], wk, zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")])
		}
		never := make(map[string][]string)
		for k := rapid.IntRange(0, n).Draw(t, "nevers"); k > 0 && n > 1; k-- {
			a, b := ids[rapid.IntRange(0, n-1).Draw(t, "a")], ids[rapid.IntRange(0, n-1).Draw(t, "b")]
			never[a] = append(never[a], b)
		}
		var history []pairing.Meeting
		for k := rapid.IntRange(0, 3*n).Draw(t, "history"); k > 0 && n > 1; k-- {
			history = append(history, pairing.Meeting{
				A:  ids[rapid.IntRange(0, n-1).Draw(t, "ha")],
				B:  ids[rapid.IntRange(0, n-1).Draw(t, "hb")],
				At: pairNow.Add(-time.Duration(rapid.IntRange(0, 2000).Draw(t, "age")) * time.Hour),
			})
		}
		in := pairing.Input{
			People:     people,
			GroupSize:  rapid.IntRange(2, 4).Draw(t, "size"),
			MinOverlap: time.Duration(rapid.IntRange(0, 4).Draw(t, "overlap")) * time.Hour,
			Never:      never,
			History:    history,
			Now:        pairNow.Add(time.Duration(rapid.IntRange(0, 24*365).Draw(t, "now")) * time.Hour),
			Seed:       rapid.Int64().Draw(t, "seed"),
		}
		got := pairing.Pair(in)
		if msg := checkPairing(in, got); msg != "" {
			t.Fatalf("%s\ngroups %v\nsit-outs %v", msg, got.Groups, got.SitOut)
		}
		// Same seed, shuffled input: the same answer.
		in2 := in
		in2.People = slices.Clone(people)
		in2.History = slices.Clone(history)
		rng := rand.New(rand.NewPCG(uint64(in.Seed), 1))
		rng.Shuffle(len(in2.People), func(a, b int) { in2.People[a], in2.People[b] = in2.People[b], in2.People[a] })
		rng.Shuffle(len(in2.History), func(a, b int) { in2.History[a], in2.History[b] = in2.History[b], in2.History[a] })
		if again := pairing.Pair(in2); fmt.Sprint(again) != fmt.Sprint(got) {
			t.Fatalf("not deterministic:\n%v\n%v", got, again)
		}
		// Without rules, pairs leave nobody out and make a trio only for odd n.
		if in.GroupSize == 2 && n >= 2 {
			in3 := in
			in3.MinOverlap, in3.Never = 0, nil
			free := pairing.Pair(in3)
			trios := 0
			for _, g := range free.Groups {
				if len(g) == 3 {
					trios++
				}
			}
			if len(free.SitOut) != 0 || trios != n%2 {
				t.Fatalf("n=%d without rules: %d trios and sit-outs %v, want %d and none", n, trios, free.SitOut, n%2)
			}
		}
	})
}

// maxPlaced is, by brute force, the most people that fit in valid groups
// of 2 or 3 (GroupSize 2: pairs, each taking at most one more).
func maxPlaced(in pairing.Input) int {
	n := len(in.People)
	valid := func(idx ...int) bool {
		members := make([]pairing.Person, len(idx))
		for k, i := range idx {
			members[k] = in.People[i]
			for _, j := range idx {
				if i != j && slices.Contains(in.Never[in.People[i].ID], in.People[j].ID) {
					return false
				}
			}
		}
		return in.MinOverlap == 0 || longestShared(members, in.Now) >= in.MinOverlap
	}
	best := 0
	var rec func(used uint, placed int)
	rec = func(used uint, placed int) {
		best = max(best, placed)
		a := 0
		for a < n && used&(1<<a) != 0 {
			a++
		}
		if a == n {
			return
		}
		rec(used|1<<a, placed) // a sits out
		for b := a + 1; b < n; b++ {
			if used&(1<<b) != 0 || !valid(a, b) {
				continue
			}
			rec(used|1<<a|1<<b, placed+2)
			for c := b + 1; c < n; c++ {
				if used&(1<<c) == 0 && valid(a, b, c) {
					rec(used|1<<a|1<<b|1<<c, placed+3)
				}
			}
		}
	}
	rec(0, 0)
	return best
}

// Ensure pairs keep the hard rules without leaving anyone out needlessly:
// on small random rounds with zones and never lists, Pair places as many
// people as the best valid grouping does.
func TestPairPlacesEveryoneItCan(t *testing.T) {
	t.Parallel()
	zones := []*time.Location{pairZone(t, "Europe/Berlin"), pairZone(t, "America/New_York"),
		pairZone(t, "America/Los_Angeles"), pairZone(t, "Asia/Kolkata")}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 9).Draw(t, "n")
		ids := names(n)
		people := make([]pairing.Person, n)
		for i := range people {
			people[i] = worker(ids[i], defaultWeek, zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")])
		}
		never := make(map[string][]string)
		for k := rapid.IntRange(0, n).Draw(t, "nevers"); k > 0; k-- {
			a, b := ids[rapid.IntRange(0, n-1).Draw(t, "a")], ids[rapid.IntRange(0, n-1).Draw(t, "b")]
			never[a] = append(never[a], b)
			never[b] = append(never[b], a)
		}
		in := pairing.Input{People: people, MinOverlap: time.Duration(rapid.IntRange(0, 4).Draw(t, "overlap")) * time.Hour,
			Never: never, Now: pairNow, Seed: rapid.Int64().Draw(t, "seed")}
		got := pairing.Pair(in)
		if msg := checkPairing(in, got); msg != "" {
			t.Fatal(msg)
		}
		if placed, want := n-len(got.SitOut), maxPlaced(in); placed != want {
			t.Fatalf("placed %d people (%v, sit-outs %v), the best valid grouping places %d", placed, got.Groups, got.SitOut, want)
		}
	})
}

// Ensure Pair repeats fewer pairs than a random shuffle over 20 rounds of
// about 40 people who join and leave.
func TestRepeatRateVersusShuffle(t *testing.T) {
	t.Parallel()
	pool := names(60)
	rng := rand.New(rand.NewPCG(40, 20))
	active := make(map[string]bool)
	for _, id := range pool[:40] {
		active[id] = true
	}
	var pairHist, shuffleHist []pairing.Meeting
	var pairRep, pairTotal, shufRep, shufTotal int
	now := pairNow
	for round := 0; round < 20; round++ {
		for _, id := range pool {
			if rng.IntN(10) == 0 {
				active[id] = !active[id]
			}
		}
		var ids []string
		for _, id := range pool {
			if active[id] {
				ids = append(ids, id)
			}
		}
		got := pairing.Pair(pairing.Input{People: crowd(time.UTC, ids...), History: pairHist, Now: now, Seed: int64(round)})
		pairRep += repeats(got, metSet(pairHist))
		pairHist = append(pairHist, meetings(got.Groups, now)...)
		pairTotal += len(meetings(got.Groups, now))

		shuf := randomPairing(rng, ids)
		shufRep += repeats(shuf, metSet(shuffleHist))
		shuffleHist = append(shuffleHist, meetings(shuf.Groups, now)...)
		shufTotal += len(meetings(shuf.Groups, now))
		now = now.AddDate(0, 0, 7)
	}
	pr, sr := float64(pairRep)/float64(pairTotal), float64(shufRep)/float64(shufTotal)
	t.Logf("repeat rate over 20 rounds of ~40 people with churn: Pair %.2f%% (%d of %d pairs), shuffle %.2f%% (%d of %d)",
		100*pr, pairRep, pairTotal, 100*sr, shufRep, shufTotal)
	if pr >= sr {
		t.Errorf("Pair repeat rate %.3f, want below the shuffle's %.3f", pr, sr)
	}
}

// randomPairing is the baseline: shuffle and pair in order, the odd one out
// joining the last pair.
func randomPairing(rng *rand.Rand, ids []string) pairing.Result {
	ids = slices.Clone(ids)
	rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
	var out pairing.Result
	for k := 0; k+1 < len(ids); k += 2 {
		out.Groups = append(out.Groups, []string{ids[k], ids[k+1]})
	}
	if len(ids)%2 == 1 && len(out.Groups) > 0 {
		out.Groups[len(out.Groups)-1] = append(out.Groups[len(out.Groups)-1], ids[len(ids)-1])
	}
	return out
}
