package provider

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sudoers"
)

// SudoersExampleUser is the SSH user name the documentation's sudoers
// rules are written for.
const SudoersExampleUser = "terraform"

// SudoersFileName is where the documentation installs the rules.
const SudoersFileName = "/etc/sudoers.d/hardened-provider"

var sftpServerRE = regexp.MustCompile(`^/[^\s\x00-\x1f\x7f]*$`)

func sudoAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Log in as the non-root `username` and run everything on the node as root through " +
			"`sudo -n`. Default `false` (`username` is `root`). With it, the files go through the SFTP server started as " +
			"root by sudo (`sftp_server`) instead of sshd's `sftp` subsystem, every command runs as `sudo -n -- <command> ...` " +
			"(each argument quoted, never a shell line from the configuration), and `flock` (the config lock) runs as the " +
			"user itself. The node's sudoers must allow exactly these programs without a password, e.g. in `" +
			SudoersFileName + "` (mode 0440, `visudo -cf` checks it) for the user `" + SudoersExampleUser + "`:\n\n" +
			"```\n" + sudoers.File(SudoersExampleUser, "") + "```\n\n" +
			"**Security**: these rules are root-equivalent, do not mistake them for a sandbox: the SFTP server as root " +
			"can read and write every file (`/etc/sudoers` included), `pct exec` runs any command in any container, " +
			"`apparmor_parser` can unconfine any program. What sudo gains over a root login: the nodes can refuse root " +
			"logins (`PermitRootLogin no`), each person or pipeline has its own user and key, and sudo logs every " +
			"session (`journalctl _COMM=sudo`). `-n` makes sudo fail instead of asking for a password: a missing rule " +
			"stops the provider with an error naming the program. Host keys and the node's identity are verified as without sudo.",
	}
}

func sftpServerAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Absolute path of the SFTP server program the provider runs through sudo when `sudo = true` " +
			"(ignored otherwise). Default `" + sudoers.SFTPServer + "`, where Debian and so Proxmox VE install it " +
			"(package `openssh-sftp-server`, which `openssh-server` depends on); the sudoers rule must name the same path.",
		Validators: []validator.String{stringvalidator.RegexMatches(sftpServerRE, "must be an absolute path without spaces or control characters")},
	}
}

// resolveSSHSudo sets sudo and the SFTP server it runs. (A non-root user
// without sudo is no error: a test setup's node_root may be the user's; on a
// real node the first write fails with "permission denied".)
func resolveSSHSudo(m *sshModel, ss *sshSettings, diags *diag.Diagnostics) {
	sp := path.Root("ssh")
	ss.Sudo = m.Sudo.ValueBool()
	ss.SFTPServer = sudoers.SFTPServer
	if v := known(m.SFTPServer); v != "" {
		ss.SFTPServer = v
		if !sftpServerRE.MatchString(v) {
			diags.AddAttributeError(sp.AtName("sftp_server"), "Invalid SFTP server path",
				fmt.Sprintf("ssh.sftp_server %q must be an absolute path without spaces or control characters, e.g. %s.", v, sudoers.SFTPServer))
		}
		if !ss.Sudo {
			diags.AddAttributeWarning(sp.AtName("sftp_server"), "ssh.sftp_server is ignored",
				"ssh.sftp_server is only used with ssh.sudo = true; without sudo the provider uses sshd's sftp subsystem.")
		}
	}
	if !ss.Sudo && ss.User != "" && ss.User != "root" {
		diags.AddAttributeWarning(sp.AtName("username"), "A non-root SSH user needs ssh.sudo",
			fmt.Sprintf("ssh.username is %q and ssh.sudo is not set: on a Proxmox VE node only root may write /etc/pve and "+
				"/etc/apparmor.d or run pct and apparmor_parser, so the first write fails with \"permission denied\". Set "+
				"ssh.sudo = true and install the sudoers rules its description gives, or log in as root.", ss.User))
	}
	if ss.Sudo && ss.User == "root" {
		diags.AddAttributeError(sp.AtName("sudo"), "sudo needs a non-root SSH user",
			"ssh.sudo = true, but the SSH user is root, who needs no sudo. Set ssh.username to the user the node's sudoers "+
				"rules name (see ssh.sudo), or remove ssh.sudo to log in as root.")
	}
}
