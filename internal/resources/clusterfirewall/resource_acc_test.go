package clusterfirewall_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

const res = "hardened_cluster_firewall.dc"

// others is cluster.fw content other resources own (aliases, an ipset,
// cluster rules, a security group, a comment): kept byte for byte.
const others = "[ALIASES]\n\nresolver 10.0.0.53 # dns\n\n[IPSET lb]\n\n10.0.5.0/24\n\n[RULES]\n\nIN SSH(ACCEPT) -source 10.0.10.0/24\n\n" +
	"# platform team, ticket OPS-7\n[group admins] # ops\n\nIN SSH(ACCEPT)\n\n"

// wantDefaults is the [OPTIONS] section the defaults write.
const wantDefaults = "[OPTIONS]\n\nebtables: 1\nenable: 1\nlog_ratelimit: enable=1,burst=5,rate=1/second\npolicy_forward: ACCEPT\npolicy_in: DROP\npolicy_out: ACCEPT\n\n"

func clusterFW(env *acctest.Env) string {
	return filepath.Join(env.DataDir, "etc/pve/firewall/cluster.fw")
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o640); err != nil {
		t.Fatal(err)
	}
}

func edit(t *testing.T, p, re, with string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	write(t, p, regexp.MustCompile(`(?m)`+re).ReplaceAllString(string(b), with))
}

func fileIs(env *acctest.Env, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		b, err := os.ReadFile(clusterFW(env))
		if err != nil {
			return err
		}
		if string(b) != want {
			return fmt.Errorf("cluster.fw:\n%s\nwant:\n%s", b, want)
		}
		return nil
	}
}

// apiShows checks GET /cluster/firewall/options.
func apiShows(t *testing.T, env *acctest.Env, want map[string]any) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var got map[string]any
		if err := env.CallJSON(t, "GET", "/cluster/firewall/options", &got); err != nil {
			return err
		}
		delete(got, "digest")
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("PVE reports the options %v, want %v", got, want)
		}
		return nil
	}
}

func config(env *acctest.Env, body string) string {
	return env.ProviderConfig("local") + "\nresource \"hardened_cluster_firewall\" \"dc\" {\n" + body + "}\n"
}

