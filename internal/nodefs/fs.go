// Package nodefs is the provider's "node channel": file access and command
// execution on one Proxmox VE node, either on the local machine (NewLocal) or
// over SSH/SFTP (DialSSH).
//
// Every path handed to an FS is an absolute node path such as
// /etc/pve/firewall/100.fw. Both implementations prefix it with a Root
// directory (default "/"), so tests and the demo can point the channel at a
// simulator's data directory. Paths are cleaned; relative paths and paths with
// ".." components are rejected with an error wrapping ErrInvalidPath.
package nodefs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
)

// FS is the node channel: file access and commands on one PVE node.
type FS interface {
	// ReadFile returns the content of path. A missing file yields an error
	// wrapping fs.ErrNotExist.
	ReadFile(ctx context.Context, path string) ([]byte, error)
	// WriteFileAtomic writes data to a temporary file in the same directory
	// and renames it over path, so readers see either the old or the new
	// content, never a partial file. Parent directories are created (0755).
	// The file gets mode perm.
	WriteFileAtomic(ctx context.Context, path string, data []byte, perm fs.FileMode) error
	// Remove removes a file (or an empty directory). A missing file yields an
	// error wrapping fs.ErrNotExist.
	Remove(ctx context.Context, path string) error
	// Stat returns information about path (following symlinks). A missing
	// file yields an error wrapping fs.ErrNotExist.
	Stat(ctx context.Context, path string) (fs.FileInfo, error)
	// MkdirAll creates path and any missing parents.
	MkdirAll(ctx context.Context, path string, perm fs.FileMode) error
	// Mkdir creates the single directory path (its parent must exist) and
	// fails with an error wrapping fs.ErrExist when path exists. It is
	// atomic on the node, which is what pmxcfs cluster locks rely on (see
	// CFSLock). Over SSH perm is not applied (the server's default mode).
	Mkdir(ctx context.Context, path string, perm fs.FileMode) error
	// Lock takes an exclusive flock on path (created if missing, as are its
	// parent directories), waiting up to timeout (PVE's default of 10s when
	// timeout <= 0), like PVE::Tools::lock_file_full. On timeout the error
	// text is "can't lock file '<path>' - got timeout" and the error wraps
	// ErrLockTimeout. The returned func releases the lock (and returns once
	// it is released); calling it more than once is harmless. Over SSH the
	// lock is held by a remote flock(1) process of an SSH session, so it is
	// also released when the connection drops or the FS is closed.
	Lock(ctx context.Context, path string, timeout time.Duration) (func() error, error)
	// Run executes argv on the node with stdin as its standard input. No
	// shell interprets the arguments locally; over SSH every argument is
	// quoted with Quote (and argv[0] must be a program, not a shell
	// builtin). Arguments may not contain NUL bytes. A non-zero exit status
	// yields a *RunError. The command leads its own process group; when
	// ctx ends the whole group is killed and Run returns ctx's error.
	// Run is not confined to Root: it runs on the node itself.
	// Over SSH with SSHConfig.Sudo the command runs as root behind
	// "sudo -n --", and a cancelled command gets SIGTERM (sudo relays it
	// to the command, not to the command's children; see sudo.go).
	Run(ctx context.Context, argv []string, stdin []byte) (stdout, stderr []byte, err error)
	// Close releases the channel's resources.
	Close() error
}

// DefaultLockTimeout is the timeout PVE::Tools::lock_file_full applies when
// none is given.
const DefaultLockTimeout = 10 * time.Second

var (
	// ErrInvalidPath is wrapped by errors about paths that are not absolute
	// or that try to leave Root.
	ErrInvalidPath = errors.New("invalid node path")
	// ErrLockTimeout is wrapped by Lock's timeout error.
	ErrLockTimeout = errors.New("got timeout")
	// ErrClosed is returned by operations on a closed FS.
	ErrClosed = errors.New("nodefs: channel closed")
)

// lockTimeoutError builds PVE's exact timeout message.
func lockTimeoutError(nodePath string) error {
	return fmt.Errorf("can't lock file '%s' - %w", nodePath, ErrLockTimeout)
}

// RunError reports a command that ran but exited unsuccessfully.
type RunError struct {
	Argv     []string
	ExitCode int    // -1 if the command was killed by a signal or its status is unknown
	Signal   string // signal name if known
	Stderr   []byte
}

func (e *RunError) Error() string {
	var b strings.Builder
	b.WriteString("command ")
	b.WriteString(truncate(quoteArgv(e.Argv), 200))
	if e.Signal != "" {
		fmt.Fprintf(&b, " killed by signal %s", e.Signal)
	} else {
		fmt.Fprintf(&b, " failed with exit status %d", e.ExitCode)
	}
	if msg := strings.TrimSpace(string(e.Stderr)); msg != "" {
		b.WriteString(": ")
		b.WriteString(truncate(msg, 2000))
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func quoteArgv(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = Quote(a)
	}
	return strings.Join(q, " ")
}

// checkArgv validates argv for Run.
func checkArgv(argv []string) error {
	if len(argv) == 0 || argv[0] == "" {
		return errors.New("nodefs: Run: empty command")
	}
	for _, a := range argv {
		if strings.IndexByte(a, 0) >= 0 {
			return errors.New("nodefs: Run: argument contains a NUL byte")
		}
	}
	return nil
}

// cleanRoot validates and cleans a Root setting ("" means "/").
// NodeRootEnv names the environment variable through which the local
// channel tells the commands it runs the node root, when it is not "/".
const NodeRootEnv = "HARDENED_NODE_ROOT"

func cleanRoot(root string) (string, error) {
	if root == "" {
		return "/", nil
	}
	if !strings.HasPrefix(root, "/") {
		return "", fmt.Errorf("%w: root %q is not absolute", ErrInvalidPath, root)
	}
	if strings.IndexByte(root, 0) >= 0 {
		return "", fmt.Errorf("%w: root contains a NUL byte", ErrInvalidPath)
	}
	return path.Clean(root), nil
}

// cleanNodePath validates a node path and returns it cleaned. It must be
// absolute and must not contain ".." components (even ones that path.Clean
// would neutralise: they are a sign of a confused or malicious caller).
func cleanNodePath(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%w: empty path", ErrInvalidPath)
	}
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("%w: %q is not absolute", ErrInvalidPath, p)
	}
	if strings.IndexByte(p, 0) >= 0 {
		return "", fmt.Errorf("%w: %q contains a NUL byte", ErrInvalidPath, p)
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == ".." {
			return "", fmt.Errorf("%w: %q contains '..'", ErrInvalidPath, p)
		}
	}
	return path.Clean(p), nil
}

// resolve maps a node path below root. It returns the cleaned node path (for
// messages) and the real path.
func resolve(root, p string) (nodePath, full string, err error) {
	nodePath, err = cleanNodePath(p)
	if err != nil {
		return "", "", err
	}
	if root == "/" {
		return nodePath, nodePath, nil
	}
	if nodePath == "/" {
		return nodePath, root, nil
	}
	return nodePath, root + nodePath, nil
}

// tempName returns the name of the temporary file used to write base
// atomically: ".<base>.tmp-<random>".
func tempName(base, random string) string {
	return "." + base + ".tmp-" + random
}
