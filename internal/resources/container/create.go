package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
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
	logStep(ctx, "create: checking the node channel", s.Node, s.VMID)
	if _, err := r.clients.Nodes.FS(ctx, s.Node); err != nil {
		resp.Diagnostics.AddError("Cannot reach the node", err.Error())
		return
	}
	logStep(ctx, "create: looking for a container an interrupted create left behind", s.Node, s.VMID)
	orphan, err := r.removeUnfinished(ctx, plan, s)
	if err != nil {
		resp.Diagnostics.AddError("Removing an unfinished container failed", err.Error())
		return
	}
	if orphan != 0 {
		r.adopt(ctx, plan, s, orphan, explicitSSH(ctx, req.Config, &resp.Diagnostics), resp)
		return
	}
	vmid := 0
	if !plan.VMID.IsUnknown() && !plan.VMID.IsNull() {
		vmid = s.VMID
	}
	params := hardening.CreateParams(s)
	delete(params, "vmid")
	params["onboot"] = "0"
	nonceTag := hardening.CreateTagPrefix + nonce()
	params["tags"] = strings.Join(hardening.SortedUnique(append(slices.Clone(s.Tags), hardening.UnfinishedTag, nonceTag)), ";")
	ours := func(cfg pve.CTConfig) bool {
		t, _ := cfg.String("tags")
		return slices.Contains(splitTags(t), nonceTag)
	}
	logStep(ctx, "create: creating the container (stopped, onboot off, tagged unfinished)", s.Node, vmid)
	id, upid, err := api.CreateCT(ctx, s.Node, vmid, params)
	if _, refused := pve.AsPermission(err); refused {
		// a 403 is PVE's definite refusal, before anything was created
		resp.Diagnostics.AddError("Creating the container failed: permission denied", err.Error())
		return
	}
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
		gone := r.cleanupFailedCreate(ctx, plan, s.Node, id, ours, &resp.Diagnostics)
		if gone {
			resp.State.RemoveResource(ctx)
			resp.Diagnostics.AddError(summary, fmt.Sprintf("%v\n\nCT %d on %s was removed again.", err, id, s.Node))
			return
		}
		resp.Diagnostics.AddError(summary, fmt.Sprintf("%v\n\nCT %d on %s could not be removed: it stays in state as tainted, stopped and with onboot off, "+
			"and the next apply replaces it.", err, id, s.Node))
	}
	logStep(ctx, "create: waiting for the create task", s.Node, id)
	if err := r.wait(ctx, plan, upid); err != nil {
		fail("Creating the container failed", err)
		return
	}
	logStep(ctx, "create: writing the hardening files", s.Node, id)
	if _, err := r.writeNodeFiles(ctx, s); err != nil {
		fail("Writing the hardening files failed", err)
		return
	}
	logStep(ctx, "create: finishing (onboot, the provider's tags removed)", s.Node, id)
	if err := r.finishCreate(ctx, s); err != nil {
		resp.Diagnostics.AddError("Finishing the container failed",
			fmt.Sprintf("%v\n\nCT %d on %s is hardened but stopped, with onboot off and the tag %s; it stays in state as tainted and "+
				"the next apply replaces it.", err, id, s.Node, hardening.UnfinishedTag))
		r.recordRead(ctx, plan, resp)
		return
	}
	if s.Started {
		logStep(ctx, "create: starting the container", s.Node, id)
		if err := r.startCreated(ctx, plan, s.Node, id); err != nil {
			resp.Diagnostics.AddError("Starting the container failed", err.Error())
		} else {
			r.enforceSSH(ctx, &plan, s.Node, id, explicitSSH(ctx, req.Config, &resp.Diagnostics), &resp.Diagnostics)
		}
	}
	r.recordRead(ctx, plan, resp)
}

