package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/leadline/leadline/program"
)

var (
	// errUsage means the command was misused and has said how; run exits 2.
	errUsage = errors.New("usage")
	// errHelp means --help was asked for and shown; run exits 0.
	errHelp = errors.New("help shown")
)

// command is one command's flags and usage. --help prints the usage (which
// ends with the environment the command reads) to stdout; a misuse prints
// what is wrong and the usage to stderr.
type command struct {
	*flag.FlagSet
	usage          string
	stdout, stderr io.Writer
}

func newCommand(name, usage string, stdout, stderr io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse reports errors itself
	fs.Usage = func() {}
	return &command{FlagSet: fs, usage: usage, stdout: stdout, stderr: stderr}
}

// parse parses args: errHelp after showing the usage for -h or --help,
// errUsage after saying what is wrong.
func (c *command) parse(args []string) error {
	err := c.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		c.printUsage(c.stdout)
		return errHelp
	}
	return c.misuse("%v", err)
}

// misuse reports a misuse with the usage; run exits 2.
func (c *command) misuse(format string, a ...any) error {
	fmt.Fprintf(c.stderr, "leadline %s: %s\n\n", c.Name(), fmt.Sprintf(format, a...))
	c.printUsage(c.stderr)
	return errUsage
}

func (c *command) printUsage(w io.Writer) {
	fmt.Fprint(w, c.usage)
	fmt.Fprintf(w, "\nFlags of %s:\n", c.Name())
	c.SetOutput(w)
	c.PrintDefaults()
	c.SetOutput(io.Discard)
}

// durationFlag is a duration flag that reads what the config reads: Go
// durations (90m, 36h) and whole days (2d).
type durationFlag struct{ d time.Duration }

func (f *durationFlag) String() string {
	if f == nil || f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f *durationFlag) Set(s string) error {
	d, err := program.ParseDuration(s)
	if err != nil {
		return err
	}
	f.d = d
	return nil
}

// durationVar defines a duration flag (see durationFlag).
func (c *command) durationVar(name, help string) *time.Duration {
	f := &durationFlag{}
	c.Var(f, name, help)
	return &f.d
}
