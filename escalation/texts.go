package escalation

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Every text and spoken line of a page is written here. Case managers get
// what they need to find the officer; officers learn the code, the case
// manager's short name, ETA and state.

// Page is the page text: type, cohort, where, the officer, the notes. It
// stays within notify.StaffSegments whatever the officer sent: the clean
// map link always goes, and the location as given and the notes are
// shortened (to GSM-7 first, then cut) until the page fits. A text Twilio
// refuses as too long would leave the case manager unpaged.
func (ch *Chain) Page(r *referral.Referral) string {
	loc, notes := r.Location, r.Notes
	if page := ch.page(r, loc, notes); phone.Segments(page) <= notify.StaffSegments {
		return page
	}
	loc, notes = participant.Clean(loc), participant.Clean(notes)
	// The room left for both, once the rest is written: cut the longer
	// first, so that a long link leaves the notes whole when it can.
	room := notify.StaffSeptets - septets(ch.page(r, "", ""))
	for septets(loc)+septets(notes) > room && (loc != "" || notes != "") {
		if septets(loc) >= septets(notes) {
			loc = shorten(loc, max(septets(loc)-(septets(loc)+septets(notes)-room), septets(loc)/2))
		} else {
			notes = shorten(notes, max(septets(notes)-(septets(loc)+septets(notes)-room), septets(notes)/2))
		}
	}
	return phone.Fit(ch.page(r, loc, notes), notify.StaffSegments)
}

// page writes the page with loc as the location given and notes.
func (ch *Chain) page(r *referral.Referral, loc, notes string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "LEAD page %s: %s, %s", r.Code, strings.ToUpper(r.Type.Label()), ch.Program.CohortName(r.Cohort))
	if r.OutsideMetres > 0 {
		fmt.Fprintf(&b, " (outside area by %s)", ch.Program.Units.Format(r.OutsideMetres))
	}
	if r.NearBoundary {
		b.WriteString(" (near the boundary)")
	}
	at := loc
	if r.Place != "" && !strings.EqualFold(r.Place, r.Location) {
		at = r.Place
		if loc != "" {
			at += " (" + loc + ")"
		}
	}
	fmt.Fprintf(&b, "\nAt: %s %s", at, geo.MapLink(orb.Point{r.Lon, r.Lat}))
	if o, ok := ch.Program.Person(r.Officer); ok {
		fmt.Fprintf(&b, "\nOfficer: %s #%s, %s, %s", o.Name, o.Badge, o.Agency, o.Phone)
	}
	if notes != "" {
		fmt.Fprintf(&b, "\nNotes: %s", notes)
	}
	fmt.Fprintf(&b, "\nReply 1 to accept (1 15 = ETA 15 min), 2 to decline.")
	return b.String()
}

// Where is the referral's place as a page gives it: the place or
// location, and a map link.
func Where(r *referral.Referral) string {
	at := r.Location
	if r.Place != "" && !strings.EqualFold(r.Place, r.Location) {
		at = r.Place + " (" + r.Location + ")"
	}
	return at + " " + geo.MapLink(orb.Point{r.Lon, r.Lat})
}

// septets is what s costs in a GSM-7 text (s is GSM-7 already).
func septets(s string) int {
	n := 0
	for _, r := range s {
		n += max(phone.GSMSeptets(r), 1)
	}
	return n
}

