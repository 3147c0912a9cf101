package pvesim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Cgroup layouts a simulated node can report (Options.CgroupLayout).
const (
	CgroupUnified = "unified" // PVE 7 and later: /sys/fs/cgroup is cgroup2
	CgroupHybrid  = "hybrid"  // v1 controllers plus cgroup2 at /sys/fs/cgroup/unified
	CgroupLegacy  = "legacy"  // v1 controllers only
)

// The mount table a PVE 9 node shows in /proc/self/mountinfo (root file
// system, proc, sysfs, pmxcfs), before its cgroup mounts.
const mountinfoBase = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
23 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
25 22 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=8155608k,nr_inodes=2038902,mode=755
`

const mountinfoPmxcfs = "40 22 0:40 / /etc/pve rw,nosuid,nodev,relatime shared:30 - fuse /dev/fuse rw,user_id=0,group_id=0,default_permissions,allow_other\n"

var cgroupV1Controllers = []string{"cpuset", "cpu,cpuacct", "blkio", "memory", "devices", "freezer", "net_cls,net_prio", "perf_event", "hugetlb", "pids"}

// writeNodeView writes what the provider reads of a node's kernel view
// through the node channel: DIR/proc/self/mountinfo (the cgroup layout) and,
// on a unified layout, DIR/sys/fs/cgroup/cgroup.controllers. Every node of
// the simulator shares the data directory, so they report one layout.
func writeNodeView(root, layout string) error {
	var b strings.Builder
	b.WriteString(mountinfoBase)
	controllers := ""
	switch layout {
	case "", CgroupUnified:
		b.WriteString("26 24 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n")
		controllers = "cpuset cpu io memory hugetlb pids rdma misc\n"
	case CgroupHybrid, CgroupLegacy:
		b.WriteString("26 24 0:24 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n")
		if layout == CgroupHybrid {
			b.WriteString("27 26 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n")
		}
		for i, c := range cgroupV1Controllers {
			fmt.Fprintf(&b, "%d 26 0:%d / /sys/fs/cgroup/%s rw,nosuid,nodev,noexec,relatime shared:%d - cgroup cgroup rw,%s\n", 28+i, 26+i, c, 11+i, c)
		}
	default:
		return fmt.Errorf("pvesim: unknown cgroup layout %q (want %s, %s or %s)", layout, CgroupUnified, CgroupHybrid, CgroupLegacy)
	}
	b.WriteString(mountinfoPmxcfs)
	if err := writeViewFile(filepath.Join(root, "proc/self/mountinfo"), b.String()); err != nil {
		return err
	}
	ctrl := filepath.Join(root, "sys/fs/cgroup/cgroup.controllers")
	if controllers == "" {
		if err := os.Remove(ctrl); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	return writeViewFile(ctrl, controllers)
}

func writeViewFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}
