package pvesim

import (
	"strings"
	"testing"
)

// permSim starts a simulator with a user alice@pve, her privilege-separated
// token alice@pve!tf and the given extra user.cfg lines; it returns the
// token's Authorization header value.
func permSim(t *testing.T, lines string) (*Sim, string) {
	t.Helper()
	s := startTestSim(t)
	// as PVE writes user.cfg: users and tokens before the ACLs that name them
	if err := s.AddUserConfig("user:alice@pve:1:0::::::"); err != nil {
		t.Fatal(err)
	}
	secret, err := s.AddToken("alice@pve!tf", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddUserConfig(lines); err != nil {
		t.Fatal(err)
	}
	return s, "PVEAPIToken=alice@pve!tf=" + secret
}

func TestPermissionModel(t *testing.T) {
	const role = "role:CTOps:VM.Audit,VM.Config.Options:\n"
	cases := []struct {
		name, cfg, path string
		want            []string // privileges held on path (sorted)
	}{
		{"no ACL: nothing", "", "/vms/100", nil},
		{"propagated from /", role + "acl:1:/:alice@pve:CTOps:\n", "/vms/100", []string{"VM.Audit", "VM.Config.Options"}},
		{"not propagated: only on the path itself", role + "acl:0:/vms:alice@pve:CTOps:\n", "/vms/100", nil},
		{"not propagated: on the path", role + "acl:0:/vms:alice@pve:CTOps:\n", "/vms", []string{"VM.Audit", "VM.Config.Options"}},
		{"deeper ACL replaces", role + "acl:1:/:alice@pve:PVEAuditor:\nacl:1:/vms:alice@pve:CTOps:\n", "/vms/100", []string{"VM.Audit", "VM.Config.Options"}},
		{"NoAccess deeper wins", role + "acl:1:/:alice@pve:CTOps:\nacl:1:/vms/100:alice@pve:NoAccess:\n", "/vms/100", nil},
		{"user ACL over group ACL on the same path", role + "group:ops:alice@pve::\nacl:1:/:@ops:PVEVMAdmin:\nacl:1:/:alice@pve:CTOps:\n", "/vms/100", []string{"VM.Audit", "VM.Config.Options"}},
		{"group ACL", role + "group:ops:alice@pve::\nacl:1:/vms:@ops:CTOps:\n", "/vms/7", []string{"VM.Audit", "VM.Config.Options"}},
		{"privsep token: intersection with the user", role + "acl:1:/:alice@pve:CTOps:\nacl:1:/:alice@pve!tf:PVEAuditor:\n", "/vms/100", []string{"VM.Audit"}},
		{"privsep token: its own ACL alone is not enough", "acl:1:/:alice@pve!tf:PVEAuditor:\n", "/vms/100", nil},
		{"pool member", role + "pool:web::100::\nacl:1:/pool/web:alice@pve:CTOps:\n", "/vms/100", []string{"VM.Audit", "VM.Config.Options"}},
		{"invalid privilege ignored", "role:X:VM.Audit,Bogus.Priv:\nacl:1:/:alice@pve:X:\n", "/vms/1", []string{"VM.Audit"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			uc := parseUserCfg("user:alice@pve:1:0::::::\ntoken:alice@pve!tf:0:1::\n"+tc.cfg, func(string, ...any) {})
			user := "alice@pve"
			if strings.Contains(tc.name, "token") {
				user = "alice@pve!tf"
			}
			got := strings.Join(sortedPrivs(uc.permissions(user, tc.path)), ",")
			if want := strings.Join(tc.want, ","); got != want {
				t.Fatalf("privileges of %s on %s = %q, want %q", user, tc.path, got, want)
			}
		})
	}
	t.Run("token without privsep has its user's privileges", func(t *testing.T) {
		uc := parseUserCfg("user:alice@pve:1:0::::::\ntoken:alice@pve!tf:0:0::\nacl:1:/:alice@pve:PVEAuditor:\n", func(string, ...any) {})
		if !uc.has("alice@pve!tf", "/nodes/pve1", "Sys.Audit") {
			t.Fatal("a token without privilege separation must hold its user's privileges")
		}
	})
	t.Run("built-in roles", func(t *testing.T) {
		if specialRoles["PVEAuditor"]["VM.Allocate"] || !specialRoles["PVEAuditor"]["Sys.Audit"] {
			t.Fatal("PVEAuditor must audit, not allocate")
		}
		if specialRoles["PVEAdmin"]["Mapping.Modify"] || specialRoles["PVEAdmin"]["Sys.Modify"] || !specialRoles["PVEVMAdmin"]["VM.Allocate"] {
			t.Fatal("PVEAdmin lacks Sys.Modify and Mapping.Modify; PVEVMAdmin allocates")
		}
		if len(specialRoles["Administrator"]) != len(validPrivs) {
			t.Fatal("Administrator holds every privilege")
		}
	})
}

func TestPermissionChecksOverHTTP(t *testing.T) {
	s, auth := permSim(t, "role:CTRead:VM.Audit:\nacl:1:/vms:alice@pve:CTRead:\nacl:1:/vms:alice@pve!tf:CTRead:\n")
	createCT(t, s, "pve1", "100", nil)

	r := callAuth(t, s, "GET", "/nodes/pve1/lxc/100/config", nil, auth, nil)
	if r.Status != 200 {
		t.Fatalf("VM.Audit on /vms reads the config: %d %s", r.Status, r.Reason)
	}
	r = callAuth(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"description": "x"}, auth, nil)
	if r.Status != 403 || r.Reason != "Permission check failed (/vms/100, VM.Config.Disk|VM.Config.CPU|VM.Config.Memory|VM.Config.Network|VM.Config.Options)" {
		t.Fatalf("update without any VM.Config.*: %d %q", r.Status, r.Reason)
	}
	// permissions are checked before parameters are verified, as in PVE
	r = callAuth(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"bogus": "1"}, auth, nil)
	if r.Status != 403 {
		t.Fatalf("a refused caller must get 403 before parameter errors: %d %q", r.Status, r.Reason)
	}
	r = callAuth(t, s, "GET", "/cluster/status", nil, auth, nil)
	if r.Status != 403 || r.Reason != "Permission check failed (/, Sys.Audit)" {
		t.Fatalf("cluster status without Sys.Audit: %d %q", r.Status, r.Reason)
	}
	r = callAuth(t, s, "GET", "/cluster/resources", map[string]string{"type": "vm"}, auth, nil)
	if r.Status != 200 || len(r.Data.([]any)) != 1 {
		t.Fatalf("resources lists the audited CT: %d %v", r.Status, r.Data)
	}
	if err := s.AddUserConfig("acl:1:/vms/100:alice@pve!tf:NoAccess:\n"); err != nil {
		t.Fatal(err)
	}
	r = callAuth(t, s, "GET", "/cluster/resources", map[string]string{"type": "vm"}, auth, nil)
	if r.Status != 200 || len(r.Data.([]any)) != 0 {
		t.Fatalf("resources hides a CT without VM.Audit: %d %v", r.Status, r.Data)
	}
	r = callAuth(t, s, "GET", "/nodes/pve1/lxc/100/status/current", nil, auth, nil)
	if r.Status != 403 || r.Reason != "Permission check failed (/vms/100, VM.Audit)" {
		t.Fatalf("NoAccess: %d %q", r.Status, r.Reason)
	}
	// the root@pam!sim token (no privilege separation) is still root@pam's
	if r := call(t, s, "PUT", "/nodes/pve1/lxc/100/config", map[string]string{"description": "x"}); r.Status != 200 {
		t.Fatalf("root@pam!sim: %d %s", r.Status, r.Reason)
	}
}

