package fwfile

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hardened-pve/terraform-provider-hardened/internal/fwnames"
)

// Rule is one firewall rule with the API's field names (pve-firewall keeps a
// rule as a hash with these keys). A string field is "set" when non-empty,
// except Comment, which a file line can carry empty ("IN ACCEPT #").
type Rule struct {
	Type     string // in, out, forward, group (lower case)
	Action   string // ACCEPT, DROP, REJECT, or the security group for type group
	Macro    string
	Iface    string
	Source   string
	Dest     string
	Proto    string
	Dport    string
	Sport    string
	IcmpType string
	Log      string
	// Enable is 1 for an enabled rule, 0 for a disabled one ("|" prefix).
	// Any other non-zero value (the API accepts any integer >= 0) is written
	// as enabled and reads back as 1.
	Enable     int
	Comment    string
	CommentSet bool
	// IPVersion is what verify_rule derived from the addresses (0: none).
	IPVersion int
	// Errors are verify_rule's per-parameter errors for a rule read from a
	// file; such a rule is kept (and written back) but not compiled.
	Errors map[string]string
}

// RuleEnv is pve-firewall's rule_env.
type RuleEnv string

// Rule environments.
const (
	EnvVM      RuleEnv = "vm"
	EnvCT      RuleEnv = "ct"
	EnvGroup   RuleEnv = "group"
	EnvCluster RuleEnv = "cluster"
	EnvHost    RuleEnv = "host"
)

var (
	ruleHeadRE  = perlRE(`^(\S+)\s+(\S+)\s*`)
	macroActRE  = perlRE(`^(\S+)\((ACCEPT|DROP|REJECT)\)$`)
	optIfaceRE  = perlRE(`^-i (\S+)\s*`)
	optProtoRE  = perlRE(`^(?:-p|--?proto) (\S+)\s*`)
	optDportRE  = perlRE(`^--?dport (\S+)\s*`)
	optSportRE  = perlRE(`^--?sport (\S+)\s*`)
	optSourceRE = perlRE(`^--?source (\S+)\s*`)
	optDestRE   = perlRE(`^--?dest (\S+)\s*`)
	optLogRE    = perlRE(`^--?log (emerg|alert|crit|err|warning|notice|info|debug|nolog)\s*`)
	optIcmpRE   = perlRE(`^--?icmp-type (\S+)\s*`)
	commentRE   = perlRE(`#\s*(.*?)\s*$`)
)

// decodeUTF8 is Perl's decode('utf8', $s): malformed bytes become U+FFFD.
func decodeUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

// perlTrue is Perl truthiness of a string: "" and "0" are false.
func perlTrue(s string) bool { return s != "" && s != "0" }

// ParseRule parses one rule line like pve-firewall's parse_fw_rule (before
// verification): "[|]<DIR> <ACTION> [options] [# comment]".
func ParseRule(line string) (Rule, error) {
	r := Rule{}
	if loc := commentRE.FindStringSubmatchIndex(line); loc != nil {
		r.Comment = decodeUTF8(line[loc[2]:loc[3]])
		r.CommentSet = true
		line = line[:loc[0]]
	}
	r.Enable = 1
	if strings.HasPrefix(line, "|") {
		r.Enable = 0
		line = line[1:]
	}
	m := ruleHeadRE.FindStringSubmatch(line)
	if m == nil {
		return Rule{}, fmt.Errorf("unable to parse rule: %s", line)
	}
	line = line[len(m[0]):]
	r.Type = strings.ToLower(m[1])
	r.Action = m[2]
	if r.Type == "in" || r.Type == "out" || r.Type == "forward" {
		if mm := macroActRE.FindStringSubmatch(r.Action); mm != nil {
			r.Macro, r.Action = mm[1], mm[2]
		}
	}
	opts := []struct {
		re  *regexp.Regexp
		dst *string
	}{
		{optProtoRE, &r.Proto}, {optDportRE, &r.Dport}, {optSportRE, &r.Sport}, {optSourceRE, &r.Source},
		{optDestRE, &r.Dest}, {optLogRE, &r.Log}, {optIcmpRE, &r.IcmpType},
	}
outer:
	for len(line) > 0 {
		if mm := optIfaceRE.FindStringSubmatch(line); mm != nil {
			r.Iface = mm[1]
			line = line[len(mm[0]):]
			continue
		}
		if r.Type == "group" {
			break
		}
		for _, o := range opts {
			if mm := o.re.FindStringSubmatch(line); mm != nil {
				*o.dst = mm[1]
				line = line[len(mm[0]):]
				continue outer
			}
		}
		break
	}
	if len(line) > 0 {
		return Rule{}, fmt.Errorf("unable to parse rule parameters: %s", line)
	}
	return r, nil
}

