// Package container implements the hardened_container resource.
package container

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodesync"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/problems"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

var (
	_ resource.Resource                   = &containerResource{}
	_ resource.ResourceWithConfigure      = &containerResource{}
	_ resource.ResourceWithImportState    = &containerResource{}
	_ resource.ResourceWithValidateConfig = &containerResource{}
	_ resource.ResourceWithModifyPlan     = &containerResource{}
)

var nodeNameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$`)

type containerResource struct {
	clients *providerdata.Clients
}

// NewResource is the hardened_container constructor.
func NewResource() resource.Resource { return &containerResource{} }

func (r *containerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_container"
}

func (r *containerResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

func (r *containerResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m containerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateSSHServer(m, &resp.Diagnostics)
	var d diag.Diagnostics
	s := toSpec(ctx, m, &d)
	if d.HasError() {
		return // unknown nested values: validated again at apply
	}
	// unset optional values are validated as their defaults
	if m.Unprivileged.IsNull() {
		s.Unprivileged = true
	}
	// warnings come once, from ModifyPlan (with the defaults applied)
	problems.AddKnown(ctx, &resp.Diagnostics, req.Config, problems.Errors(hardening.Validate(s)))
}

// ModifyPlan validates the planned container (with every default applied)
// and checks it against the provider's baseline, then makes the derived
// views (lxc_lines, firewall_file, node_files) and the predicted
// compliance known at plan time, so policy tools see them in the plan JSON.
func (r *containerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan containerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// nothing outside the provider's model survives an apply
	plan.UnmanagedConfig = types.ListValueMust(types.StringType, nil)
	var state *containerModel
	if !req.State.Raw.IsNull() {
		state = &containerModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		problems.AddKnown(ctx, &resp.Diagnostics, req.Plan, mountPointChanges(ctx, plan, *state, &resp.Diagnostics))
		problems.AddKnown(ctx, &resp.Diagnostics, req.Plan, rootFSShrink(ctx, plan, *state, &resp.Diagnostics))
		guardImportReplace(ctx, req, resp, plan, *state)
		if resp.Diagnostics.HasError() {
			return
		}
		warnRestartWaits(plan, *state, &resp.Diagnostics)
	}
	// what runs after the apply; set again once the derived views are known
	plan.PendingRestart = planPendingRestart(plan, state)
	sshAfter, sshPending := planSSH(ctx, &plan, state, explicitSSH(ctx, req.Config, &resp.Diagnostics), &resp.Diagnostics)
	var d diag.Diagnostics
	s := toSpec(ctx, plan, &d)
	s.SSH = sshAfter
	if d.HasError() {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	// the plan has every default applied: what ValidateConfig could not
	// see (e.g. nesting with the default deny_mount) is checked here
	problems.AddKnown(ctx, &resp.Diagnostics, req.Plan, hardening.Validate(s))
	r.checkCgroupLayout(ctx, plan, s, req.Plan, &resp.Diagnostics)
	// the organisation's baseline: a violation fails the plan with its rule ID
	exceptions := toExceptions(ctx, plan.Exceptions, &d)
	findings := r.checkPolicy(ctx, s, exceptions, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !knownForDerived(ctx, plan) {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	setDerived(ctx, &plan, s, &resp.Diagnostics)
	plan.PendingRestart = planPendingRestart(plan, state)
	// (not while HC-BAK-001 waits for the VMID PVE allocates, nor while
	// HC-MON-001 waits for a container this apply creates, starts or stops)
	if findings != nil && req.Config.Raw.IsFullyKnown() && !r.backupCoverage(ctx, s, &d).Pending && !r.guestFilesPending(ctx, req, plan) && !sshPending {
		// the container after apply is what the plan says (defaults are
		// static; values only PVE knows, such as the MAC, are never
		// checked): its compliance is known now, and a plan shows exactly
		// which findings the apply changes
		var prior types.Object
		if !req.State.Raw.IsNull() {
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("compliance"), &prior)...)
		}
		plan.Compliance = complianceValue(ctx, carryObserved(ctx, findings, prior, r.clients.Baseline, exceptions,
			withSSHObserved(observedRules(plan.PendingRestart), sshAfter), &resp.Diagnostics), &resp.Diagnostics)
		if plan.PendingRestart.IsUnknown() {
			plan.Compliance = types.ObjectUnknown(complianceAttrTypes) // HC-RUN-001 is known after apply
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// knownForDerived reports whether everything the derived views are made of
// is known, the interfaces' addresses included (an address unknown at plan
// time, e.g. another resource's attribute, changes the firewall file's
// ipfilter sets; the MAC PVE generates does not matter).
func knownForDerived(ctx context.Context, m containerModel) bool {
	for _, v := range []attr.Value{m.Capabilities, m.PidsMax, m.AppArmorProfile, m.AppArmor, m.Seccomp, m.Features, m.Firewall, m.Network,
		m.PRLimits, m.RawLXC} {
		if v.IsUnknown() {
			return false
		}
	}
	if m.Network.IsNull() {
		return true
	}
	var nics []nicModel
	if d := m.Network.ElementsAs(ctx, &nics, false); d.HasError() {
		return false
	}
	for _, n := range nics {
		if n.IPv4.IsUnknown() || n.IPv6.IsUnknown() {
			return false
		}
	}
	return true
}

func (r *containerResource) timeout(m containerModel) time.Duration {
	if m.TaskTimeout.IsNull() || m.TaskTimeout.IsUnknown() {
		return 5 * time.Minute
	}
	return time.Duration(m.TaskTimeout.ValueInt64()) * time.Second
}

func (r *containerResource) wait(ctx context.Context, m containerModel, upid string) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout(m))
	defer cancel()
	_, err := r.clients.API.WaitTask(ctx, upid)
	return err
}

// validSpec converts a planned model into a Spec and validates it again
// (values unknown at plan time are known now); ok is false on any error.
func (r *containerResource) validSpec(ctx context.Context, plan containerModel, diags *diag.Diagnostics) (hardening.Spec, bool) {
	if diags.HasError() {
		return hardening.Spec{}, false
	}
	s := toSpec(ctx, plan, diags)
	s.SSH = sshVerdict(ctx, plan, diags)
	problems.Add(diags, hardening.Validate(s))
	// the schema's bounds, for values that were unknown at plan time
	problems.Add(diags, hardening.ValidateRanges(s))
	r.checkPolicy(ctx, s, toExceptions(ctx, plan.Exceptions, diags), nil, diags)
	return s, !diags.HasError()
}

// writeNodeFiles writes the raw lxc.* lines and the .fw file; it reports
// whether the pct.conf's raw lines changed.
func (r *containerResource) writeNodeFiles(ctx context.Context, s hardening.Spec) (bool, error) {
	nfs, err := r.clients.Nodes.FS(ctx, s.Node)
	if err != nil {
		return false, err
	}
	// the profiles and policies first: the lxc.* lines name them
	if err := r.writeConfinement(ctx, s); err != nil {
		return false, err
	}
	changed, err := writeConf(ctx, r.clients.API, nfs, s)
	if err != nil {
		return changed, err
	}
	fw := hardening.FirewallConfig(s)
	if _, err := writeFirewall(ctx, nfs, s.VMID, fw.Render()); err != nil {
		return changed, err
	}
	return changed, confirmFirewall(ctx, r.clients.API, s.Node, s.VMID, fw)
}

func (r *containerResource) power(ctx context.Context, m containerModel, node string, vmid int, action string) error {
	logStep(ctx, "power: "+action, node, vmid)
	upid, err := r.clients.API.CTAction(ctx, node, vmid, action, nil)
	if err != nil {
		return err
	}
	return r.wait(ctx, m, upid)
}

// read observes the container; found is false when it no longer exists.
// snapshot: a refresh, whose status comes from the run's cluster snapshot.
func (r *containerResource) read(ctx context.Context, prior containerModel, snapshot bool, diags *diag.Diagnostics) (containerModel, bool) {
	node := prior.Node.ValueString()
	vmid := int(prior.VMID.ValueInt64())
	f, summary, err := r.fetch(ctx, node, vmid, snapshot)
	if pve.IsNotFound(err) {
		return prior, false
	}
	if err != nil {
		diags.AddError(summary, err.Error())
		return prior, true
	}
	configured := toSpec(ctx, prior, diags)
	o := observed(node, vmid, f, configured, declaredIPSets(ctx, prior, diags))
	// the confinement files the lines name: only an intact file is the
	// provider's (the audit observes the same way); read once for the
	// observation and the digests (a refresh shares the files other
	// containers' refreshes of this run read)
	rec := nodesync.NewRecoverer(r.clients)
	if snapshot {
		rec = nodesync.NewRunRecoverer(r.clients)
	}
	o.Files = rec.Files(ctx, node, o.LXC)
	s := hardening.Observe(o)
	if o.Running {
		// what runs, against what the config says now
		s.Runtime = nodesync.ObserveRuntime(ctx, r.clients, s, f.pid)
	}
	m := fromSpec(ctx, s, prior, diags)
	m.PendingRestart = pendingRestartText(s.Runtime)
	files, err := r.observeConfinement(ctx, rec, s)
	if err != nil {
		diags.AddError("Reading the container's confinement files failed", err.Error())
		return prior, true
	}
	nf, d := types.MapValueFrom(ctx, types.StringType, files)
	diags.Append(d...)
	m.NodeFiles = nf
	m.Exceptions = prior.Exceptions
	m.Compliance = types.ObjectNull(complianceAttrTypes)
	m.SSHServer, s.SSH, m.sshMemo = r.observeSSH(ctx, prior.SSHServer, node, vmid, o.Running, f.pid, prior.sshMemo, !snapshot, diags)
	if r.clients != nil {
		s.DatacenterFirewall = r.datacenterFirewall(ctx, diags)
		s.Backup = r.backupCoverage(ctx, s, diags)
		s.GuestFiles = r.observeGuestFiles(ctx, node, vmid, o.Running, diags)
		m.Compliance = complianceValue(ctx, policy.Check(s, r.clients.Baseline, toExceptions(ctx, prior.Exceptions, diags)), diags)
	}
	if len(s.NICs) == 0 && prior.Network.IsNull() {
		m.Network = types.ListNull(types.ObjectType{AttrTypes: nicAttrTypes})
	}
	return m, true
}

func (r *containerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state containerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.sshMemo = sshMemoOf(ctx, req.Private)
	m, found := r.read(ctx, state, true, &resp.Diagnostics)
	if !found {
		resp.Diagnostics.AddWarning("Container no longer exists",
			fmt.Sprintf("CT %d on node %s was deleted outside Terraform (or by a destroy that was interrupted); it is removed from state and the next "+
				"apply creates it again.%s",
				state.VMID.ValueInt64(), state.Node.ValueString(), r.removeOrphanedConfinement(ctx, state, &resp.Diagnostics)))
		resp.State.RemoveResource(ctx)
		return
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, sshMemoKey, sshMemoValue(m.sshMemo))...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *containerResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state containerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	node, vmid := state.Node.ValueString(), int(state.VMID.ValueInt64())
	api := r.clients.API
	logStep(ctx, "delete: reading the container's config", node, vmid)
	cfg, err := api.CTConfig(ctx, node, vmid, false)
	if pve.IsNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the container failed", err.Error())
		return
	}
	if !isThisContainer(ctx, state, cfg) {
		// PVE removed this resource's container (a failed create) and
		// another one took the VMID: never delete someone else's
		resp.Diagnostics.AddWarning("The VMID belongs to another container",
			fmt.Sprintf("CT %d on %s is not this resource's container (its hostname or MAC address differs); it is left alone and the "+
				"resource is removed from state.", vmid, node))
		return
	}
	st, err := api.CTStatus(ctx, node, vmid)
	if pve.IsNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the container's status failed", err.Error())
		return
	}
	if s, _ := st.String("status"); s == "running" {
		logStep(ctx, "delete: stopping the container", node, vmid)
		if err := r.power(ctx, state, node, vmid, "stop"); err != nil {
			resp.Diagnostics.AddError("Stopping the container failed", err.Error())
			return
		}
	}
	logStep(ctx, "delete: deleting the container", node, vmid)
	upid, err := api.DeleteCT(ctx, node, vmid, true, false)
	if err == nil {
		err = r.wait(ctx, state, upid)
	}
	if err != nil && !pve.IsNotFound(err) {
		resp.Diagnostics.AddError("Deleting the container failed", err.Error())
		return
	}
	// PVE removes the .fw with the container; make sure nothing of ours is left
	logStep(ctx, "delete: removing the firewall file and unused confinement files", node, vmid)
	if nfs, err := r.clients.Nodes.FS(ctx, node); err == nil {
		if _, err := writeFirewall(ctx, nfs, vmid, nil); err != nil {
			resp.Diagnostics.AddWarning("Firewall file left behind", err.Error())
		}
		if err := nodesync.ClearRestartOwed(ctx, nfs, vmid); err != nil {
			resp.Diagnostics.AddWarning("Restart record left behind", err.Error())
		}
	}
	_, warnings := r.removeUnusedConfinement(ctx, toSpec(ctx, state, &resp.Diagnostics), nil)
	for _, w := range warnings {
		resp.Diagnostics.AddWarning("Confinement file left behind", w)
	}
}

func (r *containerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	node, id, ok := strings.Cut(req.ID, "/")
	vmid, err := strconv.Atoi(id)
	if !ok || err != nil || !nodeNameRE.MatchString(node) || vmid < 100 {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Expected <node>/<vmid>, e.g. pve1/101; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("node"), node)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("vmid"), int64(vmid))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("restart_on_hardening_change"), defaultRestartOnHardeningChange)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("task_timeout_seconds"), int64(defaultTaskTimeoutSeconds))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("allow_replace_after_import"), false)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importPendingKey, []byte("true"))...)
}

// declaredIPSets are the ipset names the prior plan or state declares.
func declaredIPSets(ctx context.Context, m containerModel, diags *diag.Diagnostics) map[string]bool {
	out := map[string]bool{}
	if f, ok := asObject[firewallModel](ctx, m.Firewall, diags); ok {
		for _, set := range toIPSets(ctx, f.IPSets, diags) {
			out[set.Name] = true
		}
	}
	return out
}

// isThisContainer tells whether cfg is the container a state describes:
// by the first interface's MAC address (PVE generates it at create) when
// the state knows it, else by the hostname.
func isThisContainer(ctx context.Context, state containerModel, cfg pve.CTConfig) bool {
	var diags diag.Diagnostics
	s := toSpec(ctx, state, &diags)
	if len(s.NICs) > 0 && s.NICs[0].MAC != "" {
		net0, _ := cfg.String("net0")
		return strings.EqualFold(hardening.ParseProps(net0, "name")["hwaddr"], s.NICs[0].MAC)
	}
	host, _ := cfg.String("hostname")
	return s.Hostname == "" || host == s.Hostname
}

// checkCgroupLayout refuses the limits the container's node would ignore:
// its cgroup layout is read once per run through the node channel. A node
// that cannot be read is a warning at plan time (the apply needs the
// channel and fails on it anyway).
func (r *containerResource) checkCgroupLayout(ctx context.Context, plan containerModel, s hardening.Spec, vals problems.Values, diags *diag.Diagnostics) {
	if r.clients == nil || r.clients.Nodes == nil || plan.Node.IsUnknown() || plan.Node.IsNull() {
		return
	}
	node := plan.Node.ValueString()
	layout, err := r.clients.CgroupLayout(ctx, node)
	if err != nil {
		diags.AddAttributeWarning(path.Root("node"), "Cannot tell the node's cgroup hierarchy",
			fmt.Sprintf("The provider checks that node %q enforces the container's cgroup limits (LXC ignores lxc.cgroup2.* limits on a legacy or hybrid "+
				"hierarchy), but could not read its mountinfo: %v", node, err))
		return
	}
	problems.AddKnown(ctx, diags, vals, hardening.CgroupProblems(s, node, layout))
}
