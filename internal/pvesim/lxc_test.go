package pvesim

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionAndAuth(t *testing.T) {
	s := startTestSim(t)
	r := call(t, s, "GET", "/version", nil)
	if r.Status != 200 || r.Data.(map[string]any)["release"] != "9.1" {
		t.Fatalf("version: %+v", r)
	}
	// no credentials, wrong token, unknown path (after auth) and unauthenticated unknown path
	if r := callAuth(t, s, "GET", "/version", nil, "", nil); r.Status != 401 || r.Reason != "No ticket" {
		t.Fatalf("no auth: %d %q", r.Status, r.Reason)
	}
	if r := callAuth(t, s, "GET", "/version", nil, "PVEAPIToken=root@pam!sim=wrong", nil); r.Status != 401 || r.Reason != "Authentication failed!" {
		t.Fatalf("bad token: %d %q", r.Status, r.Reason)
	}
	if r := call(t, s, "GET", "/nodes/pve1/qemu", nil); r.Status != 501 || r.Reason != "Method 'GET /nodes/pve1/qemu' not implemented" {
		t.Fatalf("501: %d %q", r.Status, r.Reason)
	}
	if r := callAuth(t, s, "GET", "/nodes/pve1/qemu", nil, "", nil); r.Status != 401 {
		t.Fatalf("unauthenticated unknown path must be 401 first, got %d", r.Status)
	}
}

func TestTicketAuthAndCSRF(t *testing.T) {
	s := startTestSim(t)
	c := s.Credentials()
	if r := callAuth(t, s, "POST", "/access/ticket", map[string]string{"username": "root@pam", "password": "nope"}, "", nil); r.Status != 401 {
		t.Fatalf("bad password: %d", r.Status)
	}
	r := callAuth(t, s, "POST", "/access/ticket", map[string]string{"username": "root", "realm": "pam", "password": c.Password}, "", nil)
	if r.Status != 200 {
		t.Fatalf("ticket: %d %s", r.Status, r.Reason)
	}
	m := r.Data.(map[string]any)
	ticket, csrf := m["ticket"].(string), m["CSRFPreventionToken"].(string)
	if m["username"] != "root@pam" || !strings.HasPrefix(ticket, "PVE:root@pam:") {
		t.Fatalf("ticket answer: %v", m)
	}
	withTicket := func(csrfToken string) func(*http.Request) {
		return func(req *http.Request) {
			req.Header.Set("Cookie", "PVEAuthCookie="+ticket)
			if csrfToken != "" {
				req.Header.Set("CSRFPreventionToken", csrfToken)
			}
		}
	}
	if r := callAuth(t, s, "GET", "/nodes", nil, "", withTicket("")); r.Status != 200 {
		t.Fatalf("GET with ticket: %d", r.Status)
	}
	// a write without the CSRF token is refused; with it, root@pam-only options pass.
	createCT(t, s, "pve1", "100", nil)
	if r := callAuth(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"features": "keyctl=1"}, "", withTicket("")); r.Status != 401 || r.Reason != "Permission denied - invalid csrf token" {
		t.Fatalf("PUT without CSRF: %d %q", r.Status, r.Reason)
	}
	if r := callAuth(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"features": "keyctl=1"}, "", withTicket(csrf)); r.Status != 200 {
		t.Fatalf("root@pam features change: %d %q", r.Status, r.Reason)
	}
	// the root@pam token is not root@pam
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"features": "keyctl=1,fuse=1"})
	if r.Status != 403 || r.Reason != "Permission check failed (changing feature flags (except nesting) is only allowed for root@pam)" {
		t.Fatalf("token features change: %d %q", r.Status, r.Reason)
	}
	// nesting alone is allowed for a token
	if r := call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"features": "keyctl=1,nesting=1"}); r.Status != 200 {
		t.Fatalf("nesting change by token: %d %q", r.Status, r.Reason)
	}
	// ticket renewal: the ticket as password
	if r := callAuth(t, s, "POST", "/access/ticket", map[string]string{"username": "root@pam", "password": ticket}, "", nil); r.Status != 200 {
		t.Fatalf("renew: %d", r.Status)
	}
}

