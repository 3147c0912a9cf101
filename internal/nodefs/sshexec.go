package nodefs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Remote commands and their cancellation.
//
// OpenSSH's sshd ignores "signal" channel requests for root logins (they
// need post-authentication privilege separation, which root sessions do not
// use), and while a command runs, closing its channel neither kills it nor
// lets the session end. So every remote command is started as
//
//	echo nodefs-pid:$$; exec COMMAND
//
// sshd makes the login shell a session and process group leader, and exec
// keeps its PID, so the first stdout line names the process group of the
// command and all its children. To cancel, the client sends the signal
// request (honoured for non-root users) and kills that process group from a
// second session ("kill -s KILL -- -PGID").
//
// Waiting for a session happens in goroutines tracked by the FS: a caller
// whose context ends gets control back within killGrace even if the remote
// side does not cooperate, and such a goroutine ends when the remote command
// does or, at the latest, when the FS is closed.

const (
	pidMarker = "nodefs-pid:"
	// killGrace is how long a killed command may take to die before its
	// session is abandoned.
	killGrace = 5 * time.Second
	// sessionRetryMax bounds how long opening a session is retried while
	// the server refuses it for lack of sessions (sshd's MaxSessions).
	sessionRetryMax = 30 * time.Second
)

// remoteCommandLine returns the shell command line that reports the PID and
// then execs cmd (already quoted).
func remoteCommandLine(cmd string) string {
	return "echo " + pidMarker + "$$; exec " + cmd
}

