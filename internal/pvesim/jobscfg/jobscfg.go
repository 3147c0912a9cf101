// Package jobscfg reads and writes /etc/pve/jobs.cfg the way PVE does: a
// SectionConfig (pve-common src/PVE/SectionConfig.pm, PVE/Job/Registry.pm)
// of "<type>: <id>" sections whose options are "\t<key> <value>" lines,
// each section ended by a blank line. The writer puts comment first (URI
// escaped like PVE::Tools::encode_text), then the required schedule, then
// every other option sorted by name; booleans are 0/1. Sections of other
// job types (e.g. realm-sync) are kept as they are.
package jobscfg

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Section is one job.
type Section struct {
	Type, ID string
	// Options are the section's options; a key without a value reads as "1"
	// (SectionConfig's flag lines).
	Options map[string]string
}

// File is jobs.cfg: its sections in file order.
type File struct {
	Sections []*Section
	// Warnings are the lines PVE would skip, with why.
	Warnings []string
}

// Find returns the section with the id, or nil.
func (f *File) Find(id string) *Section {
	for _, s := range f.Sections {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Remove drops the section with the id; it reports whether there was one.
func (f *File) Remove(id string) bool {
	for i, s := range f.Sections {
		if s.ID == id {
			f.Sections = append(f.Sections[:i], f.Sections[i+1:]...)
			return true
		}
	}
	return false
}

// Parse reads jobs.cfg (SectionConfig's parse_config): "#" lines are
// comments, a section starts at "<type>: <id>" and ends at a blank line;
// options are indented "key value" lines. The comment option is decoded.
func Parse(raw []byte) *File {
	f := &File{}
	var cur *Section
	for n, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimRight(line, " \t\r")
		switch {
		case strings.HasPrefix(trimmed, "#"):
			continue
		case strings.TrimSpace(trimmed) == "":
			cur = nil
		case cur == nil:
			typ, id, ok := strings.Cut(trimmed, ":")
			id = strings.TrimSpace(id)
			if !ok || typ == "" || strings.ContainsAny(typ, " \t") || id == "" {
				f.Warnings = append(f.Warnings, fmt.Sprintf("jobs.cfg line %d: ignore config line: %s", n+1, trimmed))
				continue
			}
			cur = &Section{Type: typ, ID: id, Options: map[string]string{}}
			f.Sections = append(f.Sections, cur)
		case line[0] == ' ' || line[0] == '\t':
			k, v, _ := strings.Cut(strings.TrimSpace(trimmed), " ")
			v = strings.TrimSpace(v)
			if v == "" {
				v = "1"
			}
			if _, dup := cur.Options[k]; dup {
				f.Warnings = append(f.Warnings, fmt.Sprintf("jobs.cfg line %d: section '%s' - ignore duplicate option '%s'", n+1, cur.ID, k))
				continue
			}
			if k == "comment" {
				if d, err := url.PathUnescape(v); err == nil {
					v = d
				}
			}
			cur.Options[k] = v
		default:
			f.Warnings = append(f.Warnings, fmt.Sprintf("jobs.cfg line %d: ignore config line: %s", n+1, trimmed))
		}
	}
	return f
}

// Render writes jobs.cfg as PVE's writer does.
func (f *File) Render() []byte {
	var b strings.Builder
	for _, s := range f.Sections {
		fmt.Fprintf(&b, "%s: %s\n", s.Type, s.ID)
		if c, ok := s.Options["comment"]; ok && c != "" {
			fmt.Fprintf(&b, "\tcomment %s\n", EncodeText(c))
		}
		if v, ok := s.Options["schedule"]; ok {
			fmt.Fprintf(&b, "\tschedule %s\n", v)
		}
		keys := make([]string, 0, len(s.Options))
		for k := range s.Options {
			if k != "comment" && k != "schedule" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := s.Options[k]; v != "" {
				fmt.Fprintf(&b, "\t%s %s\n", k, v)
			}
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// EncodeText is PVE::Tools::encode_text: control characters, ':', '%' and
// everything outside ASCII URI-escaped (upper-case hex), as uri_escape
// with the unsafe set "^\x20-\x39\x3b-\x7e" does ('%' is in the safe
// range there; PVE relies on decode not meeting a stray escape).
func EncodeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != ':' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
