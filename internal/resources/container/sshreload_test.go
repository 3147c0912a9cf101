package container

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hardened-pve/terraform-provider-hardened/internal/guest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
)

// runFS answers Run with the exit code code(argv) gives; nothing else is used.
type runFS struct {
	nodefs.FS
	runs [][]string
	code func(argv []string) int
}

func (f *runFS) Run(_ context.Context, argv []string, _ []byte) ([]byte, []byte, error) {
	f.runs = append(f.runs, argv)
	if c := f.code(argv); c != 0 {
		return nil, []byte("failed"), &nodefs.RunError{Argv: argv, ExitCode: c, Stderr: []byte("failed")}
	}
	return nil, nil, nil
}

// reloadSSHD: ssh.service (Debian, Ubuntu), else sshd.service (Fedora,
// Rocky, Arch: systemctl exits 5 for an unknown unit); no systemctl is a
// warning; any other failure an error.
func TestReloadSSHD(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      func(unit string) int
		units     string
		err, warn bool
	}{
		{"debian", func(string) int { return 0 }, "ssh", false, false},
		{"fedora", func(u string) int { return map[string]int{"ssh": 5}[u] }, "ssh sshd", false, false},
		{"openrc", func(string) int { return 127 }, "ssh", false, true},
		{"no unit", func(string) int { return 5 }, "ssh sshd", false, true},
		{"refused", func(string) int { return 1 }, "ssh", true, false},
	} {
		f := &runFS{code: func(argv []string) int { return tc.code(argv[len(argv)-1]) }}
		var d diag.Diagnostics
		err := reloadSSHD(context.Background(), guest.Channel{FS: f}, 180, &d)
		var units []string
		for _, r := range f.runs {
			units = append(units, r[len(r)-1])
		}
		if (err != nil) != tc.err || (d.WarningsCount() > 0) != tc.warn || strings.Join(units, " ") != tc.units {
			t.Errorf("%s: err %v, warnings %v, units %q", tc.name, err, d, units)
		}
	}
}
