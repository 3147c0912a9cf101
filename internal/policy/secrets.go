package policy

import (
	"fmt"
	"regexp"
	"strings"
)

// Secret detection for HC-SEC-001 and HC-SEC-002. Findings name where a
// secret-looking value is (an environment variable's name, a line number)
// and what it looks like, never the value itself.

// secretNameRE matches environment variable names that hold secrets.
var secretNameRE = regexp.MustCompile(`(?i)PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL`)

// envNameRE is a plain environment variable name (safe to show).
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// secretValues are secrets recognisable by their shape.
var secretValues = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a private key block", regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----`)},
	{"an AWS access key ID", regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a GitHub token", regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`)},
	{"credentials in a URL", regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`)},
	{"a password/token assignment",
		regexp.MustCompile(`(?i)(?:^|[^a-z])(?:password|passwd|pwd|secret|token|api_?key|access_key|private_key|credentials?)\s*=\s*[^\s"'=]`)},
}

// valueSecrets says what secret shapes text contains.
func valueSecrets(text string) []string {
	var kinds []string
	for _, v := range secretValues {
		if v.re.MatchString(text) {
			kinds = append(kinds, v.what)
		}
	}
	return kinds
}

// envSecrets returns, for every secret-looking entry of a KEY=VALUE
// environment, "entry KEY (why)". An entry is secret-looking when its
// value is not empty and its name says secret (except names ending in
// _FILE or _PATH: they point to a secret file, the recommended way) or its
// value has a secret's shape.
func envSecrets(env []string) []string {
	var hits []string
	for i, e := range env {
		key, value, _ := strings.Cut(e, "=")
		name := key
		if !envNameRE.MatchString(key) || len(valueSecrets(key)) > 0 {
			name = fmt.Sprintf("#%d", i+1) // the name itself may be the secret
		}
		if strings.TrimSpace(value) == "" {
			if kinds := valueSecrets(key); len(kinds) > 0 {
				hits = append(hits, fmt.Sprintf("entry %s (contains %s)", name, strings.Join(kinds, ", ")))
			}
			continue
		}
		upper := strings.ToUpper(key)
		pointer := strings.HasSuffix(upper, "_FILE") || strings.HasSuffix(upper, "_PATH")
		var why []string
		if secretNameRE.MatchString(key) && !pointer {
			why = append(why, "secret-looking name")
		}
		if kinds := valueSecrets(value); len(kinds) > 0 {
			why = append(why, "value contains "+strings.Join(kinds, ", "))
		}
		if len(why) > 0 {
			hits = append(hits, fmt.Sprintf("entry %s (%s)", name, strings.Join(why, "; ")))
		}
	}
	return hits
}

// textSecrets returns "<what> (line N)" for each secret shape in a free
// text, at the first line it occurs on.
func textSecrets(text string) []string {
	var hits []string
	lines := strings.Split(text, "\n")
	for _, v := range secretValues {
		for n, line := range lines {
			if v.re.MatchString(line) {
				hits = append(hits, fmt.Sprintf("%s (line %d)", v.what, n+1))
				break
			}
		}
	}
	return hits
}
