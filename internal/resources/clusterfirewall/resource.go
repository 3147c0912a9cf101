// Package clusterfirewall implements hardened_cluster_firewall: the
// datacenter firewall's options, the [OPTIONS] section of
// /etc/pve/firewall/cluster.fw (enable, the hosts' policies, ebtables, log
// rate limit). PVE's default is off, and while it is off no firewall rule of
// any container is in effect.
package clusterfirewall

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/clusterfwfile"
	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ resource.Resource                = &clusterFirewallResource{}
	_ resource.ResourceWithConfigure   = &clusterFirewallResource{}
	_ resource.ResourceWithImportState = &clusterFirewallResource{}
)

// ID is the resource's only ID: a cluster has one datacenter firewall.
const ID = "cluster"

// The hardened defaults (PVE's own default for enable is off).
const (
	DefaultEnable        = true
	DefaultEbtables      = true
	DefaultPolicyIn      = firewall.DefaultPolicyIn
	DefaultPolicyOut     = firewall.DefaultPolicyOut
	DefaultPolicyForward = firewall.DefaultPolicyFwd
)

// NewResource is the hardened_cluster_firewall constructor.
func NewResource() resource.Resource { return &clusterFirewallResource{} }

type clusterFirewallResource struct {
	clients *providerdata.Clients
}

type model struct {
	ID            types.String `tfsdk:"id"`
	Enable        types.Bool   `tfsdk:"enable"`
	Ebtables      types.Bool   `tfsdk:"ebtables"`
	PolicyIn      types.String `tfsdk:"policy_in"`
	PolicyOut     types.String `tfsdk:"policy_out"`
	PolicyForward types.String `tfsdk:"policy_forward"`
	LogRateLimit  types.Object `tfsdk:"log_ratelimit"`
}

type rateLimitModel struct {
	Enable types.Bool   `tfsdk:"enable"`
	Rate   types.String `tfsdk:"rate"`
	Burst  types.Int64  `tfsdk:"burst"`
}

var rateLimitAttrTypes = map[string]attr.Type{"enable": types.BoolType, "rate": types.StringType, "burst": types.Int64Type}

func md(parts ...string) string { return strings.Join(parts, " ") }

func (r *clusterFirewallResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_firewall"
}

func policyAttr(doc string, def string, allowed []string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Computed:            true,
		Default:             stringdefault.StaticString(def),
		Validators:          []validator.String{stringvalidator.OneOf(allowed...)},
		MarkdownDescription: doc + fmt.Sprintf(" One of %s (PVE's API). Default: `%q`.", quotedList(allowed), def),
	}
}

func quotedList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}

