package firewall

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// LineError is a line of a firewall file that was not loaded (pve-firewall
// warns about such a line and skips it; the rest of the file still loads).
type LineError struct {
	Line int    // 1-based line number
	Text string // the line, trimmed
	Err  string
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Err, e.Text) }

// eachLine calls fn for every line that is neither blank nor a "#" comment,
// like generic_fw_config_parser: lines split at "\n", trimmed of \h. start and
// end are the byte offsets of the raw line including its "\n".
func eachLine(data []byte, fn func(n int, line string, start, end int)) {
	s := string(data)
	for n, start := 1, 0; start < len(s); n++ {
		end := len(s)
		if i := strings.IndexByte(s[start:], '\n'); i >= 0 {
			end = start + i + 1
		}
		line := trimH(strings.TrimSuffix(s[start:end], "\n"))
		if line != "" && line[0] != '#' && !blank(line) {
			fn(n, line, start, end)
		}
		start = end
	}
}

// header is a recognised section header line.
type header struct {
	kind    string // options, aliases, rules, ipset, group
	name    string // ipset / group name, lower-cased
	comment string
	err     string // invalid name: the section is ignored
}

var namedHdrRE = pveRE(`^\[(ipset|group)\s+(\S+)\]\s*(?:#\s*(.*?)\s*)?$`)

// parseHeader recognises the section headers of a guest file (cluster: of
// cluster.fw, which adds [group name]). Any other "[...]" line is a line of
// the current section, exactly like PVE.
func parseHeader(line string, cluster bool) (header, bool) {
	low := asciiLower(line)
	switch low {
	case "[options]", "[aliases]", "[rules]":
		return header{kind: low[1 : len(low)-1]}, true
	}
	m := namedHdrRE.FindStringSubmatchIndex(low)
	if m == nil {
		return header{}, false
	}
	h := header{kind: low[m[2]:m[3]], name: low[m[4]:m[5]]}
	if h.kind == "group" && !cluster {
		return header{}, false
	}
	if m[6] >= 0 {
		if c := cleanComment(line[m[6]:m[7]]); perlTrue(c) {
			h.comment = c
		}
	}
	maxLen, what := maxIPSetNameLength, "ipset"
	if h.kind == "group" {
		maxLen, what = maxGroupNameLength, "security group"
	}
	switch {
	case len(h.name) > maxLen:
		h.err = what + " name too long"
	case !nameRE.MatchString(h.name):
		h.err = fmt.Sprintf("invalid %s name '%s'", what, h.name)
	}
	return h, true
}

// Parse reads a guest's <vmid>.fw like pve-firewall's load_vmfw_conf: every
// line PVE would skip (and every line the model cannot hold) is reported as
// a LineError and the rest loads. Aliases and IPSets come back sorted by
// name and IPSet entries by CIDR (PVE keeps them in hashes and its writer
// sorts); rules keep the file order.
func Parse(data []byte) (Config, []LineError) {
	var (
		c        Config
		errs     []LineError
		section  string
		aliases  = map[string]Alias{}
		versions = aliasVersions{}
		rules    []lineRule
		ipsets   = map[string]*IPSet{}
		cur      *IPSet
		seenCIDR map[string]bool
	)
	eachLine(data, func(n int, line string, _, _ int) {
		fail := func(msg string) { errs = append(errs, LineError{Line: n, Text: line, Err: msg}) }
		if h, ok := parseHeader(line, false); ok {
			section = h.kind
			if h.err != "" {
				fail(h.err)
				section = ""
			}
			if section == "ipset" {
				if old, dup := ipsets[h.name]; dup {
					fail(fmt.Sprintf("duplicate ipset '%s': the earlier entries are dropped", h.name))
					if h.comment == "" {
						h.comment = old.Comment
					}
				}
				cur = &IPSet{Name: h.name, Comment: h.comment}
				ipsets[h.name] = cur
				seenCIDR = map[string]bool{}
			}
			return
		}
		var err string
		switch section {
		case "":
			err = "skip line - no section"
		case "options":
			err = parseOption(&c.Options, line)
		case "aliases":
			var a Alias
			if a, err = parseAlias(line); err == "" {
				aliases[asciiLower(a.Name)] = a // PVE keys them by lc(name)
				versions.add(a)
			}
		case "ipset":
			var e IPSetEntry
			if e, err = parseIPSetEntry(line, seenCIDR); err == "" {
				seenCIDR[e.CIDR] = true
				cur.Entries = append(cur.Entries, e)
			}
		case "rules":
			var r Rule
			if r, err = parseRule(line, false); err == "" {
				rules = append(rules, lineRule{r, LineError{Line: n, Text: line}})
			}
		}
		if err != "" {
			fail(err)
		}
	})
	c.Rules, errs = checkIPVersions(rules, versions, nil, errs)
	for _, k := range sortedKeys(aliases) {
		c.Aliases = append(c.Aliases, aliases[k])
	}
	for _, k := range sortedKeys(ipsets) {
		s := *ipsets[k]
		sort.Slice(s.Entries, func(i, j int) bool { return s.Entries[i].CIDR < s.Entries[j].CIDR })
		c.IPSets = append(c.IPSets, s)
	}
	return c, errs
}

type lineRule struct {
	rule Rule
	at   LineError // Line and Text
}

