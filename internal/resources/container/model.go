package container

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/fwrules"
)

// containerModel is the hardened_container state/plan/config.
type containerModel struct {
	ID          types.String `tfsdk:"id"`
	Node        types.String `tfsdk:"node"`
	VMID        types.Int64  `tfsdk:"vmid"`
	Hostname    types.String `tfsdk:"hostname"`
	Description types.String `tfsdk:"description"`
	Tags        types.Set    `tfsdk:"tags"`

	OSTemplate types.String `tfsdk:"ostemplate"`
	Arch       types.String `tfsdk:"arch"`
	OSType     types.String `tfsdk:"ostype"`

	Unprivileged types.Bool `tfsdk:"unprivileged"`

	RootPassword          types.String `tfsdk:"root_password"`
	RootPasswordWO        types.String `tfsdk:"root_password_wo"` // write-only: null in plan and state
	RootPasswordWOVersion types.Int64  `tfsdk:"root_password_wo_version"`
	SSHPublicKeys         types.List   `tfsdk:"ssh_public_keys"`

	Cores    types.Int64   `tfsdk:"cores"`
	CPULimit types.Float64 `tfsdk:"cpu_limit"`
	CPUUnits types.Int64   `tfsdk:"cpu_units"`
	Memory   types.Int64   `tfsdk:"memory"`
	Swap     types.Int64   `tfsdk:"swap"`
	PidsMax  types.Int64   `tfsdk:"pids_max"`

	RootFS       types.Object `tfsdk:"rootfs"`
	Capabilities types.Object `tfsdk:"capabilities"`
	Features     types.Object `tfsdk:"features"`
	Network      types.List   `tfsdk:"network"`
	Firewall     types.Object `tfsdk:"firewall"`

	AppArmorProfile types.String `tfsdk:"apparmor_profile"`
	AppArmor        types.Object `tfsdk:"apparmor"`
	Seccomp         types.Object `tfsdk:"seccomp"`
	MountPoints     types.List   `tfsdk:"mount_points"`
	Devices         types.List   `tfsdk:"devices"`
	Hookscript      types.String `tfsdk:"hookscript"`
	Environment     types.Map    `tfsdk:"environment"`
	PRLimits        types.Map    `tfsdk:"prlimits"`
	RawLXC          types.List   `tfsdk:"raw_lxc"`
	UnmanagedConfig types.List   `tfsdk:"unmanaged_config"`
	NodeFiles       types.Map    `tfsdk:"node_files"`
	Exceptions      types.List   `tfsdk:"exceptions"`
	Compliance      types.Object `tfsdk:"compliance"`
	SSHServer       types.Object `tfsdk:"ssh_server"`

	Started         types.Bool   `tfsdk:"started"`
	RestartOnChange types.Bool   `tfsdk:"restart_on_hardening_change"`
	PendingRestart  types.String `tfsdk:"pending_restart"`
	OnBoot          types.Bool   `tfsdk:"onboot"`
	Startup         types.Object `tfsdk:"startup"`
	Protection      types.Bool   `tfsdk:"protection"`
	Timezone        types.String `tfsdk:"timezone"`
	Nameservers     types.List   `tfsdk:"nameservers"`
	SearchDomain    types.String `tfsdk:"searchdomain"`
	TTY             types.Int64  `tfsdk:"tty"`
	Console         types.Bool   `tfsdk:"console"`
	ConsoleMode     types.String `tfsdk:"console_mode"`
	LXCLines        types.List   `tfsdk:"lxc_lines"`
	FirewallFile    types.String `tfsdk:"firewall_file"`
	TaskTimeout     types.Int64  `tfsdk:"task_timeout_seconds"`
	AllowReplace    types.Bool   `tfsdk:"allow_replace_after_import"`

	// sshMemo is the init pid of the running container in which no sshd
	// was found (private state, see sshMemoKey); 0: none.
	sshMemo int `tfsdk:"-"`
}

type rootfsModel struct {
	Storage      types.String `tfsdk:"storage"`
	Size         types.Int64  `tfsdk:"size"`
	MountOptions types.Set    `tfsdk:"mount_options"`
	Volume       types.String `tfsdk:"volume"`
}

type capabilitiesModel struct {
	Drop types.Set `tfsdk:"drop"`
	Keep types.Set `tfsdk:"keep"`
}

type featuresModel struct {
	Nesting types.Bool `tfsdk:"nesting"`
	Keyctl  types.Bool `tfsdk:"keyctl"`
	Fuse    types.Bool `tfsdk:"fuse"`
	Mknod   types.Bool `tfsdk:"mknod"`
	Mount   types.Set  `tfsdk:"mount"`
}

type nicModel struct {
	Name        types.String  `tfsdk:"name"`
	Bridge      types.String  `tfsdk:"bridge"`
	VLAN        types.Int64   `tfsdk:"vlan"`
	IPv4        types.String  `tfsdk:"ipv4"`
	IPv4Gateway types.String  `tfsdk:"ipv4_gateway"`
	IPv6        types.String  `tfsdk:"ipv6"`
	IPv6Gateway types.String  `tfsdk:"ipv6_gateway"`
	MAC         types.String  `tfsdk:"mac"`
	RateMbps    types.Float64 `tfsdk:"rate_mbps"`
	MTU         types.Int64   `tfsdk:"mtu"`
	Firewall    types.Bool    `tfsdk:"firewall"`
}

