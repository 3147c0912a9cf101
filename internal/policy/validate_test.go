package policy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
)

type wantProblem struct {
	path    []any
	summary string
	detail  string // substring
}

func checkProblems(t *testing.T, got []hardening.Problem, want []wantProblem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d problems, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if !reflect.DeepEqual(g.Path, w.path) || g.Summary != w.summary || !strings.Contains(g.Detail, w.detail) || g.Warning {
			t.Errorf("problem %d = %+v\nwant path %v summary %q detail containing %q", i, g, w.path, w.summary, w.detail)
		}
	}
}

func TestValidateExceptions(t *testing.T) {
	b := Default()
	for _, c := range []struct {
		name string
		ex   []Exception
		want []wantProblem
	}{
		{"none", nil, nil},
		{"valid", []Exception{{"HC-FEAT-001", "needs FUSE for sshfs"}, {"HC-CG-003", "batch job, ticket OPS-9"}}, nil},
		{"typo", []Exception{{"HC-FW-02", "x"}}, []wantProblem{{[]any{"exceptions", 0, "rule"}, "Unknown policy rule", `Did you mean "HC-FW-002"?`}}},
		{"lower case", []Exception{{"hc-feat-001", "x"}}, []wantProblem{{[]any{"exceptions", 0, "rule"}, "Unknown policy rule", `Did you mean "HC-FEAT-001"?`}}},
		{"nothing close", []Exception{{"disable-everything", "x"}}, []wantProblem{{[]any{"exceptions", 0, "rule"}, "Unknown policy rule", "Rule IDs: HC-AA-001, HC-AA-002,"}}},
		{"blank reason", []Exception{{"HC-CG-003", ""}, {"HC-CG-004", " \t\n"}}, []wantProblem{
			{[]any{"exceptions", 0, "reason"}, "Exception without a reason", "must say why"},
			{[]any{"exceptions", 1, "reason"}, "Exception without a reason", "must say why"}}},
		{"duplicate", []Exception{{"HC-CG-003", "a"}, {"HC-CG-004", "b"}, {"HC-CG-003", "c"}}, []wantProblem{
			{[]any{"exceptions", 2, "rule"}, "Duplicate exception", "exceptions[0] already excepts HC-CG-003"}}},
		{"not exceptable", []Exception{{"HC-PRIV-001", "legacy"}, {"HC-AA-001", ""}}, []wantProblem{
			{[]any{"exceptions", 0, "rule"}, "Rule cannot be excepted", "no exception to HC-PRIV-001 (Container is unprivileged)"},
			{[]any{"exceptions", 1, "rule"}, "Rule cannot be excepted", "Remove the exception and comply: Remove apparmor_profile"},
			{[]any{"exceptions", 1, "reason"}, "Exception without a reason", "must say why"}}},
	} {
		t.Run(c.name, func(t *testing.T) { checkProblems(t, ValidateExceptions(c.ex, b), c.want) })
	}
	// A baseline without NoExceptions lets HC-PRIV-001 be excepted.
	b.NoExceptions = nil
	if ps := ValidateExceptions([]Exception{{"HC-PRIV-001", "legacy"}}, b); len(ps) != 0 {
		t.Errorf("%v", ps)
	}
}

