package pairing

import (
	"cmp"
	"fmt"
	"slices"
)

// This file is an exact maximum-weight matching on general graphs: Edmonds'
// blossom algorithm in the primal-dual form of Galil ("Efficient algorithms
// for finding maximum matching in graphs", ACM Computing Surveys, 1986),
// structured after Joris van Rantwijk's well-known formulation (the one
// behind mwmatching.py and NetworkX), with the same names for the same
// state. It is written from the algorithm, not copied from any
// implementation. Pairing needs it because people are not two sides of a
// bipartite graph: anyone may be paired with anyone, and odd cycles
// (blossoms) are exactly what greedy and bipartite methods get wrong.
//
// Sketch. Every vertex v has a dual u(v) and every blossom (an odd cycle of
// sub-blossoms shrunk into one vertex) a dual z(b). Weights are doubled so
// that integer weights keep integer duals: the slack of edge k=(i,j) is
// u(i)+u(j)−2w(k), plus 2z(b) for each blossom containing both ends, and it
// is never negative. Each stage grows alternating trees from every free
// vertex along tight (zero-slack) edges, labelling vertices S (outer) or
// T (inner); an edge between two S-vertices either closes a blossom (same
// tree) or completes an augmenting path (different trees), which grows the
// matching by one and ends the stage. When no tight edge is left the duals
// move by the largest δ that keeps every slack non-negative:
//
//	δ1  the smallest S-vertex dual (a free vertex reaching 0 ends the
//	    algorithm: no augmentation can add weight; skipped with
//	    maxCardinality, which keeps growing the matching)
//	δ2  the smallest slack from an S-vertex to a free (unlabelled) vertex
//	δ3  half the smallest slack between two S-blossoms
//	δ4  the smallest dual of a T-blossom (which then expands)
//
// There are at most n/2 augmentations; each stage does O(n) dual updates of
// O(n) work plus edge scans, so O(n³) in all (O(n·m) scanning on sparse
// graphs). Memory is O(n+m).
//
// Warm start. Every dual starts at the largest weight W, so every edge of
// weight W is tight, and matching such edges between free vertices is
// exactly what the first stages would do one augmentation at a time. solve
// therefore starts from a greedy matching of weight-W edges (fewest tight
// options first, then input order). The state is one the algorithm reaches
// by itself, so the result is still exact; when many edges share the top
// weight (pairing gives every "never met" pair the same weight) this
// replaces thousands of O(n+m) stages with one pass: on a 10,000-vertex,
// 300,000-edge graph shaped like a pairing round, 0.6 s instead of 84 s.
//
// Vertices are 0..n−1; blossoms get ids n..2n−1. Edge k has endpoints 2k
// (its i end) and 2k+1 (its j end), so p^1 is the other end of endpoint p,
// and mate[v] holds the endpoint at the far side of v's matched edge.

// edge is an undirected weighted edge between vertices i and j (i != j).
type edge struct {
	i, j int
	w    int64
}

// maxWeightMatching returns a matching of maximum total weight in the
// undirected graph on vertices 0..n−1: mate[v] is v's partner, or −1 when v
// is unmatched. With maxCardinality it returns, among the matchings with the
// most edges, one of maximum weight; otherwise edges of negative weight are
// never used. Integer weights keep every computation exact; keep |w| below
// 2^60 so doubled weights and duals do not overflow. Multiple edges between
// the same two vertices are allowed (the best one wins) but wasteful. It
// panics on a self-loop or an endpoint outside 0..n−1 (programmer errors).
func maxWeightMatching(n int, edges []edge, maxCardinality bool) []int {
	m := newMatcher(n, edges, maxCardinality)
	m.solve()
	return m.mates()
}

