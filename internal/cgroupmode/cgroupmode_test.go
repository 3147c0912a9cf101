package cgroupmode

import "testing"

func TestFromMountinfo(t *testing.T) {
	for _, tc := range []struct {
		name, mountinfo string
		want            Layout
	}{
		{"unified (PVE 7+)", "24 30 0:22 / /sys rw - sysfs sysfs rw\n35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", Unified},
		{"hybrid (systemd's hybrid mode)", "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
			"32 31 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", Hybrid},
		{"legacy", "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n35 31 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n", Legacy},
		{"a later cgroup2 mount hides the tmpfs", "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n35 31 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n" +
			"40 23 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", Unified},
		{"optional fields before the separator", "35 24 0:30 / /sys/fs/cgroup rw,nosuid shared:9 master:1 - cgroup2 cgroup2 rw\n", Unified},
		{"a cgroup2 elsewhere only", "35 24 0:30 / /run/cg rw - cgroup2 cgroup2 rw\n", Unknown},
		{"empty", "", Unknown},
	} {
		if got := FromMountinfo([]byte(tc.mountinfo)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
