package pvesim

import (
	"context"
	"math/rand"
	"sync"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

// Backend is where containers actually run. The default only records state; a
// real-LXC backend can implement it to start containers for real.
type Backend interface {
	// Start starts the container; conf is its current config (pending applied).
	Start(ctx context.Context, node string, vmid int, conf *ctconf.Config) error
	// Stop stops it (force: no clean shutdown).
	Stop(ctx context.Context, node string, vmid int, force bool) error
}

type memoryBackend struct{}

func (memoryBackend) Start(context.Context, string, int, *ctconf.Config) error { return nil }
func (memoryBackend) Stop(context.Context, string, int, bool) error            { return nil }

// runState records a running container.
type runState struct {
	node  string
	since time.Time
	pid   int
}

func (s *Sim) isRunning(vmid int) (*runState, bool) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	st, ok := s.running[vmid]
	return st, ok
}

func (s *Sim) setRunning(vmid int, st *runState) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if st == nil {
		delete(s.running, vmid)
		return
	}
	s.running[vmid] = st
}

type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed int64) *lockedRand { return &lockedRand{r: rand.New(rand.NewSource(seed))} }

func (l *lockedRand) bytes(n int) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := make([]byte, n)
	l.r.Read(b)
	return b
}
