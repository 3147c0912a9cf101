package hardening

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Runtime is what a running container actually runs, as opposed to what
// its config says: raw lxc.* lines, AppArmor profiles and seccomp policies
// take effect only when a container starts. It is observed only (never
// rendered) and feeds HC-RUN-001 and the container's pending_restart.
type Runtime struct {
	// Observed is true when the container runs and its init's /proc view
	// could be read.
	Observed bool
	// Stale lists what of the configuration the running container does not
	// run, one entry per setting, e.g. `lxc.cap.drop: the running init
	// still has sys_admin`; empty: what runs is what the config says.
	Stale []string
}

// InitView is a container init's own view of its confinement, from the
// node's /proc/<pid>: the kernel keeps these values, nothing in the
// container can rewrite them.
type InitView struct {
	// CapBnd is the capability bounding set (/proc/<pid>/status CapBnd);
	// HasCapBnd is false when the line is missing.
	CapBnd    uint64
	HasCapBnd bool
	// Seccomp is the seccomp mode (/proc/<pid>/status Seccomp: 0 none,
	// 1 strict, 2 filter); -1 when unknown.
	Seccomp int
	// AppArmorLabel is /proc/<pid>/attr/current ("lxc-web (enforce)",
	// "unconfined"); "" when unknown (no AppArmor on the node).
	AppArmorLabel string
}

// ParseProcStatus reads CapBnd and Seccomp from /proc/<pid>/status.
func ParseProcStatus(b []byte) InitView {
	v := InitView{Seccomp: -1}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch k {
		case "CapBnd":
			if n, err := strconv.ParseUint(val, 16, 64); err == nil {
				v.CapBnd, v.HasCapBnd = n, true
			}
		case "Seccomp":
			if n, err := strconv.Atoi(val); err == nil {
				v.Seccomp = n
			}
		}
	}
	return v
}

// ProcStartTime is field 22 of /proc/<pid>/stat, the process's start time
// in clock ticks since the node booted (fields are counted after the
// command name, which may contain spaces and parentheses).
func ProcStartTime(stat []byte) (string, bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state): field 22 is f[19]
	if len(f) < 20 {
		return "", false
	}
	return f[19], true
}

// splitLabel splits an AppArmor label into the profile and its mode
// ("lxc-web (enforce)" -> "lxc-web", "enforce"). Of a stacked label (a
// nesting container's "lxc-web//&:lxc-100_<-var-lib-lxc>:unconfined") the
// host's profile is the first component.
func splitLabel(label string) (string, string) {
	label = strings.TrimSpace(strings.TrimRight(label, "\x00\n"))
	mode := ""
	if i := strings.LastIndex(label, " ("); i >= 0 && strings.HasSuffix(label, ")") {
		label, mode = label[:i], label[i+2:len(label)-1]
	}
	profile, _, _ := strings.Cut(label, "//&")
	return profile, mode
}

// RunningStale compares what a running container's init shows with the
// Spec its config describes: a capability the config drops (or does not
// keep) still in the bounding set, no seccomp filter, another AppArmor
// profile (or one only in complain mode). Values the view lacks are not
// compared.
func RunningStale(s Spec, v InitView) []string {
	var out []string
	if v.HasCapBnd {
		if extra := capsStillHeld(s.Capabilities, v.CapBnd); len(extra) > 0 {
			key := "lxc.cap.drop"
			if s.Capabilities.KeepMode {
				key = "lxc.cap.keep"
			}
			out = append(out, fmt.Sprintf("%s: the running init still has %s", key, strings.Join(extra, ", ")))
		}
	}
	if v.Seccomp >= 0 && v.Seccomp != 2 {
		out = append(out, fmt.Sprintf("lxc.seccomp.profile: the running init has no seccomp filter (Seccomp: %d)", v.Seccomp))
	}
	if v.AppArmorLabel != "" {
		if msg := staleAppArmor(s, v.AppArmorLabel); msg != "" {
			out = append(out, msg)
		}
	}
	return out
}

func capsStillHeld(c Capabilities, bnd uint64) []string {
	var out []string
	dropped := map[string]bool{}
	if c.KeepMode {
		keep := map[string]bool{}
		for _, k := range c.Keep {
			keep[NormalizeCapability(k)] = true
		}
		for _, name := range AllCapabilities {
			dropped[name] = !keep[name]
		}
	} else {
		for _, d := range c.Drop {
			dropped[NormalizeCapability(d)] = true
		}
	}
	for bit, name := range AllCapabilities {
		if dropped[name] && bnd&(1<<uint(bit)) != 0 {
			out = append(out, name)
		}
	}
	return out
}

func staleAppArmor(s Spec, label string) string {
	got, mode := splitLabel(label)
	want := AppArmorProfileName(s)
	switch want {
	case "unchanged":
		return "" // the host's own label: nothing to compare
	case AppArmorPVE, "":
		// LXC's generated profile: lxc-<name>_<<lxcpath>>
		if strings.HasPrefix(got, fmt.Sprintf("lxc-%d_<", s.VMID)) && mode != "complain" {
			return ""
		}
		want = fmt.Sprintf("lxc-%d_</var/lib/lxc> (PVE's generated profile)", s.VMID)
	default:
		if got == want && (mode != "complain" || want == "unconfined") {
			return ""
		}
	}
	if got == want && mode == "complain" {
		return fmt.Sprintf("lxc.apparmor.profile: the running init's profile %q is only in complain mode", got)
	}
	return fmt.Sprintf("lxc.apparmor.profile: the running init runs under %q, not %s", got, quoteProfile(want))
}

func quoteProfile(p string) string {
	if strings.Contains(p, " ") {
		return p
	}
	return strconv.Quote(p)
}
