package bot

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

const (
	// reportGridFile is the name of the uploaded picture of the grid.
	reportGridFile = "rapport-new-ties-by-team.png"
	// reportGridPixels is the picture's width and height: small enough to
	// upload in a blink (about 20 KB for a dozen teams), big enough to
	// read a dozen names.
	reportGridPixels = 640
	// reportAltMax is Slack's limit on a file's alt text (longer is
	// refused with alt_txt_too_large).
	reportAltMax = 1000
	// reportNameMax clips a team's name in the table and the picture.
	reportNameMax = 12
)

// reportNamesNoOne is the line every surface of the report carries.
const reportNamesNoOne = ":lock: This report names no one: it counts groups, rounds and teams, never people."

// reportRatio is "n of d (p%)".
func reportRatio(n, d int) string {
	return strconv.Itoa(n) + " of " + strconv.Itoa(d) + " (" + coffeePercent(n, d) + ")"
}

// reportShare is a float share as a percentage, "—" without a denominator.
func reportShare(n, d float64) string {
	if d <= 0 {
		return "—"
	}
	return strconv.Itoa(int(math.Round(100*n/d))) + "%"
}

// reportMeetings is the meeting rate with its denominator.
func reportMeetings(p reportPeriod) string {
	if p.Groups == 0 {
		return reportNoGroups(p)
	}
	return fmt.Sprintf("%d of %d groups met (%s); %d didn't say", p.Met, p.Groups, coffeePercent(p.Met, p.Groups), p.NoAnswer)
}

func reportFirst(p reportPeriod) string {
	if p.Groups == 0 {
		return reportNoGroups(p)
	}
	return reportRatio(p.FirstTime, p.Groups) + " groups had no two people grouped before"
}

func reportCross(p reportPeriod) string {
	if p.Groups == 0 {
		return reportNoGroups(p)
	}
	if p.Teamed == 0 {
		return "no groups where everyone has a team"
	}
	s := fmt.Sprintf("%s groups shared no team; a random shuffle of the same people would give %s", reportRatio(p.Cross, p.Teamed), reportShare(p.RandomCross, p.RandomTeamed))
	if n := p.Groups - p.Teamed; n > 0 {
		s += fmt.Sprintf(" (%s with someone in no team not counted)", kudosCount(n, "group", "groups"))
	}
	return s
}

// reportNoGroups says why a period has no groups.
func reportNoGroups(p reportPeriod) string {
	if p.Rounds == 0 {
		return "no rounds"
	}
	return "no groups"
}

func reportGuardrail(p reportPeriod) string {
	if p.Rounds == 0 {
		return "no rounds"
	}
	if p.Counted == 0 {
		return "not counted (rounds before this version kept no counts)"
	}
	left := reportRatio(p.Left, p.LeftOf) + " people left coffee chats before the next round"
	if p.LeftOf == 0 {
		left = "no round before them to leave from"
	}
	s := fmt.Sprintf("%s invitations skipped; %s; %s of members paused",
		reportRatio(p.Skipped, p.Invited), left, coffeePercent(p.Paused, p.Members))
	if p.Counted < p.Rounds {
		s += fmt.Sprintf(" (counted in %d of %d rounds)", p.Counted, p.Rounds)
	}
	return s
}

// reportPeriodName is "2 Sep – 30 Nov" for a period.
func reportPeriodName(p reportPeriod, rd reader) string {
	return localDate(p.From, rd) + " – " + localDate(p.To, rd)
}

