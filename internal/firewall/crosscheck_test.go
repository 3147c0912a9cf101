package firewall

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/fwfile"
)

// These tests hold the parser and the renderer against the simulator's own
// re-implementation of pve-firewall's reader and writer (internal/pvesim/fwfile).

func fwRule(r *fwfile.Rule) Rule {
	// the model holds a comment as it is after PVE's write and re-read
	// (the writer encodes it, the reader trims \h, which takes the last
	// byte of a trailing NBSP): the first read's value goes through it
	c := cleanComment(r.Comment)
	if strings.TrimSpace(c) == "" {
		c = "" // Rule.Line never writes such a comment
	}
	return Rule{Type: r.Type, Action: r.Action, Macro: r.Macro, Iface: r.Iface, Source: r.Source, Dest: r.Dest,
		Proto: r.Proto, Dport: r.Dport, Sport: r.Sport, IcmpType: r.IcmpType, Log: r.Log, Comment: c,
		Enable: r.Enable != 0}
}

func fwRules(rs []*fwfile.Rule) []Rule {
	var out []Rule
	for _, r := range rs {
		out = append(out, fwRule(r))
	}
	return out
}

// fwOptions is the model's view of fwfile's [OPTIONS].
func fwOptions(f *fwfile.File) Options {
	var o Options
	for k, dst := range map[string]**bool{"enable": &o.Enable, "dhcp": &o.DHCP, "ipfilter": &o.IPFilter,
		"macfilter": &o.MACFilter, "ndp": &o.NDP, "radv": &o.RADV} {
		if v, ok := f.Option(k); ok {
			b := v == "1"
			*dst = &b
		}
	}
	for k, dst := range map[string]*string{"policy_in": &o.PolicyIn, "policy_out": &o.PolicyOut,
		"log_level_in": &o.LogLevelIn, "log_level_out": &o.LogLevelOut} {
		*dst, _ = f.Option(k)
	}
	return o
}

// fwEntries returns an ipset's entries that PVE would use, sorted; an
// entry whose only problem is an unresolved alias is kept (the model does
// not resolve aliases), but only once (that error hides PVE's duplicate
// check, and PVE's writer drops the duplicate).
func fwEntries(es []*fwfile.IPSetEntry) []IPSetEntry {
	var out []IPSetEntry
	seen := map[string]bool{}
	for _, e := range es {
		if len(e.Errors) > 0 && !(len(e.Errors) == 1 && strings.HasPrefix(e.Errors["cidr"], "no such alias")) || seen[e.CIDR] {
			continue
		}
		seen[e.CIDR] = true
		out = append(out, IPSetEntry{CIDR: e.CIDR, NoMatch: e.NoMatch, Comment: e.Comment})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CIDR < out[j].CIDR })
	return out
}

