package bot_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// reportRig is a coffee bot with 15 people in teams: eng (UB00–UB05) and
// sales (UB06–UB11) of six, and "skunkworks" (UB12–UB14) of three, under
// the report's default threshold of five. Two weekly rounds have run;
// between them UB01 left coffee chats and UB02 chose to skip the second.
// Every group of the first round met.
func reportRig(t *testing.T) *coffeeRig {
	t.Helper()
	people := berliners(15)
	r := startCoffeeBot(t, coffeeSetup{users: people, admins: []string{"UB00"}})
	r.enrol(ids(people)...)
	for i, u := range ids(people) {
		team := []string{"eng", "sales", "skunkworks"}[min(i/6, 2)]
		if _, err := r.db.UpdatePerson(u, func(p *store.Person) { p.Teams = []string{team} }, store.Effects{}); err != nil {
			t.Fatal(err)
		}
	}
	first := r.round(monday)
	for gi := range first.Groups {
		if _, err := r.db.UpdateRoundGroup(first.ID, gi, func(g *store.CoffeeGroup) error {
			g.SetAnswer(g.Members[0], store.AnswerYes)
			return nil
		}, nil); err != nil {
			t.Fatal(err)
		}
	}
	second := monday.AddDate(0, 0, 7)
	r.coffeeCmd("UB01", "leave")
	if _, _, err := r.db.UpdateCoffeeMember("UB02", func(m *store.CoffeeMember) error { m.SkipAt = second; return nil }, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	r.round(second)
	r.clock.Set(second.AddDate(0, 0, 3))
	return r
}

// reportDMs returns what the admin's DM holds, as text.
func reportDMs(r *coffeeRig, user string) string {
	var sb strings.Builder
	for _, m := range r.slack.Messages(r.slack.DMChannel(user)) {
		sb.WriteString(body(m) + "\n")
	}
	return sb.String()
}

// assertNamesNoOne fails if any participant's ID or name is in text.
func assertNamesNoOne(t *testing.T, where, text string) {
	t.Helper()
	for _, u := range berliners(15) {
		if strings.Contains(text, u.ID) || strings.Contains(text, u.Name) {
			t.Errorf("%s names %s (%s):\n%s", where, u.ID, u.Name, text)
		}
	}
}

// Ensure an admin's /coffee report sends the report to their DM: the
// figures with their denominators and the grid as a table, then the grid
// as a PNG with alt text; the team of three is never named, and nobody is.
func TestCoffeeReportAdmin(t *testing.T) {
	r := reportRig(t)
	r.command("UADMIN", "/coffee", "report")
	if _, content := r.lastResponse(); !strings.Contains(content, "sent you the connection report") {
		t.Errorf("reply = %q", content)
	}
	dm := r.waitDM("UADMIN", "Coffee connections")
	text := reportDMs(r, "UADMIN")
	for _, want := range []string{
		"groups met", "didn't say",
		"groups had no two people grouped before",
		"1 of 15 (7%) people left coffee chats", // UB01, of the 15 in the first round
		"1 of 29 (3%) invitations skipped",      // UB02, of 15 + 14 members
		"New ties by team",
		"eng", "sales", "other",
		"names no one",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report DM lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "skunkworks") {
		t.Errorf("the team of three is named:\n%s", text)
	}
	assertNamesNoOne(t, "the report DM", text)

	files := r.slack.Files()
	if len(files) != 1 {
		t.Fatalf("files = %d, want the grid's picture", len(files))
	}
	f := files[0]
	if f.Channel != dm.Channel || !f.Completed || !strings.HasSuffix(f.Name, ".png") {
		t.Errorf("file %s in %s (completed %v), want a PNG shared in the admin's DM %s", f.Name, f.Channel, f.Completed, dm.Channel)
	}
	img, err := png.Decode(bytes.NewReader(f.Content))
	if err != nil {
		t.Fatalf("the picture is not a PNG: %v", err)
	}
	if s := img.Bounds().Size(); s.X != 640 || s.Y != 640 {
		t.Errorf("picture is %v, want 640×640", s)
	}
	t.Logf("picture: %d bytes", len(f.Content))
	if !strings.Contains(f.AltText, "Heat map of new ties between teams") || !strings.Contains(f.AltText, "eng") {
		t.Errorf("alt text = %q, want a description of the grid", f.AltText)
	}
	if strings.Contains(f.AltText, "skunkworks") {
		t.Errorf("alt text names the team of three: %q", f.AltText)
	}
	assertNamesNoOne(t, "the alt text", f.AltText)
	assertNamesNoOne(t, "the file title", f.Title)
}

// Ensure that when Slack refuses the upload, the admin still has the text
// table, and one line saying the picture could not be uploaded.
func TestCoffeeReportUploadRefused(t *testing.T) {
	r := reportRig(t)
	r.slack.InjectFaults("files.getUploadURLExternal", slacktest.Fault{Error: "file_uploads_disabled"})
	r.command("UADMIN", "/coffee", "report")
	r.waitDM("UADMIN", "couldn't upload the picture")
	text := reportDMs(r, "UADMIN")
	if !strings.Contains(text, "New ties by team") || !strings.Contains(text, "```") {
		t.Errorf("no text table in the DM:\n%s", text)
	}
	if n := strings.Count(text, "couldn't upload the picture"); n != 1 {
		t.Errorf("the upload failure is said %d times, want once:\n%s", n, text)
	}
	if f := r.slack.Files(); len(f) != 0 {
		t.Errorf("files = %+v, want none", f)
	}
}

// Ensure a non-admin is refused privately and nothing is posted or
// uploaded.
func TestCoffeeReportAdminsOnly(t *testing.T) {
	r := reportRig(t)
	before := len(r.slack.CallsTo("chat.postMessage"))
	r.command("UB03", "/coffee", "report")
	rt, content := r.lastResponse()
	if !strings.Contains(content, "Only Rapport admins") || rt == "in_channel" {
		t.Errorf("non-admin /coffee report = %s %q, want an ephemeral refusal", rt, content)
	}
	if n := len(r.slack.CallsTo("chat.postMessage")); n != before {
		t.Errorf("%d messages posted for a refused report", n-before)
	}
	if f := r.slack.Files(); len(f) != 0 {
		t.Errorf("files = %+v, want none", f)
	}
	if n := len(r.slack.CallsTo("files.getUploadURLExternal")); n != 0 {
		t.Errorf("%d uploads started for a refused report", n)
	}
	// A RAPPORT_ADMINS member gets it.
	r.command("UB00", "/coffee", "report")
	r.waitDM("UB00", "Coffee connections")
}

// Ensure the connection report's section is on an admin's Home and on
// nobody else's, and names no one.
func TestCoffeeReportOnAdminHome(t *testing.T) {
	r := reportRig(t)
	home := func(user string) string {
		t.Helper()
		r.event(slacktest.EventOptions{Event: map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"}})
		v := r.slack.HomeView(user)
		if v == nil {
			t.Fatalf("no Home published for %s", user)
		}
		return readable(string(v))
	}
	admin := home("UADMIN")
	if !strings.Contains(admin, "Coffee connections") || !strings.Contains(admin, "groups met") || !strings.Contains(admin, "/coffee report") {
		t.Errorf("admin's Home lacks the connection report:\n%s", admin)
	}
	assertNamesNoOne(t, "the admin's Home", admin)
	if other := home("UB03"); strings.Contains(other, "Coffee connections") {
		t.Errorf("a non-admin's Home shows the connection report:\n%s", other)
	}
}
