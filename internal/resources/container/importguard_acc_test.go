package container_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
)

// TestAccContainerImportPrivileged: importing a privileged container (made
// outside Terraform) does not plan a silent replacement: the plan fails
// with the reason and the migration path (backup, restore unprivileged,
// import) and the container stays; allow_replace_after_import = true
// states the replacement, which then happens.
func TestAccContainerImportPrivileged(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	if err := env.Call(t, "POST", "/nodes/pve1/lxc", "vmid", "150", "hostname", "web", "unprivileged", "0",
		"ostemplate", "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst", "rootfs", "local-lvm:8",
		"net0", "name=eth0,bridge=vmbr0,tag=20,firewall=1,ip=10.0.20.15/24,gw=10.0.20.1"); err != nil {
		t.Fatal(err)
	}
	privileged := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			conf := read(t, confFile(env))
			if got := !strings.Contains(conf, "\nunprivileged: 1\n"); got != want {
				return fmt.Errorf("CT 150 privileged = %v, want %v:\n%s", got, want, conf)
			}
			return nil
		}
	}
	cfg := webConfig(env, "local", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ResourceName: res, ImportState: true, ImportStateId: "pve1/150", ImportStatePersist: true},
			{
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)This plan would replace an imported container.*unprivileged.*vzdump.*pct restore.*--unprivileged 1.*allow_replace_after_import = true`),
			},
			{
				// the refused plan changed nothing: the container is still there, as it was
				PreConfig: func() {
					if err := privileged(true)(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config: webConfig(env, "local", "  allow_replace_after_import = true\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: privileged(false),
			},
		},
	})
}
