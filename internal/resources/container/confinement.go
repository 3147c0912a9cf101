package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// confinementNodes are the nodes a node file goes to: every online node for
// a node-local file (a migration target needs the profile too), the
// container's node for a file on the cluster file system.
func (r *containerResource) confinementNodes(ctx context.Context, f hardening.NodeFile, node string) ([]string, error) {
	if !f.EveryNode {
		return []string{node}, nil
	}
	nodes, err := r.clients.OnlineNodes(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the cluster's nodes: %w", err)
	}
	return nodes, nil
}

// writeConfinement writes the confinement files (AppArmor profiles,
// seccomp policies) where they are needed, atomically, and loads a written
// AppArmor profile; files already as wanted are left alone.
func (r *containerResource) writeConfinement(ctx context.Context, s hardening.Spec) error {
	for _, f := range hardening.NodeFiles(s) {
		nodes, err := r.confinementNodes(ctx, f, s.Node)
		if err != nil {
			return err
		}
		for _, node := range nodes {
			nfs, err := r.clients.Nodes.FS(ctx, node)
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
			if err := nfs.WriteFileAtomic(ctx, f.Path, f.Content, 0o644); err != nil {
				return fmt.Errorf("writing %s on node %s: %w", f.Path, node, err)
			}
			if f.AppArmor {
				if err := loadAppArmor(ctx, nfs, r.clients.AppArmorLoad, f.Content); err != nil {
					return fmt.Errorf("loading AppArmor profile %s on node %s: %w", f.Path, node, err)
				}
			}
		}
	}
	return nil
}

// loadAppArmor loads (or, in check mode, compiles) a profile with the
// node's apparmor_parser. The profile goes in on standard input after the
// tunables it needs; the command line is fixed, so nothing from the
// configuration reaches a shell or an argument.
func loadAppArmor(ctx context.Context, nfs nodefs.FS, mode string, profile []byte) error {
	argv := []string{"apparmor_parser", "--replace", "--skip-cache"}
	if mode == providerdata.AppArmorLoadCheck {
		argv = []string{"apparmor_parser", "--skip-kernel-load", "--skip-cache"}
	}
	stdin := append([]byte("#include <tunables/global>\n"), profile...)
	_, stderr, err := nfs.Run(ctx, argv, stdin)
	if err != nil {
		return fmt.Errorf("%v: %s", err, bytes.TrimSpace(stderr))
	}
	return nil
}

// observeConfinement reports, for each file the spec needs, its digest if
// every node that needs it has it exactly, else what is wrong where.
func (r *containerResource) observeConfinement(ctx context.Context, s hardening.Spec) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range hardening.NodeFiles(s) {
		nodes, err := r.confinementNodes(ctx, f, s.Node)
		if err != nil {
			return nil, err
		}
		sort.Strings(nodes)
		out[f.Path] = hardening.FileDigest(f.Content)
		for _, node := range nodes {
			nfs, err := r.clients.Nodes.FS(ctx, node)
			if err != nil {
				return nil, err
			}
			got, err := nfs.ReadFile(ctx, f.Path)
			if errors.Is(err, fs.ErrNotExist) {
				out[f.Path] = "missing on node " + node
				break
			}
			if err != nil {
				return nil, fmt.Errorf("reading %s on node %s: %w", f.Path, node, err)
			}
			if d := hardening.FileDigest(got); !bytes.Equal(got, f.Content) {
				out[f.Path] = d + " on node " + node
				break
			}
		}
	}
	return out, nil
}