// matcher holds the state of one run of the blossom algorithm.
type matcher struct {
	n       int
	edges   []edge
	maxCard bool

	endpoint []int // endpoint[p]: the vertex at endpoint p (2k = edges[k].i, 2k+1 = edges[k].j)
	nbStart  []int // neighbours of v: nbEnds[nbStart[v]:nbStart[v+1]], the far endpoints of v's edges
	nbEnds   []int

	mate      []int // mate[v]: far endpoint of v's matched edge, or −1
	label     []int // label[b] for vertices and blossoms: 0 free, 1 S, 2 T (+4 while scanning)
	labelend  []int // labelend[b]: the endpoint through which b got its label, or −1
	inblossom []int // inblossom[v]: v's top-level blossom (v itself when not in one)

	blossomparent    []int   // the blossom that directly contains b, or −1
	blossomchilds    [][]int // the sub-blossoms of b, in cycle order starting at the base
	blossombase      []int   // the base vertex of b, or −1 for an unused blossom id
	blossomendps     [][]int // blossomendps[b][i]: endpoint joining child i to child i+1
	bestedge         []int   // least-slack edge to a different S-blossom (or, for a free vertex, from one)
	blossombestedges [][]int // for an S-blossom: its least-slack edges to other S-blossoms (nil: none known)
	unusedblossoms   []int
	dualvar          []int64 // u(v) for v < n, z(b) for blossoms

	allow   []uint32 // allow[k] == stage: edge k is known tight in this stage
	stage   uint32
	queue   []int // S-vertices whose edges are still to be scanned
	scratch []int // reused by addBlossom
}

func newMatcher(n int, edges []edge, maxCardinality bool) *matcher {
	m := &matcher{n: n, edges: edges, maxCard: maxCardinality}
	var maxw int64
	deg := make([]int, n+1)
	for _, e := range edges {
		if e.i == e.j || e.i < 0 || e.j < 0 || e.i >= n || e.j >= n {
			panic(fmt.Sprintf("pairing: maxWeightMatching: bad edge %v for %d vertices", e, n))
		}
		deg[e.i]++
		deg[e.j]++
		maxw = max(maxw, e.w)
	}
	m.endpoint = make([]int, 2*len(edges))
	for k, e := range edges {
		m.endpoint[2*k], m.endpoint[2*k+1] = e.i, e.j
	}
	m.nbStart = make([]int, n+1)
	for v := 0; v < n; v++ {
		m.nbStart[v+1] = m.nbStart[v] + deg[v]
	}
	m.nbEnds = make([]int, 2*len(edges))
	fill := append([]int(nil), m.nbStart[:n]...)
	for k, e := range edges {
		m.nbEnds[fill[e.i]] = 2*k + 1
		fill[e.i]++
		m.nbEnds[fill[e.j]] = 2 * k
		fill[e.j]++
	}
	m.mate = filled(n, -1)
	m.label = make([]int, 2*n)
	m.labelend = filled(2*n, -1)
	m.inblossom = make([]int, n)
	for v := range m.inblossom {
		m.inblossom[v] = v
	}
	m.blossomparent = filled(2*n, -1)
	m.blossomchilds = make([][]int, 2*n)
	m.blossombase = filled(2*n, -1)
	for v := 0; v < n; v++ {
		m.blossombase[v] = v
	}
	m.blossomendps = make([][]int, 2*n)
	m.bestedge = filled(2*n, -1)
	m.blossombestedges = make([][]int, 2*n)
	m.unusedblossoms = make([]int, 0, n)
	for b := n; b < 2*n; b++ {
		m.unusedblossoms = append(m.unusedblossoms, b)
	}
	m.dualvar = make([]int64, 2*n)
	for v := 0; v < n; v++ {
		m.dualvar[v] = maxw
	}
	m.allow = make([]uint32, len(edges))
	return m
}

