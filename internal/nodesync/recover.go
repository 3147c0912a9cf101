package nodesync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// Recoverer reads the confinement files the provider wrote, for the
// observation to read back into the typed settings they were rendered
// from, and for their digests (Digest). It caches what it reads
// (containers with equal settings share their files, and one container's
// observation needs a file for both), so a cluster audit or one refresh
// reads each file once. Not safe for concurrent use.
type Recoverer struct {
	c     *providerdata.Clients
	files map[string]readResult // node + "\x00" + path
	run   bool                  // read through the run's cache (RunFile)
}

type readResult struct {
	b   []byte
	err error
}

// NewRecoverer returns a Recoverer over c's node channels.
func NewRecoverer(c *providerdata.Clients) *Recoverer {
	return &Recoverer{c: c, files: map[string]readResult{}}
}

// NewRunRecoverer returns a Recoverer that reads through the provider
// run's file cache (providerdata.Clients.RunFile): for refreshes only.
func NewRunRecoverer(c *providerdata.Clients) *Recoverer {
	r := NewRecoverer(c)
	r.run = true
	return r
}

// readFile reads path on node once; err wraps fs.ErrNotExist for a
// missing file.
func (r *Recoverer) readFile(ctx context.Context, node, path string) ([]byte, error) {
	key := node + "\x00" + path
	if res, ok := r.files[key]; ok {
		return res.b, res.err
	}
	var res readResult
	if r.run {
		res.b, res.err = r.c.RunFile(ctx, node, path)
		r.files[key] = res
		return res.b, res.err
	}
	nfs, err := r.c.Nodes.FS(ctx, node)
	if err == nil {
		res.b, res.err = nfs.ReadFile(ctx, path)
	} else {
		res.err = err
	}
	r.files[key] = res
	return res.b, res.err
}

// read is readFile with nil for a file that cannot be read.
func (r *Recoverer) read(ctx context.Context, node, path string) []byte {
	b, err := r.readFile(ctx, node, path)
	if err != nil {
		return nil
	}
	return b
}

// Digest returns hardening.FileDigest of f's content when every node has
// it exactly, else "missing on node X" or "<digest of X's copy> on node X"
// for the first node (by name) that does not.
func (r *Recoverer) Digest(ctx context.Context, nodes []string, f File) (string, error) {
	nodes = append([]string(nil), nodes...)
	sort.Strings(nodes)
	for _, node := range nodes {
		if _, err := r.c.Nodes.FS(ctx, node); err != nil {
			return "", err
		}
		got, err := r.readFile(ctx, node, f.Path)
		if errors.Is(err, fs.ErrNotExist) {
			return "missing on node " + node, nil
		}
		if err != nil {
			return "", fmt.Errorf("reading %s on node %s: %w", f.Path, node, err)
		}
		if !bytes.Equal(got, f.Content) {
			return hardening.FileDigest(got) + " on node " + node, nil
		}
	}
	return hardening.FileDigest(f.Content), nil
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
