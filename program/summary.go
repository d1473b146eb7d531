package program

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteSummary prints what `leadline check` shows for a valid config: the
// program, each cohort with its area and rotation, and people by role.
// Phone numbers are masked: the summary may be pasted into a ticket.
func (p *Program) WriteSummary(w io.Writer) error {
	fmt.Fprintf(w, "%s: %s (%s), program number %s\n", p.File, p.Name, p.TimeZone, p.Phone)
	fmt.Fprintf(w, "\nCohorts (%d):\n", len(p.Cohorts))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	areas := map[string]float64{}
	polygons := map[string]int{}
	for _, c := range p.Areas.Cohorts() {
		areas[c.ID] = c.SquareKm
		polygons[c.ID] = len(c.Area)
	}
	for _, c := range p.Cohorts {
		fmt.Fprintf(tw, "  %s\t%s\t%.1f km²\t%d polygons\tack %s\trotation: %s\n",
			c.ID, c.Name, areas[c.ID], polygons[c.ID], c.Escalation.AckTimeout, strings.Join(c.Rotation, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	count := map[Role]int{}
	for _, x := range p.People {
		count[x.Role]++
	}
	fmt.Fprintf(w, "\nPeople (%d): %s, %s, %s, %s, %d intake\n", len(p.People), plural(count[CaseManager], "case manager"),
		plural(count[Supervisor], "supervisor"), plural(count[Officer], "officer"), plural(count[ProgramManager], "program manager"),
		count[Intake])
	staff, emails := 0, 0
	for _, x := range p.People {
		if x.Role.Staff() {
			staff++
			if x.Email != "" {
				emails++
			}
		}
	}
	fmt.Fprintf(w, "Console: %d people may sign in (by a code texted to their phone; %d with an email for single sign-on)\n", staff, emails)
	fmt.Fprintf(w, "Places: %d\n", p.Places.Len())
	if p.Addresses != nil {
		outside := 0
		for pt := range p.Addresses.Points {
			if _, ok := p.Areas.Locate(pt); !ok {
				outside++
			}
		}
		fmt.Fprintf(w, "Address points: %d loaded, %d outside every cohort area\n", p.Addresses.Len(), outside)
	}
	if p.Geocoder.URL != "" {
		fmt.Fprintf(w, "Geocoder: %s (%s), after local data\n", p.Geocoder.URL, p.Geocoder.Kind)
	}
	fmt.Fprintf(w, "Boundary tolerance: %.0f m\n", p.Tolerance)
	for _, t := range FollowUpTypes {
		if f, ok := p.FollowUps[t]; ok {
			from := "the accept"
			if t == "community" {
				from = "the accept or assignment"
			}
			fmt.Fprintf(w, "Follow-up (%s): due %s after %s, reminders at %s\n", t, days(f.Due), from, daysList(f.Remind))
		}
	}
	pt := p.Participants
	fmt.Fprintf(w, "Participant texts: signed %q, reminders %s before, %02d:%02d-%02d:%02d, numbers kept %s\n",
		pt.Sender, daysList(pt.Reminders), int(pt.Window.From.Hours()), int(pt.Window.From.Minutes())%60,
		int(pt.Window.To.Hours()), int(pt.Window.To.Minutes())%60, days(pt.Keep))
	sf := p.Safety
	fmt.Fprintf(w, "After the accept: nudge %s after it without an ETA (else when the ETA passes), supervisors told %s later; "+
		"check-in every %s on scene, a call %s after an unanswered one, supervisors %s after that\n",
		days(sf.Nudge), days(sf.NudgeAnswer), days(sf.CheckIn), days(sf.CheckInAnswer), days(sf.CheckInAnswer))
	cap := "no cap"
	if p.MaxMessagesPerSecond > 0 {
		cap = fmt.Sprintf("at most %g a second", p.MaxMessagesPerSecond)
	}
	digest := "off"
	if !p.DailyDigest.Off {
		digest = fmt.Sprintf("%02d:%02d", p.DailyDigest.Hour, p.DailyDigest.Minute)
	}
	_, err := fmt.Fprintf(w, "Outbound texts: %s; daily digest %s\n", cap, digest)
	return err
}

// days shows a duration in whole days when it is one ("30d"), else as Go does.
func days(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

func daysList(ds []time.Duration) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = days(d)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// plural is "1 supervisor", "2 supervisors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
