package audit

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/baselineattr"
	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/findingsattr"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/problems"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ datasource.DataSource              = &auditDataSource{}
	_ datasource.DataSourceWithConfigure = &auditDataSource{}
)

// NewDataSource returns the hardened_audit data source.
func NewDataSource() datasource.DataSource { return &auditDataSource{} }

type auditDataSource struct {
	clients *providerdata.Clients
}

type model struct {
	Node          types.String `tfsdk:"node"`
	VMIDs         types.Set    `tfsdk:"vmids"`
	Baseline      types.Object `tfsdk:"baseline"`
	Containers    types.List   `tfsdk:"containers"`
	Compliant     types.List   `tfsdk:"compliant"`
	NonCompliant  types.List   `tfsdk:"non_compliant"`
	Unfinished    types.List   `tfsdk:"unfinished"`
	FailingByRule types.Map    `tfsdk:"failing_by_rule"`
}

var ctAttrTypes = map[string]attr.Type{"id": types.StringType, "node": types.StringType, "vmid": types.Int64Type,
	"hostname": types.StringType, "status": types.StringType, "tags": types.ListType{ElemType: types.StringType},
	"compliant": types.BoolType, "failing": types.ListType{ElemType: types.StringType},
	"failures": types.ListType{ElemType: findingsattr.ObjectType}}

func (d *auditDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit"
}

func (d *auditDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

func computedStrings(doc string) schema.ListAttribute {
	return schema.ListAttribute{
		ElementType:         types.StringType,
		Computed:            true,
		MarkdownDescription: doc,
	}
}

func (d *auditDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	failure := map[string]schema.Attribute{}
	for k, doc := range findingsattr.Docs {
		failure[k] = schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: doc,
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Audits every container of the cluster — managed by Terraform or not — against the hardening baseline " +
			"and reports per container the rules it fails: what in the cluster is not hardened. It observes what PVE reports " +
			"(one `/cluster/resources` call and one of the datacenter firewall's options, for HC-FW-004, then each container's config and firewall options: " +
			"two calls per container) and reads " +
			"provider-written AppArmor profiles and seccomp policies through the node channel, once per file. " +
			"Inside each running container it runs one PVE `pct exec` of a fixed probe script (HC-SSH-001: the OpenSSH server's effective " +
			"configuration, `sshd -T`, and `sshd -T -C` for each user that can log in from a set of client addresses, so a `Match` block " +
			"that turns passwords back on for real connections counts; none while the baseline's `require_ssh_policy` is `false`) " +
			"and `test -e` per `required_guest_files` path (HC-MON-001). " +
			"Exceptions of `hardened_container` resources live in Terraform state, not on the cluster: the audit reports raw failures.",
		Attributes: map[string]schema.Attribute{
			"node": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only containers on this node. Unset: every node.",
			},
			"vmids": schema.SetAttribute{
				ElementType:         types.Int64Type,
				Optional:            true,
				MarkdownDescription: "Only these containers. Unset: every container (of `node`).",
			},
			"baseline": baselineattr.DataSourceAttribute(),
			"containers": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The audited containers, by VMID.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "`<node>/<vmid>` (the `hardened_container` import ID).",
					},
					"node": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Node.",
					},
					"vmid": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "VMID.",
					},
					"hostname": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Host name.",
					},
					"status": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "`running` or `stopped`.",
					},
					"tags": computedStrings("Tags."),
					"compliant": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "No rule fails.",
					},
					"failing": computedStrings("IDs of the failing rules."),
					"failures": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "The failing rules with what was observed.",
						NestedObject:        schema.NestedAttributeObject{Attributes: failure},
					},
				}},
			},
			"compliant":     computedStrings("IDs (`<node>/<vmid>`) of the containers that fail no rule."),
			"non_compliant": computedStrings("IDs of the containers that fail at least one rule."),
			"unfinished": computedStrings("IDs of the containers whose creation by this provider did not finish (an interrupted or failed apply left them, " +
				"stopped, with onboot off and the tag `" + hardening.UnfinishedTag + "`; rule HC-OPS-003). The next apply of the same `hardened_container` " +
				"removes them; " +
				"a leftover of a configuration that no longer exists is removed with `pct destroy <vmid> --purge`."),
			"failing_by_rule": schema.MapAttribute{
				ElementType:         types.ListType{ElemType: types.StringType},
				Computed:            true,
				MarkdownDescription: "For each failing rule ID, the containers that fail it.",
			},
		},
	}
}

