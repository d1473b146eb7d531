package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
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
	demoSID      = "AC00000000000000000000000000demo"
	demoToken    = "00000000000000000000000000demo00"
	strangerFrom = "+14125550999"
)

// demoCmd runs the whole service on an embedded Redis and the phone
// simulator, and lets a person type as anyone in the sample program.
func demoCmd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "show the service's logs on stderr")
	if err := fs.Parse(args); err != nil {
		return err
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

	sim := twiliosim.New(twiliosim.Options{AccountSID: demoSID, AuthToken: demoToken})
	defer sim.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + l.Addr().String()
	sim.SetWebhookBase(base)

	logOut := io.Discard
	if *verbose {
		logOut = os.Stderr
	}
	sv := service{prog: prog, rdb: rdb, publicURL: base, authToken: demoToken, log: newLogger(logOut),
		twilio: phone.NewClient(phone.ClientConfig{AccountSID: demoSID, AuthToken: demoToken, APIURL: sim.URL()})}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sv.run(ctx, l) }()

	p := &printer{out: stdout, prog: prog}
	msgs, unsubscribe := sim.Subscribe()
	defer unsubscribe()
	go p.print(msgs)

	p.intro()
	err = p.converse(ctx, stdin, sim)
	p.settle()
	cancel()
	if runErr := <-done; runErr != nil && err == nil {
		err = runErr
	}
	return err
}

// printer shows each simulated phone's texts as they arrive.
type printer struct {
	out  io.Writer
	prog *program.Program
	mu   sync.Mutex
	last time.Time
}

func (p *printer) who(number string) string {
	if x, ok := p.prog.PersonByPhone(number); ok {
		return fmt.Sprintf("%s (%s, %s)", x.Name, x.ID, strings.ReplaceAll(string(x.Role), "_", " "))
	}
	if number == strangerFrom {
		return "stranger"
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

func (p *printer) intro() {
	fmt.Fprintf(p.out, "Leadline demo: %s, program number %s\n", p.prog.Name, p.prog.Phone)
	fmt.Fprintln(p.out, "Type a text as someone: <person id> <text>. People:")
	ids := make([]string, 0, len(p.prog.People))
	for _, x := range p.prog.People {
		ids = append(ids, fmt.Sprintf("  %-8s %-11s %s", x.ID, x.Name, strings.ReplaceAll(string(x.Role), "_", " ")))
	}
	sort.Strings(ids)
	fmt.Fprintln(p.out, strings.Join(ids, "\n"))
	fmt.Fprintln(p.out, "  stranger (a number the program does not know)")
	fmt.Fprintln(p.out, "Try:  osmith AD 40.4473,-80.0076 / male 30s red jacket   (North Side)")
	fmt.Fprintln(p.out, "      jrivera 1 15          aklein 2          osmith STATUS          osmith HELP")
	fmt.Fprintln(p.out, "      tlee SC 101 / by the arena entrance     (a place code from the sample places)")
	fmt.Fprintln(p.out, "Ctrl-D to quit.")
}

func (p *printer) converse(ctx context.Context, stdin io.Reader, sim *twiliosim.Server) error {
	sc := bufio.NewScanner(stdin)
	for {
		fmt.Fprint(p.out, "> ")
		if !sc.Scan() {
			fmt.Fprintln(p.out)
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, text, _ := strings.Cut(line, " ")
		from := strangerFrom
		if id != "stranger" {
			x, ok := p.prog.Person(strings.ToLower(id))
			if !ok {
				fmt.Fprintf(p.out, "  (no person %q: start the line with a person id)\n", id)
				continue
			}
			from = x.Phone
		}
		if _, err := sim.Text(ctx, from, p.prog.Phone, strings.ReplaceAll(text, `\n`, "\n")); err != nil {
			fmt.Fprintf(p.out, "  (not delivered: %v)\n", err)
		}
		p.settle()
	}
}
