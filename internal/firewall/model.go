// Package firewall models a guest's pve-firewall configuration
// (/etc/pve/firewall/<vmid>.fw) and renders it the way pve-firewall's writer
// does, so a file written by the provider reads back through PVE's API (and
// through PVE's own parser) exactly as intended.
package firewall

import (
	"sort"
	"strconv"
	"strings"
)

// Options are the [OPTIONS] the PVE API exposes for a guest. Nil pointers are
// options not set in the file (PVE's defaults apply).
type Options struct {
	Enable      *bool
	DHCP        *bool
	IPFilter    *bool
	MACFilter   *bool
	NDP         *bool
	RADV        *bool
	PolicyIn    string
	PolicyOut   string
	LogLevelIn  string
	LogLevelOut string
}

// Rule is one rule line. Type is "in", "out" or "group"; for "group" Action
// is the security group's name.
type Rule struct {
	Type     string
	Action   string
	Macro    string
	Iface    string
	Source   string
	Dest     string
	Proto    string
	Dport    string
	Sport    string
	IcmpType string
	Log      string
	Comment  string
	Enable   bool
}

// IPSetEntry is one [IPSET] line.
type IPSetEntry struct {
	CIDR    string
	NoMatch bool
	Comment string
}

// IPSet is one [IPSET name] section.
type IPSet struct {
	Name    string
	Comment string
	Entries []IPSetEntry
}

// Alias is one [ALIASES] line.
type Alias struct {
	Name    string
	CIDR    string
	Comment string
}

// Config is a guest firewall file.
type Config struct {
	Options Options
	Aliases []Alias
	IPSets  []IPSet
	Rules   []Rule
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Lines returns the [OPTIONS] "key: value" lines, sorted by key (pve-firewall writes
// them in hash order, which any order reproduces on read).
func (o Options) Lines() []string {
	kv := map[string]string{}
	for k, v := range map[string]*bool{"enable": o.Enable, "dhcp": o.DHCP, "ipfilter": o.IPFilter,
		"macfilter": o.MACFilter, "ndp": o.NDP, "radv": o.RADV} {
		if v != nil {
			kv[k] = b01(*v)
		}
	}
	for k, v := range map[string]string{"policy_in": o.PolicyIn, "policy_out": o.PolicyOut,
		"log_level_in": o.LogLevelIn, "log_level_out": o.LogLevelOut} {
		if v != "" {
			kv[k] = v
		}
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + ": " + kv[k]
	}
	return out
}

// Values are the options as GET .../firewall/options returns them: the keys
// the file sets, with the values as text ("1"/"0" for the flags).
func (o Options) Values() map[string]string {
	out := map[string]string{}
	for _, l := range o.Lines() {
		k, v, _ := strings.Cut(l, ": ")
		out[k] = v
	}
	return out
}

// Line renders a rule like pve-firewall's rule writer: "[|]DIR ACTION
// -i -source -dest -p -dport -sport -log -icmp-type # comment".
func (r Rule) Line() string {
	var b strings.Builder
	if !r.Enable {
		b.WriteByte('|')
	}
	b.WriteString(strings.ToUpper(r.Type))
	b.WriteByte(' ')
	switch {
	case r.Type == "group":
		b.WriteString(r.Action)
	case r.Macro != "":
		b.WriteString(r.Macro + "(" + r.Action + ")")
	default:
		b.WriteString(r.Action)
	}
	opts := [][2]string{{"-i", r.Iface}}
	if r.Type != "group" {
		opts = append(opts, [][2]string{{"-source", r.Source}, {"-dest", r.Dest}, {"-p", r.Proto},
			{"-dport", r.Dport}, {"-sport", r.Sport}, {"-log", r.Log}, {"-icmp-type", r.IcmpType}}...)
	}
	for _, o := range opts {
		if o[1] != "" {
			b.WriteString(" " + o[0] + " " + o[1])
		}
	}
	if strings.TrimSpace(r.Comment) != "" {
		b.WriteString(" # " + r.Comment)
	}
	return b.String()
}

// Render writes the file like save_vmfw_conf: [OPTIONS], [ALIASES], [IPSET x]
// (sorted by name, entries sorted), [RULES]; each header followed by a blank
// line and each section by a blank line. An empty config renders as "".
func (c Config) Render() []byte {
	var b strings.Builder
	section := func(header string, lines []string) {
		b.WriteString(header + "\n\n")
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		b.WriteString("\n")
	}
	if opts := c.Options.Lines(); len(opts) > 0 {
		section("[OPTIONS]", opts)
	}
	if len(c.Aliases) > 0 {
		aliases := append([]Alias(nil), c.Aliases...)
		// pve-firewall writes them sorted by their key, lc(name)
		sort.Slice(aliases, func(i, j int) bool { return asciiLower(aliases[i].Name) < asciiLower(aliases[j].Name) })
		var lines []string
		for _, a := range aliases {
			l := a.Name + " " + a.CIDR
			if a.Comment != "" {
				l += " # " + a.Comment
			}
			lines = append(lines, l)
		}
		section("[ALIASES]", lines)
	}
	sets := append([]IPSet(nil), c.IPSets...)
	sort.Slice(sets, func(i, j int) bool { return sets[i].Name < sets[j].Name })
	for _, s := range sets {
		header := "[IPSET " + s.Name + "]"
		if s.Comment != "" {
			header += " # " + s.Comment
		}
		entries := append([]IPSetEntry(nil), s.Entries...)
		sort.Slice(entries, func(i, j int) bool { return entries[i].CIDR < entries[j].CIDR })
		var lines []string
		for _, e := range entries {
			l := e.CIDR
			if e.NoMatch {
				l = "!" + l
			}
			if e.Comment != "" {
				l += " # " + e.Comment
			}
			lines = append(lines, l)
		}
		section(header, lines)
	}
	if len(c.Rules) > 0 {
		lines := make([]string, len(c.Rules))
		for i, r := range c.Rules {
			lines[i] = r.Line()
		}
		section("[RULES]", lines)
	}
	return []byte(b.String())
}

// RuleFromAPI maps one entry of GET .../firewall/rules to a Rule.
func RuleFromAPI(m map[string]any) Rule {
	s := func(k string) string {
		switch v := m[k].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	r := Rule{Type: s("type"), Action: s("action"), Macro: s("macro"), Iface: s("iface"), Source: s("source"),
		Dest: s("dest"), Proto: s("proto"), Dport: s("dport"), Sport: s("sport"), IcmpType: s("icmp-type"),
		Log: s("log"), Comment: s("comment"), Enable: s("enable") == "1"}
	return r
}
