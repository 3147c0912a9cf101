package container

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hardened-pve/terraform-provider-hardened/internal/guest"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/sshdconfig"
)

// fakeCT is a node channel whose pct acts on one container's files held in
// memory: push, pull, exec rm -f and sshd -t (refused by refuse), and
// systemctl. Node files are the temporary files pct push and pull use.
type fakeCT struct {
	nodefs.FS
	node, ct map[string][]byte
	refuse   func(ct map[string][]byte) string // sshd -t's complaint, "" to accept
	failPush string                            // a container path whose first push fails
	runs     []string
}

func (f *fakeCT) MkdirAll(context.Context, string, fs.FileMode) error { return nil }
func (f *fakeCT) WriteFileAtomic(_ context.Context, p string, data []byte, _ fs.FileMode) error {
	f.node[p] = append([]byte(nil), data...)
	return nil
}
func (f *fakeCT) Remove(_ context.Context, p string) error { delete(f.node, p); return nil }
func (f *fakeCT) ReadFile(_ context.Context, p string) ([]byte, error) {
	if b, ok := f.node[p]; ok {
		return b, nil
	}
	return nil, fs.ErrNotExist
}

func (f *fakeCT) Run(_ context.Context, argv []string, _ []byte) ([]byte, []byte, error) {
	f.runs = append(f.runs, strings.Join(argv, " "))
	fail := func(code int, msg string) ([]byte, []byte, error) {
		return nil, []byte(msg), &nodefs.RunError{Argv: argv, ExitCode: code, Stderr: []byte(msg)}
	}
	switch {
	case argv[1] == "push" && argv[4] == f.failPush:
		f.failPush = ""
		return fail(255, "failed to write "+argv[4])
	case argv[1] == "push":
		f.ct[argv[4]] = f.node[argv[3]]
	case argv[1] == "pull":
		b, ok := f.ct[argv[3]]
		if !ok {
			return fail(255, "can't open '"+argv[3]+"': No such file or directory")
		}
		f.node[argv[4]] = b
	case argv[1] == "exec" && argv[6] == "rm":
		delete(f.ct, argv[len(argv)-1])
	case argv[1] == "exec" && argv[6] == "sshd" && argv[7] == "-t":
		if msg := f.refuse(f.ct); msg != "" {
			return fail(255, msg)
		}
	case argv[1] == "exec" && argv[6] == "systemctl":
	default:
		return fail(126, "not emulated: "+strings.Join(argv, " "))
	}
	return nil, nil, nil
}

// An sshd that refuses the written policy (OpenSSH before 7.3 does not
// know Include) or a failing write leaves the container's sshd files
// exactly as they were: nobody is locked out at the next start of sshd.
func TestWriteSSHPolicyRestoresOnFailure(t *testing.T) {
	oldSSHD := func(ct map[string][]byte) string {
		if bytes.Contains(ct[sshdconfig.MainConfig], []byte("Include")) {
			return sshdconfig.MainConfig + " line 1: Bad configuration option: Include"
		}
		return ""
	}
	accept := func(map[string][]byte) string { return "" }
	mainFile := []byte("PermitRootLogin yes\nPasswordAuthentication yes\n")
	for _, tc := range []struct {
		name     string
		before   map[string][]byte
		refuse   func(map[string][]byte) string
		failPush string
		want     string
	}{
		{name: "old sshd, first write", before: map[string][]byte{sshdconfig.MainConfig: mainFile},
			refuse: oldSSHD, want: "Bad configuration option"},
		{name: "old sshd, earlier drop-in and banner", before: map[string][]byte{sshdconfig.MainConfig: mainFile,
			sshdconfig.DropIn: []byte("PasswordAuthentication no\n"), sshdconfig.BannerFile: []byte("old banner\n")},
			refuse: oldSSHD, want: "Bad configuration option"},
		{name: "the main file's write fails", before: map[string][]byte{sshdconfig.MainConfig: mainFile},
			refuse: accept, failPush: sshdconfig.MainConfig, want: "writing " + sshdconfig.MainConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeCT{node: map[string][]byte{}, ct: map[string][]byte{}, refuse: tc.refuse, failPush: tc.failPush}
			for k, v := range tc.before {
				f.ct[k] = v
			}
			var d diag.Diagnostics
			p := sshdconfig.Policy{PermitRootLogin: "no", Banner: "Authorized use only.\n"}
			err := writeSSHPolicy(context.Background(), guest.Channel{FS: f}, p, "pve1", 180, &d)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "back as they were") {
				t.Fatalf("error %v, want %q and the files restored", err, tc.want)
			}
			if len(f.ct) != len(tc.before) {
				t.Errorf("container files %d, want %d: %q", len(f.ct), len(tc.before), keys(f.ct))
			}
			for k, v := range tc.before {
				if !bytes.Equal(f.ct[k], v) {
					t.Errorf("%s is %q, want it back as %q", k, f.ct[k], v)
				}
			}
			for _, r := range f.runs {
				if strings.Contains(r, "systemctl") {
					t.Errorf("sshd was reloaded with a configuration it refused: %s", r)
				}
			}
			if len(f.node) != 0 {
				t.Errorf("temporary node files left: %q", keys(f.node))
			}
		})
	}
}