func TestPermissionCreateAndAuth(t *testing.T) {
	base := "role:CT:VM.Allocate,VM.Audit,VM.Config.Disk,VM.Config.Network,VM.Config.Options,VM.Config.CPU,VM.Config.Memory,Datastore.AllocateSpace,Datastore.Audit,SDN.Use:\n"
	s, auth := permSim(t, base+"acl:1:/:alice@pve:CT:\nacl:1:/:alice@pve!tf:CT:\n")
	p := map[string]string{"vmid": "101", "ostemplate": "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst",
		"rootfs": "local-lvm:8", "hostname": "ct101", "net0": "name=eth0,bridge=vmbr0"}
	p["unprivileged"] = "0"
	r := callAuth(t, s, "POST", "/nodes/pve1/lxc", p, auth, nil)
	if r.Status != 403 || r.Reason != "Permission check failed (/, Sys.Modify)" {
		t.Fatalf("privileged CT without Sys.Modify on /: %d %q", r.Status, r.Reason)
	}
	delete(p, "unprivileged")
	r = callAuth(t, s, "POST", "/nodes/pve1/lxc", p, auth, nil)
	if r.Status != 200 {
		t.Fatalf("create with the role: %d %q", r.Status, r.Reason)
	}
	if st := waitTask(t, s, r.Data.(string)); st != "OK" {
		t.Fatal(st)
	}
	// the token reads its own task; Sys.Audit is not needed for that
	r = callAuth(t, s, "GET", "/nodes/pve1/tasks/"+r.Data.(string)+"/status", nil, auth, nil)
	if r.Status != 200 {
		t.Fatalf("own task: %d %q", r.Status, r.Reason)
	}
	// a task of another user needs Sys.Audit on the node
	up := call(t, s, "POST", "/nodes/pve1/lxc/101/status/start", nil)
	waitTask(t, s, up.Data.(string))
	r = callAuth(t, s, "GET", "/nodes/pve1/tasks/"+up.Data.(string)+"/status", nil, auth, nil)
	if r.Status != 403 || r.Reason != "Permission check failed (/nodes/pve1, Sys.Audit)" {
		t.Fatalf("another user's task: %d %q", r.Status, r.Reason)
	}
	// a disabled user's token no longer authenticates
	if err := s.AddUserConfig("user:alice@pve:0:0::::::\n"); err != nil {
		t.Fatal(err)
	}
	if r := callAuth(t, s, "GET", "/version", nil, auth, nil); r.Status != 401 {
		t.Fatalf("disabled user's token: %d", r.Status)
	}
	if r := callAuth(t, s, "GET", "/version", nil, "PVEAPIToken=alice@pve!nope=x", nil); r.Status != 401 {
		t.Fatalf("unknown token: %d", r.Status)
	}
}

