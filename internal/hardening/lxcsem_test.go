package hardening

import (
	"reflect"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

func lines(kv ...string) []pctconf.Line {
	var out []pctconf.Line
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, pctconf.Line{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// TestApplyLXC: the observation is what LXC applies (lxc/lxc
// src/lxc/confile.c: set_config_cap_drop/keep sharing one list, cleared by
// an empty value of either key, add_cap_entry and parse_cap,
// set_config_cgroup2_controller with an empty value clearing the key,
// single-value keys replaced by the last line).
func TestApplyLXC(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []pctconf.Line
		want LXCView
	}{
		{"nothing", nil, LXCView{}},
		{"drop accumulates", lines("lxc.cap.drop", "sys_admin", "lxc.cap.drop", "sys_module mknod"),
			LXCView{Caps: Capabilities{Drop: []string{"mknod", "sys_admin", "sys_module"}}}},
		{"empty drop clears", lines("lxc.cap.drop", "sys_admin", "lxc.cap.drop", ""),
			LXCView{}},
		{"keep none keeps nothing", lines("lxc.cap.keep", "none"),
			LXCView{Caps: Capabilities{KeepMode: true}}},
		{"empty keep after none keeps everything", lines("lxc.cap.keep", "none", "lxc.cap.keep", ""),
			LXCView{}},
		{"none clears earlier keeps", lines("lxc.cap.keep", "chown net_bind_service", "lxc.cap.keep", "none setuid"),
			LXCView{Caps: Capabilities{KeepMode: true, Keep: []string{"setuid"}}}},
		{"keep accumulates", lines("lxc.cap.keep", "chown", "lxc.cap.keep", "setgid"),
			LXCView{Caps: Capabilities{KeepMode: true, Keep: []string{"chown", "setgid"}}}},
		{"empty drop ends keep mode: everything kept", lines("lxc.cap.keep", "none", "lxc.cap.drop", ""),
			LXCView{}},
		{"empty keep forgets the drops", lines("lxc.cap.drop", "sys_admin", "lxc.cap.keep", ""),
			LXCView{}},
		{"keep after a cleared drop list", lines("lxc.cap.drop", "sys_admin", "lxc.cap.drop", "", "lxc.cap.keep", "chown"),
			LXCView{Caps: Capabilities{KeepMode: true, Keep: []string{"chown"}}}},
		{"capability numbers are names", lines("lxc.cap.drop", "3 21", "lxc.cap.drop", "40"),
			LXCView{Caps: Capabilities{Drop: []string{"checkpoint_restore", "fowner", "sys_admin"}}}},
		{"keep beside drops is refused", lines("lxc.cap.drop", "sys_admin", "lxc.cap.keep", "chown"),
			LXCView{Caps: Capabilities{KeepMode: true, Drop: []string{"sys_admin"}, Keep: []string{"chown"}},
				Refused: "lxc.cap.keep = chown: keeping and dropping capabilities are mutually exclusive (an empty lxc.cap.drop or lxc.cap.keep line before it would clear the list)"}},
		{"drop in keep mode is refused", lines("lxc.cap.keep", "none", "lxc.cap.drop", "sys_admin"),
			LXCView{Caps: Capabilities{KeepMode: true, Drop: []string{"sys_admin"}},
				Refused: "lxc.cap.drop = sys_admin: keeping and dropping capabilities are mutually exclusive (an empty lxc.cap.drop or lxc.cap.keep line before it would clear the list)"}},
		{"none in drop is refused", lines("lxc.cap.drop", "none"),
			LXCView{Caps: Capabilities{Drop: []string{"none"}}, Refused: `lxc.cap.drop = none: "none" is only valid in lxc.cap.keep`}},
		{"unknown name is refused, the first reason counts", lines("lxc.cap.drop", "CAP_SYS_ADMIN", "lxc.cap.drop", "41"),
			LXCView{Caps: Capabilities{Drop: []string{"41", "CAP_SYS_ADMIN"}},
				Refused: `lxc.cap.drop = CAP_SYS_ADMIN: "CAP_SYS_ADMIN" is not a capability LXC knows (lower case, without CAP_, or its number)`}},
		{"pids last wins", lines("lxc.cgroup2.pids.max", "100", "lxc.cgroup2.pids.max", "200"), LXCView{PidsMax: 200}},
		{"pids max is no limit", lines("lxc.cgroup2.pids.max", "100", "lxc.cgroup2.pids.max", "max"), LXCView{}},
		{"pids cleared is no limit", lines("lxc.cgroup2.pids.max", "100", "lxc.cgroup2.pids.max", ""), LXCView{}},
		{"apparmor last wins", lines("lxc.apparmor.profile", "lxc-a", "lxc.apparmor.profile", "unconfined"),
			LXCView{AppArmorProfile: "unconfined"}},
		{"apparmor cleared is LXC's default", lines("lxc.apparmor.profile", "lxc-a", "lxc.apparmor.profile", ""),
			LXCView{AppArmorProfile: LXCDefaultAppArmorProfile}},
		{"seccomp last wins", lines("lxc.seccomp.profile", "/a", "lxc.seccomp.profile", "/b"), LXCView{SeccompProfile: "/b"}},
		{"seccomp cleared", lines("lxc.seccomp.profile", "/a", "lxc.seccomp.profile", ""), LXCView{SeccompCleared: true}},
		{"prlimit per resource", lines("lxc.prlimit.nofile", "10", "lxc.prlimit.core", "0", "lxc.prlimit.nofile", "20"),
			LXCView{PRLimits: map[string]string{"nofile": "20", "core": "0"}}},
		{"prlimit cleared", lines("lxc.prlimit.nofile", "10", "lxc.prlimit.nofile", ""), LXCView{}},
		{"raw lines verbatim, empty ones too", lines("lxc.idmap", "u 0 100000 65536", "lxc.idmap", "", "lxc.mount.entry", "/dev/net dev/net none bind,create=dir 0 0"),
			LXCView{Raw: lines("lxc.idmap", "u 0 100000 65536", "lxc.idmap", "", "lxc.mount.entry", "/dev/net dev/net none bind,create=dir 0 0")}},
		{"env lines are PVE's env", lines("lxc.environment.runtime", "A=1"), LXCView{Environment: []string{"A=1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ApplyLXC(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestRenderObserveLXC: what the provider writes reads back as written.
func TestRenderObserveLXC(t *testing.T) {
	s := Spec{Capabilities: Capabilities{KeepMode: true}, PidsMax: 64, PRLimits: map[string]string{"nofile": "1:2"},
		RawLXC: lines("lxc.cgroup2.io.weight", "200")}
	v := ApplyLXC(LXCLines(s))
	if !v.Caps.KeepMode || len(v.Caps.Keep) != 0 || v.PidsMax != 64 || v.PRLimits["nofile"] != "1:2" || !reflect.DeepEqual(v.Raw, s.RawLXC) {
		t.Fatalf("%+v", v)
	}
}
