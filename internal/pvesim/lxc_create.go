package pvesim

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/pctemu"
)

// createOnlyParams are create_vm parameters that are not config keys.
var createOnlyParams = map[string]bool{
	"node": true, "vmid": true, "ostemplate": true, "storage": true, "password": true, "ssh-public-keys": true,
	"start": true, "ha-managed": true, "force": true, "restore": true, "unique": true,
	"ignore-unpack-errors": true, "bwlimit": true, "pool": true, "unprivileged": true,
}

var reSSHKeyLine = regexp.MustCompile(`^(?:[a-z0-9@.,="_ -]+\s+)?(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)` +
	`|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)\s+[A-Za-z0-9+/]+={0,3}(\s.*)?$`)

// validateSSHKeys approximates PVE's `ssh-keygen -l` check of every non-blank line.
func validateSSHKeys(raw string) error {
	for _, line := range strings.Split(raw, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !reSSHKeyLine.MatchString(strings.TrimSpace(line)) {
			return dief("SSH public key validation error")
		}
	}
	return nil
}

// handleCreate is POST /nodes/{node}/lxc (create_vm) for templates (no restore).
func (s *Sim) handleCreate(rc *reqCtx) (any, error) {
	node, vmid := rc.str("node"), vmidParam(rc)
	if rc.flag("restore") {
		return nil, &apiError{status: 501, msg: "restore is not implemented by the simulator\n"}
	}
	unprivileged := true
	if rc.has("unprivileged") {
		unprivileged = rc.flag("unprivileged")
	}
	if !unprivileged {
		if err := rc.check("/", "Sys.Modify"); err != nil {
			return nil, err
		}
	}
	if rc.flag("ha-managed") {
		if err := rc.check("/", "Sys.Console"); err != nil {
			return nil, err
		}
	}
	if err := s.checkVMIDUnused(vmid); err != nil {
		return nil, err
	}
	if rc.has("ssh-public-keys") {
		if err := validateSSHKeys(rc.str("ssh-public-keys")); err != nil {
			return nil, err
		}
	}
	if pool := rc.str("pool"); pool != "" {
		return nil, dief("pool '%s' does not exist", pool)
	}
	if err := checkCreatePerm(rc, vmid, unprivileged); err != nil {
		return nil, err
	}
	ostemplate := rc.str("ostemplate")
	if ostemplate == "-" {
		return nil, dief("pipe requires cli environment")
	}
	storage := rc.str("storage")
	if storage == "" {
		storage = "local"
	}
	params := map[string]string{}
	for k, v := range rc.params {
		if !createOnlyParams[k] {
			params[k] = v
		}
	}
	if v, ok := params["cpuunits"]; ok {
		params["cpuunits"] = strconv.Itoa(clampCPUShares(atoiDefault(v, 100)))
	}
	// mount points: bare sizes get the default storage; each storage must hold containers.
	mpParams := map[string]string{}
	for k, v := range params {
		if k != "rootfs" && !reMPKey.MatchString(k) {
			continue
		}
		if regexp.MustCompile(`^\d+(\.\d+)?$`).MatchString(v) {
			v = storage + ":" + v
		}
		mpParams[k] = v
		delete(params, k)
	}
	if len(mpParams) > 0 && mpParams["rootfs"] == "" {
		return nil, dief("mount points configured, but 'rootfs' not set - aborting")
	}
	checkStorage := func(sid string) error {
		sd := findStorage(sid)
		if sd == nil {
			return dief("storage '%s' does not exist", sid)
		}
		if !sd.has("rootdir") {
			return paramErr(map[string]string{"storage": fmt.Sprintf("storage '%s' does not support container directories", sid)})
		}
		return nil
	}
	for _, k := range sortedKeys(mpParams) {
		kv, err := apischema.ParsePropertyString(propDict(k), mpParams[k])
		if err != nil {
			return nil, paramErr(map[string]string{k: err.Error()})
		}
		vol := kv["volume"]
		if strings.HasPrefix(vol, "/") {
			if !rc.isRoot() {
				return nil, dief("Only root can pass arbitrary filesystem paths.")
			}
			continue
		}
		if m := reNewDisk.FindStringSubmatch(vol); m != nil {
			if err := checkStorage(m[1]); err != nil {
				return nil, err
			}
		}
	}
	if mpParams["rootfs"] == "" {
		if err := checkStorage(storage); err != nil {
			return nil, err
		}
		mpParams["rootfs"] = storage + ":4"
	}
	if _, _, err := s.readTemplateVolid(ostemplate); err != nil {
		return nil, err
	}

	conf := &ctconf.Config{VMID: vmid, Main: ctconf.NewSection(), Snapshots: map[string]*ctconf.Section{}}
	if errs, err := s.updateConfig(conf, false, params, nil, nil); err != nil {
		return nil, err
	} else if len(errs) > 0 {
		return nil, paramErr(errs)
	}
	if unprivileged {
		conf.Main.Keys["unprivileged"] = "1"
	}

	// create_and_lock_config: claim the VMID atomically under the config lock.
	claim := func() error {
		if err := s.checkVMIDUnused(vmid); err != nil {
			return err
		}
		lockOnly := &ctconf.Config{VMID: vmid, Main: ctconf.NewSection()}
		lockOnly.Main.Keys["lock"] = "create"
		return s.writeConf(node, vmid, lockOnly)
	}
	if err := s.withVMListLock(func() error { return s.withConfigLock(vmid, 5*time.Second, claim) }); err != nil {
		return nil, dief("unable to create CT %d - %s", vmid, asAPIError(err).Error())
	}

	start := rc.flag("start")
	destroy := func() {
		_ = removeFile(s.confPath(node, vmid))
		_ = removeFile(s.fwPath(vmid))
		_ = os.RemoveAll(pctemu.Rootfs(s.dataDir, vmid))
	}
	upid := s.startTask(node, "vzcreate", strconv.Itoa(vmid), rc.user, s.timing.Create, func(t *task) error {
		err := s.withConfigLock(vmid, 10*time.Second, func() error {
			// create_disks allocates in foreach_volume order: rootfs, then mp0, mp1, ...
			taken := map[string]bool{}
			keys := sortedKeys(mpParams)
			sort.SliceStable(keys, func(i, j int) bool { return keys[i] == "rootfs" && keys[j] != "rootfs" })
			for _, k := range keys {
				v, err := s.allocVolume(vmid, k, mpParams[k], taken)
				if err != nil {
					return err
				}
				conf.Main.Keys[k] = v
			}
			t.logf("extracting archive '/var/lib/vz/template/cache/%s'", strings.TrimPrefix(ostemplate, "local:vztmpl/"))
			ostype, arch, err := s.readTemplateVolid(ostemplate)
			if err != nil {
				return err
			}
			if err := pctemu.Extract(s.dataDir, vmid, ostype); err != nil {
				return err
			}
			t.logf("Total bytes read: 524288000 (500MiB, 110MiB/s)")
			t.logf("Detected container architecture: %s", arch)
			if _, ok := conf.Main.Keys["arch"]; !ok {
				conf.Main.Keys["arch"] = arch
			}
			if _, ok := conf.Main.Keys["ostype"]; !ok {
				conf.Main.Keys["ostype"] = ostype
			}
			t.logf("Creating SSH host key 'ssh_host_ed25519_key' - this may take some time ...")
			if conf.Main.Keys["hostname"] == "" {
				conf.Main.Keys["hostname"] = fmt.Sprintf("CT%d", vmid)
			}
			if atoiDefault(conf.Main.Keys["memory"], 0) == 0 {
				conf.Main.Keys["memory"] = "512"
			}
			if _, ok := conf.Main.Keys["swap"]; !ok {
				conf.Main.Keys["swap"] = "512"
			}
			return s.writeConf(node, vmid, conf)
		})
		if err != nil {
			destroy()
			return fmt.Errorf("unable to create CT %d - %s", vmid, strings.TrimSuffix(err.Error(), "\n"))
		}
		if start {
			return s.doStart(t, node, vmid, false)
		}
		return nil
	}, destroy)
	return upid, nil
}

