package pvesim

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"path"
	"strings"
	"sync"
	"time"
)

// FaultRule injects a fault into matching requests or tasks. Request rules match
// Method (empty = any) and Path, a pattern over the path below /api2/json where
// "*" matches one segment and "**" any number of segments
// (e.g. "/nodes/*/lxc/*/config"). Task rules set Task (a worker type such as
// "vzcreate", "*" for any) and optionally VMID instead of Path.
type FaultRule struct {
	ID     string `json:"id,omitempty"`
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	// Rate is the probability (0..1] that a matching request is faulted; 0 means 1.
	Rate float64 `json:"rate,omitempty"`
	// Status and Message answer the request with a PVE-shaped error (500 puts the
	// message in the status line).
	Status  int    `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Latency is added before the request is handled (Go duration, e.g. "250ms").
	Latency Duration `json:"latency,omitempty"`
	// Reset closes the connection without an answer, before the request
	// is handled; ResetAfter handles it (PVE acts) and then closes the
	// connection without an answer, as a network break after the request
	// reached PVE does: the client cannot know whether it happened.
	Reset      bool `json:"reset,omitempty"`
	ResetAfter bool `json:"reset_after,omitempty"`
	// Task and VMID select workers; TaskError fails the task with that message,
	// TaskWarnings makes it end with "WARNINGS: n".
	Task         string `json:"task,omitempty"`
	VMID         int    `json:"vmid,omitempty"`
	TaskError    string `json:"task_error,omitempty"`
	TaskWarnings int    `json:"task_warnings,omitempty"`
	// Count limits how often the rule fires (0 = unlimited).
	Count int `json:"count,omitempty"`
	fired int
}

// Duration is a time.Duration that reads and writes as a Go duration string.
type Duration time.Duration

// MarshalJSON writes "250ms".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "250ms" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("latency: want a duration string like \"250ms\"")
	}
	*d = Duration(n)
	return nil
}

// Faults holds the fault rules; decisions come from one seeded random source, so
// a sequence of requests is faulted the same way for the same seed.
type Faults struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rules []*FaultRule
	next  int
}

func newFaults(seed int64) *Faults { return &Faults{rng: rand.New(rand.NewSource(seed))} }

// Add installs a rule and returns its id.
func (f *Faults) Add(r FaultRule) (string, error) {
	if r.Path == "" && r.Task == "" {
		return "", fmt.Errorf("a fault rule needs a path or a task")
	}
	if r.Rate < 0 || r.Rate > 1 {
		return "", fmt.Errorf("rate must be within 0..1")
	}
	if r.Path != "" && r.Status == 0 && !r.Reset && !r.ResetAfter && r.Latency == 0 {
		return "", fmt.Errorf("a request fault needs status, reset, reset_after or latency")
	}
	if r.Status != 0 && (r.Status < 400 || r.Status > 599) {
		return "", fmt.Errorf("status must be an HTTP error status (400-599)")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	r.ID = fmt.Sprintf("f%d", f.next)
	f.rules = append(f.rules, &r)
	return r.ID, nil
}

// Clear removes every rule.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// Seed resets the random source.
func (f *Faults) Seed(seed int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rng = rand.New(rand.NewSource(seed))
}

// List returns a copy of the rules.
func (f *Faults) List() []FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultRule, 0, len(f.rules))
	for _, r := range f.rules {
		out = append(out, *r)
	}
	return out
}

// fire decides (under the lock) whether r fires now.
func (f *Faults) fire(r *FaultRule) bool {
	if r.Count > 0 && r.fired >= r.Count {
		return false
	}
	rate := r.Rate
	if rate == 0 {
		rate = 1
	}
	if rate < 1 && f.rng.Float64() >= rate {
		return false
	}
	r.fired++
	return true
}

// requestFault returns the combined effect of the request rules matching this request.
func (f *Faults) requestFault(method, rel string) (latency time.Duration, reset, resetAfter bool, status int, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.Path == "" || (r.Method != "" && !strings.EqualFold(r.Method, method)) || !matchPattern(r.Path, rel) {
			continue
		}
		if !f.fire(r) {
			continue
		}
		latency += time.Duration(r.Latency)
		if r.Reset {
			reset = true
		}
		if r.ResetAfter {
			resetAfter = true
		}
		if r.Status != 0 && status == 0 {
			status, msg = r.Status, r.Message
		}
	}
	return latency, reset, resetAfter, status, msg
}

// taskFault returns an injected error message and warning count for a new task.
func (f *Faults) taskFault(typ, id string) (string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.Task == "" || (r.Task != "*" && r.Task != typ) || (r.VMID != 0 && fmt.Sprint(r.VMID) != id) {
			continue
		}
		if f.fire(r) {
			return r.TaskError, r.TaskWarnings
		}
	}
	return "", 0
}

// matchPattern matches "/a/*/c" and "/a/**" patterns segment-wise.
func matchPattern(pattern, p string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	ss := strings.Split(strings.Trim(p, "/"), "/")
	return matchSegs(ps, ss)
}

func matchSegs(ps, ss []string) bool {
	for len(ps) > 0 {
		if ps[0] == "**" {
			for i := 0; i <= len(ss); i++ {
				if matchSegs(ps[1:], ss[i:]) {
					return true
				}
			}
			return false
		}
		if len(ss) == 0 {
			return false
		}
		if ok, _ := path.Match(ps[0], ss[0]); !ok {
			return false
		}
		ps, ss = ps[1:], ss[1:]
	}
	return len(ss) == 0
}

// Stats counts requests per "METHOD /path/{template}".
type Stats struct {
	mu     sync.Mutex
	counts map[string]int
}

func (st *Stats) add(key string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.counts == nil {
		st.counts = map[string]int{}
	}
	st.counts[key]++
}

// Snapshot returns a copy of the counters.
func (st *Stats) Snapshot() map[string]int {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[string]int, len(st.counts))
	for k, v := range st.counts {
		out[k] = v
	}
	return out
}

// Reset zeroes the counters.
func (st *Stats) Reset() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.counts = nil
}
