// Package fwfile is the simulator's model of pve-firewall's configuration
// files (/etc/pve/firewall/<vmid>.fw, /etc/pve/firewall/cluster.fw,
// /etc/pve/nodes/<node>/host.fw): the tolerant reader
// (generic_fw_config_parser, parse_fw_rule, verify_rule), the writer
// (save_vmfw_conf, save_clusterfw_conf, save_hostfw_conf), the API views with
// pve-firewall's digests (copy_list_with_digest, copy_opject_with_digest) and
// the mutations of the API modules (src/PVE/API2/Firewall/*.pm), with PVE's
// messages.
//
// Behaviour reproduced (pve-firewall 6.0.x):
//   - every line is trimmed; "#" lines, blank lines and lines before any
//     section are skipped (the latter with a warning); a bad line is warned
//     about and skipped, a rule with invalid parameters is kept with an
//     "errors" map (and written back);
//   - section headers are only recognised for the sections the file kind has
//     ([OPTIONS], [RULES], [ALIASES], [IPSET name] [# comment], and
//     [group name] [# comment] in cluster.fw); any other "[...]" line is read
//     as a line of the current section, exactly like PVE;
//   - IPSet and group names are lower-cased on read (the API stores them as
//     given, so a name created with capitals is found under its lower-case
//     name after the next read);
//   - the writer emits [OPTIONS], [ALIASES], [IPSET ...] (sorted, entries
//     sorted and de-duplicated), [RULES], then [group ...] sections (sorted,
//     written even when empty), each header followed by a blank line and each
//     section by a blank line; an empty config is an empty file (PVE deletes
//     it). Options keep the order of the file, new ones are appended (PVE
//     writes them in Perl hash order).
package fwfile

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of firewall file.
type Kind int

// File kinds.
const (
	// KindCT is a container's <vmid>.fw (rule_env "ct").
	KindCT Kind = iota
	// KindVM is a QEMU guest's <vmid>.fw (rule_env "vm").
	KindVM
	// KindCluster is cluster.fw.
	KindCluster
	// KindHost is a node's host.fw.
	KindHost
)

func (k Kind) env() RuleEnv {
	switch k {
	case KindVM:
		return EnvVM
	case KindCluster:
		return EnvCluster
	case KindHost:
		return EnvHost
	}
	return EnvCT
}

func (k Kind) hasAliases() bool { return k != KindHost }
func (k Kind) hasIPSets() bool  { return k != KindHost }
func (k Kind) hasGroups() bool  { return k == KindCluster }

// DefaultName is the path PVE uses for a file of this kind in its messages.
func (k Kind) DefaultName(vmid int) string {
	switch k {
	case KindCluster:
		return "/etc/pve/firewall/cluster.fw"
	case KindHost:
		return "/etc/pve/local/host.fw"
	}
	if vmid == 0 {
		return "/etc/pve/firewall/<vmid>.fw"
	}
	return fmt.Sprintf("/etc/pve/firewall/%d.fw", vmid)
}

// Name limits of Firewall.pm.
const (
	MaxIPSetNameLength = 64
	MaxAliasNameLength = 64
	MaxGroupNameLength = 18
)

// CheckGroupName is the reader's check of a [group name] header (the name
// lower-cased first), with its messages.
func CheckGroupName(name string) error {
	if len(name) > MaxGroupNameLength {
		return fmt.Errorf("security group name too long")
	}
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid security group name '%s'", name)
	}
	return nil
}

// CheckIPSetName is the reader's check of an [IPSET name] header.
func CheckIPSetName(name string) error {
	if len(name) > MaxIPSetNameLength {
		return fmt.Errorf("ipset name too long")
	}
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid ipset name '%s'", name)
	}
	return nil
}

// Alias is an [ALIASES] entry.
type Alias struct {
	Name      string // as written (the map key is lower case)
	CIDR      string
	IPVersion int // 0 for an alias created through the API (not re-read yet)
	Comment   string
}

// IPSetEntry is one entry of an [IPSET name] section.
type IPSetEntry struct {
	CIDR    string
	NoMatch bool
	Comment string
	Errors  map[string]string
}

