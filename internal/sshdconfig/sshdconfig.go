// Package sshdconfig is the provider's model of an OpenSSH server's
// configuration inside a container: the hardened policy (key-only
// authentication, root login off, a banner, optional allowed users), the
// drop-in that carries it, and sshd's own rules for which value is in
// effect (`sshd -T`): keywords are case-insensitive, the FIRST value read
// for a keyword wins (except accumulating keywords such as AllowUsers),
// `Include` is expanded in place with its glob sorted, and `Match` blocks
// apply to the connections they match (sshd -T -C).
package sshdconfig

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Paths inside the container.
const (
	MainConfig = "/etc/ssh/sshd_config"
	// DropIn is the provider's drop-in. Debian and Ubuntu include
	// /etc/ssh/sshd_config.d/*.conf at the top of the main file and sshd
	// keeps the first value it reads, so the name sorts first ("00-").
	DropIn     = "/etc/ssh/sshd_config.d/00-hardened.conf"
	BannerFile = "/etc/ssh/hardened-banner"
	SSHD       = "/usr/sbin/sshd"
)

// Root login settings the policy allows.
const (
	RootLoginNo               = "no"
	RootLoginProhibitPassword = "prohibit-password"
)

// Policy is the hardened sshd policy (seed 000: "SSH: key-only auth, root
// login disabled, banner configured").
type Policy struct {
	PermitRootLogin string   // RootLoginNo or RootLoginProhibitPassword
	Banner          string   // banner text ("": no banner)
	AllowUsers      []string // empty: any user
}

// UserRE is what the provider accepts in AllowUsers: a user name, or
// user@host with a host name, address or CIDR (no patterns with spaces,
// quotes or sshd's comment character).
var UserRE = regexp.MustCompile(`^[a-z_][a-z0-9_.-]{0,31}(@[A-Za-z0-9.:/*?-]{1,253})?$`)

// Validate reports what sshd (or the provider's safety rules) refuses.
func (p Policy) Validate() []error {
	var errs []error
	if p.PermitRootLogin != RootLoginNo && p.PermitRootLogin != RootLoginProhibitPassword {
		errs = append(errs, fmt.Errorf("permit_root_login must be %q or %q, not %q", RootLoginNo, RootLoginProhibitPassword, p.PermitRootLogin))
	}
	if err := ValidateBanner(p.Banner); err != nil {
		errs = append(errs, err)
	}
	for _, u := range p.AllowUsers {
		if !UserRE.MatchString(u) {
			errs = append(errs, fmt.Errorf("allow_users entry %q is not a user name (lower case, up to 32 characters) or user@host", u))
		}
	}
	return errs
}

// ValidateBanner: printable text, at most 4 KiB, no NUL or escape
// sequences (a banner is shown to every client before authentication).
func ValidateBanner(b string) error {
	if len(b) > 4096 {
		return fmt.Errorf("banner is %d bytes, at most 4096", len(b))
	}
	for _, r := range b {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f) {
			return fmt.Errorf("banner contains the control character %U (terminal escape sequences are not allowed)", r)
		}
	}
	return nil
}

// Want is the effective configuration the policy requires (sshd -T keys,
// lower case).
func (p Policy) Want() map[string][]string {
	w := map[string][]string{
		"permitrootlogin":              {p.PermitRootLogin},
		"passwordauthentication":       {"no"},
		"kbdinteractiveauthentication": {"no"},
		"pubkeyauthentication":         {"yes"},
		"permitemptypasswords":         {"no"},
		"banner":                       {"none"},
		"allowusers":                   nil,
	}
	if p.Banner != "" {
		w["banner"] = []string{BannerFile}
	}
	if len(p.AllowUsers) > 0 {
		w["allowusers"] = append([]string(nil), p.AllowUsers...)
	}
	return w
}

// RenderDropIn is the drop-in's content: the policy's keywords, then the
// same keywords again in a "Match all" block that ends the file. sshd
// keeps the first value it reads, and a Match block's value replaces the
// global one for every connection it matches: a block further on (e.g.
// "Match User *" with PasswordAuthentication yes at the end of the main
// file) would otherwise turn passwords back on for every login while sshd
// -T, without a connection, still prints "no". Read first, this "Match
// all" keeps the policy's values in every Match context (servconf.c
// parse_server_match_config: among the blocks that match a connection the
// first value wins). AllowUsers is the exception sshd makes: every
// matching block adds to it, which the read-back's connection probes see.
func (p Policy) RenderDropIn() []byte {
	var b strings.Builder
	b.WriteString("# Managed by terraform-provider-hardened (hardened_container.ssh_server): changes are reverted.\n")
	b.WriteString("# sshd keeps the first value it reads: this file is included first from sshd_config.\n")
	p.renderKeywords(&b, "")
	b.WriteString("# The same in every Match context: read first, this block wins over any later Match block.\nMatch all\n")
	p.renderKeywords(&b, "\t")
	return []byte(b.String())
}

