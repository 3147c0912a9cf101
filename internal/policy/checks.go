package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// The rules' checks. Each detail is one line that names the observed value
// (never a secret's value) and, on failure, the baseline's limit.

const notRequired = "not required by the baseline"

func checkUnprivileged(s hardening.Spec, _ Baseline) (bool, string, []any) {
	if !s.Unprivileged {
		return false, "unprivileged = false: root in the container is root on the host", nil
	}
	return true, "unprivileged = true: root in the container maps to an unprivileged host UID", nil
}

func isUnconfined(profile string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(profile)), "unconfined")
}

func checkNotUnconfined(s hardening.Spec, _ Baseline) (bool, string, []any) {
	if isUnconfined(s.AppArmorProfile) {
		return false, fmt.Sprintf("apparmor_profile = %q disables AppArmor for the container", s.AppArmorProfile), nil
	}
	return true, fmt.Sprintf("apparmor_profile = %q confines the container", s.AppArmorProfile), nil
}

func checkAppArmorAllowed(s hardening.Spec, b Baseline) (bool, string, []any) {
	p := s.AppArmorProfile
	switch {
	case isUnconfined(p):
		return false, fmt.Sprintf("apparmor_profile = %q is never allowed", p), nil
	case len(b.AllowedAppArmorProfiles) == 0:
		return true, fmt.Sprintf("apparmor_profile = %q (the baseline allows any confining profile)", p), nil
	}
	for _, a := range b.AllowedAppArmorProfiles {
		if matchGlob(a, p) {
			return true, fmt.Sprintf("apparmor_profile = %q is allowed by the baseline entry %q", p, a), nil
		}
	}
	return false, fmt.Sprintf("apparmor_profile = %q is not among the allowed profiles %s", p, quoted(b.AllowedAppArmorProfiles)), nil
}

// seccompMode is the container's effective mode (the zero Mode is the denylist).
func seccompMode(s hardening.Spec) string {
	if s.Seccomp.Mode == "" {
		return "denylist"
	}
	return string(s.Seccomp.Mode)
}

func checkSeccompMode(s hardening.Spec, b Baseline) (bool, string, []any) {
	m := seccompMode(s)
	if m == seccompCustom {
		d := "seccomp mode \"custom\": the container's pct.conf names a policy file the provider did not write"
		if s.SeccompProfile != "" {
			d = fmt.Sprintf("seccomp mode \"custom\": the container's pct.conf names %s, a policy file the provider did not write", s.SeccompProfile)
		}
		return false, d, nil
	}
	label := fmt.Sprintf("seccomp mode %q", m)
	if m == "default" {
		label += " (PVE's own policy)"
	}
	if len(b.AllowedSeccompModes) == 0 || contains(b.AllowedSeccompModes, m) {
		return true, label + " is allowed by the baseline", nil
	}
	return false, fmt.Sprintf("%s is not among the allowed modes %s", label, quoted(b.AllowedSeccompModes)), nil
}

func checkUserNamespaces(s hardening.Spec, b Baseline) (bool, string, []any) {
	switch m := seccompMode(s); {
	case !b.DenyUserNamespaces:
		return true, "denying user namespaces is not required by the baseline", nil
	case m == seccompCustom:
		// HC-SC-001 fails on a foreign policy file whatever it says
		return true, "seccomp mode \"custom\": judged by HC-SC-001 (a policy file the provider did not write never passes)", nil
	case m == "default" && len(b.AllowedSeccompModes) > 0 && !contains(b.AllowedSeccompModes, m):
		// one verdict per cause: HC-SC-001 fails (or is excepted) on the mode
		return true, "seccomp mode \"default\": judged by HC-SC-001 (the baseline does not allow PVE's own policy, which lets the container create " +
			"user namespaces)", nil
	case m == "default":
		return false, "seccomp mode \"default\": PVE's own policy lets the container create user namespaces", nil
	case s.Features.Nesting:
		return true, "user namespaces are allowed by features.nesting, which HC-FEAT-001 governs", nil
	case s.Seccomp.UserNamespaces:
		return false, "seccomp.allow_user_namespaces = true: the container may create user namespaces", nil
	}
	return true, "unshare and clone with CLONE_NEWUSER and clone3 are denied", nil
}