// File is a parsed firewall file.
type File struct {
	Kind Kind
	// Name is the path used in warnings ("<name> (line N): ...").
	Name string

	options     map[string]string
	optionOrder []string

	Aliases       map[string]*Alias // key: lower-case name
	IPSets        map[string][]*IPSetEntry
	IPSetComments map[string]string
	Rules         []*Rule
	Groups        map[string][]*Rule
	GroupComments map[string]string

	// Warnings are what PVE warns about (or logs) while reading.
	Warnings []string

	// cluster is the cluster config rules are verified against (for
	// cluster.fw: the file itself).
	cluster *File
}

// New returns an empty file of a kind.
func New(kind Kind) *File {
	f := &File{
		Kind: kind, Name: kind.DefaultName(0), options: map[string]string{},
		Aliases: map[string]*Alias{}, IPSets: map[string][]*IPSetEntry{}, IPSetComments: map[string]string{},
		Groups: map[string][]*Rule{}, GroupComments: map[string]string{},
	}
	if kind == KindCluster {
		f.cluster = f
	}
	return f
}

// SetCluster sets the cluster config the file's rules are verified against.
func (f *File) SetCluster(c *File) {
	if f.Kind != KindCluster {
		f.cluster = c
	}
}

// now is the clock for the cluster "enable: <timestamp>" option.
var now = time.Now

// Parse reads a file with PVE's default name and no cluster config.
func Parse(kind Kind, data []byte) *File { return ParseFile(kind, kind.DefaultName(0), data, nil) }

var (
	optionsHdrRE = regexp.MustCompile(`(?i)^\[options\]$`)
	aliasesHdrRE = regexp.MustCompile(`(?i)^\[aliases\]$`)
	rulesHdrRE   = regexp.MustCompile(`(?i)^\[rules\]$`)
	groupHdrRE   = perlRE(`(?i)^\[group\s+(\S+)\]\s*(?:#\s*(.*?)\s*)?$`)
	ipsetHdrRE   = perlRE(`(?i)^\[ipset\s+(\S+)\]\s*(?:#\s*(.*?)\s*)?$`)
	nameRE       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-_]+$`)
	ipsetLineRE  = perlRE(`^(!)?\s*(\S+)\s*$`)
	aliasLineRE  = perlRE(`^(\S+)\s(\S+)$`)
	aliasCmtRE   = perlRE(`\s*#\s*(.*?)\s*$`)
	zeroPrefixRE = regexp.MustCompile(`/0+$`)
)

// trimH trims horizontal white space like the parser's /^\h*(.*?)\h*$/ on
// the file's undecoded bytes: Perl's \h is tab, space and the byte 0xA0
// (NBSP in Latin-1), so a line ending in the UTF-8 "à" (C3 A0) loses its
// last byte, exactly as PVE reads it.
func trimH(s string) string {
	isH := func(c byte) bool { return c == ' ' || c == '\t' || c == 0xa0 }
	i, j := 0, len(s)
	for i < j && isH(s[i]) {
		i++
	}
	for j > i && isH(s[j-1]) {
		j--
	}
	return s[i:j]
}

// perlRE compiles a pattern written with Perl's classes for byte strings:
// pve-firewall matches undecoded file bytes, where \s is [\t\n\v\f\r ]
// (Go's \s lacks the vertical tab).
func perlRE(pat string) *regexp.Regexp {
	pat = strings.ReplaceAll(pat, `\s`, `[\t\n\v\f\r ]`)
	pat = strings.ReplaceAll(pat, `\S`, `[^\t\n\v\f\r ]`)
	return regexp.MustCompile(pat)
}

