package pve

import (
	"context"
	"fmt"
	"sort"
)

// Node is a cluster node as GET /nodes lists it.
type Node struct {
	Name string `json:"node"`
	// Status is online, offline or unknown (empty when PVE gives none).
	Status string `json:"status"`
}

// Nodes lists the cluster's nodes (GET /nodes), sorted by name.
func (c *Client) Nodes(ctx context.Context) ([]Node, error) {
	var list []Node
	if err := c.api.Get(ctx, "/nodes", &list); err != nil {
		return nil, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, nil
}

// OnlineNodes lists the names of the cluster's online nodes, sorted.
func (c *Client) OnlineNodes(ctx context.Context) ([]string, error) {
	nodes, err := c.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range nodes {
		if n.Status == "online" {
			out = append(out, n.Name)
		}
	}
	return out, nil
}

// ClusterNodeIPs maps each cluster node to the IP address corosync knows it
// by (GET /cluster/status, which needs Sys.Audit on /).
func (c *Client) ClusterNodeIPs(ctx context.Context) (map[string]string, error) {
	var list []struct {
		Type string `json:"type"`
		Name string `json:"name"`
		IP   string `json:"ip"`
	}
	if err := c.api.Get(ctx, "/cluster/status", &list); err != nil {
		return nil, fmt.Errorf("reading the nodes' addresses (GET /cluster/status): %w", err)
	}
	out := map[string]string{}
	for _, e := range list {
		if e.Type == "node" && e.Name != "" && e.IP != "" {
			out[e.Name] = e.IP
		}
	}
	return out, nil
}
