package container

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/guest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// observeGuestFiles checks the baseline's required_guest_files inside the
// container (HC-MON-001); nothing is done while the list is empty (the
// rule's default), so Read stays at its fixed API cost.
func (r *containerResource) observeGuestFiles(ctx context.Context, node string, vmid int, running bool, diags *diag.Diagnostics) hardening.GuestFiles {
	if r.clients == nil || len(r.clients.Baseline.RequiredGuestFiles) == 0 {
		return hardening.GuestFiles{}
	}
	fs, err := r.clients.Nodes.FS(ctx, node)
	if err != nil {
		diags.AddWarning("The container's required files could not be checked", err.Error()+". HC-MON-001 fails until they can be.")
		return hardening.GuestFiles{Reason: err.Error()}
	}
	return guest.ObserveFiles(ctx, fs, vmid, running, r.clients.Baseline.RequiredGuestFiles)
}

// guestFilesPending: with HC-MON-001 on, the plan of a container this
// apply creates, or starts or stops, cannot know what will be found
// inside it, so its compliance is known only after apply.
func (r *containerResource) guestFilesPending(ctx context.Context, req resource.ModifyPlanRequest, plan containerModel) bool {
	if r.clients == nil || len(r.clients.Baseline.RequiredGuestFiles) == 0 {
		return false
	}
	if req.State.Raw.IsNull() {
		return true
	}
	var started types.Bool
	if d := req.State.GetAttribute(ctx, path.Root("started"), &started); d.HasError() {
		return true
	}
	return !started.Equal(plan.Started)
}
