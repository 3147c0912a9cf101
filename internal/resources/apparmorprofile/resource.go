// Package apparmorprofile implements hardened_apparmor_profile: a named
// lxc-* AppArmor profile, built from typed settings or given as raw text,
// kept in /etc/apparmor.d/lxc/<name> on every listed node and loaded there;
// containers use it with apparmor_profile = "<name>".
package apparmorprofile

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/aarules"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodesync"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ resource.Resource                     = &profileResource{}
	_ resource.ResourceWithConfigure        = &profileResource{}
	_ resource.ResourceWithImportState      = &profileResource{}
	_ resource.ResourceWithModifyPlan       = &profileResource{}
	_ resource.ResourceWithConfigValidators = &profileResource{}
)

// NewResource is the hardened_apparmor_profile constructor.
func NewResource() resource.Resource { return &profileResource{} }

type profileResource struct {
	clients *providerdata.Clients
}

type model struct {
	ID       types.String `tfsdk:"id"`
	Name     types.String `tfsdk:"name"`
	Settings types.Object `tfsdk:"settings"`
	Raw      types.String `tfsdk:"raw"`
	Nodes    types.Set    `tfsdk:"nodes"`
	Content  types.String `tfsdk:"content"`
	Copies   types.Map    `tfsdk:"copies"`
}

func (r *profileResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_apparmor_profile"
}

func (r *profileResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: strings.Join([]string{
			"A named AppArmor profile for containers (`apparmor_profile = \"<name>\"` on `hardened_container`), written to `/etc/apparmor.d/lxc/<name>`",
			"on every listed node and loaded there with `apparmor_parser` (the profile on its standard input, a fixed command line: nothing from the",
			"configuration reaches a shell). Built from typed `settings` (the same rules as a container's generated profile) or given as `raw` text.",
			"A node whose copy differs or is missing shows in the next plan (`copies`); deleting a profile a container still uses fails.",
		}, " "),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The profile's name.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Profile name: `lxc-` then letters, digits, `.`, `_` or `-` (seed 003: container profiles are `lxc-*`); " +
					"`lxc-hardened-*` is reserved for generated profiles. Changing it replaces the profile.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{stringvalidator.RegexMatches(apparmor.ProfileNameRE, "must be lxc- followed by letters, digits, '.', '_' or "+
					"'-'"),
					reservedName{}},
			},
			"settings": aarules.Attribute("Typed rules (default: every deny on, as a container's generated profile). Ignored when `raw` is set.", true),
			"raw": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The complete profile text instead of `settings`: one `profile <name> ... { ... }` block (includes such as " +
					"`#include <abstractions/lxc/container-base>` are fine). Checked at plan time for the name and for " +
					"`unconfined`/unconfined exec modes; the node's `apparmor_parser` checks the rest at apply.",
			},
			"nodes": schema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Nodes that get the profile. Default: every online node of the cluster (a container can then migrate anywhere).",
			},
			"content": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The profile file as written (for review and policy tools).",
			},
			"copies": schema.MapAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "Per node: `sha256:<digest>` of its copy; `missing` or another digest shows drift, which apply repairs.",
			},
		},
	}
}

type reservedName struct{}

func (reservedName) Description(context.Context) string { return "not a generated profile's name" }
func (reservedName) MarkdownDescription(context.Context) string {
	return "not a generated profile's name"
}
func (reservedName) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() && strings.HasPrefix(req.ConfigValue.ValueString(), apparmor.NamePrefix) {
		resp.Diagnostics.AddAttributeError(req.Path, "Reserved AppArmor profile name",
			fmt.Sprintf("%q starts with %s, the prefix of the profiles the provider generates for containers; choose another name.",
				req.ConfigValue.ValueString(), apparmor.NamePrefix))
	}
}

func (r *profileResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{resourcevalidator.Conflicting(path.MatchRoot("settings"), path.MatchRoot("raw"))}
}