// TestNextIDAndCreateLifecycle follows one CT from nextid to destroy, step by
// step: each step builds on what the one before left.
func TestNextIDAndCreateLifecycle(t *testing.T) {
	s := startTestSim(t, "pve1", "pve2")
	lifecycleNextIDAndCreate(t, s)
	lifecycleConfFile(t, s)
	lifecycleReadBack(t, s)
	lifecycleDestroy(t, s)
}

// lifecycleNextIDAndCreate: nextid before and after creating CT 100, and
// the cluster-wide VMID checks.
func lifecycleNextIDAndCreate(t *testing.T, s *Sim) {
	r := call(t, s, "GET", "/cluster/nextid", nil)
	if r.Data != "100" {
		t.Fatalf("nextid must be the JSON string \"100\", got %#v", r.Data)
	}
	createCT(t, s, "pve1", "100", map[string]string{"cpulimit": "0.5", "memory": "256", "onboot": "1"})
	if r := call(t, s, "GET", "/cluster/nextid", nil); r.Data != "101" {
		t.Fatalf("nextid after create: %#v", r.Data)
	}
	r = call(t, s, "GET", "/cluster/nextid", map[string]string{"vmid": "100"})
	if r.Status != 400 || r.Errors["vmid"] != "VM 100 already exists" {
		t.Fatalf("nextid vmid check: %+v", r)
	}
	// the same VMID on another node: PVE's cluster-wide check
	r = call(t, s, "POST", "/nodes/pve2/lxc", map[string]string{"vmid": "100", "ostemplate": "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst", "rootfs": "local-lvm:4"})
	if r.Status != 500 || r.Reason != "CT 100 already exists on node 'pve1'" {
		t.Fatalf("duplicate: %d %q", r.Status, r.Reason)
	}
}

// lifecycleConfFile: the config file PVE's create writes, defaults and
// normalised net0 included.
func lifecycleConfFile(t *testing.T, s *Sim) {
	conf := readConfFile(t, s, "pve1", "100")
	for _, want := range []string{"arch: amd64\n", "cpulimit: 0.5\n", "hostname: ct100\n", "memory: 256\n", "onboot: 1\n",
		"ostype: debian\n", "rootfs: local-lvm:vm-100-disk-0,size=8G\n", "swap: 512\n", "unprivileged: 1\n"} {
		if !strings.Contains(conf, want) {
			t.Errorf("conf lacks %q:\n%s", want, conf)
		}
	}
	if !strings.Contains(conf, "net0: name=eth0,bridge=vmbr0,firewall=1,gw=10.0.0.1,hwaddr=BC:24:11:") || !strings.Contains(conf, ",type=veth\n") {
		t.Errorf("net0 not normalised like PVE:\n%s", conf)
	}
}

// lifecycleReadBack: the config with PVE's JSON types and a digest, the
// status and the cluster resources (cpus is the cpulimit string when no
// cores are set).
func lifecycleReadBack(t *testing.T, s *Sim) {
	r := call(t, s, "GET", "/nodes/pve1/lxc/100/config", nil)
	cfg := r.Data.(map[string]any)
	if cfg["cpulimit"] != "0.5" || cfg["memory"] != float64(256) || cfg["onboot"] != float64(1) || cfg["unprivileged"] != float64(1) {
		t.Fatalf("config types: cpulimit %#v memory %#v onboot %#v", cfg["cpulimit"], cfg["memory"], cfg["onboot"])
	}
	if d, _ := cfg["digest"].(string); len(d) != 40 {
		t.Fatalf("digest %v", cfg["digest"])
	}
	// status and list: cpus is the cpulimit string when no cores are set
	r = call(t, s, "GET", "/nodes/pve1/lxc/100/status/current", nil)
	st := r.Data.(map[string]any)
	if st["status"] != "stopped" || st["cpus"] != "0.5" || st["maxmem"] != float64(256<<20) {
		t.Fatalf("status: %v", st)
	}
	r = call(t, s, "GET", "/cluster/resources", map[string]string{"type": "vm"})
	res := r.Data.([]any)
	if len(res) != 1 || res[0].(map[string]any)["maxcpu"] != 0.5 || res[0].(map[string]any)["id"] != "lxc/100" {
		t.Fatalf("resources: %v", res)
	}
}

