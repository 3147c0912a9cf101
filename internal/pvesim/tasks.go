package pvesim

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Timing holds how long simulated workers run before they finish.
type Timing struct {
	Create, Destroy, Start, Stop, Shutdown, Reboot time.Duration
}

// DefaultTiming is close to a small real PVE node.
func DefaultTiming() Timing {
	return Timing{Create: 300 * time.Millisecond, Destroy: 150 * time.Millisecond, Start: 150 * time.Millisecond,
		Stop: 100 * time.Millisecond, Shutdown: 200 * time.Millisecond, Reboot: 250 * time.Millisecond}
}

// FastTiming keeps tasks observable as "running" for a moment but fast enough for tests.
func FastTiming() Timing {
	return Timing{Create: 5 * time.Millisecond, Destroy: 2 * time.Millisecond, Start: 2 * time.Millisecond,
		Stop: 2 * time.Millisecond, Shutdown: 2 * time.Millisecond, Reboot: 2 * time.Millisecond}
}

// RealisticTiming is what a real PVE 9 node with SSD-backed LVM-thin storage
// takes (the bench's realistic mode, for the floor an apply cannot beat).
// The figures are assumptions from typical task logs, not measurements of
// ours: a create from a Debian 12 standard template (~120 MB zstd, ~500 MB
// unpacked: tar into a fresh thin volume, then setup) takes 5-15 s, 8 s here;
// a start (lxc-start, hooks, network) 1-2 s; a hard stop about 1 s; a clean
// shutdown a few seconds (init must exit); a destroy (volume removal, config
// and firewall cleanup) 1-2 s.
func RealisticTiming() Timing {
	return Timing{Create: 8 * time.Second, Destroy: 1500 * time.Millisecond, Start: 1500 * time.Millisecond,
		Stop: time.Second, Shutdown: 4 * time.Second, Reboot: 5 * time.Second}
}

// task is one worker (PVE fork_worker).
type task struct {
	mu        sync.Mutex
	upid      string
	node      string
	pid       int
	pstart    int
	starttime int64
	typ       string
	id        string
	user      string
	done      bool
	exit      string
	log       []string
	warnings  int
	endtime   int64
}

// worker is what a task does; it logs through t and returns an error to fail the task.
type worker func(t *task) error

func (t *task) logf(format string, a ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.log = append(t.log, fmt.Sprintf(format, a...))
}

// warn logs a warning that makes the task end with "WARNINGS: n" (PVE log_warn).
func (t *task) warn(format string, a ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.warnings++
	t.log = append(t.log, "WARN: "+fmt.Sprintf(format, a...))
}

type taskRegistry struct {
	mu      sync.Mutex
	tasks   map[string]*task
	nextPID int
	// busy counts running workers and API requests being served (a request
	// may start a worker); idle is signalled when it drops to zero. A plain
	// WaitGroup cannot be waited on while requests keep arriving.
	busy int
	idle sync.Cond
	// taskTime sums the durations of every task started
	taskTime time.Duration
}

// enter marks one unit of work (a request or a worker) as started.
func (r *taskRegistry) enter() {
	r.mu.Lock()
	r.busy++
	r.mu.Unlock()
}

// leave marks one unit of work as ended.
func (r *taskRegistry) leave() {
	r.mu.Lock()
	r.busy--
	if r.busy == 0 && r.idle.L != nil {
		r.idle.Broadcast()
	}
	r.mu.Unlock()
}

// wait blocks until no request is being served and no worker runs.
func (r *taskRegistry) wait() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idle.L == nil {
		r.idle.L = &r.mu
	}
	for r.busy > 0 {
		r.idle.Wait()
	}
}

// UPID formats PVE's task id: UPID:<node>:<pid %08X>:<pstart %08X>:<starttime %08X>:<type>:<id>:<user>:
func UPID(node string, pid, pstart int, starttime int64, typ, id, user string) string {
	return fmt.Sprintf("UPID:%s:%08X:%08X:%08X:%s:%s:%s:", node, pid, pstart, starttime, typ, id, user)
}

// startTask forks a worker: the task is "running" for d, then runs fn and stops.
// A fault rule may force the task to fail (fn is then not run, undo is) or to end
// with warnings.
func (s *Sim) startTask(node, typ, id, user string, d time.Duration, fn worker, undo func()) string {
	r := &s.tasks
	r.mu.Lock()
	r.nextPID++
	now := time.Now()
	t := &task{node: node, pid: r.nextPID, pstart: 1000000 + r.nextPID, starttime: now.Unix(), typ: typ, id: id, user: user}
	t.upid = UPID(node, t.pid, t.pstart, t.starttime, typ, id, user)
	r.tasks[t.upid] = t
	r.taskTime += d
	r.mu.Unlock()

	failMsg, warnCount := s.faults.taskFault(typ, id)
	r.enter()
	go func() {
		defer r.leave()
		select {
		case <-time.After(d):
		case <-s.stopping:
		}
		var err error
		if failMsg != "" {
			err = fmt.Errorf("%s", failMsg)
			if undo != nil {
				undo()
			}
		} else if fn != nil {
			err = fn(t)
		}
		for i := 0; i < warnCount; i++ {
			t.warn("injected warning %d", i+1)
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		t.done = true
		t.endtime = time.Now().Unix()
		switch {
		case err != nil:
			msg := strings.TrimSuffix(err.Error(), "\n")
			t.log = append(t.log, "TASK ERROR: "+msg)
			t.exit = msg
		case t.warnings > 0:
			t.log = append(t.log, fmt.Sprintf("TASK WARNINGS: %d", t.warnings))
			t.exit = fmt.Sprintf("WARNINGS: %d", t.warnings)
		default:
			t.log = append(t.log, "TASK OK")
			t.exit = "OK"
		}
	}()
	return t.upid
}

func (s *Sim) findTask(upid string) *task {
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	return s.tasks.tasks[upid]
}

// WaitTasks blocks until the simulator is idle: no API request is being
// served (a client that was killed may have sent requests still in
// progress, e.g. under injected latency) and every started worker has
// finished (for tests).
func (s *Sim) WaitTasks() { s.tasks.wait() }

// TaskTime is the sum of the durations of every task started so far: the
// work an apply waits for (divided by the client's parallelism, the floor of
// its wall time).
func (s *Sim) TaskTime() time.Duration {
	s.tasks.mu.Lock()
	defer s.tasks.mu.Unlock()
	return s.tasks.taskTime
}

// taskStatus is read_task_status's answer.
func (t *task) status() map[string]any {
	t.mu.Lock()
	defer t.mu.Unlock()
	res := map[string]any{
		"upid": t.upid, "node": t.node, "pid": t.pid, "pstart": t.pstart, "starttime": t.starttime,
		"type": t.typ, "id": t.id, "user": t.user, "status": "running",
	}
	if user, token, ok := strings.Cut(t.user, "!"); ok {
		res["user"] = user
		res["tokenid"] = token
	}
	if t.done {
		res["status"] = "stopped"
		res["exitstatus"] = t.exit
	}
	return res
}

// logLines returns the task log page [start, start+limit) as PVE's {n, t} list and the total.
func (t *task) logLines(start, limit int) ([]map[string]any, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	total := len(t.log)
	out := []map[string]any{}
	if limit <= 0 {
		limit = 50
	}
	for i := start; i < total && len(out) < limit; i++ {
		out = append(out, map[string]any{"n": i + 1, "t": t.log[i]})
	}
	if total == 0 && !t.done {
		out = append(out, map[string]any{"n": 1, "t": "no content"})
		total = 1
	}
	return out, total
}
