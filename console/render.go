package console

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// parsePages parses each page in templates/ with the shared layout: page
// "home" is templates/home.html, drawn inside layout.html.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", n, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return pages, nil
}

var funcs = template.FuncMap{
	"role":  func(r program.Role) string { return r.Label() },
	"state": func(s referral.State) string { return StateLabel(s) },
	// column is a report column's name as a narrow table header that can
	// wrap: "MEDIAN_ACCEPT_S" as "median accept" (the cells show
	// durations, not the CSV's seconds).
	"column": func(h string) string {
		return strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(h, "_S"), "_", " "))
	},
}

// Clock shows t as the time of day in the program's zone, with the day
// too when it is not today: "13:05" or "Mon 23 Nov 13:05".
func (p Page) Clock(t, today time.Time) string {
	l, n := t.In(p.Program.TimeZone), today.In(p.Program.TimeZone)
	if l.YearDay() == n.YearDay() && l.Year() == n.Year() {
		return l.Format("15:04")
	}
	return l.Format("Mon 2 Jan 15:04")
}

// Page is what every template gets: the program, the viewer (nil before
// sign-in), the forms' CSRF token, the page's title and its own data.
type Page struct {
	Program *program.Program
	Viewer  *Viewer
	CSRF    string
	Title   string
	Data    any
	// Community: the community-referral form is offered to this viewer.
	Community bool
}

// Time shows t in the program's zone: "Tue 24 Nov 2026 13:05 EST".
func (p Page) Time(t time.Time) string {
	return t.In(p.Program.TimeZone).Format("Mon 2 Jan 2006 15:04 MST")
}

// CohortName is a cohort's display name.
func (p Page) CohortName(id string) string { return p.Program.CohortName(id) }

// PersonName is a person's name, or their ID if they have left the config.
func (p Page) PersonName(id string) string {
	if x, ok := p.Program.Person(id); ok {
		return x.Name
	}
	return id
}

// Render draws page name (templates/<name>.html in the layout) with data,
// status and title.
func (s *Server) Render(c echo.Context, status int, name, title string, data any) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("console: no page %q", name)
	}
	tok, err := s.csrfToken(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	v := ViewerOf(c)
	p := Page{Program: s.prog, Viewer: v, CSRF: tok, Title: title, Data: data,
		Community: s.actions != nil && v != nil && v.Is(community...)}
	if err := t.Execute(&buf, p); err != nil {
		return fmt.Errorf("console: render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// errorPage answers an error with a page saying what to do; the cause of
// a 500 goes to the log, not the page.
func (s *Server) errorPage(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, "Something went wrong on our side. Try again in a minute."
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if m, ok := he.Message.(string); ok && code < 500 {
			msg = m
		} else if code < 500 {
			msg = http.StatusText(code)
		}
	}
	if code >= 500 {
		s.log.Error("console", "path", c.Request().URL.Path, "err", err)
	}
	if rerr := s.Render(c, code, "error", http.StatusText(code), msg); rerr != nil {
		s.log.Error("console: error page", "err", rerr)
		_ = c.String(code, msg)
	}
}

// staticHandler serves the embedded assets; the vendored ones have their
// version in the path, so they may be cached for long.
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Files only: no folder listings, and not this folder's README.
		if st, err := fs.Stat(fsys, strings.TrimSuffix(r.URL.Path, "/")); r.URL.Path == "" || err != nil || st.IsDir() ||
			strings.HasSuffix(r.URL.Path, ".md") {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "vendor/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}

// CSRF is the token a form on a page drawn outside Render must carry (the
// demo's phone page).
func (s *Server) CSRF(c echo.Context) (string, error) { return s.csrfToken(c) }
