// Package sshd runs a real OpenSSH sshd for tests, started and stopped by the
// test itself.
//
// Start generates the host and client keys in Go, writes an sshd_config into
// t.TempDir() and runs "/usr/sbin/sshd -D -e -f CONFIG" as a child of the test
// process, listening on 127.0.0.1 and a free port. The child is stopped by its
// PID in t.Cleanup (never by name). Without /usr/sbin/sshd (Debian package
// openssh-server) the test is skipped, unless HARDENED_TEST_REQUIRE
// (comma-separated) contains "sshd": then it fails.
//
// The server authenticates the current user with the generated client key
// only (no passwords, no PAM); its SFTP subsystem is internal-sftp, so the
// client sees the test machine's own file system.
package sshd

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// Path is the sshd binary used.
const Path = "/usr/sbin/sshd"

// RequireEnv names the variable listing the system components a test run
// requires (see package require).
const RequireEnv = require.Env

// Required reports whether HARDENED_TEST_REQUIRE lists what.
func Required(what string) bool { return require.Required(what) }

// SkipOrFail skips the test, or fails it when HARDENED_TEST_REQUIRE lists what.
func SkipOrFail(t testing.TB, what, format string, args ...any) {
	t.Helper()
	require.SkipOrFail(t, what, format, args...)
}

// Options configures Start.
type Options struct {
	// HostKeyTypes lists the host keys to generate: "ed25519" (default) and/or "ecdsa".
	HostKeyTypes []string
	// MaxSessions is sshd's MaxSessions (default here 50; sshd's own default is 10).
	MaxSessions int
	// OtherUsers lets every local user log in with the client key, not
	// only the current one: sshd reads authorized_keys as the user logging
	// in, so the file and the directories above it become readable to all
	// (the host keys stay 0600).
	OtherUsers bool
	// SetEnv are NAME=VALUE pairs sshd sets in every session (OpenSSH's
	// SetEnv, which wins over the PATH sshd sets itself); values must not
	// contain white space or quotes.
	SetEnv []string
}

// Server is a running sshd.
type Server struct {
	Host string // 127.0.0.1
	Port int
	User string // the current user, whom the client key authenticates
	Dir  string // the server's private directory (config, keys, known_hosts files)
	// HostKeys are the server's host keys, by the type names given in Options.
	HostKeys map[string]ssh.Signer
	// ClientKeyPEM is the authorized client key (OpenSSH PEM, unencrypted)
	// and ClientSigner its signer.
	ClientKeyPEM []byte
	ClientSigner ssh.Signer
	// KnownHostsFile lists every host key of the server as [host]:port.
	KnownHostsFile string
	// WrongKnownHostsFile lists [host]:port with another key: connecting
	// with it must fail host key verification (a man-in-the-middle).
	WrongKnownHostsFile string
	// AuthorizedKeysFile is the server's authorized_keys (append to authorize more keys).
	AuthorizedKeysFile string

	log *syncBuffer
}

// Addr is host:port.
func (d *Server) Addr() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.Port)) }

// Log returns what sshd logged so far.
func (d *Server) Log() string { return d.log.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// GenKey returns a new private key of the given type ("ed25519" or
// "ecdsa") as OpenSSH PEM, encrypted when passphrase is not empty, and its
// signer.
func GenKey(t testing.TB, typ string, passphrase []byte) ([]byte, ssh.Signer) {
	t.Helper()
	var priv any
	switch typ {
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		priv = k
	case "ecdsa":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		priv = k
	default:
		t.Fatalf("unknown key type %q", typ)
	}
	var block *pem.Block
	var err error
	if len(passphrase) > 0 {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "", passphrase)
	} else {
		block, err = ssh.MarshalPrivateKey(priv, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), signer
}

// KnownHostsLine returns a known_hosts line (with its newline) for addr
// (host:port) and key.
func KnownHostsLine(addr string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, key) + "\n"
}

// WriteFile writes a file or fails the test.
func WriteFile(t testing.TB, path, content string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
}

