package store_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

func TestCoffeeMembers(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	for _, m := range []store.CoffeeMember{
		{User: "U3", Joined: base.Add(-time.Hour)},
		{User: "U1"}, // joined now
		{User: "U2", Joined: base.Add(-2 * time.Hour), PausedUntil: base.AddDate(0, 0, 14), Via: store.ViaChannel},
		{User: "U3", Joined: base.Add(-time.Hour), PausedUntil: base.Add(time.Hour)}, // replaces
	} {
		if err := db.PutCoffeeMember(m); err != nil {
			t.Fatalf("PutCoffeeMember(%+v) = %v", m, err)
		}
	}
	want := []store.CoffeeMember{
		{User: "U1", Joined: base, Via: store.ViaCommand},
		{User: "U2", Joined: base.Add(-2 * time.Hour), PausedUntil: base.AddDate(0, 0, 14), Via: store.ViaChannel},
		{User: "U3", Joined: base.Add(-time.Hour), PausedUntil: base.Add(time.Hour), Via: store.ViaCommand},
	}
	got, err := db.CoffeeMembers()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("CoffeeMembers() = %+v, %v, want %+v", got, err, want)
	}
	if err := db.PutCoffeeMember(store.CoffeeMember{}); err == nil {
		t.Errorf("PutCoffeeMember(no user) = nil error, want one")
	}
	if err := db.PutCoffeeMember(store.CoffeeMember{User: "U4", Via: "email"}); err == nil || !strings.Contains(err.Error(), `via "email"`) {
		t.Errorf("PutCoffeeMember(via email) = %v, want an error naming via", err)
	}
	if m, err := db.CoffeeMember("U2"); err != nil || !reflect.DeepEqual(m, want[1]) {
		t.Errorf("CoffeeMember(U2) = %+v, %v, want %+v", m, err, want[1])
	}
	if m, err := db.CoffeeMember("U9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CoffeeMember(U9) = %+v, %v, want ErrNotFound", m, err)
	}
}

func TestUpdateCoffeeMember(t *testing.T) {
	t.Parallel()
	errNo := errors.New("changed my mind")
	skip := base.AddDate(0, 0, 3)
	tests := []struct {
		name        string
		existing    *store.CoffeeMember // stored first with PutCoffeeMember
		f           func(t *testing.T, m *store.CoffeeMember) error
		want        store.CoffeeMember // returned and stored
		wantCreated bool
		wantErr     string // instead; then the member is as before
		wantIs      error
	}{
		{
			name: "CreateJoinsNow",
			f: func(t *testing.T, m *store.CoffeeMember) error {
				if want := (store.CoffeeMember{User: "U1", Joined: base}); !reflect.DeepEqual(*m, want) {
					t.Errorf("f got %+v, want %+v", *m, want)
				}
				m.Via = store.ViaChannel
				return nil
			},
			want:        store.CoffeeMember{User: "U1", Joined: base, Via: store.ViaChannel},
			wantCreated: true,
		},
		{
			name: "CreateZeroJoinedIsNowDefaultVia",
			f: func(t *testing.T, m *store.CoffeeMember) error {
				m.Joined = time.Time{}
				return nil
			},
			want:        store.CoffeeMember{User: "U1", Joined: base, Via: store.ViaCommand},
			wantCreated: true,
		},
		{
			name:     "UpdateSeesStoredNormalises",
			existing: &store.CoffeeMember{User: "U1", Joined: base.AddDate(0, -1, 0), Misses: 2},
			f: func(t *testing.T, m *store.CoffeeMember) error {
				if m.Misses != 2 || !m.Joined.Equal(base.AddDate(0, -1, 0)) {
					t.Errorf("f got %+v, want the stored member", *m)
				}
				m.User = "U2" // ignored
				m.Misses = 0
				m.SkipAt = skip.In(time.FixedZone("CET", 3600))
				m.Never = []string{"U9", "U3", "", "U1", "U9"}
				return nil
			},
			want: store.CoffeeMember{User: "U1", Joined: base.AddDate(0, -1, 0), Via: store.ViaCommand, SkipAt: skip, Never: []string{"U3", "U9"}},
		},
		{
			name:     "ErrorWritesNothing",
			existing: &store.CoffeeMember{User: "U1", Joined: base, Misses: 1},
			f: func(t *testing.T, m *store.CoffeeMember) error {
				m.Misses = 3
				return errNo
			},
			wantErr: "changed my mind",
			wantIs:  errNo,
		},
		{
			name: "ErrorCreatesNothing",
			f: func(t *testing.T, m *store.CoffeeMember) error {
				return errNo
			},
			wantErr: "changed my mind",
			wantIs:  errNo,
		},
		{
			name:     "InvalidWritesNothing",
			existing: &store.CoffeeMember{User: "U1", Joined: base},
			f: func(t *testing.T, m *store.CoffeeMember) error {
				m.Misses = -1
				return nil
			},
			wantErr: "misses -1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
			if tt.existing != nil {
				must(t, db.PutCoffeeMember(*tt.existing))
			}
			before, _ := db.CoffeeMembers()
			got, created, err := db.UpdateCoffeeMember("U1", func(m *store.CoffeeMember) error { return tt.f(t, m) }, store.Effects{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("UpdateCoffeeMember = %+v, %v, want an error containing %q", got, err, tt.wantErr)
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("UpdateCoffeeMember error %v does not wrap f's", err)
				}
				if after, _ := db.CoffeeMembers(); !reflect.DeepEqual(after, before) {
					t.Errorf("after a failed UpdateCoffeeMember, members = %+v, want %+v", after, before)
				}
				return
			}
			if err != nil || created != tt.wantCreated || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("UpdateCoffeeMember = %+v, %v, %v, want %+v, %v, nil", got, created, err, tt.want, tt.wantCreated)
			}
			if stored, err := db.CoffeeMember("U1"); err != nil || !reflect.DeepEqual(stored, tt.want) {
				t.Errorf("CoffeeMember(U1) = %+v, %v, want %+v", stored, err, tt.want)
			}
		})
	}

	t.Run("EmptyUser", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		if _, _, err := db.UpdateCoffeeMember("", func(*store.CoffeeMember) error { return nil }, store.Effects{}); err == nil {
			t.Errorf("UpdateCoffeeMember(\"\") = nil error, want one")
		}
	})
}

