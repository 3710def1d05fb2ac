package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
)

// Ensure a pair that answered "No" to "Did you meet?" is not put together
// again while partners they were never grouped with are there: over three
// weekly rounds of four people where nobody meets, everyone gets a new
// partner each week (the intro DM of each round names someone new).
func TestCoffeeNoMeansNewPartnerNextRound(t *testing.T) {
	people := berliners(4)
	r := startCoffeeBot(t, coffeeSetup{users: people})
	r.enrol(ids(people)...)
	grouped := map[string]int{} // pair → round
	at := monday
	for round := 1; round <= 3; round++ {
		rd := r.round(at)
		if len(rd.Groups) != 2 {
			t.Fatalf("round %d: groups %v, want two pairs", round, members(rd))
		}
		for gi, g := range rd.Groups {
			pair := strings.Join(g.Members, "+")
			if first, ok := grouped[pair]; ok {
				t.Errorf("round %d: %s together again after answering No in round %d, though new partners were free", round, pair, first)
			}
			grouped[pair] = round
			// Both get their intro in the new group DM.
			if c, _ := r.slack.Conversation(g.Channel); c.Kind != "mpim" || !slices.Equal(slices.DeleteFunc(slices.Sorted(slices.Values(c.Members)), func(u string) bool { return u == "UBOT" }), g.Members) {
				t.Errorf("round %d: group DM %s is %+v, want %v and the bot", round, g.Channel, c, g.Members)
			}
			r.click(g.Members[0], g.Channel, "coffee_checkin_no", fmt.Sprintf("%d:%d:no", rd.ID, gi))
			if _, content := r.lastResponse(); !strings.Contains(content, "it happens") {
				t.Errorf("round %d: reply to No = %q", round, content)
			}
		}
		at = at.AddDate(0, 0, 7)
	}
}

// Ensure a group has one answer, its latest, whoever gave it: in one
// group Alex says "Can't make it" and then Lucas "We met ☕" (they met);
// in another Casey says "We met ☕" and then Dana "Can't make it" (they
// did not). Each member's /coffee history, /coffee stats, the "did you
// meet?" question and the next rounds' pairing all follow that rule.
func TestCoffeeContradictoryAnswersLatestWins(t *testing.T) {
	people := berliners(4)
	r := startCoffeeBot(t, coffeeSetup{users: people, admins: []string{"UADMIN"}})
	r.enrol(ids(people)...)
	// Casey never meets Alex, so Alex's partners are the other two: the
	// third round has to choose between repeating Alex's first or second
	// pair.
	alex, casey := "UB00", "UB02"
	if got := r.coffeeCmd(casey, "never <@"+alex+">"); !strings.Contains(strings.ToLower(got), "won't") && !strings.Contains(got, "never") {
		t.Fatalf("never = %q", got)
	}

	// Round 1: Alex with Lucas, Casey with Dana.
	rd1 := r.round(monday)
	ga := rd1.Group(alex)
	gc := rd1.Group(casey)
	if ga < 0 || gc < 0 || ga == gc {
		t.Fatalf("round 1 groups %v", members(rd1))
	}
	other := func(g store.CoffeeGroup, u string) string {
		for _, m := range g.Members {
			if m != u {
				return m
			}
		}
		return ""
	}
	lucas, dana := other(rd1.Groups[ga], alex), other(rd1.Groups[gc], casey)
	valueA, valueC := fmt.Sprintf("%d:%d", rd1.ID, ga), fmt.Sprintf("%d:%d", rd1.ID, gc)
	r.click(alex, rd1.Groups[ga].Channel, "coffee_cant", valueA)
	r.click(lucas, rd1.Groups[ga].Channel, "coffee_met", valueA)
	r.click(casey, rd1.Groups[gc].Channel, "coffee_met", valueC)
	r.click(dana, rd1.Groups[gc].Channel, "coffee_cant", valueC)

	// History: everyone sees their group's latest answer.
	for _, c := range []struct{ who, want, notWant string }{
		{alex, "met ☕", "couldn't make it"},
		{lucas, "met ☕", "couldn't make it"},
		{casey, "couldn't make it", "met ☕"},
		{dana, "couldn't make it", "met ☕"},
	} {
		got := r.coffeeCmd(c.who, "history")
		if !strings.Contains(got, c.want) || strings.Contains(got, c.notWant) {
			t.Errorf("%s's /coffee history = %q, want %q and not %q", c.who, got, c.want, c.notWant)
		}
	}
	// Stats: one of the two groups met, both answered.
	if got := r.coffeeCmd("UADMIN", "stats"); !strings.Contains(got, "50% of groups (1 of 2)") || !strings.Contains(got, "of those that answered (2)") {
		t.Errorf("/coffee stats = %q, want 1 of 2 groups met", got)
	}
	// The did-you-meet question asks only the group whose answer is not "we met".
	friday := monday.AddDate(0, 0, 4)
	r.clock.Set(friday)
	r.runCoffeeTicks(monday, friday)
	if _, err := r.bot.DeliverDue(r.ctx(), friday); err != nil {
		t.Fatal(err)
	}
	if _, err := r.slack.WaitForMessage(r.ctx(), rd1.Groups[gc].Channel, func(m slacktest.Message) bool { return strings.Contains(string(m.Blocks), "coffee_checkin") }); err != nil {
		t.Errorf("Casey and Dana, whose answer is \"can't make it\", were not asked: %v", err)
	}
	if strings.Contains(fmt.Sprint(r.slack.Messages(rd1.Groups[ga].Channel)), "coffee_checkin") {
		t.Error("Alex and Lucas, whose answer is \"we met\", were asked again")
	}

	// Round 2: Alex can only be with Dana now; nobody meets.
	rd2 := r.round(monday.AddDate(0, 0, 7))
	g2 := rd2.Group(alex)
	if g2 < 0 || other(rd2.Groups[g2], alex) != dana {
		t.Fatalf("round 2 groups %v, want %s with %s", members(rd2), alex, dana)
	}
	for gi, g := range rd2.Groups {
		r.click(g.Members[0], g.Channel, "coffee_checkin_no", fmt.Sprintf("%d:%d:no", rd2.ID, gi))
	}

	// Round 3: Alex and Lucas met, so the pairs that did not meet (round
	// 2's) come first, though round 1's were grouped longer ago.
	rd3 := r.round(monday.AddDate(0, 0, 14))
	if g3 := rd3.Group(alex); g3 < 0 || other(rd3.Groups[g3], alex) != dana {
		t.Errorf("round 3 groups %v, want %s with %s again (%s and %s met)", members(rd3), alex, dana, alex, lucas)
	}
}
