package nodefs

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrLocalUnsupported is NewLocal's error where the local node channel does
// not exist (LocalSupported is false).
var ErrLocalUnsupported = errors.New("local node access is not supported on Windows; use the ssh node channel")

// localFS is the node channel for the machine the provider runs on.
type localFS struct {
	root   string
	closed atomic.Bool
}

// NewLocal returns an FS for the local machine whose paths are prefixed with
// root ("" or "/" for the real root). root must be absolute; it need not
// exist yet.
//
// On Windows (LocalSupported is false) it fails with ErrLocalUnsupported.
func NewLocal(root string) (FS, error) {
	if !LocalSupported {
		return nil, ErrLocalUnsupported
	}
	r, err := cleanRoot(root)
	if err != nil {
		return nil, err
	}
	return &localFS{root: r}, nil
}

func (l *localFS) begin(ctx context.Context, p string) (nodePath, full string, err error) {
	if l.closed.Load() {
		return "", "", ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	return resolve(l.root, p)
}

func (l *localFS) ReadFile(ctx context.Context, p string) ([]byte, error) {
	_, full, err := l.begin(ctx, p)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(full)
}

func (l *localFS) WriteFileAtomic(ctx context.Context, p string, data []byte, perm fs.FileMode) (err error) {
	_, full, err := l.begin(ctx, p)
	if err != nil {
		return err
	}
	if full == l.root {
		return fmt.Errorf("%w: cannot write to the root directory", ErrInvalidPath)
	}
	dir, base := filepath.Split(full)
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // G301: node directories (/etc/apparmor.d/lxc, ...) are world-readable on PVE too
		return err
	}
	random, err := randomSuffix()
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, tempName(base, random))
	// O_EXCL: never follow or reuse something already at the temp name.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm.Perm()&0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = setModeIfNeeded(f, perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	return os.Rename(tmp, full)
}

// setModeIfNeeded sets the file's permission bits to perm unless they already
// match (pmxcfs, behind /etc/pve, refuses chmod to modes it does not support
// but reports files as 0640 / 0600, so a caller asking for the mode the
// filesystem uses anyway must not fail).
func setModeIfNeeded(f *os.File, perm fs.FileMode) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Mode().Perm() == perm.Perm() {
		return nil
	}
	return f.Chmod(perm.Perm())
}

func (l *localFS) Remove(ctx context.Context, p string) error {
	_, full, err := l.begin(ctx, p)
	if err != nil {
		return err
	}
	if full == l.root {
		return fmt.Errorf("%w: cannot remove the root directory", ErrInvalidPath)
	}
	return os.Remove(full)
}

func (l *localFS) Stat(ctx context.Context, p string) (fs.FileInfo, error) {
	_, full, err := l.begin(ctx, p)
	if err != nil {
		return nil, err
	}
	return os.Stat(full)
}

func (l *localFS) MkdirAll(ctx context.Context, p string, perm fs.FileMode) error {
	_, full, err := l.begin(ctx, p)
	if err != nil {
		return err
	}
	return os.MkdirAll(full, perm)
}

func (l *localFS) Mkdir(ctx context.Context, p string, perm fs.FileMode) error {
	_, full, err := l.begin(ctx, p)
	if err != nil {
		return err
	}
	return os.Mkdir(full, perm)
}

func (l *localFS) Lock(ctx context.Context, p string, timeout time.Duration) (func() error, error) {
	nodePath, full, err := l.begin(ctx, p)
	if err != nil {
		return nil, err
	}
	return lockLocal(ctx, nodePath, full, timeout)
}

func (l *localFS) Run(ctx context.Context, argv []string, stdin []byte) ([]byte, []byte, error) {
	if l.closed.Load() {
		return nil, nil, ErrClosed
	}
	if err := checkArgv(argv); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if l.root != "/" {
		// a node emulated under a directory (the simulator): its own
		// stand-in commands find it here (internal/pvesim/cmd/pct)
		cmd.Env = append(os.Environ(), NodeRootEnv+"="+l.root)
	}
	// Like over SSH, the command leads its own process group, and
	// cancellation kills the whole group (its children too).
	setProcessGroup(cmd)
	// If a child that left the group holds the output pipes open, do not
	// wait for it forever after the command exits or is killed.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return stdout.Bytes(), stderr.Bytes(), fmt.Errorf("command %s: %w", truncate(quoteArgv(argv), 200), ctxErr)
		}
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			re := &RunError{Argv: append([]string(nil), argv...), ExitCode: exitErr.ExitCode(), Stderr: stderr.Bytes()}
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				re.Signal = ws.Signal().String()
			}
			return stdout.Bytes(), stderr.Bytes(), re
		}
		return stdout.Bytes(), stderr.Bytes(), err
	}
	return stdout.Bytes(), stderr.Bytes(), nil
}

func (l *localFS) Close() error {
	l.closed.Store(true)
	return nil
}

func randomSuffix() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
