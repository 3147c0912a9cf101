package nodefs

// Behaviour every FS implementation must have, run against NewLocal and
// DialSSH (whose server runs on this host, so the tests can look at the
// files directly under root).

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type fsFactory func(t *testing.T, root string) FS

func runContract(t *testing.T, newFS fsFactory) {
	t.Run("WriteReadStat", func(t *testing.T) { contractWriteReadStat(t, newFS) })
	t.Run("Missing", func(t *testing.T) { contractMissing(t, newFS) })
	t.Run("InvalidPaths", func(t *testing.T) { contractInvalidPaths(t, newFS) })
	t.Run("AtomicReplace", func(t *testing.T) { contractAtomicReplace(t, newFS) })
	t.Run("WriteFailureCleansUp", func(t *testing.T) { contractWriteFailureCleansUp(t, newFS) })
	t.Run("CanceledContext", func(t *testing.T) { contractCanceled(t, newFS) })
	t.Run("Lock", func(t *testing.T) { contractLock(t, newFS) })
	t.Run("LockWaits", func(t *testing.T) { contractLockWaits(t, newFS) })
	t.Run("LockCancel", func(t *testing.T) { contractLockCancel(t, newFS) })
	t.Run("CFSLock", func(t *testing.T) { contractCFSLock(t, newFS) })
	t.Run("RunArgs", func(t *testing.T) { contractRunArgs(t, newFS) })
	t.Run("RunStdinAndExit", func(t *testing.T) { contractRunStdinAndExit(t, newFS) })
	t.Run("RunCancel", func(t *testing.T) { contractRunCancel(t, newFS) })
	t.Run("Closed", func(t *testing.T) { contractClosed(t, newFS) })
}

func mustWrite(t *testing.T, f FS, p string, data []byte, perm fs.FileMode) {
	t.Helper()
	if err := f.WriteFileAtomic(context.Background(), p, data, perm); err != nil {
		t.Fatalf("WriteFileAtomic(%s): %v", p, err)
	}
}

// tempFiles lists leftover ".*.tmp-*" files in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// contractWriteReadStat runs its steps in order on one FS: each builds on
// the files the one before left.
func contractWriteReadStat(t *testing.T, newFS fsFactory) {
	root := t.TempDir()
	f := newFS(t, root)
	const p = "/etc/pve/firewall/100.fw"
	writeReadStatSmall(t, f, root, p)
	big := writeReadReplaceAndEmpty(t, f, root, p)
	// Unclean paths are cleaned.
	if got, err := f.ReadFile(context.Background(), "//etc/./pve//firewall/100.fw"); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("ReadFile(unclean) len %d, %v", len(got), err)
	}
	mkdirAllAndStatDir(t, f)
	// Remove.
	if err := f.Remove(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Stat(context.Background(), p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat after Remove: %v", err)
	}
}

// writeReadStatSmall writes a small file at p and reads it back through f
// and from the disk below root.
func writeReadStatSmall(t *testing.T, f FS, root, p string) {
	ctx := context.Background()
	data := []byte("[OPTIONS]\nenable: 1\n")
	mustWrite(t, f, p, data, 0o640)

	got, err := f.ReadFile(ctx, p)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadFile = %q, %v; want %q", got, err, data)
	}
	// The file really is below root.
	onDisk, err := os.ReadFile(filepath.Join(root, p))
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Fatalf("file under root = %q, %v", onDisk, err)
	}
	fi, err := f.Stat(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != int64(len(data)) || fi.IsDir() || fi.Mode().Perm() != 0o640 {
		t.Fatalf("Stat: size %d dir %v mode %v", fi.Size(), fi.IsDir(), fi.Mode())
	}
}

