package hardening

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/guide"
)

// TestKeyClasses: keys outside the managed set, PVE's and raw alike, each
// land in a class, and the observation and apply act on that class.
func TestKeyClasses(t *testing.T) {
	pve := map[string]KeyClass{
		"hostname": KeyManaged, "mp0": KeyManaged, "mp17": KeyManaged, "dev3": KeyManaged, "hookscript": KeyManaged,
		"env": KeyManaged, "net9": KeyManaged, "rootfs": KeyManaged, "features": KeyManaged,
		"digest": KeyHarmless, "lock": KeyHarmless, "unused0": KeyHarmless, "unused12": KeyHarmless, "parent": KeyHarmless, "ostype": KeyHarmless,
		"debug": KeyUnmanaged, "entrypoint": KeyUnmanaged, "template": KeyUnmanaged,
		"foo": KeyUnmanaged, "bogus7": KeyUnmanaged, "snaptime": KeyUnmanaged, "cpuset": KeyUnmanaged,
	}
	for k, want := range pve {
		info := ClassifyKey(k)
		if info.Class != want {
			t.Errorf("%s: %s, want %s", k, info.Class, want)
		}
		if (want == KeyManaged) != (info.Attribute != "") || (want != KeyManaged && info.Reason == "") {
			t.Errorf("%s: attribute %q reason %q", k, info.Attribute, info.Reason)
		}
	}
	raw := map[string]LXCClass{
		"lxc.cap.drop": LXCTyped, "lxc.cap.keep": LXCTyped, "lxc.cgroup2.pids.max": LXCTyped, "lxc.apparmor.profile": LXCTyped,
		"lxc.seccomp.profile": LXCTyped, "lxc.prlimit.nofile": LXCTyped, "lxc.prlimit.core": LXCTyped,
		"lxc.idmap": LXCForbidden, "lxc.include": LXCForbidden, "lxc.hook.pre-start": LXCForbidden, "lxc.hook.autodev": LXCForbidden,
		"lxc.apparmor.allow_nesting": LXCForbidden, "lxc.apparmor.raw": LXCForbidden, "lxc.apparmor.allow_incomplete": LXCForbidden,
		"lxc.seccomp.notify.proxy": LXCForbidden, "lxc.mount.entry": LXCForbidden, "lxc.mount.fstab": LXCForbidden,
		"lxc.mount.auto": LXCForbidden, "lxc.rootfs.mount": LXCForbidden, "lxc.rootfs.path": LXCForbidden,
		"lxc.cgroup2.devices.allow": LXCForbidden, "lxc.cgroup2.devices.deny": LXCForbidden, "lxc.cgroup.devices.allow": LXCForbidden,
		"lxc.cgroup2.memory.max": LXCForbidden, "lxc.cgroup2.cpu.max": LXCForbidden, "lxc.cgroup2.cpuset.cpus": LXCForbidden,
		"lxc.net.0.link": LXCForbidden, "lxc.network.link": LXCForbidden, "lxc.aa_profile": LXCForbidden, "lxc.id_map": LXCForbidden,
		"lxc.limit.nofile": LXCForbidden, "lxc.log.file": LXCForbidden, "lxc.console.logfile": LXCForbidden,
		"lxc.environment": LXCForbidden, "lxc.uts.name": LXCForbidden, "lxc.selinux.context": LXCForbidden,
		"lxc.cgroup2.io.weight": LXCRaw, "lxc.cgroup2.hugetlb.2MB.max": LXCRaw, "lxc.sysctl.kernel.msgmax": LXCRaw,
		"lxc.sysctl.fs.mqueue": LXCRaw, "lxc.signal.halt": LXCRaw, "lxc.init.cmd": LXCRaw, "lxc.pty.max": LXCRaw,
		"lxc.no_new_privs": LXCInvalid, "lxc.keyring.session": LXCInvalid, "lxc.proc.oom_score_adj": LXCInvalid,
		"lxc.sysctl.net.ipv4.ip_forward": LXCInvalid, "lxc.bogus": LXCInvalid,
	}
	for k, want := range raw {
		info := ClassifyLXCKey(k)
		if info.Class != want {
			t.Errorf("%s: %s, want %s", k, info.Class, want)
		}
		if (want == LXCTyped) != (info.Attribute != "") || (want != LXCTyped && info.Reason == "") {
			t.Errorf("%s: attribute %q reason %q", k, info.Attribute, info.Reason)
		}
	}
}

