package providerdata

import (
	"context"
	"io/fs"
	"sync/atomic"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
)

// nodeOps counts the node-channel operations of this process (every
// provider instance in it): the cost a refresh or an apply has on the
// nodes besides the API calls, which the simulator counts itself.
var nodeOps atomic.Int64

// NodeOps is the number of node-channel operations (file reads, writes,
// removals, stats, directory creations, locks and commands) this process
// made so far; the refresh cost figures (make refresh-cost) take
// differences of it.
func NodeOps() int64 { return nodeOps.Load() }

// countedFS counts every operation of the FS it wraps.
type countedFS struct{ fs nodefs.FS }

func (c countedFS) ReadFile(ctx context.Context, p string) ([]byte, error) {
	nodeOps.Add(1)
	return c.fs.ReadFile(ctx, p)
}

func (c countedFS) WriteFileAtomic(ctx context.Context, p string, data []byte, perm fs.FileMode) error {
	nodeOps.Add(1)
	return c.fs.WriteFileAtomic(ctx, p, data, perm)
}

func (c countedFS) Remove(ctx context.Context, p string) error {
	nodeOps.Add(1)
	return c.fs.Remove(ctx, p)
}

func (c countedFS) Stat(ctx context.Context, p string) (fs.FileInfo, error) {
	nodeOps.Add(1)
	return c.fs.Stat(ctx, p)
}

func (c countedFS) MkdirAll(ctx context.Context, p string, perm fs.FileMode) error {
	nodeOps.Add(1)
	return c.fs.MkdirAll(ctx, p, perm)
}

func (c countedFS) Mkdir(ctx context.Context, p string, perm fs.FileMode) error {
	nodeOps.Add(1)
	return c.fs.Mkdir(ctx, p, perm)
}

func (c countedFS) Lock(ctx context.Context, p string, timeout time.Duration) (func() error, error) {
	nodeOps.Add(1)
	return c.fs.Lock(ctx, p, timeout)
}

func (c countedFS) Run(ctx context.Context, argv []string, stdin []byte) ([]byte, []byte, error) {
	nodeOps.Add(1)
	return c.fs.Run(ctx, argv, stdin)
}

func (c countedFS) Close() error { return c.fs.Close() }
