package container

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// What runs is what the config says: see nodesync.ObserveRuntime for the
// signals. pending_restart shows what the running container does not run
// (its plan plans the restart), HC-RUN-001 fails with it.

func pendingRestartAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true,
		MarkdownDescription: md("Empty when the running container runs what its config says; else what it does not run, e.g.",
			"`restart owed: lxc.cap.drop, lxc.seccomp.profile changed while it ran` or `lxc.apparmor.profile: the running init runs under "+
				"\"unconfined\", not \"lxc-web\"`.",
			"Observed on every refresh from the node (a restart record the provider keeps on the cluster, bound to the running init process, and the init's",
			"/proc view: capability bounding set, seccomp mode, AppArmor label), so a restart that failed or was interrupted shows here and in HC-RUN-001,",
			"and the plan performs it (with `restart_on_hardening_change = true`, the default; with `false` it stays, with a plan warning)."),
	}
}

// pendingRestartText is the pending_restart value of an observed Runtime.
func pendingRestartText(rt hardening.Runtime) types.String {
	return types.StringValue(strings.Join(rt.Stale, "; "))
}

// planPendingRestart is pending_restart after the apply: empty for a new
// container and when the apply restarts a running one that owes it
// (restart_on_hardening_change); with restarts off, the state's value
// while the apply changes nothing that runs (the raw lines, the node
// files, the power state), else known only after the apply.
func planPendingRestart(plan containerModel, state *containerModel) types.String {
	if state == nil {
		return types.StringValue("")
	}
	if plan.RestartOnChange.IsUnknown() {
		return types.StringUnknown()
	}
	if plan.RestartOnChange.ValueBool() {
		return types.StringValue("")
	}
	if !plan.Started.Equal(state.Started) || !plan.LXCLines.Equal(state.LXCLines) || !plan.NodeFiles.Equal(state.NodeFiles) {
		return types.StringUnknown()
	}
	if state.PendingRestart.IsNull() {
		return types.StringValue("")
	}
	return state.PendingRestart
}

// observedRules are the rules a plan carries over from the last
// observation: observedOnly, and HC-RUN-001 while a restart stays owed
// (restart_on_hardening_change = false).
func observedRules(pending types.String) map[string]bool {
	if pending.IsUnknown() || pending.ValueString() == "" {
		return observedOnly
	}
	out := map[string]bool{"HC-RUN-001": true}
	for k, v := range observedOnly {
		out[k] = v
	}
	return out
}

// warnRestartWaits warns when a restart is owed and stays owed:
// restart_on_hardening_change is false.
func warnRestartWaits(plan, state containerModel, diags *diag.Diagnostics) {
	if state.PendingRestart.ValueString() == "" || plan.RestartOnChange.IsUnknown() || plan.RestartOnChange.ValueBool() {
		return
	}
	diags.AddAttributeWarning(path.Root("pending_restart"), "A restart is owed",
		fmt.Sprintf("CT %d runs hardening older than its config (%s): the new confinement is configured but not active (HC-RUN-001). "+
			"restart_on_hardening_change is false, so no apply restarts it: restart it by hand (pct reboot %d) or set restart_on_hardening_change = true.",
			state.VMID.ValueInt64(), state.PendingRestart.ValueString(), state.VMID.ValueInt64()))
}