// TestObserveUnmodelledKeys: everything outside the typed attributes is
// observed, so it shows as drift and apply removes it.
func TestObserveUnmodelledKeys(t *testing.T) {
	cfg := map[string]string{
		"unprivileged": "1", "hostname": "a", "memory": "512",
		"mp0":        "/,mp=/mnt/host",
		"mp1":        "local-lvm:vm-100-disk-1,mp=/data,backup=1,mountoptions=nosuid;nodev,size=4G,shared=1",
		"mp5":        "/srv,mp=/srv", // after a gap
		"dev0":       "/dev/sda,mode=0660",
		"hookscript": "local:snippets/x.sh",
		"env":        "B=2\x00A=1",
		"debug":      "1", "entrypoint": "/bin/sh", "lock": "backup", "unused0": "local-lvm:vm-100-disk-9",
		"net0": "name=eth0,bridge=vmbr0,firewall=1,type=veth,link_down=1",
	}
	lx := []pctconf.Line{{Key: "lxc.idmap", Value: "u 0 0 65536"}, {Key: "lxc.cgroup2.devices.allow", Value: "a"},
		{Key: "lxc.mount.entry", Value: "/dev/net dev/net none bind,create=dir 0 0"}, {Key: "lxc.prlimit.nofile", Value: "unlimited"}}
	s := Observe(Observed{Config: cfg, LXC: lx})
	wantMP := []MountPoint{{Path: "/mnt/host", HostPath: "/"},
		{Path: "/data", Storage: "local-lvm", Volume: "local-lvm:vm-100-disk-1", SizeGiB: 4, Backup: true, MountOptions: []string{"nodev", "nosuid"}}}
	if !reflect.DeepEqual(s.MountPoints, wantMP) {
		t.Errorf("mount points %+v", s.MountPoints)
	}
	if !reflect.DeepEqual(s.Devices, []Device{{Path: "/dev/sda", Mode: "0660"}}) || s.Hookscript != "local:snippets/x.sh" {
		t.Errorf("devices %+v hookscript %q", s.Devices, s.Hookscript)
	}
	if !reflect.DeepEqual(s.Environment, []string{"A=1", "B=2"}) || s.PRLimits["nofile"] != "unlimited" {
		t.Errorf("env %v prlimits %v", s.Environment, s.PRLimits)
	}
	if !reflect.DeepEqual(s.RawLXC, lx[:3]) {
		t.Errorf("raw %v", s.RawLXC)
	}
	want := []string{"debug: 1", "entrypoint: /bin/sh", "mp1: shared=1", "mp5: /srv,mp=/srv", "net0: link_down=1"}
	if !reflect.DeepEqual(s.Unmanaged, want) {
		t.Errorf("unmanaged %q, want %q", s.Unmanaged, want)
	}
	// rendering the observed spec back reproduces the values PVE holds
	if got := MountPointValue(s.MountPoints[0], false); got != "/,mp=/mnt/host" {
		t.Errorf("bind value %q", got)
	}
	if got := ParseMountPoint(MountPointValue(s.MountPoints[1], false)); !reflect.DeepEqual(got, s.MountPoints[1]) {
		t.Errorf("volume value round trip %+v", got)
	}
}

func problemAt(ps []Problem, path string) *Problem {
	for i := range ps {
		if PathString(ps[i].Path) == path {
			return &ps[i]
		}
	}
	return nil
}

