// Package ctconf reads and writes /etc/pve/nodes/<node>/lxc/<vmid>.conf the way
// pve-container does (src/PVE/LXC/Config.pm parse_pct_config / write_pct_config).
//
// It is the simulator's model of PVE's own reader and writer, deliberately kept
// independent of the provider's pct.conf editor so that each can check the other.
//
// Behaviour reproduced:
//   - leading "#" lines are the description (URI-decoded), a "description: x" line is read too;
//   - "key: value" lines with keys ^[a-z][a-z_]*\d*$, values type-normalised on read
//     (boolean on/yes/true -> 1, integer via int()), invalid or unknown keys only warned about and kept;
//   - raw "lxc.*" lines ("k: v" or "k = v") kept in order, lxc.environment.runtime mapped to env;
//     rejected lxc keys (lxc.rootfs.path, unknown keys) warned about and dropped, so the next write removes them;
//   - "[pve:pending]" (with "delete:") and snapshot sections;
//   - writer: description comments, other keys sorted, env lines, raw lxc lines; pending, then snapshots sorted.
package ctconf

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// TypeOf returns the schema type of a config key ("boolean", "integer", "number",
// "string"), or "" for a key PVE does not know.
type TypeOf func(key string) string

// Section is one section of a pct.conf: the main config, [pve:pending] or a snapshot.
type Section struct {
	Description string
	// Keys holds normal keys with their text values as PVE would store them.
	Keys map[string]string
	// Env is the NUL-free list of lxc.environment.runtime values.
	Env []string
	// LXC holds the raw lxc.* lines in file order.
	LXC [][2]string
	// Delete is the pending "delete:" value (only meaningful in [pve:pending]).
	Delete string
	// SnapState is the transient snapstate (kept out of the written file like PVE).
	SnapState string
}

// Config is a parsed pct.conf.
type Config struct {
	VMID      int
	Main      *Section
	Pending   *Section
	Snapshots map[string]*Section
	// Digest is the sha1 of the raw file contents.
	Digest   string
	Warnings []string
}

// NewSection returns an empty section.
func NewSection() *Section { return &Section{Keys: map[string]string{}} }

var (
	reKeyLine    = regexp.MustCompile(`^([a-z][a-z_]*\d*):\s*(.+?)\s*$`)
	reLXCLine    = regexp.MustCompile(`^(lxc\.[a-z0-9_\-\.]+)(:|\s*=)\s*(.*?)\s*$`)
	reDescLine   = regexp.MustCompile(`^(description):\s*(.*\S)\s*$`)
	reDeleteLine = regexp.MustCompile(`^delete:\s*(.*\S)\s*$`)
	reSnapState  = regexp.MustCompile(`snapstate:\s*(prepare|delete)\s*$`)
	rePending    = regexp.MustCompile(`(?i)^\[pve:pending\]\s*$`)
	reSnapshot   = regexp.MustCompile(`(?i)^\[([a-z][a-z0-9_\-]+)\]\s*$`)
	reBlank      = regexp.MustCompile(`^\s*$`)
)

// Digest returns PVE's digest of raw config bytes.
func Digest(raw []byte) string {
	s := sha1.Sum(raw)
	return hex.EncodeToString(s[:])
}

// Parse parses raw config bytes like parse_pct_config in non-strict mode.
func Parse(vmid int, raw []byte, typeOf TypeOf) *Config {
	c := &Config{VMID: vmid, Main: NewSection(), Snapshots: map[string]*Section{}, Digest: Digest(raw)}
	cur := c.Main
	section := ""
	var descr strings.Builder
	flushDescr := func() {
		if descr.Len() > 0 {
			cur.Description = descr.String()
		}
		descr.Reset()
	}
	warn := func(format string, a ...any) { c.Warnings = append(c.Warnings, fmt.Sprintf(format, a...)) }
	for _, line := range strings.Split(string(raw), "\n") {
		if reBlank.MatchString(line) {
			continue
		}
		if rePending.MatchString(line) {
			flushDescr()
			section = "pending"
			c.Pending = NewSection()
			cur = c.Pending
			continue
		}
		if m := reSnapshot.FindStringSubmatch(line); m != nil {
			flushDescr()
			section = m[1]
			cur = NewSection()
			c.Snapshots[m[1]] = cur
			continue
		}
		if strings.HasPrefix(line, "#") {
			descr.WriteString(DecodeText(line[1:]) + "\n")
			continue
		}
		if m := reLXCLine.FindStringSubmatch(line); m != nil {
			key, value := m[1], m[3]
			ok, msg := ValidLXCKey(key)
			switch {
			case key == "lxc.environment.runtime":
				cur.Env = append(cur.Env, value)
			case ok:
				cur.LXC = append(cur.LXC, [2]string{key, value})
			case msg != "":
				warn("vm %d - %s: %s", vmid, key, msg)
			default:
				warn("vm %d - unable to parse config: %s", vmid, line)
			}
			continue
		}
		if m := reDescLine.FindStringSubmatch(line); m != nil {
			descr.WriteString(DecodeText(m[2]))
			continue
		}
		if m := reSnapState.FindStringSubmatch(line); m != nil {
			cur.SnapState = m[1]
			continue
		}
		if m := reDeleteLine.FindStringSubmatch(line); m != nil {
			if section == "pending" {
				cur.Delete = m[1]
			} else {
				warn("vm %d - property 'delete' is only allowed in [pve:pending]", vmid)
			}
			continue
		}
		if m := reKeyLine.FindStringSubmatch(line); m != nil {
			key, value := m[1], m[2]
			norm, err := CheckType(typeOf, key, value)
			if err != nil {
				warn("vm %d - unable to parse value of '%s' - %s", vmid, key, err)
			}
			cur.Keys[key] = norm
			continue
		}
		warn("vm %d - unable to parse config: %s", vmid, line)
	}
	flushDescr()
	return c
}

