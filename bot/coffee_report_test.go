package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
)

// reportNow is the instant the report tests look back from.
var reportNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func reportGroup(outcome store.CoffeeAnswer, members ...string) store.CoffeeGroup {
	g := store.CoffeeGroup{Members: members, Icebreaker: -1}
	if outcome != "" {
		g.SetAnswer(members[0], outcome)
	}
	return g
}

func daysAgo(n int) time.Time { return reportNow.AddDate(0, 0, -n) }

// reportFixture is a small workspace, checked by hand below: eng (A1–A5)
// and sales (B1–B5) of five, tiny (C1–C3) of three, D1 in no team; one
// round in the quarter before, two in the last quarter (the second made
// before counts were kept).
func reportFixture(minTeam int) reportInput {
	teams := map[string][]string{"D1": nil}
	for i := 1; i <= 5; i++ {
		teams[fmt.Sprintf("A%d", i)] = []string{"eng"}
		teams[fmt.Sprintf("B%d", i)] = []string{"sales"}
	}
	for i := 1; i <= 3; i++ {
		teams[fmt.Sprintf("C%d", i)] = []string{"tiny"}
	}
	return reportInput{
		Now: reportNow, Teams: teams, MinTeam: minTeam,
		Rounds: []store.Round{
			{At: daysAgo(100), Counts: store.RoundCounts{Members: 10, Paused: 1, Skipped: 1},
				Groups: []store.CoffeeGroup{
					reportGroup(store.AnswerYes, "A1", "B1"),
					reportGroup("", "A2", "A3"),
				}},
			{At: daysAgo(60), Counts: store.RoundCounts{Members: 12, Paused: 2, Silenced: 1, Skipped: 1, Left: 1, LeftOf: 4},
				Groups: []store.CoffeeGroup{
					reportGroup(store.AnswerYes, "A1", "B1"), // grouped before: not first, no new tie
					reportGroup(store.AnswerYes, "A2", "B2"), // new tie eng–sales
					reportGroup(store.AnswerNo, "A3", "A4"),  // first, same team, did not meet
					reportGroup("", "C1", "D1"),              // D1 has no team: not counted across teams
				}},
			{At: daysAgo(30),
				Groups: []store.CoffeeGroup{
					reportGroup(store.AnswerYes, "A2", "A3", "B3"), // A2–A3 grouped before; new ties A2–B3, A3–B3
					reportGroup(store.AnswerYes, "C2", "B4"),       // new tie tiny–sales
					reportGroup(store.AnswerCant, "C3", "A5", "B5"),
				}},
		},
	}
}

// Ensure each figure of the report has the numerator and denominator
// counted by hand for the fixture.
func TestConnectionReportCounts(t *testing.T) {
	r := connectionReportOf(reportFixture(5))
	cur, prev := r.Periods[0], r.Periods[1]
	type fig struct {
		name      string
		got, want int
	}
	for _, f := range []fig{
		{"quarter rounds", cur.Rounds, 2},
		{"quarter groups", cur.Groups, 7},
		{"quarter met", cur.Met, 4},
		{"quarter no answer", cur.NoAnswer, 1},
		{"quarter first time", cur.FirstTime, 5},
		{"quarter teamed", cur.Teamed, 6},
		{"quarter cross", cur.Cross, 4},
		{"quarter counted rounds", cur.Counted, 1},
		{"quarter invited", cur.Invited, 9},
		{"quarter skipped", cur.Skipped, 1},
		{"quarter left", cur.Left, 1},
		{"quarter left of", cur.LeftOf, 4},
		{"quarter members", cur.Members, 12},
		{"quarter paused", cur.Paused, 3},
		{"before rounds", prev.Rounds, 1},
		{"before groups", prev.Groups, 2},
		{"before met", prev.Met, 1},
		{"before no answer", prev.NoAnswer, 1},
		{"before first time", prev.FirstTime, 2},
		{"before teamed", prev.Teamed, 2},
		{"before cross", prev.Cross, 1},
		{"before invited", prev.Invited, 9},
		{"grid new ties", r.Grid.NewTies, 4},
		{"grid hidden (other has 4 people, under 5)", r.Grid.Hidden, 1},
		{"grid team pairs", r.Grid.TeamPairs, 1},
		{"grid tied pairs", r.Grid.TiedPairs, 1},
	} {
		if f.got != f.want {
			t.Errorf("%s = %d, want %d", f.name, f.got, f.want)
		}
	}
	if want := []string{"eng", "sales"}; !reflect.DeepEqual(r.Grid.Rows, want) {
		t.Errorf("grid rows = %v, want %v (tiny and no team are under 5 together)", r.Grid.Rows, want)
	}
	if want := [][]int{{0, 3}, {3, 0}}; !reflect.DeepEqual(r.Grid.Ties, want) {
		t.Errorf("grid ties = %v, want %v", r.Grid.Ties, want)
	}
	if want := []int{5, 5}; !reflect.DeepEqual(r.Grid.Sizes, want) {
		t.Errorf("grid sizes = %v, want %v", r.Grid.Sizes, want)
	}
}

