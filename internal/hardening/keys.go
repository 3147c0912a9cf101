package hardening

import (
	"regexp"
	"sort"
	"strings"
)

// KeyClass is what the provider does with one key of a container's config.
// The container's configuration is a closed world: every key, PVE's own and
// raw lxc.* alike, is in exactly one class, and a key nobody thought of is
// Unmanaged.
type KeyClass string

// Key classes.
const (
	// Managed keys are typed attributes: validated at plan time, read back,
	// repaired by apply.
	KeyManaged KeyClass = "managed"
	// Harmless keys are observed and left alone, each for a stated reason.
	KeyHarmless KeyClass = "harmless"
	// Unmanaged keys are drift: plan shows them in `unmanaged_config`,
	// apply removes them, compliance and the audit fail HC-CFG-001.
	KeyUnmanaged KeyClass = "unmanaged"
)

// KeyInfo classifies one PVE config key (an indexed key by its pattern,
// e.g. "mp[n]").
type KeyInfo struct {
	Key       string
	Class     KeyClass
	Attribute string // the hardened_container attribute (managed keys)
	Reason    string // why (harmless and unmanaged keys)
}

// pveKeys is the class of every key PVE 9.1's container config knows
// (apidata.json PUT/GET /nodes/{node}/lxc/{vmid}/config). Keys missing here,
// PVE's or anyone's, are Unmanaged.
var pveKeys = []KeyInfo{
	{Key: "arch", Class: KeyManaged, Attribute: "arch"},
	{Key: "cmode", Class: KeyManaged, Attribute: "console_mode"},
	{Key: "console", Class: KeyManaged, Attribute: "console"},
	{Key: "cores", Class: KeyManaged, Attribute: "cores"},
	{Key: "cpulimit", Class: KeyManaged, Attribute: "cpu_limit"},
	{Key: "cpuunits", Class: KeyManaged, Attribute: "cpu_units"},
	{Key: "description", Class: KeyManaged, Attribute: "description"},
	{Key: "dev[n]", Class: KeyManaged, Attribute: "devices"},
	{Key: "env", Class: KeyManaged, Attribute: "environment"},
	{Key: "features", Class: KeyManaged, Attribute: "features"},
	{Key: "hookscript", Class: KeyManaged, Attribute: "hookscript"},
	{Key: "hostname", Class: KeyManaged, Attribute: "hostname"},
	{Key: "memory", Class: KeyManaged, Attribute: "memory"},
	{Key: "mp[n]", Class: KeyManaged, Attribute: "mount_points"},
	{Key: "nameserver", Class: KeyManaged, Attribute: "nameservers"},
	{Key: "net[n]", Class: KeyManaged, Attribute: "network"},
	{Key: "onboot", Class: KeyManaged, Attribute: "onboot"},
	{Key: "protection", Class: KeyManaged, Attribute: "protection"},
	{Key: "rootfs", Class: KeyManaged, Attribute: "rootfs"},
	{Key: "searchdomain", Class: KeyManaged, Attribute: "searchdomain"},
	{Key: "startup", Class: KeyManaged, Attribute: "startup"},
	{Key: "swap", Class: KeyManaged, Attribute: "swap"},
	{Key: "tags", Class: KeyManaged, Attribute: "tags"},
	{Key: "timezone", Class: KeyManaged, Attribute: "timezone"},
	{Key: "tty", Class: KeyManaged, Attribute: "tty"},
	{Key: "unprivileged", Class: KeyManaged, Attribute: "unprivileged"},
	{Key: "lxc", Class: KeyManaged, Attribute: "raw_lxc (and the typed attributes of the lxc.* key table)"},

	{Key: "digest", Class: KeyHarmless, Reason: "not a setting: the SHA-1 of the config file that the API adds to every read (the provider's " +
		"compare-and-swap token)"},
	{Key: "lock", Class: KeyHarmless, Reason: "transient operation state (backup, migrate, snapshot, ...): PVE sets and clears it around its own tasks; it " +
		"grants nothing and the provider's own writes wait for it"},
	{Key: "ostype", Class: KeyHarmless, Reason: "set by PVE from the template at create and shown as the computed `ostype`; it only chooses the " +
		"distribution's setup code and LXC's common config include, which loosens nothing in the unprivileged user " +
		"namespace"},
	{Key: "parent", Class: KeyHarmless, Reason: "the name of the latest snapshot; snapshots are PVE's own sections of the file, never applied to the running " +
		"container"},
	{Key: "unused[n]", Class: KeyHarmless, Reason: "a detached volume (a removed mount point's data, kept by PVE until deleted): not mounted into the " +
		"container"},

	{Key: "debug", Class: KeyUnmanaged, Reason: "debug logging at start: not part of a hardened container's configuration"},
	{Key: "entrypoint", Class: KeyUnmanaged, Reason: "replaces the container's init: what runs as PID 1 is not declared in Terraform"},
	{Key: "template", Class: KeyUnmanaged, Reason: "converts the container into a template: a managed container is never one"},
}

