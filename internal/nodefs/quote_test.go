package nodefs

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestQuoteTable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "''"},
		{"abc", "abc"},
		{"/etc/pve/firewall/100.fw", "/etc/pve/firewall/100.fw"},
		{"-w", "-w"},
		{"a,b:c@d+e_f.g", "a,b:c@d+e_f.g"},
		{"a b", "'a b'"},
		{"'", `''\'''`},
		{"it's", `'it'\''s'`},
		{"''", `''\'''\'''`},
		{"a\nb", "'a\nb'"},
		{"\n", "'\n'"},
		{"$HOME", "'$HOME'"},
		{"$(id)", "'$(id)'"},
		{"`id`", "'`id`'"},
		{`a\b`, `'a\b'`},
		{`"x"`, `'"x"'`},
		{"a;b", "'a;b'"},
		{"a|b&c", "'a|b&c'"},
		{"*", "'*'"},
		{"~", "'~'"},
		{"a=b", "'a=b'"},
		{"%1", "'%1'"},
		{"!", "'!'"},
		{"{a,b}", "'{a,b}'"},
		{"é", "'é'"},
		{"\t", "'\t'"},
		{"#", "'#'"},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

var nastyQuoteInputs = []string{
	"", " ", "'", "''", `'\''`, `"`, `\`, `\\`, "\\\n", "$", "$$", "$HOME", "${HOME}", "$(id)", "`id`",
	"a;b", "a&&b", "a||b", "a|b", "a>b", "a<b", "a\nb", "\n", "\r\n", "\t", "*", "?", "[a]", "~", "~root",
	"#x", "!", "!!", "!$", "{a,b}", "a=b", "%1", "-n", "-e", "--", "é ü 日本", "\x01\x02\x7f", "\xff\xfe",
	"'$(id)'", `"$(id)"`, "x'y\"z`w$v", "\\'", "'\\", strings.Repeat("'", 50), " a  b ",
}

// shells returns the POSIX shells installed here (sh always; dash/bash if present).
func shells(t testing.TB) []string {
	var out []string
	for _, sh := range []string{"sh", "dash", "bash"} {
		if p, err := exec.LookPath(sh); err == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Skip("no POSIX shell installed")
	}
	return out
}

// shellRoundTrip has the shell print the quoted word and returns what it printed.
func shellRoundTrip(t testing.TB, sh, x string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, sh, "-c", "printf %s "+Quote(x)).CombinedOutput()
	if err != nil {
		t.Fatalf("%s -c printf %%s %s: %v: %q", sh, Quote(x), err, out)
	}
	return string(out)
}

func TestQuoteShellRoundTrip(t *testing.T) {
	for _, sh := range shells(t) {
		for _, x := range nastyQuoteInputs {
			if got := shellRoundTrip(t, sh, x); got != x {
				t.Errorf("%s: printf %%s %s printed %q; want %q", sh, Quote(x), got, x)
			}
		}
	}
}

// TestQuoteSingleWord: a quoted string is exactly one word, even next to others.
func TestQuoteSingleWord(t *testing.T) {
	for _, sh := range shells(t) {
		args := []string{"a b", "", "c'd", "$(x) y", "\n"}
		var parts []string
		for _, a := range args {
			parts = append(parts, Quote(a))
		}
		script := `for a in ` + strings.Join(parts, " ") + `; do printf '[%s]' "$a"; done`
		out, err := exec.Command(sh, "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v %q", sh, err, out)
		}
		if want := "[a b][][c'd][$(x) y][\n]"; string(out) != want {
			t.Errorf("%s: got %q; want %q", sh, out, want)
		}
	}
}

func FuzzQuote(f *testing.F) {
	for _, x := range nastyQuoteInputs {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x string) {
		if strings.IndexByte(x, 0) >= 0 {
			t.Skip("NUL bytes cannot be passed to a program")
		}
		if got := shellRoundTrip(t, "sh", x); got != x {
			t.Fatalf("printf %%s %s printed %q; want %q", Quote(x), got, x)
		}
	})
}