func (p Policy) renderKeywords(b *strings.Builder, indent string) {
	fmt.Fprintf(b, "%sPermitRootLogin %s\n", indent, p.PermitRootLogin)
	for _, l := range []string{"PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "PermitEmptyPasswords no"} {
		fmt.Fprintf(b, "%s%s\n", indent, l)
	}
	if indent == "" {
		// OpenSSH before 8.7 (Debian 11, Ubuntu 20.04): a global keyword
		// of its own, refused in a Match block, whose default yes turns
		// keyboard-interactive (PAM password prompts) back on whatever
		// KbdInteractiveAuthentication says; since 8.7 an alias of it.
		fmt.Fprintf(b, "ChallengeResponseAuthentication no\n")
	}
	if p.Banner != "" {
		fmt.Fprintf(b, "%sBanner %s\n", indent, BannerFile)
	} else {
		fmt.Fprintf(b, "%sBanner none\n", indent)
	}
	if len(p.AllowUsers) > 0 {
		fmt.Fprintf(b, "%sAllowUsers %s\n", indent, strings.Join(p.AllowUsers, " "))
	}
}

// RenderBanner is the banner file's content ("" for no banner).
func (p Policy) RenderBanner() []byte {
	if p.Banner == "" {
		return nil
	}
	if strings.HasSuffix(p.Banner, "\n") {
		return []byte(p.Banner)
	}
	return []byte(p.Banner + "\n")
}

// accumulating keywords collect every value instead of keeping the first.
var accumulating = map[string]bool{"allowusers": true, "denyusers": true, "allowgroups": true, "denygroups": true,
	"acceptenv": true, "hostkey": true, "listenaddress": true, "port": true, "subsystem": true, "include": true}

// defaults are OpenSSH's (9.x) built-in values of the keys the policy is
// about, as sshd -T prints them when nothing sets them.
var defaults = map[string][]string{
	"permitrootlogin": {"prohibit-password"}, "passwordauthentication": {"yes"}, "kbdinteractiveauthentication": {"yes"},
	"pubkeyauthentication": {"yes"}, "permitemptypasswords": {"no"}, "banner": {"none"},
}

// aliases are keywords sshd reads under another name.
var aliases = map[string]string{"challengeresponseauthentication": "kbdinteractiveauthentication"}

// normalize is how sshd -T prints a value.
func normalize(key, v string) string {
	if key == "permitrootlogin" && strings.EqualFold(v, "without-password") {
		return "prohibit-password"
	}
	switch strings.ToLower(v) {
	case "yes", "no", "true", "false":
		return map[string]string{"yes": "yes", "true": "yes", "no": "no", "false": "no"}[strings.ToLower(v)]
	}
	if key == "permitrootlogin" {
		return strings.ToLower(v)
	}
	return v
}

// Files is a read-only view of the container's files: the content of a
// path, and the paths a glob matches (sorted, like glob(3)).
type Files interface {
	Read(p string) ([]byte, bool)
	Glob(pattern string) []string
}

// splitLine is one sshd_config line: its keyword (lower case) and
// arguments (whitespace separated, "=" allowed after the keyword, double
// quotes grouping); comments and blank lines give "".
func splitLine(line string) (string, []string) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return "", nil
	}
	key, rest := line, ""
	if i := strings.IndexAny(line, " \t="); i >= 0 {
		key, rest = line[:i], strings.TrimLeft(line[i:], " \t")
		rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
	}
	var args []string
	for rest != "" {
		if rest[0] == '#' {
			break // a comment (argv_split)
		}
		if rest[0] == '"' {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				args = append(args, rest[1:])
				break
			}
			args = append(args, rest[1:end+1])
			rest = strings.TrimLeft(rest[end+2:], " \t")
			continue
		}
		tok := rest
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			tok = rest[:i]
		}
		args = append(args, tok)
		rest = strings.TrimLeft(rest[len(tok):], " \t")
	}
	return strings.ToLower(key), args
}

// ParseT reads `sshd -T` output ("key value..." per line) into keys and
// values; repeated keys accumulate. PermitRootLogin's synonym reads as
// the policy's word: sshd -T prints the first name servconf.c's
// multistate_permitrootlogin table has for the value, "without-password"
// before OpenSSH 10.1 (Debian 12's 9.2p1, Ubuntu 24.04's 9.6p1, Debian
// 13's 10.0p1) and "prohibit-password" since (bz#3788, openssh-portable
// 6d192645a).
func ParseT(out []byte) map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		if k == "" {
			continue
		}
		k, v = strings.ToLower(k), strings.TrimSpace(v)
		if k == "permitrootlogin" {
			v = normalize(k, v)
		}
		m[k] = append(m[k], v)
	}
	return m
}

// RenderT prints an effective configuration as Debian 12's sshd -T
// (OpenSSH 9.2p1) does: one line per value (AllowUsers a b prints
// "allowusers a" and "allowusers b"), prohibit-password as
// "without-password"; keys sorted here (sshd's own order differs but
// carries no meaning).
func RenderT(eff map[string][]string) []byte {
	keys := make([]string, 0, len(eff))
	for k := range eff {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range eff[k] {
			if k == "permitrootlogin" && v == RootLoginProhibitPassword {
				v = "without-password"
			}
			fmt.Fprintf(&b, "%s %s\n", k, v)
		}
	}
	return []byte(b.String())
}
