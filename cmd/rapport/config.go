package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-bot/rapport/bot/pairing"
	"github.com/rapport-bot/rapport/scheduler"
	"github.com/rapport-bot/rapport/store"
)

// Config is the whole configuration of the bot, parsed and validated. Its
// contract (variables, defaults, meaning) is docs/configuration.md, which a
// test keeps equal to the settings below; every variable also has a flag of
// the same meaning, and flags win.
type Config struct {
	BotToken string
	AppToken string
	APIURL   string
	DB       string
	Location *time.Location

	// SlackTimeout is RAPPORT_SLACK_TIMEOUT: one Web API call's limit.
	SlackTimeout time.Duration
	// LeaderTTL is RAPPORT_LEADER_TTL: the leader's session lease.
	LeaderTTL time.Duration
	// Store is RAPPORT_STORE; zero means the bbolt file DB.
	Store                         store.Location
	EtcdCACert, EtcdCert, EtcdKey string
	EtcdUser, EtcdPassword        string
	Admins                        []string

	CoffeeChannel        string
	CoffeeSchedule       string
	CoffeeEvery          string // weekly, biweekly, monthly
	CoffeeGroupSize      int
	ReportMinTeam        int // fewest people a team needs to be named in the connection report
	CoffeeDidYouMeetDays int
	CoffeeHeadsUp        time.Duration
	CoffeeSilent         int // rounds without an answer before someone is asked, then paused; 0: never
	CoffeeMinOverlap     time.Duration
	BuddyChannel         string // RAPPORT_BUDDY_CHANNEL: volunteers to be a newcomer's first coffee chat
	CelebrationsChannel  string // RAPPORT_CELEBRATIONS_CHANNEL: public birthdays and work anniversaries
	NewcomerDays         int    // RAPPORT_NEWCOMER_DAYS; 0: nobody is a newcomer
	CoffeeCrossTeam      pairing.CrossTeam

	// Teams is RAPPORT_TEAMS: user groups by handle or ID; TeamField is
	// RAPPORT_TEAM_FIELD: a profile field by label or ID. At most one.
	Teams     []string
	TeamField string

	Tick            string
	FollowupSnoozes []string

	WorkStart time.Duration // since local midnight
	WorkEnd   time.Duration
	WorkDays  []time.Weekday

	KudosChannel        string
	KudosDailyLimit     int
	KudosValues         []string
	KudosRequireValue   bool
	KudosDigestSchedule string
	KudosEmoji          string // reaction that starts a kudos, without colons; "" off

	StayInTouchDays int

	HTTPAddr  string
	HTTPToken string
	LogLevel  string
}

// usageError is a bad configuration or command line. main turns it into
// exit code 2, after printing its one line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// setting is one row of the configuration table.
type setting struct {
	env, flag, def, help string
	// parse validates the raw value and stores it in c; its error says
	// what is wrong in a few words, and parseConfig names the variable.
	parse func(c *Config, v string) error
}

var (
	userIDPattern    = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	channelIDPattern = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	valuePattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	groupIDPattern   = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	// handlePattern is a user group's handle, with or without "@": Slack
	// handles are lower-case letters, digits, "-", "_" and ".".
	handlePattern = regexp.MustCompile(`^@?[a-z0-9][a-z0-9._-]{0,79}$`)
)

// slackSettings are needed only by the bot itself, not by export or import.
var slackSettings = []setting{
	{"SLACK_BOT_TOKEN", "bot-token", "", "bot token, xoxb-… (required)", func(c *Config, v string) error {
		return token(&c.BotToken, v, "xoxb-")
	}},
	{"SLACK_APP_TOKEN", "app-token", "", "app-level token with connections:write, xapp-… (required)", func(c *Config, v string) error {
		return token(&c.AppToken, v, "xapp-")
	}},
	{"RAPPORT_SLACK_TIMEOUT", "slack-timeout", "30s", "how long one Web API call may take before it is given up (2s to 5m)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 2*time.Second || d > 5*time.Minute {
			return errors.New("must be a duration from 2s to 5m, such as 30s")
		}
		c.SlackTimeout = d
		return nil
	}},
	{"SLACK_API_URL", "api-url", "https://slack.com/api/", "Web API base URL", func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("must be an http(s) URL such as https://slack.com/api/")
		}
		// slack-go builds URLs as base+method, so the slash is required.
		c.APIURL = strings.TrimSuffix(v, "/") + "/"
		return nil
	}},
}

