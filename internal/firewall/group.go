package firewall

import (
	"fmt"
	"strings"
)

// Group is a security group: a [group name] # comment section of
// /etc/pve/firewall/cluster.fw. Its rules are of type in, out or forward and
// have no Iface.
type Group struct {
	Name    string
	Comment string
	Rules   []Rule
}

// ParseGroups reads the security groups of cluster.fw like
// load_clusterfw_conf (names lower-cased, a repeated section replaces the
// earlier one's rules). Of the other sections only [ALIASES] is read (for
// the IP versions of the aliases group rules refer to); LineErrors are the
// group lines not loaded, bad group headers and lines outside any section. Groups come back sorted by name.
func ParseGroups(clusterFW []byte) ([]Group, []LineError) {
	var (
		errs    []LineError
		section string
		groups  = map[string]*Group{}
		cur     *Group
		aliases = aliasVersions{}
		rules   = map[*Group][]lineRule{}
	)
	eachLine(clusterFW, func(n int, line string, _, _ int) {
		fail := func(msg string) { errs = append(errs, LineError{Line: n, Text: line, Err: msg}) }
		if h, ok := parseHeader(line, true); ok {
			section = h.kind
			if h.err != "" {
				fail(h.err)
				section = ""
			}
			if section == "group" {
				if old, dup := groups[h.name]; dup {
					fail(fmt.Sprintf("duplicate security group '%s': the earlier rules are dropped", h.name))
					if h.comment == "" {
						h.comment = old.Comment
					}
				}
				cur = &Group{Name: h.name, Comment: h.comment}
				groups[h.name] = cur
			}
			return
		}
		switch section {
		case "":
			fail("skip line - no section")
		case "aliases":
			if a, err := parseAlias(line); err == "" {
				aliases.add(a)
			}
		case "group":
			r, err := parseRule(line, true)
			if err != "" {
				fail(err)
				return
			}
			rules[cur] = append(rules[cur], lineRule{r, LineError{Line: n, Text: line}})
		}
	})
	var out []Group
	for _, k := range sortedKeys(groups) {
		g := groups[k]
		g.Rules, errs = checkIPVersions(rules[g], nil, aliases, errs)
		out = append(out, *g)
	}
	return out, errs
}

// Render writes the group's section like save_clusterfw_conf: "[group
// <lower-case name>]" (with " # comment" unless the comment is "" or "0"),
// a blank line, the rules (without "-i", which PVE does not write in a
// group), and a blank line.
func (g Group) Render() []byte {
	var b strings.Builder
	b.WriteString("[group " + asciiLower(g.Name) + "]")
	if perlTrue(g.Comment) {
		b.WriteString(" # " + g.Comment)
	}
	b.WriteString("\n\n")
	for _, r := range g.Rules {
		r.Iface = ""
		b.WriteString(r.Line() + "\n")
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// SpliceGroup returns cluster.fw with the section of security group name
// (matched case-insensitively, as PVE reads it) replaced by g's rendering,
// or removed when g is nil; with no such section, g's rendering is appended
// where pve-firewall's writer would put it: groups are written sorted by
// name, so it goes before the first group whose name sorts after it, else
// after the last group, else at the end (after a "\n" if the file does not
// end with one); the first rewrite by PVE then keeps the file's order. A
// section runs from its
// header to the next header line PVE recognises; every byte outside the
// replaced sections is kept, including comment lines, which belong to the
// section they are in. If name occurs more than once, the first occurrence
// is replaced and the others removed. The caller checks that g.Name does not
// collide with another existing group (on a rename).
func SpliceGroup(clusterFW []byte, g *Group, name string) []byte {
	name = asciiLower(name)
	targets := sectionSpans(clusterFW, func(h header) bool { return h.kind == "group" && h.err == "" && h.name == name })
	var rendered []byte
	if g != nil {
		rendered = g.Render()
	}
	if len(targets) == 0 {
		if g == nil {
			return append([]byte(nil), clusterFW...)
		}
		if at, ok := groupInsertAt(clusterFW, name); ok {
			out := append([]byte(nil), clusterFW[:at]...)
			out = append(out, rendered...)
			return append(out, clusterFW[at:]...)
		}
		out := append([]byte(nil), clusterFW...)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		return append(out, rendered...)
	}
	return splice(clusterFW, targets, rendered)
}

// groupInsertAt is where a new group called name goes in sorted order: the
// start of the first group section whose name sorts after it, else the end
// of the last group section when that is not the end of the file; ok is
// false when the new group is simply appended.
func groupInsertAt(clusterFW []byte, name string) (int, bool) {
	var (
		lastEnd = -1
		inGroup bool
		at      = -1
	)
	eachLine(clusterFW, func(_ int, line string, start, _ int) {
		h, isHeader := parseHeader(line, true)
		if !isHeader || at >= 0 {
			return
		}
		if inGroup {
			lastEnd = start
		}
		inGroup = h.kind == "group" && h.err == ""
		if inGroup && h.name > name {
			at = start
		}
	})
	switch {
	case at >= 0:
		return at, true
	case inGroup || lastEnd < 0:
		return 0, false // the last section is a group (or there is none): append
	}
	return lastEnd, true
}
