package provider

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// Where a node's SSH address came from.
const (
	addrFromOverride = "ssh.nodes"
	addrFromCluster  = "/cluster/status"
	addrFromEndpoint = "the endpoint's host"
)

// sshTarget is where the provider connects for a node, and why there.
type sshTarget struct {
	Host   string
	Port   int
	Source string
}

// pickSSHTarget chooses a node's SSH address: the explicit override
// (ssh.nodes[node].address), else the node's IP in the cluster
// (/cluster/status), else the endpoint's host (a single node, or no
// Sys.Audit on /). The port is ssh.nodes[node].port or ssh.port.
func pickSSHTarget(s *settings, node string, clusterIPs map[string]string) sshTarget {
	t := sshTarget{Host: s.EndpointHost, Port: s.SSH.Port, Source: addrFromEndpoint}
	if ip := clusterIPs[node]; ip != "" {
		t.Host, t.Source = ip, addrFromCluster
	}
	if o, ok := s.SSH.Nodes[node]; ok {
		if o.Address != "" {
			t.Host, t.Source = o.Address, addrFromOverride
		}
		if o.Port != 0 {
			t.Port = o.Port
		}
	}
	return t
}

// clusterAddrs reads the nodes' cluster IPs once per provider run, and only
// when a node without an address override is dialled.
type clusterAddrs struct {
	api  *pve.Client
	once sync.Once
	ips  map[string]string
	err  error
}

func (c *clusterAddrs) get(ctx context.Context) (map[string]string, error) {
	c.once.Do(func() {
		if c.api == nil {
			return
		}
		c.ips, c.err = c.api.ClusterNodeIPs(ctx)
	})
	return c.ips, c.err
}

// verifyNodeIdentity checks that the machine reached is node: on PVE,
// /etc/pve/local is pmxcfs's link to the node's own directory nodes/<name>.
func verifyNodeIdentity(ctx context.Context, f nodefs.FS, node string, t sshTarget) error {
	rl, ok := f.(nodefs.Readlinker)
	if !ok {
		return fmt.Errorf("the node channel cannot read links: cannot verify that %s:%d is node %s", t.Host, t.Port, node)
	}
	target, err := rl.Readlink(ctx, "/etc/pve/local")
	if err != nil {
		return fmt.Errorf("cannot verify that %s:%d (address from %s) is node %s: reading the link /etc/pve/local failed: %w; "+
			"is this a PVE node, and is node_root right?", t.Host, t.Port, t.Source, node, err)
	}
	got := strings.TrimPrefix(path.Clean(target), "/etc/pve/")
	if got == "nodes/"+node {
		return nil
	}
	return fmt.Errorf("refusing node %s: the machine at %s:%d (address from %s) is %q (/etc/pve/local -> %s), not node %s. "+
		"The provider would write node %s's files (AppArmor profiles, the config lock) on the wrong machine. "+
		"Fix ssh.nodes[%q].address (or the cluster's address of the node)",
		node, t.Host, t.Port, t.Source, strings.TrimPrefix(got, "nodes/"), target, node, node, node)
}
