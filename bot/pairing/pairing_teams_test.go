package pairing_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

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
		fmt.Fprintf(h, "%d %v\n", k, pairing.Pair(in))
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != noTeamsDigest {
		t.Fatalf("digest %s, want %s: a round without teams pairs differently", got, noTeamsDigest)
	}
}
