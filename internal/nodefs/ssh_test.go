package nodefs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// logCollector gathers Logf output.
type logCollector struct {
	mu    sync.Mutex
	lines []string
}

func (l *logCollector) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logCollector) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func dialForTest(t *testing.T, cfg SSHConfig) FS {
	t.Helper()
	f, err := DialSSH(context.Background(), cfg)
	if err != nil {
		t.Fatalf("DialSSH: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestSSHContract(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	runContract(t, func(t *testing.T, root string) FS {
		return dialForTest(t, d.Config(root))
	})
}

// TestSSHLockExcludesLocal: the remote lock (held by flock(1) on the node,
// which here is this host) and a local Lock on the same file exclude each
// other both ways.
func TestSSHLockExcludesLocal(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	ctx := context.Background()
	root := t.TempDir()
	remote := dialForTest(t, d.Config(root))
	local := newLocalForTest(t, root)
	want := "can't lock file '" + testLockPath + "' - got timeout"

	unlockRemote, err := remote.Lock(ctx, testLockPath, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.Lock(ctx, testLockPath, 300*time.Millisecond); err == nil || err.Error() != want {
		t.Fatalf("local Lock while remote holds it = %v; want %q", err, want)
	}
	if err := unlockRemote(); err != nil {
		t.Fatalf("remote unlock: %v", err)
	}
	// Release is synchronous: the lock is free as soon as unlock returns.
	unlockLocal, err := local.Lock(ctx, testLockPath, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("local Lock after remote release: %v", err)
	}
	start := time.Now()
	_, err = remote.Lock(ctx, testLockPath, 500*time.Millisecond)
	if err == nil || err.Error() != want || !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("remote Lock while local holds it = %v; want %q", err, want)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("remote Lock gave up after %v", d)
	}
	// The remote side waits and gets the lock once it is released.
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = unlockLocal()
	}()
	unlockRemote, err = remote.Lock(ctx, testLockPath, 10*time.Second)
	if err != nil {
		t.Fatalf("remote Lock waiting for release: %v", err)
	}
	_ = unlockRemote()
}

// TestSSHLockCancelLeavesNoProcess: cancelling a waiting remote Lock ends
// the remote flock process.
func TestSSHLockCancelLeavesNoProcess(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	root := t.TempDir()
	remote := dialForTest(t, d.Config(root))
	local := newLocalForTest(t, root)
	unlock, err := local.Lock(context.Background(), testLockPath, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(500 * time.Millisecond)
		cancel()
	}()
	_, err = remote.Lock(ctx, testLockPath, 60*time.Second)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock = %v; want context.Canceled", err)
	}
	waitNoProcess(t, filepath.Join(root, testLockPath))
}

