package nodefs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/hardened-pve/terraform-provider-hardened/internal/sudoers"
)

// SSHConfig configures DialSSH.
type SSHConfig struct {
	Host string
	Port int // default 22

	User string // default "root"

	// Sudo runs every file operation and command as root through
	// "sudo -n" (see sudo.go): for a non-root User whose sudoers rules
	// allow SFTPServer and the commands the caller runs, without a
	// password.
	Sudo bool
	// SFTPServer is the SFTP server program run through sudo when Sudo is
	// set (default sudoers.SFTPServer, Debian's path). An absolute path.
	SFTPServer string

	PrivateKey           []byte // PEM/OpenSSH private key (optional)
	PrivateKeyPassphrase []byte // optional
	UseAgent             bool   // authenticate with the agent at SSH_AUTH_SOCK

	// KnownHostsFile is the OpenSSH known_hosts file the host key is checked
	// against (default ~/.ssh/known_hosts). Both "host" entries (port 22)
	// and "[host]:port" entries, plain or hashed, are understood.
	KnownHostsFile string
	// InsecureIgnoreHostKey disables host key verification. A warning is
	// logged through Logf on every connection.
	InsecureIgnoreHostKey bool

	Root    string        // default "/"
	Timeout time.Duration // dial and handshake timeout, default 15s

	// Logf, if set, receives diagnostic messages (never secrets).
	Logf func(format string, args ...any)
}

const (
	defaultSSHTimeout = 15 * time.Second
	keepaliveInterval = 30 * time.Second
	ioChunk           = 256 << 10
)

var (
	// ErrHostKeyMismatch is wrapped (via *HostKeyError) when the node's host
	// key differs from the one recorded in known_hosts, or is revoked.
	ErrHostKeyMismatch = errors.New("ssh host key mismatch")
	// ErrHostKeyUnknown is wrapped (via *HostKeyError) when known_hosts has
	// no key for the node.
	ErrHostKeyUnknown = errors.New("ssh host key unknown")
	// ErrAuthFailed is wrapped (via *AuthError) when the node rejected every
	// credential offered.
	ErrAuthFailed = errors.New("ssh authentication failed")
)

// AuthError reports that the node rejected the client's credentials.
type AuthError struct {
	User    string
	Addr    string
	Offered []string // descriptions of the credentials offered (public key fingerprints only)
	Err     error    // the underlying ssh error
}

func (e *AuthError) Error() string {
	offered := "none"
	if len(e.Offered) > 0 {
		offered = strings.Join(e.Offered, ", ")
	}
	return fmt.Sprintf("ssh authentication as %s@%s failed: the server rejected the credentials offered (%s); "+
		"make sure the matching public key is in the node's authorized_keys for user %s (%v)",
		e.User, e.Addr, offered, e.User, e.Err)
}

func (e *AuthError) Is(target error) bool { return target == ErrAuthFailed }
func (e *AuthError) Unwrap() error        { return e.Err }

// sshFS is the node channel over SSH: files through SFTP, commands and locks
// through exec sessions.
type sshFS struct {
	root   string
	addr   string
	user   string
	sudo   bool // everything as root through sudo (SSHConfig.Sudo)
	client *ssh.Client
	sftp   *sftp.Client
	// sftpSess is the exec session running the SFTP server through sudo
	// (nil with the sftp subsystem).
	sftpSess *ssh.Session
	agent    net.Conn // may be nil
	logf     func(string, ...any)

	mu       sync.Mutex // guards isClosed and wg.Add
	isClosed bool
	wg       sync.WaitGroup // keepalive and session waiters

	closeOnce sync.Once
	closeErr  error
	done      chan struct{} // closed by Close
}

func (s *sshFS) closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isClosed
}

