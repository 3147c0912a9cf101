// Package securitygroup implements hardened_security_group: a cluster-wide
// pve-firewall security group (a `[group name]` section of
// /etc/pve/firewall/cluster.fw) that a platform team defines once and
// containers reference with a `group` rule.
package securitygroup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/fwrules"
	"github.com/hardened-pve/terraform-provider-hardened/internal/clusterfwfile"
	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/fwnames"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/problems"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ resource.Resource                   = &groupResource{}
	_ resource.ResourceWithConfigure      = &groupResource{}
	_ resource.ResourceWithImportState    = &groupResource{}
	_ resource.ResourceWithValidateConfig = &groupResource{}
)

// NewResource is the hardened_security_group constructor.
func NewResource() resource.Resource { return &groupResource{} }

type groupResource struct {
	clients *providerdata.Clients
}

type model struct {
	ID      types.String `tfsdk:"id"`
	Name    types.String `tfsdk:"name"`
	Comment types.String `tfsdk:"comment"`
	Rules   types.List   `tfsdk:"rules"`
}

func (r *groupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_security_group"
}

func (r *groupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: strings.Join([]string{
			"A cluster-wide PVE firewall security group: a named, ordered rule set (a `[group name]` section of `/etc/pve/firewall/cluster.fw`)",
			"that a platform team defines once and app teams reference from containers with `{ type = \"group\", action = \"<name>\", iface = \"net0\" }`.",
			"The section is written through the node channel under PVE's cluster firewall lock in one atomic rename, and read back through the API,",
			"so a rule added, removed, moved or disabled by hand shows in the next plan. Deleting a group that a container still references fails",
			"(PVE would silently skip the missing group and the container would lose those rules).",
		}, " "),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The group's name.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: fmt.Sprintf("Group name: a lower-case letter, then lower-case letters, digits, `-` or `_`, at most %d characters (PVE's "+
					"limit). Changing it replaces the group.", fwnames.MaxGroupNameLength),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{stringvalidator.LengthBetween(2, fwnames.MaxGroupNameLength),
					stringvalidator.RegexMatches(groupNameRE, "must be a lower-case letter followed by lower-case letters, digits, - or _ (PVE stores group "+
						"names in lower case)")},
			},
			"comment": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Comment shown in the PVE UI.",
			},
			"rules": fwrules.Attribute(true),
		},
	}
}

