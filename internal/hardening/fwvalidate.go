package hardening

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/firewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/fwnames"
)

// RuleEnv is what rules are checked against: pve-firewall's rule_env (a
// container's own rules, or a security group's) and the names the rules may
// reference.
type RuleEnv struct {
	// Group is true for the rules of a security group (types in, out,
	// forward; no -i, no GROUP), false for a container's (in, out, group).
	Group bool
	// NICs is the number of the container's interfaces (net0..netN-1).
	NICs int
	// IPSets and Aliases are the names declared in the same file (lower case)
	// with, for aliases, their IP version (0 if unknown).
	IPSets  map[string]bool
	Aliases map[string]int
}

// ValidateRules is pve-firewall's verify_rule for every rule, at plan time:
// each problem names the rule's attribute (path prefix + index + attribute)
// and says what to write instead.
func ValidateRules(rules []firewall.Rule, env RuleEnv, prefix ...any) []Problem {
	var ps []Problem
	for i, r := range rules {
		ps = append(ps, validateRule(i, r, env, prefix)...)
	}
	return ps
}

var ruleActions = []string{"ACCEPT", "DROP", "REJECT"}

// addProblem records a problem of the rule being validated on its attribute.
type addProblem func(attr, summary, detail string, a ...any)

func validateRule(i int, r firewall.Rule, env RuleEnv, prefix []any) []Problem {
	var ps []Problem
	add := func(attr, summary, detail string, a ...any) {
		path := append(append([]any{}, prefix...), i, attr)
		ps = append(ps, Problem{Path: path, Summary: summary, Detail: fmt.Sprintf("rule %d: ", i) + fmt.Sprintf(detail, a...)})
	}
	validateRuleText(r, add)
	if len(ps) > 0 {
		return ps // no further checks on text that cannot be a rule
	}
	if done := validateTypeAction(r, env, add); done {
		return ps
	}
	validateMacro(r, add)
	validateIface(r, env, add)
	ipver := validateAddresses(r, env, add)
	validateProto(r, ipver, add)
	validatePorts(r, add)
	validateICMPType(r, add)
	if r.Log != "" && !contains(LogLevels, r.Log) {
		add("log", "Invalid log level", "%q must be one of %s.", r.Log, strings.Join(LogLevels, ", "))
	}
	if len(ps) == 0 && r.Macro != "" {
		validateMacroConflict(r, ipver, add)
	}
	return ps
}

// validateRuleText refuses characters that would change the meaning of the
// firewall file's rule line.
func validateRuleText(r firewall.Rule, add addProblem) {
	for attr, v := range map[string]string{"action": r.Action, "macro": r.Macro, "iface": r.Iface, "source": r.Source, "dest": r.Dest,
		"proto": r.Proto, "dport": r.Dport, "sport": r.Sport, "icmp_type": r.IcmpType, "comment": r.Comment} {
		if bad := unsafeChars(v, attr == "comment"); bad != "" {
			add(attr, "Invalid characters", "%s contains %s, which would change the meaning of the firewall file's rule line; remove it.", attr, bad)
		}
	}
}

// validateTypeAction checks the rule's type and action for the rule
// environment; done means no further check applies (a group rule, or an
// unknown type).
func validateTypeAction(r firewall.Rule, env RuleEnv, add addProblem) (done bool) {
	switch r.Type {
	case "in", "out":
		if !contains(ruleActions, r.Action) {
			add("action", "Invalid rule action",
				"action %q must be ACCEPT, DROP or REJECT for an %s rule (with a macro, the action applies to the macro's ports).", r.Action, r.Type)
		}
	case "forward":
		if !env.Group {
			add("type", "Forward rules are not allowed on a container", "PVE rejects them (\"invalid rule type 'forward' for rule_env 'ct'\"); use in or out.")
		} else if r.Action == "REJECT" {
			add("action", "REJECT is not possible on the forward chain", "PVE refuses it (\"cannot define REJECT rules on forward chain\"); use DROP.")
		} else if !contains(ruleActions, r.Action) {
			add("action", "Invalid rule action", "action %q must be ACCEPT or DROP for a forward rule.", r.Action)
		}
	case "group":
		if env.Group {
			add("type", "Security groups cannot reference security groups",
				"PVE refuses group rules inside a security group; copy the rules in, or reference both groups from the container.")
			return true
		}
		validateGroupRef(r, add)
		return true
	default:
		types := "in, out or group"
		if env.Group {
			types = "in, out or forward"
		}
		add("type", "Invalid rule type", "type %q must be %s.", r.Type, types)
		return true
	}
	return false
}

