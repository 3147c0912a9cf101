package hardening

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

var (
	storageIDRE  = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9\-_.]*[a-zA-Z0-9]$`)
	hookscriptRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9\-_.]*[a-zA-Z0-9]:snippets/[^/\s,;=]+$`)
	envNameRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	octalModeRE  = regexp.MustCompile(`^0?[0-7]{3,4}$`)
	prlimitNumRE = regexp.MustCompile(`^(\d+|unlimited|infinity)$`)
)

// ProtectedHostPaths may never be bind-mounted into a container, nor any
// directory above or below them: the host's root, its configuration, its
// kernel interfaces, its devices, LXC's container state and the cluster's
// configuration (with its private keys under /etc/pve/priv).
var ProtectedHostPaths = []string{"/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/run", "/var/lib/lxc", "/etc/pve", "/var/lib/pve-cluster"}

// ForbiddenDevices are device nodes no container may get, exception or
// not: raw physical memory and I/O ports are the host.
var ForbiddenDevices = []string{"/dev/mem", "/dev/kmem", "/dev/port"}

// PRLimitNames are the resources lxc.prlimit.* accepts (setrlimit(2)).
var PRLimitNames = []string{"as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
	"nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"}

// SafeMountAuto are the lxc.mount.auto values raw_lxc may use: nothing
// writable of the host's /proc, /sys or cgroup tree.
var SafeMountAuto = []string{"proc", "proc:mixed", "sys:ro", "sys:mixed", "cgroup:ro", "cgroup:mixed",
	"cgroup-full:ro", "cgroup-full:mixed", "cgroup:ro:force", "cgroup:mixed:force", "cgroup-full:ro:force", "cgroup-full:mixed:force"}

// protectedOverlap returns the protected path p is, lies under or above.
func protectedOverlap(p string) (string, bool) {
	for _, q := range ProtectedHostPaths {
		if p == q || (q != "/" && (strings.HasPrefix(p, q+"/") || strings.HasPrefix(q, p+"/"))) {
			return q, true
		}
	}
	return "", false
}

func validateMountPoints(mps []MountPoint) []Problem {
	var ps []Problem
	seen := map[string]int{}
	for i, m := range mps {
		at := func(attr string) []any { return []any{"mount_points", i, attr} }
		add := func(attr, summary, detail string, a ...any) {
			ps = append(ps, Problem{Path: at(attr), Summary: summary, Detail: fmt.Sprintf(detail, a...)})
		}
		switch {
		case !strings.HasPrefix(m.Path, "/") || path.Clean(m.Path) != m.Path || m.Path == "/":
			add("path", "Invalid mount point path", "%q must be an absolute, clean path inside the container other than / (e.g. \"/srv/data\").", m.Path)
		case strings.ContainsAny(m.Path, ",;=\n"):
			add("path", "Invalid mount point path", "%q contains a character PVE's property strings cannot hold (, ; = or a newline).", m.Path)
		default:
			if j, dup := seen[m.Path]; dup {
				add("path", "Duplicate mount point", "mount_points[%d] already mounts at %q.", j, m.Path)
			}
			seen[m.Path] = i
		}
		switch {
		case m.HostPath != "" && m.Storage != "":
			add("host_path", "A mount point is a volume or a bind mount", "Set either storage and size (a new volume) or host_path (a bind mount of a host "+
				"directory), not both.")
		case m.HostPath == "" && m.Storage == "":
			add("storage", "Mount point needs a source", "Set storage and size for a new volume (e.g. storage = \"local-lvm\", size = 8) or host_path for a "+
				"bind mount.")
		case m.HostPath != "":
			ps = append(ps, validateBindSource(i, m)...)
		default:
			if !storageIDRE.MatchString(m.Storage) {
				add("storage", "Invalid storage", "%q is not a PVE storage ID (a letter, then letters, digits, - _ .).", m.Storage)
			}
			if m.SizeGiB < 1 {
				add("size", "Mount point needs a size", "A volume mount point needs size >= 1 (GiB).")
			}
		}
		for _, o := range m.MountOptions {
			if !contains(MountOptions, o) {
				add("mount_options", "Invalid mount option", "%q is not a mount option PVE accepts; use some of: %s.", o, strings.Join(MountOptions, ", "))
			}
		}
	}
	return ps
}