func (s *Sim) readTemplateVolid(v string) (string, string, error) {
	ostype, arch, err := s.readTemplate(v)
	if err != nil {
		return "", "", dief("%s", err.Error())
	}
	return ostype, arch, nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// withVMListLock serialises VMID claims inside this process (pmxcfs makes the
// .vmlist update atomic cluster-wide; a per-VMID flock alone does not cover
// the "exists on any node" check).
func (s *Sim) withVMListLock(fn func() error) error {
	s.claimMu.Lock()
	defer s.claimMu.Unlock()
	return fn()
}

// handleDestroy is DELETE /nodes/{node}/lxc/{vmid} (destroy_vm).
func (s *Sim) handleDestroy(rc *reqCtx) (any, error) {
	node, vmid := rc.str("node"), vmidParam(rc)
	early := func(c *ctconf.Config) error {
		if c.Main.Keys["protection"] == "1" {
			return dief("can't remove CT %d - protection mode enabled", vmid)
		}
		if l := c.Main.Keys["lock"]; l != "" {
			return dief("CT is locked (%s)", l)
		}
		return nil
	}
	c, err := s.loadConf(node, vmid)
	if err != nil {
		return nil, err
	}
	if err := early(c); err != nil {
		return nil, err
	}
	force := rc.flag("force")
	if _, running := s.isRunning(vmid); running && !force {
		return nil, dief("unable to destroy CT %d - container is running", vmid)
	}
	purge := rc.flag("purge")
	return s.startTask(node, "vzdestroy", strconv.Itoa(vmid), rc.user, s.timing.Destroy, func(t *task) error {
		return s.withConfigLock(vmid, 10*time.Second, func() error {
			c, err := s.loadConf(node, vmid)
			if err != nil {
				return err
			}
			if err := early(c); err != nil {
				return err
			}
			if _, running := s.isRunning(vmid); running {
				if !force {
					return fmt.Errorf("unable to destroy CT %d - container is running", vmid)
				}
				t.warn("forced to stop CT %d before destroying!", vmid)
				_ = s.backend.Stop(context.Background(), node, vmid, true)
				s.setRunning(vmid, nil)
			}
			c.Main.Keys["lock"] = "destroyed"
			if err := s.writeConf(node, vmid, c); err != nil {
				return err
			}
			if err := removeFile(s.fwPath(vmid)); err != nil {
				return err
			}
			if err := os.RemoveAll(pctemu.Rootfs(s.dataDir, vmid)); err != nil {
				return err
			}
			if purge {
				t.logf("purging CT %d from related configurations..", vmid)
			}
			if err := os.Remove(s.confPath(node, vmid)); err != nil {
				return fmt.Errorf("failed to remove config file: %w", err)
			}
			return nil
		})
	}, nil), nil
}
