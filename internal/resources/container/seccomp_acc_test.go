package container_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// checkSeccomp checks that the pct.conf names p's file (none for
// ModeDefault), that the file holds p's rendering and that the files in gone
// are removed from the cluster file system.
func checkSeccomp(env *acctest.Env, p seccomp.Policy, gone ...seccomp.Policy) resource.TestCheckFunc {
	return func(*terraform.State) error {
		b, err := os.ReadFile(confFile(env))
		if err != nil {
			return err
		}
		conf := string(b)
		if p.Mode == seccomp.ModeDefault {
			if strings.Contains(conf, "lxc.seccomp.profile") {
				return fmt.Errorf("mode default: the pct.conf still names a policy:\n%s", conf)
			}
		} else {
			if !strings.Contains(conf, "\nlxc.seccomp.profile: "+p.Path()+"\n") {
				return fmt.Errorf("pct.conf does not name %s:\n%s", p.Path(), conf)
			}
			if got, err := os.ReadFile(seccompFile(env, p)); err != nil || string(got) != string(seccompText(p)) {
				return fmt.Errorf("policy file %s: %w\n%s", p.Path(), err, got)
			}
		}
		for _, g := range gone {
			if _, err := os.Stat(seccompFile(env, g)); !os.IsNotExist(err) {
				return fmt.Errorf("%s, which no container uses any more, is still there (%w)", g.Path(), err)
			}
		}
		return nil
	}
}

var shaRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// TestAccContainerSeccomp: an allowlist with its own errno, imported with its
// settings recovered from the policy file, changed to a denylist with extra
// syscalls (a restart: filters are installed at start only), then PVE's own
// policy; a policy no container uses any more is removed.
func TestAccContainerSeccomp(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	allowed := append(seccomp.EssentialSyscalls(), "ioctl", "socket", "getrandom", "uname")
	allow := seccomp.Policy{Mode: seccomp.ModeAllowlist, Errno: seccomp.ENOSYS, Syscalls: allowed}
	deny := seccomp.Policy{Mode: seccomp.ModeDenylist, Errno: 13, Syscalls: []string{"kcmp", "ptrace"}}
	cfg := func(p seccomp.Policy) string {
		if p.Mode == seccomp.ModeDefault {
			return webConfig(env, "local", `  seccomp = { mode = "default" }
  exceptions = [{ rule = "HC-SC-001", reason = "PVE's own policy for a legacy workload" }]`)
		}
		quoted := make([]string, len(p.Syscalls))
		for i, s := range p.Syscalls {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		return webConfig(env, "local", fmt.Sprintf("  seccomp = {\n    mode = %q\n    errno = %d\n    syscalls = [%s]\n  }\n",
			p.Mode, p.Errno, strings.Join(quoted, ", ")))
	}
	allowCfg := cfg(allow)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{
				Config: allowCfg,
				Check:  checkSeccomp(env, allow, seccompDefault),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("seccomp").AtMapKey("mode"), knownvalue.StringExact("allowlist")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("node_files").AtMapKey(allow.Path()), knownvalue.StringRegexp(shaRE)),
				},
			},
			{
				ResourceName: res, ImportState: true, ImportStateId: "pve1/150", ImportStateVerify: true,
				ImportStateVerifyIgnore: importIgnore,
			},
			{
				Config:    cfg(deny),
				PreConfig: func() { env.Sim.Stats().Reset() },
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("lxc_lines").AtSliceIndex(3), knownvalue.StringExact("lxc.seccomp.profile: "+deny.Path())),
				}},
				Check: resource.ComposeTestCheckFunc(checkSeccomp(env, deny, allow), func(*terraform.State) error {
					if n := env.Sim.Stats().Snapshot()[rebootKey]; n != 1 {
						return fmt.Errorf("%d reboots after a seccomp change, want 1", n)
					}
					return nil
				}),
			},
			{
				Config: cfg(seccomp.Policy{Mode: seccomp.ModeDefault}),
				Check:  checkSeccomp(env, seccomp.Policy{Mode: seccomp.ModeDefault}, deny),
			},
			{
				// a hand-made line naming the provider's allowlist file (left
				// there by hand) is read back as that allowlist
				PreConfig: func() {
					if err := os.WriteFile(seccompFile(env, allow), seccompText(allow), 0o640); err != nil {
						t.Fatal(err)
					}
					edit(t, confFile(env), func(s string) string { return s + "lxc.seccomp.profile: " + allow.Path() + "\n" })
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckResourceAttr(res, "seccomp.mode", "allowlist"),
			},
			{
				Config: cfg(seccomp.Policy{Mode: seccomp.ModeDefault}),
				Check:  checkSeccomp(env, seccomp.Policy{Mode: seccomp.ModeDefault}, allow),
			},
		},
	})
}