// validateMacro checks the macro's name and spelling.
func validateMacro(r firewall.Rule, add addProblem) {
	if r.Macro == "" {
		return
	}
	if c := fwnames.CanonicalMacro(r.Macro); c == "" {
		add("macro", "Unknown firewall macro", "%q is not one of PVE's macros (e.g. SSH, HTTP, HTTPS, DNS, Ping); without a macro use proto and dport.",
			r.Macro)
	} else if c != r.Macro {
		add("macro", "Macro spelling", "write the macro as PVE stores it, %q, so that plans stay stable.", c)
	}
}

func isICMPProto(proto string) bool {
	return proto == "icmp" || proto == "icmpv6" || proto == "ipv6-icmp"
}

// validateProto checks the protocol, and that an ICMP protocol agrees with
// the IP version of the addresses (ipver, 0 if none).
func validateProto(r firewall.Rule, ipver int, add addProblem) {
	if r.Proto == "" {
		return
	}
	if !fwnames.KnownProtocol(r.Proto) {
		add("proto", "Unknown protocol", "%q is not a protocol name or number of /etc/protocols (e.g. tcp, udp, icmp, icmpv6).", r.Proto)
	}
	protoVer := map[string]int{"icmp": 4, "icmpv6": 6, "ipv6-icmp": 6}[r.Proto]
	if protoVer != 0 && ipver != 0 && protoVer != ipver {
		add("proto", "Protocol and addresses disagree", "proto %s is IPv%d but the addresses are IPv%d; use %s.",
			r.Proto, protoVer, ipver, map[int]string{4: "icmp", 6: "icmpv6"}[ipver])
	}
}

// validatePorts checks dport and sport: their syntax, and that the protocol
// (or the macro) has ports. An ICMP dport is an ICMP type.
func validatePorts(r firewall.Rule, add addProblem) {
	isICMP := isICMPProto(r.Proto)
	for _, p := range []struct{ attr, v string }{{"dport", r.Dport}, {"sport", r.Sport}} {
		if p.v == "" {
			continue
		}
		switch {
		case r.Proto == "" && r.Macro == "":
			add(p.attr, "Port needs a protocol", "%s needs proto (tcp, udp, udplite, dccp or sctp).", p.attr)
		case r.Proto != "" && !fwnames.ProtocolsWithPorts[r.Proto] && !(isICMP && p.attr == "dport"):
			add(p.attr, "Protocol has no ports", "protocol %q does not support ports; use tcp, udp, udplite, dccp or sctp.", r.Proto)
		}
		if _, err := fwnames.ParsePortSpec(p.v, p.attr == "dport" && isICMP); err != nil {
			add(p.attr, "Invalid port", "%s %q: %v. Write a number, a service name, a:b range or a comma list.", p.attr, p.v, err)
		}
	}
}

// validateICMPType checks icmp_type against the ICMP protocol's type names.
func validateICMPType(r firewall.Rule, add addProblem) {
	if r.IcmpType == "" {
		return
	}
	switch {
	case !isICMPProto(r.Proto):
		add("icmp_type", "ICMP type needs an ICMP protocol", "icmp_type needs proto icmp or icmpv6.")
	case r.Proto == "icmp" && !fwnames.ICMPTypes[r.IcmpType], r.Proto != "icmp" && !fwnames.ICMPv6Types[r.IcmpType]:
		add("icmp_type", "Invalid ICMP type", "%q is not an %s type name (e.g. echo-request).", r.IcmpType, r.Proto)
	}
	if r.Dport != "" {
		add("dport", "dport and icmp_type exclude each other", "PVE refuses both on one rule; keep icmp_type only.")
	}
}

