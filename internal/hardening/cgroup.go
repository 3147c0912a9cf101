package hardening

import (
	"fmt"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/cgroupmode"
)

// CgroupProblems are the container's resource limits that node, with the
// given cgroup layout, would silently ignore: PVE 9 writes memory, swap and
// CPU limits as lxc.cgroup2.* keys (update_lxc_config) and the provider
// writes pids_max as lxc.cgroup2.pids.max, and LXC applies lxc.cgroup2.*
// only on a unified (cgroup v2) hierarchy; on a legacy or hybrid one it
// starts the container without them. A limit the config shows and the
// kernel ignores is worse than an error, so each is one. An unknown layout
// (the node's mountinfo names no cgroup file system) gives none.
func CgroupProblems(s Spec, node string, layout cgroupmode.Layout) []Problem {
	if layout == cgroupmode.Unified || layout == cgroupmode.Unknown {
		return nil
	}
	detail := func(what string) string {
		return fmt.Sprintf("Node %q has a %s cgroup hierarchy (cgroup v1 controllers under /sys/fs/cgroup, read from its /proc/self/mountinfo through "+
			"the node channel). "+
			"LXC applies lxc.cgroup2.* limits only on a unified (cgroup v2) hierarchy; on this node it starts the container without %s and logs nothing but "+
			"\"Ignoring cgroup2 limits on legacy cgroup system\": the configuration would show a limit the kernel does not enforce. "+
			"Boot the node with the unified hierarchy (the default since PVE 7: remove systemd.unified_cgroup_hierarchy=0 from the kernel command line), "+
			"or place the container on a node that has it.", node, layout, what)
	}
	summary := "Limit ignored on node " + node + " (" + string(layout) + " cgroup hierarchy)"
	var ps []Problem
	add := func(path []any, what string) {
		ps = append(ps, Problem{Path: path, Summary: summary, Detail: detail(what)})
	}
	if s.MemoryMiB > 0 {
		add([]any{"memory"}, fmt.Sprintf("its memory limit (memory = %d, lxc.cgroup2.memory.max)", s.MemoryMiB))
	}
	if s.PidsMax > 0 {
		add([]any{"pids_max"}, fmt.Sprintf("its process limit (pids_max = %d, lxc.cgroup2.pids.max)", s.PidsMax))
	}
	if s.CPULimit > 0 {
		add([]any{"cpu_limit"}, fmt.Sprintf("its CPU time limit (cpu_limit = %g, lxc.cgroup2.cpu.max)", s.CPULimit))
	}
	for i, l := range s.RawLXC {
		if strings.HasPrefix(l.Key, "lxc.cgroup2.") {
			add([]any{"raw_lxc", i}, fmt.Sprintf("the raw line %s: %s", l.Key, l.Value))
		}
	}
	return ps
}
