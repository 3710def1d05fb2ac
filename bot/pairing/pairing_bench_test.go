package pairing_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/pairing"
)

// benchZones are the ~8 zones a distributed company spreads over.
var benchZones = []string{"Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
	"Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "Asia/Tokyo"}

type benchFixture struct {
	in      pairing.Input
	history int // rounds of history
}

var (
	benchMu       sync.Mutex
	benchFixtures = make(map[string]*benchFixture)
)

// fixture builds (once per size and group size) a round of n people spread
// over benchZones with a year of weekly history: 52 rounds made by Pair
// itself for small n, or for large n by a fast random pairing inside each
// zone (people meet their zone-mates most). Building it is outside any timer.
func fixture(b *testing.B, n, size int) pairing.Input {
	b.Helper()
	key := fmt.Sprint(n, "/", size)
	benchMu.Lock()
	defer benchMu.Unlock()
	if f, ok := benchFixtures[key]; ok {
		return f.in
	}
	rng := rand.New(rand.NewPCG(uint64(n), 52))
	locs := make([]*time.Location, len(benchZones))
	for i, z := range benchZones {
		locs[i] = pairZone(b, z)
	}
	zoneOf := make([]int, n)
	byZone := make([][]string, len(locs))
	for i := range zoneOf {
		zoneOf[i] = rng.IntN(len(locs))
		byZone[zoneOf[i]] = append(byZone[zoneOf[i]], fmt.Sprintf("U%06d", i))
	}
	// people is everyone with their working time in the week from now,
	// one shared slice per zone, as the coffee round hands it over.
	people := func(now time.Time) []pairing.Person {
		out := make([]pairing.Person, n)
		work := make([][]pairing.Window, len(locs))
		for z, loc := range locs {
			work[z] = inWeek(hours(defaultWeek, loc), now)
		}
		for i := range out {
			out[i] = pairing.Person{ID: fmt.Sprintf("U%06d", i), Work: work[zoneOf[i]], Zone: locs[zoneOf[i]].String()}
		}
		return out
	}
	now := pairNow
	in := pairing.Input{People: people(now), GroupSize: size, MinOverlap: time.Hour, Now: now}
	for round := 0; round < 52; round++ {
		at := now.AddDate(0, 0, 7*(round-52))
		if n <= 1000 {
			r := in
			r.People, r.Now, r.Seed = people(at), at, int64(round)
			in.History = append(in.History, meetings(pairing.Pair(r).Groups, at)...)
			continue
		}
		for _, ids := range byZone {
			ids := append([]string(nil), ids...)
			rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
			for k := 0; k+1 < len(ids); k += 2 {
				in.History = append(in.History, pairing.Meeting{A: ids[k], B: ids[k+1], At: at})
			}
		}
	}
	benchFixtures[key] = &benchFixture{in: in, history: 52}
	return in
}

// peakHeap runs fn once and returns the peak of live heap above the
// starting point, sampled every millisecond.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := read(); h > peak {
				peak = h
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	if h := read(); h > peak {
		peak = h
	}
	if peak < base {
		return 0
	}
	return peak - base
}

func benchPair(b *testing.B, n, size int) { benchInput(b, fixture(b, n, size), false) }

// benchInput benchmarks Pair on in; with teams it also reports the share of
// groups whose members share no team.
func benchInput(b *testing.B, in pairing.Input, teams bool) {
	met := metSet(in.History)
	var last pairing.Result
	peak := peakHeap(func() { last = pairing.Pair(in) })
	placed := 0
	for _, g := range last.Groups {
		placed += len(g)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		in.Seed = int64(i)
		last = pairing.Pair(in)
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
	b.ReportMetric(100*float64(repeats(last, met))/float64(max(len(meetings(last.Groups, in.Now)), 1)), "repeat-%")
	b.ReportMetric(float64(len(last.SitOut)), "sitouts")
	if teams {
		byID := make(map[string][]string, len(in.People))
		for _, p := range in.People {
			byID[p.ID] = p.Teams
		}
		crossing := 0
		for _, g := range last.Groups {
			if sharing([][]string{g}, byID) == 0 {
				crossing++
			}
		}
		b.ReportMetric(100*float64(crossing)/float64(max(len(last.Groups), 1)), "cross-team-%")
	}
}

// One round with a year of history, people over 8 zones, MinOverlap 1h.
// Targets: 100 < 50 ms, 1,000 < 2 s, 10,000 < 30 s and < 500 MB.
func BenchmarkPair100(b *testing.B)   { benchPair(b, 100, 2) }
func BenchmarkPair1000(b *testing.B)  { benchPair(b, 1000, 2) }
func BenchmarkPair10000(b *testing.B) { benchPair(b, 10000, 2) }

// The same 10,000 people in 8 teams (by ID, so independent of zone).
func BenchmarkPair10000Teams(b *testing.B) {
	in := fixture(b, 10000, 2)
	in.People = slices.Clone(in.People)
	for i := range in.People {
		in.People[i].Teams = []string{fmt.Sprintf("team%d", i%8)}
	}
	benchInput(b, in, true)
}

// Groups of four, for comparison.
func BenchmarkPairGroupsOf4_1000(b *testing.B) { benchPair(b, 1000, 4) }
