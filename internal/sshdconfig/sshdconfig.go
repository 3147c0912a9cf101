// Package sshdconfig is the provider's model of an OpenSSH server's
// configuration inside a container: the hardened policy (key-only
// authentication, root login off, a banner, optional allowed users), the
// drop-in that carries it, and sshd's own rules for which value is in
// effect (`sshd -T`): keywords are case-insensitive, the FIRST value read
// for a keyword wins (except accumulating keywords such as AllowUsers),
// `Include` is expanded in place with its glob sorted, and `Match` blocks
// do not apply to the global configuration sshd -T prints.
package sshdconfig

import (
	"fmt"
	"path"
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

// RenderDropIn is the drop-in's content.
func (p Policy) RenderDropIn() []byte {
	var b strings.Builder
	b.WriteString("# Managed by terraform-provider-hardened (hardened_container.ssh_server): changes are reverted.\n")
	b.WriteString("# sshd keeps the first value it reads: this file sorts first in sshd_config.d.\n")
	fmt.Fprintf(&b, "PermitRootLogin %s\n", p.PermitRootLogin)
	b.WriteString("PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitEmptyPasswords no\n")
	if p.Banner != "" {
		fmt.Fprintf(&b, "Banner %s\n", BannerFile)
	} else {
		b.WriteString("Banner none\n")
	}
	if len(p.AllowUsers) > 0 {
		fmt.Fprintf(&b, "AllowUsers %s\n", strings.Join(p.AllowUsers, " "))
	}
	return []byte(b.String())
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

// Effective evaluates the configuration the way sshd -T prints it (the
// global section): for each keyword the first value read, Include
// expanded in place, Match blocks skipped; keys sshd prints lower case.
// Only the keys of defaults and the accumulating ones are completed with
// defaults. errs lists what sshd would refuse to start with.
func Effective(files Files) (map[string][]string, []string) {
	out := map[string][]string{}
	var errs []string
	seen := map[string]bool{}
	var read func(p string, depth int)
	read = func(p string, depth int) {
		b, ok := files.Read(p)
		if !ok {
			if depth == 0 {
				errs = append(errs, p+": No such file or directory")
			}
			return
		}
		inMatch := false
		for _, line := range strings.Split(string(b), "\n") {
			key, args := splitLine(line)
			if key == "" {
				continue
			}
			if a, ok := aliases[key]; ok {
				key = a
			}
			if key == "match" {
				inMatch = true
				continue
			}
			if key == "include" {
				if depth >= 16 {
					errs = append(errs, "Too many recursive configuration includes")
					continue
				}
				for _, pat := range args {
					if !path.IsAbs(pat) {
						pat = path.Join("/etc/ssh", pat)
					}
					for _, m := range files.Glob(pat) {
						read(m, depth+1)
					}
				}
				continue
			}
			if inMatch || len(args) == 0 {
				continue
			}
			if accumulating[key] {
				out[key] = append(out[key], args...)
				continue
			}
			if !seen[key] {
				seen[key] = true
				out[key] = []string{normalize(key, args[0])}
			}
		}
	}
	read(MainConfig, 0)
	for k, v := range defaults {
		if _, ok := out[k]; !ok {
			out[k] = append([]string(nil), v...)
		}
	}
	return out, errs
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
// values; repeated keys accumulate. PermitRootLogin's key-only value reads
// as prohibit-password: sshd -T prints it under its old name,
// without-password (the first name of its table in servconf.c).
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

// RenderT prints an effective configuration as sshd -T does (one line per
// value, PermitRootLogin's key-only value as without-password; keys sorted
// here, sshd's own order differs but carries no meaning).
func RenderT(eff map[string][]string) []byte {
	keys := make([]string, 0, len(eff))
	for k := range eff {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		vals := eff[k]
		if accumulating[k] && len(vals) > 0 && k != "port" && k != "listenaddress" && k != "hostkey" && k != "subsystem" && k != "acceptenv" {
			fmt.Fprintf(&b, "%s %s\n", k, strings.Join(vals, " "))
			continue
		}
		for _, v := range vals {
			if k == "permitrootlogin" && v == RootLoginProhibitPassword {
				v = "without-password" // as sshd -T prints it
			}
			fmt.Fprintf(&b, "%s %s\n", k, v)
		}
	}
	return []byte(b.String())
}