func TestRemoveCoffeeMember(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
	must(t, db.PutCoffeeMember(store.CoffeeMember{User: "U1"}))
	must(t, db.PutCoffeeMember(store.CoffeeMember{User: "U2"}))
	r := mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{{Members: []string{"U1", "U2"}}}})

	for _, tt := range []struct {
		user string
		want bool
	}{{"U1", true}, {"U1", false}, {"U9", false}} {
		if got, err := db.RemoveCoffeeMember(tt.user, store.Effects{}); err != nil || got != tt.want {
			t.Errorf("RemoveCoffeeMember(%s) = %v, %v, want %v", tt.user, got, err, tt.want)
		}
	}
	if got, _ := db.CoffeeMembers(); len(got) != 1 || got[0].User != "U2" {
		t.Errorf("CoffeeMembers() after leaving = %+v, want U2 only", got)
	}
	if got, err := db.Round(r.ID); err != nil || !reflect.DeepEqual(got, r) {
		t.Errorf("Round(%d) after leaving = %+v, %v, want it unchanged %+v", r.ID, got, err, r)
	}
}

func TestCoffeeMemberPausedSkips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m             store.CoffeeMember
		now           time.Time
		paused, skips bool
	}{
		{store.CoffeeMember{}, base, false, false},
		{store.CoffeeMember{PausedUntil: base.Add(time.Second)}, base, true, false},
		{store.CoffeeMember{PausedUntil: base}, base, false, false}, // paused while now < PausedUntil
		{store.CoffeeMember{PausedUntil: base.Add(-time.Second)}, base, false, false},
		{store.CoffeeMember{SkipAt: base}, base, false, true},
		{store.CoffeeMember{SkipAt: base.In(time.FixedZone("CET", 3600))}, base, false, true},
		{store.CoffeeMember{SkipAt: base.Add(time.Nanosecond)}, base, false, false},
	}
	for _, tt := range tests {
		if got := tt.m.Paused(tt.now); got != tt.paused {
			t.Errorf("%+v.Paused(%s) = %v, want %v", tt.m, tt.now, got, tt.paused)
		}
		if got := tt.m.Skips(tt.now); got != tt.skips {
			t.Errorf("%+v.Skips(%s) = %v, want %v", tt.m, tt.now, got, tt.skips)
		}
	}
}

// mustCreateRound creates r, which must be new.
func mustCreateRound(t *testing.T, db *store.DB, r store.Round) store.Round {
	t.Helper()
	got, created, err := db.CreateRound(r)
	if err != nil || !created {
		t.Fatalf("CreateRound(%+v) = %+v, %v, %v, want a new round", r, got, created, err)
	}
	return got
}

