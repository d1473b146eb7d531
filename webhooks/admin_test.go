package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/webhooks"
)

const adminToken = "s3cret-admin-token"

// adminWorld is the admin API of a server on the sample program, with daily
// 09:00 handoffs on north (jrivera from Mon 2026-11-23, aklein the day
// before and after), a real on-call store on a fresh Redis, and a clock
// that stands at Mon 2026-11-23 10:00 in New York.
type adminWorld struct {
	t     *testing.T
	prog  *program.Program
	store *oncall.Store
	url   string
	logs  *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newAdminWorld(t *testing.T, token string) *adminWorld {
	t.Helper()
	srv, w := adminServer(t, webhooks.Config{AdminToken: token})
	ts := httptest.NewServer(srv.OpsHandler())
	t.Cleanup(ts.Close)
	w.url = ts.URL
	return w
}

// adminServer builds the server of cfg with the world's store, log and
// clock, not yet serving.
func adminServer(t *testing.T, cfg webhooks.Config) (*webhooks.Server, *adminWorld) {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range []string{"program.yaml", "cohorts.geojson", "places.csv", "addresses.csv"} {
		data, err := examples.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	const north = "    rotation: [jrivera, aklein]\n"
	yaml := string(fsys["program.yaml"].Data)
	if !strings.Contains(yaml, north) {
		t.Fatalf("the sample's north rotation is not %q", north)
	}
	fsys["program.yaml"].Data = []byte(strings.Replace(yaml, north,
		north+`    shift: {every: 1d, handoff: "09:00", start: 2026-11-23}`+"\n", 1))
	prog, err := program.LoadFS(fsys, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	now, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-23 10:00", prog.TimeZone)
	clock := func() time.Time { return now }
	rdb, _ := redistest.Start(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	store := oncall.New(rdb, prog, clock, log)
	if err := store.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	var cohorts []string
	for _, c := range prog.Cohorts {
		cohorts = append(cohorts, c.ID)
	}
	cfg.PublicURL, cfg.AuthToken, cfg.Log, cfg.OnCall, cfg.Cohorts, cfg.Now = "http://example.test", "twilio", log, store, cohorts, clock
	return webhooks.New(cfg), &adminWorld{t: t, prog: prog, store: store, logs: logs}
}

// local is a time in the program's zone, as RFC 3339.
func (w *adminWorld) local(s string) string {
	w.t.Helper()
	x, err := time.ParseInLocation("2006-01-02 15:04", s, w.prog.TimeZone)
	if err != nil {
		w.t.Fatal(err)
	}
	return x.Format(time.RFC3339)
}

// do sends a request with the admin token as bearer token (none if
// token is "") and decodes the JSON answer into out, if any.
func (w *adminWorld) do(method, path, token, body string, out any) *http.Response {
	w.t.Helper()
	req, err := http.NewRequest(method, w.url+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			w.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp
}

const bearer = "Bearer " + adminToken

type errorBody struct {
	Error string `json:"error"`
}

func TestAdminRefusesWithoutTheToken(t *testing.T) {
	w := newAdminWorld(t, adminToken)
	create := `{"cohort":"north","person":"bnguyen","for":"4h"}`
	for _, tt := range []struct{ name, method, path, auth, body string }{
		{"no token", "GET", "/admin/oncall", "", ""},
		{"wrong token", "GET", "/admin/oncall", "Bearer nope", ""},
		{"not bearer", "GET", "/admin/oncall", "Basic " + adminToken, ""},
		{"token with a suffix", "GET", "/admin/oncall", bearer + "x", ""},
		{"create, no token", "POST", "/admin/oncall/overrides", "", create},
		{"create, wrong token", "POST", "/admin/oncall/overrides", "Bearer " + strings.ToUpper(adminToken), create},
		{"delete, wrong token", "DELETE", "/admin/oncall/overrides/north-00000000", "Bearer nope", ""},
		{"unknown path", "GET", "/admin/oncall/nowhere/else", "", ""},
	} {
		var e errorBody
		resp := w.do(tt.method, tt.path, tt.auth, tt.body, &e)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" || e.Error == "" {
			t.Errorf("%s: %d, WWW-Authenticate %q, error %q; want 401, Bearer and an error",
				tt.name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), e.Error)
		}
	}
	if got, err := w.store.Overrides(context.Background(), "north"); err != nil || len(got) != 0 {
		t.Errorf("refused requests changed the overrides: %v %v", got, err)
	}
	// An accepted request for a path that does not exist is a plain 404.
	var e errorBody
	if resp := w.do("GET", "/admin/oncall/nowhere/else", bearer, "", &e); resp.StatusCode != http.StatusNotFound || e.Error == "" {
		t.Errorf("unknown admin path with the token: %d %q", resp.StatusCode, e.Error)
	}
	if strings.Contains(w.logs.String(), adminToken) {
		t.Errorf("the token is in the logs:\n%s", w.logs.String())
	}
}

func TestAdminOffWithoutAToken(t *testing.T) {
	w := newAdminWorld(t, "")
	for _, auth := range []string{"", "Bearer ", bearer} {
		if resp := w.do("GET", "/admin/oncall", auth, "", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("admin API off, Authorization %q: %d, want 404", auth, resp.StatusCode)
		}
	}
}

func TestAdminShowsWhoIsOnCall(t *testing.T) {
	w := newAdminWorld(t, adminToken)
	var show struct{ OnCall []oncall.Shift }
	if resp := w.do("GET", "/admin/oncall", bearer, "", &show); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/oncall: %d", resp.StatusCode)
	}
	var cohorts []string
	for _, sh := range show.OnCall {
		cohorts = append(cohorts, sh.Cohort)
	}
	if strings.Join(cohorts, " ") != "north east south west" {
		t.Errorf("cohorts shown: %v", cohorts)
	}
	if n := show.OnCall[0]; n.Person != "jrivera" || n.From.Format(time.RFC3339) != w.local("2026-11-23 09:00") ||
		n.To.Format(time.RFC3339) != w.local("2026-11-24 09:00") {
		t.Errorf("north now: %+v", n)
	}
	if s := show.OnCall[2]; s.Person != "dpatel" || !s.To.IsZero() {
		t.Errorf("south (no shifts) now: %+v", s)
	}

	// At a time, for one cohort: the shift before the first handoff.
	show.OnCall = nil
	w.do("GET", "/admin/oncall?cohort=north&at="+w.local("2026-11-23 08:59"), bearer, "", &show)
	if len(show.OnCall) != 1 || show.OnCall[0].Person != "aklein" || show.OnCall[0].To.Format(time.RFC3339) != w.local("2026-11-23 09:00") {
		t.Errorf("north at 08:59: %+v", show.OnCall)
	}

	var next struct{ Shifts []oncall.Shift }
	if resp := w.do("GET", "/admin/oncall/north/next?count=3", bearer, "", &next); resp.StatusCode != http.StatusOK {
		t.Fatalf("next: %d", resp.StatusCode)
	}
	for i, want := range []struct{ who, from string }{
		{"jrivera", "2026-11-23 09:00"}, {"aklein", "2026-11-24 09:00"}, {"jrivera", "2026-11-25 09:00"},
	} {
		if i >= len(next.Shifts) || next.Shifts[i].Person != want.who || next.Shifts[i].From.Format(time.RFC3339) != w.local(want.from) {
			t.Errorf("next[%d]: %+v, want %s from %s", i, next.Shifts, want.who, want.from)
		}
	}
	if len(next.Shifts) != 3 {
		t.Errorf("next?count=3: %d shifts", len(next.Shifts))
	}
	next.Shifts = nil
	if w.do("GET", "/admin/oncall/north/next", bearer, "", &next); len(next.Shifts) != 7 {
		t.Errorf("next by default: %d shifts, want 7", len(next.Shifts))
	}

	for _, tt := range []struct {
		path string
		code int
	}{
		{"/admin/oncall?at=tomorrow", http.StatusBadRequest},
		{"/admin/oncall?cohort=nowhere", http.StatusNotFound},
		{"/admin/oncall/nowhere/next", http.StatusNotFound},
		{"/admin/oncall/north/next?count=0", http.StatusBadRequest},
		{"/admin/oncall/north/next?count=101", http.StatusBadRequest},
		{"/admin/oncall/north/next?count=many", http.StatusBadRequest},
	} {
		var e errorBody
		if resp := w.do("GET", tt.path, bearer, "", &e); resp.StatusCode != tt.code || e.Error == "" {
			t.Errorf("GET %s: %d %q, want %d and an error", tt.path, resp.StatusCode, e.Error, tt.code)
		}
	}
}

func TestAdminOverrides(t *testing.T) {
	w := newAdminWorld(t, adminToken)
	var o oncall.Shift
	resp := w.do("POST", "/admin/oncall/overrides", bearer,
		`{"cohort":"north","person":"bnguyen","from":"`+w.local("2026-11-23 13:00")+`","for":"4h"}`, &o)
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(o.Override, "north-") || o.Person != "bnguyen" ||
		o.From.Format(time.RFC3339) != w.local("2026-11-23 13:00") || o.To.Format(time.RFC3339) != w.local("2026-11-23 17:00") {
		t.Fatalf("create: %d %+v", resp.StatusCode, o)
	}
	var show struct{ OnCall []oncall.Shift }
	w.do("GET", "/admin/oncall?cohort=north&at="+w.local("2026-11-23 14:00"), bearer, "", &show)
	if len(show.OnCall) != 1 || show.OnCall[0].Person != "bnguyen" || show.OnCall[0].Override != o.Override {
		t.Errorf("north under the override: %+v", show.OnCall)
	}

	// From now (10:00) by default, with "to".
	var now oncall.Shift
	if resp := w.do("POST", "/admin/oncall/overrides", bearer,
		`{"cohort":"north","person":"cobi","to":"`+w.local("2026-11-23 11:00")+`"}`, &now); resp.StatusCode != http.StatusCreated ||
		now.From.Format(time.RFC3339) != w.local("2026-11-23 10:00") {
		t.Errorf("create from now: %d %+v", resp.StatusCode, now)
	}

	for _, tt := range []struct {
		name, body string
		code       int
		want       string
	}{
		{"overlap", `{"cohort":"north","person":"cobi","from":"` + w.local("2026-11-23 16:00") + `","for":"2h"}`,
			http.StatusConflict, "overlaps another override " + o.Override},
		{"unknown person", `{"cohort":"north","person":"nobody","from":"` + w.local("2026-11-23 18:00") + `","for":"1h"}`,
			http.StatusBadRequest, `unknown person "nobody"`},
		{"unknown cohort", `{"cohort":"nowhere","person":"cobi","for":"1h"}`, http.StatusBadRequest, `unknown cohort "nowhere"`},
		{"an officer", `{"cohort":"north","person":"osmith","from":"` + w.local("2026-11-23 18:00") + `","for":"1h"}`,
			http.StatusBadRequest, "officer"},
		{"already over", `{"cohort":"north","person":"cobi","from":"` + w.local("2026-11-23 07:00") + `","for":"1h"}`,
			http.StatusBadRequest, "already be over"},
		{"to and for", `{"cohort":"north","person":"cobi","to":"` + w.local("2026-11-23 19:00") + `","for":"1h"}`,
			http.StatusBadRequest, `either "to" or "for"`},
		{"bad for", `{"cohort":"north","person":"cobi","for":"a while"}`, http.StatusBadRequest, "for"},
		{"bad from", `{"cohort":"north","person":"cobi","from":"tomorrow","for":"1h"}`, http.StatusBadRequest, "from"},
		{"malformed JSON", `{"cohort":"north",`, http.StatusBadRequest, "JSON"},
		{"unknown field", `{"cohort":"north","person":"cobi","until":"x","for":"1h"}`, http.StatusBadRequest, "JSON"},
	} {
		var e errorBody
		resp := w.do("POST", "/admin/oncall/overrides", bearer, tt.body, &e)
		if resp.StatusCode != tt.code || !strings.Contains(e.Error, tt.want) {
			t.Errorf("%s: %d %q, want %d and %q", tt.name, resp.StatusCode, e.Error, tt.code, tt.want)
		}
	}

	var list struct{ Overrides []oncall.Shift }
	w.do("GET", "/admin/oncall/overrides", bearer, "", &list)
	if len(list.Overrides) != 2 || list.Overrides[0].Override != now.Override || list.Overrides[1].Override != o.Override {
		t.Errorf("overrides: %+v", list.Overrides)
	}
	list.Overrides = nil
	if w.do("GET", "/admin/oncall/overrides?cohort=east", bearer, "", &list); list.Overrides == nil || len(list.Overrides) != 0 {
		t.Errorf("east's overrides: %#v, want []", list.Overrides)
	}

	if resp := w.do("DELETE", "/admin/oncall/overrides/"+o.Override, bearer, "", nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %d, want 204", resp.StatusCode)
	}
	var e errorBody
	if resp := w.do("DELETE", "/admin/oncall/overrides/"+o.Override, bearer, "", &e); resp.StatusCode != http.StatusNotFound || e.Error == "" {
		t.Errorf("delete again: %d %q, want 404", resp.StatusCode, e.Error)
	}
	if got, _ := w.store.Overrides(context.Background(), "north"); len(got) != 1 || got[0].Override != now.Override {
		t.Errorf("after the delete: %+v", got)
	}
}