// lifecycleDestroy: destroy removes the config and the firewall file.
func lifecycleDestroy(t *testing.T, s *Sim) {
	fw := filepath.Join(s.DataDir(), "etc/pve/firewall/100.fw")
	if err := os.WriteFile(fw, []byte("[OPTIONS]\n\nenable: 1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	r := call(t, s, "DELETE", "/nodes/pve1/lxc/100", map[string]string{"purge": "1"})
	if st := waitTask(t, s, r.Data.(string)); st != "OK" {
		t.Fatalf("destroy: %s", st)
	}
	for _, p := range []string{fw, filepath.Join(s.DataDir(), "etc/pve/nodes/pve1/lxc/100.conf")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still exists", p)
		}
	}
	r = call(t, s, "GET", "/nodes/pve1/lxc/100/config", nil)
	if r.Status != 500 || r.Reason != "Configuration file 'nodes/pve1/lxc/100.conf' does not exist" {
		t.Fatalf("missing CT: %d %q", r.Status, r.Reason)
	}
}

func TestCreateValidation(t *testing.T) {
	s := startTestSim(t)
	base := map[string]string{"vmid": "100", "ostemplate": "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	// default storage 'local' cannot hold containers, like a default PVE install
	r := call(t, s, "POST", "/nodes/pve1/lxc", base)
	if r.Status != 400 || r.Errors["storage"] != "storage 'local' does not support container directories" {
		t.Fatalf("default storage: %d %v", r.Status, r.Errors)
	}
	cases := []struct{ k, v, errKey string }{
		{"memory", "8", "memory"}, {"tty", "7", "tty"}, {"arch", "sparc", "arch"}, {"cores", "0", "cores"},
		{"onboot", "true", "onboot"}, {"net0", "bridge=vmbr0", "net0"}, {"net32", "name=eth0", "net32"},
		{"bogus", "1", "bogus"}, {"rootfs", "local-lvm:4,mountoptions=nodev;exec", "rootfs"},
		{"features", "bogus=1", "features"}, {"password", "abc", "password"},
	}
	for _, c := range cases {
		r := call(t, s, "POST", "/nodes/pve1/lxc", with(c.k, c.v))
		if r.Status != 400 || r.Errors[c.errKey] == "" || r.Reason != "Parameter verification failed." {
			t.Errorf("%s=%s: %d %q %v", c.k, c.v, r.Status, r.Reason, r.Errors)
		}
	}
	r = call(t, s, "POST", "/nodes/pve1/lxc", map[string]string{"ostemplate": "local:vztmpl/x.tar.zst"})
	if r.Status != 400 || r.Errors["vmid"] != "property is missing and it is not optional" {
		t.Fatalf("missing vmid: %v", r.Errors)
	}
	r = call(t, s, "POST", "/nodes/pve1/lxc", with("rootfs", "local-lvm:4"))
	if r.Status != 200 {
		t.Fatalf("valid create: %d %q %v", r.Status, r.Reason, r.Errors)
	}
	waitTask(t, s, r.Data.(string))
	r = call(t, s, "POST", "/nodes/pve1/lxc", map[string]string{"vmid": "101", "rootfs": "local-lvm:4", "ostemplate": "local:vztmpl/nope.tar.zst"})
	if r.Status != 500 || !strings.Contains(r.Reason, "does not exist") {
		t.Fatalf("missing template: %d %q", r.Status, r.Reason)
	}
}

// TestConfigPutSemantics: PUT .../config as PVE's update_vm, step by step on
// one CT: each step builds on what the one before left.
func TestConfigPutSemantics(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	configPutRefusals(t, s)
	configPutKeepsRawLXC(t, s)
	configPutPendingWhileRunning(t, s)
}

// getCT100Config is GET /nodes/pve1/lxc/100/config with extra parameters.
func getCT100Config(t *testing.T, s *Sim, extra map[string]string) map[string]any {
	return call(t, s, "GET", "/nodes/pve1/lxc/100/config", extra).Data.(map[string]any)
}

// configPutRefusals: a PUT with the current digest passes, a stale digest,
// read-only and required options, delete+set of one key and an empty PUT
// are refused with PVE's errors.
func configPutRefusals(t *testing.T, s *Sim) {
	digest := getCT100Config(t, s, nil)["digest"].(string)
	if r := call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"memory": "1024", "digest": digest}); r.Status != 200 || r.Data != nil {
		t.Fatalf("put: %+v", r)
	}
	r := call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"memory": "2048", "digest": digest})
	if r.Status != 500 || r.Reason != "detected modified configuration - file changed by other user? Try again." {
		t.Fatalf("stale digest: %d %q", r.Status, r.Reason)
	}
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"unprivileged": "0"})
	if r.Status != 500 || r.Reason != "unable to modify read-only option: 'unprivileged'" {
		t.Fatalf("unprivileged: %d %q", r.Status, r.Reason)
	}
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"delete": "unprivileged"})
	if r.Status != 500 || r.Reason != "unable to delete read-only option: 'unprivileged'" {
		t.Fatalf("delete unprivileged: %d %q", r.Status, r.Reason)
	}
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"delete": "memory"})
	if r.Status != 500 || r.Reason != "unable to delete required option 'memory'" {
		t.Fatalf("delete memory: %d %q", r.Status, r.Reason)
	}
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"delete": "swap", "swap": "0"})
	if r.Status != 400 || r.Errors["delete"] == "" {
		t.Fatalf("delete+set: %+v", r)
	}
	if r := call(t, s, "PUT", "/nodes/pve1/lxc/100/config", nil); r.Status != 500 || r.Reason != "no options specified" {
		t.Fatalf("empty put: %d %q", r.Status, r.Reason)
	}
}

