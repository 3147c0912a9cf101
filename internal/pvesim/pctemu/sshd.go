package pctemu

import (
	"fmt"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// sshd emulates `sshd -t` (the configuration's check) and `sshd -T [-C
// spec]` (the effective configuration, for a connection with -C) with
// the provider's model of sshd (internal/sshdconfig).
func (c cmd) sshd(args []string) int {
	files := guestFiles{c.rootfs()}
	switch {
	case len(args) == 1 && args[0] == "-t":
		return c.sshdErrors(sshdconfig.Check(files))
	case len(args) == 1 && args[0] == "-T":
		return c.sshdT(files, sshdconfig.Conn{})
	case len(args) == 3 && args[0] == "-T" && args[1] == "-C":
		conn, err := sshdconfig.ParseSpec(args[2])
		if err != nil {
			_, _ = fmt.Fprintln(c.stderr, err)
			return 255
		}
		return c.sshdT(files, conn)
	}
	_, _ = fmt.Fprintln(c.stderr, "pvesim: only `sshd -t`, `sshd -T` and `sshd -T -C <spec>` are emulated")
	return 126
}

func (c cmd) sshdT(files sshdconfig.Files, conn sshdconfig.Conn) int {
	eff, errs := sshdconfig.EffectiveFor(files, conn)
	if code := c.sshdErrors(errs); code != 0 {
		return code
	}
	_, _ = c.stdout.Write(sshdconfig.RenderT(eff))
	return 0
}

func (c cmd) sshdErrors(errs []string) int {
	for _, e := range errs {
		_, _ = fmt.Fprintln(c.stderr, e)
	}
	if len(errs) > 0 {
		return 255
	}
	return 0
}

// sh answers for the provider's SSH probe (`sh -c
// sshdconfig.ProbeScript`) as the script does in a container: sshd -T,
// then sshd -T -C for each probe connection (the users the script finds in
// the configuration and /etc/passwd, on sshd's first Port), then the
// banner file. Any other shell command is not emulated.
func (c cmd) sh(args []string) int {
	if len(args) != 2 || args[0] != "-c" || args[1] != sshdconfig.ProbeScript {
		_, _ = fmt.Fprintln(c.stderr, "pvesim: pct exec emulates sh only for the provider's SSH probe (sshdconfig.ProbeScript)")
		return 126
	}
	if !c.hasExecutable("sshd") {
		_, _ = fmt.Fprintln(c.stderr, "sshd: not found")
		return 127
	}
	p, errs := sshdconfig.Probe(guestFiles{c.rootfs()})
	if code := c.sshdErrors(errs); code != 0 {
		return code
	}
	_, _ = c.stdout.Write(p.Render())
	return 0
}
