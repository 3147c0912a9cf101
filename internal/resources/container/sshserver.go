package container

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// The guest SSH policy (seed 000 checklist: "SSH: key-only auth, root login
// disabled, banner configured"): a drop-in under /etc/ssh/sshd_config.d/
// written through `pct push`, sshd reloaded through `pct exec`, and the
// effective configuration (one `pct exec` of sshdconfig.ProbeScript: sshd
// -T, and sshd -T -C per probe connection) read back, so a hand edit
// anywhere in sshd's configuration shows in plan.

type sshServerModel struct {
	Enabled         types.Bool   `tfsdk:"enabled"`
	PermitRootLogin types.String `tfsdk:"permit_root_login"`
	KeyOnly         types.Bool   `tfsdk:"key_only"`
	Banner          types.String `tfsdk:"banner"`
	AllowUsers      types.List   `tfsdk:"allow_users"`
	Installed       types.Bool   `tfsdk:"installed"`
}

var sshServerAttrTypes = map[string]attr.Type{"enabled": types.BoolType, "permit_root_login": types.StringType, "key_only": types.BoolType,
	"banner": types.StringType, "allow_users": types.ListType{ElemType: types.StringType}, "installed": types.BoolType}

// DefaultSSHBanner is the banner written unless one is configured.
const DefaultSSHBanner = "Authorized access only. Activity on this system is logged."

// bannerNotManaged is what banner reads as when sshd shows a banner file
// other than the provider's (a value no configuration can hold: it has a
// control character, so the plan always shows the change).
const bannerNotManaged = "\x00banner not managed: "

// defaultSSHServer is ssh_server without a block: the hardened policy,
// enforced wherever the container has an OpenSSH server (installed is
// observed: unknown until the provider looked).
func defaultSSHServer() types.Object {
	return defaultObject(sshServerAttrTypes, map[string]attr.Value{
		"enabled":           types.BoolValue(true),
		"permit_root_login": types.StringValue(sshdconfig.RootLoginNo),
		"key_only":          types.BoolValue(true),
		"banner":            types.StringValue(DefaultSSHBanner),
		"allow_users":       types.ListNull(types.StringType),
		"installed":         types.BoolUnknown(),
	})
}

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
		Computed: true,
		Default:  objectdefault.StaticValue(defaultSSHServer()),
		MarkdownDescription: md("The OpenSSH server inside the container (seed 000: \"SSH: key-only auth, root login disabled, banner configured\";",
			"rule HC-SSH-001). **On by default**: without this block, every container whose template ships OpenSSH (Debian's and Ubuntu's",
			"standard templates do, Alpine's does not) gets the hardened policy: key-only authentication, root login off, a banner.",
			"The provider looks for sshd inside the running container once (`installed` shows the answer) and, where there is one, writes a",
			"drop-in, `/etc/ssh/sshd_config.d/00-hardened.conf`, included first from `/etc/ssh/sshd_config` (sshd keeps the **first** value it",
			"reads for a keyword), which sets the policy's keywords and repeats them in a closing `Match all` block: among the `Match` blocks that",
			"apply to a connection sshd also keeps the first value, so a hand-added `Match User *` block with `PasswordAuthentication yes` further",
			"on has no effect. It writes the banner file through PVE's own tooling on the node (`pct push`, which enters the container's namespaces:",
			"nothing is written from the host side), has sshd check the result (`sshd -t`; when sshd refuses it, e.g. an OpenSSH older than",
			"7.3 that does not know `Include`, or a write fails, the files are put back as they were and the apply",
			"fails, so sshd never meets a configuration it refuses at its next start), then reloads sshd (`systemctl try-reload-or-restart",
			"ssh`, or `sshd` where the unit has that name; a container without systemctl gets a warning: its running sshd reads the policy",
			"when it restarts), and reads the policy back:",
			"what the drop-in cannot override (e.g. a `Match` block elsewhere adding `AllowUsers` entries, which sshd adds up) fails the apply,",
			"naming it. Every refresh reads back the **effective** configuration with one `pct exec` of a fixed probe script (nothing from the",
			"configuration is in it): `sshd -T`, then `sshd -T -C user=<u>,host=<a>,addr=<a>,lport=<port>` for root, the `AllowUsers` users and",
			"every account of the container's `/etc/passwd` with a login shell, each from 127.0.0.1, 10.0.0.1, 172.16.0.1, 192.168.0.1,",
			"198.51.100.1, ::1 and 2001:db8::1, and the banner file; each attribute reads as the **weakest** value any of them has. So a hand edit",
			"anywhere (the drop-in, an earlier file in `sshd_config.d`, the main file), including a `Match` block that weakens logins only for",
			"real connections while `sshd -T` without one still prints the policy's values, shows in the next plan and apply repairs it. A `Match`",
			"block keyed on other client addresses, host names, a local address or a routing domain is not probed; the drop-in's `Match all`",
			"keeps the policy there while the drop-in and its `Include` are intact (an edit of the drop-in that changes no probed connection's",
			"values is not seen until apply rewrites the drop-in, which it does only for a change). A container without sshd costs no",
			"`pct` call on refresh: it is looked at again after it restarts (a new init) or when `installed` is unknown. PVE's `pct` reaches only a",
			"running container: while it is stopped the last observation is kept. Set `enabled = false` to leave sshd's configuration alone (the",
			"provider then writes nothing; HC-SSH-001 still checks what is in effect, unless the baseline's `require_ssh_policy` is `false`: then",
			"no `pct` call is made at all). Cost: a refresh of a running container with sshd makes one `pct exec` (the probe runs `sshd -T` once",
			"plus seven times per probed user)."),
		Attributes: map[string]schema.Attribute{
			"enabled": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "Enforce the policy below wherever the container has an OpenSSH server. Default `true`. `false`: sshd's " +
					"configuration is not written (nor shown as drift); compliance and `hardened_audit` still check it (HC-SSH-001: an " +
					"`exceptions` entry documents a deliberate deviation).",
			},
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
					"no`, `PubkeyAuthentication yes`, and `ChallengeResponseAuthentication no` for OpenSSH before 8.7 (where its default `yes` " +
					"turns keyboard-interactive back on). Default `true`; it cannot be `false` (reads as `false` when sshd allows passwords, e.g. " +
					"after a hand edit).",
			},
			"banner": schema.StringAttribute{
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(DefaultSSHBanner),
				Validators: []validator.String{sshValidator{}},
				MarkdownDescription: "The banner shown before authentication (`Banner " + sshdconfig.BannerFile + "`); plain text, at most 4096 bytes. " +
					"Default: `" + DefaultSSHBanner + "`. `\"\"` (no banner) fails HC-SSH-001 unless excepted.",
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
			"installed": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Observed: whether the container has an OpenSSH server (`sshd` inside it). `false`: nothing to enforce, " +
					"HC-SSH-001 passes; null: not looked at yet (the container has not run since it was created or imported). Read only.",
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
