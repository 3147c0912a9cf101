package conformance

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// allowlistSyscalls is a complete allowlist for the busybox init, lxc-attach
// and the probe (Go runtime, os/exec) in these containers.
var allowlistSyscalls = append(seccomp.EssentialSyscalls(),
	// Go runtime and os/exec
	"clock_gettime", "clock_nanosleep", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "eventfd2", "futex",
	"getrandom", "getrlimit", "gettid", "madvise", "mincore", "nanosleep", "pipe2", "readlinkat", "rseq", "sched_getaffinity",
	"sched_yield", "sigaltstack", "tgkill", "uname", "waitid", "kill", "getuid", "geteuid", "getgid", "getegid", "lseek",
	"dup", "pidfd_open", "pidfd_send_signal", "socket", "ioctl", "umount2",
	// busybox sh init and sleep
	"getcwd", "getpgid", "setpgid", "rt_sigsuspend", "pause", "wait4", "vfork", "fork", "getppid", "stat", "lstat",
	"fchmod", "fchown", "readlink", "sendfile", "getdents64", "poll", "ppoll", "pselect6", "select", "alarm", "times",
	"sysinfo", "statx", "faccessat", "faccessat2", "exit", "close_range")

// TestAccConformance applies containers through the provider against the
// simulator with the real-LXC backend and verifies, from inside each running
// container (init and an lxc-attach'ed probe), what their configuration
// promises: id maps, dropped capabilities (bit by bit), keep = [], the
// seccomp filter and each denied syscall's errno for the hardened
// denylist, an errno override with extra syscalls and an allowlist, nested
// user namespaces denied (allowed with nesting), the pids limit stopping a
// fork loop and the memory limit killing an allocation. A deliberately
// weakened container is the negative control: the same checks, with the
// hardened expectations, fail on it, so each check can fail.
func TestAccConformance(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := StartSim(t)
	lxcPath := env.Sim.LXC().Path()
	var quoted []string
	for _, s := range hardening.SortedUnique(allowlistSyscalls) {
		quoted = append(quoted, fmt.Sprintf("%q", s))
	}
	cfg := env.ProviderConfig("local") + fmt.Sprintf(`
locals {
  tpl = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
}
resource "hardened_container" "hardened" {
  node       = "pve1"
  hostname   = "hardened"
  ostemplate = local.tpl
  memory     = 64
  pids_max   = 64
}
resource "hardened_container" "strict" {
  node         = "pve1"
  hostname     = "strict"
  ostemplate   = local.tpl
  memory       = 64
  pids_max     = 64
  capabilities = { keep = [] }
  seccomp      = { errno = 13, syscalls = ["kcmp", "sethostname"] }
}
resource "hardened_container" "allow" {
  node       = "pve1"
  hostname   = "allow"
  ostemplate = local.tpl
  memory     = 64
  pids_max   = 64
  seccomp    = { mode = "allowlist", errno = 38, syscalls = [%s] }
}
resource "hardened_container" "nest" {
  node       = "pve1"
  hostname   = "nest"
  ostemplate = local.tpl
  memory     = 64
  pids_max   = 64
  features   = { nesting = true }
  apparmor   = { deny_mount = false }
  exceptions = [{ rule = "HC-FEAT-001", reason = "conformance: nested user namespaces with nesting" }]
}
# the negative control: sys_admin kept, PVE's own seccomp policy, nesting,
# a high process limit and a memory limit above what the probe allocates
resource "hardened_container" "weak" {
  node         = "pve1"
  hostname     = "weak"
  ostemplate   = local.tpl
  memory       = 512
  pids_max     = 4096
  capabilities = { drop = ["sys_module"] }
  seccomp      = { mode = "default" }
  features     = { nesting = true }
  apparmor     = { deny_mount = false }
  exceptions = [
    { rule = "HC-CAP-001", reason = "negative control" },
    { rule = "HC-SC-001", reason = "negative control" },
    { rule = "HC-FEAT-001", reason = "negative control" },
  ]
}
`, strings.Join(quoted, ", "))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(s *terraform.State) error {
				var all []Row
				for _, name := range []string{"hardened", "strict", "allow", "nest"} {
					e := FromState("hardened_container."+name, s.RootModule().Resources["hardened_container."+name].Primary.Attributes)
					r, err := Observe(lxcPath, e)
					if err != nil {
						return err
					}
					all = append(all, Check(e, r, env.DataDir)...)
				}
				strict := FromState("strict", s.RootModule().Resources["hardened_container.strict"].Primary.Attributes)
				if !strict.KeepMode || len(strict.dropped()) != len(hardening.AllCapabilities) {
					return fmt.Errorf("keep = [] read back as %+v", strict)
				}
				t.Logf("\n%s", Table(all))
				if f := Failed(all); len(f) > 0 {
					return fmt.Errorf("controls not in effect:\n%s", Table(f))
				}
				return negativeControl(t, lxcPath, env.DataDir, s)
			},
		}},
	})
	if err := env.Sim.Stop(); err != nil {
		t.Fatal(err)
	}
	if left := env.Sim.LXC().Leftovers(); len(left) > 0 {
		t.Errorf("left on the host after destroy and stop: %v", left)
	}
}

