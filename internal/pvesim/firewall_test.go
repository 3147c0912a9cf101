package pvesim

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	proxmox "github.com/luthermonson/go-proxmox"
)

const ctFW = "/nodes/pve1/lxc/100/firewall"

func readFW(t *testing.T, s *Sim, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.DataDir(), "etc/pve/firewall", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFW(t *testing.T, s *Sim, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.DataDir(), "etc/pve/firewall", name), []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}

func mustOK(t *testing.T, r apiResp, what string) apiResp {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("%s: %d %q %v", what, r.Status, r.Reason, r.Errors)
	}
	return r
}

func list(t *testing.T, r apiResp) []map[string]any {
	t.Helper()
	items, ok := r.Data.([]any)
	if !ok {
		t.Fatalf("not a list: %#v", r.Data)
	}
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

// TestFirewallRules runs one rule list through its life, step by step: each
// step builds on the file the one before left.
func TestFirewallRules(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	fwRulesEmpty(t, s)
	digest := fwRulesCreateAndRead(t, s)
	fwRulesMoveAndUpdate(t, s, digest)
	fwRulesVerifyErrors(t, s)
	fwRulesDelete(t, s, digest)
}

// fwRulesEmpty: an empty rule list; options of a missing file carry sha1("").
func fwRulesEmpty(t *testing.T, s *Sim) {
	if r := mustOK(t, call(t, s, "GET", ctFW+"/rules", nil), "rules"); len(list(t, r)) != 0 {
		t.Fatalf("rules: %v", r.Data)
	}
	if d := mustOK(t, call(t, s, "GET", ctFW+"/options", nil), "options").Data.(map[string]any)["digest"]; d != "da39a3ee5e6b4b0d3255bfef95601890afd80709" {
		t.Fatalf("empty options digest %v", d)
	}
}

// fwRulesCreateAndRead creates two rules and reads them back as a list and
// one by one; it returns the list's digest.
func fwRulesCreateAndRead(t *testing.T, s *Sim) string {
	// new rules go to position 0 whatever pos says; enable defaults to 0
	mustOK(t, call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "comment": "ssh"}), "create 1")
	mustOK(t, call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "out", "action": "DROP", "enable": "1", "pos": "1", "macro": "dns"}), "create 2")
	if got, want := readFW(t, s, "100.fw"), "[RULES]\n\nOUT DNS(DROP)\n|IN ACCEPT -p tcp -dport 22 # ssh\n\n"; got != want {
		t.Fatalf("100.fw:\n%q\nwant\n%q", got, want)
	}
	rules := list(t, mustOK(t, call(t, s, "GET", ctFW+"/rules", nil), "rules"))
	if len(rules) != 2 || rules[0]["pos"] != float64(0) || rules[0]["macro"] != "DNS" || rules[0]["enable"] != float64(1) ||
		rules[1]["pos"] != float64(1) || rules[1]["enable"] != float64(0) || rules[1]["dport"] != "22" || rules[1]["comment"] != "ssh" {
		t.Fatalf("rules: %v", rules)
	}
	digest := rules[0]["digest"].(string)
	if len(digest) != 40 || rules[1]["digest"] != digest {
		t.Fatalf("digest %v", rules)
	}
	r := mustOK(t, call(t, s, "GET", ctFW+"/rules/1", nil), "rule 1").Data.(map[string]any)
	// pve-firewall copies pos from the URL: a string, unlike the list's numbers
	if r["pos"] != "1" || r["digest"] != digest || r["type"] != "in" {
		t.Fatalf("rule 1: %v", r)
	}
	for _, pos := range []string{"2", "+2", "002", "99999999999999999999"} {
		if r := call(t, s, "GET", ctFW+"/rules/"+pos, nil); r.Status != 500 || r.Reason != "no rule at position "+pos {
			t.Fatalf("rule %s: %d %q", pos, r.Status, r.Reason)
		}
	}
	return digest
}

