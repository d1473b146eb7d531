package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/referral"
)

// feed keeps the referrals on any board in memory and current: it loads
// them once, then follows referral.ChangesKey (XREAD BLOCK), reloading
// each referral a change names and telling the live boards that may see
// it. Each instance has its own, so a change made through any instance
// reaches the browsers of every one.
type feed struct {
	s *Server

	mu      sync.RWMutex
	running bool
	refs    map[string]*onBoard // by code
	last    string              // the stream position read up to
	subs    map[*subscriber]struct{}
}

// onBoard is a referral on the boards and the stream ID of its latest
// change.
type onBoard struct {
	r  *referral.Referral
	id string
}

// subscriber is one live board: its viewer, and the stream ID of the
// latest change it may see, delivered newest-wins.
type subscriber struct {
	v    *Viewer
	ch   chan string
	done chan struct{}
}

func newFeed(s *Server) *feed {
	return &feed{s: s, subs: map[*subscriber]struct{}{}}
}

// Run follows referral changes for the live board until ctx ends, then
// ends every live board's stream. Without it the board is drawn from Redis
// on each request and is not live.
func (s *Server) Run(ctx context.Context) error { return s.feed.run(ctx) }

// Live reports whether Run is following changes.
func (s *Server) Live() bool {
	s.feed.mu.RLock()
	defer s.feed.mu.RUnlock()
	return s.feed.running
}

// tail is the stream's latest ID, "0-0" when it is empty.
func (f *feed) tail(ctx context.Context) (string, error) {
	msgs, err := f.s.rdb.XRevRangeN(ctx, referral.ChangesKey, "+", "-", 1).Result()
	if err != nil {
		return "", fmt.Errorf("console: changes: %w", err)
	}
	if len(msgs) == 0 {
		return "0-0", nil
	}
	return msgs[0].ID, nil
}

// load reads every referral on a board now, marked as changed at id.
func (f *feed) load(ctx context.Context, id string) (map[string]*onBoard, error) {
	now := f.s.now()
	recs, err := referral.Records(ctx, f.s.rdb, f.s.keys, now.Add(-BoardLookBack), now.Add(time.Hour))
	if err != nil {
		return nil, fmt.Errorf("console: board: %w", err)
	}
	out := map[string]*onBoard{}
	for _, r := range recs {
		if f.s.onBoard(r, now) {
			out[r.Code] = &onBoard{r: r, id: id}
		}
	}
	return out, nil
}

// refresh reads again, from Redis, every referral on the boards and those
// received since the newest of them, so that a page load is right even
// about a change that wrote nothing to the stream: one pipelined read.
func (f *feed) refresh(ctx context.Context) error {
	f.mu.RLock()
	if !f.running {
		f.mu.RUnlock()
		return nil
	}
	codes := make([]string, 0, len(f.refs))
	newest := f.s.now().Add(-BoardLookBack)
	for c, b := range f.refs {
		codes = append(codes, c)
		if b.r.Received.After(newest) {
			newest = b.r.Received
		}
	}
	last := f.last
	f.mu.RUnlock()
	now := f.s.now()
	fresh, err := referral.Records(ctx, f.s.rdb, f.s.keys, newest, now.Add(time.Hour))
	if err != nil {
		return err
	}
	loaded, err := f.s.referrals.LoadMany(ctx, codes)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running {
		return nil
	}
	for i, c := range codes {
		switch {
		case loaded[i] == nil:
			delete(f.refs, c)
		case f.refs[c] != nil:
			f.refs[c].r = loaded[i]
		}
	}
	for _, r := range fresh {
		if _, ok := f.refs[r.Code]; !ok && f.s.onBoard(r, now) {
			f.refs[r.Code] = &onBoard{r: r, id: last}
		}
	}
	return nil
}

