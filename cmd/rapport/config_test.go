package main

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/bot/pairing"
)

// goodEnv is a complete, valid configuration.
func goodEnv(t *testing.T) map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1111-2222-abcdef",
		"SLACK_APP_TOKEN": "xapp-1-A111-2222-abcdef",
		"RAPPORT_DB":      t.TempDir() + "/rapport.db",
	}
}

func getenvFrom(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// badValues holds, for every variable, values that must stop the bot.
var badValues = map[string][]string{
	"SLACK_BOT_TOKEN":               {"<missing>", "xoxp-1111-2222-abcdef", "xoxb-12 34 56 78 90", "xoxb-1"},
	"SLACK_APP_TOKEN":               {"<missing>", "xoxb-1111-2222-abcdef"},
	"SLACK_API_URL":                 {"ftp://example.com/api/", "not a url"},
	"RAPPORT_SLACK_TIMEOUT":         {"1s", "10m", "soon"},
	"RAPPORT_DB":                    {"   "},
	"RAPPORT_STORE":                 {"redis://x:1/y", "etcd://host/rapport", "etcd://127.0.0.1:2379", "etcd://127.0.0.1:1/rapport"},
	"RAPPORT_ETCD_CACERT":           {"/nonexistent/ca.pem"},
	"RAPPORT_LEADER_TTL":            {"1s", "10", "2m", "2.5s"},
	"RAPPORT_ETCD_CERT":             {"/nonexistent/cert.pem"},
	"RAPPORT_ETCD_KEY":              {"/nonexistent/key.pem"},
	"RAPPORT_ETCD_USER":             {"alice:secret"},
	"RAPPORT_ETCD_PASSWORD":         {"secret"},
	"RAPPORT_TZ":                    {"Mars/Olympus_Mons", "Local"},
	"RAPPORT_ADMINS":                {"alice", "U123,bob"},
	"RAPPORT_COFFEE_CHANNEL":        {"#coffee"},
	"RAPPORT_COFFEE_SCHEDULE":       {"every monday", "61 * * * *"},
	"RAPPORT_COFFEE_EVERY":          {"daily"},
	"RAPPORT_COFFEE_GROUP_SIZE":     {"9", "two", "1"},
	"RAPPORT_COFFEE_CHECKIN_DAYS":   {"0"},
	"RAPPORT_COFFEE_HEADS_UP_HOURS": {"-1", "1000"},
	"RAPPORT_COFFEE_SILENT_ROUNDS":  {"-1", "often", "53"},
	"RAPPORT_COFFEE_MIN_OVERLAP":    {"1 hour", "-1h", "13h"},
	"RAPPORT_COFFEE_CROSS_TEAM":     {"always", "yes"},
	"RAPPORT_TEAMS":                 {"design team", "#design", "design,<!here>"},
	"RAPPORT_TEAM_FIELD":            {"Team,Squad"},
	"RAPPORT_REPORT_MIN_TEAM":       {"0", "few", "1001"},
	"RAPPORT_NEWCOMER_DAYS":         {"-1", "ninety", "3651"},
	"RAPPORT_BUDDY_CHANNEL":         {"#buddies"},
	"RAPPORT_CELEBRATIONS_CHANNEL":  {"#celebrations"},
	"RAPPORT_TICK":                  {"@every", "often"},
	"RAPPORT_FOLLOWUP_SNOOZES":      {"1h,someday", "10s"},
	"RAPPORT_WORK_HOURS":            {"18:00-09:00", "9-5", "09:00"},
	"RAPPORT_WORK_DAYS":             {"Weekdays", "Mon-Funday"},
	"RAPPORT_KUDOS_CHANNEL":         {"kudos"},
	"RAPPORT_KUDOS_DAILY_LIMIT":     {"-1", "lots"},
	"RAPPORT_KUDOS_VALUES":          {"team work", "ok,Bad Value"},
	"RAPPORT_KUDOS_REQUIRE_VALUE":   {"maybe"},
	"RAPPORT_KUDOS_DIGEST_SCHEDULE": {"fridays"},
	"RAPPORT_KUDOS_EMOJI":           {"🏆", ":Trophy:", "clap::skin-tone-2", "party parrot", "::"},
	"RAPPORT_STAY_IN_TOUCH_DAYS":    {"0", "forever"},
	"RAPPORT_HTTP_ADDR":             {"9090", "localhost"},
	"RAPPORT_HTTP_TOKEN":            {"short"},
	"RAPPORT_LOG_LEVEL":             {"verbose"},
}

func allSettings() []setting {
	return concat(slackSettings, storeSettings, botSettings, opsSettings)
}

// Ensure every bad value stops the bot with one line naming the variable
// and exit code 2, before anything is opened.
func TestBadConfiguration(t *testing.T) {
	for _, s := range allSettings() {
		values, ok := badValues[s.env]
		if !ok {
			t.Errorf("%s has no bad values in the table: add some", s.env)
			continue
		}
		for _, v := range values {
			t.Run(s.env+"="+v, func(t *testing.T) {
				env := goodEnv(t)
				if v == "<missing>" {
					delete(env, s.env)
				} else {
					env[s.env] = v
				}
				var stdout, stderr bytes.Buffer
				code := exitCode(run(t.Context(), nil, getenvFrom(env), nil, &stdout, &stderr), &stderr)
				if code != 2 {
					t.Errorf("exit code = %d, want 2 (stderr %q)", code, stderr.String())
				}
				lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
				if len(lines) != 1 || !strings.Contains(lines[0], s.env) {
					t.Errorf("stderr = %q, want one line naming %s", stderr.String(), s.env)
				}
				if strings.Contains(stderr.String(), env["SLACK_BOT_TOKEN"]) && s.env != "SLACK_BOT_TOKEN" {
					t.Errorf("stderr leaks the bot token: %q", stderr.String())
				}
				if _, err := os.Stat(env["RAPPORT_DB"]); err == nil {
					t.Errorf("a bad configuration created the database %s", env["RAPPORT_DB"])
				}
			})
		}
	}
}

func TestHTTPTokenRequiredOffLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:9090", ":9090", "10.1.2.3:9090"} {
		env := goodEnv(t)
		env["RAPPORT_HTTP_ADDR"] = addr
		var stderr bytes.Buffer
		code := exitCode(run(t.Context(), nil, getenvFrom(env), nil, &bytes.Buffer{}, &stderr), &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "RAPPORT_HTTP_TOKEN") {
			t.Errorf("RAPPORT_HTTP_ADDR=%s without a token: exit %d, stderr %q; want 2 naming RAPPORT_HTTP_TOKEN", addr, code, stderr.String())
		}
	}
}

