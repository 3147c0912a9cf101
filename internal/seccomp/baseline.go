package seccomp

import "fmt"

// Errno values the baseline uses.
const (
	EPERM        = 1
	EACCES       = 13
	ENOSYS       = 38
	EAFNOSUPPORT = 97
	maxErrno     = 4094 // libseccomp refuses 4095 (MAX_ERRNO) and above; checked with real LXC
)

// Sources of baseline entries.
const (
	SourceLXC      = "lxc"      // /usr/share/lxc/config/common.seccomp (LXC 5.0)
	SourcePVE      = "pve"      // pve-container src/PVE/LXC.pm make_seccomp_config (unprivileged CTs)
	SourceHardened = "hardened" // this provider
)

// FeatureKeyctl names the PVE feature (features: keyctl=1) that removes an
// entry from the denylist.
const FeatureKeyctl = "keyctl"

// FeatureUserNamespaces marks the entries that deny creating user
// namespaces; Policy.UserNamespaces (the nesting feature or the
// seccomp.allow_user_namespaces attribute) removes them.
const FeatureUserNamespaces = "user_namespaces"

// CloneNewUser is CLONE_NEWUSER, the flag of clone(2) and unshare(2) that
// creates a user namespace.
const CloneNewUser = 0x10000000

// Cond is an LXC seccomp argument condition: argument Arg compared with
// Value (SCMP_CMP_EQ / SCMP_CMP_NE), or (argument & Mask) == Value
// (SCMP_CMP_MASKED_EQ).
type Cond struct {
	Arg   int
	Op    string // "SCMP_CMP_EQ", "SCMP_CMP_NE" or "SCMP_CMP_MASKED_EQ"
	Value uint64
	Mask  uint64 // SCMP_CMP_MASKED_EQ only
}

// String is the condition as LXC reads it: [arg,value,op] or
// [arg,value,op,mask].
func (c Cond) String() string {
	if c.Op == "SCMP_CMP_MASKED_EQ" {
		return fmt.Sprintf("[%d,%#x,%s,%#x]", c.Arg, c.Value, c.Op, c.Mask)
	}
	return fmt.Sprintf("[%d,%d,%s]", c.Arg, c.Value, c.Op)
}

// complement is a list of conditions of which at least one holds exactly
// when c does not: NE for EQ; for a masked compare, one condition per mask
// bit that requires that bit to differ from Value's. An allowlist allows a
// syscall with these instead of unconditionally, because libseccomp lets an
// unconditional allow rule swallow a conditional errno rule for the same
// syscall (checked against the real LXC in the tests).
func (c Cond) complement() []Cond {
	if c.Op != "SCMP_CMP_MASKED_EQ" {
		return []Cond{{Arg: c.Arg, Op: "SCMP_CMP_NE", Value: c.Value}}
	}
	var out []Cond
	for bit := uint64(1); bit != 0; bit <<= 1 {
		if c.Mask&bit != 0 {
			out = append(out, Cond{Arg: c.Arg, Op: "SCMP_CMP_MASKED_EQ", Value: ^c.Value & bit, Mask: bit})
		}
	}
	return out
}

// Entry is one rule of the hardened denylist.
type Entry struct {
	Syscall string
	// Errno is the error the call fails with; 0 means the policy's Errno.
	// Entries fix it where callers act on the value: ENOSYS makes userspace
	// treat a facility as absent and fall back.
	Errno int
	// Cond restricts the rule to calls whose arguments match; Condition
	// says the same in words (for the documentation).
	Cond      *Cond
	Condition string
	// Source is SourceLXC, SourcePVE or SourceHardened.
	Source string
	// Feature, when set, is the PVE feature that drops this entry.
	Feature string
	// Reason says why the call is denied (for the documentation).
	Reason string
}

