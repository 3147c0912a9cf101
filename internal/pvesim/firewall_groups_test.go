package pvesim

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFirewallSecurityGroups runs one security group through its life, step
// by step: each step builds on what the one before left.
func TestFirewallSecurityGroups(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	const g = "/cluster/firewall/groups"
	groupDigest := fwGroupCreateAndRead(t, s, g)
	fwGroupMoveto(t, s, g)

	// a CT rule referencing the group (unknown groups are not checked, like PVE)
	mustOK(t, call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "group", "action": "webserver", "iface": "net0", "enable": "1"}), "group ref")
	mustOK(t, call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "group", "action": "nosuchgroup"}), "unknown group ref")

	fwGroupRenameAndDelete(t, s, g, groupDigest)
}

// fwGroupCreateAndRead creates the group webserver with two rules (a third
// is refused) and reads them back; it returns the groups' digest.
func fwGroupCreateAndRead(t *testing.T, s *Sim, g string) string {
	mustOK(t, call(t, s, "POST", g, map[string]string{"group": "webserver", "comment": "web"}), "create group")
	if r := call(t, s, "POST", g, map[string]string{"group": "webserver"}); r.Status != 400 || r.Errors["group"] != "Security group 'webserver' already exists" {
		t.Fatalf("dup group: %d %v", r.Status, r.Errors)
	}
	mustOK(t, call(t, s, "POST", g+"/webserver", map[string]string{"type": "in", "action": "ACCEPT", "macro": "HTTP", "enable": "1"}), "group rule")
	mustOK(t, call(t, s, "POST", g+"/webserver", map[string]string{"type": "forward", "action": "ACCEPT", "proto": "tcp", "dport": "443"}), "forward rule in a group")
	if r := call(t, s, "POST", g+"/webserver", map[string]string{"type": "in", "action": "ACCEPT", "iface": "net0"}); r.Status != 400 || r.Errors["type"] != "parameter -i not allowed for this rule type" {
		t.Fatalf("iface in group: %d %v", r.Status, r.Errors)
	}
	if r := call(t, s, "GET", g+"/nope", nil); r.Status != 500 || r.Reason != "no such security group 'nope'" {
		t.Fatalf("missing group: %d %q", r.Status, r.Reason)
	}
	if got := readFW(t, s, "cluster.fw"); got != "[group webserver] # web\n\n|FORWARD ACCEPT -p tcp -dport 443\nIN HTTP(ACCEPT)\n\n" {
		t.Fatalf("cluster.fw %q", got)
	}
	groups := list(t, mustOK(t, call(t, s, "GET", g, nil), "groups"))
	if len(groups) != 1 || groups[0]["group"] != "webserver" || groups[0]["comment"] != "web" || len(groups[0]["digest"].(string)) != 40 {
		t.Fatalf("groups %v", groups)
	}
	grules := list(t, mustOK(t, call(t, s, "GET", g+"/webserver", nil), "group rules"))
	if len(grules) != 2 || grules[1]["macro"] != "HTTP" || grules[0]["type"] != "forward" {
		t.Fatalf("group rules %v", grules)
	}
	return groups[0]["digest"].(string)
}

// fwGroupMoveto: PVE's moveto inserts before the rule that is at <moveto>
// now: 0 -> 1 changes nothing, 0 -> 2 moves past rule 1.
func fwGroupMoveto(t *testing.T, s *Sim, g string) {
	mustOK(t, call(t, s, "PUT", g+"/webserver/0", map[string]string{"moveto": "1"}), "group moveto 1")
	if r := mustOK(t, call(t, s, "GET", g+"/webserver/0", nil), "group rule 0").Data.(map[string]any); r["type"] != "forward" {
		t.Fatalf("moveto 1: %v", r)
	}
	mustOK(t, call(t, s, "PUT", g+"/webserver/0", map[string]string{"moveto": "2"}), "group moveto 2")
	if r := mustOK(t, call(t, s, "GET", g+"/webserver/1", nil), "group rule 1").Data.(map[string]any); r["type"] != "forward" || r["pos"] != "1" {
		t.Fatalf("moved: %v", r)
	}
}

// fwGroupRenameAndDelete: a group with rules cannot be deleted; a rename
// rewrites the references in guest files; emptied, the group is deleted and
// cluster.fw with it.
func fwGroupRenameAndDelete(t *testing.T, s *Sim, g, groupDigest string) {
	// delete: only an empty group; references are not checked
	if r := call(t, s, "DELETE", g+"/webserver", nil); r.Status != 500 || r.Reason != "Security group 'webserver' is not empty" {
		t.Fatalf("delete non-empty: %d %q", r.Status, r.Reason)
	}
	// rename rewrites the references in guest files
	mustOK(t, call(t, s, "POST", g, map[string]string{"group": "web2", "rename": "webserver", "digest": groupDigest}), "rename")
	if got := readFW(t, s, "100.fw"); got != "[RULES]\n\n|GROUP nosuchgroup\nGROUP web2 -i net0\n\n" {
		t.Fatalf("100.fw after rename %q", got)
	}
	groups := list(t, mustOK(t, call(t, s, "GET", g, nil), "groups"))
	if len(groups) != 1 || groups[0]["group"] != "web2" || groups[0]["comment"] != "web" {
		t.Fatalf("groups after rename %v", groups)
	}
	mustOK(t, call(t, s, "DELETE", g+"/web2/0", nil), "delete group rule 0")
	mustOK(t, call(t, s, "DELETE", g+"/web2/0", nil), "delete group rule 1")
	if r := call(t, s, "DELETE", g+"/web2/0", nil); r.Status != 500 || r.Reason != "no rule at position 0" {
		t.Fatalf("empty group rule: %d %q", r.Status, r.Reason)
	}
	mustOK(t, call(t, s, "DELETE", g+"/web2", nil), "delete group")
	if _, err := os.Stat(filepath.Join(s.DataDir(), "etc/pve/firewall/cluster.fw")); !os.IsNotExist(err) {
		t.Fatalf("cluster.fw should be gone: %v", err)
	}
}
