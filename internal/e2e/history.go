package e2e

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// History is the referral's history, oldest first.
func (w *World) History(code string) []referral.Line {
	w.T.Helper()
	q := timers.New(w.Redis, referral.TimersBase, timers.Options{Clock: w.Clock.Now})
	h, err := referral.NewStore(w.Redis, q, w.Clock.Now, w.Prog.Retention.Details, Keys()).History(context.Background(), code)
	if err != nil {
		w.T.Fatal(err)
	}
	return h
}

// Events is what happened to the referral, as its history's events.
func (w *World) Events(code string) []referral.Event {
	w.T.Helper()
	var out []referral.Event
	for _, l := range w.History(code) {
		out = append(out, l.What)
	}
	return out
}

// TimerSet reports whether a referral timer (kind, code) waits to fire.
func (w *World) TimerSet(kind timers.Kind, code string) bool {
	w.T.Helper()
	q := timers.New(w.Redis, referral.TimersBase, timers.Options{Clock: w.Clock.Now})
	err := w.Redis.ZScore(context.Background(), q.DueKey(), kind.ID(code)).Err()
	if errors.Is(err, redis.Nil) {
		return false
	}
	if err != nil {
		w.T.Fatal(err)
	}
	return true
}

// HandedOff is AcceptedReferral with the encounter over: jrivera arrived
// and closed it engaged, as happens before the days of follow-up work (an
// accepted referral left open would be nudged and checked on). The texts
// about it are read. notes are as AcceptedReferral's.
func (w *World) HandedOff(kind string, notes ...string) string {
	w.T.Helper()
	code := w.AcceptedReferral(kind, notes...)
	w.Text("jrivera", "ARRIVED "+code)
	w.Expect("jrivera", "On scene noted")
	w.Expect("osmith", code+": Jo R. has arrived.")
	w.Text("jrivera", "DONE ENGAGED "+code)
	w.Expect("jrivera", code+" closed: engaged")
	return code
}
