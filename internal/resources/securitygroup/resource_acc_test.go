package securitygroup_test

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
)

const res = "hardened_security_group.web"

func groupConfig(env *acctest.Env, rules string) string {
	return env.ProviderConfig("local") + `
resource "hardened_security_group" "web" {
  name    = "webservers"
  comment = "web tier"
  rules   = ` + rules + `
}
`
}

const rules = `[
    { type = "in", action = "ACCEPT", macro = "HTTPS", comment = "TLS only" },
    { type = "in", action = "ACCEPT", proto = "tcp", dport = "80", source = "+dc/lb" },
    { type = "out", action = "ACCEPT", macro = "DNS", dest = "dc/resolver" },
    { type = "in", action = "DROP", proto = "tcp", dport = "8080", enabled = false },
  ]`

const wantSection = "[group webservers] # web tier\n\n" +
	"IN HTTPS(ACCEPT) # TLS only\n" +
	"IN ACCEPT -source +dc/lb -p tcp -dport 80\n" +
	"OUT DNS(ACCEPT) -dest dc/resolver\n" +
	"|IN DROP -p tcp -dport 8080\n\n"

// otherSections is cluster.fw content of others (options, a cluster ipset
// and alias, another group) that the provider must leave alone.
const otherSections = "[OPTIONS]\n\nenable: 1\n\n[ALIASES]\n\nresolver 10.0.0.53\n\n[IPSET lb]\n\n10.0.5.0/24\n\n[group admins]\n\nIN SSH(ACCEPT)\n\n"

func clusterFW(env *acctest.Env) string {
	return filepath.Join(env.DataDir, "etc/pve/firewall/cluster.fw")
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func editFile(t *testing.T, p, re, with string) {
	t.Helper()
	s := regexp.MustCompile(`(?m)`+re).ReplaceAllString(readFile(t, p), with)
	if err := os.WriteFile(p, []byte(s), 0o640); err != nil {
		t.Fatal(err)
	}
}

func checkClusterFW(t *testing.T, env *acctest.Env, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := readFile(t, clusterFW(env)); got != want {
			return fmt.Errorf("cluster.fw:\n%s\nwant:\n%s", got, want)
		}
		return nil
	}
}

// TestAccSecurityGroupLifecycle: create beside other cluster.fw content,
// PVE lists exactly these rules, empty re-plan, hand edits detected and
// repaired, import, destroy leaves the rest of cluster.fw untouched.
func TestAccSecurityGroupLifecycle(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	if err := os.WriteFile(clusterFW(env), []byte(otherSections), 0o640); err != nil {
		t.Fatal(err)
	}
	cfg := groupConfig(env, rules)
	repaired := func(do func()) resource.TestStep {
		return resource.TestStep{PreConfig: do, Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: checkClusterFW(t, env, otherSections+wantSection)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkClusterFW(t, env, otherSections),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(checkClusterFW(t, env, otherSections+wantSection), func(*terraform.State) error {
					var got []map[string]any
					if err := env.CallJSON(t, "GET", "/cluster/firewall/groups/webservers", &got); err != nil {
						return err
					}
					if len(got) != 4 || got[0]["macro"] != "HTTPS" || got[1]["source"] != "+dc/lb" || got[3]["enable"] != 0.0 || got[2]["pos"] != 2.0 {
						return fmt.Errorf("PVE lists the group's rules as %v", got)
					}
					for _, r := range got {
						if r["errors"] != nil {
							return fmt.Errorf("PVE reports errors for %v", r)
						}
					}
					return nil
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact("webservers")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("rules").AtSliceIndex(3).AtMapKey("enabled"), knownvalue.Bool(false)),
				},
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			repaired(func() {
				editFile(t, clusterFW(env), `^IN HTTPS\(ACCEPT\) # TLS only\n`, "IN ACCEPT -p tcp -dport 22\nIN HTTPS(ACCEPT) # TLS only\n")
			}),
			repaired(func() { editFile(t, clusterFW(env), `^\|IN DROP`, "IN DROP") }),
			repaired(func() { // a rule PVE rejects (and ignores): still drift, not a refresh error
				editFile(t, clusterFW(env), `^(IN HTTPS\(ACCEPT\) # TLS only\n)`, "${1}IN ACCEPT -source +nosuch -p tcp -dport 25\n")
			}),
			repaired(func() { editFile(t, clusterFW(env), `^(OUT DNS.*\n)(\|IN DROP.*\n)`, "$2$1") }),
			{ // the section deleted by hand: the group is gone, apply creates it again
				PreConfig: func() { editFile(t, clusterFW(env), `^\[group webservers\] # web tier\n\n(?:.*\n)+?\n`, "") },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkClusterFW(t, env, otherSections+wantSection),
			},
			{ResourceName: res, ImportState: true, ImportStateId: "webservers", ImportStateVerify: true},
			{ // reorder and change by config
				Config: groupConfig(env, `[
    { type = "in", action = "ACCEPT", proto = "tcp", dport = "80", source = "+dc/lb" },
    { type = "in", action = "ACCEPT", macro = "HTTPS", comment = "TLS only" },
  ]`),
				Check: checkClusterFW(t, env, otherSections+"[group webservers] # web tier\n\nIN ACCEPT -source +dc/lb -p tcp -dport 80\nIN HTTPS(ACCEPT) # TLS only\n\n"),
			},
		},
	})
}

// TestAccSecurityGroupInUse: a group referenced by a container cannot be
// deleted; plan-time errors for invalid group rules.
func TestAccSecurityGroupInUse(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	if err := os.WriteFile(clusterFW(env), []byte(otherSections), 0o640); err != nil {
		t.Fatal(err)
	}
	ct := `
resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 160
  hostname   = "web"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network    = [{ name = "eth0", bridge = "vmbr0" }]
  firewall   = { rules = [{ type = "group", action = "webservers", iface = "net0" }] }
}
`
	withCT := groupConfig(env, rules) + ct
	// the same, with the reference Terraform orders destroys by
	dependent := strings.Replace(withCT, `action = "webservers"`, `action = hardened_security_group.web.name`, 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: withCT},
			{ // the container names the group as a literal: Terraform sees no dependency and may delete the group first
				Config:      env.ProviderConfig("local") + ct,
				ExpectError: regexp.MustCompile(`(?s)security group "webservers" is still referenced by the firewall of\s+pve1/160`),
			},
			{Config: strings.Replace(dependent, rules, `[{ type = "in", action = "ACCEPT", iface = "net0" }]`, 1), PlanOnly: true,
				ExpectError: regexp.MustCompile(`No interface in a security group`)},
			{Config: strings.Replace(dependent, rules, `[{ type = "forward", action = "REJECT" }]`, 1), PlanOnly: true,
				ExpectError: regexp.MustCompile(`REJECT is not possible on the forward chain`)},
			{Config: dependent, Check: checkClusterFW(t, env, otherSections+wantSection),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
		CheckDestroy: checkClusterFW(t, env, otherSections),
	})
}

// TestAccSecurityGroupOnly: a cluster.fw that held only the group is removed
// with it, as PVE's writer does for an empty config.
func TestAccSecurityGroupOnly(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithDatacenterFirewallOff())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{{Config: groupConfig(env, `[{ type = "in", action = "ACCEPT", macro = "HTTPS" }]`)}},
		CheckDestroy: func(*terraform.State) error {
			if _, err := os.Stat(clusterFW(env)); !os.IsNotExist(err) {
				return fmt.Errorf("cluster.fw left behind: %w", err)
			}
			return nil
		},
	})
}
