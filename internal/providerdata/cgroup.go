package providerdata

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/hardened-pve/terraform-provider-hardened/internal/cgroupmode"
)

// cgroupLayouts caches each node's cgroup layout for the provider run.
type cgroupLayouts struct {
	mu    sync.Mutex
	nodes map[string]*cgroupEntry
}

type cgroupEntry struct {
	once   sync.Once
	layout cgroupmode.Layout
	err    error
}

// CgroupLayout is node's cgroup layout, read once per provider run (a plan
// or an apply) from its /proc/self/mountinfo through the node channel. A
// node whose mountinfo is missing (a node_root without one) is Unknown.
func (c *Clients) CgroupLayout(ctx context.Context, node string) (cgroupmode.Layout, error) {
	c.cgroups.mu.Lock()
	if c.cgroups.nodes == nil {
		c.cgroups.nodes = map[string]*cgroupEntry{}
	}
	e := c.cgroups.nodes[node]
	if e == nil {
		e = &cgroupEntry{}
		c.cgroups.nodes[node] = e
	}
	c.cgroups.mu.Unlock()
	e.once.Do(func() {
		fsys, err := c.Nodes.FS(ctx, node)
		if err != nil {
			e.err = err
			return
		}
		data, err := fsys.ReadFile(ctx, cgroupmode.MountinfoPath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			e.layout = cgroupmode.Unknown
		case err != nil:
			e.err = fmt.Errorf("reading %s on node %q: %w", cgroupmode.MountinfoPath, node, err)
		default:
			e.layout = cgroupmode.FromMountinfo(data)
		}
	})
	if e.err != nil {
		// a failed read is retried on the next call (it may be transient)
		c.cgroups.mu.Lock()
		if c.cgroups.nodes[node] == e {
			delete(c.cgroups.nodes, node)
		}
		c.cgroups.mu.Unlock()
	}
	return e.layout, e.err
}
