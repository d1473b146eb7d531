package program

import (
	"strings"
	"testing"
)

func TestPagingConfig(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		target     int
		busy       Busy
		err        string
	}{
		{"defaults", goodYAML, 0, BusyLast, ""},
		{"set", strings.Replace(goodYAML, "escalation: {ack_timeout: 3m}", "busy: in_turn\n    escalation: {ack_timeout: 3m}", 1) +
			"caseload: {target: 25}\n", 25, BusyInTurn, ""},
		{"last", strings.Replace(goodYAML, "escalation: {ack_timeout: 3m}", "busy: last\n    escalation: {ack_timeout: 3m}", 1), 0, BusyLast, ""},
		{"bad busy", strings.Replace(goodYAML, "escalation: {ack_timeout: 3m}", "busy: never\n    escalation: {ack_timeout: 3m}", 1),
			0, "", `cohorts[0] (north): busy: "never": want last or in_turn`},
		{"negative target", goodYAML + "caseload: {target: -1}\n", 0, "", "caseload.target: -1: want from 1 to 500"},
		{"huge target", goodYAML + "caseload: {target: 2500}\n", 0, "", "caseload.target: 2500: want from 1 to 500"},
		{"unknown key", goodYAML + "caseload: {max: 20}\n", 0, "", `unknown key "max"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := loadYAML(t, tt.yaml)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, _ := p.Cohort("north")
			if p.CaseloadTarget != tt.target || c.Busy != tt.busy {
				t.Errorf("got target %d, busy %q; want %d, %q", p.CaseloadTarget, c.Busy, tt.target, tt.busy)
			}
		})
	}
}
