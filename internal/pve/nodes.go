package pve

import (
	"context"
	"fmt"
)

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
