package bot

// The connection report (/coffee report, and a section of an admin's App
// Home): how coffee chats connect people, for admins, with nobody in it.
// It counts groups, rounds and teams only; a team smaller than
// CoffeeOptions.ReportMinTeam is merged into "other" so that no cell of
// the team grid stands for a handful of people. connectionReportOf is a
// pure function of the rounds, people's teams and now; coffee_report.go's
// handler gathers those and delivers what render_report.go draws.

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

const (
	// reportWeeks is the report's period, a quarter; the trend sets it
	// next to the quarter before.
	reportWeeks = 13
	// reportShuffles is how many seeded shuffles of each round give the
	// random baseline of cross-team groups.
	reportShuffles = 16
	// reportMaxTeams caps the grid's named rows: the largest teams are
	// named, the rest go to "other", so the picture and the table stay
	// readable in a DM.
	reportMaxTeams = 12
	// reportOther is the grid's row for small teams and people with no
	// team.
	reportOther = "other"
	// defaultReportMinTeam is RAPPORT_REPORT_MIN_TEAM's default.
	defaultReportMinTeam = 5
)

// reportInput is what the connection report is computed from.
type reportInput struct {
	Now     time.Time
	Rounds  []store.Round       // every round, oldest first (earlier rounds tell first meetings apart)
	Teams   map[string][]string // user ID -> their teams; absent or empty: no team
	MinTeam int                 // teams with fewer people in the quarter are merged into "other"
}

// reportPeriod is one quarter of the report. Every rate is kept as its
// numerator and denominator, so the rendering shows both.
type reportPeriod struct {
	From, To time.Time // rounds with From < At <= To
	Rounds   int

	Groups    int // groups formed
	Met       int // groups whose answer is "we met"
	NoAnswer  int // groups nobody answered for
	FirstTime int // groups where no two members had been grouped before

	// Cross-team: among groups whose members all have a team (Teamed),
	// those where no two members share one (Cross). A person in two teams
	// shares neither with someone in a third. Random* are the same counts
	// for the same people shuffled into the same group sizes, averaged
	// over reportShuffles seeded shuffles per round.
	Teamed, Cross             int
	RandomTeamed, RandomCross float64

	// The guardrail, from the rounds that carry counts (Counted of Rounds).
	Counted          int
	Invited, Skipped int // members not paused, summed over rounds; of them, skipped the round
	LeftOf, Left     int // people in the round before; of them, no longer members
	Members, Paused  int // members, summed over rounds; of them, paused (by themselves or for silence)
}

// teamGrid is the team × team count of new ties in the quarter: pairs
// grouped for the first time who met.
type teamGrid struct {
	Rows  []string // named teams by name, then reportOther if shown
	Sizes []int    // people in the quarter's groups per row
	Ties  [][]int  // symmetric; Ties[i][i] counts ties inside row i
	// NewTies counts distinct new ties; a person in two teams adds a tie
	// to each of their rows, so cells may sum to more.
	NewTies int
	// Hidden counts new ties that touch people in "other" when "other"
	// itself is under the threshold, and so is not shown.
	Hidden int
	// TeamPairs is the number of pairs of different rows; TiedPairs, of
	// them, those with at least one new tie.
	TeamPairs, TiedPairs int
}

// connectionReport is the connection report: this quarter, the quarter
// before, and the grid of this quarter's new ties.
type connectionReport struct {
	Now      time.Time
	Periods  [2]reportPeriod // [0] the last reportWeeks weeks, [1] the weeks before them
	Grid     teamGrid
	HasTeams bool // someone in this quarter's groups has a team
	MinTeam  int
}

// pairKey names two interned people, in either order.
func pairKey(a, b int) uint64 {
	return uint64(min(a, b))<<32 | uint64(max(a, b))
}

