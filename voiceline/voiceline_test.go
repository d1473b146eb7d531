package voiceline_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/twiliosim"
)

// callLine rings the program number from a person's phone ("stranger" for
// an unknown number).
// hears checks what the call said at its latest step.
func hears(t *testing.T, c *twiliosim.Session, wants ...string) string {
	t.Helper()
	said := strings.Join(c.Said(), " ")
	for _, want := range wants {
		if !strings.Contains(said, want) {
			t.Errorf("the call does not say %q; it says: %s", want, said)
		}
	}
	return said
}

func press(t *testing.T, c *twiliosim.Session, digits string) {
	t.Helper()
	if err := c.Press(context.Background(), digits); err != nil {
		t.Fatalf("press %s: %v", digits, err)
	}
}

// The officer's registered phone is recognised; where they are is said;
// the on-call case manager picks up and is connected, which accepts.
func TestVoiceLineRegisteredOfficerBySpeech(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	call := w.CallLine("osmith")
	hears(t, call, "Hello, Sam Smith.", "Press 1 for arrest diversion, 2 for social contact.")
	press(t, call, "1")
	hears(t, call, "Say where you are")
	g, ok := call.Gather()
	if !ok || !strings.Contains(g.Input, "speech") || !strings.Contains(g.Input, "dtmf") || !strings.Contains(g.Hints, "PPG Paints Arena") {
		t.Fatalf("the location prompt gathers %+v", g)
	}
	if err := call.Speak(ctx, "Um, I'm at the PPG Paints Arena.", 0.92); err != nil {
		t.Fatal(err)
	}
	hears(t, call, "PPG Paints Arena, West cohort.", "Press 1 to confirm")
	press(t, call, "1")
	said := hears(t, call, "Referral", "Connecting you to the case manager on call.")
	code := e2e.CodeIn(t, w.Expect("osmith", "arrest diversion, West", "Paging"))
	if !strings.Contains(said, strings.Join(strings.Split(code, ""), " ")) {
		t.Errorf("the call does not spell the code %s: %s", code, said)
	}
	dials := call.Dials()
	if len(dials) != 1 || len(dials[0].Numbers) != 1 || dials[0].Numbers[0] != w.PhoneOf("ewalsh") ||
		dials[0].CallerID != w.Prog.Phone || dials[0].Timeout != 20 {
		t.Fatalf("dials %+v", dials)
	}
	if wh := strings.Join(call.Whispered(), " "); !strings.Contains(wh, "You have accepted it") || !strings.Contains(wh, "Officer Sam Smith") {
		t.Errorf("the case manager hears %q on picking up", wh)
	}
	hears(t, call, "The call has ended.")
	if !call.HungUp() {
		t.Error("the call did not end")
	}
	w.Svc.Wait()
	// The referral is exactly as if texted: the page text went out too.
	w.Expect("ewalsh", "LEAD page "+code, "PPG Paints Arena", "Sam Smith")
	w.Expect("ewalsh", "You accepted "+code)
	w.Expect("osmith", code+" accepted by Erin W.")
	r := w.Referral(code)
	if r.State != referral.Accepted || r.AcceptedBy != "ewalsh" || r.Type != referral.Arrest || r.Cohort != "west" ||
		r.Place != "PPG Paints Arena" || r.Officer != "osmith" {
		t.Errorf("referral from the voice line: %+v", r)
	}
	w.Quiet("osmith", "ewalsh", "bnguyen")
}

