package main

import (
	"fmt"
	"strings"
	"testing"
)

func header(extra string) []byte {
	var b strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "#define __NR_call%d %d\n", i, i)
	}
	b.WriteString(extra)
	return []byte(b.String())
}

func names(s []syscall) string {
	var out []string
	for _, c := range s {
		out = append(out, fmt.Sprintf("%s %d", c.name, c.nr))
	}
	return strings.Join(out, ", ")
}

func TestMerge(t *testing.T) {
	h, err := parse(header("#define __NR_newer 460\n#define __NR_newest 470\n"))
	if err != nil {
		t.Fatal(err)
	}
	add, unres, err := parseExtra([]byte("# comment\nuretprobe 335   # Linux 6.11\nnewer 460\n!newest 470 # too new\n!later 471\n"))
	if err != nil {
		t.Fatal(err)
	}
	if names(add) != "uretprobe 335, newer 460" || names(unres) != "newest 470, later 471" {
		t.Fatalf("parseExtra: add %s; unresolvable %s", names(add), names(unres))
	}
	fromHeader, added, err := merge(h, add, unres)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromHeader) != 301 || fromHeader[300].name != "newer" {
		t.Errorf("from the header: %d names ending with %v; want 301 ending with newer (newest dropped)", len(fromHeader), fromHeader[len(fromHeader)-1])
	}
	if names(added) != "uretprobe 335" {
		t.Errorf("added: %s", names(added))
	}
	out := string(render("unistd_64.h", "extra.txt", fromHeader, added, unres))
	for _, want := range []string{"newer 460\n# From extra.txt", "\nuretprobe 335\n", "\n!newest 470\n!later 471\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\nnewest 470") {
		t.Error("an unresolvable name is in the table")
	}
}

func TestMergeRefusesContradictions(t *testing.T) {
	h, err := parse(header("#define __NR_newer 460\n"))
	if err != nil {
		t.Fatal(err)
	}
	for extra, msg := range map[string]string{
		"newer 461\n":  "the header says 460",
		"!newer 461\n": "the header says 460",
		"other 460\n":  "the header has newer",
		"call5 5\n":    "", // agrees with the header
	} {
		add, unres, err := parseExtra([]byte(extra))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = merge(h, add, unres)
		if msg == "" && err != nil || msg != "" && (err == nil || !strings.Contains(err.Error(), msg)) {
			t.Errorf("%q: error %v, want %q", extra, err, msg)
		}
	}
	for _, bad := range []string{"Name 1\n", "name\n", "name 1 2\n", "a 1\na 2\n", "!a 1\na 1\n"} {
		if _, _, err := parseExtra([]byte(bad)); err == nil {
			t.Errorf("parseExtra(%q) accepted it", bad)
		}
	}
}
