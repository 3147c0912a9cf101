package guest

import (
	"context"
	"reflect"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// ObserveSSH tells a container without sshd (lxc-attach's exit 127), a
// stopped one, a failing pct and an sshd in effect apart, in one call (a
// fixed argv); a weakness only a probe connection shows is reported with
// that connection.
func TestObserveSSH(t *testing.T) {
	for _, tc := range []struct {
		name           string
		stdout, stderr string
		code           int
		want           hardening.GuestSSH
	}{
		{name: "hardened", stdout: "#hardened-probe\npermitrootlogin no\npasswordauthentication no\nkbdinteractiveauthentication no\npermitemptypasswords no\n" +
			"pubkeyauthentication yes\nbanner /etc/ssh/hardened-banner\n", want: hardening.GuestSSH{Observed: true, Installed: true}},
		{name: "template defaults", stdout: "#hardened-probe\npermitrootlogin without-password\npasswordauthentication yes\nkbdinteractiveauthentication no\n" +
			"permitemptypasswords no\nbanner none\n", want: hardening.GuestSSH{Observed: true, Installed: true,
			Weaknesses: []string{"passwordauthentication yes", "banner none"}}},
		// the connection-less configuration is the policy's, a Match block is not
		{name: "a Match block", stdout: "#hardened-probe\npermitrootlogin no\npasswordauthentication no\nkbdinteractiveauthentication no\n" +
			"permitemptypasswords no\npubkeyauthentication yes\nbanner /etc/ssh/hardened-banner\n" +
			"#hardened-probe user=root,host=127.0.0.1,addr=127.0.0.1,lport=22\npermitrootlogin no\npasswordauthentication no\nkbdinteractiveauthentication no\nbanner /etc/ssh/hardened-banner\n" +
			"#hardened-probe user=root,host=10.0.0.1,addr=10.0.0.1,lport=22\npermitrootlogin yes\npasswordauthentication yes\nkbdinteractiveauthentication no\nbanner /etc/ssh/hardened-banner\n" +
			"#hardened-probe banner\nHi.\n", want: hardening.GuestSSH{Observed: true, Installed: true, Weaknesses: []string{
			"passwordauthentication yes (for the connection user=root,host=10.0.0.1,addr=10.0.0.1,lport=22: a Match block)",
			"permitrootlogin yes (for the connection user=root,host=10.0.0.1,addr=10.0.0.1,lport=22: a Match block)"}}},
		{name: "not the probe's output", stdout: "permitrootlogin no\n", want: hardening.GuestSSH{Reason: "pct exec -- sh -c <probe>: the output is not the probe's"}},
		{name: "no sshd", code: 127, stderr: `lxc-attach: 180: ../src/lxc/attach.c: lxc_attach_run_command: 1841 No such file or directory - Failed to exec "sshd"`,
			want: hardening.GuestSSH{Observed: true}},
		{name: "stopped", code: 255, stderr: "container '180' not running!", want: hardening.GuestSSH{Stopped: true}},
		{name: "broken config", code: 255, stderr: "/etc/ssh/sshd_config line 3: Bad configuration option: Foo",
			want: hardening.GuestSSH{Reason: "pct exec -- sh -c <probe> (sshd -T): exit status 255: /etc/ssh/sshd_config line 3: Bad configuration option: Foo"}},
	} {
		f := &fakeFS{files: map[string][]byte{}, run: func(argv []string) ([]byte, []byte, error) {
			if tc.code != 0 {
				return nil, []byte(tc.stderr), &nodefs.RunError{Argv: argv, ExitCode: tc.code, Stderr: []byte(tc.stderr)}
			}
			return []byte(tc.stdout), nil, nil
		}}
		got, _ := ObserveSSH(context.Background(), f, 180)
		if tc.want.Reason != "" && got.Reason != "" {
			got.Reason = tc.want.Reason // the RunError's own text is nodefs's
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
		if !reflect.DeepEqual(f.runs, [][]string{{"pct", "exec", "180", "--keep-env", "0", "--", "sh", "-c", sshdconfig.ProbeScript}}) {
			t.Errorf("%s: ran %q", tc.name, f.runs)
		}
	}
}