func TestValidateKeys(t *testing.T) {
	base := Spec{Unprivileged: true}
	for _, tc := range []struct {
		name, path, detail string
		mut                func(*Spec)
	}{
		{"bind of /", "mount_points[0].host_path", "exactly the host's /", func(s *Spec) { s.MountPoints = []MountPoint{{Path: "/x", HostPath: "/"}} }},
		{"bind of a parent of /etc/pve", "mount_points[0].host_path", "", func(s *Spec) { s.MountPoints = []MountPoint{{Path: "/x", HostPath: "/etc"}} }},
		{"bind under /etc/pve", "mount_points[0].host_path", "inside", func(s *Spec) { s.MountPoints = []MountPoint{{Path: "/x", HostPath: "/etc/pve/priv"}} }},
		{"bind of /var/lib", "mount_points[0].host_path", "a parent of", func(s *Spec) { s.MountPoints = []MountPoint{{Path: "/x", HostPath: "/var/lib"}} }},
		{"bind with ..", "mount_points[0].host_path", "clean", func(s *Spec) { s.MountPoints = []MountPoint{{Path: "/x", HostPath: "/srv/../etc"}} }},
		{"both sources", "mount_points[0].host_path", "not both", func(s *Spec) {
			s.MountPoints = []MountPoint{{Path: "/x", HostPath: "/srv/a", Storage: "local", SizeGiB: 1}}
		}},
		{"no source", "mount_points[0].storage", "", func(s *Spec) { s.MountPoints = []MountPoint{{Path: "/x"}} }},
		{"mp at /", "mount_points[0].path", "other than /", func(s *Spec) { s.MountPoints = []MountPoint{{Path: "/", Storage: "local", SizeGiB: 1}} }},
		{"mount option", "mount_points[0].mount_options", "noexec", func(s *Spec) {
			s.MountPoints = []MountPoint{{Path: "/x", Storage: "local", SizeGiB: 1, MountOptions: []string{"exec"}}}
		}},
		{"/dev/mem", "devices[0].path", "No exception", func(s *Spec) { s.Devices = []Device{{Path: "/dev/mem"}} }},
		{"not a device", "devices[0].path", "under /dev/", func(s *Spec) { s.Devices = []Device{{Path: "/etc/shadow"}} }},
		{"device mode", "devices[0].mode", "octal", func(s *Spec) { s.Devices = []Device{{Path: "/dev/net/tun", Mode: "rw"}} }},
		{"hookscript", "hookscript", "snippets", func(s *Spec) { s.Hookscript = "/root/x.sh" }},
		{"env name", `environment["1A"]`, "variable name", func(s *Spec) { s.Environment = []string{"1A=x"} }},
		{"prlimit name", `prlimits["files"]`, "nofile", func(s *Spec) { s.PRLimits = map[string]string{"files": "1"} }},
		{"prlimit soft > hard", `prlimits["nofile"]`, "soft limit", func(s *Spec) { s.PRLimits = map[string]string{"nofile": "10:5"} }},
		{"prlimit garbage", `prlimits["nofile"]`, "soft:hard", func(s *Spec) { s.PRLimits = map[string]string{"nofile": "lots"} }},
		{"raw idmap", "raw_lxc[0]", "host's root", func(s *Spec) { s.RawLXC = []pctconf.Line{ParseRawLine("lxc.idmap: u 0 0 65536")} }},
		{"raw typed", "raw_lxc[0]", "capabilities", func(s *Spec) { s.RawLXC = []pctconf.Line{ParseRawLine("lxc.cap.drop: sys_admin")} }},
		{"raw invalid", "raw_lxc[0]", "drops the line", func(s *Spec) { s.RawLXC = []pctconf.Line{ParseRawLine("lxc.no_new_privs: 1")} }},
		{"raw empty", "raw_lxc[0]", "clear", func(s *Spec) { s.RawLXC = []pctconf.Line{ParseRawLine("lxc.cgroup2.io.weight:")} }},
		{"raw not a line", "raw_lxc[0]", "lxc.<key>", func(s *Spec) { s.RawLXC = []pctconf.Line{ParseRawLine("hookscript: x")} }},
		{"raw mount.auto rw", "raw_lxc[0]", "never allowed", func(s *Spec) { s.RawLXC = []pctconf.Line{ParseRawLine("lxc.mount.auto: proc:rw sys:rw")} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			tc.mut(&s)
			p := problemAt(Validate(s), tc.path)
			if p == nil || p.Warning || !strings.Contains(p.Detail, tc.detail) {
				t.Fatalf("%s: %+v (all: %+v)", tc.path, p, Validate(s))
			}
		})
	}
	ok := base
	ok.MountPoints = []MountPoint{{Path: "/data", Storage: "local-lvm", SizeGiB: 4, MountOptions: []string{"nodev", "nosuid"}}, {Path: "/shared", HostPath: "/srv/shared/app", ReadOnly: true}}
	ok.Devices = []Device{{Path: "/dev/net/tun", Mode: "0666"}}
	ok.Hookscript = "local:snippets/hook.sh"
	ok.Environment = []string{"TZ=UTC"}
	ok.PRLimits = map[string]string{"nofile": "1024:65535", "core": "0", "nproc": "unlimited"}
	ok.RawLXC = []pctconf.Line{ParseRawLine("lxc.cgroup2.io.weight: 200"), ParseRawLine("lxc.mount.auto: proc:mixed sys:ro")}
	if ps := Validate(ok); len(ps) != 0 {
		t.Fatalf("valid spec refused: %+v", ps)
	}
}

