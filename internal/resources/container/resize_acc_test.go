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

// TestAccContainerRootFSGrow: a larger rootfs.size resizes the running
// container's root volume in place through PVE's resize task (same volume,
// an update, no restart), a smaller one fails the plan with the reason.
func TestAccContainerRootFSGrow(t *testing.T) {
	acctest.PreCheck(t)
	t.Parallel()
	env := acctest.StartSim(t)
	cfg := func(size int) string {
		return webConfig(env, "local", fmt.Sprintf("  rootfs = { storage = \"local-lvm\", size = %d }\n", size))
	}
	rootfsLine := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if conf := read(t, confFile(env)); !strings.Contains(conf, "\n"+want+"\n") {
				return fmt.Errorf("pct.conf lacks %q:\n%s", want, conf)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(env),
		Steps: []resource.TestStep{
			{Config: cfg(8), Check: rootfsLine("rootfs: local-lvm:vm-150-disk-0,mountoptions=nodev;nosuid,size=8G")},
			{
				Config: cfg(12),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					rootfsLine("rootfs: local-lvm:vm-150-disk-0,mountoptions=nodev;nosuid,size=12G"),
					resource.TestCheckResourceAttr(res, "rootfs.size", "12"),
					resource.TestCheckResourceAttr(res, "rootfs.volume", "local-lvm:vm-150-disk-0"),
					func(*terraform.State) error {
						if n := env.Sim.Stats().Snapshot()["PUT /nodes/{node}/lxc/{vmid}/resize"]; n != 1 {
							return fmt.Errorf("resize calls: %d, want 1", n)
						}
						if n := env.Sim.Stats().Snapshot()["POST /nodes/{node}/lxc/{vmid}/status/reboot"]; n != 0 {
							return fmt.Errorf("a resize must not restart the container (%d reboots)", n)
						}
						return nil
					},
				),
			},
			{
				Config:      cfg(10),
				ExpectError: regexp.MustCompile(`(?s)Cannot shrink the root volume.*unable to shrink disk size`),
			},
		},
	})
}