func validateBindSource(i int, m MountPoint) []Problem {
	at := []any{"mount_points", i, "host_path"}
	p := m.HostPath
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.ContainsAny(p, ",;=\n") {
		return []Problem{{Path: at, Summary: "Invalid host path",
			Detail: fmt.Sprintf("%q must be an absolute, clean host directory without , ; = (e.g. \"/srv/shared/app\").", p)}}
	}
	if q, bad := protectedOverlap(p); bad {
		return []Problem{{Path: at, Summary: "Host path must not be bind-mounted",
			Detail: fmt.Sprintf("%q is %s the host's %s: a container that sees it can read or change the host itself (its configuration, "+
				"kernel interfaces, devices, other containers or the cluster's keys). Bind-mount a dedicated data directory "+
				"instead, e.g. under /srv.", p, relation(p, q), q)}}
	}
	return nil
}

// ProtectedHostPath reports whether p is, lies under or above a
// ProtectedHostPaths entry.
func ProtectedHostPath(p string) bool {
	_, bad := protectedOverlap(p)
	return bad
}

func relation(p, q string) string {
	switch {
	case p == q:
		return "exactly"
	case strings.HasPrefix(q, p+"/"):
		return "a parent of"
	}
	return "inside"
}

func validateDevices(ds []Device) []Problem {
	var ps []Problem
	seen := map[string]bool{}
	for i, d := range ds {
		add := func(attr, summary, detail string, a ...any) {
			ps = append(ps, Problem{Path: []any{"devices", i, attr}, Summary: summary, Detail: fmt.Sprintf(detail, a...)})
		}
		switch {
		case !strings.HasPrefix(d.Path, "/dev/") || path.Clean(d.Path) != d.Path || strings.ContainsAny(d.Path, ",;=\n"):
			add("path", "Invalid device path", "%q must be a device node under /dev/ (e.g. \"/dev/net/tun\").", d.Path)
		case contains(ForbiddenDevices, d.Path):
			add("path", "Device must not be passed through", "%s gives raw access to the host's physical memory or I/O ports: whoever has it owns the host. "+
				"No exception can allow it.", d.Path)
		case seen[d.Path]:
			add("path", "Duplicate device", "%s is passed through twice.", d.Path)
		}
		seen[d.Path] = true
		if d.Mode != "" && !octalModeRE.MatchString(d.Mode) {
			add("mode", "Invalid device mode", "%q is not an octal access mode (e.g. \"0660\").", d.Mode)
		}
		if d.UID < 0 || d.GID < 0 {
			add("uid", "Invalid owner", "uid and gid are ids inside the container (>= 0).")
		}
	}
	return ps
}

func validateEnvironment(env []string) []Problem {
	var ps []Problem
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		at := []any{"environment", Key(k)}
		if !envNameRE.MatchString(k) {
			ps = append(ps, Problem{Path: at, Summary: "Invalid environment variable name",
				Detail: fmt.Sprintf("%q is not a variable name (a letter or _, then letters, digits, _).", k)})
		}
		if strings.ContainsAny(v, "\x00\n") {
			ps = append(ps, Problem{Path: at, Summary: "Invalid environment value", Detail: "A value cannot hold a NUL byte or a newline (PVE stores the " +
				"environment as a NUL-separated list of lxc.environment.runtime lines)."})
		}
	}
	return ps
}

func validateHookscript(h string) []Problem {
	if h == "" || hookscriptRE.MatchString(h) {
		return nil
	}
	return []Problem{{Path: []any{"hookscript"}, Summary: "Invalid hookscript",
		Detail: fmt.Sprintf("%q is not a snippet volume ID: write <storage>:snippets/<file>, e.g. \"local:snippets/hook.sh\" (a storage "+
			"with the snippets content type).", h)}}
}

