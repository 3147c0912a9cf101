package container

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/fwrules"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

func stringSetOf(vals ...string) types.Set {
	elems := make([]attr.Value, len(vals))
	for i, v := range vals {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

func defaultObject(t map[string]attr.Type, vals map[string]attr.Value) types.Object {
	return types.ObjectValueMust(t, vals)
}

func defaultRootFS() types.Object {
	return defaultObject(rootfsAttrTypes, map[string]attr.Value{
		"storage":       types.StringValue(hardening.DefaultRootFSStorage),
		"size":          types.Int64Value(hardening.DefaultRootFSSizeGiB),
		"mount_options": stringSetOf(hardening.DefaultMountOptions...),
		"volume":        types.StringUnknown(),
	})
}

func defaultCapabilities() types.Object {
	return defaultObject(capsAttrTypes, map[string]attr.Value{
		"drop": stringSetOf(hardening.DefaultDropCapabilities...),
		"keep": types.SetNull(types.StringType),
	})
}

func defaultFeatures() types.Object {
	return defaultObject(featAttrTypes, map[string]attr.Value{
		"nesting": types.BoolValue(false),
		"keyctl":  types.BoolValue(false),
		"fuse":    types.BoolValue(false),
		"mknod":   types.BoolValue(false),
		"mount":   stringSetOf(),
	})
}

func defaultFirewall() types.Object {
	return defaultObject(fwAttrTypes, map[string]attr.Value{
		"enabled":       types.BoolValue(true),
		"policy_in":     types.StringValue(hardening.DefaultPolicyIn),
		"policy_out":    types.StringValue(hardening.DefaultPolicyOut),
		"macfilter":     types.BoolValue(true),
		"ipfilter":      types.BoolValue(true),
		"ndp":           types.BoolValue(true),
		"radv":          types.BoolValue(false),
		"dhcp":          types.BoolValue(false),
		"log_level_in":  types.StringValue(hardening.DefaultLogLevel),
		"log_level_out": types.StringValue(hardening.DefaultLogLevel),
		"rules":         fwrules.Empty(),
		"ipsets":        types.MapValueMust(types.ObjectType{AttrTypes: ipsetAttrTypes}, map[string]attr.Value{}),
		"aliases":       types.MapValueMust(types.ObjectType{AttrTypes: aliasAttrTypes}, map[string]attr.Value{}),
	})
}

// Defaults written in more than one place (the schema, its description, ImportState).
const (
	defaultTaskTimeoutSeconds       = 300
	defaultRestartOnHardeningChange = true
)

func md(lines ...string) string { return strings.Join(lines, " ") }

func (r *containerResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	capNames := hardening.AllCapabilities
	resp.Schema = schema.Schema{
		MarkdownDescription: md("A Proxmox VE LXC container that is hardened by construction and stays hardened.",
			"Normal settings go through the PVE API; what the API cannot set (capability drops, the pids limit, the AppArmor profile)",
			"is written as raw `lxc.*` lines into `/etc/pve/nodes/<node>/lxc/<vmid>.conf` and the firewall into `/etc/pve/firewall/<vmid>.fw`",
			"through the provider's node channel. Everything is read back on refresh, so any weakening made by hand shows up in `terraform plan`",
			"and is reverted by `terraform apply`. The configuration is a closed world: every key of the container's config is managed, harmless",
			"or drift (`unmanaged_config`, `raw_lxc`), see the configuration keys guide."),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`<node>/<vmid>`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"node": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Cluster node that runs the container. Changing it replaces the container (migration is not supported yet).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.RegexMatches(nodeNameRE, "must be a PVE node name")},
			},
			"vmid": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Container ID (100–999999999). When omitted, the provider allocates a free one through `/cluster/nextid` and " +
					"retries if another client takes it first. Changing it replaces the container.",
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace(), int64planmodifier.UseStateForUnknown()},
				Validators:    []validator.Int64{int64validator.Between(100, 999999999)},
			},
			"hostname": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Host name of the container (a DNS name, at most 255 characters).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"description": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Notes shown in the PVE UI, at most 8192 bytes (PVE's limit). Do not put secrets here: every user with " +
					"`VM.Audit` can read it.",
			},
			"tags": schema.SetAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "PVE tags (e.g. an owner).",
			},
			"ostemplate": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Template volume `<storage>:vztmpl/<file>` (at most 255 characters), e.g. " +
					"`local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst`. PVE does not store it, so it is not read back; " +
					"changing it replaces the container (after an import the configured value is adopted).",
				PlanModifiers: []planmodifier.String{replaceUnlessImported()},
			},
			"arch": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(hardening.DefaultArch),
				MarkdownDescription: "OS architecture. Default `" + hardening.DefaultArch + "`. Changing it replaces the container.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.OneOf("amd64", "i386", "arm64", "armhf", "riscv32", "riscv64")},
			},
			"ostype": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "OS type PVE detected from the template (read only).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"unprivileged": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: md("Always `true`: root in the container is mapped to an unprivileged host UID (100000), so an escape is not host",
					"root (seed 000).",
					"`false` is a plan-time error. If someone makes the container privileged by hand, the plan shows a forced replacement."),
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"root_password": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: md("Root password set at creation (min. 5 characters). PVE never returns it, so it is not read back and is not",
					"imported; changing it replaces the container.",
					"Sensitive hides it in the CLI output, but **it is stored in the state file in clear text**: with Terraform",
					"1.11 or later use `root_password_wo` instead",
					"(this attribute is for older CLIs). Prefer `ssh_public_keys`."),
				PlanModifiers: []planmodifier.String{replaceUnlessImported()},
				Validators: []validator.String{stringvalidator.LengthAtLeast(5),
					stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("root_password_wo"))},
			},
			"root_password_wo": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				MarkdownDescription: md("Write-only root password set at creation (min. 5 characters): Terraform sends it to the provider but never",
					"stores it in the plan or the state.",
					"**Needs Terraform 1.11 or later** (older CLIs refuse a value here; use `root_password` with them). Conflicts with `root_password`.",
					"Terraform cannot see a change of a write-only value: to set a new password, change",
					"`root_password_wo_version`, which replaces the container."),
				Validators: []validator.String{stringvalidator.LengthAtLeast(5),
					stringvalidator.ConflictsWith(path.MatchRoot("root_password"))},
			},
			"root_password_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: md("Version of `root_password_wo` (any number you change together with the password, HashiCorp's write-only convention).",
					"Changing it replaces the container, which is created with the current `root_password_wo`; after an import the",
					"configured value is adopted."),
				PlanModifiers: []planmodifier.Int64{replaceInt64UnlessImported()},
				Validators:    []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("root_password_wo"))},
			},
			"ssh_public_keys": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: md("OpenSSH public keys installed for root at creation, one key per element in `authorized_keys` format (a",
					"trailing line break, as `file()` reads it, is fine).",
					"Each key is parsed at plan time: an invalid key fails the plan, before a replacement could destroy the running container.",
					"Not read back (PVE does not keep them); changing them replaces the container."),
				PlanModifiers: []planmodifier.List{replaceListUnlessImported()},
			},
			"cores": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(hardening.DefaultCores),
				MarkdownDescription: fmt.Sprintf("CPU cores visible to the container. Default `%d`. Bounds what a compromised or runaway workload can take "+
					"from "+
					"its neighbours.", hardening.DefaultCores),
				Validators: []validator.Int64{int64validator.Between(1, 8192)},
			},
			"cpu_limit": schema.Float64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             float64default.StaticFloat64(0),
				MarkdownDescription: "CPU time limit in cores (e.g. `1.5`, cgroup `cpu.max`), 0–8192. Default `0` = no limit beyond `cores`.",
				Validators:          []validator.Float64{float64validator.Between(0, hardening.MaxCPULimit)},
			},
			"cpu_units": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(hardening.DefaultCPUUnits),
				MarkdownDescription: fmt.Sprintf("CPU weight (cgroup v2 `cpu.weight`, 1–10000). Default `%d`.", hardening.DefaultCPUUnits),
				Validators:          []validator.Int64{int64validator.Between(1, 10000)},
			},
			"memory": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(hardening.DefaultMemoryMiB),
				MarkdownDescription: fmt.Sprintf("Memory limit in MiB (cgroup `memory.max`). Default `%d`. Bounds the blast radius of a compromised container.",
					hardening.DefaultMemoryMiB),
				Validators: []validator.Int64{int64validator.AtLeast(16)},
			},
			"swap": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(hardening.DefaultSwapMiB),
				MarkdownDescription: fmt.Sprintf("Swap limit in MiB. Default `%d`.", hardening.DefaultSwapMiB),
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"pids_max": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(hardening.DefaultPidsMax),
				MarkdownDescription: fmt.Sprintf("Maximum number of processes (`lxc.cgroup2.pids.max`, written into the pct.conf). Default `%d`. Stops fork "+
					"bombs (seed 000). Read back as null when the container has no limit (no line, `max`, or an empty line).", hardening.DefaultPidsMax),
				Validators: []validator.Int64{int64validator.Between(16, 4194304)},
			},
			"rootfs": schema.SingleNestedAttribute{
				Optional:            true,
				Computed:            true,
				Default:             objectdefault.StaticValue(defaultRootFS()),
				MarkdownDescription: "Root file system.",
				Attributes: map[string]schema.Attribute{
					"storage": schema.StringAttribute{
						Optional: true,
						Computed: true,
						Default:  stringdefault.StaticString(hardening.DefaultRootFSStorage),
						MarkdownDescription: "Storage for the root volume. Default `" + hardening.DefaultRootFSStorage +
							"`. Changing it replaces the container.",
						PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
					},
					"size": schema.Int64Attribute{
						Optional: true,
						Computed: true,
						Default:  int64default.StaticInt64(hardening.DefaultRootFSSizeGiB),
						MarkdownDescription: fmt.Sprintf("Size in GiB. Default `%d`. Growing it resizes the volume in place (PVE's resize "+
							"task: the file system grows, online when the container runs; nothing is replaced). Shrinking fails the plan: "+
							"PVE cannot shrink a volume.", hardening.DefaultRootFSSizeGiB),
						Validators: []validator.Int64{int64validator.Between(1, 131072)},
					},
					"mount_options": schema.SetAttribute{
						ElementType: types.StringType,
						Optional:    true,
						Computed:    true,
						Default:     setdefault.StaticValue(stringSetOf(hardening.DefaultMountOptions...)),
						MarkdownDescription: "Mount options: `nodev` (no device files), `nosuid` (setuid bits ignored: no setuid-root escalation), " +
							"`noexec`, `noatime`, `lazytime`, `discard`. Default `[\"nodev\", \"nosuid\"]`; remove `nosuid` only if the " +
							"workload needs `su`/`sudo`.",
						Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(hardening.MountOptions...))},
					},
					"volume": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Volume ID PVE allocated (read only).",
						PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
					},
				},
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
			},
			"capabilities": schema.SingleNestedAttribute{
				Optional: true,
				Computed: true,
				Default:  objectdefault.StaticValue(defaultCapabilities()),
				MarkdownDescription: md("Linux capabilities removed from the container's root (written as `lxc.cap.drop` / `lxc.cap.keep` lines).",
					"Give `drop` (drop these) or `keep` (drop all others), not both. Default: `drop` = seed 000's list",
					"(`"+strings.Join(hardening.DefaultDropCapabilities, "`, `")+"`)."),
				Attributes: map[string]schema.Attribute{
					"drop": schema.SetAttribute{
						ElementType:         types.StringType,
						Optional:            true,
						MarkdownDescription: "Capabilities to drop (capabilities(7) names, lower case, no `CAP_` prefix).",
						Validators: []validator.Set{setvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("keep")),
							setvalidator.ValueStringsAre(stringvalidator.OneOf(capNames...))},
					},
					"keep": schema.SetAttribute{
						ElementType: types.StringType,
						Optional:    true,
						MarkdownDescription: "Drop every capability except these (`[]` drops all). The strictest posture (seed 000), e.g. " +
							"`[\"net_bind_service\"]`.",
						Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(capNames...))},
					},
				},
			},
			"features": schema.SingleNestedAttribute{
				Optional:            true,
				Computed:            true,
				Default:             objectdefault.StaticValue(defaultFeatures()),
				MarkdownDescription: "PVE container features. All off by default: each one widens what the container can ask of the host kernel.",
				Attributes: map[string]schema.Attribute{
					"nesting": boolFeature("Allow nested containers/namespaces (also relaxes PVE's AppArmor `/proc` and `/sys` mount denies)."),
					"keyctl": boolFeature("Allow the kernel keyring syscalls keyctl(), add_key() and request_key() (needed by Docker in unprivileged " +
						"CTs); otherwise they fail with ENOSYS (the seccomp denylist)."),
					"fuse": boolFeature("Allow FUSE mounts (exposes /dev/fuse to the container)."),
					"mknod": boolFeature("Allow mknod() of a safe device set through PVE's seccomp notify proxy (experimental in PVE). With the " +
						"provider's seccomp policy (`seccomp.mode` other than `default`) PVE's notify proxy is not used: mknod and " +
						"mknodat are then only not denied, and a plan warns."),
					"mount": schema.SetAttribute{
						ElementType: types.StringType,
						Optional:    true,
						Computed:    true,
						Default:     setdefault.StaticValue(stringSetOf()),
						MarkdownDescription: "File system types the container may mount (e.g. `nfs`). Default none. Changing features needs `root@pam` " +
							"(ticket auth).",
					},
				},
			},
			"network":  networkAttribute(),
			"firewall": firewallAttribute(),
			"apparmor_profile": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(hardening.DefaultAppArmorProfile),
				MarkdownDescription: md("AppArmor confinement (written as `lxc.apparmor.profile`): `hardened` (the default) is a profile the provider",
					"generates from the `apparmor`",
					"settings, based on LXC's `abstractions/lxc/container-base`, named `lxc-hardened-<digest>`, written to",
					"`/etc/apparmor.d/lxc/` on every node and loaded;",
					"`generated` is PVE's own profile; any other value names an `lxc-*` profile that must be loaded on every node",
					"(see `hardened_apparmor_profile`).",
					"`unconfined` is a plan-time error: it removes the mandatory access control that keeps root in the container",
					"away from /proc/sys, /sys and mounts."),
			},
			"apparmor":         apparmorAttribute(),
			"seccomp":          seccompAttribute(),
			"mount_points":     mountPointsAttribute(),
			"devices":          devicesAttribute(),
			"hookscript":       hookscriptAttribute(),
			"environment":      environmentAttribute(),
			"prlimits":         prlimitsAttribute(),
			"raw_lxc":          rawLXCAttribute(),
			"unmanaged_config": unmanagedConfigAttribute(),
			"exceptions":       exceptionsAttribute(),
			"compliance":       complianceAttribute(),
			"ssh_server":       sshServerAttribute(),
			"node_files": schema.MapAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: md("The confinement files the provider keeps on the nodes (path to `sha256:<digest>` of the content), checked on",
					"every node that needs them.",
					"A copy edited or deleted by hand shows here as `sha256:... on node X` or `missing on node X`, and apply writes it again."),
			},
			"started": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Desired power state. Default `true`. A container stopped by hand shows as a change.",
			},
			"allow_replace_after_import": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: md("Default `false`: after `terraform import`, a plan that would replace the container (destroy it with its",
					"volumes, i.e. its data, and create a new one, e.g. because the imported container is privileged) fails with the",
					"reason and the migration path instead. Set `true` only to state that the imported container and its data may be",
					"destroyed; it has no effect once the first apply after the import is done."),
			},
			"restart_on_hardening_change": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(defaultRestartOnHardeningChange),
				MarkdownDescription: md("Restart a running container when a setting that only takes effect at start changes (raw `lxc.*` lines,",
					"pending API keys).",
					fmt.Sprintf("Default `%t`. With `false` the change waits", defaultRestartOnHardeningChange),
					"for the next restart: PVE lists pending API keys in the",
					"container's Pending view, and the new `lxc.*` lines apply at the next start",
					"(`pending_restart` and HC-RUN-001 show the owed restart until then). A restart still owed from an earlier apply",
					"(a failed or interrupted reboot) is performed by the next apply."),
			},
			"pending_restart": pendingRestartAttribute(),
			"onboot": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Start with the node. Default `true`.",
			},
			"startup": startupAttribute(),
			"protection": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "PVE protection flag (blocks removal and disk changes). Default `false`; `terraform destroy` fails while it is set.",
			},
			"timezone": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Time zone: `host` (the node's), `UTC` or a zone of the tz database's `zone.tab` such as `Europe/Berlin` (what " +
					"PVE accepts; links such as `US/Eastern` are refused). Unset: the template's.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"nameservers": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "DNS servers, one IP address per element (a link-local IPv6 address may name its interface: `fe80::1%eth0`). " +
					"Unset: the host's.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
			},
			"searchdomain": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "DNS search domain: a DNS name, or several separated by single spaces. Unset: the host's.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"tty": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(hardening.DefaultTTY),
				MarkdownDescription: fmt.Sprintf("Number of ttys. Default `%d`.", hardening.DefaultTTY),
				Validators:          []validator.Int64{int64validator.Between(0, 6)},
			},
			"console": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Attach /dev/console. Default `true`.",
			},
			"console_mode": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(hardening.DefaultCMode),
				MarkdownDescription: "Console mode: `tty` (default, a login prompt), `console`, or `shell` (a root shell without login: avoid).",
				Validators:          []validator.String{stringvalidator.OneOf("tty", "console", "shell")},
			},
			"lxc_lines": schema.ListAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "The raw `lxc.*` lines the provider enforces in the pct.conf (for review and policy tools).",
			},
			"firewall_file": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The container's `.fw` file as the provider writes it (for review and policy tools).",
			},
			"task_timeout_seconds": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(defaultTaskTimeoutSeconds),
				MarkdownDescription: fmt.Sprintf("How long to wait for a PVE task (create, start, stop, delete). Default `%d`.",
					defaultTaskTimeoutSeconds),
				Validators: []validator.Int64{int64validator.Between(10, 86400)},
			},
		},
	}
}

