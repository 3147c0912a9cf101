package pvesim

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

const (
	testSeccompPath = "/etc/pve/hardened/seccomp/hardened-0123456789abcdef.seccomp"
	testProfile     = "lxc-hardened-0123456789ab"
)

// writeNodeFile writes a file on the simulated node (DIR + path), as the provider's node channel does.
func writeNodeFile(t testing.TB, s *Sim, path, content string) {
	t.Helper()
	p := filepath.Join(s.DataDir(), path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}

// setLXCLines appends raw lxc.* lines to CT 100's config.
func setLXCLines(t testing.TB, s *Sim, lines ...string) {
	t.Helper()
	conf := readConfFile(t, s, "pve1", "100")
	for _, l := range lines {
		conf += l + "\n"
	}
	writeConfFile(t, s, "pve1", "100", conf)
}

// runTask posts a status action and returns the task's exit status and log lines.
func runTask(t testing.TB, s *Sim, action string) (string, []string) {
	t.Helper()
	r := call(t, s, "POST", "/nodes/pve1/lxc/100/status/"+action, nil)
	if r.Status != 200 {
		t.Fatalf("%s: %d %s", action, r.Status, r.Reason)
	}
	upid := r.Data.(string)
	exit := waitTask(t, s, upid)
	lg := call(t, s, "GET", "/nodes/pve1/tasks/"+url.PathEscape(upid)+"/log", nil)
	var lines []string
	for _, it := range lg.Data.([]any) {
		lines = append(lines, it.(map[string]any)["t"].(string))
	}
	return exit, lines
}

func ctStatus(t testing.TB, s *Sim) string {
	t.Helper()
	return call(t, s, "GET", "/nodes/pve1/lxc/100/status/current", nil).Data.(map[string]any)["status"].(string)
}

const seccompDenylist = "2\ndenylist\n[all]\nkexec_load errno 1\nopen_by_handle_at errno 1\n"

func TestStartWithConfinementFilesPresent(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		lines []string
	}{
		"generated profile and seccomp policy": {
			map[string]string{"etc/apparmor.d/lxc/" + testProfile: "profile " + testProfile + " {\n}\n", testSeccompPath: seccompDenylist},
			[]string{"lxc.apparmor.profile: " + testProfile, "lxc.seccomp.profile: " + testSeccompPath}},
		"profile in /etc/apparmor.d": {
			map[string]string{"etc/apparmor.d/lxc-webserver": "profile lxc-webserver {\n}\n"},
			[]string{"lxc.apparmor.profile: lxc-webserver"}},
		"allowlist with an errno default": {
			map[string]string{testSeccompPath: "2\nallowlist errno 38\n[all]\nread\nwrite\n"},
			[]string{"lxc.seccomp.profile: " + testSeccompPath}},
		"version 1 allowlist": {
			map[string]string{testSeccompPath: "1\nallowlist\n0\n1\n"},
			[]string{"lxc.seccomp.profile: " + testSeccompPath}},
		"unconfined":            {nil, []string{"lxc.apparmor.profile: unconfined"}},
		"PVE's generated":       {nil, []string{"lxc.apparmor.profile: generated"}},
		"LXC's own profile":     {nil, []string{"lxc.apparmor.profile: lxc-container-default-cgns"}},
		"no confinement lines":  {nil, nil},
		"last value wins":       {nil, []string{"lxc.apparmor.profile: lxc-missing", "lxc.apparmor.profile: unconfined"}},
		"empty value clears":    {nil, []string{"lxc.seccomp.profile: /etc/pve/missing.seccomp", "lxc.seccomp.profile:"}},
		"relative seccomp path": {map[string]string{"etc/x.seccomp": seccompDenylist}, []string{"lxc.seccomp.profile: etc/x.seccomp"}},
	} {
		t.Run(name, func(t *testing.T) {
			s := startTestSim(t)
			createCT(t, s, "pve1", "100", nil)
			for p, c := range tc.files {
				writeNodeFile(t, s, p, c)
			}
			setLXCLines(t, s, tc.lines...)
			if exit, log := runTask(t, s, "start"); exit != "OK" {
				t.Fatalf("start: %s\n%s", exit, strings.Join(log, "\n"))
			}
			if st := ctStatus(t, s); st != "running" {
				t.Fatalf("status %s", st)
			}
			if exit, log := runTask(t, s, "reboot"); exit != "OK" {
				t.Fatalf("reboot: %s\n%s", exit, strings.Join(log, "\n"))
			}
		})
	}
}

