// Package pairing decides who meets whom in a coffee round: Pair takes the
// round's eligible people, when each of them works, their never lists and
// their history, and returns the groups and who sits out and why. It is a
// pure function of its Input (no clock, no store, no Slack) and imports only
// the standard library, so it can be read, tested and benchmarked alone; a
// test keeps it that way.
//
// The top level holds only cmd, bot, store and scheduler, so a package of
// its own sits beneath one of them. It sits beneath bot because choosing
// groups is part of what a coffee round does, and what happens belongs to
// the bot; the scheduler only says when something is due, and keeping
// pairing out of it keeps the scheduler's dependencies free of coffee.
// Callers convert their own records (zones, working weeks, meetings) into
// Input; nothing here knows the store's types.
package pairing

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// This file is the pairing function behind coffee rounds. Pair decides who
// meets whom; the coffee round feeds it the round's eligible people, when
// each of them works, and the history, and announces the result.
//
// The model. Every two people have a cost; lower is better:
//
//	never grouped   0..16           a little more for people with many
//	                                options left that they were never
//	                                grouped with, so that those with few
//	                                get the new partners first
//	grouped, never  Umiss + 0..4096 grouped before but did not meet (they
//	met                             answered "No" or "Can't make it"):
//	                                Umiss outweighs any sum of the smaller
//	                                terms, so a new partner comes first, yet
//	                                such a pair is not a repeat: they still
//	                                have not met. The rest is the recency
//	                                term below over those rounds.
//	met             Umet + 0..4096  Umet outweighs any sum of the smaller
//	                                terms (Umiss ones included), so a
//	                                grouping with fewer repeated pairs
//	                                always wins ("never met" beats "met
//	                                long ago"); the rest is
//	                                64·Σ 2^(−age/HalfLife) over the pair's
//	                                meetings, so older and rarer meetings
//	                                cost less
//
// and, when someone has a team (Input.CrossTeam at CrossTeamPrefer), each
// pair adds a team term, small like the others so that the repeat tiers
// still decide first:
//
//	crossing        0..16           no team in common: how recently the
//	                                team pairs they would add to met,
//	                                relative to the most met team pair
//	                                (derived from History and today's
//	                                teams), the least of those pairs
//	sharing a team  64, or 112 with a newcomer
//
// and a group costs the sum over its pairs. Without teams the team term
// and every weight are what they were before teams existed, so the same
// input and Seed give the same groups. Hard rules (MinOverlap of one
// unbroken stretch of shared working time in the week from Now, and the
// Never lists) are not costs: an invalid pair is not an edge at all, and an
// invalid group is never returned. Ties are broken by a seeded shuffle of
// the people and the edges, so the same input and Seed give the same
// Result, and another Seed gives another among the equally good ones.
//
// Pairs (GroupSize 2), per connected component of the "may be paired" graph:
//
//  1. Plan ahead for a fixed roster. Greedy matching, even an optimal one
//     each round, can strand the last rounds of a roster (a residual
//     2-regular "not met yet" graph made of odd cycles has no perfect
//     matching). So if the component's history is a run of complete rounds
//     of a round-robin (circle-method) schedule, continue that schedule
//     (circleRound): n−1 rounds without a repeat. If it is a run of
//     complete rounds of some other kind, search with bounded backtracking
//     for a split of the not-yet-met graph into perfect matchings and take
//     one of them (factorRound), which keeps the rest splittable.
//  2. Otherwise an exact maximum-weight matching (Edmonds' blossom
//     algorithm, matching.go) with maximum cardinality: the most people
//     paired, then the fewest repeats, then the oldest ones. With an even
//     count this is the fewest repeats possible.
//  3. An odd component of at most oddExactMax people tries every person as
//     the one who joins a pair, with each pair weighted by how well that
//     person would join it; this finds a grouping without repeats whenever
//     one exists. Larger ones let the matching leave one person out.
//  3b. With teams, the matched pairs are spread over more team pairs by
//     partner swaps that add no repeat and keep every pair crossing
//     (spreadTeamPairs): the costs see history, not the round itself.
//  4. Everyone left unmatched joins a pair (making a trio) by a second
//     matching between them and the pairs they may validly join. Then each
//     trio is re-split with nearby pairs (trio+pair, and in small rounds
//     trio+two pairs) while that lowers the cost.
//
// Newcomers. When someone left out could take the place of a non-newcomer
// in a group that stays valid, a newcomer does (the other joins a group
// with room, or sits out instead). With teams, anyone left out gets the
// same chance where the other finds a group with room: team weights can
// steer the matching to pairs no leftover can join.
//
// Buddies. A newcomer's first round (Person.FirstRound) pairs them with a
// Volunteer before the rest are grouped; buddy.go has the rules. Without
// both in a round, nothing changes.
//
// Groups of 3 or 4, per component: a greedy start (the people with the
// fewest valid partners first, each into the open group where they add the
// least cost, empty groups first so hard-to-place people spread out), then
// local search that swaps two people between groups while that lowers the
// total cost (the cost counts rule violations as huge, so the search also
// repairs them), then any group still breaking a rule is cut down to its
// best valid part and the rest try other groups or sit out. It is a
// heuristic (the exact problem contains the Social Golfer Problem), but it
// never returns an invalid group.
//
// Sizes. Groups have GroupSize people; when a component's size does not
// divide, the leftovers join different groups (one each), so no group has
// more than GroupSize+1. A group can only be larger when a component has
// more leftovers than groups, which needs fewer than GroupSize·(GroupSize+1)
// people (5 people at size 3: one group of 5; 6 or 7 at size 4); then the
// sizes are as even as possible. A component smaller than GroupSize (but
// at least 2) is one group.
//
// Scale. Up to fullGraphMax people every valid pair is an edge. Beyond,
// each person brings candidateK candidates (see candidateK), the union is
// the graph, and anyone the matching leaves unmatched gets all their valid
// partners as edges for a second run. People with the same zone and
// working time in the week form one "profile", and overlaps are computed
// once per profile pair, so 10,000 people in a handful of zones cost a handful of overlap
// computations, not 50 million.

// Person is someone eligible for this round: who they are and when they work.
type Person struct {
	ID string
	// Work is when they work, as absolute time: at least the week from
	// Input.Now (the caller resolves zones, working weeks and daylight
	// saving). Only the part inside [Now, Now+7×24h) counts; windows may
	// come in any order and may touch or overlap.
	Work []Window
	// Zone names their time zone. It decides nothing about who may meet
	// (Work does), but people with the same Zone and Work share one
	// profile: overlaps are computed once per pair of profiles, and in
	// rounds over fullGraphMax people candidates are drawn profile by
	// profile, so Zone is part of what makes a Seed repeat a round.
	Zone string
	// Teams are the teams they belong to: several, or none. Two people
	// cross teams when they have no team in common; with Input.CrossTeam
	// at CrossTeamPrefer, groups that cross teams are preferred among
	// groups that are equally new (see CrossTeam).
	Teams []string
	// Newcomer marks someone who joined recently: when someone must sit out
	// and a non-newcomer can sit out instead (the hard rules permitting),
	// a newcomer never does, and their own cross-team preference weighs
	// twice as much, so they meet other teams first.
	Newcomer bool
	// FirstRound marks a newcomer's first round (they were never grouped):
	// they are paired with a Volunteer first, when one works when they do
	// and is not on a never list with them (see buddy.go).
	FirstRound bool
	// Volunteer marks someone who offered to be a newcomer's buddy. It
	// changes nothing in a round without a FirstRound person.
	Volunteer bool
}

// CrossTeam says how Pair weighs teams.
type CrossTeam string

const (
	// CrossTeamPrefer, the zero value, prefers groups whose members share
	// no team, and among those the team pairs that met least recently. It
	// is soft: the hard rules come first, then the fewest repeated pairs
	// (never grouped, then grouped but missed, then met), and only then
	// teams. When nobody has a team it changes nothing: the groups are
	// exactly those Pair made before teams existed, so callers that set no
	// teams need not set CrossTeam.
	CrossTeamPrefer CrossTeam = ""
	// CrossTeamIgnore pairs as if nobody had a team. Newcomers still never
	// sit out when someone else can.
	CrossTeamIgnore CrossTeam = "ignore"
)

// Window is a stretch of working time [Start, End).
type Window struct{ Start, End time.Time }

// Meeting is one pair of a past group: a past trio is three Meetings. A
// pair that met costs the most to group again; one grouped but Missed
// (the group said it did not meet) costs less than that, but more than
// someone never grouped with.
type Meeting struct {
	A, B   string
	At     time.Time
	Missed bool // grouped, but did not meet
}

// Input is everything one round's pairing depends on.
type Input struct {
	People     []Person            // eligible this round (bots, paused and away people are filtered out before)
	GroupSize  int                 // 2..4; values below 2 mean 2, above 4 mean 4
	MinOverlap time.Duration       // hard: a group must share one unbroken stretch this long in the week from Now; 0 turns it off
	Never      map[string][]string // person → people they are never grouped with (applied both ways)
	History    []Meeting
	Now        time.Time
	Seed       int64
	HalfLife   time.Duration // how fast a past meeting's weight decays; 0 means twelve weeks
	// CrossTeam is how teams count. Which team pairs met when is derived
	// from History and the teams the people in this round belong to now (a
	// meeting with someone no longer eligible counts for no team, and one
	// from before someone changed team counts for their current teams), so
	// no separate team history is needed.
	CrossTeam CrossTeam
}