// Start starts a private sshd on 127.0.0.1 and a free port; it is stopped
// when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		SkipOrFail(t, "sshd", "%s not found: install the Debian package openssh-server to run the SSH tests", Path)
	}
	if opts.MaxSessions == 0 {
		opts.MaxSessions = 50
	}
	if len(opts.HostKeyTypes) == 0 {
		opts.HostKeyTypes = []string{"ed25519"}
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// Privilege separation directory (normally made by systemd's unit).
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil { //nolint:gosec // sshd's privilege separation directory is 0755
			t.Fatalf("mkdir /run/sshd: %v", err)
		}
	}
	dir := t.TempDir()
	d := &Server{Host: "127.0.0.1", User: u.Username, Dir: dir, HostKeys: map[string]ssh.Signer{}, log: &syncBuffer{}}

	var hostKeyLines []string
	for _, typ := range opts.HostKeyTypes {
		pemBytes, signer := GenKey(t, typ, nil)
		p := filepath.Join(dir, "ssh_host_"+typ+"_key")
		WriteFile(t, p, string(pemBytes), 0o600)
		d.HostKeys[typ] = signer
		hostKeyLines = append(hostKeyLines, "HostKey "+p)
	}
	d.ClientKeyPEM, d.ClientSigner = GenKey(t, "ed25519", nil)
	d.AuthorizedKeysFile = filepath.Join(dir, "authorized_keys")
	WriteFile(t, d.AuthorizedKeysFile, string(ssh.MarshalAuthorizedKey(d.ClientSigner.PublicKey())), 0o600)
	if opts.OtherUsers {
		for _, p := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(p, 0o755); err != nil { //nolint:gosec // G302: a test directory other users must traverse
				t.Fatal(err)
			}
		}
		if err := os.Chmod(d.AuthorizedKeysFile, 0o644); err != nil { //nolint:gosec // G302: a public key, read by sshd as each user
			t.Fatal(err)
		}
	}

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("sshd log:\n%s", d.log.String())
		}
	})

	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		d.Port = port
		cfgPath := filepath.Join(dir, "sshd_config")
		cfg := strings.Join(append(hostKeyLines,
			"ListenAddress "+d.Addr(),
			"PidFile "+filepath.Join(dir, "sshd.pid"),
			"AuthorizedKeysFile "+d.AuthorizedKeysFile,
			"StrictModes no",
			"UsePAM no",
			"PermitRootLogin prohibit-password",
			"PubkeyAuthentication yes",
			"PasswordAuthentication no",
			"KbdInteractiveAuthentication no",
			"Subsystem sftp internal-sftp",
			"LogLevel VERBOSE",
			"PrintMotd no",
			"MaxStartups 50:30:100",
			"MaxSessions "+strconv.Itoa(opts.MaxSessions),
		), "\n") + "\n"
		if len(opts.SetEnv) > 0 {
			cfg += "SetEnv " + strings.Join(opts.SetEnv, " ") + "\n"
		}
		WriteFile(t, cfgPath, cfg, 0o600)
		lastErr = d.run(t, cfgPath)
		if lastErr == nil {
			break
		}
		if !strings.Contains(d.log.String(), "Address already in use") {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("start sshd: %v\nsshd log:\n%s", lastErr, d.log.String())
	}

	var kh strings.Builder
	for _, typ := range opts.HostKeyTypes {
		kh.WriteString(KnownHostsLine(d.Addr(), d.HostKeys[typ].PublicKey()))
	}
	d.KnownHostsFile = filepath.Join(dir, "known_hosts")
	WriteFile(t, d.KnownHostsFile, kh.String(), 0o600)

	_, other := GenKey(t, "ed25519", nil)
	d.WrongKnownHostsFile = filepath.Join(dir, "known_hosts.wrong")
	WriteFile(t, d.WrongKnownHostsFile, KnownHostsLine(d.Addr(), other.PublicKey()), 0o600)
	return d
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// run starts sshd with cfgPath and waits until it greets on its port.
func (d *Server) run(t testing.TB, cfgPath string) error {
	cmd := exec.Command(Path, "-D", "-e", "-f", cfgPath)
	cmd.Stdout = d.log
	cmd.Stderr = d.log
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		// Only the PID we started. Its per-connection children end when
		// the clients (closed in earlier cleanups) disconnect; give them a
		// moment so that they are reaped by sshd rather than orphaned.
		for deadline := time.Now().Add(3 * time.Second); hasChildren(cmd.Process.Pid) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("sshd exited: %w", err)
		default:
		}
		if greeted(d.Addr()) {
			t.Cleanup(stop)
			return nil
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("sshd did not accept connections on %s within 10s", d.Addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// greeted reports whether an SSH server answers on addr with its banner.
func greeted(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 8)
	n, _ := c.Read(buf)
	return strings.HasPrefix(string(buf[:n]), "SSH-")
}

// hasChildren reports whether process pid has child processes (per /proc).
func hasChildren(pid int) bool {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may contain spaces; split after ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) >= 2 && f[1] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}
