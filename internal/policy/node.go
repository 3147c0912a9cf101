package policy

import (
	"fmt"
	"strings"
)

// NodeFacts is one PVE node's host posture as observed through the API
// and the node channel. A fact that could not be read is reported in
// Unread (path → why) and fails its rule: nothing shows it holds.
type NodeFacts struct {
	Node string
	// AppArmorEnabled: /sys/module/apparmor/parameters/enabled is "Y".
	AppArmorEnabled bool
	// CgroupMounts are the file system types mounted at /sys/fs/cgroup
	// and below (/proc/mounts), e.g. ["cgroup2"] on a unified host.
	CgroupMounts []CgroupMount
	// AcceptRA is /proc/sys/net/ipv6/conf/{all,default}/accept_ra.
	AcceptRA map[string]string
	// SubUID and SubGID are root's ranges in /etc/subuid and /etc/subgid.
	SubUID, SubGID []IDRange
	// Idmaps are the host ranges the node's containers map to (per
	// container "vmid": the u and g ranges of its lxc.idmap lines, or PVE's
	// default 100000:65536 for an unprivileged container without any).
	Idmaps []ContainerIdmap
	// HostFirewall is host.fw's [OPTIONS] enable ("" when unset: PVE's
	// default, enabled).
	HostFirewall string
	// DatacenterFirewall: cluster.fw's [OPTIONS] enable is 1.
	DatacenterFirewall bool
	Unread             map[string]string
}

// CgroupMount is one /proc/mounts entry at or under /sys/fs/cgroup.
type CgroupMount struct{ Path, FSType string }

// IDRange is a subordinate ID range: Start, Count IDs.
type IDRange struct{ Start, Count int64 }

// Contains reports whether r covers [start, start+count).
func (r IDRange) Contains(start, count int64) bool {
	return start >= r.Start && start+count <= r.Start+r.Count
}

// ContainerIdmap is one container's host ID ranges.
type ContainerIdmap struct {
	VMID     int
	UID, GID []IDRange
}

// NodeRule is one check of a node's host posture.
type NodeRule struct {
	ID, Title, Rationale, Remedy string
	Severity                     Severity
	check                        func(NodeFacts) (bool, string)
}

// NodeFinding is one node rule's outcome for one node.
type NodeFinding struct {
	Rule, Title, Detail, Remedy string
	Severity                    Severity
	Status                      Status
}

// NodeCatalogue is every node rule, ordered by ID.
func NodeCatalogue() []NodeRule { return append([]NodeRule(nil), nodeRules...) }

// CheckNode evaluates every node rule.
func CheckNode(f NodeFacts) []NodeFinding {
	out := make([]NodeFinding, 0, len(nodeRules))
	for _, r := range nodeRules {
		ok, detail := r.check(f)
		st := StatusPass
		if !ok {
			st = StatusFail
		}
		out = append(out, NodeFinding{Rule: r.ID, Title: r.Title, Detail: detail, Remedy: r.Remedy, Severity: r.Severity, Status: st})
	}
	return out
}

const seed004Net = seed004 + ` ("IPv6 Router Advertisements acceptance"): "As LXC containers only use IPv4 addresses, there is a likelihood of ` +
	`containers changing the LXC host's IPv6 routing table through IPv6 router advertisements. For security purposes, it is necessary to configure the ` +
	`networking device manually instead of relying on automatic configuration"; it sets net.ipv6.conf.all.accept_ra=0 and ` +
	`net.ipv6.conf.default.accept_ra=0.`