// defaultHalfLife is how long it takes for a past meeting to count half as
// much against meeting again, when Input.HalfLife is 0.
const defaultHalfLife = 12 * 7 * 24 * time.Hour

// Reasons a person sits out a round.
const (
	// SitOutAlone: they were the only eligible person.
	SitOutAlone = "alone"
	// SitOutNoOverlap: no group this round could take them with MinOverlap
	// of shared working time (nobody shares it, or those who do were needed
	// in groups that do not).
	SitOutNoOverlap = "no_overlap"
	// SitOutNeverList: the never lists stood in the way: everyone who shares
	// enough working time with them, or every group they could have joined,
	// holds someone on a never list with them.
	SitOutNeverList = "never_list"
)

// SitOut is an eligible person who is in no group this round, and why.
type SitOut struct {
	ID     string
	Reason string // SitOutAlone, SitOutNoOverlap or SitOutNeverList
}

// Result is a round's pairing: every eligible person is in exactly one
// group or in SitOut. Each group is sorted, the groups are sorted, and
// SitOut is sorted by ID.
type Result struct {
	Groups [][]string
	SitOut []SitOut
	// Buddies are the groups made for a newcomer's first round, by the
	// newcomer's ID; each one's pair is also in Groups.
	Buddies []Buddy
}

const (
	// candidateK is how many candidates each person brings when a round has
	// more than fullGraphMax people: never-grouped, zone-compatible people drawn
	// at random (the seed), topped up with the least recently met valid
	// people when there are not enough. The union of everyone's lists gives
	// each person about 2K edges. Feasibility needs very few (a random graph
	// where everyone picks 2 neighbours already has a perfect matching with
	// high probability, Frieze 1986), and anyone still unmatched gets all
	// their valid partners for a second run. K buys choice and margin. On the
	// benchmark (10,000 people, 8 zones, a year of history) K = 5, 15, 30
	// and 60 all gave no repeats and no sit-outs, in 0.35, 0.8, 0.75 and
	// 1.1 s, with 73, 83, 92 and 188 MB peak heap. 30 keeps a wide margin for
	// what the benchmark lacks (never lists, narrow zone overlaps that make
	// a trio invalid, a leftover needing a pair it can join) at a
	// negligible cost.
	candidateK = 30
	// fullGraphMax is the largest round where every valid pair is an edge
	// (300 people: ≤ 45,000 edges, a few milliseconds of matching).
	fullGraphMax = 300
	// oddExactMax is the largest odd component where every person is tried
	// as the one who joins a pair (one matching each).
	oddExactMax = 64
	// groupRestarts is how many greedy starts a small component's group
	// search tries (the cheapest result wins).
	groupRestarts = 12
	// circleMax is the largest component checked for a round-robin history
	// (the check costs O(n²·rounds)).
	circleMax = 128

	maxNewCost = 16 // never grouped: bucket(d_i) + bucket(d_j)
	// teamShare is what a pair sharing a team adds (twice that when one of
	// them is a newcomer); teamRecMax bounds what a crossing pair adds by
	// how recently their teams met (0 for the team pair that met least).
	// teamShare outweighs teamRecMax and a pair's whole bucket term, so one
	// more crossing pair wins over spreading ties or the bucket order.
	teamShare   = 48
	teamRecMax  = 16
	maxTeam     = 2*teamShare + teamRecMax
	maxRecency  = 4096 // met: 64·Σ decay, capped
	recencyUnit = 64
	// violation is the cost of a broken rule inside the group search. It
	// outweighs the soft cost of any group up to about 150,000 people at
	// GroupSize 4 (Umet grows with the square of n·GroupSize), and the sum
	// over a small component's groups (≤ 64 people, the only sum that is
	// compared) stays far below the int64 limit.
	violation = int64(1) << 54
)

// Pair partitions in.People into groups for one round; see the comment at
// the top of this file for the rules and the algorithm. It is pure and
// deterministic: the same input (including Seed) gives the same Result,
// whatever the order of People, History or the Never lists. Duplicate
// people (same ID) count once.
func Pair(in Input) Result {
	p := newPairer(in)
	if p.n == 0 {
		return Result{}
	}
	if p.n == 1 {
		return Result{SitOut: []SitOut{{ID: p.ids[0], Reason: SitOutAlone}}}
	}
	if buddies, who := p.buddyGroups(); len(buddies) > 0 {
		return p.pairWithBuddies(in, buddies, who)
	}
	var groups [][]int
	var out []int
	if p.g == 2 {
		groups, out = p.pairs()
	} else {
		groups, out = p.groups()
	}
	if p.anyNew || p.teams {
		// Team weights can steer the matching to pairs that leave a
		// leftover no trio can take where other weights would not; this
		// also repairs that. Without teams or newcomers it is skipped, so
		// such rounds stay exactly as they were.
		groups, out = p.seatNewcomers(groups, out)
	}
	return p.result(groups, out)
}

// room reports whether a group may take one more person: pairs become
// trios, larger groups grow to GroupSize+1.
func (p *pairer) room(grp []int) bool { return len(grp) <= max(p.g, 2) }

// seatNewcomers gives people left sitting out a seat when the hard rules
// permit: a group with room they may join, else the place of a
// non-newcomer x in a group that stays valid with them instead, x joining
// another group with room. A newcomer may also take x's place with x
// sitting out in their stead. Among the options, one that places x too
// comes first, then the lowest cost.
func (p *pairer) seatNewcomers(groups [][]int, out []int) ([][]int, []int) {
	slices.Sort(out)
	// Only groups holding one of someone's partners can take them (a big
	// round's partners are its candidates), which keeps this cheap.
	where := make(map[int]int)
	for gi, grp := range groups {
		for _, i := range grp {
			where[i] = gi
		}
	}
	near := func(i int) []int {
		var gs []int
		for _, j := range p.partners(i) {
			if gi, ok := where[j]; ok {
				gs = append(gs, gi)
			}
		}
		slices.Sort(gs)
		return slices.Compact(gs)
	}
	for _, u := range slices.Clone(out) {
		type option struct {
			g, x, h int // group u enters; x leaves it (−1: none) for group h (−1: sits out)
			cost    int64
		}
		best := option{g: -1}
		better := func(o option) bool {
			switch {
			case best.g == -1:
				return true
			case (o.x == -1 || o.h != -1) != (best.x == -1 || best.h != -1):
				return o.x == -1 || o.h != -1
			}
			return o.cost < best.cost
		}
		for _, gi := range near(u) {
			grp := groups[gi]
			if p.room(grp) {
				with := append(slices.Clone(grp), u)
				if p.groupValid(with) {
					if o := (option{gi, -1, -1, p.groupCost(with) - p.groupCost(grp)}); better(o) {
						best = o
					}
					continue
				}
			}
			for _, x := range grp {
				if p.newcomer[x] {
					continue
				}
				swapped := slices.DeleteFunc(slices.Clone(grp), func(y int) bool { return y == x })
				swapped = append(swapped, u)
				if !p.groupValid(swapped) {
					continue
				}
				o := option{gi, x, -1, p.groupCost(swapped) - p.groupCost(grp)}
				var hAdd int64
				for _, hi := range near(x) {
					h := groups[hi]
					if hi == gi || !p.room(h) {
						continue
					}
					hx := append(slices.Clone(h), x)
					if !p.groupValid(hx) {
						continue
					}
					if add := p.groupCost(hx) - p.groupCost(h); o.h == -1 || add < hAdd {
						o.h, hAdd = hi, add
					}
				}
				o.cost += hAdd
				if (o.h != -1 || p.newcomer[u]) && better(o) {
					best = o
				}
			}
		}
		if best.g == -1 {
			continue // the hard rules leave no seat
		}
		out = slices.DeleteFunc(out, func(y int) bool { return y == u })
		grp := slices.Clone(groups[best.g])
		if best.x != -1 {
			grp = slices.DeleteFunc(grp, func(y int) bool { return y == best.x })
			delete(where, best.x)
			if best.h != -1 {
				groups[best.h] = append(slices.Clone(groups[best.h]), best.x)
				where[best.x] = best.h
			} else {
				out = append(out, best.x)
			}
		}
		groups[best.g] = append(grp, u)
		where[u] = best.g
	}
	return groups, out
}

// pairer holds one round's precomputed state. People are indexed 0..n−1 in
// ID order.
type pairer struct {
	g   int
	n   int
	rng *rand.Rand

	ids  []string
	prof []int // person → profile

	profSpans   [][]span // profile → working time in [Now, Now+7d)
	profMembers [][]int  // profile → people
	nprof       int
	minOver     int64  // nanoseconds; 0 = no overlap rule
	compat      []bool // nprof×nprof: the two profiles share MinOverlap
	groupOK     map[groupKey]bool

	never   map[uint64]bool
	neverOf [][]int
	hist    map[uint64]*pairHist // pairs that met
	miss    map[uint64]*pairHist // pairs grouped that did not meet (hist wins when both)
	metOf   [][]int              // distinct people each person was grouped with
	meets   [][]meetRec          // each person's past groupings, for the round-robin check
	dNew    []int                // never-grouped valid options left, per person
	umiss   int64
	umet    int64
	tmax    int64 // largest team term: maxTeam, or 0 when teams do not count

	teams    bool    // someone has a team and CrossTeam prefers crossing
	teamsOf  [][]int // person → sorted team indices (no team: the pseudo team 0)
	newcomer []bool
	anyNew   bool
	// firstRound and volunteer are Person.FirstRound and Volunteer.
	firstRound, volunteer []bool
	teamRec               map[[2]int]int64 // team pair (a < b) → 0..teamRecMax
	wtop                  int64

	full  bool    // every valid pair is an edge (n ≤ fullGraphMax)
	cands [][]int // person → candidates (when !full)
}

