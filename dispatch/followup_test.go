package dispatch_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/jobs"
)

const day = 24 * time.Hour

// The world's clock starts Monday 23 Nov 09:00 program time, so an accept
// then makes the intake due Wednesday 23 Dec 09:00.
func TestArrestDiversionIntakeCycle(t *testing.T) {
	w := newWorld(t, start)
	code := w.acceptedReferral("AD")
	w.quiet("jrivera", "msup")

	w.after(day)
	w.expect("jrivera", code+" (arrest diversion, North): intake due Wed 23 Dec 09:00, 29 days left. Text INTAKE "+code+" when done.")
	w.after(6 * day)
	w.expect("jrivera", "23 days left")
	w.after(7 * day)
	w.expect("jrivera", "16 days left")
	w.quiet("jrivera", "msup")

	w.clock.Advance(3 * day)
	w.text("jrivera", "intake "+strings.ToLower(code))
	w.expect("jrivera", code+": intake recorded. Reminders stopped.")
	if r := w.referral(code); r.FollowedAt.Sub(r.AcceptedAt) != 17*day || !r.OverdueAt.IsZero() {
		t.Errorf("followed %v after the accept, overdue at %v", r.FollowedAt.Sub(r.AcceptedAt), r.OverdueAt)
	}
	// Day 25, day 29 and the deadline pass without a word.
	for range 14 {
		w.after(day)
	}
	w.quiet("jrivera", "msup", "aklein", "osmith")
	w.text("jrivera", "INTAKE "+code)
	w.expect("jrivera", code+": intake already recorded on")
}

func TestOverdueIntakeIsReportedToSupervisors(t *testing.T) {
	w := newWorld(t, start)
	code := w.acceptedReferral("AD")
	for d := 1; d <= 30; d++ {
		w.after(day)
		if slices.Contains([]int{1, 7, 14, 25, 29}, d) {
			w.expect("jrivera", code+" (arrest diversion, North): intake due")
		}
		if d == 30 {
			w.expect("msup", code+" (arrest diversion, North): intake was due Wed 23 Dec 09:00 and is not recorded. Case manager: Jo R.")
			w.expect("jrivera", code+": intake was due", "Supervisors were told")
		}
		w.quiet("jrivera", "msup")
	}
	if r := w.referral(code); r.OverdueAt.IsZero() || !r.FollowedAt.IsZero() {
		t.Errorf("overdue %v, followed %v", r.OverdueAt, r.FollowedAt)
	}
	// Recorded late, it still counts, and nothing more is sent.
	w.text("jrivera", "INTAKE")
	w.expect("jrivera", code+": intake recorded.")
	w.after(10 * day)
	w.quiet("jrivera", "msup")
}

func TestFollowUpsEndWithTheCase(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(w *world, code string)
	}{
		{"refused", func(w *world, code string) {
			w.text("jrivera", "DONE REFUSED "+code)
			w.expect("jrivera", "closed: refused")
		}},
		{"officer cancels", func(w *world, code string) {
			w.text("osmith", "CANCEL "+code)
			w.expect("osmith", "cancelled")
			w.expect("jrivera", "cancelled")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, start)
			code := w.acceptedReferral("AD")
			tc.end(w, code)
			for range 31 {
				w.after(day)
			}
			w.quiet("jrivera", "msup", "osmith")
		})
	}
}

func TestSocialContactFollowUpWithin72Hours(t *testing.T) {
	w := newWorld(t, start)
	code := w.acceptedReferral("SC")
	w.after(day)
	w.expect("jrivera", code+" (social contact, North): follow-up due Thu 26 Nov 09:00, 2 days left")
	w.text("jrivera", "FOLLOWED "+code)
	w.expect("jrivera", code+": follow-up recorded.")
	w.after(3 * day)
	w.quiet("jrivera", "msup")
}

func TestFollowUpReminderWaitsForTheMorning(t *testing.T) {
	w := newWorld(t, start)
	w.at("2026-11-23 22:30") // accepted late in the evening
	code := w.acceptedReferral("SC")
	w.at("2026-11-24 22:30") // 24 h on: too late to text
	w.quiet("jrivera")
	w.at("2026-11-25 07:59")
	w.quiet("jrivera")
	w.at("2026-11-25 08:00")
	w.expect("jrivera", code+" (social contact, North): follow-up due")
}

func TestDailyDigest(t *testing.T) {
	w := newWorld(t, start)
	code := w.acceptedReferral("AD")
	other := w.acceptedReferral("SC")
	w.text("jrivera", "APPT "+code+" 412-555-0177 11/24 2:30pm @ 123 Center Ave")
	w.expect("jrivera", "saved")
	w.expect(participantPhone, w.texts().Consent("en"))

	// Two instances' cron both fire at 08:00 Tuesday: one digest.
	b := newInstance(t, w.prog, w.rdb, w.sim, w.clock)
	w.at("2026-11-24 08:00")
	ctx := context.Background()
	for _, inst := range []*world{w, b} {
		jobs.New(inst.rdb, w.prog.TimeZone, w.clock.Now, nil).Fire(ctx, "daily-digest", inst.svc.DailyDigest)
		inst.svc.Wait()
	}
	digest := w.expect("jrivera", "Today:", code+" intake 29 days left", other+" follow-up 2 days left",
		"Appointments: "+code+" 2:30 PM.", "No answer yet to the reminders request: "+code+".")
	if strings.Index(digest, other) > strings.Index(digest, code+" intake") {
		t.Errorf("the soonest due should come first: %s", digest)
	}
	// Nobody with nothing open gets one.
	w.quiet("jrivera", "aklein", "bnguyen", "cobi", "msup", "osmith")

	// Once both are followed up and the appointment is past, no digest.
	w.text("jrivera", "INTAKE "+code)
	w.expect("jrivera", "recorded")
	w.text("jrivera", "FOLLOWED "+other)
	w.expect("jrivera", "recorded")
	w.at("2026-11-25 08:00")
	if err := w.svc.DailyDigest(ctx, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	w.svc.Wait()
	w.quiet("jrivera")
}
