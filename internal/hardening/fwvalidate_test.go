package hardening

import (
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
)

// fwSpec is baseSpec with an ipset and an alias to reference.
func fwSpec() Spec {
	s := baseSpec()
	s.Firewall.Aliases = []firewall.Alias{{Name: "dbhost", CIDR: "10.0.30.5"}, {Name: "v6host", CIDR: "fd00::5"}}
	s.Firewall.IPSets = []firewall.IPSet{{Name: "mgmt", Entries: []firewall.IPSetEntry{{CIDR: "10.0.10.0/24"}, {CIDR: "10.0.10.66", NoMatch: true}}}}
	return s
}

func TestValidFirewallReferences(t *testing.T) {
	s := fwSpec()
	s.Firewall.Rules = append(s.Firewall.Rules,
		firewall.Rule{Type: "in", Action: "ACCEPT", Macro: "SSH", Source: "+mgmt", Enable: true},
		firewall.Rule{Type: "out", Action: "ACCEPT", Proto: "tcp", Dport: "5432", Dest: "dbhost", Enable: true},
		firewall.Rule{Type: "out", Action: "ACCEPT", Dest: "+dc/cluster-set", Proto: "tcp", Dport: "https", Enable: true},
		firewall.Rule{Type: "in", Action: "ACCEPT", Source: "+ipfilter-net0", Proto: "icmp", IcmpType: "echo-request", Enable: true},
		firewall.Rule{Type: "group", Action: "webservers", Iface: "net0", Enable: true},
		firewall.Rule{Type: "in", Action: "DROP", Macro: "SSH", Proto: "tcp", Dport: "22", Enable: true}, // same as the macro's
		firewall.Rule{Type: "in", Action: "ACCEPT", Macro: "Ping", Source: "v6host", Enable: true},
		firewall.Rule{Type: "in", Action: "REJECT", Proto: "icmp", Log: "debug", Comment: "reject # and log", Enable: false},
	)
	if ps := Validate(s); len(ps) != 0 {
		t.Fatalf("unexpected problems: %+v", ps)
	}
}

