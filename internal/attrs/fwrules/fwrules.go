// Package fwrules is the Terraform side of an ordered list of pve-firewall
// rules, shared by hardened_container (a container's own rules) and
// hardened_security_group (a cluster security group's rules): schema, model
// and conversion to and from firewall.Rule.
package fwrules

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// Model is one rule.
type Model struct {
	Type     types.String `tfsdk:"type"`
	Action   types.String `tfsdk:"action"`
	Macro    types.String `tfsdk:"macro"`
	Iface    types.String `tfsdk:"iface"`
	Source   types.String `tfsdk:"source"`
	Dest     types.String `tfsdk:"dest"`
	Proto    types.String `tfsdk:"proto"`
	Dport    types.String `tfsdk:"dport"`
	Sport    types.String `tfsdk:"sport"`
	IcmpType types.String `tfsdk:"icmp_type"`
	Log      types.String `tfsdk:"log"`
	Comment  types.String `tfsdk:"comment"`
	Enabled  types.Bool   `tfsdk:"enabled"`
}

// ObjectType is the element type of the rules list.
var ObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{"type": types.StringType, "action": types.StringType, "macro": types.StringType,
	"iface": types.StringType, "source": types.StringType, "dest": types.StringType, "proto": types.StringType,
	"dport": types.StringType, "sport": types.StringType, "icmp_type": types.StringType, "log": types.StringType,
	"comment": types.StringType, "enabled": types.BoolType}}

// Empty is an empty rules list.
func Empty() types.List { return types.ListValueMust(ObjectType, []attr.Value{}) }

// Attribute is the schema of the ordered rules list. In a security group
// (group true) rules are in/out/forward and take no iface; on a container
// they are in/out/group.
func Attribute(group bool) schema.ListNestedAttribute {
	opt := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: desc,
		}
	}
	typeDesc, types_ := "`in`, `out`, or `group` (a reference to a `hardened_security_group`, whose name goes into `action`).", []string{"in", "out", "group"}
	actionDesc := "`ACCEPT`, `DROP`, `REJECT` (with `macro`: applied to the macro's ports); for `group` the security group's name."
	ifaceDesc := "Interface the rule applies to, `netN` (the index in `network`). Unset: every interface."
	if group {
		typeDesc, types_ = "`in`, `out`, or `forward` (routed traffic; not used for containers).", []string{"in", "out", "forward"}
		actionDesc = "`ACCEPT`, `DROP`, `REJECT` (with `macro`: applied to the macro's ports; `forward` rules cannot `REJECT`)."
		ifaceDesc = "Not allowed in a security group (PVE refuses `-i` there): set `iface` on the container's `group` rule."
	}
	return schema.ListNestedAttribute{
		Optional: true,
		Computed: true,
		Default:  listdefault.StaticValue(Empty()),
		MarkdownDescription: strings.Join([]string{"Ordered rules; the first matching rule decides, so order is semantic and kept exactly as written.",
			"A rule added, removed, moved or disabled by hand shows in the next plan and is put back by apply (the file is rewritten in one atomic step).",
			"Every rule is checked at plan time like PVE's `verify_rule` (macro names, ports need a protocol, ICMP types, " +
				"references to ipsets and aliases, no IPv4/IPv6 mix)."}, " "),
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: typeDesc,
				Validators:          []validator.String{stringvalidator.OneOf(types_...)},
			},
			"action": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: actionDesc,
			},
			"macro":     opt("A PVE macro, e.g. `SSH`, `HTTPS`, `DNS`, `Ping` (its protocol and ports; do not repeat them in `proto`/`dport`)."),
			"iface":     opt(ifaceDesc),
			"source":    opt("Source: IP, CIDR, `a-b` range, comma list (one IP version), `+ipset`, alias, or `dc/` (cluster) and `guest/` scoped names."),
			"dest":      opt("Destination, same forms as `source`."),
			"proto":     opt("Protocol name or number, e.g. `tcp`, `udp`, `icmp`, `icmpv6`."),
			"dport":     opt("Destination port(s): number, service name, `a:b` range, comma list (needs `proto` or a macro)."),
			"sport":     opt("Source port(s), as `dport`."),
			"icmp_type": opt("ICMP type name, e.g. `echo-request` (needs `proto` `icmp`/`icmpv6`; excludes `dport`)."),
			"log": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Log level for packets this rule matches.",
				Validators:          []validator.String{stringvalidator.OneOf(hardening.LogLevels...)},
			},
			"comment": opt("Comment (kept in the file after `#`)."),
			"enabled": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "Rule active. Default `true` (PVE's API would default to disabled). A disabled rule is kept in the file with a " +
					"`|` prefix.",
			},
		}},
	}
}

// ToRules converts the list (null or unknown: none).
func ToRules(ctx context.Context, l types.List, diags *diag.Diagnostics) []firewall.Rule {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var ms []Model
	diags.Append(l.ElementsAs(ctx, &ms, false)...)
	out := make([]firewall.Rule, 0, len(ms))
	for _, r := range ms {
		out = append(out, firewall.Rule{Type: r.Type.ValueString(), Action: r.Action.ValueString(),
			Macro: r.Macro.ValueString(), Iface: r.Iface.ValueString(), Source: r.Source.ValueString(),
			Dest: r.Dest.ValueString(), Proto: r.Proto.ValueString(), Dport: r.Dport.ValueString(),
			Sport: r.Sport.ValueString(), IcmpType: r.IcmpType.ValueString(), Log: r.Log.ValueString(),
			Comment: r.Comment.ValueString(), Enable: r.Enabled.IsNull() || r.Enabled.IsUnknown() || r.Enabled.ValueBool()})
	}
	return out
}

func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// FromRules converts observed rules to the list.
func FromRules(ctx context.Context, rules []firewall.Rule, diags *diag.Diagnostics) types.List {
	ms := make([]Model, 0, len(rules))
	for _, r := range rules {
		ms = append(ms, Model{Type: types.StringValue(r.Type), Action: types.StringValue(r.Action),
			Macro: optString(r.Macro), Iface: optString(r.Iface), Source: optString(r.Source), Dest: optString(r.Dest),
			Proto: optString(r.Proto), Dport: optString(r.Dport), Sport: optString(r.Sport), IcmpType: optString(r.IcmpType),
			Log: optString(r.Log), Comment: optString(r.Comment), Enabled: types.BoolValue(r.Enable)})
	}
	l, d := types.ListValueFrom(ctx, ObjectType, ms)
	diags.Append(d...)
	return l
}