func TestConfigDefaultsAndFlagsWin(t *testing.T) {
	env := goodEnv(t)
	env["RAPPORT_TZ"] = "Europe/Berlin"
	env["RAPPORT_WORK_DAYS"] = "Mon,Wed,Fri"
	cfg, _, err := parseConfig("run", allSettings(), []string{"-tz", "America/Los_Angeles", "-api-url", "http://127.0.0.1:1/api"}, getenvFrom(env), &bytes.Buffer{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Location.String(); got != "America/Los_Angeles" {
		t.Errorf("flag -tz lost to the environment: got %s", got)
	}
	if cfg.APIURL != "http://127.0.0.1:1/api/" {
		t.Errorf("APIURL = %q, want a trailing slash added", cfg.APIURL)
	}
	if want := []time.Weekday{time.Monday, time.Wednesday, time.Friday}; !slices.Equal(cfg.WorkDays, want) {
		t.Errorf("WorkDays = %v, want %v", cfg.WorkDays, want)
	}
	if cfg.WorkStart != 9*time.Hour || cfg.WorkEnd != 18*time.Hour {
		t.Errorf("work hours = %v-%v, want the 09:00-18:00 default", cfg.WorkStart, cfg.WorkEnd)
	}
	if cfg.CoffeeGroupSize != 2 || cfg.KudosDailyLimit != 5 || cfg.StayInTouchDays != 42 || cfg.CoffeeHeadsUp != 24*time.Hour || cfg.CoffeeSilent != 3 || cfg.ReportMinTeam != 5 {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if !slices.Equal(cfg.FollowupSnoozes, []string{"1h", "tomorrow", "monday"}) {
		t.Errorf("FollowupSnoozes = %v", cfg.FollowupSnoozes)
	}
}

func TestParseDays(t *testing.T) {
	tests := []struct {
		in   string
		want []time.Weekday
	}{
		{"Mon-Fri", []time.Weekday{1, 2, 3, 4, 5}},
		{"mon-sun", []time.Weekday{0, 1, 2, 3, 4, 5, 6}},
		{"Sun-Thu", []time.Weekday{0, 1, 2, 3, 4}},
		{"Fri-Mon", []time.Weekday{0, 1, 5, 6}},
		{"Tue", []time.Weekday{2}},
	}
	for _, tt := range tests {
		got, err := parseDays(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("parseDays(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// Ensure the README's configuration table lists every variable with its
// flag and default, so the documentation cannot drift from the code.
func TestREADMEListsEveryVariable(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, s := range allSettings() {
		def := "`" + s.def + "`"
		if s.def == "" {
			def = "empty"
			if s.env == "SLACK_BOT_TOKEN" || s.env == "SLACK_APP_TOKEN" {
				def = "required"
			}
		}
		row := "| `" + s.env + "` | `-" + s.flag + "` | " + def + " |"
		if !strings.Contains(readme, row) {
			t.Errorf("README.md lacks the row start %q", row)
		}
	}
}

// Ensure RAPPORT_TEAMS reads handles with or without "@" in any case and
// IDs as typed, RAPPORT_COFFEE_CROSS_TEAM reads ignore, and teams from
// both user groups and a profile field stop the bot with one line naming
// both variables.
func TestTeamsConfig(t *testing.T) {
	env := goodEnv(t)
	env["RAPPORT_TEAMS"] = " Design, @platform ,S0123ABC,design"
	env["RAPPORT_COFFEE_CROSS_TEAM"] = "ignore"
	cfg, _, err := parseConfig("run", allSettings(), nil, getenvFrom(env), &bytes.Buffer{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"design", "@platform", "S0123ABC"}; !slices.Equal(cfg.Teams, want) {
		t.Errorf("RAPPORT_TEAMS=%q: Teams = %q, want %q", env["RAPPORT_TEAMS"], cfg.Teams, want)
	}
	if cfg.CoffeeCrossTeam != pairing.CrossTeamIgnore {
		t.Errorf("RAPPORT_COFFEE_CROSS_TEAM=ignore: CoffeeCrossTeam = %q", cfg.CoffeeCrossTeam)
	}

	env["RAPPORT_TEAM_FIELD"] = "Team"
	var stderr bytes.Buffer
	code := exitCode(run(t.Context(), nil, getenvFrom(env), nil, &bytes.Buffer{}, &stderr), &stderr)
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "RAPPORT_TEAMS") || !strings.Contains(lines[0], "RAPPORT_TEAM_FIELD") {
		t.Errorf("RAPPORT_TEAMS and RAPPORT_TEAM_FIELD both set: exit %d, stderr %q; want 2 and one line naming both", code, stderr.String())
	}
}

// Ensure the kudos emoji is read as people write it, with or without
// colons, and off turns kudos by reaction off.
func TestKudosEmojiSetting(t *testing.T) {
	for in, want := range map[string]string{"trophy": "trophy", ":trophy:": "trophy", " :+1: ": "+1", "party-parrot": "party-parrot", "off": "", "OFF": ""} {
		got := "unset"
		if err := emojiName(&got, in); err != nil || got != want {
			t.Errorf("emojiName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