// TestValidateFirewall: each invalid rule, ipset or alias is refused at plan
// time with the attribute, the rule's index and what to write instead.
func TestValidateFirewall(t *testing.T) {
	rule := func(r firewall.Rule) func(*Spec) {
		return func(s *Spec) { r.Enable = true; s.Firewall.Rules = append(s.Firewall.Rules, r) }
	}
	const at = "firewall.rules[3]." // the appended rule
	cases := []struct {
		name   string
		mut    func(*Spec)
		path   string
		detail string
	}{
		{"forward on a container", rule(firewall.Rule{Type: "forward", Action: "ACCEPT"}), at + "type", "rule_env 'ct'"},
		{"unknown type", rule(firewall.Rule{Type: "inbound", Action: "ACCEPT"}), at + "type", "must be in, out or group"},
		{"bad action", rule(firewall.Rule{Type: "in", Action: "accept"}), at + "action", "must be ACCEPT, DROP or REJECT"},
		{"macro with bad action", rule(firewall.Rule{Type: "in", Action: "ALLOW", Macro: "SSH"}), at + "action", "must be ACCEPT, DROP or REJECT"},
		{"unknown macro", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Macro: "SSHD"}), at + "macro", "not one of PVE's macros"},
		{"macro spelling", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Macro: "ssh"}), at + "macro", `"SSH"`},
		{"macro port conflict", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Macro: "SSH", Proto: "tcp", Dport: "2222"}), at + "dport", "already define in macro"},
		{"macro proto conflict", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Macro: "HTTPS", Proto: "udp"}), at + "proto", "macro HTTPS already sets proto"},
		{"dport without proto", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Dport: "80"}), at + "dport", "needs proto"},
		{"sport without proto", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Sport: "1024:65535"}), at + "sport", "needs proto"},
		{"ports on gre", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "gre", Dport: "80"}), at + "dport", "does not support ports"},
		{"port out of range", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "70000"}), at + "dport", "invalid port"},
		{"unknown service", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "htps"}), at + "dport", "htps"},
		{"unknown protocol", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "tcpp"}), at + "proto", "/etc/protocols"},
		{"icmp type without icmp", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "tcp", IcmpType: "echo-request"}), at + "icmp_type", "needs proto icmp"},
		{"icmp type with dport", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "icmp", IcmpType: "echo-request", Dport: "8"}), at + "dport", "exclude each other"},
		{"bad icmp type", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "icmp", IcmpType: "echo"}), at + "icmp_type", "not an icmp type name"},
		{"icmpv6 type on icmp", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "icmp", IcmpType: "neighbor-solicitation"}), at + "icmp_type", "not an icmp type"},
		{"icmp with v6 source", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "icmp", Source: "fd00::/64"}), at + "proto", "use icmpv6"},
		{"mixed source and dest", rule(firewall.Rule{Type: "out", Action: "ACCEPT", Source: "10.0.20.15", Dest: "fd00::1"}), at + "dest", "IPv4 and an IPv6 rule"},
		{"mixed via alias", rule(firewall.Rule{Type: "out", Action: "ACCEPT", Source: "10.0.20.15", Dest: "v6host"}), at + "dest", "IPv4 and an IPv6 rule"},
		{"mixed list", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Source: "10.0.0.1,fd00::1"}), at + "source", "mixed ipv4/ipv6"},
		{"range in a list", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Source: "10.0.0.1-10.0.0.5,10.0.0.9"}), at + "source", "range in a list"},
		{"host bits in cidr", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Source: "10.0.10.1/24"}), at + "source", "Invalid prefix"},
		{"unknown ipset", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Source: "+admins"}), at + "source", "add it to firewall.ipsets"},
		{"unknown alias", rule(firewall.Rule{Type: "out", Action: "ACCEPT", Dest: "mailhost"}), at + "dest", "add it to firewall.aliases"},
		{"guest-scoped unknown alias", rule(firewall.Rule{Type: "out", Action: "ACCEPT", Dest: "guest/mailhost"}), at + "dest", "No such alias"},
		{"iface not netN", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Iface: "eth0"}), at + "iface", "use net0..net0"},
		{"iface beyond the nics", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Iface: "net1"}), at + "iface", "does not name one of this container's interfaces"},
		{"group name invalid", rule(firewall.Rule{Type: "group", Action: "web servers"}), at + "action", "white space"},
		{"group name too long", rule(firewall.Rule{Type: "group", Action: "a-very-long-group-name"}), at + "action", "at most 18 characters"},
		{"group name upper case", rule(firewall.Rule{Type: "group", Action: "WebServers"}), at + "action", `"webservers"`},
		{"group rule with proto", rule(firewall.Rule{Type: "group", Action: "web", Proto: "tcp"}), at + "proto", "takes only iface"},
		{"newline injection in comment", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Comment: "x\nIN ACCEPT"}), at + "comment", "line break"},
		{"option injection in dport", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "80 -source 0.0.0.0/0"}), at + "dport", "white space"},
		{"comment start in source", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Source: "10.0.0.1#x"}), at + "source", "'#'"},
		{"non-ASCII in an address", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Source: "10.0.0.１"}), at + "source", "non-ASCII"},
		{"comment 0", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Comment: "0"}), at + "comment", `only "0"`},
		{"comment trailing space", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Comment: "web "}), at + "comment", "trailing white space"},
		{"comment cut by PVE's trim", rule(firewall.Rule{Type: "in", Action: "ACCEPT", Comment: "voilà"}), at + "comment", "byte 0xA0"},
		{"bad log level", rule(firewall.Rule{Type: "in", Action: "DROP", Log: "verbose"}), at + "log", "must be one of"},
		{"ipset name", func(s *Spec) { s.Firewall.IPSets[0].Name = "1mgmt" }, `firewall.ipsets["1mgmt"]`, "a letter followed by"},
		{"ipset name case", func(s *Spec) { s.Firewall.IPSets[0].Name = "Mgmt" }, `firewall.ipsets["Mgmt"]`, `"mgmt"`},
		{"ipset /0", func(s *Spec) { s.Firewall.IPSets[0].Entries[0].CIDR = "0.0.0.0/0" }, `firewall.ipsets["mgmt"]` + ".entries", "/0"},
		{"ipset duplicate", func(s *Spec) { s.Firewall.IPSets[0].Entries[1].CIDR = "10.0.10.0/24" }, `firewall.ipsets["mgmt"]` + ".entries", "twice"},
		{"ipset bad cidr", func(s *Spec) { s.Firewall.IPSets[0].Entries[0].CIDR = "10.0.10.300" }, `firewall.ipsets["mgmt"]` + ".entries", "valid IP address"},
		{"ipset unknown alias", func(s *Spec) { s.Firewall.IPSets[0].Entries[0].CIDR = "nosuch" }, `firewall.ipsets["mgmt"]` + ".entries", "alias \"nosuch\" is not defined"},
		{"alias range", func(s *Spec) { s.Firewall.Aliases[0].CIDR = "10.0.0.1-10.0.0.9" }, `firewall.aliases["dbhost"]` + ".cidr", "no ranges"},
		{"alias comment newline", func(s *Spec) { s.Firewall.Aliases[0].Comment = "a\nb" }, `firewall.aliases["dbhost"]` + ".comment", "line break"},
	}
	if len(cases) < 25 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := fwSpec()
			c.mut(&s)
			ps := Validate(s)
			for _, p := range ps {
				if PathString(p.Path) == c.path && strings.Contains(p.Summary+": "+p.Detail, c.detail) {
					if strings.HasPrefix(c.path, "firewall.rules[") && !strings.HasPrefix(p.Detail, "rule 3: ") {
						t.Fatalf("the message does not name the rule's index: %q", p.Detail)
					}
					return
				}
			}
			t.Fatalf("want a problem at %s containing %q, got %+v", c.path, c.detail, ps)
		})
	}
}

