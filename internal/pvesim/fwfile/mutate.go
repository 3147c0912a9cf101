package fwfile

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Mutations follow src/PVE/API2/Firewall/*.pm. params are the validated API
// parameters as text (booleans "1"/"0"), without the path parameters unless
// stated. A ParamError is PVE's raise_param_exc, any other error its die. A
// failed mutation leaves the File unchanged (PVE does not save then).

var splitListRE = regexp.MustCompile(`[,;]`)

// splitList is PVE::Tools::split_list.
func splitList(s string) []string {
	if strings.Contains(s, "\x00") {
		return strings.Split(s, "\x00")
	}
	return strings.Fields(splitListRE.ReplaceAllString(s, " "))
}

// ruleScope is the (cluster_conf, fw_conf) pair the rules API verifies with.
func (f *File) ruleScope(group string) (RuleEnv, scope) {
	switch {
	case group != "":
		return EnvGroup, scope{local: f}
	case f.Kind == KindCluster:
		return EnvCluster, scope{local: f}
	}
	return f.Kind.env(), scope{cluster: f.cluster, local: f}
}

func (f *File) setRules(group string, rules []*Rule) {
	if group == "" {
		f.Rules = rules
	} else {
		f.Groups[group] = rules
	}
}

// CreateRule is POST .../rules (register_create_rule): the new rule goes to
// position 0 whatever "pos" says, and is disabled unless "enable" is given.
// group names a security group of cluster.fw ("" for the main rules).
func (f *File) CreateRule(group string, params map[string]string) error {
	rules, err := f.RuleList(group)
	if err != nil {
		return err
	}
	r := &Rule{Enable: 1}
	r.copyRuleData(params)
	env, sc := f.ruleScope(group)
	if err := r.verify(env, sc, true); err != nil {
		return err
	}
	if _, ok := params["enable"]; !ok {
		r.Enable = 0
	}
	f.setRules(group, append([]*Rule{r}, rules...))
	return nil
}

// UpdateRule is PUT .../rules/{pos} (register_update_rule): params may hold
// "moveto" (reorder, everything else ignored), "delete" (a list of
// properties) and "digest".
func (f *File) UpdateRule(group string, pos int, params map[string]string) error {
	rules, err := f.RuleList(group)
	if err != nil {
		return err
	}
	if err := AssertIfModified(RulesDigest(rules), params["digest"]); err != nil {
		return err
	}
	if pos >= len(rules) || pos < 0 {
		return fmt.Errorf("no rule at position %d", pos)
	}
	rule := rules[pos]
	if mv, ok := params["moveto"]; ok && atoiPerl(mv) != pos {
		moveto := atoiPerl(mv)
		out := make([]*Rule, 0, len(rules))
		for i, r := range rules {
			if i == pos {
				continue
			}
			if i == moveto {
				out = append(out, rule)
			}
			out = append(out, r)
		}
		if moveto >= len(rules) {
			out = append(out, rule)
		}
		f.setRules(group, out)
		return nil
	}
	upd := *rule
	upd.copyRuleData(params)
	if del := params["delete"]; perlTrue(del) {
		for _, opt := range splitList(del) {
			if !ruleParams[opt] {
				return ParamError{"delete": fmt.Sprintf("no such property ('%s')", opt)}
			}
			if opt == "type" || opt == "action" {
				return ParamError{"delete": fmt.Sprintf("unable to delete required property '%s'", opt)}
			}
			upd.deleteField(opt)
		}
	}
	env, sc := f.ruleScope(group)
	if err := upd.verify(env, sc, true); err != nil {
		return err
	}
	*rule = upd
	return nil
}

// DeleteRule is DELETE .../rules/{pos}.
func (f *File) DeleteRule(group string, pos int, digest string) error {
	rules, err := f.RuleList(group)
	if err != nil {
		return err
	}
	if err := AssertIfModified(RulesDigest(rules), digest); err != nil {
		return err
	}
	if pos >= len(rules) || pos < 0 {
		return fmt.Errorf("no rule at position %d", pos)
	}
	out := append(append([]*Rule{}, rules[:pos]...), rules[pos+1:]...)
	f.setRules(group, out)
	return nil
}

// vmOptionNames and clusterOptionNames are the options the API sets
// ($vm_option_properties, $cluster_option_properties), in the order new ones
// are appended to the file.
var (
	vmOptionNames      = []string{"dhcp", "enable", "ipfilter", "log_level_in", "log_level_out", "macfilter", "ndp", "policy_in", "policy_out", "radv"}
	clusterOptionNames = []string{"ebtables", "enable", "log_ratelimit", "policy_forward", "policy_in", "policy_out"}
)

// SetOptions is PUT .../options: "digest", "delete" and option values.
func (f *File) SetOptions(params map[string]string) error {
	if err := AssertIfModified(f.OptionsDigest(), params["digest"]); err != nil {
		return err
	}
	names := vmOptionNames
	switch f.Kind {
	case KindCluster:
		names = clusterOptionNames
	case KindHost:
		return fmt.Errorf("host options are not supported")
	}
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	if del := params["delete"]; perlTrue(del) {
		for _, opt := range splitList(del) {
			if !known[opt] {
				return ParamError{"delete": fmt.Sprintf("no such option '%s'", opt)}
			}
		}
		for _, opt := range splitList(del) {
			f.deleteOption(opt)
		}
	}
	for _, k := range names {
		v, ok := params[k]
		if !ok {
			continue
		}
		if k == "enable" {
			if f.Kind == KindCluster {
				if atoiPerl(v) > 1 {
					v = fmt.Sprint(now().Unix())
				}
			} else if perlTrue(v) {
				v = "1"
			} else {
				v = "0"
			}
		}
		f.setOption(k, v)
	}
	return nil
}

// CreateIPSet is POST .../ipset: "name", "comment", "rename", "digest".
func (f *File) CreateIPSet(params map[string]string) error {
	name := params["name"]
	comment, hasComment := params["comment"]
	if rename := params["rename"]; perlTrue(rename) {
		if err := AssertIfModified(listDigest(f.ipsetListEntries()), params["digest"]); err != nil {
			return err
		}
		data, ok := f.IPSets[rename]
		if !ok {
			return ParamError{"name": fmt.Sprintf("IPSet '%s' does not exist", rename)}
		}
		if _, exists := f.IPSets[name]; exists && name != rename {
			return ParamError{"name": fmt.Sprintf("IPSet '%s' does already exist", name)}
		}
		delete(f.IPSets, rename)
		f.IPSets[name] = data
		if c, ok := f.IPSetComments[rename]; ok {
			delete(f.IPSetComments, rename)
			if perlTrue(c) {
				f.IPSetComments[name] = c
			}
		}
		if hasComment {
			f.IPSetComments[name] = comment
		}
		return nil
	}
	if _, exists := f.IPSets[name]; exists {
		return ParamError{"name": fmt.Sprintf("IPSet '%s' already exists", name)}
	}
	f.IPSets[name] = []*IPSetEntry{}
	if hasComment {
		f.IPSetComments[name] = comment
	}
	return nil
}

// DeleteIPSet is DELETE .../ipset/{name}.
func (f *File) DeleteIPSet(name string, force bool) error {
	set, err := f.ipset(name)
	if err != nil {
		return err
	}
	if len(set) > 0 && !force {
		return fmt.Errorf("IPSet '%s' is not empty", name)
	}
	delete(f.IPSets, name)
	return nil
}

// apiAliasScope is how the IPSet API calls resolve_alias: guest files with
// their cluster config, cluster.fw as the cluster level only.
func (f *File) apiAliasScope() scope {
	if f.Kind == KindCluster || f.cluster == nil {
		return scope{cluster: f}
	}
	return scope{cluster: f.cluster, local: f}
}

// AddIPSetEntry is POST .../ipset/{name}: "cidr", "nomatch", "comment".
func (f *File) AddIPSetEntry(name string, params map[string]string) error {
	set, err := f.ipset(name)
	if err != nil {
		return err
	}
	cidr := params["cidr"]
	if m := aliasRefRE.FindStringSubmatch(cidr); m != nil {
		if _, ok := resolveAlias(f.apiAliasScope(), m[2], m[1]); !ok {
			return fmt.Errorf("no such alias '%s'", m[2])
		}
	} else {
		c, _, err := parseIPOrCIDR(cleanCIDR(cidr))
		if err != nil {
			return err
		}
		cidr = c
	}
	for _, e := range set {
		if e.CIDR == cidr {
			return ParamError{"cidr": fmt.Sprintf("address '%s' already exists", cidr)}
		}
	}
	if zeroPrefixRE.MatchString(cidr) {
		return ParamError{"cidr": "a zero prefix is not allowed in ipset entries"}
	}
	e := &IPSetEntry{CIDR: cidr, NoMatch: perlTrue(params["nomatch"])}
	if c := params["comment"]; perlTrue(c) {
		e.Comment = c
	}
	f.IPSets[name] = append([]*IPSetEntry{e}, set...)
	return nil
}

// UpdateIPSetEntry is PUT .../ipset/{name}/{cidr}: "nomatch" and "comment"
// replace the entry's (absent means removed), "digest".
func (f *File) UpdateIPSetEntry(name, cidr string, params map[string]string) error {
	set, err := f.ipset(name)
	if err != nil {
		return err
	}
	if err := AssertIfModified(listDigest(ipsetEntries(set)), params["digest"]); err != nil {
		return err
	}
	for _, e := range set {
		if e.CIDR == cidr {
			e.NoMatch = perlTrue(params["nomatch"])
			e.Comment = params["comment"]
			return nil
		}
	}
	return ParamError{"cidr": "no such IP/Network"}
}

// DeleteIPSetEntry is DELETE .../ipset/{name}/{cidr} (no error when absent).
func (f *File) DeleteIPSetEntry(name, cidr, digest string) error {
	set, err := f.ipset(name)
	if err != nil {
		return err
	}
	if err := AssertIfModified(listDigest(ipsetEntries(set)), digest); err != nil {
		return err
	}
	out := []*IPSetEntry{}
	for _, e := range set {
		if e.CIDR != cidr {
			out = append(out, e)
		}
	}
	f.IPSets[name] = out
	return nil
}

// CreateAlias is POST .../aliases: "name", "cidr", "comment".
func (f *File) CreateAlias(params map[string]string) error {
	name := params["name"]
	key := strings.ToLower(name)
	if _, ok := f.Aliases[key]; ok {
		return ParamError{"name": fmt.Sprintf("alias '%s' already exists", name)}
	}
	a := &Alias{Name: name, CIDR: params["cidr"]}
	if c := params["comment"]; perlTrue(c) {
		a.Comment = c
	}
	f.Aliases[key] = a
	return nil
}

// UpdateAlias is PUT .../aliases/{name}: "cidr", "comment", "rename", "digest".
func (f *File) UpdateAlias(name string, params map[string]string) error {
	if err := AssertIfModified(listDigest(f.aliasEntries()), params["digest"]); err != nil {
		return err
	}
	key := strings.ToLower(name)
	if _, ok := f.Aliases[key]; !ok {
		return ParamError{"name": "no such alias"}
	}
	a := &Alias{Name: name, CIDR: params["cidr"]}
	if c := params["comment"]; perlTrue(c) {
		a.Comment = c
	}
	rename := params["rename"]
	newKey := strings.ToLower(rename)
	if perlTrue(rename) && newKey != key {
		if _, exists := f.Aliases[newKey]; exists {
			return ParamError{"name": fmt.Sprintf("alias '%s' already exists", rename)}
		}
		a.Name = rename
		f.Aliases[newKey] = a
		delete(f.Aliases, key)
		return nil
	}
	f.Aliases[key] = a
	return nil
}

// DeleteAlias is DELETE .../aliases/{name} (no error when absent).
func (f *File) DeleteAlias(name, digest string) error {
	if err := AssertIfModified(listDigest(f.aliasEntries()), digest); err != nil {
		return err
	}
	delete(f.Aliases, strings.ToLower(name))
	return nil
}

// GroupRename is a security group rename in progress: PVE first saves
// cluster.fw with a copy of the group under its new name, then rewrites the
// "GROUP <old>" rules of every host.fw and guest .fw (RenameGroupRefs), and
// finally (CompleteGroupRename) renames the cluster's own references, drops
// the old group and saves cluster.fw again.
type GroupRename struct{ From, To string }

// CreateGroup is POST /cluster/firewall/groups: "group", "comment", "rename",
// "digest". A non-nil GroupRename means a rename that needs the other files
// updated before CompleteGroupRename.
func (f *File) CreateGroup(params map[string]string) (*GroupRename, error) {
	if f.Kind != KindCluster {
		return nil, fmt.Errorf("security groups only exist in cluster.fw")
	}
	group := params["group"]
	comment, hasComment := params["comment"]
	if rename := params["rename"]; perlTrue(rename) {
		if err := AssertIfModified(listDigest(f.groupListEntries()), params["digest"]); err != nil {
			return nil, err
		}
		if _, ok := f.Groups[rename]; !ok {
			return nil, ParamError{"group": fmt.Sprintf("Security group '%s' does not exist", rename)}
		}
		if _, exists := f.Groups[group]; exists && group != rename {
			return nil, ParamError{"group": fmt.Sprintf("Security group '%s' does already exist", group)}
		}
		if rename == group {
			if hasComment {
				f.GroupComments[rename] = comment
			}
			return nil, nil
		}
		f.Groups[group] = f.Groups[rename]
		if c, ok := f.GroupComments[rename]; ok {
			f.GroupComments[group] = c
		} else {
			delete(f.GroupComments, group)
		}
		if hasComment {
			f.GroupComments[group] = comment
		}
		return &GroupRename{From: rename, To: group}, nil
	}
	if _, exists := f.Groups[group]; exists {
		return nil, ParamError{"group": fmt.Sprintf("Security group '%s' already exists", group)}
	}
	f.Groups[group] = []*Rule{}
	if hasComment {
		f.GroupComments[group] = comment
	}
	return nil, nil
}

// RenameGroupRefs rewrites the "GROUP from" rules of the main rules to "GROUP
// to" ($rename_fw_rules) and reports whether any changed.
func (f *File) RenameGroupRefs(from, to string) bool {
	changed := false
	for _, r := range f.Rules {
		if r.Type == "group" && r.Action == from {
			r.Action = to
			changed = true
		}
	}
	return changed
}

// CompleteGroupRename finishes a rename in cluster.fw.
func (f *File) CompleteGroupRename(rn *GroupRename) {
	f.RenameGroupRefs(rn.From, rn.To)
	delete(f.Groups, rn.From)
	delete(f.GroupComments, rn.From)
}

// DeleteGroup is DELETE /cluster/firewall/groups/{group}: only an empty group
// can go (references to it are not checked, like PVE).
func (f *File) DeleteGroup(group string) error {
	rules, err := f.RuleList(group)
	if err != nil {
		return err
	}
	if len(rules) > 0 {
		return fmt.Errorf("Security group '%s' is not empty", group)
	}
	delete(f.Groups, group)
	return nil
}

// SetClock replaces the clock used for the cluster "enable" timestamp (tests).
func SetClock(fn func() time.Time) func() {
	prev := now
	now = fn
	return func() { now = prev }
}
