package container

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/problems"
)

type exceptionModel struct {
	Rule   types.String `tfsdk:"rule"`
	Reason types.String `tfsdk:"reason"`
}

var complianceAttrTypes = map[string]attr.Type{"summary": types.StringType, "pass": types.Int64Type, "fail": types.Int64Type,
	"excepted": types.Int64Type, "failing": strList, "excepted_rules": strList, "rules": strMapType, "details": strMapType}

var strMapType = types.MapType{ElemType: types.StringType}

func exceptionsAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true,
		MarkdownDescription: md("Deliberate deviations from the provider's `baseline`: each names a rule ID of the policy rule catalogue and says why.",
			"An excepted rule no longer fails the plan; it shows as `excepted` with its reason in `compliance` (and in the plan JSON, for review).",
			"The baseline's `no_exceptions` rules (by default HC-PRIV-001 and HC-AA-001) cannot be excepted."),
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"rule": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Rule ID, e.g. `HC-FEAT-001`.",
			},
			"reason": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Why this container deviates (mandatory, shown in every report).",
			},
		}},
	}
}

func complianceAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: md("The container checked against the provider's `baseline`, computed from what the provider **observes** on refresh:",
			"a weakening made by hand shows both as a diff and as a failing rule here. Known at plan time: the plan predicts it from the planned settings",
			"(the datacenter firewall, which the container never sets, keeps its last observed finding), so a plan shows which findings an apply changes.",
			"Compact on purpose (it is in every container's state and every plan): each rule's status, and what was observed only for the rules that",
			"fail or are excepted; the rules' titles and rationale are in the policy rule catalogue guide, and `hardened_audit` reports every "+
				"finding in full."),
		Attributes: map[string]schema.Attribute{
			"summary": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "One line, e.g. `36 pass, 0 fail, 1 excepted (HC-FEAT-001)`.",
			},
			"pass": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Rules passed.",
			},
			"fail": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Rules failed (0 right after an apply; more after a change by hand).",
			},
			"excepted": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Rules failed but covered by an `exceptions` entry.",
			},
			"failing": schema.ListAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "IDs of the failing rules, in catalogue order.",
			},
			"excepted_rules": schema.ListAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "IDs of the excepted rules, in catalogue order (their reasons are in `exceptions`).",
			},
			"rules": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "Every rule's status by rule ID: `pass`, `fail` or `excepted`.",
			},
			"details": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "What was observed, by rule ID, for the failing and the excepted rules only (e.g. `network[0].firewall = false ...`).",
			},
		},
	}
}

func toExceptions(ctx context.Context, l types.List, diags *diag.Diagnostics) []policy.Exception {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var ms []exceptionModel
	diags.Append(l.ElementsAs(ctx, &ms, false)...)
	out := make([]policy.Exception, len(ms))
	for i, m := range ms {
		out[i] = policy.Exception{Rule: m.Rule.ValueString(), Reason: m.Reason.ValueString()}
	}
	return out
}

// observedOnly are the rules about values the provider never sets through
// the container: an apply of the container does not change their outcome,
// so a plan carries the last observed finding over (a new container's plan
// uses this run's observation). Today only the datacenter firewall
// (HC-FW-004), which hardened_cluster_firewall owns, and the backup jobs
// (HC-BAK-001), which hardened_backup_job owns; the runtime environment
// (HC-SEC-001) is the managed `environment` attribute, whose planned value
// the plan checks.
var observedOnly = map[string]bool{"HC-FW-004": true, "HC-BAK-001": true, "HC-MON-001": true}

// carryObserved replaces the planned findings of observedOnly rules by the
// outcome observed last (prior is the state's compliance), if any.
// only is observedOnly, or observedRules' wider set.
func carryObserved(ctx context.Context, planned []policy.Finding, prior types.Object, b policy.Baseline, ex []policy.Exception,
	only map[string]bool, diags *diag.Diagnostics) []policy.Finding {
	if prior.IsNull() || prior.IsUnknown() {
		return planned
	}
	rules, ok := prior.Attributes()["rules"].(types.Map)
	if !ok || rules.IsNull() || rules.IsUnknown() {
		return planned
	}
	var status, details map[string]string
	diags.Append(rules.ElementsAs(ctx, &status, false)...)
	if dm, ok := prior.Attributes()["details"].(types.Map); ok && !dm.IsNull() && !dm.IsUnknown() {
		diags.Append(dm.ElementsAs(ctx, &details, false)...)
	}
	out := append([]policy.Finding(nil), planned...)
	for i, f := range out {
		st, seen := status[f.Rule]
		if !only[f.Rule] || !seen {
			continue
		}
		failed := st != string(policy.StatusPass)
		if failed {
			f.Detail = details[f.Rule]
		}
		out[i] = policy.Outcome(f, failed, b, ex)
	}
	return out
}

