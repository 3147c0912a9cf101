package providerdata

import (
	"context"
	"strings"
	"sync"
)

// bootIDs caches each node's boot id for one provider run.
type bootIDs struct {
	mu  sync.Mutex
	ids map[string]string
}

// BootIDPath is where Linux shows the id of the running boot.
const BootIDPath = "/proc/sys/kernel/random/boot_id"

// NodeBootID is the node's boot id (BootIDPath), read through the node
// channel once per node per provider run (a plan or an apply): with a pid
// and the process's start time it names one process of one boot.
func (c *Clients) NodeBootID(ctx context.Context, node string) (string, error) {
	c.boot.mu.Lock()
	defer c.boot.mu.Unlock()
	if id, ok := c.boot.ids[node]; ok {
		return id, nil
	}
	nfs, err := c.Nodes.FS(ctx, node)
	if err != nil {
		return "", err
	}
	b, err := nfs.ReadFile(ctx, BootIDPath)
	if err != nil {
		return "", err
	}
	if c.boot.ids == nil {
		c.boot.ids = map[string]string{}
	}
	id := strings.TrimSpace(string(b))
	c.boot.ids[node] = id
	return id, nil
}
