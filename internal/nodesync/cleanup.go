package nodesync

import (
	"context"
	"fmt"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// Candidate is a confinement file the provider wrote, the nodes it went
// to, and the raw lxc line (RefKey: RefValue) with which a container uses
// it.
type Candidate struct {
	File             File
	Nodes            []string
	RefKey, RefValue string
}

// Unreferenced is the cleanup decision, from what is on the cluster and not
// from any Terraform state: the candidates that no container's raw lxc
// lines (configs, by "node/vmid") name. It holds whoever asks (the
// container's own Delete, a later refresh that finds the container gone)
// and however often (removing is idempotent).
func Unreferenced(cands []Candidate, configs map[string][][2]string) []Candidate {
	used := map[string]bool{}
	for _, lines := range configs {
		for _, kv := range lines {
			used[kv[0]+"\x00"+strings.TrimSpace(kv[1])] = true
		}
	}
	var out []Candidate
	for _, c := range cands {
		if !used[c.RefKey+"\x00"+c.RefValue] {
			out = append(out, c)
		}
	}
	return out
}

// RemoveUnreferenced removes the candidates no container of the cluster
// names (one scan of every container's raw lines: pve ClusterLXCLines,
// which skips a container deleted during the scan). A copy already gone
// is fine. It returns the removed files' paths and one warning per file
// left behind.
func RemoveUnreferenced(ctx context.Context, c *providerdata.Clients, cands []Candidate) (removed, warnings []string) {
	if len(cands) == 0 {
		return nil, nil
	}
	configs, err := c.API.ClusterLXCLines(ctx)
	if err != nil {
		for _, cand := range cands {
			warnings = append(warnings, fmt.Sprintf("%s left on the nodes: checking its users failed: %v", cand.File.Path, err))
		}
		return nil, warnings
	}
	for _, cand := range Unreferenced(cands, configs) {
		if err := Remove(ctx, c, cand.Nodes, cand.File); err != nil {
			warnings = append(warnings, fmt.Sprintf("%s left on the nodes: %v", cand.File.Path, err))
			continue
		}
		removed = append(removed, cand.File.Path)
	}
	return removed, warnings
}
