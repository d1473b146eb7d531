package escalation_test

import (
	"strings"
	"testing"

	"github.com/leadline/leadline/internal/e2e"
)

// A Maps link as phones share it, 1,507 characters long: its place, its
// coordinates (!3d…!4d…) and a long tail of tracking data.
func longMapsLink() string {
	link := "https://www.google.com/maps/place/PNC+Park,+115+Federal+St,+Pittsburgh,+PA+15212/@40.4473,-80.0076,17z/data=!3m1!4b1!4m6!3m5!1s0x8834f15a5d0e2b3b:0x6a0f0e9e3c5b8f1!8m2!3d40.4473!4d-80.0076!16s%2Fm%2F02q7yk?entry=ttu&g_ep="
	return link + strings.Repeat("EgoyMDI2MTIwMS4wIKXMDSoASAFQAw", 60)[:1507-len(link)]
}

// A page stays within two SMS segments whatever the officer sent: a
// 1,507-character Maps link made a 1,717-character page, which Twilio
// refuses (21617), and the case manager was never paged. The location as
// given is shortened; the clean map link, the officer and the notes stay.
func TestPageWithALongLinkFitsTwoSegments(t *testing.T) {
	link := longMapsLink()
	if len(link) != 1507 {
		t.Fatalf("the link has %d characters, want 1,507", len(link))
	}
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+link+" / red jacket, sitting on the steps by gate C")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	page := w.ExpectMessage("jrivera", "LEAD page "+code, "https://maps.google.com/?q=40.4473,-80.0076",
		"Officer: Sam Smith #4411", "Notes: red jacket, sitting on the steps by gate C", "Reply 1 to accept",
		"https://www.google.com/maps/place/PNC")
	if page.Segments > 2 || len(page.Body) > 306 {
		t.Errorf("the page takes %d segments, %d characters:\n%s", page.Segments, len(page.Body), page.Body)
	}
	// The referral keeps the location as the officer gave it.
	if r := w.Referral(code); r.Location != link {
		t.Errorf("stored location has %d characters, want the link as given", len(r.Location))
	}
	w.Text("jrivera", "1")
	w.Expect("jrivera", "You accepted "+code)
	w.Expect("osmith", code+" accepted by Jo R.")
}
