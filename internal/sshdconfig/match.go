package sshdconfig

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Conn is the connection `sshd -T -C <spec>` evaluates the Match blocks
// for (OpenSSH 9.2's connection_info in test mode): an empty field was not
// given. A criterion whose field is not given does not match, except
// LocalPort: sshd -T stops with an error when a Match LocalPort line meets
// a connection without lport (also `sshd -T` without -C, whose connection
// is blank).
type Conn struct {
	User, Host, Addr, LAddr string
	LPort                   int // 0: not given
}

// Spec is the connection as sshd -T -C's argument.
func (c Conn) Spec() string {
	var parts []string
	for _, kv := range [][2]string{{"user", c.User}, {"host", c.Host}, {"addr", c.Addr}, {"laddr", c.LAddr}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if c.LPort != 0 {
		parts = append(parts, "lport="+strconv.Itoa(c.LPort))
	}
	return strings.Join(parts, ",")
}

// ParseSpec reads sshd -T -C's argument (servconf.c
// parse_server_match_testspec): comma-separated key=value pairs.
func ParseSpec(spec string) (Conn, error) {
	var c Conn
	for _, p := range strings.Split(spec, ",") {
		if p == "" {
			break
		}
		k, v, _ := strings.Cut(p, "=")
		switch k {
		case "user":
			c.User = v
		case "host":
			c.Host = v
		case "addr":
			c.Addr = v
		case "laddr":
			c.LAddr = v
		case "lport":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 65535 {
				return c, fmt.Errorf("Invalid port '%s' in test mode specification %s", v, p) //nolint:staticcheck // sshd's message
			}
			c.LPort = n
		default:
			return c, fmt.Errorf("Invalid test mode specification %s", p) //nolint:staticcheck // sshd's message
		}
	}
	return c, nil
}

// matcher evaluates Match lines for one connection (nil: the first,
// connection-less parse, where only "Match all" matches).
type matcher struct {
	ci     *Conn
	files  Files
	groups map[string][]string // user -> group names, read once
}

// match is servconf.c match_cfg_line (OpenSSH 9.2): the criteria of one
// line are ANDed; "all" stands alone; each other criterion takes a
// pattern list (user and group names case-sensitive, host names not;
// addresses CIDR or wildcards; '!' negates and a negated match wins).
func (m *matcher) match(args []string) (bool, error) {
	result, attributes := true, 0
	for i := 0; i < len(args); i++ {
		attr := args[i]
		if strings.HasPrefix(attr, "#") {
			break
		}
		attributes++
		if strings.EqualFold(attr, "all") {
			if attributes > 1 || (i+1 < len(args) && args[i+1] != "" && !strings.HasPrefix(args[i+1], "#")) {
				return false, fmt.Errorf("'all' cannot be combined with other Match attributes")
			}
			return true, nil
		}
		if i+1 >= len(args) || args[i+1] == "" || strings.HasPrefix(args[i+1], "#") {
			return false, fmt.Errorf("Missing Match criteria for %s", attr) //nolint:staticcheck // sshd's message
		}
		i++
		ok, err := m.criterion(strings.ToLower(attr), attr, args[i])
		if err != nil {
			return false, err
		}
		result = result && ok
	}
	if attributes == 0 {
		return false, fmt.Errorf("One or more attributes required for Match") //nolint:staticcheck // sshd's message
	}
	return result, nil
}

func (m *matcher) criterion(attr, orig, arg string) (bool, error) {
	ci := m.ci
	switch attr {
	case "user":
		return ci != nil && ci.User != "" && matchPatternList(ci.User, arg, false) == 1, nil
	case "group":
		return ci != nil && ci.User != "" && m.groupMatch(ci.User, arg), nil
	case "host":
		return ci != nil && ci.Host != "" && matchPatternList(strings.ToLower(ci.Host), arg, true) == 1, nil
	case "address", "localaddress":
		addr := ""
		if ci != nil {
			addr = ci.Addr
			if attr == "localaddress" {
				addr = ci.LAddr
			}
		}
		switch addrMatchList(addr, arg) {
		case -2:
			return false, fmt.Errorf("Invalid Match %s argument '%s'", attr, arg) //nolint:staticcheck // sshd's message
		case 1:
			return addr != "", nil
		}
		return false, nil
	case "localport":
		port, err := strconv.Atoi(arg)
		if err != nil || port < 0 || port > 65535 {
			return false, fmt.Errorf("Invalid LocalPort '%s' on Match line", arg) //nolint:staticcheck // sshd's message
		}
		if ci == nil {
			return false, nil
		}
		if ci.LPort == 0 {
			return false, errors.New("'Match LocalPort' in configuration but 'lport' not in connection test specification")
		}
		return port == ci.LPort, nil
	case "rdomain":
		return false, nil // the provider's connections never name a routing domain
	}
	return false, fmt.Errorf("Unsupported Match attribute %s", orig) //nolint:staticcheck // sshd's message
}

// groupMatch is match_cfg_line_group: the user's groups (primary and
// supplementary, from the container's /etc/passwd and /etc/group) against
// the pattern list; a negated match wins (groupaccess.c
// ga_match_pattern_list). An unknown user matches no group.
func (m *matcher) groupMatch(user, patterns string) bool {
	if m.groups == nil {
		m.groups = userGroups(m.files)
	}
	found := false
	for _, g := range m.groups[user] {
		switch matchPatternList(g, patterns, false) {
		case -1:
			return false
		case 1:
			found = true
		}
	}
	return found
}

// userGroups maps each user of /etc/passwd to its groups' names.
func userGroups(files Files) map[string][]string {
	out := map[string][]string{}
	passwd, _ := files.Read("/etc/passwd")
	group, _ := files.Read("/etc/group")
	primary := map[string]string{} // user -> gid
	for _, l := range strings.Split(string(passwd), "\n") {
		if f := strings.Split(l, ":"); len(f) >= 4 && f[0] != "" {
			primary[f[0]] = f[3]
			out[f[0]] = nil
		}
	}
	for _, l := range strings.Split(string(group), "\n") {
		f := strings.Split(l, ":")
		if len(f) < 4 || f[0] == "" {
			continue
		}
		for u, gid := range primary {
			member := gid == f[2]
			for _, mem := range strings.Split(f[3], ",") {
				member = member || mem == u
			}
			if member {
				out[u] = append(out[u], f[0])
			}
		}
	}
	return out
}

// matchPatternList is match.c match_pattern_list: 1 if a pattern of the
// comma list matches, -1 if a negated one does (it wins), 0 otherwise.
func matchPatternList(s, list string, lower bool) int {
	got := 0
	for _, sub := range strings.Split(list, ",") {
		neg := strings.HasPrefix(sub, "!")
		sub = strings.TrimPrefix(sub, "!")
		if len(sub) >= 1023 {
			return 0
		}
		if lower {
			sub = strings.ToLower(sub)
		}
		if matchPattern(s, sub) {
			if neg {
				return -1
			}
			got = 1
		}
	}
	return got
}

// matchPattern is match.c match_pattern: '*' any run, '?' one character.
func matchPattern(s, p string) bool {
	for p != "" {
		switch p[0] {
		case '*':
			p = p[1:]
			if p == "" {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if matchPattern(s[i:], p) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != p[0] {
				return false
			}
		}
		s, p = s[1:], p[1:]
	}
	return s == ""
}

// addrMatchList is addrmatch.c addr_match_list: 1 when addr is in the
// list, -1 when a negated entry matches, 0 when none, -2 when the list is
// invalid (an empty entry, a network with host bits set). Entries are a
// CIDR network or address, else a wildcard pattern. addr "" matches
// nothing (the list is still checked).
func addrMatchList(addr, list string) int {
	var try netip.Addr
	if addr != "" {
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return 0
		}
		try = a.Unmap()
	}
	ret := 0
	for _, e := range strings.Split(list, ",") {
		neg := strings.HasPrefix(e, "!")
		e = strings.TrimPrefix(e, "!")
		if e == "" {
			return -2
		}
		pfx, r := parseCIDR(e)
		var hit bool
		switch r {
		case -2:
			return -2
		case 0:
			hit = addr != "" && pfx.Contains(try)
		default:
			hit = addr != "" && matchPattern(addr, e)
		}
		if hit {
			if neg {
				return -1
			}
			ret = 1
		}
	}
	return ret
}

// parseCIDR is addr_pton_cidr: 0 and the network, -1 when e is not an
// address, -2 when the mask is too long or host bits are set.
func parseCIDR(e string) (netip.Prefix, int) {
	host, bits, hasMask := strings.Cut(e, "/")
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, -1
	}
	a = a.Unmap()
	n := a.BitLen()
	if hasMask {
		v, err := strconv.Atoi(bits)
		if err != nil || bits == "" || bits[0] < '0' || bits[0] > '9' || v > 128 {
			return netip.Prefix{}, -1
		}
		n = v
	}
	if n > a.BitLen() {
		return netip.Prefix{}, -2
	}
	p := netip.PrefixFrom(a, n)
	if p.Masked().Addr() != a {
		return netip.Prefix{}, -2
	}
	return p, 0
}
