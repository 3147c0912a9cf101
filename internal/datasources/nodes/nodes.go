// Package nodes is the hardened_nodes data source: the cluster's nodes as the
// PVE API lists them, and optionally a pre-flight check of the node channel
// (SSH/SFTP or local files) the provider needs to write the hardening files.
package nodes

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ datasource.DataSource              = &nodesDataSource{}
	_ datasource.DataSourceWithConfigure = &nodesDataSource{}
)

// NewDataSource returns the hardened_nodes data source.
func NewDataSource() datasource.DataSource { return &nodesDataSource{} }

type nodesDataSource struct {
	clients *providerdata.Clients
}

type model struct {
	VerifyNodeAccess types.Bool   `tfsdk:"verify_node_access"`
	NodeAccess       types.String `tfsdk:"node_access"`
	Nodes            []nodeModel  `tfsdk:"nodes"`
}

type nodeModel struct {
	Name   types.String `tfsdk:"name"`
	Status types.String `tfsdk:"status"`
}

// probePath must exist on every PVE node (the pmxcfs mount).
const probePath = "/etc/pve"

func (d *nodesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_nodes"
}

func (d *nodesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The nodes of the Proxmox VE cluster (`GET /nodes`), sorted by name. With " +
			"`verify_node_access = true` it is also a pre-flight check of the node channel: the provider opens " +
			"it to every online node (SSH with host key verification, or local files) and checks that `/etc/pve` " +
			"is there, so that a wrong `known_hosts`, SSH key or `node_root` fails here, before any container is " +
			"created.",
		Attributes: map[string]schema.Attribute{
			"verify_node_access": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Open the node channel to every online node and check `/etc/pve` (under the " +
					"provider's `node_root`). Default `false`: only the API is asked. A failure (for example an SSH " +
					"host key that does not match `known_hosts`: a possible man-in-the-middle) is an error.",
			},
			"node_access": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The provider's node access mode: `ssh` or `local`.",
			},
			"nodes": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The cluster's nodes, sorted by name.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Node name, e.g. `pve1`.",
					},
					"status": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "`online`, `offline` or `unknown`.",
					},
				}},
			},
		},
	}
}

func (d *nodesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

func (d *nodesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	if !providerdata.ReadDataSourceConfig(ctx, req.Config, &m, d.clients, &resp.Diagnostics,
		"hardened_nodes") {
		return
	}
	list, err := d.clients.API.Nodes(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the PVE nodes", fmt.Sprintf("GET /nodes as %s: %v", d.clients.API.User(), err))
		return
	}
	m.NodeAccess = types.StringValue(d.clients.Nodes.Mode)
	m.Nodes = make([]nodeModel, 0, len(list))
	for _, n := range list {
		status := n.Status
		if status == "" {
			status = "unknown"
		}
		m.Nodes = append(m.Nodes, nodeModel{Name: types.StringValue(n.Name), Status: types.StringValue(status)})
	}

	if m.VerifyNodeAccess.ValueBool() {
		for _, n := range list {
			if n.Status != "online" {
				resp.Diagnostics.AddWarning("Node not checked: "+n.Name,
					fmt.Sprintf("Node %s is %s, so its node channel was not opened.", n.Name, n.Status))
				continue
			}
			d.verify(ctx, n.Name, resp)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (d *nodesDataSource) verify(ctx context.Context, node string, resp *datasource.ReadResponse) {
	p := path.Root("verify_node_access")
	fsys, err := d.clients.Nodes.FS(ctx, node)
	if err != nil {
		summary := "Cannot open the node channel to " + node
		switch {
		case errors.Is(err, nodefs.ErrHostKeyMismatch):
			summary = "SSH host key verification failed for node " + node
		case errors.Is(err, nodefs.ErrHostKeyUnknown):
			summary = "SSH host key of node " + node + " is not in known_hosts"
		case errors.Is(err, nodefs.ErrAuthFailed):
			summary = "SSH authentication to node " + node + " failed"
		}
		resp.Diagnostics.AddAttributeError(p, summary, err.Error()+
			"\n\nThe provider writes the containers' hardening files through this channel, so it must work before containers are created.")
		return
	}
	if _, err := fsys.Stat(ctx, probePath); err != nil {
		resp.Diagnostics.AddAttributeError(p, "Node "+node+" has no "+probePath,
			fmt.Sprintf("The node channel (%s) to %s works, but %s is missing under the provider's node_root: %v. "+
				"Is node_root right, and is this a PVE node?", d.clients.Nodes.Mode, node, probePath, err))
		return
	}
	tflog.Debug(ctx, "node channel verified", map[string]any{"node": node, "mode": d.clients.Nodes.Mode})
}