func filled(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// mates converts mate from endpoints to vertices.
func (m *matcher) mates() []int {
	out := make([]int, m.n)
	for v, p := range m.mate {
		out[v] = -1
		if p >= 0 {
			out[v] = m.endpoint[p]
		}
	}
	return out
}

// slack is u(i)+u(j)−2w(k); blossom duals are not included (only called for
// edges between different top-level blossoms, or for the bookkeeping of
// least-slack edges where both ends are outside a common blossom).
func (m *matcher) slack(k int) int64 {
	e := m.edges[k]
	return m.dualvar[e.i] + m.dualvar[e.j] - 2*e.w
}

func (m *matcher) allowed(k int) bool { return m.allow[k] == m.stage }

// forLeaves calls fn for every vertex inside blossom b (b itself if a vertex).
func (m *matcher) forLeaves(b int, fn func(v int)) {
	if b < m.n {
		fn(b)
		return
	}
	for _, c := range m.blossomchilds[b] {
		m.forLeaves(c, fn)
	}
}

// assignLabel labels w's top-level blossom t (1 = S, 2 = T), reached through
// endpoint p. A T-blossom's base is matched, and its mate becomes S.
func (m *matcher) assignLabel(w, t, p int) {
	for {
		b := m.inblossom[w]
		m.label[w], m.label[b] = t, t
		m.labelend[w], m.labelend[b] = p, p
		m.bestedge[w], m.bestedge[b] = -1, -1
		if t == 1 {
			m.forLeaves(b, func(v int) { m.queue = append(m.queue, v) })
			return
		}
		base := m.blossombase[b]
		mp := m.mate[base]
		w, t, p = m.endpoint[mp], 1, mp^1
	}
}

// scanBlossom traces back from S-vertices v and w to their roots. It returns
// the base of the new blossom when the two paths meet, or −1 when they reach
// different roots (an augmenting path).
func (m *matcher) scanBlossom(v, w int) int {
	var path []int
	base := -1
	for v != -1 || w != -1 {
		b := m.inblossom[v]
		if m.label[b]&4 != 0 {
			base = m.blossombase[b]
			break
		}
		path = append(path, b)
		m.label[b] = 5
		if m.labelend[b] == -1 {
			v = -1 // reached a root
		} else {
			v = m.endpoint[m.labelend[b]]
			b = m.inblossom[v] // a T-blossom; go on to its S parent
			v = m.endpoint[m.labelend[b]]
		}
		if w != -1 {
			v, w = w, v
		}
	}
	for _, b := range path {
		m.label[b] = 1
	}
	return base
}

// addBlossom shrinks the odd cycle closed by edge k, with the given base,
// into a new S-blossom.
func (m *matcher) addBlossom(base, k int) {
	v, w := m.edges[k].i, m.edges[k].j
	bb, bv, bw := m.inblossom[base], m.inblossom[v], m.inblossom[w]
	b := m.unusedblossoms[len(m.unusedblossoms)-1]
	m.unusedblossoms = m.unusedblossoms[:len(m.unusedblossoms)-1]
	m.blossombase[b] = base
	m.blossomparent[b] = -1
	m.blossomparent[bb] = b
	var path, endps []int
	// From v's side back to the base ...
	for bv != bb {
		m.blossomparent[bv] = b
		path = append(path, bv)
		endps = append(endps, m.labelend[bv])
		v = m.endpoint[m.labelend[bv]]
		bv = m.inblossom[v]
	}
	path = append(path, bb)
	reverse(path)
	reverse(endps)
	endps = append(endps, 2*k)
	// ... then from w's side.
	for bw != bb {
		m.blossomparent[bw] = b
		path = append(path, bw)
		endps = append(endps, m.labelend[bw]^1)
		w = m.endpoint[m.labelend[bw]]
		bw = m.inblossom[w]
	}
	m.blossomchilds[b] = path
	m.blossomendps[b] = endps
	m.label[b] = 1
	m.labelend[b] = m.labelend[bb]
	m.dualvar[b] = 0
	m.forLeaves(b, func(v int) {
		if m.label[m.inblossom[v]] == 2 {
			// A former T-vertex is now S: scan it.
			m.queue = append(m.queue, v)
		}
		m.inblossom[v] = b
	})
	// Least-slack edges from the new blossom to each other S-blossom.
	if cap(m.scratch) < 2*m.n {
		m.scratch = make([]int, 2*m.n)
	}
	bestedgeto := m.scratch[:2*m.n]
	for i := range bestedgeto {
		bestedgeto[i] = -1
	}
	consider := func(k int) {
		i, j := m.edges[k].i, m.edges[k].j
		if m.inblossom[j] == b {
			i, j = j, i
		}
		_ = i
		bj := m.inblossom[j]
		if bj != b && m.label[bj] == 1 && (bestedgeto[bj] == -1 || m.slack(k) < m.slack(bestedgeto[bj])) {
			bestedgeto[bj] = k
		}
	}
	for _, bv := range path {
		if m.blossombestedges[bv] == nil {
			m.forLeaves(bv, func(v int) {
				for _, p := range m.nbEnds[m.nbStart[v]:m.nbStart[v+1]] {
					consider(p / 2)
				}
			})
		} else {
			for _, k := range m.blossombestedges[bv] {
				consider(k)
			}
		}
		m.blossombestedges[bv] = nil
		m.bestedge[bv] = -1
	}
	best := make([]int, 0, 4)
	for _, k := range bestedgeto {
		if k != -1 {
			best = append(best, k)
		}
	}
	m.blossombestedges[b] = best
	m.bestedge[b] = -1
	for _, k := range best {
		if m.bestedge[b] == -1 || m.slack(k) < m.slack(m.bestedge[b]) {
			m.bestedge[b] = k
		}
	}
}

func reverse(s []int) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// at indexes s the way the cycle walks need: negative i counts from the end.
func at(s []int, i int) int {
	if i < 0 {
		i += len(s)
	}
	return s[i]
}

// expandBlossom dissolves top-level blossom b into its children. At the end
// of a stage (endstage) S-blossoms with zero dual are expanded recursively;
// during a stage a T-blossom is expanded and its children relabelled so the
// alternating tree stays valid.
func (m *matcher) expandBlossom(b int, endstage bool) {
	for _, s := range m.blossomchilds[b] {
		m.blossomparent[s] = -1
		switch {
		case s < m.n:
			m.inblossom[s] = s
		case endstage && m.dualvar[s] == 0:
			m.expandBlossom(s, endstage)
		default:
			m.forLeaves(s, func(v int) { m.inblossom[v] = s })
		}
	}
	if !endstage && m.label[b] == 2 {
		childs, endps := m.blossomchilds[b], m.blossomendps[b]
		// The child through which b was reached as a T-blossom.
		entrychild := m.inblossom[m.endpoint[m.labelend[b]^1]]
		j := index(childs, entrychild)
		// Walk from the entry child to the base the even way round the cycle.
		var jstep, endptrick int
		if j&1 != 0 {
			j -= len(childs)
			jstep, endptrick = 1, 0
		} else {
			jstep, endptrick = -1, 1
		}
		p := m.labelend[b]
		for j != 0 {
			// Relabel the T-sub-blossom and the S-sub-blossom after it.
			m.label[m.endpoint[p^1]] = 0
			m.label[m.endpoint[at(endps, j-endptrick)^endptrick^1]] = 0
			m.assignLabel(m.endpoint[p^1], 2, p)
			m.allow[at(endps, j-endptrick)/2] = m.stage
			j += jstep
			p = at(endps, j-endptrick) ^ endptrick
			m.allow[p/2] = m.stage
			j += jstep
		}
		// The base child becomes a T-blossom without relabelling its mate.
		bv := at(childs, j)
		m.label[m.endpoint[p^1]], m.label[bv] = 2, 2
		m.labelend[m.endpoint[p^1]], m.labelend[bv] = p, p
		m.bestedge[bv] = -1
		// Children on the odd way round keep or lose labels: a child reached
		// from outside through one of its vertices becomes a T-blossom.
		j += jstep
		for at(childs, j) != entrychild {
			bv := at(childs, j)
			if m.label[bv] == 1 {
				j += jstep
				continue
			}
			reached := -1
			m.forLeaves(bv, func(v int) {
				if reached == -1 && m.label[v] != 0 {
					reached = v
				}
			})
			if reached != -1 {
				m.label[reached] = 0
				m.label[m.endpoint[m.mate[m.blossombase[bv]]]] = 0
				m.assignLabel(reached, 2, m.labelend[reached])
			}
			j += jstep
		}
	}
	m.label[b], m.labelend[b] = -1, -1
	m.blossomchilds[b], m.blossomendps[b] = nil, nil
	m.blossombase[b] = -1
	m.blossombestedges[b] = nil
	m.bestedge[b] = -1
	m.unusedblossoms = append(m.unusedblossoms, b)
}

func index(s []int, x int) int {
	for i, y := range s {
		if y == x {
			return i
		}
	}
	panic("pairing: matching: blossom child not found")
}

// augmentBlossom swaps matched and unmatched edges along the even path
// inside blossom b from vertex v to the base, making v the new base.
func (m *matcher) augmentBlossom(b, v int) {
	t := v
	for m.blossomparent[t] != b {
		t = m.blossomparent[t]
	}
	if t >= m.n {
		m.augmentBlossom(t, v)
	}
	childs, endps := m.blossomchilds[b], m.blossomendps[b]
	i := index(childs, t)
	j := i
	var jstep, endptrick int
	if i&1 != 0 {
		j -= len(childs)
		jstep, endptrick = 1, 0
	} else {
		jstep, endptrick = -1, 1
	}
	for j != 0 {
		j += jstep
		t = at(childs, j)
		p := at(endps, j-endptrick) ^ endptrick
		if t >= m.n {
			m.augmentBlossom(t, m.endpoint[p])
		}
		j += jstep
		t = at(childs, j)
		if t >= m.n {
			m.augmentBlossom(t, m.endpoint[p^1])
		}
		m.mate[m.endpoint[p]] = p ^ 1
		m.mate[m.endpoint[p^1]] = p
	}
	// Rotate so that the child containing v is first (the new base).
	m.blossomchilds[b] = append(append([]int(nil), childs[i:]...), childs[:i]...)
	m.blossomendps[b] = append(append([]int(nil), endps[i:]...), endps[:i]...)
	m.blossombase[b] = m.blossombase[m.blossomchilds[b][0]]
}

// augmentMatching flips the augmenting path through edge k, which joins two
// S-vertices of different trees, from each end back to its root.
func (m *matcher) augmentMatching(k int) {
	ends := [2][2]int{{m.edges[k].i, 2*k + 1}, {m.edges[k].j, 2 * k}}
	for _, sp := range ends {
		s, p := sp[0], sp[1]
		for {
			bs := m.inblossom[s]
			if bs >= m.n {
				m.augmentBlossom(bs, s)
			}
			m.mate[s] = p
			if m.labelend[bs] == -1 {
				break // reached the root
			}
			t := m.endpoint[m.labelend[bs]]
			bt := m.inblossom[t]
			s = m.endpoint[m.labelend[bt]]
			j := m.endpoint[m.labelend[bt]^1]
			if bt >= m.n {
				m.augmentBlossom(bt, j)
			}
			m.mate[j] = m.labelend[bt]
			p = m.labelend[bt] ^ 1
		}
	}
}

// greedyStart matches weight-W edges (W = the initial dual) greedily:
// vertices with the fewest such edges first, each to its free neighbour with
// the fewest, ties in input order.
func (m *matcher) greedyStart() {
	if m.n == 0 {
		return
	}
	top := m.dualvar[0]
	tdeg := make([]int, m.n)
	for _, e := range m.edges {
		if e.w == top {
			tdeg[e.i]++
			tdeg[e.j]++
		}
	}
	order := make([]int, 0, m.n)
	for v, d := range tdeg {
		if d > 0 {
			order = append(order, v)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(tdeg[a], tdeg[b]) })
	for _, v := range order {
		if m.mate[v] != -1 {
			continue
		}
		best := -1
		for _, p := range m.nbEnds[m.nbStart[v]:m.nbStart[v+1]] {
			w := m.endpoint[p]
			if m.edges[p/2].w == top && m.mate[w] == -1 && (best == -1 || tdeg[w] < tdeg[m.endpoint[best]]) {
				best = p
			}
		}
		if best != -1 {
			m.mate[v], m.mate[m.endpoint[best]] = best, best^1
		}
	}
}

// solve runs stages until no augmenting path improves the matching.
func (m *matcher) solve() {
	n := m.n
	m.greedyStart()
	for range n {
		// A new stage: forget labels and tight edges, root a tree at every free vertex.
		for i := range m.label {
			m.label[i] = 0
		}
		for i := range m.bestedge {
			m.bestedge[i] = -1
		}
		for b := n; b < 2*n; b++ {
			m.blossombestedges[b] = nil
		}
		m.stage++
		if m.stage == 0 { // wrapped: clear for real
			clear(m.allow)
			m.stage = 1
		}
		m.queue = m.queue[:0]
		for v := 0; v < n; v++ {
			if m.mate[v] == -1 && m.label[m.inblossom[v]] == 0 {
				m.assignLabel(v, 1, -1)
			}
		}
		augmented := false
		for {
			for len(m.queue) > 0 && !augmented {
				v := m.queue[len(m.queue)-1]
				m.queue = m.queue[:len(m.queue)-1]
				for _, p := range m.nbEnds[m.nbStart[v]:m.nbStart[v+1]] {
					k, w := p/2, m.endpoint[p]
					if m.inblossom[v] == m.inblossom[w] {
						continue // an edge inside a blossom
					}
					var kslack int64
					if !m.allowed(k) {
						kslack = m.slack(k)
						if kslack <= 0 {
							m.allow[k] = m.stage
						}
					}
					switch {
					case m.allowed(k):
						switch {
						case m.label[m.inblossom[w]] == 0:
							// w is free: it becomes T, its mate S.
							m.assignLabel(w, 2, p^1)
						case m.label[m.inblossom[w]] == 1:
							if base := m.scanBlossom(v, w); base >= 0 {
								m.addBlossom(base, k)
							} else {
								m.augmentMatching(k)
								augmented = true
							}
						case m.label[w] == 0:
							// w is inside a T-blossom but not yet reached from outside:
							// remember how, for when the blossom expands.
							m.label[w] = 2
							m.labelend[w] = p ^ 1
						}
					case m.label[m.inblossom[w]] == 1:
						b := m.inblossom[v]
						if m.bestedge[b] == -1 || kslack < m.slack(m.bestedge[b]) {
							m.bestedge[b] = k
						}
					case m.label[w] == 0:
						if m.bestedge[w] == -1 || kslack < m.slack(m.bestedge[w]) {
							m.bestedge[w] = k
						}
					}
					if augmented {
						break
					}
				}
			}
			if augmented {
				break
			}
			if m.adjustDuals() {
				break // optimum: no augmentation can improve the matching
			}
		}
		if !augmented {
			break
		}
		// End of stage: expand S-blossoms whose dual reached zero.
		for b := n; b < 2*n; b++ {
			if m.blossomparent[b] == -1 && m.blossombase[b] >= 0 && m.label[b] == 1 && m.dualvar[b] == 0 {
				m.expandBlossom(b, true)
			}
		}
	}
}

// adjustDuals makes the dual change (see the file comment) and acts on the
// constraint that became tight. It reports whether the algorithm is done.
func (m *matcher) adjustDuals() (done bool) {
	n := m.n
	deltatype := -1
	var delta int64
	deltaedge, deltablossom := -1, -1
	if !m.maxCard {
		deltatype = 1
		delta = m.dualvar[0]
		for v := 1; v < n; v++ {
			delta = min(delta, m.dualvar[v])
		}
	}
	for v := 0; v < n; v++ {
		if m.label[m.inblossom[v]] == 0 && m.bestedge[v] != -1 {
			if d := m.slack(m.bestedge[v]); deltatype == -1 || d < delta {
				delta, deltatype, deltaedge = d, 2, m.bestedge[v]
			}
		}
	}
	for b := 0; b < 2*n; b++ {
		if m.blossomparent[b] == -1 && m.label[b] == 1 && m.bestedge[b] != -1 {
			kslack := m.slack(m.bestedge[b])
			if kslack%2 != 0 {
				// Integer weights keep S–S slacks even; anything else is a bug.
				panic("pairing: matching: odd slack between S-blossoms")
			}
			if d := kslack / 2; deltatype == -1 || d < delta {
				delta, deltatype, deltaedge = d, 3, m.bestedge[b]
			}
		}
	}
	for b := n; b < 2*n; b++ {
		if m.blossombase[b] >= 0 && m.blossomparent[b] == -1 && m.label[b] == 2 && (deltatype == -1 || m.dualvar[b] < delta) {
			delta, deltatype, deltablossom = m.dualvar[b], 4, b
		}
	}
	if deltatype == -1 {
		// Only with maxCardinality: nothing can grow any more. Do a last
		// δ1 step so the duals stay an optimality certificate.
		deltatype = 1
		delta = m.dualvar[0]
		for v := 1; v < n; v++ {
			delta = min(delta, m.dualvar[v])
		}
		delta = max(0, delta)
	}
	for v := 0; v < n; v++ {
		switch m.label[m.inblossom[v]] {
		case 1:
			m.dualvar[v] -= delta
		case 2:
			m.dualvar[v] += delta
		}
	}
	for b := n; b < 2*n; b++ {
		if m.blossombase[b] >= 0 && m.blossomparent[b] == -1 {
			switch m.label[b] {
			case 1:
				m.dualvar[b] += delta
			case 2:
				m.dualvar[b] -= delta
			}
		}
	}
	switch deltatype {
	case 1:
		return true
	case 2:
		m.allow[deltaedge] = m.stage
		i, j := m.edges[deltaedge].i, m.edges[deltaedge].j
		if m.label[m.inblossom[i]] == 0 {
			i, j = j, i
		}
		_ = j
		m.queue = append(m.queue, i)
	case 3:
		m.allow[deltaedge] = m.stage
		m.queue = append(m.queue, m.edges[deltaedge].i)
	case 4:
		m.expandBlossom(deltablossom, false)
	}
	return false
}
