package container

import (
	"context"
	"fmt"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodesync"
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
	return nodesync.File{Path: f.Path, Content: f.Content, AppArmor: f.AppArmor, Mode: f.Mode}
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

// removeUnusedConfinement removes the files of s (except those in keep)
// that no container's
// config refers to any more (generated profiles and policies are shared by
// containers with equal settings). Failures are warnings: the container
// itself is gone or changed already.
func (r *containerResource) removeUnusedConfinement(ctx context.Context, s hardening.Spec, keep map[string]string) []string {
	var warnings []string
	for _, f := range hardening.NodeFiles(s) {
		if _, kept := keep[f.Path]; kept {
			continue
		}
		users, err := r.clients.API.LXCLineUsers(ctx, f.RefKey, f.RefValue)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s left on the nodes: checking its users failed: %v", f.Path, err))
			continue
		}
		if len(users) > 0 {
			continue
		}
		nodes, err := r.confinementNodes(ctx, f, s.Node)
		if err == nil {
			err = nodesync.Remove(ctx, r.clients, nodes, syncFile(f))
		}
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s left on the nodes: %v", f.Path, err))
		}
	}
	return warnings
}
