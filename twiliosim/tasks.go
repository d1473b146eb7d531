package twiliosim

import (
	"context"
	"sync"
)

// tasks runs what the simulator does on its own after answering a request,
// such as a delivery callback, so that Close can stop and wait for it.
type tasks struct {
	ctx    context.Context // cancelled by close
	cancel context.CancelFunc

	mu     sync.Mutex // orders run's Add against close's Wait
	closed bool
	wg     sync.WaitGroup
}

func newTasks() *tasks {
	ctx, cancel := context.WithCancel(context.Background())
	return &tasks{ctx: ctx, cancel: cancel}
}

// run starts f in a goroutine with a context that close cancels. After
// close it does nothing: a REST handler still running when the server
// closes has no one left to call back.
func (t *tasks) run(f func(ctx context.Context)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f(t.ctx)
	}()
}

// close cancels running tasks and waits for them to return.
func (t *tasks) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.cancel()
	t.wg.Wait()
}
