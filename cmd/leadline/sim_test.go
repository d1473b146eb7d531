package main

import (
	"strings"
	"testing"

	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/twiliosim"
)

// leadline sim drives a real serve: a text typed as the officer reaches
// serve as a signed webhook, and the page serve sends through the
// simulator's REST API is printed as the case manager's phone.
func TestSimDrivesARealServe(t *testing.T) {
	rdb, _ := redistest.Start(t)
	simAddr := redistest.FreeAddr(t)
	base := startServe(t, rdb, func(sv *service, _ *twiliosim.Server) {
		sv.log = newLogger(&syncLog{})
		sv.twilio = phone.NewClient(phone.ClientConfig{AccountSID: demoSID, AuthToken: demoToken, APIURL: "http://" + simAddr})
	}).base
	waitReady(t, base)

	code, out, errOut := runCmd(t, "osmith AD 40.4473,-80.0076 / red jacket\nosmith wait 5m\n", nil,
		"sim", "--config", writeSample(t, nil), "--serve", base, "--addr", simAddr)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"LEADLINE_TWILIO_API_URL=http://" + simAddr, "LEADLINE_PUBLIC_URL=" + base,
		"📱 to Sam Smith (osmith, officer):", "Paging the on-call case manager",
		"📱 to Jo Rivera (jrivera, case manager):", "LEAD page",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("sim printed no %q:\n%s", want, out)
		}
	}
}

func TestSimMisuse(t *testing.T) {
	for _, args := range [][]string{{"sim"}, {"sim", "--config", "x.yaml"}, {"sim", "--config", "x.yaml", "--serve", "lead.example.org"}} {
		if code, _, errOut := runCmd(t, "", nil, args...); code != 2 || !strings.Contains(errOut, "Usage:") {
			t.Errorf("%v: exit %d\n%s", args, code, errOut)
		}
	}
}
