package pvesim

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// user.cfg is PVE's access control configuration (/etc/pve/user.cfg, parsed
// as pve-access-control's parse_user_config does); priv/token.cfg holds the
// API token secrets ("tokenid secret" lines). The simulator reads both from
// its data directory whenever they change, so a test (or an admin) grants
// privileges by writing them, as `pveum` would.
const (
	userCfgFile  = "etc/pve/user.cfg"
	tokenCfgFile = "etc/pve/priv/token.cfg" //nolint:gosec // a path, not a credential
)

var (
	reUserID  = regexp.MustCompile(`^([^\s:/]+)@([A-Za-z][A-Za-z0-9\.\-_]+)$`)
	reTokenID = regexp.MustCompile(`^(([^\s:/]+)@([A-Za-z][A-Za-z0-9\.\-_]+))!([A-Za-z][A-Za-z0-9\.\-_]+)$`)
	reGroupID = regexp.MustCompile(`^[A-Za-z0-9\.\-_]+$`)
	reRoleID  = regexp.MustCompile(`^[A-Za-z0-9\.\-_]+$`)
	rePoolID  = regexp.MustCompile(`^[A-Za-z0-9\.\-_]+(?:/[A-Za-z0-9\.\-_]+){0,2}$`)
	reStoreID = regexp.MustCompile(`(?i)^[a-z][a-z0-9\-_\.]*[a-z0-9]$`)
	reACLPath = regexp.MustCompile(`^[[:alnum:]\.\-_/]+$`)
)

type cfgToken struct {
	privsep bool
	expire  int64
}

type cfgUser struct {
	enable bool
	expire int64
	tokens map[string]*cfgToken
}

type cfgPool struct {
	vms, storage map[string]bool
}

// aclNode is one path component of the ACL tree; each map is
// user/group/token -> role -> propagate.
type aclNode struct {
	children              map[string]*aclNode
	users, groups, tokens map[string]map[string]bool
}

type userCfg struct {
	users  map[string]*cfgUser
	groups map[string]map[string]bool // group -> members
	roles  map[string]privSet
	pools  map[string]*cfgPool
	vmPool map[string]string // vmid -> pool
	acl    *aclNode
}

// splitTokenID splits "user@realm!name" into the user and the token name.
func splitTokenID(id string) (user, name string, ok bool) {
	m := reTokenID.FindStringSubmatch(id)
	if m == nil {
		return "", "", false
	}
	return m[1], m[4], true
}

// normalizeACLPath is AccessControl::normalize_path ("" when invalid).
func normalizeACLPath(p string) string {
	if p == "" {
		return ""
	}
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		p = "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !reACLPath.MatchString(p) {
		return ""
	}
	return p
}

func (n *aclNode) child(p string) *aclNode {
	if n.children == nil {
		n.children = map[string]*aclNode{}
	}
	c := n.children[p]
	if c == nil {
		c = &aclNode{}
		n.children[p] = c
	}
	return c
}

func (n *aclNode) find(path string) *aclNode {
	for _, p := range strings.Split(path, "/") {
		if p != "" {
			n = n.child(p)
		}
	}
	return n
}

func grant(m *map[string]map[string]bool, who, role string, propagate bool) {
	if *m == nil {
		*m = map[string]map[string]bool{}
	}
	if (*m)[who] == nil {
		(*m)[who] = map[string]bool{}
	}
	(*m)[who][role] = propagate
}

// parseUserCfg parses user.cfg like parse_user_config: invalid lines are
// warned about and ignored; the built-in roles and root@pam always exist.
func parseUserCfg(raw string, warn func(string, ...any)) *userCfg {
	c := &userCfg{users: map[string]*cfgUser{}, groups: map[string]map[string]bool{}, roles: map[string]privSet{},
		pools: map[string]*cfgPool{}, vmPool: map[string]string{}, acl: &aclNode{}}
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, ":")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		for len(f) < 9 {
			f = append(f, "")
		}
		switch f[0] {
		case "user":
			c.parseUser(f[1:], warn)
		case "group":
			c.parseGroup(f[1:], warn)
		case "role":
			c.parseRole(f[1:], warn)
		case "acl":
			c.parseACL(f[1:], warn)
		case "pool":
			c.parsePool(f[1:], warn)
		case "token":
			c.parseToken(f[1:], warn)
		default:
			warn("user config - ignore config line: %s", line)
		}
	}
	c.forceDefaults()
	return c
}

