package sshdconfig

import (
	"reflect"
	"strings"
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
		// OpenSSH before 8.7 prints ChallengeResponseAuthentication on its
		// own: yes turns keyboard-interactive on at sshd's start
		{"old sshd, challenge-response on", withKey(Policy{PermitRootLogin: RootLoginNo, Banner: "x"}.Want(), "challengeresponseauthentication", "yes"),
			[]string{"challengeresponseauthentication yes"}},
		{"old sshd, challenge-response off", withKey(Policy{PermitRootLogin: RootLoginNo, Banner: "x"}.Want(), "challengeresponseauthentication", "no"), nil},
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

func withKey(m map[string][]string, k, v string) map[string][]string {
	out := map[string][]string{k: {v}}
	for key, val := range m {
		out[key] = val
	}
	return out
}

// The drop-in turns ChallengeResponseAuthentication off in its global part
// only: OpenSSH before 8.7 refuses it inside a Match block (a global
// keyword there), later ones take it as KbdInteractiveAuthentication's
// alias anywhere.
func TestDropInChallengeResponse(t *testing.T) {
	d := string(Policy{PermitRootLogin: RootLoginNo}.RenderDropIn())
	global, match, ok := strings.Cut(d, "\nMatch all\n")
	if !ok || strings.Count(global, "\nChallengeResponseAuthentication no\n") != 1 || strings.Contains(match, "ChallengeResponse") {
		t.Fatalf("drop-in:\n%s", d)
	}
}
