package nodefs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newLocalForTest(t *testing.T, root string) FS {
	t.Helper()
	f, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestLocalContract(t *testing.T) {
	runContract(t, newLocalForTest)
}

func TestNewLocalRoot(t *testing.T) {
	for _, root := range []string{"relative", "./x"} {
		if _, err := NewLocal(root); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("NewLocal(%q) = %v; want ErrInvalidPath", root, err)
		}
	}
	// Default root "/" maps node paths to themselves.
	f, err := NewLocal("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := f.WriteFileAtomic(context.Background(), dir+"/a/b.txt", []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "a", "b.txt")); err != nil || string(got) != "hi" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	// A root with a trailing slash or dots is cleaned.
	g, err := NewLocal(dir + "/./a/")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := g.ReadFile(context.Background(), "/b.txt"); err != nil || string(got) != "hi" {
		t.Fatalf("ReadFile via cleaned root = %q, %v", got, err)
	}
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct{ root, p, node, full string }{
		{"/", "/etc/pve/firewall/100.fw", "/etc/pve/firewall/100.fw", "/etc/pve/firewall/100.fw"},
		{"/sim", "/etc/pve/firewall/100.fw", "/etc/pve/firewall/100.fw", "/sim/etc/pve/firewall/100.fw"},
		{"/sim", "//etc/./pve/", "/etc/pve", "/sim/etc/pve"},
		{"/sim", "/", "/", "/sim"},
	} {
		node, full, err := resolve(tc.root, tc.p)
		if err != nil || node != tc.node || full != tc.full {
			t.Errorf("resolve(%q, %q) = %q, %q, %v; want %q, %q", tc.root, tc.p, node, full, err, tc.node, tc.full)
		}
	}
}

// TestLocalLockInterop: a lock taken by flock(1), as PVE tools and the
// remote side do, excludes a local Lock and the other way round.
func TestLocalLockInterop(t *testing.T) {
	if _, err := os.Stat("/usr/bin/flock"); err != nil {
		t.Skip("flock(1) not installed (util-linux)")
	}
	root := t.TempDir()
	f := newLocalForTest(t, root)
	full := filepath.Join(root, testLockPath)
	unlock, err := f.Lock(context.Background(), testLockPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.Run(context.Background(), []string{"flock", "-x", "-w", "0.2", full, "true"}, nil)
	var re *RunError
	if !errors.As(err, &re) || re.ExitCode != 1 {
		t.Fatalf("flock(1) while Lock is held: %v", err)
	}
	_ = unlock()
	if _, _, err := f.Run(context.Background(), []string{"flock", "-x", "-w", "1", full, "true"}, nil); err != nil {
		t.Fatalf("flock(1) after release: %v", err)
	}
}

func TestEffectiveLockTimeout(t *testing.T) {
	if effectiveLockTimeout(0) != 10*time.Second || effectiveLockTimeout(-1) != 10*time.Second {
		t.Fatal("default lock timeout is not PVE's 10s")
	}
	if effectiveLockTimeout(time.Second) != time.Second {
		t.Fatal("explicit timeout not kept")
	}
}

func TestRemoteLockCommand(t *testing.T) {
	got := remoteLockCommand("/sim dir/run/lock/it's.lock", 1500*time.Millisecond)
	want := `flock -x -E 99 -w 1.500 '/sim dir/run/lock/it'\''s.lock' sh -c 'echo locked; exec cat >/dev/null'`
	if got != want {
		t.Fatalf("remoteLockCommand = %s\nwant %s", got, want)
	}
}

func TestRunErrorText(t *testing.T) {
	e := &RunError{Argv: []string{"pct", "set", "100", "--hostname", "a b"}, ExitCode: 2, Stderr: []byte("bad\n")}
	if got, want := e.Error(), "command pct set 100 --hostname 'a b' failed with exit status 2: bad"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	e = &RunError{Argv: []string{"sleep", "9"}, ExitCode: -1, Signal: "KILL"}
	if got := e.Error(); !strings.Contains(got, "killed by signal KILL") {
		t.Fatalf("got %q", got)
	}
}