// ParsePRLimit reads a prlimit value: one number (soft = hard) or
// "soft:hard"; "unlimited"/"infinity" is no limit (-1).
func ParsePRLimit(v string) (soft, hard int64, ok bool) {
	a, b, pair := strings.Cut(v, ":")
	if !pair {
		b = a
	}
	num := func(x string) (int64, bool) {
		if !prlimitNumRE.MatchString(x) {
			return 0, false
		}
		if x == "unlimited" || x == "infinity" {
			return -1, true
		}
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	soft, ok1 := num(a)
	hard, ok2 := num(b)
	return soft, hard, ok1 && ok2
}

// IsUnlimited reports whether a prlimit value lifts a limit.
func IsUnlimited(v string) bool {
	soft, hard, ok := ParsePRLimit(v)
	return ok && (soft < 0 || hard < 0)
}

func validatePRLimits(l map[string]string) []Problem {
	var ps []Problem
	for name, v := range l {
		at := []any{"prlimits", Key(name)}
		if !contains(PRLimitNames, name) {
			ps = append(ps, Problem{Path: at, Summary: "Unknown resource limit",
				Detail: fmt.Sprintf("%q is not a resource lxc.prlimit.* knows; use one of: %s.", name, strings.Join(PRLimitNames, ", "))})
			continue
		}
		soft, hard, ok := ParsePRLimit(v)
		switch {
		case !ok:
			ps = append(ps, Problem{Path: at, Summary: "Invalid resource limit",
				Detail: fmt.Sprintf("%q is not a limit: write one number (soft = hard), \"soft:hard\" (e.g. \"1024:65535\") or \"unlimited\".", v)})
		case hard >= 0 && (soft < 0 || soft > hard):
			ps = append(ps, Problem{Path: at, Summary: "Soft limit above hard limit",
				Detail: fmt.Sprintf("%q: the soft limit must not exceed the hard limit (setrlimit refuses it and the container does not start).", v)})
		}
	}
	return ps
}

func validateRawLXC(lines []pctconf.Line) []Problem {
	var ps []Problem
	for i, l := range lines {
		at := []any{"raw_lxc", i}
		add := func(summary, detail string, a ...any) {
			ps = append(ps, Problem{Path: at, Summary: summary, Detail: fmt.Sprintf(detail, a...)})
		}
		if l.Key == "" {
			add("Invalid raw lxc line", "%q is not a raw LXC line: write \"lxc.<key>: <value>\", e.g. \"lxc.cgroup2.io.weight: 200\".", l.Value)
			continue
		}
		if strings.TrimSpace(l.Value) == "" {
			add("Empty raw lxc value", "%q has an empty value, which makes LXC clear every earlier value of the key, PVE's own included (an empty "+
				"lxc.idmap, for one, drops the user namespace). Write a value.", l.Key)
			continue
		}
		info := ClassifyLXCKey(l.Key)
		switch info.Class {
		case LXCTyped:
			add("Raw line for a typed setting", "%s is written from %s: set that attribute instead of a raw line.", l.Key, info.Attribute)
		case LXCForbidden:
			if l.Key == "lxc.mount.auto" && allSafeMountAuto(l.Value) {
				continue
			}
			add("Raw lxc key defeats the hardening", "%s is never allowed in raw_lxc: %s.", l.Key, info.Reason)
		case LXCInvalid:
			add("Unknown raw lxc key", "%s: %s.", l.Key, info.Reason)
		}
	}
	return ps
}

func allSafeMountAuto(v string) bool {
	for _, f := range strings.Fields(v) {
		if !contains(SafeMountAuto, f) {
			return false
		}
	}
	return strings.TrimSpace(v) != ""
}

var reRawLine = regexp.MustCompile(`^(lxc\.[a-z0-9_\-\.]+):\s?(.*)$`)

// ParseRawLine reads a raw_lxc entry "lxc.<key>: <value>"; a text that is
// not one comes back with an empty Key and the text as Value.
func ParseRawLine(text string) pctconf.Line {
	m := reRawLine.FindStringSubmatch(text)
	if m == nil || strings.ContainsAny(text, "\n\r") {
		return pctconf.Line{Value: text}
	}
	return pctconf.Line{Key: m[1], Value: strings.TrimSpace(m[2])}
}
