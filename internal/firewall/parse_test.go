package firewall

import (
	"reflect"
	"strings"
	"testing"
)

func bp(b bool) *bool { return &b }

// canonicalCT is a guest file in the writer's format (what Config.Render
// produces), built from the example lines of FACTS.md §7.
const canonicalCT = `[OPTIONS]

dhcp: 0
enable: 1
ipfilter: 1
log_level_in: nolog
log_level_out: info
macfilter: 0
ndp: 1
policy_in: DROP
policy_out: REJECT
radv: 0

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
OUT ACCEPT -dest fd00::1 -p udp -dport 53:54 -sport 1024:65535 -log nolog # dns

`

// canonicalConfig is canonicalCT as a model.
var canonicalConfig = Config{
	Options: Options{Enable: bp(true), DHCP: bp(false), IPFilter: bp(true), MACFilter: bp(false), NDP: bp(true),
		RADV: bp(false), PolicyIn: "DROP", PolicyOut: "REJECT", LogLevelIn: "nolog", LogLevelOut: "info"},
	Aliases: []Alias{{Name: "testip1", CIDR: "10.0.0.5", Comment: "web server"}, {Name: "v6net", CIDR: "fd00::/64"}},
	IPSets: []IPSet{
		{Name: "a-longer-name-which-translates-into-fnv-digest", Entries: []IPSetEntry{{CIDR: "10.0.0.0/8"}}},
		{Name: "ipfilter-net2", Comment: "empty, allow nothing"},
		{Name: "mynetgroup", Comment: "trusted", Entries: []IPSetEntry{{CIDR: "10.0.0.0/24"},
			{CIDR: "10.0.0.5", NoMatch: true, Comment: "not this one"}, {CIDR: "testip1"}}},
	},
	Rules: []Rule{
		{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "443", Enable: true},
		{Type: "out", Action: "REJECT", Proto: "tcp", Dport: "81", Enable: true},
		{Type: "in", Action: "ACCEPT", Iface: "net0", Source: "192.168.5.0/24", Proto: "tcp", Dport: "22", Enable: true},
		{Type: "group", Action: "group2", Iface: "net0", Enable: true},
		{Type: "in", Action: "ACCEPT", Dest: "+a-longer-name-which-translates-into-fnv-digest", Proto: "tcp", Dport: "80", Enable: true},
		{Type: "out", Action: "DROP", Source: "testip1", Enable: true},
		{Type: "in", Action: "ACCEPT", Macro: "SSH", Iface: "net0", Source: "10.0.0.1-10.0.0.10", Comment: "accept SSH for IP range", Enable: true},
		{Type: "in", Action: "ACCEPT", Macro: "SSH", Iface: "net0", Source: "+mynetgroup", Comment: "accept ssh for ipset mynetgroup", Enable: true},
		{Type: "in", Action: "ACCEPT", Macro: "SSH", Iface: "net0", Comment: "disabled rule"},
		{Type: "in", Action: "REJECT", Proto: "icmp", Log: "debug", Enable: true},
		{Type: "in", Action: "ACCEPT", Proto: "icmp", IcmpType: "echo-request", Enable: true},
		{Type: "out", Action: "ACCEPT", Dest: "fd00::1", Proto: "udp", Dport: "53:54", Sport: "1024:65535", Log: "nolog", Comment: "dns", Enable: true},
	},
}

func mustParse(t *testing.T, data string) Config {
	t.Helper()
	c, errs := Parse([]byte(data))
	if len(errs) > 0 {
		t.Fatalf("Parse: unexpected errors %v", errs)
	}
	return c
}

func TestParseCanonical(t *testing.T) {
	c := mustParse(t, canonicalCT)
	if !reflect.DeepEqual(c, canonicalConfig) {
		t.Fatalf("Parse(canonicalCT):\n got %+v\nwant %+v", c, canonicalConfig)
	}
	if got := string(c.Render()); got != canonicalCT {
		t.Fatalf("render(parse(f)) != f:\n--- got\n%s--- want\n%s", got, canonicalCT)
	}
	if got := string(canonicalConfig.Render()); got != canonicalCT {
		t.Fatalf("canonicalConfig.Render() != canonicalCT:\n%s", got)
	}
}

