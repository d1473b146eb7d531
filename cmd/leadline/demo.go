package main

import (
	"bufio"
	"context"
	"fmt"
	"github.com/leadline/leadline/datakey"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

// The demo's simulated Twilio account; nothing leaves the machine.
const (
	demoSID         = "AC00000000000000000000000000demo"
	demoToken       = "00000000000000000000000000demo00"
	strangerFrom    = "+14125550999"
	participantFrom = "+14125550177"
)

// demoCmd runs the whole service on an embedded Redis and the phone
// simulator, and lets a person type as anyone in the sample program.
const demoUsage = `Usage:
  leadline demo [-v]

The whole service on an embedded Redis and the phone simulator, with the
sample program. Type "<person id> <text>" to text as someone; "wait 5m"
moves the service's clock on.

Environment: none (nothing leaves the machine).
`

func demoCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, clock func() time.Time) error {
	fs := newCommand("demo", demoUsage, stdout, stderr)
	verbose := fs.Bool("v", false, "show the service's logs on stderr")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fs.misuse("demo takes no arguments")
	}
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		return fmt.Errorf("sample program: %w", err)
	}
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true) // expiring keys (proposals, retry records) expire as in Redis
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return fmt.Errorf("embedded redis: %w", err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	// The demo's Redis lives and dies with it, so its data key does too.
	keys, err := datakey.New()
	if err != nil {
		return err
	}
	clk := newDemoClock(clock())
	// Twilio's own STOP/START/HELP answers play as on a real number.
	sim := twiliosim.New(twiliosim.Options{AccountSID: demoSID, AuthToken: demoToken, Clock: clk.now, AnswerKeywords: true})
	defer sim.Close()
	addr := getenv("LEADLINE_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("demo: %w (set LEADLINE_ADDR to another address, e.g. 127.0.0.1:8081)", err)
	}
	base := "http://" + l.Addr().String()
	sim.SetWebhookBase(base)

	logOut := io.Discard
	if *verbose {
		logOut = os.Stderr
	}
	p := &printer{out: stdout, prog: prog, sim: sim, clock: clk, calls: map[string]*twiliosim.Session{}, url: base}
	started := make(chan parts, 1)
	sv := service{prog: prog, rdb: rdb, redisSettings: "off", publicURL: base, authToken: demoToken, log: newLogger(logOut), clock: clk.now,
		outboxClock: time.Now, demoSignIn: true, keys: keys,
		twilio:  phone.NewClient(phone.ClientConfig{AccountSID: demoSID, AuthToken: demoToken, APIURL: sim.URL()}),
		started: func(pt parts) { p.phones(pt.console); started <- pt }}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sv.run(ctx, l) }()

	select {
	case pt := <-started:
		p.parts = pt
	case err := <-done:
		return err
	}
	msgs, unsubscribe := sim.Subscribe()
	defer unsubscribe()
	go p.print(msgs)
	go p.ring(ctx)

	p.intro()
	err = p.converse(ctx, stdin, sim)
	p.settle()
	cancel()
	if runErr := <-done; runErr != nil && err == nil {
		err = runErr
	}
	return err
}

// demoClock runs from the command's clock at start (the wall clock, or a
// test's fixed instant, so the demo's on-call rotation does not depend on
// the day it runs) at the wall clock's pace, plus however far `wait` has
// moved it, so that escalation steps can be seen without waiting minutes.
type demoClock struct {
	mu      sync.Mutex
	start   time.Time // the command's clock when the demo started
	started time.Time // the wall clock then: only its elapsed time is used
	ahead   time.Duration
}

func newDemoClock(start time.Time) *demoClock {
	return &demoClock{start: start, started: time.Now()}
}

func (c *demoClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.start.Add(time.Since(c.started) + c.ahead)
}

func (c *demoClock) skip(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ahead += d
}

