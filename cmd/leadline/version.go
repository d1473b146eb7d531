package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// version and revision are stamped at build time:
//
//	go build -ldflags "-X main.version=1.4.0 -X main.revision=$(git rev-parse HEAD)" ./cmd/leadline
//
// Left empty, they come from the build info Go records (the module version
// of `go install …@v1.4.0`, the VCS revision of a build in a checkout).
var version, revision string

// buildVersion is the version and revision of this binary, never "".
func buildVersion() (ver, rev string) {
	ver, rev = version, revision
	if bi, ok := debug.ReadBuildInfo(); ok {
		if ver == "" && bi.Main.Version != "" {
			ver = bi.Main.Version
		}
		vcs, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				vcs = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev == "" && vcs != "" {
			rev = vcs
			if dirty {
				rev += "-dirty"
			}
		}
	}
	if ver == "" {
		ver = "(devel)"
	}
	if rev == "" {
		rev = "unknown"
	}
	return ver, rev
}

const versionUsage = `Usage:
  leadline version (or leadline --version)

Prints the version and VCS revision stamped at build time.

Environment: none.
`

func versionCmd(args []string, stdout, stderr io.Writer) error {
	cmd := newCommand("version", versionUsage, stdout, stderr)
	if err := cmd.parse(args); err != nil {
		return err
	}
	if cmd.NArg() > 0 {
		return cmd.misuse("version takes no arguments")
	}
	ver, rev := buildVersion()
	_, err := fmt.Fprintf(stdout, "leadline %s (revision %s)\n", ver, rev)
	return err
}

// buildInfo is leadline_build_info{version,revision} 1.
func buildInfo() prometheus.Collector {
	ver, rev := buildVersion()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "leadline_build_info",
		Help: "Always 1; its labels are the running binary's version and VCS revision."}, []string{"version", "revision"})
	g.WithLabelValues(ver, rev).Set(1)
	return g
}