// writeReadReplaceAndEmpty replaces p with a large file of another mode
// (chunked I/O), writes an empty /etc/empty, and returns the large content.
func writeReadReplaceAndEmpty(t *testing.T, f FS, root, p string) []byte {
	ctx := context.Background()
	big := bytes.Repeat([]byte("0123456789abcdef"), 70_000) // 1.1 MB
	mustWrite(t, f, p, big, 0o600)
	got, err := f.ReadFile(ctx, p)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("ReadFile(big): len %d, %v", len(got), err)
	}
	if fi, err := os.Stat(filepath.Join(root, p)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after replace: %v, %v", fi.Mode(), err)
	}
	// Empty content.
	mustWrite(t, f, "/etc/empty", nil, 0o644)
	if got, err := f.ReadFile(ctx, "/etc/empty"); err != nil || len(got) != 0 {
		t.Fatalf("ReadFile(empty) = %q, %v", got, err)
	}
	if fi, err := os.Stat(filepath.Join(root, "/etc/empty")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode of empty: %v, %v", fi.Mode(), err)
	}
	if left := tempFiles(t, filepath.Join(root, "/etc/pve/firewall")); len(left) > 0 {
		t.Fatalf("temp files left: %v", left)
	}
	return big
}

// mkdirAllAndStatDir: MkdirAll (twice) and Stat on a directory; MkdirAll
// below the file /etc/empty fails.
func mkdirAllAndStatDir(t *testing.T, f FS) {
	ctx := context.Background()
	if err := f.MkdirAll(ctx, "/etc/apparmor.d/lxc/deep", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.MkdirAll(ctx, "/etc/apparmor.d/lxc/deep", 0o755); err != nil {
		t.Fatalf("MkdirAll on existing dir: %v", err)
	}
	fi, err := f.Stat(ctx, "/etc/apparmor.d/lxc/deep")
	if err != nil || !fi.IsDir() {
		t.Fatalf("Stat(dir) = %v, %v", fi, err)
	}
	if err := f.MkdirAll(ctx, "/etc/empty/sub", 0o755); err == nil {
		t.Fatal("MkdirAll below a file succeeded")
	}
}

func contractMissing(t *testing.T, newFS fsFactory) {
	ctx := context.Background()
	f := newFS(t, t.TempDir())
	const p = "/etc/pve/nodes/pve1/lxc/404.conf"
	if _, err := f.ReadFile(ctx, p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v; want fs.ErrNotExist", err)
	}
	if _, err := f.Stat(ctx, p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(missing) = %v; want fs.ErrNotExist", err)
	}
	if err := f.Remove(ctx, p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove(missing) = %v; want fs.ErrNotExist", err)
	}
	var pe *fs.PathError
	if _, err := f.ReadFile(ctx, p); !errors.As(err, &pe) || !strings.HasSuffix(pe.Path, p) {
		t.Errorf("ReadFile(missing) error %v does not name the path", err)
	}
}

func contractInvalidPaths(t *testing.T, newFS fsFactory) {
	ctx := context.Background()
	parent := t.TempDir()
	root := filepath.Join(parent, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(parent, "outside"), "secret", 0o644)
	f := newFS(t, root)
	for _, p := range []string{"", "outside", "../outside", "/../outside", "/etc/../../outside", "/a/..", "./x", "/x\x00y"} {
		if _, err := f.ReadFile(ctx, p); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("ReadFile(%q) = %v; want ErrInvalidPath", p, err)
		}
		if err := f.WriteFileAtomic(ctx, p, []byte("x"), 0o644); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("WriteFileAtomic(%q) = %v; want ErrInvalidPath", p, err)
		}
		if err := f.Remove(ctx, p); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("Remove(%q) = %v; want ErrInvalidPath", p, err)
		}
		if _, err := f.Stat(ctx, p); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("Stat(%q) = %v; want ErrInvalidPath", p, err)
		}
		if err := f.MkdirAll(ctx, p, 0o755); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("MkdirAll(%q) = %v; want ErrInvalidPath", p, err)
		}
		if _, err := f.Lock(ctx, p, time.Second); !errors.Is(err, ErrInvalidPath) {
			t.Errorf("Lock(%q) = %v; want ErrInvalidPath", p, err)
		}
	}
	if err := f.WriteFileAtomic(ctx, "/", []byte("x"), 0o644); !errors.Is(err, ErrInvalidPath) {
		t.Errorf("WriteFileAtomic(/) = %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(parent, "outside")); string(got) != "secret" {
		t.Fatalf("file outside root changed: %q", got)
	}
	if m, _ := filepath.Glob(filepath.Join(parent, "*")); len(m) != 2 {
		t.Fatalf("something was created outside root: %v", m)
	}
}