// printer shows each simulated phone's texts and calls as they arrive, and
// plays the calls people answer.
type printer struct {
	out   io.Writer
	prog  *program.Program
	sim   *twiliosim.Server
	clock *demoClock // nil in leadline sim: serve keeps its own clock
	mu    sync.Mutex
	last  time.Time
	calls map[string]*twiliosim.Session // the call each person answered last
	url   string                        // the console's
	parts parts
	// callsMu guards calls and sids: the terminal and the phone page both
	// play calls.
	callsMu sync.Mutex
	sids    []string // the calls answered, by SID
}

// answered are the SIDs of the calls someone answered.
func (p *printer) answered() []string {
	p.callsMu.Lock()
	defer p.callsMu.Unlock()
	return append([]string(nil), p.sids...)
}

func (p *printer) who(number string) string {
	if x, ok := p.prog.PersonByPhone(number); ok {
		return fmt.Sprintf("%s (%s, %s)", x.Name, x.ID, strings.ReplaceAll(string(x.Role), "_", " "))
	}
	if number == strangerFrom {
		return "stranger"
	}
	if number == participantFrom {
		return "participant"
	}
	return phone.Mask(number)
}

func (p *printer) print(msgs <-chan twiliosim.Message) {
	for m := range msgs {
		p.mu.Lock()
		body := strings.ReplaceAll(m.Body, "\n", "\n      ")
		fmt.Fprintf(p.out, "  📱 to %s:\n      %s\n", p.who(m.To), body)
		p.last = time.Now()
		p.mu.Unlock()
	}
}

// ring shows each call the service places, as it is placed.
func (p *printer) ring(ctx context.Context) {
	seen := 0
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		calls := p.sim.Calls()
		for _, c := range calls[seen:] {
			p.mu.Lock()
			id := p.who(c.To)
			if x, ok := p.prog.PersonByPhone(c.To); ok {
				id = x.ID
			}
			fmt.Fprintf(p.out, "  📞 call to %s (type \"%s answer\")\n", p.who(c.To), id)
			p.last = time.Now()
			p.mu.Unlock()
		}
		seen = len(calls)
	}
}

// play answers a person's latest call, or presses keys on the call they
// answered, and prints what the call says.
func (p *printer) play(ctx context.Context, x *program.Person, verb, keys string) error {
	p.callsMu.Lock()
	defer p.callsMu.Unlock()
	var s *twiliosim.Session
	switch verb {
	case "call":
		var err error
		if s, err = p.sim.PlaceCall(ctx, x.Phone, p.prog.Phone); err != nil {
			return err
		}
		p.calls[x.ID] = s
	case "say":
		if s = p.calls[x.ID]; s == nil {
			return fmt.Errorf("%s is on no call", x.ID)
		}
		if err := s.Speak(ctx, keys, 0.9); err != nil {
			return err
		}
	case "answer":
		calls := p.sim.Calls()
		for i := len(calls) - 1; i >= 0 && s == nil; i-- {
			if calls[i].To == x.Phone {
				var err error
				if s, err = p.sim.Answer(ctx, calls[i].SID); err != nil {
					return err
				}
				p.sids = append(p.sids, calls[i].SID)
			}
		}
		if s == nil {
			return fmt.Errorf("no call to %s", x.ID)
		}
		p.calls[x.ID] = s
	default:
		if s = p.calls[x.ID]; s == nil {
			return fmt.Errorf("%s has not answered a call", x.ID)
		}
		if err := s.Press(ctx, keys); err != nil {
			return err
		}
	}
	for _, said := range s.Said() {
		p.printf("  🔊 %s\n", said)
	}
	if s.HungUp() {
		p.printf("  (call ended)\n")
	} else {
		p.printf("  (type \"%s press 1\" or \"%s press 2\")\n", x.ID, x.ID)
	}
	return nil
}

// printf writes to the terminal between the texts and calls arriving.
func (p *printer) printf(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format, a...)
}

// settle waits until no text has arrived for a moment, so that the answers
// to one line print before the next prompt.
func (p *printer) settle() {
	deadline := time.Now().Add(5 * time.Second)
	start := time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		p.mu.Lock()
		last := p.last
		p.mu.Unlock()
		if time.Since(start) > 400*time.Millisecond && time.Since(last) > 300*time.Millisecond {
			return
		}
	}
}

