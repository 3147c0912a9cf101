package hardening

import (
	"strings"
	"testing"
)

func capMask(names ...string) uint64 {
	var m uint64
	for bit, n := range AllCapabilities {
		for _, x := range names {
			if x == n {
				m |= 1 << uint(bit)
			}
		}
	}
	return m
}

func TestParseProcStatus(t *testing.T) {
	v := ParseProcStatus([]byte("Name:\tinit\nCapEff:\t0000000000000001\nCapBnd:\t000001fffeffffff\nNoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n"))
	if !v.HasCapBnd || v.CapBnd != 0x1fffeffffff || v.Seccomp != 2 {
		t.Errorf("got %+v", v)
	}
	v = ParseProcStatus([]byte("Name:\tinit\n"))
	if v.HasCapBnd || v.Seccomp != -1 {
		t.Errorf("missing lines: got %+v", v)
	}
}

func TestProcStartTime(t *testing.T) {
	// a command name with spaces and parentheses does not shift the fields
	stat := "4242 (my (odd) init) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0\n"
	if got, ok := ProcStartTime([]byte(stat)); !ok || got != "987654" {
		t.Errorf("got %q, %v", got, ok)
	}
	if _, ok := ProcStartTime([]byte("4242 (init) S 1")); ok {
		t.Error("a short line has no start time")
	}
}

func TestRunningStale(t *testing.T) {
	all := uint64(1)<<uint(len(AllCapabilities)) - 1
	drop := Spec{VMID: 150, AppArmorProfile: "lxc-web", Capabilities: Capabilities{Drop: []string{"sys_admin", "net_raw"}}}
	keep := Spec{VMID: 150, AppArmorProfile: "lxc-web", Capabilities: Capabilities{KeepMode: true, Keep: []string{"chown"}}}
	pve := Spec{VMID: 150, AppArmorProfile: AppArmorPVE}
	for _, tc := range []struct {
		name string
		s    Spec
		v    InitView
		want []string // substrings, one per stale entry; none: nothing stale
	}{
		{"as configured", drop, InitView{CapBnd: all &^ capMask("sys_admin", "net_raw"), HasCapBnd: true, Seccomp: 2, AppArmorLabel: "lxc-web (enforce)"}, nil},
		{"a dropped capability still held", drop, InitView{CapBnd: all &^ capMask("sys_admin"), HasCapBnd: true, Seccomp: 2},
			[]string{"lxc.cap.drop: the running init still has net_raw"}},
		{"keep mode", keep, InitView{CapBnd: capMask("chown", "kill"), HasCapBnd: true, Seccomp: 2}, []string{"lxc.cap.keep: the running init still has kill"}},
		{"keep mode as configured", keep, InitView{CapBnd: capMask("chown"), HasCapBnd: true, Seccomp: -1}, nil},
		{"no seccomp filter", drop, InitView{Seccomp: 0}, []string{"no seccomp filter (Seccomp: 0)"}},
		{"another profile", drop, InitView{Seccomp: 2, AppArmorLabel: "unconfined"}, []string{`runs under "unconfined", not "lxc-web"`}},
		{"complain mode", drop, InitView{Seccomp: 2, AppArmorLabel: "lxc-web (complain)"}, []string{`"lxc-web" is only in complain mode`}},
		{"PVE's generated profile", pve, InitView{Seccomp: 2, AppArmorLabel: "lxc-150_</var/lib/lxc> (enforce)"}, nil},
		{"another container's generated profile", pve, InitView{Seccomp: 2, AppArmorLabel: "lxc-151_</var/lib/lxc> (enforce)"}, []string{`runs under "lxc-151_</var/lib/lxc>"`}},
		{"a nesting container's stacked label", drop, InitView{Seccomp: 2, AppArmorLabel: "lxc-web//&:lxc-150_<-var-lib-lxc>:unconfined (enforce)"}, nil},
		{"nothing observed", drop, InitView{Seccomp: -1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RunningStale(tc.s, tc.v)
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %d entries like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("entry %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}
