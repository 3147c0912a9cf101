package seccomp

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// probeArg is the first argument that turns the test binary into the probe
// the real-LXC test runs as a container's init: it prints its PID and
// Seccomp mode, then calls each named probe and prints the errno.
const probeArg = "seccomp-probe"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == probeArg {
		os.Exit(runProbe(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// probe is one syscall made with arguments that are harmless even when the
// call is allowed: invalid flags, lengths, descriptors or NULL pointers make
// the kernel reject it after seccomp let it through.
type probe struct {
	syscall string
	args    func() [6]uintptr
}

func cstr(s string) uintptr {
	p, err := syscall.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return uintptr(unsafe.Pointer(p))
}

func argv(a ...uintptr) func() [6]uintptr {
	return func() (r [6]uintptr) { copy(r[:], a); return }
}

const (
	neg1    = ^uintptr(0)
	atFDCWD = ^uintptr(99) // -100
)

var probes = map[string]probe{
	"kexec_load":        {"kexec_load", argv(0, 0xffffffff, 0, 0xffff0000)}, // too many segments, foreign arch
	"kexec_file_load":   {"kexec_file_load", argv(neg1, neg1, 0, 0, 0xffffffff)},
	"open_by_handle_at": {"open_by_handle_at", argv(neg1, 0, 0)},
	"init_module":       {"init_module", argv(0, 0, 0)},
	"finit_module":      {"finit_module", argv(neg1, 0, 0)},
	"delete_module":     {"delete_module", argv(0, 0)},
	"umount2_force":     {"umount2", func() [6]uintptr { return [6]uintptr{cstr("/nonexistent-probe"), 1} }},
	"umount2":           {"umount2", func() [6]uintptr { return [6]uintptr{cstr("/nonexistent-probe"), 0} }},
	"keyctl":            {"keyctl", argv(0xffff)}, // no such operation
	"add_key":           {"add_key", argv(0, 0, 0, 0, 0)},
	"request_key":       {"request_key", argv(0, 0, 0, 0)},
	"ioctl_btrfs":       {"ioctl", argv(neg1, 0x50009401)}, // BTRFS_IOC_SNAP_CREATE on fd -1
	"ioctl_tcgets":      {"ioctl", argv(neg1, 0x5401)},
	"socket_alg":        {"socket", argv(38, 5, 0)}, // AF_ALG, SOCK_SEQPACKET
	"socket_inet":       {"socket", argv(2, 2, 0)},  // AF_INET, SOCK_DGRAM
	"bpf":               {"bpf", argv(0xffff, 0, 0)},
	"perf_event_open":   {"perf_event_open", argv(0, 0, neg1, neg1, 0)},
	"userfaultfd":       {"userfaultfd", argv(0xffffffff)},
	"io_uring_setup":    {"io_uring_setup", argv(0, 0)},
	"io_uring_enter":    {"io_uring_enter", argv(neg1, 0, 0, 0, 0, 0)},
	"io_uring_register": {"io_uring_register", argv(neg1, 0, 0, 0)},
	"iopl":              {"iopl", argv(4)},
	"ioperm":            {"ioperm", argv(0xffffffff, 1, 0)},
	"swapon":            {"swapon", argv(0, 0)},
	"swapoff":           {"swapoff", argv(0)},
	"lookup_dcookie":    {"lookup_dcookie", argv(0, 0, 0)},
	"acct":              {"acct", argv(1)}, // bad pointer
	"kcmp":              {"kcmp", argv(0, 0, 0xffff, 0, 0)},
	// CLONE_NEWUSER with a flag that makes the kernel refuse (EINVAL) when
	// seccomp lets it through: CLONE_FS for clone, an invalid bit for
	// unshare; clone3 with a NULL, too small argument struct.
	"clone_newuser":   {"clone", argv(CloneNewUser | 0x200)},
	"unshare_newuser": {"unshare", argv(CloneNewUser | 0x1)},
	"clone3":          {"clone3", argv(0, 0)},
	"sethostname":     {"sethostname", argv(0, 100000)},
	"mknod":           {"mknod", func() [6]uintptr { return [6]uintptr{cstr("/tmp/probe-fifo-1"), syscall.S_IFIFO | 0o600} }},
	"mknodat":         {"mknodat", func() [6]uintptr { return [6]uintptr{atFDCWD, cstr("/tmp/probe-fifo-2"), syscall.S_IFIFO | 0o600} }},
}

// runProbe runs in the container. Output lines: "pid N", "seccomp N", and
// "NAME ERRNO" per probe (0: the call succeeded).
func runProbe(names []string) int {
	fmt.Printf("pid %d\n", os.Getpid())
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Printf("error %v\n", err)
		return 1
	}
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "Seccomp:"); ok {
			fmt.Printf("seccomp %s\n", strings.TrimSpace(v))
		}
	}
	for _, n := range names {
		p, ok := probes[n]
		if !ok {
			fmt.Printf("error unknown probe %s\n", n)
			return 1
		}
		nr, _ := syscallNumber(p.syscall)
		a := p.args()
		r, _, e := syscall.Syscall6(uintptr(nr), a[0], a[1], a[2], a[3], a[4], a[5])
		if e == 0 && (n == "socket_alg" || n == "socket_inet") {
			syscall.Close(int(r))
		}
		fmt.Printf("%s %d\n", n, int(e))
	}
	_ = os.Remove("/tmp/probe-fifo-1")
	_ = os.Remove("/tmp/probe-fifo-2")
	return 0
}
