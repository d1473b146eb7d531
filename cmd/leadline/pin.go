package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/leadline/leadline/program"
)

const pinUsage = `Usage:
  leadline pin

Prints the pin_hash (bcrypt) of an officer's voice-line PIN, for the
config. On a terminal the PIN is asked for twice, without echo; otherwise
the first line of stdin is read. The PIN is never an argument, so it stays
out of shell history and process lists.

Environment: none.
`

// pinCmd prints the pin_hash for an officer's voice-line PIN.
func pinCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := newCommand("pin", pinUsage, stdout, stderr)
	if err := cmd.parse(args); err != nil {
		return err
	}
	if cmd.NArg() > 0 {
		return cmd.misuse("pin takes no arguments: the PIN is asked for")
	}
	pin, err := readPIN(stdin, stderr)
	if err != nil {
		return err
	}
	h, err := program.HashPIN(pin)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, h)
	return err
}

// readPIN asks twice without echo when stdin is a terminal, else reads one
// line.
func readPIN(stdin io.Reader, prompt io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(label string) (string, error) {
			fmt.Fprint(prompt, label)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(prompt)
			if err != nil {
				return "", fmt.Errorf("read PIN: %w", err)
			}
			return strings.TrimSpace(string(b)), nil
		}
		pin, err := ask("PIN: ")
		if err != nil {
			return "", err
		}
		again, err := ask("PIN again: ")
		if err != nil {
			return "", err
		}
		if pin != again {
			return "", errors.New("the two PINs differ")
		}
		return pin, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read PIN: %w", err)
	}
	return strings.TrimSpace(line), nil
}
