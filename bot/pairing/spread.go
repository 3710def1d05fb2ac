package pairing

import "slices"

// spreadLimit is how many pairs on each side a swap is looked for among,
// for one missing team pair: enough to find one in rounds of thousands,
// cheap when there is none.
const spreadLimit = 64

// spreadTeamPairs spreads a round's crossing pairs over more team pairs.
//
// The team term prices each pair by how recently its team pair met, which
// steers a round away from the team pairs met before, but it cannot see
// the round itself: a matching among equally cheap crossing pairs may put
// twenty pairs between two teams and none between two others. So after
// the matching, for each team pair the round leaves without a pair (least
// recently met first), the partners of two pairs are swapped, (u, v) and
// (w, z) into (u, w) and (v, z), when u and w are on the two teams, both
// new pairs are valid, cross teams and were never grouped before, and
// more team pairs have a pair afterwards than before. Each swap adds a
// team pair, so it ends; no swap adds a repeat, a shared team or a broken
// rule, so what the matching decided by the cost's larger terms stays.
//
// It runs only on pairs the matching chose: a round-robin continuation
// keeps its schedule.
func (p *pairer) spreadTeamPairs(pairs [][2]int) {
	if !p.teams || len(pairs) < 2 {
		return
	}
	s := spreader{p: p, pairs: pairs, count: make(map[[2]int]int), byTeam: make(map[int][]int)}
	present := make(map[int]bool)
	for k, pr := range pairs {
		s.add(pr, 1)
		for _, i := range pr {
			for _, t := range p.teamsOf[i] {
				present[t] = true
				s.byTeam[t] = append(s.byTeam[t], k)
			}
		}
	}
	teams := make([]int, 0, len(present))
	for t := range present {
		teams = append(teams, t)
	}
	slices.Sort(teams)
	var all [][2]int
	for a, x := range teams {
		for _, y := range teams[a+1:] {
			all = append(all, [2]int{x, y})
		}
	}
	slices.SortStableFunc(all, func(a, b [2]int) int { return int(p.teamRec[a] - p.teamRec[b]) })
	// A swap may take a team pair's only pair to add two others, so the
	// missing ones are looked at again until a pass adds none.
	for added := true; added; {
		added = false
		for _, tp := range all {
			if s.count[tp] == 0 && s.fill(tp) {
				added = true
			}
		}
	}
}

// spreader is the state of spreadTeamPairs.
type spreader struct {
	p      *pairer
	pairs  [][2]int
	count  map[[2]int]int // team pair → pairs this round crossing it
	byTeam map[int][]int  // team → indices of pairs with a member in it (possibly stale: members are checked when read)
}

// covers returns the team pairs a pair of people crosses: none when they
// share a team.
func (s *spreader) covers(pr [2]int) [][2]int {
	if s.p.shareTeam(pr[0], pr[1]) {
		return nil
	}
	var out [][2]int
	for _, x := range s.p.teamsOf[pr[0]] {
		for _, y := range s.p.teamsOf[pr[1]] {
			out = append(out, [2]int{min(x, y), max(x, y)})
		}
	}
	return out
}

// add counts pr's team pairs d times (1 to add the pair, −1 to remove it).
func (s *spreader) add(pr [2]int, d int) {
	for _, tp := range s.covers(pr) {
		s.count[tp] += d
	}
}

// gain is how many more team pairs have a pair once old is replaced by
// new.
func (s *spreader) gain(old, new [2][2]int) int {
	delta := make(map[[2]int]int)
	for _, pr := range old {
		for _, tp := range s.covers(pr) {
			delta[tp]--
		}
	}
	for _, pr := range new {
		for _, tp := range s.covers(pr) {
			delta[tp]++
		}
	}
	g := 0
	for tp, d := range delta {
		before := s.count[tp]
		switch after := before + d; {
		case before == 0 && after > 0:
			g++
		case before > 0 && after == 0:
			g--
		}
	}
	return g
}

// fresh reports whether a and b may be a new pair that costs no more tiers
// than a pair the matching chose: valid, crossing, never grouped.
func (s *spreader) fresh(a, b int) bool {
	return a != b && s.p.valid(a, b) && !s.p.shareTeam(a, b) && !s.p.grouped(a, b)
}

// fill looks for one swap that gives the team pair tp a pair, and makes
// it.
func (s *spreader) fill(tp [2]int) bool {
	x, y := tp[0], tp[1]
	sideX, sideY := s.byTeam[x], s.byTeam[y]
	for _, k1 := range sideX[:min(len(sideX), spreadLimit)] {
		for _, k2 := range sideY[:min(len(sideY), spreadLimit)] {
			if k1 != k2 && s.swap(k1, k2, x, y) {
				return true
			}
		}
	}
	return false
}

// swap re-pairs pairs k1 and k2 so that a member of team x from k1 meets
// a member of team y from k2, if that is fresh and adds team pairs.
func (s *spreader) swap(k1, k2, x, y int) bool {
	p := s.p
	p1, p2 := s.pairs[k1], s.pairs[k2]
	for a, u := range p1 {
		if !slices.Contains(p.teamsOf[u], x) {
			continue
		}
		v := p1[1-a]
		for b, w := range p2 {
			z := p2[1-b]
			if !slices.Contains(p.teamsOf[w], y) || !s.fresh(u, w) || !s.fresh(v, z) {
				continue
			}
			old, new := [2][2]int{p1, p2}, [2][2]int{{u, w}, {v, z}}
			if s.gain(old, new) <= 0 {
				continue
			}
			s.add(p1, -1)
			s.add(p2, -1)
			s.add(new[0], 1)
			s.add(new[1], 1)
			s.pairs[k1], s.pairs[k2] = new[0], new[1]
			for _, t := range p.teamsOf[w] {
				s.byTeam[t] = append(s.byTeam[t], k1)
			}
			for _, t := range p.teamsOf[z] {
				s.byTeam[t] = append(s.byTeam[t], k2)
			}
			return true
		}
	}
	return false
}
