package pvesim

import (
	"fmt"
	"strconv"
	"strings"
)

// writeCgroup writes lxc.cgroup2.* lines ("key = value"): verbatim on a
// cgroup v2 (unified) host, as PVE does; on a legacy or hybrid host, where
// LXC would ignore them ("Ignoring cgroup2 limits on legacy cgroup system"),
// in their cgroup v1 form, with a note for each. Only this backend does
// that: PVE 9 is cgroup v2 only, and the provider refuses cgroup2 limits on a
// node whose hierarchy is not unified.
func writeCgroup(b *strings.Builder, t *translation, lines []string, in translateInput) {
	for _, l := range lines {
		k, v, _ := strings.Cut(l, " = ")
		if !in.Hybrid {
			fmt.Fprintf(b, "%s = %s\n", k, v)
			continue
		}
		v1 := cgroupV1(strings.TrimPrefix(k, "lxc.cgroup2."), v, in)
		if len(v1) == 0 {
			t.Notes = append(t.Notes, fmt.Sprintf("cgroup v1 host: %s = %s has no cgroup v1 form here, left out", k, v))
			continue
		}
		var forms []string
		for _, kv := range v1 {
			fmt.Fprintf(b, "lxc.cgroup.%s = %s\n", kv[0], kv[1])
			forms = append(forms, "lxc.cgroup."+kv[0]+" = "+kv[1])
		}
		t.Notes = append(t.Notes, fmt.Sprintf("cgroup v1 host: %s = %s written as %s", k, v, strings.Join(forms, ", ")))
	}
}

// cgroupV1 is the v1 form of one cgroup2 key and value, or nil.
func cgroupV1(key, v string, in translateInput) [][2]string {
	switch key {
	case "pids.max", "cpuset.cpus", "cpuset.mems", "devices.allow", "devices.deny":
		return [][2]string{{key, v}}
	case "memory.max":
		return [][2]string{{"memory.limit_in_bytes", v1Max(v)}}
	case "memory.swap.max":
		// v1 limits memory+swap together; memory.max comes first in the
		// translation, so memsw = limit + swap is applied after it
		if !in.MemswAccounting {
			return nil
		}
		mem := atoiDefault(in.Conf.Keys["memory"], 512) * 1024 * 1024
		if v == "max" {
			return [][2]string{{"memory.memsw.limit_in_bytes", "-1"}}
		}
		swap, err := strconv.Atoi(v)
		if err != nil {
			return nil
		}
		return [][2]string{{"memory.memsw.limit_in_bytes", strconv.Itoa(mem + swap)}}
	case "cpu.max":
		quota, period, ok := strings.Cut(v, " ")
		if !ok {
			period = "100000"
		}
		return [][2]string{{"cpu.cfs_period_us", period}, {"cpu.cfs_quota_us", v1Max(quota)}}
	case "cpu.weight":
		w, err := strconv.Atoi(v)
		if err != nil {
			return nil
		}
		return [][2]string{{"cpu.shares", strconv.Itoa(max(2, w*1024/100))}}
	}
	return nil
}

func v1Max(v string) string {
	if v == "max" {
		return "-1"
	}
	return v
}
