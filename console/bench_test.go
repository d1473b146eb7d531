package console_test

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
	"github.com/leadline/leadline/twiliosim"
)

// seedBoard stores n referrals received over the board's 30 days, open of
// them open (paging or accepted) and the rest closed.
func seedBoard(b *testing.B, w *world, n, open int) {
	q := timers.New(w.rdb, referral.TimersBase, timers.Options{Clock: w.clock.Now})
	st := referral.NewStore(w.rdb, q, w.clock.Now, w.prog.Retention.Details, e2e.Keys())
	cohorts := []string{"north", "east", "south", "west"}
	now := w.clock.Now()
	for i := range n {
		at := now.Add(-time.Duration(i) * (29 * 24 * time.Hour / time.Duration(n)))
		r := &referral.Referral{Type: referral.Arrest, Cohort: cohorts[i%4], State: referral.Closed, Officer: "osmith",
			Location: "40.4473,-80.0076", Step: 1, Received: at, PagingAt: at, AcceptedAt: at.Add(3 * time.Minute),
			OnSceneAt: at.Add(20 * time.Minute), ClosedAt: at.Add(time.Hour), AcceptedBy: "jrivera", Outcome: "engaged"}
		if i%(n/open) == 0 {
			r.State, r.ClosedAt, r.OnSceneAt, r.Outcome = referral.Accepted, time.Time{}, time.Time{}, ""
		}
		if err := st.Insert(context.Background(), r, referral.Timer{Kind: referral.TimerPurge, At: at.Add(24 * time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
}

func live(b *testing.B, w *world) {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.console.Run(ctx) }()
	b.Cleanup(func() { stop(); <-done })
	for !w.console.Live() {
		waitBriefly()
	}
}

// BenchmarkBoardRender: the program manager's board (every cohort) with
// 500 open referrals among 50,000 in the board's 30 days; reports the
// server's time per page, p50 and p99.
func BenchmarkBoardRender(b *testing.B) {
	w := newWorld(b)
	seedBoard(b, w, 50000, 500)
	live(b, w)
	c := w.client(w.url)
	w.signIn(c, "pmorgan")
	if code, _, body := c.get("/"); code != http.StatusOK || !strings.Contains(body, "500 open") {
		i := strings.Index(body, "open.")
		b.Fatalf("board: %d\n%s", code, body[max(0, i-200):i+10])
	}
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if code, _, _ := c.get("/"); code != http.StatusOK {
			b.Fatal(code)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[(len(took)*99+99)/100-1].Microseconds())/1000, "p99-ms")
}

// BenchmarkLiveBoards: 200 live boards (SSE) on one instance; reports the
// heap and goroutines each costs, and how long one change takes to reach
// all 200.
func BenchmarkLiveBoards(b *testing.B) {
	w := newWorld(b)
	seedBoard(b, w, 2000, 100)
	live(b, w)
	c := w.client(w.url)
	w.signIn(c, "pmorgan")
	q := timers.New(w.rdb, referral.TimersBase, timers.Options{Clock: w.clock.Now})
	st := referral.NewStore(w.rdb, q, w.clock.Now, w.prog.Retention.Details, e2e.Keys())
	const conns = 200
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()
	readers := make([]*bufio.Reader, conns)
	stream := *c.http
	stream.Timeout = 0 // the streams outlive any one request's limit
	for i := range conns {
		resp, err := stream.Get(w.url + "/board/events")
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("stream %d: %v", i, err)
		}
		b.Cleanup(func() { resp.Body.Close() })
		readers[i] = bufio.NewReaderSize(resp.Body, 1<<16)
	}
	for w.console.Subscribers() < conns {
		waitBriefly()
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap, gs := float64(after.HeapInuse-before.HeapInuse)/conns/1024, float64(runtime.NumGoroutine()-g0)/conns
	b.ResetTimer()
	for b.Loop() {
		now := w.clock.Now()
		r := &referral.Referral{Type: referral.Social, Cohort: "north", State: referral.Paging, Officer: "osmith", Step: -1,
			Received: now, PagingAt: now}
		if err := st.Insert(context.Background(), r, referral.Timer{Kind: referral.TimerStep, Args: []int{-1}, At: now}); err != nil {
			b.Fatal(err)
		}
		for _, rd := range readers { // every board gets the event with the new row
			for {
				line, err := rd.ReadString('\n')
				if err != nil {
					b.Fatal(err)
				}
				if strings.Contains(line, fmt.Sprintf(`id="r-%s"`, r.Code)) {
					break
				}
			}
		}
	}
	b.ReportMetric(heap, "KiB-heap/board")
	b.ReportMetric(gs, "goroutines/board")
}

// BenchmarkDashboard: the program manager's dashboard for a year holding
// 50,000 referrals (four cohorts, three types, a tenth unanswered); reports
// the server's time per page, p50 and p99, and the first view's (it packs every record).
func BenchmarkDashboard(b *testing.B) {
	w := newWorld(b)
	q := timers.New(w.rdb, referral.TimersBase, timers.Options{Clock: w.clock.Now})
	st := referral.NewStore(w.rdb, q, w.clock.Now, w.prog.Retention.Details, e2e.Keys())
	cohorts := []string{"north", "east", "south", "west"}
	types := []referral.Type{referral.Arrest, referral.Social, referral.Community}
	now := w.clock.Now()
	n := 50000
	if s := os.Getenv("LEADLINE_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for i := range n {
		at := now.Add(-time.Duration(i) * (364 * 24 * time.Hour / time.Duration(n)))
		r := &referral.Referral{Type: types[i%3], Cohort: cohorts[i%4], State: referral.Closed, Officer: "osmith",
			Agency: "Pittsburgh Bureau of Police", Step: 1, Received: at, PagingAt: at,
			AcceptedAt: at.Add(time.Duration(30+i%900) * time.Second), OnSceneAt: at.Add(time.Duration(10+i%40) * time.Minute),
			ClosedAt: at.Add(time.Hour), AcceptedBy: "jrivera", Outcome: referral.Outcomes[i%3]}
		if i%10 == 0 {
			r.State, r.AcceptedAt, r.OnSceneAt, r.ClosedAt, r.UnansweredAt, r.AcceptedBy, r.Outcome =
				referral.Unanswered, time.Time{}, time.Time{}, time.Time{}, at.Add(20*time.Minute), "", ""
		}
		if err := st.Insert(context.Background(), r, referral.Timer{Kind: referral.TimerPurge, At: at.Add(24 * time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
	c := w.client(w.url)
	c.http.Timeout = 2 * time.Minute // a loaded machine must not fail it; the figures say how long
	w.signIn(c, "pmorgan")
	loc := w.prog.TimeZone
	path := "/dashboard?from=" + now.In(loc).AddDate(0, 0, -364).Format(time.DateOnly) + "&to=" + now.In(loc).Format(time.DateOnly)
	// The first view packs every record (referral.ReportRecords); later
	// ones read the packed copies.
	t0 := time.Now()
	if code, _, body := c.get(path); code != http.StatusOK || !strings.Contains(body, `id="fig-count">`+strconv.Itoa(n)+`<`) {
		b.Fatalf("dashboard: %d\n%s", code, body[:min(len(body), 3000)])
	}
	first := time.Since(t0)
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if code, _, _ := c.get(path); code != http.StatusOK {
			b.Fatal(code)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[(len(took)*99+99)/100-1].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
}

// tenCohorts is the sample program with ten cohorts (ten squares of the
// sample's map), each of two case managers handing over every 12 hours.
func tenCohorts(b *testing.B) *program.Program {
	yaml, err := fs.ReadFile(examples.FS, "program.yaml")
	if err != nil {
		b.Fatal(err)
	}
	head, _, _ := strings.Cut(string(yaml), "\ncohorts:")
	head = strings.NewReplacer("places: places.csv\n", "", "address_points: addresses.csv", "").Replace(head)
	var cohorts, features strings.Builder
	cohorts.WriteString("\ncohorts:\n")
	for i := range 10 {
		fmt.Fprintf(&cohorts, "  - {id: c%d, name: Cohort %d, rotation: [jrivera, aklein], shift: {every: 12h, handoff: \"08:00\", start: 2026-11-02}}\n", i, i)
		x := -80.1 + float64(i)*0.01
		if i > 0 {
			features.WriteString(",")
		}
		fmt.Fprintf(&features, `{"type":"Feature","properties":{"cohort":"c%d"},"geometry":{"type":"Polygon","coordinates":[[[%f,40.4],[%f,40.4],[%f,40.41],[%f,40.41],[%f,40.4]]]}}`,
			i, x, x+0.01, x+0.01, x, x)
	}
	_, people, _ := strings.Cut(string(yaml), "\npeople:")
	people = strings.ReplaceAll(people, "cohorts: [north, east, south, west]", "cohorts: [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9]")
	fsys := fstest.MapFS{
		"program.yaml":    {Data: []byte(head + cohorts.String() + "people:" + people)},
		"cohorts.geojson": {Data: []byte(`{"type":"FeatureCollection","features":[` + features.String() + `]}`)},
	}
	prog, err := program.LoadFS(fsys, "program.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return prog
}

// BenchmarkCalendar: the program manager's on-call calendar, ten cohorts
// of 12-hour shifts over four weeks (56 shifts each) with an override in
// each; reports the server's time per page, p50 and p99.
func BenchmarkCalendar(b *testing.B) {
	rdb := testRedis(b)
	clk := clocktest.New(start)
	sim := twiliosim.New(twiliosim.Options{AccountSID: testSID, AuthToken: testToken, Clock: clk.Now})
	b.Cleanup(sim.Close)
	w := &world{t: b, prog: tenCohorts(b), rdb: rdb, sim: sim, clock: clk}
	w.console, w.box, w.url = w.serve(w.prog)
	ctx := context.Background()
	store := oncall.New(rdb, w.prog, clk.Now, nil)
	if err := store.Seed(ctx); err != nil {
		b.Fatal(err)
	}
	for i := range 10 {
		from := start.Add(time.Duration(24*i+30) * time.Hour)
		if _, err := store.AddOverride(ctx, fmt.Sprintf("c%d", i), "bnguyen", from, from.Add(6*time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	c := w.client(w.url)
	w.signIn(c, "pmorgan")
	if code, _, body := c.get("/oncall"); code != http.StatusOK || strings.Count(body, "<tr") != 10*(1+58) {
		b.Fatalf("calendar: %d, %d rows", code, strings.Count(body, "<tr"))
	}
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if code, _, _ := c.get("/oncall"); code != http.StatusOK {
			b.Fatal(code)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[(len(took)*99+99)/100-1].Microseconds())/1000, "p99-ms")
}