var storeSettings = []setting{
	{"RAPPORT_DB", "db", "rapport.db", "the bbolt database file", func(c *Config, v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("must name a file")
		}
		c.DB = v
		return nil
	}},
	{"RAPPORT_STORE", "store", "", "where the data lives: bolt:///path/rapport.db, or etcd://host:2379[,host:2379…]/prefix; empty: the bbolt file RAPPORT_DB", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		loc, err := store.ParseLocation(v)
		if err != nil {
			return err
		}
		c.Store = loc
		return nil
	}},
	{"RAPPORT_LEADER_TTL", "leader-ttl", "10s", "etcd: how long a leader that stopped answering keeps leading before another replica takes over (whole seconds, 2s to 60s)", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 2*time.Second || d > time.Minute || d%time.Second != 0 {
			return errors.New("must be whole seconds from 2s to 60s, such as 10s")
		}
		c.LeaderTTL = d
		return nil
	}},
	{"RAPPORT_ETCD_CACERT", "etcd-cacert", "", "etcd: the CA certificate (PEM file) that signed the members' certificates; turns TLS on", func(c *Config, v string) error {
		return readableFile(&c.EtcdCACert, v)
	}},
	{"RAPPORT_ETCD_CERT", "etcd-cert", "", "etcd: this client's certificate (PEM file), with RAPPORT_ETCD_KEY; turns TLS on", func(c *Config, v string) error {
		return readableFile(&c.EtcdCert, v)
	}},
	{"RAPPORT_ETCD_KEY", "etcd-key", "", "etcd: this client's private key (PEM file)", func(c *Config, v string) error {
		return readableFile(&c.EtcdKey, v)
	}},
	{"RAPPORT_ETCD_USER", "etcd-user", "", "etcd: username[:password] for etcd's authentication", func(c *Config, v string) error {
		c.EtcdUser = v
		return nil
	}},
	{"RAPPORT_ETCD_PASSWORD", "etcd-password", "", "etcd: the password, when RAPPORT_ETCD_USER has none", func(c *Config, v string) error {
		c.EtcdPassword = v
		return nil
	}},
	{"RAPPORT_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", func(c *Config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return errors.New("must be debug, info, warn or error")
	}},
}

