package hardening

import (
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pctconf"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

func seccompLine(s Spec) string {
	for _, l := range LXCLines(s) {
		if l.Key == "lxc.seccomp.profile" {
			return l.Value
		}
	}
	return ""
}

func TestSeccompLinesAndFiles(t *testing.T) {
	s := Spec{Unprivileged: true, PidsMax: 100}
	want := seccomp.Policy{}.Path()
	if got := seccompLine(s); got != want || !strings.HasPrefix(got, seccomp.Dir+"/") {
		t.Fatalf("default spec: lxc.seccomp.profile %q, want %q", got, want)
	}
	files := NodeFiles(s)
	if len(files) != 1 || files[0].Path != want || files[0].EveryNode || files[0].Mode != 0o640 || files[0].RefKey != "lxc.seccomp.profile" {
		t.Fatalf("node files %+v", files)
	}
	// the keyctl feature changes the policy, so its file and line
	s.Features.Keyctl = true
	if got := seccompLine(s); got == want || got != (seccomp.Policy{Keyctl: true}).Path() {
		t.Errorf("keyctl: line %q", got)
	}
	s.Seccomp.Mode = seccomp.ModeDefault
	if got := seccompLine(s); got != "" || len(NodeFiles(s)) != 0 {
		t.Errorf("mode default: line %q, files %v", got, NodeFiles(s))
	}
}

func TestObserveSeccomp(t *testing.T) {
	configured := seccomp.Policy{Mode: seccomp.ModeDenylist, Errno: 13, Syscalls: []string{"kcmp"}}
	text, err := configured.Render()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{configured.Path(): text}
	observe := func(lines ...pctconf.Line) Spec {
		return Observe(Observed{Config: map[string]string{"unprivileged": "1"}, LXC: lines, Seccomp: configured, Files: files})
	}
	line := func(v string) pctconf.Line { return pctconf.Line{Key: "lxc.seccomp.profile", Value: v} }

	if s := observe(line(configured.Path())); s.Seccomp.Mode != seccomp.ModeDenylist || s.Seccomp.Errno != 13 || s.SeccompProfile != "" ||
		len(s.Seccomp.Syscalls) != 1 {
		t.Errorf("configured file: %+v %q", s.Seccomp, s.SeccompProfile)
	}
	// the file edited by hand: no longer the provider's
	files[configured.Path()] = append(append([]byte(nil), text...), "kexec_load\n"...)
	if s := observe(line(configured.Path())); s.Seccomp.Mode != SeccompCustom || s.SeccompProfile != configured.Path() {
		t.Errorf("edited file: %+v %q", s.Seccomp, s.SeccompProfile)
	}
	files[configured.Path()] = text
	// an empty line clears every policy, PVE's too: no filter at all
	if s := observe(line(configured.Path()), line("")); s.Seccomp.Mode != SeccompCustom || seccompLine(s) != "" {
		t.Errorf("cleared: %+v", s.Seccomp)
	}
	if s := observe(); s.Seccomp.Mode != seccomp.ModeDefault || s.Seccomp.Errno != 13 {
		t.Errorf("line removed: %+v", s.Seccomp)
	}
	s := observe(line("/root/weak.seccomp"))
	if s.Seccomp.Mode != SeccompCustom || s.SeccompProfile != "/root/weak.seccomp" || seccompLine(s) != "/root/weak.seccomp" || len(NodeFiles(s)) != 0 {
		t.Errorf("foreign file: %+v %q, line %q, files %v", s.Seccomp, s.SeccompProfile, seccompLine(s), NodeFiles(s))
	}
}

func TestValidateSeccomp(t *testing.T) {
	base := Spec{Unprivileged: true}
	find := func(ps []Problem, path string) *Problem {
		for i := range ps {
			if PathString(ps[i].Path) == path {
				return &ps[i]
			}
		}
		return nil
	}
	s := base
	s.Seccomp = seccomp.Policy{Syscalls: []string{"kexec_laod"}}
	p := find(Validate(s), "seccomp.syscalls")
	if p == nil || p.Warning || !strings.Contains(p.Detail, `"kexec_load"`) {
		t.Errorf("typo: %+v", p)
	}
	s.Seccomp = seccomp.Policy{Mode: seccomp.ModeAllowlist, Syscalls: seccomp.EssentialSyscalls()}
	if p := find(Validate(s), "seccomp.mode"); p == nil || !p.Warning {
		t.Errorf("allowlist: no warning: %+v", Validate(s))
	}
	s.Seccomp = seccomp.Policy{}
	s.Features.Mknod = true
	if p := find(Validate(s), "features.mknod"); p == nil || !p.Warning {
		t.Errorf("mknod: no warning: %+v", Validate(s))
	}
	s.Seccomp = seccomp.Policy{Mode: SeccompCustom}
	if p := find(Validate(s), "seccomp.mode"); p == nil || p.Warning {
		t.Errorf("custom mode accepted in a configuration: %+v", Validate(s))
	}
}
