// Package hardening is the provider's framework-free core: the Spec of a
// hardened container, its seed-000 defaults, plan-time validation, the
// rendering into PVE API parameters, raw lxc.* lines and the firewall file,
// and the observation of a live container back into a Spec.
package hardening

import (
	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// Spec is everything the provider enforces on one container.
type Spec struct {
	Node        string
	VMID        int
	Hostname    string
	Description string
	Tags        []string

	OSTemplate string
	Arch       string
	OSType     string // observed only

	Unprivileged bool

	RootPassword  string   // write-only (PVE never returns it)
	SSHPublicKeys []string // write-only

	Cores     int     // 0 = all host cores
	CPULimit  float64 // 0 = no limit
	CPUUnits  int
	MemoryMiB int
	SwapMiB   int
	PidsMax   int

	RootFS RootFS

	Capabilities Capabilities
	Features     Features
	NICs         []NIC
	Firewall     Firewall
	// DatacenterFirewall is the cluster-wide firewall switch the container's
	// firewall depends on (observed only, never set through a container;
	// zero: not observed). See DatacenterFirewall.
	DatacenterFirewall DatacenterFirewall
	// Runtime is what the running container runs (observed only: the
	// init's /proc view and the provider's restart record).
	Runtime Runtime
	// Backup is the container's coverage by the cluster's scheduled backup
	// jobs (observed only, never set through a container; zero: not
	// observed). See BackupCoverage.
	Backup BackupCoverage
	// GuestFiles are the baseline's required files as observed inside the
	// container (observed only; zero: not observed). See GuestFiles.
	GuestFiles GuestFiles
	// SSH is the OpenSSH server inside the container as observed through
	// pct exec (observed only; zero: not observed). See GuestSSH.
	SSH GuestSSH

	// AppArmorProfile is AppArmorHardened (a profile the provider generates
	// from AppArmor), AppArmorPVE (PVE's own) or a named lxc-* profile.
	AppArmorProfile string
	AppArmor        apparmor.Settings // for AppArmorHardened; Nesting and MountFSTypes come from Features

	// Seccomp is the container's seccomp policy (Keyctl and Mknod come from
	// Features). Observed, its Mode is SeccompCustom when the pct.conf names
	// a policy file the provider did not write for these settings; the
	// file's path is then SeccompProfile.
	Seccomp        seccomp.Policy
	SeccompProfile string

	// Environment is the container's runtime environment (PVE's `env`):
	// KEY=VALUE entries, sorted. Policy checks that nothing secret sits in
	// it (seed 000: /proc/<pid>/environ is readable).
	Environment []string

	// MountPoints are the mp[n] keys (index = position).
	MountPoints []MountPoint
	// Devices are the dev[n] keys (index = position).
	Devices []Device
	// Hookscript is PVE's hookscript volume ("" = none).
	Hookscript string
	// PRLimits are the lxc.prlimit.<name> resource limits: name -> value
	// ("soft:hard", one number for both, "unlimited").
	PRLimits map[string]string
	// RawLXC are raw lxc.* lines outside the typed keys, in file order
	// (the raw_lxc escape hatch; observed: every such line).
	RawLXC []pctconf.Line
	// Unmanaged are observed config keys of the Unmanaged class as
	// "key: value", sorted; never part of a configuration.
	Unmanaged []string

	Started      bool
	OnBoot       bool
	Startup      Startup
	Protection   bool
	Timezone     string
	Nameservers  []string
	SearchDomain string
	TTY          int
	Console      bool
	CMode        string
}

// RootFS is the root volume.
type RootFS struct {
	Storage      string
	SizeGiB      int
	MountOptions []string
	Volume       string // observed volume id, e.g. local-lvm:vm-100-disk-0
}

// Capabilities: either Drop (drop these, keep the rest) or Keep (drop all
// but these). KeepMode says which one is in force.
type Capabilities struct {
	KeepMode bool
	Drop     []string
	Keep     []string
}

// Features are the PVE `features` flags.
type Features struct {
	Nesting, Keyctl, Fuse, Mknod bool
	Mount                        []string
}

// NIC is one net[n] interface (index = position in Spec.NICs).
type NIC struct {
	Name        string
	Bridge      string
	VLAN        int // 0 = untagged
	IPv4        string
	GatewayIPv4 string
	IPv6        string
	GatewayIPv6 string
	MAC         string
	RateMbps    float64
	MTU         int
	Firewall    bool
}

// Firewall is the container's firewall (options + ordered rules).
type Firewall struct {
	Enabled     bool
	PolicyIn    string
	PolicyOut   string
	MACFilter   bool
	IPFilter    bool
	NDP         bool
	RADV        bool
	DHCP        bool
	LogLevelIn  string
	LogLevelOut string
	Rules       []firewall.Rule
	// IPSets and Aliases are the ones the user declares (names lower case),
	// sorted by name; the derived ipfilter-netN sets are not among them
	// (DerivedIPFilterSets).
	IPSets  []firewall.IPSet
	Aliases []firewall.Alias
}

// MountPoint is one mp[n]: a volume (Storage and SizeGiB; Volume is the
// observed volume id) or a host bind mount (HostPath).
type MountPoint struct {
	Path         string // where it is mounted inside the container
	Storage      string
	SizeGiB      int
	Volume       string
	HostPath     string
	ReadOnly     bool
	Backup       bool
	MountOptions []string
}

// IsBind reports whether the mount point is a host bind mount.
func (m MountPoint) IsBind() bool { return m.HostPath != "" }

// Device is one dev[n]: a host device node passed through.
type Device struct {
	Path      string
	Mode      string // octal access mode inside the container ("" = PVE's default)
	UID, GID  int
	DenyWrite bool
}

// Startup is the PVE startup order/delays (0 = unset).
type Startup struct {
	Order, Up, Down int
}
