package policy

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// goodSpec is a container as the provider's defaults build it, with one
// interface.
func goodSpec() hardening.Spec {
	return hardening.Spec{
		Node: "pve1", VMID: 100, Hostname: "web", OSTemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
		Arch: hardening.DefaultArch, Unprivileged: true,
		Cores: hardening.DefaultCores, CPUUnits: hardening.DefaultCPUUnits, MemoryMiB: hardening.DefaultMemoryMiB,
		SwapMiB: hardening.DefaultSwapMiB, PidsMax: hardening.DefaultPidsMax,
		RootFS: hardening.RootFS{Storage: hardening.DefaultRootFSStorage, SizeGiB: hardening.DefaultRootFSSizeGiB,
			MountOptions: append([]string(nil), hardening.DefaultMountOptions...)},
		Capabilities: hardening.Capabilities{Drop: append([]string(nil), hardening.DefaultDropCapabilities...)},
		NICs:         []hardening.NIC{{Name: "eth0", Bridge: "vmbr0", IPv4: hardening.DefaultIPv4, IPv6: hardening.DefaultIPv6, Firewall: true}},
		Firewall: hardening.Firewall{Enabled: true, PolicyIn: hardening.DefaultPolicyIn, PolicyOut: hardening.DefaultPolicyOut,
			MACFilter: true, IPFilter: true, NDP: true, LogLevelIn: hardening.DefaultLogLevel, LogLevelOut: hardening.DefaultLogLevel},
		AppArmorProfile: hardening.DefaultAppArmorProfile,
		Seccomp:         seccomp.Policy{Mode: seccomp.ModeDenylist},
		// observed: the datacenter firewall is on
		DatacenterFirewall: hardening.DatacenterFirewallOn,
		Backup:             hardening.BackupCoverage{Observed: true, Jobs: []string{"nightly"}},
		SSH:                hardening.GuestSSH{Observed: true, Installed: true},
		Started:            true, OnBoot: true, TTY: hardening.DefaultTTY, Console: true, CMode: hardening.DefaultCMode,
	}
}

func finding(t *testing.T, fs []Finding, id string) Finding {
	t.Helper()
	for _, f := range fs {
		if f.Rule == id {
			return f
		}
	}
	t.Fatalf("no finding for %s", id)
	return Finding{}
}

func failing(fs []Finding) []string { return Summarize(fs).Failing }

func TestDefaultPassesProviderDefaults(t *testing.T) {
	fs := Check(goodSpec(), Default(), nil)
	if len(fs) != len(Catalogue()) {
		t.Fatalf("%d findings for %d rules", len(fs), len(Catalogue()))
	}
	for i, f := range fs {
		if f.Rule != catalogue[i].ID {
			t.Errorf("finding %d is %s, want catalogue order (%s)", i, f.Rule, catalogue[i].ID)
		}
		if f.Status != StatusPass {
			t.Errorf("%s: %s: %s", f.Rule, f.Status, f.Detail)
		}
		if f.Detail == "" || f.Title == "" || f.Remedy == "" || f.Severity == "" || len(f.Path) == 0 {
			t.Errorf("%s: incomplete finding %+v", f.Rule, f)
		}
		if f.ExceptionForbidden != (f.Rule == "HC-PRIV-001" || f.Rule == "HC-AA-001") {
			t.Errorf("%s: ExceptionForbidden = %t", f.Rule, f.ExceptionForbidden)
		}
	}
	// The seccomp zero Mode is the denylist.
	s := goodSpec()
	s.Seccomp.Mode = ""
	if f := finding(t, Check(s, Default(), nil), "HC-SC-001"); f.Status != StatusPass {
		t.Errorf("zero seccomp mode: %s", f.Detail)
	}
}

