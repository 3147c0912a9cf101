package pvesim

import "sort"

// privGroup is one category of PVE privileges split by the built-in role
// tier that gets them (pve-access-control AccessControl.pm, PVE 9.1).
type privGroup struct {
	cat                      string
	root, admin, user, audit []string
}

var privGroups = []privGroup{
	{cat: "VM",
		admin: []string{"VM.Config.Disk", "VM.Config.CPU", "VM.Config.Memory", "VM.Config.Network", "VM.Config.HWType",
			"VM.Config.Options", "VM.Allocate", "VM.Clone", "VM.GuestAgent.Unrestricted", "VM.Migrate", "VM.Replicate",
			"VM.Snapshot", "VM.Snapshot.Rollback"},
		user: []string{"VM.Config.CDROM", "VM.Config.Cloudinit", "VM.Console", "VM.Backup", "VM.GuestAgent.FileRead",
			"VM.GuestAgent.FileSystemMgmt", "VM.GuestAgent.FileWrite", "VM.PowerMgmt"},
		audit: []string{"VM.Audit", "VM.GuestAgent.Audit"}},
	{cat: "Sys",
		root:  []string{"Sys.PowerMgmt", "Sys.Modify", "Sys.Incoming", "Sys.AccessNetwork"},
		admin: []string{"Sys.Console", "Sys.Syslog"},
		audit: []string{"Sys.Audit"}},
	{cat: "Datastore",
		admin: []string{"Datastore.Allocate", "Datastore.AllocateTemplate"},
		user:  []string{"Datastore.AllocateSpace"},
		audit: []string{"Datastore.Audit"}},
	{cat: "SDN",
		admin: []string{"SDN.Allocate", "SDN.Audit"},
		user:  []string{"SDN.Use"},
		audit: []string{"SDN.Audit"}},
	{cat: "User",
		root:  []string{"Realm.Allocate"},
		admin: []string{"User.Modify", "Group.Allocate", "Realm.AllocateUser"}},
	{cat: "Pool",
		admin: []string{"Pool.Allocate"},
		user:  []string{"Pool.Audit"},
		audit: []string{"Pool.Audit"}},
	{cat: "Mapping",
		admin: []string{"Mapping.Modify"},
		user:  []string{"Mapping.Use"},
		audit: []string{"Mapping.Audit"}},
}

// privSet is a set of privilege names.
type privSet map[string]bool

var (
	// validPrivs holds every privilege PVE knows (Permissions.Modify belongs
	// to no group).
	validPrivs = privSet{"Permissions.Modify": true}
	// specialRoles are PVE's built-in roles, always present in user.cfg and
	// never editable: NoAccess, Administrator (every privilege), PVEAdmin,
	// PVE<Cat>Admin, PVE<Cat>User, PVEAuditor, PVETemplateUser.
	specialRoles = map[string]privSet{"NoAccess": {}, "Administrator": validPrivs}
)

func init() {
	add := func(role string, privs ...string) {
		if specialRoles[role] == nil {
			specialRoles[role] = privSet{}
		}
		for _, p := range privs {
			specialRoles[role][p] = true
		}
	}
	for _, g := range privGroups {
		for _, l := range [][]string{g.root, g.admin, g.user, g.audit} {
			for _, p := range l {
				validPrivs[p] = true
			}
		}
		for _, l := range [][]string{g.admin, g.user, g.audit} {
			add("PVE"+g.cat+"Admin", l...)
			add("PVEAdmin", l...)
		}
		if len(g.user) > 0 {
			add("PVE"+g.cat+"User", append(append([]string{}, g.user...), g.audit...)...)
		}
		add("PVEAuditor", g.audit...)
	}
	// only Administrator, root@pam and PVEMappingAdmin may modify mappings
	delete(specialRoles["PVEAdmin"], "Mapping.Modify")
	specialRoles["PVETemplateUser"] = privSet{"VM.Clone": true, "VM.Audit": true}
}

// ValidPrivileges lists every privilege PVE 9.1 knows, sorted.
func ValidPrivileges() []string {
	out := make([]string, 0, len(validPrivs))
	for p := range validPrivs {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
