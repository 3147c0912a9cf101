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

// TestWeakenings: what the read-back (sshd -T and the probe connections'
// sshd -T -C, weakest value kept) shows for hand edits. The drop-in's
// Match all block, read first, keeps the policy in every Match context:
// edits that come after it change nothing in effect (no drift, honestly);
// the ones that take effect show, also when sshd -T without a connection
// still prints the policy's values.
func TestWeakenings(t *testing.T) {
	dropIn := string(policy.RenderDropIn())
	tests := []struct {
		name   string
		files  mapFiles
		want   []string // drifted keys
		hidden bool     // sshd -T without a connection shows no drift
	}{
		{"hardened", mapFiles{MainConfig: mustInclude(debianMain), DropIn: dropIn}, nil, false},
		// no effect: the drop-in's Match all wins for every connection
		{"drop-in's global line edited", mapFiles{MainConfig: mustInclude(debianMain),
			DropIn: strings.Replace(dropIn, "PasswordAuthentication no", "PasswordAuthentication yes", 1)}, nil, false},
		{"an earlier file sets PasswordAuthentication yes, the Include removed", mapFiles{MainConfig: debianMain, DropIn: dropIn,
			"/etc/ssh/sshd_config.d/00-aaa.conf": "PasswordAuthentication yes\n"}, nil, false},
		{"main file sets root login before the Include", mapFiles{MainConfig: "PermitRootLogin yes\n" + mustInclude(debianMain), DropIn: dropIn}, nil, false},
		{"Match User * at the end of the main file", mapFiles{MainConfig: mustInclude(debianMain) + matchUserAll, DropIn: dropIn}, nil, false},
		{"Match all at the end of the main file", mapFiles{MainConfig: mustInclude(debianMain) + "Match all\n  PasswordAuthentication yes\n", DropIn: dropIn}, nil, false},
		{"a later file", mapFiles{MainConfig: mustInclude(debianMain), DropIn: dropIn,
			"/etc/ssh/sshd_config.d/99-local.conf": "PasswordAuthentication yes\nPermitRootLogin yes\n"}, nil, false},
		// in effect
		{"drop-in edited everywhere", mapFiles{MainConfig: mustInclude(debianMain),
			DropIn: strings.ReplaceAll(dropIn, "PasswordAuthentication no", "PasswordAuthentication yes")}, []string{"passwordauthentication"}, false},
		{"the drop-in's Match all removed, Match User * in the main file", mapFiles{MainConfig: mustInclude(debianMain) + matchUserAll,
			DropIn: withoutMatchAll(policy.RenderDropIn())}, []string{"passwordauthentication", "permitrootlogin"}, true},
		{"an earlier file's Match User *, the Include removed", mapFiles{MainConfig: debianMain, DropIn: dropIn,
			"/etc/ssh/sshd_config.d/00-aaa.conf": "Match User *\n  PasswordAuthentication yes\n"}, []string{"passwordauthentication"}, true},
		{"Match all put first in the main file", mapFiles{MainConfig: "Match all\n  PasswordAuthentication yes\n" + mustInclude(debianMain), DropIn: dropIn},
			[]string{"passwordauthentication"}, false},
		{"Match User * adds to AllowUsers", mapFiles{MainConfig: mustInclude(debianMain) + "Match User *\n  AllowUsers mallory\n", DropIn: dropIn},
			[]string{"allowusers"}, true},
		{"a Match Address block, the drop-in's Match all removed", mapFiles{MainConfig: mustInclude(debianMain) + "Match Address 10.0.0.0/8\n  Banner none\n",
			DropIn: withoutMatchAll(policy.RenderDropIn())}, []string{"banner"}, true},
		{"a Match block for a user of passwd, the drop-in's Match all removed", mapFiles{MainConfig: mustInclude(debianMain) +
			"Match User alice\n  KbdInteractiveAuthentication yes\n", DropIn: withoutMatchAll(policy.RenderDropIn()),
			"/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n"}, []string{"kbdinteractiveauthentication"}, true},
		{"a Match LocalPort block (sshd -T without a connection stops: the probe asks for port 22)", mapFiles{MainConfig: mustInclude(debianMain) +
			"Match LocalPort 2222\n  PasswordAuthentication yes\n", DropIn: withoutMatchAll(policy.RenderDropIn())}, nil, false},
		{"Include removed from the main file", mapFiles{MainConfig: strings.Replace(debianMain, "Include /etc/ssh/sshd_config.d/*.conf\n", "", 1),
			DropIn: dropIn}, []string{"allowusers", "banner", "passwordauthentication", "permitrootlogin"}, false},
		{"the drop-in included inside a Match block applies only there", mapFiles{MainConfig: strings.Replace(debianMain,
			"Include /etc/ssh/sshd_config.d/*.conf\n", "", 1) + "Match Address 10.0.0.0/8\n  Include " + DropIn + "\n",
			DropIn: dropIn}, []string{"allowusers", "banner", "passwordauthentication", "permitrootlogin"}, false},
	}
	for _, tt := range tests {
		p, errs := Probe(tt.files)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", tt.name, errs)
		}
		var got, global []string
		for _, d := range Compare(policy, p.Weakest()) {
			got = append(got, d.Key)
		}
		for _, d := range Compare(policy, p.Global) {
			global = append(global, d.Key)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: drift %v, want %v", tt.name, got, tt.want)
		}
		if hidden := len(global) == 0 && len(got) > 0; hidden != tt.hidden {
			t.Errorf("%s: sshd -T without a connection shows %v", tt.name, global)
		}
		// what the script prints reads back the same
		if q, ok := ParseProbe(p.Render()); !ok || !reflect.DeepEqual(q.Weakest(), p.Weakest()) {
			t.Errorf("%s: ParseProbe(Render) = %v", tt.name, q.Weakest())
		}
	}
}

func TestProbeUsers(t *testing.T) {
	passwd := []byte("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\nsync:x:4:65534:sync:/bin:/bin/sync\n" +
		"alice:x:1000:1000::/home/alice:/bin/bash\nbad,name:x:1001:1001::/:/bin/sh\nftp:x:1002:1002::/:/bin/false\n")
	got := ProbeUsers(map[string][]string{"allowusers": {"deploy", "ops@10.0.10.0/24", "root", "*"}}, passwd)
	if want := []string{"root", "deploy", "ops", "alice"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("%q, want %q", got, want)
	}
	if n := len(ProbeConns(got, 22)); n != 4*len(ProbeAddrs) {
		t.Fatalf("%d connections", n)
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
	if _, errs := Effective(mapFiles{MainConfig: "Include /etc/ssh/sshd_config\n"}); len(errs) == 0 {
		t.Fatal("recursive include: sshd stops with \"Too many recursive configuration includes\"")
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