// fwConfig is the model's view of a guest file read by fwfile.
func fwConfig(f *fwfile.File) Config {
	c := Config{Options: fwOptions(f), Rules: fwRules(f.Rules)}
	for _, k := range sortedKeys(f.Aliases) {
		a := f.Aliases[k]
		// fwfile keys aliases by Go's strings.ToLower (Perl's lc of the
		// bytes only maps A-Z, as asciiLower does), so only names that are
		// ASCII are compared
		if isASCII(a.Name) {
			c.Aliases = append(c.Aliases, Alias{Name: a.Name, CIDR: a.CIDR, Comment: a.Comment})
		}
	}
	for _, k := range sortedKeys(f.IPSets) {
		c.IPSets = append(c.IPSets, IPSet{Name: k, Comment: f.IPSetComments[k], Entries: fwEntries(f.IPSets[k])})
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiAliases drops the aliases fwConfig does not compare.
func asciiAliases(c Config) Config {
	var as []Alias
	for _, a := range c.Aliases {
		if isASCII(a.Name) {
			as = append(as, a)
		}
	}
	c.Aliases = as
	return c
}

func fwParseCT(data []byte) *fwfile.File {
	return fwfile.ParseFile(fwfile.KindCT, "/etc/pve/firewall/100.fw", data, fwfile.Parse(fwfile.KindCluster, nil))
}

// TestCrossCheckGuest: fwfile reads what Config.Render writes as the same
// model, and writes it back byte for byte.
func TestCrossCheckGuest(t *testing.T) {
	for name, c := range map[string]Config{
		"canonical": canonicalConfig,
		"parsed":    mustParse(t, canonicalCT),
	} {
		t.Run(name, func(t *testing.T) {
			data := c.Render()
			f := fwParseCT(data)
			if len(f.Warnings) > 0 {
				t.Errorf("fwfile warnings: %q", f.Warnings)
			}
			for i, r := range f.Rules {
				if len(r.Errors) > 0 {
					t.Errorf("fwfile rule %d errors: %v", i, r.Errors)
				}
			}
			if got := fwConfig(f); !reflect.DeepEqual(got, c) {
				t.Errorf("fwfile read:\n got %+v\nwant %+v", got, c)
			}
			if got := f.Render(); string(got) != string(data) {
				t.Errorf("fwfile Render differs:\n--- fwfile\n%s--- ours\n%s", got, data)
			}
		})
	}
}

// TestCrossCheckGroups: fwfile and ParseGroups read cluster.fw alike;
// fwfile's writer produces Group.Render's sections, and splicing a group
// into fwfile's output changes nothing.
func TestCrossCheckGroups(t *testing.T) {
	f := fwfile.ParseFile(fwfile.KindCluster, "cluster.fw", []byte(canonicalCluster), nil)
	if len(f.Warnings) > 0 {
		t.Errorf("fwfile warnings: %q", f.Warnings)
	}
	var fromFw []Group
	for _, k := range sortedKeys(f.Groups) {
		fromFw = append(fromFw, Group{Name: k, Comment: f.GroupComments[k], Rules: fwRules(f.Groups[k])})
	}
	if !reflect.DeepEqual(fromFw, canonicalGroups) {
		t.Errorf("fwfile groups:\n got %+v\nwant %+v", fromFw, canonicalGroups)
	}
	out := f.Render()
	if string(out) != canonicalCluster {
		t.Errorf("fwfile Render differs:\n%s", out)
	}
	for _, g := range mustParseGroups(t, string(out)) {
		if got := SpliceGroup(out, &g, g.Name); string(got) != string(out) {
			t.Errorf("splicing %s into fwfile's output changed it:\n%s", g.Name, got)
		}
	}
}

// TestCrossCheckNewGroupOrder: a group added by SpliceGroup lands where
// pve-firewall's writer (fwfile's save_clusterfw_conf) puts it, so PVE's
// next rewrite of cluster.fw does not move it.
func TestCrossCheckNewGroupOrder(t *testing.T) {
	for _, name := range []string{"aaa", "group15", "group3", "zzz"} {
		g := Group{Name: name, Comment: "new", Rules: []Rule{{Type: "in", Action: "DROP", Enable: true}}}
		out := SpliceGroup([]byte(canonicalCluster), &g, name)
		f := fwfile.ParseFile(fwfile.KindCluster, "cluster.fw", out, nil)
		if len(f.Warnings) > 0 {
			t.Errorf("%s: fwfile warnings: %q", name, f.Warnings)
		}
		if pve := f.Render(); string(pve) != string(out) {
			t.Errorf("%s: PVE's writer reorders the spliced file:\n--- spliced\n%s--- PVE writes\n%s", name, out, pve)
		}
	}
}

// TestCrossCheckRuleLines: fwfile.ParseRule (parse_fw_rule) reads every rule
// line of TestParseRuleLines like parseRule, and fwfile's Line of it equals
// Rule.Line.
func TestCrossCheckRuleLines(t *testing.T) {
	for _, line := range strings.Split(strings.TrimSpace(canonicalCT[strings.Index(canonicalCT, "[RULES]")+len("[RULES]"):]), "\n") {
		want, errMsg := parseRule(line, false)
		if errMsg != "" {
			t.Fatalf("%q: %s", line, errMsg)
		}
		fr, err := fwfile.ParseRule(line)
		if err != nil {
			t.Fatalf("fwfile.ParseRule(%q): %v", line, err)
		}
		if got := fwRule(&fr); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: fwfile %+v, ours %+v", line, got, want)
		}
		if fr.Line() != want.Line() || want.Line() != line {
			t.Errorf("Line: fwfile %q, ours %q, file %q", fr.Line(), want.Line(), line)
		}
	}
}

// crossCheck asserts that fwfile reads our rendering of Parse(data) as the
// same model, and that everything Parse loads from data, fwfile loads too
// (both read bytes like Perl: \s includes \v, \h the byte 0xA0).
func crossCheck(t *testing.T, data []byte) {
	c, _ := Parse(data)
	out := c.Render()
	f := fwParseCT(out)
	for _, w := range f.Warnings {
		// "<file> (line N): msg" is a skipped line; "<file> (line N) -
		// errors in rule parameters" is a kept rule PVE will not compile
		if strings.Contains(w, "): ") {
			t.Fatalf("fwfile skips a line of our rendering %q: %q", out, f.Warnings)
		}
	}
	c = asciiAliases(c)
	if got := fwConfig(f); !reflect.DeepEqual(got, c) {
		t.Fatalf("fwfile reads our rendering %q as\n%+v\nwant %+v", out, got, c)
	}
	fr := fwConfig(fwParseCT(data))
	if !reflect.DeepEqual(c.Options, fr.Options) {
		t.Fatalf("options: ours %+v, fwfile %+v", c.Options, fr.Options)
	}
	if !reflect.DeepEqual(c.Aliases, fr.Aliases) {
		t.Fatalf("aliases: ours %+v, fwfile %+v", c.Aliases, fr.Aliases)
	}
	if !reflect.DeepEqual(c.IPSets, fr.IPSets) {
		t.Fatalf("ipsets: ours %+v, fwfile %+v", c.IPSets, fr.IPSets)
	}
	// fwfile keeps rules with bad parameters (as PVE does); ours must be
	// the same rules in the same order, minus the ones reported. (Not
	// compared when [ALIASES] is not a single section above [RULES]: PVE
	// checks a rule's alias IP versions against the aliases above it, Parse
	// against all of them.)
	if low := asciiLower(string(data)); strings.Count(low, "[aliases]") > 1 ||
		strings.Contains(low, "[aliases]") && strings.Index(low, "[aliases]") > strings.Index(low, "[rules]") {
		return
	}
	j := 0
	for _, r := range c.Rules {
		for j < len(fr.Rules) && !reflect.DeepEqual(fr.Rules[j], r) {
			j++
		}
		if j == len(fr.Rules) {
			t.Fatalf("rule %+v not loaded by fwfile (fwfile: %+v)", r, fr.Rules)
		}
		j++
	}
}

func TestCrossCheckFiles(t *testing.T) {
	for _, s := range fuzzSeeds() {
		crossCheck(t, []byte(s))
	}
}

func FuzzCrossCheck(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { crossCheck(t, data) })
}

