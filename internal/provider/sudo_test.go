package provider

import (
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sudoers"
)

func TestResolveSSHSudo(t *testing.T) {
	for _, tc := range []struct {
		name       string
		user       string
		sudo       types.Bool
		server     types.String
		wantSudo   bool
		wantServer string
		wantErr    string // summary of the error, "" for none
		wantWarn   string // summary of the warning, "" for none
	}{
		{name: "default", user: "root", sudo: types.BoolNull(), server: types.StringNull(), wantServer: sudoers.SFTPServer},
		{name: "sudo user", user: "terraform", sudo: types.BoolValue(true), server: types.StringNull(), wantSudo: true, wantServer: sudoers.SFTPServer},
		{name: "own server", user: "terraform", sudo: types.BoolValue(true), server: types.StringValue("/usr/libexec/openssh/sftp-server"),
			wantSudo: true, wantServer: "/usr/libexec/openssh/sftp-server"},
		{name: "root with sudo", user: "root", sudo: types.BoolValue(true), server: types.StringNull(), wantSudo: true, wantServer: sudoers.SFTPServer,
			wantErr: "sudo needs a non-root SSH user"},
		{name: "relative server", user: "terraform", sudo: types.BoolValue(true), server: types.StringValue("sftp-server"), wantSudo: true,
			wantServer: "sftp-server", wantErr: "Invalid SFTP server path"},
		{name: "server with a space", user: "terraform", sudo: types.BoolValue(true), server: types.StringValue("/usr/lib/sftp-server -d /"), wantSudo: true,
			wantServer: "/usr/lib/sftp-server -d /", wantErr: "Invalid SFTP server path"},
		{name: "server without sudo", user: "root", sudo: types.BoolNull(), server: types.StringValue("/x/sftp-server"), wantServer: "/x/sftp-server",
			wantWarn: "ssh.sftp_server is ignored"},
		{name: "non-root without sudo", user: "terraform", sudo: types.BoolValue(false), server: types.StringNull(), wantServer: sudoers.SFTPServer,
			wantWarn: "A non-root SSH user needs ssh.sudo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			ss := sshSettings{User: tc.user}
			resolveSSHSudo(&sshModel{Sudo: tc.sudo, SFTPServer: tc.server}, &ss, &diags)
			if ss.Sudo != tc.wantSudo || ss.SFTPServer != tc.wantServer {
				t.Errorf("sudo %v server %q; want %v %q", ss.Sudo, ss.SFTPServer, tc.wantSudo, tc.wantServer)
			}
			var errs, warns []string
			for _, d := range diags {
				if d.Severity() == diag.SeverityError {
					errs = append(errs, d.Summary())
				} else {
					warns = append(warns, d.Summary())
				}
			}
			if got := strings.Join(errs, "; "); got != tc.wantErr {
				t.Errorf("errors %q; want %q", got, tc.wantErr)
			}
			if got := strings.Join(warns, "; "); got != tc.wantWarn {
				t.Errorf("warnings %q; want %q", got, tc.wantWarn)
			}
		})
	}
}

// TestGuideGivesTheSudoersRules: the real-cluster guide and the ssh.sudo
// description give exactly the rules the sudo tests install (sudoers.File),
// and the guide says what each grants.
func TestGuideGivesTheSudoersRules(t *testing.T) {
	raw, err := os.ReadFile("../../templates/guides/real-cluster.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	guide := string(raw)
	rules := sudoers.File(SudoersExampleUser, "")
	if !strings.Contains(guide, "```text\n"+rules+"```") {
		t.Errorf("the guide lacks the sudoers rules:\n%s", rules)
	}
	for _, c := range sudoers.Commands {
		row := "| `" + c.Path + "` | " + c.Use + " | " + c.Grants + " |"
		if !strings.Contains(guide, row) {
			t.Errorf("the guide's sudo table lacks the row %q", row)
		}
	}
	if !strings.Contains(sudoAttribute().MarkdownDescription, "```\n"+rules+"```") {
		t.Errorf("the ssh.sudo description lacks the sudoers rules")
	}
}