type span struct{ s, e int64 }

type pairHist struct {
	count int
	decay int64 // Σ 2^(−age/HalfLife) over the pair's meetings, in units of 1/decayOne
}

// decayOne is the fixed-point unit of pairHist.decay.
const decayOne = 1 << 20

type meetRec struct {
	at    int64
	other int
}

func pairKey(i, j int) uint64 {
	if i > j {
		i, j = j, i
	}
	return uint64(i)<<32 | uint64(j)
}

func newPairer(in Input) *pairer {
	g := min(max(in.GroupSize, 2), 4)
	halfLife := in.HalfLife
	if halfLife <= 0 {
		halfLife = defaultHalfLife
	}
	people := slices.Clone(in.People)
	slices.SortStableFunc(people, func(a, b Person) int { return strings.Compare(a.ID, b.ID) })
	people = slices.CompactFunc(people, func(a, b Person) bool { return a.ID == b.ID })
	n := len(people)
	p := &pairer{
		g:       g,
		n:       n,
		rng:     rand.New(rand.NewPCG(uint64(in.Seed), 0x7261_7070_6f72_74)), // "rapport"
		ids:     make([]string, n),
		prof:    make([]int, n),
		minOver: int64(max(in.MinOverlap, 0)),
		groupOK: make(map[groupKey]bool),
		never:   make(map[uint64]bool),
		neverOf: make([][]int, n),
		hist:    make(map[uint64]*pairHist),
		miss:    make(map[uint64]*pairHist),
		metOf:   make([][]int, n),
		meets:   make([][]meetRec, n),
		full:    n <= fullGraphMax,
	}
	if n < 2 {
		for i, x := range people {
			p.ids[i] = x.ID
		}
		return p
	}
	idx := make(map[string]int, n)
	for i, x := range people {
		p.ids[i] = x.ID
		idx[x.ID] = i
	}
	p.buildProfiles(people, in.Now)
	p.buildTeams(people, in.CrossTeam)
	teamDecay := make(map[[2]int]int64)

	// Never lists, both directions, only people in this round.
	for a, others := range in.Never {
		i, ok := idx[a]
		if !ok {
			continue
		}
		for _, b := range others {
			if j, ok := idx[b]; ok && i != j && !p.never[pairKey(i, j)] {
				p.never[pairKey(i, j)] = true
				p.neverOf[i] = append(p.neverOf[i], j)
				p.neverOf[j] = append(p.neverOf[j], i)
			}
		}
	}
	for i := range p.neverOf {
		slices.Sort(p.neverOf[i])
	}

	// History: per pair, how often and how recently they met, or were
	// grouped without meeting. The same meeting reported twice (A–B and B–A
	// at the same instant) counts once. Decay is summed in fixed point so
	// that the order of History cannot change it. The round-robin plan
	// (meets) and the "new partner" counts (metOf, dNew) take both kinds:
	// a pair grouped before is not new, met or not.
	type seenKey struct {
		pair uint64
		at   int64
	}
	seen := make(map[seenKey]bool, len(in.History))
	for _, m := range in.History {
		i, ok1 := idx[m.A]
		j, ok2 := idx[m.B]
		if !ok1 || !ok2 || i == j {
			continue
		}
		k, at := pairKey(i, j), m.At.UnixNano()
		if seen[seenKey{k, at}] {
			continue
		}
		seen[seenKey{k, at}] = true
		if !p.grouped(i, j) {
			p.metOf[i] = append(p.metOf[i], j)
			p.metOf[j] = append(p.metOf[j], i)
		}
		tier := p.hist
		if m.Missed {
			tier = p.miss
		}
		h := tier[k]
		if h == nil {
			h = &pairHist{}
			tier[k] = h
		}
		age := max(in.Now.Sub(m.At), 0)
		h.count++
		h.decay += int64(math.Round(math.Exp2(-float64(age)/float64(halfLife)) * decayOne))
		p.meets[i] = append(p.meets[i], meetRec{at, j})
		p.meets[j] = append(p.meets[j], meetRec{at, i})
		if p.teams && !m.Missed && !p.shareTeam(i, j) {
			d := int64(math.Round(math.Exp2(-float64(age)/float64(halfLife)) * decayOne))
			for _, a := range p.teamsOf[i] {
				for _, b := range p.teamsOf[j] {
					teamDecay[[2]int{min(a, b), max(a, b)}] += d
				}
			}
		}
	}
	if p.teams {
		// Relative to the team pair that met most: the grid's least
		// covered pairs cost 0, its most covered teamRecMax.
		var top int64
		for _, d := range teamDecay {
			top = max(top, d)
		}
		p.teamRec = make(map[[2]int]int64, len(teamDecay))
		for k, d := range teamDecay {
			p.teamRec[k] = (teamRecMax*d + top/2) / top
		}
	}
	for i := range p.metOf {
		slices.Sort(p.metOf[i])
	}

	// Unmet valid options per person: compatible people, less never-listed
	// and already met ones.
	compatCount := make([]int, p.nprof)
	for a := 0; a < p.nprof; a++ {
		for b := 0; b < p.nprof; b++ {
			if p.compat[a*p.nprof+b] {
				compatCount[a] += len(p.profMembers[b])
			}
		}
	}
	p.dNew = make([]int, n)
	for i := 0; i < n; i++ {
		d := compatCount[p.prof[i]]
		if p.compat[p.prof[i]*p.nprof+p.prof[i]] {
			d-- // self
		}
		for _, j := range p.neverOf[i] {
			if p.profOK(i, j) {
				d--
			}
		}
		for _, j := range p.metOf[i] {
			if p.profOK(i, j) && !p.never[pairKey(i, j)] {
				d--
			}
		}
		p.dNew[i] = d
	}

	// Umiss outweighs every sum of small terms over the pairs of a grouping
	// (at most n·g pairs, even with unavoidably large groups), and Umet
	// every sum of Umiss and small terms.
	pairsMax := int64(n*g + 1)
	// The team term is one of the small terms (0 without teams, which keeps
	// every weight, and so every answer, what it was before teams).
	small := int64(maxNewCost+maxRecency+1) + p.tmax
	p.umiss = small * pairsMax
	p.umet = (p.umiss + small) * pairsMax
	p.wtop = p.umet + small
	if !p.full {
		p.buildCandidates()
	}
	return p
}

// buildProfiles groups people by zone and working time in the week from now,
// keeps that time once per profile, and computes which profile pairs share
// MinOverlap.
func (p *pairer) buildProfiles(people []Person, now time.Time) {
	from, to := now.UnixNano(), now.Add(7*24*time.Hour).UnixNano()
	keys := make(map[string]int)
	var key []byte
	var spans []span
	for i, x := range people {
		spans = weekSpans(spans[:0], x.Work, from, to)
		key = append(key[:0], x.Zone...)
		key = append(key, 0)
		for _, s := range spans {
			key = binary.BigEndian.AppendUint64(key, uint64(s.s))
			key = binary.BigEndian.AppendUint64(key, uint64(s.e))
		}
		id, ok := keys[string(key)]
		if !ok {
			id = len(p.profSpans)
			keys[string(key)] = id
			p.profSpans = append(p.profSpans, slices.Clone(spans))
			p.profMembers = append(p.profMembers, nil)
		}
		p.prof[i] = id
		p.profMembers[id] = append(p.profMembers[id], i)
	}
	p.nprof = len(p.profSpans)
	p.compat = make([]bool, p.nprof*p.nprof)
	for a := 0; a < p.nprof; a++ {
		for b := a; b < p.nprof; b++ {
			ok := p.minOver == 0 || longest(intersectSpans(p.profSpans[a], p.profSpans[b])) >= p.minOver
			p.compat[a*p.nprof+b], p.compat[b*p.nprof+a] = ok, ok
		}
	}
}

// weekSpans appends to dst the windows clipped to [from, to) (Unix
// nanoseconds), sorted, with touching or overlapping ones merged: the shape
// intersectSpans needs.
func weekSpans(dst []span, work []Window, from, to int64) []span {
	start := len(dst)
	for _, w := range work {
		s, e := max(w.Start.UnixNano(), from), min(w.End.UnixNano(), to)
		if e > s {
			dst = append(dst, span{s, e})
		}
	}
	own := dst[start:]
	if slices.IsSortedFunc(own, func(a, b span) int { return cmp.Compare(a.s, b.s) }) && disjoint(own) {
		return dst
	}
	slices.SortFunc(own, func(a, b span) int { return cmp.Compare(a.s, b.s) })
	merged := own[:0]
	for _, s := range own {
		if n := len(merged); n > 0 && s.s <= merged[n-1].e {
			merged[n-1].e = max(merged[n-1].e, s.e)
			continue
		}
		merged = append(merged, s)
	}
	return dst[:start+len(merged)]
}