func TestValidateBaseline(t *testing.T) {
	if ps := ValidateBaseline(Default()); len(ps) != 0 {
		t.Fatalf("Default() is invalid: %v", ps)
	}
	if ps := ValidateBaseline(Baseline{}); len(ps) != 0 {
		t.Fatalf("the zero baseline is invalid: %v", ps)
	}
	for _, c := range []struct {
		name   string
		modify func(*Baseline)
		want   []wantProblem
	}{
		{"capability", func(b *Baseline) { b.RequiredDropCapabilities = []string{"sys_admin", "sys_admn", "CAP_NET_RAW"} }, []wantProblem{
			{[]any{"baseline", "required_drop_capabilities"}, "Invalid capability", `"sys_admn" is not a Linux capability`},
			{[]any{"baseline", "required_drop_capabilities"}, "Invalid capability", `write capability "CAP_NET_RAW" as "net_raw"`}}},
		{"negative maxima", func(b *Baseline) { b.MaxMemoryMiB, b.MaxSwapMiB, b.MaxCores, b.MaxPids = -1, -2, -3, -4 }, []wantProblem{
			{[]any{"baseline", "max_memory"}, "Negative maximum", "max_memory = -1"},
			{[]any{"baseline", "max_swap"}, "Negative maximum", "max_swap = -2"},
			{[]any{"baseline", "max_cores"}, "Negative maximum", "max_cores = -3"},
			{[]any{"baseline", "max_pids"}, "Negative maximum", "max_pids = -4"}}},
		{"guest files", func(b *Baseline) { b.RequiredGuestFiles = []string{"/var/ossec/bin/wazuh-agentd", "var/x", "/a/../b"} }, []wantProblem{
			{[]any{"baseline", "required_guest_files"}, "Invalid path", `"var/x" is not an absolute, clean path`},
			{[]any{"baseline", "required_guest_files"}, "Invalid path", `"/a/../b" is not an absolute, clean path`}}},
		{"bridges", func(b *Baseline) { b.AllowedBridges = []string{"vmbr20", " "} }, []wantProblem{
			{[]any{"baseline", "allowed_bridges"}, "Empty bridge name", "empty name"}}},
		{"vlans", func(b *Baseline) { b.AllowedVLANs = []int{1, 4094, 0, 4095} }, []wantProblem{
			{[]any{"baseline", "allowed_vlans"}, "Invalid VLAN", "0 is not a VLAN tag"},
			{[]any{"baseline", "allowed_vlans"}, "Invalid VLAN", "4095 is not a VLAN tag"}}},
		{"features", func(b *Baseline) { b.AllowedFeatures = []string{"fuse", "nested"} }, []wantProblem{
			{[]any{"baseline", "allowed_features"}, "Unknown feature", `"nested" is not a container feature; features are: nesting, keyctl, fuse, mknod, mount.`}}},
		{"unconfined", func(b *Baseline) { b.AllowedAppArmorProfiles = []string{"hardened", "unconfined", ""} }, []wantProblem{
			{[]any{"baseline", "allowed_apparmor_profiles"}, "Unconfined cannot be allowed", "HC-AA-001 never lets them pass"},
			{[]any{"baseline", "allowed_apparmor_profiles"}, "Empty profile name", "empty name"}}},
		{"seccomp modes", func(b *Baseline) { b.AllowedSeccompModes = []string{"default", "custom", "strict"} }, []wantProblem{
			{[]any{"baseline", "allowed_seccomp_modes"}, "Custom seccomp policies cannot be allowed", "never lets it pass"},
			{[]any{"baseline", "allowed_seccomp_modes"}, "Unknown seccomp mode", `"strict" is not a seccomp mode`}}},
		{"tags", func(b *Baseline) { b.RequiredTags = []string{"owner-*", ""} }, []wantProblem{
			{[]any{"baseline", "required_tags"}, "Empty tag", "empty tag"}}},
		{"mount options", func(b *Baseline) { b.RequiredMountOptions = []string{"nodev", "noexec", "ro"} }, []wantProblem{
			{[]any{"baseline", "required_mount_options"}, "Unknown mount option", `"ro" is not a mount option PVE accepts`}}},
		{"no exceptions", func(b *Baseline) { b.NoExceptions = []string{"HC-PRIV-001", "HC-PRIV-01"} }, []wantProblem{
			{[]any{"baseline", "no_exceptions"}, "Unknown policy rule", `Did you mean "HC-PRIV-001"?`}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := Default()
			c.modify(&b)
			got := ValidateBaseline(b)
			checkProblems(t, got, c.want)
			for _, p := range got {
				if !isSetting(p.Path[1].(string)) {
					t.Errorf("path %v names no documented setting", p.Path)
				}
			}
		})
	}
}

func isSetting(name string) bool {
	for _, s := range settings {
		if s.name == name {
			return true
		}
	}
	return false
}
