package policy

import (
	"fmt"
	"path"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/textdist"
)

// ValidateExceptions reports exceptions that name no rule of the catalogue
// (suggesting the closest ID), have no reason, repeat a rule, or except a
// rule the baseline does not let containers except. Paths are
// {"exceptions", i, "rule"} and {"exceptions", i, "reason"}.
func ValidateExceptions(ex []Exception, b Baseline) []hardening.Problem {
	var ps []hardening.Problem
	seen := map[string]int{}
	for i, e := range ex {
		at := func(attr string) []any { return []any{"exceptions", i, attr} }
		r, known := Lookup(e.Rule)
		switch {
		case !known:
			ps = append(ps, hardening.Problem{Path: at("rule"), Summary: "Unknown policy rule",
				Detail: fmt.Sprintf("%q is not a rule ID of the policy catalogue. %s", e.Rule, suggestRule(e.Rule))})
		case contains(b.NoExceptions, e.Rule):
			ps = append(ps, hardening.Problem{Path: at("rule"), Summary: "Rule cannot be excepted",
				Detail: fmt.Sprintf("The baseline allows no exception to %s (%s): %s Remove the exception and comply: %s",
					r.ID, r.Title, r.why, plain(r.Remedy))})
		default:
			if j, dup := seen[e.Rule]; dup {
				ps = append(ps, hardening.Problem{Path: at("rule"), Summary: "Duplicate exception",
					Detail: fmt.Sprintf("exceptions[%d] already excepts %s; give each rule one exception with one reason.", j, e.Rule)})
			} else {
				seen[e.Rule] = i
			}
		}
		if strings.TrimSpace(e.Reason) == "" {
			ps = append(ps, hardening.Problem{Path: at("reason"), Summary: "Exception without a reason",
				Detail: "An exception must say why this container may deviate from the baseline (the reason is kept with the findings " +
					"for review), e.g. reason = \"needs FUSE for sshfs; ticket SEC-123\"."})
		}
	}
	return ps
}

// suggestRule names the rule ID closest to id, or lists them all.
func suggestRule(id string) string {
	ids := make([]string, len(catalogue))
	for i, r := range catalogue {
		ids[i] = r.ID
	}
	if best := textdist.Closest(strings.ToUpper(strings.TrimSpace(id)), ids, 3); best != "" {
		return fmt.Sprintf("Did you mean %q?", best)
	}
	return "Rule IDs: " + strings.Join(ids, ", ") + "."
}

// ValidateBaseline reports settings no container could meet or that name
// nothing real. Paths are {"baseline", "<setting>"} (setting names as in
// the rule guide).
func ValidateBaseline(b Baseline) []hardening.Problem {
	var ps []hardening.Problem
	add := func(setting, summary, detail string, a ...any) {
		ps = append(ps, hardening.Problem{Path: []any{"baseline", setting}, Summary: summary, Detail: fmt.Sprintf(detail, a...)})
	}
	validateBaselineLimits(b, add)
	validateBaselineNetwork(b, add)
	validateBaselineConfinement(b, add)
	validateBaselineNames(b, add)
	return ps
}

// addProblem reports a problem of a baseline setting: its summary, and its
// detail as a fmt format with its arguments.
type addProblem func(setting, summary, detail string, a ...any)

// validateBaselineLimits checks the capabilities to drop, the maxima and the
// guest files.
func validateBaselineLimits(b Baseline, add addProblem) {
	for _, c := range b.RequiredDropCapabilities {
		if err := hardening.ValidateCapability(c); err != nil {
			add("required_drop_capabilities", "Invalid capability", "%v", err)
		}
	}
	for _, m := range []struct {
		setting string
		v       int
	}{{"max_memory", b.MaxMemoryMiB}, {"max_swap", b.MaxSwapMiB}, {"max_cores", b.MaxCores}, {"max_pids", b.MaxPids}} {
		if m.v < 0 {
			add(m.setting, "Negative maximum", "%s = %d: a maximum is a positive number, or 0 for no maximum.", m.setting, m.v)
		}
	}
	for _, f := range b.RequiredGuestFiles {
		if !strings.HasPrefix(f, "/") || path.Clean(f) != f || f == "/" || strings.ContainsFunc(f, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			add("required_guest_files", "Invalid path", "%q is not an absolute, clean path inside the container (e.g. \"/var/ossec/bin/wazuh-agentd\").", f)
		}
	}
}

// validateBaselineNetwork checks the allowed bridges and VLANs.
func validateBaselineNetwork(b Baseline, add addProblem) {
	for _, br := range b.AllowedBridges {
		if strings.TrimSpace(br) == "" {
			add("allowed_bridges", "Empty bridge name", "allowed_bridges lists an empty name; list bridges such as \"vmbr20\" (an empty list allows any "+
				"bridge).")
		}
	}
	for _, v := range b.AllowedVLANs {
		if v < 1 || v > 4094 {
			add("allowed_vlans", "Invalid VLAN", "%d is not a VLAN tag: tags are 1 to 4094.", v)
		}
	}
}

// validateBaselineConfinement checks the allowed features, AppArmor profiles
// and seccomp modes.
func validateBaselineConfinement(b Baseline, add addProblem) {
	for _, f := range b.AllowedFeatures {
		if !contains(Features, f) {
			add("allowed_features", "Unknown feature", "%q is not a container feature; features are: %s.", f, strings.Join(Features, ", "))
		}
	}
	for _, p := range b.AllowedAppArmorProfiles {
		switch {
		case isUnconfined(p):
			add("allowed_apparmor_profiles", "Unconfined cannot be allowed",
				"%q would allow containers without AppArmor; HC-AA-001 never lets them pass. Remove it and list confining "+
					"profiles (\"hardened\", \"generated\", \"lxc-*\").", p)
		case strings.TrimSpace(p) == "":
			add("allowed_apparmor_profiles", "Empty profile name", "allowed_apparmor_profiles lists an empty name; list profiles such as \"hardened\" or "+
				"\"lxc-web*\".")
		}
	}
	for _, m := range b.AllowedSeccompModes {
		switch {
		case m == seccompCustom:
			add("allowed_seccomp_modes", "Custom seccomp policies cannot be allowed",
				"\"custom\" is a policy file the provider did not write; HC-SC-001 never lets it pass. Allow \"denylist\", \"allowlist\" or \"default\".")
		case !contains(SeccompModes, m):
			add("allowed_seccomp_modes", "Unknown seccomp mode", "%q is not a seccomp mode; modes are: default, denylist, allowlist.", m)
		}
	}
}

// validateBaselineNames checks the required tags and mount options and the
// rule IDs no container may except.
func validateBaselineNames(b Baseline, add addProblem) {
	for _, t := range b.RequiredTags {
		if strings.TrimSpace(t) == "" {
			add("required_tags", "Empty tag", "required_tags lists an empty tag, which no container can carry; write a tag or a prefix such as \"owner-*\".")
		}
	}
	for _, o := range b.RequiredMountOptions {
		if !contains(hardening.MountOptions, o) {
			add("required_mount_options", "Unknown mount option", "%q is not a mount option PVE accepts; options are: %s.", o,
				strings.Join(hardening.MountOptions, ", "))
		}
	}
	for _, id := range b.NoExceptions {
		if _, ok := Lookup(id); !ok {
			add("no_exceptions", "Unknown policy rule", "%q is not a rule ID of the policy catalogue. %s", id, suggestRule(id))
		}
	}
}
