package container

import (
	"context"
	"fmt"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/resources/nodesync"
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

func syncFile(f hardening.NodeFile) nodesync.File {
	return nodesync.File{Path: f.Path, Content: f.Content, AppArmor: f.AppArmor}
}

// writeConfinement writes the confinement files (AppArmor profiles,
// seccomp policies) where they are needed and loads written profiles.
func (r *containerResource) writeConfinement(ctx context.Context, s hardening.Spec) error {
	for _, f := range hardening.NodeFiles(s) {
		nodes, err := r.confinementNodes(ctx, f, s.Node)
		if err != nil {
			return err
		}
		if err := nodesync.Write(ctx, r.clients, nodes, syncFile(f)); err != nil {
			return err
		}
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
		if out[f.Path], err = nodesync.Observe(ctx, r.clients, nodes, syncFile(f)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
