package pvesim

import (
	"strings"
	"testing"
)

// PVE's parse_address_list and parse_port_name_number_or_range split with
// Perl's split(/,/, ""), an empty list: an empty source, dest, sport or
// dport passes the schema (and copy_rule_data then deletes the property).
func TestFirewallRuleEmptyAddressesAndPorts(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	mustOK(t, call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22",
		"source": "10.0.0.0/8", "comment": "ssh"}), "create")
	for _, k := range []string{"source", "dest", "sport", "dport"} {
		r := call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "in", "action": "DROP", k: ""})
		if r.Status != 200 {
			t.Errorf("create with %s=\"\": %d %q %v", k, r.Status, r.Reason, r.Errors)
		}
	}
	mustOK(t, call(t, s, "PUT", ctFW+"/rules/4", map[string]string{"source": "", "dport": ""}), "update with empty values")
	if got := readFW(t, s, "100.fw"); !strings.Contains(got, "IN ACCEPT -p tcp # ssh\n") {
		t.Errorf("empty source and dport delete them:\n%s", got)
	}
	// a list with an empty element is still refused
	r := call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "in", "action": "DROP", "source": "10.0.0.1,"})
	if r.Status != 400 || r.Errors["source"] == "" {
		t.Errorf("source with a trailing comma: %d %v", r.Status, r.Errors)
	}
}

// GET .../interfaces is get_interfaces: null while the container does not
// run, else the namespace's interfaces with their addresses.
func TestInterfaces(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "101", map[string]string{"net1": "name=eth1,bridge=vmbr0,ip6=fd00::5/64"})
	path := "/nodes/pve1/lxc/101/interfaces"
	if r := mustOK(t, call(t, s, "GET", path, nil), "stopped"); r.Data != nil {
		t.Fatalf("stopped container: %#v, want null", r.Data)
	}
	if r := mustOK(t, call(t, s, "GET", "/nodes/pve1/lxc/999/interfaces", nil), "missing"); r.Data != nil {
		t.Fatalf("missing container: %#v, want null", r.Data)
	}
	if st := waitTask(t, s, mustOK(t, call(t, s, "POST", "/nodes/pve1/lxc/101/status/start", nil), "start").Data.(string)); st != "OK" {
		t.Fatalf("start: %s", st)
	}
	ifs := list(t, mustOK(t, call(t, s, "GET", path, nil), "running"))
	if len(ifs) != 3 || ifs[0]["name"] != "lo" || ifs[0]["inet"] != "127.0.0.1/8" || ifs[1]["name"] != "eth0" ||
		ifs[1]["inet"] != "10.0.0.1/24" || ifs[2]["name"] != "eth1" || ifs[2]["inet6"] != "fd00::5/64" {
		t.Fatalf("interfaces: %v", ifs)
	}
	if mac, _ := ifs[1]["hwaddr"].(string); mac == "" || mac != ifs[1]["hardware-address"] || mac != strings.ToLower(mac) {
		t.Errorf("eth0 MAC: %v", ifs[1])
	}
	addrs, _ := ifs[1]["ip-addresses"].([]any)
	if len(addrs) != 1 || addrs[0].(map[string]any)["ip-address"] != "10.0.0.1" || addrs[0].(map[string]any)["prefix"] != float64(24) ||
		addrs[0].(map[string]any)["ip-address-type"] != "inet" {
		t.Errorf("eth0 addresses: %v", addrs)
	}
}

// Hand-edited bytes read like Perl reads them: a trailing 0xA0 byte is
// \h (trimmed), a vertical tab is \s (an option's or a rule's trailing
// white space).
func TestFirewallOddBytes(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	writeFW(t, s, "100.fw", "[OPTIONS]\nenable: 1\v\npolicy_in: DROP\xa0\n[RULES]\nIN ACCEPT -p tcp -dport 22\xa0\nIN DROP -p udp -dport 53\v\n")
	opts := mustOK(t, call(t, s, "GET", ctFW+"/options", nil), "options").Data.(map[string]any)
	if opts["enable"] != float64(1) || opts["policy_in"] != "DROP" {
		t.Errorf("options: %v", opts)
	}
	rules := list(t, mustOK(t, call(t, s, "GET", ctFW+"/rules", nil), "rules"))
	if len(rules) != 2 || rules[0]["dport"] != "22" || rules[1]["dport"] != "53" {
		t.Errorf("rules: %v", rules)
	}
}

// A "[group x]" line in a guest's .fw is no section header there (only
// cluster.fw has groups): PVE reads it as a rule of type "[group" and its
// writer then refuses to save the file.
func TestFirewallGroupHeaderInGuestFile(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	writeFW(t, s, "100.fw", "[RULES]\nIN ACCEPT -p tcp -dport 22\n[group web]\nIN DROP\n")
	rules := list(t, mustOK(t, call(t, s, "GET", ctFW+"/rules", nil), "rules"))
	if len(rules) != 3 || rules[1]["type"] != "[group" || rules[1]["action"] != "web]" || rules[1]["errors"] == nil {
		t.Fatalf("rules: %v", rules)
	}
	r := call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "in", "action": "DROP"})
	if r.Status != 500 || !strings.HasPrefix(r.Reason, "unknown rule type '[group'") {
		t.Fatalf("saving the file: %d %q", r.Status, r.Reason)
	}
	if got := readFW(t, s, "100.fw"); got != "[RULES]\nIN ACCEPT -p tcp -dport 22\n[group web]\nIN DROP\n" {
		t.Errorf("the file changed:\n%s", got)
	}
}