func (r *clusterFirewallResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	defRate := types.ObjectValueMust(rateLimitAttrTypes, map[string]attr.Value{"enable": types.BoolValue(true),
		"rate": types.StringValue(firewall.DefaultLogRate), "burst": types.Int64Value(firewall.DefaultLogBurst)})
	resp.Schema = schema.Schema{
		MarkdownDescription: strings.Join([]string{
			md("The datacenter firewall: the `[OPTIONS]` section of `/etc/pve/firewall/cluster.fw` (Datacenter → Firewall → Options).",
				"PVE's default is **off**, and while it is off pve-firewall installs no rule at all: every container's",
				"`firewall` (its `enabled`, policies and rules)",
				"is without effect, which the policy rule HC-FW-004 reports for every container. One per cluster (its ID is `cluster`)."),
			md("The section is written through the node channel under PVE's cluster firewall lock in one atomic rename; every other section of",
				"`cluster.fw` (security groups, aliases, ipsets, cluster rules; owned by `hardened_security_group` and others) is kept byte for byte.",
				"The options are read back through the API (`GET /cluster/firewall/options`), so a change by hand (e.g. the firewall turned off in the GUI)",
				"shows in the next plan and apply repairs it. An option missing from the file reads as PVE's default for it (what is in force).",
				"The resource owns the whole `[OPTIONS]` section: a line PVE cannot parse there (PVE skips it) is removed whenever the resource writes."),
			md("**Deleting the resource leaves the datacenter firewall as it is** (with a warning): turning it off, or back to PVE's defaults, would silently",
				"disable every container's firewall. To turn it off, apply `enable = false` first."),
			md("Containers' compliance observes the datacenter firewall once per Terraform run: after the apply that enables it, their `compliance`",
				"shows it from the next refresh on."),
		}, "\n\n"),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Always `cluster`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"enable": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(DefaultEnable),
				MarkdownDescription: md("The datacenter firewall is on (`enable: 1`). Default: `true` (PVE's own default is off).",
					"While it is off no firewall rule and no default-deny policy of any host or container is in effect (HC-FW-004 fails for every container).",
					"With `policy_in = \"DROP\"`, PVE still lets the cluster network reach the web interface (8006) and SSH (22) of each node."),
			},
			"ebtables": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(DefaultEbtables),
				MarkdownDescription: md("Install the ebtables (layer 2) rules cluster-wide: the MAC filter of each container's firewall (`macfilter`),",
					"which keeps a container from sending with another MAC address. Default: `true` (PVE's default)."),
			},
			"policy_in": policyAttr(md("Policy for traffic **to the hosts** (the nodes themselves, not the containers, whose own `firewall.policy_in` applies)",
				"that no host rule allows. `DROP` is default deny: a node is reachable only where a rule (or PVE's built-in management rules) allows it."),
				DefaultPolicyIn, firewall.ClusterPolicies),
			"policy_out": policyAttr(md("Policy for traffic **from the hosts** that no host rule allows. Default `ACCEPT`, PVE's default:",
				"nodes need outbound traffic (cluster, storage, updates, time) that PVE's built-in rules do not all cover; `DROP` locks a node's",
				"own connections out unless host rules allow them."),
				DefaultPolicyOut, firewall.ClusterPolicies),
			"policy_forward": policyAttr(md("Policy for traffic the hosts **forward** (routed or SDN traffic, with the nftables firewall) that no rule allows.",
				"Default `ACCEPT`, PVE's default: bridged container traffic is filtered by each container's own firewall;",
				"`DROP` also cuts routed traffic no forward rule allows."),
				DefaultPolicyForward, firewall.ClusterForwardPolicies),
			"log_ratelimit": schema.SingleNestedAttribute{
				Optional: true,
				Computed: true,
				Default:  objectdefault.StaticValue(defRate),
				MarkdownDescription: md("Rate limit of the firewall's log (PVE's `log_ratelimit`): a flood of logged packets must not fill the nodes' disks",
					"or hide what matters. Default: `{ enable = true, rate = \"1/second\", burst = 5 }` (PVE's defaults)."),
				Attributes: map[string]schema.Attribute{
					"enable": schema.BoolAttribute{
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(true),
						MarkdownDescription: "Limit the log rate. Default: `true`; `false` logs every packet a logging rule matches.",
					},
					"rate": schema.StringAttribute{
						Optional: true,
						Computed: true,
						Default:  stringdefault.StaticString(firewall.DefaultLogRate),
						Validators: []validator.String{stringvalidator.RegexMatches(firewall.LogRateRE,
							"must be <n>/second, <n>/minute, <n>/hour or <n>/day with n from 1, e.g. 1/second (PVE's rate format)")},
						MarkdownDescription: "How fast the burst bucket refills: `<n>/second|minute|hour|day`, n ≥ 1. Default: `\"1/second\"`.",
					},
					"burst": schema.Int64Attribute{
						Optional:            true,
						Computed:            true,
						Default:             int64default.StaticInt64(firewall.DefaultLogBurst),
						Validators:          []validator.Int64{int64validator.AtLeast(0)},
						MarkdownDescription: "Packets always logged before the rate applies (≥ 0). Default: `5`.",
					},
				},
			},
		},
	}
}

