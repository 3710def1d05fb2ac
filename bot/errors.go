package bot

import (
	"errors"
	"fmt"
)

// userError is an error meant for the person who caused it: its message is
// shown to them as is (ephemerally), and it is not logged as a failure.
// Anything else a handler returns is logged and shown as genericError.
type userError struct {
	msg string
}

func (e *userError) Error() string { return e.msg }

// userErrorf formats a message for the person; it is written in plain,
// friendly words because they will read it.
func userErrorf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...)}
}

// userMessage returns what to show a person for err, and whether err is an
// internal failure that should be logged.
func userMessage(err error) (msg string, internal bool) {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.msg, false
	}
	return genericError, true
}

const (
	genericError = "Something went wrong on my side; it has been logged. Please try again in a moment."
	apology      = "Sorry, something went wrong on my side while handling that. It has been logged, and I'm still here: please try again."
)
