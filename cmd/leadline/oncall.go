package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
)

const oncallUsage = `Usage:
  leadline oncall show      --config program.yaml [--at TIME] [--cohort ID]
  leadline oncall next      --config program.yaml --cohort ID [--count 7] [--from TIME]
  leadline oncall override  --config program.yaml COHORT PERSON [--from TIME] (--to TIME | --for 4h)
  leadline oncall override  --config program.yaml --delete ID
  leadline oncall overrides --config program.yaml [--cohort ID]

TIME is program-local "2006-01-02 15:04" or RFC 3339; it defaults to now.
--for takes what the config takes: 4h, 90m, 2d.

Environment:
  REDIS_URL  as serve reads it (default redis://localhost:6379/0)
`

// In-flag and output formats of times, in the program's zone.
const (
	flagTime   = "2006-01-02 15:04"
	outputTime = "Mon 2006-01-02 15:04"
)

// oncallCmd shows and changes who is on call: `leadline oncall show|next|override|overrides`.
func oncallCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, clock func() time.Time) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, oncallUsage)
		return errUsage
	}
	oc := &oncallRun{stdout: stdout, stderr: stderr, getenv: getenv, now: clock()}
	defer oc.close()
	switch args[0] {
	case "show":
		return oc.show(ctx, args[1:])
	case "next":
		return oc.next(ctx, args[1:])
	case "override":
		return oc.override(ctx, args[1:])
	case "overrides":
		return oc.overrides(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, oncallUsage)
		return nil
	}
	fmt.Fprintf(stderr, "leadline oncall: unknown subcommand %q\n\n%s", args[0], oncallUsage)
	return errUsage
}

// oncallRun is one `leadline oncall` command: its flags, and once they are
// parsed, the program and the store.
type oncallRun struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            time.Time
	fs             *command
	config         *string
	prog           *program.Program
	store          *oncall.Store
	rdb            io.Closer
}

func (oc *oncallRun) close() {
	if oc.rdb != nil {
		oc.rdb.Close()
	}
}

// flags starts the subcommand's flag set, with --config.
func (oc *oncallRun) flags(name string) *command {
	oc.fs = newCommand("oncall "+name, oncallUsage, oc.stdout, oc.stderr)
	oc.config = oc.fs.String("config", "", "program config (YAML)")
	return oc.fs
}

// parse parses args, flags before or after the positional arguments, and
// checks that there are want positional ones. Then it loads the config and
// seeds the store from it.
func (oc *oncallRun) parse(ctx context.Context, args []string, want int) ([]string, error) {
	var pos []string
	for {
		if err := oc.fs.parse(args); err != nil {
			return nil, err
		}
		rest := oc.fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) != want {
		return nil, oc.usage("want %d argument(s), got %d: %s", want, len(pos), strings.Join(pos, " "))
	}
	if *oc.config == "" {
		return nil, oc.usage("--config is required")
	}
	var err error
	if oc.prog, err = program.Load(*oc.config); err != nil {
		return nil, fmt.Errorf("config %s is not valid (run leadline check)", *oc.config)
	}
	rdb, err := redisFromEnv(oc.getenv)
	if err != nil {
		return nil, err
	}
	oc.rdb = rdb
	oc.store = oncall.New(rdb, oc.prog, func() time.Time { return oc.now }, slog.New(slog.DiscardHandler))
	if err := oc.store.Seed(ctx); err != nil {
		return nil, err
	}
	return pos, nil
}

// usage reports a misuse with the subcommand's usage.
func (oc *oncallRun) usage(format string, a ...any) error { return oc.fs.misuse(format, a...) }

// show prints who is on call in each cohort (or one) at a time.
func (oc *oncallRun) show(ctx context.Context, args []string) error {
	fs := oc.flags("show")
	atFlag := fs.String("at", "", "the time to show (default now)")
	cohortFlag := fs.String("cohort", "", "only this cohort")
	if _, err := oc.parse(ctx, args, 0); err != nil {
		return err
	}
	at, err := oc.time("at", *atFlag)
	if err != nil {
		return err
	}
	cohorts, err := oc.cohorts(*cohortFlag)
	if err != nil {
		return err
	}
	for _, id := range cohorts {
		sh, err := oc.store.At(ctx, id, at)
		switch {
		case errors.Is(err, oncall.ErrNobody):
			fmt.Fprintf(oc.stdout, "%s: nobody\n", oc.prog.CohortName(id))
			continue
		case err != nil:
			return err
		}
		until := "until further notice"
		if !sh.To.IsZero() {
			until = "until " + oc.format(sh.To)
		}
		fmt.Fprintf(oc.stdout, "%s: %s %s%s\n", oc.prog.CohortName(id), oc.who(sh.Person), until, overrideMark(sh))
	}
	return nil
}