// negativeControl checks the weakened container against the hardened
// container's expectations: every control that it weakens must fail.
func negativeControl(t *testing.T, lxcPath, dataDir string, s *terraform.State) error {
	weak := FromState("hardened_container.weak", s.RootModule().Resources["hardened_container.weak"].Primary.Attributes)
	hardened := FromState("hardened_container.hardened", s.RootModule().Resources["hardened_container.hardened"].Primary.Attributes)
	as := hardened
	as.Name, as.VMID = weak.Name+" (as hardened)", weak.VMID
	r, err := Observe(lxcPath, as)
	if err != nil {
		return err
	}
	rows := Check(as, r, dataDir)
	t.Logf("negative control:\n%s", Table(rows))
	failed := map[string]bool{}
	for _, f := range Failed(rows) {
		failed[f.Control] = true
	}
	for _, c := range []string{"capabilities", "seccomp: denied syscalls' errno", "nested user namespaces", "process limit", "memory limit"} {
		if !failed[c] {
			return fmt.Errorf("negative control: %q passes on the weakened container, so the check cannot tell", c)
		}
	}
	if failed["user id mapping"] || failed["seccomp filter"] {
		return fmt.Errorf("negative control: the weakened container is still unprivileged with a filter, yet %v fail", failed)
	}
	return nil
}

// StartSim starts a simulator whose containers run in real LXC with the
// probe in their root file system, or skips the test (fails it when
// HARDENED_TEST_REQUIRE lists lxc, as in CI).
func StartSim(t *testing.T, opts ...acctest.SimOption) *acctest.Env {
	t.Helper()
	if os.Geteuid() != 0 {
		require.SkipOrFail(t, "lxc", "real LXC containers need root")
	}
	for _, tool := range []string{"lxc-start", "lxc-attach", "busybox", "apparmor_parser"} {
		if _, err := exec.LookPath(tool); err != nil {
			require.SkipOrFail(t, "lxc", "%s is not installed (.ci/install-deps: apt-get install lxc busybox-static apparmor)", tool)
		}
	}
	probe := buildProbe(t)
	opts = append(opts, acctest.WithSimOptions(func(o *pvesim.Options) {
		o.LXC = &pvesim.LXCOptions{Files: map[string]string{ProbePath: probe}}
	}))
	return acctest.StartSim(t, opts...)
}

// buildProbe compiles ./probe static for the containers (linux/amd64).
func buildProbe(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "probe")
	cmd := exec.Command(acctest.GoTool(t), "build", "-trimpath", "-o", out, "./probe")
	cmd.Dir = probeDir(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the probe: %v\n%s", err, b)
	}
	return out
}

func probeDir(t *testing.T) string {
	return filepath.Join(acctest.RepoRoot(t), "internal", "conformance")
}
