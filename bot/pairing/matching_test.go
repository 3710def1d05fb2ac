package pairing

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// score is a matching's (cardinality, weight); maxCardinality compares
// cardinality first.
type score struct {
	card int
	w    int64
}

// same reports whether two optimal scores agree: without maxCardinality
// matchings of equal weight but different size are equally good.
func (a score) same(b score, maxCard bool) bool {
	return a.w == b.w && (!maxCard || a.card == b.card)
}

func (a score) better(b score, maxCard bool) bool {
	if maxCard && a.card != b.card {
		return a.card > b.card
	}
	return a.w > b.w
}

// bruteMatching enumerates every matching of a graph on n ≤ 8 vertices and
// returns the best score.
func bruteMatching(n int, edges []edge, maxCard bool) score {
	var best score
	used := make([]bool, len(edges))
	var rec func(k int, covered uint, s score)
	rec = func(k int, covered uint, s score) {
		if k == len(edges) {
			if s.better(best, maxCard) {
				best = s
			}
			return
		}
		rec(k+1, covered, s)
		e := edges[k]
		if covered&(1<<e.i) == 0 && covered&(1<<e.j) == 0 {
			used[k] = true
			rec(k+1, covered|1<<e.i|1<<e.j, score{s.card + 1, s.w + e.w})
			used[k] = false
		}
	}
	rec(0, 0, score{})
	return best
}

// dpMatching is an exact O(2^n·n) dynamic programme over vertex subsets
// (n ≤ 22): best[mask] is the best matching of the vertices in mask. It
// shares nothing with the blossom code, so it is an independent oracle for
// graphs too large to enumerate.
func dpMatching(n int, edges []edge, maxCard bool) score {
	w := make([][]int64, n)
	has := make([][]bool, n)
	for i := range w {
		w[i] = make([]int64, n)
		has[i] = make([]bool, n)
	}
	for _, e := range edges {
		if !has[e.i][e.j] || e.w > w[e.i][e.j] {
			w[e.i][e.j], w[e.j][e.i] = e.w, e.w
			has[e.i][e.j], has[e.j][e.i] = true, true
		}
	}
	best := make([]score, 1<<n)
	for mask := 1; mask < 1<<n; mask++ {
		v := bits.TrailingZeros(uint(mask))
		rest := mask &^ (1 << v)
		s := best[rest] // v unmatched
		for u := v + 1; u < n; u++ {
			if rest&(1<<u) != 0 && has[v][u] {
				c := best[rest&^(1<<u)]
				c = score{c.card + 1, c.w + w[v][u]}
				if c.better(s, maxCard) {
					s = c
				}
			}
		}
		best[mask] = s
	}
	return best[1<<n-1]
}

// checkMatching runs the blossom algorithm, verifies its dual certificate
// and that mate is a matching of the graph, and returns its score.
func checkMatching(t *testing.T, n int, edges []edge, maxCard bool) score {
	t.Helper()
	m := newMatcher(n, edges, maxCard)
	m.solve()
	if err := m.verifyOptimum(); err != nil {
		t.Fatalf("n=%d maxCard=%v edges=%v: %v", n, maxCard, edges, err)
	}
	mate := m.mates()
	best := make(map[[2]int]int64)
	for _, e := range edges {
		k := [2]int{min(e.i, e.j), max(e.i, e.j)}
		if w, ok := best[k]; !ok || e.w > w {
			best[k] = e.w
		}
	}
	var s score
	for v, u := range mate {
		if u == -1 {
			continue
		}
		if u < 0 || u >= n || mate[u] != v || u == v {
			t.Fatalf("n=%d edges=%v: mate=%v is not a matching", n, edges, mate)
		}
		w, ok := best[[2]int{min(u, v), max(u, v)}]
		if !ok {
			t.Fatalf("n=%d edges=%v: mate=%v uses a non-edge %d–%d", n, edges, mate, v, u)
		}
		if v < u {
			s.card++
			s.w += w
		}
	}
	return s
}