// connectionReportOf computes the report. It is pure: the same input gives
// the same report, random baseline included (each round's shuffles are
// seeded by the round's instant).
func connectionReportOf(in reportInput) connectionReport {
	minTeam := max(in.MinTeam, 1)
	span := time.Duration(reportWeeks) * 7 * 24 * time.Hour
	rep := connectionReport{Now: in.Now, MinTeam: minTeam}
	rep.Periods[0].From, rep.Periods[0].To = in.Now.Add(-span), in.Now
	rep.Periods[1].From, rep.Periods[1].To = in.Now.Add(-2*span), in.Now.Add(-span)

	// Intern people and teams: the shuffles compare small int slices.
	index := map[string]int{}
	var teamsOf [][]int32 // person -> team ids
	teamID := map[string]int32{}
	var teamNames []string
	person := func(u string) int {
		if i, ok := index[u]; ok {
			return i
		}
		i := len(teamsOf)
		index[u] = i
		var ts []int32
		for _, t := range in.Teams[u] {
			id, ok := teamID[t]
			if !ok {
				id = int32(len(teamNames))
				teamID[t] = id
				teamNames = append(teamNames, t)
			}
			if !slices.Contains(ts, id) {
				ts = append(ts, id)
			}
		}
		teamsOf = append(teamsOf, ts)
		return i
	}
	// classify says whether everyone in a group has a team (teamed), and
	// whether no two of them share one (cross).
	classify := func(members []int) (teamed, cross bool) {
		shared := false
		for i, a := range members {
			if len(teamsOf[a]) == 0 {
				return false, false
			}
			for _, b := range members[i+1:] {
				if !shared && slices.ContainsFunc(teamsOf[a], func(t int32) bool { return slices.Contains(teamsOf[b], t) }) {
					shared = true
				}
			}
		}
		return true, !shared
	}

	grouped := map[uint64]bool{} // pairs grouped in any round so far
	var ties [][2]int            // this quarter's new ties
	inQuarter := map[int]bool{}  // people grouped in this quarter
	var members []int
	for _, r := range in.Rounds {
		p := -1
		for i := range rep.Periods {
			if r.At.After(rep.Periods[i].From) && !r.At.After(rep.Periods[i].To) {
				p = i
			}
		}
		var per *reportPeriod
		if p >= 0 {
			per = &rep.Periods[p]
			per.Rounds++
			if c := r.Counts; c.Counted() {
				per.Counted++
				per.Members += c.Members
				per.Paused += c.Paused + c.Silenced
				per.Invited += max(c.Members-c.Paused-c.Silenced, 0)
				per.Skipped += c.Skipped
				per.LeftOf += c.LeftOf
				per.Left += c.Left
			}
		}
		members = members[:0]
		var sizes []int
		for _, g := range r.Groups {
			ids := make([]int, len(g.Members))
			for i, u := range g.Members {
				ids[i] = person(u)
			}
			first := true
			for i, a := range ids {
				for _, b := range ids[i+1:] {
					if grouped[pairKey(a, b)] {
						first = false
					}
				}
			}
			met := g.Outcome() == store.AnswerYes
			if per != nil {
				per.Groups++
				if met {
					per.Met++
				}
				if g.Outcome() == "" {
					per.NoAnswer++
				}
				if first {
					per.FirstTime++
				}
				if teamed, cross := classify(ids); teamed {
					per.Teamed++
					if cross {
						per.Cross++
					}
				}
				members = append(members, ids...)
				sizes = append(sizes, len(ids))
			}
			for i, a := range ids {
				if p == 0 {
					inQuarter[a] = true
				}
				for _, b := range ids[i+1:] {
					k := pairKey(a, b)
					if p == 0 && met && !grouped[k] {
						ties = append(ties, [2]int{a, b})
					}
					grouped[k] = true
				}
			}
		}
		if per != nil && len(members) > 1 {
			// The same people, shuffled into the same group sizes.
			rng := rand.New(rand.NewPCG(uint64(r.At.Unix()), uint64(len(members))))
			var teamed, cross int
			for range reportShuffles {
				rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
				off := 0
				for _, n := range sizes {
					if t, c := classify(members[off : off+n]); t {
						teamed++
						if c {
							cross++
						}
					}
					off += n
				}
			}
			per.RandomTeamed += float64(teamed) / reportShuffles
			per.RandomCross += float64(cross) / reportShuffles
		}
	}
	rep.Grid, rep.HasTeams = gridOf(ties, inQuarter, teamsOf, teamNames, minTeam)
	return rep
}

