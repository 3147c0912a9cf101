package pctemu

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// What pct does with a container that runs in real LXC (pve-container
// src/PVE/CLI/pct.pm): exec is lxc-attach with the caller's environment
// (--keep-env, PVE's default) or a clean one; push and pull open the
// path inside the running container's mount namespace, so that a symlink
// there never leads outside it. PVE enters the namespace with setns(2),
// which a Go program (threads) cannot do: these open the path under
// /proc/<pid>/root with openat2(RESOLVE_IN_ROOT), the same view, with
// absolute symlinks and ".." kept inside the container's root. push
// creates the file as the container's root (owned by its mapped uid and
// gid: /proc/<pid>/uid_map and gid_map) and maps --user/--group, names
// looked up in the container's /etc/passwd and /etc/group, through the
// same maps; pull, like PVE, enters only the mount namespace.

// execLXC is `lxc-attach -n <vmid> --keep-env|--clear-env -- argv`.
func (c cmd) execLXC(lxcpath string, keepEnv bool, argv []string) int {
	args := []string{"-n", strconv.Itoa(c.vmid), "-P", lxcpath, "--clear-env"}
	if keepEnv {
		args[len(args)-1] = "--keep-env"
	}
	x := exec.Command("lxc-attach", append(append(args, "--"), argv...)...)
	x.Stdin, x.Stdout, x.Stderr = c.stdin, c.stdout, c.stderr
	// clean_environment: the Rust libraries' SSL variables stay outside
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SSL_CERT_FILE=") && !strings.HasPrefix(kv, "SSL_CERT_DIR=") {
			x.Env = append(x.Env, kv)
		}
	}
	err := x.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	_, _ = fmt.Fprintf(c.stderr, "exec lxc-attach: %v\n", err)
	return 255
}

// lxcPID is find_lxc_pid: the container's init on the host.
func (c cmd) lxcPID(lxcpath string) (int, error) {
	out, err := exec.Command("lxc-info", "-n", strconv.Itoa(c.vmid), "-P", lxcpath, "-p", "-H").Output()
	if err != nil {
		return 0, fmt.Errorf("failed to get PID of container %d: %w", c.vmid, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("failed to get PID of container %d", c.vmid)
	}
	return pid, nil
}

// ctRoot is the running container's root directory (an O_PATH fd).
type ctRoot struct {
	fd  int
	pid int
}

func openCTRoot(pid int) (ctRoot, error) {
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/root", pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return ctRoot{}, errors.New("failed to open the container's mount namespace")
	}
	return ctRoot{fd: fd, pid: pid}, nil
}

func (r ctRoot) close() { _ = unix.Close(r.fd) }

// open opens p as the container sees it.
func (r ctRoot) open(p string, flags int) (*os.File, error) {
	fd, err := unix.Openat2(r.fd, p, &unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Mode: 0, //nolint:gosec // G115: open flags are small positive ints
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS})
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	return os.NewFile(uintptr(fd), p), nil //nolint:gosec // G115: an fd
}

func (r ctRoot) read(p string) []byte {
	f, err := r.open(p, unix.O_RDONLY)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	return b
}

func (r ctRoot) idMaps() (uids, gids []idMap, err error) {
	u, err := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", r.pid))
	if err != nil {
		return nil, nil, err
	}
	g, err := os.ReadFile(fmt.Sprintf("/proc/%d/gid_map", r.pid))
	if err != nil {
		return nil, nil, err
	}
	return parseIDMap(string(u)), parseIDMap(string(g)), nil
}

// owner is create_file's chown target inside the container, mapped to the
// host: the user and group named (or numbers); -1 keeps the file's.
func (r ctRoot) owner(user, group string, uids, gids []idMap) (uid, gid int, err error) {
	uid, gid = -1, -1
	if user != "" {
		n, ok := lookupID(r.read("/etc/passwd"), user)
		if !ok {
			return 0, 0, fmt.Errorf("failed to get uid for: %s", user)
		}
		if uid, err = hostID(uids, n); err != nil {
			return 0, 0, fmt.Errorf("failed to change file owner: %w", err)
		}
	}
	if group != "" {
		n, ok := lookupID(r.read("/etc/group"), group)
		if !ok {
			return 0, 0, fmt.Errorf("failed to get gid for: %s", group)
		}
		if gid, err = hostID(gids, n); err != nil {
			return 0, 0, fmt.Errorf("failed to change file owner: %w", err)
		}
	}
	return uid, gid, nil
}

// createIn is create_file run as the container's root: a new file is
// created with mode 0 and owned by the container's root, an existing one
// truncated; then perms (default 0666 & ~022 for a new file) and owner.
func (r ctRoot) createIn(dest string, perms *os.FileMode, uid, gid int, uids, gids []idMap) (*os.File, error) {
	f, err := r.open(dest, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL)
	if err == nil {
		if perms == nil {
			m := os.FileMode(0o644)
			perms = &m
		}
		ru, e1 := hostID(uids, 0)
		rg, e2 := hostID(gids, 0)
		if e1 == nil && e2 == nil {
			err = f.Chown(ru, rg)
		}
	} else if f, err = r.open(dest, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC); err != nil {
		return nil, fmt.Errorf("failed to create file: %s: %s", dest, strerror(err))
	}
	if err == nil && perms != nil {
		err = f.Chmod(*perms)
	}
	if err == nil && (uid >= 0 || gid >= 0) {
		if err = f.Chown(uid, gid); err != nil {
			err = fmt.Errorf("failed to change file owner: %s", strerror(err))
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// pushLXC is pct push into a running real container.
func (c cmd) pushLXC(lxcpath, file, dest string, perms *os.FileMode, user, group string) error {
	pid, err := c.lxcPID(lxcpath)
	if err != nil {
		return err
	}
	src, err := os.Open(c.hostPath(file))
	if err != nil {
		return fmt.Errorf("failed to open %s for reading", file)
	}
	defer src.Close()
	root, err := openCTRoot(pid)
	if err != nil {
		return err
	}
	defer root.close()
	uids, gids, err := root.idMaps()
	if err != nil {
		return fmt.Errorf("failed to enter the container's user namespace: %w", err)
	}
	uid, gid, err := root.owner(user, group, uids, gids)
	if err != nil {
		return err
	}
	dst, err := root.createIn(dest, perms, uid, gid, uids, gids)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("failed to write %s: %s", dest, strerror(err))
	}
	return dst.Close()
}

// pullLXC is pct pull from a running real container: the destination is
// created on the node first, then the path opened in the container.
func (c cmd) pullLXC(lxcpath, path, dest string) error {
	pid, err := c.lxcPID(lxcpath)
	if err != nil {
		return err
	}
	hp := c.hostPath(dest)
	if err := os.MkdirAll(filepath.Dir(hp), 0o755); err != nil {
		return fmt.Errorf("failed to create file: %s: %s", dest, strerror(err))
	}
	out, err := os.OpenFile(hp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644) //nolint:gosec // a node path under the node root, as pct writes it
	if err != nil {
		return fmt.Errorf("failed to create file: %s: %s", dest, strerror(err))
	}
	defer out.Close()
	root, err := openCTRoot(pid)
	if err != nil {
		return err
	}
	defer root.close()
	in, err := root.open(path, unix.O_RDONLY)
	if err != nil {
		return fmt.Errorf("failed to open %s: %s", path, strerror(err))
	}
	defer in.Close()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("failed to read %s: %s", path, strerror(err))
	}
	return nil
}