// baseline is the hardened denylist, including the feature-dependent
// entries. At most one entry per syscall carries a Cond.
var baseline = []Entry{
	// LXC's common.seccomp.
	{Syscall: "kexec_load", Source: SourceLXC, Reason: "loads and boots another kernel, replacing the host's"},
	{Syscall: "open_by_handle_at", Source: SourceLXC, Reason: "opens any file of a mounted file system by handle, bypassing the container's mount namespace " +
		"(the 'shocker' escape)"},
	{Syscall: "init_module", Source: SourceLXC, Reason: "loads code into the shared host kernel"},
	{Syscall: "finit_module", Source: SourceLXC, Reason: "loads code into the shared host kernel (from a file descriptor)"},
	{Syscall: "delete_module", Source: SourceLXC, Reason: "unloads host kernel modules the host and other guests rely on"},
	{Syscall: "umount2", Errno: EACCES, Cond: &Cond{Arg: 1, Op: "SCMP_CMP_MASKED_EQ", Value: 1, Mask: 1}, Condition: "flags include MNT_FORCE (0x1)",
		Source: SourceLXC,
		Reason: "forced unmounts (MNT_FORCE) can abort I/O of mounts shared with the host; LXC's reject_force_umount " +
			"directive, written out as the rule it stands for"},

	// PVE's additions for unprivileged containers.
	{Syscall: "keyctl", Errno: ENOSYS, Source: SourcePVE, Feature: FeatureKeyctl,
		Reason: "the kernel keyring is not namespaced; ENOSYS makes systemd (networkd) and others treat keyrings as " +
			"unavailable; features keyctl=1 allows it (e.g. for Docker/runc)"},
	{Syscall: "ioctl", Errno: EPERM, Cond: &Cond{Arg: 1, Op: "SCMP_CMP_MASKED_EQ", Value: 0x9400, Mask: 0xff00},
		Condition: "btrfs ioctls: the request's type byte is BTRFS_IOCTL_MAGIC (0x94)", Source: SourcePVE,
		Reason: "btrfs ioctls (BTRFS_IOCTL_MAGIC 0x94): snapshots created from a user namespace can be neither shown nor deleted"},
	{Syscall: "socket", Errno: EAFNOSUPPORT, Cond: &Cond{Arg: 0, Op: "SCMP_CMP_EQ", Value: 38}, Condition: "address family AF_ALG (38)", Source: SourcePVE,
		Reason: "AF_ALG (38) sockets expose the kernel crypto API, a recurring source of kernel vulnerabilities; EAFNOSUPPORT " +
			"as if the family were not built in"},

	// The provider's additions.
	{Syscall: "kexec_file_load", Source: SourceHardened, Reason: "the file-descriptor variant of kexec_load, which LXC's list misses"},
	{Syscall: "add_key", Errno: ENOSYS, Source: SourceHardened, Feature: FeatureKeyctl, Reason: "the rest of the kernel keyring API denied with keyctl (and " +
		"allowed with it)"},
	{Syscall: "request_key", Errno: ENOSYS, Source: SourceHardened, Feature: FeatureKeyctl, Reason: "the rest of the kernel keyring API denied with keyctl " +
		"(and allowed with it)"},
	{Syscall: "bpf", Source: SourceHardened, Reason: "eBPF programs and maps are host-wide kernel objects (tracing, reading kernel memory, verifier bugs); " +
		"systemd falls back without it"},
	{Syscall: "perf_event_open", Source: SourceHardened, Reason: "host-wide performance counters and tracepoints: information leaks and side channels across " +
		"containers"},
	{Syscall: "userfaultfd", Source: SourceHardened, Reason: "lets an attacker stall kernel page faults at will, a standard tool for winning kernel race " +
		"conditions; only post-copy migration and CRIU use it"},
	{Syscall: "io_uring_setup", Errno: ENOSYS, Source: SourceHardened, Reason: "io_uring is a large, frequently exploited kernel attack surface (denied by " +
		"Docker and on Google's fleets); ENOSYS lets callers fall back to classic I/O"},
	{Syscall: "io_uring_enter", Errno: ENOSYS, Source: SourceHardened, Reason: "see io_uring_setup"},
	{Syscall: "io_uring_register", Errno: ENOSYS, Source: SourceHardened, Reason: "see io_uring_setup"},
	{Syscall: "iopl", Source: SourceHardened, Reason: "raw I/O port access to host hardware; nothing in a container drives hardware ports"},
	{Syscall: "ioperm", Source: SourceHardened, Reason: "raw I/O port access to host hardware; nothing in a container drives hardware ports"},
	{Syscall: "swapon", Source: SourceHardened, Reason: "swap is host-global: enabling swap on a container file or device affects the whole host"},
	{Syscall: "swapoff", Source: SourceHardened, Reason: "swap is host-global: disabling the host's swap can trigger out-of-memory kills on the host"},
	{Syscall: "lookup_dcookie", Source: SourceHardened, Reason: "oprofile interface returning host paths of dentries; obsolete (removed in Linux 6.8)"},
	{Syscall: "unshare", Cond: &Cond{Arg: 0, Op: "SCMP_CMP_MASKED_EQ", Value: CloneNewUser, Mask: CloneNewUser},
		Condition: "flags include CLONE_NEWUSER (0x10000000)", Source: SourceHardened, Feature: FeatureUserNamespaces,
		Reason: "a new user namespace hands its creator every capability over the namespaces it then creates, which opens kernel code (netfilter, mounts " +
			"of many file systems, io paths) that is otherwise out of a container's reach; most recent container escapes and kernel privilege " +
			"escalations start there. The nesting feature (nested containers) allows it"},
	{Syscall: "clone", Cond: &Cond{Arg: 0, Op: "SCMP_CMP_MASKED_EQ", Value: CloneNewUser, Mask: CloneNewUser},
		Condition: "flags include CLONE_NEWUSER (0x10000000)", Source: SourceHardened, Feature: FeatureUserNamespaces,
		Reason: "see unshare: clone with CLONE_NEWUSER creates a user namespace for the new process"},
	{Syscall: "clone3", Errno: ENOSYS, Source: SourceHardened, Feature: FeatureUserNamespaces,
		Reason: "clone3 passes its flags in memory, where a seccomp filter cannot read them, so it cannot be denied for CLONE_NEWUSER alone; ENOSYS " +
			"makes glibc and musl fall back to clone, whose flags the filter sees"},
	{Syscall: "acct", Source: SourceHardened, Reason: "process accounting (CAP_SYS_PACCT) makes the kernel append a record for every exiting process to " +
		"a file, an unbounded disk writer; distributions leave it off, Docker denies it"},
}

