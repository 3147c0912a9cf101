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

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
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

// writeConf makes the pct.conf's main section what the node channel owns
// for s: every raw lxc.* line (typed and raw_lxc, in order), the
// root@pam-only keys (devices, bind mounts, hookscript), and no key of the
// unmanaged class. Safely: under PVE's config lock, only if the file is
// exactly what the API reports (digest compare-and-swap), atomically, then
// confirmed through the API. It reports whether the file changed.
func writeConf(ctx context.Context, api *pve.Client, nfs nodefs.FS, s hardening.Spec) (bool, error) {
	node, vmid, lines := s.Node, s.VMID, hardening.LXCLines(s)
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
	present := f.Keys()
	f.SetKeys(func(k string) bool { return hardening.FileOwnedKey(s, k, present) }, hardening.FileKeys(s))
	f.SetLXC(hardening.OwnedLXCKey, lines)
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
	for k, v := range hardening.FileKeys(s) {
		if got, _ := after.String(k); got != v {
			return true, fmt.Errorf("confirming %s: PVE reads %s as %q, the provider wrote %q", p, k, got, v)
		}
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

// fwLockID is the pmxcfs lock PVE's firewall API takes for a guest's .fw
// (lock_vmfw_conf).
func fwLockID(vmid int) string { return fmt.Sprintf("firewall-vm-%d", vmid) }

// writeFirewall replaces the container's .fw file when its content differs:
// under PVE's firewall lock (so no API writer interleaves), in one atomic
// rename (a reader sees the old or the new rule set, never a mix; no
// rule-by-rule position bookkeeping). Empty content removes the file. It
// reports whether the file changed.
func writeFirewall(ctx context.Context, nfs nodefs.FS, vmid int, content []byte) (bool, error) {
	// an interrupted run may have left this lock behind (a VMID is reused
	// at once): wait until pmxcfs expires it rather than fail the create
	unlock, err := nodefs.CFSLock(ctx, nfs, fwLockID(vmid), nodefs.CFSLockOutlive)
	if err != nil {
		return false, fmt.Errorf("taking PVE's firewall lock for CT %d: %w", vmid, err)
	}
	defer func() { _ = unlock() }()
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

// confirmFirewall checks through the API that PVE reads the written file as
// intended: every rule in order, none rejected by PVE's verify_rule (PVE keeps
// a rejected rule in the file but ignores it when it builds the rule set).
func confirmFirewall(ctx context.Context, api *pve.Client, node string, vmid int, want firewall.Config) error {
	raw, err := api.CTFirewallRules(ctx, node, vmid)
	if err != nil {
		return fmt.Errorf("confirming %s through the API: %w", fwPath(vmid), err)
	}
	if len(raw) != len(want.Rules) {
		return fmt.Errorf("confirming %s: PVE lists %d rules, the provider wrote %d", fwPath(vmid), len(raw), len(want.Rules))
	}
	for i, r := range raw {
		if errs, ok := r["errors"].(map[string]any); ok && len(errs) > 0 {
			return fmt.Errorf("PVE rejects rule %d (%s) and would ignore it: %v", i, want.Rules[i].Line(), errs)
		}
		if got := firewall.RuleFromAPI(r); got != want.Rules[i] {
			return fmt.Errorf("confirming %s: PVE reads rule %d as %q, the provider wrote %q", fwPath(vmid), i, got.Line(), want.Rules[i].Line())
		}
	}
	return nil
}
