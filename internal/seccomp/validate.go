package seccomp

import (
	"fmt"
	"strings"
)

// Problem is one finding of Validate. Field is "mode", "errno", "syscalls",
// "keyctl" or "mknod"; Index is the position in Syscalls, or -1.
type Problem struct {
	Field   string
	Index   int
	Summary string
	Detail  string
	// Warning marks a finding that does not stop Render.
	Warning bool
}

// Error is the problem on one line: field[index]: summary: detail.
func (p Problem) Error() string {
	f := p.Field
	if p.Index >= 0 {
		f = fmt.Sprintf("%s[%d]", f, p.Index)
	}
	return f + ": " + p.Summary + ": " + p.Detail
}

// Validate checks p; Render refuses a policy with a non-warning Problem.
func Validate(p Policy) []Problem {
	var out []Problem
	add := func(field string, index int, warning bool, summary, detail string, args ...any) {
		out = append(out, Problem{Field: field, Index: index, Summary: summary, Detail: fmt.Sprintf(detail, args...), Warning: warning})
	}
	mode := p.mode()
	switch mode {
	case ModeDefault, ModeDenylist, ModeAllowlist:
	default:
		add("mode", -1, false, "invalid seccomp mode",
			"%q is not a seccomp mode: use %q (PVE's own policy), %q or %q.", string(p.Mode), ModeDefault, ModeDenylist, ModeAllowlist)
		return out
	}
	if p.Errno < 0 || p.Errno > maxErrno {
		add("errno", -1, false, "errno out of range",
			"errno must be between 1 and %d (libseccomp refuses larger values and lxc-start fails); got %d.", maxErrno, p.Errno)
	}
	if p.Mknod && mode != ModeDefault {
		add("mknod", -1, true, "mknod is only not denied",
			"With its own seccomp profile the container does not get PVE's seccomp-notify handling of mknod "+
				"(pve-lxc-syscalld): mknod and mknodat are left alone, so an unprivileged container still cannot create device "+
				"nodes.")
	}
	if mode == ModeDefault {
		if len(p.Syscalls) > 0 {
			add("syscalls", -1, false, "syscalls need a denylist or allowlist",
				"With mode %q PVE's own policy applies and the listed syscalls would be ignored.", ModeDefault)
		}
		return out
	}
	if mode == ModeAllowlist && len(p.Syscalls) == 0 {
		add("syscalls", -1, false, "empty allowlist",
			"An allowlist denies every syscall not listed: with none listed the container cannot even start. List the "+
				"complete set (at least %s).", strings.Join(EssentialSyscalls(), ", "))
		return out
	}
	first := map[string]int{}
	for i, s := range p.Syscalls {
		if j, dup := first[s]; dup {
			add("syscalls", i, false, "duplicate syscall", "%q is already listed at index %d.", s, j)
			continue
		}
		first[s] = i
		if !KnownSyscall(s) {
			out = append(out, unknownProblem(mode, i, s))
			continue
		}
		if mode == ModeDenylist {
			out = append(out, checkDeny(p, i, s)...)
		} else {
			out = append(out, checkAllow(p, i, s)...)
		}
	}
	if mode == ModeAllowlist {
		allowed := p.allowed()
		var missing []string
		for _, s := range EssentialSyscalls() {
			if !allowed[s] {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			add("syscalls", -1, true, "allowlist misses essential syscalls",
				"Not allowed: %s. LXC's start sequence or any container init needs them, so the container will probably fail "+
					"to start (or hang while starting).", strings.Join(missing, ", "))
		}
	}
	return out
}

func unknownProblem(mode Mode, i int, s string) Problem {
	effect := "deny nothing: the policy would be weaker than written, without any error"
	if mode == ModeAllowlist {
		effect = "allow nothing: whatever needs it would fail"
	}
	if nr, ok := unresolvable[s]; ok {
		d := fmt.Sprintf("%q (x86_64 system call %d) is newer than libseccomp %s, with which LXC on PVE resolves names. LXC silently "+
			"skips names it cannot resolve, so this entry would %s.", s, nr, PVELibseccomp, effect)
		return Problem{Field: "syscalls", Index: i, Summary: "unknown syscall", Detail: d}
	}
	d := fmt.Sprintf("%q is not an x86_64 system call. LXC silently skips names it cannot resolve, so this entry would %s.", s, effect)
	if c := closestSyscall(s); c != "" {
		d += fmt.Sprintf(" Did you mean %q?", c)
	}
	return Problem{Field: "syscalls", Index: i, Summary: "unknown syscall", Detail: d}
}

func checkDeny(p Policy, i int, s string) []Problem {
	var out []Problem
	add := func(warning bool, summary, detail string, args ...any) {
		out = append(out, Problem{Field: "syscalls", Index: i, Summary: summary, Detail: fmt.Sprintf(detail, args...), Warning: warning})
	}
	switch {
	case p.Mknod && contains(mknodSyscalls, s):
		add(false, "conflicts with mknod", "%q is denied although the mknod feature is enabled; remove one of them.", s)
	case p.Keyctl && contains(keyringSyscalls, s):
		add(false, "conflicts with keyctl", "%q is denied although the keyctl feature is enabled; remove one of them.", s)
	}
	for _, e := range entries(p.Keyctl, p.UserNamespaces) {
		if e.Syscall == s && e.Cond == nil {
			add(true, "already denied", "%q is in the hardened denylist already (%s).", s, e.Reason)
		}
	}
	if contains(essential, s) {
		add(true, "denies an essential syscall", "LXC's start sequence or the container's init needs %q: the container will probably fail to start.", s)
	}
	return out
}

func checkAllow(p Policy, i int, s string) []Problem {
	var out []Problem
	for _, e := range baseline {
		if e.Syscall != s || e.Cond != nil {
			continue
		}
		if e.Feature == FeatureKeyctl {
			if !p.Keyctl {
				out = append(out, Problem{Field: "syscalls", Index: i, Summary: "needs the keyctl feature",
					Detail: fmt.Sprintf("%q belongs to the kernel keyring API, which is denied unless keyctl is enabled; enable keyctl instead of "+
						"listing it.", s)})
			}
			continue
		}
		if e.Feature == FeatureUserNamespaces {
			if !p.UserNamespaces {
				out = append(out, Problem{Field: "syscalls", Index: i, Summary: "needs user namespaces allowed",
					Detail: fmt.Sprintf("%q returns ENOSYS while user namespaces are denied (%s); set seccomp.allow_user_namespaces = true (or enable "+
						"nesting) instead of listing it.", s, e.Reason)})
			}
			continue
		}
		out = append(out, Problem{Field: "syscalls", Index: i, Summary: "denied by the hardened baseline",
			Detail: fmt.Sprintf("%q cannot be allowed: an allowlist is never wider than the hardened denylist (%s).", s, e.Reason)})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