// Line renders the rule as pve-firewall's $format_rules does for a guest or
// host file (with "-i"), without the trailing newline.
func (r Rule) Line() string { return r.line(true) }

func (r Rule) line(allowIface bool) string {
	var b strings.Builder
	if r.Enable == 0 {
		b.WriteByte('|')
	}
	b.WriteString(strings.ToUpper(r.Type))
	if perlTrue(r.Macro) {
		b.WriteString(" " + r.Macro + "(" + r.Action + ")")
	} else {
		b.WriteString(" " + r.Action)
	}
	if allowIface && perlTrue(r.Iface) {
		b.WriteString(" -i " + r.Iface)
	}
	if r.Type != "group" {
		for _, o := range []struct{ flag, v string }{
			{"-source", r.Source}, {"-dest", r.Dest}, {"-p", r.Proto}, {"-dport", r.Dport},
			{"-sport", r.Sport}, {"-log", r.Log},
		} {
			if perlTrue(o.v) {
				b.WriteString(" " + o.flag + " " + o.v)
			}
		}
		if r.IcmpType != "" {
			b.WriteString(" -icmp-type " + r.IcmpType)
		}
	}
	if perlTrue(r.Comment) && strings.TrimSpace(r.Comment) != "" {
		b.WriteString(" # " + r.Comment)
	}
	return b.String()
}

func validRuleType(t string) bool {
	return t == "in" || t == "out" || t == "forward" || t == "group"
}

// fields returns the rule as pve-firewall's hash: only set keys, with their
// JSON types (enable and ipversion are numbers).
func (r *Rule) fields() map[string]any {
	m := map[string]any{"enable": r.Enable}
	for k, v := range map[string]string{
		"type": r.Type, "action": r.Action, "macro": r.Macro, "iface": r.Iface, "source": r.Source,
		"dest": r.Dest, "proto": r.Proto, "dport": r.Dport, "sport": r.Sport, "icmp-type": r.IcmpType, "log": r.Log,
	} {
		if v != "" {
			m[k] = v
		}
	}
	if r.CommentSet || r.Comment != "" {
		m["comment"] = r.Comment
	}
	if r.IPVersion != 0 {
		m["ipversion"] = r.IPVersion
	}
	if len(r.Errors) > 0 {
		errs := map[string]string{}
		for k, v := range r.Errors {
			errs[k] = v
		}
		m["errors"] = errs
	}
	return m
}

// ruleParams are the rule properties of the API ($rule_properties).
var ruleParams = map[string]bool{
	"pos": true, "digest": true, "type": true, "action": true, "macro": true, "iface": true, "source": true,
	"dest": true, "proto": true, "enable": true, "log": true, "sport": true, "dport": true, "comment": true,
	"icmp-type": true,
}

func (r *Rule) field(k string) *string {
	switch k {
	case "type":
		return &r.Type
	case "action":
		return &r.Action
	case "macro":
		return &r.Macro
	case "iface":
		return &r.Iface
	case "source":
		return &r.Source
	case "dest":
		return &r.Dest
	case "proto":
		return &r.Proto
	case "dport":
		return &r.Dport
	case "sport":
		return &r.Sport
	case "icmp-type":
		return &r.IcmpType
	case "log":
		return &r.Log
	case "comment":
		return &r.Comment
	}
	return nil
}

