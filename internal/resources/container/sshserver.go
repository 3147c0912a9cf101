package container

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/guest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// The guest SSH policy (seed 000 checklist: "SSH: key-only auth, root login
// disabled, banner configured"): a drop-in under /etc/ssh/sshd_config.d/
// written through `pct push`, sshd reloaded through `pct exec`, and the
// effective configuration (`pct exec <vmid> -- sshd -T`) read back, so a
// hand edit anywhere in sshd's configuration shows in plan.

type sshServerModel struct {
	PermitRootLogin types.String `tfsdk:"permit_root_login"`
	KeyOnly         types.Bool   `tfsdk:"key_only"`
	Banner          types.String `tfsdk:"banner"`
	AllowUsers      types.List   `tfsdk:"allow_users"`
}

var sshServerAttrTypes = map[string]attr.Type{"permit_root_login": types.StringType, "key_only": types.BoolType,
	"banner": types.StringType, "allow_users": types.ListType{ElemType: types.StringType}}

// DefaultSSHBanner is the banner written unless one is configured.
const DefaultSSHBanner = "Authorized access only. Activity on this system is logged."

// bannerNotManaged is what banner reads as when sshd shows a banner file
// other than the provider's (a value no configuration can hold: it has a
// control character, so the plan always shows the change).
const bannerNotManaged = "\x00banner not managed: "

type sshValidator struct{}

func (sshValidator) Description(context.Context) string { return "a banner sshd can show" }
func (v sshValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (sshValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := sshdconfig.ValidateBanner(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid SSH banner", err.Error()+". Write plain text (it is shown to every client before "+
			"authentication).")
	}
}

func sshServerAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: md("The OpenSSH server inside the container (seed 000: \"SSH: key-only auth, root login disabled, banner configured\").",
			"Set, the provider writes a drop-in, `/etc/ssh/sshd_config.d/00-hardened.conf` (sshd keeps the **first** value it reads for a keyword, and",
			"Debian's and Ubuntu's `sshd_config` include this directory first), and the banner file through PVE's own tooling on the node",
			"(`pct push`, which enters the container's namespaces: nothing is written from the host side), then reloads sshd (`pct exec ... systemctl "+
				"reload ssh`).",
			"It reads back the **effective** configuration (`pct exec <vmid> -- sshd -T`), so a hand edit anywhere (the drop-in, an earlier file in",
			"`sshd_config.d`, the main file) shows in the next plan and apply repairs it. PVE's `pct` reaches only a running container: `started` must "+
				"be `true`;",
			"while the container is stopped the last observation is kept. A template without OpenSSH (`/usr/sbin/sshd`) fails the apply with a clear message.",
			"Unset (default): sshd's configuration is not managed."),
		Attributes: map[string]schema.Attribute{
			"permit_root_login": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(sshdconfig.RootLoginNo),
				Validators:          []validator.String{stringvalidator.OneOf(sshdconfig.RootLoginNo, sshdconfig.RootLoginProhibitPassword)},
				MarkdownDescription: "`PermitRootLogin`: `no` (default: root cannot log in over SSH) or `prohibit-password` (root with a key only).",
			},
			"key_only": schema.BoolAttribute{
				Optional:   true,
				Computed:   true,
				Default:    booldefault.StaticBool(true),
				Validators: nil,
				MarkdownDescription: "Key-only authentication: `PasswordAuthentication no`, `KbdInteractiveAuthentication no`, `PermitEmptyPasswords " +
					"no`, `PubkeyAuthentication yes`. Default `true`; it cannot be `false` (reads as `false` when sshd allows passwords, e.g. after a " +
					"hand edit).",
			},
			"banner": schema.StringAttribute{
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(DefaultSSHBanner),
				Validators: []validator.String{sshValidator{}},
				MarkdownDescription: "The banner shown before authentication (`Banner " + sshdconfig.BannerFile + "`); plain text, at most 4096 bytes. " +
					"Default: `" + DefaultSSHBanner + "`.",
			},
			"allow_users": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(sshdconfig.UserRE, "must be a user name (lower case) or user@host")),
				},
				MarkdownDescription: "`AllowUsers`: only these users (or `user@host` patterns) may log in. Unset: any user with a key.",
			},
		},
	}
}

