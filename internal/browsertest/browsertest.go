// Package browsertest drives Debian's headless Chromium from Go tests
// (chromedp over the DevTools protocol): open pages, fill forms, take
// screenshots at desktop and phone width, and check pages with axe-core.
// It fails the test when Chromium is missing, as redistest does for
// redis-server; CI installs the Debian package chromium.
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.14.1 (MPL-2.0; LICENSE beside it), injected into
// pages under test only.
//
//go:embed axe-core-4.14.1/axe.min.js
var axeSource string

// Path is where Debian's chromium package puts the browser.
const Path = "/usr/bin/chromium"

const notFound = "chromium not found at " + Path + " or on PATH: install it (Debian/Ubuntu: apt-get install chromium)"

// Widths of the screenshots.
const (
	DesktopWidth, DesktopHeight = 1280, 800
	PhoneWidth, PhoneHeight     = 375, 812
)

// Browser is one headless Chromium with its own temporary profile.
type Browser struct {
	ctx context.Context
}

// Start launches Chromium for the test and closes it when the test ends.
func Start(tb testing.TB) *Browser {
	tb.Helper()
	bin := Path
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("chromium"); err != nil {
			tb.Fatal(notFound)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// The first run starts the browser; it must not have a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		tb.Fatalf("browsertest: start chromium: %v", err)
	}
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	return &Browser{ctx: ctx}
}

// Tab is one browser tab with its own cookies (a fresh browser context),
// recording the errors and warnings its pages log.
type Tab struct {
	tb   testing.TB
	ctx  context.Context
	mu   sync.Mutex
	logs []string
}

// NewTab opens a tab in a fresh browser context, so tabs share no cookies.
func (b *Browser) NewTab(tb testing.TB) *Tab {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	t := &Tab{tb: tb, ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				t.add(string(ev.Entry.Level) + ": " + ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			t.add("exception: " + (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value))
				}
				t.add(string(ev.Type) + ": " + strings.Join(parts, " "))
			}
		}
	}); err != nil {
		tb.Fatalf("browsertest: new tab: %v", err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		tb.Fatalf("browsertest: new tab: %v", err)
	}
	return t
}

func (t *Tab) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.logs = append(t.logs, s)
}

// Logs are the errors and warnings pages have logged so far: a
// Content-Security-Policy refusal is one ("Refused to …").
func (t *Tab) Logs() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.logs...)
}

// Context is the tab's chromedp context, for actions this package has no
// helper for.
func (t *Tab) Context() context.Context { return t.ctx }

// Do runs chromedp actions in the tab, failing the test on error; each
// call has 20 s.
func (t *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	t.tb.Helper()
	if err := t.Try(actions...); err != nil {
		t.tb.Fatalf("browsertest: %v", err)
	}
}

// Try is Do returning the error.
func (t *Tab) Try(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(t.ctx, 20*time.Second)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// Run runs one action in the tab and returns its value, failing the test
// on error.
func Run[T any](t *Tab, a chromedp.Action[T]) T {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.tb.Fatalf("browsertest: %v", err)
	}
	return v
}

// Text is the visible text of the first element matching the CSS selector.
func (t *Tab) Text(css string) string {
	t.tb.Helper()
	return Run(t, chromedp.Text(chromedp.CSS(css), chromedp.NodeVisible))
}

// Location is the tab's current URL.
func (t *Tab) Location() string {
	t.tb.Helper()
	return Run(t, chromedp.Location())
}

// Fill types value into the field matching the CSS selector, after
// clearing it.
func (t *Tab) Fill(css, value string) {
	t.tb.Helper()
	t.Do(chromedp.Clear(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), value))
}

// Submit clicks the button matching the CSS selector, waits for the page
// it leads to and returns that page's HTTP status.
func (t *Tab) Submit(css string) int {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		t.tb.Fatalf("browsertest: submit %s: %v", css, err)
	}
	return int(resp.Status)
}

// Open navigates to url, waits for the page to load and returns its HTTP
// status.
func (t *Tab) Open(url string) int {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(url))
	if err != nil {
		t.tb.Fatalf("browsertest: open %s: %v", url, err)
	}
	return int(resp.Status)
}

// Screenshots writes the page, whole, at phone and at desktop width as
// <dir>/<name>-phone.png and <dir>/<name>-desktop.png, and leaves the tab
// at desktop width. A page wider than the phone's 375 px (one that scrolls
// sideways, or lacks a viewport meta tag) fails the test.
func (t *Tab) Screenshots(dir, name string) {
	t.tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.tb.Fatal(err)
	}
	for _, s := range []struct {
		suffix        string
		width, height int64
	}{{"phone", PhoneWidth, PhoneHeight}, {"desktop", DesktopWidth, DesktopHeight}} {
		t.SetWidth(s.width, s.height)
		if w := Run(t, chromedp.Evaluate[int64]("document.documentElement.scrollWidth")); s.suffix == "phone" && w > s.width {
			t.tb.Errorf("%s is %d px wide at %d px: it scrolls sideways on a phone", name, w, s.width)
		}
		png := Run(t, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, name+"-"+s.suffix+".png"), png, 0o644); err != nil {
			t.tb.Fatal(err)
		}
	}
}

// SetWidth emulates a viewport of the given size; below 600 px wide it is
// a phone's (mobile viewport, meta viewport honoured).
func (t *Tab) SetWidth(width, height int64) {
	t.tb.Helper()
	if _, err := chromedp.Call(t.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: width, Height: height, DeviceScaleFactor: 1, Mobile: width < 600}); err != nil {
		t.tb.Fatalf("browsertest: set width: %v", err)
	}
}

// Violation is one axe-core rule a page breaks.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var targets []string
	for _, n := range v.Nodes {
		targets = append(targets, fmt.Sprint(n.Target...))
	}
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
}

// Axe injects axe-core into the page (through DevTools, not the page's
// own scripts, so the page's Content-Security-Policy stays as it is), runs
// the WCAG 2.0/2.1 A and AA rules and best practices, and returns every
// violation.
func (t *Tab) Axe() []Violation {
	t.tb.Helper()
	if !Run(t, chromedp.Evaluate[bool](axeSource+";typeof axe === 'object'")) {
		t.tb.Fatal("browsertest: axe-core did not load")
	}
	s := Run(t, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag",
		values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	var vs []Violation
	if err := json.Unmarshal([]byte(s), &vs); err != nil {
		t.tb.Fatalf("browsertest: axe result: %v", err)
	}
	return vs
}

// CheckAxe fails the test for each serious or critical axe-core violation
// on the page (name says which page) and logs the minor and moderate ones.
func (t *Tab) CheckAxe(name string) {
	t.tb.Helper()
	for _, v := range t.Axe() {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.tb.Errorf("%s: accessibility: %s", name, v)
		} else {
			t.tb.Logf("%s: accessibility (minor): %s", name, v)
		}
	}
}
