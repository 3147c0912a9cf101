package guest

import (
	"context"
	"errors"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
)

// ObserveFiles looks for each path inside container vmid (`pct exec <vmid>
// -- test -e <path>`, one call per path). A stopped container, or a
// failing pct, leaves it not observed, with the reason.
func ObserveFiles(ctx context.Context, fs nodefs.FS, vmid int, running bool, paths []string) hardening.GuestFiles {
	if !running {
		return hardening.GuestFiles{Reason: "the container is not running (pct exec needs a running container)"}
	}
	ch := Channel{FS: fs}
	g := hardening.GuestFiles{Observed: true}
	for _, p := range paths {
		if err := CheckPath(p); err != nil {
			return hardening.GuestFiles{Reason: err.Error()}
		}
		g.Checked = append(g.Checked, p)
		_, err := ch.Exec(ctx, vmid, "test", "-e", p)
		var re *nodefs.RunError
		switch {
		case err == nil:
		case errors.As(err, &re) && re.ExitCode == 1:
			g.Missing = append(g.Missing, p)
		default:
			return hardening.GuestFiles{Reason: err.Error()}
		}
	}
	return g
}
