package nodeaudit

import (
	"reflect"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
)

func TestParseCgroupMounts(t *testing.T) {
	hybrid := "sysfs /sys sysfs rw 0 0\ntmpfs /sys/fs/cgroup tmpfs ro 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
	got := ParseCgroupMounts([]byte(hybrid))
	want := []policy.CgroupMount{{Path: "/sys/fs/cgroup", FSType: "tmpfs"}, {Path: "/sys/fs/cgroup/unified", FSType: "cgroup2"}, {Path: "/sys/fs/cgroup/memory", FSType: "cgroup"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%v", got)
	}
	f := policy.CheckNode(policy.NodeFacts{CgroupMounts: got})
	if f[1].Rule != "HC-NODE-002" || f[1].Status != policy.StatusFail {
		t.Fatalf("hybrid host: %+v", f[1])
	}
	f = policy.CheckNode(policy.NodeFacts{CgroupMounts: ParseCgroupMounts([]byte("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"))})
	if f[1].Status != policy.StatusPass {
		t.Fatalf("unified host: %+v", f[1])
	}
}

func TestParseSubIDs(t *testing.T) {
	got := ParseSubIDs([]byte("alice:165536:65536\nroot:100000:65536\nroot:200000:1000\nroot:x:1\n# c\n"), "root")
	if !reflect.DeepEqual(got, []policy.IDRange{{Start: 100000, Count: 65536}, {Start: 200000, Count: 1000}}) {
		t.Fatalf("%v", got)
	}
}

func TestHostFirewallEnable(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "",
		"[OPTIONS]\n\nenable: 0\n":       "0",
		"[options]\nENABLE: 1\nenable:0": "0",
		"[RULES]\nenable: 0\n":           "",
	} {
		if got := HostFirewallEnable([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestIdmapAndSubIDRule(t *testing.T) {
	def := Idmap(Container{VMID: 100, Unprivileged: true})
	custom := Idmap(Container{VMID: 101, Unprivileged: true, LXC: []pctconf.Line{
		{Key: "lxc.idmap", Value: "u 0 100000 1000"}, {Key: "lxc.idmap", Value: ""},
		{Key: "lxc.idmap", Value: "u 0 300000 65536"}, {Key: "lxc.idmap", Value: "g 0 100000 65536"}}})
	if !reflect.DeepEqual(custom.UID, []policy.IDRange{{Start: 300000, Count: 65536}}) || !reflect.DeepEqual(custom.GID, []policy.IDRange{{Start: 100000, Count: 65536}}) {
		t.Fatalf("custom %+v", custom)
	}
	facts := policy.NodeFacts{SubUID: []policy.IDRange{{Start: 100000, Count: 65536}}, SubGID: []policy.IDRange{{Start: 100000, Count: 65536}}, Idmaps: []policy.ContainerIdmap{def}}
	if f := policy.CheckNode(facts)[3]; f.Rule != "HC-NODE-004" || f.Status != policy.StatusPass {
		t.Fatalf("default idmap: %+v", f)
	}
	facts.Idmaps = append(facts.Idmaps, custom)
	if f := policy.CheckNode(facts)[3]; f.Status != policy.StatusFail || f.Detail != "CT 101 maps host uids 300000-365535: outside root's ranges in /etc/subuid, /etc/subgid" {
		t.Fatalf("custom idmap: %+v", f)
	}
}

func TestCheckNodeUnreadFails(t *testing.T) {
	facts := policy.NodeFacts{AppArmorEnabled: true, AcceptRA: map[string]string{"all": "0", "default": "0"},
		Unread: map[string]string{AppArmorEnabledPath: "permission denied", AcceptRAPath("default"): "no such file"}}
	fs := policy.CheckNode(facts)
	if fs[0].Status != policy.StatusFail || fs[2].Status != policy.StatusFail {
		t.Fatalf("unread facts pass: %+v %+v", fs[0], fs[2])
	}
	facts.Unread = nil
	if fs := policy.CheckNode(facts); fs[0].Status != policy.StatusPass || fs[2].Status != policy.StatusPass {
		t.Fatalf("%+v %+v", fs[0], fs[2])
	}
}