// ParseFile reads a firewall file like generic_fw_config_parser. name is the
// path used in warnings; cluster is the cluster config that guest and host
// rules are verified against (ignored for KindCluster).
func ParseFile(kind Kind, name string, data []byte, cluster *File) *File {
	f := New(kind)
	f.Name = name
	if kind != KindCluster {
		f.cluster = cluster
	}
	if len(data) == 0 {
		return f
	}
	raw := strings.TrimSuffix(string(data), "\n")
	section, group := "", ""
	seen := map[string]bool{}
	for i, rawLine := range strings.Split(raw, "\n") {
		line := trimH(rawLine)
		if line == "" || strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		prefix := fmt.Sprintf("%s (line %d)", name, i+1)
		warn := func(msg string) { f.Warnings = append(f.Warnings, prefix+": "+strings.TrimSuffix(msg, "\n")) }

		if optionsHdrRE.MatchString(line) {
			section = "options"
			continue
		}
		if kind.hasAliases() && aliasesHdrRE.MatchString(line) {
			section = "aliases"
			continue
		}
		if kind.hasGroups() {
			if m := groupHdrRE.FindStringSubmatch(line); m != nil {
				g := strings.ToLower(m[1])
				if err := CheckGroupName(g); err != nil {
					warn(err.Error())
					section, group = "", ""
					continue
				}
				section, group = "groups", g
				f.Groups[g] = []*Rule{}
				if perlTrue(m[2]) {
					f.GroupComments[g] = decodeUTF8(m[2])
				}
				continue
			}
		}
		if rulesHdrRE.MatchString(line) {
			section = "rules"
			continue
		}
		if kind.hasIPSets() {
			if m := ipsetHdrRE.FindStringSubmatch(line); m != nil {
				g := strings.ToLower(m[1])
				if err := CheckIPSetName(g); err != nil {
					warn(err.Error())
					section, group = "", ""
					continue
				}
				section, group = "ipset", g
				f.IPSets[g] = []*IPSetEntry{}
				seen = map[string]bool{}
				if perlTrue(m[2]) {
					f.IPSetComments[g] = decodeUTF8(m[2])
				}
				continue
			}
		}
		if section == "" {
			warn("skip line - no section")
			continue
		}
		switch section {
		case "options":
			opt, val, err := parseOption(kind, line)
			if err != nil {
				warn(err.Error())
				continue
			}
			f.setOption(opt, val)
		case "aliases":
			a, err := parseAlias(line)
			if err != nil {
				warn(err.Error())
				continue
			}
			if a != nil {
				f.Aliases[strings.ToLower(a.Name)] = a
			}
		case "rules", "groups":
			r, err := ParseRule(line)
			if err == nil {
				env, sc := kind.env(), scope{cluster: f.cluster, local: f}
				if section == "groups" {
					env, sc = EnvGroup, scope{cluster: f}
				} else if kind == KindCluster {
					sc = scope{cluster: f, local: f}
				}
				err = r.verify(env, sc, false)
			}
			if err != nil {
				warn(err.Error())
				continue
			}
			if len(r.Errors) > 0 {
				f.Warnings = append(f.Warnings, prefix+" - errors in rule parameters: "+line)
				for _, k := range sortedKeys(r.Errors) {
					f.Warnings = append(f.Warnings, "  "+k+": "+r.Errors[k])
				}
			}
			rr := r
			if section == "groups" {
				f.Groups[group] = append(f.Groups[group], &rr)
			} else {
				f.Rules = append(f.Rules, &rr)
			}
		case "ipset":
			e := parseIPSetLine(line, f, seen)
			f.IPSets[group] = append(f.IPSets[group], e)
			seen[e.CIDR] = true
		}
	}
	return f
}

// parseIPSetLine reads one ipset entry; problems are kept in the entry's
// errors (it is still added, like PVE).
func parseIPSetLine(line string, f *File, seen map[string]bool) *IPSetEntry {
	e := &IPSetEntry{}
	if loc := commentRE.FindStringSubmatchIndex(line); loc != nil {
		if c := line[loc[2]:loc[3]]; perlTrue(c) {
			e.Comment = decodeUTF8(c)
		}
		line = line[:loc[0]]
	}
	cidr := strings.TrimSpace(line)
	if m := ipsetLineRE.FindStringSubmatch(line); m != nil {
		e.NoMatch = m[1] != ""
		cidr = m[2]
	}
	errs := map[string]string{}
	if m := aliasRefRE.FindStringSubmatch(cidr); m != nil {
		if _, ok := resolveAlias(f.aliasScope(), m[2], m[1]); !ok {
			errs["cidr"] = fmt.Sprintf("no such alias '%s'", m[2])
		}
	} else if c, _, err := parseIPOrCIDR(cidr); err != nil {
		errs["cidr"] = err.Error()
	} else {
		cidr = c
	}
	if _, ok := errs["cidr"]; !ok && seen[cidr] {
		errs["cidr"] = fmt.Sprintf("duplicate ipset entry for '%s'", cidr)
	}
	if zeroPrefixRE.MatchString(cidr) {
		errs["cidr"] = "a zero prefix is not allowed in ipset entries\n"
	}
	e.CIDR = cidr
	if len(errs) > 0 {
		e.Errors = errs
	}
	return e
}

