// Package findingsattr is the Terraform form of policy findings, shared by
// hardened_container's compliance and the hardened_audit data source.
package findingsattr

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

// AttrTypes are one finding's attribute types.
var AttrTypes = map[string]attr.Type{"rule": types.StringType, "title": types.StringType, "severity": types.StringType,
	"status": types.StringType, "detail": types.StringType, "reason": types.StringType}

// Model is one finding as a Terraform object.
type Model struct {
	Rule     types.String `tfsdk:"rule"`
	Title    types.String `tfsdk:"title"`
	Severity types.String `tfsdk:"severity"`
	Status   types.String `tfsdk:"status"`
	Detail   types.String `tfsdk:"detail"`
	Reason   types.String `tfsdk:"reason"`
}

// ObjectType is one finding's type.
var ObjectType = types.ObjectType{AttrTypes: AttrTypes}

// Docs describe each attribute.
var Docs = map[string]string{
	"rule":     "Rule ID (see the policy rule catalogue guide).",
	"title":    "Rule title.",
	"severity": "`critical`, `high`, `medium` or `low`.",
	"status":   "`pass`, `fail` or `excepted`.",
	"detail":   "What was observed.",
	"reason":   "The exception's reason (`excepted` only).",
}

// Values are findings as a Terraform list.
func Values(ctx context.Context, fs []policy.Finding, diags *diag.Diagnostics) types.List {
	vals := make([]attr.Value, len(fs))
	for i, f := range fs {
		reason := types.StringNull()
		if f.Status == policy.StatusExcepted {
			reason = types.StringValue(f.Reason)
		}
		o, d := types.ObjectValue(AttrTypes, map[string]attr.Value{"rule": types.StringValue(f.Rule), "title": types.StringValue(f.Title),
			"severity": types.StringValue(string(f.Severity)), "status": types.StringValue(string(f.Status)),
			"detail": types.StringValue(f.Detail), "reason": reason})
		diags.Append(d...)
		vals[i] = o
	}
	l, d := types.ListValue(ObjectType, vals)
	diags.Append(d...)
	return l
}
