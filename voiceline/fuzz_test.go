package voiceline_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/twiliosim"
)

// fuzzSteps and fuzzDigits are what a fuzz input picks from, a byte each:
// the line's step URLs (and the call's start) and the keys pressed.
var (
	fuzzSteps  = []string{"", "/line/badge", "/line/pin", "/line/type", "/line/where", "/line/choose", "/line/confirm", "/line/connect", "/line/whisper", "/line/dialled"}
	fuzzDigits = []string{"", "1", "2", "3", "105", "4411", "1234", "#", "99999999999999999999"}
	fuzzFrom   = []string{"osmith", "stranger", "jrivera"}
)

// Any sequence of voice steps, in any order, with any keys, from an
// officer's, a stranger's or a case manager's phone, is answered with
// TwiML and never a 500 (a panic answers 500), and a caller who did not
// sign in never makes a referral. Its seed corpus (testdata, with
// 0A0a1700, which once panicked after connect) runs in the normal suite.
func FuzzVoiceSteps(f *testing.F) {
	for _, seed := range []string{"0A0a1700", "\x00\x03\x02\x04\x04\x06\x01\x03\x01\x04\x01", "\x10\x13\x02\x14\x04\x16\x01\x17\x00\x18\x00\x19\x02"} {
		f.Add(seed)
	}
	w := e2e.New(f, e2e.Start)
	// The world's helpers report to f, which a fuzz target may not use:
	// everything they give is read here, before it runs.
	var phones []string
	for _, id := range fuzzFrom {
		phones = append(phones, w.PhoneOf(id))
	}
	post := func(path string, form url.Values) (int, string, error) {
		req, _ := http.NewRequest(http.MethodPost, w.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", twiliosim.Signature(e2e.Token, w.URL+path, form))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	n := 0
	f.Fuzz(func(t *testing.T, in string) {
		n++
		sid := fmt.Sprintf("CA%032d", n)
		from := phones[0]
		if len(in) > 0 {
			from = phones[int(in[0]>>4)%len(phones)]
		}
		for i := 0; i+1 < len(in) && i < 40; i += 2 {
			form := url.Values{"CallSid": {sid}, "From": {from}, "To": {w.Prog.Phone},
				"Digits": {fuzzDigits[int(in[i+1])%len(fuzzDigits)]}, "ParentCallSid": {sid}}
			path := "/twilio/voice" + fuzzSteps[int(in[i]&0x0f)%len(fuzzSteps)]
			status, body, err := post(path, form)
			if err != nil || status != http.StatusOK || !strings.Contains(body, "<Response") {
				t.Fatalf("%s after %q: %d %v %s", path, in[:i], status, err, body)
			}
		}
		ctx := context.Background()
		for _, code := range w.Redis.ZRange(ctx, "leadline:{dispatch}:referrals", 0, -1).Val() {
			if w.Redis.HGet(ctx, "leadline:{dispatch}:referral:"+code, "officer").Val() == "" {
				t.Fatalf("referral %s has no officer", code)
			}
		}
	})
}
