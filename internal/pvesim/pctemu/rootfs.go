// Package pctemu emulates, for the simulator, the `pct` commands the
// provider uses on a node to reach inside a container (pve-container
// src/PVE/CLI/pct.pm): `pct exec`, `pct push` and `pct pull`. A container's
// root file system is a directory, <root>/var/lib/lxc/<vmid>/rootfs (where
// PVE mounts a running container's), filled at creation from the template's
// OS type; whether it runs is read the way PVE's check_running reads it,
// from the LXC command sockets in <root>/proc/net/unix, which the
// simulator keeps current. Paths inside the container resolve like in its
// mount namespace: a symlink never leads outside the root file system.
// When the simulator's real-LXC backend runs the container (LXCConf), pct
// acts on the real container instead: lxc-attach, and files opened inside
// its root (lxc_linux.go).
package pctemu

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Rootfs is container vmid's root file system under the node root.
func Rootfs(root string, vmid int) string {
	return filepath.Join(root, "var/lib/lxc", strconv.Itoa(vmid), "rootfs")
}

// DebianSSHDConfig is Debian 12's /etc/ssh/sshd_config (openssh-server
// 1:9.2p1), which Ubuntu's matches in what matters here: the drop-in
// directory is included first.
const DebianSSHDConfig = `
# This is the sshd server system-wide configuration file.  See
# sshd_config(5) for more information.

Include /etc/ssh/sshd_config.d/*.conf

#PermitRootLogin prohibit-password
#PubkeyAuthentication yes

# To disable tunneled clear text passwords, change to no here!
#PasswordAuthentication yes
#PermitEmptyPasswords no

# Change to yes to enable challenge-response passwords (beware issues with
# some PAM modules and threads)
KbdInteractiveAuthentication no

UsePAM yes

X11Forwarding yes
PrintMotd no

# Allow client to pass locale environment variables
AcceptEnv LANG LC_*

# override default of no subsystems
Subsystem	sftp	/usr/lib/openssh/sftp-server
`

// basePasswd is a template's /etc/passwd as far as the emulation reads it
// (the SSH probe's users): root with a login shell, system accounts
// without one (Debian's base-passwd).
const basePasswd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\n" +
	"sys:x:3:3:sys:/dev:/usr/sbin/nologin\nsync:x:4:65534:sync:/bin:/bin/sync\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"

// stand-in marks the executables the emulation answers for.
const standIn = "#!/bin/false\n# pvesim stand-in: pct exec emulates this command\n"

// templateFiles are what a template's root file system holds that the
// emulation reads, by OS type: Debian's and Ubuntu's standard templates
// ship OpenSSH and systemd, Alpine's default template neither.
func templateFiles(ostype string) map[string]string {
	osRelease := map[string]string{"debian": "ID=debian\nVERSION_ID=\"12\"\n", "ubuntu": "ID=ubuntu\nVERSION_ID=\"24.04\"\n",
		"alpine": "ID=alpine\nVERSION_ID=3.22.0\n"}[ostype]
	files := map[string]string{"etc/os-release": osRelease, "usr/bin/test": standIn, "usr/bin/cat": standIn, "usr/bin/rm": standIn, "bin/sh": standIn,
		"etc/passwd": basePasswd}
	if ostype == "debian" || ostype == "ubuntu" {
		files["etc/ssh/sshd_config"] = DebianSSHDConfig
		files["etc/ssh/sshd_config.d/"] = ""
		files["usr/sbin/sshd"] = standIn
		files["usr/bin/systemctl"] = standIn
	}
	return files
}

// Extract fills container vmid's root file system for a template of
// ostype (what `pct create` unpacks).
func Extract(root string, vmid int, ostype string) error {
	rfs := Rootfs(root, vmid)
	if err := os.RemoveAll(rfs); err != nil {
		return err
	}
	for rel, content := range templateFiles(ostype) {
		p := filepath.Join(rfs, rel)
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if content == standIn {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			return err
		}
	}
	return nil
}

// WriteRunning records the running containers as their LXC command
// sockets in <root>/proc/net/unix (PVE::LXC::list_active_containers).
func WriteRunning(root string, vmids []int) error {
	sort.Ints(vmids)
	var b strings.Builder
	b.WriteString("Num       RefCount Protocol Flags    Type St Inode Path\n")
	for i, id := range vmids {
		fmt.Fprintf(&b, "%016x: 00000002 00000000 00010000 0001 01 %d @/var/lib/lxc/%d/command\n", i+1, 40000+id, id)
	}
	p := filepath.Join(root, "proc/net/unix")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil { //nolint:gosec // world-readable like /proc/net/unix
		return err
	}
	return os.Rename(tmp, p)
}

// running is PVE::LXC::check_running.
func running(root string, vmid int) bool {
	b, err := os.ReadFile(filepath.Join(root, "proc/net/unix"))
	if err != nil {
		return false
	}
	want := fmt.Sprintf("@/var/lib/lxc/%d/command", vmid)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 8 && f[7] == want {
			return true
		}
	}
	return false
}

var errEscape = errors.New("too many levels of symbolic links")

// resolve maps a path inside the container to the host path under rfs,
// following symlinks as the container would see them (an absolute target
// starts again at the container's root; ".." stops at it).
func resolve(rfs, p string) (string, error) {
	if !path.IsAbs(p) {
		p = "/" + p
	}
	parts := strings.Split(path.Clean(p), "/")[1:]
	cur := "/"
	links := 0
	for len(parts) > 0 {
		name := parts[0]
		parts = parts[1:]
		if name == "" || name == "." {
			continue
		}
		next := path.Join(cur, name)
		fi, err := os.Lstat(filepath.Join(rfs, filepath.FromSlash(next)))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > 40 {
			return "", errEscape
		}
		target, err := os.Readlink(filepath.Join(rfs, filepath.FromSlash(next)))
		if err != nil {
			return "", err
		}
		if path.IsAbs(target) {
			cur = "/"
		}
		parts = append(strings.Split(strings.Trim(path.Clean(target), "/"), "/"), parts...)
	}
	return filepath.Join(rfs, filepath.FromSlash(cur)), nil
}

// guestFiles is the container's file view for sshdconfig.Effective.
type guestFiles struct{ rfs string }

func (g guestFiles) Read(p string) ([]byte, bool) {
	hp, err := resolve(g.rfs, p)
	if err != nil {
		return nil, false
	}
	b, err := os.ReadFile(hp)
	return b, err == nil
}

func (g guestFiles) Glob(pattern string) []string {
	dir, err := resolve(g.rfs, path.Dir(pattern))
	if err != nil {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if ok, _ := path.Match(path.Base(pattern), e.Name()); ok {
			out = append(out, path.Join(path.Dir(pattern), e.Name()))
		}
	}
	sort.Strings(out)
	return out
}