// TestParseRuleLines: every example rule line of FACTS.md §7 (and the
// accepted spellings) parses to the expected Rule, and its rendering reads
// back as the same rule.
func TestParseRuleLines(t *testing.T) {
	on := func(r Rule) Rule { r.Enable = true; return r }
	for _, tc := range []struct {
		line string
		want Rule
	}{
		{"IN ACCEPT -p tcp -dport 443", on(Rule{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "443"})},
		{"OUT REJECT -p tcp -dport 81", on(Rule{Type: "out", Action: "REJECT", Proto: "tcp", Dport: "81"})},
		{"IN ACCEPT -i net0 -source 192.168.5.0/24 -p tcp -dport 22",
			on(Rule{Type: "in", Action: "ACCEPT", Iface: "net0", Source: "192.168.5.0/24", Proto: "tcp", Dport: "22"})},
		{"GROUP group2 -i net0", on(Rule{Type: "group", Action: "group2", Iface: "net0"})},
		{"IN ACCEPT -p tcp -dport 80 -dest +a-longer-name-which-translates-into-fnv-digest",
			on(Rule{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "80", Dest: "+a-longer-name-which-translates-into-fnv-digest"})},
		{"OUT DROP -source testip1", on(Rule{Type: "out", Action: "DROP", Source: "testip1"})},
		{"IN SSH(ACCEPT) -i net0 -source 10.0.0.1-10.0.0.10 # accept SSH for IP range",
			on(Rule{Type: "in", Action: "ACCEPT", Macro: "SSH", Iface: "net0", Source: "10.0.0.1-10.0.0.10", Comment: "accept SSH for IP range"})},
		{"IN SSH(ACCEPT) -i net0 -source +mynetgroup # accept ssh for ipset mynetgroup",
			on(Rule{Type: "in", Action: "ACCEPT", Macro: "SSH", Iface: "net0", Source: "+mynetgroup", Comment: "accept ssh for ipset mynetgroup"})},
		{"|IN SSH(ACCEPT) -i net0 # disabled rule",
			Rule{Type: "in", Action: "ACCEPT", Macro: "SSH", Iface: "net0", Comment: "disabled rule"}},
		{"IN REJECT -p icmp -log debug", on(Rule{Type: "in", Action: "REJECT", Proto: "icmp", Log: "debug"})},
		// other spellings PVE accepts
		{"in ssh(DROP) --proto tcp --dport 22 --sport 1024 --source 10.0.0.1 --dest 10.0.0.2 --log info",
			on(Rule{Type: "in", Action: "DROP", Macro: "SSH", Proto: "tcp", Dport: "22", Sport: "1024", Source: "10.0.0.1", Dest: "10.0.0.2", Log: "info"})},
		{"Out ACCEPT -proto icmp -icmp-type echo-request", on(Rule{Type: "out", Action: "ACCEPT", Proto: "icmp", IcmpType: "echo-request"})},
		{"IN ACCEPT -p udp\t-dport 53 #   spaced\t ", on(Rule{Type: "in", Action: "ACCEPT", Proto: "udp", Dport: "53", Comment: "spaced"})},
		{"IN ACCEPT # a # b", on(Rule{Type: "in", Action: "ACCEPT", Comment: "a # b"})},
		{"IN ACCEPT #", on(Rule{Type: "in", Action: "ACCEPT"})},
		{"IN ACCEPT # 0", on(Rule{Type: "in", Action: "ACCEPT", Comment: "0"})},
		{"IN NoSuchMacro(ACCEPT)", on(Rule{Type: "in", Action: "ACCEPT", Macro: "NoSuchMacro"})},
		{"IN ACCEPT -p tcp -p udp", on(Rule{Type: "in", Action: "ACCEPT", Proto: "udp"})},
		{"IN ACCEPT -i eth0", on(Rule{Type: "in", Action: "ACCEPT", Iface: "eth0"})}, // kept, like PVE (with errors)
		{"IN ACCEPT # caf\xc3\xa9", on(Rule{Type: "in", Action: "ACCEPT", Comment: "café"})},
		{"IN ACCEPT # bad \xff byte", on(Rule{Type: "in", Action: "ACCEPT", Comment: "bad \ufffd byte"})},
		// PVE trims \h, which includes the byte 0xA0, at the end of each line
		{"IN ACCEPT # voil\xc3\xa0", on(Rule{Type: "in", Action: "ACCEPT", Comment: "voil\ufffd"})},
	} {
		t.Run(tc.line, func(t *testing.T) {
			c := mustParse(t, "[RULES]\n"+tc.line+"\n")
			if len(c.Rules) != 1 || !reflect.DeepEqual(c.Rules[0], tc.want) {
				t.Fatalf("got %+v\nwant %+v", c.Rules, tc.want)
			}
			again := mustParse(t, "[RULES]\n"+c.Rules[0].Line()+"\n")
			if !reflect.DeepEqual(again.Rules, c.Rules) {
				t.Fatalf("parse(Line()) = %+v, want %+v", again.Rules, c.Rules)
			}
		})
	}
}