func (r *groupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

// toGroup converts the model; ok is false when a value is unknown.
func toGroup(ctx context.Context, m model, diags *diag.Diagnostics) (firewall.Group, bool) {
	if m.Name.IsUnknown() || m.Comment.IsUnknown() || m.Rules.IsUnknown() {
		return firewall.Group{}, false
	}
	return firewall.Group{Name: m.Name.ValueString(), Comment: m.Comment.ValueString(), Rules: fwrules.ToRules(ctx, m.Rules, diags)}, true
}

func validateGroup(g firewall.Group) []hardening.Problem {
	ps := hardening.ValidateRules(g.Rules, hardening.RuleEnv{Group: true}, "rules")
	return append(ps, hardening.ValidateComment([]any{"comment"}, g.Comment)...)
}

func (r *groupResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var d diag.Diagnostics
	if g, ok := toGroup(ctx, m, &d); ok && !d.HasError() {
		problems.AddKnown(ctx, &resp.Diagnostics, req.Config, validateGroup(g))
	}
}

// write replaces (g != nil) or removes the group's section of cluster.fw
// under PVE's cluster firewall lock, atomically; check runs under the lock
// before anything is written.
func (r *groupResource) write(ctx context.Context, name string, g *firewall.Group, check func() error) error {
	return clusterfwfile.Edit(ctx, r.clients, func(old []byte) []byte { return firewall.SpliceGroup(old, g, name) }, check)
}

// observe reads the group through the API; found is false when it does not
// exist. Rules PVE rejects (its verify errors) are listed in rejected.
func (r *groupResource) observe(ctx context.Context, name string) (g firewall.Group, found bool, rejected []string, err error) {
	groups, err := r.clients.API.FirewallGroups(ctx)
	if err != nil {
		return g, false, nil, err
	}
	comment, ok := groups[name]
	if !ok {
		return g, false, nil, nil
	}
	raw, err := r.clients.API.FirewallGroupRules(ctx, name)
	if err != nil {
		return g, true, nil, err
	}
	g = firewall.Group{Name: name, Comment: comment}
	for i, rr := range raw {
		if errs, ok := rr["errors"].(map[string]any); ok && len(errs) > 0 {
			rejected = append(rejected, fmt.Sprintf("rule %d: %v", i, errs))
		}
		g.Rules = append(g.Rules, firewall.RuleFromAPI(rr))
	}
	return g, true, rejected, nil
}

func toModel(ctx context.Context, g firewall.Group, diags *diag.Diagnostics) model {
	m := model{ID: types.StringValue(g.Name), Name: types.StringValue(g.Name), Comment: types.StringNull(),
		Rules: fwrules.FromRules(ctx, g.Rules, diags)}
	if g.Comment != "" {
		m.Comment = types.StringValue(g.Comment)
	}
	return m
}

// apply writes the planned group and stores what PVE then reports.
func (r *groupResource) apply(ctx context.Context, plan model, state *tfsdk.State, diags *diag.Diagnostics, check func() error) {
	g, ok := toGroup(ctx, plan, diags)
	if !ok || diags.HasError() {
		return
	}
	if ps := validateGroup(g); len(ps) > 0 {
		problems.Add(diags, ps)
		return
	}
	if err := r.write(ctx, g.Name, &g, check); err != nil {
		diags.AddError("Writing the security group failed", err.Error())
		return
	}
	got, found, rejected, err := r.observe(ctx, g.Name)
	switch {
	case err == nil && !found:
		err = errors.New("PVE does not list the group after it was written")
	case err == nil && len(rejected) > 0:
		err = fmt.Errorf("PVE rejects rules of security group %s and ignores them: %s", g.Name, strings.Join(rejected, "; "))
	}
	if err != nil {
		diags.AddError("Confirming the security group through the API failed", err.Error())
	}
	if found {
		m := toModel(ctx, got, diags)
		diags.Append(state.Set(ctx, &m)...)
	}
}

func (r *groupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := plan.Name.ValueString()
	exists := func() error {
		if _, found, _, err := r.observe(ctx, name); err != nil || found {
			if err != nil {
				return err
			}
			return fmt.Errorf("security group %q already exists in cluster.fw; import it (terraform import hardened_security_group.<name> "+
				"%s) instead of creating it", name, name)
		}
		return nil
	}
	r.apply(ctx, plan, &resp.State, &resp.Diagnostics, exists)
}

func (r *groupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, &resp.State, &resp.Diagnostics, nil)
}

func (r *groupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	g, found, rejected, err := r.observe(ctx, state.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Reading the security group failed", err.Error())
		return
	}
	if len(rejected) > 0 {
		resp.Diagnostics.AddWarning("PVE ignores rules of this security group",
			fmt.Sprintf("cluster.fw holds rules PVE rejects (%s); the next apply writes the configured rules again.", strings.Join(rejected, "; ")))
	}
	if !found {
		resp.Diagnostics.AddWarning("Security group no longer exists",
			fmt.Sprintf("Security group %q was removed from cluster.fw outside Terraform; the next apply creates it again.", state.Name.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	m := toModel(ctx, g, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *groupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	unreferenced := func() error {
		refs, err := r.clients.API.GroupReferences(ctx, name)
		if err != nil {
			return fmt.Errorf("checking which containers reference the group: %w", err)
		}
		if len(refs) > 0 {
			return fmt.Errorf("security group %q is still referenced by the firewall of %s: deleting it would silently drop those rules "+
				"(PVE skips a missing group). Remove the `group` rules first (or destroy those containers), then delete the "+
				"group", name, strings.Join(refs, ", "))
		}
		return nil
	}
	if err := r.write(ctx, name, nil, unreferenced); err != nil {
		resp.Diagnostics.AddError("Deleting the security group failed", err.Error())
	}
}

func (r *groupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !groupNameRE.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Expected a security group name (lower case), e.g. webservers; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
