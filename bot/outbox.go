package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// The outbox is the durable path for messages that need not (or must not)
// go out at once: DMs that wait for the recipient's working hours, and
// scheduled posts. An item is written to the store first, with a key that
// makes enqueueing idempotent, and delivered by the outbox loop, by the
// scheduler's tick, or straight away after enqueueing when it is due.
//
// Delivery is claim → send → finish: an item claimed but never finished (a
// crash mid-send) is sent again after a restart, so a crash can cause at
// most one duplicate, and only when Slack gave no answer.

// staleClaimMargin is added to Options.SendTimeout for how old a claim by
// another leader's term must be before a new leader reads it back: by then
// that leader's send has finished or given up.
const staleClaimMargin = 5 * time.Second

const (
	afterPoll         = 2 * time.Second  // how soon an item waiting for another looks again
	outboxBatch       = 100              // items per drain
	outboxMaxAttempts = 8                // then the item is failed
	outboxIdle        = 30 * time.Second // longest sleep of the loop
)

// enqueue stores o for delivery and wakes the outbox loop.
func (b *Bot) enqueue(o store.Outgoing) error {
	if o.NotBefore.IsZero() {
		o.NotBefore = b.opts.Now()
	}
	if _, _, err := b.store.Enqueue(o); err != nil {
		return fmt.Errorf("bot: enqueue %s: %w", o.Key, err)
	}
	b.kickOutbox()
	return nil
}

// A renderer builds an outbox item's message at delivery (store.Outgoing's
// Render names it): for messages that show what is only known then, such
// as the link to a post sent just before. skip means there is nothing to
// send any more (the item is finished unsent); an error is a store error.
type renderer func(ctx context.Context, o store.Outgoing) (text string, blocks []slack.Block, skip bool, err error)

// A deliveredHook finishes an outbox item sent at ts in channel, in place
// of store.FinishOutgoing, for items whose sending must be recorded with
// something else in one transaction (a kudos post's ts on the kudos).
type deliveredHook func(o store.Outgoing, channel, ts string) error

// A failedHook gives an outbox item up for good, in place of
// store.FailOutgoing, for items whose failure must cause something in the
// same transaction (telling a kudos giver that the post was not made).
type failedHook func(o store.Outgoing, cause error) error

// effectsDueAt makes the messages of an action's effects due at now, on
// the bot's clock, unless they say otherwise: the store stamps an item
// without a NotBefore with its own clock, which need not be the bot's.
func effectsDueAt(e store.Effects, now time.Time) store.Effects {
	out := slices.Clone(e.Outbox)
	for i := range out {
		if out[i].NotBefore.IsZero() {
			out[i].NotBefore = now
		}
	}
	e.Outbox = out
	return e
}

func (b *Bot) kickOutbox() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// encodeBlocks is how blocks are kept in the outbox.
func encodeBlocks(blocks []slack.Block) json.RawMessage {
	if len(blocks) == 0 {
		return nil
	}
	raw, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		return nil // rendering bugs surface in golden tests; the text still goes
	}
	return raw
}

func decodeBlocks(raw json.RawMessage) []slack.Block {
	if len(raw) == 0 {
		return nil
	}
	var bs slack.Blocks
	if err := json.Unmarshal(raw, &bs); err != nil {
		return nil
	}
	return bs.BlockSet
}

