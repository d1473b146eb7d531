package escalation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/timers"
)

// TimerPageFailed tells a case manager's supervisors, the morning after,
// that page texts to them failed for good: "pagefail:<person>".
const TimerPageFailed timers.Kind = "pagefail"

// pageFailedKey holds the first page text to a person that failed for
// good since they were last reported (its code); it makes the report once.
func pageFailedKey(id string) string { return prefix + "person:" + id + ":pagefailed" }

// pageFailedFor is how long one report covers a person: a number still
// wrong a week later is told again.
const pageFailedFor = 7 * 24 * time.Hour

// morning is when the report goes: the daily digest's time, or 08:00.
func (ch *Chain) morning(after time.Time) time.Time {
	h, m := 8, 0
	if d := ch.Program.DailyDigest; !d.Off {
		h, m = d.Hour, d.Minute
	}
	l := after.In(ch.Program.TimeZone)
	t := time.Date(l.Year(), l.Month(), l.Day(), h, m, 0, 0, ch.Program.TimeZone)
	if !t.After(after) {
		t = time.Date(l.Year(), l.Month(), l.Day()+1, h, m, 0, 0, ch.Program.TimeZone)
	}
	return t
}

// pageFailed notes that a page text for code could not reach person for
// good (a changed number, a landline): the first such failure since their
// last report sets the morning's report, once across instances.
func (ch *Chain) pageFailed(ctx context.Context, person, code string) {
	now := ch.Clock()
	first, err := ch.Redis.SetNX(ctx, pageFailedKey(person), code+" "+now.Format(time.RFC3339), pageFailedFor).Result()
	if err != nil {
		ch.Log.Error("note failed page", "person", person, "err", err)
		return
	}
	if !first {
		return
	}
	if err := ch.Timers.Schedule(ctx, TimerPageFailed.ID(person), ch.morning(now)); err != nil {
		ch.Log.Error("schedule failed-page report", "person", person, "err", err)
	}
}

// reportPageFailed tells the supervisors of person's cohorts that page
// texts to them fail.
func (ch *Chain) reportPageFailed(ctx context.Context, person string) error {
	v, err := ch.Redis.Get(ctx, pageFailedKey(person)).Result()
	if err != nil {
		return fmt.Errorf("failed-page report of %s: %w", person, err)
	}
	p, ok := ch.Program.Person(person)
	if !ok {
		return nil
	}
	code, at, _ := strings.Cut(v, " ")
	when := ""
	if t, err := time.Parse(time.RFC3339, at); err == nil {
		when = " since " + ch.Notify.When(t)
	}
	text := "Page texts to " + p.ShortName() + " at " + phone.Mask(p.Phone) + " fail" + when + " (" + code +
		"): the number may have changed. Check it with them and in the config."
	var told []string
	for _, c := range ch.Program.CohortsOf(person) {
		for _, s := range ch.Program.Supervisors(c) {
			if s != person && !slices.Contains(told, s) {
				told = append(told, s)
				ch.Notify.Remind(ctx, s, text, TimerPageFailed.ID(person, at, s))
			}
		}
	}
	return nil
}