func checkCapabilities(s hardening.Spec, b Baseline) (bool, string, []any) {
	var required []string
	for _, c := range b.RequiredDropCapabilities {
		required = append(required, hardening.NormalizeCapability(c))
	}
	if len(required) == 0 {
		return true, "the baseline requires no capability drops", nil
	}
	c := s.Capabilities
	if c.KeepMode {
		kept := set(c.Keep, hardening.NormalizeCapability)
		var bad []string
		for _, r := range required {
			if kept[r] {
				bad = append(bad, r)
			}
		}
		if len(bad) > 0 {
			return false, fmt.Sprintf("capabilities.keep keeps %s, which the baseline requires dropped", strings.Join(bad, ", ")),
				[]any{"capabilities", "keep"}
		}
		return true, fmt.Sprintf("capabilities.keep = %s keeps none of the %d capabilities the baseline requires dropped", list(c.Keep), len(required)),
			[]any{"capabilities", "keep"}
	}
	dropped := set(c.Drop, hardening.NormalizeCapability)
	var missing []string
	for _, r := range required {
		if !dropped[r] && !dropped["all"] {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return false, fmt.Sprintf("capabilities.drop lacks %s (%d of the %d capabilities the baseline requires dropped)",
			strings.Join(missing, ", "), len(missing), len(required)), nil
	}
	return true, fmt.Sprintf("capabilities.drop includes all %d capabilities the baseline requires dropped", len(required)), nil
}

// checkLimit is the shape of the cgroup rules: the value must be set
// (when mustSet) and at most limit (0: no maximum).
func checkLimit(attr, unit string, v, limit int, mustSet bool, unsetMeaning string) (bool, string, []any) {
	withUnit := func(n int) string {
		if unit == "" {
			return strconv.Itoa(n)
		}
		return fmt.Sprintf("%d %s", n, unit)
	}
	switch {
	case mustSet && v <= 0:
		return false, fmt.Sprintf("%s = %d: %s", attr, v, unsetMeaning), nil
	case limit > 0 && v > limit:
		return false, fmt.Sprintf("%s = %s exceeds the baseline maximum %s", attr, withUnit(v), withUnit(limit)), nil
	case limit > 0:
		return true, fmt.Sprintf("%s = %s is within the baseline maximum %s", attr, withUnit(v), withUnit(limit)), nil
	}
	return true, fmt.Sprintf("%s = %s (the baseline sets no maximum)", attr, withUnit(v)), nil
}

func checkMemory(s hardening.Spec, b Baseline) (bool, string, []any) {
	return checkLimit("memory", "MiB", s.MemoryMiB, b.MaxMemoryMiB, true, "no memory limit")
}

func checkSwap(s hardening.Spec, b Baseline) (bool, string, []any) {
	return checkLimit("swap", "MiB", s.SwapMiB, b.MaxSwapMiB, false, "")
}

func checkCores(s hardening.Spec, b Baseline) (bool, string, []any) {
	return checkLimit("cores", "", s.Cores, b.MaxCores, true, "the container may use every host core")
}

func checkPids(s hardening.Spec, b Baseline) (bool, string, []any) {
	if s.PidsMax <= 0 {
		return false, "pids_max is not set: no process limit (no lxc.cgroup2.pids.max line, \"max\", or an empty one)", nil
	}
	return checkLimit("pids_max", "", s.PidsMax, b.MaxPids, true, "no process limit")
}

func checkCPULimit(s hardening.Spec, b Baseline) (bool, string, []any) {
	v := strconv.FormatFloat(s.CPULimit, 'g', -1, 64)
	switch {
	case !b.RequireCPULimit:
		return true, fmt.Sprintf("%s (cpu_limit = %s)", notRequired, v), nil
	case s.CPULimit <= 0:
		return false, fmt.Sprintf("cpu_limit = %s: no CPU time limit", v), nil
	}
	return true, fmt.Sprintf("cpu_limit = %s cores", v), nil
}

func checkBridges(s hardening.Spec, b Baseline) (bool, string, []any) {
	if len(s.NICs) == 0 {
		return true, "no network interfaces", nil
	}
	if len(b.AllowedBridges) == 0 {
		var used []string
		for _, n := range s.NICs {
			used = append(used, n.Bridge)
		}
		return true, fmt.Sprintf("the baseline allows any bridge (used: %s)", quoted(used)), nil
	}
	var bad []string
	var at []any
	for i, n := range s.NICs {
		if !contains(b.AllowedBridges, n.Bridge) {
			bad = append(bad, fmt.Sprintf("network[%d].bridge = %q", i, n.Bridge))
			if at == nil {
				at = []any{"network", i, "bridge"}
			}
		}
	}
	if len(bad) > 0 {
		return false, fmt.Sprintf("%s not allowed (allowed bridges: %s)", strings.Join(bad, ", ")+isAre(len(bad)), quoted(b.AllowedBridges)), at
	}
	return true, fmt.Sprintf("every interface is on an allowed bridge (%s)", quoted(b.AllowedBridges)), nil
}

func isAre(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

func checkVLANs(s hardening.Spec, b Baseline) (bool, string, []any) {
	if !b.RequireVLAN && len(b.AllowedVLANs) == 0 {
		return true, notRequired, nil
	}
	if len(s.NICs) == 0 {
		return true, "no network interfaces", nil
	}
	var bad []string
	var at []any
	for i, n := range s.NICs {
		var problem string
		switch {
		case n.VLAN == 0 && b.RequireVLAN:
			problem = fmt.Sprintf("network[%d] is untagged", i)
		case n.VLAN != 0 && len(b.AllowedVLANs) > 0 && !containsInt(b.AllowedVLANs, n.VLAN):
			problem = fmt.Sprintf("network[%d].vlan = %d is not an allowed VLAN", i, n.VLAN)
		default:
			continue
		}
		bad = append(bad, problem)
		if at == nil {
			at = []any{"network", i, "vlan"}
		}
	}
	allowed := "any"
	if len(b.AllowedVLANs) > 0 {
		allowed = ints(b.AllowedVLANs)
	}
	if len(bad) > 0 {
		return false, fmt.Sprintf("%s (allowed VLANs: %s)", strings.Join(bad, "; "), allowed), at
	}
	var used []string
	for _, n := range s.NICs {
		used = append(used, strconv.Itoa(n.VLAN))
	}
	return true, fmt.Sprintf("interface VLANs %s comply (allowed VLANs: %s)", strings.Join(used, ", "), allowed), nil
}

func checkFirewall(s hardening.Spec, b Baseline) (bool, string, []any) {
	if !b.RequireFirewall {
		return true, fmt.Sprintf("%s (firewall.enabled = %t)", notRequired, s.Firewall.Enabled), nil
	}
	var bad []string
	var at []any
	if !s.Firewall.Enabled {
		bad = append(bad, "firewall.enabled = false: no firewall rule or policy applies")
		at = []any{"firewall", "enabled"}
	}
	for i, n := range s.NICs {
		if !n.Firewall {
			bad = append(bad, fmt.Sprintf("network[%d].firewall = false: the interface bypasses the firewall", i))
			if at == nil {
				at = []any{"network", i, "firewall"}
			}
		}
	}
	if len(bad) > 0 {
		return false, strings.Join(bad, "; "), at
	}
	return true, fmt.Sprintf("firewall.enabled = true and every interface (%d) has firewall = true", len(s.NICs)), nil
}

// pveDefaultPolicy is PVE's policy for an unset policy_in/policy_out.
var pveDefaultPolicy = map[string]string{"in": "DROP", "out": "ACCEPT"}

func checkPolicy(dir, policy string, required bool) (bool, string, []any) {
	attr := "firewall.policy_" + dir
	v := strings.ToUpper(strings.TrimSpace(policy))
	shown := fmt.Sprintf("%s = %q", attr, policy)
	if v == "" {
		v = pveDefaultPolicy[dir]
		shown = fmt.Sprintf("%s is unset (PVE's default %s)", attr, v)
	}
	switch {
	case !required:
		return true, fmt.Sprintf("%s (%s)", notRequired, shown), nil
	case v == "DROP" || v == "REJECT":
		return true, shown + ": traffic no rule allows is denied", nil
	}
	return false, shown + ": traffic no rule matches is accepted", nil
}

func checkPolicyIn(s hardening.Spec, b Baseline) (bool, string, []any) {
	return checkPolicy("in", s.Firewall.PolicyIn, b.RequireDefaultDenyIn)
}

func checkPolicyOut(s hardening.Spec, b Baseline) (bool, string, []any) {
	return checkPolicy("out", s.Firewall.PolicyOut, b.RequireDefaultDenyOut)
}

// enabledFeatures are the container's features as "name" and HCL text.
func enabledFeatures(f hardening.Features) (names, shown []string) {
	for _, x := range []struct {
		name string
		on   bool
	}{{"nesting", f.Nesting}, {"keyctl", f.Keyctl}, {"fuse", f.Fuse}, {"mknod", f.Mknod}} {
		if x.on {
			names = append(names, x.name)
			shown = append(shown, "features."+x.name+" = true")
		}
	}
	if len(f.Mount) > 0 {
		names = append(names, "mount")
		shown = append(shown, "features.mount = "+list(f.Mount))
	}
	return names, shown
}

func checkFeatures(s hardening.Spec, b Baseline) (bool, string, []any) {
	names, shown := enabledFeatures(s.Features)
	if len(names) == 0 {
		return true, "no features enabled", nil
	}
	var bad []string
	var at []any
	for i, n := range names {
		if !contains(b.AllowedFeatures, n) {
			bad = append(bad, shown[i])
			if at == nil {
				at = []any{"features", n}
			}
		}
	}
	allowed := "none"
	if len(b.AllowedFeatures) > 0 {
		allowed = strings.Join(b.AllowedFeatures, ", ")
	}
	if len(bad) > 0 {
		return false, fmt.Sprintf("%s not allowed by the baseline (allowed features: %s)", strings.Join(bad, ", ")+isAre(len(bad)), allowed), at
	}
	return true, fmt.Sprintf("%s allowed by the baseline", strings.Join(shown, ", ")+isAre(len(shown))), nil
}

func checkEnvironmentSecrets(s hardening.Spec, b Baseline) (bool, string, []any) {
	if !b.ForbidSecrets {
		return true, notRequired, nil
	}
	if hits := envSecrets(s.Environment); len(hits) > 0 {
		return false, "the environment holds secret-looking values: " + strings.Join(hits, ", "), nil
	}
	if len(s.Environment) == 0 {
		return true, "the environment is empty", nil
	}
	return true, fmt.Sprintf("no secret-looking value among %d environment entries", len(s.Environment)), nil
}

func checkDescriptionSecrets(s hardening.Spec, b Baseline) (bool, string, []any) {
	if !b.ForbidSecrets {
		return true, notRequired, nil
	}
	if hits := textSecrets(s.Description); len(hits) > 0 {
		return false, "description contains " + strings.Join(hits, ", "), nil
	}
	return true, "description has no secret-looking text", nil
}

func checkTags(s hardening.Spec, b Baseline) (bool, string, []any) {
	if len(b.RequiredTags) == 0 {
		return true, "the baseline requires no tags", nil
	}
	var missing []string
	for _, want := range b.RequiredTags {
		found := false
		for _, t := range s.Tags {
			if matchGlob(want, t) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return false, fmt.Sprintf("tags = %s has no tag matching %s", list(s.Tags), quoted(missing)), nil
	}
	return true, fmt.Sprintf("tags = %s match every required tag (%s)", list(s.Tags), quoted(b.RequiredTags)), nil
}

func checkBool(attr string, v, required bool) (bool, string, []any) {
	if !required {
		return true, fmt.Sprintf("%s (%s = %t)", notRequired, attr, v), nil
	}
	return v, fmt.Sprintf("%s = %t", attr, v), nil
}

func checkOnBoot(s hardening.Spec, b Baseline) (bool, string, []any) {
	return checkBool("onboot", s.OnBoot, b.RequireOnBoot)
}

func checkProtection(s hardening.Spec, b Baseline) (bool, string, []any) {
	return checkBool("protection", s.Protection, b.RequireProtection)
}

func checkMountOptions(s hardening.Spec, b Baseline) (bool, string, []any) {
	if len(b.RequiredMountOptions) == 0 {
		return true, "the baseline requires no mount options", nil
	}
	have := set(s.RootFS.MountOptions, strings.TrimSpace)
	var missing []string
	for _, o := range b.RequiredMountOptions {
		if !have[o] {
			missing = append(missing, o)
		}
	}
	if len(missing) > 0 {
		return false, fmt.Sprintf("rootfs.mount_options = %s lacks %s", list(s.RootFS.MountOptions), quoted(missing)), nil
	}
	return true, fmt.Sprintf("rootfs.mount_options = %s includes %s", list(s.RootFS.MountOptions), quoted(b.RequiredMountOptions)), nil
}

func checkConsole(s hardening.Spec, b Baseline) (bool, string, []any) {
	shown := fmt.Sprintf("console_mode = %q", s.CMode)
	switch {
	case !b.ForbidShellConsole:
		return true, fmt.Sprintf("%s (%s)", notRequired, shown), nil
	case s.CMode == "shell":
		return false, shown + ": the console opens a root shell without login", nil
	}
	return true, shown + ": the console asks for a login", nil
}

// helpers

// matchGlob matches v against a baseline entry: exact, or by prefix when
// the entry ends in "*".
func matchGlob(pattern, v string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(v, prefix)
	}
	return pattern == v
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

func containsInt(l []int, v int) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

func set(l []string, norm func(string) string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, x := range l {
		m[norm(x)] = true
	}
	return m
}

// quoted renders names as "a", "b".
func quoted(l []string) string {
	q := make([]string, len(l))
	for i, x := range l {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

// list renders names as an HCL list: ["a", "b"].
func list(l []string) string { return "[" + quoted(l) + "]" }

func ints(l []int) string {
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
