package pvesim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/cgroupmode"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/pctemu"
)

// LXCOptions turn on the real-LXC backend (Options.LXC): start runs every
// container for real, unprivileged when its config says so, with LXC on
// this machine. See "Real-LXC backend" in README.md.
type LXCOptions struct {
	// Path is the LXC path (lxc-start -P) the containers live in. Empty: a
	// new directory under the system's temporary directory, removed when
	// the simulator stops.
	Path string
	// Files are copied into every container's root file system before it
	// starts: path inside the container -> file on this host (e.g. a test's
	// static probe). They are the "template", never the provider's doing.
	Files map[string]string
	// OpenSSH installs this host's real OpenSSH server (openssh-server)
	// in the root file system of every container whose template ships it
	// (Debian, Ubuntu), started at boot: see lxcbackend_openssh.go.
	OpenSSH bool
}

// LXCBackend runs containers with real LXC (lxc-start -F, one per
// container). It implements Backend plus the status and cleanup hooks the
// simulator looks for (running, close).
type LXCBackend struct {
	root, path string
	ownPath    bool
	files      map[string]string
	openssh    bool
	prefix     string
	hybrid     bool
	memsw      bool
	logf       func(string, ...any)

	mu    sync.Mutex
	procs map[int]*lxcProc
}

type lxcProc struct {
	node string
	pid  int
	cmd  *exec.Cmd
	done chan struct{}
}

// lxcBackends numbers the backends of this process (their cgroup prefix).
var lxcBackends atomic.Int64

// newLXCBackend checks that LXC can run here and prepares the LXC path.
func newLXCBackend(root string, o LXCOptions, logf func(string, ...any)) (*LXCBackend, error) {
	if runtime.GOOS != "linux" {
		return nil, errors.New("pvesim: the real-LXC backend needs Linux")
	}
	for _, tool := range []string{"lxc-start", "lxc-stop", "lxc-info", "lxc-attach", "busybox"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("pvesim: the real-LXC backend needs %s (apt-get install lxc busybox-static)", tool)
		}
	}
	b := &LXCBackend{root: root, path: o.Path, files: o.Files, openssh: o.OpenSSH, logf: logf, procs: map[int]*lxcProc{},
		prefix: fmt.Sprintf("pvesim-%d-%d", os.Getpid(), lxcBackends.Add(1))}
	if b.path == "" {
		d, err := os.MkdirTemp("", "pvesim-lxc-")
		if err != nil {
			return nil, err
		}
		b.path, b.ownPath = d, true
	}
	// the containers' mapped root (host uid 100000) must reach its rootfs
	if err := os.MkdirAll(b.path, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(b.path, 0o755); err != nil {
		return nil, err
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	b.hybrid = cgroupmode.FromMountinfo(mi) != cgroupmode.Unified
	_, err = os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
	b.memsw = err == nil
	// pct on the node finds the real containers through LXC's lxc.conf
	if err := pctemu.WriteLXCConf(root, b.path); err != nil {
		return nil, err
	}
	return b, nil
}

// LXC is the real-LXC backend, or nil when the simulator has none.
func (s *Sim) LXC() *LXCBackend {
	b, _ := s.backend.(*LXCBackend)
	return b
}

// Path is the LXC path (for lxc-attach -P).
func (b *LXCBackend) Path() string { return b.path }

// Hybrid reports whether this host has cgroup v1 controllers, so that the
// backend writes cgroup limits in their v1 form.
func (b *LXCBackend) Hybrid() bool { return b.hybrid }

// Start translates the config like update_lxc_config, builds a busybox
// root file system and starts the container; it returns once LXC reports it
// RUNNING, or an *LXCStartError with LXC's log when it does not start.
func (b *LXCBackend) Start(ctx context.Context, node string, vmid int, conf *ctconf.Config) error {
	if err := checkConfinement(b.root, vmid, conf); err != nil {
		return err // what the kernel here cannot check (AppArmor) fails like on PVE
	}
	name := strconv.Itoa(vmid)
	dir := filepath.Join(b.path, name)
	_ = b.run(10*time.Second, "lxc-stop", "-k", "-n", name, "-P", b.path)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	t := translate(translateInput{VMID: vmid, Conf: conf.Main, Dir: dir, Root: b.root, CgroupPrefix: b.prefix,
		Hybrid: b.hybrid, MemswAccounting: b.memsw, CPUs: runtime.NumCPU(), NofileMax: nofileHardLimit()})
	for _, n := range t.Notes {
		b.log("CT %d: %s", vmid, n)
	}
	if err := b.prepare(dir, t, b.openssh && b.templateShipsSSH(vmid)); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	out, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command("lxc-start", "-n", name, "-P", b.path, "-F", "-o", filepath.Join(dir, "lxc.log"), "-l", "WARN")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &lxcProc{node: node, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	if err := b.waitRunning(ctx, name, p); err != nil {
		_ = b.run(10*time.Second, "lxc-stop", "-k", "-n", name, "-P", b.path)
		<-p.done
		lines := logLines(filepath.Join(dir, "lxc.log"), filepath.Join(dir, "console.log"))
		_ = os.RemoveAll(dir)
		return &LXCStartError{Lines: append(lines, err.Error())}
	}
	b.mu.Lock()
	b.procs[vmid] = p
	b.mu.Unlock()
	return nil
}

// waitRunning polls lxc-info until the container runs (and records its
// init's PID), lxc-start exits, or 30 s pass.
func (b *LXCBackend) waitRunning(ctx context.Context, name string, p *lxcProc) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return errors.New("lxc-start exited before the container ran")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		out, err := b.output(5*time.Second, "lxc-info", "-n", name, "-P", b.path, "-s", "-p")
		if err != nil {
			continue
		}
		state, pid := "", 0
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			switch {
			case len(f) == 2 && f[0] == "State:":
				state = f[1]
			case len(f) == 2 && f[0] == "PID:":
				pid, _ = strconv.Atoi(f[1])
			}
		}
		if state == "RUNNING" && pid > 0 {
			p.pid = pid
			return nil
		}
	}
	return errors.New("the container did not reach RUNNING within 30 s")
}

