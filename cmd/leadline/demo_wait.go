package main

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

var waitPart = regexp.MustCompile(`(\d+)(w|d|h|m|s)`)

// parseWait reads the demo's `wait` length in the config's units: weeks
// and days as well as hours, minutes and seconds, combined ("3d", "1w",
// "1d12h", "90m").
func parseWait(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := errors.New(`wait takes a length like 5m, 24h, 3d or 1w`)
	if s == "" || waitPart.ReplaceAllString(s, "") != "" {
		return 0, bad
	}
	unit := map[string]time.Duration{"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}
	var d time.Duration
	for _, m := range waitPart.FindAllStringSubmatch(s, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 1000 {
			return 0, bad
		}
		d += time.Duration(n) * unit[m[2]]
	}
	if d <= 0 {
		return 0, bad
	}
	return d, nil
}

// wait moves the demo's clock on by d, and on the way fires each cron job
// (the weekly summary, the daily digest) at every time it was due in the
// skipped span, in order, as the service would have over those days: the
// clock stops at each such time, the job fires through jobs.Runner.Fire
// (so its once-only lease is taken as in serve), and the timers due by
// then fire too.
func (p *printer) wait(ctx context.Context, d time.Duration) {
	from := p.clock.now()
	to := from.Add(d)
	type due struct {
		at  time.Time
		job cronJob
	}
	var dues []due
	for _, j := range p.parts.jobs {
		sched, err := cron.ParseStandard(j.spec)
		if err != nil {
			continue
		}
		for t := sched.Next(from.In(p.prog.TimeZone)); !t.After(to); t = sched.Next(t) {
			dues = append(dues, due{t, j})
		}
	}
	sort.Slice(dues, func(i, k int) bool { return dues[i].at.Before(dues[k].at) })
	for _, x := range dues {
		p.clock.skip(x.at.Sub(p.clock.now()))
		if _, err := p.parts.dispatch.FireTimers(ctx); err != nil {
			p.printf("  (timers: %v)\n", err)
		}
		p.parts.cron.Fire(ctx, x.job.name, x.job.job)
		p.settle()
	}
	p.clock.skip(to.Sub(p.clock.now()))
}
