package sshdconfig

import (
	"fmt"
	"sort"
	"strings"
)

// Drift is one key whose effective value differs from the policy's.
type Drift struct {
	Key       string
	Want, Got []string
}

func (d Drift) String() string {
	show := func(v []string) string {
		if len(v) == 0 {
			return "(unset)"
		}
		return strings.Join(v, " ")
	}
	return fmt.Sprintf("%s is %s, the policy needs %s", d.Key, show(d.Got), show(d.Want))
}

// Compare lists the policy's keys whose effective values differ, sorted.
// AllowUsers values are compared as sets (sshd -T prints them on one line
// or on several).
func Compare(p Policy, eff map[string][]string) []Drift {
	want := p.Want()
	var out []Drift
	for k, w := range want {
		got := eff[k]
		if k == "allowusers" {
			got = splitAll(got)
			if sameSet(w, got) {
				continue
			}
		} else if len(got) == len(w) && strings.Join(got, "\x00") == strings.Join(w, "\x00") {
			continue
		}
		out = append(out, Drift{Key: k, Want: w, Got: got})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// splitAll splits values into words, without repeats (an AllowUsers
// entry read twice, e.g. from a file included twice, allows the same).
func splitAll(v []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range v {
		for _, w := range strings.Fields(s) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// Users are the AllowUsers words of an effective configuration, without
// repeats, in order.
func Users(eff map[string][]string) []string { return splitAll(eff["allowusers"]) }

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// includeFirst are the lines the provider keeps at the top of the main
// file: sshd keeps the first value it reads, so with the drop-in included
// before anything else no other file (an earlier name in sshd_config.d,
// a line of the main file) can override the policy.
const includeFirst = "# terraform-provider-hardened: the SSH policy is read first (sshd keeps the first value it reads)\nInclude " + DropIn + "\n"

// EnsureIncludeFirst returns the main file with the drop-in's Include as
// its first lines (moved there if it was elsewhere); changed is false when
// it already was.
func EnsureIncludeFirst(main []byte) (out []byte, changed bool) {
	s := string(main)
	if strings.HasPrefix(s, includeFirst) {
		return main, false
	}
	var kept []string
	for _, line := range strings.SplitAfter(s, "\n") {
		if line == "" {
			continue
		}
		t := strings.TrimSpace(line)
		if t == strings.TrimSpace(strings.SplitAfter(includeFirst, "\n")[0]) || t == "Include "+DropIn {
			continue
		}
		kept = append(kept, line)
	}
	return []byte(includeFirst + strings.Join(kept, "")), true
}

// Weaknesses are what an effective configuration (sshd -T keys) allows
// that seed 000's checklist does not ("SSH: key-only auth, root login
// disabled, banner configured"), whatever policy the provider was given:
// a password, keyboard-interactive or empty-password login, root logging in
// with a password (`PermitRootLogin yes`), no banner. Each is "key value"
// as sshd -T prints it; none: the configuration complies. Root login with a
// key only (prohibit-password, forced-commands-only) is not a weakness: the
// policy allows it where the user asks.
func Weaknesses(eff map[string][]string) []string {
	var out []string
	value := func(k string) string {
		if v := eff[k]; len(v) > 0 {
			return v[0]
		}
		if v := defaults[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	for _, k := range []string{"passwordauthentication", "kbdinteractiveauthentication", "permitemptypasswords"} {
		if v := value(k); v != "no" {
			out = append(out, k+" "+v)
		}
	}
	// printed by OpenSSH before 8.7 only (since, an alias)
	if v := eff["challengeresponseauthentication"]; len(v) > 0 && v[0] != "no" {
		out = append(out, "challengeresponseauthentication "+v[0])
	}
	if v := value("permitrootlogin"); v != RootLoginNo && v != RootLoginProhibitPassword && v != "forced-commands-only" {
		out = append(out, "permitrootlogin "+v)
	}
	if v := value("banner"); v == "none" || v == "" {
		out = append(out, "banner none")
	}
	return out
}
