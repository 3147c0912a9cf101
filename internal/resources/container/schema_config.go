package container

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

// The attributes of the configuration's closed world: every PVE key and
// raw lxc.* line a container may have is one of these (or a typed
// attribute elsewhere), harmless, or shown in unmanaged_config.

func mountPointsAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true,
		MarkdownDescription: md("Mount points (`mp0`, `mp1`, ... in list order; append new ones at the end): a new volume (`storage` and `size`)",
			"or a bind mount of a host directory (`host_path`). Bind mounts must lie under a prefix of the baseline's `allowed_bind_mount_prefixes`",
			"(rule HC-MNT-001; none by default) and are never allowed of the host's /, /etc, /proc, /sys, /dev, /boot, /root, /run, /var/lib/lxc,",
			"/etc/pve, /var/lib/pve-cluster, below them or above them. A mount point added or changed by hand shows in the plan; apply removes it",
			"(a removed volume stays on the storage as PVE's `unusedN`, not mounted). Volumes are created through the API; bind mounts are written",
			"through the node channel, because PVE lets only `root@pam` (not an API token) set them through the API. Default: none."),
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"path": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Where it is mounted inside the container (absolute, not `/`).",
			},
			"storage": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Storage of a new volume (e.g. `local-lvm`). Changing it on an existing volume is refused at plan time (move " +
					"the volume with `pct move-volume`).",
			},
			"size": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Size of a new volume in GiB. Changing it on an existing volume is refused at plan time (grow it with `pct " +
					"resize`, then set the new size).",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"host_path": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Host directory to bind-mount (instead of `storage`/`size`). Gated by the baseline (HC-MNT-001).",
			},
			"read_only": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Mount read-only (`ro=1`). Default `false`; prefer `true` for bind mounts the container only reads.",
			},
			"backup": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Include the volume in vzdump backups (volumes only; PVE's default `false`).",
			},
			"mount_options": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(stringSetOf(hardening.DefaultMountOptions...)),
				MarkdownDescription: "Mount options, of `noatime`, `lazytime`, `nodev`, `noexec`, `nosuid`, `discard`. Default `[\"nodev\", " +
					"\"nosuid\"]` (rule HC-MNT-002); add `noexec` for data-only mounts.",
			},
			"volume": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The volume ID PVE allocated (volumes only), e.g. `local-lvm:vm-101-disk-1`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		}},
		Validators: []validator.List{listvalidator.SizeAtMost(hardening.MaxMountPoints)},
	}
}

func devicesAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional: true,
		MarkdownDescription: md("Host device nodes passed through (`dev0`, `dev1`, ...), e.g. `/dev/net/tun` for a VPN. Each must match the baseline's",
			"`allowed_devices` (rule HC-DEV-001; none by default); `/dev/mem`, `/dev/kmem` and `/dev/port` never pass. Written through the node channel",
			"(PVE lets only `root@pam` configure passthrough through the API). A device added by hand shows in the plan and apply removes it. Default: none."),
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"path": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Host device node, under `/dev/`.",
			},
			"mode": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Octal access mode of the node inside the container (e.g. `0660`). Unset: PVE's default.",
			},
			"uid": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Owner uid inside the container. Unset: 0.",
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"gid": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Owner gid inside the container. Unset: 0.",
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"deny_write": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Read-only access to the device (`deny-write=1`). Default `false`.",
			},
		}},
		Validators: []validator.List{listvalidator.SizeAtMost(hardening.MaxDevices)},
	}
}

func hookscriptAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: md("A PVE hookscript (`<storage>:snippets/<file>`), run **as root on the host** at every start and stop.",
			"Must match the baseline's `allowed_hookscripts` (rule HC-HOOK-001; none by default). Written through the node channel (PVE lets",
			"only `root@pam` set it through the API). A hookscript set by hand shows in the plan and apply removes it. Default: none."),
	}
}

func environmentAttribute() schema.MapAttribute {
	return schema.MapAttribute{
		ElementType: types.StringType,
		Optional:    true,
		MarkdownDescription: md("The container's runtime environment (PVE's `env`), by variable name. Every process in the container, every",
			"PVE user with audit rights and Terraform state can read it: a secret-looking value fails the plan (rule HC-SEC-001); pass",
			"a file path instead (`DB_PASSWORD_FILE = \"/run/secrets/db\"`). A variable added by hand shows in the plan. Default: none."),
	}
}

func defaultPRLimits() types.Map {
	elems := map[string]attr.Value{}
	for k, v := range hardening.DefaultPRLimits {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func prlimitsAttribute() schema.MapAttribute {
	return schema.MapAttribute{
		ElementType: types.StringType,
		Optional:    true,
		Computed:    true,
		Default:     mapdefault.StaticValue(defaultPRLimits()),
		MarkdownDescription: md("Per-process resource limits (`lxc.prlimit.<name>`, setrlimit(2)) by resource: `nofile`, `nproc`, `core`,",
			"`memlock`, `stack`, ... Each value is one number (soft = hard), `\"soft:hard\"`, or `unlimited` (rule HC-LIM-001: only with an exception).",
			"Default `{ core = \"0\", nofile = \"1024:65535\" }`: no core dumps (a crashed service's memory, secrets included, would land on disk)",
			"and seed 000's open-file limit. Setting the map replaces the default; include what you keep."),
	}
}

func rawLXCAttribute() schema.ListAttribute {
	return schema.ListAttribute{
		ElementType: types.StringType,
		Optional:    true,
		MarkdownDescription: md("Escape hatch: raw `lxc.<key>: <value>` lines the schema lacks, written after the typed ones in this order.",
			"Only keys of the **raw** class are accepted (e.g. `lxc.cgroup2.io.weight`, `lxc.sysctl.kernel.msgmax`, `lxc.mount.auto` with read-only values),",
			"and each container using them needs an exception of HC-RAW-001 with the reason. Keys that defeat the hardening (idmap, AppArmor, seccomp,",
			"capabilities, cgroup device allows, mounts, hooks, includes, networking, ...) are refused whatever the exception: see the",
			"configuration keys guide. Observed, every raw line outside the typed keys is shown here, so a line added by hand is drift apply removes.",
			"Default: none."),
	}
}

func unmanagedConfigAttribute() schema.ListAttribute {
	return schema.ListAttribute{
		ElementType: types.StringType,
		Computed:    true,
		MarkdownDescription: md("Configuration the provider does not manage, found on the container, as `key: value`: keys of the unmanaged class",
			"(`entrypoint`, `debug`, `template`, any unknown key), sub-options the schema does not model (`net0: link_down=1`) and numbered keys after",
			"a gap. Always planned empty: a plan shows each one being removed, apply removes it from the pct.conf under PVE's config lock, and",
			"`compliance` fails HC-CFG-001 until then. See the configuration keys guide for every key's class."),
	}
}
