package container

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// Node paths PVE uses (pmxcfs).
func confPath(node string, vmid int) string {
	return fmt.Sprintf("/etc/pve/nodes/%s/lxc/%d.conf", node, vmid)
}
func fwPath(vmid int) string         { return fmt.Sprintf("/etc/pve/firewall/%d.fw", vmid) }
func configLockPath(vmid int) string { return fmt.Sprintf("/run/lock/lxc/pve-config-%d.lock", vmid) }

const lockTimeout = 10 * time.Second

func sha1hex(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// errConcurrentChange is returned when the pct.conf on the node is not the
// one the API just described: some other writer is active.
var errConcurrentChange = errors.New("the container's config file changed while the provider was writing it")

// writeLXCLines replaces the managed raw lxc.* lines in the pct.conf safely:
// under PVE's config lock, only if the file is exactly what the API reports
// (digest compare-and-swap), atomically, then confirmed through the API.
// It reports whether the file changed.
func writeLXCLines(ctx context.Context, api *pve.Client, nfs nodefs.FS, node string, vmid int, lines []pctconf.Line) (bool, error) {
	unlock, err := nfs.Lock(ctx, configLockPath(vmid), lockTimeout)
	if err != nil {
		return false, fmt.Errorf("taking PVE's config lock for CT %d: %w", vmid, err)
	}
	defer func() { _ = unlock() }()

	p := confPath(node, vmid)
	raw, err := nfs.ReadFile(ctx, p)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", p, err)
	}
	cfg, err := api.CTConfig(ctx, node, vmid, false)
	if err != nil {
		return false, err
	}
	if cfg.Digest() != sha1hex(raw) {
		return false, fmt.Errorf("%w (%s: API digest %s, file sha1 %s); retry the apply", errConcurrentChange, p, cfg.Digest(), sha1hex(raw))
	}
	f := pctconf.Parse(raw)
	f.SetLXC(func(k string) bool { return hardening.ManagedLXCKeys[k] }, lines)
	out := f.Render()
	if bytes.Equal(out, raw) {
		return false, nil
	}
	if err := nfs.WriteFileAtomic(ctx, p, out, 0o640); err != nil {
		return false, fmt.Errorf("writing %s: %w", p, err)
	}
	after, err := api.CTConfig(ctx, node, vmid, false)
	if err != nil {
		return true, fmt.Errorf("confirming %s through the API: %w", p, err)
	}
	if after.Digest() != sha1hex(out) {
		return true, fmt.Errorf("confirming %s: the API reports digest %s, expected %s", p, after.Digest(), sha1hex(out))
	}
	if err := checkLXCVisible(after.LXC(), lines); err != nil {
		return true, fmt.Errorf("confirming %s: %w", p, err)
	}
	return true, nil
}

// checkLXCVisible verifies PVE accepted every managed line (PVE silently
// drops keys it does not allow).
func checkLXCVisible(got [][2]string, want []pctconf.Line) error {
	seen := map[pctconf.Line]bool{}
	for _, kv := range got {
		seen[pctconf.Line{Key: kv[0], Value: kv[1]}] = true
	}
	for _, l := range want {
		if !seen[l] {
			return fmt.Errorf("PVE does not show the line %q: %q in the config's lxc entries (it drops keys it does not accept)", l.Key, l.Value)
		}
	}
	return nil
}

// writeFirewall replaces the container's .fw file atomically when its
// content differs. It reports whether the file changed.
func writeFirewall(ctx context.Context, nfs nodefs.FS, vmid int, content []byte) (bool, error) {
	p := fwPath(vmid)
	old, err := nfs.ReadFile(ctx, p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("reading %s: %w", p, err)
	}
	if err == nil && bytes.Equal(old, content) {
		return false, nil
	}
	if len(content) == 0 {
		if err := nfs.Remove(ctx, p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return true, fmt.Errorf("removing %s: %w", p, err)
		}
		return true, nil
	}
	if err := nfs.WriteFileAtomic(ctx, p, content, 0o640); err != nil {
		return true, fmt.Errorf("writing %s: %w", p, err)
	}
	return true, nil
}