// An unknown number signs in with badge and PIN, and gives a place code on
// the keypad.
func TestVoiceLineUnknownCallerWithPIN(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	call := w.CallLine("stranger")
	// Participants call this number too (the sample program gives them no
	// other): the caller hears the neutral greeting, and a badge keyed over
	// it signs in.
	said := hears(t, call, "Hello, this is Allegheny Care Team. This number takes text messages only. Connecting you to our help line.")
	for _, leak := range []string{"Leadline", "LEAD", "diversion", "police", "referral", "badge", "officer", "Officer"} {
		if strings.Contains(said, leak) {
			t.Errorf("an unknown caller hears %q: %s", leak, said)
		}
	}
	press(t, call, "2087#")
	hears(t, call, "Enter your PIN")
	press(t, call, "2468#")
	hears(t, call, "Hello, Terry Lee.", "Press 1 for arrest diversion")
	press(t, call, "2")
	press(t, call, "107#")
	hears(t, call, "PNC Park, North cohort.")
	press(t, call, "1")
	code := e2e.CodeIn(t, w.Expect("tlee", "social contact, North"))
	hears(t, call, "The call has ended.")
	w.Svc.Wait()
	w.Expect("jrivera", "LEAD page "+code, "Terry Lee")
	w.Expect("jrivera", "You accepted")
	if r := w.Referral(code); r.Officer != "tlee" || r.Type != referral.Social || r.AcceptedBy != "jrivera" || r.Location != "place 107" {
		t.Errorf("referral: %+v", r)
	}
	w.Quiet("stranger")
}

// Three wrong badge-and-PIN pairs end the call; nothing is stored, and the
// caller is never told which of the two was wrong.
func TestVoiceLineWrongPINThreeTimes(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	call := w.CallLine("stranger")
	for i := range 3 {
		press(t, call, "2087#")
		press(t, call, "1111#")
		if i < 2 {
			said := hears(t, call, "Those details do not match.", "Enter your badge number")
			if strings.Contains(said, "PIN") {
				t.Errorf("a failed sign-in says which part was wrong: %s", said)
			}
		}
	}
	hears(t, call, "Those details do not match. Goodbye.")
	if !call.HungUp() {
		t.Error("the call goes on after three failed sign-ins")
	}
	if n := w.Redis.ZCard(context.Background(), "leadline:{dispatch}:referrals").Val(); n != 0 {
		t.Errorf("%d referrals stored", n)
	}
}

// The first case manager does not pick up: the next in the chain is
// dialled, and the one who answers gets the page's details by text.
func TestVoiceLineFirstCaseManagerDoesNotAnswer(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Sim.DialOutcome(w.PhoneOf("ewalsh"), "no-answer")
	call := w.CallLine("osmith")
	press(t, call, "2")
	press(t, call, "101#")
	hears(t, call, "PPG Paints Arena, West cohort.")
	press(t, call, "1")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	hears(t, call, "No answer. Trying the next case manager.", "The call has ended.")
	dials := call.Dials()
	if len(dials) != 2 || dials[0].Numbers[0] != w.PhoneOf("ewalsh") || dials[1].Numbers[0] != w.PhoneOf("bnguyen") {
		t.Fatalf("dials %+v", dials)
	}
	w.Svc.Wait()
	w.Expect("ewalsh", "LEAD page "+code)
	// Bao was never texted the page: the details come with the accept.
	bao := w.Expect("bnguyen") + "\n" + w.Expect("bnguyen")
	if !strings.Contains(bao, "LEAD page "+code) || !strings.Contains(bao, "You accepted "+code) {
		t.Errorf("Bao's texts: %s", bao)
	}
	w.Expect("osmith", "accepted by Bao N.")
	w.Expect("ewalsh", "accepted by Bao N.", "No need to respond")
	if r := w.Referral(code); r.AcceptedBy != "bnguyen" {
		t.Errorf("referral: %+v", r)
	}
}

