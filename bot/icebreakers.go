package bot

// icebreakers are the questions a coffee intro may open with. They are
// low-pressure and work-appropriate: anyone can answer them in a sentence
// without sharing anything private, and none assumes a family, a faith, a
// politics, a budget or a drink. They are plain text with no mrkdwn control
// characters, so the intro shows them as they are.
//
// Rounds remember questions by index, so add new ones at the end and never
// reorder or delete: an edit in the middle changes what "used" means.
var icebreakers = []string{
	"What's a small thing that made your week better?",
	"What's something you've learned recently, at work or outside it?",
	"If you could instantly master one skill, what would it be?",
	"What does a good workday look like for you?",
	"What's a tool, app or shortcut you couldn't work without?",
	"What's the best piece of advice you've been given about work?",
	"What are you looking forward to this month?",
	"What's a book, podcast, show or video you've enjoyed lately?",
	"What got you interested in the work you do now?",
	"What's a project you're quietly proud of?",
	"What's something people here might not know you're good at?",
	"What's your favourite way to take a break during the day?",
	"If you could spend a day shadowing another team, which would you pick?",
	"What's a hobby you've picked up, or would like to try?",
	"What's the most useful thing you've learned from a colleague?",
	"What does your workspace look like right now?",
	"Morning person, night owl, or somewhere in between?",
	"What's a small habit that makes your work easier?",
	"What's something you've changed your mind about recently?",
	"What's a comfort food you always come back to?",
	"If your week had a soundtrack, what would be on it?",
	"What's a problem you'd love to solve if you had unlimited time?",
	"What's one thing you'd like to get better at this year?",
	"What's a place, real or fictional, you'd love to visit?",
	"What's a game you enjoy — board, video, card or anything else?",
	"What's something that always makes you laugh?",
	"What did you want to be when you were younger?",
	"What's the most interesting thing you've read or watched this week?",
	"What's a skill from an earlier job or hobby that still helps you today?",
	"What's your go-to way to get unstuck on a hard problem?",
	"What's a question you wish people asked you more often?",
	"Which season do you enjoy most, and why?",
	"What's something you're curious about right now?",
	"What's a piece of work, by anyone, that impressed you lately?",
	"If you could add one thing to how our team works, what would it be?",
	"What's your favourite thing about how you work day to day?",
	"What's an app or website you've discovered recently?",
	"What's a small win you had recently?",
	"What's a topic you could happily talk about for an hour?",
	"What was the most useful conversation you had recently, and what made it good?",
	"What's something you've made or fixed that you're happy with?",
	"Coffee, tea, or something else to start the day?",
	"What's the view from your window like today?",
	"What's a team ritual, here or elsewhere, that you really liked?",
	"What's a word or phrase you find yourself using a lot lately?",
	"If you had a free afternoon tomorrow, how would you spend it?",
	"What's the best tip you'd give someone joining our team?",
	"What's a fun fact about the place you live?",
	"What's your favourite way to mark finishing something big?",
	"What's a question you're trying to answer at work these days?",
}

// pickIcebreaker chooses an icebreaker for a group: an index into
// icebreakers that is not in used, chosen by seed, so the same seed and the
// same used set always give the same question. When every question has been
// used it wraps around and chooses among all of them, since none is fresher
// than another. Indexes in used outside the list are ignored.
func pickIcebreaker(used map[int]bool, seed int64) int {
	n := len(icebreakers)
	free := make([]int, 0, n)
	for i := range n {
		if !used[i] {
			free = append(free, i)
		}
	}
	r := icebreakerMix(uint64(seed))
	if len(free) == 0 {
		return int(r % uint64(n))
	}
	return free[r%uint64(len(free))]
}

// icebreakerMix is SplitMix64: it spreads a seed over 64 bits. It is written
// out, rather than taken from math/rand, so a seed picks the same question on
// every Go version.
func icebreakerMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
