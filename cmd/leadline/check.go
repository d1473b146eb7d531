package main

import (
	"fmt"
	"io"

	"github.com/leadline/leadline/program"
)

// checkCmd validates a config: a summary when it is good, every error (one
// a line, each with its file and item) when it is not.
func checkCmd(args []string, stdout io.Writer) error {
	path, err := configFlag("check", args)
	if err != nil {
		return err
	}
	p, err := program.Load(path)
	if err != nil {
		errs := flatten(err)
		for _, e := range errs {
			fmt.Fprintln(stdout, "error:", e)
		}
		fmt.Fprintf(stdout, "%d error(s) in %s\n", len(errs), path)
		return errReported
	}
	if err := p.WriteSummary(stdout); err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, "OK")
	return err
}

// flatten lists the leaves of joined errors, which nest when one loader
// joins another's.
func flatten(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, flatten(e)...)
	}
	return out
}
