package hardening

import (
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// ConfinementPaths are the provider-written files the raw lines name (a
// generated AppArmor profile, a seccomp policy under seccomp.Dir): the
// observation reads them so that only an intact file counts as the
// provider's (Observed.Files).
func ConfinementPaths(lines []pctconf.Line) []string {
	v := ApplyLXC(lines)
	var out []string
	if strings.HasPrefix(v.AppArmorProfile, apparmor.NamePrefix) {
		out = append(out, apparmor.Dir+"/"+v.AppArmorProfile)
	}
	if strings.HasPrefix(v.SeccompProfile, seccomp.Dir+"/") {
		out = append(out, v.SeccompProfile)
	}
	return out
}

// recoverConfinement replaces a generated AppArmor profile's name and a
// provider-written seccomp policy's path by the typed settings their files
// hold, when the files (files[path]) are intact. A missing or edited file
// leaves the raw name or path: HC-AA-002 / HC-SC-001 fail on it, in the
// container's compliance and in the audit alike. Features shape both files;
// a feature changed by hand must not make the provider's own file look
// foreign (the feature shows as drift on its own), so every combination is
// tried.
//
// An intact file whose name is the configured settings' keeps those
// settings as configured (a denylist file, for one, does not carry the
// errno an allowlist would use).
func recoverConfinement(s *Spec, configured seccomp.Policy, files map[string][]byte) {
	if strings.HasPrefix(s.AppArmorProfile, apparmor.NamePrefix) {
		if text := files[apparmor.Dir+"/"+s.AppArmorProfile]; text != nil {
			if a, ok := apparmor.RecoverGenerated(s.AppArmorProfile, text); ok {
				if apparmor.Name(a) != apparmor.Name(AppArmorSettings(*s)) {
					a.Nesting, a.MountFSTypes = false, nil // features, not apparmor settings
					s.AppArmor = a
				}
				s.AppArmorProfile = AppArmorHardened
			}
		}
	}
	if s.Seccomp.Mode == SeccompCustom && strings.HasPrefix(s.SeccompProfile, seccomp.Dir+"/") {
		if text := files[s.SeccompProfile]; text != nil {
			for _, f := range seccompFeatureCombos(*s, configured) {
				p, ok := seccomp.Recover(s.SeccompProfile, text, f[0], f[1], f[2])
				if !ok {
					continue
				}
				mine := configured
				mine.Keyctl, mine.Mknod, mine.UserNamespaces = f[0], f[1], f[2]
				mine.Syscalls = SortedUnique(mine.Syscalls)
				if mine.Path() == s.SeccompProfile {
					p = configured
				}
				p.Keyctl, p.Mknod = false, false // features, not seccomp settings
				p.UserNamespaces = f[2]
				if f[2] && s.Features.Nesting {
					// nesting explains the allowed user namespaces: the
					// attribute cannot be told from the file
					p.UserNamespaces = configured.UserNamespaces
				}
				s.Seccomp, s.SeccompProfile = p, ""
				break
			}
		}
	}
}

// seccompFeatureCombos are the (keyctl, mknod, user namespaces) settings a
// provider-written policy may have been rendered with: the observed ones
// first, then every other combination.
func seccompFeatureCombos(s Spec, configured seccomp.Policy) [][3]bool {
	first := [3]bool{s.Features.Keyctl, s.Features.Mknod, configured.UserNamespaces || s.Features.Nesting}
	out := [][3]bool{first}
	for i := 0; i < 8; i++ {
		c := [3]bool{i&1 != 0, i&2 != 0, i&4 != 0}
		if c != first {
			out = append(out, c)
		}
	}
	return out
}
