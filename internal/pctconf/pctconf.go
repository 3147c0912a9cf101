// Package pctconf edits the raw `lxc.*` lines of a container's
// /etc/pve/nodes/<node>/lxc/<vmid>.conf without disturbing anything else.
//
// The PVE API cannot set raw lxc.* keys, so the provider writes them into the
// file itself. Everything it does not manage (normal keys written by the API,
// the description, unknown lines, the [pve:pending] section and snapshot
// sections) is kept byte for byte; managed lines are rewritten in PVE's own
// "key: value" form at the end of the main section, where PVE's writer puts them.
package pctconf

import (
	"regexp"
	"sort"
	"strings"
)

// Line is one raw lxc.* entry.
type Line struct {
	Key, Value string
}

// File is a parsed pct.conf.
type File struct {
	main []string // main-section lines, without the trailing blank separator
	tail string   // from the first section header to the end, verbatim
}

var (
	reLXC     = regexp.MustCompile(`^(lxc\.[a-z0-9_\-\.]+)(:|\s*=)\s*(.*?)\s*$`)
	reKey     = regexp.MustCompile(`^([a-z][a-z_]*\d*):\s*(.+?)\s*$`)
	reSection = regexp.MustCompile(`^\[[^\]]+\]\s*$`)
)

// Parse splits a config into its main section and the rest.
func Parse(raw []byte) *File {
	s := string(raw)
	f := &File{}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if reSection.MatchString(strings.TrimRight(l, "\r\n")) {
			f.tail = strings.Join(lines[i:], "")
			lines = lines[:i]
			break
		}
	}
	for _, l := range lines {
		if l == "" {
			continue
		}
		f.main = append(f.main, strings.TrimSuffix(l, "\n"))
	}
	for len(f.main) > 0 && strings.TrimSpace(f.main[len(f.main)-1]) == "" {
		f.main = f.main[:len(f.main)-1]
	}
	return f
}

// LXC returns the main section's raw lxc.* lines in file order.
func (f *File) LXC() []Line {
	var out []Line
	for _, l := range f.main {
		if m := reLXC.FindStringSubmatch(l); m != nil {
			out = append(out, Line{Key: m[1], Value: m[3]})
		}
	}
	return out
}

// Values returns the values of one raw key in order.
func (f *File) Values(key string) []string {
	var out []string
	for _, l := range f.LXC() {
		if l.Key == key {
			out = append(out, l.Value)
		}
	}
	return out
}

// Get returns a normal (non-lxc) key of the main section.
func (f *File) Get(key string) (string, bool) {
	for _, l := range f.main {
		if m := reKey.FindStringSubmatch(l); m != nil && m[1] == key {
			return m[2], true
		}
	}
	return "", false
}

// Keys returns the main section's normal keys (not raw lxc.* lines, not
// the description's comment lines).
func (f *File) Keys() map[string]string {
	out := map[string]string{}
	for _, l := range f.main {
		if m := reKey.FindStringSubmatch(l); m != nil {
			out[m[1]] = m[2]
		}
	}
	return out
}

// SetKeys removes every normal main-section line whose key remove reports
// or set names, then writes set's keys (sorted) after the remaining normal
// keys, before the raw lxc.* lines, where PVE's writer puts them.
func (f *File) SetKeys(remove func(key string) bool, set map[string]string) {
	var head, lxc []string
	for _, l := range f.main {
		if m := reKey.FindStringSubmatch(l); m != nil {
			if _, replaced := set[m[1]]; replaced || remove(m[1]) {
				continue
			}
		}
		if reLXC.MatchString(l) {
			lxc = append(lxc, l)
			continue
		}
		head = append(head, l)
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		head = append(head, k+": "+set[k])
	}
	f.main = append(head, lxc...)
}

// SetLXC removes every main-section lxc.* line whose key is managed and
// appends lines (in order) after the remaining main-section lines.
func (f *File) SetLXC(managed func(key string) bool, lines []Line) {
	kept := f.main[:0:0]
	for _, l := range f.main {
		if m := reLXC.FindStringSubmatch(l); m != nil && managed(m[1]) {
			continue
		}
		kept = append(kept, l)
	}
	for _, l := range lines {
		kept = append(kept, l.Key+": "+l.Value)
	}
	f.main = kept
}

// Render writes the config back.
func (f *File) Render() []byte {
	var b strings.Builder
	for _, l := range f.main {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if f.tail != "" {
		b.WriteByte('\n')
		b.WriteString(f.tail)
	}
	return []byte(b.String())
}