// disjoint reports whether sorted spans neither touch nor overlap.
func disjoint(ss []span) bool {
	for k := 1; k < len(ss); k++ {
		if ss[k].s <= ss[k-1].e {
			return false
		}
	}
	return true
}

// intersectSpans intersects two sorted lists of disjoint, non-touching
// spans (as weekSpans makes them); the result has the same shape, so its
// longest span is the longest unbroken stretch the two share.
func intersectSpans(a, b []span) []span {
	var out []span
	for i, j := 0, 0; i < len(a) && j < len(b); {
		s, e := max(a[i].s, b[j].s), min(a[i].e, b[j].e)
		if e > s {
			out = append(out, span{s, e})
		}
		if a[i].e < b[j].e {
			i++
		} else {
			j++
		}
	}
	return out
}

func longest(ss []span) int64 {
	var best int64
	for _, s := range ss {
		best = max(best, s.e-s.s)
	}
	return best
}

// buildTeams indexes teams (1.. in name order; 0 is "no team", so that
// pairs with a teamless person have a team pair too) and newcomers. Teams
// count only when someone has one and cross is not CrossTeamIgnore.
func (p *pairer) buildTeams(people []Person, cross CrossTeam) {
	p.newcomer = make([]bool, p.n)
	p.firstRound, p.volunteer = make([]bool, p.n), make([]bool, p.n)
	var names []string
	for i, x := range people {
		p.newcomer[i] = x.Newcomer
		p.firstRound[i], p.volunteer[i] = x.FirstRound, x.Volunteer
		p.anyNew = p.anyNew || x.Newcomer
		for _, t := range x.Teams {
			names = append(names, t)
		}
	}
	if len(names) == 0 || cross == CrossTeamIgnore {
		return
	}
	slices.Sort(names)
	names = slices.Compact(names)
	p.teams, p.tmax = true, maxTeam
	p.teamsOf = make([][]int, p.n)
	for i, x := range people {
		for _, t := range x.Teams {
			k, _ := slices.BinarySearch(names, t)
			p.teamsOf[i] = append(p.teamsOf[i], k+1)
		}
		if len(p.teamsOf[i]) == 0 {
			p.teamsOf[i] = []int{0}
		}
		slices.Sort(p.teamsOf[i])
		p.teamsOf[i] = slices.Compact(p.teamsOf[i])
	}
}

// shareTeam reports whether i and j have a team in common (two people
// without a team have none in common).
func (p *pairer) shareTeam(i, j int) bool {
	a, b := p.teamsOf[i], p.teamsOf[j]
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x] < b[y]:
			x++
		case a[x] > b[y]:
			y++
		default:
			if a[x] != 0 {
				return true
			}
			x++
			y++
		}
	}
	return false
}

// teamCost is the team term of grouping i with j: teamShare (doubled for
// a newcomer) when they share a team, else how recently their teams met,
// the least recently met of the team pairs they would add to.
func (p *pairer) teamCost(i, j int) int64 {
	if p.shareTeam(i, j) {
		c := int64(teamShare + teamRecMax)
		if p.newcomer[i] || p.newcomer[j] {
			c += teamShare
		}
		return c
	}
	best := int64(teamRecMax)
	for _, a := range p.teamsOf[i] {
		for _, b := range p.teamsOf[j] {
			best = min(best, p.teamRec[[2]int{min(a, b), max(a, b)}])
		}
	}
	return best
}

// profOK reports whether i and j share MinOverlap (their profiles do).
func (p *pairer) profOK(i, j int) bool { return p.compat[p.prof[i]*p.nprof+p.prof[j]] }

// valid reports whether i and j may be grouped: enough shared time and no
// never list.
func (p *pairer) valid(i, j int) bool {
	return i != j && p.profOK(i, j) && !p.never[pairKey(i, j)]
}

// groupValid reports whether a group keeps both hard rules: no never pair
// and one stretch of MinOverlap shared by all.
func (p *pairer) groupValid(members []int) bool {
	for a := range members {
		for b := a + 1; b < len(members); b++ {
			if !p.valid(members[a], members[b]) {
				return false
			}
		}
	}
	return p.groupOverlapOK(members)
}

// groupOverlapOK reports whether the group shares MinOverlap in one
// stretch, memoised by the set of profiles.
func (p *pairer) groupOverlapOK(members []int) bool {
	if p.minOver == 0 {
		return true
	}
	var buf [8]int
	profs := buf[:0]
	for _, i := range members {
		profs = append(profs, p.prof[i])
	}
	slices.Sort(profs)
	profs = slices.Compact(profs)
	switch len(profs) {
	case 1:
		return p.compat[profs[0]*p.nprof+profs[0]]
	case 2:
		return p.compat[profs[0]*p.nprof+profs[1]]
	}
	var key groupKey
	if len(profs) <= 4 && p.nprof < 1<<16 {
		for _, q := range profs {
			key.packed = key.packed<<16 | uint64(q+1)
		}
	} else {
		key.long = fmt.Sprint(profs)
	}
	if ok, seen := p.groupOK[key]; seen {
		return ok
	}
	spans := p.profSpans[profs[0]]
	for _, q := range profs[1:] {
		spans = intersectSpans(spans, p.profSpans[q])
	}
	ok := longest(spans) >= p.minOver
	p.groupOK[key] = ok
	return ok
}

// groupKey names a set of profiles: packed when small, spelled out otherwise.
type groupKey struct {
	packed uint64
	long   string
}

// bucket grades how many never-grouped options someone has left: 0 for none, up to
// 8 for 128 or more.
func bucket(d int) int64 { return int64(min(bits.Len(uint(max(d, 0))), 8)) }

// cost is the soft cost of grouping i with j (see the top of the file).
func (p *pairer) cost(i, j int) int64 {
	var t int64
	if p.teams {
		t = p.teamCost(i, j)
	}
	k := pairKey(i, j)
	if h := p.hist[k]; h != nil {
		return p.umet + h.recency() + t
	}
	if h := p.miss[k]; h != nil {
		return p.umiss + h.recency() + t
	}
	return bucket(p.dNew[i]) + bucket(p.dNew[j]) + t
}

// recency is 64·Σ 2^(−age/HalfLife) over the pair's rounds, capped.
func (h *pairHist) recency() int64 {
	return min((recencyUnit*h.decay+decayOne/2)/decayOne, maxRecency)
}

// grouped reports whether i and j were grouped before, whether they met
// or not.
func (p *pairer) grouped(i, j int) bool {
	k := pairKey(i, j)
	return p.hist[k] != nil || p.miss[k] != nil
}

// groupCost is the soft cost of a group (sum over its pairs).
func (p *pairer) groupCost(members []int) int64 {
	var c int64
	for a := range members {
		for b := a + 1; b < len(members); b++ {
			c += p.cost(members[a], members[b])
		}
	}
	return c
}

// partners returns i's possible partners: everyone valid when the round is
// small, their candidates (already valid) otherwise.
func (p *pairer) partners(i int) []int {
	if !p.full {
		return p.cands[i]
	}
	var out []int
	for j := 0; j < p.n; j++ {
		if p.valid(i, j) {
			out = append(out, j)
		}
	}
	return out
}

// buildCandidates gives each person up to candidateK valid partners:
// never-grouped people from compatible profiles drawn at random, topped up with
// the cheapest (least recently met) valid people they have met; see
// candidateK. Each person's list is also added to the other side's, so the
// graph is symmetric.
func (p *pairer) buildCandidates() {
	n := p.n
	// compatible profiles of each profile, with cumulative sizes for drawing
	// a random compatible person in O(log P).
	compatProfs := make([][]int, p.nprof)
	compatCum := make([][]int, p.nprof)
	for a := 0; a < p.nprof; a++ {
		total := 0
		for b := 0; b < p.nprof; b++ {
			if p.compat[a*p.nprof+b] && len(p.profMembers[b]) > 0 {
				total += len(p.profMembers[b])
				compatProfs[a] = append(compatProfs[a], b)
				compatCum[a] = append(compatCum[a], total)
			}
		}
	}
	lists := make([][]int, n)
	seen := make(map[int]bool)
	for i := 0; i < n; i++ {
		pi := p.prof[i]
		cum := compatCum[pi]
		if len(cum) == 0 {
			continue
		}
		total := cum[len(cum)-1]
		clear(seen)
		var list []int
		if total <= 4*candidateK {
			// Few compatible people: take every new one, in random order.
			for _, b := range compatProfs[pi] {
				for _, j := range p.profMembers[b] {
					if p.valid(i, j) && !p.grouped(i, j) {
						list = append(list, j)
					}
				}
			}
			p.rng.Shuffle(len(list), func(a, b int) { list[a], list[b] = list[b], list[a] })
			list = list[:min(len(list), candidateK)]
		} else {
			for tries := 0; len(list) < candidateK && tries < 4*candidateK+2*len(p.metOf[i]); tries++ {
				r := p.rng.IntN(total)
				k, _ := slices.BinarySearch(cum, r+1)
				b := compatProfs[pi][k]
				base := 0
				if k > 0 {
					base = cum[k-1]
				}
				j := p.profMembers[b][r-base]
				if seen[j] || !p.valid(i, j) || p.grouped(i, j) {
					continue
				}
				seen[j] = true
				list = append(list, j)
			}
		}
		if len(list) < candidateK {
			// Top up with the valid people they were grouped with, least
			// costly first (so those they did not meet before those they met).
			var old []int
			for _, j := range p.metOf[i] {
				if p.valid(i, j) {
					old = append(old, j)
				}
			}
			slices.SortStableFunc(old, func(a, b int) int { return cmp.Compare(p.cost(i, a), p.cost(i, b)) })
			list = append(list, old[:min(len(old), candidateK-len(list))]...)
		}
		lists[i] = list
	}
	// Symmetrise and deduplicate.
	p.cands = make([][]int, n)
	for i, list := range lists {
		for _, j := range list {
			p.cands[i] = append(p.cands[i], j)
			p.cands[j] = append(p.cands[j], i)
		}
	}
	for i := range p.cands {
		slices.Sort(p.cands[i])
		p.cands[i] = slices.Compact(p.cands[i])
	}
}