// group is a CoffeeGroup of members without state.
func group(members ...string) store.CoffeeGroup {
	return store.CoffeeGroup{Members: members, Icebreaker: -1}
}

func TestCreateRound(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})

	groups := []store.CoffeeGroup{
		{Members: []string{"U2", "U1"}, Icebreaker: 3},
		{Members: []string{"U5", "U3", "U4"}, Icebreaker: -1, Answers: map[string]store.CoffeeAnswer{"U4": store.AnswerYes}},
	}
	r1, created, err := db.CreateRound(store.Round{Manual: true, Groups: groups, SitOut: []store.SitOut{{"U7", store.SitOutNoOverlap}, {"U6", store.SitOutAlone}}})
	want := store.Round{
		ID: 1, At: base, Manual: true,
		Groups: []store.CoffeeGroup{
			{Members: []string{"U1", "U2"}, Icebreaker: 3},
			{Members: []string{"U3", "U4", "U5"}, Icebreaker: -1, Answers: map[string]store.CoffeeAnswer{"U4": store.AnswerYes}},
		},
		SitOut: []store.SitOut{{"U7", store.SitOutNoOverlap}, {"U6", store.SitOutAlone}},
	}
	if err != nil || !created || !reflect.DeepEqual(r1, want) {
		t.Fatalf("CreateRound(zero At) = %+v, %v, %v, want %+v, true (members sorted, At now)", r1, created, err, want)
	}
	groups[0].Members[0] = "UX" // must not reach the store
	groups[1].Answers["U3"] = store.AnswerNo
	if got, err := db.Round(1); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Round(1) = %+v, %v, want %+v", got, err, want)
	}

	// The same instant, however written, is the same round: nothing is
	// stored, the first round comes back.
	again, created, err := db.CreateRound(store.Round{At: base.In(time.FixedZone("CET", 3600)), Groups: []store.CoffeeGroup{group("U8", "U9")}})
	if err != nil || created || !reflect.DeepEqual(again, want) {
		t.Errorf("CreateRound(same At) = %+v, %v, %v, want %+v, false", again, created, err, want)
	}
	// A nanosecond later is another round.
	if r2, created, err := db.CreateRound(store.Round{At: base.Add(1)}); err != nil || !created || r2.ID != 2 {
		t.Errorf("CreateRound(At+1ns) = %+v, %v, %v, want round 2, true", r2, created, err)
	}
	if rounds, _ := db.Rounds(); len(rounds) != 2 {
		t.Errorf("Rounds() = %+v, want 2 rounds", rounds)
	}
}

func TestCreateRoundInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    store.Round
		want string
	}{
		{"Before1970", store.Round{At: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)}, "at: time 1969-01-01T00:00:00Z is outside"},
		{"EmptyGroup", store.Round{Groups: []store.CoffeeGroup{group("U1", "U2"), group()}}, "groups[1]: no members"},
		{"EmptyUser", store.Round{Groups: []store.CoffeeGroup{group("U1", "")}}, "groups[0].members[1]: empty user ID"},
		{"TwiceInGroup", store.Round{Groups: []store.CoffeeGroup{group("U1", "U1")}}, "groups[0].members[1]: U1 is already groups[0].members[0]"},
		{"InTwoGroups", store.Round{Groups: []store.CoffeeGroup{group("U1", "U2"), group("U3", "U2")}}, "groups[1].members[1]: U2 is already groups[0].members[1]"},
		{"GroupedAndSittingOut", store.Round{Groups: []store.CoffeeGroup{group("U1", "U2")}, SitOut: []store.SitOut{{"U2", store.SitOutAlone}}}, "sit_out[0].user: U2 is already groups[0].members[1]"},
		{"SitOutReason", store.Round{SitOut: []store.SitOut{{"U1", "bored"}}}, `sit_out[0].reason: must be alone, no_overlap or never_list (got "bored")`},
		{"Answer", store.Round{Groups: []store.CoffeeGroup{{Members: []string{"U1", "U2"}, Answers: map[string]store.CoffeeAnswer{"U2": "maybe"}}}}, `groups[0].answers.U2: must be yes, not_yet, no or cant (got "maybe")`},
		{"AnswerFromOutsider", store.Round{Groups: []store.CoffeeGroup{{Members: []string{"U1", "U2"}, Answers: map[string]store.CoffeeAnswer{"U3": store.AnswerYes}}}}, "groups[0].answers.U3: U3 is not a member of the group"},
		{"Icebreaker", store.Round{Groups: []store.CoffeeGroup{{Members: []string{"U1", "U2"}, Icebreaker: -2}}}, "groups[0].icebreaker: -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
			got, created, err := db.CreateRound(tt.r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CreateRound(%+v) = %+v, %v, %v, want an error containing %q", tt.r, got, created, err, tt.want)
			}
			if rounds, _ := db.Rounds(); len(rounds) != 0 {
				t.Errorf("CreateRound(%+v) stored %+v", tt.r, rounds)
			}
		})
	}
}

