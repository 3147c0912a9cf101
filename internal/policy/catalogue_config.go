package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// configRules are the rules over the closed world of a container's
// configuration: what reaches the host (mounts, devices, hooks), raw LXC
// lines, resource limits and keys outside the provider's model.
func configRules() []Rule {
	return []Rule{
		{
			ID: "HC-MNT-001", Title: "Host bind mounts only of allowed host directories", Severity: SeverityCritical, Attribute: "mount_points[*].host_path",
			Rationale: seed000 + `: the container boundary is the namespaces and the mapping of its root to an unprivileged host uid; a bind ` +
				`mount puts a host directory inside that boundary. Mounting the host's root, /etc, /proc, /sys, /dev, ` +
				`/var/lib/lxc or /etc/pve (or a parent of them) hands the container the host. ` + seed004 + `: "Privileged containers are not safe" — a ` +
				`bind mount of the wrong directory is the same exposure through the file system. A bind mount passes only ` +
				`under a prefix of the baseline's allowed_bind_mount_prefixes, never of a protected path.`,
			why: "A host directory inside the container is readable, and often writable, from inside: the wrong one is the host itself.",
			Remedy: "Use a volume mount point (`storage` and `size`) instead, or bind-mount a dedicated directory under a prefix " +
				"the baseline's `allowed_bind_mount_prefixes` lists.",
			check: checkBindMounts,
		},
		{
			ID: "HC-MNT-002", Title: "Mount points have the required mount options", Severity: SeverityMedium, Attribute: "mount_points[*].mount_options",
			Rationale: seed000 + ` watches for "new SUID binaries" as a sign of compromise: the rationale of HC-FS-001 holds for every mount ` +
				`point, nosuid makes a planted setuid binary useless and nodev keeps device nodes from opening host devices.`,
			why:    "Without nosuid/nodev a planted setuid binary or device node on a mount point is an escalation path.",
			Remedy: "Add the missing options to the mount point's `mount_options` (the default is `[\"nodev\", \"nosuid\"]`).",
			check:  checkMountPointOptions,
		},
		{
			ID: "HC-DEV-001", Title: "Only allowed devices are passed through", Severity: SeverityHigh, Attribute: "devices[*].path",
			Rationale: seed003 + `: unprivileged containers are "unable to create device nodes" — device passthrough (PVE's devN) creates one ` +
				`for the container and allows it in the device cgroup. ` + seed000 + `'s checklist keeps the kernel's attack surface small; a host block ` +
				`device passed through is the host's disk.`,
			why:    "A passed-through device node gives the container direct access to host hardware or kernel drivers.",
			Remedy: "Remove the device, or add its path to the baseline's `allowed_devices` after review (e.g. `\"/dev/net/tun\"`).",
			check:  checkDevices,
		},
		{
			ID: "HC-HOOK-001", Title: "No hookscript unless the baseline allows it", Severity: SeverityHigh, Attribute: "hookscript",
			Rationale: seed001 + `: a container's hookscript runs on the host at every start and stop (PVE::GuestHelpers::exec_hookscript, as ` +
				`root): whoever can change the script or the key runs code as the host's root. ` + seed000 + `'s checklist asks for every host-side change ` +
				`to be deliberate and reviewed.`,
			why:    "A hookscript runs as root on the host at every start and stop.",
			Remedy: "Remove `hookscript`, or add the script's volume ID to the baseline's `allowed_hookscripts` after review.",
			check:  checkHookscript,
		},
		{
			ID: "HC-LIM-001", Title: "Per-process resource limits are not lifted", Severity: SeverityMedium, Attribute: "prlimits",
			Rationale: seed000 + ` configures per-process ulimits ("* hard nproc 100", "* hard nofile 65535") besides the cgroup limits. ` +
				seed004 + `: ulimits are tied to the ` +
				`kernel uid, "a user of one container can launch denial of service attacks against other clients". An ` +
				`"unlimited" prlimit lifts that bound.`,
			why:    "An unlimited per-process limit lets one process exhaust what the host shares between containers.",
			Remedy: "Give the limit a number (e.g. `nofile = \"1024:65535\"`), or except this rule with the reason.",
			check:  checkPRLimits,
		},
		{
			ID: "HC-RAW-001", Title: "No raw LXC lines", Severity: SeverityHigh, Attribute: "raw_lxc",
			Rationale: seed001 + `: raw lxc.* lines are applied after everything PVE generates and can undo any of it (PVE's ` +
				`update_lxc_config). The provider refuses the keys that defeat the hardening outright (idmap, AppArmor, ` +
				`seccomp, capabilities, device allows, mounts, hooks, includes, ...); every other raw line is a deviation the ` +
				`plan cannot check, so it needs an exception with its reason. Observed, every raw line outside the typed keys ` +
				`fails this rule, forbidden ones included.`,
			why:    "A raw LXC line changes the container outside every typed, checked setting.",
			Remedy: "Remove the line, use the typed attribute that covers it, or except this rule with the reason the line is needed.",
			check:  checkRawLXC,
		},
		{
			ID: "HC-OPS-003", Title: "Container creation finished", Severity: SeverityHigh, Attribute: "tags",
			Rationale: seed000 + `'s checklist is for a container ready for production; a container whose creation was interrupted (a failed or ` +
				`killed terraform apply) may lack its raw lxc lines, confinement files or firewall file. The provider creates ` +
				`every container stopped, with onboot off and the tag ` + "`" + hardening.UnfinishedTag + "`" + `, and removes the tag only in the step that ` +
				`turns onboot on after the hardening is written.`,
			why: "A container whose creation was interrupted may lack part of its hardening.",
			Remedy: "Run `terraform apply`: the next create for the same node and hostname removes the leftover (or destroy it " +
				"with `pct destroy <vmid> --purge`).",
			check: checkFinished,
		},
		{
			ID: "HC-CFG-001", Title: "No configuration outside the provider's model", Severity: SeverityHigh, Attribute: "unmanaged_config",
			Rationale: seed000 + `: "Configuration management (Puppet, Ansible) can enforce the baseline across a fleet, catching drift before ` +
				`it becomes a vulnerability." The container's configuration is a closed world: every key is managed, observed ` +
				`as harmless with a reason, or drift. A key the provider does not manage (e.g. entrypoint, debug, an unknown ` +
				`key, an interface option such as link_down, a mount point after a gap in the numbering) changes the container ` +
				`in a way no plan shows; apply removes it.`,
			why:    "A configuration key outside the provider's model changes the container unseen.",
			Remedy: "Run `terraform apply`: it removes the keys listed in `unmanaged_config`.",
			check:  checkUnmanaged,
		},
	}
}

