package console

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/phone"
)

// codeText is the sign-in text: GSM-7, one segment.
func codeText(code string) string {
	return "Your Leadline sign-in code is " + code + ". It works for 10 minutes. Never share it: Leadline staff will not ask for it."
}

type signInData struct {
	Phone   string
	Error   string
	Notice  string
	Limited bool
	OIDC    string // the single sign-on provider's name, "" for none
}

func (s *Server) signInForm(c echo.Context) error {
	if ViewerOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	d := signInData{OIDC: s.oidcName()}
	switch {
	case c.QueryParam("ended") != "":
		d.Notice = "Your session ended. Sign in again to go on."
	case c.QueryParam("out") != "":
		d.Notice = "You have signed out."
	case c.QueryParam("again") != "":
		d.Notice = "Ask for a new code."
	}
	return s.Render(c, http.StatusOK, "signin", "Sign in", d)
}

// askForCode starts a sign-in. Whether or not the number is staff's, the
// answer is the same redirect to the code form after the same Redis script;
// only for staff is a code then texted, in the background, so that the
// Texter's time does not show either.
func (s *Server) askForCode(c echo.Context) error {
	ctx := c.Request().Context()
	in := strings.TrimSpace(c.FormValue("phone"))
	number, err := phone.Parse(in, s.prog.Region)
	if err != nil {
		return s.Render(c, http.StatusUnprocessableEntity, "signin", "Sign in",
			signInData{Phone: in, Error: "Enter your mobile number, for example 412-555-0111.", OIDC: s.oidcName()})
	}
	person := ""
	if p, ok := s.prog.PersonByPhone(number); ok && p.Role.Staff() {
		person = p.ID
	}
	token, code, err := s.startAttempt(ctx, person, number, c.RealIP())
	switch {
	case errors.Is(err, errTooManyForNumber), errors.Is(err, errTooManyForAddress):
		return s.Render(c, http.StatusTooManyRequests, "signin", "Sign in", signInData{Phone: in, Limited: true,
			Error: fmt.Sprintf("Too many codes have been asked for. Wait %d minutes, then try again.", int(RateWindow.Minutes())),
			OIDC:  s.oidcName()})
	case err != nil:
		return err
	}
	s.setCookie(c.Response(), attemptCookie, token, int(CodeTTL.Seconds()))
	if person != "" {
		s.sendCode(ctx, number, code)
	}
	return c.Redirect(http.StatusSeeOther, "/signin/code")
}

func (s *Server) sendCode(ctx context.Context, number, code string) {
	s.sending.Add(1)
	go func() {
		defer s.sending.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := s.texter.Text(ctx, number, codeText(code)); err != nil {
			s.log.Error("console: sign-in code not sent", "to", phone.Mask(number), "err", err)
		}
	}()
}

type codeData struct {
	Error  string
	Locked bool // no more tries: ask for a new code
}

func (s *Server) codeForm(c echo.Context) error {
	if ViewerOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if s.cookie(c.Request(), attemptCookie) == "" {
		return c.Redirect(http.StatusSeeOther, "/signin?again=1")
	}
	return s.Render(c, http.StatusOK, "code", "Enter your code", codeData{})
}

func (s *Server) checkCodeEntry(c echo.Context) error {
	ctx := c.Request().Context()
	token := s.cookie(c.Request(), attemptCookie)
	if token == "" {
		return c.Redirect(http.StatusSeeOther, "/signin?again=1")
	}
	code := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, c.FormValue("code"))
	r, err := s.enterCode(ctx, token, code)
	switch {
	case err == nil:
		return s.startSession(c, r.person, "sms")
	case errors.Is(err, errCodeWrong):
		msg := fmt.Sprintf("That code is not right. %d tries left.", r.left)
		if r.left == 1 {
			msg = "That code is not right. 1 try left."
		}
		return s.Render(c, http.StatusUnprocessableEntity, "code", "Enter your code", codeData{Error: msg})
	case errors.Is(err, errCodeLocked):
		if r.lockedBy {
			if err := s.audit.Record(ctx, Entry{Person: r.person, Action: ActionCodeLocked, From: c.RealIP()}); err != nil {
				return err
			}
		}
		return s.Render(c, http.StatusTooManyRequests, "code", "Enter your code", codeData{Locked: true,
			Error: fmt.Sprintf("That code was entered wrong %d times and no longer works.", MaxTries)})
	case errors.Is(err, errCodeExpired):
		s.setCookie(c.Response(), attemptCookie, "", -1)
		return s.Render(c, http.StatusUnprocessableEntity, "code", "Enter your code", codeData{Locked: true,
			Error: "That code has expired."})
	}
	return err
}

// startSession signs person in: a new session (so no identifier from
// before sign-in lives on), its cookie, and the audit entry.
func (s *Server) startSession(c echo.Context, person, via string) error {
	ctx := c.Request().Context()
	ss, err := s.newSession(ctx, person, via)
	if err != nil {
		return err
	}
	s.setCookie(c.Response(), sessionCookie, ss.id, 0)
	s.setCookie(c.Response(), attemptCookie, "", -1)
	p, _ := s.prog.Person(person)
	if err := s.audit.Record(ctx, Entry{Person: person, Role: p.Role, Action: ActionSignIn, From: c.RealIP(), Via: via}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) signOut(c echo.Context) error {
	v := ViewerOf(c)
	ctx := c.Request().Context()
	if err := s.endSession(ctx, v.Session.id); err != nil {
		return err
	}
	s.setCookie(c.Response(), sessionCookie, "", -1)
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionSignOut, From: c.RealIP()}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/signin?out=1")
}

func (s *Server) home(c echo.Context) error {
	return s.Render(c, http.StatusOK, "home", "Home", nil)
}

// auditPageSize is how many entries the audit page shows at once.
const auditPageSize = 50

type auditData struct {
	Entries []Entry
	Next    string
}

func (s *Server) auditPage(c echo.Context) error {
	ctx := c.Request().Context()
	v := ViewerOf(c)
	entries, next, err := s.audit.Latest(ctx, c.QueryParam("before"), auditPageSize)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "There is no such page of the audit log.")
	}
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionAuditView, From: c.RealIP()}); err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "audit", "Audit log", auditData{Entries: entries, Next: next})
}

// auditCSV is the whole audit log, oldest first, times in RFC 3339 in the
// program's zone.
func (s *Server) auditCSV(c echo.Context) error {
	ctx := c.Request().Context()
	v := ViewerOf(c)
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionAuditExport, From: c.RealIP()}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="leadline-audit-%s.csv"`, s.now().In(s.prog.TimeZone).Format("2006-01-02")))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	if err := w.Write([]string{"at", "person", "role", "action", "referral", "from", "via", "override", "feed", "caseload"}); err != nil {
		return err
	}
	err := s.audit.Each(ctx, func(e Entry) error {
		return w.Write([]string{e.At.In(s.prog.TimeZone).Format(time.RFC3339), e.Person, string(e.Role),
			string(e.Action), e.Referral, e.From, e.Via, e.Override, e.Feed, e.Caseload})
	})
	w.Flush()
	if err != nil {
		s.log.Error("console: audit CSV cut short", "err", err)
		return nil // the status has gone; the short file is the sign
	}
	return w.Error()
}
