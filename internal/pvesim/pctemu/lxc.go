package pctemu

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LXCConf is LXC's system configuration on the node (lxc.conf(5)): its
// lxc.lxcpath names where the lxc-* tools, and so PVE's pct through
// lxc-attach, find the containers. The simulator's real-LXC backend
// writes it (under the node root) with the backend's LXC path; with it,
// pct acts on the real running container instead of the directory view.
const LXCConf = "etc/lxc/lxc.conf"

// WriteLXCConf records lxcpath as the node's LXC path ("" removes it).
func WriteLXCConf(root, lxcpath string) error {
	p := filepath.Join(root, LXCConf)
	if lxcpath == "" {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte("lxc.lxcpath = "+lxcpath+"\n"), 0o644) //nolint:gosec // world-readable like /etc/lxc/lxc.conf
}

// lxcPath is the node's LXC path when container vmid runs in real LXC
// there (lxc.conf names a path holding the container's config).
func lxcPath(root string, vmid int) string {
	f, err := os.Open(filepath.Join(root, LXCConf))
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), "=")
		if !ok || strings.TrimSpace(k) != "lxc.lxcpath" {
			continue
		}
		p := strings.TrimSpace(v)
		if _, err := os.Stat(filepath.Join(p, strconv.Itoa(vmid), "config")); err == nil {
			return p
		}
	}
	return ""
}

// strerror is errno's text as Perl's $! (glibc's strerror) shows it.
func strerror(err error) string {
	if pe, ok := err.(*os.PathError); ok { //nolint:errorlint // only the errno text is shown
		err = pe.Err
	}
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// idMap is one line of /proc/<pid>/uid_map or gid_map.
type idMap struct{ inside, outside, count int }

// parseIDMap reads a uid_map/gid_map file's lines.
func parseIDMap(data string) []idMap {
	var out []idMap
	for _, l := range strings.Split(data, "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		in, e1 := strconv.Atoi(f[0])
		o, e2 := strconv.Atoi(f[1])
		n, e3 := strconv.Atoi(f[2])
		if e1 == nil && e2 == nil && e3 == nil {
			out = append(out, idMap{in, o, n})
		}
	}
	return out
}

// hostID maps a container id to the host's through the container's map.
func hostID(m []idMap, id int) (int, error) {
	for _, e := range m {
		if id >= e.inside && id < e.inside+e.count {
			return e.outside + id - e.inside, nil
		}
	}
	return 0, fmt.Errorf("id %d is not mapped in the container", id)
}

// lookupID is getpwnam/getgrnam against the container's passwd or group
// file: a decimal number is taken as is.
func lookupID(file []byte, name string) (int, bool) {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		return n, true
	}
	for _, l := range strings.Split(string(file), "\n") {
		f := strings.Split(l, ":")
		if len(f) >= 3 && f[0] == name {
			if n, err := strconv.Atoi(f[2]); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}
