package container

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodesync"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// applyUpdate changes the API config, the node files and the power state.
func (r *containerResource) applyUpdate(ctx context.Context, plan containerModel, s hardening.Spec, diags *diag.Diagnostics) *stepError {
	cfg, serr := r.applyConfigChange(ctx, s)
	if serr != nil {
		return serr
	}
	u, serr := r.applyNodeFiles(ctx, s, cfg)
	if serr != nil {
		return serr
	}
	return r.applyPower(ctx, plan, s, u, diags)
}

// applyConfigChange grows the volumes the plan grows, then changes the API
// config to the plan's (keys set and deleted, guarded by the config's
// digest). It returns the config as read before the change: its raw lxc.*
// lines are those the running container may still run.
func (r *containerResource) applyConfigChange(ctx context.Context, s hardening.Spec) (pve.CTConfig, *stepError) {
	api := r.clients.API
	logStep(ctx, "update: reading the container's config", s.Node, s.VMID)
	cfg, err := api.CTConfig(ctx, s.Node, s.VMID, false)
	if err != nil {
		return cfg, &stepError{"Reading the container failed", err}
	}
	if grown, err := r.growVolumes(ctx, s, cfg); err != nil {
		return cfg, &stepError{"Growing a volume failed", err}
	} else if grown {
		if cfg, err = api.CTConfig(ctx, s.Node, s.VMID, false); err != nil {
			return cfg, &stepError{"Reading the container failed", err}
		}
	}
	if set, del := configDiff(s, cfg); len(set) > 0 || len(del) > 0 {
		params := map[string]any{}
		for k, v := range set {
			params[k] = v
		}
		if len(del) > 0 {
			params["delete"] = strings.Join(del, ",")
		}
		logStep(ctx, "update: changing the container's config through the API", s.Node, s.VMID)
		if err := api.UpdateCTConfig(ctx, s.Node, s.VMID, params, cfg.Digest()); err != nil {
			return cfg, &stepError{"Updating the container's config failed", err}
		}
	}
	return cfg, nil
}

// nodeUpdate is what applyNodeFiles observed and did, for applyPower.
type nodeUpdate struct {
	running      bool      // the container was running
	pid          int64     // its init's pid (when running)
	nfs          nodefs.FS // the node channel
	linesChanged bool      // the raw lxc.* lines changed
}

// applyNodeFiles reads the container's status, records the owed restart of a
// running container on the cluster (before the lines change) and writes the
// hardening files on the node.
func (r *containerResource) applyNodeFiles(ctx context.Context, s hardening.Spec, cfg pve.CTConfig) (nodeUpdate, *stepError) {
	var u nodeUpdate
	logStep(ctx, "update: reading the container's status", s.Node, s.VMID)
	st, err := r.clients.API.CTStatus(ctx, s.Node, s.VMID)
	if err != nil {
		return u, &stepError{"Reading the container's status failed", err}
	}
	status, _ := st.String("status")
	u.running = status == "running"
	u.pid, _ = st.Int("pid")
	u.nfs, err = r.clients.Nodes.FS(ctx, s.Node)
	if err != nil {
		return u, &stepError{"Writing the hardening files failed", err}
	}
	if u.running {
		// on the cluster before the lines change: a failed or killed
		// apply leaves the owed restart visible to the next refresh
		if err := nodesync.RecordRestartOwed(ctx, r.clients, u.nfs, s, int(u.pid), cfg.LXCLines(), hardening.LXCLines(s)); err != nil {
			return u, &stepError{"Recording the owed restart failed", err}
		}
	}
	logStep(ctx, "update: writing the hardening files", s.Node, s.VMID)
	u.linesChanged, err = r.writeNodeFiles(ctx, s)
	if err != nil {
		return u, &stepError{"Writing the hardening files failed", err}
	}
	return u, nil
}

// applyPower decides the power change (start, shutdown, reboot for a restart
// owed, or a warning when restart_on_hardening_change is false), performs it
// and clears the restart record once no restart is owed.
func (r *containerResource) applyPower(
	ctx context.Context, plan containerModel, s hardening.Spec, u nodeUpdate, diags *diag.Diagnostics,
) *stepError {
	running := u.running
	owed := false
	if running {
		// a restart owed from an earlier apply, or a running init that
		// does not run what the config says
		owed = len(nodesync.ObserveRuntime(ctx, r.clients, s, int(u.pid)).Stale) > 0
	}
	pending := running && r.hasPending(ctx, s)
	restart := running && (u.linesChanged || pending || owed)
	powered := true
	var err error
	switch {
	case s.Started && !running:
		err = r.power(ctx, plan, s.Node, s.VMID, "start")
	case !s.Started && running:
		err = r.power(ctx, plan, s.Node, s.VMID, "shutdown")
	case restart && plan.RestartOnChange.ValueBool():
		err = r.power(ctx, plan, s.Node, s.VMID, "reboot")
	case restart:
		powered = false
		diags.AddWarning("Changes wait for the next restart",
			"restart_on_hardening_change is false: the new raw lxc.* lines and any pending keys (see the container's "+
				"Pending view) take effect when the container is restarted; until then pending_restart and HC-RUN-001 show the restart owed.")
	default:
		powered = false
	}
	if err != nil {
		return &stepError{"Changing the container's power state failed", err}
	}
	if powered || !running {
		// the container (re)started from its current config or stopped:
		// no restart is owed (a record left over is stale anyway)
		if err := nodesync.ClearRestartOwed(ctx, u.nfs, s.VMID); err != nil {
			diags.AddWarning("Restart record left behind",
				fmt.Sprintf("%s: %v (it is stale: the container restarted since)", nodesync.RestartRecordPath(s.VMID), err))
		}
	}
	return nil
}