// aliasScope is how resolve_alias sees a file: with its cluster config as
// the cluster level, or (cluster.fw itself, or no cluster config) the file as
// the cluster level.
func (f *File) aliasScope() scope {
	switch {
	case f.Kind == KindCluster:
		return scope{cluster: f, local: f}
	case f.cluster == nil:
		return scope{cluster: f}
	}
	return scope{cluster: f.cluster, local: f}
}

// resolveAlias is Firewall.pm's resolve_alias (scope "", "dc/" or "guest/").
func resolveAlias(sc scope, name, scopePrefix string) (*Alias, bool) {
	e, _ := sc.alias(strings.ToLower(name), scopePrefix)
	return e, e != nil
}

// parseAlias is parse_alias; (nil, nil) is a line PVE silently ignores.
func parseAlias(line string) (*Alias, error) {
	comment := ""
	if loc := aliasCmtRE.FindStringSubmatchIndex(line); loc != nil {
		comment = decodeUTF8(line[loc[2]:loc[3]])
		line = line[:loc[0]]
	}
	m := aliasLineRE.FindStringSubmatch(line)
	if m == nil {
		return nil, nil
	}
	cidr, ver, err := parseIPOrCIDR(m[2])
	if err != nil {
		return nil, err
	}
	a := &Alias{Name: m[1], CIDR: cidr, IPVersion: ver}
	if perlTrue(comment) {
		a.Comment = comment
	}
	return a, nil
}

const logLevels = `emerg|alert|crit|err|warning|notice|info|debug|nolog`

var (
	vmBoolOptRE      = perlRE(`(?i)^(enable|dhcp|ndp|radv|macfilter|ipfilter|ips):\s*(0|1)\s*$`)
	vmLogOptRE       = perlRE(`(?i)^(log_level_in|log_level_out):\s*((` + logLevels + `)\s*)?$`)
	vmPolicyOptRE    = perlRE(`(?i)^(policy_(in|out)):\s*(ACCEPT|DROP|REJECT)\s*$`)
	vmQueuesOptRE    = perlRE(`(?i)^(ips_queues):\s*((\d+)(:(\d+))?)\s*$`)
	vmL2OptRE        = perlRE(`(?i)^(layer2_protocols):\s*(((\S+)[,]?)+)\s*$`)
	hostBoolOptRE    = perlRE(`(?i)^(enable|nosmurfs|tcpflags|ndp|log_nf_conntrack|nf_conntrack_allow_invalid|protection_synflood|nftables):\s*(0|1)\s*$`)
	hostLogOptRE     = perlRE(`(?i)^(log_level_(?:in|out|forward)|tcp_flags_log_level|smurf_log_level):\s*((` + logLevels + `)\s*)?$`)
	hostHelpersOptRE = perlRE(`(?i)^(nf_conntrack_helpers):\s*(((\S+)[,]?)+)\s*$`)
	hostIntOptRE     = perlRE(`(?i)^(nf_conntrack_max|nf_conntrack_tcp_timeout_established|nf_conntrack_tcp_timeout_syn_recv|` +
		`protection_synflood_rate|protection_synflood_burst|protection_limit):\s*(\d+)\s*$`)
	clEnableOptRE   = perlRE(`(?i)^(enable):\s*(\d+)\s*$`)
	clEbtablesOptRE = perlRE(`(?i)^(ebtables):\s*(0|1)\s*$`)
	clPolicyOptRE   = perlRE(`(?i)^(policy_(in|out|forward)):\s*(ACCEPT|DROP|REJECT)\s*$`)
	clRateOptRE     = perlRE(`^(log_ratelimit):\s*(\S+)\s*$`)
	commaSplitRE    = perlRE(`\s*,\s*`)
)

// intText is Perl's int() of a digit string, as text.
func intText(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		s = strings.TrimLeft(s, "0")
		if s == "" {
			return "0"
		}
		return s
	}
	return strconv.FormatInt(n, 10)
}