// clusterWide are the rules about values the container's configuration
// cannot change (the datacenter firewall, the backup jobs, files inside the
// container): their failure is a plan warning, not an
// error, since an error would block the very apply whose
// hardened_cluster_firewall repairs it. compliance and hardened_audit
// still report it as a failure.
var clusterWide = map[string]bool{"HC-FW-004": true, "HC-BAK-001": true, "HC-MON-001": true}

// clusterWideAsWarnings marks the violations of clusterWide rules as
// warnings (ps are policy.Violations(findings), one per failing finding,
// in order).
func clusterWideAsWarnings(findings []policy.Finding, ps []hardening.Problem) []hardening.Problem {
	i := 0
	for _, f := range findings {
		if f.Status != policy.StatusFail {
			continue
		}
		if clusterWide[f.Rule] {
			ps[i].Warning = true
		}
		i++
	}
	return ps
}

// datacenterFirewall is the run's snapshot of the datacenter firewall
// (providerdata.Clients.DatacenterFirewall); when it cannot be read, a
// warning says so and the Spec stays not observed (HC-FW-004 fails).
func (r *containerResource) datacenterFirewall(ctx context.Context, diags *diag.Diagnostics) hardening.DatacenterFirewall {
	st, err := r.clients.DatacenterFirewall(ctx)
	if err != nil {
		diags.AddWarning("The datacenter firewall could not be read",
			err.Error()+". HC-FW-004 fails until it can be read (the token needs Sys.Audit on /).")
	}
	return st
}

// backupCoverage is the container's coverage by the run's snapshot of the
// backup jobs (providerdata.Clients.BackupJobs); when they cannot be read,
// a warning says so and the coverage stays not observed (HC-BAK-001
// fails). A container whose VMID PVE has yet to allocate is Pending when a
// job's verdict depends on the VMID.
func (r *containerResource) backupCoverage(ctx context.Context, s hardening.Spec, diags *diag.Diagnostics) hardening.BackupCoverage {
	jobs, err := r.clients.BackupJobs(ctx)
	if err != nil {
		diags.AddWarning("The cluster's backup jobs could not be read",
			err.Error()+". HC-BAK-001 fails until they can be read (the token needs Sys.Audit on /).")
		return hardening.BackupCoverage{}
	}
	if s.VMID == 0 {
		c, ok := hardening.PlannedCoverage(jobs.Jobs, s.Node, "")
		if !ok {
			return hardening.BackupCoverage{Pending: true}
		}
		return c
	}
	return jobs.Coverage(s.VMID, s.Node)
}

func complianceValue(ctx context.Context, fs []policy.Finding, diags *diag.Diagnostics) types.Object {
	sum := policy.Summarize(fs)
	rules := make(map[string]attr.Value, len(fs))
	details := map[string]attr.Value{}
	var excepted []string
	for _, f := range fs {
		rules[f.Rule] = types.StringValue(string(f.Status))
		if f.Status == policy.StatusExcepted {
			excepted = append(excepted, f.Rule)
		}
		if f.Status != policy.StatusPass {
			details[f.Rule] = types.StringValue(f.Detail)
		}
	}
	o, d := types.ObjectValue(complianceAttrTypes, map[string]attr.Value{"summary": types.StringValue(sum.Text),
		"pass": types.Int64Value(int64(sum.Pass)), "fail": types.Int64Value(int64(sum.Fail)), "excepted": types.Int64Value(int64(sum.Excepted)),
		"failing": strListValue(ctx, sum.Failing, diags, false), "excepted_rules": strListValue(ctx, excepted, diags, false),
		"rules": types.MapValueMust(types.StringType, rules), "details": types.MapValueMust(types.StringType, details)})
	diags.Append(d...)
	return o
}

// checkPolicy reports the baseline's verdict on a planned Spec: invalid
// exceptions and violations as attribute errors (those on values unknown
// at plan time are left to apply). vals is the plan (AddKnown) or nil (at
// apply: every value is known).
func (r *containerResource) checkPolicy(ctx context.Context, s hardening.Spec, ex []policy.Exception, vals problems.Values,
	diags *diag.Diagnostics) []policy.Finding {
	if r.clients == nil {
		return nil // the provider is not configured yet: checked at apply
	}
	b := r.clients.Baseline
	s.DatacenterFirewall = r.datacenterFirewall(ctx, diags)
	s.Backup = r.backupCoverage(ctx, s, diags)
	s.GuestFiles = hardening.GuestFiles{Pending: true} // checked inside the container once it runs
	// s.SSH is the caller's: what the planned ssh_server leaves in effect (sshVerdict)
	findings := policy.Check(s, b, ex)
	ps := append(policy.ValidateExceptions(ex, b), clusterWideAsWarnings(findings, policy.Violations(findings))...)
	if vals == nil {
		problems.Add(diags, ps)
	} else {
		problems.AddKnown(ctx, diags, vals, ps)
	}
	return findings
}
