package seccomp

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/lxcrun"
)

// newContainer is a privileged busybox container (lxcrun) with the probe
// (this test binary) at /seccomp-probe in its rootfs.
func newContainer(t *testing.T) *container {
	t.Helper()
	c := &container{lxcrun.New(t, lxcrun.Options{Prefix: "hardened-seccomp"})}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.RootFS(), probeArg), self, 0o755); err != nil {
		t.Fatal(err)
	}
	return c
}

type container struct{ *lxcrun.Container }

// start runs cmd as the init of the container confined by policy (a file
// in the LXC policy format) in the foreground and returns what it printed.
func (c *container) start(t *testing.T, label string, policy []byte, cmd ...string) (string, error) {
	t.Helper()
	file := filepath.Join(c.Dir, strings.NewReplacer(" ", "-", "/", "-").Replace(label)+".seccomp")
	if err := os.WriteFile(file, policy, 0o644); err != nil {
		t.Fatal(err)
	}
	return c.Start(t, "lxc.seccomp.profile = "+file+"\n", cmd...)
}

// probeResults parses the probe's output: "pid", "seccomp" and each probe.
func probeResults(t *testing.T, out string) map[string]int {
	t.Helper()
	res := map[string]int{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if f[0] == "error" {
			t.Fatalf("probe: %s", l)
		}
		if len(f) != 2 {
			continue
		}
		if n, err := strconv.Atoi(f[1]); err == nil {
			res[f[0]] = n
		}
	}
	return res
}

// probeFor is the probe that exercises a denylist entry.
func probeFor(e Entry) string {
	switch e.Syscall {
	case "umount2":
		return "umount2_force"
	case "ioctl":
		return "ioctl_btrfs"
	case "socket":
		return "socket_alg"
	case "clone", "unshare":
		return e.Syscall + "_newuser"
	}
	return e.Syscall
}

// deniedWant is what every denylist entry (and extra name) must fail with
// under p: computed from the entry table, not from Render.
func deniedWant(p Policy) map[string]int {
	want := map[string]int{}
	for _, e := range entries(p.Keyctl, p.UserNamespaces) {
		n := e.Errno
		if n == 0 {
			n = p.errno()
		}
		want[probeFor(e)] = n
	}
	for _, s := range p.Syscalls {
		want[s] = p.errno()
	}
	return want
}

// goRuntime are the syscalls the Go test binary (also built with -race)
// needs as a probe under an allowlist.
var goRuntime = []string{
	"clock_gettime", "clock_nanosleep", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2",
	"eventfd2", "futex", "getrandom", "getrlimit", "gettid", "madvise", "mincore", "nanosleep", "pipe2",
	"readlinkat", "rseq", "sched_getaffinity", "sched_yield", "sigaltstack", "tgkill", "uname", "unlinkat",
}

// busyboxExtra are what busybox sh, grep, mkdir and echo need beyond
// EssentialSyscalls.
var busyboxExtra = []string{"fchmod", "fchown", "getcwd", "getrandom", "getuid", "readlink", "rseq", "sendfile", "uname"}

