package fwfile

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// ParamError is PVE's raise_param_exc: per-parameter messages, answered with
// HTTP 400 "Parameter verification failed.". Any other error returned by this
// package is a PVE die (HTTP 500 with the message).
type ParamError map[string]string

func (e ParamError) Error() string {
	parts := make([]string, 0, len(e))
	for _, k := range sortedKeys(e) {
		parts = append(parts, k+": "+e[k])
	}
	return "Parameter verification failed. (" + strings.Join(parts, "; ") + ")"
}

// MsgModified is PVE::Tools::assert_if_modified's message.
const MsgModified = "detected modified configuration - file changed by other user? Try again."

// AssertIfModified is PVE::Tools::assert_if_modified: only a given (non-empty)
// digest is compared.
func AssertIfModified(current, given string) error {
	if current != "" && given != "" && current != given {
		return fmt.Errorf("%s", MsgModified)
	}
	return nil
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

// listDigest is copy_list_with_digest's digest: sha1 over "key:value\n" of
// each entry's keys in sorted order, references (errors) left out.
func listDigest(entries []map[string]any) string {
	h := sha1.New()
	for _, e := range entries {
		for _, k := range sortedKeys(e) {
			v := e[k]
			if _, isMap := v.(map[string]string); isMap {
				continue
			}
			h.Write([]byte(k + ":" + valueText(v) + "\n"))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// withDigest adds the list digest to every entry (copy_list_with_digest).
func withDigest(entries []map[string]any) []map[string]any {
	d := listDigest(entries)
	for _, e := range entries {
		e["digest"] = d
	}
	return entries
}

// RulesDigest is the digest of a rule list as the rules API computes it.
func RulesDigest(rules []*Rule) string { return listDigest(ruleEntries(rules)) }

func ruleEntries(rules []*Rule) []map[string]any {
	out := make([]map[string]any, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.fields())
	}
	return out
}

// RulesAPI is GET .../rules: every rule with its pos and the list digest.
func RulesAPI(rules []*Rule) []map[string]any {
	list := withDigest(ruleEntries(rules))
	for i, e := range list {
		e["pos"] = i
	}
	return list
}

// RuleAPI is GET .../rules/{pos}.
func RuleAPI(rules []*Rule, pos int) (map[string]any, error) {
	list := withDigest(ruleEntries(rules))
	if pos >= len(list) || pos < 0 {
		return nil, fmt.Errorf("no rule at position %d", pos)
	}
	// pve-firewall copies pos from the URL: a string here (a number in the list)
	list[pos]["pos"] = strconv.Itoa(pos)
	return list[pos], nil
}

// RuleList returns the main rules ("") or a security group's rules (cluster
// file), with GroupRules' load_config message for a missing group.
func (f *File) RuleList(group string) ([]*Rule, error) {
	if group == "" {
		return f.Rules, nil
	}
	rules, ok := f.Groups[group]
	if !ok {
		return nil, fmt.Errorf("no such security group '%s'", group)
	}
	return rules, nil
}

// RulesAPI is the rules list of the main rules or of a security group.
func (f *File) RulesAPI(group string) ([]map[string]any, error) {
	rules, err := f.RuleList(group)
	if err != nil {
		return nil, err
	}
	return RulesAPI(rules), nil
}

// RuleAPI is one rule of the main rules or of a security group.
func (f *File) RuleAPI(group string, pos int) (map[string]any, error) {
	rules, err := f.RuleList(group)
	if err != nil {
		return nil, err
	}
	return RuleAPI(rules, pos)
}

func (f *File) optionValue(k string) any {
	v := f.options[k]
	if numericOptions[k] {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return v
}

// OptionsDigest is copy_opject_with_digest's digest of the options
// (sha1("") for none).
func (f *File) OptionsDigest() string {
	h := sha1.New()
	for _, k := range sortedKeys(f.options) {
		h.Write([]byte(k + ":" + f.options[k] + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// OptionsAPI is GET .../options: every option in the file plus digest.
func (f *File) OptionsAPI() map[string]any {
	out := map[string]any{}
	for k := range f.options {
		out[k] = f.optionValue(k)
	}
	out["digest"] = f.OptionsDigest()
	return out
}

func (f *File) ipsetListEntries() []map[string]any {
	out := []map[string]any{}
	for _, name := range sortedKeys(f.IPSets) {
		e := map[string]any{"name": name}
		if c := f.IPSetComments[name]; perlTrue(c) {
			e["comment"] = c
		}
		out = append(out, e)
	}
	return out
}

// IPSetsAPI is GET .../ipset: {name, comment?, digest}, sorted by name.
func (f *File) IPSetsAPI() []map[string]any { return withDigest(f.ipsetListEntries()) }

func (f *File) ipset(name string) ([]*IPSetEntry, error) {
	set, ok := f.IPSets[name]
	if !ok {
		return nil, fmt.Errorf("no such IPSet '%s'", name)
	}
	return set, nil
}

func (e *IPSetEntry) fields() map[string]any {
	m := map[string]any{"cidr": e.CIDR}
	if e.NoMatch {
		m["nomatch"] = 1
	}
	if e.Comment != "" {
		m["comment"] = e.Comment
	}
	if len(e.Errors) > 0 {
		errs := map[string]string{}
		for k, v := range e.Errors {
			errs[k] = v
		}
		m["errors"] = errs
	}
	return m
}

func ipsetEntries(set []*IPSetEntry) []map[string]any {
	out := make([]map[string]any, 0, len(set))
	for _, e := range set {
		out = append(out, e.fields())
	}
	return out
}

// IPSetEntriesAPI is GET .../ipset/{name}: {cidr, nomatch?, comment?, digest}.
func (f *File) IPSetEntriesAPI(name string) ([]map[string]any, error) {
	set, err := f.ipset(name)
	if err != nil {
		return nil, err
	}
	return withDigest(ipsetEntries(set)), nil
}

// IPSetEntryAPI is GET .../ipset/{name}/{cidr} (the cidr is compared as
// given, not normalised).
func (f *File) IPSetEntryAPI(name, cidr string) (map[string]any, error) {
	set, err := f.ipset(name)
	if err != nil {
		return nil, err
	}
	for _, e := range withDigest(ipsetEntries(set)) {
		if e["cidr"] == cidr {
			return e, nil
		}
	}
	return nil, ParamError{"cidr": "no such IP/Network"}
}

func (a *Alias) fields() map[string]any {
	m := map[string]any{"name": a.Name, "cidr": a.CIDR}
	if a.IPVersion != 0 {
		m["ipversion"] = a.IPVersion
	}
	if a.Comment != "" {
		m["comment"] = a.Comment
	}
	return m
}

func (f *File) aliasEntries() []map[string]any {
	out := []map[string]any{}
	for _, k := range sortedKeys(f.Aliases) {
		out = append(out, f.Aliases[k].fields())
	}
	return out
}

// AliasesAPI is GET .../aliases: {name, cidr, ipversion, comment?, digest},
// sorted by (lower-case) name.
func (f *File) AliasesAPI() []map[string]any { return withDigest(f.aliasEntries()) }

// AliasAPI is GET .../aliases/{name}: the alias without a digest.
func (f *File) AliasAPI(name string) (map[string]any, error) {
	a, ok := f.Aliases[strings.ToLower(name)]
	if !ok {
		return nil, ParamError{"name": "no such alias"}
	}
	return a.fields(), nil
}

func (f *File) groupListEntries() []map[string]any {
	out := []map[string]any{}
	for _, g := range sortedKeys(f.Groups) {
		e := map[string]any{"group": g}
		if c := f.GroupComments[g]; perlTrue(c) {
			e["comment"] = c
		}
		out = append(out, e)
	}
	return out
}

// GroupsAPI is GET /cluster/firewall/groups: {group, comment?, digest}.
func (f *File) GroupsAPI() []map[string]any { return withDigest(f.groupListEntries()) }