// components splits people into connected components of the partner graph,
// each in ID order, components ordered by their first member.
func (p *pairer) components() [][]int {
	parent := make([]int, p.n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	if p.full {
		for i := 0; i < p.n; i++ {
			for j := i + 1; j < p.n; j++ {
				if p.valid(i, j) {
					if a, b := find(i), find(j); a != b {
						parent[a] = b
					}
				}
			}
		}
	} else {
		for i, list := range p.cands {
			for _, j := range list {
				if a, b := find(i), find(j); a != b {
					parent[a] = b
				}
			}
		}
	}
	byRoot := make(map[int]int)
	var comps [][]int
	for i := 0; i < p.n; i++ {
		r := find(i)
		k, ok := byRoot[r]
		if !ok {
			k = len(comps)
			byRoot[r] = k
			comps = append(comps, nil)
		}
		comps[k] = append(comps[k], i)
	}
	return comps
}

// result turns index groups into the sorted Result.
func (p *pairer) result(groups [][]int, out []int) Result {
	var res Result
	for _, grp := range groups {
		ids := make([]string, len(grp))
		for k, i := range grp {
			ids[k] = p.ids[i]
		}
		slices.Sort(ids)
		res.Groups = append(res.Groups, ids)
	}
	slices.SortFunc(res.Groups, slices.Compare)
	slices.Sort(out)
	for _, i := range out {
		res.SitOut = append(res.SitOut, SitOut{ID: p.ids[i], Reason: p.reason(i, groups)})
	}
	return res
}

// reason says why i sits out: SitOutNeverList when the never lists stand in
// the way (everyone i shares enough working time with is on one, or every
// group with room and enough shared time for i holds someone who is),
// SitOutNoOverlap otherwise.
func (p *pairer) reason(i int, groups [][]int) string {
	if p.n == 1 {
		return SitOutAlone
	}
	pi := p.prof[i]
	overlapping := 0
	for b := 0; b < p.nprof; b++ {
		if p.compat[pi*p.nprof+b] {
			overlapping += len(p.profMembers[b])
		}
	}
	if p.compat[pi*p.nprof+pi] {
		overlapping-- // self
	}
	if overlapping == 0 {
		return SitOutNoOverlap
	}
	blocked := 0
	for _, j := range p.neverOf[i] {
		if p.profOK(i, j) {
			blocked++
		}
	}
	if blocked == overlapping {
		return SitOutNeverList
	}
	open, neverOnly := 0, 0
	for _, grp := range groups {
		if len(grp) > p.g {
			continue
		}
		with := append(slices.Clone(grp), i)
		if !p.groupOverlapOK(with) {
			continue
		}
		open++
		if slices.ContainsFunc(grp, func(j int) bool { return p.never[pairKey(i, j)] }) {
			neverOnly++
		}
	}
	if open > 0 && neverOnly == open {
		return SitOutNeverList
	}
	return SitOutNoOverlap
}

// ---- pairs ----

// pairs groups people two by two (plus trios for the odd ones out).
func (p *pairer) pairs() (groups [][]int, out []int) {
	var pairs [][2]int
	var trios [][3]int
	var loose []int
	for _, comp := range p.components() {
		switch {
		case len(comp) == 1:
			out = append(out, comp[0])
		case len(comp) == 2:
			pairs = append(pairs, [2]int{comp[0], comp[1]})
		default:
			if rr, ok := p.circleRound(comp); ok {
				pairs = append(pairs, rr...)
				continue
			}
			if rr, ok := p.factorRound(comp); ok {
				pairs = append(pairs, rr...)
				continue
			}
			if len(comp)%2 == 1 && len(comp) <= oddExactMax {
				ps, trio, rest := p.oddSmall(comp)
				pairs = append(pairs, ps...)
				if trio[0] != trio[1] {
					trios = append(trios, trio)
				}
				loose = append(loose, rest...)
				continue
			}
			ps, rest := p.matchComponent(comp, nil)
			if !p.full && len(rest) > len(comp)%2 {
				// The candidate graph left people out that parity does not
				// explain: give them every valid partner and match again.
				extra := make(map[int][]int)
				for _, u := range rest {
					for j := 0; j < p.n; j++ {
						if p.valid(u, j) {
							extra[u] = append(extra[u], j)
						}
					}
				}
				ps, rest = p.matchComponent(comp, extra)
			}
			p.spreadTeamPairs(ps)
			pairs = append(pairs, ps...)
			loose = append(loose, rest...)
		}
	}
	trios, pairs, out2 := p.attach(loose, pairs, trios)
	out = append(out, out2...)
	trios, pairs = p.improveTrios(trios, pairs)
	for _, pr := range pairs {
		groups = append(groups, []int{pr[0], pr[1]})
	}
	for _, t := range trios {
		groups = append(groups, []int{t[0], t[1], t[2]})
	}
	return groups, out
}

// pairWeight is the matching weight of a valid pair: higher is better.
func (p *pairer) pairWeight(i, j int) int64 { return p.wtop - p.cost(i, j) }

// matchComponent runs the maximum-weight, maximum-cardinality matching on a
// component (people in a seeded random order, so ties fall at random) and
// returns its pairs and the unmatched people. extra adds edges per person.
func (p *pairer) matchComponent(comp []int, extra map[int][]int) (pairs [][2]int, rest []int) {
	order := slices.Clone(comp)
	p.rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	pos := make(map[int]int, len(order))
	for v, i := range order {
		pos[i] = v
	}
	var edges []edge
	add := func(i, j int) {
		u, ok1 := pos[i]
		v, ok2 := pos[j]
		if ok1 && ok2 && i < j {
			edges = append(edges, edge{u, v, p.pairWeight(i, j)})
		}
	}
	for _, i := range order {
		for _, j := range p.partners(i) {
			add(i, j)
		}
		for _, j := range extra[i] {
			add(min(i, j), max(i, j))
		}
	}
	edges = dedupeEdges(edges)
	p.rng.Shuffle(len(edges), func(a, b int) { edges[a], edges[b] = edges[b], edges[a] })
	mate := maxWeightMatching(len(order), edges, true)
	for v, u := range mate {
		switch {
		case u == -1:
			rest = append(rest, order[v])
		case v < u:
			pairs = append(pairs, [2]int{order[v], order[u]})
		}
	}
	return pairs, rest
}

// dedupeEdges drops repeated (i, j) edges (from symmetric candidate lists).
func dedupeEdges(edges []edge) []edge {
	for k := range edges {
		if edges[k].i > edges[k].j {
			edges[k].i, edges[k].j = edges[k].j, edges[k].i
		}
	}
	slices.SortFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.i, b.i), cmp.Compare(a.j, b.j))
	})
	return slices.CompactFunc(edges, func(a, b edge) bool { return a.i == b.i && a.j == b.j })
}

// attachCost is what v adds by joining pair (a, b); ok is false when the
// trio would break a rule.
func (p *pairer) attachCost(v, a, b int) (c int64, ok bool) {
	if !p.groupValid([]int{v, a, b}) {
		return 0, false
	}
	return p.cost(v, a) + p.cost(v, b), true
}

// oddSmall pairs an odd component by trying each person as the one who
// joins a pair. For a given v, the rest is matched with each pair's weight
// scaled up and a bonus added by how few repeats v would bring to it (a
// fresh trio ≫ one repeat ≫ two), so a matching with the fewest repeats
// that also offers v the best pair is chosen; v then joins its best pair.
// The best v overall wins: fewest people left out, then lowest cost.
func (p *pairer) oddSmall(comp []int) (pairs [][2]int, trio [3]int, rest []int) {
	order := slices.Clone(comp)
	p.rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	half := int64(len(comp)/2 + 1)
	bonus := [3]int64{half * half, half, 1} // by repeats v brings: 0, 1, 2
	scale := bonus[0]*half + 1
	bestOut, bestCost := math.MaxInt, int64(math.MaxInt64)
	for _, v := range order {
		others := make([]int, 0, len(order)-1)
		for _, x := range order {
			if x != v {
				others = append(others, x)
			}
		}
		var edges []edge
		for a := range others {
			for b := a + 1; b < len(others); b++ {
				i, j := others[a], others[b]
				if !p.valid(i, j) {
					continue
				}
				w := p.pairWeight(i, j) * scale
				if _, ok := p.attachCost(v, i, j); ok {
					reps := 0
					if p.grouped(v, i) {
						reps++
					}
					if p.grouped(v, j) {
						reps++
					}
					w += bonus[reps]
				}
				edges = append(edges, edge{a, b, w})
			}
		}
		mate := maxWeightMatching(len(others), edges, true)
		var ps [][2]int
		var left []int
		var total int64
		for a, b := range mate {
			switch {
			case b == -1:
				left = append(left, others[a])
			case a < b:
				ps = append(ps, [2]int{others[a], others[b]})
				total += p.cost(others[a], others[b])
			}
		}
		// v joins its best pair, or is left out too.
		best, bestAdd := -1, int64(0)
		for k, pr := range ps {
			if c, ok := p.attachCost(v, pr[0], pr[1]); ok && (best == -1 || c < bestAdd) {
				best, bestAdd = k, c
			}
		}
		var t [3]int
		if best == -1 {
			left = append(left, v)
		} else {
			t = [3]int{v, ps[best][0], ps[best][1]}
			ps = slices.Delete(ps, best, best+1)
			total += bestAdd
		}
		if len(left) < bestOut || len(left) == bestOut && total < bestCost {
			bestOut, bestCost = len(left), total
			pairs, trio, rest = ps, t, left
		}
	}
	return pairs, trio, rest
}