// TestPoliciesRunInLXC proves that real LXC (lxc-start) accepts every kind
// of policy the package renders and that the kernel then enforces it in
// the container's init, and that a broken file makes lxc-start fail.
func TestPoliciesRunInLXC(t *testing.T) {
	c := newContainer(t)
	allProbes := make([]string, 0, len(probes))
	for n := range probes {
		allProbes = append(allProbes, n)
	}
	allProbes = sortedCopy(allProbes)

	withRuntime := func(extra ...string) []string {
		return append(append(EssentialSyscalls(), goRuntime...), extra...)
	}
	cases := []struct {
		name   string
		policy Policy
		want   map[string]int // expected probe results (added to deniedWant for denylists)
	}{
		{"denylist default", Policy{}, map[string]int{"ioctl_tcgets": 9, "socket_inet": 0, "umount2": 2, "mknod": 0, "mknodat": 0}},
		{"denylist extras", Policy{Mode: ModeDenylist, Syscalls: []string{"kcmp", "sethostname"}}, nil},
		{"denylist keyctl", Policy{Keyctl: true}, map[string]int{"keyctl": 95, "add_key": 14, "request_key": 14}},
		{"denylist mknod", Policy{Mknod: true}, map[string]int{"mknod": 0, "mknodat": 0}},
		{"denylist user namespaces", Policy{UserNamespaces: true}, map[string]int{"clone_newuser": 22, "unshare_newuser": 22, "clone3": 22}},
		{"denylist errno 4094", Policy{Errno: 4094, Syscalls: []string{"kcmp"}}, nil},
		{"denylist errno ENOSYS", Policy{Errno: ENOSYS}, nil},
		{"allowlist go probe", Policy{Mode: ModeAllowlist, Errno: 4000, Syscalls: withRuntime("ioctl", "socket", "umount2")},
			map[string]int{
				"ioctl_tcgets": 9, "ioctl_btrfs": EPERM, "socket_inet": 0, "socket_alg": EAFNOSUPPORT, "umount2": 2,
				"umount2_force": EACCES, "keyctl": ENOSYS, "io_uring_setup": ENOSYS, "bpf": 4000, "kexec_load": 4000,
				"mknod": 4000, "kcmp": 4000, "add_key": ENOSYS, "clone_newuser": 4000, "unshare_newuser": 4000, "clone3": ENOSYS,
			}},
		{"allowlist go probe keyctl mknod", Policy{Mode: ModeAllowlist, Errno: EPERM, Keyctl: true, Mknod: true, Syscalls: withRuntime("ioctl")},
			map[string]int{
				"ioctl_tcgets": 9, "ioctl_btrfs": EPERM, "socket_inet": EPERM, "keyctl": 95, "add_key": 14,
				"mknod": 0, "mknodat": 0, "io_uring_setup": ENOSYS, "bpf": EPERM, "clone_newuser": EPERM, "clone3": ENOSYS,
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkProbes(t, c, tc.name, tc.policy, tc.want, allProbes) })
	}

	t.Run("allowlist busybox", func(t *testing.T) { checkBusybox(t, c) })

	// Files Render never writes: lxc-start must refuse them, so the cases
	// above would notice a policy LXC rejects.
	broken := map[string]string{
		"bad action":            "2\ndenylist\n[all]\nkexec_load frobnicate 1\n",
		"bad policy type":       "2\nblocklist\n[all]\nkexec_load errno 1\n",
		"bad argument operator": "2\ndenylist\n[all]\nsocket errno 97 [0,38,SCMP_CMP_LIKE]\n",
		"rule equals default":   "2\nallowlist errno 1\n[all]\n" + allowAll(EssentialSyscalls()) + "ioctl errno 1\n",
		"errno 4095":            "2\ndenylist\n[all]\nacct errno 4095\n",
	}
	for _, name := range sortedKeys(boolKeys(broken)) {
		t.Run("broken "+name, func(t *testing.T) {
			out, err := c.start(t, "broken "+name, []byte(broken[name]), "/bin/sh", "-c", "echo started")
			if err == nil {
				t.Fatalf("lxc-start accepted a broken policy:\n%s\noutput:\n%s", broken[name], out)
			}
			if strings.Contains(out, "started") {
				t.Errorf("the container ran:\n%s", out)
			}
			if !strings.Contains(out, "Failed to read seccomp policy") {
				t.Errorf("lxc-start failed, but not on the policy:\n%s", out)
			}
		})
	}

	// Why Validate rejects unknown names: LXC skips them without an error.
	t.Run("misspelled syscall is silently ignored", func(t *testing.T) {
		text := "2\ndenylist\n[all]\nkexec_laod errno 4000\n"
		out, err := c.start(t, "typo", []byte(text), "/"+probeArg, probeArg, "kexec_load")
		if err != nil {
			t.Fatalf("lxc-start: %v\n%s", err, out)
		}
		if got := probeResults(t, out)["kexec_load"]; got == 4000 {
			t.Errorf("LXC resolved the misspelled kexec_laod; Validate's unknown-name check may be stricter than needed")
		}
		if pr := Validate(Policy{Syscalls: []string{"kexec_laod"}}); len(pr) != 1 || pr[0].Summary != "unknown syscall" {
			t.Errorf("Validate does not reject the typo: %+v", pr)
		}
	})

	// Why allowRules never writes "ioctl allow" next to the btrfs rule:
	// libseccomp lets the unconditional allow swallow the conditional errno.
	t.Run("unconditional allow swallows conditional deny", func(t *testing.T) {
		text := "2\nallowlist errno 4000\n[all]\n" + allowAll(withRuntime("ioctl")) + "ioctl errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]\n"
		out, err := c.start(t, "swallow", []byte(text), "/"+probeArg, probeArg, "ioctl_btrfs")
		if err != nil {
			t.Fatalf("lxc-start: %v\n%s", err, out)
		}
		if got := probeResults(t, out)["ioctl_btrfs"]; got != 9 {
			t.Logf("libseccomp now honours the conditional rule (btrfs ioctl errno %d, was 9 EBADF): the carve-out in allowRules is no longer needed, but still right", got)
		}
	})
}

func allowAll(names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + " allow\n")
	}
	return b.String()
}

func boolKeys(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// checkProbes starts the probe under policy and compares every probe's
// errno with what the policy means (want adds to a denylist's denials).
func checkProbes(t *testing.T, c *container, name string, policy Policy, wantExtra map[string]int, allProbes []string) {
	text, err := policy.Render()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.start(t, name, text, append([]string{"/" + probeArg, probeArg}, allProbes...)...)
	if err != nil {
		t.Fatalf("lxc-start refused the policy: %v\n%s\npolicy:\n%s", err, out, text)
	}
	got := probeResults(t, out)
	if got["pid"] != 1 || got["seccomp"] != 2 {
		t.Fatalf("init has pid %d, Seccomp %d; want pid 1, Seccomp 2 (filter)\n%s", got["pid"], got["seccomp"], out)
	}
	want := map[string]int{}
	if policy.mode() == ModeDenylist {
		want = deniedWant(policy)
	}
	for k, v := range wantExtra {
		want[k] = v
	}
	for _, n := range allProbes {
		w, ok := want[n]
		if !ok || w < 0 {
			continue // not asserted (-1: kernel-dependent)
		}
		if g, ran := got[n]; !ran || g != w {
			t.Errorf("%s (%s): errno %d, want %d", n, probes[n].syscall, g, w)
		}
	}
	if t.Failed() {
		t.Logf("probe output:\n%s\npolicy:\n%s", out, text)
	}
}

// checkBusybox: an allowlist of the essential calls and busybox's runs a
// shell and refuses the rest (mkdir).
func checkBusybox(t *testing.T, c *container) {
	p := Policy{Mode: ModeAllowlist, Syscalls: append(EssentialSyscalls(), busyboxExtra...)}
	text, err := p.Render()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.start(t, "allowlist busybox", text, "/bin/sh", "-c",
		"grep Seccomp: /proc/self/status; mkdir /tmp/not-allowed || echo mkdir failed; echo done")
	if err != nil {
		t.Fatalf("lxc-start refused the policy: %v\n%s\npolicy:\n%s", err, out, text)
	}
	for _, w := range []string{"Seccomp:\t2", "Operation not permitted", "mkdir failed", "done"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
