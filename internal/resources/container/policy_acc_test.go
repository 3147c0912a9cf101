package container_test

import (
	"fmt"
	"regexp"
	"strconv"
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

// withBaseline is webConfig with a baseline block in the provider.
func withBaseline(env *acctest.Env, baseline, extra string) string {
	return strings.Replace(webConfig(env, "local", extra), env.ProviderConfig("local"),
		env.ProviderConfigWith(acctest.ProviderOptions{Mode: "local", Extra: baseline}), 1)
}

// findingAttr is the state path of a rule's status ("status") or of what
// was observed ("detail", failing and excepted rules only) in compliance.
func findingAttr(rule, attr string) string {
	for _, r := range policy.Catalogue() {
		if r.ID != rule {
			continue
		}
		if attr == "detail" {
			return "compliance.details." + rule
		}
		return "compliance.rules." + rule
	}
	panic("no rule " + rule)
}

// TestAccContainerPolicyPlanErrors: a configuration that violates the
// baseline fails the plan with the rule ID and how to comply; nothing is
// created.
func TestAccContainerPolicyPlanErrors(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	strict := `  baseline = {
    required_tags = ["team-*"]
    no_exceptions = ["HC-PRIV-001", "HC-AA-001", "HC-FW-003"]
  }`
	cases := []struct{ config, want string }{
		// the default baseline (seed 000's checklist)
		{webConfig(env, "local", `  features = { fuse = true }`), `(?s)HC-FEAT-001: Only allowed container features.*fuse.*rule = "HC-FEAT-001"`},
		{strings.Replace(webConfig(env, "local", ""), "memory     = 1024", "memory     = 16384", 1), `(?s)HC-CG-001.*16384 MiB`},
		{strings.Replace(webConfig(env, "local", ""), "firewall = {\n", "firewall = {\n    policy_in = \"ACCEPT\"\n", 1), `HC-FW-002`},
		{webConfig(env, "local", `  console_mode = "shell"`), `HC-CON-001`},
		{webConfig(env, "local", `  description = "db password=hunter22"`), `(?s)HC-SEC-002`},
		// the provider's baseline
		{withBaseline(env, strict, ""), `(?s)HC-TAG-001.*team-\*`},
		{strings.NewReplacer(`"owner-web"`, `"team-web"`, "firewall = {\n", "firewall = {\n    policy_out = \"ACCEPT\"\n").Replace(
			withBaseline(env, strict, `  exceptions = [{ rule = "HC-FW-003", reason = "needs the internet" }]`)),
			`(?s)HC-FW-003.*(cannot be excepted|allows no exception)`},
		{webConfig(env, "local", `  exceptions = [{ rule = "HC-FEAT-01", reason = "typo" }]`), `(?s)HC-FEAT-001`},
		{webConfig(env, "local", `  exceptions = [{ rule = "HC-FEAT-001", reason = "  " }]`), `(?s)reason`},
		{withBaseline(env, `  baseline = { allowed_apparmor_profiles = ["unconfined"] }`, ""), `(?s)unconfined`},
		{withBaseline(env, `  baseline = { allowed_features = ["nesting", "docker"] }`, ""), `(?s)docker`},
	}
	for _, c := range cases {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps:                    []resource.TestStep{{Config: c.config, PlanOnly: true, ExpectError: regexp.MustCompile(c.want)}},
		})
	}
	if n := env.CTCount(t); n != 0 {
		t.Fatalf("%d containers exist after policy errors", n)
	}
}

// TestAccContainerPolicyExceptionsAndCompliance: an exception lets a
// deviating container through and is reported; compliance is known in the
// plan of a new container, and a weakening by hand shows as a failing rule
// on refresh.
func TestAccContainerPolicyExceptionsAndCompliance(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	rules := len(policy.Catalogue())
	cfg := withBaseline(env, `  baseline = {
    required_tags = ["owner-*"]
    max_cores     = 1
  }`, `  exceptions = [{ rule = "HC-CG-003", reason = "compiles for the whole team" }]`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(res, tfjsonpath.New("compliance").AtMapKey("summary"),
						knownvalue.StringExact(fmt.Sprintf("%d pass, 0 fail, 1 excepted (HC-CG-003)", rules-1))),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("exceptions").AtSliceIndex(0).AtMapKey("reason"), knownvalue.StringExact("compiles for the whole team")),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "compliance.excepted", "1"),
					resource.TestCheckResourceAttr(res, "compliance.fail", "0"),
					resource.TestCheckResourceAttr(res, findingAttr("HC-CG-003", "status"), "excepted"),
					resource.TestCheckTypeSetElemAttr(res, "compliance.excepted_rules.*", "HC-CG-003"),
					resource.TestCheckResourceAttrSet(res, findingAttr("HC-CG-003", "detail")),
					resource.TestCheckResourceAttr(res, findingAttr("HC-TAG-001", "status"), "pass"),
					resource.TestCheckNoResourceAttr(res, findingAttr("HC-TAG-001", "detail")),
					resource.TestCheckResourceAttr(res, "compliance.rules.%", strconv.Itoa(rules)),
				),
			},
			{
				// made weaker by hand: the NIC's firewall off, outbound opened
				PreConfig: func() {
					edit(t, confFile(env), replaceLine(`firewall=1`, "firewall=0"))
					edit(t, fwFile(env), replaceLine(`^policy_out: DROP$`, "policy_out: ACCEPT"))
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, "compliance.summary", fmt.Sprintf("%d pass, 2 fail (HC-FW-001, HC-FW-003), 1 excepted (HC-CG-003)", rules-3)),
					resource.TestCheckResourceAttr(res, findingAttr("HC-FW-001", "status"), "fail"),
					resource.TestMatchResourceAttr(res, findingAttr("HC-FW-001", "detail"), regexp.MustCompile(`^network\[0\]\.firewall = false`)),
				),
			},
			{
				Config: cfg,
				Check:  resource.TestCheckResourceAttr(res, "compliance.fail", "0"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// a secret put into the runtime environment by hand: the
				// refresh shows it failing HC-SEC-001 (the finding names the
				// entry, never its value), the plan shows the environment
				// being emptied and predicts the rule passing again
				PreConfig: func() {
					if err := env.Call(t, "PUT", "/nodes/pve1/lxc/150/config", "env", "DB_PASSWORD=hunter2\x00LANG=C"); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(res, findingAttr("HC-SEC-001", "status"), "fail"),
					resource.TestMatchResourceAttr(res, findingAttr("HC-SEC-001", "detail"), regexp.MustCompile(`DB_PASSWORD`)),
					resource.TestCheckResourceAttr(res, "environment.LANG", "C"),
					func(st *terraform.State) error {
						for k, v := range st.RootModule().Resources[res].Primary.Attributes {
							if strings.HasPrefix(k, "compliance.") && strings.Contains(v, "hunter2") {
								return fmt.Errorf("the secret's value is in %s", k)
							}
						}
						return nil
					},
				),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(res, tfjsonpath.New("environment"), knownvalue.Null()),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("compliance").AtMapKey("summary"),
						knownvalue.StringExact(fmt.Sprintf("%d pass, 0 fail, 1 excepted (HC-CG-003)", rules-1))),
				}},
				Check: resource.TestCheckNoResourceAttr(res, "environment.%"),
			},
			{
				// and a secret in the configuration fails the plan on the rule
				Config:      strings.Replace(cfg, "memory     = 1024", "memory     = 1024\n  environment = { LANG = \"C\", API_TOKEN = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\" }", 1),
				ExpectError: regexp.MustCompile(`HC-SEC-001`),
			},
		},
	})
}
