package browsertest_test

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadline/leadline/internal/browsertest"
)

// A page with known faults: axe finds them, the CSP refusal is logged, and
// the screenshots have the widths asked for.
func TestAxeLogsAndScreenshots(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "script-src 'self'")
		w.Write([]byte(`<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width"><title>faults</title></head><body><main>
<h1>Faults</h1><img src="/x.png"><form><input name="q"></form><script>document.title = "ran"</script>
</main></body></html>`))
	}))
	defer srv.Close()
	tab := browsertest.Start(t).NewTab(t)
	if st := tab.Open(srv.URL); st != http.StatusOK {
		t.Fatalf("status %d", st)
	}
	ids := map[string]string{}
	for _, v := range tab.Axe() {
		ids[v.ID] = v.Impact
	}
	if ids["image-alt"] != "critical" || ids["label"] != "critical" {
		t.Errorf("axe found %v, want image-alt and label as critical", ids)
	}
	if logs := strings.Join(tab.Logs(), "\n"); !strings.Contains(logs, "Content Security Policy") {
		t.Errorf("the refused inline script was not logged:\n%s", logs)
	}
	dir := t.TempDir()
	tab.Screenshots(dir, "faults")
	for name, width := range map[string]int{"faults-phone.png": browsertest.PhoneWidth, "faults-desktop.png": browsertest.DesktopWidth} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != width {
			t.Errorf("%s: %d px wide (%v), want %d", name, cfg.Width, err, width)
		}
	}
}