func (r *profileResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

// content renders the profile text; ok is false while values are unknown.
func content(ctx context.Context, m model, diags *diag.Diagnostics) ([]byte, bool) {
	if m.Name.IsUnknown() || m.Raw.IsUnknown() {
		return nil, false
	}
	name := m.Name.ValueString()
	if !m.Raw.IsNull() {
		if err := apparmor.ValidateRaw(name, m.Raw.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("raw"), "Invalid AppArmor profile", err.Error()+".")
		}
		text := m.Raw.ValueString()
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		return []byte(text), true
	}
	if m.Settings.IsUnknown() {
		return nil, false
	}
	s, _ := aarules.ToSettings(ctx, m.Settings, diags)
	for _, err := range apparmor.Validate(s) {
		diags.AddAttributeError(path.Root("settings"), "Invalid AppArmor setting", err.Error()+".")
	}
	return apparmor.RenderNamed(name, s), true
}

func filePath(name string) string { return apparmor.Dir + "/" + name }

func (r *profileResource) nodes(ctx context.Context, m model, diags *diag.Diagnostics) []string {
	if !m.Nodes.IsNull() && !m.Nodes.IsUnknown() {
		var out []string
		diags.Append(m.Nodes.ElementsAs(ctx, &out, false)...)
		sort.Strings(out)
		return out
	}
	nodes, err := r.clients.OnlineNodes(ctx)
	if err != nil {
		diags.AddError("Listing the cluster's nodes failed", err.Error())
	}
	return nodes
}

