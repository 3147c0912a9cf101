// Package audit is the hardened_audit data source: every container of the
// cluster (or of a node, or a VMID list), managed by Terraform or not,
// observed and checked against the baseline: "what in my cluster is not
// hardened".
package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/guest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodesync"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// Filter selects containers: on Node (any when ""), with a VMID in VMIDs
// (any when nil).
type Filter struct {
	Node  string
	VMIDs map[int]bool
}

func (f Filter) match(ct pve.CTResource) bool {
	return (f.Node == "" || ct.Node == f.Node) && (f.VMIDs == nil || f.VMIDs[ct.VMID])
}

// Result is one audited container.
type Result struct {
	CT       pve.CTResource
	Findings []policy.Finding
}

// Failing are the failing findings.
func (r Result) Failing() []policy.Finding {
	var out []policy.Finding
	for _, f := range r.Findings {
		if f.Status == policy.StatusFail {
			out = append(out, f)
		}
	}
	return out
}

// Run audits the selected containers against b. API cost: one cluster
// resources call, one of the datacenter firewall's options (HC-FW-004,
// the same for every container) and one of the backup jobs (HC-BAK-001;
// plus one resources call when a job selects a pool), then two calls per container (its
// config, which carries the raw lxc.* lines, and its firewall options), and
// one pct exec per running container (the SSH probe: sshd -T and sshd -T -C per probe connection, HC-SSH-001) on its node. Provider-written
// confinement files are read through the node channel once each, to tell a
// generated AppArmor profile or seccomp policy from a foreign or edited one.
func Run(ctx context.Context, c *providerdata.Clients, f Filter, b policy.Baseline) ([]Result, error) {
	cts, err := c.API.ClusterContainers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the cluster's containers: %w", err)
	}
	// cluster-wide, read once per audit (now, not the run's snapshot: an
	// audit that depends on hardened_cluster_firewall sees its change)
	dc, err := providerdata.ReadDatacenterFirewall(ctx, c)
	if err != nil {
		return nil, err
	}
	jobs, err := providerdata.ReadBackupJobs(ctx, c.API)
	if err != nil {
		return nil, err
	}
	rec := nodesync.NewRecoverer(c)
	var out []Result
	for _, ct := range cts {
		if !f.match(ct) {
			continue
		}
		s, err := observe(ctx, c, rec, ct)
		if err != nil {
			return nil, fmt.Errorf("CT %d on %s: %w", ct.VMID, ct.Node, err)
		}
		s.DatacenterFirewall = dc
		s.Backup = jobs.Coverage(ct.VMID, ct.Node)
		if err := observeGuest(ctx, c, ct, b, &s); err != nil {
			return nil, err
		}
		out = append(out, Result{CT: ct, Findings: policy.Check(s, b, nil)})
	}
	return out, nil
}

// observeGuest looks inside a running container through pct exec, only
// for the rules that are on: the required files (HC-MON-001: one call per
// path) and the OpenSSH server (HC-SSH-001: one pct exec of the SSH probe).
func observeGuest(ctx context.Context, c *providerdata.Clients, ct pve.CTResource, b policy.Baseline, s *hardening.Spec) error {
	running := ct.Status == "running"
	if !running {
		s.SSH = hardening.GuestSSH{Stopped: true}
	}
	if len(b.RequiredGuestFiles) == 0 && (!b.RequireSSHPolicy || !running) {
		return nil
	}
	fs, err := c.Nodes.FS(ctx, ct.Node)
	if err != nil {
		return err
	}
	if len(b.RequiredGuestFiles) > 0 {
		s.GuestFiles = guest.ObserveFiles(ctx, fs, ct.VMID, running, b.RequiredGuestFiles)
	}
	if b.RequireSSHPolicy && running {
		s.SSH, _ = guest.ObserveSSH(ctx, fs, ct.VMID)
	}
	return nil
}

// observe reads a container into a Spec. Nothing is configured for it, so
// a seccomp profile line is a custom policy until its file shows it is one
// the provider wrote.
func observe(ctx context.Context, c *providerdata.Clients, rec *nodesync.Recoverer, ct pve.CTResource) (hardening.Spec, error) {
	api := c.API
	cfg, err := api.CTConfig(ctx, ct.Node, ct.VMID, false)
	if err != nil {
		return hardening.Spec{}, err
	}
	opts, err := api.CTFirewallOptions(ctx, ct.Node, ct.VMID)
	if err != nil {
		return hardening.Spec{}, err
	}
	o := hardening.Observed{Node: ct.Node, VMID: ct.VMID, Config: cfg.Values(), LXC: cfg.LXCLines(), FWOptions: opts,
		Seccomp: seccomp.Policy{Mode: seccomp.ModeDefault}, Running: ct.Status == "running"}
	o.Files = rec.Files(ctx, ct.Node, o.LXC)
	s := hardening.Observe(o)
	s.Description = strings.TrimRight(s.Description, "\n")
	if o.Running {
		// what runs, as the container's own refresh sees it (HC-RUN-001)
		st, err := api.CTStatus(ctx, ct.Node, ct.VMID)
		if err != nil && !pve.IsNotFound(err) {
			return hardening.Spec{}, err
		}
		pid, _ := st.Int("pid")
		s.Runtime = nodesync.ObserveRuntime(ctx, c, s, int(pid))
	}
	return s, nil
}

// splitTags splits PVE's tag list (";" separated; "," and " " accepted).
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' })
}
