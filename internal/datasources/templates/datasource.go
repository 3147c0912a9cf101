package templates

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ datasource.DataSource              = &templatesDataSource{}
	_ datasource.DataSourceWithConfigure = &templatesDataSource{}
)

// NewDataSource returns the hardened_templates data source.
func NewDataSource() datasource.DataSource { return &templatesDataSource{} }

type templatesDataSource struct {
	clients *providerdata.Clients
}

type model struct {
	Node      types.String    `tfsdk:"node"`
	Storage   types.String    `tfsdk:"storage"`
	OS        types.String    `tfsdk:"os"`
	Version   types.String    `tfsdk:"version"`
	NameRegex types.String    `tfsdk:"name_regex"`
	Arch      types.String    `tfsdk:"arch"`
	Templates []templateModel `tfsdk:"templates"`
	Latest    types.String    `tfsdk:"latest"`
}

type templateModel struct {
	VolID   types.String `tfsdk:"volid"`
	File    types.String `tfsdk:"file"`
	OS      types.String `tfsdk:"os"`
	Version types.String `tfsdk:"version"`
	Variant types.String `tfsdk:"variant"`
	Release types.String `tfsdk:"release"`
	Arch    types.String `tfsdk:"arch"`
	Size    types.Int64  `tfsdk:"size"`
	CTime   types.Int64  `tfsdk:"ctime"`
}

const defaultStorage = "local"

var nodeNameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

func (d *templatesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_templates"
}

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: desc,
	}
}

func (d *templatesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The container templates (`vztmpl` content) of a storage on a node, filtered and sorted " +
			"newest first (`GET /nodes/{node}/storage/{storage}/content`, which needs `Datastore.Audit` or " +
			"`Datastore.AllocateSpace` on the storage). Pin a fleet's template by OS and version instead of a file " +
			"name: `ostemplate = data.hardened_templates.debian.latest`. Templates named like PVE's appliance index " +
			"(`<os>-<version>-<variant>_<release>_<arch>.tar.<compression>`) are understood; other files are listed " +
			"with their name only.",
		Attributes: map[string]schema.Attribute{
			"node": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Node whose storage is listed.",
				Validators:          []validator.String{stringvalidator.RegexMatches(nodeNameRE, "must be a PVE node name")},
			},
			"storage": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Storage holding the templates. Default `local`.",
			},
			"os": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only this OS, e.g. `debian`, `ubuntu`, `alpine`. Default: every OS.",
			},
			"version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only this OS version, e.g. `12` or `24.04`. Default: every version.",
			},
			"name_regex": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only file names matching this RE2 regular expression. Default: every file.",
			},
			"arch": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only this architecture, e.g. `amd64`. Default: every architecture.",
			},
			"latest": computedString("Volume ID of the first (newest) matching template, for `ostemplate`; null when none matches."),
			"templates": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching templates, newest first: by OS, then version and release (numeric, highest first), then upload time.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"volid":   computedString("Volume ID, e.g. `local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst`."),
					"file":    computedString("File name."),
					"os":      computedString("OS from the file name (empty for other names)."),
					"version": computedString("OS version from the file name."),
					"variant": computedString("Variant, e.g. `standard` or `default`."),
					"release": computedString("The template's own build version."),
					"arch":    computedString("Architecture."),
					"size": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Size in bytes.",
					},
					"ctime": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Upload time (Unix seconds).",
					},
				}},
			},
		},
	}
}

func (d *templatesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

type apiVolume struct {
	VolID string `json:"volid"`
	Size  int64  `json:"size"`
	CTime int64  `json:"ctime"`
}

func (d *templatesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	if !providerdata.ReadDataSourceConfig(ctx, req.Config, &m, d.clients, &resp.Diagnostics,
		"hardened_templates") {
		return
	}
	storage := m.Storage.ValueString()
	if storage == "" {
		storage = defaultStorage
	}
	var re *regexp.Regexp
	if p := m.NameRegex.ValueString(); p != "" {
		var err error
		if re, err = regexp.Compile(p); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid regular expression",
				fmt.Sprintf("name_regex %q is not an RE2 regular expression: %v", p, err))
			return
		}
	}
	var list []apiVolume
	p := fmt.Sprintf("/nodes/%s/storage/%s/content?content=vztmpl", url.PathEscape(m.Node.ValueString()), url.PathEscape(storage))
	if err := d.clients.API.API().Get(ctx, p, &list); err != nil {
		resp.Diagnostics.AddError("Cannot list the templates", fmt.Sprintf("GET %s as %s: %v", p, d.clients.API.User(), err))
		return
	}
	var ts []Template
	for _, v := range list {
		t := Parse(v.VolID, v.Size, v.CTime)
		if keep(t, m, re) {
			ts = append(ts, t)
		}
	}
	Sort(ts)
	m.Templates = make([]templateModel, 0, len(ts))
	for _, t := range ts {
		m.Templates = append(m.Templates, templateModel{VolID: types.StringValue(t.VolID), File: types.StringValue(t.File),
			OS: types.StringValue(t.OS), Version: types.StringValue(t.Version), Variant: types.StringValue(t.Variant),
			Release: types.StringValue(t.Release), Arch: types.StringValue(t.Arch), Size: types.Int64Value(t.Size),
			CTime: types.Int64Value(t.CTime)})
	}
	m.Latest = types.StringNull()
	if len(ts) > 0 {
		m.Latest = types.StringValue(ts[0].VolID)
	} else {
		resp.Diagnostics.AddWarning("No template matches",
			fmt.Sprintf("Storage %s on node %s has no container template matching the filters: latest is null. "+
				"Download one (pveam update; pveam available --section system; pveam download %s <template>).", storage, m.Node.ValueString(), storage))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func keep(t Template, m model, re *regexp.Regexp) bool {
	if o := m.OS.ValueString(); o != "" && t.OS != o {
		return false
	}
	if v := m.Version.ValueString(); v != "" && t.Version != v {
		return false
	}
	if a := m.Arch.ValueString(); a != "" && t.Arch != a {
		return false
	}
	return re == nil || re.MatchString(t.File)
}
