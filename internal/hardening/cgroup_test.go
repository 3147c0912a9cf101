package hardening

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/cgroupmode"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
)

func TestCgroupProblems(t *testing.T) {
	s := Spec{MemoryMiB: 512, PidsMax: 64, CPULimit: 1.5, RawLXC: []pctconf.Line{{Key: "lxc.prlimit.nofile", Value: "1024"}, {Key: "lxc.cgroup2.io.weight", Value: "50"}}}
	for _, l := range []cgroupmode.Layout{cgroupmode.Unified, cgroupmode.Unknown} {
		if ps := CgroupProblems(s, "pve1", l); len(ps) != 0 {
			t.Errorf("%s: %v", l, ps)
		}
	}
	for _, l := range []cgroupmode.Layout{cgroupmode.Hybrid, cgroupmode.Legacy} {
		ps := CgroupProblems(s, "pve1", l)
		var paths []string
		for _, p := range ps {
			paths = append(paths, strings.Trim(strings.Join(strings.Fields(strings.Trim(fmt.Sprint(p.Path), "[]")), "."), "."))
			if p.Warning || !strings.Contains(p.Detail, "Ignoring cgroup2 limits on legacy cgroup system") || !strings.Contains(p.Summary, string(l)) {
				t.Errorf("%s: %+v", l, p)
			}
		}
		if got := strings.Join(paths, ","); got != "memory,pids_max,cpu_limit,raw_lxc.1" {
			t.Errorf("%s: attributes %s", l, got)
		}
	}
	if ps := CgroupProblems(Spec{}, "pve1", cgroupmode.Hybrid); len(ps) != 0 {
		t.Errorf("no limits, no problems: %v", ps)
	}
}