// outboxLoop delivers due items until ctx ends: at start (including items a
// crash left half-sent), whenever something is enqueued, and when the next
// item falls due. requeued is called once the half-sent items are resolved.
func (b *Bot) outboxLoop(ctx context.Context, stop <-chan struct{}, requeued func()) {
	if err := b.requeueStuck(ctx); err != nil {
		b.log.Error("outbox: requeue after restart failed", "err", err)
	}
	requeued()
	for {
		if _, err := b.DeliverDue(ctx, b.opts.Now()); err != nil && !b.stopping.Load() {
			b.log.Error("outbox: delivery failed", "err", err)
		}
		wait := outboxIdle
		if next, ok, err := b.store.NextOutgoingAt(); err == nil && ok {
			wait = min(wait, max(next.Sub(b.opts.Now()), 10*time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-stop:
			t.Stop()
			return
		case <-ctx.Done():
			t.Stop()
			return
		case <-b.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// outboxEventType names the message metadata that carries an outbox key.
const outboxEventType = "rapport_outbox"

// requeueStuck resolves items a crash left in "sending": the post may or
// may not have reached Slack. It reads back the latest messages of the
// target conversation; an item whose key is there is recorded as sent,
// the others go back in the queue (an edit always does: editing twice
// is harmless). So a crash never sends anything twice
// when Slack answered, and at most once more when it did not.
func (b *Bot) requeueStuck(ctx context.Context) error {
	stuck, err := b.store.StuckOutgoing()
	if err != nil {
		return err
	}
	now := b.opts.Now()
	for _, o := range stuck {
		// Claimed by an earlier leader, which may be paused rather than
		// dead: read it back only once that leader's send would have
		// timed out, so it cannot post after we looked.
		if epoch := b.store.Leading(); o.ClaimEpoch != epoch {
			if wait := time.Until(o.Updated.Add(b.opts.SendTimeout + staleClaimMargin)); wait > 0 {
				b.log.Info("outbox: waiting for an earlier leader's send to time out", "key", o.Key, "wait", wait.Round(time.Second))
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		if ts, found := b.findPosted(ctx, o); found && o.UpdateTS == "" {
			finish := func() error { return b.store.FinishOutgoing(o.ID, ts, now) }
			if hook := b.onDelivered[o.Render]; hook != nil && o.Channel != "" {
				finish = func() error { return hook(o, o.Channel, ts) }
			}
			if err := finish(); err != nil {
				return err
			}
			b.log.Info("outbox: an item interrupted by a restart had been posted", "key", o.Key)
			continue
		}
		if err := b.store.DeferOutgoing(o.ID, now, "interrupted by a restart", now); err != nil {
			return err
		}
		b.log.Warn("outbox: resending an item interrupted by a restart", "key", o.Key)
	}
	return nil
}

// findPosted looks for o's key in the metadata of the latest messages of
// its conversation. Any failure means "not known to be posted".
func (b *Bot) findPosted(ctx context.Context, o store.Outgoing) (string, bool) {
	channel := o.Channel
	if channel == "" {
		var err error
		if channel, err = b.openDM(ctx, o.User); err != nil {
			return "", false
		}
	}
	var resp *slack.GetConversationHistoryResponse
	err := b.send.call(ctx, "conversations.history", func(ctx context.Context) error {
		var err error
		resp, err = b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 100, IncludeAllMetadata: true})
		return err
	})
	if err != nil {
		b.log.Warn("outbox: could not read back a conversation", "key", o.Key, "err", err)
		return "", false
	}
	for _, m := range resp.Messages {
		if m.Metadata.EventType == outboxEventType && m.Metadata.EventPayload["key"] == o.Key {
			return m.Timestamp, true
		}
	}
	return "", false
}

// DeliverDue sends every outbox item due at now, oldest first, and returns
// how many were sent. The scheduler's tick calls it with the tick's instant,
// so moving time in tests and the sandbox delivers what falls due.
func (b *Bot) DeliverDue(ctx context.Context, now time.Time) (int, error) {
	b.delivering.Lock() // one drain at a time keeps per-channel order
	defer b.delivering.Unlock()
	sent := 0
	for {
		items, err := b.store.DueOutgoing(now, outboxBatch)
		if err != nil {
			return sent, err
		}
		if len(items) == 0 {
			return sent, nil
		}
		for _, o := range items {
			if b.stopping.Load() {
				return sent, nil // shutting down: the rest waits for the next start
			}
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
			ok, err := b.deliver(ctx, now, o)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(items) < outboxBatch {
			return sent, nil
		}
	}
}

// deliver sends one item, or defers it (outside working hours, transient
// failure) or fails it (muted, deactivated, permanent error). It returns
// an error only when the store fails.
func (b *Bot) deliver(ctx context.Context, now time.Time, o store.Outgoing) (bool, error) {
	log := b.log.With("key", o.Key, "user", o.User, "channel", o.Channel)
	if o.Expired(now) {
		// A heads-up for a round that has started: late is worse than never.
		log.Debug("outbox: dropped, it expired before it could be sent", "expires", o.Expires)
		return false, b.settlePending(b.store.FailPendingOutgoing(o.ID, "expired", now))
	}
	if stale, err := b.outgoingStale(o); err != nil {
		return false, err
	} else if stale {
		log.Debug("outbox: dropped, it no longer fits its person")
		return false, b.settlePending(b.store.FailPendingOutgoing(o.ID, "no longer applies", now))
	}
	if o.After != "" {
		// Order across items: a DM linking to a post waits for the post.
		first, err := b.store.OutgoingByKey(o.After)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Pruned long ago, or never queued: nothing to wait for.
		case err != nil:
			return false, err
		case first.State == store.OutboxPending || first.State == store.OutboxSending:
			at := now.Add(afterPoll)
			switch {
			case first.State == store.OutboxPending && !first.NotBefore.After(now):
				// Due, only behind this one (a restart put it back in the
				// queue later): due at the same instant, this one comes
				// next after it, by ID, in this very drain.
				at = first.NotBefore
			case first.NotBefore.After(at):
				at = first.NotBefore
			}
			return false, b.settlePending(b.store.DeferPendingOutgoing(o.ID, at, "waiting for "+o.After, now))
		}
	}
	if o.User != "" && (o.Kind != "" || o.RespectHours || o.Channel == "") {
		p, err := b.person(ctx, o.User)
		switch {
		case errors.Is(err, errUnknownUser):
			return false, b.settlePending(b.store.FailPendingOutgoing(o.ID, "unknown user", now))
		case err != nil:
			return false, b.settlePending(b.store.DeferPendingOutgoing(o.ID, now.Add(time.Minute), "profile: "+err.Error(), now))
		case p.Deleted:
			return false, b.settlePending(b.store.FailPendingOutgoing(o.ID, "user deactivated", now))
		case o.Kind != "" && p.IsMuted(o.Kind):
			log.Debug("outbox: dropped, the person turned this kind off", "kind", o.Kind)
			return false, b.settlePending(b.store.FailPendingOutgoing(o.ID, "muted by the recipient", now))
		}
		if o.RespectHours {
			if next := b.workWeek(p).Next(now, b.location(p)); next.After(now) {
				if o.Expired(next) {
					log.Debug("outbox: dropped, it would expire before the person's working hours", "expires", o.Expires, "hours_start", next)
					return false, b.settlePending(b.store.FailPendingOutgoing(o.ID, "expires before the recipient's working hours", now))
				}
				return false, b.settlePending(b.store.DeferPendingOutgoing(o.ID, next, "outside working hours", now))
			}
		}
	}
	if _, err := b.store.ClaimOutgoing(o.ID, now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return false, nil // another drain took it
		}
		return false, err
	}
	text, blocks := o.Text, decodeBlocks(o.Blocks)
	if o.Render != "" {
		render, ok := b.renderers[o.Render]
		if !ok {
			log.Error("outbox: no renderer for this item; it is sent as queued", "render", o.Render)
		} else {
			var skip bool
			var err error
			text, blocks, skip, err = render(ctx, o)
			if err != nil {
				return false, b.deliveryFailed(log, o, now, err)
			}
			if skip {
				log.Debug("outbox: nothing to send any more", "render", o.Render)
				return false, b.store.FinishOutgoing(o.ID, "", b.opts.Now())
			}
		}
	}
	channel := o.Channel
	var err error
	if channel == "" {
		channel, err = b.openDM(ctx, o.User)
	}
	var ts string
	switch {
	case err == nil && o.UpdateTS != "":
		if o.KudosPost != 0 {
			text, blocks = b.kudosPostNow(o.KudosPost, text, blocks)
		}
		ts = o.UpdateTS
		err = b.send.update(ctx, o.UpdateTS, message{Channel: channel, Text: text, Blocks: blocks})
	case err == nil:
		ts, err = b.send.post(ctx, message{Key: o.Key, Channel: channel, ThreadTS: o.ThreadTS, Text: text, Blocks: blocks})
		if err != nil && o.ResponseURL != "" && slices.Contains(errNotPostable, slackErrorCode(err)) {
			// The bot is not in the channel: post through the command's
			// response_url, visible to the channel, as Slack allows.
			ts, err = "", b.send.respond(ctx, o.ResponseURL, response{Text: text, Blocks: blocks, InChannel: true})
		}
	}
	if err == nil {
		if b.onDelivered != nil {
			if hook := b.onDelivered[o.Render]; hook != nil {
				return true, hook(o, channel, ts)
			}
		}
		if o.Render != "" {
			// What was sent is kept: forget-me edits Rapport's messages
			// from what the outbox says they say.
			return true, b.store.FinishRenderedOutgoing(o.ID, ts, text, encodeBlocks(blocks), b.opts.Now())
		}
		return true, b.store.FinishOutgoing(o.ID, ts, b.opts.Now())
	}
	return false, b.deliveryFailed(log, o, now, err)
}

// settlePending is the result of deferring or failing an item this worker
// had not claimed: a conflict means another worker claimed it since it was
// read, which is not an error; the item is theirs.
func (b *Bot) settlePending(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// deliveryFailed settles a claimed item whose sending (or rendering)
// failed: failed for good on a permanent error or the last attempt,
// otherwise retried later with a growing delay.
func (b *Bot) deliveryFailed(log *slog.Logger, o store.Outgoing, now time.Time, err error) error {
	if classify(err).label == "permanent" || o.Attempts+1 >= outboxMaxAttempts {
		if !warnNotInChannel(log, err) {
			log.Error("outbox: delivery failed for good", "err", err)
		}
		if hook := b.onFailed[o.Render]; hook != nil {
			return hook(o, err)
		}
		return b.store.FailOutgoing(o.ID, err.Error(), b.opts.Now())
	}
	retry := now.Add(time.Duration(1<<min(o.Attempts, 6)) * time.Minute)
	log.Warn("outbox: delivery failed; will retry", "err", err, "at", retry)
	return b.store.DeferOutgoing(o.ID, retry, err.Error(), b.opts.Now())
}
