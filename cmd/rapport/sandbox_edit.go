package main

import (
	"errors"
	"io"
	"os"

	"golang.org/x/term"
)

// lineEditor reads one line typed at a terminal after showing prompt, with
// line editing (arrows, Home/End, Ctrl-A/E/K/U/W) and history (Up, Down).
// It returns io.EOF for Ctrl-D or Ctrl-C on an empty line.
type lineEditor func(prompt string) (string, error)

// newLineEditor edits lines read from rw, writing its echo and prompt to
// rw. raw, when not nil, puts the terminal in raw mode for the length of a
// read and returns the function that restores it: the rest of the sandbox
// writes plain lines, which need the terminal's usual newline handling.
func newLineEditor(rw io.ReadWriter, raw func() (restore func(), err error)) lineEditor {
	t := term.NewTerminal(rw, "")
	return func(prompt string) (string, error) {
		if raw != nil {
			restore, err := raw()
			if err != nil {
				return "", err
			}
			defer restore()
		}
		t.SetPrompt(prompt)
		return t.ReadLine()
	}
}

// terminalEditor is the line editor for a person at a terminal: in is
// standard input when it is a terminal, out where prompts go. It returns
// nil when in is not a terminal (a pipe, a file, /dev/null): then lines
// are read as they come, exactly as for a script.
func terminalEditor(in io.Reader, out io.Writer) lineEditor {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	fd := int(f.Fd())
	return newLineEditor(struct {
		io.Reader
		io.Writer
	}{f, out}, func() (func(), error) {
		old, err := term.MakeRaw(fd)
		if err != nil {
			return nil, err
		}
		return func() { _ = term.Restore(fd, old) }, nil
	})
}

// editLines reads lines with edit, each after the repl asks for it with
// its prompt (the prompt changes with :as and :advance, so a line is read
// only once the previous one has run). The channel closes at Ctrl-D or
// Ctrl-C on an empty line; another error is its last value.
func editLines(edit lineEditor, prompts <-chan string, stop <-chan struct{}) <-chan lineOrErr {
	ch := make(chan lineOrErr)
	go func() {
		defer close(ch)
		for {
			var prompt string
			select {
			case prompt = <-prompts:
			case <-stop:
				return
			}
			line, err := edit(prompt)
			if errors.Is(err, io.EOF) {
				return
			}
			select {
			case ch <- lineOrErr{line: line, err: err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}
