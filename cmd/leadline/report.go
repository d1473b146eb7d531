package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/leadline/leadline/datakey"
	"io"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/redisurl"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/report"
)

// reportCmd prints the response-time report for referrals received between
// two dates, both inclusive, in the program's time zone. Follow-ups are
// judged as of --at, by default the wall clock when it runs.
const reportUsage = `Usage:
  leadline report --config program.yaml --from 2026-11-01 --to 2026-11-30 [--format table|csv|json]
                  [--summary] [--by cohort|agency] [--at "2026-12-10 09:00"]

Response times and follow-ups of the referrals received in those days (both
inclusive, in the program's time zone), with a summary per cohort (or
agency) and type. csv holds the referrals, or with --summary the summary:
one table per file.

Environment:
  REDIS_URL          as serve reads it (default redis://localhost:6379/0)
  LEADLINE_DATA_KEY  as serve reads it (or LEADLINE_DATA_KEY_FILE)
`

func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, clock func() time.Time) error {
	fs := newCommand("report", reportUsage, stdout, stderr)
	path := fs.String("config", "", "program config (YAML)")
	fromFlag := fs.String("from", "", "first day, YYYY-MM-DD (program time zone)")
	toFlag := fs.String("to", "", "last day, YYYY-MM-DD, inclusive")
	format := fs.String("format", "table", "table, csv or json")
	summary := fs.Bool("summary", false, "the summary alone (csv otherwise holds the referrals alone)")
	byFlag := fs.String("by", "cohort", "group the summary by cohort or agency")
	atFlag := fs.String("at", "", `judge follow-ups as of this time, "YYYY-MM-DD HH:MM" program time (default now)`)
	if err := fs.parse(args); err != nil {
		return err
	}
	if *path == "" || *fromFlag == "" || *toFlag == "" || fs.NArg() > 0 {
		return fs.misuse("--config, --from and --to are required, and nothing else")
	}
	by, err := report.ParseGrouping(*byFlag)
	if err != nil {
		return fs.misuse("--by is cohort or agency")
	}
	prog, err := program.Load(*path)
	if err != nil {
		return fmt.Errorf("config %s is not valid (run leadline check)", *path)
	}
	from, err := time.ParseInLocation(time.DateOnly, *fromFlag, prog.TimeZone)
	if err != nil {
		return fmt.Errorf("--from %q: want a date like 2026-11-01", *fromFlag)
	}
	last, err := time.ParseInLocation(time.DateOnly, *toFlag, prog.TimeZone)
	if err != nil {
		return fmt.Errorf("--to %q: want a date like 2026-11-30", *toFlag)
	}
	if last.Before(from) {
		return errors.New("--to is before --from")
	}
	at := clock()
	if *atFlag != "" {
		if at, err = time.ParseInLocation("2006-01-02 15:04", *atFlag, prog.TimeZone); err != nil {
			return fmt.Errorf("--at %q: want a time like \"2026-12-01 09:00\"", *atFlag)
		}
	}
	rdb, err := redisFromEnv(getenv)
	if err != nil {
		return err
	}
	defer rdb.Close()
	keys, err := datakey.FromEnv(getenv)
	if err != nil {
		return err
	}
	rows, err := report.Load(ctx, rdb, keys, prog, from, last.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	return report.Write(stdout, rows, report.Options{Format: *format, Loc: prog.TimeZone, Now: at, By: by, Summary: *summary})
}

// redisFromEnv makes the client of REDIS_URL (one node, Sentinel or
// Cluster), as every command that reaches Redis does. It does not dial.
func redisFromEnv(getenv func(string) string) (redis.UniversalClient, error) {
	rdb, _, err := redisurl.Connect(getenv("REDIS_URL"))
	return rdb, err
}
