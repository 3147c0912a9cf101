package nodefs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Locking follows PVE::Tools::lock_file_full: open the file for appending
// (creating it), then flock(LOCK_EX) with a timeout; on timeout the error is
// "can't lock file '<path>' - got timeout". Each Lock call opens its own file
// description, so two Locks on the same file exclude each other even inside
// one process, and they exclude PVE's own (and the simulator's) locks too.

// lockPollMax bounds the polling interval of local locks.
const lockPollMax = 25 * time.Millisecond

func effectiveLockTimeout(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return DefaultLockTimeout
	}
	return timeout
}

// lockLocal locks full (whose node path is nodePath) on this machine.
func lockLocal(ctx context.Context, nodePath, full string, timeout time.Duration) (func() error, error) {
	timeout = effectiveLockTimeout(timeout)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil { //nolint:gosec // G301: /run/lock/lxc is 0755 on PVE
		return nil, fmt.Errorf("can't lock file '%s' - can't open file - %w", nodePath, err)
	}
	// G302: 0644 is the mode PVE::Tools::lock_file_full creates lock files with; they hold no data
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644) //nolint:gosec // G302, see above
	if err != nil {
		return nil, fmt.Errorf("can't lock file '%s' - can't open file - %w", nodePath, err)
	}
	deadline := time.Now().Add(timeout)
	delay := time.Millisecond
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		locked, err := tryLockFile(f)
		if locked {
			break
		}
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("can't lock file '%s' - can't acquire lock '%s' - %w", nodePath, nodePath, err)
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			_ = f.Close()
			return nil, lockTimeoutError(nodePath)
		}
		timer.Reset(min(delay, remaining))
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("can't lock file '%s' - %w", nodePath, ctx.Err())
		case <-timer.C:
		}
		delay = min(delay*2, lockPollMax)
	}
	var once sync.Once
	var relErr error
	return func() error {
		once.Do(func() {
			relErr = unlockFile(f)
			if err := f.Close(); relErr == nil {
				relErr = err
			}
			if relErr != nil {
				relErr = fmt.Errorf("unlock '%s': %w", nodePath, relErr)
			}
		})
		return relErr
	}, nil
}

// remoteLockConflictCode is the exit status flock(1) is told to use when the
// lock could not be taken within the timeout (-E), so a timeout is told
// apart from other failures.
const remoteLockConflictCode = 99

// remoteLockCommand is the command that holds the lock on the node: flock
// takes it, then runs a shell that reports "locked" and waits for its stdin
// to close. flock(1) keeps the lock until that shell exits.
func remoteLockCommand(full string, timeout time.Duration) string {
	secs := strconv.FormatFloat(max(timeout.Seconds(), 0.001), 'f', 3, 64)
	return "flock -x -E " + strconv.Itoa(remoteLockConflictCode) + " -w " + secs + " " + Quote(full) +
		" sh -c 'echo locked; exec cat >/dev/null'"
}

// lockRemote takes the lock through a remote flock process. The lock lives
// as long as that process: the release func closes its stdin (so the remote
// cat, shell and flock exit), and so does the SSH connection dropping.
func lockRemote(ctx context.Context, s *sshFS, nodePath, full string, timeout time.Duration) (func() error, error) {
	timeout = effectiveLockTimeout(timeout)
	fail := func(err error) error { return fmt.Errorf("can't lock file '%s' - %w", nodePath, err) }
	if dir := path.Dir(full); dir != "/" {
		if err := s.mkdirAll(ctx, dir, 0o755); err != nil {
			return nil, fail(fmt.Errorf("can't create directory: %w", err))
		}
	}
	if s.sudo {
		// flock runs as the login user, who can open (read-only) but not
		// create a file in root's lock directory: root creates it first
		if err := s.touch(full); err != nil {
			return nil, fail(fmt.Errorf("can't create the lock file: %w", err))
		}
	}
	sess, err := s.newSession(ctx)
	if err != nil {
		return nil, fail(err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		_ = sess.Close()
		return nil, fail(err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		_ = sess.Close()
		return nil, fail(err)
	}
	stderr := &limitedBuffer{}
	sess.Stderr = stderr
	if err := sess.Start(remoteCommandLine(remoteLockCommand(full, timeout))); err != nil {
		_ = sess.Close()
		return nil, fail(fmt.Errorf("start flock: %w", err))
	}
	proc := newRemoteProc(s, sess, false)

	// Read "nodefs-pid:N" and then "locked" (or EOF when flock gives up)
	// in a tracked goroutine, so that ctx can interrupt the wait.
	type answer struct {
		line string
		err  error
	}
	answered := make(chan answer, 1)
	readerDone := make(chan struct{})
	reader := func() {
		defer close(readerDone)
		r := bufio.NewReader(stdout)
		line, err := r.ReadString('\n')
		if pid, ok := parsePIDLine([]byte(line), len(line)-1); ok {
			proc.setPID(pid)
			line, err = r.ReadString('\n')
		}
		answered <- answer{line, err}
	}
	if !s.goTracked(reader) {
		_ = sess.Close()
		return nil, ErrClosed
	}
	// A remote side that never answers must not hang us.
	guard := time.NewTimer(timeout + 30*time.Second)
	defer guard.Stop()
	var ans answer
	select {
	case ans = <-answered:
	case <-ctx.Done():
		proc.abort(readerDone)
		return nil, fail(ctx.Err())
	case <-guard.C:
		proc.abort(readerDone)
		return nil, fail(errors.New("remote flock did not answer"))
	}
	if ans.err == nil && ans.line == "locked\n" {
		var once sync.Once
		var relErr error
		release := func() error {
			once.Do(func() {
				relErr = releaseRemote(proc, stdin)
				if relErr != nil {
					relErr = fmt.Errorf("unlock '%s': %w", nodePath, relErr)
				}
			})
			return relErr
		}
		return release, nil
	}
	// flock exited without taking the lock.
	_ = stdin.Close()
	proc.waitAsync()
	waitErr := proc.await(context.Background(), killGrace)
	_ = sess.Close()
	var exitErr *ssh.ExitError
	if errors.As(waitErr, &exitErr) && exitErr.ExitStatus() == remoteLockConflictCode {
		return nil, lockTimeoutError(nodePath)
	}
	msg := strings.TrimSpace(stderr.String())
	switch {
	case msg != "":
		return nil, fail(errors.New(msg))
	case waitErr != nil:
		return nil, fail(waitErr)
	case ans.err != nil:
		return nil, fail(fmt.Errorf("remote flock: %w", ans.err))
	default:
		return nil, fail(fmt.Errorf("remote flock: unexpected output %q", truncate(ans.line, 100)))
	}
}

// releaseRemote closes the lock holder's stdin and waits for it to exit,
// which is when the lock is released; a holder that does not exit in time is
// killed.
func releaseRemote(proc *remoteProc, stdin io.WriteCloser) error {
	cerr := stdin.Close()
	proc.waitAsync()
	werr := proc.await(context.Background(), killGrace)
	_ = proc.sess.Close()
	if werr != nil {
		return werr
	}
	return cerr
}

// touch creates the file full (mode 0644 with the usual umask) unless it
// exists, without changing it, as lock_file_full's open for appending does.
func (s *sshFS) touch(full string) error {
	f, err := s.sftp.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_APPEND)
	if err != nil {
		return pathErr("open", full, err)
	}
	return f.Close()
}

// limitedBuffer is an io.Writer keeping the first 64 KiB written to it; it is
// safe for concurrent use.
type limitedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const limitedBufferMax = 64 << 10

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := limitedBufferMax - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
