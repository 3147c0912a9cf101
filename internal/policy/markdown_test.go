package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const guidePath = "../../templates/guides/policy-rules.md.tmpl"

// TestRulesGuideUpToDate keeps the rule guide equal to Markdown(); with
// HARDENED_UPDATE_GUIDES=1 it rewrites the guide.
func TestRulesGuideUpToDate(t *testing.T) {
	want := Markdown()
	if os.Getenv("HARDENED_UPDATE_GUIDES") == "1" {
		if err := os.MkdirAll(filepath.Dir(guidePath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(guidePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", guidePath)
		return
	}
	got, err := os.ReadFile(guidePath)
	if err != nil {
		t.Fatalf("%v: run HARDENED_UPDATE_GUIDES=1 go test ./internal/policy/ ", err)
	}
	if string(got) != want {
		t.Fatalf("%s is stale: run HARDENED_UPDATE_GUIDES=1 go test ./internal/policy/ ", guidePath)
	}
}

func TestMarkdown(t *testing.T) {
	md := Markdown()
	if strings.Contains(md, "{{") {
		t.Error("the guide contains {{, which tfplugindocs would read as a template action")
	}
	if !regexp.MustCompile("^---\npage_title: \"Policy rule catalogue\"\nsubcategory: \"\"\ndescription: \\|-\n  \\S.*\n---\n").MatchString(md) {
		t.Errorf("front matter:\n%s", md[:300])
	}
	for _, r := range catalogue {
		for _, want := range []string{"### " + r.ID + ": " + r.Title, "* Severity: **" + string(r.Severity) + "**", "* Attribute: `" + r.Attribute + "`"} {
			if !strings.Contains(md, want) {
				t.Errorf("guide lacks %q", want)
			}
		}
	}
	for _, s := range settings {
		if !strings.Contains(md, "| `"+s.name+"` | `"+s.value(Default())+"` |") {
			t.Errorf("guide lacks the setting %s", s.name)
		}
	}
	// No raw HTML: < and > only inside code spans.
	codeSpan := regexp.MustCompile("`[^`]*`")
	for i, line := range strings.Split(md, "\n") {
		if rest := codeSpan.ReplaceAllString(line, ""); strings.ContainsAny(rest, "<>") {
			t.Errorf("line %d has raw < or >: %s", i+1, line)
		}
	}
	if !strings.Contains(md, "`/proc/") && !strings.Contains(md, "/proc/&lt;pid&gt;/environ") {
		t.Error("the environ path is not escaped")
	}
}
