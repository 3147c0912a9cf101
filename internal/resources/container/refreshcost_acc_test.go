package container_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hardened-pve/terraform-provider-hardened/internal/acctest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// TestAccRefreshCost prints what one refresh costs per container: API
// calls (the simulator's request counts) and node-channel operations
// (providerdata.NodeOps), for a fleet of running containers (make
// refresh-cost). It checks that no API path is called more than once per
// container and that the node-channel operations stay a small fixed number
// per container (the confinement files, the restart record, the running
// init's /proc view).
func TestAccRefreshCost(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.StartSim(t)
	const n = 6
	cfg := env.ProviderConfig("local") + fmt.Sprintf(`
resource "hardened_container" "ct" {
  count      = %d
  node       = "pve1"
  vmid       = 200 + count.index
  hostname   = "cost${count.index}"
  ostemplate = "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"
  network = [{ name = "eth0", bridge = "vmbr0", ipv4 = "10.0.30.${count.index + 10}/24", ipv4_gateway = "10.0.30.1" }]
}
`, n)
	var ops0 int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					env.Sim.Stats().Reset()
					ops0 = providerdata.NodeOps()
				},
				RefreshState: true,
				Check: func(*terraform.State) error {
					ops := providerdata.NodeOps() - ops0
					stats := env.Sim.Stats().Snapshot()
					total := 0
					var lines []string
					for k, v := range stats {
						if strings.HasPrefix(k, "FAULT") {
							continue
						}
						total += v
						lines = append(lines, fmt.Sprintf("  %4d  %s", v, k))
					}
					sort.Strings(lines)
					for k, v := range stats {
						if v > n {
							t.Errorf("%s: %d calls for %d containers", k, v, n)
						}
					}
					if ops > 8*n {
						t.Errorf("%d node-channel operations for %d containers", ops, n)
					}
					t.Logf("refresh of %d running containers: %d API calls (%.1f per container), %d node-channel operations (%.1f per container)\n%s",
						n, total, float64(total)/n, ops, float64(ops)/n, strings.Join(lines, "\n"))
					return nil
				},
			},
		},
	})
}
