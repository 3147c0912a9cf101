// Package providerdata is what the provider's Configure hands to every
// resource and data source: the API client and the node channel, built once.
package providerdata

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// Clients is the provider data.
type Clients struct {
	API   *pve.Client
	Nodes *NodeChannels
	// AppArmorLoad is AppArmorLoadReplace or AppArmorLoadCheck.
	AppArmorLoad string
	// Baseline is the organisation's hardening baseline (the provider's
	// baseline block over seed 000's defaults).
	Baseline policy.Baseline

	nodesMu sync.Mutex
	nodes   []string

	dc      datacenterSnapshot // see DatacenterFirewall
	cluster clusterSnapshot    // see ClusterContainer
	files   runFiles           // see RunFile
	boot    bootIDs            // see NodeBootID
	cgroups cgroupLayouts      // see CgroupLayout
	backup  backupSnapshot     // see BackupJobs
}

// AppArmor load modes (the provider's apparmor_load).
const (
	AppArmorLoadReplace = "replace"
	AppArmorLoadCheck   = "check"
)

// Dialer opens the node channel to one node.
type Dialer func(ctx context.Context, node string) (nodefs.FS, error)

// NodeChannels opens one node channel per node on first use and keeps it for
// the provider's lifetime (SSH connections are reused across resources).
type NodeChannels struct {
	Mode string // "ssh" or "local"
	dial Dialer

	mu    sync.Mutex
	conns map[string]*nodeConn
}

type nodeConn struct {
	once sync.Once
	fs   nodefs.FS
	err  error
}

// NewNodeChannels returns a lazily dialling channel set.
func NewNodeChannels(mode string, dial Dialer) *NodeChannels {
	return &NodeChannels{Mode: mode, dial: dial, conns: map[string]*nodeConn{}}
}

// FS returns the channel to node, dialling it once. A failed dial is retried
// on the next call (the error may be transient).
func (n *NodeChannels) FS(ctx context.Context, node string) (nodefs.FS, error) {
	n.mu.Lock()
	c := n.conns[node]
	if c == nil {
		c = &nodeConn{}
		n.conns[node] = c
	}
	n.mu.Unlock()
	c.once.Do(func() {
		c.fs, c.err = n.dial(ctx, node)
		if c.err == nil {
			c.fs = countingFS{c.fs}
		}
	})
	if c.err != nil {
		n.mu.Lock()
		if n.conns[node] == c {
			delete(n.conns, node)
		}
		n.mu.Unlock()
		return nil, fmt.Errorf("node channel (%s) to node %q: %w", n.Mode, node, c.err)
	}
	return c.fs, nil
}

// Close closes every open channel.
func (n *NodeChannels) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	var first error
	for k, c := range n.conns {
		if c.fs != nil {
			if err := c.fs.Close(); err != nil && first == nil {
				first = err
			}
		}
		delete(n.conns, k)
	}
	return first
}

// OnlineNodes lists the cluster's online nodes once per provider run (a
// plan or an apply): node files that every node needs go to each of them.
func (c *Clients) OnlineNodes(ctx context.Context) ([]string, error) {
	c.nodesMu.Lock()
	defer c.nodesMu.Unlock()
	if c.nodes == nil {
		nodes, err := c.API.OnlineNodes(ctx)
		if err != nil {
			return nil, err
		}
		c.nodes = nodes
	}
	return append([]string(nil), c.nodes...), nil
}

// FromConfigure is what every resource's and data source's Configure does
// with the provider data: nil before the provider is configured, an error
// diagnostic if it is not *Clients (a provider bug).
func FromConfigure(data any, diags *diag.Diagnostics) *Clients {
	if data == nil {
		return nil
	}
	c, ok := data.(*Clients)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerdata.Clients, got %T; this is a provider bug", data))
	}
	return c
}
