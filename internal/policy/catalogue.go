package policy

import (
	"sort"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// Rule is one check of the catalogue. IDs are stable: a rule is never
// renumbered, so exceptions and external reports can name it.
type Rule struct {
	ID    string
	Title string
	// Rationale says why the rule exists and cites the seed it comes from.
	Rationale string
	Severity  Severity
	// Attribute is the hardened_container attribute the rule is about, in
	// Terraform's notation ("network[*].bridge": every interface).
	Attribute string
	// Remedy says how to comply, in HCL terms.
	Remedy string

	why   string    // one sentence: what a violation exposes (for Violations)
	check checkFunc // evaluates the rule
}

// checkFunc evaluates a rule: ok, a one-line detail naming the observed
// value, and the offending attribute's path when it is more precise than
// the rule's Attribute (e.g. {"network", 1, "bridge"}); nil means the
// Attribute's path.
type checkFunc func(hardening.Spec, Baseline) (ok bool, detail string, at []any)

// Catalogue is every rule, ordered by ID.
func Catalogue() []Rule {
	return append([]Rule(nil), catalogue...)
}

// Lookup finds a rule by its exact ID.
func Lookup(id string) (Rule, bool) {
	for _, r := range catalogue {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// path is the rule's Attribute as a hardening.Problem path, cut before the
// first "[*]" (a path cannot name every element).
func (r Rule) path() []any {
	attr, _, _ := strings.Cut(r.Attribute, "[*]")
	var p []any
	for _, name := range strings.Split(attr, ".") {
		if name != "" {
			p = append(p, name)
		}
	}
	return p
}

var catalogue = func() []Rule {
	rs := rules()
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	return rs
}()

const (
	seed000 = "Seed 000 (Hardening Linux Containers)"
	seed001 = "Seed 001 (Proxmox VE container documentation)"
	seed003 = "Seed 003 (Ubuntu LXC documentation)"
	seed004 = "Seed 004 (Basics of Linux Container Security)"
)

func rules() []Rule {
	return append(append(append(configRules(), backupRules()...), sshRules()...), []Rule{
		{
			ID: "HC-PRIV-001", Title: "Container is unprivileged", Severity: SeverityCritical, Attribute: "unprivileged",
			Rationale: seed000 + ` calls this "the most important security decision when creating a container": "A privileged container runs ` +
				`with UID 0 inside the container mapped to UID 0 on the host. If a process escapes the container namespace, it ` +
				`is root on the host." The audit checklist's first line is "Container is unprivileged" (unprivileged: 1 in the ` +
				`pct.conf). ` + seed004 + `: "Privileged containers are not safe."`,
			why: "A privileged container's root is root on the host: any container escape is a full host compromise.",
			Remedy: "Set `unprivileged = true` (or remove the attribute: `true` is the default). Bind mounts that need host root " +
				"are solved with UID mappings, not privilege.",
			check: checkUnprivileged,
		},
		{
			ID: "HC-AA-001", Title: "AppArmor confinement is not disabled", Severity: SeverityCritical, Attribute: "apparmor_profile",
			Rationale: seed000 + ` checklist: "AppArmor profile assigned and active"; LXC's profile blocks loading kernel modules, mounting ` +
				`file systems and access to /proc/sysrq-trigger and /proc/sys/kernel. ` + seed001 + `: "Although it is not recommended, AppArmor can be ` +
				`disabled for a container. This brings security risks with it. ... not recommended for production use." ` +
				seed003 + `: the container profile ` +
				`"prevents the container from accessing many dangerous paths, and from mounting most filesystems."`,
			why: "An unconfined container has no mandatory access control between its root and /proc/sys, /sys and mount.",
			Remedy: "Remove `apparmor_profile` (the default `\"hardened\"` is a profile the provider generates), or set it to " +
				"`\"generated\"` (PVE's profile) or a loaded `lxc-*` profile (`hardened_apparmor_profile`).",
			check: checkNotUnconfined,
		},
		{
			ID: "HC-AA-002", Title: "AppArmor profile is one the baseline allows", Severity: SeverityHigh, Attribute: "apparmor_profile",
			Rationale: seed003 + `: custom container profiles live under /etc/apparmor.d/lxc/ and their "name must start with lxc-"; LXC's ` +
				`alternative profiles are weaker: the nesting profile with privileged containers "is far less safe than the ` +
				`default policy", and the profile allowing block file system mounts "is deemed generally unsafe since the ` +
				`superblock handlers in the kernel have not been audited for safe handling of untrusted input." The baseline ` +
				`names the profiles that were reviewed. ` + seed000 + `: "start with the default profile and add restrictions specific to your workload."`,
			why: "A profile nobody reviewed may grant what the hardened profile denies.",
			Remedy: "Use one of the baseline's allowed profiles (by default `\"hardened\"` or `\"generated\"`), or have the " +
				"profile reviewed and added to the baseline's `allowed_apparmor_profiles`.",
			check: checkAppArmorAllowed,
		},
		{
			ID: "HC-SC-001", Title: "Seccomp policy is one the baseline allows", Severity: SeverityHigh, Attribute: "seccomp.mode",
			Rationale: seed000 + `: "The attack surface of the Linux kernel is largely its syscall interface — limiting the syscalls ` +
				`available to a container dramatically reduces the kernel attack surface." Checklist: "Default seccomp profile ` +
				`confirmed, custom profile if needed". The provider's denylist is LXC's and PVE's policy plus further denies; ` +
				`a policy file the provider did not write (mode "custom") cannot be confirmed and never passes.`,
			why: "A seccomp policy outside the baseline leaves kernel syscalls reachable that the baseline means to deny.",
			Remedy: "Set `seccomp = { mode = \"denylist\" }` (the default) or `\"allowlist\"` with the complete syscall list; a " +
				"`custom` mode means the pct.conf names a foreign policy file: apply to restore the provider's policy.",
			check: checkSeccompMode,
		},
		{
			ID: "HC-SC-002", Title: "Nested user namespaces are denied", Severity: SeverityHigh, Attribute: "seccomp.allow_user_namespaces",
			Rationale: seed000 + `: "The attack surface of the Linux kernel is largely its syscall interface"; a user namespace created inside the ` +
				`container gives its creator every capability over the namespaces it then creates, which reaches kernel code (netfilter, many file ` +
				`systems' mount paths) a container's root otherwise cannot, and most recent container-escape and kernel privilege-escalation chains ` +
				`begin there. Verified in a real unprivileged LXC container: unshare(CLONE_NEWUSER) succeeds under LXC's and PVE's own policies. ` +
				`The provider's policies deny unshare and clone with CLONE_NEWUSER, and clone3 (whose flags a filter cannot read) with ` +
				`ENOSYS. Nested containers need user namespaces: with features.nesting on they are allowed, and HC-FEAT-001 governs that ` +
				`feature.`,
			why: "A process that can create a user namespace reaches kernel code that is otherwise out of a container's reach, the usual first " +
				"step of a container escape.",
			Remedy: "Remove `seccomp.allow_user_namespaces` (the default `false` denies them) and keep `seccomp.mode` at `denylist` or `allowlist`; a " +
				"container that runs nested containers needs `features.nesting` (rule HC-FEAT-001) instead.",
			check: checkUserNamespaces,
		},
		{
			ID: "HC-CAP-001", Title: "Dangerous capabilities are dropped", Severity: SeverityHigh, Attribute: "capabilities.drop",
			Rationale: seed000 + `: "Linux capabilities decompose root privileges into discrete units. Even a process running as UID 0 can be ` +
				`stripped of dangerous capabilities." Checklist: "Dangerous capabilities dropped"; its drop list is ` +
				`sys_module, sys_rawio, sys_pacct, sys_admin, sys_nice, sys_resource, sys_time, sys_tty_config, mknod, ` +
				`audit_write, audit_control, mac_override and mac_admin.`,
			why: "Each capability left in the bounding set is kernel functionality root in the container can still reach.",
			Remedy: "Remove `capabilities` (the default drops seed 000's list), add the missing names to `capabilities.drop`, or " +
				"with `capabilities.keep` keep only what the service needs.",
			check: checkCapabilities,
		},
		{
			ID: "HC-CG-001", Title: "Memory is limited", Severity: SeverityMedium, Attribute: "memory",
			Rationale: seed000 + `: resource limits prevent "runaway workloads from affecting host stability (availability)" and limit "the ` +
				`blast radius of a compromised container"; checklist: "CPU, memory, and PID limits configured". ` + seed004 + `: without limits on ` +
				`"resources, memory, and time one container can use, it can easily lead to a DoS attack on the host."`,
			why:    "An unbounded container can exhaust the node's memory and take its neighbours down.",
			Remedy: "Set `memory` (MiB) to what the service needs, at most the baseline's maximum (the default is 512).",
			check:  checkMemory,
		},
		{
			ID: "HC-CG-002", Title: "Swap is limited", Severity: SeverityLow, Attribute: "swap",
			Rationale: seed001 + `: "with cgroupv2 memory and swap are now controlled independently", so the swap limit is a limit of its own. ` +
				seed000 + ` sets one in its resource ` +
				`example ("swap: 512 # 512 MB swap").`,
			why:    "Unbounded swap lets a container push the node into swapping, slowing every other workload.",
			Remedy: "Set `swap` (MiB) at most the baseline's maximum (the default is 512; 0 disables swap).",
			check:  checkSwap,
		},
		{
			ID: "HC-CG-003", Title: "CPU cores are limited", Severity: SeverityMedium, Attribute: "cores",
			Rationale: seed000 + ` checklist: "CPU, memory, and PID limits configured"; a compromised container's crypto miner "is limited in ` +
				`its impact" only when CPU is limited. cores = 0 gives the container every host core.`,
			why:    "A container on all host cores can starve the node and every other container on it.",
			Remedy: "Set `cores` to the cores the service needs (default 1), at most the baseline's maximum.",
			check:  checkCores,
		},
		{
			ID: "HC-CG-004", Title: "Process count is limited", Severity: SeverityMedium, Attribute: "pids_max",
			Rationale: seed000 + `: "Limit total processes (prevents fork bombs)" with lxc.cgroup2.pids.max; checklist: "CPU, memory, and PID ` +
				`limits configured".`,
			why:    "Without a pids limit one fork bomb exhausts the node's process table.",
			Remedy: "Set `pids_max` (default 1024), at most the baseline's maximum.",
			check:  checkPids,
		},
		{
			ID: "HC-CG-005", Title: "CPU time is limited when the baseline requires it", Severity: SeverityLow, Attribute: "cpu_limit",
			Rationale: seed000 + ` limits CPU time as well as cores ("cpulimit: 1.5 # Max 1.5 CPU cores"): cores bound parallelism, cpu_limit ` +
				`bounds the time the container may use across them.`,
			why:    "Without a CPU time limit the container may use its cores fully all the time.",
			Remedy: "Set `cpu_limit` (in cores, e.g. `1.5`).",
			check:  checkCPULimit,
		},
		{
			ID: "HC-NET-001", Title: "Interfaces use allowed bridges", Severity: SeverityHigh, Attribute: "network[*].bridge",
			Rationale: seed000 + `: "Each container should have a dedicated network interface connected to an appropriate bridge or VLAN. Avoid ` +
				`placing containers on the same bridge as the host's primary interface." ` + seed004 + `: "each user/container should have an individual ` +
				`bridge. Users should, therefore, only have access to a specific bridge."`,
			why:    "A container on the wrong bridge shares layer 2 with networks it must not reach (e.g. the host's management network).",
			Remedy: "Set each `network[*].bridge` to one of the baseline's allowed bridges.",
			check:  checkBridges,
		},
		{
			ID: "HC-NET-002", Title: "Interfaces are on allowed VLANs", Severity: SeverityMedium, Attribute: "network[*].vlan",
			Rationale: seed000 + ` connects each container to "an appropriate bridge or VLAN" (its example: "tag=20"). ` +
				seed004 + `: containers on a shared ` +
				`bridge can spoof IP and MAC addresses and "transmit level 2 traffic": a VLAN confines that traffic to the ` +
				`container's segment.`,
			why:    "An untagged or wrongly tagged interface puts the container on a segment the baseline does not assign to it.",
			Remedy: "Set `network[*].vlan` to one of the baseline's allowed VLANs.",
			check:  checkVLANs,
		},
		{
			ID: "HC-FW-001", Title: "Firewall is enabled on the container and every interface", Severity: SeverityHigh, Attribute: "firewall.enabled",
			Rationale: seed000 + `: "Enable the Proxmox container firewall (firewall=1)"; checklist: "Dedicated network interface with firewall ` +
				`rules applied". PVE applies the container's rules and policies only when firewall.enabled is on and only on ` +
				`interfaces with firewall=1. HC-FW-002 and HC-FW-003 take effect only while this rule holds.`,
			why:    "Without the firewall no rule and no default-deny policy applies to the container's traffic.",
			Remedy: "Remove `firewall.enabled` and `network[*].firewall` (both default to `true`); open traffic with `firewall.rules` instead.",
			check:  checkFirewall,
		},
		{
			ID: "HC-FW-002", Title: "Inbound traffic is denied by default", Severity: SeverityHigh, Attribute: "firewall.policy_in",
			Rationale: seed000 + `: its container firewall ends the inbound rules with "IN DROP # Default deny inbound": only what a rule ` +
				`allows reaches the container.`,
			why:    "With an accepting inbound policy every port the container listens on is reachable.",
			Remedy: "Set `firewall.policy_in = \"DROP\"` (the default) or `\"REJECT\"`, and allow what the service needs with `firewall.rules`.",
			check:  checkPolicyIn,
		},
		{
			ID: "HC-FW-003", Title: "Outbound traffic is denied by default", Severity: SeverityMedium, Attribute: "firewall.policy_out",
			Rationale: seed000 + `: its container firewall ends the outbound rules with "OUT DROP # Default deny outbound"; "Network isolation ` +
				`prevents lateral movement if a container is compromised."`,
			why: "With an accepting outbound policy a compromised container can reach any host (lateral movement, exfiltration).",
			Remedy: "Set `firewall.policy_out = \"DROP\"` (the default) or `\"REJECT\"`, and allow the destinations the service " +
				"needs with `firewall.rules`.",
			check: checkPolicyOut,
		},
		{
			ID: "HC-FW-004", Title: "Datacenter firewall is enabled", Severity: SeverityHigh, Attribute: "firewall",
			Rationale: seed000 + `: "Enable the Proxmox container firewall (firewall=1)"; checklist: "Dedicated network interface with firewall ` +
				`rules applied". ` + seed001 + ` and PVE's firewall documentation: the firewall is enabled per datacenter (cluster.fw [OPTIONS] enable), and ` +
				`while the datacenter firewall is off — PVE's default — pve-firewall installs no rule at all, so a ` +
				`container's firewall.enabled, policies and rules take no effect. HC-FW-001, HC-FW-002 and HC-FW-003 hold on ` +
				`paper only until this rule holds. The value is cluster-wide and observed once per Terraform run; a container ` +
				`cannot change it, so a failure is reported (compliance, audit, a plan warning) but does not fail the ` +
				`container's plan, which must not block the apply that enables the datacenter firewall.`,
			why: "With the datacenter firewall off, no firewall rule and no default-deny policy applies to any container of the cluster.",
			Remedy: "Manage the datacenter firewall's options with `resource \"hardened_cluster_firewall\" \"dc\" { enable = true " +
				"}` (its default), or enable it under Datacenter → Firewall → Options.",
			check: checkDatacenterFirewall,
		},
		{
			ID: "HC-FEAT-001", Title: "Only allowed container features are enabled", Severity: SeverityHigh, Attribute: "features",
			Rationale: seed000 + `: LXC's profile blocks "Mounting filesystems"; ` + seed003 + `: the nesting policy "allows containers to re-mount /sys and ` +
				`/proc in non-standard locations, bypassing AppArmor protections", and mounting block file systems "is deemed ` +
				`generally unsafe since the superblock handlers in the kernel have not been audited for safe handling of ` +
				`untrusted input." keyctl, fuse and mknod each open a further kernel interface to the container.`,
			why:    "Each feature opens a kernel interface the hardened profile otherwise keeps closed.",
			Remedy: "Remove the feature from `features` (all are `false` by default), or add it to the baseline's `allowed_features` after review.",
			check:  checkFeatures,
		},
		{
			ID: "HC-SEC-001", Title: "No secrets in the container's environment", Severity: SeverityHigh, Attribute: "environment",
			Rationale: seed000 + ` checklist: "No sensitive secrets in environment variables visible via /proc/<pid>/environ". PVE also shows ` +
				`the env key to every user who may audit the container, and it lands in Terraform state. An entry fails when ` +
				`its value is not empty and either its name says secret (PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, APIKEY, ` +
				`PRIVATE_KEY, ACCESS_KEY, CREDENTIAL; names ending in _FILE or _PATH point to a secret file and pass) or its ` +
				`value looks like one (a private key block, an AWS access key ID, a GitHub token, credentials in a URL, a ` +
				`password= or token= assignment). Findings name the entry, never its value.`,
			why: "Environment variables are readable through /proc/<pid>/environ, the PVE API and Terraform state.",
			Remedy: "Remove the entry from the container's environment (PVE `env`); give the service a file instead (e.g. " +
				"`DB_PASSWORD_FILE=/run/secrets/db`) from a secret store.",
			check: checkEnvironmentSecrets,
		},
		{
			ID: "HC-SEC-002", Title: "No secrets in the description", Severity: SeverityMedium, Attribute: "description",
			Rationale: seed000 + ` checklist: "No sensitive secrets in environment variables visible via /proc/<pid>/environ" — the same ` +
				`holds for the description, which every PVE user with audit rights, the PVE API and Terraform state show in ` +
				`clear. The description fails when it contains a private key block, an AWS access key ID, a GitHub token, ` +
				`credentials in a URL, or a password= or token= assignment; findings name the line, never the value.`,
			why:    "The description is shown in clear by the PVE GUI and API and stored in Terraform state.",
			Remedy: "Remove the secret from `description`; refer to the secret store entry by name instead.",
			check:  checkDescriptionSecrets,
		},
		{
			ID: "HC-TAG-001", Title: "Required tags are present", Severity: SeverityLow, Attribute: "tags",
			Rationale: seed000 + `: "Configuration management (Puppet, Ansible) can enforce the baseline across a fleet, catching drift before ` +
				`it becomes a vulnerability." Enforcing a baseline across a fleet, and alerting on a compromised container, ` +
				`needs to know whose container it is.`,
			why:    "An untagged container has no owner to alert or to ask.",
			Remedy: "Add a tag matching each of the baseline's required tags to `tags` (e.g. `tags = [\"owner-web\"]` for `owner-*`).",
			check:  checkTags,
		},
		{
			ID: "HC-OPS-001", Title: "Container starts with the node when the baseline requires it", Severity: SeverityLow, Attribute: "onboot",
			Rationale: seed000 + ` treats availability as half of what resource controls protect ("preventing runaway workloads from affecting ` +
				`host stability (availability)") and closes with continuous monitoring: a container that does not come back ` +
				`after a node reboot is neither serving nor reporting.`,
			why:    "The container stays down after a node reboot.",
			Remedy: "Set `onboot = true` (the default).",
			check:  checkOnBoot,
		},
		{
			ID: "HC-OPS-002", Title: "Container is protected when the baseline requires it", Severity: SeverityLow, Attribute: "protection",
			Rationale: seed000 + ` checklist: "Automated backup snapshot configured (Proxmox scheduled backup)": recoverability. PVE's ` +
				`protection flag blocks removing the container and its disks by accident.`,
			why:    "An unprotected container and its disks can be removed by one mistaken action.",
			Remedy: "Set `protection = true` (then `terraform destroy` needs it set back to `false` first).",
			check:  checkProtection,
		},
		{
			ID: "HC-FS-001", Title: "Root file system has the required mount options", Severity: SeverityMedium, Attribute: "rootfs.mount_options",
			Rationale: seed000 + ` watches for "new SUID binaries" as a sign of compromise; nosuid makes a setuid binary on the root file ` +
				`system useless for escalation, and nodev keeps device nodes on it from opening host devices. ` + seed003 + `: unprivileged containers are ` +
				`"unable to create device nodes"; nodev also covers nodes that got onto the file system some other way.`,
			why:    "Without nosuid/nodev a planted setuid binary or device node on the root file system is an escalation path.",
			Remedy: "Add the missing options to `rootfs.mount_options` (the default is `[\"nodev\", \"nosuid\"]`).",
			check:  checkMountOptions,
		},
		{
			ID: "HC-CON-001", Title: "Console does not open a root shell without login", Severity: SeverityHigh, Attribute: "console_mode",
			Rationale: seed000 + ` hardens access to the container ("PermitRootLogin no", "Use key-based authentication exclusively") and ` +
				`points bastion users to the console; console_mode "shell" hands everyone who may open the PVE console a root ` +
				`shell without any login.`,
			why:    "Anyone with console access gets root in the container without authenticating.",
			Remedy: "Set `console_mode = \"tty\"` (the default, a login prompt) or `\"console\"`.",
			check:  checkConsole,
		},
		{
			ID: "HC-RUN-001", Title: "The running container runs its configured confinement", Severity: SeverityHigh, Attribute: "pending_restart",
			Rationale: seed000 + ` checklist: "AppArmor profile assigned and active", "Default seccomp profile confirmed". Raw lxc.* lines, AppArmor ` +
				`profiles and seccomp policies take effect only when a container starts: a container still running from before its hardening changed (a ` +
				`restart that failed, was interrupted, or waits because restart_on_hardening_change is false) runs its old capabilities, profile and ` +
				`filter while its config looks compliant. The provider records an owed restart on the cluster (/etc/pve/hardened/restart/<vmid>, ` +
				`bound to the running init process) and reads the running init's own view on the node (/proc/<pid>/status CapBnd and ` +
				`Seccomp, /proc/<pid>/attr/current).`,
			why:    "The container runs with confinement other than its config says: the hardening is configured but not active.",
			Remedy: "Restart the container: apply with `restart_on_hardening_change = true` (the default), or restart it by hand (`pct reboot <vmid>`).",
			check:  checkRuntime,
		},
	}...)
}