func checkBindMounts(s hardening.Spec, b Baseline) (bool, string, []any) {
	n := 0
	for i, m := range s.MountPoints {
		if !m.IsBind() {
			continue
		}
		n++
		at := []any{"mount_points", i, "host_path"}
		allowed := false
		for _, p := range b.AllowedBindMountPrefixes {
			if underPrefix(m.HostPath, p) {
				allowed = true
			}
		}
		if hardening.ProtectedHostPath(m.HostPath) {
			return false, fmt.Sprintf("mount_points[%d] bind-mounts the host's %s, a protected host path", i, m.HostPath), at
		}
		if !allowed {
			return false, fmt.Sprintf("mount_points[%d] bind-mounts host %s, not under an allowed prefix %s", i, m.HostPath,
				list(b.AllowedBindMountPrefixes)), at
		}
	}
	if n == 0 {
		return true, "no host bind mounts", nil
	}
	return true, fmt.Sprintf("%d host bind mount(s), all under allowed prefixes", n), nil
}

func underPrefix(p, prefix string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	return prefix != "" && (p == prefix || strings.HasPrefix(p, prefix+"/"))
}

func checkMountPointOptions(s hardening.Spec, b Baseline) (bool, string, []any) {
	if len(b.RequiredMountOptions) == 0 {
		return true, notRequired, nil
	}
	for i, m := range s.MountPoints {
		var missing []string
		for _, o := range b.RequiredMountOptions {
			if !contains(m.MountOptions, o) {
				missing = append(missing, o)
			}
		}
		if len(missing) > 0 {
			return false, fmt.Sprintf("mount_points[%d] (%s) lacks %s", i, m.Path, strings.Join(missing, ", ")), []any{"mount_points", i, "mount_options"}
		}
	}
	if len(s.MountPoints) == 0 {
		return true, "no mount points", nil
	}
	return true, fmt.Sprintf("every mount point has %s", strings.Join(b.RequiredMountOptions, ", ")), nil
}

