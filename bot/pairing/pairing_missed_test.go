package pairing_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/rapport-bot/rapport/bot/pairing"
)

// Ensure a pair grouped before that did not meet ("No", "Can't make it")
// comes after partners never grouped with, and before pairs who met.
func TestPairMissedComesBetweenNewAndMet(t *testing.T) {
	t.Parallel()
	berlin := pairZone(t, "Europe/Berlin")
	lastWeek := pairNow.AddDate(0, 0, -7)
	longAgo := pairNow.AddDate(0, 0, -70)
	missed := func(a, b string, at time.Time) pairing.Meeting {
		return pairing.Meeting{A: a, B: b, At: at, Missed: true}
	}
	met := func(a, b string, at time.Time) pairing.Meeting {
		return pairing.Meeting{A: a, B: b, At: at}
	}
	tests := []struct {
		name    string
		history []pairing.Meeting
		want    string
	}{
		{
			// Sam (a) said "No" with Jordan (b) last week; a new partner
			// comes first. Two of the three pairings have no history at all.
			name:    "NewPartnerBeatsMissed",
			history: []pairing.Meeting{missed("a", "b", lastWeek), missed("c", "d", lastWeek)},
			want:    "not [[a b] [c d]]",
		},
		{
			// Everyone else a could meet, a met: the pair that did not meet
			// is the better repeat.
			name: "MissedBeatsMet",
			history: []pairing.Meeting{
				missed("a", "b", lastWeek), met("c", "d", longAgo),
				met("a", "c", longAgo), met("b", "d", longAgo),
				met("a", "d", longAgo), met("b", "c", longAgo),
			},
			want: "[[a b] [c d]]",
		},
		{
			// Two pairs that did not meet lose to one fresh pairing; two
			// that met lose to two that did not.
			name: "FewerMissesThenFewerMet",
			history: []pairing.Meeting{
				missed("a", "b", lastWeek), missed("c", "d", lastWeek),
				met("a", "c", longAgo), met("b", "d", longAgo),
			},
			want: "[[a d] [b c]]",
		},
		{
			name: "TwoMissedBeatTwoMet",
			history: []pairing.Meeting{
				missed("a", "b", lastWeek), missed("c", "d", lastWeek),
				met("a", "c", longAgo), met("b", "d", longAgo),
				met("a", "d", longAgo), met("b", "c", longAgo),
			},
			want: "[[a b] [c d]]",
		},
		{
			// A pair who met once and missed once is a pair who met.
			name: "MetOnceCountsAsMet",
			history: []pairing.Meeting{
				met("a", "b", longAgo), missed("a", "b", lastWeek),
				missed("a", "c", lastWeek), missed("b", "d", lastWeek),
				met("a", "d", longAgo), met("b", "c", longAgo),
			},
			want: "[[a c] [b d]]",
		},
		{
			// Among pairs that did not meet, the older miss comes first.
			name: "OlderMissWins",
			history: []pairing.Meeting{
				missed("a", "b", lastWeek), missed("c", "d", lastWeek),
				missed("a", "c", longAgo), missed("b", "d", longAgo),
				met("a", "d", longAgo), met("b", "c", longAgo),
			},
			want: "[[a c] [b d]]",
		},
	}
	for _, tt := range tests {
		for seed := int64(0); seed < 20; seed++ {
			got := fmt.Sprint(pairing.Pair(pairing.Input{People: crowd(berlin, "a", "b", "c", "d"), History: tt.history, Now: pairNow, Seed: seed}).Groups)
			if not, ok := cutPrefix(tt.want, "not "); ok {
				if got == not {
					t.Errorf("%s (seed %d): groups %s, want anything else", tt.name, seed, got)
				}
				continue
			}
			if got != tt.want {
				t.Errorf("%s (seed %d): groups %s, want %s", tt.name, seed, got, tt.want)
			}
		}
	}
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// tierCount is how many of a grouping's pairs met before, and how many
// were grouped before without meeting (and never met).
type tierCount struct{ met, missed int }

func (a tierCount) less(b tierCount) bool {
	return a.met < b.met || a.met == b.met && a.missed < b.missed
}

func countTiers(groups [][]string, met, missed map[string]bool) tierCount {
	var c tierCount
	for _, g := range groups {
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				switch k := pairKeyOf(g[a], g[b]); {
				case met[k]:
					c.met++
				case missed[k]:
					c.missed++
				}
			}
		}
	}
	return c
}