// TestSSHLockDiesWithConnection: closing the FS releases its remote locks
// (nothing stays behind on the node).
func TestSSHLockDiesWithConnection(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	root := t.TempDir()
	remote, err := DialSSH(context.Background(), d.Config(root))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Lock(context.Background(), testLockPath, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := remote.Close(); err != nil {
		t.Fatal(err)
	}
	local := newLocalForTest(t, root)
	unlock, err := local.Lock(context.Background(), testLockPath, 5*time.Second)
	if err != nil {
		t.Fatalf("lock still held after the SSH connection closed: %v", err)
	}
	_ = unlock()
	waitNoProcess(t, filepath.Join(root, testLockPath))
}

func TestSSHNoGoroutineLeak(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	base := runtime.NumGoroutine()
	root := t.TempDir()
	f, err := DialSSH(context.Background(), d.Config(root))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := f.WriteFileAtomic(ctx, "/a", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	unlock, err := f.Lock(ctx, "/l", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = unlock()
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, _, _ = f.Run(cctx, []string{"sleep", "5"}, nil)
	cancel()
	// A Lock cancelled while it waits (the lock is held locally).
	unlockLocal, err := newLocalForTest(t, root).Lock(ctx, "/l", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
	if _, err := f.Lock(cctx, "/l", 10*time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled Lock = %v", err)
	}
	cancel()
	_ = unlockLocal()
	// A Lock that times out remotely.
	unlockLocal, err = newLocalForTest(t, root).Lock(ctx, "/l", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Lock(ctx, "/l", 100*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("Lock = %v; want timeout", err)
	}
	_ = unlockLocal()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), base, buf[:n])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSSHHostKeyMismatch(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	_, other := genKey(t, "ed25519", nil)
	kh := filepath.Join(t.TempDir(), "known_hosts")
	writeFile(t, kh, knownHostsLine(d.Addr(), other.PublicKey()), 0o600)
	cfg := d.Config(t.TempDir())
	cfg.KnownHostsFile = kh
	_, err := DialSSH(context.Background(), cfg)
	if !errors.Is(err, ErrHostKeyMismatch) || errors.Is(err, ErrHostKeyUnknown) {
		t.Fatalf("DialSSH with a wrong known key = %v; want ErrHostKeyMismatch", err)
	}
	var hk *HostKeyError
	if !errors.As(err, &hk) || hk.Fingerprint != ssh.FingerprintSHA256(d.HostKeys["ed25519"].PublicKey()) {
		t.Fatalf("HostKeyError %+v", hk)
	}
	msg := err.Error()
	wantPrefix := fmt.Sprintf("host key for %s does not match known_hosts (%s): possible man-in-the-middle; ", d.Addr(), kh)
	if !strings.HasPrefix(msg, wantPrefix) {
		t.Fatalf("message %q\ndoes not start with %q", msg, wantPrefix)
	}
	for _, want := range []string{ssh.FingerprintSHA256(other.PublicKey()), kh + ":1", "ssh-keygen -R '[127.0.0.1]:" + strconv.Itoa(d.Port) + "'"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	t.Log(msg)
}

func TestSSHHostUnknown(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	dir := t.TempDir()
	_, other := genKey(t, "ed25519", nil)
	// known_hosts lists another host (and this host on another port) only.
	kh := filepath.Join(dir, "known_hosts")
	writeFile(t, kh, knownHostsLine("10.9.9.9:22", other.PublicKey())+knownHostsLine("127.0.0.1:1", other.PublicKey()), 0o600)
	cfg := d.Config(t.TempDir())
	cfg.KnownHostsFile = kh
	_, err := DialSSH(context.Background(), cfg)
	if !errors.Is(err, ErrHostKeyUnknown) || errors.Is(err, ErrHostKeyMismatch) {
		t.Fatalf("DialSSH to an unknown host = %v; want ErrHostKeyUnknown", err)
	}
	msg := err.Error()
	wantPrefix := fmt.Sprintf("host %s is not in known_hosts %s; add it with `ssh-keyscan -p %d 127.0.0.1 >> %s`", d.Addr(), kh, d.Port, kh)
	if !strings.HasPrefix(msg, wantPrefix) {
		t.Fatalf("message %q\ndoes not start with %q", msg, wantPrefix)
	}
	if !strings.Contains(msg, ssh.FingerprintSHA256(d.HostKeys["ed25519"].PublicKey())) {
		t.Errorf("message %q lacks the presented fingerprint", msg)
	}
	t.Log(msg)

	// A known_hosts file that does not exist: same explanation.
	cfg.KnownHostsFile = filepath.Join(dir, "missing_known_hosts")
	if _, err := DialSSH(context.Background(), cfg); !errors.Is(err, ErrHostKeyUnknown) || !strings.Contains(err.Error(), cfg.KnownHostsFile) {
		t.Fatalf("DialSSH with a missing known_hosts = %v", err)
	}

	// A plain (port 22) entry does not vouch for another port, as in OpenSSH,
	// but the message says why.
	writeFile(t, kh, knownhosts.Line([]string{"127.0.0.1"}, d.HostKeys["ed25519"].PublicKey())+"\n", 0o600)
	cfg.KnownHostsFile = kh
	_, err = DialSSH(context.Background(), cfg)
	if !errors.Is(err, ErrHostKeyUnknown) || !strings.Contains(err.Error(), "on port 22 only") {
		t.Fatalf("DialSSH with a port-22 entry only = %v", err)
	}
}

func TestSSHKnownHostsForms(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	key := d.HostKeys["ed25519"].PublicKey()
	norm := knownhosts.Normalize(d.Addr()) // [127.0.0.1]:PORT
	for name, content := range map[string]string{
		"bracketed": knownhosts.Line([]string{norm}, key),
		"hashed":    knownhosts.Line([]string{knownhosts.HashHostname(norm)}, key),
		"multi":     knownhosts.Line([]string{"pve1", norm}, key),
		"wildcard":  knownhosts.Line([]string{"[127.0.0.*]:" + strconv.Itoa(d.Port)}, key),
	} {
		t.Run(name, func(t *testing.T) {
			kh := filepath.Join(t.TempDir(), "known_hosts")
			writeFile(t, kh, "# comment\n\n"+content+"\n", 0o600)
			cfg := d.Config(t.TempDir())
			cfg.KnownHostsFile = kh
			f := dialForTest(t, cfg)
			if _, _, err := f.Run(context.Background(), []string{"true"}, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestHostKeyVerifierPort22: plain "host" entries are for port 22 (the usual
// case for PVE nodes); checked on the verifier since the test sshd cannot
// use port 22.
func TestHostKeyVerifierPort22(t *testing.T) {
	_, good := genKey(t, "ed25519", nil)
	_, bad := genKey(t, "ed25519", nil)
	kh := filepath.Join(t.TempDir(), "known_hosts")
	writeFile(t, kh, knownhosts.Line([]string{"pve1.example", "192.0.2.10"}, good.PublicKey())+"\n", 0o600)
	remote := &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 22}
	for _, tc := range []struct {
		addr string
		key  ssh.PublicKey
		want error
	}{
		{"pve1.example:22", good.PublicKey(), nil},
		{"192.0.2.10:22", good.PublicKey(), nil},
		{"pve1.example:22", bad.PublicKey(), ErrHostKeyMismatch},
		{"pve2.example:22", good.PublicKey(), ErrHostKeyUnknown},
		{"pve1.example:2222", good.PublicKey(), ErrHostKeyUnknown},
	} {
		cb, algos, err := hostKeyVerifier(SSHConfig{KnownHostsFile: kh}, tc.addr, func(string, ...any) {})
		if err != nil {
			t.Fatal(err)
		}
		err = cb(tc.addr, remote, tc.key)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: %v; want %v", tc.addr, err, tc.want)
		}
		if strings.HasSuffix(tc.addr, ":22") && strings.HasPrefix(tc.addr, "pve1") && (len(algos) != 1 || algos[0] != ssh.KeyAlgoED25519) {
			t.Errorf("%s: host key algorithms %v", tc.addr, algos)
		}
	}
}

// TestSSHHostKeyAlgorithms: the server has two host keys; known_hosts lists
// only one of them; the client must negotiate that one rather than report a
// mismatch.
func TestSSHHostKeyAlgorithms(t *testing.T) {
	d := startSSHD(t, sshdOptions{HostKeyTypes: []string{"ed25519", "ecdsa"}})
	for _, typ := range []string{"ed25519", "ecdsa"} {
		t.Run(typ, func(t *testing.T) {
			kh := filepath.Join(t.TempDir(), "known_hosts")
			writeFile(t, kh, knownHostsLine(d.Addr(), d.HostKeys[typ].PublicKey()), 0o600)
			cfg := d.Config(t.TempDir())
			cfg.KnownHostsFile = kh
			f := dialForTest(t, cfg)
			if _, _, err := f.Run(context.Background(), []string{"true"}, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSSHWrongClientKey(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	wrong, wrongSigner := genKey(t, "ed25519", nil)
	cfg := d.Config(t.TempDir())
	cfg.PrivateKey = wrong
	_, err := DialSSH(context.Background(), cfg)
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("DialSSH with an unauthorized key = %v; want ErrAuthFailed", err)
	}
	msg := err.Error()
	for _, want := range []string{
		fmt.Sprintf("ssh authentication as %s@%s failed", d.User, d.Addr()),
		ssh.FingerprintSHA256(wrongSigner.PublicKey()),
		"authorized_keys",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "PRIVATE KEY") {
		t.Fatalf("message leaks key material: %q", msg)
	}
	t.Log(msg)
}

func TestSSHInsecureIgnoreHostKey(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	var logs logCollector
	cfg := d.Config(t.TempDir())
	cfg.KnownHostsFile = filepath.Join(t.TempDir(), "does-not-exist")
	cfg.InsecureIgnoreHostKey = true
	cfg.Logf = logs.Logf
	f := dialForTest(t, cfg)
	if _, _, err := f.Run(context.Background(), []string{"true"}, nil); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "WARNING") || !strings.Contains(out, "DISABLED") || !strings.Contains(out, d.Addr()) {
		t.Fatalf("no clear warning logged: %q", out)
	}
}

func TestSSHEncryptedKey(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	passphrase := []byte("s3cret-Passphrase-xyz")
	pemBytes, signer := genKey(t, "ed25519", passphrase)
	// Authorize the new key too.
	authKeys := filepath.Join(d.Dir, "authorized_keys")
	old, _ := os.ReadFile(authKeys)
	writeFile(t, authKeys, string(old)+string(ssh.MarshalAuthorizedKey(signer.PublicKey())), 0o600)

	var logs logCollector
	cfg := d.Config(t.TempDir())
	cfg.PrivateKey = pemBytes
	cfg.PrivateKeyPassphrase = passphrase
	cfg.Logf = logs.Logf
	f := dialForTest(t, cfg)
	if _, _, err := f.Run(context.Background(), []string{"true"}, nil); err != nil {
		t.Fatal(err)
	}

	cfg.PrivateKeyPassphrase = nil
	_, err := DialSSH(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "passphrase-protected") {
		t.Fatalf("DialSSH without passphrase = %v", err)
	}
	cfg.PrivateKeyPassphrase = []byte("wrong-Passphrase-abc")
	_, err = DialSSH(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("DialSSH with a wrong passphrase = %v", err)
	}
	for _, s := range []string{err.Error(), logs.String()} {
		if strings.Contains(s, "s3cret") || strings.Contains(s, "wrong-Passphrase") || strings.Contains(s, "PRIVATE KEY") {
			t.Fatalf("secret leaked: %q", s)
		}
	}
	cfg.PrivateKey = []byte("not a key")
	cfg.PrivateKeyPassphrase = nil
	if _, err := DialSSH(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "cannot parse the private key") {
		t.Fatalf("DialSSH with garbage key = %v", err)
	}
}

func TestSSHAgent(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	// Serve an in-memory agent holding the authorized client key.
	keyring := agent.NewKeyring()
	priv, err := ssh.ParseRawPrivateKey(d.ClientKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = agent.ServeAgent(keyring, c)
			}()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	cfg := d.Config(t.TempDir())
	cfg.PrivateKey = nil
	cfg.UseAgent = true
	f := dialForTest(t, cfg)
	if out, _, err := f.Run(context.Background(), []string{"echo", "via agent"}, nil); err != nil || string(out) != "via agent\n" {
		t.Fatalf("Run = %q, %v", out, err)
	}

	t.Setenv("SSH_AUTH_SOCK", "")
	if _, err := DialSSH(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "SSH_AUTH_SOCK") {
		t.Fatalf("DialSSH without agent = %v", err)
	}
}

func TestSSHDialErrors(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	cfg := d.Config("/")
	cfg.PrivateKey = nil
	if _, err := DialSSH(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("DialSSH without credentials = %v", err)
	}
	cfg = d.Config("relative")
	if _, err := DialSSH(context.Background(), cfg); !errors.Is(err, ErrInvalidPath) {
		t.Errorf("DialSSH with relative root = %v", err)
	}
	// Nothing listens on this port.
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	cfg = d.Config("/")
	cfg.Port = port
	if _, err := DialSSH(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "connect to") {
		t.Errorf("DialSSH to a closed port = %v", err)
	}
	// A server that accepts but never speaks: bounded by the timeout / context.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	cfg.Port = l.Addr().(*net.TCPAddr).Port
	cfg.Timeout = 300 * time.Millisecond
	start := time.Now()
	if _, err := DialSSH(context.Background(), cfg); err == nil {
		t.Error("DialSSH to a silent server succeeded")
	}
	cfg.Timeout = 30 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := DialSSH(ctx, cfg); err == nil {
		t.Error("DialSSH to a silent server succeeded")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("dialling a silent server took %v", el)
	}
}

// TestSSHRootConfinedRun: Run is not confined (it runs on the node), but
// file operations are; check that a file written via SFTP is visible to a
// command at root+path.
func TestSSHFilesAndRunAgree(t *testing.T) {
	d := startSSHD(t, sshdOptions{})
	root := t.TempDir()
	f := dialForTest(t, d.Config(root))
	data := []byte("lxc.apparmor.profile: generated\n")
	if err := f.WriteFileAtomic(context.Background(), "/etc/pve/nodes/pve1/lxc/100.conf", data, 0o640); err != nil {
		t.Fatal(err)
	}
	out, _, err := f.Run(context.Background(), []string{"cat", filepath.Join(root, "/etc/pve/nodes/pve1/lxc/100.conf")}, nil)
	if err != nil || !bytes.Equal(out, data) {
		t.Fatalf("cat = %q, %v", out, err)
	}
}

// TestSSHMaxSessions: more concurrent commands and locks than the server's
// MaxSessions still all complete (opening a session is retried).
func TestSSHMaxSessions(t *testing.T) {
	d := startSSHD(t, sshdOptions{MaxSessions: 3})
	root := t.TempDir()
	f := dialForTest(t, d.Config(root))
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 10; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			out, _, err := f.Run(context.Background(), []string{"sh", "-c", "sleep 0.2; echo " + strconv.Itoa(i)}, nil)
			if err == nil && string(out) != strconv.Itoa(i)+"\n" {
				err = fmt.Errorf("output %q", out)
			}
			errs <- err
		}()
		go func() {
			defer wg.Done()
			unlock, err := f.Lock(context.Background(), "/run/lock/l"+strconv.Itoa(i), 5*time.Second)
			if err == nil {
				time.Sleep(100 * time.Millisecond)
				err = unlock()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestPIDSniffer(t *testing.T) {
	for _, tc := range []struct {
		chunks  []string
		wantPID int
		wantOut string
	}{
		{[]string{"nodefs-pid:1234\nhello\n"}, 1234, "hello\n"},
		{[]string{"nodefs-", "pid:42", "\n", "a", "b"}, 42, "ab"},
		{[]string{"nodefs-pid:77\n"}, 77, ""},
		{[]string{"motd junk\n", "nodefs-pid:5\nx"}, 0, "motd junk\nnodefs-pid:5\nx"},
		{[]string{strings.Repeat("z", 100)}, 0, strings.Repeat("z", 100)},
		{[]string{"nodefs-pid:1\nx"}, 0, "nodefs-pid:1\nx"},
		{[]string{"partial"}, 0, "partial"},
	} {
		proc := &remoteProc{}
		var out bytes.Buffer
		sn := &pidSniffer{proc: proc, dst: &out}
		for _, c := range tc.chunks {
			if n, err := sn.Write([]byte(c)); err != nil || n != len(c) {
				t.Fatalf("Write(%q) = %d, %v", c, n, err)
			}
		}
		sn.flush()
		if proc.pid != tc.wantPID || out.String() != tc.wantOut {
			t.Errorf("%q: pid %d out %q; want %d %q", tc.chunks, proc.pid, out.String(), tc.wantPID, tc.wantOut)
		}
	}
}