// DialSSH connects to a node over SSH and opens its SFTP subsystem (with
// Sudo: the SFTP server as root through sudo).
func DialSSH(ctx context.Context, cfg SSHConfig) (_ FS, err error) {
	root, err := cleanRoot(cfg.Root)
	if err != nil {
		return nil, err
	}
	if err := sshDefaults(&cfg); err != nil {
		return nil, err
	}
	logf := cfg.Logf
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))

	signers, offered, agentConn, err := sshSigners(ctx, cfg)
	// One cleanup for every failure from here on: the agent connection is
	// the sshFS's to close once DialSSH succeeds.
	defer func() {
		if err != nil && agentConn != nil {
			_ = agentConn.Close()
		}
	}()
	if err != nil {
		return nil, err
	}

	hostKeyCallback, hostKeyAlgos, err := hostKeyVerifier(cfg, addr, logf)
	if err != nil {
		return nil, err
	}
	// The callback's own error is kept so that it is returned as it is,
	// whatever the ssh package wraps it in.
	var hostKeyErr error
	config := &ssh.ClientConfig{
		User: cfg.User,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signers...)},
		HostKeyCallback: func(hostname string, remote net.Addr, key ssh.PublicKey) error {
			err := hostKeyCallback(hostname, remote, key)
			hostKeyErr = err
			return err
		},
		HostKeyAlgorithms: hostKeyAlgos,
		Timeout:           cfg.Timeout,
	}

	client, err := dialClient(ctx, addr, config, cfg.Timeout)
	if err != nil {
		if hostKeyErr != nil {
			return nil, hostKeyErr
		}
		if strings.Contains(err.Error(), "unable to authenticate") {
			return nil, &AuthError{User: cfg.User, Addr: addr, Offered: offered, Err: err}
		}
		return nil, fmt.Errorf("ssh: connect to %s@%s: %w", cfg.User, addr, err)
	}
	s := &sshFS{
		root: root, addr: addr, user: cfg.User, sudo: cfg.Sudo, client: client, agent: agentConn, logf: logf,
		done: make(chan struct{}),
	}
	if cfg.Sudo {
		s.sftp, s.sftpSess, err = sudoSFTP(ctx, client, cfg, addr)
	} else if s.sftp, err = sftp.NewClient(client); err != nil {
		err = fmt.Errorf("ssh: start SFTP subsystem on %s: %w", addr, err)
	}
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	s.wg.Add(1)
	go s.keepalive()
	via := ""
	if cfg.Sudo {
		via = ", as root through sudo"
	}
	logf("ssh: connected to %s@%s (root %s%s)", cfg.User, addr, root, via)
	return s, nil
}

// sshDefaults checks cfg and fills in its defaults (port 22, user root, the
// dial timeout, a Logf that drops messages).
func sshDefaults(cfg *SSHConfig) error {
	if cfg.Host == "" {
		return errors.New("ssh: no host given")
	}
	if cfg.Port == 0 {
		cfg.Port = 22
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return fmt.Errorf("ssh: invalid port %d", cfg.Port)
	}
	if cfg.User == "" {
		cfg.User = "root"
	}
	if cfg.SFTPServer == "" {
		cfg.SFTPServer = sudoers.SFTPServer
	}
	if cfg.Sudo && (!strings.HasPrefix(cfg.SFTPServer, "/") || strings.ContainsAny(cfg.SFTPServer, "\x00\n")) {
		return fmt.Errorf("ssh: the SFTP server %q is not an absolute path", cfg.SFTPServer)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultSSHTimeout
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return nil
}

// sshSigners gathers the credentials: the private key, then the agent's
// keys. All keys go into one "publickey" auth method: the ssh package tries
// each method name only once. offered describes them (fingerprints only).
// agentConn, when not nil, is the agent connection the signers use; the
// caller closes it (also when err is not nil).
func sshSigners(ctx context.Context, cfg SSHConfig) (signers []ssh.Signer, offered []string, agentConn net.Conn, err error) {
	if len(cfg.PrivateKey) > 0 {
		signer, err := parsePrivateKey(cfg.PrivateKey, cfg.PrivateKeyPassphrase)
		if err != nil {
			return nil, nil, nil, err
		}
		signers = append(signers, signer)
		offered = append(offered, "private key "+ssh.FingerprintSHA256(signer.PublicKey()))
	}
	if cfg.UseAgent {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, nil, nil, errors.New("ssh: agent authentication requested but SSH_AUTH_SOCK is not set")
		}
		var d net.Dialer
		agentConn, err = d.DialContext(ctx, "unix", sock)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("ssh: connect to agent at SSH_AUTH_SOCK: %w", err)
		}
		agentSigners, err := agent.NewClient(agentConn).Signers()
		if err != nil {
			return nil, nil, agentConn, fmt.Errorf("ssh: list agent keys: %w", err)
		}
		if len(agentSigners) == 0 {
			cfg.Logf("ssh: the agent at SSH_AUTH_SOCK holds no keys")
		}
		for _, s := range agentSigners {
			offered = append(offered, "agent key "+ssh.FingerprintSHA256(s.PublicKey()))
		}
		signers = append(signers, agentSigners...)
	}
	if len(signers) == 0 {
		return nil, nil, agentConn, errors.New("ssh: no credentials: set a private key or enable the SSH agent")
	}
	return signers, offered, agentConn, nil
}