// Ensure teams under the threshold are merged into "other", which is
// shown once it holds enough people, and never under a small team's name.
func TestConnectionReportOther(t *testing.T) {
	tests := []struct {
		minTeam int
		rows    []string
		ties    [][]int
		hidden  int
	}{
		{4, []string{"eng", "sales", "other"}, [][]int{{0, 3, 0}, {3, 0, 1}, {0, 1, 0}}, 0},
		{5, []string{"eng", "sales"}, [][]int{{0, 3}, {3, 0}}, 1},
		{6, []string{"other"}, [][]int{{4}}, 0}, // no team has six: everyone is in "other"
		{3, []string{"eng", "sales", "tiny"}, [][]int{{0, 3, 0}, {3, 0, 1}, {0, 1, 0}}, 0},
	}
	for _, tt := range tests {
		r := connectionReportOf(reportFixture(tt.minTeam))
		if !reflect.DeepEqual(r.Grid.Rows, tt.rows) || !reflect.DeepEqual(r.Grid.Ties, tt.ties) || r.Grid.Hidden != tt.hidden {
			t.Errorf("min team %d: rows %v, ties %v, hidden %d; want %v, %v, %d", tt.minTeam, r.Grid.Rows, r.Grid.Ties, r.Grid.Hidden, tt.rows, tt.ties, tt.hidden)
		}
		if tt.minTeam > 3 && strings.Contains(reportGridTable(r.Grid)+reportGridAltText(r), "tiny") {
			t.Errorf("min team %d: the team of three is named:\n%s", tt.minTeam, reportGridTable(r.Grid))
		}
	}
}

// Ensure a person in two teams shares a team with someone in either, and
// crosses with someone in neither; their new tie counts in both rows.
func TestConnectionReportTwoTeams(t *testing.T) {
	in := reportInput{
		Now: reportNow, MinTeam: 1,
		Teams: map[string][]string{"E": {"eng", "sales"}, "S": {"sales"}, "D": {"design"}, "F": {"design"}},
		Rounds: []store.Round{
			{At: daysAgo(20), Groups: []store.CoffeeGroup{reportGroup(store.AnswerYes, "E", "S"), reportGroup(store.AnswerYes, "D", "F")}},
			{At: daysAgo(10), Groups: []store.CoffeeGroup{reportGroup(store.AnswerYes, "D", "E"), reportGroup(store.AnswerNo, "F", "S")}},
		},
	}
	r := connectionReportOf(in)
	if p := r.Periods[0]; p.Teamed != 4 || p.Cross != 2 {
		t.Errorf("cross = %d of %d, want 2 of 4 (E–S and D–F share a team)", p.Cross, p.Teamed)
	}
	g := r.Grid
	if want := []string{"design", "eng", "sales"}; !reflect.DeepEqual(g.Rows, want) {
		t.Fatalf("rows = %v, want %v", g.Rows, want)
	}
	// Ties: E–S (eng and sales with sales), D–F (design), D–E (design with eng and sales).
	want := [][]int{{1, 1, 1}, {1, 0, 1}, {1, 1, 1}}
	if !reflect.DeepEqual(g.Ties, want) || g.NewTies != 3 {
		t.Errorf("ties = %v (%d new), want %v (3 new)", g.Ties, g.NewTies, want)
	}
	if g.TeamPairs != 3 || g.TiedPairs != 3 {
		t.Errorf("team pairs = %d of %d, want 3 of 3", g.TiedPairs, g.TeamPairs)
	}
}

// Ensure the random baseline is what a shuffle must give at the extremes
// (everyone in one team: never across; everyone alone in a team: always),
// and is the same on every run.
func TestConnectionReportRandomBaseline(t *testing.T) {
	people := []string{"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"}
	round := store.Round{At: daysAgo(7)}
	for i := 0; i < len(people); i += 2 {
		round.Groups = append(round.Groups, reportGroup(store.AnswerYes, people[i], people[i+1]))
	}
	one, own := map[string][]string{}, map[string][]string{}
	for _, p := range people {
		one[p] = []string{"all"}
		own[p] = []string{"team-" + p}
	}
	r := connectionReportOf(reportInput{Now: reportNow, Rounds: []store.Round{round}, Teams: one, MinTeam: 1})
	if p := r.Periods[0]; p.RandomTeamed != 4 || p.RandomCross != 0 {
		t.Errorf("one team: random %v of %v across, want 0 of 4", p.RandomCross, p.RandomTeamed)
	}
	r = connectionReportOf(reportInput{Now: reportNow, Rounds: []store.Round{round}, Teams: own, MinTeam: 1})
	if p := r.Periods[0]; p.RandomTeamed != 4 || p.RandomCross != 4 {
		t.Errorf("own teams: random %v of %v across, want 4 of 4", p.RandomCross, p.RandomTeamed)
	}
	in := reportFixture(5)
	if a, b := connectionReportOf(in), connectionReportOf(in); !reflect.DeepEqual(a, b) {
		t.Errorf("two runs differ:\n%+v\n%+v", a.Periods, b.Periods)
	}
}

