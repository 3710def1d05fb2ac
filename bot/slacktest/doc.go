// Package slacktest is Rapport's fake Slack for end-to-end tests and the
// sandbox REPL: an HTTP server on 127.0.0.1 that answers the Web API the bot
// uses and serves a Socket Mode websocket, so the real bot, built on
// slack-go's *slack.Client and *socketmode.Client, runs against it exactly as
// against Slack. It does not depend on package testing.
//
// # What it fakes
//
// Web API (under APIURL, form-encoded or JSON as slack-go sends them; bot
// methods need an "xoxb-" token, else invalid_auth, or not_authed when
// missing): auth.test, chat.postMessage, chat.postEphemeral, chat.update,
// chat.delete, chat.getPermalink, conversations.open, conversations.members,
// conversations.info, users.info, users.list, usergroups.list, usergroups.users.list, users.profile.get, team.profile.get,
// views.publish, views.open, views.push, views.update, reactions.add,
// files.getUploadURLExternal, the upload URL, files.completeUploadExternal,
// and apps.connections.open (needs an "xapp-" Bearer token). Any other method
// answers {"ok":false,"error":"unknown_method"}. Errors are Slack's codes at
// HTTP 200 (channel_not_found, user_not_found, user_disabled, too_many_users,
// message_not_found, no_text, invalid_blocks, hash_conflict,
// expired_trigger_id, already_reacted, …).
//
// Socket Mode (at /link/, with a fresh single-use ticket from each
// apps.connections.open): a hello frame on connect, websocket PINGs every
// Options.PingInterval, envelopes (slash_commands, events_api with the full
// event_callback wrapper, interactive) that wait for the bot's ack, and the
// connection faults Disconnect, DropSocket, DropConnection and StopPings.
//
// Several processes may hold a connection each, as on Slack: up to
// MaxConnections (10) open at once; one more is told "too_many_websockets"
// in a disconnect frame and closed. Envelopes go to the open connections in
// turn (Options.PinNewest sends them all to the newest). An Events API
// envelope not acked within Options.EventAckTimeout (3s), or whose socket
// closes, is retried like Slack retries it: a new envelope with the same
// event_id and retry_attempt one higher, on another connection when there
// is one, at most three times (Options.EventRetryDelays). Slash commands and
// interactions are never retried. Deliveries tells which connection got
// each envelope; OpenConnections and WaitOpenConnections which are open.
//
// A small team directory (AddUser, AddChannel, AddUserGroup) answers
// users.info and friends, and the bot's visible output is kept per channel
// (Messages): posts, ephemeral posts, updates and deletes, posts to a
// response_url, slash-command ack payloads with text or blocks (as Slack
// shows them), and shared files.
//
// What the bot made visible is also kept in order, as a feed of Changes
// (posts, edits, deletions, dialogs opened and updated, Home tabs
// published), and RenderBlocks, RenderView and RenderText draw Block Kit
// as the text a person would read, with Actions listing what can be
// clicked: the sandbox (rapport sandbox) is built on these.
//
// # Using it
//
//	srv := slacktest.New(slacktest.Options{})
//	t.Cleanup(srv.Close)
//	srv.AddUser(slacktest.User{ID: "U1", Name: "alice", TZ: "Europe/Paris"})
//	srv.AddChannel("C1", "general", false, "U1", "UBOT")
//
//	api := slack.New("xoxb-test", slack.OptionAppLevelToken("xapp-test"),
//		slack.OptionAPIURL(srv.APIURL()))
//	// ... start the bot with api and socketmode.New(api) ...
//	if err := srv.WaitConnected(ctx); err != nil { ... }
//
//	ack, err := srv.SlashCommand(ctx, slack.SlashCommand{
//		Command: "/kudos", Text: "<@U2> for the docs", UserID: "U1", ChannelID: "C1"})
//	call, err := srv.WaitForCall(ctx, "chat.postMessage", func(c slacktest.Call) bool {
//		return c.Params["channel"] == "C1"
//	})
//	msgs := srv.Messages("C1")
//
// Every wait takes a context; give it a deadline. Nothing in the package
// sleeps to let things happen.
//
// # Things to know
//
//   - Keep Options.PingInterval (default 200ms) well below the client's
//     socketmode.OptionPingInterval (slack-go default 30s, fine). A client
//     interval of 1s or more is safe with the default server interval.
//   - Channels must exist: add them with AddChannel. Conversations that an
//     injected envelope mentions (a slash command's channel_id, an event's
//     "channel", an interaction's channel) are registered automatically, and
//     the bot's DM with any known user exists (DMChannel gives its ID;
//     posting to a "U…" ID lands there). A private channel whose member list
//     lacks the bot answers channel_not_found, and chat.postMessage to a
//     public one answers not_in_channel; with no member list, membership
//     is not checked.
//   - A call is recorded after its effects, so once WaitForCall returns, the
//     stored message or view is visible. Faulted calls are recorded too.
//   - Injection methods return the bot's ack (for an event, of whichever
//     attempt was acked first). If the socket of a slash command or an
//     interaction closes first they return ErrSocketClosed and the test may
//     re-send (Send takes an explicit envelope ID); an event is retried
//     instead. With no socket open they wait for one, like Slack queues
//     deliveries.
//   - Trigger IDs the fake issues expire after Options.TriggerTTL (3s, as on
//     Slack); use Options.Now to move the clock in tests. Trigger IDs it did
//     not issue are accepted.
//   - Not modelled: rate limits (inject them with InjectFaults), the
//     response_url five-use limit, the modal stack depth, and the error a
//     person sees when a slash command or interaction is not acked in 3s
//     (its late ack payload is still shown).
package slacktest
