package providerdata

import (
	"context"
	"fmt"
	"sync"

	"github.com/hardened-pve/terraform-provider-hardened/internal/backupjob"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// BackupJobs is the cluster's backup jobs as one provider run sees them.
type BackupJobs struct {
	Jobs []hardening.BackupJob
	// Pools maps the guests in a resource pool to it; read only when a job
	// selects a pool.
	Pools map[int]string
}

// Coverage is container vmid's (on node) coverage by the jobs.
func (b BackupJobs) Coverage(vmid int, node string) hardening.BackupCoverage {
	return hardening.CoverageOf(b.Jobs, vmid, node, b.Pools[vmid])
}

// backupSnapshot is the backup jobs as observed once per provider run.
type backupSnapshot struct {
	mu   sync.Mutex
	done bool
	jobs BackupJobs
}

// BackupJobs are the cluster's backup jobs for every container's
// compliance (HC-BAK-001) in this provider run: one GET /cluster/backup
// (and, when a job selects a pool, one GET /cluster/resources) by the
// first caller, shared by all (concurrency-safe; a failed read is retried
// by the next caller). Like DatacenterFirewall it is a snapshot of the
// run's start: hardened_backup_job takes it before it writes, so a
// container's compliance never sees in apply what its plan did not.
func (c *Clients) BackupJobs(ctx context.Context) (BackupJobs, error) {
	c.backup.mu.Lock()
	defer c.backup.mu.Unlock()
	if !c.backup.done {
		j, err := ReadBackupJobs(ctx, c.API)
		if err != nil {
			return BackupJobs{}, err
		}
		c.backup.jobs, c.backup.done = j, true
	}
	return c.backup.jobs, nil
}

// ReadBackupJobs reads the cluster's backup jobs now, bypassing the run's
// snapshot.
func ReadBackupJobs(ctx context.Context, api *pve.Client) (BackupJobs, error) {
	raw, err := api.BackupJobs(ctx)
	if err != nil {
		return BackupJobs{}, fmt.Errorf("reading the cluster's backup jobs (GET /cluster/backup): %w", err)
	}
	var out BackupJobs
	pools := false
	for _, r := range raw {
		if t, ok := r.String("type"); ok && t != "vzdump" {
			continue
		}
		prune, _ := r["prune-backups"].(map[string]any)
		j := backupjob.FromAPI(r, prune).Coverage()
		out.Jobs = append(out.Jobs, j)
		pools = pools || j.Pool != ""
	}
	if pools {
		if out.Pools, err = api.GuestPools(ctx); err != nil {
			return BackupJobs{}, fmt.Errorf("reading the guests' resource pools: %w", err)
		}
	}
	return out, nil
}
