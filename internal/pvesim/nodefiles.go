package pvesim

import (
	"errors"
	"os"
	"path/filepath"
)

// NodeFiles are the host files the node posture checks read
// (hardened_node_audit), as a fresh PVE 9 node has them: AppArmor enabled
// in the kernel, the unified cgroup (v2) hierarchy, the kernel's default
// accept_ra = 1 (router advertisements accepted), and root's subordinate
// ID range 100000:65536 that unprivileged containers map to. The
// simulator stands for every node with one host, so all nodes share them
// (host.fw stays per node under /etc/pve/nodes/<node>/). initDataDir
// writes each that is missing; a test weakens a node by editing them.
var NodeFiles = map[string]string{
	"sys/module/apparmor/parameters/enabled": "Y\n",
	"proc/mounts": "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\nproc /proc proc rw,relatime 0 0\n" +
		"cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"/dev/fuse /etc/pve fuse rw,nosuid,nodev,relatime,user_id=0,group_id=0,default_permissions,allow_other 0 0\n",
	"proc/sys/net/ipv6/conf/all/accept_ra":     "1\n",
	"proc/sys/net/ipv6/conf/default/accept_ra": "1\n",
	"etc/subuid": "root:100000:65536\n",
	"etc/subgid": "root:100000:65536\n",
}

func (s *Sim) writeNodeFiles() error {
	for rel, content := range NodeFiles {
		p := filepath.Join(s.dataDir, rel)
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil { //nolint:gosec // world-readable like the node's own
			return err
		}
	}
	return nil
}
