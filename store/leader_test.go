package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/etcdtest"
)

func openEtcdReplica(t *testing.T, c *etcdtest.Cluster) *store.DB {
	t.Helper()
	db, err := store.OpenEtcdClient(t.Context(), c.Client(t), "/rapport", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Ensure one replica leads at a time: a second campaign waits while the
// first leads, wins within a moment of a resignation, and within the
// lease when the leader stops renewing it; the terms' epochs grow.
func TestCampaignHandover(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a, b := openEtcdReplica(t, c), openEtcdReplica(t, c)
	ctx := t.Context()
	ta, err := a.Campaign(ctx, "a", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if a.Leading() != ta.Epoch() || b.Leading() != 0 {
		t.Fatalf("Leading = %d, %d; want %d, 0", a.Leading(), b.Leading(), ta.Epoch())
	}
	won := make(chan *store.Term, 1)
	go func() {
		tb, err := b.Campaign(ctx, "b", 2*time.Second)
		if err != nil {
			t.Error(err)
			return
		}
		won <- tb
	}()
	select {
	case <-won:
		t.Fatal("a second replica was elected while the first leads")
	case <-time.After(500 * time.Millisecond):
	}
	start := time.Now()
	if err := ta.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	var tb *store.Term
	select {
	case tb = <-won:
	case <-time.After(5 * time.Second):
		t.Fatal("no new leader after a resignation")
	}
	t.Logf("handover after a resignation: %v", time.Since(start).Round(time.Millisecond))
	if d := time.Since(start); d > time.Second {
		t.Errorf("handover after a resignation took %v, want under 1 s", d)
	}
	if tb.Epoch() <= ta.Epoch() || a.Leading() != 0 {
		t.Errorf("epochs %d then %d, a still leading %d", ta.Epoch(), tb.Epoch(), a.Leading())
	}
	select {
	case <-ta.Lost():
	default:
		t.Error("the resigned term is not lost")
	}
}

// Ensure a deposed leader that wakes up believing it still leads can
// write nothing: its commits carry its term's fence and fail with
// ErrNotLeader, while the new leader and the followers write as before.
func TestDeposedLeaderIsFenced(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a, b := openEtcdReplica(t, c), openEtcdReplica(t, c)
	ctx := t.Context()
	ta, err := a.Campaign(ctx, "a", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, Text: "while leading", At: base}); err != nil {
		t.Fatalf("the leader's own write = %v", err)
	}
	// The leader pauses past its lease: its key goes, b takes over.
	store.ExpireTermForTest(t, ta)
	tb, err := b.Campaign(ctx, "b", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// a wakes up before it noticed: it still holds its old fence.
	store.RestoreFenceForTest(a, ta)
	_, err = a.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, Text: "late write", At: base})
	if !errors.Is(err, store.ErrNotLeader) {
		t.Fatalf("a deposed leader's write = %v, want ErrNotLeader", err)
	}
	if _, err := b.AddKudos(store.Kudos{Giver: "U1", Receivers: []string{"U2"}, Text: "new leader", At: base}); err != nil {
		t.Errorf("the new leader's write = %v", err)
	}
	ks, err := b.KudosBetween(base.Add(-time.Hour), base.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.Text == "late write" {
			t.Error("the deposed leader's write went in")
		}
	}
	_ = tb
	ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = tb.Resign(ctx2)
}

// Ensure one person at the kudos limit, giving through two replicas at
// the same instant, never exceeds it: the allowance is counted inside the
// transaction, and a concurrent gift by the same giver makes it count
// again.
func TestKudosLimitAcrossReplicas(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a, b := openEtcdReplica(t, c), openEtcdReplica(t, c)
	day := base.Truncate(24 * time.Hour)
	allow := store.Allowance{Limit: 3, From: day, To: day.Add(24 * time.Hour)}
	start := make(chan struct{})
	var given atomic.Int64
	var wg sync.WaitGroup
	for i, db := range []*store.DB{a, b, a, b, a, b, a, b} {
		wg.Go(func() {
			<-start
			_, _, err := db.GiveKudos(store.Kudos{Giver: "UGIVER", Receivers: []string{fmt.Sprintf("UR%d", i)}, Text: "thanks", At: base}, allow, nil)
			var ae *store.AllowanceError
			switch {
			case err == nil:
				given.Add(1)
			case errors.As(err, &ae):
			default:
				t.Errorf("GiveKudos: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if g := given.Load(); g != 3 {
		t.Errorf("%d kudos given through two replicas with a limit of 3", g)
	}
	ks, err := a.KudosBetween(day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 3 {
		t.Errorf("%d kudos stored, want 3", len(ks))
	}
}
