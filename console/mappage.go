package console

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// mapRoles may open the map: each sees the outlines of the cohorts they
// see, and as points only the open referrals whose details they may see
// (MaySeeDetails); the program manager also the period's count per cohort.
var mapRoles = []program.Role{program.CaseManager, program.Supervisor, program.ProgramManager}

// mapPoint is what the map carries of a referral: where, and enough to
// find it on the board. Nothing of its notes, officer or participant.
type mapPoint struct {
	Code   string  `json:"code"`
	Cohort string  `json:"cohort"`
	State  string  `json:"state"`
	Type   string  `json:"type"`
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
}

// mapArea is a cohort outline the map draws, and its count for the period
// (program manager only; -1 for none shown).
type mapArea struct {
	URL   string `json:"url"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type mapData struct {
	Points     []mapPoint
	Areas      []mapArea
	Unlocated  int // open referrals the viewer may see that have no point
	PointsJSON string
	AreasJSON  string
	Tiles      string
	Attrib     string
	Counts     bool // the program manager's counts per cohort
	Period     period
	Error      string
}

// mapPage is GET /map: the outlines of the viewer's cohorts with the open
// referrals they may see the details of as points and, for the program
// manager, the referrals per cohort received in the chosen period. Each
// referral located is audited as a view of its details.
func (s *Server) mapPage(c echo.Context) error {
	v := ViewerOf(c)
	ctx := c.Request().Context()
	d := mapData{Tiles: s.tiles, Attrib: s.tileAttribution, Counts: v.AllCohorts()}
	counts := map[string]int{}
	if d.Counts {
		p, err := s.readPeriod(c)
		d.Period = p
		if err != nil {
			d.Error = err.Error()
		} else {
			rows, err := s.rows(c, v, p)
			if err != nil {
				return err
			}
			for _, r := range rows {
				counts[r.Cohort]++
			}
		}
	}
	for _, id := range v.Cohorts {
		a := mapArea{Name: s.prog.CohortName(id), Count: -1}
		if d.Counts && d.Error == "" {
			a.Count = counts[a.Name]
		}
		if s.prog.Areas.Has(id) {
			a.URL = "/areas/" + url.PathEscape(id) + ".geojson"
		}
		d.Areas = append(d.Areas, a)
	}
	if err := s.feed.refresh(ctx); err != nil {
		return err
	}
	refs, _, err := s.feed.snapshot(ctx)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if !r.Open() || !MaySeeDetails(v, r) {
			continue
		}
		if r.Lat == 0 && r.Lon == 0 {
			d.Unlocated++
			continue
		}
		st := r.State
		if st == referral.New {
			st = referral.Paging
		}
		d.Points = append(d.Points, mapPoint{Code: r.Code, Cohort: s.prog.CohortName(r.Cohort), State: StateLabel(st),
			Type: r.Type.Label(), Lat: r.Lat, Lon: r.Lon})
	}
	slices.SortFunc(d.Points, func(a, b mapPoint) int {
		return cmp.Or(cmp.Compare(a.Cohort, b.Cohort), cmp.Compare(a.Code, b.Code))
	})
	entry := Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionMapView, From: c.RealIP()}
	if len(d.Points) == 0 {
		if err := s.audit.Record(ctx, entry); err != nil {
			return err
		}
	}
	for _, p := range d.Points {
		entry.Referral = p.Code
		if err := s.audit.Record(ctx, entry); err != nil {
			return err
		}
	}
	pj, err := json.Marshal(d.Points)
	if err != nil {
		return err
	}
	aj, err := json.Marshal(slices.DeleteFunc(slices.Clone(d.Areas), func(a mapArea) bool { return a.URL == "" }))
	if err != nil {
		return err
	}
	d.PointsJSON, d.AreasJSON = string(pj), string(aj)
	if s.tileOrigin != "" {
		c.Response().Header().Set("Content-Security-Policy", cspWithImages(s.tileOrigin))
	}
	status := http.StatusOK
	if d.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	return s.Render(c, status, "map", "Map", d)
}

// Coord is a coordinate as the map's table shows it.
func (p mapPoint) Coord() string {
	return strconv.FormatFloat(p.Lat, 'f', 5, 64) + ", " + strconv.FormatFloat(p.Lon, 'f', 5, 64)
}