func (r *clusterFirewallResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

// toOptions converts a (known) model.
func toOptions(ctx context.Context, m model, diags *diag.Diagnostics) firewall.ClusterOptions {
	var rl rateLimitModel
	diags.Append(m.LogRateLimit.As(ctx, &rl, basetypes.ObjectAsOptions{})...)
	return firewall.ClusterOptions{
		Enable: m.Enable.ValueBool(), Ebtables: m.Ebtables.ValueBool(),
		PolicyIn: m.PolicyIn.ValueString(), PolicyOut: m.PolicyOut.ValueString(), PolicyForward: m.PolicyForward.ValueString(),
		LogRateLimit: firewall.LogRateLimit{Enable: rl.Enable.ValueBool(), Rate: rl.Rate.ValueString(), Burst: int(rl.Burst.ValueInt64())},
	}
}

func fromOptions(o firewall.ClusterOptions) model {
	return model{
		ID: types.StringValue(ID), Enable: types.BoolValue(o.Enable), Ebtables: types.BoolValue(o.Ebtables),
		PolicyIn: types.StringValue(o.PolicyIn), PolicyOut: types.StringValue(o.PolicyOut), PolicyForward: types.StringValue(o.PolicyForward),
		LogRateLimit: types.ObjectValueMust(rateLimitAttrTypes, map[string]attr.Value{"enable": types.BoolValue(o.LogRateLimit.Enable),
			"rate": types.StringValue(o.LogRateLimit.Rate), "burst": types.Int64Value(int64(o.LogRateLimit.Burst))}),
	}
}

// observe reads the options in force through the API. unknown are options
// PVE reports that the model does not know.
func (r *clusterFirewallResource) observe(ctx context.Context) (firewall.ClusterOptions, []string, error) {
	raw, err := r.clients.API.ClusterFirewallOptions(ctx)
	if err != nil {
		return firewall.ClusterOptions{}, nil, fmt.Errorf("GET /cluster/firewall/options: %w", err)
	}
	return firewall.ClusterOptionsFromAPI(raw)
}

func warnUnknown(diags *diag.Diagnostics, unknown []string) {
	if len(unknown) > 0 {
		diags.AddWarning("The datacenter firewall has options this provider does not manage",
			fmt.Sprintf("PVE reports %s in cluster.fw's [OPTIONS]. The resource owns the whole section: the next write removes them.", strings.Join(unknown,
				", ")))
	}
}

// apply writes the planned options into cluster.fw's [OPTIONS] and stores
// what PVE then reports.
func (r *clusterFirewallResource) apply(ctx context.Context, plan model, state *tfsdk.State, diags *diag.Diagnostics) {
	want := toOptions(ctx, plan, diags)
	if diags.HasError() {
		return
	}
	// pin this run's snapshot for the containers' compliance before the
	// change (see providerdata.Clients.DatacenterFirewall)
	_, _ = r.clients.DatacenterFirewall(ctx)
	tflog.Debug(ctx, "writing the datacenter firewall's options", map[string]any{"enable": want.Enable, "policy_in": want.PolicyIn,
		"policy_out": want.PolicyOut, "policy_forward": want.PolicyForward})
	err := clusterfwfile.Edit(ctx, r.clients, func(old []byte) []byte { return firewall.SpliceClusterOptions(old, want) }, nil)
	if err != nil {
		diags.AddError("Writing the datacenter firewall's options failed", err.Error())
		return
	}
	got, unknown, err := r.observe(ctx)
	if err != nil {
		diags.AddError("Confirming the datacenter firewall's options through the API failed", err.Error())
		return
	}
	warnUnknown(diags, unknown)
	if got != want {
		diags.AddError("PVE reports other datacenter firewall options than written",
			fmt.Sprintf("Wrote %+v to cluster.fw, PVE reports %+v.", want, got))
	}
	m := fromOptions(got)
	diags.Append(state.Set(ctx, &m)...)
}

func (r *clusterFirewallResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *clusterFirewallResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, &resp.State, &resp.Diagnostics)
}

func (r *clusterFirewallResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	got, unknown, err := r.observe(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Reading the datacenter firewall's options failed", err.Error())
		return
	}
	warnUnknown(&resp.Diagnostics, unknown)
	m := fromOptions(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Delete leaves cluster.fw as it is: removing the resource must not turn
// the datacenter firewall off (PVE's default) and with it every
// container's firewall.
func (r *clusterFirewallResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddWarning("The datacenter firewall's options were left as they are",
		"hardened_cluster_firewall no longer manages /etc/pve/firewall/cluster.fw's [OPTIONS], but leaves them in force: "+
			"resetting them to PVE's defaults would turn the datacenter firewall off, and with it every container's firewall. "+
			"To turn it off, apply `enable = false` before removing the resource.")
}

func (r *clusterFirewallResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID != ID {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("A cluster has one datacenter firewall: import it with the ID %q (terraform import "+
				"hardened_cluster_firewall.<name> %s); got %q.", ID, ID, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), ID)...)
}