// configPutKeepsRawLXC: raw lxc.* lines added on the node survive API
// writes; rejected ones are dropped.
func configPutKeepsRawLXC(t *testing.T, s *Sim) {
	conf := readConfFile(t, s, "pve1", "100")
	writeConfFile(t, s, "pve1", "100", conf+"lxc.cap.drop: sys_admin\nlxc.apparmor.profile: lxc-web\nlxc.no_new_privs: 1\n")
	cfg := getCT100Config(t, s, nil)
	if fmt.Sprint(cfg["lxc"]) != "[[lxc.cap.drop sys_admin] [lxc.apparmor.profile lxc-web]]" {
		t.Fatalf("lxc array: %v", cfg["lxc"])
	}
	if r := call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"hostname": "web", "description": "a: b\nline 2"}); r.Status != 200 {
		t.Fatalf("put: %d %q", r.Status, r.Reason)
	}
	conf = readConfFile(t, s, "pve1", "100")
	if !strings.HasPrefix(conf, "#a%3A b\n#line 2\n") || !strings.HasSuffix(conf, "lxc.cap.drop: sys_admin\nlxc.apparmor.profile: lxc-web\n") || strings.Contains(conf, "no_new_privs") {
		t.Fatalf("conf after API write:\n%s", conf)
	}
}

// configPutPendingWhileRunning: on a running CT hot-pluggable keys apply,
// others go pending until the next start.
func configPutPendingWhileRunning(t *testing.T, s *Sim) {
	// (lxc-start needs the profile the raw line names to be loaded)
	writeNodeFile(t, s, "etc/apparmor.d/lxc/lxc-web", "profile lxc-web flags=(attach_disconnected,mediate_deleted) {\n}\n")
	r := call(t, s, "POST", "/nodes/pve1/lxc/100/status/start", nil)
	if st := waitTask(t, s, r.Data.(string)); st != "WARNINGS: 0" && st != "OK" {
		t.Fatalf("start: %s", st)
	}
	if r := call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"memory": "768", "features": "nesting=1", "timezone": "UTC"}); r.Status != 200 {
		t.Fatalf("put running: %d %q %v", r.Status, r.Reason, r.Errors)
	}
	cur, merged := getCT100Config(t, s, map[string]string{"current": "1"}), getCT100Config(t, s, nil)
	if cur["memory"] != float64(768) || cur["features"] != nil || merged["features"] != "nesting=1" || merged["timezone"] != "UTC" {
		t.Fatalf("pending view: current %v merged %v", cur, merged)
	}
	pend := call(t, s, "GET", "/nodes/pve1/lxc/100/pending", nil).Data.([]any)
	found := false
	for _, it := range pend {
		m := it.(map[string]any)
		if m["key"] == "features" && m["pending"] == "nesting=1" && m["value"] == nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("pending list lacks features: %v", pend)
	}
	if !strings.Contains(readConfFile(t, s, "pve1", "100"), "\n[pve:pending]\nfeatures: nesting=1\ntimezone: UTC\n") {
		t.Fatalf("pending section:\n%s", readConfFile(t, s, "pve1", "100"))
	}
	r = call(t, s, "POST", "/nodes/pve1/lxc/100/status/reboot", nil)
	waitTask(t, s, r.Data.(string))
	if c := getCT100Config(t, s, map[string]string{"current": "1"}); c["features"] != "nesting=1" {
		t.Fatalf("pending not applied at restart: %v", c)
	}
}