// NotDenied is a group of syscalls the hardened denylist deliberately
// leaves alone, and why.
type NotDenied struct {
	Syscalls []string
	Reason   string
}

// notDenied: ordinary container userspace needs these, or capabilities and
// namespaces already confine them. The guide lists them.
var notDenied = []NotDenied{
	{Syscalls: []string{"mount", "umount2", "pivot_root", "unshare", "clone", "setns",
		"open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr"},
		Reason: "systemd's service sandboxing and nested containers (PVE's nesting feature) need them; mounts and namespaces made inside the container " +
			"stay inside it (umount2 is denied only with MNT_FORCE, unshare and clone only with CLONE_NEWUSER)"},
	{Syscalls: []string{"reboot"},
		Reason: "LXC turns a reboot or power-off inside the container into a restart or stop of the container"},
	{Syscalls: []string{"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd"},
		Reason: "all subject to the same ptrace access check, which only reaches processes the container can see and own " +
			"anyway; debuggers, strace and CRIU need them"},
	{Syscalls: []string{"quotactl"},
		Reason: "PVE's quota option for mount points runs the quota tools inside the container"},
	{Syscalls: []string{"mknod", "mknodat"},
		Reason: "the kernel refuses device nodes in a user namespace anyway (FIFOs and sockets stay possible), and PVE's mknod feature must work"},
	{Syscalls: []string{"clock_settime", "settimeofday", "adjtimex"},
		Reason: "setting the clock needs CAP_SYS_TIME in the host's user namespace, which a container does not have"},
	{Syscalls: []string{"syslog"},
		Reason: "reading the kernel log is governed by kernel.dmesg_restrict and CAP_SYSLOG in the host's user namespace"},
}

// DeliberatelyNotDenied are the syscalls the hardened denylist leaves
// alone on purpose, in groups with the reason.
func DeliberatelyNotDenied() []NotDenied {
	out := make([]NotDenied, len(notDenied))
	for i, n := range notDenied {
		out[i] = NotDenied{Syscalls: append([]string(nil), n.Syscalls...), Reason: n.Reason}
	}
	return out
}

// ErrnoName is the symbolic name of the errno values the baseline uses
// ("EPERM"), or "" for others.
func ErrnoName(n int) string {
	switch n {
	case EPERM:
		return "EPERM"
	case EACCES:
		return "EACCES"
	case ENOSYS:
		return "ENOSYS"
	case EAFNOSUPPORT:
		return "EAFNOSUPPORT"
	}
	return ""
}

// entries is the denylist for the given features: keyctl drops the keyring
// entries, userns those denying user namespaces.
func entries(keyctl, userns bool) []Entry {
	var out []Entry
	for _, e := range baseline {
		if (e.Feature == FeatureKeyctl && keyctl) || (e.Feature == FeatureUserNamespaces && userns) {
			continue
		}
		if e.Cond != nil {
			c := *e.Cond
			e.Cond = &c
		}
		out = append(out, e)
	}
	return out
}

// Denylist is the hardened denylist with the keyctl feature and with user
// namespaces allowed or not.
func Denylist(keyctl, userNamespaces bool) []Entry { return entries(keyctl, userNamespaces) }

// DefaultDenylist is what the hardened denylist contains with no PVE
// features set (Keyctl adds keyctl, add_key and request_key back;
// UserNamespaces unshare, clone and clone3), in a stable order: LXC's
// entries, PVE's, then the provider's.
func DefaultDenylist() []Entry { return entries(false, false) }

// essential are the syscalls a container cannot start without: those LXC
// 5.0's start sequence makes after it loaded the filter (it hangs or fails
// without read, write, sendto, openat, setgroups, execve, ...) plus what
// every process needs to be loaded, run and exit. EssentialSyscalls returns
// them; the real-LXC test starts a container allowing only these and a few
// more.
var essential = []string{
	// LXC's start sequence after loading the filter.
	"capget", "capset", "chdir", "close", "dup2", "dup3", "execve", "fcntl", "getppid", "openat", "prctl", "read",
	"recvmsg", "sendmsg", "sendto", "setgroups", "setresgid", "setresuid", "setsid", "write",
	// Loading and running any (static or dynamic) program.
	"access", "arch_prctl", "brk", "exit", "exit_group", "fstat", "getpid", "mmap", "mprotect", "munmap",
	"newfstatat", "pread64", "prlimit64", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "set_robust_list",
	"set_tid_address",
	// An init: start and reap processes.
	"clone", "wait4",
}

// EssentialSyscalls is the sorted list of syscalls an allowlist must
// contain for LXC to start any container at all.
func EssentialSyscalls() []string { return sortedCopy(essential) }
