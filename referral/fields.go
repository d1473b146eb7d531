package referral

import (
	"fmt"
	"strconv"
	"time"
)

// Field is one field of a referral's stored hash. Every package names the
// fields it changes with these, never with bare strings.
type Field string

// The fields of the referral hash. Lists (paged, declined…) are
// space-separated words.
const (
	FCode         Field = "code"
	FType         Field = "type"
	FCohort       Field = "cohort"
	FState        Field = "state"
	FOfficer      Field = "officer"
	FLocation     Field = "location"
	FLat          Field = "lat"
	FLon          Field = "lon"
	FPlace        Field = "place"
	FNotes        Field = "notes"
	FOutsideM     Field = "outside_m"
	FNearBoundary Field = "near_boundary"
	FStep         Field = "step"
	FEscalations  Field = "escalations"
	FPaged        Field = "paged"
	FPagedList    Field = "paged_list"
	FDeclined     Field = "declined"
	FMissed       Field = "missed"
	FFailed       Field = "failed"
	FAcceptedBy   Field = "accepted_by"
	FETA          Field = "eta"
	FOutcome      Field = "outcome"
	FFollowedAt   Field = "followed_at"
	FOverdueAt    Field = "overdue_at"
	FParticipant  Field = "participant"
	FLang         Field = "p_lang"
	FTZ           Field = "p_tz"
	FApptAt       Field = "appt_at"
	FApptPlace    Field = "appt_place"
	FApptState    Field = "appt_state"
	FApptBy       Field = "appt_by"
	FApptVer      Field = "appt_ver"
	FApptTold     Field = "appt_told"
	FPurgedAt     Field = "purged_at"
	FReceivedMs   Field = "received_ms" // received time in Unix ms, for the open index's order
	FEnteredBy    Field = "entered_by"
	FReferrer     Field = "referrer"
	FAssignedBy   Field = "assigned_by"
	// FAgency is the referring officer's agency, kept in the de-identified
	// record (programs report referrals by agency) when the officer goes.
	FAgency Field = "agency"
)

// SealedFields are kept sealed under the program's data key: they say
// who and where. The rest (state, times, type, cohort, who was paged and
// accepted: staff IDs the scripts compare) stays readable to the scripts
// that change a referral in one step.
var SealedFields = []Field{FOfficer, FLocation, FLat, FLon, FPlace, FNotes, FParticipant, FApptPlace, FReferrer}

var sealed = func() map[Field]bool {
	m := map[Field]bool{}
	for _, f := range SealedFields {
		m[f] = true
	}
	return m
}()

// Sealer seals and opens the details a referral keeps (datakey.Keys).
type Sealer interface {
	Seal(plain string, aad ...string) (string, error)
	Open(v string, aad ...string) (string, error)
}

// SealAAD is where field f of referral code is kept: what its sealed
// value is bound to.
func SealAAD(code string, f Field) []string { return []string{"referral:" + code, string(f)} }

// TimeField is the field holding when the referral reached state s.
func TimeField(s State) Field { return timeFields[s] }

var timeFields = map[State]Field{
	New: "received_at", Paging: "paging_at", Accepted: "accepted_at", OnScene: "on_scene_at",
	Closed: "closed_at", Cancelled: "cancelled_at", Unanswered: "unanswered_at",
}

// DetailFields are what identifies a referral's encounter: where, who
// referred, what the officer wrote, who was paged, and the participant.
// They go when the program's details retention runs out; times, type,
// cohort, the officer's agency, outcome and who accepted stay as the
// de-identified record.
var DetailFields = []Field{FOfficer, FLocation, FLat, FLon, FPlace, FNotes, FOutsideM, FNearBoundary,
	FPaged, FPagedList, FDeclined, FMissed, FFailed, FParticipant, FApptPlace, FTZ, FReferrer}

func (r *Referral) timePtr(s State) *time.Time {
	switch s {
	case New:
		return &r.Received
	case Paging:
		return &r.PagingAt
	case Accepted:
		return &r.AcceptedAt
	case OnScene:
		return &r.OnSceneAt
	case Closed:
		return &r.ClosedAt
	case Cancelled:
		return &r.CancelledAt
	case Unanswered:
		return &r.UnansweredAt
	}
	return nil
}

