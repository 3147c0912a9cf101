// Package backupjob implements hardened_backup_job: a PVE scheduled backup
// job (/cluster/backup), the control behind seed 000's checklist line
// "Automated backup snapshot configured (Proxmox scheduled backup)" and the
// policy rule HC-BAK-001.
package backupjob

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/backupjob"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

var (
	_ resource.Resource                   = &jobResource{}
	_ resource.ResourceWithConfigure      = &jobResource{}
	_ resource.ResourceWithImportState    = &jobResource{}
	_ resource.ResourceWithValidateConfig = &jobResource{}
)

var (
	storageIDRE = regexp.MustCompile(`(?i)^[a-z][a-z0-9\-_.]*[a-z0-9]$`)
	nodeRE      = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$`)
	poolRE      = regexp.MustCompile(`^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+){0,2}$`)
)

// NewResource is the hardened_backup_job constructor.
func NewResource() resource.Resource { return &jobResource{} }

type jobResource struct {
	clients *providerdata.Clients
}

func (r *jobResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup_job"
}

func (r *jobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = providerdata.FromConfigure(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig: exactly one selection, exclude only with all, and
// prune_backups' keep_all alone (what PVE's verify_vzdump_parameters and
// the prune-backups format refuse).
func (r *jobResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.All.IsUnknown() || m.VMIDs.IsUnknown() || m.Pool.IsUnknown() || m.Exclude.IsUnknown() {
		return
	}
	all := m.All.ValueBool()
	var set []string
	for name, on := range map[string]bool{"all": all, "pool": !m.Pool.IsNull(), "vmids": !m.VMIDs.IsNull()} {
		if on {
			set = append(set, name)
		}
	}
	sort.Strings(set)
	switch {
	case len(set) == 0:
		resp.Diagnostics.AddAttributeError(path.Root("all"), "The job selects no guest",
			"A backup job must select what it backs up: set `all = true` (every guest, the simplest way to keep HC-BAK-001 passing), `pool`, or `vmids`.")
	case len(set) > 1:
		resp.Diagnostics.AddAttributeError(path.Root(set[1]), "Conflicting guest selections",
			fmt.Sprintf("Only one of `all = true`, `pool` and `vmids` may be set (PVE: \"option conflicts\"); this job sets %s.", strings.Join(set, " and ")))
	}
	if !m.Exclude.IsNull() && !all {
		resp.Diagnostics.AddAttributeError(path.Root("exclude"), "exclude needs all = true",
			"`exclude` leaves guests out of `all = true`; with `pool` or `vmids` list only the guests to back up.")
	}
	if m.PruneBackups.IsNull() || m.PruneBackups.IsUnknown() {
		return
	}
	attrs := m.PruneBackups.Attributes()
	if ka, ok := attrs["keep_all"].(types.Bool); ok && ka.ValueBool() {
		for _, k := range pruneAttrs[1:] {
			if v, ok := attrs[k].(types.Int64); ok && !v.IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root("prune_backups").AtName(k), "keep_all conflicts with the other retention options",
					"With `keep_all = true` every backup is kept; remove `"+k+"` or `keep_all`.")
			}
		}
	}
}

func toJob(ctx context.Context, m model, diags *diag.Diagnostics) backupjob.Job {
	j := backupjob.Job{ID: m.ID.ValueString(), Schedule: m.Schedule.ValueString(), Enabled: m.Enabled.ValueBool(),
		Storage: m.Storage.ValueString(), Mode: m.Mode.ValueString(), Compress: m.Compress.ValueString(), Node: m.Node.ValueString(),
		All: m.All.ValueBool(), Pool: m.Pool.ValueString(), NotesTemplate: m.NotesTemplate.ValueString(), Comment: m.Comment.ValueString(),
		RepeatMissed: m.RepeatMissed.ValueBool(), VMIDs: ints(ctx, m.VMIDs, diags), Exclude: ints(ctx, m.Exclude, diags)}
	if !m.PruneBackups.IsNull() && !m.PruneBackups.IsUnknown() {
		j.Prune = map[string]int{}
		for i, k := range pruneAttrs {
			switch v := m.PruneBackups.Attributes()[k].(type) {
			case types.Bool:
				if !v.IsNull() {
					j.Prune[backupjob.PruneKeys[i]] = map[bool]int{true: 1, false: 0}[v.ValueBool()]
				}
			case types.Int64:
				if !v.IsNull() {
					j.Prune[backupjob.PruneKeys[i]] = int(v.ValueInt64())
				}
			}
		}
	}
	return j
}

func ints(ctx context.Context, s types.Set, diags *diag.Diagnostics) []int {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var v []int64
	diags.Append(s.ElementsAs(ctx, &v, false)...)
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	sort.Ints(out)
	return out
}

func intSet(ids []int) types.Set {
	if len(ids) == 0 {
		return types.SetNull(types.Int64Type)
	}
	vals := make([]attr.Value, len(ids))
	for i, id := range ids {
		vals[i] = types.Int64Value(int64(id))
	}
	return types.SetValueMust(types.Int64Type, vals)
}

func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func fromJob(j backupjob.Job) model {
	m := model{ID: types.StringValue(j.ID), Schedule: types.StringValue(j.Schedule), Enabled: types.BoolValue(j.Enabled),
		Storage: types.StringValue(j.Storage), Mode: types.StringValue(j.Mode), Compress: types.StringValue(j.Compress),
		Node: optString(j.Node), All: types.BoolValue(j.All), Exclude: intSet(j.Exclude), Pool: optString(j.Pool), VMIDs: intSet(j.VMIDs),
		NotesTemplate: optString(j.NotesTemplate), Comment: optString(j.Comment), RepeatMissed: types.BoolValue(j.RepeatMissed),
		PruneBackups: types.ObjectNull(pruneAttrTypes)}
	if j.Prune != nil {
		vals := map[string]attr.Value{}
		for i, k := range pruneAttrs {
			n, ok := j.Prune[backupjob.PruneKeys[i]]
			switch {
			case i == 0 && ok:
				vals[k] = types.BoolValue(n != 0)
			case i == 0:
				vals[k] = types.BoolNull()
			case ok:
				vals[k] = types.Int64Value(int64(n))
			default:
				vals[k] = types.Int64Null()
			}
		}
		m.PruneBackups = types.ObjectValueMust(pruneAttrTypes, vals)
	}
	return m
}

// find reads the job with the id from GET /cluster/backup (nil: no such
// job).
func (r *jobResource) find(ctx context.Context, id string) (*backupjob.Job, error) {
	raw, err := r.clients.API.BackupJobs(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the cluster's backup jobs (GET /cluster/backup; the token needs Sys.Audit on /): %w", err)
	}
	for _, v := range raw {
		if got, _ := v.String("id"); got == id {
			prune, _ := v["prune-backups"].(map[string]any)
			j := backupjob.FromAPI(v, prune)
			return &j, nil
		}
	}
	return nil, nil
}

// readInto reads the job back into m; found is false when it is gone.
func (r *jobResource) readInto(ctx context.Context, id string, diags *diag.Diagnostics) (model, bool) {
	j, err := r.find(ctx, id)
	if err != nil {
		diags.AddError("Reading the backup job failed", err.Error())
		return model{}, false
	}
	if j == nil {
		return model{}, false
	}
	return fromJob(*j), true
}

func (r *jobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.snapshotJobsBeforeWrite(ctx)
	j := toJob(ctx, plan, &resp.Diagnostics)
	tflog.Debug(ctx, "creating backup job", map[string]any{"id": j.ID})
	if err := r.clients.API.CreateBackupJob(ctx, j.CreateParams()); err != nil {
		resp.Diagnostics.AddError("Creating the backup job failed",
			fmt.Sprintf("POST /cluster/backup for job %q: %v (the token needs Sys.Modify on /, and VM.Backup on a pool it selects).", j.ID, err))
		return
	}
	m, found := r.readInto(ctx, j.ID, &resp.Diagnostics)
	if !found {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.AddError("The backup job is missing after its creation", fmt.Sprintf("PVE accepted job %q but does not list it.", j.ID))
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// snapshotJobsBeforeWrite takes the provider run's snapshot of the backup
// jobs (providerdata.Clients.BackupJobs) before this resource writes, so the
// containers' HC-BAK-001 in this apply sees what their plan saw. A failed
// read is not this resource's error: the next caller retries it.
func (r *jobResource) snapshotJobsBeforeWrite(ctx context.Context) {
	_, _ = r.clients.BackupJobs(ctx)
}

func (r *jobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, found := r.readInto(ctx, state.ID.ValueString(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		resp.Diagnostics.AddWarning("Backup job no longer exists",
			fmt.Sprintf("Backup job %q was deleted outside Terraform; it is removed from state and the next apply creates it again.", state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *jobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.snapshotJobsBeforeWrite(ctx)
	j := toJob(ctx, plan, &resp.Diagnostics)
	tflog.Debug(ctx, "updating backup job", map[string]any{"id": j.ID})
	if err := r.clients.API.UpdateBackupJob(ctx, j.ID, j.UpdateParams()); err != nil {
		resp.Diagnostics.AddError("Updating the backup job failed", fmt.Sprintf("PUT /cluster/backup/%s: %v", j.ID, err))
		return
	}
	m, found := r.readInto(ctx, j.ID, &resp.Diagnostics)
	if !found {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.AddError("The backup job vanished during its update",
				fmt.Sprintf("Job %q is no longer listed; the next apply creates it again.", j.ID))
			resp.State.RemoveResource(ctx)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *jobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.snapshotJobsBeforeWrite(ctx)
	id := state.ID.ValueString()
	tflog.Debug(ctx, "deleting backup job", map[string]any{"id": id})
	if err := r.clients.API.DeleteBackupJob(ctx, id); err != nil {
		if j, ferr := r.find(ctx, id); ferr == nil && j == nil {
			return // already gone
		}
		resp.Diagnostics.AddError("Deleting the backup job failed", fmt.Sprintf("DELETE /cluster/backup/%s: %v", id, err))
	}
}

func (r *jobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if err := backupjob.CheckID(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Import a backup job by its ID (as in Datacenter → Backup, or `pvesh get "+
			"/cluster/backup`): %v.", err))
		return
	}
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
