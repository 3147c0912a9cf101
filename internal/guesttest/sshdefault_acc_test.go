package guesttest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/pctemu"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

const alpine = "alpine-3.22-default_20250617_amd64.tar.xz"

const (
	sshStatus, sshDetail = "compliance.rules.HC-SSH-001", "compliance.details.HC-SSH-001"
	aud                  = "data.hardened_audit.all"
)

// auditHCL audits the cluster, read when a plan is made (no depends_on: a
// plan that repairs the container shows the audit of what it repairs).
const auditHCL = `
data "hardened_audit" "all" {}
`

// defaultConfig is a container without an ssh_server block (plus extra
// HCL).
func defaultConfig(env *acctest.Env, mode, template, extra string) string {
	return env.ProviderConfig(mode) + fmt.Sprintf(`
resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 180
  hostname   = "web"
  ostemplate = "local:vztmpl/%s"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.50.5/24" }]
%s
}
`, template, extra)
}

// pctCalls counts the pct commands the stand-in ran containing s.
func pctCalls(env *acctest.Env, s string) int {
	b, _ := os.ReadFile(filepath.Join(env.DataDir, pctemu.LogFile))
	return strings.Count(string(b), s)
}

// defaultOnSteps: no ssh_server block on Debian's standard template: the
// hardened policy is written and in effect; a hand weakening (an earlier
// file's Match User * block with PasswordAuthentication yes, the provider's
// Include removed from the main file: sshd -T without a connection still
// prints "no", sshd -T -C for a user "yes") fails HC-SSH-001 in compliance
// and in hardened_audit, shows in plan, and apply repairs it.
func defaultOnSteps(env *acctest.Env, cfg string, t *testing.T) []resource.TestStep {
	hardened := func(*terraform.State) error {
		p, errs := sshdconfig.Probe(rootFiles(pctemu.Rootfs(env.DataDir, 180)))
		if len(errs) > 0 {
			return fmt.Errorf("%v", errs)
		}
		if w := append(sshdconfig.Weaknesses(p.Global), p.ConnWeaknesses()...); len(w) > 0 {
			return fmt.Errorf("sshd in effect: %v", w)
		}
		return nil
	}
	return []resource.TestStep{
		{
			Config: cfg,
			Check: resource.ComposeTestCheckFunc(hardened,
				resource.TestCheckResourceAttr(res, "ssh_server.enabled", "true"),
				resource.TestCheckResourceAttr(res, "ssh_server.installed", "true"),
				resource.TestCheckResourceAttr(res, "ssh_server.key_only", "true"),
				resource.TestCheckResourceAttr(res, "ssh_server.permit_root_login", "no"),
				resource.TestCheckResourceAttr(res, "ssh_server.banner", "Authorized access only. Activity on this system is logged."),
				resource.TestCheckResourceAttr(res, sshStatus, "pass"),
			),
		},
		{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		{ // weakened by hand: the refresh sees it in compliance and the audit
			PreConfig: func() {
				edit(t, guestFile(env, "/etc/ssh/sshd_config.d/00-aaa.conf"), func(string) string { return "Match User *\n  PasswordAuthentication yes\n" })
				edit(t, guestFile(env, sshdconfig.MainConfig), func(s string) string { return strings.Replace(s, "Include "+sshdconfig.DropIn+"\n", "", 1) })
			},
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(res, "ssh_server.key_only", "false"),
				resource.TestCheckResourceAttr(res, sshStatus, "fail"),
				resource.TestCheckResourceAttr(res, sshDetail, "sshd in effect (sshd -T): passwordauthentication yes "+
					"(for the connection user=root,host=127.0.0.1,addr=127.0.0.1,lport=22: a Match block)"),
			),
		},
		{ // the plan shows it (and the audit, read by the plan); apply repairs it
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("ssh_server").AtMapKey("key_only"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("compliance").AtMapKey("rules").AtMapKey("HC-SSH-001"), knownvalue.StringExact("pass")),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(hardened,
				resource.TestCheckResourceAttr(res, sshStatus, "pass"),
				resource.TestCheckResourceAttr(aud, "failing_by_rule.HC-SSH-001.0", "pve1/180"),
			),
		},
		{
			Config:           cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			Check:            resource.TestCheckNoResourceAttr(aud, "failing_by_rule.HC-SSH-001.#"),
		},
	}
}

// TestAccSSHServerDefaultOn: see defaultOnSteps (local node channel).
func TestAccSSHServerDefaultOn(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    defaultOnSteps(env, defaultConfig(env, "local", debian, "")+auditHCL, t),
	})
}