// gridOf builds the team grid from the quarter's new ties. A team is
// named when at least minTeam of the quarter's grouped people are in it
// (the reportMaxTeams largest at most); everyone else, and people with no
// team, are in "other", which is shown only when it too holds minTeam
// people.
func gridOf(ties [][2]int, people map[int]bool, teamsOf [][]int32, teamNames []string, minTeam int) (teamGrid, bool) {
	size := make([]int, len(teamNames))
	hasTeams := false
	for u := range people {
		for _, t := range teamsOf[u] {
			size[t]++
			hasTeams = true
		}
	}
	var named []int32
	for t, n := range size {
		if n >= minTeam {
			named = append(named, int32(t))
		}
	}
	slices.SortFunc(named, func(a, b int32) int {
		return cmp.Or(cmp.Compare(size[b], size[a]), cmp.Compare(teamNames[a], teamNames[b]))
	})
	if len(named) > reportMaxTeams {
		named = named[:reportMaxTeams]
	}
	slices.SortFunc(named, func(a, b int32) int { return cmp.Compare(teamNames[a], teamNames[b]) })
	row := map[int32]int{}
	var g teamGrid
	for i, t := range named {
		row[t] = i
		g.Rows = append(g.Rows, teamNames[t])
	}
	other := len(named)
	rowsOf := func(u int) []int {
		var out []int
		for _, t := range teamsOf[u] {
			r, ok := row[t]
			if !ok {
				r = other
			}
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
		if len(out) == 0 {
			out = []int{other}
		}
		return out
	}
	g.Sizes = make([]int, other+1)
	for u := range people {
		for _, r := range rowsOf(u) {
			g.Sizes[r]++
		}
	}
	showOther := g.Sizes[other] >= minTeam
	n := other
	if showOther {
		g.Rows = append(g.Rows, reportOther)
		n++
	} else {
		g.Sizes = g.Sizes[:other]
	}
	g.Ties = make([][]int, n)
	for i := range g.Ties {
		g.Ties[i] = make([]int, n)
	}
	for _, tie := range ties {
		g.NewTies++
		hidden := false
		for _, a := range rowsOf(tie[0]) {
			for _, b := range rowsOf(tie[1]) {
				if a >= n || b >= n {
					hidden = true
					continue
				}
				g.Ties[a][b]++
				if a != b {
					g.Ties[b][a]++
				}
			}
		}
		if hidden {
			g.Hidden++
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			g.TeamPairs++
			if g.Ties[i][j] > 0 {
				g.TiedPairs++
			}
		}
	}
	return g, hasTeams
}

// connectionReportNow gathers the report's input from the store: every
// round, and the teams of everyone in the last two quarters' groups.
func (b *Bot) connectionReportNow() (connectionReport, error) {
	now := b.opts.Now()
	rounds, err := b.store.Rounds()
	if err != nil {
		return connectionReport{}, fmt.Errorf("connection report: %w", err)
	}
	since := now.Add(-2 * time.Duration(reportWeeks) * 7 * 24 * time.Hour)
	teams := map[string][]string{}
	for _, r := range rounds {
		if !r.At.After(since) {
			continue
		}
		for _, g := range r.Groups {
			for _, u := range g.Members {
				if _, ok := teams[u]; ok {
					continue
				}
				p, err := b.store.Person(u)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return connectionReport{}, fmt.Errorf("connection report: teams of %s: %w", u, err)
				}
				teams[u] = p.Teams
			}
		}
	}
	return connectionReportOf(reportInput{Now: now, Rounds: rounds, Teams: teams, MinTeam: b.opts.Coffee.ReportMinTeam}), nil
}

// coffeeReport answers /coffee report (admins only): the report goes to
// the admin's DM with Rapport, the text (with the grid as a table) first,
// then the grid as a picture, since a file cannot be ephemeral. If the
// picture cannot be uploaded, the admin is told so in one line; the table
// above has the same numbers.
func (b *Bot) coffeeReport(ctx context.Context, cmd slashCommand) error {
	if err := b.requireAdmin(ctx, cmd.user, "see the connection report"); err != nil {
		return err
	}
	rep, err := b.connectionReportNow()
	if err != nil {
		return err
	}
	dm, err := b.openDM(ctx, cmd.user)
	if err != nil {
		return err
	}
	rd := b.readerOf(ctx, cmd.user)
	text, blocks := renderConnectionReport(rep, rd)
	if _, err := b.send.post(ctx, message{Channel: dm, Text: text, Blocks: blocks}); err != nil {
		return err
	}
	if rep.HasTeams && len(rep.Grid.Rows) > 0 {
		if err := b.uploadReportGrid(ctx, dm, rep); err != nil {
			b.log.Warn("connection report: grid picture not uploaded", "user", cmd.user, "err", err)
			if _, perr := b.send.post(ctx, message{Channel: dm, Text: reportNoPictureText}); perr != nil {
				return errors.Join(err, perr)
			}
		}
	}
	return b.answerText(ctx, cmd.origin, "I've sent you the connection report in our DM.")
}

// reportNoPictureText is the one line an admin gets when the grid's
// picture could not be uploaded.
const reportNoPictureText = "I couldn't upload the picture of the team grid, so the table above is the whole report (it has the same numbers)."

// uploadReportGrid draws the grid and uploads it to channel with its alt
// text.
func (b *Bot) uploadReportGrid(ctx context.Context, channel string, rep connectionReport) error {
	png, err := renderReportHeatmap(rep.Grid)
	if err != nil {
		return err
	}
	return b.send.call(ctx, "files.uploadV2", func(ctx context.Context) error {
		_, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(png), FileSize: len(png),
			Filename: reportGridFile, Title: "New ties between teams", Channel: channel,
			AltTxt: reportGridAltText(rep),
		})
		return err
	})
}