// TestRenderDiffersFromPVEWriter pins down where Config.Render and
// fwfile's writer (like pve-firewall's) differ on input that is not
// canonical: PVE leaves out a value or comment that is Perl-false ("0") or
// only white space, and writes a repeated ipset entry once. Parse never
// produces such a model except for a rule comment "0", which PVE reads (and
// so returns through its API) but does not write back.
func TestRenderDiffersFromPVEWriter(t *testing.T) {
	for _, tc := range []struct {
		c            Config
		ours, fwfile string
	}{
		{Config{Rules: []Rule{{Type: "in", Action: "ACCEPT", Comment: "0", Enable: true}}},
			"IN ACCEPT # 0\n", "IN ACCEPT\n"},
		{Config{Rules: []Rule{{Type: "in", Action: "ACCEPT", Macro: "0", Iface: "0", Source: "0", Dest: "0", Proto: "0",
			Dport: "0", Sport: "0", IcmpType: "0", Enable: true}}},
			"IN 0(ACCEPT) -i 0 -source 0 -dest 0 -p 0 -dport 0 -sport 0 -icmp-type 0\n", "IN ACCEPT -icmp-type 0\n"},
		{Config{Aliases: []Alias{{Name: "ab", CIDR: "10.0.0.1", Comment: "0"}, {Name: "cd", CIDR: "10.0.0.2", Comment: "\u2003"}}},
			"ab 10.0.0.1 # 0\ncd 10.0.0.2 # \u2003\n", "ab 10.0.0.1\ncd 10.0.0.2\n"},
		{Config{IPSets: []IPSet{{Name: "ab", Comment: "0", Entries: []IPSetEntry{{CIDR: "10.0.0.1", Comment: "0"},
			{CIDR: "10.0.0.1", Comment: "again"}}}}},
			"[IPSET ab] # 0\n\n10.0.0.1 # 0\n10.0.0.1 # again\n", "[IPSET ab]\n\n10.0.0.1\n"},
	} {
		ours := string(tc.c.Render())
		fw := string(fwParseCT([]byte(ours)).Render())
		if !strings.Contains(ours, tc.ours) || !strings.Contains(fw, tc.fwfile) || ours == fw {
			t.Errorf("ours:\n%s\nfwfile:\n%s", ours, fw)
		}
	}
}
