package pve

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
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
	return c.rules(ctx, ctPath(node, vmid, "/firewall/rules"))
}

// FirewallGroupRules reads GET /cluster/firewall/groups/{group} (ordered by pos).
func (c *Client) FirewallGroupRules(ctx context.Context, group string) ([]map[string]any, error) {
	return c.rules(ctx, "/cluster/firewall/groups/"+url.PathEscape(group))
}

// FirewallGroups reads GET /cluster/firewall/groups: name -> comment.
func (c *Client) FirewallGroups(ctx context.Context) (map[string]string, error) {
	var list []map[string]any
	if err := c.api.Get(ctx, "/cluster/firewall/groups", &list); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, g := range list {
		name, _ := CTConfig(g).String("group")
		out[name], _ = CTConfig(g).String("comment")
	}
	return out, nil
}

// CTFirewallIPSets reads the container's ipsets: GET .../firewall/ipset, then
// each set's entries (no call when there is no ipset).
func (c *Client) CTFirewallIPSets(ctx context.Context, node string, vmid int) ([]firewall.IPSet, error) {
	var list []map[string]any
	if err := c.api.Get(ctx, ctPath(node, vmid, "/firewall/ipset"), &list); err != nil {
		return nil, err
	}
	out := make([]firewall.IPSet, 0, len(list))
	for _, l := range list {
		set := firewall.IPSet{}
		set.Name, _ = CTConfig(l).String("name")
		set.Comment, _ = CTConfig(l).String("comment")
		var entries []map[string]any
		if err := c.api.Get(ctx, ctPath(node, vmid, "/firewall/ipset/"+url.PathEscape(set.Name)), &entries); err != nil {
			return nil, err
		}
		for _, e := range entries {
			en := firewall.IPSetEntry{}
			en.CIDR, _ = CTConfig(e).String("cidr")
			en.Comment, _ = CTConfig(e).String("comment")
			en.NoMatch, _ = CTConfig(e).Bool("nomatch")
			set.Entries = append(set.Entries, en)
		}
		out = append(out, set)
	}
	return out, nil
}

// CTFirewallAliases reads GET .../firewall/aliases.
func (c *Client) CTFirewallAliases(ctx context.Context, node string, vmid int) ([]firewall.Alias, error) {
	var list []map[string]any
	if err := c.api.Get(ctx, ctPath(node, vmid, "/firewall/aliases"), &list); err != nil {
		return nil, err
	}
	out := make([]firewall.Alias, 0, len(list))
	for _, l := range list {
		a := firewall.Alias{}
		a.Name, _ = CTConfig(l).String("name")
		a.CIDR, _ = CTConfig(l).String("cidr")
		a.Comment, _ = CTConfig(l).String("comment")
		out = append(out, a)
	}
	return out, nil
}

// rules reads a rule list and orders it by pos.
func (c *Client) rules(ctx context.Context, p string) ([]map[string]any, error) {
	var rules []map[string]any
	if err := c.api.Get(ctx, p, &rules); err != nil {
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

// GroupReferences lists the containers ("node/vmid") whose firewall has a
// GROUP rule for group: one cluster resources call, then one rules call per
// container.
func (c *Client) GroupReferences(ctx context.Context, group string) ([]string, error) {
	cts, err := c.ClusterContainers(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ct := range cts {
		rules, err := c.CTFirewallRules(ctx, ct.Node, ct.VMID)
		if err != nil {
			return nil, err
		}
		for _, rule := range rules {
			fr := firewall.RuleFromAPI(rule)
			if fr.Type == "group" && strings.EqualFold(fr.Action, group) {
				out = append(out, fmt.Sprintf("%s/%d", ct.Node, ct.VMID))
				break
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// ClusterFirewallOptions reads GET /cluster/firewall/options as text values
// (digest included): only the options set in cluster.fw's [OPTIONS].
func (c *Client) ClusterFirewallOptions(ctx context.Context) (map[string]string, error) {
	var raw CTConfig
	if err := c.api.Get(ctx, "/cluster/firewall/options", &raw); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k := range raw {
		out[k], _ = raw.String(k)
	}
	return out, nil
}