// Nobody picks up: the officer is told the page stands, and a case
// manager's later accept by text still reaches them.
func TestVoiceLineNobodyAnswers(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	for _, id := range []string{"ewalsh", "bnguyen", "msup"} {
		w.Sim.DialOutcome(w.PhoneOf(id), "busy")
	}
	call := w.CallLine("osmith")
	press(t, call, "1")
	press(t, call, "101#")
	press(t, call, "1")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	hears(t, call, "The page stands")
	if !call.HungUp() || len(call.Dials()) != 3 {
		t.Fatalf("dials %+v, hung up %v", call.Dials(), call.HungUp())
	}
	w.Svc.Wait()
	w.Expect("ewalsh", "LEAD page "+code)
	w.Text("bnguyen", "1 "+code+" 10")
	w.Expect("bnguyen", "You accepted")
	w.Expect("osmith", code+" accepted by Bao N., ETA 10 min.")
}

// Silence gets the question once more, then a polite end; a location that
// cannot be understood by speech falls back to the keypad.
func TestVoiceLineSilenceAndNoise(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	call := w.CallLine("osmith")
	if err := call.Silence(ctx); err != nil {
		t.Fatal(err)
	}
	hears(t, call, "Press 1 for arrest diversion")
	if err := call.Silence(ctx); err != nil {
		t.Fatal(err)
	}
	hears(t, call, "Nothing was heard")
	if !call.HungUp() {
		t.Fatal("the call waits forever")
	}

	call = w.CallLine("osmith")
	press(t, call, "1")
	if err := call.Speak(ctx, "somewhere by the river I think", 0.4); err != nil {
		t.Fatal(err)
	}
	hears(t, call, "Sorry, I did not get that location.", "Enter a place code followed by pound.")
	if g, _ := call.Gather(); g.Input != "dtmf" {
		t.Errorf("after a failed speech the line gathers %q", g.Input)
	}
	press(t, call, "9")
	hears(t, call, "Sorry, I did not get that location.")
	press(t, call, "103#")
	hears(t, call, "Market Square")
	press(t, call, "2") // try again
	hears(t, call, "Say where you are")
	if n := w.Redis.ZCard(ctx, "leadline:{dispatch}:referrals").Val(); n != 0 {
		t.Errorf("%d referrals stored before confirming", n)
	}
}

// On the phone too, ambiguity is asked back: the candidates are read out
// and the caller presses the number of the right one.
func TestVoiceLineAsksBackAmbiguity(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	call := w.CallLine("osmith")
	press(t, call, "2")
	if err := call.Speak(ctx, "one hundred Main Street", 0.8); err != nil {
		t.Fatal(err)
	}
	hears(t, call, "Did you mean: 1, 100 Main St, Millvale, outside every area. 2, 100 Main St, Pittsburgh, East cohort.",
		"Press the number of the right one")
	press(t, call, "7")
	hears(t, call, "not an option", "Did you mean")
	press(t, call, "2")
	hears(t, call, "100 Main St, Pittsburgh, East cohort.", "Press 1 to confirm")
	press(t, call, "1")
	code := e2e.CodeIn(t, w.Expect("osmith", "social contact, East"))
	if r := w.Referral(code); r.Place != "100 Main St, Pittsburgh" || r.Cohort != "east" {
		t.Errorf("referral: %+v", r)
	}
}

// A place outside every cohort is read back with the distance in the
// program's units, in words: miles (or feet) in the US sample.
func TestVoiceLineOutsideDistanceInProgramUnits(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	call := w.CallLine("osmith")
	press(t, call, "2")
	if err := call.Speak(ctx, "one hundred Main Street", 0.8); err != nil {
		t.Fatal(err)
	}
	hears(t, call, "Did you mean: 1, 100 Main St, Millvale, outside every area.")
	press(t, call, "1")
	said := hears(t, call, "100 Main St, Millvale is outside every cohort area. The nearest is")
	if !regexp.MustCompile(`, [0-9.]+ (miles|feet|mile|foot) away\.`).MatchString(said) || strings.Contains(said, "km") {
		t.Errorf("the distance is not in miles, in words: %s", said)
	}
}

