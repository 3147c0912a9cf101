package hardening

import "strings"

// Defaults of the hardened baseline (seed 000 "Hardening Linux Containers"
// and seed 004). Each is what a container gets when the configuration is
// silent; docs state them per attribute.
const (
	DefaultArch            = "amd64"
	DefaultCores           = 1
	DefaultCPUUnits        = 100 // PVE's cgroup v2 default weight
	DefaultMemoryMiB       = 512
	DefaultSwapMiB         = 512 // seed 000 example and PVE default
	DefaultPidsMax         = 1024
	DefaultRootFSStorage   = "local-lvm"
	DefaultRootFSSizeGiB   = 8
	DefaultAppArmorProfile = "hardened" // the provider-generated profile (AppArmorHardened)
	DefaultSeccompMode     = "denylist" // seccomp.ModeDenylist: the hardened denylist
	DefaultSeccompErrno    = 1          // EPERM
	DefaultPolicyIn        = "DROP"
	DefaultPolicyOut       = "DROP"
	DefaultLogLevel        = "nolog"
	DefaultTTY             = 2
	DefaultCMode           = "tty"
	DefaultIPv4            = "manual"
	DefaultIPv6            = "manual"
)

// DefaultMountOptions for the root filesystem: no device nodes and no setuid
// binaries (a setuid root binary is the classic in-container escalation).
var DefaultMountOptions = []string{"nodev", "nosuid"}

// MountOptions PVE accepts on rootfs/mp (pve-container $mount_option_re).
var MountOptions = []string{"discard", "lazytime", "noatime", "nodev", "noexec", "nosuid"}

// OwnedLXCKey reports whether the provider owns a raw lxc.* line of the
// pct.conf: every one but lxc.environment.runtime (PVE's own `env`).
func OwnedLXCKey(key string) bool { return key != "lxc.environment.runtime" }

// DefaultPRLimits are the resource limits every container gets: no core
// dumps (a core file of a crashed service holds its secrets; seed 000's
// ulimits) and seed 000's hard limit on open files.
var DefaultPRLimits = map[string]string{"core": "0", "nofile": "1024:65535"}

// UnfinishedTag marks a container the provider has begun to create and not
// finished (hardening written, onboot set): it is created with this tag and
// onboot off, and the tag goes in the same config change that sets onboot.
// A later create for the same node and hostname removes such a leftover of
// an interrupted run; compliance and the audit fail HC-OPS-003 on it.
const UnfinishedTag = "hardened-unfinished"

// CreateTagPrefix starts the second tag an unfinished container carries:
// CreateTagPrefix + a random nonce of the create that made it. It tells the
// create's own container from another one that took the same VMID after
// PVE removed a failed create, so cleanup never deletes someone else's.
const CreateTagPrefix = "hardened-create-"

// IsProviderTag reports a tag the provider sets and removes itself.
func IsProviderTag(t string) bool {
	t = strings.ToLower(t)
	return t == UnfinishedTag || strings.HasPrefix(t, CreateTagPrefix)
}
