package container

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

type seccompModel struct {
	Mode     types.String `tfsdk:"mode"`
	Errno    types.Int64  `tfsdk:"errno"`
	Syscalls types.Set    `tfsdk:"syscalls"`
	UserNS   types.Bool   `tfsdk:"allow_user_namespaces"`
}

var seccompAttrTypes = map[string]attr.Type{
	"mode":                  types.StringType,
	"errno":                 types.Int64Type,
	"syscalls":              strSet,
	"allow_user_namespaces": types.BoolType,
}

func defaultSeccomp() types.Object {
	return defaultObject(seccompAttrTypes, map[string]attr.Value{"mode": types.StringValue(hardening.DefaultSeccompMode),
		"errno": types.Int64Value(hardening.DefaultSeccompErrno), "syscalls": stringSetOf(), "allow_user_namespaces": types.BoolValue(false)})
}

// denylistDoc lists the hardened denylist (generated from the table the
// policies are rendered from, so the docs cannot drift from it).
func denylistDoc() string {
	var parts []string
	for _, e := range seccomp.DefaultDenylist() {
		n := "`" + e.Syscall + "`"
		if e.Cond != nil {
			n += " (" + e.Condition + ")"
		}
		if e.Errno != 0 {
			n += fmt.Sprintf(" errno %d", e.Errno)
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, ", ")
}

func seccompAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		Computed: true,
		Default:  objectdefault.StaticValue(defaultSeccomp()),
		MarkdownDescription: md("Seccomp confinement: which system calls the kernel refuses to the container, whatever its capabilities (seeds 000 and 001).",
			"With `denylist` or `allowlist` the provider writes the policy to `"+seccomp.Dir+"/hardened-<digest>.seccomp` on the cluster file system",
			"(every node that may start the container, after a migration too, reads the same file) and names it in `lxc.seccomp.profile`;",
			"a container with its own profile gets none of PVE's seccomp additions, so the policy carries them itself. A",
			"changed policy restarts a running container",
			"(see `restart_on_hardening_change`): the kernel only installs a filter when the container starts."),
		Attributes: map[string]schema.Attribute{
			"mode": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(hardening.DefaultSeccompMode),
				MarkdownDescription: md("`denylist` (default): every syscall is allowed except the hardened denylist, which is LXC's `common.seccomp`,",
					"PVE's additions for",
					"unprivileged containers and the provider's own: "+denylistDoc()+" (each with the reason it is there in the [seccomp policies "+
						"guide](../guides/seccomp.md)). Those without an errno fail with `errno`.",
					"`keyctl`, `add_key` and `request_key` are allowed when `features.keyctl` is on.",
					"`allowlist`: every syscall not in `syscalls` fails with `errno` (seed 000's approach for app containers). The",
					"list must be complete: init, services",
					"and tools fail at run time on any syscall it misses, so a plan warns; the denylist still applies on top.",
					"`default`: PVE's own policy (no `lxc.seccomp.profile` line): LXC's `common.seccomp` plus PVE's additions, but none of the provider's.",
					"Observed only: `custom` means the container's config names a policy file the provider did not write (changed",
					"by hand); apply puts the configured policy back."),
				Validators: []validator.String{stringvalidator.OneOf(string(seccomp.ModeDenylist), string(seccomp.ModeAllowlist), string(seccomp.ModeDefault))},
			},
			"errno": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(hardening.DefaultSeccompErrno),
				MarkdownDescription: md("The error a refused syscall returns (1–4094). Default `1` (EPERM, \"Operation not permitted\"), which",
					"programs report clearly.",
					"`38` (ENOSYS) makes programs treat a call as not implemented and fall back, which suits an allowlist. The",
					"denylist's entries with their own errno keep it."),
				Validators: []validator.Int64{int64validator.Between(1, 4094)},
			},
			"syscalls": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(stringSetOf()),
				MarkdownDescription: md("`denylist`: further syscalls to refuse. `allowlist`: the complete set of allowed syscalls (the start of LXC",
					"and any init needs at least",
					"`"+strings.Join(seccomp.EssentialSyscalls(), "`, `")+"`).",
					"Names are checked at plan time against the x86_64 syscall table: LXC silently ignores a name it cannot",
					"resolve, so a typo would weaken the policy without any error."),
			},
			"allow_user_namespaces": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: md("Whether processes in the container may create user namespaces. Default `false`: `unshare` and `clone`",
					"with `CLONE_NEWUSER` fail with `errno` and `clone3` fails with ENOSYS (38), because a seccomp filter cannot read",
					"clone3's flags; glibc and musl then fall back to `clone`.",
					"A new user namespace gives its creator every capability over the namespaces it then creates, which opens kernel",
					"code otherwise out of a container's reach; most recent container escapes and kernel privilege escalations start",
					"with one (rule HC-SC-002).",
					"`features.nesting` allows them too (nested containers need them), whatever this says. Applies to the `denylist`",
					"and `allowlist` modes; PVE's own policy (`default`) never denies them."),
			},
		},
	}
}

func toSeccomp(ctx context.Context, o types.Object, diags *diag.Diagnostics) seccomp.Policy {
	m, ok := asObject[seccompModel](ctx, o, diags)
	if !ok {
		return seccomp.Policy{}
	}
	return seccomp.Policy{Mode: seccomp.Mode(m.Mode.ValueString()), Errno: int(m.Errno.ValueInt64()), Syscalls: strs(ctx, m.Syscalls, diags),
		UserNamespaces: m.UserNS.ValueBool()}
}

func fromSeccomp(ctx context.Context, p seccomp.Policy, diags *diag.Diagnostics) types.Object {
	mode, errno := string(p.Mode), p.Errno
	if mode == "" {
		mode = hardening.DefaultSeccompMode
	}
	if errno == 0 {
		errno = hardening.DefaultSeccompErrno
	}
	return objectValue(ctx, seccompAttrTypes, seccompModel{Mode: types.StringValue(mode), Errno: types.Int64Value(int64(errno)),
		Syscalls: strSetValue(ctx, p.Syscalls, diags, false), UserNS: types.BoolValue(p.UserNamespaces)}, diags)
}