// contractAtomicReplace: a reader polling the file while it is replaced
// again and again only ever sees one complete version.
func contractAtomicReplace(t *testing.T, newFS fsFactory) {
	root := t.TempDir()
	f := newFS(t, root)
	const p = "/etc/pve/nodes/pve1/lxc/100.conf"
	versions := [][]byte{
		bytes.Repeat([]byte("a"), 64<<10),
		bytes.Repeat([]byte("bb\n"), 300<<10/3),
		[]byte("arch: amd64\n"),
	}
	mustWrite(t, f, p, versions[0], 0o640)
	full := filepath.Join(root, p)

	var stop atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			got, err := os.ReadFile(full)
			if err != nil {
				errc <- err
				return
			}
			reads.Add(1)
			ok := false
			for _, v := range versions {
				ok = ok || bytes.Equal(got, v)
			}
			if !ok {
				errc <- errors.New("reader saw a partial file of " + strconv.Itoa(len(got)) + " bytes")
				return
			}
		}
	}()
	for i := 0; i < 60; i++ {
		mustWrite(t, f, p, versions[i%len(versions)], 0o640)
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	if reads.Load() == 0 {
		t.Fatal("reader never ran")
	}
	if left := tempFiles(t, filepath.Dir(full)); len(left) > 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

// contractWriteFailureCleansUp: when the final rename fails (the target is a
// non-empty directory) the error is reported and no temp file stays behind.
func contractWriteFailureCleansUp(t *testing.T, newFS fsFactory) {
	root := t.TempDir()
	f := newFS(t, root)
	if err := f.MkdirAll(context.Background(), "/etc/target/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	err := f.WriteFileAtomic(context.Background(), "/etc/target", []byte("x"), 0o644)
	if err == nil {
		t.Fatal("WriteFileAtomic over a non-empty directory succeeded")
	}
	if left := tempFiles(t, filepath.Join(root, "etc")); len(left) > 0 {
		t.Fatalf("temp files left after failure: %v", left)
	}
}

func contractCanceled(t *testing.T, newFS fsFactory) {
	f := newFS(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.WriteFileAtomic(ctx, "/x", []byte("x"), 0o644); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFileAtomic: %v", err)
	}
	if _, err := f.ReadFile(ctx, "/x"); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFile: %v", err)
	}
	if _, err := f.Lock(ctx, "/x.lock", time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock: %v", err)
	}
	if _, _, err := f.Run(ctx, []string{"true"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
}

const testLockPath = "/run/lock/lxc/pve-config-100.lock"

func contractLock(t *testing.T, newFS fsFactory) {
	ctx := context.Background()
	root := t.TempDir()
	f := newFS(t, root)
	unlock1, err := f.Lock(ctx, testLockPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, testLockPath)); err != nil {
		t.Fatalf("lock file not created: %v", err)
	}
	// Same FS, same file: excluded, with PVE's exact text.
	start := time.Now()
	_, err = f.Lock(ctx, testLockPath, 300*time.Millisecond)
	want := "can't lock file '" + testLockPath + "' - got timeout"
	if err == nil || err.Error() != want || !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("second Lock = %v; want %q", err, want)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 5*time.Second {
		t.Fatalf("second Lock gave up after %v; want about 300ms", d)
	}
	// A second FS on the same root (another client) is excluded too.
	g := newFS(t, root)
	if _, err := g.Lock(ctx, testLockPath, 200*time.Millisecond); err == nil || err.Error() != want {
		t.Fatalf("Lock from another FS = %v; want %q", err, want)
	}
	// A different file is independent.
	unlockOther, err := f.Lock(ctx, "/run/lock/lxc/pve-config-101.lock", 200*time.Millisecond)
	if err != nil {
		t.Fatalf("Lock on another file: %v", err)
	}
	if err := unlockOther(); err != nil {
		t.Fatal(err)
	}
	if err := unlock1(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if err := unlock1(); err != nil {
		t.Fatalf("second unlock call: %v", err)
	}
	unlock2, err := g.Lock(ctx, testLockPath, time.Second)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	if err := unlock2(); err != nil {
		t.Fatal(err)
	}
}

func contractLockWaits(t *testing.T, newFS fsFactory) {
	ctx := context.Background()
	root := t.TempDir()
	f := newFS(t, root)
	unlock, err := f.Lock(ctx, testLockPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		released <- time.Now()
		_ = unlock()
	}()
	unlock2, err := f.Lock(ctx, testLockPath, 10*time.Second)
	got := time.Now()
	if err != nil {
		t.Fatalf("waiting Lock: %v", err)
	}
	if rel := <-released; got.Before(rel) {
		t.Fatal("second Lock was granted before the first was released")
	}
	_ = unlock2()
}

func contractLockCancel(t *testing.T, newFS fsFactory) {
	root := t.TempDir()
	f := newFS(t, root)
	unlock, err := f.Lock(context.Background(), testLockPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = f.Lock(ctx, testLockPath, 30*time.Second)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock with expiring context = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Lock returned %v after its context ended", d)
	}
}

// nastyArgs are arguments a shell would mangle; pwned is a file that must
// not be created.
func nastyArgs(pwned string) []string {
	return []string{
		"plain", "with space", "it's", `"double"`, "$(touch " + pwned + ")", "`touch " + pwned + "`", "; touch " + pwned, "`id`", "a;b", "x|y", "&&", "\n",
		"line1\nline2", "", "*", "~", "~root", "$HOME", `\`, `\'`, "'", "''", "-n", "--", "%s%d", "é ü 日本",
		"\t", "{a,b}", "!", "!!", "a=b", ">out", "<in", "#comment", "\x01\x7f\xff", " leading", "trailing ",
	}
}

func contractRunArgs(t *testing.T, newFS fsFactory) {
	f := newFS(t, t.TempDir())
	pwned := filepath.Join(t.TempDir(), "pwned")
	nastyArgs := nastyArgs(pwned)
	// printf reuses its format for every argument: each comes back NUL-terminated.
	argv := append([]string{"printf", `%s\000`}, nastyArgs...)
	stdout, stderr, err := f.Run(context.Background(), argv, nil)
	if err != nil {
		t.Fatalf("Run: %v (stderr %q)", err, stderr)
	}
	got := strings.Split(string(stdout), "\x00")
	if len(got) != len(nastyArgs)+1 || got[len(got)-1] != "" {
		t.Fatalf("got %d args back: %q", len(got)-1, got)
	}
	for i, want := range nastyArgs {
		if got[i] != want {
			t.Errorf("arg %d: got %q, want %q", i, got[i], want)
		}
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("an argument was executed by a shell")
	}
	if _, _, err := f.Run(context.Background(), []string{"printf", "a\x00b"}, nil); err == nil {
		t.Error("Run accepted an argument with a NUL byte")
	}
	if _, _, err := f.Run(context.Background(), nil, nil); err == nil {
		t.Error("Run accepted an empty argv")
	}
}

func contractRunStdinAndExit(t *testing.T, newFS fsFactory) {
	ctx := context.Background()
	f := newFS(t, t.TempDir())
	in := append([]byte("binary\x00data\n"), bytes.Repeat([]byte{0xff, 0x00, 'x'}, 100_000)...)
	stdout, _, err := f.Run(ctx, []string{"cat"}, in)
	if err != nil || !bytes.Equal(stdout, in) {
		t.Fatalf("cat: %d bytes, %v", len(stdout), err)
	}
	stdout, stderr, err := f.Run(ctx, []string{"sh", "-c", "echo out; echo oops >&2; exit 3"}, nil)
	var re *RunError
	if !errors.As(err, &re) || re.ExitCode != 3 {
		t.Fatalf("exit 3: err = %v", err)
	}
	if string(stdout) != "out\n" || string(stderr) != "oops\n" || string(re.Stderr) != "oops\n" {
		t.Fatalf("stdout %q stderr %q RunError.Stderr %q", stdout, stderr, re.Stderr)
	}
	if !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("error text %q", err)
	}
	if _, _, err := f.Run(ctx, []string{"/nonexistent/program-xyz"}, nil); err == nil {
		t.Fatal("running a missing program succeeded")
	}
}

// processWithArg reports whether a process has arg among its arguments.
func processWithArg(arg string) bool {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		for _, a := range strings.Split(string(b), "\x00") {
			if a == arg {
				return true
			}
		}
	}
	return false
}

func waitNoProcess(t *testing.T, arg string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for processWithArg(arg) {
		if time.Now().After(deadline) {
			t.Fatalf("a process with argument %q is still running", arg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func contractRunCancel(t *testing.T, newFS fsFactory) {
	f := newFS(t, t.TempDir())
	// A unique duration identifies the process.
	marker := "30.0" + strconv.Itoa(int(time.Now().UnixNano()%1_000_000))
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	// The shell's child must die too (": " keeps the shell from exec'ing sleep).
	argv := []string{"sh", "-c", "sleep " + marker + "; :"}
	if isSudoChannel(f) {
		// sudo relays the cancellation to the command it runs only (see sudo.go)
		argv = []string{"sleep", marker}
	}
	_, _, err := f.Run(ctx, argv, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run with expiring context = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Run returned %v after its context ended", d)
	}
	waitNoProcess(t, marker)
}

func contractClosed(t *testing.T, newFS fsFactory) {
	f := newFS(t, t.TempDir())
	if err := f.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := f.ReadFile(context.Background(), "/x"); !errors.Is(err, ErrClosed) {
		t.Errorf("ReadFile after Close = %v", err)
	}
	if _, _, err := f.Run(context.Background(), []string{"true"}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close = %v", err)
	}
}

// contractCFSLock: Mkdir is exclusive, and CFSLock excludes a second holder
// (as PVE's own mkdir-based cfs lock does) until the first releases.
func contractCFSLock(t *testing.T, newFS fsFactory) {
	ctx := context.Background()
	root := t.TempDir()
	f := newFS(t, root)
	if err := f.MkdirAll(ctx, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.Mkdir(ctx, "/d/x", 0o700); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	if err := f.Mkdir(ctx, "/d/x", 0o700); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Mkdir: %v, want fs.ErrExist", err)
	}
	release, err := CFSLock(ctx, f, "firewall-vm-100", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(root, "etc/pve/priv/lock/firewall-vm-100")); err != nil || !fi.IsDir() {
		t.Fatalf("lock directory missing: %v", err)
	}
	start := time.Now()
	_, err = CFSLock(ctx, f, "firewall-vm-100", 200*time.Millisecond)
	if !errors.Is(err, ErrLockTimeout) || !strings.Contains(err.Error(), "cfs-lock 'firewall-vm-100' error: got lock request timeout") {
		t.Fatalf("second CFSLock: %v", err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Fatalf("second CFSLock gave up after %s, before its timeout", time.Since(start))
	}
	// a waiter gets the lock once it is released
	got := make(chan error, 1)
	go func() {
		rel, err := CFSLock(ctx, f, "firewall-vm-100", 5*time.Second)
		if err == nil {
			err = rel()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if err := release(); err != nil {
		t.Fatalf("second release: %v", err)
	}
	// a lock a dead writer left behind: honoured until pmxcfs' expiry, then
	// taken over (never earlier)
	lockDir := filepath.Join(root, "etc/pve/priv/lock/firewall-vm-101")
	if err := os.Mkdir(lockDir, 0o700); err != nil {
		t.Fatal(err)
	}
	young := time.Now().Add(-CFSLockExpiry + 30*time.Second)
	if err := os.Chtimes(lockDir, young, young); err != nil {
		t.Fatal(err)
	}
	if _, err := CFSLock(ctx, f, "firewall-vm-101", 100*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("CFSLock on a lock younger than the expiry: %v, want a timeout", err)
	}
	old := time.Now().Add(-CFSLockExpiry - time.Second)
	if err := os.Chtimes(lockDir, old, old); err != nil {
		t.Fatal(err)
	}
	rel, err := CFSLock(ctx, f, "firewall-vm-101", 100*time.Millisecond)
	if err != nil {
		t.Fatalf("CFSLock on an expired lock: %v", err)
	}
	if fi, err := os.Stat(lockDir); err != nil || time.Since(fi.ModTime()) > time.Minute {
		t.Fatalf("the expired lock was not replaced by a fresh one: %v", err)
	}
	if err := rel(); err != nil {
		t.Fatal(err)
	}
}