func (c *userCfg) forceDefaults() {
	for r, p := range specialRoles {
		c.roles[r] = p
	}
	if c.users["root@pam"] == nil {
		c.users["root@pam"] = &cfgUser{enable: true}
	}
}

func parseExpire(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0 && !strings.HasPrefix(s, "+")
}

func (c *userCfg) parseUser(f []string, warn func(string, ...any)) {
	user := f[0]
	if !reUserID.MatchString(user) {
		warn("user config - ignore user '%s' - invalid user name", user)
		return
	}
	exp, ok := parseExpire(f[2])
	if !ok {
		warn("user config - ignore user '%s' - (illegal characters in expire '%s')", user, f[2])
		return
	}
	enable := f[1] != "" && f[1] != "0"
	u := &cfgUser{enable: enable, expire: exp}
	if old := c.users[user]; old != nil {
		u.tokens = old.tokens
	}
	c.users[user] = u
}

func (c *userCfg) parseGroup(f []string, warn func(string, ...any)) {
	g := f[0]
	if !reGroupID.MatchString(g) {
		warn("user config - ignore group '%s' - invalid characters in group name", g)
		return
	}
	if c.groups[g] == nil {
		c.groups[g] = map[string]bool{}
	}
	for _, u := range splitList(f[1]) {
		if !reUserID.MatchString(u) || c.users[u] == nil {
			warn("user config - ignore invalid group member '%s'", u)
			if !reUserID.MatchString(u) {
				continue
			}
		}
		c.groups[g][u] = true
	}
}

func (c *userCfg) parseRole(f []string, warn func(string, ...any)) {
	r := f[0]
	if !reRoleID.MatchString(r) {
		warn("user config - ignore role '%s' - invalid characters in role name", r)
		return
	}
	if c.roles[r] == nil {
		c.roles[r] = privSet{}
	}
	for _, p := range splitList(f[1]) {
		if validPrivs[p] {
			c.roles[r][p] = true
		} else {
			warn("user config - ignore invalid privilege '%s'", p)
		}
	}
}

func (c *userCfg) parseACL(f []string, warn func(string, ...any)) {
	propagate := f[0] != "" && f[0] != "0"
	path := normalizeACLPath(f[1])
	if path == "" {
		warn("user config - ignore invalid path in acl '%s'", f[1])
		return
	}
	node := c.acl.find(path)
	for _, role := range splitList(f[3]) {
		if !reRoleID.MatchString(role) {
			warn("user config - ignore invalid role name '%s' in acl", role)
			continue
		}
		// roles are parsed in file order: PVE writes role: lines before acl: lines
		if c.roles[role] == nil && specialRoles[role] == nil {
			warn("user config - ignore invalid acl role '%s'", role)
			continue
		}
		for _, ug := range splitList(f[2]) {
			c.grantACL(node, ug, role, propagate, warn)
		}
	}
}

func (c *userCfg) grantACL(node *aclNode, ug, role string, propagate bool, warn func(string, ...any)) {
	if g, ok := strings.CutPrefix(ug, "@"); ok && reGroupID.MatchString(g) {
		if c.groups[g] == nil {
			warn("user config - ignore invalid acl group '%s'", g)
		}
		grant(&node.groups, g, role, propagate)
		return
	}
	if reUserID.MatchString(ug) {
		if c.users[ug] == nil {
			warn("user config - ignore invalid acl member '%s'", ug)
		}
		grant(&node.users, ug, role, propagate)
		return
	}
	if user, name, ok := splitTokenID(ug); ok {
		if u := c.users[user]; u != nil && u.tokens[name] != nil {
			grant(&node.tokens, ug, role, propagate)
		} else {
			warn("user config - ignore invalid acl token '%s'", ug)
		}
		return
	}
	warn("user config - invalid user/group '%s' in acl", ug)
}