// LogLevels are pve-firewall's log levels.
var LogLevels = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", "nolog"}

func validateGroupRef(r firewall.Rule, add addProblem) {
	if !fwnames.NameRE.MatchString(r.Action) || len(r.Action) > fwnames.MaxGroupNameLength {
		add("action", "Invalid security group name", "a group rule's action is the security group's name (a letter, then letters, digits, - or _, at most %d "+
			"characters), got %q.", fwnames.MaxGroupNameLength, r.Action)
	} else if r.Action != strings.ToLower(r.Action) {
		add("action", "Security group names are lower case", "PVE stores %q as %q; write it that way so plans stay stable.", r.Action,
			strings.ToLower(r.Action))
	}
	for attr, v := range map[string]string{"source": r.Source, "dest": r.Dest, "proto": r.Proto, "dport": r.Dport, "sport": r.Sport, "icmp_type": r.IcmpType,
		"macro": r.Macro, "log": r.Log} {
		if v != "" {
			add(attr, "Not allowed on a group rule", "a group rule takes only iface (and comment/enabled); remove %s and put it into the security group's "+
				"own rules.", attr)
		}
	}
}

func validateIface(r firewall.Rule, env RuleEnv, add addProblem) {
	if r.Iface == "" {
		return
	}
	if env.Group {
		add("iface", "No interface in a security group", "PVE does not allow -i inside a security group; set iface on the container's group rule instead.")
		return
	}
	if !ifaceOK(r.Iface, env.NICs) {
		add("iface", "Unknown interface", "iface %q does not name one of this container's interfaces; use net0..net%d (the index in network).", r.Iface,
			max(env.NICs-1, 0))
	}
}

// validateAddresses checks source and dest (syntax, references, one IP
// version) and returns the rule's IP version (0 if none is implied).
func validateAddresses(r firewall.Rule, env RuleEnv, add addProblem) int {
	ipver := 0
	for _, p := range []struct{ attr, v string }{{"source", r.Source}, {"dest", r.Dest}} {
		if p.v == "" {
			continue
		}
		ver, err := fwnames.ParseAddressList(p.v)
		if err != nil {
			add(p.attr, "Invalid address", "%s %q: %v. Write an IP, a CIDR, an a-b range, a comma list, +ipset or an alias.", p.attr, p.v, err)
			continue
		}
		if ver == 0 {
			ver = checkReference(p.attr, p.v, env, add)
		}
		if ver != 0 && ipver != 0 && ver != ipver {
			add(p.attr, "Mixed IPv4 and IPv6", "source and dest are of different IP versions; split the rule into an IPv4 and an IPv6 rule.")
		}
		if ver != 0 {
			ipver = ver
		}
	}
	return ipver
}

// checkReference checks a container's +ipset or alias reference against the
// names declared in its file; dc/ references, and every reference in a
// security group, are the cluster's (not known at plan time: PVE reports them
// when it compiles the rules). It returns the alias's IP version.
func checkReference(attr, v string, env RuleEnv, add addProblem) int {
	name, isIPSet := strings.CutPrefix(v, "+")
	scope, bare, scoped := strings.Cut(name, "/")
	if !scoped {
		scope, bare = "", name
	}
	if isIPSet && !fwnames.NameRE.MatchString(bare) {
		add(attr, "Invalid ipset name", "%q is not an ipset reference (+ then a letter, then letters, digits, - or _).", v)
		return 0
	}
	if env.Group || scope == "dc" {
		return 0 // the cluster's: a security group's references resolve in cluster.fw
	}
	if isIPSet {
		if !env.IPSets[strings.ToLower(bare)] {
			add(attr, "No such ipset", "%s references ipset %q, which is not defined; add it to firewall.ipsets, or write +dc/%s for a cluster ipset.", attr,
				bare, bare)
		}
		return 0
	}
	ver, ok := env.Aliases[strings.ToLower(bare)]
	if !ok {
		add(attr, "No such alias", "%s references alias %q, which is not defined; add it to firewall.aliases, or write dc/%s for a cluster alias.", attr,
			bare, bare)
	}
	return ver
}

