package container

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// The SSH policy at plan time: validation of an ssh_server block, the
// planned installed, and what HC-SSH-001 will observe after the apply.

// validateSSHServer checks an ssh_server written in the configuration:
// the policy needs a running container, key_only cannot be switched off
// (the attribute exists to show drift), and enabled = false takes no
// policy settings.
func validateSSHServer(m containerModel, diags *diag.Diagnostics) {
	if m.SSHServer.IsNull() || m.SSHServer.IsUnknown() {
		return
	}
	attrs := m.SSHServer.Attributes()
	if en, ok := attrs["enabled"].(types.Bool); ok && !en.IsNull() && !en.IsUnknown() && !en.ValueBool() {
		for _, k := range []string{"permit_root_login", "key_only", "banner", "allow_users"} {
			if v := attrs[k]; v != nil && !v.IsNull() {
				diags.AddAttributeError(path.Root("ssh_server").AtName(k), "ssh_server is disabled",
					fmt.Sprintf("`enabled = false` leaves sshd's configuration alone, so `%s` would have no effect. Remove it, or remove `enabled = false` "+
						"to have the provider enforce it.", k))
			}
		}
		return
	}
	if !m.Started.IsNull() && !m.Started.IsUnknown() && !m.Started.ValueBool() {
		diags.AddAttributeError(path.Root("ssh_server"), "ssh_server needs a running container",
			"PVE's pct push and pct exec reach only a running container, so the SSH policy set here can be neither written nor checked while "+
				"`started = false`. Set `started = true`, or remove `ssh_server` (the default policy then applies whenever the container runs).")
	}
	if ko, ok := attrs["key_only"].(types.Bool); ok && !ko.IsNull() && !ko.IsUnknown() && !ko.ValueBool() {
		diags.AddAttributeError(path.Root("ssh_server").AtName("key_only"), "Password authentication is not allowed",
			"`key_only = false` would let sshd accept passwords (seed 000: \"SSH: key-only auth\"). Remove the attribute (default `true`) and give users keys.")
	}
}

// planSSH completes the planned ssh_server (installed: the state's answer,
// unknown when this apply looks) and returns what HC-SSH-001 observes
// after the apply; pending is true when only the apply can tell.
// explicit: the configuration has an ssh_server block.
func planSSH(ctx context.Context, plan *containerModel, state *containerModel, explicit bool, diags *diag.Diagnostics) (hardening.GuestSSH, bool) {
	pm, ok := sshModelOf(ctx, plan.SSHServer, diags)
	if !ok {
		return hardening.GuestSSH{Pending: true}, true
	}
	started := plan.Started.IsNull() || plan.Started.IsUnknown() || plan.Started.ValueBool()
	installed := types.BoolUnknown()
	hasPriorRule := false
	if state != nil {
		if sm, ok := sshModelOf(ctx, state.SSHServer, diags); ok && !sm.Installed.IsUnknown() {
			installed = sm.Installed
			if installed.IsNull() && started && pm.enabled() {
				installed = types.BoolUnknown() // this apply looks inside the running container
			}
		}
		if rules, ok := state.Compliance.Attributes()["rules"].(types.Map); ok && !rules.IsNull() && !rules.IsUnknown() {
			_, hasPriorRule = rules.Elements()[sshRule]
		}
	}
	pm.Installed = installed
	plan.SSHServer = sshObject(ctx, pm, diags)
	if explicit && pm.enabled() && !installed.IsUnknown() && !installed.IsNull() && !installed.ValueBool() {
		diags.AddAttributeWarning(path.Root("ssh_server"), "The container has no OpenSSH server",
			fmt.Sprintf("ssh_server is set, but CT %d has no sshd (observed with pct exec): there is nothing to enforce, and nothing listens. "+
				"The policy is enforced once OpenSSH is installed and the container restarts (or remove ssh_server: the default policy "+
				"applies wherever OpenSSH is).", plan.VMID.ValueInt64()))
	}
	g := sshVerdict(ctx, *plan, diags)
	switch {
	case !pm.enabled():
		return g, !hasPriorRule
	case g.Installed && len(g.Weaknesses) > 0:
		return g, installed.IsUnknown() || installed.IsNull()
	}
	return g, false
}

// sshVerdict is what HC-SSH-001 observes after an apply of the planned
// model m: the planned policy in effect wherever sshd may be (installed
// true or not known yet: a weakness the configuration asks for fails the
// plan), nothing where there is none or the container is stopped. With
// enabled = false the provider writes nothing: the observation decides
// (Pending; a plan carries the last observed outcome over).
func sshVerdict(ctx context.Context, m containerModel, diags *diag.Diagnostics) hardening.GuestSSH {
	pm, ok := sshModelOf(ctx, m.SSHServer, diags)
	switch {
	case !ok || !pm.enabled():
		return hardening.GuestSSH{Pending: true}
	case !m.Started.IsNull() && !m.Started.IsUnknown() && !m.Started.ValueBool():
		return hardening.GuestSSH{Stopped: true}
	case !pm.Installed.IsUnknown() && !pm.Installed.IsNull() && !pm.Installed.ValueBool():
		return hardening.GuestSSH{Observed: true}
	}
	p, _ := sshPolicy(ctx, m.SSHServer, diags)
	return hardening.GuestSSH{Observed: true, Installed: true, Weaknesses: sshdconfig.Weaknesses(p.Want())}
}

// explicitSSH reports whether the configuration has an ssh_server block.
func explicitSSH(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) bool {
	var o types.Object
	diags.Append(config.GetAttribute(ctx, path.Root("ssh_server"), &o)...)
	return !o.IsNull()
}

// withSSHObserved adds HC-SSH-001 to the rules whose last observed outcome
// a plan carries over when the provider does not write sshd's
// configuration (ssh_server.enabled = false: sshVerdict is Pending).
func withSSHObserved(only map[string]bool, g hardening.GuestSSH) map[string]bool {
	if !g.Pending {
		return only
	}
	out := map[string]bool{sshRule: true}
	for k, v := range only {
		out[k] = v
	}
	return out
}

// enforceSSH is applySSH for a running container of an apply: the plan's
// installed becomes what it found, a failure an error on ssh_server (the
// state then says what sshd has in effect, and the next plan shows it).
func (r *containerResource) enforceSSH(ctx context.Context, plan *containerModel, node string, vmid int, explicit bool, diags *diag.Diagnostics) {
	installed, err := r.applySSH(ctx, *plan, node, vmid, explicit, diags)
	plan.SSHServer = withInstalled(ctx, plan.SSHServer, installed, diags)
	if err != nil {
		diags.AddAttributeError(path.Root("ssh_server"), "Writing the SSH policy failed",
			fmt.Sprintf("CT %d on %s runs, but its sshd is not configured as planned: %v. The next plan shows what sshd has in effect.", vmid, node, err))
	}
}
