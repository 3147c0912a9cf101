// Package seccomp renders the provider's seccomp policies for LXC
// containers as LXC policy files (format version 2, read by lxc-start for
// lxc.seccomp.profile).
//
// A container whose configuration names its own lxc.seccomp.profile gets
// none of PVE's seccomp additions (make_seccomp_config emits nothing then),
// so a rendered file carries them itself: LXC's common.seccomp, PVE's
// rules for unprivileged containers, and the provider's own denies.
package seccomp

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Mode selects the kind of policy.
type Mode string

const (
	// ModeDefault keeps PVE's and LXC's own policy: the provider writes no
	// lxc.seccomp.profile line and Render returns no file.
	ModeDefault Mode = "default"
	// ModeDenylist allows every syscall except the hardened denylist
	// (DefaultDenylist) and Policy.Syscalls. The provider's default; the
	// zero Mode means it too.
	ModeDenylist Mode = "denylist"
	// ModeAllowlist denies every syscall except Policy.Syscalls. The list
	// must be complete: everything LXC's start sequence calls after loading
	// the filter (EssentialSyscalls) and everything the container's init
	// and services ever call; a missing one fails with Errno. The hardened
	// denylist still applies: an allowlist may not allow what it denies.
	ModeAllowlist Mode = "allowlist"
)

// Policy is a container's seccomp policy.
type Policy struct {
	Mode Mode
	// Errno is the error denied calls fail with (default EPERM, 1), except
	// entries of the denylist that fix their own (see Entry.Errno).
	Errno int
	// Syscalls are, for a denylist, further names to deny; for an
	// allowlist, the complete allowed set.
	Syscalls []string
	// Keyctl mirrors PVE's features keyctl=1: keyctl, add_key and
	// request_key are not denied (an allowlist allows them).
	Keyctl bool
	// Mknod mirrors PVE's features mknod=1: mknod and mknodat are never
	// denied (an allowlist allows them). PVE's seccomp-notify emulation of
	// device nodes is not part of a custom profile.
	Mknod bool
	// UserNamespaces allows creating user namespaces (PVE's nesting
	// feature, or seccomp.allow_user_namespaces): without it unshare and
	// clone fail with CLONE_NEWUSER and clone3 with ENOSYS.
	UserNamespaces bool
}

// keyringSyscalls are the calls Keyctl allows; mknodSyscalls those Mknod
// allows.
var (
	keyringSyscalls = []string{"add_key", "keyctl", "request_key"}
	mknodSyscalls   = []string{"mknod", "mknodat"}
)

func (p Policy) mode() Mode {
	if p.Mode == "" {
		return ModeDenylist
	}
	return p.Mode
}

func (p Policy) errno() int {
	if p.Errno == 0 {
		return EPERM
	}
	return p.Errno
}

// rule is one line of the policy file.
type rule struct {
	syscall string
	action  string // "allow" or "errno N"
	cond    *Cond
}

func (r rule) String() string {
	s := r.syscall + " " + r.action
	if r.cond != nil {
		s += " " + r.cond.String()
	}
	return s
}

// Render is the LXC policy file for p, or nil for ModeDefault. It fails
// when Validate reports an error (warnings do not stop it). The output is
// deterministic: rules sorted by syscall name, one rule per line, all in
// the [all] section so that the x86 and x32 compat entry points are
// filtered too.
func (p Policy) Render() ([]byte, error) {
	var errs []string
	for _, pr := range Validate(p) {
		if !pr.Warning {
			errs = append(errs, pr.Error())
		}
	}
	if len(errs) > 0 {
		return nil, errors.New("invalid seccomp policy: " + strings.Join(errs, "; "))
	}
	var rules []rule
	var b bytes.Buffer
	switch p.mode() {
	case ModeDefault:
		return nil, nil
	case ModeDenylist:
		b.WriteString("2\ndenylist\n[all]\n")
		rules = p.denyRules()
	case ModeAllowlist:
		fmt.Fprintf(&b, "2\nallowlist errno %d\n[all]\n", p.errno())
		rules = p.allowRules()
	}
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].syscall < rules[j].syscall })
	for _, r := range rules {
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

func errnoAction(n int) string { return fmt.Sprintf("errno %d", n) }

// denyRules: the baseline plus the extra names. An extra name the baseline
// restricts only conditionally replaces that conditional rule.
func (p Policy) denyRules() []rule {
	extra := map[string]bool{}
	for _, s := range p.Syscalls {
		extra[s] = true
	}
	var rules []rule
	for _, e := range entries(p.Keyctl, p.UserNamespaces) {
		if e.Cond != nil && extra[e.Syscall] {
			continue
		}
		delete(extra, e.Syscall) // already denied unconditionally
		n := e.Errno
		if n == 0 {
			n = p.errno()
		}
		rules = append(rules, rule{e.Syscall, errnoAction(n), e.Cond})
	}
	for _, s := range sortedKeys(extra) {
		rules = append(rules, rule{s, errnoAction(p.errno()), nil})
	}
	return rules
}

// allowRules: every allowed syscall, the baseline's conditional denies
// carved out of the allowed ones, and the baseline's fixed errnos for the
// rest. A rule whose errno equals the default action is left out: the
// default does the same, and libseccomp rejects such a rule.
func (p Policy) allowRules() []rule {
	def := p.errno()
	allowed := p.allowed()
	var rules []rule
	conds := map[string]Entry{}
	for _, e := range entries(p.Keyctl, p.UserNamespaces) {
		switch {
		case e.Cond != nil && allowed[e.Syscall]:
			conds[e.Syscall] = e
		case e.Cond == nil && e.Errno != 0 && e.Errno != def && !allowed[e.Syscall]:
			rules = append(rules, rule{e.Syscall, errnoAction(e.Errno), nil})
		}
	}
	for _, s := range sortedKeys(allowed) {
		e, ok := conds[s]
		if !ok {
			rules = append(rules, rule{s, "allow", nil})
			continue
		}
		for _, c := range e.Cond.complement() {
			rules = append(rules, rule{s, "allow", &c})
		}
		if n := e.Errno; n != 0 && n != def {
			rules = append(rules, rule{s, errnoAction(n), e.Cond})
		}
	}
	return rules
}

// allowed is an allowlist's set: Syscalls plus what the features allow.
func (p Policy) allowed() map[string]bool {
	m := map[string]bool{}
	for _, s := range p.Syscalls {
		m[s] = true
	}
	if p.Keyctl {
		for _, s := range keyringSyscalls {
			m[s] = true
		}
	}
	if p.Mknod {
		for _, s := range mknodSyscalls {
			m[s] = true
		}
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