// Restoring that fails too says so, with both errors.
func TestWriteSSHPolicyRestoreFails(t *testing.T) {
	f := &fakeCT{node: map[string][]byte{}, ct: map[string][]byte{sshdconfig.MainConfig: []byte("Port 22\n")},
		refuse: func(map[string][]byte) string { return "Bad configuration option: X" }}
	f.failPush = "" // the first pushes work; then every push fails
	p := sshdconfig.Policy{PermitRootLogin: "no"}
	ch := guest.Channel{FS: &failAfter{fakeCT: f, n: 2}}
	err := writeSSHPolicy(context.Background(), ch, p, "pve1", 180, &diag.Diagnostics{})
	if err == nil || !strings.Contains(err.Error(), "Bad configuration option") || !strings.Contains(err.Error(), "failed too") {
		t.Fatalf("error %v", err)
	}
}

// failAfter fails every pct push after the first n.
type failAfter struct {
	*fakeCT
	n int
}

func (f *failAfter) Run(ctx context.Context, argv []string, stdin []byte) ([]byte, []byte, error) {
	if argv[1] == "push" {
		if f.n == 0 {
			return nil, []byte("push refused"), errors.New("push refused")
		}
		f.n--
	}
	return f.fakeCT.Run(ctx, argv, stdin)
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// key_only reads false when an OpenSSH before 8.7 has challenge-response
// on (printed on its own by its sshd -T), whatever the other keywords say.
func TestEffectiveSSHChallengeResponse(t *testing.T) {
	ctx := context.Background()
	hardened := map[string][]string{"permitrootlogin": {"no"}, "passwordauthentication": {"no"}, "kbdinteractiveauthentication": {"no"},
		"permitemptypasswords": {"no"}, "pubkeyauthentication": {"yes"}, "banner": {"none"}}
	for _, tc := range []struct {
		name string
		cr   []string
		want bool
	}{
		{"OpenSSH 8.7 or later (an alias, not printed)", nil, true},
		{"old sshd, off", []string{"no"}, true},
		{"old sshd, on", []string{"yes"}, false},
	} {
		g := map[string][]string{}
		for k, v := range hardened {
			g[k] = v
		}
		if tc.cr != nil {
			g["challengeresponseauthentication"] = tc.cr
		}
		var pm sshServerModel
		var d diag.Diagnostics
		effectiveSSH(ctx, sshdconfig.Probed{Global: g}, &pm, &d)
		if d.HasError() || pm.KeyOnly.ValueBool() != tc.want {
			t.Errorf("%s: key_only %v %v, want %v", tc.name, pm.KeyOnly, d, tc.want)
		}
	}
}
