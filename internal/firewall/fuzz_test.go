package firewall

import (
	"reflect"
	"strings"
	"testing"
)

// factsLines are the example lines of FACTS.md §7.
var factsLines = []string{
	"IN ACCEPT -p tcp -dport 443",
	"OUT REJECT -p tcp -dport 81",
	"IN ACCEPT -i net0 -source 192.168.5.0/24 -p tcp -dport 22",
	"GROUP group2 -i net0",
	"IN ACCEPT -p tcp -dport 80 -dest +a-longer-name-which-translates-into-fnv-digest",
	"OUT DROP -source testip1",
	"IN SSH(ACCEPT) -i net0 -source 10.0.0.1-10.0.0.10 # accept SSH for IP range",
	"IN SSH(ACCEPT) -i net0 -source +mynetgroup # accept ssh for ipset mynetgroup",
	"|IN SSH(ACCEPT) -i net0 # disabled rule",
	"IN REJECT -p icmp -log debug",
	"[ipset ipfilter-net2] # empty, allow nothing",
}

func fuzzSeeds() []string {
	seeds := []string{canonicalCT, canonicalCluster, strings.Join(factsLines, "\n")}
	for _, l := range factsLines {
		seeds = append(seeds, l, "[RULES]\n"+l+"\n")
	}
	return append(seeds,
		"[OPTIONS]\nenable: 1\nPOLICY_IN: reject\nlog_level_out:\nips: 1\n",
		"[ALIASES]\nWeb 10.0.0.1/32 # w\nv6 fd00::/128\n[IPSET s]\n!web\n10.0.0.0/0\n",
		"[ALIASES]\nab 1.2.3.4\nv6 fd00::1\n[RULES]\nIN ACCEPT -p icmpv6 -source ab\nIN ACCEPT -source v6 -dest ab\n"+
			"IN ACCEPT -source 10.0.0.1 -dest fd00::2\nOUT DROP -source guest/ab -dest dc/v6\n",
		"[RULES]\nIN ACCEPT -dport 1\xa0 #\nOUT DROP -source 10.0.0.1\xa0\v\n",
		"[RULES]\nIN ACCEPT # voil\xc3\xa0\nIN ACCEPT # x\xc2\xa0\v\n|in ssh(ACCEPT) --dport 22 -source 1.2.3.4\xa0 -p tcp\n",
	)
}

// FuzzParse: Parse never panics, and what it loads is a fixed point of
// Render then Parse (which reports no error for our own rendering).
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _ := Parse(data)
		out := c.Render()
		c2, errs := Parse(out)
		if len(errs) > 0 {
			t.Fatalf("Parse(Render(Parse(x))) reports errors %v for %q", errs, out)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("parse(render(parse(x))) != parse(x)\nrendered %q\n got %+v\nwant %+v", out, c2, c)
		}
		if out2 := c2.Render(); string(out2) != string(out) {
			t.Fatalf("render not stable: %q then %q", out, out2)
		}
	})
}

// FuzzGroups: ParseGroups never panics, groups are a fixed point of
// Render then ParseGroups, and SpliceGroup replaces one group's section
// without changing what the other sections hold.
func FuzzGroups(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add([]byte(s), "group1")
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		groups, _ := ParseGroups(data)
		for _, g := range groups {
			again, errs := ParseGroups(g.Render())
			if len(errs) > 0 || len(again) != 1 || !reflect.DeepEqual(again[0], g) {
				t.Fatalf("parse(render(%+v)) = %+v, %v", g, again, errs)
			}
		}
		key := asciiLower(name)
		if !nameRE.MatchString(key) || len(key) > maxGroupNameLength {
			return
		}
		g := Group{Name: key, Comment: "spliced", Rules: []Rule{{Type: "in", Action: "ACCEPT", Enable: true}}}
		others := func(gs []Group) []Group {
			var out []Group
			for _, x := range gs {
				if x.Name != key {
					out = append(out, x)
				}
			}
			return out
		}
		kept := othersText(data, key)
		for _, gp := range []*Group{&g, nil} {
			out := SpliceGroup(data, gp, name)
			after, _ := ParseGroups(out)
			if !reflect.DeepEqual(others(after), others(groups)) {
				t.Fatalf("splice changed other groups:\n%q\n%+v\n%+v", out, others(after), others(groups))
			}
			found := len(after) - len(others(after))
			if (gp == nil && found != 0) || (gp != nil && found != 1) {
				t.Fatalf("splice of %q (%v): found %d in %q", name, gp != nil, found, out)
			}
			if o := othersText(out, key); o != kept && o != kept+"\n" {
				t.Fatalf("splice changed the text of other sections:\n%q\n%q", kept, o)
			}
		}
	})
}

// othersText is data without the sections of group key (the text before
// the first header included).
func othersText(data []byte, key string) string {
	var b strings.Builder
	prev, skip := 0, false
	eachLine(data, func(_ int, line string, start, _ int) {
		h, ok := parseHeader(line, true)
		if !ok {
			return
		}
		if !skip {
			b.Write(data[prev:start])
		}
		prev, skip = start, h.kind == "group" && h.err == "" && h.name == key
	})
	if !skip {
		b.Write(data[prev:])
	}
	return b.String()
}
