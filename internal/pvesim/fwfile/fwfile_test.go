package fwfile

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Canonical files in PVE's writer format, built from the example lines of
// pve-firewall's tests and docs (FACTS.md §7).
const canonicalCT = `[OPTIONS]

enable: 1
policy_in: DROP
log_level_in: nolog

[ALIASES]

testip1 10.0.0.5 # web server
v6net fd00::/64

[IPSET a-longer-name-which-translates-into-fnv-digest]

10.0.0.0/8

[IPSET ipfilter-net2] # empty, allow nothing


[IPSET mynetgroup] # trusted

10.0.0.0/24
!10.0.0.5 # not this one
testip1

[RULES]

IN ACCEPT -p tcp -dport 443
OUT REJECT -p tcp -dport 81
IN ACCEPT -i net0 -source 192.168.5.0/24 -p tcp -dport 22
GROUP group2 -i net0
IN ACCEPT -dest +a-longer-name-which-translates-into-fnv-digest -p tcp -dport 80
OUT DROP -source testip1
IN SSH(ACCEPT) -i net0 -source 10.0.0.1-10.0.0.10 # accept SSH for IP range
IN SSH(ACCEPT) -i net0 -source +mynetgroup # accept ssh for ipset mynetgroup
|IN SSH(ACCEPT) -i net0 # disabled rule
IN REJECT -p icmp -log debug
IN ACCEPT -p icmp -icmp-type echo-request

`

const canonicalCluster = `[OPTIONS]

enable: 1
policy_in: DROP
log_ratelimit: enable=1,burst=10

[ALIASES]

mgmt 192.168.1.0/24

[IPSET management] # management hosts

192.168.1.10

[RULES]

IN ACCEPT -source +management -p tcp -dport 8006
GROUP group1 -i vmbr0
FORWARD DROP -p udp -dport 53

[group group1] # test group

IN ACCEPT -p tcp -dport 22 -log info
OUT ACCEPT
FORWARD ACCEPT -source mgmt

[group group2]


`

func parseCT(t testing.TB, data string) *File {
	t.Helper()
	return ParseFile(KindCT, "/etc/pve/firewall/100.fw", []byte(data), Parse(KindCluster, nil))
}

func TestRoundTripCanonical(t *testing.T) {
	for name, tc := range map[string]struct {
		kind Kind
		data string
	}{"ct": {KindCT, canonicalCT}, "cluster": {KindCluster, canonicalCluster}} {
		t.Run(name, func(t *testing.T) {
			f := ParseFile(tc.kind, "x.fw", []byte(tc.data), nil)
			if tc.kind == KindCT {
				f.SetCluster(Parse(KindCluster, nil))
			}
			if len(f.Warnings) > 0 {
				t.Errorf("warnings: %q", f.Warnings)
			}
			if got := string(f.Render()); got != tc.data {
				t.Fatalf("render(parse(f)) != f:\n--- got\n%s--- want\n%s", got, tc.data)
			}
		})
	}
}

func TestParseNormalises(t *testing.T) {
	in := `# a comment before any section
[options]
ENABLE: 1
policy_out:   accept
[ipset MyNet]
10.0.0.1/32
10.0.0.0/24
[rules]
in ssh(ACCEPT) -i net0
OUT ACCEPT --proto tcp --dport 80 -source 10.0.0.1 # web
IN DROP -p tcp -dport 25 -log nolog -source 10.0.0.2
`
	f := parseCT(t, in)
	want := `[OPTIONS]

enable: 1
policy_out: ACCEPT

[IPSET mynet]

10.0.0.0/24
10.0.0.1

[RULES]

IN SSH(ACCEPT) -i net0
OUT ACCEPT -source 10.0.0.1 -p tcp -dport 80 # web
IN DROP -source 10.0.0.2 -p tcp -dport 25 -log nolog

`
	if got := string(f.Render()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if len(f.Warnings) != 0 {
		t.Fatalf("warnings %q", f.Warnings)
	}
}

func TestParseWarnings(t *testing.T) {
	in := `IN ACCEPT
[OPTIONS]
enable: 2
bogus: 1
[RULES]
IN
IN ACCEPT -p tcp -dport 22 -foo bar
[MACROS]
IN ACCEPT -source +nosuchset
OUT DROP -source 10.0.0.1 -dest fd00::1
[IPSET 1bad]
10.0.0.1
[ALIASES]
broken not-an-ip
`
	f := parseCT(t, in)
	want := []string{
		"/etc/pve/firewall/100.fw (line 1): skip line - no section",
		"/etc/pve/firewall/100.fw (line 3): can't parse option 'enable: 2'",
		"/etc/pve/firewall/100.fw (line 4): can't parse option 'bogus: 1'",
		"/etc/pve/firewall/100.fw (line 6): unable to parse rule: IN",
		"/etc/pve/firewall/100.fw (line 7): unable to parse rule parameters: -foo bar",
		"/etc/pve/firewall/100.fw (line 8): unable to parse rule: [MACROS]",
		"/etc/pve/firewall/100.fw (line 9) - errors in rule parameters: IN ACCEPT -source +nosuchset",
		"  source: no such ipset 'nosuchset'",
		"/etc/pve/firewall/100.fw (line 10) - errors in rule parameters: OUT DROP -source 10.0.0.1 -dest fd00::1",
		"  dest: detected mixed ipv4/ipv6 addresses in rule",
		"/etc/pve/firewall/100.fw (line 11): invalid ipset name '1bad'",
		"/etc/pve/firewall/100.fw (line 12): skip line - no section",
		"/etc/pve/firewall/100.fw (line 14): value does not look like a valid IP address or CIDR network",
	}
	if !reflect.DeepEqual(f.Warnings, want) {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(f.Warnings, "\n"), strings.Join(want, "\n"))
	}
	// rules with errors are kept (and written back); unparsable lines are gone
	if len(f.Rules) != 2 || f.Rules[0].Errors["source"] == "" || f.Rules[1].Errors["dest"] == "" {
		t.Fatalf("rules: %+v", f.Rules)
	}
	if _, ok := f.Option("enable"); ok {
		t.Fatal("enable: 2 must be rejected for a guest")
	}
}

