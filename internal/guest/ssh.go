package guest

import (
	"context"
	"errors"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// ObserveSSH reads the effective configuration of the container's OpenSSH
// server in one call, `pct exec <vmid> -- sh -c <sshdconfig.ProbeScript>`
// (a fixed script: nothing from the configuration is in it): sshd -T,
// sshd -T -C for each probe connection (a Match block that weakens the
// policy for real connections while sshd -T without a connection still
// prints the policy's values shows there), and the banner file. A
// container without sshd (exit 127) is observed as not installed; a
// stopped one is Stopped. p is the probe's output (zero unless
// installed); its Weakest is what the provider reads back.
func ObserveSSH(ctx context.Context, fs nodefs.FS, vmid int) (g hardening.GuestSSH, p sshdconfig.Probed) {
	out, err := Channel{FS: fs}.Exec(ctx, vmid, "sh", "-c", sshdconfig.ProbeScript)
	switch {
	case err == nil:
		var ok bool
		if p, ok = sshdconfig.ParseProbe(out); !ok {
			return hardening.GuestSSH{Reason: "pct exec -- sh -c <probe>: the output is not the probe's"}, sshdconfig.Probed{}
		}
		w := append(sshdconfig.Weaknesses(p.Global), p.ConnWeaknesses()...)
		return hardening.GuestSSH{Observed: true, Installed: true, Weaknesses: w}, p
	case errors.Is(err, ErrNoCommand):
		return hardening.GuestSSH{Observed: true}, p
	case errors.Is(err, ErrNotRunning):
		return hardening.GuestSSH{Stopped: true}, p
	}
	return hardening.GuestSSH{Reason: "pct exec -- sh -c <probe> (sshd -T): " + err.Error()}, p
}