// next prints a cohort's coming shifts.
func (oc *oncallRun) next(ctx context.Context, args []string) error {
	fs := oc.flags("next")
	cohort := fs.String("cohort", "", "the cohort (required)")
	count := fs.Int("count", 7, "how many shifts")
	fromFlag := fs.String("from", "", "from the shift under way at this time (default now)")
	if _, err := oc.parse(ctx, args, 0); err != nil {
		return err
	}
	if *cohort == "" {
		return oc.usage("--cohort is required")
	}
	if *count < 1 {
		return oc.usage("--count must be 1 or more")
	}
	from, err := oc.time("from", *fromFlag)
	if err != nil {
		return err
	}
	if _, err := oc.cohorts(*cohort); err != nil {
		return err
	}
	shifts, err := oc.store.Upcoming(ctx, *cohort, from, *count)
	if err != nil {
		return err
	}
	for _, sh := range shifts {
		start := "(under way)         " // as wide as a formatted time
		if !sh.From.IsZero() {
			start = oc.format(sh.From)
		}
		end := "until further notice"
		if !sh.To.IsZero() {
			end = oc.format(sh.To)
		}
		who := "nobody"
		if sh.Person != "" {
			who = oc.who(sh.Person)
		}
		fmt.Fprintf(oc.stdout, "%s – %s  %s%s\n", start, end, who, overrideMark(sh))
	}
	return nil
}

// override adds an override, or with --delete removes one.
func (oc *oncallRun) override(ctx context.Context, args []string) error {
	fs := oc.flags("override")
	fromFlag := fs.String("from", "", "when the override starts (default now)")
	toFlag := fs.String("to", "", "when it ends")
	forFlag := fs.durationVar("for", "how long it lasts, instead of --to (e.g. 4h, 90m, 2d)")
	deleteFlag := fs.String("delete", "", "delete the override with this ID instead")
	want := 2
	if hasFlag(args, "delete") {
		want = 0
	}
	pos, err := oc.parse(ctx, args, want)
	if err != nil {
		return err
	}
	if *deleteFlag != "" {
		if *fromFlag != "" || *toFlag != "" || *forFlag != 0 {
			return oc.usage("--delete takes no --from, --to or --for")
		}
		err := oc.store.DeleteOverride(ctx, *deleteFlag)
		if errors.Is(err, oncall.ErrNoOverride) {
			return fmt.Errorf("no such override %s", *deleteFlag)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(oc.stdout, "deleted %s\n", *deleteFlag)
		return nil
	}
	if (*toFlag == "") == (*forFlag == 0) {
		return oc.usage("give either --to or --for")
	}
	from, err := oc.time("from", *fromFlag)
	if err != nil {
		return err
	}
	to := from.Add(*forFlag)
	if *toFlag != "" {
		if to, err = oc.time("to", *toFlag); err != nil {
			return err
		}
	}
	o, err := oc.store.AddOverride(ctx, pos[0], pos[1], from, to)
	if err != nil {
		return err
	}
	fmt.Fprintf(oc.stdout, "added %s: %s covers %s from %s to %s\n", o.Override, oc.who(o.Person),
		oc.prog.CohortName(o.Cohort), oc.format(o.From), oc.format(o.To))
	return nil
}

// overrides lists the overrides of each cohort (or one).
func (oc *oncallRun) overrides(ctx context.Context, args []string) error {
	fs := oc.flags("overrides")
	cohortFlag := fs.String("cohort", "", "only this cohort")
	if _, err := oc.parse(ctx, args, 0); err != nil {
		return err
	}
	cohorts, err := oc.cohorts(*cohortFlag)
	if err != nil {
		return err
	}
	n := 0
	for _, id := range cohorts {
		list, err := oc.store.Overrides(ctx, id)
		if err != nil {
			return err
		}
		for _, o := range list {
			fmt.Fprintf(oc.stdout, "%s  %s  %s  %s – %s\n", o.Override, oc.prog.CohortName(o.Cohort), oc.who(o.Person),
				oc.format(o.From), oc.format(o.To))
			n++
		}
	}
	if n == 0 {
		fmt.Fprintln(oc.stdout, "no overrides")
	}
	return nil
}

// cohorts are the config's cohort IDs, or only id if given.
func (oc *oncallRun) cohorts(id string) ([]string, error) {
	if id != "" {
		if _, ok := oc.prog.Cohort(id); !ok {
			return nil, fmt.Errorf("unknown cohort %q", id)
		}
		return []string{id}, nil
	}
	ids := make([]string, 0, len(oc.prog.Cohorts))
	for _, c := range oc.prog.Cohorts {
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// time reads a time flag: program-local "2006-01-02 15:04" or RFC 3339;
// now when empty.
func (oc *oncallRun) time(name, s string) (time.Time, error) {
	if s == "" {
		return oc.now, nil
	}
	if t, err := time.ParseInLocation(flagTime, s, oc.prog.TimeZone); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--%s %q: want a time like %q (%s) or RFC 3339", name, s, flagTime, oc.prog.TimeZone)
}

func (oc *oncallRun) format(t time.Time) string { return t.In(oc.prog.TimeZone).Format(outputTime) }

// who is a person's name and ID, or the ID alone for one the config no
// longer has.
func (oc *oncallRun) who(id string) string {
	if p, ok := oc.prog.Person(id); ok {
		return p.Name + " (" + id + ")"
	}
	return id
}

func overrideMark(sh oncall.Shift) string {
	if sh.Override == "" {
		return ""
	}
	return " [override " + sh.Override + "]"
}

// hasFlag reports whether args set the flag name (-name or --name, with or
// without =value), before any "--".
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a, _, _ = strings.Cut(strings.TrimLeft(a, "-"), "=")
		if a == name {
			return true
		}
	}
	return false
}