// Ensure workers racing on one tick make one round.
func TestCreateRoundConcurrent(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)
	const workers = 10
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		ids     = map[uint64]bool{}
	)
	for i := range workers {
		wg.Go(func() {
			r, ok, err := db.CreateRound(store.Round{At: base, Groups: []store.CoffeeGroup{group("U1", "U"+string(rune('A'+i)))}})
			if err != nil {
				t.Errorf("CreateRound = %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[r.ID] = true
			if ok {
				created++
			}
		})
	}
	wg.Wait()
	if created != 1 || len(ids) != 1 {
		t.Errorf("%d concurrent CreateRound(same At): %d created, ids %v, want 1 created, one id", workers, created, ids)
	}
	if rounds, _ := db.Rounds(); len(rounds) != 1 {
		t.Errorf("Rounds() = %+v, want one", rounds)
	}
}

func TestRoundLookups(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpen(t)

	if r, ok, err := db.LastRound(); err != nil || ok {
		t.Errorf("LastRound(empty) = %+v, %v, %v, want none", r, ok, err)
	}
	week := 7 * 24 * time.Hour
	// Created out of time order: ids 1, 2, 3 at base, base-2w, base-1w.
	r1 := mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{group("U1", "U2")}})
	r2 := mustCreateRound(t, db, store.Round{At: base.Add(-2 * week)})
	r3 := mustCreateRound(t, db, store.Round{At: base.Add(-week), Manual: true})

	if r, ok, err := db.LastRound(); err != nil || !ok || !reflect.DeepEqual(r, r1) {
		t.Errorf("LastRound() = %+v, %v, %v, want %+v", r, ok, err, r1)
	}
	if got, err := db.Rounds(); err != nil || !reflect.DeepEqual(got, []store.Round{r2, r3, r1}) {
		t.Errorf("Rounds() = %+v, %v, want oldest first", got, err)
	}
	for _, tt := range []struct {
		at   time.Time
		want *store.Round
	}{
		{base, &r1},
		{base.Add(-week).In(time.FixedZone("X", -5*3600)), &r3},
		{base.Add(time.Nanosecond), nil},
		{base.Add(-time.Nanosecond), nil},
	} {
		got, err := db.RoundAt(tt.at)
		if tt.want == nil {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("RoundAt(%s) = %+v, %v, want ErrNotFound", tt.at, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, *tt.want) {
			t.Errorf("RoundAt(%s) = %+v, %v, want %+v", tt.at, got, err, *tt.want)
		}
	}
	for _, tt := range []struct {
		from, to time.Time
		want     []uint64
	}{
		{time.Time{}, base.AddDate(1, 0, 0), []uint64{2, 3, 1}},
		{base.Add(-week), base, []uint64{3}},                    // [from, to)
		{base.Add(-week), base.Add(1), []uint64{3, 1}},          // to just after r1
		{base.Add(-2*week + 1), base.Add(-week), []uint64(nil)}, // from just after r2
		{base, base, []uint64(nil)},                             // empty range
		{base, base.Add(-week), []uint64(nil)},                  // backwards
	} {
		got, err := db.RoundsBetween(tt.from, tt.to)
		var ids []uint64
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		if err != nil || !reflect.DeepEqual(ids, tt.want) {
			t.Errorf("RoundsBetween(%s, %s) = ids %v, %v, want %v", tt.from, tt.to, ids, err, tt.want)
		}
	}
	if r, err := db.Round(9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Round(9) = %+v, %v, want ErrNotFound", r, err)
	}
}

func TestRoundGroup(t *testing.T) {
	t.Parallel()
	r := store.Round{Groups: []store.CoffeeGroup{group("U1", "U2"), group("U3", "U4", "U5")}, SitOut: []store.SitOut{{"U6", store.SitOutAlone}}}
	for user, want := range map[string]int{"U1": 0, "U2": 0, "U4": 1, "U6": -1, "U9": -1} {
		if got := r.Group(user); got != want {
			t.Errorf("Round.Group(%s) = %d, want %d", user, got, want)
		}
	}
}