var nodeRules = []NodeRule{
	{ID: "HC-NODE-001", Title: "AppArmor is enabled in the node's kernel", Severity: SeverityCritical,
		Rationale: seed000 + ` checklist: "AppArmor profile assigned and active": a profile is only active when the host kernel has AppArmor enabled; ` +
			`without it every container's apparmor_profile (HC-AA-001, HC-AA-002) is without effect. ` +
			seed001 + `: "LXC uses many security features like AppArmor, CGroups and kernel namespaces"; "AppArmor profiles are used to ` +
			`restrict access to possibly dangerous actions."`,
		Remedy: "Boot the node with AppArmor enabled (PVE's kernel default; remove `apparmor=0` from the kernel command line) and make sure the " +
			"`apparmor` service runs.",
		check: checkNodeAppArmor},
	{ID: "HC-NODE-002", Title: "The node uses the unified cgroup (v2) hierarchy", Severity: SeverityHigh,
		Rationale: seed001 + `: "Since Proxmox VE 7.0, the default is a pure cgroupv2 environment"; the provider's limits (pids_max, memory and swap, ` +
			`controlled independently only "with cgroupv2") are lxc.cgroup2.* keys, which LXC ignores on a legacy or hybrid host ("Ignoring cgroup2 ` +
			`limits on legacy cgroup system"). ` + seed000 + ` checklist: "CPU, memory, and PID limits configured".`,
		Remedy: "Remove `systemd.unified_cgroup_hierarchy=0` from the node's kernel command line and reboot: /sys/fs/cgroup must be a cgroup2 mount " +
			"with no cgroup (v1) hierarchy.",
		check: checkNodeCgroup},
	{ID: "HC-NODE-003", Title: "The node accepts no IPv6 router advertisements", Severity: SeverityMedium,
		Rationale: seed004Net,
		Remedy: "On the node: `sysctl -w net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0`, and persist both in /etc/sysctl.d/ " +
			"(configure the node's IPv6 addresses and routes statically).",
		check: checkNodeAcceptRA},
	{ID: "HC-NODE-004", Title: "root's subordinate ID ranges cover every container's idmap", Severity: SeverityHigh,
		Rationale: seed003 + `: "If you wish to use unprivileged containers, you will need to ensure that users have sufficient allocated subuids and ` +
			`subgids" (/etc/subuid, /etc/subgid); newuidmap and newgidmap "ensure that the user only maps IDs which are authorised". ` +
			seed000 + `: an unprivileged container's root is mapped to an unprivileged host UID range; a map outside root's ranges overlaps IDs ` +
			`the host gave to someone else, or fails to start.`,
		Remedy: "Add the missing ranges for root to /etc/subuid and /etc/subgid (PVE's default is `root:100000:65536`), or move the container's " +
			"lxc.idmap lines to ranges root owns.",
		check: checkNodeSubIDs},
	{ID: "HC-NODE-005", Title: "The node's host firewall is enabled", Severity: SeverityHigh,
		Rationale: seed000 + ` checklist: "Dedicated network interface with firewall rules applied". The node firewall (/etc/pve/nodes/<node>/host.fw, ` +
			`[OPTIONS] enable, on unless set to 0) guards the node itself, including the management interface a container must never reach; with it off, ` +
			`pve-firewall installs no rule for the host.`,
		Remedy: "Remove `enable: 0` from the node's host.fw [OPTIONS] (Node → Firewall → Options → Firewall: Yes).",
		check:  checkNodeHostFirewall},
	{ID: "HC-NODE-006", Title: "The datacenter firewall is enabled", Severity: SeverityHigh,
		Rationale: seed000 + ` checklist: "Dedicated network interface with firewall rules applied". While the datacenter firewall (cluster.fw [OPTIONS] ` +
			`enable) is off — PVE's default — pve-firewall installs no rule at all, neither the node's nor any container's (the container rule HC-FW-004).`,
		Remedy: "`resource \"hardened_cluster_firewall\" \"dc\" { enable = true }`, or Datacenter → Firewall → Options → Firewall: Yes.",
		check: func(f NodeFacts) (bool, string) {
			return f.DatacenterFirewall, onOff(f.DatacenterFirewall, "the datacenter firewall")
		}},
}

func onOff(on bool, what string) string {
	if on {
		return what + " is enabled"
	}
	return what + " is disabled"
}

