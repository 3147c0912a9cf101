package hardening

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/lxcrun"
)

// pveUnprivilegedCaps are the capability lines of LXC's userns.conf, which
// PVE includes for an unprivileged container before the raw lines: they
// clear the template's (common.conf's) drop list, so the raw lines start
// from an empty list, as ApplyLXC assumes.
const pveUnprivilegedCaps = "lxc.cap.drop =\nlxc.cap.keep =\n"

// kernelView is what the container's init shows of the lines: its
// capability bounding set (CapBnd decoded to names), Seccomp mode (0 none,
// 2 filter), the limits lxc.prlimit sets, and its uid map.
type kernelView struct {
	Caps    []string
	Seccomp int
	Limits  map[string]string // prlimit name -> "soft:hard" as /proc/1/limits shows them
	UIDMap  string
}

// procLimits are the /proc/<pid>/limits rows of the prlimits the test sets.
var procLimits = map[string]string{"Max open files": "nofile", "Max core file size": "core"}

func parseKernelView(t *testing.T, out string) kernelView {
	t.Helper()
	k := kernelView{Seccomp: -1, Limits: map[string]string{}}
	for _, l := range strings.Split(out, "\n") {
		key, val, _ := strings.Cut(l, ":")
		switch key {
		case "CapBnd":
			bits, err := strconv.ParseUint(strings.TrimSpace(val), 16, 64)
			if err != nil {
				t.Fatalf("CapBnd %q: %v", val, err)
			}
			k.Caps = capNames(bits)
		case "Seccomp":
			k.Seccomp = atoi(strings.TrimSpace(val))
		}
		for row, name := range procLimits {
			if rest, ok := strings.CutPrefix(l, row); ok {
				if f := strings.Fields(rest); len(f) >= 2 {
					k.Limits[name] = f[0] + ":" + f[1]
				}
			}
		}
		if f := strings.Fields(l); len(f) == 3 && f[0] == "0" && atoi(f[2]) > 0 {
			k.UIDMap = strings.Join(f, " ")
		}
	}
	if k.Caps == nil || k.Seccomp < 0 {
		t.Fatalf("no CapBnd/Seccomp in the container's output:\n%s", out)
	}
	return k
}

// capNames decodes a capability mask: bit n is capability number n
// (capabilities(7)), AllCapabilities is in that order.
func capNames(bits uint64) []string {
	out := []string{}
	for n := 0; n < 64; n++ {
		if bits&(1<<n) == 0 {
			continue
		}
		if n < len(AllCapabilities) {
			out = append(out, AllCapabilities[n])
		} else {
			out = append(out, "cap_"+strconv.Itoa(n))
		}
	}
	sort.Strings(out)
	return out
}

// predict is what ApplyLXC's view says the kernel shows, relative to the
// baseline run without lines (so that capabilities the kernel has beyond
// AllCapabilities, or LXC's base config, do not matter): keep mode bounds
// the container to Keep, otherwise the baseline loses Drop; a seccomp
// profile means a filter (Seccomp 2), a cleared or absent one the
// baseline's mode; a prlimit "n" or "soft:hard" sets both limits.
func predict(v LXCView, base kernelView) kernelView {
	want := kernelView{Seccomp: base.Seccomp, Limits: map[string]string{}, UIDMap: base.UIDMap}
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, c := range list {
			m[c] = true
		}
		return m
	}
	keep, drop := in(v.Caps.Keep), in(v.Caps.Drop)
	want.Caps = []string{}
	for _, c := range base.Caps {
		if v.Caps.KeepMode && keep[c] || !v.Caps.KeepMode && !drop[c] {
			want.Caps = append(want.Caps, c)
		}
	}
	if v.SeccompProfile != "" {
		want.Seccomp = 2
	}
	for name, val := range base.Limits {
		want.Limits[name] = val
	}
	for name, val := range v.PRLimits {
		soft, hard, ok := strings.Cut(val, ":")
		if !ok {
			hard = soft
		}
		want.Limits[name] = soft + ":" + hard
	}
	return want
}

