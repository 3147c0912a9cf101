package container

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logStep logs one step of a create, update or delete at DEBUG with the
// container's node and vmid (0 while PVE has not allocated it yet), so that
// TF_LOG_PROVIDER=DEBUG shows where a failed or slow apply stopped. The PVE
// requests of each step follow under the pve subsystem.
func logStep(ctx context.Context, step, node string, vmid int) {
	tflog.Debug(ctx, step, map[string]any{"node": node, "vmid": vmid})
}