func TestUpdateRoundGroup(t *testing.T) {
	t.Parallel()
	errNo := errors.New("slack is down")
	tests := []struct {
		name    string
		group   int
		f       func(g *store.CoffeeGroup) error
		want    store.CoffeeGroup // the group afterwards
		wantErr string            // instead; then nothing changed
		wantIs  error
	}{
		{
			name:  "SetState",
			group: 1,
			f: func(g *store.CoffeeGroup) error {
				g.Channel, g.IntroTS, g.Icebreaker = "D1", "1.2", 4
				g.Answers = map[string]store.CoffeeAnswer{"U3": store.AnswerNotYet}
				return nil
			},
			want: store.CoffeeGroup{Members: []string{"U3", "U4", "U5"}, Channel: "D1", IntroTS: "1.2", Icebreaker: 4, Answers: map[string]store.CoffeeAnswer{"U3": store.AnswerNotYet}},
		},
		{
			name:  "LatestAnswerWins",
			group: 0,
			f: func(g *store.CoffeeGroup) error {
				g.Answers["U1"] = store.AnswerYes
				g.Answers["U2"] = store.AnswerCant
				g.DidYouMeetSent = true
				return nil
			},
			want: store.CoffeeGroup{Members: []string{"U1", "U2"}, Icebreaker: -1, DidYouMeetSent: true, Answers: map[string]store.CoffeeAnswer{"U1": store.AnswerYes, "U2": store.AnswerCant}},
		},
		{
			name:    "ErrorWritesNothing",
			group:   0,
			f:       func(g *store.CoffeeGroup) error { g.Channel = "D9"; return errNo },
			wantErr: "slack is down",
			wantIs:  errNo,
		},
		{
			name:    "InvalidAnswer",
			group:   0,
			f:       func(g *store.CoffeeGroup) error { g.Answers["U1"] = "perhaps"; return nil },
			wantErr: "groups[0].answers.U1: must be yes",
		},
		{
			name:    "MemberOfAnotherGroup",
			group:   0,
			f:       func(g *store.CoffeeGroup) error { g.Members = append(g.Members, "U3"); return nil },
			wantErr: "U3 is already",
		},
		{
			name:    "NoSuchGroup",
			group:   2,
			f:       func(g *store.CoffeeGroup) error { return nil },
			wantErr: "group 2 of 2",
			wantIs:  store.ErrNotFound,
		},
		{
			name:    "NegativeGroup",
			group:   -1,
			f:       func(g *store.CoffeeGroup) error { return nil },
			wantIs:  store.ErrNotFound,
			wantErr: "not found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpen(t)
			r := mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{
				{Members: []string{"U1", "U2"}, Icebreaker: -1, Answers: map[string]store.CoffeeAnswer{"U1": store.AnswerNo}},
				group("U3", "U4", "U5"),
			}})
			got, err := db.UpdateRoundGroup(r.ID, tt.group, tt.f, nil)
			after, _ := db.Round(r.ID)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
					t.Errorf("UpdateRoundGroup(%d) = %+v, %v, want an error containing %q (wrapping %v)", tt.group, got, err, tt.wantErr, tt.wantIs)
				}
				if !reflect.DeepEqual(after, r) {
					t.Errorf("after a failed UpdateRoundGroup, round = %+v, want %+v", after, r)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("UpdateRoundGroup(%d) = %+v, %v, want %+v", tt.group, got, err, tt.want)
			}
			r.Groups[tt.group] = tt.want
			if !reflect.DeepEqual(after, r) {
				t.Errorf("Round after UpdateRoundGroup = %+v, want %+v", after, r)
			}
		})
	}

	t.Run("NoSuchRound", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		if _, err := db.UpdateRoundGroup(1, 0, func(*store.CoffeeGroup) error { return nil }, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateRoundGroup(no round) = %v, want ErrNotFound", err)
		}
	})
	t.Run("ClosedRound", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		r := mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{group("U1", "U2")}})
		must(t, db.CloseRound(r.ID, nil))
		g, err := db.UpdateRoundGroup(r.ID, 0, func(g *store.CoffeeGroup) error {
			g.Answers = map[string]store.CoffeeAnswer{"U2": store.AnswerYes}
			return nil
		}, nil)
		if err != nil || g.Answers["U2"] != store.AnswerYes {
			t.Errorf("UpdateRoundGroup(closed round) = %+v, %v, want the late answer stored", g, err)
		}
		if got, _ := db.Round(r.ID); !got.Closed {
			t.Errorf("Round after a late answer = %+v, want it still closed", got)
		}
	})
}

