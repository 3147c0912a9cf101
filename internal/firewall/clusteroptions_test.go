package firewall

import (
	"strings"
	"testing"
)

func hardenedOptions() ClusterOptions {
	o := DefaultClusterOptions()
	o.Enable = true
	return o
}

const wantOptions = "[OPTIONS]\n\nebtables: 1\nenable: 1\nlog_ratelimit: enable=1,burst=5,rate=1/second\npolicy_forward: ACCEPT\npolicy_in: DROP\npolicy_out: ACCEPT\n\n"

func TestSpliceClusterOptions(t *testing.T) {
	others := "[ALIASES]\n\nresolver 10.0.0.53 # dns\n\n[IPSET lb]\n\n10.0.5.0/24\n\n# a comment of its own\n[group admins] # ops\n\nIN SSH(ACCEPT)\n\n"
	for _, tc := range []struct{ name, in, want string }{
		{"empty file", "", wantOptions},
		{"no options: added at the top", others, wantOptions + others},
		{"options replaced, the rest byte for byte", "[OPTIONS]\n\nenable: 0\n#old\nnftables: 1\n\n" + others, wantOptions + others},
		{"options in the middle, lower case header", "[ALIASES]\n\nx 10.0.0.1\n\n[options]\npolicy_in: ACCEPT\n[group g1]\n\nIN ACCEPT\n",
			"[ALIASES]\n\nx 10.0.0.1\n\n" + wantOptions + "[group g1]\n\nIN ACCEPT\n"},
		{"repeated options: first replaced, others removed", "[OPTIONS]\nenable: 1\n" + others + "[OPTIONS]\nenable: 0\n",
			wantOptions + others},
		{"not a header: '[OPTIONS] x' is a line of the section before", "[group a]\n\n[OPTIONS] x\n", wantOptions + "[group a]\n\n[OPTIONS] x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(SpliceClusterOptions([]byte(tc.in), hardenedOptions()))
			if got != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			// idempotent, and the groups read the same
			if again := string(SpliceClusterOptions([]byte(got), hardenedOptions())); again != got {
				t.Fatalf("not idempotent:\n%s", again)
			}
			g1, _ := ParseGroups([]byte(tc.in))
			g2, _ := ParseGroups([]byte(got))
			if len(g1) != len(g2) {
				t.Fatalf("groups changed: %v -> %v", g1, g2)
			}
		})
	}
}

func TestSpliceGroupKeepsOptions(t *testing.T) {
	in := string(SpliceClusterOptions(nil, hardenedOptions()))
	g := Group{Name: "web", Rules: []Rule{{Type: "in", Action: "ACCEPT", Macro: "HTTPS", Enable: true}}}
	out := string(SpliceGroup([]byte(in), &g, "web"))
	if !strings.HasPrefix(out, wantOptions) {
		t.Fatalf("options not kept:\n%s", out)
	}
	if back := string(SpliceGroup([]byte(out), nil, "web")); back != wantOptions {
		t.Fatalf("removing the group: %q", back)
	}
}

func TestParseLogRateLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want LogRateLimit
		err  bool
	}{
		{in: "1", want: LogRateLimit{true, "1/second", 5}},
		{in: "0", want: LogRateLimit{false, "1/second", 5}},
		{in: "enable=1,rate=10/minute,burst=20", want: LogRateLimit{true, "10/minute", 20}},
		{in: "burst=0,enable=0", want: LogRateLimit{false, "1/second", 0}},
		{in: "1,rate=2/hour", want: LogRateLimit{true, "2/hour", 5}},
		{in: "enable=1,rate=0/second", err: true},
		{in: "enable=1,rate=1/week", err: true},
		{in: "enable=1,burst=-1", err: true},
		{in: "enable=maybe", err: true},
		{in: "enable=1,foo=2", err: true},
		{in: "enable=1,enable=0", err: true},
	} {
		got, err := ParseLogRateLimit(tc.in)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("ParseLogRateLimit(%q) = %+v, %v", tc.in, got, err)
		}
		if !tc.err {
			if back, _ := ParseLogRateLimit(got.String()); back != got {
				t.Errorf("round trip of %q: %+v", tc.in, back)
			}
		}
	}
}

func TestClusterOptionsFromAPI(t *testing.T) {
	o, unknown, err := ClusterOptionsFromAPI(map[string]string{"digest": "x"})
	if err != nil || o != DefaultClusterOptions() || o.Enable || unknown != nil {
		t.Fatalf("no options: %+v %v %v", o, unknown, err)
	}
	o, unknown, err = ClusterOptionsFromAPI(map[string]string{"enable": "1733220000", "ebtables": "0", "policy_in": "REJECT",
		"policy_forward": "DROP", "log_ratelimit": "enable=0", "nosuch": "1"})
	want := ClusterOptions{Enable: true, Ebtables: false, PolicyIn: "REJECT", PolicyOut: "ACCEPT", PolicyForward: "DROP",
		LogRateLimit: LogRateLimit{false, "1/second", 5}}
	if err != nil || o != want || len(unknown) != 1 || unknown[0] != "nosuch" {
		t.Fatalf("got %+v %v %v", o, unknown, err)
	}
	if _, _, err := ClusterOptionsFromAPI(map[string]string{"enable": "yes"}); err == nil {
		t.Fatal("enable=yes accepted")
	}
}