// validateMacroConflict is $apply_macro's check: a property the macro sets
// itself must not be given a different value on the rule.
func validateMacroConflict(r firewall.Rule, ipver int, add addProblem) {
	tmpl, ok := fwnames.MacroTemplates[r.Macro]
	if t6, ok6 := fwnames.IPv6MacroTemplates[r.Macro]; ok6 && (!ok || ipver == 6) {
		tmpl = t6
	}
	for _, t := range tmpl {
		for _, kv := range []struct{ attr, macro, rule string }{{"proto", t.Proto, r.Proto}, {"dport", t.Dport, r.Dport}, {"sport", t.Sport, r.Sport}} {
			if kv.macro != "" && kv.rule != "" && kv.macro != kv.rule {
				add(kv.attr, "Conflicts with the macro", "macro %s already sets %s = %q (PVE: \"parameter '%s' already define in macro\"); remove %s or drop "+
					"the macro.", r.Macro, kv.attr, kv.macro, kv.attr, kv.attr)
				return
			}
		}
	}
}

// unsafeChars names what a firewall file field cannot hold and read back
// as written: line breaks and control characters everywhere; outside
// comments also white space and '#' (they would start a new option or a
// comment) and anything but printable ASCII (never valid in PVE's names,
// addresses and ports). A comment must not be "0" (PVE's writer drops a
// Perl-false comment), nor start or end with white space or a character
// PVE's line trim eats (UTF-8 ending in byte 0xA0, e.g. "à").
func unsafeChars(v string, comment bool) string {
	for _, c := range v {
		switch {
		case c == '\n' || c == '\r':
			return "a line break"
		case c < 0x20 || c == 0x7f:
			return fmt.Sprintf("the control character %U", c)
		case !comment && (c == ' ' || c == '\t'):
			return "white space"
		case !comment && c == '#':
			return "'#'"
		case !comment && c > 0x7e:
			return fmt.Sprintf("the non-ASCII character %q", c)
		}
	}
	if comment {
		switch {
		case v == "0":
			return `only "0" (PVE does not write such a comment back)`
		case strings.TrimSpace(v) != v:
			return "leading or trailing white space (PVE trims it)"
		case strings.HasSuffix(v, "\u00a0") || (len(v) > 0 && v[len(v)-1] == 0xa0):
			return "a last character PVE's line trim cuts (its UTF-8 ends in byte 0xA0)"
		}
	}
	return ""
}

