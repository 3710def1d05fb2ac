package bot

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// SlackAPI lists the Slack Web API methods the bot calls, and nothing else.
// *slack.Client satisfies it; tests run the bot against the project's fake
// Slack (bot/slacktest) through a real *slack.Client, so the encoding of every
// call is exercised too. The manifest test maps each method here to the OAuth
// scope it needs, so adding a method means declaring its scope.
type SlackAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (string, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) ([]string, error)
	GetUserGroupsContext(ctx context.Context, options ...slack.GetUserGroupsOption) ([]slack.UserGroup, error)
	GetTeamProfileContext(ctx context.Context, teamID ...string) (*slack.TeamProfile, error)
	GetUserProfileContext(ctx context.Context, params *slack.GetUserProfileParameters) (*slack.UserProfile, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	GetUsersContext(ctx context.Context, options ...slack.GetUsersOption) ([]slack.User, error)
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
}

// Store is the part of the store the bot needs. *store.DB satisfies it.
type Store interface {
	// Leading is the epoch of this process's term as leader, 0 when it
	// does not lead or runs alone.
	Leading() int64
	// WatchOutbox signals when any process queues a message; nil when
	// this process is the only writer.
	WatchOutbox(ctx context.Context) <-chan struct{}
	eventStore
	peopleStore
	outboxStore
	kudosStore
	coffeeStore
	followupStore
	dataStore
	circleStore
}

type circleStore interface {
	AddCheckin(c store.Checkin, effects func(c store.Checkin) store.Effects) (store.Checkin, error)
	Checkins() ([]store.Checkin, error)
	RecordInTouch(a, b string, at time.Time, kind string) error
	CircleEntry(owner, other string) (store.CircleEntry, error)
	UpdateCircleEntry(owner, other string, f func(c *store.CircleEntry) error, e store.Effects) (store.CircleEntry, error)
	Lapsed(owner string, now time.Time, defaultDays, limit int) ([]store.CircleEntry, error)
	Circle(owner string) ([]store.CircleEntry, error)
	ReconnectOwners() ([]string, error)
}

type dataStore interface {
	UserExport(w io.Writer, user string, now time.Time) (store.UserDataCounts, error)
	ForgetUser(user string, now time.Time, effects func(affected []string) store.Effects) (store.ForgetStats, error)
	Compact() error
}

type eventStore interface {
	// ClaimEvent records key as handled and reports whether this was the
	// first claim. It makes at-least-once Slack deliveries effectively
	// exactly-once, across restarts too.
	ClaimEvent(key string, at time.Time) (first bool, err error)
}

type peopleStore interface {
	Person(id string) (store.Person, error)
	UpdatePerson(id string, f func(p *store.Person), e store.Effects) (store.Person, error)
	PersonIDs() ([]string, error)
	Celebrants() ([]store.Person, error)
	SetTeams(teams map[string][]string, scope []string) (int, error)
}

type outboxStore interface {
	Enqueue(o store.Outgoing) (store.Outgoing, bool, error)
	DueOutgoing(now time.Time, limit int) ([]store.Outgoing, error)
	NextOutgoingAt() (time.Time, bool, error)
	ClaimOutgoing(id uint64, now time.Time) (store.Outgoing, error)
	FinishOutgoing(id uint64, ts string, now time.Time) error
	FinishRenderedOutgoing(id uint64, ts, text string, blocks json.RawMessage, now time.Time) error
	FailOutgoing(id uint64, reason string, now time.Time) error
	DeferOutgoing(id uint64, notBefore time.Time, reason string, now time.Time) error
	FailPendingOutgoing(id uint64, reason string, now time.Time) error
	DeferPendingOutgoing(id uint64, notBefore time.Time, reason string, now time.Time) error
	StuckOutgoing() ([]store.Outgoing, error)
}

type kudosStore interface {
	GiveKudos(k store.Kudos, a store.Allowance, effects func(store.Kudos) store.Effects) (store.Kudos, int, error)
	FinishKudosPost(id, kudosID uint64, channel, ts string, now time.Time) error
	FailKudosPost(id uint64, reason string, now time.Time, e store.Effects) error
	KudosByID(id uint64) (store.Kudos, error)
	KudosGivenCount(giver string, from, to time.Time) (int, error)
	KudosReceived(user string, limit int) ([]store.Kudos, error)
	KudosStats(from, to time.Time, top int) (store.KudosStats, error)
}

type coffeeStore interface {
	CoffeeMember(user string) (store.CoffeeMember, error)
	UpdateCoffeeMember(user string, f func(m *store.CoffeeMember) error, e store.Effects) (store.CoffeeMember, bool, error)
	RemoveCoffeeMember(user string, e store.Effects) (bool, error)
	CoffeeMembers() ([]store.CoffeeMember, error)
	Round(id uint64) (store.Round, error)
	Rounds() ([]store.Round, error)
	RoundsBetween(from, to time.Time) ([]store.Round, error)
	RoundAt(at time.Time) (store.Round, error)
	LastRound() (store.Round, bool, error)
	CreateRound(r store.Round) (store.Round, bool, error)
	CloseRound(roundID uint64, f func(r *store.Round, members map[string]*store.CoffeeMember) error) error
	CoffeeMeetings(since time.Time) ([]store.CoffeeMeeting, error)
	UpdateRoundGroup(roundID uint64, group int, f func(g *store.CoffeeGroup) error, effects func(g store.CoffeeGroup) store.Effects) (store.CoffeeGroup, error)
}

type followupStore interface {
	AddFollowup(f store.Followup, effects func(f store.Followup) store.Effects) (store.Followup, error)
	Followup(id uint64) (store.Followup, error)
	UpdateFollowup(id uint64, f func(fu *store.Followup) error, effects func(fu store.Followup) store.Effects) (store.Followup, error)
	UpdateFollowups(ids []uint64, f func(fu *store.Followup) error, effects store.Effects) error
	DeleteFollowup(id uint64, withdraw string, effects func(f store.Followup, withdrawn store.OutboxState) (store.Effects, error)) (store.Followup, error)
	FollowupsDue(now time.Time, limit int) ([]store.Followup, error)
	FollowupsOwnedBy(owner string) ([]store.Followup, error)
	FollowupsOwedTo(user string) ([]store.Followup, error)
	OutgoingByKey(key string) (store.Outgoing, error)
}
