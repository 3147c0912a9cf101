package sshdconfig

import (
	"reflect"
	"testing"
)

func TestWeaknesses(t *testing.T) {
	for _, tc := range []struct {
		name string
		eff  map[string][]string
		want []string
	}{
		{"the policy", Policy{PermitRootLogin: RootLoginNo, Banner: "x"}.Want(), nil},
		{"root with a key", Policy{PermitRootLogin: RootLoginProhibitPassword, Banner: "x"}.Want(), nil},
		{"no banner", Policy{PermitRootLogin: RootLoginNo}.Want(), []string{"banner none"}},
		// OpenSSH's built-in defaults: passwords allowed, no banner
		{"nothing set", map[string][]string{}, []string{"passwordauthentication yes", "kbdinteractiveauthentication yes", "banner none"}},
		{"root password", map[string][]string{"permitrootlogin": {"yes"}, "passwordauthentication": {"no"}, "kbdinteractiveauthentication": {"no"},
			"permitemptypasswords": {"yes"}, "banner": {"/etc/issue.net"}}, []string{"permitemptypasswords yes", "permitrootlogin yes"}},
	} {
		if got := Weaknesses(tc.eff); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// sshd -T prints PermitRootLogin's key-only value as without-password (as
// OpenSSH 9.2 here does); it reads back as prohibit-password, and the
// simulator prints it like sshd.
func TestPermitRootLoginName(t *testing.T) {
	eff := ParseT([]byte("permitrootlogin without-password\n"))
	if got := eff["permitrootlogin"]; !reflect.DeepEqual(got, []string{RootLoginProhibitPassword}) {
		t.Fatalf("parsed %q", got)
	}
	if out := string(RenderT(eff)); out != "permitrootlogin without-password\n" {
		t.Fatalf("rendered %q", out)
	}
}
