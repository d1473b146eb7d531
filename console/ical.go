package console

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
)

// FeedWeeks is how far ahead a calendar feed lists shifts.
const FeedWeeks = 8

// feedShiftsMax bounds one cohort's shifts in a feed, as calendarShiftsMax
// does the page's.
const feedShiftsMax = FeedWeeks * 7 * 24

// A calendar feed is an iCalendar file of on-call shifts at a secret URL,
// /ical/<token>.ics, for a phone's calendar to subscribe to: a person's
// own shifts in every cohort ("person:<id>"), or a whole cohort's
// ("cohort:<id>", made by its supervisors or the program manager). Each
// person has at most one link per feed; making a new one revokes the old.
// The token is shown once, when made: Redis holds only its hash.
type feedSubject string

func personFeed(id string) feedSubject { return feedSubject("person:" + id) }
func cohortFeed(id string) feedSubject { return feedSubject("cohort:" + id) }

// split is the feed's kind ("person" or "cohort") and ID.
func (f feedSubject) split() (kind, id string) {
	kind, id, _ = strings.Cut(string(f), ":")
	return kind, id
}

// icalLink is one feed link as its owner's page lists it.
type icalLink struct {
	Feed feedSubject
	Made time.Time // zero: no link
}

// mayHave reports whether v may have a link to feed f: their own shifts,
// or, for supervisors and the program manager, a cohort they see.
func mayHave(v *Viewer, f feedSubject) bool {
	switch kind, id := f.split(); kind {
	case "person":
		return id == v.Person.ID
	case "cohort":
		return v.Is(overrideEditors...) && v.Sees(id)
	}
	return false
}

// makeFeedLink makes a new token for owner's feed f, revoking the one it
// replaces, and returns it. WATCH on the owner's index, so two makes at
// once cannot leave a link that the index no longer names (and so that
// nobody could revoke).
func (s *Server) makeFeedLink(ctx context.Context, owner string, f feedSubject) (string, error) {
	token := rand.Text()
	now := strconv.FormatInt(s.now().UnixMilli(), 10)
	index := icalsKey(owner)
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		old, err := tx.HGet(ctx, index, string(f)).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if h, _, ok := strings.Cut(old, " "); ok {
				p.Del(ctx, icalKeyOfHash(h))
			}
			p.HSet(ctx, icalKeyOfHash(hash(token)), "owner", owner, "feed", string(f), "made", now)
			p.HSet(ctx, index, string(f), hash(token)+" "+now)
			return nil
		})
		return err
	}, index)
	if err != nil {
		return "", fmt.Errorf("console: make calendar feed: %w", err)
	}
	return token, nil
}

// revokeFeedLink ends owner's link to feed f, if there is one.
func (s *Server) revokeFeedLink(ctx context.Context, owner string, f feedSubject) error {
	index := icalsKey(owner)
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		old, err := tx.HGet(ctx, index, string(f)).Result()
		if errors.Is(err, redis.Nil) {
			return nil
		} else if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			h, _, _ := strings.Cut(old, " ")
			p.Del(ctx, icalKeyOfHash(h))
			p.HDel(ctx, index, string(f))
			return nil
		})
		return err
	}, index)
	if err != nil {
		return fmt.Errorf("console: revoke calendar feed: %w", err)
	}
	return nil
}

// feedLinks are the links v has, for each feed they may have.
func (s *Server) feedLinks(ctx context.Context, v *Viewer) ([]icalLink, error) {
	made, err := s.rdb.HGetAll(ctx, icalsKey(v.Person.ID)).Result()
	if err != nil {
		return nil, fmt.Errorf("console: calendar feeds: %w", err)
	}
	feeds := []feedSubject{personFeed(v.Person.ID)}
	if v.Is(overrideEditors...) {
		for _, c := range v.Cohorts {
			feeds = append(feeds, cohortFeed(c))
		}
	}
	out := make([]icalLink, 0, len(feeds))
	for _, f := range feeds {
		l := icalLink{Feed: f}
		if _, at, ok := strings.Cut(made[string(f)], " "); ok {
			ms, _ := strconv.ParseInt(at, 10, 64)
			l.Made = time.UnixMilli(ms)
		}
		out = append(out, l)
	}
	return out, nil
}

type feedsData struct {
	Weeks int
	Links []icalLink
	New   feedSubject // the feed just made, whose link is shown once
	URL   string      // its https URL
}

// Webcal is the new link as webcal://, which phones open in their
// calendar app to subscribe.
func (d feedsData) Webcal() template.URL {
	_, rest, _ := strings.Cut(d.URL, "://")
	return template.URL("webcal://" + rest) // our own URL, with a token of base32 letters
}

// ID is the feed as an HTML id: "person-jrivera".
func (f feedSubject) ID() string { return strings.Replace(string(f), ":", "-", 1) }

// FeedName is a feed as its owner's page names it.
func (p Page) FeedName(f feedSubject) string {
	if kind, id := f.split(); kind == "cohort" {
		return "all of " + p.CohortName(id) + "'s shifts"
	}
	return "your shifts"
}

// feedsPage is GET /oncall/feeds: the viewer's feed links, to make or
// revoke.
func (s *Server) feedsPage(c echo.Context) error {
	links, err := s.feedLinks(c.Request().Context(), ViewerOf(c))
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "feeds", "Calendar feeds", feedsData{Weeks: FeedWeeks, Links: links})
}

