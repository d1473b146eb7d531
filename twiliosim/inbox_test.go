package twiliosim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/leadline/leadline/twiliosim"
)

func TestNextMessageTimesOut(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := srv.NextMessage(ctx, jo)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestNextMessageWaitsForSend(t *testing.T) {
	srv := newServer(t)
	rc := restClient(srv, accountSID, authToken)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	got := make(chan twiliosim.Message, 1)
	go func() {
		m, err := srv.NextMessage(ctx, jo)
		if err != nil {
			t.Errorf("NextMessage: %v", err)
		}
		got <- m
	}()
	if _, err := send(rc, program, jo, "page"); err != nil {
		t.Fatalf("send: %v", err)
	}
	if m := <-got; m.Body != "page" {
		t.Errorf("NextMessage body = %q, want %q", m.Body, "page")
	}
}

func TestReadPositionsArePerNumber(t *testing.T) {
	srv := newServer(t)
	rc := restClient(srv, accountSID, authToken)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range []struct{ to, body string }{{jo, "j1"}, {ana, "a1"}, {jo, "j2"}} {
		if _, err := send(rc, program, s.to, s.body); err != nil {
			t.Fatalf("send: %v", err)
		}
	}

	if u := srv.Unread(jo); len(u) != 2 || u[0].Body != "j1" || u[1].Body != "j2" {
		t.Fatalf("Unread(jo) = %+v, want j1, j2", u)
	}
	steps := []struct{ to, want string }{{jo, "j1"}, {jo, "j2"}, {ana, "a1"}}
	for _, s := range steps {
		m, err := srv.NextMessage(ctx, s.to)
		if err != nil || m.Body != s.want {
			t.Fatalf("NextMessage(%s) = %q, %v; want %q", s.to, m.Body, err, s.want)
		}
	}
	if u := srv.Unread(jo); len(u) != 0 {
		t.Errorf("Unread(jo) after reading = %+v, want none", u)
	}
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("Messages has %d, want all 3 whatever was read", n)
	}
}

func TestSubscribe(t *testing.T) {
	srv := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken, Clock: clocktest.New(simStart).Now})
	defer srv.Close()
	rc := restClient(srv, accountSID, authToken)

	ch, unsubscribe := srv.Subscribe()
	later, _ := srv.Subscribe()
	for _, body := range []string{"one", "two"} {
		if _, err := send(rc, program, jo, body); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	for _, want := range []string{"one", "two"} {
		select {
		case m := <-ch:
			if m.Body != want {
				t.Errorf("got %q, want %q", m.Body, want)
			}
		case <-time.After(time.Second):
			t.Fatalf("no %q on the channel", want)
		}
	}
	unsubscribe()
	unsubscribe()
	if _, ok := <-ch; ok {
		t.Error("channel still open after unsubscribe")
	}

	srv.Close()
	n := 0
	for range later {
		n++
	}
	if n != 2 {
		t.Errorf("second subscriber got %d messages before Close ended it, want 2", n)
	}
	if _, err := srv.NextMessage(context.Background(), ana); !errors.Is(err, twiliosim.ErrClosed) {
		t.Errorf("NextMessage after Close: err = %v, want ErrClosed", err)
	}
}

func TestSubscribeDropsOldestWhenFull(t *testing.T) {
	srv := newServer(t)
	rc := restClient(srv, accountSID, authToken)
	ch, unsubscribe := srv.Subscribe()
	defer unsubscribe()

	const sent = 300 // more than the channel holds
	for i := range sent {
		if _, err := send(rc, program, jo, "text"); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	all := srv.Messages()
	first := <-ch
	if first.SID == all[0].SID {
		t.Error("oldest message still queued; want it dropped for newer ones")
	}
	if n := len(ch) + 1; n != 256 {
		t.Errorf("%d queued, want 256", n)
	}
}
