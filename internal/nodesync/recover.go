package nodesync

import (
	"context"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// Recoverer reads the confinement files the provider wrote, for the
// observation to read back into the typed settings they were rendered
// from. It caches what it reads (containers with equal settings share
// their files), so a cluster audit reads each file once.
type Recoverer struct {
	c     *providerdata.Clients
	files map[string][]byte // node + "\x00" + path; nil: unreadable
}

// NewRecoverer returns a Recoverer over c's node channels.
func NewRecoverer(c *providerdata.Clients) *Recoverer {
	return &Recoverer{c: c, files: map[string][]byte{}}
}

func (r *Recoverer) read(ctx context.Context, node, path string) []byte {
	key := node + "\x00" + path
	if b, ok := r.files[key]; ok {
		return b
	}
	var b []byte
	if nfs, err := r.c.Nodes.FS(ctx, node); err == nil {
		b, _ = nfs.ReadFile(ctx, path)
	}
	r.files[key] = b
	return b
}

// Files reads the confinement files the raw lines name
// (hardening.ConfinementPaths) from the container's node, for
// hardening.Observed.Files: the observation trusts a generated profile or
// policy only when its file is intact.
func (r *Recoverer) Files(ctx context.Context, node string, lines []pctconf.Line) map[string][]byte {
	paths := hardening.ConfinementPaths(lines)
	if len(paths) == 0 {
		return nil
	}
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		out[p] = r.read(ctx, node, p)
	}
	return out
}