// dialClient dials and performs the SSH handshake, bounded by timeout and ctx.
func dialClient(ctx context.Context, addr string, config *ssh.ClientConfig, timeout time.Duration) (*ssh.Client, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, config)
	if !stop() {
		if c != nil {
			_ = c.Close()
		}
		_ = conn.Close()
		return nil, ctx.Err()
	}
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}

func parsePrivateKey(key, passphrase []byte) (ssh.Signer, error) {
	var signer ssh.Signer
	var err error
	if len(passphrase) > 0 {
		signer, err = ssh.ParsePrivateKeyWithPassphrase(key, passphrase)
	} else {
		signer, err = ssh.ParsePrivateKey(key)
	}
	if err == nil {
		return signer, nil
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, errors.New("ssh: the private key is passphrase-protected but no passphrase was given")
	case len(passphrase) > 0 && strings.Contains(err.Error(), "password"):
		// x509 / bcrypt_pbkdf "decryption password incorrect"
		return nil, errors.New("ssh: cannot decrypt the private key: wrong passphrase")
	default:
		// Parse errors of x/crypto never quote key material.
		return nil, fmt.Errorf("ssh: cannot parse the private key: %w", err)
	}
}

// keepalive pings the server so idle connections (and the sessions holding
// remote locks) are not dropped by middleboxes, until Close.
func (s *sshFS) keepalive() {
	defer s.wg.Done()
	t := time.NewTicker(keepaliveInterval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			if _, _, err := s.client.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				s.logf("ssh: keepalive to %s failed: %v", s.addr, err)
				return
			}
		}
	}
}

func (s *sshFS) begin(ctx context.Context, p string) (nodePath, full string, err error) {
	if s.closed() {
		return "", "", ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	return resolve(s.root, p)
}

// pathErr makes sure err is an *fs.PathError naming p (errors.Is(err,
// fs.ErrNotExist) keeps working).
func pathErr(op, p string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err
	}
	return &fs.PathError{Op: op, Path: p, Err: err}
}

func (s *sshFS) ReadFile(ctx context.Context, p string) ([]byte, error) {
	_, full, err := s.begin(ctx, p)
	if err != nil {
		return nil, err
	}
	f, err := s.sftp.Open(full)
	if err != nil {
		return nil, pathErr("open", full, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	chunk := make([]byte, ioChunk)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := f.Read(chunk)
		buf.Write(chunk[:n])
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, pathErr("read", full, err)
		}
	}
}

func (s *sshFS) WriteFileAtomic(ctx context.Context, p string, data []byte, perm fs.FileMode) (err error) {
	_, full, err := s.begin(ctx, p)
	if err != nil {
		return err
	}
	if full == s.root {
		return fmt.Errorf("%w: cannot write to the root directory", ErrInvalidPath)
	}
	dir, base := path.Split(full)
	dir = path.Clean(dir)
	if err := s.mkdirAll(ctx, dir, 0o755); err != nil {
		return err
	}
	random, err := randomSuffix()
	if err != nil {
		return err
	}
	tmp := path.Join(dir, tempName(base, random))
	f, err := s.sftp.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return pathErr("create", tmp, err)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = f.Close()
			}
			_ = s.sftp.Remove(tmp)
		}
	}()
	// Restrict the mode before any data is written.
	fi, err := f.Stat()
	if err != nil {
		return pathErr("stat", tmp, err)
	}
	if fi.Mode().Perm() != perm.Perm() {
		if err = f.Chmod(perm.Perm()); err != nil {
			return pathErr("chmod", tmp, err)
		}
	}
	for off := 0; off < len(data); {
		if err = ctx.Err(); err != nil {
			return err
		}
		end := min(off+ioChunk, len(data))
		var n int
		n, err = f.Write(data[off:end])
		if err != nil {
			return pathErr("write", tmp, err)
		}
		off += n
	}
	if err = f.Sync(); err != nil {
		var se *sftp.StatusError
		if !errors.As(err, &se) || se.FxCode() != sftp.ErrSSHFxOpUnsupported {
			return pathErr("sync", tmp, err)
		}
		err = nil
	}
	closed = true
	if err = f.Close(); err != nil {
		return pathErr("close", tmp, err)
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = s.rename(tmp, full); err != nil {
		return &os.LinkError{Op: "rename", Old: tmp, New: full, Err: err}
	}
	return nil
}