// TestParseBadLines: bad lines give LineErrors (with their line numbers) and
// everything else still loads.
func TestParseBadLines(t *testing.T) {
	in := `# comment before any section
stray line
[options]
enable: 1
ENABLE: 1 # a comment is not allowed here
ips: 1
ips_queues: 0:3
layer2_protocols: ARP,IPv4
policy_in: allow
Policy_Out: accept
log_level_in:
[ALIASES]
Web 10.0.0.1/32
bad 10.0.0.256
two  spaces 10.0.0.2
v6 fd00::1/128 # v6 host
[ipset 1bad]
10.0.0.1
[IPSET Trusted] # team
10.0.0.1
!10.0.0.1
10.0.0.0/0
not an entry
web
10.0.0.1/x
::/00
[rules]
IN
FOO ACCEPT
FORWARD ACCEPT
IN ALLOW
IN ssh(accept)
GROUP bad!name
GROUP grp -p tcp
IN ACCEPT -p tcp -dport 22 -xyz 1
IN ACCEPT -log verbose
IN ACCEPT -i  net0
IN ACCEPT -source 10.0.0.1` + "\xa0" + ` -p tcp
IN ACCEPT -p tcp -dport 22 # the good one
[group g1]
IN ACCEPT
[RULES] # not a header
`
	c, errs := Parse([]byte(in))
	want := []struct {
		line int
		err  string
	}{
		{2, "skip line - no section"},
		{5, "can't parse option"},
		{6, "option 'ips' not managed"},
		{7, "option 'ips_queues' not managed"},
		{8, "option 'layer2_protocols' not managed"},
		{9, "can't parse option"},
		{14, "valid IP address"},
		{15, "unable to parse alias"},
		{17, "invalid ipset name '1bad'"},
		{18, "skip line - no section"},
		{21, "duplicate ipset entry for '10.0.0.1'"},
		{22, "zero prefix"},
		{23, "unable to parse ipset entry"},
		{25, "valid IP address"},
		{26, "zero prefix"},
		{28, "unable to parse rule: IN"},
		{29, "unknown rule type 'foo'"},
		{30, "invalid rule type 'forward'"},
		{31, "unknown action 'ALLOW'"},
		{32, "unknown action 'ssh(accept)'"},
		{33, "invalid characters in security group name"},
		{34, "unable to parse rule parameters: -p tcp"},
		{35, "unable to parse rule parameters: -xyz 1"},
		{36, "unable to parse rule parameters: -log verbose"},
		{37, "unable to parse rule parameters: -i  net0"},
		{38, "invalid character in rule parameter"},
		{40, "unknown rule type '[group'"}, // no header in a guest file
		{42, "unable to parse rule: [RULES]"},
	}
	for i, w := range want {
		if i >= len(errs) {
			t.Fatalf("missing error for line %d (%s)", w.line, w.err)
		}
		if errs[i].Line != w.line || !strings.Contains(errs[i].Err, w.err) {
			t.Errorf("error %d: got %v, want line %d %q", i, errs[i], w.line, w.err)
		}
	}
	for _, e := range errs[min(len(want), len(errs)):] {
		t.Errorf("extra error: %v", e)
	}
	wantCfg := Config{
		Options: Options{Enable: bp(true), PolicyOut: "ACCEPT"},
		Aliases: []Alias{{Name: "v6", CIDR: "fd00::1", Comment: "v6 host"}, {Name: "Web", CIDR: "10.0.0.1"}},
		IPSets:  []IPSet{{Name: "trusted", Comment: "team", Entries: []IPSetEntry{{CIDR: "10.0.0.1"}, {CIDR: "web"}}}},
		Rules: []Rule{
			{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "22", Comment: "the good one", Enable: true},
			{Type: "in", Action: "ACCEPT", Enable: true},
		},
	}
	if !reflect.DeepEqual(c, wantCfg) {
		t.Errorf("loaded config:\n got %+v\nwant %+v", c, wantCfg)
	}
}

