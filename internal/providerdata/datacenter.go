package providerdata

import (
	"context"
	"fmt"
	"sync"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// datacenterSnapshot is the datacenter firewall as observed once per
// provider run.
type datacenterSnapshot struct {
	mu    sync.Mutex
	done  bool
	state hardening.DatacenterFirewall
}

// DatacenterFirewall is the datacenter firewall's state (cluster.fw
// [OPTIONS] enable) for every container's compliance in this provider run
// (one plan or one apply): one GET /cluster/firewall/options by the first
// caller, shared by all (concurrency-safe; a failed read is retried by the
// next caller).
//
// It is a snapshot of the run's start, on purpose not updated when
// hardened_cluster_firewall changes the options later in the same apply
// (that resource takes the snapshot before it writes): Terraform re-plans
// every container during apply and requires the re-plan and the applied
// state to match the saved plan, so a container's compliance must not see
// a value the plan did not. The next run observes the new value.
func (c *Clients) DatacenterFirewall(ctx context.Context) (hardening.DatacenterFirewall, error) {
	c.dc.mu.Lock()
	defer c.dc.mu.Unlock()
	if !c.dc.done {
		st, err := ReadDatacenterFirewall(ctx, c)
		if err != nil {
			return hardening.DatacenterFirewallUnobserved, err
		}
		c.dc.state, c.dc.done = st, true
	}
	return c.dc.state, nil
}

// ReadDatacenterFirewall reads the datacenter firewall's state now
// (GET /cluster/firewall/options), bypassing the run's snapshot.
func ReadDatacenterFirewall(ctx context.Context, c *Clients) (hardening.DatacenterFirewall, error) {
	raw, err := c.API.ClusterFirewallOptions(ctx)
	if err != nil {
		return hardening.DatacenterFirewallUnobserved, fmt.Errorf("reading the datacenter firewall's options: %w", err)
	}
	o, _, err := firewall.ClusterOptionsFromAPI(raw)
	if err != nil {
		return hardening.DatacenterFirewallUnobserved, fmt.Errorf("reading the datacenter firewall's options: %w", err)
	}
	return hardening.DatacenterFirewallOf(o.Enable), nil
}
