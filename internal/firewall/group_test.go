package firewall

import (
	"reflect"
	"strings"
	"testing"
)

// cluster.fw in the writer's format; the group sections are what
// Group.Render produces.
const (
	clusterHead = `[OPTIONS]

enable: 1
policy_in: DROP

[ALIASES]

mgmt 192.168.1.0/24

[IPSET management] # management hosts

192.168.1.10

[RULES]

IN ACCEPT -source +management -p tcp -dport 8006
GROUP group1 -i vmbr0
FORWARD DROP -p udp -dport 53

`
	group1Sect = `[group group1] # test group

IN ACCEPT -p tcp -dport 22 -log info
OUT ACCEPT
FORWARD ACCEPT -source mgmt

`
	group2Sect = `[group group2]


`
	webSect = `[group web] # web servers

IN HTTP(ACCEPT)
|IN HTTPS(ACCEPT) -source +management # later

`
	canonicalCluster = clusterHead + group1Sect + group2Sect + webSect
)

var canonicalGroups = []Group{
	{Name: "group1", Comment: "test group", Rules: []Rule{
		{Type: "in", Action: "ACCEPT", Proto: "tcp", Dport: "22", Log: "info", Enable: true},
		{Type: "out", Action: "ACCEPT", Enable: true},
		{Type: "forward", Action: "ACCEPT", Source: "mgmt", Enable: true},
	}},
	{Name: "group2"},
	{Name: "web", Comment: "web servers", Rules: []Rule{
		{Type: "in", Action: "ACCEPT", Macro: "HTTP", Enable: true},
		{Type: "in", Action: "ACCEPT", Macro: "HTTPS", Source: "+management", Comment: "later"},
	}},
}

func mustParseGroups(t *testing.T, data string) []Group {
	t.Helper()
	g, errs := ParseGroups([]byte(data))
	if len(errs) > 0 {
		t.Fatalf("ParseGroups: unexpected errors %v", errs)
	}
	return g
}

func TestParseGroupsCanonical(t *testing.T) {
	got := mustParseGroups(t, canonicalCluster)
	if !reflect.DeepEqual(got, canonicalGroups) {
		t.Fatalf("got %+v\nwant %+v", got, canonicalGroups)
	}
	for i, sect := range []string{group1Sect, group2Sect, webSect} {
		if r := string(got[i].Render()); r != sect {
			t.Errorf("Render(%s) = %q, want %q", got[i].Name, r, sect)
		}
	}
	// the forward rule renders as FORWARD; Iface is never written in a group
	g := Group{Name: "MixedCase", Comment: "0", Rules: []Rule{{Type: "forward", Action: "DROP", Iface: "net0", Enable: true}}}
	if r := string(g.Render()); r != "[group mixedcase]\n\nFORWARD DROP\n\n" {
		t.Errorf("Render = %q", r)
	}
}

func TestParseGroupsBadLines(t *testing.T) {
	in := `stray
[group averyveryverylongname] # too long
IN ACCEPT
[group 9lives]
[RULES]
IN ACCEPT -p tcp
[group ok] # fine
IN ACCEPT -i net0
GROUP other
FORWARD REJECT
OUT ACCEPT -p udp -dport 53
FORWARD DROP -source 10.0.0.0/8 # keep
[GROUP OK]
IN DROP
[IPSET ok]
10.0.0.1
`
	got, errs := ParseGroups([]byte(in))
	want := []struct {
		line int
		err  string
	}{
		{1, "skip line - no section"},
		{2, "security group name too long"},
		{3, "skip line - no section"},
		{4, "invalid security group name '9lives'"},
		{8, "parameter -i not allowed"},
		{9, "security groups not allowed"},
		{10, "cannot define REJECT rules on forward chain"},
		{13, "duplicate security group 'ok'"},
	}
	if len(errs) != len(want) {
		t.Errorf("errors: %v", errs)
	}
	for i, w := range want {
		if i < len(errs) && (errs[i].Line != w.line || !strings.Contains(errs[i].Err, w.err)) {
			t.Errorf("error %d: got %v, want line %d %q", i, errs[i], w.line, w.err)
		}
	}
	wantGroups := []Group{{Name: "ok", Comment: "fine", Rules: []Rule{{Type: "in", Action: "DROP", Enable: true}}}}
	if !reflect.DeepEqual(got, wantGroups) {
		t.Errorf("groups: %+v", got)
	}
}

