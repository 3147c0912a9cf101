package nodesync

import (
	"reflect"
	"testing"
)

func TestUnreferenced(t *testing.T) {
	profile := Candidate{File: File{Path: "/etc/apparmor.d/lxc/lxc-hardened-1"}, RefKey: "lxc.apparmor.profile", RefValue: "lxc-hardened-1"}
	policy := Candidate{File: File{Path: "/etc/pve/hardened/seccomp/hardened-2.seccomp"}, RefKey: "lxc.seccomp.profile", RefValue: "/etc/pve/hardened/seccomp/hardened-2.seccomp"}
	cands := []Candidate{profile, policy}
	for _, tc := range []struct {
		name    string
		configs map[string][][2]string
		want    []Candidate
	}{
		{"no container left", nil, cands},
		{"another container uses the profile", map[string][][2]string{"pve1/101": {{"lxc.apparmor.profile", " lxc-hardened-1"}}}, []Candidate{policy}},
		{"both used", map[string][][2]string{
			"pve1/101": {{"lxc.apparmor.profile", "lxc-hardened-1"}},
			"pve2/102": {{"lxc.seccomp.profile", "/etc/pve/hardened/seccomp/hardened-2.seccomp"}}}, nil},
		{"a value under another key is no use", map[string][][2]string{"pve1/101": {{"lxc.apparmor.raw", "lxc-hardened-1"}}}, cands},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Unreferenced(cands, tc.configs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
