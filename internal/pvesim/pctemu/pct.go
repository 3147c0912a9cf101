package pctemu

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// LogFile is where every emulated pct command is recorded (under the node
// root), one line each, for tests to see what ran.
const LogFile = "var/log/pvesim/pct.log"

// cmd is one pct invocation.
type cmd struct {
	root           string
	vmid           int
	lxcpath        string // the node's LXC path when the container runs in real LXC
	stdin          io.Reader
	stdout, stderr io.Writer
}

// Main runs `pct <args>` against the node root and returns the exit code.
// It emulates `exec`, `push` and `pull`; other subcommands fail.
func Main(root string, args []string, stdout, stderr io.Writer) int {
	return Run(root, args, nil, stdout, stderr)
}

// Run is Main with the command's standard input (pct exec passes it on).
// A container that runs in real LXC (the simulator's real-LXC backend,
// see LXCConf) is acted on for real: lxc_linux.go.
func Run(root string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	logRun(root, args)
	if len(args) < 2 {
		_, _ = fmt.Fprintln(stderr, "ERROR: no command specified")
		return 255
	}
	vmid, err := strconv.Atoi(args[1])
	if err != nil || vmid < 100 {
		_, _ = fmt.Fprintf(stderr, "400 Parameter verification failed.\nvmid: invalid format - value does not look like a valid VM ID\n")
		return 255
	}
	c := cmd{root: root, vmid: vmid, lxcpath: lxcPath(root, vmid), stdin: stdin, stdout: stdout, stderr: stderr}
	if !c.configExists() {
		_, _ = fmt.Fprintf(stderr, "Configuration file 'nodes/%s/lxc/%d.conf' does not exist\n", localNode(), vmid)
		return 255
	}
	switch args[0] {
	case "exec":
		return c.exec(args[2:])
	case "push":
		return c.push(args[2:])
	case "pull":
		return c.pull(args[2:])
	}
	_, _ = fmt.Fprintf(stderr, "pvesim: pct %s is not emulated (only exec, push, pull)\n", args[0])
	return 255
}

func logRun(root string, args []string) {
	p := filepath.Join(root, LogFile)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644) //nolint:gosec // a simulator log under the data dir
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = fmt.Fprintf(f, "%s pct %s\n", time.Now().UTC().Format(time.RFC3339), strings.Join(args, " "))
}

func localNode() string {
	if n := os.Getenv("PVESIM_NODE"); n != "" {
		return n
	}
	return "localhost"
}

// configExists is load_config: the container's config is on a node of the
// cluster (the simulator's nodes share one host).
func (c cmd) configExists() bool {
	m, _ := filepath.Glob(filepath.Join(c.root, "etc/pve/nodes/*/lxc", strconv.Itoa(c.vmid)+".conf"))
	return len(m) > 0
}

// options splits pct's "--key value" options from positional arguments.
func options(args []string) (pos []string, opts map[string]string) {
	opts = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 && i+1 < len(args) {
			opts[strings.TrimLeft(a, "-")] = args[i+1]
			i++
			continue
		}
		pos = append(pos, a)
	}
	return pos, opts
}

func (c cmd) rootfs() string { return Rootfs(c.root, c.vmid) }

// hostPath is a node path (an argument naming a file on the node) under
// the node root.
func (c cmd) hostPath(p string) string {
	return filepath.Join(c.root, filepath.FromSlash(path.Clean("/"+p)))
}

func (c cmd) push(args []string) int {
	pos, opts := options(args)
	if len(pos) != 2 {
		_, _ = fmt.Fprintln(c.stderr, "400 wrong number of arguments\npct push <vmid> <file> <destination> [OPTIONS]")
		return 255
	}
	if !running(c.root, c.vmid) {
		_, _ = fmt.Fprintln(c.stderr, "can only push files to a running CT")
		return 255
	}
	perms, err := parsePerms(opts)
	if err != nil {
		_, _ = fmt.Fprintln(c.stderr, err)
		return 255
	}
	if c.lxcpath != "" {
		if err := c.pushLXC(c.lxcpath, pos[0], pos[1], perms, opts["user"], opts["group"]); err != nil {
			_, _ = fmt.Fprintln(c.stderr, err)
			return 255
		}
		return 0
	}
	data, err := os.ReadFile(c.hostPath(pos[0]))
	if err != nil {
		_, _ = fmt.Fprintf(c.stderr, "failed to open %s for reading\n", pos[0])
		return 255
	}
	perm := os.FileMode(0o644) // 0666 & ~umask 022
	if perms != nil {
		perm = *perms
	}
	dest, err := resolve(c.rootfs(), pos[1])
	if err != nil {
		_, _ = fmt.Fprintf(c.stderr, "failed to create file: %s: %v\n", pos[1], err)
		return 255
	}
	if err := os.WriteFile(dest, data, perm); err != nil { //nolint:gosec // dest is resolved inside the container's root file system (resolve)
		_, _ = fmt.Fprintf(c.stderr, "failed to create file: %s: %v\n", pos[1], errnoText(err))
		return 255
	}
	if err := os.Chmod(dest, perm); err != nil {
		_, _ = fmt.Fprintf(c.stderr, "failed to chmod: %v\n", err)
		return 255
	}
	return 0
}