// people lists the people one may text as.
func (p *printer) people() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listPeople()
}

func (p *printer) listPeople() {
	fmt.Fprintln(p.out, "People:")
	ids := make([]string, 0, len(p.prog.People))
	for _, x := range p.prog.People {
		ids = append(ids, fmt.Sprintf("  %-8s %-11s %s", x.ID, x.Name, strings.ReplaceAll(string(x.Role), "_", " ")))
	}
	sort.Strings(ids)
	fmt.Fprintln(p.out, strings.Join(ids, "\n"))
}

func (p *printer) intro() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "Leadline demo: %s, program number %s\n", p.prog.Name, p.prog.Phone)
	fmt.Fprintf(p.out, "Console: %s/signin/demo (sign in as anyone)   Phones: %s/demo/phones\n", p.url, p.url)
	fmt.Fprintln(p.out, "Type a text as someone: <person id> <text>.")
	p.listPeople()
	fmt.Fprintln(p.out, "  stranger (a number the program does not know)")
	fmt.Fprintln(p.out, "  participant (412-555-0177, once a case manager makes an appointment for it)")
	fmt.Fprintln(p.out, "Try:  osmith AD 40.4473,-80.0076 / male 30s red jacket   (North Side)")
	fmt.Fprintln(p.out, "      jrivera 1 15          aklein 2          osmith STATUS          osmith HELP")
	fmt.Fprintln(p.out, "      tlee SC 101 / by the arena entrance     (a place code from the sample places)")
	fmt.Fprintln(p.out, "      osmith AD 5th & Wood      osmith SC 100 Main St   (addresses; the second asks which one)")
	fmt.Fprintln(p.out, "      wait 5m   (jump the clock: an unanswered page escalates)   jrivera answer   jrivera press 1")
	fmt.Fprintln(p.out, "      jrivera APPT <code> 412-555-0177 tomorrow 2pm @ 123 Center Ave   participant YES   participant C")
	fmt.Fprintln(p.out, "      wait 24h   (reminders: the case manager's intake, the participant's appointment)   jrivera INTAKE <code>")
	fmt.Fprintln(p.out, "      osmith call   osmith press 1   osmith say 40.4473 -80.0076   (the voice line)   wait 3d")
	fmt.Fprintln(p.out, "Ctrl-D to quit.")
}

func (p *printer) converse(ctx context.Context, stdin io.Reader, sim *twiliosim.Server) error {
	sc := bufio.NewScanner(stdin)
	for {
		p.printf("> ")
		if !sc.Scan() {
			p.printf("\n")
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, text, _ := strings.Cut(line, " ")
		if id == "wait" && p.clock == nil {
			p.printf("  (wait moves the demo's clock; serve keeps the real one)\n")
			continue
		}
		if id == "wait" {
			d, err := parseWait(text)
			if err != nil {
				p.printf("  (%v)\n", err)
				continue
			}
			p.wait(ctx, d)
			p.printf("  (%s later)\n", d)
			p.settle()
			continue
		}
		if verb, keys, _ := strings.Cut(text, " "); verb == "answer" || verb == "press" || verb == "call" || verb == "say" {
			x, ok := p.prog.Person(strings.ToLower(id))
			if !ok {
				p.printf("  (no person %q)\n", id)
				continue
			}
			if err := p.play(ctx, x, verb, strings.TrimSpace(keys)); err != nil {
				p.printf("  (%v)\n", err)
			}
			p.settle()
			continue
		}
		from := strangerFrom
		if id == "participant" {
			from = participantFrom
		} else if id != "stranger" {
			x, ok := p.prog.Person(strings.ToLower(id))
			if !ok {
				p.printf("  (no person %q: start the line with a person id)\n", id)
				continue
			}
			from = x.Phone
		}
		if _, err := sim.Text(ctx, from, p.prog.Phone, strings.ReplaceAll(text, `\n`, "\n")); err != nil {
			p.printf("  (not delivered: %v)\n", err)
		}
		p.settle()
	}
}
