package pvesim

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// initScript is the container's /sbin/init: it waits until LXC halts the
// container (SIGPWR, lxc.signal.halt's default) or stops it (SIGTERM).
const initScript = `#!/bin/sh
trap 'exit 0' PWR TERM INT
while :; do sleep 3600 & wait $!; done
`

// busyboxApplets get a symlink in /bin (what the tests and a person with
// lxc-attach use).
var busyboxApplets = []string{"sh", "sleep", "cat", "ls", "ps", "id", "grep", "echo", "mkdir", "true", "false",
	"unshare", "kill", "head", "env", "mount", "dd", "test", "[", "chmod", "rm", "sed", "ln", "ip", "chown"}

// prepare writes the container's directory: config, rules.seccomp and a
// busybox root file system (plus LXCOptions.Files), owned by the mapped
// root when the container is unprivileged; with ssh, this host's OpenSSH
// server (installOpenSSH).
func (b *LXCBackend) prepare(dir string, t translation, ssh bool) error {
	rootfs := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "run", "var/log", "usr/bin", "usr/sbin"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(rootfs, "tmp"), 0o1777); err != nil {
		return err
	}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		return err
	}
	if err := copyFile(bb, filepath.Join(rootfs, "bin/busybox"), 0o755); err != nil {
		return err
	}
	for _, a := range busyboxApplets {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", a)); err != nil {
			return err
		}
	}
	files := map[string]string{ //nolint:gosec // G101: a passwd file without passwords
		"sbin/init":  initScript,
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(rootfs, name), []byte(content), 0o755); err != nil {
			return err
		}
	}
	for in, host := range b.files {
		dst := filepath.Join(rootfs, filepath.Clean("/"+in))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := copyFile(host, dst, 0o755); err != nil {
			return err
		}
	}
	if ssh {
		if err := installOpenSSH(rootfs); err != nil {
			return err
		}
	}
	if uid, gid, ok := mappedRoot(t.Config); ok {
		if err := chownTree(rootfs, uid, gid); err != nil {
			return err
		}
	}
	if t.SeccompRules != "" {
		if err := os.WriteFile(filepath.Join(dir, "rules.seccomp"), []byte(t.SeccompRules), 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config"), []byte(t.Config), 0o644)
}

// mappedRoot is the host uid and gid the container's root maps to (the
// first "lxc.idmap = u 0 <host> <n>" and "g 0 ..." lines).
func mappedRoot(config string) (uid, gid int, ok bool) {
	uid, gid = -1, -1
	for _, l := range strings.Split(config, "\n") {
		v, found := strings.CutPrefix(l, "lxc.idmap = ")
		f := strings.Fields(v)
		if !found || len(f) != 4 || f[1] != "0" {
			continue
		}
		n, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		if f[0] == "u" && uid < 0 {
			uid = n
		}
		if f[0] == "g" && gid < 0 {
			gid = n
		}
	}
	return uid, gid, uid >= 0 && gid >= 0
}

func chownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid) //nolint:gosec // G122: a tree the backend just created, before the container runs
	})
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}
