package pvesim

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func initPidOf(t *testing.T, s *Sim) int {
	t.Helper()
	d := call(t, s, "GET", "/nodes/pve1/lxc/100/status/current", nil).Data.(map[string]any)
	pid, _ := d["pid"].(float64)
	if pid == 0 {
		t.Fatalf("no pid: %v", d)
	}
	return int(pid)
}

func procText(t *testing.T, s *Sim, pid int, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.DataDir(), "proc", strconv.Itoa(pid), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestProcViewOfRunningContainer: the init's /proc view is what LXC set up
// from the config of the start, and stays so until the next start: a
// config edit of the running container changes nothing; a reboot shows a
// new process with the new config; a stopped container has none.
func TestProcViewOfRunningContainer(t *testing.T) {
	s := startTestSim(t, "pve1")
	createCT(t, s, "pve1", "100", nil)
	writeNodeFile(t, s, "etc/apparmor.d/lxc/"+testProfile, "profile "+testProfile+" {\n}\n")
	setLXCLines(t, s, "lxc.cap.drop: sys_admin", "lxc.apparmor.profile: "+testProfile)
	if exit, lines := runTask(t, s, "start"); exit != "OK" {
		t.Fatalf("start: %s %v", exit, lines)
	}
	pid := initPidOf(t, s)
	status := procText(t, s, pid, "status")
	// every capability (bits 0..40) but LXC's common drops and sys_admin (21)
	for _, want := range []string{"CapBnd:\t000001fcfddcffff\n", "Seccomp:\t2\n", "Pid:\t" + strconv.Itoa(pid) + "\n"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	if got := procText(t, s, pid, "attr/current"); got != testProfile+" (enforce)\n" {
		t.Errorf("attr/current = %q", got)
	}
	if b, err := os.ReadFile(filepath.Join(s.DataDir(), "proc/sys/kernel/random/boot_id")); err != nil || len(strings.TrimSpace(string(b))) != 36 {
		t.Errorf("boot_id %q: %v", b, err)
	}
	// a config change of the running container is not what runs
	setLXCLines(t, s, "lxc.cap.drop: net_raw")
	if got := procText(t, s, pid, "status"); got != status {
		t.Errorf("the running init's view changed with its config:\n%s", got)
	}
	if exit, lines := runTask(t, s, "reboot"); exit != "OK" {
		t.Fatalf("reboot: %s %v", exit, lines)
	}
	pid2 := initPidOf(t, s)
	if pid2 == pid {
		t.Fatal("the reboot kept the init's pid")
	}
	if _, err := os.Stat(filepath.Join(s.DataDir(), "proc", strconv.Itoa(pid))); !os.IsNotExist(err) {
		t.Errorf("the old init's /proc entry is still there (%v)", err)
	}
	if got := procText(t, s, pid2, "status"); !strings.Contains(got, "CapBnd:\t000001fcfddcdfff\n") {
		t.Errorf("after the reboot without net_raw (13):\n%s", got)
	}
	if exit, lines := runTask(t, s, "stop"); exit != "OK" {
		t.Fatalf("stop: %s %v", exit, lines)
	}
	if _, err := os.Stat(filepath.Join(s.DataDir(), "proc", strconv.Itoa(pid2))); !os.IsNotExist(err) {
		t.Errorf("a stopped container's init is still in /proc (%v)", err)
	}
}
