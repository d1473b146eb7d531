package followup

import (
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/referral"
)

// Every text about a follow-up is written here.

// Word is what a type's follow-up is called.
func Word(t referral.Type) string {
	if t == referral.Arrest {
		return "intake"
	}
	return "follow-up"
}

// verb is what the case manager texts when it is done.
func verb(t referral.Type) string {
	if t == referral.Arrest {
		return "INTAKE"
	}
	return "FOLLOWED"
}

func (p *Plans) reminderText(r *referral.Referral, due time.Time) string {
	loc := p.prog.TimeZone
	today := p.now().In(loc)
	left := daysLeft(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc), due, loc)
	return r.Code + " (" + r.Type.Label() + ", " + p.prog.CohortName(r.Cohort) + "): " + Word(r.Type) +
		" due " + p.note.When(due) + ", " + left + ". Text " + verb(r.Type) + " " + r.Code + " when done."
}

// assignedText tells a case manager of a referral assigned to them for
// follow-up: what a page says, and when the follow-up is due.
func (p *Plans) assignedText(r *referral.Referral) string {
	var b strings.Builder
	b.WriteString(notify.EndSentence(r.Code+" ("+r.Type.Label()+", "+p.prog.CohortName(r.Cohort)+") is yours to follow up, from "+
		p.note.ShortName(r.AssignedBy)) + " No one was paged.")
	at := r.Location
	if r.Place != "" && !strings.EqualFold(r.Place, r.Location) {
		at = r.Place + " (" + r.Location + ")"
	}
	b.WriteString("\nAt: " + at)
	if r.Lat != 0 || r.Lon != 0 {
		b.WriteString(" " + geo.MapLink(orb.Point{r.Lon, r.Lat}))
	}
	if r.Notes != "" {
		b.WriteString("\nNotes: " + r.Notes)
	}
	if due := r.FollowUpDue(p.prog); !due.IsZero() {
		b.WriteString("\n" + capital(Word(r.Type)) + " due " + p.note.When(due) + ". Text " + verb(r.Type) + " " + r.Code + " when done.")
	}
	return b.String()
}

func capital(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func (p *Plans) overdueToSupervisor(r *referral.Referral, due time.Time) string {
	return r.Code + " (" + r.Type.Label() + ", " + p.prog.CohortName(r.Cohort) + "): " + Word(r.Type) +
		" was due " + p.note.When(due) + " and is not recorded. Case manager: " + p.note.ShortName(r.AcceptedBy)
}

func (p *Plans) overdueToCaseManager(r *referral.Referral, due time.Time) string {
	return r.Code + ": " + Word(r.Type) + " was due " + p.note.When(due) + ". Supervisors were told. Text " +
		verb(r.Type) + " " + r.Code + " once done."
}

// daysLeft says how long until due, in the program's calendar days.
func daysLeft(today, due time.Time, loc *time.Location) string {
	d := due.In(loc)
	dueDay := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	n := int(dueDay.Sub(today).Hours()/24 + 0.5)
	switch {
	case n == 0:
		return "due today"
	case n == 1:
		return "due tomorrow"
	case n > 1:
		return strconv.Itoa(n) + " days left"
	case n == -1:
		return "overdue 1 day"
	}
	return "overdue " + strconv.Itoa(-n) + " days"
}

// digestText is a daily digest, kept within two segments.
func digestText(open, appts, waiting, unreachable []string) string {
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
	add("Cannot be texted (APPT <code> NUMBER <new>):", unreachable)
	return b.String()
}
