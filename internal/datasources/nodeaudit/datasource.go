// Package nodeaudit is the hardened_node_audit data source: each PVE node's
// host posture (AppArmor, cgroup v2, IPv6 router advertisements, root's
// subordinate IDs against the containers' idmaps, the host and datacenter
// firewalls) as findings with rule IDs (HC-NODE-*), read through the API
// and the node channel. It only reads.
package nodeaudit

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodeaudit"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ datasource.DataSource              = &nodeAuditDataSource{}
	_ datasource.DataSourceWithConfigure = &nodeAuditDataSource{}
)

// NewDataSource returns the hardened_node_audit data source.
func NewDataSource() datasource.DataSource { return &nodeAuditDataSource{} }

type nodeAuditDataSource struct {
	clients *providerdata.Clients
}

type findingModel struct {
	Rule     types.String `tfsdk:"rule"`
	Title    types.String `tfsdk:"title"`
	Severity types.String `tfsdk:"severity"`
	Status   types.String `tfsdk:"status"`
	Detail   types.String `tfsdk:"detail"`
	Remedy   types.String `tfsdk:"remedy"`
}

type nodeModel struct {
	Node      types.String   `tfsdk:"node"`
	Compliant types.Bool     `tfsdk:"compliant"`
	Summary   types.String   `tfsdk:"summary"`
	Failing   []types.String `tfsdk:"failing"`
	Findings  []findingModel `tfsdk:"findings"`
}

type model struct {
	Nodes         []types.String            `tfsdk:"nodes"`
	Results       []nodeModel               `tfsdk:"results"`
	NonCompliant  []types.String            `tfsdk:"non_compliant"`
	FailingByRule map[string][]types.String `tfsdk:"failing_by_rule"`
}

func (d *nodeAuditDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_node_audit"
}

func (d *nodeAuditDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

func ruleList() string {
	var b strings.Builder
	for _, r := range policy.NodeCatalogue() {
		fmt.Fprintf(&b, "\n- **%s** (%s) %s. %s Remedy: %s", r.ID, r.Severity, r.Title, r.Rationale, r.Remedy)
	}
	return b.String()
}

func str(doc string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: doc,
	}
}

func (d *nodeAuditDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The host posture of the cluster's nodes, checked against the node rules below (the host side of seeds 000, 001, 003 " +
			"and 004; `hardened_audit` checks the containers). Per node it reads, through the node channel, `/sys/module/apparmor/parameters/enabled`, " +
			"`/proc/mounts`, `/proc/sys/net/ipv6/conf/{all,default}/accept_ra`, `/etc/subuid`, `/etc/subgid` and `/etc/pve/nodes/<node>/host.fw`, and " +
			"through the API the datacenter firewall's options and the node's containers (one config call each, for their idmaps). A file that cannot be " +
			"read fails its rule (nothing shows the check holds). It only reads; the remedies are host administration outside a Terraform provider.\n\nRules:" +
			ruleList(),
		Attributes: map[string]schema.Attribute{
			"nodes": schema.ListAttribute{
				Optional:            true,
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The nodes to audit. Default: every online node (sorted).",
			},
			"results": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "One entry per audited node, in `nodes` order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"node": str("Node name."),
					"compliant": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Every node rule passes.",
					},
					"summary": str("One line, e.g. `5 pass, 1 fail (HC-NODE-003)`."),
					"failing": schema.ListAttribute{
						Computed:            true,
						ElementType:         types.StringType,
						MarkdownDescription: "IDs of the failing rules.",
					},
					"findings": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "Every node rule's outcome, in rule order.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"rule":     str("Rule ID (`HC-NODE-*`)."),
							"title":    str("Rule title."),
							"severity": str("`critical`, `high`, `medium` or `low`."),
							"status":   str("`pass` or `fail`."),
							"detail":   str("What was observed."),
							"remedy":   str("How to comply."),
						}},
					},
				}},
			},
			"non_compliant": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The nodes failing any rule.",
			},
			"failing_by_rule": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.ListType{ElemType: types.StringType},
				MarkdownDescription: "For each failing rule, the nodes failing it.",
			},
		},
	}
}