// attach makes trios: each loose person joins at most one pair they may
// validly join, by a maximum-weight matching between loose people and pairs
// (so several leftovers do not fight over one pair). Those with no pair
// sit out.
func (p *pairer) attach(loose []int, pairs [][2]int, trios [][3]int) ([][3]int, [][2]int, []int) {
	if len(loose) == 0 {
		return trios, pairs, nil
	}
	slices.Sort(loose)
	var edges []edge
	node := make(map[int]int) // pair index → vertex (after the loose people)
	for u, v := range loose {
		for k, pr := range pairs {
			c, ok := p.attachCost(v, pr[0], pr[1])
			if !ok {
				continue
			}
			x, seen := node[k]
			if !seen {
				x = len(loose) + len(node)
				node[k] = x
			}
			edges = append(edges, edge{u, x, 2*p.wtop - c})
		}
	}
	mate := maxWeightMatching(len(loose)+len(node), edges, true)
	pairOf := make(map[int]int, len(node))
	for k, x := range node {
		pairOf[x] = k
	}
	used := make(map[int]bool)
	var out []int
	for u, v := range loose {
		if mate[u] == -1 {
			out = append(out, v)
			continue
		}
		k := pairOf[mate[u]]
		used[k] = true
		trios = append(trios, [3]int{v, pairs[k][0], pairs[k][1]})
	}
	var kept [][2]int
	for k, pr := range pairs {
		if !used[k] {
			kept = append(kept, pr)
		}
	}
	return trios, kept, out
}

// improveTrios re-splits each trio together with nearby pairs while that
// lowers the cost and keeps the rules: with one pair (5 people into a trio
// and a pair, 10 ways) for pairs holding a partner of a trio member, and in
// a small round also with every two pairs (7 people, 105 ways). The first
// matters at scale, the second catches what choosing the odd one out first
// misses.
func (p *pairer) improveTrios(trios [][3]int, pairs [][2]int) ([][3]int, [][2]int) {
	if len(trios) == 0 {
		return trios, pairs
	}
	pairAt := make(map[int]int, 2*len(pairs)) // person → index in pairs
	for k, pr := range pairs {
		pairAt[pr[0]], pairAt[pr[1]] = k, k
	}
	// try re-splits trio t with the pairs at ks; it reports a change.
	try := func(t int, ks ...int) bool {
		people := slices.Clone(trios[t][:])
		cur := p.groupCost(people)
		for _, k := range ks {
			people = append(people, pairs[k][0], pairs[k][1])
			cur += p.cost(pairs[k][0], pairs[k][1])
		}
		trio, prs, c, ok := p.bestSplit(people)
		if !ok || c >= cur {
			return false
		}
		trios[t] = trio
		for _, x := range trio {
			delete(pairAt, x)
		}
		for x, k := range ks {
			pairs[k] = prs[x]
			pairAt[prs[x][0]], pairAt[prs[x][1]] = k, k
		}
		return true
	}
	for pass := 0; pass < 8; pass++ {
		improved := false
		for t := range trios {
			var near []int
			for _, x := range trios[t] {
				for _, j := range p.partners(x) {
					if k, ok := pairAt[j]; ok {
						near = append(near, k)
					}
				}
			}
			slices.Sort(near)
			for _, k := range slices.Compact(near) {
				improved = try(t, k) || improved
			}
			if p.n <= oddExactMax {
				for k1 := range pairs {
					for k2 := k1 + 1; k2 < len(pairs); k2++ {
						improved = try(t, k1, k2) || improved
					}
				}
			}
		}
		if !improved {
			break
		}
	}
	return trios, pairs
}

// bestSplit splits 5 or 7 people into one trio and pairs keeping the rules,
// at the lowest cost; ok is false when no split is valid.
func (p *pairer) bestSplit(people []int) (trio [3]int, pairs [][2]int, c int64, ok bool) {
	n := len(people)
	for a := 0; a < n; a++ {
		for b := a + 1; b < n; b++ {
			for d := b + 1; d < n; d++ {
				t := [3]int{people[a], people[b], people[d]}
				if !p.groupValid(t[:]) {
					continue
				}
				var rest []int
				for x := 0; x < n; x++ {
					if x != a && x != b && x != d {
						rest = append(rest, people[x])
					}
				}
				tc := p.groupCost(t[:])
				// rest has 2 or 4 people: 1 or 3 ways to pair them.
				var ways [][][2]int
				if len(rest) == 2 {
					ways = [][][2]int{{{rest[0], rest[1]}}}
				} else {
					ways = [][][2]int{
						{{rest[0], rest[1]}, {rest[2], rest[3]}},
						{{rest[0], rest[2]}, {rest[1], rest[3]}},
						{{rest[0], rest[3]}, {rest[1], rest[2]}},
					}
				}
				for _, w := range ways {
					wc := tc
					valid := true
					for _, pr := range w {
						valid = valid && p.valid(pr[0], pr[1])
						wc += p.cost(pr[0], pr[1])
					}
					if valid && (!ok || wc < c) {
						trio, pairs, c, ok = t, w, wc, true
					}
				}
			}
		}
	}
	return trio, pairs, c, ok
}

// ---- round robin ----

// circleRound continues a round-robin schedule. The circle method (the
// patterned 1-factorisation GK_n): label one person ∞ and the others
// 0..N−1 (N = n−1, odd); round i pairs ∞ with i and x with y whenever
// x+y ≡ 2i (mod N). The N rounds together pair everyone with everyone
// exactly once, so continuing them gives n−1 rounds without a repeat, which
// greedy choices cannot promise.
//
// The history qualifies when, inside the component, everyone has met the
// same number r (1 ≤ r ≤ n−2) of different people and ordering each
// person's meetings by time gives r perfect matchings M1..Mr. With r = 1
// any labelling with M1 as round 0 works (chosen at random). With r ≥ 2,
// M1 is round 0 and M2 round 1 (this function always continues that way,
// and any two rounds i, j with i−j coprime to N could be renamed so), which
// fixes every label once ∞ is chosen: x's partner is −x in M1 and 2−x in
// M2. Each person is tried as ∞ until M3..Mr are rounds too. The next round
// is a random unused one; with teams, the unused one crossing teams best
// (and with r = 1, the best over circleTries labellings).
func (p *pairer) circleRound(comp []int) ([][2]int, bool) {
	n := len(comp)
	if n < 4 || n%2 == 1 || n > circleMax {
		return nil, false
	}
	pos := make(map[int]int, n)
	for v, i := range comp {
		pos[i] = v
	}
	for a := 0; a < n; a++ {
		for b := a + 1; b < n; b++ {
			if !p.valid(comp[a], comp[b]) {
				return nil, false
			}
		}
	}
	// Each person's meetings inside the component, in time order.
	rounds := -1
	per := make([][]int, n)
	for v, i := range comp {
		var ms []meetRec
		for _, m := range p.meets[i] {
			if _, ok := pos[m.other]; ok {
				ms = append(ms, m)
			}
		}
		slices.SortFunc(ms, func(a, b meetRec) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.other, b.other)) })
		if rounds == -1 {
			rounds = len(ms)
		}
		if len(ms) != rounds {
			return nil, false
		}
		per[v] = make([]int, len(ms))
		for k, m := range ms {
			per[v][k] = pos[m.other]
		}
	}
	if rounds < 1 || rounds > n-2 {
		return nil, false
	}
	for v := range per {
		seen := make(map[int]bool, rounds)
		for k, u := range per[v] {
			if seen[u] || per[u][k] != v {
				return nil, false // a repeat, or round k is not a perfect matching
			}
			seen[u] = true
		}
	}
	N := n - 1
	mod := func(x int) int { return ((x % N) + N) % N }
	const inf = -2
	// finish picks the next round of the schedule labelled lab, with the
	// rounds used so far; cost is its team cost (0 without teams).
	finish := func(lab []int, used []bool) (out [][2]int, cost int64) {
		var free []int
		for i, u := range used {
			if !u {
				free = append(free, i)
			}
		}
		byLabel := make([]int, N)
		inf0 := -1
		for v, l := range lab {
			if l == inf {
				inf0 = v
			} else {
				byLabel[l] = v
			}
		}
		round := func(next int) [][2]int {
			out := [][2]int{{comp[inf0], comp[byLabel[next]]}}
			for x := 0; x < N; x++ {
				if y := mod(2*next - x); x != next && x < y {
					out = append(out, [2]int{comp[byLabel[x]], comp[byLabel[y]]})
				}
			}
			return out
		}
		if p.teams {
			// Any unused round keeps the schedule: take the one crossing
			// teams best (ties at random).
			p.rng.Shuffle(len(free), func(a, b int) { free[a], free[b] = free[b], free[a] })
			for _, next := range free {
				r := round(next)
				var c int64
				for _, pr := range r {
					c += p.teamCost(pr[0], pr[1])
				}
				if out == nil || c < cost {
					out, cost = r, c
				}
			}
			return out, cost
		}
		next := 1
		if rounds >= 2 {
			next = free[p.rng.IntN(len(free))]
		}
		return round(next), 0
	}
	if rounds >= 2 {
		for _, z := range p.rng.Perm(n) {
			if lab, used, ok := p.circleLabels(per, z, N); ok {
				out, _ := finish(lab, used)
				return out, true
			}
		}
		return nil, false
	}
	// After one round any labelling with it as round 0 is a schedule; with
	// teams, several are tried for the round that crosses teams best.
	tries := 1
	if p.teams {
		tries = circleTries
	}
	var best [][2]int
	var bestC int64
	for try := 0; try < tries; try++ {
		lab := make([]int, n)
		used := make([]bool, N)
		z := p.rng.IntN(n)
		lab[z], lab[per[z][0]] = inf, 0
		var rest [][2]int
		for v := 0; v < n; v++ {
			if u := per[v][0]; v < u && v != z && u != z {
				rest = append(rest, [2]int{v, u})
			}
		}
		p.rng.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
		for j, pr := range rest {
			x := j + 1
			if p.rng.IntN(2) == 0 {
				pr[0], pr[1] = pr[1], pr[0]
			}
			lab[pr[0]], lab[pr[1]] = x, N-x
		}
		used[0] = true
		if out, c := finish(lab, used); best == nil || c < bestC {
			best, bestC = out, c
		}
	}
	return best, true
}