// CheckType normalises a value like PVE::LXC::Config->check_type. On error the
// raw value is returned together with the error (PVE keeps it).
func CheckType(typeOf TypeOf, key, value string) (string, error) {
	t := ""
	if typeOf != nil {
		t = typeOf(key)
	}
	switch t {
	case "":
		return value, fmt.Errorf("unknown setting '%s'", key)
	case "boolean":
		lv := strings.ToLower(value)
		if value == "1" || lv == "on" || lv == "yes" || lv == "true" {
			return "1", nil
		}
		if value == "0" || lv == "off" || lv == "no" || lv == "false" {
			return "0", nil
		}
		return value, fmt.Errorf("type check ('boolean') failed - got '%s'", value)
	case "integer":
		if isDigits(value) {
			n, err := strconv.ParseInt(value, 10, 64)
			if err == nil {
				return strconv.FormatInt(n, 10), nil
			}
		}
		return value, fmt.Errorf("type check ('integer') failed - got '%s'", value)
	case "number":
		if reNumber.MatchString(value) {
			return value, nil
		}
		return value, fmt.Errorf("type check ('number') failed - got '%s'", value)
	}
	return value, nil
}

var reNumber = regexp.MustCompile(`^\d+(\.\d+)?$`)

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Render writes the config like write_pct_config.
func (c *Config) Render() []byte {
	var b strings.Builder
	renderSection(&b, c.Main)
	if c.Pending != nil && !c.Pending.empty() {
		b.WriteString("\n[pve:pending]\n")
		renderSection(&b, c.Pending)
	}
	names := make([]string, 0, len(c.Snapshots))
	for n := range c.Snapshots {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString("\n[" + n + "]\n")
		renderSection(&b, c.Snapshots[n])
	}
	return []byte(b.String())
}

func (s *Section) empty() bool {
	return s.Description == "" && len(s.Keys) == 0 && len(s.Env) == 0 && len(s.LXC) == 0 && s.Delete == ""
}

func renderSection(b *strings.Builder, s *Section) {
	if s.Description != "" {
		for _, l := range strings.Split(strings.TrimSuffix(s.Description, "\n"), "\n") {
			b.WriteString("#" + EncodeText(l) + "\n")
		}
	}
	keys := make([]string, 0, len(s.Keys)+1)
	for k := range s.Keys {
		keys = append(keys, k)
	}
	if s.Delete != "" {
		keys = append(keys, "delete")
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := s.Keys[k]
		if k == "delete" {
			v = s.Delete
		}
		b.WriteString(k + ": " + v + "\n")
	}
	for _, e := range s.Env {
		b.WriteString("lxc.environment.runtime: " + e + "\n")
	}
	for _, kv := range s.LXC {
		if kv[0] == "lxc.environment.runtime" {
			continue
		}
		b.WriteString(kv[0] + ": " + kv[1] + "\n")
	}
}

// Clone returns a deep copy of the section.
func (s *Section) Clone() *Section {
	n := &Section{Description: s.Description, Keys: make(map[string]string, len(s.Keys)), Delete: s.Delete, SnapState: s.SnapState}
	for k, v := range s.Keys {
		n.Keys[k] = v
	}
	n.Env = append([]string(nil), s.Env...)
	n.LXC = append([][2]string(nil), s.LXC...)
	return n
}

// Get returns a key of the section; "description" is served from
// Description, "env" from the lxc.environment.runtime lines.
func (s *Section) Get(key string) (string, bool) {
	if key == "description" {
		return s.Description, s.Description != ""
	}
	if key == "env" {
		return strings.Join(s.Env, "\x00"), len(s.Env) > 0
	}
	v, ok := s.Keys[key]
	return v, ok
}

// Set sets a key; "description" goes to Description, "env" to
// lxc.environment.runtime lines (PVE's writer stores env that way).
func (s *Section) Set(key, value string) {
	if key == "description" {
		s.Description = value
		return
	}
	if key == "env" {
		s.Env = strings.Split(value, "\x00")
		return
	}
	s.Keys[key] = value
}

// Del removes a key.
func (s *Section) Del(key string) {
	if key == "description" {
		s.Description = ""
		return
	}
	if key == "env" {
		s.Env = nil
		return
	}
	delete(s.Keys, key)
}

// EncodeText escapes control and high-bit characters, ':' and '%' as %XX
// (PVE::ParseUtils::encode_text).
func EncodeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '%' || c == ':' || c > 0x7e {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// DecodeText reverses EncodeText (uri_unescape).
func DecodeText(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