// verifyOptimum checks the complementary-slackness conditions that prove the
// matching optimal (Galil): every slack non-negative, matched edges tight,
// free vertices at dual 0 (up to the common offset that maxCardinality
// allows), and blossoms with positive dual full. It must run before mates()
// converts mate.
func (m *matcher) verifyOptimum() error {
	n := m.n
	var offset int64
	if m.maxCard {
		lo := m.dualvar[0]
		for v := 1; v < n; v++ {
			lo = min(lo, m.dualvar[v])
		}
		offset = max(0, -lo)
	}
	for v := 0; v < n; v++ {
		if m.dualvar[v]+offset < 0 {
			return fmt.Errorf("vertex %d has negative dual %d", v, m.dualvar[v])
		}
	}
	for b := n; b < 2*n; b++ {
		if m.blossombase[b] >= 0 && m.dualvar[b] < 0 {
			return fmt.Errorf("blossom %d has negative dual %d", b, m.dualvar[b])
		}
	}
	chain := func(v int) []int {
		c := []int{v}
		for m.blossomparent[c[len(c)-1]] != -1 {
			c = append(c, m.blossomparent[c[len(c)-1]])
		}
		reverse(c)
		return c
	}
	for k, e := range m.edges {
		s := m.dualvar[e.i] + m.dualvar[e.j] - 2*e.w
		ci, cj := chain(e.i), chain(e.j)
		for x := 0; x < len(ci) && x < len(cj) && ci[x] == cj[x]; x++ {
			s += 2 * m.dualvar[ci[x]]
		}
		if s < 0 {
			return fmt.Errorf("edge %d %v has negative slack %d", k, e, s)
		}
		mi, mj := m.mate[e.i] >= 0 && m.mate[e.i]/2 == k, m.mate[e.j] >= 0 && m.mate[e.j]/2 == k
		if mi != mj {
			return fmt.Errorf("edge %d %v is matched on one side only", k, e)
		}
		if mi && s != 0 {
			return fmt.Errorf("matched edge %d %v has slack %d", k, e, s)
		}
	}
	for v := 0; v < n; v++ {
		if m.mate[v] < 0 && m.dualvar[v]+offset != 0 {
			return fmt.Errorf("free vertex %d has dual %d (offset %d)", v, m.dualvar[v], offset)
		}
	}
	for b := n; b < 2*n; b++ {
		if m.blossombase[b] < 0 || m.dualvar[b] <= 0 {
			continue
		}
		endps := m.blossomendps[b]
		if len(endps)%2 != 1 {
			return fmt.Errorf("blossom %d with dual %d has an even cycle", b, m.dualvar[b])
		}
		for i := 1; i < len(endps); i += 2 {
			p := endps[i]
			if m.mate[m.endpoint[p]] != p^1 || m.mate[m.endpoint[p^1]] != p {
				return fmt.Errorf("blossom %d with dual %d is not full", b, m.dualvar[b])
			}
		}
	}
	return nil
}

// allPairs lists the edges of K_n in a fixed order.
func allPairs(n int) [][2]int {
	var ps [][2]int
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			ps = append(ps, [2]int{i, j})
		}
	}
	return ps
}

// Ensure the matching is optimal on every graph with up to 5 vertices and
// weights 1..3 (n ≤ 4) or 1..2 (n = 5), in both modes.
func TestMatchExhaustiveTiny(t *testing.T) {
	t.Parallel()
	for n := 1; n <= 5; n++ {
		pairs := allPairs(n)
		levels := 3
		if n == 5 {
			levels = 2
		}
		// Each pair is absent (0) or has weight 1..levels.
		total := 1
		for range pairs {
			total *= levels + 1
		}
		for code := 0; code < total; code++ {
			var edges []edge
			c := code
			for _, p := range pairs {
				if w := c % (levels + 1); w > 0 {
					edges = append(edges, edge{p[0], p[1], int64(w)})
				}
				c /= levels + 1
			}
			for _, mc := range []bool{false, true} {
				if got, want := checkMatching(t, n, edges, mc), bruteMatching(n, edges, mc); !got.same(want, mc) {
					t.Fatalf("n=%d maxCard=%v edges=%v: got %+v, want %+v", n, mc, edges, got, want)
				}
			}
		}
	}
}

