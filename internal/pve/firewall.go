package pve

import (
	"context"
)

// CTFirewallOptions reads GET .../firewall/options as text values (digest included).
func (c *Client) CTFirewallOptions(ctx context.Context, node string, vmid int) (map[string]string, error) {
	var raw CTConfig
	if err := c.api.Get(ctx, ctPath(node, vmid, "/firewall/options"), &raw); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k := range raw {
		out[k], _ = raw.String(k)
	}
	return out, nil
}

// CTFirewallRules reads GET .../firewall/rules (ordered by pos).
func (c *Client) CTFirewallRules(ctx context.Context, node string, vmid int) ([]map[string]any, error) {
	var rules []map[string]any
	if err := c.api.Get(ctx, ctPath(node, vmid, "/firewall/rules"), &rules); err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(rules))
	for _, r := range rules {
		pos, _ := CTConfig(r).Int("pos")
		if int(pos) < len(out) && pos >= 0 && out[pos] == nil {
			out[pos] = r
		}
	}
	for i := range out {
		if out[i] == nil {
			// positions are 0..n-1 on PVE; fall back to list order
			return rules, nil
		}
	}
	return out, nil
}
