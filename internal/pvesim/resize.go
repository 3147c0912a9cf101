package pvesim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
)

// reResizeSize is the resize call's size: an optional "+" (grow by), a
// number and an optional K/M/G/T unit (binary).
var reResizeSize = regexp.MustCompile(`^(\+)?(\d+(?:\.\d+)?)([KMGT])?$`)

// handleResize is PUT /nodes/{node}/lxc/{vmid}/resize (resize_vm): the
// checks run once before the worker forks (errors are synchronous), then
// again in the "resize" task under the config lock, which writes the new
// size into the mount point. Shrinking is refused ("unable to shrink disk
// size"), as is a resize to the current size.
func (s *Sim) handleResize(rc *reqCtx) (any, error) {
	node, vmid := rc.str("node"), vmidParam(rc)
	disk, sizeStr := rc.str("disk"), rc.str("size")
	m := reResizeSize.FindStringSubmatch(sizeStr)
	if m == nil {
		return nil, dief("invalid size string")
	}
	request := parseSize(m[2] + m[3])
	grow := m[1] == "+"
	loadAndCheck := func() (string, error) {
		c, err := s.loadConf(node, vmid)
		if err != nil {
			return "", err
		}
		if lock := c.Main.Keys["lock"]; lock != "" {
			return "", dief("CT is locked (%s)", lock)
		}
		// check_ct_modify_config_perm sees the remaining parameter "disk":
		// an option that is not a mount point, so VM.Config.Options
		if err := checkModifyPerm(rc, vmid, c.Main, map[string]string{"disk": disk}, nil, c.Main.Keys["unprivileged"] == "1"); err != nil {
			return "", err
		}
		if d := rc.str("digest"); d != "" && d != c.Digest {
			return "", dief("detected modified configuration - file changed by other user? Try again.")
		}
		cur := c.Main.Keys[disk]
		kv, err := apischema.ParsePropertyString(propDict(disk), cur)
		if err != nil || kv["volume"] == "" {
			return "", dief("unable to parse volume ID '%s'", kv["volume"])
		}
		vol := kv["volume"]
		sid, name, ok := strings.Cut(vol, ":")
		if !ok || strings.HasPrefix(vol, "/") {
			return "", dief("unable to parse volume ID '%s'", vol)
		}
		if o := reVolOwner.FindStringSubmatch(name); o != nil && o[1] != strconv.Itoa(vmid) {
			return "", dief("can't resize mount point owned by another container (%s)", o[1])
		}
		if err := rc.check("/storage/"+sid, "Datastore.AllocateSpace"); err != nil {
			return "", err
		}
		size := volumeSize(cur)
		newSize := request
		if grow {
			newSize = size + request
		}
		if newSize < size {
			return "", dief("unable to shrink disk size")
		}
		if newSize == size {
			return "", dief("disk is already at specified size")
		}
		kv["size"] = formatSize(newSize)
		return apischema.PrintPropertyString(propDict(disk), kv), nil
	}
	if _, err := loadAndCheck(); err != nil {
		return nil, err
	}
	return s.startTask(node, "resize", strconv.Itoa(vmid), rc.user, s.timing.Stop, func(t *task) error { // a thin volume grows about as fast as a CT stops
		return s.withConfigLock(vmid, 10*time.Second, func() error {
			value, err := loadAndCheck()
			if err != nil {
				return err
			}
			c, err := s.loadConf(node, vmid)
			if err != nil {
				return err
			}
			t.logf("update CT %d: resize --disk %s --size %s", vmid, disk, sizeStr)
			c.Main.Keys[disk] = value
			return s.writeConf(node, vmid, c)
		})
	}, nil), nil
}

// formatSize is PVE::JSONSchema::format_size: the largest binary unit that
// divides the size exactly (bytes without a unit).
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}} {
		if n%(1<<u.shift) == 0 && n >= 1<<u.shift {
			return fmt.Sprintf("%d%s", n>>u.shift, u.suffix)
		}
	}
	return strconv.FormatInt(n, 10)
}