// TestApplyLXCMatchesLXC proves ApplyLXC against LXC itself: each case's
// raw lines go into a real container's config after PVE's unprivileged
// base (pveUnprivilegedCaps), the container's init prints what the kernel
// applied, and that must be what ApplyLXC's view predicts; where the view
// says LXC refuses a line, lxc-start must fail to load the config at that
// very line.
//
// The container is unprivileged (lxc.idmap u/g 0 100000 65536), as PVE's
// and this provider's containers are: busybox runs fine in a user
// namespace here, and the capability bounding set is then the user
// namespace's, exactly what a hardened CT gets. One container serves every
// case (its config is rewritten per start); each start takes well under a
// second. lxc.cgroup2.pids.max is not checked: on a cgroup v1/v2 hybrid
// host LXC ignores lxc.cgroup2.* keys.
func TestApplyLXCMatchesLXC(t *testing.T) {
	begin := time.Now()
	c := lxcrun.New(t, lxcrun.Options{Prefix: "hardened-lxcsem", Unprivileged: true})
	policy := filepath.Join(c.Dir, "deny-kexec.seccomp")
	if err := os.WriteFile(policy, []byte("2\ndenylist\n[all]\nkexec_load errno 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, in []pctconf.Line) (string, error) {
		var b strings.Builder
		b.WriteString(pveUnprivilegedCaps)
		for _, l := range in {
			b.WriteString(l.Key + " = " + l.Value + "\n")
		}
		return c.Start(t, b.String(), "/bin/sh", "-c", "cat /proc/1/status /proc/1/limits /proc/self/uid_map")
	}

	out, err := run(t, nil)
	if err != nil {
		t.Fatalf("baseline start: %v\n%s", err, out)
	}
	base := parseKernelView(t, out)
	if base.UIDMap != "0 100000 65536" {
		t.Fatalf("the container is not unprivileged: uid_map %q", base.UIDMap)
	}
	if base.Seccomp != 0 {
		t.Fatalf("baseline has Seccomp %d; the base config must have no seccomp profile", base.Seccomp)
	}
	for _, c := range AllCapabilities {
		if !contains(base.Caps, c) {
			t.Fatalf("baseline bounding set lacks %s: %v", c, base.Caps)
		}
	}
	t.Logf("baseline: %d capabilities, Seccomp %d, limits %v, uid_map %s", len(base.Caps), base.Seccomp, base.Limits, base.UIDMap)

	for _, tc := range []struct {
		name string
		in   []pctconf.Line
	}{
		{"drop accumulates", lines("lxc.cap.drop", "sys_admin", "lxc.cap.drop", "sys_module mknod")},
		{"drop then empty drop", lines("lxc.cap.drop", "sys_admin net_raw", "lxc.cap.drop", "")},
		{"keep none", lines("lxc.cap.keep", "none")},
		{"keep none then empty keep", lines("lxc.cap.keep", "none", "lxc.cap.keep", "")},
		{"keep a b then keep none c", lines("lxc.cap.keep", "chown setgid", "lxc.cap.keep", "none fowner")},
		{"keep chown then keep setgid", lines("lxc.cap.keep", "chown", "lxc.cap.keep", "setgid")},
		{"keep none then empty drop", lines("lxc.cap.keep", "none", "lxc.cap.drop", "")},
		{"drop then empty keep", lines("lxc.cap.drop", "sys_admin", "lxc.cap.keep", "")},
		{"drop, empty drop, keep", lines("lxc.cap.drop", "sys_admin", "lxc.cap.drop", "", "lxc.cap.keep", "chown net_bind_service")},
		{"drop by number", lines("lxc.cap.drop", "3 21", "lxc.cap.drop", "40")},
		{"drop then keep", lines("lxc.cap.drop", "sys_admin", "lxc.cap.keep", "chown")},
		{"keep then drop", lines("lxc.cap.keep", "chown", "lxc.cap.drop", "sys_admin")},
		{"drop none", lines("lxc.cap.drop", "none")},
		{"drop CAP_SYS_ADMIN", lines("lxc.cap.drop", "CAP_SYS_ADMIN")},
		{"seccomp profile", lines("lxc.seccomp.profile", policy)},
		{"seccomp profile then empty", lines("lxc.seccomp.profile", policy, "lxc.seccomp.profile", "")},
		{"prlimit nofile 100 then 200", lines("lxc.prlimit.nofile", "100", "lxc.prlimit.nofile", "200")},
		{"prlimit nofile then empty", lines("lxc.prlimit.nofile", "100", "lxc.prlimit.core", "0", "lxc.prlimit.nofile", "")},
		{"prlimit soft:hard", lines("lxc.prlimit.nofile", "100:300")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := ApplyLXC(tc.in)
			out, err := run(t, tc.in)
			if v.Refused != "" {
				line, _, _ := strings.Cut(v.Refused, ": ")
				if err == nil {
					t.Fatalf("ApplyLXC says LXC refuses %q, but the container ran:\n%s", v.Refused, out)
				}
				if !strings.Contains(out, `Failed to parse config file`) || !strings.Contains(out, `at line "`+line+`"`) {
					t.Fatalf("ApplyLXC says LXC refuses %q; lxc-start failed otherwise:\n%s", line, out)
				}
				t.Logf("refused, as predicted: %s", line)
				return
			}
			if err != nil {
				t.Fatalf("lxc-start: %v\n%s", err, out)
			}
			got, want := parseKernelView(t, out), predict(v, base)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("LXC applied\n  %s\nApplyLXC predicts\n  %s\n(view %+v)", describe(got, base), describe(want, base), v)
			}
			t.Logf("kernel = prediction: %s", describe(got, base))
		})
	}
	t.Logf("runtime with setup: %s", time.Since(begin).Round(time.Millisecond))
}

// describe shows a view's capabilities relative to the baseline (what is
// missing from it), its Seccomp mode and limits.
func describe(k, base kernelView) string {
	var missing []string
	for _, c := range base.Caps {
		if !contains(k.Caps, c) {
			missing = append(missing, c)
		}
	}
	caps := "all but " + strings.Join(missing, " ")
	switch {
	case len(missing) == 0:
		caps = "all"
	case len(k.Caps) == 0:
		caps = "none"
	case len(k.Caps) < len(missing):
		caps = "only " + strings.Join(k.Caps, " ")
	}
	return "caps " + caps + ", Seccomp " + strconv.Itoa(k.Seccomp) + ", nofile " + k.Limits["nofile"] + ", core " + k.Limits["core"]
}