// snapshot is the referrals on the boards and the stream position they
// stand at: from memory while Run follows changes, else read now.
func (f *feed) snapshot(ctx context.Context) ([]*referral.Referral, string, error) {
	f.mu.RLock()
	if f.running {
		out := make([]*referral.Referral, 0, len(f.refs))
		for _, b := range f.refs {
			out = append(out, b.r)
		}
		last := f.last
		f.mu.RUnlock()
		return out, last, nil
	}
	f.mu.RUnlock()
	id, err := f.tail(ctx)
	if err != nil {
		return nil, "", err
	}
	m, err := f.load(ctx, id)
	if err != nil {
		return nil, "", err
	}
	out := make([]*referral.Referral, 0, len(m))
	for _, b := range m {
		out = append(out, b.r)
	}
	return out, id, nil
}

// visibleSince is the latest change v may see of the referrals on the
// boards: the live stream's position for v, so that an event ID never
// tells of changes in cohorts v does not see. fallback is used when none.
func (f *feed) visibleSince(v *Viewer, fallback string) string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if !f.running {
		return fallback
	}
	best := "0-0"
	for _, b := range f.refs {
		if v.Sees(b.r.Cohort) && streamAfter(b.id, best) {
			best = b.id
		}
	}
	return best
}

// streamAfter reports whether stream ID a is after b.
func streamAfter(a, b string) bool {
	am, as := splitID(a)
	bm, bs := splitID(b)
	return am > bm || am == bm && as > bs
}

func splitID(id string) (uint64, uint64) {
	ms, seq, _ := strings.Cut(id, "-")
	m, _ := strconv.ParseUint(ms, 10, 64)
	s, _ := strconv.ParseUint(seq, 10, 64)
	return m, s
}

func (f *feed) run(ctx context.Context) error {
	defer f.stop()
	for ctx.Err() == nil {
		if err := f.follow(ctx); err != nil && ctx.Err() == nil {
			f.s.log.Error("console: following referral changes", "err", err)
			select { // Redis is down or the stream was cut: load it all again after a pause
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

// follow loads the boards' referrals and then applies each change as it
// comes, until ctx ends or Redis fails.
func (f *feed) follow(ctx context.Context) error {
	id, err := f.tail(ctx)
	if err != nil {
		return err
	}
	refs, err := f.load(ctx, id)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.refs, f.last, f.running = refs, id, true
	f.mu.Unlock()
	for {
		res, err := f.s.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{referral.ChangesKey, id}, Count: 500,
			Block: 5 * time.Second}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return err
		}
		for _, st := range res {
			for _, m := range st.Messages {
				code, _ := m.Values["code"].(string)
				if err := f.apply(ctx, code, m.ID); err != nil {
					return err
				}
				id = m.ID
			}
		}
	}
}

// apply reloads the referral a change names and tells the live boards
// that may see it.
func (f *feed) apply(ctx context.Context, code, id string) error {
	r, err := f.s.referrals.Load(ctx, code)
	if err != nil && !errors.Is(err, referral.ErrNotFound) {
		return err
	}
	now := f.s.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = id
	cohort := ""
	if old, ok := f.refs[code]; ok {
		cohort = old.r.Cohort
	}
	if r != nil {
		cohort = r.Cohort
	}
	if r != nil && f.s.onBoard(r, now) {
		f.refs[code] = &onBoard{r: r, id: id}
	} else {
		delete(f.refs, code)
	}
	for c, b := range f.refs { // yesterday's ended referrals leave the boards
		if !f.s.onBoard(b.r, now) {
			delete(f.refs, c)
		}
	}
	if cohort == "" {
		return nil
	}
	for sub := range f.subs {
		if !sub.v.Sees(cohort) {
			continue
		}
		select { // newest wins: a board that has not drawn the last change draws this one
		case <-sub.ch:
		default:
		}
		sub.ch <- id
	}
	return nil
}

func (f *feed) subscribe(v *Viewer) *subscriber {
	sub := &subscriber{v: v, ch: make(chan string, 1), done: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running {
		close(sub.done)
		return sub
	}
	f.subs[sub] = struct{}{}
	return sub
}

func (f *feed) unsubscribe(sub *subscriber) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[sub]; ok {
		delete(f.subs, sub)
		close(sub.done)
	}
}

// stop ends every live board's stream: the service is shutting down.
func (f *feed) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running = false
	for sub := range f.subs {
		delete(f.subs, sub)
		close(sub.done)
	}
}

// Subscribers is how many live boards this instance is streaming to.
func (s *Server) Subscribers() int {
	s.feed.mu.RLock()
	defer s.feed.mu.RUnlock()
	return len(s.feed.subs)
}

// liveCheck is how often a live board's session is checked, and a comment
// sent to keep proxies from closing an idle stream.
const liveCheck = 25 * time.Second

// boardEvents is GET /board/events, the live board's Server-Sent Events:
// an "board" event with the viewer's board, drawn again for each change
// they may see, with the ID of that change; after a reconnect
// (Last-Event-ID) it sends the board at once if anything they may see
// changed since. When the session ends it sends "ended" and closes.
func (s *Server) boardEvents(c echo.Context) error {
	v := ViewerOf(c)
	filter := s.parseFilter(c, v)
	since := c.Request().Header.Get("Last-Event-ID")
	if since == "" {
		since = c.QueryParam("since")
	}
	if since != "" && !validStreamID(since) {
		since = ""
	}
	sub := s.feed.subscribe(v)
	defer s.feed.unsubscribe(sub)
	select {
	case <-sub.done:
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The live board is not running on this server.")
	default:
	}
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 2000\n\n"); err != nil {
		return nil
	}
	w.Flush()
	ctx := c.Request().Context()
	if since != "" {
		if latest := s.feed.visibleSince(v, ""); streamAfter(latest, since) {
			if err := s.sendBoard(c, v, filter, latest); err != nil {
				return nil
			}
		}
	}
	tick := time.NewTicker(liveCheck)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.done:
			return nil
		case id := <-sub.ch:
			if err := s.sendBoard(c, v, filter, id); err != nil {
				return nil
			}
		case <-tick.C:
			if !s.sessionAlive(ctx, v) {
				fmt.Fprint(w, "event: ended\ndata: ended\n\n")
				w.Flush()
				return nil
			}
			if _, err := fmt.Fprint(w, ": still here\n\n"); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}

