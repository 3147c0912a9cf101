package seccomp

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// Dir is where the provider keeps policy files on a PVE cluster: on the
// cluster file system (pmxcfs), so every node that may start the container
// (after a migration, an HA recovery or a restore) reads the same file under
// the same path, and no per-node copy can go stale. pmxcfs allows plain
// files and directories anywhere below /etc/pve (root-only writes, 0640
// root:www-data), and lxc-start reads the file as root.
const Dir = "/etc/pve/hardened/seccomp"

// FilePrefix starts every policy file name the provider writes.
const FilePrefix = "hardened-"

// Path is where the policy's rendered text lives: Dir/hardened-<digest>.seccomp,
// a digest of the text, so equal policies share one file and any change
// of the policy changes the lxc.seccomp.profile line (and so restarts a
// running container, the only way a new filter takes effect). Path is ""
// for ModeDefault and for a policy Render refuses.
func (p Policy) Path() string {
	text, err := p.Render()
	if err != nil || text == nil {
		return ""
	}
	return pathOf(text)
}

func pathOf(text []byte) string {
	h := sha256.Sum256(text)
	return Dir + "/" + FilePrefix + hex.EncodeToString(h[:8]) + ".seccomp"
}

// recoverHeader sets p's mode (and an allowlist's errno) from the policy
// file's header line.
func recoverHeader(p *Policy, line string) bool {
	header := strings.Fields(line)
	switch {
	case len(header) == 1 && header[0] == "denylist":
		p.Mode = ModeDenylist
	case len(header) == 3 && header[0] == "allowlist" && header[1] == "errno":
		p.Mode = ModeAllowlist
		p.Errno, _ = strconv.Atoi(header[2])
	default:
		return false
	}
	return true
}

// recoverNames collects the syscalls of the policy file's rule lines that
// are p's own: not the baseline's (a denylist's errno is kexec_load's) and
// not the ones p's features add to an allowlist.
func recoverNames(p *Policy, rules []string) (map[string]bool, bool) {
	baselineCond := map[string]bool{}
	for _, e := range entries(p.Keyctl, p.UserNamespaces) {
		if e.Cond != nil {
			baselineCond[e.Syscall] = true
		}
	}
	names := map[string]bool{}
	for _, l := range rules {
		f := strings.Fields(l)
		if len(f) < 2 {
			return nil, false
		}
		switch {
		case p.Mode == ModeAllowlist && f[1] == "allow":
			names[f[0]] = true
		case p.Mode == ModeDenylist && f[1] == "errno" && len(f) >= 3:
			n, _ := strconv.Atoi(f[2])
			if f[0] == "kexec_load" {
				p.Errno = n // the policy errno: kexec_load is always denied with it
			}
			if len(f) == 4 && baselineCond[f[0]] {
				continue // the baseline's own conditional rule
			}
			names[f[0]] = true
		}
	}
	for _, e := range entries(p.Keyctl, p.UserNamespaces) {
		if e.Cond == nil && p.Mode == ModeDenylist {
			delete(names, e.Syscall)
		}
	}
	if p.Mode == ModeAllowlist {
		if p.Keyctl {
			for _, s := range keyringSyscalls {
				delete(names, s)
			}
		}
		if p.Mknod {
			for _, s := range mknodSyscalls {
				delete(names, s)
			}
		}
	}
	return names, true
}

// Recover finds the policy whose rendering is exactly text at path, given
// the container's keyctl and mknod features and whether user namespaces
// are allowed (nesting or seccomp.allow_user_namespaces): the import of a container, or
// a pct.conf whose line was pointed at another generated policy by hand. It
// reports false for a file the provider did not write (or one edited since).
// Recovered extra syscalls are sorted; names the features add to an
// allowlist are not listed.
func Recover(path string, text []byte, keyctl, mknod, userns bool) (Policy, bool) {
	if path != pathOf(text) {
		return Policy{}, false
	}
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	if len(lines) < 3 || lines[0] != "2" || lines[2] != "[all]" {
		return Policy{}, false
	}
	p := Policy{Keyctl: keyctl, Mknod: mknod, UserNamespaces: userns}
	if !recoverHeader(&p, lines[1]) {
		return Policy{}, false
	}
	names, ok := recoverNames(&p, lines[3:])
	if !ok {
		return Policy{}, false
	}
	for n := range names {
		p.Syscalls = append(p.Syscalls, n)
	}
	sort.Strings(p.Syscalls)
	if p.Errno == EPERM {
		p.Errno = 0
	}
	got, err := p.Render()
	if err != nil || string(got) != string(text) {
		return Policy{}, false
	}
	if p.Errno == 0 {
		p.Errno = EPERM
	}
	return p, true
}
