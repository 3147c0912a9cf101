package hardening

import (
	"fmt"
	"sort"
	"strings"
)

// GuestFiles is what the provider observed inside a container of the
// files the baseline requires there (e.g. a monitoring agent's binary),
// through PVE's pct exec. The zero value means not observed.
type GuestFiles struct {
	Observed bool
	// Pending: a container this plan creates; observed after apply.
	Pending bool
	// Why it was not observed (the container is stopped, pct failed).
	Reason string
	// Missing are the required paths that are not there.
	Missing []string
	// Checked are the paths looked at.
	Checked []string
}

// String is a one-line account for findings.
func (g GuestFiles) String() string {
	switch {
	case g.Pending:
		return "decided after the container is created and started (checked inside it with pct exec)"
	case !g.Observed && g.Reason != "":
		return "not observed inside the container: " + g.Reason
	case !g.Observed:
		return "not observed inside the container"
	case len(g.Missing) > 0:
		m := append([]string(nil), g.Missing...)
		sort.Strings(m)
		return fmt.Sprintf("missing inside the container: %s", strings.Join(m, ", "))
	}
	return fmt.Sprintf("present inside the container: %s", strings.Join(g.Checked, ", "))
}

// GuestSSH is what the provider observed of the OpenSSH server inside a
// container (sshd -T through PVE's pct exec). The zero value means not
// observed.
type GuestSSH struct {
	// Pending: decided after apply (a container this plan creates, or
	// whose OpenSSH server has not been looked for yet).
	Pending bool
	// Stopped: the container is not running, so no sshd serves (and pct
	// cannot look): checked once it runs.
	Stopped bool
	// Observed: sshd's effective configuration (or its absence) was read.
	Observed bool
	// Reason says why it was not observed (pct failed, sshd refused its
	// configuration).
	Reason string
	// Installed: the container has an OpenSSH server.
	Installed bool
	// Weaknesses are what the effective configuration allows that the
	// hardened policy does not (sshdconfig.Weaknesses), e.g.
	// "passwordauthentication yes".
	Weaknesses []string
}

// String is a one-line account for findings.
func (g GuestSSH) String() string {
	switch {
	case g.Pending:
		return "decided after apply (sshd -T inside the running container through pct exec)"
	case g.Stopped:
		return "the container is not running (no sshd serves; checked when it runs)"
	case !g.Observed && g.Reason != "":
		return "sshd not observed inside the container: " + g.Reason
	case !g.Observed:
		return "sshd not observed inside the container"
	case !g.Installed:
		return "no OpenSSH server in the container"
	case len(g.Weaknesses) > 0:
		return "sshd in effect (sshd -T): " + strings.Join(g.Weaknesses, ", ")
	}
	return "sshd in effect (sshd -T): key-only authentication, root login disabled, banner configured"
}