// sendBoard writes one "board" event: v's board as HTML, one data line
// per line.
func (s *Server) sendBoard(c echo.Context, v *Viewer, filter boardFilter, id string) error {
	refs, _, err := s.feed.snapshot(c.Request().Context())
	if err != nil {
		return err
	}
	d := s.boardFor(v, filter, refs, s.now())
	d.Since, d.Live = id, true
	var buf bytes.Buffer
	if err := s.pages["board"].ExecuteTemplate(&buf, "boardbody", Page{Program: s.prog, Viewer: v, Title: "Board", Data: d}); err != nil {
		return err
	}
	var out bytes.Buffer
	out.WriteString("id: " + id + "\nevent: board\n")
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		out.WriteString("data: " + line + "\n")
	}
	out.WriteString("\n")
	w := c.Response()
	if _, err := w.Write(out.Bytes()); err != nil {
		return err
	}
	w.Flush()
	return nil
}

// sessionAlive reports, without renewing it, whether v's session still
// runs and its person is still staff: a live board open for hours does
// not keep a session alive by itself.
func (s *Server) sessionAlive(ctx context.Context, v *Viewer) bool {
	f, err := s.rdb.HMGet(ctx, sessionKey(v.Session.id), "created", "seen").Result()
	if err != nil || f[0] == nil || f[1] == nil {
		return false
	}
	created, _ := strconv.ParseInt(f[0].(string), 10, 64)
	seen, _ := strconv.ParseInt(f[1].(string), 10, 64)
	now := s.now().UnixMilli()
	if now-seen > IdleTimeout.Milliseconds() || now-created > AbsoluteTimeout.Milliseconds() {
		return false
	}
	p, ok := s.prog.Person(v.Person.ID)
	return ok && p.Role.Staff()
}
