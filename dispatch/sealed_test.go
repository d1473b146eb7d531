package dispatch_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/e2e"
)

// secrets are what a referral and its participant say, as typed: none may
// be readable in Redis, by MONITOR or in what it keeps.
var secrets = []string{
	"green parka",        // the officer's notes
	"40.4473", "80.0076", // where, as the officer sent it
	"4125550177",                 // the participant's number
	"Center Ave",                 // the appointment's place
	"Bring your ID and the form", // the case manager's message to the participant
}

// A copy of Redis (every key, every value) and a MONITOR of every command
// during a whole referral, appointment and message hold none of the
// details in the clear, and the service still reads them all back.
func TestRedisHoldsNoDetailsInTheClear(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	// MONITOR on a connection of its own, as an onlooker would: a raw
	// one, since go-redis's Monitor races with its own pool.
	conn, err := net.Dial("tcp", w.Redis.(*redis.Client).Options().Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	if !lines.Scan() || lines.Text() != "+OK" {
		t.Fatalf("MONITOR: %q", lines.Text())
	}
	go func() {
		for lines.Scan() {
			mu.Lock()
			seen = append(seen, lines.Text())
			mu.Unlock()
		}
	}()

	code := w.HandedOff("AD", "green parka, by the bus shelter")
	w.Text("jrivera", "APPT "+code+" 412-555-0177 11/27 2:30pm @ 123 Center Ave")
	w.Expect("jrivera", "saved")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Consent("en"))
	w.Text(e2e.ParticipantPhone, "YES")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().ConsentThanks("en"))
	w.Expect("jrivera", "agreed")
	// After 21:00 the message waits in Redis for the participant's hours.
	w.At("2026-11-23 21:30")
	w.Text("jrivera", "MSG "+code+" Bring your ID and the form")
	w.Expect("jrivera", "hold your message")

	for _, k := range dump(t, w.Redis) {
		for _, s := range secrets {
			if strings.Contains(k, s) {
				t.Errorf("Redis holds %q in the clear: %.300s", s, k)
			}
		}
	}
	mu.Lock()
	for _, l := range seen {
		for _, s := range secrets {
			if strings.Contains(l, s) {
				t.Errorf("MONITOR shows %q: %.300s", s, l)
			}
		}
	}
	n := len(seen)
	mu.Unlock()
	if n < 50 {
		t.Fatalf("MONITOR saw %d commands: the check above saw nothing", n)
	}

	// The service reads it all back.
	r := w.Referral(code)
	if r.Notes != "green parka, by the bus shelter" || r.Location != e2e.NorthPoint || r.Participant != e2e.ParticipantPhone ||
		r.ApptPlace != "123 Center Ave" || r.Officer != "osmith" {
		t.Errorf("read back: %+v", r)
	}
	w.At("2026-11-24 08:00")
	w.Expect(e2e.ParticipantPhone, "Bring your ID and the form")
}

// dump is every key of Redis with its whole value, one string a key.
func dump(t *testing.T, rdb redis.UniversalClient) []string {
	t.Helper()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		var v any
		switch typ := rdb.Type(ctx, k).Val(); typ {
		case "string":
			v = rdb.Get(ctx, k).Val()
		case "hash":
			v = rdb.HGetAll(ctx, k).Val()
		case "list":
			v = rdb.LRange(ctx, k, 0, -1).Val()
		case "set":
			v = rdb.SMembers(ctx, k).Val()
		case "zset":
			v = rdb.ZRangeWithScores(ctx, k, 0, -1).Val()
		case "stream":
			v = rdb.XRange(ctx, k, "-", "+").Val()
		case "none":
			continue // expired meanwhile
		default:
			t.Fatalf("key %s of type %s not dumped", k, typ)
		}
		out = append(out, fmt.Sprintf("%s = %v", k, v))
	}
	if len(out) < 20 {
		t.Fatalf("only %d keys: the dump saw nothing", len(out))
	}
	return out
}