func TestStartFailsOnMissingConfinement(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		lines []string
		log   []string // LXC's lines, in order, before TASK ERROR
	}{
		"missing seccomp file": {nil, []string{"lxc.seccomp.profile: " + testSeccompPath}, []string{
			"lxc_read_seccomp_config: 1251 No such file or directory - Failed to open seccomp policy file " + testSeccompPath,
			"lxc_init: 870 Failed to read seccomp policy",
			`__lxc_start: 2039 Failed to initialize container "100"`}},
		"seccomp file without a version": {map[string]string{testSeccompPath: "denylist\n[all]\nbpf errno 1\n"},
			[]string{"lxc.seccomp.profile: " + testSeccompPath}, []string{
				"parse_config: 1129 Invalid version", "lxc_init: 870 Failed to read seccomp policy", `__lxc_start: 2039 Failed to initialize container "100"`}},
		"seccomp version 3": {map[string]string{testSeccompPath: "3\ndenylist\n"},
			[]string{"lxc.seccomp.profile: " + testSeccompPath}, []string{"parse_config: 1129 Invalid version"}},
		"seccomp path is a directory": {map[string]string{"etc/pve/hardened/seccomp/x": ""},
			[]string{"lxc.seccomp.profile: /etc/pve/hardened/seccomp"}, []string{"parse_config: 1129 Invalid version"}},
		"seccomp version only": {map[string]string{testSeccompPath: "2\n"},
			[]string{"lxc.seccomp.profile: " + testSeccompPath}, []string{"parse_config: 1134 Invalid config file"}},
		"seccomp version 1 denylist": {map[string]string{testSeccompPath: "1\ndenylist\n"},
			[]string{"lxc.seccomp.profile: " + testSeccompPath}, []string{"parse_config: 1139 Only allowlist policy is supported"}},
		"seccomp debug": {map[string]string{testSeccompPath: "2\ndenylist debug\n"},
			[]string{"lxc.seccomp.profile: " + testSeccompPath}, []string{"parse_config: 1144 Debug not yet implemented"}},
		"seccomp bad style": {map[string]string{testSeccompPath: "2\n[all]\nbpf errno 1\n"},
			[]string{"lxc.seccomp.profile: " + testSeccompPath}, []string{`parse_config_v2: 640 Bad seccomp policy style "[all]`, `"`}},
		"missing AppArmor profile": {nil, []string{"lxc.apparmor.profile: " + testProfile}, []string{
			"apparmor_process_label_set: 1221 Invalid argument - Failed to change AppArmor profile to " + testProfile,
			`__lxc_start: 2119 Failed to spawn container "100"`}},
		"profile file in another directory": {map[string]string{"etc/apparmor.d/local/lxc-webserver": "profile lxc-webserver {\n}\n"},
			[]string{"lxc.apparmor.profile: lxc-webserver"}, []string{
				"apparmor_process_label_set: 1221 Invalid argument - Failed to change AppArmor profile to lxc-webserver"}},
		"both missing: seccomp is read first": {nil,
			[]string{"lxc.apparmor.profile: " + testProfile, "lxc.seccomp.profile: " + testSeccompPath}, []string{
				"lxc_read_seccomp_config: 1251 No such file or directory - Failed to open seccomp policy file " + testSeccompPath}},
	} {
		t.Run(name, func(t *testing.T) {
			s := startTestSim(t)
			createCT(t, s, "pve1", "100", nil)
			for p, c := range tc.files {
				writeNodeFile(t, s, p, c)
			}
			setLXCLines(t, s, tc.lines...)
			exit, log := runTask(t, s, "start")
			if exit != "startup for container '100' failed" {
				t.Fatalf("start: exit %q\n%s", exit, strings.Join(log, "\n"))
			}
			if got := strings.Join(log, "\n"); !strings.Contains(got, strings.Join(tc.log, "\n")) ||
				!strings.HasSuffix(got, "\nTASK ERROR: startup for container '100' failed") {
				t.Fatalf("log:\n%s\nwant:\n%s", got, strings.Join(tc.log, "\n"))
			}
			if st := ctStatus(t, s); st != "stopped" {
				t.Fatalf("status %s after a failed start", st)
			}
		})
	}
}

