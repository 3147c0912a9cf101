package backupjob

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/backupjob"
)

// Hardened defaults (PVE's own: compress "0", i.e. none).
const (
	DefaultMode     = "snapshot"
	DefaultCompress = "zstd"
	DefaultEnabled  = true
)

type model struct {
	ID            types.String `tfsdk:"id"`
	Schedule      types.String `tfsdk:"schedule"`
	Enabled       types.Bool   `tfsdk:"enabled"`
	Storage       types.String `tfsdk:"storage"`
	Mode          types.String `tfsdk:"mode"`
	Compress      types.String `tfsdk:"compress"`
	Node          types.String `tfsdk:"node"`
	All           types.Bool   `tfsdk:"all"`
	Exclude       types.Set    `tfsdk:"exclude"`
	Pool          types.String `tfsdk:"pool"`
	VMIDs         types.Set    `tfsdk:"vmids"`
	PruneBackups  types.Object `tfsdk:"prune_backups"`
	NotesTemplate types.String `tfsdk:"notes_template"`
	Comment       types.String `tfsdk:"comment"`
	RepeatMissed  types.Bool   `tfsdk:"repeat_missed"`
}

// pruneAttrs are prune_backups' attributes: PVE's keys with "_" for "-".
var pruneAttrs = func() []string {
	out := make([]string, len(backupjob.PruneKeys))
	for i, k := range backupjob.PruneKeys {
		out[i] = strings.ReplaceAll(k, "-", "_")
	}
	return out
}()

var pruneAttrTypes = func() map[string]attr.Type {
	m := map[string]attr.Type{"keep_all": types.BoolType}
	for _, k := range pruneAttrs[1:] {
		m[k] = types.Int64Type
	}
	return m
}()

func md(parts ...string) string { return strings.Join(parts, " ") }

// checkString adapts a framework-free check into a plan-time validator.
type checkString struct {
	desc  string
	check func(string) error
}

func (v checkString) Description(context.Context) string         { return v.desc }
func (v checkString) MarkdownDescription(context.Context) string { return v.desc }
func (v checkString) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.desc, fmt.Sprintf("PVE would refuse %q: %v.", req.ConfigValue.ValueString(), err))
	}
}

var (
	storageIDValidator = stringvalidator.RegexMatches(storageIDRE, "must be a PVE storage ID: a letter, then letters, digits, '-', '_' or '.', ending in "+
		"a letter or digit")
	nodeValidator = stringvalidator.RegexMatches(nodeRE, "must be a PVE node name")
	poolValidator = stringvalidator.RegexMatches(poolRE, "must be a PVE pool ID (letters, digits, '_', '-'; up to two '/' levels)")
)

func vmidSet(doc string) schema.SetAttribute {
	return schema.SetAttribute{
		Optional:            true,
		ElementType:         types.Int64Type,
		MarkdownDescription: doc,
		Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueInt64sAre(int64validator.Between(100, 999999999))},
	}
}

func (r *jobResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	pruneAttributes := map[string]schema.Attribute{
		"keep_all": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "Keep every backup (conflicts with the other options when `true`).",
		},
	}
	for _, k := range pruneAttrs[1:] {
		pruneAttributes[k] = schema.Int64Attribute{
			Optional:            true,
			Validators:          []validator.Int64{int64validator.AtLeast(0)},
			MarkdownDescription: fmt.Sprintf("PVE's `%s`: how many backups of that kind to keep.", strings.ReplaceAll(k, "_", "-")),
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: md("A PVE scheduled backup job (Datacenter → Backup; `/cluster/backup`, stored in `/etc/pve/jobs.cfg`).",
			"Seed 000's audit checklist asks for an \"Automated backup snapshot configured (Proxmox scheduled backup)\": the policy rule HC-BAK-001",
			"fails for every container no enabled job backs up, in `hardened_container`'s `compliance` and in `hardened_audit`.",
			"A job backs a container up when it is enabled, runs on the container's node (every node unless `node` is set) and selects it:",
			"exactly one of `all` (every guest but `exclude`), `pool` or `vmids`.",
			"Every managed option is read back, so a job changed, disabled or deleted by hand shows in the next plan and apply repairs it.",
			"Options the resource does not manage (e.g. `mailto`, `bwlimit`, set by hand) are left as they are.",
			"Containers' compliance observes the jobs once per Terraform run: after the apply that creates a job, their `compliance` shows it from the "+
				"next refresh on."),
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{checkString{"backup job ID", backupjob.CheckID}},
				MarkdownDescription: "The job's ID (PVE's `pve-configid`: a letter, then letters, digits, `_` or `-`; at most 50 characters). Changing " +
					"it replaces the job.",
			},
			"schedule": schema.StringAttribute{
				Required:   true,
				Validators: []validator.String{checkString{"schedule", backupjob.CheckSchedule}},
				MarkdownDescription: "When the job runs: a PVE calendar event (a subset of systemd's), e.g. `21:00`, `mon..fri 02:30`, `sat 03:00`, " +
					"`*/30` or `daily`.",
			},
			"enabled": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(DefaultEnabled),
				MarkdownDescription: "Whether the job runs. Default: `true`. A disabled job backs nothing up and covers no container for HC-BAK-001.",
			},
			"storage": schema.StringAttribute{
				Required:   true,
				Validators: []validator.String{storageIDValidator},
				MarkdownDescription: "The storage the backups go to (its content must include `backup`; a Proxmox Backup Server storage keeps them off " +
					"the node).",
			},
			"mode": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(DefaultMode),
				Validators:          []validator.String{stringvalidator.OneOf(backupjob.Modes...)},
				MarkdownDescription: "`snapshot` (default: no downtime), `suspend` or `stop` (a consistent backup at the price of downtime).",
			},
			"compress": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(DefaultCompress),
				Validators:          []validator.String{stringvalidator.OneOf(backupjob.Compressions...)},
				MarkdownDescription: "Compression, one of `0` (none, PVE's default), `1`, `gzip`, `lzo`, `zstd`. Default: `zstd`.",
			},
			"node": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{nodeValidator},
				MarkdownDescription: "Run the job only on this node (its guests only). Unset (default): every node runs it for its own guests.",
			},
			"all": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Back up every guest (but `exclude`), including guests created later: the simplest way to keep HC-BAK-001 passing. " +
					"Default: `false`.",
			},
			"exclude": vmidSet("VMIDs `all` leaves out (only with `all = true`)."),
			"pool": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{poolValidator},
				MarkdownDescription: "Back up the guests of this resource pool (the pool must exist).",
			},
			"vmids": vmidSet("Back up exactly these guests."),
			"prune_backups": schema.SingleNestedAttribute{
				Optional:            true,
				Attributes:          pruneAttributes,
				MarkdownDescription: "Retention for this job's backups, instead of the storage's (`prune-backups`). Unset: the storage's retention.",
			},
			"notes_template": schema.StringAttribute{
				Optional:   true,
				Validators: []validator.String{checkString{"notes template", backupjob.CheckNotesTemplate}},
				MarkdownDescription: "The backups' notes: one line with `{{cluster}}`, `{{guestname}}`, `{{node}}` or `{{vmid}}` (PVE refuses other " +
					"variables and escapes but `\\n` and `\\\\`).",
			},
			"comment": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{checkString{"comment", backupjob.CheckComment}},
				MarkdownDescription: "A description of the job (one line, at most 512 characters).",
			},
			"repeat_missed": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Run a missed job as soon as possible when the scheduler was not running at its time. Default: `false` (PVE's).",
			},
		},
	}
}
