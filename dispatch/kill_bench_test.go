package dispatch_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"
)

// BenchmarkKillMidEscalation kills one of two instances in the middle of
// 50 escalations and measures what the officers and case managers would
// notice: how late each step was taken (from the step before it plus its
// wait, by the referral's history), pages lost (a step taken with no text
// or call to its person) and pages sent twice. Each step waits 2 s; both
// instances poll timers every 250 ms, as serve does. The killed instance's
// timer loop is cancelled mid-handling: what it held it neither finishes,
// renews nor releases. Run it with -benchtime=1x.
func BenchmarkKillMidEscalation(b *testing.B) {
	const wait = 2 * time.Second
	const referrals = 50
	for range b.N {
		b.StopTimer()
		w := e2e.NewOn(b, clocktest.Wall(), nil)
		for i := range w.Prog.Cohorts {
			for j := range w.Prog.Cohorts[i].Escalation.Steps {
				w.Prog.Cohorts[i].Escalation.Steps[j].Wait = wait
			}
		}
		other := e2e.NewInstance(b, w.Prog, w.Redis, w.Sim, w.Clock)
		ctx := context.Background()
		killed, kill := context.WithCancel(ctx)
		run, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { w.Svc.RunTimers(killed, 250*time.Millisecond) })
		wg.Go(func() { other.Svc.RunTimers(run, 250*time.Millisecond) })
		b.StartTimer()
		codes := make([]string, 0, referrals)
		for range referrals {
			other.Text("osmith", "AD "+e2e.NorthPoint+" / kill "+strconv.Itoa(len(codes))) // not a resend of the last
			codes = append(codes, e2e.CodeIn(b, other.Expect("osmith", "Paging")))
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(wait + 700*time.Millisecond) // mid-chain: steps 1 and 2 are being taken
		kill()
		time.Sleep(3*wait + 3*time.Second)
		stop()
		wg.Wait()
		b.StopTimer()
		w.Svc.Wait()
		other.Svc.Wait()
		var lates []time.Duration
		lost, twice := 0, 0
		texts, calls := map[string]int{}, map[string]int{}
		for _, m := range w.Sim.Messages() {
			if strings.Contains(m.Body, "LEAD page ") {
				texts[m.To+" "+strings.Fields(strings.SplitAfter(m.Body, "LEAD page ")[1])[0]]++
			}
		}
		for _, c := range w.Sim.Calls() {
			calls[c.To]++
		}
		for _, code := range codes {
			steps := allStepTimes(b, w, code)
			for i := 1; i < len(steps); i++ {
				lates = append(lates, steps[i].Sub(steps[i-1].Add(wait)))
			}
			for _, who := range []string{"jrivera", "aklein"} { // steps 0 and 2 text them
				switch n := texts[w.PhoneOf(who)+" "+code+":"]; {
				case n == 0 && len(steps) > map[string]int{"jrivera": 0, "aklein": 2}[who]:
					lost++
				case n > 1:
					twice += n - 1
				}
			}
		}
		// Steps 1 and 3 call Jo and Ana for each referral that reached
		// them: a call placed for the page, or one already ringing them that
		// the page joined (one page call at a time). Lost: neither.
		for _, c := range []struct {
			who  string
			step int
		}{{"jrivera", 1}, {"aklein", 3}} {
			placed := 0
			for _, code := range codes {
				if len(allStepTimes(b, w, code)) <= c.step {
					continue
				}
				sid := w.Redis.HGet(ctx, "leadline:{dispatch}:pagecall:"+code+":"+strconv.Itoa(c.step)+":"+c.who, "sid").Val()
				switch sid {
				case "":
					lost++
				case "joined":
				default:
					placed++
				}
			}
			twice += max(calls[w.PhoneOf(c.who)]-placed, 0)
		}
		slices.Sort(lates)
		b.ReportMetric(float64(len(lates)), "steps")
		b.ReportMetric(float64(lates[len(lates)*99/100].Microseconds())/1000, "p99-late-ms")
		b.ReportMetric(float64(lates[len(lates)-1].Microseconds())/1000, "max-late-ms")
		b.ReportMetric(float64(lost), "pages-lost")
		b.ReportMetric(float64(twice), "pages-twice")
	}
}

// allStepTimes are when each step of a referral was taken, in order.
func allStepTimes(b *testing.B, w *e2e.World, code string) []time.Time {
	var out []time.Time
	for _, e := range w.Redis.LRange(context.Background(), "leadline:{dispatch}:referral:"+code+":events", 0, -1).Val() {
		f := strings.Fields(e)
		if len(f) < 4 || f[1] != "step" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, f[0])
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, t)
	}
	return out
}
