package pvesim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hardened-pve/terraform-provider-hardened/internal/pvesim/ctconf"
)

// LXCStartError is lxc-start failing. Lines are what it wrote to stderr, after
// the "lxc-start: <vmid>: <source file>: " prefix that PVE strips
// (print_ct_stderr_log in PVE/LXC.pm), e.g.
// `__lxc_start: 2039 Failed to initialize container "100"`. The start task
// prints them into its log and dies with PVE's own message only:
// "startup for container '<vmid>' failed". A Backend may return one.
type LXCStartError struct {
	Lines []string
}

func (e *LXCStartError) Error() string { return strings.Join(e.Lines, "\n") }

// The source positions below are LXC 6.0.5's (lxc-pve in PVE 9.1); the texts
// are LXC's log messages (src/lxc/seccomp.c, src/lxc/start.c,
// src/lxc/lsm/apparmor.c), in the stderr format "<function>: <line> <message>",
// with "<strerror> - " in front of SYSERROR messages.

// checkConfinement is what lxc-start does with a container's raw
// lxc.seccomp.profile and lxc.apparmor.profile lines before the container
// runs: lxc_init reads the seccomp policy file (a missing or malformed one
// fails the start), then the child changes to the AppArmor profile, which the
// kernel refuses for a profile that is not loaded. root is the data directory
// that stands for the node's "/". It returns nil or an *LXCStartError.
func checkConfinement(root string, vmid int, conf *ctconf.Config) error {
	seccompProfile, apparmorProfile := "", ""
	for _, kv := range conf.Main.LXC {
		// LXC keeps the last value of a key; an empty value clears it.
		switch kv[0] {
		case "lxc.seccomp.profile":
			seccompProfile = kv[1]
		case "lxc.apparmor.profile":
			apparmorProfile = kv[1]
		}
	}
	if seccompProfile != "" {
		if lines := readSeccompPolicy(root, seccompProfile); lines != nil {
			lines = append(lines, "lxc_init: 870 Failed to read seccomp policy",
				fmt.Sprintf("__lxc_start: 2039 Failed to initialize container \"%d\"", vmid))
			return &LXCStartError{Lines: lines}
		}
	}
	if !appArmorProfileLoaded(root, apparmorProfile) {
		return &LXCStartError{Lines: []string{
			fmt.Sprintf("apparmor_process_label_set: 1221 Invalid argument - Failed to change AppArmor profile to %s", apparmorProfile),
			fmt.Sprintf("__lxc_start: 2119 Failed to spawn container \"%d\"", vmid)}}
	}
	return nil
}

// nodePath maps an absolute path on the node to the data directory; a
// relative one is relative to "/" (lxc-start runs from a systemd unit).
func nodePath(root, p string) string {
	return filepath.Join(root, filepath.Clean("/"+p))
}

// readSeccompPolicy is lxc_read_seccomp_config and parse_config up to the
// policy's header: the file must open, start with version 1 or 2 (fscanf
// "%d\n"), have a header line (version 1: containing "allowlist"; version 2:
// starting with allowlist, denylist, whitelist or blacklist; never "debug"),
// and a version 1 policy's rules must be syscall numbers. Version 2 rules are
// not checked. It returns LXC's error lines, or nil.
func readSeccompPolicy(root, profile string) []string {
	p := nodePath(root, profile)
	st, err := os.Stat(p)
	var text []byte
	if err == nil && !st.IsDir() {
		text, err = os.ReadFile(p)
	}
	if err != nil {
		// fopen(3) of a directory succeeds; reading it fails (below).
		return []string{fmt.Sprintf("lxc_read_seccomp_config: 1251 %s - Failed to open seccomp policy file %s", strerror(err), profile)}
	}
	version, rest, ok := scanInt(string(text))
	if !ok || (version != 1 && version != 2) {
		return []string{"parse_config: 1129 Invalid version"}
	}
	rest = strings.TrimLeft(rest, cSpace) // the "\n" of "%d\n" skips any white space
	line, rest, ok := getline(rest)
	if !ok {
		return []string{"parse_config: 1134 Invalid config file"}
	}
	if version == 1 && !strings.Contains(line, "allowlist") {
		return []string{"parse_config: 1139 Only allowlist policy is supported"}
	}
	if strings.Contains(line, "debug") {
		return []string{"parse_config: 1144 Debug not yet implemented"}
	}
	if version == 1 {
		// parse_config_v1: every further line is a syscall number (sscanf "%d").
		for {
			var l string
			if l, rest, ok = getline(rest); !ok {
				return nil
			}
			if _, _, isInt := scanInt(l); !isInt {
				return []string{} // fails without a message of its own
			}
		}
	}
	style := false
	for _, w := range []string{"denylist", "blacklist", "allowlist", "whitelist"} {
		style = style || strings.HasPrefix(line, w)
	}
	if !style {
		// the line keeps its newline, so the message spans two lines
		return strings.Split(fmt.Sprintf("parse_config_v2: 640 Bad seccomp policy style \"%s\"", line), "\n")
	}
	return nil
}

// cSpace is C's isspace.
const cSpace = " \t\n\v\f\r"

// scanInt is scanf's "%d": white space, an optional sign, digits.
func scanInt(s string) (int, string, bool) {
	s = strings.TrimLeft(s, cSpace)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	n := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if n < 1<<30 {
			n = n*10 + int(s[i]-'0')
		}
		i++
	}
	if i == start {
		return 0, s, false
	}
	if s[0] == '-' {
		n = -n
	}
	return n, s[i:], true
}

// getline is getline(3): the next line with its newline; false at the end.
func getline(s string) (string, string, bool) {
	if s == "" {
		return "", "", false
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i+1], s[i+1:], true
	}
	return s, "", true
}

// strerror is glibc's text for the error's errno.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		return strings.ToUpper(msg[:1]) + msg[1:]
	}
	return err.Error()
}

// lxcProfiles are the profiles lxc-pve installs and every PVE node loads
// (/etc/apparmor.d/lxc/lxc-default*, whose file names differ from the names).
var lxcProfiles = map[string]bool{"lxc-container-default": true, "lxc-container-default-cgns": true,
	"lxc-container-default-with-mounting": true, "lxc-container-default-with-nesting": true}

// appArmorProfileLoaded approximates "the kernel has the profile loaded": the
// simulator has no kernel, so a profile counts as loaded when a file of its
// name is in DIR/etc/apparmor.d/lxc/ or DIR/etc/apparmor.d/ (where
// apparmor.service loads profiles from at boot), or when it is one of LXC's
// own. "" (LXC's default), "unconfined", "unchanged" and "generated" (a
// profile lxc-start writes and loads itself) need nothing.
func appArmorProfileLoaded(root, name string) bool {
	switch {
	case name == "" || name == "unconfined" || name == "unchanged" || name == "generated" || lxcProfiles[name]:
		return true
	case strings.ContainsAny(name, "/\x00") || name == "." || name == "..":
		return false
	}
	for _, dir := range []string{"etc/apparmor.d/lxc", "etc/apparmor.d"} {
		if st, err := os.Stat(filepath.Join(root, dir, name)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}
