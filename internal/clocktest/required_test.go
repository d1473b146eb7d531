package clocktest_test

import (
	"testing"
	"time"

	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/jobs"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/timers"
	"github.com/leadline/leadline/twiliosim"
	"github.com/leadline/leadline/webhooks"
)

// Every constructor that takes a clock refuses to be built without one, so
// that leaving it out can never fall back to the wall clock.
func TestConstructorsRequireAClock(t *testing.T) {
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	panics := map[string]func(){
		"jobs.New":      func() { jobs.New(nil, time.UTC, nil, nil) },
		"oncall.New":    func() { oncall.New(nil, prog, nil, nil) },
		"timers.New":    func() { timers.New(nil, "leadline:{t}:timers", timers.Options{}) },
		"webhooks.New":  func() { webhooks.New(webhooks.Config{}) },
		"twiliosim.New": func() { twiliosim.New(twiliosim.Options{}) },
	}
	for name, build := range panics {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s without a clock did not panic", name)
				}
			}()
			build()
		})
	}
	if _, err := outbox.New(nil, nil, outbox.Options{}); err == nil {
		t.Error("outbox.New without a clock: no error")
	}
	if _, err := dispatch.NewService(dispatch.Config{Program: prog}); err == nil {
		t.Error("dispatch.NewService without a clock: no error")
	}
}