// countMisses is the CloseRound function the bot is expected to pass: a
// member of a group where nobody answered misses once more and is ghosted
// at 3; an answer resets the count.
func countMisses(r *store.Round, members map[string]*store.CoffeeMember) error {
	for _, g := range r.Groups {
		for _, u := range g.Members {
			m := members[u]
			if m == nil {
				continue
			}
			if _, answered := g.Answers[u]; answered {
				m.Misses = 0
				continue
			}
			m.Misses++
			m.PausedForSilence = m.Misses >= 3
		}
	}
	return nil
}

func TestCloseRound(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) (*store.DB, store.Round) {
		db := storetest.MustOpenWith(t, store.Options{Now: fixedNow(base)})
		for _, m := range []store.CoffeeMember{
			{User: "U1", Misses: 2},
			{User: "U2", Misses: 1},
			{User: "U3"},
			{User: "U5"}, // sits out
			// U4 left.
		} {
			must(t, db.PutCoffeeMember(m))
		}
		r := mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{
			group("U1", "U3"),
			{Members: []string{"U2", "U4"}, Icebreaker: -1, Answers: map[string]store.CoffeeAnswer{"U2": store.AnswerCant}},
		}, SitOut: []store.SitOut{{"U5", store.SitOutAlone}}})
		return db, r
	}

	t.Run("SettlesAtomically", func(t *testing.T) {
		t.Parallel()
		db, r := setup(t)
		var saw []string
		err := db.CloseRound(r.ID, func(got *store.Round, members map[string]*store.CoffeeMember) error {
			if !reflect.DeepEqual(*got, r) {
				t.Errorf("f got round %+v, want %+v", *got, r)
			}
			for u := range members {
				saw = append(saw, u)
			}
			return countMisses(got, members)
		})
		if err != nil {
			t.Fatalf("CloseRound = %v", err)
		}
		if want := []string{"U1", "U2", "U3"}; !sameSet(saw, want) {
			t.Errorf("f got members %v, want %v (grouped and still members)", saw, want)
		}
		members, _ := db.CoffeeMembers()
		want := []store.CoffeeMember{
			{User: "U1", Joined: base, Via: store.ViaCommand, Misses: 3, PausedForSilence: true},
			{User: "U2", Joined: base, Via: store.ViaCommand},
			{User: "U3", Joined: base, Via: store.ViaCommand, Misses: 1},
			{User: "U5", Joined: base, Via: store.ViaCommand},
		}
		if !reflect.DeepEqual(members, want) {
			t.Errorf("members after CloseRound = %+v, want %+v", members, want)
		}
		closed, _ := db.Round(r.ID)
		r.Closed = true
		if !reflect.DeepEqual(closed, r) {
			t.Errorf("round after CloseRound = %+v, want %+v", closed, r)
		}

		// Closing again changes nothing and does not call f.
		err = db.CloseRound(r.ID, func(*store.Round, map[string]*store.CoffeeMember) error {
			t.Errorf("CloseRound(closed round) called f")
			return nil
		})
		if err != nil {
			t.Errorf("CloseRound(closed round) = %v, want nil", err)
		}
		if again, _ := db.CoffeeMembers(); !reflect.DeepEqual(again, want) {
			t.Errorf("members after a second CloseRound = %+v, want %+v", again, want)
		}
	})

	t.Run("ErrorWritesNothing", func(t *testing.T) {
		t.Parallel()
		db, r := setup(t)
		before, _ := db.CoffeeMembers()
		errNo := errors.New("no")
		err := db.CloseRound(r.ID, func(r *store.Round, members map[string]*store.CoffeeMember) error {
			_ = countMisses(r, members)
			return errNo
		})
		if !errors.Is(err, errNo) {
			t.Errorf("CloseRound(f fails) = %v, want f's error", err)
		}
		if after, _ := db.CoffeeMembers(); !reflect.DeepEqual(after, before) {
			t.Errorf("members after a failed CloseRound = %+v, want %+v", after, before)
		}
		if got, _ := db.Round(r.ID); got.Closed {
			t.Errorf("round after a failed CloseRound is closed")
		}
	})

	t.Run("InvalidMemberWritesNothing", func(t *testing.T) {
		t.Parallel()
		db, r := setup(t)
		err := db.CloseRound(r.ID, func(r *store.Round, members map[string]*store.CoffeeMember) error {
			members["U3"].Misses = -1
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "member U3: misses -1") {
			t.Errorf("CloseRound(negative misses) = %v, want an error naming U3", err)
		}
		if got, _ := db.Round(r.ID); got.Closed {
			t.Errorf("round after a failed CloseRound is closed")
		}
	})

	t.Run("NilEntryAndIdentityKept", func(t *testing.T) {
		t.Parallel()
		db, r := setup(t)
		err := db.CloseRound(r.ID, func(got *store.Round, members map[string]*store.CoffeeMember) error {
			members["U1"].Misses = 7
			members["U1"] = nil                                                          // leave U1 as it was
			members["U9"] = &store.CoffeeMember{User: "U9"}                              // ignored
			got.ID, got.At = 99, base.Add(time.Hour)                                     // ignored
			got.Groups[0].Answers = map[string]store.CoffeeAnswer{"U3": store.AnswerYes} // kept
			return nil
		})
		if err != nil {
			t.Fatalf("CloseRound = %v", err)
		}
		if m, _ := db.CoffeeMember("U1"); m.Misses != 2 {
			t.Errorf("U1 after CloseRound with a nil entry = %+v, want Misses 2 as stored", m)
		}
		if _, err := db.CoffeeMember("U9"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CoffeeMember(U9) = %v, want ErrNotFound (added entries are ignored)", err)
		}
		got, err := db.RoundAt(base)
		if err != nil || got.ID != r.ID || !got.Closed || got.Groups[0].Answers["U3"] != store.AnswerYes {
			t.Errorf("RoundAt(base) after CloseRound = %+v, %v, want round %d closed with U3's answer", got, err, r.ID)
		}
	})

	t.Run("NoSuchRound", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		if err := db.CloseRound(4, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CloseRound(4) = %v, want ErrNotFound", err)
		}
	})
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestCoffeeMeetings(t *testing.T) {
	t.Parallel()
	answers := func(kv ...string) map[string]store.CoffeeAnswer {
		m := map[string]store.CoffeeAnswer{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = store.CoffeeAnswer(kv[i+1])
		}
		return m
	}
	// given answers in the order given, as SetAnswer records them.
	given := func(kv ...string) store.CoffeeGroup {
		g := store.CoffeeGroup{}
		for i := 0; i < len(kv); i += 2 {
			g.SetAnswer(kv[i], store.CoffeeAnswer(kv[i+1]))
		}
		return g
	}
	tests := []struct {
		name  string
		group store.CoffeeGroup
		met   bool
	}{
		{"Unanswered", store.CoffeeGroup{}, true},
		{"Yes", given("U1", "yes"), true},
		{"BothYes", given("U1", "yes", "U2", "yes"), true},
		{"NotYet", given("U2", "not_yet"), true},
		{"Cant", given("U1", "cant"), false},
		// The group's latest answer wins.
		{"YesThenNo", given("U1", "yes", "U2", "no"), false},
		{"CantThenYes", given("U1", "cant", "U2", "yes"), true},
		{"NotYetThenCant", given("U1", "not_yet", "U2", "cant"), false},
		{"CantYesCantAgain", given("U1", "cant", "U2", "yes", "U1", "cant"), false},
		// Answers stored before their order was kept: "yes", then "not
		// yet", then "no", then "can't" (see CoffeeGroup.Outcome).
		{"UnorderedYesAndNo", store.CoffeeGroup{Answers: answers("U1", "yes", "U2", "no")}, true},
		{"UnorderedNotYetAndCant", store.CoffeeGroup{Answers: answers("U1", "not_yet", "U2", "cant")}, true},
		{"UnorderedNoAndCant", store.CoffeeGroup{Answers: answers("U1", "no", "U2", "cant")}, false},
		// An ordered answer is later than unordered ones.
		{"OrderedAfterUnordered", store.CoffeeGroup{Answers: answers("U1", "yes", "U2", "cant"), AnswerOrder: []string{"U2"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.MustOpen(t)
			g := tt.group
			g.Members, g.Icebreaker = []string{"U2", "U1"}, -1
			mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{g}})
			got, err := db.CoffeeMeetings(base)
			want := []store.CoffeeMeeting{{A: "U1", B: "U2", At: base, Met: tt.met}}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("CoffeeMeetings with answers %v in order %v = %+v, %v, want %+v", tt.group.Answers, tt.group.AnswerOrder, got, err, want)
			}
		})
	}

	t.Run("PairsAndSince", func(t *testing.T) {
		t.Parallel()
		db := storetest.MustOpen(t)
		week := 7 * 24 * time.Hour
		old := base.Add(-4 * week)
		mustCreateRound(t, db, store.Round{At: base, Groups: []store.CoffeeGroup{
			group("U3", "U1", "U2"),
			{Members: []string{"U4", "U5"}, Icebreaker: -1, Answers: answers("U5", "no")},
		}, SitOut: []store.SitOut{{"U6", store.SitOutAlone}}})
		mustCreateRound(t, db, store.Round{At: base.Add(-week), Groups: []store.CoffeeGroup{group("U1", "U2")}})
		mustCreateRound(t, db, store.Round{At: old, Groups: []store.CoffeeGroup{group("U1", "U4")}})

		got, err := db.CoffeeMeetings(base.Add(-week))
		want := []store.CoffeeMeeting{
			{A: "U1", B: "U2", At: base.Add(-week), Met: true},
			{A: "U1", B: "U2", At: base, Met: true},
			{A: "U1", B: "U3", At: base, Met: true},
			{A: "U2", B: "U3", At: base, Met: true},
			{A: "U4", B: "U5", At: base, Met: false},
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("CoffeeMeetings(last week) = %+v, %v, want %+v", got, err, want)
		}
		if got, _ := db.CoffeeMeetings(time.Time{}); len(got) != 6 || got[0] != (store.CoffeeMeeting{A: "U1", B: "U4", At: old, Met: true}) {
			t.Errorf("CoffeeMeetings(all) = %+v, want 6 starting with the oldest round", got)
		}
		if got, err := db.CoffeeMeetings(base.Add(1)); err != nil || len(got) != 0 {
			t.Errorf("CoffeeMeetings(after the last round) = %+v, %v, want none", got, err)
		}
	})
}

