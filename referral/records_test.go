package referral_test

import (
	"context"
	"testing"
	"time"

	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// A report's records are kept packed for the next report (the dashboard of
// a year reads them in one command per thousand), and the packed copy never
// outlives a change: a report after an accept, a close, a purge (the agency
// kept) or a packed record of another version shows the referral as it
// stands.
func TestReportRecordsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.Start(t)
	keys, err := datakey.New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	st := referral.NewStore(rdb, timers.New(rdb, referral.TimersBase, timers.Options{Clock: clock}), clock, time.Hour, keys)
	r := &referral.Referral{Type: referral.Arrest, Cohort: "north", State: referral.Paging, Officer: "osmith",
		Received: at, PagingAt: at}
	if err := st.Insert(ctx, r); err != nil {
		t.Fatal(err)
	}
	report := func() *referral.Referral {
		t.Helper()
		got, err := referral.ReportRecords(ctx, rdb, keys, at.Add(-time.Hour), at.Add(time.Hour))
		if err != nil || len(got) != 1 {
			t.Fatalf("records: %v %v", got, err)
		}
		return got[0]
	}
	if got := report(); got.State != referral.Paging || got.Officer != "osmith" || got.Agency != "" || !got.Received.Equal(at) {
		t.Fatalf("first report: %+v", got)
	}
	if n := rdb.HLen(ctx, "leadline:{dispatch}:records").Val(); n != 1 {
		t.Fatalf("%d packed records after a report, want 1", n)
	}
	if got := report(); got.State != referral.Paging || got.Officer != "osmith" {
		t.Fatalf("report from the packed record: %+v", got)
	}

	accept := referral.Change{From: []referral.State{referral.Paging},
		Set: []referral.Write{referral.Set(referral.FAcceptedBy, "jrivera"), referral.Set(referral.FAssignedBy, "msup"),
			referral.Set(referral.FETA, 15), referral.Set(referral.FNudges, 1), referral.Set(referral.FCheckIns, 2),
			referral.Set(referral.FSOSes, 1), referral.Set(referral.FArriveBy, referral.FormatTime(at.Add(20*time.Minute)))}}.To(referral.Accepted, at.Add(90*time.Second))
	if ok, err := st.Apply(ctx, r.Code, accept); err != nil || !ok {
		t.Fatalf("accept: %v %v", ok, err)
	}
	// Every field a report reads comes back, from the hash and from the packed copy.
	for range 2 {
		if got := report(); got.State != referral.Accepted || got.AcceptedBy != "jrivera" || got.AcceptedAt.Sub(got.Received) != 90*time.Second ||
			got.AssignedBy != "msup" || got.ETAMinutes != 15 || got.Nudges != 1 || got.CheckIns != 2 || got.SOSes != 1 ||
			!got.ArriveBy.Equal(at.Add(20*time.Minute)) {
			t.Fatalf("report after the accept: %+v", got)
		}
	}
	closed := referral.Change{Set: []referral.Write{referral.Set(referral.FOutcome, "engaged")}}.To(referral.Closed, at.Add(time.Hour))
	if ok, err := st.Apply(ctx, r.Code, closed); err != nil || !ok {
		t.Fatalf("close: %v %v", ok, err)
	}
	if got := report(); got.State != referral.Closed || got.Outcome != "engaged" {
		t.Fatalf("report after the close: %+v", got)
	}

	// Purged: the officer goes, the agency stays.
	if err := st.PurgeDetails(ctx, r.Code, "Pittsburgh Bureau of Police", at.Add(48*time.Hour), at.Add(365*24*time.Hour), at.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := report(); got.Agency != "Pittsburgh Bureau of Police" || got.Officer != "" || got.Outcome != "engaged" {
		t.Fatalf("report after the purge: %+v", got)
	}

	// Packed by another version of Leadline (other fields): packed again.
	rdb.HSet(ctx, "leadline:{dispatch}:records", r.Code, "other\x1fR\x1fx")
	if got := report(); got.Code != r.Code || got.Outcome != "engaged" {
		t.Fatalf("report over another version's record: %+v", got)
	}

	// Its record expired: gone from the report and from the packed ones.
	rdb.Del(ctx, "leadline:{dispatch}:records")
	rdb.Del(ctx, "leadline:{dispatch}:referral:"+r.Code)
	got, err := referral.ReportRecords(ctx, rdb, keys, at.Add(-time.Hour), at.Add(time.Hour))
	if err != nil || len(got) != 0 {
		t.Fatalf("records of an expired referral: %v %v", got, err)
	}
	if n := rdb.HLen(ctx, "leadline:{dispatch}:records").Val(); n != 0 {
		t.Errorf("%d packed records of expired referrals", n)
	}
}
