package container

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// Create never leaves a container that is less hardened than the ones it
// manages, and never one outside state:
//
//  1. leftovers of an interrupted earlier create for the same node and
//     hostname (tag hardening.UnfinishedTag) are removed;
//  2. the container is created stopped, with onboot off and the
//     unfinished tag: nothing starts it before its hardening exists;
//  3. from the moment PVE has it, the state records it (every unknown
//     computed value null), so any later failure leaves a tainted resource
//     that the next apply replaces;
//  4. the raw lxc lines, confinement files and .fw are written;
//  5. one config change sets onboot and the tags without the marker;
//  6. it is started when `started` says so.
//
// A failure in 2-4 removes the container again; only when the removal is
// confirmed does the resource leave state.
func (r *containerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan containerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	s, ok := r.validSpec(ctx, plan, &resp.Diagnostics)
	if pw := writeOnlyPassword(ctx, req.Config, &resp.Diagnostics); pw != "" {
		s.RootPassword = pw
	}
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	api := r.clients.API
	// fail before anything exists when the node channel is unusable
	if _, err := r.clients.Nodes.FS(ctx, s.Node); err != nil {
		resp.Diagnostics.AddError("Cannot reach the node", err.Error())
		return
	}
	if err := r.removeUnfinished(ctx, plan, s.Node, s.Hostname); err != nil {
		resp.Diagnostics.AddError("Removing an unfinished container failed", err.Error())
		return
	}
	vmid := 0
	if !plan.VMID.IsUnknown() && !plan.VMID.IsNull() {
		vmid = s.VMID
	}
	params := hardening.CreateParams(s)
	delete(params, "vmid")
	params["onboot"] = "0"
	params["tags"] = strings.Join(hardening.SortedUnique(append(slices.Clone(s.Tags), hardening.UnfinishedTag)), ";")
	id, upid, err := api.CreateCT(ctx, s.Node, vmid, params)
	if err != nil {
		resp.Diagnostics.AddError("Creating the container failed", err.Error()+
			"\n\nIf PVE created it nonetheless (the connection broke after the request was sent), it is stopped, does not start on boot and carries the tag "+
			hardening.UnfinishedTag+": the next apply of this resource removes it.")
		return
	}
	s.VMID = id
	tflog.Info(ctx, "container create task started", map[string]any{"node": s.Node, "vmid": id})
	plan.VMID = types.Int64Value(int64(id))
	plan.ID = types.StringValue(s.Node + "/" + strconv.Itoa(id))
	r.recordPartial(ctx, plan, resp)

	fail := func(summary string, err error) {
		gone := r.cleanupFailedCreate(ctx, plan, s.Node, id, &resp.Diagnostics)
		if gone {
			resp.State.RemoveResource(ctx)
			resp.Diagnostics.AddError(summary, fmt.Sprintf("%v\n\nCT %d on %s was removed again.", err, id, s.Node))
			return
		}
		resp.Diagnostics.AddError(summary, fmt.Sprintf("%v\n\nCT %d on %s could not be removed: it stays in state as tainted, stopped and with onboot off, and the next apply replaces it.", err, id, s.Node))
	}
	if err := r.wait(ctx, plan, upid); err != nil {
		fail("Creating the container failed", err)
		return
	}
	if _, err := r.writeNodeFiles(ctx, s); err != nil {
		fail("Writing the hardening files failed", err)
		return
	}
	if err := r.finishCreate(ctx, s); err != nil {
		resp.Diagnostics.AddError("Finishing the container failed",
			fmt.Sprintf("%v\n\nCT %d on %s is hardened but stopped, with onboot off and the tag %s; it stays in state as tainted and the next apply replaces it.", err, id, s.Node, hardening.UnfinishedTag))
		r.recordRead(ctx, plan, resp)
		return
	}
	if s.Started {
		if err := r.power(ctx, plan, s.Node, id, "start"); err != nil {
			resp.Diagnostics.AddError("Starting the container failed", err.Error())
		}
	}
	r.recordRead(ctx, plan, resp)
}

// finishCreate turns onboot on (when wanted) and drops the unfinished tag
// in one config change, after the hardening is written.
func (r *containerResource) finishCreate(ctx context.Context, s hardening.Spec) error {
	cfg, err := r.clients.API.CTConfig(ctx, s.Node, s.VMID, false)
	if err != nil {
		return err
	}
	params := map[string]any{"onboot": hardening.ConfigParams(s)["onboot"]}
	if len(s.Tags) > 0 {
		params["tags"] = strings.Join(hardening.SortedUnique(s.Tags), ";")
	} else {
		params["delete"] = "tags"
	}
	return r.clients.API.UpdateCTConfig(ctx, s.Node, s.VMID, params, cfg.Digest())
}