func TestCoffeeCadenceDue(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	// Monday 10:00 in Berlin, the week clocks go back (2026-10-25).
	mon := time.Date(2026, 10, 19, 10, 0, 0, 0, berlin)
	tests := []struct {
		cadence store.CoffeeCadence
		last    time.Time
		at      time.Time
		want    bool
	}{
		{store.CadenceWeekly, time.Time{}, base, true}, // no last round
		{store.CadenceWeekly, base, base, false},
		{store.CadenceWeekly, base, base.Add(6*day - time.Nanosecond), false},
		{store.CadenceWeekly, base, base.Add(6 * day), true},
		{store.CadenceWeekly, base, base.Add(7 * day), true},
		{store.CadenceWeekly, mon, mon.AddDate(0, 0, 7), true}, // 169 hours: DST ended
		{store.CadenceWeekly, mon.AddDate(0, 0, 7), mon.AddDate(0, 0, 14), true},
		{store.CadenceWeekly, base, base.Add(-day), false}, // clock went back
		{store.CadenceBiweekly, base, base.Add(7 * day), false},
		{store.CadenceBiweekly, base, base.Add(13*day - time.Second), false},
		{store.CadenceBiweekly, base, base.Add(13 * day), true},
		{store.CadenceBiweekly, base, base.Add(14 * day), true},
		{store.CadenceBiweekly, time.Time{}, base, true},
		{store.CadenceMonthly, base, base.Add(26 * day), false},
		{store.CadenceMonthly, base, base.Add(27 * day), true},
		{store.CadenceMonthly, time.Date(2027, 2, 1, 10, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC), true}, // February: 28 days
		{store.CadenceMonthly, time.Time{}, base, true},
		{"daily", time.Time{}, base, false}, // unknown: never due
		{"", base, base.AddDate(1, 0, 0), false},
	}
	for _, tt := range tests {
		if got := tt.cadence.Due(tt.last, tt.at); got != tt.want {
			t.Errorf("CoffeeCadence(%q).Due(%s, %s) = %v, want %v", tt.cadence, tt.last, tt.at, got, tt.want)
		}
	}
	for c, want := range map[store.CoffeeCadence]bool{"weekly": true, "biweekly": true, "monthly": true, "daily": false, "": false, "Weekly": false} {
		if got := c.Valid(); got != want {
			t.Errorf("CoffeeCadence(%q).Valid() = %v, want %v", c, got, want)
		}
	}
}
