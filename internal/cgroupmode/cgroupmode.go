// Package cgroupmode tells a node's cgroup layout from its
// /proc/self/mountinfo, the way LXC decides it: LXC applies lxc.cgroup2.*
// limits only when /sys/fs/cgroup itself is a cgroup2 file system (a
// "unified" layout, PVE 7 and later); on a legacy or hybrid layout it logs
// "Ignoring cgroup2 limits on legacy cgroup system" and starts the container
// without them (lxc/lxc src/lxc/cgroups/cgfsng.c: cgfsng_setup_limits, and
// the layout detection in cgroup_init, which checks /sys/fs/cgroup's file
// system type).
package cgroupmode

import "strings"

// Layout is a node's cgroup layout.
type Layout string

// Layouts.
const (
	// Unified: /sys/fs/cgroup is cgroup2; lxc.cgroup2.* limits apply.
	Unified Layout = "unified"
	// Hybrid: cgroup v1 controllers under /sys/fs/cgroup plus a cgroup2
	// mount (usually /sys/fs/cgroup/unified); LXC ignores lxc.cgroup2.*.
	Hybrid Layout = "hybrid"
	// Legacy: cgroup v1 only; LXC ignores lxc.cgroup2.*.
	Legacy Layout = "legacy"
	// Unknown: no cgroup file system at /sys/fs/cgroup at all.
	Unknown Layout = "unknown"
)

// MountinfoPath is the file FromMountinfo reads, as a node path.
const MountinfoPath = "/proc/self/mountinfo"

// FromMountinfo is the layout mountinfo (proc(5) format) describes: the
// file system type of the last mount at /sys/fs/cgroup (later mounts hide
// earlier ones), then whether v1 and v2 hierarchies are mounted below it.
func FromMountinfo(mountinfo []byte) Layout {
	top := ""
	v1, v2 := false, false
	for _, line := range strings.Split(string(mountinfo), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 1 {
			continue
		}
		mnt, fstype := unescape(f[4]), g[0]
		switch {
		case mnt == "/sys/fs/cgroup":
			top = fstype
		case strings.HasPrefix(mnt, "/sys/fs/cgroup/") && fstype == "cgroup":
			v1 = true
		case strings.HasPrefix(mnt, "/sys/fs/cgroup/") && fstype == "cgroup2":
			v2 = true
		}
	}
	switch {
	case top == "cgroup2":
		return Unified
	case v1 && v2:
		return Hybrid
	case v1:
		return Legacy
	case top == "cgroup":
		return Legacy
	}
	return Unknown
}

// unescape undoes mountinfo's octal escapes of space, tab, newline and
// backslash.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}
