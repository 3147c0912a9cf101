// Package aarules is the Terraform side of a generated AppArmor profile's
// typed settings, shared by hardened_container (its `apparmor` block) and
// hardened_apparmor_profile (its `settings` block).
package aarules

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
)

var denyNames = []string{"deny_raw_network", "deny_packet_network", "deny_ptrace", "deny_proc_sys_write", "deny_sys_write", "deny_mount"}

// AttrTypes are the block's attribute types.
func AttrTypes(standalone bool) map[string]attr.Type {
	t := map[string]attr.Type{"extra_rules": types.ListType{ElemType: types.StringType}}
	for _, n := range denyNames {
		t[n] = types.BoolType
	}
	if standalone {
		t["nesting"] = types.BoolType
		t["mount_fs_types"] = types.SetType{ElemType: types.StringType}
	}
	return t
}

// Default is the block's default value: the hardened settings.
func Default(standalone bool) types.Object {
	v := map[string]attr.Value{"extra_rules": types.ListValueMust(types.StringType, []attr.Value{})}
	for _, n := range denyNames {
		v[n] = types.BoolValue(true)
	}
	if standalone {
		v["nesting"] = types.BoolValue(false)
		v["mount_fs_types"] = types.SetValueMust(types.StringType, []attr.Value{})
	}
	return types.ObjectValueMust(AttrTypes(standalone), v)
}

// Attribute is the block's schema.
func Attribute(description string, standalone bool) schema.SingleNestedAttribute {
	deny := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
			MarkdownDescription: desc + " Default `true`.",
		}
	}
	attrs := map[string]schema.Attribute{
		"deny_raw_network": deny("Deny raw sockets: no packet crafting or ICMP/ARP spoofing from the container (ping then needs unprivileged " +
			"ICMP sockets, which modern iputils use)."),
		"deny_packet_network": deny("Deny AF_PACKET sockets: no sniffing of the container's interfaces, no raw layer-2 frames."),
		"deny_ptrace":         deny("Deny tracing other processes (debuggers, reading secrets from another process's memory); reading /proc stays allowed."),
		"deny_proc_sys_write": deny("Deny every write under /proc/sys, including the namespaced net.* and IPC sysctls LXC's base still allows."),
		"deny_sys_write":      deny("Deny every write under /sys except the container's own cgroup tree /sys/fs/cgroup (systemd in the container needs it)."),
		"deny_mount": deny("Deny every mount, remount, umount and pivot_root (systemd units with PrivateTmp and the like then run without " +
			"those mounts; set `false` if a service needs them). Without it, PVE's denies of mounting /proc and /sys stay " +
			"unless nesting is on."),
		"extra_rules": schema.ListAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Computed:    true,
			Default:     listdefault.StaticValue(types.ListValueMust(types.StringType, []attr.Value{})),
			MarkdownDescription: "Further AppArmor rules, one rule ending in `,` per element (e.g. `deny /srv/secret/** rw,`). Checked at plan " +
				"time: no blocks, comments, includes, `unconfined` or unconfined exec modes (`ux`, `pux`, `cux`). Default none.",
		},
	}
	if standalone {
		attrs["nesting"] = schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
			MarkdownDescription: "Allow nested containers (LXC's nesting rules; needs `deny_mount = false`) for containers with " +
				"`features.nesting`. Default `false`.",
		}
		attrs["mount_fs_types"] = schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			Computed:            true,
			Default:             setdefaultEmpty(),
			MarkdownDescription: "File system types containers under this profile may mount (as `features.mount`; needs `deny_mount = false`). Default none.",
		}
	}
	return schema.SingleNestedAttribute{
		Optional:            true,
		Computed:            true,
		Default:             objectdefault.StaticValue(Default(standalone)),
		MarkdownDescription: description,
		Attributes:          attrs,
	}
}

// ToSettings converts the block (null or unknown: the zero settings, ok
// false; unknown parts count as false/empty).
func ToSettings(ctx context.Context, o types.Object, diags *diag.Diagnostics) (apparmor.Settings, bool) {
	if o.IsNull() || o.IsUnknown() {
		return apparmor.Settings{}, false
	}
	a := o.Attributes()
	b := func(k string) bool {
		v, ok := a[k].(types.Bool)
		return ok && v.ValueBool()
	}
	strs := func(k string) []string {
		var out []string
		switch v := a[k].(type) {
		case types.List:
			if !v.IsNull() && !v.IsUnknown() {
				diags.Append(v.ElementsAs(ctx, &out, false)...)
			}
		case types.Set:
			if !v.IsNull() && !v.IsUnknown() {
				diags.Append(v.ElementsAs(ctx, &out, false)...)
			}
		}
		return out
	}
	return apparmor.Settings{DenyRawNetwork: b("deny_raw_network"), DenyPacketNetwork: b("deny_packet_network"),
		DenyPtrace: b("deny_ptrace"), DenyProcSysWrite: b("deny_proc_sys_write"), DenySysWrite: b("deny_sys_write"),
		DenyMount: b("deny_mount"), Nesting: b("nesting"), ExtraRules: strs("extra_rules"), MountFSTypes: strs("mount_fs_types")}, true
}

// FromSettings converts settings to the block.
func FromSettings(ctx context.Context, s apparmor.Settings, standalone bool, diags *diag.Diagnostics) types.Object {
	rules := s.ExtraRules
	if rules == nil {
		rules = []string{}
	}
	v := map[string]attr.Value{
		"deny_raw_network": types.BoolValue(s.DenyRawNetwork), "deny_packet_network": types.BoolValue(s.DenyPacketNetwork),
		"deny_ptrace": types.BoolValue(s.DenyPtrace), "deny_proc_sys_write": types.BoolValue(s.DenyProcSysWrite),
		"deny_sys_write": types.BoolValue(s.DenySysWrite), "deny_mount": types.BoolValue(s.DenyMount),
	}
	l, d := types.ListValueFrom(ctx, types.StringType, rules)
	diags.Append(d...)
	v["extra_rules"] = l
	if standalone {
		v["nesting"] = types.BoolValue(s.Nesting)
		fs := s.MountFSTypes
		if fs == nil {
			fs = []string{}
		}
		set, d := types.SetValueFrom(ctx, types.StringType, fs)
		diags.Append(d...)
		v["mount_fs_types"] = set
	}
	o, d := types.ObjectValue(AttrTypes(standalone), v)
	diags.Append(d...)
	return o
}