// goTracked runs f in a goroutine that Close waits for. It returns false
// (and does not run f) once the FS is closed.
func (s *sshFS) goTracked(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isClosed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// newSession opens a session channel, retrying while the server refuses it
// for lack of sessions (sshd's MaxSessions, 10 by default), until ctx ends.
func (s *sshFS) newSession(ctx context.Context) (*ssh.Session, error) {
	deadline := time.Now().Add(sessionRetryMax)
	delay := 20 * time.Millisecond
	for {
		sess, err := s.client.NewSession()
		if err == nil {
			return sess, nil
		}
		// sshd refuses a session beyond MaxSessions with the generic
		// "connect failed: open failed"; for a session channel every
		// rejection but an unknown channel type is taken as temporary.
		var oce *ssh.OpenChannelError
		if !errors.As(err, &oce) || oce.Reason == ssh.UnknownChannelType || time.Now().After(deadline) {
			if oce != nil {
				return nil, fmt.Errorf("ssh: open session on %s: %w (too many concurrent sessions? see sshd's MaxSessions)", s.addr, err)
			}
			return nil, fmt.Errorf("ssh: open session on %s: %w", s.addr, err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
}

// remoteProc is one remote command and its process group.
type remoteProc struct {
	s      *sshFS
	sess   *ssh.Session
	result chan error    // the session's exit, once waitAsync ran
	done   chan struct{} // closed after result was sent

	// viaSudo: the command runs as root under a sudo process of the login
	// user, who can signal sudo but not the command: it is stopped with
	// SIGTERM, which sudo relays to the command, and only after killGrace
	// with SIGKILL (which would leave the command running without sudo).
	viaSudo bool

	mu         sync.Mutex
	pid        int
	killWanted bool
	killed     map[string]bool // signals sent to the process group
}

func newRemoteProc(s *sshFS, sess *ssh.Session, viaSudo bool) *remoteProc {
	return &remoteProc{s: s, sess: sess, viaSudo: viaSudo, result: make(chan error, 1), done: make(chan struct{}), killed: map[string]bool{}}
}

// firstSignal is the signal a kill starts with.
func (r *remoteProc) firstSignal() ssh.Signal {
	if r.viaSudo {
		return ssh.SIGTERM
	}
	return ssh.SIGKILL
}

func (r *remoteProc) setPID(pid int) {
	r.mu.Lock()
	r.pid = pid
	want := r.killWanted
	r.mu.Unlock()
	if want {
		r.killGroup(r.firstSignal())
	}
}

// kill asks for the command to be killed now, or as soon as its PID is
// known. It does not block.
func (r *remoteProc) kill() {
	_ = r.sess.Signal(r.firstSignal())
	r.mu.Lock()
	r.killWanted = true
	r.mu.Unlock()
	r.killGroup(r.firstSignal())
}

// killGroup signals the process group through a second session, once per
// signal, in a tracked goroutine.
func (r *remoteProc) killGroup(sig ssh.Signal) {
	r.mu.Lock()
	pid := r.pid
	if pid <= 1 || r.killed[string(sig)] {
		r.mu.Unlock()
		return
	}
	r.killed[string(sig)] = true
	r.mu.Unlock()
	r.s.goTracked(func() {
		ctx, cancel := context.WithTimeout(context.Background(), killGrace)
		defer cancel()
		sess, err := r.s.newSession(ctx)
		if err != nil {
			r.s.logf("ssh: cannot open a session to kill remote process group %d on %s: %v", pid, r.s.addr, err)
			return
		}
		defer sess.Close()
		t := time.AfterFunc(killGrace, func() { _ = sess.Close() })
		defer t.Stop()
		// The group may be gone already: the status does not matter.
		_ = sess.Run("kill -s " + string(sig) + " -- -" + strconv.Itoa(pid) + " 2>/dev/null")
	})
}

// waitAsync starts waiting for the session's command in a tracked goroutine;
// its result arrives on r.result.
func (r *remoteProc) waitAsync() {
	if !r.s.goTracked(func() {
		r.result <- r.sess.Wait()
		close(r.done)
	}) {
		_ = r.sess.Close()
		r.result <- ErrClosed
		close(r.done)
	}
}

var errRemoteTimeout = errors.New("remote command did not finish in time")

// await waits for the command's end (after waitAsync): until ctx ends or,
// if limit > 0, limit passes; then it kills the command (see abort).
func (r *remoteProc) await(ctx context.Context, limit time.Duration) error {
	var timeout <-chan time.Time
	if limit > 0 {
		t := time.NewTimer(limit)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case err := <-r.result:
		return err
	case <-ctx.Done():
		r.abort(r.done)
		return ctx.Err()
	case <-timeout:
		r.abort(r.done)
		return errRemoteTimeout
	}
}

// abort kills the command, waits up to killGrace for ended to be closed,
// and closes the session.
func (r *remoteProc) abort(ended <-chan struct{}) {
	r.kill()
	t := time.NewTimer(killGrace)
	defer t.Stop()
	select {
	case <-ended:
	case <-t.C:
		if r.viaSudo {
			// sudo relayed SIGTERM and the command did not end: stop sudo
			// itself (the root command may outlive it)
			_ = r.sess.Signal(ssh.SIGKILL)
			r.killGroup(ssh.SIGKILL)
		}
		r.s.logf("ssh: remote command on %s did not end within %v of being killed; abandoning its session", r.s.addr, killGrace)
	}
	_ = r.sess.Close()
}

// pidSniffer is the stdout writer of a remote command: it takes the PID line
// off the front of the stream and passes the rest to dst.
type pidSniffer struct {
	proc *remoteProc
	dst  io.Writer

	mu   sync.Mutex
	done bool
	head []byte
}

func (p *pidSniffer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return writeAll(p.dst, b, len(b))
	}
	p.head = append(p.head, b...)
	i := bytes.IndexByte(p.head, '\n')
	if i < 0 && len(p.head) < 64 {
		return len(b), nil
	}
	p.done = true
	head := p.head
	p.head = nil
	if pid, ok := parsePIDLine(head, i); ok {
		p.proc.setPID(pid)
		return writeAll(p.dst, head[i+1:], len(b))
	}
	// Not our line (a chatty login shell?): pass everything on.
	return writeAll(p.dst, head, len(b))
}

// flush passes on a partial first line that never got its newline.
func (p *pidSniffer) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done && len(p.head) > 0 {
		_, _ = p.dst.Write(p.head)
	}
	p.done = true
	p.head = nil
}

func writeAll(w io.Writer, b []byte, n int) (int, error) {
	if len(b) > 0 {
		if _, err := w.Write(b); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// parsePIDLine parses "nodefs-pid:N" in head[:nl].
func parsePIDLine(head []byte, nl int) (int, bool) {
	if nl < 0 || nl > len(head) {
		return 0, false
	}
	line, ok := bytes.CutPrefix(head[:nl], []byte(pidMarker))
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(string(line))
	if err != nil || pid <= 1 {
		return 0, false
	}
	return pid, true
}

// Run executes argv on the node; see FS.Run.
func (s *sshFS) Run(ctx context.Context, argv []string, stdin []byte) ([]byte, []byte, error) {
	if s.closed() {
		return nil, nil, ErrClosed
	}
	if err := checkArgv(argv); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	sess, err := s.newSession(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer sess.Close()
	proc := newRemoteProc(s, sess, s.sudo)
	var stdout, stderr bytes.Buffer
	sniffer := &pidSniffer{proc: proc, dst: &stdout}
	sess.Stdin = bytes.NewReader(stdin)
	sess.Stdout = sniffer
	sess.Stderr = &stderr
	cmd := quoteArgv(argv)
	if s.sudo {
		cmd = sudoPrefix + cmd
	}
	if err := sess.Start(remoteCommandLine(cmd)); err != nil {
		return nil, nil, fmt.Errorf("command %s on %s: %w", truncate(quoteArgv(argv), 200), s.addr, err)
	}
	proc.waitAsync()
	err = proc.await(ctx, 0)
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		// The output buffers may still be written to: do not return them.
		return nil, nil, fmt.Errorf("command %s: %w", truncate(quoteArgv(argv), 200), ctxErr)
	}
	sniffer.flush()
	if err != nil {
		var exitErr *ssh.ExitError
		if errors.As(err, &exitErr) {
			re := &RunError{Argv: append([]string(nil), argv...), ExitCode: exitErr.ExitStatus(), Stderr: stderr.Bytes()}
			if exitErr.Signal() != "" {
				re.ExitCode = -1
				re.Signal = exitErr.Signal()
			}
			if s.sudo {
				return stdout.Bytes(), stderr.Bytes(), s.sudoRefusal(ctx, argv, re)
			}
			return stdout.Bytes(), stderr.Bytes(), re
		}
		return stdout.Bytes(), stderr.Bytes(), fmt.Errorf("command %s on %s: %w", truncate(quoteArgv(argv), 200), s.addr, err)
	}
	return stdout.Bytes(), stderr.Bytes(), nil
}