// fwRulesMoveAndUpdate: moveto refused with a wrong digest, then moveto with
// the right one, then updates.
func fwRulesMoveAndUpdate(t *testing.T, s *Sim, digest string) {
	// digest mismatch, then moveto with the right digest (other arguments ignored)
	if r := call(t, s, "PUT", ctFW+"/rules/0", map[string]string{"moveto": "2", "digest": strings.Repeat("0", 40)}); r.Status != 500 ||
		r.Reason != "detected modified configuration - file changed by other user? Try again." {
		t.Fatalf("digest: %d %q", r.Status, r.Reason)
	}
	mustOK(t, call(t, s, "PUT", ctFW+"/rules/0", map[string]string{"moveto": "2", "comment": "ignored", "digest": digest}), "moveto")
	if got := readFW(t, s, "100.fw"); got != "[RULES]\n\n|IN ACCEPT -p tcp -dport 22 # ssh\nOUT DNS(DROP)\n\n" {
		t.Fatalf("after moveto:\n%s", got)
	}
	// update: enable, delete a key, "-" deletes too
	mustOK(t, call(t, s, "PUT", ctFW+"/rules/0", map[string]string{"enable": "1", "delete": "comment", "source": "10.0.0.0/8"}), "update")
	mustOK(t, call(t, s, "PUT", ctFW+"/rules/1", map[string]string{"log": "info", "macro": "-", "proto": "udp"}), "update 2")
	if got := readFW(t, s, "100.fw"); got != "[RULES]\n\nIN ACCEPT -source 10.0.0.0/8 -p tcp -dport 22\nOUT DROP -p udp -log info\n\n" {
		t.Fatalf("after update:\n%s", got)
	}
	if r := call(t, s, "PUT", ctFW+"/rules/0", map[string]string{"delete": "action"}); r.Status != 400 || r.Errors["delete"] != "unable to delete required property 'action'" {
		t.Fatalf("delete action: %d %v", r.Status, r.Errors)
	}
	if r := call(t, s, "PUT", ctFW+"/rules/5", map[string]string{"comment": "x"}); r.Status != 500 || r.Reason != "no rule at position 5" {
		t.Fatalf("update 5: %d %q", r.Status, r.Reason)
	}
}

// fwRulesVerifyErrors: verify_rule errors are parameter errors.
func fwRulesVerifyErrors(t *testing.T, s *Sim) {
	for _, tc := range []struct {
		p        map[string]string
		key, msg string
	}{
		{map[string]string{"type": "forward", "action": "ACCEPT"}, "type", "invalid rule type 'forward' for rule_env 'ct'"},
		{map[string]string{"type": "in", "action": "ACCEPT", "macro": "SSH", "proto": "tcp", "dport": "2222"}, "dport", "parameter 'dport' already define in macro (value = '22')"},
		{map[string]string{"type": "in", "action": "ACCEPT", "source": "+nosuchset"}, "source", "no such ipset 'nosuchset'"},
		{map[string]string{"type": "in", "action": "ACCEPT", "iface": "eth0"}, "iface", `value does not match the regex pattern 'net\d+'`},
	} {
		r := call(t, s, "POST", ctFW+"/rules", tc.p)
		if r.Status != 400 || r.Reason != "Parameter verification failed." || r.Errors[tc.key] != tc.msg {
			t.Errorf("%v: %d %q %v", tc.p, r.Status, r.Reason, r.Errors)
		}
	}
}

// fwRulesDelete: delete with a stale digest, out of range, then for real;
// the last delete removes the file.
func fwRulesDelete(t *testing.T, s *Sim, digest string) {
	if r := call(t, s, "DELETE", ctFW+"/rules/0", map[string]string{"digest": digest}); r.Status != 500 {
		t.Fatalf("stale digest delete: %d", r.Status)
	}
	if r := call(t, s, "DELETE", ctFW+"/rules/7", nil); r.Status != 500 || r.Reason != "no rule at position 7" {
		t.Fatalf("delete 7: %d %q", r.Status, r.Reason)
	}
	mustOK(t, call(t, s, "DELETE", ctFW+"/rules/1", nil), "delete 1")
	mustOK(t, call(t, s, "DELETE", ctFW+"/rules/0", nil), "delete 0")
	if _, err := os.Stat(filepath.Join(s.DataDir(), "etc/pve/firewall/100.fw")); !os.IsNotExist(err) {
		t.Fatalf("an empty config deletes the file: %v", err)
	}
}

