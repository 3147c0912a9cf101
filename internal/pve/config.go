package pve

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

// CTConfig is a container config as PVE returns it, decoded loosely: PVE sends
// integers and booleans as numbers but "number" options (cpulimit) as strings.
type CTConfig map[string]any

// String returns a key as text whatever its JSON type.
func (c CTConfig) String(key string) (string, bool) {
	v, ok := c[key]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "1", true
		}
		return "0", true
	}
	return fmt.Sprint(v), true
}

// Int returns an integer key (numbers or numeric strings).
func (c CTConfig) Int(key string) (int64, bool) {
	s, ok := c.String(key)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return 0, false
		}
		return int64(f), true
	}
	return n, true
}

// Float returns a number key such as cpulimit ("0.5").
func (c CTConfig) Float(key string) (float64, bool) {
	s, ok := c.String(key)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// Bool returns a boolean key (1/0).
func (c CTConfig) Bool(key string) (bool, bool) {
	s, ok := c.String(key)
	if !ok {
		return false, false
	}
	return s == "1" || s == "true", true
}

// Digest is the sha1 of the config file.
func (c CTConfig) Digest() string { s, _ := c.String("digest"); return s }

// LXC returns the raw lxc.* entries (read-only through the API).
func (c CTConfig) LXC() [][2]string {
	raw, _ := c["lxc"].([]any)
	out := make([][2]string, 0, len(raw))
	for _, e := range raw {
		pair, _ := e.([]any)
		if len(pair) != 2 {
			continue
		}
		k, _ := pair[0].(string)
		v, _ := pair[1].(string)
		out = append(out, [2]string{k, v})
	}
	return out
}

// CTConfig reads GET .../config (current=1: running values without pending ones).
func (c *Client) CTConfig(ctx context.Context, node string, vmid int, current bool) (CTConfig, error) {
	var cfg CTConfig
	p := ctPath(node, vmid, "/config")
	if current {
		p += "?current=1"
	}
	if err := c.api.Get(ctx, p, &cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// UpdateCTConfig is the synchronous PUT .../config with a digest guard.
func (c *Client) UpdateCTConfig(ctx context.Context, node string, vmid int, params map[string]any, digest string) error {
	body := make(map[string]any, len(params)+1)
	for k, v := range params {
		body[k] = v
	}
	if digest != "" {
		body["digest"] = digest
	}
	return c.api.Put(ctx, ctPath(node, vmid, "/config"), body, nil)
}

// CTStatus reads status/current loosely (cpus may be a string).
func (c *Client) CTStatus(ctx context.Context, node string, vmid int) (CTConfig, error) {
	var st CTConfig
	if err := c.api.Get(ctx, ctPath(node, vmid, "/status/current"), &st); err != nil {
		return nil, err
	}
	return st, nil
}

// CTResource is one container of GET /cluster/resources.
type CTResource struct {
	Node   string
	VMID   int
	Name   string
	Status string
	Tags   string
}

// ClusterContainers lists the cluster's containers in one call
// (GET /cluster/resources?type=vm), sorted by VMID.
func (c *Client) ClusterContainers(ctx context.Context) ([]CTResource, error) {
	var res []map[string]any
	if err := c.api.Get(ctx, "/cluster/resources?type=vm", &res); err != nil {
		return nil, err
	}
	var out []CTResource
	for _, r := range res {
		cr := CTConfig(r)
		if t, _ := cr.String("type"); t != "lxc" {
			continue
		}
		e := CTResource{}
		e.Node, _ = cr.String("node")
		vmid, _ := cr.Int("vmid")
		e.VMID = int(vmid)
		e.Name, _ = cr.String("name")
		e.Status, _ = cr.String("status")
		e.Tags, _ = cr.String("tags")
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VMID < out[j].VMID })
	return out, nil
}

// LXCLineUsers lists the containers ("node/vmid") whose config has the raw
// line key: value (one cluster resources call, then one config call per
// container).
func (c *Client) LXCLineUsers(ctx context.Context, key, value string) ([]string, error) {
	all, err := c.ClusterLXCLines(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for id, lines := range all {
		for _, kv := range lines {
			if kv[0] == key && strings.TrimSpace(kv[1]) == value {
				out = append(out, id)
				break
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// ClusterLXCLines are the raw lxc entries of every container of the
// cluster by "node/vmid" (one cluster resources call, then one config call
// per container). A container deleted during the scan is no longer there
// to use anything: it is skipped, not an error.
func (c *Client) ClusterLXCLines(ctx context.Context) (map[string][][2]string, error) {
	cts, err := c.ClusterContainers(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][][2]string, len(cts))
	for _, ct := range cts {
		cfg, err := c.CTConfig(ctx, ct.Node, ct.VMID, false)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%s/%d", ct.Node, ct.VMID)] = cfg.LXC()
	}
	return out, nil
}

// Values are the config's keys as text, without the raw lxc entries and
// the digest (what hardening.Observed.Config holds).
func (c CTConfig) Values() map[string]string {
	out := map[string]string{}
	for k := range c {
		if k == "lxc" || k == "digest" {
			continue
		}
		out[k], _ = c.String(k)
	}
	return out
}

// LXCLines are the raw lxc entries as pct.conf lines.
func (c CTConfig) LXCLines() []pctconf.Line {
	var out []pctconf.Line
	for _, kv := range c.LXC() {
		out = append(out, pctconf.Line{Key: kv[0], Value: kv[1]})
	}
	return out
}

// ResizeCT grows a container volume (disk: rootfs or mpN) to size (e.g.
// "20G") with PVE's resize call and waits for its task. PVE refuses to
// shrink ("unable to shrink disk size").
func (c *Client) ResizeCT(ctx context.Context, node string, vmid int, disk, size string) error {
	var upid string
	if err := c.api.Put(ctx, ctPath(node, vmid, "/resize"), map[string]any{"disk": disk, "size": size}, &upid); err != nil {
		return fmt.Errorf("resize %s of CT %d to %s: %w", disk, vmid, size, err)
	}
	if _, err := c.WaitTask(ctx, upid); err != nil {
		return fmt.Errorf("resize %s of CT %d to %s: %w", disk, vmid, size, err)
	}
	return nil
}