// rename replaces newpath with oldpath: atomically with the
// posix-rename@openssh.com extension, or (servers without it) remove + rename.
func (s *sshFS) rename(oldpath, newpath string) error {
	if _, ok := s.sftp.HasExtension("posix-rename@openssh.com"); ok {
		err := s.sftp.PosixRename(oldpath, newpath)
		var se *sftp.StatusError
		if err == nil || !errors.As(err, &se) || se.FxCode() != sftp.ErrSSHFxOpUnsupported {
			return err
		}
	}
	s.logf("ssh: %s does not support posix-rename; replacing %s non-atomically", s.addr, newpath)
	if err := s.sftp.Remove(newpath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return s.sftp.Rename(oldpath, newpath)
}

func (s *sshFS) Remove(ctx context.Context, p string) error {
	_, full, err := s.begin(ctx, p)
	if err != nil {
		return err
	}
	if full == s.root {
		return fmt.Errorf("%w: cannot remove the root directory", ErrInvalidPath)
	}
	return pathErr("remove", full, s.sftp.Remove(full))
}

func (s *sshFS) Stat(ctx context.Context, p string) (fs.FileInfo, error) {
	_, full, err := s.begin(ctx, p)
	if err != nil {
		return nil, err
	}
	fi, err := s.sftp.Stat(full)
	if err != nil {
		return nil, pathErr("stat", full, err)
	}
	return fi, nil
}

func (s *sshFS) MkdirAll(ctx context.Context, p string, perm fs.FileMode) error {
	_, full, err := s.begin(ctx, p)
	if err != nil {
		return err
	}
	return s.mkdirAll(ctx, full, perm)
}

func (s *sshFS) Mkdir(ctx context.Context, p string, perm fs.FileMode) error {
	_, full, err := s.begin(ctx, p)
	if err != nil {
		return err
	}
	// SFTP v3 reports an existing directory as a generic failure, so a
	// failure is told apart by looking: there (fs.ErrExist), or gone again
	// (a lock holder removed it between the two calls: try again), or a
	// real error. The retries bound a pathological alternation.
	for attempt := 0; ; attempt++ {
		err := s.sftp.Mkdir(full)
		if err == nil {
			break
		}
		_, serr := s.sftp.Lstat(full)
		switch {
		case serr == nil:
			return &fs.PathError{Op: "mkdir", Path: full, Err: fs.ErrExist}
		case errors.Is(serr, fs.ErrNotExist) && attempt < 5:
			continue
		}
		return pathErr("mkdir", full, err)
	}
	// no chmod: pmxcfs (/etc/pve) refuses it, and SFTP's mkdir already
	// applies the server's default mode
	_ = perm
	return nil
}

// mkdirAll creates the remote directory dir (a real, cleaned path) and its
// missing parents with mode perm.
func (s *sshFS) mkdirAll(ctx context.Context, dir string, perm fs.FileMode) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fi, err := s.sftp.Stat(dir)
	if err == nil {
		if fi.IsDir() {
			return nil
		}
		return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("not a directory")}
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return pathErr("stat", dir, err)
	}
	if parent := path.Dir(dir); parent != dir {
		if err := s.mkdirAll(ctx, parent, perm); err != nil {
			return err
		}
	}
	if err := s.sftp.Mkdir(dir); err != nil {
		// Lost a race with another creator?
		if fi, serr := s.sftp.Stat(dir); serr == nil && fi.IsDir() {
			return nil
		}
		return pathErr("mkdir", dir, err)
	}
	return pathErr("chmod", dir, s.sftp.Chmod(dir, perm.Perm()))
}

func (s *sshFS) Lock(ctx context.Context, p string, timeout time.Duration) (func() error, error) {
	nodePath, full, err := s.begin(ctx, p)
	if err != nil {
		return nil, err
	}
	return lockRemote(ctx, s, nodePath, full, timeout)
}

func (s *sshFS) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.isClosed = true
		s.mu.Unlock()
		close(s.done)
		err1 := s.sftp.Close()
		if s.sftpSess != nil {
			_ = s.sftpSess.Close()
		}
		err2 := s.client.Close()
		if s.agent != nil {
			_ = s.agent.Close()
		}
		s.wg.Wait()
		s.closeErr = errors.Join(ignoreClosed(err1), ignoreClosed(err2))
	})
	return s.closeErr
}

// ignoreClosed drops the errors closing an already closed connection gives.
func ignoreClosed(err error) error {
	if err == nil || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