func TestFirewallIndexOptionsAndHandEdits(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	fwIndexAndOptions(t, s)
	fwHandEdits(t, s)
	// a rule of an unknown type read from the file makes every write die, like PVE's writer
	writeFW(t, s, "100.fw", "[RULES]\nFOO ACCEPT\n")
	if r := call(t, s, "PUT", ctFW+"/options", map[string]string{"enable": "1"}); r.Status != 500 ||
		r.Reason != "unknown rule type 'foo' at /usr/share/perl5/PVE/Firewall.pm line 3731." {
		t.Fatalf("unknown type: %d %q", r.Status, r.Reason)
	}
}

// fwIndexAndOptions: the firewall index, then options set, read, refused
// (unknown key to delete, wrong digest) and changed.
func fwIndexAndOptions(t *testing.T, s *Sim) {
	idx := list(t, mustOK(t, call(t, s, "GET", ctFW, nil), "index"))
	if len(idx) != 5 || idx[0]["name"] != "rules" || idx[4]["name"] != "options" {
		t.Fatalf("index %v", idx)
	}
	mustOK(t, call(t, s, "PUT", ctFW+"/options", map[string]string{"enable": "1", "policy_in": "DROP", "log_level_in": "info"}), "options")
	o := mustOK(t, call(t, s, "GET", ctFW+"/options", nil), "options").Data.(map[string]any)
	if o["enable"] != float64(1) || o["policy_in"] != "DROP" || o["log_level_in"] != "info" {
		t.Fatalf("options %v", o)
	}
	if r := call(t, s, "PUT", ctFW+"/options", map[string]string{"delete": "ips", "digest": o["digest"].(string)}); r.Status != 400 || r.Errors["delete"] != "no such option 'ips'" {
		t.Fatalf("delete ips: %d %v", r.Status, r.Errors)
	}
	if r := call(t, s, "PUT", ctFW+"/options", map[string]string{"enable": "0", "digest": "0123"}); r.Status != 500 {
		t.Fatalf("options digest: %d", r.Status)
	}
	mustOK(t, call(t, s, "PUT", ctFW+"/options", map[string]string{"delete": "log_level_in", "enable": "0", "digest": o["digest"].(string)}), "options 2")
}

// fwHandEdits: a hand edit is what the API shows (PVE's tolerant reader: bad
// lines skipped, broken rules kept with errors), and the next write
// normalises the file like PVE's writer.
func fwHandEdits(t *testing.T, s *Sim) {
	writeFW(t, s, "100.fw", "[OPTIONS]\nenable: 1\nbogus: 7\n[ALIASES]\nweb 10.0.0.5/32 # www\n[IPSET Trusted]\n10.0.0.0/24\n!10.0.0.9\n"+
		"[RULES]\nin ssh(ACCEPT) -i net0 -source +trusted # admins\nIN ACCEPT -source +missing\nthis is not a rule\nOUT DROP -dest web\n")
	o := mustOK(t, call(t, s, "GET", ctFW+"/options", nil), "options").Data.(map[string]any)
	if o["enable"] != float64(1) || len(o) != 2 {
		t.Fatalf("hand-edited options %v", o)
	}
	rules := list(t, mustOK(t, call(t, s, "GET", ctFW+"/rules", nil), "rules"))
	if len(rules) != 3 || rules[0]["macro"] != "SSH" || rules[0]["iface"] != "net0" || rules[0]["comment"] != "admins" ||
		rules[1]["errors"].(map[string]any)["source"] != "no such ipset 'missing'" || rules[2]["ipversion"] != float64(4) {
		t.Fatalf("hand-edited rules %v", rules)
	}
	sets := list(t, mustOK(t, call(t, s, "GET", ctFW+"/ipset", nil), "ipsets"))
	if len(sets) != 1 || sets[0]["name"] != "trusted" {
		t.Fatalf("ipsets %v", sets)
	}
	al := mustOK(t, call(t, s, "GET", ctFW+"/aliases/WEB", nil), "alias").Data.(map[string]any)
	if al["cidr"] != "10.0.0.5" || al["ipversion"] != float64(4) || al["comment"] != "www" {
		t.Fatalf("alias %v", al)
	}
	// the next write normalises the file like PVE's writer
	mustOK(t, call(t, s, "PUT", ctFW+"/rules/2", map[string]string{"comment": "no web"}), "update")
	want := "[OPTIONS]\n\nenable: 1\n\n[ALIASES]\n\nweb 10.0.0.5 # www\n\n[IPSET trusted]\n\n10.0.0.0/24\n!10.0.0.9\n\n" +
		"[RULES]\n\nIN SSH(ACCEPT) -i net0 -source +trusted # admins\nIN ACCEPT -source +missing\nOUT DROP -dest web # no web\n\n"
	if got := readFW(t, s, "100.fw"); got != want {
		t.Fatalf("rewritten:\n%s\nwant\n%s", got, want)
	}
}