func TestParseRuleAndLine(t *testing.T) {
	for _, tc := range []struct {
		in, line string
		want     Rule
		err      string
	}{
		{in: "IN ACCEPT -p tcp -dport 443", line: "IN ACCEPT -p tcp -dport 443",
			want: Rule{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "443", Enable: 1}},
		{in: "|IN SSH(ACCEPT) -i net0 # disabled rule", line: "|IN SSH(ACCEPT) -i net0 # disabled rule",
			want: Rule{Type: "in", Action: "ACCEPT", Macro: "SSH", Iface: "net0", Enable: 0, Comment: "disabled rule", CommentSet: true}},
		{in: "GROUP group2 -i net0", line: "GROUP group2 -i net0",
			want: Rule{Type: "group", Action: "group2", Iface: "net0", Enable: 1}},
		{in: "out drop --sport 53 -p udp -icmp-type any -log err -dest 1.2.3.4", line: "OUT drop -dest 1.2.3.4 -p udp -sport 53 -log err -icmp-type any",
			want: Rule{Type: "out", Action: "drop", Sport: "53", Proto: "udp", IcmpType: "any", Log: "err", Dest: "1.2.3.4", Enable: 1}},
		{in: "IN ACCEPT #", line: "IN ACCEPT",
			want: Rule{Type: "in", Action: "ACCEPT", Enable: 1, CommentSet: true}},
		{in: "GROUP g1 -p tcp", err: "unable to parse rule parameters: -p tcp"},
		{in: "IN ACCEPT -log loud", err: "unable to parse rule parameters: -log loud"},
		{in: "|IN # x", err: "unable to parse rule: IN "},
	} {
		r, err := ParseRule(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(r, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.in, r, tc.want)
		}
		if got := r.Line(); got != tc.line {
			t.Errorf("%q: Line() = %q, want %q", tc.in, got, tc.line)
		}
	}
}