func TestResize(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	r := call(t, s, "PUT", "/nodes/pve1/lxc/100/resize", map[string]string{"disk": "rootfs", "size": "4G"})
	if r.Status != 500 || r.Reason != "unable to shrink disk size" {
		t.Fatalf("shrink: %d %q", r.Status, r.Reason)
	}
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/resize", map[string]string{"disk": "rootfs", "size": "8G"})
	if r.Status != 500 || r.Reason != "disk is already at specified size" {
		t.Fatalf("same size: %d %q", r.Status, r.Reason)
	}
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/resize", map[string]string{"disk": "rootfs", "size": "+2G"})
	if r.Status != 200 {
		t.Fatalf("grow: %d %q", r.Status, r.Reason)
	}
	if st := waitTask(t, s, r.Data.(string)); st != "OK" {
		t.Fatal(st)
	}
	if conf := readConfFile(t, s, "pve1", "100"); !strings.Contains(conf, "rootfs: local-lvm:vm-100-disk-0,size=10G\n") {
		t.Fatalf("rootfs after +2G:\n%s", conf)
	}
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/resize", map[string]string{"disk": "rootfs", "size": "10752M"})
	if r.Status != 200 || waitTask(t, s, r.Data.(string)) != "OK" {
		t.Fatalf("grow to 10.5G: %d %q", r.Status, r.Reason)
	}
	if conf := readConfFile(t, s, "pve1", "100"); !strings.Contains(conf, "size=10752M") {
		t.Fatalf("rootfs after 10752M:\n%s", conf)
	}
	r = call(t, s, "PUT", "/nodes/pve1/lxc/100/resize", map[string]string{"disk": "mp0", "size": "+1G"})
	if r.Status != 500 {
		t.Fatalf("resize of a missing mount point: %d %q", r.Status, r.Reason)
	}
	// resize needs VM.Config.Disk (the schema) and VM.Config.Options (the
	// remaining "disk" parameter) on the CT, Datastore.AllocateSpace on the storage
	if err := s.AddUserConfig("user:bob@pve:1:0::::::\nrole:R:VM.Config.Disk,Datastore.AllocateSpace:\nacl:1:/:bob@pve:R:\n"); err != nil {
		t.Fatal(err)
	}
	sec, err := s.AddToken("bob@pve!tf", false)
	if err != nil {
		t.Fatal(err)
	}
	r = callAuth(t, s, "PUT", "/nodes/pve1/lxc/100/resize", map[string]string{"disk": "rootfs", "size": "+1G"}, "PVEAPIToken=bob@pve!tf="+sec, nil)
	if r.Status != 403 || r.Reason != "Permission check failed (/vms/100, VM.Config.Options)" {
		t.Fatalf("resize without VM.Config.Options: %d %q", r.Status, r.Reason)
	}
}
