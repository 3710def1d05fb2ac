package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// Ensure GiveKudos commits the kudos and its effects together: all of them
// when it is stored, none when the allowance refuses it or an effect is
// invalid.
func TestGiveKudosEffects(t *testing.T) {
	db := storetest.MustOpen(t)
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	a := store.Allowance{Limit: 1, From: day, To: day.Add(24 * time.Hour)}
	at := day.Add(15 * time.Hour)
	effects := func(extra ...store.Outgoing) func(store.Kudos) store.Effects {
		return func(k store.Kudos) store.Effects {
			return store.Effects{
				InTouch: []store.InTouch{{A: k.Giver, B: k.Receivers[0], At: k.At, Kind: store.InTouchKudos}},
				Outbox: append([]store.Outgoing{
					{Key: fmt.Sprintf("kudos:%d:post", k.ID), Channel: "CGENERAL", Text: "post", NotBefore: at},
					{Key: fmt.Sprintf("kudos:%d:dm:%s", k.ID, k.Receivers[0]), User: k.Receivers[0], Text: "dm", After: fmt.Sprintf("kudos:%d:post", k.ID), NotBefore: at},
				}, extra...),
			}
		}
	}

	// An invalid effect: nothing at all.
	if _, _, err := db.GiveKudos(store.Kudos{Giver: "UALICE", Receivers: []string{"UBOB"}, Text: "for the deploy", At: at}, a, effects(store.Outgoing{Text: "no key"})); err == nil {
		t.Fatal("GiveKudos with an invalid effect succeeded")
	}
	if n, _ := db.KudosGivenCount("UALICE", a.From, a.To); n != 0 {
		t.Errorf("a kudos whose effects failed was stored (%d given)", n)
	}
	if due, _ := db.DueOutgoing(at.Add(time.Hour), 0); len(due) != 0 {
		t.Errorf("a kudos whose effects failed queued %+v", due)
	}
	if c, _ := db.Circle("UALICE"); len(c) != 0 {
		t.Errorf("a kudos whose effects failed put people in touch: %+v", c)
	}

	// Stored: the kudos, the pair, the messages in order.
	k, _, err := db.GiveKudos(store.Kudos{Giver: "UALICE", Receivers: []string{"UBOB"}, Text: "for the deploy", At: at}, a, effects())
	if err != nil {
		t.Fatal(err)
	}
	due, err := db.DueOutgoing(at.Add(time.Hour), 0)
	if err != nil || len(due) != 2 || due[0].Key != fmt.Sprintf("kudos:%d:post", k.ID) || due[1].After != due[0].Key {
		t.Fatalf("outbox = %+v, %v; want the post then the DM waiting for it", due, err)
	}
	if _, err := db.CircleEntry("UALICE", "UBOB"); err != nil {
		t.Errorf("the pair is not in touch: %v", err)
	}

	// Refused by the allowance: no effects.
	_, _, err = db.GiveKudos(store.Kudos{Giver: "UALICE", Receivers: []string{"UCAROL"}, Text: "for the docs", At: at}, a, effects())
	if !errors.Is(err, store.ErrAllowanceExceeded) {
		t.Fatalf("second kudos = %v, want refused", err)
	}
	if due, _ := db.DueOutgoing(at.Add(time.Hour), 0); len(due) != 2 {
		t.Errorf("a refused kudos queued messages: %+v", due)
	}

	// The post delivered: item sent and the kudos points at it, together.
	post := due[0]
	if _, err := db.ClaimOutgoing(post.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishKudosPost(post.ID, k.ID, "CGENERAL", "1700000000.000100", at); err != nil {
		t.Fatal(err)
	}
	got, _ := db.KudosByID(k.ID)
	sent, _ := db.OutgoingByKey(post.Key)
	if got.Channel != "CGENERAL" || got.MessageTS != "1700000000.000100" || sent.State != store.OutboxSent || sent.SentTS != "1700000000.000100" {
		t.Errorf("after FinishKudosPost: kudos %+v, item %+v", got, sent)
	}
	if err := db.FinishKudosPost(post.ID, k.ID, "CGENERAL", "1700000000.000200", at); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finishing a sent post again = %v, want ErrConflict", err)
	}
}

// Ensure FailKudosPost fails the post and queues the note in one
// transaction, and neither when the post is already settled.
func TestFailKudosPost(t *testing.T) {
	db := storetest.MustOpen(t)
	at := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	post, _, err := db.Enqueue(store.Outgoing{Key: "kudos:1:post", Channel: "CSECRET", Text: "post", NotBefore: at})
	if err != nil {
		t.Fatal(err)
	}
	note := store.Effects{Outbox: []store.Outgoing{{Key: "kudos:1:unposted", User: "UALICE", Text: "couldn't post it", After: "kudos:1:post", NotBefore: at}}}
	if err := db.FailKudosPost(post.ID, "not_in_channel", at, note); err != nil {
		t.Fatal(err)
	}
	failed, _ := db.OutgoingByKey("kudos:1:post")
	queued, err := db.OutgoingByKey("kudos:1:unposted")
	if failed.State != store.OutboxFailed || failed.LastError != "not_in_channel" || err != nil || queued.State != store.OutboxPending {
		t.Errorf("after FailKudosPost: post %+v, note %+v, %v", failed, queued, err)
	}
	other := store.Effects{Outbox: []store.Outgoing{{Key: "kudos:1:other", User: "UALICE", Text: "x", NotBefore: at}}}
	if err := db.FailKudosPost(post.ID, "again", at, other); !errors.Is(err, store.ErrConflict) {
		t.Errorf("failing a failed post = %v, want ErrConflict", err)
	}
	if _, err := db.OutgoingByKey("kudos:1:other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused FailKudosPost queued its note: %v", err)
	}
}
