// Package template is the hardened_template resource: a container template
// that PVE downloads into a storage from a URL, kept only when its checksum
// matches, so that a fleet pins the exact template it is built from.
package template

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ resource.Resource                   = &templateResource{}
	_ resource.ResourceWithConfigure      = &templateResource{}
	_ resource.ResourceWithImportState    = &templateResource{}
	_ resource.ResourceWithValidateConfig = &templateResource{}
)

// NewResource returns the hardened_template resource.
func NewResource() resource.Resource { return &templateResource{} }

type templateResource struct {
	clients *providerdata.Clients
}

type model struct {
	ID                types.String `tfsdk:"id"`
	Node              types.String `tfsdk:"node"`
	Storage           types.String `tfsdk:"storage"`
	FileName          types.String `tfsdk:"file_name"`
	URL               types.String `tfsdk:"url"`
	Checksum          types.String `tfsdk:"checksum"`
	ChecksumAlgorithm types.String `tfsdk:"checksum_algorithm"`
	VolID             types.String `tfsdk:"volid"`
	Size              types.Int64  `tfsdk:"size"`
}

const (
	defaultStorage   = "local"
	defaultAlgorithm = "sha512"
)

var (
	nodeNameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
	// fileNameRE: what PVE keeps unchanged (normalize_content_filename) with a
	// template's extension (VZTMPL_EXT_RE_1)
	fileNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]+\.(tar|tar\.(gz|xz|zst|bz2))$`)
	urlRE      = regexp.MustCompile(`^https?://[^\s]+$`)
	hexLen     = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}
	hexRE      = regexp.MustCompile(`^[0-9a-fA-F]+$`)
)

// replaceUnlessImported: a change replaces the template, except that after an
// import (PVE does not keep the URL or the checksum) the configured value is adopted.
func replaceUnlessImported() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(func(
		_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse,
	) {
		resp.RequiresReplace = !req.StateValue.IsNull()
	}, "Changing the value downloads the template again, except after an import (the configured value is adopted).",
		"Changing the value downloads the template again, except after an import (the configured value is adopted).")
}

func (r *templateResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_template"
}

func (r *templateResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A container template that PVE downloads into a storage from a URL " +
			"(`POST /nodes/{node}/storage/{storage}/download-url`). PVE computes the file's checksum and keeps the file only " +
			"when it matches `checksum`, so the fleet is built from exactly this template: " +
			"`ostemplate = hardened_template.debian.volid`. Needs `Datastore.AllocateTemplate` on the storage and " +
			"`Sys.AccessNetwork` on the node (or `Sys.Audit` and `Sys.Modify` on `/`); destroying it needs " +
			"`Datastore.Allocate` on the storage.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<node>/<volid>`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"node": schema.StringAttribute{
				Required:            true,
				PlanModifiers:       replace,
				MarkdownDescription: "Node that downloads the template (for a shared storage, any node). Changing it downloads it again.",
				Validators:          []validator.String{stringvalidator.RegexMatches(nodeNameRE, "must be a PVE node name")},
			},
			"storage": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(defaultStorage),
				PlanModifiers:       replace,
				MarkdownDescription: "File-based storage with the `vztmpl` content type. Default `local`.",
			},
			"file_name": schema.StringAttribute{
				Required:      true,
				PlanModifiers: replace,
				MarkdownDescription: "File name in the storage, e.g. `debian-12-standard_12.12-1_amd64.tar.zst`: letters, digits, `_`, `.`, `-` " +
					"(what PVE keeps unchanged) ending in `.tar`, `.tar.gz`, `.tar.xz`, `.tar.zst` or `.tar.bz2`. Name it like PVE's " +
					"appliance index (`<os>-<version>-<variant>_<release>_<arch>`) to find it with `hardened_templates`.",
				Validators: []validator.String{stringvalidator.RegexMatches(fileNameRE,
					"must be letters, digits, _ . - ending in .tar, .tar.gz, .tar.xz, .tar.zst or .tar.bz2 (PVE would rename anything else)")},
			},
			"url": schema.StringAttribute{
				Required:      true,
				PlanModifiers: []planmodifier.String{replaceUnlessImported()},
				MarkdownDescription: "`https://` (or `http://`) URL to download from. PVE verifies the server's certificate. " +
					"Not read back (PVE does not keep it); changing it downloads the template again.",
				Validators: []validator.String{stringvalidator.RegexMatches(urlRE, "must be an http:// or https:// URL")},
			},
			"checksum": schema.StringAttribute{
				Required:      true,
				PlanModifiers: []planmodifier.String{replaceUnlessImported()},
				MarkdownDescription: "Expected checksum of the file (hex), from the template's publisher. Required: a template " +
					"without a verified checksum could be anything. PVE refuses a file that does not match and keeps nothing.",
				Validators: []validator.String{stringvalidator.RegexMatches(hexRE, "must be a hexadecimal checksum")},
			},
			"checksum_algorithm": schema.StringAttribute{
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString(defaultAlgorithm),
				PlanModifiers: []planmodifier.String{replaceUnlessImported()},
				MarkdownDescription: "`sha256`, `sha384` or `sha512`. Default `sha512`. (PVE also offers md5, sha1 and sha224, which are refused here: " +
					"they are too weak to pin a template.)",
				Validators: []validator.String{stringvalidator.OneOf("sha256", "sha384", "sha512")},
			},
			"volid": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Volume ID for `ostemplate`, e.g. " +
					"`local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"size": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Size in bytes as the storage reports it.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *templateResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