// TestAccClusterFirewallLifecycle: the defaults enable the datacenter
// firewall beside other cluster.fw content (kept byte for byte); the
// firewall turned off by hand (and the section removed) shows in the plan
// and apply repairs it; import; settings; destroy leaves it enabled.
func TestAccClusterFirewallLifecycle(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithDatacenterFirewallOff())
	// PVE's defaults plus a line PVE skips: the resource owns the section
	write(t, clusterFW(env), "[OPTIONS]\n\nenable: 0\nnftables: 1\n\n"+others)
	cfg := config(env, "")
	repaired := func(what string, do func()) resource.TestStep {
		return resource.TestStep{PreConfig: do, Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("enable"), knownvalue.Bool(true))},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(fileIs(env, wantDefaults+others)),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// deleting the resource leaves the datacenter firewall on
		CheckDestroy: fileIs(env, "[OPTIONS]\n\nebtables: 1\nenable: 1\nlog_ratelimit: enable=1,burst=5,rate=1/second\npolicy_forward: ACCEPT\npolicy_in: DROP\npolicy_out: ACCEPT\n\n"+others),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(fileIs(env, wantDefaults+others),
					apiShows(t, env, map[string]any{"enable": 1.0, "ebtables": 1.0, "policy_in": "DROP", "policy_out": "ACCEPT",
						"policy_forward": "ACCEPT", "log_ratelimit": "enable=1,burst=5,rate=1/second"}),
					func(*terraform.State) error { // the other sections as PVE reads them
						var groups []map[string]any
						if err := env.CallJSON(t, "GET", "/cluster/firewall/groups", &groups); err != nil {
							return err
						}
						if len(groups) != 1 || groups[0]["group"] != "admins" || groups[0]["comment"] != "ops" {
							return fmt.Errorf("groups %v", groups)
						}
						return nil
					}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact("cluster")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("enable"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("policy_in"), knownvalue.StringExact("DROP")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("log_ratelimit"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"enable": knownvalue.Bool(true), "rate": knownvalue.StringExact("1/second"), "burst": knownvalue.Int64Exact(5)})),
				},
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			// the datacenter firewall turned off by hand
			repaired("off", func() { edit(t, clusterFW(env), `^enable: 1$`, "enable: 0") }),
			// PVE's anti-lockout timestamp older than 60 s reads as off
			repaired("stale timestamp", func() { edit(t, clusterFW(env), `^enable: 1$`, "enable: 1000000000") }),
			// the section removed: PVE's defaults, the firewall off
			repaired("removed", func() { edit(t, clusterFW(env), `^\[OPTIONS\]\n\n(?:.+\n)+\n`, "") }),
			repaired("policy", func() { edit(t, clusterFW(env), `^policy_in: DROP$`, "policy_in: ACCEPT") }),
			{ResourceName: res, ImportState: true, ImportStateId: "cluster", ImportStateVerify: true},
			{Config: cfg, ResourceName: res, ImportState: true, ImportStateId: "dc", ExpectError: regexp.MustCompile(`import it with the ID "cluster"`)},
			// refused at plan time, as PVE's API would refuse them
			{Config: config(env, "  policy_forward = \"REJECT\"\n"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)policy_forward.*ACCEPT.*DROP`)},
			{Config: config(env, "  policy_in = \"drop\"\n"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)policy_in`)},
			{Config: config(env, "  log_ratelimit = { rate = \"0/second\" }\n"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)rate format`)},
			{Config: config(env, "  log_ratelimit = { rate = \"1/week\" }\n"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)rate format`)},
			{Config: config(env, "  log_ratelimit = { burst = -1 }\n"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)burst`)},
			{ // every setting
				Config: config(env, `  policy_in      = "REJECT"
  policy_out     = "DROP"
  policy_forward = "DROP"
  ebtables       = false
  log_ratelimit  = { rate = "10/minute", burst = 20 }
`),
				Check: resource.ComposeTestCheckFunc(
					fileIs(env, "[OPTIONS]\n\nebtables: 0\nenable: 1\nlog_ratelimit: enable=1,burst=20,rate=10/minute\npolicy_forward: DROP\npolicy_in: REJECT\npolicy_out: DROP\n\n"+others),
					apiShows(t, env, map[string]any{"enable": 1.0, "ebtables": 0.0, "policy_in": "REJECT", "policy_out": "DROP",
						"policy_forward": "DROP", "log_ratelimit": "enable=1,burst=20,rate=10/minute"})),
			},
			{Config: cfg, Check: fileIs(env, wantDefaults+others)},
		},
	})
}

// TestAccClusterFirewallWithSecurityGroup: the datacenter firewall and a
// security group in one configuration share cluster.fw; destroying both
// removes the group and leaves the options in force.
func TestAccClusterFirewallWithSecurityGroup(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t, acctest.WithDatacenterFirewallOff())
	cfg := config(env, "  policy_in = \"REJECT\"\n") + `
resource "hardened_security_group" "web" {
  name  = "webservers"
  rules = [{ type = "in", action = "ACCEPT", macro = "HTTPS" }]
}
`
	opts := "[OPTIONS]\n\nebtables: 1\nenable: 1\nlog_ratelimit: enable=1,burst=5,rate=1/second\npolicy_forward: ACCEPT\npolicy_in: REJECT\npolicy_out: ACCEPT\n\n"
	group := "[group webservers]\n\nIN HTTPS(ACCEPT)\n\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             fileIs(env, opts),
		Steps: []resource.TestStep{
			{Config: cfg, Check: fileIs(env, opts+group)},
			{ // the group edited by hand: only the group is repaired, the options are untouched
				PreConfig: func() { edit(t, clusterFW(env), `^IN HTTPS\(ACCEPT\)$`, "IN ACCEPT") },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hardened_security_group.web", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionNoop)}},
				Check: fileIs(env, opts+group),
			},
		},
	})
}