var botSettings = []setting{
	{"RAPPORT_TZ", "tz", "UTC", "zone of the schedules (IANA name)", func(c *Config, v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil || v == "" || v == "Local" {
			return errors.New("must be an IANA time zone such as Europe/Berlin or UTC")
		}
		c.Location = loc
		return nil
	}},
	{"RAPPORT_ADMINS", "admins", "", "comma-separated user IDs with admin rights", func(c *Config, v string) error {
		ids, err := list(v, userIDPattern, "user IDs such as U012ABCDEF")
		c.Admins = ids
		return err
	}},
	{"RAPPORT_COFFEE_CHANNEL", "coffee-channel", "", "channel whose members join coffee automatically", func(c *Config, v string) error {
		return channelID(&c.CoffeeChannel, v)
	}},
	{"RAPPORT_COFFEE_SCHEDULE", "coffee-schedule", "0 10 * * MON", "when a coffee round may start (cron)", func(c *Config, v string) error {
		return cronSpec(&c.CoffeeSchedule, v)
	}},
	{"RAPPORT_COFFEE_EVERY", "coffee-every", "weekly", "weekly, biweekly or monthly", func(c *Config, v string) error {
		switch v {
		case "weekly", "biweekly", "monthly":
			c.CoffeeEvery = v
			return nil
		}
		return errors.New("must be weekly, biweekly or monthly")
	}},
	{"RAPPORT_COFFEE_GROUP_SIZE", "coffee-group-size", "2", "people per coffee group (2-4)", func(c *Config, v string) error {
		return intIn(&c.CoffeeGroupSize, v, 2, 4)
	}},
	{"RAPPORT_COFFEE_CHECKIN_DAYS", "coffee-checkin-days", "4", "days after a round to ask \"did you meet?\"", func(c *Config, v string) error {
		return intIn(&c.CoffeeDidYouMeetDays, v, 1, 28)
	}},
	{"RAPPORT_COFFEE_HEADS_UP_HOURS", "coffee-heads-up-hours", "24", "hours before a round to send a heads-up (0: off)", func(c *Config, v string) error {
		var h int
		err := intIn(&h, v, 0, 168)
		c.CoffeeHeadsUp = time.Duration(h) * time.Hour
		return err
	}},
	{"RAPPORT_COFFEE_SILENT_ROUNDS", "coffee-silent-rounds", "3", "rounds in a row without an answer to \"did you meet?\" before someone is asked \"still up?\" and, still silent, paused (0: never)", func(c *Config, v string) error {
		return intIn(&c.CoffeeSilent, v, 0, 52)
	}},
	{"RAPPORT_COFFEE_MIN_OVERLAP", "coffee-min-overlap", "1h", "least shared working time for a group", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 12*time.Hour {
			return errors.New("must be a duration between 0 and 12h, such as 1h or 90m")
		}
		c.CoffeeMinOverlap = d
		return nil
	}},
	{"RAPPORT_COFFEE_CROSS_TEAM", "coffee-cross-team", "prefer", "prefer: pair people across teams when it costs no repeat; ignore: pair as if nobody had a team", func(c *Config, v string) error {
		switch v {
		case "prefer":
			c.CoffeeCrossTeam = pairing.CrossTeamPrefer
			return nil
		case "ignore":
			c.CoffeeCrossTeam = pairing.CrossTeamIgnore
			return nil
		}
		return errors.New("must be prefer or ignore")
	}},
	{"RAPPORT_TEAMS", "teams", "", "Slack user groups that are teams, comma-separated, by handle (design or @design) or ID (S0123ABC)", func(c *Config, v string) error {
		var groups []string
		for _, g := range strings.Split(v, ",") {
			g = strings.TrimSpace(g)
			if !groupIDPattern.MatchString(g) {
				g = strings.ToLower(g) // handles are lower-case; IDs are not
			}
			switch {
			case g == "":
			case !groupIDPattern.MatchString(g) && !handlePattern.MatchString(g):
				return fmt.Errorf("%q is not valid: use comma-separated user group handles such as design,@platform or IDs such as S0123ABC", g)
			case !slices.Contains(groups, g):
				groups = append(groups, g)
			}
		}
		c.Teams = groups
		return nil
	}},
	{"RAPPORT_TEAM_FIELD", "team-field", "", "a custom profile field whose value is the person's team, by label (Team) or ID (Xf0123ABC)", func(c *Config, v string) error {
		if len(v) > 100 || strings.ContainsAny(v, ",\n") {
			return errors.New("must be one profile field's label, such as Team, or its ID, such as Xf0123ABC")
		}
		c.TeamField = v
		return nil
	}},
	{"RAPPORT_REPORT_MIN_TEAM", "report-min-team", "5", "fewest people a team needs in a quarter's coffee rounds to be named in the admins' connection report; smaller teams are merged into \"other\"", func(c *Config, v string) error {
		return intIn(&c.ReportMinTeam, v, 1, 1000)
	}},
	{"RAPPORT_NEWCOMER_DAYS", "newcomer-days", "90", "days after joining the workspace or the coffee channel that someone is a newcomer: welcomed once, never left to sit out, paired across teams first (0: off)", func(c *Config, v string) error {
		return intIn(&c.NewcomerDays, v, 0, 3650)
	}},
	{"RAPPORT_BUDDY_CHANNEL", "buddy-channel", "", "channel whose members volunteer as buddies: a newcomer's first coffee chat is with one of them", func(c *Config, v string) error {
		return channelID(&c.BuddyChannel, v)
	}},
	{"RAPPORT_CELEBRATIONS_CHANNEL", "celebrations-channel", "", "channel where the birthdays and work anniversaries of people who chose public are posted (empty: private wishes only)", func(c *Config, v string) error {
		return channelID(&c.CelebrationsChannel, v)
	}},
	{"RAPPORT_TICK", "tick", "@every 1m", "how often due reminders and nudges are looked for (cron)", func(c *Config, v string) error {
		return cronSpec(&c.Tick, v)
	}},
	{"RAPPORT_FOLLOWUP_SNOOZES", "followup-snoozes", "1h,tomorrow,monday", "snooze choices on reminders", func(c *Config, v string) error {
		var out []string
		for _, s := range strings.Split(v, ",") {
			s = strings.ToLower(strings.TrimSpace(s))
			if !validSnooze(s) {
				return fmt.Errorf("%q is not a snooze: use durations (1h, 30m, 2d), tomorrow, next-week or a weekday (monday)", s)
			}
			out = append(out, s)
		}
		if len(out) > 5 {
			return errors.New("at most 5 choices fit on a reminder")
		}
		c.FollowupSnoozes = out
		return nil
	}},
	{"RAPPORT_WORK_HOURS", "work-hours", "09:00-18:00", "default working hours in each person's zone", func(c *Config, v string) error {
		start, end, err := parseHours(v)
		c.WorkStart, c.WorkEnd = start, end
		return err
	}},
	{"RAPPORT_WORK_DAYS", "work-days", "Mon-Fri", "default working days", func(c *Config, v string) error {
		days, err := parseDays(v)
		c.WorkDays = days
		return err
	}},
	{"RAPPORT_KUDOS_CHANNEL", "kudos-channel", "", "a channel where every kudos is also shared", func(c *Config, v string) error {
		return channelID(&c.KudosChannel, v)
	}},
	{"RAPPORT_KUDOS_DAILY_LIMIT", "kudos-daily-limit", "5", "kudos one person may give per day (0: no limit)", func(c *Config, v string) error {
		return intIn(&c.KudosDailyLimit, v, 0, 1000)
	}},
	{"RAPPORT_KUDOS_VALUES", "kudos-values", "", "allowed #values, comma-separated; empty: any", func(c *Config, v string) error {
		vals, err := list(strings.ToLower(strings.ReplaceAll(v, "#", "")), valuePattern, "words such as teamwork,ownership")
		c.KudosValues = vals
		return err
	}},
	{"RAPPORT_KUDOS_REQUIRE_VALUE", "kudos-require-value", "false", "a kudos must carry at least one value", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		c.KudosRequireValue = b
		return nil
	}},
	{"RAPPORT_KUDOS_EMOJI", "kudos-emoji", "trophy", "reacting with this emoji to someone's message starts a kudos for them (off: never)", func(c *Config, v string) error {
		return emojiName(&c.KudosEmoji, v)
	}},
	{"RAPPORT_KUDOS_DIGEST_SCHEDULE", "kudos-digest-schedule", "0 16 * * FRI", "weekly celebration post (cron)", func(c *Config, v string) error {
		return cronSpec(&c.KudosDigestSchedule, v)
	}},
	{"RAPPORT_STAY_IN_TOUCH_DAYS", "stay-in-touch-days", "42", "days without contact before suggesting a check-in", func(c *Config, v string) error {
		return intIn(&c.StayInTouchDays, v, 1, 3650)
	}},
}

