package pve

import (
	"context"
	"strings"
)

// LXCLine is one raw lxc line's key and value.
type LXCLine struct{ Key, Value string }

// LXCLinesInUse tells, for each of lines, whether some container's config
// has it (value compared trimmed): one GET /cluster/resources, then the
// containers' configs in VMID order until every line has a user. A
// confinement file shared by a fleet is answered by the first container
// read, so deleting N containers that share one costs O(1) calls each
// instead of O(N); only a line nobody else uses costs a full scan. A
// container that vanishes while being scanned uses nothing.
func (c *Client) LXCLinesInUse(ctx context.Context, lines []LXCLine) (map[LXCLine]bool, error) {
	used := make(map[LXCLine]bool, len(lines))
	if len(lines) == 0 {
		return used, nil
	}
	cts, err := c.ClusterContainers(ctx)
	if err != nil {
		return nil, err
	}
	want := make(map[LXCLine]bool, len(lines))
	for _, l := range lines {
		want[l] = true
	}
	for _, ct := range cts {
		cfg, err := c.CTConfig(ctx, ct.Node, ct.VMID, false)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, kv := range cfg.LXC() {
			l := LXCLine{Key: kv[0], Value: strings.TrimSpace(kv[1])}
			if want[l] && !used[l] {
				used[l] = true
			}
		}
		if len(used) == len(want) {
			break
		}
	}
	return used, nil
}