// ModifyPlan makes content and the expected copies known at plan time.
func (r *profileResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil {
		return
	}
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	text, ok := content(ctx, plan, &resp.Diagnostics)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	nodes := r.nodes(ctx, plan, &resp.Diagnostics)
	plan.Content = types.StringValue(string(text))
	plan.Nodes = setOf(ctx, nodes, &resp.Diagnostics)
	plan.Copies = copiesOf(ctx, nodes, hardening.FileDigest(text), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func setOf(ctx context.Context, v []string, diags *diag.Diagnostics) types.Set {
	s, d := types.SetValueFrom(ctx, types.StringType, v)
	diags.Append(d...)
	return s
}

func copiesOf(ctx context.Context, nodes []string, digest string, diags *diag.Diagnostics) types.Map {
	m := map[string]string{}
	for _, n := range nodes {
		m[n] = digest
	}
	v, d := types.MapValueFrom(ctx, types.StringType, m)
	diags.Append(d...)
	return v
}

// observe reads every node's copy.
func (r *profileResource) observe(ctx context.Context, m *model, text []byte, nodes []string, diags *diag.Diagnostics) {
	copies := map[string]string{}
	for _, n := range nodes {
		got, err := nodesync.Observe(ctx, r.clients, []string{n}, nodesync.File{Path: filePath(m.Name.ValueString()), Content: text})
		if err != nil {
			diags.AddError("Reading the profile failed", err.Error())
			return
		}
		copies[n] = strings.TrimSuffix(got, " on node "+n)
		if strings.HasPrefix(got, "missing") {
			copies[n] = "missing"
		}
	}
	v, d := types.MapValueFrom(ctx, types.StringType, copies)
	diags.Append(d...)
	m.Copies = v
	m.Nodes = setOf(ctx, nodes, diags)
}

// apply writes the planned profile; prior is the state before an update
// (nil on create); out receives the new state.
func (r *profileResource) apply(ctx context.Context, plan model, prior, out *model, diags *diag.Diagnostics) {
	text, ok := content(ctx, plan, diags)
	if !ok || diags.HasError() {
		return
	}
	nodes := r.nodes(ctx, plan, diags)
	if diags.HasError() {
		return
	}
	f := nodesync.File{Path: filePath(plan.Name.ValueString()), Content: text, AppArmor: true, Mode: 0o644}
	if prior != nil {
		// nodes dropped from the list lose their copy
		var old []string
		diags.Append(prior.Nodes.ElementsAs(ctx, &old, false)...)
		if gone := minus(old, nodes); len(gone) > 0 {
			if err := r.checkUnused(ctx, plan.Name.ValueString()); err != nil {
				diags.AddAttributeError(path.Root("nodes"), "The profile is in use", err.Error())
				return
			}
			if err := nodesync.Remove(ctx, r.clients, gone, f); err != nil {
				diags.AddError("Removing the profile from dropped nodes failed", err.Error())
				return
			}
		}
	}
	if err := nodesync.Write(ctx, r.clients, nodes, f); err != nil {
		diags.AddError("Writing the profile failed", err.Error())
		if prior == nil {
			// a failed create leaves no copy behind
			_ = nodesync.Remove(context.WithoutCancel(ctx), r.clients, nodes, f)
			return
		}
		// the state keeps the profile that is in force, with what the nodes hold now
		*out = *prior
		r.observe(ctx, out, []byte(prior.Content.ValueString()), nodes, diags)
		return
	}
	plan.ID = plan.Name
	plan.Content = types.StringValue(string(text))
	r.observe(ctx, &plan, text, nodes, diags)
	*out = plan
}

func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// checkUnused fails when a container's config names the profile.
func (r *profileResource) checkUnused(ctx context.Context, name string) error {
	users, err := r.clients.API.LXCLineUsers(ctx, "lxc.apparmor.profile", name)
	if err != nil {
		return fmt.Errorf("checking which containers use the profile: %w", err)
	}
	if len(users) > 0 {
		return fmt.Errorf("AppArmor profile %q is used by %s (lxc.apparmor.profile): without it LXC refuses to start them. "+
			"Point those containers at another profile first", name, strings.Join(users, ", "))
	}
	return nil
}

func (r *profileResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var out model
	r.apply(ctx, plan, nil, &out, &resp.Diagnostics)
	if !out.ID.IsNull() && !out.ID.IsUnknown() && out.ID.ValueString() != "" {
		resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
	}
}

func (r *profileResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	out := state
	r.apply(ctx, plan, &state, &out, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}

func (r *profileResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	nodes := r.nodes(ctx, state, &resp.Diagnostics)
	if state.Content.IsNull() || state.Content.IsUnknown() {
		// an import: adopt the first node's copy as the content
		if err := r.adopt(ctx, &state, nodes); err != nil {
			resp.Diagnostics.AddError("Importing the profile failed", err.Error())
			return
		}
	}
	r.observe(ctx, &state, []byte(state.Content.ValueString()), nodes, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// adopt reads an existing profile for an import: its text becomes raw
// unless it is a profile this provider rendered from settings.
func (r *profileResource) adopt(ctx context.Context, m *model, nodes []string) error {
	if len(nodes) == 0 {
		return fmt.Errorf("no online node to read %s from", filePath(m.Name.ValueString()))
	}
	nfs, err := r.clients.Nodes.FS(ctx, nodes[0])
	if err != nil {
		return err
	}
	text, err := nfs.ReadFile(ctx, filePath(m.Name.ValueString()))
	if err != nil {
		return fmt.Errorf("reading %s on node %s: %w", filePath(m.Name.ValueString()), nodes[0], err)
	}
	var diags diag.Diagnostics
	m.Content = types.StringValue(string(text))
	m.Settings = aarules.Default(true)
	if s, ok := apparmor.RecoverNamed(m.Name.ValueString(), text); ok {
		m.Settings = aarules.FromSettings(ctx, s, true, &diags)
		m.Raw = types.StringNull()
	} else {
		m.Raw = types.StringValue(string(text))
	}
	if diags.HasError() {
		return fmt.Errorf("%v", diags)
	}
	return nil
}

func (r *profileResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.checkUnused(ctx, state.Name.ValueString()); err != nil {
		resp.Diagnostics.AddError("The profile is in use", err.Error())
		return
	}
	var nodes []string
	resp.Diagnostics.Append(state.Nodes.ElementsAs(ctx, &nodes, false)...)
	f := nodesync.File{Path: filePath(state.Name.ValueString()), Content: []byte(state.Content.ValueString()), AppArmor: true}
	if err := nodesync.Remove(ctx, r.clients, nodes, f); err != nil {
		resp.Diagnostics.AddError("Removing the profile failed", err.Error())
	}
}

func (r *profileResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !apparmor.ProfileNameRE.MatchString(req.ID) || strings.HasPrefix(req.ID, apparmor.NamePrefix) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Expected an lxc-* profile name (not lxc-hardened-*), e.g. lxc-webserver; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