// bruteBestTiers is the best (fewest met, then fewest missed) over every
// split of an even number of people into pairs.
func bruteBestTiers(ids []string, met, missed map[string]bool) tierCount {
	best := tierCount{met: len(ids), missed: len(ids)}
	var rec func(free []string, acc [][]string)
	rec = func(free []string, acc [][]string) {
		if len(free) == 0 {
			if c := countTiers(acc, met, missed); c.less(best) {
				best = c
			}
			return
		}
		for x := 1; x < len(free); x++ {
			rec(slices.Concat(free[1:x], free[x+1:]), append(acc, []string{free[0], free[x]}))
		}
	}
	rec(ids, nil)
	return best
}

// Ensure, over random rounds whose groups sometimes meet and sometimes do
// not, that every round of an even count has the fewest pairs who met
// before and then the fewest pairs who were grouped without meeting, as
// brute force finds them.
func TestPairMissedTiersProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := 2 * rapid.IntRange(2, 5).Draw(t, "half")
		ids := names(n)
		var history []pairing.Meeting
		now := pairNow
		rounds := rapid.IntRange(1, 8).Draw(t, "rounds")
		for round := 0; round < rounds; round++ {
			met, missed := map[string]bool{}, map[string]bool{}
			for _, m := range history {
				if m.Missed {
					missed[pairKeyOf(m.A, m.B)] = true
				} else {
					met[pairKeyOf(m.A, m.B)] = true
				}
			}
			got := pairing.Pair(pairing.Input{People: crowd(time.UTC, ids...), History: history, Now: now, Seed: rapid.Int64().Draw(t, "seed")})
			if c, want := countTiers(got.Groups, met, missed), bruteBestTiers(ids, met, missed); c != want {
				t.Fatalf("round %d: %v has %d met and %d missed pairs, the best is %d and %d (met %v, missed %v)",
					round, got.Groups, c.met, c.missed, want.met, want.missed, met, missed)
			}
			for _, g := range got.Groups {
				history = append(history, pairing.Meeting{A: g[0], B: g[1], At: now, Missed: rapid.Bool().Draw(t, "missed")})
			}
			now = now.AddDate(0, 0, 7)
		}
	})
}

// Ensure a large round (past the full graph, where each person brings
// candidates) still gives everyone a partner they were never grouped with
// when the last round did not meet at all.
func TestPairMissedLargeRound(t *testing.T) {
	t.Parallel()
	var ids []string
	for i := range 400 {
		ids = append(ids, fmt.Sprintf("u%03d", i))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	perm := slices.Clone(ids)
	rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
	var history []pairing.Meeting
	missed := map[string]bool{}
	for k := 0; k+1 < len(perm); k += 2 {
		history = append(history, pairing.Meeting{A: perm[k], B: perm[k+1], At: pairNow.AddDate(0, 0, -7), Missed: true})
		missed[pairKeyOf(perm[k], perm[k+1])] = true
	}
	for seed := range int64(6) {
		got := pairing.Pair(pairing.Input{People: crowd(time.UTC, ids...), History: history, Now: pairNow, Seed: seed})
		if c := countTiers(got.Groups, nil, missed); c.missed != 0 || len(got.Groups) != 200 {
			t.Errorf("seed %d: %d groups with %d pairs that did not meet last round, want 200 and none", seed, len(got.Groups), c.missed)
		}
	}
}