// TestValidateGroupRules: security group rules follow the group rule_env.
func TestValidateGroupRules(t *testing.T) {
	cases := []struct {
		r      firewall.Rule
		attr   string
		detail string
	}{
		{firewall.Rule{Type: "forward", Action: "REJECT"}, "action", "forward chain"},
		{firewall.Rule{Type: "group", Action: "other"}, "type", "cannot reference security groups"},
		{firewall.Rule{Type: "in", Action: "ACCEPT", Iface: "net0"}, "iface", "set iface on the container's group rule"},
		{firewall.Rule{Type: "in", Action: "ACCEPT", Source: "+1bad"}, "source", "Invalid ipset name"},
	}
	for _, c := range cases {
		ps := ValidateRules([]firewall.Rule{c.r}, RuleEnv{Group: true}, "rules")
		ok := false
		for _, p := range ps {
			ok = ok || (PathString(p.Path) == "rules[0]."+c.attr && strings.Contains(p.Summary+": "+p.Detail, c.detail))
		}
		if !ok {
			t.Errorf("%+v: want a problem at rules[0].%s containing %q, got %+v", c.r, c.attr, c.detail, ps)
		}
	}
	ok := []firewall.Rule{{Type: "forward", Action: "ACCEPT", Proto: "tcp", Dport: "80"}, {Type: "in", Action: "ACCEPT", Source: "+dc/admins", Macro: "SSH"},
		{Type: "in", Action: "ACCEPT", Source: "+cluster-set", Dest: "cluster-alias", Proto: "udp", Dport: "53"}}
	if ps := ValidateRules(ok, RuleEnv{Group: true}, "rules"); len(ps) != 0 {
		t.Fatalf("valid group rules refused: %+v", ps)
	}
}
