package guesttest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

const agent = "/var/ossec/bin/wazuh-agentd"

// the rule's status and observation in the container's compact compliance
// (the observation is kept for failing and excepted rules only)
const monStatus, monDetail = "compliance.rules.HC-MON-001", "compliance.details.HC-MON-001"

// TestAccMonitoringAgentRule: with required_guest_files in the baseline, a
// container without the agent's binary fails HC-MON-001 (a plan warning;
// in compliance and hardened_audit); once the agent is installed inside
// it, the next refresh passes; stopped, it cannot be checked and fails.
func TestAccMonitoringAgentRule(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	n := len(policy.Catalogue())
	prov := env.ProviderConfigWith(acctest.ProviderOptions{Mode: "local", Extra: `  baseline = { required_guest_files = ["` + agent + `"] }`})
	cfg := func(started bool) string {
		return prov + fmt.Sprintf(`
resource "hardened_container" "web" {
  node       = "pve1"
  vmid       = 180
  hostname   = "web"
  ostemplate = "local:vztmpl/%s"
  network    = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.50.5/24" }]
  started    = %v
}

data "hardened_audit" "all" {
  depends_on = [hardened_container.web]
}
`, debian, started)
	}
	fail := fmt.Sprintf("%d pass, 1 fail (HC-MON-001), 0 excepted", n-1)
	const aud = "data.hardened_audit.all"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(res, tfjsonpath.New("compliance"))}}, // a new container: checked inside it after apply
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "compliance.summary", fail),
					resource.TestCheckResourceAttr(res, monStatus, "fail"),
					resource.TestCheckResourceAttr(res, monDetail, "missing inside the container: "+agent),
					resource.TestCheckResourceAttr(aud, "failing_by_rule.HC-MON-001.0", "pve1/180"),
				),
			},
			{ // the agent installed inside the container: the refresh sees it
				PreConfig: func() {
					p := guestFile(env, agent)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte("agent"), 0o755); err != nil { //nolint:gosec // an executable inside a simulated container
						t.Fatal(err)
					}
				},
				Config: cfg(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("compliance").AtMapKey("fail"), knownvalue.Int64Exact(0))}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, monStatus, "pass"),
					resource.TestCheckNoResourceAttr(res, monDetail),
					resource.TestCheckNoResourceAttr(aud, "failing_by_rule.HC-MON-001.#"),
				),
			},
			{ // stopped: not observable, fails
				Config: cfg(false),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "compliance.summary", fail),
					resource.TestCheckResourceAttrWith(res, monDetail, func(v string) error {
						if v != "not observed inside the container: the container is not running (pct exec needs a running container)" {
							return fmt.Errorf("detail %q", v)
						}
						return nil
					}),
				),
			},
		},
	})
}
