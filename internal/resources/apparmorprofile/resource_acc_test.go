package apparmorprofile_test

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
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

const res = "hardened_apparmor_profile.web"

const profileHCL = `
resource "hardened_apparmor_profile" "web" {
  name = "lxc-webserver"
  settings = {
    deny_mount     = false
    mount_fs_types = ["nfs"]
    extra_rules    = ["deny /srv/secret/** rw,"]
  }
}
`

func wantText() []byte {
	s := apparmor.Hardened()
	s.DenyMount, s.MountFSTypes, s.ExtraRules = false, []string{"nfs"}, []string{"deny /srv/secret/** rw,"}
	return apparmor.RenderNamed("lxc-webserver", s)
}

func profilePath(env *acctest.Env) string {
	return filepath.Join(env.DataDir, "etc/apparmor.d/lxc/lxc-webserver")
}

func checkFile(env *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := os.ReadFile(profilePath(env))
		if err != nil || string(got) != string(wantText()) {
			return fmt.Errorf("%s: %w\n%s", profilePath(env), err, got)
		}
		return nil
	}
}

// TestAccAppArmorProfile: written and compiled (apparmor_load = "check"),
// on every node, drift of a node's copy repaired, import, in-use deletion
// refused, removal on destroy.
func TestAccAppArmorProfile(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithNodes("pve1", "pve2"))
	cfg := env.ProviderConfig("local") + profileHCL
	digest := hardening.FileDigest(wantText())
	repaired := func(do func()) resource.TestStep {
		return resource.TestStep{PreConfig: do, Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checkFile(env)}
	}
	user := `
resource "hardened_container" "web" {
  node             = "pve1"
  vmid             = 170
  hostname         = "web"
  ostemplate       = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  apparmor_profile = "lxc-webserver"
  exceptions       = [{ rule = "HC-AA-002", reason = "the named profile under test" }]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := os.Stat(profilePath(env)); !os.IsNotExist(err) {
				return fmt.Errorf("profile left behind: %w", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg, Check: checkFile(env),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("copies"), knownvalue.MapExact(map[string]knownvalue.Check{
						"pve1": knownvalue.StringExact(digest), "pve2": knownvalue.StringExact(digest)})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("content"), knownvalue.StringExact(string(wantText()))),
				},
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			repaired(func() {
				b, _ := os.ReadFile(profilePath(env))
				if err := os.WriteFile(profilePath(env), []byte(strings.Replace(string(b), "  deny ptrace (trace),\n", "", 1)), 0o644); err != nil {
					t.Fatal(err)
				}
			}),
			repaired(func() {
				if err := os.Remove(profilePath(env)); err != nil {
					t.Fatal(err)
				}
			}),
			{ResourceName: res, ImportState: true, ImportStateId: "lxc-webserver", ImportStateVerify: true},
			{Config: cfg + user},
			{Config: env.ProviderConfig("local") + user, ExpectError: regexp.MustCompile(`(?s)AppArmor profile "lxc-webserver" is used by\s+pve1/170`)},
			{Config: cfg + strings.Replace(user, `apparmor_profile = "lxc-webserver"`, `apparmor_profile = hardened_apparmor_profile.web.name`, 1)},
		},
	})
}

// TestAccAppArmorProfileRaw: raw text, and plan-time refusals.
func TestAccAppArmorProfileRaw(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	raw := "profile lxc-custom flags=(attach_disconnected,mediate_deleted) {\n  #include <abstractions/lxc/container-base>\n  deny network raw,\n}\n"
	hcl := func(name, text string) string {
		return env.ProviderConfig("local") + fmt.Sprintf("resource \"hardened_apparmor_profile\" \"c\" {\n  name = %q\n  raw  = %s\n}\n", name, acctest.HCLString(text))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: hcl("lxc-custom", raw), Check: func(*terraform.State) error {
				got, err := os.ReadFile(filepath.Join(env.DataDir, "etc/apparmor.d/lxc/lxc-custom"))
				if err != nil || string(got) != raw {
					return fmt.Errorf("raw profile: %w\n%s", err, got)
				}
				return nil
			}},
			{ResourceName: "hardened_apparmor_profile.c", ImportState: true, ImportStateId: "lxc-custom", ImportStateVerify: true},
			{Config: hcl("lxc-custom", strings.Replace(raw, "deny network raw,", "/usr/bin/** ux,", 1)), ExpectError: regexp.MustCompile(`unconfined execution`)},
			{Config: hcl("lxc-custom", strings.Replace(raw, "lxc-custom", "lxc-other", 1)), ExpectError: regexp.MustCompile(`defines "lxc-other", not "lxc-custom"`)},
			{Config: hcl("lxc-hardened-abc", raw), ExpectError: regexp.MustCompile(`Reserved AppArmor profile name`)},
			{Config: hcl("webserver", raw), ExpectError: regexp.MustCompile(`must be lxc- followed by`)},
			// the node's apparmor_parser refuses a broken profile at apply
			{Config: hcl("lxc-custom", strings.Replace(raw, "deny network raw,", "deny network rawz,", 1)), ExpectError: regexp.MustCompile(`(?s)loading AppArmor profile.*Invalid network entry`),
				Check: func(*terraform.State) error { return nil }},
			// nothing of the refused text reached the node
			{Config: hcl("lxc-custom", raw), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}