// Ensure the matching is optimal on every edge subset of K_6 (32,768
// graphs), each with random weights from a small range (ties and blossoms
// everywhere) and from a wide one, in both modes.
func TestMatchExhaustiveSix(t *testing.T) {
	t.Parallel()
	const n = 6
	pairs := allPairs(n)
	rng := rand.New(rand.NewPCG(6, 6))
	for subset := 0; subset < 1<<len(pairs); subset++ {
		for _, hi := range []int64{3, 1000} {
			var edges []edge
			for k, p := range pairs {
				if subset&(1<<k) != 0 {
					edges = append(edges, edge{p[0], p[1], 1 + rng.Int64N(hi)})
				}
			}
			for _, mc := range []bool{false, true} {
				if got, want := checkMatching(t, n, edges, mc), bruteMatching(n, edges, mc); !got.same(want, mc) {
					t.Fatalf("maxCard=%v edges=%v: got %+v, want %+v", mc, edges, got, want)
				}
			}
		}
	}
}

// Ensure the matching is optimal on random graphs with 7 and 8 vertices,
// random densities, small and negative weights included.
func TestMatchRandomSevenEight(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 6000; iter++ {
		n := 7 + iter%2
		edges := randomGraph(rng, n, rng.Float64(), []int64{1, 4, 10, 1 << 40}[iter%4], iter%7 == 0)
		for _, mc := range []bool{false, true} {
			if got, want := checkMatching(t, n, edges, mc), bruteMatching(n, edges, mc); !got.same(want, mc) {
				t.Fatalf("n=%d maxCard=%v edges=%v: got %+v, want %+v", n, mc, edges, got, want)
			}
		}
	}
}

// Ensure the matching agrees with the subset DP on larger random graphs
// (9–16 vertices), sparse to dense.
func TestMatchRandomAgainstDP(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 18))
	iters := 300
	if testing.Short() {
		iters = 60
	}
	for iter := 0; iter < iters; iter++ {
		n := 9 + iter%8
		edges := randomGraph(rng, n, 0.15+0.85*rng.Float64(), []int64{2, 7, 100, 1e9}[iter%4], false)
		for _, mc := range []bool{false, true} {
			if got, want := checkMatching(t, n, edges, mc), dpMatching(n, edges, mc); !got.same(want, mc) {
				t.Fatalf("n=%d maxCard=%v edges=%v: got %+v, want %+v", n, mc, edges, got, want)
			}
		}
	}
}

// Ensure the dual certificate holds on large graphs, where no oracle is
// fast enough: the complementary-slackness check proves optimality alone.
func TestMatchLargeCertified(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(300, 1))
	for _, n := range []int{50, 120, 300} {
		for _, density := range []float64{0.02, 0.1, 0.5} {
			edges := randomGraph(rng, n, density, 20, false)
			for _, mc := range []bool{false, true} {
				checkMatching(t, n, edges, mc)
			}
		}
	}
}