func TestStartStopAndLocks(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	if r := call(t, s, "POST", "/nodes/pve1/lxc/100/status/stop", nil); r.Status != 500 || r.Reason != "CT 100 not running" {
		t.Fatalf("stop stopped: %d %q", r.Status, r.Reason)
	}
	r := call(t, s, "POST", "/nodes/pve1/lxc/100/status/start", nil)
	upid := r.Data.(string)
	if !strings.HasPrefix(upid, "UPID:pve1:") || !strings.HasSuffix(upid, ":vzstart:100:root@pam!sim:") {
		t.Fatalf("upid %s", upid)
	}
	if st := waitTask(t, s, upid); st != "OK" {
		t.Fatalf("start: %s", st)
	}
	ts := call(t, s, "GET", "/nodes/pve1/tasks/"+upid+"/status", nil).Data.(map[string]any)
	if ts["user"] != "root@pam" || ts["tokenid"] != "sim" || ts["type"] != "vzstart" {
		t.Fatalf("task status: %v", ts)
	}
	lg := call(t, s, "GET", "/nodes/pve1/tasks/"+upid+"/log", nil)
	if lg.Total == nil || *lg.Total < 1 {
		t.Fatalf("task log: %+v", lg)
	}
	if r := call(t, s, "POST", "/nodes/pve1/lxc/100/status/start", nil); r.Status != 500 || r.Reason != "CT 100 already running" {
		t.Fatalf("double start: %d %q", r.Status, r.Reason)
	}
	if r := call(t, s, "DELETE", "/nodes/pve1/lxc/100", nil); r.Status != 500 || r.Reason != "unable to destroy CT 100 - container is running" {
		t.Fatalf("destroy running: %d %q", r.Status, r.Reason)
	}
	if r := call(t, s, "POST", "/nodes/pve1/lxc/100/status/start", map[string]string{"skiplock": "1"}); r.Status != 400 || r.Errors["skiplock"] != "Only root may use this option." {
		t.Fatalf("skiplock by token: %+v", r)
	}
	// a lock in the file is honoured
	writeConfFile(t, s, "pve1", "100", readConfFile(t, s, "pve1", "100")+"lock: backup\n")
	if r := call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"memory": "300"}); r.Status != 500 || r.Reason != "CT is locked (backup)" {
		t.Fatalf("locked: %d %q", r.Status, r.Reason)
	}
	// the flock PVE takes is a real flock on DIR/run/lock/lxc/pve-config-100.lock
	unlock, err := s.lockFile(ConfigLockPath(100), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.lockFile(ConfigLockPath(100), 0)
	unlock()
	if err == nil || err.Error() != "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout" {
		t.Fatalf("second flock: %v", err)
	}
	if r := call(t, s, "GET", "/nodes/pve1/tasks/UPID:pve1:0:0:0:x:1:a:/status", nil); r.Status != 400 || r.Errors["upid"] != "no such task" {
		t.Fatalf("unknown upid: %+v", r)
	}
}

func TestStorageAndNodes(t *testing.T) {
	s := startTestSim(t, "pve1", "pve2")
	r := call(t, s, "GET", "/nodes", nil)
	if len(r.Data.([]any)) != 2 {
		t.Fatalf("nodes: %v", r.Data)
	}
	r = call(t, s, "GET", "/nodes/pve1/storage/local/content", map[string]string{"content": "vztmpl"})
	var vols []string
	for _, v := range r.Data.([]any) {
		vols = append(vols, v.(map[string]any)["volid"].(string))
	}
	if !strings.Contains(strings.Join(vols, " "), "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst") ||
		!strings.Contains(strings.Join(vols, " "), "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz") {
		t.Fatalf("templates: %v", vols)
	}
	if r := call(t, s, "GET", "/nodes/pve9/status", nil); r.Status != 500 || r.Reason != "no such cluster node 'pve9'" {
		t.Fatalf("unknown node: %d %q", r.Status, r.Reason)
	}
	if r := call(t, s, "GET", "/nodes/pve1/storage", map[string]string{"content": "rootdir"}); len(r.Data.([]any)) != 1 {
		t.Fatalf("rootdir storages: %v", r.Data)
	}
}