func TestFirewallIPSets(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	mustOK(t, call(t, s, "POST", ctFW+"/ipset", map[string]string{"name": "trusted", "comment": "admins"}), "create set")
	if r := call(t, s, "POST", ctFW+"/ipset", map[string]string{"name": "trusted"}); r.Status != 400 || r.Errors["name"] != "IPSet 'trusted' already exists" {
		t.Fatalf("dup set: %d %v", r.Status, r.Errors)
	}
	mustOK(t, call(t, s, "POST", ctFW+"/ipset/trusted", map[string]string{"cidr": "10.0.0.5/24", "comment": "lan"}), "add 1")
	mustOK(t, call(t, s, "POST", ctFW+"/ipset/trusted", map[string]string{"cidr": "10.0.0.9", "nomatch": "1"}), "add 2")
	if r := call(t, s, "POST", ctFW+"/ipset/trusted", map[string]string{"cidr": "10.0.0.9/32"}); r.Status != 400 || r.Errors["cidr"] != "address '10.0.0.9' already exists" {
		t.Fatalf("dup entry: %d %v", r.Status, r.Errors)
	}
	if r := call(t, s, "POST", ctFW+"/ipset/nope", map[string]string{"cidr": "10.0.0.1"}); r.Status != 500 || r.Reason != "no such IPSet 'nope'" {
		t.Fatalf("no set: %d %q", r.Status, r.Reason)
	}
	if got := readFW(t, s, "100.fw"); got != "[IPSET trusted] # admins\n\n10.0.0.0/24 # lan\n!10.0.0.9\n\n" {
		t.Fatalf("100.fw: %q", got)
	}
	// a raw "/" in {cidr} is accepted like PVE (go-proxmox sends it unescaped)
	if r := call(t, s, "GET", ctFW+"/ipset/trusted/10.0.0.0/24", nil); r.Status != 200 {
		t.Fatalf("raw slash cidr: %d %q", r.Status, r.Reason)
	}
	if r := call(t, s, "GET", ctFW+"/ipset/trusted/10.0.0.0%2F24", nil); r.Status != 200 {
		t.Fatalf("escaped cidr: %d %q", r.Status, r.Reason)
	}
	entries := list(t, mustOK(t, call(t, s, "GET", ctFW+"/ipset/trusted", nil), "entries"))
	if len(entries) != 2 || entries[1]["cidr"] != "10.0.0.9" || entries[1]["nomatch"] != float64(1) || entries[0]["nomatch"] != nil ||
		entries[0]["comment"] != "lan" || entries[0]["digest"] != entries[1]["digest"] {
		t.Fatalf("entries %v", entries)
	}
	// a CIDR in the path: the "/" is escaped by the client
	e := mustOK(t, call(t, s, "GET", ctFW+"/ipset/trusted/"+url.PathEscape("10.0.0.0/24"), nil), "entry").Data.(map[string]any)
	if e["comment"] != "lan" || e["digest"] != entries[0]["digest"] {
		t.Fatalf("entry %v", e)
	}
	if r := call(t, s, "GET", ctFW+"/ipset/trusted/10.1.1.1", nil); r.Status != 400 || r.Errors["cidr"] != "no such IP/Network" {
		t.Fatalf("missing entry: %d %v", r.Status, r.Errors)
	}
	mustOK(t, call(t, s, "PUT", ctFW+"/ipset/trusted/10.0.0.9", map[string]string{"comment": "gw", "digest": e["digest"].(string)}), "update entry")
	if got := readFW(t, s, "100.fw"); got != "[IPSET trusted] # admins\n\n10.0.0.0/24 # lan\n10.0.0.9 # gw\n\n" {
		t.Fatalf("after update (nomatch dropped when not given): %q", got)
	}
	// a non-empty set needs force
	if r := call(t, s, "DELETE", ctFW+"/ipset/trusted", nil); r.Status != 500 || r.Reason != "IPSet 'trusted' is not empty" {
		t.Fatalf("delete non-empty: %d %q", r.Status, r.Reason)
	}
	if r := call(t, s, "DELETE", ctFW+"/ipset/trusted", map[string]string{"force": "0"}); r.Status != 500 {
		t.Fatalf("force=0: %d", r.Status)
	}
	mustOK(t, call(t, s, "DELETE", ctFW+"/ipset/trusted/"+url.PathEscape("10.0.0.0/24"), nil), "delete entry")
	mustOK(t, call(t, s, "DELETE", ctFW+"/ipset/trusted", map[string]string{"force": "1"}), "force delete")
	if sets := list(t, mustOK(t, call(t, s, "GET", ctFW+"/ipset", nil), "sets")); len(sets) != 0 {
		t.Fatalf("sets %v", sets)
	}
}

