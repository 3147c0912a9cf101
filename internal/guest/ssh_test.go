package guest

import (
	"context"
	"reflect"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
)

// ObserveSSH tells a container without sshd (lxc-attach's exit 127), a
// stopped one, a failing pct and an sshd in effect apart, in one call.
func TestObserveSSH(t *testing.T) {
	for _, tc := range []struct {
		name           string
		stdout, stderr string
		code           int
		want           hardening.GuestSSH
	}{
		{name: "hardened", stdout: "permitrootlogin no\npasswordauthentication no\nkbdinteractiveauthentication no\npermitemptypasswords no\n" +
			"pubkeyauthentication yes\nbanner /etc/ssh/hardened-banner\n", want: hardening.GuestSSH{Observed: true, Installed: true}},
		{name: "template defaults", stdout: "permitrootlogin without-password\npasswordauthentication yes\nkbdinteractiveauthentication no\n" +
			"permitemptypasswords no\nbanner none\n", want: hardening.GuestSSH{Observed: true, Installed: true,
			Weaknesses: []string{"passwordauthentication yes", "banner none"}}},
		{name: "no sshd", code: 127, stderr: `lxc-attach: 180: ../src/lxc/attach.c: lxc_attach_run_command: 1841 No such file or directory - Failed to exec "sshd"`,
			want: hardening.GuestSSH{Observed: true}},
		{name: "stopped", code: 255, stderr: "container '180' not running!", want: hardening.GuestSSH{Stopped: true}},
		{name: "broken config", code: 255, stderr: "/etc/ssh/sshd_config line 3: Bad configuration option: Foo",
			want: hardening.GuestSSH{Reason: "pct exec -- sshd -T: exit status 255: /etc/ssh/sshd_config line 3: Bad configuration option: Foo"}},
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
		if !reflect.DeepEqual(f.runs, [][]string{{"pct", "exec", "180", "--keep-env", "0", "--", "sshd", "-T"}}) {
			t.Errorf("%s: ran %q", tc.name, f.runs)
		}
	}
}
