package container_test

import (
	"fmt"
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
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

// TestAccContainerDatacenterFirewall: with the datacenter firewall off
// (PVE's default) a container fails HC-FW-004 (in its compliance, known in
// the plan, and in hardened_audit) without failing the plan; a
// hardened_cluster_firewall turns it on and the next refresh passes; the
// firewall turned off by hand shows in the plan, apply repairs it, then
// the plan is empty.
func TestAccContainerDatacenterFirewall(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithDatacenterFirewallOff())
	n := len(policy.Catalogue())
	off := fmt.Sprintf("%d pass, 1 fail (HC-FW-004), 0 excepted", n-1)
	on := fmt.Sprintf("%d pass, 0 fail, 0 excepted", n)
	audit := `
data "hardened_audit" "all" {
  depends_on = [hardened_container.web]
}
`
	ctOnly := webConfig(env, "local", "") + audit
	withDC := ctOnly + "\nresource \"hardened_cluster_firewall\" \"dc\" {}\n"
	const dc = "hardened_cluster_firewall.dc"
	const aud = "data.hardened_audit.all"
	fw := filepath.Join(env.DataDir, "etc/pve/firewall/cluster.fw")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: ctOnly,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(res, tfjsonpath.New("compliance").AtMapKey("summary"), knownvalue.StringExact(off))}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "compliance.summary", off),
					resource.TestCheckResourceAttr(res, findingAttr("HC-FW-004", "status"), "fail"),
					resource.TestCheckResourceAttrWith(res, findingAttr("HC-FW-004", "detail"), contains("datacenter firewall is disabled")),
					resource.TestCheckResourceAttr(aud, "failing_by_rule.HC-FW-004.#", "1"),
					resource.TestCheckResourceAttr(aud, "failing_by_rule.HC-FW-004.0", "pve1/150"),
				),
			},
			{ // an exception is honoured like for every rule
				Config: strings.Replace(ctOnly, "  pids_max   = 300\n", "  pids_max   = 300\n  exceptions = [{ rule = \"HC-FW-004\", reason = \"lab cluster, firewall at the edge\" }]\n", 1),
				Check: resource.TestCheckResourceAttr(res, "compliance.summary",
					fmt.Sprintf("%d pass, 0 fail, 1 excepted (HC-FW-004)", n-1)),
			},
			{Config: withDC}, // enables it; the container's state keeps this run's observation
			{
				Config:           withDC,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "compliance.summary", on),
					resource.TestCheckResourceAttr(res, findingAttr("HC-FW-004", "status"), "pass"),
					resource.TestCheckNoResourceAttr(aud, "failing_by_rule.HC-FW-004.#"),
					resource.TestCheckResourceAttr(dc, "enable", "true"),
				),
			},
			{ // turned off by hand: the plan shows it, apply repairs it, then the plan is empty
				PreConfig: func() {
					b, err := os.ReadFile(fw)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(fw, []byte(strings.Replace(string(b), "enable: 1\n", "enable: 0\n", 1)), 0o640); err != nil {
						t.Fatal(err)
					}
				},
				Config: withDC,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(dc, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(dc, tfjsonpath.New("enable"), knownvalue.Bool(true)),
						// the container's compliance as observed by this plan
						plancheck.ExpectKnownValue(res, tfjsonpath.New("compliance").AtMapKey("summary"), knownvalue.StringExact(off)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					b, err := os.ReadFile(fw)
					if err != nil || !strings.Contains(string(b), "enable: 1\n") {
						return fmt.Errorf("cluster.fw not repaired: %q %w", b, err)
					}
					return nil
				},
			},
			{
				Config:           withDC,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.TestCheckResourceAttr(res, "compliance.summary", on),
			},
		},
	})
}

func contains(s string) func(string) error {
	return func(v string) error {
		if !strings.Contains(v, s) {
			return fmt.Errorf("%q does not contain %q", v, s)
		}
		return nil
	}
}