func volID(storage, file string) string { return storage + ":vztmpl/" + file }

// ValidateConfig refuses, at plan time, a checksum whose length does not
// fit its algorithm (a sha256 digest given with the default sha512).
func (r *templateResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Checksum.IsUnknown() || m.Checksum.IsNull() || m.ChecksumAlgorithm.IsUnknown() {
		return
	}
	if err := checkLength(m); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("checksum"), "Checksum does not fit its algorithm",
			err.Error()+": set checksum_algorithm to the algorithm the publisher used.")
	}
}

// checkLength checks the checksum's length for its algorithm (null: the
// default, sha512).
func checkLength(m model) error {
	algo := m.ChecksumAlgorithm.ValueString()
	if algo == "" {
		algo = defaultAlgorithm
	}
	if n := hexLen[algo]; n != 0 && len(m.Checksum.ValueString()) != n {
		return fmt.Errorf("checksum has %d hex digits; a %s checksum has %d", len(m.Checksum.ValueString()), algo, n)
	}
	return nil
}

func (r *templateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || r.clients == nil {
		return
	}
	if err := checkLength(m); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("checksum"), "Invalid checksum", err.Error())
		return
	}
	node, storage, file := m.Node.ValueString(), m.Storage.ValueString(), m.FileName.ValueString()
	if err := r.clients.API.DownloadTemplate(ctx, node, storage, file, m.URL.ValueString(), m.ChecksumAlgorithm.ValueString(),
		strings.ToLower(m.Checksum.ValueString())); err != nil {
		resp.Diagnostics.AddError("Downloading the template failed", err.Error()+
			"\n\nPVE keeps no file when the download or the checksum fails.")
		return
	}
	m.VolID = types.StringValue(volID(storage, file))
	m.ID = types.StringValue(node + "/" + m.VolID.ValueString())
	found, err := r.observe(ctx, &m)
	if err != nil || !found {
		resp.Diagnostics.AddError("Reading the downloaded template failed", fmt.Sprintf("%s on %s: found=%v %v", m.VolID.ValueString(), node, found, err))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// observe fills size from the storage's content and reports whether the
// template is there.
func (r *templateResource) observe(ctx context.Context, m *model) (bool, error) {
	list, err := r.clients.API.StorageContent(ctx, m.Node.ValueString(), m.Storage.ValueString(), "vztmpl")
	if err != nil {
		return false, err
	}
	for _, v := range list {
		if v.VolID == m.VolID.ValueString() {
			m.Size = types.Int64Value(v.Size)
			return true, nil
		}
	}
	return false, nil
}

func (r *templateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m model
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || r.clients == nil {
		return
	}
	found, err := r.observe(ctx, &m)
	if err != nil {
		resp.Diagnostics.AddError("Reading the template failed", err.Error())
		return
	}
	if !found {
		resp.Diagnostics.AddWarning("Template no longer exists",
			fmt.Sprintf("%s is gone from storage %s on %s; the next apply downloads it again.",
				m.VolID.ValueString(), m.Storage.ValueString(), m.Node.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update only records the arguments that change nothing on PVE (after an
// import: url, checksum and checksum_algorithm adopted).
func (r *templateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *templateResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m model
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || r.clients == nil {
		return
	}
	if found, err := r.observe(ctx, &m); err == nil && !found {
		return
	}
	if err := r.clients.API.DeleteVolume(ctx, m.Node.ValueString(), m.Storage.ValueString(), m.VolID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Deleting the template failed", err.Error())
	}
}

// ImportState takes <node>/<storage>:vztmpl/<file>.
func (r *templateResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	node, volid, ok := strings.Cut(req.ID, "/")
	storage, rest, ok2 := strings.Cut(volid, ":")
	file, ok3 := strings.CutPrefix(rest, "vztmpl/")
	if !ok || !ok2 || !ok3 || !nodeNameRE.MatchString(node) || !fileNameRE.MatchString(file) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Expected <node>/<storage>:vztmpl/<file>, e.g. pve1/local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst; got %q.", req.ID))
		return
	}
	for k, v := range map[string]string{"id": req.ID, "node": node, "storage": storage, "file_name": file, "volid": volid} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(k), v)...)
	}
}
