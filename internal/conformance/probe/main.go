// Command probe runs inside a container (lxc-attach) and reports what the
// kernel enforces there, one "key value" line each: the id maps, the
// capability sets and seccomp mode of itself and of the container's init,
// the errno of a set of syscalls (made with arguments that are harmless
// when allowed), whether a user namespace can be created, how many
// processes a fork loop gets, and whether an allocation beyond the memory
// limit is killed. It is built static (CGO_ENABLED=0, linux/amd64) by the
// conformance tests and copied into the containers' root file systems.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe report [SYSCALL...] | forks N | alloc MiB | child")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "report":
		report(os.Args[2:])
	case "forks":
		forks(atoi(os.Args[2]))
	case "alloc":
		alloc(atoi(os.Args[2]))
	case "alloc-child":
		allocChild(atoi(os.Args[2]))
	case "child":
		os.Exit(0)
	default:
		fmt.Fprintf(os.Stderr, "probe: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fmt.Fprintf(os.Stderr, "probe: %v\n", err)
		os.Exit(2)
	}
	return n
}

func report(names []string) {
	for _, f := range []string{"uid_map", "gid_map"} {
		data, err := os.ReadFile("/proc/self/" + f)
		line := strings.Join(strings.Fields(strings.SplitN(string(data), "\n", 2)[0]), " ")
		if err != nil {
			line = "error " + err.Error()
		}
		fmt.Printf("%s %s\n", f, line)
	}
	status("self", "/proc/self/status")
	status("init", "/proc/1/status")
	for _, n := range names {
		p, ok := probes[n]
		if !ok {
			fmt.Printf("sys.%s unknown\n", n)
			continue
		}
		a := p.args()
		r, _, e := syscall.Syscall6(p.nr, a[0], a[1], a[2], a[3], a[4], a[5])
		if e == 0 && p.nr == sysSocket {
			_ = syscall.Close(int(r))
		}
		fmt.Printf("sys.%s %d\n", n, int(e))
	}
	// a real nested user namespace: clone(CLONE_NEWUSER) of a child
	cmd := exec.Command("/proc/self/exe", "child")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	fmt.Printf("userns.clone %d\n", errnoOf(cmd.Run()))
	// and unshare(CLONE_NEWUSER) from a single-threaded program
	err := exec.Command("/bin/unshare", "-U", "/bin/true").Run()
	fmt.Printf("userns.unshare %s\n", exitText(err))
}

// status prints the capability sets and seccomp mode of a process.
func status(who, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Printf("%s.error %v\n", who, err)
		return
	}
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch k {
		case "CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb", "Seccomp", "NoNewPrivs":
			fmt.Printf("%s.%s %s\n", who, strings.ToLower(k), strings.TrimSpace(v))
		}
	}
}

func errnoOf(err error) int {
	if err == nil {
		return 0
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return int(e)
	}
	return -1
}

func exitText(err error) string {
	if err == nil {
		return "ok"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "exit " + strconv.Itoa(ee.ExitCode())
	}
	return "error " + strings.ReplaceAll(err.Error(), " ", "_")
}

// forks starts up to n sleeping processes, reports how many started and
// the error that stopped the loop, then kills them.
func forks(n int) {
	var started []*exec.Cmd
	failure := "none"
	for i := 0; i < n; i++ {
		c := exec.Command("/bin/sleep", "60")
		if err := c.Start(); err != nil {
			failure = strings.ReplaceAll(err.Error(), " ", "_")
			break
		}
		started = append(started, c)
	}
	fmt.Printf("forks.started %d\nforks.error %s\n", len(started), failure)
	for _, c := range started {
		_ = c.Process.Kill()
		_ = c.Wait()
	}
}

