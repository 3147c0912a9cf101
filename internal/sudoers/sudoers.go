// Package sudoers is the one source of the sudo rules a non-root SSH user
// of the node channel needs (provider setting ssh.sudo = true): the
// real-cluster guide prints them, and the tests install exactly them on a
// real sudo. It depends on nothing, so every package (and test) can use it.
package sudoers

import (
	"fmt"
	"regexp"
	"strings"
)

// SFTPServer is where Debian (and so Proxmox VE) installs OpenSSH's SFTP
// server (package openssh-sftp-server). With sudo, the node channel runs it
// as root instead of asking sshd for the "sftp" subsystem.
const SFTPServer = "/usr/lib/openssh/sftp-server"

// Pct is PVE's container tool on a node (package pve-container).
const Pct = "/usr/sbin/pct"

// Command is one program the SSH user may run as root, with what that grants.
type Command struct {
	Path string // absolute, as on PVE 9 / Debian 13
	// Use is what the provider runs it for.
	Use string
	// Grants is what the rule gives whoever holds the SSH key, said plainly.
	Grants string
}

// Commands are the programs the provider runs as root on a node, each
// allowed with any arguments (none of them is safe to hand out anyway, see
// Grants).
var Commands = []Command{
	{Path: SFTPServer,
		Use: "every file the provider reads and writes: `/etc/pve/...` (container configs, firewall files, seccomp policies, " +
			"the pmxcfs lock directories), `/etc/apparmor.d/lxc/...`, `/run/lock/lxc/...` (config lock files), `/run/hardened/...`",
		Grants: "read and write access to every file of the node as root: root-equivalent (it can edit `/etc/sudoers` or " +
			"`/root/.ssh/authorized_keys`)"},
	{Path: "/usr/sbin/apparmor_parser",
		Use:    "load (`--replace`), unload (`--remove`) or only compile (`--skip-kernel-load`) the generated AppArmor profiles",
		Grants: "load, replace or remove any AppArmor profile, which can unconfine any confined program on the node"},
	{Path: Pct,
		Use:    "`pct exec`, `pct push`, `pct pull`: the checks and files inside running containers (e.g. `ssh_server`, `required_guest_files`)",
		Grants: "every `pct` subcommand: `pct exec` runs any command as root inside any container, others change or destroy containers"},
}

// userRE is what the rules accept as a user name (sudoers would need
// escaping for anything else).
var userRE = regexp.MustCompile(`^[a-z_][a-z0-9_-]*[$]?$`)

// ValidUser reports whether name can be used in the rules as it is.
func ValidUser(name string) bool { return len(name) <= 32 && userRE.MatchString(name) }

// Rule is the sudoers line that lets user run path as root without a password.
func Rule(user, path string) string {
	return fmt.Sprintf("%s ALL=(root) NOPASSWD: %s", user, path)
}

// File is the /etc/sudoers.d file for user: one rule per command (the
// documented Commands when cmds is empty). sftpServer replaces SFTPServer
// when not empty (a node whose SFTP server lives elsewhere).
func File(user, sftpServer string, cmds ...Command) string {
	if len(cmds) == 0 {
		cmds = Commands
	}
	var b strings.Builder
	b.WriteString("# What the hardened provider's SSH user may run as root (ssh.sudo = true).\n")
	for _, c := range cmds {
		p := c.Path
		if p == SFTPServer && sftpServer != "" {
			p = sftpServer
		}
		b.WriteString(Rule(user, p))
		b.WriteByte('\n')
	}
	return b.String()
}
