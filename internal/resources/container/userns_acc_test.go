package container_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// TestAccContainerUserNamespaces: seccomp.allow_user_namespaces defaults to
// false (the policy denies unshare/clone with CLONE_NEWUSER and clone3);
// true fails the plan on HC-SC-002 unless excepted, then writes a policy
// without those rules, which an import recovers; back to the default puts
// them back. (The kernel's side is proven in internal/conformance.)
func TestAccContainerUserNamespaces(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	res := "hardened_container.web"
	denied := seccomp.Policy{}
	allowed := seccomp.Policy{UserNamespaces: true}
	allowCfg := `  seccomp = { allow_user_namespaces = true }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{Config: webConfig(env, "local", allowCfg), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)HC-SC-002: Nested user namespaces are denied.*seccomp.allow_user_namespaces\s+=\s+true`)},
			{
				Config: webConfig(env, "local", allowCfg+`
  exceptions = [{ rule = "HC-SC-002", reason = "sandboxed browser tests need user namespaces" }]`),
				Check: checkSeccomp(env, allowed, denied),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("seccomp").AtMapKey("allow_user_namespaces"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("lxc_lines").AtSliceIndex(3), knownvalue.StringExact("lxc.seccomp.profile: "+allowed.Path())),
				},
			},
			{ResourceName: res, ImportState: true, ImportStateId: "pve1/150", ImportStateVerify: true,
				// exceptions live in the configuration only
				ImportStateVerifyIgnore: append([]string{"exceptions", "compliance"}, importIgnore...)},
			{
				Config: webConfig(env, "local", ""),
				Check:  checkSeccomp(env, denied, allowed),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("seccomp").AtMapKey("allow_user_namespaces"), knownvalue.Bool(false)),
				},
			},
		},
	})
}
