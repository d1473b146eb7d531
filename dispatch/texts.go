package dispatch

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/leadline/leadline/geo"
)

// Every text Leadline sends in the core loop is written here, so that what
// each audience may be told (DESIGN.md, "What a text may say") can be read in
// one place. Officers learn the code, cohort, the case manager's short name,
// ETA and state; case managers get what they need to find the officer.

// strangerReply is all an unknown number ever learns.
const strangerReply = "This number does not accept messages."

func (s *Service) officerUsage() string {
	return "Not understood. Refer: AD <address | streets | place | lat,lon | map link> / notes (arrest diversion) or SC ... (social contact). Also STATUS, CANCEL <code>, HELP."
}

func (s *Service) officerHelp() string {
	t := "Leadline: AD <location> / notes = arrest diversion, SC <location> / notes = social contact. Location: 1200 Main St, 5th & Wood, a place, 40.4473,-80.0076 or a map link. STATUS [code], CANCEL <code>."
	if s.prog.SupportPhone != "" {
		t += " Help: " + s.prog.SupportPhone
	}
	return t
}

func (s *Service) caseManagerHelp() string {
	t := "Leadline: 1 [code] [min] accept, 2 [code] decline, ETA <min>, ARRIVED, DONE ENGAGED|REFUSED|GONE, WHO, " +
		"INTAKE|FOLLOWED <code>, APPT <code> <phone> <date> <time> [@ place] (or CANCEL, MOVE <date> <time>), LANG <code> en|es."
	if s.prog.SupportPhone != "" {
		t += " Help: " + s.prog.SupportPhone
	}
	return t
}

func (s *Service) caseManagerUsage() string {
	return "Not understood. " + s.caseManagerHelp()
}

func (s *Service) locationHelp(shortLink bool) string {
	if shortLink {
		return "Short map links can't be opened. Send AD or SC with lat,lon (e.g. 40.4473,-80.0076), the full map link or a place code."
	}
	return "Location not found. Send AD or SC with an address (1200 Main St), streets (5th & Wood), a place name or code, lat,lon (40.4473,-80.0076) or a map link."
}

