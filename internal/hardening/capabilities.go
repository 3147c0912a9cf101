package hardening

import (
	"fmt"
	"sort"
	"strings"
)

// AllCapabilities are the Linux capability names of capabilities(7) (Linux 6.x),
// in LXC's lower-case spelling without the CAP_ prefix (as lxc.cap.drop wants them).
var AllCapabilities = []string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
	"setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
	"lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
	"wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

// DefaultDropCapabilities is seed 000's drop list ("Hardening Linux Containers":
// capabilities a service container never needs and that widen the kernel attack surface).
var DefaultDropCapabilities = []string{
	"sys_module", "sys_rawio", "sys_pacct", "sys_admin", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "audit_write", "audit_control", "mac_override", "mac_admin",
}

var capSet = func() map[string]bool {
	m := make(map[string]bool, len(AllCapabilities))
	for _, c := range AllCapabilities {
		m[c] = true
	}
	return m
}()

// NormalizeCapability lower-cases a name and strips a CAP_ prefix.
func NormalizeCapability(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	return strings.TrimPrefix(n, "cap_")
}

// ValidateCapability returns an error naming the bad capability and what to write instead.
func ValidateCapability(name string) error {
	n := NormalizeCapability(name)
	if capSet[n] {
		if n != name {
			return fmt.Errorf("write capability %q as %q (lower case, without the CAP_ prefix, as lxc.cap.drop expects)", name, n)
		}
		return nil
	}
	return fmt.Errorf("%q is not a Linux capability (capabilities(7)); LXC would reject the container config. Valid names: %s",
		name, strings.Join(sortedCopy(AllCapabilities), ", "))
}

func sortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}
