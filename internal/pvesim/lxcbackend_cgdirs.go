package pvesim

import (
	"os"
	"path/filepath"
)

// cgroupDirs are the backend's cgroup directories that exist on this host:
// PVE's "lxc" and "lxc.monitor" parents, under the backend's own prefix, in
// every mounted hierarchy (LXC removes a container's own cgroup when it
// stops, not the parents).
func (b *LXCBackend) cgroupDirs() []string {
	var out []string
	roots := []string{"/sys/fs/cgroup"}
	if entries, err := os.ReadDir("/sys/fs/cgroup"); err == nil {
		for _, e := range entries {
			if e.IsDir() {
				roots = append(roots, filepath.Join("/sys/fs/cgroup", e.Name()))
			}
		}
	}
	for _, r := range roots {
		for _, d := range []string{b.prefix, b.prefix + ".monitor"} {
			if fi, err := os.Stat(filepath.Join(r, d)); err == nil && fi.IsDir() {
				out = append(out, filepath.Join(r, d))
			}
		}
	}
	return out
}

// removeCgroupDirs removes the (empty) parents, deepest first.
func (b *LXCBackend) removeCgroupDirs() {
	for _, d := range b.cgroupDirs() {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if e.IsDir() {
				_ = os.Remove(filepath.Join(d, e.Name())) // a stopped container's leftover, if any
			}
		}
		_ = os.Remove(d)
	}
}

// Leftovers are what the backend left on this host: container directories
// in its LXC path and cgroup directories. After every container stopped and
// Close, there are none; tests check that.
func (b *LXCBackend) Leftovers() []string {
	out := b.cgroupDirs()
	if entries, err := os.ReadDir(b.path); err == nil {
		for _, e := range entries {
			out = append(out, filepath.Join(b.path, e.Name()))
		}
	} else if !os.IsNotExist(err) {
		out = append(out, b.path+": "+err.Error())
	}
	return out
}