func TestBadSpecFailingIDs(t *testing.T) {
	s := goodSpec()
	s.Unprivileged = false
	s.AppArmorProfile = "unconfined"
	s.Firewall = hardening.Firewall{Enabled: false, PolicyIn: "ACCEPT", PolicyOut: "ACCEPT"}
	s.NICs[0].Firewall = false
	s.Capabilities = hardening.Capabilities{KeepMode: true, Keep: []string{"sys_admin", "net_admin"}}
	s.Seccomp = seccomp.Policy{Mode: "custom"}
	s.SeccompProfile = "/var/lib/lxc/other.seccomp"
	s.MemoryMiB, s.Cores, s.PidsMax = 0, 0, 0
	s.Features = hardening.Features{Nesting: true, Keyctl: true}
	s.Environment = []string{"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "LANG=C.UTF-8"}
	s.CMode = "shell"
	s.RootFS.MountOptions = nil

	fs := Check(s, Default(), nil)
	want := []string{"HC-AA-001", "HC-AA-002", "HC-CAP-001", "HC-CG-001", "HC-CG-003", "HC-CG-004", "HC-CON-001", "HC-FEAT-001",
		"HC-FS-001", "HC-FW-001", "HC-FW-002", "HC-FW-003", "HC-PRIV-001", "HC-SC-001", "HC-SEC-001"}
	if got := failing(fs); !reflect.DeepEqual(got, want) {
		t.Errorf("failing rules\n got %v\nwant %v", got, want)
	}
	sum := Summarize(fs)
	if sum.Pass != len(catalogue)-len(want) || sum.Fail != len(want) || sum.Excepted != 0 {
		t.Errorf("summary %+v", sum)
	}
	if len(Violations(fs)) != len(want) {
		t.Errorf("%d violations, want %d", len(Violations(fs)), len(want))
	}
	for _, f := range fs {
		if strings.Contains(f.Detail, "wJalrXUtnFEMI") {
			t.Errorf("%s leaks the secret: %s", f.Rule, f.Detail)
		}
	}
}

// ruleCase: a baseline, a spec that passes the rule, one that fails it
// (every other rule still passing, except alsoFail), what the failure's
// detail must name, and the failure's path.
type ruleCase struct {
	name     string
	rule     string
	baseline func(*Baseline)
	pass     func(*hardening.Spec) // nil: goodSpec as is
	fail     func(*hardening.Spec)
	observed []string
	path     []any // nil: the rule's attribute path
	alsoFail []string
}

var ruleCases = []ruleCase{
	{name: "privileged", rule: "HC-PRIV-001",
		fail: func(s *hardening.Spec) { s.Unprivileged = false }, observed: []string{"unprivileged = false"}},
	{name: "unconfined", rule: "HC-AA-001", pass: func(s *hardening.Spec) { s.AppArmorProfile = "generated" },
		fail: func(s *hardening.Spec) { s.AppArmorProfile = "unconfined" }, observed: []string{`"unconfined"`}, alsoFail: []string{"HC-AA-002"}},
	{name: "profile not allowed", rule: "HC-AA-002", pass: func(s *hardening.Spec) { s.AppArmorProfile = "generated" },
		fail:     func(s *hardening.Spec) { s.AppArmorProfile = "lxc-container-default-with-nesting" },
		observed: []string{`"lxc-container-default-with-nesting"`, `"hardened", "generated"`}},
	{name: "profile prefix glob", rule: "HC-AA-002", baseline: func(b *Baseline) { b.AllowedAppArmorProfiles = []string{"lxc-web*"} },
		pass: func(s *hardening.Spec) { s.AppArmorProfile = "lxc-webserver" },
		fail: func(s *hardening.Spec) { s.AppArmorProfile = "lxc-db" }, observed: []string{`"lxc-db"`, `"lxc-web*"`}},
	{name: "unconfined even with a catch-all", rule: "HC-AA-002", baseline: func(b *Baseline) { b.AllowedAppArmorProfiles = []string{"*"} },
		fail: func(s *hardening.Spec) { s.AppArmorProfile = "unconfined" }, observed: []string{`"unconfined" is never allowed`}, alsoFail: []string{"HC-AA-001"}},
	{name: "PVE's seccomp policy", rule: "HC-SC-001", pass: func(s *hardening.Spec) { s.Seccomp.Mode = seccomp.ModeAllowlist },
		fail: func(s *hardening.Spec) { s.Seccomp.Mode = seccomp.ModeDefault }, observed: []string{`seccomp mode "default"`, `"denylist", "allowlist"`}},
	{name: "custom seccomp policy", rule: "HC-SC-001", baseline: func(b *Baseline) { b.AllowedSeccompModes = []string{"custom", "denylist"} },
		fail: func(s *hardening.Spec) {
			s.Seccomp.Mode, s.SeccompProfile = "custom", "/etc/pve/lxc/foreign.seccomp"
		}, observed: []string{`"custom"`, "/etc/pve/lxc/foreign.seccomp"}},
	{name: "user namespaces allowed", rule: "HC-SC-002", baseline: func(b *Baseline) { b.AllowedFeatures = []string{"nesting"} },
		pass: func(s *hardening.Spec) { s.Features.Nesting = true },
		fail: func(s *hardening.Spec) { s.Seccomp.UserNamespaces = true }, observed: []string{"allow_user_namespaces = true"}},
	{name: "PVE's policy allows user namespaces", rule: "HC-SC-002", baseline: func(b *Baseline) { b.AllowedSeccompModes = nil },
		pass: func(s *hardening.Spec) { s.Seccomp.Mode = seccomp.ModeAllowlist },
		fail: func(s *hardening.Spec) { s.Seccomp.Mode = seccomp.ModeDefault }, observed: []string{`"default"`, "user namespaces"}},
	{name: "drop list lacks", rule: "HC-CAP-001",
		pass: func(s *hardening.Spec) { s.Capabilities.Drop = append(s.Capabilities.Drop[1:], "CAP_SYS_MODULE") },
		fail: func(s *hardening.Spec) { s.Capabilities.Drop = s.Capabilities.Drop[4:] }, observed: []string{"sys_module, sys_rawio, sys_pacct, sys_admin"}},
	{name: "keep list keeps", rule: "HC-CAP-001",
		pass: func(s *hardening.Spec) {
			s.Capabilities = hardening.Capabilities{KeepMode: true, Keep: []string{"net_bind_service"}}
		},
		fail: func(s *hardening.Spec) {
			s.Capabilities = hardening.Capabilities{KeepMode: true, Keep: []string{"net_bind_service", "sys_admin"}}
		}, observed: []string{"capabilities.keep keeps sys_admin"}, path: []any{"capabilities", "keep"}},
	{name: "memory too large", rule: "HC-CG-001", pass: func(s *hardening.Spec) { s.MemoryMiB = 8192 },
		fail: func(s *hardening.Spec) { s.MemoryMiB = 16384 }, observed: []string{"memory = 16384 MiB exceeds the baseline maximum 8192 MiB"}},
	{name: "memory unset", rule: "HC-CG-001", fail: func(s *hardening.Spec) { s.MemoryMiB = 0 }, observed: []string{"memory = 0: no memory limit"}},
	{name: "memory without maximum", rule: "HC-CG-001", baseline: func(b *Baseline) { b.MaxMemoryMiB = 0 },
		pass: func(s *hardening.Spec) { s.MemoryMiB = 65536 }, fail: func(s *hardening.Spec) { s.MemoryMiB = 0 }, observed: []string{"memory = 0"}},
	{name: "swap too large", rule: "HC-CG-002", pass: func(s *hardening.Spec) { s.SwapMiB = 0 },
		fail: func(s *hardening.Spec) { s.SwapMiB = 9000 }, observed: []string{"swap = 9000 MiB exceeds the baseline maximum 8192 MiB"}},
	{name: "all host cores", rule: "HC-CG-003", pass: func(s *hardening.Spec) { s.Cores = 8 },
		fail: func(s *hardening.Spec) { s.Cores = 0 }, observed: []string{"cores = 0: the container may use every host core"}},
	{name: "too many cores", rule: "HC-CG-003", fail: func(s *hardening.Spec) { s.Cores = 16 }, observed: []string{"cores = 16 exceeds the baseline maximum 8"}},
	{name: "no pids limit", rule: "HC-CG-004", fail: func(s *hardening.Spec) { s.PidsMax = 0 }, observed: []string{"pids_max is not set: no process limit"}},
	{name: "pids limit too high", rule: "HC-CG-004", pass: func(s *hardening.Spec) { s.PidsMax = 4096 },
		fail: func(s *hardening.Spec) { s.PidsMax = 100000 }, observed: []string{"pids_max = 100000 exceeds the baseline maximum 4096"}},
	{name: "cpu limit required", rule: "HC-CG-005", baseline: func(b *Baseline) { b.RequireCPULimit = true },
		pass: func(s *hardening.Spec) { s.CPULimit = 1.5 }, fail: func(s *hardening.Spec) { s.CPULimit = 0 }, observed: []string{"cpu_limit = 0"}},
	{name: "bridge not allowed", rule: "HC-NET-001", baseline: func(b *Baseline) { b.AllowedBridges = []string{"vmbr20", "vmbr30"} },
		pass: func(s *hardening.Spec) { s.NICs[0].Bridge = "vmbr20" },
		fail: func(s *hardening.Spec) {
			s.NICs[0].Bridge = "vmbr20"
			s.NICs = append(s.NICs, hardening.NIC{Name: "eth1", Bridge: "vmbr0", Firewall: true})
		}, observed: []string{`network[1].bridge = "vmbr0" is not allowed`, `"vmbr20", "vmbr30"`}, path: []any{"network", 1, "bridge"}},
	{name: "untagged", rule: "HC-NET-002", baseline: func(b *Baseline) { b.RequireVLAN = true },
		pass: func(s *hardening.Spec) { s.NICs[0].VLAN = 20 },
		fail: func(s *hardening.Spec) {}, observed: []string{"network[0] is untagged"}, path: []any{"network", 0, "vlan"}},
	{name: "VLAN not allowed", rule: "HC-NET-002", baseline: func(b *Baseline) { b.AllowedVLANs = []int{20, 21} },
		pass: func(s *hardening.Spec) { s.NICs[0].VLAN = 21 },
		fail: func(s *hardening.Spec) { s.NICs[0].VLAN = 30 }, observed: []string{"network[0].vlan = 30 is not an allowed VLAN", "20, 21"},
		path: []any{"network", 0, "vlan"}},
	{name: "firewall disabled", rule: "HC-FW-001", fail: func(s *hardening.Spec) { s.Firewall.Enabled = false },
		observed: []string{"firewall.enabled = false"}, path: []any{"firewall", "enabled"}},
	{name: "interface firewall off", rule: "HC-FW-001", fail: func(s *hardening.Spec) { s.NICs[0].Firewall = false },
		observed: []string{"network[0].firewall = false"}, path: []any{"network", 0, "firewall"}},
	{name: "policy_in accept", rule: "HC-FW-002", pass: func(s *hardening.Spec) { s.Firewall.PolicyIn = "REJECT" },
		fail: func(s *hardening.Spec) { s.Firewall.PolicyIn = "ACCEPT" }, observed: []string{`firewall.policy_in = "ACCEPT"`}},
	{name: "policy_in unset is PVE's DROP", rule: "HC-FW-002", pass: func(s *hardening.Spec) { s.Firewall.PolicyIn = "" },
		fail: func(s *hardening.Spec) { s.Firewall.PolicyIn = "accept" }, observed: []string{`"accept"`}},
	{name: "policy_out accept", rule: "HC-FW-003", pass: func(s *hardening.Spec) { s.Firewall.PolicyOut = "REJECT" },
		fail: func(s *hardening.Spec) { s.Firewall.PolicyOut = "ACCEPT" }, observed: []string{`firewall.policy_out = "ACCEPT"`}},
	{name: "policy_out unset is PVE's ACCEPT", rule: "HC-FW-003",
		fail: func(s *hardening.Spec) { s.Firewall.PolicyOut = "" }, observed: []string{"firewall.policy_out is unset (PVE's default ACCEPT)"}},
	{name: "nesting", rule: "HC-FEAT-001", baseline: func(b *Baseline) { b.AllowedFeatures = []string{"keyctl"} },
		pass: func(s *hardening.Spec) { s.Features.Keyctl = true },
		fail: func(s *hardening.Spec) { s.Features.Nesting = true }, observed: []string{"features.nesting = true", "allowed features: keyctl"},
		path: []any{"features", "nesting"}},
	{name: "mount", rule: "HC-FEAT-001",
		fail: func(s *hardening.Spec) { s.Features.Mount = []string{"nfs"} }, observed: []string{`features.mount = ["nfs"]`, "allowed features: none"},
		path: []any{"features", "mount"}},
	{name: "secret in environment", rule: "HC-SEC-001",
		pass: func(s *hardening.Spec) {
			s.Environment = []string{"DB_PASSWORD_FILE=/run/secrets/db", "LANG=C.UTF-8", "API_TOKEN="}
		},
		fail: func(s *hardening.Spec) { s.Environment = []string{"LANG=C.UTF-8", "DB_PASSWORD=hunter2"} }, observed: []string{"entry DB_PASSWORD"}},
	{name: "secret in description", rule: "HC-SEC-002",
		pass:     func(s *hardening.Spec) { s.Description = "Web server.\nPasswords live in Vault (path secret/web)." },
		fail:     func(s *hardening.Spec) { s.Description = "Web server.\nbackup key AKIAIOSFODNN7EXAMPLE" },
		observed: []string{"an AWS access key ID (line 2)"}},
	{name: "required tag", rule: "HC-TAG-001", baseline: func(b *Baseline) { b.RequiredTags = []string{"owner-*", "prod"} },
		pass: func(s *hardening.Spec) { s.Tags = []string{"owner-web", "prod"} },
		fail: func(s *hardening.Spec) { s.Tags = []string{"prod", "web"} }, observed: []string{`tags = ["prod", "web"]`, `"owner-*"`}},
	{name: "datacenter firewall off", rule: "HC-FW-004",
		fail: func(s *hardening.Spec) { s.DatacenterFirewall = hardening.DatacenterFirewallOff }, observed: []string{"datacenter firewall is disabled", "no container firewall rule is in effect"}},
	{name: "datacenter firewall not observed", rule: "HC-FW-004",
		fail: func(s *hardening.Spec) { s.DatacenterFirewall = hardening.DatacenterFirewallUnobserved }, observed: []string{"not observed"}},
	{name: "restart owed", rule: "HC-RUN-001",
		pass: func(s *hardening.Spec) { s.Runtime = hardening.Runtime{Observed: true} },
		fail: func(s *hardening.Spec) {
			s.Runtime = hardening.Runtime{Observed: true, Stale: []string{"lxc.cap.drop: the running init still has sys_admin"}}
		}, observed: []string{"configured but not active", "still has sys_admin"}},
	{name: "no backup job", rule: "HC-BAK-001",
		fail: func(s *hardening.Spec) { s.Backup = hardening.BackupCoverage{Observed: true} }, observed: []string{"no enabled scheduled backup job"}},
	{name: "monitoring agent missing", rule: "HC-MON-001", baseline: func(b *Baseline) { b.RequiredGuestFiles = []string{"/var/ossec/bin/wazuh-agentd"} },
		pass: func(s *hardening.Spec) {
			s.GuestFiles = hardening.GuestFiles{Observed: true, Checked: []string{"/var/ossec/bin/wazuh-agentd"}}
		},
		fail: func(s *hardening.Spec) {
			s.GuestFiles = hardening.GuestFiles{Observed: true, Checked: []string{"/var/ossec/bin/wazuh-agentd"}, Missing: []string{"/var/ossec/bin/wazuh-agentd"}}
		},
		observed: []string{"missing inside the container: /var/ossec/bin/wazuh-agentd"}},
	{name: "monitoring agent not observed", rule: "HC-MON-001", baseline: func(b *Baseline) { b.RequiredGuestFiles = []string{"/x"} },
		pass: func(s *hardening.Spec) { s.GuestFiles = hardening.GuestFiles{Pending: true} },
		fail: func(s *hardening.Spec) { s.GuestFiles = hardening.GuestFiles{Reason: "the container is not running"} }, observed: []string{"not running"}},
	{name: "sshd allows passwords", rule: "HC-SSH-001",
		pass: func(s *hardening.Spec) { s.SSH = hardening.GuestSSH{Observed: true} }, // no OpenSSH server
		fail: func(s *hardening.Spec) {
			s.SSH = hardening.GuestSSH{Observed: true, Installed: true, Weaknesses: []string{"passwordauthentication yes", "banner none"}}
		}, observed: []string{"sshd in effect (sshd -T): passwordauthentication yes, banner none"}},
	{name: "sshd not observed", rule: "HC-SSH-001",
		pass: func(s *hardening.Spec) { s.SSH = hardening.GuestSSH{Stopped: true} },
		fail: func(s *hardening.Spec) { s.SSH = hardening.GuestSSH{Reason: "pct exec failed"} }, observed: []string{"not observed", "pct exec failed"}},
	{name: "backup jobs not observed", rule: "HC-BAK-001",
		fail: func(s *hardening.Spec) { s.Backup = hardening.BackupCoverage{} }, observed: []string{"not observed"}},
	{name: "onboot required", rule: "HC-OPS-001", baseline: func(b *Baseline) { b.RequireOnBoot = true },
		fail: func(s *hardening.Spec) { s.OnBoot = false }, observed: []string{"onboot = false"}},
	{name: "protection required", rule: "HC-OPS-002", baseline: func(b *Baseline) { b.RequireProtection = true },
		pass: func(s *hardening.Spec) { s.Protection = true }, fail: func(s *hardening.Spec) { s.Protection = false }, observed: []string{"protection = false"}},
	{name: "mount options", rule: "HC-FS-001", pass: func(s *hardening.Spec) { s.RootFS.MountOptions = []string{"noatime", "nosuid", "nodev"} },
		fail: func(s *hardening.Spec) { s.RootFS.MountOptions = []string{"noatime", "nosuid"} }, observed: []string{`rootfs.mount_options = ["noatime", "nosuid"] lacks "nodev"`}},
	{name: "bind mount", rule: "HC-MNT-001", baseline: func(b *Baseline) { b.AllowedBindMountPrefixes = []string{"/srv/shared/"} },
		pass: func(s *hardening.Spec) {
			s.MountPoints = []hardening.MountPoint{{Path: "/d", HostPath: "/srv/shared/app", MountOptions: []string{"nodev", "nosuid"}}}
		},
		fail: func(s *hardening.Spec) {
			s.MountPoints = []hardening.MountPoint{{Path: "/d", HostPath: "/srv/sharedx", MountOptions: []string{"nodev", "nosuid"}}}
		},
		observed: []string{"/srv/sharedx", `"/srv/shared/"`}, path: []any{"mount_points", 0, "host_path"}},
	{name: "bind mount of the host's root", rule: "HC-MNT-001", baseline: func(b *Baseline) { b.AllowedBindMountPrefixes = []string{"/"} },
		fail: func(s *hardening.Spec) {
			s.MountPoints = []hardening.MountPoint{{Path: "/mnt/host", HostPath: "/", MountOptions: []string{"nodev", "nosuid"}}}
		},
		observed: []string{"protected host path"}, path: []any{"mount_points", 0, "host_path"}},
	{name: "mount point options", rule: "HC-MNT-002",
		pass: func(s *hardening.Spec) {
			s.MountPoints = []hardening.MountPoint{{Path: "/d", Storage: "local", SizeGiB: 1, MountOptions: []string{"nodev", "nosuid", "noexec"}}}
		},
		fail: func(s *hardening.Spec) {
			s.MountPoints = []hardening.MountPoint{{Path: "/d", Storage: "local", SizeGiB: 1, MountOptions: []string{"nosuid"}}}
		},
		observed: []string{"mount_points[0] (/d) lacks nodev"}, path: []any{"mount_points", 0, "mount_options"}},
	{name: "device", rule: "HC-DEV-001", baseline: func(b *Baseline) { b.AllowedDevices = []string{"/dev/net/tun", "/dev/dri/*"} },
		pass: func(s *hardening.Spec) {
			s.Devices = []hardening.Device{{Path: "/dev/net/tun"}, {Path: "/dev/dri/renderD128"}}
		},
		fail:     func(s *hardening.Spec) { s.Devices = []hardening.Device{{Path: "/dev/net/tun"}, {Path: "/dev/sda"}} },
		observed: []string{"devices[1] passes host /dev/sda"}, path: []any{"devices", 1, "path"}},
	{name: "hookscript", rule: "HC-HOOK-001", baseline: func(b *Baseline) { b.AllowedHookscripts = []string{"local:snippets/audit-*"} },
		pass: func(s *hardening.Spec) { s.Hookscript = "local:snippets/audit-start.sh" },
		fail: func(s *hardening.Spec) { s.Hookscript = "local:snippets/x.sh" }, observed: []string{`"local:snippets/x.sh"`}},
	{name: "unlimited prlimit", rule: "HC-LIM-001",
		pass:     func(s *hardening.Spec) { s.PRLimits = map[string]string{"nofile": "1024:65535", "core": "0"} },
		fail:     func(s *hardening.Spec) { s.PRLimits = map[string]string{"nofile": "1024:unlimited", "core": "0"} },
		observed: []string{"unlimited: nofile"}, path: []any{"prlimits", hardening.Key("nofile")}},
	{name: "raw lines", rule: "HC-RAW-001",
		fail:     func(s *hardening.Spec) { s.RawLXC = []pctconf.Line{{Key: "lxc.idmap", Value: "u 0 0 65536"}} },
		observed: []string{"lxc.idmap"}},
	{name: "unfinished", rule: "HC-OPS-003",
		fail:     func(s *hardening.Spec) { s.Tags = append(s.Tags, hardening.UnfinishedTag) },
		observed: []string{"did not finish"}},
	{name: "unmanaged keys", rule: "HC-CFG-001",
		fail:     func(s *hardening.Spec) { s.Unmanaged = []string{"entrypoint: /bin/sh", "debug: 1"} },
		observed: []string{"entrypoint, debug"}},
	{name: "shell console", rule: "HC-CON-001", pass: func(s *hardening.Spec) { s.CMode = "console" },
		fail: func(s *hardening.Spec) { s.CMode = "shell" }, observed: []string{`console_mode = "shell"`}},
}

func TestRules(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range ruleCases {
		covered[c.rule] = true
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			r, ok := Lookup(c.rule)
			if !ok {
				t.Fatalf("unknown rule %s", c.rule)
			}
			b := Default()
			if c.baseline != nil {
				c.baseline(&b)
			}
			if ps := ValidateBaseline(b); len(ps) > 0 && c.name != "custom seccomp policy" {
				t.Fatalf("test baseline invalid: %v", ps)
			}

			pass := goodSpec()
			if c.pass != nil {
				c.pass(&pass)
			}
			fs := Check(pass, b, nil)
			if f := finding(t, fs, c.rule); f.Status != StatusPass {
				t.Errorf("pass case: %s: %s", f.Status, f.Detail)
			}
			if got := failing(fs); len(got) > 0 {
				t.Errorf("pass case also fails %v", got)
			}

			bad := goodSpec()
			c.fail(&bad)
			fs = Check(bad, b, nil)
			f := finding(t, fs, c.rule)
			if f.Status != StatusFail {
				t.Fatalf("fail case: %s: %s", f.Status, f.Detail)
			}
			for _, o := range c.observed {
				if !strings.Contains(f.Detail, o) {
					t.Errorf("detail %q does not name %q", f.Detail, o)
				}
			}
			if strings.Contains(f.Detail, "\n") {
				t.Errorf("detail is not one line: %q", f.Detail)
			}
			wantPath := c.path
			if wantPath == nil {
				wantPath = r.path()
			}
			if !reflect.DeepEqual(f.Path, wantPath) {
				t.Errorf("path %v, want %v", f.Path, wantPath)
			}
			if want := append([]string{c.rule}, c.alsoFail...); !sameSet(failing(fs), want) {
				t.Errorf("fail case fails %v, want %v", failing(fs), want)
			}

			// Excepted: the same failure with an exception (the baseline
			// letting containers except the rule).
			b.NoExceptions = nil
			var ex []Exception
			for _, id := range append([]string{c.rule}, c.alsoFail...) {
				ex = append(ex, Exception{Rule: id, Reason: "accepted risk, ticket SEC-1"})
			}
			fs = Check(bad, b, ex)
			e := finding(t, fs, c.rule)
			if e.Status != StatusExcepted || e.Reason != "accepted risk, ticket SEC-1" || e.Detail != f.Detail {
				t.Errorf("excepted case: %+v", e)
			}
			if s := Summarize(fs); s.Fail != 0 || s.Excepted != len(ex) {
				t.Errorf("excepted case summary %+v", s)
			}
			if v := Violations(fs); len(v) != 0 {
				t.Errorf("excepted findings are violations: %v", v)
			}
		})
	}
	for _, r := range catalogue {
		if !covered[r.ID] {
			t.Errorf("rule %s has no test case", r.ID)
		}
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// Relaxed baselines pass what the default fails, saying so.
func TestNotRequired(t *testing.T) {
	b := Default()
	b.RequireFirewall, b.RequireDefaultDenyIn, b.RequireDefaultDenyOut, b.RequireDatacenterFirewall = false, false, false, false
	b.RequireBackupJob, b.RequireSSHPolicy = false, false
	b.ForbidSecrets, b.ForbidShellConsole, b.DenyUserNamespaces = false, false, false
	b.RequiredDropCapabilities, b.RequiredMountOptions = nil, nil
	b.AllowedSeccompModes = nil
	s := goodSpec()
	s.Firewall = hardening.Firewall{PolicyIn: "ACCEPT", PolicyOut: "ACCEPT"}
	s.DatacenterFirewall = hardening.DatacenterFirewallOff
	s.Backup = hardening.BackupCoverage{}
	s.SSH = hardening.GuestSSH{Observed: true, Installed: true, Weaknesses: []string{"permitrootlogin yes"}}
	s.Environment = []string{"DB_PASSWORD=hunter2"}
	s.CMode = "shell"
	s.Capabilities.Drop = nil
	s.RootFS.MountOptions = nil
	s.Seccomp.Mode = seccomp.ModeDefault
	fs := Check(s, b, nil)
	if got := failing(fs); len(got) > 0 {
		t.Fatalf("failing %v", got)
	}
	for _, id := range []string{"HC-FW-001", "HC-FW-002", "HC-FW-003", "HC-FW-004", "HC-SEC-001", "HC-CON-001", "HC-BAK-001", "HC-SSH-001"} {
		if f := finding(t, fs, id); !strings.Contains(f.Detail, "not required") {
			t.Errorf("%s: %q", id, f.Detail)
		}
	}
	// Custom never passes, even when any mode is allowed.
	s.Seccomp.Mode = "custom"
	if f := finding(t, Check(s, b, nil), "HC-SC-001"); f.Status != StatusFail {
		t.Errorf("custom seccomp with no mode restriction: %s", f.Status)
	}
}

func TestExceptionsCheckHonours(t *testing.T) {
	s := goodSpec()
	s.Unprivileged = false
	s.MemoryMiB = 0
	s.Cores = 0
	ex := []Exception{
		{Rule: "HC-PRIV-001", Reason: "legacy NFS server"}, // in the default NoExceptions
		{Rule: "HC-CG-001", Reason: "  "},                  // blank reason
		{Rule: "HC-CG-003", Reason: "first"},
		{Rule: "HC-CG-003", Reason: "second"}, // duplicate: the first counts
		{Rule: "HC-FW-002", Reason: "passes anyway"},
	}
	fs := Check(s, Default(), ex)
	for id, want := range map[string]Status{"HC-PRIV-001": StatusFail, "HC-CG-001": StatusFail, "HC-CG-003": StatusExcepted, "HC-FW-002": StatusPass} {
		if f := finding(t, fs, id); f.Status != want {
			t.Errorf("%s: %s, want %s", id, f.Status, want)
		}
	}
	if f := finding(t, fs, "HC-CG-003"); f.Reason != "first" {
		t.Errorf("reason %q", f.Reason)
	}
	if f := finding(t, fs, "HC-FW-002"); f.Reason != "" {
		t.Errorf("a passing finding carries the reason %q", f.Reason)
	}
}

func TestSummarize(t *testing.T) {
	s := goodSpec()
	s.Firewall.PolicyIn = "ACCEPT"
	s.Cores = 0
	fs := Check(s, Default(), []Exception{{Rule: "HC-CG-003", Reason: "batch job"}})
	got := Summarize(fs)
	want := Summary{Pass: len(catalogue) - 2, Fail: 1, Excepted: 1, Failing: []string{"HC-FW-002"},
		Text: fmt.Sprintf("%d pass, 1 fail (HC-FW-002), 1 excepted (HC-CG-003)", len(catalogue)-2)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := Summarize(Check(goodSpec(), Default(), nil)).Text; got != fmt.Sprintf("%d pass, 0 fail, 0 excepted", len(catalogue)) {
		t.Errorf("clean summary %q", got)
	}
}

func TestViolations(t *testing.T) {
	s := goodSpec()
	s.MemoryMiB = 16384
	s.NICs = append(s.NICs, hardening.NIC{Name: "eth1", Bridge: "vmbr0", Firewall: false})
	ps := Violations(Check(s, Default(), nil))
	if len(ps) != 2 {
		t.Fatalf("violations %v", ps)
	}
	// catalogue order: HC-CG-001 before HC-FW-001
	mem, fw := ps[0], ps[1]
	if mem.Summary != "HC-CG-001: Memory is limited" || !reflect.DeepEqual(mem.Path, []any{"memory"}) || mem.Warning {
		t.Errorf("memory violation %+v", mem)
	}
	for _, want := range []string{"memory = 16384 MiB exceeds the baseline maximum 8192 MiB.", "exhaust the node's memory", "Fix: Set memory (MiB)",
		`exception { rule = "HC-CG-001", reason = "..." } (if the baseline allows it)`} {
		if !strings.Contains(mem.Detail, want) {
			t.Errorf("detail %q lacks %q", mem.Detail, want)
		}
	}
	if strings.Contains(mem.Detail, "`") {
		t.Errorf("detail has Markdown backticks: %q", mem.Detail)
	}
	if fw.Summary != "HC-FW-001: Firewall is enabled on the container and every interface" || !reflect.DeepEqual(fw.Path, []any{"network", 1, "firewall"}) {
		t.Errorf("firewall violation %+v", fw)
	}
	if !strings.HasSuffix(fw.Detail, `Or add an exception { rule = "HC-FW-001", reason = "..." } (if the baseline allows it).`) {
		t.Errorf("detail %q", fw.Detail)
	}
	s.Unprivileged = false
	priv := Violations(Check(s, Default(), nil))
	if priv[len(priv)-1].Summary != "HC-PRIV-001: Container is unprivileged" ||
		!strings.HasSuffix(priv[len(priv)-1].Detail, "The baseline allows no exception to this rule.") {
		t.Errorf("privileged violation %+v", priv[len(priv)-1])
	}
	if hardening.PathString(fw.Path) != "network[1].firewall" {
		t.Errorf("path string %s", hardening.PathString(fw.Path))
	}
}

func TestOutcome(t *testing.T) {
	b := Default()
	f := Finding{Rule: "HC-SEC-001", Status: StatusPass, Detail: "entry DB_PASSWORD looks like a secret"}
	if got := Outcome(f, false, b, nil); got.Status != StatusPass || got.Reason != "" || got.Detail != f.Detail {
		t.Errorf("passing: %+v", got)
	}
	if got := Outcome(f, true, b, nil); got.Status != StatusFail {
		t.Errorf("failing: %+v", got)
	}
	ex := []Exception{{Rule: "HC-SEC-001", Reason: "test fixture"}}
	if got := Outcome(f, true, b, ex); got.Status != StatusExcepted || got.Reason != "test fixture" {
		t.Errorf("excepted: %+v", got)
	}
	b.NoExceptions = append(b.NoExceptions, "HC-SEC-001")
	if got := Outcome(f, true, b, ex); got.Status != StatusFail {
		t.Errorf("exception the baseline forbids was honoured: %+v", got)
	}
}
