package bot

import (
	"errors"
	"fmt"
)

// userError is an error meant for the person who caused it: its message is
// shown to them as is (ephemerally), and it is not logged as a failure.
// Anything else a handler returns is logged and shown as genericError.
type userError struct {
	msg   string
	cause error // a failure behind the message, logged; nil for bad input
}

func (e *userError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e *userError) Unwrap() error { return e.cause }

// userErrorf formats a message for the person; it is written in plain,
// friendly words because they will read it.
func userErrorf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...)}
}

// notSaved is the error of an action whose store transaction failed:
// nothing of it was done, the person is told so in plain words (what names
// the action, "your answer"), and cause is logged.
func notSaved(cause error, what string) error {
	return &userError{msg: fmt.Sprintf("Sorry, I couldn't save %s, so nothing was changed. Please try again in a moment.", what), cause: cause}
}

// userMessage returns what to show a person for err, and whether err is an
// internal failure that should be logged.
func userMessage(err error) (msg string, internal bool) {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.msg, ue.cause != nil
	}
	return genericError, true
}

const (
	genericError = "Something went wrong on my side; it has been logged. Please try again in a moment."
	apology      = "Sorry, something went wrong on my side while handling that. It has been logged, and I'm still here: please try again."
)
