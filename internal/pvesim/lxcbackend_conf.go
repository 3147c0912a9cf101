package pvesim

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

// lxcConfigDir is where LXC keeps its shipped configs (lxc.include targets).
const lxcConfigDir = "/usr/share/lxc/config"

// translation is the LXC config the real-LXC backend starts a container
// with: what pve-container's update_lxc_config (src/PVE/LXC.pm) writes to
// /var/lib/lxc/<vmid>/config, adapted to this host where README.md says so.
type translation struct {
	Config string
	// SeccompRules is the rules.seccomp file make_seccomp_config writes for
	// an unprivileged container without its own profile ("" for none).
	SeccompRules string
	// Notes say where the translation departs from PVE on this host (the
	// start task logs them).
	Notes []string
}

// translateInput is what the translation needs besides the config.
type translateInput struct {
	VMID int
	Conf *ctconf.Section
	// Dir is the container's directory (PVE: /var/lib/lxc/<vmid>), Root the
	// simulator's data directory, where node paths (/etc/pve/...) live.
	Dir, Root string
	// CgroupPrefix replaces PVE's "lxc" cgroup directory so that several
	// simulators on one host never share a cgroup.
	CgroupPrefix string
	// Hybrid: the host has cgroup v1 controllers (legacy or hybrid layout),
	// where LXC ignores lxc.cgroup2.* keys: they are written in their v1 form.
	Hybrid bool
	// MemswAccounting: the v1 memory controller has memory.memsw.* files.
	MemswAccounting bool
	// CPUs is the host's CPU count (for the cpuset PVE derives from cores).
	CPUs int
	// NofileMax is lxc-start's hard RLIMIT_NOFILE (0: unknown). LXC cannot
	// raise a container's limit above it; PVE runs lxc-start under systemd
	// (hard limit 524288), a test machine may allow less.
	NofileMax uint64
}

// raw is the container's raw lxc.* lines.
type rawLines [][2]string

func (r rawLines) has(key string) bool {
	for _, l := range r {
		if l[0] == key {
			return true
		}
	}
	return false
}

// translate builds the LXC config in update_lxc_config's order.
func translate(in translateInput) translation {
	c, raw := in.Conf, rawLines(in.Conf.LXC)
	var t translation
	var b strings.Builder
	w := func(k, v string) { fmt.Fprintf(&b, "%s = %s\n", k, v) }
	vmid := strconv.Itoa(in.VMID)

	w("lxc.cgroup.relative", "0")
	w("lxc.cgroup.dir.monitor", in.CgroupPrefix+".monitor/"+vmid)
	w("lxc.cgroup.dir.container", in.CgroupPrefix+"/"+vmid)
	w("lxc.cgroup.dir.container.inner", "ns")
	arch := c.Keys["arch"]
	if arch == "" {
		arch = "amd64"
	}
	w("lxc.arch", arch)

	translateSecurity(in, raw, w, &b, &t)
	// no console: the backend has no terminal to give the container
	w("lxc.console.path", "none")
	tty := c.Keys["tty"]
	if tty == "" {
		tty = "2"
	}
	w("lxc.tty.max", tty)
	w("lxc.environment", "TERM=linux")
	host := c.Keys["hostname"]
	if host == "" {
		host = "CT" + vmid
	}
	w("lxc.uts.name", host)

	translateLimits(in, &b, &t)

	w("lxc.rootfs.path", filepath.Join(in.Dir, "rootfs"))
	// no bridges on this host: one loopback-only network namespace
	w("lxc.net.0.type", "empty")
	for _, e := range c.Env {
		w("lxc.environment", e)
	}

	translateRaw(in, raw, w, &b, &t)
	t.Config = b.String()
	return t
}

// translateSecurity is update_lxc_config's confinement section: the
// includes, the seccomp profile of an unprivileged container, the AppArmor
// lines of the features, sys:mixed and the default id map.
func translateSecurity(in translateInput, raw rawLines, w func(k, v string), b *strings.Builder, t *translation) {
	c := in.Conf
	customIDMap := raw.has("lxc.idmap")
	unpriv := c.Keys["unprivileged"] == "1" || customIDMap
	ostype := c.Keys["ostype"]
	w("lxc.include", includeFile(ostype, "common.conf"))
	if unpriv {
		w("lxc.include", includeFile(ostype, "userns.conf"))
	}
	features := parseFeatures(c.Keys["features"])
	if !raw.has("lxc.seccomp.profile") && unpriv {
		t.SeccompRules = pveSeccompRules(features)
		w("lxc.seccomp.profile", filepath.Join(in.Dir, "rules.seccomp"))
	}
	if !raw.has("lxc.apparmor.profile") {
		b.WriteString(pveAppArmorLines(features))
	}
	if features["fuse"] == "1" {
		w("lxc.apparmor.raw", "mount fstype=fuse,")
		w("lxc.mount.entry", "/dev/fuse dev/fuse none bind,create=file 0 0")
	}
	if unpriv && features["force_rw_sys"] != "1" {
		w("lxc.mount.auto", "sys:mixed")
	}
	w("lxc.monitor.unshare", "1")
	if unpriv && !customIDMap {
		w("lxc.idmap", "u 0 100000 65536")
		w("lxc.idmap", "g 0 100000 65536")
	}
}