func (d *nodeAuditDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	if !providerdata.ReadDataSourceConfig(ctx, req.Config, &m, d.clients, &resp.Diagnostics,
		"hardened_node_audit") {
		return
	}
	nodes, err := d.nodes(ctx, m.Nodes)
	if err != nil {
		resp.Diagnostics.AddError("Listing the nodes failed", err.Error())
		return
	}
	dc, err := providerdata.ReadDatacenterFirewall(ctx, d.clients)
	if err != nil {
		resp.Diagnostics.AddError("Reading the datacenter firewall failed", err.Error()+" (the token needs Sys.Audit on /).")
		return
	}
	cts, err := d.containers(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Reading the containers failed", err.Error())
		return
	}
	m.Nodes, m.Results, m.NonCompliant, m.FailingByRule = nil, nil, []types.String{}, map[string][]types.String{}
	for _, node := range nodes {
		fs, err := d.clients.Nodes.FS(ctx, node)
		if err != nil {
			resp.Diagnostics.AddError("Opening the node channel failed", fmt.Sprintf("node %s: %v", node, err))
			return
		}
		tflog.Debug(ctx, "auditing node", map[string]any{"node": node})
		findings := policy.CheckNode(nodeaudit.Observe(ctx, fs, node, cts[node], dc == hardening.DatacenterFirewallOn))
		m.Nodes = append(m.Nodes, types.StringValue(node))
		r := result(node, findings)
		m.Results = append(m.Results, r)
		if !r.Compliant.ValueBool() {
			m.NonCompliant = append(m.NonCompliant, types.StringValue(node))
		}
		for _, id := range r.Failing {
			m.FailingByRule[id.ValueString()] = append(m.FailingByRule[id.ValueString()], types.StringValue(node))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// nodes are the configured nodes (checked to exist), or every online node.
func (d *nodeAuditDataSource) nodes(ctx context.Context, want []types.String) ([]string, error) {
	online, err := d.clients.OnlineNodes(ctx)
	if err != nil {
		return nil, err
	}
	sort.Strings(online)
	if want == nil {
		return online, nil
	}
	out := make([]string, 0, len(want))
	for _, n := range want {
		if !slices.Contains(online, n.ValueString()) {
			return nil, fmt.Errorf("node %q is not an online node of the cluster (online: %s)", n.ValueString(), strings.Join(online, ", "))
		}
		out = append(out, n.ValueString())
	}
	return out, nil
}

// containers are the cluster's containers per node, with what the idmap
// check needs.
func (d *nodeAuditDataSource) containers(ctx context.Context) (map[string][]nodeaudit.Container, error) {
	list, err := d.clients.API.ClusterContainers(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]nodeaudit.Container{}
	for _, ct := range list {
		cfg, err := d.clients.API.CTConfig(ctx, ct.Node, ct.VMID, false)
		if err != nil {
			return nil, fmt.Errorf("CT %d on %s: %w", ct.VMID, ct.Node, err)
		}
		unpriv, _ := cfg.Bool("unprivileged")
		out[ct.Node] = append(out[ct.Node], nodeaudit.Container{VMID: ct.VMID, Unprivileged: unpriv, LXC: cfg.LXCLines()})
	}
	return out, nil
}

func result(node string, fs []policy.NodeFinding) nodeModel {
	r := nodeModel{Node: types.StringValue(node), Failing: []types.String{}}
	pass := 0
	var failing []string
	for _, f := range fs {
		r.Findings = append(r.Findings, findingModel{Rule: types.StringValue(f.Rule), Title: types.StringValue(f.Title),
			Severity: types.StringValue(string(f.Severity)), Status: types.StringValue(string(f.Status)),
			Detail: types.StringValue(f.Detail), Remedy: types.StringValue(f.Remedy)})
		if f.Status == policy.StatusPass {
			pass++
			continue
		}
		failing = append(failing, f.Rule)
		r.Failing = append(r.Failing, types.StringValue(f.Rule))
	}
	r.Compliant = types.BoolValue(len(failing) == 0)
	r.Summary = types.StringValue(fmt.Sprintf("%d pass, %d fail", pass, len(failing)))
	if len(failing) > 0 {
		r.Summary = types.StringValue(fmt.Sprintf("%d pass, %d fail (%s)", pass, len(failing), strings.Join(failing, ", ")))
	}
	return r
}