// Ensure the text shows each rate with its denominator, names the
// threshold and says it names no one; and that no user ID of the fixture
// appears in the text, the table or the alt text.
func TestRenderConnectionReport(t *testing.T) {
	r := connectionReportOf(reportFixture(5))
	text, blocks := renderConnectionReport(r, reader{loc: time.UTC, now: reportNow})
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	all := text + string(raw)
	for _, want := range []string{
		"4 of 7 groups met (57%); 1 didn't say",
		"1 of 2 groups met (50%); 1 didn't say",
		"5 of 7 (71%) groups had no two people grouped before",
		"4 of 6 (67%) groups shared no team",
		"1 group with someone in no team not counted",
		"1 of 9 (11%) invitations skipped",
		"1 of 4 (25%) people left",
		"counted in 1 of 2 rounds",
		"1 of 1 team pairs have at least one",
		"fewer than 5 people",
		"1 new tie involve", // the hidden one
		"names no one",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("report lacks %q:\n%s", want, all)
		}
	}
	alt := reportGridAltText(r)
	for u := range reportFixture(5).Teams {
		if strings.Contains(all, u) || strings.Contains(alt, u) {
			t.Errorf("report names %s:\n%s\n%s", u, all, alt)
		}
	}
	if n := len([]rune(alt)); n > reportAltMax {
		t.Errorf("alt text is %d characters, want at most %d", n, reportAltMax)
	}
}

// Ensure the alt text of a big grid stays within Slack's 1,000 characters.
func TestReportAltTextCapped(t *testing.T) {
	g := teamGrid{TeamPairs: 66}
	for i := range reportMaxTeams {
		g.Rows = append(g.Rows, fmt.Sprintf("a-long-team-name-%02d", i))
		g.Sizes = append(g.Sizes, 50)
		row := make([]int, reportMaxTeams)
		for j := range row {
			row[j] = i + j + 1
		}
		g.Ties = append(g.Ties, row)
	}
	alt := reportGridAltText(connectionReport{Grid: g})
	if n := len([]rune(alt)); n > reportAltMax || !strings.HasSuffix(alt, "…") {
		t.Errorf("alt text: %d characters, ends %q; want at most %d, cut with …", n, alt[len(alt)-10:], reportAltMax)
	}
}

// Ensure the heat map is a PNG of the promised size, and small.
func TestRenderReportHeatmap(t *testing.T) {
	for _, minTeam := range []int{4, 1} {
		r := connectionReportOf(reportFixture(minTeam))
		b, err := renderReportHeatmap(r.Grid)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("min team %d: not a PNG: %v", minTeam, err)
		}
		if s := img.Bounds().Size(); s.X != reportGridPixels || s.Y != reportGridPixels {
			t.Errorf("min team %d: picture is %v, want %d×%d", minTeam, s, reportGridPixels, reportGridPixels)
		}
		if len(b) > 60_000 {
			t.Errorf("min team %d: picture is %d bytes, want under 60 KB", minTeam, len(b))
		}
		t.Logf("min team %d: %d rows, %d bytes", minTeam, len(r.Grid.Rows), len(b))
	}
}

// BenchmarkConnectionReport computes the report over a year of weekly
// rounds of 2,000 people in 40 teams (one in ten in two), every group
// answered.
func BenchmarkConnectionReport(b *testing.B) {
	const people, weeks, teams = 2000, 52, 40
	in := reportInput{Now: reportNow, MinTeam: 5, Teams: map[string][]string{}}
	ids := make([]string, people)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%05d", i)
		ts := []string{fmt.Sprintf("team-%02d", i%teams)}
		if i%10 == 0 {
			ts = append(ts, fmt.Sprintf("team-%02d", (i/10)%teams))
		}
		in.Teams[ids[i]] = ts
	}
	answers := []store.CoffeeAnswer{store.AnswerYes, store.AnswerYes, store.AnswerNo, ""}
	for w := range weeks {
		r := store.Round{At: reportNow.AddDate(0, 0, -7*(weeks-w)), Counts: store.RoundCounts{Members: people, Paused: 40, Skipped: 20, Left: 2, LeftOf: people}}
		// A different stride each week, so pairs change as pairing would.
		stride := 2*w + 1
		for stride%2 == 0 || gcd(stride, people) != 1 {
			stride++
		}
		for g := 0; g < people; g += 2 {
			a, c := ids[(g*stride)%people], ids[((g+1)*stride)%people]
			r.Groups = append(r.Groups, reportGroup(answers[(g/2+w)%len(answers)], a, c))
		}
		in.Rounds = append(in.Rounds, r)
	}
	b.ReportAllocs()
	for b.Loop() {
		connectionReportOf(in)
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