func (c cmd) pull(args []string) int {
	pos, _ := options(args)
	if len(pos) != 2 {
		_, _ = fmt.Fprintln(c.stderr, "400 wrong number of arguments\npct pull <vmid> <path> <destination> [OPTIONS]")
		return 255
	}
	if !running(c.root, c.vmid) {
		_, _ = fmt.Fprintln(c.stderr, "can only pull files from a running VM")
		return 255
	}
	if c.lxcpath != "" {
		if err := c.pullLXC(c.lxcpath, pos[0], pos[1]); err != nil {
			_, _ = fmt.Fprintln(c.stderr, err)
			return 255
		}
		return 0
	}
	src, err := resolve(c.rootfs(), pos[0])
	if err == nil {
		var data []byte
		if data, err = os.ReadFile(src); err == nil {
			if err = os.MkdirAll(filepath.Dir(c.hostPath(pos[1])), 0o755); err == nil {
				err = os.WriteFile(c.hostPath(pos[1]), data, 0o600) //nolint:gosec // a node path under the node root, as pct writes it
			}
			if err != nil {
				_, _ = fmt.Fprintf(c.stderr, "failed to create file: %s\n", pos[1])
				return 255
			}
			return 0
		}
	}
	_, _ = fmt.Fprintf(c.stderr, "failed to open %s: %s\n", pos[0], errnoText(err))
	return 255
}

// parsePerms is create_file's mode: pct prefixes a 0 (octal) unless the
// value starts with one, then strtoul(.., 0) reads 0x hex or octal.
func parsePerms(opts map[string]string) (*os.FileMode, error) {
	p, ok := opts["perms"]
	if !ok {
		return nil, nil //nolint:nilnil // no perms given: create_file's default
	}
	v := p
	if !strings.HasPrefix(v, "0") {
		v = "0" + v
	}
	base, digits := 8, v
	if strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0X") {
		base, digits = 16, v[2:]
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if p == "" || err != nil || strings.Contains(digits, "_") || strings.HasPrefix(digits, "+") {
		return nil, fmt.Errorf("invalid mode: '%s'", p)
	}
	m := os.FileMode(n & 0o777)
	for bit, mode := range map[uint64]os.FileMode{0o4000: os.ModeSetuid, 0o2000: os.ModeSetgid, 0o1000: os.ModeSticky} {
		if n&bit != 0 {
			m |= mode
		}
	}
	return &m, nil
}

func errnoText(err error) string {
	if os.IsNotExist(err) {
		return "No such file or directory"
	}
	if pe, ok := err.(*os.PathError); ok { //nolint:errorlint // only the errno text is shown
		return pe.Err.Error()
	}
	return err.Error()
}

// exec is `pct exec <vmid> [--keep-env B] -- <command...>`: lxc-attach runs
// the command in the container; the emulation answers for sshd -T, test,
// cat and systemctl reload/restart/is-active of ssh.
func (c cmd) exec(args []string) int {
	var extra []string
	keepEnv := true // PVE 9's default still
	for i, a := range args {
		if a == "--" {
			extra = args[i+1:]
			_, opts := options(args[:i])
			if v, ok := opts["keep-env"]; ok {
				keepEnv = v == "1" || v == "true" || v == "yes"
			}
			break
		}
	}
	if len(extra) == 0 {
		_, _ = fmt.Fprintln(c.stderr, "missing command")
		return 255
	}
	if !running(c.root, c.vmid) {
		_, _ = fmt.Fprintf(c.stderr, "container '%d' not running!\n", c.vmid)
		return 255
	}
	if c.lxcpath != "" {
		return c.execLXC(c.lxcpath, keepEnv, extra)
	}
	name := path.Base(extra[0])
	if !c.hasExecutable(extra[0]) {
		_, _ = fmt.Fprintf(c.stderr, "lxc-attach: %d: ../src/lxc/attach.c: lxc_attach_run_command: 1841 No such file or directory - "+
			"Failed to exec \"%s\"\n", c.vmid, extra[0])
		return 127
	}
	switch name {
	case "sh":
		return c.sh(extra[1:])
	case "sshd":
		return c.sshd(extra[1:])
	case "test":
		return c.test(extra[1:])
	case "cat":
		return c.cat(extra[1:])
	case "systemctl":
		return c.systemctl(extra[1:])
	case "rm":
		return c.rm(extra[1:])
	}
	_, _ = fmt.Fprintf(c.stderr, "pvesim: pct exec does not emulate %q (only sshd -T/-t, the provider's SSH probe, test, cat, rm -f, systemctl)\n", extra[0])
	return 126
}

