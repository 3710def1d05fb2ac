package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/rapport-bot/rapport/store"
)

// myData answers /rapport my-data: a DM summarising everything stored about
// the person, with their records attached in the export format.
func (b *Bot) myData(ctx context.Context, cmd slashCommand) error {
	var buf bytes.Buffer
	counts, err := b.store.UserExport(&buf, cmd.user, b.opts.Now())
	if err != nil {
		return err
	}
	dm, err := b.openDM(ctx, cmd.user)
	if err != nil {
		return err
	}
	summary := fmt.Sprintf("*What Rapport stores about you*\n• kudos you gave: %d\n• kudos you received: %d\n• your follow-ups: %d\n• follow-ups owed to you: %d\n• coffee rounds you were in: %d (member now: %s)\n• your check-ins: %d\n• people in your stay-in-touch circle: %d\n\nYour records are attached as JSON (the export format). To delete everything about you: `/rapport forget-me`.",
		counts.KudosGiven, counts.KudosReceived, counts.Followups, counts.OwedToThem, counts.Rounds, yesNo(counts.Member), counts.Checkins, counts.CircleEntries)
	if _, err := b.send.post(ctx, message{Channel: dm, Text: summary}); err != nil {
		return err
	}
	err = b.send.call(ctx, "files.uploadV2", func(ctx context.Context) error {
		_, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(buf.Bytes()), FileSize: buf.Len(),
			Filename: "rapport-my-data.json", Title: "Your Rapport data", Channel: dm,
		})
		return err
	})
	if code := slackErrorCode(err); code == "missing_scope" || code == "not_allowed_token_type" {
		_, err = b.send.post(ctx, message{Channel: dm, Text: "I couldn't attach the file: this Rapport was installed without the `files:write` permission. Ask your Slack admin to reinstall it from the current manifest; your summary is above."})
	}
	if err != nil {
		return err
	}
	return b.answerText(ctx, cmd.origin, "I've sent you a DM with everything Rapport stores about you.")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// forgetMe opens the confirmation form of /rapport forget-me.
func (b *Bot) forgetMe(ctx context.Context, cmd slashCommand) error {
	view := renderForgetMeModal()
	return b.send.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.api.OpenViewContext(ctx, cmd.triggerID, view)
		return err
	})
}

// renderForgetMeModal is the confirmation form of /rapport forget-me.
func renderForgetMeModal() slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: forgetMeModalID,
		Title: plain("Forget me"), Submit: plain("Delete everything"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("*Delete everything Rapport stores about you?*\nYour follow-ups, check-ins and notes, your coffee membership and history, and your preferences are deleted. Kudos you gave or received stay for the other person, with you removed, and the messages Rapport posted that name you are edited to say \"a former teammate\". This can't be undone."),
			contextLine("Want a copy first? Cancel and use `/rapport my-data`."),
		}},
	}
}

// forgetMeSubmit deletes the person's data. Only the submitter's own data:
// the form carries no user ID to tamper with. What the deletion causes is
// committed with it: the edits of Rapport's messages that named them
// (queued by ForgetUser) and a Home refresh for everyone whose follow-ups,
// kudos or circle changed. The person is answered after the commit, by DM
// (a submitted modal has no other place to answer in): that it is done,
// or, when the store failed, that nothing was deleted.
func (b *Bot) forgetMeSubmit(ctx context.Context, in interaction) error {
	now := b.opts.Now()
	// The cause names the deletion, never the person: nothing left may name them.
	cause := fmt.Sprintf("forget:%d", now.UnixNano())
	st, err := b.store.ForgetUser(in.user, now, func(affected []string) store.Effects {
		var e store.Effects
		for _, u := range affected {
			e.Outbox = append(e.Outbox, homeRefresh(u, cause))
		}
		return effectsDueAt(e, now)
	})
	if err != nil {
		if dm := b.forgetDM(ctx, in.user); dm != "" {
			if _, perr := b.send.post(ctx, message{Channel: dm, Text: forgetFailedText}); perr != nil {
				return errors.Join(err, perr)
			}
		}
		return err // logged; the person has been told
	}
	b.kickOutbox()
	// bbolt keeps freed pages as they were: compact so the bytes are gone
	// from the file too. The data is already unreachable if this fails.
	if err := b.store.Compact(); err != nil {
		b.log.Error("compact after forget-me failed", "err", err)
	}
	b.dms.Delete(in.user)
	b.log.Info("user data forgotten", "user", in.user, "followups", st.Followups, "checkins", st.Checkins, "kudos_anonymised", st.KudosAnonymised, "edits", st.Edits, "homes", len(st.Affected))
	dm := b.forgetDM(ctx, in.user)
	b.dms.Delete(in.user)
	if dm == "" {
		return fmt.Errorf("forget-me %s: no DM to confirm in", in.user)
	}
	_, err = b.send.post(ctx, message{Channel: dm, Text: forgetDoneText})
	return err
}

// forgetDM is the person's DM with Rapport, or "" when it cannot be opened.
func (b *Bot) forgetDM(ctx context.Context, user string) string {
	dm, err := b.openDM(ctx, user)
	if err != nil {
		b.log.Warn("forget-me: could not open the DM to answer", "user", user, "err", err)
		return ""
	}
	return dm
}

const (
	forgetDoneText   = "Done: everything Rapport stored about you is deleted. If you use Rapport again, it starts fresh."
	forgetFailedText = "Sorry, I couldn't delete your data, so nothing was deleted. Please try again in a moment with `/rapport forget-me`."
)
