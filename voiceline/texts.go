package voiceline

import (
	"fmt"
	"strings"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/referral"
)

// What the voice line says to a caller. Before sign-in a caller hears
// nothing about the program.
const (
	spokenGoodbye       = "This call is no longer active. Goodbye."
	spokenWrongKey      = "Sorry, that key is not an option."
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

// spokenGreeting is all a caller on a number participants use hears
// before the support line.
func spokenGreeting(sender string, support bool) string {
	if !support {
		return "Hello, this is " + sender + ". This number takes text messages only. Goodbye."
	}
	return "Hello, this is " + sender + ". This number takes text messages only. Connecting you to our help line."
}

// spokenCode spells a referral code so that it is read out letter by letter.
func spokenCode(code string) string { return strings.Join(strings.Split(code, ""), " ") }

func spokenReferred(code string) string {
	return "Referral " + spokenCode(code) + ". The code is also in a text. Connecting you to the case manager on call."
}

// spokenWhisper is what a case manager hears on picking up a connected
// call, before the officer is put through.
func (l *Line) spokenWhisper(r *referral.Referral) string {
	who := "an officer"
	if o, ok := l.prog.Person(r.Officer); ok {
		who = "Officer " + o.Name
	}
	return fmt.Sprintf("Leadline: %s, %s cohort, referral %s. You have accepted it; details are in a text. Connecting you to %s.",
		r.Type.Label(), l.prog.CohortName(r.Cohort), spokenCode(r.Code), who)
}

// spokenChoices reads out candidates in different cohorts.
func (l *Line) spokenChoices(cands []geo.Candidate) string {
	var b strings.Builder
	b.WriteString("Did you mean:")
	for i, c := range cands {
		cohort := "outside every area"
		if c.Cohort != "" {
			cohort = l.prog.CohortName(c.Cohort) + " cohort"
		}
		fmt.Fprintf(&b, " %d, %s, %s.", i+1, c.Label, cohort)
	}
	return b.String()
}