// opsSettings configure the ops listener; backup and export use them to
// reach a running bot.
var opsSettings = []setting{
	{"RAPPORT_HTTP_ADDR", "http-addr", "", "ops listener address, e.g. 127.0.0.1:9090 (empty: off)", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			return errors.New("must be host:port, such as 127.0.0.1:9090")
		}
		c.HTTPAddr = v
		return nil
	}},
	{"RAPPORT_HTTP_TOKEN", "http-token", "", "bearer token for /backup; required off loopback", func(c *Config, v string) error {
		if v != "" && len(v) < 16 {
			return errors.New("must be at least 16 characters")
		}
		c.HTTPToken = v
		return nil
	}},
}

// parseConfig reads the settings of one subcommand from the flags in args
// over the environment in getenv. It returns the remaining arguments, and a
// *usageError naming the variable (and its flag) of the first bad value.
// flag.ErrHelp is returned as is after printing usage to out.
func parseConfig(name string, settings []setting, args []string, getenv func(string) string, out io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	fs := flag.NewFlagSet("rapport "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	raw := make([]*string, len(settings))
	for i, s := range settings {
		def := s.def
		if v, ok := lookup(getenv, s.env); ok {
			def = v
		}
		raw[i] = fs.String(s.flag, def, fmt.Sprintf("%s (env %s)", s.help, s.env))
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage of rapport %s:\n", name)
		fs.PrintDefaults()
	}
	if extra != nil {
		extra(fs) // may replace Usage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, nil, err
		}
		return Config{}, nil, usagef("rapport %s: %v", name, err)
	}
	var c Config
	for i, s := range settings {
		if err := s.parse(&c, strings.TrimSpace(*raw[i])); err != nil {
			return Config{}, nil, usagef("%s (-%s): %v", s.env, s.flag, err)
		}
	}
	return c, fs.Args(), nil
}

