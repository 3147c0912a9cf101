// Package guest is the provider's channel into a container: PVE's own
// tooling on the node (`pct exec`, `pct push`, `pct pull`; pve-container
// src/PVE/CLI/pct.pm), which enters the running container's mount and user
// namespaces, so nothing is ever written into a container from the host
// side (DESIGN.md). Every command is an argv (no shell); paths inside the
// container are validated, and file content travels as a node file the
// provider writes itself under /run/hardened/guest.
package guest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
)

// Errors a caller can tell apart.
var (
	// ErrNotRunning: pct exec/push/pull work only on a running container.
	ErrNotRunning = errors.New("the container is not running (pct exec, push and pull need a running container)")
	// ErrNoCommand: the command does not exist inside the container.
	ErrNoCommand = errors.New("command not found in the container")
)

// tmpDir is where file content waits on the node for pct push/pull.
const tmpDir = "/run/hardened/guest"

// Channel reaches containers on one node.
type Channel struct{ FS nodefs.FS }

// CheckPath validates a path inside the container: absolute, clean, no
// control characters, no leading '-' in any component.
func CheckPath(p string) error {
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p || p == "/" {
		return fmt.Errorf("container path %q must be absolute and clean", p)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("container path %q contains a control character", p)
		}
	}
	for _, c := range strings.Split(p[1:], "/") {
		if strings.HasPrefix(c, "-") {
			return fmt.Errorf("container path %q has a component starting with '-'", p)
		}
	}
	return nil
}

func classify(err error, stderr []byte) error {
	if err == nil {
		return nil
	}
	msg := strings.TrimSpace(string(stderr))
	var re *nodefs.RunError
	switch {
	case strings.Contains(msg, "not running") || strings.Contains(msg, "running CT") || strings.Contains(msg, "running VM"):
		return fmt.Errorf("%w: %s", ErrNotRunning, msg)
	case errors.As(err, &re) && re.ExitCode == 127:
		return fmt.Errorf("%w: %s", ErrNoCommand, msg)
	case msg != "":
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

// Exec runs argv inside container vmid (`pct exec <vmid> --keep-env 0 --
// argv...`) and returns its standard output. PVE's pct exec still passes
// the caller's whole environment into the container by default
// (lxc-attach --keep-env; pct.pm: "potentially leaks hosts secrets"):
// with Terraform on the node that is the provider's environment, API
// token and passwords included, readable by the container's root in
// /proc/<pid>/environ. --keep-env 0 runs the command with a clean one
// (lxc-attach --clear-env, LXC's default PATH).
func (c Channel) Exec(ctx context.Context, vmid int, argv ...string) ([]byte, error) {
	if len(argv) == 0 {
		return nil, errors.New("no command")
	}
	full := append([]string{"pct", "exec", strconv.Itoa(vmid), "--keep-env", "0", "--"}, argv...)
	out, stderr, err := c.FS.Run(ctx, full, nil)
	return out, classify(err, stderr)
}

func tmpName(vmid int) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%d-%s", tmpDir, vmid, hex.EncodeToString(b)), nil
}

// Push writes data to dest inside container vmid, owned by root with
// perms (`pct push <vmid> <node file> <dest> --perms --user 0 --group 0`).
func (c Channel) Push(ctx context.Context, vmid int, dest string, data []byte, perms uint32) error {
	if err := CheckPath(dest); err != nil {
		return err
	}
	tmp, err := tmpName(vmid)
	if err != nil {
		return err
	}
	if err := c.FS.MkdirAll(ctx, tmpDir, 0o700); err != nil {
		return err
	}
	if err := c.FS.WriteFileAtomic(ctx, tmp, data, 0o600); err != nil {
		return err
	}
	defer func() { _ = c.FS.Remove(context.WithoutCancel(ctx), tmp) }()
	argv := []string{"pct", "push", strconv.Itoa(vmid), tmp, dest, "--perms", fmt.Sprintf("0%o", perms), "--user", "0", "--group", "0"}
	_, stderr, err := c.FS.Run(ctx, argv, nil)
	return classify(err, stderr)
}

// Pull reads src from inside container vmid (`pct pull`); missing is true
// when the file does not exist there.
func (c Channel) Pull(ctx context.Context, vmid int, src string) (data []byte, missing bool, err error) {
	if err := CheckPath(src); err != nil {
		return nil, false, err
	}
	tmp, err := tmpName(vmid)
	if err != nil {
		return nil, false, err
	}
	if err := c.FS.MkdirAll(ctx, tmpDir, 0o700); err != nil {
		return nil, false, err
	}
	defer func() { _ = c.FS.Remove(context.WithoutCancel(ctx), tmp) }()
	_, stderr, err := c.FS.Run(ctx, []string{"pct", "pull", strconv.Itoa(vmid), src, tmp}, nil)
	if err != nil {
		if bytes.Contains(stderr, []byte("No such file or directory")) {
			return nil, true, nil
		}
		return nil, false, classify(err, stderr)
	}
	data, err = c.FS.ReadFile(ctx, tmp)
	return data, false, err
}
