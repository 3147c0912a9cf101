package firewall

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/fwnames"
)

var (
	ruleHeadRE = pveRE(`^(\S+)\s+(\S+)\s*`)
	macroActRE = pveRE(`^(\S+)\((ACCEPT|DROP|REJECT)\)$`)
	ifaceOptRE = pveRE(`^-i (\S+)\s*`)
	actionRE   = regexp.MustCompile(`^(ACCEPT|DROP|REJECT)$`)
	// ruleOpts are parse_fw_rule's option patterns (after "-i").
	ruleOpts = []struct {
		re    *regexp.Regexp
		field func(*Rule) *string
	}{
		{pveRE(`^(?:-p|--?proto) (\S+)\s*`), func(r *Rule) *string { return &r.Proto }},
		{pveRE(`^--?dport (\S+)\s*`), func(r *Rule) *string { return &r.Dport }},
		{pveRE(`^--?sport (\S+)\s*`), func(r *Rule) *string { return &r.Sport }},
		{pveRE(`^--?source (\S+)\s*`), func(r *Rule) *string { return &r.Source }},
		{pveRE(`^--?dest (\S+)\s*`), func(r *Rule) *string { return &r.Dest }},
		{pveRE(`^--?log (emerg|alert|crit|err|warning|notice|info|debug|nolog)\s*`), func(r *Rule) *string { return &r.Log }},
		{pveRE(`^--?icmp-type (\S+)\s*`), func(r *Rule) *string { return &r.IcmpType }},
	}
)

// parseRule reads "[|]<DIR> <ACTION> [options] [# comment]" like
// parse_fw_rule, then checks what the model relies on: the type for the
// file (a guest: in, out, group; a security group: in, out, forward, no
// "-i"), the action (ACCEPT|DROP|REJECT, or a security-group name), and
// that every parameter is printable ASCII (anything else can never be valid
// for PVE). Known macro names get PVE's spelling. The values themselves
// (addresses, ports, ...) are not verified: PVE keeps such a rule (with an
// "errors" map) and so does the model.
func parseRule(line string, inGroup bool) (Rule, string) {
	r := Rule{Enable: true}
	if m := commentRE.FindStringSubmatchIndex(line); m != nil {
		// Rule.Line leaves out a comment that is only (Unicode) space
		if c := cleanComment(line[m[2]:m[3]]); strings.TrimSpace(c) != "" {
			r.Comment = c
		}
		line = line[:m[0]]
	}
	if strings.HasPrefix(line, "|") {
		r.Enable = false
		line = line[1:]
	}
	m := ruleHeadRE.FindStringSubmatch(line)
	if m == nil {
		return Rule{}, "unable to parse rule: " + line
	}
	line = line[len(m[0]):]
	r.Type, r.Action = asciiLower(m[1]), m[2]
	if r.Type == "in" || r.Type == "out" || r.Type == "forward" {
		if mm := macroActRE.FindStringSubmatch(r.Action); mm != nil {
			r.Macro, r.Action = mm[1], mm[2]
		}
	}
outer:
	for len(line) > 0 {
		if mm := ifaceOptRE.FindStringSubmatch(line); mm != nil {
			r.Iface = mm[1]
			line = line[len(mm[0]):]
			continue
		}
		if r.Type == "group" {
			break
		}
		for _, o := range ruleOpts {
			if mm := o.re.FindStringSubmatch(line); mm != nil {
				*o.field(&r) = mm[1]
				line = line[len(mm[0]):]
				continue outer
			}
		}
		break
	}
	if len(line) > 0 {
		return Rule{}, "unable to parse rule parameters: " + line
	}
	if err := checkRule(&r, inGroup); err != "" {
		return Rule{}, err
	}
	return r, ""
}

func checkRule(r *Rule, inGroup bool) string {
	switch r.Type {
	case "in", "out":
	case "forward":
		if !inGroup {
			return "invalid rule type 'forward' for a guest (rule_env 'vm'/'ct')"
		}
	case "group":
		if inGroup {
			return "security groups not allowed"
		}
	default:
		return fmt.Sprintf("unknown rule type '%s'", r.Type)
	}
	if r.Type == "group" {
		if !nameRE.MatchString(r.Action) {
			return "invalid characters in security group name"
		}
	} else if !actionRE.MatchString(r.Action) {
		return fmt.Sprintf("unknown action '%s'", r.Action)
	} else if r.Type == "forward" && r.Action == "REJECT" {
		return "cannot define REJECT rules on forward chain"
	}
	if inGroup && r.Iface != "" {
		return "parameter -i not allowed for this rule type"
	}
	for _, v := range []string{r.Macro, r.Iface, r.Source, r.Dest, r.Proto, r.Dport, r.Sport, r.IcmpType} {
		if !printableASCII(v) {
			return fmt.Sprintf("invalid character in rule parameter '%s'", v)
		}
	}
	if name := fwnames.CanonicalMacro(r.Macro); r.Macro != "" && name != "" {
		r.Macro = name
	}
	return ""
}

// aliasVersions maps lower-case alias names to their IP version (4 or 6).
type aliasVersions map[string]int

func (av aliasVersions) add(a Alias) {
	k := asciiLower(a.Name)
	av[k] = 4
	if strings.Contains(a.CIDR, ":") {
		av[k] = 6
	}
}

var scopedAliasRE = regexp.MustCompile(`^(dc/|guest/)?([A-Za-z][A-Za-z0-9\-_]+)$`)

// mixedIPVersions is the one verify_rule check that makes PVE drop a rule
// from a file instead of keeping it with an "errors" map: an alias in
// -source or -dest whose IP version differs from the one the rule already
// has (from an icmp/icmpv6 proto, or from -source). local are the aliases
// the rule sees without a "dc/" scope (a guest file's own, defined above the
// rule), cluster the ones it sees without "guest/" (cluster.fw's, known only
// when parsing cluster.fw).
func mixedIPVersions(r Rule, local, cluster aliasVersions) bool {
	ver := 0
	switch r.Proto {
	case "icmp":
		ver = 4
	case "icmpv6", "ipv6-icmp":
		ver = 6
	}
	for _, addr := range []string{r.Source, r.Dest} {
		if !perlTrue(addr) {
			continue
		}
		// a conflicting literal is only an error PVE keeps the rule with
		if v, err := fwnames.ParseAddressList(addr); err == nil && v != 0 && (ver == 0 || ver == v) {
			ver = v
		}
		m := scopedAliasRE.FindStringSubmatch(addr)
		if m == nil {
			continue
		}
		name := asciiLower(m[2])
		v, ok := 0, false
		if m[1] != "dc/" {
			v, ok = local[name]
		}
		if !ok && m[1] != "guest/" {
			v = cluster[name]
		}
		if v != 0 && ver != 0 && v != ver {
			return true
		}
		if v != 0 {
			ver = v
		}
	}
	return false
}
