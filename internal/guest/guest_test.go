package guest

import (
	"context"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
)

// fakeFS records commands and node files; other methods are not used.
type fakeFS struct {
	nodefs.FS
	files map[string][]byte
	runs  [][]string
	run   func(argv []string) ([]byte, []byte, error)
}

func (f *fakeFS) MkdirAll(context.Context, string, fs.FileMode) error { return nil }
func (f *fakeFS) WriteFileAtomic(_ context.Context, p string, data []byte, _ fs.FileMode) error {
	f.files[p] = data
	return nil
}
func (f *fakeFS) Remove(_ context.Context, p string) error { delete(f.files, p); return nil }
func (f *fakeFS) ReadFile(_ context.Context, p string) ([]byte, error) {
	if b, ok := f.files[p]; ok {
		return b, nil
	}
	return nil, fs.ErrNotExist
}
func (f *fakeFS) Run(_ context.Context, argv []string, _ []byte) ([]byte, []byte, error) {
	f.runs = append(f.runs, argv)
	return f.run(argv)
}

func TestPushPullArgv(t *testing.T) {
	f := &fakeFS{files: map[string][]byte{}}
	var pushed []byte
	f.run = func(argv []string) ([]byte, []byte, error) {
		switch argv[1] {
		case "push":
			pushed = f.files[argv[3]]
		case "pull":
			f.files[argv[4]] = []byte("content")
		}
		return nil, nil, nil
	}
	c := Channel{FS: f}
	if err := c.Push(context.Background(), 100, "/etc/ssh/x; rm -rf ~", []byte("data"), 0o644); err != nil {
		t.Fatal(err) // an odd name is one argv element, never shell text
	}
	got := f.runs[0]
	if got[0] != "pct" || got[1] != "push" || got[2] != "100" || !strings.HasPrefix(got[3], tmpDir+"/100-") || got[4] != "/etc/ssh/x; rm -rf ~" ||
		!reflect.DeepEqual(got[5:], []string{"--perms", "0644", "--user", "0", "--group", "0"}) || string(pushed) != "data" {
		t.Fatalf("push argv %q, pushed %q", got, pushed)
	}
	if len(f.files) != 0 {
		t.Fatalf("node file left behind: %v", f.files)
	}
	data, missing, err := c.Pull(context.Background(), 100, "/etc/ssh/sshd_config")
	if err != nil || missing || string(data) != "content" || len(f.files) != 0 {
		t.Fatalf("pull: %q %v %v %v", data, missing, err, f.files)
	}
	for _, bad := range []string{"etc/x", "/etc/../x", "/etc/-x", "/etc/x\n", "/"} {
		if err := c.Push(context.Background(), 100, bad, nil, 0o644); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestExecErrors(t *testing.T) {
	f := &fakeFS{files: map[string][]byte{}}
	c := Channel{FS: f}
	f.run = func([]string) ([]byte, []byte, error) {
		return nil, []byte("container '100' not running!\n"), &nodefs.RunError{ExitCode: 255}
	}
	if _, err := c.Exec(context.Background(), 100, "sshd", "-T"); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("%v", err)
	}
	if !reflect.DeepEqual(f.runs[0], []string{"pct", "exec", "100", "--keep-env", "0", "--", "sshd", "-T"}) {
		t.Fatalf("argv %q", f.runs[0])
	}
	f.run = func([]string) ([]byte, []byte, error) {
		return nil, []byte(`Failed to exec "sshd"`), &nodefs.RunError{ExitCode: 127}
	}
	if _, err := c.Exec(context.Background(), 100, "sshd", "-T"); !errors.Is(err, ErrNoCommand) {
		t.Fatalf("%v", err)
	}
	f.run = func([]string) ([]byte, []byte, error) { return nil, nil, &nodefs.RunError{ExitCode: 1} }
	g := ObserveFiles(context.Background(), f, 100, true, []string{"/var/ossec/bin/wazuh-agentd"})
	if !g.Observed || len(g.Missing) != 1 {
		t.Fatalf("%+v", g)
	}
	if g := ObserveFiles(context.Background(), f, 100, false, []string{"/x"}); g.Observed || !strings.Contains(g.Reason, "not running") {
		t.Fatalf("%+v", g)
	}
}
