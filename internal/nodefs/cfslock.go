package nodefs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// CFSLockDir is where pmxcfs keeps its cluster-wide locks: a lock is a
// directory created with mkdir (atomic across the cluster).
const CFSLockDir = "/etc/pve/priv/lock"

// cfsLockPoll is how often a held cluster lock is retried.
const cfsLockPoll = 20 * time.Millisecond

// CFSLockExpiry is how long pmxcfs honours a lock directory
// (CFS_LOCK_TIMEOUT in pve-cluster's memdb.c): a lock whose writer died
// (a killed terraform) blocks every writer, PVE's own API included, until
// it is that old; then the next waiter's unlock request removes it.
const CFSLockExpiry = 120 * time.Second

// CFSLockOutlive is a timeout that outlasts a dead writer's lock: the
// expiry and a margin. Writers that may run right after an interrupted run
// (which can leave a lock behind) wait this long instead of failing.
const CFSLockOutlive = CFSLockExpiry + 5*time.Second

// CFSLock takes a PVE cluster lock the way PVE::Cluster::cfs_lock does:
// mkdir CFSLockDir/<lockID>, retried until timeout (10 s when timeout <= 0).
// PVE's firewall writers use the lock IDs "firewall-vm-<vmid>" and
// "firewall-cluster"; holding the same lock keeps the provider's file writes
// and PVE's API writes from interleaving. A lock older than CFSLockExpiry has
// expired: it is removed, as pmxcfs removes it on the unlock request
// (utime 0) PVE's cfs_lock sends while it waits; a younger lock is never
// touched. The returned func releases the lock.
func CFSLock(ctx context.Context, f FS, lockID string, timeout time.Duration) (func() error, error) {
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	p := CFSLockDir + "/" + lockID
	if err := f.MkdirAll(ctx, CFSLockDir, 0o700); err != nil {
		return nil, fmt.Errorf("cfs-lock '%s' error: %w", lockID, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := f.Mkdir(ctx, p, 0o700)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("cfs-lock '%s' error: %w", lockID, err)
		}
		if fi, err := f.Stat(ctx, p); err == nil && time.Since(fi.ModTime()) > CFSLockExpiry {
			// expired: a missing directory (another waiter was first) is fine
			_ = f.Remove(ctx, p)
			continue
		}
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("cfs-lock '%s' error: got lock request timeout (held by another writer for %s): %w", lockID, timeout, ErrLockTimeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(cfsLockPoll):
		}
	}
	released := false
	return func() error {
		if released {
			return nil
		}
		released = true
		return f.Remove(context.WithoutCancel(ctx), p)
	}, nil
}
