package hardening

import (
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

// LXCDefaultAppArmorProfile is the profile LXC itself applies when a
// config names none (an empty lxc.apparmor.profile line clears PVE's
// choice, and PVE emits no AppArmor lines of its own once the raw config
// has that key).
const LXCDefaultAppArmorProfile = "lxc-container-default-cgns"

// LXCView is what LXC applies from a container's raw lxc.* lines, key by
// key with LXC's own semantics (lxc/lxc src/lxc/confile.c of LXC 5.0, the
// LXC of PVE 8 and 9; proven against real LXC by TestApplyLXCMatchesLXC):
//   - lxc.cap.drop and lxc.cap.keep fill ONE list of capabilities, a drop
//     list or a keep list (struct lxc_conf caps.list and caps.keep).
//     Values accumulate; an empty value of either key clears the whole list
//     and leaves no keep mode (lxc_clear_config_caps): an empty
//     lxc.cap.drop also ends keep mode, an empty lxc.cap.keep also forgets
//     the drops, and the container then keeps every capability.
//   - the token "none" in lxc.cap.keep clears the list but keeps the keep
//     mode: "keep nothing" (then the line's later names are kept).
//   - a capability is a lower-case name of capabilities(7) without CAP_ or
//     its number; LXC keeps the name, Caps holds the name for a number.
//   - LXC refuses the whole config (lxc-start fails, the container does not
//     start) at an lxc.cap.keep line while drops are listed, an
//     lxc.cap.drop line in keep mode ("Keeping and dropping capabilities
//     are mutually exclusive"), "none" in lxc.cap.drop, and a name it does
//     not know (CAP_SYS_ADMIN, Sys_Admin): Refused says why.
//   - single-value keys (lxc.apparmor.profile, lxc.seccomp.profile,
//     lxc.cgroup2.pids.max, each lxc.prlimit.<name>) take the last value;
//     an empty value clears the key.
//
// The lines are read as PVE places them for an unprivileged container:
// after LXC's userns.conf, whose "lxc.cap.drop =" and "lxc.cap.keep ="
// leave an empty capability list (so "lxc.cap.keep = none" is valid
// there). The provider manages unprivileged containers only.
//
// Lines of every other key are Raw, verbatim and in order: an empty value
// there clears PVE's own lines of that key (an empty lxc.idmap drops the
// user namespace mapping), so none of them is ever folded away.
type LXCView struct {
	// Caps are the capabilities LXC drops (Drop) or keeps (KeepMode, Keep).
	// A line LXC refuses is folded in as written (a keep beside drops, an
	// unknown name verbatim), so the observation differs from every config
	// the provider writes and a plan shows the difference.
	Caps Capabilities
	// Refused is LXC's reason for refusing the first capability line it
	// cannot load ("" when it loads them all): lxc-start fails on it.
	Refused string
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
	for _, l := range lines {
		val := strings.TrimSpace(l.Value)
		switch {
		case l.Key == "lxc.cap.drop" || l.Key == "lxc.cap.keep":
			v.applyCap(l.Key, val)
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
	v.Caps.Drop = SortedUnique(v.Caps.Drop)
	v.Caps.Keep = SortedUnique(v.Caps.Keep)
	if len(v.PRLimits) == 0 {
		v.PRLimits = nil
	}
	return v
}

const prlimitPrefix = "lxc.prlimit."

// applyCap is set_config_cap_drop / set_config_cap_keep of LXC 5.0
// (add_cap_entry, lxc_clear_config_caps, parse_cap).
func (v *LXCView) applyCap(key, val string) {
	keep := key == "lxc.cap.keep"
	if val == "" {
		v.Caps = Capabilities{}
		return
	}
	if keep && !v.Caps.KeepMode && len(v.Caps.Drop) > 0 || !keep && v.Caps.KeepMode {
		v.refuse(key + " = " + val + ": keeping and dropping capabilities are mutually exclusive (an empty lxc.cap.drop or lxc.cap.keep line before " +
			"it would clear the list)")
	}
	for _, tok := range strings.Fields(val) {
		if tok == "none" && keep {
			v.Caps.Keep = nil
			continue
		}
		name, ok := lxcCapability(tok)
		if !ok {
			if tok == "none" {
				v.refuse(key + " = " + val + `: "none" is only valid in lxc.cap.keep`)
			} else {
				v.refuse(key + " = " + val + ": " + strconv.Quote(tok) + " is not a capability LXC knows (lower case, without CAP_, or its number)")
			}
			name = tok
		}
		if keep {
			v.Caps.Keep = append(v.Caps.Keep, name)
		} else {
			v.Caps.Drop = append(v.Caps.Drop, name)
		}
	}
	if keep {
		v.Caps.KeepMode = true
	}
}

func (v *LXCView) refuse(reason string) {
	if v.Refused == "" {
		v.Refused = reason
	}
}

// lxcCapability is LXC's parse_cap: a name of its table (exactly as
// AllCapabilities spells them) or a number up to the last capability,
// returned as its name.
func lxcCapability(tok string) (string, bool) {
	if capSet[tok] {
		return tok, true
	}
	if n, err := strconv.ParseUint(tok, 10, 32); err == nil && n < uint64(len(AllCapabilities)) {
		return AllCapabilities[n], true
	}
	return "", false
}
