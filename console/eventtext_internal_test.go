package console

import (
	"testing"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Events whose names start like a participant text's ("participant_…")
// get labels of their own, not "Text to the participant: ".
func TestEventTextLabels(t *testing.T) {
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{prog: prog}
	for _, tt := range []struct {
		line referral.Line
		want string
	}{
		{referral.Line{What: referral.EvUnreachable, Detail: "30006"}, "The participant's number cannot receive texts (Twilio error 30006)"},
		{referral.Line{What: referral.EvUnreachable}, "The participant's number cannot receive texts"},
		{referral.Line{What: referral.EvNumberChanged, Who: "jrivera"}, "The participant's number was changed by Jo R."},
		{referral.Line{What: referral.EvParticipantText + "reminder"}, "Text to the participant: a reminder"},
		{referral.Line{What: referral.EvOpenNotice, Who: "msup"}, "Open a long time: the supervisors were told it will be closed and its details removed"},
		{referral.Line{What: referral.EvOpenLimit, Detail: "180 days"}, "Closed after 180 days open; its details removed"},
	} {
		if got := s.eventText(tt.line, true); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.line.What, got, tt.want)
		}
	}
}
