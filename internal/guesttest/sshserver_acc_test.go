package guesttest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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

const res = "hardened_container.web"

func sshConfig(env *acctest.Env, template, ssh string) string {
	return env.ProviderConfig("local") + fmt.Sprintf(`
resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 180
  hostname   = "web"
  ostemplate = "local:vztmpl/%s"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.50.5/24" }]
%s
}
`, template, ssh)
}

const debian = "debian-12-standard_12.12-1_amd64.tar.zst"

const policyHCL = `  ssh_server = {
    banner      = "Authorised use only."
    allow_users = ["deploy"]
  }
`

func guestFile(env *acctest.Env, p string) string {
	return filepath.Join(pctemu.Rootfs(env.DataDir, 180), filepath.FromSlash(p))
}

func edit(t *testing.T, p string, f func(string) string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(f(string(b))), 0o644); err != nil { //nolint:gosec // a file inside a simulated container
		t.Fatal(err)
	}
}

// weakened is one hand weakening: the plan must show it on the given
// ssh_server attribute, apply must repair it, and the plan be empty after.
func weakened(t *testing.T, env *acctest.Env, cfg string, change func(), attr string, want knownvalue.Check) resource.TestStep {
	return resource.TestStep{
		PreConfig: change,
		Config:    cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(res, tfjsonpath.New("ssh_server").AtMapKey(attr), want),
			},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: effective(env),
	}
}

// effective checks sshd's effective configuration in the container (the
// simulator's sshd -T, and sshd -T -C for each probe connection, over its
// files) against the policy.
func effective(env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		p, errs := sshdconfig.Probe(rootFiles(pctemu.Rootfs(env.DataDir, 180)))
		if len(errs) > 0 {
			return fmt.Errorf("%v", errs)
		}
		want := sshdconfig.Policy{PermitRootLogin: "no", Banner: "Authorised use only.", AllowUsers: []string{"deploy"}}
		if d := sshdconfig.Compare(want, p.Global); len(d) > 0 {
			return fmt.Errorf("sshd in effect differs: %v", d)
		}
		for _, c := range p.Conns {
			if d := sshdconfig.Compare(want, c.Eff); len(d) > 0 {
				return fmt.Errorf("sshd in effect for %s differs: %v", c.Spec, d)
			}
		}
		return nil
	}
}