func TestFirewallAliases(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	mustOK(t, call(t, s, "POST", ctFW+"/aliases", map[string]string{"name": "Web", "cidr": "10.0.0.5", "comment": "www"}), "create")
	if r := call(t, s, "POST", ctFW+"/aliases", map[string]string{"name": "web", "cidr": "10.0.0.6"}); r.Status != 400 || r.Errors["name"] != "alias 'web' already exists" {
		t.Fatalf("dup: %d %v", r.Status, r.Errors)
	}
	als := list(t, mustOK(t, call(t, s, "GET", ctFW+"/aliases", nil), "aliases"))
	if len(als) != 1 || als[0]["name"] != "Web" || als[0]["ipversion"] != float64(4) {
		t.Fatalf("aliases %v", als)
	}
	if r := call(t, s, "PUT", ctFW+"/aliases/web", map[string]string{"cidr": "10.0.0.7", "digest": "00"}); r.Status != 500 {
		t.Fatalf("digest: %d", r.Status)
	}
	mustOK(t, call(t, s, "PUT", ctFW+"/aliases/web", map[string]string{"cidr": "10.0.0.7", "rename": "front", "digest": als[0]["digest"].(string)}), "rename")
	if r := call(t, s, "GET", ctFW+"/aliases/web", nil); r.Status != 400 || r.Errors["name"] != "no such alias" {
		t.Fatalf("old name: %d %v", r.Status, r.Errors)
	}
	// a rule may use it; an ipset entry may name it
	mustOK(t, call(t, s, "POST", ctFW+"/rules", map[string]string{"type": "in", "action": "ACCEPT", "source": "front", "enable": "1"}), "rule with alias")
	mustOK(t, call(t, s, "POST", ctFW+"/ipset", map[string]string{"name": "set1"}), "set")
	mustOK(t, call(t, s, "POST", ctFW+"/ipset/set1", map[string]string{"cidr": "guest/front"}), "alias entry")
	if r := call(t, s, "POST", ctFW+"/ipset/set1", map[string]string{"cidr": "nope"}); r.Status != 500 || r.Reason != "no such alias 'nope'" {
		t.Fatalf("unknown alias entry: %d %q", r.Status, r.Reason)
	}
	if got := readFW(t, s, "100.fw"); got != "[ALIASES]\n\nfront 10.0.0.7\n\n[IPSET set1]\n\nguest/front\n\n[RULES]\n\nIN ACCEPT -source front\n\n" {
		t.Fatalf("100.fw %q", got)
	}
	mustOK(t, call(t, s, "DELETE", ctFW+"/aliases/FRONT", nil), "delete")
	mustOK(t, call(t, s, "DELETE", ctFW+"/aliases/front", nil), "delete again is fine")
}