// hasExecutable looks the command up in the container like execvp with
// Debian's PATH.
func (c cmd) hasExecutable(name string) bool {
	cands := []string{name}
	if !strings.Contains(name, "/") {
		cands = nil
		for _, d := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
			cands = append(cands, d+"/"+name)
		}
	}
	for _, p := range cands {
		if hp, err := resolve(c.rootfs(), p); err == nil {
			if fi, err := os.Stat(hp); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
				return true
			}
		}
	}
	return false
}

func (c cmd) test(args []string) int {
	if len(args) != 2 {
		return 2
	}
	hp, err := resolve(c.rootfs(), args[1])
	if err != nil {
		return 1
	}
	fi, err := os.Stat(hp)
	if err != nil {
		return 1
	}
	switch args[0] {
	case "-e":
		return 0
	case "-f":
		return boolExit(fi.Mode().IsRegular())
	case "-d":
		return boolExit(fi.IsDir())
	case "-x":
		return boolExit(fi.Mode()&0o111 != 0)
	}
	return 2
}

func boolExit(ok bool) int {
	if ok {
		return 0
	}
	return 1
}

func (c cmd) cat(args []string) int {
	code := 0
	for _, p := range args {
		hp, err := resolve(c.rootfs(), p)
		var data []byte
		if err == nil {
			data, err = os.ReadFile(hp)
		}
		if err != nil {
			_, _ = fmt.Fprintf(c.stderr, "cat: %s: %s\n", p, errnoText(err))
			code = 1
			continue
		}
		_, _ = c.stdout.Write(data)
	}
	return code
}

func (c cmd) systemctl(args []string) int {
	if len(args) != 2 {
		_, _ = fmt.Fprintln(c.stderr, "pvesim: systemctl <reload|restart|is-active> <unit> is emulated")
		return 126
	}
	unit := strings.TrimSuffix(args[1], ".service")
	if unit != "ssh" && unit != "sshd" || !c.hasExecutable("/usr/sbin/sshd") {
		_, _ = fmt.Fprintf(c.stderr, "Failed to %s %s.service: Unit %s.service not found.\n", args[0], unit, unit)
		return 5
	}
	switch args[0] {
	case "reload", "restart", "try-reload-or-restart", "reload-or-restart":
		// sshd re-reads its configuration and refuses a broken one
		if _, errs := sshdconfig.Effective(guestFiles{c.rootfs()}); len(errs) > 0 {
			_, _ = fmt.Fprintf(c.stderr, "Job for %s.service failed because the control process exited with error code.\n", unit)
			return 1
		}
		return 0
	case "is-active":
		_, _ = fmt.Fprintln(c.stdout, "active")
		return 0
	}
	_, _ = fmt.Fprintf(c.stderr, "Unknown command verb %s.\n", args[0])
	return 1
}

// rm is coreutils' rm for files: -f (a missing file is no error) and --
// only; a symlink is removed, not its target (the parent directory is
// resolved inside the container); a directory is refused.
func (c cmd) rm(args []string) int {
	force, paths := false, args
	for len(paths) > 0 && strings.HasPrefix(paths[0], "-") {
		a := paths[0]
		paths = paths[1:]
		if a == "--" {
			break
		}
		if a != "-f" {
			_, _ = fmt.Fprintf(c.stderr, "pvesim: rm %s is not emulated (only -f)\n", a)
			return 1
		}
		force = true
	}
	code := 0
	for _, p := range paths {
		dir, err := resolve(c.rootfs(), path.Dir(path.Clean("/"+p)))
		hp := filepath.Join(dir, path.Base(p))
		var fi os.FileInfo
		if err == nil {
			fi, err = os.Lstat(hp)
		}
		switch {
		case err != nil && force && errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			_, _ = fmt.Fprintf(c.stderr, "rm: cannot remove '%s': No such file or directory\n", p)
			code = 1
		case fi.IsDir():
			_, _ = fmt.Fprintf(c.stderr, "rm: cannot remove '%s': Is a directory\n", p)
			code = 1
		default:
			if err := os.Remove(hp); err != nil {
				_, _ = fmt.Fprintf(c.stderr, "rm: cannot remove '%s': %v\n", p, err)
				code = 1
			}
		}
	}
	return code
}
