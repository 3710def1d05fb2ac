package pairing

import (
	"slices"
	"strings"
)

// Buddies. A newcomer's first round (Person.FirstRound) pairs them with a
// volunteer (Person.Volunteer) before anyone else is grouped, so that the
// first person they meet is someone who offered to show them around:
//
//  1. Every first-rounder and every volunteer who may be paired (both hard
//     rules hold for the two) is an edge, weighted like any pair (never
//     grouped first, then the oldest repeat). An exact maximum-cardinality
//     matching on that bipartite graph gives the most newcomers a buddy of
//     their own: one newcomer per volunteer whenever there are volunteers
//     enough.
//  2. Everyone else is paired as if there were no buddies (Pair on the
//     rest, with its own Newcomer, team and round-robin rules). A
//     first-rounder left without a volunteer (more newcomers than
//     volunteers who work when they do) is among them as an ordinary
//     newcomer: they never sit out when someone else can, and meet other
//     teams first. Giving a volunteer a second newcomer instead would turn
//     pairs into trios and could leave someone out.
//  3. Anyone the rest leaves out may still join a buddy pair with room;
//     nobody moves out of a buddy pair to seat someone else.
//
// A buddy group is a pair (a trio only by 3.) at every GroupSize, so a
// newcomer's first chat is one to one. Without a first-rounder, or without
// a volunteer, nothing here runs: the round is exactly what it was.

// Buddy is a buddy group of a round: a newcomer in their first round and
// the volunteer they were paired with.
type Buddy struct {
	Newcomer, Volunteer string
}

// buddyGroups picks the buddy pairs (step 1 above). It returns the groups
// (the newcomer first, the volunteer second) and who is whose buddy.
func (p *pairer) buddyGroups() (groups [][]int, buddies []Buddy) {
	var first, vols []int
	for i := range p.n {
		switch {
		case p.firstRound[i]:
			first = append(first, i)
		case p.volunteer[i]:
			vols = append(vols, i)
		}
	}
	if len(first) == 0 || len(vols) == 0 {
		return nil, nil
	}
	// Vertices: first-rounders 0..len(first)−1, then volunteers.
	var edges []edge
	for a, i := range first {
		for b, j := range vols {
			if p.valid(i, j) {
				edges = append(edges, edge{a, len(first) + b, p.pairWeight(i, j)})
			}
		}
	}
	p.rng.Shuffle(len(edges), func(x, y int) { edges[x], edges[y] = edges[y], edges[x] })
	mate := maxWeightMatching(len(first)+len(vols), edges, true)
	for a, i := range first {
		if m := mate[a]; m >= 0 {
			v := vols[m-len(first)]
			groups = append(groups, []int{i, v})
			buddies = append(buddies, Buddy{Newcomer: p.ids[i], Volunteer: p.ids[v]})
		}
	}
	return groups, buddies
}

// pairWithBuddies is Pair when the round has first-rounders and
// volunteers: the buddy groups first, then Pair on everyone else, then the
// people left out get a seat in a buddy group with room where they may.
func (p *pairer) pairWithBuddies(in Input, buddies [][]int, who []Buddy) Result {
	inBuddy := make(map[string]bool)
	for _, grp := range buddies {
		for _, i := range grp {
			inBuddy[p.ids[i]] = true
		}
	}
	rest := in
	rest.People = nil
	for _, x := range in.People {
		if !inBuddy[x.ID] {
			x.FirstRound = false // no volunteer was free for them: an ordinary newcomer
			rest.People = append(rest.People, x)
		}
	}
	got := Pair(rest)
	idx := make(map[string]int, p.n)
	for i, id := range p.ids {
		idx[id] = i
	}
	groups := slices.Clone(buddies)
	for _, g := range got.Groups {
		grp := make([]int, len(g))
		for k, id := range g {
			grp[k] = idx[id]
		}
		groups = append(groups, grp)
	}
	var out []int
	for _, s := range got.SitOut {
		out = append(out, idx[s.ID])
	}
	// Seat whoever sits out in a buddy group with room, the cheapest;
	// buddy groups keep their members (only these are offered).
	for _, u := range slices.Clone(out) {
		best, bestCost := -1, int64(0)
		for gi := range buddies {
			grp := groups[gi]
			if !p.room(grp) {
				continue
			}
			with := append(slices.Clone(grp), u)
			if !p.groupValid(with) {
				continue
			}
			if c := p.groupCost(with) - p.groupCost(grp); best == -1 || c < bestCost {
				best, bestCost = gi, c
			}
		}
		if best >= 0 {
			groups[best] = append(slices.Clone(groups[best]), u)
			out = slices.DeleteFunc(out, func(y int) bool { return y == u })
		}
	}
	res := p.result(groups, out)
	res.Buddies = slices.SortedFunc(slices.Values(who), func(a, b Buddy) int { return strings.Compare(a.Newcomer, b.Newcomer) })
	return res
}
