package sshdconfig

import (
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"
)

type mapFiles map[string]string

func (m mapFiles) Read(p string) ([]byte, bool) { s, ok := m[p]; return []byte(s), ok }
func (m mapFiles) Glob(pattern string) []string {
	var out []string
	for p := range m {
		if ok, _ := path.Match(pattern, p); ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// debianMain is Debian 12's sshd_config (comments dropped).
const debianMain = "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem\tsftp\t/usr/lib/openssh/sftp-server\n"

var policy = Policy{PermitRootLogin: RootLoginNo, Banner: "Authorised use only.", AllowUsers: []string{"deploy", "ops@10.0.10.0/24"}}

func TestDropInWinsOnDebian(t *testing.T) {
	files := mapFiles{MainConfig: debianMain, DropIn: string(policy.RenderDropIn())}
	eff, errs := Effective(files)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if d := Compare(policy, eff); len(d) > 0 {
		t.Fatalf("drift after the drop-in: %v\n%s", d, RenderT(eff))
	}
	// what sshd -T prints reads back to the same verdict
	if d := Compare(policy, ParseT(RenderT(eff))); len(d) > 0 {
		t.Fatalf("ParseT(RenderT): %v", d)
	}
}

func TestWeakenings(t *testing.T) {
	tests := []struct {
		name  string
		files mapFiles
		want  []string // drifted keys
	}{
		{"drop-in edited", mapFiles{MainConfig: debianMain,
			DropIn: strings.Replace(string(policy.RenderDropIn()), "PasswordAuthentication no", "PasswordAuthentication yes", 1)}, []string{"passwordauthentication"}},
		{"earlier file sets PasswordAuthentication yes", mapFiles{MainConfig: debianMain, DropIn: string(policy.RenderDropIn()),
			"/etc/ssh/sshd_config.d/00-aaa.conf": "PasswordAuthentication yes\n"}, []string{"passwordauthentication"}},
		{"main file sets root login before the Include", mapFiles{MainConfig: "PermitRootLogin yes\n" + debianMain, DropIn: string(policy.RenderDropIn())},
			[]string{"permitrootlogin"}},
		{"Include removed from the main file", mapFiles{MainConfig: strings.Replace(debianMain, "Include /etc/ssh/sshd_config.d/*.conf\n", "", 1),
			DropIn: string(policy.RenderDropIn())}, []string{"allowusers", "banner", "passwordauthentication", "permitrootlogin"}},
		{"a later file changes nothing", mapFiles{MainConfig: debianMain, DropIn: string(policy.RenderDropIn()),
			"/etc/ssh/sshd_config.d/99-local.conf": "PasswordAuthentication yes\nPermitRootLogin yes\n"}, nil},
		{"Match block does not count", mapFiles{MainConfig: debianMain + "Match User bob\n  PasswordAuthentication yes\n", DropIn: string(policy.RenderDropIn())}, nil},
		{"AllowUsers added by hand elsewhere", mapFiles{MainConfig: debianMain + "AllowUsers mallory\n", DropIn: string(policy.RenderDropIn())}, []string{"allowusers"}},
		{"Match all re-enables passwords", mapFiles{MainConfig: debianMain + "Match all\n  PasswordAuthentication yes\n", DropIn: string(policy.RenderDropIn())},
			[]string{"passwordauthentication"}},
		{"the drop-in included inside a Match block applies only there", mapFiles{MainConfig: strings.Replace(debianMain,
			"Include /etc/ssh/sshd_config.d/*.conf\n", "", 1) + "Match Address 10.0.0.0/8\n  Include " + DropIn + "\n",
			DropIn: string(policy.RenderDropIn())}, []string{"allowusers", "banner", "passwordauthentication", "permitrootlogin"}},
	}
	for _, tt := range tests {
		eff, _ := Effective(tt.files)
		var got []string
		for _, d := range Compare(policy, eff) {
			got = append(got, d.Key)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: drift %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEffectiveSyntax(t *testing.T) {
	eff, _ := Effective(mapFiles{MainConfig: "permitrootlogin=without-password\nPasswordAuthentication = YES # old\nBanner \"/etc/my banner\"\n" +
		"ChallengeResponseAuthentication no\nKbdInteractiveAuthentication yes\n"})
	want := map[string][]string{"permitrootlogin": {"prohibit-password"}, "passwordauthentication": {"yes"}, "banner": {"/etc/my banner"},
		"kbdinteractiveauthentication": {"no"}}
	for k, v := range want {
		if !reflect.DeepEqual(eff[k], v) {
			t.Errorf("%s = %q, want %q", k, eff[k], v)
		}
	}
	if _, errs := Effective(mapFiles{}); len(errs) != 1 {
		t.Fatalf("missing main file: %v", errs)
	}
	if eff, _ := Effective(mapFiles{MainConfig: "Include /etc/ssh/sshd_config\n"}); eff["permitrootlogin"][0] != "prohibit-password" {
		t.Fatal("recursive include")
	}
}

func TestValidate(t *testing.T) {
	if errs := policy.Validate(); len(errs) > 0 {
		t.Fatal(errs)
	}
	bad := Policy{PermitRootLogin: "yes", Banner: "\x1b[2J", AllowUsers: []string{"a b", "Root"}}
	if errs := bad.Validate(); len(errs) != 4 {
		t.Fatalf("%v", errs)
	}
}

func TestEnsureIncludeFirst(t *testing.T) {
	out, changed := EnsureIncludeFirst([]byte("PermitRootLogin yes\n" + debianMain))
	if !changed || !strings.HasPrefix(string(out), includeFirst+"PermitRootLogin yes\n") {
		t.Fatalf("%v %q", changed, out)
	}
	again, changed := EnsureIncludeFirst(out)
	if changed || string(again) != string(out) {
		t.Fatal("not idempotent")
	}
	// moved back to the top after a hand edit put a line before it
	moved, changed := EnsureIncludeFirst([]byte("PasswordAuthentication yes\n" + string(out)))
	if !changed || strings.Count(string(moved), "Include "+DropIn) != 1 || !strings.HasPrefix(string(moved), includeFirst+"PasswordAuthentication yes\n") {
		t.Fatalf("%q", moved)
	}
	// with it, neither an earlier drop-in nor the main file overrides the policy
	eff, _ := Effective(mapFiles{MainConfig: string(moved), DropIn: string(policy.RenderDropIn()),
		"/etc/ssh/sshd_config.d/00-aaa.conf": "PasswordAuthentication yes\nPermitRootLogin yes\n"})
	if d := Compare(policy, eff); len(d) > 0 {
		t.Fatalf("drift: %v", d)
	}
}

// sshd -T of OpenSSH before 10.1 prints prohibit-password as
// without-password; both read back as the policy's word, and RenderT
// prints Debian 12's (9.2p1) form, one line per value.
func TestParseTRenderT(t *testing.T) {
	for _, v := range []string{"without-password", "prohibit-password"} {
		if got := ParseT([]byte("permitrootlogin " + v + "\n"))["permitrootlogin"]; !reflect.DeepEqual(got, []string{RootLoginProhibitPassword}) {
			t.Errorf("%s read back as %q", v, got)
		}
	}
	eff, _ := Effective(mapFiles{MainConfig: "PermitRootLogin prohibit-password\nAllowUsers a b\nAllowUsers c\n" +
		"Subsystem sftp /usr/lib/openssh/sftp-server\nAcceptEnv LANG LC_*\n"})
	out := string(RenderT(eff))
	for _, want := range []string{"permitrootlogin without-password\n", "allowusers a\nallowusers b\nallowusers c\n",
		"subsystem sftp /usr/lib/openssh/sftp-server\n", "acceptenv LANG\nacceptenv LC_*\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("RenderT lacks %q:\n%s", want, out)
		}
	}
	// read back, root login and the users are as configured (the
	// passwords' defaults are the only drift)
	var keys []string
	for _, d := range Compare(Policy{PermitRootLogin: RootLoginProhibitPassword, AllowUsers: []string{"a", "b", "c"}}, ParseT([]byte(out))) {
		keys = append(keys, d.Key)
	}
	if !reflect.DeepEqual(keys, []string{"kbdinteractiveauthentication", "passwordauthentication"}) {
		t.Errorf("drift %v", keys)
	}
}
