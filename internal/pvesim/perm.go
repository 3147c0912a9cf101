package pvesim

import (
	"sort"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/apischema"
)

// The permission model of PVE (pve-access-control RPCEnvironment.pm and
// AccessControl.pm): privileges come from roles granted by ACLs on paths
// (/, /vms/100, /storage/local, /nodes/pve1, /sdn/zones/..., /pool/x). An ACL
// on a path applies there and, with propagate, below it; the deepest path with
// an ACL for the user wins (the user's own ACL over the groups', a token's own
// over its user's); NoAccess there removes everything. root@pam holds every
// privilege. An API token without privilege separation has its user's
// privileges; with privsep, only those both it and its user have.

// rolesOn is AccessControl::roles: role -> propagate for user (or token) on path.
func (c *userCfg) rolesOn(user, path string) map[string]bool {
	if user == "root@pam" {
		return map[string]bool{"Administrator": true}
	}
	if owner, name, ok := splitTokenID(user); ok {
		u := c.users[owner]
		if u == nil || u.tokens[name] == nil {
			return map[string]bool{}
		}
		if !u.tokens[name].privsep {
			return c.rolesOn(owner, path)
		}
	}
	comps := strings.Split(path, "/")
	if path == "/" {
		comps = []string{""}
	}
	roles := map[string]bool{}
	node := c.acl
	for i, p := range comps {
		final := i == len(comps)-1
		if p != "" {
			if node = node.children[p]; node == nil {
				break
			}
		}
		if nr := applicable(node.tokens[user], final); nr != nil {
			roles = nr
			continue
		}
		if nr := applicable(node.users[user], final); nr != nil {
			roles = nr
			continue
		}
		var nr map[string]bool
		for g, ri := range node.groups {
			if !c.groups[g][user] {
				continue
			}
			for r, prop := range applicableOrEmpty(ri, final) {
				if nr == nil {
					nr = map[string]bool{}
				}
				nr[r] = prop
			}
		}
		if nr != nil {
			roles = nr
		}
	}
	if prop, ok := roles["NoAccess"]; ok {
		return map[string]bool{"NoAccess": prop}
	}
	return roles
}

// applicable returns the roles of ri that apply at this level (all at the
// final path component, only propagated ones above it), nil for none.
func applicable(ri map[string]bool, final bool) map[string]bool {
	var out map[string]bool
	for r, prop := range ri {
		if final || prop {
			if out == nil {
				out = map[string]bool{}
			}
			out[r] = prop
		}
	}
	return out
}

func applicableOrEmpty(ri map[string]bool, final bool) map[string]bool {
	if out := applicable(ri, final); out != nil {
		return out
	}
	return map[string]bool{}
}

// permissions is RPCEnvironment::permissions: the privileges user (a user
// id or a token id) holds on path, pools included.
func (c *userCfg) permissions(user, path string) privSet {
	if user == "root@pam" {
		return validPrivs
	}
	owner, name, isToken := splitTokenID(user)
	if isToken {
		u := c.users[owner]
		if u == nil || u.tokens[name] == nil {
			return privSet{}
		}
		if !u.tokens[name].privsep {
			return c.permissions(owner, path)
		}
	} else if !reUserID.MatchString(user) {
		return privSet{}
	}
	roles := c.rolesOn(user, path)
	// roles inherited from pools: a pool's roles apply to its members'
	// /vms/<vmid> and /storage/<id> paths, never trump NoAccess and never propagate
	if _, no := roles["NoAccess"]; !no {
		poolRoles := c.poolRoles(user, path)
		if _, pno := poolRoles["NoAccess"]; pno {
			roles = map[string]bool{"NoAccess": false}
		} else {
			for r := range poolRoles {
				if _, ok := roles[r]; !ok {
					roles[r] = false
				}
			}
		}
	}
	privs := privSet{}
	for r := range roles {
		for p := range c.roles[r] {
			privs[p] = true
		}
	}
	if isToken && owner != "root@pam" {
		userPrivs := c.permissions(owner, path)
		for p := range privs {
			if !userPrivs[p] {
				delete(privs, p)
			}
		}
	}
	return privs
}

// poolRoles are the roles user holds through the pool that contains path.
func (c *userCfg) poolRoles(user, path string) map[string]bool {
	out := map[string]bool{}
	for name, p := range c.pools {
		member := false
		if id, ok := strings.CutPrefix(path, "/vms/"); ok {
			member = p.vms[id]
		} else if sid, ok := strings.CutPrefix(path, "/storage/"); ok {
			member = p.storage[sid]
		}
		if !member {
			continue
		}
		for r := range c.rolesOn(user, "/pool/"+name) {
			out[r] = true
		}
	}
	return out
}

