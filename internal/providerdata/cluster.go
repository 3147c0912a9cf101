package providerdata

import (
	"context"
	"fmt"
	"sync"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// clusterSnapshot is GET /cluster/resources as observed once per provider
// run.
type clusterSnapshot struct {
	mu   sync.Mutex
	done bool
	cts  map[string]pve.CTResource // "node/vmid"
}

// ClusterContainer is the container node/vmid as the run's snapshot of the
// cluster's resources lists it (status, name, tags): one GET
// /cluster/resources by the first caller of the run, shared by every
// container's refresh, so a refresh costs no per-container status call.
// ok is false when the snapshot does not list it (created, migrated or
// deleted since, or never there): the caller then asks the container
// itself. A failed read is retried by the next caller.
//
// Only a refresh (Read) may use it: Create and Update change a container's
// status after the snapshot and read it directly.
func (c *Clients) ClusterContainer(ctx context.Context, node string, vmid int) (pve.CTResource, bool, error) {
	c.cluster.mu.Lock()
	defer c.cluster.mu.Unlock()
	if !c.cluster.done {
		cts, err := c.API.ClusterContainers(ctx)
		if err != nil {
			return pve.CTResource{}, false, fmt.Errorf("listing the cluster's containers: %w", err)
		}
		c.cluster.cts = make(map[string]pve.CTResource, len(cts))
		for _, ct := range cts {
			c.cluster.cts[fmt.Sprintf("%s/%d", ct.Node, ct.VMID)] = ct
		}
		c.cluster.done = true
	}
	ct, ok := c.cluster.cts[fmt.Sprintf("%s/%d", node, vmid)]
	return ct, ok, nil
}
