package apparmor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/require"
)

// settingsTable is every kind of profile the provider can generate.
func settingsTable() map[string]Settings {
	h := Hardened()
	noMount := h
	noMount.DenyMount = false
	nesting := noMount
	nesting.Nesting = true
	mountFS := noMount
	mountFS.MountFSTypes = []string{"nfs", "cifs"}
	extra := h
	extra.ExtraRules = []string{"deny /srv/secret/** rw,", "audit deny /etc/shadow r,", "deny capability sys_ptrace,", "deny /home/{,**} w,"}
	return map[string]Settings{
		"hardened": h, "permissive": {}, "mounts allowed": noMount, "nesting": nesting, "features.mount": mountFS, "extra rules": extra,
		"network only": {DenyRawNetwork: true, DenyPacketNetwork: true}, "ptrace only": {DenyPtrace: true},
		"sys and proc": {DenySysWrite: true, DenyProcSysWrite: true},
	}
}

// TestProfilesPassApparmorParser: every generated profile compiles with the
// real AppArmor parser against the 3.0 ABI, loaded the way PVE loads
// container profiles (lxc-containers includes the lxc/ directory).
func TestProfilesPassApparmorParser(t *testing.T) {
	parser := require.Tool(t, "apparmor_parser", "apt-get install apparmor lxc")
	if _, err := os.Stat("/etc/apparmor.d/abstractions/lxc/container-base"); err != nil {
		t.Fatalf("LXC's AppArmor abstractions are missing (apt-get install lxc): %v", err)
	}
	for name, s := range settingsTable() {
		t.Run(name, func(t *testing.T) {
			if errs := Validate(s); len(errs) > 0 {
				t.Fatalf("table entry is invalid: %v", errs)
			}
			dir := t.TempDir()
			f := filepath.Join(dir, Name(s))
			if err := os.WriteFile(f, Render(s), 0o644); err != nil {
				t.Fatal(err)
			}
			main := filepath.Join(dir, "lxc-containers")
			if err := os.WriteFile(main, []byte("#include <tunables/global>\n#include \""+f+"\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(parser, "-Q", "-K", "-T", "-M", "/etc/apparmor.d/abi/3.0", main).CombinedOutput()
			if err != nil {
				t.Fatalf("apparmor_parser refused the profile: %v\n%s\n%s", err, out, Render(s))
			}
		})
	}
	// and the parser does refuse a broken profile, so the check can fail
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("#include <tunables/global>\nprofile lxc-bad {\n  deny network raww,\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(parser, "-Q", "-K", "-T", "-M", "/etc/apparmor.d/abi/3.0", bad).CombinedOutput(); err == nil {
		t.Fatalf("apparmor_parser accepted a broken profile:\n%s", out)
	}
}

func TestRenderContent(t *testing.T) {
	h := string(Render(Hardened()))
	for _, want := range []string{"profile " + Name(Hardened()) + " flags=(attach_disconnected,mediate_deleted) {",
		"#include <abstractions/lxc/container-base>", "deny network raw,", "deny network packet,", "deny ptrace (trace),",
		"deny @{PROC}/sys/** wklx,", "deny /sys/[^f]*{,/**} wklx,", "deny mount,", "deny pivot_root,", "deny mount fstype=devpts,"} {
		if !strings.Contains(h, want) {
			t.Errorf("hardened profile lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "start-container") {
		t.Errorf("nesting rules without nesting:\n%s", h)
	}
	s := Hardened()
	s.DenyMount = false
	p := string(Render(s))
	if !strings.Contains(p, "deny mount -> /proc/,") || !strings.Contains(p, "deny mount -> /sys/,") {
		t.Errorf("PVE's /proc and /sys mount denies missing when mounts are allowed:\n%s", p)
	}
	s.Nesting = true
	if n := string(Render(s)); !strings.Contains(n, "#include <abstractions/lxc/start-container>") || strings.Contains(n, "deny mount -> /proc/,") {
		t.Errorf("nesting profile:\n%s", n)
	}
}

func TestNames(t *testing.T) {
	a, b := Hardened(), Hardened()
	if Name(a) != Name(b) || !strings.HasPrefix(Name(a), "lxc-hardened-") || len(Name(a)) != len("lxc-hardened-")+12 {
		t.Fatalf("names: %q %q", Name(a), Name(b))
	}
	b.DenyPtrace = false
	if Name(a) == Name(b) {
		t.Fatal("different settings share a name")
	}
	if !ProfileNameRE.MatchString(Name(a)) {
		t.Fatal("generated name is not a valid profile name")
	}
}

func TestValidate(t *testing.T) {
	bad := map[string]string{
		"deny /srv/** rw":                 "ending in",
		"/usr/bin/foo ux,":                "unconfined execution",
		"/usr/bin/foo PUx,":               "unconfined execution",
		"change_profile -> unconfined,":   "leave confinement",
		"profile child { /** rwx, }":      "braces",
		"#include <abstractions/base>":    "'#'",
		"deny /a r,\ndeny /b r,":          "spans lines",
		"capability sys_admin, # comment": "'#'",
	}
	for rule, want := range bad {
		err := ValidateRule(rule)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", rule, err, want)
		}
	}
	for _, ok := range []string{"deny /srv/secret/** rw,", "audit deny /etc/shadow r,", "/usr/bin/tool ix,", "deny /home/{,**} w,", "owner /tmp/** rw,"} {
		if err := ValidateRule(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	s := Hardened()
	s.Nesting = true
	if errs := Validate(s); len(errs) != 1 || !strings.Contains(errs[0].Error(), "deny_mount = false") {
		t.Errorf("nesting with deny_mount: %v", errs)
	}
	if err := ValidateRaw("lxc-web", "profile lxc-web flags=(attach_disconnected) {\n  #include <abstractions/lxc/container-base>\n}\n"); err != nil {
		t.Errorf("raw: %v", err)
	}
	if err := ValidateRaw("lxc-web", "profile lxc-other {\n}\n"); err == nil || !strings.Contains(err.Error(), "not \"lxc-web\"") {
		t.Errorf("raw name mismatch: %v", err)
	}
}

func TestRecover(t *testing.T) {
	for name, s := range settingsTable() {
		got, ok := Recover(Name(s), Render(s), s.Nesting, s.MountFSTypes)
		if !ok || Name(got) != Name(s) || string(Render(got)) != string(Render(s)) {
			t.Errorf("%s: recovered %+v (%v) from %+v", name, got, ok, s)
		}
	}
	for name, s := range settingsTable() {
		got, ok := RecoverNamed("lxc-web", RenderNamed("lxc-web", s))
		if !ok || string(RenderNamed("lxc-web", got)) != string(RenderNamed("lxc-web", s)) {
			t.Errorf("%s: RecoverNamed %+v (%v) from %+v", name, got, ok, s)
		}
	}
	text := Render(Hardened())
	if _, ok := Recover(Name(Hardened()), append([]byte("# edited\n"), text...), false, nil); ok {
		t.Error("an edited profile was recovered")
	}
	if _, ok := Recover("lxc-hardened-000000000000", text, false, nil); ok {
		t.Error("recovered under the wrong name")
	}
}