func unread(f NodeFacts, paths ...string) (string, bool) {
	for _, p := range paths {
		if why, ok := f.Unread[p]; ok {
			return fmt.Sprintf("%s could not be read (%s): nothing shows the check holds", p, why), true
		}
	}
	return "", false
}

func checkNodeAppArmor(f NodeFacts) (bool, string) {
	if d, bad := unread(f, "/sys/module/apparmor/parameters/enabled"); bad {
		return false, d
	}
	if !f.AppArmorEnabled {
		return false, "AppArmor is disabled in the kernel (/sys/module/apparmor/parameters/enabled is not Y): no container profile is enforced"
	}
	return true, "AppArmor is enabled in the kernel"
}

func checkNodeCgroup(f NodeFacts) (bool, string) {
	if d, bad := unread(f, "/proc/mounts"); bad {
		return false, d
	}
	unified, v1 := false, []string{}
	for _, m := range f.CgroupMounts {
		switch {
		case m.FSType == "cgroup2" && m.Path == "/sys/fs/cgroup":
			unified = true
		case m.FSType == "cgroup":
			v1 = append(v1, m.Path)
		}
	}
	switch {
	case unified && len(v1) == 0:
		return true, "/sys/fs/cgroup is the unified cgroup2 hierarchy"
	case len(v1) > 0:
		return false, fmt.Sprintf("cgroup v1 hierarchies are mounted (%s): a legacy or hybrid host, where LXC ignores "+
			"lxc.cgroup2.* limits", strings.Join(v1, ", "))
	}
	return false, "no cgroup2 file system is mounted at /sys/fs/cgroup"
}

func checkNodeAcceptRA(f NodeFacts) (bool, string) {
	var bad []string
	for _, k := range []string{"all", "default"} {
		p := "/proc/sys/net/ipv6/conf/" + k + "/accept_ra"
		if d, no := unread(f, p); no {
			return false, d
		}
		if v := strings.TrimSpace(f.AcceptRA[k]); v != "0" {
			bad = append(bad, fmt.Sprintf("net.ipv6.conf.%s.accept_ra = %s", k, v))
		}
	}
	if len(bad) > 0 {
		return false, strings.Join(bad, ", ") + ": the node accepts router advertisements"
	}
	return true, "net.ipv6.conf.all.accept_ra = 0 and net.ipv6.conf.default.accept_ra = 0"
}

func checkNodeSubIDs(f NodeFacts) (bool, string) {
	if d, bad := unread(f, "/etc/subuid", "/etc/subgid"); bad {
		return false, d
	}
	var bad []string
	for _, c := range f.Idmaps {
		for _, kind := range []struct {
			name   string
			maps   []IDRange
			ranges []IDRange
		}{{"uid", c.UID, f.SubUID}, {"gid", c.GID, f.SubGID}} {
			for _, m := range kind.maps {
				if !covered(m, kind.ranges) {
					bad = append(bad, fmt.Sprintf("CT %d maps host %ss %d-%d", c.VMID, kind.name, m.Start, m.Start+m.Count-1))
				}
			}
		}
	}
	if len(bad) > 0 {
		return false, strings.Join(bad, "; ") + ": outside root's ranges in /etc/subuid, /etc/subgid"
	}
	return true, fmt.Sprintf("root's subordinate ID ranges cover the idmaps of %d unprivileged container(s)", len(f.Idmaps))
}

func covered(m IDRange, ranges []IDRange) bool {
	for _, r := range ranges {
		if r.Contains(m.Start, m.Count) {
			return true
		}
	}
	return false
}

func checkNodeHostFirewall(f NodeFacts) (bool, string) {
	if d, bad := unread(f, "host.fw"); bad {
		return false, d
	}
	if f.HostFirewall == "0" {
		return false, "host.fw [OPTIONS] enable: 0: no firewall rule protects the node"
	}
	return true, "the node's host firewall is enabled (host.fw [OPTIONS] enable unset or 1)"
}