// Ensure the textbook cases behave: odd cycles, nested blossoms, T-blossom
// expansion and the maxCardinality trade-off.
func TestMatchCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		n       int
		edges   []edge
		maxCard bool
		want    []int
	}{
		{"Empty", 0, nil, false, []int{}},
		{"NoEdges", 3, nil, true, []int{-1, -1, -1}},
		{"OneEdge", 2, []edge{{0, 1, 1}}, false, []int{1, 0}},
		{"NegativeUnusedUnlessMaxCard", 2, []edge{{0, 1, -5}}, false, []int{-1, -1}},
		{"NegativeUsedForCardinality", 2, []edge{{0, 1, -5}}, true, []int{1, 0}},
		{"HeavyMiddle", 4, []edge{{0, 1, 2}, {1, 2, 5}, {2, 3, 2}}, false, []int{-1, 2, 1, -1}},
		{"HeavyMiddleMaxCard", 4, []edge{{0, 1, 2}, {1, 2, 5}, {2, 3, 2}}, true, []int{1, 0, 3, 2}},
		// A triangle with a tail: the blossom {0,1,2} is used to reach 3.
		{"TriangleTail", 4, []edge{{0, 1, 8}, {0, 2, 9}, {1, 2, 10}, {2, 3, 7}}, false, []int{1, 0, 3, 2}},
		// Create an S-blossom and use it for augmentation, then relabel.
		{"SBlossomRelabel", 6, []edge{{0, 1, 8}, {0, 2, 8}, {1, 2, 10}, {1, 3, 12}, {2, 4, 12}, {3, 4, 14}, {3, 5, 12}}, false, []int{1, 0, 4, 5, 2, 3}},
		// Nested S-blossoms that must be expanded at the end of a stage.
		{"NestedExpand", 9, []edge{{0, 1, 19}, {0, 2, 20}, {0, 7, 8}, {1, 2, 25}, {1, 3, 18}, {2, 4, 18}, {3, 4, 13}, {3, 6, 7}, {4, 5, 7}}, false, []int{7, 2, 1, 6, 5, 4, 3, 0, -1}},
		// A T-blossom that must be expanded mid-stage.
		{"TBlossomExpand", 10, []edge{{0, 1, 45}, {0, 4, 45}, {1, 2, 50}, {2, 3, 45}, {3, 4, 50}, {0, 5, 30}, {2, 8, 35}, {3, 7, 35}, {4, 6, 26}, {8, 9, 5}}, false, []int{5, 2, 1, 7, 6, 0, 4, 3, 9, 8}},
	}
	for _, tt := range tests {
		got := maxWeightMatching(tt.n, tt.edges, tt.maxCard)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: maxWeightMatching = %v, want %v", tt.name, got, tt.want)
		}
		want := dpMatching(tt.n, tt.edges, tt.maxCard)
		if got := checkMatching(t, tt.n, tt.edges, tt.maxCard); !got.same(want, tt.maxCard) {
			t.Errorf("%s: score %+v, want %+v", tt.name, got, want)
		}
	}
}

// Ensure bad edges are refused loudly (a programmer error).
func TestMatchPanicsOnBadEdge(t *testing.T) {
	t.Parallel()
	for _, e := range []edge{{0, 0, 1}, {0, 2, 1}, {-1, 1, 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("maxWeightMatching(2, %v) did not panic", e)
				}
			}()
			maxWeightMatching(2, []edge{e}, false)
		}()
	}
}

// FuzzMatch compares the blossom algorithm with the subset DP on graphs
// decoded from the fuzzer's bytes: byte 0 is n (≤ 12), then (i, j, w) triples.
func FuzzMatch(f *testing.F) {
	f.Add([]byte{4, 0, 1, 8, 0, 2, 9, 1, 2, 10, 2, 3, 7})
	f.Add([]byte{6, 0, 1, 8, 0, 2, 8, 1, 2, 10, 1, 3, 12, 2, 4, 12, 3, 4, 14, 3, 5, 12})
	f.Add([]byte{9, 0, 1, 19, 0, 2, 20, 0, 7, 8, 1, 2, 25, 1, 3, 18, 2, 4, 18, 3, 4, 13, 3, 6, 7, 4, 5, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		n := int(data[0])%12 + 1
		var edges []edge
		for k := 1; k+2 < len(data); k += 3 {
			i, j := int(data[k])%n, int(data[k+1])%n
			if i != j {
				edges = append(edges, edge{i, j, int64(int8(data[k+2]))})
			}
		}
		for _, mc := range []bool{false, true} {
			if got, want := checkMatching(t, n, edges, mc), dpMatching(n, edges, mc); !got.same(want, mc) {
				t.Fatalf("n=%d maxCard=%v edges=%v: got %+v, want %+v", n, mc, edges, got, want)
			}
		}
	})
}

// randomGraph draws a graph on n vertices where each pair is an edge with
// probability density, weights 1..hi (or −hi..hi with negative).
func randomGraph(rng *rand.Rand, n int, density float64, hi int64, negative bool) []edge {
	var edges []edge
	for _, p := range allPairs(n) {
		if rng.Float64() < density {
			w := 1 + rng.Int64N(hi)
			if negative {
				w = rng.Int64N(2*hi+1) - hi
			}
			edges = append(edges, edge{p[0], p[1], w})
		}
	}
	rng.Shuffle(len(edges), func(a, b int) { edges[a], edges[b] = edges[b], edges[a] })
	return edges
}