// lookup treats an empty variable as unset, as shells and compose files
// often export empty values.
func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

func token(dst *string, v, prefix string) error {
	switch {
	case v == "":
		return fmt.Errorf("is required (a %s… token from the Slack app's settings)", prefix)
	case !strings.HasPrefix(v, prefix):
		return fmt.Errorf("must start with %s", prefix)
	case strings.ContainsAny(v, " \t\r\n") || len(v) < len(prefix)+8:
		return errors.New("is not a whole token (check for a copy-paste error)")
	}
	*dst = v
	return nil
}

func channelID(dst *string, v string) error {
	if v == "" {
		return nil
	}
	if !channelIDPattern.MatchString(v) {
		return errors.New("must be a channel ID such as C012ABCDEF (not a #name)")
	}
	*dst = v
	return nil
}

// emojiPattern is an emoji's name as Slack writes it in reactions:
// lower-case letters, digits and _ - + ' (custom emoji follow the same
// rule).
var emojiPattern = regexp.MustCompile(`^[a-z0-9_+'-]{1,100}$`)

// emojiName reads an emoji as people write it, ":trophy:" or "trophy";
// "off" turns the feature off. A skin tone is not part of the name: a
// reaction in any tone counts.
func emojiName(dst *string, v string) error {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") {
		*dst = ""
		return nil
	}
	name := strings.TrimSuffix(strings.TrimPrefix(v, ":"), ":")
	if strings.Contains(name, "::") || !emojiPattern.MatchString(name) {
		return errors.New("must be an emoji name such as trophy or :trophy: (lower case, no skin tone), or off")
	}
	*dst = name
	return nil
}

func cronSpec(dst *string, v string) error {
	if _, err := scheduler.ParseSpec(v); err != nil {
		return fmt.Errorf("is not a valid schedule (%v); examples: \"0 10 * * MON\", \"@every 1m\"", err)
	}
	*dst = v
	return nil
}

func intIn(dst *int, v string, lo, hi int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("must be a whole number from %d to %d", lo, hi)
	}
	*dst = n
	return nil
}