// TestAccSSHServerPolicy: the policy is written through pct push and read
// back through one pct exec (sshd -T, and sshd -T -C for probe
// connections). Hand edits that the drop-in's Match all block, read first,
// leaves without effect (its global line edited, an earlier file's
// PasswordAuthentication yes once the provider's Include is gone, a Match
// User * block at the end of the main file, a global PermitRootLogin yes
// put first in the main file) leave the plan empty, honestly;
// three that take effect each show in plan and are repaired: the drop-in
// edited (its Match all block removed, so the main file's Match User *
// turns passwords and root logins on for every connection while sshd -T
// without a connection still prints "no"), an earlier file's Match User *
// PasswordAuthentication yes with the provider's Include removed, and the
// main file changed (a Match all block put before the Include). A Match
// block that adds to AllowUsers shows in plan, and apply, which cannot
// override it, fails saying so.
func TestAccSSHServerPolicy(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := sshConfig(env, debian, policyHCL)
	earlier := guestFile(env, "/etc/ssh/sshd_config.d/00-aaa.conf")
	mainFile := guestFile(env, sshdconfig.MainConfig)
	rootKeyCfg := sshConfig(env, debian, strings.Replace(policyHCL, "  ssh_server = {\n", "  ssh_server = {\n    permit_root_login = \"prohibit-password\"\n", 1))
	empty := func(change func()) resource.TestStep {
		return resource.TestStep{PreConfig: change, Config: cfg, Check: effective(env),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(effective(env),
					resource.TestCheckResourceAttr(res, "ssh_server.permit_root_login", "no"),
					resource.TestCheckResourceAttr(res, "ssh_server.key_only", "true"),
					resource.TestCheckResourceAttr(res, "ssh_server.banner", "Authorised use only."),
					resource.TestCheckResourceAttr(res, "ssh_server.allow_users.0", "deploy"),
					func(*terraform.State) error {
						b, err := os.ReadFile(guestFile(env, sshdconfig.DropIn))
						if err != nil || !strings.Contains(string(b), "PasswordAuthentication no\n") || !strings.Contains(string(b), "Match all\n") {
							return fmt.Errorf("drop-in %q %w", b, err)
						}
						log, _ := os.ReadFile(filepath.Join(env.DataDir, pctemu.LogFile))
						if !strings.Contains(string(log), "pct exec 180 --keep-env 0 -- systemctl try-reload-or-restart ssh") {
							return fmt.Errorf("sshd not reloaded: %s", log)
						}
						return nil
					},
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			// without effect: the drop-in's Match all block wins for every connection
			empty(func() {
				edit(t, guestFile(env, sshdconfig.DropIn), func(s string) string {
					return strings.Replace(s, "PasswordAuthentication no", "PasswordAuthentication yes", 1)
				})
			}),
			empty(func() { edit(t, mainFile, func(s string) string { return s + matchUserAll }) }),
			// 1: the drop-in edited: without its Match all, the main file's Match User * is in effect
			weakened(t, env, cfg, func() {
				edit(t, guestFile(env, sshdconfig.DropIn), func(s string) string { s, _, _ = strings.Cut(s, "# The same in every Match"); return s })
			}, "key_only", knownvalue.Bool(true)),
			empty(func() { // an earlier file, the provider's Include removed: the drop-in's Match all still wins
				edit(t, earlier, func(string) string { return "PasswordAuthentication yes\n" })
				edit(t, mainFile, func(s string) string { return strings.Replace(s, "Include "+sshdconfig.DropIn+"\n", "", 1) })
			}),
			// 2: an earlier file's Match User *, read before the drop-in once the provider's Include is gone
			weakened(t, env, cfg, func() {
				edit(t, earlier, func(string) string { return "Match User *\n  PasswordAuthentication yes\n" })
				edit(t, mainFile, func(s string) string { return strings.Replace(s, "Include "+sshdconfig.DropIn+"\n", "", 1) })
			}, "key_only", knownvalue.Bool(true)),
			empty(func() { // a global line put first in the main file: the drop-in's Match all still wins
				_ = os.Remove(earlier)
				edit(t, mainFile, func(s string) string { return "PermitRootLogin yes\n" + s })
			}),
			weakened(t, env, cfg, func() { // 3: the main file changed: a Match all block before the provider's Include
				edit(t, mainFile, func(s string) string { return "Match all\n  PermitRootLogin yes\n" + s })
			}, "permit_root_login", knownvalue.StringExact("no")),
			weakened(t, env, cfg, func() { // the banner file edited
				edit(t, guestFile(env, sshdconfig.BannerFile), func(string) string { return "Welcome!\n" })
			}, "banner", knownvalue.StringExact("Authorised use only.")),
			{ // a Match block that adds to AllowUsers (sshd adds those up): shown in plan; the drop-in cannot override it, apply says so
				PreConfig: func() { edit(t, mainFile, func(s string) string { return s + "Match User *\n  AllowUsers mallory\n" }) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("ssh_server").AtMapKey("allow_users"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("deploy")})),
				}},
				ExpectError: regexp.MustCompile(`sshd\s+still\s+has\s+in\s+effect\s+for\s+some\s+connection:\s+allowusers\s+is\s+deploy\s+mallory,\s+the\s+policy\s+needs\s+deploy`),
			},
			{
				PreConfig: func() {
					edit(t, mainFile, func(s string) string { return strings.Replace(s, "Match User *\n  AllowUsers mallory\n", "", 1) })
				},
				Config:           cfg,
				Check:            effective(env),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			// root with a key only: sshd -T prints it as without-password, no perpetual diff
			{Config: rootKeyCfg, Check: resource.TestCheckResourceAttr(res, "ssh_server.permit_root_login", "prohibit-password")},
			{Config: rootKeyCfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// matchUserAll is the hand-added block that turns passwords and root
// logins back on for every connection unless a Match all read before it
// keeps the policy.
const matchUserAll = "Match User *\n    PasswordAuthentication yes\n    PermitRootLogin yes\n"

// TestAccSSHServerRefusals: ssh_server set on a stopped container, with
// key_only = false, a banner with an escape sequence, or policy settings
// with enabled = false fails the plan.
func TestAccSSHServerRefusals(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: sshConfig(env, debian, policyHCL+"  started = false\n"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`ssh_server needs a running container`)},
			{Config: sshConfig(env, debian, "  ssh_server = { key_only = false }\n"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`Password authentication is not allowed`)},
			{Config: sshConfig(env, debian, "  ssh_server = { banner = \"\\u001b[2J\" }\n"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`Invalid SSH banner`)},
			{Config: sshConfig(env, debian, "  ssh_server = { enabled = false, banner = \"x\" }\n"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`ssh_server is disabled`)},
		},
	})
}

// rootFiles is a container's root file system as sshdconfig.Files.
type rootFiles string

func (r rootFiles) Read(p string) ([]byte, bool) {
	b, err := os.ReadFile(filepath.Join(string(r), filepath.FromSlash(p)))
	return b, err == nil
}

func (r rootFiles) Glob(pattern string) []string {
	m, _ := filepath.Glob(filepath.Join(string(r), filepath.FromSlash(pattern)))
	out := make([]string, len(m))
	for i, p := range m {
		out[i] = "/" + filepath.ToSlash(strings.TrimPrefix(p, string(r)+string(filepath.Separator)))
	}
	return out
}
