package firewall

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"
)

// pveRE compiles a pattern written with Perl's byte-string classes: pve-firewall
// matches undecoded file bytes, where \s is [\t\n\v\f\r ] (Go's \s lacks \v).
func pveRE(pat string) *regexp.Regexp {
	pat = strings.ReplaceAll(pat, `\s`, `[\t\n\v\f\r ]`)
	pat = strings.ReplaceAll(pat, `\S`, `[^\t\n\v\f\r ]`)
	return regexp.MustCompile(pat)
}

// asciiLower is Perl's lc of a byte string: only A-Z change, so byte offsets
// are kept (Go's strings.ToLower folds Unicode and may change lengths).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// isH reports whether c is Perl's \h for a byte (tab, space, NBSP 0xA0).
func isH(c byte) bool { return c == ' ' || c == '\t' || c == 0xa0 }

// isS reports whether c is Perl's \s for a byte.
func isS(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// trimH is the parser's /^\h*(.*?)\h*$/ (note that \h includes the byte
// 0xA0, so PVE also strips the last byte of e.g. a trailing "à").
func trimH(s string) string {
	i, j := 0, len(s)
	for i < j && isH(s[i]) {
		i++
	}
	for j > i && isH(s[j-1]) {
		j--
	}
	return s[i:j]
}

func blank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isS(s[i]) {
			return false
		}
	}
	return true
}

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

// cleanComment is PVE's decode('utf8', $comment), then repeated PVE
// write-then-read cycles (the line's trailing \h stripped, then the
// comment's trailing \s, then decoded) until the value no longer changes.
// For any comment PVE reads back unchanged this is just the decode; otherwise
// it is what PVE itself ends up with after rewriting the file (e.g. a comment
// ending in "x\u00a0\v" reads as "x\u00a0" once and as "x\ufffd" after).
func cleanComment(raw string) string {
	c := decodeUTF8(raw)
	for {
		j := len(c)
		for j > 0 && isH(c[j-1]) {
			j--
		}
		for j > 0 && isS(c[j-1]) {
			j--
		}
		n := decodeUTF8(c[:j])
		if n == c {
			return c
		}
		c = n
	}
}

// perlTrue is Perl truthiness of a string: "" and "0" are false.
func perlTrue(s string) bool { return s != "" && s != "0" }

// printableASCII reports whether s is made of bytes 0x21-0x7e only.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

const (
	maxIPSetNameLength = 64
	maxGroupNameLength = 18
)

var (
	// nameRE is $ipset_name_pattern / $security_group_name_pattern.
	nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-_]+$`)
	// aliasRefRE is a (scoped) alias name in an ipset entry.
	aliasRefRE = regexp.MustCompile(`^(?:dc/|guest/)?[A-Za-z][A-Za-z0-9\-_]+$`)
)

// parseIPOrCIDR is Firewall.pm's parse_ip_or_cidr: an address or
// address/prefix (the length is not range-checked); "/32" (IPv4) and "/128"
// (IPv6) are dropped.
func parseIPOrCIDR(s string) (string, bool) {
	addr, plen, hasLen := strings.Cut(s, "/")
	if hasLen {
		if plen == "" {
			return "", false
		}
		for i := 0; i < len(plen); i++ {
			if plen[i] < '0' || plen[i] > '9' {
				return "", false
			}
		}
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" {
		return "", false
	}
	if a.Is4() && !strings.Contains(addr, ":") {
		return strings.TrimSuffix(s, "/32"), true
	}
	return strings.TrimSuffix(s, "/128"), true
}
