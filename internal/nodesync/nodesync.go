// Package nodesync keeps one file identical on a set of nodes through the
// node channel: write it where it differs (atomically), load it when it is
// an AppArmor profile, report per node where it differs, remove it.
package nodesync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// File is one file to keep on nodes.
type File struct {
	Path     string
	Content  []byte
	AppArmor bool        // load with apparmor_parser after writing
	Mode     fs.FileMode // permission bits
}

// Write puts f on every node where it is missing or differs, loading an
// AppArmor profile it writes.
func Write(ctx context.Context, c *providerdata.Clients, nodes []string, f File) error {
	for _, node := range nodes {
		nfs, err := c.Nodes.FS(ctx, node)
		if err != nil {
			return err
		}
		old, err := nfs.ReadFile(ctx, f.Path)
		if err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("reading %s on node %s: %w", f.Path, node, err)
		}
		// a profile is loaded (or compiled) before its file is written, so
		// a profile the node's parser refuses never lands on the node
		if f.AppArmor {
			if err := apparmorParser(ctx, nfs, c.AppArmorLoad, false, f.Content); err != nil {
				return fmt.Errorf("loading AppArmor profile %s on node %s: %w", f.Path, node, err)
			}
		}
		if err := nfs.WriteFileAtomic(ctx, f.Path, f.Content, f.Mode); err != nil {
			return fmt.Errorf("writing %s on node %s: %w", f.Path, node, err)
		}
	}
	return nil
}

// Observe returns hardening.FileDigest of f's content when every node has
// it exactly, else "missing on node X" or "<digest of X's copy> on node X"
// for the first node (by name) that does not.
func Observe(ctx context.Context, c *providerdata.Clients, nodes []string, f File) (string, error) {
	return NewRecoverer(c).Digest(ctx, nodes, f)
}

// Remove deletes f from every node (a missing copy is fine), unloading an
// AppArmor profile first (as the node's copy defines it; nothing to unload
// in check mode).
func Remove(ctx context.Context, c *providerdata.Clients, nodes []string, f File) error {
	for _, node := range nodes {
		nfs, err := c.Nodes.FS(ctx, node)
		if err != nil {
			return err
		}
		if f.AppArmor && c.AppArmorLoad != providerdata.AppArmorLoadCheck {
			if cur, err := nfs.ReadFile(ctx, f.Path); err == nil {
				if err := apparmorParser(ctx, nfs, c.AppArmorLoad, true, cur); err != nil {
					return fmt.Errorf("unloading AppArmor profile %s on node %s: %w", f.Path, node, err)
				}
			}
		}
		if err := nfs.Remove(ctx, f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s on node %s: %w", f.Path, node, err)
		}
	}
	return nil
}

// apparmorParser loads (or removes) a profile with the node's
// apparmor_parser; in check mode it only compiles it. The profile goes in on
// standard input after the tunables it needs; the command line is fixed, so
// nothing from the configuration becomes an argument or reaches a shell.
func apparmorParser(ctx context.Context, nfs nodefs.FS, mode string, remove bool, profile []byte) error {
	argv := []string{"apparmor_parser", "--replace", "--skip-cache"}
	switch {
	case mode == providerdata.AppArmorLoadCheck:
		argv = []string{"apparmor_parser", "--skip-kernel-load", "--skip-cache"}
	case remove:
		argv = []string{"apparmor_parser", "--remove"}
	}
	stdin := append([]byte("#include <tunables/global>\n"), profile...)
	_, stderr, err := nfs.Run(ctx, argv, stdin)
	if err != nil {
		return fmt.Errorf("%w: %s", err, bytes.TrimSpace(stderr))
	}
	return nil
}