// parseOption is parse_vmfw_option / parse_hostfw_option / parse_clusterfw_option.
func parseOption(kind Kind, line string) (string, string, error) {
	bad := fmt.Errorf("can't parse option '%s'", line)
	switch kind {
	case KindCluster:
		if m := clEnableOptRE.FindStringSubmatch(line); m != nil {
			v := intText(m[2])
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 1 && now().Unix()-n > 60 {
				v = "0"
			}
			return "enable", v, nil
		}
		if m := clEbtablesOptRE.FindStringSubmatch(line); m != nil {
			return "ebtables", m[2], nil
		}
		if m := clPolicyOptRE.FindStringSubmatch(line); m != nil {
			return strings.ToLower(m[1]), strings.ToUpper(m[3]), nil
		}
		if m := clRateOptRE.FindStringSubmatch(line); m != nil {
			return "log_ratelimit", m[2], nil
		}
	case KindHost:
		if m := hostBoolOptRE.FindStringSubmatch(line); m != nil {
			return strings.ToLower(m[1]), m[2], nil
		}
		if m := hostLogOptRE.FindStringSubmatch(line); m != nil {
			v := ""
			if m[2] != "" {
				v = strings.ToLower(m[3])
			}
			return strings.ToLower(m[1]), v, nil
		}
		if m := hostHelpersOptRE.FindStringSubmatch(line); m != nil {
			v := strings.ToLower(m[2])
			hs := perlSplit(regexp.MustCompile(`,`), v)
			if strings.Join(hs, ",") != v {
				return "", "", fmt.Errorf("extraneous commas in list")
			}
			for _, h := range hs {
				if !conntrackHelpers[h] {
					return "", "", fmt.Errorf("unknown helper %s at /usr/share/perl5/PVE/Firewall.pm line 1167.", h)
				}
			}
			return strings.ToLower(m[1]), v, nil
		}
		if m := hostIntOptRE.FindStringSubmatch(line); m != nil {
			return strings.ToLower(m[1]), intText(m[2]), nil
		}
	default:
		if m := vmBoolOptRE.FindStringSubmatch(line); m != nil {
			return strings.ToLower(m[1]), m[2], nil
		}
		if m := vmLogOptRE.FindStringSubmatch(line); m != nil {
			v := ""
			if m[2] != "" {
				v = strings.ToLower(m[3])
			}
			return strings.ToLower(m[1]), v, nil
		}
		if m := vmPolicyOptRE.FindStringSubmatch(line); m != nil {
			return strings.ToLower(m[1]), strings.ToUpper(m[3]), nil
		}
		if m := vmQueuesOptRE.FindStringSubmatch(line); m != nil {
			return strings.ToLower(m[1]), m[2], nil
		}
		if m := vmL2OptRE.FindStringSubmatch(line); m != nil {
			for _, t := range perlSplit(commaSplitRE, m[2]) {
				if !knownEthertype(t) {
					return "", "", fmt.Errorf("unknown ethernet protocol type: %s", t)
				}
			}
			return strings.ToLower(m[1]), m[2], nil
		}
	}
	return "", "", bad
}