// feedsSubmit is POST /oncall/feeds: do=make or do=revoke the link to
// feed. A new link is shown on the answer, once.
func (s *Server) feedsSubmit(c echo.Context) error {
	v := ViewerOf(c)
	ctx := c.Request().Context()
	f, do := feedSubject(c.FormValue("feed")), c.FormValue("do")
	if !mayHave(v, f) || (do != "make" && do != "revoke") {
		return echo.NewHTTPError(http.StatusForbidden, "That calendar feed is not yours to change.")
	}
	d := feedsData{Weeks: FeedWeeks}
	action := ActionFeedRevoke
	if do == "make" {
		token, err := s.makeFeedLink(ctx, v.Person.ID, f)
		if err != nil {
			return err
		}
		d.New, d.URL, action = f, s.baseURL(c)+"/ical/"+token+".ics", ActionFeedMake
	} else if err := s.revokeFeedLink(ctx, v.Person.ID, f); err != nil {
		return err
	}
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: action,
		Feed: string(f), From: c.RealIP()}); err != nil {
		return err
	}
	links, err := s.feedLinks(ctx, v)
	if err != nil {
		return err
	}
	d.Links = links
	return s.Render(c, http.StatusOK, "feeds", "Calendar feeds", d)
}

// baseURL is the console's URL as browsers see it: PublicURL, or else the
// request's own.
func (s *Server) baseURL(c echo.Context) string {
	if s.public.Host != "" {
		return s.public.String()
	}
	return c.Scheme() + "://" + c.Request().Host
}

// icalFeed is GET /ical/<token>.ics: the feed's shifts from now to
// FeedWeeks ahead. An unknown or revoked token, or one whose owner may no
// longer have that feed (left the program, or no longer supervises the
// cohort), gets the console's plain 404, as any unknown path does.
func (s *Server) icalFeed(c echo.Context) error {
	token, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok || token == "" {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	h, err := s.rdb.HGetAll(ctx, icalKeyOfHash(hash(token))).Result()
	if err != nil {
		return fmt.Errorf("console: calendar feed: %w", err)
	}
	p, ok := s.prog.Person(h["owner"])
	if !ok || !p.Role.Staff() {
		return echo.ErrNotFound
	}
	f := feedSubject(h["feed"])
	if !mayHave(&Viewer{Person: p, Cohorts: s.prog.CohortsOf(p.ID)}, f) {
		return echo.ErrNotFound
	}
	cal, err := s.feedCalendar(ctx, f)
	if err != nil {
		return err
	}
	resp := c.Response()
	resp.Header().Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	resp.Header().Set(echo.HeaderContentDisposition, `inline; filename="oncall.ics"`)
	resp.WriteHeader(http.StatusOK)
	return cal.SerializeTo(resp)
}

// feedCalendar is feed f's shifts as an iCalendar: times in UTC (each
// phone shows them in its own zone; X-WR-TIMEZONE names the program's),
// each event only who is on call for which cohort, nothing of referrals.
func (s *Server) feedCalendar(ctx context.Context, f feedSubject) (*ics.Calendar, error) {
	now := s.now()
	y, m, d := now.In(s.prog.TimeZone).Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, s.prog.TimeZone) // for a shift with no start
	until := now.Add(FeedWeeks * 7 * 24 * time.Hour)
	kind, id := f.split()
	cal := ics.NewCalendar()
	cal.SetProductId("-//Leadline//On call//EN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRTimezone(s.prog.TimeZone.String())
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	cohorts := []string{id}
	if kind == "person" {
		cal.SetXWRCalName("On call: " + Page{Program: s.prog}.PersonName(id))
		cohorts = cohorts[:0]
		for _, c := range s.prog.Cohorts {
			cohorts = append(cohorts, c.ID)
		}
	} else {
		cal.SetXWRCalName("On call: " + s.prog.CohortName(id))
	}
	for _, cohort := range cohorts {
		shifts, err := s.oncall.Upcoming(ctx, cohort, now, feedShiftsMax)
		if err != nil {
			return nil, err
		}
		for _, sh := range shifts {
			if !sh.From.Before(until) {
				break
			}
			if sh.Person == "" || (kind == "person" && sh.Person != id) {
				continue
			}
			addShift(cal, s.prog, sh, kind, now, start, until)
		}
	}
	return cal, nil
}

// addShift adds one shift as an event; a shift with no start or end (a
// rotation without shifts) runs from today's start to the feed's end.
func addShift(cal *ics.Calendar, prog *program.Program, sh oncall.Shift, kind string, now, start, until time.Time) {
	from, to, uidFrom := sh.From, sh.To, "open"
	if from.IsZero() {
		from = start
	} else {
		uidFrom = strconv.FormatInt(from.Unix(), 10)
	}
	if to.IsZero() {
		to = until
	}
	e := cal.AddEvent(sh.Cohort + "-" + sh.Person + "-" + uidFrom + "@leadline")
	e.SetDtStampTime(now)
	e.SetStartAt(from)
	e.SetEndAt(to)
	summary := "On call: " + prog.CohortName(sh.Cohort)
	if kind == "cohort" {
		summary = Page{Program: prog}.PersonName(sh.Person) + " on call, " + prog.CohortName(sh.Cohort)
	}
	if sh.Override != "" {
		summary += " (override)"
	}
	e.SetSummary(summary)
	e.SetProperty(ics.ComponentPropertyTransp, "TRANSPARENT")
}
