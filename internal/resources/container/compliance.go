package container

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/findingsattr"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/problems"
)

type exceptionModel struct {
	Rule   types.String `tfsdk:"rule"`
	Reason types.String `tfsdk:"reason"`
}

var complianceAttrTypes = map[string]attr.Type{"summary": types.StringType, "pass": types.Int64Type, "fail": types.Int64Type,
	"excepted": types.Int64Type, "failing": strList, "findings": types.ListType{ElemType: findingsattr.ObjectType}}

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
			"(the datacenter firewall, which the container never sets, keeps its last observed finding), so a plan shows which findings an apply changes."),
		Attributes: map[string]schema.Attribute{
			"summary": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "One line, e.g. `31 pass, 0 fail, 1 excepted (HC-FEAT-001)`.",
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
				MarkdownDescription: "IDs of the failing rules.",
			},
			"findings": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every rule's outcome, in catalogue order.",
				NestedObject:        schema.NestedAttributeObject{Attributes: findingAttributes()},
			},
		},
	}
}

func findingAttributes() map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for k, doc := range findingsattr.Docs {
		out[k] = schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: doc,
		}
	}
	return out
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
// (HC-FW-004), which hardened_cluster_firewall owns; the runtime environment
// (HC-SEC-001) is the managed `environment` attribute, whose planned value
// the plan checks.
var observedOnly = map[string]bool{"HC-FW-004": true}

// carryObserved replaces the planned findings of observedOnly rules by the
// outcome observed last (prior is the state's compliance), if any.
func carryObserved(ctx context.Context, planned []policy.Finding, prior types.Object, b policy.Baseline, ex []policy.Exception,
	diags *diag.Diagnostics) []policy.Finding {
	if prior.IsNull() || prior.IsUnknown() {
		return planned
	}
	fl, ok := prior.Attributes()["findings"].(types.List)
	if !ok || fl.IsNull() || fl.IsUnknown() {
		return planned
	}
	var old []findingsattr.Model
	diags.Append(fl.ElementsAs(ctx, &old, false)...)
	out := append([]policy.Finding(nil), planned...)
	for i, f := range out {
		for _, o := range old {
			if observedOnly[f.Rule] && o.Rule.ValueString() == f.Rule {
				f.Detail = o.Detail.ValueString()
				out[i] = policy.Outcome(f, o.Status.ValueString() != string(policy.StatusPass), b, ex)
			}
		}
	}
	return out
}

// clusterWide are the rules about cluster-wide values no container can
// change (the datacenter firewall): their failure is a plan warning, not an
// error, since an error would block the very apply whose
// hardened_cluster_firewall repairs it. compliance and hardened_audit
// still report it as a failure.
var clusterWide = map[string]bool{"HC-FW-004": true}

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

func complianceValue(ctx context.Context, fs []policy.Finding, diags *diag.Diagnostics) types.Object {
	sum := policy.Summarize(fs)
	o, d := types.ObjectValue(complianceAttrTypes, map[string]attr.Value{"summary": types.StringValue(sum.Text),
		"pass": types.Int64Value(int64(sum.Pass)), "fail": types.Int64Value(int64(sum.Fail)), "excepted": types.Int64Value(int64(sum.Excepted)),
		"failing": strListValue(ctx, sum.Failing, diags, false), "findings": findingsattr.Values(ctx, fs, diags)})
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
	findings := policy.Check(s, b, ex)
	ps := append(policy.ValidateExceptions(ex, b), clusterWideAsWarnings(findings, policy.Violations(findings))...)
	if vals == nil {
		problems.Add(diags, ps)
	} else {
		problems.AddKnown(ctx, diags, vals, ps)
	}
	return findings
}
