// Package clusterfwfile edits /etc/pve/firewall/cluster.fw through the node
// channel the way PVE's own writers do: under the cluster firewall lock
// (lock_clusterfw_conf), in one atomic rename, an empty config removing the
// file. Each resource that owns a part of cluster.fw (a security group's
// section, the datacenter firewall's [OPTIONS]) splices only its part.
package clusterfwfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

const (
	// Path is cluster.fw on every node (pmxcfs replicates it).
	Path = "/etc/pve/firewall/cluster.fw"
	// LockID is PVE's cluster firewall lock (lock_clusterfw_conf).
	LockID = "firewall-cluster"
)

// channel is the node channel used for cluster.fw: pmxcfs replicates it to
// every node, so any online node will do (the first by name).
func channel(ctx context.Context, c *providerdata.Clients) (nodefs.FS, error) {
	nodes, err := c.API.OnlineNodes(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the cluster's nodes: %w", err)
	}
	if len(nodes) == 0 {
		return nil, errors.New("no online node to write " + Path + " through")
	}
	return c.Nodes.FS(ctx, nodes[0])
}

// Edit replaces cluster.fw by edit(old) (old is nil when there is no file)
// under PVE's cluster firewall lock, atomically; check (unless nil) runs
// under the lock before anything is read or written. Nothing is written
// when the content does not change; an edit leaving only white space
// removes the file, as save_clusterfw_conf does for an empty config.
func Edit(ctx context.Context, c *providerdata.Clients, edit func(old []byte) []byte, check func() error) error {
	nfs, err := channel(ctx, c)
	if err != nil {
		return err
	}
	// a killed run may have left the lock behind: outlive it
	unlock, err := nodefs.CFSLock(ctx, nfs, LockID, nodefs.CFSLockOutlive)
	if err != nil {
		return fmt.Errorf("taking PVE's cluster firewall lock: %w", err)
	}
	defer func() { _ = unlock() }()
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	old, err := nfs.ReadFile(ctx, Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", Path, err)
	}
	out := edit(old)
	if bytes.Equal(out, old) {
		return nil
	}
	if len(bytes.TrimSpace(out)) == 0 {
		if err := nfs.Remove(ctx, Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", Path, err)
		}
		return nil
	}
	if err := nfs.WriteFileAtomic(ctx, Path, out, 0o640); err != nil {
		return fmt.Errorf("writing %s: %w", Path, err)
	}
	return nil
}