var reIndexed = regexp.MustCompile(`^([a-z]+)(\d+)$`)

// ClassifyKey returns the class of a PVE config key (indexed keys such as
// mp3 are classified by their pattern mp[n]). Unknown keys are Unmanaged.
func ClassifyKey(key string) KeyInfo {
	name := key
	if m := reIndexed.FindStringSubmatch(key); m != nil {
		name = m[1] + "[n]"
	}
	for _, k := range pveKeys {
		if k.Key == name {
			k.Key = key
			return k
		}
	}
	return KeyInfo{Key: key, Class: KeyUnmanaged, Reason: "not a key the provider knows: a closed world treats it as drift"}
}

// PVEKeyTable is the PVE key table, sorted by class and key (for docs).
func PVEKeyTable() []KeyInfo {
	out := append([]KeyInfo(nil), pveKeys...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return classOrder(out[i].Class) < classOrder(out[j].Class)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func classOrder(c KeyClass) int {
	return map[KeyClass]int{KeyManaged: 0, KeyHarmless: 1, KeyUnmanaged: 2}[c]
}

// LXCClass is what the provider does with one raw lxc.* key.
type LXCClass string

// Raw lxc.* key classes.
const (
	// LXCTyped keys are written from typed attributes.
	LXCTyped LXCClass = "typed"
	// LXCRaw keys may be declared in raw_lxc, with an HC-RAW-001 exception.
	LXCRaw LXCClass = "raw"
	// LXCForbidden keys defeat the hardening: never accepted in raw_lxc.
	LXCForbidden LXCClass = "forbidden"
	// LXCInvalid keys are ones PVE itself refuses or drops.
	LXCInvalid LXCClass = "invalid"
)

// LXCKeyInfo classifies a raw lxc.* key or key family ("lxc.prlimit.*").
type LXCKeyInfo struct {
	Key       string
	Class     LXCClass
	Attribute string // the typed attribute (LXCTyped)
	Reason    string
}

// lxcKeys is checked in order: exact keys first, then families (a trailing
// "*" matches any rest). It covers every key PVE accepts
// (pve-container $valid_lxc_conf_keys) and the ones it rejects.
var lxcKeys = []LXCKeyInfo{
	{Key: "lxc.cap.drop", Class: LXCTyped, Attribute: "capabilities.drop"},
	{Key: "lxc.cap.keep", Class: LXCTyped, Attribute: "capabilities.keep"},
	{Key: "lxc.cgroup2.pids.max", Class: LXCTyped, Attribute: "pids_max"},
	{Key: "lxc.apparmor.profile", Class: LXCTyped, Attribute: "apparmor_profile"},
	{Key: "lxc.seccomp.profile", Class: LXCTyped, Attribute: "seccomp"},
	{Key: "lxc.prlimit.*", Class: LXCTyped, Attribute: "prlimits"},
	// env: PVE writes the `env` option as these lines and reads them back as env
	{Key: "lxc.environment.runtime", Class: LXCTyped, Attribute: "environment"},

	{Key: "lxc.apparmor.*", Class: LXCForbidden, Reason: "AppArmor confinement is set by apparmor_profile and apparmor; raw lines could disable it " +
		"(unconfined, allow_incomplete, allow_nesting, raw rules)"},
	{Key: "lxc.selinux.*", Class: LXCForbidden, Reason: "changes the container's LSM label"},
	{Key: "lxc.seccomp.*", Class: LXCForbidden, Reason: "the seccomp policy is set by seccomp; a notify proxy hands syscall decisions to a host process"},
	{Key: "lxc.cap.*", Class: LXCForbidden, Reason: "capabilities are set by capabilities"},
	{Key: "lxc.idmap", Class: LXCForbidden, Reason: "the uid/gid mapping: `u 0 0 65536` maps the container's root to the host's root"},
	{Key: "lxc.include", Class: LXCForbidden, Reason: "pulls in a whole config file the plan cannot see"},
	{Key: "lxc.hook.*", Class: LXCForbidden, Reason: "a hook runs a host program as root at every start/stop"},
	{Key: "lxc.mount.*", Class: LXCForbidden, Reason: "host mounts go through mount_points, where the baseline gates the host path; `mount.auto` with rw " +
		"mounts the host's /proc/sys or /sys writable"},
	{Key: "lxc.rootfs.*", Class: LXCForbidden, Reason: "the root file system is rootfs (PVE refuses lxc.rootfs.path and lxc.rootfs.options)"},
	{Key: "lxc.cgroup2.devices.*", Class: LXCForbidden, Reason: "device access: `devices.allow: a` opens every device node; pass devices through `devices`"},
	{Key: "lxc.cgroup2.memory.*", Class: LXCForbidden, Reason: "overrides memory and swap (raw lines come after PVE's)"},
	{Key: "lxc.cgroup2.cpu.*", Class: LXCForbidden, Reason: "overrides cores, cpu_limit and cpu_units"},
	{Key: "lxc.cgroup2.cpuset.*", Class: LXCForbidden, Reason: "overrides cores"},
	{Key: "lxc.cgroup2.pids.*", Class: LXCForbidden, Reason: "the process limit is pids_max"},
	{Key: "lxc.cgroup.*", Class: LXCForbidden, Reason: "cgroup v1 keys (deprecated in PVE 7+), including device allows"},
	{Key: "lxc.net.*", Class: LXCForbidden, Reason: "networking is network: raw interfaces bypass the bridge, VLAN and firewall settings"},
	{Key: "lxc.uts.name", Class: LXCForbidden, Reason: "overrides hostname"},
	{Key: "lxc.arch", Class: LXCForbidden, Reason: "overrides arch"},
	{Key: "lxc.environment", Class: LXCForbidden, Reason: "the environment is environment, where secrets are checked at plan time"},
	{Key: "lxc.environment.hooks", Class: LXCForbidden, Reason: "passes the container's environment to host hooks"},
	{Key: "lxc.limit.*", Class: LXCForbidden, Reason: "LXC 2.x name of lxc.prlimit.*: use prlimits"},
	{Key: "lxc.log.*", Class: LXCForbidden, Reason: "makes LXC write a host file chosen by the line"},
	{Key: "lxc.console.*", Class: LXCForbidden, Reason: "makes LXC write or use a host path chosen by the line"},
	{Key: "lxc.tty.max", Class: LXCForbidden, Reason: "overrides tty"},
	{Key: "lxc.monitor.*", Class: LXCForbidden, Reason: "PVE's monitor settings"},

	{Key: "lxc.cgroup2.*", Class: LXCRaw, Reason: "other cgroup v2 limits (io.*, hugetlb.*, memory-independent controllers) only restrict further"},
	{Key: "lxc.sysctl.fs.mqueue", Class: LXCRaw, Reason: "an IPC namespace sysctl: only the container sees it"},
	{Key: "lxc.sysctl.kernel.*", Class: LXCRaw, Reason: "IPC namespace sysctls (PVE accepts msgmax, msgmnb, msgmni, sem, shm*): only the container sees them"},
	{Key: "lxc.signal.*", Class: LXCRaw, Reason: "signals LXC sends to the container's init"},
	{Key: "lxc.init.*", Class: LXCRaw, Reason: "the init command, directory, uid/gid inside the container (confined like everything in it)"},
	{Key: "lxc.pty.max", Class: LXCRaw, Reason: "limits pseudo terminals"},
	{Key: "lxc.start.*", Class: LXCRaw, Reason: "LXC autostart settings (PVE uses onboot and startup)"},
	{Key: "lxc.group", Class: LXCRaw, Reason: "LXC autostart group"},
	{Key: "lxc.devtty.dir", Class: LXCRaw, Reason: "where LXC puts tty devices inside the container"},
	{Key: "lxc.kmsg", Class: LXCRaw, Reason: "a /dev/kmsg symlink to the console inside the container"},
	{Key: "lxc.autodev", Class: LXCRaw, Reason: "whether LXC populates the container's /dev"},
}

// lxcDeprecated are LXC 2.x names PVE still reads (with a warning).
var lxcDeprecated = map[string]string{
	"lxc.aa_profile": "lxc.apparmor.profile", "lxc.aa_allow_incomplete": "lxc.apparmor.allow_incomplete",
	"lxc.console": "lxc.console.path", "lxc.devttydir": "lxc.devtty.dir", "lxc.haltsignal": "lxc.signal.halt",
	"lxc.rebootsignal": "lxc.signal.reboot", "lxc.stopsignal": "lxc.signal.stop", "lxc.id_map": "lxc.idmap",
	"lxc.init_cmd": "lxc.init.cmd", "lxc.loglevel": "lxc.log.level", "lxc.logfile": "lxc.log.file",
	"lxc.mount": "lxc.mount.fstab", "lxc.pts": "lxc.pty.max", "lxc.se_context": "lxc.selinux.context",
	"lxc.seccomp": "lxc.seccomp.profile", "lxc.tty": "lxc.tty.max", "lxc.utsname": "lxc.uts.name",
}

// ClassifyLXCKey returns the class of a raw lxc.* key.
func ClassifyLXCKey(key string) LXCKeyInfo {
	if newName, ok := lxcDeprecated[key]; ok {
		return LXCKeyInfo{Key: key, Class: LXCForbidden, Reason: "LXC 2.x name of " + newName + ": write nothing under an old name the plan reads differently"}
	}
	if strings.HasPrefix(key, "lxc.network.") {
		return LXCKeyInfo{Key: key, Class: LXCForbidden, Reason: "LXC 2.x name of lxc.net.*: networking is network"}
	}
	for _, k := range lxcKeys {
		if k.Key == key || (strings.HasSuffix(k.Key, "*") && strings.HasPrefix(key, strings.TrimSuffix(k.Key, "*"))) {
			k.Key = key
			return k
		}
	}
	return LXCKeyInfo{Key: key, Class: LXCInvalid, Reason: "PVE does not accept this key (pve-container is_valid_lxc_conf_key): it warns and drops the line"}
}

// LXCKeyTable is the raw key table in its order of precedence (for docs).
func LXCKeyTable() []LXCKeyInfo { return append([]LXCKeyInfo(nil), lxcKeys...) }

// IsTypedLXCKey reports whether key is written from a typed attribute.
func IsTypedLXCKey(key string) bool { return ClassifyLXCKey(key).Class == LXCTyped }