func TestParseDuplicateIPSetSection(t *testing.T) {
	c, errs := Parse([]byte("[IPSET ab] # first\n10.0.0.1\n[ipset AB]\n10.0.0.2\n"))
	if len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Err, "duplicate ipset 'ab'") {
		t.Fatalf("errors: %v", errs)
	}
	want := []IPSet{{Name: "ab", Comment: "first", Entries: []IPSetEntry{{CIDR: "10.0.0.2"}}}}
	if !reflect.DeepEqual(c.IPSets, want) {
		t.Fatalf("got %+v", c.IPSets)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "# only a comment\n", "[OPTIONS]\n\n[RULES]\n\n"} {
		c := mustParse(t, in)
		if !reflect.DeepEqual(c, Config{}) {
			t.Errorf("Parse(%q) = %+v, want empty", in, c)
		}
		if r := c.Render(); len(r) != 0 {
			t.Errorf("Render = %q", r)
		}
	}
}

// TestModelRoundTrip: parse(render(x)) == x for models in canonical order.
func TestModelRoundTrip(t *testing.T) {
	for name, c := range map[string]Config{
		"canonical":    canonicalConfig,
		"options only": {Options: Options{Enable: bp(false), LogLevelOut: "debug"}},
		"rules only": {Rules: []Rule{
			{Type: "out", Action: "DROP", Macro: "HTTPS", Dest: "10.0.0.0/8", Comment: "é # hash", Enable: true},
			{Type: "group", Action: "web-servers"},
			{Type: "in", Action: "REJECT", Iface: "net1", Source: "dc/office", Dest: "+guest/set", Proto: "tcp",
				Dport: "80,443", Sport: "1:1023", Log: "warning"},
		}},
		"empty ipset": {IPSets: []IPSet{{Name: "empty"}}},
	} {
		t.Run(name, func(t *testing.T) {
			got := mustParse(t, string(c.Render()))
			if !reflect.DeepEqual(got, c) {
				t.Fatalf("parse(render(x)):\n got %+v\nwant %+v", got, c)
			}
		})
	}
}

// TestParseMixedIPVersions: the one rule problem PVE drops a rule for (an
// alias of the other IP version than the rule's), whatever the section order.
func TestParseMixedIPVersions(t *testing.T) {
	for _, in := range []string{
		"[ALIASES]\nab 1.2.3.4\nv6 fd00::1\n[RULES]\n",
		"[RULES]\n",
	} {
		rules := `IN ACCEPT -p icmpv6 -source ab
IN ACCEPT -source v6 -dest ab
IN ACCEPT -source 10.0.0.1 -dest fd00::2
OUT DROP -source dc/v6 -dest ab
IN ACCEPT -p icmp -source ab -dest unknown
`
		data := in + rules
		if !strings.HasPrefix(in, "[ALIASES]") {
			data += "[ALIASES]\nAB 1.2.3.4\nv6 fd00::1\n"
		}
		c, errs := Parse([]byte(data))
		base := strings.Count(in, "\n")
		var lines []int
		for _, e := range errs {
			if e.Err != "detected mixed ipv4/ipv6 addresses in rule" {
				t.Errorf("unexpected error %v", e)
			}
			lines = append(lines, e.Line-base)
		}
		// the third is a conflict of literals, which PVE keeps (with
		// errors); dc/v6 is a cluster alias (unknown here)
		if !reflect.DeepEqual(lines, []int{1, 2}) || len(c.Rules) != 3 {
			t.Errorf("%q: errors at rule lines %v, rules %+v", in, lines, c.Rules)
		}
	}
	groups, errs := ParseGroups([]byte("[group gg]\nIN ACCEPT -p icmp -source v6\nIN ACCEPT -source guest/v6 -p icmp\n[ALIASES]\nv6 fd00::1\n"))
	if len(errs) != 1 || errs[0].Line != 2 || len(groups) != 1 || len(groups[0].Rules) != 1 {
		t.Errorf("groups %+v, errors %v", groups, errs)
	}
}
