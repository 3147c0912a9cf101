package providerdata

import (
	"context"
	"io/fs"
	"sync/atomic"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
)

// nodeOps counts the node-channel operations of this process (every
// channel, every node): what `make bench` and `make refresh-cost` report per container.
var nodeOps atomic.Int64

// NodeOps is the number of node-channel operations (file reads, writes,
// removals, stats, directory creations, locks, commands) this process made.
func NodeOps() int64 { return nodeOps.Load() }

// countingFS counts each operation of the channel it wraps.
type countingFS struct{ nodefs.FS }

var _ nodefs.FS = countingFS{}

func (c countingFS) ReadFile(ctx context.Context, p string) ([]byte, error) {
	nodeOps.Add(1)
	return c.FS.ReadFile(ctx, p)
}

func (c countingFS) WriteFileAtomic(ctx context.Context, p string, data []byte, perm fs.FileMode) error {
	nodeOps.Add(1)
	return c.FS.WriteFileAtomic(ctx, p, data, perm)
}

func (c countingFS) Remove(ctx context.Context, p string) error {
	nodeOps.Add(1)
	return c.FS.Remove(ctx, p)
}

func (c countingFS) Stat(ctx context.Context, p string) (fs.FileInfo, error) {
	nodeOps.Add(1)
	return c.FS.Stat(ctx, p)
}

func (c countingFS) MkdirAll(ctx context.Context, p string, perm fs.FileMode) error {
	nodeOps.Add(1)
	return c.FS.MkdirAll(ctx, p, perm)
}

func (c countingFS) Mkdir(ctx context.Context, p string, perm fs.FileMode) error {
	nodeOps.Add(1)
	return c.FS.Mkdir(ctx, p, perm)
}

func (c countingFS) Lock(ctx context.Context, p string, timeout time.Duration) (func() error, error) {
	nodeOps.Add(1)
	return c.FS.Lock(ctx, p, timeout)
}

func (c countingFS) Run(ctx context.Context, argv []string, stdin []byte) ([]byte, []byte, error) {
	nodeOps.Add(1)
	return c.FS.Run(ctx, argv, stdin)
}