func sha(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestAPIViewsAndDigests: the API's views of one parsed file (read only, so
// each view is a subtest) and of the canonical cluster file.
func TestAPIViewsAndDigests(t *testing.T) {
	f := parseCT(t, `[OPTIONS]
enable: 1
policy_in: DROP
[ALIASES]
web 10.0.0.5/32 # www
[IPSET set1]
!10.0.0.9 # bad
10.0.0.0/24
[RULES]
IN ACCEPT -p tcp -dport 22 # ssh
|OUT DROP -source web
`)
	t.Run("rules", func(t *testing.T) { checkRulesAPI(t, f) })
	t.Run("options", func(t *testing.T) {
		opts := f.OptionsAPI()
		if opts["enable"] != int64(1) || opts["policy_in"] != "DROP" || opts["digest"] != sha("enable:1\npolicy_in:DROP\n") {
			t.Fatalf("options: %v", opts)
		}
		if d := New(KindCT).OptionsAPI()["digest"]; d != "da39a3ee5e6b4b0d3255bfef95601890afd80709" {
			t.Fatalf("empty options digest %v", d)
		}
	})
	t.Run("ipsets", func(t *testing.T) { checkIPSetsAPI(t, f) })
	t.Run("aliases", func(t *testing.T) { checkAliasesAPI(t, f) })
	t.Run("cluster", func(t *testing.T) {
		c := Parse(KindCluster, []byte(canonicalCluster))
		groups := c.GroupsAPI()
		gd := sha("comment:test group\ngroup:group1\n" + "group:group2\n")
		if !reflect.DeepEqual(groups, []map[string]any{
			{"group": "group1", "comment": "test group", "digest": gd}, {"group": "group2", "digest": gd},
		}) {
			t.Fatalf("groups %v", groups)
		}
		if copts := c.OptionsAPI(); copts["log_ratelimit"] != "enable=1,burst=10" || copts["enable"] != int64(1) {
			t.Fatalf("cluster options %v", copts)
		}
	})
}

// checkRulesAPI: the rule list with its digest and JSON types, and one rule
// by position.
func checkRulesAPI(t *testing.T, f *File) {
	rules, _ := f.RulesAPI("")
	d := sha("action:ACCEPT\ncomment:ssh\ndport:22\nenable:1\nproto:tcp\ntype:in\n" +
		"action:DROP\nenable:0\nipversion:4\nsource:web\ntype:out\n")
	want := []map[string]any{
		{"pos": 0, "type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "comment": "ssh", "enable": 1, "digest": d},
		{"pos": 1, "type": "out", "action": "DROP", "source": "web", "enable": 0, "ipversion": 4, "digest": d},
	}
	if !reflect.DeepEqual(rules, want) {
		t.Fatalf("rules:\n%v\nwant\n%v", rules, want)
	}
	// JSON types: enable, pos, ipversion numbers
	raw, _ := json.Marshal(rules[1])
	if !strings.Contains(string(raw), `"enable":0`) || !strings.Contains(string(raw), `"pos":1`) || !strings.Contains(string(raw), `"ipversion":4`) {
		t.Fatalf("json: %s", raw)
	}
	// GET .../rules/{pos}: pve-firewall copies pos from the URL, a string
	if r, err := f.RuleAPI("", 1); err != nil || r["pos"] != "1" || r["digest"] != d {
		t.Fatalf("rule 1: %v %v", r, err)
	}
	if _, err := f.RuleAPI("", 2); err == nil || err.Error() != "no rule at position 2" {
		t.Fatalf("rule 2: %v", err)
	}
}

// checkIPSetsAPI: the entries of set1 with their digest, one entry, a
// missing entry and set, and the set list.
func checkIPSetsAPI(t *testing.T, f *File) {
	entries, _ := f.IPSetEntriesAPI("set1")
	ed := sha("cidr:10.0.0.9\ncomment:bad\nnomatch:1\n" + "cidr:10.0.0.0/24\n")
	wantE := []map[string]any{
		{"cidr": "10.0.0.9", "nomatch": 1, "comment": "bad", "digest": ed},
		{"cidr": "10.0.0.0/24", "digest": ed},
	}
	if !reflect.DeepEqual(entries, wantE) {
		t.Fatalf("entries %v", entries)
	}
	if e, err := f.IPSetEntryAPI("set1", "10.0.0.9"); err != nil || e["nomatch"] != 1 {
		t.Fatalf("entry: %v %v", e, err)
	}
	var pe ParamError
	if _, err := f.IPSetEntryAPI("set1", "10.0.0.9/32"); !errors.As(err, &pe) || pe["cidr"] != "no such IP/Network" {
		t.Fatalf("entry not normalised: %v", err)
	}
	if _, err := f.IPSetEntriesAPI("nope"); err == nil || err.Error() != "no such IPSet 'nope'" {
		t.Fatalf("missing set: %v", err)
	}
	sets := f.IPSetsAPI()
	if len(sets) != 1 || sets[0]["name"] != "set1" || sets[0]["digest"] != sha("name:set1\n") {
		t.Fatalf("sets %v", sets)
	}
}

// checkAliasesAPI: the alias list with its digest, one alias (case
// insensitive, no digest) and a missing one.
func checkAliasesAPI(t *testing.T, f *File) {
	aliases := f.AliasesAPI()
	ad := sha("cidr:10.0.0.5\ncomment:www\nipversion:4\nname:web\n")
	if !reflect.DeepEqual(aliases, []map[string]any{{"name": "web", "cidr": "10.0.0.5", "ipversion": 4, "comment": "www", "digest": ad}}) {
		t.Fatalf("aliases %v", aliases)
	}
	if a, err := f.AliasAPI("WEB"); err != nil || a["cidr"] != "10.0.0.5" || a["digest"] != nil {
		t.Fatalf("alias: %v %v", a, err)
	}
	var pe ParamError
	if _, err := f.AliasAPI("x1"); !errors.As(err, &pe) || pe["name"] != "no such alias" {
		t.Fatalf("no alias: %v", err)
	}
}

func mustParam(t *testing.T, err error, key, msg string) {
	t.Helper()
	var pe ParamError
	if !errors.As(err, &pe) || pe[key] != msg {
		t.Fatalf("want ParamError %s=%q, got %#v", key, msg, err)
	}
}

func mustDie(t *testing.T, err error, msg string) {
	t.Helper()
	var pe ParamError
	if err == nil || errors.As(err, &pe) || err.Error() != msg {
		t.Fatalf("want die %q, got %#v", msg, err)
	}
}

func TestRuleMutations(t *testing.T) {
	cluster := Parse(KindCluster, []byte("[IPSET dcset]\n10.1.0.0/16\n[ALIASES]\ndcalias 10.2.0.1\n"))
	f := ParseFile(KindCT, "100.fw", nil, cluster)
	if err := f.CreateRule("", map[string]string{"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "pos": "5"}); err != nil {
		t.Fatal(err)
	}
	if err := f.CreateRule("", map[string]string{"type": "out", "action": "ACCEPT", "macro": "http", "enable": "1", "comment": "web"}); err != nil {
		t.Fatal(err)
	}
	// inserted at 0, enable defaults to 0, macro name normalised
	if got := string(f.Render()); got != "[RULES]\n\nOUT HTTP(ACCEPT) # web\n|IN ACCEPT -p tcp -dport 22\n\n" {
		t.Fatalf("render:\n%s", got)
	}
	f = ParseFile(KindCT, "100.fw", f.Render(), cluster)

	// errors of verify_rule, first one wins
	for _, tc := range []struct {
		p        map[string]string
		key, msg string
	}{
		{map[string]string{"type": "forward", "action": "ACCEPT"}, "type", "invalid rule type 'forward' for rule_env 'ct'"},
		{map[string]string{"type": "in", "action": "ACCEPT", "macro": "SSH", "dport": "23"}, "proto", "missing property - 'dport' requires this property"},
		{map[string]string{"type": "in", "action": "ACCEPT", "macro": "SSH", "proto": "tcp", "dport": "23"}, "dport", "parameter 'dport' already define in macro (value = '22')"},
		{map[string]string{"type": "in", "action": "ACCEPT", "macro": "DNS", "proto": "tcp"}, "proto", "parameter 'proto' already define in macro (value = 'udp')"},
		{map[string]string{"type": "in", "action": "ACCEPT", "macro": "nosuch"}, "macro", "unknown macro 'nosuch'"},
		{map[string]string{"type": "in", "action": "FOO"}, "action", "unknown action 'FOO'"},
		{map[string]string{"type": "in", "action": "ACCEPT", "dport": "22"}, "proto", "missing property - 'dport' requires this property"},
		{map[string]string{"type": "in", "action": "ACCEPT", "proto": "icmp", "sport": "1"}, "sport", "protocol 'icmp' does not support ports"},
		{map[string]string{"type": "in", "action": "ACCEPT", "iface": "eth0"}, "iface", `value does not match the regex pattern 'net\d+'`},
		{map[string]string{"type": "in", "action": "ACCEPT", "source": "+nope"}, "source", "no such ipset 'nope'"},
		{map[string]string{"type": "in", "action": "ACCEPT", "source": "nope"}, "source", "no such alias 'nope'"},
		{map[string]string{"type": "in", "action": "ACCEPT", "source": "10.0.0.1", "dest": "fd00::1"}, "dest", "detected mixed ipv4/ipv6 addresses in rule"},
		{map[string]string{"type": "in", "action": "ACCEPT", "proto": "tcp", "icmp-type": "any"}, "proto", "missing property - 'icmp-type' requires this property"},
		{map[string]string{"type": "group", "action": "x"}, "action", "invalid characters in security group name"},
	} {
		mustParam(t, f.CreateRule("", tc.p), tc.key, tc.msg)
	}
	// dc-level references resolve; an unknown security group is not checked
	for _, p := range []map[string]string{
		{"type": "in", "action": "ACCEPT", "source": "+dcset", "dest": "dc/dcalias"},
		{"type": "group", "action": "nosuchgroup", "iface": "net0"},
		{"type": "in", "action": "ACCEPT", "macro": "SSH", "proto": "tcp", "dport": "22"},
	} {
		if err := f.CreateRule("", p); err != nil {
			t.Fatalf("%v: %v", p, err)
		}
	}
	// an alias of one IP version, a proto of the other: die, not a parameter error
	mustDie(t, f.CreateRule("", map[string]string{"type": "in", "action": "ACCEPT", "proto": "icmpv6", "source": "dcalias"}),
		"detected mixed ipv4/ipv6 addresses in rule")
	f = ParseFile(KindCT, "100.fw", f.Render(), cluster)
	if len(f.Rules) != 5 || len(f.Warnings) != 0 {
		t.Fatalf("rules %d warnings %q", len(f.Rules), f.Warnings)
	}
	if r, _ := f.RuleAPI("", 2); r["ipversion"] != 4 {
		t.Fatalf("alias ipversion: %v", r)
	}
	digest := RulesDigest(f.Rules)

	// update: digest, position, moveto, delete
	mustDie(t, f.UpdateRule("", 0, map[string]string{"digest": "0000", "comment": "x"}), MsgModified)
	mustDie(t, f.UpdateRule("", 9, map[string]string{"digest": digest}), "no rule at position 9")
	mustParam(t, f.UpdateRule("", 0, map[string]string{"delete": "type"}), "delete", "unable to delete required property 'type'")
	mustParam(t, f.UpdateRule("", 0, map[string]string{"delete": "bogus"}), "delete", "no such property ('bogus')")
	// moveto: other arguments ignored
	order := func() []string {
		var out []string
		for _, r := range f.Rules {
			out = append(out, r.Line())
		}
		return out
	}
	before := order()
	if err := f.UpdateRule("", 0, map[string]string{"moveto": "3", "comment": "ignored", "digest": digest}); err != nil {
		t.Fatal(err)
	}
	after := order()
	if after[2] != before[0] || after[0] != before[1] || after[3] != before[3] {
		t.Fatalf("moveto 3:\n%q\n%q", before, after)
	}
	if err := f.UpdateRule("", 0, map[string]string{"moveto": "99"}); err != nil {
		t.Fatal(err)
	}
	if order()[4] != after[0] {
		t.Fatalf("moveto past the end: %q", order())
	}
	// update values and delete keys ("" and "-" delete too)
	last := -1
	for i, r := range f.Rules {
		if r.Macro == "SSH" {
			last = i
		}
	}
	if err := f.UpdateRule("", last, map[string]string{"comment": "-", "delete": "iface,enable"}); err != nil {
		t.Fatal(err)
	}
	if got := f.Rules[last].Line(); got != "IN SSH(ACCEPT) -p tcp -dport 22" {
		t.Fatalf("after update: %q", got)
	}
	// delete
	mustDie(t, f.DeleteRule("", 0, "bad"), MsgModified)
	mustDie(t, f.DeleteRule("", 7, ""), "no rule at position 7")
	n := len(f.Rules)
	if err := f.DeleteRule("", 0, RulesDigest(f.Rules)); err != nil || len(f.Rules) != n-1 {
		t.Fatalf("delete: %v", err)
	}
}

func TestGroupRulesAndGroups(t *testing.T) {
	c := Parse(KindCluster, []byte(canonicalCluster))
	mustDie(t, c.CreateRule("nope", map[string]string{"type": "in", "action": "ACCEPT"}), "no such security group 'nope'")
	mustParam(t, c.CreateRule("group2", map[string]string{"type": "in", "action": "ACCEPT", "iface": "net0"}), "type", "parameter -i not allowed for this rule type")
	mustParam(t, c.CreateRule("group2", map[string]string{"type": "group", "action": "group1"}), "type", "invalid rule type 'group' for rule_env 'group'")
	mustParam(t, c.CreateRule("group2", map[string]string{"type": "forward", "action": "REJECT"}), "action", "cannot define REJECT rules on forward chain")
	if err := c.CreateRule("group2", map[string]string{"type": "forward", "action": "ACCEPT", "enable": "1", "source": "mgmt"}); err != nil {
		t.Fatal(err)
	}
	// cluster-level rules allow forward
	if err := c.CreateRule("", map[string]string{"type": "forward", "action": "DROP"}); err != nil {
		t.Fatal(err)
	}
	mustDie(t, c.DeleteGroup("group1"), "Security group 'group1' is not empty")
	mustParam(t, func() error { _, err := c.CreateGroup(map[string]string{"group": "group1"}); return err }(), "group", "Security group 'group1' already exists")
	if _, err := c.CreateGroup(map[string]string{"group": "web", "comment": "web servers"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteGroup("group2"); err == nil {
		t.Fatal("group2 has a rule now")
	}
	if err := c.DeleteRule("group2", 0, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteGroup("group2"); err != nil {
		t.Fatal(err)
	}
	// rename: the copy exists until CompleteGroupRename
	digest := listDigest(c.groupListEntries())
	_, err := c.CreateGroup(map[string]string{"group": "g1new", "rename": "group1", "digest": "bad"})
	mustDie(t, err, MsgModified)
	_, err = c.CreateGroup(map[string]string{"group": "web", "rename": "group1"})
	mustParam(t, err, "group", "Security group 'web' does already exist")
	_, err = c.CreateGroup(map[string]string{"group": "x1", "rename": "nope"})
	mustParam(t, err, "group", "Security group 'nope' does not exist")
	rn, err := c.CreateGroup(map[string]string{"group": "g1new", "rename": "group1", "digest": digest})
	if err != nil || rn == nil || rn.From != "group1" || rn.To != "g1new" {
		t.Fatalf("rename: %v %v", rn, err)
	}
	if _, ok := c.Groups["group1"]; !ok {
		t.Fatal("old group must survive until complete")
	}
	c.CompleteGroupRename(rn)
	want := `[group g1new] # test group

IN ACCEPT -p tcp -dport 22 -log info
OUT ACCEPT
FORWARD ACCEPT -source mgmt

[group web] # web servers


`
	got := string(c.Render())
	if !strings.HasSuffix(got, want) || !strings.Contains(got, "GROUP g1new -i vmbr0\n") {
		t.Fatalf("after rename:\n%s", got)
	}
	ct := parseCT(t, "[RULES]\nGROUP group1 -i net0\nGROUP other\n")
	if !ct.RenameGroupRefs("group1", "g1new") || ct.Rules[0].Action != "g1new" || ct.Rules[1].Action != "other" {
		t.Fatalf("refs: %+v", ct.Rules)
	}
	// comment-only update with rename == group
	if rn, err := c.CreateGroup(map[string]string{"group": "web", "rename": "web", "comment": "new"}); err != nil || rn != nil || c.GroupComments["web"] != "new" {
		t.Fatalf("comment update: %v %v", rn, err)
	}
}

func TestIPSetMutations(t *testing.T) {
	f := parseCT(t, "[ALIASES]\nweb 10.0.0.5\n")
	if err := f.CreateIPSet(map[string]string{"name": "trusted", "comment": "ok"}); err != nil {
		t.Fatal(err)
	}
	mustParam(t, f.CreateIPSet(map[string]string{"name": "trusted"}), "name", "IPSet 'trusted' already exists")
	for _, p := range []map[string]string{
		{"cidr": "10.0.0.5/24", "comment": "net"},
		{"cidr": "10.9.9.9/32", "nomatch": "1"},
		{"cidr": "web"},
		{"cidr": "FD00::1/64"},
	} {
		if err := f.AddIPSetEntry("trusted", p); err != nil {
			t.Fatalf("%v: %v", p, err)
		}
	}
	mustParam(t, f.AddIPSetEntry("trusted", map[string]string{"cidr": "10.0.0.0/24"}), "cidr", "address '10.0.0.0/24' already exists")
	mustParam(t, f.AddIPSetEntry("trusted", map[string]string{"cidr": "10.9.9.9"}), "cidr", "address '10.9.9.9' already exists")
	mustParam(t, f.AddIPSetEntry("trusted", map[string]string{"cidr": "0.0.0.0/0"}), "cidr", "a zero prefix is not allowed in ipset entries")
	mustDie(t, f.AddIPSetEntry("trusted", map[string]string{"cidr": "dc/nope"}), "no such alias 'nope'")
	mustDie(t, f.AddIPSetEntry("nope", map[string]string{"cidr": "10.0.0.1"}), "no such IPSet 'nope'")
	want := "[ALIASES]\n\nweb 10.0.0.5\n\n[IPSET trusted] # ok\n\n10.0.0.0/24 # net\n!10.9.9.9\nfd00::/64\nweb\n\n"
	if got := string(f.Render()); got != want {
		t.Fatalf("render:\n%q\nwant\n%q", got, want)
	}
	f = parseCT(t, string(f.Render()))
	entries, _ := f.IPSetEntriesAPI("trusted")
	if entries[1]["nomatch"] != 1 {
		t.Fatalf("nomatch: %v", entries[1])
	}
	d := entries[1]["digest"].(string)
	mustDie(t, f.UpdateIPSetEntry("trusted", "10.9.9.9", map[string]string{"digest": "x"}), MsgModified)
	mustParam(t, f.UpdateIPSetEntry("trusted", "10.1.1.1", nil), "cidr", "no such IP/Network")
	if err := f.UpdateIPSetEntry("trusted", "10.9.9.9", map[string]string{"comment": "now", "digest": d}); err != nil {
		t.Fatal(err)
	}
	if e := f.IPSets["trusted"][1]; e.NoMatch || e.Comment != "now" {
		t.Fatalf("update replaces nomatch: %+v", e)
	}
	mustDie(t, f.DeleteIPSet("trusted", false), "IPSet 'trusted' is not empty")
	if err := f.DeleteIPSetEntry("trusted", "10.1.1.1", ""); err != nil {
		t.Fatal("deleting an absent entry is not an error")
	}
	// rename keeps the comment unless a new one is given
	if err := f.CreateIPSet(map[string]string{"name": "trusted2", "rename": "trusted"}); err != nil {
		t.Fatal(err)
	}
	if f.IPSetComments["trusted2"] != "ok" || len(f.IPSets["trusted2"]) != 4 {
		t.Fatalf("rename: %v", f.IPSetComments)
	}
	mustParam(t, f.CreateIPSet(map[string]string{"name": "x1", "rename": "trusted"}), "name", "IPSet 'trusted' does not exist")
	if err := f.DeleteIPSet("trusted2", true); err != nil {
		t.Fatal(err)
	}
	if got := string(f.Render()); got != "[ALIASES]\n\nweb 10.0.0.5\n\n" {
		t.Fatalf("after delete: %q", got)
	}
	// a name created with capitals is written as given and read back lower-case
	_ = f.CreateIPSet(map[string]string{"name": "MySet"})
	g := parseCT(t, string(f.Render()))
	if _, ok := g.IPSets["myset"]; !ok {
		t.Fatalf("ipsets %v", g.IPSets)
	}
	mustDie(t, g.DeleteIPSet("MySet", false), "no such IPSet 'MySet'")
}

func TestAliasMutations(t *testing.T) {
	f := parseCT(t, "")
	if err := f.CreateAlias(map[string]string{"name": "Web", "cidr": "10.0.0.5/32", "comment": "www"}); err != nil {
		t.Fatal(err)
	}
	mustParam(t, f.CreateAlias(map[string]string{"name": "web", "cidr": "10.0.0.6"}), "name", "alias 'web' already exists")
	_ = f.CreateAlias(map[string]string{"name": "db", "cidr": "10.0.0.7"})
	f = parseCT(t, string(f.Render()))
	if got := string(f.Render()); got != "[ALIASES]\n\ndb 10.0.0.7\nWeb 10.0.0.5 # www\n\n" {
		t.Fatalf("render: %q", got)
	}
	d := f.AliasesAPI()[0]["digest"].(string)
	mustDie(t, f.UpdateAlias("web", map[string]string{"cidr": "10.0.0.8", "digest": "x"}), MsgModified)
	mustParam(t, f.UpdateAlias("nope", map[string]string{"cidr": "10.0.0.8"}), "name", "no such alias")
	mustParam(t, f.UpdateAlias("web", map[string]string{"cidr": "10.0.0.8", "rename": "DB"}), "name", "alias 'DB' already exists")
	if err := f.UpdateAlias("web", map[string]string{"cidr": "10.0.0.8", "rename": "front", "digest": d}); err != nil {
		t.Fatal(err)
	}
	if got := string(f.Render()); got != "[ALIASES]\n\ndb 10.0.0.7\nfront 10.0.0.8\n\n" {
		t.Fatalf("renamed: %q", got)
	}
	if err := f.DeleteAlias("DB", ""); err != nil || len(f.Aliases) != 1 {
		t.Fatalf("delete: %v", err)
	}
	if err := f.DeleteAlias("nope", ""); err != nil {
		t.Fatal("deleting an absent alias is not an error")
	}
}

func TestOptions(t *testing.T) {
	f := parseCT(t, "[OPTIONS]\npolicy_in: DROP\n")
	mustDie(t, f.SetOptions(map[string]string{"digest": "x", "enable": "1"}), MsgModified)
	mustParam(t, f.SetOptions(map[string]string{"delete": "policy_in,ips"}), "delete", "no such option 'ips'")
	if err := f.SetOptions(map[string]string{"enable": "1", "dhcp": "0", "log_level_in": "info", "digest": f.OptionsDigest()}); err != nil {
		t.Fatal(err)
	}
	if got := string(f.Render()); got != "[OPTIONS]\n\npolicy_in: DROP\ndhcp: 0\nenable: 1\nlog_level_in: info\n\n" {
		t.Fatalf("render %q", got)
	}
	if err := f.SetOptions(map[string]string{"delete": "policy_in;dhcp"}); err != nil {
		t.Fatal(err)
	}
	o := parseCT(t, string(f.Render())).OptionsAPI()
	if o["enable"] != int64(1) || o["log_level_in"] != "info" || len(o) != 3 {
		t.Fatalf("options %v", o)
	}
	// cluster: enable > 1 stores the current time, read back as is within 60 s, else 0
	c := Parse(KindCluster, nil)
	restore := SetClock(func() time.Time { return time.Unix(1700000000, 0) })
	defer restore()
	if err := c.SetOptions(map[string]string{"enable": "2", "policy_forward": "DROP"}); err != nil {
		t.Fatal(err)
	}
	if got := string(c.Render()); got != "[OPTIONS]\n\nenable: 1700000000\npolicy_forward: DROP\n\n" {
		t.Fatalf("cluster %q", got)
	}
	if v := Parse(KindCluster, c.Render()).OptionsAPI()["enable"]; v != int64(1700000000) {
		t.Fatalf("fresh timestamp: %v", v)
	}
	SetClock(func() time.Time { return time.Unix(1700000100, 0) })
	if v := Parse(KindCluster, c.Render()).OptionsAPI()["enable"]; v != int64(0) {
		t.Fatalf("stale timestamp: %v", v)
	}
}

func TestCheckUnknownRuleType(t *testing.T) {
	f := parseCT(t, "[RULES]\nFOO ACCEPT\nIN ACCEPT\n")
	if len(f.Rules) != 2 || f.Rules[0].Errors["type"] != "invalid rule type 'foo' for rule_env 'ct'" {
		t.Fatalf("rules %+v", f.Rules[0])
	}
	if err := f.Check(); err == nil || err.Error() != "unknown rule type 'foo' at /usr/share/perl5/PVE/Firewall.pm line 3731." {
		t.Fatalf("check: %v", err)
	}
}

func TestCleanCIDR(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.5/24":              "10.0.0.0/24",
		"10.0.0.5":                 "10.0.0.5",
		"2001:DB8:0:0:1::5/64":     "2001:db8::/64",
		"2001:db8:0:1:0:0:0:1/128": "2001:db8:0:1::1/128",
		"1:0:0:2:0:0:0:3/128":      "1:0:0:2::3/128",
		"0:0:1:0:0:0:0:0/128":      "0:0:1::/128",
		"0:0:1:2:3:4:0:0/128":      "::1:2:3:4:0:0/128",
		"1:0:0:2:3:0:0:4/128":      "1::2:3:0:0:4/128",
		"2:1:0:0:3:0:0:1/128":      "2:1::3:0:0:1/128",
		"10.0.0.0/0":               "10.0.0.0/0",
	} {
		if got := cleanCIDR(in); got != want {
			t.Errorf("cleanCIDR(%q) = %q, want %q", in, got, want)
		}
	}
}

// unstableInPVE reports a parse result PVE's own writer does not round-trip:
// an ipset entry that is not an address (e.g. "[RULES]") is written back
// verbatim and read as something else.
func unstableInPVE(f *File) bool {
	for _, set := range f.IPSets {
		for _, e := range set {
			if e.Errors["cidr"] != "" && !strings.HasPrefix(e.Errors["cidr"], "duplicate") {
				return true
			}
		}
	}
	return false
}

// FuzzParseRender: parse(render(parse(x))) renders the same as parse(x).
func FuzzParseRender(f *testing.F) {
	for _, s := range []string{canonicalCT, canonicalCluster,
		"[RULES]\nIN ACCEPT -p tcp -dport 443\nOUT REJECT -p tcp -dport 81\n",
		"[RULES]\nIN ACCEPT -i net0 -source 192.168.5.0/24 -p tcp -dport 22\nGROUP group2 -i net0\n",
		"[RULES]\nIN ACCEPT -p tcp -dport 80 -dest +a-longer-name-which-translates-into-fnv-digest\nOUT DROP -source testip1\n",
		"[RULES]\nIN SSH(ACCEPT) -i net0 -source 10.0.0.1-10.0.0.10 # accept SSH for IP range\n",
		"[RULES]\nIN SSH(ACCEPT) -i net0 -source +mynetgroup # accept ssh for ipset mynetgroup\n|IN SSH(ACCEPT) -i net0 # disabled rule\nIN REJECT -p icmp -log debug\n",
		"[ipset ipfilter-net2] # empty, allow nothing\n",
		"[group g1]\nIN ACCEPT -i net0\n[IPSET x1]\n!1.2.3.4 # c\n1.2.3.4\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []Kind{KindCT, KindCluster, KindHost} {
			a := Parse(k, []byte(s))
			if unstableInPVE(a) {
				continue
			}
			ra := a.Render()
			b := Parse(k, ra)
			if rb := b.Render(); string(rb) != string(ra) {
				t.Fatalf("kind %d unstable:\n%q\n%q", k, ra, rb)
			}
		}
	})
}

func TestParseClusterAndHost(t *testing.T) {
	c := ParseFile(KindCluster, "/etc/pve/firewall/cluster.fw", []byte(`[OPTIONS]
ebtables: 0
policy_forward: drop
[group averyveryverylonggroupname]
IN ACCEPT
[GROUP Web] # Web servers
IN ACCEPT -p tcp -dport 80
IN ACCEPT -i net0
GROUP web
[rules]
GROUP web -i vmbr0
`), nil)
	want := []string{
		"/etc/pve/firewall/cluster.fw (line 4): security group name too long",
		"/etc/pve/firewall/cluster.fw (line 5): skip line - no section",
		"/etc/pve/firewall/cluster.fw (line 8) - errors in rule parameters: IN ACCEPT -i net0",
		"  type: parameter -i not allowed for this rule type",
		"/etc/pve/firewall/cluster.fw (line 9) - errors in rule parameters: GROUP web",
		"  type: invalid rule type 'group' for rule_env 'group'",
	}
	if !reflect.DeepEqual(c.Warnings, want) {
		t.Fatalf("warnings:\n%s", strings.Join(c.Warnings, "\n"))
	}
	// the group's "-i" is dropped by the writer (no interfaces in groups)
	wantOut := "[OPTIONS]\n\nebtables: 0\npolicy_forward: DROP\n\n[RULES]\n\nGROUP web -i vmbr0\n\n" +
		"[group web] # Web servers\n\nIN ACCEPT -p tcp -dport 80\nIN ACCEPT\nGROUP web\n\n"
	if got := string(c.Render()); got != wantOut {
		t.Fatalf("cluster render:\n%q\nwant\n%q", got, wantOut)
	}
	o := c.OptionsAPI()
	if o["ebtables"] != int64(0) || o["policy_forward"] != "DROP" {
		t.Fatalf("cluster options %v", o)
	}

	h := ParseFile(KindHost, "/etc/pve/nodes/pve1/host.fw", []byte(`[OPTIONS]
nf_conntrack_max: 0262144
nf_conntrack_helpers: ftp,bogus
log_level_in:
[ALIASES]
[RULES]
FORWARD ACCEPT -i vmbr0 -p tcp -dport 22
GROUP web
`), c)
	wantH := []string{
		"/etc/pve/nodes/pve1/host.fw (line 3): unknown helper bogus at /usr/share/perl5/PVE/Firewall.pm line 1167.",
		"/etc/pve/nodes/pve1/host.fw (line 5): can't parse option '[ALIASES]'",
	}
	if !reflect.DeepEqual(h.Warnings, wantH) {
		t.Fatalf("host warnings:\n%s", strings.Join(h.Warnings, "\n"))
	}
	if got := string(h.Render()); got != "[OPTIONS]\n\nnf_conntrack_max: 262144\nlog_level_in: \n\n[RULES]\n\nFORWARD ACCEPT -i vmbr0 -p tcp -dport 22\nGROUP web\n\n" {
		t.Fatalf("host render %q", got)
	}
	if err := CheckIPSetName(strings.Repeat("a", 65)); err == nil || err.Error() != "ipset name too long" {
		t.Fatalf("ipset name: %v", err)
	}
	if err := CheckGroupName("1x"); err == nil || err.Error() != "invalid security group name '1x'" {
		t.Fatalf("group name: %v", err)
	}
}