// didYouMean asks the officer to pick among candidates in different
// cohorts.
func (s *Service) didYouMean(cands []geo.Candidate) string {
	var b strings.Builder
	b.WriteString("Did you mean")
	for i, c := range cands {
		cohort := "outside every area"
		if c.Cohort != "" {
			cohort = s.prog.CohortName(c.Cohort)
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

func (s *Service) referralReceived(r *Referral) string {
	return fmt.Sprintf("%s: %s, %s. Paging the on-call case manager. STATUS %s or CANCEL %s.",
		r.Code, r.Type.Label(), s.prog.CohortName(r.Cohort), r.Code, r.Code)
}

func (s *Service) outsideArea(nearest string, metres float64) string {
	return fmt.Sprintf("Outside every cohort area. Nearest: %s, %s away. Reply YES within 15 min to page %s anyway.",
		s.prog.CohortName(nearest), geo.FormatDistance(metres), s.prog.CohortName(nearest))
}

const nothingToConfirm = "Nothing is waiting for YES. To refer: AD <location> / notes."

func (s *Service) page(r *Referral) string {
	var b strings.Builder
	fmt.Fprintf(&b, "LEAD page %s: %s, %s", r.Code, strings.ToUpper(r.Type.Label()), s.prog.CohortName(r.Cohort))
	if r.OutsideMetres > 0 {
		fmt.Fprintf(&b, " (outside area by %s)", geo.FormatDistance(r.OutsideMetres))
	}
	if r.NearBoundary {
		b.WriteString(" (near the boundary)")
	}
	at := r.Location
	if r.Place != "" && !strings.EqualFold(r.Place, r.Location) {
		at = r.Place + " (" + r.Location + ")"
	}
	fmt.Fprintf(&b, "\nAt: %s %s", at, geo.MapLink(orb.Point{r.Lon, r.Lat}))
	if o, ok := s.prog.Person(r.Officer); ok {
		fmt.Fprintf(&b, "\nOfficer: %s #%s, %s, %s", o.Name, o.Badge, o.Agency, o.Phone)
	}
	if r.Notes != "" {
		fmt.Fprintf(&b, "\nNotes: %s", r.Notes)
	}
	fmt.Fprintf(&b, "\nReply 1 to accept (1 15 = ETA 15 min), 2 to decline.")
	return b.String()
}

func (s *Service) shortName(id string) string {
	if p, ok := s.prog.Person(id); ok {
		return p.ShortName()
	}
	return "a case manager"
}

// endSentence ends s with a full stop, unless a short name ("Jo R.")
// already did.
func endSentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

func etaText(min int) string {
	if min == 0 {
		return ""
	}
	return ", ETA " + strconv.Itoa(min) + " min"
}

func (s *Service) acceptedToOfficer(r *Referral) string {
	return endSentence(fmt.Sprintf("%s accepted by %s%s", r.Code, s.shortName(r.AcceptedBy), etaText(r.ETAMinutes)))
}

func (s *Service) acceptedToCaseManager(r *Referral) string {
	t := fmt.Sprintf("You accepted %s. The officer has been told.", r.Code)
	return t + " Text ETA <min>, ARRIVED, then DONE ENGAGED|REFUSED|GONE."
}

func pagingNext(code string) string {
	return code + ": paging the next case manager."
}

func (s *Service) nobodyAccepted(code string) string {
	t := code + ": no case manager is available. " + s.prog.Fallback
	if s.prog.SupportPhone != "" {
		t += " Program line: " + s.prog.SupportPhone
	}
	return t
}

func cancelledToCaseManager(code string) string {
	return code + " was cancelled by the officer. No need to respond."
}

// status is the officer's view of a referral.
func (s *Service) status(r *Referral) string {
	cohort := s.prog.CohortName(r.Cohort)
	switch r.State {
	case New, Paging:
		return fmt.Sprintf("%s (%s): paging, not accepted yet.", r.Code, cohort)
	case Accepted:
		return endSentence(fmt.Sprintf("%s (%s): accepted by %s%s", r.Code, cohort, s.shortName(r.AcceptedBy), etaText(r.ETAMinutes)))
	case OnScene:
		return fmt.Sprintf("%s (%s): %s is on scene.", r.Code, cohort, s.shortName(r.AcceptedBy))
	case Closed:
		return fmt.Sprintf("%s (%s): closed.", r.Code, cohort)
	case Cancelled:
		return fmt.Sprintf("%s (%s): cancelled.", r.Code, cohort)
	case Unanswered:
		return fmt.Sprintf("%s (%s): no case manager accepted.", r.Code, cohort)
	}
	return r.Code + ": " + string(r.State)
}

// notYours is the same answer for an unknown code and someone else's, so a
// code cannot be probed.
func notYours(code string) string { return "No referral " + code + " of yours." }

const noReferralYet = "You have no referral yet. To refer: AD <location> / notes."

func (s *Service) alreadyTaken(r *Referral, who string) string {
	switch {
	case r.State == Cancelled:
		return r.Code + " was cancelled by the officer. No need to respond."
	case r.AcceptedBy == who:
		return "You already accepted " + r.Code + "."
	case r.AcceptedBy != "":
		return endSentence(r.Code+" was already accepted by "+s.shortName(r.AcceptedBy)) + " No need to respond."
	}
	return r.Code + " is " + strings.ReplaceAll(string(r.State), "_", " ") + "."
}

func (s *Service) who(lines []string) string {
	if len(lines) == 0 {
		return "You are in no cohort rotation."
	}
	return endSentence("On call: " + strings.Join(lines, "; "))
}

func (s *Service) etaToOfficer(r *Referral) string {
	return fmt.Sprintf("%s: %s ETA %d min.", r.Code, s.shortName(r.AcceptedBy), r.ETAMinutes)
}

func (s *Service) arrivedToOfficer(r *Referral) string {
	return fmt.Sprintf("%s: %s has arrived.", r.Code, s.shortName(r.AcceptedBy))
}

// What a page call says. The referral is read out without the officer's
// notes: a speakerphone in a car is not a private place.
const (
	spokenGoodbye  = "This call is no longer active. Goodbye."
	spokenNoAnswer = "No answer received. The page is in your text messages. Goodbye."
	spokenAccepted = "Accepted. The officer has been told. Details are in your text messages. Goodbye."
	spokenDeclined = "Declined. Thank you. Goodbye."
	spokenWrongKey = "Sorry, that key is not an option."
)

func (s *Service) spokenPage(r *Referral) string {
	at := "at the location in your text message"
	if r.Place != "" {
		at = "at " + r.Place
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Leadline page: %s, %s cohort, %s.", r.Type.Label(), s.prog.CohortName(r.Cohort), at)
	if o, ok := s.prog.Person(r.Officer); ok {
		fmt.Fprintf(&b, " Officer %s", o.Name)
		if o.Agency != "" {
			fmt.Fprintf(&b, ", %s", o.Agency)
		}
		b.WriteString(", is waiting.")
	}
	b.WriteString(" Press 1 to accept, or 2 to decline.")
	return b.String()
}

// spokenSettled is a page call answered after the page was settled.
func (s *Service) spokenSettled(r *Referral, who string) string {
	switch {
	case r.State == Cancelled:
		return "This page was cancelled by the officer. No need to respond. Goodbye."
	case r.AcceptedBy == who:
		return "You already accepted this page. Goodbye."
	case r.AcceptedBy != "":
		return endSentence("This page was already accepted by "+s.shortName(r.AcceptedBy)) + " No need to respond. Goodbye."
	}
	return "This page is closed. Goodbye."
}

// What the voice line says to a caller. Before sign-in a caller hears
// nothing about the program.
const (
	spokenBadge         = "Enter your badge number, then press pound."
	spokenPIN           = "Enter your PIN, then press pound."
	spokenNoMatch       = "Those details do not match."
	spokenNoMatchBye    = "Those details do not match. Goodbye."
	spokenType          = "Press 1 for arrest diversion, 2 for social contact."
	spokenWhere         = "Say where you are, or enter a place code followed by pound."
	spokenPlaceCode     = "Enter a place code followed by pound."
	spokenNotUnderstood = "Sorry, I did not get that location."
	spokenConfirm       = "Press 1 to confirm and page, 2 to try again."
	spokenChoose        = "Press the number of the right one, or 0 to try again."
	spokenNothingHeard  = "Nothing was heard. Please call again or send a text. Goodbye."
	spokenTextInstead   = "Please send the location by text instead. Goodbye."
	spokenNotRecorded   = "Sorry, that was not recorded. Please call again or send a text. Goodbye."
	spokenPageStands    = "Nobody answered. The page stands, and you will get a text when a case manager accepts. Goodbye."
	spokenTryingNext    = "No answer. Trying the next case manager."
	spokenCallEnded     = "The call has ended. Goodbye."
)

// spokenCode spells a referral code so that it is read out letter by letter.
func spokenCode(code string) string { return strings.Join(strings.Split(code, ""), " ") }

func spokenReferred(code string) string {
	return "Referral " + spokenCode(code) + ". The code is also in a text. Connecting you to the case manager on call."
}

// spokenWhisper is what a case manager hears on picking up a connected
// call, before the officer is put through.
func (s *Service) spokenWhisper(r *Referral) string {
	who := "an officer"
	if o, ok := s.prog.Person(r.Officer); ok {
		who = "Officer " + o.Name
	}
	return fmt.Sprintf("Leadline: %s, %s cohort, referral %s. You have accepted it; details are in a text. Connecting you to %s.",
		r.Type.Label(), s.prog.CohortName(r.Cohort), spokenCode(r.Code), who)
}

// spokenChoices reads out candidates in different cohorts.
func (s *Service) spokenChoices(cands []geo.Candidate) string {
	var b strings.Builder
	b.WriteString("Did you mean:")
	for i, c := range cands {
		cohort := "outside every area"
		if c.Cohort != "" {
			cohort = s.prog.CohortName(c.Cohort) + " cohort"
		}
		fmt.Fprintf(&b, " %d, %s, %s.", i+1, c.Label, cohort)
	}
	return b.String()
}

// dated is a deadline with its date, however near: "Wed 23 Dec 09:00".
func dated(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan 15:04") }

// followUpWord is what a type's follow-up is called.
func followUpWord(t Type) string {
	if t == Arrest {
		return "intake"
	}
	return "follow-up"
}

// followUpVerb is what the case manager texts when it is done.
func followUpVerb(t Type) string {
	if t == Arrest {
		return "INTAKE"
	}
	return "FOLLOWED"
}

func (s *Service) followUpText(r *Referral, due time.Time) string {
	today := s.now().In(s.prog.TimeZone)
	left := daysLeft(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, s.prog.TimeZone), due, s.prog.TimeZone)
	return r.Code + " (" + r.Type.Label() + ", " + s.prog.CohortName(r.Cohort) + "): " + followUpWord(r.Type) +
		" due " + dated(due, s.prog.TimeZone) + ", " + left + ". Text " + followUpVerb(r.Type) + " " + r.Code + " when done."
}

func (s *Service) overdueToSupervisor(r *Referral, due time.Time) string {
	return r.Code + " (" + r.Type.Label() + ", " + s.prog.CohortName(r.Cohort) + "): " + followUpWord(r.Type) +
		" was due " + dated(due, s.prog.TimeZone) + " and is not recorded. Case manager: " + s.shortName(r.AcceptedBy)
}

func (s *Service) overdueToCaseManager(r *Referral, due time.Time) string {
	return r.Code + ": " + followUpWord(r.Type) + " was due " + dated(due, s.prog.TimeZone) + ". Supervisors were told. Text " +
		followUpVerb(r.Type) + " " + r.Code + " once done."
}

// digestText is a daily digest, kept within two segments.
func digestText(open, appts, waiting []string) string {
	const limit = 300
	var b strings.Builder
	add := func(head string, items []string) {
		if len(items) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(head)
		for i, it := range items {
			sep := ", "
			if i == 0 {
				sep = " "
			}
			more := " +" + strconv.Itoa(len(items)-i) + " more"
			if b.Len()+len(sep)+len(it)+len(more) > limit {
				b.WriteString(more)
				break
			}
			b.WriteString(sep + it)
		}
		b.WriteString(".")
	}
	b.WriteString("Today:")
	add("Open:", open)
	add("Appointments:", appts)
	add("No answer yet to the reminders request:", waiting)
	return b.String()
}