func (c *userCfg) parsePool(f []string, warn func(string, ...any)) {
	name := f[0]
	if !rePoolID.MatchString(name) {
		warn("user config - ignore pool '%s' - invalid characters in pool name", name)
		return
	}
	p := c.pools[name]
	if p == nil {
		p = &cfgPool{vms: map[string]bool{}, storage: map[string]bool{}}
		c.pools[name] = p
	}
	for _, v := range splitList(f[2]) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			warn("user config - ignore invalid vmid '%s' in pool '%s'", v, name)
			continue
		}
		id := strconv.Itoa(n)
		if _, dup := c.vmPool[id]; dup {
			warn("user config - ignore duplicate vmid '%s' in pool '%s'", id, name)
			continue
		}
		p.vms[id] = true
		c.vmPool[id] = name
	}
	for _, s := range splitList(f[3]) {
		if !reStoreID.MatchString(s) {
			warn("user config - ignore invalid storage '%s' in pool '%s'", s, name)
			continue
		}
		p.storage[s] = true
	}
}

func (c *userCfg) parseToken(f []string, warn func(string, ...any)) {
	user, name, ok := splitTokenID(f[0])
	if !ok {
		warn("user config - ignore invalid tokenid '%s'", f[0])
		return
	}
	exp, ok := parseExpire(f[1])
	if !ok {
		warn("user config - ignore token '%s' - (illegal characters in expire '%s')", f[0], f[1])
		return
	}
	u := c.users[user]
	if u == nil {
		warn("user config - ignore token '%s' - user does not exist", f[0])
		return
	}
	if u.tokens == nil {
		u.tokens = map[string]*cfgToken{}
	}
	u.tokens[name] = &cfgToken{privsep: f[2] != "" && f[2] != "0", expire: exp}
}

// userEnabled is check_user_enabled: the user exists, is enabled and has
// not expired.
func (c *userCfg) userEnabled(user string) error {
	u := c.users[user]
	if u == nil {
		return errors.New("no such user ('" + user + "')")
	}
	if !u.enable {
		return errors.New("user '" + user + "' is disabled")
	}
	if u.expire > 0 && u.expire < time.Now().Unix() {
		return errors.New("user '" + user + "' access expired")
	}
	return nil
}

// cachedFile re-reads a file when its modification time or size changed.
type cachedFile struct {
	stamp string
	value any
}

func (cf *cachedFile) load(p string, parse func(string) any) any {
	st, err := os.Stat(p)
	stamp := ""
	if err == nil {
		stamp = st.ModTime().String() + "/" + strconv.FormatInt(st.Size(), 10)
	}
	if cf.value != nil && stamp == cf.stamp {
		return cf.value
	}
	raw, _ := os.ReadFile(p)
	cf.stamp, cf.value = stamp, parse(string(raw))
	return cf.value
}

// userConfig returns the current user.cfg.
func (s *Sim) userConfig() *userCfg {
	s.aclMu.Lock()
	defer s.aclMu.Unlock()
	return s.userCfgCache.load(filepath.Join(s.dataDir, userCfgFile), func(raw string) any {
		return parseUserCfg(raw, s.logf)
	}).(*userCfg)
}

// tokenSecrets returns priv/token.cfg (tokenid -> secret).
func (s *Sim) tokenSecrets() map[string]string {
	s.aclMu.Lock()
	defer s.aclMu.Unlock()
	return s.tokenCfgCache.load(filepath.Join(s.dataDir, tokenCfgFile), func(raw string) any {
		out := map[string]string{}
		for _, l := range strings.Split(raw, "\n") {
			if strings.TrimSpace(l) == "" {
				continue
			}
			id, sec, ok := strings.Cut(l, " ")
			if _, _, valid := splitTokenID(id); ok && valid && sec != "" && !strings.Contains(sec, " ") {
				out[id] = sec
				continue
			}
			s.logf("skipping invalid token.cfg entry")
		}
		return out
	}).(map[string]string)
}