func checkDevices(s hardening.Spec, b Baseline) (bool, string, []any) {
	for i, d := range s.Devices {
		ok := false
		for _, a := range b.AllowedDevices {
			ok = ok || matchGlob(a, d.Path)
		}
		if !ok {
			return false, fmt.Sprintf("devices[%d] passes host %s through; the baseline allows %s", i, d.Path, orNone(b.AllowedDevices)), []any{"devices", i,
				"path"}
		}
	}
	if len(s.Devices) == 0 {
		return true, "no devices passed through", nil
	}
	return true, fmt.Sprintf("%d device(s), all allowed by the baseline", len(s.Devices)), nil
}

func checkHookscript(s hardening.Spec, b Baseline) (bool, string, []any) {
	if s.Hookscript == "" {
		return true, "no hookscript", nil
	}
	for _, a := range b.AllowedHookscripts {
		if matchGlob(a, s.Hookscript) {
			return true, fmt.Sprintf("hookscript %q is allowed by the baseline", s.Hookscript), nil
		}
	}
	return false, fmt.Sprintf("hookscript %q runs as root on the host; the baseline allows %s", s.Hookscript, orNone(b.AllowedHookscripts)), nil
}

func checkPRLimits(s hardening.Spec, b Baseline) (bool, string, []any) {
	if !b.ForbidUnlimitedPRLimits {
		return true, notRequired, nil
	}
	var lifted []string
	for _, n := range sortedKeys(s.PRLimits) {
		if hardening.IsUnlimited(s.PRLimits[n]) {
			lifted = append(lifted, n)
		}
	}
	if len(lifted) > 0 {
		return false, "unlimited: " + strings.Join(lifted, ", "), []any{"prlimits", hardening.Key(lifted[0])}
	}
	return true, fmt.Sprintf("%d per-process limit(s), none unlimited", len(s.PRLimits)), nil
}

func checkRawLXC(s hardening.Spec, _ Baseline) (bool, string, []any) {
	if len(s.RawLXC) == 0 {
		return true, "no raw lxc.* lines", nil
	}
	keys := make([]string, len(s.RawLXC))
	for i, l := range s.RawLXC {
		keys[i] = l.Key
	}
	return false, fmt.Sprintf("%d raw lxc.* line(s): %s", len(keys), strings.Join(hardening.SortedUnique(keys), ", ")), nil
}

func checkUnmanaged(s hardening.Spec, _ Baseline) (bool, string, []any) {
	if len(s.Unmanaged) == 0 {
		return true, "every configuration key is managed or harmless", nil
	}
	keys := make([]string, len(s.Unmanaged))
	for i, u := range s.Unmanaged {
		keys[i], _, _ = strings.Cut(u, ":")
	}
	return false, "keys outside the provider's model: " + strings.Join(keys, ", "), nil
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return list(l)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func checkFinished(s hardening.Spec, _ Baseline) (bool, string, []any) {
	for _, t := range s.Tags {
		if t == hardening.UnfinishedTag {
			return false, "the container carries the tag " + hardening.UnfinishedTag + ": its creation did not finish", nil
		}
	}
	return true, "creation finished", nil
}