func TestRebootFailsWhenConfinementGoes(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	writeNodeFile(t, s, "etc/apparmor.d/lxc/"+testProfile, "profile "+testProfile+" {\n}\n")
	writeNodeFile(t, s, testSeccompPath, seccompDenylist)
	setLXCLines(t, s, "lxc.apparmor.profile: "+testProfile, "lxc.seccomp.profile: "+testSeccompPath)
	if exit, log := runTask(t, s, "start"); exit != "OK" {
		t.Fatalf("start: %s\n%s", exit, strings.Join(log, "\n"))
	}
	// the running CT keeps its profile; the next start needs the file again
	if err := os.Remove(filepath.Join(s.DataDir(), testSeccompPath)); err != nil {
		t.Fatal(err)
	}
	exit, log := runTask(t, s, "reboot")
	if exit != "startup for container '100' failed" || !strings.Contains(strings.Join(log, "\n"), "Failed to open seccomp policy file "+testSeccompPath) {
		t.Fatalf("reboot: %s\n%s", exit, strings.Join(log, "\n"))
	}
	if st := ctStatus(t, s); st != "stopped" {
		t.Fatalf("status %s after a failed reboot", st)
	}
	// an AppArmor profile that is gone fails the reboot as well
	writeNodeFile(t, s, testSeccompPath, seccompDenylist)
	if exit, _ := runTask(t, s, "start"); exit != "OK" {
		t.Fatalf("start: %s", exit)
	}
	if err := os.Remove(filepath.Join(s.DataDir(), "etc/apparmor.d/lxc", testProfile)); err != nil {
		t.Fatal(err)
	}
	exit, log = runTask(t, s, "reboot")
	if exit != "startup for container '100' failed" || !strings.Contains(strings.Join(log, "\n"), "Failed to change AppArmor profile to "+testProfile) {
		t.Fatalf("reboot: %s\n%s", exit, strings.Join(log, "\n"))
	}
	if st := ctStatus(t, s); st != "stopped" {
		t.Fatalf("status %s after a failed reboot", st)
	}
}

// A failed start still applies pending changes first (vm_start writes them before lxc-start).
func TestFailedStartAppliesPending(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	setLXCLines(t, s, "lxc.apparmor.profile: lxc-missing")
	writeConfFile(t, s, "pve1", "100", readConfFile(t, s, "pve1", "100")+"\n[pve:pending]\nmemory: 1024\n")
	if exit, _ := runTask(t, s, "start"); exit != "startup for container '100' failed" {
		t.Fatalf("start: %s", exit)
	}
	if conf := readConfFile(t, s, "pve1", "100"); !strings.Contains(conf, "\nmemory: 1024\n") || strings.Contains(conf, "[pve:pending]") {
		t.Fatalf("pending not applied:\n%s", conf)
	}
}

type failingBackend struct{}

func (failingBackend) Start(context.Context, string, int, *ctconf.Config) error {
	return &LXCStartError{Lines: []string{"run_buffer: 571 Script exited with status 2"}}
}
func (failingBackend) Stop(context.Context, string, int, bool) error { return nil }

// Another backend does its own checks; an *LXCStartError from it is logged the same way.
func TestBackendLXCStartError(t *testing.T) {
	ft := FastTiming()
	s, err := Start(Options{PlainHTTP: true, Timing: &ft, UnauthorizedDelay: -1, Backend: failingBackend{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	createCT(t, s, "pve1", "100", nil)
	exit, log := runTask(t, s, "start")
	if exit != "startup for container '100' failed" || strings.Join(log, "\n") != "run_buffer: 571 Script exited with status 2\nTASK ERROR: startup for container '100' failed" {
		t.Fatalf("start: %s\n%s", exit, strings.Join(log, "\n"))
	}
}
