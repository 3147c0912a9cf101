package pvesim

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// startLXCSim starts a simulator with the real-LXC backend, or skips (fails
// when HARDENED_TEST_REQUIRE lists lxc).
func startLXCSim(t *testing.T) *Sim {
	t.Helper()
	return startLXCSimWith(t, &LXCOptions{})
}

func startLXCSimWith(t *testing.T, o *LXCOptions) *Sim {
	t.Helper()
	if os.Geteuid() != 0 {
		require.SkipOrFail(t, "lxc", "the real-LXC backend needs root")
	}
	for _, tool := range []string{"lxc-start", "busybox"} {
		if _, err := exec.LookPath(tool); err != nil {
			require.SkipOrFail(t, "lxc", "%s not installed (apt-get install lxc busybox-static)", tool)
		}
	}
	ft := FastTiming()
	s, err := Start(Options{PlainHTTP: true, Timing: &ft, UnauthorizedDelay: -1, LXC: o, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// The backend starts the translated config unprivileged, reports the real
// state, and stop removes the container.
func TestLXCBackendStartStop(t *testing.T) {
	s := startLXCSim(t)
	createCT(t, s, "pve1", "100", map[string]string{"unprivileged": "1", "memory": "128", "swap": "0", "cores": "1"})
	conf := readConfFile(t, s, "pve1", "100")
	writeConfFile(t, s, "pve1", "100", conf+"lxc.cgroup2.pids.max: 64\nlxc.cap.drop: sys_admin\n")
	r := call(t, s, "POST", "/nodes/pve1/lxc/100/status/start", nil)
	if r.Status != 200 {
		t.Fatalf("start: %d %s", r.Status, r.Reason)
	}
	if st := waitTask(t, s, r.Data.(string)); st != "OK" {
		t.Fatalf("start task: %s\n%s", st, taskLog(t, s, r.Data.(string)))
	}
	cur := call(t, s, "GET", "/nodes/pve1/lxc/100/status/current", nil).Data.(map[string]any)
	if cur["status"] != "running" {
		t.Fatalf("status %v", cur["status"])
	}
	pid := int(cur["pid"].(float64))
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); err != nil {
		t.Errorf("status pid %d is no process on this host: %v", pid, err)
	}
	b := s.LXC()
	out, err := exec.Command("lxc-attach", "-n", "100", "-P", b.Path(), "--", "/bin/cat", "/proc/self/uid_map", "/proc/self/status").CombinedOutput()
	if err != nil {
		t.Fatalf("lxc-attach: %v\n%s", err, out)
	}
	if f := strings.Fields(string(out)); len(f) < 3 || f[0] != "0" || f[1] != "100000" || f[2] != "65536" {
		t.Errorf("uid_map: %q", out)
	}
	config, _ := os.ReadFile(filepath.Join(b.Path(), "100", "config"))
	want := "lxc.cgroup2.pids.max = 64"
	if b.Hybrid() {
		want = "lxc.cgroup.pids.max = 64"
	}
	if !strings.Contains(string(config), want+"\n") {
		t.Errorf("config lacks %q:\n%s", want, config)
	}
	r = call(t, s, "POST", "/nodes/pve1/lxc/100/status/shutdown", nil)
	if st := waitTask(t, s, r.Data.(string)); st != "OK" {
		t.Fatalf("shutdown task: %s", st)
	}
	if _, err := os.Stat(filepath.Join(b.Path(), "100")); !os.IsNotExist(err) {
		t.Errorf("container directory left after shutdown: %v", err)
	}
	if st := call(t, s, "GET", "/nodes/pve1/lxc/100/status/current", nil).Data.(map[string]any)["status"]; st != "stopped" {
		t.Errorf("status after shutdown: %v", st)
	}
}

func taskLog(t *testing.T, s *Sim, upid string) string {
	node := strings.Split(upid, ":")[1]
	r := call(t, s, "GET", "/nodes/"+node+"/tasks/"+upid+"/log", nil)
	var b strings.Builder
	if l, ok := r.Data.([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				b.WriteString(m["t"].(string) + "\n")
			}
		}
	}
	return b.String()
}

// The translation follows update_lxc_config's order: includes, PVE's
// seccomp and AppArmor lines, idmap, limits, rootfs, then the raw lines
// (node paths mapped into the data directory); on a v1 host the cgroup2
// keys take their v1 form.
func TestTranslate(t *testing.T) {
	sec := ctconf.NewSection()
	sec.Keys = map[string]string{"unprivileged": "1", "memory": "256", "swap": "64", "cores": "2", "cpulimit": "1.5", "ostype": "debian", "hostname": "web"}
	sec.LXC = [][2]string{{"lxc.cap.drop", "sys_admin"}, {"lxc.seccomp.profile", "/etc/pve/hardened/seccomp/hardened-x.seccomp"}, {"lxc.cgroup2.pids.max", "64"}}
	in := translateInput{VMID: 100, Conf: sec, Dir: "/l/100", Root: "/data", CgroupPrefix: "p", CPUs: 4}
	v2 := translate(in)
	for _, want := range []string{
		"lxc.include = /usr/share/lxc/config/common.conf\nlxc.include = /usr/share/lxc/config/userns.conf\nlxc.apparmor.profile = generated\n",
		"lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n",
		"lxc.cgroup2.memory.max = 268435456\nlxc.cgroup2.memory.high = 266338304\nlxc.cgroup2.memory.swap.max = 67108864\nlxc.cgroup2.cpu.max = 150000 100000\n",
		"lxc.rootfs.path = /l/100/rootfs\n",
		"lxc.cap.drop = sys_admin\nlxc.seccomp.profile = /data/etc/pve/hardened/seccomp/hardened-x.seccomp\nlxc.cgroup2.pids.max = 64\nlxc.cgroup2.cpuset.cpus = 0-1\n",
	} {
		if !strings.Contains(v2.Config, want) {
			t.Errorf("config lacks\n%s\nin\n%s", want, v2.Config)
		}
	}
	if v2.SeccompRules != "" || len(v2.Notes) != 0 {
		t.Errorf("own seccomp profile: PVE writes no rules file (%q); notes %v", v2.SeccompRules, v2.Notes)
	}
	in.Hybrid, in.MemswAccounting = true, true
	v1 := translate(in)
	for _, want := range []string{
		"lxc.cgroup.memory.limit_in_bytes = 268435456\nlxc.cgroup.memory.memsw.limit_in_bytes = 335544320\nlxc.cgroup.cpu.cfs_period_us = 100000\nlxc.cgroup.cpu.cfs_quota_us = 150000\n",
		"lxc.cgroup.pids.max = 64\nlxc.cgroup.cpuset.cpus = 0-1\n",
	} {
		if !strings.Contains(v1.Config, want) {
			t.Errorf("v1 config lacks\n%s\nin\n%s", want, v1.Config)
		}
	}
	if strings.Contains(v1.Config, "lxc.cgroup2.") || len(v1.Notes) != 6 {
		t.Errorf("v1 config keeps cgroup2 keys or notes are off (%d): %v\n%s", len(v1.Notes), v1.Notes, v1.Config)
	}
	sec.LXC = nil
	sec.Keys["features"] = "keyctl=1,nesting=1"
	pve := translate(in)
	if !strings.Contains(pve.Config, "lxc.seccomp.profile = /l/100/rules.seccomp\n") || strings.Contains(pve.SeccompRules, "keyctl") ||
		!strings.Contains(pve.SeccompRules, "socket errno 97 [0,38,SCMP_CMP_EQ]\n") || !strings.Contains(pve.Config, "lxc.apparmor.allow_nesting = 1\n") {
		t.Errorf("PVE's own seccomp and AppArmor lines:\n%s\n%s", pve.Config, pve.SeccompRules)
	}
}