// renderConnectionReport is the report as a DM: the figures for the last
// quarter with the quarter before in italics, the grid as a table, and
// the line that it names no one.
func renderConnectionReport(r connectionReport, rd reader) (string, []slack.Block) {
	cur, prev := r.Periods[0], r.Periods[1]
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Coffee connections — admin report", true, false)),
		kudosContext(fmt.Sprintf("Last %d weeks (%s, %s), and the %d weeks before (%s, %s).",
			reportWeeks, reportPeriodName(cur, rd), kudosCount(cur.Rounds, "round", "rounds"),
			reportWeeks, reportPeriodName(prev, rd), kudosCount(prev.Rounds, "round", "rounds"))),
	}
	text := "Coffee connections report: " + reportMeetings(cur)
	if cur.Rounds == 0 {
		blocks = append(blocks, kudosSection(fmt.Sprintf("No coffee rounds in the last %d weeks, so there is nothing to report yet.", reportWeeks)),
			kudosContext(reportNamesNoOne))
		return "Coffee connections report: no rounds in the last 13 weeks", blocks
	}
	// The quarter before is shown under each figure only when it had
	// rounds: the header already says when it had none, and "no rounds"
	// under every line says nothing new.
	line := func(title, now, before string) string {
		if prev.Rounds == 0 {
			return "*" + title + ":* " + now
		}
		return "*" + title + ":* " + now + "\n_The " + strconv.Itoa(reportWeeks) + " weeks before: " + before + "._"
	}
	lines := []string{
		line("Meetings", reportMeetings(cur), reportMeetings(prev)),
		line("First meetings", reportFirst(cur), reportFirst(prev)),
	}
	if r.HasTeams {
		lines = append(lines, line("Across teams", reportCross(cur), reportCross(prev)))
	}
	lines = append(lines, line("Skips and opt-outs", reportGuardrail(cur), reportGuardrail(prev)))
	blocks = append(blocks, coffeeListSections(lines)...)
	if !r.HasTeams {
		blocks = append(blocks, kudosSection("*Across teams:* no teams are known yet, so there is no cross-team figure and no team grid. Teams come from Slack user groups."))
	} else {
		blocks = append(blocks,
			kudosSection(reportGridHeadline(r.Grid)+"\n```\n"+reportGridTable(r.Grid)+"```"),
			kudosContext(reportGridNotes(r)),
			kudosContext(fmt.Sprintf("Random shuffle: the same people of each round in the same group sizes, %d seeded shuffles a round, so the figure is the same every time.", reportShuffles)))
	}
	blocks = append(blocks, kudosContext(reportNamesNoOne))
	return text, blocks
}

// reportGridHeadline says what the grid counts and how many team pairs
// have a new tie.
func reportGridHeadline(g teamGrid) string {
	s := fmt.Sprintf("*New ties by team, last %d weeks* (pairs grouped for the first time who met): %s in all", reportWeeks, kudosCount(g.NewTies, "new tie", "new ties"))
	if g.TeamPairs > 0 {
		s += fmt.Sprintf("; %d of %d team pairs have at least one", g.TiedPairs, g.TeamPairs)
	}
	return s + "."
}

// reportGridNotes explains "other" and the counting of people in two teams.
func reportGridNotes(r connectionReport) string {
	s := fmt.Sprintf("\"%s\" is teams with fewer than %d people in these rounds, and people with no team; a person in two teams counts in both rows.", reportOther, r.MinTeam)
	if r.Grid.Hidden > 0 {
		s += fmt.Sprintf(" %s involve people in \"%s\", which is too small to show.", kudosCount(r.Grid.Hidden, "new tie", "new ties"), reportOther)
	}
	return s
}

// reportTeamName clips a team's name for the table and the picture, and
// keeps it from ending the code block it sits in.
func reportTeamName(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	if utf8.RuneCountInString(s) > reportNameMax {
		s = string([]rune(s)[:reportNameMax-1]) + "…"
	}
	return s
}