// checkIPVersions drops the rules with mixedIPVersions, adding their
// LineErrors to errs (kept in line order). PVE checks a rule against the
// aliases defined above it; all of the file's aliases are used here, which is
// what PVE sees once it has rewritten the file (aliases first), so the
// result does not depend on where the file defines them.
func checkIPVersions(rules []lineRule, local, cluster aliasVersions, errs []LineError) ([]Rule, []LineError) {
	var out []Rule
	added := false
	for _, lr := range rules {
		if mixedIPVersions(lr.rule, local, cluster) {
			lr.at.Err = "detected mixed ipv4/ipv6 addresses in rule"
			errs = append(errs, lr.at)
			added = true
			continue
		}
		out = append(out, lr.rule)
	}
	if added {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	}
	return out, errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var (
	boolOptRE   = pveRE(`^(enable|dhcp|ndp|radv|macfilter|ipfilter|ips):\s*(0|1)\s*$`)
	logOptRE    = pveRE(`^(log_level_in|log_level_out):\s*((emerg|alert|crit|err|warning|notice|info|debug|nolog)\s*)?$`)
	policyOptRE = pveRE(`^(policy_in|policy_out):\s*(accept|drop|reject)\s*$`)
	queuesOptRE = pveRE(`^(ips_queues):\s*(\d+)(:\d+)?\s*$`)
	l2OptRE     = pveRE(`^(layer2_protocols):\s*((\S+)[,]?)+\s*$`)
)

// parseOption is parse_vmfw_option (keys and values case-insensitive) into
// the model; ips, ips_queues and layer2_protocols are valid for PVE but have
// no place in Options and are reported.
func parseOption(o *Options, line string) string {
	low := asciiLower(line)
	if m := boolOptRE.FindStringSubmatch(low); m != nil {
		v := m[2] == "1"
		dst := map[string]**bool{"enable": &o.Enable, "dhcp": &o.DHCP, "ndp": &o.NDP, "radv": &o.RADV,
			"macfilter": &o.MACFilter, "ipfilter": &o.IPFilter}[m[1]]
		if dst == nil {
			return fmt.Sprintf("option '%s' not managed", m[1])
		}
		*dst = &v
		return ""
	}
	if m := logOptRE.FindStringSubmatch(low); m != nil {
		if m[1] == "log_level_in" {
			o.LogLevelIn = m[3]
		} else {
			o.LogLevelOut = m[3]
		}
		return ""
	}
	if m := policyOptRE.FindStringSubmatch(low); m != nil {
		if m[1] == "policy_in" {
			o.PolicyIn = strings.ToUpper(m[2])
		} else {
			o.PolicyOut = strings.ToUpper(m[2])
		}
		return ""
	}
	for _, re := range []*regexp.Regexp{queuesOptRE, l2OptRE} {
		if m := re.FindStringSubmatch(low); m != nil {
			return fmt.Sprintf("option '%s' not managed", m[1])
		}
	}
	return fmt.Sprintf("can't parse option '%s'", line)
}

var (
	aliasCmtRE  = pveRE(`\s*#\s*(.*?)\s*$`)
	aliasLineRE = pveRE(`^(\S+)\s(\S+)$`)
)

// parseAlias is parse_alias; the name keeps its case as written (PVE keys
// aliases by lc(name) but keeps the name: the API returns it as written,
// the writer sorts by lc(name)).
func parseAlias(line string) (Alias, string) {
	a := Alias{}
	if m := aliasCmtRE.FindStringSubmatchIndex(line); m != nil {
		if c := cleanComment(line[m[2]:m[3]]); perlTrue(c) {
			a.Comment = c
		}
		line = line[:m[0]]
	}
	m := aliasLineRE.FindStringSubmatch(line)
	if m == nil {
		return Alias{}, "unable to parse alias: expected '<name> <ip|cidr> [# comment]'"
	}
	cidr, ok := parseIPOrCIDR(m[2])
	if !ok {
		return Alias{}, "value does not look like a valid IP address or CIDR network"
	}
	a.Name, a.CIDR = m[1], cidr
	return a, ""
}

var (
	commentRE    = pveRE(`#\s*(.*?)\s*$`)
	ipsetLineRE  = pveRE(`^(!)?\s*(\S+)\s*$`)
	zeroPrefixRE = pveRE(`/0+$`)
)

// parseIPSetEntry reads "[!]<ip|cidr|alias> [# comment]". PVE keeps a bad
// entry with an "errors" map (and does not use it); here it is a LineError.
// A reference to an alias is not checked against the defined aliases (it may
// be one of cluster.fw's).
func parseIPSetEntry(line string, seen map[string]bool) (IPSetEntry, string) {
	e := IPSetEntry{}
	if m := commentRE.FindStringSubmatchIndex(line); m != nil {
		if c := cleanComment(line[m[2]:m[3]]); perlTrue(c) {
			e.Comment = c
		}
		line = line[:m[0]]
	}
	m := ipsetLineRE.FindStringSubmatch(line)
	if m == nil {
		return IPSetEntry{}, "unable to parse ipset entry: expected '[!]<ip|cidr|alias> [# comment]'"
	}
	e.NoMatch, e.CIDR = m[1] != "", m[2]
	if !aliasRefRE.MatchString(e.CIDR) {
		cidr, ok := parseIPOrCIDR(e.CIDR)
		if !ok {
			return IPSetEntry{}, "value does not look like a valid IP address or CIDR network"
		}
		e.CIDR = cidr
	}
	if zeroPrefixRE.MatchString(e.CIDR) {
		return IPSetEntry{}, "a zero prefix is not allowed in ipset entries"
	}
	if seen[e.CIDR] {
		return IPSetEntry{}, fmt.Sprintf("duplicate ipset entry for '%s'", e.CIDR)
	}
	return e, ""
}