// validateFirewall checks the container's firewall: ipsets, aliases, rules.
func validateFirewall(s Spec) []Problem {
	var ps []Problem
	f := s.Firewall
	env := RuleEnv{NICs: len(s.NICs), IPSets: map[string]bool{}, Aliases: map[string]int{}}
	for _, a := range f.Aliases {
		at := []any{"firewall", "aliases", Key(a.Name)}
		ps = append(ps, validateName(at, "alias", a.Name, fwnames.MaxAliasNameLength)...)
		ver, err := fwnames.ParseIPElement(a.CIDR)
		if err != nil || strings.Contains(a.CIDR, "-") {
			ps = append(ps, Problem{Path: append(at, "cidr"), Summary: "Invalid alias address",
				Detail: fmt.Sprintf("alias %q: %q must be an IP address or CIDR (no ranges or lists).", a.Name, a.CIDR)})
		}
		ps = append(ps, ValidateComment(append(at, "comment"), a.Comment)...)
		env.Aliases[strings.ToLower(a.Name)] = ver // references match case-insensitively
	}
	for _, set := range f.IPSets {
		at := []any{"firewall", "ipsets", Key(set.Name)}
		ps = append(ps, validateName(at, "ipset", set.Name, fwnames.MaxIPSetNameLength)...)
		ps = append(ps, ValidateComment(append(at, "comment"), set.Comment)...)
		seen := map[string]bool{}
		for _, e := range set.Entries {
			eat := append(append([]any{}, at...), "entries")
			switch {
			case seen[e.CIDR]:
				ps = append(ps, Problem{Path: eat, Summary: "Duplicate ipset entry", Detail: fmt.Sprintf("ipset %q lists %q twice.", set.Name, e.CIDR)})
			case strings.HasSuffix(e.CIDR, "/0"):
				ps = append(ps, Problem{Path: eat, Summary: "ipset entry matches everything", Detail: fmt.Sprintf("ipset %q: %q (a /0 prefix) is refused by "+
					"PVE; list the networks you mean.", set.Name, e.CIDR)})
			default:
				if err := fwnames.CheckIPOrCIDROrAlias(e.CIDR); err != nil {
					ps = append(ps, Problem{Path: eat, Summary: "Invalid ipset entry", Detail: fmt.Sprintf("ipset %q: %q: %v.", set.Name, e.CIDR, err)})
				} else if _, isIP := ipVersionOf(e.CIDR); !isIP {
					if _, ok := env.Aliases[strings.ToLower(strings.TrimPrefix(e.CIDR, "guest/"))]; !ok && !strings.HasPrefix(e.CIDR, "dc/") {
						ps = append(ps, Problem{Path: eat, Summary: "No such alias", Detail: fmt.Sprintf("ipset %q: alias %q is not defined; add it to "+
							"firewall.aliases or write dc/%s.", set.Name, e.CIDR, e.CIDR)})
					}
				}
			}
			seen[e.CIDR] = true
			ps = append(ps, ValidateComment(eat, e.Comment)...)
		}
		env.IPSets[set.Name] = true
	}
	for _, d := range DerivedIPFilterSets(s) {
		env.IPSets[d.Name] = true
	}
	ps = append(ps, ValidateRules(f.Rules, env, "firewall", "rules")...)
	return ps
}

func ipVersionOf(s string) (int, bool) {
	v, err := fwnames.ParseIPElement(s)
	return v, err == nil
}

func validateName(at []any, kind, name string, maxLen int) []Problem {
	switch {
	case !fwnames.NameRE.MatchString(name) || len(name) > maxLen:
		return []Problem{{Path: at, Summary: "Invalid " + kind + " name",
			Detail: fmt.Sprintf("%q: a %s name is a letter followed by letters, digits, - or _ (2 to %d characters).", name, kind, maxLen)}}
	case name != strings.ToLower(name):
		return []Problem{{Path: at, Summary: kind + " names are lower case",
			Detail: fmt.Sprintf("PVE stores %q as %q; write it that way so plans stay stable.", name, strings.ToLower(name))}}
	}
	return nil
}

// ValidateComment checks a firewall file comment at path at.
func ValidateComment(at []any, c string) []Problem {
	if bad := unsafeChars(c, true); bad != "" {
		return []Problem{{Path: at, Summary: "Invalid characters", Detail: fmt.Sprintf("the comment contains %s, which would break the firewall file; remove "+
			"it.", bad)}}
	}
	return nil
}

// DerivedIPFilterSets are the ipfilter-netN ipsets the provider writes when
// ipfilter is on and the user declares none for a NIC with a static
// address: exactly the NIC's addresses (host, not its subnet), so the
// container cannot send with another source address (seed 004). Sorted by
// name.
func DerivedIPFilterSets(s Spec) []firewall.IPSet {
	if !s.Firewall.IPFilter {
		return nil
	}
	declared := map[string]bool{}
	for _, set := range s.Firewall.IPSets {
		declared[set.Name] = true
	}
	var out []firewall.IPSet
	for i, n := range s.NICs {
		name := fmt.Sprintf("ipfilter-net%d", i)
		if declared[name] {
			continue
		}
		var entries []firewall.IPSetEntry
		for _, ip := range []string{n.IPv4, n.IPv6} {
			if addr, _, ok := strings.Cut(ip, "/"); ok {
				entries = append(entries, firewall.IPSetEntry{CIDR: addr})
			}
		}
		if len(entries) > 0 {
			out = append(out, firewall.IPSet{Name: name, Comment: "addresses of net" + fmt.Sprint(i) + " (derived by terraform-provider-hardened)",
				Entries: entries})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}