func TestFirewallClusterOptions(t *testing.T) {
	s := startTestSim(t)
	const o = "/cluster/firewall/options"
	mustOK(t, call(t, s, "PUT", o, map[string]string{"enable": "1", "policy_in": "DROP", "log_ratelimit": "enable=1,burst=10"}), "set")
	got := mustOK(t, call(t, s, "GET", o, nil), "get").Data.(map[string]any)
	if got["enable"] != float64(1) || got["policy_in"] != "DROP" || got["log_ratelimit"] != "enable=1,burst=10" || len(got["digest"].(string)) != 40 {
		t.Fatalf("options %v", got)
	}
	if r := call(t, s, "PUT", o, map[string]string{"delete": "policy_in", "digest": "abc"}); r.Status != 500 {
		t.Fatalf("digest: %d", r.Status)
	}
	if r := call(t, s, "PUT", o, map[string]string{"policy_forward": "REJECT"}); r.Status != 400 || r.Errors["policy_forward"] == "" {
		t.Fatalf("forward REJECT: %d %v", r.Status, r.Errors)
	}
	// enable > 1: the current time (anti-lockout double call), read back within 60 s
	mustOK(t, call(t, s, "PUT", o, map[string]string{"enable": "2", "delete": "log_ratelimit"}), "enable timestamp")
	got = mustOK(t, call(t, s, "GET", o, nil), "get").Data.(map[string]any)
	if ts, _ := got["enable"].(float64); ts < float64(time.Now().Unix()-5) || got["log_ratelimit"] != nil {
		t.Fatalf("enable timestamp: %v", got)
	}
	if c := readFW(t, s, "cluster.fw"); !strings.HasPrefix(c, "[OPTIONS]\n\nenable: 1") || !strings.Contains(c, "policy_in: DROP\n") {
		t.Fatalf("cluster.fw %q", c)
	}
}

// TestFirewallClusterOptionsFile: the options as parse_clusterfw_option
// reads a hand-written cluster.fw: PVE's defaults are not returned (no file:
// only the digest of nothing), keys are case-insensitive, a stale
// anti-lockout timestamp reads as 0, the file parser accepts policy_forward
// REJECT (the API does not), and lines it cannot parse are skipped.
func TestFirewallClusterOptionsFile(t *testing.T) {
	s := startTestSim(t)
	const o = "/cluster/firewall/options"
	got := mustOK(t, call(t, s, "GET", o, nil), "get").Data.(map[string]any)
	if len(got) != 1 || got["digest"] != "da39a3ee5e6b4b0d3255bfef95601890afd80709" {
		t.Fatalf("no cluster.fw: %v", got)
	}
	writeFW(t, s, "cluster.fw", "[OPTIONS]\n\nENABLE: 1000000000\nPolicy_In: reject\npolicy_forward: REJECT\nebtables: 2\nnftables: 1\nlog_ratelimit: 1,rate=2/hour\n\n")
	got = mustOK(t, call(t, s, "GET", o, nil), "get").Data.(map[string]any)
	delete(got, "digest")
	want := map[string]any{"enable": float64(0), "policy_in": "REJECT", "policy_forward": "REJECT", "log_ratelimit": "1,rate=2/hour"}
	if len(got) != len(want) {
		t.Fatalf("options %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("options %v, want %v", got, want)
		}
	}
	if r := call(t, s, "PUT", o, map[string]string{"log_ratelimit": "enable=1,rate=0/second"}); r.Status != 400 || r.Errors["log_ratelimit"] == "" {
		t.Fatalf("bad rate: %d %v", r.Status, r.Errors)
	}
	if r := call(t, s, "PUT", o, map[string]string{"policy_in": "drop"}); r.Status != 400 {
		t.Fatalf("lower-case policy: %d %v", r.Status, r.Errors)
	}
}

