package container

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodesync"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// fetched is everything one observation of a container reads, before it
// becomes a Spec: one API call (the config) plus the container's status
// (from the run's cluster snapshot on a refresh) and its firewall file
// (one node-channel read).
type fetched struct {
	cfg     pve.CTConfig
	running bool
	pid     int // the running init's pid on the node (0: stopped, or not known)
	fw      firewall.Config
}

// fetch reads the container node/vmid; the error is pve.IsNotFound when it
// no longer exists. With snapshot (a refresh), the status comes from the
// run's GET /cluster/resources; Create and Update, which change it, ask the
// container.
func (r *containerResource) fetch(ctx context.Context, node string, vmid int, snapshot bool) (fetched, string, error) {
	var f fetched
	cfg, err := r.clients.API.CTConfig(ctx, node, vmid, false)
	if err != nil {
		return f, "Reading the container failed", err
	}
	f.cfg = cfg
	if f.running, f.pid, err = r.running(ctx, node, vmid, snapshot); err != nil {
		return f, "Reading the container's status failed", err
	}
	if f.fw, err = r.readFirewall(ctx, node, vmid); err != nil {
		return f, "Reading the container's firewall failed", err
	}
	return f, "", nil
}

// running reports whether the container runs and its init's pid. A
// stopped container in the run's snapshot costs no call; a running one
// asks status/current for the pid (PVE reads it with lxc-info), which the
// observation of the running confinement needs: at most two API calls per
// container and refresh.
func (r *containerResource) running(ctx context.Context, node string, vmid int, snapshot bool) (bool, int, error) {
	if snapshot {
		ct, ok, err := r.clients.ClusterContainer(ctx, node, vmid)
		if err != nil {
			return false, 0, err
		}
		if ok && ct.Status != "running" {
			return false, 0, nil
		}
	}
	st, err := r.clients.API.CTStatus(ctx, node, vmid)
	if err != nil {
		return false, 0, err
	}
	status, _ := st.String("status")
	if status != "running" {
		return false, 0, nil
	}
	pid, _ := st.Int("pid")
	return true, int(pid), nil
}

// readFirewall reads the container's /etc/pve/firewall/<vmid>.fw through
// the node channel in one read and parses it the way pve-firewall does
// (a broken line is skipped, as PVE skips it; a missing file is an empty
// firewall, as the API reports it).
func (r *containerResource) readFirewall(ctx context.Context, node string, vmid int) (firewall.Config, error) {
	nfs, err := r.clients.Nodes.FS(ctx, node)
	if err != nil {
		return firewall.Config{}, err
	}
	b, err := nfs.ReadFile(ctx, fwPath(vmid))
	if errors.Is(err, fs.ErrNotExist) {
		return firewall.Config{}, nil
	}
	if err != nil {
		return firewall.Config{}, fmt.Errorf("reading %s on node %s: %w", fwPath(vmid), node, err)
	}
	c, _ := firewall.Parse(b)
	return c, nil
}

// observed is the observation's input from what fetch read.
func observed(node string, vmid int, f fetched, configured hardening.Spec, declared map[string]bool) hardening.Observed {
	return hardening.Observed{Node: node, VMID: vmid, Config: f.cfg.Values(), LXC: f.cfg.LXCLines(),
		FWOptions: f.fw.Options.Values(), FWRules: f.fw.Rules, FWIPSets: f.fw.IPSets, FWAliases: f.fw.Aliases,
		DeclaredIPSets: declared, AppArmor: configured.AppArmor, Seccomp: configured.Seccomp, Running: f.running}
}

// observeConfinement reports, for each file the spec needs, its digest if
// every node that needs it has it exactly, else what is wrong where. It
// reads through rec, which already holds the files the observation read.
func (r *containerResource) observeConfinement(ctx context.Context, rec *nodesync.Recoverer, s hardening.Spec) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range hardening.NodeFiles(s) {
		nodes, err := r.confinementNodes(ctx, f, s.Node)
		if err != nil {
			return nil, err
		}
		if out[f.Path], err = rec.Digest(ctx, nodes, syncFile(f)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