func sshPolicy(ctx context.Context, o types.Object, diags *diag.Diagnostics) (sshdconfig.Policy, bool) {
	if o.IsNull() || o.IsUnknown() {
		return sshdconfig.Policy{}, false
	}
	var m sshServerModel
	diags.Append(o.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	p := sshdconfig.Policy{PermitRootLogin: m.PermitRootLogin.ValueString(), Banner: m.Banner.ValueString()}
	if !m.AllowUsers.IsNull() && !m.AllowUsers.IsUnknown() {
		diags.Append(m.AllowUsers.ElementsAs(ctx, &p.AllowUsers, false)...)
	}
	return p, true
}

// validateSSHServer: the policy needs a running container, and key_only
// cannot be switched off (the attribute exists to show drift).
func validateSSHServer(m containerModel, diags *diag.Diagnostics) {
	if m.SSHServer.IsNull() || m.SSHServer.IsUnknown() {
		return
	}
	if !m.Started.IsNull() && !m.Started.IsUnknown() && !m.Started.ValueBool() {
		diags.AddAttributeError(path.Root("ssh_server"), "ssh_server needs a running container",
			"PVE's pct push and pct exec reach only a running container, so the SSH policy can be neither written nor checked while `started = false`. "+
				"Set `started = true` or remove `ssh_server`.")
	}
	if ko, ok := m.SSHServer.Attributes()["key_only"].(types.Bool); ok && !ko.IsNull() && !ko.IsUnknown() && !ko.ValueBool() {
		diags.AddAttributeError(path.Root("ssh_server").AtName("key_only"), "Password authentication is not allowed",
			"`key_only = false` would let sshd accept passwords (seed 000: \"SSH: key-only auth\"). Remove the attribute (default `true`) and give users keys.")
	}
}

// applySSH writes the policy into the running container and reloads sshd.
func (r *containerResource) applySSH(ctx context.Context, m containerModel, node string, vmid int) error {
	var d diag.Diagnostics
	p, ok := sshPolicy(ctx, m.SSHServer, &d)
	if !ok || d.HasError() {
		return nil
	}
	if errs := p.Validate(); len(errs) > 0 {
		return errors.Join(errs...)
	}
	fs, err := r.clients.Nodes.FS(ctx, node)
	if err != nil {
		return err
	}
	ch := guest.Channel{FS: fs}
	if _, err := ch.Exec(ctx, vmid, "test", "-x", sshdconfig.SSHD); err != nil {
		if errors.Is(err, guest.ErrNotRunning) {
			return err
		}
		return fmt.Errorf("the container has no OpenSSH server (%s is not there): install openssh-server in the template, or remove "+
			"ssh_server (%w)", sshdconfig.SSHD, err)
	}
	tflog.Debug(ctx, "writing the SSH policy", map[string]any{"node": node, "vmid": vmid})
	if b := p.RenderBanner(); b != nil {
		if err := ch.Push(ctx, vmid, sshdconfig.BannerFile, b, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", sshdconfig.BannerFile, err)
		}
	}
	if err := ch.Push(ctx, vmid, sshdconfig.DropIn, p.RenderDropIn(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", sshdconfig.DropIn, err)
	}
	// the drop-in is read before anything else: no earlier file in
	// sshd_config.d and no line of the main file can override it
	main, missing, err := ch.Pull(ctx, vmid, sshdconfig.MainConfig)
	switch {
	case err != nil:
		return fmt.Errorf("reading %s: %w", sshdconfig.MainConfig, err)
	case missing:
		return fmt.Errorf("%s does not exist in the container", sshdconfig.MainConfig)
	}
	if fixed, changed := sshdconfig.EnsureIncludeFirst(main); changed {
		if err := ch.Push(ctx, vmid, sshdconfig.MainConfig, fixed, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", sshdconfig.MainConfig, err)
		}
	}
	if _, err := ch.Exec(ctx, vmid, "sshd", "-T"); err != nil {
		return fmt.Errorf("sshd refuses its configuration after the drop-in was written: %w", err)
	}
	if _, err := ch.Exec(ctx, vmid, "systemctl", "reload", "ssh"); err != nil {
		return fmt.Errorf("reloading sshd: %w", err)
	}
	return nil
}

// observeSSH reads the effective SSH configuration back into the
// attribute (prior is what was configured or last observed; null: not
// managed). A stopped container keeps the prior value; so does one whose
// sshd cannot be read, with a warning.
func (r *containerResource) observeSSH(ctx context.Context, prior types.Object, node string, vmid int, running bool, diags *diag.Diagnostics) types.Object {
	if prior.IsNull() || prior.IsUnknown() || r.clients == nil || !running {
		if prior.IsUnknown() || (!prior.IsNull() && len(prior.Attributes()) == 0) {
			return types.ObjectNull(sshServerAttrTypes)
		}
		if prior.IsNull() {
			return types.ObjectNull(sshServerAttrTypes)
		}
		return prior
	}
	fs, err := r.clients.Nodes.FS(ctx, node)
	if err != nil {
		diags.AddWarning("The SSH policy could not be read", err.Error())
		return prior
	}
	ch := guest.Channel{FS: fs}
	out, err := ch.Exec(ctx, vmid, "sshd", "-T")
	if err != nil {
		diags.AddWarning("The SSH policy could not be read", fmt.Sprintf("pct exec %d -- sshd -T: %v", vmid, err))
		return prior
	}
	eff := sshdconfig.ParseT(out)
	m := sshServerModel{PermitRootLogin: types.StringValue(first(eff["permitrootlogin"])),
		KeyOnly: types.BoolValue(first(eff["passwordauthentication"]) == "no" && first(eff["kbdinteractiveauthentication"]) == "no" &&
			first(eff["permitemptypasswords"]) == "no" && first(eff["pubkeyauthentication"]) == "yes"),
		AllowUsers: types.ListNull(types.StringType)}
	switch b := first(eff["banner"]); b {
	case "none", "":
		m.Banner = types.StringValue("")
	case sshdconfig.BannerFile:
		data, missing, err := ch.Pull(ctx, vmid, sshdconfig.BannerFile)
		switch {
		case err != nil:
			diags.AddWarning("The SSH banner could not be read", err.Error())
			m.Banner = prior.Attributes()["banner"].(types.String) //nolint:forcetypeassert // the schema's type
		case missing:
			m.Banner = types.StringValue(bannerNotManaged + "missing " + b)
		default:
			m.Banner = types.StringValue(bannerText(string(data), prior))
		}
	default:
		m.Banner = types.StringValue(bannerNotManaged + b)
	}
	if users := sshdconfig.Users(eff); len(users) > 0 {
		l, d := types.ListValueFrom(ctx, types.StringType, users)
		diags.Append(d...)
		m.AllowUsers = l
	}
	o, d := types.ObjectValueFrom(ctx, sshServerAttrTypes, m)
	diags.Append(d...)
	return o
}

// bannerText is the banner file's content as the attribute holds it: the
// newline RenderBanner adds is dropped unless the configured banner ends
// with one.
func bannerText(content string, prior types.Object) string {
	if pb, ok := prior.Attributes()["banner"].(types.String); ok && strings.HasSuffix(pb.ValueString(), "\n") {
		return content
	}
	return strings.TrimSuffix(content, "\n")
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
