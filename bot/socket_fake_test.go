package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/rapport-bot/rapport/bot"
	"github.com/rapport-bot/rapport/bot/slacktest"
	"github.com/rapport-bot/rapport/store"
	"github.com/rapport-bot/rapport/store/storetest"
)

// fakeSocket is bot.Socket without a websocket: the test puts envelopes in
// events and reads the bot's acks from acks.
type fakeSocket struct {
	events chan socketmode.Event
	acks   chan string
}

func newFakeSocket() *fakeSocket {
	return &fakeSocket{events: make(chan socketmode.Event, 8), acks: make(chan string, 8)}
}

func (s *fakeSocket) RunContext(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func (s *fakeSocket) Incoming() <-chan socketmode.Event { return s.events }

func (s *fakeSocket) AckCtx(_ context.Context, envelopeID string, _ any) error {
	s.acks <- envelopeID
	return nil
}

// userChangeEnvelope is a user_change event as slack-go hands it over.
func userChangeEnvelope(envelopeID string, u slackevents.User) socketmode.Event {
	inner := &slackevents.UserChangeEvent{Type: "user_change", User: u}
	return socketmode.Event{
		Type: socketmode.EventTypeEventsAPI,
		Data: slackevents.EventsAPIEvent{
			Type:       slackevents.CallbackEvent,
			Data:       &slackevents.EventsAPICallbackEvent{Type: "event_callback", EventID: "Ev" + envelopeID},
			InnerEvent: slackevents.EventsAPIInnerEvent{Type: "user_change", Data: inner},
		},
		Request: &socketmode.Request{Type: "events_api", EnvelopeID: envelopeID},
	}
}

// Ensure the user_change handler maps Slack's profile onto the stored one
// field by field: the zone, a guest of either kind, deactivation; what the
// event does not carry (is_stranger; locale when absent) stays as
// users.info said; and someone Rapport never dealt with is not stored.
// The bot runs on a fake socket: only the handler is the point here.
func TestUserChangeHandler(t *testing.T) {
	srv := slacktest.New(slacktest.Options{})
	t.Cleanup(srv.Close)
	db := storetest.MustOpen(t)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if _, err := db.UpdatePerson("UALICE", func(p *store.Person) {
		p.Name, p.TZ, p.Locale, p.IsStranger, p.Updated = "alice", "Europe/Berlin", "de-DE", true, now.Add(-time.Hour)
	}, store.Effects{}); err != nil {
		t.Fatal(err)
	}
	sock := newFakeSocket()
	handled := make(chan string, 8)
	api := slack.New("xoxb-test-bot-token", slack.OptionAPIURL(srv.APIURL()))
	b, err := bot.New(api, sock, db, bot.Options{
		Now:       func() time.Time { return now },
		OnHandled: func(id string) { handled <- id },
	}, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	deliver := func(id string, u slackevents.User) {
		t.Helper()
		sock.events <- userChangeEnvelope(id, u)
		for _, ch := range []chan string{sock.acks, handled} {
			select {
			case got := <-ch:
				if got != id {
					t.Fatalf("got envelope %s, want %s", got, id)
				}
			case <-time.After(deadline):
				t.Fatalf("envelope %s was not acked and handled", id)
			}
		}
	}

	deliver("1", slackevents.User{ID: "UALICE", Name: "alice", TZ: "Asia/Tokyo", IsUltraRestricted: true, Deleted: true})
	p, err := db.Person("UALICE")
	switch {
	case err != nil:
		t.Fatal(err)
	case p.TZ != "Asia/Tokyo" || !p.IsRestricted || !p.Deleted || !p.Updated.Equal(now):
		t.Errorf("after user_change: %+v, want Tokyo, a guest, deactivated, refreshed now", p)
	case p.Locale != "de-DE" || !p.IsStranger:
		t.Errorf("after user_change: %+v, want the locale and is_stranger users.info gave kept", p)
	}

	deliver("2", slackevents.User{ID: "UCAROL", Name: "carol", TZ: "Asia/Tokyo"})
	if _, err := db.Person("UCAROL"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Person(UCAROL) = %v, want ErrNotFound", err)
	}
}

// stopOnAckSocket is fakeSocket that runs stop when the bot acks its
// first envelope: the bot is told to stop with envelopes still unread.
type stopOnAckSocket struct {
	*fakeSocket
	stop func()
	once sync.Once
}

func (s *stopOnAckSocket) AckCtx(ctx context.Context, envelopeID string, payload any) error {
	s.once.Do(s.stop)
	return s.fakeSocket.AckCtx(ctx, envelopeID, payload)
}

// Ensure a bot told to stop answers every envelope its socket had already
// read before it closes the socket: Slack sent them to this connection and
// retries a slash command nowhere else, so in a rolling restart they
// would go unanswered. The stop comes while acking the first of eight.
func TestStopAnswersEnvelopesAlreadyRead(t *testing.T) {
	srv := slacktest.New(slacktest.Options{})
	t.Cleanup(srv.Close)
	const n = 8
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sock := &stopOnAckSocket{fakeSocket: &fakeSocket{events: make(chan socketmode.Event, n), acks: make(chan string, n)}, stop: cancel}
	for i := range n {
		sock.events <- userChangeEnvelope(fmt.Sprint(i), slackevents.User{ID: "UNOBODY", Name: "nobody", TZ: "UTC"})
	}
	api := slack.New("xoxb-test-bot-token", slack.OptionAPIURL(srv.APIURL()))
	b, err := bot.New(api, sock, storetest.MustOpen(t), bot.Options{}, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(sock.acks); got != n {
		t.Errorf("acked %d of the %d envelopes read before the stop, want all", got, n)
	}
}
