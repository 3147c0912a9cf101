package pve

import (
	"context"
	"net/url"
)

// BackupJobs lists the cluster's scheduled backup jobs (GET /cluster/backup;
// needs Sys.Audit on /), each as PVE returns it: id, schedule, enabled,
// the selection (all/exclude, pool or vmid), prune-backups as an object.
func (c *Client) BackupJobs(ctx context.Context) ([]CTConfig, error) {
	var out []CTConfig
	if err := c.api.Get(ctx, "/cluster/backup", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateBackupJob is POST /cluster/backup (Sys.Modify on /).
func (c *Client) CreateBackupJob(ctx context.Context, params map[string]any) error {
	return c.api.Post(ctx, "/cluster/backup", params, nil)
}

// UpdateBackupJob is PUT /cluster/backup/{id}; params may carry `delete`.
func (c *Client) UpdateBackupJob(ctx context.Context, id string, params map[string]any) error {
	return c.api.Put(ctx, "/cluster/backup/"+url.PathEscape(id), params, nil)
}

// DeleteBackupJob is DELETE /cluster/backup/{id}.
func (c *Client) DeleteBackupJob(ctx context.Context, id string) error {
	return c.api.Delete(ctx, "/cluster/backup/"+url.PathEscape(id), nil)
}

// GuestPools maps each guest in a resource pool to its pool
// (GET /cluster/resources?type=vm, whose entries carry `pool`).
func (c *Client) GuestPools(ctx context.Context) (map[int]string, error) {
	var res []CTConfig
	if err := c.api.Get(ctx, "/cluster/resources?type=vm", &res); err != nil {
		return nil, err
	}
	out := map[int]string{}
	for _, r := range res {
		pool, _ := r.String("pool")
		vmid, _ := r.Int("vmid")
		if pool != "" {
			out[int(vmid)] = pool
		}
	}
	return out, nil
}
