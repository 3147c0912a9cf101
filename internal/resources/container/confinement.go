package container

import (
	"context"
	"fmt"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodesync"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
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

// removeUnusedConfinement removes the files of s (except those in keep)
// that no container's config refers to any more (generated profiles and
// policies are shared by containers with equal settings). One scan of the
// cluster decides for every file at once (pve.LXCLinesInUse). Failures are
// warnings: the container itself is gone or changed already.
func (r *containerResource) removeUnusedConfinement(ctx context.Context, s hardening.Spec, keep map[string]string) []string {
	var (
		warnings []string
		files    []hardening.NodeFile
		lines    []pve.LXCLine
	)
	for _, f := range hardening.NodeFiles(s) {
		if _, kept := keep[f.Path]; !kept {
			files = append(files, f)
			lines = append(lines, pve.LXCLine{Key: f.RefKey, Value: f.RefValue})
		}
	}
	if len(files) == 0 {
		return nil
	}
	used, err := r.clients.API.LXCLinesInUse(ctx, lines)
	if err != nil {
		for _, f := range files {
			warnings = append(warnings, fmt.Sprintf("%s left on the nodes: checking its users failed: %v", f.Path, err))
		}
		return warnings
	}
	for i, f := range files {
		if used[lines[i]] {
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