func TestFirewallLock(t *testing.T) {
	s := startTestSim(t)
	lockDir := filepath.Join(s.DataDir(), "etc/pve/priv/lock")
	if err := os.MkdirAll(filepath.Join(lockDir, "firewall-vm-100"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := s.cfsLock("firewall-vm-100", 30*time.Millisecond, func() error { return nil })
	if err == nil || err.Error() != "cfs-lock 'firewall-vm-100' error: got lock request timeout" {
		t.Fatalf("held lock: %v", err)
	}
	// pmxcfs locks expire after 120 s
	old := time.Now().Add(-3 * time.Minute)
	if err := os.Chtimes(filepath.Join(lockDir, "firewall-vm-100"), old, old); err != nil {
		t.Fatal(err)
	}
	mustOK(t, call(t, s, "PUT", ctFW+"/options", map[string]string{"enable": "1"}), "expired lock")
	if _, err := os.Stat(filepath.Join(lockDir, "firewall-vm-100")); !os.IsNotExist(err) {
		t.Fatalf("lock not released: %v", err)
	}
}

// TestFirewallGoProxmox drives the firewall with go-proxmox v0.8.2 (JSON
// bodies) and shows its documented pitfall on PVE's integer nomatch.
func TestFirewallGoProxmox(t *testing.T) {
	s := startTestSim(t)
	createCT(t, s, "pve1", "100", nil)
	ctx := context.Background()
	c := s.Credentials()
	tokenUser, _, _ := strings.Cut(c.APIToken(), "=")
	client := proxmox.NewClient(s.Endpoint(), proxmox.WithAPIToken(tokenUser, c.TokenSecret))
	node, err := client.Node(ctx, "pve1")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := node.Container(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := ct.NewFirewallRule(ctx, &proxmox.FirewallRule{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "22", Enable: 1, Comment: "ssh"}); err != nil {
		t.Fatal(err)
	}
	if err := ct.NewFirewallRule(ctx, &proxmox.FirewallRule{Type: "forward", Action: "ACCEPT"}); err == nil ||
		!strings.Contains(err.Error(), "invalid rule type 'forward' for rule_env 'ct'") {
		t.Fatalf("forward: %v", err)
	}
	rules, err := ct.FirewallRules(ctx)
	if err != nil || len(rules) != 1 || rules[0].Enable != 1 || rules[0].Dport != "22" {
		t.Fatalf("rules: %v %+v", err, rules)
	}
	if err := ct.FirewallRule(3).Get(ctx); err == nil || err.Error() != "500 no rule at position 3" {
		t.Fatalf("rule 3: %v", err)
	}
	if err := ct.NewFirewallIPSet(ctx, proxmox.FirewallIPSetCreationOption{Name: "blocked"}); err != nil {
		t.Fatal(err)
	}
	if err := ct.NewFirewallIPSetEntry(ctx, "blocked", proxmox.FirewallIPSetEntryCreationOption{CIDR: "192.0.2.0/24", NoMatch: true}); err != nil {
		t.Fatal(err)
	}
	if got := readFW(t, s, "100.fw"); got != "[IPSET blocked]\n\n!192.0.2.0/24\n\n[RULES]\n\nIN ACCEPT -p tcp -dport 22 # ssh\n\n" {
		t.Fatalf("100.fw %q", got)
	}
	// PVE answers nomatch as the number 1, which go-proxmox's bool cannot take
	if _, err := ct.GetFirewallIPSetEntries(ctx, "blocked"); err == nil || !strings.Contains(err.Error(), "bool") {
		t.Fatalf("nomatch decode: %v", err)
	}
}

// TestLockExpiry: a lock nobody releases (its writer was killed) is gone
// once it has expired, even when no simulator request waits for it; a
// younger one stays.
func TestLockExpiry(t *testing.T) {
	ft := FastTiming()
	s, err := Start(Options{PlainHTTP: true, Timing: &ft, UnauthorizedDelay: -1, LockExpiry: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Stop() }()
	lockDir := filepath.Join(s.DataDir(), "etc/pve/priv/lock")
	for _, id := range []string{"firewall-vm-100", "firewall-vm-101"} {
		if err := os.MkdirAll(filepath.Join(lockDir, id), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// 101 is kept young: touched on every poll
	deadline := time.Now().Add(10 * time.Second)
	for {
		now := time.Now()
		if err := os.Chtimes(filepath.Join(lockDir, "firewall-vm-101"), now, now); err != nil {
			t.Fatalf("the young lock was removed: %v", err)
		}
		if _, err := os.Stat(filepath.Join(lockDir, "firewall-vm-100")); os.IsNotExist(err) {
			break
		}
		if now.After(deadline) {
			t.Fatal("the expired lock is still there after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
