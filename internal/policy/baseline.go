// Package policy checks a container's hardening.Spec against an
// organisation's hardening baseline: a catalogue of rules with stable IDs
// (HC-<AREA>-<NNN>), each citing the seed document it comes from, evaluated
// into findings that pass, fail, or are excepted with a stated reason.
//
// The package is framework-free: resources translate their models into a
// hardening.Spec and a Baseline, and turn Violations (hardening.Problem
// values) into attribute diagnostics.
package policy

import (
	"fmt"
	"strconv"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// Severity ranks a rule by what a violation exposes.
type Severity string

// Severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// Status is a finding's outcome.
type Status string

// Statuses of a finding.
const (
	StatusPass     Status = "pass"
	StatusFail     Status = "fail"
	StatusExcepted Status = "excepted" // fails, but an exception with a reason covers it
)

// Feature names a baseline can allow (PVE's features flags; "mount" is a
// non-empty features.mount list).
var Features = []string{"nesting", "keyctl", "fuse", "mknod", "mount"}

// SeccompModes are the seccomp modes a container can be in: PVE's own
// policy ("default"), the provider's "denylist" or "allowlist", and
// "custom", an observed policy file the provider did not write (never
// passes HC-SC-001).
var SeccompModes = []string{"default", "denylist", "allowlist", seccompCustom}

// seccompCustom is hardening.SeccompCustom.
const seccompCustom = "custom"

// Baseline is an organisation's hardening baseline. Default is seed 000's
// audit checklist; every field is a plain value so the baseline can be set
// from configuration and shown in documentation.
type Baseline struct {
	// RequiredDropCapabilities must all be dropped: in drop mode each is in
	// capabilities.drop, in keep mode none is in capabilities.keep.
	RequiredDropCapabilities []string
	// MaxMemoryMiB: memory must be set (> 0) and at most this (0: no maximum).
	MaxMemoryMiB int
	// MaxSwapMiB: swap must be at most this (0: no maximum).
	MaxSwapMiB int
	// MaxCores: cores must be set (> 0, not "all host cores") and at most
	// this (0: no maximum).
	MaxCores int
	// RequireCPULimit: cpu_limit must be set (> 0).
	RequireCPULimit bool
	// MaxPids: pids_max must be set (> 0) and at most this (0: no maximum).
	MaxPids int
	// AllowedBridges every interface's bridge must be one of (empty: any).
	AllowedBridges []string
	// RequireVLAN: every interface has a VLAN tag.
	RequireVLAN bool
	// AllowedVLANs every tagged interface's VLAN must be one of (empty: any).
	AllowedVLANs []int
	// AllowedFeatures are the features (of Features) a container may turn on.
	AllowedFeatures []string
	// RequireFirewall: firewall.enabled and every interface's firewall flag.
	RequireFirewall bool
	// RequireDatacenterFirewall: the datacenter firewall (cluster.fw
	// [OPTIONS] enable) is on.
	RequireDatacenterFirewall bool
	// RequireDefaultDenyIn: firewall.policy_in is DROP or REJECT.
	RequireDefaultDenyIn bool
	// RequireDefaultDenyOut: firewall.policy_out is DROP or REJECT.
	RequireDefaultDenyOut bool
	// AllowedAppArmorProfiles the container's apparmor_profile must match;
	// an entry ending in "*" matches by prefix ("lxc-*"); empty: any.
	// "unconfined" is never allowed.
	AllowedAppArmorProfiles []string
	// AllowedSeccompModes the container's seccomp mode must be one of
	// (empty: any); "custom" never passes.
	AllowedSeccompModes []string
	// ForbidSecrets: no secret-looking values in the environment or the
	// description.
	ForbidSecrets bool
	// RequiredTags must each match one of the container's tags; an entry
	// ending in "*" matches by prefix ("owner-*").
	RequiredTags []string
	// RequireOnBoot: onboot = true.
	RequireOnBoot bool
	// RequireProtection: protection = true.
	RequireProtection bool
	// RequiredMountOptions must all be in rootfs.mount_options.
	RequiredMountOptions []string
	// ForbidShellConsole: console_mode is not "shell".
	ForbidShellConsole bool
	// DenyUserNamespaces: containers cannot create user namespaces
	// (seccomp.allow_user_namespaces false, a provider-written policy),
	// unless features.nesting allows them.
	DenyUserNamespaces bool
	// AllowedBindMountPrefixes are the host directories under which bind
	// mounts may be (empty: none). Protected host paths never pass.
	AllowedBindMountPrefixes []string
	// AllowedDevices are the host device paths containers may get; an
	// entry ending in "*" matches by prefix (empty: none).
	AllowedDevices []string
	// AllowedHookscripts are the hookscript volume IDs allowed; an entry
	// ending in "*" matches by prefix (empty: none).
	AllowedHookscripts []string
	// ForbidUnlimitedPRLimits: no prlimit may be "unlimited".
	ForbidUnlimitedPRLimits bool
	// RequireBackupJob: an enabled scheduled backup job (/cluster/backup)
	// backs the container up.
	RequireBackupJob bool
	// RequiredGuestFiles must exist inside every container (e.g. a
	// monitoring agent's binary), checked through pct exec; empty: none.
	RequiredGuestFiles []string
	// RequireSSHPolicy: a container's OpenSSH server (if it has one)
	// allows key-only logins, no root password login, and shows a banner.
	RequireSSHPolicy bool
	// NoExceptions are rule IDs no container may except.
	NoExceptions []string
}

// Default is seed 000's audit checklist as a baseline.
func Default() Baseline {
	return Baseline{
		RequiredDropCapabilities:  append([]string(nil), hardening.DefaultDropCapabilities...),
		MaxMemoryMiB:              8192,
		MaxSwapMiB:                8192,
		MaxCores:                  8,
		MaxPids:                   4096,
		RequireFirewall:           true,
		RequireDatacenterFirewall: true,
		RequireDefaultDenyIn:      true,
		RequireDefaultDenyOut:     true,
		AllowedAppArmorProfiles:   []string{"hardened", "generated"},
		AllowedSeccompModes:       []string{"denylist", "allowlist"},
		ForbidSecrets:             true,
		RequiredMountOptions:      []string{"nodev", "nosuid"},
		ForbidShellConsole:        true,
		DenyUserNamespaces:        true,
		ForbidUnlimitedPRLimits:   true,
		RequireBackupJob:          true,
		RequireSSHPolicy:          true,
		NoExceptions:              []string{"HC-PRIV-001", "HC-AA-001"},
	}
}

// setting documents one Baseline field: its name in configuration, in
// ValidateBaseline paths and in the guide.
type setting struct {
	field string // the Baseline field
	name  string
	rule  string // the rule it shapes
	doc   string
	value func(Baseline) string
}

func maxValue(unit string, v int) string {
	if v == 0 {
		return "0 (no maximum)"
	}
	if unit != "" {
		return fmt.Sprintf("%d %s", v, unit)
	}
	return strconv.Itoa(v)
}

func boolValue(v bool) string { return strconv.FormatBool(v) }

// settings are the Baseline fields in declaration order.
var settings = []setting{
	{"RequiredDropCapabilities", "required_drop_capabilities", "HC-CAP-001", "Capabilities every container must drop: in drop mode each is in " +
		"`capabilities.drop`, in keep mode none is in `capabilities.keep`.",
		func(b Baseline) string { return list(b.RequiredDropCapabilities) }},
	{"MaxMemoryMiB", "max_memory", "HC-CG-001", "`memory` must be set and at most this many MiB (0: no maximum).",
		func(b Baseline) string { return maxValue("MiB", b.MaxMemoryMiB) }},
	{"MaxSwapMiB", "max_swap", "HC-CG-002", "`swap` must be at most this many MiB (0: no maximum).",
		func(b Baseline) string { return maxValue("MiB", b.MaxSwapMiB) }},
	{"MaxCores", "max_cores", "HC-CG-003", "`cores` must be set (not 0, all host cores) and at most this (0: no maximum).",
		func(b Baseline) string { return maxValue("", b.MaxCores) }},
	{"RequireCPULimit", "require_cpu_limit", "HC-CG-005", "`cpu_limit` must be set.",
		func(b Baseline) string { return boolValue(b.RequireCPULimit) }},
	{"MaxPids", "max_pids", "HC-CG-004", "`pids_max` must be set and at most this (0: no maximum).",
		func(b Baseline) string { return maxValue("", b.MaxPids) }},
	{"AllowedBridges", "allowed_bridges", "HC-NET-001", "Bridges interfaces may use (empty: any).",
		func(b Baseline) string { return list(b.AllowedBridges) }},
	{"RequireVLAN", "require_vlan", "HC-NET-002", "Every interface must have a `vlan` tag.",
		func(b Baseline) string { return boolValue(b.RequireVLAN) }},
	{"AllowedVLANs", "allowed_vlans", "HC-NET-002", "VLAN tags interfaces may use (empty: any).",
		func(b Baseline) string { return "[" + ints(b.AllowedVLANs) + "]" }},
	{"AllowedFeatures", "allowed_features", "HC-FEAT-001", "Features containers may turn on, of `nesting`, `keyctl`, `fuse`, `mknod`, `mount` (empty: none).",
		func(b Baseline) string { return list(b.AllowedFeatures) }},
	{"RequireFirewall", "require_firewall", "HC-FW-001", "`firewall.enabled` and every interface's `firewall` must be `true`.",
		func(b Baseline) string { return boolValue(b.RequireFirewall) }},
	{"RequireDatacenterFirewall", "require_datacenter_firewall", "HC-FW-004", "The datacenter firewall (`hardened_cluster_firewall`'s `enable`) must be on.",
		func(b Baseline) string { return boolValue(b.RequireDatacenterFirewall) }},
	{"RequireDefaultDenyIn", "require_default_deny_in", "HC-FW-002", "`firewall.policy_in` must be `DROP` or `REJECT`.",
		func(b Baseline) string { return boolValue(b.RequireDefaultDenyIn) }},
	{"RequireDefaultDenyOut", "require_default_deny_out", "HC-FW-003", "`firewall.policy_out` must be `DROP` or `REJECT`.",
		func(b Baseline) string { return boolValue(b.RequireDefaultDenyOut) }},
	{"AllowedAppArmorProfiles", "allowed_apparmor_profiles", "HC-AA-002", "Profiles `apparmor_profile` may name; an entry ending in `*` matches by prefix " +
		"(`lxc-web*`). Empty: any confining profile. `unconfined` is never allowed.",
		func(b Baseline) string { return list(b.AllowedAppArmorProfiles) }},
	{"AllowedSeccompModes", "allowed_seccomp_modes", "HC-SC-001", "Seccomp modes containers may use, of `default` (PVE's own policy), `denylist`, " +
		"`allowlist` (empty: any). `custom` never passes.",
		func(b Baseline) string { return list(b.AllowedSeccompModes) }},
	{"ForbidSecrets", "forbid_secrets", "HC-SEC-001, HC-SEC-002", "No secret-looking values in the container's environment or `description`.",
		func(b Baseline) string { return boolValue(b.ForbidSecrets) }},
	{"RequiredTags", "required_tags", "HC-TAG-001", "Tags every container must carry; an entry ending in `*` matches by prefix (`owner-*`).",
		func(b Baseline) string { return list(b.RequiredTags) }},
	{"RequireOnBoot", "require_onboot", "HC-OPS-001", "`onboot` must be `true`.",
		func(b Baseline) string { return boolValue(b.RequireOnBoot) }},
	{"RequireProtection", "require_protection", "HC-OPS-002", "`protection` must be `true`.",
		func(b Baseline) string { return boolValue(b.RequireProtection) }},
	{"RequiredMountOptions", "required_mount_options", "HC-FS-001", "Options `rootfs.mount_options` must include.",
		func(b Baseline) string { return list(b.RequiredMountOptions) }},
	{"ForbidShellConsole", "forbid_shell_console", "HC-CON-001", "`console_mode` must not be `shell`.",
		func(b Baseline) string { return boolValue(b.ForbidShellConsole) }},
	{"DenyUserNamespaces", "deny_user_namespaces", "HC-SC-002", "Containers must not be able to create user namespaces: `seccomp.allow_user_namespaces` " +
		"is `false` under the provider's `denylist` or `allowlist` (nesting, which needs them, is HC-FEAT-001's).",
		func(b Baseline) string { return boolValue(b.DenyUserNamespaces) }},
	{"AllowedBindMountPrefixes", "allowed_bind_mount_prefixes", "HC-MNT-001", "Host directories under which `mount_points` may bind-mount (empty: no " +
		"bind mounts). The host's /, /etc, /proc, /sys, /dev, /boot, /root, /run, /var/lib/lxc, /etc/pve, /var/lib/pve-cluster and their parents never pass.",
		func(b Baseline) string { return list(b.AllowedBindMountPrefixes) }},
	{"AllowedDevices", "allowed_devices", "HC-DEV-001", "Host device paths `devices` may pass through; an entry ending in `*` matches by prefix (empty: none).",
		func(b Baseline) string { return list(b.AllowedDevices) }},
	{"AllowedHookscripts", "allowed_hookscripts", "HC-HOOK-001", "Hookscript volume IDs containers may use; an entry ending in `*` matches by prefix (empty: " +
		"none).",
		func(b Baseline) string { return list(b.AllowedHookscripts) }},
	{"ForbidUnlimitedPRLimits", "forbid_unlimited_prlimits", "HC-LIM-001", "No `prlimits` value may be `unlimited`.",
		func(b Baseline) string { return boolValue(b.ForbidUnlimitedPRLimits) }},
	{"RequireBackupJob", "require_backup_job", "HC-BAK-001", "An enabled scheduled backup job (`hardened_backup_job`, or any job of Datacenter → Backup) " +
		"must back every container up.",
		func(b Baseline) string { return boolValue(b.RequireBackupJob) }},
	{"RequiredGuestFiles", "required_guest_files", "HC-MON-001", "Absolute paths that must exist inside every container, e.g. a monitoring agent's " +
		"binary (`/var/ossec/bin/wazuh-agentd`); checked through PVE's `pct exec` in running containers (empty: the rule is off). The provider checks, " +
		"it does not install.",
		func(b Baseline) string { return list(b.RequiredGuestFiles) }},
	{"RequireSSHPolicy", "require_ssh_policy", "HC-SSH-001", "A container's OpenSSH server, if it has one, must allow key-only logins, no " +
		"root password login, and show a banner (checked in running containers through `sshd -T`, and `sshd -T -C` per user and " +
		"client address for `Match` blocks; `hardened_container.ssh_server` enforces it).",
		func(b Baseline) string { return boolValue(b.RequireSSHPolicy) }},
	{"NoExceptions", "no_exceptions", "", "Rule IDs no container may except.",
		func(b Baseline) string { return list(b.NoExceptions) }},
}

// Setting describes one Baseline field for configuration: its snake_case
// name, the Go field it sets, the rules it shapes and its documentation.
type Setting struct {
	Name, Field, Rule, Doc string
	// Default is the field's value in Default(), as documentation text.
	Default string
}

// Settings are the Baseline's fields in declaration order.
func Settings() []Setting {
	d := Default()
	out := make([]Setting, len(settings))
	for i, s := range settings {
		out[i] = Setting{Name: s.name, Field: s.field, Rule: s.rule, Doc: s.doc, Default: s.value(d)}
	}
	return out
}
