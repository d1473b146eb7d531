package voiceline_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/lockout"
	"github.com/leadline/leadline/program"
)

// signIn calls the line from number, keys badge and pin, and returns what
// the call said after the PIN.
func signIn(t *testing.T, w *e2e.World, number, badge, pin string) string {
	t.Helper()
	call, err := w.Sim.PlaceCall(context.Background(), number, w.Prog.Phone)
	if err != nil {
		t.Fatal(err)
	}
	press(t, call, badge+"#")
	hears(t, call, "Enter your PIN")
	press(t, call, pin+"#")
	return strings.Join(call.Said(), " ")
}

// wrongPINs has number key badge with a wrong PIN n times, three to a call
// as the line allows; each try is answered as any wrong PIN is.
func wrongPINs(t *testing.T, w *e2e.World, number string, n int) {
	t.Helper()
	for n > 0 {
		call, err := w.Sim.PlaceCall(context.Background(), number, w.Prog.Phone)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3 && n > 0; i, n = i+1, n-1 {
			press(t, call, "2087#")
			press(t, call, "1111#")
			hears(t, call, "Those details do not match.")
		}
	}
}

// notSignedIn checks a call with the right PIN was answered as a wrong one.
func notSignedIn(t *testing.T, said string) {
	t.Helper()
	if strings.Contains(said, "Terry") || !strings.Contains(said, "Those details do not match.") {
		t.Errorf("a locked badge or number hears: %s", said)
	}
}

// The attack: 30 calls of three wrong PINs each. The fifth failure
// locks the badge and the number, the supervisor is texted once, and the
// right PIN then does not sign in, from that number or any other, and is
// answered exactly as a wrong one. Locks that come back grow: 15, 30, 60
// minutes. A supervisor's UNLOCK lifts it, and so does the admin API.
func TestVoiceLineLockoutAcrossCalls(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	attacker, other := w.PhoneOf("stranger"), "+14125550998"
	wrongPINs(t, w, attacker, 90)
	w.Expect("msup", "voice line locked for 15 min (lock 1) after 5 failed PINs", "badge 2087 (Terry Lee)",
		"number ending 0999", "Reply UNLOCK 2087")
	w.Quiet("msup", "pmorgan", "tlee", "jrivera")
	notSignedIn(t, signIn(t, w, attacker, "2087", "2468"))
	notSignedIn(t, signIn(t, w, other, "2087", "2468"))

	// Over, it comes back twice as long, then twice again.
	for _, lock := range []struct {
		after time.Duration
		says  string
	}{{15 * time.Minute, "for 30 min (lock 2)"}, {30 * time.Minute, "for 1 h (lock 3)"}} {
		w.Clock.Advance(lock.after - time.Minute)
		notSignedIn(t, signIn(t, w, other, "2087", "2468"))
		w.Clock.Advance(time.Minute)
		wrongPINs(t, w, attacker, 5)
		w.Expect("msup", lock.says, "badge 2087")
		w.Quiet("msup")
	}
	notSignedIn(t, signIn(t, w, attacker, "2087", "2468"))

	// Only a supervisor lifts it; then the right PIN signs in.
	w.Text("jrivera", "UNLOCK 2087")
	w.Expect("jrivera", "Only a supervisor can unlock the voice line.")
	w.Text("msup", "UNLOCK 2087")
	w.Expect("msup", "Badge 2087 unlocked")
	if said := signIn(t, w, attacker, "2087", "2468"); !strings.Contains(said, "Hello, Terry Lee.") {
		t.Errorf("after UNLOCK the right PIN hears: %s", said)
	}
	w.Text("msup", "UNLOCK 2087")
	w.Expect("msup", "Badge 2087 is not locked.")

	// Unlocked, it starts again at the first lock; the admin API lists it
	// (with the number's last four digits only) and lifts it by number.
	wrongPINs(t, w, attacker, 5)
	w.Expect("msup", "for 15 min (lock 1)")
	var list struct{ Locks []lockout.Lock }
	if status, body := adminDo(t, w, http.MethodGet, "/admin/lockouts", ""); status != http.StatusOK {
		t.Fatalf("GET /admin/lockouts: %d %s", status, body)
	} else if err := json.Unmarshal([]byte(body), &list); err != nil || strings.Contains(body, attacker) {
		t.Fatalf("GET /admin/lockouts: %v %s", err, body)
	}
	if len(list.Locks) != 1 || list.Locks[0].Badge != "2087" || list.Locks[0].NumberEnding != "0999" || list.Locks[0].Failures != 5 ||
		!list.Locks[0].Until.Equal(w.Clock.Now().Add(15*time.Minute).Truncate(time.Millisecond)) {
		t.Errorf("locks: %+v", list.Locks)
	}
	for _, bad := range []string{`{}`, `{"badge":"2087","number":"+14125550999"}`, `{"number":"0999"}`, `{"badge":"20 87"}`} {
		if status, body := adminDo(t, w, http.MethodPost, "/admin/lockouts/unlock", bad); status != http.StatusBadRequest {
			t.Errorf("unlock %s: %d %s", bad, status, body)
		}
	}
	if status, body := adminDo(t, w, http.MethodPost, "/admin/lockouts/unlock", `{"number":"`+attacker+`"}`); status != http.StatusOK {
		t.Fatalf("unlock by number: %d %s", status, body)
	}
	if status, _ := adminDo(t, w, http.MethodPost, "/admin/lockouts/unlock", `{"badge":"2087"}`); status != http.StatusNotFound {
		t.Errorf("unlocking what is not locked: %d, want 404", status)
	}
	if said := signIn(t, w, other, "2087", "2468"); !strings.Contains(said, "Hello, Terry Lee.") {
		t.Errorf("after the admin unlock the right PIN hears: %s", said)
	}
	w.Quiet("msup", "pmorgan", "tlee")
}

// A badge nobody has is locked and told like any other: the caller hears
// the same, and only the supervisors learn that no officer has it.
func TestVoiceLineLockoutOfAnUnknownBadge(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	call := w.CallLine("stranger")
	for range 3 {
		press(t, call, "9999#")
		press(t, call, "1111#")
	}
	hears(t, call, "Those details do not match. Goodbye.")
	call = w.CallLine("stranger")
	for range 2 {
		press(t, call, "1234#")
		press(t, call, "1111#")
	}
	// The number reached five failures: it and the badge last tried lock.
	w.Expect("msup", "badge 1234 (no officer has it)", "number ending 0999", "5 failed PINs")
	notSignedIn(t, signIn(t, w, w.PhoneOf("stranger"), "2087", "2468"))
	w.Quiet("msup")
}

// Each lock is twice the one before up to voice.lockout.longest; one more
// than a longest after the last lock's end starts again at the first.
func TestVoiceLineLockoutIsCapped(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) {
		p.Voice.Lockout = program.Lockout{After: 1, Window: time.Hour, First: 15 * time.Minute, Longest: 45 * time.Minute}
	})
	for _, want := range []string{"15 min (lock 1)", "30 min (lock 2)", "45 min (lock 3)", "45 min (lock 4)"} {
		wrongPINs(t, w, w.PhoneOf("stranger"), 1)
		w.Expect("msup", want, "after 1 failed PIN:")
		w.Clock.Advance(45 * time.Minute)
	}
	w.Clock.Advance(46 * time.Minute)
	wrongPINs(t, w, w.PhoneOf("stranger"), 1)
	w.Expect("msup", "15 min (lock 1)")
	w.Quiet("msup")
}

// adminDo sends an admin API request with the world's token.
func adminDo(t *testing.T, w *e2e.World, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, w.OpsURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e2e.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
