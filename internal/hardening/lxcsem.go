package hardening

import (
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

// LXCDefaultAppArmorProfile is the profile LXC itself applies when a
// config names none (an empty lxc.apparmor.profile line clears PVE's
// choice, and PVE emits no AppArmor lines of its own once the raw config
// has that key).
const LXCDefaultAppArmorProfile = "lxc-container-default-cgns"

// LXCView is what LXC applies from a container's raw lxc.* lines, key by
// key with LXC's own semantics (lxc/lxc src/lxc/confile.c):
//   - lxc.cap.drop and lxc.cap.keep accumulate; an empty value clears every
//     earlier value (clr_config_cap_drop / clr_config_cap_keep); in
//     cap.keep the token "none" clears the earlier keeps but keeps the
//     keep mode: "keep nothing". An empty keep list leaves no keep mode:
//     the container keeps every capability the drop list does not name.
//   - single-value keys (lxc.apparmor.profile, lxc.seccomp.profile,
//     lxc.cgroup2.pids.max, each lxc.prlimit.<name>) take the last value;
//     an empty value clears the key.
//
// Lines of every other key are Raw, verbatim and in order: an empty value
// there clears PVE's own lines of that key (an empty lxc.idmap drops the
// user namespace mapping), so none of them is ever folded away.
type LXCView struct {
	Caps Capabilities
	// PidsMax is 0 when no limit applies (no line, "max", or cleared).
	PidsMax int
	// AppArmorProfile is "" when no line names one (PVE's generated
	// profile applies).
	AppArmorProfile string
	// SeccompProfile is the policy file; SeccompCleared is set when the
	// last line is empty (no filter at all: PVE's policy line is cleared).
	SeccompProfile string
	SeccompCleared bool
	PRLimits       map[string]string
	// Environment are lxc.environment.runtime values (PVE's env).
	Environment []string
	Raw         []pctconf.Line
}

// ApplyLXC evaluates raw lines in file order.
func ApplyLXC(lines []pctconf.Line) LXCView {
	var v LXCView
	keepSeen := false
	for _, l := range lines {
		val := strings.TrimSpace(l.Value)
		switch {
		case l.Key == "lxc.cap.drop":
			if val == "" {
				v.Caps.Drop = nil
				continue
			}
			v.Caps.Drop = append(v.Caps.Drop, strings.Fields(val)...)
		case l.Key == "lxc.cap.keep":
			if val == "" {
				v.Caps.Keep, keepSeen = nil, false
				continue
			}
			keepSeen = true
			for _, k := range strings.Fields(val) {
				if k == "none" {
					v.Caps.Keep = nil
					continue
				}
				v.Caps.Keep = append(v.Caps.Keep, k)
			}
		case l.Key == "lxc.cgroup2.pids.max":
			v.PidsMax = 0
			if val != "max" {
				v.PidsMax = atoi(val)
			}
		case l.Key == "lxc.apparmor.profile":
			v.AppArmorProfile = val
			if val == "" {
				v.AppArmorProfile = LXCDefaultAppArmorProfile
			}
		case l.Key == "lxc.seccomp.profile":
			v.SeccompProfile, v.SeccompCleared = val, val == ""
		case strings.HasPrefix(l.Key, prlimitPrefix):
			if v.PRLimits == nil {
				v.PRLimits = map[string]string{}
			}
			name := strings.TrimPrefix(l.Key, prlimitPrefix)
			if val == "" {
				delete(v.PRLimits, name)
				continue
			}
			v.PRLimits[name] = val
		case l.Key == "lxc.environment.runtime":
			v.Environment = append(v.Environment, l.Value)
		default:
			v.Raw = append(v.Raw, l)
		}
	}
	v.Caps.KeepMode = keepSeen
	v.Caps.Drop = SortedUnique(v.Caps.Drop)
	v.Caps.Keep = SortedUnique(v.Caps.Keep)
	if len(v.PRLimits) == 0 {
		v.PRLimits = nil
	}
	return v
}

const prlimitPrefix = "lxc.prlimit."
