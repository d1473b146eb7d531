package followup_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"

	"github.com/leadline/leadline/jobs"
)

const day = 24 * time.Hour

// The world's clock starts Monday 23 Nov 09:00 program time, so an accept
// then makes the intake due Wednesday 23 Dec 09:00.
func TestArrestDiversionIntakeCycle(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.HandedOff("AD")
	w.Quiet("jrivera", "msup")

	w.After(day)
	w.Expect("jrivera", code+" (arrest diversion, North): intake due Wed 23 Dec, 9:00 AM, 29 days left. Text INTAKE "+code+" when done.")
	w.After(6 * day)
	w.Expect("jrivera", "23 days left")
	w.After(7 * day)
	w.Expect("jrivera", "16 days left")
	w.Quiet("jrivera", "msup")

	w.Clock.Advance(3 * day)
	w.Text("jrivera", "intake "+strings.ToLower(code))
	w.Expect("jrivera", code+": intake recorded. Reminders stopped.")
	if r := w.Referral(code); r.FollowedAt.Sub(r.AcceptedAt) != 17*day || !r.OverdueAt.IsZero() {
		t.Errorf("followed %v after the accept, overdue at %v", r.FollowedAt.Sub(r.AcceptedAt), r.OverdueAt)
	}
	// Day 25, day 29 and the deadline pass without a word.
	for range 14 {
		w.After(day)
	}
	w.Quiet("jrivera", "msup", "aklein", "osmith")
	w.Text("jrivera", "INTAKE "+code)
	w.Expect("jrivera", code+": intake already recorded on")
}

func TestOverdueIntakeIsReportedToSupervisors(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.HandedOff("AD")
	for d := 1; d <= 30; d++ {
		w.After(day)
		if slices.Contains([]int{1, 7, 14, 25, 29}, d) {
			w.Expect("jrivera", code+" (arrest diversion, North): intake due")
		}
		if d == 30 {
			w.Expect("msup", code+" (arrest diversion, North): intake was due Wed 23 Dec, 9:00 AM and is not recorded. Case manager: Jo R.")
			w.Expect("jrivera", code+": intake was due", "Supervisors were told")
		}
		w.Quiet("jrivera", "msup")
	}
	if r := w.Referral(code); r.OverdueAt.IsZero() || !r.FollowedAt.IsZero() {
		t.Errorf("overdue %v, followed %v", r.OverdueAt, r.FollowedAt)
	}
	// Recorded late, it still counts, and nothing more is sent.
	w.Text("jrivera", "INTAKE")
	w.Expect("jrivera", code+": intake recorded.")
	w.After(10 * day)
	w.Quiet("jrivera", "msup")
}

func TestFollowUpsEndWithTheCase(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(w *e2e.World, code string)
	}{
		{"refused", func(w *e2e.World, code string) {
			w.Text("jrivera", "DONE REFUSED "+code)
			w.Expect("jrivera", "closed: refused")
		}},
		{"officer cancels", func(w *e2e.World, code string) {
			w.Text("osmith", "CANCEL "+code)
			w.Expect("osmith", "cancelled")
			w.Expect("jrivera", "cancelled")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e2e.New(t, e2e.Start)
			code := w.AcceptedReferral("AD")
			tc.end(w, code)
			for range 31 {
				w.After(day)
			}
			w.Quiet("jrivera", "msup", "osmith")
		})
	}
}

func TestSocialContactFollowUpWithin72Hours(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.HandedOff("SC")
	w.After(day)
	w.Expect("jrivera", code+" (social contact, North): follow-up due Thu 26 Nov, 9:00 AM, 2 days left")
	w.Text("jrivera", "FOLLOWED "+code)
	w.Expect("jrivera", code+": follow-up recorded.")
	w.After(3 * day)
	w.Quiet("jrivera", "msup")
}

func TestFollowUpReminderWaitsForTheMorning(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.At("2026-11-23 22:30") // accepted late in the evening
	code := w.HandedOff("SC")
	w.At("2026-11-24 22:30") // 24 h on: too late to text
	w.Quiet("jrivera")
	w.At("2026-11-25 07:59")
	w.Quiet("jrivera")
	w.At("2026-11-25 08:00")
	w.Expect("jrivera", code+" (social contact, North): follow-up due")
}

func TestDailyDigest(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.HandedOff("AD")
	other := w.HandedOff("SC")
	w.Text("jrivera", "APPT "+code+" 412-555-0177 11/24 2:30pm @ 123 Center Ave")
	w.Expect("jrivera", "saved")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Consent("en"))

	// Two instances' cron both fire at 08:00 Tuesday: one digest.
	b := e2e.NewInstance(t, w.Prog, w.Redis, w.Sim, w.Clock)
	w.At("2026-11-24 08:00")
	ctx := context.Background()
	for _, inst := range []*e2e.World{w, b} {
		jobs.New(inst.Redis, w.Prog.TimeZone, w.Clock.Now, nil).Fire(ctx, "daily-digest", inst.Svc.DailyDigest)
		inst.Svc.Wait()
	}
	digest := w.Expect("jrivera", "Today:", code+" intake 29 days left", other+" follow-up 2 days left",
		"Appointments: "+code+" 2:30 PM.", "No answer yet to the reminders request: "+code+".")
	if strings.Index(digest, other) > strings.Index(digest, code+" intake") {
		t.Errorf("the soonest due should come first: %s", digest)
	}
	// Nobody with nothing open gets one.
	w.Quiet("jrivera", "aklein", "bnguyen", "cobi", "msup", "osmith")

	// Once both are followed up and the appointment is past, no digest.
	w.Text("jrivera", "INTAKE "+code)
	w.Expect("jrivera", "recorded")
	w.Text("jrivera", "FOLLOWED "+other)
	w.Expect("jrivera", "recorded")
	w.At("2026-11-25 08:00")
	if err := w.Svc.DailyDigest(ctx, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	w.Svc.Wait()
	w.Quiet("jrivera")
}
