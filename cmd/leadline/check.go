package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/program"
)

const checkUsage = `Usage:
  leadline check --config program.yaml [--env]
  leadline check --config - < program.yaml

Validates a config and the files it names (areas, places, address points):
a summary when it is good, every error with its file and item when it is
not (exit 1). With --config - the config is read from stdin and the files it
names are found from the current folder.

With --env it also checks the environment serve would read, as serve does
before it starts: the Twilio credentials, LEADLINE_PUBLIC_URL, the data key
(LEADLINE_DATA_KEY or LEADLINE_DATA_KEY_FILE: present, AES-256-GCM and
HMAC-SHA-256), the admin token (32 characters or more, not a few repeated),
REDIS_URL, LEADLINE_REDIS_SETTINGS and LEADLINE_DRAIN. Nothing is dialled.

Environment: with --env, what serve reads; otherwise none.
`

// checkCmd validates a config: a summary when it is good, every error (one
// a line, each with its file and item) when it is not.
func checkCmd(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := newCommand("check", checkUsage, stdout, stderr)
	config := cmd.String("config", "", `program config (YAML); "-" reads stdin`)
	withEnv := cmd.Bool("env", false, "check serve's environment too")
	if err := cmd.parse(args); err != nil {
		return err
	}
	if *config == "" || cmd.NArg() > 0 {
		return cmd.misuse("--config is required, and nothing else")
	}
	path := *config
	var p *program.Program
	var err error
	if path == "-" {
		data, rerr := io.ReadAll(stdin)
		if rerr != nil {
			return fmt.Errorf("read stdin: %w", rerr)
		}
		path = stdinName
		p, err = program.LoadFS(stdinFS{data: data}, stdinName)
	} else {
		p, err = program.Load(path)
	}
	var envErrs []error
	if *withEnv {
		envErrs = checkEnv(getenv)
	}
	if err != nil || len(envErrs) > 0 {
		var errs []error
		if err != nil {
			errs = flatten(err)
		}
		for _, line := range foldErrors(errs) {
			fmt.Fprintln(stdout, "error:", line)
		}
		for _, e := range envErrs {
			fmt.Fprintln(stdout, "error: environment:", e)
		}
		fmt.Fprintf(stdout, "%d error(s) in %s\n", len(errs)+len(envErrs), path)
		if len(envErrs) > 0 {
			fmt.Fprintf(stdout, "(%d of them in the environment)\n", len(envErrs))
		}
		return errReported
	}
	if err := p.WriteSummary(stdout); err != nil {
		return err
	}
	for _, w := range p.Warnings() {
		fmt.Fprintln(stdout, "warning:", w)
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

// stdinName is what errors call a config read from stdin.
const stdinName = "stdin"

// stdinFS serves the config read from stdin as stdinName and every other
// file from the current folder, as Load would beside a config there.
type stdinFS struct{ data []byte }

func (f stdinFS) Open(name string) (fs.File, error) {
	if name == stdinName {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return os.Open(name)
}

func (f stdinFS) ReadFile(name string) ([]byte, error) {
	if name == stdinName {
		return f.data, nil
	}
	return os.ReadFile(name)
}

// foldErrors writes errors one a line, folding features of one file that
// fail the same way (swapped lat/lon on 91 features) into one line with a
// count and their indexes.
func foldErrors(errs []error) []string {
	type group struct {
		first   string
		indexes []int
	}
	groups := map[string]*group{}
	var out []string
	var order []*group
	for _, err := range errs {
		var fe *geo.FeatureError
		if !errors.As(err, &fe) || fe.Index < 0 {
			out = append(out, err.Error())
			order = append(order, nil)
			continue
		}
		key := fe.File + "\x00" + digits.ReplaceAllString(fe.Reason, "#")
		g, ok := groups[key]
		if !ok {
			g = &group{first: err.Error()}
			groups[key] = g
			out = append(out, "")
			order = append(order, g)
		}
		g.indexes = append(g.indexes, fe.Index)
	}
	for i, g := range order {
		if g == nil {
			continue
		}
		out[i] = g.first
		if n := len(g.indexes); n > 1 {
			shown := make([]string, 0, 6)
			for _, x := range g.indexes[1:min(n, 6)] {
				shown = append(shown, strconv.Itoa(x))
			}
			if n > 6 {
				shown = append(shown, "…")
			}
			out[i] += fmt.Sprintf(" (and the same on %d more features: %s)", n-1, strings.Join(shown, ", "))
		}
	}
	return out
}

// digits are the numbers in a reason, which differ from feature to feature.
var digits = regexp.MustCompile(`-?[0-9]+(\.[0-9]+)?`)
