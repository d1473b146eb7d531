package program

import (
	"strings"
	"testing"
	"time"
)

func TestSafetyConfig(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		want       Safety
		err        string
	}{
		{"defaults", "", DefaultSafety, ""},
		{"set", "after_accept: {nudge: 45m, nudge_answer: 5m, check_in: 2h, check_in_answer: 15m}\n",
			Safety{Nudge: 45 * time.Minute, NudgeAnswer: 5 * time.Minute, CheckIn: 2 * time.Hour, CheckInAnswer: 15 * time.Minute}, ""},
		{"some", "after_accept: {check_in: 90m}\n",
			Safety{Nudge: 30 * time.Minute, NudgeAnswer: 10 * time.Minute, CheckIn: 90 * time.Minute, CheckInAnswer: 10 * time.Minute}, ""},
		{"not a duration", "after_accept: {nudge: soon}\n", Safety{}, `after_accept.nudge: "soon" is not a positive duration`},
		{"too short", "after_accept: {check_in_answer: 30s}\n", Safety{}, "after_accept.check_in_answer: 30s: want from 1m to 24h"},
		{"too long", "after_accept: {check_in: 2d}\n", Safety{}, "after_accept.check_in: 2d: want from 1m to 24h"},
		{"unknown key", "after_accept: {nudges: 5m}\n", Safety{}, `unknown key "nudges"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := loadYAML(t, goodYAML+tt.yaml)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Safety != tt.want {
				t.Errorf("got %+v, want %+v", p.Safety, tt.want)
			}
		})
	}
}

func TestNudgeAt(t *testing.T) {
	at := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	if got := DefaultSafety.NudgeAt(at, 0); !got.Equal(at.Add(30 * time.Minute)) {
		t.Errorf("no ETA: %v", got)
	}
	if got := DefaultSafety.NudgeAt(at, 15); !got.Equal(at.Add(15 * time.Minute)) {
		t.Errorf("ETA 15: %v", got)
	}
}
