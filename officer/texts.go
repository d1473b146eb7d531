package officer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/referral"
)

// Every text to an officer is written here: the code, cohort, the case
// manager's short name, ETA and state, never anything about the person
// beyond what the officer sent.

// Usage is the answer to a text that is not understood.
const Usage = "Not understood. Refer: AD <address | streets | place | lat,lon | map link> notes (arrest diversion) or SC ... (social contact). Also STATUS, CANCEL <code>, FIX <code> <place>, HELP."

// Help is the answer to HELP: one SMS segment, support number included.
func (d *Desk) Help() string {
	return "Leadline: AD or SC <place> notes (arrest/social). STATUS [code], CANCEL <code>, FIX <code> <place>." +
		d.note.SupportLine("Help: ")
}

// locationHelp answers a location that was not found. A short link is
// refused where the program allows no look-ups (or it led nowhere): the
// officer is told how to share a pin that works.
func (d *Desk) locationHelp(err error) string {
	if errors.Is(err, geo.ErrShortLink) {
		return "Short map links (maps.app.goo.gl) can't be opened here. Send AD or SC with lat,lon: in Maps, press and hold to drop a pin, then copy its numbers (40.4473,-80.0076). Or an address."
	}
	return "Location not found. Send AD or SC with an address (1200 Main St), streets (5th & Wood), a place name or code, lat,lon (40.4473,-80.0076) or a map link."
}

// maxWhere keeps the place named back to the officer short: a geocoder's
// label can run to a whole line.
const maxWhere = 60

// where names, in a few words, where Leadline placed the officer's
// location, so that a wrong reading can be corrected with FIX: "at 1500
// Penn Ave, Pittsburgh", "at 40.44,-80.00, about 1 km uncertain".
func (d *Desk) where(c geo.Candidate) string {
	label := c.Label
	if r := []rune(label); len(r) > maxWhere {
		label = string(r[:maxWhere-1]) + "…"
	}
	w := "at " + label
	if c.Uncertainty > 0 {
		w += ", about " + d.prog.Units.Format(c.Uncertainty) + " uncertain"
	}
	return w
}

// didYouMean asks the officer to pick among candidates in different
// cohorts.
func (d *Desk) didYouMean(cands []geo.Candidate) string {
	var b strings.Builder
	b.WriteString("Did you mean")
	for i, c := range cands {
		cohort := "outside every area"
		if c.Cohort != "" {
			cohort = d.prog.CohortName(c.Cohort)
		}
		fmt.Fprintf(&b, " %d) %s (%s)", i+1, c.Label, cohort)
	}
	b.WriteString("? Reply ")
	for i := range cands {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString(strconv.Itoa(i + 1))
	}
	b.WriteString(".")
	return b.String()
}

const nothingToChoose = "Nothing is waiting for a choice. To refer: AD <location> / notes."

const nothingToConfirm = "Nothing is waiting for YES. To refer: AD <location> / notes."

const noReferralYet = "You have no referral yet. To refer: AD <location> / notes."

func (d *Desk) received(r *referral.Referral, where string) string {
	if where != "" {
		where = ", " + where
	}
	return fmt.Sprintf("%s: %s, %s%s. Paging the on-call case manager. Wrong place? FIX %s <place>. CANCEL %s.",
		r.Code, r.Type.Label(), d.prog.CohortName(r.Cohort), where, r.Code, r.Code)
}

// resent answers the same referral sent again: its first code, nobody
// paged again.
func (d *Desk) resent(first *referral.Referral) string {
	ago := max(1, int(d.now().Sub(first.Received).Round(time.Minute)/time.Minute))
	return fmt.Sprintf("%s: already received %d min ago (%s), so nobody was paged again. STATUS %s.",
		first.Code, ago, d.prog.CohortName(first.Cohort), first.Code)
}

func (d *Desk) outsideArea(nearest string, metres float64, where string) string {
	return fmt.Sprintf("Outside every cohort area. Nearest: %s, %s away. Reply YES within 15 min to page %s anyway. Placed %s.",
		d.prog.CohortName(nearest), d.prog.Units.Format(metres), d.prog.CohortName(nearest), where)
}

// outsideProgram answers a point too far from every cohort to page one
// anyway: no YES is offered.
func (d *Desk) outsideProgram(nearest string, metres float64, where string) string {
	return fmt.Sprintf("Outside the program's area (%s): %s from the nearest cohort, %s. Nobody was paged. Check the location, or proceed as usual.",
		where, d.prog.Units.Format(metres), d.prog.CohortName(nearest))
}

// cancelNeedsCode answers a bare CANCEL with the officer's open codes.
func cancelNeedsCode(open []string) string {
	switch len(open) {
	case 0:
		return "CANCEL needs the code. You have no open referral."
	case 1:
		return "CANCEL needs the code: CANCEL " + open[0] + "."
	}
	return "CANCEL needs the code. Your open referrals: " + strings.Join(open[:min(len(open), 8)], ", ") + ". Send CANCEL <code>."
}

// status is the officer's view of a referral.
func (d *Desk) status(r *referral.Referral) string {
	cohort := d.prog.CohortName(r.Cohort)
	who := d.note.ShortName(r.AcceptedBy)
	switch r.State {
	case referral.New, referral.Paging:
		return fmt.Sprintf("%s (%s): paging, not accepted yet.", r.Code, cohort)
	case referral.Accepted:
		return notify.EndSentence(fmt.Sprintf("%s (%s): accepted by %s%s", r.Code, cohort, who, escalation.ETAText(r.ETAMinutes)))
	case referral.OnScene:
		return fmt.Sprintf("%s (%s): %s is on scene.", r.Code, cohort, who)
	case referral.Closed:
		return fmt.Sprintf("%s (%s): closed.", r.Code, cohort)
	case referral.Cancelled:
		return fmt.Sprintf("%s (%s): cancelled.", r.Code, cohort)
	case referral.Unanswered:
		return fmt.Sprintf("%s (%s): no case manager accepted.", r.Code, cohort)
	}
	return r.Code + ": " + string(r.State)
}

// NotYours is the same answer for an unknown code and someone else's, so a
// code cannot be probed.
func NotYours(code string) string { return "No referral " + code + " of yours." }
