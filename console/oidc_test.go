package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/internal/browsertest"
)

// oidcWorld is a world whose console also signs people in through a real
// OIDC provider (mockoidc), on the world's clock.
func oidcWorld(t *testing.T) (*world, *mockoidc.MockOIDC) {
	t.Helper()
	w := newWorld(t)
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	old := mockoidc.NowFunc
	mockoidc.NowFunc = w.clock.Now
	t.Cleanup(func() { mockoidc.NowFunc = old })
	cfg := m.Config()
	w.oidc = &console.OIDCConfig{Name: "Test SSO", Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret}
	w.console, w.box, w.url = w.serve(w.prog)
	return w, m
}

func TestBrowserSignInWithOIDC(t *testing.T) {
	w, m := oidcWorld(t)
	b := browsertest.Start(t)

	tab := b.NewTab(t)
	tab.Open(w.url + "/signin")
	tab.CheckAxe("sign-in with SSO")
	m.QueueUser(&mockoidc.MockUser{Subject: "pm-1", Email: "Pat.Morgan@example.org", EmailVerified: true})
	if st := tab.Submit("a[href='/signin/oidc']"); st != http.StatusOK {
		t.Fatalf("after single sign-on: status %d", st)
	}
	tab.Open(w.url + "/me")
	contains(t, "home after SSO", tab.Text("main"), "Signed in as Pat Morgan", "program manager")
	tab.Open(w.url + "/audit")
	contains(t, "audit", tab.Text("main"), "sign_in (oidc)")

	for _, u := range []*mockoidc.MockUser{
		{Subject: "x-1", Email: "stranger@example.org", EmailVerified: true}, // not in the config
		{Subject: "x-2", Email: "pat.morgan@example.org", EmailVerified: false},
	} {
		tab := b.NewTab(t)
		m.QueueUser(u)
		if st := tab.Open(w.url + "/signin/oidc"); st != http.StatusForbidden {
			t.Errorf("%s (verified %v): status %d, want 403", u.Email, u.EmailVerified, st)
		}
		if loc := tab.Location(); !strings.HasPrefix(loc, w.url+"/signin/oidc/callback") {
			t.Errorf("%s: at %s", u.Email, loc)
		}
		tab.Open(w.url + "/")
		if loc := tab.Location(); !strings.HasPrefix(loc, w.url+"/signin") {
			t.Errorf("%s signed in: at %s", u.Email, loc)
		}
	}

	// An answer for another browser's sign-on (no state cookie here) is refused.
	c := w.client(w.url)
	if code, _, _ := c.get("/signin/oidc/callback?state=abc&code=def"); code != http.StatusForbidden {
		t.Errorf("callback without its cookie: %d", code)
	}
}
