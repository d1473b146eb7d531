package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/leadline/leadline/program"
)

// pinCmd prints the pin_hash for an officer's voice-line PIN. The PIN is
// read from stdin, not an argument, so it stays out of shell history and
// process lists.
func pinCmd(stdin io.Reader, stdout io.Writer) error {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read PIN: %w", err)
	}
	h, err := program.HashPIN(strings.TrimSpace(line))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, h)
	return err
}