// finishCreate turns onboot on (when wanted) and drops the provider's tags
// in one config change, after the hardening is written. The change is
// retried (boundedly) when its answer is lost or a lock or digest race
// refuses it: each attempt reads the config first and stops when the
// change is already there.
func (r *containerResource) finishCreate(ctx context.Context, s hardening.Spec) error {
	api := r.clients.API
	want := hardening.ConfigParams(s)["onboot"]
	var last error
	for attempt := 0; attempt < 4; attempt++ {
		if attempt > 0 && sleepCtx(ctx, time.Duration(attempt)*200*time.Millisecond) != nil {
			return ctx.Err()
		}
		cfg, err := api.CTConfig(ctx, s.Node, s.VMID, false)
		if err != nil {
			last = err
			continue
		}
		tags, _ := cfg.String("tags")
		onboot, _ := cfg.String("onboot")
		if !slices.ContainsFunc(splitTags(tags), hardening.IsProviderTag) && onboot == want {
			return nil
		}
		params := map[string]any{"onboot": want}
		if len(s.Tags) > 0 {
			params["tags"] = strings.Join(hardening.SortedUnique(s.Tags), ";")
		} else {
			params["delete"] = "tags"
		}
		if last = api.UpdateCTConfig(ctx, s.Node, s.VMID, params, cfg.Digest()); last == nil {
			return nil
		}
	}
	return last
}

// startCreated starts the new container, boundedly retrying when the
// answer is lost (a start whose answer was lost may have worked: each
// retry looks at the status first; the first attempt need not, the
// container was created stopped and nothing started it since).
func (r *containerResource) startCreated(ctx context.Context, m containerModel, node string, vmid int) error {
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 && sleepCtx(ctx, time.Duration(attempt)*300*time.Millisecond) != nil {
			return ctx.Err()
		}
		if attempt > 0 {
			if st, err := r.clients.API.CTStatus(ctx, node, vmid); err == nil {
				if status, _ := st.String("status"); status == "running" {
					return nil
				}
			}
		}
		if last = r.power(ctx, m, node, vmid, "start"); last == nil {
			return nil
		}
	}
	return last
}

// recordRead stores the observed container; when it cannot be read the
// partial state stays (with the read error).
func (r *containerResource) recordRead(ctx context.Context, plan containerModel, resp *resource.CreateResponse) {
	state, found := r.read(ctx, plan, false, &resp.Diagnostics)
	switch {
	case !found:
		resp.Diagnostics.AddError("Container vanished", fmt.Sprintf("CT %d on %s disappeared right after creation", plan.VMID.ValueInt64(),
			plan.Node.ValueString()))
		resp.State.RemoveResource(ctx)
	case resp.Diagnostics.HasError() && state.OSType.IsUnknown():
		// the read failed: keep the partial state
	default:
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		nullUnknowns(resp)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, sshMemoKey, sshMemoValue(state.sshMemo))...)
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

// removeUnfinished removes containers on s's node with s's hostname that
// an interrupted earlier create left behind (tag hardening.UnfinishedTag).
// It returns a complete one an interrupted run left outside state: the
// provider finished it (its hardening lines are the provider's, no
// unfinished tag), but terraform was killed before it saved the state. The
// caller adopts it. A node and a hostname identify a container across runs.
func (r *containerResource) removeUnfinished(ctx context.Context, m containerModel, s hardening.Spec) (int, error) {
	node, hostname := s.Node, s.Hostname
	cts, err := r.clients.API.ClusterContainers(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing the cluster's containers: %w", err)
	}
	var errs []error
	orphan := 0
	for _, ct := range cts {
		if ct.Node != node || ct.Name != hostname {
			continue
		}
		if !slices.Contains(splitTags(ct.Tags), hardening.UnfinishedTag) {
			if orphan == 0 && (s.VMID == 0 || s.VMID == ct.VMID) && r.providerMade(ctx, node, ct.VMID) {
				orphan = ct.VMID
			}
			continue
		}
		tflog.Info(ctx, "removing a container an interrupted create left behind", map[string]any{"node": node, "vmid": ct.VMID, "hostname": hostname})
		if ct.Status == "running" {
			if err := r.power(ctx, m, node, ct.VMID, "stop"); err != nil && !pve.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("stopping CT %d on %s: %w", ct.VMID, node, err))
				continue
			}
		}
		// only that very container: its VMID may be taken by a new one
		// the moment it is gone
		leftover := ct.Tags
		same := func(cfg pve.CTConfig) bool {
			t, _ := cfg.String("tags")
			h, _ := cfg.String("hostname")
			return h == hostname && sameTagSet(t, leftover)
		}
		if !r.destroy(ctx, m, node, ct.VMID, same) {
			errs = append(errs, fmt.Errorf("CT %d on %s (hostname %s, tag %s) is still there: remove it with `pct destroy %d --purge` on %s",
				ct.VMID, node, hostname, hardening.UnfinishedTag, ct.VMID, node))
		}
	}
	return orphan, errors.Join(errs...)
}