// check is RPCEnvironment::check: every one of privs on path, or a 403
// "Permission check failed (path, priv)" naming the first one missing.
func (c *userCfg) check(user, path string, privs ...string) error {
	have := c.permissions(user, path)
	for _, p := range privs {
		if !have[p] {
			return permErr(path + ", " + p)
		}
	}
	return nil
}

// checkAny is RPCEnvironment::check_any: one of privs on path, or a 403
// "Permission check failed (path, priv1|priv2)".
func (c *userCfg) checkAny(user, path string, privs ...string) error {
	have := c.permissions(user, path)
	for _, p := range privs {
		if have[p] {
			return nil
		}
	}
	return permErr(path + ", " + strings.Join(privs, "|"))
}

func (c *userCfg) has(user, path string, privs ...string) bool {
	return c.check(user, path, privs...) == nil
}

// checkAPI2 is RPCEnvironment::check_api2_permissions: run before the
// handler on the raw (unvalidated) parameters, as pve-http-server does.
func (c *userCfg) checkAPI2(perm *apischema.Permissions, user string, params map[string]string) error {
	if user == "" {
		if perm != nil && perm.User == "world" {
			return nil
		}
		return permErr("user != null")
	}
	if user == "root@pam" {
		return nil
	}
	if perm == nil {
		return permErr("user != root@pam")
	}
	if perm.User == "all" || perm.User == "world" {
		return nil
	}
	if perm.Check != nil {
		_, err := c.execCheck(perm.Check, user, params, false)
		return err
	}
	return permErr("")
}

// execCheck is exec_api2_perm_check; with noerr it reports failure as false.
func (c *userCfg) execCheck(chk *apischema.Check, user string, params map[string]string, noerr bool) (bool, error) {
	fail := func(what string) (bool, error) {
		if noerr {
			return false, nil
		}
		return false, permErr(what)
	}
	switch chk.Test {
	case "and":
		for _, sub := range chk.Sub {
			if _, err := c.execCheck(sub, user, params, false); err != nil {
				return false, err
			}
		}
		return true, nil
	case "or":
		for _, sub := range chk.Sub {
			if ok, _ := c.execCheck(sub, user, params, true); ok {
				return true, nil
			}
		}
		return fail("")
	case "perm":
		if chk.RequireParam != "" {
			if _, ok := params[chk.RequireParam]; !ok {
				return fail("")
			}
		}
		path := normalizeACLPath(templateReplace(chk.Path, params))
		var err error
		if chk.Any {
			err = c.checkAny(user, path, chk.Privs...)
		} else {
			err = c.check(user, path, chk.Privs...)
		}
		if err != nil {
			if noerr {
				return false, nil
			}
			return false, err
		}
		return true, nil
	case "userid-param":
		if chk.Arg == "self" && params["userid"] == user {
			return true, nil
		}
		return fail("")
	}
	return false, dief("unknown permission test")
}

// templateReplace is PVE::Tools::template_replace: {name} -> params[name]
// ("-" when unset).
func templateReplace(tmpl string, params map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		v := params[tmpl[i+1:i+j]]
		if v == "" {
			v = "-"
		}
		b.WriteString(v)
		tmpl = tmpl[i+j+1:]
	}
}

// sortedPrivs lists a privilege set, sorted.
func sortedPrivs(p privSet) []string {
	out := make([]string, 0, len(p))
	for k := range p {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkTaskUser is the tasks API's owner check: a task's owner (a token
// sees its own tasks, a user also its tokens' tasks) reads it; anyone else
// needs Sys.Audit on /nodes/<node>.
func checkTaskUser(rc *reqCtx, t *task) error {
	if rc.user == t.user {
		return nil
	}
	if owner, _, ok := splitTokenID(t.user); ok && owner == rc.user {
		return nil
	}
	return rc.check("/nodes/"+t.node, "Sys.Audit")
}

// nodeEntryFor is extract_node_stats: without Sys.Audit on /nodes/<node>
// only the node's id, name, type, status and level.
func (s *Sim) nodeEntryFor(rc *reqCtx, n string) map[string]any {
	e := s.nodeEntry(n)
	if rc.can("/nodes/"+n, "Sys.Audit") {
		return e
	}
	for _, k := range []string{"uptime", "cpu", "mem", "disk", "maxcpu", "maxmem", "maxdisk"} {
		delete(e, k)
	}
	return e
}
