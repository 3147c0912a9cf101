package guest

import (
	"context"
	"errors"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// ObserveSSH reads the effective configuration of the container's OpenSSH
// server (`pct exec <vmid> -- sshd -T`, one call): a container without
// sshd (the command is not found) is observed as not installed; a stopped
// one is Stopped. eff is sshd -T's output parsed (nil unless installed).
func ObserveSSH(ctx context.Context, fs nodefs.FS, vmid int) (g hardening.GuestSSH, eff map[string][]string) {
	out, err := Channel{FS: fs}.Exec(ctx, vmid, "sshd", "-T")
	switch {
	case err == nil:
		eff = sshdconfig.ParseT(out)
		return hardening.GuestSSH{Observed: true, Installed: true, Weaknesses: sshdconfig.Weaknesses(eff)}, eff
	case errors.Is(err, ErrNoCommand):
		return hardening.GuestSSH{Observed: true}, nil
	case errors.Is(err, ErrNotRunning):
		return hardening.GuestSSH{Stopped: true}, nil
	}
	return hardening.GuestSSH{Reason: "pct exec -- sshd -T: " + err.Error()}, nil
}
