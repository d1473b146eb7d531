package inbox

import (
	"context"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/redistest"
)

// A claim is known by its token. When Redis stalls, a client may send the
// claim's SET NX twice and Redis run both: the first sets the key (its
// answer lost to the timeout), the second finds it taken. That "taken" is
// the request's own claim, and the text must be handled, not ignored as a
// retry; a claim by another request is refused once waited on, and a
// lapsed or released one is taken.
func TestClaimKnowsItsOwn(t *testing.T) {
	defer func(w time.Duration) { claimWait = w }(claimWait)
	claimWait = 300 * time.Millisecond
	rdb, _ := redistest.Start(t)
	in := &Inbox{Redis: rdb}
	ctx := context.Background()
	const sid = "SM00000000000000000000000000000001"
	// The first copy of our SET NX ran; we never saw its answer.
	if err := rdb.Set(ctx, inboundKey(sid), pending+"ours", claimLease).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, err := in.claim(ctx, sid, pending+"ours"); err != nil || !ok {
		t.Errorf("our own resent claim: %v %v, want ours", ok, err)
	}
	if ok, err := in.claim(ctx, sid, pending+"theirs"); err != nil || ok {
		t.Errorf("another request's claim: %v %v, want refused", ok, err)
	}
	if ttl := rdb.TTL(ctx, inboundKey(sid)).Val(); ttl <= 0 || ttl > claimLease {
		t.Errorf("a pending claim lives %v, want at most %v", ttl, claimLease)
	}
	// Released only by its owner.
	release.Run(ctx, rdb, []string{inboundKey(sid)}, pending+"theirs")
	if n := rdb.Exists(ctx, inboundKey(sid)).Val(); n != 1 {
		t.Error("another request released our claim")
	}
	release.Run(ctx, rdb, []string{inboundKey(sid)}, pending+"ours")
	if ok, err := in.claim(ctx, sid, pending+"next"); err != nil || !ok {
		t.Errorf("after release: %v %v, want the next request's", ok, err)
	}
	// A claim released while a retry waits on it is the retry's.
	go func() {
		time.Sleep(100 * time.Millisecond)
		release.Run(ctx, rdb, []string{inboundKey(sid)}, pending+"next")
	}()
	if ok, err := in.claim(ctx, sid, pending+"waiting"); err != nil || !ok {
		t.Errorf("released while waited on: %v %v, want the waiting request's", ok, err)
	}
	// A text handled is refused at once.
	rdb.Set(ctx, inboundKey(sid), "done", time.Hour)
	if ok, err := in.claim(ctx, sid, pending+"late"); err != nil || ok {
		t.Errorf("a handled text: %v %v, want refused", ok, err)
	}
}
