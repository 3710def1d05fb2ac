package pairing_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/pairing"
)

// simPerson is someone in the simulated company.
type simPerson struct {
	id     string
	team   string
	zone   *time.Location
	joined int // round they joined (−1: there from the start)
}

// TestPairTeamSimulation runs half a year of weekly rounds for 200 people
// in 8 teams over 4 zones, 5% joining and 5% leaving each month, three
// ways: Pair without teams (as before), Pair with teams, and a random
// shuffle that respects nothing but group size. It logs a table; set
// RAPPORT_PAIRING_SIM=1 to run it.
func TestPairTeamSimulation(t *testing.T) {
	if os.Getenv("RAPPORT_PAIRING_SIM") != "1" {
		t.Skip("set RAPPORT_PAIRING_SIM=1 to run the simulation")
	}
	zones := []*time.Location{pairZone(t, "Europe/Berlin"), pairZone(t, "Europe/London"),
		pairZone(t, "America/New_York"), pairZone(t, "Asia/Kolkata")}
	const (
		start  = 200
		rounds = 26
	)
	type stats struct {
		crossShare  []float64 // per round: groups whose members share no team
		coverage1   float64   // team pairs with a tie after the first round
		coverage13  float64
		coverage26  float64
		full        int     // the round after which every team pair had a tie; 0: not within the half year
		newTie      float64 // pairs never grouped before, over all rounds
		newcomerOut int     // newcomers with a partner outside their team in their first 4 rounds
		newcomers   int
		repeats     int
	}
	// 8 teams of 25 is the company the numbers are asked for; with 100
	// pairs a round any pairing covers its 28 team pairs at once. 40 teams
	// of 5 (780 team pairs) is where spreading ties over the grid shows.
	run := func(mode string, nTeams int) stats {
		rng := rand.New(rand.NewPCG(26, 8))
		var people []simPerson
		next := 0
		add := func(joined int) {
			people = append(people, simPerson{id: fmt.Sprintf("u%04d", next), team: fmt.Sprintf("T%d", rng.IntN(nTeams)),
				zone: zones[rng.IntN(len(zones))], joined: joined})
			next++
		}
		for range start {
			add(-1)
		}
		teamOf := make(map[string]string)
		var history []pairing.Meeting
		met := make(map[string]bool)
		covered := make(map[string]bool)
		crossFirst := make(map[string]bool) // newcomers with a crossing partner in their first 4 rounds
		early := make(map[string]bool)      // people in their first 4 rounds now
		var st stats
		var pairsTotal, newPairs int
		shuffle := rand.New(rand.NewPCG(7, 7))
		for r := 0; r < rounds; r++ {
			if r > 0 && r%4 == 0 {
				// A month: 5% leave, as many join.
				for k := 0; k < start/20; k++ {
					x := rng.IntN(len(people))
					people = slices.Delete(people, x, x+1)
				}
				for k := 0; k < start/20; k++ {
					add(r)
				}
			}
			now := pairNow.AddDate(0, 0, 7*r)
			in := pairing.Input{GroupSize: 2, MinOverlap: time.Hour, History: history, Now: now, Seed: int64(r)}
			for _, p := range people {
				teamOf[p.id] = p.team
				x := pairing.Person{ID: p.id, Work: inWeek(hours(defaultWeek, p.zone), now), Zone: p.zone.String()}
				if mode == "teams" {
					x.Teams = []string{p.team}
					x.Newcomer = p.joined >= 0 && r-p.joined < 4
				}
				in.People = append(in.People, x)
			}
			clear(early)
			for _, p := range people {
				early[p.id] = p.joined >= 0 && r-p.joined < 4
			}
			var res pairing.Result
			if mode == "shuffle" {
				ids := make([]string, len(people))
				for i, p := range people {
					ids[i] = p.id
				}
				res = randomPairing(shuffle, ids)
			} else {
				res = pairing.Pair(in)
			}
			crossing := 0
			for _, g := range res.Groups {
				cross := true
				for a := range g {
					for b := a + 1; b < len(g); b++ {
						k := pairKeyOf(g[a], g[b])
						pairsTotal++
						if met[k] {
							st.repeats++
						} else {
							newPairs++
						}
						met[k] = true
						ta, tb := teamOf[g[a]], teamOf[g[b]]
						if ta == tb {
							cross = false
							continue
						}
						covered[min(ta, tb)+"|"+max(ta, tb)] = true
						crossFirst[g[a]] = crossFirst[g[a]] || early[g[a]]
						crossFirst[g[b]] = crossFirst[g[b]] || early[g[b]]
					}
				}
				if cross {
					crossing++
				}
			}
			history = append(history, meetings(res.Groups, now)...)
			st.crossShare = append(st.crossShare, float64(crossing)/float64(max(len(res.Groups), 1)))
			// Newcomers whose first four rounds end now.
			for _, p := range people {
				if p.joined >= 0 && r-p.joined == 3 {
					st.newcomers++
					if crossFirst[p.id] {
						st.newcomerOut++
					}
				}
			}
			teamPairs := float64(nTeams * (nTeams - 1) / 2)
			if st.full == 0 && float64(len(covered)) == teamPairs {
				st.full = r + 1
			}
			switch r + 1 {
			case 1:
				st.coverage1 = float64(len(covered)) / teamPairs
			case 13:
				st.coverage13 = float64(len(covered)) / teamPairs
			case 26:
				st.coverage26 = float64(len(covered)) / teamPairs
			}
		}
		st.newTie = float64(newPairs) / float64(pairsTotal)
		return st
	}
	mean := func(xs []float64) float64 {
		var s float64
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	for _, nTeams := range []int{8, 40} {
		t.Logf("%d teams", nTeams)
		t.Logf("%-9s %8s %8s %8s %8s %8s %8s %8s %6s %8s %10s %7s", "mode", "cross r1", "r13", "r26", "mean", "cov1", "cov13", "cov26", "full@", "new-tie", "newcomers", "repeats")
		for _, mode := range []string{"no-teams", "teams", "shuffle"} {
			st := run(mode, nTeams)
			t.Logf("%-9s %7.0f%% %7.0f%% %7.0f%% %7.1f%% %7.0f%% %7.0f%% %7.0f%% %6d %7.1f%% %4d/%-4d %7d",
				mode, 100*st.crossShare[0], 100*st.crossShare[12], 100*st.crossShare[25], 100*mean(st.crossShare),
				100*st.coverage1, 100*st.coverage13, 100*st.coverage26, st.full, 100*st.newTie, st.newcomerOut, st.newcomers, st.repeats)
		}
	}
}