// perlSplit is Perl's split: trailing empty fields are dropped.
func perlSplit(re *regexp.Regexp, s string) []string {
	parts := re.Split(s, -1)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// numericOptions are the options whose parsed value is a Perl number (int()),
// so the API returns them as JSON numbers.
var numericOptions = map[string]bool{
	"enable": true, "dhcp": true, "ndp": true, "radv": true, "macfilter": true, "ipfilter": true, "ips": true,
	"ebtables": true, "nosmurfs": true, "tcpflags": true, "log_nf_conntrack": true,
	"nf_conntrack_allow_invalid": true, "protection_synflood": true, "nftables": true,
	"nf_conntrack_max": true, "nf_conntrack_tcp_timeout_established": true,
	"nf_conntrack_tcp_timeout_syn_recv": true, "protection_synflood_rate": true,
	"protection_synflood_burst": true, "protection_limit": true,
}

func (f *File) setOption(k, v string) {
	if _, ok := f.options[k]; !ok {
		f.optionOrder = append(f.optionOrder, k)
	}
	f.options[k] = v
}

func (f *File) deleteOption(k string) {
	if _, ok := f.options[k]; !ok {
		return
	}
	delete(f.options, k)
	for i, o := range f.optionOrder {
		if o == k {
			f.optionOrder = append(f.optionOrder[:i:i], f.optionOrder[i+1:]...)
			break
		}
	}
}

// Option returns an option's text value.
func (f *File) Option(k string) (string, bool) {
	v, ok := f.options[k]
	return v, ok
}

// OptionNames returns the option names in file order.
func (f *File) OptionNames() []string { return append([]string(nil), f.optionOrder...) }

// Check reports what makes PVE's writer die: a rule of an unknown type
// (possible in a hand-edited file, e.g. "FOO ACCEPT").
func (f *File) Check() error {
	check := func(rules []*Rule) error {
		for _, r := range rules {
			if !validRuleType(r.Type) {
				// die without "\n": Perl appends the source position
				return fmt.Errorf("unknown rule type '%s' at /usr/share/perl5/PVE/Firewall.pm line 3731.", r.Type)
			}
		}
		return nil
	}
	if err := check(f.Rules); err != nil {
		return err
	}
	if f.Kind == KindCluster {
		for _, g := range sortedKeys(f.Groups) {
			if err := check(f.Groups[g]); err != nil {
				return err
			}
		}
	}
	return nil
}

// Render writes the file like save_vmfw_conf / save_clusterfw_conf /
// save_hostfw_conf. An empty result means PVE deletes the file. Rules of an
// unknown type (see Check) are left out.
func (f *File) Render() []byte {
	var b strings.Builder
	if len(f.optionOrder) > 0 {
		b.WriteString("[OPTIONS]\n\n")
		for _, k := range f.optionOrder {
			b.WriteString(k + ": " + f.options[k] + "\n")
		}
		b.WriteString("\n")
	}
	if f.Kind.hasAliases() && len(f.Aliases) > 0 {
		b.WriteString("[ALIASES]\n\n")
		for _, k := range sortedKeys(f.Aliases) {
			a := f.Aliases[k]
			b.WriteString(a.Name + " " + a.CIDR)
			if perlTrue(a.Comment) && strings.TrimSpace(a.Comment) != "" {
				b.WriteString(" # " + a.Comment)
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if f.Kind.hasIPSets() {
		for _, name := range sortedKeys(f.IPSets) {
			if c := f.IPSetComments[name]; perlTrue(c) {
				b.WriteString("[IPSET " + name + "] # " + c + "\n\n")
			} else {
				b.WriteString("[IPSET " + name + "]\n\n")
			}
			byCIDR := map[string]*IPSetEntry{}
			for _, e := range f.IPSets[name] {
				if _, dup := byCIDR[e.CIDR]; !dup {
					byCIDR[e.CIDR] = e
				}
			}
			for _, c := range sortedKeys(byCIDR) {
				e := byCIDR[c]
				if e.NoMatch {
					b.WriteString("!")
				}
				b.WriteString(e.CIDR)
				if perlTrue(e.Comment) && strings.TrimSpace(e.Comment) != "" {
					b.WriteString(" # " + e.Comment)
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
	}
	writeRules := func(rules []*Rule, allowIface bool) {
		for _, r := range rules {
			if validRuleType(r.Type) {
				b.WriteString(r.line(allowIface) + "\n")
			}
		}
	}
	if hasValidRule(f.Rules) {
		b.WriteString("[RULES]\n\n")
		writeRules(f.Rules, true)
		b.WriteString("\n")
	}
	if f.Kind == KindCluster {
		for _, g := range sortedKeys(f.Groups) {
			if c := f.GroupComments[g]; perlTrue(c) {
				b.WriteString("[group " + g + "] # " + c + "\n\n")
			} else {
				b.WriteString("[group " + g + "]\n\n")
			}
			writeRules(f.Groups[g], false)
			b.WriteString("\n")
		}
	}
	return []byte(b.String())
}

func hasValidRule(rules []*Rule) bool {
	for _, r := range rules {
		if validRuleType(r.Type) {
			return true
		}
	}
	return false
}

// Digest is the sha1 of data (PVE's config digest of a whole file).
func Digest(data []byte) string {
	h := sha1.Sum(data)
	return hex.EncodeToString(h[:])
}