// reportGridTable is the grid as a fixed-width table: the text fallback of
// the picture, and what screen readers read.
func reportGridTable(g teamGrid) string {
	if len(g.Rows) == 0 {
		return "(no team large enough to show)\n"
	}
	names := make([]string, len(g.Rows))
	width := 0
	for i, n := range g.Rows {
		names[i] = reportTeamName(n)
		width = max(width, utf8.RuneCountInString(names[i]))
	}
	pad := func(s string, w int, left bool) string {
		fill := strings.Repeat(" ", max(w-utf8.RuneCountInString(s), 0))
		if left {
			return s + fill
		}
		return fill + s
	}
	var sb strings.Builder
	sb.WriteString(pad("", width, true))
	for _, n := range names {
		sb.WriteString("  " + pad(n, max(utf8.RuneCountInString(n), 3), false))
	}
	sb.WriteString("\n")
	for i, n := range names {
		sb.WriteString(pad(n, width, true))
		for j, c := range names {
			sb.WriteString("  " + pad(strconv.Itoa(g.Ties[i][j]), max(utf8.RuneCountInString(c), 3), false))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// reportGridAltText describes the picture for screen readers: what it
// counts, its rows, and its cells from the most ties down, within Slack's
// 1,000 characters.
func reportGridAltText(r connectionReport) string {
	g := r.Grid
	var rows []string
	for i, n := range g.Rows {
		rows = append(rows, fmt.Sprintf("%s (%d people)", reportTeamName(n), g.Sizes[i]))
	}
	s := fmt.Sprintf("Heat map of new ties between teams over the last %d weeks (pairs grouped for the first time who met): %d in all, %d of %d team pairs with at least one. Rows and columns: %s.",
		reportWeeks, g.NewTies, g.TiedPairs, g.TeamPairs, strings.Join(rows, ", "))
	type cell struct {
		name string
		n    int
	}
	var cells []cell
	for i := range g.Rows {
		for j := i; j < len(g.Rows); j++ {
			if n := g.Ties[i][j]; n > 0 {
				name := reportTeamName(g.Rows[i]) + " with " + reportTeamName(g.Rows[j])
				if i == j {
					name = "within " + reportTeamName(g.Rows[i])
				}
				cells = append(cells, cell{name, n})
			}
		}
	}
	slices.SortStableFunc(cells, func(a, b cell) int { return cmp.Compare(b.n, a.n) })
	if len(cells) == 0 {
		return s + " No new ties yet."
	}
	s += " Ties:"
	for i, c := range cells {
		part := fmt.Sprintf(" %s %d", c.name, c.n)
		if i < len(cells)-1 {
			part += ";"
		} else {
			part += "."
		}
		if utf8.RuneCountInString(s+part) > reportAltMax-len(" …") {
			return s + " …"
		}
		s += part
	}
	return s
}

// gridXYZ shows a teamGrid to the heat map: column c, row r, first row at
// the top.
type gridXYZ struct{ g teamGrid }

func (x gridXYZ) Dims() (c, r int)   { return len(x.g.Rows), len(x.g.Rows) }
func (x gridXYZ) Z(c, r int) float64 { return float64(x.g.Ties[len(x.g.Rows)-1-r][c]) }
func (x gridXYZ) X(c int) float64    { return float64(c) }
func (x gridXYZ) Y(r int) float64    { return float64(r) }

// renderReportHeatmap draws the grid as a PNG of reportGridPixels square:
// a heat map with each cell's count written on it, team names on both
// axes.
func renderReportHeatmap(g teamGrid) ([]byte, error) {
	n := len(g.Rows)
	if n == 0 {
		return nil, fmt.Errorf("report heat map: no rows")
	}
	pal, err := brewer.GetPalette(brewer.TypeSequential, "Blues", 9)
	if err != nil {
		return nil, fmt.Errorf("report heat map: palette: %w", err)
	}
	grid := gridXYZ{g}
	hm := plotter.NewHeatMap(grid, pal)
	hm.Min = 0
	hm.Max = 1
	for _, row := range g.Ties {
		for _, v := range row {
			hm.Max = math.Max(hm.Max, float64(v))
		}
	}

	p := plot.New()
	p.Title.Text = fmt.Sprintf("New ties between teams, last %d weeks", reportWeeks)
	p.Add(hm)

	// Counts on the cells: dark text on light cells, white on dark ones.
	var xys plotter.XYs
	var labels []string
	var styles []text.Style
	face := font.From(plot.DefaultFont, vg.Points(float64(max(7, 14-n/2))))
	for r := range n {
		for c := range n {
			v := grid.Z(c, r)
			xys = append(xys, plotter.XY{X: float64(c), Y: float64(r)})
			labels = append(labels, strconv.Itoa(int(v)))
			clr := color.Color(color.Black)
			if v > hm.Max/2 {
				clr = color.White
			}
			styles = append(styles, text.Style{Font: face, Color: clr, XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler})
		}
	}
	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, fmt.Errorf("report heat map: labels: %w", err)
	}
	lbl.TextStyle = styles
	p.Add(lbl)

	var xt, yt []plot.Tick
	for i, name := range g.Rows {
		xt = append(xt, plot.Tick{Value: float64(i), Label: reportTeamName(name)})
		yt = append(yt, plot.Tick{Value: float64(n - 1 - i), Label: reportTeamName(name)})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xt), plot.ConstantTicks(yt)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	p.X.Padding, p.Y.Padding = 0, 0

	const dpi = 96
	side := vg.Length(reportGridPixels) * vg.Inch / dpi
	c := vgimg.NewWith(vgimg.UseWH(side, side), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report heat map: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// renderHomeReport is the connection report's summary on an admin's App
// Home: this quarter's figures and how to get the whole report.
func renderHomeReport(r connectionReport, rd reader) []slack.Block {
	cur := r.Periods[0]
	head := fmt.Sprintf("*Coffee connections* (admins only), last %d weeks, %s", reportWeeks, reportPeriodName(cur, rd))
	if cur.Rounds == 0 {
		return []slack.Block{
			kudosSection(head + "\nNo coffee rounds in this time yet."),
			kudosContext(reportNamesNoOne),
		}
	}
	lines := []string{
		"• Meetings: " + reportMeetings(cur),
		"• First meetings: " + reportFirst(cur),
	}
	if r.HasTeams {
		lines = append(lines, "• Across teams: "+reportCross(cur))
	}
	lines = append(lines, "• Skips and opt-outs: "+reportGuardrail(cur))
	return []slack.Block{
		kudosSection(head + "\n" + strings.Join(lines, "\n")),
		kudosContext("`/coffee report` sends you the whole report, with the quarter before and the grid of new ties between teams. " + reportNamesNoOne),
	}
}