func list(v string, pattern *regexp.Regexp, what string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !pattern.MatchString(s) {
			return nil, fmt.Errorf("%q is not valid: use comma-separated %s", s, what)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func validSnooze(s string) bool {
	if d, err := time.ParseDuration(s); err == nil {
		return d >= time.Minute && d <= 30*24*time.Hour
	}
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		return err == nil && n >= 1 && n <= 30
	}
	if s == "tomorrow" || s == "next-week" {
		return true
	}
	_, ok := weekdays[s[:min(3, len(s))]]
	return ok && len(s) >= 3 && strings.HasPrefix(weekdayName(s[:3]), s)
}

func weekdayName(abbr string) string {
	return strings.ToLower(weekdays[abbr].String())
}

// parseHours reads "09:00-18:00" as two offsets from midnight.
func parseHours(v string) (start, end time.Duration, err error) {
	a, b, ok := strings.Cut(v, "-")
	if ok {
		start, err = clock(a)
		if err == nil {
			end, err = clock(b)
		}
	}
	if !ok || err != nil || end <= start {
		return 0, 0, errors.New("must be a range of hours such as 09:00-18:00 (start before end)")
	}
	return start, end, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * time.Hour, nil
		}
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// parseDays reads "Mon-Fri", "Mon-Sun" or "Mon,Wed,Fri" (case-insensitive).
func parseDays(v string) ([]time.Weekday, error) {
	bad := errors.New("must be days such as Mon-Fri, Mon-Sun or Mon,Wed,Fri")
	var set [7]bool
	for _, part := range strings.Split(strings.ToLower(v), ",") {
		part = strings.TrimSpace(part)
		a, b, isRange := strings.Cut(part, "-")
		from, ok1 := weekdays[strings.TrimSpace(a)]
		to := from
		ok2 := true
		if isRange {
			to, ok2 = weekdays[strings.TrimSpace(b)]
		}
		if !ok1 || !ok2 {
			return nil, bad
		}
		for d := from; ; d = (d + 1) % 7 {
			set[d] = true
			if d == to {
				break
			}
		}
	}
	var days []time.Weekday
	for d, on := range set {
		if on {
			days = append(days, time.Weekday(d))
		}
	}
	return days, nil
}

// readableFile stores a file path that can be read now ("" for none).
func readableFile(dst *string, v string) error {
	if v != "" {
		if _, err := os.ReadFile(v); err != nil {
			return fmt.Errorf("cannot be read: %v", err)
		}
	}
	*dst = v
	return nil
}

// validate checks rules that span several settings.
func (c *Config) validate() error {
	if (c.EtcdCert == "") != (c.EtcdKey == "") {
		return usagef("RAPPORT_ETCD_CERT (-etcd-cert) and RAPPORT_ETCD_KEY (-etcd-key): set both, or neither")
	}
	if c.EtcdPassword != "" && c.EtcdUser == "" {
		return usagef("RAPPORT_ETCD_PASSWORD (-etcd-password): needs RAPPORT_ETCD_USER (-etcd-user)")
	}
	if c.storeLocation().Engine != "etcd" {
		for _, s := range []struct{ env, v string }{
			{"RAPPORT_ETCD_CACERT (-etcd-cacert)", c.EtcdCACert}, {"RAPPORT_ETCD_CERT (-etcd-cert)", c.EtcdCert},
			{"RAPPORT_ETCD_KEY (-etcd-key)", c.EtcdKey}, {"RAPPORT_ETCD_USER (-etcd-user)", c.EtcdUser},
		} {
			if s.v != "" {
				return usagef("%s: is for an etcd store, and RAPPORT_STORE (-store) is not an etcd:// URL", s.env)
			}
		}
	}
	if len(c.Teams) > 0 && c.TeamField != "" {
		return usagef("RAPPORT_TEAMS (-teams) and RAPPORT_TEAM_FIELD (-team-field): set one of them, not both (teams come from user groups or from a profile field)")
	}
	if c.HTTPAddr != "" && c.HTTPToken == "" && !loopback(c.HTTPAddr) {
		return usagef("RAPPORT_HTTP_TOKEN (-http-token): is required when RAPPORT_HTTP_ADDR (%s) is not a loopback address, because /backup serves everyone's data", c.HTTPAddr)
	}
	return nil
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
