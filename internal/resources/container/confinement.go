package container

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

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

// removeUnusedConfinement removes the files of s (except those in keep)
// that no container's config refers to any more (generated profiles and
// policies are shared by containers with equal settings): the decision
// comes from the cluster (nodesync.RemoveUnreferenced: one early-exiting
// scan for every file at once), so it holds also when the container is
// already gone. Failures are warnings: the container itself is gone or
// changed already.
func (r *containerResource) removeUnusedConfinement(ctx context.Context, s hardening.Spec, keep map[string]string) (removed, warnings []string) {
	var cands []nodesync.Candidate
	for _, f := range hardening.NodeFiles(s) {
		if _, kept := keep[f.Path]; kept {
			continue
		}
		nodes, err := r.confinementNodes(ctx, f, s.Node)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s left on the nodes: %v", f.Path, err))
			continue
		}
		cands = append(cands, nodesync.Candidate{File: syncFile(f), Nodes: nodes, RefKey: f.RefKey, RefValue: f.RefValue})
	}
	rm, ws := nodesync.RemoveUnreferenced(ctx, r.clients, cands)
	return rm, append(warnings, ws...)
}

// removeOrphanedConfinement is the cleanup a Delete would have done, for a
// container that is gone when a refresh looks (deleted by hand, or by a
// destroy killed before its cleanup, whose next run drops the container
// from state and never calls Delete): the state's confinement files that no
// container of the cluster names any more go. It says what it removed.
func (r *containerResource) removeOrphanedConfinement(ctx context.Context, state containerModel, diags *diag.Diagnostics) string {
	if r.clients == nil {
		return ""
	}
	var d diag.Diagnostics
	s := toSpec(ctx, state, &d)
	if d.HasError() {
		return ""
	}
	removed, warnings := r.removeUnusedConfinement(ctx, s, nil)
	if nfs, err := r.clients.Nodes.FS(ctx, s.Node); err == nil {
		if err := nodesync.ClearRestartOwed(ctx, nfs, s.VMID); err != nil {
			warnings = append(warnings, fmt.Sprintf("%s left on the cluster: %v", nodesync.RestartRecordPath(s.VMID), err))
		}
	}
	for _, w := range warnings {
		diags.AddWarning("Confinement file left behind", w)
	}
	if len(removed) == 0 {
		return ""
	}
	return " Its confinement files that no other container uses were removed: " + strings.Join(removed, ", ") + "."
}