// fields is a new referral as field/value pairs, its details sealed.
func (r *Referral) fields(keys Sealer) ([]any, error) {
	f := []any{
		FCode, r.Code, FType, string(r.Type), FCohort, r.Cohort, FState, string(r.State),
		FOfficer, r.Officer, FLocation, r.Location,
		FLat, strconv.FormatFloat(r.Lat, 'f', -1, 64), FLon, strconv.FormatFloat(r.Lon, 'f', -1, 64),
		FPlace, r.Place, FNotes, r.Notes,
		FOutsideM, strconv.FormatFloat(r.OutsideMetres, 'f', 0, 64),
		FStep, strconv.Itoa(r.Step),
		FReceivedMs, strconv.FormatInt(r.Received.UnixMilli(), 10),
	}
	if r.NearBoundary {
		f = append(f, FNearBoundary, "1")
	}
	for _, kv := range []struct {
		f Field
		v string
	}{{FEnteredBy, r.EnteredBy}, {FReferrer, r.Referrer}, {FAssignedBy, r.AssignedBy}, {FAcceptedBy, r.AcceptedBy}, {FAgency, r.Agency}} {
		if kv.v != "" {
			f = append(f, kv.f, kv.v)
		}
	}
	for s, name := range timeFields {
		if t := *r.timePtr(s); !t.IsZero() {
			f = append(f, name, FormatTime(t))
		}
	}
	for i := 0; i < len(f); i += 2 {
		name := f[i].(Field)
		f[i] = string(name)
		if sealed[name] {
			v, err := keys.Seal(fmt.Sprint(f[i+1]), SealAAD(r.Code, name)...)
			if err != nil {
				return nil, err
			}
			f[i+1] = v
		}
	}
	return f, nil
}

// fromHash reads a stored referral, opening its sealed details.
func fromHash(h map[string]string, keys Sealer) (*Referral, error) {
	for _, f := range SealedFields {
		if v, ok := h[string(f)]; ok && v != "" {
			plain, err := keys.Open(v, SealAAD(h[string(FCode)], f)...)
			if err != nil {
				return nil, fmt.Errorf("referral %s: %s: %w", h[string(FCode)], f, err)
			}
			h[string(f)] = plain
		}
	}
	g := func(f Field) string { return h[string(f)] }
	r := &Referral{
		Code: g(FCode), Type: Type(g(FType)), Cohort: g(FCohort), State: State(g(FState)),
		Officer: g(FOfficer), Location: g(FLocation), Place: g(FPlace), Notes: g(FNotes),
		Paged: words(g(FPaged)), PagedList: words(g(FPagedList)), Declined: words(g(FDeclined)),
		Missed: words(g(FMissed)), Failed: words(g(FFailed)), AcceptedBy: g(FAcceptedBy), Outcome: g(FOutcome),
		NearBoundary: g(FNearBoundary) == "1",
		Participant:  g(FParticipant), Lang: g(FLang), TZ: g(FTZ), ApptPlace: g(FApptPlace),
		ApptState: g(FApptState), ApptBy: g(FApptBy), Agency: g(FAgency),
		EnteredBy: g(FEnteredBy), Referrer: g(FReferrer), AssignedBy: g(FAssignedBy),
	}
	for _, f := range watchFields {
		if v := g(f); v != "" {
			if r.watch == nil {
				r.watch = map[Field]string{}
			}
			r.watch[f] = v
		}
	}
	// Slices, not map literals: this runs for every referral a report reads.
	var err error
	for _, p := range [...]struct {
		f   Field
		dst *float64
	}{{FLat, &r.Lat}, {FLon, &r.Lon}, {FOutsideM, &r.OutsideMetres}} {
		if v := g(p.f); v != "" && err == nil {
			*p.dst, err = strconv.ParseFloat(v, 64)
		}
	}
	for _, p := range [...]struct {
		f   Field
		dst *int
	}{{FETA, &r.ETAMinutes}, {FStep, &r.Step}, {FEscalations, &r.Escalations}, {FApptVer, &r.ApptVer},
		{FApptTold, &r.ApptTold}, {FNudges, &r.Nudges}, {FCheckIns, &r.CheckIns}, {FSOSes, &r.SOSes}} {
		if v := g(p.f); v != "" && err == nil {
			*p.dst, err = strconv.Atoi(v)
		}
	}
	for _, p := range [...]struct {
		f   Field
		dst *time.Time
	}{{FFollowedAt, &r.FollowedAt}, {FOverdueAt, &r.OverdueAt}, {FApptAt, &r.Appt}, {FArriveBy, &r.ArriveBy}} {
		if v := g(p.f); v != "" && err == nil {
			*p.dst, err = time.Parse(time.RFC3339Nano, v)
		}
	}
	for s, name := range timeFields {
		if v := g(name); v != "" && err == nil {
			*r.timePtr(s), err = time.Parse(time.RFC3339Nano, v)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("referral %s is corrupt: %w", r.Code, err)
	}
	return r, nil
}