// recordRead stores the observed container; when it cannot be read the
// partial state stays (with the read error).
func (r *containerResource) recordRead(ctx context.Context, plan containerModel, resp *resource.CreateResponse) {
	state, found := r.read(ctx, plan, &resp.Diagnostics)
	switch {
	case !found:
		resp.Diagnostics.AddError("Container vanished", fmt.Sprintf("CT %d on %s disappeared right after creation", plan.VMID.ValueInt64(), plan.Node.ValueString()))
		resp.State.RemoveResource(ctx)
	case resp.Diagnostics.HasError() && state.OSType.IsUnknown():
		// the read failed: keep the partial state
	default:
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		nullUnknowns(resp)
	}
}

// recordPartial records the container as it is planned, with every value
// only PVE knows (MAC, volume, ostype, ...) null: a state that never holds
// an unknown and never claims what isn't there.
func (r *containerResource) recordPartial(ctx context.Context, plan containerModel, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	nullUnknowns(resp)
}

func nullUnknowns(resp *resource.CreateResponse) {
	raw, err := tftypes.Transform(resp.State.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		resp.Diagnostics.AddError("Recording the container failed", err.Error())
		return
	}
	resp.State.Raw = raw
}

// removeUnfinished removes containers on node with this hostname that an
// interrupted earlier create left behind (tag hardening.UnfinishedTag).
func (r *containerResource) removeUnfinished(ctx context.Context, m containerModel, node, hostname string) error {
	cts, err := r.clients.API.ClusterContainers(ctx)
	if err != nil {
		return fmt.Errorf("listing the cluster's containers: %w", err)
	}
	var errs []error
	for _, ct := range cts {
		if ct.Node != node || ct.Name != hostname || !slices.Contains(splitTags(ct.Tags), hardening.UnfinishedTag) {
			continue
		}
		tflog.Info(ctx, "removing a container an interrupted create left behind", map[string]any{"node": node, "vmid": ct.VMID, "hostname": hostname})
		if ct.Status == "running" {
			if err := r.power(ctx, m, node, ct.VMID, "stop"); err != nil && !pve.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("stopping CT %d on %s: %w", ct.VMID, node, err))
				continue
			}
		}
		if !r.destroy(ctx, m, node, ct.VMID) {
			errs = append(errs, fmt.Errorf("CT %d on %s (hostname %s, tag %s) is still there: remove it with `pct destroy %d --purge` on %s",
				ct.VMID, node, hostname, hardening.UnfinishedTag, ct.VMID, node))
		}
	}
	return errors.Join(errs...)
}

func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' })
}

// destroy deletes a stopped container and confirms it is gone.
func (r *containerResource) destroy(ctx context.Context, m containerModel, node string, vmid int) bool {
	upid, err := r.clients.API.DeleteCT(ctx, node, vmid, true, true)
	if err == nil {
		err = r.wait(ctx, m, upid)
	}
	if err != nil && !pve.IsNotFound(err) {
		tflog.Warn(ctx, "deleting a container failed", map[string]any{"node": node, "vmid": vmid, "error": err.Error()})
	}
	_, err = r.clients.API.CTConfig(ctx, node, vmid, false)
	return pve.IsNotFound(err)
}

// cleanupFailedCreate deletes a container whose creation did not complete
// and reports whether it is confirmed gone.
func (r *containerResource) cleanupFailedCreate(ctx context.Context, m containerModel, node string, vmid int, diags *diag.Diagnostics) bool {
	ctx = context.WithoutCancel(ctx)
	if r.destroy(ctx, m, node, vmid) {
		return true
	}
	diags.AddWarning("Cleanup after a failed create did not finish",
		fmt.Sprintf("CT %d on %s is left behind (stopped, onboot off, tag %s). The next apply replaces it; by hand: `pct destroy %d --purge` on %s.",
			vmid, node, hardening.UnfinishedTag, vmid, node))
	return false
}

// writeOnlyPassword is root_password_wo from the configuration (the only
// place Terraform sends a write-only value); "" when unset. A value that was
// unknown at plan time is checked here.
func writeOnlyPassword(ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) string {
	var wo types.String
	diags.Append(cfg.GetAttribute(ctx, path.Root("root_password_wo"), &wo)...)
	if wo.IsNull() || wo.IsUnknown() {
		return ""
	}
	if n := len([]rune(wo.ValueString())); n < 5 {
		diags.AddAttributeError(path.Root("root_password_wo"), "Password too short",
			fmt.Sprintf("root_password_wo has %d characters; PVE needs at least 5.", n))
		return ""
	}
	return wo.ValueString()
}