// circleTries is how many labellings a round-robin's second round tries
// when teams count.
const circleTries = 64

// circleLabels tries z as ∞ for rounds per (per[v][k] = v's partner in
// round k) and returns the labels and the rounds used, or ok false.
func (p *pairer) circleLabels(per [][]int, z, N int) (lab []int, used []bool, ok bool) {
	n := len(per)
	mod := func(x int) int { return ((x % N) + N) % N }
	const inf, none = -2, -1
	lab = make([]int, n)
	for v := range lab {
		lab[v] = none
	}
	owner := make([]int, N)
	for i := range owner {
		owner[i] = none
	}
	set := func(v, l int) bool {
		switch {
		case lab[v] == l:
			return true
		case lab[v] != none || owner[l] != none:
			return false
		}
		lab[v], owner[l] = l, v
		return true
	}
	lab[z] = inf
	if !set(per[z][0], 0) || !set(per[z][1], 1) {
		return nil, nil, false
	}
	queue := []int{per[z][0], per[z][1]}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		x := lab[v]
		for k, want := range [2]int{mod(-x), mod(2 - x)} {
			u := per[v][k]
			if x == k { // paired with ∞ in this round
				if u != z {
					return nil, nil, false
				}
				continue
			}
			if u == z {
				return nil, nil, false
			}
			fresh := lab[u] == none
			if !set(u, want) {
				return nil, nil, false
			}
			if fresh {
				queue = append(queue, u)
			}
		}
	}
	for v := range lab {
		if lab[v] == none {
			return nil, nil, false // M1 ∪ M2 is not one cycle
		}
	}
	used = make([]bool, N)
	used[0], used[1] = true, true
	for k := 2; k < len(per[z]); k++ {
		i := lab[per[z][k]]
		for v := range per {
			if v == z {
				continue
			}
			want := inf
			if lab[v] != i {
				want = mod(2*i - lab[v])
			}
			if lab[per[v][k]] != want {
				return nil, nil, false
			}
		}
		used[i] = true
	}
	return lab, used, true
}

// factorBudget bounds the 1-factorisation search (DFS nodes per round).
const factorBudget = 200_000

// factorRound is the fallback when the history is a run of complete rounds
// that circleRound does not recognise (say, the first rounds came from
// elsewhere). The people who were never grouped then form a d-regular graph U,
// and the next d rounds can avoid repeats only if U splits into d perfect
// matchings (a 1-factorisation). A greedy choice can break that (after
// removing it, a 2-regular rest made of odd cycles has no perfect matching
// at all), so this searches, with bounded backtracking, for a whole
// 1-factorisation of U and returns its first matching. Small components
// only (≤ 64 people, as bit sets); ok is false when U is not regular, is
// complete (the first round: anything works), or the budget runs out.
func (p *pairer) factorRound(comp []int) ([][2]int, bool) {
	n := len(comp)
	if n < 4 || n%2 == 1 || n > 64 {
		return nil, false
	}
	adj := make([]uint64, n)
	d := -1
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			if a != b && p.valid(comp[a], comp[b]) && !p.grouped(comp[a], comp[b]) {
				adj[a] |= 1 << b
			}
		}
		switch deg := bits.OnesCount64(adj[a]); {
		case d == -1:
			d = deg
		case deg != d:
			return nil, false
		}
	}
	if d <= 0 || d >= n-1 {
		return nil, false
	}
	f := factorizer{n: n, budget: factorBudget, rng: p.rng}
	if p.teams {
		f.cost = func(a, b int) int64 { return p.teamCost(comp[a], comp[b]) }
	}
	first, ok := f.factor(adj, d)
	if !ok {
		return nil, false
	}
	var out [][2]int
	for a, b := range first {
		if a < b {
			out = append(out, [2]int{comp[a], comp[b]})
		}
	}
	return out, true
}

// factorizer searches for a 1-factorisation of a d-regular graph given as
// adjacency bit sets.
type factorizer struct {
	n      int
	budget int
	rng    *rand.Rand
	// cost, when set (teams count), makes the search keep going after the
	// first 1-factorisation, within the budget, and return the first
	// matching that costs least: any of them keeps the schedule.
	cost func(a, b int) int64
}

// factor returns the first perfect matching (as mates) of a 1-factorisation
// of adj, which is d-regular, or ok false.
func (f *factorizer) factor(adj []uint64, d int) (first []int, ok bool) {
	if d == 2 {
		return f.evenCycles(adj)
	}
	pick := f.cost
	f.cost = nil // the rest only needs to be splittable
	defer func() { f.cost = pick }()
	var bestC int64
	mate := make([]int, f.n)
	for v := range mate {
		mate[v] = -1
	}
	var found []int
	var dfs func(matched uint64) bool
	dfs = func(matched uint64) bool {
		if f.budget--; f.budget < 0 {
			return false
		}
		// The unmatched vertex with the fewest unmatched neighbours first.
		v, best := -1, f.n+1
		for u := 0; u < f.n; u++ {
			if matched&(1<<u) != 0 {
				continue
			}
			if c := bits.OnesCount64(adj[u] &^ matched); c < best {
				v, best = u, c
			}
		}
		if v == -1 {
			// A perfect matching: is the rest still splittable?
			rest := slices.Clone(adj)
			for a, b := range mate {
				rest[a] &^= 1 << b
			}
			switch {
			case d-1 == 1: // the rest is itself a perfect matching
			case d-1 > 2 && !evenComponents(rest): // quick refusal
				return false
			default:
				if _, ok := f.factor(rest, d-1); !ok {
					return false
				}
			}
			if pick == nil {
				found = slices.Clone(mate)
				return true
			}
			if c := matchingCostOf(pick, mate); found == nil || c < bestC {
				found, bestC = slices.Clone(mate), c
			}
			return false // look on for a cheaper one
		}
		if best == 0 {
			return false
		}
		cand := adj[v] &^ matched
		nbrs := make([]int, 0, best)
		for cand != 0 {
			u := bits.TrailingZeros64(cand)
			cand &^= 1 << u
			nbrs = append(nbrs, u)
		}
		f.rng.Shuffle(len(nbrs), func(a, b int) { nbrs[a], nbrs[b] = nbrs[b], nbrs[a] })
		for _, u := range nbrs {
			mate[v], mate[u] = u, v
			if dfs(matched | 1<<v | 1<<u) {
				return true
			}
			mate[v], mate[u] = -1, -1
		}
		return false
	}
	if dfs(0) || found != nil {
		return found, true
	}
	return nil, false
}

// matchingCostOf is cost summed over a matching given as mates.
func matchingCostOf(cost func(a, b int) int64, mate []int) int64 {
	var c int64
	for a, b := range mate {
		if a < b {
			c += cost(a, b)
		}
	}
	return c
}

// evenCycles splits a 2-regular graph into two perfect matchings when all
// its cycles are even, returning one of them.
func (f *factorizer) evenCycles(adj []uint64) ([]int, bool) {
	mate := make([]int, f.n)
	seen := uint64(0)
	for s := 0; s < f.n; s++ {
		if seen&(1<<s) != 0 {
			continue
		}
		var cycle []int
		prev, v := -1, s
		for {
			cycle = append(cycle, v)
			seen |= 1 << v
			nb := adj[v]
			next := bits.TrailingZeros64(nb)
			if next == prev || seen&(1<<next) != 0 && next != s {
				nb &^= 1 << next
				next = bits.TrailingZeros64(nb)
			}
			if next == s || next >= f.n {
				break
			}
			prev, v = v, next
		}
		if len(cycle)%2 == 1 {
			return nil, false
		}
		var off int
		if f.cost == nil {
			off = f.rng.IntN(2)
		} else {
			// The half of the cycle that costs less (ties at random).
			var c [2]int64
			for k := range cycle {
				c[k%2] += f.cost(cycle[k], cycle[(k+1)%len(cycle)])
			}
			switch {
			case c[0] < c[1]:
				off = 0
			case c[1] < c[0]:
				off = 1
			default:
				off = f.rng.IntN(2)
			}
		}
		for k := off; k < len(cycle); k += 2 {
			a, b := cycle[k], cycle[(k+1)%len(cycle)]
			mate[a], mate[b] = b, a
		}
	}
	return mate, true
}