// alloc runs a child that touches mib MiB of anonymous memory and reports
// how it ended: "completed" or "signal:<name>".
func alloc(mib int) {
	c := exec.Command("/proc/self/exe", "alloc-child", strconv.Itoa(mib)) //nolint:gosec // the probe itself, a number
	err := c.Run()
	result := "completed"
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			result = "signal:" + ws.Signal().String()
		} else {
			result = "exit:" + strconv.Itoa(ee.ExitCode())
		}
	} else if err != nil {
		result = "error:" + strings.ReplaceAll(err.Error(), " ", "_")
	}
	fmt.Printf("alloc.mib %d\nalloc.result %s\n", mib, result)
}

func allocChild(mib int) {
	const chunk = 1 << 20
	for i := 0; i < mib; i++ {
		b, err := syscall.Mmap(-1, 0, chunk, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
		if err != nil {
			os.Exit(3)
		}
		for j := 0; j < chunk; j += 4096 {
			b[j] = 1
		}
	}
	os.Exit(0)
}

// probe is one syscall (x86_64 number) with harmless arguments: invalid
// flags, lengths, descriptors or NULL pointers make the kernel reject it
// after seccomp let it through.
type probe struct {
	nr   uintptr
	args func() [6]uintptr
}

const (
	neg1         = ^uintptr(0)
	sysSocket    = 41
	cloneNewUser = 0x10000000
)

func argv(a ...uintptr) func() [6]uintptr {
	return func() (r [6]uintptr) { copy(r[:], a); return }
}

func cstr(s string) uintptr {
	p, err := syscall.BytePtrFromString(s)
	if err != nil {
		panic(err)
	}
	return uintptr(unsafe.Pointer(p)) //nolint:gosec // G103: a syscall argument, as package syscall does
}

// probes by name; the names of conditional ones say the condition.
var probes = map[string]probe{
	"kexec_load":        {246, argv(0, 0xffffffff, 0, 0xffff0000)},
	"kexec_file_load":   {320, argv(neg1, neg1, 0, 0, 0xffffffff)},
	"open_by_handle_at": {304, argv(neg1, 0, 0)},
	"init_module":       {175, argv(0, 0, 0)},
	"finit_module":      {313, argv(neg1, 0, 0)},
	"delete_module":     {176, argv(0, 0)},
	"umount2_force":     {166, func() [6]uintptr { return [6]uintptr{cstr("/nonexistent-probe"), 1} }},
	"keyctl":            {250, argv(0xffff)},
	"add_key":           {248, argv(0, 0, 0, 0, 0)},
	"request_key":       {249, argv(0, 0, 0, 0)},
	"ioctl_btrfs":       {16, argv(neg1, 0x50009401)},
	"socket_alg":        {sysSocket, argv(38, 5, 0)},
	"socket_inet":       {sysSocket, argv(2, 2, 0)},
	"bpf":               {321, argv(0xffff, 0, 0)},
	"perf_event_open":   {298, argv(0, 0, neg1, neg1, 0)},
	"userfaultfd":       {323, argv(0xffffffff)},
	"io_uring_setup":    {425, argv(0, 0)},
	"io_uring_enter":    {426, argv(neg1, 0, 0, 0, 0, 0)},
	"io_uring_register": {427, argv(neg1, 0, 0, 0)},
	"iopl":              {172, argv(4)},
	"ioperm":            {173, argv(0xffffffff, 1, 0)},
	"swapon":            {167, argv(0, 0)},
	"swapoff":           {168, argv(0)},
	"lookup_dcookie":    {212, argv(0, 0, 0)},
	"acct":              {163, argv(1)},
	"kcmp":              {312, argv(0, 0, 0xffff, 0, 0)},
	"clone_newuser":     {56, argv(cloneNewUser | 0x200)},    // with CLONE_FS: EINVAL when allowed
	"unshare_newuser":   {272, argv(cloneNewUser | 0x1)},     // an invalid bit: EINVAL when allowed
	"clone3":            {435, argv(0, 0)},                   // NULL, size 0: EINVAL when allowed
	"sethostname":       {170, argv(0, 100000)},              // too long: EINVAL when allowed
	"mount":             {165, argv(0, 0, 0, 0xffffffff, 0)}, // bad flags/pointers
}