func TestGroupModelRoundTrip(t *testing.T) {
	for _, g := range append(canonicalGroups, Group{Name: "x1", Comment: "ünïcode # with hash", Rules: []Rule{
		{Type: "forward", Action: "ACCEPT", Macro: "DNS", Source: "+dc/set", Dest: "10.0.0.1-10.0.0.9", Log: "nolog"},
		{Type: "out", Action: "REJECT", Proto: "icmp", IcmpType: "echo-request", Comment: "ping", Enable: true},
	}}) {
		got := mustParseGroups(t, string(g.Render()))
		if len(got) != 1 || !reflect.DeepEqual(got[0], g) {
			t.Errorf("parse(render(%s)) = %+v", g.Name, got)
		}
	}
}

func TestSpliceGroup(t *testing.T) {
	changed := Group{Name: "group1", Comment: "changed", Rules: []Rule{{Type: "in", Action: "DROP", Enable: true}}}
	newSect := string(changed.Render())
	db := Group{Name: "db", Rules: []Rule{{Type: "in", Action: "ACCEPT", Macro: "PostgreSQL", Enable: true}}}
	for _, tc := range []struct {
		name string
		in   string
		g    *Group
		key  string
		want string
	}{
		{"replace", canonicalCluster, &changed, "group1", clusterHead + newSect + group2Sect + webSect},
		{"replace last", canonicalCluster, &Group{Name: "web"}, "web", clusterHead + group1Sect + group2Sect + "[group web]\n\n\n"},
		{"case-insensitive", canonicalCluster, &changed, "GROUP1", clusterHead + newSect + group2Sect + webSect},
		{"remove", canonicalCluster, nil, "group2", clusterHead + group1Sect + webSect},
		{"remove last", canonicalCluster, nil, "web", clusterHead + group1Sect + group2Sect},
		{"insert sorted", canonicalCluster, &db, "db", clusterHead + string(db.Render()) + group1Sect + group2Sect + webSect},
		{"append after the last group", canonicalCluster, &Group{Name: "zz"}, "zz", canonicalCluster + "[group zz]\n\n\n"},
		{
			"after the last group, before a later section",
			"[group ga]\nIN DROP\n[RULES]\nIN ACCEPT\n", &Group{Name: "gb"}, "gb",
			"[group ga]\nIN DROP\n[group gb]\n\n\n[RULES]\nIN ACCEPT\n",
		},
		{"append to empty", "", &db, "db", string(db.Render())},
		{"append without final newline", "[RULES]\nIN ACCEPT", &db, "db", "[RULES]\nIN ACCEPT\n" + string(db.Render())},
		{"remove absent", canonicalCluster, nil, "nope", canonicalCluster},
		{"rename", canonicalCluster, &Group{Name: "group3"}, "group2", clusterHead + group1Sect + "[group group3]\n\n\n" + webSect},
		{
			"hand-written file",
			"# header comment\n[options]\nenable: 1\n  [Group  Group1]   #  old  \n\tIN ACCEPT\n# trailing comment\n\n" +
				"[group group1x]\nIN DROP\n[GROUP GROUP1]\nOUT DROP\n[group bad!]\nIN ACCEPT\n[rules]\nIN DROP",
			&changed, "group1",
			"# header comment\n[options]\nenable: 1\n" + newSect + "[group group1x]\nIN DROP\n" +
				"[group bad!]\nIN ACCEPT\n[rules]\nIN DROP",
		},
		{
			"group header is no header in comments or values",
			"[RULES]\n# [group group1]\nIN ACCEPT # [group group1]\n[group group1]\nIN DROP\n",
			nil, "group1", "[RULES]\n# [group group1]\nIN ACCEPT # [group group1]\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(SpliceGroup([]byte(tc.in), tc.g, tc.key))
			if got != tc.want {
				t.Fatalf("SpliceGroup:\n--- got\n%s--- want\n%s", got, tc.want)
			}
			groups, _ := ParseGroups([]byte(got))
			var found *Group
			for i := range groups {
				if groups[i].Name == strings.ToLower(tc.key) {
					found = &groups[i]
				}
			}
			switch {
			case tc.g == nil && found != nil:
				t.Errorf("group %s still present", tc.key)
			case tc.g != nil && tc.g.Name == tc.key && (found == nil || !reflect.DeepEqual(*found, *tc.g)):
				t.Errorf("group read back as %+v, want %+v", found, tc.g)
			}
		})
	}
}