// shorten cuts s to at most n septets, "..." included; "" when n leaves
// no room for more than the dots.
func shorten(s string, n int) string {
	if septets(s) <= n {
		return s
	}
	if n <= 3 {
		return ""
	}
	var b strings.Builder
	used := 3
	for _, r := range s {
		c := max(phone.GSMSeptets(r), 1)
		if used+c > n {
			break
		}
		used += c
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ") + "..."
}

// pagingNext tells the officer the chain moved on: to the next case
// manager, or, at a supervisors step, to the supervisors.
func pagingNext(code string, to program.Target) string {
	if to == program.Supervisors {
		return code + ": no case manager has answered; paging the supervisors."
	}
	return code + ": paging the next case manager."
}

// nobodyAccepted is the fallback: nobody accepted, after how long.
func (ch *Chain) nobodyAccepted(r *referral.Referral) string {
	return fmt.Sprintf("%s: no case manager is available (you have waited %s). %s%s", r.Code,
		waited(ch.Clock().Sub(r.Received)), ch.Program.Fallback, ch.Notify.SupportLine("Program line: "))
}

// waited writes how long an officer has waited: "12 min", "1 h 5 min".
func waited(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 1 {
		return "less than a minute"
	}
	if m < 60 {
		return strconv.Itoa(m) + " min"
	}
	if m%60 == 0 {
		return strconv.Itoa(m/60) + " h"
	}
	return strconv.Itoa(m/60) + " h " + strconv.Itoa(m%60) + " min"
}

// ETAText is ", ETA 15 min", or "" with no ETA.
func ETAText(min int) string {
	if min == 0 {
		return ""
	}
	return ", ETA " + strconv.Itoa(min) + " min"
}

// AcceptedToOfficer tells the officer who accepted.
func (ch *Chain) AcceptedToOfficer(r *referral.Referral) string {
	return notify.EndSentence(fmt.Sprintf("%s accepted by %s%s", r.Code, ch.Notify.ShortName(r.AcceptedBy), ETAText(r.ETAMinutes)))
}

func acceptedToCaseManager(r *referral.Referral) string {
	told := " The officer has been told."
	if r.Officer == "" {
		told = "" // a community referral: no officer is waiting
	}
	return fmt.Sprintf("You accepted %s.%s", r.Code, told) + " Text ETA <min>, ARRIVED, then DONE ENGAGED|REFUSED|GONE."
}

// AlreadyTaken answers who when r is no longer theirs to answer.
func (ch *Chain) AlreadyTaken(r *referral.Referral, who string) string {
	switch {
	case r.State == referral.Cancelled:
		return r.Code + " was cancelled by the officer. No need to respond."
	case r.AcceptedBy == who:
		return "You already accepted " + r.Code + "."
	case r.AcceptedBy != "":
		return notify.EndSentence(r.Code+" was already accepted by "+ch.Notify.ShortName(r.AcceptedBy)) + " No need to respond."
	}
	return r.Code + " is " + strings.ReplaceAll(string(r.State), "_", " ") + "."
}

// What a page call says. The referral is read out without the officer's
// notes: a speakerphone in a car is not a private place.
const (
	spokenGoodbye  = "This call is no longer active. Goodbye."
	spokenAccepted = "Accepted. The officer has been told. Details are in your text messages. Goodbye."
	spokenDeclined = "Declined. Thank you. Goodbye."
	spokenWrongKey = "Sorry, that key is not an option."
	// spokenNoMorePages ends a call whose other pages were settled
	// while it read one.
	spokenNoMorePages = "There are no more pages. Goodbye."
)

// spokenPageOf starts each page of a call that reads several.
func spokenPageOf(n, total int) string {
	return "Page " + strconv.Itoa(n) + " of " + strconv.Itoa(total) + ". "
}

// spokenNoAnswer ends a page call on which nothing was pressed: what that
// means for the page, and how to answer it still.
func spokenNoAnswer(code string) string {
	return "No key was pressed, so nothing was recorded and the page goes on to the next person. " +
		"You can still accept referral " + spokenCode(code) + " by text. Goodbye."
}

// spokenWrongKeys ends a page call after keys that were neither 1 nor 2.
func spokenWrongKeys(code string) string {
	return "The keys pressed were not 1 or 2, so nothing was recorded and the page goes on to the next person. " +
		"You can still accept referral " + spokenCode(code) + " by text. Goodbye."
}

// spokenCode spells a referral code so that it is read out letter by
// letter.
func spokenCode(code string) string { return strings.Join(strings.Split(code, ""), " ") }

func (ch *Chain) spokenPage(r *referral.Referral) string {
	at := "at the location in your text message"
	if r.Place != "" {
		at = "at " + r.Place
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Leadline page, referral %s: %s, %s cohort, %s.", spokenCode(r.Code), r.Type.Label(), ch.Program.CohortName(r.Cohort), at)
	if o, ok := ch.Program.Person(r.Officer); ok {
		fmt.Fprintf(&b, " Officer %s", o.Name)
		if o.Agency != "" {
			fmt.Fprintf(&b, ", %s", o.Agency)
		}
		b.WriteString(", is waiting.")
	}
	b.WriteString(" Press 1 to accept, or 2 to decline.")
	return b.String()
}

// SpokenSettled is a page call answered after the page was settled.
func (ch *Chain) SpokenSettled(r *referral.Referral, who string) string {
	switch {
	case r.State == referral.Cancelled:
		return "This page was cancelled by the officer. No need to respond. Goodbye."
	case r.AcceptedBy == who:
		return "You already accepted this page. Goodbye."
	case r.AcceptedBy != "":
		return notify.EndSentence("This page was already accepted by "+ch.Notify.ShortName(r.AcceptedBy)) + " No need to respond. Goodbye."
	}
	return "This page is closed. Goodbye."
}
