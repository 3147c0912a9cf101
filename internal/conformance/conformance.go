// Package conformance proves in a real kernel what the provider's
// configuration of a container confines: the simulator's real-LXC backend
// starts the container unprivileged from the pct.conf the provider wrote,
// and a static probe (./probe), run with lxc-attach inside it, reports the
// id maps, capability sets, seccomp mode, each denied syscall's errno,
// whether a user namespace can be created, how far a fork loop gets and
// whether an allocation beyond the memory limit is killed. Check turns the
// container's configured settings (from Terraform state) and the probe's
// report into the rows of a reviewer's table: control, configured,
// observed, pass or fail. The acceptance tests and `make proof` use it.
package conformance

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// ProbePath is where the probe lives inside every container.
const ProbePath = "/probe"

// Report is the probe's output: key -> value.
type Report map[string]string

// Int is a numeric value (-1000 when missing or not a number).
func (r Report) Int(k string) int {
	n, err := strconv.Atoi(r[k])
	if err != nil {
		return -1000
	}
	return n
}

// Hex is a hexadecimal value (a capability set).
func (r Report) Hex(k string) (uint64, bool) {
	n, err := strconv.ParseUint(r[k], 16, 64)
	return n, err == nil
}

// Probe runs the probe with args in container vmid (lxc-attach: the
// container's namespaces, capabilities, seccomp filter and cgroup) and
// parses its report.
func Probe(lxcPath string, vmid int, args ...string) (Report, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	argv := append([]string{"-n", strconv.Itoa(vmid), "-P", lxcPath, "--", ProbePath}, args...)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "lxc-attach", argv...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	r := Report{}
	for _, l := range strings.Split(out.String(), "\n") {
		if k, v, ok := strings.Cut(l, " "); ok {
			r[k] = v
		}
	}
	if err != nil {
		return r, out.String(), fmt.Errorf("lxc-attach %s: %w", strings.Join(argv, " "), err)
	}
	return r, out.String(), nil
}

// Observe runs every probe the rows of Check need in container e.VMID.
func Observe(lxcPath string, e Expect) (Report, error) {
	all := Report{}
	runs := [][]string{
		append([]string{"report"}, probeNames(e)...),
		{"forks", strconv.Itoa(forkBound(e))},
		{"alloc", strconv.Itoa(allocMiB(e))},
	}
	for _, args := range runs {
		r, out, err := Probe(lxcPath, e.VMID, args...)
		if err != nil {
			return all, fmt.Errorf("%w\n%s", err, out)
		}
		for k, v := range r {
			all[k] = v
		}
	}
	return all, nil
}

// forkBound is the fork loop's length: past the limit, bounded.
func forkBound(e Expect) int { return min(e.PidsMax+32, 2048) }

// allocMiB exceeds the memory limit by 64 MiB.
func allocMiB(e Expect) int { return e.MemoryMiB + 64 }