// deleteField removes a property (enable reverts to "undefined", which is
// written and read back as enabled).
func (r *Rule) deleteField(k string) {
	switch k {
	case "enable":
		r.Enable = 1
	case "comment":
		r.Comment, r.CommentSet = "", false
	default:
		if p := r.field(k); p != nil {
			*p = ""
		}
	}
}

// copyRuleData is copy_rule_data: each given rule property is set, "" or "-"
// deletes it.
func (r *Rule) copyRuleData(params map[string]string) {
	keys := sortedKeys(params)
	for _, k := range keys {
		if !ruleParams[k] || k == "pos" || k == "digest" {
			continue
		}
		v := params[k]
		if v == "" || v == "-" {
			r.deleteField(k)
			continue
		}
		switch k {
		case "enable":
			r.Enable = atoiPerl(v)
		case "comment":
			r.Comment, r.CommentSet = v, true
		default:
			*r.field(k) = v
		}
	}
}

// atoiPerl is Perl's numeric value of a decimal integer string.
func atoiPerl(s string) int {
	s = strings.TrimPrefix(s, "+")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		if int64(n) < 1<<40 {
			n = n*10 + int(c-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// scope is what a rule's ipset and alias references are resolved against:
// the cluster config and the local (guest/host) config, each possibly nil.
type scope struct {
	cluster, local *File
}

func (sc scope) hasIPSet(name string) bool {
	if sc.cluster != nil {
		if _, ok := sc.cluster.IPSets[name]; ok {
			return true
		}
	}
	if sc.local != nil {
		if _, ok := sc.local.IPSets[name]; ok {
			return true
		}
	}
	return false
}

func (sc scope) alias(name, scopePrefix string) (*Alias, bool) {
	var e *Alias
	if scopePrefix != "dc/" && sc.local != nil {
		e = sc.local.Aliases[name]
	}
	if scopePrefix != "guest/" && e == nil && sc.cluster != nil {
		e = sc.cluster.Aliases[name]
	}
	exists := (sc.cluster != nil && sc.cluster.Aliases[name] != nil) || (sc.local != nil && sc.local.Aliases[name] != nil)
	return e, exists
}

var (
	envIface = map[RuleEnv]bool{EnvCT: true, EnvVM: true, EnvGroup: false, EnvCluster: true, EnvHost: true}
	envTypes = map[RuleEnv][]string{
		EnvCT:      {"in", "out", "group"},
		EnvVM:      {"in", "out", "group"},
		EnvGroup:   {"in", "out", "forward"},
		EnvCluster: {"in", "out", "forward", "group"},
		EnvHost:    {"in", "out", "forward", "group"},
	}
	actionRE     = regexp.MustCompile(`^(ACCEPT|DROP|REJECT)$`)
	groupNameRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-_]+$`)
	ipsetRefRE   = regexp.MustCompile(`^\+(guest/|dc/|sdn/)?([A-Za-z][A-Za-z0-9\-_]+)$`)
	aliasRefRE   = regexp.MustCompile(`^(guest/|dc/)?([A-Za-z][A-Za-z0-9\-_]+)$`)
	netIfaceRE   = regexp.MustCompile(`^net(\d+)$`)
	errMixedRule = errors.New("detected mixed ipv4/ipv6 addresses in rule")
)

func protoIsICMP(p string) bool { return p == "icmp" || p == "icmpv6" || p == "ipv6-icmp" }

// verify is Firewall.pm's verify_rule. With strict (the API), the first
// problem is returned as a ParamError; otherwise (a file) the problems are
// collected in r.Errors. A plain error is PVE's die (mixed IP versions).
// It normalises the macro name and sets r.IPVersion.
func (r *Rule) verify(env RuleEnv, sc scope, strict bool) error {
	errs := map[string]string{}
	for k, v := range r.Errors {
		errs[k] = v
	}
	count := 0
	var firstErr error
	add := func(param, msg string) {
		msg = strings.TrimSuffix(msg, "\n")
		count++
		if strict && firstErr == nil {
			firstErr = ParamError{param: msg}
		}
		if _, ok := errs[param]; !ok {
			errs[param] = msg
		}
	}
	ipversion := 0
	setIPVersion := func(v int) error {
		if v != 0 {
			if ipversion != 0 && v != ipversion {
				return errMixedRule
			}
			ipversion = v
		}
		return nil
	}
	checkRef := func(name, value string) error {
		if !perlTrue(value) {
			return nil
		}
		if strings.HasPrefix(value, "+") {
			if m := ipsetRefRE.FindStringSubmatch(value); m != nil {
				if !sc.hasIPSet(m[2]) {
					add(name, fmt.Sprintf("no such ipset '%s'", m[2]))
				}
			} else {
				add(name, fmt.Sprintf("invalid ipset name '%s'", value))
			}
			return nil
		}
		if m := aliasRefRE.FindStringSubmatch(value); m != nil {
			e, exists := sc.alias(strings.ToLower(m[2]), m[1])
			if !exists {
				add(name, fmt.Sprintf("no such alias '%s'", value))
			}
			if e != nil {
				return setIPVersion(e.IPVersion)
			}
		}
		return nil
	}
	// stop reports whether a strict check has already failed.
	stop := func() bool { return strict && firstErr != nil }

	allowIface, ok := envIface[env]
	if !ok {
		return fmt.Errorf("unknown rule_env '%s'", env)
	}
	if !perlTrue(r.Type) {
		add("type", "missing property")
	}
	if !perlTrue(r.Action) {
		add("action", "missing property")
	}
	if stop() {
		return firstErr
	}
	if perlTrue(r.Type) {
		valid := false
		for _, t := range envTypes[env] {
			if t == r.Type {
				valid = true
			}
		}
		if !valid {
			add("type", fmt.Sprintf("invalid rule type '%s' for rule_env '%s'", r.Type, env))
		}
		switch r.Type {
		case "in", "out", "forward":
			if r.Type == "forward" && r.Action == "REJECT" {
				add("action", "cannot define REJECT rules on forward chain")
			}
			if perlTrue(r.Action) && !actionRE.MatchString(r.Action) {
				add("action", fmt.Sprintf("unknown action '%s'", r.Action))
			}
		case "group":
			if env == EnvGroup {
				add("type", "security groups not allowed")
			}
			if perlTrue(r.Action) && !groupNameRE.MatchString(r.Action) {
				add("action", "invalid characters in security group name")
			}
		default:
			add("type", fmt.Sprintf("unknown rule type '%s'", r.Type))
		}
	}
	if stop() {
		return firstErr
	}
	if perlTrue(r.Iface) {
		if !allowIface {
			add("type", "parameter -i not allowed for this rule type")
		}
		if err := verifyIface(r.Iface); err != nil {
			add("iface", err.Error())
		}
		if (env == EnvVM || env == EnvCT) && !netIfaceRE.MatchString(r.Iface) {
			add("iface", `value does not match the regex pattern 'net\d+'`)
		}
	}
	if stop() {
		return firstErr
	}
	if perlTrue(r.Macro) {
		if name := fwnames.CanonicalMacro(r.Macro); name != "" {
			r.Macro = name
		} else {
			add("macro", fmt.Sprintf("unknown macro '%s'", r.Macro))
		}
	}
	if stop() {
		return firstErr
	}
	isICMP := false
	if perlTrue(r.Proto) {
		if !fwnames.KnownProtocol(r.Proto) {
			add("proto", fmt.Sprintf("unknown protocol '%s'", r.Proto))
		}
		if stop() {
			return firstErr
		}
		switch r.Proto {
		case "icmp":
			_ = setIPVersion(4)
		case "icmpv6", "ipv6-icmp":
			_ = setIPVersion(6)
		}
		isICMP = protoIsICMP(r.Proto)
	}
	if perlTrue(r.Dport) {
		if _, err := fwnames.ParsePortSpec(r.Dport, isICMP); err != nil {
			add("dport", err.Error())
		}
		if !perlTrue(r.Proto) {
			add("proto", "missing property - 'dport' requires this property")
		}
		if !fwnames.ProtocolsWithPorts[r.Proto] && !isICMP {
			add("dport", fmt.Sprintf("protocol '%s' does not support ports", r.Proto))
		}
	}
	if stop() {
		return firstErr
	}
	if perlTrue(r.IcmpType) {
		if !isICMP {
			add("proto", "missing property - 'icmp-type' requires this property")
		}
		if perlTrue(r.Dport) {
			add("icmp-type", "'icmp-type' cannot be specified together with 'dport'")
		}
		if r.Proto == "icmp" && !fwnames.ICMPTypes[r.IcmpType] {
			add("icmp-type", fmt.Sprintf("invalid icmp-type '%s' for proto 'icmp'", r.IcmpType))
		} else if (r.Proto == "icmpv6" || r.Proto == "ipv6-icmp") && !fwnames.ICMPv6Types[r.IcmpType] {
			add("icmp-type", fmt.Sprintf("invalid icmp-type '%s' for proto '%s'", r.IcmpType, r.Proto))
		}
	}
	if stop() {
		return firstErr
	}
	if perlTrue(r.Sport) {
		if _, err := fwnames.ParsePortSpec(r.Sport, false); err != nil {
			add("sport", err.Error())
		}
		if !perlTrue(r.Proto) {
			add("proto", "missing property - 'sport' requires this property")
		}
		if !fwnames.ProtocolsWithPorts[r.Proto] {
			add("sport", fmt.Sprintf("protocol '%s' does not support ports", r.Proto))
		}
	}
	if stop() {
		return firstErr
	}
	for _, p := range []struct{ name, value string }{{"source", r.Source}, {"dest", r.Dest}} {
		if !perlTrue(p.value) {
			continue
		}
		v, err := fwnames.ParseAddressList(p.value)
		if err == nil {
			err = setIPVersion(v)
		}
		if err != nil {
			add(p.name, err.Error())
		}
		if stop() {
			return firstErr
		}
		if err := checkRef(p.name, p.value); err != nil {
			return err
		}
		if stop() {
			return firstErr
		}
	}
	if ipversion != 0 {
		r.IPVersion = ipversion
	}
	if perlTrue(r.Macro) && count == 0 {
		if param, msg := r.checkMacro(ipversion); param != "" {
			add(param, msg)
			if stop() {
				return firstErr
			}
		}
	}
	if count > 0 {
		r.Errors = errs
	}
	return nil
}

// checkMacro is $apply_macro's conflict check: a rule property the macro sets
// itself must not differ from the macro's value.
func (r *Rule) checkMacro(ipversion int) (string, string) {
	tmpl, ok := fwnames.MacroTemplates[r.Macro]
	if !ok {
		tmpl, ok = fwnames.IPv6MacroTemplates[r.Macro]
	}
	if !ok {
		return "macro", fmt.Sprintf("unknown macro '%s'", r.Macro)
	}
	if ipversion == 6 {
		if t6, ok := fwnames.IPv6MacroTemplates[r.Macro]; ok {
			tmpl = t6
		}
	}
	if req := fwnames.MacroIPVersion(r.Macro); ipversion != 0 && req != 0 && req != ipversion {
		return "", ""
	}
	for _, t := range tmpl {
		for _, kv := range []struct{ k, macro, rule string }{
			{"proto", t.Proto, r.Proto}, {"dport", t.Dport, r.Dport}, {"sport", t.Sport, r.Sport},
		} {
			if kv.macro != "" && kv.rule != "" && kv.macro != kv.rule {
				return kv.k, fmt.Sprintf("parameter '%s' already define in macro (value = '%s')", kv.k, kv.macro)
			}
		}
	}
	return "", ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
