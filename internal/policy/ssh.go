package policy

import "github.com/hardened-pve/terraform-provider-hardened/internal/hardening"

// sshRules are the rules about the OpenSSH server inside the container.
func sshRules() []Rule {
	return []Rule{{
		ID: "HC-SSH-001", Title: "The container's OpenSSH server allows key-only logins, no root password login, and shows a banner",
		Severity: SeverityHigh, Attribute: "ssh_server",
		Rationale: seed000 + ` checklist: "SSH: key-only auth, root login disabled, banner configured". A password login is what brute force ` +
			`and credential stuffing need; root logging in with a password gives them the container's most powerful account; the banner ` +
			`states before authentication that access is restricted and logged. The rule reads sshd's **effective** configuration inside the ` +
			`running container (` + "`sshd -T`" + ` through PVE's pct exec: sshd keeps the first value it reads, so only the effective ` +
			`configuration tells, whatever file set it; and with ` + "`sshd -T -C`" + ` for every user that can log in, from a set of ` +
			`client addresses, the weakest value counts, so a ` + "`Match`" + ` block that turns passwords back on for real connections, ` +
			`while ` + "`sshd -T`" + ` without a connection still prints the hardened value, fails too): password, keyboard-interactive and ` +
			`empty-password authentication must be off, ` +
			"`PermitRootLogin`" + ` must not be ` + "`yes`" + ` (` + "`no`, or `prohibit-password`" + ` where a key is needed), and a ` +
			`banner must be configured. A container without an OpenSSH server passes (nothing listens); a stopped one passes until it runs; ` +
			"`ssh_server = { enabled = false }`" + ` leaves sshd unmanaged but still checked.`,
		why: "sshd in this container accepts what seed 000's checklist rules out: password guessing or a root password login reach the container.",
		Remedy: "Remove `ssh_server` or keep its defaults (`key_only = true`, `permit_root_login = \"no\"`, a `banner`): the provider enforces them " +
			"inside every container whose template ships OpenSSH and `terraform apply` repairs a hand edit. With `enabled = false`, fix the " +
			"configuration that manages sshd instead.",
		check: checkSSH,
	}}
}

// checkSSH is HC-SSH-001. An OpenSSH server that was not observed fails:
// nothing shows it hardened.
func checkSSH(s hardening.Spec, b Baseline) (bool, string, []any) {
	g := s.SSH
	if !b.RequireSSHPolicy {
		return true, notRequired + " (" + g.String() + ")", nil
	}
	switch {
	case g.Pending, g.Stopped:
		return true, g.String(), nil
	case !g.Observed:
		return false, g.String(), nil
	}
	return !g.Installed || len(g.Weaknesses) == 0, g.String(), nil
}