type firewallModel struct {
	Enabled     types.Bool   `tfsdk:"enabled"`
	PolicyIn    types.String `tfsdk:"policy_in"`
	PolicyOut   types.String `tfsdk:"policy_out"`
	MACFilter   types.Bool   `tfsdk:"macfilter"`
	IPFilter    types.Bool   `tfsdk:"ipfilter"`
	NDP         types.Bool   `tfsdk:"ndp"`
	RADV        types.Bool   `tfsdk:"radv"`
	DHCP        types.Bool   `tfsdk:"dhcp"`
	LogLevelIn  types.String `tfsdk:"log_level_in"`
	LogLevelOut types.String `tfsdk:"log_level_out"`
	Rules       types.List   `tfsdk:"rules"`
	IPSets      types.Map    `tfsdk:"ipsets"`
	Aliases     types.Map    `tfsdk:"aliases"`
}

// ipsetModel is one firewall.ipsets value (the map key is the name).
type ipsetModel struct {
	Comment types.String `tfsdk:"comment"`
	Entries types.Set    `tfsdk:"entries"`
}

type ipsetEntryModel struct {
	CIDR    types.String `tfsdk:"cidr"`
	NoMatch types.Bool   `tfsdk:"nomatch"`
	Comment types.String `tfsdk:"comment"`
}

// aliasModel is one firewall.aliases value (the map key is the name).
type aliasModel struct {
	CIDR    types.String `tfsdk:"cidr"`
	Comment types.String `tfsdk:"comment"`
}

type mountPointModel struct {
	Path         types.String `tfsdk:"path"`
	Storage      types.String `tfsdk:"storage"`
	Size         types.Int64  `tfsdk:"size"`
	HostPath     types.String `tfsdk:"host_path"`
	ReadOnly     types.Bool   `tfsdk:"read_only"`
	Backup       types.Bool   `tfsdk:"backup"`
	MountOptions types.Set    `tfsdk:"mount_options"`
	Volume       types.String `tfsdk:"volume"`
}

type deviceModel struct {
	Path      types.String `tfsdk:"path"`
	Mode      types.String `tfsdk:"mode"`
	UID       types.Int64  `tfsdk:"uid"`
	GID       types.Int64  `tfsdk:"gid"`
	DenyWrite types.Bool   `tfsdk:"deny_write"`
}

type startupModel struct {
	Order types.Int64 `tfsdk:"order"`
	Up    types.Int64 `tfsdk:"up"`
	Down  types.Int64 `tfsdk:"down"`
}

var (
	strSet  = types.SetType{ElemType: types.StringType}
	strList = types.ListType{ElemType: types.StringType}

	rootfsAttrTypes = map[string]attr.Type{"storage": types.StringType, "size": types.Int64Type, "mount_options": strSet, "volume": types.StringType}
	capsAttrTypes   = map[string]attr.Type{"drop": strSet, "keep": strSet}
	featAttrTypes   = map[string]attr.Type{"nesting": types.BoolType, "keyctl": types.BoolType, "fuse": types.BoolType, "mknod": types.BoolType,
		"mount": strSet}
	nicAttrTypes = map[string]attr.Type{"name": types.StringType, "bridge": types.StringType, "vlan": types.Int64Type,
		"ipv4": types.StringType, "ipv4_gateway": types.StringType, "ipv6": types.StringType, "ipv6_gateway": types.StringType,
		"mac": types.StringType, "rate_mbps": types.Float64Type, "mtu": types.Int64Type, "firewall": types.BoolType}
	ipsetEntryAttrTypes = map[string]attr.Type{"cidr": types.StringType, "nomatch": types.BoolType, "comment": types.StringType}
	ipsetAttrTypes      = map[string]attr.Type{"comment": types.StringType,
		"entries": types.SetType{ElemType: types.ObjectType{AttrTypes: ipsetEntryAttrTypes}}}
	aliasAttrTypes = map[string]attr.Type{"cidr": types.StringType, "comment": types.StringType}
	fwAttrTypes    = map[string]attr.Type{"enabled": types.BoolType, "policy_in": types.StringType, "policy_out": types.StringType,
		"macfilter": types.BoolType, "ipfilter": types.BoolType, "ndp": types.BoolType, "radv": types.BoolType, "dhcp": types.BoolType,
		"log_level_in": types.StringType, "log_level_out": types.StringType,
		"rules":   types.ListType{ElemType: fwrules.ObjectType},
		"ipsets":  types.MapType{ElemType: types.ObjectType{AttrTypes: ipsetAttrTypes}},
		"aliases": types.MapType{ElemType: types.ObjectType{AttrTypes: aliasAttrTypes}}}
	mountPointAttrTypes = map[string]attr.Type{
		"path":          types.StringType,
		"storage":       types.StringType,
		"size":          types.Int64Type,
		"host_path":     types.StringType,
		"read_only":     types.BoolType,
		"backup":        types.BoolType,
		"mount_options": strSet,
		"volume":        types.StringType,
	}
	deviceAttrTypes = map[string]attr.Type{
		"path":       types.StringType,
		"mode":       types.StringType,
		"uid":        types.Int64Type,
		"gid":        types.Int64Type,
		"deny_write": types.BoolType,
	}
	startupAttrTypes = map[string]attr.Type{"order": types.Int64Type, "up": types.Int64Type, "down": types.Int64Type}
)
