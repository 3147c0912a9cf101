package hardening

import (
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// SeccompCustom is the observed seccomp mode of a container whose pct.conf
// names a policy file the provider did not write for its settings (edited
// by hand, or another tool's). It is never valid in a configuration.
const SeccompCustom seccomp.Mode = "custom"

// SeccompPolicy is the container's seccomp policy with the features that
// shape it (keyctl, mknod; nesting allows user namespaces like
// seccomp.allow_user_namespaces does).
func SeccompPolicy(s Spec) seccomp.Policy {
	p := s.Seccomp
	p.Keyctl, p.Mknod = s.Features.Keyctl, s.Features.Mknod
	p.UserNamespaces = p.UserNamespaces || s.Features.Nesting
	p.Syscalls = SortedUnique(p.Syscalls)
	return p
}

// SeccompProfilePath is the lxc.seccomp.profile value the container runs
// with: the provider's policy file, the observed foreign file of a custom
// policy, or "" for PVE's own policy (no line).
func SeccompProfilePath(s Spec) string {
	if s.Seccomp.Mode == SeccompCustom {
		return s.SeccompProfile
	}
	return SeccompPolicy(s).Path()
}

func seccompNodeFile(s Spec) (NodeFile, bool) {
	p := SeccompPolicy(s)
	if p.Mode == SeccompCustom {
		return NodeFile{}, false
	}
	text, err := p.Render()
	if err != nil || text == nil {
		return NodeFile{}, false
	}
	// on pmxcfs: one copy the whole cluster reads; 0640 is the only mode
	// pmxcfs gives a file outside priv/
	return NodeFile{Path: p.Path(), Content: text, Mode: 0o640, RefKey: "lxc.seccomp.profile", RefValue: p.Path()}, true
}

// observeSeccomp sets the observed policy from the effective
// lxc.seccomp.profile: none is PVE's own policy; an empty line clears every
// policy (SeccompCustom with no file: no filter at all); any path is
// SeccompCustom until the caller recovers a provider-written policy from the
// file's content (nodesync.Recoverer). Errno and syscalls of a default or
// custom policy stay as configured, so the difference shows on mode alone.
func observeSeccomp(s *Spec, configured seccomp.Policy, lxc LXCView) {
	s.Seccomp = configured
	s.SeccompProfile = ""
	switch {
	case lxc.SeccompCleared:
		s.Seccomp.Mode = SeccompCustom
	case lxc.SeccompProfile == "":
		s.Seccomp.Mode = seccomp.ModeDefault
	default:
		s.Seccomp.Mode, s.SeccompProfile = SeccompCustom, lxc.SeccompProfile
	}
}

// validateSeccomp maps the seccomp package's findings to attributes.
func validateSeccomp(s Spec) []Problem {
	var ps []Problem
	for _, pr := range seccomp.Validate(SeccompPolicy(s)) {
		path := []any{"seccomp", pr.Field}
		switch pr.Field {
		case "keyctl", "mknod":
			path = []any{"features", pr.Field}
		}
		ps = append(ps, Problem{Path: path, Summary: "Seccomp: " + pr.Summary, Detail: pr.Detail, Warning: pr.Warning})
	}
	if s.Seccomp.Mode == seccomp.ModeAllowlist {
		ps = append(ps, Problem{Path: []any{"seccomp", "mode"}, Warning: true, Summary: "Seccomp allowlist: every syscall not listed fails",
			Detail: "An allowlist must name every system call the container's init, services and tools ever make (trace them with " +
				"strace -f -c or a seccomp log run first). A missing one fails with the configured errno at run time, often " +
				"far from its cause. The hardened denylist still applies on top."})
	}
	return ps
}