// The line follows the stage it stored, not the step in the URL: an
// unknown caller who posts signed type, where and confirm steps without
// signing in creates nothing and pages nobody, and a step repeated after
// the officer was connected ends the call rather than failing.
func TestVoiceLineStepsOutOfTurnChangeNothing(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	call := url.Values{"CallSid": {"CA00000000000000000000000000000001"}, "From": {w.PhoneOf("stranger")}, "To": {w.Prog.Phone}}
	if status, body := w.Post("/twilio/voice", call); status != http.StatusOK || !strings.Contains(body, "badge") {
		t.Fatalf("first answer: %d %s", status, body)
	}
	for _, step := range []struct{ path, digits string }{{"type", "1"}, {"where", "105"}, {"confirm", "1"}, {"connect", ""}} {
		form := url.Values{"CallSid": call["CallSid"], "Digits": {step.digits}}
		status, body := w.Post("/twilio/voice/line/"+step.path, form)
		if status != http.StatusOK || !strings.Contains(body, "no longer active") || !strings.Contains(body, "<Hangup") {
			t.Errorf("line/%s out of turn: %d %s", step.path, status, body)
		}
	}
	if n := w.Redis.ZCard(context.Background(), "leadline:{dispatch}:referrals").Val(); n != 0 {
		t.Errorf("%d referrals stored", n)
	}
	w.Quiet("jrivera", "aklein", "osmith", "msup")
	w.NoCalls("jrivera", "aklein")

	// A registered officer gets through to connect; then a repeated type
	// or where step, which once panicked, ends the call.
	c := w.CallLine("osmith")
	hears(t, c, "Hello, Sam Smith")
	press(t, c, "2")
	press(t, c, "105")
	hears(t, c, "Press 1 to confirm")
	press(t, c, "1")
	for _, step := range []string{"type", "where"} {
		status, body := w.Post("/twilio/voice/line/"+step, url.Values{"CallSid": {c.SID()}, "Digits": {"1"}})
		if status != http.StatusOK || !strings.Contains(body, "no longer active") {
			t.Errorf("line/%s after connect: %d %s", step, status, body)
		}
	}
}

// Calls to a number participants use hear the neutral greeting and the
// support line, never the officers' line: on the participants' own number
// even from an officer's phone, and on a shared number from anyone who is
// not a registered officer.
func TestParticipantCallsHearNothingAboutOfficers(t *testing.T) {
	const partPhone = "+14125550101"
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) { p.Participants.Phone = partPhone })
	ctx := context.Background()
	for _, from := range []string{e2e.ParticipantPhone, w.PhoneOf("osmith")} {
		call, err := w.Sim.PlaceCall(ctx, from, partPhone)
		if err != nil {
			t.Fatal(err)
		}
		said := hears(t, call, "Hello, this is Allegheny Care Team. This number takes text messages only. Connecting you to our help line.")
		for _, leak := range []string{"Leadline", "badge", "officer", "Officer", "diversion", "Press 1"} {
			if strings.Contains(said, leak) {
				t.Errorf("a call to the participants' number from %s hears %q: %s", from, leak, said)
			}
		}
		if call.Gathering() {
			t.Errorf("a call to the participants' number takes keys: %s", said)
		}
	}
	// The program number, now the officers' alone, asks a stranger for a badge.
	hears(t, w.CallLine("stranger"), "Enter your badge number")
}

// With voice.require_pin a registered officer's own number is not enough
// (caller ID can be spoofed): the caller is asked for badge and PIN first.
func TestVoiceLineRequirePIN(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) { p.Voice.RequirePIN = true })
	call := w.CallLine("tlee")
	// The sample's number is the participants' too: a caller it does not
	// trust hears the neutral greeting, over which an officer keys a badge.
	if said := hears(t, call, "This number takes text messages only"); strings.Contains(said, "Terry") {
		t.Errorf("a registered number was trusted: %s", said)
	}
	press(t, call, "2087#")
	hears(t, call, "Enter your PIN")
	press(t, call, "2468#")
	hears(t, call, "Hello, Terry Lee.", "Press 1 for arrest diversion")
}
