package nodesync

import (
	"reflect"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

func TestUnreferenced(t *testing.T) {
	profile := Candidate{File: File{Path: "/etc/apparmor.d/lxc/lxc-hardened-1"}, RefKey: "lxc.apparmor.profile", RefValue: "lxc-hardened-1"}
	policy := Candidate{File: File{Path: "/etc/pve/hardened/seccomp/hardened-2.seccomp"}, RefKey: "lxc.seccomp.profile", RefValue: "/etc/pve/hardened/seccomp/hardened-2.seccomp"}
	cands := []Candidate{profile, policy}
	for _, tc := range []struct {
		name string
		used map[pve.LXCLine]bool
		want []Candidate
	}{
		{"no container left", nil, cands},
		{"another container uses the profile", map[pve.LXCLine]bool{{Key: "lxc.apparmor.profile", Value: "lxc-hardened-1"}: true}, []Candidate{policy}},
		{"both used", map[pve.LXCLine]bool{
			{Key: "lxc.apparmor.profile", Value: "lxc-hardened-1"}:                              true,
			{Key: "lxc.seccomp.profile", Value: "/etc/pve/hardened/seccomp/hardened-2.seccomp"}: true}, nil},
		{"a value under another key is no use", map[pve.LXCLine]bool{{Key: "lxc.apparmor.raw", Value: "lxc-hardened-1"}: true}, cands},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Unreferenced(cands, tc.used); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