// Stop stops the container (force: lxc-stop -k; else a clean halt, SIGPWR to
// init, killed after 10 s) and removes it with its root file system.
func (b *LXCBackend) Stop(_ context.Context, _ string, vmid int, force bool) error {
	b.mu.Lock()
	p := b.procs[vmid]
	delete(b.procs, vmid)
	b.mu.Unlock()
	name := strconv.Itoa(vmid)
	args := []string{"-n", name, "-P", b.path, "-t", "10"}
	if force {
		args = []string{"-k", "-n", name, "-P", b.path}
	}
	if p != nil {
		_ = b.run(20*time.Second, "lxc-stop", args...)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	return os.RemoveAll(filepath.Join(b.path, name))
}

// running reports whether the container's lxc-start still runs, and its
// init's PID: the status the API shows is the real one.
func (b *LXCBackend) running(vmid int) (int, bool) {
	b.mu.Lock()
	p := b.procs[vmid]
	b.mu.Unlock()
	if p == nil {
		return 0, false
	}
	select {
	case <-p.done:
		return 0, false
	default:
		return p.pid, true
	}
}

// Close stops every container and removes the LXC path the backend made.
func (b *LXCBackend) Close() error {
	b.mu.Lock()
	var ids []int
	for id := range b.procs {
		ids = append(ids, id)
	}
	b.mu.Unlock()
	for _, id := range ids {
		_ = b.Stop(context.Background(), "", id, true)
	}
	b.removeCgroupDirs()
	_ = pctemu.WriteLXCConf(b.root, "")
	if b.ownPath {
		return os.RemoveAll(b.path)
	}
	return nil
}

func (b *LXCBackend) log(format string, a ...any) {
	if b.logf != nil {
		b.logf("lxc backend: "+format, a...)
	}
}

func (b *LXCBackend) run(timeout time.Duration, name string, args ...string) error {
	_, err := b.output(timeout, name, args...)
	return err
}

func (b *LXCBackend) output(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// logLines are the last lines of LXC's log and the console, for the task log.
func logLines(files ...string) []string {
	var out []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) > 15 {
			lines = lines[len(lines)-15:]
		}
		for _, l := range lines {
			if l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}