// TestAccSSHServerDefaultOnSSHChannel: the same over the SSH node channel
// (pct runs in the test sshd's sessions).
func TestAccSSHServerDefaultOnSSHChannel(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := defaultConfig(env, "ssh", debian, "") + auditHCL
	steps := defaultOnSteps(env, cfg, t)
	steps[0].Check = resource.ComposeTestCheckFunc(steps[0].Check, func(*terraform.State) error {
		if n := pctCalls(env, "pct push 180 "); n < 2 {
			return fmt.Errorf("%d pct push calls recorded", n)
		}
		return nil
	})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

// TestAccSSHServerAbsent: Alpine's template has no OpenSSH: installed is
// false, nothing is written, the plan is empty, and a refresh costs no pct
// call until the container restarts (then one pct exec of the SSH probe). An explicit
// ssh_server on it is a warning, not an error, and plans empty too.
// enabled = false on Debian writes nothing: HC-SSH-001 reads what the
// template has in effect (passwords allowed, no banner), excepted here.
func TestAccSSHServerAbsent(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	var calls int
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: defaultConfig(env, "local", alpine, ""),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "ssh_server.installed", "false"),
					resource.TestCheckResourceAttr(res, sshStatus, "pass"),
					func(*terraform.State) error {
						if _, err := os.Stat(guestFile(env, sshdconfig.DropIn)); !os.IsNotExist(err) {
							return fmt.Errorf("drop-in written into a container without sshd: %w", err)
						}
						calls = pctCalls(env, "pct ")
						return nil
					},
				),
			},
			{Config: defaultConfig(env, "local", alpine, ""), ConfigPlanChecks: empty},
			{
				RefreshState: true,
				Check: func(*terraform.State) error {
					if n := pctCalls(env, "pct "); n != calls {
						return fmt.Errorf("refreshes of a container without sshd ran %d pct commands", n-calls)
					}
					return nil
				},
			},
			{ // restarted: looked at once more
				PreConfig: func() {
					if err := env.Call(t, http.MethodPost, "/nodes/pve1/lxc/180/status/reboot"); err != nil {
						t.Fatal(err)
					}
					calls = pctCalls(env, "pct exec 180 --keep-env 0 -- sh -c ")
				},
				RefreshState: true,
				Check: func(*terraform.State) error {
					if n := pctCalls(env, "pct exec 180 --keep-env 0 -- sh -c "); n != calls+1 {
						return fmt.Errorf("%d SSH probes after the restart, want 1", n-calls)
					}
					return nil
				},
			},
			{Config: defaultConfig(env, "local", alpine, policyHCL), Check: resource.TestCheckResourceAttr(res, "ssh_server.installed", "false")},
			{Config: defaultConfig(env, "local", alpine, policyHCL), ConfigPlanChecks: empty},
			{
				Config: defaultConfig(env, "local", debian, `  ssh_server = { enabled = false }
  exceptions = [{ rule = "HC-SSH-001", reason = "sshd is managed by the configuration management" }]`),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "ssh_server.installed", "true"),
					resource.TestCheckResourceAttr(res, sshStatus, "excepted"),
					resource.TestCheckResourceAttr(res, sshDetail, "sshd in effect (sshd -T): passwordauthentication yes, banner none"),
					func(*terraform.State) error {
						if _, err := os.Stat(guestFile(env, sshdconfig.DropIn)); !os.IsNotExist(err) {
							return fmt.Errorf("drop-in written with enabled = false: %w", err)
						}
						return nil
					},
				),
			},
			{Config: defaultConfig(env, "local", debian, `  ssh_server = { enabled = false }
  exceptions = [{ rule = "HC-SSH-001", reason = "sshd is managed by the configuration management" }]`), ConfigPlanChecks: empty},
		},
	})
}

// TestAccSSHServerNoSystemctl: a container with sshd but without
// systemctl (OpenRC, runit) gets the policy written and in effect with a
// warning (the running sshd is not told), not a failing apply; the next
// plan is empty.
func TestAccSSHServerNoSystemctl(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := defaultConfig(env, "local", debian, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: defaultConfig(env, "local", debian, `  ssh_server = { enabled = false }
  exceptions = [{ rule = "HC-SSH-001", reason = "not managed yet" }]`)},
			{
				PreConfig: func() {
					if err := os.Remove(guestFile(env, "/usr/bin/systemctl")); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "ssh_server.installed", "true"),
					resource.TestCheckResourceAttr(res, "ssh_server.key_only", "true"),
					resource.TestCheckResourceAttr(res, sshStatus, "pass"),
					func(*terraform.State) error {
						if n := pctCalls(env, "pct exec 180 --keep-env 0 -- systemctl try-reload-or-restart ssh"); n != 1 {
							return fmt.Errorf("%d reloads tried", n)
						}
						return nil
					},
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}