// translateLimits is update_lxc_config's cgroup section: memory, swap and
// the CPU limit and weight, as lxc.cgroup2 lines (translated on a v1 host).
func translateLimits(in translateInput, b *strings.Builder, t *translation) {
	c := in.Conf
	var cg []string // lxc.cgroup2 lines, translated below on a v1 host
	memory := atoiDefault(c.Keys["memory"], 512)
	swap := atoiDefault(c.Keys["swap"], 0)
	high := memory * 1024 * 1016
	if memory >= 16*1024 {
		high = (memory - 128) * 1024 * 1024
	}
	cg = append(cg, "lxc.cgroup2.memory.max = "+strconv.Itoa(memory*1024*1024),
		"lxc.cgroup2.memory.high = "+strconv.Itoa(high),
		"lxc.cgroup2.memory.swap.max = "+strconv.Itoa(swap*1024*1024))
	if l, err := strconv.ParseFloat(c.Keys["cpulimit"], 64); err == nil && l > 0 {
		cg = append(cg, fmt.Sprintf("lxc.cgroup2.cpu.max = %d 100000", int(100000*l)))
	}
	if u, ok := c.Keys["cpuunits"]; ok {
		n := atoiDefault(u, 100)
		n = max(1, min(n, 10000))
		cg = append(cg, "lxc.cgroup2.cpu.weight = "+strconv.Itoa(n))
	}
	writeCgroup(b, t, cg, in)
}

// translateRaw writes the raw lxc.* lines of the config (node paths for a
// seccomp profile, lxc-start's nofile limit), then the cpuset of cores
// unless a raw line set one.
func translateRaw(in translateInput, raw rawLines, w func(k, v string), b *strings.Builder, t *translation) {
	c := in.Conf
	hadCpuset := false
	for _, l := range raw {
		k, v := l[0], l[1]
		hadCpuset = hadCpuset || k == "lxc.cgroup2.cpuset.cpus"
		switch {
		case strings.HasPrefix(k, "lxc.cgroup2."):
			writeCgroup(b, t, []string{k + " = " + v}, in)
			continue
		case k == "lxc.seccomp.profile" && v != "":
			v = nodePath(in.Root, v)
		case k == "lxc.prlimit.nofile":
			v = clampNofile(t, v, in.NofileMax)
		}
		w(k, v)
	}
	if cores := atoiDefault(c.Keys["cores"], 0); !hadCpuset && cores > 0 && in.CPUs > 0 {
		writeCgroup(b, t, []string{"lxc.cgroup2.cpuset.cpus = " + cpuRange(min(cores, in.CPUs))}, in)
	}
}

// includeFile is LXC's <ostype>.<name>, or <name> when LXC ships none.
func includeFile(ostype, name string) string {
	f := filepath.Join(lxcConfigDir, ostype+"."+name)
	if _, err := os.Stat(f); ostype == "" || err != nil {
		f = filepath.Join(lxcConfigDir, name)
	}
	return f
}

// pveSeccompRules is make_seccomp_config's rules.seccomp: LXC's
// common.seccomp plus PVE's rules for unprivileged containers (mknod's
// notify rules need pve-lxc-syscalld, which this host has not).
func pveSeccompRules(features map[string]string) string {
	common, err := os.ReadFile(filepath.Join(lxcConfigDir, "common.seccomp"))
	if err != nil {
		common = []byte("2\ndenylist\nreject_force_umount\n[all]\n")
	}
	rules := map[string]string{
		"ioctl":  "errno 1 [1,0x9400,SCMP_CMP_MASKED_EQ,0xff00]",
		"socket": "errno 97 [0,38,SCMP_CMP_EQ]",
	}
	if features["keyctl"] != "1" {
		rules["keyctl"] = "errno 38"
	}
	names := make([]string, 0, len(rules))
	for k := range rules {
		names = append(names, k)
	}
	sort.Strings(names)
	out := string(common)
	for _, n := range names {
		out += n + " " + rules[n] + "\n"
	}
	return out
}

// pveAppArmorLines is make_apparmor_config without a profile of the
// container's own.
func pveAppArmorLines(features map[string]string) string {
	s := "lxc.apparmor.profile = generated\nlxc.apparmor.raw = allow mqueue,\n"
	if features["nesting"] == "1" {
		s += "lxc.apparmor.allow_nesting = 1\nlxc.apparmor.raw = allow userns,\n"
	} else {
		s += "lxc.apparmor.raw = deny mount -> /proc/,\nlxc.apparmor.raw = deny mount -> /sys/,\n"
	}
	if m := features["mount"]; m != "" {
		for _, fs := range strings.Split(m, ";") {
			s += "lxc.apparmor.raw = mount fstype=" + fs + ",\n"
		}
	}
	return s
}

// clampNofile lowers lxc.prlimit.nofile's values to NofileMax, with a note.
func clampNofile(t *translation, v string, limit uint64) string {
	if limit == 0 {
		return v
	}
	parts := strings.Split(v, ":")
	changed := false
	for i, p := range parts {
		if n, err := strconv.ParseUint(p, 10, 64); (err == nil && n > limit) || p == "unlimited" {
			parts[i], changed = strconv.FormatUint(limit, 10), true
		}
	}
	if !changed {
		return v
	}
	out := strings.Join(parts, ":")
	t.Notes = append(t.Notes, fmt.Sprintf("lxc.prlimit.nofile = %s lowered to %s: lxc-start's own hard limit on this host is %d (PVE's "+
		"systemd gives it 524288)", v, out, limit))
	return out
}

func cpuRange(n int) string {
	if n <= 1 {
		return "0"
	}
	return "0-" + strconv.Itoa(n-1)
}