// evenComponents reports whether every connected component of the graph
// has an even number of vertices (needed for a perfect matching).
func evenComponents(adj []uint64) bool {
	seen := uint64(0)
	for s := range adj {
		if seen&(1<<s) != 0 {
			continue
		}
		comp, frontier := uint64(1)<<s, uint64(1)<<s
		for frontier != 0 {
			v := bits.TrailingZeros64(frontier)
			frontier &^= 1 << v
			next := adj[v] &^ comp
			comp |= next
			frontier |= next
		}
		seen |= comp
		if bits.OnesCount64(comp)%2 == 1 {
			return false
		}
	}
	return true
}

// ---- groups of 3 and 4 ----

// groups builds groups of GroupSize (see the top of the file).
func (p *pairer) groups() (groups [][]int, out []int) {
	for _, comp := range p.components() {
		if len(comp) == 1 {
			out = append(out, comp[0])
			continue
		}
		gs, o := p.groupComponent(comp)
		groups = append(groups, gs...)
		out = append(out, o...)
	}
	return groups, out
}

// sizes plans the group sizes of a component of s people.
func sizes(s, g int) []int {
	if s < g {
		return []int{s}
	}
	q, r := s/g, s%g
	out := make([]int, q)
	for k := range out {
		out[k] = g + r/q
		if k < r%q {
			out[k]++
		}
	}
	return out
}

// gcost is a group's cost inside the search: soft cost plus violation per
// broken rule, so the search prefers valid groups and repairs invalid ones.
func (p *pairer) gcost(members []int) int64 {
	var c int64
	for a := range members {
		for b := a + 1; b < len(members); b++ {
			i, j := members[a], members[b]
			if !p.valid(i, j) {
				c += violation
			} else {
				c += p.cost(i, j)
			}
		}
	}
	if len(members) > 2 && !p.groupOverlapOK(members) {
		c += violation
	}
	return c
}

func (p *pairer) groupComponent(comp []int) (groups [][]int, out []int) {
	plan := sizes(len(comp), p.g)
	restarts := 1
	if len(comp) <= oddExactMax {
		restarts = groupRestarts
	}
	var bestC int64
	for r := 0; r < restarts; r++ {
		gs, where := p.greedyGroups(comp, plan)
		p.swapSearch(gs, where)
		var c int64
		for _, grp := range gs {
			c += p.gcost(grp)
		}
		if r == 0 || c < bestC {
			groups, bestC = gs, c
		}
	}
	// Cut invalid groups down to their best valid part.
	var spill []int
	var kept [][]int
	for _, grp := range groups {
		if p.groupValid(grp) {
			kept = append(kept, grp)
			continue
		}
		part := p.bestValidPart(grp)
		if len(part) >= 2 {
			kept = append(kept, part)
		} else {
			part = nil
		}
		for _, i := range grp {
			if !slices.Contains(part, i) {
				spill = append(spill, i)
			}
		}
	}
	// Spilled people try any group with room (up to GroupSize+1).
	for _, i := range spill {
		best, bestAdd := -1, int64(0)
		for x, grp := range kept {
			if len(grp) > p.g {
				continue
			}
			next := append(slices.Clone(grp), i)
			if !p.groupValid(next) {
				continue
			}
			if add := p.groupCost(next) - p.groupCost(grp); best == -1 || add < bestAdd {
				best, bestAdd = x, add
			}
		}
		if best == -1 {
			out = append(out, i)
			continue
		}
		kept[best] = append(kept[best], i)
	}
	return kept, out
}

// greedyGroups fills groups of the planned sizes: the hardest to place
// first (fewest valid partners, ties at random), each into the open group
// where they add the least gcost, an emptier group on ties.
func (p *pairer) greedyGroups(comp []int, plan []int) ([][]int, map[int]int) {
	k := len(plan)
	groups := make([][]int, k)
	where := make(map[int]int, len(comp))
	order := slices.Clone(comp)
	p.rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	deg := make(map[int]int, len(comp))
	for _, i := range order {
		deg[i] = len(p.partners(i))
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(deg[a], deg[b]) })
	nextEmpty := 0
	var cand []int
	for _, i := range order {
		// Candidate groups: all in a small round; in a large one those of
		// i's partners plus the next empty one.
		cand = cand[:0]
		if p.full {
			for x := range groups {
				cand = append(cand, x)
			}
		} else {
			for _, j := range p.partners(i) {
				if x, ok := where[j]; ok {
					cand = append(cand, x)
				}
			}
			slices.Sort(cand)
			cand = slices.Compact(cand)
			for nextEmpty < k && len(groups[nextEmpty]) > 0 {
				nextEmpty++
			}
			if nextEmpty < k {
				cand = append(cand, nextEmpty)
			}
		}
		best, bestAdd := -1, int64(0)
		for _, x := range cand {
			if len(groups[x]) >= plan[x] {
				continue
			}
			add := p.gcost(append(slices.Clone(groups[x]), i)) - p.gcost(groups[x])
			if best == -1 || add < bestAdd || add == bestAdd && len(groups[x]) < len(groups[best]) {
				best, bestAdd = x, add
			}
		}
		if best == -1 {
			// No open group among the candidates: any open group will do.
			for x := range groups {
				if len(groups[x]) < plan[x] {
					best = x
					break
				}
			}
		}
		groups[best] = append(groups[best], i)
		where[i] = best
	}
	return groups, where
}

// swapSearch swaps two people between groups while that lowers the summed
// gcost. In a small round every pair of people is tried; in a large one,
// each person is tried against the groups of their candidates.
func (p *pairer) swapSearch(groups [][]int, where map[int]int) {
	people := make([]int, 0, len(where))
	for i := range where {
		people = append(people, i)
	}
	slices.Sort(people)
	p.rng.Shuffle(len(people), func(a, b int) { people[a], people[b] = people[b], people[a] })
	maxPasses := 50
	if len(people) > oddExactMax {
		maxPasses = 4
	}
	gc := make([]int64, len(groups))
	for x, grp := range groups {
		gc[x] = p.gcost(grp)
	}
	all := make([]int, len(groups))
	for x := range all {
		all[x] = x
	}
	var na, nb, targets []int
	replace := func(dst, grp []int, out, in int) []int {
		dst = dst[:0]
		for _, x := range grp {
			if x == out {
				x = in
			}
			dst = append(dst, x)
		}
		return dst
	}
	for pass := 0; pass < maxPasses; pass++ {
		improved := false
		for _, i := range people {
			gi := where[i]
			if p.full {
				targets = all
			} else {
				targets = targets[:0]
				for _, c := range p.partners(i) {
					if x, ok := where[c]; ok {
						targets = append(targets, x)
					}
				}
				slices.Sort(targets)
				targets = slices.Compact(targets)
			}
			for _, gj := range targets {
				if gj == gi {
					continue
				}
				if len(groups[gj]) == len(groups[gi])-1 {
					// Moving i there keeps the planned sizes (the two swap).
					na = slices.DeleteFunc(append(na[:0], groups[gi]...), func(x int) bool { return x == i })
					nb = append(append(nb[:0], groups[gj]...), i)
					if ca, cb := p.gcost(na), p.gcost(nb); ca+cb < gc[gi]+gc[gj] {
						groups[gi], groups[gj] = slices.Clone(na), slices.Clone(nb)
						gc[gi], gc[gj] = ca, cb
						where[i] = gj
						gi = gj
						improved = true
						continue
					}
				}
				for _, j := range groups[gj] {
					na = replace(na, groups[gi], i, j)
					nb = replace(nb, groups[gj], j, i)
					ca, cb := p.gcost(na), p.gcost(nb)
					if ca+cb < gc[gi]+gc[gj] {
						groups[gi], groups[gj] = slices.Clone(na), slices.Clone(nb)
						gc[gi], gc[gj] = ca, cb
						where[i], where[j] = gj, gi
						gi = gj
						improved = true
						break // i moved: look from its new group
					}
				}
			}
		}
		if !improved {
			break
		}
	}
}

// bestValidPart returns the largest valid subset of a (small) group, the
// cheapest among equals; nil when no two of them may meet.
func (p *pairer) bestValidPart(grp []int) []int {
	var best []int
	var bestC int64
	for mask := 1; mask < 1<<len(grp); mask++ {
		var sub []int
		for k, i := range grp {
			if mask&(1<<k) != 0 {
				sub = append(sub, i)
			}
		}
		if len(sub) < 2 || len(sub) < len(best) || !p.groupValid(sub) {
			continue
		}
		c := p.groupCost(sub)
		if len(sub) > len(best) || c < bestC {
			best, bestC = sub, c
		}
	}
	return best
}
