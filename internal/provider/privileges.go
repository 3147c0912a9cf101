package provider

import (
	"fmt"
	"sort"
	"strings"
)

// Grant is a set of PVE privileges the provider needs on one ACL path for
// one feature. The real-cluster guide and the least-privilege acceptance test
// are both built from LeastPrivilege, so they cannot drift apart.
type Grant struct {
	Feature string // containers, firewall, security groups, backup jobs, audit, templates
	Path    string // ACL path
	// Propagate: the ACL also applies below Path (/vms -> /vms/100).
	Propagate bool
	Privs     []string
	Why       string
	// Optional grants are left out of the default role set (they widen it):
	// LeastPrivilegeRoles includes them only when their feature is named.
	Optional bool
}

// LeastPrivilege lists what the provider calls need (pve-access-control's
// checks as the simulator enforces them; PVE 9.1):
var LeastPrivilege = []Grant{
	{Feature: "containers", Path: "/vms", Propagate: true,
		Privs: []string{"VM.Allocate", "VM.Audit", "VM.Config.CPU", "VM.Config.Disk", "VM.Config.Memory",
			"VM.Config.Network", "VM.Config.Options", "VM.PowerMgmt"},
		Why: "create and destroy (VM.Allocate), read (VM.Audit), each config key by its class, resize (VM.Config.Disk and VM.Config.Options), " +
			"start/stop/reboot"},
	{Feature: "containers", Path: "/storage", Propagate: true,
		Privs: []string{"Datastore.AllocateSpace", "Datastore.Audit"},
		Why:   "allocate root and mount point volumes, read the template (ostemplate) and list templates"},
	{Feature: "containers", Path: "/sdn/zones/localnetwork", Propagate: true,
		Privs: []string{"SDN.Use"},
		Why:   "attach network interfaces to a bridge (or VLAN) of the node"},
	{Feature: "containers", Path: "/", Propagate: false,
		Privs: []string{"Sys.Audit"},
		Why:   "the nodes' addresses for SSH (GET /cluster/status); without it, set ssh.nodes for every node"},
	{Feature: "templates", Path: "/storage", Propagate: true,
		Privs: []string{"Datastore.Audit"},
		Why:   "hardened_templates lists a storage's vztmpl content"},
	{Feature: "firewall", Path: "/vms", Propagate: true,
		Privs: []string{"VM.Audit", "VM.Config.Network"},
		Why:   "read and write each container's firewall options, rules, aliases and IP sets"},
	{Feature: "firewall", Path: "/", Propagate: false,
		Privs: []string{"Sys.Audit"},
		Why:   "read the datacenter firewall options (HC-FW-004: the datacenter firewall must be on)"},
	{Feature: "security groups", Path: "/", Propagate: false,
		Privs: []string{"Sys.Audit", "Sys.Modify"},
		Why:   "hardened_security_group and hardened_cluster_firewall write /cluster/firewall (datacenter-wide)"},
	{Feature: "backup jobs", Path: "/", Propagate: false,
		Privs: []string{"Sys.Audit", "Sys.Modify"},
		Why:   "read and write /cluster/backup jobs"},
	{Feature: "template downloads", Path: "/storage/local", Propagate: false, Optional: true,
		Privs: []string{"Datastore.Allocate", "Datastore.AllocateTemplate"},
		Why: "hardened_template downloads into the storage (AllocateTemplate) and deletes its file on destroy (Allocate, which can delete any volume " +
			"of that storage: grant it on the template storage only)"},
	{Feature: "template downloads", Path: "/nodes", Propagate: true, Optional: true,
		Privs: []string{"Sys.AccessNetwork"},
		Why:   "PVE downloads from the node's network (the alternative, Sys.Audit and Sys.Modify on /, is wider)"},
	{Feature: "audit", Path: "/vms", Propagate: true,
		Privs: []string{"VM.Audit"},
		Why:   "hardened_audit reads every container's config and firewall"},
	{Feature: "audit", Path: "/", Propagate: false,
		Privs: []string{"Sys.Audit"},
		Why:   "the datacenter firewall options"},
}

// PathRole is one role of the provider's least-privilege set: the union of
// every feature's privileges on one ACL path.
type PathRole struct {
	Role      string
	Path      string
	Propagate bool
	Privs     []string
}

// LeastPrivilegeRoles merges LeastPrivilege into one role per ACL path for
// the given features (all but the optional ones when none are named), in a
// fixed order.
func LeastPrivilegeRoles(features ...string) []PathRole {
	want := map[string]bool{}
	for _, f := range features {
		want[f] = true
	}
	byPath := map[string]*PathRole{}
	var order []string
	for _, g := range LeastPrivilege {
		if (len(want) > 0 && !want[g.Feature]) || (len(want) == 0 && g.Optional) {
			continue
		}
		pr := byPath[g.Path]
		if pr == nil {
			pr = &PathRole{Role: roleName(g.Path), Path: g.Path, Propagate: g.Propagate}
			byPath[g.Path] = pr
			order = append(order, g.Path)
		}
		for _, p := range g.Privs {
			if !contains(pr.Privs, p) {
				pr.Privs = append(pr.Privs, p)
			}
		}
	}
	sort.Strings(order)
	out := make([]PathRole, 0, len(order))
	for _, p := range order {
		pr := byPath[p]
		sort.Strings(pr.Privs)
		out = append(out, *pr)
	}
	return out
}

func roleName(path string) string {
	switch path {
	case "/":
		return "HardenedDatacenter"
	case "/vms":
		return "HardenedGuests"
	case "/storage":
		return "HardenedStorage"
	case "/nodes":
		return "HardenedNodes"
	case "/sdn/zones/localnetwork":
		return "HardenedNetwork"
	}
	return "HardenedTemplates"
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// PveumCommands are the shell commands that create the roles, the user and
// a privilege-separated API token, and grant the roles on their paths to
// both (a privilege-separated token holds only what it and its user hold).
func PveumCommands(user, tokenName string, roles []PathRole) []string {
	var out []string
	for _, r := range roles {
		out = append(out, fmt.Sprintf("pveum role add %s --privs %q", r.Role, strings.Join(r.Privs, ",")))
	}
	out = append(out, "pveum user add "+user,
		fmt.Sprintf("pveum user token add %s %s --privsep 1", user, tokenName))
	for _, r := range roles {
		prop := 1
		if !r.Propagate {
			prop = 0
		}
		out = append(out, fmt.Sprintf("pveum acl modify %s --roles %s --users %s --propagate %d", r.Path, r.Role, user, prop),
			fmt.Sprintf("pveum acl modify %s --roles %s --tokens '%s!%s' --propagate %d", r.Path, r.Role, user, tokenName, prop))
	}
	return out
}

// UserCfgLines are the user.cfg lines those commands leave behind (without
// the user and token lines), as pveum writes them.
func UserCfgLines(user, tokenName string, roles []PathRole) string {
	var b strings.Builder
	for _, r := range roles {
		fmt.Fprintf(&b, "role:%s:%s:\n", r.Role, strings.Join(r.Privs, ","))
	}
	for _, r := range roles {
		prop := 1
		if !r.Propagate {
			prop = 0
		}
		fmt.Fprintf(&b, "acl:%d:%s:%s,%s!%s:%s:\n", prop, r.Path, user, user, tokenName, r.Role)
	}
	return b.String()
}