// replaceUnlessImported forces replacement on change, except when the state
// has no value because the container was imported (PVE cannot report it).
func replaceUnlessImported() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !(req.StateValue.IsNull() && imported(ctx, req.Private))
		}, replaceDesc, replaceDesc)
}

// replaceInt64UnlessImported is replaceUnlessImported for an Int64 attribute.
func replaceInt64UnlessImported() planmodifier.Int64 {
	return int64planmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !(req.StateValue.IsNull() && imported(ctx, req.Private))
		}, replaceDesc, replaceDesc)
}

// replaceListUnlessImported is replaceUnlessImported for a List attribute.
func replaceListUnlessImported() planmodifier.List {
	return listplanmodifier.RequiresReplaceIf(
		func(ctx context.Context, req planmodifier.ListRequest, resp *listplanmodifier.RequiresReplaceIfFuncResponse) {
			resp.RequiresReplace = !(req.StateValue.IsNull() && imported(ctx, req.Private))
		}, replaceDesc, replaceDesc)
}

const replaceDesc = "Changing the value replaces the container, except that after an import (PVE cannot report it) the configured value is adopted."

const importedKey = "imported"

// privateGetter is the part of the framework's private state we read.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func imported(ctx context.Context, p privateGetter) bool {
	if p == nil {
		return false
	}
	b, _ := p.GetKey(ctx, importedKey)
	return string(b) == "true"
}
