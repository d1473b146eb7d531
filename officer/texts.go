package officer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/referral"
)

// Every text to an officer is written here: the code, cohort, the case
// manager's short name, ETA and state, never anything about the person
// beyond what the officer sent.

// Usage is the answer to a text that is not understood.
const Usage = "Not understood. Refer: AD <address | streets | place | lat,lon | map link> / notes (arrest diversion) or SC ... (social contact). Also STATUS, CANCEL <code>, HELP."

// Help is the answer to HELP.
func (d *Desk) Help() string {
	return "Leadline: AD <location> / notes = arrest diversion, SC <location> / notes = social contact. Location: 1200 Main St, 5th & Wood, a place, 40.4473,-80.0076 or a map link. STATUS [code], CANCEL <code>." +
		d.note.SupportLine("Help: ")
}

func locationHelp(shortLink bool) string {
	if shortLink {
		return "Short map links can't be opened. Send AD or SC with lat,lon (e.g. 40.4473,-80.0076), the full map link or a place code."
	}
	return "Location not found. Send AD or SC with an address (1200 Main St), streets (5th & Wood), a place name or code, lat,lon (40.4473,-80.0076) or a map link."
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

func (d *Desk) received(r *referral.Referral) string {
	return fmt.Sprintf("%s: %s, %s. Paging the on-call case manager. STATUS %s or CANCEL %s.",
		r.Code, r.Type.Label(), d.prog.CohortName(r.Cohort), r.Code, r.Code)
}

func (d *Desk) outsideArea(nearest string, metres float64) string {
	return fmt.Sprintf("Outside every cohort area. Nearest: %s, %s away. Reply YES within 15 min to page %s anyway.",
		d.prog.CohortName(nearest), geo.FormatDistance(metres), d.prog.CohortName(nearest))
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
