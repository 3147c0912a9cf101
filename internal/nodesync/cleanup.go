package nodesync

import (
	"context"
	"fmt"

	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// Candidate is a confinement file the provider wrote, the nodes it went
// to, and the raw lxc line (RefKey: RefValue) with which a container uses
// it.
type Candidate struct {
	File             File
	Nodes            []string
	RefKey, RefValue string
}

// line is the raw lxc line with which a container uses c's file.
func (c Candidate) line() pve.LXCLine { return pve.LXCLine{Key: c.RefKey, Value: c.RefValue} }

// Unreferenced is the cleanup decision, from what is on the cluster and not
// from any Terraform state: the candidates whose line no container has
// (used, from pve.LXCLinesInUse). It holds whoever asks (the container's
// own Delete, a later refresh that finds the container gone) and however
// often (removing is idempotent).
func Unreferenced(cands []Candidate, used map[pve.LXCLine]bool) []Candidate {
	var out []Candidate
	for _, c := range cands {
		if !used[c.line()] {
			out = append(out, c)
		}
	}
	return out
}

// RemoveUnreferenced removes the candidates no container of the cluster
// names (one scan for all of them, which stops as soon as every line has a
// user and skips a container deleted during it: pve.LXCLinesInUse). A
// copy already gone is fine. It returns the removed files' paths and one warning per file
// left behind.
func RemoveUnreferenced(ctx context.Context, c *providerdata.Clients, cands []Candidate) (removed, warnings []string) {
	if len(cands) == 0 {
		return nil, nil
	}
	lines := make([]pve.LXCLine, len(cands))
	for i, cand := range cands {
		lines[i] = cand.line()
	}
	used, err := c.API.LXCLinesInUse(ctx, lines)
	if err != nil {
		for _, cand := range cands {
			warnings = append(warnings, fmt.Sprintf("%s left on the nodes: checking its users failed: %v", cand.File.Path, err))
		}
		return nil, warnings
	}
	for _, cand := range Unreferenced(cands, used) {
		if err := Remove(ctx, c, cand.Nodes, cand.File); err != nil {
			warnings = append(warnings, fmt.Sprintf("%s left on the nodes: %v", cand.File.Path, err))
			continue
		}
		removed = append(removed, cand.File.Path)
	}
	return removed, warnings
}
