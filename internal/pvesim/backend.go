package pvesim

import (
	"context"
	"math/rand"
	"os"
	"sync"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/pctemu"
)

// Backend is where containers actually run. The default only records state
// after the checks lxc-start makes of the confinement a config names; a
// real-LXC backend can implement it to start containers for real.
type Backend interface {
	// Start starts the container; conf is its current config (pending applied).
	// An *LXCStartError fails the start task like lxc-start failing on PVE.
	Start(ctx context.Context, node string, vmid int, conf *ctconf.Config) error
	// Stop stops it (force: no clean shutdown).
	Stop(ctx context.Context, node string, vmid int, force bool) error
}

// memoryBackend records state only; root is the data directory, which stands
// for the node's file system.
type memoryBackend struct{ root string }

// Start fails like lxc-start does when the config names a seccomp policy file
// that is missing or malformed, or an AppArmor profile that is not loaded.
func (b memoryBackend) Start(_ context.Context, _ string, vmid int, conf *ctconf.Config) error {
	return checkConfinement(b.root, vmid, conf)
}

func (memoryBackend) Stop(context.Context, string, int, bool) error { return nil }

// runState records a running container.
type runState struct {
	node  string
	since time.Time
	pid   int
}

// runningReporter is a Backend that knows whether a container still runs
// (a real one can stop on its own) and its init's PID.
type runningReporter interface {
	running(vmid int) (pid int, ok bool)
}

func (s *Sim) isRunning(vmid int) (*runState, bool) {
	s.runMu.Lock()
	st, ok := s.running[vmid]
	s.runMu.Unlock()
	if r, reports := s.backend.(runningReporter); ok && reports {
		if _, alive := r.running(vmid); !alive {
			s.setRunning(vmid, nil)
			return nil, false
		}
	}
	return st, ok
}

func (s *Sim) setRunning(vmid int, st *runState) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if st == nil {
		if old := s.running[vmid]; old != nil {
			// the init is gone, and its /proc entry with it
			_ = os.RemoveAll(s.procDir(old.pid))
		}
		delete(s.running, vmid)
	} else {
		s.running[vmid] = st
	}
	// what PVE's check_running reads (pct exec/push/pull on the node)
	ids := make([]int, 0, len(s.running))
	for id := range s.running {
		ids = append(ids, id)
	}
	if err := pctemu.WriteRunning(s.dataDir, ids); err != nil {
		s.logf("pvesim: %v", err)
	}
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
