package nodefs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// The node channel as a non-root SSH user with sudo (SSHConfig.Sudo).
//
// Files: instead of sshd's "sftp" subsystem (which runs as the login user),
// an exec session runs "sudo -n -- <SFTPServer>" and the SFTP protocol
// speaks over its standard input and output, so every file operation is
// root's. Commands: every argv is run as "sudo -n -- argv..." (each word
// quoted with Quote, as without sudo). "-n" makes sudo fail at once instead
// of waiting for a password no one can type. Locks: flock(1) runs as the
// login user on a lock file that root (SFTP) creates first, so no sudo rule
// is needed for it. Node identity and host keys are checked exactly as
// without sudo.
//
// Cancelling a command: the SSH user cannot signal root's processes. The
// command's sudo process can be signalled (its real user is the login
// user), and sudo relays SIGTERM to the command it started: so a cancelled
// command gets SIGTERM, and after killGrace the sudo process gets SIGKILL.
// Children of the command that outlive it are beyond the SSH user's reach.

// ErrSudoRefused is wrapped (via *SudoError) when sudo on the node refused
// to run a program as root for the SSH user.
var ErrSudoRefused = errors.New("sudo refused")

// SudoError reports that sudo did not run Program as root for User (no
// sudoers rule for it, a rule that wants a password, no sudo at all).
type SudoError struct {
	User    string
	Addr    string
	Program string // what was to run as root
	Detail  string // what sudo (or the shell) said
	Err     error  // the underlying error (a *RunError for commands), may be nil
}

func (e *SudoError) Error() string {
	detail := e.Detail
	if detail == "" {
		detail = "no message"
	}
	return fmt.Sprintf("sudo on %s did not run %s as root for SSH user %s (%s). With ssh.sudo = true the node's sudoers "+
		"must let %s run the provider's programs as root without a password: install the sudoers lines of the "+
		"provider's real-cluster guide (section \"SSH user and keys\") as /etc/sudoers.d/hardened-provider, "+
		"check them with `visudo -cf`, and test with `sudo -n -l %s` as %s",
		e.Addr, e.Program, e.User, truncate(detail, 500), e.User, e.Program, e.User)
}

func (e *SudoError) Is(target error) bool { return target == ErrSudoRefused }
func (e *SudoError) Unwrap() error        { return e.Err }

// sudoPrefix is what every command is run behind with SSHConfig.Sudo.
const sudoPrefix = "sudo -n -- "

// sudoSFTP starts the SFTP server as root through sudo on an exec session
// and speaks SFTP over its standard input and output. A sudo that refuses
// (or a missing server) ends the session at once: its standard error then
// says why, in a *SudoError.
func sudoSFTP(ctx context.Context, client *ssh.Client, cfg SSHConfig, addr string) (*sftp.Client, *ssh.Session, error) {
	sess, err := client.NewSession()
	if err != nil {
		return nil, nil, fmt.Errorf("ssh: open a session for the SFTP server on %s: %w", addr, err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		_ = sess.Close()
		return nil, nil, err
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		_ = sess.Close()
		return nil, nil, err
	}
	stderr := &limitedBuffer{}
	sess.Stderr = stderr
	if err := sess.Start(sudoPrefix + Quote(cfg.SFTPServer)); err != nil {
		_ = sess.Close()
		return nil, nil, fmt.Errorf("ssh: start %s%s on %s: %w", sudoPrefix, cfg.SFTPServer, addr, err)
	}
	type result struct {
		c   *sftp.Client
		err error
	}
	started := make(chan result, 1)
	go func() {
		c, err := sftp.NewClientPipe(stdout, stdin)
		started <- result{c, err}
	}()
	timer := time.NewTimer(cfg.Timeout)
	defer timer.Stop()
	var r result
	select {
	case r = <-started:
	case <-ctx.Done():
		_ = sess.Close()
		<-started
		return nil, nil, ctx.Err()
	case <-timer.C:
		_ = sess.Close()
		<-started
		return nil, nil, fmt.Errorf("ssh: %s%s on %s did not answer within %s", sudoPrefix, cfg.SFTPServer, addr, cfg.Timeout)
	}
	if r.err == nil {
		return r.c, sess, nil
	}
	// The server never spoke SFTP: wait (briefly) for its exit so that
	// sudo's complaint is in stderr.
	_ = stdin.Close()
	waited := make(chan error, 1)
	go func() { waited <- sess.Wait() }()
	var waitErr error
	select {
	case waitErr = <-waited:
	case <-time.After(killGrace):
	}
	_ = sess.Close()
	detail := strings.TrimSpace(stderr.String())
	var exitErr *ssh.ExitError
	if detail == "" && errors.As(waitErr, &exitErr) {
		detail = fmt.Sprintf("exit status %d", exitErr.ExitStatus())
	}
	if detail == "" {
		return nil, nil, fmt.Errorf("ssh: start the SFTP server %s through sudo on %s: %w", cfg.SFTPServer, addr, r.err)
	}
	return nil, nil, &SudoError{User: cfg.User, Addr: addr, Program: cfg.SFTPServer, Detail: detail, Err: r.err}
}

// sudoRefusal tells a command that sudo refused to run from one that ran
// and failed with sudo's own exit status 1: it asks sudo whether the user
// may run argv ("sudo -n -l -- argv", exit status 0 when allowed). It
// returns a *SudoError wrapping re when not, else re itself.
func (s *sshFS) sudoRefusal(ctx context.Context, argv []string, re *RunError) error {
	if re.ExitCode != 1 {
		return re
	}
	sess, err := s.newSession(ctx)
	if err != nil {
		return re
	}
	defer sess.Close()
	t := time.AfterFunc(killGrace, func() { _ = sess.Close() })
	defer t.Stop()
	err = sess.Run("sudo -n -l -- " + quoteArgv(argv) + " >/dev/null 2>&1")
	var exitErr *ssh.ExitError
	if !errors.As(err, &exitErr) {
		return re // allowed (nil), or the check itself did not complete
	}
	return &SudoError{User: s.user, Addr: s.addr, Program: argv[0], Detail: strings.TrimSpace(string(re.Stderr)), Err: re}
}