func TestKeysGuideUpToDate(t *testing.T) {
	guide.Check(t, "../../templates/guides/config-keys.md.tmpl", "./internal/hardening/", KeysMarkdown())
}

// TestKeysHandled: each key outside the managed set is observed where the
// plan shows it (raw_lxc or unmanaged_config, never dropped) and the node
// channel's edit of the pct.conf removes it, while harmless keys stay.
func TestKeysHandled(t *testing.T) {
	s := Spec{Unprivileged: true, PidsMax: 100}
	base := "arch: amd64\nhostname: a\nmemory: 512\nrootfs: local-lvm:vm-100-disk-0,size=8G\nunprivileged: 1\n"
	for _, tc := range []struct {
		line string
		raw  bool // shown in raw_lxc (else in unmanaged_config)
		kept bool // harmless: stays
	}{
		{"debug: 1", false, false}, {"entrypoint: /bin/sh", false, false}, {"template: 1", false, false},
		{"frobnicate: yes", false, false}, {"cpuset: 0-3", false, false}, {"net5: name=eth5,bridge=vmbr0", false, false},
		{"dev3: /dev/sdb", false, false},
		{"lock: backup", false, true}, {"unused0: local-lvm:vm-100-disk-3", false, true}, {"parent: snap1", false, true},
		{"lxc.idmap: u 0 0 65536", true, false}, {"lxc.idmap:", true, false}, {"lxc.include: /root/x.conf", true, false},
		{"lxc.hook.pre-start: /root/x.sh", true, false}, {"lxc.hook.autodev: /root/y.sh", true, false},
		{"lxc.apparmor.allow_nesting: 1", true, false}, {"lxc.apparmor.raw: capability,", true, false},
		{"lxc.seccomp.notify.proxy: unix:/run/x", true, false}, {"lxc.mount.entry: /dev/net dev/net none bind 0 0", true, false},
		{"lxc.mount.auto: proc:rw sys:rw", true, false}, {"lxc.mount.fstab: /root/fstab", true, false},
		{"lxc.rootfs.mount: /mnt", true, false}, {"lxc.cgroup2.devices.allow: a", true, false},
		{"lxc.cgroup.devices.allow: a", true, false}, {"lxc.cgroup2.memory.max: max", true, false},
		{"lxc.cgroup2.cpu.max: max", true, false}, {"lxc.net.0.link: vmbr9", true, false}, {"lxc.aa_profile: unconfined", true, false},
		{"lxc.environment: X=1", true, false}, {"lxc.log.file: /etc/shadow", true, false}, {"lxc.sysctl.kernel.msgmax: 9", true, false},
		{"lxc.cgroup2.io.weight: 1", true, false}, {"lxc.uts.name: x", true, false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			conf := base + tc.line + "\n"
			f := pctconf.Parse([]byte(conf))
			o := Observed{Config: f.Keys(), LXC: f.LXC()}
			obs := Observe(o)
			key, value, _ := strings.Cut(tc.line, ":")
			value = strings.TrimSpace(value)
			inRaw := len(obs.RawLXC) == 1 && obs.RawLXC[0] == pctconf.Line{Key: key, Value: value}
			inUnmanaged := false
			for _, u := range obs.Unmanaged {
				inUnmanaged = inUnmanaged || strings.HasPrefix(u, key+":")
			}
			switch {
			case tc.raw && !inRaw:
				t.Errorf("not in raw_lxc: %+v", obs.RawLXC)
			case !tc.raw && !tc.kept && !inUnmanaged && len(obs.Devices) == 0:
				t.Errorf("not in unmanaged_config: %q", obs.Unmanaged)
			case tc.kept && (inUnmanaged || inRaw):
				t.Errorf("harmless key reported: %q %+v", obs.Unmanaged, obs.RawLXC)
			}
			present := f.Keys()
			f.SetKeys(func(k string) bool { return FileOwnedKey(s, k, present) }, FileKeys(s))
			f.SetLXC(OwnedLXCKey, LXCLines(s))
			out := string(f.Render())
			if has := strings.Contains(out, "\n"+tc.line+"\n"); has != tc.kept {
				t.Errorf("after the edit (kept=%v):\n%s", tc.kept, out)
			}
			for _, l := range strings.Split(strings.TrimSpace(base), "\n") {
				if !strings.Contains(out, l+"\n") {
					t.Errorf("managed line %q lost:\n%s", l, out)
				}
			}
		})
	}
}