func (d *auditDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	if !providerdata.ReadDataSourceConfig(ctx, req.Config, &m, d.clients, &resp.Diagnostics,
		"hardened_audit") {
		return
	}
	b := baselineattr.Apply(ctx, d.clients.Baseline, m.Baseline, &resp.Diagnostics)
	problems.Add(&resp.Diagnostics, policy.ValidateBaseline(b))
	f := Filter{Node: m.Node.ValueString()}
	if !m.VMIDs.IsNull() {
		var ids []int64
		resp.Diagnostics.Append(m.VMIDs.ElementsAs(ctx, &ids, false)...)
		f.VMIDs = map[int]bool{}
		for _, id := range ids {
			f.VMIDs[int(id)] = true
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	results, err := Run(ctx, d.clients, f, b)
	if err != nil {
		resp.Diagnostics.AddError("Auditing the cluster failed", err.Error())
		return
	}
	fill(ctx, &m, results, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if f.VMIDs != nil && len(results) < len(f.VMIDs) {
		resp.Diagnostics.AddAttributeWarning(path.Root("vmids"), "Containers not found",
			fmt.Sprintf("%d of the %d listed VMIDs are not containers of the cluster (or not on node %q).", len(f.VMIDs)-len(results), len(f.VMIDs), f.Node))
	}
}

func strList(ctx context.Context, l []string, diags *diag.Diagnostics) types.List {
	if l == nil {
		l = []string{}
	}
	v, d := types.ListValueFrom(ctx, types.StringType, l)
	diags.Append(d...)
	return v
}

func fill(ctx context.Context, m *model, results []Result, diags *diag.Diagnostics) {
	var cts []attr.Value
	compliant, nonCompliant, unfinished := []string{}, []string{}, []string{}
	byRule := map[string][]string{}
	for _, r := range results {
		id := fmt.Sprintf("%s/%d", r.CT.Node, r.CT.VMID)
		failing := r.Failing()
		ids := make([]string, len(failing))
		for i, f := range failing {
			ids[i] = f.Rule
			byRule[f.Rule] = append(byRule[f.Rule], id)
		}
		if len(failing) == 0 {
			compliant = append(compliant, id)
		} else {
			nonCompliant = append(nonCompliant, id)
		}
		tags := splitTags(r.CT.Tags)
		if slices.Contains(tags, hardening.UnfinishedTag) {
			unfinished = append(unfinished, id)
		}
		o, d := types.ObjectValue(ctAttrTypes, map[string]attr.Value{"id": types.StringValue(id), "node": types.StringValue(r.CT.Node),
			"vmid": types.Int64Value(int64(r.CT.VMID)), "hostname": types.StringValue(r.CT.Name), "status": types.StringValue(r.CT.Status),
			"tags": strList(ctx, tags, diags), "compliant": types.BoolValue(len(failing) == 0), "failing": strList(ctx, ids, diags),
			"failures": findingsattr.Values(ctx, failing, diags)})
		diags.Append(d...)
		cts = append(cts, o)
	}
	l, d := types.ListValue(types.ObjectType{AttrTypes: ctAttrTypes}, cts)
	diags.Append(d...)
	m.Containers = l
	m.Compliant, m.NonCompliant = strList(ctx, compliant, diags), strList(ctx, nonCompliant, diags)
	m.Unfinished = strList(ctx, unfinished, diags)
	rules := map[string]attr.Value{}
	keys := make([]string, 0, len(byRule))
	for k := range byRule {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rules[k] = strList(ctx, byRule[k], diags)
	}
	mv, d := types.MapValue(types.ListType{ElemType: types.StringType}, rules)
	diags.Append(d...)
	m.FailingByRule = mv
}