// providerMade reports whether a container's raw lines are the provider's
// (a generated AppArmor profile or a provider-written seccomp policy).
func (r *containerResource) providerMade(ctx context.Context, node string, vmid int) bool {
	cfg, err := r.clients.API.CTConfig(ctx, node, vmid, false)
	if err != nil {
		return false
	}
	for _, l := range cfg.LXCLines() {
		if (l.Key == "lxc.seccomp.profile" && strings.HasPrefix(l.Value, seccomp.Dir+"/")) ||
			(l.Key == "lxc.apparmor.profile" && strings.HasPrefix(l.Value, apparmor.NamePrefix)) {
			return true
		}
	}
	return false
}

// adopt takes over a complete container an interrupted run left outside
// state, brings it to the plan like an update would, and records it.
func (r *containerResource) adopt(ctx context.Context, plan containerModel, s hardening.Spec, vmid int, explicit bool, resp *resource.CreateResponse) {
	tflog.Info(ctx, "adopting the container an interrupted run created", map[string]any{"node": s.Node, "vmid": vmid, "hostname": s.Hostname})
	resp.Diagnostics.AddWarning("Adopted a container an interrupted run created",
		fmt.Sprintf("CT %d on %s (hostname %s) was created by this provider, but terraform stopped before it saved the state; it "+
			"is taken into state and brought to the configuration instead of creating a second one.",
			vmid, s.Node, s.Hostname))
	s.VMID = vmid
	plan.VMID = types.Int64Value(int64(vmid))
	plan.ID = types.StringValue(s.Node + "/" + strconv.Itoa(vmid))
	r.recordPartial(ctx, plan, resp)
	if err := r.applyUpdate(ctx, plan, s, &resp.Diagnostics); err != nil {
		resp.Diagnostics.AddError(err.summary, err.Error())
		return
	}
	if s.Started {
		r.enforceSSH(ctx, &plan, s.Node, vmid, explicit, &resp.Diagnostics)
	}
	r.recordRead(ctx, plan, resp)
}

func sameTagSet(a, b string) bool {
	return slices.Equal(hardening.SortedUnique(splitTags(a)), hardening.SortedUnique(splitTags(b)))
}

func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' })
}

// destroy deletes a stopped container that ours says is the one meant,
// and confirms it is gone. A container at that VMID that is not ours (PVE
// removed ours and another create took the VMID) is left alone: ours is
// gone. A delete whose answer was lost may still be running: the
// confirmation waits for it, boundedly.
func (r *containerResource) destroy(ctx context.Context, m containerModel, node string, vmid int, ours func(pve.CTConfig) bool) bool {
	api := r.clients.API
	for attempt := 0; attempt < 3; attempt++ {
		cfg, err := api.CTConfig(ctx, node, vmid, false)
		if pve.IsNotFound(err) {
			return true
		}
		if err == nil && !ours(cfg) {
			tflog.Warn(ctx, "the VMID now belongs to another container: left alone", map[string]any{"node": node, "vmid": vmid})
			return true
		}
		if lock, _ := cfg.String("lock"); lock != "destroyed" {
			upid, err := api.DeleteCT(ctx, node, vmid, true, true)
			if err == nil {
				err = r.wait(ctx, m, upid)
			}
			if err != nil && !pve.IsNotFound(err) {
				tflog.Warn(ctx, "deleting a container failed", map[string]any{"node": node, "vmid": vmid, "error": err.Error()})
			}
		}
		for i := 0; i < 10; i++ {
			if _, err := api.CTConfig(ctx, node, vmid, false); pve.IsNotFound(err) {
				return true
			}
			if sleepCtx(ctx, 200*time.Millisecond) != nil {
				return false
			}
		}
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// nonce is a random tag suffix for one create.
func nonce() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cleanupFailedCreate deletes a container whose creation did not complete
// and reports whether it is confirmed gone.
func (r *containerResource) cleanupFailedCreate(ctx context.Context, m containerModel, node string, vmid int, ours func(pve.CTConfig) bool,
	diags *diag.Diagnostics) bool {
	ctx = context.WithoutCancel(ctx)
	if r.destroy(ctx, m, node, vmid, ours) {
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
